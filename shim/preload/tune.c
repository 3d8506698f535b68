/*
 * tune.c - the core's defaults, set on every converted and accepted socket.
 *
 * What to set is the core's (../core/defaults.c: TCP-like buffers, delayed
 * SACK and connect timeout, then SCTPIZE_NODELAY and the SCTP tuning); this
 * sets the list, made once at start-up, with the real setsockopt().  A buffer goes with
 * SO_*BUFFORCE where the process may (CAP_NET_ADMIN), else with the plain
 * option, which the kernel caps at net.core.[rw]mem_max: after one EPERM the
 * forced one is not tried again.  A failure of any other option is logged as
 * an error naming the setting.  Nothing is done, and nothing costs, for what
 * is not configured.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "preload.h"

/* The list, made once at start-up from the settings, which never change after. */
static struct tune_opt list[TUNE_MAX];
static int listed;

void tune_init(void)
{
	listed = tune_list(&cfg, list);
}

void apply_defaults(int fd)
{
	static atomic_bool no_force;
	int saved = errno;

	for (int i = 0; i < listed; i++) {
		const struct tune_opt *t = &list[i];

		if (t->plain) {
			if (!atomic_load_explicit(&no_force, memory_order_relaxed)) {
				if (real.setsockopt(fd, t->level, t->name, &t->val, t->len) == 0)
					continue;
				if (errno == EPERM)
					atomic_store_explicit(&no_force, true, memory_order_relaxed);
			}
			real.setsockopt(fd, t->level, t->plain, &t->val, t->len);
			continue;
		}
		if (real.setsockopt(fd, t->level, t->name, &t->val, t->len) != 0)
			logmsg(0, "fd %d: %s could not be applied: %m", fd, t->setting);
	}
	errno = saved;
}
