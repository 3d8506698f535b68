/*
 * sctpize.h - the one internal header of libsctpize.
 *
 * The library is a set of wrappers around the socket calls of libc.  Each
 * wrapper lives in the file named after the call or the idea it owns:
 *
 *   real.c     the table of the real (next) definitions, resolved once
 *   config.c   the SCTPIZE_* environment, parsed once into struct config
 *   log.c      the optional diagnostics (stderr, syslog or a file)
 *   socket.c   socket(): which TCP sockets become SCTP ones
 *   sockopt.c  setsockopt()/getsockopt() at level IPPROTO_TCP: the option table
 *   tcpinfo.c  getsockopt(TCP_INFO) answered from SCTP_STATUS
 *   tune.c     the configured defaults of every converted and accepted socket
 *   accept.c   accept()/accept4(): accepted sockets get the same defaults
 *   bind.c     bind(): optional widening to more local addresses (multihoming)
 *   resolve.c  getaddrinfo(): the addresses a peer's name resolved to, remembered
 *   connect.c  connect(): every known address of the peer, with sctp_connectx()
 *   write.c    writes SCTP refuses as one message
 *   read.c     reads: MSG_WAITALL, and the half-close marker of a peer
 *   shutdown.c shutdown(): half-close between two sctpize ends; listeners
 *   fdstate.c  the little state a descriptor needs for half-close; dup/close
 *   rules.c    migration mode: the rules that say which sockets convert
 *   migrate.c  the decision at listen()/connect(): a socket changes protocol
 *   dual.c     "both" servers: one listening descriptor for TCP and SCTP
 *   fallback.c "both" clients: SCTP first, TCP if the peer does not speak it
 *   stats.c    SCTPIZE_STATS: a one-line summary of what the library did
 *   ioctl.c    ioctl(): SIOCATMARK and SIOCOUTQ on SCTP sockets
 *   sendfile.c sendfile() to an SCTP socket as a stream, not a message per page
 *   process.c  vfork() children and seccomp sandboxes: when the library must hold back
 *
 * Whether a socket is SCTP is asked of the kernel (SO_PROTOCOL), which
 * stays right across dup(), fork(), exec() and descriptor passing.  What
 * the library keeps per descriptor (fdstate.c, migrate.c) is a claim that
 * is checked against the kernel before it changes an answer, so a close,
 * a read or a fork the library does not see never makes it wrong.  By
 * default nothing is ever put in the byte stream: a program reads exactly
 * what its peer wrote, by any path (libsctpize(7), THE BYTE STREAM).
 */
#ifndef SCTPIZE_H
#define SCTPIZE_H

#include <net/if.h>
#include <stdatomic.h>
#include <netdb.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <netinet/in.h>

#define SCTPIZE_VERSION "0.1.0"

/* The intercepted calls: the only symbols the library exports (with libsctpize.map). */
#define EXPORT __attribute__((visibility("default")))

/* Fixed bounds keep parsing allocation-free. */
#define MAX_ADDRS 16			/* in SCTPIZE_BIND_ADDRS, SCTPIZE_PEER_ADDRS */
#define MAX_IFACES 8			/* in SCTPIZE_BIND_IFACES */

#define MAX_RULES 64			/* in SCTPIZE_RULES and the config file together */
#define MAX_RANGES 16			/* ports and ranges in one rule */
#define SYSTEM_CONFIG "/etc/sctpize.conf"

/* A list of IP addresses (ports unused). */
struct addr_list {
	int n;
	struct sockaddr_storage a[MAX_ADDRS];
};

/* Migration mode (rules.c): what a rule does, and to which sockets. */
enum { ACT_NONE, ACT_SCTP, ACT_TCP, ACT_BOTH };
enum { ROLE_ANY, ROLE_SERVER, ROLE_CLIENT };
enum { SRC_ENV, SRC_FILE };
enum { DEFAULT_ENV = 1, DEFAULT_FILE, DEFAULT_CONVERT_RULES, DEFAULT_NO_CONVERT_RULE };
struct rule {
	unsigned char action, role;		/* ACT_*, ROLE_* */
	unsigned char source;			/* SRC_ENV (SCTPIZE_RULES) or SRC_FILE */
	unsigned char plen;			/* prefix length of addr */
	bool has_addr;
	int line;				/* rule number in SCTPIZE_RULES, or file line */
	struct sockaddr_storage addr;
	int n_ports;				/* port ranges lo[i]..hi[i] */
	unsigned short lo[MAX_RANGES], hi[MAX_RANGES];
	char prog[64];				/* fnmatch() pattern of the program name */
};
extern const char *const action_names[];

/* The library's settings, from the environment; see config.c and libsctpize(7). */
struct config {
	int verbose;			/* SCTPIZE_VERBOSE: 0 errors only, 1 decisions, 2 more */
	char log[256];			/* SCTPIZE_LOG: "stderr", "syslog" or an absolute path */
	bool nodelay;			/* SCTPIZE_NODELAY: SCTP_NODELAY on every converted socket */
	bool bind_all;			/* SCTPIZE_BIND_ALL: widen specific binds to the wildcard */
	bool bind_loopback;		/* SCTPIZE_BIND_LOOPBACK: widening may touch loopback binds */
	struct addr_list bind_addrs;	/* SCTPIZE_BIND_ADDRS: added with sctp_bindx() after bind() */
	int n_bind_ifaces;		/* SCTPIZE_BIND_IFACES: their addresses, likewise */
	char bind_ifaces[MAX_IFACES][IF_NAMESIZE];
	struct addr_list peer_addrs;	/* SCTPIZE_PEER_ADDRS: one peer, several addresses */
	bool peer_resolved;		/* SCTPIZE_PEER_RESOLVED: connect to every resolved address */
	/* SCTP tuning (SCTPIZE_HB_INTERVAL, ...; SCTPIZE_FAILOVER presets); 0: kernel's default */
	unsigned hb_interval, rto_min, rto_max, rto_initial;	/* milliseconds */
	unsigned path_max_retrans, max_retrans, streams;
	/* TCP-like defaults (SCTPIZE_SNDBUF, _RCVBUF, _SACK_DELAY, _CONNECT_TIMEOUT); 0: kernel's */
	unsigned sndbuf, rcvbuf;		/* bytes, before connect/listen */
	unsigned sack_delay;			/* milliseconds */
	unsigned connect_timeout;		/* seconds, as INIT attempts and timeout: */
	unsigned init_attempts, init_max_timeo;	/* ...computed from it (ms) */
	bool half_close;			/* SCTPIZE_HALF_CLOSE: negotiate it with sctpize peers */
	/* Migration mode (SCTPIZE_RULES, _CONFIG, _DEFAULT, _FALLBACK, _FALLBACK_TIMEOUT) */
	int n_rules;
	struct rule rules[MAX_RULES];
	int default_action, default_from;	/* ACT_*, DEFAULT_* (why) */
	int file_default, file_default_line;	/* the config file's "default" line */
	char config_file[256];			/* the file read, or "" */
	bool fallback;				/* no SCTP in the kernel: TCP, said once */
	unsigned fallback_timeout;		/* ms a "both" client's SCTP attempt may take */
	int fixed;				/* the action at socket(), or ACT_NONE: later */
	bool stats;				/* SCTPIZE_STATS: the summary at exit... */
	int stats_signal;			/* ...and on this signal (SIGUSR1/2), or 0 */
	char error[512];		/* non-empty: the environment was refused, for this reason */
};

/* config.c: fill *c from envp (NULL: defaults); false, with c->error, on a bad value. */
bool config_parse(struct config *c, char **envp);
/* rules.c: the parts of config_parse() that read rules; see sctpize.conf(5). */
bool rules_parse_env(struct config *c, const char *v);
bool rules_parse_file(struct config *c, const char *path, bool must_exist);
extern long (*rules_syscall)(long, ...);	/* how rules_parse_file() reads */
void rules_finish(struct config *c);
int parse_action(const char *w);
/* rules.c: the action for a socket of this role (ROLE_*) and address (bound for a server,
 * connected to for a client), with the rule that fired (-1: the default). */
int rule_decide(const struct config *c, const char *prog, int role, const struct sockaddr *sa,
		int *which);
/* rules.c: the action known at socket() for program prog, or ACT_NONE (decide later). */
int rules_fixed(const struct config *c, const char *prog);
void rule_format(const struct config *c, int i, char *buf, size_t size);
void rule_origin(const struct config *c, int i, char *buf, size_t size);

/* config.c: a log file in a directory everyone may write to is never created, and used
 * only if log_file_ours(): a regular file of the effective user, with one link. */
struct stat;
bool log_dir_shared(const char *path);
bool log_file_ours(const struct stat *st);

/* config.c: parse one textual IP address (no port) into *ss; false if it is not one. */
bool parse_ip(const char *s, struct sockaddr_storage *ss);

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

/* tune.c: give a converted or accepted SCTP socket the configured defaults. Keeps errno. */
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

/* config.c: same address (family and IP; port ignored). */
bool same_ip(const struct sockaddr *a, const struct sockaddr *b);
/* config.c: the port of an AF_INET or AF_INET6 address (network order), and setting it. */
in_port_t get_port(const struct sockaddr *sa);
void set_port(struct sockaddr_storage *ss, in_port_t port);

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
	/* Migration mode (migrate.c), one kind at a time, in this table only: */
	FD_KIND = 192,
	FD_UNDECIDED = 64,	/* TCP until listen() or connect() decides */
	FD_FALLBACK = 128,	/* trying SCTP; TCP kept aside (fallback.c) */
	FD_DUAL = 192,		/* a listener for TCP and SCTP (dual.c) */
};
/* The migration kind of a state (0: none). */
#define FD_IS(state, kind) (((state) & FD_KIND) == (kind))
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
 * dual.c: after our own wait (epoll_wait(), poll()) was interrupted by a signal: would
 * the kernel have restarted the program's call?  The signal is not known, so: true when
 * every signal that has a handler and is not blocked has SA_RESTART.
 */
bool restart_after_signal(void);

/* accept.c: an accepted socket fd from listener lfd: its state and defaults; fd. */
int accepted(int lfd, int fd);
/* connect.c: connect() of an SCTP socket (every known address of the peer). */
int sctp_connect(int fd, const struct sockaddr *addr, socklen_t len);

/*
 * migrate.c: a slot of migration state, for a socket whose protocol may still
 * change (its epoll registrations), that falls back (the TCP socket kept aside)
 * or is a dual listener (the two hidden listeners).
 */
#define MAX_SLOTS 1024
#define MAX_REGS 4
enum { SLOT_WATCH = 1, SLOT_FALLBACK, SLOT_DUAL };
/* An open file's identity (fstat()), to tell it from whatever reuses its number. */
struct ident {
	dev_t dev;
	ino_t ino;
};
struct slot {
	int fd, kind;			/* kind 0: free */
	struct ident id;		/* what fd is */
	int a, b, c;			/* FALLBACK: a = TCP socket; DUAL: a = TCP, b = SCTP listener,
					 * c = the epoll instance (also at fd) */
	struct ident ida, idb, idc;	/* what they are (set by slot_hide()) */
	unsigned turn;			/* DUAL: which listener accept() asks first */
	int users;			/* DUAL: accept() calls using a, b, c right now... */
	bool closing;			/* ...so close(fd) left them open to the last one */
	struct sockaddr_storage peer;	/* FALLBACK: the address connected to */
	socklen_t peer_len;
	int nreg;			/* epoll sets fd is in, with its events */
	struct { int epfd; struct epoll_event ev; } reg[MAX_REGS];
};
void slots_lock_take(void);
void slots_lock_give(void);
void slot_release(struct slot *s);
void slot_free(struct slot *s);
struct slot *slot_find(int fd, bool create);
void slot_hide(struct slot *s, int a, int b, int c);
bool slot_intact(const struct slot *s);
void migrate_init(void);
void migrate_forget(int fd);
void migrate_done(int fd);
int socket_like(int fd, int proto);
void copy_options(int from, int to);
int swap_in(int fd, int nfd);
int swap_to_sctp(int fd, int *spare);
int decide(int fd, int role, const struct sockaddr *sa);
bool no_sctp_fallback(int fd);
/* fallback.c */
int fallback_connect(int fd, const struct sockaddr *addr, socklen_t len);
int fallback_reconnect(int fd, const struct sockaddr *addr, socklen_t len);
int fallback_so_error(int fd, void *optval, socklen_t *optlen);
int fallback_getpeername(int fd, struct sockaddr *addr, socklen_t *len);
/* dual.c */
int dual_listen(int fd, int backlog);
int dual_relisten(int fd, int backlog);
int dual_accept(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
int dual_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int dual_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int dual_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int dual_shutdown(int fd, int how);

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

/* tcpinfo.c: answer getsockopt(IPPROTO_TCP, TCP_INFO) on SCTP socket fd. */
int tcp_info_from_sctp(int fd, void *optval, socklen_t *optlen);

#endif
