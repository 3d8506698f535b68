/*
 * real.c - the real socket calls, and the one-time start-up of the library.
 *
 * Every wrapper calls sctpize_init() first: another library's constructor
 * may call socket() before ours has run, so start-up cannot wait for our own
 * constructor.  pthread_once() makes the first call from many threads at
 * once safe, and is fork-safe because it completes before it returns.
 *
 * Trap: nothing in resolve() may call a function this library wraps, or the
 * first wrapped call would wait on its own pthread_once() forever.  Config
 * errors are therefore only recorded here and reported by the constructor.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "preload.h"

struct real_calls real;
struct config cfg;

atomic_bool sctpize_ready;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Resolve one symbol to the next definition after ours (another preload or libc). */
#define RESOLVE(name) (real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name))

static void resolve(void)
{
	int saved = errno;

	RESOLVE(syscall);	/* (first: start-up itself makes raw system calls) */
	core_syscall = real.syscall;	/* the core's reads of files (file.c) */
	RESOLVE(prctl);
	RESOLVE(socket);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	real_io = (struct sockio){ real.setsockopt, real.getsockopt };	/* the core's option calls */
	RESOLVE(accept);
	RESOLVE(accept4);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(getaddrinfo);
	RESOLVE(write);
	RESOLVE(send);
	RESOLVE(sendto);
	RESOLVE(writev);
	RESOLVE(sendmsg);
	RESOLVE(recv);
	RESOLVE(recvfrom);
	RESOLVE(recvmsg);
	RESOLVE(read);
	RESOLVE(readv);
	real.read_chk = (__typeof__(real.read_chk))dlsym(RTLD_NEXT, "__read_chk");
	real.recv_chk = (__typeof__(real.recv_chk))dlsym(RTLD_NEXT, "__recv_chk");
	real.recvfrom_chk = (__typeof__(real.recvfrom_chk))dlsym(RTLD_NEXT, "__recvfrom_chk");
	RESOLVE(shutdown);
	RESOLVE(close);
	RESOLVE(close_range);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(fcntl64);
	RESOLVE(ioctl);
	RESOLVE(sendfile);
	RESOLVE(listen);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(epoll_ctl);
	RESOLVE(recvmmsg);
	/* No settings from the environment of setuid or file-capability programs. */
	config_parse(&cfg, getauxval(AT_SECURE) ? NULL : environ);
	cfg.fixed = rules_fixed(&cfg, program_invocation_short_name);
	process_init();
	tune_init();
	sendfile_init();
	migrate_init();
	stats_init();
	resolve_init();
	fd_state_init();
	atomic_store_explicit(&sctpize_ready, true, memory_order_release);
	errno = saved;
}

/* The first call (sctpize_init()): pthread_once() lets one thread start, the others wait. */
void sctpize_start(void)
{
	pthread_once(&once, resolve);
}

/* Without keeping errno: only a failure sets it, and then the caller's next call fails too. */
bool socket_is_sctp(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	return real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	       proto == IPPROTO_SCTP;
}

bool is_sctp(int fd)
{
	int saved = errno, proto = 0;
	socklen_t len = sizeof(proto);
	bool yes = real.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
		   proto == IPPROTO_SCTP;

	errno = saved;
	return yes;
}

__attribute__((constructor)) static void sctpize_constructor(void)
{
	sctpize_init();
	if (cfg.error[0])
		logmsg(0, "%s; no socket is converted, TCP sockets fail with EINVAL", cfg.error);
}
