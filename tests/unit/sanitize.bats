#!/usr/bin/env bats
# The library built with AddressSanitizer + UBSan (build/asan/libsctpize.so,
# "make sanitize"), preloaded after ASan's runtime and before the recorder,
# through every wrapper and every TCP option number, with SCTP faked.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
	ASAN_LIB=$(cc -print-file-name=libasan.so)
	[ -e "$B/asan/libsctpize.so" ] || fail "run 'make test-programs' first"
	[ -e "$ASAN_LIB" ] || fail "no libasan.so for $(cc --version | head -n 1)"
	export ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
}

# COMMAND under ASan's runtime, the instrumented library and the recorder.
sanitized() {
	LD_PRELOAD="$ASAN_LIB $B/asan/libsctpize.so $REC" RECORDER_FAKE_SCTP=1 "$@"
}

@test "every TCP option number, set and get, in range and out, under ASan + UBSan" {
	local ops=() n
	for n in $(seq -1 40); do
		ops+=(set IPPROTO_TCP "$n" 1 set IPPROTO_TCP "$n" -7 set IPPROTO_TCP "$n" 1 2 setstr IPPROTO_TCP "$n" reno
			get IPPROTO_TCP "$n" get IPPROTO_TCP "$n" 2 getstr IPPROTO_TCP "$n" 3 setnull IPPROTO_TCP "$n" 4)
	done
	SCTPIZE_VERBOSE=2 SCTPIZE_LOG=$BATS_TEST_TMPDIR/log run sanitized "$HELPERS/unit_sockopt" shim "${ops[@]}" listen accept "${ops[@]}"
	assert_success
	refute_output --partial "runtime error"
	refute_output --partial "AddressSanitizer"
	# The instrumented library did the work: its decisions are in the log.
	grep -q "accepted as a hint" "$BATS_TEST_TMPDIR/log" || fail "nothing logged: wrong library?"
}

@test "conversion, accept, bind widening and a refused environment under ASan + UBSan" {
	run env SCTPIZE_NODELAY=1 SCTPIZE_BIND_ADDRS=127.0.0.2,::1 SCTPIZE_BIND_LOOPBACK=1 SCTPIZE_LOG=$BATS_TEST_TMPDIR/log SCTPIZE_VERBOSE=1 LD_PRELOAD="$ASAN_LIB $B/asan/libsctpize.so $REC" \
		RECORDER_FAKE_SCTP=1 "$HELPERS/unit_sockopt" shim listen accept get IPPROTO_TCP TCP_INFO
	assert_success
	refute_output --partial "runtime error"
	grep -q "added with sctp_bindx" "$BATS_TEST_TMPDIR/log" || fail "bind widening not reached: $(cat "$BATS_TEST_TMPDIR/log")"
	run env SCTPIZE_BIND_ADDRS="$(printf '1.2.3.4,%.0s' $(seq 40))" SCTPIZE_VERBOSE=1 \
		LD_PRELOAD="$ASAN_LIB $B/asan/libsctpize.so $REC" "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	refute_output --partial "runtime error"
	refute_output --partial "AddressSanitizer"
	assert_output --partial "SCTPIZE_BIND_ADDRS"
	run env SCTPIZE_VERBOSE=2 LD_PRELOAD="$ASAN_LIB $B/asan/libsctpize.so $REC" RECORDER_FAKE_SCTP=1 \
		bash -c 'exec -a "$(printf %0700d 0)" "$0" AF_INET6 "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC" 0' "$HELPERS/unit_socket"
	assert_success
	refute_output --partial "runtime error"
}
