/*
 * fallback.c - "both" clients: SCTP first, TCP when the peer does not speak it.
 *
 * At connect() the undecided TCP socket becomes an SCTP one (migrate.c),
 * but the TCP socket is kept, hidden, in the descriptor's slot (slots.c)
 * with the address connected to, and the descriptor is of kind FD_FALLBACK
 * until the outcome is known: its connect(), getsockopt(SO_ERROR) and
 * getpeername() are this file's (fallback_ops).  The SCTP attempt is bounded: one INIT and one
 * resend, each after SCTPIZE_FALLBACK_TIMEOUT/2, so a peer that never
 * answers costs that long; an ABORT (SCTP there, nothing listening) or an
 * ICMP protocol-unreachable (no SCTP there) ends it at once.  Then the TCP
 * socket is put back in the descriptor's place and connected:
 *
 *   - a blocking connect() does it all inside the call;
 *   - a non-blocking one returns EINPROGRESS as usual; the fallback happens
 *     when the program asks for the outcome: getsockopt(SO_ERROR) (after
 *     poll or epoll said "writable"), a second connect(), or getpeername().
 *     The TCP connect is then waited for (bounded by the connect timeout),
 *     so the answer the program gets is final and it can go on as if its
 *     first connect had succeeded or failed.
 *
 * A program that writes without asking the outcome gets the SCTP error.
 *
 * An association with itself is no SCTP peer: the TCP listener holds its
 * port for TCP only, so the SCTP attempt may take that very port as its
 * ephemeral one, and on a local address its INIT then reaches itself and
 * comes up (TCP's own connect cannot: the port is taken).  That counts as
 * "no SCTP there" (self_connected()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"

/* One INIT and one resend, each after half the timeout. */
static void bound_attempt(int fd)
{
	unsigned half = cfg.fallback_timeout / 2;
	struct sctp_initmsg init = { .sinit_max_attempts = 1, .sinit_max_init_timeo = (uint16_t)half };
	struct sctp_rtoinfo rto = { .srto_initial = half };

	int saved = errno;

	real.getsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, &(socklen_t){ sizeof(init) });
	init.sinit_max_attempts = 1;
	init.sinit_max_init_timeo = (uint16_t)half;
	real.setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init));
	real.setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	errno = saved;
}

/* Is fd's association up with itself (its own address and port as the peer's)? */
static bool self_connected(int fd)
{
	struct sockaddr_storage me, peer;
	socklen_t ml = sizeof(me), pl = sizeof(peer);
	int saved = errno;
	bool same = false;

	if (real.getsockname(fd, (struct sockaddr *)&me, &ml) == 0 &&
	    real.getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 &&
	    me.ss_family == peer.ss_family) {
		if (me.ss_family == AF_INET) {
			const struct sockaddr_in *a = (void *)&me, *b = (void *)&peer;

			same = a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
		} else if (me.ss_family == AF_INET6) {
			const struct sockaddr_in6 *a = (void *)&me, *b = (void *)&peer;

			same = a->sin6_port == b->sin6_port &&
			       !memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr));
		}
	}
	errno = saved;
	return same;
}

/* SCTP won: the TCP socket kept for the fallback is not needed any more. */
static void sctp_won(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s && s->kind == SLOT_FALLBACK) {
		if (hidden_intact(&s->u.fallback.tcp))
			real.close(s->u.fallback.tcp.fd);
		s->u.fallback.tcp.fd = -1;
		s->kind = 0;
	}
	slots_lock_give();
	fd_store(fd, fd_get(fd) & ~FD_SPECIAL);
	fd_connected(fd);
	logmsg(1, "fd %d: the peer speaks SCTP", fd);
}

/* The association is up: SCTP won (0), or it is with itself (ECONNREFUSED: no SCTP peer). */
static int sctp_up(int fd)
{
	if (self_connected(fd)) {
		logmsg(1, "fd %d: SCTP took the very port it connects to and reached itself: no SCTP peer",
		       fd);
		return ECONNREFUSED;
	}
	sctp_won(fd);
	return 0;
}

/*
 * SCTP lost (error e): the TCP socket back in fd's place, connected to the same address.
 * The result of that connect (0, or -1 with errno: EINPROGRESS if fd is non-blocking).
 */
static int tcp_again(int fd, int e)
{
	struct sockaddr_storage peer;
	socklen_t len = 0;
	struct slot *s;
	int spare = -1;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s && s->kind == SLOT_FALLBACK) {
		/* (closed behind our back: none) */
		spare = hidden_intact(&s->u.fallback.tcp) ? s->u.fallback.tcp.fd : -1;
		peer = s->u.fallback.peer;
		len = s->u.fallback.peer_len;
		s->u.fallback.tcp.fd = -1;
		slot_become(s, SLOT_WATCH);	/* the epoll registrations are still needed */
	}
	slots_lock_give();
	if (spare < 0) {
		fd_store(fd, fd_get(fd) & ~FD_SPECIAL);	/* SCTP's failure it is */
		errno = e;
		return -1;
	}
	fd_store(fd, 0);
	if (swap_in(fd, spare) != 0) {
		int err = errno;

		real.close(spare);
		migrate_done(fd);
		errno = err;
		return -1;
	}
	real.close(spare);
	migrate_done(fd);
	COUNT(ST_FALLBACK);
	logmsg(1, "fd %d: the peer does not speak SCTP (%s): connecting over TCP", fd, strerror(e));
	return real.connect(fd, (struct sockaddr *)&peer, len);
}

/* Wait for the TCP connect of a non-blocking fd; its outcome as an errno value (0: up). */
static int tcp_outcome(int fd, int r)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0, ms = cfg.connect_timeout ? (int)cfg.connect_timeout * 1000 : -1;

	if (r == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
	if (!p.revents)
		return ETIMEDOUT;
	real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof(err) });
	return err;
}

/* Failures that mean "not SCTP there" (or nowhere): TCP gets its own try. */
static bool try_tcp(int e)
{
	return e != EINPROGRESS && e != EALREADY && e != EINTR && e != EISCONN && e != EBADF &&
	       e != ENOTSOCK && e != EINVAL && e != EAFNOSUPPORT && e != EFAULT;
}

/* connect() of an undecided socket whose rule says "both". */
int fallback_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct slot *s;
	int spare = -1, r, saved = errno;

	if (swap_to_sctp(fd, &spare) != 0) {
		logmsg(1, "fd %d: no SCTP socket (%m): connecting over TCP", fd);
		migrate_done(fd);
		errno = saved;
		return real.connect(fd, addr, len);
	}
	slots_lock_take();
	s = slot_find(fd, true);
	if (s) {
		socklen_t keep = len < sizeof(s->u.fallback.peer) ? len : sizeof(s->u.fallback.peer);

		slot_become(s, SLOT_FALLBACK);
		hide(&s->u.fallback.tcp, spare);
		memcpy(&s->u.fallback.peer, addr, keep);
		s->u.fallback.peer_len = keep;
	}
	slots_lock_give();
	if (!s) {
		real.close(spare);
		return sctp_connect(fd, addr, len);
	}
	fd_store(fd, (fd_get(fd) & ~FD_SPECIAL) | FD_FALLBACK);
	bound_attempt(fd);
	r = sctp_connect(fd, addr, len);
	if (r == 0 && (r = sctp_up(fd)) == 0)
		return 0;
	if (r > 0)
		errno = r;
	if (!try_tcp(errno))
		return -1;
	r = tcp_again(fd, errno);
	if (r == 0)
		errno = saved;		/* TCP's success: the SCTP error is not the program's */
	return r;
}

/*
 * connect() again on a socket still trying SCTP (an event loop asking the outcome).
 * Not the kernel's connect(): on an SCTP socket whose attempt failed it would start
 * a new one.  The pending error decides; then whether the association is up.
 */
static int fallback_reconnect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	int saved = errno, err = 0;

	/* (Not an IP address, or a sandbox: the plain call, as for any socket.) */
	if (!own_calls() || !addr ||
	    !((addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
	      (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
		return sctp_connect(fd, addr, len);
	if (real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof(err) }) != 0)
		return -1;
	if (!err) {
		if (real.getpeername(fd, (struct sockaddr *)&peer, &pl) != 0) {
			errno = EALREADY;	/* still in progress */
			return -1;
		}
		err = sctp_up(fd);
	}
	if (err && try_tcp(err)) {
		/* The program asks for the outcome: TCP's, final (as for SO_ERROR). */
		err = tcp_outcome(fd, tcp_again(fd, err));
	}
	if (err) {
		errno = err;
		return -1;
	}
	errno = saved;
	return 0;
}

/* getsockopt(SO_ERROR) on a socket trying SCTP: the final outcome, with TCP if need be. */
static int fallback_so_error(int fd, void *optval, socklen_t *optlen)
{
	int err = 0, r;
	socklen_t len = sizeof(err);

	if (!optval || !optlen || *optlen < sizeof(int))
		return real.getsockopt(fd, SOL_SOCKET, SO_ERROR, optval, optlen);
	if (real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -1;
	if (err == 0) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int saved = errno;

		if (real.getpeername(fd, (struct sockaddr *)&peer, &pl) == 0)
			err = sctp_up(fd);	/* (else: still in progress) */
		errno = saved;
	}
	if (err && try_tcp(err)) {
		int saved = errno;

		r = tcp_again(fd, err);
		err = tcp_outcome(fd, r);
		errno = saved;
	}
	memcpy(optval, &err, sizeof(err));	/* (optval may be unaligned) */
	*optlen = sizeof(int);
	return 0;
}

/* getpeername() on a socket trying SCTP. */
static int fallback_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	int err = 0, saved = errno;
	socklen_t el = sizeof(err);

	if (real.getpeername(fd, addr, len) == 0) {
		err = sctp_up(fd);
		if (!err)
			return 0;
	} else if (errno != ENOTCONN) {
		return -1;
	} else {
		real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	}
	if (err && try_tcp(err)) {
		err = tcp_outcome(fd, tcp_again(fd, err));
		errno = saved;
		if (err == 0)
			return real.getpeername(fd, addr, len);
	}
	errno = ENOTCONN;
	return -1;
}

/* getsockopt() on a socket trying SCTP: SO_ERROR is the outcome; the rest as any socket's. */
static int fallback_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	if (level == SOL_SOCKET && name == SO_ERROR)
		return fallback_so_error(fd, val, len);
	return sockopt_get(fd, level, name, val, len);
}

const struct kind_ops fallback_ops = {
	.name = "fallback",
	.connect = fallback_reconnect,
	.getsockopt = fallback_getsockopt,
	.getpeername = fallback_getpeername,
	.epoll_ctl = watch_epoll_ctl,
};
