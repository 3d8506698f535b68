/*
 * bench.c - the workloads of "make bench", as one small TCP program.
 *
 * Run plainly it is a TCP program; under sctpize (or withsctp) the same
 * binary runs over SCTP.  With BENCH_NATIVE=1 it asks for IPPROTO_SCTP
 * itself, as a native SCTP program would; BENCH_SNDBUF and BENCH_RCVBUF
 * (bytes, as given to SO_SNDBUF) and BENCH_SACK (ms, SCTP_DELAYED_SACK) then
 * tune its sockets before they connect or listen: the native program with
 * sctpize's settings, or at its best.  Server and client are the two halves
 * of one process tree (fork), on 127.0.0.1.
 *
 *   bench probe                    the settings a connected socket got
 *   bench bulk WSIZE SECS          one connection, writes of WSIZE bytes for
 *                                  SECS seconds: MB/s at the receiver
 *   bench rr SECS MAX NODELAY      request (two writes, 20 + 80 bytes) and
 *                                  response (64 bytes), at most MAX or SECS:
 *                                  mean, median and p99 round trip in us
 *   bench setup SECS CLIENTS       CLIENTS processes connect, send 16 bytes,
 *                                  read 16 back and close, to an iterative
 *                                  server, for SECS: connections per second
 *   bench multi CONNS SECS         CONNS concurrent connections, a thread per
 *                                  connection at each end, 64 KiB writes:
 *                                  MB/s, CPU seconds per GB, fairness
 *   bench calls N                  N of each intercepted call, each phase
 *                                  between callgrind toggles and dumps (for
 *                                  instruction counts) and after a marker
 *                                  system call (for strace): see calls()
 *   bench spawn N PRELOAD PROG...  fork+exec PROG N times with LD_PRELOAD set
 *                                  to PRELOAD ("-": none): us per exec
 *
 * Each mode prints its result as one line of key=value pairs; a failure is
 * a line "error=WHAT:REASON" and exit status 1.  "proto=" is what the
 * kernel says the data socket is (asked with a raw system call, past any
 * preload), so a run that silently stayed on TCP is caught.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#else
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#define HAVE_CALLGRIND 0
#endif

extern char **environ;

static int proto;		/* 0 (TCP, or what a preload makes of it) or IPPROTO_SCTP */

/* Shared between the processes of one run. */
static struct shared {
	char error[256];	/* the first failure of any process */
	atomic_long count;	/* setup: connections completed */
	atomic_int proto;	/* setup: what the clients' sockets were */
} *sh;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Report a failure (once, for the whole tree) and end this process. */
static void die(const char *what)
{
	char msg[256];
	int e = errno;

	snprintf(msg, sizeof(msg), "%s:%s", what, strerror(e));
	for (char *p = msg; *p; p++)
		if (*p == ' ')
			*p = '_';
	if (sh && !sh->error[0])
		snprintf(sh->error, sizeof(sh->error), "%s", msg);
	dprintf(1, "error=%s\n", sh && sh->error[0] ? sh->error : msg);
	_exit(1);
}

/* A child that dies with its parent (a timeout kills only the parent). */
static pid_t child(void)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return p;
}

/* Wait for a child; a failed child fails the run with its own reason. */
static void reap(pid_t p, struct rusage *ru)
{
	int st;

	while (wait4(p, &st, 0, ru) < 0)
		if (errno != EINTR)
			die("wait");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (!sh->error[0])
			snprintf(sh->error, sizeof(sh->error), "peer_process:status_%d", st);
		dprintf(1, "error=%s\n", sh->error);
		exit(1);
	}
}

/* What the kernel says the socket is, past any preload's getsockopt(). */
static const char *kernel_proto(int fd)
{
	int p = 0;
	socklen_t len = sizeof(p);

	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PROTOCOL, &p, &len) != 0)
		return "unknown";
	return p == IPPROTO_SCTP ? "sctp" : p == IPPROTO_TCP ? "tcp" : "other";
}

static int raw_getsockopt(int fd, int level, int opt, void *v, socklen_t len)
{
	return (int)syscall(SYS_getsockopt, fd, level, opt, v, &len);
}

static void set_buf(int fd, int force, int plain, const char *env)
{
	const char *s = getenv(env);
	int b;

	if (!s || !*s)
		return;
	b = atoi(s);
	if (setsockopt(fd, SOL_SOCKET, force, &b, sizeof(b)) != 0)
		setsockopt(fd, SOL_SOCKET, plain, &b, sizeof(b));
}

/* The native program's tuning (BENCH_SNDBUF, BENCH_RCVBUF, BENCH_SACK). */
static void tune(int fd)
{
	const char *sack = getenv("BENCH_SACK");

	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, "BENCH_SNDBUF");
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, "BENCH_RCVBUF");
	if (sack && *sack && proto == IPPROTO_SCTP) {
		struct sctp_sack_info si = { .sack_delay = (uint32_t)atoi(sack) };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si)) != 0)
			die("setsockopt(SCTP_DELAYED_SACK)");
	}
}

/* TCP_NODELAY, or for the native program its SCTP equivalent. */
static void nodelay_on(int fd)
{
	int one = 1;

	if (proto == IPPROTO_SCTP)
		setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, proto);

	if (fd < 0)
		die("socket");
	tune(fd);
	return fd;
}

static int listener(struct sockaddr_in *a, int backlog)
{
	socklen_t len = sizeof(*a);
	int fd = new_socket(), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) != 0)
		die("bind");
	if (getsockname(fd, (struct sockaddr *)a, &len) != 0)
		die("getsockname");
	if (listen(fd, backlog) != 0)
		die("listen");
	return fd;
}

static int dial(const struct sockaddr_in *a, int nodelay)
{
	int fd = new_socket();

	if (nodelay)
		nodelay_on(fd);
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) != 0)
		die("connect");
	return fd;
}

static int take(int l)
{
	int fd;

	while ((fd = accept(l, NULL, NULL)) < 0)
		if (errno != EINTR)
			die("accept");
	return fd;
}

static void write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("write");
		b += r;
		n -= (size_t)r;
	}
}

/* Read exactly n bytes; false at end of file. */
static int read_full(int fd, char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0)
			return 0;
		b += r;
		n -= (size_t)r;
	}
	return 1;
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p)
		die("malloc");
	return p;
}

static double cpu_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec +
	       ((double)ru->ru_utime.tv_usec + (double)ru->ru_stime.tv_usec) / 1e6;
}

/* ---------------------------------------------------------------- probe */

static void probe(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 8), c = dial(&a, 0), s = take(l);
	int csnd = 0, crcv = 0, ssnd = 0, srcv = 0, nd = 0;
	struct sctp_sack_info si = { 0 };

	raw_getsockopt(c, SOL_SOCKET, SO_SNDBUF, &csnd, sizeof(csnd));
	raw_getsockopt(c, SOL_SOCKET, SO_RCVBUF, &crcv, sizeof(crcv));
	raw_getsockopt(s, SOL_SOCKET, SO_SNDBUF, &ssnd, sizeof(ssnd));
	raw_getsockopt(s, SOL_SOCKET, SO_RCVBUF, &srcv, sizeof(srcv));
	if (!strcmp(kernel_proto(c), "sctp")) {
		raw_getsockopt(c, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si));
		raw_getsockopt(c, IPPROTO_SCTP, SCTP_NODELAY, &nd, sizeof(nd));
	} else {
		raw_getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, sizeof(nd));
	}
	/* The kernel reports twice what SO_SNDBUF/SO_RCVBUF were given. */
	printf("proto=%s sndbuf=%d rcvbuf=%d accepted_sndbuf=%d accepted_rcvbuf=%d "
	       "sack_delay=%u sack_freq=%u nodelay=%d\n",
	       kernel_proto(c), csnd, crcv, ssnd, srcv, si.sack_delay, si.sack_freq, nd);
}

/* ----------------------------------------------------------------- bulk */

static void bulk(size_t wsize, double secs)
{
	struct sockaddr_in a;
	int l = listener(&a, 8), s;
	size_t rsize = 128 << 10;
	char *buf = xmalloc(rsize);
	long got = 0, reads = 0;
	ssize_t r;
	double t0, t;
	pid_t p;

	p = child();
	if (p == 0) {
		int c = dial(&a, 0);
		char *w = xmalloc(wsize);
		double end = now() + secs;

		while (now() < end)
			write_all(c, w, wsize);
		close(c);
		_exit(0);
	}
	s = take(l);
	t0 = now();
	while ((r = read(s, buf, rsize)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		got += r;
		reads++;
	}
	t = now() - t0;
	reap(p, NULL);
	printf("proto=%s mbps=%.1f bytes=%ld reads=%ld secs=%.2f\n", kernel_proto(s),
	       (double)got / t / 1e6, got, reads, t);
}

/* ------------------------------------------------------------------- rr */

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define WARMUP 20

static void rr(double secs, long max, int nodelay)
{
	struct sockaddr_in a;
	int l = listener(&a, 8), c;
	double *t = xmalloc(sizeof(double) * (size_t)max), sum = 0, end;
	char b[256];
	const char *kind;
	long n = 0;
	pid_t p;

	p = child();
	if (p == 0) {
		int s = take(l);

		if (nodelay)
			nodelay_on(s);
		while (read_full(s, b, 100))
			write_all(s, b, 64);
		_exit(0);
	}
	c = dial(&a, nodelay);
	memset(b, 'x', sizeof(b));
	for (int i = 0; i < WARMUP; i++) {
		write_all(c, b, 20);
		write_all(c, b, 80);
		if (!read_full(c, b, 64))
			die("read:early_eof");
	}
	end = now() + secs;
	while (n < max && now() < end) {
		double t0 = now();

		write_all(c, b, 20);
		write_all(c, b, 80);
		if (!read_full(c, b, 64))
			die("read:early_eof");
		t[n] = (now() - t0) * 1e6;
		sum += t[n++];
	}
	kind = kernel_proto(c);
	close(c);
	reap(p, NULL);
	if (n == 0) {
		errno = ETIMEDOUT;
		die("rr:no_round_trip");
	}
	qsort(t, (size_t)n, sizeof(double), cmp);
	printf("proto=%s mean_us=%.1f median_us=%.1f p99_us=%.1f count=%ld\n", kind,
	       sum / (double)n, t[n / 2], t[n * 99 / 100], n);
}

/* ---------------------------------------------------------------- setup */

static void setup(double secs, int clients)
{
	struct sockaddr_in a;
	int l = listener(&a, 1024), go[2];
	pid_t server, *cl = xmalloc(sizeof(pid_t) * (size_t)clients);
	char b[16] = { 0 };
	double t0, t;

	server = child();
	if (server == 0) {
		for (;;) {
			int s = take(l);

			if (read_full(s, b, sizeof(b)))
				write_all(s, b, sizeof(b));
			close(s);
		}
	}
	close(l);
	if (pipe(go) != 0)
		die("pipe");
	for (int i = 0; i < clients; i++) {
		cl[i] = child();
		if (cl[i] == 0) {
			double end;

			close(go[1]);
			if (read(go[0], b, 1) != 0)	/* all start together */
				die("start");
			end = now() + secs;
			while (now() < end) {
				int c = dial(&a, 0);

				if (atomic_load(&sh->proto) == 0)
					atomic_store(&sh->proto, strcmp(kernel_proto(c), "sctp") ? 1 : 2);
				write_all(c, b, sizeof(b));
				if (!read_full(c, b, sizeof(b)))
					die("read:early_eof");
				close(c);
				atomic_fetch_add(&sh->count, 1);
			}
			_exit(0);
		}
	}
	t0 = now();
	close(go[1]);
	for (int i = 0; i < clients; i++)
		reap(cl[i], NULL);
	t = now() - t0;
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	printf("proto=%s conns_per_s=%.0f conns=%ld secs=%.2f\n",
	       atomic_load(&sh->proto) == 2 ? "sctp" : atomic_load(&sh->proto) == 1 ? "tcp" : "none",
	       (double)atomic_load(&sh->count) / t, atomic_load(&sh->count), t);
}

/* ---------------------------------------------------------------- multi */

struct job {
	int fd;
	long bytes;
	double end;
};

static void *drain(void *p)
{
	struct job *j = p;
	char *buf = xmalloc(1 << 16);
	ssize_t r;

	while ((r = read(j->fd, buf, 1 << 16)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		j->bytes += r;
	}
	free(buf);
	return NULL;
}

static void *fill(void *p)
{
	struct job *j = p;
	char *buf = xmalloc(1 << 16);

	while (now() < j->end)
		write_all(j->fd, buf, 1 << 16);
	close(j->fd);
	free(buf);
	return NULL;
}

/* A thread per job, with small stacks: 256 of them at each end. */
static void run_threads(struct job *jobs, int n, void *(*fn)(void *))
{
	pthread_t *th = xmalloc(sizeof(pthread_t) * (size_t)n);
	pthread_attr_t at;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 << 10);
	for (int i = 0; i < n; i++)
		if ((errno = pthread_create(&th[i], &at, fn, &jobs[i])) != 0)
			die("pthread_create");
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
}

static void multi(int conns, double secs)
{
	struct sockaddr_in a;
	int l = listener(&a, conns + 16);
	struct job *jobs = xmalloc(sizeof(*jobs) * (size_t)conns);
	struct rusage self, kid;
	long total = 0, least = -1;
	double t0, t, cpu;
	pid_t p;

	p = child();
	if (p == 0) {
		for (int i = 0; i < conns; i++)
			jobs[i].fd = dial(&a, 0);
		for (int i = 0; i < conns; i++)
			jobs[i].end = now() + secs;
		run_threads(jobs, conns, fill);
		_exit(0);
	}
	for (int i = 0; i < conns; i++)
		jobs[i].fd = take(l);
	t0 = now();
	run_threads(jobs, conns, drain);
	t = now() - t0;
	reap(p, &kid);
	getrusage(RUSAGE_SELF, &self);
	cpu = cpu_seconds(&self) + cpu_seconds(&kid);
	for (int i = 0; i < conns; i++) {
		total += jobs[i].bytes;
		if (least < 0 || jobs[i].bytes < least)
			least = jobs[i].bytes;
	}
	printf("proto=%s mbps=%.1f cpu_s_per_gb=%.2f cpu_util=%.2f fairness=%.2f bytes=%ld secs=%.2f\n",
	       kernel_proto(jobs[0].fd), (double)total / t / 1e6, cpu / ((double)total / 1e9),
	       cpu / t, (double)least * conns / (double)(total ? total : 1), total, t);
}

/* ---------------------------------------------------------------- calls */

/*
 * Each phase makes N calls of one kind.  Only the calls themselves are
 * counted by callgrind (run with --collect-atstart=no: each call sits
 * between two toggles), and each phase ends with a dump named after it, so
 * the dump's total divided by its calls is the cost of one call, the same
 * loop under the preload and without it.  For strace, each phase starts
 * with a marker: access("/bench-phase/NAME"), which no preload wraps.
 * Phases whose calls need others between them (a read after each large
 * write) make those others outside the toggles; strace sees them.
 */
#define COUNTED(expr)                   \
	do {                            \
		CALLGRIND_TOGGLE_COLLECT; \
		expr;                   \
		CALLGRIND_TOGGLE_COLLECT; \
	} while (0)

static void phase(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/bench-phase/%s", name);
	syscall(SYS_access, path, F_OK);
}

static void phase_end(const char *name, long calls)
{
	CALLGRIND_DUMP_STATS_AT(name);
	printf("phase=%s calls=%ld\n", name, calls);
}

static void calls(long n)
{
	struct sockaddr_in a;
	int l = listener(&a, (int)n + 16), c, s, one = 1, v;
	int *fds = xmalloc(sizeof(int) * (size_t)n), *acc = xmalloc(sizeof(int) * (size_t)n);
	socklen_t vl = sizeof(v);
	int lvl = proto == IPPROTO_SCTP ? IPPROTO_SCTP : IPPROTO_TCP;
	int opt = proto == IPPROTO_SCTP ? SCTP_NODELAY : TCP_NODELAY;
	size_t big = 64 << 10;
	char *b = xmalloc(big);
	long k;
	ssize_t r = 0;
	int ok = 1;

	c = dial(&a, 0);
	s = take(l);
	/* Warm up every path once: first calls resolve symbols and start the preload. */
	for (int i = 0; i < 3; i++) {
		int d = dial(&a, 0);

		close(take(l));
		close(d);
		setsockopt(c, lvl, opt, &one, sizeof(one));
		getsockopt(c, lvl, opt, &v, &vl);
		write_all(c, b, 64);
		read_full(s, b, 64);
		write_all(c, b, big);
		read_full(s, b, big);
	}

	phase("socket");
	for (long i = 0; i < n; i++)
		COUNTED(fds[i] = socket(AF_INET, SOCK_STREAM, proto));
	phase_end("socket", n);
	for (long i = 0; i < n; i++)
		if (fds[i] < 0)
			die("socket");

	phase("connect");
	for (long i = 0; i < n; i++)
		COUNTED(r = connect(fds[i], (struct sockaddr *)&a, sizeof(a)));
	phase_end("connect", n);
	if (r != 0)
		die("connect");

	phase("accept");
	for (long i = 0; i < n; i++)
		COUNTED(acc[i] = accept(l, NULL, NULL));
	phase_end("accept", n);
	if (acc[n - 1] < 0)
		die("accept");

	phase("setsockopt");
	for (long i = 0; i < n; i++)
		COUNTED(r = setsockopt(c, lvl, opt, &one, sizeof(one)));
	phase_end("setsockopt", n);
	if (r != 0)
		die("setsockopt");

	phase("getsockopt");
	for (long i = 0; i < n; i++)
		COUNTED(r = getsockopt(c, lvl, opt, &v, &vl));
	phase_end("getsockopt", n);
	if (r != 0)
		die("getsockopt");

	phase("write");
	for (long i = 0; i < n; i++)
		COUNTED(ok &= write(c, b, 64) == 64);
	phase_end("write", n);
	if (!ok)
		die("write");

	phase("read");
	for (long i = 0; i < n; i++)
		COUNTED(ok &= read(s, b, 64) == 64);
	phase_end("read", n);
	if (!ok)
		die("read");

	/* Large writes: each followed by uncounted reads of it. */
	phase("write64k");
	for (long i = 0; i < n / 4; i++) {
		COUNTED(ok &= write(c, b, big) == (ssize_t)big);
		read_full(s, b, big);
	}
	phase_end("write64k", n / 4);
	if (!ok)
		die("write64k");

	/* Large reads: as many as the message takes (one, normally), each counted. */
	phase("read64k");
	k = 0;
	for (long i = 0; i < n / 4; i++) {
		size_t got = 0;

		write_all(c, b, big);
		while (got < big) {
			COUNTED(r = read(s, b + got, big - got));
			k++;
			if (r <= 0)
				die("read64k");
			got += (size_t)r;
		}
	}
	phase_end("read64k", k);

	phase("close");
	for (long i = 0; i < n; i++)
		COUNTED(close(fds[i]));
	phase_end("close", n);
	phase("end");
	for (long i = 0; i < n; i++)
		close(acc[i]);
	printf("proto=%s callgrind=%d calls=%ld\n", kernel_proto(c), HAVE_CALLGRIND, n);
}

/* ---------------------------------------------------------------- spawn */

static void spawn(long n, const char *preload, char **argv)
{
	char **env;
	int ne = 0, k = 0, st;
	struct rusage r0, r1;
	double t0, t;
	char *pre = NULL;

	while (environ[ne])
		ne++;
	env = xmalloc(sizeof(char *) * (size_t)(ne + 2));
	for (int i = 0; i < ne; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	if (strcmp(preload, "-") != 0) {
		if (asprintf(&pre, "LD_PRELOAD=%s", preload) < 0)
			die("asprintf");
		env[k++] = pre;
	}
	env[k] = NULL;
	getrusage(RUSAGE_CHILDREN, &r0);
	t0 = now();
	for (long i = 0; i < n; i++) {
		pid_t p;

		if ((errno = posix_spawn(&p, argv[0], NULL, NULL, argv, env)) != 0)
			die("posix_spawn");
		if (waitpid(p, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			errno = ECHILD;
			die("exit_status");
		}
	}
	t = now() - t0;
	getrusage(RUSAGE_CHILDREN, &r1);
	printf("us_per_exec=%.1f cpu_us_per_exec=%.1f\n", t / (double)n * 1e6,
	       (cpu_seconds(&r1) - cpu_seconds(&r0)) / (double)n * 1e6);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	if (getenv("BENCH_NATIVE") && *getenv("BENCH_NATIVE"))
		proto = IPPROTO_SCTP;
	if (!strcmp(m, "probe") && argc == 2)
		probe();
	else if (!strcmp(m, "bulk") && argc == 4)
		bulk((size_t)atol(argv[2]), atof(argv[3]));
	else if (!strcmp(m, "rr") && argc == 5)
		rr(atof(argv[2]), atol(argv[3]), atoi(argv[4]));
	else if (!strcmp(m, "setup") && argc == 4)
		setup(atof(argv[2]), atoi(argv[3]));
	else if (!strcmp(m, "multi") && argc == 4)
		multi(atoi(argv[2]), atof(argv[3]));
	else if (!strcmp(m, "calls") && argc == 3)
		calls(atol(argv[2]));
	else if (!strcmp(m, "spawn") && argc >= 5)
		spawn(atol(argv[2]), argv[3], argv + 4);
	else {
		fprintf(stderr, "usage: bench probe | bulk WSIZE SECS | rr SECS MAX NODELAY | "
				"setup SECS CLIENTS | multi CONNS SECS | calls N | "
				"spawn N PRELOAD PROG [ARGS...]\n");
		return 2;
	}
	return 0;
}
