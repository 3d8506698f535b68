/*
 * sctpize-helper - what the sctpize(1) wrapper cannot ask from a shell.
 *
 *   sctpize-helper validate        parse the SCTPIZE_* environment with the
 *                                  library's own parser; exit 2 with one
 *                                  message naming the setting if it is bad
 *   sctpize-helper probe           can this kernel make an SCTP socket?
 *                                  exit 0, or 3 with the reason
 *   sctpize-helper inspect FILE    warn when the dynamic loader will ignore
 *                                  LD_PRELOAD for FILE (setuid, setgid,
 *                                  file capabilities, static linking)
 *   sctpize-helper status PID      (status.c) what sctpize did to process PID: library
 *                                  loaded or why not, its settings, its SCTP
 *                                  listeners, associations and paths, and
 *                                  its sockets still on TCP; exit 0, or 1
 *                                  if there is no such process or it cannot
 *                                  be read
 *
 * It lives in the library's private directory and is not meant to be run
 * by hand (sctpize status PID runs status).  It prints to stderr only,
 * except the status report, which goes to stdout; it never loads the
 * library.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../shim/core/core.h"
#include "helper.h"

static int validate(void)
{
	static struct config c;

	if (config_parse(&c, environ))
		return 0;
	fprintf(stderr, "sctpize: %s\n", c.error);
	return 2;
}

static int probe(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fprintf(stderr, "sctpize: this kernel cannot make SCTP sockets (%s, %s).\n",
		strerrorname_np(errno), strerror(errno));
	if (errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT)
		fprintf(stderr,
			"sctpize: load the module as root: modprobe sctp; if that fails, look for\n"
			"sctpize: 'blacklist sctp' or 'install sctp /bin/false' in /etc/modprobe.d;\n"
			"sctpize: in a container the host must load it.  'sctpize check' says more.\n");
	else
		fprintf(stderr, "sctpize: a security policy or seccomp filter may forbid it;"
				" 'sctpize check' says more.\n");
	return 3;
}

/* An ELF executable without PT_INTERP is static: no dynamic loader, no preload. */
static bool is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool interp = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		close(fd);
		return false;	/* a script, or not an executable this loader runs */
	}
	for (int i = 0; i < eh.e_phnum && !interp; i++)
		interp = pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) ==
				 sizeof(ph) && ph.p_type == PT_INTERP;
	close(fd);
	return !interp;
}

enum obstacle preload_obstacle(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return NO_OBSTACLE;
	if (st.st_mode & S_ISUID)
		return SETUID;
	if (st.st_mode & S_ISGID)
		return SETGID;
	if (getxattr(path, "security.capability", NULL, 0) > 0)
		return FILE_CAPS;
	if (is_static_elf(path))
		return STATIC;
	return NO_OBSTACLE;
}

static int inspect(const char *path)
{
	enum obstacle o = preload_obstacle(path);

	switch (o) {
	case SETUID:
	case SETGID:
		fprintf(stderr, "sctpize: warning: %s is set-%s: the dynamic loader ignores "
				"LD_PRELOAD for it, so it will run on TCP\n",
			path, o == SETUID ? "user-ID" : "group-ID");
		break;
	case FILE_CAPS:
		fprintf(stderr, "sctpize: warning: %s has file capabilities: the dynamic loader "
				"ignores LD_PRELOAD for it, so it will run on TCP\n", path);
		break;
	case STATIC:
		fprintf(stderr, "sctpize: warning: %s is statically linked: LD_PRELOAD has no "
				"effect on it, so it will run on TCP\n", path);
		break;
	case NO_OBSTACLE:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "validate") == 0)
		return validate();
	if (argc == 2 && strcmp(argv[1], "probe") == 0)
		return probe();
	if (argc == 3 && strcmp(argv[1], "inspect") == 0)
		return inspect(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return explain(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "status") == 0)
		return status(argv[2]);
	fprintf(stderr, "usage: sctpize-helper validate | probe | inspect FILE | status PID | explain [ROLE ADDR PORT] [PROG]\n");
	return 2;
}
