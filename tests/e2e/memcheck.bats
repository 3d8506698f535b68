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
