/*
 * fuzz_assocs - libFuzzer target of the /proc/net/sctp/assocs reader of
 * shim/core/tcpinfo.c (hbint_jiffies: the HBINT column of this socket's row,
 * read line by line through a fixed 4 KiB buffer).
 *
 * tcpinfo.c is included with core_open(), core_read(), fstat() and
 * core_close() replaced,
 * so that the "file" is the fuzz input, served in reads of a size the input
 * chooses, and the socket's inode is the input's too.  Input layout:
 *   bytes 0-3   the socket's inode (little-endian)
 *   byte 4      the size of each read: 1 + byte * 19 (or whatever is left)
 *   the rest    the content of /proc/net/sctp/assocs
 *
 * Checked besides memory safety and undefined behaviour: the value found is
 * the one a plain reading of the file gives (the first row, in file order,
 * whose 11th column is the inode and that has "<->" then a tab, HBINT being
 * the number after the tab; a line longer than the buffer is skipped, as the
 * comment in tcpinfo.c says).  By default that is checked for files without
 * NUL bytes or lines of 4095 bytes or more; with FUZZ_STRICT=1 in the
 * environment, for long lines too (a line's tail is not a line).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../shim/core/core.h"

#define FAKE_FD 4242

static struct {
	const uint8_t *data;
	size_t size, pos, chunk;
	unsigned long ino;
	int opened;
} file;

static int fuzz_open(const char *path, int flags, ...)
{
	(void)flags;
	if (strcmp(path, "/proc/net/sctp/assocs") != 0) {
		errno = ENOENT;
		return -1;
	}
	file.opened++;
	file.pos = 0;
	return FAKE_FD;
}

static ssize_t fuzz_read(int fd, void *buf, size_t n)
{
	size_t left = file.size - file.pos;

	if (fd != FAKE_FD) {
		errno = EBADF;
		return -1;
	}
	if (n > file.chunk)
		n = file.chunk;
	if (n > left)
		n = left;
	memcpy(buf, file.data + file.pos, n);
	file.pos += n;
	return (ssize_t)n;
}

static int fuzz_fstat(int fd, struct stat *st)
{
	(void)fd;
	memset(st, 0, sizeof(*st));
	st->st_ino = file.ino;
	st->st_mode = S_IFSOCK | 0777;
	return 0;
}

static int fuzz_close(int fd)
{
	if (fd == FAKE_FD)
		file.opened--;
	return 0;
}

#define core_open fuzz_open
#define core_read fuzz_read
#define fstat fuzz_fstat
#define core_close fuzz_close
#include "../../shim/core/tcpinfo.c"
#undef core_open
#undef core_read
#undef fstat
#undef core_close

/* The reference reading of the file: see the comment at the top. */
static unsigned long reference(const char *text, size_t size, unsigned long want, bool *clear)
{
	const char *line = text, *end = text + size;
	bool strict = getenv("FUZZ_STRICT") && strcmp(getenv("FUZZ_STRICT"), "1") == 0;

	*clear = memchr(text, '\0', size) == NULL;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		unsigned long ino;

		if (!nl)
			break;
		size_t len = (size_t)(nl - line);

		if (len >= 4095) {
			/* Skipped whole in strict mode; otherwise the result is not checked. */
			if (!strict)
				*clear = false;
			line = nl + 1;
			continue;
		}
		char *copy = strndup(line, len), *arrow, *tab;
		unsigned long found = 0;

		if (copy && sscanf(copy, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &ino) == 1 &&
		    ino == want && (arrow = strstr(copy, "<->")) && (tab = strchr(arrow, '\t')))
			found = strtoul(tab + 1, NULL, 10);
		free(copy);
		if (found)
			return found;
		line = nl + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool clear;

	if (size < 5)
		return 0;
	file.ino = (unsigned long)data[0] | (unsigned long)data[1] << 8 |
		   (unsigned long)data[2] << 16 | (unsigned long)data[3] << 24;
	file.chunk = 1 + (size_t)data[4] * 19;
	file.data = data + 5;
	file.size = size - 5;
	file.pos = 0;
	file.opened = 0;

	unsigned long got = hbint_jiffies(3);

	if (file.opened != 0) {
		fprintf(stderr, "fuzz_assocs: the file was left open\n");
		abort();
	}
	/* A NUL-terminated copy for the reference's string functions. */
	char *text = malloc(file.size + 1);

	if (!text)
		return 0;
	memcpy(text, file.data, file.size);
	text[file.size] = '\0';
	unsigned long want = reference(text, file.size, file.ino, &clear);

	if (clear && got != want) {
		fprintf(stderr, "fuzz_assocs: inode %lu, reads of %zu: HBINT %lu, expected %lu\n",
			file.ino, file.chunk, got, want);
		abort();
	}
	free(text);
	return 0;
}
