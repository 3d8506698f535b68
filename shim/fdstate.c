/*
 * fdstate.c - the little state a descriptor needs for half-close.
 *
 * SCTP has no half-close: shutdown(SHUT_WR) ends the whole association.
 * Between two sctpize ends it is emulated (shutdown.c, read.c), and that
 * needs to know, per socket, whether the peer runs sctpize and who has
 * half-closed.  The negotiation costs no byte on the wire that a native
 * peer could read as data:
 *
 *   - every converted socket announces itself in its INIT or INIT-ACK with
 *     SCTP's adaptation layer indication (RFC 5061), ADAPT_MAGIC, and
 *     subscribes to the peer's (SCTP_ADAPTATION_INDICATION);
 *   - the peer's announcement, if any, is the first thing queued on the
 *     socket once the association is up; fd_resolve() reads it off before
 *     the program could (on accept, after a blocking connect, or before the
 *     first read after a non-blocking one).  A native peer announces
 *     nothing, or something else, and is never answered differently.
 *
 * The state is one byte per descriptor below FD_TRACKED, read with a plain
 * load on every read and write (no system call), and written only when it
 * changes.  It is also kept in the socket itself, so a program started by
 * exec() on an inherited socket (inetd) finds it again (fd_state_init()):
 * in the low byte of our (already sent) adaptation indication, and, for
 * "the peer runs sctpize", in SCTP_RECVRCVINFO, which our reads need on
 * anyway.  An accepted socket inherits both options from its listener, so
 * accept() costs no system call of ours before the resolution.  dup()ed
 * descriptors get a copy; close() forgets; a descriptor number reused by a
 * call we do not see is caught where the state is used (it is checked
 * against the kernel before it changes an answer).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sctpize.h"

#define ADAPT_MAGIC 0x535a4300u		/* "SZC" and the state byte */
#define ADAPT_MASK 0xffffff00u

_Atomic unsigned char fd_state[FD_TRACKED];

/*
 * Two threads reading one new socket at once must not both take its head:
 * the second would swallow the first message of data.  The peek that waits
 * is outside the lock; the check and the read-off are inside, and never
 * block.  Held across fork() by the forking thread, so no child inherits it
 * taken.
 */
static pthread_mutex_t resolving = PTHREAD_MUTEX_INITIALIZER;

static void lock_resolving(void)
{
	pthread_mutex_lock(&resolving);
}

static void unlock_resolving(void)
{
	pthread_mutex_unlock(&resolving);
}

static void store(int fd, unsigned state)
{
	if ((unsigned)fd < FD_TRACKED)
		atomic_store_explicit(&fd_state[fd], (unsigned char)state, memory_order_relaxed);
}

void fd_set_state(int fd, unsigned state)
{
	int saved = errno;
	struct sctp_setadaptation a = { .ssb_adaptation_ind = ADAPT_MAGIC | (state & 0xff) };

	store(fd, state);
	real.setsockopt(fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER, &a, sizeof(a));
	errno = saved;
}

void fd_forget(int fd)
{
	store(fd, 0);
}

/* An accepted socket: the kernel copied the listener's options (subscription, indication). */
void fd_inherit(int fd, int lfd)
{
	store(fd, fd_get(lfd) & FD_OURS ? FD_OURS | FD_PENDING : 0);
}

void fd_adopt(int fd, unsigned state)
{
	int saved = errno;
	struct sctp_event ev = { .se_type = SCTP_ADAPTATION_INDICATION, .se_on = 1 };

	if (!cfg.half_close || (unsigned)fd >= FD_TRACKED) {
		fd_forget(fd);
		return;
	}
	if (real.setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) != 0) {
		logmsg(1, "fd %d: no half-close (SCTP_EVENT: %m)", fd);
		fd_forget(fd);
		errno = saved;
		return;
	}
	fd_set_state(fd, FD_OURS | state);
	errno = saved;
}

/* Our reads tell the peer's marker from data by the stream (read.c). */
static bool peer_marks(int fd)
{
	int one = 1;

	return real.setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof(one)) == 0;
}

/*
 * The peer's adaptation indication, if it is at the head of the queue: read
 * it off (the program must never see it) and note whether it is ours.  With
 * MSG_DONTWAIT in flags, or a non-blocking socket, an empty queue answers -1
 * with EAGAIN and the question stays open; so does any other error.
 */
unsigned fd_resolve(int fd, int flags)
{
	union sctp_notification n;
	struct iovec iov = { .iov_base = &n, .iov_len = sizeof(n) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned state = fd_get(fd);
	int saved;
	ssize_t r;

	if (!(state & FD_PENDING))
		return state;
	if (!(flags & MSG_DONTWAIT)) {
		r = real.recvmsg(fd, &m, MSG_PEEK);	/* may wait; then look again, locked */
		if (r < 0)
			return state;
	}
	saved = errno;
	lock_resolving();
	state = fd_get(fd);
	if (state & FD_PENDING) {	/* (another thread may have answered meanwhile) */
		m.msg_flags = 0;
		r = real.recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT);
		if (r >= 0)
			state &= ~FD_PENDING;
		if (r > 0 && (m.msg_flags & MSG_NOTIFICATION)) {
			m.msg_flags = 0;
			r = real.recvmsg(fd, &m, MSG_DONTWAIT);	/* now for real */
			if (r >= (ssize_t)sizeof(n.sn_adaptation_event) &&
			    n.sn_header.sn_type == SCTP_ADAPTATION_INDICATION &&
			    (n.sn_adaptation_event.sai_adaptation_ind & ADAPT_MASK) == ADAPT_MAGIC &&
			    peer_marks(fd))
				state |= FD_PEER;
		}
		if (!(state & FD_PENDING)) {
			store(fd, state);	/* (the socket keeps PENDING, and RECVRCVINFO if FD_PEER) */
			logmsg(1, "fd %d: the peer %s sctpize: half-close %s", fd,
			       state & FD_PEER ? "runs" : "does not run",
			       state & FD_PEER ? "negotiated" : "as SCTP does it");
		}
	}
	unlock_resolving();
	errno = saved;
	return state;
}

/*
 * A socket inherited across exec(): its state, if we left one in it.  (The
 * system call itself: the next getsockopt() may be another preload's, which
 * could call back into us while we start.)
 */
static void adopt_inherited(int fd)
{
	struct sctp_setadaptation a = { 0 };
	socklen_t len = sizeof(a);
	unsigned state;
	int on = 0;

	if (syscall(SYS_getsockopt, fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER, &a, &len) != 0 ||
	    (a.ssb_adaptation_ind & ADAPT_MASK) != ADAPT_MAGIC)
		return;
	state = a.ssb_adaptation_ind & FD_HALF_CLOSE;
	len = sizeof(on);
	/* Resolved before the exec, to "the peer runs sctpize" (peer_marks())? */
	if ((state & FD_PENDING) &&
	    syscall(SYS_getsockopt, fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, &len) == 0 && on)
		state = (state & ~FD_PENDING) | FD_PEER;
	store(fd, state);
}

/*
 * Every open descriptor, from /proc/self/fd with raw system calls: this runs
 * inside the library's start-up, where neither malloc() nor a wrapped call
 * (close) may be used.  Without /proc, the first 64 descriptors.
 */
void fd_state_init(void)
{
	char buf[4096];
	int saved = errno, dir;

	if (!cfg.half_close)
		return;
	pthread_atfork(lock_resolving, unlock_resolving, unlock_resolving);
	dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd",
			   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		for (int fd = 0; fd < 64; fd++)
			adopt_inherited(fd);
		errno = saved;
		return;
	}
	for (;;) {
		long n = syscall(SYS_getdents64, dir, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long fd = strtol(d->d_name, &end, 10);

			if (*end == '\0' && end != d->d_name && fd != dir && fd < FD_TRACKED)
				adopt_inherited((int)fd);
			off += d->d_reclen;
		}
	}
	syscall(SYS_close, dir);
	errno = saved;
}

/* --- descriptors copied and closed: the state follows --- */

/* A copy of a dual listener or an undecided socket is a plain one (migrate.c). */
static int copied(int from, int to)
{
	if (to >= 0 && to != from) {
		if (fd_get(to) & (FD_UNDECIDED | FD_FALLBACK | FD_DUAL))
			migrate_forget(to);
		store(to, fd_get(from) & FD_HALF_CLOSE);
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
		return r;						\
	}
FCNTL(fcntl)
FCNTL(fcntl64)

EXPORT int close(int fd)
{
	sctpize_init();
	if (__builtin_expect(fd_get(fd) & (FD_UNDECIDED | FD_FALLBACK | FD_DUAL), 0))
		migrate_forget(fd);
	fd_forget(fd);
	return real.close(fd);
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	sctpize_init();
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned fd = first; fd <= last && fd < FD_TRACKED; fd++) {
			if (fd_get((int)fd) & (FD_UNDECIDED | FD_FALLBACK | FD_DUAL))
				migrate_forget((int)fd);
			fd_forget((int)fd);
		}
	if (!real.close_range) {
		errno = ENOSYS;
		return -1;
	}
	return real.close_range(first, last, flags);
}
