/*
 * status.c - sctpize-helper status PID: what sctpize did to a running process.
 *
 * Split from sctpize-helper.c, which dispatches to it; see the comment below
 * for where every figure comes from.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../shim/core/core.h"
#include "helper.h"

/*
 * status PID: what sctpize did to a running process, read from /proc.
 *
 * Everything comes from files any tool could read: /proc/PID/maps (is the
 * library mapped), /proc/PID/environ (the SCTPIZE_* settings it was started
 * with), /proc/PID/fd (its sockets, by inode) and the tables of its network
 * namespace in /proc/PID/net: sctp/eps (listeners), sctp/assocs
 * (associations), sctp/remaddr (the paths of each), tcp and tcp6 (what is
 * still on TCP).  Measured on Linux 6.1:
 *
 *   eps      ENDPT SOCK STY SST HBKT LPORT UID INODE LADDRS...
 *   assocs   ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE
 *            LPORT RPORT LADDRS... <-> RADDRS... TAB HBINT ...
 *            ('*' marks the primary remote address, and the local address
 *            the primary path leaves from)
 *   remaddr  ADDR ASSOC_ID HB_ACT RTO MAX_PATH_RTX REM_ADDR_RTX START STATE
 *            (RTO in jiffies; STATE as enum sctp_transport_state)
 *
 * Addresses are printed by the kernel as %pI4 or as uncompressed %pI6.  RTO
 * in milliseconds needs the socket itself: when we may (pidfd_getfd: the
 * caller is root or may ptrace the process), a duplicate of the descriptor
 * answers SCTP_GET_PEER_ADDR_INFO; otherwise the kernel's jiffies are shown.
 */
#define ASSOC_FIELDS 13	/* sctp/assocs: fields before the first local address */

/* One socket of the process: its inode, its lowest descriptor, whether shown. */
struct sock_fd {
	unsigned long ino;
	int fd;
	bool shown;
};

/* The process under inspection. */
struct proc {
	int pid;
	char dir[32];		/* "/proc/PID" */
	int pidfd;		/* for pidfd_getfd(), or -1 */
	struct sock_fd *socks;	/* sorted by inode, then descriptor */
	size_t n_socks;
};

/* A table row that belongs to the process, kept to print in descriptor order. */
struct row {
	int fd;
	char *line;
};

/* Read the whole of a small file into buf (NUL-terminated); its length, or -1 with errno. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	buf[len] = '\0';
	return len;
}

/* Field n (1-based, whitespace-separated) of line into out; false if there is none. */
static bool field(const char *line, int n, char *out, size_t size)
{
	const char *p = line;
	size_t len;

	for (;;) {
		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (len == 0)
			return false;
		if (--n == 0)
			break;
		p += len;
	}
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* Field n of line as an unsigned number in base; ULONG_MAX if it is missing or not one. */
static unsigned long field_num(const char *line, int n, int base)
{
	char f[32], *end;
	unsigned long v;

	if (!field(line, n, f, sizeof(f)))
		return ULONG_MAX;
	errno = 0;
	v = strtoul(f, &end, base);
	return errno || *end || end == f ? ULONG_MAX : v;
}

/*
 * A kernel-printed address (%pI4 or %pI6, perhaps after a '*') into *ss and,
 * compressed, into out.  Returns whether it carried the '*' (primary) mark.
 * An address that does not parse is copied as it is.
 */
static bool kernel_addr(const char *tok, struct sockaddr_storage *ss, char *out, size_t size)
{
	bool primary = *tok == '*';
	const void *a;
	size_t len;

	if (primary)
		tok++;
	len = strnlen(tok, size - 1);
	memcpy(out, tok, len);
	out[len] = '\0';
	if (!parse_ip(tok, ss))
		return primary;
	if (ss->ss_family == AF_INET)
		a = &((struct sockaddr_in *)ss)->sin_addr;
	else
		a = &((struct sockaddr_in6 *)ss)->sin6_addr;
	inet_ntop(ss->ss_family, a, out, size);
	return primary;
}

/* "addr:port", with brackets around an IPv6 address. */
static void addr_port(char *out, size_t size, const char *addr, unsigned long port)
{
	snprintf(out, size, strchr(addr, ':') ? "[%s]:%lu" : "%s:%lu", addr, port);
}

static int cmp_sock(const void *a, const void *b)
{
	const struct sock_fd *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->fd - y->fd;
}

/* The process's socket with this inode (its lowest descriptor), or NULL. */
static struct sock_fd *find_sock(struct proc *p, unsigned long ino)
{
	struct sock_fd key = { .ino = ino, .fd = -1 };
	size_t lo = 0, hi = p->n_socks;

	/* The first entry not below key: the lowest descriptor of the inode. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_sock(&p->socks[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n_socks && p->socks[lo].ino == ino ? &p->socks[lo] : NULL;
}

/* Fill p->socks from /proc/PID/fd; false, with errno, if it cannot be read. */
static bool list_sockets(struct proc *p)
{
	char path[64], target[64];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/fd", p->dir);
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		unsigned long ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n < 0)
			continue;	/* closed meanwhile */
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) != 1)
			continue;
		if (p->n_socks == cap) {
			struct sock_fd *more;

			cap = cap ? 2 * cap : 16;
			more = realloc(p->socks, cap * sizeof(*more));
			if (!more) {
				closedir(d);
				return false;
			}
			p->socks = more;
		}
		p->socks[p->n_socks++] = (struct sock_fd){ ino, atoi(de->d_name), false };
	}
	closedir(d);
	qsort(p->socks, p->n_socks, sizeof(*p->socks), cmp_sock);
	return true;
}

static int cmp_row(const void *a, const void *b)
{
	return ((const struct row *)a)->fd - ((const struct row *)b)->fd;
}

/*
 * The rows of /proc/PID/net/NAME whose inode (field ino_field) is one of the
 * process's sockets, sorted by descriptor, each marked shown; *n their number.
 * NULL with *n == 0 when there are none or the table cannot be read (errno).
 */
static struct row *table_rows(struct proc *p, const char *name, int ino_field, size_t *n)
{
	char path[64];
	char *line = NULL;
	size_t len = 0, cap = 0;
	struct row *rows = NULL;
	FILE *f;

	*n = 0;
	snprintf(path, sizeof(path), "%s/net/%s", p->dir, name);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (getline(&line, &len, f) > 0) {
		struct sock_fd *s = find_sock(p, field_num(line, ino_field, 10));

		if (!s)
			continue;	/* the header, or another process's socket */
		if (*n == cap) {
			struct row *more;

			cap = cap ? 2 * cap : 8;
			more = realloc(rows, cap * sizeof(*more));
			if (!more)
				break;
			rows = more;
		}
		rows[*n].line = strdup(line);
		if (!rows[*n].line)
			break;
		rows[(*n)++].fd = s->fd;
		s->shown = true;
	}
	free(line);
	fclose(f);
	if (rows)
		qsort(rows, *n, sizeof(*rows), cmp_row);
	return rows;
}

static void free_rows(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].line);
	free(rows);
}

/* A duplicate of the process's descriptor fd, or -1 if we may not have one. */
static int steal_fd(struct proc *p, int fd)
{
	if (p->pidfd < 0)
		return -1;
	return (int)syscall(SYS_pidfd_getfd, p->pidfd, fd, 0);
}

/* Line 1: is the library mapped; if not, the likeliest reason.  Returns whether it is. */
static bool show_preload(struct proc *p, const char *comm, const char *preload)
{
	char path[64], exe[PATH_MAX], *line = NULL;
	const char *why = NULL;
	size_t len = 0;
	bool loaded = false;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/maps", p->dir);
	f = fopen(path, "re");
	if (!f) {
		printf("process %d (%s): cannot tell whether libsctpize is loaded (%s)\n", p->pid,
		       comm, strerror(errno));
		return false;
	}
	while (!loaded && getline(&line, &len, f) > 0) {
		char *lib = strchr(line, '/');	/* the path, if the mapping has one */

		if (!lib)
			continue;
		lib[strcspn(lib, "\n")] = '\0';
		const char *base = strrchr(lib, '/') + 1;

		if (strncmp(base, "libsctpize.so", 13) == 0 && (base[13] == '\0' || base[13] == ' ')) {
			printf("process %d (%s): libsctpize loaded (%s)\n", p->pid, comm, lib);
			loaded = true;
		}
	}
	free(line);
	fclose(f);
	if (loaded)
		return true;

	snprintf(path, sizeof(path), "%s/exe", p->dir);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n < 0 ? 0 : n] = '\0';
	switch (preload_obstacle(path)) {
	case SETUID:
		why = "is set-user-ID: the dynamic loader ignores LD_PRELOAD for it";
		break;
	case SETGID:
		why = "is set-group-ID: the dynamic loader ignores LD_PRELOAD for it";
		break;
	case FILE_CAPS:
		why = "has file capabilities: the dynamic loader ignores LD_PRELOAD for it";
		break;
	case STATIC:
		why = "is statically linked: LD_PRELOAD has no effect on it";
		break;
	case NO_OBSTACLE:
		break;
	}
	printf("process %d (%s): libsctpize not loaded, so its TCP sockets stay TCP\n",
	       p->pid, comm);
	if (n < 0)
		printf("  why: its program cannot be read (a kernel thread, or not ours)\n");
	else if (why)
		printf("  why: %s %s\n", exe, why);
	else if (preload && strstr(preload, "libsctpize"))
		printf("  why: its LD_PRELOAD names the library (%s), but the loader did not load it\n",
		       preload);
	else
		printf("  why: it was started without sctpize (its LD_PRELOAD does not name "
		       "libsctpize.so)\n");
	return false;
}

/*
 * The SCTPIZE_* variables of the environment the process was started with
 * (buf: /proc/PID/environ, len bytes), checked with the library's parser.
 */
static void show_settings(char *buf, size_t len, bool loaded)
{
	static struct config c;
	char **env;
	size_t n = 0;

	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		n += strncmp(buf + i, "SCTPIZE_", 8) == 0;
	env = calloc(n + 1, sizeof(*env));
	if (!env) {
		printf("settings: not shown (out of memory)\n");
		return;
	}
	n = 0;
	printf("settings (its environment when it started):");
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		if (strncmp(buf + i, "SCTPIZE_", 8) != 0)
			continue;
		env[n++] = buf + i;
		printf(" %s", buf + i);
	}
	printf("%s\n", n ? "" : " none, the defaults");
	if (!config_parse(&c, env))
		printf("settings refused: %s%s\n", c.error,
		       loaded ? " (so the library makes every TCP socket fail with EINVAL)" : "");
	else if (c.n_rules || c.default_action != ACT_SCTP) {
		/* Migration mode: the rules as the library read them (the file as it is now). */
		char text[200], where[300];

		printf("rules (first match wins):%s\n", c.n_rules ? "" : " none");
		for (int i = 0; i < c.n_rules; i++) {
			rule_format(&c, i, text, sizeof(text));
			rule_origin(&c, i, where, sizeof(where));
			printf("  %d  %s  (%s)\n", i + 1, text, where);
		}
		printf("  default: %s\n", action_names[c.default_action]);
	}
	free(env);
}

/* Listeners: rows of sctp/eps (INODE field 8, LPORT 6, LADDRS from 9). */
static void show_listeners(struct proc *p)
{
	struct row *rows;
	size_t n;

	rows = table_rows(p, "sctp/eps", 8, &n);
	for (size_t i = 0; i < n; i++) {
		char tok[64], addr[INET6_ADDRSTRLEN];
		struct sockaddr_storage ss;

		printf("SCTP listener fd %d: port %lu on", rows[i].fd, field_num(rows[i].line, 6, 10));
		for (int f = 9; field(rows[i].line, f, tok, sizeof(tok)); f++) {
			kernel_addr(tok, &ss, addr, sizeof(addr));
			printf("%s %s", f > 9 ? "," : "", addr);
		}
		printf("\n");
	}
	free_rows(rows, n);
}

/* Transport states (enum sctp_transport_state, include/net/sctp/structs.h). */
static const char *path_state(unsigned long s)
{
	switch (s) {
	case 0:
		return "inactive";
	case 1:
		return "potentially-failed";
	case 2:
		return "active";
	case 3:
		return "unconfirmed";
	default:
		return "unknown";
	}
}

/* Association states (enum sctp_state, include/net/sctp/constants.h). */
static const char *assoc_state(unsigned long s)
{
	static const char *const names[] = {
		"CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_PENDING",
		"SHUTDOWN_SENT", "SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown state";
}

/*
 * One side of an association: the addresses in toks[0..n), the primary one
 * ('*') first with the port, the others after "also".
 */
static void print_side(char **toks, int n, unsigned long port)
{
	char addr[INET6_ADDRSTRLEN + 1], ap[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss;
	int first = 0, others = 0;

	for (int i = 0; i < n; i++)
		if (toks[i][0] == '*')
			first = i;
	if (n == 0) {
		printf("?:%lu", port);
		return;
	}
	kernel_addr(toks[first], &ss, addr, sizeof(addr));
	addr_port(ap, sizeof(ap), addr, port);
	printf("%s", ap);
	for (int i = 0; i < n; i++) {
		if (i == first)
			continue;
		kernel_addr(toks[i], &ss, addr, sizeof(addr));
		printf("%s%s", others++ ? ", " : " (also ", addr);
	}
	if (others)
		printf(")");
}

/*
 * The paths of association id (rows of sctp/remaddr), primary_addr being the
 * remote address marked primary in sctp/assocs; sock is a duplicate of the
 * socket (or -1) to ask for the RTO in milliseconds, rport the peer's port.
 */
static void show_paths(struct proc *p, unsigned long id, const char *primary_addr, int sock,
		       unsigned long rport)
{
	char path[64], *line = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/sctp/remaddr", p->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &len, f) > 0) {
		char tok[64], addr[INET6_ADDRSTRLEN];
		struct sockaddr_storage ss;
		struct sctp_paddrinfo pi;
		socklen_t pil = sizeof(pi);

		if (field_num(line, 2, 10) != id || !field(line, 1, tok, sizeof(tok)))
			continue;
		kernel_addr(tok, &ss, addr, sizeof(addr));
		printf("  path %s: %s%s", addr, path_state(field_num(line, 8, 10)),
		       strcmp(addr, primary_addr) == 0 ? ", primary" : "");
		memset(&pi, 0, sizeof(pi));
		pi.spinfo_assoc_id = (sctp_assoc_t)id;
		memcpy(&pi.spinfo_address, &ss, sizeof(ss));
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&pi.spinfo_address)->sin_port = htons(rport);
		else
			((struct sockaddr_in6 *)&pi.spinfo_address)->sin6_port = htons(rport);
		if (sock >= 0 && getsockopt(sock, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &pil) == 0)
			printf(", rto %u ms, srtt %u ms", pi.spinfo_rto, pi.spinfo_srtt);
		else
			printf(", rto %lu jiffies", field_num(line, 4, 10));
		printf(", heartbeats %s\n", field_num(line, 3, 10) == 1 ? "on" : "off");
	}
	free(line);
	fclose(f);
}

/*
 * Associations: rows of sctp/assocs (ST field 5, ASSOC-ID 7, INODE 11, LPORT
 * 12, RPORT 13, then local addresses, "<->", remote addresses, a tab and
 * the counters), each followed by its paths.
 */
static void show_assocs(struct proc *p)
{
	struct row *rows;
	size_t n;

	rows = table_rows(p, "sctp/assocs", 11, &n);
	for (size_t i = 0; i < n; i++) {
		char *line = rows[i].line, **toks, *t, *save = NULL;
		char primary[INET6_ADDRSTRLEN + 1] = "";
		int nt = 0, arrow = -1;
		unsigned long id = field_num(line, 7, 10), rport = field_num(line, 13, 10);
		unsigned long lport = field_num(line, 12, 10), state = field_num(line, 5, 10);
		struct sockaddr_storage ss;
		int sock;

		line[strcspn(line, "\t\n")] = '\0';	/* the addresses end at the tab */
		toks = calloc(strlen(line) / 2 + 2, sizeof(*toks));
		if (!toks)
			break;
		for (t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (arrow < 0 && strcmp(t, "<->") == 0)
				arrow = nt;
			toks[nt++] = t;
		}
		if (arrow < ASSOC_FIELDS) {
			free(toks);
			continue;	/* not the layout we know */
		}
		printf("SCTP association fd %d: ", rows[i].fd);
		print_side(toks + ASSOC_FIELDS, arrow - ASSOC_FIELDS, lport);
		printf(" <-> ");
		print_side(toks + arrow + 1, nt - arrow - 1, rport);
		printf(", %s\n", assoc_state(state));
		for (int k = arrow + 1; k < nt; k++)
			if (toks[k][0] == '*')
				kernel_addr(toks[k], &ss, primary, sizeof(primary));
		sock = steal_fd(p, rows[i].fd);
		show_paths(p, id, primary, sock, rport);
		if (sock >= 0)
			close(sock);
		free(toks);
	}
	free_rows(rows, n);
}

/* TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h). */
static const char *tcp_state(unsigned long s)
{
	static const char *const names[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
		"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* "HEXADDR:HEXPORT" of /proc/net/tcp or tcp6 into addr and *port (words in host order). */
static void tcp_endpoint(const char *hex, char *addr, size_t size, unsigned long *port)
{
	uint32_t w[4] = { 0 };
	size_t colon = strcspn(hex, ":");
	int words = colon / 8;

	for (int i = 0; i < words && i < 4; i++)
		sscanf(hex + 8 * i, "%8" SCNx32, &w[i]);
	*port = hex[colon] ? strtoul(hex + colon + 1, NULL, 16) : 0;
	inet_ntop(words == 4 ? AF_INET6 : AF_INET, w, addr, size);
}

/* Sockets still on TCP: rows of tcp and tcp6 (addresses fields 2 and 3, st 4, inode 10). */
static void show_tcp(struct proc *p, const char *table)
{
	struct row *rows;
	size_t n;

	rows = table_rows(p, table, 10, &n);
	for (size_t i = 0; i < n; i++) {
		char hex[64], la[INET6_ADDRSTRLEN] = "?", ra[INET6_ADDRSTRLEN] = "?";
		char local[INET6_ADDRSTRLEN + 16], remote[INET6_ADDRSTRLEN + 16];
		unsigned long st = field_num(rows[i].line, 4, 16), lport = 0, rport = 0;

		if (field(rows[i].line, 2, hex, sizeof(hex)))
			tcp_endpoint(hex, la, sizeof(la), &lport);
		if (field(rows[i].line, 3, hex, sizeof(hex)))
			tcp_endpoint(hex, ra, sizeof(ra), &rport);
		addr_port(local, sizeof(local), la, lport);
		addr_port(remote, sizeof(remote), ra, rport);
		if (st == 10)
			printf("TCP listener fd %d: port %lu on %s (not converted)\n", rows[i].fd,
			       lport, la);
		else
			printf("TCP connection fd %d: %s <-> %s, %s (not converted)\n", rows[i].fd,
			       local, remote, tcp_state(st));
	}
	free_rows(rows, n);
}

/*
 * Sockets in none of the tables (an SCTP or TCP socket not yet listening or
 * connected): their protocol, when we may ask the socket itself.
 */
static void show_others(struct proc *p)
{
	for (size_t i = 0; i < p->n_socks; i++) {
		struct sock_fd *s = &p->socks[i];
		int dom = 0, proto = 0, type = 0, sock;
		socklen_t l = sizeof(int);

		if (s->shown || (i > 0 && p->socks[i - 1].ino == s->ino))
			continue;
		sock = steal_fd(p, s->fd);
		if (sock < 0)
			continue;
		if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 &&
		    (dom == AF_INET || dom == AF_INET6) &&
		    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &l) == 0 && type == SOCK_STREAM &&
		    getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0) {
			if (proto == IPPROTO_SCTP)
				printf("SCTP socket fd %d: neither listening nor associated\n", s->fd);
			else if (proto == IPPROTO_TCP)
				printf("TCP socket fd %d: neither listening nor connected (not converted)\n",
				       s->fd);
		}
		close(sock);
	}
}

int status(const char *arg)
{
	struct proc p = { .pidfd = -1 };
	char path[64], comm[64], preload[1024] = "", *env = NULL;
	ssize_t n;
	size_t cap = 1 << 16;
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno || *end || end == arg || pid <= 0 || pid > INT_MAX || arg[0] == '+') {
		fprintf(stderr, "sctpize: status: '%s' is not a process ID\n", arg);
		return 1;
	}
	p.pid = (int)pid;
	snprintf(p.dir, sizeof(p.dir), "/proc/%d", p.pid);
	snprintf(path, sizeof(path), "%s/comm", p.dir);
	if (read_file(path, comm, sizeof(comm)) < 0) {
		fprintf(stderr, "sctpize: status: no process %d\n", p.pid);
		return 1;
	}
	comm[strcspn(comm, "\n")] = '\0';
	/* The environment may be large; read it whole. */
	snprintf(path, sizeof(path), "%s/environ", p.dir);
	for (;;) {
		char *more = realloc(env, cap);

		if (!more)
			goto unreadable;
		env = more;
		n = read_file(path, env, cap);
		if (n < 0)
			goto unreadable;
		if ((size_t)n < cap - 1)
			break;
		cap *= 2;
	}
	for (ssize_t i = 0; i < n; i += strlen(env + i) + 1)
		if (strncmp(env + i, "LD_PRELOAD=", 11) == 0)
			snprintf(preload, sizeof(preload), "%s", env + i + 11);
	if (!list_sockets(&p))
		goto unreadable;
	snprintf(path, sizeof(path), "%s/maps", p.dir);
	if (access(path, R_OK) != 0)
		goto unreadable;
	p.pidfd = (int)syscall(SYS_pidfd_open, p.pid, 0);

	bool loaded = show_preload(&p, comm, preload);

	show_settings(env, n, loaded);
	snprintf(path, sizeof(path), "%s/net/sctp", p.dir);
	if (access(path, R_OK) != 0)
		printf("SCTP: none in this kernel (no /proc/net/sctp: the sctp module is not loaded)\n");
	show_listeners(&p);
	show_assocs(&p);
	show_tcp(&p, "tcp");
	show_tcp(&p, "tcp6");
	show_others(&p);
	if (p.n_socks == 0)
		printf("sockets: none\n");
	if (p.pidfd >= 0)
		close(p.pidfd);
	free(p.socks);
	free(env);
	return 0;

unreadable:
	fprintf(stderr, "sctpize: status: cannot read process %d (%s): %s%s\n", p.pid, comm,
		strerror(errno ? errno : ENOMEM),
		errno == EACCES || errno == EPERM ? " (run it as the process's user or as root)" : "");
	free(p.socks);
	free(env);
	return 1;
}
