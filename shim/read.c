/*
 * read.c - reads: MSG_WAITALL, and the half-close marker of an sctpize peer.
 *
 * Every read call is libc's, unchanged, unless the descriptor has
 * half-close state (fdstate.c); checking costs one load, no system call.
 * With state, the read becomes one recvmsg() that also asks for the stream
 * of the message (SCTP_RCVINFO):
 *
 *   FD_PENDING    the peer's announcement may be queued: read it off first;
 *   FD_PEER       a one-byte message with MARKER_PPID is the peer's
 *                 shutdown(SHUT_WR) (shutdown.c): the read answers 0, end
 *                 of file, as TCP's would after a FIN;
 *   FD_PEER_SHUT  from then on every read answers 0 at once.
 *
 * Program data never carries MARKER_PPID: a converted program sends with
 * PPID 0.  The marker travels on the data's stream, so it comes after it.
 *
 * recv()/recvfrom() with MSG_WAITALL loop over SCTP's one-message reads
 * until the length asked for, end of file, an error or a signal.  The
 * fortified entry points (__read_chk, ...) that programs built with
 * _FORTIFY_SOURCE call instead are covered too.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <string.h>
#include <sys/time.h>

#include "sctpize.h"

#define SLOW (FD_PENDING | FD_PEER | FD_PEER_SHUT)

/* The rcvinfo of a message just read, or NULL if the kernel gave none. */
static const struct sctp_rcvinfo *rcvinfo(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == IPPROTO_SCTP && c->cmsg_type == SCTP_RCVINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct sctp_rcvinfo)))
			return (const struct sctp_rcvinfo *)CMSG_DATA(c);
	return NULL;
}

/* One read of a descriptor with half-close state, as recvmsg(fd, m, flags). */
static ssize_t slow_recvmsg(int fd, struct msghdr *m, int flags)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
	} own;
	void *control = m->msg_control;
	unsigned state = fd_get(fd);
	ssize_t r;

	if (state & FD_PENDING) {
		state = fd_resolve(fd, flags);
		if (state & FD_PENDING)
			return -1;	/* nothing queued yet (EAGAIN), or an error */
	}
	if (state & FD_PEER_SHUT) {
		if (is_sctp(fd))
			return 0;
		fd_forget(fd);	/* the number was reused behind our back */
		return real.recvmsg(fd, m, flags);
	}
	if (!(state & FD_PEER))
		return real.recvmsg(fd, m, flags);
	if (!control) {		/* the program asked for none: ours */
		m->msg_control = own.b;
		m->msg_controllen = sizeof(own.b);
	}
	r = real.recvmsg(fd, m, flags);
	if (r >= 0 && !(m->msg_flags & MSG_NOTIFICATION)) {
		const struct sctp_rcvinfo *ri = rcvinfo(m);

		if (!ri) {
			fd_forget(fd);	/* not our socket any more */
		} else if (r == 1 && (m->msg_flags & MSG_EOR) && ri->rcv_sid == MARKER_SID &&
			   ntohl(ri->rcv_ppid) == MARKER_PPID) {
			if (!(flags & MSG_PEEK)) {
				fd_set_state(fd, state | FD_PEER_SHUT);
				/* Both ends half-closed: now SCTP's own shutdown. */
				if (state & FD_SELF_SHUT)
					real.shutdown(fd, SHUT_WR);
			}
			r = 0;
		}
	} else if (r < 0 && errno == ENOTSOCK) {
		fd_forget(fd);
	}
	if (!control) {
		m->msg_control = NULL;
		m->msg_controllen = 0;
	}
	return r;
}

static ssize_t slow_read(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			 socklen_t *fromlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	if (from && fromlen) {
		m.msg_name = from;
		m.msg_namelen = *fromlen;
	}
	r = slow_recvmsg(fd, &m, flags);
	if (r >= 0 && from && fromlen)
		*fromlen = m.msg_namelen;
	return r;
}

static ssize_t recv_any(int fd, void *buf, size_t len, int flags)
{
	if (fd_get(fd) & SLOW)
		return slow_read(fd, buf, len, flags, NULL, NULL);
	return real.recv(fd, buf, len, flags);
}

/* MSG_WAITALL without MSG_PEEK (a peek cannot be continued: it would re-read). */
static bool wants_all(int flags)
{
	return (flags & (MSG_WAITALL | MSG_PEEK)) == MSG_WAITALL;
}

/*
 * MSG_WAITALL on SCTP returns after one message: keep reading, as TCP would.
 * TCP returns the bytes so far at a signal, SA_RESTART or not; a blocking recv()
 * of ours would be restarted by the kernel instead.  So the waits between the
 * messages are poll()s, which a signal always ends, bounded by SO_RCVTIMEO.
 */
static ssize_t wait_all(int fd, char *buf, size_t len, int flags, ssize_t first)
{
	size_t done = (size_t)first;
	int saved = errno, ms = -1;
	struct timeval tv = { 0 };
	bool nonblock = (flags & MSG_DONTWAIT) || (real.fcntl(fd, F_GETFL) & O_NONBLOCK);

	if (real.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &(socklen_t){ sizeof(tv) }) == 0 &&
	    (tv.tv_sec || tv.tv_usec))
		ms = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	while (first > 0 && done < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!nonblock && poll(&p, 1, ms) != 1)
			break;	/* a signal, or SO_RCVTIMEO: the bytes so far are the answer */
		ssize_t r = recv_any(fd, buf + done, len - done, flags | MSG_DONTWAIT);

		if (r < 0 && !nonblock && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0)
			break;	/* EOF, or an error: the bytes so far are the answer */
		done += (size_t)r;
	}
	errno = saved;
	return (ssize_t)done;
}

/*
 * After the peer's ABORT, SCTP answers reads ENOTCONN; TCP, after the peer's
 * RST, answers 0 (end of file).  A socket of ours that was connected (its
 * announcement resolved) answers as TCP; one never connected keeps ENOTCONN.
 */
static inline ssize_t after_abort(int fd, ssize_t r, int saved)
{
	if (__builtin_expect(r < 0, 0) && errno == ENOTCONN &&
	    (fd_get(fd) & (FD_OURS | FD_PENDING)) == FD_OURS) {
		errno = saved;
		return 0;
	}
	return r;
}

static ssize_t finish_recv(int fd, void *buf, size_t len, int flags, ssize_t r)
{
	if (wants_all(flags) && r > 0 && (size_t)r < len && is_sctp(fd))
		return wait_all(fd, buf, len, flags, r);
	return r;
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(!(fd_get(fd) & SLOW), 1))
		return after_abort(fd, real.read(fd, buf, len), saved);
	return after_abort(fd, slow_read(fd, buf, len, 0, NULL, NULL), saved);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(!(fd_get(fd) & SLOW), 1) || len > buflen)	/* (aborts on overflow) */
		return after_abort(fd, real.read_chk(fd, buf, len, buflen), saved);
	return after_abort(fd, slow_read(fd, buf, len, 0, NULL, NULL), saved);
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(!(fd_get(fd) & SLOW), 1) || iovcnt < 0)
		return after_abort(fd, real.readv(fd, iov, iovcnt), saved);
	return after_abort(fd, slow_recvmsg(fd, &m, 0), saved);
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	int saved = errno;

	sctpize_init();
	return finish_recv(fd, buf, len, flags,
			   after_abort(fd, recv_any(fd, buf, len, flags), saved));
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	sctpize_init();
	int saved = errno;

	if (len > buflen)
		return real.recv_chk(fd, buf, len, buflen, flags);	/* aborts */
	return finish_recv(fd, buf, len, flags,
			   after_abort(fd, recv_any(fd, buf, len, flags), saved));
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			socklen_t *fromlen)
{
	ssize_t r;
	int saved = errno;

	sctpize_init();
	if (fd_get(fd) & SLOW)
		r = slow_read(fd, buf, len, flags, from, fromlen);
	else
		r = real.recvfrom(fd, buf, len, flags, from, fromlen);
	return finish_recv(fd, buf, len, flags, after_abort(fd, r, saved));
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
			      struct sockaddr *from, socklen_t *fromlen)
{
	if (len > buflen) {
		sctpize_init();
		return real.recvfrom_chk(fd, buf, len, buflen, flags, from, fromlen);
	}
	return recvfrom(fd, buf, len, flags, from, fromlen);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(!(fd_get(fd) & SLOW), 1) || !msg)
		return after_abort(fd, real.recvmsg(fd, msg, flags), saved);
	return after_abort(fd, slow_recvmsg(fd, msg, flags), saved);
}
