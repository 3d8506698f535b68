/*
 * stdio_service.c - an inetd-style service that reads its socket with stdio.
 *
 *   stdio_service OUT     (started by xinetd, the connection on fds 0, 1, 2)
 *
 * Reads standard input with fgets() until end of file, as many small C
 * services under inetd do, and copies every line to OUT.part; at the end it
 * writes how the input ended ("eof", or "error: ..." when fgets() failed)
 * to OUT.end and renames OUT.part to OUT.  stdio reads through libc's own
 * internal read, never through the read() a preloaded library wraps: what
 * it sees is exactly what the kernel hands the socket's reader.  Nothing is
 * written to the connection.
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
	while (fgets(line, sizeof(line), stdin))
		fputs(line, out);
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
