/*
 * server.c - the stress program's server: THREADS threads blocked in
 * accept()/accept4() on one listener, each connection served in the thread
 * or handed to a fork()ed child or to an exec()ed "stress serve-fd" (inetd
 * style), the protocol of each accepted socket checked; a statistics
 * request answers the client and, with its flag, ends the server (the
 * listener's shutdown() must wake every acceptor).
 */
#include "stress.h"

static in_port_t port;		/* network order: the server's */
static int lfd;
static int fork_every, exec_every;
static int accepted_proto;	/* -a: what SO_PROTOCOL must say of each accepted socket */
static struct in_addr listen_ip;	/* -A */
static _Atomic long s_conns, s_bytes_in, s_bytes_out, s_errors, s_active, s_accepted;
static _Atomic long s_forks, s_execs;
static _Atomic bool quitting;

static int serve_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int serve_fail(const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("stress server[%d]: %s", (int)getpid(), msg);
	return -1;
}

/* The answer to a 'Q': wait for the other connections to finish first. */
static int serve_quit(int fd, uint32_t quit)
{
	char text[128];
	double end = now() + 20;
	int n;

	while (s_active > 1 && now() < end)
		usleep(10000);
	if (s_active > 1) {
		serve_fail("%ld connections still open 20 s after the client finished",
			   (long)s_active - 1);
		atomic_fetch_add(&s_errors, 1);
	}
	n = snprintf(text, sizeof(text), "served=%ld errors=%ld", (long)s_conns, (long)s_errors);
	if (write(fd, text, (size_t)n) != n)
		return -1;
	if (quit) {
		quitting = true;
		/* Wakes every thread blocked in accept(), as on TCP (the shim's shutdown.c). */
		if (shutdown(lfd, SHUT_RDWR) != 0)
			serve_fail("shutdown of the listener: %s", ename(errno));
	}
	return 1;
}

/*
 * Serve one connection: 0 done (a data connection), 1 a statistics
 * request, -1 an error (said).  buf holds SERVER_MAX bytes.
 */
static int serve(int fd, unsigned char *buf, uint64_t seed)
{
	uint64_t rng = rng_seed(seed, 5), sum = FNV0;
	unsigned char hdr[HDR], tr[TRAILER];
	uint32_t len, got = 0;
	unsigned mode;
	ssize_t r;

	if (read_full(fd, hdr, HDR, &rng) != 0)
		return serve_fail("header: %s", errno ? ename(errno) : "early end of file");
	mode = hdr[0];
	len = get32(hdr + 4);
	if (mode == 'Q')
		return serve_quit(fd, len);
	if ((mode != 'E' && mode != 'H' && mode != 'W') || len > SERVER_MAX ||
	    (mode == 'E' && len > ECHO_MAX))
		return serve_fail("bad header: mode 0x%02x, length %u", mode, len);
	switch (mode) {
	case 'E':
		while (got < len) {
			size_t want = len - got;

			if (rnd(&rng, 4) == 0)
				want = 1 + rnd(&rng, len - got < 16384 ? len - got : 16384);

			r = read_some(fd, buf, want, rnd(&rng, 6));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return serve_fail("mode E: read after %u of %u bytes: %s", got, len,
						  r ? ename(errno) : "early end of file");
			sum = fnv(sum, buf, (size_t)r);
			got += (uint32_t)r;
			if (write_full(fd, buf, (size_t)r, 0, &rng) != 0)
				return serve_fail("mode E: echo write: %s", ename(errno));
		}
		break;
	case 'H':
		for (;;) {
			r = read_some(fd, buf, 1 + rnd(&rng, 65536), rnd(&rng, 6));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return serve_fail("mode H: read after %u bytes: %s", got, ename(errno));
			if (r == 0)
				break;
			if ((uint64_t)got + (uint64_t)r > SERVER_MAX)
				return serve_fail("mode H: more than %d bytes", SERVER_MAX);
			sum = fnv(sum, buf, (size_t)r);
			got += (uint32_t)r;
		}
		if (got != len)
			serve_fail("mode H: %u bytes before end of file, %u announced", got, len);
		break;
	default:
		got = 0;
		if (len > 0) {
			do
				r = recv(fd, buf, len, MSG_WAITALL);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return serve_fail("mode W: recv(MSG_WAITALL, %u): %s", len, ename(errno));
			if ((uint32_t)r != len)
				return serve_fail("mode W: recv(MSG_WAITALL, %u) returned %zd", len, r);
			got = len;
			sum = fnv(sum, buf, len);
		}
		break;
	}
	put32(tr, got);
	put32(tr + 4, 0);
	put64(tr + 8, sum);
	if (write_full(fd, tr, TRAILER, 0, &rng) != 0)
		return serve_fail("mode %c: trailer write: %s", mode, ename(errno));
	atomic_fetch_add(&s_bytes_in, (long)got + HDR);
	atomic_fetch_add(&s_bytes_out, (long)TRAILER + (mode == 'E' ? (long)got : 0));
	if (mode != 'H') {
		/* The client closes after the trailer: end of file, and nothing else. */
		do
			r = read(fd, hdr, 1);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return serve_fail("mode %c: after the exchange %s", mode,
					  r > 0 ? "a stray byte" : ename(errno));
	}
	return got == len ? 0 : -1;
}

/* The connection on fd 0, in a process exec()ed by the server (inetd style). */
int serve_fd(void)
{
	unsigned char *buf = malloc(SERVER_MAX);

	alarm(CHILD_WAIT_S);
	if (!buf)
		return 1;
	return serve(0, buf, (uint64_t)getpid()) == 0 ? 0 : 1;
}

/* Hand connection fd to a fork()ed child, which serves it (exec: as "serve-fd"). */
static int serve_in_child(int fd, unsigned char *buf, uint64_t seed, bool exec)
{
	pid_t pid = fork();

	if (pid < 0)
		return serve_fail("fork: %s", ename(errno));
	if (pid == 0) {
		/* Only this connection: copies of the others would hold back their end of file. */
		if (fd > 3)
			close_range(3, (unsigned)fd - 1, 0);
		close_range((unsigned)fd + 1, ~0U, 0);
		if (!exec)
			_exit(serve(fd, buf, seed) == 0 ? 0 : 1);
		if (dup2(fd, 0) != 0)
			_exit(1);
		close(fd);
		char *argv[] = { self, "serve-fd", NULL };

		execv(self, argv);
		_exit(127);
	}
	close(fd);
	atomic_fetch_add(exec ? &s_execs : &s_forks, 1);
	return wait_child(pid, exec ? "server exec()ed" : "server fork()ed") == 0 ? 0 : -1;
}

static void *acceptor_main(void *arg)
{
	unsigned char *buf = malloc(SERVER_MAX);
	long id = (long)(intptr_t)arg, k = 0;

	if (!buf)
		abort();
	while (!quitting) {
		int fd = (k++ & 1) ? accept(lfd, NULL, NULL)
				   : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (quitting)
				break;
			if (errno != EINTR && errno != ECONNABORTED) {
				serve_fail("accept: %s", ename(errno));
				atomic_fetch_add(&s_errors, 1);
				usleep(10000);
			}
			continue;
		}
		long n = atomic_fetch_add(&s_accepted, 1) + 1;
		int one = 1, proto = -1;
		socklen_t plen = sizeof(proto);

		if (accepted_proto &&
		    (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) != 0 ||
		     proto != accepted_proto)) {
			serve_fail("accepted socket of protocol %d, expected %d", proto,
				   accepted_proto);
			atomic_fetch_add(&s_errors, 1);
		}

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		uint64_t seed = rng_seed((uint64_t)id, (uint64_t)k);
		int r;

		bool ex = exec_every && n % exec_every == 0, fk = fork_every && n % fork_every == 0;
		unsigned char first = 0;

		atomic_fetch_add(&s_active, 1);
		/* A statistics request is answered here, where the counters are. */
		if ((ex || fk) && recv(fd, &first, 1, MSG_PEEK) == 1 && first != 'Q')
			r = serve_in_child(fd, buf, seed, ex);
		else {
			r = serve(fd, buf, seed);
			close(fd);
		}
		if (r == 0)
			atomic_fetch_add(&s_conns, 1);
		else if (r < 0)
			atomic_fetch_add(&s_errors, 1);
		atomic_fetch_sub(&s_active, 1);
	}
	free(buf);
	return NULL;
}

/* "stress server PORT [options]": argv[0] is PORT. */
int server_main(int argc, char **argv)
{
	int threads = 80, opt, one = 1;
	bool reuseport = false;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	port = htons((in_port_t)atoi(argv[0]));
	listen_ip.s_addr = htonl(INADDR_LOOPBACK);
	while ((opt = getopt(argc, argv, "t:F:X:a:RA:")) != -1) {
		switch (opt) {
		case 'A':
			if (inet_pton(AF_INET, optarg, &listen_ip) != 1)
				return 2;
			break;
		case 't': threads = atoi(optarg); break;
		case 'a': accepted_proto = atoi(optarg); break;
		case 'R': reuseport = true; break;
		case 'F': fork_every = atoi(optarg); break;
		case 'X': exec_every = atoi(optarg); break;
		default: return 2;
		}
	}
	sa.sin_addr = listen_ip;
	sa.sin_port = port;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (reuseport && setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1024) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
		say("stress server: listen: %s", ename(errno));
		return 1;
	}
	int p = -1;

	len = sizeof(p);
	getsockopt(lfd, SOL_SOCKET, SO_PROTOCOL, &p, &len);
	printf("port=%u proto=%d\n", ntohs(sa.sin_port), p);
	fflush(stdout);

	pthread_t *t = calloc((size_t)threads, sizeof(*t));

	if (!t)
		abort();
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, acceptor_main, (void *)(intptr_t)i) != 0) {
			say("stress server: pthread_create");
			return 1;
		}
	/* Until a quit request; then every acceptor must wake up (listener shutdown). */
	while (!quitting)
		usleep(50000);
	for (int i = 0; i < threads; i++) {
		struct timespec end;

		clock_gettime(CLOCK_REALTIME, &end);
		end.tv_sec += 10;
		if (pthread_timedjoin_np(t[i], NULL, &end) != 0) {
			say("stress server: thread %d still blocked in accept() 10 s after the "
			    "listener's shutdown()", i);
			atomic_fetch_add(&s_errors, 1);
			break;
		}
	}
	printf("server: connections=%ld forked=%ld execed=%ld bytes_in=%ld bytes_out=%ld errors=%ld\n",
	       (long)s_conns, (long)s_forks, (long)s_execs, (long)s_bytes_in, (long)s_bytes_out,
	       (long)s_errors);
	fflush(stdout);
	return s_errors ? 1 : 0;
}
