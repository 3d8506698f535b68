#!/usr/bin/env bats
# errno after a successful call, on the host: every call the library exports
# (shim/libsctpize.map), driven by tests/helpers/hard_errno.c on paths where
# it succeeds, must leave errno as it found it, as libc's calls do.
#   - SCTP faked by the recorder (TCP underneath): the wrappers' own work
#     around a call (options mapped, defaults, logging, the protocol change
#     at listen() and connect() of migration mode);
#   - this host's kernel, which has no SCTP, with --fallback: the paths where
#     the library tries SCTP, fails, and goes on with TCP (socket(), the
#     protocol change, a "both" listener and client).
# What only a real SCTP kernel shows (writes in pieces, the half-close marker,
# sctp_connectx, a dual listener's accept, a fallback after an ABORT):
# tests/e2e/errno.bats.  The recorder's "both" runs are not made here: with
# SCTP faked by TCP, the SCTP listener beside the TCP one cannot bind the same
# port, and SCTP options fail, so the paths taken would be the faking's.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
	export SCTPIZE_CONFIG=/dev/null
	CHECK=$HELPERS/hard_errno
	[ -x "$CHECK" ] || fail "$CHECK is missing: run 'make test-programs' first"
	# A port for the rules to name, out of the ephemeral range (no client holds it).
	port=$(shuf -i 20000-32000 -n 1)
}

# The exported names, from the version script.
exported() {
	sed -n 's/^[[:space:]]*\([A-Za-z_0-9]*\);$/\1/p' "$TOP/shim/libsctpize.map"
}

# Every exported call appears in the output as a successful "ok NAME:case".
assert_every_export_checked() {
	local name missing=
	for name in $(exported); do
		grep -q "^ok $name:" <<< "$output" || missing+=" $name"
	done
	[ -z "$missing" ] || fail "no successful call checked for:$missing (extend tests/helpers/hard_errno.c)"
}

# check [ENV=VALUE...]: the program under the library (and ENV), bounded in
# in time; its listener on $port when a rule names it, else on any port.
check() {
	local p=0
	[[ "$*" == *"port $port"* ]] && p=$port
	run timeout 90 env "$@" "$CHECK" -t 60 -p "$p"
	echo "$output" | grep -v 'errno=kept' || true
	assert_success
	assert_no_errno_change
	assert_every_export_checked
}

@test "without the library, on TCP, every call of the check succeeds and keeps errno (the reference)" {
	check
}

@test "SCTP faked: every exported call keeps errno on success (unit defaults)" {
	check LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1
	grep -q '^socket 2 .* 132 = ' "$LOG" || fail "no SCTP socket was asked for"
}

@test "SCTP faked: every exported call keeps errno on success with the TCP-like defaults, SCTPIZE_NODELAY and every decision logged" {
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT SCTPIZE_HALF_CLOSE
	check LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 SCTPIZE_NODELAY=1 SCTPIZE_VERBOSE=2 \
		SCTPIZE_LOG="$BATS_TEST_TMPDIR/log"
	grep -q converted "$BATS_TEST_TMPDIR/log" || fail "nothing logged"
}

@test "SCTP faked: every exported call keeps errno on success when listen() and connect() change the protocol (migration mode)" {
	check LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 SCTPIZE_RULES="sctp port $port" \
		SCTPIZE_DEFAULT=tcp SCTPIZE_VERBOSE=1 SCTPIZE_LOG="$BATS_TEST_TMPDIR/log"
	grep -q "server 127.0.0.1 port $port: sctp" "$BATS_TEST_TMPDIR/log" || fail "no decision at listen(): $(cat "$BATS_TEST_TMPDIR/log")"
	grep -q "client 127.0.0.1 port $port: sctp" "$BATS_TEST_TMPDIR/log" || fail "no decision at connect(): $(cat "$BATS_TEST_TMPDIR/log")"
}

# The host has no SCTP: --fallback runs the program on TCP.
no_sctp() {
	"$B/sctpize-helper" probe 2>/dev/null && skip "this host's kernel has SCTP: the fallback cannot be tested here"
	return 0
}

@test "no SCTP, --fallback: socket() keeps errno when it makes the TCP socket instead" {
	no_sctp
	check LD_PRELOAD="$LIB" SCTPIZE_FALLBACK=1 SCTPIZE_LOG="$BATS_TEST_TMPDIR/log"
	grep -q 'cannot make SCTP sockets' "$BATS_TEST_TMPDIR/log" || fail "the fallback was not taken"
}

@test "no SCTP, --fallback, migration mode: listen() and connect() keep errno when the socket stays TCP" {
	no_sctp
	check LD_PRELOAD="$LIB" SCTPIZE_FALLBACK=1 SCTPIZE_RULES="sctp port $port" SCTPIZE_DEFAULT=tcp \
		SCTPIZE_LOG="$BATS_TEST_TMPDIR/log"
	grep -q 'cannot make SCTP sockets' "$BATS_TEST_TMPDIR/log" || fail "the fallback was not taken"
}

@test "no SCTP, --fallback, both: the listener and the clients keep errno when they stay TCP" {
	no_sctp
	check LD_PRELOAD="$LIB" SCTPIZE_FALLBACK=1 SCTPIZE_RULES="both port $port" SCTPIZE_DEFAULT=tcp \
		SCTPIZE_LOG="$BATS_TEST_TMPDIR/log"
	grep -q 'cannot make SCTP sockets' "$BATS_TEST_TMPDIR/log" || fail "the fallback was not taken"
}
