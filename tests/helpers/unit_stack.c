/*
 * unit_stack - threads with small stacks, for tests/unit/stream.bats.
 *
 * Programs that run many threads give them small stacks (64 KiB is common:
 * thread pools, Go-like runtimes, musl's default is 128 KiB).  A preloaded
 * library's static thread-local storage comes out of every thread's stack,
 * so a large __thread buffer in it makes such threads fail to start, or
 * overflow.
 *
 *   unit_stack small   pthread_create() with a 64 KiB stack: prints
 *                      "small=ok" or "small=ENAME" (what pthread_create said)
 *   unit_stack deep    a thread with a 128 KiB stack that uses 90 KiB of it:
 *                      prints "deep=ok" (a stack overflow kills the process)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "helper.h"

static void *nothing(void *arg)
{
	return arg;
}

/* Touch n bytes of stack, the far end included. */
static __attribute__((noinline)) unsigned use_stack(size_t n)
{
	volatile unsigned char block[92160];	/* 90 KiB */
	unsigned sum = 0;

	if (n > sizeof(block))
		n = sizeof(block);
	for (size_t i = 0; i < n; i += 512)
		block[i] = (unsigned char)i;
	block[n - 1] = 1;
	for (size_t i = 0; i < n; i += 512)
		sum += block[i];
	return sum + block[n - 1];
}

static volatile unsigned sink;

static void *deep(void *arg)
{
	sink = use_stack(92160);
	return arg;
}

static int run(const char *name, size_t stack, void *(*fn)(void *))
{
	pthread_attr_t a;
	pthread_t t;
	int e;

	pthread_attr_init(&a);
	e = pthread_attr_setstacksize(&a, stack);
	if (e == 0)
		e = pthread_create(&t, &a, fn, NULL);
	if (e == 0)
		e = pthread_join(t, NULL);
	printf("%s=%s\n", name, e == 0 ? "ok" : ename(e));
	return e == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "small") == 0)
		return run("small", 65536, nothing);
	if (argc == 2 && strcmp(argv[1], "deep") == 0)
		return run("deep", 131072, deep);
	fprintf(stderr, "usage: unit_stack small|deep\n");
	return 2;
}
