/*
 * accept.c - accept()/accept4(): accepted sockets are treated like created ones.
 *
 * An accepted SCTP socket gets the configured defaults (SCTPIZE_NODELAY)
 * just as a converted one does.  When nothing is configured and nothing is
 * logged, the call costs nothing beyond libc's.
 */
#define _GNU_SOURCE
#include "sctpize.h"

static int accepted(int lfd, int fd)
{
	if (fd >= 0 && (cfg.nodelay || cfg.verbose >= 1) && is_sctp(fd)) {
		apply_defaults(fd);
		logmsg(1, "fd %d: accepted an SCTP association on fd %d", fd, lfd);
	}
	return fd;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	sctpize_init();
	return accepted(fd, real.accept(fd, addr, addrlen));
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	sctpize_init();
	return accepted(fd, real.accept4(fd, addr, addrlen, flags));
}
