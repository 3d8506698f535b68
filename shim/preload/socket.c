/*
 * socket.c - socket(): which TCP sockets become SCTP one-to-one sockets.
 *
 * A socket converts when it is what a TCP program asks for: family AF_INET
 * or AF_INET6, type SOCK_STREAM once the SOCK_NONBLOCK and SOCK_CLOEXEC bits
 * are masked off, and protocol 0 or IPPROTO_TCP.  The new socket is made
 * with the caller's flags and IPPROTO_SCTP.  Everything else (UNIX, UDP,
 * raw, MPTCP, SOCK_SEQPACKET, an explicit IPPROTO_SCTP) goes to libc as it is.
 *
 * In migration mode (../core/rules.c), the rules may decide here already (they do
 * not depend on the port: "tcp" leaves the socket alone); otherwise the
 * socket is made as TCP, undecided, and listen() or connect() decide
 * (migrate/).  With SCTPIZE_FALLBACK a kernel without SCTP gets TCP.  In
 * a process that has sandboxed itself (process.c) nothing converts: the
 * new socket would need calls of ours the sandbox may forbid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>

#include "preload.h"

static bool wants_tcp(int domain, int type, int protocol)
{
	/* Trap: the flag bits live inside type (withsctp compared type exactly). */
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return (domain == AF_INET || domain == AF_INET6) && base == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

/* A new descriptor: whatever a number reused after a close we did not see had, goes. */
static int fresh(int fd)
{
	special_drop(fd);
	fd_store(fd, 0);
	return fd;
}

bool no_sctp_fallback(int fd)
{
	static atomic_bool told;

	if (!cfg.fallback || (errno != EPROTONOSUPPORT && errno != ESOCKTNOSUPPORT &&
			      errno != EACCES && errno != EPERM))
		return false;
	COUNT(ST_FALLBACK);
	if (!atomic_exchange(&told, true))
		logmsg(0, "this kernel cannot make SCTP sockets (%m); SCTPIZE_FALLBACK: "
		       "the program runs on TCP");
	else
		logmsg(1, "fd %d: no SCTP: stays TCP", fd);
	return true;
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
	if (!wants_tcp(domain, type, protocol) || !own_calls()) {
		logmsg(domain == AF_INET || domain == AF_INET6 ? 1 : 2,
		       "socket(%s, type %d, protocol %d) passed through", family(domain),
		       type, protocol);
		if (domain == AF_INET || domain == AF_INET6)
			COUNT(ST_PASSED);
		return fresh(real.socket(domain, type, protocol));
	}
	if (cfg.error[0]) {
		/* The user's settings were refused: running on TCP would be a guess. */
		errno = EINVAL;
		return -1;
	}
	if (cfg.fixed != ACT_SCTP) {
		fd = real.socket(domain, type, protocol);
		if (fd >= 0 && cfg.fixed == ACT_TCP)
			COUNT(ST_TCP);
		if (fd >= 0)
			logmsg(1, "fd %d: socket(%s, SOCK_STREAM) %s", fd, family(domain),
			       cfg.fixed == ACT_TCP ? "stays TCP (rules)"
						    : "TCP until listen() or connect() (rules)");
		fresh(fd);
		if (fd >= 0 && cfg.fixed != ACT_TCP)
			special_undecided(fd);
		return fd;
	}
	int saved = errno;

	fd = real.socket(domain, type, IPPROTO_SCTP);
	if (fd < 0 && no_sctp_fallback(-1)) {
		errno = saved;
		return fresh(real.socket(domain, type, protocol));
	}
	if (fd < 0) {
		/* Said once: without SCTP in the kernel every TCP socket fails alike. */
		if ((errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT) &&
		    !atomic_exchange(&told_no_sctp, true))
			logmsg(0, "this kernel cannot make SCTP sockets (%m); see sctpize check");
		else
			logmsg(1, "socket(%s, SOCK_STREAM) to SCTP: %m", family(domain));
		return -1;
	}
	fresh(fd);
	COUNT(ST_CONVERTED);
	apply_defaults(fd);
	fd_adopt(fd);
	logmsg(1, "fd %d: socket(%s, SOCK_STREAM) converted to SCTP", fd, family(domain));
	return fd;
}
