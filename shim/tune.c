/*
 * tune.c - the configured defaults of every converted and accepted socket.
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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdatomic.h>
#include <string.h>

#include "sctpize.h"

/* setsockopt at level SCTP; a failure is logged as an error naming the setting. */
static void set(int fd, int opt, const void *val, socklen_t len, const char *setting)
{
	if (real.setsockopt(fd, IPPROTO_SCTP, opt, val, len) != 0)
		logmsg(0, "fd %d: %s could not be applied: %m", fd, setting);
}

/*
 * A buffer size: with SO_*BUFFORCE where the process may (CAP_NET_ADMIN),
 * else the plain option, which the kernel caps at net.core.[rw]mem_max.
 */
static void set_buf(int fd, int force, int plain, unsigned size)
{
	static atomic_bool no_force;
	int v = (int)size;

	if (!size)
		return;
	if (!atomic_load_explicit(&no_force, memory_order_relaxed)) {
		if (real.setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == 0)
			return;
		if (errno == EPERM)
			atomic_store_explicit(&no_force, true, memory_order_relaxed);
	}
	real.setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

void apply_defaults(int fd)
{
	int saved = errno, one = 1;

	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, cfg.sndbuf);
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, cfg.rcvbuf);
	if (cfg.sack_delay) {
		struct sctp_sack_info si;

		memset(&si, 0, sizeof(si));	/* sack_freq 0: keep the kernel's (2) */
		si.sack_delay = cfg.sack_delay;
		set(fd, SCTP_DELAYED_SACK, &si, sizeof(si), "SCTPIZE_SACK_DELAY");
	}

	if (cfg.nodelay)
		set(fd, SCTP_NODELAY, &one, sizeof(one), "SCTPIZE_NODELAY");
	if (cfg.rto_min || cfg.rto_max || cfg.rto_initial) {
		struct sctp_rtoinfo ri;

		memset(&ri, 0, sizeof(ri));	/* 0: keep the current value */
		ri.srto_initial = cfg.rto_initial;
		ri.srto_max = cfg.rto_max;
		ri.srto_min = cfg.rto_min;
		set(fd, SCTP_RTOINFO, &ri, sizeof(ri), "SCTPIZE_RTO_*");
	}
	if (cfg.hb_interval || cfg.path_max_retrans) {
		struct sctp_paddrparams pp;

		memset(&pp, 0, sizeof(pp));	/* no address: the association and all paths */
		pp.spp_hbinterval = cfg.hb_interval;
		pp.spp_pathmaxrxt = (uint16_t)cfg.path_max_retrans;
		pp.spp_flags = cfg.hb_interval ? SPP_HB_ENABLE : 0;
		set(fd, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp),
		    "SCTPIZE_HB_INTERVAL/SCTPIZE_PATH_MAX_RETRANS");
	}
	if (cfg.max_retrans) {
		struct sctp_assocparams ap;

		memset(&ap, 0, sizeof(ap));
		ap.sasoc_asocmaxrxt = (uint16_t)cfg.max_retrans;
		set(fd, SCTP_ASSOCINFO, &ap, sizeof(ap), "SCTPIZE_MAX_RETRANS");
	}
	if (cfg.streams || cfg.init_attempts) {
		struct sctp_initmsg im;

		memset(&im, 0, sizeof(im));	/* 0: keep the current value */
		im.sinit_num_ostreams = im.sinit_max_instreams = (uint16_t)cfg.streams;
		im.sinit_max_attempts = (uint16_t)cfg.init_attempts;
		im.sinit_max_init_timeo = (uint16_t)(cfg.init_max_timeo > 65535 ? 65535
										 : cfg.init_max_timeo);
		set(fd, SCTP_INITMSG, &im, sizeof(im), "SCTPIZE_STREAMS/SCTPIZE_CONNECT_TIMEOUT");
	}
	errno = saved;
}
