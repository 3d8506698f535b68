/*
 * dup.c - dup(), dup2(), dup3(), fcntl(F_DUPFD...): the state follows the copy.
 *
 * A copy of a socket of ours is ours too: the copy's number gets the
 * original's descriptor state (fdstate.c), and whatever the number had
 * before (a socket closed by dup2() onto it) goes.  A copy of a special
 * socket (migrate/: a dual listener, an undecided socket) is a plain one.
 * Only the process that owns the memory writes (process.c): a vfork()
 * child's copies are its own descriptors', not its parent's.
 *
 * fcntl(F_SETFL) is also where a program goes back to blocking after a
 * non-blocking connect without asking its outcome: the half-close
 * announcement is read off then (fdstate.c, fd_maybe_connected()).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>

#include "preload.h"

/* A copy of a special socket (a dual listener, an undecided socket) is a plain one. */
static int copied(int from, int to)
{
	if (to >= 0 && to != from) {
		unsigned state = fd_get(from) & ~FD_SPECIAL, old = fd_get(to);

		if ((state || old) && bookkeeper()) {
			if (special(old))
				special_forget(to);
			fd_store(to, state);
		}
	}
	return to;
}

EXPORT int dup(int fd)
{
	sctpize_init();
	return copied(fd, real.dup(fd));
}

EXPORT int dup2(int fd, int to)
{
	sctpize_init();
	return copied(fd, real.dup2(fd, to));
}

EXPORT int dup3(int fd, int to, int flags)
{
	sctpize_init();
	return copied(fd, real.dup3(fd, to, flags));
}

/* fcntl's third argument is an int or a pointer: passed on as it came. */
#define FCNTL(name)							\
	EXPORT int name(int fd, int cmd, ...)				\
	{								\
		va_list ap;						\
		void *arg;						\
		int r;							\
									\
		va_start(ap, cmd);					\
		arg = va_arg(ap, void *);				\
		va_end(ap);						\
		sctpize_init();						\
		r = real.name(fd, cmd, arg);				\
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)		\
			copied(fd, r);					\
		else if (cmd == F_SETFL && r == 0)			\
			fd_maybe_connected(fd);				\
		return r;						\
	}
FCNTL(fcntl)
FCNTL(fcntl64)
