/*
 * enable.c - sctpize enable / disable: a systemd drop-in that runs a service
 * under sctpize, and its removal.
 *
 * enable writes /etc/systemd/system/UNIT.d/sctpize.conf (under --root DIR
 * when given): a marker line, then [Service] Environment= lines that put the
 * library first in LD_PRELOAD, followed by the preloads the unit's files
 * already set, and the options' SCTPIZE_* variables.  Which preloads those
 * are is read as systemd reads them: the unit file and its drop-ins in
 * systemd's order ("systemctl cat" when systemd runs here, the unit
 * directories otherwise), each Environment= line split into words with
 * systemd's quoting (scan_line).  disable removes the file only if its
 * first line is our marker.  Nothing else of the unit is ever touched.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

#define DROPIN_NAME "sctpize.conf"
#define DROPIN_MARK "# Written by sctpize(1) enable."

/* Where systemd looks for unit files, most important first. */
static const char *const unit_dirs[] = {
	"etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system",
	"usr/lib/systemd/system", "lib/systemd/system",
};
#define N_UNIT_DIRS (sizeof(unit_dirs) / sizeof(unit_dirs[0]))

struct unit {
	char *name;		/* "xinetd.service" */
	char *template;		/* "getty@.service" for "getty@tty1.service", or NULL */
	const char *root;	/* the system image, "" for this system */
	char *dropin_dir, *dropin;
};

/* UNIT is a name systemd could give a service ("xinetd" is xinetd.service):
 * exits EX_USAGE on anything else, before any other argument is looked at. */
void unit_check(const char *arg)
{
	static const char *const others[] = {
		".socket", ".target", ".timer", ".mount", ".automount", ".swap", ".path",
		".slice", ".scope", ".device",
	};
	size_t n = strlen(arg);

	if (!*arg || *arg == '.' ||
	    arg[strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.@\\-")])
		die("'%s' is not a unit name", arg);
	if (n > 8 && strcmp(arg + n - 8, ".service") == 0)
		return;
	for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
		size_t s = strlen(others[k]);

		if (n >= s && strcmp(arg + n - s, others[k]) == 0)
			die("%s: only a service has an environment to run under sctpize", arg);
	}
}

/* UNIT as systemd names it (unit_check()), with its drop-in's place. */
static void unit_init(struct unit *u, const char *arg, const char *root)
{
	size_t n = strlen(arg);
	const char *at;

	unit_check(arg);
	if (n > 8 && strcmp(arg + n - 8, ".service") == 0)
		u->name = xstrdup(arg);
	else
		u->name = xasprintf("%s.service", arg);
	/* An instance, "NAME@INSTANCE.service", has a template "NAME@.service". */
	at = strchr(u->name, '@');
	n = strlen(u->name);
	u->template = at && at + 1 < u->name + n - 8
		      ? xasprintf("%.*s@.service", (int)(at - u->name), u->name) : NULL;
	u->root = root ? root : "";
	u->dropin_dir = xasprintf("%s/etc/systemd/system/%s.d", u->root, u->name);
	u->dropin = xasprintf("%s/%s", u->dropin_dir, DROPIN_NAME);
}

static void unit_free(struct unit *u)
{
	free(u->name);
	free(u->template);
	free(u->dropin_dir);
	free(u->dropin);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* systemd runs on this machine and we act on it, not on an image. */
static bool systemd_live(const struct unit *u)
{
	struct stat st;
	char *s;
	bool x;

	if (*u->root || stat("/run/systemd/system", &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	s = path_search("systemctl");
	x = s && access(s, X_OK) == 0;
	free(s);
	return x;
}

/* "systemctl cat -- UNIT": its status, its output in *out unless out is NULL. */
static int systemctl_cat(const struct unit *u, char **out)
{
	char *argv[] = {"systemctl", "cat", "--", u->name, NULL};

	return run_command(argv, out, true);
}

/* Does UNIT exist (systemd's answer when live, else a unit file under the root)? */
static bool unit_exists(const struct unit *u)
{
	if (systemd_live(u) && systemctl_cat(u, NULL) == 0)
		return true;
	for (size_t d = 0; d < N_UNIT_DIRS; d++) {
		const char *names[] = {u->name, u->template};

		for (int k = 0; k < 2; k++) {
			struct stat st;
			char *f;
			bool e;

			if (!names[k])
				continue;
			f = xasprintf("%s/%s/%s", u->root, unit_dirs[d], names[k]);
			e = lstat(f, &st) == 0;
			free(f);
			if (e)
				return true;
		}
	}
	return false;
}

/* "# PATH", the file, an empty line: as "systemctl cat" shows each file. */
static void cat_file(FILE *out, const char *path)
{
	char *text = read_whole(path, NULL);

	fprintf(out, "# %s\n%s\n", path, text ? text : "");
	free(text);
}

struct dropin {
	const char *base;	/* its file name, into path */
	char *path;
	size_t order;		/* the order found: directory importance */
};

static int by_base(const void *a, const void *b)
{
	const struct dropin *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* The unit file and every drop-in of UNIT, in the order systemd reads them,
 * each after a "# PATH" line, as "systemctl cat" prints them (malloc'd). */
static char *unit_cat(const struct unit *u)
{
	struct dropin *ds = NULL;
	size_t n = 0, len;
	char *text = NULL;
	bool found = false;
	FILE *out;

	if (systemd_live(u)) {
		if (systemctl_cat(u, &text) == 0)
			return text;
		free(text);
		text = NULL;
	}
	out = open_memstream(&text, &len);
	if (!out)
		fail("out of memory");
	for (size_t d = 0; d < N_UNIT_DIRS && !found; d++) {
		const char *names[] = {u->name, u->template};

		for (int k = 0; k < 2 && !found; k++) {
			char *f;

			if (!names[k])
				continue;
			f = xasprintf("%s/%s/%s", u->root, unit_dirs[d], names[k]);
			if (is_file(f)) {
				cat_file(out, f);
				found = true;
			}
			free(f);
		}
	}
	/* Drop-ins: by file name; one in a more important directory hides one
	 * of the same name in a less important one. */
	for (size_t d = 0; d < N_UNIT_DIRS && found; d++) {
		const char *names[] = {u->template, u->name};

		for (int k = 0; k < 2; k++) {
			struct dirent *e;
			char *dir;
			DIR *dp;

			if (!names[k])
				continue;
			dir = xasprintf("%s/%s/%s.d", u->root, unit_dirs[d], names[k]);
			dp = opendir(dir);
			while (dp && (e = readdir(dp))) {
				size_t l = strlen(e->d_name);
				char *p;

				if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".conf") != 0)
					continue;
				p = xasprintf("%s/%s", dir, e->d_name);
				if (!is_file(p)) {
					free(p);
					continue;
				}
				ds = xrealloc(ds, (n + 1) * sizeof(*ds));
				ds[n] = (struct dropin){strrchr(p, '/') + 1, p, n};
				n++;
			}
			if (dp)
				closedir(dp);
			free(dir);
		}
	}
	qsort(ds, n, sizeof(*ds), by_base);
	for (size_t k = 0; k < n; k++)
		if (k == 0 || strcmp(ds[k].base, ds[k - 1].base) != 0)
			cat_file(out, ds[k].path);
	for (size_t k = 0; k < n; k++)
		free(ds[k].path);
	free(ds);
	if (fclose(out) != 0)
		fail("out of memory");
	return text;
}

/* Does the environment file (under the root) set LD_PRELOAD? */
static bool envfile_sets_preload(const struct unit *u, const char *f)
{
	char *path = xasprintf("%s%s", u->root, f), *text = read_whole(path, NULL);
	bool found = false;
	regex_t re;

	if (text && regcomp(&re, "^[[:space:]]*(export[[:space:]]+)?LD_PRELOAD=",
			    REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0) {
		found = regexec(&re, text, 0, NULL, 0) == 0;
		regfree(&re);
	}
	free(text);
	free(path);
	return found;
}

/* What one file of the unit leaves of LD_PRELOAD. */
struct scan {
	const struct unit *u;
	char *ours;		/* our drop-in's path, as systemd shows it */
	const char *file;	/* the file being read */
	bool skip;		/* it is our drop-in: what it sets is to be replaced */
	bool late;		/* a drop-in read after ours: what it sets wins */
	bool have;		/* LD_PRELOAD is set, to value */
	char *value;
};

/*
 * An Environment= value split into words as systemd splits it: at blanks
 * outside quotes; quotes removed; a backslash keeps the next character, and
 * itself too unless that is a backslash or a quote (specifiers such as %h
 * are kept as they are).  Each LD_PRELOAD=VALUE word sets the value.
 */
static void scan_environment(struct scan *sc, const char *s)
{
	size_t len = strlen(s), wn = 0;
	char *w = xrealloc(NULL, len + 1), q = 0;
	bool inw = false;

	for (size_t i = 0; i <= len; i++) {
		char c = s[i];

		if (i == len || (!q && (c == ' ' || c == '\t'))) {
			if (inw) {
				w[wn] = '\0';
				if (strncmp(w, "LD_PRELOAD=", 11) == 0) {
					sc->have = true;
					free(sc->value);
					sc->value = xstrdup(w + 11);
					if (sc->late)
						say("warning: %s sets LD_PRELOAD and is read after %s, so it wins",
						    sc->file, DROPIN_NAME);
				}
			}
			wn = 0;
			inw = false;
			continue;
		}
		inw = true;
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (c != '\\' && c != '"' && c != '\'')
				w[wn++] = '\\';
			w[wn++] = c;
		} else if (!q && (c == '"' || c == '\'')) {
			q = c;
		} else if (q && c == q) {
			q = 0;
		} else {
			w[wn++] = c;
		}
	}
	free(w);
}

/* "# /PATH" before a file's lines: which file, and what its settings mean. */
static void scan_header(struct scan *sc, const char *path)
{
	size_t n = strlen(path), o = strlen(sc->ours);
	const char *base = strrchr(path, '/') + 1;
	size_t l = strlen(base);

	sc->file = path;
	sc->skip = n >= o && strcmp(path + n - o, sc->ours) == 0;
	/* A drop-in ("DIR.d/NAME.conf") named after ours is read after it. */
	sc->late = base - path >= 3 && strncmp(base - 3, ".d/", 3) == 0 && l >= 5 &&
		   strcmp(base + l - 5, ".conf") == 0 && strcmp(base, DROPIN_NAME) > 0;
}

static bool is_header(const char *line)
{
	return strncmp(line, "# /", 3) == 0 && !strchr(line + 2, ' ');
}

/* A key "KEY[ \t]*=" at the start of line: what follows the '=' and blanks, or NULL. */
static const char *key_value(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0)
		return NULL;
	line += n + strspn(line + n, " \t");
	if (*line != '=')
		return NULL;
	return line + 1 + strspn(line + 1, " \t");
}

/*
 * Read the unit's files (unit_cat's output): return the LD_PRELOAD that the
 * [Service] Environment= lines of every file but our drop-in leave in effect
 * (malloc'd, quotes undone, specifiers kept; NULL if none), and warn about a
 * drop-in read after ours that sets it and an EnvironmentFile= that does.
 */
static char *scan_unit(const struct unit *u, char *text)
{
	struct scan sc = {.u = u, .file = ""};
	char *line, *next, *cont = NULL, *section = xstrdup("");
	bool first = true, prev_empty = false;

	sc.ours = xasprintf("/etc/systemd/system/%s.d/%s", u->name, DROPIN_NAME);
	for (line = text; *line; line = next) {
		char *l, *joined = NULL;
		const char *v;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if ((first || prev_empty) && is_header(line)) {
			scan_header(&sc, line + 2);
			free(section);
			section = xstrdup("");
			first = prev_empty = false;
			continue;
		}
		first = false;
		prev_empty = !*line;
		/* A line ending in a backslash goes on on the next one. */
		if (cont) {
			joined = xasprintf("%s%s", cont, line);
			free(cont);
			cont = NULL;
			l = joined;
		} else {
			l = line;
		}
		if (*l && l[strlen(l) - 1] == '\\') {
			cont = xstrdup(l);
			cont[strlen(cont) - 1] = '\0';
			free(joined);
			continue;
		}
		l += strspn(l, " \t");
		if (*l == '#' || *l == ';') {
			free(joined);
			continue;
		}
		if (*l == '[') {
			char *s = section = xrealloc(section, strlen(l) + 1);

			for (; *l; l++)
				if (*l != ' ' && *l != '\t')
					*s++ = *l;
			*s = '\0';
			free(joined);
			continue;
		}
		if (strcmp(section, "[Service]") != 0 || sc.skip) {
			free(joined);
			continue;
		}
		if ((v = key_value(l, "EnvironmentFile"))) {
			v += *v == '-';
			if (*v && envfile_sets_preload(u, v))
				say("warning: %s sets LD_PRELOAD, which overrides Environment=", v);
		} else if ((v = key_value(l, "Environment"))) {
			if (!*v)
				sc.have = false;	/* Environment= empties the list */
			else
				scan_environment(&sc, v);
		}
		free(joined);
	}
	free(cont);
	free(section);
	free(sc.ours);
	if (!sc.have) {
		free(sc.value);
		return NULL;
	}
	return sc.value;
}

/* VALUE inside double quotes in a unit file: backslashes and quotes escaped,
 * and, unless raw (a value read from a unit file), % doubled. */
static void unit_quote(FILE *f, const char *v, bool raw)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		else if (*v == '%' && !raw)
			fputc('%', f);
		fputc(*v, f);
	}
}

/* Is the first line of our drop-in our marker? */
static bool dropin_is_ours(const struct unit *u)
{
	char buf[sizeof(DROPIN_MARK) + 1];
	int fd = open(u->dropin, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	return n >= (ssize_t)sizeof(DROPIN_MARK) - 1 && memcmp(buf, DROPIN_MARK, sizeof(DROPIN_MARK) - 1) == 0 &&
	       (n == (ssize_t)sizeof(DROPIN_MARK) - 1 || buf[sizeof(DROPIN_MARK) - 1] == '\n');
}

static void daemon_reload(const struct unit *u)
{
	char *argv[] = {"systemctl", "daemon-reload", NULL};

	if (systemd_live(u) && run_command(argv, NULL, false) != 0)
		fail("systemctl daemon-reload failed");
}

/* mkdir -p */
static bool make_dirs(char *path)
{
	struct stat st;

	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0777);
		*p = '/';
	}
	mkdir(path, 0777);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct setting {
	const char *var, *value;
};

static int by_var(const void *a, const void *b)
{
	return strcmp(((const struct setting *)a)->var, ((const struct setting *)b)->var);
}

int enable(const char *unit, const struct settings *s, const char *lib)
{
	char **env = xrealloc(NULL, (size_t)(s->n + 1) * sizeof(*env));
	struct setting sorted[MAX_SETTINGS];
	char *text, *old, *tmp;
	struct unit u;
	FILE *f;

	unit_init(&u, unit, s->root);
	/* The settings by name, each checked alone, as the library will read them. */
	for (int k = 0; k < s->n; k++)
		sorted[k] = (struct setting){s->var[k], s->value[k]};
	qsort(sorted, (size_t)s->n, sizeof(sorted[0]), by_var);
	for (int k = 0; k < s->n; k++) {
		if (strchr(sorted[k].value, '\n'))
			die("%s: a value cannot contain a newline", sorted[k].var);
		env[k] = xasprintf("%s=%s", sorted[k].var, sorted[k].value);
	}
	env[s->n] = NULL;
	if (validate(env) != 0)
		exit(EX_USAGE);
	if (!unit_exists(&u))
		fail("unit %s not found (no unit file in %s/etc/systemd/system, %s/run/systemd/system, "
		     "%s/usr/lib/systemd/system or %s/lib/systemd/system)", u.name, u.root, u.root,
		     u.root, u.root);
	if (access(u.dropin, F_OK) == 0 && !dropin_is_ours(&u))
		fail("%s exists and was not written by sctpize; not replacing it", u.dropin);
	text = unit_cat(&u);
	old = scan_unit(&u, text);
	if (*u.root) {
		char *installed = xasprintf("%s%s", u.root, lib);

		if (access(installed, F_OK) != 0)
			say("warning: %s is not installed in %s", lib, u.root);
		free(installed);
	}
	umask(022);
	if (!make_dirs(u.dropin_dir))
		fail("cannot create %s", u.dropin_dir);
	tmp = xasprintf("%s/.%s.%d", u.dropin_dir, DROPIN_NAME, (int)getpid());
	f = fopen(tmp, "we");
	if (!f)
		fail("cannot write %s", tmp);
	fprintf(f, "%s\n# It runs %s under sctpize; 'sctpize disable %.*s' removes it.\n[Service]\n",
		DROPIN_MARK, u.name, (int)(strlen(u.name) - 8), u.name);
	/* The library first, then every other preload the unit had, once. */
	fputs("Environment=\"LD_PRELOAD=", f);
	unit_quote(f, lib, false);
	for (char *p = old, *end; p && *(p += strspn(p, ": \t\n")); p = end) {
		char c;

		end = p + strcspn(p, ": \t\n");
		c = *end;
		*end = '\0';
		if (strcmp(p, lib) != 0) {
			fputc(' ', f);
			unit_quote(f, p, true);
		}
		*end = c;
	}
	fputs("\"\n", f);
	for (int k = 0; k < s->n; k++) {
		fputs("Environment=\"", f);
		unit_quote(f, env[k], false);
		fputs("\"\n", f);
	}
	if (ferror(f) | (fclose(f) != 0)) {
		unlink(tmp);
		fail("cannot write %s", tmp);
	}
	if (rename(tmp, u.dropin) != 0) {
		unlink(tmp);
		fail("cannot write %s", u.dropin);
	}
	printf("sctpize: wrote %s\n", u.dropin);
	if (*u.root) {
		printf("sctpize: %s runs under sctpize from its next start in %s.\n", u.name, u.root);
	} else {
		daemon_reload(&u);
		printf("sctpize: restart the service to apply it: systemctl restart %s\n", u.name);
	}
	for (int k = 0; k < s->n; k++)
		free(env[k]);
	free(env);
	free(tmp);
	free(old);
	free(text);
	unit_free(&u);
	return 0;
}

int disable(const char *unit, const char *root)
{
	struct stat st;
	struct unit u;

	unit_init(&u, unit, root);
	if (lstat(u.dropin, &st) != 0) {
		if (!unit_exists(&u))
			fail("unit %s not found", u.name);
		printf("sctpize: %s has no sctpize drop-in (%s); nothing to do.\n", u.name, u.dropin);
		unit_free(&u);
		return 0;
	}
	if (!dropin_is_ours(&u))
		fail("%s was not written by sctpize (no '%s' first line); not removing it",
		     u.dropin, DROPIN_MARK);
	if (unlink(u.dropin) != 0)
		fail("cannot remove %s", u.dropin);
	rmdir(u.dropin_dir);
	printf("sctpize: removed %s\n", u.dropin);
	if (!*u.root) {
		daemon_reload(&u);
		printf("sctpize: restart the service to apply it: systemctl restart %s\n", u.name);
	}
	unit_free(&u);
	return 0;
}
