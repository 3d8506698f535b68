#!/usr/bin/env bats
# Stress on the real SCTP kernel (issue 7, hardening): many threads, many
# connections, fork() and exec() going on meanwhile, through wrapped
# programs (tests/helpers/hard_stress/, a plain TCP server and client):
#   - 64 client threads x 1000 connections against a wrapped server, every
#     byte checked (echo compared byte for byte, FNV-1a checksums of what
#     the server received), every socket SCTP on both sides, while another
#     thread fork()s (the child makes a socket, sets an option, sometimes
#     makes a connection) and another fork()s and exec()s a wrapped program
#     that makes a connection; the server forks and execs (inetd style) for
#     some connections too; a watchdog fails the run if nothing completes
#     for 60 s (a deadlock), a child that hangs after fork() is an error
#     (the run itself may take as long as a loaded machine needs: the
#     timeouts around it only end what the watchdog would not);
#   - migration mode under the same load: sockets that change protocol at
#     listen() and connect(), "both" clients falling back to TCP, a dual
#     listener serving TCP and SCTP clients at once;
#   - the very first intercepted calls, made by 64 threads at once in
#     another library's constructor, before the library's own has run.
# ThreadSanitizer runs the same programs on the host: tests/unit/tsan.bats.
# The figures of each run go to the TAP output ("# stress: ...").

load ../helpers/common

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# A system /etc/sctpize.conf never takes part.  Half-close on, on both ends: its
	# negotiation and marker are the busiest paths (mode H half-closes, then reads).
	export SCTPIZE_CONFIG=/dev/null SCTPIZE_HALF_CLOSE=1
	local f
	for f in "$STRESS" "$HELPERS/hard_ctor" "$HELPERS/hard_ctor.so" "$LIB" "$SCTPIZE"; do
		[ -e "$f" ] || fail "$f is missing: run 'make test-programs' first"
	done
}

# The value of FIELD=N in LINE.
field() {
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"
}

# The client's figures are right: status 0, no error, as many connections
# served as made, each of the FIELDS... (forks, execs, ...) at least 1.
assert_figures() {
	local line total served f
	line=$(grep '^stress:' <<<"$output" | tail -n 1)
	echo "# $line" >&3
	[ "$status" = 0 ] || fail "the client exited $status: $output"
	[[ $line == *" errors=0" ]] || fail "$output"
	total=$(field total "$line")
	served=$(field served "$line")
	[ -n "$total" ] && [ "$total" = "$served" ] || fail "served $served of $total: $output"
	for f in "$@"; do
		[ "$(field "$f" "$line")" -ge 1 ] || fail "no $f during the run: $line"
	done
}

@test "64 threads x 1000 connections through a wrapped server, fork() and exec() meanwhile on both sides: no byte lost or reordered" {
	stress_server main "$SCTPIZE" "$STRESS" server 0 -t 16 -a 132 -F 2000 -X 8000
	grep -q '^port=[0-9]* proto=132$' "$T/main.out" || fail "the listener is not SCTP: $(cat "$T/main.out")"
	run timeout 3700 "$SCTPIZE" "$STRESS" client "$(stress_port main):132" -t 64 -n 1000 \
		-p 132 -m 4096 -f -x -i 2000 -q -w 60
	assert_figures forks fork_connections execs exec_connections
	assert_line --regexp '^stress: threads=64 per_thread=1000 connections=64000 '
	stress_done main
	echo "# $server_line" >&3
	[ "$(field forked "$server_line")" -ge 1 ] && [ "$(field execed "$server_line")" -ge 1 ] ||
		fail "the server neither forked nor exec()ed: $server_line"
}

@test "migration mode under load: protocol changes at listen() and connect(), 'both' clients falling back to TCP, a dual listener, fork() and exec() meanwhile" {
	local a b c s
	three_ports
	# A: TCP at socket(), SCTP at listen().  B: a "both" listener, TCP and
	# SCTP on one descriptor, on every address.  C: a TCP-only server.
	stress_server a "$SCTPIZE" --ports "$a" "$STRESS" server "$a" -t 8 -a 132 -F 100 -X 200
	stress_server b "$SCTPIZE" --both --ports "$b" "$STRESS" server "$b" -t 8 -A 0.0.0.0
	stress_server c "$STRESS" server "$c" -t 8 -a 6
	grep -q "proto=132$" "$T/a.out" || fail "A's listener is not SCTP: $(cat "$T/a.out")"
	listening_sctp "$b" && listening_tcp "$b" || fail "B does not listen on TCP and SCTP"
	! listening_sctp "$c" || fail "C listens on SCTP"
	# The client's sockets are TCP at socket() (-p 6) and change at connect():
	# to A, SCTP; to B at 127.0.0.1, SCTP (tried first, and there); to B at
	# 127.0.0.2, TCP (a rule); to C, TCP after the SCTP attempt is refused.
	run timeout 3700 "$SCTPIZE" --rule "tcp addr 127.0.0.2" --rule "sctp port $a" \
		--rule "both port $b,$c" "$STRESS" client \
		"$a:132,$b:132,$b:6@127.0.0.2,$c:6" -p 6 -t 64 -n 30 -m 4096 -f -x -i 500 -q -w 60
	assert_figures forks execs
	assert_line --regexp '^stress: threads=64 per_thread=30 connections=1920 '
	for s in a b c; do
		stress_done "$s"
		echo "# $s: $server_line" >&3
	done
}

@test "the first intercepted calls: 64 threads at once in another library's constructor, before the library's own constructor" {
	# The loader runs the constructors of the preloads in reverse order:
	# hard_ctor.so's (after the library in LD_PRELOAD) first.  Its threads
	# wait at a barrier, then all call socket(): the library starts then.
	# (Not through the wrapper, nor preloaded into timeout: their processes
	# would run the constructor too.)
	run timeout 600 env LD_PRELOAD="$LIB $HELPERS/hard_ctor.so" HARD_CTOR=race:64 \
		LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$HELPERS/hard_ctor"
	assert_success
	assert_line "constructor race: threads=64 proto=132 nodelay=64 pairs=64 errors=0"
	assert_line main
	# The order the loader called the constructors in, for the program's process.
	local order
	order=$(cat "$T"/ld.* | grep -E 'calling init: .*/(libsctpize|hard_ctor)\.so$' |
		sed 's|.*/||')
	[ "$order" = "hard_ctor.so
libsctpize.so" ] || fail "constructors called in this order: $order"
}

@test "socket() and setsockopt() from another library's constructor, before the library's own" {
	run timeout 600 env LD_PRELOAD="$LIB $HELPERS/hard_ctor.so" HARD_CTOR=single "$HELPERS/hard_ctor"
	assert_success
	assert_line "constructor: proto=132 setsockopt=ok nodelay=1"
	assert_line main
}
