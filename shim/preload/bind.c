/*
 * bind.c - bind(): optional widening, so that an association is multihomed.
 *
 * A TCP server binds one address; an SCTP association can span them all.
 * Off by default.  With SCTPIZE_BIND_ALL a bind to one specific unicast
 * address becomes a bind to the wildcard of its family, same port, so the
 * association advertises every local address.  With SCTPIZE_BIND_ADDRS the
 * program's bind is kept and the listed addresses are added after it with
 * sctp_bindx(SCTP_BINDX_ADD_ADDR), on the port the bind got; likewise the
 * addresses that the interfaces of SCTPIZE_BIND_IFACES have at that moment.
 *
 * A loopback bind is never widened unless SCTPIZE_BIND_LOOPBACK=1: widening
 * must not expose a service that its operator kept local.  The migration
 * wing binds the SCTP socket that replaces a TCP one through bind_widened(),
 * so that widening applies to it too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <string.h>

#include "preload.h"

/* A bind that widening may touch: one specific IP address the user did not keep local. */
static bool widenable(const struct sockaddr *sa, socklen_t len)
{
	if (!sa || !((sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
		     (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
		return false;
	return !is_wildcard(sa) && (cfg.bind_loopback || !is_loopback(sa));
}

int pack_addrs(int fd, const struct sockaddr *skip, const struct sockaddr_storage *a, int n,
	       in_port_t port, unsigned char *buf)
{
	int family = AF_INET, v6only = 0, count = 0;
	socklen_t len = sizeof(family);
	size_t used = 0;

	real.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len);
	len = sizeof(v6only);
	if (family == AF_INET6)
		real.getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	for (int i = 0; i < n; i++) {
		/* An IPv4 socket takes IPv4 addresses; an IPv6 one both, unless V6ONLY. */
		if ((family == AF_INET && a[i].ss_family != AF_INET) ||
		    (v6only && a[i].ss_family == AF_INET) ||
		    (skip && same_ip(skip, (const struct sockaddr *)&a[i])))
			continue;
		size_t sz = a[i].ss_family == AF_INET ? sizeof(struct sockaddr_in)
						      : sizeof(struct sockaddr_in6);
		struct sockaddr_storage one = a[i];

		set_port(&one, port);
		memcpy(buf + used, &one, sz);
		used += sz;
		count++;
	}
	return count;
}

/*
 * The addresses of SCTPIZE_BIND_IFACES now, appended to list (up to max):
 * IPv4 and global IPv6 ones (a link-local address needs a scope that an
 * association cannot carry).  -1 with EADDRNOTAVAIL if an interface has none.
 */
static int iface_addrs(int fd, struct sockaddr_storage *list, int n, int max)
{
	struct ifaddrs *all, *ifa;

	if (cfg.n_bind_ifaces == 0)
		return n;
	if (getifaddrs(&all) != 0)
		return -1;
	for (int i = 0; i < cfg.n_bind_ifaces; i++) {
		int before = n;

		for (ifa = all; ifa; ifa = ifa->ifa_next) {
			const struct sockaddr *sa = ifa->ifa_addr;

			if (!sa || strcmp(ifa->ifa_name, cfg.bind_ifaces[i]) != 0 ||
			    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
			    (sa->sa_family == AF_INET6 &&
			     IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)sa)->sin6_addr)))
				continue;
			if (n == max)
				break;
			memset(&list[n], 0, sizeof(list[n]));
			memcpy(&list[n++], sa, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
									: sizeof(struct sockaddr_in6));
		}
		if (n == before) {
			logmsg(0, "fd %d: SCTPIZE_BIND_IFACES: interface '%s' has no usable address",
			       fd, cfg.bind_ifaces[i]);
			freeifaddrs(all);
			errno = EADDRNOTAVAIL;
			return -1;
		}
	}
	freeifaddrs(all);
	return n;
}

/* Add SCTPIZE_BIND_ADDRS and SCTPIZE_BIND_IFACES to bound socket fd: -1 with errno on failure. */
static int add_addrs(int fd)
{
	struct sockaddr_storage self, list[2 * MAX_ADDRS];
	union {
		struct sockaddr_in6 align;
		unsigned char b[2 * MAX_ADDRS * sizeof(struct sockaddr_in6)];
	} packed;
	socklen_t len = sizeof(self);
	int n = cfg.bind_addrs.n;

	if (real.getsockname(fd, (struct sockaddr *)&self, &len) != 0)
		return -1;
	memcpy(list, cfg.bind_addrs.a, sizeof(list[0]) * (size_t)n);
	n = iface_addrs(fd, list, n, 2 * MAX_ADDRS);
	if (n < 0)
		return -1;
	n = pack_addrs(fd, (struct sockaddr *)&self, list, n, get_port((struct sockaddr *)&self),
		       packed.b);
	if (n == 0)
		return 0;
	if (sctp_bindx(fd, (struct sockaddr *)packed.b, n, SCTP_BINDX_ADD_ADDR) != 0) {
		logmsg(0, "fd %d: SCTPIZE_BIND_%s: adding the addresses failed: %m", fd,
		       cfg.bind_addrs.n ? "ADDRS" : "IFACES");
		return -1;
	}
	logmsg(1, "fd %d: %d address(es) added with sctp_bindx", fd, n);
	return 0;
}

int bind_widened(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage wild;
	int saved = errno;

	if ((!cfg.bind_all && !cfg.bind_addrs.n && !cfg.n_bind_ifaces) || !widenable(addr, len) ||
	    !own_calls() || !is_sctp(fd))
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

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	sctpize_init();
	return bind_widened(fd, addr, len);
}
