/*
 * defaults.c - the configured defaults of every converted and accepted socket.
 *
 * TCP-like defaults first: send and receive buffers as large as TCP's grow
 * to (SCTP does not grow them, and its window is fixed by the receive
 * buffer when the association starts), delayed acknowledgements of 40 ms
 * as TCP's (SCTP's 200 ms, times Nagle, makes request/response traffic
 * crawl), and a connect that gives up after about as long as TCP's.  Then
 * SCTPIZE_NODELAY, and the SCTP parameters a TCP program cannot express:
 * retransmission timeouts, heartbeat interval, path and association
 * retransmission limits, number of streams (SCTPIZE_FAILOVER=fast presets
 * some of them).  Set on a socket before it connects or listens, they
 * become the defaults of its associations; set again on an accepted socket,
 * they apply to its association and every path of it.  Nothing is done, and
 * nothing costs, for what is not configured.
 *
 * The core only lists them (tune_list(): level, name, value, and the setting
 * to name if one fails); a backend sets them with its own setsockopt(), a
 * buffer with SO_*BUFFORCE where the process may (CAP_NET_ADMIN), else with
 * the plain option, which the kernel caps at net.core.[rw]mem_max.  A new
 * default is one entry here.
 */
#define _GNU_SOURCE
#include <string.h>

#include "core.h"

/* The next entry of the list, zeroed. */
static struct tune_opt *add(struct tune_opt *out, int *n, int level, int name, socklen_t len,
			    const char *setting)
{
	struct tune_opt *t = &out[(*n)++];

	memset(t, 0, sizeof(*t));
	t->level = level;
	t->name = name;
	t->len = len;
	t->setting = setting;
	return t;
}

int tune_list(const struct config *c, struct tune_opt out[TUNE_MAX])
{
	struct tune_opt *t;
	int n = 0;

	if (c->sndbuf) {
		t = add(out, &n, SOL_SOCKET, SO_SNDBUFFORCE, sizeof(int), "SCTPIZE_SNDBUF");
		t->plain = SO_SNDBUF;
		t->val.i = (int)c->sndbuf;
	}
	if (c->rcvbuf) {
		t = add(out, &n, SOL_SOCKET, SO_RCVBUFFORCE, sizeof(int), "SCTPIZE_RCVBUF");
		t->plain = SO_RCVBUF;
		t->val.i = (int)c->rcvbuf;
	}
	if (c->sack_delay) {
		t = add(out, &n, IPPROTO_SCTP, SCTP_DELAYED_SACK, sizeof(struct sctp_sack_info),
			"SCTPIZE_SACK_DELAY");
		t->val.sack.sack_delay = c->sack_delay;	/* sack_freq 0: keep the kernel's (2) */
	}
	if (c->nodelay) {
		t = add(out, &n, IPPROTO_SCTP, SCTP_NODELAY, sizeof(int), "SCTPIZE_NODELAY");
		t->val.i = 1;
	}
	if (c->rto_min || c->rto_max || c->rto_initial) {
		t = add(out, &n, IPPROTO_SCTP, SCTP_RTOINFO, sizeof(struct sctp_rtoinfo),
			"SCTPIZE_RTO_*");
		t->val.rto.srto_initial = c->rto_initial;	/* 0: keep the current value */
		t->val.rto.srto_max = c->rto_max;
		t->val.rto.srto_min = c->rto_min;
	}
	if (c->hb_interval || c->path_max_retrans) {
		/* No address: the association and all paths. */
		t = add(out, &n, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, sizeof(struct sctp_paddrparams),
			"SCTPIZE_HB_INTERVAL/SCTPIZE_PATH_MAX_RETRANS");
		t->val.paddr.spp_hbinterval = c->hb_interval;
		t->val.paddr.spp_pathmaxrxt = (uint16_t)c->path_max_retrans;
		t->val.paddr.spp_flags = c->hb_interval ? SPP_HB_ENABLE : 0;
	}
	if (c->max_retrans) {
		t = add(out, &n, IPPROTO_SCTP, SCTP_ASSOCINFO, sizeof(struct sctp_assocparams),
			"SCTPIZE_MAX_RETRANS");
		t->val.assoc.sasoc_asocmaxrxt = (uint16_t)c->max_retrans;
	}
	if (c->streams || c->init_attempts) {
		t = add(out, &n, IPPROTO_SCTP, SCTP_INITMSG, sizeof(struct sctp_initmsg),
			"SCTPIZE_STREAMS/SCTPIZE_CONNECT_TIMEOUT");
		/* 0: keep the current value */
		t->val.init.sinit_num_ostreams = t->val.init.sinit_max_instreams = (uint16_t)c->streams;
		t->val.init.sinit_max_attempts = (uint16_t)c->init_attempts;
		t->val.init.sinit_max_init_timeo = (uint16_t)(c->init_max_timeo > 65535
							      ? 65535 : c->init_max_timeo);
	}
	return n;
}
