/*
 * fuzz_rules - libFuzzer target of the migration rules (shim/core/rules.c):
 * SCTPIZE_RULES, the config file, and the decision made with them.
 *
 * The input is split at the first NUL byte: the part before it is the value
 * of SCTPIZE_RULES (absent if the input has no NUL), the part after it the
 * content of the config file, given to the parser through a memfd (a
 * regular file, as the library requires).  When both parse, every rule is
 * formatted back and one decision is made for each role with an address
 * and port taken from the last bytes of the input: what the library does at
 * listen() and connect().  The parser must never crash, overflow or loop,
 * and a rule must read back as a rule that parses to the same decision.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../shim/core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c, again;
	static char rules[70000], path[64], text[200];
	static int fd = -1;
	const uint8_t *nul = memchr(data, 0, size);
	size_t rlen = nul ? (size_t)(nul - data) : 0;
	struct sockaddr_storage ss = { 0 };
	char *env[3] = { NULL };
	int n = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_rules", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (rlen >= sizeof(rules) - 20)
		return 0;
	if (nul) {
		memcpy(rules, "SCTPIZE_RULES=", 14);
		memcpy(rules + 14, data, rlen);
		rules[14 + rlen] = '\0';
		env[n++] = rules;
	}
	/* The config file: the bytes after the NUL (or all of them). */
	const uint8_t *file = nul ? nul + 1 : data;
	size_t flen = nul ? size - rlen - 1 : size;
	static char cfgvar[100];

	if (ftruncate(fd, 0) != 0 || pwrite(fd, file, flen, 0) != (ssize_t)flen)
		abort();
	snprintf(cfgvar, sizeof(cfgvar), "SCTPIZE_CONFIG=%s", path);
	env[n++] = cfgvar;
	if (!config_parse(&c, env)) {
		if (!c.error[0] || memchr(c.error, '\n', strlen(c.error)))
			abort();	/* a refusal always says why, on one line */
		return 0;
	}
	/* An address and a port from the input's last bytes. */
	if (size >= 6 && (data[size - 1] & 1)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, data + size - 6, 4);
		memcpy(&sin->sin_port, data + size - 2, 2);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		if (size >= 18)
			memcpy(&sin6->sin6_addr, data + size - 18, 16);
		if (size >= 2)
			memcpy(&sin6->sin6_port, data + size - 2, 2);
	}
	for (int role = ROLE_SERVER; role <= ROLE_CLIENT; role++) {
		int which, a = rule_decide(&c, "fuzzprog", role, (struct sockaddr *)&ss, &which);

		if (a < ACT_SCTP || a > ACT_BOTH || which < -1 || which >= c.n_rules)
			abort();
		(void)rules_fixed(&c, "fuzzprog");
		if (which < 0)
			continue;
		/* The rule that fired, written back, parses and fires the same way. */
		static char one[300];
		char *env2[2] = { one, NULL };

		rule_format(&c, which, text, sizeof(text));
		snprintf(one, sizeof(one), "SCTPIZE_RULES=%s", text);
		if (strlen(text) < sizeof(text) - 1) {
			int w2, a2;

			if (!config_parse(&again, env2))
				abort();
			a2 = rule_decide(&again, "fuzzprog", role, (struct sockaddr *)&ss, &w2);
			if (w2 != 0 || a2 != a)
				abort();
		}
	}
	return 0;
}
