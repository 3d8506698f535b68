/*
 * e2e_sandbox.c - a program that sandboxes itself, as OpenSSH's privilege-
 * separated child does, then makes one socket call.
 *
 *   e2e_sandbox HOW CALL
 *
 * Before the sandbox: a listener on 127.0.0.1, a client connected to it and
 * the accepted socket (SCTP under sctpize on a kernel with SCTP, TCP
 * otherwise), some data queued both ways.  Then a seccomp filter that
 * allows exactly the system calls CALL itself makes (and exit), installed
 * with prctl(PR_SET_SECCOMP) (HOW=prctl) or seccomp(2) through syscall()
 * (HOW=seccomp, as libseccomp does); any other system call kills the
 * process with SIGSYS.  Then CALL on the client socket.  Prints nothing
 * after the filter (write is not allowed for most calls): the exit status
 * is the answer: 0 when CALL returned (whatever it returned), SIGSYS when
 * the library made a call the program did not.
 *
 * CALL: read readv recv recvfrom recvmsg recvmsg-control recvmmsg write
 * write-large send writev sendmsg shutdown-wr shutdown-rdwr close
 * setsockopt-nodelay getsockopt-info getsockopt-error getpeername ioctl-outq
 * dup2 close-range accept connect sendfile read-after-peer-shutdown
 *
 * Used by tests/e2e/sandbox.bats.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "helper.h"

struct call {
	const char *name;
	int nr[3];		/* the system calls it may make (-1: none) */
};

static const struct call calls[] = {
	{ "read", { SYS_read, -1, -1 } },
	{ "readv", { SYS_readv, -1, -1 } },
	{ "recv", { SYS_recvfrom, -1, -1 } },
	{ "recvfrom", { SYS_recvfrom, -1, -1 } },
	{ "recvmsg", { SYS_recvmsg, -1, -1 } },
	{ "recvmsg-control", { SYS_recvmsg, -1, -1 } },
	{ "recvmmsg", { SYS_recvmmsg, -1, -1 } },
	{ "write", { SYS_write, -1, -1 } },
	{ "write-large", { SYS_write, -1, -1 } },
	{ "send", { SYS_sendto, -1, -1 } },
	{ "writev", { SYS_writev, -1, -1 } },
	{ "sendmsg", { SYS_sendmsg, -1, -1 } },
	{ "shutdown-wr", { SYS_shutdown, -1, -1 } },
	{ "shutdown-rdwr", { SYS_shutdown, -1, -1 } },
	{ "close", { SYS_close, -1, -1 } },
	{ "setsockopt-nodelay", { SYS_setsockopt, -1, -1 } },
	{ "getsockopt-info", { SYS_getsockopt, -1, -1 } },
	{ "getsockopt-error", { SYS_getsockopt, -1, -1 } },
	{ "getpeername", { SYS_getpeername, -1, -1 } },
	{ "ioctl-outq", { SYS_ioctl, -1, -1 } },
	{ "dup2", { SYS_dup2, SYS_dup3, -1 } },
	{ "close-range", { SYS_close_range, -1, -1 } },
	{ "accept", { SYS_accept, SYS_accept4, -1 } },
	{ "connect", { SYS_connect, -1, -1 } },
	{ "sendfile", { SYS_sendfile, -1, -1 } },
	{ "read-after-peer-shutdown", { SYS_read, -1, -1 } },
	{ "forbidden", { SYS_read, -1, -1 } },	/* calls getppid(): killed, the filter works */
};

/* Allow c's system calls and exit; kill the process for anything else. */
static void sandbox(const char *how, const struct call *c)
{
	struct sock_filter f[16];
	int n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	int allowed[] = { c->nr[0], c->nr[1], c->nr[2], SYS_exit_group, SYS_exit };

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i] < 0)
			continue;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i],
						      0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);

	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die("PR_SET_NO_NEW_PRIVS");
	if (strcmp(how, "prctl") == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
			die("prctl(PR_SET_SECCOMP)");
	} else if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		die("seccomp");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	const struct call *c = NULL;
	char buf[4096] = "hello";
	int l, cl, sv, fd, file, one = 1;

	if (argc != 3)
		return 2;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(argv[2], calls[i].name) == 0)
			c = &calls[i];
	if (!c)
		return 2;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 8) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0)
		die("listener");
	cl = socket(AF_INET, SOCK_STREAM, 0);
	if (cl < 0 || connect(cl, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	sv = accept(l, NULL, NULL);
	if (sv < 0)
		die("accept");
	/* Something to read on both ends; for accept, a client waiting. */
	if (write(sv, buf, 5) != 5 || write(cl, buf, 5) != 5)
		die("write");
	if (strcmp(c->name, "accept") == 0) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
			die("second client");
	}
	if (strcmp(c->name, "read-after-peer-shutdown") == 0 && shutdown(sv, SHUT_WR) != 0)
		die("shutdown");
	fd = strcmp(c->name, "connect") == 0 ? socket(AF_INET, SOCK_STREAM, 0) : -1;
	file = open("/proc/self/exe", O_RDONLY);
	if (file < 0)
		die("open");
	fprintf(stderr, "e2e_sandbox: %s\n", c->name);

	sandbox(argv[1], c);

	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	union {
		struct cmsghdr align;
		char b[256];
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = m };
	static char large[16 << 20];
	struct tcp_info ti;
	int v;
	socklen_t vl;

	if (strcmp(c->name, "read") == 0 || strcmp(c->name, "read-after-peer-shutdown") == 0)
		read(cl, buf, sizeof(buf));
	else if (strcmp(c->name, "readv") == 0)
		readv(cl, &iov, 1);
	else if (strcmp(c->name, "recv") == 0)
		recv(cl, buf, sizeof(buf), 0);
	else if (strcmp(c->name, "recvfrom") == 0)
		recvfrom(cl, buf, sizeof(buf), 0, NULL, NULL);
	else if (strcmp(c->name, "recvmsg") == 0)
		recvmsg(cl, &m, 0);
	else if (strcmp(c->name, "recvmsg-control") == 0) {
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		recvmsg(cl, &m, 0);
	} else if (strcmp(c->name, "recvmmsg") == 0)
		recvmmsg(cl, &mm, 1, 0, NULL);
	else if (strcmp(c->name, "write") == 0)
		write(cl, buf, 5);
	else if (strcmp(c->name, "write-large") == 0)
		write(cl, large, sizeof(large));
	else if (strcmp(c->name, "send") == 0)
		send(cl, buf, 5, 0);
	else if (strcmp(c->name, "writev") == 0) {
		iov.iov_len = 5;
		writev(cl, &iov, 1);
	} else if (strcmp(c->name, "sendmsg") == 0) {
		iov.iov_len = 5;
		sendmsg(cl, &m, 0);
	} else if (strcmp(c->name, "shutdown-wr") == 0)
		shutdown(cl, SHUT_WR);
	else if (strcmp(c->name, "shutdown-rdwr") == 0)
		shutdown(cl, SHUT_RDWR);
	else if (strcmp(c->name, "close") == 0)
		close(cl);
	else if (strcmp(c->name, "setsockopt-nodelay") == 0)
		setsockopt(cl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	else if (strcmp(c->name, "getsockopt-info") == 0) {
		vl = sizeof(ti);
		getsockopt(cl, IPPROTO_TCP, TCP_INFO, &ti, &vl);
	} else if (strcmp(c->name, "getsockopt-error") == 0) {
		vl = sizeof(v);
		getsockopt(cl, SOL_SOCKET, SO_ERROR, &v, &vl);
	} else if (strcmp(c->name, "getpeername") == 0) {
		len = sizeof(a);
		getpeername(cl, (struct sockaddr *)&a, &len);
	} else if (strcmp(c->name, "ioctl-outq") == 0)
		ioctl(cl, SIOCOUTQ, &v);
	else if (strcmp(c->name, "dup2") == 0)
		dup2(cl, 100);
	else if (strcmp(c->name, "close-range") == 0)
		close_range(3, ~0U, 0);
	else if (strcmp(c->name, "accept") == 0)
		accept(l, NULL, NULL);
	else if (strcmp(c->name, "connect") == 0)
		connect(fd, (struct sockaddr *)&a, sizeof(a));
	else if (strcmp(c->name, "sendfile") == 0)
		sendfile(cl, file, NULL, 4096);
	else if (strcmp(c->name, "forbidden") == 0)
		getppid();
	_exit(0);
}
