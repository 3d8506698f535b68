/*
 * e2e_stdio_service.c - an inetd-style service that reads its socket with stdio.
 *
 *   e2e_stdio_service OUT     (started by xinetd, the connection on fds 0, 1, 2)
 *
 * Reads standard input with fgets() until end of file, as many small C
 * services under inetd do, and copies every byte it got to OUT.part as it
 * goes (unbuffered: a test that gives up can look at it); at the end it
 * writes how the input ended ("eof", or "error: ..." when fgets() failed)
 * to OUT.end and renames OUT.part to OUT.  stdio reads through libc's own
 * internal read, never through the read() a preloaded library wraps: what
 * it sees is exactly what the kernel hands the socket's reader.  Nothing is
 * written to the connection.
 *
 * Bytes are copied exactly, NUL bytes too: the buffer is filled with 0xff
 * before each fgets(), which stores its terminating NUL right after the
 * last byte it read, so that byte is the last one before the untouched
 * 0xff tail.
 *
 * Used by tests/e2e/xinetd_stdio.bats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[1000], *part, *end;
	FILE *out, *status;
	int err;

	if (argc != 2)
		return 2;
	if (asprintf(&part, "%s.part", argv[1]) < 0 || asprintf(&end, "%s.end", argv[1]) < 0)
		return 1;
	out = fopen(part, "w");
	if (!out)
		return 1;
	setvbuf(out, NULL, _IONBF, 0);
	for (;;) {
		size_t n = sizeof(line) - 1;

		memset(line, 0xff, sizeof(line));
		if (!fgets(line, sizeof(line), stdin))
			break;
		while (n > 0 && (unsigned char)line[n] == 0xff)
			n--;	/* line[n]: the terminating NUL */
		if (fwrite(line, 1, n, out) != n)
			return 1;
	}
	err = ferror(stdin) ? errno : 0;
	if (fclose(out) != 0 || rename(part, argv[1]) != 0)
		return 1;
	status = fopen(end, "w");
	if (!status)
		return 1;
	if (err)
		fprintf(status, "error: %s\n", strerror(err));
	else
		fprintf(status, "eof\n");
	return fclose(status) != 0;
}
