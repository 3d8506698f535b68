/*
 * core.h - the decision core of sctpize: what to do, never how to intercept.
 *
 * Everything a backend must decide the same way as every other, and
 * nothing about how calls reach it:
 *
 *   config.c   settings: the SCTPIZE_* environment parsed into struct config
 *   rules.c    migration rules: which sockets convert (sctpize.conf(5))
 *   addr.c     address helpers: parse, compare, ports, kinds of address
 *   tcpopt.c   the TCP option table: what each IPPROTO_TCP option means on SCTP
 *   tcpinfo.c  TCP_INFO computed from SCTP_STATUS
 *   defaults.c the TCP-like defaults and SCTP tuning of a socket, as a list
 *   file.c     the core's only system calls: reading small files
 *
 * Built once as build/libsctpize-core.a and linked into libsctpize.so (the
 * preload backend), sctpize-helper (the wrapper's parser) and the unit
 * tests; a backend that runs outside the program (the seccomp supervisor)
 * links it the same way.  So the core keeps no global state of a process
 * except caches of kernel facts (tcpinfo.c's HZ), takes the settings as an
 * argument (struct config), and reaches a socket only through the backend's
 * own option calls (struct sockio): a backend acting on a descriptor taken
 * from another process (pidfd_getfd) passes its own.
 *
 * Interception: nothing in the core calls a name the preload library
 * exports (shim/libsctpize.map: socket, read, close, syscall, ...).  It
 * uses plain libc calls the library does not wrap (stat, lstat, fstat,
 * inet_pton, fnmatch, snprintf, strtoul, geteuid), and reads files through
 * core_open(), core_read(), core_fstat() and core_close(), which make the
 * system calls through core_syscall: libc's syscall() unless a backend that
 * wraps syscall() points it at the real one before its first call into the
 * core.
 * Nothing is allocated; errno is kept on success, set on failure.
 */
#ifndef SCTPIZE_CORE_H
#define SCTPIZE_CORE_H

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SCTPIZE_VERSION "0.1.0"

/* ---- settings (config.c) ---- */

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

/* The settings, from the environment; see config.c and libsctpize(7). */
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

/* Fill *c from envp (NULL: defaults, no config file); false, with c->error, on a bad value. */
bool config_parse(struct config *c, char **envp);

/* A log file in a directory everyone may write to is never created, and used
 * only if log_file_ours(): a regular file of the effective user, with one link. */
struct stat;
bool log_dir_shared(const char *path);
bool log_file_ours(const struct stat *st);

/* ---- migration rules (rules.c) ---- */

/* The parts of config_parse() that read rules; see sctpize.conf(5). */
bool rules_parse_env(struct config *c, const char *v);
bool rules_parse_file(struct config *c, const char *path, bool must_exist);
void rules_finish(struct config *c);
int parse_action(const char *w);
/* The action for a socket of this role (ROLE_*) and address (bound for a server,
 * connected to for a client), with the rule that fired (-1: the default). */
int rule_decide(const struct config *c, const char *prog, int role, const struct sockaddr *sa,
		int *which);
/* The action known at socket() for program prog, or ACT_NONE (decide later). */
int rules_fixed(const struct config *c, const char *prog);
/* Rule i as text, and where it came from ("SCTPIZE_RULES rule 2", "FILE line 3"). */
void rule_format(const struct config *c, int i, char *buf, size_t size);
void rule_origin(const struct config *c, int i, char *buf, size_t size);

/* ---- address helpers (addr.c); AF_INET and AF_INET6 only ---- */

/* One textual IP address (no port) into *ss, the rest zeroed; false if it is not one. */
bool parse_ip(const char *s, struct sockaddr_storage *ss);
/* Same address (family and IP; port ignored). */
bool same_ip(const struct sockaddr *a, const struct sockaddr *b);
/* The port (network order), and setting it. */
in_port_t get_port(const struct sockaddr *sa);
void set_port(struct sockaddr_storage *ss, in_port_t port);
/* Can be the local end of an association (an IPv4-mapped address judged as IPv4). */
bool is_unicast(const struct sockaddr_storage *ss);
bool is_loopback(const struct sockaddr *sa);
bool is_wildcard(const struct sockaddr *sa);

/* ---- system calls (file.c) ---- */

extern long (*core_syscall)(long, ...);
int core_open(const char *path, int flags);	/* openat(AT_FDCWD, ...) */
ssize_t core_read(int fd, void *buf, size_t len);
int core_fstat(int fd, struct stat *st);
int core_close(int fd);
/* A small whole number read from a file (/proc/sys/...), or dflt. */
int core_read_number(const char *path, int dflt);

/* ---- a socket, as a backend reaches it ---- */

/*
 * The backend's own getsockopt()/setsockopt() (libc's contract: -1 and
 * errno): the preload library's real ones, or a supervisor's on a
 * descriptor it took from the program.
 */
struct sockio {
	int (*set)(int fd, int level, int name, const void *val, socklen_t len);
	int (*get)(int fd, int level, int name, void *val, socklen_t *len);
};

/* ---- the TCP option table (tcpopt.c); libsctpize(7) prints it ---- */

enum set_action {
	S_REFUSE,		/* fail with the row's errno */
	S_HINT,			/* an int; accepted and ignored */
	S_HINT_BYTES,		/* a string or key; accepted and ignored */
	S_NODELAY,		/* SCTP_NODELAY */
	S_MAXSEG,		/* SCTP_MAXSEG */
	S_KEEPTIME,		/* heartbeat interval (SCTP_PEER_ADDR_PARAMS) */
	S_KEEPCNT,		/* path max retransmissions (SCTP_PEER_ADDR_PARAMS) */
	S_SYNCNT,		/* INIT attempts (SCTP_INITMSG) */
	S_USER_TIMEOUT,		/* association max retransmissions (SCTP_ASSOCINFO) */
};

enum get_action {
	G_REFUSE,		/* fail with the row's errno */
	G_CONST,		/* the row's value, as TCP's default */
	G_EMPTY,		/* success with nothing to report (*optlen = 0) */
	G_RENO,			/* TCP_CONGESTION: SCTP's congestion control is Reno's */
	G_INFO,			/* struct tcp_info filled from SCTP_STATUS */
	G_NODELAY, G_MAXSEG, G_KEEPTIME, G_KEEPCNT, G_SYNCNT, G_USER_TIMEOUT,
};

struct tcp_opt {
	const char *name;
	enum set_action set;
	enum get_action get;
	int value;		/* G_CONST: what getsockopt() answers */
	int err;		/* S_REFUSE, G_REFUSE: the error */
	int min, max;		/* S_HINT: the values TCP accepts; others are EINVAL */
};

/* Option numbers 0..TCP_OPT_END-1 may have a row. */
extern const int tcp_opt_end;
/* The row of optname, or NULL if the table has none. */
const struct tcp_opt *tcp_opt_row(int optname);
/* The row of optname, or the row of an unknown option (TCP's answer: ENOPROTOOPT). */
const struct tcp_opt *tcp_opt(int optname);

/* What setsockopt(IPPROTO_TCP) did, for the backend's counters and messages. */
enum tcp_opt_outcome {
	OPT_INVALID,		/* a bad length or value: failed, errno set */
	OPT_REFUSED,		/* a refused row: failed, errno set */
	OPT_FAILED,		/* the SCTP option failed: errno set */
	OPT_HINTED,		/* accepted, no effect */
	OPT_MAPPED,		/* the SCTP option was set */
};
/* setsockopt(fd, IPPROTO_TCP, optname, ...) on SCTP socket fd through io; *v the int given. */
enum tcp_opt_outcome tcp_opt_set(const struct sockio *io, int fd, int optname,
				 const void *optval, socklen_t optlen, int *v);
/* getsockopt(fd, IPPROTO_TCP, optname, ...) on SCTP socket fd through io: 0, or -1 with errno. */
int tcp_opt_get(const struct sockio *io, int fd, int optname, void *optval, socklen_t *optlen);

/* ---- TCP_INFO (tcpinfo.c) ---- */

struct tcp_info;	/* the kernel's (linux/tcp.h), larger than glibc's */
/* getsockopt(IPPROTO_TCP, TCP_INFO) on SCTP socket fd: at most *optlen bytes, as TCP copies. */
int tcp_info_from_sctp(const struct sockio *io, int fd, void *optval, socklen_t *optlen);
/* The figures themselves: *ti from an association's status; hz: the kernel's HZ (0: unknown). */
void tcp_info_of_status(const struct sctp_status *st, unsigned hz, struct tcp_info *ti);
/* TCP's state number (tcpi_state) for an SCTP association state. */
unsigned char tcp_state_of(int sctp_state);

/* ---- the defaults of a socket (defaults.c) ---- */

#define TUNE_MAX 8
/* One setsockopt() a converted or accepted socket gets. */
struct tune_opt {
	int level, name;
	int plain;		/* SOL_SOCKET buffers: SO_*BUFFORCE, and this if not permitted */
	const char *setting;	/* what the user set, for a message if it fails */
	socklen_t len;
	union {
		int i;
		struct sctp_sack_info sack;
		struct sctp_rtoinfo rto;
		struct sctp_paddrparams paddr;
		struct sctp_assocparams assoc;
		struct sctp_initmsg init;
	} val;
};
/* The options that carry c's defaults, in the order to set them, into out; how many. */
int tune_list(const struct config *c, struct tune_opt out[TUNE_MAX]);

#endif
