/*
 * forker.c - fork() and exec() while the stress client's workers run: a
 * thread whose children use the shim's locks (that another thread may have
 * held at the fork), a thread that exec()s "stress one"; and wait_child(),
 * which counts a child that hangs as an error (a deadlock after fork()),
 * the server's children too.
 */
#include "stress.h"

_Atomic long fork_children, fork_conns, exec_children, exec_conns;

/*
 * Wait for child pid; its exit status, or -1 (and it is killed) if it did
 * not end in CHILD_WAIT_S: a deadlock after fork(), say which call.
 */
int wait_child(pid_t pid, const char *what)
{
	double end = now() + CHILD_WAIT_S;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			say("stress: waitpid(%s %d): %s", what, (int)pid, ename(errno));
			return -1;
		}
		if (now() > end) {
			char path[64], wchan[128] = "?", sc[128] = "?";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
			if ((f = fopen(path, "r"))) {
				if (!fgets(wchan, sizeof(wchan), f))
					strcpy(wchan, "?");
				fclose(f);
			}
			snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
			if ((f = fopen(path, "r"))) {
				if (!fgets(sc, sizeof(sc), f))
					strcpy(sc, "?");
				sc[strcspn(sc, "\n")] = '\0';
				fclose(f);
			}
			say("stress: %s child %d hung for %d s (wchan %s, syscall %s): deadlock?",
			    what, (int)pid, CHILD_WAIT_S, wchan, sc);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
	if (WIFSIGNALED(st)) {
		say("stress: %s child %d killed by signal %d", what, (int)pid, WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

/*
 * fork() while the workers run; the child uses the shim's locks (resolver
 * table, half-close resolution, migration slots) that another thread may
 * have held at the fork: a socket and a TCP option, and every 4th child a
 * whole connection.  Exit status: 0 plain, 2 with a connection, 1 failed.
 */
void *forker_main(void *arg)
{
	unsigned char *buf = malloc(co.maxlen + HDR + 1), *back = malloc(co.maxlen + 1);
	long n = 0;

	(void)arg;
	if (!buf || !back)
		abort();
	while (!workers_done) {
		pid_t pid = fork();

		if (pid < 0) {
			say("stress: fork: %s", ename(errno));
			atomic_fetch_add(&errors, 1);
			usleep(100000);
			continue;
		}
		if (pid == 0) {
			struct conn_result res;
			int one = 1, fd, code = 0;

			in_child = true;
			/*
			 * The other threads' connections are not the child's: a copy
			 * kept open would hold back their end of file (as on TCP).
			 */
			close_range(3, ~0U, 0);
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0) {
				say("stress: fork child %ld: socket: %s", n, ename(errno));
				_exit(1);
			}
			if (check_proto(fd, co.proto, &res) != 0 ||
			    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
			    close(fd) != 0) {
				say("stress: fork child %ld: %s", n, res.error[0] ? res.error : ename(errno));
				_exit(1);
			}
			if (n % 4 == 0) {
				if (one_connection(rng_seed(base_seed ^ 0xf0f0, (uint64_t)n),
						   &targets[n % n_targets], buf, back, &res, NULL) != 0) {
					say("stress: fork child %ld: %s", n, res.error);
					_exit(1);
				}
				code = 2;
			}
			_exit(code);
		}
		int st = wait_child(pid, "fork()ed");

		atomic_fetch_add(&fork_children, 1);
		if (st == 2) {
			atomic_fetch_add(&fork_conns, 1);
		} else if (st != 0) {
			if (st > 0)
				say("stress: fork()ed child %d: exit status %d", (int)pid, st);
			atomic_fetch_add(&errors, 1);
		}
		n++;
		if (co.interval)
			usleep((useconds_t)co.interval * 1000);
	}
	free(buf);
	free(back);
	return NULL;
}

/* fork() and exec() "stress one PORT[:PROTO] SEED MAXLEN HALF SOCKPROTO" while the workers run. */
void *execer_main(void *arg)
{
	long n = 0;

	(void)arg;
	while (!workers_done) {
		const struct target *t = &targets[n % n_targets];
		char p[48], s[32], m[16], h[4], pr[8];
		pid_t pid;

		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &t->ip, ip, sizeof(ip));
		snprintf(p, sizeof(p), "%u:%d@%s", ntohs(t->port), t->proto, ip);
		snprintf(s, sizeof(s), "%llu", (unsigned long long)(base_seed ^ 0xe0e0) + (unsigned long long)n);
		snprintf(m, sizeof(m), "%u", co.maxlen);
		snprintf(h, sizeof(h), "%d", co.half_close);
		snprintf(pr, sizeof(pr), "%d", co.proto);
		pid = fork();
		if (pid < 0) {
			say("stress: fork: %s", ename(errno));
			atomic_fetch_add(&errors, 1);
			usleep(100000);
			continue;
		}
		if (pid == 0) {
			char *argv[] = { self, "one", p, s, m, h, pr, NULL };

			/* (Not close_range(): the raw call, as a program may make it.) */
			syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
			execv(self, argv);
			_exit(127);
		}
		atomic_fetch_add(&exec_children, 1);
		int st = wait_child(pid, "exec()ed");

		if (st == 0) {
			atomic_fetch_add(&exec_conns, 1);
		} else {
			if (st > 0)
				say("stress: exec()ed child %d (%s %s): exit status %d", (int)pid, p, s, st);
			atomic_fetch_add(&errors, 1);
		}
		n++;
		if (co.interval)
			usleep((useconds_t)co.interval * 1000);
	}
	return NULL;
}
