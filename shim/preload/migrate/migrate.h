/*
 * migrate.h - the migration wing of the preload backend, inside only.
 *
 * Migration mode (rules.c) makes three kinds of special socket, each with
 * its own calls (struct kind_ops, preload.h) that the wrappers dispatch to
 * when fd_state says the descriptor is of that kind:
 *
 *   migrate.c  the kinds' table, the undecided kind (TCP until listen() or
 *              connect() decides), the protocol change and the decision
 *   slots.c    the slot table: the state a special socket needs beyond its
 *              descriptor byte (epoll registrations, hidden descriptors)
 *   fallback.c "both" clients: SCTP first, TCP if the peer does not speak it
 *   dual.c     "both" servers: one listening descriptor for TCP and SCTP
 *
 * A new kind of special socket: a value of FD_SPECIAL below, a struct
 * kind_ops in its own file, its entry in special_kinds[] (migrate.c), and,
 * if it keeps hidden descriptors, its member of struct slot's union.  (The
 * two bits of FD_SPECIAL hold three kinds: a fourth needs a wider fd_state.)
 */
#ifndef SCTPIZE_MIGRATE_H
#define SCTPIZE_MIGRATE_H

#include "../preload.h"

/* The kinds, in fd_state's FD_SPECIAL bits (one at a time). */
enum {
	FD_UNDECIDED = 1 << FD_SPECIAL_SHIFT,	/* TCP until listen() or connect() decides */
	FD_FALLBACK = 2 << FD_SPECIAL_SHIFT,	/* trying SCTP; TCP kept aside (fallback.c) */
	FD_DUAL = 3 << FD_SPECIAL_SHIFT,	/* a listener for TCP and SCTP (dual.c) */
};
/* Is state of this kind? */
#define FD_IS(state, kind) (((state) & FD_SPECIAL) == (kind))

extern const struct kind_ops undecided_ops, fallback_ops, dual_ops;

/* ---- slots.c ---- */

#define MAX_SLOTS 1024
#define MAX_REGS 4
enum { SLOT_WATCH = 1, SLOT_FALLBACK, SLOT_DUAL };
/* An open file's identity (fstat()), to tell it from whatever reuses its number. */
struct ident {
	dev_t dev;
	ino_t ino;
};
/* A descriptor the program does not know of, and what it is (hide()). */
struct hidden {
	int fd;				/* -1: none */
	struct ident id;
};
struct slot {
	int fd, kind;			/* kind 0: free */
	struct ident id;		/* what fd is */
	int nreg;			/* epoll sets fd is in, with its events (moved on a swap) */
	struct { int epfd; struct epoll_event ev; } reg[MAX_REGS];
	union {
		struct {			/* SLOT_FALLBACK */
			struct hidden tcp;	/* the TCP socket kept aside */
			struct sockaddr_storage peer;	/* the address connected to */
			socklen_t peer_len;
		} fallback;
		struct {			/* SLOT_DUAL */
			struct hidden tcp, sctp;	/* the two listeners */
			struct hidden ep;	/* the epoll instance (also at fd) */
			unsigned turn;		/* which listener accept() asks first */
			int users;		/* accept() calls using them right now... */
			bool closing;		/* ...so close(fd) left them open to the last one */
		} dual;
	} u;
};
void slots_lock_take(void);
void slots_lock_give(void);
/* The slot of fd, or NULL; with create, a new (SLOT_WATCH) one if there is none.  Lock held. */
struct slot *slot_find(int fd, bool create);
/* s becomes of this kind: its kind's hidden descriptors none yet.  Lock held. */
void slot_become(struct slot *s, int kind);
/* Hide descriptor fd in h: remember what it is. */
void hide(struct hidden *h, int fd);
/* Is h's descriptor (if any) still the file it hid? */
bool hidden_intact(const struct hidden *h);
/* fd closed or replaced: s and its hidden descriptors go (or when its last user is done). */
void slot_free(struct slot *s);
/* The end of an accept() that held dual slot s. */
void slot_release(struct slot *s);
/* fd's slot's descriptor is a new file now (swap_in()), whatever it was. */
void slot_renew(int fd);
/* epoll_ctl() on a watched socket, done: note the registration (lock taken here). */
void slot_note_epoll(int epfd, int op, int fd, const struct epoll_event *ev);
void slots_init(void);

/* ---- migrate.c ---- */

/* epoll_ctl() on a socket whose protocol may still change: the registration noted. */
int watch_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
/* The decision made: fd keeps no slot unless it falls back or is a dual listener. */
void migrate_done(int fd);
/* A new socket of protocol proto like fd: same family, same O_NONBLOCK.  -1 with errno. */
int socket_like(int fd, int proto);
/* Every option the program set on TCP socket from, onto SCTP socket to.  Keeps errno. */
void copy_options(int from, int to);
/* Put socket nfd in fd's place (number, FD_CLOEXEC, epoll registrations); -1 with errno. */
int swap_in(int fd, int nfd);
/* Make fd a new SCTP socket like TCP socket fd; with spare, the TCP one kept there. */
int swap_to_sctp(int fd, int *spare);
/* The action for undecided fd in this role, at this address; logged.  Clears the kind. */
int decide(int fd, int role, const struct sockaddr *sa);

/* ---- fallback.c, dual.c: the kinds' entry points from the decision ---- */

int fallback_connect(int fd, const struct sockaddr *addr, socklen_t len);
int dual_listen(int fd, int backlog);

#endif
