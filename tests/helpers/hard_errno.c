/*
 * hard_errno - every call the shim exports (shim/libsctpize.map), on paths
 * where it succeeds, with errno set to a sentinel first: a successful call
 * must leave errno as it found it, as libc's do (tests/unit/errno.bats on
 * the host with SCTP faked, tests/e2e/errno.bats on a real SCTP kernel,
 * tests/e2e/memcheck.bats under valgrind).
 *
 *   hard_errno [-b BIG] [-p PORT] [-t SECONDS]
 *
 * A TCP program: a loopback listener, connections to it, data both ways
 * through every read and write call, TCP options, descriptors copied and
 * closed, ioctl(), sendfile(), half-close and the listener's shutdown().
 * Under the shim the sockets are SCTP and the calls take the shim's paths:
 * writes larger than the send buffer (BIG bytes, default 2 MiB) and empty
 * ones, MSG_WAITALL over several messages, the first read after a
 * non-blocking connect, connect() again once connected, the half-close
 * marker, SIOCATMARK/SIOCOUTQ.
 *
 * One line per call:
 *   ok NAME errno=kept        succeeded, errno untouched
 *   ok NAME errno=ENAME       succeeded, but errno changed to ENAME
 *   fail NAME ENAME           failed (the path under test was not reached)
 * NAME is the exported symbol, then ":" and the case.  The status is 0 if
 * every call succeeded (whatever errno did).
 *
 * -p PORT: the listener binds that port (migration rules name it: under
 * sctpize --ports PORT the listener and the clients change protocol at
 * listen() and connect(); under --both the listener is a dual one and the
 * clients fall back to TCP when the listener is TCP only).  Every socket is
 * registered in an epoll set before its protocol is decided, so that the
 * registrations are moved.  The outcome of the non-blocking connects is asked
 * with getsockopt(SO_ERROR), connect() again and getpeername(), before the
 * listener accepts them (a fallback connects over TCP only then).
 * -t SECONDS (default 60): a watchdog ends a run that blocks ("fail
 * watchdog", status 4): a path that does not connect must not hang the test.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "helper.h"

#define SENTINEL 4242

/* The fortified entry points that _FORTIFY_SOURCE programs call instead. */
extern ssize_t __read_chk(int, void *, size_t, size_t);
extern ssize_t __recv_chk(int, void *, size_t, size_t, int);
extern ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
/* The large-file names (the same ABI on 64-bit). */
extern ssize_t sendfile64(int, int, off_t *, size_t);

static int failures;

/* Report one call: ok is its success, e the errno it left. */
static void report(const char *name, int ok, int e)
{
	if (!ok) {
		failures++;
		printf("fail %s %s\n", name, ename(e));
	} else if (e == SENTINEL) {
		printf("ok %s errno=kept\n", name);
	} else {
		printf("ok %s errno=%s\n", name, ename(e));
	}
	fflush(stdout);
}

/*
 * CALL(name, expr): errno = SENTINEL, evaluate expr (a result that is
 * negative on failure), report, and give the result.
 */
#define CALL(name, expr) ({						\
	long r_;							\
	int e_;								\
	errno = SENTINEL;						\
	r_ = (long)(expr);						\
	e_ = errno;							\
	report(name, r_ >= 0, e_);					\
	r_;								\
})

/* CALL_EQ: success is a result equal to want (a read of a known length). */
#define CALL_EQ(name, expr, want) ({					\
	long r_;							\
	int e_;								\
	errno = SENTINEL;						\
	r_ = (long)(expr);						\
	e_ = errno;							\
	if (r_ >= 0 && r_ != (long)(want)) {				\
		printf("fail %s returned %ld, expected %ld\n", name, r_, (long)(want)); \
		failures++;						\
	} else {							\
		report(name, r_ >= 0, e_);				\
	}								\
	r_;								\
})

static void on_watchdog(int sig)
{
	static const char msg[] = "fail watchdog: a call blocked\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(5);
	_exit(4);
}

static struct sockaddr_in server;

static int client(int flags)
{
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

/* Read exactly n bytes (setup, not checked). */
static void drain(int fd, size_t n)
{
	char buf[65536];

	while (n > 0) {
		ssize_t r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));

		if (r <= 0)
			die("drain");
		n -= (size_t)r;
	}
}

struct drainer {
	int fd;
	size_t n;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;

	drain(d->fd, d->n);
	return NULL;
}

int main(int argc, char **argv)
{
	size_t big = 2 << 20;
	socklen_t len;
	int l, c, a, c2, a2, c3, a3, c4, a4, v, one = 1, opt, ep, port = 0, watchdog = 60;
	char buf[4096], data[4096];
	struct iovec iov[3];
	struct msghdr m;
	struct sockaddr_storage from;
	struct sockaddr_in name;
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_flags = AI_NUMERICHOST }, *res;

	while ((opt = getopt(argc, argv, "b:p:t:")) != -1) {
		if (opt == 'b')
			big = strtoul(optarg, NULL, 10);
		else if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 't')
			watchdog = atoi(optarg);
		else
			return 2;
	}
	signal(SIGALRM, on_watchdog);
	alarm((unsigned)watchdog);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 1);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");

	/* ---- sockets, options, bind, listen, connect, accept ---- */
	l = CALL("socket:tcp", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CALL("socket:unix", v = socket(AF_UNIX, SOCK_STREAM, 0));
	close(v);
	CALL("setsockopt:SO_REUSEADDR", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	memset(&server, 0, sizeof(server));
	server.sin_family = AF_INET;
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server.sin_port = htons((unsigned short)port);
	CALL("bind:loopback", bind(l, (struct sockaddr *)&server, sizeof(server)));
	/* In an epoll set before listen() decides its protocol (migration: moved). */
	ev.data.fd = l;
	CALL("epoll_ctl:ADD-listener-before-listen", epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	CALL("listen:loopback", listen(l, 16));
	len = sizeof(server);
	CALL("getsockname:listener", getsockname(l, (struct sockaddr *)&server, &len));
	ev.events = EPOLLIN | EPOLLET;
	CALL("epoll_ctl:MOD-listener", epoll_ctl(ep, EPOLL_CTL_MOD, l, &ev));

	c = client(0);
	ev.events = EPOLLIN;
	ev.data.fd = c;
	CALL("epoll_ctl:ADD-before-connect", epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
	CALL("setsockopt:TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	CALL("setsockopt:TCP_CORK", setsockopt(c, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)));
	v = 0;
	CALL("setsockopt:TCP_CORK=0", setsockopt(c, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)));
	CALL("setsockopt:TCP_CONGESTION", setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
	v = 30;
	CALL("setsockopt:TCP_KEEPIDLE", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)));
	v = 5;
	CALL("setsockopt:TCP_KEEPCNT", setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)));
	v = 4;
	CALL("setsockopt:TCP_SYNCNT", setsockopt(c, IPPROTO_TCP, TCP_SYNCNT, &v, sizeof(v)));
	v = 1200;
	CALL("setsockopt:TCP_MAXSEG", setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof(v)));
	v = 20000;
	CALL("setsockopt:TCP_USER_TIMEOUT", setsockopt(c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	v = 0;
	CALL("setsockopt:TCP_USER_TIMEOUT=0", setsockopt(c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	CALL("setsockopt:SO_KEEPALIVE", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)));
	CALL("connect:blocking", connect(c, (struct sockaddr *)&server, sizeof(server)));
	ev.events = EPOLLIN | EPOLLOUT;
	CALL("epoll_ctl:MOD-connected", epoll_ctl(ep, EPOLL_CTL_MOD, c, &ev));
	/* The listener is readable (a client waits), whatever it is now. */
	if (epoll_wait(ep, evs, 4, 10000) < 1)
		die("epoll_wait: the listener is not readable");
	a = CALL("accept:plain", accept(l, NULL, NULL));
	len = sizeof(name);
	CALL("getsockname:connected", getsockname(c, (struct sockaddr *)&name, &len));
	len = sizeof(name);
	CALL("getpeername:connected", getpeername(c, (struct sockaddr *)&name, &len));
	len = sizeof(name);
	CALL("getpeername:accepted", getpeername(a, (struct sockaddr *)&name, &len));
	CALL("epoll_ctl:DEL-connected", epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL));

	c2 = client(SOCK_CLOEXEC);
	CALL("connect:blocking-2", connect(c2, (struct sockaddr *)&server, sizeof(server)));
	len = sizeof(from);
	a2 = CALL("accept4:cloexec", accept4(l, (struct sockaddr *)&from, &len, SOCK_CLOEXEC));

	/*
	 * Non-blocking connects, their outcome asked before the listener accepts:
	 * getsockopt(SO_ERROR) then connect() again for c3, getpeername() for c4.
	 */
	c3 = client(SOCK_NONBLOCK);
	ev.events = EPOLLOUT;
	ev.data.fd = c3;
	CALL("epoll_ctl:ADD-before-nonblocking-connect", epoll_ctl(ep, EPOLL_CTL_ADD, c3, &ev));
	if (connect(c3, (struct sockaddr *)&server, sizeof(server)) != 0 && errno != EINPROGRESS)
		die("non-blocking connect");
	struct pollfd p = { .fd = c3, .events = POLLOUT };

	if (poll(&p, 1, 10000) != 1)
		die("non-blocking connect: poll");
	len = sizeof(v);
	v = -1;
	CALL("getsockopt:SO_ERROR-after-nonblocking-connect",
	     getsockopt(c3, SOL_SOCKET, SO_ERROR, &v, &len));
	if (v != 0) {
		errno = v;
		die("non-blocking connect: SO_ERROR");
	}
	/* Writable and SO_ERROR 0: TCP answers a connect() again with 0. */
	CALL("connect:again-once-connected", connect(c3, (struct sockaddr *)&server, sizeof(server)));
	CALL("epoll_ctl:DEL-after-nonblocking-connect", epoll_ctl(ep, EPOLL_CTL_DEL, c3, NULL));
	c4 = client(SOCK_NONBLOCK);
	if (connect(c4, (struct sockaddr *)&server, sizeof(server)) != 0 && errno != EINPROGRESS)
		die("non-blocking connect 2");
	p.fd = c4;
	p.revents = 0;
	if (poll(&p, 1, 10000) != 1)
		die("non-blocking connect 2: poll");
	len = sizeof(name);
	CALL("getpeername:after-nonblocking-connect", getpeername(c4, (struct sockaddr *)&name, &len));
	a3 = accept(l, NULL, NULL);
	a4 = accept(l, NULL, NULL);
	if (a3 < 0 || a4 < 0)
		die("accept after the non-blocking connects");
	/* Which accepted socket is c3's: the one whose peer is c3's own address. */
	{
		struct sockaddr_in me, peer;
		socklen_t ml = sizeof(me), pl = sizeof(peer);

		if (getsockname(c3, (struct sockaddr *)&me, &ml) != 0 ||
		    getpeername(a3, (struct sockaddr *)&peer, &pl) != 0)
			die("c3's address");
		if (me.sin_port != peer.sin_port) {
			int t = a3;

			a3 = a4;
			a4 = t;
		}
	}
	CALL("fcntl:F_SETFL", fcntl(c3, F_SETFL, fcntl(c3, F_GETFL) & ~O_NONBLOCK));
	if (write(a3, "first", 5) != 5)
		die("write");
	CALL_EQ("read:first-after-nonblocking-connect", read(c3, buf, 5), 5);

	/* ---- getsockopt ---- */
	len = sizeof(v);
	CALL("getsockopt:SO_PROTOCOL", getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_NODELAY", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_MAXSEG", getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_KEEPIDLE", getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_KEEPCNT", getsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_CORK", getsockopt(c, IPPROTO_TCP, TCP_CORK, &v, &len));
	len = sizeof(v);
	CALL("getsockopt:TCP_USER_TIMEOUT", getsockopt(c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, &len));
	len = sizeof(buf);
	CALL("getsockopt:TCP_CONGESTION", getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, buf, &len));
	len = sizeof(buf);
	if (getenv("ERRNO_CHECK_NO_TCP_INFO") == NULL)
		CALL("getsockopt:TCP_INFO", getsockopt(c, IPPROTO_TCP, TCP_INFO, buf, &len));

	/* ---- writes and reads, each call both ways ---- */
	CALL_EQ("write:small", write(c, data, 100), 100);
	CALL_EQ("read:small", read(a, buf, 100), 100);
	CALL_EQ("send:small", send(c, data, 200, 0), 200);
	CALL_EQ("recv:small", recv(a, buf, 200, 0), 200);
	CALL_EQ("sendto:no-address", sendto(c, data, 300, 0, NULL, 0), 300);
	len = sizeof(from);
	CALL_EQ("recvfrom:small", recvfrom(a, buf, 300, 0, (struct sockaddr *)&from, &len), 300);
	iov[0] = (struct iovec){ data, 10 };
	iov[1] = (struct iovec){ data + 10, 20 };
	CALL_EQ("writev:small", writev(c, iov, 2), 30);
	iov[0] = (struct iovec){ buf, 15 };
	iov[1] = (struct iovec){ buf + 15, 15 };
	CALL_EQ("readv:small", readv(a, iov, 2), 30);
	iov[0] = (struct iovec){ data, 40 };
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	CALL_EQ("sendmsg:small", sendmsg(c, &m, 0), 40);
	iov[0] = (struct iovec){ buf, 40 };
	CALL_EQ("recvmsg:small", recvmsg(a, &m, 0), 40);
	CALL_EQ("write:back", write(a, data, 50), 50);
	CALL_EQ("__read_chk:small", __read_chk(c, buf, 50, sizeof(buf)), 50);
	CALL_EQ("write:back-2", write(a, data, 60), 60);
	CALL_EQ("__recv_chk:small", __recv_chk(c, buf, 60, sizeof(buf), 0), 60);
	CALL_EQ("write:back-3", write(a, data, 70), 70);
	len = sizeof(from);
	CALL_EQ("__recvfrom_chk:small", __recvfrom_chk(c, buf, 70, sizeof(buf), 0,
						       (struct sockaddr *)&from, &len), 70);
	/* Peeks, and MSG_WAITALL over three messages. */
	CALL_EQ("write:peeked", write(c, data, 10), 10);
	CALL_EQ("recv:MSG_PEEK", recv(a, buf, 10, MSG_PEEK), 10);
	CALL_EQ("read:after-peek", read(a, buf, 10), 10);
	for (int i = 0; i < 3; i++)
		if (write(c, data, 10) != 10)
			die("write");
	usleep(100000);
	CALL_EQ("recv:MSG_WAITALL-3-messages", recv(a, buf, 30, MSG_WAITALL), 30);
	for (int i = 0; i < 3; i++)
		if (write(c, data, 10) != 10)
			die("write");
	len = sizeof(from);
	CALL_EQ("recvfrom:MSG_WAITALL-3-messages",
		recvfrom(a, buf, 30, MSG_WAITALL, (struct sockaddr *)&from, &len), 30);
	for (int i = 0; i < 3; i++)
		if (write(c, data, 10) != 10)
			die("write");
	CALL_EQ("__recv_chk:MSG_WAITALL-3-messages", __recv_chk(a, buf, 30, sizeof(buf), MSG_WAITALL),
		30);

	/* recvmmsg(): one message. */
	if (write(c, data, 10) != 10)
		die("write");
	struct iovec mv = { buf, sizeof(buf) };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &mv, .msg_iovlen = 1 } };

	CALL_EQ("recvmmsg:one", recvmmsg(a, &mm, 1, 0, NULL), 1);

	/* Empty writes: TCP answers 0 (SCTP refuses an empty message). */
	CALL_EQ("write:empty", write(c, data, 0), 0);
	CALL_EQ("send:empty", send(c, data, 0, 0), 0);
	CALL_EQ("sendto:empty", sendto(c, data, 0, 0, NULL, 0), 0);
	iov[0] = (struct iovec){ data, 0 };
	CALL_EQ("writev:empty", writev(c, iov, 1), 0);
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	CALL_EQ("sendmsg:empty", sendmsg(c, &m, 0), 0);

	/* Writes larger than the send buffer (SCTP: EMSGSIZE, then the shim's pieces). */
	char *huge = calloc(1, big);
	struct drainer d = { a, 0 };
	pthread_t t;

	if (!huge)
		die("calloc");
	d.n = 5 * big;
	if (pthread_create(&t, NULL, drain_thread, &d) != 0)
		die("pthread_create");
	CALL_EQ("write:larger-than-sndbuf", write(c, huge, big), big);
	CALL_EQ("send:larger-than-sndbuf", send(c, huge, big, 0), big);
	CALL_EQ("sendto:larger-than-sndbuf", sendto(c, huge, big, 0, NULL, 0), big);
	iov[0] = (struct iovec){ huge, big / 2 };
	iov[1] = (struct iovec){ huge + big / 2, big - big / 2 };
	CALL_EQ("writev:larger-than-sndbuf", writev(c, iov, 2), big);
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	CALL_EQ("sendmsg:larger-than-sndbuf", sendmsg(c, &m, 0), big);
	pthread_join(t, NULL);

	/* sendfile() from a file to the socket. */
	char path[] = "/tmp/hard_errno.XXXXXX";
	int f = mkstemp(path);
	off_t off = 0;

	if (f < 0 || write(f, huge, 100000) != 100000)
		die("temporary file");
	unlink(path);
	d.n = 2 * 100000;
	if (pthread_create(&t, NULL, drain_thread, &d) != 0)
		die("pthread_create");
	CALL_EQ("sendfile:file-to-socket", sendfile(c, f, &off, 100000), 100000);
	off = 0;
	CALL_EQ("sendfile64:file-to-socket", sendfile64(c, f, &off, 100000), 100000);
	pthread_join(t, NULL);
	close(f);
	free(huge);

	/* ---- ioctl ---- */
	CALL("ioctl:FIONREAD", ioctl(a, FIONREAD, &v));
	CALL("ioctl:SIOCATMARK", ioctl(a, SIOCATMARK, &v));
	CALL("ioctl:SIOCOUTQ", ioctl(c, SIOCOUTQ, &v));
	CALL("ioctl:FIONBIO", ioctl(c2, FIONBIO, &one));

	/* ---- descriptors ---- */
	int d1 = CALL("dup:socket", dup(c2));
	int d2 = CALL("dup2:socket", dup2(c2, 200));
	int d3 = CALL("dup3:socket", dup3(c2, 201, O_CLOEXEC));
	int d4 = CALL("fcntl:F_DUPFD", fcntl(c2, F_DUPFD, 210));
	int d5 = CALL("fcntl64:F_DUPFD_CLOEXEC", fcntl64(c2, F_DUPFD_CLOEXEC, 220));

	CALL("fcntl:F_GETFL", fcntl(c2, F_GETFL));
	CALL("fcntl64:F_GETFD", fcntl64(c2, F_GETFD));
	CALL("close:dup", close(d1));
	CALL("close:dup2", close(d2));
	CALL("close_range:one", close_range((unsigned)d3, (unsigned)d3, 0));
	CALL("close_range:cloexec", close_range((unsigned)d4, (unsigned)d5, CLOSE_RANGE_CLOEXEC));
	CALL("close_range:two", close_range((unsigned)d4, (unsigned)d5, 0));

	/* ---- the process (process.c): nothing sandboxes itself here ---- */
	CALL("prctl:PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	CALL("syscall:getpid", syscall(SYS_getpid));

	/* ---- getaddrinfo ---- */
	if (CALL("getaddrinfo:numeric", getaddrinfo("127.0.0.1", "80", &hints, &res)) == 0)
		freeaddrinfo(res);

	/* ---- half-close: shutdown(SHUT_WR) each way, end of file each way ---- */
	CALL("shutdown:SHUT_WR", shutdown(c, SHUT_WR));
	CALL_EQ("read:end-of-file", read(a, buf, sizeof(buf)), 0);
	CALL_EQ("write:after-peer-half-closed", write(a, data, 20), 20);
	CALL_EQ("read:after-own-half-close", read(c, buf, 20), 20);
	CALL("shutdown:SHUT_WR-second-end", shutdown(a, SHUT_WR));
	CALL_EQ("recv:end-of-file", recv(c, buf, sizeof(buf), 0), 0);

	/* ---- the listener's shutdown (wakes accept() on TCP) ---- */
	CALL("shutdown:listener", shutdown(l, SHUT_RDWR));

	CALL("close:connected", close(c));
	CALL("close:accepted", close(a));
	CALL("close:listener", close(l));
	close(c2);
	close(a2);
	close(c3);
	close(a3);
	close(c4);
	close(a4);
	close(ep);
	printf("done failures=%d\n", failures);
	return failures ? 1 : 0;
}
