/*
 * hard_failure - what a TCP program sees when the connection fails under it
 * (tests/e2e/failures.bats runs it plainly, on TCP, and under sctpize, and
 * compares).  Both ends are in this process, the peer in a thread.
 *
 *   hard_failure abort-read
 *       The reader is blocked in read(); the peer closes with SO_LINGER 0
 *       (TCP: a reset; SCTP: an ABORT).  Then read and write again.
 *   hard_failure abort-write
 *       The peer aborts; once that arrived, write(), write(), read().
 *   hard_failure abort-blocked-write
 *       The writer is blocked in write() on a full send buffer; the peer aborts.
 *   hard_failure loss-write MS COMMAND
 *       TCP_USER_TIMEOUT=MS on the writer; 1 MiB goes through, then COMMAND
 *       (run with sh -c) takes the path away (netem loss, a link down), and
 *       the writer goes on writing 64 KiB at a time until an error.
 *   hard_failure loss-read-keepalive IDLE COUNT COMMAND
 *       SO_KEEPALIVE, TCP_KEEPIDLE=TCP_KEEPINTVL=IDLE s, TCP_KEEPCNT=COUNT on an
 *       idle reader blocked in read(); COMMAND takes the path away.
 *
 * One line: the scenario and what each call returned ("-1 ENAME", "N"), and
 * for the losses "after=S" (seconds from COMMAND to the error).  A watchdog
 * ends a call still blocked after WATCHDOG_S (default 120) seconds: "hang".
 * Nothing waits a fixed time: the peer aborts once the program's thread has
 * slept in the kernel for 100 ms on end (state S in /proc: the call blocked),
 * and a write after an abort waits until poll() reports the abort.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "helper.h"

#include "hard_proc.h"

static int lfd, cfd, afd;
static const char *scenario;
static char line[1024];
static size_t used;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	used += (size_t)vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	va_end(ap);
}

/* " NAME=RESULT" for a call's result r and errno e. */
static void outcome(const char *name, long r, int e)
{
	if (r < 0)
		add(" %s=-1 %s", name, ename(e));
	else
		add(" %s=%ld", name, r);
}

static void on_watchdog(int sig)
{
	(void)sig;
	add(" hang");
	printf("%s:%s\n", scenario, line);
	fflush(stdout);
	_exit(4);
}

static void pair(int bufsize)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || cfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		die("socket");
	if (bufsize && (setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize)) != 0 ||
			setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize)) != 0))
		die("buffers");
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
		die("listen");
	if (connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("connect");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		die("accept");
}

/* The peer's abort: SO_LINGER 0 and close() (TCP: RST; SCTP: ABORT). */
static void peer_abort(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(afd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
		die("SO_LINGER");
	close(afd);
}

/* The peer aborts once the main thread's call is blocked: asleep 100 ms on end
 * (a minute at most). */
static void *abort_later(void *arg)
{
	double start = now(), asleep_since = -1;

	(void)arg;
	while (now() - start < 60) {
		double t = now();

		if (main_state() != 'S')
			asleep_since = -1;
		else if (asleep_since < 0)
			asleep_since = t;
		else if (t - asleep_since >= 0.1)
			break;
		usleep(2000);
	}
	peer_abort();
	return NULL;
}

/* Until the abort has arrived at fd (poll() reports it), a minute at most. */
static void until_aborted(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 60000) != 1)
		die("the abort did not arrive");
}

static void *drain(void *arg)
{
	static char buf[65536];

	(void)arg;
	while (read(afd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void fill_send_buffer(void)
{
	char buf[4096] = { 0 };
	int fl = fcntl(cfd, F_GETFL);

	fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
	for (int still = 0; still < 3;) {
		ssize_t w = write(cfd, buf, sizeof(buf));

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			still++;
			usleep(100000);
			continue;
		}
		if (w <= 0)
			die("filling the send buffer");
		still = 0;
	}
	fcntl(cfd, F_SETFL, fl);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	pthread_t t;
	long r;
	int e;

	if (argc < 2)
		goto usage;
	scenario = argv[1];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_watchdog);
	alarm(getenv("WATCHDOG_S") ? (unsigned)atoi(getenv("WATCHDOG_S")) : 120);

	if (strcmp(scenario, "abort-read") == 0) {
		pair(0);
		pthread_create(&t, NULL, abort_later, NULL);
		r = read(cfd, buf, sizeof(buf));
		outcome("read", r, errno);
		pthread_join(t, NULL);
		r = read(cfd, buf, sizeof(buf));
		outcome("read", r, errno);
		r = send(cfd, "x", 1, MSG_NOSIGNAL);
		outcome("send", r, errno);
		r = send(cfd, "x", 1, MSG_NOSIGNAL);
		outcome("send", r, errno);
	} else if (strcmp(scenario, "abort-write") == 0) {
		pair(0);
		peer_abort();
		until_aborted(cfd);
		r = write(cfd, "x", 1);
		outcome("write", r, errno);
		r = write(cfd, "x", 1);
		outcome("write", r, errno);
		r = read(cfd, buf, sizeof(buf));
		outcome("read", r, errno);
	} else if (strcmp(scenario, "abort-blocked-write") == 0) {
		pair(65536);
		fill_send_buffer();
		pthread_create(&t, NULL, abort_later, NULL);
		r = write(cfd, buf, sizeof(buf));
		e = errno;
		outcome("write", r, e);
		pthread_join(t, NULL);
		r = write(cfd, buf, sizeof(buf));
		outcome("write", r, errno);
	} else if (strcmp(scenario, "loss-write") == 0 && argc == 4) {
		int ms = atoi(argv[2]);
		size_t sent = 0;

		pair(0);
		if (setsockopt(cfd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) != 0)
			die("TCP_USER_TIMEOUT");
		pthread_create(&t, NULL, drain, NULL);
		while (sent < (1 << 20)) {
			r = write(cfd, buf, sizeof(buf));
			if (r <= 0)
				die("write before the loss");
			sent += (size_t)r;
		}
		if (system(argv[3]) != 0)
			diex("command failed: %s", argv[3]);
		double t0 = now();
		long after = 0;

		for (;;) {
			r = write(cfd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			after += r;
		}
		e = errno;
		outcome("write", r, e);
		add(" after=%.0f", now() - t0);
		r = write(cfd, buf, 1);
		outcome("write", r, errno);
	} else if (strcmp(scenario, "loss-read-keepalive") == 0 && argc == 5) {
		int one = 1, idle = atoi(argv[2]), count = atoi(argv[3]);

		pair(0);
		if (setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) != 0 ||
		    setsockopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
		    setsockopt(cfd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle)) != 0 ||
		    setsockopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count)) != 0)
			die("keepalive options");
		if (system(argv[4]) != 0)
			diex("command failed: %s", argv[4]);
		double t0 = now();

		r = read(cfd, buf, sizeof(buf));
		e = errno;
		outcome("read", r, e);
		add(" after=%.0f", now() - t0);
	} else {
		goto usage;
	}
	printf("%s:%s\n", scenario, line);
	fflush(stdout);
	return 0;
usage:
	fprintf(stderr, "usage: hard_failure abort-read|abort-write|abort-blocked-write\n"
			"       hard_failure loss-write MS COMMAND\n"
			"       hard_failure loss-read-keepalive IDLE COUNT COMMAND\n");
	return 2;
}
