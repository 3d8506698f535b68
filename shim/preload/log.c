/*
 * log.c - diagnostics, only when asked for.
 *
 * A preload lives inside someone else's program: it never writes to stdout,
 * and under inetd-style launchers fds 0-2 are the network connection itself.
 * So a line goes to stderr only while fd 2 is not a socket, and to syslog
 * otherwise or when SCTPIZE_LOG=syslog.  A log file, and the socket to the
 * system log (/dev/log), are opened for each line and closed after it
 * (O_APPEND, O_NOFOLLOW, O_NONBLOCK; MSG_DONTWAIT): a descriptor kept open
 * could be closed by a daemon that closes every fd at start and then
 * reused for one of its sockets (so libc's syslog(), which keeps its own,
 * is not used: the program's next connection would get our lines).  In a
 * directory everyone may write to, no log file is created and only a
 * regular file of our own with one link is written (../core/config.c).  A process
 * that has sandboxed itself (process.c) logs nothing: each line costs
 * system calls the sandbox may forbid.
 *
 * Level 0 lines (errors: a refused environment, a kernel without SCTP, a
 * bind address that cannot be added) are always written; decisions need
 * SCTPIZE_VERBOSE=1, and sockets of other families SCTPIZE_VERBOSE=2.
 * errno is the caller's on return, always.  Lines go out through the real
 * calls (real.write, real.close), never through the library's own wrappers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "preload.h"

static bool fd_is_socket_or_closed(int fd)
{
	struct stat st;

	return fstat(fd, &st) != 0 || S_ISSOCK(st.st_mode);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = real.write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* One line to the system log, on a datagram socket of its own. */
static void to_syslog(int level, const char *msg)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char line[640];
	int n, fd;

	n = snprintf(line, sizeof(line), "<%d>%.60s[%d]: sctpize: %s",
		     LOG_DAEMON | (level == 0 ? LOG_ERR : LOG_INFO), program_invocation_short_name,
		     (int)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	fd = real.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	real.sendto(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a,
		    sizeof(a));
	real.close(fd);
}

void log_line(int level, const char *fmt, ...)
{
	int saved = errno;
	char line[512];
	va_list ap;
	size_t head, n;
	int fd;

	if (level > cfg.verbose || !own_calls())
		return;
	/* "sctpize[PID]: PROG: " for stderr and files; syslog adds its own identity. */
	head = (size_t)snprintf(line, 96, "sctpize[%d]: %.60s: ", (int)getpid(),
				program_invocation_short_name);
	if (head >= 96)
		head = 95;
	va_start(ap, fmt);
	n = head + (size_t)vsnprintf(line + head, sizeof(line) - head - 1, fmt, ap);
	va_end(ap);
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;

	if (cfg.log[0] != '/' &&
	    (strcmp(cfg.log, "syslog") == 0 || fd_is_socket_or_closed(STDERR_FILENO))) {
		line[n] = '\0';
		to_syslog(level, line + head);
		errno = saved;
		return;
	}
	line[n++] = '\n';
	if (cfg.log[0] == '/') {
		/* O_NONBLOCK: a FIFO without a reader must not hang the program. */
		bool shared = log_dir_shared(cfg.log);
		struct stat st;

		/*
		 * The file's whole life in system calls of the real kind (as stats.c's):
		 * a tool that follows descriptors (ThreadSanitizer) must see all of it or
		 * none, or it takes the number's next owner for a race with us.
		 */
		fd = (int)real.syscall(SYS_openat, AT_FDCWD, cfg.log, O_WRONLY | O_APPEND |
				       O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
				       (shared ? 0 : O_CREAT), 0600);
		if (fd >= 0 && shared &&
		    (real.syscall(SYS_fstat, fd, &st) != 0 || !log_file_ours(&st))) {
			real.close(fd);
			fd = -1;
		}
		if (fd >= 0) {
			write_all(fd, line, n);
			real.close(fd);
		}
	} else {
		write_all(STDERR_FILENO, line, n);
	}
	errno = saved;
}
