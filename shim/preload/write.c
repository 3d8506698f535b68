/*
 * write.c - writes that SCTP refuses as one message, and MSG_WAITALL reads.
 *
 * A converted socket sends each write as one SCTP message, and the kernel
 * refuses a message larger than the send buffer with EMSGSIZE and an empty
 * one with EINVAL, where TCP sends every byte (blocking), part of them
 * (non-blocking), or nothing with 0.  So write(), send(), sendto() without
 * an address, writev() and sendmsg() without ancillary data call libc
 * first, exactly as asked, and only when that fails so on an SCTP socket
 * send the bytes in pieces that fit: zero cost while SCTP behaves like TCP.
 *
 *   blocking      every piece is sent; an error or signal after some bytes
 *                 went out returns the count so far, as TCP does;
 *   non-blocking  pieces go out while they fit; the count so far, or, when
 *                 not even a small piece fits, -1 with EAGAIN.
 *
 * Each piece goes out through the program's own call (write() as write(),
 * writev() as writev(), ...), so a sandbox sees nothing new.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/uio.h>

#include "preload.h"

#define MIN_PIECE 512	/* smallest piece tried before a non-blocking EAGAIN */

/* The call the program made: the pieces go out through the same one. */
enum call { WRITE, SEND, WRITEV, SENDMSG };

static bool would_block(int fd, int flags)
{
	return (flags & MSG_DONTWAIT) || (real.fcntl(fd, F_GETFL) & O_NONBLOCK);
}

static ssize_t piece_out(int fd, const char *buf, size_t n, enum call call, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	switch (call) {
	case WRITE:
		return real.write(fd, buf, n);
	case WRITEV:
		return real.writev(fd, &iov, 1);
	case SENDMSG:
		return real.sendmsg(fd, &m, flags);
	default:
		return real.send(fd, buf, n, flags);
	}
}

/*
 * Send len bytes of buf on SCTP socket fd in pieces that fit its send
 * buffer, each with the program's own call.  Returns the bytes sent, or -1
 * with errno if none were.
 */
static ssize_t send_pieces(int fd, const char *buf, size_t len, enum call call, int flags)
{
	int sndbuf = 0;
	socklen_t optlen = sizeof(sndbuf);
	bool nonblock = would_block(fd, flags);
	size_t done = 0, piece;

	COUNT(ST_SPLIT);
	if (real.getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen) != 0 || sndbuf < 2 * MIN_PIECE)
		sndbuf = 2 * MIN_PIECE;
	/* Half the buffer: the next piece is queued while the previous one drains. */
	piece = (size_t)sndbuf / 2;
	while (done < len) {
		size_t n = len - done < piece ? len - done : piece;
		ssize_t r = piece_out(fd, buf + done, n, call, flags);

		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && nonblock && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    done == 0 && piece > MIN_PIECE) {
			piece /= 2;	/* some space, but not this much: try less */
			continue;
		}
		if (r < 0 && errno == EMSGSIZE && piece > MIN_PIECE) {
			piece /= 2;	/* the buffer shrank under us */
			continue;
		}
		break;
	}
	return done > 0 ? (ssize_t)done : -1;
}

/* After libc's call failed with errno: does SCTP need the bytes sent our way? */
static bool refused_as_message(int fd, size_t len)
{
	return (errno == EMSGSIZE || (errno == EINVAL && len == 0)) && own_calls() && is_sctp(fd);
}

/*
 * A write after our shutdown(SHUT_WR) on a half-closed association: TCP
 * answers EPIPE and raises SIGPIPE (unless MSG_NOSIGNAL).  A descriptor
 * number reused behind our back is first checked against the kernel.
 */
static bool after_shutdown(int fd, int flags)
{
	unsigned state = fd_get(fd);

	if (__builtin_expect(!(state & (FD_SELF_SHUT | FD_PENDING)), 1) || !own_calls())
		return false;
	if (!(state & FD_SELF_SHUT)) {
		fd_maybe_connected(fd);	/* the first write after a non-blocking connect */
		return false;
	}
	if (!is_sctp(fd)) {
		fd_forget(fd);
		return false;
	}
	if (!(flags & MSG_NOSIGNAL))
		raise(SIGPIPE);
	errno = EPIPE;
	return true;
}

/* The answer of our own sending: on success errno is the caller's again (saved). */
static ssize_t kept(ssize_t r, int saved)
{
	if (r >= 0)
		errno = saved;
	return r;
}

/*
 * A blocking send on an association that died while it waited (the peer's ABORT, too
 * many retransmissions): SCTP answers ESRCH, and the reason stays pending for the next
 * call.  TCP answers the reason (ECONNRESET, ETIMEDOUT), then EPIPE: so do we.
 */
static ssize_t dead(int fd, ssize_t r)
{
	int err = 0;

	if (r < 0 && errno == ESRCH && own_calls() && is_sctp(fd)) {
		real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof(err) });
		errno = err ? err : EPIPE;
	}
	return r;
}

static ssize_t resend(int fd, const void *buf, size_t len, enum call call, int flags, int saved)
{
	if (len == 0)
		return kept(0, saved);	/* TCP sends nothing and says so; SCTP said EINVAL */
	return kept(send_pieces(fd, buf, len, call, flags), saved);
}

ssize_t write_stream(int fd, const void *buf, size_t len)
{
	ssize_t r;
	int saved;

	if (after_shutdown(fd, 0))
		return -1;
	saved = errno;
	r = real.write(fd, buf, len);
	if (r < 0 && refused_as_message(fd, len))
		return dead(fd, resend(fd, buf, len, WRITE, 0, saved));
	return dead(fd, r);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	sctpize_init();
	return write_stream(fd, buf, len);
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t r;
	int saved;

	sctpize_init();
	if (after_shutdown(fd, flags))
		return -1;
	saved = errno;
	r = real.send(fd, buf, len, flags);
	if (r < 0 && refused_as_message(fd, len))
		return dead(fd, resend(fd, buf, len, SEND, flags, saved));
	return dead(fd, r);
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen)
{
	ssize_t r;
	int saved;

	sctpize_init();
	if (after_shutdown(fd, flags))
		return -1;
	saved = errno;
	r = real.sendto(fd, buf, len, flags, to, tolen);
	if (r < 0 && !to && refused_as_message(fd, len))
		return dead(fd, resend(fd, buf, len, SEND, flags, saved));
	return dead(fd, r);
}

/* The iovec's bytes in order, each through send_pieces(); stops at a short send. */
static ssize_t resend_iov(int fd, const struct iovec *iov, size_t iovcnt, enum call call,
			  int flags)
{
	ssize_t total = 0;

	for (size_t i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		ssize_t r = send_pieces(fd, iov[i].iov_base, iov[i].iov_len, call, flags);

		if (r < 0)
			return total > 0 ? total : -1;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return total;
}

static size_t iov_bytes(const struct iovec *iov, size_t iovcnt)
{
	size_t n = 0;

	for (size_t i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	ssize_t r;
	int saved;

	sctpize_init();
	if (after_shutdown(fd, 0))
		return -1;
	saved = errno;
	r = real.writev(fd, iov, iovcnt);
	if (r < 0 && iovcnt > 0 && refused_as_message(fd, iov_bytes(iov, (size_t)iovcnt)))
		return dead(fd, kept(resend_iov(fd, iov, (size_t)iovcnt, WRITEV, 0), saved));
	return dead(fd, r);
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t r;
	int saved;

	sctpize_init();
	if (after_shutdown(fd, flags))
		return -1;
	saved = errno;
	r = real.sendmsg(fd, msg, flags);
	/* With an address or ancillary data the program speaks SCTP itself: left alone. */
	if (r < 0 && msg && !msg->msg_name && msg->msg_controllen == 0 &&
	    refused_as_message(fd, iov_bytes(msg->msg_iov, msg->msg_iovlen)))
		return dead(fd, kept(resend_iov(fd, msg->msg_iov, msg->msg_iovlen, SENDMSG, flags),
				     saved));
	return dead(fd, r);
}
