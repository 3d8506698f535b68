/*
 * fdstate.c - the little state a descriptor needs: half-close.
 *
 * One byte per descriptor below FD_TRACKED, read with a plain load on every
 * read and write (no system call), written only when it changes.  What it
 * holds is a claim about the socket that had the number when the library
 * last saw it; closes and reuses the library does not see (fclose(),
 * closefrom(), a pipe() on a freed number) leave it stale, so every claim
 * that would change an answer is first checked against the kernel (a
 * recvmsg() that fails with ENOTSOCK, SO_PROTOCOL, our own indication in
 * the socket), and a stale one is dropped.  The copies and closes the
 * library does see are dup.c's and close.c's.
 *
 * Half-close (SCTPIZE_HALF_CLOSE=1; off by default).  SCTP has no
 * half-close: shutdown(SHUT_WR) ends the association for both ways.  Between
 * two ends that both opted in, it is emulated (shutdown.c, read.c):
 *
 *   - each such socket announces itself in its INIT or INIT-ACK with SCTP's
 *     adaptation layer indication (RFC 5061), ADAPT_MAGIC, subscribes to the
 *     peer's (SCTP_ADAPTATION_INDICATION) and asks for each message's stream
 *     and payload id (SCTP_RECVRCVINFO); the announcement means "this
 *     program reads its sockets through the library's calls";
 *   - the peer's announcement, a notification, is queued first once the
 *     association is up.  fd_resolve() reads it off at accept(), after a
 *     blocking connect(), when the program asks SO_ERROR or getpeername()
 *     after a non-blocking one, or at the first read: the program never
 *     sees it.  A native peer announces nothing and is answered as always.
 *
 * The half-close bits are kept in the socket too, in the low byte of our
 * own (already sent) indication, so that a program started by exec() on an
 * inherited socket (inetd), a descriptor received over a UNIX socket, or a
 * copy made before the negotiation finds them again.  An accepted socket
 * inherits the listener's options, so accept() costs no system call of ours
 * before the resolution.  Without half-close nothing is ever in the stream:
 * no subscription, no announcement, no marker.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

#define ADAPT_MAGIC 0x535a4300u		/* "SZC" and the state byte */
#define ADAPT_MASK 0xffffff00u
#define KEPT (FD_SCTP | FD_HALF_CLOSE | FD_CONNECTED)	/* the bits the socket keeps */

_Atomic unsigned char fd_state[FD_TRACKED];
atomic_int fd_highest = -1;

void fd_store(int fd, unsigned state)
{
	if ((unsigned)fd >= FD_TRACKED)
		return;
	atomic_store_explicit(&fd_state[fd], (unsigned char)state, memory_order_relaxed);
	for (int hi = atomic_load_explicit(&fd_highest, memory_order_relaxed);
	     state && fd > hi &&
	     !atomic_compare_exchange_weak_explicit(&fd_highest, &hi, fd, memory_order_relaxed,
						    memory_order_relaxed);)
		;
}

void fd_forget(int fd)
{
	fd_store(fd, 0);
}

void fd_set_state(int fd, unsigned state)
{
	int saved = errno;
	struct sctp_setadaptation a = { .ssb_adaptation_ind = ADAPT_MAGIC | (state & KEPT) };

	fd_store(fd, state);
	if ((state & FD_HALF_CLOSE) && own_calls())
		real.setsockopt(fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER, &a, sizeof(a));
	errno = saved;
}

void fd_adopt(int fd)
{
	int saved = errno, one = 1;
	struct sctp_event ev = { .se_type = SCTP_ADAPTATION_INDICATION, .se_on = 1 };

	fd_store(fd, FD_SCTP);
	if (!cfg.half_close || (unsigned)fd >= FD_TRACKED || !own_calls())
		return;
	/* Subscribed and asking for the stream first: the announcement comes last. */
	if (real.setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) != 0 ||
	    real.setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof(one)) != 0) {
		logmsg(1, "fd %d: no half-close (%m)", fd);
		errno = saved;
		return;
	}
	fd_set_state(fd, FD_SCTP | FD_PENDING);
	errno = saved;
}

/* An accepted socket: the kernel copied the listener's options (subscription, indication). */
void fd_inherit(int fd, int lfd)
{
	unsigned l = fd_get(lfd);

	fd_store(fd, l & FD_SCTP ? FD_SCTP | FD_CONNECTED | (l & FD_PENDING) : 0);
}

/*
 * Two threads reading one new socket at once must not both take its head
 * (the second would swallow the first message of data), and a signal
 * handler that reads the socket must not find the lock taken by the code it
 * interrupted: the whole resolution runs with signals blocked, and every
 * call in it returns at once (MSG_DONTWAIT).  Held across fork() by the
 * forking thread, so no child inherits it taken.
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

/* The half-close bits the socket itself keeps, or -1 if it holds no indication of ours. */
static int kept_state(int fd)
{
	struct sctp_setadaptation a = { 0 };
	socklen_t len = sizeof(a);

	if (real.getsockopt(fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER, &a, &len) != 0 ||
	    (a.ssb_adaptation_ind & ADAPT_MASK) != ADAPT_MAGIC)
		return -1;
	return (int)(a.ssb_adaptation_ind & KEPT);
}

/* Has fd's association come up (so that the peer's announcement would be queued)? */
static bool established(int fd)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	return real.getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 &&
	       st.sstat_state >= SCTP_ESTABLISHED;
}

/*
 * fd's first message was read off: the notification note (len bytes), or
 * none (NULL: data, end of file, or nothing queued on an association that
 * is up).  The peer runs sctpize with half-close if note is its
 * announcement.  The new state.
 */
unsigned fd_settled(int fd, const void *note, size_t len)
{
	const union sctp_notification *n = note;
	bool peer = n && len >= sizeof(n->sn_adaptation_event) &&
		    n->sn_header.sn_type == SCTP_ADAPTATION_INDICATION &&
		    (n->sn_adaptation_event.sai_adaptation_ind & ADAPT_MASK) == ADAPT_MAGIC;
	unsigned state = (fd_get(fd) & ~FD_PENDING) | FD_CONNECTED | (peer ? FD_PEER : 0);

	if (peer)
		fd_set_state(fd, state);
	else
		fd_store(fd, state);	/* (the socket keeps PENDING: re-resolved the same way) */
	logmsg(1, "fd %d: the peer %s: half-close %s", fd,
	       peer ? "runs sctpize --half-close" : "does not announce half-close",
	       peer ? "negotiated" : "as SCTP does it");
	return state;
}

/* The peer's announcement read off, if it heads fd's queue (up: the association is); the new state. */
static unsigned read_off(int fd, unsigned state, bool up)
{
	union sctp_notification n;
	struct iovec iov = { .iov_base = &n, .iov_len = sizeof(n) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r = real.recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT);

	if (r > 0 && (m.msg_flags & MSG_NOTIFICATION)) {
		m.msg_flags = 0;
		r = real.recvmsg(fd, &m, MSG_DONTWAIT);		/* now for real */
		return fd_settled(fd, &n, r > 0 && (m.msg_flags & MSG_NOTIFICATION) ? (size_t)r : 0);
	}
	if (r < 0 && (errno != EAGAIN || !(up || established(fd))))
		return state;	/* not up yet, or an error the program's own call will see */
	return fd_settled(fd, NULL, 0);
}

/* The resolution of a descriptor that may be any copy of the socket: lock held, signals blocked. */
static unsigned settle(int fd, unsigned state)
{
	int kept = kept_state(fd);

	if (kept < 0) {
		fd_forget(fd);	/* not our socket any more: the number was reused */
		return 0;
	}
	if (!(kept & FD_PENDING)) {	/* settled through another descriptor of the socket */
		state = (state & ~KEPT) | (unsigned)kept;
		fd_store(fd, state);
		return state;
	}
	return read_off(fd, state, false);
}

/*
 * The peer's announcement, if it is at the head of the queue: read off (the
 * program must never see it).  Never waits: while the association is not up
 * the question stays open (FD_PENDING), and the program's own call answers.
 */
unsigned fd_resolve(int fd)
{
	unsigned state = fd_get(fd);
	sigset_t all, old;
	int saved;

	if (!(state & FD_PENDING) || !own_calls())
		return state;
	saved = errno;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	lock_resolving();
	state = fd_get(fd);
	if (state & FD_PENDING)	/* (another thread may have answered meanwhile) */
		state = settle(fd, state);
	unlock_resolving();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return state;
}

void fd_connected(int fd)
{
	unsigned state = fd_get(fd);
	int saved = errno;

	if ((state & (FD_SCTP | FD_CONNECTED)) != FD_SCTP || !own_calls())
		return;
	if (state & FD_PENDING)
		fd_resolve(fd);		/* (connected too, once settled) */
	else if (established(fd))
		fd_store(fd, state | FD_CONNECTED);
	errno = saved;
}

/*
 * An accepted socket, in accept() itself: the announcement, if the peer
 * sent one, is queued before accept() returns (the kernel queues it as the
 * association comes up, before the association can be accepted), and no
 * other thread or signal handler can know the descriptor yet: read off
 * without the lock.
 */
void fd_resolve_accepted(int fd)
{
	unsigned state = fd_get(fd);
	int saved = errno;

	if ((state & FD_PENDING) && own_calls())
		read_off(fd, state, true);
	errno = saved;
}

/*
 * A socket this process did not make or accept (inherited across exec(), or
 * received over a UNIX socket): its state, if we left one in it.  get is the
 * getsockopt() to use.
 */
static void adopt_inherited(int fd, long (*get)(int, int, int, void *, socklen_t *))
{
	struct sctp_setadaptation a = { 0 };
	socklen_t len = sizeof(a);

	if (get(fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER, &a, &len) == 0 &&
	    (a.ssb_adaptation_ind & ADAPT_MASK) == ADAPT_MAGIC)
		fd_store(fd, (a.ssb_adaptation_ind & KEPT) | FD_SCTP);
	else
		fd_store(fd, 0);
}

/* At start-up: the system call itself (another preload's getsockopt could call us back). */
static long raw_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return real.syscall(SYS_getsockopt, fd, level, name, (long)val, (long)len, 0);
}

static long wrapped_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return real.getsockopt(fd, level, name, val, len);
}

void fd_received(const struct msghdr *msg)
{
	int saved = errno;

	if (!own_calls())
		return;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			special_drop(fd);
			adopt_inherited(fd, wrapped_getsockopt);
		}
	}
	errno = saved;
}

/*
 * Every open descriptor, from /proc/self/fd with raw system calls: this runs
 * inside the library's start-up, where neither malloc() nor a wrapped call
 * (close) may be used.  Without /proc, the first 64 descriptors.  Half-close
 * needs every descriptor the process may have in the table: with a
 * descriptor limit above it, half-close is off.
 */
void fd_state_init(void)
{
	struct rlimit rl;
	char buf[4096];
	int saved = errno, dir;

	if (!cfg.half_close)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max > FD_TRACKED) {
		cfg.half_close = false;
		logmsg(0, "SCTPIZE_HALF_CLOSE: descriptors above %d cannot be tracked "
		       "(RLIMIT_NOFILE allows %llu): half-close is off", FD_TRACKED,
		       (unsigned long long)rl.rlim_max);
		errno = saved;
		return;
	}
	pthread_atfork(lock_resolving, unlock_resolving, unlock_resolving);
	dir = (int)real.syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/fd",
				O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
	if (dir < 0) {
		for (int fd = 0; fd < 64; fd++)
			adopt_inherited(fd, raw_getsockopt);
		errno = saved;
		return;
	}
	for (;;) {
		long n = real.syscall(SYS_getdents64, dir, (long)buf, sizeof(buf), 0, 0, 0);

		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long fd = strtol(d->d_name, &end, 10);

			if (*end == '\0' && end != d->d_name && fd != dir && fd < FD_TRACKED)
				adopt_inherited((int)fd, raw_getsockopt);
			off += d->d_reclen;
		}
	}
	real.syscall(SYS_close, dir, 0, 0, 0, 0, 0);
	errno = saved;
}
