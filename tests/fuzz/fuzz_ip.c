/*
 * fuzz_ip - libFuzzer target of parse_ip() and the address helpers of
 * shim/core/addr.c (same_ip, get_port, set_port, is_unicast), and of the
 * static parse_addrs of shim/core/config.c, reached by including it.
 *
 * The input, up to its first NUL byte, is one textual address; the whole
 * input is also given to parse_addrs() as a comma-separated list.  Checked:
 *   - parse_ip() accepts exactly what inet_pton() accepts as IPv4 or IPv6,
 *     with the same bytes, and leaves every other byte of the sockaddr zero;
 *   - the address printed again (inet_ntop) parses to the same address;
 *   - same_ip() is reflexive, ports round-trip through set_port/get_port;
 *   - parse_addrs() keeps at most MAX_ADDRS addresses, each unicast, and a
 *     refusal names the setting.
 */
#include "../../shim/core/config.c"

#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_ip: check failed: %s: ", #cond);             \
			fprintf(stderr, __VA_ARGS__);                                      \
			fprintf(stderr, "\n");                                             \
			abort();                                                           \
		}                                                                          \
	} while (0)

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	struct sockaddr_storage ss, again;
	unsigned char ref4[4], ref6[16];
	char *s = malloc(size + 1), text[INET6_ADDRSTRLEN];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	memset(&ss, 0xa5, sizeof(ss));
	bool ok = parse_ip(s, &ss);
	bool is4 = inet_pton(AF_INET, s, ref4) == 1, is6 = !is4 && inet_pton(AF_INET6, s, ref6) == 1;

	CHECK(ok == (is4 || is6), "'%s': parse_ip %d, inet_pton %d/%d", s, ok, is4, is6);
	if (!ok) {
		CHECK(all_zero(&ss, sizeof(ss)), "'%s': refused, but the sockaddr is not cleared", s);
	} else if (is4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		CHECK(ss.ss_family == AF_INET, "'%s'", s);
		CHECK(memcmp(&sin->sin_addr, ref4, 4) == 0, "'%s': other bytes", s);
		CHECK(get_port((struct sockaddr *)&ss) == 0, "'%s': a port", s);
		CHECK(all_zero(sin->sin_zero, sizeof(sin->sin_zero)) &&
			      all_zero((char *)&ss + sizeof(*sin), sizeof(ss) - sizeof(*sin)),
		      "'%s': stray bytes", s);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		CHECK(ss.ss_family == AF_INET6, "'%s'", s);
		CHECK(memcmp(&sin6->sin6_addr, ref6, 16) == 0, "'%s': other bytes", s);
		CHECK(sin6->sin6_port == 0 && sin6->sin6_flowinfo == 0 && sin6->sin6_scope_id == 0,
		      "'%s': port, flow or scope set", s);
		CHECK(all_zero((char *)&ss + sizeof(*sin6), sizeof(ss) - sizeof(*sin6)),
		      "'%s': stray bytes", s);
	}
	if (ok) {
		const void *a = ss.ss_family == AF_INET
					? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
					: (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;

		CHECK(same_ip((struct sockaddr *)&ss, (struct sockaddr *)&ss), "'%s'", s);
		CHECK(inet_ntop(ss.ss_family, a, text, sizeof(text)), "'%s'", s);
		CHECK(parse_ip(text, &again) && same_ip((struct sockaddr *)&ss,
							 (struct sockaddr *)&again),
		      "'%s' printed as '%s' parses to another address", s, text);
		set_port(&again, htons(4242));
		CHECK(get_port((struct sockaddr *)&again) == htons(4242), "'%s'", s);
		CHECK(same_ip((struct sockaddr *)&ss, (struct sockaddr *)&again), "port changed the IP");
	}

	/* The whole input as a list (SCTPIZE_BIND_ADDRS). */
	memset(&c, 0, sizeof(c));
	bool listed = parse_addrs(&c, "SCTPIZE_BIND_ADDRS", s, &c.bind_addrs);

	CHECK(c.bind_addrs.n >= 0 && c.bind_addrs.n <= MAX_ADDRS, "%d", c.bind_addrs.n);
	for (int i = 0; i < c.bind_addrs.n; i++)
		CHECK(is_unicast(&c.bind_addrs.a[i]), "address %d kept but not unicast", i);
	CHECK(memchr(c.error, '\0', sizeof(c.error)), "error not terminated");
	if (listed)
		CHECK(c.error[0] == '\0' && c.bind_addrs.n >= 1, "'%s'", s);
	else
		CHECK(strncmp(c.error, "SCTPIZE_BIND_ADDRS: ", 20) == 0, "'%s'", c.error);
	free(s);
	return 0;
}
