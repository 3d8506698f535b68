/*
 * helper.h - what the parts of sctpize-helper share.
 *
 * sctpize-helper is sctpize(1) itself: bin/sctpize.in keeps only shell mode
 * and execs "sctpize-helper sctpize LIBDIR ARGS...".  One file per concern:
 *
 *   sctpize-helper.c   main(): the internal subcommands (validate, probe,
 *                      inspect, status, explain, completion) and the one
 *                      call of the library's parser (validate)
 *   command.c          sctpize(1): the first word, show, a program's exec
 *   options.c          THE option table: parsing, --help, the completion's words
 *   check.c            sctpize check
 *   enable.c           sctpize enable / disable: the systemd drop-in
 *   inspect.c          why the loader will ignore LD_PRELOAD for a program
 *   status.c           sctpize status PID
 *   explain.c          sctpize explain
 *   util.c             messages, strings, running a command
 *
 * Everything prints to stderr, except what a command exists to print (help,
 * check, explain, status, show; and enable's and disable's report).
 */
#ifndef SCTPIZE_HELPER_H
#define SCTPIZE_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses of sctpize itself (the program's own otherwise). */
#define EX_FAIL 1	/* enable, disable: no such unit, cannot write */
#define EX_USAGE 2	/* bad option or bad SCTPIZE_* value */
#define EX_NOSCTP 3	/* the kernel cannot make SCTP sockets */
#define EX_NOEXEC 126	/* PROGRAM found but not executable */
#define EX_NOTFOUND 127	/* PROGRAM not found */

/* --- sctpize-helper.c --- */

/* Check the SCTPIZE_* entries of env (NULL-terminated "NAME=VALUE") with the
 * library's own parser: 0, or EX_USAGE after one message naming the setting. */
int validate(char **env);
/* 0 if this kernel makes SCTP sockets, else the errno of the attempt. */
int sctp_errno(void);
/* "this kernel cannot make SCTP sockets (ENAME, text)." for err, into buf. */
void sctp_reason(int err, char *buf, size_t size);
/* 0, or EX_NOSCTP after the reason and what to do, on stderr. */
int probe(void);

/* --- inspect.c --- */

/* Why the dynamic loader will ignore LD_PRELOAD for an executable, if it will. */
enum obstacle { NO_OBSTACLE, SETUID, SETGID, FILE_CAPS, STATIC };
enum obstacle preload_obstacle(const char *path);
/* Warn on stderr when path's obstacle keeps it on TCP; always 0. */
int inspect(const char *path);

/* --- status.c, explain.c --- */

/* The report on process arg (a PID); the exit status. */
int status(const char *arg);
/* sctpize explain [server|client ADDR PORT] [PROGRAM]; the exit status. */
int explain(int argc, char **argv);

/* --- options.c: the option table --- */

/* Which command the options are parsed for: --root is enable's only. */
enum mode { MODE_RUN, MODE_EXPLAIN, MODE_ENABLE };

/* The SCTPIZE_* variables the options set, in the order first set. */
#define MAX_SETTINGS 40
struct settings {
	int n;
	const char *var[MAX_SETTINGS];	/* "SCTPIZE_NODELAY" */
	char *value[MAX_SETTINGS];	/* owned */
	const char *root;		/* enable: --root DIR without a trailing '/', or NULL */
};

/*
 * Parse the options at argv[*i] onwards (stopping after "--" or at the first
 * word that is not an option) into s; *i is left on the first operand.
 * inherited_default: SCTPIZE_DEFAULT is already set (the caller's
 * environment).  --help and --version print and exit 0; a bad option exits
 * EX_USAGE with one message naming it.
 */
void parse_options(int argc, char **argv, int *i, enum mode mode, bool inherited_default,
		   struct settings *s);
/* The leading "--root DIR" of enable and disable at argv[*i], if there: into s->root. */
void parse_root(int argc, char **argv, int *i, struct settings *s);
void settings_free(struct settings *s);
/* The --help text on f. */
void usage(FILE *f);
/* "usage: sctpize NAME ..." of subcommand name, for its usage errors. */
const char *synopsis(const char *name);
/* The option table as bash variables, for the completion (make). */
void print_completion(void);

/* --- command.c --- */

/* sctpize(1): argv[0] is LIBDIR, then the user's arguments; the exit status. */
int sctpize(int argc, char **argv);

/* --- check.c, enable.c --- */

int check(void);
/* Exits EX_USAGE unless unit names a service, before anything else is looked at. */
void unit_check(const char *unit);
/* unit as typed, the options' settings (sorted by name); lib: the library's path. */
int enable(const char *unit, const struct settings *s, const char *lib);
int disable(const char *unit, const char *root);

/* --- util.c --- */

/* "sctpize: MESSAGE" on stderr, one line: control characters become '?'. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* say(), then exit EX_USAGE or EX_FAIL. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* asprintf() that exits on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* The first file named name in $PATH (as sh's command -v finds it: a regular
 * file, executable or not), malloc'd; NULL if none. */
char *path_search(const char *name);
/*
 * Run argv (argv[0] looked up in PATH), wait for it, return its exit status
 * (-1 if it could not run).  out: NULL to inherit stdout, else where its
 * standard output is kept (malloc'd, NUL-terminated); quiet: stdout (when
 * not kept) and stderr to /dev/null.
 */
int run_command(char *const argv[], char **out, bool quiet);
/* The whole of file path (NUL-terminated, malloc'd; *len its size), or NULL with errno. */
char *read_whole(const char *path, size_t *len);

#endif
