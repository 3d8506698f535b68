/*
 * tcpinfo.c - TCP_INFO computed from SCTP_STATUS, for getsockopt(IPPROTO_TCP, TCP_INFO).
 *
 * Monitoring code, ss-like tools and servers that log connection quality
 * read TCP_INFO.  SCTP keeps the same figures per association and per path;
 * SCTP_STATUS gives the association's state and its primary path (srtt, rto,
 * cwnd, mtu).  Fields with no SCTP counterpart stay 0.
 *
 * Trap: Linux (6.1) reports spinfo_rto in milliseconds but spinfo_srtt in
 * jiffies, and the kernel's HZ is not exported.  kernel_hz() finds it once,
 * from this socket's row of /proc/net/sctp/assocs, whose HBINT column is the
 * heartbeat interval in jiffies, against the same interval in milliseconds.  The struct is the
 * kernel's (linux/tcp.h), larger than glibc's, so programs built against
 * either get what they asked for: at most *optlen bytes, as TCP copies.
 * The figures are computed by tcp_info_of_status() alone (unit-tested); the
 * socket is reached through the backend's struct sockio, the /proc file
 * through the core's own system calls (file.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* TCP states as tcpi_state reports them (include/net/tcp_states.h). */
enum { T_ESTABLISHED = 1, T_SYN_SENT, T_SYN_RECV, T_FIN_WAIT1, T_FIN_WAIT2, T_TIME_WAIT,
       T_CLOSE, T_CLOSE_WAIT, T_LAST_ACK, T_LISTEN, T_CLOSING };

unsigned char tcp_state_of(int sctp_state)
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

/* This socket's heartbeat interval in jiffies, from /proc/net/sctp/assocs; 0 if not found. */
static unsigned long hbint_jiffies(int fd)
{
	char buf[4096];
	struct stat st;
	unsigned long found = 0, ino;
	size_t have = 0;
	ssize_t n;
	int pfd;

	if (fstat(fd, &st) != 0)
		return 0;
	pfd = core_open("/proc/net/sctp/assocs", O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return 0;
	/* Line by line through a fixed buffer; a line longer than it is skipped. */
	while (!found && (n = core_read(pfd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while (!found && (nl = strchr(line, '\n'))) {
			char *arrow, *tab;

			*nl = '\0';
			/* INODE is column 11; HBINT follows the tab after the addresses. */
			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &ino) == 1 &&
			    ino == (unsigned long)st.st_ino && (arrow = strstr(line, "<->")) &&
			    (tab = strchr(arrow, '\t')))
				found = strtoul(tab + 1, NULL, 10);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	core_close(pfd);
	return found;
}

/* The kernel's HZ, found once from an association; 0 while unknown. */
static unsigned kernel_hz(const struct sockio *io, int fd)
{
	static atomic_uint hz;
	static const unsigned known[] = { 100, 250, 300, 1000 };
	struct sctp_paddrparams pp;
	socklen_t len = sizeof(pp);
	unsigned long jif;

	if (atomic_load(&hz))
		return atomic_load(&hz);
	memset(&pp, 0, sizeof(pp));
	if (io->get(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &len) != 0 ||
	    pp.spp_hbinterval == 0 || (jif = hbint_jiffies(fd)) == 0)
		return 0;
	/* Snap to the nearest HZ a kernel can be built with. */
	unsigned long guess = jif * 1000 / pp.spp_hbinterval, best = known[0];

	for (size_t i = 1; i < sizeof(known) / sizeof(known[0]); i++)
		if (labs((long)known[i] - (long)guess) < labs((long)best - (long)guess))
			best = known[i];
	atomic_store(&hz, (unsigned)best);
	return (unsigned)best;
}

void tcp_info_of_status(const struct sctp_status *st, unsigned hz, struct tcp_info *ti)
{
	unsigned mss = st->sstat_fragmentation_point ? st->sstat_fragmentation_point : 1;

	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = tcp_state_of(st->sstat_state);
	ti->tcpi_rto = st->sstat_primary.spinfo_rto * 1000;
	/* srtt is in jiffies; below one tick it reads 0, and TCP never says 0. */
	ti->tcpi_rtt = hz ? (unsigned)((unsigned long long)st->sstat_primary.spinfo_srtt *
				       1000000 / hz) : 0;
	if (ti->tcpi_rtt == 0 && st->sstat_state == SCTP_ESTABLISHED)
		ti->tcpi_rtt = 1;
	ti->tcpi_snd_mss = ti->tcpi_rcv_mss = ti->tcpi_advmss = mss;
	ti->tcpi_pmtu = st->sstat_primary.spinfo_mtu;
	ti->tcpi_snd_cwnd = (st->sstat_primary.spinfo_cwnd + mss - 1) / mss;
	ti->tcpi_snd_ssthresh = 0x7fffffff;	/* TCP_INFINITE_SSTHRESH: not exported */
	ti->tcpi_unacked = st->sstat_unackdata;
	ti->tcpi_snd_wnd = st->sstat_rwnd;
}

int tcp_info_from_sctp(const struct sockio *io, int fd, void *optval, socklen_t *optlen)
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
	if (io->get(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0) {
		tcp_info_of_status(&st, kernel_hz(io, fd), &ti);
	} else {
		/* No association: a listener, or a socket not connected (yet or any more). */
		len = sizeof(listening);
		io->get(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
		ti.tcpi_state = listening ? T_LISTEN : T_CLOSE;
	}
	if (*optlen > sizeof(ti))
		*optlen = sizeof(ti);
	memcpy(optval, &ti, *optlen);
	errno = saved;
	return 0;
}
