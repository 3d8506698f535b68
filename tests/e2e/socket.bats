#!/usr/bin/env bats
# socket() and accept() on a real SCTP stack: which sockets the shim converts
# (checked with SO_PROTOCOL), that the caller's SOCK_NONBLOCK/SOCK_CLOEXEC
# survive exactly, that everything else is left as the kernel makes it, and
# that SCTPIZE_NODELAY reaches created and accepted sockets.
#
# The probe is tests/helpers/e2e_socket.c, a plain TCP-style program.

load ../helpers/common

setup() {
	require_sctp
	PROBE=$HELPERS/e2e_socket
	[ -x "$PROBE" ] || fail "$PROBE is not built (make test-programs)"
}

# create FAMILY TYPE FLAGS PROTO under the shim, with a clean SCTPIZE_ environment.
shim_create() {
	env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" create "$@"
}

# The four flag combinations of one family and protocol all become SCTP with
# exactly the flags asked for (and no SCTP_NODELAY unless configured).
assert_converted() {
	local family=$1 proto=$2
	run shim_create "$family" stream none "$proto"
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=0 nodelay=0"
	run shim_create "$family" stream nonblock "$proto"
	assert_success
	assert_output "proto=132 nonblock=1 cloexec=0 nodelay=0"
	run shim_create "$family" stream cloexec "$proto"
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=1 nodelay=0"
	run shim_create "$family" stream nonblock,cloexec "$proto"
	assert_success
	assert_output "proto=132 nonblock=1 cloexec=1 nodelay=0"
}

# Without the shim the same socket is TCP: the conversion is the shim's doing.
assert_tcp_without_shim() {
	run "$PROBE" create "$1" stream nonblock,cloexec "$2"
	assert_success
	assert_output "proto=6 nonblock=1 cloexec=1"
}

# The shim leaves socket(ARGS) alone: the same result as without it.
assert_untouched() {
	local plain shimmed
	plain=$("$PROBE" create "$@")
	shimmed=$(shim_create "$@")
	[ "$shimmed" = "$plain" ] ||
		fail "socket($*): without the shim '$plain', with it '$shimmed'"
	echo "$shimmed"
}

@test "AF_INET, SOCK_STREAM, 0 becomes SCTP with the flags asked for" {
	assert_tcp_without_shim inet 0
	assert_converted inet 0
}

@test "AF_INET, SOCK_STREAM, IPPROTO_TCP becomes SCTP with the flags asked for" {
	assert_tcp_without_shim inet 6
	assert_converted inet 6
}

@test "AF_INET6, SOCK_STREAM, 0 becomes SCTP with the flags asked for" {
	assert_tcp_without_shim inet6 0
	assert_converted inet6 0
}

@test "AF_INET6, SOCK_STREAM, IPPROTO_TCP becomes SCTP with the flags asked for" {
	assert_tcp_without_shim inet6 6
	assert_converted inet6 6
}

@test "the sctpize wrapper converts as LD_PRELOAD does" {
	run "$SCTPIZE" "$PROBE" create inet6 stream nonblock,cloexec 6
	assert_success
	assert_output "proto=132 nonblock=1 cloexec=1 nodelay=0"
}

@test "an explicit IPPROTO_SCTP stream socket stays SCTP, flags intact" {
	run assert_untouched inet stream nonblock,cloexec 132
	assert_success
	assert_output "proto=132 nonblock=1 cloexec=1 nodelay=0"
	run assert_untouched inet6 stream cloexec 132
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=1 nodelay=0"
}

@test "AF_UNIX stream sockets are untouched" {
	run assert_untouched unix stream none 0
	assert_success
	assert_output "proto=0 nonblock=0 cloexec=0"
	run assert_untouched unix stream nonblock,cloexec 0
	assert_success
	assert_output "proto=0 nonblock=1 cloexec=1"
}

@test "UDP sockets are untouched" {
	run assert_untouched inet dgram none 0
	assert_success
	assert_output "proto=17 nonblock=0 cloexec=0"
	run assert_untouched inet6 dgram nonblock 17
	assert_success
	assert_output "proto=17 nonblock=1 cloexec=0"
}

@test "SOCK_SEQPACKET sockets are untouched (the kernel's own choice)" {
	# Linux itself makes an AF_INET SOCK_SEQPACKET socket with protocol 0 SCTP
	# (one-to-many style): the shim must not be involved either way.
	run assert_untouched inet seqpacket none 0
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=0 nodelay=0"
	run assert_untouched inet6 seqpacket cloexec 132
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=1 nodelay=0"
	run assert_untouched unix seqpacket none 0
	assert_success
	assert_output "proto=0 nonblock=0 cloexec=0"
}

@test "MPTCP (protocol 262) gets the kernel's answer, never SCTP" {
	run assert_untouched inet stream none 262
	assert_success
	refute_output --partial "proto=132"
	# This kernel either has MPTCP or refuses the protocol.
	assert_output --regexp '^(proto=262 nonblock=0 cloexec=0|error=EPROTONOSUPPORT)$'
	run assert_untouched inet6 stream nonblock 262
	assert_success
	refute_output --partial "proto=132"
}

@test "a stream socket with another protocol (UDP) fails as the kernel says" {
	run assert_untouched inet stream none 17
	assert_success
	assert_output "error=EPROTONOSUPPORT"
}

@test "raw sockets are untouched" {
	run "$PROBE" create inet raw none 6
	[[ $output == error=EPERM ]] && skip "raw sockets are not permitted here"
	run assert_untouched inet raw none 6
	assert_success
	assert_output "proto=6 nonblock=0 cloexec=0"
	run assert_untouched inet6 raw cloexec 6
	assert_success
	assert_output "proto=6 nonblock=0 cloexec=1"
}

@test "accept() on a converted listener gives a working SCTP socket" {
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair
	assert_success
	assert_line "listener proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "client proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "accepted proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "data=ok"
}

@test "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) on a converted IPv4 listener: SCTP with both flags" {
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair -4 nonblock,cloexec
	assert_success
	assert_line "listener proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "accepted proto=132 nonblock=1 cloexec=1 nodelay=0"
	assert_line "data=ok"
}

@test "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) on a converted IPv6 listener: SCTP with both flags" {
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair -6 -4 nonblock,cloexec
	assert_success
	assert_line "accepted proto=132 nonblock=1 cloexec=1 nodelay=0"
	assert_line "data=ok"
}

@test "accept4 with one flag or none gives exactly those flags" {
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair -4 cloexec
	assert_success
	assert_line "accepted proto=132 nonblock=0 cloexec=1 nodelay=0"
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair -4 nonblock
	assert_success
	assert_line "accepted proto=132 nonblock=1 cloexec=0 nodelay=0"
	run env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" pair -4 none
	assert_success
	assert_line "accepted proto=132 nonblock=0 cloexec=0 nodelay=0"
}

@test "SCTPIZE_NODELAY=1 sets SCTP_NODELAY on every created socket" {
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" create inet stream none 0
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=0 nodelay=1"
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" create inet6 stream nonblock,cloexec 6
	assert_success
	assert_output "proto=132 nonblock=1 cloexec=1 nodelay=1"
}

@test "SCTPIZE_NODELAY=1 does not touch sockets the shim did not convert" {
	# An explicit SCTP socket is the program's own: its options are its business.
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" create inet stream none 132
	assert_success
	assert_output "proto=132 nonblock=0 cloexec=0 nodelay=0"
}

@test "SCTPIZE_NODELAY=1 sets SCTP_NODELAY on accepted sockets (accept)" {
	# -c clears SCTP_NODELAY on the listener, so the accepted socket cannot
	# simply inherit it: only the accept hook can have set it.
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" pair -c
	assert_success
	assert_line "listener proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "client proto=132 nonblock=0 cloexec=0 nodelay=1"
	assert_line "accepted proto=132 nonblock=0 cloexec=0 nodelay=1"
	assert_line "data=ok"
}

@test "SCTPIZE_NODELAY=1 sets SCTP_NODELAY on accepted sockets (accept4)" {
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" pair -6 -c -4 nonblock,cloexec
	assert_success
	assert_line "listener proto=132 nonblock=0 cloexec=0 nodelay=0"
	assert_line "accepted proto=132 nonblock=1 cloexec=1 nodelay=1"
	assert_line "data=ok"
}

@test "sctpize --nodelay sets SCTP_NODELAY on created and accepted sockets" {
	run "$SCTPIZE" --nodelay "$PROBE" pair -c
	assert_success
	assert_line "client proto=132 nonblock=0 cloexec=0 nodelay=1"
	assert_line "accepted proto=132 nonblock=0 cloexec=0 nodelay=1"
}

@test "accept and socket keep errno on success" {
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" pair -4 nonblock
	assert_success
	refute_output --partial errno-changed
	run env SCTPIZE_NODELAY=1 LD_PRELOAD="$LIB" "$PROBE" create inet stream none 0
	assert_success
	refute_output --partial errno-changed
}

@test "/proc/net/sctp/assocs shows the association, and no TCP is involved" {
	local out=$BATS_TEST_TMPDIR/pair.out port
	bg env LD_PRELOAD="$LIB" "$PROBE" pair -h > "$out"
	wait_for grep -qx ready "$out" || fail "the pair never came up: $(cat "$out")"
	port=$(sed -n 's/^port=//p' "$out")
	[ -n "$port" ] || fail "no port in: $(cat "$out")"
	run listening_sctp "$port"
	assert_success
	run listening_tcp "$port"
	assert_failure
	# Both ends are on this kernel: one association each way.
	run sctp_assocs "$port"
	assert_output 2
	# teardown_bg's last kill or wait may "fail" (the process is gone): not ours to judge.
	teardown_bg || true
	# (The count is read again at each look: the associations take a moment to go.)
	no_assocs() { [ "$(sctp_assocs "$1")" = 0 ]; }
	wait_for no_assocs "$port" || fail "associations on port $port outlived the program"
}
