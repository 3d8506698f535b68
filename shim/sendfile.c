/*
 * sendfile.c - sendfile() to an SCTP socket: a stream, not a message per page.
 *
 * The kernel sends a file to an SCTP socket one page at a time, and every
 * page becomes an SCTP message of its own: measured on loopback, a third
 * of the throughput of plain writes, and the reader gets 4 KiB per read.
 * To a converted socket, sendfile() is done as pread() and write() of
 * 64 KiB at a time (write.c sends what SCTP refuses as one message), with
 * sendfile's contract: the count sent, *offset advanced or else the file
 * position, -1 with errno only when nothing was sent.  The buffer is the
 * thread's own (no allocation).  To anything else sendfile() is libc's;
 * deciding costs one getsockopt() per call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "sctpize.h"

#define CHUNK 65536

static __thread char chunk[CHUNK];

EXPORT ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	off_t pos;
	size_t done = 0;

	sctpize_init();
	if (count == 0 || !is_sctp(out))
		return real.sendfile(out, in, offset, count);
	pos = offset ? *offset : lseek(in, 0, SEEK_CUR);
	if (pos < 0)
		return real.sendfile(out, in, offset, count);	/* not seekable */
	while (done < count) {
		size_t want = count - done < CHUNK ? count - done : CHUNK;
		ssize_t got = pread(in, chunk, want, pos + (off_t)done), sent = 0;

		if (got <= 0) {
			if (got < 0 && done == 0)
				return -1;
			break;	/* end of file, or an error after some bytes */
		}
		while (sent < got) {
			ssize_t r = write(out, chunk + sent, (size_t)(got - sent));

			if (r <= 0)
				break;
			sent += r;
		}
		done += (size_t)sent;
		if (sent < got) {
			if (done == 0)
				return -1;	/* errno: the write's (EAGAIN, EPIPE, ...) */
			break;
		}
	}
	if (offset)
		*offset = pos + (off_t)done;
	else
		lseek(in, pos + (off_t)done, SEEK_SET);
	return (ssize_t)done;
}

/* Programs built with large-file support call it by this name (same ABI here). */
EXPORT ssize_t sendfile64(int out, int in, off_t *offset, size_t count)
{
	return sendfile(out, in, offset, count);
}
