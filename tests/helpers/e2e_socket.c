/*
 * e2e_socket - a TCP-style program that reports what socket() and accept()
 * gave it, for tests/e2e/socket.bats.  It knows SCTP only to read results
 * (SO_PROTOCOL, SCTP_NODELAY at level IPPROTO_SCTP).
 *
 *   e2e_socket create FAMILY TYPE FLAGS PROTO
 *       FAMILY inet|inet6|unix, TYPE stream|dgram|seqpacket|raw,
 *       FLAGS none|nonblock|cloexec|nonblock,cloexec, PROTO a number.
 *       Prints "proto=P nonblock=0|1 cloexec=0|1[ nodelay=0|1]" (nodelay
 *       only for an SCTP socket) or "error=ENAME".
 *
 *   e2e_socket pair [-6] [-4 FLAGS] [-c] [-h]
 *       A loopback listener (socket(AF_INET[6], SOCK_STREAM, 0)), a client
 *       that connects to it, and accept() (or accept4(FLAGS) with -4); -c
 *       clears SCTP_NODELAY on the listener first (so that only the accept
 *       hook can set it on the accepted socket); a few bytes go each way.
 *       Prints one line per socket and "port=N"; with -h it then prints
 *       "ready" and waits for a signal, holding the association.
 *
 * Any line may end in " errno-changed=ENAME": a successful call changed errno.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "helper.h"

#include "e2e_loopback.h"

#define SENTINEL 4242

/* "proto=P nonblock=B cloexec=B[ nodelay=B]" for fd. */
static void describe(const char *label, int fd, int errno_after)
{
	int proto = -1, nodelay = -1;
	socklen_t len = sizeof(proto);
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0)
		proto = -1;
	printf("%s%sproto=%d nonblock=%d cloexec=%d", label, *label ? " " : "", proto,
	       !!(fl & O_NONBLOCK), !!(fdfl & FD_CLOEXEC));
	if (proto == IPPROTO_SCTP) {
		len = sizeof(nodelay);
		if (getsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &nodelay, &len) != 0)
			printf(" nodelay=error:%s", ename(errno));
		else
			printf(" nodelay=%d", nodelay);
	}
	if (errno_after != SENTINEL)
		printf(" errno-changed=%s", ename(errno_after));
	printf("\n");
}

static int parse_flags(const char *s)
{
	int f = 0;

	if (strstr(s, "nonblock"))
		f |= SOCK_NONBLOCK;
	if (strstr(s, "cloexec"))
		f |= SOCK_CLOEXEC;
	return f;
}

static int cmd_create(int argc, char **argv)
{
	int family, type, proto, fd, e;

	if (argc != 6)
		return 2;
	family = !strcmp(argv[2], "inet") ? AF_INET : !strcmp(argv[2], "inet6") ? AF_INET6 : AF_UNIX;
	type = !strcmp(argv[3], "stream") ? SOCK_STREAM : !strcmp(argv[3], "dgram") ? SOCK_DGRAM
	       : !strcmp(argv[3], "seqpacket") ? SOCK_SEQPACKET : SOCK_RAW;
	type |= parse_flags(argv[4]);
	proto = atoi(argv[5]);
	errno = SENTINEL;
	fd = socket(family, type, proto);
	e = errno;
	if (fd < 0) {
		printf("error=%s\n", ename(e));
		return 0;
	}
	describe("", fd, e);
	return 0;
}

/* Wait until fd is ready for ev (the accepted socket may be nonblocking). */
static void await(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	if (poll(&p, 1, 10000) != 1)
		die("poll");
}

static void exchange(int a, int b, const char *msg)
{
	char buf[64];
	size_t n = strlen(msg);
	ssize_t r;

	await(a, POLLOUT);
	if (send(a, msg, n, 0) != (ssize_t)n)
		die("send");
	await(b, POLLIN);
	r = recv(b, buf, sizeof(buf) - 1, 0);
	if (r != (ssize_t)n || memcmp(buf, msg, n) != 0)
		die("recv");
}

static int cmd_pair(int argc, char **argv)
{
	int six = 0, use4 = 0, flags = 0, clear = 0, hold = 0, opt, zero = 0, one = 1, e;
	int l, c, a;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	optind = 2;
	while ((opt = getopt(argc, argv, "64:ch")) != -1) {
		switch (opt) {
		case '6': six = 1; break;
		case '4': use4 = 1; flags = parse_flags(optarg); break;
		case 'c': clear = 1; break;
		case 'h': hold = 1; break;
		default: return 2;
		}
	}
	sl = loopback_addr(six ? AF_INET6 : AF_INET, &ss);
	if ((l = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (clear && setsockopt(l, IPPROTO_SCTP, SCTP_NODELAY, &zero, sizeof(zero)) != 0)
		die("clear SCTP_NODELAY");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&ss, sl) != 0 || listen(l, 4) != 0)
		die("bind/listen");
	if (getsockname(l, (struct sockaddr *)&ss, &sl) != 0)
		die("getsockname");
	if ((c = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(c, (struct sockaddr *)&ss, sl) != 0)
		die("connect");
	errno = SENTINEL;
	a = use4 ? accept4(l, NULL, NULL, flags) : accept(l, NULL, NULL);
	e = errno;
	if (a < 0) {
		errno = e;
		die("accept");
	}
	describe("listener", l, SENTINEL);
	describe("client", c, SENTINEL);
	describe("accepted", a, e);
	exchange(c, a, "ping");
	exchange(a, c, "pong");
	printf("data=ok\n");
	printf("port=%d\n", ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							  : ((struct sockaddr_in *)&ss)->sin_port));
	if (hold) {
		printf("ready\n");
		fflush(stdout);
		pause();
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "create"))
		return cmd_create(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "pair"))
		return cmd_pair(argc, argv);
	fprintf(stderr, "usage: e2e_socket create FAMILY TYPE FLAGS PROTO | pair [-6] [-4 FLAGS] [-c] [-h]\n");
	return 2;
}
