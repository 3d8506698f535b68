/*
 * client.c - the stress program's client: THREADS worker threads making
 * connections (connection.c), the fork()ing and exec()ing threads
 * (forker.c) beside them, a watchdog that ends a run that stopped making
 * progress, the servers' counts asked before and after, one line of figures;
 * and "stress one", the connection an exec()ed child makes.
 */
#include "stress.h"

static const char *stage_name[] = { "idle", "socket", "options", "connect", "exchange", "close",
				     "fork/exec wait", "done" };

struct worker {
	pthread_t t;
	int id;
	_Atomic int stage;
	_Atomic long conn;
};

static _Atomic long completed;		/* connections done, for the watchdog */
_Atomic long errors;
static _Atomic uint64_t total_sent, total_received;
_Atomic bool workers_done;
static struct worker *workers;
uint64_t base_seed;

static void report_error(const char *who, long conn, const struct conn_result *res)
{
	if (atomic_fetch_add(&errors, 1) < 20)
		say("stress: %s connection %ld: %s", who, conn, res->error);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(co.maxlen + HDR + 1), *back = malloc(co.maxlen + 1);
	struct conn_result res;
	char who[32];

	if (!buf || !back)
		abort();
	snprintf(who, sizeof(who), "thread %d", w->id);
	for (long c = 0; c < co.conns; c++) {
		w->conn = c;
		if (one_connection(rng_seed(base_seed + (uint64_t)w->id, (uint64_t)c),
				   &targets[(w->id + c) % n_targets], buf, back, &res, &w->stage) != 0)
			report_error(who, c, &res);
		atomic_fetch_add(&total_sent, res.sent);
		atomic_fetch_add(&total_received, res.received);
		atomic_fetch_add(&completed, 1);
	}
	w->stage = 7;
	free(buf);
	free(back);
	return NULL;
}

static void *watchdog_main(void *arg)
{
	double start = now(), last_change = start, last_said = start;
	long last = -1;

	(void)arg;
	for (;;) {
		sleep(1);
		long c = completed;

		if (co.progress && now() - last_said >= co.progress) {
			last_said = now();
			say("stress: %.0f s: %ld connections, %ld forks, %ld execs, %ld errors",
			    last_said - start, c, (long)fork_children, (long)exec_children,
			    (long)errors);
		}

		if (c != last) {
			last = c;
			last_change = now();
		}
		double t = now();

		if (t - last_change >= co.stall || t - start >= co.total) {
			say("stress: WATCHDOG: %s after %.0f s; %ld connections done; threads:",
			    t - start >= co.total ? "time limit" : "no progress", t - start, c);
			for (int i = 0; i < co.threads; i++)
				if (workers[i].stage != 7)
					say("stress:   thread %d: connection %ld, %s", i,
					    (long)workers[i].conn, stage_name[workers[i].stage]);
			_exit(3);
		}
	}
	return NULL;
}

/* The quit/statistics request to the server on port to: its "served=N errors=E". */
static int ask_server(const struct target *to, bool quit, long *served, long *serrors)
{
	struct sockaddr_in sa;
	struct conn_result res;
	unsigned char hdr[HDR] = { 'Q' };
	char text[128];
	uint64_t rng = 1;
	ssize_t r;
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	put32(hdr + 4, quit);
	server_addr(&sa, to, false);
	if (fd < 0 || connect_to(fd, &sa, false, &res) != 0 || write_full(fd, hdr, HDR, 0, &rng) != 0) {
		say("stress: the statistics request to port %u failed: %s", ntohs(to->port),
		    fd < 0 ? ename(errno) : res.error);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got < sizeof(text) - 1 && (r = read(fd, text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)r;
	text[got] = '\0';
	close(fd);
	if (sscanf(text, "served=%ld errors=%ld", served, serrors) != 2) {
		say("stress: the server on port %u answered '%s'", ntohs(to->port), text);
		return -1;
	}
	return 0;
}

/* Every server once (a port may be given twice): the sums of their answers. */
static int ask_servers(bool quit, long *served, long *serrors)
{
	int bad = 0;

	*served = *serrors = 0;
	for (int i = 0; i < n_targets; i++) {
		bool seen = false;
		long s = 0, e = 0;

		for (int j = 0; j < i; j++)
			seen = seen || targets[j].port == targets[i].port;
		if (seen)
			continue;
		if (ask_server(&targets[i], quit, &s, &e) != 0)
			bad = -1;
		*served += s;
		*serrors += e;
	}
	return bad;
}

int client_main(const char *where, int argc, char **argv)
{
	pthread_t fk, ex, wd;
	int opt;

	if (!parse_targets(where)) {
		fprintf(stderr, "stress: bad PORT[:PROTO],... '%s'\n", where);
		return 2;
	}
	while ((opt = getopt(argc, argv, "t:n:m:fxp:r:H:w:T:qP:i:")) != -1) {
		switch (opt) {
		case 't': co.threads = atoi(optarg); break;
		case 'n': co.conns = atoi(optarg); break;
		case 'm': co.maxlen = (unsigned)atoi(optarg); break;
		case 'f': co.fork = true; break;
		case 'x': co.exec = true; break;
		case 'p': co.proto = atoi(optarg); break;
		case 'r': co.name = *optarg ? optarg : NULL; break;
		case 'H': co.half_close = atoi(optarg) != 0; break;
		case 'w': co.stall = atoi(optarg); break;
		case 'T': co.total = atoi(optarg); break;
		case 'q': co.quit = true; break;
		case 'P': co.progress = atoi(optarg); break;
		case 'i': co.interval = atoi(optarg); break;
		default: return 2;
		}
	}
	if (co.threads < 1 || co.conns < 0 || co.maxlen > SERVER_MAX || co.interval < 0)
		return 2;
	base_seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	/* The servers are there (and the first socket is made by one thread only). */
	long s0, e0;

	if (ask_servers(false, &s0, &e0) != 0)
		return 1;
	workers = calloc((size_t)co.threads, sizeof(*workers));
	if (!workers)
		abort();
	double start = now();

	pthread_create(&wd, NULL, watchdog_main, NULL);
	for (int i = 0; i < co.threads; i++) {
		workers[i].id = i;
		if (pthread_create(&workers[i].t, NULL, worker_main, &workers[i]) != 0) {
			say("stress: pthread_create: thread %d", i);
			return 1;
		}
	}
	if (co.fork)
		pthread_create(&fk, NULL, forker_main, NULL);
	if (co.exec)
		pthread_create(&ex, NULL, execer_main, NULL);
	for (int i = 0; i < co.threads; i++)
		pthread_join(workers[i].t, NULL);
	workers_done = true;
	if (co.fork)
		pthread_join(fk, NULL);
	if (co.exec)
		pthread_join(ex, NULL);
	double took = now() - start;
	long conns = (long)co.threads * co.conns, served = -1, serr = -1;
	long all = conns + fork_conns + exec_conns;

	if (ask_servers(co.quit, &served, &serr) != 0)
		atomic_fetch_add(&errors, 1);
	else if (served - s0 != all || serr != 0) {
		say("stress: the servers served %ld connections with %ld errors; the client made %ld",
		    served - s0, serr, all);
		atomic_fetch_add(&errors, 1);
	}
	printf("stress: threads=%d per_thread=%d connections=%ld forks=%ld fork_connections=%ld "
	       "execs=%ld exec_connections=%ld total=%ld served=%ld bytes_sent=%llu "
	       "bytes_received=%llu duration=%.1fs rate=%.0f/s errors=%ld\n", co.threads, co.conns,
	       conns, (long)fork_children, (long)fork_conns, (long)exec_children,
	       (long)exec_conns, all, served - s0, (unsigned long long)total_sent,
	       (unsigned long long)total_received, took, took > 0 ? all / took : 0.0,
	       (long)errors);
	fflush(stdout);
	return errors ? 1 : 0;
}

/* "stress one PORT[:PROTO] SEED MAXLEN HALF SOCKPROTO": one connection, for the exec()ing thread. */
int client_one(char **argv)
{
	unsigned char *buf, *back;
	struct conn_result res;

	alarm(CHILD_WAIT_S);
	if (!parse_targets(argv[2]) || n_targets != 1)
		return 2;
	co.maxlen = (unsigned)atoi(argv[4]);
	co.half_close = atoi(argv[5]) != 0;
	co.proto = atoi(argv[6]);
	if (co.maxlen > SERVER_MAX)
		return 2;
	buf = malloc(co.maxlen + HDR + 1);
	back = malloc(co.maxlen + 1);
	if (!buf || !back)
		return 1;
	if (one_connection(strtoull(argv[3], NULL, 10), &targets[0], buf, back, &res, NULL) != 0) {
		say("stress: exec()ed child: %s", res.error);
		return 1;
	}
	return 0;
}
