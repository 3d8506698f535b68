/*
 * check.c - sctpize check: what SCTP support this machine has, in plain
 * words, then the one thing to do about it.
 *
 * Read from where any administrator would look: the kernel's answer to
 * socket(IPPROTO_SCTP), /sys/module/sctp, modinfo(8), the modprobe.d
 * directories, /proc/sys/net/sctp and the container markers.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "helper.h"

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcoll((*a)->d_name, (*b)->d_name);
}

/* Print (after a heading, the first time) each line of the *.conf files of
 * the modprobe.d directories that blacklists sctp or replaces its loading;
 * whether there was one. */
static bool blacklist_lines(void)
{
	static const char *const dirs[] = {
		"/etc/modprobe.d", "/run/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d",
	};
	bool found = false;
	regex_t re;

	if (regcomp(&re, "^[[:space:]]*(blacklist|install)[[:space:]]+sctp([[:space:]]|$)",
		    REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		struct dirent **names;
		int n = scandir(dirs[d], &names, NULL, by_name);

		for (int k = 0; k < n; k++) {
			const char *name = names[k]->d_name;
			size_t len = strlen(name);
			char *path, *text, *line, *next;

			if (name[0] != '.' && len > 5 && strcmp(name + len - 5, ".conf") == 0) {
				path = xasprintf("%s/%s", dirs[d], name);
				text = is_file(path) ? read_whole(path, NULL) : NULL;
				for (line = text; line && *line; line = next) {
					next = strchrnul(line, '\n');
					if (*next)
						*next++ = '\0';
					if (regexec(&re, line, 0, NULL, 0) != 0)
						continue;
					if (!found)
						printf("Blacklisted: these lines keep the module from loading:\n");
					found = true;
					printf("  %s:%s\n", path, line);
				}
				free(text);
				free(path);
			}
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
	regfree(&re);
	return found;
}

/* The sysctl net.sctp settings that matter most. */
static void settings(void)
{
	static const char *const names[] = {
		"rto_min", "rto_initial", "rto_max", "hb_interval", "path_max_retrans",
		"association_max_retrans", "max_init_retransmits", "sndbuf_policy",
		"rcvbuf_policy", "addip_enable", "auth_enable",
	};

	if (!is_dir("/proc/sys/net/sctp"))
		return;
	printf("Settings (sysctl net.sctp):\n");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char *path = xasprintf("/proc/sys/net/sctp/%s", names[k]);
		size_t len;
		char *v = read_whole(path, &len);

		if (v) {
			while (len && v[len - 1] == '\n')
				v[--len] = '\0';
			printf("  %-24s %s\n", names[k], v);
		}
		free(v);
		free(path);
	}
}

int check(void)
{
	enum { MISSING, LOADED, AVAILABLE } module;
	char *modinfo[] = {"modinfo", "sctp", NULL};
	bool blacklisted, container;
	struct utsname u;
	int err;

	uname(&u);
	printf("Kernel: %s %s\n", u.sysname, u.release);
	err = sctp_errno();
	if (!err) {
		printf("SCTP sockets: yes, this kernel makes them.\n");
	} else {
		char why[160];

		sctp_reason(err, why, sizeof(why));
		printf("SCTP sockets: no.\n  %s\n", why);
	}
	if (is_dir("/sys/module/sctp")) {
		module = LOADED;
		printf("Module sctp: loaded (or built in).\n");
	} else if (run_command(modinfo, NULL, true) == 0) {
		module = AVAILABLE;
		printf("Module sctp: available, not loaded.\n");
	} else {
		module = MISSING;
		printf("Module sctp: not found for kernel %s.\n", u.release);
	}
	blacklisted = blacklist_lines();
	if (!blacklisted)
		printf("Blacklisted: no 'blacklist sctp' or 'install sctp' line in modprobe.d.\n");
	settings();
	container = is_file("/.dockerenv") || is_file("/run/.containerenv");
	if (container)
		printf("Container: yes; it shares the host's kernel and cannot load modules.\n");
	if (!err)
		return 0;
	/* What to do, for the first cause that applies. */
	if (!strstr(strerrorname_np(err), "NOSUPPORT"))
		printf("To do: the kernel has SCTP, but this process may not use it: look for "
		       "a security policy (SELinux, AppArmor) or a seccomp filter that forbids it.\n");
	else if (container)
		printf("To do: load the module on the host, as root there: modprobe sctp.\n");
	else if (blacklisted)
		printf("To do: as root, remove the lines above, then: modprobe sctp.\n");
	else if (module == AVAILABLE)
		printf("To do: as root: modprobe sctp (and, to load it at every boot: "
		       "echo sctp > /etc/modules-load.d/sctp.conf).\n");
	else if (module == LOADED)
		printf("To do: the module is loaded, yet this process cannot make SCTP sockets: "
		       "look for a security policy or a seccomp filter that forbids them.\n");
	else
		printf("To do: kernel %s has no sctp module: install the modules "
		       "of this kernel, or boot one built with SCTP (CONFIG_IP_SCTP).\n", u.release);
	printf("Meanwhile, 'sctpize --fallback PROGRAM' runs PROGRAM on TCP.\n");
	return EX_NOSCTP;
}
