/*
 * command.c - sctpize(1): the first word, then a program's exec.
 *
 * bin/sctpize.in execs "sctpize-helper sctpize LIBDIR ARGS..." unless it is
 * sourced (shell mode, which must change the user's shell and so stays sh).
 * From here on it is one process: the options become SCTPIZE_* variables
 * (options.c), validate() checks them with the library's parser, the program
 * is looked up, the kernel probed, the program inspected, the library put
 * first in LD_PRELOAD, and the program replaces this process.  A program
 * that runs costs one sh and this exec, nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

/* LD_PRELOAD's entries are separated by spaces or colons (ld.so(8)). */
#define PRELOAD_SEPS ": \t\n"

static const char *libdir, *lib;

static void need_library(void)
{
	if (access(lib, R_OK) != 0)
		die("library not found in %s (is sctpize installed?)", libdir);
}

/* Does LD_PRELOAD list our library? */
static bool preloaded(void)
{
	const char *p = getenv("LD_PRELOAD");
	size_t n = strlen(lib);

	while (p && *p) {
		size_t len;

		p += strspn(p, PRELOAD_SEPS);
		len = strcspn(p, PRELOAD_SEPS);
		if (len == n && strncmp(p, lib, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* The library first; every other preload kept, in order; ours never twice. */
static void set_preload(void)
{
	const char *p = getenv("LD_PRELOAD");
	size_t n = strlen(lib), used;
	char *v = xrealloc(NULL, n + (p ? strlen(p) : 0) + 2);

	memcpy(v, lib, n);
	used = n;
	while (p && *p) {
		size_t len;

		p += strspn(p, PRELOAD_SEPS);
		len = strcspn(p, PRELOAD_SEPS);
		if (len && !(len == n && strncmp(p, lib, n) == 0)) {
			v[used++] = ' ';
			memcpy(v + used, p, len);
			used += len;
		}
		p += len;
	}
	v[used] = '\0';
	if (setenv("LD_PRELOAD", v, 1) != 0)
		fail("cannot set LD_PRELOAD");
	free(v);
}

/* The options' variables, over the caller's. */
static void export_settings(const struct settings *s)
{
	for (int k = 0; k < s->n; k++)
		if (setenv(s->var[k], s->value[k], 1) != 0)
			fail("cannot set %s", s->var[k]);
}

/* sctpize show: this shell's state, from its environment. */
static int show(void)
{
	printf(preloaded() ? "sctpize is on in this shell: programs it starts run over SCTP\n"
			   : "sctpize is off in this shell ('. sctpize on' turns it on)\n");
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "SCTPIZE_", 8) == 0)
			printf("  %s\n", *e);
	return 0;
}

/* sctpize [OPTIONS] [explain ...]: [server|client ADDR PORT] [-- PROGRAM] */
static int do_explain(int argc, char **argv, int i)
{
	struct settings s = {0};

	parse_options(argc, argv, &i, MODE_EXPLAIN, getenv("SCTPIZE_DEFAULT") != NULL, &s);
	export_settings(&s);
	settings_free(&s);
	argc -= i;
	argv += i;
	/* explain() checks the settings as validate() does, and takes the
	 * program without the "--" before it (one at the start went with the
	 * options). */
	if (argc >= 4 && strcmp(argv[3], "--") == 0 &&
	    (strcmp(argv[0], "server") == 0 || strcmp(argv[0], "client") == 0)) {
		memmove(argv + 3, argv + 4, (size_t)(argc - 4) * sizeof(*argv));
		argc--;
	}
	return explain(argc, argv);
}

/* sctpize enable|disable [--root DIR] UNIT ... */
static int do_unit(int argc, char **argv, bool is_enable)
{
	struct settings s = {0};
	const char *unit;
	int i = 1, st;

	parse_root(argc, argv, &i, &s);
	if (i >= argc)
		die("usage: sctpize %s", synopsis(argv[0]));
	unit = argv[i++];
	unit_check(unit);
	if (!is_enable) {
		parse_root(argc, argv, &i, &s);
		if (i < argc)
			die("usage: sctpize %s", synopsis(argv[0]));
		need_library();
		return disable(unit, s.root);
	}
	/* Only the options given here go into the drop-in, not the caller's settings. */
	parse_options(argc, argv, &i, MODE_ENABLE, false, &s);
	if (i < argc)
		die("enable: '%s' is not an option (see sctpize --help)", argv[i]);
	need_library();
	st = enable(unit, &s, lib);
	settings_free(&s);
	return st;
}

/* The program that name runs, as sh's "command -v" finds it (malloc'd), or
 * exit EX_NOTFOUND; EX_NOEXEC if that is no executable file. */
static char *find_program(const char *name)
{
	struct stat st;
	char *prog;

	if (!strchr(name, '/'))
		prog = path_search(name);
	else
		prog = stat(name, &st) == 0 ? xstrdup(name) : NULL;
	if (!prog) {
		say("%s: command not found", name);
		exit(EX_NOTFOUND);
	}
	if (access(prog, X_OK) != 0 || stat(prog, &st) != 0 || S_ISDIR(st.st_mode)) {
		say("%s: not an executable file", prog);
		exit(EX_NOEXEC);
	}
	return prog;
}

/* Run PROGRAM ARGS (argv[i]...) with the settings and the library; returns only on failure. */
static int run(int argc, char **argv, int i)
{
	struct settings s = {0};
	const char *fallback;
	char *prog;
	int st;

	parse_options(argc, argv, &i, MODE_RUN, getenv("SCTPIZE_DEFAULT") != NULL, &s);
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	need_library();
	export_settings(&s);
	settings_free(&s);
	if ((st = validate(environ)) != 0)
		return st;
	/* The program first, whatever the kernel: a name that runs nothing is
	 * 127 or 126, as env(1) and sh say, not advice about SCTP. */
	prog = find_program(argv[i]);
	/* With --fallback, no SCTP is not an error: the library says it once, when it happens. */
	fallback = getenv("SCTPIZE_FALLBACK");
	if (!(fallback && strcmp(fallback, "1") == 0) && (st = probe()) != 0)
		return st;
	inspect(prog);
	set_preload();
	/* argv[i] as typed: the library matches "prog" rules against it.  A
	 * script without "#!" is run by sh, as a shell would. */
	execv(prog, argv + i);
	if (errno == ENOEXEC) {
		char **sh = xrealloc(NULL, (size_t)(argc - i + 2) * sizeof(*sh));

		sh[0] = "sh";
		sh[1] = prog;
		memcpy(sh + 2, argv + i + 1, (size_t)(argc - i) * sizeof(*sh));
		execv("/bin/sh", sh);
	}
	st = errno == ENOENT ? EX_NOTFOUND : EX_NOEXEC;
	say("%s: %s", argv[i], strerror(errno));
	return st;
}

int sctpize(int argc, char **argv)
{
	const char *w;

	libdir = argv[0];
	lib = xasprintf("%s/libsctpize.so", libdir);
	argc--;
	argv++;
	w = argc ? argv[0] : "";
	if (strcmp(w, "on") == 0 || strcmp(w, "off") == 0)
		die("'%s' changes the calling shell: source it, as in '. sctpize %s'", w, w);
	if (strcmp(w, "show") == 0) {
		if (argc != 1)
			die("show takes no arguments");
		return show();
	}
	if (strcmp(w, "check") == 0) {
		if (argc != 1)
			die("check takes no arguments");
		return check();
	}
	if (strcmp(w, "status") == 0 || strcmp(w, "verify") == 0) {
		if (argc != 2)
			die("usage: sctpize %s", synopsis(w));
		return status(argv[1]);
	}
	if (strcmp(w, "explain") == 0)
		return do_explain(argc, argv, 1);
	if (strcmp(w, "enable") == 0 || strcmp(w, "disable") == 0)
		return do_unit(argc, argv, w[0] == 'e');
	return run(argc, argv, 0);
}
