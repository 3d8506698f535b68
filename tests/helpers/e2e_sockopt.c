/*
 * e2e_sockopt - a TCP-style program that sets and reads socket options on
 * a live connection, for tests/e2e/sockopt.bats.  Run under the shim, its
 * connection is an SCTP association; it knows SCTP only to check results
 * (getsockopt at level IPPROTO_SCTP).
 *
 *   e2e_sockopt [-6] OP...
 *
 * First a loopback listener, a client connected to it and the accepted
 * socket are made with socket(AF_INET[6], SOCK_STREAM, 0), and a few bytes
 * go each way.  Then each OP runs on the current socket (the client at
 * first) and prints one line, "OP ARGS: RESULT":
 *
 *   on client|accepted|listener|fresh|tcp|pipe
 *                        current socket: fresh is a new unconnected socket();
 *                        tcp is a TCP socket made by syscall(SYS_socket),
 *                        which the shim never sees created; pipe a pipe's end
 *   set NAME INT         setsockopt(IPPROTO_TCP, NAME, &int, sizeof(int))
 *   setlen NAME INT LEN  the same with optlen LEN
 *   setstr NAME STR      setsockopt(IPPROTO_TCP, NAME, STR, strlen(STR))
 *   get NAME             getsockopt(IPPROTO_TCP, NAME) into an int: "ok V len=L"
 *   getlen NAME LEN      the same with a LEN-byte buffer: "ok len=L HEX"
 *   getstr NAME          into a 64-byte buffer: "ok 'STRING' len=L"
 *   info [LEN]           TCP_INFO: "ok len=L state=S rtt=.. rto=.. snd_mss=..
 *                        pmtu=.. snd_cwnd=.." (LEN: buffer size, default whole)
 *   sctp FIELD           read at level IPPROTO_SCTP: nodelay, maxseg,
 *                        hbinterval, hbenabled, pathmaxrxt, initattempts,
 *                        asocmaxrxt, rtomin, rtomax, state
 *   soset NAME INT / soget NAME   at level SOL_SOCKET (SO_RCVBUF, SO_KEEPALIVE)
 *   proto                SO_PROTOCOL of the current socket
 *   xfer                 a few bytes each way between client and accepted
 *
 * NAME is a TCP_* name or a number.  A failure prints the errno's name; a
 * success that changed errno adds " errno-changed=ENAME".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "helper.h"

#include "e2e_loopback.h"

#define SENTINEL 4242

static const struct { const char *name; int value; } names[] = {
	{ "TCP_NODELAY", TCP_NODELAY }, { "TCP_MAXSEG", TCP_MAXSEG }, { "TCP_CORK", TCP_CORK },
	{ "TCP_KEEPIDLE", TCP_KEEPIDLE }, { "TCP_KEEPINTVL", TCP_KEEPINTVL },
	{ "TCP_KEEPCNT", TCP_KEEPCNT }, { "TCP_SYNCNT", TCP_SYNCNT },
	{ "TCP_LINGER2", TCP_LINGER2 }, { "TCP_DEFER_ACCEPT", TCP_DEFER_ACCEPT },
	{ "TCP_WINDOW_CLAMP", TCP_WINDOW_CLAMP }, { "TCP_INFO", TCP_INFO },
	{ "TCP_QUICKACK", TCP_QUICKACK }, { "TCP_CONGESTION", TCP_CONGESTION },
	{ "TCP_MD5SIG", TCP_MD5SIG }, { "TCP_COOKIE_TRANSACTIONS", 15 },
	{ "TCP_THIN_LINEAR_TIMEOUTS", TCP_THIN_LINEAR_TIMEOUTS },
	{ "TCP_THIN_DUPACK", TCP_THIN_DUPACK }, { "TCP_USER_TIMEOUT", TCP_USER_TIMEOUT },
	{ "TCP_REPAIR", TCP_REPAIR }, { "TCP_REPAIR_QUEUE", TCP_REPAIR_QUEUE },
	{ "TCP_QUEUE_SEQ", TCP_QUEUE_SEQ }, { "TCP_REPAIR_OPTIONS", TCP_REPAIR_OPTIONS },
	{ "TCP_FASTOPEN", TCP_FASTOPEN }, { "TCP_TIMESTAMP", TCP_TIMESTAMP },
	{ "TCP_NOTSENT_LOWAT", TCP_NOTSENT_LOWAT }, { "TCP_CC_INFO", TCP_CC_INFO },
	{ "TCP_SAVE_SYN", TCP_SAVE_SYN }, { "TCP_SAVED_SYN", TCP_SAVED_SYN },
	{ "TCP_REPAIR_WINDOW", TCP_REPAIR_WINDOW }, { "TCP_FASTOPEN_CONNECT", TCP_FASTOPEN_CONNECT },
	{ "TCP_ULP", TCP_ULP }, { "TCP_MD5SIG_EXT", TCP_MD5SIG_EXT },
	{ "TCP_FASTOPEN_KEY", TCP_FASTOPEN_KEY }, { "TCP_FASTOPEN_NO_COOKIE", TCP_FASTOPEN_NO_COOKIE },
	{ "TCP_ZEROCOPY_RECEIVE", TCP_ZEROCOPY_RECEIVE }, { "TCP_INQ", TCP_INQ },
	{ "TCP_TX_DELAY", TCP_TX_DELAY },
	{ "SO_RCVBUF", SO_RCVBUF }, { "SO_SNDBUF", SO_SNDBUF }, { "SO_KEEPALIVE", SO_KEEPALIVE },
};

static int client = -1, accepted = -1, listener = -1, cur = -1, family = AF_INET;

static int opt_number(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, s))
			return names[i].value;
	if ((*s >= '0' && *s <= '9') || *s == '-')
		return atoi(s);
	fprintf(stderr, "e2e_sockopt: unknown option name %s\n", s);
	exit(2);
}

/* ": ok" or ": ENAME", and errno-changed on a success that moved errno. */
static void result(int rc, int e)
{
	if (rc != 0) {
		printf(": %s", ename(e));
		return;
	}
	printf(": ok");
	if (e != SENTINEL)
		printf(" errno-changed=%s", ename(e));
}

static void await(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	if (poll(&p, 1, 10000) != 1)
		die("poll");
}

static void exchange(int a, int b)
{
	char buf[1024], in[1024];

	memset(buf, 'x', sizeof(buf));
	await(a, POLLOUT);
	if (send(a, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		die("send");
	for (size_t got = 0; got < sizeof(in);) {
		ssize_t r;

		await(b, POLLIN);
		r = recv(b, in, sizeof(in) - got, 0);
		if (r <= 0)
			die("recv");
		got += (size_t)r;
	}
}

static void make_pair(void)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	sl = loopback_addr(family, &ss);
	if ((listener = socket(family, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listener, (struct sockaddr *)&ss, sl) != 0 || listen(listener, 4) != 0)
		die("bind/listen");
	if (getsockname(listener, (struct sockaddr *)&ss, &sl) != 0)
		die("getsockname");
	if ((client = socket(family, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(client, (struct sockaddr *)&ss, sl) != 0)
		die("connect");
	if ((accepted = accept(listener, NULL, NULL)) < 0)
		die("accept");
	exchange(client, accepted);
	exchange(accepted, client);
	cur = client;
}

static void op_sctp(const char *field)
{
	struct sctp_paddrparams pp;
	struct sctp_assoc_value av;
	struct sctp_initmsg im;
	struct sctp_assocparams ap;
	struct sctp_rtoinfo ri;
	struct sctp_status st;
	socklen_t len;
	int v = 0, rc;
	long out = 0;

	printf("sctp %s", field);
	errno = 0;
	if (!strcmp(field, "nodelay")) {
		len = sizeof(v);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_NODELAY, &v, &len);
		out = v;
	} else if (!strcmp(field, "maxseg")) {
		memset(&av, 0, sizeof(av));
		len = sizeof(av);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_MAXSEG, &av, &len);
		out = av.assoc_value;
	} else if (!strcmp(field, "hbinterval") || !strcmp(field, "hbenabled") ||
		   !strcmp(field, "pathmaxrxt")) {
		memset(&pp, 0, sizeof(pp));
		len = sizeof(pp);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &len);
		out = field[0] == 'p' ? pp.spp_pathmaxrxt
		      : field[2] == 'i' ? (long)pp.spp_hbinterval : !!(pp.spp_flags & SPP_HB_ENABLE);
	} else if (!strcmp(field, "initattempts")) {
		memset(&im, 0, sizeof(im));
		len = sizeof(im);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_INITMSG, &im, &len);
		out = im.sinit_max_attempts;
	} else if (!strcmp(field, "asocmaxrxt")) {
		memset(&ap, 0, sizeof(ap));
		len = sizeof(ap);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, &len);
		out = ap.sasoc_asocmaxrxt;
	} else if (!strcmp(field, "rtomin") || !strcmp(field, "rtomax")) {
		memset(&ri, 0, sizeof(ri));
		len = sizeof(ri);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_RTOINFO, &ri, &len);
		out = field[4] == 'i' ? ri.srto_min : ri.srto_max;
	} else if (!strcmp(field, "state")) {
		memset(&st, 0, sizeof(st));
		len = sizeof(st);
		rc = getsockopt(cur, IPPROTO_SCTP, SCTP_STATUS, &st, &len);
		out = st.sstat_state;
	} else {
		fprintf(stderr, "e2e_sockopt: unknown sctp field %s\n", field);
		exit(2);
	}
	if (rc != 0)
		printf(": %s\n", ename(errno));
	else
		printf(": %ld\n", out);
}

static void op_info(int buflen)
{
	struct tcp_info ti;
	unsigned char buf[sizeof(ti) + 64];
	socklen_t len = buflen >= 0 ? (socklen_t)buflen : (socklen_t)sizeof(ti);
	int rc, e;

	memset(buf, 0, sizeof(buf));
	errno = SENTINEL;
	rc = getsockopt(cur, IPPROTO_TCP, TCP_INFO, buf, &len);
	e = errno;
	printf("info");
	result(rc, e);
	if (rc == 0) {
		memcpy(&ti, buf, sizeof(ti));
		printf(" len=%u state=%u rtt=%u rto=%u snd_mss=%u pmtu=%u snd_cwnd=%u", len,
		       ti.tcpi_state, ti.tcpi_rtt, ti.tcpi_rto, ti.tcpi_snd_mss, ti.tcpi_pmtu,
		       ti.tcpi_snd_cwnd);
	}
	printf("\n");
}

static void op_on(const char *which)
{
	int p[2];

	if (!strcmp(which, "client"))
		cur = client;
	else if (!strcmp(which, "accepted"))
		cur = accepted;
	else if (!strcmp(which, "listener"))
		cur = listener;
	else if (!strcmp(which, "fresh"))
		cur = socket(family, SOCK_STREAM, 0);
	else if (!strcmp(which, "tcp"))
		cur = (int)syscall(SYS_socket, family, SOCK_STREAM, 0);
	else if (!strcmp(which, "pipe") && pipe(p) == 0)
		cur = p[0];
	else
		cur = -1;
	if (cur < 0)
		die("%s", which);
	printf("on %s: ok\n", which);
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-6")) {
		family = AF_INET6;
		i++;
	}
	make_pair();
	while (i < argc) {
		const char *op = argv[i++];
		int need = !strcmp(op, "setlen") ? 3 : (!strcmp(op, "set") || !strcmp(op, "setstr") ||
			   !strcmp(op, "getlen") || !strcmp(op, "soset")) ? 2
			   : (!strcmp(op, "get") || !strcmp(op, "getstr") || !strcmp(op, "sctp") ||
			      !strcmp(op, "on") || !strcmp(op, "soget")) ? 1 : 0;
		char **a = argv + i;
		int rc, e, v, level = IPPROTO_TCP;
		socklen_t len;

		if (i + need > argc) {
			fprintf(stderr, "e2e_sockopt: %s needs %d arguments\n", op, need);
			return 2;
		}
		i += need;
		if (!strcmp(op, "on")) {
			op_on(a[0]);
		} else if (!strcmp(op, "set") || !strcmp(op, "setlen") || !strcmp(op, "soset")) {
			v = atoi(a[1]);
			len = !strcmp(op, "setlen") ? (socklen_t)atoi(a[2]) : sizeof(v);
			if (!strcmp(op, "soset"))
				level = SOL_SOCKET;
			errno = SENTINEL;
			rc = setsockopt(cur, level, opt_number(a[0]), &v, len);
			e = errno;
			printf("%s %s %s%s%s", op, a[0], a[1], need == 3 ? " " : "", need == 3 ? a[2] : "");
			result(rc, e);
			printf("\n");
		} else if (!strcmp(op, "setstr")) {
			errno = SENTINEL;
			rc = setsockopt(cur, IPPROTO_TCP, opt_number(a[0]), a[1], strlen(a[1]));
			e = errno;
			printf("setstr %s '%s'", a[0], a[1]);
			result(rc, e);
			printf("\n");
		} else if (!strcmp(op, "get") || !strcmp(op, "soget")) {
			v = -12345;
			len = sizeof(v);
			if (!strcmp(op, "soget"))
				level = SOL_SOCKET;
			errno = SENTINEL;
			rc = getsockopt(cur, level, opt_number(a[0]), &v, &len);
			e = errno;
			printf("%s %s", op, a[0]);
			result(rc, e);
			if (rc == 0)
				printf(" %d len=%u", v, len);
			printf("\n");
		} else if (!strcmp(op, "getlen") || !strcmp(op, "getstr")) {
			unsigned char buf[256];

			len = !strcmp(op, "getstr") ? 64 : (socklen_t)atoi(a[1]);
			memset(buf, 0xab, sizeof(buf));
			errno = SENTINEL;
			rc = getsockopt(cur, IPPROTO_TCP, opt_number(a[0]), buf, &len);
			e = errno;
			printf("%s %s%s%s", op, a[0], need == 2 ? " " : "", need == 2 ? a[1] : "");
			result(rc, e);
			if (rc == 0 && !strcmp(op, "getstr")) {
				printf(" '%.*s' len=%u", (int)strnlen((char *)buf, len), buf, len);
			} else if (rc == 0) {
				printf(" len=%u ", len);
				for (socklen_t k = 0; k < len && k < sizeof(buf); k++)
					printf("%02x", buf[k]);
			}
			printf("\n");
		} else if (!strcmp(op, "info")) {
			if (i < argc && argv[i][0] >= '0' && argv[i][0] <= '9')
				op_info(atoi(argv[i++]));
			else
				op_info(-1);
		} else if (!strcmp(op, "sctp")) {
			op_sctp(a[0]);
		} else if (!strcmp(op, "proto")) {
			v = -1;
			len = sizeof(v);
			rc = getsockopt(cur, SOL_SOCKET, SO_PROTOCOL, &v, &len);
			printf("proto: %d\n", rc == 0 ? v : -1);
		} else if (!strcmp(op, "xfer")) {
			exchange(client, accepted);
			exchange(accepted, client);
			printf("xfer: ok\n");
		} else {
			fprintf(stderr, "e2e_sockopt: unknown op %s\n", op);
			return 2;
		}
	}
	return 0;
}
