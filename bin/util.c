/*
 * util.c - what the parts of sctpize-helper share: one-line messages,
 * strings that never fail, the PATH lookup and running a command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

/* A message quotes what the user typed: its control characters (a newline
 * would forge a second line, an escape sequence would drive the terminal)
 * become '?'.  The line goes out in one write. */
static void vsay(const char *fmt, va_list ap)
{
	char *msg, *line;
	size_t len;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("sctpize: out of memory\n", stderr);
		return;
	}
	len = strlen(msg);
	line = malloc(len + sizeof("sctpize: \n"));
	if (!line) {
		free(msg);
		fputs("sctpize: out of memory\n", stderr);
		return;
	}
	memcpy(line, "sctpize: ", 9);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)msg[k];

		line[9 + k] = (c >= 1 && c <= 31) || c == 127 ? '?' : (char)c;
	}
	line[9 + len] = '\n';
	fflush(stdout);
	for (size_t off = 0, n = len + 10; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(line);
	free(msg);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(EX_USAGE);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(EX_FAIL);
}

static _Noreturn void oom(void)
{
	fputs("sctpize: out of memory\n", stderr);
	exit(EX_FAIL);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		oom();
	return d;
}

char *path_search(const char *name)
{
	/* sh's own default when PATH is unset (dash's). */
	const char *path = getenv("PATH");

	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		struct stat st;
		char *f;

		/* An empty entry is the current directory. */
		if (end == p)
			f = xasprintf("%s", name);
		else
			f = xasprintf("%.*s/%s", (int)(end - p), p, name);
		/* As execvp() and sh's command -v: a file we may not run is passed over. */
		if (stat(f, &st) == 0 && S_ISREG(st.st_mode) && access(f, X_OK) == 0)
			return f;
		free(f);
		if (!*end)
			return NULL;
		p = end;
	}
}

int run_command(char *const argv[], char **out, bool quiet)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = {-1, -1}, status;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	if (out && pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	if (out)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	else if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	fflush(stdout);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(pipefd[1]);
		for (;;) {
			ssize_t n;

			if (cap - len < 4096)
				buf = xrealloc(buf, cap = cap * 2 + 4096);
			n = read(pipefd[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(pipefd[0]);
		buf = xrealloc(buf, len + 1);
		buf[len] = '\0';
		*out = buf;
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (cap - n < 4096)
			buf = xrealloc(buf, cap = cap * 2 + 4096);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
