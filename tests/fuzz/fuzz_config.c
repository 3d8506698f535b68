/*
 * fuzz_config - libFuzzer target of config_parse() (shim/core/config.c): the
 * SCTPIZE_* environment, as the library and sctpize-helper validate read it.
 *
 * The input is an environment: entries separated by NUL bytes (a value may
 * hold any other byte, newlines included, as a real environment may).  An
 * entry whose first byte is below NAMES_N names a setting by number, the rest
 * of the entry being its value ("\x03" "1" is SCTPIZE_NODELAY=1); a first
 * byte of 0x7f passes the rest of the entry as it is (a name without the
 * prefix, an entry without '=', PATH=...); any other entry is prefixed with
 * "SCTPIZE_" ("RTO_MIN=5" is SCTPIZE_RTO_MIN=5).
 *
 * Checked besides memory safety and undefined behaviour (ASan, UBSan):
 *   - the result and c->error agree; a refusal names an SCTPIZE_ setting;
 *   - an accepted environment gives values inside their documented ranges
 *     (libsctpize(7), ENVIRONMENT), and the combinations that are refused
 *     are never accepted;
 *   - the connect timeout schedule adds up to the timeout asked for;
 *   - parsing is deterministic;
 *   - each entry of a known setting, alone, is accepted exactly when a
 *     reference parser written from libsctpize(7) accepts it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../shim/core/core.h"

#define MAX_ENTRIES 64
#define MAX_INPUT 65536		/* longer inputs are refused (-max_len is 8192) */

enum kind { K_VERBOSE, K_LOG, K_BOOL, K_ADDRS, K_IFACES, K_FAILOVER, K_NUM, K_ZERO_OR, K_NONE };

static const struct setting {
	const char *name;
	enum kind kind;
	long min, max;
} names[] = {
	{ "VERBOSE", K_VERBOSE, 0, 2 },
	{ "LOG", K_LOG, 0, 0 },
	{ "NODELAY", K_BOOL, 0, 1 },
	{ "BIND_ALL", K_BOOL, 0, 1 },
	{ "BIND_ADDRS", K_ADDRS, 0, 0 },
	{ "BIND_IFACES", K_IFACES, 0, 0 },
	{ "BIND_LOOPBACK", K_BOOL, 0, 1 },
	{ "PEER_ADDRS", K_ADDRS, 0, 0 },
	{ "PEER_RESOLVED", K_BOOL, 0, 1 },
	{ "FAILOVER", K_FAILOVER, 0, 0 },
	{ "HB_INTERVAL", K_NUM, 1, 86400000 },
	{ "RTO_MIN", K_NUM, 1, 86400000 },
	{ "RTO_MAX", K_NUM, 1, 86400000 },
	{ "RTO_INITIAL", K_NUM, 1, 86400000 },
	{ "PATH_MAX_RETRANS", K_NUM, 1, 65535 },
	{ "MAX_RETRANS", K_NUM, 1, 65535 },
	{ "STREAMS", K_NUM, 1, 65535 },
	{ "SNDBUF", K_ZERO_OR, 1024, 1 << 30 },
	{ "RCVBUF", K_ZERO_OR, 1024, 1 << 30 },
	{ "SACK_DELAY", K_ZERO_OR, 1, 500 },
	{ "CONNECT_TIMEOUT", K_ZERO_OR, 1, 86400 },
	{ "HALF_CLOSE", K_BOOL, 0, 1 },
	/* Names that are not settings. */
	{ "", K_NONE, 0, 0 },
	{ "NODELAY ", K_NONE, 0, 0 },
	{ "nodelay", K_NONE, 0, 0 },
	{ "BIND-ALL", K_NONE, 0, 0 },
	{ "RTO_MINIMUM", K_NONE, 0, 0 },
	{ "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", K_NONE, 0, 0 },
};
#define NAMES_N (sizeof(names) / sizeof(names[0]))

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_config: check failed: %s: ", #cond);         \
			fprintf(stderr, __VA_ARGS__);                                      \
			fprintf(stderr, "\n");                                             \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* --- the reference: libsctpize(7), ENVIRONMENT, read literally --- */

/* "numbers are plain decimal digits without sign, spaces or suffix": any
 * number of them, leading zeros included (0046480600 is 46480600); the value
 * decides.  (Above max the value is only known to be too big: x stops
 * growing there, so it never overflows.) */
static bool ref_number(const char *v, long min, long max, long *out)
{
	size_t n = strlen(v);
	long x = 0;

	if (n == 0 || strspn(v, "0123456789") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (x <= max)
			x = x * 10 + (v[i] - '0');
	*out = x;
	return x >= min && x <= max;
}

static bool ref_unicast4(const unsigned char *a)
{
	return !(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0) &&
	       !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) &&
	       (a[0] & 0xf0) != 0xe0;
}

/* "Each address must be unicast: not the unspecified address, not multicast,
 * and for IPv4 not 255.255.255.255"; an IPv4-mapped IPv6 address is the IPv4
 * address (::ffff:0.0.0.0 is IPv4's unspecified address). */
static bool ref_unicast(const char *s)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return ref_unicast4(a);
	if (inet_pton(AF_INET6, s, a) == 1) {
		static const unsigned char zero[16];
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

		if (memcmp(a, mapped, 12) == 0)
			return ref_unicast4(a + 12);
		return memcmp(a, zero, 16) != 0 && a[0] != 0xff;
	}
	return false;
}

/* SCTPIZE_LOG's file name (libsctpize(7), LOGGING): "In a directory that
 * everyone may write to, such as /tmp, no log file is created, and an
 * existing one is written only if it is a regular file of the process's
 * effective user with one link; a name there that is not is refused".  The
 * directory is the name up to its last '/' (/ for a name right under it). */
static bool ref_log_file(const char *v)
{
	char dir[256];
	const char *slash = strrchr(v, '/');
	size_t n = slash == v ? 1 : (size_t)(slash - v);
	struct stat st;

	if (n >= sizeof(dir))
		return false;
	memcpy(dir, v, n);
	dir[n] = '\0';
	if (stat(dir, &st) != 0 || !(st.st_mode & S_IWOTH))
		return true;
	return lstat(v, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       st.st_nlink == 1;
}

/* Elements of a comma-separated list: each non-empty, at most max of them. */
static bool ref_list(const char *v, int max, bool (*ok)(const char *))
{
	char *copy = strdup(v), *p = copy;
	int n = 0;
	bool good = *v != '\0';

	while (good) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		good = *p != '\0' && ++n <= max && ok(p);
		if (!comma)
			break;
		p = comma + 1;
	}
	free(copy);
	return good;
}

static bool ref_addr(const char *s)
{
	return strlen(s) <= INET6_ADDRSTRLEN && ref_unicast(s);
}

/* What the parser checks of an interface name: 1 to 15 bytes, not . or .., no /, :, space,
 * tab or newline (config.c; the kernel's dev_valid_name() also refuses \v, \f, \r). */
static bool ref_iface(const char *s)
{
	return strlen(s) < IF_NAMESIZE && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       !strpbrk(s, "/: \t\n");
}

static bool ref_accepts(const struct setting *s, const char *v)
{
	long x;

	switch (s->kind) {
	case K_VERBOSE:
	case K_BOOL:
	case K_NUM:
		return ref_number(v, s->min, s->max, &x);
	case K_ZERO_OR:
		return ref_number(v, 0, s->max, &x) && (x == 0 || x >= s->min);
	case K_LOG:
		return strcmp(v, "stderr") == 0 || strcmp(v, "syslog") == 0 ||
		       (v[0] == '/' && strlen(v) <= 255 && ref_log_file(v));
	case K_ADDRS:
		return ref_list(v, MAX_ADDRS, ref_addr);
	case K_IFACES:
		return ref_list(v, MAX_IFACES, ref_iface);
	case K_FAILOVER:
		return strcmp(v, "fast") == 0 || strcmp(v, "default") == 0;
	case K_NONE:
		return false;
	}
	return false;
}

/* --- invariants of an accepted environment --- */

static bool in(unsigned v, unsigned min, unsigned max)
{
	return v >= min && v <= max;
}

static unsigned long long schedule(unsigned first, unsigned cap, unsigned waits)
{
	unsigned long long sum = first, t = first;

	for (unsigned i = 1; i < waits; i++) {
		t = t * 2 < cap ? t * 2 : cap;
		sum += t;
	}
	return sum;
}

static void check_accepted(const struct config *c)
{
	CHECK(c->error[0] == '\0', "error '%s'", c->error);
	CHECK(c->verbose >= 0 && c->verbose <= 2, "%d", c->verbose);
	CHECK(memchr(c->log, '\0', sizeof(c->log)), "log not terminated");
	CHECK(strcmp(c->log, "stderr") == 0 || strcmp(c->log, "syslog") == 0 || c->log[0] == '/',
	      "log '%s'", c->log);
	for (int l = 0; l < 2; l++) {
		const struct addr_list *a = l ? &c->peer_addrs : &c->bind_addrs;

		CHECK(a->n >= 0 && a->n <= MAX_ADDRS, "%d addresses", a->n);
		for (int i = 0; i < a->n; i++)
			CHECK(a->a[i].ss_family == AF_INET || a->a[i].ss_family == AF_INET6,
			      "family %d", a->a[i].ss_family);
	}
	CHECK(c->n_bind_ifaces >= 0 && c->n_bind_ifaces <= MAX_IFACES, "%d", c->n_bind_ifaces);
	for (int i = 0; i < c->n_bind_ifaces; i++) {
		const char *n = c->bind_ifaces[i];

		CHECK(memchr(n, '\0', IF_NAMESIZE), "interface name not terminated");
		CHECK(n[0] && ref_iface(n), "interface '%s'", n);
	}
	CHECK(!c->bind_all || (!c->bind_addrs.n && !c->n_bind_ifaces), "bind_all with a list");
	CHECK(!c->hb_interval || in(c->hb_interval, 1, 86400000), "%u", c->hb_interval);
	CHECK(!c->rto_min || in(c->rto_min, 1, 86400000), "%u", c->rto_min);
	CHECK(!c->rto_max || in(c->rto_max, 1, 86400000), "%u", c->rto_max);
	CHECK(!c->rto_initial || in(c->rto_initial, 1, 86400000), "%u", c->rto_initial);
	CHECK(!c->rto_min || !c->rto_max || c->rto_min <= c->rto_max, "%u > %u", c->rto_min,
	      c->rto_max);
	CHECK(!c->rto_initial || ((!c->rto_min || c->rto_initial >= c->rto_min) &&
				  (!c->rto_max || c->rto_initial <= c->rto_max)),
	      "initial %u outside %u..%u", c->rto_initial, c->rto_min, c->rto_max);
	CHECK(c->path_max_retrans <= 65535 && c->max_retrans <= 65535 && c->streams <= 65535,
	      "counts");
	CHECK(!c->sndbuf || in(c->sndbuf, 1024, 1u << 30), "%u", c->sndbuf);
	CHECK(!c->rcvbuf || in(c->rcvbuf, 1024, 1u << 30), "%u", c->rcvbuf);
	CHECK(c->sack_delay <= 500, "%u", c->sack_delay);
	CHECK(c->connect_timeout <= 86400, "%u", c->connect_timeout);
	if (c->connect_timeout) {
		unsigned first = c->rto_initial ? c->rto_initial : 3000;
		unsigned long long goal = c->connect_timeout * 1000ull;

		CHECK(c->init_attempts >= 1 && c->init_attempts < 65535, "%u attempts",
		      c->init_attempts);
		CHECK(in(c->init_max_timeo, 1, 60000), "max_init_timeo %u", c->init_max_timeo);
		/* The waits are the attempts plus one; they reach the goal (unless the
		 * first wait alone passes it), and a smaller cap would not. */
		unsigned waits = c->init_attempts + (c->init_attempts > 1 || first < goal);

		CHECK(schedule(first, c->init_max_timeo, waits) >= goal || waits >= 65535,
		      "timeout %u s: %u waits capped at %u ms fall short", c->connect_timeout, waits,
		      c->init_max_timeo);
		CHECK(c->init_max_timeo == 1 || schedule(first, c->init_max_timeo - 1, waits) < goal,
		      "timeout %u s: a cap below %u ms would do", c->connect_timeout,
		      c->init_max_timeo);
	}
}

/* --- the target --- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c1, c2, one;
	static char buf[2 * MAX_INPUT + MAX_ENTRIES * 80 + 1];	/* not malloc: faster under ASan */
	char *env[MAX_ENTRIES + 1];
	const struct setting *kind[MAX_ENTRIES];
	const char *value[MAX_ENTRIES];
	size_t n = 0, start = 0;

	if (size > MAX_INPUT)
		return -1;
	char *w = buf;

	for (size_t i = 0; i <= size && n < MAX_ENTRIES; i++) {
		if (i < size && data[i] != '\0')
			continue;
		const uint8_t *e = data + start;
		size_t len = i - start;

		start = i + 1;
		env[n] = w;
		kind[n] = NULL;
		if (len > 0 && e[0] < NAMES_N) {
			kind[n] = &names[e[0]];
			w += sprintf(w, "SCTPIZE_%s=", names[e[0]].name);
			value[n] = w;
			e++, len--;
		} else if (len > 0 && e[0] == 0x7f) {
			e++, len--;
		} else {
			w += sprintf(w, "SCTPIZE_");
		}
		memcpy(w, e, len);
		w += len;
		*w++ = '\0';
		n++;
	}
	env[n] = NULL;

	bool ok1 = config_parse(&c1, env), ok2 = config_parse(&c2, env);

	CHECK(ok1 == ok2 && memcmp(&c1, &c2, sizeof(c1)) == 0, "not deterministic");
	CHECK(memchr(c1.error, '\0', sizeof(c1.error)), "error not terminated");
	if (ok1) {
		check_accepted(&c1);
	} else {
		CHECK(c1.error[0] != '\0', "refused without a reason");
		CHECK(strncmp(c1.error, "SCTPIZE_", 8) == 0, "reason '%s' names no setting",
		      c1.error);
	}
	/* Each entry of a known setting alone, against the reference. */
	for (size_t i = 0; i < n; i++) {
		char *alone[2] = { env[i], NULL };
		bool ok;

		if (!kind[i])
			continue;
		ok = config_parse(&one, alone);
		CHECK(ok == ref_accepts(kind[i], value[i]),
		      "%s: parser %s, reference %s (error '%s')", env[i], ok ? "accepts" : "refuses",
		      ok ? "refuses" : "accepts", one.error);
		if (!ok) {
			/* The message names this setting. */
			size_t nl = strcspn(env[i], "=");

			if (nl >= 64)	/* a long name is cut to 40 bytes and "..." */
				CHECK(strncmp(one.error, env[i], 40) == 0 &&
				      strncmp(one.error + 40, "...:", 4) == 0, "'%s'", one.error);
			else
				CHECK(strncmp(one.error, env[i], nl) == 0 && one.error[nl] == ':',
				      "'%s' for %s", one.error, env[i]);
		}
	}
	return 0;
}
