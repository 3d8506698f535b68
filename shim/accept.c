/*
 * accept.c - accept()/accept4(): accepted sockets are treated like created ones.
 *
 * An accepted SCTP socket gets the configured defaults (SCTPIZE_NODELAY)
 * just as a converted one does; most it inherits from the listener.  From a
 * listener we converted, it is known to be ours and connected, and with
 * half-close it learns whether its peer announced it (fdstate.c): the
 * peer's announcement is queued before accept() returns, so it is read off
 * here, before the program (or a program it exec()s on the socket, as inetd
 * does) could read it.  A number that was a special socket (migration mode)
 * and was closed behind our back starts afresh.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "sctpize.h"

int accepted(int lfd, int fd)
{
	if (fd < 0)
		return fd;
	if (fd_get(fd) & FD_KIND)
		migrate_forget(fd);
	fd_inherit(fd, lfd);
	if (!own_calls())
		return fd;
	fd_resolve_accepted(fd);
	if (cfg.stats && is_sctp(fd))
		COUNT(ST_ACCEPTED);
	if ((cfg.nodelay || cfg.verbose >= 1) && is_sctp(fd)) {
		apply_defaults(fd);
		logmsg(1, "fd %d: accepted an SCTP association on fd %d", fd, lfd);
	}
	return fd;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	sctpize_init();
	if (FD_IS(fd_get(fd), FD_DUAL))
		return dual_accept(fd, addr, addrlen, 0);
	return accepted(fd, real.accept(fd, addr, addrlen));
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	sctpize_init();
	if (FD_IS(fd_get(fd), FD_DUAL))
		return dual_accept(fd, addr, addrlen, flags);
	return accepted(fd, real.accept4(fd, addr, addrlen, flags));
}
