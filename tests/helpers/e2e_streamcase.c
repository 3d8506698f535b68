/*
 * e2e_streamcase - plain TCP programs for tests/e2e/stream.bats (issue 13): the
 * byte stream a program reads must be exactly what its peer wrote, by every
 * path a program reads with.  Nothing here knows SCTP except to print
 * SO_PROTOCOL, so that the test can check what it ran over.  Everything is on
 * 127.0.0.1, port PORT.  Every line goes to stdout, flushed.
 *
 *   e2e_streamcase server PORT HOW [reply] [high] [close=fclose|closefrom]
 *       Accept one client, read until end of file with HOW:
 *         read      read()
 *         stdio     fdopen() + fgets()
 *         splice    splice() from the socket into a pipe, read() from the pipe
 *         recvmsg   recvmsg() with a 64-byte control buffer the program never
 *                   asked anything for (prints what came in it)
 *         recvmmsg  recvmmsg() of up to 4 messages, MSG_WAITFORONE
 *       reply: after end of file, write "reply\n" (half-close).  high: take
 *       every descriptor below 65536 first (RLIMIT_NOFILE raised), so that the
 *       accepted socket is >= 65536.  close=: close the socket where the
 *       library cannot see it (fclose(fdopen()) or glibc's closefrom()), then
 *       make a pipe() that reuses its number and write and read through it.
 *       Prints:  server proto=P [fd>=65536]
 *                got="ESCAPED" end=eof|timeout|error:ENAME [ctl=N trunc=0|1]
 *                [reply=sent|error:ENAME]  [pipe=ok|...]
 *
 *   e2e_streamcase client PORT [reply] [close=fclose|closefrom]
 *       Connect, write "hello\n", shutdown(SHUT_WR), read until end of file.
 *       With close=, the socket is not read to its end (end=open): after
 *       "reply\n" with reply, at once without; then it is closed where the
 *       library cannot see it, and a pipe() reuses its number, as above.
 *       Prints:  client proto=P
 *                reply="ESCAPED" end=eof|open|timeout|error:ENAME   [pipe=ok|...]
 *
 *   e2e_streamcase peer PORT listen|connect
 *       The quiet peer: accept (or connect), wait for one byte or end of
 *       file, close.  Prints "peer proto=P".
 *
 *   e2e_streamcase dontwait PORT listen|connect
 *       On the blocking socket, with nothing queued: recv(16, MSG_DONTWAIT),
 *       then a pool's alive check recv(1, MSG_PEEK|MSG_DONTWAIT); then one
 *       byte to the peer, which closes; poll(POLLIN); the alive check again.
 *       Prints:  proto=P / dontwait=R / alive=R / closed=R, R being the
 *       count, or -1:ENAME (errno is set to 0 before each call: -1:errno0
 *       means a failure that set no errno).
 *
 *   e2e_streamcase ctimeout PORT soerror|nosoerror
 *       The connect-with-timeout idiom: a non-blocking connect, poll(POLLOUT),
 *       [getsockopt(SO_ERROR)], back to blocking, poll(POLLIN, 1000 ms) while
 *       the server sends nothing.  Prints: [so_error=N] / poll=N revents=0xN /
 *       proto=P.
 *
 *   e2e_streamcase dual-close PORT N
 *       Listen, serve N clients in turn as "server PORT read" does (one
 *       "server proto=P" and one "got=" line each), then closefrom() from the
 *       listener on (it goes where the library cannot see it), open 8 files (they
 *       take the lowest numbers, the listener's first), close() the one with
 *       the listener's old number, and check the 7 others are still open.
 *       Prints:  reuse=yes|no  then  others=ok  or  closed=FD,FD,...
 *
 * A program that waits too long prints what it has so far with end=timeout
 * (an alarm, 20 s after the exchange began for a server, 30 s for a client,
 * so that a hang is told by the server) and exits 3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "helper.h"

#define EXCHANGE_S 20		/* how long one exchange may take (a server) */
#define CLIENT_S 30		/* (a client: longer, so the server tells a hang first) */
#define HIGH 65536

static char got[4096];
static size_t ngot;
static const char *label = "got";

/* b as text: printable ASCII as it is, \n, \\, \" and \xNN; async-signal-safe. */
static size_t escape(const char *b, size_t n, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)b[i];

		if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

static void append(const char *b, size_t n)
{
	if (n > sizeof(got) - ngot)
		n = sizeof(got) - ngot;
	memcpy(got + ngot, b, n);
	ngot += n;
}

static void on_alarm(int sig)
{
	static char line[4 * sizeof(got) + 64];
	size_t o = 0, l = strlen(label);

	(void)sig;
	memcpy(line, label, l);
	o = l;
	memcpy(line + o, "=\"", 2);
	o += 2;
	o += escape(got, ngot, line + o, sizeof(line) - o - 16);
	memcpy(line + o, "\" end=timeout\n", 14);
	o += 14;
	if (write(STDOUT_FILENO, line, o) < 0)
		_exit(4);
	_exit(3);
}

static void print_got(const char *end, const char *extra)
{
	static char text[4 * sizeof(got) + 8];

	escape(got, ngot, text, sizeof(text));
	printf("%s=\"%s\" end=%s%s\n", label, text, end, extra ? extra : "");
	fflush(stdout);
}

static int proto_of(int fd)
{
	int p = -1;
	socklen_t len = sizeof(p);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &len) != 0)
		return -1;
	return p;
}

static struct sockaddr_in addr_of(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void bind_listen(int fd, int port)
{
	struct sockaddr_in a = addr_of(port);
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	if (listen(fd, 8) != 0)
		die("listen");
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	bind_listen(fd, port);
	return fd;
}

static int connect_to(int port)
{
	struct sockaddr_in a = addr_of(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	return fd;
}

static int accept_one(int ls)
{
	int fd = accept(ls, NULL, NULL);

	if (fd < 0)
		die("accept");
	return fd;
}

/*
 * Every descriptor below HIGH in use, so that the next new one is >= HIGH.
 * One dup2() per number would take minutes where system calls are slow (User-Mode
 * Linux): the numbers are taken 253 at a time instead, as descriptors passed over a
 * UNIX socket (SCM_RIGHTS), each landing on the lowest free number.
 */
static void occupy_low(void)
{
	enum { BATCH = 253 };	/* SCM_MAX_FD */
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(BATCH * sizeof(int))];
	} ctl;
	struct rlimit rl;
	rlim_t want = HIGH + 2 * BATCH;
	int nul = open("/dev/null", O_RDONLY), sv[2], top = -1;

	if (nul < 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("open /dev/null");
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (rl.rlim_max < want)
			rl.rlim_max = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			die("setrlimit RLIMIT_NOFILE");
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
		die("socketpair");
	while (top < HIGH - 1) {
		char byte = 0;
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		int fds[BATCH];

		for (int i = 0; i < BATCH; i++)
			fds[i] = nul;
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
		if (sendmsg(sv[0], &m, 0) != 1)
			die("sendmsg SCM_RIGHTS");
		m.msg_controllen = sizeof(ctl.b);
		if (recvmsg(sv[1], &m, 0) != 1 || (m.msg_flags & MSG_CTRUNC))
			die("recvmsg SCM_RIGHTS");
		c = CMSG_FIRSTHDR(&m);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			die("no descriptors received");
		memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
			if (fds[i] > top)
				top = fds[i];
	}
	/* (the numbers from HIGH on go again: the next new descriptor is HIGH) */
	if (close_range(HIGH, ~0u, 0) != 0)
		die("close_range");
	for (int fd = 0; fd < HIGH; fd++)
		if (fcntl(fd, F_GETFD) == -1 && (fd % 4096 == 0 || fd == HIGH - 1))
			die("a low descriptor is free");
}

/* --- reading until end of file, by each path --- */

static const char *result_end(ssize_t r)
{
	static char buf[64];

	if (r == 0)
		return "eof";
	snprintf(buf, sizeof(buf), "error:%s", ename(errno));
	return buf;
}

static const char *read_plain(int fd)
{
	char buf[512];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		append(buf, (size_t)r);
	return result_end(r);
}

static const char *read_stdio(FILE *f)
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		const char *nl = memchr(line, '\n', sizeof(line));

		append(line, nl ? (size_t)(nl - line) + 1 : strlen(line));
	}
	if (ferror(f))
		return result_end(-1);
	return "eof";
}

static const char *read_splice(int fd)
{
	int p[2];
	char buf[65536];
	ssize_t r;

	if (pipe(p) != 0)
		die("pipe");
	while ((r = splice(fd, NULL, p[1], NULL, sizeof(buf), 0)) > 0) {
		ssize_t n = read(p[0], buf, (size_t)r);

		if (n != r)
			die("read from the splice pipe");
		append(buf, (size_t)n);
	}
	close(p[0]);
	close(p[1]);
	return result_end(r);
}

static const char *read_recvmsg(int fd, char *extra, size_t size)
{
	char buf[512];
	union {
		struct cmsghdr align;
		char b[64];
	} ctl;
	size_t most = 0;
	bool trunc = false;
	ssize_t r;

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };

		r = recvmsg(fd, &m, 0);
		if (r <= 0)
			break;
		append(buf, (size_t)r);
		if (m.msg_controllen > most)
			most = m.msg_controllen;
		if (m.msg_flags & MSG_CTRUNC)
			trunc = true;
	}
	snprintf(extra, size, " ctl=%zu trunc=%d", most, trunc);
	return result_end(r);
}

static const char *read_recvmmsg(int fd)
{
	enum { VLEN = 4 };
	char buf[VLEN][512];
	struct iovec iov[VLEN];
	struct mmsghdr mm[VLEN];

	for (;;) {
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < VLEN; i++) {
			iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = sizeof(buf[i]) };
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(fd, mm, VLEN, MSG_WAITFORONE, NULL);

		if (n < 0)
			return result_end(-1);
		for (int i = 0; i < n; i++) {
			if (mm[i].msg_len == 0)
				return "eof";
			append(buf[i], mm[i].msg_len);
		}
	}
}

/* --- closes the library cannot see, and a pipe that takes the number --- */

static void close_unseen(int fd, const char *how)
{
	if (strcmp(how, "fclose") == 0) {
		FILE *f = fdopen(fd, "r+");

		if (!f)
			die("fdopen");
		fclose(f);
	} else if (strcmp(how, "closefrom") == 0) {
		closefrom(fd);	/* (the socket is the program's highest descriptor) */
	} else {
		fprintf(stderr, "close=%s: fclose or closefrom\n", how);
		exit(2);
	}
}

static void pipe_check(int old)
{
	int p[2];
	char buf[16] = "";
	ssize_t w, r;

	if (pipe(p) != 0)
		die("pipe");
	if (p[0] != old && p[1] != old) {
		printf("pipe=not-reused (%d, %d; the socket was %d)\n", p[0], p[1], old);
		fflush(stdout);
		return;
	}
	errno = 0;
	w = write(p[1], "pipe\n", 5);
	if (w != 5) {
		printf("pipe=write-error:%s\n", w < 0 ? ename(errno) : "short");
		fflush(stdout);
		return;
	}
	errno = 0;
	r = read(p[0], buf, sizeof(buf));
	if (r == 5 && memcmp(buf, "pipe\n", 5) == 0)
		printf("pipe=ok\n");
	else if (r < 0)
		printf("pipe=read-error:%s\n", ename(errno));
	else
		printf("pipe=read-%zd-bytes\n", r);
	fflush(stdout);
	close(p[0]);
	close(p[1]);
}

/* --- the programs --- */

static void start_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	alarm(3 * EXCHANGE_S);		/* (a first bound, before the exchange) */
}

static int cmd_server(int port, const char *how, int argc, char **argv)
{
	bool reply = false, high = false;
	const char *close_how = NULL, *end;
	char extra[64] = "";
	FILE *f = NULL;
	int ls, fd;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "reply") == 0)
			reply = true;
		else if (strcmp(argv[i], "high") == 0)
			high = true;
		else if (strncmp(argv[i], "close=", 6) == 0)
			close_how = argv[i] + 6;
		else {
			fprintf(stderr, "server: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (high) {
		/* The listener below 65536, as a program's is; then the numbers taken. */
		ls = socket(AF_INET, SOCK_STREAM, 0);
		if (ls < 0)
			die("socket");
		occupy_low();
		bind_listen(ls, port);
	} else {
		ls = listen_on(port);
	}
	fd = accept_one(ls);
	printf("server proto=%d%s\n", proto_of(fd), !high ? "" : fd >= HIGH ? " fd>=65536" : " fd<65536");
	fflush(stdout);
	alarm(EXCHANGE_S);
	if (strcmp(how, "read") == 0) {
		end = read_plain(fd);
	} else if (strcmp(how, "stdio") == 0) {
		f = fdopen(fd, "r");
		if (!f)
			die("fdopen");
		end = read_stdio(f);
	} else if (strcmp(how, "splice") == 0) {
		end = read_splice(fd);
	} else if (strcmp(how, "recvmsg") == 0) {
		end = read_recvmsg(fd, extra, sizeof(extra));
	} else if (strcmp(how, "recvmmsg") == 0) {
		end = read_recvmmsg(fd);
	} else {
		fprintf(stderr, "server: HOW is read, stdio, splice, recvmsg or recvmmsg\n");
		return 2;
	}
	print_got(end, extra);
	if (reply) {
		errno = 0;
		ssize_t w = write(fd, "reply\n", 6);

		printf("reply=%s\n", w == 6 ? "sent" : w < 0 ? ename(errno) : "short");
		fflush(stdout);
	}
	if (close_how) {
		if (f)
			fclose(f);	/* (stdio: this is the unseen close already) */
		else
			close_unseen(fd, close_how);
		pipe_check(fd);
	} else if (f) {
		fclose(f);
	} else {
		close(fd);
	}
	close(ls);
	return 0;
}

static int cmd_client(int port, int argc, char **argv)
{
	const char *close_how = NULL, *end;
	bool reply = false;
	int fd;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "reply") == 0)
			reply = true;
		else if (strncmp(argv[i], "close=", 6) == 0)
			close_how = argv[i] + 6;
		else {
			fprintf(stderr, "client: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	fd = connect_to(port);
	printf("client proto=%d\n", proto_of(fd));
	fflush(stdout);
	alarm(CLIENT_S);
	label = "reply";
	if (write(fd, "hello\n", 6) != 6)
		die("write");
	if (shutdown(fd, SHUT_WR) != 0)
		die("shutdown");
	if (!close_how) {
		print_got(read_plain(fd), NULL);
		close(fd);
		return 0;
	}
	/* A program that knows how much it expects, and closes without reading on. */
	end = "open";
	while (reply && ngot < 6) {
		char buf[6];
		ssize_t r = read(fd, buf, 6 - ngot);

		if (r <= 0) {
			end = result_end(r);
			break;
		}
		append(buf, (size_t)r);
	}
	print_got(end, NULL);
	close_unseen(fd, close_how);
	pipe_check(fd);
	return 0;
}

static int open_role(int port, const char *role)
{
	if (strcmp(role, "listen") == 0) {
		int ls = listen_on(port), fd = accept_one(ls);

		close(ls);
		return fd;
	}
	if (strcmp(role, "connect") == 0)
		return connect_to(port);
	fprintf(stderr, "ROLE is listen or connect\n");
	exit(2);
}

static int cmd_peer(int port, const char *role)
{
	int fd = open_role(port, role);
	char c;

	printf("peer proto=%d\n", proto_of(fd));
	fflush(stdout);
	if (read(fd, &c, 1) < 0)
		die("read");
	close(fd);
	return 0;
}

static void print_r(const char *what, ssize_t r)
{
	if (r >= 0)
		printf("%s=%zd\n", what, r);
	else
		printf("%s=-1:%s\n", what, ename(errno));
	fflush(stdout);
}

static int cmd_dontwait(int port, const char *role)
{
	int fd = open_role(port, role);
	char buf[16];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	printf("proto=%d\n", proto_of(fd));
	alarm(EXCHANGE_S);
	errno = 0;
	print_r("dontwait", recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	errno = 0;
	print_r("alive", recv(fd, buf, 1, MSG_PEEK | MSG_DONTWAIT));
	if (write(fd, "x", 1) != 1)
		die("write");
	if (poll(&p, 1, EXCHANGE_S * 1000) != 1)
		die("poll: the peer did not close");
	errno = 0;
	print_r("closed", recv(fd, buf, 1, MSG_PEEK | MSG_DONTWAIT));
	close(fd);
	return 0;
}

static int cmd_ctimeout(int port, const char *variant)
{
	struct sockaddr_in a = addr_of(port);
	struct pollfd p;
	int fd = socket(AF_INET, SOCK_STREAM, 0), fl, r;

	if (fd < 0)
		die("socket");
	fl = fcntl(fd, F_GETFL);
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		die("fcntl O_NONBLOCK");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS)
		die("connect");
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, EXCHANGE_S * 1000) != 1)
		die("poll POLLOUT");
	if (strcmp(variant, "soerror") == 0) {
		int err = -1;
		socklen_t len = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			die("getsockopt SO_ERROR");
		printf("so_error=%d\n", err);
	} else if (strcmp(variant, "nosoerror") != 0) {
		fprintf(stderr, "ctimeout: soerror or nosoerror\n");
		return 2;
	}
	if (fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		die("fcntl blocking");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&p, 1, 1000);
	printf("poll=%d revents=%#x\n", r, r > 0 ? (unsigned)p.revents : 0u);
	printf("proto=%d\n", proto_of(fd));
	fflush(stdout);
	close(fd);
	return 0;
}

static int cmd_dual_close(int port, int n)
{
	int ls = listen_on(port), files[8];
	char closed[128] = "";

	for (int i = 0; i < n; i++) {
		int fd = accept_one(ls);

		printf("server proto=%d\n", proto_of(fd));
		fflush(stdout);
		alarm(EXCHANGE_S);
		ngot = 0;
		print_got(read_plain(fd), NULL);
		close(fd);
	}
	closefrom(ls);	/* (everything the library made for it came after it) */
	for (int i = 0; i < 8; i++) {
		files[i] = open("/dev/null", O_RDONLY);
		if (files[i] < 0)
			die("open /dev/null");
	}
	printf("reuse=%s\n", files[0] == ls ? "yes" : "no");
	close(files[0]);
	for (int i = 1; i < 8; i++)
		if (fcntl(files[i], F_GETFD) == -1)
			snprintf(closed + strlen(closed), sizeof(closed) - strlen(closed), "%s%d",
				 closed[0] ? "," : "", files[i]);
	if (closed[0])
		printf("closed=%s\n", closed);
	else
		printf("others=ok\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int port;

	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of e2e_streamcase.c\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	start_alarm();
	port = atoi(argv[2]);
	if (strcmp(argv[1], "server") == 0 && argc >= 4)
		return cmd_server(port, argv[3], argc - 4, argv + 4);
	if (strcmp(argv[1], "client") == 0)
		return cmd_client(port, argc - 3, argv + 3);
	if (strcmp(argv[1], "peer") == 0 && argc == 4)
		return cmd_peer(port, argv[3]);
	if (strcmp(argv[1], "dontwait") == 0 && argc == 4)
		return cmd_dontwait(port, argv[3]);
	if (strcmp(argv[1], "ctimeout") == 0 && argc == 4)
		return cmd_ctimeout(port, argv[3]);
	if (strcmp(argv[1], "dual-close") == 0 && argc == 4)
		return cmd_dual_close(port, atoi(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of e2e_streamcase.c\n");
	return 2;
}
