/*
 * connect.c - connect(): offer the association every known address of the peer.
 *
 * When the address a program connects to is one of SCTPIZE_PEER_ADDRS, or
 * one of several addresses its name resolved to (resolve.c), the connect
 * becomes sctp_connectx() with all of them, the program's own address first
 * and on its port.  The kernel then tries the others when INITs to the
 * first go unanswered, and keeps every address the peer confirms as a path
 * to fail over to.  Addresses of a family the socket cannot reach are left
 * out.  Otherwise, and on sockets that are not SCTP, connect() is libc's,
 * but for the answer to a connect() after a non-blocking one completed, or
 * after a signal.  Special sockets (migrate/: undecided, falling back)
 * connect with their kind's own call, which comes back to sctp_connect().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <netinet/sctp.h>
#include <poll.h>
#include <string.h>

#include "preload.h"

/*
 * A connect that succeeded: the socket is connected, and the peer's
 * half-close announcement, if any, is queued now; read it off before the
 * program reads (fdstate.c).
 */
static int connected(int fd, int r)
{
	unsigned state = fd_get(fd);

	if (r == 0 && (state & FD_SCTP)) {
		fd_store(fd, state | FD_CONNECTED);
		if (state & FD_PENDING)
			fd_resolve(fd);
	}
	return r;
}

/*
 * libc's connect, except for one difference: once a non-blocking connect has
 * completed, TCP answers the next connect() with 0 (event loops call it to
 * learn the outcome); SCTP answers EISCONN.
 */
static int plain_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno, r = real.connect(fd, addr, len);

	if (r == 0 || !own_calls())
		return connected(fd, r);
	if (r < 0 && errno == EISCONN && is_sctp(fd)) {
		errno = saved;
		return connected(fd, 0);
	}
	/*
	 * A blocking connect() restarted after a signal (SA_RESTART): TCP waits on for
	 * the connection; SCTP answers EALREADY, the association being on its way.  Wait
	 * as TCP would, and answer as it would: the outcome, or EINTR at a signal.
	 */
	if (r < 0 && errno == EALREADY && !(real.fcntl(fd, F_GETFL) & O_NONBLOCK) && is_sctp(fd)) {
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int err = 0;

			if (poll(&p, 1, -1) < 0) {
				if (errno == EINTR && restart_after_signal())
					continue;
				return -1;
			}
			real.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof(err) });
			if (err) {
				errno = err;
				return -1;
			}
			errno = saved;
			return connected(fd, 0);
		}
	}
	return connected(fd, r);
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(special(state), 0) && kind_ops(state)->connect)
		return kind_ops(state)->connect(fd, addr, len);
	return sctp_connect(fd, addr, len);
}

int sctp_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage cand[MAX_ADDRS];
	union {
		struct sockaddr_in6 align;
		unsigned char b[(MAX_ADDRS + 1) * sizeof(struct sockaddr_in6)];
	} packed;
	int n = 0, count;

	if (!addr || !((addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
		       (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))) ||
	    (!cfg.peer_addrs.n && !cfg.peer_resolved) || !own_calls())
		return plain_connect(fd, addr, len);

	for (int i = 0; i < cfg.peer_addrs.n && n == 0; i++)
		if (same_ip(addr, (const struct sockaddr *)&cfg.peer_addrs.a[i]))
			for (; n < cfg.peer_addrs.n; n++) {
				cand[n] = cfg.peer_addrs.a[n];
				set_port(&cand[n], get_port(addr));
			}
	if (n == 0 && cfg.peer_resolved)
		n = resolved_peers(addr, cand, MAX_ADDRS);
	/* Asked of the kernel only now: most connects have no other address. */
	if (n == 0 || !is_sctp(fd))
		return plain_connect(fd, addr, len);
	/* The program's own address first, then the others the socket can reach. */
	size_t first = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						  : sizeof(struct sockaddr_in6);

	memcpy(packed.b, addr, first);
	count = 1 + pack_addrs(fd, addr, cand, n, get_port(addr), packed.b + first);
	if (count < 2)
		return plain_connect(fd, addr, len);

	logmsg(1, "fd %d: connect offers %d addresses of the peer (sctp_connectx)", fd, count);
	/* sctp_connectx() returns 0 (or an association id, in old libsctp) on success. */
	int saved = errno;

	if (sctp_connectx(fd, (struct sockaddr *)packed.b, count, NULL) >= 0) {
		errno = saved;
		return connected(fd, 0);
	}
	if (errno != EISCONN)
		return -1;
	errno = saved;		/* plain_connect() keeps what it finds on its own success */
	return plain_connect(fd, addr, len);
}
