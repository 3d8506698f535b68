/*
 * unit_sockopt - setsockopt()/getsockopt() calls on one socket, one line each.
 *
 *   unit_sockopt MODE OP [OP ...]
 *
 * MODE: shim  socket(AF_INET, SOCK_STREAM, 0) through the preloads (converted
 *             by the shim, a fake SCTP socket under RECORDER_FAKE_SCTP=1)
 *       raw   syscall(SYS_socket, AF_INET, SOCK_STREAM, 0): a TCP socket the
 *             shim never saw
 *       raw6  the same in AF_INET6
 * OP:   set LEVEL OPT INT [OPTLEN]   setsockopt with an int (OPTLEN: sizeof(int))
 *       setstr LEVEL OPT STRING      setsockopt with the bytes of STRING
 *       setnull LEVEL OPT OPTLEN     setsockopt with optval NULL
 *       get LEVEL OPT [OPTLEN]       getsockopt into a zeroed 512-byte buffer
 *       getstr LEVEL OPT [OPTLEN]    the same, printed as a string
 *       listen                       bind 127.0.0.1 port 0 and listen
 *       accept                       connect a raw TCP client to the listener,
 *                                    accept4(SOCK_CLOEXEC); later OPs use the new fd
 *       byte N                       print byte N of the last get buffer (u8)
 *       u32 N                        print the u32 at offset N of the last get buffer
 * Names or numbers for LEVEL and OPT.  Output, one line per OP:
 *       ok errno=kept|NAME           set
 *       ok len=L int=V errno=...     get ("str=S" for getstr)
 *       fail ERRNAME
 * errno is set to a sentinel before each call: "kept" says it survived.
 * Before each OP, "op N" is appended to $RECORDER_LOG when it is set, so a
 * test can tell which calls reached libc during which OP.
 *
 * Used by tests/unit/sockopt.bats, socket.bats, exports.bats, sanitize.bats
 * and wrapper.bats.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unit_names.h"

#define SENTINEL 4242

static void mark(int n)
{
	const char *path = getenv("RECORDER_LOG");
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd >= 0) {
		dprintf(fd, "op %d\n", n);
		close(fd);
	}
}

static const char *kept(int e)
{
	return e == SENTINEL ? "kept" : ename(e);
}

static void usage(void)
{
	fprintf(stderr, "usage: unit_sockopt shim|raw|raw6 OP...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static unsigned char buf[512];
	int fd, lfd = -1, i = 2, n = 0, ret, e;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "shim") == 0)
		fd = socket(AF_INET, SOCK_STREAM, 0);
	else if (strcmp(argv[1], "raw") == 0)
		fd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	else if (strcmp(argv[1], "raw6") == 0)
		fd = (int)syscall(SYS_socket, AF_INET6, SOCK_STREAM, 0);
	else
		usage();
	if (fd < 0) {
		printf("socket: fail %s\n", ename(errno));
		return 1;
	}
	while (i < argc) {
		const char *op = argv[i];
		int nargs = argc - i - 1;

		mark(++n);
		if (strcmp(op, "set") == 0 || strcmp(op, "setstr") == 0 || strcmp(op, "setnull") == 0) {
			if (nargs < 3)
				usage();
			int level = (int)unit_value(argv[i + 1]), opt = (int)unit_value(argv[i + 2]);
			int v = 0;
			const void *val = &v;
			socklen_t len = sizeof(int);

			if (strcmp(op, "set") == 0) {
				v = (int)unit_value(argv[i + 3]);
				if (nargs >= 4 && argv[i + 4][0] >= '0' && argv[i + 4][0] <= '9') {
					len = (socklen_t)strtoul(argv[i + 4], NULL, 0);
					i++;
				}
			} else if (strcmp(op, "setstr") == 0) {
				val = argv[i + 3];
				len = (socklen_t)strlen(argv[i + 3]);
			} else {
				val = NULL;
				len = (socklen_t)strtoul(argv[i + 3], NULL, 0);
			}
			i += 4;
			errno = SENTINEL;
			ret = setsockopt(fd, level, opt, val, len);
			e = errno;
			if (ret == 0)
				printf("ok errno=%s\n", kept(e));
			else
				printf("fail %s\n", ename(e));
		} else if (strcmp(op, "get") == 0 || strcmp(op, "getstr") == 0) {
			if (nargs < 2)
				usage();
			int level = (int)unit_value(argv[i + 1]), opt = (int)unit_value(argv[i + 2]), v;
			socklen_t len = sizeof(int);
			bool str = strcmp(op, "getstr") == 0;

			if (str)
				len = 16;
			i += 3;
			if (i < argc && argv[i][0] >= '0' && argv[i][0] <= '9')
				len = (socklen_t)strtoul(argv[i++], NULL, 0);
			memset(buf, 0, sizeof(buf));
			errno = SENTINEL;
			ret = getsockopt(fd, level, opt, buf, &len);
			e = errno;
			memcpy(&v, buf, sizeof(v));
			if (ret != 0)
				printf("fail %s\n", ename(e));
			else if (str)
				printf("ok len=%u str=%.*s errno=%s\n", (unsigned)len,
				       (int)(len > sizeof(buf) ? 0 : len), (char *)buf, kept(e));
			else
				printf("ok len=%u int=%d errno=%s\n", (unsigned)len, v, kept(e));
		} else if (strcmp(op, "byte") == 0 || strcmp(op, "u32") == 0) {
			if (nargs < 1)
				usage();
			unsigned off = (unsigned)strtoul(argv[i + 1], NULL, 0);
			uint32_t u = 0;

			if (op[0] == 'b') {
				printf("%u\n", off < sizeof(buf) ? buf[off] : 0);
			} else {
				if (off + 4 <= sizeof(buf))
					memcpy(&u, buf + off, 4);
				printf("%u\n", u);
			}
			i += 2;
		} else if (strcmp(op, "listen") == 0) {
			struct sockaddr_in a = { .sin_family = AF_INET };

			a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0)
				printf("fail %s\n", ename(errno));
			else
				printf("ok\n");
			i++;
		} else if (strcmp(op, "accept") == 0) {
			struct sockaddr_in a;
			socklen_t al = sizeof(a);
			int c = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0), afd;

			lfd = fd;
			if (c < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) != 0 ||
			    connect(c, (struct sockaddr *)&a, al) != 0 ||
			    (afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
				printf("fail %s\n", ename(errno));
			} else {
				fd = afd;
				printf("ok cloexec=%d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
			}
			i++;
		} else {
			usage();
		}
		fflush(stdout);
	}
	return 0;
}
