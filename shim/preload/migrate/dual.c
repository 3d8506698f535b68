/*
 * dual.c - "both" servers: one listening descriptor for TCP and SCTP clients.
 *
 * Linux has no socket that listens on two protocols, but a program only
 * needs its listening descriptor to (1) be readable when a client waits and
 * (2) give that client to accept().  An epoll instance does (1) for any
 * number of sockets, and select(), poll() and epoll (level- or edge-
 * triggered, nested) all see it readable.  So at listen():
 *
 *   - the program's TCP socket listens, and moves to a hidden descriptor;
 *   - an SCTP socket with the same options is bound to the same address and
 *     port and listens, hidden too; both are non-blocking;
 *   - an epoll instance holding both takes the program's descriptor number
 *     (its O_NONBLOCK and FD_CLOEXEC kept, epoll registrations moved).
 *
 * accept()/accept4() on it take the next client from either listener, in
 * turn, with its real address; when neither has one, a non-blocking program
 * gets EAGAIN and a blocking one waits in epoll_wait() on its descriptor.
 * getsockname(), getsockopt() are answered by the TCP listener; setsockopt()
 * and shutdown() go to both; close() closes all three, or, if an accept()
 * in another thread is using them, that accept() does when it is done.
 *
 * These are this kind's own calls (dual_ops); the slot (slots.c) keeps the
 * three hidden descriptors and the accept() calls using them.
 *
 * Limits: the hidden listeners are close-on-exec, so a dual listener does
 * not survive exec(); a dup() of the descriptor is not a listener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "migrate.h"

/*
 * The dual listener's slot, lock held, or NULL: fd is not one (any more),
 * or its hidden listeners were closed behind our back (a program's blind
 * close sweep): then it is forgotten, and fd is what the kernel says it is.
 */
static struct slot *dual_slot(int fd)
{
	struct slot *s = slot_find(fd, false);

	if (!s || s->kind != SLOT_DUAL)
		return NULL;
	if (hidden_intact(&s->u.dual.tcp) && hidden_intact(&s->u.dual.sctp))
		return s;
	logmsg(0, "fd %d: its hidden listeners were closed: no longer a dual listener", fd);
	slot_free(s);
	fd_store(fd, fd_get(fd) & ~FD_SPECIAL);
	return NULL;
}

/* The two listeners behind dual descriptor fd (-1 if it is none). */
static int listeners(int fd, int *tcp, int *sctp)
{
	struct slot *s;

	*tcp = *sctp = -1;
	slots_lock_take();
	s = dual_slot(fd);
	if (s) {
		*tcp = s->u.dual.tcp.fd;
		*sctp = s->u.dual.sctp.fd;
	}
	slots_lock_give();
	return s ? 0 : -1;
}

/*
 * The same for accept(), which may wait: the slot is held (users), so that
 * a close(fd) in another thread meanwhile leaves the listeners open until
 * this accept() is done with them (slot_release()), as a plain listener
 * closed under a waiting accept() keeps working for it.  NULL if none.
 */
static struct slot *hold(int fd, int *tcp, int *sctp, int *ep, unsigned *turn)
{
	struct slot *s;

	slots_lock_take();
	s = dual_slot(fd);
	if (s) {
		s->u.dual.users++;
		*tcp = s->u.dual.tcp.fd;
		*sctp = s->u.dual.sctp.fd;
		*ep = s->u.dual.ep.fd;
		*turn = s->u.dual.turn++;
	} else {
		s = NULL;
	}
	slots_lock_give();
	return s;
}

/* listen() on an undecided TCP socket whose rule says "both". */
int dual_listen(int fd, int backlog)
{
	struct sockaddr_storage self;
	socklen_t len = sizeof(self);
	struct epoll_event ev = { .events = EPOLLIN };
	struct slot *s;
	int sctp = -1, tcp = -1, ep = -1, fl, saved = errno;

	if (real.listen(fd, backlog) != 0)
		return -1;
	/* Bound now (listen() picks a port if the program did not). */
	if (real.getsockname(fd, (struct sockaddr *)&self, &len) != 0)
		return -1;
	sctp = socket_like(fd, IPPROTO_SCTP);
	if (sctp < 0) {
		if (!no_sctp_fallback(fd))
			logmsg(0, "fd %d: no SCTP listener beside the TCP one: %m", fd);
		errno = saved;
		return 0;	/* the program's TCP listener works: TCP clients are served */
	}
	apply_defaults(sctp);
	copy_options(fd, sctp);
	fd_adopt(sctp);
	if (bind_widened(sctp, (struct sockaddr *)&self, len) != 0 || real.listen(sctp, backlog) != 0 ||
	    real.fcntl(sctp, F_SETFL, O_RDWR | O_NONBLOCK) != 0)
		goto fail;
	fl = real.fcntl(fd, F_GETFL);
	tcp = real.fcntl(fd, F_DUPFD_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);	/* (kept: accept() waits on it, see below) */
	if (fl < 0 || tcp < 0 || ep < 0)
		goto fail;
	ev.data.fd = tcp;
	if (real.epoll_ctl(ep, EPOLL_CTL_ADD, tcp, &ev) != 0)
		goto fail;
	ev.data.fd = sctp;
	if (real.epoll_ctl(ep, EPOLL_CTL_ADD, sctp, &ev) != 0 ||
	    (fl & O_NONBLOCK && real.fcntl(ep, F_SETFL, O_RDWR | O_NONBLOCK) != 0))
		goto fail;
	slots_lock_take();
	s = slot_find(fd, true);
	if (s) {
		slot_become(s, SLOT_DUAL);
		hide(&s->u.dual.tcp, tcp);
		hide(&s->u.dual.sctp, sctp);
		hide(&s->u.dual.ep, ep);
	}
	slots_lock_give();
	if (!s || swap_in(fd, ep) != 0) {
		if (s)
			special_forget(fd);	/* closes tcp, sctp and ep */
		tcp = sctp = ep = -1;
		goto fail;
	}
	/* The TCP listener's file is now only the hidden one's: non-blocking for accept4(). */
	real.fcntl(tcp, F_SETFL, (fl & ~O_NONBLOCK) | O_NONBLOCK);
	fd_store(fd, FD_DUAL);
	COUNT(ST_DUAL);
	logmsg(1, "fd %d: listens on TCP and SCTP (hidden fds %d and %d)", fd, tcp, sctp);
	return 0;
fail:
	logmsg(0, "fd %d: no SCTP listener beside the TCP one: %m", fd);
	for (int *p = (int[]){ sctp, tcp, ep }, i = 0; i < 3; i++)
		if (p[i] >= 0) {
			fd_forget(p[i]);
			real.close(p[i]);
		}
	fd_store(fd, 0);
	errno = saved;
	return 0;	/* TCP clients are still served */
}

static int dual_relisten(int fd, int backlog)
{
	int tcp, sctp;

	if (listeners(fd, &tcp, &sctp) != 0)
		return real.listen(fd, backlog);
	if (real.listen(tcp, backlog) != 0)
		return -1;
	return real.listen(sctp, backlog);
}

/* The next client of either listener; waits in epoll_wait() if fd is blocking. */
static int take(int tcp, int sctp, int ep, unsigned turn, struct sockaddr *addr,
		socklen_t *addrlen, int flags)
{
	for (;;) {
		for (int k = 0; k < 2; k++) {
			int l = (turn + k) & 1 ? sctp : tcp;
			int saved = errno, r = real.accept4(l, addr, addrlen, flags);

			if (r >= 0) {
				errno = saved;
				if (l == sctp)
					return accepted(sctp, r);
				fd_forget(r);
				COUNT(ST_ACCEPTED_TCP);
				return r;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			errno = saved;
		}
		/* ep is the program's fd's open file: its O_NONBLOCK is the program's. */
		int fl = real.fcntl(ep, F_GETFL), saved = errno;
		struct epoll_event ev;

		if (fl < 0)
			return -1;
		if (fl & O_NONBLOCK) {
			errno = EAGAIN;
			return -1;
		}
		if (epoll_wait(ep, &ev, 1, -1) < 0) {
			/*
			 * A signal: accept() gives EINTR, or is restarted with SA_RESTART.
			 * epoll_wait() never is, so the restart is ours to make.
			 */
			if (errno == EINTR && restart_after_signal()) {
				errno = saved;
				continue;
			}
			return -1;
		}
	}
}

static int dual_accept(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	int tcp, sctp, ep, r;
	unsigned turn;
	struct slot *s = hold(fd, &tcp, &sctp, &ep, &turn);

	if (!s)
		return real.accept4(fd, addr, addrlen, flags);
	r = take(tcp, sctp, ep, turn, addr, addrlen, flags);
	slot_release(s);
	return r;
}

static int dual_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	int tcp, sctp;

	if (listeners(fd, &tcp, &sctp) != 0)
		return real.getsockname(fd, addr, len);
	return real.getsockname(tcp, addr, len);
}

static int dual_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int tcp, sctp;

	if (listeners(fd, &tcp, &sctp) != 0)
		return real.getsockopt(fd, level, name, val, len);
	return real.getsockopt(tcp, level, name, val, len);
}

static int dual_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int tcp, sctp, saved = errno;

	if (listeners(fd, &tcp, &sctp) != 0)
		return real.setsockopt(fd, level, name, val, len);
	if (real.setsockopt(tcp, level, name, val, len) != 0)
		return -1;
	if (sockopt_set(sctp, level, name, val, len) != 0)
		logmsg(1, "fd %d: option %d/%d not set on the SCTP listener: %m", fd, level, name);
	errno = saved;
	return 0;
}

static int dual_shutdown(int fd, int how)
{
	int tcp, sctp, r;

	if (listeners(fd, &tcp, &sctp) != 0)
		return real.shutdown(fd, how);
	r = real.shutdown(tcp, how);
	shutdown_socket(sctp, how);
	return r;
}

/* A dual listener is not connected. */
static int dual_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	(void)fd;
	(void)addr;
	(void)len;
	errno = ENOTCONN;
	return -1;
}

/* EPOLLEXCLUSIVE is not allowed on an epoll instance, which a dual listener is. */
static int dual_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct epoll_event copy;

	if (ev && (ev->events & EPOLLEXCLUSIVE)) {
		copy = *ev;
		copy.events &= ~EPOLLEXCLUSIVE;
		ev = &copy;
	}
	return real.epoll_ctl(epfd, op, fd, ev);
}

const struct kind_ops dual_ops = {
	.name = "dual",
	.accept = dual_accept,
	.listen = dual_relisten,
	.setsockopt = dual_setsockopt,
	.getsockopt = dual_getsockopt,
	.getsockname = dual_getsockname,
	.getpeername = dual_getpeername,
	.shutdown = dual_shutdown,
	.epoll_ctl = dual_epoll_ctl,
};
