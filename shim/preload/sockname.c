/*
 * sockname.c - getsockname() and getpeername().
 *
 * Both are libc's, with two exceptions.  A program that made a
 * non-blocking connect may learn that it completed from getpeername()
 * alone: on a socket of ours not yet known to be connected, a success
 * notes it (fdstate.c), so that the peer's half-close announcement is read
 * off before the program polls for data.  Special sockets (migrate/) answer
 * with their kind's own calls: a dual listener's address is its TCP
 * listener's, and it has no peer; a "both" client's peer is known once the
 * fallback is decided.
 */
#define _GNU_SOURCE

#include "preload.h"

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->getsockname)
		return kind_ops(state)->getsockname(fd, addr, len);
	return real.getsockname(fd, addr, len);
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->getpeername)
		return kind_ops(state)->getpeername(fd, addr, len);
	if (__builtin_expect((state & (FD_SCTP | FD_CONNECTED)) == FD_SCTP, 0)) {
		int r = real.getpeername(fd, addr, len);

		if (r == 0)
			fd_connected(fd);	/* (the announcement too, before the program polls) */
		return r;
	}
	return real.getpeername(fd, addr, len);
}
