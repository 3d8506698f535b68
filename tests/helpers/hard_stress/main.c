/*
 * hard_stress - many threads, many connections, fork() and exec() meanwhile: a
 * plain TCP server and client for running the shim under load
 * (tests/e2e/stress.bats on a real SCTP kernel, tests/unit/tsan.bats on the
 * host under ThreadSanitizer with SCTP faked).  It knows nothing of SCTP
 * but SO_PROTOCOL, to check what its sockets became.  The program calls
 * itself "stress" in its usage and output lines (the tests read them).
 *
 * One program from several files, by role (stress.h: what they share):
 *   main.c        this comment, main(), say()
 *   wire.c        payloads, checksums, the header and trailer; reads and
 *                 writes through every call a TCP program uses
 *   connection.c  the client's side of one connection (socket, options,
 *                 connect, exchange, close), the targets, the client's options
 *   client.c      the client: worker threads, watchdog, the servers' counts;
 *                 "stress one" for the exec()ing thread
 *   forker.c      the client's fork()ing and exec()ing threads, and
 *                 wait_child() for every child, the server's too
 *   server.c      the server: acceptor threads, fork()ed and exec()ed
 *                 children, "stress serve-fd"
 *
 *   stress server PORT [-t THREADS] [-F N] [-X N] [-a PROTO] [-R] [-A IP]
 *       Listens on IP:PORT (default 127.0.0.1; PORT 0: any; "port=N proto=P" is printed)
 *       with THREADS threads blocked in accept()/accept4() (default 80).
 *       Every Nth connection is served by a fork()ed child (-F), every Nth
 *       by a child that exec()s "stress serve-fd" on the connection, inetd
 *       style (-X).  -a: every accepted socket must have protocol PROTO.
 *       -R: SO_REUSEPORT on the listener.  Serves until a client's quit
 *       request, then prints "server: connections=... forked=... execed=...
 *       bytes_in=... bytes_out=... errors=..." and exits 0 if there was no
 *       error (every acceptor must wake up when the listener is shut down).
 *
 *   stress client PORT[:PROTO][@IP][,...] [-t THREADS] [-n CONNS]
 *                 [-m MAXLEN] [-f] [-x] [-i MS] [-p PROTO] [-r NAME] [-H 0|1]
 *                 [-w STALL_S] [-T TOTAL_S] [-q] [-P SECONDS]
 *       THREADS threads (default 64), each making CONNS connections (default
 *       1000), in turn to each PORT given (at IP, default 127.0.0.1):
 *       socket(), TCP options, connect()
 *       (blocking, or non-blocking and poll()), sometimes a dup() that does
 *       the exchange instead, one exchange, close().  Once connected, the
 *       socket must have protocol PROTO if one is given with the port (it
 *       may have changed at connect(): migration mode); -p PROTO: every
 *       socket must have protocol PROTO as socket() made it.  With -f
 *       another thread fork()s meanwhile; the children call socket(),
 *       setsockopt() and, every 4th, make a connection of their own; with -x
 *       another thread fork()s and exec()s "stress one", which makes one
 *       connection; -i: MS milliseconds between two forks (two execs).  -r
 *       NAME: every 16th connection resolves NAME with getaddrinfo() first
 *       (default localhost).  -H 0: no half-close exchanges.  A watchdog
 *       ends the run (status 3, with what each thread was doing) when no
 *       connection completed for STALL_S seconds (default 60) or the whole
 *       run took TOTAL_S (default 3600); a fork()ed or exec()ed child that
 *       hangs 30 s is killed and counted as an error; -P: a progress line
 *       every SECONDS on stderr.  At the end the client asks each server how
 *       many connections it served (-q: and tells it to quit), compares,
 *       and prints one line of figures:
 *         stress: threads=T per_thread=N connections=C forks=F
 *           fork_connections=FC execs=X exec_connections=XC total=ALL
 *           served=S bytes_sent=BS bytes_received=BR duration=D rate=R/s
 *           errors=E
 *       (bytes: the threads' connections' payload and framing, each way).
 *       Exit status 0 only if every byte came back in order, every socket
 *       had its protocol and the servers' count agrees.
 *
 *   stress one PORT[:PROTO][@IP] SEED MAXLEN HALF SOCKPROTO   one connection (-x)
 *   stress serve-fd          serve the connection on fd 0 (what -X exec()s)
 *
 * Each connection: an 8-byte header (mode, length) and LENGTH pseudo-random
 * bytes from the client (mostly in one write, so in one SCTP message); the
 * server answers with a 16-byte trailer (bytes received, their FNV-1a 64
 * checksum).  Modes:
 *   E  echo: the server writes back every piece as it reads it, then the
 *      trailer; the client compares the echo byte for byte;
 *   H  half-close: the client shutdown(SHUT_WR)s after its bytes; the
 *      server reads to end of file, then sends the trailer and closes;
 *   W  the server reads the payload with one recv(MSG_WAITALL) while the
 *      client writes it in many small pieces (many SCTP messages);
 *   Q  statistics ("served=N errors=E"), and with a flag, quit.
 * Reads and writes go through every call a TCP program may use (read,
 * recv, recv(MSG_WAITALL), readv, recvfrom, recvmsg; write, send, sendto,
 * writev, sendmsg), chosen pseudo-randomly, in pieces of random sizes now
 * and then.
 */
#include "stress.h"

char self[4096];

/* One line on stderr, in one write (threads and children interleave). */
void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0 || argc < 2)
		goto usage;
	self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "serve-fd") == 0)
		return serve_fd();
	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "server") == 0) {
		return server_main(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "client") == 0)
		return client_main(argv[2], argc - 2, argv + 2);
	if (strcmp(argv[1], "one") == 0 && argc == 7)
		return client_one(argv);
usage:
	fprintf(stderr, "usage: stress server PORT [-t THREADS] [-F N] [-X N] [-a PROTO] [-R] [-A IP]\n"
			"       stress client PORT[:PROTO][@IP][,...] [-t THREADS] [-n CONNS] [-m MAXLEN] "
			"[-f] [-x] [-i MS] [-p PROTO] [-r NAME] [-H 0|1] [-w STALL_S] [-T TOTAL_S] "
			"[-q] [-P S]\n");
	return 2;
}
