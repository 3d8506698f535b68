/*
 * helper.h - what the C helpers in tests/helpers (and their subfolders) all
 * repeat: the name of an errno value, the end of a program whose setup
 * failed, and the monotonic clock.  Header-only: every helper is a program
 * (or a preload) of its own, built from its own sources.
 *
 * die() and diex() are for the steps a test needs but does not test
 * (making a listener, a fork(), a bad argument): what is tested is printed
 * as a result line and never dies.
 */
#ifndef HELPER_H
#define HELPER_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The name of errno value E ("EAGAIN"; "0" for 0), "?" for one glibc has no name for. */
static inline const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

/* Print "PROGRAM: MESSAGE[: ENAME]" on stderr, stdout flushed first (to keep the order); exit 1. */
static inline void helper_vdie(int e, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	if (e >= 0)
		fprintf(stderr, ": %s", ename(e));
	fputc('\n', stderr);
	exit(1);
}

/* A step failed: "PROGRAM: MESSAGE: ENAME" (errno as die() found it) on stderr, exit 1. */
static inline __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	helper_vdie(e, fmt, ap);
	va_end(ap);
	exit(1);
}

/* The same without the errno name: bad usage, an answer that makes no sense. */
static inline __attribute__((noreturn, format(printf, 1, 2))) void diex(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	helper_vdie(-1, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Seconds on the monotonic clock. */
static inline double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
