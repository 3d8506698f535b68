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
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sctpize.h"

#define PREFIX "SCTPIZE_"

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

/* A whole decimal number in [min, max]; no sign, no spaces, no suffix. */
static bool parse_uint(const char *s, int min, int max, int *out)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

bool parse_ip(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/* Only addresses that can be a local end of an association may be added. */
static bool is_unicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		in_addr_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);

		return a != INADDR_ANY && a != INADDR_BROADCAST && !IN_MULTICAST(a);
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

	return !IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_MULTICAST(a6);
}

static bool parse_addrs(struct config *c, const char *name, const char *v)
{
	char one[INET6_ADDRSTRLEN + 1];
	const char *p = v;

	if (*v == '\0')
		return fail(c, "%s: empty; expected a comma-separated list of IP addresses", name);
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(one))
			return fail(c, "%s: '%s': expected a comma-separated list of IP addresses",
				    name, v);
		memcpy(one, p, n);
		one[n] = '\0';
		if (c->n_bind_addrs == MAX_BIND_ADDRS)
			return fail(c, "%s: '%s': more than %d addresses", name, v, MAX_BIND_ADDRS);
		struct sockaddr_storage *ss = &c->bind_addrs[c->n_bind_addrs];

		if (!parse_ip(one, ss))
			return fail(c, "%s: '%s' is not an IPv4 or IPv6 address", name, one);
		if (!is_unicast(ss))
			return fail(c, "%s: '%s' is not a unicast address", name, one);
		c->n_bind_addrs++;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

static bool parse_bool(struct config *c, const char *name, const char *v, bool *out)
{
	int n;

	if (!parse_uint(v, 0, 1, &n))
		return fail(c, "%s: '%s' is not 0 or 1", name, v);
	*out = n;
	return true;
}

static bool parse_log(struct config *c, const char *name, const char *v)
{
	if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0 && v[0] != '/')
		return fail(c, "%s: '%s' is not stderr, syslog or an absolute file name",
			    name, v);
	if (strlen(v) >= sizeof(c->log))
		return fail(c, "%s: file name longer than %zu bytes", name, sizeof(c->log) - 1);
	strcpy(c->log, v);
	return true;
}

/* One setting: its name without the prefix, and how to read it. */
static bool parse_one(struct config *c, const char *name, const char *v)
{
	const char *key = name + strlen(PREFIX);

	if (strcmp(key, "VERBOSE") == 0) {
		if (!parse_uint(v, 0, 2, &c->verbose))
			return fail(c, "%s: '%s' is not 0, 1 or 2", name, v);
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
		return parse_addrs(c, name, v);
	return fail(c, "%s: unknown setting (see libsctpize(7))", name);
}

bool config_parse(struct config *c, char **envp)
{
	char name[64];

	memset(c, 0, sizeof(*c));
	strcpy(c->log, "stderr");
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
		if (!parse_one(c, name, eq + 1))
			return false;
	}
	if (c->bind_all && c->n_bind_addrs)
		return fail(c, "SCTPIZE_BIND_ADDRS: cannot be combined with SCTPIZE_BIND_ALL=1, "
			       "which already binds every address");
	return true;
}
