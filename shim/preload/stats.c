/*
 * stats.c - SCTPIZE_STATS: what the library did in this process, in one line.
 *
 * With SCTPIZE_STATS=1 the line is logged when the process exits (exit() or
 * a return from main(); not _exit() or a fatal signal).  With a signal name,
 * SCTPIZE_STATS=USR1 (or USR2), the line is also written each time that
 * signal arrives: the handler formats it by hand and writes it with write(2)
 * only, both async-signal-safe.  The program may install its own handler for
 * that signal later, which then wins; a daemon's own signals are never taken
 * unless asked.
 *
 * The counters cost nothing unless SCTPIZE_STATS is set (one branch where
 * something is counted; nothing on the read/write fast paths).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

atomic_ulong stats[N_STATS];

/* The label each counter is printed with, in this order. */
static const char *const labels[N_STATS] = {
	[ST_CONVERTED] = "converted to SCTP",
	[ST_TCP] = "left TCP by the rules",
	[ST_PASSED] = "other sockets passed through",
	[ST_FALLBACK] = "fell back to TCP",
	[ST_DUAL] = "TCP+SCTP listeners",
	[ST_ACCEPTED] = "SCTP accepted",
	[ST_ACCEPTED_TCP] = "TCP accepted on TCP+SCTP listeners",
	[ST_MAPPED] = "options mapped",
	[ST_HINTED] = "options taken as hints",
	[ST_REFUSED] = "options refused",
	[ST_SPLIT] = "writes split",
};

/* "sctpize[PID]: PROG: stats: N label, ..." into buf, by hand (signal-safe). */
static size_t put(char *buf, size_t n, size_t size, const char *s)
{
	while (*s && n < size)
		buf[n++] = *s++;
	return n;
}

static size_t put_num(char *buf, size_t n, size_t size, unsigned long v)
{
	char digits[24];
	int i = 0;

	do
		digits[i++] = (char)('0' + v % 10);
	while ((v /= 10) && i < (int)sizeof(digits));
	while (i > 0 && n < size)
		buf[n++] = digits[--i];
	return n;
}

static size_t format(char *buf, size_t size, bool head)
{
	size_t n = 0;

	if (head) {		/* (log_line() writes its own) */
		n = put(buf, n, size, "sctpize[");
		n = put_num(buf, n, size, (unsigned long)getpid());
		n = put(buf, n, size, "]: ");
		n = put(buf, n, size, program_invocation_short_name);
		n = put(buf, n, size, ": ");
	}
	n = put(buf, n, size, "stats: ");
	for (int i = 0; i < N_STATS; i++) {
		n = put(buf, n, size, i ? ", " : "");
		n = put_num(buf, n, size, atomic_load_explicit(&stats[i], memory_order_relaxed));
		n = put(buf, n, size, " ");
		n = put(buf, n, size, labels[i]);
	}
	return n;
}

/* Where log.c would write, without syslog (not signal-safe): a log file, or stderr. */
static void emit(void)
{
	char line[600];
	size_t n = format(line, sizeof(line) - 1, true);
	struct stat st;
	int fd = STDERR_FILENO;

	line[n++] = '\n';
	if (cfg.log[0] == '/') {
		/* log.c's rules: no file created in a directory everyone may write to. */
		bool shared = log_dir_shared(cfg.log);

		fd = (int)real.syscall(SYS_openat, AT_FDCWD, cfg.log, O_WRONLY | O_APPEND | O_CLOEXEC |
				  O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | (shared ? 0 : O_CREAT), 0600);
		if (fd >= 0 && shared && (real.syscall(SYS_fstat, fd, &st) != 0 || !log_file_ours(&st))) {
			real.syscall(SYS_close, fd);
			return;
		}
	} else if (real.syscall(SYS_fstat, STDERR_FILENO, &st) != 0 || S_ISSOCK(st.st_mode))
		return;		/* fd 2 is the connection (inetd): never write there */
	if (fd < 0)
		return;
	for (size_t done = 0; done < n;) {
		long w = real.syscall(SYS_write, fd, line + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (fd != STDERR_FILENO)
		real.syscall(SYS_close, fd);
}

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (own_calls())
		emit();
	errno = saved;
}

/* At exit (the library's destructor). */
__attribute__((destructor)) static void at_exit(void)
{
	char line[600];

	if (!cfg.stats)
		return;
	line[format(line, sizeof(line) - 1, false)] = '\0';
	/* Through log.c: syslog too, when fd 2 is a socket or SCTPIZE_LOG=syslog. */
	log_line(0, "%s", line);
}

/* Start-up (real.c): the signal, if one was asked for. */
void stats_init(void)
{
	if (cfg.stats_signal) {
		struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

		sigemptyset(&sa.sa_mask);
		sigaction(cfg.stats_signal, &sa, NULL);
	}
}
