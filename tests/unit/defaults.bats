#!/usr/bin/env bats
# The TCP-like defaults every converted socket gets (shim/core/defaults.c, shim/preload/tune.c, fdstate.c):
# buffers, delayed SACK, the connect timeout as an INIT schedule, and the
# half-close announcement (SCTPIZE_HALF_CLOSE=1 only); each off with 0, and
# what reaches libc for them.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT SCTPIZE_HALF_CLOSE
}

# SOL_SOCKET SO_SNDBUFFORCE 32, SO_RCVBUFFORCE 33, SO_SNDBUF 7, SO_RCVBUF 8; level SCTP (132):
# SCTP_INITMSG 2, SCTP_ADAPTATION_LAYER 7, SCTP_DELAYED_SACK 16, SCTP_RECVRCVINFO 32,
# SCTP_EVENT 127.

@test "by default a converted socket gets TCP's buffers, delayed SACK and connect timeout, and announces nothing" {
	shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	# As root the buffers are forced past net.core.[rw]mem_max.
	assert_line --regexp '^setsockopt [0-9]+ 1 32 4 v=4194304 = 0$'
	assert_line --regexp '^setsockopt [0-9]+ 1 33 4 v=4194304 = 0$'
	assert_line --regexp '^setsockopt [0-9]+ 132 16 12 = 0$'
	# 127 s: INIT waits of 3, 6, 12, 24, 41, 41 s; the kernel resends it 5 times.
	assert_line --regexp '^setsockopt [0-9]+ 132 2 8 max_attempts=5 ostreams=0 instreams=0 = 0$'
	# Half-close is opt-in: no subscription, no announcement, nothing in the stream.
	refute_line --regexp '^setsockopt [0-9]+ 132 (127|7|32) '
	assert_equal "${#lines[@]}" 4
}

@test "SCTPIZE_HALF_CLOSE=1: the socket subscribes to the peer's announcement, asks for each message's stream, then announces" {
	SCTPIZE_HALF_CLOSE=1 shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt [0-9]* 132 \(127\|32\|7\) ' "$LOG"
	# SCTP_EVENT (127), SCTP_RECVRCVINFO (32), then SCTP_ADAPTATION_LAYER (7) last:
	# "SZC" and the state byte, an SCTP socket of ours (1), the peer's answer pending (2).
	assert_line --index 0 --regexp '^setsockopt [0-9]+ 132 127 8 = 0$'
	assert_line --index 1 --regexp '^setsockopt [0-9]+ 132 32 4 v=1 = 0$'
	assert_line --index 2 --regexp "^setsockopt [0-9]+ 132 7 4 v=$((0x535a4303)) = 0\$"
	assert_equal "${#lines[@]}" 3
}

@test "each default is off with 0, and then nothing reaches libc for it" {
	SCTPIZE_SNDBUF=0 SCTPIZE_RCVBUF=0 SCTPIZE_SACK_DELAY=0 SCTPIZE_CONNECT_TIMEOUT=0 \
		SCTPIZE_HALF_CLOSE=0 shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	assert_output ""
	: > "$LOG"
	SCTPIZE_SNDBUF=65536 SCTPIZE_RCVBUF=0 SCTPIZE_SACK_DELAY=0 SCTPIZE_CONNECT_TIMEOUT=0 \
		SCTPIZE_HALF_CLOSE=0 shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	assert_output --regexp '^setsockopt [0-9]+ 1 32 4 v=65536 = 0$'
}

@test "the connect timeout becomes an INIT schedule; a short one still waits the initial RTO once" {
	local t want
	for t in "30 3" "600 13" "4 1" "1 1"; do
		set -- $t
		: > "$LOG"
		SCTPIZE_CONNECT_TIMEOUT=$1 shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
		want="max_attempts=$2 "
		run grep -c " 132 2 8 $want" "$LOG"
		assert_output 1
	done
	: > "$LOG"
	SCTPIZE_CONNECT_TIMEOUT=127 SCTPIZE_RTO_INITIAL=300 shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep -c " 132 2 8 max_attempts=8 " "$LOG"
	assert_output 1
}

@test "bad values of the defaults are refused with the setting named" {
	local bad
	for bad in SCTPIZE_SNDBUF=1000 SCTPIZE_RCVBUF=2000000000 SCTPIZE_SACK_DELAY=501 \
		SCTPIZE_CONNECT_TIMEOUT=-1 SCTPIZE_HALF_CLOSE=yes SCTPIZE_SNDBUF=; do
		run env "$bad" "$B/sctpize-helper" validate
		assert_failure
		assert_output --partial "${bad%%=*}: '${bad#*=}'"
	done
}

@test "sockets not converted get none of it" {
	shimmed "$HELPERS/unit_socket" AF_INET SOCK_DGRAM 0
	shimmed "$HELPERS/unit_socket" AF_UNIX SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	assert_output ""
}
