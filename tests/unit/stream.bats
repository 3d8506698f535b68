#!/usr/bin/env bats
# Issue 13 on the host (no SCTP needed): what the library costs a program's
# threads (static thread-local storage comes out of every thread's stack), a
# signal handler that reads a socket while the shim is inside a read of it
# (half-close mode, SCTP faked, the recorder raising the signal inside the
# shim's call to libc), and the addresses a connect offers when one address
# belongs to two resolved names.  The byte-stream cases on the real SCTP
# kernel are tests/e2e/stream.bats.
# Programs: tests/helpers/unit_stack.c, unit_sigread.c, python3; the
# recorder's RECORDER_RAISE and RECORDER_HOSTS (tests/helpers/unit_recorder.c).

load ../helpers/common
load ../helpers/unit

PY=/usr/bin/python3

setup() {
	unit_setup
	for f in unit_stack unit_sigread; do
		[ -x "$HELPERS/$f" ] || fail "$HELPERS/$f is missing: run 'make test-programs' first"
	done
	[ -x "$PY" ] || fail "python3 is not installed (tests/install-deps)"
}

# The stack tests preload the production build ($B, not TEST_BUILD): a
# sanitizer's runtime takes thread stack of its own.
@test "a thread with a 64 KiB stack starts under the preload, as without it" {
	run timeout 20 "$HELPERS/unit_stack" small
	assert_success
	assert_output "small=ok"
	run timeout 20 env LD_PRELOAD="$B/libsctpize.so" "$HELPERS/unit_stack" small
	assert_output "small=ok"
	assert_success
}

@test "a thread that uses 90 KiB of a 128 KiB stack runs under the preload, as without it" {
	run timeout 20 "$HELPERS/unit_stack" deep
	assert_success
	assert_output "deep=ok"
	run timeout 20 env LD_PRELOAD="$B/libsctpize.so" "$HELPERS/unit_stack" deep
	[ "$status" -ne 139 ] || fail "the thread overflowed its stack (SIGSEGV)"
	assert_output "deep=ok"
	assert_success
}

@test "half-close: a read() from a signal handler inside the shim's read() of the same socket does not deadlock" {
	# The control: the hook and the program, without the shim (the handler runs
	# inside libc's read()).
	run timeout 20 env LD_PRELOAD="$REC" "$HELPERS/unit_sigread" read:1
	assert_success
	assert_line "handler=ran got=\"hello\" end=eof"
	# Under the shim: the signal comes inside each of the first recvmsg() calls
	# the shim's read() makes (resolving the peer's announcement, then reading).
	local n
	for n in 1 2 3; do
		run timeout 20 env SCTPIZE_HALF_CLOSE=1 LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 \
			"$HELPERS/unit_sigread" "recvmsg:$n"
		[ "$status" -ne 124 ] || fail "recvmsg:$n: the program hung (deadlock): $output"
		assert_success
		assert_line --regexp '^handler=ran got="hello" end=eof$'
		assert_line "bytes=ok"
	done
}

# The sctp_connectx() requests that reached libc: "addrs=A:P,B:P" per line
# (getsockopt SCTP_SOCKOPT_CONNECTX3, or setsockopt SCTP_SOCKOPT_CONNECTX/_OLD).
connectx_calls() {
	awk '$3 == 132 && (($1 == "getsockopt" && $4 == 111) ||
			   ($1 == "setsockopt" && ($4 == 110 || $4 == 107))) {
		for (i = 5; i <= NF; i++) if ($i ~ /^addrs=/) print $i }' "$LOG"
}

# Resolve each NAME (faked by RECORDER_HOSTS), then connect a non-blocking
# TCP socket to ADDR port 9: connect_after ADDR NAME...
connect_after() {
	: > "$LOG"
	shimmed "$PY" -c '
import socket, sys
for name in sys.argv[2:]:
    socket.getaddrinfo(name, 9, 0, socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET)
s.setblocking(False)
s.connect_ex((sys.argv[1], 9))
' "$@"
	assert_equal "$(grep -c '^socket 2 ' "$LOG")" 1
}

@test "an address two resolved names share, with different other addresses: the connect offers nothing beyond it" {
	export RECORDER_HOSTS='a.test=10.9.9.1,10.9.9.2;b.test=10.9.9.1,10.9.9.3;c.test=10.9.9.1,10.9.9.2'
	# The control: one name, or two names with the same addresses: all of them.
	connect_after 10.9.9.1 a.test
	run connectx_calls
	assert_output "addrs=10.9.9.1:9,10.9.9.2:9"
	connect_after 10.9.9.1 a.test c.test
	run connectx_calls
	assert_output "addrs=10.9.9.1:9,10.9.9.2:9"
	# a.test -> {X, Y}, b.test -> {X, Z}: a connect to X, in either order of the
	# lookups, must not be offered the other name's address.
	connect_after 10.9.9.1 a.test b.test
	run connectx_calls
	refute_output --partial 10.9.9.3
	refute_output --partial 10.9.9.2
	[ -z "$output" ] || assert_output "addrs=10.9.9.1:9"
	connect_after 10.9.9.1 b.test a.test
	run connectx_calls
	refute_output --partial 10.9.9.2
	refute_output --partial 10.9.9.3
	[ -z "$output" ] || assert_output "addrs=10.9.9.1:9"
	# An address of one name only keeps its name's others.
	connect_after 10.9.9.3 a.test b.test
	run connectx_calls
	assert_output "addrs=10.9.9.3:9,10.9.9.1:9"
}
