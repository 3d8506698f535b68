/*
 * wire.c - the stress program's wire (main.c says the protocol): pseudo-random
 * payloads, FNV-1a checksums, the header's and trailer's fields, and reads and
 * writes through every call a TCP program uses, in pieces of random sizes.
 */
#include "stress.h"

uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint64_t rng_seed(uint64_t a, uint64_t b)
{
	uint64_t s = (a + 1) * 0x9E3779B97F4A7C15ULL ^ (b + 7) * 0xBF58476D1CE4E5B9ULL;

	return s ? s : 1;
}

unsigned rnd(uint64_t *s, unsigned n)
{
	return n ? (unsigned)(rng_next(s) % n) : 0;
}

void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t s = seed ? seed : 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng_next(&s);

		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ---------- reads and writes through every call a TCP program uses ---------- */

/* One read of at most n bytes, by call number how (0..5). */
ssize_t read_some(int fd, unsigned char *buf, size_t n, unsigned how)
{
	struct iovec iov[2];
	struct msghdr m;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	size_t half;

	switch (how % 6) {
	case 0:
		return read(fd, buf, n);
	case 1:
		return recv(fd, buf, n, 0);
	case 2:
		return recv(fd, buf, n, MSG_WAITALL);
	case 3:
		half = n / 2;
		iov[0] = (struct iovec){ buf, half };
		iov[1] = (struct iovec){ buf + half, n - half };
		return readv(fd, iov, 2);
	case 4:
		return recvfrom(fd, buf, n, 0, (struct sockaddr *)&from, &fromlen);
	default:
		iov[0] = (struct iovec){ buf, n };
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1;
		return recvmsg(fd, &m, 0);
	}
}

/*
 * Read exactly n bytes (pieces of random sizes); 0 on success, -1 on error
 * or early end of file (errno 0 then).
 */
int read_full(int fd, unsigned char *buf, size_t n, uint64_t *rng)
{
	size_t done = 0;

	while (done < n) {
		size_t want = n - done;

		if (rnd(rng, 4) == 0)
			want = 1 + rnd(rng, (unsigned)(want < 16384 ? want : 16384));
		ssize_t r = read_some(fd, buf + done, want, rnd(rng, 6));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* One write of n bytes, by call number how (0..4); may be short. */
ssize_t write_some(int fd, const unsigned char *buf, size_t n, unsigned how)
{
	struct iovec iov[2];
	struct msghdr m;
	size_t half;

	switch (how % 5) {
	case 0:
		return write(fd, buf, n);
	case 1:
		return send(fd, buf, n, MSG_NOSIGNAL);
	case 2:
		return sendto(fd, buf, n, 0, NULL, 0);
	case 3:
		half = n / 3;
		iov[0] = (struct iovec){ (void *)buf, half };
		iov[1] = (struct iovec){ (void *)(buf + half), n - half };
		return writev(fd, iov, 2);
	default:
		iov[0] = (struct iovec){ (void *)buf, n };
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1;
		return sendmsg(fd, &m, MSG_NOSIGNAL);
	}
}

/* Write n bytes in pieces of at most piece bytes (0: as the rng likes). */
int write_full(int fd, const unsigned char *buf, size_t n, size_t piece, uint64_t *rng)
{
	size_t done = 0;

	while (done < n) {
		size_t want = n - done;

		if (piece && want > piece)
			want = 1 + rnd(rng, (unsigned)piece);
		else if (!piece && rnd(rng, 6) == 0)
			want = 1 + rnd(rng, (unsigned)want);
		ssize_t r = write_some(fd, buf + done, want, rnd(rng, 5));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}
