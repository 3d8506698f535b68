/*
 * unit_socket - make sockets through socket() and say what came back.
 *
 *   unit_socket DOMAIN TYPE PROTOCOL [DOMAIN TYPE PROTOCOL ...]
 *
 * Names or numbers ("AF_INET SOCK_STREAM|SOCK_NONBLOCK IPPROTO_TCP").  One
 * line per socket on stdout:
 *   ok proto=P type=T nonblock=0|1 cloexec=0|1 errno=kept|NAME
 *   fail ERRNAME
 * "errno" is whether errno still holds the sentinel set before the call.
 * Each socket is closed before the next one is made.  Exit 0 unless usage.
 *
 * Used by most of the tests/unit files (socket, connect, defaults, migrate,
 * security, exports, sanitize, shell, wrapper, badinput).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "unit_names.h"

#define SENTINEL 4242

int main(int argc, char **argv)
{
	if (argc < 4 || (argc - 1) % 3 != 0) {
		fprintf(stderr, "usage: unit_socket DOMAIN TYPE PROTOCOL ...\n");
		return 2;
	}
	for (int i = 1; i + 2 < argc; i += 3) {
		int d = (int)unit_value(argv[i]), t = (int)unit_value(argv[i + 1]);
		int p = (int)unit_value(argv[i + 2]), fd, e, proto = -1, type = -1;
		socklen_t len;

		errno = SENTINEL;
		fd = socket(d, t, p);
		e = errno;
		if (fd < 0) {
			printf("fail %s\n", ename(e));
			continue;
		}
		len = sizeof(proto);
		getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
		len = sizeof(type);
		getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
		printf("ok proto=%d type=%d nonblock=%d cloexec=%d errno=%s\n", proto, type,
		       (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
		       e == SENTINEL ? "kept" : ename(e));
		close(fd);
	}
	return 0;
}
