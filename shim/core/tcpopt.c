/*
 * tcpopt.c - the TCP option table: what each IPPROTO_TCP option means on SCTP.
 *
 * The kernel answers every IPPROTO_TCP option on an SCTP socket with an
 * error (ENOPROTOOPT on set, EOPNOTSUPP on get), and real servers die of it:
 * nginx aborts every response when TCP_CORK fails.  So each TCP option has
 * one row in the table below that says what it means on SCTP:
 *
 *   mapped   the SCTP option with the same meaning is set or read instead;
 *   hint     TCP itself treats the option as advice: accepted, no effect,
 *            and getsockopt() answers TCP's default;
 *   refused  the program asks for something SCTP cannot give and must know
 *            it (MD5 signatures, kTLS, repair mode): an error, the one TCP
 *            gives where it has one (EPERM for repair, ENOENT for a ULP).
 *
 * A new TCP option is one row here (and, if it maps, a case in set_mapped()
 * and get_mapped()).  The backend decides which sockets are asked (SCTP ones
 * only, at level IPPROTO_TCP only) and reaches them through struct sockio.
 * The table is documented row by row in libsctpize(7); tests/unit/core.bats
 * checks that the two agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <string.h>

#include "core.h"

#define REFUSED(n, e) { n, S_REFUSE, G_REFUSE, 0, e, 0, 0 }
#define HINT(n, v) { n, S_HINT, G_CONST, v, 0, INT_MIN, INT_MAX }
#define HINT_RANGE(n, v, lo, hi) { n, S_HINT, G_CONST, v, 0, lo, hi }

static const struct tcp_opt table[] = {
	[TCP_NODELAY] = { "TCP_NODELAY", S_NODELAY, G_NODELAY, 0, 0 },
	[TCP_MAXSEG] = { "TCP_MAXSEG", S_MAXSEG, G_MAXSEG, 0, 0 },
	[TCP_CORK] = HINT("TCP_CORK", 0),
	[TCP_KEEPIDLE] = { "TCP_KEEPIDLE", S_KEEPTIME, G_KEEPTIME, 0, 0 },
	[TCP_KEEPINTVL] = { "TCP_KEEPINTVL", S_KEEPTIME, G_KEEPTIME, 0, 0 },
	[TCP_KEEPCNT] = { "TCP_KEEPCNT", S_KEEPCNT, G_KEEPCNT, 0, 0 },
	[TCP_SYNCNT] = { "TCP_SYNCNT", S_SYNCNT, G_SYNCNT, 0, 0 },
	[TCP_LINGER2] = HINT("TCP_LINGER2", 60),
	[TCP_DEFER_ACCEPT] = HINT("TCP_DEFER_ACCEPT", 0),
	[TCP_WINDOW_CLAMP] = HINT("TCP_WINDOW_CLAMP", 0),
	[TCP_INFO] = { "TCP_INFO", S_REFUSE, G_INFO, 0, ENOPROTOOPT },
	[TCP_QUICKACK] = HINT("TCP_QUICKACK", 1),
	[TCP_CONGESTION] = { "TCP_CONGESTION", S_HINT_BYTES, G_RENO, 0, 0 },
	[TCP_MD5SIG] = REFUSED("TCP_MD5SIG", ENOPROTOOPT),
	[TCP_COOKIE_TRANSACTIONS] = REFUSED("TCP_COOKIE_TRANSACTIONS", ENOPROTOOPT),
	[TCP_THIN_LINEAR_TIMEOUTS] = HINT_RANGE("TCP_THIN_LINEAR_TIMEOUTS", 0, 0, 1),
	[TCP_THIN_DUPACK] = HINT_RANGE("TCP_THIN_DUPACK", 0, 0, 1),
	[TCP_USER_TIMEOUT] = { "TCP_USER_TIMEOUT", S_USER_TIMEOUT, G_USER_TIMEOUT, 0, 0 },
	[TCP_REPAIR] = { "TCP_REPAIR", S_REFUSE, G_CONST, 0, EPERM },
	[TCP_REPAIR_QUEUE] = REFUSED("TCP_REPAIR_QUEUE", EPERM),
	[TCP_QUEUE_SEQ] = REFUSED("TCP_QUEUE_SEQ", EPERM),
	[TCP_REPAIR_OPTIONS] = REFUSED("TCP_REPAIR_OPTIONS", EPERM),
	[TCP_FASTOPEN] = HINT_RANGE("TCP_FASTOPEN", 0, 0, INT_MAX),
	[TCP_TIMESTAMP] = REFUSED("TCP_TIMESTAMP", ENOPROTOOPT),
	[TCP_NOTSENT_LOWAT] = HINT("TCP_NOTSENT_LOWAT", 0),
	[TCP_CC_INFO] = { "TCP_CC_INFO", S_REFUSE, G_EMPTY, 0, ENOPROTOOPT },
	[TCP_SAVE_SYN] = HINT_RANGE("TCP_SAVE_SYN", 0, 0, 2),
	[TCP_SAVED_SYN] = { "TCP_SAVED_SYN", S_REFUSE, G_EMPTY, 0, ENOPROTOOPT },
	[TCP_REPAIR_WINDOW] = REFUSED("TCP_REPAIR_WINDOW", EPERM),
	[TCP_FASTOPEN_CONNECT] = HINT_RANGE("TCP_FASTOPEN_CONNECT", 0, 0, 1),
	[TCP_ULP] = { "TCP_ULP", S_REFUSE, G_EMPTY, 0, ENOENT },
	[TCP_MD5SIG_EXT] = REFUSED("TCP_MD5SIG_EXT", ENOPROTOOPT),
	[TCP_FASTOPEN_KEY] = { "TCP_FASTOPEN_KEY", S_HINT_BYTES, G_EMPTY, 0, 0 },
	[TCP_FASTOPEN_NO_COOKIE] = HINT_RANGE("TCP_FASTOPEN_NO_COOKIE", 0, 0, 1),
	[TCP_ZEROCOPY_RECEIVE] = REFUSED("TCP_ZEROCOPY_RECEIVE", ENOPROTOOPT),
	[TCP_INQ] = REFUSED("TCP_INQ", ENOPROTOOPT),
	[TCP_TX_DELAY] = HINT_RANGE("TCP_TX_DELAY", 0, 0, INT_MAX),
};

/* Options newer than the table (TCP-AO, ...) get TCP's answer for an unknown option. */
static const struct tcp_opt unknown = REFUSED("unknown TCP option", ENOPROTOOPT);

#define TABLE_END ((int)(sizeof(table) / sizeof(table[0])))
const int tcp_opt_end = TABLE_END;

const struct tcp_opt *tcp_opt_row(int optname)
{
	if (optname < 0 || optname >= TABLE_END || !table[optname].name)
		return NULL;
	return &table[optname];
}

const struct tcp_opt *tcp_opt(int optname)
{
	const struct tcp_opt *o = tcp_opt_row(optname);

	return o ? o : &unknown;
}

/* TCP's limits (include/net/tcp.h), so that a bad value fails as it would on TCP. */
#define TCP_MIN_MSS		88
#define MAX_TCP_WINDOW		32767
#define MAX_TCP_KEEPIDLE	32767
#define MAX_TCP_KEEPCNT		127
#define MAX_TCP_SYNCNT		127

/* ---- SCTP parameters behind the mapped rows ---- */

/*
 * SCTP's smallest SCTP_MAXSEG: 512 bytes less the IP, SCTP common (12) and
 * DATA chunk (16) headers (net/sctp sctp_min_frag_point).  TCP accepts down
 * to 88, so smaller values are raised to it instead of failing.
 */
static int sctp_min_maxseg(const struct sockio *io, int fd)
{
	int family = AF_INET;
	socklen_t len = sizeof(family);

	io->get(fd, SOL_SOCKET, SO_DOMAIN, &family, &len);
	return 512 - (family == AF_INET6 ? 40 : 20) - 12 - 16;
}

static int get_paddr(const struct sockio *io, int fd, struct sctp_paddrparams *p)
{
	socklen_t len = sizeof(*p);

	memset(p, 0, sizeof(*p));
	return io->get(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, p, &len);
}

static int get_assocvalue(const struct sockio *io, int fd, int opt, struct sctp_assoc_value *av)
{
	socklen_t len = sizeof(*av);

	memset(av, 0, sizeof(*av));
	return io->get(fd, IPPROTO_SCTP, opt, av, &len);
}

/* net.sctp.association_max_retrans, the value TCP_USER_TIMEOUT=0 restores. */
static int default_max_retrans(void)
{
	return core_read_number("/proc/sys/net/sctp/association_max_retrans", 10);
}

/*
 * TCP_USER_TIMEOUT bounds how long data may stay unacknowledged.  SCTP's
 * nearest bound is a count: the association is aborted after asocmaxrxt
 * consecutive retransmission timeouts, each RTO doubling from rto_min up to
 * rto_max.  These convert between the two along that schedule.
 */
static int rto_bounds(const struct sockio *io, int fd, unsigned *min, unsigned *max)
{
	struct sctp_rtoinfo ri;
	socklen_t len = sizeof(ri);

	memset(&ri, 0, sizeof(ri));
	if (io->get(fd, IPPROTO_SCTP, SCTP_RTOINFO, &ri, &len) != 0)
		return -1;
	*min = ri.srto_min ? ri.srto_min : 1;
	*max = ri.srto_max > *min ? ri.srto_max : *min;
	return 0;
}

static unsigned retrans_for_ms(unsigned ms, unsigned min, unsigned max)
{
	unsigned long long total = 0, rto = min;
	unsigned n = 0;

	while (total < ms && n < 65535) {
		total += rto;
		rto = rto * 2 > max ? max : rto * 2;
		n++;
	}
	return n ? n : 1;
}

static unsigned ms_for_retrans(unsigned n, unsigned min, unsigned max)
{
	unsigned long long total = 0, rto = min;

	while (n-- > 0 && total < 0x7fffffff) {
		total += rto;
		rto = rto * 2 > max ? max : rto * 2;
	}
	return total > 0x7fffffff ? 0x7fffffff : (unsigned)total;
}

/* ---- setsockopt ---- */

static int set_mapped(const struct sockio *io, int fd, const struct tcp_opt *o, int v)
{
	struct sctp_paddrparams pp;
	struct sctp_assoc_value av;
	struct sctp_initmsg im;
	struct sctp_assocparams ap;
	unsigned min, max;

	switch (o->set) {
	case S_NODELAY:
		v = v != 0;
		return io->set(fd, IPPROTO_SCTP, SCTP_NODELAY, &v, sizeof(v));
	case S_MAXSEG:
		if (v != 0 && (v < TCP_MIN_MSS || v > MAX_TCP_WINDOW))
			break;
		if (v != 0 && v < 512 - 20 - 12 - 16) {
			int floor = sctp_min_maxseg(io, fd);

			v = v < floor ? floor : v;
		}
		memset(&av, 0, sizeof(av));
		av.assoc_value = (uint32_t)v;
		return io->set(fd, IPPROTO_SCTP, SCTP_MAXSEG, &av, sizeof(av));
	case S_KEEPTIME:
		if (v < 1 || v > MAX_TCP_KEEPIDLE)
			break;
		memset(&pp, 0, sizeof(pp));
		pp.spp_flags = SPP_HB_ENABLE;
		pp.spp_hbinterval = (uint32_t)v * 1000;
		return io->set(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	case S_KEEPCNT:
		if (v < 1 || v > MAX_TCP_KEEPCNT)
			break;
		memset(&pp, 0, sizeof(pp));
		pp.spp_pathmaxrxt = (uint16_t)v;
		return io->set(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	case S_SYNCNT:
		if (v < 1 || v > MAX_TCP_SYNCNT)
			break;
		memset(&im, 0, sizeof(im));
		im.sinit_max_attempts = (uint16_t)v;
		return io->set(fd, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im));
	case S_USER_TIMEOUT:
		if (v < 0)
			break;
		if (rto_bounds(io, fd, &min, &max) != 0)
			return -1;
		memset(&ap, 0, sizeof(ap));
		ap.sasoc_asocmaxrxt = (uint16_t)(v ? retrans_for_ms((unsigned)v, min, max)
						   : (unsigned)default_max_retrans());
		return io->set(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof(ap));
	default:
		break;
	}
	errno = EINVAL;
	return -1;
}

enum tcp_opt_outcome tcp_opt_set(const struct sockio *io, int fd, int optname,
				 const void *optval, socklen_t optlen, int *v)
{
	const struct tcp_opt *o = tcp_opt(optname);
	int saved = errno;

	*v = 0;
	if (o->set == S_REFUSE) {
		errno = o->err;
		return OPT_REFUSED;
	}
	if (o->set == S_HINT_BYTES) {
		if (optlen < 1) {
			errno = EINVAL;
			return OPT_INVALID;
		}
		return OPT_HINTED;
	}
	/* Every other row takes an int, as TCP does: a short optlen is EINVAL. */
	if (optlen < sizeof(int)) {
		errno = EINVAL;
		return OPT_INVALID;
	}
	if (!optval) {
		errno = EFAULT;
		return OPT_INVALID;
	}
	memcpy(v, optval, sizeof(*v));
	if (o->set == S_HINT) {
		if (*v < o->min || *v > o->max) {
			errno = EINVAL;
			return OPT_INVALID;
		}
		return OPT_HINTED;
	}
	if (set_mapped(io, fd, o, *v) != 0)
		return OPT_FAILED;
	errno = saved;
	return OPT_MAPPED;
}

/* ---- getsockopt ---- */

/* TCP's way with an int: copy at most sizeof(int), report the length copied. */
static int put_int(void *optval, socklen_t *optlen, int v)
{
	socklen_t len;

	if ((int)*optlen < 0) {
		errno = EINVAL;
		return -1;
	}
	if (*optlen >= sizeof(int)) {	/* (the usual case: a constant-size copy) */
		memcpy(optval, &v, sizeof(int));
		*optlen = sizeof(int);
		return 0;
	}
	len = *optlen;
	memcpy(optval, &v, len);
	*optlen = len;
	return 0;
}

/* The int a mapped row reads back from SCTP; -1 with errno on failure. */
static int get_mapped(const struct sockio *io, int fd, const struct tcp_opt *o, int *v)
{
	struct sctp_paddrparams pp;
	struct sctp_assoc_value av;
	struct sctp_initmsg im;
	struct sctp_assocparams ap;
	socklen_t len;
	unsigned min, max;

	switch (o->get) {
	case G_NODELAY:
		len = sizeof(*v);
		return io->get(fd, IPPROTO_SCTP, SCTP_NODELAY, v, &len);
	case G_MAXSEG:
		/* Connected: the fragmentation point; else the user's value or TCP's default. */
		if (get_assocvalue(io, fd, SCTP_MAXSEG, &av) != 0)
			return -1;
		*v = av.assoc_value ? (int)av.assoc_value : (int)TCP_MSS_DEFAULT;
		return 0;
	case G_KEEPTIME:
		if (get_paddr(io, fd, &pp) != 0)
			return -1;
		*v = (int)((pp.spp_hbinterval + 999) / 1000);
		return 0;
	case G_KEEPCNT:
		if (get_paddr(io, fd, &pp) != 0)
			return -1;
		*v = pp.spp_pathmaxrxt;
		return 0;
	case G_SYNCNT:
		len = sizeof(im);
		if (io->get(fd, IPPROTO_SCTP, SCTP_INITMSG, &im, &len) != 0)
			return -1;
		*v = im.sinit_max_attempts;
		return 0;
	case G_USER_TIMEOUT:
		len = sizeof(ap);
		memset(&ap, 0, sizeof(ap));
		if (io->get(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, &len) != 0 ||
		    rto_bounds(io, fd, &min, &max) != 0)
			return -1;
		/* The system default is TCP's "0: no user timeout". */
		*v = ap.sasoc_asocmaxrxt == default_max_retrans()
			     ? 0 : (int)ms_for_retrans(ap.sasoc_asocmaxrxt, min, max);
		return 0;
	default:
		*v = o->value;
		return 0;
	}
}

int tcp_opt_get(const struct sockio *io, int fd, int optname, void *optval, socklen_t *optlen)
{
	const struct tcp_opt *o = tcp_opt(optname);
	int v, saved = errno;

	if (!optlen || (!optval && *optlen > 0)) {
		errno = EFAULT;
		return -1;
	}
	switch (o->get) {
	case G_REFUSE:
		errno = o->err;
		return -1;
	case G_INFO:
		return tcp_info_from_sctp(io, fd, optval, optlen);
	case G_EMPTY:
		*optlen = 0;
		return 0;
	case G_RENO:
		/* TCP copies at most TCP_CA_NAME_MAX (16) bytes of the name. */
		if ((int)*optlen < 0) {
			errno = EINVAL;
			return -1;
		}
		char name[16] = "reno";

		if (*optlen > sizeof(name))
			*optlen = sizeof(name);
		memcpy(optval, name, *optlen);
		return 0;
	default:
		if (get_mapped(io, fd, o, &v) != 0)
			return -1;
		errno = saved;
		return put_int(optval, optlen, v);
	}
}
