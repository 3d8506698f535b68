/*
 * resolve.c - getaddrinfo(): remember the addresses a peer's name resolved to.
 *
 * A TCP client resolves a name, then connects to one of its addresses; an
 * SCTP association can be given all of them at once (sctp_connectx), so that
 * the first connect succeeds even when the first address is dead, and the
 * association fails over between them later.  The shim keeps the last
 * RECENT results that had two or more addresses; connect.c asks which
 * other addresses belong with the one being connected to (none, when two
 * names share that address with different others).
 *
 * The table is fixed in size and guarded by a mutex that fork() handlers
 * keep consistent in the child.  SCTPIZE_PEER_RESOLVED=0 turns it off.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "preload.h"

#define RECENT 32	/* names remembered */
#define PER_NAME 8	/* addresses remembered per name */

static struct {
	int n;
	struct sockaddr_storage a[PER_NAME];
} table[RECENT];
static unsigned next;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void lock_table(void) { pthread_mutex_lock(&lock); }
static void unlock_table(void) { pthread_mutex_unlock(&lock); }

void resolve_init(void)
{
	pthread_atfork(lock_table, unlock_table, unlock_table);
}

static bool listed(const struct sockaddr *sa, const struct sockaddr_storage *a, int n)
{
	for (int i = 0; i < n; i++)
		if (same_ip(sa, (const struct sockaddr *)&a[i]))
			return true;
	return false;
}

/* Keep the distinct IP addresses of res, if two or more, as one entry. */
static void remember(const struct addrinfo *res)
{
	struct sockaddr_storage a[PER_NAME];
	int n = 0;

	for (; res && n < PER_NAME; res = res->ai_next) {
		if (!res->ai_addr ||
		    (res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
		    res->ai_addrlen > sizeof(a[0]) || listed(res->ai_addr, a, n))
			continue;
		memset(&a[n], 0, sizeof(a[n]));
		memcpy(&a[n], res->ai_addr, res->ai_addrlen);
		n++;
	}
	if (n < 2)
		return;
	lock_table();
	unsigned slot = next++ % RECENT;

	memcpy(table[slot].a, a, sizeof(a[0]) * (size_t)n);
	table[slot].n = n;
	unlock_table();
}

EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	int ret;

	sctpize_init();
	ret = real.getaddrinfo(node, service, hints, res);
	if (ret == 0 && cfg.peer_resolved && node)
		remember(*res);
	return ret;
}

/* Do entries i and j hold the same addresses (in any order)? */
static bool same_set(unsigned i, unsigned j)
{
	if (table[i].n != table[j].n)
		return false;
	for (int k = 0; k < table[i].n; k++)
		if (!listed((const struct sockaddr *)&table[i].a[k], table[j].a, table[j].n))
			return false;
	return true;
}

/*
 * Only a name can say which addresses belong together, and connect() has
 * none: an address that two remembered names share with different others
 * (a CDN, a shared front end) is ambiguous, and is offered alone rather than
 * with addresses that may be another host's.
 */
int resolved_peers(const struct sockaddr *addr, struct sockaddr_storage *out, int max)
{
	in_port_t port = get_port(addr);
	int n = 0, found = -1;

	lock_table();
	for (unsigned k = 0; k < RECENT; k++) {
		unsigned slot = (next - 1 - k) % RECENT;

		if (!listed(addr, table[slot].a, table[slot].n))
			continue;
		if (found >= 0 && !same_set((unsigned)found, slot)) {
			found = -1;
			break;
		}
		if (found < 0)
			found = (int)slot;
	}
	for (int i = 0; found >= 0 && i < table[found].n && n < max; i++) {
		out[n] = table[found].a[i];
		set_port(&out[n++], port);
	}
	unlock_table();
	return n;
}
