/*
 * rules.c - migration mode: which sockets convert (sctpize.conf(5)).
 *
 * A rule is one line, "ACTION [CONDITION...]": the action is sctp
 * (convert), tcp (leave alone) or both (a server serves both protocols on
 * one port, a client tries SCTP and falls back to TCP); the conditions are
 * the role (server, client), "addr PREFIX", "port LIST" and "prog GLOB".
 * The first rule whose conditions all hold decides; if none does, the
 * default action.  Rules come from SCTPIZE_RULES first, then from the
 * config file (SCTPIZE_CONFIG, else /etc/sctpize.conf).
 *
 * Parsing fills fixed arrays (nothing is allocated) and reads the file with
 * the core's own system calls (file.c): in the preload library it runs
 * inside the start-up, where a wrapped read() would wait on the start-up
 * itself.  The same code runs in sctpize-helper, so the wrapper refuses
 * exactly what the library would.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

const char *const action_names[] = { "(none)", "sctp", "tcp", "both" };

/* Where a rule came from, for messages: "SCTPIZE_RULES rule 2", "FILE line 3". */
static void origin(const struct config *c, int source, int line, char *buf, size_t size)
{
	if (source == SRC_ENV)
		snprintf(buf, size, "SCTPIZE_RULES rule %d", line);
	else
		snprintf(buf, size, "%s line %d", c->config_file, line);
}

static bool bad(struct config *c, int source, int line, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool bad(struct config *c, int source, int line, const char *text, const char *fmt, ...)
{
	char where[300], why[200];
	va_list ap;

	origin(c, source, line, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->error, sizeof(c->error), "%.200s: '%.80s': %.200s", where, text, why);
	return false;
}

int parse_action(const char *w)
{
	for (int a = ACT_SCTP; a <= ACT_BOTH; a++)
		if (strcmp(w, action_names[a]) == 0)
			return a;
	return ACT_NONE;
}

/* "13", "8000-8100", "13,7,8000-8100" into r's ranges. */
static const char *parse_ports(struct rule *r, const char *v)
{
	char item[16];

	for (const char *p = v;;) {
		size_t n = strcspn(p, ",");
		unsigned lo = 0, hi = 0;
		char *dash, *end;

		if (n == 0 || n >= sizeof(item))
			return "not a port, a range LO-HI or a comma-separated list of them";
		memcpy(item, p, n);
		item[n] = '\0';
		dash = strchr(item, '-');
		if (dash)
			*dash = '\0';
		for (int k = 0; k < (dash ? 2 : 1); k++) {
			const char *s = k ? dash + 1 : item;
			unsigned long x;

			if (*s < '0' || *s > '9')
				return "not a port, a range LO-HI or a comma-separated list of them";
			errno = 0;
			x = strtoul(s, &end, 10);
			if (*end)
				return "not a port, a range LO-HI or a comma-separated list of them";
			if (errno || x < 1 || x > 65535)
				return "port out of range (1-65535)";
			*(k ? &hi : &lo) = (unsigned)x;
		}
		if (!dash)
			hi = lo;
		if (lo > hi)
			return "a range LO-HI needs LO <= HI";
		if (r->n_ports == MAX_RANGES)
			return "more than 16 ports or ranges";
		r->lo[r->n_ports] = (unsigned short)lo;
		r->hi[r->n_ports++] = (unsigned short)hi;
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* "10.0.0.0/8", "::1", "2001:db8::/32" into r's address and prefix length. */
static const char *parse_prefix(struct rule *r, const char *v)
{
	char ip[64];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	int max;

	if (n == 0 || n >= sizeof(ip))
		return "not an IPv4 or IPv6 address or prefix";
	memcpy(ip, v, n);
	ip[n] = '\0';
	if (!parse_ip(ip, &r->addr))
		return "not an IPv4 or IPv6 address or prefix";
	max = r->addr.ss_family == AF_INET ? 32 : 128;
	r->plen = (unsigned char)max;
	if (slash) {
		char *end;
		unsigned long len;

		if (slash[1] < '0' || slash[1] > '9')
			return "the prefix length is not a number";
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (*end)
			return "the prefix length is not a number";
		if (errno || len > (unsigned long)max)
			return max == 32 ? "prefix length out of range (0-32)"
					 : "prefix length out of range (0-128)";
		r->plen = (unsigned char)len;
	}
	r->has_addr = true;
	return NULL;
}

/* One rule (or "default ACTION" where allowed), already stripped of its comment. */
static bool parse_rule(struct config *c, int source, int line, char *text, bool *is_default)
{
	char copy[512], *save, *w;
	struct rule r = { .source = (unsigned char)source, .line = line };
	const char *why;

	*is_default = false;
	snprintf(copy, sizeof(copy), "%s", text);
	w = strtok_r(text, " \t\r", &save);
	if (!w)
		return true;			/* a blank line */
	if (source == SRC_FILE && strcmp(w, "default") == 0) {
		char *a = strtok_r(NULL, " \t\r", &save);

		if (!a || strtok_r(NULL, " \t\r", &save) || parse_action(a) == ACT_NONE)
			return bad(c, source, line, copy, "'default' takes one action: sctp, tcp or both");
		if (c->file_default)
			return bad(c, source, line, copy, "a second 'default' line (the first was line %d)",
				   c->file_default_line);
		c->file_default = parse_action(a);
		c->file_default_line = line;
		*is_default = true;
		return true;
	}
	r.action = (unsigned char)parse_action(w);
	if (r.action == ACT_NONE)
		return bad(c, source, line, copy, "unknown action '%.20s' (expected sctp, tcp or both)", w);
	while ((w = strtok_r(NULL, " \t\r", &save))) {
		char *v = NULL;
		bool twice;

		if (strcmp(w, "server") == 0 || strcmp(w, "client") == 0) {
			if (r.role)
				return bad(c, source, line, copy, "more than one role (server, client)");
			r.role = w[0] == 's' ? ROLE_SERVER : ROLE_CLIENT;
			continue;
		}
		if (strcmp(w, "addr") != 0 && strcmp(w, "port") != 0 && strcmp(w, "prog") != 0)
			return bad(c, source, line, copy, "unknown word '%.20s' (expected server, "
				   "client, addr, port or prog)", w);
		v = strtok_r(NULL, " \t\r", &save);
		if (!v)
			return bad(c, source, line, copy, "'%s' needs a value", w);
		twice = (w[1] == 'd' && r.has_addr) || (w[1] == 'o' && r.n_ports) ||
			(w[1] == 'r' && r.prog[0]);
		if (twice)
			return bad(c, source, line, copy, "'%s' given twice", w);
		if (w[1] == 'd')
			why = parse_prefix(&r, v);
		else if (w[1] == 'o')
			why = parse_ports(&r, v);
		else if (strlen(v) >= sizeof(r.prog))
			why = "program name pattern longer than 63 bytes";
		else {
			strcpy(r.prog, v);
			why = NULL;
		}
		if (why)
			return bad(c, source, line, copy, "%s '%.40s': %s", w, v, why);
	}
	if (c->n_rules == MAX_RULES)
		return bad(c, source, line, copy, "more than %d rules", MAX_RULES);
	c->rules[c->n_rules++] = r;
	return true;
}

/* SCTPIZE_RULES: rules separated by ';' or newlines. */
bool rules_parse_env(struct config *c, const char *v)
{
	char text[512];
	int n = 0, first = c->n_rules;
	bool dflt;

	for (const char *p = v;;) {
		size_t len = strcspn(p, ";\n");

		n++;
		if (len >= sizeof(text))
			return bad(c, SRC_ENV, n, "...", "rule longer than %zu bytes", sizeof(text) - 1);
		memcpy(text, p, len);
		text[len] = '\0';
		/* Messages quote the rule: without the blanks after a ';'. */
		memmove(text, text + strspn(text, " \t"), strlen(text + strspn(text, " \t")) + 1);
		if (!parse_rule(c, SRC_ENV, n, text, &dflt))
			return false;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	/* An empty value (SCTPIZE_RULES="$UNSET") must not silently convert everything. */
	if (c->n_rules == first) {
		snprintf(c->error, sizeof(c->error), "SCTPIZE_RULES: '%.64s%s': no rule in it "
			 "(unset SCTPIZE_RULES for none)", v, strlen(v) > 64 ? "..." : "");
		return false;
	}
	return true;
}

/* One line of the config file: comment stripped, then a rule or the default. */
static bool file_line(struct config *c, int n, char *line, size_t len, bool toolong)
{
	bool dflt;

	line[len] = '\0';
	if (toolong)
		return bad(c, SRC_FILE, n, "...", "line longer than 511 bytes");
	if (strlen(line) != len)
		return bad(c, SRC_FILE, n, "...", "a NUL byte: not a text file");
	line[strcspn(line, "#")] = '\0';
	return parse_rule(c, SRC_FILE, n, line, &dflt);
}

/* The config file, if any: rules and at most one "default" line. */
bool rules_parse_file(struct config *c, const char *path, bool must_exist)
{
	char buf[4096], line[512];
	size_t llen = 0, total = 0;
	int fd, n = 0;
	bool toolong = false, ok = true;
	struct stat st;

	snprintf(c->config_file, sizeof(c->config_file), "%s", path);
	if (strcmp(path, "/dev/null") == 0) {
		c->config_file[0] = '\0';
		return true;
	}
	/* Non-blocking: a FIFO given by mistake must not hang the program's start. */
	fd = core_open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (!must_exist && errno == ENOENT) {
			c->config_file[0] = '\0';
			return true;
		}
		snprintf(c->error, sizeof(c->error), "SCTPIZE_CONFIG: cannot open '%.200s': %s",
			 path, strerror(errno));
		return false;
	}
	if (core_fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		core_close(fd);
		snprintf(c->error, sizeof(c->error), "SCTPIZE_CONFIG: '%.200s' is not a regular file",
			 path);
		return false;
	}
	while (ok) {
		long got = core_read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(c->error, sizeof(c->error), "SCTPIZE_CONFIG: cannot read '%.200s': %s",
				 path, strerror(errno));
			ok = false;
			break;
		}
		if (got == 0) {			/* a last line without its newline */
			if (llen || toolong)
				ok = file_line(c, ++n, line, llen, toolong);
			break;
		}
		total += (size_t)got;
		if (total > (1u << 20)) {
			ok = bad(c, SRC_FILE, n + 1, "...", "file larger than 1 MiB");
			break;
		}
		for (long i = 0; i < got && ok; i++) {
			if (buf[i] != '\n') {
				if (llen < sizeof(line) - 1)
					line[llen++] = buf[i];
				else
					toolong = true;
				continue;
			}
			ok = file_line(c, ++n, line, llen, toolong);
			llen = 0;
			toolong = false;
		}
	}
	core_close(fd);
	return ok;
}

/* The default when none was given: rules that convert list what converts. */
void rules_finish(struct config *c)
{
	if (c->default_action)
		return;
	if (c->file_default) {
		c->default_action = c->file_default;
		c->default_from = DEFAULT_FILE;
		return;
	}
	c->default_action = ACT_SCTP;
	c->default_from = DEFAULT_NO_CONVERT_RULE;
	for (int i = 0; i < c->n_rules; i++)
		if (c->rules[i].action != ACT_TCP) {
			c->default_action = ACT_TCP;
			c->default_from = DEFAULT_CONVERT_RULES;
		}
}

/* The IP of sa as an IPv4 address when it is one (also IPv4-mapped IPv6). */
static int canonical(const struct sockaddr *sa, const unsigned char **bytes)
{
	if (sa->sa_family == AF_INET) {
		*bytes = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		return AF_INET;
	}
	const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

	if (IN6_IS_ADDR_V4MAPPED(a)) {
		*bytes = a->s6_addr + 12;
		return AF_INET;
	}
	*bytes = a->s6_addr;
	return AF_INET6;
}

static bool in_prefix(const struct rule *r, const struct sockaddr *sa)
{
	const unsigned char *want, *have;
	int fam = canonical((const struct sockaddr *)&r->addr, &want);
	unsigned bits = r->plen;

	if (canonical(sa, &have) != fam)
		return false;
	if (memcmp(want, have, bits / 8) != 0)
		return false;
	return bits % 8 == 0 ||
	       ((want[bits / 8] ^ have[bits / 8]) & (0xff00 >> (bits % 8)) & 0xff) == 0;
}

static bool matches(const struct rule *r, const char *prog, int role,
		    const struct sockaddr *sa)
{
	if (r->prog[0] && (!prog || fnmatch(r->prog, prog, 0) != 0))
		return false;
	if (r->role && r->role != role)
		return false;
	if (r->has_addr && !in_prefix(r, sa))
		return false;
	if (r->n_ports) {
		unsigned port = ntohs(get_port(sa));
		bool in = false;

		for (int i = 0; i < r->n_ports && !in; i++)
			in = port >= r->lo[i] && port <= r->hi[i];
		if (!in)
			return false;
	}
	return true;
}

int rule_decide(const struct config *c, const char *prog, int role, const struct sockaddr *sa,
		int *which)
{
	for (int i = 0; i < c->n_rules; i++)
		if (matches(&c->rules[i], prog, role, sa)) {
			*which = i;
			return c->rules[i].action;
		}
	*which = -1;
	return c->default_action;
}

int rules_fixed(const struct config *c, const char *prog)
{
	int a = c->default_action;

	for (int i = 0; i < c->n_rules; i++) {
		const struct rule *r = &c->rules[i];

		if (r->prog[0] && (!prog || fnmatch(r->prog, prog, 0) != 0))
			continue;
		if (r->role || r->has_addr || r->n_ports)
			return ACT_NONE;		/* known at listen() or connect() only */
		a = r->action;
		break;
	}
	return a == ACT_BOTH ? ACT_NONE : a;
}

/* A rule as text, for messages and sctpize explain. */
void rule_format(const struct config *c, int i, char *buf, size_t size)
{
	const struct rule *r = &c->rules[i];
	char ip[64] = "";
	size_t n;

	n = (size_t)snprintf(buf, size, "%s", action_names[r->action]);
	if (r->role && n < size)
		n += (size_t)snprintf(buf + n, size - n, " %s",
				      r->role == ROLE_SERVER ? "server" : "client");
	if (r->has_addr && n < size) {
		const void *a = r->addr.ss_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)&r->addr)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)&r->addr)->sin6_addr;

		inet_ntop(r->addr.ss_family, a, ip, sizeof(ip));
		n += (size_t)snprintf(buf + n, size - n, " addr %s/%u", ip, r->plen);
	}
	for (int k = 0; k < r->n_ports && n < size; k++) {
		n += (size_t)snprintf(buf + n, size - n, "%s%u", k ? "," : " port ", r->lo[k]);
		if (r->hi[k] != r->lo[k] && n < size)
			n += (size_t)snprintf(buf + n, size - n, "-%u", r->hi[k]);
	}
	if (r->prog[0] && n < size)
		snprintf(buf + n, size - n, " prog %s", r->prog);
}

void rule_origin(const struct config *c, int i, char *buf, size_t size)
{
	origin(c, c->rules[i].source, c->rules[i].line, buf, size);
}
