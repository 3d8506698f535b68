/*
 * epoll.c - epoll_ctl(): libc's, but where a descriptor's state needs it.
 *
 * A program that switches its registration from EPOLLOUT to EPOLLIN
 * (EPOLL_CTL_MOD) after a non-blocking connect is about to wait for data:
 * on a socket of ours whose half-close question is open, the peer's
 * announcement is read off first (fdstate.c, fd_maybe_connected()).
 * Special sockets (migrate/) register with their kind's own call: the
 * registrations of a socket whose protocol may still change are noted, so
 * that they move with it.  Every other call costs one load and a branch.
 */
#define _GNU_SOURCE

#include "preload.h"

EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	unsigned state;
	int r;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(!(state & (FD_SPECIAL | FD_PENDING)), 1))
		return real.epoll_ctl(epfd, op, fd, ev);
	if (special(state) && kind_ops(state)->epoll_ctl)
		return kind_ops(state)->epoll_ctl(epfd, op, fd, ev);
	r = real.epoll_ctl(epfd, op, fd, ev);
	if (r == 0 && op == EPOLL_CTL_MOD)
		fd_maybe_connected(fd);
	return r;
}
