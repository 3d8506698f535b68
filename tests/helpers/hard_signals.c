/*
 * hard_signals - blocking socket calls interrupted by a signal, as a TCP
 * program sees them (tests/e2e/signals.bats runs it plainly, on TCP, and
 * under sctpize, and compares).
 *
 *   hard_signals SCENARIO norestart|restart
 *
 * A SIGALRM arrives 300 ms into the blocking call, its handler installed
 * without or with SA_RESTART.  The peer (another thread, which never takes
 * the signal) acts 2000 ms in.  Scenarios:
 *   accept               nobody connects until the peer does
 *   connect              a connect that takes longer than 300 ms (the
 *                        caller delays loopback, e.g. netem in a namespace);
 *                        after an EINTR the connection goes on: poll(),
 *                        SO_ERROR and connect() again tell how it ended
 *   read, recv           nothing to read until the peer writes 10 bytes
 *   recv-waitall         recv(1000, MSG_WAITALL); the peer writes 1000
 *   recv-waitall-partial the same with 100 bytes already there; 900 more
 *   write-large          a blocking write of 16 MiB (more than any send
 *                        buffer: the shim sends it in pieces; BIG=BYTES in
 *                        the environment: another size) to a peer that
 *                        starts reading at 2000 ms
 *   write-full, send-full
 *                        the send buffer filled first, then a blocking
 *                        write() or send() of 64 KiB
 * One line: "SCENARIO MODE: RESULT WHEN signals=N[ then: ...]", RESULT
 * "-1 ENAME", "ok N" (a count; "ok partial"/"ok full" for writes) or "ok fd",
 * WHEN "early" (returned before the peer acted: at the signal) or "late".
 * Status 3, "inconclusive", when the signal came too late to interrupt
 * anything (a loaded machine can hold a timer back): run it again.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SIGNAL_MS 300
#define PEER_MS 2000
#define BIG (16 << 20)

static _Atomic int signals;
static volatile double signal_at = -1;	/* ms, when the handler first ran */
static int lfd, cfd, afd;
static struct sockaddr_in server;
static const char *scenario;
static double t0;

static double ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6 - t0;
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

static void die(const char *what)
{
	printf("%s: setup: %s: %s\n", scenario, what, ename(errno));
	exit(1);
}

static double ms(void);

static void on_alarm(int sig)
{
	(void)sig;
	if (signals++ == 0)
		signal_at = ms();
}

static void sleep_until(double when)
{
	double left = when - ms();

	if (left > 0)
		usleep((useconds_t)(left * 1000));
}

static void listener(void)
{
	int one = 1;
	socklen_t len = sizeof(server);

	memset(&server, 0, sizeof(server));
	server.sin_family = AF_INET;
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lfd, (struct sockaddr *)&server, sizeof(server)) != 0 || listen(lfd, 8) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&server, &len) != 0)
		die("listener");
}

/* A connected pair; with bufsize, both ends' buffers fixed at that (no autotuning). */
static void pair(int bufsize)
{
	listener();
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0)
		die("socket");
	if (bufsize && (setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize)) != 0 ||
			setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize)) != 0))
		die("SO_SNDBUF/SO_RCVBUF");
	if (connect(cfd, (struct sockaddr *)&server, sizeof(server)) != 0)
		die("connect");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		die("accept");
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("peer write");
		buf += r;
		n -= (size_t)r;
	}
}

/* The peer: acts at PEER_MS, never takes the signal (blocked in this thread). */
static void *peer(void *arg)
{
	static char buf[1 << 16];
	int fd;

	(void)arg;
	memset(buf, 'p', sizeof(buf));
	sleep_until(PEER_MS);
	if (strcmp(scenario, "accept") == 0) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) != 0)
			die("peer connect");
		sleep(3);
		close(fd);
	} else if (strcmp(scenario, "read") == 0 || strcmp(scenario, "recv") == 0) {
		write_all(afd, buf, 10);
	} else if (strcmp(scenario, "recv-waitall") == 0) {
		write_all(afd, buf, 1000);
	} else if (strcmp(scenario, "recv-waitall-partial") == 0) {
		write_all(afd, buf, 900);
	} else {
		/* The writes: read everything until the writer closes. */
		for (;;) {
			ssize_t r = read(afd, buf, sizeof(buf));

			if (r == 0)
				break;
			if (r < 0 && errno != EINTR)
				die("peer read");
		}
	}
	return NULL;
}

static void start_peer(void)
{
	pthread_t t;
	sigset_t s, old;

	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	if (pthread_create(&t, NULL, peer, NULL) != 0)
		die("pthread_create");
	pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void alarm_in(int msec)
{
	struct itimerval it = { .it_value = { msec / 1000, (msec % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void result(const char *mode, long r, int e, double at, const char *what)
{
	char res[64];

	/* A signal that came after the peer acted interrupted nothing: this run tells nothing. */
	if (signals == 0 || signal_at > PEER_MS - 500) {
		printf("%s %s: inconclusive: the signal came at %.0f ms, the call returned at "
		       "%.0f ms\n", scenario, mode, signal_at, at);
		exit(3);
	}
	if (r < 0)
		snprintf(res, sizeof(res), "-1 %s", ename(e));
	else if (what)
		snprintf(res, sizeof(res), "ok %s", what);
	else
		snprintf(res, sizeof(res), "ok %ld", r);
	printf("%s %s: %s %s signals=%d", scenario, mode, res, at < PEER_MS - 200 ? "early" : "late",
	       (int)signals);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	static char buf[1 << 16];
	long r;
	int e;

	if (argc != 3 || (strcmp(argv[2], "restart") != 0 && strcmp(argv[2], "norestart") != 0)) {
		fprintf(stderr, "usage: hard_signals SCENARIO norestart|restart\n");
		return 2;
	}
	scenario = argv[1];
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = strcmp(argv[2], "restart") == 0 ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	t0 = 0;
	t0 = ms();

	if (strcmp(scenario, "accept") == 0) {
		listener();
		start_peer();
		alarm_in(SIGNAL_MS);
		errno = 0;
		r = accept(lfd, NULL, NULL);
		e = errno;
		result(argv[2], r, e, ms(), "fd");
	} else if (strcmp(scenario, "connect") == 0) {
		listener();
		cfd = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd < 0)
			die("socket");
		alarm_in(SIGNAL_MS);
		r = connect(cfd, (struct sockaddr *)&server, sizeof(server));
		e = errno;
		result(argv[2], r, e, ms(), "0");
		if (r < 0) {
			/* The connection goes on in the background, as TCP's does. */
			struct pollfd p = { .fd = cfd, .events = POLLOUT };
			int err = -1, pr = poll(&p, 1, 10000);
			socklen_t len = sizeof(err);

			getsockopt(cfd, SOL_SOCKET, SO_ERROR, &err, &len);
			errno = 0;
			r = connect(cfd, (struct sockaddr *)&server, sizeof(server));
			printf(" then: poll=%s so_error=%d connect=%s", pr == 1 && (p.revents & POLLOUT)
			       ? "POLLOUT" : "none", err, r == 0 ? "0" : ename(errno));
		}
		/* Either way the connection works. */
		int a = accept(lfd, NULL, NULL);

		printf(" works=%s", a >= 0 && write(cfd, "x", 1) == 1 && read(a, buf, 1) == 1 ?
		       "yes" : "no");
	} else if (strcmp(scenario, "read") == 0 || strcmp(scenario, "recv") == 0) {
		pair(0);
		start_peer();
		alarm_in(SIGNAL_MS);
		if (strcmp(scenario, "read") == 0)
			r = read(cfd, buf, sizeof(buf));
		else
			r = recv(cfd, buf, sizeof(buf), 0);
		e = errno;
		result(argv[2], r, e, ms(), NULL);
	} else if (strcmp(scenario, "recv-waitall") == 0 ||
		   strcmp(scenario, "recv-waitall-partial") == 0) {
		pair(0);
		if (strcmp(scenario, "recv-waitall-partial") == 0)
			write_all(afd, buf, 100);
		usleep(100000);
		start_peer();
		alarm_in(SIGNAL_MS);
		r = recv(cfd, buf, 1000, MSG_WAITALL);
		e = errno;
		result(argv[2], r, e, ms(), NULL);
	} else if (strcmp(scenario, "write-large") == 0) {
		long n = getenv("BIG") ? atol(getenv("BIG")) : BIG;
		char *big = calloc(1, (size_t)n);

		if (!big)
			die("calloc");
		pair(0);
		start_peer();
		alarm_in(SIGNAL_MS);
		r = write(cfd, big, (size_t)n);
		e = errno;
		result(argv[2], r, e, ms(), r == n ? "full" : r > 0 ? "partial" : NULL);
	} else if (strcmp(scenario, "write-full") == 0 || strcmp(scenario, "send-full") == 0) {
		int fl;
		long filled = 0;

		pair(65536);
		fl = fcntl(cfd, F_GETFL);
		fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
		/* Full, and still full a moment later (the peer's buffer took what it could). */
		for (int still = 0; still < 3;) {
			ssize_t w = write(cfd, buf, 4096);

			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				still++;
				usleep(100000);
				continue;
			}
			if (w <= 0)
				die("filling the send buffer");
			filled += w;
			still = 0;
		}
		fcntl(cfd, F_SETFL, fl);
		start_peer();
		t0 = 0;
		t0 = ms();
		alarm_in(SIGNAL_MS);
		if (strcmp(scenario, "write-full") == 0)
			r = write(cfd, buf, sizeof(buf));
		else
			r = send(cfd, buf, sizeof(buf), 0);
		e = errno;
		result(argv[2], r, e, ms(), r == (long)sizeof(buf) ? "full" : r > 0 ? "partial" : NULL);
	} else {
		fprintf(stderr, "hard_signals: unknown scenario %s\n", scenario);
		return 2;
	}
	printf("\n");
	fflush(stdout);
	/* The peer threads' reads end at our close. */
	if (cfd > 0)
		close(cfd);
	usleep(100000);
	return 0;
}
