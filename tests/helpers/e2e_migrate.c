/*
 * e2e_migrate - a plain TCP program for the migration-mode tests
 * (tests/e2e/migrate.bats): it is written for TCP only and reports what it
 * ended up with, so the tests see which sockets sctpize's rules converted,
 * that a `both` listener serves both protocols however the program waits for
 * clients, that a `both` client falls back to TCP however it waits for its
 * connect, and that what the program set on a socket survives the swap.
 * It knows SCTP only to read results (SO_PROTOCOL 132).
 *
 *   e2e_migrate server ADDR PORT MODE N
 *       Listen on ADDR:PORT (SO_REUSEADDR), print "listening", serve N clients,
 *       exit 0.  MODE: accept, accept4 (SOCK_CLOEXEC), select, poll, epoll-lt,
 *       epoll-et (the last four on a nonblocking listener; epoll-et accepts
 *       until EAGAIN at each wakeup).  Each client: one line in, the answer
 *       "PROTO PEERADDR LINE" out (PROTO tcp|sctp: the accepted socket's
 *       SO_PROTOCOL; PEERADDR: the address accept() returned), close.
 *
 *   e2e_migrate client ADDR PORT MODE LINE
 *       Connect, send LINE, print "PROTO ANSWER" (PROTO: this socket's
 *       SO_PROTOCOL after connect; ANSWER: what came back, up to end of file).
 *       MODE: blocking; poll (nonblocking connect, poll POLLOUT, SO_ERROR);
 *       epoll (the same with epoll, then EPOLL_CTL_MOD to EPOLLIN for the
 *       answer); epoll-early (epoll_ctl ADD before connect()); connect2
 *       (nonblocking, poll, then a second connect(): 0 or EISCONN is success).
 *       A failed connect prints "connect: ENAME" on stderr, exit 1.
 *
 *   e2e_migrate preserve ADDR PORT
 *       Before connect: O_NONBLOCK and FD_CLOEXEC (fcntl), SO_REUSEADDR,
 *       SO_KEEPALIVE, SO_LINGER {1,5}, SO_RCVBUF 300000, SO_SNDTIMEO 7 s,
 *       IP_TOS (IPV6_TCLASS) 0x10, TCP_NODELAY, TCP_KEEPIDLE 77, bind to
 *       ADDR port 0.  Then a nonblocking connect (poll, SO_ERROR) and one
 *       line per property read back (see report()), the last "bound ADDR";
 *       then "preserve" is sent and "answer ANSWER" printed.
 *       "fd SAME": the descriptor the program holds is the connected socket
 *       and no descriptor appeared beside it (the lowest free number is the
 *       one it was before connect); otherwise "fd CHANGED".
 *
 *   e2e_migrate preserve-server ADDR PORT
 *       The same settings before bind and listen; the same report after
 *       listen ("bound ADDR:PORT", [ADDR]:PORT for IPv6; "fd SAME" means the
 *       descriptor is the listening socket, no other appeared), then
 *       "listening"; then one client (poll, accept): "client PROTO".
 *
 * Errors: a message on stderr, exit 1 (2 for usage).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "helper.h"

#define WAIT_MS 30000		/* the longest any single wait may take */
#define LINE_MAX_LEN 1024

/* ---- addresses ---- */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static struct addr parse_addr(const char *host, const char *port)
{
	struct addr a;
	char *end;
	long p = strtol(port, &end, 10);

	if (*port == '\0' || *end != '\0' || p < 0 || p > 65535)
		diex("bad port '%s'", port);
	memset(&a, 0, sizeof(a));
	struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.ss;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		a.len = sizeof(*in);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		a.len = sizeof(*in6);
	} else {
		diex("bad address '%s'", host);
	}
	a.family = a.ss.ss_family;
	return a;
}

/* The numeric address of sa, without the port. */
static const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *src = ss->ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		snprintf(buf, size, "family-%d", ss->ss_family);
	else if (!inet_ntop(ss->ss_family, src, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
						 ((const struct sockaddr_in *)ss)->sin_port);
}

/* ---- small socket helpers ---- */

static const char *proto_name(int fd)
{
	int proto = -1;
	socklen_t len = sizeof(proto);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0)
		return "error";
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_SCTP ? "sctp" : "other";
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		die("fcntl O_NONBLOCK");
}

static void setopt(int fd, int level, int name, const void *val, socklen_t len, const char *what)
{
	if (setsockopt(fd, level, name, val, len) != 0)
		die(what);
}

static void setint(int fd, int level, int name, int v, const char *what)
{
	setopt(fd, level, name, &v, sizeof(v), what);
}

static int getint(int fd, int level, int name, const char *what)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) != 0)
		die(what);
	return v;
}

/* Wait for events on fd with poll(); die after WAIT_MS. */
static short wait_poll(int fd, short events, const char *what)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, WAIT_MS);

	if (n < 0)
		die(what);
	if (n == 0)
		diex("%s: no event in %d ms", what, WAIT_MS);
	return p.revents;
}

/* Wait on epoll instance ep for one event; die after WAIT_MS. */
static uint32_t wait_epoll(int ep, const char *what)
{
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, WAIT_MS);

	if (n < 0)
		die(what);
	if (n == 0)
		diex("%s: no event in %d ms", what, WAIT_MS);
	return ev.events;
}

static void epoll_set(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(ep, op, fd, &ev) != 0)
		die(op == EPOLL_CTL_ADD ? "epoll_ctl ADD" : "epoll_ctl MOD");
}

/*
 * Wait until fd can do what `events` says: through epoll instance ep when
 * there is one (the socket is registered there for exactly these events),
 * else through poll().
 */
static void wait_io(int fd, int ep, short events, const char *what)
{
	if (ep >= 0)
		wait_epoll(ep, what);
	else
		wait_poll(fd, events, what);
}

static void write_all(int fd, int ep, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EAGAIN) {
			wait_io(fd, ep, POLLOUT, "write wait");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

/* Read to end of file into buf (NUL terminated, without a final newline). */
static void read_to_eof(int fd, int ep, char *buf, size_t size)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf + got, size - 1 - got);

		if (n < 0 && errno == EAGAIN) {
			wait_io(fd, ep, POLLIN, "read wait");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == size - 1)
			diex("the answer is too long");
	}
	buf[got] = '\0';
	if (got > 0 && buf[got - 1] == '\n')
		buf[got - 1] = '\0';
}

/* ---- server ---- */

/* Read one line (to '\n' or end of file) from a blocking socket. */
static void read_line(int fd, char *buf, size_t size)
{
	size_t got = 0;
	char c;

	while (got < size - 1) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		buf[got++] = c;
	}
	buf[got] = '\0';
}

/* One client: one line in, "PROTO PEERADDR LINE" out, close. */
static void serve(int fd, const struct sockaddr_storage *peer)
{
	char line[LINE_MAX_LEN], answer[LINE_MAX_LEN + 128], host[INET6_ADDRSTRLEN + 16];
	struct timeval tv = { .tv_sec = 10 };
	int fl = fcntl(fd, F_GETFL);

	/* An accepted socket is blocking here (accept4 without SOCK_NONBLOCK). */
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	/* A client that never writes must not stop the others forever. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	read_line(fd, line, sizeof(line));
	snprintf(answer, sizeof(answer), "%s %s %s\n", proto_name(fd),
		 addr_str(peer, host, sizeof(host)), line);
	size_t len = strlen(answer), off = 0;
	while (off < len) {
		ssize_t n = write(fd, answer + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "migrate: server: write: %s\n", ename(errno));
			break;
		}
		off += (size_t)n;
	}
	close(fd);
}

/*
 * One accept (accept4 with flags when use4) on listener l; serves the client.
 * Returns 1 when a client was served, 0 on EAGAIN (nothing was waiting).
 */
static int accept_one(int l, int use4, int flags)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int fd;

	memset(&peer, 0, sizeof(peer));
	do
		fd = use4 ? accept4(l, (struct sockaddr *)&peer, &len, flags) :
			    accept(l, (struct sockaddr *)&peer, &len);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (fd < 0)
		die(use4 ? "accept4" : "accept");
	if (len > sizeof(peer) || (peer.ss_family != AF_INET && peer.ss_family != AF_INET6))
		diex("accept returned no internet address (family %d, length %u)",
		    peer.ss_family, (unsigned)len);
	if (use4 && (flags & SOCK_CLOEXEC) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		diex("accept4(SOCK_CLOEXEC) returned a descriptor without FD_CLOEXEC");
	serve(fd, &peer);
	return 1;
}

static int listener(const struct addr *a)
{
	int l = socket(a->family, SOCK_STREAM, 0);

	if (l < 0)
		die("socket");
	setint(l, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(l, (const struct sockaddr *)&a->ss, a->len) != 0)
		die("bind");
	return l;
}

static int cmd_server(const char *host, const char *port, const char *mode, const char *count)
{
	struct addr a = parse_addr(host, port);
	int n = atoi(count), served = 0, l, ep = -1;

	if (n <= 0)
		diex("bad client count '%s'", count);
	if (strcmp(mode, "accept") && strcmp(mode, "accept4") && strcmp(mode, "select") &&
	    strcmp(mode, "poll") && strcmp(mode, "epoll-lt") && strcmp(mode, "epoll-et"))
		diex("unknown server mode '%s'", mode);
	l = listener(&a);
	if (listen(l, 128) != 0)
		die("listen");
	if (strncmp(mode, "accept", 6) != 0) {
		set_nonblock(l);
		if (strncmp(mode, "epoll", 5) == 0) {
			ep = epoll_create1(EPOLL_CLOEXEC);
			if (ep < 0)
				die("epoll_create1");
			epoll_set(ep, EPOLL_CTL_ADD, l,
				  EPOLLIN | (strcmp(mode, "epoll-et") == 0 ? EPOLLET : 0));
		}
	}
	printf("listening\n");
	fflush(stdout);

	while (served < n) {
		if (strcmp(mode, "accept") == 0) {
			served += accept_one(l, 0, 0);
		} else if (strcmp(mode, "accept4") == 0) {
			served += accept_one(l, 1, SOCK_CLOEXEC);
		} else if (strcmp(mode, "select") == 0) {
			fd_set rd;
			FD_ZERO(&rd);
			FD_SET(l, &rd);
			int r = select(l + 1, &rd, NULL, NULL, NULL);
			if (r < 0 && errno != EINTR)
				die("select");
			if (r > 0 && FD_ISSET(l, &rd))
				served += accept_one(l, 0, 0);
		} else if (strcmp(mode, "poll") == 0) {
			struct pollfd p = { .fd = l, .events = POLLIN };
			int r = poll(&p, 1, -1);
			if (r < 0 && errno != EINTR)
				die("poll");
			if (r > 0 && (p.revents & (POLLERR | POLLNVAL)))
				diex("poll: revents 0x%x on the listener", p.revents);
			if (r > 0 && (p.revents & POLLIN))
				served += accept_one(l, 0, 0);
		} else {
			struct epoll_event ev;
			int r = epoll_wait(ep, &ev, 1, -1);
			if (r < 0 && errno != EINTR)
				die("epoll_wait");
			if (r <= 0)
				continue;
			if (ev.data.fd != l || !(ev.events & EPOLLIN))
				diex("epoll_wait: events 0x%x for fd %d", ev.events, ev.data.fd);
			if (strcmp(mode, "epoll-lt") == 0) {
				served += accept_one(l, 0, 0);
			} else {
				/* Edge triggered: everything that waits, or no wakeup comes again. */
				while (accept_one(l, 1, 0))
					served++;
			}
		}
	}
	return 0;
}

/* ---- client ---- */

/* After a failed connect: "connect: ENAME" on stderr, exit 1. */
static void connect_failed(int e)
{
	fprintf(stderr, "connect: %s\n", ename(e));
	exit(1);
}

/* SO_ERROR of a connect that was in progress; exits on failure. */
static void check_so_error(int fd)
{
	int e = getint(fd, SOL_SOCKET, SO_ERROR, "getsockopt SO_ERROR");

	if (e != 0)
		connect_failed(e);
}

/* A nonblocking connect: returns 1 when it is in progress, 0 when already done. */
static int start_connect(int fd, const struct addr *a)
{
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		connect_failed(errno);
	return 1;
}

static int cmd_client(const char *host, const char *port, const char *mode, const char *line)
{
	struct addr a = parse_addr(host, port);
	char answer[4096], *msg;
	int fd, ep = -1;

	fd = socket(a.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");

	if (strcmp(mode, "blocking") == 0) {
		if (connect(fd, (const struct sockaddr *)&a.ss, a.len) != 0)
			connect_failed(errno);
	} else if (strcmp(mode, "poll") == 0) {
		set_nonblock(fd);
		if (start_connect(fd, &a))
			wait_poll(fd, POLLOUT, "poll POLLOUT");
		check_so_error(fd);
	} else if (strcmp(mode, "epoll") == 0 || strcmp(mode, "epoll-early") == 0) {
		int early = strcmp(mode, "epoll-early") == 0;

		set_nonblock(fd);
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0)
			die("epoll_create1");
		if (early)
			epoll_set(ep, EPOLL_CTL_ADD, fd, EPOLLOUT);
		start_connect(fd, &a);
		if (!early)
			epoll_set(ep, EPOLL_CTL_ADD, fd, EPOLLOUT);
		wait_epoll(ep, "epoll_wait EPOLLOUT");
		check_so_error(fd);
		epoll_set(ep, EPOLL_CTL_MOD, fd, EPOLLIN);
	} else if (strcmp(mode, "connect2") == 0) {
		set_nonblock(fd);
		if (start_connect(fd, &a)) {
			wait_poll(fd, POLLOUT, "poll POLLOUT");
			if (connect(fd, (const struct sockaddr *)&a.ss, a.len) != 0 && errno != EISCONN)
				connect_failed(errno);
		}
	} else {
		diex("unknown client mode '%s'", mode);
	}

	const char *proto = proto_name(fd);
	if (asprintf(&msg, "%s\n", line) < 0)
		diex("out of memory");
	write_all(fd, -1, msg, strlen(msg));
	free(msg);
	read_to_eof(fd, ep, answer, sizeof(answer));
	printf("%s %s\n", proto, answer);
	return 0;
}

/* ---- preserve, preserve-server ---- */

/* The lowest descriptor number free now (what the next open() would get). */
static int lowest_free_fd(void)
{
	int probe = open("/dev/null", O_RDONLY);

	if (probe < 0)
		die("open /dev/null");
	close(probe);
	return probe;
}

/* Everything the program sets on the socket before connect or listen. */
static void set_everything(int fd, int family)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	struct linger lg = { .l_onoff = 1, .l_linger = 5 };
	struct timeval tv = { .tv_sec = 7 };

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		die("fcntl F_SETFL");
	if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) != 0)
		die("fcntl F_SETFD");
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
	setopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg), "SO_LINGER");
	setint(fd, SOL_SOCKET, SO_RCVBUF, 300000, "SO_RCVBUF");
	setopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv), "SO_SNDTIMEO");
	if (family == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x10, "IPV6_TCLASS");
	else
		setint(fd, IPPROTO_IP, IP_TOS, 0x10, "IP_TOS");
	setint(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 77, "TCP_KEEPIDLE");
}

/* One line per property of fd, as set_everything() set them. */
static void report(int fd, int family, int fd_same)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	struct linger lg = { .l_onoff = -1, .l_linger = -1 };
	struct timeval tv = { .tv_sec = -1 };
	socklen_t len;

	printf("fd %s\n", fd_same ? "SAME" : "CHANGED");
	printf("proto %s\n", proto_name(fd));
	printf("nonblock %s\n", fl >= 0 && (fl & O_NONBLOCK) ? "yes" : "no");
	printf("cloexec %s\n", fdfl >= 0 && (fdfl & FD_CLOEXEC) ? "yes" : "no");
	printf("reuseaddr %d\n", getint(fd, SOL_SOCKET, SO_REUSEADDR, "get SO_REUSEADDR"));
	printf("keepalive %d\n", getint(fd, SOL_SOCKET, SO_KEEPALIVE, "get SO_KEEPALIVE"));
	len = sizeof(lg);
	if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) != 0)
		die("get SO_LINGER");
	printf("linger %d %d\n", lg.l_onoff, lg.l_linger);
	printf("rcvbuf %d\n", getint(fd, SOL_SOCKET, SO_RCVBUF, "get SO_RCVBUF"));
	len = sizeof(tv);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) != 0)
		die("get SO_SNDTIMEO");
	printf("sndtimeo %ld\n", (long)tv.tv_sec);
	if (family == AF_INET6)
		printf("tos %d\n", getint(fd, IPPROTO_IPV6, IPV6_TCLASS, "get IPV6_TCLASS"));
	else
		printf("tos %d\n", getint(fd, IPPROTO_IP, IP_TOS, "get IP_TOS"));
	printf("nodelay %d\n", getint(fd, IPPROTO_TCP, TCP_NODELAY, "get TCP_NODELAY"));
	printf("keepidle %d\n", getint(fd, IPPROTO_TCP, TCP_KEEPIDLE, "get TCP_KEEPIDLE"));
}

static struct sockaddr_storage local_addr(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		die("getsockname");
	return ss;
}

static int cmd_preserve(const char *host, const char *port)
{
	struct addr dst = parse_addr(host, port), src = parse_addr(host, "0");
	struct sockaddr_storage peer, me;
	socklen_t len = sizeof(peer);
	char buf[INET6_ADDRSTRLEN + 16], answer[4096];
	int fd, free_before, same;

	fd = socket(dst.family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	const int fd_number = fd;
	set_everything(fd, dst.family);
	if (bind(fd, (const struct sockaddr *)&src.ss, src.len) != 0)
		die("bind");
	free_before = lowest_free_fd();

	if (start_connect(fd, &dst))
		wait_poll(fd, POLLOUT, "poll POLLOUT");
	check_so_error(fd);

	/* The connection is on the descriptor the program holds, and nothing appeared beside it. */
	same = fd == fd_number && getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
	       port_of(&peer) == port_of(&dst.ss) && lowest_free_fd() == free_before;
	report(fd, dst.family, same);
	me = local_addr(fd);
	printf("bound %s\n", addr_str(&me, buf, sizeof(buf)));
	fflush(stdout);

	write_all(fd, -1, "preserve\n", 9);
	read_to_eof(fd, -1, answer, sizeof(answer));
	printf("answer %s\n", answer);
	return 0;
}

static int cmd_preserve_server(const char *host, const char *port)
{
	struct addr a = parse_addr(host, port);
	struct sockaddr_storage me, peer;
	socklen_t len = sizeof(peer);
	char buf[INET6_ADDRSTRLEN + 16];
	int l, c, free_before, same;

	l = socket(a.family, SOCK_STREAM, 0);
	if (l < 0)
		die("socket");
	const int fd_number = l;
	set_everything(l, a.family);
	if (bind(l, (const struct sockaddr *)&a.ss, a.len) != 0)
		die("bind");
	free_before = lowest_free_fd();
	if (listen(l, 16) != 0)
		die("listen");

	me = local_addr(l);
	same = l == fd_number && getint(l, SOL_SOCKET, SO_ACCEPTCONN, "get SO_ACCEPTCONN") == 1 &&
	       port_of(&me) == port_of(&a.ss) && lowest_free_fd() == free_before;
	report(l, a.family, same);
	addr_str(&me, buf, sizeof(buf));
	if (me.ss_family == AF_INET6)
		printf("bound [%s]:%d\n", buf, port_of(&me));
	else
		printf("bound %s:%d\n", buf, port_of(&me));
	printf("listening\n");
	fflush(stdout);

	wait_poll(l, POLLIN, "poll POLLIN");
	c = accept(l, (struct sockaddr *)&peer, &len);
	if (c < 0)
		die("accept");
	printf("client %s\n", proto_name(c));
	close(c);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: e2e_migrate server ADDR PORT MODE N\n"
			"       e2e_migrate client ADDR PORT MODE LINE\n"
			"       e2e_migrate preserve ADDR PORT\n"
			"       e2e_migrate preserve-server ADDR PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	/* A client that goes away early must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 6 && strcmp(argv[1], "server") == 0)
		return cmd_server(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return cmd_client(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[1], "preserve") == 0)
		return cmd_preserve(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "preserve-server") == 0)
		return cmd_preserve_server(argv[2], argv[3]);
	usage();
	return 2;
}
