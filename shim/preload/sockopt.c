/*
 * sockopt.c - setsockopt()/getsockopt(): the core's TCP option table applied.
 *
 * At level IPPROTO_TCP on a socket the kernel says is SCTP, an option is
 * what the core's table says it is (../core/tcpopt.c: mapped, hint or
 * refused); this file only decides which calls are asked, counts and logs
 * what was done.  TCP sockets the library left alone, and options at any
 * other level, go to libc untouched.  A descriptor still waiting for the
 * outcome of a non-blocking connect is noted as connected when SO_ERROR
 * says so (the half-close announcement, fdstate.c).  Special sockets
 * (migrate/) answer with their kind's own calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "preload.h"

/* The core reaches the socket through libc's calls themselves (set at start-up, real.c). */
struct sockio real_io;

/* The option's name, looked up only when a line is logged. */
#define NAME tcp_opt(optname)->name

static int tcp_setsockopt(int fd, int optname, const void *optval, socklen_t optlen)
{
	int v;

	switch (tcp_opt_set(&real_io, fd, optname, optval, optlen, &v)) {
	case OPT_INVALID:
		return -1;
	case OPT_REFUSED:
		COUNT(ST_REFUSED);
		logmsg(1, "fd %d: setsockopt(%s) refused: no SCTP equivalent", fd, NAME);
		return -1;
	case OPT_FAILED:
		logmsg(1, "fd %d: setsockopt(%s=%d) on SCTP: %m", fd, NAME, v);
		return -1;
	case OPT_HINTED:
		COUNT(ST_HINTED);
		if (tcp_opt(optname)->set == S_HINT_BYTES)
			logmsg(1, "fd %d: setsockopt(%s) accepted as a hint, no effect", fd, NAME);
		else
			logmsg(1, "fd %d: setsockopt(%s=%d) accepted as a hint, no effect", fd, NAME, v);
		return 0;
	case OPT_MAPPED:
		COUNT(ST_MAPPED);
		logmsg(1, "fd %d: setsockopt(%s=%d) mapped to SCTP", fd, NAME, v);
		return 0;
	}
	return 0;
}

int sockopt_set(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	if (level != IPPROTO_TCP || !own_calls() || !socket_is_sctp(fd))
		return real.setsockopt(fd, level, optname, optval, optlen);
	return tcp_setsockopt(fd, optname, optval, optlen);
}

EXPORT int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->setsockopt)
		return kind_ops(state)->setsockopt(fd, level, optname, optval, optlen);
	return sockopt_set(fd, level, optname, optval, optlen);
}

/*
 * SO_ERROR of a socket of ours not yet known to be connected: a program asks
 * it when a non-blocking connect is done.  If it is, note it (fdstate.c):
 * the peer's half-close announcement is read off before the program polls
 * for data (it would see the socket readable with nothing to read).
 */
static int so_error(int fd, void *optval, socklen_t *optlen)
{
	int r = real.getsockopt(fd, SOL_SOCKET, SO_ERROR, optval, optlen);

	if (r == 0 && optval && *optlen >= sizeof(int) && !memcmp(optval, &(int){ 0 }, sizeof(int)))
		fd_connected(fd);
	return r;
}

/* (inline: the exported call and the special kinds' calls both start here) */
static inline int get_any(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	if (level == SOL_SOCKET && optname == SO_ERROR &&
	    (fd_get(fd) & (FD_SCTP | FD_CONNECTED)) == FD_SCTP)
		return so_error(fd, optval, optlen);
	if (level != IPPROTO_TCP || !own_calls() || !socket_is_sctp(fd))
		return real.getsockopt(fd, level, optname, optval, optlen);
	return tcp_opt_get(&real_io, fd, optname, optval, optlen);
}

int sockopt_get(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	return get_any(fd, level, optname, optval, optlen);
}

EXPORT int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->getsockopt)
		return kind_ops(state)->getsockopt(fd, level, optname, optval, optlen);
	return get_any(fd, level, optname, optval, optlen);
}
