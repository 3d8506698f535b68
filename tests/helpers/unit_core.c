/*
 * unit_core - the decision core (build/libsctpize-core.a) on its own, with no
 * SCTP and no interception, for tests/unit/core.bats.
 *
 *   unit_core table                  every row of the TCP option table:
 *                                    "NAME SET GET" (libsctpize(7)'s columns)
 *   unit_core row N                  the row's name for option number N
 *   unit_core set NAME|N VALUE [LEN] setsockopt(IPPROTO_TCP) through a fake
 *                                    socket: its SCTP calls, then the outcome
 *   unit_core get NAME|N             getsockopt(IPPROTO_TCP) likewise
 *   unit_core tcpinfo STATE SRTT RTO CWND MTU FRAG HZ
 *                                    TCP_INFO from an SCTP_STATUS so made
 *   unit_core defaults               the defaults list of this environment
 *   unit_core parse                  this environment's settings: "ok" or
 *                                    the refusal
 *
 * The fake socket answers getsockopt() at level SCTP with fixed values
 * (RTO 1000..60000 ms, heartbeat 30 s, 5 path retries, 8 INIT attempts,
 * 10 association retries, fragmentation point 1452, family AF_INET), and
 * prints every setsockopt() it is given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../shim/core/core.h"

static const char *err_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

/* ---- the fake socket ---- */

static int fake_set(int fd, int level, int name, const void *val, socklen_t len)
{
	(void)fd;
	if (level != IPPROTO_SCTP) {
		printf("set level=%d name=%d\n", level, name);
		return 0;
	}
	switch (name) {
	case SCTP_NODELAY:
		printf("set SCTP_NODELAY %d\n", *(const int *)val);
		break;
	case SCTP_MAXSEG:
		printf("set SCTP_MAXSEG %u\n", ((const struct sctp_assoc_value *)val)->assoc_value);
		break;
	case SCTP_PEER_ADDR_PARAMS: {
		const struct sctp_paddrparams *p = val;

		printf("set SCTP_PEER_ADDR_PARAMS hbinterval=%u pathmaxrxt=%u flags=%u\n",
		       p->spp_hbinterval, p->spp_pathmaxrxt, p->spp_flags);
		break;
	}
	case SCTP_INITMSG:
		printf("set SCTP_INITMSG max_attempts=%u\n",
		       ((const struct sctp_initmsg *)val)->sinit_max_attempts);
		break;
	case SCTP_ASSOCINFO:
		printf("set SCTP_ASSOCINFO asocmaxrxt=%u\n",
		       ((const struct sctp_assocparams *)val)->sasoc_asocmaxrxt);
		break;
	default:
		printf("set SCTP option %d, %u bytes\n", name, (unsigned)len);
	}
	return 0;
}

static int fake_get(int fd, int level, int name, void *val, socklen_t *len)
{
	(void)fd;
	if (level == SOL_SOCKET && name == SO_DOMAIN) {
		*(int *)val = AF_INET;
		return 0;
	}
	if (level != IPPROTO_SCTP) {
		errno = ENOPROTOOPT;
		return -1;
	}
	memset(val, 0, *len);
	switch (name) {
	case SCTP_NODELAY:
		*(int *)val = 1;
		return 0;
	case SCTP_MAXSEG:
		((struct sctp_assoc_value *)val)->assoc_value = 1452;
		return 0;
	case SCTP_RTOINFO:
		((struct sctp_rtoinfo *)val)->srto_min = 1000;
		((struct sctp_rtoinfo *)val)->srto_max = 60000;
		return 0;
	case SCTP_PEER_ADDR_PARAMS:
		((struct sctp_paddrparams *)val)->spp_hbinterval = 30000;
		((struct sctp_paddrparams *)val)->spp_pathmaxrxt = 5;
		return 0;
	case SCTP_INITMSG:
		((struct sctp_initmsg *)val)->sinit_max_attempts = 8;
		return 0;
	case SCTP_ASSOCINFO:
		((struct sctp_assocparams *)val)->sasoc_asocmaxrxt = 10;
		return 0;
	case SCTP_STATUS:
		errno = ENOTCONN;	/* not connected: TCP_INFO of a closed socket */
		return -1;
	}
	errno = ENOPROTOOPT;
	return -1;
}

static const struct sockio fake = { fake_set, fake_get };

/* An option by name (TCP_NODELAY) or number. */
static int option(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end == '\0' && end != s)
		return (int)n;
	for (int i = 0; i < tcp_opt_end; i++)
		if (tcp_opt_row(i) && strcmp(tcp_opt_row(i)->name, s) == 0)
			return i;
	fprintf(stderr, "unit_core: no option %s\n", s);
	exit(2);
}

/* ---- the commands ---- */

static int table(void)
{
	for (int i = 0; i < tcp_opt_end; i++) {
		const struct tcp_opt *o = tcp_opt_row(i);
		char set[32], get[32];

		if (!o)
			continue;
		if (o->set == S_REFUSE)
			snprintf(set, sizeof(set), "%s", err_name(o->err));
		else
			snprintf(set, sizeof(set), "%s",
				 o->set == S_HINT || o->set == S_HINT_BYTES ? "hint" : "mapped");
		switch (o->get) {
		case G_REFUSE:
			snprintf(get, sizeof(get), "%s", err_name(o->err));
			break;
		case G_CONST:
			snprintf(get, sizeof(get), "%d", o->value);
			break;
		case G_EMPTY:
			snprintf(get, sizeof(get), "empty");
			break;
		case G_RENO:
			snprintf(get, sizeof(get), "\"reno\"");
			break;
		case G_INFO:
			snprintf(get, sizeof(get), "filled");
			break;
		default:
			snprintf(get, sizeof(get), "mapped");
		}
		printf("%s %s %s\n", o->name, set, get);
	}
	return 0;
}

static int set(int argc, char **argv)
{
	static const char *const outcome[] = { "invalid", "refused", "failed", "hinted", "mapped" };
	int name = option(argv[2]), v = atoi(argv[3]), got;
	socklen_t len = argc > 4 ? (socklen_t)atoi(argv[4]) : sizeof(int);
	enum tcp_opt_outcome r;

	errno = 0;
	r = tcp_opt_set(&fake, 3, name, &v, len, &got);
	printf("%s %s\n", outcome[r], r <= OPT_FAILED ? err_name(errno) : errno ? "errno!" : "0");
	return 0;
}

static int get(char **argv)
{
	union { int i; char b[256]; } val;
	socklen_t len = sizeof(val);

	memset(&val, 0, sizeof(val));
	errno = 0;
	if (tcp_opt_get(&fake, 3, option(argv[2]), &val, &len) != 0) {
		printf("error %s\n", err_name(errno));
		return 0;
	}
	if (len == sizeof(int))
		printf("int %d\n", val.i);
	else if (len == 0)
		printf("empty\n");
	else if (len < sizeof(val.b) && val.b[0] >= ' ')
		printf("text %.*s\n", (int)strnlen(val.b, len), val.b);
	else
		printf("%u bytes state=%u\n", (unsigned)len, ((struct tcp_info *)&val)->tcpi_state);
	if (errno)
		printf("errno %s\n", err_name(errno));
	return 0;
}

static int tcpinfo(char **argv)
{
	struct sctp_status st;
	struct tcp_info ti;

	memset(&st, 0, sizeof(st));
	st.sstat_state = atoi(argv[2]);
	st.sstat_primary.spinfo_srtt = (unsigned)atoi(argv[3]);
	st.sstat_primary.spinfo_rto = (unsigned)atoi(argv[4]);
	st.sstat_primary.spinfo_cwnd = (unsigned)atoi(argv[5]);
	st.sstat_primary.spinfo_mtu = (unsigned)atoi(argv[6]);
	st.sstat_fragmentation_point = (unsigned)atoi(argv[7]);
	tcp_info_of_status(&st, (unsigned)atoi(argv[8]), &ti);
	printf("state=%u rtt=%u rto=%u mss=%u pmtu=%u cwnd=%u ssthresh=%u\n", ti.tcpi_state,
	       ti.tcpi_rtt, ti.tcpi_rto, ti.tcpi_snd_mss, ti.tcpi_pmtu, ti.tcpi_snd_cwnd,
	       ti.tcpi_snd_ssthresh);
	return 0;
}

static const char *sctp_name(int level, int name)
{
	if (level == SOL_SOCKET)
		return name == SO_SNDBUFFORCE ? "SO_SNDBUFFORCE" : name == SO_RCVBUFFORCE
			? "SO_RCVBUFFORCE" : "SOL_SOCKET?";
	switch (name) {
	case SCTP_DELAYED_SACK: return "SCTP_DELAYED_SACK";
	case SCTP_NODELAY: return "SCTP_NODELAY";
	case SCTP_RTOINFO: return "SCTP_RTOINFO";
	case SCTP_PEER_ADDR_PARAMS: return "SCTP_PEER_ADDR_PARAMS";
	case SCTP_ASSOCINFO: return "SCTP_ASSOCINFO";
	case SCTP_INITMSG: return "SCTP_INITMSG";
	}
	return "?";
}

static int defaults(struct config *c)
{
	struct tune_opt list[TUNE_MAX];
	int n = tune_list(c, list);

	for (int i = 0; i < n; i++) {
		const struct tune_opt *t = &list[i];

		printf("%s", sctp_name(t->level, t->name));
		switch (t->name) {
		case SO_SNDBUFFORCE:
		case SO_RCVBUFFORCE:
			printf(" %d else %s", t->val.i, t->plain == SO_SNDBUF ? "SO_SNDBUF" :
			       t->plain == SO_RCVBUF ? "SO_RCVBUF" : "?");
			break;
		case SCTP_DELAYED_SACK:
			printf(" delay=%u", t->val.sack.sack_delay);
			break;
		case SCTP_NODELAY:
			printf(" %d", t->val.i);
			break;
		case SCTP_RTOINFO:
			printf(" initial=%u min=%u max=%u", t->val.rto.srto_initial,
			       t->val.rto.srto_min, t->val.rto.srto_max);
			break;
		case SCTP_PEER_ADDR_PARAMS:
			printf(" hbinterval=%u pathmaxrxt=%u", t->val.paddr.spp_hbinterval,
			       t->val.paddr.spp_pathmaxrxt);
			break;
		case SCTP_ASSOCINFO:
			printf(" asocmaxrxt=%u", t->val.assoc.sasoc_asocmaxrxt);
			break;
		case SCTP_INITMSG:
			printf(" streams=%u attempts=%u max_init_timeo=%u",
			       t->val.init.sinit_num_ostreams, t->val.init.sinit_max_attempts,
			       t->val.init.sinit_max_init_timeo);
			break;
		}
		printf(" (%s)\n", t->setting);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct config c;
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "table") == 0)
		return table();
	if (strcmp(cmd, "row") == 0 && argc == 3) {
		printf("%s\n", tcp_opt(atoi(argv[2]))->name);
		return 0;
	}
	if (strcmp(cmd, "set") == 0 && argc >= 4)
		return set(argc, argv);
	if (strcmp(cmd, "get") == 0 && argc == 3)
		return get(argv);
	if (strcmp(cmd, "tcpinfo") == 0 && argc == 9)
		return tcpinfo(argv);
	if (strcmp(cmd, "defaults") == 0 || strcmp(cmd, "parse") == 0) {
		if (!config_parse(&c, environ)) {
			printf("refused: %s\n", c.error);
			return 1;
		}
		if (cmd[0] == 'p')
			printf("ok\n");
		return cmd[0] == 'd' ? defaults(&c) : 0;
	}
	fprintf(stderr, "usage: unit_core table|row N|set OPT V [LEN]|get OPT|"
		"tcpinfo STATE SRTT RTO CWND MTU FRAG HZ|defaults|parse\n");
	return 2;
}
