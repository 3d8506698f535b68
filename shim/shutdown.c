/*
 * shutdown.c - shutdown(): half-close between two sctpize ends, and listeners.
 *
 * SCTP has no half-close: shutdown(SHUT_WR) on an association starts its
 * graceful end, after which the peer can no longer send.  TCP programs
 * (socat, nc -N, request/response clients) half-close and then read the
 * reply.  When the peer runs sctpize too (negotiated, fdstate.c), our
 * shutdown(SHUT_WR) is instead one byte with MARKER_PPID, on the data's
 * stream so that it arrives after all of it, which the peer's reads turn
 * into end of file (read.c); later writes here
 * fail with EPIPE (write.c).  Once both ends have half-closed, or on
 * SHUT_RDWR, SCTP's own shutdown ends the association.  Against a native
 * peer shutdown() is the kernel's, unchanged: what the peer sends after it
 * is refused by the kernel, and the reading end sees ENOTCONN or an early
 * end of file, never data that was accepted and then dropped.
 *
 * A listening socket: TCP's shutdown(SHUT_RD or SHUT_RDWR) stops listening
 * and wakes every thread blocked in accept() with EINVAL (a common way to
 * stop an accept loop).  SCTP answers EOPNOTSUPP (EINVAL on some kernels)
 * and wakes them only to sleep again.  listen(fd, 0) stops an SCTP listener; the kernel's
 * shutdown() then wakes the sleepers, which find it no longer listening.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <string.h>

#include "sctpize.h"

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

EXPORT int shutdown(int fd, int how)
{
	int saved = errno, r;
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (state & FD_DUAL)
		return dual_shutdown(fd, how);
	if (how == SHUT_WR && (state & FD_OURS)) {
		if (state & FD_PENDING)
			state = fd_resolve(fd, MSG_DONTWAIT);
		errno = saved;
		if ((state & FD_PEER) && !(state & FD_PEER_SHUT) && is_sctp(fd)) {
			if (state & FD_SELF_SHUT)
				return 0;
			if (send_marker(fd) == 0) {
				fd_set_state(fd, state | FD_SELF_SHUT);
				logmsg(1, "fd %d: half-closed (the sctpize peer reads end of file)", fd);
				errno = saved;
				return 0;
			}
			logmsg(1, "fd %d: half-close marker not sent (%m): SCTP shutdown", fd);
			errno = saved;
		}
	}
	if ((how == SHUT_RD || how == SHUT_RDWR) && is_sctp(fd) && listening(fd) &&
	    listen(fd, 0) == 0) {
		real.shutdown(fd, how);		/* wakes accept(); answers ENOTCONN */
		logmsg(1, "fd %d: listener shut down", fd);
		errno = saved;
		return 0;
	}
	r = real.shutdown(fd, how);
	return r;
}
