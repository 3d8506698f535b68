/*
 * process.c - the process the library lives in: vfork() children and sandboxes.
 *
 * A vfork() child (CPython's subprocess, posix_spawn() in many libcs) runs
 * in its parent's memory, with a descriptor table of its own, until it
 * calls exec() or _exit().  Its close_range() and dup2() come through our
 * wrappers, and what they would do to the library's tables (fdstate.c,
 * migrate/) would be done to the parent's.  So the process that owns the
 * memory is remembered (at start-up, and in every fork() child), and only
 * it does bookkeeping of closes and copies: bookkeeper() costs one getpid()
 * and is asked only when there is something to write.
 *
 * A process that installs a seccomp filter (OpenSSH's privilege-separated
 * child, vsftpd, tor, ...) may be killed for any system call it did not
 * plan for, and a filter cannot be read back.  The library sees the calls
 * that install one: prctl(PR_SET_SECCOMP) and seccomp(2), which libseccomp
 * makes through syscall().  From then on own_calls() is false and every
 * wrapper makes no system call but the program's own: the library does
 * less (no half-close marker, no option mapping, no large-write split),
 * never something the sandbox forbids.  Only the process that owns the
 * memory becomes sandboxed this way: a vfork() child that installs a
 * filter before exec() leaves its parent as it was.
 *
 * And the program's signal dispositions: whether a wait of ours that a
 * signal interrupted stands for a call the kernel would have restarted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

atomic_bool sandboxed;
static _Atomic pid_t owner;

static void child_after_fork(void)
{
	atomic_store_explicit(&owner, getpid(), memory_order_relaxed);
}

void process_init(void)
{
	atomic_store_explicit(&owner, getpid(), memory_order_relaxed);
	pthread_atfork(NULL, NULL, child_after_fork);
}

bool bookkeeper(void)
{
	return !own_calls() || getpid() == atomic_load_explicit(&owner, memory_order_relaxed);
}

/*
 * About to install a filter: is this the process that owns the memory?
 * (Asked, and said, before: after it getpid() and write() may be forbidden.)
 */
static bool installing(void)
{
	if (!own_calls())
		return false;
	logmsg(1, "a seccomp filter: from now on only the program's own calls");
	return bookkeeper();
}

/* The filter was installed (r: the call's result), by the owner if mine. */
static void installed(long r, bool mine)
{
	if (r >= 0 && mine)
		atomic_store_explicit(&sandboxed, true, memory_order_relaxed);
}

EXPORT int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;
	bool mine;
	int r;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	sctpize_init();
	if (option != PR_SET_SECCOMP)
		return real.prctl(option, a[0], a[1], a[2], a[3]);
	mine = installing();
	r = real.prctl(option, a[0], a[1], a[2], a[3]);
	installed(r, mine);
	return r;
}

/*
 * syscall(): every number passes through; seccomp(SECCOMP_SET_MODE_*) is
 * noted.  (Six arguments are read whatever the number: the kernel's ABI
 * passes them in registers, as libc's own syscall() reads them.)
 */
EXPORT long syscall(long number, ...)
{
	long a[6];
	va_list ap;
	bool mine;
	long r;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	sctpize_init();
	if (number != SYS_seccomp ||
	    (a[0] != SECCOMP_SET_MODE_FILTER && a[0] != SECCOMP_SET_MODE_STRICT))
		return real.syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	mine = installing();
	r = real.syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	installed(r, mine);
	return r;
}

/*
 * Our own waits (poll() in connect.c, epoll_wait() of a dual listener) are
 * never restarted by the kernel after a signal, where the program's call
 * would have been with SA_RESTART: the restart is ours to make.
 */
bool restart_after_signal(void)
{
	sigset_t blocked;
	int saved = errno;
	bool restart = true;

	pthread_sigmask(SIG_BLOCK, NULL, &blocked);
	for (int sig = 1; sig < NSIG && restart; sig++) {
		struct sigaction sa;

		if (sigismember(&blocked, sig) == 1 || sigaction(sig, NULL, &sa) != 0)
			continue;
		if (!(sa.sa_flags & SA_SIGINFO) &&
		    (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN))
			continue;
		restart = sa.sa_flags & SA_RESTART;
	}
	errno = saved;
	return restart;
}
