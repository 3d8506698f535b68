/*
 * hard_signals - blocking socket calls interrupted by a signal, as a TCP
 * program sees them (tests/e2e/signals.bats runs it plainly, on TCP, and
 * under sctpize, and compares).
 *
 *   hard_signals SCENARIO norestart|restart
 *
 * A SIGALRM comes while the call is blocked, its handler installed without
 * or with SA_RESTART: another thread watches the program's thread and sends
 * the signal once that thread has slept in the kernel for 100 ms on end
 * (state S in /proc/self/task/TID/stat), which is the call waiting, however
 * slow the machine (a timer would fire at a fixed time, maybe before the
 * call blocked or after it returned).  The peer (another thread, which
 * never takes the signal) acts 1700 ms after the signal.  Scenarios:
 *   accept               nobody connects until the peer does
 *   connect              a connect that takes longer than 100 ms (the
 *                        caller delays loopback, e.g. netem in a namespace);
 *                        after an EINTR the connection goes on: poll(),
 *                        SO_ERROR and connect() again tell how it ended
 *   read, recv           nothing to read until the peer writes 10 bytes
 *   recv-waitall         recv(1000, MSG_WAITALL); the peer writes 1000
 *   recv-waitall-partial the same with 100 bytes already there; 900 more
 *   write-large          a blocking write of 16 MiB (more than any send
 *                        buffer: the shim sends it in pieces; BIG=BYTES in
 *                        the environment: another size) to a peer that
 *                        starts reading only after the signal
 *   write-full, send-full
 *                        the send buffer filled first, then a blocking
 *                        write() or send() of 64 KiB
 * One line: "SCENARIO MODE: RESULT WHEN signals=N[ then: ...]", RESULT
 * "-1 ENAME", "ok N" (a count; "ok partial"/"ok full" for writes) or "ok fd",
 * WHEN "early" (the call returned before the peer acted: at the signal) or
 * "late" (after it); the order of the two events, never a clock reading,
 * so that a slow machine says the same.  (connect has no peer thread, and
 * no WHEN.)  Status 3, "inconclusive", when the signal interrupted nothing
 * (the call returned before it was ever seen blocked): run it again.
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
#include <time.h>
#include <unistd.h>
#include "helper.h"

#include "hard_proc.h"

#define BLOCKED_MS 100		/* asleep that long: the call is blocked */
#define PEER_AFTER_SIGNAL_MS 1700
#define GIVE_UP_MS 60000	/* never blocked, no signal: the run tells nothing */
#define BIG (16 << 20)

static _Atomic int signals;
static volatile double signal_at = -1;	/* ms, when the handler first ran */
static _Atomic int in_call;		/* set just before the blocking call */
static _Atomic int signal_before_call;	/* the handler ran before that */
static _Atomic int peer_started;	/* there is a peer thread */
static pthread_t main_thread;
static _Atomic int peer_acted;		/* the peer has begun to act */
static int lfd, cfd, afd;
static struct sockaddr_in server;
static const char *scenario;
static double t0;

static double ms(void)
{
	return now() * 1e3 - t0;
}

static double ms(void);

static void on_alarm(int sig)
{
	(void)sig;
	if (signals++ == 0) {
		signal_at = ms();
		signal_before_call = !in_call;
	}
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

/* The peer: acts PEER_AFTER_SIGNAL_MS after the signal (GIVE_UP_MS without
 * one); never takes the signal (blocked in this thread). */
static void *peer(void *arg)
{
	static char buf[1 << 16];
	int fd;

	(void)arg;
	memset(buf, 'p', sizeof(buf));
	while (signals == 0 && ms() < GIVE_UP_MS)
		usleep(10000);
	if (signals)
		sleep_until(signal_at + PEER_AFTER_SIGNAL_MS);
	peer_acted = 1;
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

/* A thread that never takes SIGALRM. */
static void start_thread(void *(*fn)(void *))
{
	pthread_t t;
	sigset_t s, old;

	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	if (pthread_create(&t, NULL, fn, NULL) != 0)
		die("pthread_create");
	pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void start_peer(void)
{
	peer_started = 1;
	start_thread(peer);
}

/* The signaller: SIGALRM to the main thread once it has slept BLOCKED_MS on
 * end (GIVE_UP_MS at most). */
static void *signaller(void *arg)
{
	double asleep_since = -1;

	(void)arg;
	while (ms() < GIVE_UP_MS) {
		double now = ms();

		if (main_state() != 'S')
			asleep_since = -1;
		else if (asleep_since < 0)
			asleep_since = now;
		else if (now - asleep_since >= BLOCKED_MS)
			break;
		usleep(2000);
	}
	pthread_kill(main_thread, SIGALRM);
	return NULL;
}

/* The signal once the call has blocked; the blocking call is made right after this. */
static void signal_when_blocked(void)
{
	in_call = 1;
	start_thread(signaller);
}

/* The call returned r (errno e); acted: whether the peer had acted by then. */
static void result(const char *mode, long r, int e, int acted, const char *what)
{
	char res[64];
	double at = ms();

	in_call = 0;
	/* A signal that came after the call returned, or before it began,
	 * interrupted nothing: this run tells nothing. */
	if (signals == 0 || signal_before_call) {
		printf("%s %s: inconclusive: the signal came at %.0f ms (%s the call), the call "
		       "returned at %.0f ms\n", scenario, mode, signals ? signal_at : -1,
		       signals == 0 ? "after" : "before", at);
		exit(3);
	}
	if (r < 0)
		snprintf(res, sizeof(res), "-1 %s", ename(e));
	else if (what)
		snprintf(res, sizeof(res), "ok %s", what);
	else
		snprintf(res, sizeof(res), "ok %ld", r);
	printf("%s %s: %s%s signals=%d", scenario, mode, res,
	       !peer_started ? "" : acted ? " late" : " early", (int)signals);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	static char buf[1 << 16];
	long r;
	int e, acted;

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
	main_thread = pthread_self();
	t0 = 0;
	t0 = ms();

	if (strcmp(scenario, "accept") == 0) {
		listener();
		start_peer();
		signal_when_blocked();
		errno = 0;
		r = accept(lfd, NULL, NULL);
		e = errno;
		acted = peer_acted;
		result(argv[2], r, e, acted, "fd");
	} else if (strcmp(scenario, "connect") == 0) {
		listener();
		cfd = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd < 0)
			die("socket");
		signal_when_blocked();
		r = connect(cfd, (struct sockaddr *)&server, sizeof(server));
		e = errno;
		result(argv[2], r, e, 0, "0");
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
		signal_when_blocked();
		if (strcmp(scenario, "read") == 0)
			r = read(cfd, buf, sizeof(buf));
		else
			r = recv(cfd, buf, sizeof(buf), 0);
		e = errno;
		acted = peer_acted;
		result(argv[2], r, e, acted, NULL);
	} else if (strcmp(scenario, "recv-waitall") == 0 ||
		   strcmp(scenario, "recv-waitall-partial") == 0) {
		pair(0);
		if (strcmp(scenario, "recv-waitall-partial") == 0) {
			struct pollfd p = { .fd = cfd, .events = POLLIN };

			/* The 100 bytes are there before the call. */
			write_all(afd, buf, 100);
			if (poll(&p, 1, 60000) != 1)
				die("the first 100 bytes did not arrive");
		}
		start_peer();
		signal_when_blocked();
		r = recv(cfd, buf, 1000, MSG_WAITALL);
		e = errno;
		acted = peer_acted;
		result(argv[2], r, e, acted, NULL);
	} else if (strcmp(scenario, "write-large") == 0) {
		long n = getenv("BIG") ? atol(getenv("BIG")) : BIG;
		char *big = calloc(1, (size_t)n);

		if (!big)
			die("calloc");
		pair(0);
		start_peer();
		signal_when_blocked();
		r = write(cfd, big, (size_t)n);
		e = errno;
		acted = peer_acted;
		result(argv[2], r, e, acted, r == n ? "full" : r > 0 ? "partial" : NULL);
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
		signal_when_blocked();
		if (strcmp(scenario, "write-full") == 0)
			r = write(cfd, buf, sizeof(buf));
		else
			r = send(cfd, buf, sizeof(buf), 0);
		e = errno;
		acted = peer_acted;
		result(argv[2], r, e, acted, r == (long)sizeof(buf) ? "full" : r > 0 ? "partial" : NULL);
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
