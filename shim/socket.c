/*
 * socket.c - socket(): which TCP sockets become SCTP one-to-one sockets.
 *
 * A socket converts when it is what a TCP program asks for: family AF_INET
 * or AF_INET6, type SOCK_STREAM once the SOCK_NONBLOCK and SOCK_CLOEXEC bits
 * are masked off, and protocol 0 or IPPROTO_TCP.  The new socket is made
 * with the caller's flags and IPPROTO_SCTP.  Everything else (UNIX, UDP,
 * raw, MPTCP, SOCK_SEQPACKET, an explicit IPPROTO_SCTP) goes to libc as it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>

#include "sctpize.h"

static bool wants_tcp(int domain, int type, int protocol)
{
	/* Trap: the flag bits live inside type (withsctp compared type exactly). */
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return (domain == AF_INET || domain == AF_INET6) && base == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

static const char *family(int domain)
{
	return domain == AF_INET ? "AF_INET" : domain == AF_INET6 ? "AF_INET6" : "other";
}

EXPORT int socket(int domain, int type, int protocol)
{
	static atomic_bool told_no_sctp;
	int fd;

	sctpize_init();
	if (!wants_tcp(domain, type, protocol)) {
		logmsg(domain == AF_INET || domain == AF_INET6 ? 1 : 2,
		       "socket(%s, type %d, protocol %d) passed through", family(domain),
		       type, protocol);
		fd = real.socket(domain, type, protocol);
		fd_forget(fd);	/* a number reused after a close we did not see */
		return fd;
	}
	if (cfg.error[0]) {
		/* The user's settings were refused: running on TCP would be a guess. */
		errno = EINVAL;
		return -1;
	}
	fd = real.socket(domain, type, IPPROTO_SCTP);
	if (fd < 0) {
		/* Said once: without SCTP in the kernel every TCP socket fails alike. */
		if ((errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT) &&
		    !atomic_exchange(&told_no_sctp, true))
			logmsg(0, "this kernel cannot make SCTP sockets (%m); see sctpize check");
		else
			logmsg(1, "socket(%s, SOCK_STREAM) to SCTP: %m", family(domain));
		return -1;
	}
	apply_defaults(fd);
	fd_adopt(fd, FD_PENDING);
	logmsg(1, "fd %d: socket(%s, SOCK_STREAM) converted to SCTP", fd, family(domain));
	return fd;
}
