/*
 * bench.c - the workloads of "make bench", as one small TCP program.
 *
 * Run plainly it is a TCP program; under sctpize (or withsctp) the same
 * binary runs over SCTP; with BENCH_NATIVE=1 it asks for IPPROTO_SCTP
 * itself, as a native SCTP program would (BENCH_BUF=BYTES then sets its
 * buffers, BENCH_SACK=MS its delayed SACK: "native at its best").  Server
 * and client are the two halves of one process (fork), on 127.0.0.1.
 *
 *   bench bulk WRITE_SIZE MIB       MB/s received, and the receiver's reads
 *   bench rr COUNT NODELAY          request/response: mean and p99 in us
 *   bench setup COUNT               connect+accept+1 byte each way+close /s
 *   bench multi CONNS MIB           CONNS concurrent bulk connections: MB/s
 *                                   and CPU seconds per GB
 *   bench calls KIND COUNT          COUNT intercepted calls of one KIND
 *                                   (socket, setsockopt, accept, write,
 *                                   bigwrite, read) for callgrind
 *
 * Each prints one line "key=value ..." for tests/bench/run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int proto;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void tune(int fd)
{
	const char *buf = getenv("BENCH_BUF"), *sack = getenv("BENCH_SACK");

	if (buf) {
		int b = atoi(buf);

		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &b, sizeof(b)) != 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof(b));
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &b, sizeof(b)) != 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof(b));
	}
	if (sack && proto == IPPROTO_SCTP) {
		struct sctp_sack_info si = { .sack_delay = (uint32_t)atoi(sack) };

		setsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si));
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

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = new_socket();

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) || getsockname(fd, (struct sockaddr *)a, &len) ||
	    listen(fd, 512))
		die("listen");
	return fd;
}

static int dial(const struct sockaddr_in *a, int nodelay)
{
	int fd = new_socket();

	if (nodelay)
		nodelay_on(fd);
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)))
		die("connect");
	return fd;
}

static void write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, b, n);

		if (r <= 0)
			die("write");
		b += r;
		n -= (size_t)r;
	}
}

static void bulk(size_t wsize, long mib)
{
	struct sockaddr_in a;
	int l = listener(&a), s;
	long total = mib << 20, got = 0, reads = 0;
	char *buf = malloc(1 << 20);
	ssize_t r;
	double t0;

	if (fork() == 0) {
		int c = dial(&a, 0);
		char *w = calloc(1, wsize);

		for (long left = total; left > 0; left -= (long)wsize)
			write_all(c, w, left < (long)wsize ? (size_t)left : wsize);
		close(c);
		_exit(0);
	}
	s = accept(l, NULL, NULL);
	t0 = now();
	while ((r = read(s, buf, 1 << 20)) > 0) {
		got += r;
		reads++;
	}
	t0 = now() - t0;
	wait(NULL);
	printf("bytes=%ld mbps=%.1f reads=%ld\n", got, (double)got / t0 / 1e6, reads);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void rr(long count, int nodelay)
{
	struct sockaddr_in a;
	int l = listener(&a), s;
	double *t = malloc(sizeof(double) * (size_t)count), sum = 0;
	char b[256];

	if (fork() == 0) {
		s = accept(l, NULL, NULL);
		if (nodelay)
			nodelay_on(s);
		/* A request of two writes (header, body), a response of one. */
		for (long i = 0; i < count; i++) {
			ssize_t got = 0, r;

			while (got < 100 && (r = read(s, b, sizeof(b))) > 0)
				got += r;
			write_all(s, b, 64);
		}
		_exit(0);
	}
	s = dial(&a, nodelay);
	memset(b, 'x', sizeof(b));
	for (long i = 0; i < count; i++) {
		double t0 = now();
		ssize_t got = 0, r;

		write_all(s, b, 20);
		write_all(s, b, 80);
		while (got < 64 && (r = read(s, b, sizeof(b))) > 0)
			got += r;
		t[i] = (now() - t0) * 1e6;
		sum += t[i];
	}
	wait(NULL);
	qsort(t, (size_t)count, sizeof(double), cmp);
	printf("mean_us=%.1f p99_us=%.1f\n", sum / (double)count, t[count * 99 / 100]);
}

static void setup(long count)
{
	struct sockaddr_in a;
	int l = listener(&a);
	double t0 = now();
	char b = 'x';

	if (fork() == 0) {
		for (long i = 0; i < count; i++) {
			int s = accept(l, NULL, NULL);

			if (read(s, &b, 1) != 1 || write(s, &b, 1) != 1)
				die("server");
			close(s);
		}
		_exit(0);
	}
	for (long i = 0; i < count; i++) {
		int c = dial(&a, 0);

		if (write(c, &b, 1) != 1 || read(c, &b, 1) != 1)
			die("client");
		close(c);
	}
	wait(NULL);
	printf("conns_per_s=%.0f\n", (double)count / (now() - t0));
}

struct job {
	int fd;
	long bytes;
};

static void *drain(void *p)
{
	struct job *j = p;
	char *buf = malloc(1 << 16);
	ssize_t r;

	while ((r = read(j->fd, buf, 1 << 16)) > 0)
		j->bytes += r;
	free(buf);
	return NULL;
}

static void multi(int conns, long mib)
{
	struct sockaddr_in a;
	int l = listener(&a);
	long per = (mib << 20) / conns, total = 0;
	struct job *jobs = calloc((size_t)conns, sizeof(*jobs));
	pthread_t *th = calloc((size_t)conns, sizeof(*th));
	struct rusage ru;
	double t0, cpu;

	if (fork() == 0) {
		int *c = calloc((size_t)conns, sizeof(int));
		char *w = calloc(1, 65536);

		for (int i = 0; i < conns; i++)
			c[i] = dial(&a, 0);
		for (long done = 0; done < per; done += 65536)	/* round robin */
			for (int i = 0; i < conns; i++)
				write_all(c[i], w, per - done < 65536 ? (size_t)(per - done) : 65536);
		for (int i = 0; i < conns; i++)
			close(c[i]);
		_exit(0);
	}
	for (int i = 0; i < conns; i++)
		jobs[i].fd = accept(l, NULL, NULL);
	t0 = now();
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, drain, &jobs[i]);
	for (int i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		total += jobs[i].bytes;
	}
	t0 = now() - t0;
	wait(NULL);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	      ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	printf("bytes=%ld mbps=%.1f cpu_s_per_gb=%.2f\n", total, (double)total / t0 / 1e6,
	       cpu / ((double)total / 1e9));
}

/* COUNT calls of one kind, for callgrind: the difference between two counts
 * divided by the difference of calls is the cost of one call. */
static void calls(const char *kind, long count)
{
	struct sockaddr_in a;
	int l = listener(&a), c, s;
	char b[65536] = { 0 };

	c = dial(&a, 0);
	s = accept(l, NULL, NULL);
	for (long i = 0; i < count; i++) {
		if (!strcmp(kind, "socket")) {
			close(new_socket());
		} else if (!strcmp(kind, "setsockopt")) {
			nodelay_on(c);
		} else if (!strcmp(kind, "accept")) {
			int d = dial(&a, 0);

			close(accept(l, NULL, NULL));
			close(d);
		} else if (!strcmp(kind, "write") || !strcmp(kind, "read")) {
			if (write(c, b, 64) != 64 || read(s, b, 64) != 64)
				die("write/read");
		} else if (!strcmp(kind, "bigwrite")) {
			write_all(c, b, sizeof(b));
			for (size_t got = 0; got < sizeof(b);) {
				ssize_t r = read(s, b, sizeof(b));

				if (r <= 0)
					die("read");
				got += (size_t)r;
			}
		}
	}
	printf("calls=%ld\n", count);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench bulk|rr|setup|multi|calls ARGS (see bench.c)\n");
		return 2;
	}
	if (getenv("BENCH_NATIVE"))
		proto = IPPROTO_SCTP;
	if (!strcmp(argv[1], "bulk") && argc == 4)
		bulk((size_t)atol(argv[2]), atol(argv[3]));
	else if (!strcmp(argv[1], "rr") && argc == 4)
		rr(atol(argv[2]), atoi(argv[3]));
	else if (!strcmp(argv[1], "setup"))
		setup(atol(argv[2]));
	else if (!strcmp(argv[1], "multi") && argc == 4)
		multi(atoi(argv[2]), atol(argv[3]));
	else if (!strcmp(argv[1], "calls") && argc == 4)
		calls(argv[2], atol(argv[3]));
	else
		return 2;
	return 0;
}
