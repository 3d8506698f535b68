#!/usr/bin/env bats
# Writes that SCTP refuses as one message (larger than the send buffer, or
# empty), and MSG_WAITALL reads, through shim/preload/write.c: the program sees
# TCP's behaviour and every byte arrives.  Programs: socat, and Python's
# socket module (tests/helpers/e2e_stream.py), both unmodified TCP code.

load ../helpers/common

PY=/usr/bin/python3
STREAM=$TOP/tests/helpers/e2e_stream.py

setup() {
	require_sctp
	# The kernel's buffers (212992 bytes), not sctpize's 4 MiB default: the
	# writes below are larger than them, so the kernel refuses them as one
	# message and the shim's pieces are what is tested.
	export SCTPIZE_SNDBUF=0 SCTPIZE_RCVBUF=0
	T=$BATS_TEST_TMPDIR
	port=$(free_port)
}

no_assocs() {
	[ "$(sctp_assocs "$1")" -eq 0 ]
}

# A wrapped receiver on $port writing to $T/got; then the wrapped sender "$@".
transfer() {
	bg "$SCTPIZE" "$PY" "$STREAM" serve "$port" "$T/got"
	wait_for listening_sctp "$port" || fail "the receiver does not listen on SCTP"
	run timeout 120 "$SCTPIZE" "$PY" "$STREAM" send "$port" "$@"
	assert_success
	assert_output --partial "proto=132 "
	wait_for no_assocs "$port" || fail "the association did not end"
	wait_for test -s "$T/got"
	[ "$(sha256sum < "$T/got" | cut -d' ' -f1)" = "$(sed -n 's/.*sha256=\([0-9a-f]*\).*/\1/p' <<< "$output")" ] ||
		fail "the bytes that arrived differ from those sent ($(stat -c %s "$T/got") bytes arrived)"
}

@test "a single write() of 1 MiB from socat arrives whole (kernel SCTP alone: EMSGSIZE)" {
	head -c 1048576 /dev/urandom > "$T/big"
	bg socat -u "SCTP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "CREATE:$T/big.got"
	wait_for listening_sctp "$port"
	run timeout 120 "$SCTPIZE" socat -b 1048576 -u "FILE:$T/big" "TCP:127.0.0.1:$port"
	assert_success
	wait_for no_assocs "$port"
	run sha256sum < "$T/big.got"
	assert_output "$(sha256sum < "$T/big")"
}

@test "one blocking send() of 2 MiB sends every byte" {
	transfer sendall 2097152
}

@test "one blocking write() and one writev() of 1 MiB write every byte" {
	transfer write 1048576
	rm -f "$T/got"
	port=$(free_port)
	transfer writev 1048576
}

@test "a non-blocking writer makes progress with short writes, and nothing is lost" {
	transfer nonblock 3145728
	local sends eagain
	sends=$(sed -n 's/.* sends=\([0-9]*\).*/\1/p' <<< "$output")
	eagain=$(sed -n 's/.* eagain=\([0-9]*\).*/\1/p' <<< "$output")
	echo "# non-blocking 3 MiB: $sends send() calls, $eagain of them EAGAIN" >&3
	[ "$sends" -gt 1 ] || fail "one send() took 3 MiB at once on a non-blocking socket"
}

@test "an empty write() or send() returns 0, as on TCP, and the stream goes on" {
	transfer empty 1000
}

@test "recv(MSG_WAITALL) waits for the whole length across SCTP messages" {
	bg "$SCTPIZE" "$PY" "$STREAM" dribble "$port" 3000 3
	wait_for listening_sctp "$port"
	run timeout 120 "$SCTPIZE" "$PY" "$STREAM" waitall "$port" 3000
	assert_success
	assert_output "proto=132 got=3000"
}

@test "connect() again after a non-blocking connect completed returns 0, as on TCP" {
	bg "$SCTPIZE" "$PY" "$STREAM" serve "$port" "$T/got"
	wait_for listening_sctp "$port"
	run timeout 120 "$SCTPIZE" "$PY" -c '
import errno, select, socket, sys
s = socket.socket(); s.setblocking(False)
first = s.connect_ex(("127.0.0.1", int(sys.argv[1])))
select.select([], [s], [], 10)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL), errno.errorcode.get(first, first),
      s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), s.connect_ex(("127.0.0.1", int(sys.argv[1]))))
' "$port"
	assert_success
	assert_output "132 EINPROGRESS 0 0"
}
