/*
 * inspect.c - will the dynamic loader honour LD_PRELOAD for this program?
 *
 * It will not for set-user-ID and set-group-ID programs, for programs with
 * file capabilities (the loader's secure mode) and for static programs
 * (no loader at all): sctpize warns, and still runs them, on TCP.  status.c
 * asks the same question of a process that has no library mapped.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "helper.h"

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

int inspect(const char *path)
{
	enum obstacle o = preload_obstacle(path);

	switch (o) {
	case SETUID:
	case SETGID:
		say("warning: %s is set-%s: the dynamic loader ignores LD_PRELOAD for it, "
		    "so it will run on TCP", path, o == SETUID ? "user-ID" : "group-ID");
		break;
	case FILE_CAPS:
		say("warning: %s has file capabilities: the dynamic loader ignores LD_PRELOAD "
		    "for it, so it will run on TCP", path);
		break;
	case STATIC:
		say("warning: %s is statically linked: LD_PRELOAD has no effect on it, so it "
		    "will run on TCP", path);
		break;
	case NO_OBSTACLE:
		break;
	}
	return 0;
}
