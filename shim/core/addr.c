/*
 * addr.c - address helpers of the core: IPv4 and IPv6 socket addresses.
 *
 * Parsing a textual address (settings, rules), comparing two (the peer's
 * known addresses), their port, and what kind of address one is: unicast
 * (can be the local end of an association), loopback or wildcard (a bind
 * that widening may not touch).  An IPv4-mapped IPv6 address is judged as
 * the IPv4 address it carries.  Pure functions: no system call.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <string.h>

#include "core.h"

bool parse_ip(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

bool same_ip(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return a->sa_family == AF_INET6 &&
	       memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

in_port_t get_port(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
					: ((const struct sockaddr_in6 *)sa)->sin6_port;
}

void set_port(struct sockaddr_storage *ss, in_port_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
}

static bool is_unicast4(in_addr_t a)
{
	return a != INADDR_ANY && a != INADDR_BROADCAST && !IN_MULTICAST(a);
}

/* Only addresses that can be a local end of an association may be added; an
 * IPv4-mapped one (::ffff:0.0.0.0 is the IPv4 wildcard) is judged as IPv4. */
bool is_unicast(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return is_unicast4(ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr));
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		in_addr_t a;

		memcpy(&a, &a6->s6_addr[12], sizeof(a));
		return is_unicast4(ntohl(a));
	}
	return !IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_MULTICAST(a6);
}

bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

	return IN6_IS_ADDR_LOOPBACK(a) ||
	       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

bool is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}
