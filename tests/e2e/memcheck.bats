#!/usr/bin/env bats
# valgrind's memcheck over the library on a live association: conversion,
# accept with defaults, every mapped option both ways, TCP_INFO, logging.
# (AddressSanitizer + UBSan run on the host: tests/unit/sanitize.bats.)

load ../helpers/common

# Every wrapper and most table rows, on the client, the accepted socket and the listener.
OPS=(set TCP_NODELAY 1 get TCP_NODELAY set TCP_MAXSEG 88 get TCP_MAXSEG
	set TCP_KEEPIDLE 20 set TCP_KEEPINTVL 5 set TCP_KEEPCNT 4 get TCP_KEEPIDLE get TCP_KEEPCNT
	set TCP_SYNCNT 3 get TCP_SYNCNT set TCP_USER_TIMEOUT 30000 get TCP_USER_TIMEOUT
	set TCP_CORK 1 get TCP_CORK setstr TCP_CONGESTION cubic getstr TCP_CONGESTION
	set TCP_MD5SIG 1 get TCP_ULP info info 8 on accepted info set TCP_USER_TIMEOUT 0
	on listener info on fresh info xfer)

setup() {
	require_sctp
	command -v valgrind >/dev/null || fail "valgrind is not installed (tests/install-deps)"
	export SCTPIZE_NODELAY=1 SCTPIZE_VERBOSE=2 SCTPIZE_LOG=$BATS_TEST_TMPDIR/log
}

@test "valgrind memcheck: no error and no leak in the shim on a live association" {
	run env LD_PRELOAD="$LIB" valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$HELPERS/e2e_sockopt" "${OPS[@]}"
	assert_success
	assert_output --partial "info: ok len="
	refute_output --partial "=="
	run env LD_PRELOAD="$LIB" valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$HELPERS/e2e_socket" pair -4 nonblock,cloexec
	assert_success
	refute_output --partial "=="
	[ -s "$SCTPIZE_LOG" ] || fail "the verbose run logged nothing"
}

# Migration mode: the protocol change at listen() and connect(), the dual
# listener, the fallback to TCP; every exported call on the way
# (tests/helpers/hard_errno.c, small writes so that valgrind stays quick).
# memcheck_migration SCTPIZE OPTIONS...: @PORT@ in them is the listener's port.
memcheck_migration() {
	local port a opts=()
	port=$(free_port)
	for a in "$@"; do opts+=("${a//@PORT@/$port}"); done
	# (-t: hard_errno's watchdog, for a call that blocks; valgrind in User-Mode
	# Linux on a loaded machine is slow, never stuck.)
	# (SCTPIZE_HALF_CLOSE=1: hard_errno half-closes each way and writes after
	# the peer did, as tests/e2e/errno.bats runs it; without it, that write
	# is SCTP's EPIPE and SIGPIPE.)
	run timeout 900 env SCTPIZE_HALF_CLOSE=1 "$SCTPIZE" "${opts[@]}" -- valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$HELPERS/hard_errno" -b 300000 -t 800 -p "$port"
	# (hard_errno's own verdicts are tests/e2e/errno.bats's: here valgrind's.)
	[ "$status" != 99 ] || fail "valgrind found errors: $output"
	[ "$status" = 0 ] || [ "$status" = 1 ] || fail "status $status: $(grep -v errno=kept <<<"$output")"
	refute_output --partial "=="
	assert_output --partial "done failures="
}

@test "valgrind memcheck: no error and no leak when listen() and connect() change the protocol (--ports)" {
	memcheck_migration --ports @PORT@
	grep -q 'port .*: sctp' "$SCTPIZE_LOG" || fail "no protocol change: $(cat "$SCTPIZE_LOG")"
}

@test "valgrind memcheck: no error and no leak on a dual listener and both clients (--both)" {
	memcheck_migration --both --ports @PORT@
	grep -q 'listens on TCP and SCTP' "$SCTPIZE_LOG" || fail "no dual listener: $(cat "$SCTPIZE_LOG")"
}

@test "valgrind memcheck: no error and no leak when a both client falls back to TCP" {
	memcheck_migration --default tcp --rule 'both client port @PORT@'
	grep -q 'does not speak SCTP' "$SCTPIZE_LOG" || fail "no fallback: $(cat "$SCTPIZE_LOG")"
}
