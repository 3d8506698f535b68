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
 *   accept.c   accept()/accept4(): accepted sockets get the same defaults
 *   bind.c     bind(): optional widening to every local address
 *
 * There is no table of file descriptors: whether a socket is SCTP is asked
 * of the kernel (SO_PROTOCOL), which stays right across dup(), fork(),
 * exec() and descriptor passing.
 */
#ifndef SCTPIZE_H
#define SCTPIZE_H

#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define SCTPIZE_VERSION "0.1.0"

/* The intercepted calls: the only symbols the library exports (with libsctpize.map). */
#define EXPORT __attribute__((visibility("default")))

/* Addresses that --bind-addrs may add; a fixed bound keeps parsing allocation-free. */
#define MAX_BIND_ADDRS 16

/* The library's settings, from the environment; see config.c and libsctpize(7). */
struct config {
	int verbose;			/* SCTPIZE_VERBOSE: 0 errors only, 1 decisions, 2 more */
	char log[256];			/* SCTPIZE_LOG: "stderr", "syslog" or an absolute path */
	bool nodelay;			/* SCTPIZE_NODELAY: SCTP_NODELAY on every converted socket */
	bool bind_all;			/* SCTPIZE_BIND_ALL: widen specific binds to the wildcard */
	bool bind_loopback;		/* SCTPIZE_BIND_LOOPBACK: widening may touch loopback binds */
	int n_bind_addrs;		/* SCTPIZE_BIND_ADDRS: added with sctp_bindx() after bind() */
	struct sockaddr_storage bind_addrs[MAX_BIND_ADDRS];
	char error[320];		/* non-empty: the environment was refused, for this reason */
};

/* config.c: fill *c from envp (NULL: defaults); false, with c->error, on a bad value. */
bool config_parse(struct config *c, char **envp);
/* config.c: parse one textual IP address (no port) into *ss; false if it is not one. */
bool parse_ip(const char *s, struct sockaddr_storage *ss);

/* The real calls, resolved once by sctpize_init(). */
struct real_calls {
	int (*socket)(int, int, int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
};

extern struct real_calls real;
extern struct config cfg;

/* real.c: resolve the real calls and read the configuration, once per process. */
void sctpize_init(void);

/* real.c: true when fd is a socket of protocol IPPROTO_SCTP.  Keeps errno. */
bool is_sctp(int fd);

/* socket.c: give a converted or accepted SCTP socket the configured defaults. Keeps errno. */
void apply_defaults(int fd);

/* log.c: one diagnostic line if cfg.verbose >= level (level 0: errors).  Keeps errno. */
void logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tcpinfo.c: answer getsockopt(IPPROTO_TCP, TCP_INFO) on SCTP socket fd. */
int tcp_info_from_sctp(int fd, void *optval, socklen_t *optlen);

#endif
