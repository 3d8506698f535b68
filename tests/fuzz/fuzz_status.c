/*
 * fuzz_status - libFuzzer target of the parsers of "sctpize status PID"
 * (bin/status.c, part of sctpize-helper): /proc/PID/environ as the
 * SCTPIZE_* settings, and the kernel's tables sctp/eps, sctp/assocs,
 * sctp/remaddr, tcp and tcp6, with their fields, kernel-printed addresses
 * (%pI4, %pI6, '*'-marked) and hex endpoints.
 *
 * status.c is included with fopen() replaced, so that each table is a part
 * of the input (fmemopen), and the process is a made-up one: sockets with
 * inodes 1 to 16 on descriptors 3 to 18, and inode 5 on descriptor 20 as
 * well; no pidfd, so no descriptor of a real process is ever touched.  The
 * input is split at 0xff bytes into: the environment (NUL-separated
 * entries), eps, assocs, remaddr, tcp, tcp6.  What the report prints goes to
 * /dev/null (or to stdout with FUZZ_SHOW=1); memory safety and undefined behaviour are what is checked
 * (ASan, UBSan), and that the process's socket list is left sorted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../shim/core/core.h"
#include "../../bin/helper.h"

enum { ENVIRON, EPS, ASSOCS, REMADDR, TCP, TCP6, PARTS };

static struct {
	const char *data;
	size_t size;
} part[PARTS];

/*
 * A table as a stream over its part of the input.  Each stream gets a buffer
 * of its own from a small ring (at most two tables are open at once), so
 * that glibc does not allocate one for every table of every run: under ASan
 * that allocation, always fresh memory, was most of the time spent.
 */
static FILE *fuzz_fopen(const char *path, const char *mode)
{
	static const char *const tables[PARTS] = {
		[EPS] = "/net/sctp/eps", [ASSOCS] = "/net/sctp/assocs",
		[REMADDR] = "/net/sctp/remaddr", [TCP] = "/net/tcp", [TCP6] = "/net/tcp6",
	};
	static char bufs[4][4096], empty[1];
	static unsigned next;
	size_t len = strlen(path);

	(void)mode;
	for (int i = EPS; i < PARTS; i++) {
		size_t tl = strlen(tables[i]);

		if (len > tl && strcmp(path + len - tl, tables[i]) == 0) {
			FILE *f = fmemopen(part[i].size ? (void *)part[i].data : empty,
					   part[i].size, "r");

			if (f)
				setvbuf(f, bufs[next++ % 4], _IOFBF, sizeof(bufs[0]));
			return f;
		}
	}
	errno = ENOENT;
	return NULL;
}

#define fopen fuzz_fopen
#include "../../bin/status.c"
#undef fopen

/* sctpize-helper.c's, which status.c calls only for a process without the library. */
enum obstacle preload_obstacle(const char *path)
{
	(void)path;
	return NO_OBSTACLE;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	(void)argc, (void)argv;
	if (getenv("FUZZ_SHOW"))	/* FUZZ_SHOW=1: print the reports (to look at a seed) */
		return 0;
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();
	close(null);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_fd socks[17];
	struct proc p = { .pid = 4242, .dir = "/proc/4242", .pidfd = -1, .socks = socks,
			  .n_socks = 17 };
	char *copy = malloc(size + 1), *env;
	size_t start = 0, k = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(part, 0, sizeof(part));
	for (size_t i = 0; i <= size && k < PARTS; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		part[k].data = copy + start;
		part[k++].size = i - start;
		start = i + 1;
	}
	/* The sockets, sorted by inode then descriptor, as list_sockets() leaves them. */
	for (int i = 0, n = 0; i < 16; i++) {
		socks[n++] = (struct sock_fd){ (unsigned long)i + 1, i + 3, false };
		if (i == 4)
			socks[n++] = (struct sock_fd){ 5, 20, false };
	}

	/* The environment as read_file() leaves it: NUL-terminated after its length. */
	env = malloc(part[ENVIRON].size + 1);
	if (env) {
		memcpy(env, part[ENVIRON].data, part[ENVIRON].size);
		env[part[ENVIRON].size] = '\0';
		show_settings(env, part[ENVIRON].size, size & 1);
		free(env);
	}
	show_listeners(&p);
	show_assocs(&p);
	show_tcp(&p, "tcp");
	show_tcp(&p, "tcp6");
	show_others(&p);
	fflush(stdout);
	for (size_t i = 1; i < p.n_socks; i++)
		if (cmp_sock(&socks[i - 1], &socks[i]) > 0)
			abort();
	free(copy);
	return 0;
}
