/*
 * unit_names.h - symbolic names for the unit_* probe programs: "AF_INET",
 * "SOCK_STREAM|SOCK_NONBLOCK", "IPPROTO_TCP", "TCP_NODELAY" or a number.
 */
#ifndef UNIT_NAMES_H
#define UNIT_NAMES_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "helper.h"

#define N(x) { #x, x }
static const struct { const char *name; long value; } unit_names[] = {
	N(AF_INET), N(AF_INET6), N(AF_UNIX), N(AF_UNSPEC),
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_SEQPACKET), N(SOCK_RAW),
	N(SOCK_NONBLOCK), N(SOCK_CLOEXEC),
	N(IPPROTO_TCP), N(IPPROTO_UDP), N(IPPROTO_SCTP), N(IPPROTO_MPTCP), N(IPPROTO_IP),
	N(IPPROTO_IPV6), N(SOL_SOCKET),
	N(SO_PROTOCOL), N(SO_KEEPALIVE), N(SO_REUSEADDR), N(SO_TYPE), N(SO_RCVBUF),
	N(IP_TOS), N(IPV6_V6ONLY),
	N(TCP_NODELAY), N(TCP_MAXSEG), N(TCP_CORK), N(TCP_KEEPIDLE), N(TCP_KEEPINTVL),
	N(TCP_KEEPCNT), N(TCP_SYNCNT), N(TCP_LINGER2), N(TCP_DEFER_ACCEPT),
	N(TCP_WINDOW_CLAMP), N(TCP_INFO), N(TCP_QUICKACK), N(TCP_CONGESTION),
	N(TCP_MD5SIG), N(TCP_COOKIE_TRANSACTIONS), N(TCP_THIN_LINEAR_TIMEOUTS),
	N(TCP_THIN_DUPACK), N(TCP_USER_TIMEOUT), N(TCP_REPAIR), N(TCP_REPAIR_QUEUE),
	N(TCP_QUEUE_SEQ), N(TCP_REPAIR_OPTIONS), N(TCP_FASTOPEN), N(TCP_TIMESTAMP),
	N(TCP_NOTSENT_LOWAT), N(TCP_CC_INFO), N(TCP_SAVE_SYN), N(TCP_SAVED_SYN),
	N(TCP_REPAIR_WINDOW), N(TCP_FASTOPEN_CONNECT), N(TCP_ULP), N(TCP_MD5SIG_EXT),
	N(TCP_FASTOPEN_KEY), N(TCP_FASTOPEN_NO_COOKIE), N(TCP_ZEROCOPY_RECEIVE),
	N(TCP_INQ), N(TCP_TX_DELAY),
	N(SCTP_NODELAY), N(SCTP_MAXSEG), N(SCTP_PEER_ADDR_PARAMS), N(SCTP_INITMSG),
	N(SCTP_ASSOCINFO), N(SCTP_RTOINFO), N(SCTP_STATUS),
};
#undef N

/* "A|B|C" of names or numbers; exits 2 on a word it does not know. */
static inline long unit_value(const char *s)
{
	char buf[256], *save = NULL, *w, *end;
	long v = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		size_t i;
		long x = strtol(w, &end, 0);

		if (*w && !*end) {
			v |= x;
			continue;
		}
		for (i = 0; i < sizeof(unit_names) / sizeof(unit_names[0]); i++)
			if (strcmp(w, unit_names[i].name) == 0)
				break;
		if (i == sizeof(unit_names) / sizeof(unit_names[0])) {
			fprintf(stderr, "unknown name '%s'\n", w);
			exit(2);
		}
		v |= unit_names[i].value;
	}
	return v;
}

#endif
