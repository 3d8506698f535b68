/*
 * read.c - reads: MSG_WAITALL, end of file after an ABORT, and half-close.
 *
 * Every read call is libc's, unchanged, unless the descriptor has
 * half-close state (fdstate.c, SCTPIZE_HALF_CLOSE=1); checking costs one
 * load, no system call.  With state (only on sockets whose program opted
 * in, and whose peer did too), the read becomes one recvmsg() that also
 * asks for the stream and payload id of the message (SCTP_RCVINFO):
 *
 *   FD_PENDING    the peer's announcement may be queued: read off first
 *                 (fd_resolve(), which never waits);
 *   FD_PEER       a one-byte message with MARKER_PPID is the peer's
 *                 shutdown(SHUT_WR) (shutdown.c): the read answers 0, end
 *                 of file, as TCP's would after a FIN;
 *   FD_PEER_SHUT  from then on every read answers 0 at once.
 *
 * Program data never carries MARKER_PPID: a converted program sends with
 * PPID 0.  The marker travels on the data's stream, so it comes after it.
 * A program's own control buffer (recvmsg()) gets the control messages it
 * asked for and never ours.  In a process that has sandboxed itself
 * (process.c) a read is only ever the program's own call.
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

#include "preload.h"

#define SLOW (FD_PENDING | FD_PEER | FD_PEER_SHUT)
#define PLAIN (-2)		/* nothing to do for half-close: the program's own call */
#define OURS_ROOM CMSG_SPACE(sizeof(struct sctp_rcvinfo))
#define THEIRS_ROOM 256		/* a program's control buffer up to this goes through ours */

static bool our_rcvinfo(const struct cmsghdr *c)
{
	return c->cmsg_level == IPPROTO_SCTP && c->cmsg_type == SCTP_RCVINFO &&
	       c->cmsg_len >= CMSG_LEN(sizeof(struct sctp_rcvinfo));
}

/*
 * The control messages a read left in m: ours kept in *ri (true if there
 * was one), every other one copied to the program's own buffer out (size
 * cap; it may be m's own buffer: copying only moves bytes down), with
 * MSG_CTRUNC if they do not fit.  m's control is the program's again.
 */
static bool sort_control(struct msghdr *m, void *out, size_t cap, struct sctp_rcvinfo *ri)
{
	struct msghdr in = { .msg_control = m->msg_control, .msg_controllen = m->msg_controllen };
	size_t used = 0;
	bool have = false;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
		size_t space = CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));

		if (our_rcvinfo(c)) {
			memcpy(ri, CMSG_DATA(c), sizeof(*ri));
			have = true;
		} else if (used + c->cmsg_len > cap) {
			m->msg_flags |= MSG_CTRUNC;
			break;
		} else {
			memmove((char *)out + used, c, c->cmsg_len);
			used += space < cap - used ? space : cap - used;
		}
	}
	m->msg_control = out;
	m->msg_controllen = used;
	return have;
}

/*
 * A notification read into the program's buffers: the peer's announcement,
 * which came after fd_resolve() looked (the association came up in
 * between).  Settled from its first bytes; the rest of it, if the buffers
 * were too small, read off too.
 */
static void announcement_read(int fd, const struct msghdr *m, ssize_t r)
{
	union sctp_notification n;
	size_t got = 0;
	int saved = errno;

	for (size_t i = 0; i < m->msg_iovlen && got < (size_t)r && got < sizeof(n); i++) {
		size_t k = m->msg_iov[i].iov_len;

		if (k > (size_t)r - got)
			k = (size_t)r - got;
		if (k > sizeof(n) - got)
			k = sizeof(n) - got;
		memcpy((char *)&n + got, m->msg_iov[i].iov_base, k);
		got += k;
	}
	for (int flags = m->msg_flags; !(flags & MSG_EOR);) {
		char rest[64];
		struct iovec iov = { .iov_base = rest, .iov_len = sizeof(rest) };
		struct msghdr more = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (real.recvmsg(fd, &more, MSG_DONTWAIT) <= 0 ||
		    !(more.msg_flags & MSG_NOTIFICATION))
			break;
		flags = more.msg_flags;
	}
	fd_settled(fd, &n, got);
	errno = saved;
}

/*
 * One read of a descriptor with half-close state, as recvmsg(fd, m, flags).
 * msg_call: the program called recvmsg() or recvmmsg() with m.  PLAIN when
 * nothing is left for half-close to do.
 */
static ssize_t slow_recvmsg(int fd, struct msghdr *m, int flags, bool msg_call)
{
	union {
		struct cmsghdr align;
		char b[OURS_ROOM + THEIRS_ROOM];
	} own;
	void *theirs = m->msg_control;
	size_t cap = theirs ? m->msg_controllen : 0;
	struct sctp_rcvinfo ri;
	unsigned state;
	ssize_t r;

	if (!own_calls())
		return PLAIN;		/* a sandbox: nothing but the program's own call */
again:
	state = fd_get(fd);
	if (state & FD_PENDING)
		state = fd_resolve(fd);
	if (state & FD_PEER_SHUT) {
		if (is_sctp(fd))
			return 0;
		fd_forget(fd);		/* the number was reused behind our back */
		return PLAIN;
	}
	if (!(state & (FD_PEER | FD_PENDING)) && !(msg_call && cap && (state & FD_SCTP)))
		return PLAIN;
	/* Room for theirs and ours: our buffer, or theirs if it is larger than ours. */
	if (cap <= THEIRS_ROOM) {
		m->msg_control = own.b;
		m->msg_controllen = cap + OURS_ROOM;
	}
	r = real.recvmsg(fd, m, flags);
	if (r < 0) {
		int e = errno;

		m->msg_control = theirs;
		m->msg_controllen = cap;
		errno = e;
		if (e != ENOTSOCK && e != EBADF)
			return -1;
		fd_forget(fd);		/* not a socket any more: the number was reused */
		return PLAIN;
	}
	if (!sort_control(m, theirs, cap, &ri) && (state & FD_PEER)) {
		fd_forget(fd);		/* a socket that is not ours any more */
		return r;
	}
	if ((m->msg_flags & MSG_NOTIFICATION) && (state & FD_PENDING)) {
		if (flags & MSG_PEEK)
			fd_resolve(fd);	/* reads it off */
		else
			announcement_read(fd, m, r);
		goto again;
	}
	if ((state & FD_PEER) && r == 1 && (m->msg_flags & MSG_EOR) && ri.rcv_sid == MARKER_SID &&
	    ntohl(ri.rcv_ppid) == MARKER_PPID) {
		if (!(flags & MSG_PEEK)) {
			fd_set_state(fd, state | FD_PEER_SHUT);
			/* Both ends half-closed: now SCTP's own shutdown. */
			if (state & FD_SELF_SHUT)
				real.shutdown(fd, SHUT_WR);
		}
		r = 0;
	}
	m->msg_flags &= ~MSG_EOR;	/* (SCTP's message boundaries: TCP has none) */
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
	r = slow_recvmsg(fd, &m, flags, false);
	if (r >= 0 && from && fromlen)
		*fromlen = m.msg_namelen;
	return r;
}

static ssize_t recv_any(int fd, void *buf, size_t len, int flags)
{
	if (fd_get(fd) & SLOW) {
		ssize_t r = slow_read(fd, buf, len, flags, NULL, NULL);

		if (r != PLAIN)
			return r;
	}
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
 * RST, answers 0 (end of file).  A socket of ours that was connected answers
 * as TCP; one never connected keeps ENOTCONN.
 */
static inline ssize_t after_abort(int fd, ssize_t r, int saved)
{
	if (__builtin_expect(r < 0, 0) && errno == ENOTCONN && (fd_get(fd) & FD_CONNECTED)) {
		errno = saved;
		return 0;
	}
	return r;
}

static ssize_t finish_recv(int fd, void *buf, size_t len, int flags, ssize_t r)
{
	if (wants_all(flags) && r > 0 && (size_t)r < len && own_calls() && is_sctp(fd))
		return wait_all(fd, buf, len, flags, r);
	return r;
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(fd_get(fd) & SLOW, 0)) {
		ssize_t r = slow_read(fd, buf, len, 0, NULL, NULL);

		if (r != PLAIN)
			return after_abort(fd, r, saved);
	}
	return after_abort(fd, real.read(fd, buf, len), saved);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(fd_get(fd) & SLOW, 0) && len <= buflen) {	/* (else: aborts) */
		ssize_t r = slow_read(fd, buf, len, 0, NULL, NULL);

		if (r != PLAIN)
			return after_abort(fd, r, saved);
	}
	return after_abort(fd, real.read_chk(fd, buf, len, buflen), saved);
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
	int saved = errno;

	sctpize_init();
	if (__builtin_expect(fd_get(fd) & SLOW, 0) && iovcnt >= 0) {
		ssize_t r = slow_recvmsg(fd, &m, 0, false);

		if (r != PLAIN)
			return after_abort(fd, r, saved);
	}
	return after_abort(fd, real.readv(fd, iov, iovcnt), saved);
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

/* recvfrom(), for both its entry points. */
static ssize_t read_from(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			 socklen_t *fromlen)
{
	ssize_t r = PLAIN;
	int saved = errno;

	if (fd_get(fd) & SLOW)
		r = slow_read(fd, buf, len, flags, from, fromlen);
	if (r == PLAIN)
		r = real.recvfrom(fd, buf, len, flags, from, fromlen);
	return finish_recv(fd, buf, len, flags, after_abort(fd, r, saved));
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			socklen_t *fromlen)
{
	sctpize_init();
	return read_from(fd, buf, len, flags, from, fromlen);
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
			      struct sockaddr *from, socklen_t *fromlen)
{
	sctpize_init();
	if (len > buflen)
		return real.recvfrom_chk(fd, buf, len, buflen, flags, from, fromlen);
	return read_from(fd, buf, len, flags, from, fromlen);
}

/*
 * With half-close, a socket of ours asks for SCTP_RCVINFO: a program's own
 * control buffer goes through slow_recvmsg(), which keeps ours out of it.
 */
static bool slow_msg(int fd, const struct msghdr *msg)
{
	unsigned state = fd_get(fd);

	return msg && ((state & SLOW) || ((state & FD_SCTP) && cfg.half_close &&
					  msg->msg_control && msg->msg_controllen));
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	int saved = errno;
	ssize_t r = PLAIN;

	sctpize_init();
	if (__builtin_expect(slow_msg(fd, msg), 0))
		r = slow_recvmsg(fd, msg, flags, true);
	if (r == PLAIN) {
		r = real.recvmsg(fd, msg, flags);
		/* Sockets of ours passed over a UNIX socket bring their state along. */
		if (__builtin_expect(cfg.half_close, 0) && r >= 0 && msg && msg->msg_controllen)
			fd_received(msg);
	}
	return after_abort(fd, r, saved);
}

/*
 * recvmmsg(): on a socket with half-close state, one message at a time (a
 * call may always return fewer than vlen); otherwise libc's.
 */
EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags,
		    struct timespec *timeout)
{
	int saved = errno, n;

	sctpize_init();
	if (__builtin_expect(vlen > 0 && vec && slow_msg(fd, &vec[0].msg_hdr), 0)) {
		ssize_t r = slow_recvmsg(fd, &vec[0].msg_hdr, flags & ~MSG_WAITFORONE, true);

		if (r != PLAIN) {
			r = after_abort(fd, r, saved);
			if (r < 0)
				return -1;
			vec[0].msg_len = (unsigned)r;
			return 1;
		}
	}
	n = real.recvmmsg(fd, vec, vlen, flags, timeout);
	if (__builtin_expect(cfg.half_close, 0) && n > 0)
		for (int i = 0; i < n; i++)
			if (vec[i].msg_hdr.msg_controllen)
				fd_received(&vec[i].msg_hdr);
	if (n < 0 && after_abort(fd, -1, saved) == 0) {
		vec[0].msg_len = 0;	/* end of file: one empty message, as TCP's */
		return 1;
	}
	return n;
}
