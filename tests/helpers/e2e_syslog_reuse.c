/*
 * e2e_syslog_reuse.c - a daemon that closes the descriptors it does not know,
 * then accepts a connection that may reuse one of their numbers.
 *
 *   e2e_syslog_reuse PORT MESSAGE
 *
 * Makes a TCP listener on 127.0.0.1:PORT (under sctpize with SCTPIZE_LOG=
 * syslog and SCTPIZE_VERBOSE=1 the library logs the conversion through
 * syslog(), and libc opens its /dev/log socket, never opened by this
 * program), then closes every descriptor above the listener, as daemons do
 * (closefrom()), accepts one connection, writes MESSAGE to it, closes it
 * and exits.  On stderr: the descriptors open before closefrom() and the
 * number accept() returned, so a test can show whether that number was one
 * of the descriptors the program closed without knowing them.  The program
 * itself never calls syslog() or openlog().
 *
 * Used by tests/e2e/syslog.bats.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	fprintf(stderr, "open before closefrom:");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			fprintf(stderr, " %s", e->d_name);
	fprintf(stderr, "\n");
	closedir(d);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int l, c, one = 1;
	size_t len, done = 0;

	if (argc != 3)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0) {
		perror("listener");
		return 1;
	}
	list_fds();
	closefrom(l + 1);
	c = accept(l, NULL, NULL);
	if (c < 0) {
		perror("accept");
		return 1;
	}
	fprintf(stderr, "accepted fd %d\n", c);
	len = strlen(argv[2]);
	while (done < len) {
		ssize_t n = write(c, argv[2] + done, len - done);

		if (n <= 0) {
			perror("write");
			return 1;
		}
		done += (size_t)n;
	}
	close(c);
	close(l);
	return 0;
}
