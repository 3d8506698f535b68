#!/usr/bin/env bats
# Descriptors and memory after many conversions (tests/helpers/hard_fdleak.c):
# a TCP program connects to its own loopback listener, exchanges a byte each
# way, half-closes every 8th connection, dup()s and closes everything, many
# times over, under sctpize: plain conversions, protocol changes at
# connect() (--ports), fallbacks to TCP ("both" clients against a TCP-only
# listener) and dual (TCP+SCTP) listener accepts.  /proc/self/fd and
# VmRSS/VmData are read after a warm-up of 200 cycles and after the run:
# no descriptor may be left behind, and memory must not grow (the library
# allocates nothing per socket: fixed tables).  The figures are printed.
# FDLEAK_CYCLES (default 10000) and FDLEAK_DUAL (default 1000) set the counts.
# A run has no time limit of its own, however slow the machine: a cycle that
# blocks for a minute ends it (FDLEAK_TIMEOUT, the program's watchdog).

load ../helpers/common

FDLEAK=$HELPERS/hard_fdleak

setup() {
	require_sctp
	[ -x "$FDLEAK" ] || fail "$FDLEAK is missing: run 'make test-programs' first"
	export SCTPIZE_CONFIG=/dev/null FDLEAK_TIMEOUT=60
	port=$(free_port)
	N=${FDLEAK_CYCLES:-10000} ND=${FDLEAK_DUAL:-1000}
	LOGF=$BATS_TEST_TMPDIR/log
}

# run_fdleak CYCLES [SCTPIZE OPTIONS...]: the program under sctpize, its
# listener on $port; checks the descriptors and the memory; sets $stats.
run_fdleak() {
	local n=$1
	shift
	# (timeout: a last resort; the program's watchdog ends a blocked cycle.)
	run timeout 3600 "$SCTPIZE" --stats --log "$LOGF" "$@" -- "$FDLEAK" -n "$n" -p "$port"
	echo "# $* : $(head -n 1 <<<"$output")" >&3
	[ "$status" = 0 ] || fail "status $status: $output
$(cat "$LOGF")"
	local line=${lines[0]} k v
	for k in cycles fds_before fds_after rss_before rss_after data_before data_after; do
		v=$(grep -o "\b$k=[0-9]*" <<<"$line" | cut -d= -f2)
		[ -n "$v" ] || fail "no $k in: $line"
		printf -v "$k" '%s' "$v"
	done
	assert_equal "$cycles" "$n"
	[ "$fds_after" = "$fds_before" ] || fail "descriptors: $fds_before before, $fds_after after: $output"
	[ $((rss_after - rss_before)) -le 256 ] || fail "VmRSS grew by $((rss_after - rss_before)) kB: $line"
	[ $((data_after - data_before)) -le 256 ] || fail "VmData grew by $((data_after - data_before)) kB: $line"
	if grep -q 'more than .* sockets in migration' "$LOGF"; then
		fail "migration slots ran out (leaked): $(cat "$LOGF")"
	fi
	stats=$(grep 'stats:' "$LOGF" | tail -n 1)
	echo "#   $stats" >&3
}

# stat_is N WHAT: the --stats line says "N WHAT".
stat_is() {
	[[ $stats == *" $1 $2"* ]] || fail "expected '$1 $2' in: $stats"
}

@test "10000 conversions (socket, connect, accept, close): no descriptor left, memory bounded" {
	run_fdleak "$N"
	# Each cycle: a socket closed unconnected, a client, the accepted socket (200 warm-up).
	stat_is $((2 * (N + 200) + 1)) "converted to SCTP"
	stat_is $((N + 200)) "SCTP accepted"
}

@test "10000 protocol changes at connect() (--ports): no descriptor left, memory bounded" {
	run_fdleak "$N" --ports "$port"
	stat_is $((N + 201)) "converted to SCTP"
	stat_is $((N + 200)) "SCTP accepted"
}

@test "10000 fallbacks to TCP (a both client, a TCP-only listener): no descriptor left, memory bounded" {
	run_fdleak "$N" --rule "both client port $port" --default tcp
	stat_is $((N + 200)) "fell back to TCP"
}

@test "1000 accepts of SCTP clients on a dual TCP+SCTP listener (--both): no descriptor left, memory bounded" {
	run_fdleak "$ND" --both --ports "$port"
	stat_is 1 "TCP+SCTP listeners"
	stat_is $((ND + 200)) "SCTP accepted"
}

@test "1000 accepts of TCP clients on a dual TCP+SCTP listener: no descriptor left, memory bounded" {
	run_fdleak "$ND" --rule "both server port $port" --default tcp
	stat_is 1 "TCP+SCTP listeners"
	stat_is $((ND + 200)) "TCP accepted on TCP+SCTP listeners"
}
