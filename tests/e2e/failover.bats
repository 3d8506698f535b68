#!/usr/bin/env bats
# Multihoming and failover, end to end, with unmodified programs.
#
# Two hosts (network namespaces) joined by two independent links
# (tests/helpers/twolinks.bash): client 10.231.1.1 / 10.231.2.1, server
# 10.231.1.2 / 10.231.2.2.  A wrapped socat server (bound to 10.231.1.2,
# widened) receives a file from a wrapped socat client that connects to
# 10.231.1.2; link 1 fails mid-transfer (link down, or 100% loss with netem);
# every byte must still arrive, over link 2.  The longest interval without
# progress of the received file (sampled every 100 ms) is reported, never
# asserted: once with the kernel's default SCTP parameters, once with
# --failover fast.  Plain TCP between the same hosts is run as the contrast
# and reported.  Then the peer's first address is dead before the connect:
# --peer-addrs, and a name that resolves to both addresses, let an
# unmodified client connect through the second address within seconds.
#
# Measured on Linux 6.1 (User-Mode Linux): with the defaults a path goes
# "potentially failed" at its first retransmission timeout (pf_retrans 0,
# RTO >= rto_min 1 s), and new data moves to the other path; an INIT that
# gets no answer is sent to the next address of sctp_connectx() after
# rto_initial (3 s by default, 300 ms with --failover fast).

load ../helpers/common
load ../helpers/twolinks

PORT=4242
SIZE=$((4 * 1024 * 1024))	# 4 MiB at 8 Mbit/s: about 4 s per transfer
RATE=8mbit
WATCH=$BATS_TEST_DIRNAME/../helpers/failover_watch.py
RESULTS=${BATS_FILE_TMPDIR:-$BATS_RUN_TMPDIR}/failover.results

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	TL_ID=$$-$BATS_TEST_NUMBER
	case $BATS_TEST_DESCRIPTION in
	*mid-transfer*) tl_up "$RATE" ;;
	*) tl_up ;;
	esac
}

teardown() {
	teardown_bg || true
	tl_down
}

# in_ns c|s CHECK ARGS...: a common.bash check, run inside that namespace
# (/proc/net is the namespace's own there).
in_ns() {
	local side=$1
	shift
	tl_exec "$side" bash -c "$(declare -f listening_sctp listening_tcp); \"\$@\"" _ "$@"
}

size_at_least() {
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# transfer sctp|tcp down|loss [SCTPIZE OPTIONS...]: send $SIZE random bytes
# from the client to the server over link 1; fail link 1 once a quarter has
# arrived; leave the watcher's summary in $T/watch.out and its status in
# $T/watch.rc.  Options go to both wrapped programs.
transfer() {
	local proto=$1 fault=$2 wpid
	shift 2
	head -c "$SIZE" /dev/urandom > "$T/src"
	if [ "$proto" = sctp ]; then
		bg tl_exec s "$SCTPIZE" --bind-all "$@" \
			socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
		wait_for in_ns s listening_sctp "$PORT" || fail "the wrapped server does not listen on SCTP"
	else
		bg tl_exec s socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
		wait_for in_ns s listening_tcp "$PORT" || fail "the TCP server does not listen"
	fi
	# TCP gives up 10 s after the fault without progress: it would wait for minutes.
	bg tl_exec c python3 "$WATCH" --mark "$T/mark" --ready "$T/ready" \
		$([ "$proto" = tcp ] && echo --give-up 10) "$T/dst" "$SIZE" 90 > "$T/watch.out"
	wpid=$(tail -n 1 "$BATS_TEST_TMPDIR/bg.pids")
	wait_for test -e "$T/ready" || wait_for test -e "$T/ready" || fail "the watcher did not start"
	if [ "$proto" = sctp ]; then
		bg tl_exec c "$SCTPIZE" "$@" socat -u -b 65536 "FILE:$T/src" "TCP:$TL_S1:$PORT"
	else
		bg tl_exec c socat -u -b 65536 "FILE:$T/src" "TCP:$TL_S1:$PORT"
	fi
	wait_for size_at_least "$T/dst" $((SIZE / 4)) || wait_for size_at_least "$T/dst" $((SIZE / 4)) ||
		fail "a quarter of the file did not arrive within 20 s, before any fault"
	if [ "$proto" = sctp ]; then
		tl_assoc_raddrs c > "$T/raddrs.c"
		tl_assoc_raddrs s > "$T/raddrs.s"
	fi
	: > "$T/mark"
	case $fault in
	down) tl_fail_down 1 ;;
	loss) tl_fail_loss 1 ;;
	esac
	wait "$wpid" > /dev/null 2>&1
	echo $? > "$T/watch.rc"
}

# A word of the watcher's summary (key=value words, its last line).
summary() {
	awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) v = a[2] } } END { print v }' \
		"$T/watch.out"
}

# report LABEL: one line of TAP comment, and a line for the closing summary.
report() {
	local line
	if [ "$(summary complete)" = 1 ]; then
		line=$(printf '%-34s complete in %5ss, longest stall %5ss (fault at %ss, stall from %ss)' "$1" \
			"$(summary elapsed)" "$(summary stall)" "$(summary fault_at)" "$(summary stall_at)")
	else
		line=$(printf '%-34s INCOMPLETE: %s of %s bytes; no progress for %ss after the fault, then given up' \
			"$1" "$(summary bytes)" "$SIZE" "$(summary after_fault)")
	fi
	echo "# $line" >&3
	echo "$line" >> "$RESULTS"
}

# The transfer completed with every byte, on a multihomed SCTP association.
assert_sctp_failover() {
	[ -s "$T/watch.out" ] || fail "no summary from the watcher"
	run cat "$T/watch.out"
	assert_line --regexp '^complete=1 '
	run sha256sum < "$T/dst"
	assert_output "$(sha256sum < "$T/src")"
	# The association was SCTP and knew both addresses of each peer.
	run cat "$T/raddrs.c"
	assert_line --regexp "(^|[ *])$TL_S1( |$).*(^|[ *])$TL_S2( |$)|(^|[ *])$TL_S2( |$).*(^|[ *])$TL_S1( |$)"
	run cat "$T/raddrs.s"
	assert_line --regexp "(^|[ *])$TL_C1( |$).*(^|[ *])$TL_C2( |$)|(^|[ *])$TL_C2( |$).*(^|[ *])$TL_C1( |$)"
}

run_sctp() {	# LABEL FAULT OPTIONS...
	local label=$1
	shift
	transfer sctp "$@"
	report "$label"
	assert_sctp_failover
}

@test "failover: link 1 down mid-transfer, default SCTP parameters: every byte arrives over link 2" {
	run_sctp "SCTP default, link 1 down" down
}

@test "failover: 100% loss on link 1 mid-transfer, default SCTP parameters: every byte arrives" {
	run_sctp "SCTP default, link 1 100% loss" loss
}

@test "failover: link 1 down mid-transfer, --failover fast: every byte arrives over link 2" {
	run_sctp "SCTP --failover fast, link 1 down" down --failover fast
}

@test "failover: 100% loss on link 1 mid-transfer, --failover fast: every byte arrives" {
	run_sctp "SCTP --failover fast, 100% loss" loss --failover fast
}

@test "failover: --bind-ifaces link1,link2 on the server, link 1 down mid-transfer: every byte arrives" {
	# The server binds 10.231.1.2 and adds its interfaces' addresses: the
	# association is multihomed without --bind-all.
	head -c "$SIZE" /dev/urandom > "$T/src"
	bg tl_exec s "$SCTPIZE" --bind-ifaces link1,link2 --failover fast \
		socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
	wait_for in_ns s listening_sctp "$PORT" || fail "the wrapped server does not listen on SCTP"
	run tl_exec s awk -v p="$PORT" 'NR > 1 && $6 == p { for (i = 9; i <= NF; i++) printf "%s ", $i }' /proc/net/sctp/eps
	assert_output "$TL_S1 $TL_S2 "
	bg tl_exec c "$SCTPIZE" --failover fast socat -u -b 65536 "FILE:$T/src" "TCP:$TL_S1:$PORT"
	wait_for size_at_least "$T/dst" $((SIZE / 4)) || fail "a quarter did not arrive"
	tl_assoc_raddrs c > "$T/raddrs.c"
	tl_assoc_raddrs s > "$T/raddrs.s"
	tl_fail_down 1
	local i
	for i in 1 2 3 4 5 6; do
		wait_for size_at_least "$T/dst" "$SIZE" && break
	done
	run sha256sum < "$T/dst"
	assert_output "$(sha256sum < "$T/src")"
	run cat "$T/raddrs.c"
	assert_line --regexp "$TL_S1 .*$TL_S2|$TL_S2 .*$TL_S1"
}

# The contrast: the same transfer on plain TCP (no sctpize) between the same
# hosts.  Reported, not asserted: TCP has one path, and waits for it.
run_tcp() {	# LABEL FAULT
	transfer tcp "$2"
	report "$1"
	in_ns s listening_tcp "$PORT" || true
	[ -s "$T/watch.out" ] || fail "no summary from the watcher"
}

@test "failover: contrast, plain TCP with link 1 down mid-transfer (reported, not asserted)" {
	run_tcp "plain TCP, link 1 down" down
}

@test "failover: contrast, plain TCP with 100% loss on link 1 mid-transfer (reported, not asserted)" {
	run_tcp "plain TCP, link 1 100% loss" loss
}

@test "failover: the measured stalls side by side (every SCTP run completed)" {
	[ -s "$RESULTS" ] || fail "no transfer ran"
	echo "# --- failover, $SIZE bytes at $RATE per link, link 1 failed after a quarter ---" >&3
	sed 's/^/# /' "$RESULTS" >&3
	run grep -c '^SCTP.*complete in' "$RESULTS"
	assert_output 4
	run grep '^SCTP.*INCOMPLETE' "$RESULTS"
	assert_failure
}

# --- The peer's first address is dead before the connect -------------------

# A wrapped server on $TL_S1 (widened) that greets every client; link 1 then
# goes down at the server's end, so 10.231.1.2 is dead while the client still
# has its route to it (and getaddrinfo keeps it first).
greeter() {
	bg tl_exec s "$SCTPIZE" --bind-all socat "TCP-LISTEN:$PORT,bind=$TL_S1,fork,reuseaddr" \
		"SYSTEM:echo hello over SCTP"
	wait_for in_ns s listening_sctp "$PORT" || fail "the wrapped server does not listen on SCTP"
	tl_fail_down 1
}

# with_hosts SECONDS COMMAND...: COMMAND in the client namespace, in a mount
# namespace of its own where /etc/hosts is a private file with server.test at
# both addresses (the host's /etc/hosts is never written); killed after SECONDS.
with_hosts() {
	local secs=$1
	shift
	printf '%s server.test\n%s server.test\n' "$TL_S1" "$TL_S2" > "$T/hosts"
	timeout "$secs" ip netns exec "$TL_C" unshare -m --propagation private sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" "$@"
}

# Seconds since $1 ($EPOCHREALTIME), one decimal.
since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

@test "failover: --peer-addrs $TL_S1,$TL_S2 with $TL_S1 dead: an unmodified socat connects through $TL_S2" {
	greeter
	local t0=$EPOCHREALTIME
	run timeout 20 ip netns exec "$TL_C" "$SCTPIZE" --peer-addrs "$TL_S1,$TL_S2" \
		socat -u "TCP:$TL_S1:$PORT" -
	echo "# --peer-addrs, first address dead: socat connected and read in $(since "$t0") s" >&3
	assert_success
	assert_output "hello over SCTP"
	# And the same without the option: the INIT goes to the dead address only.
	run timeout 8 ip netns exec "$TL_C" "$SCTPIZE" socat -u "TCP:$TL_S1:$PORT" -
	assert_failure
}

@test "failover: a name with both addresses (server.test), the first dead: socat TCP4:server.test connects" {
	greeter
	run with_hosts 10 getent ahostsv4 server.test
	assert_line --regexp "^$TL_S1 +STREAM server.test"
	local t0=$EPOCHREALTIME
	run with_hosts 20 "$SCTPIZE" socat -u "TCP4:server.test:$PORT" -
	echo "# name with both addresses, first dead: socat connected and read in $(since "$t0") s" >&3
	assert_success
	assert_output "hello over SCTP"
	# Off with SCTPIZE_PEER_RESOLVED=0: socat tries the first address only.
	run with_hosts 8 env SCTPIZE_PEER_RESOLVED=0 "$SCTPIZE" socat -u "TCP4:server.test:$PORT" -
	assert_failure
	# The host's own /etc/hosts was never touched.
	run grep -c server.test /etc/hosts
	assert_output 0
}

@test "failover: a name with both addresses, the first dead: python socket.create_connection connects" {
	greeter
	local t0=$EPOCHREALTIME
	run with_hosts 20 "$SCTPIZE" python3 -c "
import socket
s = socket.create_connection(('server.test', $PORT))
print(s.recv(100).decode().strip(), 'from', s.getpeername()[0])"
	echo "# name with both addresses, first dead: python create_connection read in $(since "$t0") s" >&3
	assert_success
	assert_output --regexp "^hello over SCTP from 10\.231\.[12]\.2$"
}
