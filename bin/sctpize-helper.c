/*
 * sctpize-helper - sctpize(1), and what its shell mode asks of it.
 *
 *   sctpize-helper sctpize LIBDIR ARGS...
 *                                  sctpize(1) itself (command.c): bin/sctpize.in
 *                                  execs this unless sourced (shell mode)
 *   sctpize-helper validate        parse the SCTPIZE_* environment with the
 *                                  library's own parser; exit 2 with one
 *                                  message naming the setting if it is bad
 *   sctpize-helper probe           can this kernel make an SCTP socket?
 *                                  exit 0, or 3 with the reason
 *   sctpize-helper inspect FILE    warn when the dynamic loader will ignore
 *                                  LD_PRELOAD for FILE (inspect.c)
 *   sctpize-helper status PID      (status.c) what sctpize did to process PID
 *   sctpize-helper explain [ROLE ADDR PORT] [PROG]
 *                                  (explain.c) the rules, and which one fires
 *   sctpize-helper completion      the option table as bash variables, which
 *                                  "make" puts into the bash completion
 *
 * It lives in the library's private directory; but for sctpize, the
 * subcommands are for the shell mode and the tests.  This file is the one
 * that calls the library's parser (validate), so that what the wrapper
 * refuses is exactly what the library would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "../shim/core/core.h"
#include "helper.h"

int validate(char **env)
{
	static struct config c;

	if (config_parse(&c, env))
		return 0;
	fprintf(stderr, "sctpize: %s\n", c.error);
	return EX_USAGE;
}

int sctp_errno(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

void sctp_reason(int err, char *buf, size_t size)
{
	snprintf(buf, size, "this kernel cannot make SCTP sockets (%s, %s).",
		 strerrorname_np(err), strerror(err));
}

int probe(void)
{
	int err = sctp_errno();
	char why[160];

	if (!err)
		return 0;
	sctp_reason(err, why, sizeof(why));
	fprintf(stderr, "sctpize: %s\n", why);
	if (err == EPROTONOSUPPORT || err == ESOCKTNOSUPPORT)
		fprintf(stderr,
			"sctpize: load the module as root: modprobe sctp; if that fails, look for\n"
			"sctpize: 'blacklist sctp' or 'install sctp /bin/false' in /etc/modprobe.d;\n"
			"sctpize: in a container the host must load it.  'sctpize check' says more.\n");
	else
		fprintf(stderr, "sctpize: a security policy or seccomp filter may forbid it;"
				" 'sctpize check' says more.\n");
	return EX_NOSCTP;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "sctpize") == 0)
		return sctpize(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "validate") == 0)
		return validate(environ);
	if (argc == 2 && strcmp(argv[1], "probe") == 0)
		return probe();
	if (argc == 3 && strcmp(argv[1], "inspect") == 0)
		return inspect(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return explain(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "status") == 0)
		return status(argv[2]);
	if (argc == 2 && strcmp(argv[1], "completion") == 0) {
		print_completion();
		return 0;
	}
	fprintf(stderr, "usage: sctpize-helper sctpize LIBDIR [ARGS...] | validate | probe | inspect FILE"
			" | status PID | explain [ROLE ADDR PORT] [PROG] | completion\n");
	return EX_USAGE;
}
