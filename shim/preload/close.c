/*
 * close.c - close(), close_range(): the state of a closed descriptor goes.
 *
 * The descriptor state (fdstate.c) and, for a special socket (migrate/),
 * its slot and hidden descriptors are forgotten before the number is freed,
 * so that the next socket to get the number starts afresh.  Only the
 * process that owns the memory does it (process.c): a vfork() child's
 * closes are its own descriptors', not its parent's.  close_range() with
 * CLOSE_RANGE_CLOEXEC closes nothing, and changes nothing here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "preload.h"

EXPORT int close(int fd)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(state != 0, 0) && bookkeeper()) {
		if (special(state))
			special_forget(fd);
		fd_forget(fd);
	}
	return real.close(fd);
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	sctpize_init();
	if (!(flags & CLOSE_RANGE_CLOEXEC)) {
		int hi = atomic_load_explicit(&fd_highest, memory_order_relaxed);
		bool mine = false;

		for (unsigned fd = first; (int)fd <= hi && fd <= last && fd < FD_TRACKED; fd++) {
			unsigned state = fd_get((int)fd);

			if (!state)
				continue;
			if (!mine && !(mine = bookkeeper()))
				break;	/* a vfork() child: its parent's table is not its own */
			if (special(state))
				special_forget((int)fd);
			fd_forget((int)fd);
		}
	}
	if (!real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	return real.close_range(first, last, flags);
}
