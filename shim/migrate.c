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
 *      at level IPPROTO_TCP go through our setsockopt(), which maps them;
 *   3. the old socket's bound address, bound again (bind(), so widening
 *      applies);
 *   4. dup3() of the new socket onto the program's descriptor number, with
 *      its FD_CLOEXEC: the number, the flags and the options survive; the
 *      old socket is closed by it;
 *   5. epoll registrations the program made on that number are moved to the
 *      new socket (epoll_ctl() records them for sockets still undecided, or
 *      falling back): removed before the dup3(), added again after it.
 *
 * The state this needs beyond the descriptor byte (fdstate.c) is a slot in
 * a small fixed table: the registrations, and for "both" sockets the hidden
 * descriptors (fallback.c, dual.c).  The table is locked by a mutex that
 * fork() cannot leave taken.
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

#include "sctpize.h"

static struct slot slots[MAX_SLOTS];
static int used_slots;			/* slots[0..used_slots) may be in use */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

void slots_lock_take(void)
{
	pthread_mutex_lock(&slots_lock);
}

void slots_lock_give(void)
{
	pthread_mutex_unlock(&slots_lock);
}


/* In a child only the forking thread goes on: no accept() uses a slot there. */
static void child_after_fork(void)
{
	for (int i = 0; i < used_slots; i++) {
		slots[i].users = 0;
		if (slots[i].kind && slots[i].closing)
			slot_free(&slots[i]);
	}
	slots_lock_give();
}

void migrate_init(void)
{
	pthread_atfork(slots_lock_take, slots_lock_give, child_after_fork);
}

/* What an open file is (a socket, an epoll instance), whatever number it has now. */
static bool ident_of(int fd, struct ident *id)
{
	struct stat st;
	int saved = errno;

	memset(id, 0, sizeof(*id));
	/* (The system call itself, as for our close() of hidden descriptors: real.close.) */
	if (fd < 0 || real.syscall(SYS_fstat, fd, &st) != 0) {
		errno = saved;
		return false;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return true;
}

/* Is fd still the open file id (not closed behind our back, its number reused)? */
static bool still(int fd, const struct ident *id)
{
	struct ident now;

	return ident_of(fd, &now) && now.dev == id->dev && now.ino == id->ino;
}

/* The hidden descriptors of s, and what they are now. */
void slot_hide(struct slot *s, int a, int b, int c)
{
	s->a = a;
	s->b = b;
	s->c = c;
	ident_of(a, &s->ida);
	ident_of(b, &s->idb);
	ident_of(c, &s->idc);
}

/* Are s's hidden descriptors a and b still the ones it hid? */
bool slot_intact(const struct slot *s)
{
	return (s->a < 0 || still(s->a, &s->ida)) && (s->b < 0 || still(s->b, &s->idb));
}

static struct slot *lookup(int fd)
{
	for (int i = 0; i < used_slots; i++)
		if (slots[i].kind && slots[i].fd == fd)
			return &slots[i];
	return NULL;
}

/*
 * The slot of fd, or NULL; with create, a new one if there is none.  Lock
 * held.  A slot whose descriptor is not the file it was (closed by a call
 * we did not see, fclose() or closefrom(), and the number reused) is stale:
 * it goes (its hidden descriptors with it, those still its own), and so
 * does fd's migration state.
 */
struct slot *slot_find(int fd, bool create)
{
	struct slot *s = lookup(fd), *free_one = NULL;

	if (s && (!own_calls() || still(fd, &s->id)))	/* (a sandbox: no fstat(), trusted) */
		return s;
	if (s) {
		logmsg(1, "fd %d: no longer the socket it was: its migration state goes", fd);
		slot_free(s);
		fd_store(fd, fd_get(fd) & ~FD_KIND);
	}
	if (!create)
		return NULL;
	for (int i = 0; i < used_slots && !free_one; i++)
		if (!slots[i].kind)
			free_one = &slots[i];
	if (!free_one && used_slots < MAX_SLOTS)
		free_one = &slots[used_slots++];
	if (!free_one) {
		logmsg(0, "fd %d: more than %d sockets in migration at once; this one is left as it is",
		       fd, MAX_SLOTS);
		return NULL;
	}
	memset(free_one, 0, sizeof(*free_one));
	free_one->fd = fd;
	free_one->kind = SLOT_WATCH;
	free_one->a = free_one->b = free_one->c = -1;
	ident_of(fd, &free_one->id);
	return free_one;
}

/* Close hidden descriptor fd if it is still the file id (a stale one may be anything now). */
static void close_hidden(int fd, const struct ident *id)
{
	if (fd >= 0 && (!own_calls() || still(fd, id)))
		real.close(fd);
}

/*
 * fd is closed or replaced: its hidden descriptors go too, or, while an
 * accept() in another thread uses them, when that one is done (as a
 * listener closed under a waiting accept() keeps working for it).  The
 * number fd is free at once.  Lock held.
 */
void slot_free(struct slot *s)
{
	if (s->users > 0) {
		s->closing = true;
		s->fd = -1;
		return;
	}
	close_hidden(s->a, &s->ida);
	close_hidden(s->b, &s->idb);
	close_hidden(s->c, &s->idc);
	s->kind = 0;
	s->closing = false;
}

/* The end of an accept() that held slot s (dual.c). */
void slot_release(struct slot *s)
{
	slots_lock_take();
	s->users--;
	if (s->closing)
		slot_free(s);
	slots_lock_give();
}

/* close(), dup2() onto fd, close_range(): forget fd's migration state. */
void migrate_forget(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s)
		slot_free(s);
	slots_lock_give();
}

/* The decision made: fd keeps no slot unless it falls back or is a dual listener. */
void migrate_done(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, false);
	if (s && s->kind == SLOT_WATCH)
		s->kind = 0;
	slots_lock_give();
}

/* --- epoll registrations --- */

EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	unsigned state;
	struct epoll_event copy;
	int r;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(!(state & (FD_KIND | FD_PENDING)), 1))
		return real.epoll_ctl(epfd, op, fd, ev);
	if (!(state & FD_KIND)) {
		r = real.epoll_ctl(epfd, op, fd, ev);
		if (r == 0 && op == EPOLL_CTL_MOD)
			fd_maybe_connected(fd);
		return r;
	}
	if (FD_IS(state, FD_DUAL) && ev && (ev->events & EPOLLEXCLUSIVE)) {
		/* Not allowed on an epoll instance, which a dual listener is (dual.c). */
		copy = *ev;
		copy.events &= ~EPOLLEXCLUSIVE;
		ev = &copy;
	}
	r = real.epoll_ctl(epfd, op, fd, ev);
	if (r != 0 || FD_IS(state, FD_DUAL))
		return r;
	int saved = errno;
	struct slot *s;

	slots_lock_take();
	s = slot_find(fd, op != EPOLL_CTL_DEL);
	for (int i = 0; s && i < s->nreg; i++)
		if (s->reg[i].epfd == epfd) {
			if (op == EPOLL_CTL_DEL)
				s->reg[i] = s->reg[--s->nreg];
			else
				s->reg[i].ev = *ev;
			s = NULL;
		}
	if (s && op != EPOLL_CTL_DEL) {
		if (s->nreg < MAX_REGS) {
			s->reg[s->nreg].epfd = epfd;
			s->reg[s->nreg++].ev = *ev;
		} else {
			logmsg(0, "fd %d: in more than %d epoll sets; a protocol change will not "
			       "move the others", fd, MAX_REGS);
		}
	}
	slots_lock_give();
	errno = saved;
	return r;
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
		if (setsockopt(to, level, name, &have, hl) != 0)
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
	slots_lock_take();
	s = lookup(fd);
	if (s)
		ident_of(fd, &s->id);	/* the slot's descriptor is the new file now */
	slots_lock_give();
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
	if (getsockname(fd, (struct sockaddr *)ss, len) != 0)
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
	if (bound_address(fd, &self, &len) && bind(nfd, (struct sockaddr *)&self, len) != 0) {
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

const char *role_name(int role)
{
	return role == ROLE_SERVER ? "server" : "client";
}

/* The action for undecided fd in this role, at this address; logged.  Clears FD_UNDECIDED. */
int decide(int fd, int role, const struct sockaddr *sa)
{
	char text[200] = "", where[300] = "", ip[INET6_ADDRSTRLEN] = "?";
	int which, action, proto = 0, saved = errno;

	fd_store(fd, fd_get(fd) & ~FD_KIND);
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

/* Converting failed because the kernel has no SCTP: with SCTPIZE_FALLBACK, TCP it stays. */
bool no_sctp_fallback(int fd)
{
	static atomic_bool told;

	if (!cfg.fallback || (errno != EPROTONOSUPPORT && errno != ESOCKTNOSUPPORT &&
			      errno != EACCES && errno != EPERM))
		return false;
	COUNT(ST_FALLBACK);
	if (!atomic_exchange(&told, true))
		logmsg(0, "this kernel cannot make SCTP sockets (%m); SCTPIZE_FALLBACK: "
		       "the program runs on TCP");
	else
		logmsg(1, "fd %d: no SCTP: stays TCP", fd);
	return true;
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	sctpize_init();
	if (__builtin_expect(FD_IS(fd_get(fd), FD_DUAL), 0))
		return dual_getsockname(fd, addr, len);
	return real.getsockname(fd, addr, len);
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	unsigned state;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(FD_IS(state, FD_DUAL) || FD_IS(state, FD_FALLBACK), 0)) {
		if (FD_IS(state, FD_DUAL)) {
			errno = ENOTCONN;
			return -1;
		}
		return fallback_getpeername(fd, addr, len);
	}
	if (__builtin_expect((state & (FD_SCTP | FD_CONNECTED)) == FD_SCTP, 0)) {
		int r = real.getpeername(fd, addr, len);

		if (r == 0)
			fd_connected(fd);	/* (the announcement too, before the program polls) */
		return r;
	}
	return real.getpeername(fd, addr, len);
}

EXPORT int listen(int fd, int backlog)
{
	struct sockaddr_storage self;
	socklen_t len = sizeof(self);
	unsigned state;
	int saved = errno;

	sctpize_init();
	state = fd_get(fd);
	if (__builtin_expect(!FD_IS(state, FD_UNDECIDED) && !FD_IS(state, FD_DUAL), 1))
		return real.listen(fd, backlog);
	if (FD_IS(state, FD_DUAL))
		return dual_relisten(fd, backlog);
	if (getsockname(fd, (struct sockaddr *)&self, &len) != 0 ||
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
