/*
 * stress - many threads, many connections, fork() and exec() meanwhile: a
 * plain TCP server and client for running the shim under load
 * (tests/e2e/stress.bats on a real SCTP kernel, tests/unit/tsan.bats on the
 * host under ThreadSanitizer with SCTP faked).  It knows nothing of SCTP
 * but SO_PROTOCOL, to check what its sockets became.
 *
 *   stress server PORT [-t THREADS] [-F N] [-X N] [-a PROTO] [-R] [-A IP]
 *       Listens on IP:PORT (default 127.0.0.1; PORT 0: any; "port=N proto=P" is printed)
 *       with THREADS threads blocked in accept()/accept4() (default 80).
 *       Every Nth connection is served by a fork()ed child (-F), every Nth
 *       by a child that exec()s "stress serve-fd" on the connection, inetd
 *       style (-X).  -a: every accepted socket must have protocol PROTO.
 *       -R: SO_REUSEPORT on the listener.  Serves until a client's quit
 *       request, then prints "server: connections=... forked=... execed=...
 *       bytes_in=... bytes_out=... errors=..." and exits 0 if there was no
 *       error (every acceptor must wake up when the listener is shut down).
 *
 *   stress client PORT[:PROTO][@IP][,...] [-t THREADS] [-n CONNS]
 *                 [-m MAXLEN] [-f] [-x] [-i MS] [-p PROTO] [-r NAME] [-H 0|1]
 *                 [-w STALL_S] [-T TOTAL_S] [-q] [-P SECONDS]
 *       THREADS threads (default 64), each making CONNS connections (default
 *       1000), in turn to each PORT given (at IP, default 127.0.0.1):
 *       socket(), TCP options, connect()
 *       (blocking, or non-blocking and poll()), sometimes a dup() that does
 *       the exchange instead, one exchange, close().  Once connected, the
 *       socket must have protocol PROTO if one is given with the port (it
 *       may have changed at connect(): migration mode); -p PROTO: every
 *       socket must have protocol PROTO as socket() made it.  With -f
 *       another thread fork()s meanwhile; the children call socket(),
 *       setsockopt() and, every 4th, make a connection of their own; with -x
 *       another thread fork()s and exec()s "stress one", which makes one
 *       connection; -i: MS milliseconds between two forks (two execs).  -r
 *       NAME: every 16th connection resolves NAME with getaddrinfo() first
 *       (default localhost).  -H 0: no half-close exchanges.  A watchdog
 *       ends the run (status 3, with what each thread was doing) when no
 *       connection completed for STALL_S seconds (default 60) or the whole
 *       run took TOTAL_S (default 3600); a fork()ed or exec()ed child that
 *       hangs 30 s is killed and counted as an error; -P: a progress line
 *       every SECONDS on stderr.  At the end the client asks each server how
 *       many connections it served (-q: and tells it to quit), compares,
 *       and prints one line of figures:
 *         stress: threads=T per_thread=N connections=C forks=F
 *           fork_connections=FC execs=X exec_connections=XC total=ALL
 *           served=S bytes_sent=BS bytes_received=BR duration=D rate=R/s
 *           errors=E
 *       (bytes: the threads' connections' payload and framing, each way).
 *       Exit status 0 only if every byte came back in order, every socket
 *       had its protocol and the servers' count agrees.
 *
 *   stress one PORT[:PROTO][@IP] SEED MAXLEN HALF SOCKPROTO   one connection (-x)
 *   stress serve-fd          serve the connection on fd 0 (what -X exec()s)
 *
 * Each connection: an 8-byte header (mode, length) and LENGTH pseudo-random
 * bytes from the client (mostly in one write, so in one SCTP message); the
 * server answers with a 16-byte trailer (bytes received, their FNV-1a 64
 * checksum).  Modes:
 *   E  echo: the server writes back every piece as it reads it, then the
 *      trailer; the client compares the echo byte for byte;
 *   H  half-close: the client shutdown(SHUT_WR)s after its bytes; the
 *      server reads to end of file, then sends the trailer and closes;
 *   W  the server reads the payload with one recv(MSG_WAITALL) while the
 *      client writes it in many small pieces (many SCTP messages);
 *   Q  statistics ("served=N errors=E"), and with a flag, quit.
 * Reads and writes go through every call a TCP program may use (read,
 * recv, recv(MSG_WAITALL), readv, recvfrom, recvmsg; write, send, sendto,
 * writev, sendmsg), chosen pseudo-randomly, in pieces of random sizes now
 * and then.
 */
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
#include "helper.h"

#define HDR 8
#define TRAILER 16
#define ECHO_MAX 65536		/* echo lengths stay below every buffer: no deadlock */
#define SERVER_MAX (4 << 20)	/* the longest payload a server accepts */
#define CHILD_WAIT_S 30		/* a fork()ed or exec()ed child must be done by then */

static char self[4096];		/* this program, for exec() */
static in_port_t port;		/* network order: the server's */

/*
 * The client's servers: PORT[:PROTO][@IP],... (PROTO: what SO_PROTOCOL must
 * say once connected; IP: 127.0.0.1 unless given).
 */
#define MAX_TARGETS 8
static struct target {
	in_port_t port;		/* network order */
	int proto;		/* 0: not checked */
	struct in_addr ip;
} targets[MAX_TARGETS];
static int n_targets;

/* ---------- small tools ---------- */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, in one write (threads and children interleave). */
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t rng_seed(uint64_t a, uint64_t b)
{
	uint64_t s = (a + 1) * 0x9E3779B97F4A7C15ULL ^ (b + 7) * 0xBF58476D1CE4E5B9ULL;

	return s ? s : 1;
}

static unsigned rnd(uint64_t *s, unsigned n)
{
	return n ? (unsigned)(rng_next(s) % n) : 0;
}

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t s = seed ? seed : 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng_next(&s);

		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
#define FNV0 0xcbf29ce484222325ULL

static void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ---------- reads and writes through every call a TCP program uses ---------- */

/* One read of at most n bytes, by call number how (0..5). */
static ssize_t read_some(int fd, unsigned char *buf, size_t n, unsigned how)
{
	struct iovec iov[2];
	struct msghdr m;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	size_t half;

	switch (how % 6) {
	case 0:
		return read(fd, buf, n);
	case 1:
		return recv(fd, buf, n, 0);
	case 2:
		return recv(fd, buf, n, MSG_WAITALL);
	case 3:
		half = n / 2;
		iov[0] = (struct iovec){ buf, half };
		iov[1] = (struct iovec){ buf + half, n - half };
		return readv(fd, iov, 2);
	case 4:
		return recvfrom(fd, buf, n, 0, (struct sockaddr *)&from, &fromlen);
	default:
		iov[0] = (struct iovec){ buf, n };
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1;
		return recvmsg(fd, &m, 0);
	}
}

/*
 * Read exactly n bytes (pieces of random sizes); 0 on success, -1 on error
 * or early end of file (errno 0 then).
 */
static int read_full(int fd, unsigned char *buf, size_t n, uint64_t *rng)
{
	size_t done = 0;

	while (done < n) {
		size_t want = n - done;

		if (rnd(rng, 4) == 0)
			want = 1 + rnd(rng, (unsigned)(want < 16384 ? want : 16384));
		ssize_t r = read_some(fd, buf + done, want, rnd(rng, 6));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* One write of n bytes, by call number how (0..4); may be short. */
static ssize_t write_some(int fd, const unsigned char *buf, size_t n, unsigned how)
{
	struct iovec iov[2];
	struct msghdr m;
	size_t half;

	switch (how % 5) {
	case 0:
		return write(fd, buf, n);
	case 1:
		return send(fd, buf, n, MSG_NOSIGNAL);
	case 2:
		return sendto(fd, buf, n, 0, NULL, 0);
	case 3:
		half = n / 3;
		iov[0] = (struct iovec){ (void *)buf, half };
		iov[1] = (struct iovec){ (void *)(buf + half), n - half };
		return writev(fd, iov, 2);
	default:
		iov[0] = (struct iovec){ (void *)buf, n };
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1;
		return sendmsg(fd, &m, MSG_NOSIGNAL);
	}
}

/* Write n bytes in pieces of at most piece bytes (0: as the rng likes). */
static int write_full(int fd, const unsigned char *buf, size_t n, size_t piece, uint64_t *rng)
{
	size_t done = 0;

	while (done < n) {
		size_t want = n - done;

		if (piece && want > piece)
			want = 1 + rnd(rng, (unsigned)piece);
		else if (!piece && rnd(rng, 6) == 0)
			want = 1 + rnd(rng, (unsigned)want);
		ssize_t r = write_some(fd, buf + done, want, rnd(rng, 5));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* ---------- the client's side of one connection ---------- */

struct conn_result {
	uint64_t sent, received;	/* bytes, each way */
	char error[400];	/* empty: every byte came back in order */
};

static int fail_conn(struct conn_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail_conn(struct conn_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned payload_len(uint64_t *rng, unsigned mode, unsigned maxlen)
{
	unsigned r = rnd(rng, 100), len;

	if (r < 3)
		len = 0;
	else if (r < 60)
		len = 1 + rnd(rng, 1024);
	else if (r < 90)
		len = 1024 + rnd(rng, 15 * 1024);
	else if (r < 99)
		len = 16384 + rnd(rng, 48 * 1024);
	else
		len = rnd(rng, maxlen + 1);
	if (len > maxlen)
		len = maxlen;
	if (mode == 'E' && len > ECHO_MAX)
		len = ECHO_MAX;
	return len;
}

/*
 * One exchange on connected socket fd in mode 'E', 'H' or 'W', with a
 * payload made from seed.  buf and back hold at least maxlen bytes.
 */
static int exchange(int fd, unsigned mode, unsigned maxlen, uint64_t seed, unsigned char *buf,
		    unsigned char *back, struct conn_result *res)
{
	uint64_t rng = rng_seed(seed, 99);
	unsigned len = payload_len(&rng, mode, maxlen);
	unsigned char hdr[HDR] = { (unsigned char)mode }, tr[TRAILER];
	uint64_t sum;
	ssize_t r;

	fill(buf, len, seed);
	sum = fnv(FNV0, buf, len);
	put32(hdr + 4, len);
	res->sent = res->received = 0;
	if (mode != 'W' && len <= ECHO_MAX && rnd(&rng, 4)) {
		/* Mostly header and payload in one write (one SCTP message: fewer calls). */
		memmove(buf + HDR, buf, len);
		memcpy(buf, hdr, HDR);
		if (write_full(fd, buf, HDR + len, 0, &rng) != 0)
			return fail_conn(res, "mode %c len %u: write: %s", mode, len, ename(errno));
		memmove(buf, buf + HDR, len);
	} else {
		if (write_full(fd, hdr, HDR, 0, &rng) != 0)
			return fail_conn(res, "mode %c: header write: %s", mode, ename(errno));
		if (write_full(fd, buf, len, mode == 'W' ? 4096 : 0, &rng) != 0)
			return fail_conn(res, "mode %c len %u: write: %s", mode, len,
					 ename(errno));
	}
	if (mode == 'H' && shutdown(fd, SHUT_WR) != 0)
		return fail_conn(res, "mode H: shutdown(SHUT_WR): %s", ename(errno));
	if (mode == 'E') {
		if (read_full(fd, back, len, &rng) != 0)
			return fail_conn(res, "mode E len %u: echo read: %s", len,
					 errno ? ename(errno) : "early end of file");
		if (memcmp(back, buf, len) != 0) {
			size_t i = 0;

			while (back[i] == buf[i])
				i++;
			return fail_conn(res, "mode E len %u: echo differs from byte %zu on "
					 "(got 0x%02x, sent 0x%02x): lost or reordered bytes",
					 len, i, back[i], buf[i]);
		}
	}
	if (read_full(fd, tr, TRAILER, &rng) != 0)
		return fail_conn(res, "mode %c len %u: trailer read: %s", mode, len,
				 errno ? ename(errno) : "early end of file");
	if (get32(tr) != len || get64(tr + 8) != sum)
		return fail_conn(res, "mode %c: the server received %u bytes, checksum %016llx; "
				 "sent %u, checksum %016llx", mode, get32(tr),
				 (unsigned long long)get64(tr + 8), len, (unsigned long long)sum);
	if (mode == 'H') {
		/* The server closes after the trailer: end of file, and nothing else. */
		do
			r = read(fd, tr, 1);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return fail_conn(res, "mode H: after the trailer %s", r > 0 ? "a stray byte"
					 : ename(errno));
	}
	res->sent = HDR + (uint64_t)len;
	res->received = TRAILER + (mode == 'E' ? (uint64_t)len : 0);
	return 0;
}

static int check_proto(int fd, int want, struct conn_result *res)
{
	int p = -1;
	socklen_t len = sizeof(p);

	if (want && (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &len) != 0 || p != want))
		return fail_conn(res, "socket protocol %d, expected %d", p, want);
	return 0;
}

/* A blocking connect, or a non-blocking one completed with poll(). */
static int connect_to(int fd, const struct sockaddr_in *sa, bool nonblock, struct conn_result *res)
{
	if (!nonblock) {
		while (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0)
			if (errno != EINTR)
				return fail_conn(res, "connect: %s", ename(errno));
		return 0;
	}
	int fl = fcntl(fd, F_GETFL), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		if (errno != EINPROGRESS)
			return fail_conn(res, "non-blocking connect: %s", ename(errno));
		if (poll(&p, 1, 30000) != 1)
			return fail_conn(res, "non-blocking connect: not done in 30 s");
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
			return fail_conn(res, "non-blocking connect: SO_ERROR %s", ename(err));
	}
	fcntl(fd, F_SETFL, fl);
	return 0;
}

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

/* In a fork()ed child of the client: no getaddrinfo() (glibc's locks may be held). */
static bool in_child;

static struct client_opts co = {
	.threads = 64, .conns = 1000, .maxlen = 262144, .half_close = true,
	.name = "localhost", .stall = 60, .total = 3600,
};

/* The TCP options a TCP program sets, a different few each time. */
static void tcp_options(int fd, uint64_t *rng)
{
	int one = 1, v;

	/* (Mostly: the write-write-read of the exchanges would wait for delayed acks.) */
	if (rnd(rng, 8))
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (rnd(rng, 8) == 0) {
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		v = 30;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
		v = 4;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v));
	}
	if (rnd(rng, 16) == 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
		v = 0;
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
	}
	if (rnd(rng, 16) == 0) {
		v = 60000;
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v));
	}
}

/* The address of the server, from the name every 16th time (the shim remembers it). */
static void server_addr(struct sockaddr_in *sa, const struct target *t, bool resolve)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = t->port;
	sa->sin_addr = t->ip;
	if (resolve && co.name && t->ip.s_addr == htonl(INADDR_LOOPBACK)) {
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *a;

		if (getaddrinfo(co.name, NULL, &hints, &res) == 0) {
			for (a = res; a; a = a->ai_next)
				if (a->ai_family == AF_INET) {
					sa->sin_addr = ((struct sockaddr_in *)a->ai_addr)->sin_addr;
					break;
				}
			freeaddrinfo(res);
		}
	}
}

static unsigned pick_mode(uint64_t *rng)
{
	unsigned r = rnd(rng, 10);

	if (r < 5 || (!co.half_close && r < 8))
		return 'E';
	return r < 8 ? 'H' : 'W';
}

/*
 * One whole connection of the client to target t: 0, or -1 with res->error.
 * The socket must have protocol co.proto (if set) when made, and the
 * target's once connected (a socket may change protocol at connect()).
 */
static int one_connection(uint64_t seed, const struct target *t, unsigned char *buf,
			  unsigned char *back, struct conn_result *res, _Atomic int *stage)
{
	uint64_t rng = rng_seed(seed, 1);
	struct sockaddr_in sa;
	int type = SOCK_STREAM | (rnd(&rng, 3) == 0 ? SOCK_CLOEXEC : 0), fd, r;

	res->error[0] = '\0';
	res->sent = res->received = 0;
	if (stage)
		*stage = 1;
	fd = socket(AF_INET, type, rnd(&rng, 4) == 0 ? IPPROTO_TCP : 0);
	if (fd < 0)
		return fail_conn(res, "socket: %s", ename(errno));
	if (check_proto(fd, co.proto, res) != 0) {
		close(fd);
		return -1;
	}
	tcp_options(fd, &rng);
	if (stage)
		*stage = 2;
	server_addr(&sa, t, rnd(&rng, 16) == 0 && !in_child);
	if (stage)
		*stage = 3;
	if (connect_to(fd, &sa, rnd(&rng, 6) == 0, res) != 0) {
		close(fd);
		return -1;
	}
	if (check_proto(fd, t->proto, res) != 0) {
		close(fd);
		return -1;
	}
	if (rnd(&rng, 8) == 0) {
		/* A copy does the exchange; the original goes first (state follows dup()). */
		int copy = rnd(&rng, 2) ? dup(fd) : fcntl(fd, F_DUPFD_CLOEXEC, 0);

		if (copy < 0) {
			close(fd);
			return fail_conn(res, "dup: %s", ename(errno));
		}
		if (close(fd) != 0) {
			close(copy);
			return fail_conn(res, "close of the original after dup: %s", ename(errno));
		}
		fd = copy;
	}
	if (stage)
		*stage = 4;
	r = exchange(fd, pick_mode(&rng), co.maxlen, seed, buf, back, res);
	if (stage)
		*stage = 5;
	if (close(fd) != 0 && !res->error[0])
		return fail_conn(res, "close: %s", ename(errno));
	if (stage)
		*stage = 0;
	return r;
}

static const char *stage_name[] = { "idle", "socket", "options", "connect", "exchange", "close",
				     "fork/exec wait", "done" };

struct worker {
	pthread_t t;
	int id;
	_Atomic int stage;
	_Atomic long conn;
};

static _Atomic long completed;		/* connections done, for the watchdog */
static _Atomic long errors;
static _Atomic uint64_t total_sent, total_received;
static _Atomic bool workers_done;
static _Atomic long fork_children, fork_conns, exec_children, exec_conns;
static struct worker *workers;
static uint64_t base_seed;

static void report_error(const char *who, long conn, const struct conn_result *res)
{
	if (atomic_fetch_add(&errors, 1) < 20)
		say("stress: %s connection %ld: %s", who, conn, res->error);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(co.maxlen + HDR + 1), *back = malloc(co.maxlen + 1);
	struct conn_result res;
	char who[32];

	if (!buf || !back)
		abort();
	snprintf(who, sizeof(who), "thread %d", w->id);
	for (long c = 0; c < co.conns; c++) {
		w->conn = c;
		if (one_connection(rng_seed(base_seed + (uint64_t)w->id, (uint64_t)c),
				   &targets[(w->id + c) % n_targets], buf, back, &res, &w->stage) != 0)
			report_error(who, c, &res);
		atomic_fetch_add(&total_sent, res.sent);
		atomic_fetch_add(&total_received, res.received);
		atomic_fetch_add(&completed, 1);
	}
	w->stage = 7;
	free(buf);
	free(back);
	return NULL;
}

/*
 * Wait for child pid; its exit status, or -1 (and it is killed) if it did
 * not end in CHILD_WAIT_S: a deadlock after fork(), say which call.
 */
static int wait_child(pid_t pid, const char *what)
{
	double end = now() + CHILD_WAIT_S;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			say("stress: waitpid(%s %d): %s", what, (int)pid, ename(errno));
			return -1;
		}
		if (now() > end) {
			char path[64], wchan[128] = "?", sc[128] = "?";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
			if ((f = fopen(path, "r"))) {
				if (!fgets(wchan, sizeof(wchan), f))
					strcpy(wchan, "?");
				fclose(f);
			}
			snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
			if ((f = fopen(path, "r"))) {
				if (!fgets(sc, sizeof(sc), f))
					strcpy(sc, "?");
				sc[strcspn(sc, "\n")] = '\0';
				fclose(f);
			}
			say("stress: %s child %d hung for %d s (wchan %s, syscall %s): deadlock?",
			    what, (int)pid, CHILD_WAIT_S, wchan, sc);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
	if (WIFSIGNALED(st)) {
		say("stress: %s child %d killed by signal %d", what, (int)pid, WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

/*
 * fork() while the workers run; the child uses the shim's locks (resolver
 * table, half-close resolution, migration slots) that another thread may
 * have held at the fork: a socket and a TCP option, and every 4th child a
 * whole connection.  Exit status: 0 plain, 2 with a connection, 1 failed.
 */
static void *forker_main(void *arg)
{
	unsigned char *buf = malloc(co.maxlen + HDR + 1), *back = malloc(co.maxlen + 1);
	long n = 0;

	(void)arg;
	if (!buf || !back)
		abort();
	while (!workers_done) {
		pid_t pid = fork();

		if (pid < 0) {
			say("stress: fork: %s", ename(errno));
			atomic_fetch_add(&errors, 1);
			usleep(100000);
			continue;
		}
		if (pid == 0) {
			struct conn_result res;
			int one = 1, fd, code = 0;

			in_child = true;
			/*
			 * The other threads' connections are not the child's: a copy
			 * kept open would hold back their end of file (as on TCP).
			 */
			close_range(3, ~0U, 0);
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0) {
				say("stress: fork child %ld: socket: %s", n, ename(errno));
				_exit(1);
			}
			if (check_proto(fd, co.proto, &res) != 0 ||
			    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
			    close(fd) != 0) {
				say("stress: fork child %ld: %s", n, res.error[0] ? res.error : ename(errno));
				_exit(1);
			}
			if (n % 4 == 0) {
				if (one_connection(rng_seed(base_seed ^ 0xf0f0, (uint64_t)n),
						   &targets[n % n_targets], buf, back, &res, NULL) != 0) {
					say("stress: fork child %ld: %s", n, res.error);
					_exit(1);
				}
				code = 2;
			}
			_exit(code);
		}
		int st = wait_child(pid, "fork()ed");

		atomic_fetch_add(&fork_children, 1);
		if (st == 2) {
			atomic_fetch_add(&fork_conns, 1);
		} else if (st != 0) {
			if (st > 0)
				say("stress: fork()ed child %d: exit status %d", (int)pid, st);
			atomic_fetch_add(&errors, 1);
		}
		n++;
		if (co.interval)
			usleep((useconds_t)co.interval * 1000);
	}
	free(buf);
	free(back);
	return NULL;
}

/* fork() and exec() "stress one PORT[:PROTO] SEED MAXLEN HALF SOCKPROTO" while the workers run. */
static void *execer_main(void *arg)
{
	long n = 0;

	(void)arg;
	while (!workers_done) {
		const struct target *t = &targets[n % n_targets];
		char p[48], s[32], m[16], h[4], pr[8];
		pid_t pid;

		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &t->ip, ip, sizeof(ip));
		snprintf(p, sizeof(p), "%u:%d@%s", ntohs(t->port), t->proto, ip);
		snprintf(s, sizeof(s), "%llu", (unsigned long long)(base_seed ^ 0xe0e0) + (unsigned long long)n);
		snprintf(m, sizeof(m), "%u", co.maxlen);
		snprintf(h, sizeof(h), "%d", co.half_close);
		snprintf(pr, sizeof(pr), "%d", co.proto);
		pid = fork();
		if (pid < 0) {
			say("stress: fork: %s", ename(errno));
			atomic_fetch_add(&errors, 1);
			usleep(100000);
			continue;
		}
		if (pid == 0) {
			char *argv[] = { self, "one", p, s, m, h, pr, NULL };

			/* (Not close_range(): the raw call, as a program may make it.) */
			syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
			execv(self, argv);
			_exit(127);
		}
		atomic_fetch_add(&exec_children, 1);
		int st = wait_child(pid, "exec()ed");

		if (st == 0) {
			atomic_fetch_add(&exec_conns, 1);
		} else {
			if (st > 0)
				say("stress: exec()ed child %d (%s %s): exit status %d", (int)pid, p, s, st);
			atomic_fetch_add(&errors, 1);
		}
		n++;
		if (co.interval)
			usleep((useconds_t)co.interval * 1000);
	}
	return NULL;
}

static void *watchdog_main(void *arg)
{
	double start = now(), last_change = start, last_said = start;
	long last = -1;

	(void)arg;
	for (;;) {
		sleep(1);
		long c = completed;

		if (co.progress && now() - last_said >= co.progress) {
			last_said = now();
			say("stress: %.0f s: %ld connections, %ld forks, %ld execs, %ld errors",
			    last_said - start, c, (long)fork_children, (long)exec_children,
			    (long)errors);
		}

		if (c != last) {
			last = c;
			last_change = now();
		}
		double t = now();

		if (t - last_change >= co.stall || t - start >= co.total) {
			say("stress: WATCHDOG: %s after %.0f s; %ld connections done; threads:",
			    t - start >= co.total ? "time limit" : "no progress", t - start, c);
			for (int i = 0; i < co.threads; i++)
				if (workers[i].stage != 7)
					say("stress:   thread %d: connection %ld, %s", i,
					    (long)workers[i].conn, stage_name[workers[i].stage]);
			_exit(3);
		}
	}
	return NULL;
}

/* The quit/statistics request to the server on port to: its "served=N errors=E". */
static int ask_server(const struct target *to, bool quit, long *served, long *serrors)
{
	struct sockaddr_in sa;
	struct conn_result res;
	unsigned char hdr[HDR] = { 'Q' };
	char text[128];
	uint64_t rng = 1;
	ssize_t r;
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	put32(hdr + 4, quit);
	server_addr(&sa, to, false);
	if (fd < 0 || connect_to(fd, &sa, false, &res) != 0 || write_full(fd, hdr, HDR, 0, &rng) != 0) {
		say("stress: the statistics request to port %u failed: %s", ntohs(to->port),
		    fd < 0 ? ename(errno) : res.error);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got < sizeof(text) - 1 && (r = read(fd, text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)r;
	text[got] = '\0';
	close(fd);
	if (sscanf(text, "served=%ld errors=%ld", served, serrors) != 2) {
		say("stress: the server on port %u answered '%s'", ntohs(to->port), text);
		return -1;
	}
	return 0;
}

/* Every server once (a port may be given twice): the sums of their answers. */
static int ask_servers(bool quit, long *served, long *serrors)
{
	int bad = 0;

	*served = *serrors = 0;
	for (int i = 0; i < n_targets; i++) {
		bool seen = false;
		long s = 0, e = 0;

		for (int j = 0; j < i; j++)
			seen = seen || targets[j].port == targets[i].port;
		if (seen)
			continue;
		if (ask_server(&targets[i], quit, &s, &e) != 0)
			bad = -1;
		*served += s;
		*serrors += e;
	}
	return bad;
}

/* "PORT[:PROTO][@IP][,...]" into targets[]; false if it is not that. */
static bool parse_targets(const char *arg)
{
	char *end;

	n_targets = 0;
	for (const char *p = arg; *p;) {
		long v = strtol(p, &end, 10);

		if (end == p || v <= 0 || v > 65535 || n_targets == MAX_TARGETS)
			return false;
		targets[n_targets].port = htons((in_port_t)v);
		targets[n_targets].proto = 0;
		p = end;
		if (*p == ':') {
			v = strtol(p + 1, &end, 10);
			if (end == p + 1 || v < 0 || v > 255)
				return false;
			targets[n_targets].proto = (int)v;
			p = end;
		}
		targets[n_targets].ip.s_addr = htonl(INADDR_LOOPBACK);
		if (*p == '@') {
			char ip[INET_ADDRSTRLEN];
			size_t n = strcspn(p + 1, ",");

			if (n >= sizeof(ip))
				return false;
			memcpy(ip, p + 1, n);
			ip[n] = '\0';
			if (inet_pton(AF_INET, ip, &targets[n_targets].ip) != 1)
				return false;
			p += 1 + n;
		}
		n_targets++;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return n_targets > 0;
}

static int client(const char *where, int argc, char **argv)
{
	pthread_t fk, ex, wd;
	int opt;

	if (!parse_targets(where)) {
		fprintf(stderr, "stress: bad PORT[:PROTO],... '%s'\n", where);
		return 2;
	}
	while ((opt = getopt(argc, argv, "t:n:m:fxp:r:H:w:T:qP:i:")) != -1) {
		switch (opt) {
		case 't': co.threads = atoi(optarg); break;
		case 'n': co.conns = atoi(optarg); break;
		case 'm': co.maxlen = (unsigned)atoi(optarg); break;
		case 'f': co.fork = true; break;
		case 'x': co.exec = true; break;
		case 'p': co.proto = atoi(optarg); break;
		case 'r': co.name = *optarg ? optarg : NULL; break;
		case 'H': co.half_close = atoi(optarg) != 0; break;
		case 'w': co.stall = atoi(optarg); break;
		case 'T': co.total = atoi(optarg); break;
		case 'q': co.quit = true; break;
		case 'P': co.progress = atoi(optarg); break;
		case 'i': co.interval = atoi(optarg); break;
		default: return 2;
		}
	}
	if (co.threads < 1 || co.conns < 0 || co.maxlen > SERVER_MAX || co.interval < 0)
		return 2;
	base_seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	/* The servers are there (and the first socket is made by one thread only). */
	long s0, e0;

	if (ask_servers(false, &s0, &e0) != 0)
		return 1;
	workers = calloc((size_t)co.threads, sizeof(*workers));
	if (!workers)
		abort();
	double start = now();

	pthread_create(&wd, NULL, watchdog_main, NULL);
	for (int i = 0; i < co.threads; i++) {
		workers[i].id = i;
		if (pthread_create(&workers[i].t, NULL, worker_main, &workers[i]) != 0) {
			say("stress: pthread_create: thread %d", i);
			return 1;
		}
	}
	if (co.fork)
		pthread_create(&fk, NULL, forker_main, NULL);
	if (co.exec)
		pthread_create(&ex, NULL, execer_main, NULL);
	for (int i = 0; i < co.threads; i++)
		pthread_join(workers[i].t, NULL);
	workers_done = true;
	if (co.fork)
		pthread_join(fk, NULL);
	if (co.exec)
		pthread_join(ex, NULL);
	double took = now() - start;
	long conns = (long)co.threads * co.conns, served = -1, serr = -1;
	long all = conns + fork_conns + exec_conns;

	if (ask_servers(co.quit, &served, &serr) != 0)
		atomic_fetch_add(&errors, 1);
	else if (served - s0 != all || serr != 0) {
		say("stress: the servers served %ld connections with %ld errors; the client made %ld",
		    served - s0, serr, all);
		atomic_fetch_add(&errors, 1);
	}
	printf("stress: threads=%d per_thread=%d connections=%ld forks=%ld fork_connections=%ld "
	       "execs=%ld exec_connections=%ld total=%ld served=%ld bytes_sent=%llu "
	       "bytes_received=%llu duration=%.1fs rate=%.0f/s errors=%ld\n", co.threads, co.conns,
	       conns, (long)fork_children, (long)fork_conns, (long)exec_children,
	       (long)exec_conns, all, served - s0, (unsigned long long)total_sent,
	       (unsigned long long)total_received, took, took > 0 ? all / took : 0.0,
	       (long)errors);
	fflush(stdout);
	return errors ? 1 : 0;
}

/* "stress one PORT[:PROTO] SEED MAXLEN HALF SOCKPROTO": one connection, for the exec()ing thread. */
static int one(char **argv)
{
	unsigned char *buf, *back;
	struct conn_result res;

	alarm(CHILD_WAIT_S);
	if (!parse_targets(argv[2]) || n_targets != 1)
		return 2;
	co.maxlen = (unsigned)atoi(argv[4]);
	co.half_close = atoi(argv[5]) != 0;
	co.proto = atoi(argv[6]);
	if (co.maxlen > SERVER_MAX)
		return 2;
	buf = malloc(co.maxlen + HDR + 1);
	back = malloc(co.maxlen + 1);
	if (!buf || !back)
		return 1;
	if (one_connection(strtoull(argv[3], NULL, 10), &targets[0], buf, back, &res, NULL) != 0) {
		say("stress: exec()ed child: %s", res.error);
		return 1;
	}
	return 0;
}

/* ---------- the server ---------- */

static int lfd;
static int fork_every, exec_every;
static int accepted_proto;	/* -a: what SO_PROTOCOL must say of each accepted socket */
static struct in_addr listen_ip;	/* -A */
static _Atomic long s_conns, s_bytes_in, s_bytes_out, s_errors, s_active, s_accepted;
static _Atomic long s_forks, s_execs;
static _Atomic bool quitting;

static int serve_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int serve_fail(const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("stress server[%d]: %s", (int)getpid(), msg);
	return -1;
}

/* The answer to a 'Q': wait for the other connections to finish first. */
static int serve_quit(int fd, uint32_t quit)
{
	char text[128];
	double end = now() + 20;
	int n;

	while (s_active > 1 && now() < end)
		usleep(10000);
	if (s_active > 1) {
		serve_fail("%ld connections still open 20 s after the client finished",
			   (long)s_active - 1);
		atomic_fetch_add(&s_errors, 1);
	}
	n = snprintf(text, sizeof(text), "served=%ld errors=%ld", (long)s_conns, (long)s_errors);
	if (write(fd, text, (size_t)n) != n)
		return -1;
	if (quit) {
		quitting = true;
		/* Wakes every thread blocked in accept(), as on TCP (the shim's shutdown.c). */
		if (shutdown(lfd, SHUT_RDWR) != 0)
			serve_fail("shutdown of the listener: %s", ename(errno));
	}
	return 1;
}

/*
 * Serve one connection: 0 done (a data connection), 1 a statistics
 * request, -1 an error (said).  buf holds SERVER_MAX bytes.
 */
static int serve(int fd, unsigned char *buf, uint64_t seed)
{
	uint64_t rng = rng_seed(seed, 5), sum = FNV0;
	unsigned char hdr[HDR], tr[TRAILER];
	uint32_t len, got = 0;
	unsigned mode;
	ssize_t r;

	if (read_full(fd, hdr, HDR, &rng) != 0)
		return serve_fail("header: %s", errno ? ename(errno) : "early end of file");
	mode = hdr[0];
	len = get32(hdr + 4);
	if (mode == 'Q')
		return serve_quit(fd, len);
	if ((mode != 'E' && mode != 'H' && mode != 'W') || len > SERVER_MAX ||
	    (mode == 'E' && len > ECHO_MAX))
		return serve_fail("bad header: mode 0x%02x, length %u", mode, len);
	switch (mode) {
	case 'E':
		while (got < len) {
			size_t want = len - got;

			if (rnd(&rng, 4) == 0)
				want = 1 + rnd(&rng, len - got < 16384 ? len - got : 16384);

			r = read_some(fd, buf, want, rnd(&rng, 6));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return serve_fail("mode E: read after %u of %u bytes: %s", got, len,
						  r ? ename(errno) : "early end of file");
			sum = fnv(sum, buf, (size_t)r);
			got += (uint32_t)r;
			if (write_full(fd, buf, (size_t)r, 0, &rng) != 0)
				return serve_fail("mode E: echo write: %s", ename(errno));
		}
		break;
	case 'H':
		for (;;) {
			r = read_some(fd, buf, 1 + rnd(&rng, 65536), rnd(&rng, 6));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return serve_fail("mode H: read after %u bytes: %s", got, ename(errno));
			if (r == 0)
				break;
			if ((uint64_t)got + (uint64_t)r > SERVER_MAX)
				return serve_fail("mode H: more than %d bytes", SERVER_MAX);
			sum = fnv(sum, buf, (size_t)r);
			got += (uint32_t)r;
		}
		if (got != len)
			serve_fail("mode H: %u bytes before end of file, %u announced", got, len);
		break;
	default:
		got = 0;
		if (len > 0) {
			do
				r = recv(fd, buf, len, MSG_WAITALL);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return serve_fail("mode W: recv(MSG_WAITALL, %u): %s", len, ename(errno));
			if ((uint32_t)r != len)
				return serve_fail("mode W: recv(MSG_WAITALL, %u) returned %zd", len, r);
			got = len;
			sum = fnv(sum, buf, len);
		}
		break;
	}
	put32(tr, got);
	put32(tr + 4, 0);
	put64(tr + 8, sum);
	if (write_full(fd, tr, TRAILER, 0, &rng) != 0)
		return serve_fail("mode %c: trailer write: %s", mode, ename(errno));
	atomic_fetch_add(&s_bytes_in, (long)got + HDR);
	atomic_fetch_add(&s_bytes_out, (long)TRAILER + (mode == 'E' ? (long)got : 0));
	if (mode != 'H') {
		/* The client closes after the trailer: end of file, and nothing else. */
		do
			r = read(fd, hdr, 1);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return serve_fail("mode %c: after the exchange %s", mode,
					  r > 0 ? "a stray byte" : ename(errno));
	}
	return got == len ? 0 : -1;
}

/* The connection on fd 0, in a process exec()ed by the server (inetd style). */
static int serve_fd(void)
{
	unsigned char *buf = malloc(SERVER_MAX);

	alarm(CHILD_WAIT_S);
	if (!buf)
		return 1;
	return serve(0, buf, (uint64_t)getpid()) == 0 ? 0 : 1;
}

/* Hand connection fd to a fork()ed child, which serves it (exec: as "serve-fd"). */
static int serve_in_child(int fd, unsigned char *buf, uint64_t seed, bool exec)
{
	pid_t pid = fork();

	if (pid < 0)
		return serve_fail("fork: %s", ename(errno));
	if (pid == 0) {
		/* Only this connection: copies of the others would hold back their end of file. */
		if (fd > 3)
			close_range(3, (unsigned)fd - 1, 0);
		close_range((unsigned)fd + 1, ~0U, 0);
		if (!exec)
			_exit(serve(fd, buf, seed) == 0 ? 0 : 1);
		if (dup2(fd, 0) != 0)
			_exit(1);
		close(fd);
		char *argv[] = { self, "serve-fd", NULL };

		execv(self, argv);
		_exit(127);
	}
	close(fd);
	atomic_fetch_add(exec ? &s_execs : &s_forks, 1);
	return wait_child(pid, exec ? "server exec()ed" : "server fork()ed") == 0 ? 0 : -1;
}

static void *acceptor_main(void *arg)
{
	unsigned char *buf = malloc(SERVER_MAX);
	long id = (long)(intptr_t)arg, k = 0;

	if (!buf)
		abort();
	while (!quitting) {
		int fd = (k++ & 1) ? accept(lfd, NULL, NULL)
				   : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (quitting)
				break;
			if (errno != EINTR && errno != ECONNABORTED) {
				serve_fail("accept: %s", ename(errno));
				atomic_fetch_add(&s_errors, 1);
				usleep(10000);
			}
			continue;
		}
		long n = atomic_fetch_add(&s_accepted, 1) + 1;
		int one = 1, proto = -1;
		socklen_t plen = sizeof(proto);

		if (accepted_proto &&
		    (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) != 0 ||
		     proto != accepted_proto)) {
			serve_fail("accepted socket of protocol %d, expected %d", proto,
				   accepted_proto);
			atomic_fetch_add(&s_errors, 1);
		}

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		uint64_t seed = rng_seed((uint64_t)id, (uint64_t)k);
		int r;

		bool ex = exec_every && n % exec_every == 0, fk = fork_every && n % fork_every == 0;
		unsigned char first = 0;

		atomic_fetch_add(&s_active, 1);
		/* A statistics request is answered here, where the counters are. */
		if ((ex || fk) && recv(fd, &first, 1, MSG_PEEK) == 1 && first != 'Q')
			r = serve_in_child(fd, buf, seed, ex);
		else {
			r = serve(fd, buf, seed);
			close(fd);
		}
		if (r == 0)
			atomic_fetch_add(&s_conns, 1);
		else if (r < 0)
			atomic_fetch_add(&s_errors, 1);
		atomic_fetch_sub(&s_active, 1);
	}
	free(buf);
	return NULL;
}

static int server(int argc, char **argv)
{
	int threads = 80, opt, one = 1;
	bool reuseport = false;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	listen_ip.s_addr = htonl(INADDR_LOOPBACK);
	while ((opt = getopt(argc, argv, "t:F:X:a:RA:")) != -1) {
		switch (opt) {
		case 'A':
			if (inet_pton(AF_INET, optarg, &listen_ip) != 1)
				return 2;
			break;
		case 't': threads = atoi(optarg); break;
		case 'a': accepted_proto = atoi(optarg); break;
		case 'R': reuseport = true; break;
		case 'F': fork_every = atoi(optarg); break;
		case 'X': exec_every = atoi(optarg); break;
		default: return 2;
		}
	}
	sa.sin_addr = listen_ip;
	sa.sin_port = port;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (reuseport && setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1024) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
		say("stress server: listen: %s", ename(errno));
		return 1;
	}
	int p = -1;

	len = sizeof(p);
	getsockopt(lfd, SOL_SOCKET, SO_PROTOCOL, &p, &len);
	printf("port=%u proto=%d\n", ntohs(sa.sin_port), p);
	fflush(stdout);

	pthread_t *t = calloc((size_t)threads, sizeof(*t));

	if (!t)
		abort();
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, acceptor_main, (void *)(intptr_t)i) != 0) {
			say("stress server: pthread_create");
			return 1;
		}
	/* Until a quit request; then every acceptor must wake up (listener shutdown). */
	while (!quitting)
		usleep(50000);
	for (int i = 0; i < threads; i++) {
		struct timespec end;

		clock_gettime(CLOCK_REALTIME, &end);
		end.tv_sec += 10;
		if (pthread_timedjoin_np(t[i], NULL, &end) != 0) {
			say("stress server: thread %d still blocked in accept() 10 s after the "
			    "listener's shutdown()", i);
			atomic_fetch_add(&s_errors, 1);
			break;
		}
	}
	printf("server: connections=%ld forked=%ld execed=%ld bytes_in=%ld bytes_out=%ld errors=%ld\n",
	       (long)s_conns, (long)s_forks, (long)s_execs, (long)s_bytes_in, (long)s_bytes_out,
	       (long)s_errors);
	fflush(stdout);
	return s_errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0 || argc < 2)
		goto usage;
	self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "serve-fd") == 0)
		return serve_fd();
	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "server") == 0) {
		port = htons((in_port_t)atoi(argv[2]));
		return server(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "client") == 0)
		return client(argv[2], argc - 2, argv + 2);
	if (strcmp(argv[1], "one") == 0 && argc == 7)
		return one(argv);
usage:
	fprintf(stderr, "usage: stress server PORT [-t THREADS] [-F N] [-X N] [-a PROTO] [-R] [-A IP]\n"
			"       stress client PORT[:PROTO][@IP][,...] [-t THREADS] [-n CONNS] [-m MAXLEN] "
			"[-f] [-x] [-i MS] [-p PROTO] [-r NAME] [-H 0|1] [-w STALL_S] [-T TOTAL_S] "
			"[-q] [-P S]\n");
	return 2;
}
