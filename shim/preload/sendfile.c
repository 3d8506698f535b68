/*
 * sendfile.c - sendfile() to an SCTP socket: a stream, not a message per page.
 *
 * The kernel sends a file to an SCTP socket one page at a time, and every
 * page becomes an SCTP message of its own: measured on loopback, a third
 * of the throughput of plain writes, and the reader gets 4 KiB per read.
 * To a converted socket, sendfile() is done as pread() and write() of
 * 64 KiB at a time (write_stream(): write.c sends what SCTP refuses as one
 * message), with
 * sendfile's contract: the count sent, *offset advanced or else the file
 * position, -1 with errno only when nothing was sent.  To anything else
 * sendfile() is libc's; deciding costs one getsockopt() per call.
 *
 * The buffers: a few, in the library's static memory, taken by one call at
 * a time (an atomic bit each).  Not the thread's own: a buffer in static
 * thread-local storage would take 64 KiB from every thread's stack, whether
 * it ever sends a file or not (threads made with small stacks would fail to
 * start).  Not the stack, for the same reason.  When every buffer is taken
 * (more threads sending files at once than buffers), the call is libc's:
 * slower, still correct.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "preload.h"

#define CHUNK 65536
#define BUFFERS 4

static char buffers[BUFFERS][CHUNK];
static atomic_uint taken;		/* bit i: buffers[i] is in use */

static char *take_buffer(unsigned *which)
{
	unsigned t = atomic_load_explicit(&taken, memory_order_relaxed);

	for (unsigned i = 0; i < BUFFERS; i++)
		if (!(t & (1u << i)) &&
		    !(atomic_fetch_or_explicit(&taken, 1u << i, memory_order_acquire) & (1u << i))) {
			*which = i;
			return buffers[i];
		}
	return NULL;
}

static void give_buffer(unsigned which)
{
	atomic_fetch_and_explicit(&taken, ~(1u << which), memory_order_release);
}

/* In a fork() child only the forking thread goes on: no other holds a buffer. */
static void child_after_fork(void)
{
	atomic_store_explicit(&taken, 0, memory_order_relaxed);
}

void sendfile_init(void)
{
	pthread_atfork(NULL, NULL, child_after_fork);
}

/* count bytes of in from pos to out through chunk; the count sent, or -1 with errno. */
static ssize_t copy_out(int out, int in, off_t pos, size_t count, char *chunk)
{
	size_t done = 0;

	while (done < count) {
		size_t want = count - done < CHUNK ? count - done : CHUNK;
		ssize_t got = pread(in, chunk, want, pos + (off_t)done), sent = 0;

		if (got <= 0) {
			if (got < 0 && done == 0)
				return -1;
			break;	/* end of file, or an error after some bytes */
		}
		while (sent < got) {
			ssize_t r = write_stream(out, chunk + sent, (size_t)(got - sent));

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
	return (ssize_t)done;
}

/* sendfile(), for both its names. */
static ssize_t send_file(int out, int in, off_t *offset, size_t count)
{
	unsigned which;
	char *chunk;
	ssize_t done;
	off_t pos;

	if (count == 0 || !own_calls() || !is_sctp(out))
		return real.sendfile(out, in, offset, count);
	pos = offset ? *offset : lseek(in, 0, SEEK_CUR);
	if (pos < 0)
		return real.sendfile(out, in, offset, count);	/* not seekable */
	chunk = take_buffer(&which);
	if (!chunk)
		return real.sendfile(out, in, offset, count);
	done = copy_out(out, in, pos, count, chunk);
	give_buffer(which);
	if (done < 0)
		return -1;
	if (offset)
		*offset = pos + (off_t)done;
	else
		lseek(in, pos + (off_t)done, SEEK_SET);
	return done;
}

EXPORT ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	sctpize_init();
	return send_file(out, in, offset, count);
}

/* Programs built with large-file support call it by this name (same ABI here). */
EXPORT ssize_t sendfile64(int out, int in, off_t *offset, size_t count)
{
	sctpize_init();
	return send_file(out, in, offset, count);
}
