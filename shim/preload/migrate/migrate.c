/*
 * migrate.c - migration mode: the decision at listen() and connect().
 *
 * When the rules (rules.c) need the role, address or port of a socket,
 * socket() makes the TCP socket the program asked for and marks it
 * FD_UNDECIDED.  The decision is made when the port is known: at listen()
 * for a server (the bound address), at connect() for a client (the address
 * connected to).  Converting then changes the socket's protocol under the
 * program's feet:
 *
 *   1. a new socket of the other protocol, same family, O_NONBLOCK as the
 *      old one's;
 *   2. the options the program set on the old one, found by comparing it
 *      with a fresh socket of the same kind (so the new socket's own
 *      defaults stay where the program set nothing), copied over; options
 *      at level IPPROTO_TCP are mapped (sockopt_set());
 *   3. the old socket's bound address, bound again (bind_widened(), so
 *      widening applies);
 *   4. dup3() of the new socket onto the program's descriptor number, with
 *      its FD_CLOEXEC: the number, the flags and the options survive; the
 *      old socket is closed by it;
 *   5. epoll registrations the program made on that number are moved to the
 *      new socket (epoll_ctl() records them for sockets still undecided, or
 *      falling back: slots.c): removed before the dup3(), added again after.
 *
 * Here too: the table of the special kinds (special_kinds[], which the
 * wrappers consult), the undecided kind's own calls (listen(), connect(),
 * epoll_ctl()), and the two entry points the plain files use: a socket
 * made undecided (socket.c), a special descriptor forgotten (close.c, ...).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "migrate.h"

/* The kinds, by their FD_SPECIAL value (migrate.h). */
const struct kind_ops *const special_kinds[4] = {
	[FD_UNDECIDED >> FD_SPECIAL_SHIFT] = &undecided_ops,
	[FD_FALLBACK >> FD_SPECIAL_SHIFT] = &fallback_ops,
	[FD_DUAL >> FD_SPECIAL_SHIFT] = &dual_ops,
};

void migrate_init(void)
{
	slots_init();
}

void special_undecided(int fd)
{
	fd_store(fd, FD_UNDECIDED);
}

/* close(), dup2() onto fd, close_range(), a reused number: forget fd's migration state. */
void special_forget(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s)
		slot_free(s);
	slots_lock_give();
}

void migrate_done(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s && s->kind == SLOT_WATCH)
		s->kind = 0;
	slots_lock_give();
}

/* --- the protocol change --- */

/* A new socket of protocol proto like fd: same family, same O_NONBLOCK.  -1 with errno. */
int socket_like(int fd, int proto)
{
	int family = 0, fl;
	socklen_t len = sizeof(family);

	if (real.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) != 0)
		return -1;
	fl = real.fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	return real.socket(family, SOCK_STREAM | SOCK_CLOEXEC |
			   (fl & O_NONBLOCK ? SOCK_NONBLOCK : 0), proto);
}

/* The options a program may set before listen() or connect(), copied when set. */
static const struct { int level, name; } copied_options[] = {
	{ SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_REUSEPORT }, { SOL_SOCKET, SO_KEEPALIVE },
	{ SOL_SOCKET, SO_LINGER }, { SOL_SOCKET, SO_SNDBUF }, { SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_RCVTIMEO }, { SOL_SOCKET, SO_SNDTIMEO }, { SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_MARK }, { SOL_SOCKET, SO_RCVLOWAT }, { SOL_SOCKET, SO_BINDTODEVICE },
	{ IPPROTO_IP, IP_TOS }, { IPPROTO_IP, IP_TTL }, { IPPROTO_IP, IP_FREEBIND },
	{ IPPROTO_IP, IP_TRANSPARENT },
	{ IPPROTO_IPV6, IPV6_V6ONLY }, { IPPROTO_IPV6, IPV6_TCLASS },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS }, { IPPROTO_IPV6, IPV6_FREEBIND },
	{ IPPROTO_TCP, TCP_NODELAY }, { IPPROTO_TCP, TCP_KEEPIDLE }, { IPPROTO_TCP, TCP_KEEPINTVL },
	{ IPPROTO_TCP, TCP_KEEPCNT }, { IPPROTO_TCP, TCP_USER_TIMEOUT },
	{ IPPROTO_TCP, TCP_SYNCNT }, { IPPROTO_TCP, TCP_MAXSEG },
};

/* Every option the program set on TCP socket from, onto the SCTP socket to.  Keeps errno. */
void copy_options(int from, int to)
{
	int saved = errno, family = 0, ref;
	socklen_t len = sizeof(family);

	real.getsockopt(from, SOL_SOCKET, SO_DOMAIN, &family, &len);
	ref = real.socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (ref < 0) {
		errno = saved;
		return;
	}
	for (size_t i = 0; i < sizeof(copied_options) / sizeof(copied_options[0]); i++) {
		int level = copied_options[i].level, name = copied_options[i].name;
		union { int i; struct linger l; struct timeval tv; char dev[IF_NAMESIZE]; } have, dflt;
		socklen_t hl = sizeof(have), dl = sizeof(dflt);

		if ((level == IPPROTO_IP && family != AF_INET) ||
		    (level == IPPROTO_IPV6 && family != AF_INET6))
			continue;
		memset(&have, 0, sizeof(have));
		memset(&dflt, 0, sizeof(dflt));
		if (real.getsockopt(from, level, name, &have, &hl) != 0 ||
		    real.getsockopt(ref, level, name, &dflt, &dl) != 0 ||
		    (hl == dl && memcmp(&have, &dflt, hl) == 0))
			continue;
		/* The kernel doubles the buffer sizes it is given, and reports that. */
		if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF))
			have.i /= 2;
		if (sockopt_set(to, level, name, &have, hl) != 0)
			logmsg(1, "fd %d: option %d/%d not carried over to SCTP: %m", to, level, name);
	}
	real.close(ref);
	errno = saved;
}

/*
 * Put socket nfd in fd's place (fd's number, FD_CLOEXEC, epoll registrations);
 * nfd stays open (the caller closes it).  -1 with errno if dup3() fails.
 */
int swap_in(int fd, int nfd)
{
	struct slot *s, copy = { 0 };
	int cloexec = real.fcntl(fd, F_GETFD), r;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s)
		copy = *s;
	slots_lock_give();
	for (int i = 0; i < copy.nreg; i++)
		real.epoll_ctl(copy.reg[i].epfd, EPOLL_CTL_DEL, fd, NULL);
	r = real.dup3(nfd, fd, cloexec > 0 && (cloexec & FD_CLOEXEC) ? O_CLOEXEC : 0);
	if (r < 0)
		return -1;
	slot_renew(fd);		/* the slot's descriptor is the new file now */
	for (int i = 0; i < copy.nreg; i++)
		if (real.epoll_ctl(copy.reg[i].epfd, EPOLL_CTL_ADD, fd, &copy.reg[i].ev) != 0)
			logmsg(0, "fd %d: could not move its epoll registration to the new socket: %m",
			       fd);
	return 0;
}

/* The address fd is bound to, if it is bound (port or address set). */
static bool bound_address(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	*len = sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	if (real.getsockname(fd, (struct sockaddr *)ss, len) != 0)
		return false;
	if (get_port((struct sockaddr *)ss))
		return true;
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in *)ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	return ss->ss_family == AF_INET6 &&
	       memcmp(&((struct sockaddr_in6 *)ss)->sin6_addr, &any6, sizeof(any6)) != 0;
}

/*
 * Make SCTP socket fd of a new SCTP socket like TCP socket fd (steps 1-5 above).
 * With spare, the old TCP socket is kept open there (fallback.c) instead of closed.
 * -1 with errno, fd unchanged, on failure.
 */
int swap_to_sctp(int fd, int *spare)
{
	struct sockaddr_storage self;
	socklen_t len;
	int nfd = socket_like(fd, IPPROTO_SCTP), keep = -1;

	if (nfd < 0)
		return -1;
	apply_defaults(nfd);
	copy_options(fd, nfd);
	if (bound_address(fd, &self, &len) && bind_widened(nfd, (struct sockaddr *)&self, len) != 0) {
		int e = errno;

		real.close(nfd);
		errno = e;
		return -1;
	}
	fd_adopt(nfd);
	if (spare && (keep = real.fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		int e = errno;

		fd_forget(nfd);
		real.close(nfd);
		errno = e;
		return -1;
	}
	if (swap_in(fd, nfd) != 0) {
		int e = errno;

		fd_forget(nfd);
		real.close(nfd);
		if (keep >= 0)
			real.close(keep);
		errno = e;
		return -1;
	}
	fd_store(fd, fd_get(nfd));
	fd_forget(nfd);
	real.close(nfd);
	COUNT(ST_CONVERTED);
	if (spare)
		*spare = keep;
	return 0;
}

/* --- the decision --- */

static const char *role_name(int role)
{
	return role == ROLE_SERVER ? "server" : "client";
}

/* The action for undecided fd in this role, at this address; logged.  Clears FD_UNDECIDED. */
int decide(int fd, int role, const struct sockaddr *sa)
{
	char text[200] = "", where[300] = "", ip[INET6_ADDRSTRLEN] = "?";
	int which, action, proto = 0, saved = errno;

	fd_store(fd, fd_get(fd) & ~FD_SPECIAL);
	/* Still the TCP socket we left undecided (not a number reused behind our back)? */
	if (real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &(socklen_t){ sizeof(proto) }) != 0 ||
	    proto != IPPROTO_TCP) {
		errno = saved;
		return ACT_NONE;
	}
	action = rule_decide(&cfg, program_invocation_short_name, role, sa, &which);
	if (action == ACT_TCP)
		COUNT(ST_TCP);
	if (cfg.verbose >= 1) {
		inet_ntop(sa->sa_family, sa->sa_family == AF_INET
			  ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
			  : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
		if (which >= 0) {
			rule_format(&cfg, which, text, sizeof(text));
			rule_origin(&cfg, which, where, sizeof(where));
		}
		logmsg(1, "fd %d: %s %s port %u: %s (%s%s%s)", fd, role_name(role), ip,
		       ntohs(get_port(sa)), action_names[action], which >= 0 ? text : "the default",
		       which >= 0 ? ", " : "", where);
	}
	return action;
}

/* --- the undecided kind --- */

/* listen() of an undecided socket: the decision, at the address it is bound to. */
static int undecided_listen(int fd, int backlog)
{
	struct sockaddr_storage self;
	socklen_t len = sizeof(self);
	int saved = errno;

	if (real.getsockname(fd, (struct sockaddr *)&self, &len) != 0 ||
	    (self.ss_family != AF_INET && self.ss_family != AF_INET6))
		return real.listen(fd, backlog);
	switch (decide(fd, ROLE_SERVER, (struct sockaddr *)&self)) {
	case ACT_SCTP:
		if (swap_to_sctp(fd, NULL) != 0) {
			if (!no_sctp_fallback(fd)) {
				logmsg(0, "fd %d: listen: the change to SCTP failed: %m", fd);
				migrate_done(fd);
				return -1;
			}
			errno = saved;	/* TCP it stays, and TCP's listen() answers */
		}
		break;
	case ACT_BOTH: {
		/* The slot's epoll registrations move to the dual listener (dual.c). */
		int r = dual_listen(fd, backlog);

		if (!FD_IS(fd_get(fd), FD_DUAL))
			migrate_done(fd);
		return r;
	}
	}
	migrate_done(fd);
	return real.listen(fd, backlog);
}

/* connect() of an undecided socket to an IP address: the decision, at the address. */
static int undecided_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;

	if (!own_calls() || !addr ||
	    !((addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
	      (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
		return sctp_connect(fd, addr, len);
	switch (decide(fd, ROLE_CLIENT, addr)) {
	case ACT_SCTP:
		if (swap_to_sctp(fd, NULL) != 0) {
			migrate_done(fd);
			if (no_sctp_fallback(fd)) {
				errno = saved;
				return real.connect(fd, addr, len);
			}
			logmsg(0, "fd %d: connect: the change to SCTP failed: %m", fd);
			return -1;
		}
		migrate_done(fd);
		return sctp_connect(fd, addr, len);
	case ACT_BOTH:
		return fallback_connect(fd, addr, len);
	}
	migrate_done(fd);
	return real.connect(fd, addr, len);
}

/* epoll_ctl() on a socket whose protocol may still change: the registration noted. */
int watch_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int r = real.epoll_ctl(epfd, op, fd, ev);

	if (r == 0)
		slot_note_epoll(epfd, op, fd, ev);
	return r;
}

const struct kind_ops undecided_ops = {
	.name = "undecided",
	.connect = undecided_connect,
	.listen = undecided_listen,
	.epoll_ctl = watch_epoll_ctl,
};
