/*
 * unit_sigread - a read() from a signal handler that interrupts a read() of the
 * same socket, for tests/unit/stream.bats (under the shim and the recorder,
 * SCTP faked).
 *
 *   unit_sigread NAME:N
 *
 * A TCP client (converted: SCTP faked) connects to a server in a child
 * process on 127.0.0.1.  Then it sets RECORDER_RAISE=NAME:N, so that the
 * recorder raises SIGUSR1 inside the Nth call NAME (e.g. recvmsg) that the
 * shim's read() passes to libc, lets the server write "hello" and close, and reads until
 * end of file.  The SIGUSR1 handler reads the same socket (2 bytes at most).
 * Prints "handler=ran|not-run got=\"...\" end=eof|error:ENAME" where got is
 * what the handler and the main read got, together, in the order they got
 * it, and "bytes=ok" if that is "hello".  A deadlock is for the caller's
 * timeout to catch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helper.h"

static int sock = -1;
static char handler_got[8];
static volatile sig_atomic_t handler_n = -2;	/* -2: not run; -1: its read failed */

static void on_usr1(int sig)
{
	int saved = errno;
	ssize_t r = read(sock, handler_got, 2);

	(void)sig;
	handler_n = r < 0 ? -1 : (sig_atomic_t)r;
	errno = saved;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	char got[64], buf[64];
	size_t n = 0;
	int ls, go[2];
	ssize_t r;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: unit_sigread NAME:N\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &alen) != 0 || pipe(go) != 0)
		die("listener");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int c = accept(ls, NULL, NULL);
		char x;

		if (c < 0 || read(go[0], &x, 1) != 1 || write(c, "hello", 5) != 5)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(ls);
	sock = socket(AF_INET, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	sigaction(SIGUSR1, &sa, NULL);
	setenv("RECORDER_RAISE", argv[1], 1);
	if (write(go[1], "g", 1) != 1)
		die("write go");
	while ((r = read(sock, buf, sizeof(buf))) > 0) {
		/* The handler's bytes came first if it ran before this read returned. */
		if (handler_n > 0 && n == 0) {
			memcpy(got, handler_got, (size_t)handler_n);
			n = (size_t)handler_n;
			handler_n = 0;
		}
		if (n + (size_t)r > sizeof(got))
			break;
		memcpy(got + n, buf, (size_t)r);
		n += (size_t)r;
	}
	if (handler_n > 0 && n + (size_t)handler_n <= sizeof(got)) {
		memcpy(got + n, handler_got, (size_t)handler_n);
		n += (size_t)handler_n;
	}
	printf("handler=%s got=\"%.*s\" end=%s\n", handler_n == -2 ? "not-run" : "ran", (int)n, got,
	       r == 0 ? "eof" : ename(errno));
	printf("bytes=%s\n", n == 5 && memcmp(got, "hello", 5) == 0 ? "ok" : "wrong");
	waitpid(pid, NULL, 0);
	return 0;
}
