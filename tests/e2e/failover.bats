#!/usr/bin/env bats
# Multihoming and failover, end to end, with unmodified programs.
#
# Two hosts (network namespaces) joined by two independent links
# (tests/helpers/e2e_twolinks.bash): client 10.231.1.1 / 10.231.2.1, server
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
# rto_initial (3 s by default, 300 ms with --failover fast).  Typical stalls
# there, 5 MiB at 8 Mbit/s: default 1.2-2.4 s (link down), 1.1-2.4 s (loss);
# --failover fast 0.3-0.6 s; plain TCP makes no progress at all while link 1
# is dead.  netem's queue is kept short (e2e_twolinks.bash), or seconds of queued
# data would keep flowing after the fault.

load ../helpers/common
load ../helpers/e2e_twolinks

SIZE=$((5 * 1024 * 1024))	# 5 MiB at 8 Mbit/s: about 5 s per transfer
RATE=8mbit
WATCH=$BATS_TEST_DIRNAME/../helpers/e2e_failover_watch.py
RESULTS=${BATS_FILE_TMPDIR:-$BATS_RUN_TMPDIR}/failover.results

# One topology for the whole file (building it costs seconds in UML); each
# test uses a port of its own and gives link 1 back in its teardown.
setup_file() {
	"$B/sctpize-helper" probe 2>/dev/null || return 0
	TL_ID=$$
	tl_up "$RATE" || return 1
	export TL_C TL_S TL_RATE
	head -c "$SIZE" /dev/urandom > "$BATS_FILE_TMPDIR/src"
	sha256sum < "$BATS_FILE_TMPDIR/src" > "$BATS_FILE_TMPDIR/src.sha256"
}

teardown_file() {
	tl_down
}

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	PORT=$((4200 + BATS_TEST_NUMBER))
	[ -n "${TL_C-}" ] || fail "no two-link topology (setup_file failed)"
}

teardown() {
	teardown_bg || true
	[ -z "${TL_C-}" ] || tl_restore 1
}

# in_ns c|s CHECK ARGS...: a common.bash check, run inside that namespace
# (/proc/net is the namespace's own there).
in_ns() {
	local side=$1
	shift
	tl_exec "$side" bash -c "$(declare -f listening_sctp listening_tcp); \"\$@\"" _ "$@"
}

# watch_from_fault FAULT EXTRA... : the watcher (in the client namespace) of
# $T/dst, which itself fails link 1 once a fifth of the file has arrived, and
# samples the associations of both namespaces from then on (the server's
# through /proc/PID/net of a process of its namespace); started in the
# background, its summary in $T/watch.out, its pid in $wpid.  FAULT: down
# (the server's end of link 1 down, as tl_fail_down 1) or loss (100% loss
# both ways, as tl_fail_loss 1 on the file's netem links), by ip and tc
# processes started in advance, reading their command from the watcher.
# (A shell loop here looks at the file once every few seconds on a loaded
# machine, and starting ip or tc takes seconds more: a fault that late can
# come after the end of the transfer.)
watch_from_fault() {
	local fault=$1 spid ns how=()
	shift
	spid=$(ip netns pids "$TL_S" | head -n 1)
	[ -n "$spid" ] || fail "no process in the server's namespace"
	case $fault in
	down)	how=(--fault-batch "ip -n $TL_S -batch -" "link set link1 down") ;;
	loss)	for ns in "$TL_C" "$TL_S"; do
			how+=(--fault-batch "tc -n $ns -batch -"
				"qdisc change dev link1 root netem rate $TL_RATE limit ${TL_QUEUE:-100} loss 100%")
		done ;;
	esac
	bg ip netns exec "$TL_C" python3 "$WATCH" --ready "$T/ready" --fault-at $((SIZE / 5)) "${how[@]}" \
		--sample c=/proc/self/net/sctp --sample "s=/proc/$spid/net/sctp" --samples "$T/sample" \
		"$@" "$T/dst" "$SIZE" 180 > "$T/watch.out"
	wpid=$(tail -n 1 "$BATS_TEST_TMPDIR/bg.pids")
	wait_for test -e "$T/ready" || fail "the watcher did not start"
}

# sampled: from the watcher's samples, $T/raddrs.c and .s (the remote addresses
# of each association, one a line, the primary starred) and $T/remaddr.c and
# .s (/proc/net/sctp/remaddr's lines, without the header).
sampled() {
	local side
	for side in c s; do
		touch "$T/sample.$side.assocs" "$T/sample.$side.remaddr"
		awk '{ s = ""; r = 0
			for (i = 1; i <= NF; i++) { if (r && $i ~ /^\*?[0-9]/ && $i ~ /\./) s = s (s ? " " : "") $i; if ($i == "<->") r = 1 }
			print s }' "$T/sample.$side.assocs" > "$T/raddrs.$side"
		cp "$T/sample.$side.remaddr" "$T/remaddr.$side"
	done
}

# transfer sctp|tcp down|loss [SCTPIZE OPTIONS...]: send $SIZE random bytes
# from the client to the server over link 1; fail link 1 once a fifth has
# arrived; leave the watcher's summary in $T/watch.out, its status in
# $T/watch.rc, and what it sampled (sampled).  Options go to both wrapped
# programs.
transfer() {
	local proto=$1 fault=$2 wpid rc=0
	shift 2
	SRC=$BATS_FILE_TMPDIR/src
	# The kernel's buffers, not sctpize's 4 MiB: with them the sender would queue the
	# whole file at once and exit, and the association would end up an orphan
	# (no longer listed) before the fault; these tests watch it across the fault.
	[ "$proto" = sctp ] && set -- --sndbuf 0 --rcvbuf 0 "$@"
	if [ "$proto" = sctp ]; then
		bg ip netns exec "$TL_S" "$SCTPIZE" --bind-all "$@" \
			socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
	else
		bg ip netns exec "$TL_S" socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
	fi
	if [ "$proto" = sctp ]; then
		wait_for in_ns s listening_sctp "$PORT" || fail "the wrapped server does not listen on SCTP"
	else
		wait_for in_ns s listening_tcp "$PORT" || fail "the TCP server does not listen"
	fi
	# TCP gives up 8 s after the fault without progress: it would wait for minutes.
	watch_from_fault "$fault" $([ "$proto" = tcp ] && echo --give-up 8)
	if [ "$proto" = sctp ]; then
		bg ip netns exec "$TL_C" "$SCTPIZE" "$@" socat -u -b 65536 "FILE:$SRC" "TCP:$TL_S1:$PORT"
	else
		bg ip netns exec "$TL_C" socat -u -b 65536 "FILE:$SRC" "TCP:$TL_S1:$PORT"
	fi
	# The association keeps both addresses of each peer, dead or alive: the
	# watcher samples them, from the fault to the end of the transfer.
	wait "$wpid" > /dev/null 2>&1 || rc=$?
	sampled
	echo "$rc" > "$T/watch.rc"
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
	assert_output "$(cat "$BATS_FILE_TMPDIR/src.sha256")"
	# The association was SCTP and knew both addresses of each peer.
	has_both "$T/raddrs.c" "$TL_S1" "$TL_S2"
	has_both "$T/raddrs.s" "$TL_C1" "$TL_C2"
}

# has_both FILE A B: a line of FILE (addresses, the primary starred) has A and B
# (FILE: the samples taken after the fault).
has_both() {
	awk -v a="$2" -v b="$3" '{ fa = fb = 0; for (i = 1; i <= NF; i++) { x = $i; sub(/^\*/, "", x)
		if (x == a) fa = 1; if (x == b) fb = 1 } if (fa && fb) f = 1 } END { exit !f }' "$1" ||
		fail "no association in $1 lists both $2 and $3: $(cat "$1")"
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
	run awk '{ print $1, $5 }' "$T/remaddr.c"
	assert_line --regexp '^10\.231\.1\.2 5$'
}

@test "failover: 100% loss on link 1 mid-transfer, default SCTP parameters: every byte arrives" {
	run_sctp "SCTP default, link 1 100% loss" loss
}

# --failover fast reached both ends: every path of the client's association
# (a converted socket) and of the server's (an accepted one) gives up after
# one retransmission (/proc/net/sctp/remaddr: MAX_PATH_RTX, field 5; the
# kernel's default is 5), in every sample taken after the fault.
assert_fast_paths() {
	local f
	for f in "$T/remaddr.c" "$T/remaddr.s"; do
		run awk '{ print $1, $5 }' "$f"
		assert_line --regexp '^10\.231\.1\.[12] 1$'
		assert_line --regexp '^10\.231\.2\.[12] 1$'
		refute_line --regexp ' [02-9][0-9]*$'
	done
}

@test "failover: link 1 down mid-transfer, --failover fast: every byte arrives over link 2" {
	run_sctp "SCTP --failover fast, link 1 down" down --failover fast
	assert_fast_paths
}

@test "failover: 100% loss on link 1 mid-transfer, --failover fast: every byte arrives" {
	run_sctp "SCTP --failover fast, 100% loss" loss --failover fast
	assert_fast_paths
}

@test "failover: --bind-ifaces link1,link2 on the server, link 1 down mid-transfer: every byte arrives" {
	# The server binds 10.231.1.2 and adds its interfaces' addresses: the
	# association is multihomed without --bind-all.
	SRC=$BATS_FILE_TMPDIR/src
	bg ip netns exec "$TL_S" "$SCTPIZE" --bind-ifaces link1,link2 --failover fast \
		socat -u "TCP-LISTEN:$PORT,bind=$TL_S1" "CREATE:$T/dst"
	wait_for in_ns s listening_sctp "$PORT" || fail "the wrapped server does not listen on SCTP"
	run tl_exec s awk -v p="$PORT" 'NR > 1 && $6 == p { for (i = 9; i <= NF; i++) printf "%s ", $i }' /proc/net/sctp/eps
	assert_output "$TL_S1 $TL_S2 "
	watch_from_fault down
	bg ip netns exec "$TL_C" "$SCTPIZE" --failover fast socat -u -b 65536 "FILE:$SRC" "TCP:$TL_S1:$PORT"
	wait "$wpid" > /dev/null 2>&1 || true
	sampled
	run cat "$T/watch.out"
	assert_line --regexp '^complete=1 '
	run sha256sum < "$T/dst"
	assert_output "$(cat "$BATS_FILE_TMPDIR/src.sha256")"
	has_both "$T/raddrs.c" "$TL_S1" "$TL_S2"
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
	echo "# --- failover, $SIZE bytes at $RATE per link, link 1 failed after a fifth ---" >&3
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
	bg ip netns exec "$TL_S" "$SCTPIZE" --bind-all socat "TCP-LISTEN:$PORT,bind=$TL_S1,fork,reuseaddr" \
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
	run timeout 60 ip netns exec "$TL_C" "$SCTPIZE" --peer-addrs "$TL_S1,$TL_S2" \
		socat -u "TCP:$TL_S1:$PORT" -
	echo "# --peer-addrs, first address dead: socat connected and read in $(since "$t0") s" >&3
	assert_success
	assert_output "hello over SCTP"
	# And the same without the option: the INIT goes to the dead address only.
	run timeout 5 ip netns exec "$TL_C" "$SCTPIZE" socat -u "TCP:$TL_S1:$PORT" -
	assert_failure
}

@test "failover: a name with both addresses (server.test), the first dead: socat TCP4:server.test connects" {
	greeter
	run with_hosts 60 getent ahostsv4 server.test
	assert_line --regexp "^$TL_S1 +STREAM server.test"
	local t0=$EPOCHREALTIME
	run with_hosts 60 "$SCTPIZE" socat -u "TCP4:server.test:$PORT" -
	echo "# name with both addresses, first dead: socat connected and read in $(since "$t0") s" >&3
	assert_success
	assert_output "hello over SCTP"
	# Off with SCTPIZE_PEER_RESOLVED=0: socat tries the first address only.
	run with_hosts 5 env SCTPIZE_PEER_RESOLVED=0 "$SCTPIZE" socat -u "TCP4:server.test:$PORT" -
	assert_failure
	# The host's own /etc/hosts was never touched.
	run grep -c server.test /etc/hosts
	assert_output 0
}

@test "failover: a name with both addresses, the first dead: python socket.create_connection connects" {
	greeter
	local t0=$EPOCHREALTIME
	run with_hosts 60 "$SCTPIZE" python3 -c "
import socket
s = socket.create_connection(('server.test', $PORT))
print(s.recv(100).decode().strip(), 'from', s.getpeername()[0])"
	echo "# name with both addresses, first dead: python create_connection read in $(since "$t0") s" >&3
	assert_success
	assert_output --regexp "^hello over SCTP from 10\.231\.[12]\.2$"
}
