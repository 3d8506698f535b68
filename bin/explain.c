/*
 * explain.c - sctpize explain: which rule fires, before a program runs.
 *
 * The rules are read exactly as the library reads them (config_parse() of
 * shim/core/config.c and shim/core/rules.c, from this environment), listed in the order
 * they are tried with where each came from, and, for a role, an address and
 * a port, the rule that fires and its action.  An operator checks a config
 * this way before restarting a service.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shim/core/core.h"
#include "helper.h"

static const char *why_default(const struct config *c)
{
	switch (c->default_from) {
	case DEFAULT_ENV:
		return "SCTPIZE_DEFAULT (--default)";
	case DEFAULT_FILE:
		return "the config file's 'default' line";
	case DEFAULT_CONVERT_RULES:
		return "none given, and the rules list what converts";
	default:
		return c->n_rules ? "none given, and the rules only list exceptions"
				  : "no rules: every TCP socket converts";
	}
}

/* argv: [server|client ADDR PORT] [PROGRAM] */
int explain(int argc, char **argv)
{
	static struct config c;
	struct sockaddr_storage ss;
	const char *prog = NULL;
	char text[200], where[300];
	int role = 0, which, action, fixed;

	if (!config_parse(&c, environ)) {
		fprintf(stderr, "sctpize: %s\n", c.error);
		return 2;
	}
	if (argc >= 3 && (strcmp(argv[0], "server") == 0 || strcmp(argv[0], "client") == 0)) {
		char *end;
		unsigned long port = strtoul(argv[2], &end, 10);

		role = argv[0][0] == 's' ? ROLE_SERVER : ROLE_CLIENT;
		if (!parse_ip(argv[1], &ss)) {
			fprintf(stderr, "sctpize: explain: '%s' is not an IPv4 or IPv6 address\n", argv[1]);
			return 2;
		}
		if (*end || end == argv[2] || port > 65535) {
			fprintf(stderr, "sctpize: explain: '%s' is not a port (0-65535)\n", argv[2]);
			return 2;
		}
		set_port(&ss, htons((in_port_t)port));
		argc -= 3;
		argv += 3;
	} else if (argc >= 1 && (strcmp(argv[0], "server") == 0 || strcmp(argv[0], "client") == 0)) {
		fprintf(stderr, "sctpize: explain: usage: explain [server|client ADDR PORT] [-- PROGRAM]\n");
		return 2;
	}
	if (argc >= 1) {
		prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
		argc--;
	}
	if (argc > 0) {
		fprintf(stderr, "sctpize: explain: usage: explain [server|client ADDR PORT] [-- PROGRAM]\n");
		return 2;
	}
	printf("Config file: %s\n", c.config_file[0] ? c.config_file : "none");
	if (c.n_rules)
		printf("Rules, first match wins:\n");
	for (int i = 0; i < c.n_rules; i++) {
		rule_format(&c, i, text, sizeof(text));
		rule_origin(&c, i, where, sizeof(where));
		printf("  %2d  %-40s  (%s)\n", i + 1, text, where);
	}
	printf("Default: %s (%s)\n", action_names[c.default_action], why_default(&c));
	fixed = rules_fixed(&c, prog);
	if (prog)
		printf("Program %s: %s\n", prog, fixed == ACT_SCTP ? "every TCP socket converts at socket()"
			: fixed == ACT_TCP ? "no socket converts"
			: "each socket is decided at listen() (server) or connect() (client)");
	if (!role)
		return 0;
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(ss.ss_family, ss.ss_family == AF_INET
		  ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
		  : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip));
	action = rule_decide(&c, prog, role, (struct sockaddr *)&ss, &which);
	printf("%s %s port %u%s%s: ", role == ROLE_SERVER ? "server" : "client", ip,
	       ntohs(get_port((struct sockaddr *)&ss)), prog ? " of " : "", prog ? prog : "");
	if (which >= 0) {
		rule_format(&c, which, text, sizeof(text));
		rule_origin(&c, which, where, sizeof(where));
		printf("rule %d (%s; %s) -> %s\n", which + 1, text, where, action_names[action]);
	} else {
		printf("no rule matches: the default -> %s\n", action_names[action]);
	}
	return 0;
}
