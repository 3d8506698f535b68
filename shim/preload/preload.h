/*
 * preload.h - the one internal header of the preload backend (libsctpize.so).
 *
 * The library is a set of wrappers around the socket calls of libc, one
 * file per exported call or family, each calling only the real (next)
 * definitions (real.*) and the named internal functions below; deliberate
 * re-entry (an option mapped, a bind widened, a write split) goes through
 * those, never through an exported symbol.  What to do is the decision
 * core's (../core/core.h); how, here:
 *
 *   real.c     the table of the real (next) definitions; start-up, once
 *   process.c  vfork() children, seccomp sandboxes, signals: when to hold back
 *   log.c      the optional diagnostics (stderr, syslog or a file)
 *   stats.c    SCTPIZE_STATS: a one-line summary of what the library did
 *   fdstate.c  the little state a descriptor needs (half-close), one byte
 *   socket.c   socket(): which TCP sockets become SCTP ones
 *   tune.c     the core's defaults, set on every converted and accepted socket
 *   sockopt.c  setsockopt()/getsockopt(): the core's TCP option table applied
 *   accept.c   accept()/accept4(): accepted sockets get the same defaults
 *   bind.c     bind(): optional widening to more local addresses (multihoming)
 *   listen.c   listen()
 *   connect.c  connect(): every known address of the peer, with sctp_connectx()
 *   resolve.c  getaddrinfo(): the addresses a peer's name resolved to, remembered
 *   sockname.c getsockname()/getpeername()
 *   epoll.c    epoll_ctl()
 *   write.c    writes SCTP refuses as one message
 *   read.c     reads: MSG_WAITALL, and the half-close marker of a peer
 *   sendfile.c sendfile() to an SCTP socket as a stream, not a message per page
 *   shutdown.c shutdown(): half-close between two sctpize ends; listeners
 *   dup.c      dup(), dup2(), dup3(), fcntl(): the state follows the copy
 *   close.c    close(), close_range(): the state goes
 *   ioctl.c    ioctl(): SIOCATMARK and SIOCOUTQ on SCTP sockets
 *   migrate/   special sockets of migration mode (undecided, fallback,
 *              dual): their own calls behind one seam, struct kind_ops
 *
 * Whether a socket is SCTP is asked of the kernel (SO_PROTOCOL), which
 * stays right across dup(), fork(), exec() and descriptor passing.  What
 * the library keeps per descriptor (fdstate.c, migrate/) is a claim that
 * is checked against the kernel before it changes an answer, so a close,
 * a read or a fork the library does not see never makes it wrong.  By
 * default nothing is ever put in the byte stream: a program reads exactly
 * what its peer wrote, by any path (libsctpize(7), THE BYTE STREAM).
 */
#ifndef SCTPIZE_PRELOAD_H
#define SCTPIZE_PRELOAD_H

#include <stdatomic.h>
#include <netdb.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "../core/core.h"

/* The intercepted calls: the only symbols the library exports (with libsctpize.map). */
#define EXPORT __attribute__((visibility("default")))

struct mmsghdr;
/* The real calls, resolved once by sctpize_init(). */
struct real_calls {
	int (*socket)(int, int, int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*read_chk)(int, void *, size_t, size_t);
	ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
	ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int, struct sockaddr *,
				socklen_t *);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*listen)(int, int);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*fcntl64)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	ssize_t (*sendfile)(int, int, off_t *, size_t);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned, int, struct timespec *);
	int (*prctl)(int, ...);
	long (*syscall)(long, ...);
};

extern struct real_calls real;
extern struct config cfg;

/* real.c: resolve the real calls and read the configuration, once per process;
 * sctpize_ready is set when that is done. */
void sctpize_start(void);
extern atomic_bool sctpize_ready;
/* Every wrapper's first step: after start-up, one load and a branch. */
static inline void sctpize_init(void)
{
	if (__builtin_expect(!atomic_load_explicit(&sctpize_ready, memory_order_acquire), 0))
		sctpize_start();
}

/* real.c: true when fd is a socket of protocol IPPROTO_SCTP.  Keeps errno. */
bool is_sctp(int fd);
/* real.c: the same, for a caller about to hand fd to the kernel anyway: if the question
 * fails (EBADF, ENOTSOCK), errno is set, and the caller's own call fails the same way. */
bool socket_is_sctp(int fd);

/* The backend's option calls, as the core reaches a socket (sockopt.c). */
extern struct sockio real_io;

/* tune.c: give a converted or accepted SCTP socket the configured defaults. Keeps errno. */
void tune_init(void);
void apply_defaults(int fd);

/* bind.c: pack the addresses of a[] that socket fd can use (its family; V6ONLY), except
 * skip's, with this port, for sctp_bindx()/sctp_connectx(); how many were packed. */
int pack_addrs(int fd, const struct sockaddr *skip, const struct sockaddr_storage *a, int n,
	       in_port_t port, unsigned char *buf);

/* resolve.c: the other addresses of the name that addr was resolved from, with addr's
 * port, into out (at most max); how many. */
int resolved_peers(const struct sockaddr *addr, struct sockaddr_storage *out, int max);
/* resolve.c: make the resolver memory safe across fork(); called once at start-up. */
void resolve_init(void);

/*
 * fdstate.c: the little state a descriptor needs, one byte per descriptor
 * below FD_TRACKED (the kernel's default ceiling of descriptor numbers,
 * fs.nr_open; the table is BSS, untouched pages cost nothing).  Read without
 * a system call on every read and write.  An entry is a claim about the
 * socket that had the number when the library last saw it: whatever path
 * closed it or reused the number, a claim is checked against the kernel
 * before it changes an answer (the stream is never made to depend on it).
 */
#define FD_TRACKED (1 << 20)
enum {
	FD_SCTP = 1,		/* an SCTP socket the library converted or accepted */
	/* Half-close (SCTPIZE_HALF_CLOSE=1 only), kept in the socket too (exec): */
	FD_PENDING = 2,		/* we announced; the peer's announcement may still be queued */
	FD_PEER = 4,		/* the peer announced it: half-close is negotiated */
	FD_PEER_SHUT = 8,	/* the peer half-closed: reads answer 0 */
	FD_SELF_SHUT = 16,	/* we half-closed: writes answer EPIPE */
	FD_HALF_CLOSE = FD_PENDING | FD_PEER | FD_PEER_SHUT | FD_SELF_SHUT,
	FD_CONNECTED = 32,	/* it was connected: a read after the peer's ABORT answers 0 */
	/* Special sockets (migrate/): their kind, in these two bits; 0: none. */
	FD_SPECIAL_SHIFT = 6,
	FD_SPECIAL = 3 << FD_SPECIAL_SHIFT,
};
extern _Atomic unsigned char fd_state[FD_TRACKED];
extern atomic_int fd_highest;		/* the highest number ever given state */

/*
 * The half-close marker: one byte with this payload protocol id, on the
 * data's own stream 0, so that it is delivered after every byte sent before
 * it (SCTP orders messages per stream only).  Program data has PPID 0.
 */
#define MARKER_SID 0
#define MARKER_PPID 0x535a4846u		/* "SZHF" */

static inline unsigned fd_get(int fd)
{
	return (unsigned)fd < FD_TRACKED ?
		atomic_load_explicit(&fd_state[fd], memory_order_relaxed) : 0;
}
/* Set fd's state in the table only. */
void fd_store(int fd, unsigned state);
/* Set fd's state (and keep the half-close bits in the socket, for exec()), or forget fd. */
void fd_set_state(int fd, unsigned state);
void fd_forget(int fd);
/* A converted socket: announce half-close (before connect/listen), if configured. */
void fd_adopt(int fd);
/* An accepted socket, from listener lfd: connected; the listener's announcement is its own. */
void fd_inherit(int fd, int lfd);
/* Learn whether the peer announced half-close (never waits); the new state. */
unsigned fd_resolve(int fd);
/* The same for a socket accept() is about to return: no other caller can know it yet. */
void fd_resolve_accepted(int fd);
/* fd's first message, the notification note of len bytes or none (NULL), was read off. */
unsigned fd_settled(int fd, const void *note, size_t len);
/* fd's connect may have completed (SO_ERROR 0, getpeername()): note it, and resolve. */
void fd_connected(int fd);
/*
 * The same where a program goes on after a non-blocking connect without asking
 * (back to blocking with fcntl(), epoll_ctl() from EPOLLOUT to EPOLLIN, its first
 * write): the announcement read off before it polls for data.  A load otherwise.
 */
static inline void fd_maybe_connected(int fd)
{
	if (__builtin_expect(fd_get(fd) & FD_PENDING, 0))
		fd_connected(fd);
}
/* Descriptors received over a UNIX socket (SCM_RIGHTS in msg): their state, if ours. */
void fd_received(const struct msghdr *msg);
/* real.c start-up: the state of the sockets this process inherited across exec(). */
void fd_state_init(void);

/*
 * process.c: the process the library lives in.  A vfork() child (Python's
 * subprocess, posix_spawn) shares the parent's memory but not its
 * descriptors: bookkeeping of closes and copies is done only by the process
 * that owns the memory (bookkeeper()).  A process that installs a seccomp
 * filter (prctl(PR_SET_SECCOMP), seccomp(2) through syscall()) may forbid
 * any call it did not plan for: from then on own_calls() is false, and the
 * library makes no system call the program's own call would not (it does
 * less: every wrapper passes the program's call on).
 */
extern atomic_bool sandboxed;
static inline bool own_calls(void)
{
	return !atomic_load_explicit(&sandboxed, memory_order_relaxed);
}
bool bookkeeper(void);
void process_init(void);
/* sendfile.c: its buffers safe across fork(); once at start-up. */
void sendfile_init(void);

/*
 * process.c: after our own wait (epoll_wait(), poll()) was interrupted by a signal: would
 * the kernel have restarted the program's call?  The signal is not known, so: true when
 * every signal that has a handler and is not blocked has SA_RESTART.
 */
bool restart_after_signal(void);

/*
 * The plain calls, for deliberate re-entry: what the exported call does on a
 * socket that is not special (fd_state's FD_SPECIAL bits clear).
 */
/* accept.c: an accepted socket fd from listener lfd: its state and defaults; fd. */
int accepted(int lfd, int fd);
/* connect.c: connect(), with every known address of the peer on an SCTP socket. */
int sctp_connect(int fd, const struct sockaddr *addr, socklen_t len);
/* bind.c: bind(), widened as configured on an SCTP socket. */
int bind_widened(int fd, const struct sockaddr *addr, socklen_t len);
/* sockopt.c: setsockopt()/getsockopt(), level IPPROTO_TCP mapped on an SCTP socket. */
int sockopt_set(int fd, int level, int name, const void *val, socklen_t len);
int sockopt_get(int fd, int level, int name, void *val, socklen_t *len);
/* shutdown.c: shutdown(): half-close, and an SCTP listener stopped as TCP's is. */
int shutdown_socket(int fd, int how);
/* write.c: write() of a byte stream, split where SCTP refuses one message. */
ssize_t write_stream(int fd, const void *buf, size_t len);
/* socket.c: making an SCTP socket failed (errno): with SCTPIZE_FALLBACK, TCP it stays
 * (true, logged once); fd for the message, or -1. */
bool no_sctp_fallback(int fd);

/*
 * Special sockets (migrate/): a descriptor whose fd_state has a kind in
 * FD_SPECIAL has calls of its own.  A wrapper asks special(state), one
 * load it has already made, and hands the call to its kind's operation if
 * the kind has one (NULL: the plain call).  Nothing else of the migration
 * wing is visible here.
 */
struct kind_ops {
	const char *name;
	int (*accept)(int fd, struct sockaddr *addr, socklen_t *len, int flags);
	int (*connect)(int fd, const struct sockaddr *addr, socklen_t len);
	int (*listen)(int fd, int backlog);
	int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
	int (*getsockopt)(int fd, int level, int name, void *val, socklen_t *len);
	int (*getsockname)(int fd, struct sockaddr *addr, socklen_t *len);
	int (*getpeername)(int fd, struct sockaddr *addr, socklen_t *len);
	int (*shutdown)(int fd, int how);
	int (*epoll_ctl)(int epfd, int op, int fd, struct epoll_event *ev);
};
extern const struct kind_ops *const special_kinds[4];
static inline bool special(unsigned state)
{
	return state & FD_SPECIAL;
}
static inline const struct kind_ops *kind_ops(unsigned state)
{
	return special_kinds[(state & FD_SPECIAL) >> FD_SPECIAL_SHIFT];
}
/* socket.c: a socket made TCP that listen() or connect() will decide (the rules). */
void special_undecided(int fd);
/* fd is closed, replaced or reused: the special state it had (if any) goes. */
void special_forget(int fd);
static inline void special_drop(int fd)
{
	if (__builtin_expect(special(fd_get(fd)), 0))
		special_forget(fd);
}
/* Start-up: the slot table's lock safe across fork(). */
void migrate_init(void);

/* stats.c: the counters of SCTPIZE_STATS, counted only when it is set. */
enum { ST_CONVERTED, ST_TCP, ST_PASSED, ST_FALLBACK, ST_DUAL, ST_ACCEPTED, ST_ACCEPTED_TCP,
       ST_MAPPED, ST_HINTED, ST_REFUSED, ST_SPLIT, N_STATS };
extern atomic_ulong stats[N_STATS];
#define COUNT(which) \
	do { \
		if (cfg.stats) \
			atomic_fetch_add_explicit(&stats[which], 1, memory_order_relaxed); \
	} while (0)
void stats_init(void);

/* log.c: one diagnostic line if cfg.verbose >= level (level 0: errors).  Keeps errno.
 * The level is checked here, so a quiet process pays one compare per call site. */
void log_line(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define logmsg(level, ...) \
	do { \
		if ((level) <= cfg.verbose) \
			log_line((level), __VA_ARGS__); \
	} while (0)

#endif
