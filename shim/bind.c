/*
 * bind.c - bind(): optional widening, so that an association is multihomed.
 *
 * A TCP server binds one address; an SCTP association can span them all.
 * Off by default.  With SCTPIZE_BIND_ALL a bind to one specific unicast
 * address becomes a bind to the wildcard of its family, same port, so the
 * association advertises every local address.  With SCTPIZE_BIND_ADDRS the
 * program's bind is kept and the listed addresses are added after it with
 * sctp_bindx(SCTP_BINDX_ADD_ADDR), on the port the bind got.
 *
 * A loopback bind is never widened unless SCTPIZE_BIND_LOOPBACK=1: widening
 * must not expose a service that its operator kept local.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <string.h>

#include "sctpize.h"

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

	return IN6_IS_ADDR_LOOPBACK(a) ||
	       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static bool is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* A bind that widening may touch: one specific IP address the user did not keep local. */
static bool widenable(const struct sockaddr *sa, socklen_t len)
{
	if (!sa || !((sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
		     (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
		return false;
	return !is_wildcard(sa) && (cfg.bind_loopback || !is_loopback(sa));
}

static bool same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* Add SCTPIZE_BIND_ADDRS to bound socket fd: -1 with sctp_bindx()'s errno on failure. */
static int add_addrs(int fd)
{
	union {
		struct sockaddr_in6 align;
		unsigned char b[MAX_BIND_ADDRS * sizeof(struct sockaddr_in6)];
	} packed;
	struct sockaddr_storage self;
	socklen_t len = sizeof(self);
	size_t used = 0;
	int n = 0, v6only = 0;

	if (getsockname(fd, (struct sockaddr *)&self, &len) != 0)
		return -1;
	len = sizeof(v6only);
	if (self.ss_family == AF_INET6)
		real.getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	in_port_t port = self.ss_family == AF_INET ? ((struct sockaddr_in *)&self)->sin_port
						   : ((struct sockaddr_in6 *)&self)->sin6_port;

	for (int i = 0; i < cfg.n_bind_addrs; i++) {
		const struct sockaddr_storage *a = &cfg.bind_addrs[i];

		/* An IPv4 socket takes IPv4 addresses; an IPv6 one both, unless V6ONLY. */
		if ((self.ss_family == AF_INET && a->ss_family != AF_INET) ||
		    (v6only && a->ss_family == AF_INET) || same_ip(a, &self))
			continue;
		size_t sz = a->ss_family == AF_INET ? sizeof(struct sockaddr_in)
						    : sizeof(struct sockaddr_in6);

		memcpy(packed.b + used, a, sz);
		if (a->ss_family == AF_INET)
			((struct sockaddr_in *)(packed.b + used))->sin_port = port;
		else
			((struct sockaddr_in6 *)(packed.b + used))->sin6_port = port;
		used += sz;
		n++;
	}
	if (n == 0)
		return 0;
	if (sctp_bindx(fd, (struct sockaddr *)packed.b, n, SCTP_BINDX_ADD_ADDR) != 0) {
		logmsg(0, "fd %d: SCTPIZE_BIND_ADDRS: adding the addresses failed: %m", fd);
		return -1;
	}
	logmsg(1, "fd %d: %d address(es) added with sctp_bindx", fd, n);
	return 0;
}

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage wild;
	int saved = errno;

	sctpize_init();
	if ((!cfg.bind_all && cfg.n_bind_addrs == 0) || !widenable(addr, len) || !is_sctp(fd))
		return real.bind(fd, addr, len);
	if (cfg.bind_all) {
		/* The same sockaddr with the address part zeroed: port, family, scope kept. */
		memset(&wild, 0, sizeof(wild));
		memcpy(&wild, addr, addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							       : sizeof(struct sockaddr_in6));
		if (wild.ss_family == AF_INET)
			((struct sockaddr_in *)&wild)->sin_addr.s_addr = htonl(INADDR_ANY);
		else
			((struct sockaddr_in6 *)&wild)->sin6_addr = in6addr_any;
		logmsg(1, "fd %d: bind widened to the wildcard address", fd);
		return real.bind(fd, (struct sockaddr *)&wild, len);
	}
	if (real.bind(fd, addr, len) != 0)
		return -1;
	if (add_addrs(fd) != 0)
		return -1;
	errno = saved;
	return 0;
}
