/*
 * tcpinfo.c - getsockopt(IPPROTO_TCP, TCP_INFO) on an SCTP socket.
 *
 * Monitoring code, ss-like tools and servers that log connection quality
 * read TCP_INFO.  SCTP keeps the same figures per association and per path;
 * SCTP_STATUS gives the association's state and its primary path (srtt, rto,
 * cwnd, mtu).  Fields with no SCTP counterpart stay 0.  The struct is the
 * kernel's (linux/tcp.h), larger than glibc's, so programs built against
 * either get what they asked for: at most *optlen bytes, as TCP copies.
 */
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <string.h>

#include "sctpize.h"

/* TCP states as tcpi_state reports them (include/net/tcp_states.h). */
enum { T_ESTABLISHED = 1, T_SYN_SENT, T_SYN_RECV, T_FIN_WAIT1, T_FIN_WAIT2, T_TIME_WAIT,
       T_CLOSE, T_CLOSE_WAIT, T_LAST_ACK, T_LISTEN, T_CLOSING };

static unsigned char tcp_state(int sctp_state)
{
	switch (sctp_state) {
	case SCTP_COOKIE_WAIT:
	case SCTP_COOKIE_ECHOED:
		return T_SYN_SENT;
	case SCTP_ESTABLISHED:
		return T_ESTABLISHED;
	case SCTP_SHUTDOWN_PENDING:
	case SCTP_SHUTDOWN_SENT:
		return T_FIN_WAIT1;
	case SCTP_SHUTDOWN_RECEIVED:
		return T_CLOSE_WAIT;
	case SCTP_SHUTDOWN_ACK_SENT:
		return T_LAST_ACK;
	default:
		return T_CLOSE;
	}
}

int tcp_info_from_sctp(int fd, void *optval, socklen_t *optlen)
{
	int saved = errno, listening = 0;
	struct tcp_info ti;
	struct sctp_status st;
	socklen_t len = sizeof(st);

	if ((int)*optlen < 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&ti, 0, sizeof(ti));
	memset(&st, 0, sizeof(st));
	if (real.getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0) {
		unsigned mss = st.sstat_fragmentation_point ? st.sstat_fragmentation_point : 1;

		ti.tcpi_state = tcp_state(st.sstat_state);
		ti.tcpi_rto = st.sstat_primary.spinfo_rto * 1000;
		ti.tcpi_rtt = st.sstat_primary.spinfo_srtt * 1000;
		ti.tcpi_snd_mss = ti.tcpi_rcv_mss = ti.tcpi_advmss = mss;
		ti.tcpi_pmtu = st.sstat_primary.spinfo_mtu;
		ti.tcpi_snd_cwnd = (st.sstat_primary.spinfo_cwnd + mss - 1) / mss;
		ti.tcpi_snd_ssthresh = 0x7fffffff;	/* TCP_INFINITE_SSTHRESH: not exported */
		ti.tcpi_unacked = st.sstat_unackdata;
		ti.tcpi_snd_wnd = st.sstat_rwnd;
	} else {
		/* No association: a listener, or a socket not connected (yet or any more). */
		len = sizeof(listening);
		real.getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
		ti.tcpi_state = listening ? T_LISTEN : T_CLOSE;
	}
	if (*optlen > sizeof(ti))
		*optlen = sizeof(ti);
	memcpy(optval, &ti, *optlen);
	errno = saved;
	return 0;
}
