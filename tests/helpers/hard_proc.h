/*
 * hard_proc.h - what /proc says of the calling process, for the hardening
 * helpers that act once the main thread is seen blocked in a call
 * (hard_failure.c: the peer aborts; hard_signals.c: the signal comes).
 */
#ifndef HARD_PROC_H
#define HARD_PROC_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The main thread's state letter (R, S, D, ...), from /proc; '?' if unknown. */
static inline char main_state(void)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces and parentheses */
	return p && p[1] == ' ' ? p[2] : '?';
}

#endif
