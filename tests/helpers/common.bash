# common.bash - loaded by every test file: paths, bats-support/bats-assert,
# and the helpers that tests share (SCTP requirement, ports, protocol checks,
# background processes that teardown reaps, the stress program's servers).
# The helpers' names say their layer: unit_*, e2e_*, hard_* (tests/helpers/README).
# shellcheck disable=SC2034  # the variables set here are for the files that load it

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
B=$TOP/build
# TEST_BUILD: the suite against another build of the library and its
# wrapper (build/asan, build/ubsan: tests/run --sanitized).
SCTPIZE=${TEST_BUILD:-$B}/sctpize
LIB=${TEST_BUILD:-$B}/libsctpize.so
HELPERS=$B/tests

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

# The kernel under test makes SCTP sockets, or the test cannot mean anything:
# skip on a developer's machine, fail in CI (a skip there would hide a hole).
require_sctp() {
	"$B/sctpize-helper" probe 2>/dev/null && return 0
	[ "${CI:-}" = true ] && fail "this kernel has no SCTP, and CI never skips"
	skip "this kernel has no SCTP (run the suite through tests/run)"
}

# A port nothing listens on, TCP or SCTP (tests run one at a time per kernel).
free_port() {
	local p
	for p in $(shuf -i 20000-40000 -n 50); do
		if ! listening_sctp "$p" && ! listening_tcp "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# An SCTP endpoint listens on PORT (/proc/net/sctp/eps: LPORT is field 6).
listening_sctp() {
	[ -r /proc/net/sctp/eps ] && awk -v p="$1" 'NR > 1 && $6 == p { f = 1 } END { exit !f }' /proc/net/sctp/eps
}

# A TCP socket listens on PORT (state 0A in /proc/net/tcp and tcp6).
listening_tcp() {
	local hex
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v h="$hex" '{ split($2, a, ":"); if (a[2] == h && $4 == "0A") f = 1 } END { exit !f }'
}

# Associations with local or remote port PORT (/proc/net/sctp/assocs: fields 12, 13).
sctp_assocs() {
	[ -r /proc/net/sctp/assocs ] || { echo 0; return; }
	awk -v p="$1" 'NR > 1 && ($12 == p || $13 == p) { n++ } END { print n + 0 }' /proc/net/sctp/assocs
}

# Wait for CHECK ARGS... to succeed, checking every 0.1 s, for up to
# WAIT_FOR_TIMEOUT seconds (60): what is waited for normally comes within a
# second, but a loaded machine (User-Mode Linux sharing two CPUs with other
# work) can take many times longer, and only a failing test waits it out.
wait_for() {
	local end=$((SECONDS + ${WAIT_FOR_TIMEOUT:-60}))
	while :; do
		"$@" && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# telnet_to PORT OUT: the wrapped telnet to 127.0.0.1 PORT, its output (both
# streams) in OUT, its status returned.  telnet quits at the end of its
# input: its stdin stays open until the server has closed the connection
# (wait_for's time at most), however long the answer takes to come.
telnet_to() {
	local port=$1 out=$2
	: > "$out"
	# shellcheck disable=SC2094  # the left side only reads what telnet writes, waiting for it
	{ wait_for grep -qE 'Connection closed|Unable to connect' "$out"; } |
		"$SCTPIZE" telnet 127.0.0.1 "$port" > "$out" 2>&1
	return "${PIPESTATUS[1]}"
}

# Start a command in the background; teardown_bg kills it and its children.
bg() {
	setsid "$@" &
	echo $! >> "$BATS_TEST_TMPDIR/bg.pids"
}

teardown_bg() {
	local pid
	[ -f "$BATS_TEST_TMPDIR/bg.pids" ] || return 0
	while read -r pid; do
		kill -TERM -- "-$pid" 2>/dev/null
	done < "$BATS_TEST_TMPDIR/bg.pids"
	sleep 0.2
	while read -r pid; do
		kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done < "$BATS_TEST_TMPDIR/bg.pids"
	rm -f "$BATS_TEST_TMPDIR/bg.pids"
}

teardown() {
	teardown_bg
}

# ---- the stress program's servers (tests/e2e/stress.bats, tests/unit/tsan.bats) ----

STRESS=$HELPERS/hard_stress

# Three distinct free ports below the kernel's ephemeral range (the runs
# before leave thousands of client ports there, some still in use), as
# $a, $b and $c.
three_ports() {
	local lo p
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	a='' b='' c=''
	for p in $(shuf -i 20000-$((lo - 1)) -n 100); do
		if listening_tcp "$p" || listening_sctp "$p" || [ "$p" = "$a" ] || [ "$p" = "$b" ]; then
			continue
		fi
		if [ -z "$a" ]; then a=$p; elif [ -z "$b" ]; then b=$p; else c=$p; break; fi
	done
	[ -n "$c" ] || fail "no free ports"
}

# stress_server NAME COMMAND...: COMMAND (a stress server, under whatever
# wrapper or preload COMMAND says) in the background (teardown_bg ends it),
# its output in $BATS_TEST_TMPDIR/NAME.out, its pid in NAME.pid; waits for
# its "port=N proto=P" line.
stress_server() {
	local name=$1 out=$BATS_TEST_TMPDIR/$1.out
	shift
	bg "$@" > "$out" 2>&1
	echo $! > "$BATS_TEST_TMPDIR/$name.pid"
	wait_for grep -q '^port=' "$out" || fail "server $name did not start: $(cat "$out")"
}

# The port stress server NAME listens on.
stress_port() {
	sed -n 's/^port=\([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/$1.out"
}

# PID is no more.
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# Stress server NAME ended by itself (the client's quit request), with
# status 0 and no error; its summary line is $server_line.
stress_done() {
	local pid st=0 out=$BATS_TEST_TMPDIR/$1.out
	pid=$(cat "$BATS_TEST_TMPDIR/$1.pid")
	WAIT_FOR_TIMEOUT=120 wait_for pid_gone "$pid" ||
		fail "server $1 still runs 2 minutes after the quit request"
	wait "$pid" || st=$?
	server_line=$(grep '^server:' "$out" | tail -n 1)
	[ "$st" = 0 ] || fail "server $1 exited $st: $(cat "$out")"
	[[ $server_line == *" errors=0" ]] || fail "server $1: $(cat "$out")"
}
