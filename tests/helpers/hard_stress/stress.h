/*
 * stress.h - what the parts of the stress program (tests/helpers/hard_stress/,
 * described in main.c) share: the wire format's constants, the client's
 * targets and options, one connection's result, the counters the client's
 * threads share, and each file's entry points.
 */
#ifndef HARD_STRESS_H
#define HARD_STRESS_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../helper.h"

#define HDR 8
#define TRAILER 16
#define ECHO_MAX 65536		/* echo lengths stay below every buffer: no deadlock */
#define SERVER_MAX (4 << 20)	/* the longest payload a server accepts */
#define CHILD_WAIT_S 30		/* a fork()ed or exec()ed child must be done by then */

extern char self[4096];		/* this program, for exec() */

/* One line on stderr, in one write (threads and children interleave). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- wire.c: payloads, checksums, fields; reads and writes ---- */

uint64_t rng_next(uint64_t *s);
uint64_t rng_seed(uint64_t a, uint64_t b);
unsigned rnd(uint64_t *s, unsigned n);
void fill(unsigned char *p, size_t n, uint64_t seed);
uint64_t fnv(uint64_t h, const unsigned char *p, size_t n);
#define FNV0 0xcbf29ce484222325ULL
void put32(unsigned char *p, uint32_t v);
uint32_t get32(const unsigned char *p);
void put64(unsigned char *p, uint64_t v);
uint64_t get64(const unsigned char *p);
ssize_t read_some(int fd, unsigned char *buf, size_t n, unsigned how);
int read_full(int fd, unsigned char *buf, size_t n, uint64_t *rng);
ssize_t write_some(int fd, const unsigned char *buf, size_t n, unsigned how);
int write_full(int fd, const unsigned char *buf, size_t n, size_t piece, uint64_t *rng);

/* ---- connection.c: the client's side of one connection ---- */


/*
 * The client's servers: PORT[:PROTO][@IP],... (PROTO: what SO_PROTOCOL must
 * say once connected; IP: 127.0.0.1 unless given).
 */
#define MAX_TARGETS 8
struct target {
	in_port_t port;		/* network order */
	int proto;		/* 0: not checked */
	struct in_addr ip;
};
extern struct target targets[MAX_TARGETS];
extern int n_targets;

struct conn_result {
	uint64_t sent, received;	/* bytes, each way */
	char error[400];	/* empty: every byte came back in order */
};

struct client_opts {
	int threads, conns;
	unsigned maxlen;
	bool fork, exec, half_close, quit;
	int proto;
	const char *name;	/* resolved by getaddrinfo() every 16th connection */
	int stall, total;
	int progress;		/* seconds between progress lines on stderr; 0: none */
	int interval;		/* ms between two fork()s, two exec()s */
};
extern struct client_opts co;

/* In a fork()ed child of the client: no getaddrinfo() (glibc's locks may be held). */
extern bool in_child;

int fail_conn(struct conn_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int check_proto(int fd, int want, struct conn_result *res);
int connect_to(int fd, const struct sockaddr_in *sa, bool nonblock, struct conn_result *res);
void server_addr(struct sockaddr_in *sa, const struct target *t, bool resolve);
int one_connection(uint64_t seed, const struct target *t, unsigned char *buf,
		   unsigned char *back, struct conn_result *res, _Atomic int *stage);
bool parse_targets(const char *arg);

/* ---- client.c and forker.c: the client's threads and what they count ---- */

extern _Atomic long errors;
extern _Atomic bool workers_done;
extern _Atomic long fork_children, fork_conns, exec_children, exec_conns;
extern uint64_t base_seed;

int client_main(const char *where, int argc, char **argv);
int client_one(char **argv);
void *forker_main(void *arg);
void *execer_main(void *arg);
int wait_child(pid_t pid, const char *what);

/* ---- server.c ---- */

int server_main(int argc, char **argv);
int serve_fd(void);

#endif
