/*
 * file.c - the core's only system calls: reading a small file.
 *
 * The config file (rules.c), a kernel default (/proc/sys, tcpopt.c) and a
 * row of /proc/net/sctp/assocs (tcpinfo.c) are read here, with the system
 * calls themselves: inside the preload library this may run in its
 * start-up, where a wrapped read() or close() would start it again, and
 * libc's syscall() is wrapped too (process.c).  So the calls go through
 * core_syscall, which is libc's syscall() in any other program and the
 * next definition (real.syscall) once the preload library has set it,
 * first thing in its start-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core.h"

long (*core_syscall)(long, ...) = syscall;

int core_open(const char *path, int flags)
{
	return (int)core_syscall(SYS_openat, (long)AT_FDCWD, (long)path, (long)flags, 0L);
}

ssize_t core_read(int fd, void *buf, size_t len)
{
	return core_syscall(SYS_read, (long)fd, (long)buf, (long)len);
}

int core_fstat(int fd, struct stat *st)
{
	return (int)core_syscall(SYS_fstat, (long)fd, (long)st);
}

int core_close(int fd)
{
	return (int)core_syscall(SYS_close, (long)fd);
}

int core_read_number(const char *path, int dflt)
{
	char buf[16] = "";
	int saved = errno, fd = core_open(path, O_RDONLY | O_CLOEXEC), v = 0;

	if (fd >= 0) {
		if (core_read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		core_close(fd);
	}
	for (char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	errno = saved;
	return v > 0 ? v : dflt;
}
