/*
 * slots.c - the slot table: what a special socket needs beyond its byte.
 *
 * A special socket (migrate.h) has a slot in a small fixed table: the epoll
 * registrations the program made on its number (moved when the protocol
 * changes under them), and per kind the descriptors the program does not
 * know of: the TCP socket a "both" client keeps aside (fallback.c), the two
 * listeners and the epoll instance of a dual listener (dual.c).  Each
 * hidden descriptor is remembered with what it is (fstat()), so that one
 * closed behind our back (a program's blind close sweep) and its number
 * reused is never closed or used by us.
 *
 * The table is locked by a mutex that fork() cannot leave taken; in a
 * child only the forking thread goes on, so no accept() holds a slot there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "migrate.h"

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
		if (slots[i].kind != SLOT_DUAL)
			continue;
		slots[i].u.dual.users = 0;
		if (slots[i].u.dual.closing)
			slot_free(&slots[i]);
	}
	slots_lock_give();
}

void slots_init(void)
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

void hide(struct hidden *h, int fd)
{
	h->fd = fd;
	ident_of(fd, &h->id);
}

bool hidden_intact(const struct hidden *h)
{
	return h->fd < 0 || still(h->fd, &h->id);
}

static struct slot *lookup(int fd)
{
	for (int i = 0; i < used_slots; i++)
		if (slots[i].kind && slots[i].fd == fd)
			return &slots[i];
	return NULL;
}

void slot_become(struct slot *s, int kind)
{
	s->kind = kind;
	if (kind == SLOT_FALLBACK) {
		memset(&s->u.fallback, 0, sizeof(s->u.fallback));
		s->u.fallback.tcp.fd = -1;
	} else if (kind == SLOT_DUAL) {
		memset(&s->u.dual, 0, sizeof(s->u.dual));
		s->u.dual.tcp.fd = s->u.dual.sctp.fd = s->u.dual.ep.fd = -1;
	}
}

/*
 * A slot whose descriptor is not the file it was (closed by a call we did
 * not see, fclose() or closefrom(), and the number reused) is stale: it
 * goes (its hidden descriptors with it, those still its own), and so does
 * fd's special state.
 */
struct slot *slot_find(int fd, bool create)
{
	struct slot *s = lookup(fd), *free_one = NULL;

	if (s && (!own_calls() || still(fd, &s->id)))	/* (a sandbox: no fstat(), trusted) */
		return s;
	if (s) {
		logmsg(1, "fd %d: no longer the socket it was: its migration state goes", fd);
		slot_free(s);
		fd_store(fd, fd_get(fd) & ~FD_SPECIAL);
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
	slot_become(free_one, SLOT_WATCH);
	ident_of(fd, &free_one->id);
	return free_one;
}

void slot_renew(int fd)
{
	struct slot *s;

	slots_lock_take();
	s = lookup(fd);
	if (s)
		ident_of(fd, &s->id);
	slots_lock_give();
}

/* Close hidden descriptor h if it is still the file it hid (a stale one may be anything now). */
static void close_hidden(const struct hidden *h)
{
	if (h->fd >= 0 && (!own_calls() || still(h->fd, &h->id)))
		real.close(h->fd);
}

/*
 * The number fd is free at once; the hidden descriptors go too, or, while
 * an accept() in another thread uses a dual listener's, when that one is
 * done (as a listener closed under a waiting accept() keeps working for
 * it).  Lock held.
 */
void slot_free(struct slot *s)
{
	if (s->kind == SLOT_DUAL && s->u.dual.users > 0) {
		s->u.dual.closing = true;
		s->fd = -1;
		return;
	}
	if (s->kind == SLOT_FALLBACK) {
		close_hidden(&s->u.fallback.tcp);
	} else if (s->kind == SLOT_DUAL) {
		close_hidden(&s->u.dual.tcp);
		close_hidden(&s->u.dual.sctp);
		close_hidden(&s->u.dual.ep);
		s->u.dual.closing = false;
	}
	s->kind = 0;
}

void slot_release(struct slot *s)
{
	slots_lock_take();
	s->u.dual.users--;
	if (s->u.dual.closing)
		slot_free(s);
	slots_lock_give();
}

void slot_note_epoll(int epfd, int op, int fd, const struct epoll_event *ev)
{
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
}
