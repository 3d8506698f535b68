/*
 * config.c - the SCTPIZE_* environment, parsed once into struct config.
 *
 * The wrapper sctpize(1) only turns its options into these variables, so the
 * library works the same under a bare LD_PRELOAD.  The same parser runs in
 * sctpize-helper before the program starts, so a bad value is refused there
 * with a message and the program never runs with a meaning nobody asked for.
 *
 * Parsing is strict: a value is accepted whole or the setting is an error,
 * an unknown SCTPIZE_ name is an error (a typo must not be silently lost),
 * and nothing is allocated.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define PREFIX "SCTPIZE_"

/* A value quoted in a message: at most its first 64 bytes, so the reason after it fits. */
#define CLIP(v) 64, (v), strlen(v) > 64 ? "..." : ""

static bool fail(struct config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct config *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return false;
}

/* A whole decimal number in [min, max]: plain decimal digits, no sign, no
 * spaces, no suffix (libsctpize(7), ENVIRONMENT), leading zeros allowed, as
 * many as given.  A value with more than ten digits after them is out of
 * range (every bound, up to 1073741824, has at most ten), so the sum cannot
 * overflow. */
static bool parse_uint(const char *s, int min, int max, int *out)
{
	long long v = 0;
	int digits = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v == 0 && *s == '0')
			continue;
		if (++digits > 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_addrs(struct config *c, const char *name, const char *v,
			struct addr_list *list)
{
	char one[INET6_ADDRSTRLEN + 1];
	const char *p = v;

	if (*v == '\0')
		return fail(c, "%s: empty; expected a comma-separated list of IP addresses", name);
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(one))
			return fail(c, "%s: '%.*s%s': expected a comma-separated list of IP addresses",
				    name, CLIP(v));
		memcpy(one, p, n);
		one[n] = '\0';
		if (list->n == MAX_ADDRS)
			return fail(c, "%s: '%.*s%s': more than %d addresses", name, CLIP(v), MAX_ADDRS);
		struct sockaddr_storage *ss = &list->a[list->n];

		if (!parse_ip(one, ss))
			return fail(c, "%s: '%s' is not an IPv4 or IPv6 address", name, one);
		if (!is_unicast(ss))
			return fail(c, "%s: '%s' is not a unicast address", name, one);
		list->n++;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

/* Interface names: what the kernel accepts (dev_valid_name), comma-separated. */
static bool parse_ifaces(struct config *c, const char *name, const char *v)
{
	const char *p = v;

	if (*v == '\0')
		return fail(c, "%s: empty; expected a comma-separated list of interface names", name);
	for (;;) {
		size_t n = strcspn(p, ",");
		char *dst = c->bind_ifaces[c->n_bind_ifaces];

		if (c->n_bind_ifaces == MAX_IFACES)
			return fail(c, "%s: '%.*s%s': more than %d interfaces", name, CLIP(v), MAX_IFACES);
		if (n == 0 || n >= IF_NAMESIZE)
			return fail(c, "%s: '%.*s%s': an interface name has 1 to %d characters", name, CLIP(v),
				    IF_NAMESIZE - 1);
		memcpy(dst, p, n);
		dst[n] = '\0';
		if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0 || strpbrk(dst, "/: \t\n"))
			return fail(c, "%s: '%s' is not an interface name", name, dst);
		c->n_bind_ifaces++;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

/* A number of milliseconds or a count, in [min, max]. */
static bool parse_num(struct config *c, const char *name, const char *v, int min, int max,
		      unsigned *out)
{
	int n;

	if (!parse_uint(v, min, max, &n))
		return fail(c, "%s: '%.*s%s' is not a whole number from %d to %d", name, CLIP(v), min, max);
	*out = (unsigned)n;
	return true;
}

/* Likewise, or 0: the kernel's own default. */
static bool parse_zero_or(struct config *c, const char *name, const char *v, int min, int max,
			  unsigned *out)
{
	int n;

	if (!parse_uint(v, 0, max, &n) || (n != 0 && n < min))
		return fail(c, "%s: '%.*s%s' is not 0 (the kernel's default) or a whole number "
			       "from %d to %d", name, CLIP(v), min, max);
	*out = (unsigned)n;
	return true;
}

static bool parse_bool(struct config *c, const char *name, const char *v, bool *out)
{
	int n;

	if (!parse_uint(v, 0, 1, &n))
		return fail(c, "%s: '%.*s%s' is not 0 or 1", name, CLIP(v));
	*out = n;
	return true;
}

/*
 * A log file's directory is writable by everyone (/tmp, /var/tmp, /dev/shm):
 * another user may have put a symbolic link, a FIFO, a hard link or a file
 * of their own under the name.  There no log file is created, and an
 * existing one is used only if it is a regular file of our own with one link.
 */
bool log_dir_shared(const char *path)
{
	char dir[sizeof(((struct config *)0)->log)];
	const char *slash = strrchr(path, '/');
	size_t n = !slash || slash == path ? 1 : (size_t)(slash - path);
	struct stat st;

	if (n >= sizeof(dir))
		return true;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return stat(dir, &st) == 0 && (st.st_mode & S_IWOTH);
}

bool log_file_ours(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() && st->st_nlink == 1;
}

static bool parse_log(struct config *c, const char *name, const char *v)
{
	struct stat st;

	if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0 && v[0] != '/')
		return fail(c, "%s: '%.*s%s' is not stderr, syslog or an absolute file name",
			    name, CLIP(v));
	if (strlen(v) >= sizeof(c->log))
		return fail(c, "%s: file name longer than %zu bytes", name, sizeof(c->log) - 1);
	if (v[0] == '/' && log_dir_shared(v)) {
		if (lstat(v, &st) != 0)
			return fail(c, "%s: '%s': its directory is writable by everyone, so no log "
				       "file is created there (create it first, or use another "
				       "directory)", name, v);
		if (!log_file_ours(&st))
			return fail(c, "%s: '%s': its directory is writable by everyone, and it is "
				       "not a regular file of this user's with one link", name, v);
	}
	strcpy(c->log, v);
	return true;
}

/* One setting: its name without the prefix, and how to read it. */
static bool parse_one(struct config *c, const char *name, const char *v, bool *failover_fast)
{
	const char *key = name + strlen(PREFIX);

	if (strcmp(key, "VERBOSE") == 0) {
		if (!parse_uint(v, 0, 2, &c->verbose))
			return fail(c, "%s: '%.*s%s' is not 0, 1 or 2", name, CLIP(v));
		return true;
	}
	if (strcmp(key, "LOG") == 0)
		return parse_log(c, name, v);
	if (strcmp(key, "NODELAY") == 0)
		return parse_bool(c, name, v, &c->nodelay);
	if (strcmp(key, "BIND_ALL") == 0)
		return parse_bool(c, name, v, &c->bind_all);
	if (strcmp(key, "BIND_LOOPBACK") == 0)
		return parse_bool(c, name, v, &c->bind_loopback);
	if (strcmp(key, "BIND_ADDRS") == 0)
		return parse_addrs(c, name, v, &c->bind_addrs);
	if (strcmp(key, "BIND_IFACES") == 0)
		return parse_ifaces(c, name, v);
	if (strcmp(key, "PEER_ADDRS") == 0)
		return parse_addrs(c, name, v, &c->peer_addrs);
	if (strcmp(key, "PEER_RESOLVED") == 0)
		return parse_bool(c, name, v, &c->peer_resolved);
	if (strcmp(key, "HB_INTERVAL") == 0)
		return parse_num(c, name, v, 1, 86400000, &c->hb_interval);
	if (strcmp(key, "RTO_MIN") == 0)
		return parse_num(c, name, v, 1, 86400000, &c->rto_min);
	if (strcmp(key, "RTO_MAX") == 0)
		return parse_num(c, name, v, 1, 86400000, &c->rto_max);
	if (strcmp(key, "RTO_INITIAL") == 0)
		return parse_num(c, name, v, 1, 86400000, &c->rto_initial);
	if (strcmp(key, "PATH_MAX_RETRANS") == 0)
		return parse_num(c, name, v, 1, 65535, &c->path_max_retrans);
	if (strcmp(key, "MAX_RETRANS") == 0)
		return parse_num(c, name, v, 1, 65535, &c->max_retrans);
	if (strcmp(key, "STREAMS") == 0)
		return parse_num(c, name, v, 1, 65535, &c->streams);
	if (strcmp(key, "SNDBUF") == 0)
		return parse_zero_or(c, name, v, 1024, 1 << 30, &c->sndbuf);
	if (strcmp(key, "RCVBUF") == 0)
		return parse_zero_or(c, name, v, 1024, 1 << 30, &c->rcvbuf);
	if (strcmp(key, "SACK_DELAY") == 0)
		return parse_zero_or(c, name, v, 1, 500, &c->sack_delay);
	if (strcmp(key, "CONNECT_TIMEOUT") == 0)
		return parse_zero_or(c, name, v, 1, 86400, &c->connect_timeout);
	if (strcmp(key, "HALF_CLOSE") == 0)
		return parse_bool(c, name, v, &c->half_close);
	if (strcmp(key, "RULES") == 0 || strcmp(key, "CONFIG") == 0)
		return true;		/* read after the others: config_parse() */
	if (strcmp(key, "DEFAULT") == 0) {
		c->default_action = parse_action(v);
		c->default_from = DEFAULT_ENV;
		if (!c->default_action)
			return fail(c, "%s: '%.*s%s' is not sctp, tcp or both", name, CLIP(v));
		return true;
	}
	if (strcmp(key, "STATS") == 0) {
		if (strcmp(v, "USR1") == 0 || strcmp(v, "SIGUSR1") == 0)
			c->stats_signal = SIGUSR1;
		else if (strcmp(v, "USR2") == 0 || strcmp(v, "SIGUSR2") == 0)
			c->stats_signal = SIGUSR2;
		else if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return fail(c, "%s: '%.*s%s' is not 0, 1, USR1 or USR2", name, CLIP(v));
		c->stats = strcmp(v, "0") != 0;
		return true;
	}
	if (strcmp(key, "FALLBACK") == 0)
		return parse_bool(c, name, v, &c->fallback);
	if (strcmp(key, "FALLBACK_TIMEOUT") == 0)
		return parse_num(c, name, v, 100, 60000, &c->fallback_timeout);
	if (strcmp(key, "FAILOVER") == 0) {
		if (strcmp(v, "fast") == 0)
			*failover_fast = true;
		else if (strcmp(v, "default") != 0)
			return fail(c, "%s: '%.*s%s' is not fast or default", name, CLIP(v));
		return true;
	}
	return fail(c, "%s: unknown setting (see libsctpize(7))", name);
}

/* Settings that are each fine but wrong together. */
static bool check_together(struct config *c, bool failover_fast)
{
	if (c->bind_all && (c->bind_addrs.n || c->n_bind_ifaces))
		return fail(c, "SCTPIZE_BIND_%s: cannot be combined with SCTPIZE_BIND_ALL=1, "
			       "which already binds every address",
			    c->bind_addrs.n ? "ADDRS" : "IFACES");
	if (c->rto_min && c->rto_max && c->rto_min > c->rto_max)
		return fail(c, "SCTPIZE_RTO_MIN: %u is more than SCTPIZE_RTO_MAX (%u%s)",
			    c->rto_min, c->rto_max, failover_fast ? ", from SCTPIZE_FAILOVER=fast" : "");
	if (c->rto_initial && ((c->rto_min && c->rto_initial < c->rto_min) ||
			       (c->rto_max && c->rto_initial > c->rto_max)))
		return fail(c, "SCTPIZE_RTO_INITIAL: %u is outside SCTPIZE_RTO_MIN..SCTPIZE_RTO_MAX "
			       "(%u..%u%s)", c->rto_initial, c->rto_min, c->rto_max,
			    failover_fast ? ", from SCTPIZE_FAILOVER=fast" : "");
	return true;
}

/*
 * SCTPIZE_FAILOVER=fast: detect a dead path in about a second instead of
 * tens of seconds.  Each knob the user set explicitly wins over the preset.
 */
static void preset_fast(struct config *c)
{
	c->rto_min = c->rto_min ? c->rto_min : 100;
	c->rto_initial = c->rto_initial ? c->rto_initial : 300;
	c->rto_max = c->rto_max ? c->rto_max : 1000;
	c->hb_interval = c->hb_interval ? c->hb_interval : 1000;
	c->path_max_retrans = c->path_max_retrans ? c->path_max_retrans : 1;
}

/*
 * SCTPIZE_CONNECT_TIMEOUT: an INIT is resent after rto_initial, then after
 * twice as long each time up to a cap, and the connect fails after the last
 * wait.  Find the number of waits, and the cap, whose sum is the timeout.
 */
static unsigned init_total(unsigned first, unsigned cap, unsigned waits)
{
	unsigned long long sum = first, t = first;	/* the first wait is never capped */

	for (unsigned i = 1; i < waits; i++) {
		t = t * 2 < cap ? t * 2 : cap;
		sum += t;
	}
	return sum > 0xffffffffu ? 0xffffffffu : (unsigned)sum;
}

static void init_schedule(struct config *c)
{
	unsigned goal = c->connect_timeout * 1000;
	unsigned first = c->rto_initial ? c->rto_initial : 3000;	/* the kernel's */
	unsigned cap = 60000, lo, hi, waits = 1;	/* the kernel's max_init_timeo */

	if (!c->connect_timeout)
		return;
	while (init_total(first, cap, waits) < goal && waits < 65535)
		waits++;
	/* The smallest cap that still reaches the goal. */
	for (lo = 1, hi = cap; lo < hi;) {
		unsigned mid = lo + (hi - lo) / 2;

		if (init_total(first, mid, waits) >= goal)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* The kernel sends the INIT again max_attempts times: one wait more. */
	c->init_attempts = waits > 1 ? waits - 1 : 1;
	c->init_max_timeo = lo;
}

/* Rules: SCTPIZE_RULES first, then the config file; first match wins. */
static bool parse_rules(struct config *c, const char *rules, const char *file)
{
	if (rules && !rules_parse_env(c, rules))
		return false;
	if (file && !file[0])
		return fail(c, "SCTPIZE_CONFIG: empty (a file name, or /dev/null for none)");
	/* Relative, it would name another file in a process that changed directory. */
	if (file && file[0] != '/')
		return fail(c, "SCTPIZE_CONFIG: '%.*s%s' is not an absolute file name", CLIP(file));
	if (!rules_parse_file(c, file ? file : SYSTEM_CONFIG, file != NULL))
		return false;
	rules_finish(c);
	return true;
}

/*
 * A message quotes the user's values: their control characters (a newline
 * would forge a second line, an escape sequence would drive the terminal)
 * are shown as \xNN, so that a message is always one line of text.
 */
static void escape_controls(char *s, size_t size)
{
	char out[sizeof(((struct config *)0)->error)];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < sizeof(out); p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
	snprintf(s, size, "%s", out);
}

static bool parse_all(struct config *c, char **envp);

bool config_parse(struct config *c, char **envp)
{
	if (parse_all(c, envp))
		return true;
	escape_controls(c->error, sizeof(c->error));
	return false;
}

static bool parse_all(struct config *c, char **envp)
{
	char name[64];
	const char *rules = NULL, *file = NULL;
	bool failover_fast = false;

	memset(c, 0, sizeof(*c));
	strcpy(c->log, "stderr");
	c->peer_resolved = true;
	/* TCP's behaviour, by default (libsctpize(7), "TCP-like defaults"). */
	c->sndbuf = c->rcvbuf = 4 << 20;
	c->sack_delay = 40;
	c->connect_timeout = 127;
	c->half_close = false;
	c->fallback_timeout = 1000;
	for (; envp && *envp; envp++) {
		const char *eq = strchr(*envp, '=');

		if (strncmp(*envp, PREFIX, strlen(PREFIX)) != 0 || !eq)
			continue;
		if ((size_t)(eq - *envp) >= sizeof(name)) {
			snprintf(name, sizeof(name), "%.40s...", *envp);
			return fail(c, "%s: unknown setting (see libsctpize(7))", name);
		}
		memcpy(name, *envp, eq - *envp);
		name[eq - *envp] = '\0';
		if (!parse_one(c, name, eq + 1, &failover_fast))
			return false;
		if (strcmp(name, PREFIX "RULES") == 0)
			rules = eq + 1;
		else if (strcmp(name, PREFIX "CONFIG") == 0)
			file = eq + 1;
	}
	/* No environment (AT_SECURE): no config file either; everything converts. */
	if (envp && !parse_rules(c, rules, file))
		return false;
	if (!c->default_action) {
		c->default_action = ACT_SCTP;
		c->default_from = DEFAULT_NO_CONVERT_RULE;
	}
	if (failover_fast)
		preset_fast(c);
	if (!check_together(c, failover_fast))
		return false;
	init_schedule(c);
	return true;
}
