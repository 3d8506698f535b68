/*
 * unit_atsecure - load libsctpize into this process and say what it did,
 * for tests/unit/security.bats.
 *
 *   unit_atsecure LIBRARY
 *
 * The dynamic loader ignores a LD_PRELOAD path for a setuid, setgid or
 * file-capability program (AT_SECURE), so the test cannot preload the
 * library into one without installing it in a system directory.  This
 * program, made setgid by the test, loads it itself with dlopen(): the
 * library's start-up then runs in an AT_SECURE process exactly as it would
 * after a preload from a trusted directory, and its socket() is called
 * through the handle.  Output, one line each:
 *   at_secure=0|1
 *   inet ok proto=P | inet fail ERRNAME     socket(AF_INET, SOCK_STREAM, 0)
 *   unix ok | unix fail ERRNAME             socket(AF_UNIX, SOCK_STREAM, 0)
 * Exit 0, or 2 on usage or when the library cannot be loaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>
#include "helper.h"

int main(int argc, char **argv)
{
	int (*sock)(int, int, int);
	void *h;
	int fd, proto = -1;
	socklen_t len = sizeof(proto);

	if (argc != 2) {
		fprintf(stderr, "usage: unit_atsecure LIBRARY\n");
		return 2;
	}
	printf("at_secure=%lu\n", getauxval(AT_SECURE));
	fflush(stdout);
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "unit_atsecure: %s\n", dlerror());
		return 2;
	}
	sock = (int (*)(int, int, int))dlsym(h, "socket");
	if (!sock) {
		fprintf(stderr, "unit_atsecure: %s\n", dlerror());
		return 2;
	}
	fd = sock(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("inet fail %s\n", ename(errno));
	} else {
		getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
		printf("inet ok proto=%d\n", proto);
		close(fd);
	}
	fd = sock(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("unix fail %s\n", ename(errno));
	} else {
		printf("unix ok\n");
		close(fd);
	}
	fflush(stdout);
	return 0;
}
