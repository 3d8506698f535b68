#!/usr/bin/env bats
# ThreadSanitizer over the library (build/tsan/libsctpize.so, tests/hardening.mk)
# in multithreaded programs: its once-only start-up (from many threads at
# once, and from another library's constructor before the library's own),
# the resolver table, half-close state and migration slots behind their
# mutexes, the per-descriptor atomics, logging and the option table, with
# dup(), fork() and exec() going on.  TSan cannot run in User-Mode Linux
# (its shadow memory does not fit), so this runs on the host, with SCTP
# faked by the recorder (TCP underneath); the real kernel runs the same
# programs in tests/e2e/stress.bats.  Any "WARNING: ThreadSanitizer" fails
# the test, except inside the recorder, which is test scaffolding and not
# thread-safe (suppressed: called_from_lib:unit_recorder.so).

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
	TSAN_LIB=$(cc -print-file-name=libtsan.so)
	[ -e "$TSAN_LIB" ] || fail "no libtsan.so for $(cc --version | head -n 1)"
	for f in "$B/tsan/libsctpize.so" "$B/tests/hard_ctor.so" "$HELPERS/hard_ctor" "$STRESS"; do
		[ -e "$f" ] || fail "$f is missing: run 'make test-programs' first"
	done
	nm -D "$B/tsan/libsctpize.so" | grep -q __tsan_func_entry ||
		fail "$B/tsan/libsctpize.so is not instrumented"
	# A system /etc/sctpize.conf never takes part.
	export SCTPIZE_CONFIG=/dev/null
	# The recorder's fake-SCTP table (the test's stand-in for the kernel) is indexed by
	# descriptor number: a number closed in one thread and reused in another is ordered
	# by the kernel, which TSan cannot see.  (The library's own table is atomic.)
	printf '%s\n' "called_from_lib:unit_recorder.so" "race:unit_recorder.so" \
		> "$BATS_TEST_TMPDIR/suppressions"
	REPORTS=$BATS_TEST_TMPDIR/tsan
	export TSAN_OPTIONS="halt_on_error=0 exitcode=66 log_path=$REPORTS suppressions=$BATS_TEST_TMPDIR/suppressions"
}

# COMMAND under TSan's runtime, the instrumented library and the recorder (SCTP faked).
tsan() {
	LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $REC" RECORDER_FAKE_SCTP=1 "$@"
}

# No TSan report from any process of the test (log_path: one file per process).
assert_no_reports() {
	local f
	for f in "$REPORTS".*; do
		[ -e "$f" ] || continue
		fail "ThreadSanitizer reported ($f):
$(grep -E '^(WARNING|SUMMARY)|^    #[0-3] ' "$f" | head -n 60)"
	done
}

# tsan_server NAME [ENV=VALUE...] -- ARGS...: "hard_stress server ARGS..." under
# TSan in the background (stress_server: output in $T/NAME.out).
tsan_server() {
	local name=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	stress_server "$name" env "${envs[@]}" LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $REC" \
		RECORDER_FAKE_SCTP=1 "$STRESS" server "$@"
}

@test "TSan: the first intercepted calls, from 64 threads started in another library's constructor, before the library's own" {
	T=$BATS_TEST_TMPDIR
	HARD_CTOR=race:64 HARD_CTOR_PRIME=1 LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld \
		LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $B/tests/hard_ctor.so $REC" \
		RECORDER_FAKE_SCTP=1 run "$HELPERS/hard_ctor"
	assert_success
	assert_line "constructor race: threads=64 proto=132 nodelay=64 pairs=64 errors=0"
	assert_line main
	# The loader ran hard_ctor.so's constructor (the race) before the library's.
	local order
	order=$(cat "$T"/ld.* | grep -E 'calling init: .*/(libsctpize|hard_ctor)\.so$' | sed 's|.*/||')
	[ "$order" = "hard_ctor.so
libsctpize.so" ] || fail "constructors called in this order: $order"
	assert_no_reports
}

@test "TSan: socket() and setsockopt() from another library's constructor" {
	run env HARD_CTOR=single LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $B/tests/hard_ctor.so $REC" \
		RECORDER_FAKE_SCTP=1 "$HELPERS/hard_ctor"
	assert_success
	assert_line "constructor: proto=132 setsockopt=ok nodelay=1"
	assert_line main
	assert_no_reports
}

@test "TSan: 64 threads at once on fresh sockets, with every decision logged" {
	HARD_CTOR_PRIME=1 SCTPIZE_VERBOSE=2 SCTPIZE_LOG=$BATS_TEST_TMPDIR/log run tsan "$HELPERS/hard_ctor" race 64
	assert_success
	assert_line "main race: threads=64 proto=132 nodelay=64 pairs=64 errors=0"
	grep -q converted "$BATS_TEST_TMPDIR/log" || fail "nothing logged: wrong library?"
	assert_no_reports
}

@test "TSan: the stress program, 32 client threads, dup(), fork() and exec() meanwhile on both sides, TCP-like defaults on" {
	T=$BATS_TEST_TMPDIR
	# The shim's defaults (half-close negotiation, buffers, ...) rather than unit_setup's.
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT SCTPIZE_HALF_CLOSE
	export SCTPIZE_NODELAY=1 SCTPIZE_VERBOSE=1 SCTPIZE_LOG=$T/log SCTPIZE_STATS=1 RECORDER_LOG=
	tsan_server main -- 0 -t 24 -F 10 -X 40 -a 132
	local port
	port=$(stress_port main)
	run timeout 1800 env LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $REC" RECORDER_FAKE_SCTP=1 \
		"$STRESS" client "$port:132" -p 132 -t 32 -n 100 -m 65536 -f -x -q -w 120
	echo "# $(grep '^stress:' <<< "$output" | tail -n 1)" >&3
	assert_success
	assert_line --regexp '^stress: threads=32 per_thread=100 connections=3200 forks=[1-9][0-9]* .* execs=[1-9][0-9]* .* errors=0$'
	stress_done main
	grep -q converted "$SCTPIZE_LOG" || fail "nothing logged: wrong library?"
	assert_no_reports
}

@test "TSan: migration mode under load: protocol changes at listen() and connect(), 'both' clients, a dual listener, fork() and exec() meanwhile" {
	T=$BATS_TEST_TMPDIR
	export SCTPIZE_VERBOSE=1 RECORDER_LOG=
	local a b c
	three_ports
	# A converts at listen(); B is a "both" listener (here its faked SCTP
	# listener is TCP too: SO_REUSEPORT lets both bind the port); C is TCP.
	tsan_server a SCTPIZE_RULES="sctp port $a" SCTPIZE_DEFAULT=tcp SCTPIZE_LOG=$T/a.log -- "$a" -t 8
	tsan_server b SCTPIZE_RULES="both port $b" SCTPIZE_DEFAULT=tcp SCTPIZE_LOG=$T/b.log -- "$b" -t 8 -R -A 0.0.0.0
	tsan_server c SCTPIZE_RULES="tcp" SCTPIZE_LOG=$T/c.log -- "$c" -t 8
	grep -q 'listens on TCP and SCTP' "$T/b.log" || fail "B is no dual listener: $(cat "$T/b.log")"
	# (The recorder does not follow dup3(): a socket changed to SCTP answers
	# SO_PROTOCOL 6 here, so no protocol is checked; the real kernel does it.)
	run timeout 1800 env SCTPIZE_RULES="tcp addr 127.0.0.2; sctp port $a; both port $b,$c" \
		SCTPIZE_DEFAULT=tcp SCTPIZE_LOG=$T/client.log \
		LD_PRELOAD="$TSAN_LIB $B/tsan/libsctpize.so $REC" RECORDER_FAKE_SCTP=1 \
		"$STRESS" client "$a,$b,$b@127.0.0.2,$c" -t 32 -n 60 -m 65536 -f -x -q -w 120
	echo "# $(grep '^stress:' <<< "$output" | tail -n 1)" >&3
	assert_success
	assert_line --regexp '^stress: threads=32 per_thread=60 connections=1920 forks=[1-9][0-9]* .* execs=[1-9][0-9]* .* errors=0$'
	for s in a b c; do stress_done "$s"; done
	# Each path was taken: a change at listen(), at connect(), a "both"
	# client (whose SCTP attempt succeeds here), a TCP rule.
	grep -q "server 127.0.0.1 port $a: sctp" "$T/a.log" || fail "A: $(head "$T/a.log")"
	grep -q "client 127.0.0.1 port $a: sctp" "$T/client.log" || fail "no change at connect()"
	grep -q "client 127.0.0.1 port $b: both" "$T/client.log" || fail "no 'both' client"
	grep -q "the peer speaks SCTP" "$T/client.log" || fail "no 'both' client reached SCTP"
	grep -q "client 127.0.0.2 port $b: tcp" "$T/client.log" || fail "no TCP rule fired"
	grep -q "accepted an SCTP association" "$T/b.log" || fail "B accepted nothing on its SCTP side"
	assert_no_reports
}
