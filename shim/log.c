/*
 * log.c - diagnostics, only when asked for.
 *
 * A preload lives inside someone else's program: it never writes to stdout,
 * and under inetd-style launchers fds 0-2 are the network connection itself.
 * So a line goes to stderr only while fd 2 is not a socket, and to syslog
 * otherwise or when SCTPIZE_LOG=syslog.  A log file is opened for each line
 * (O_APPEND, O_NOFOLLOW): a descriptor kept open could be closed by a daemon
 * that closes every fd at start and then reused for one of its sockets.
 *
 * Level 0 lines (errors: a refused environment, a bind address that cannot
 * be added) are always written; decisions need SCTPIZE_VERBOSE >= 1.
 * errno is the caller's on return, always.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "sctpize.h"

static bool fd_is_socket_or_closed(int fd)
{
	struct stat st;

	return fstat(fd, &st) != 0 || S_ISSOCK(st.st_mode);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void logmsg(int level, const char *fmt, ...)
{
	int saved = errno;
	char line[512];
	va_list ap;
	int n, fd;

	if (level > cfg.verbose)
		return;
	n = snprintf(line, sizeof(line), "sctpize[%d]: %s: ", (int)getpid(),
		     program_invocation_short_name);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';

	if (cfg.log[0] == '/') {
		fd = open(cfg.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
				   O_NOCTTY, 0600);
		if (fd >= 0) {
			write_all(fd, line, (size_t)n);
			close(fd);
		}
	} else if (strcmp(cfg.log, "syslog") == 0 || fd_is_socket_or_closed(STDERR_FILENO)) {
		syslog(LOG_DAEMON | (level == 0 ? LOG_ERR : LOG_INFO), "%s", line);
	} else {
		write_all(STDERR_FILENO, line, (size_t)n);
	}
	errno = saved;
}
