/*
 * ioctl.c - ioctl(): the two socket requests SCTP does not answer.
 *
 *   SIOCATMARK  telnet and rlogin servers ask whether they are at the urgent
 *               mark.  SCTP has no urgent data (MSG_OOB bytes travel inline,
 *               as with TCP's SO_OOBINLINE), so the answer is "no": 0.
 *   SIOCOUTQ    bytes sent but not yet acknowledged.  SCTP answers with its
 *               queued send memory (SO_MEMINFO): an upper bound of that,
 *               which is 0 exactly when everything sent was acknowledged,
 *               as programs that wait for it before close() expect.
 *
 * Both act only when the kernel refused with ENOTTY on an SCTP socket: every
 * other ioctl costs nothing beyond libc's.  FIONREAD (SIOCINQ) is the
 * kernel's: the size of the next message, not of everything queued.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <string.h>

#include "preload.h"

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int saved = errno, r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	sctpize_init();
	r = real.ioctl(fd, req, arg);
	if (r == 0 || errno != ENOTTY || !arg || (req != SIOCATMARK && req != SIOCOUTQ) ||
	    !own_calls() || !is_sctp(fd))
		return r;
	/* The program's int may be anywhere (Python passes a byte buffer): memcpy. */
	int v = 0;

	if (req == SIOCOUTQ) {
		uint32_t mem[SK_MEMINFO_VARS] = { 0 };
		socklen_t len = sizeof(mem);

		if (real.getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0)
			return -1;
		v = (int)mem[SK_MEMINFO_WMEM_QUEUED];
	}
	memcpy(arg, &v, sizeof(v));
	errno = saved;
	return 0;
}
