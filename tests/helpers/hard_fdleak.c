/*
 * hard_fdleak - what many conversions leave behind in a process: open
 * descriptors and memory (tests/e2e/fdleak.bats).
 *
 *   hard_fdleak [-n CYCLES] [-w WARMUP] [-p PORT]
 *
 * A TCP program with a loopback listener (on PORT, default any: migration
 * rules name it, so that under sctpize --ports PORT every client changes
 * protocol at connect(), under --both the listener is a dual one, and a
 * "both" client against a TCP listener falls back).  Each cycle: socket() +
 * setsockopt(TCP_NODELAY) + close() without connecting; socket() +
 * setsockopt() + epoll_ctl(ADD) (a registration to move if the protocol
 * changes) + connect() (every 4th non-blocking, then poll()), accept()
 * or accept4() in turn, a byte each way, every 8th a half-close
 * (shutdown(SHUT_WR) and end of file each way), dup() of the connection,
 * then close() of all.  The descriptors (/proc/self/fd) and VmRSS, VmData,
 * VmHWM (/proc/self/status) are read after a warm-up of WARMUP cycles
 * (default 200) and again after CYCLES more (default 10000).  One line:
 *   "cycles=N fds_before=F fds_after=F rss_before=KB rss_after=KB
 *    data_before=KB data_after=KB hwm_before=KB hwm_after=KB seconds=S port=P"
 * and status 1 if the descriptors differ (each extra one is named).
 * A cycle that blocks for FDLEAK_TIMEOUT seconds (default 60) ends the run
 * (SIGALRM): a hang, never a slow machine, which only makes the run longer.
 * It says on stderr which cycle blocked and in which step.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "helper.h"

static struct sockaddr_in server;
static int lfd, ep;
static unsigned cycle_timeout = 60;

/* Where the current cycle is, for the watchdog's message. */
static volatile long cur_cycle = -1;
static const char *volatile cur_step = "start-up";
#define STEP(name) (cur_step = (name))

/* SIGALRM: "hard_fdleak: cycle N blocked in STEP", then the default action (status 142). */
static void watchdog(int sig)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "hard_fdleak: cycle %ld blocked for %u s in %s\n",
			 cur_cycle, cycle_timeout, cur_step);

	if (n > 0 && write(2, msg, (size_t)n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The open descriptors, as a sorted list of numbers in a bitmap; how many. */
static int open_fds(unsigned char *map, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, self;

	memset(map, 0, size);
	if (!d)
		return -1;
	self = dirfd(d);
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd == self || fd < 0 || (size_t)fd >= size * 8)
			continue;
		map[fd / 8] |= (unsigned char)(1u << (fd % 8));
		n++;
	}
	closedir(d);
	return n;
}

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t k = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, k) == 0 && line[k] == ':')
			v = strtol(line + k + 1, NULL, 10);
	fclose(f);
	return v;
}

static void exchange(int a, int b, long i)
{
	char c = 'x';

	if (write(a, &c, 1) != 1 || read(b, &c, 1) != 1 || send(b, &c, 1, 0) != 1 ||
	    recv(a, &c, 1, 0) != 1)
		die("cycle %ld: exchange", i);
}

static void cycle(long i)
{
	int one = 1, s, c, a, d;

	cur_cycle = i;
	alarm(cycle_timeout);	/* this cycle's watchdog */
	STEP("socket, setsockopt, close (unconnected)");

	/* A socket converted and closed without ever connecting. */
	s = socket(AF_INET, SOCK_STREAM | (i & 1 ? SOCK_CLOEXEC : 0), 0);
	if (s < 0 || setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		die("cycle %ld: socket (unconnected)", i);
	close(s);

	/* A connection: blocking or not, accept() or accept4(). */
	bool nonblock = i % 4 == 0;

	STEP("socket, setsockopt, epoll_ctl");
	c = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (c < 0 || setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		die("cycle %ld: socket", i);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0)
		die("cycle %ld: epoll_ctl", i);
	STEP(nonblock ? "connect (non-blocking)" : "connect");
	if (connect(c, (struct sockaddr *)&server, sizeof(server)) != 0) {
		struct pollfd p = { .fd = c, .events = POLLOUT };
		int err = -1;
		socklen_t len = sizeof(err);

		if (!nonblock || errno != EINPROGRESS)
			die("cycle %ld: connect", i);
		/* The outcome, as an event loop asks it (a fallback connects over TCP then). */
		STEP("poll, getsockopt(SO_ERROR)");
		if (poll(&p, 1, 10000) != 1 ||
		    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
			die("cycle %ld: non-blocking connect", i);
		STEP("accept");
		a = i & 2 ? accept(lfd, NULL, NULL) : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			die("cycle %ld: accept after a non-blocking connect", i);
		fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
	} else {
		STEP("accept");
		a = i & 2 ? accept(lfd, NULL, NULL) : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			die("cycle %ld: accept", i);
	}
	STEP("a byte each way");
	exchange(c, a, i);
	d = dup(a);
	if (d < 0)
		die("cycle %ld: dup", i);
	if (i % 8 == 0) {
		char b;

		STEP("half-close");
		if (shutdown(c, SHUT_WR) != 0 || read(a, &b, 1) != 0 || shutdown(a, SHUT_WR) != 0 ||
		    read(c, &b, 1) != 0)
			die("cycle %ld: half-close", i);
	}
	STEP("close");
	close(d);
	close(a);
	close(c);
}

int main(int argc, char **argv)
{
	static unsigned char before[4096], after[4096];
	long cycles = 10000, warm = 200;
	socklen_t len = sizeof(server);
	int opt, one = 1;
	struct timespec t0, t1;

	while ((opt = getopt(argc, argv, "n:w:p:")) != -1) {
		if (opt == 'n')
			cycles = atol(optarg);
		else if (opt == 'w')
			warm = atol(optarg);
		else if (opt == 'p')
			server.sin_port = htons((unsigned short)atoi(optarg));
		else
			return 2;
	}
	/* A cycle that blocks ends the run (the default action of SIGALRM), never hangs it. */
	if (getenv("FDLEAK_TIMEOUT") && atoi(getenv("FDLEAK_TIMEOUT")) > 0)
		cycle_timeout = (unsigned)atoi(getenv("FDLEAK_TIMEOUT"));
	signal(SIGALRM, watchdog);
	alarm(cycle_timeout);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	server.sin_family = AF_INET;
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lfd, (struct sockaddr *)&server, sizeof(server)) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&server, &len) != 0)
		die("listener");

	for (long i = 0; i < warm; i++)
		cycle(i);
	int fb = open_fds(before, sizeof(before));
	long rss0 = status_kb("VmRSS"), hwm0 = status_kb("VmHWM"), data0 = status_kb("VmData");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < cycles; i++)
		cycle(warm + i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	int fa = open_fds(after, sizeof(after));
	long rss1 = status_kb("VmRSS"), hwm1 = status_kb("VmHWM"), data1 = status_kb("VmData");

	printf("cycles=%ld fds_before=%d fds_after=%d rss_before=%ld rss_after=%ld "
	       "data_before=%ld data_after=%ld hwm_before=%ld hwm_after=%ld seconds=%.1f port=%u\n",
	       cycles, fb, fa, rss0, rss1, data0, data1, hwm0, hwm1,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       ntohs(server.sin_port));
	int bad = 0;

	for (size_t fd = 0; fd < sizeof(after) * 8; fd++) {
		bool was = before[fd / 8] & (1u << (fd % 8)), is = after[fd / 8] & (1u << (fd % 8));
		char path[64], target[256] = "?";
		ssize_t n;

		if (was == is)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%zu", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 1] = '\0';
		printf("fd %zu %s (%s)\n", fd, is ? "left open" : "closed behind our back", target);
		bad = 1;
	}
	fflush(stdout);
	return bad;
}
