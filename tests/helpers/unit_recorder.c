/*
 * unit_recorder.c - a preload that records what reaches libc, for the decision tests.
 *
 * Preloaded after the shim (LD_PRELOAD="build/libsctpize.so build/tests/unit_recorder.so"),
 * it is what the shim's dlsym(RTLD_NEXT) finds: each call the shim passes on
 * appends one line to the file named by RECORDER_LOG, then goes to libc:
 *
 *   socket DOMAIN TYPE PROTOCOL = RET [ERRNAME]
 *   setsockopt FD LEVEL OPTNAME OPTLEN [decoded value] = RET [ERRNAME]
 *   getsockopt FD LEVEL OPTNAME OPTLEN = RET [ERRNAME]
 *   accept FD = RET, accept4 FD FLAGS = RET, bind FD FAMILY = RET
 *
 * The decoded value of a setsockopt is "v=INT" for an int, and the fields
 * the shim fills for the SCTP structures (hbinterval=, pathmaxrxt=, ...).
 *
 * RECORDER_FAKE_SCTP=1 fakes SCTP on a kernel without it: socket(AF_INET or
 * AF_INET6, SOCK_STREAM[|flags], IPPROTO_SCTP) makes a TCP socket with the
 * same flags and remembers its fd; on such an fd getsockopt(SOL_SOCKET,
 * SO_PROTOCOL) answers 132, and level IPPROTO_SCTP calls succeed: a set is
 * stored (SCTP_PEER_ADDR_PARAMS and SCTP_ASSOCINFO merge non-zero fields, as
 * the kernel does), a get answers the stored bytes or zeros.  A get
 * before any set answers the kernel's defaults (rto 3000/60000/1000 ms,
 * asocmaxrxt 10, hbinterval 30000 ms, pathmaxrxt 5, max_attempts 8).  SCTP_STATUS
 * fails with EINVAL, as on a socket without an association.  Accepting on a
 * fake listener makes a fake socket.  close() forgets the fd.
 *
 * sctp_connectx()'s requests are decoded as " addrs=A:P,B:P,..." (the
 * addresses in the order offered): getsockopt SCTP_SOCKOPT_CONNECTX3, and
 * setsockopt SCTP_SOCKOPT_CONNECTX and _CONNECTX_OLD.
 *
 * Two test hooks, neither of which writes a line:
 *
 *   RECORDER_RAISE=NAME[:N] raises SIGUSR1 inside the Nth call (default the
 *   first) of NAME that reaches libc, once, just after libc answered and
 *   before the caller sees the answer; NAME is one of read, readv, recv,
 *   recvfrom, recvmsg, recvmmsg.  Only calls made while the variable names
 *   NAME count, so a program may set it (setenv()) right before the call
 *   under test.  The handler then runs inside the shim's wrapper.
 *
 *   RECORDER_HOSTS="NAME=IP,IP,...;NAME=IP,..." fakes getaddrinfo() for
 *   those names: one SOCK_STREAM result per address of the family asked
 *   for, in the order given, with the numeric service as port; any other
 *   name goes to libc.  The results are freed by libc's freeaddrinfo().
 *
 * Every call keeps errno as libc leaves it (logging does not touch it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netdb.h>
#include <netinet/sctp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "helper.h"

#define MAXFD 256
#define MAXOPT 48
#define OPTBYTES 256

static struct fake {
	int on;
	unsigned char opt[MAXOPT][OPTBYTES];
	socklen_t len[MAXOPT];
} *fakes;			/* allocated once, indexed by fd */

static int fake_mode(void)
{
	const char *v = getenv("RECORDER_FAKE_SCTP");

	return v && strcmp(v, "1") == 0;
}

static int is_fake(int fd)
{
	return fake_mode() && fakes && fd >= 0 && fd < MAXFD && fakes[fd].on;
}

static void set_fake(int fd, int on)
{
	if (fd < 0 || fd >= MAXFD)
		return;
	if (!fakes) {
		if (!on)
			return;
		fakes = calloc(MAXFD, sizeof(*fakes));
		if (!fakes)
			abort();
	}
	memset(&fakes[fd], 0, sizeof(fakes[fd]));
	fakes[fd].on = on;
	if (on) {
		/* The kernel's defaults (net.sctp sysctls) for the options the shim reads. */
		struct fake *f = &fakes[fd];
		struct sctp_rtoinfo *ri = (void *)f->opt[SCTP_RTOINFO];
		struct sctp_assocparams *ap = (void *)f->opt[SCTP_ASSOCINFO];
		struct sctp_paddrparams *pp = (void *)f->opt[SCTP_PEER_ADDR_PARAMS];
		struct sctp_initmsg *im = (void *)f->opt[SCTP_INITMSG];

		ri->srto_initial = 3000, ri->srto_max = 60000, ri->srto_min = 1000;
		f->len[SCTP_RTOINFO] = sizeof(*ri);
		ap->sasoc_asocmaxrxt = 10;
		f->len[SCTP_ASSOCINFO] = sizeof(*ap);
		pp->spp_hbinterval = 30000, pp->spp_pathmaxrxt = 5;
		f->len[SCTP_PEER_ADDR_PARAMS] = sizeof(*pp);
		im->sinit_max_attempts = 8;
		f->len[SCTP_INITMSG] = sizeof(*im);
	}
}

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logline(const char *fmt, ...)
{
	int saved = errno, fd, n;
	const char *path = getenv("RECORDER_LOG");
	char line[512];
	va_list ap;

	if (!path || !*path)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0) {
			/* nothing to do: a test will notice the missing line */
		}
		close(fd);
	}
	errno = saved;
}

/* " = RET" or " = -1 ERRNAME" */
static const char *result(int ret, int err, char *buf, size_t size)
{
	if (ret < 0)
		snprintf(buf, size, "= %d %s", ret, ename(err));
	else
		snprintf(buf, size, "= %d", ret);
	return buf;
}

#define NEXT(name) \
	static __typeof__(name) *next_##name; \
	if (!next_##name) next_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), fd, err;
	int fake = fake_mode() && protocol == IPPROTO_SCTP &&
		   (domain == AF_INET || domain == AF_INET6) && base == SOCK_STREAM;
	char r[64];
	NEXT(socket);

	fd = next_socket(domain, type, fake ? 0 : protocol);
	err = errno;
	if (fd >= 0)
		set_fake(fd, fake);
	logline("socket %d %d %d %s", domain, type, protocol, result(fd, err, r, sizeof(r)));
	errno = err;
	return fd;
}

/* Packed addresses (sctp_connectx()): " addrs=A:P,B:P,..." in order. */
static void decode_packed(const unsigned char *addrs, size_t bytes, char *buf, size_t size)
{
	size_t used, off = 0;
	char ip[INET6_ADDRSTRLEN];

	used = (size_t)snprintf(buf, size, " addrs=");
	while (addrs && off + sizeof(struct sockaddr) <= bytes && used < size) {
		const struct sockaddr *sa = (const struct sockaddr *)(addrs + off);
		const void *a = sa->sa_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		unsigned port = ntohs(((const struct sockaddr_in *)sa)->sin_port);

		if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
			break;
		inet_ntop(sa->sa_family, a, ip, sizeof(ip));
		used += (size_t)snprintf(buf + used, size - used, "%s%s:%u", off ? "," : "", ip, port);
		off += sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	}
}

/* The fields of the SCTP structures that the shim fills, in words. */
static void decode(int level, int optname, const void *v, socklen_t len, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!v)
		return;
	if (level == IPPROTO_SCTP &&
	    (optname == SCTP_SOCKOPT_CONNECTX || optname == SCTP_SOCKOPT_CONNECTX_OLD)) {
		decode_packed(v, len, buf, size);
		return;
	}
	if (level == IPPROTO_SCTP && optname == SCTP_PEER_ADDR_PARAMS &&
	    len >= sizeof(struct sctp_paddrparams)) {
		const struct sctp_paddrparams *p = v;

		snprintf(buf, size, " hbinterval=%u pathmaxrxt=%u flags=%u",
			 p->spp_hbinterval, p->spp_pathmaxrxt, p->spp_flags);
	} else if (level == IPPROTO_SCTP && optname == SCTP_INITMSG &&
		   len >= sizeof(struct sctp_initmsg)) {
		const struct sctp_initmsg *m = v;

		snprintf(buf, size, " max_attempts=%u ostreams=%u instreams=%u",
			 m->sinit_max_attempts, m->sinit_num_ostreams, m->sinit_max_instreams);
	} else if (level == IPPROTO_SCTP && optname == SCTP_RTOINFO &&
		   len >= sizeof(struct sctp_rtoinfo)) {
		const struct sctp_rtoinfo *r = v;

		snprintf(buf, size, " initial=%u max=%u min=%u", r->srto_initial, r->srto_max,
			 r->srto_min);
	} else if (level == IPPROTO_SCTP && optname == SCTP_ASSOCINFO &&
		   len >= sizeof(struct sctp_assocparams)) {
		const struct sctp_assocparams *a = v;

		snprintf(buf, size, " asocmaxrxt=%u", a->sasoc_asocmaxrxt);
	} else if (level == IPPROTO_SCTP && optname == SCTP_MAXSEG &&
		   len >= sizeof(struct sctp_assoc_value)) {
		const struct sctp_assoc_value *a = v;

		snprintf(buf, size, " assoc_value=%u", a->assoc_value);
	} else if (len == sizeof(int)) {
		int i;

		memcpy(&i, v, sizeof(i));
		snprintf(buf, size, " v=%d", i);
	}
}

static void fake_store(int fd, int optname, const void *v, socklen_t len)
{
	struct fake *f = &fakes[fd];

	if (optname < 0 || optname >= MAXOPT || !v)
		return;
	if (len > OPTBYTES)
		len = OPTBYTES;
	if (optname == SCTP_PEER_ADDR_PARAMS && len >= sizeof(struct sctp_paddrparams)) {
		struct sctp_paddrparams *old = (void *)f->opt[optname];
		const struct sctp_paddrparams *new = v;

		if (new->spp_hbinterval)
			old->spp_hbinterval = new->spp_hbinterval;
		if (new->spp_pathmaxrxt)
			old->spp_pathmaxrxt = new->spp_pathmaxrxt;
		if (new->spp_flags)
			old->spp_flags = new->spp_flags;
		f->len[optname] = sizeof(*old);
		return;
	}
	if (optname == SCTP_ASSOCINFO && len >= sizeof(struct sctp_assocparams)) {
		struct sctp_assocparams *old = (void *)f->opt[optname];
		const struct sctp_assocparams *new = v;

		if (new->sasoc_asocmaxrxt)
			old->sasoc_asocmaxrxt = new->sasoc_asocmaxrxt;
		f->len[optname] = sizeof(*old);
		return;
	}
	memcpy(f->opt[optname], v, len);
	f->len[optname] = len;
}

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	char d[512], r[64];
	int ret, err;
	NEXT(setsockopt);

	decode(level, optname, optval, optlen, d, sizeof(d));
	if (level == IPPROTO_SCTP && is_fake(fd)) {
		err = errno;
		fake_store(fd, optname, optval, optlen);
		ret = 0;
	} else {
		ret = next_setsockopt(fd, level, optname, optval, optlen);
		err = errno;
	}
	logline("setsockopt %d %d %d %u%s %s", fd, level, optname, (unsigned)optlen, d,
		result(ret, err, r, sizeof(r)));
	errno = err;
	return ret;
}

/* sctp_connectx()'s request (SCTP_SOCKOPT_CONNECTX3): " addrs=A:P,B:P,..." in order. */
static void decode_connectx(const void *v, socklen_t len, char *buf, size_t size)
{
	const struct { sctp_assoc_t id; int bytes; const unsigned char *addrs; } *p = v;

	buf[0] = '\0';
	if (!v || len < sizeof(*p) || p->bytes < 0)
		return;
	decode_packed(p->addrs, (size_t)p->bytes, buf, size);
}

int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	unsigned inlen = optlen ? (unsigned)*optlen : 0;
	char r[64], d[512] = "";
	int ret, err = errno;
	NEXT(getsockopt);

	if (level == IPPROTO_SCTP && optname == SCTP_SOCKOPT_CONNECTX3 && optlen)
		decode_connectx(optval, *optlen, d, sizeof(d));

	if (is_fake(fd) && level == SOL_SOCKET && optname == SO_PROTOCOL && optval && optlen &&
	    *optlen >= sizeof(int)) {
		int p = IPPROTO_SCTP;

		memcpy(optval, &p, sizeof(p));
		*optlen = sizeof(p);
		ret = 0;
	} else if (is_fake(fd) && level == IPPROTO_SCTP && optname == SCTP_STATUS) {
		ret = -1;
		err = EINVAL;
	} else if (is_fake(fd) && level == IPPROTO_SCTP && optval && optlen) {
		struct fake *f = &fakes[fd];
		socklen_t n = *optlen;

		memset(optval, 0, n);
		if (optname >= 0 && optname < MAXOPT && f->len[optname])
			memcpy(optval, f->opt[optname], n < f->len[optname] ? n : f->len[optname]);
		ret = 0;
	} else {
		ret = next_getsockopt(fd, level, optname, optval, optlen);
		err = errno;
	}
	logline("getsockopt %d %d %d %u%s %s", fd, level, optname, inlen, d,
		result(ret, err, r, sizeof(r)));
	errno = err;
	return ret;
}

int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	char r[64];
	int ret, err;
	NEXT(accept);

	ret = next_accept(fd, addr, addrlen);
	err = errno;
	if (ret >= 0)
		set_fake(ret, is_fake(fd));
	logline("accept %d %s", fd, result(ret, err, r, sizeof(r)));
	errno = err;
	return ret;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	char r[64];
	int ret, err;
	NEXT(accept4);

	ret = next_accept4(fd, addr, addrlen, flags);
	err = errno;
	if (ret >= 0)
		set_fake(ret, is_fake(fd));
	logline("accept4 %d %d %s", fd, flags, result(ret, err, r, sizeof(r)));
	errno = err;
	return ret;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	char r[64];
	int ret, err;
	NEXT(bind);

	ret = next_bind(fd, addr, len);
	err = errno;
	logline("bind %d %d %s", fd, addr ? addr->sa_family : -1, result(ret, err, r, sizeof(r)));
	errno = err;
	return ret;
}

int close(int fd)
{
	NEXT(close);

	if (fakes && fd >= 0 && fd < MAXFD)
		fakes[fd].on = 0;
	return next_close(fd);
}

/* --- RECORDER_RAISE: a signal inside a read call that reached libc --- */

static void maybe_raise(const char *name)
{
	static int count, done;
	const char *v = getenv("RECORDER_RAISE");
	size_t l = strlen(name);
	int saved = errno, n;

	if (!v || __atomic_load_n(&done, __ATOMIC_RELAXED) || strncmp(v, name, l) != 0 ||
	    (v[l] != '\0' && v[l] != ':'))
		return;
	n = v[l] == ':' ? atoi(v + l + 1) : 1;
	if (__atomic_add_fetch(&count, 1, __ATOMIC_RELAXED) < n ||
	    __atomic_exchange_n(&done, 1, __ATOMIC_RELAXED))
		return;
	raise(SIGUSR1);
	errno = saved;
}

ssize_t read(int fd, void *buf, size_t len)
{
	NEXT(read);
	ssize_t r = next_read(fd, buf, len);

	maybe_raise("read");
	return r;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	NEXT(readv);
	ssize_t r = next_readv(fd, iov, iovcnt);

	maybe_raise("readv");
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	NEXT(recv);
	ssize_t r = next_recv(fd, buf, len, flags);

	maybe_raise("recv");
	return r;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	NEXT(recvfrom);
	ssize_t r = next_recvfrom(fd, buf, len, flags, from, fromlen);

	maybe_raise("recvfrom");
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	NEXT(recvmsg);
	ssize_t r = next_recvmsg(fd, msg, flags);

	maybe_raise("recvmsg");
	return r;
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *timeout)
{
	NEXT(recvmmsg);
	int r = next_recvmmsg(fd, vec, vlen, flags, timeout);

	maybe_raise("recvmmsg");
	return r;
}

/* --- RECORDER_HOSTS: getaddrinfo() of test names --- */

/* The addresses listed for node in RECORDER_HOSTS ("a=IP,IP;b=IP"), or NULL. */
static const char *fake_host(const char *node, size_t *len)
{
	const char *v = getenv("RECORDER_HOSTS"), *p;
	size_t l = strlen(node);

	for (p = v; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		if (strncmp(p, node, l) == 0 && p[l] == '=') {
			const char *end = strchr(p + l + 1, ';');

			*len = end ? (size_t)(end - (p + l + 1)) : strlen(p + l + 1);
			return p + l + 1;
		}
	}
	return NULL;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	NEXT(getaddrinfo);
	const char *list;
	size_t len = 0;
	int family = hints ? hints->ai_family : AF_UNSPEC;
	int socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_STREAM;
	long port = 0;
	struct addrinfo *head = NULL, **tail = &head;

	if (!node || !res || !(list = fake_host(node, &len)))
		return next_getaddrinfo(node, service, hints, res);
	if (service) {
		char *end;

		port = strtol(service, &end, 10);
		if (*end || port < 0 || port > 65535)
			return EAI_SERVICE;
	}
	while (len > 0) {
		const char *comma = memchr(list, ',', len);
		size_t n = comma ? (size_t)(comma - list) : len;
		char ip[INET6_ADDRSTRLEN] = "";
		struct addrinfo *ai;
		struct sockaddr_in6 *s6;
		struct sockaddr_in *s4;

		if (n < sizeof(ip))
			memcpy(ip, list, n);
		list += comma ? n + 1 : n;
		len -= comma ? n + 1 : n;
		ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in6));
		if (!ai)
			break;
		s6 = (struct sockaddr_in6 *)(ai + 1);
		s4 = (struct sockaddr_in *)(ai + 1);
		if ((family == AF_UNSPEC || family == AF_INET6) &&
		    inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			ai->ai_family = AF_INET6;
			ai->ai_addrlen = sizeof(*s6);
		} else if ((family == AF_UNSPEC || family == AF_INET) &&
			   inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			ai->ai_family = AF_INET;
			ai->ai_addrlen = sizeof(*s4);
		} else {
			free(ai);
			continue;
		}
		ai->ai_socktype = socktype;
		ai->ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : 0;
		ai->ai_addr = (struct sockaddr *)(ai + 1);
		*tail = ai;
		tail = &ai->ai_next;
	}
	if (!head)
		return EAI_NONAME;
	*res = head;
	return 0;
}
