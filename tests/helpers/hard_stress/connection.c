/*
 * connection.c - the client's side of one connection of the stress program:
 * socket(), the TCP options a program sets, connect() (blocking, or
 * non-blocking and poll()), sometimes a dup() that takes over, one exchange
 * (main.c says the protocol), close(); the protocol each socket must have;
 * the servers to connect to ("PORT[:PROTO][@IP],...") and the client's options.
 */
#include "stress.h"

struct target targets[MAX_TARGETS];
int n_targets;

int fail_conn(struct conn_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned payload_len(uint64_t *rng, unsigned mode, unsigned maxlen)
{
	unsigned r = rnd(rng, 100), len;

	if (r < 3)
		len = 0;
	else if (r < 60)
		len = 1 + rnd(rng, 1024);
	else if (r < 90)
		len = 1024 + rnd(rng, 15 * 1024);
	else if (r < 99)
		len = 16384 + rnd(rng, 48 * 1024);
	else
		len = rnd(rng, maxlen + 1);
	if (len > maxlen)
		len = maxlen;
	if (mode == 'E' && len > ECHO_MAX)
		len = ECHO_MAX;
	return len;
}

/*
 * One exchange on connected socket fd in mode 'E', 'H' or 'W', with a
 * payload made from seed.  buf and back hold at least maxlen bytes.
 */
static int exchange(int fd, unsigned mode, unsigned maxlen, uint64_t seed, unsigned char *buf,
		    unsigned char *back, struct conn_result *res)
{
	uint64_t rng = rng_seed(seed, 99);
	unsigned len = payload_len(&rng, mode, maxlen);
	unsigned char hdr[HDR] = { (unsigned char)mode }, tr[TRAILER];
	uint64_t sum;
	ssize_t r;

	fill(buf, len, seed);
	sum = fnv(FNV0, buf, len);
	put32(hdr + 4, len);
	res->sent = res->received = 0;
	if (mode != 'W' && len <= ECHO_MAX && rnd(&rng, 4)) {
		/* Mostly header and payload in one write (one SCTP message: fewer calls). */
		memmove(buf + HDR, buf, len);
		memcpy(buf, hdr, HDR);
		if (write_full(fd, buf, HDR + len, 0, &rng) != 0)
			return fail_conn(res, "mode %c len %u: write: %s", mode, len, ename(errno));
		memmove(buf, buf + HDR, len);
	} else {
		if (write_full(fd, hdr, HDR, 0, &rng) != 0)
			return fail_conn(res, "mode %c: header write: %s", mode, ename(errno));
		if (write_full(fd, buf, len, mode == 'W' ? 4096 : 0, &rng) != 0)
			return fail_conn(res, "mode %c len %u: write: %s", mode, len,
					 ename(errno));
	}
	if (mode == 'H' && shutdown(fd, SHUT_WR) != 0)
		return fail_conn(res, "mode H: shutdown(SHUT_WR): %s", ename(errno));
	if (mode == 'E') {
		if (read_full(fd, back, len, &rng) != 0)
			return fail_conn(res, "mode E len %u: echo read: %s", len,
					 errno ? ename(errno) : "early end of file");
		if (memcmp(back, buf, len) != 0) {
			size_t i = 0;

			while (back[i] == buf[i])
				i++;
			return fail_conn(res, "mode E len %u: echo differs from byte %zu on "
					 "(got 0x%02x, sent 0x%02x): lost or reordered bytes",
					 len, i, back[i], buf[i]);
		}
	}
	if (read_full(fd, tr, TRAILER, &rng) != 0)
		return fail_conn(res, "mode %c len %u: trailer read: %s", mode, len,
				 errno ? ename(errno) : "early end of file");
	if (get32(tr) != len || get64(tr + 8) != sum)
		return fail_conn(res, "mode %c: the server received %u bytes, checksum %016llx; "
				 "sent %u, checksum %016llx", mode, get32(tr),
				 (unsigned long long)get64(tr + 8), len, (unsigned long long)sum);
	if (mode == 'H') {
		/* The server closes after the trailer: end of file, and nothing else. */
		do
			r = read(fd, tr, 1);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return fail_conn(res, "mode H: after the trailer %s", r > 0 ? "a stray byte"
					 : ename(errno));
	}
	res->sent = HDR + (uint64_t)len;
	res->received = TRAILER + (mode == 'E' ? (uint64_t)len : 0);
	return 0;
}

int check_proto(int fd, int want, struct conn_result *res)
{
	int p = -1;
	socklen_t len = sizeof(p);

	if (want && (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &len) != 0 || p != want))
		return fail_conn(res, "socket protocol %d, expected %d", p, want);
	return 0;
}

/* A blocking connect, or a non-blocking one completed with poll(). */
int connect_to(int fd, const struct sockaddr_in *sa, bool nonblock, struct conn_result *res)
{
	if (!nonblock) {
		while (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0)
			if (errno != EINTR)
				return fail_conn(res, "connect: %s", ename(errno));
		return 0;
	}
	int fl = fcntl(fd, F_GETFL), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		if (errno != EINPROGRESS)
			return fail_conn(res, "non-blocking connect: %s", ename(errno));
		if (poll(&p, 1, 30000) != 1)
			return fail_conn(res, "non-blocking connect: not done in 30 s");
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
			return fail_conn(res, "non-blocking connect: SO_ERROR %s", ename(err));
	}
	fcntl(fd, F_SETFL, fl);
	return 0;
}

bool in_child;

struct client_opts co = {
	.threads = 64, .conns = 1000, .maxlen = 262144, .half_close = true,
	.name = "localhost", .stall = 60, .total = 3600,
};

/* The TCP options a TCP program sets, a different few each time. */
static void tcp_options(int fd, uint64_t *rng)
{
	int one = 1, v;

	/* (Mostly: the write-write-read of the exchanges would wait for delayed acks.) */
	if (rnd(rng, 8))
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (rnd(rng, 8) == 0) {
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		v = 30;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
		v = 4;
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v));
	}
	if (rnd(rng, 16) == 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
		v = 0;
		setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
	}
	if (rnd(rng, 16) == 0) {
		v = 60000;
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v));
	}
}

/* The address of the server, from the name every 16th time (the shim remembers it). */
void server_addr(struct sockaddr_in *sa, const struct target *t, bool resolve)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = t->port;
	sa->sin_addr = t->ip;
	if (resolve && co.name && t->ip.s_addr == htonl(INADDR_LOOPBACK)) {
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *a;

		if (getaddrinfo(co.name, NULL, &hints, &res) == 0) {
			for (a = res; a; a = a->ai_next)
				if (a->ai_family == AF_INET) {
					sa->sin_addr = ((struct sockaddr_in *)a->ai_addr)->sin_addr;
					break;
				}
			freeaddrinfo(res);
		}
	}
}

static unsigned pick_mode(uint64_t *rng)
{
	unsigned r = rnd(rng, 10);

	if (r < 5 || (!co.half_close && r < 8))
		return 'E';
	return r < 8 ? 'H' : 'W';
}

/*
 * One whole connection of the client to target t: 0, or -1 with res->error.
 * The socket must have protocol co.proto (if set) when made, and the
 * target's once connected (a socket may change protocol at connect()).
 */
int one_connection(uint64_t seed, const struct target *t, unsigned char *buf,
			  unsigned char *back, struct conn_result *res, _Atomic int *stage)
{
	uint64_t rng = rng_seed(seed, 1);
	struct sockaddr_in sa;
	int type = SOCK_STREAM | (rnd(&rng, 3) == 0 ? SOCK_CLOEXEC : 0), fd, r;

	res->error[0] = '\0';
	res->sent = res->received = 0;
	if (stage)
		*stage = 1;
	fd = socket(AF_INET, type, rnd(&rng, 4) == 0 ? IPPROTO_TCP : 0);
	if (fd < 0)
		return fail_conn(res, "socket: %s", ename(errno));
	if (check_proto(fd, co.proto, res) != 0) {
		close(fd);
		return -1;
	}
	tcp_options(fd, &rng);
	if (stage)
		*stage = 2;
	server_addr(&sa, t, rnd(&rng, 16) == 0 && !in_child);
	if (stage)
		*stage = 3;
	if (connect_to(fd, &sa, rnd(&rng, 6) == 0, res) != 0) {
		close(fd);
		return -1;
	}
	if (check_proto(fd, t->proto, res) != 0) {
		close(fd);
		return -1;
	}
	if (rnd(&rng, 8) == 0) {
		/* A copy does the exchange; the original goes first (state follows dup()). */
		int copy = rnd(&rng, 2) ? dup(fd) : fcntl(fd, F_DUPFD_CLOEXEC, 0);

		if (copy < 0) {
			close(fd);
			return fail_conn(res, "dup: %s", ename(errno));
		}
		if (close(fd) != 0) {
			close(copy);
			return fail_conn(res, "close of the original after dup: %s", ename(errno));
		}
		fd = copy;
	}
	if (stage)
		*stage = 4;
	r = exchange(fd, pick_mode(&rng), co.maxlen, seed, buf, back, res);
	if (stage)
		*stage = 5;
	if (close(fd) != 0 && !res->error[0])
		return fail_conn(res, "close: %s", ename(errno));
	if (stage)
		*stage = 0;
	return r;
}

/* "PORT[:PROTO][@IP][,...]" into targets[]; false if it is not that. */
bool parse_targets(const char *arg)
{
	char *end;

	n_targets = 0;
	for (const char *p = arg; *p;) {
		long v = strtol(p, &end, 10);

		if (end == p || v <= 0 || v > 65535 || n_targets == MAX_TARGETS)
			return false;
		targets[n_targets].port = htons((in_port_t)v);
		targets[n_targets].proto = 0;
		p = end;
		if (*p == ':') {
			v = strtol(p + 1, &end, 10);
			if (end == p + 1 || v < 0 || v > 255)
				return false;
			targets[n_targets].proto = (int)v;
			p = end;
		}
		targets[n_targets].ip.s_addr = htonl(INADDR_LOOPBACK);
		if (*p == '@') {
			char ip[INET_ADDRSTRLEN];
			size_t n = strcspn(p + 1, ",");

			if (n >= sizeof(ip))
				return false;
			memcpy(ip, p + 1, n);
			ip[n] = '\0';
			if (inet_pton(AF_INET, ip, &targets[n_targets].ip) != 1)
				return false;
			p += 1 + n;
		}
		n_targets++;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return n_targets > 0;
}
