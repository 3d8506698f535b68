/*
 * listen.c - listen(): libc's, but for special sockets.
 *
 * A socket of ours listens as any other.  Migration mode decides at
 * listen() for a server whose rules need its bound address or port (an
 * undecided socket becomes SCTP, stays TCP, or becomes a dual listener),
 * and a dual listener's listen() again goes to its two listeners: both are
 * their kind's own calls (migrate/).
 */
#define _GNU_SOURCE

#include "preload.h"

EXPORT int listen(int fd, int backlog)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->listen)
		return kind_ops(state)->listen(fd, backlog);
	return real.listen(fd, backlog);
}
