/*
 * shutdown.c - shutdown(): half-close between two sctpize ends, and listeners.
 *
 * SCTP has no half-close: shutdown(SHUT_WR) on an association starts its
 * graceful end, after which the peer can no longer send.  TCP programs
 * (socat, nc -N, request/response clients) half-close and then read the
 * reply.  When both ends opted in (SCTPIZE_HALF_CLOSE=1, negotiated:
 * fdstate.c), our shutdown(SHUT_WR) is instead one byte with MARKER_PPID,
 * on the data's stream so that it arrives after all of it, which the peer's
 * reads turn into end of file (read.c); later writes here fail with EPIPE
 * (write.c).  Once both ends have half-closed, or on SHUT_RDWR, SCTP's own
 * shutdown ends the association.  Otherwise (the default, a native peer, a
 * sandboxed process) shutdown() is the kernel's, unchanged: the peer reads
 * every byte and then end of file; what it sends after that is refused by
 * its kernel (EPIPE), never accepted and then dropped.
 *
 * A listening socket: TCP's shutdown(SHUT_RD or SHUT_RDWR) stops listening
 * and wakes every thread blocked in accept() with EINVAL (a common way to
 * stop an accept loop).  SCTP answers EOPNOTSUPP (EINVAL on some kernels)
 * and wakes them only to sleep again.  listen(fd, 0) stops an SCTP
 * listener; the kernel's shutdown() then wakes the sleepers, which find it
 * no longer listening.  (Asked only of sockets of ours never connected: on
 * every other socket shutdown() costs nothing more.)  A dual listener
 * (migrate/) shuts its two listeners down, the SCTP one with shutdown_socket().
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <string.h>

#include "preload.h"

#define MARKER_WAIT_MS 5000	/* a full send buffer: how long the marker may wait */

/* The marker, after any data queued before it (same association, in order). */
static int send_marker(int fd)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
	} ctl;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct sctp_sndinfo si = { .snd_sid = MARKER_SID, .snd_ppid = htonl(MARKER_PPID) };

	memset(ctl.b, 0, sizeof(ctl.b));
	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_SNDINFO;
	c->cmsg_len = CMSG_LEN(sizeof(si));
	memcpy(CMSG_DATA(c), &si, sizeof(si));
	for (int waited = 0;;) {
		if (real.sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
			return 0;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || waited >= MARKER_WAIT_MS)
			return -1;
		/* Non-blocking or not, shutdown() queues its FIN at once on TCP. */
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return -1;
		waited += 100;
	}
}

static bool listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return real.getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* Half-close with an sctpize peer: the marker instead of SCTP's shutdown.  0, or -1 if not. */
static int half_close(int fd, unsigned state, int saved)
{
	if (state & FD_PENDING)
		state = fd_resolve(fd);
	if (!(state & FD_PEER) || (state & FD_PEER_SHUT) || !is_sctp(fd))
		return -1;
	if (state & FD_SELF_SHUT)
		return 0;
	if (send_marker(fd) != 0) {
		logmsg(1, "fd %d: half-close marker not sent (%m): SCTP shutdown", fd);
		errno = saved;
		return -1;
	}
	fd_set_state(fd, state | FD_SELF_SHUT);
	logmsg(1, "fd %d: half-closed (the sctpize peer reads end of file)", fd);
	errno = saved;
	return 0;
}

int shutdown_socket(int fd, int how)
{
	int saved = errno;
	unsigned state = fd_get(fd);

	if (!own_calls())
		return real.shutdown(fd, how);
	if (how == SHUT_WR && (state & (FD_PENDING | FD_PEER)) && half_close(fd, state, saved) == 0)
		return 0;
	/*
	 * A listener of ours (never connected): asked before, since a refused
	 * shutdown() leaves the socket unable to listen(fd, 0).
	 */
	if ((how == SHUT_RD || how == SHUT_RDWR) && (state & (FD_SCTP | FD_CONNECTED)) == FD_SCTP &&
	    listening(fd) && is_sctp(fd) && real.listen(fd, 0) == 0) {
		real.shutdown(fd, how);		/* wakes accept(); answers ENOTCONN */
		logmsg(1, "fd %d: listener shut down", fd);
		errno = saved;
		return 0;
	}
	return real.shutdown(fd, how);
}

EXPORT int shutdown(int fd, int how)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->shutdown)
		return kind_ops(state)->shutdown(fd, how);
	return shutdown_socket(fd, how);
}
