#!/usr/bin/env bats
# The kernel fails under the program (tests/helpers/hard_failure.c): the
# peer aborts the connection (SO_LINGER 0 close: TCP's RST, SCTP's ABORT)
# while the program reads or writes; the path dies during a write or under
# an idle reader (100% loss by netem on the loopback of a network namespace
# of the test's own).  The same program runs on TCP and under sctpize on the
# same kernel: what it sees must be what TCP gives, measured in the same
# test, and it must never block longer than TCP would (a watchdog in the
# program says "hang").
#
# The SCTP module going away mid-run is not tested: it cannot happen.  The
# module is held by every SCTP socket and by the kernel's own per-namespace
# SCTP control sockets (rmmod sctp: "in use", even on a freshly booted
# User-Mode Linux), and module autoloading brings it back at the next SCTP
# socket.  A kernel without SCTP at all, with --fallback (the program runs
# on TCP, every call succeeding and keeping errno): tests/unit/errno.bats on
# the host, whose kernel has no SCTP.

load ../helpers/common

FAIL=$HELPERS/hard_failure
LOSS='tc qdisc add dev lo root netem loss 100%'

setup() {
	require_sctp
	[ -x "$FAIL" ] || fail "$FAIL is missing: run 'make test-programs' first"
	export SCTPIZE_CONFIG=/dev/null WATCHDOG_S=60
	T=$BATS_TEST_TMPDIR
}

# In a network namespace of its own, loopback up (the loss stays in it).
NS=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)

# compare SCENARIO ARGS... [-- SCTPIZE OPTIONS]: sets tcp and sctp (each run's line).
compare() {
	local args=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	[ $# -gt 0 ] && { shift; opts=("$@"); }
	tcp=$(timeout 120 "${NS[@]}" "$FAIL" "${args[@]}" 2>&1)
	sctp=$(timeout 120 "${NS[@]}" "$SCTPIZE" "${opts[@]}" -- "$FAIL" "${args[@]}" 2>&1)
	echo "# TCP:     $tcp" >&3
	echo "# sctpize: $sctp" >&3
	[[ $tcp != *hang* ]] || fail "TCP itself hung: $tcp"
	[[ $sctp != *hang* ]] || fail "sctpize: the program hung where TCP did not: $sctp (TCP: $tcp)"
}

# after LINE: the seconds the error took.
after() {
	grep -o 'after=[0-9]*' <<<"$1" | cut -d= -f2
}

# within FACTOR FLOOR: sctpize's error came within FACTOR times TCP's own time
# (measured in the same test, on the same loaded or quiet machine), or FLOOR
# seconds when TCP was quicker than FLOOR / FACTOR.
within() {
	local most=$(($(after "$tcp") * $1))
	[ "$most" -ge "$2" ] || most=$2
	[ "$(after "$sctp")" -le "$most" ] || fail "sctpize took $(after "$sctp") s, more than $most: $sctp (TCP: $tcp)"
}

@test "the peer aborts while the program is blocked in read(): ECONNRESET, then what TCP answers" {
	compare abort-read
	[[ $tcp == "abort-read: read=-1 ECONNRESET "* ]] || fail "TCP: $tcp"
	assert_equal "$sctp" "$tcp"
}

@test "the peer aborted before the program writes: ECONNRESET, EPIPE, then what TCP's read answers" {
	compare abort-write
	[[ $tcp == "abort-write: write=-1 ECONNRESET write=-1 EPIPE "* ]] || fail "TCP: $tcp"
	assert_equal "$sctp" "$tcp"
}

@test "the peer aborts while the program is blocked in write() on a full buffer: ECONNRESET, then EPIPE" {
	compare abort-blocked-write
	[[ $tcp == "abort-blocked-write: write=-1 ECONNRESET"* ]] || fail "TCP: $tcp"
	assert_equal "$sctp" "$tcp"
}

@test "the path dies during writes (TCP_USER_TIMEOUT 3 s): the same errors as TCP, in bounded time" {
	compare loss-write 3000 "$LOSS"
	[[ $tcp == "loss-write: write=-1 ETIMEDOUT "* ]] || fail "TCP: $tcp"
	within 5 15
	assert_equal "${sctp/after=* write/after write}" "${tcp/after=* write/after write}"
}

@test "the path dies during writes, bounded by --max-retrans 3 --rto-max 500: an error, never a hang" {
	# (TCP without a user timeout retransmits for minutes: not run; a timeout gives ETIMEDOUT.)
	sctp=$(timeout 120 "${NS[@]}" "$SCTPIZE" --max-retrans 3 --rto-min 100 --rto-initial 200 \
		--rto-max 500 -- "$FAIL" loss-write 0 "$LOSS" 2>&1)
	echo "# sctpize: $sctp" >&3
	[[ $sctp != *hang* ]] || fail "sctpize: the program hung: $sctp"
	[[ $sctp == "loss-write: write=-1 E"* ]] || fail "no error: $sctp"
	# (About 2 s of retransmissions; 30 s holds on a loaded machine, and is
	# still far from the minutes of SCTP's defaults.)
	[ "$(after "$sctp")" -le 30 ] || fail "sctpize took $(after "$sctp") s: $sctp"
	[[ $sctp == "loss-write: write=-1 ETIMEDOUT "* ]] || fail "not TCP's ETIMEDOUT: $sctp"
}

# An idle reader with TCP keepalive (idle 1 s, 3 probes) learns of a dead path
# in about 4 s on TCP.  Under sctpize, TCP_KEEPIDLE/KEEPINTVL set the heartbeat
# interval and TCP_KEEPCNT the path's retransmissions, but the association
# itself ends only after SCTP's association limit (10 unanswered heartbeats,
# with the RTO doubling up to rto_max: minutes) -- a documented difference
# (libsctpize(7), "TCP semantics").  With --max-retrans and the RTO bounds it
# ends as quickly as TCP, with TCP's error:
@test "the path dies under an idle reader, heartbeats bounded by --hb-interval 500 --max-retrans 2: an error, never a hang" {
	compare loss-read-keepalive 1 3 "$LOSS" -- --hb-interval 500 --max-retrans 2 --rto-min 100 \
		--rto-initial 200 --rto-max 500
	[[ $sctp == "loss-read-keepalive: read=-1 ETIMEDOUT "* ]] || fail "not TCP's ETIMEDOUT: $sctp"
	within 5 20
}
