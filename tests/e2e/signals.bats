#!/usr/bin/env bats
# Blocking calls interrupted by a signal (tests/helpers/hard_signals.c): the
# same TCP program runs plainly, on TCP, and under sctpize, on the same
# kernel, a SIGALRM handler installed without and with SA_RESTART; what the
# program sees under sctpize must be what it sees on TCP.  TCP's answers are
# measured in the same test, not assumed; the assertions on them only check
# that the signal did interrupt the call (the test means something): without
# SA_RESTART, EINTR, or the count so far when some bytes already moved; with
# SA_RESTART, the call goes on, except that a read or write that already
# moved bytes returns their count.
#
# Nothing here depends on the machine's speed: the signal comes once the call
# is seen blocked, the peer acts a while after the signal, and "early" or
# "late" is the order of the call's return and the peer's action, never a
# clock reading (tests/helpers/hard_signals.c).  Where TCP itself may answer
# in two ways, depending on what the kernel had done before the signal came
# (bytes moved or not into a full buffer), both answers are accepted, for TCP
# and for sctpize alike.

load ../helpers/common

SIG=$HELPERS/hard_signals

setup() {
	require_sctp
	[ -x "$SIG" ] || fail "$SIG is missing: run 'make test-programs' first"
	T=$BATS_TEST_TMPDIR
	export SCTPIZE_CONFIG=/dev/null
	SZ_OPTS=()
}

# One run of "$@" into $T/$name, again while it was inconclusive (status 3:
# the call returned before it was ever seen blocked: the signal interrupted
# nothing).
one() {
	local name=$1 i
	shift
	for i in 1 2 3 4; do
		local rc=0
		timeout 60 "$@" > "$T/$name" 2>&1 || rc=$?
		echo "$rc" > "$T/$name.rc"
		[ "$rc" != 3 ] && return 0
	done
	return 0
}

# SCENARIO [COMMAND...]: TCP and sctpize (with the options SZ_OPTS), without
# and with SA_RESTART, at once (they mostly sleep); sets tcp_norestart,
# sctp_norestart, tcp_restart, sctp_restart.
compare() {
	local s=$1 m k
	shift
	for m in norestart restart; do
		one "tcp.$m" "$@" "$SIG" "$s" "$m" &
		one "sctp.$m" "$@" "$SCTPIZE" "${SZ_OPTS[@]}" -- "$SIG" "$s" "$m" &
	done
	wait
	for m in norestart restart; do
		for k in tcp sctp; do
			[ "$(cat "$T/$k.$m.rc")" = 0 ] || fail "$k $s $m: status $(cat "$T/$k.$m.rc"): $(cat "$T/$k.$m")"
			printf -v "${k}_$m" '%s' "$(cat "$T/$k.$m")"
		done
	done
	echo "# TCP:     $tcp_norestart | $tcp_restart" >&3
	echo "# sctpize: $sctp_norestart | $sctp_restart" >&3
}

same_as_tcp() {
	assert_equal "$sctp_norestart" "$tcp_norestart"
	assert_equal "$sctp_restart" "$tcp_restart"
}

# one_of WHO ANSWER ALLOWED...: ANSWER is one of the ALLOWED answers.
one_of() {
	local who=$1 got=$2 a
	shift 2
	for a in "$@"; do
		[ "$got" = "$a" ] && return 0
	done
	fail "$who: '$got'; expected one of: $(printf "'%s' " "$@")"
}

@test "accept(): EINTR without SA_RESTART; restarted with it, as on TCP" {
	compare accept
	assert_equal "$tcp_norestart" "accept norestart: -1 EINTR early signals=1"
	assert_equal "$tcp_restart" "accept restart: ok fd late signals=1"
	same_as_tcp
}

@test "accept() on a dual TCP+SCTP listener (--both): EINTR without SA_RESTART; restarted with it, as on TCP" {
	SZ_OPTS=(--both -v --log "$T/log")
	compare accept
	grep -q 'listens on TCP and SCTP' "$T/log" || fail "no dual listener: $(cat "$T/log")"
	assert_equal "$tcp_norestart" "accept norestart: -1 EINTR early signals=1"
	assert_equal "$tcp_restart" "accept restart: ok fd late signals=1"
	same_as_tcp
}

@test "read(): EINTR without SA_RESTART; restarted with it, as on TCP" {
	compare read
	assert_equal "$tcp_norestart" "read norestart: -1 EINTR early signals=1"
	assert_equal "$tcp_restart" "read restart: ok 10 late signals=1"
	same_as_tcp
}

@test "recv(): EINTR without SA_RESTART; restarted with it, as on TCP" {
	compare recv
	assert_equal "$tcp_norestart" "recv norestart: -1 EINTR early signals=1"
	assert_equal "$tcp_restart" "recv restart: ok 10 late signals=1"
	same_as_tcp
}

@test "recv(MSG_WAITALL) with nothing read yet: EINTR, or restarted, as on TCP" {
	compare recv-waitall
	assert_equal "$tcp_norestart" "recv-waitall norestart: -1 EINTR early signals=1"
	assert_equal "$tcp_restart" "recv-waitall restart: ok 1000 late signals=1"
	same_as_tcp
}

@test "recv(MSG_WAITALL) with some bytes read: their count at the signal, as on TCP, also with SA_RESTART" {
	compare recv-waitall-partial
	assert_equal "$tcp_norestart" "recv-waitall-partial norestart: ok 100 early signals=1"
	assert_equal "$tcp_restart" "recv-waitall-partial restart: ok 100 early signals=1"
	same_as_tcp
}

# A blocking write() or send() into a full buffer.  TCP itself answers in two
# ways, depending on whether the peer's kernel had freed some room, and the
# call moved some bytes, before the signal came (seen both under load): with
# nothing moved, EINTR (or, with SA_RESTART, all of it after the restart);
# with some bytes moved, their count at the signal, in both modes.  Either is
# TCP's answer, for TCP and for sctpize.
full_buffer() {
	local s=$1
	compare "$s"
	local norestart=("$s norestart: -1 EINTR early signals=1" "$s norestart: ok partial early signals=1")
	local restart=("$s restart: ok full late signals=1" "$s restart: ok partial early signals=1")
	one_of TCP "$tcp_norestart" "${norestart[@]}"
	one_of sctpize "$sctp_norestart" "${norestart[@]}"
	one_of TCP "$tcp_restart" "${restart[@]}"
	one_of sctpize "$sctp_restart" "${restart[@]}"
}

@test "a blocking write() into a full send buffer: EINTR, or restarted, as on TCP" {
	full_buffer write-full
}

@test "a blocking send() into a full send buffer: EINTR, or restarted, as on TCP" {
	full_buffer send-full
}

# (With the kernel's default buffers, --sndbuf 0 --rcvbuf 0, the same write
# is not interrupted either, and the pieces then crawl at about 200 KB/s on
# loopback: a 16 MiB write takes more than a minute; not run here.)
# A known difference (libsctpize(7), "TCP semantics"): with SA_RESTART the
# kernel restarts the send of the piece that was waiting, so sctpize finishes
# the whole write where TCP returns the count so far.  Both are complete
# answers to a blocking write; without SA_RESTART both return the count so far.
@test "a 64 MiB write the shim sends in pieces (sctpize's 4 MiB buffers): the count so far at a signal without SA_RESTART, as on TCP; all of it with SA_RESTART" {
	SZ_OPTS=(--stats --log "$T/log")
	BIG=67108864 compare write-large
	grep -q '[1-9][0-9]* writes split' "$T/log" || fail "the write was not split: $(cat "$T/log")"
	assert_equal "$tcp_norestart" "write-large norestart: ok partial early signals=1"
	assert_equal "$tcp_restart" "write-large restart: ok partial early signals=1"
	assert_equal "$sctp_norestart" "$tcp_norestart"
	assert_equal "$sctp_restart" "write-large restart: ok full late signals=1"
}

# A connect that takes a while: loopback delayed 400 ms each way by netem,
# in a network namespace of its own (TCP needs 800 ms, SCTP 1600 ms).
DELAYED=(unshare -n sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 400ms && exec "$@"' sh)

@test "connect(): EINTR without SA_RESTART and the connection goes on; restarted with it, as on TCP" {
	modprobe sch_netem 2>/dev/null
	"${DELAYED[@]}" true || fail "no network namespace with netem here"
	compare connect "${DELAYED[@]}"
	assert_equal "$tcp_norestart" "connect norestart: -1 EINTR signals=1 then: poll=POLLOUT so_error=0 connect=0 works=yes"
	assert_equal "$tcp_restart" "connect restart: ok 0 signals=1 works=yes"
	same_as_tcp
}
