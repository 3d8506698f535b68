/*
 * hard_ctor - the shim's start-up from another library's constructor, and
 * the very first intercepted call made by many threads at once
 * (tests/e2e/stress.bats, tests/unit/tsan.bats).
 *
 * Built twice from this file:
 *
 *   build/tests/hard_ctor.so (-DHARD_CTOR_LIB, tests/hardening.mk): a
 *   library preloaded after the shim ("LD_PRELOAD=libsctpize.so
 *   hard_ctor.so"), so its constructor runs before the shim's own.  As the
 *   variable HARD_CTOR says, the constructor
 *     single   calls socket() and setsockopt() itself: the first
 *              intercepted call of the process comes from a constructor;
 *     race:N   starts N threads that wait at a barrier and then all call
 *              socket() and setsockopt() at once: the first intercepted
 *              calls of a fresh process race on the shim's start-up.
 *   Unset, it does nothing.
 *
 *   build/tests/hard_ctor, a program: "hard_ctor race N" does the same from
 *   main(), once the shim has started (many threads on fresh sockets), and
 *   "hard_ctor" alone only prints "main" (the program the library is
 *   preloaded into).
 *
 * HARD_CTOR_PRIME=1: see prime_recorder() (the host's fake SCTP).
 *
 * Each thread, after its socket() and setsockopt(TCP_NODELAY), checks
 * SO_PROTOCOL and reads TCP_NODELAY back, then (past a second barrier)
 * listens, connects to its own listener, accepts and sends 4 bytes each
 * way.  One line per run:
 *   "NAME: threads=N proto=P,P,... nodelay=K pairs=K errors=E"
 * (proto: the distinct protocols the sockets had; errors: each failure is
 * also said on a line of its own).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "helper.h"

#define MAX_THREADS 512

static pthread_barrier_t start, middle;
static _Atomic int errors, nodelay_ok, pairs_ok, proto_seen[256];

static void failed(int id, const char *what)
{
	const char *e = ename(errno);

	atomic_fetch_add(&errors, 1);
	fprintf(stderr, "hard_ctor: thread %d: %s: %s\n", id, what, e);
}

/* A listener of its own, a connection to it, 4 bytes each way. */
static void pair(int id)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char b[4];
	int l, c, a;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(l, 4) != 0 || getsockname(l, (struct sockaddr *)&sa, &len) != 0) {
		failed(id, "listener");
		goto out;
	}
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		failed(id, "connect");
		goto out;
	}
	a = accept(l, NULL, NULL);
	if (a < 0) {
		failed(id, "accept");
		goto out;
	}
	if (write(c, "ping", 4) != 4 || recv(a, b, 4, MSG_WAITALL) != 4 || memcmp(b, "ping", 4) ||
	    send(a, "pong", 4, 0) != 4 || read(c, b, 4) != 4 || memcmp(b, "pong", 4))
		failed(id, "exchange");
	else
		atomic_fetch_add(&pairs_ok, 1);
	close(a);
out:
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
}

static void *racer(void *arg)
{
	int id = (int)(long)arg, one = 1, v = 0, proto = -1, fd;
	socklen_t len;

	pthread_barrier_wait(&start);
	/* All at once: for the first racers, this is the process's first intercepted call. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		failed(id, "socket");
		pthread_barrier_wait(&middle);
		return NULL;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		failed(id, "setsockopt(TCP_NODELAY)");
	len = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0)
		failed(id, "getsockopt(SO_PROTOCOL)");
	if (proto >= 0 && proto < 256)
		atomic_store(&proto_seen[proto], 1);
	len = sizeof(v);
	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) != 0)
		failed(id, "getsockopt(TCP_NODELAY)");
	else if (v)
		atomic_fetch_add(&nodelay_ok, 1);
	close(fd);
	pthread_barrier_wait(&middle);
	pair(id);
	return NULL;
}

/*
 * HARD_CTOR_PRIME=1, for the host's tests: the recorder that fakes SCTP
 * there keeps its table unlocked and makes it at its first fake socket;
 * have that happen now, with one thread, and not through the shim (the
 * next socket() after this object's is the recorder's).
 */
static void prime_recorder(void)
{
	int (*next_socket)(int, int, int) = socket;
	int (*next_close)(int) = close;
	int fd;

#ifdef HARD_CTOR_LIB
	next_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	next_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
#endif
	if (!getenv("HARD_CTOR_PRIME") || !next_socket || !next_close)
		return;
	fd = next_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	if (fd >= 0)
		next_close(fd);
}

/* N threads released together; one line of results. */
static void race(const char *name, int n)
{
	pthread_t t[MAX_THREADS];
	char protos[256 * 4] = "";
	size_t used = 0;

	prime_recorder();

	if (n < 1 || n > MAX_THREADS) {
		fprintf(stderr, "hard_ctor: 1 to %d threads\n", MAX_THREADS);
		exit(2);
	}
	pthread_barrier_init(&start, NULL, (unsigned)n);
	pthread_barrier_init(&middle, NULL, (unsigned)n);
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, racer, (void *)i) != 0) {
			fprintf(stderr, "hard_ctor: pthread_create\n");
			exit(2);
		}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int p = 0; p < 256; p++)
		if (proto_seen[p])
			used += (size_t)snprintf(protos + used, sizeof(protos) - used, "%s%d",
						 used ? "," : "", p);
	printf("%s: threads=%d proto=%s nodelay=%d pairs=%d errors=%d\n", name, n,
	       used ? protos : "none", (int)nodelay_ok, (int)pairs_ok, (int)errors);
	fflush(stdout);
}

/* One socket() and setsockopt() from the calling thread. */
static void single(const char *name)
{
	int one = 1, v = 0, proto = -1, fd = socket(AF_INET, SOCK_STREAM, 0), set;
	socklen_t len = sizeof(proto);
	const char *e;

	if (fd < 0) {
		e = ename(errno);
		printf("%s: socket failed: %s\n", name, e);
		fflush(stdout);
		return;
	}
	set = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	e = set ? ename(errno) : "ok";
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
	len = sizeof(v);
	getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	close(fd);
	printf("%s: proto=%d setsockopt=%s nodelay=%d\n", name, proto, e ? e : "?", v);
	fflush(stdout);
}

#ifdef HARD_CTOR_LIB

__attribute__((constructor)) static void hard_ctor(void)
{
	const char *how = getenv("HARD_CTOR");

	if (!how)
		return;
	if (strcmp(how, "single") == 0)
		single("constructor");
	else if (strncmp(how, "race:", 5) == 0)
		race("constructor race", atoi(how + 5));
}

#else

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "race") == 0) {
		race("main race", atoi(argv[2]));
		return errors ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[1], "single") == 0) {
		single("main");
		return 0;
	}
	if (argc == 1) {
		printf("main\n");
		return 0;
	}
	fprintf(stderr, "usage: hard_ctor [race N | single]\n");
	return 2;
}

#endif
