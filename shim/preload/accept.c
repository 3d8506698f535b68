/*
 * accept.c - accept()/accept4(): accepted sockets are treated like created ones.
 *
 * An accepted SCTP socket has the configured defaults: it inherits them
 * with the listener's options, and with SCTPIZE_NODELAY the defaults,
 * SCTP_NODELAY among them, are set on it again (the log level never changes
 * what is done to a socket).  From a
 * listener we converted, it is known to be ours and connected, and with
 * half-close it learns whether its peer announced it (fdstate.c): the
 * peer's announcement is queued before accept() returns, so it is read off
 * here, before the program (or a program it exec()s on the socket, as inetd
 * does) could read it.  A number that was a special socket (migration mode)
 * and was closed behind our back starts afresh.  A dual listener (migrate/)
 * accepts with its kind's own call.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "preload.h"

int accepted(int lfd, int fd)
{
	if (fd < 0)
		return fd;
	special_drop(fd);
	fd_inherit(fd, lfd);
	if (!own_calls())
		return fd;
	fd_resolve_accepted(fd);
	/* Asked of the kernel once, and only if something depends on the answer. */
	if ((cfg.stats || cfg.nodelay || cfg.verbose >= 1) && is_sctp(fd)) {
		COUNT(ST_ACCEPTED);
		/* The rest of the defaults came with the listener's options. */
		if (cfg.nodelay)
			apply_defaults(fd);
		logmsg(1, "fd %d: accepted an SCTP association on fd %d", fd, lfd);
	}
	return fd;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->accept)
		return kind_ops(state)->accept(fd, addr, addrlen, 0);
	return accepted(fd, real.accept(fd, addr, addrlen));
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->accept)
		return kind_ops(state)->accept(fd, addr, addrlen, flags);
	return accepted(fd, real.accept4(fd, addr, addrlen, flags));
}
