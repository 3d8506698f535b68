/*
 * options.c - the option table of sctpize(1), and everything printed from it.
 *
 * Each option is one row of opts[] below: its names, the SCTPIZE_* variable
 * it sets, its value's name and completion words, its line of --help.  The
 * parser (parse_options), the usage text (usage) and the bash completion's
 * lists (print_completion, which "make" puts into the installed completion)
 * all read this table; a new option is one new row here, plus its sentence
 * in sctpize(1) and README.md (tests/unit/options.bats compares the four).
 * The library's own parser (shim/core/config.c) still decides whether a value is
 * good: options only set variables, which validate() then checks.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

/* What an option does with the command line. */
enum arg {
	ARG_NONE,	/* a flag: --nodelay (--nodelay=1 is an unknown option) */
	ARG_VALUE,	/* --log WHERE or --log=WHERE */
	ARG_EQ,		/* --stats alone, or --stats=SIGNAL: the value only after '=' */
};

/* What an option does besides setting its variable to its value. */
enum act {
	SET,		/* var = the value, or flag_value for a flag */
	VERBOSE,	/* one more -v (var: up to 2) */
	VERBOSE2,	/* -vv */
	CONFIG,		/* a file: made absolute, against the current directory */
	PORTS,		/* migration mode's rules, built once all are read */
	EXCEPT_PORTS,
	SERVER_ONLY,
	CLIENT_ONLY,
	BOTH,
	RULE,
	ROOT,		/* enable, disable: the system image to act on */
	HELP,
	SHOW_VERSION,
};

/* How the completion offers an option's value, besides its words. */
enum comp { COMP_NONE, COMP_FILE, COMP_ABSFILE, COMP_DIR, COMP_IFACES };

#define F_HIDDEN 1	/* not in --help or the completion (-vv) */
#define F_EXPLAIN 2	/* explain offers it (it decides the rules in effect) */
#define F_ENABLE 4	/* enable's and disable's only (--root) */

struct opt {
	const char *shortname;	/* "-v", or NULL */
	const char *name;	/* "--verbose", or NULL */
	enum arg arg;
	enum act act;
	const char *var;	/* the SCTPIZE_* variable it sets, or NULL */
	const char *flag_value;	/* what a flag sets var to */
	const char *metavar;	/* its value in --help: "MS" */
	enum comp comp;
	const char *words;	/* the completion's words for its value */
	int flags;
	const char *section;	/* a heading that --help prints before it */
	const char *help;	/* its lines in --help; NULL: the next row's */
};

static const struct opt opts[] = {
	{"-v", "--verbose", ARG_NONE, VERBOSE, "SCTPIZE_VERBOSE", NULL, NULL, COMP_NONE, NULL, 0,
	 "Options:",
	 "log each decision to stderr (twice: also sockets of\n"
	 "other families, which are never converted)"},
	{"-vv", NULL, ARG_NONE, VERBOSE2, "SCTPIZE_VERBOSE", NULL, NULL, COMP_NONE, NULL, F_HIDDEN,
	 NULL, NULL},
	{NULL, "--log", ARG_VALUE, SET, "SCTPIZE_LOG", NULL, "WHERE", COMP_ABSFILE, "stderr syslog", 0,
	 NULL,
	 "where log lines go: stderr (default), syslog, or\n"
	 "an absolute file name"},
	{NULL, "--nodelay", ARG_NONE, SET, "SCTPIZE_NODELAY", "1", NULL, COMP_NONE, NULL, 0,
	 NULL, "set SCTP_NODELAY on every converted socket"},
	{NULL, "--bind-all", ARG_NONE, SET, "SCTPIZE_BIND_ALL", "1", NULL, COMP_NONE, NULL, 0,
	 NULL,
	 "widen a bind to one address into a bind to all\n"
	 "local addresses of the family (multihoming)"},
	{NULL, "--bind-addrs", ARG_VALUE, SET, "SCTPIZE_BIND_ADDRS", NULL, "A,B", COMP_NONE, NULL, 0,
	 NULL, "after the program's bind, add these addresses"},
	{NULL, "--bind-ifaces", ARG_VALUE, SET, "SCTPIZE_BIND_IFACES", NULL, "I,J", COMP_IFACES, NULL, 0,
	 NULL,
	 "after the program's bind, add the addresses these\n"
	 "interfaces have at that moment"},
	{NULL, "--bind-loopback", ARG_NONE, SET, "SCTPIZE_BIND_LOOPBACK", "1", NULL, COMP_NONE, NULL, 0,
	 NULL, "let the --bind-* options widen loopback binds too"},
	{NULL, "--peer-addrs", ARG_VALUE, SET, "SCTPIZE_PEER_ADDRS", NULL, "A,B", COMP_NONE, NULL, 0,
	 NULL,
	 "a connect to one of these offers all of them\n"
	 "(sctp_connectx), so a dead first address is survived"},
	{NULL, "--no-peer-resolved", ARG_NONE, SET, "SCTPIZE_PEER_RESOLVED", "0", NULL, COMP_NONE, NULL, 0,
	 NULL, "do not offer every address a peer's name resolved to"},

	{NULL, "--failover", ARG_VALUE, SET, "SCTPIZE_FAILOVER", NULL, "fast", COMP_NONE, "fast default", 0,
	 "SCTP tuning, for every converted and accepted socket (default: the kernel's):",
	 "detect a dead path in about a second: rto-min 100,\n"
	 "rto-initial 300, rto-max 1000, hb-interval 1000,\n"
	 "path-max-retrans 1 (options given explicitly win)"},
	{NULL, "--hb-interval", ARG_VALUE, SET, "SCTPIZE_HB_INTERVAL", NULL, "MS", COMP_NONE, NULL, 0,
	 NULL, "heartbeat interval of each path"},
	{NULL, "--rto-min", ARG_VALUE, SET, "SCTPIZE_RTO_MIN", NULL, "MS", COMP_NONE, NULL, 0,
	 NULL, NULL},
	{NULL, "--rto-max", ARG_VALUE, SET, "SCTPIZE_RTO_MAX", NULL, "MS", COMP_NONE, NULL, 0,
	 NULL, NULL},
	{NULL, "--rto-initial", ARG_VALUE, SET, "SCTPIZE_RTO_INITIAL", NULL, "MS", COMP_NONE, NULL, 0,
	 NULL, "retransmission timeout bounds and start value"},
	{NULL, "--path-max-retrans", ARG_VALUE, SET, "SCTPIZE_PATH_MAX_RETRANS", NULL, "N", COMP_NONE,
	 NULL, 0, NULL, "retransmissions before a path is declared dead"},
	{NULL, "--max-retrans", ARG_VALUE, SET, "SCTPIZE_MAX_RETRANS", NULL, "N", COMP_NONE, NULL, 0,
	 NULL, "retransmissions before the association is dropped"},
	{NULL, "--streams", ARG_VALUE, SET, "SCTPIZE_STREAMS", NULL, "N", COMP_NONE, NULL, 0,
	 NULL, "outbound streams asked for, inbound streams allowed"},

	{NULL, "--sndbuf", ARG_VALUE, SET, "SCTPIZE_SNDBUF", NULL, "BYTES", COMP_NONE, NULL, 0,
	 "TCP-like defaults, for every converted socket (0: the kernel's own instead):", NULL},
	{NULL, "--rcvbuf", ARG_VALUE, SET, "SCTPIZE_RCVBUF", NULL, "BYTES", COMP_NONE, NULL, 0,
	 NULL,
	 "send and receive buffers (default 4194304, as TCP's\n"
	 "grow to; without CAP_NET_ADMIN capped by\n"
	 "net.core.wmem_max and rmem_max)"},
	{NULL, "--sack-delay", ARG_VALUE, SET, "SCTPIZE_SACK_DELAY", NULL, "MS", COMP_NONE, NULL, 0,
	 NULL, "delayed acknowledgement (default 40, as TCP's)"},
	{NULL, "--connect-timeout", ARG_VALUE, SET, "SCTPIZE_CONNECT_TIMEOUT", NULL, "S", COMP_NONE,
	 NULL, 0, NULL,
	 "give up a connect after S seconds (default 127, as\n"
	 "TCP's)"},

	{NULL, "--half-close", ARG_NONE, SET, "SCTPIZE_HALF_CLOSE", "1", NULL, COMP_NONE, NULL, 0,
	 "TCP's half-close (off by default: shutdown(SHUT_WR) is SCTP's own shutdown):",
	 "negotiate TCP's half-close with peers that run\n"
	 "sctpize --half-close too (programs that read their\n"
	 "sockets through libc's socket calls only: see\n"
	 "libsctpize(7))"},
	{NULL, "--no-half-close", ARG_NONE, SET, "SCTPIZE_HALF_CLOSE", "0", NULL, COMP_NONE, NULL, 0,
	 NULL, "do not negotiate it (the default)"},

	{NULL, "--ports", ARG_VALUE, PORTS, "SCTPIZE_RULES", NULL, "LIST", COMP_NONE, NULL, F_EXPLAIN,
	 "Migration mode: which sockets convert (rules: sctpize.conf(5)):",
	 "convert only sockets on these ports (13,7,8000-8100);\n"
	 "others stay TCP"},
	{NULL, "--except-ports", ARG_VALUE, EXCEPT_PORTS, "SCTPIZE_RULES", NULL, "LIST", COMP_NONE, NULL,
	 F_EXPLAIN, NULL, "never convert sockets on these ports"},
	{NULL, "--server-only", ARG_NONE, SERVER_ONLY, "SCTPIZE_RULES", NULL, NULL, COMP_NONE, NULL,
	 F_EXPLAIN, NULL, "convert listening sockets only"},
	{NULL, "--client-only", ARG_NONE, CLIENT_ONLY, "SCTPIZE_RULES", NULL, NULL, COMP_NONE, NULL,
	 F_EXPLAIN, NULL, "convert connecting sockets only"},
	{NULL, "--both", ARG_NONE, BOTH, "SCTPIZE_RULES", NULL, NULL, COMP_NONE, NULL, F_EXPLAIN,
	 NULL,
	 "what converts speaks both: a server serves TCP and SCTP\n"
	 "clients on one port, a client tries SCTP, then TCP"},
	{NULL, "--rule", ARG_VALUE, RULE, "SCTPIZE_RULES", NULL, "'RULE'", COMP_NONE, NULL, F_EXPLAIN,
	 NULL,
	 "add a rule: ACTION [server|client] [addr PREFIX]\n"
	 "[port LIST] [prog GLOB]; ACTION sctp, tcp or both"},
	{NULL, "--default", ARG_VALUE, SET, "SCTPIZE_DEFAULT", NULL, "ACTION", COMP_NONE,
	 "sctp tcp both", F_EXPLAIN, NULL, "what happens to a socket no rule matches"},
	{NULL, "--config", ARG_VALUE, CONFIG, "SCTPIZE_CONFIG", NULL, "FILE", COMP_FILE, NULL, F_EXPLAIN,
	 NULL, "read the rules from FILE, not /etc/sctpize.conf"},
	{NULL, "--fallback", ARG_NONE, SET, "SCTPIZE_FALLBACK", "1", NULL, COMP_NONE, NULL, 0,
	 NULL,
	 "run the program on TCP when the kernel has no SCTP,\n"
	 "instead of refusing"},
	{NULL, "--fallback-timeout", ARG_VALUE, SET, "SCTPIZE_FALLBACK_TIMEOUT", NULL, "MS", COMP_NONE,
	 NULL, 0, NULL,
	 "how long a --both client's SCTP attempt may take when\n"
	 "the peer does not answer (default 1000)"},

	{NULL, "--stats", ARG_EQ, SET, "SCTPIZE_STATS", "1", "SIGNAL", COMP_NONE, "USR1 USR2", 0,
	 "Diagnosis:",
	 "log one line of what the library did in the process\n"
	 "at its exit (sockets converted, left TCP, fallbacks,\n"
	 "options mapped, writes split...); with USR1 or USR2,\n"
	 "also each time the process gets that signal"},
	{"-h", "--help", ARG_NONE, HELP, NULL, NULL, NULL, COMP_NONE, NULL, 0, NULL, "this text"},
	{"-V", "--version", ARG_NONE, SHOW_VERSION, NULL, NULL, NULL, COMP_NONE, NULL, 0, NULL,
	 "the version"},

	{NULL, "--root", ARG_VALUE, ROOT, NULL, NULL, "DIR", COMP_DIR, NULL, F_ENABLE, NULL,
	 "(enable, disable) act on the system image in DIR"},
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

/* The subcommands: only the first word can be one ("sctpize -- check" runs a program). */
static const struct sub {
	const char *name;
	const char *synopsis;	/* after "sctpize " in the usage lines, or NULL */
	const char *left;	/* its entry in the list, or NULL: not listed */
	const char *help;
} subs[] = {
	{"check", "check", "check", "what SCTP support this machine has"},
	{"explain", "explain [OPTIONS] [server|client ADDR PORT] [-- PROGRAM]",
	 "explain [OPTIONS] [server|client ADDR PORT] [-- PROGRAM]",
	 "the rules in effect, and which one fires for a server\n"
	 "bound to (or a client connecting to) ADDR PORT"},
	{"status", "status PID", "status PID",
	 "the shim, settings, SCTP associations and paths of a\n"
	 "running process"},
	{"verify", "verify PID", NULL, NULL},
	{"enable", "enable [--root DIR] UNIT [OPTIONS]", "enable UNIT [OPTIONS]",
	 "write a systemd drop-in, /etc/systemd/system/UNIT.d/\n"
	 "sctpize.conf, that runs the service UNIT under sctpize\n"
	 "with these options (its other preloads are kept)"},
	{"disable", "disable [--root DIR] UNIT", "disable UNIT", "remove that drop-in"},
	{"show", NULL, "show", "whether this shell has sctpize on, and its settings"},
	{"on", NULL, NULL, NULL},
	{"off", NULL, NULL, NULL},
};
#define N_SUBS (sizeof(subs) / sizeof(subs[0]))

/* --- --help --- */

#define HELP_COLUMN 24

/* LEFT, then the help lines from HELP_COLUMN (on the next line if LEFT is too long). */
static void help_entry(FILE *f, const char *left, const char *help)
{
	int n = fprintf(f, "%s", left);

	if (n + 1 > HELP_COLUMN) {
		fputc('\n', f);
		n = 0;
	}
	for (const char *line = help; *line;) {
		const char *end = strchrnul(line, '\n');

		fprintf(f, "%*s%.*s\n", HELP_COLUMN - n, "", (int)(end - line), line);
		n = 0;
		line = *end ? end + 1 : end;
	}
}

/* "--verbose", "--log WHERE", "--stats[=SIGNAL]" */
static void opt_left(char *buf, size_t size, const struct opt *o)
{
	if (o->arg == ARG_EQ)
		snprintf(buf, size, "%s[=%s]", o->name, o->metavar);
	else if (o->metavar)
		snprintf(buf, size, "%s %s", o->name, o->metavar);
	else
		snprintf(buf, size, "%s", o->name);
}

static void print_opts(FILE *f, int want_flags)
{
	char left[256] = "";
	size_t used = 0;

	for (size_t k = 0; k < N_OPTS; k++) {
		const struct opt *o = &opts[k];
		char one[64];

		if ((o->flags & (F_HIDDEN | F_ENABLE)) != want_flags)
			continue;
		if (o->section)
			fprintf(f, "%s\n", o->section);
		opt_left(one, sizeof(one), o);
		/* Rows without help share the next one's, on one line. */
		if (used == 0)
			used = (size_t)snprintf(left, sizeof(left), "  %s%s%s", o->shortname ? o->shortname : "  ",
						o->shortname ? ", " : "  ", one);
		else
			used += (size_t)snprintf(left + used, sizeof(left) - used, ", %s", one);
		if (used >= sizeof(left))
			used = sizeof(left) - 1;	/* (cut: the table's names are short) */
		if (!o->help)
			continue;
		help_entry(f, left, o->help);
		used = 0;
	}
}

void usage(FILE *f)
{
	char left[128];

	fprintf(f, "usage: sctpize [OPTIONS] [--] PROGRAM [ARGS...]\n");
	for (size_t k = 0; k < N_SUBS; k++)
		if (subs[k].synopsis && subs[k].left)
			fprintf(f, "       sctpize %s\n", subs[k].synopsis);
	fprintf(f, "       sctpize --help | --version\n"
		   "\n"
		   "Run PROGRAM with its TCP sockets turned into SCTP ones.\n"
		   "\n");
	print_opts(f, 0);
	fprintf(f, "\nSubcommands (first word only; \"sctpize -- check\" runs a program named check):\n");
	for (size_t k = 0; k < N_SUBS; k++) {
		if (!subs[k].left)
			continue;
		snprintf(left, sizeof(left), "  %s", subs[k].left);
		help_entry(f, left, subs[k].help);
		if (strcmp(subs[k].name, "disable") == 0)
			print_opts(f, F_ENABLE);
	}
	fprintf(f, "\n"
		   "Shell mode (bash, zsh): \". sctpize on\" makes every program started from\n"
		   "this shell afterwards run over SCTP; \". sctpize off\" ends it.\n"
		   "\n"
		   "Exit status: PROGRAM's, or 2 (bad usage or setting), 3 (no SCTP in the\n"
		   "kernel), 126 (PROGRAM not executable), 127 (PROGRAM not found).\n"
		   "enable and disable: 0, 1 (failure, e.g. no such unit) or 2 (bad usage or setting).\n");
}

const char *synopsis(const char *name)
{
	for (size_t k = 0; k < N_SUBS; k++)
		if (strcmp(subs[k].name, name) == 0 && subs[k].synopsis)
			return subs[k].synopsis;
	return name;
}

/* --- the completion's lists --- */

/* NAME='WORD WORD...': the names of the options that match. */
static void comp_list(const char *var, int want_arg, int need_flags, int eq_suffix)
{
	const char *sep = "";

	printf("%s='", var);
	for (size_t k = 0; k < N_OPTS; k++) {
		const struct opt *o = &opts[k];

		if (o->flags & F_HIDDEN)
			continue;
		if (need_flags ? !(o->flags & need_flags) : (o->flags & F_ENABLE))
			continue;
		if (want_arg == ARG_NONE ? o->arg == ARG_VALUE : (int)o->arg != want_arg)
			continue;
		if (o->shortname && !eq_suffix) {
			printf("%s%s", sep, o->shortname);
			sep = " ";
		}
		printf("%s%s%s", sep, o->name, eq_suffix ? "=" : "");
		sep = " ";
	}
	printf("'\n");
}

void print_completion(void)
{
	static const char *const comp_names[] = {
		[COMP_NONE] = NULL, [COMP_FILE] = "file", [COMP_ABSFILE] = "absfile",
		[COMP_DIR] = "dir", [COMP_IFACES] = "ifaces",
	};
	const char *sep = "";

	printf("# The option table of sctpize (bin/options.c), as \"sctpize-helper completion\" prints it.\n");
	comp_list("_sctpize_value_opts", ARG_VALUE, 0, 0);
	comp_list("_sctpize_flag_opts", ARG_NONE, 0, 0);	/* and those with an optional value */
	comp_list("_sctpize_eq_opts", ARG_EQ, 0, 1);
	comp_list("_sctpize_rule_value_opts", ARG_VALUE, F_EXPLAIN, 0);
	comp_list("_sctpize_rule_flag_opts", ARG_NONE, F_EXPLAIN, 0);
	comp_list("_sctpize_enable_opts", ARG_VALUE, F_ENABLE, 0);
	printf("_sctpize_subcommands='");
	for (size_t k = 0; k < N_SUBS; k++) {
		printf("%s%s", sep, subs[k].name);
		sep = " ";
	}
	printf("'\n");
	printf("declare -gA _sctpize_words=(");
	for (size_t k = 0; k < N_OPTS; k++)
		if (opts[k].words)
			printf("[%s]='%s' ", opts[k].name, opts[k].words);
	printf(")\ndeclare -gA _sctpize_value_kind=(");
	for (size_t k = 0; k < N_OPTS; k++)
		if (comp_names[opts[k].comp])
			printf("[%s]=%s ", opts[k].name, comp_names[opts[k].comp]);
	printf(")\n");
}

/* --- parsing --- */

/* What the migration options collect until the rules are built. */
struct rules_opts {
	const char *ports, *except;
	char role;		/* 's' --server-only, 'c' --client-only, or 0 */
	bool both, any;
	char *more;		/* the --rule values, ';' between them */
};

/* Set (or replace: the last one wins) var to value, which s then owns. */
static void settings_put(struct settings *s, const char *var, char *value)
{
	for (int k = 0; k < s->n; k++) {
		if (strcmp(s->var[k], var) == 0) {
			free(s->value[k]);
			s->value[k] = value;
			return;
		}
	}
	if (s->n == MAX_SETTINGS)
		die("too many settings");
	s->var[s->n] = var;
	s->value[s->n++] = value;
}

static bool settings_has(const struct settings *s, const char *var)
{
	for (int k = 0; k < s->n; k++)
		if (strcmp(s->var[k], var) == 0)
			return true;
	return false;
}

void settings_free(struct settings *s)
{
	for (int k = 0; k < s->n; k++)
		free(s->value[k]);
	s->n = 0;
}

/* The option that argv word w is, or NULL; *value: its "=VALUE", if any. */
static const struct opt *lookup(const char *w, const char **value)
{
	*value = NULL;
	for (size_t k = 0; k < N_OPTS; k++) {
		const struct opt *o = &opts[k];
		size_t n;

		if (o->shortname && strcmp(w, o->shortname) == 0)
			return o;
		if (!o->name)
			continue;
		n = strlen(o->name);
		if (strncmp(w, o->name, n) != 0)
			continue;
		if (w[n] == '\0')
			return o;
		if (w[n] == '=' && o->arg != ARG_NONE) {
			*value = w + n + 1;
			return o;
		}
	}
	return NULL;
}

/* The value of --ports or --except-ports goes into a rule after "port":
 * only digits, commas and dashes, or it would add words or rules to it. */
static void port_list(const char *name, const char *v)
{
	if (!*v || v[strspn(v, "0123456789,-")])
		die("%s: '%s': expected a list of ports and ranges such as 13,7,8000-8100", name, v);
}

/* The library needs an absolute file name: relative to where sctpize runs,
 * as the shell's $PWD names that directory when it does. */
static char *absolute(const char *v)
{
	const char *pwd = getenv("PWD");
	struct stat a, b;
	char *cwd, *r;

	if (!*v || *v == '/')
		return xstrdup(v);
	if (pwd && *pwd == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return xasprintf("%s/%s", pwd, v);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die("--config: cannot tell the current directory");
	r = xasprintf("%s/%s", cwd, v);
	free(cwd);
	return r;
}

static void add_rule(char **r, const char *rule)
{
	char *n = *r ? xasprintf("%s;%s", *r, rule) : xstrdup(rule);

	free(*r);
	*r = n;
}

static void root_value(struct settings *s, const char *v)
{
	static char root[4096];
	size_t n = strlen(v);
	struct stat st;

	if (!*v)
		die("--root needs a directory");
	if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode))
		fail("--root %s: no such directory", v);
	if (n >= sizeof(root))
		fail("--root %s: name too long", v);
	memcpy(root, v, n + 1);
	if (root[n - 1] == '/')
		root[n - 1] = '\0';
	s->root = root;
}

/* The value of option o at argv[*i] (its "=VALUE", or the next word). */
static const char *take_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq;
	if (*i + 1 >= argc)
		die("option '%s' needs a value (see sctpize --help)", argv[*i]);
	return argv[++*i];
}

void parse_root(int argc, char **argv, int *i, struct settings *s)
{
	const char *eq;

	const struct opt *o = *i < argc ? lookup(argv[*i], &eq) : NULL;

	if (o && o->act == ROOT) {
		root_value(s, take_value(argc, argv, i, eq));
		++*i;
	}
}

void parse_options(int argc, char **argv, int *i, enum mode mode, bool inherited_default,
		   struct settings *s)
{
	struct rules_opts r = {0};
	int verbose = 0;

	for (; *i < argc; ++*i) {
		const char *w = argv[*i], *eq, *v = NULL;
		const struct opt *o;

		if (strcmp(w, "--") == 0) {
			++*i;
			break;
		}
		if (w[0] != '-')
			break;
		o = lookup(w, &eq);
		if (!o || (o->act == ROOT && mode != MODE_ENABLE))
			die("unknown option '%s' (see sctpize --help)", w);
		if (o->arg == ARG_VALUE)
			v = take_value(argc, argv, i, eq);
		else if (o->arg == ARG_EQ)
			v = eq ? eq : o->flag_value;
		else
			v = o->flag_value;
		switch (o->act) {
		case SET:
			settings_put(s, o->var, xstrdup(v));
			break;
		case VERBOSE:
			verbose++;
			break;
		case VERBOSE2:
			verbose = 2;
			break;
		case CONFIG:
			settings_put(s, o->var, absolute(v));
			break;
		case PORTS:
			port_list(o->name, v);
			r.ports = v;
			r.any = true;
			break;
		case EXCEPT_PORTS:
			port_list(o->name, v);
			r.except = v;
			r.any = true;
			break;
		case SERVER_ONLY:
		case CLIENT_ONLY:
			r.role = o->act == SERVER_ONLY ? 's' : 'c';
			r.any = true;
			break;
		case BOTH:
			r.both = true;
			break;
		case RULE:
			if (strpbrk(v, ";\n"))
				die("--rule: one rule at a time: '%s'", v);
			for (eq = v; *eq && isspace((unsigned char)*eq); eq++)
				;
			if (!*eq)
				die("--rule: empty; expected ACTION [server|client] [addr PREFIX] [port LIST] [prog GLOB]");
			add_rule(&r.more, v);
			r.any = true;
			break;
		case ROOT:
			root_value(s, v);
			break;
		case HELP:
			usage(stdout);
			exit(0);
		case SHOW_VERSION:
			printf("sctpize %s\n", VERSION);
			exit(0);
		}
	}
	if (verbose)
		settings_put(s, "SCTPIZE_VERBOSE", xstrdup(verbose > 1 ? "2" : "1"));
	/* The migration options as rules: exceptions first, then what converts. */
	if (r.any || r.both) {
		const char *act = r.both ? "both" : "sctp";
		char *rules = NULL;

		if (r.except) {
			char *x = xasprintf("tcp port %s", r.except);

			add_rule(&rules, x);
			free(x);
		}
		if (r.role)
			add_rule(&rules, r.role == 's' ? "tcp client" : "tcp server");
		if (r.ports) {
			char *x = xasprintf("%s port %s", act, r.ports);

			add_rule(&rules, x);
			free(x);
		}
		if (r.more)
			add_rule(&rules, r.more);
		if (rules)
			settings_put(s, "SCTPIZE_RULES", rules);
		/* (With --ports the rules name what converts: the default is tcp by itself.) */
		if (!inherited_default && !settings_has(s, "SCTPIZE_DEFAULT") && !r.ports && r.both)
			settings_put(s, "SCTPIZE_DEFAULT", xstrdup("both"));
	}
	free(r.more);
}
