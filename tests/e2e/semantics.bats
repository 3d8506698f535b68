#!/usr/bin/env bats
# Where SCTP behaves unlike TCP and the shim bridges it (libsctpize(7),
# "TCP semantics"): half-close between two ends that opted in
# (SCTPIZE_HALF_CLOSE=1), SCTP's own shutdown otherwise, never a byte to a
# native peer, shutdown() of a listener, the TCP-like defaults (buffers,
# delayed SACK, connect timeout), SIOCATMARK/SIOCOUTQ and MSG_OOB.
# Programs: tests/helpers/e2e_semantics.py (plain TCP code), nc, socat.

load ../helpers/common

PY=/usr/bin/python3
SEM=$TOP/tests/helpers/e2e_semantics.py

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	port=$(free_port)
}

@test "half-close between two sctpize --half-close ends: the reply arrives, then end of file" {
	export SCTPIZE_HALF_CLOSE=1
	bg "$SCTPIZE" "$PY" "$SEM" server "$port"
	wait_for listening_sctp "$port" || fail "the server does not listen on SCTP"
	refute listening_tcp "$port"
	run timeout 20 "$SCTPIZE" "$PY" "$SEM" client "$port" "hello, half-closed world"
	assert_success
	want=$(printf 'hello, half-closed world' | sha256sum | cut -d' ' -f1)
	assert_line "got 24 bytes sha256 $want"
	# End of file stays end of file; a write after shutdown(SHUT_WR) is EPIPE, as on TCP.
	assert_line "eof-again 0"
	assert_line "write-after: EPIPE"
}

@test "half-close with 4 MiB before it: every byte is counted before end of file" {
	export SCTPIZE_HALF_CLOSE=1
	head -c 4194304 /dev/urandom > "$T/data"
	bg "$SCTPIZE" "$PY" "$SEM" server "$port"
	wait_for listening_sctp "$port"
	run timeout 60 "$SCTPIZE" nc -N 127.0.0.1 "$port" < "$T/data"
	assert_success
	assert_output "got 4194304 bytes sha256 $(sha256sum < "$T/data" | cut -d' ' -f1)"
}

@test "a blocking writer of 64 MiB in 1 MiB writes finishes, every byte in order" {
	export SCTPIZE_HALF_CLOSE=1	# (socat half-closes, then waits for the reply)
	head -c 67108864 /dev/urandom > "$T/data"
	bg "$SCTPIZE" "$PY" "$SEM" server "$port"
	wait_for listening_sctp "$port"
	run timeout 120 "$SCTPIZE" socat -b 1048576 -t 30 - "TCP:127.0.0.1:$port" < "$T/data"
	assert_success
	assert_output "got 67108864 bytes sha256 $(sha256sum < "$T/data" | cut -d' ' -f1)"
	rm -f "$T/data"
}

@test "half-close: nc -N and socat as clients, socat as the server" {
	export SCTPIZE_HALF_CLOSE=1
	# (-t 10 on both: socat waits that long for the other way after a half-close; its
	# default, 0.5 s, is less than a loaded machine takes to start wc)
	bg "$SCTPIZE" socat -t 10 "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'wc -c; echo done'
	wait_for listening_sctp "$port"
	run timeout 20 "$SCTPIZE" nc -N 127.0.0.1 "$port" <<< "twelve bytes"
	assert_success
	assert_output "13
done"
	# (-t 10: socat waits that long for the reply after its half-close; its default is 0.5 s)
	run timeout 20 "$SCTPIZE" socat -t 10 - "TCP:127.0.0.1:$port" <<< "via socat"
	assert_success
	assert_output "10
done"
}

@test "half-close reaches a program exec()ed on the socket, as inetd does (state kept across exec)" {
	export SCTPIZE_HALF_CLOSE=1
	bg "$SCTPIZE" "$PY" "$SEM" exec-server "$port" 'wc -c; echo after-eof'
	wait_for listening_sctp "$port"
	run timeout 20 "$SCTPIZE" nc -N 127.0.0.1 "$port" <<< "through inetd"
	assert_success
	assert_output "14
after-eof"
}

@test "without --half-close, shutdown(SHUT_WR) is SCTP's: every byte, then end of file; the reply is refused" {
	bg "$SCTPIZE" socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
		SYSTEM:"wc -c >> '$T/counts'; echo reply"
	wait_for listening_sctp "$port" || fail "the server does not listen on SCTP"
	head -c 1048576 /dev/urandom > "$T/data"
	run timeout 20 "$SCTPIZE" nc -N 127.0.0.1 "$port" < "$T/data"
	# The server counted every byte before end of file; its reply after it has
	# nowhere to go (SCTP's shutdown ends both ways), so nc prints nothing.
	refute_output --partial "reply"
	wait_for grep -q . "$T/counts"
	# The same between a --half-close end and one without: nothing is negotiated.
	run timeout 20 env SCTPIZE_HALF_CLOSE=1 "$SCTPIZE" nc -N 127.0.0.1 "$port" < "$T/data"
	refute_output --partial "reply"
	wait_for eval '[ "$(wc -l < "$T/counts")" = 2 ]'
	run cat "$T/counts"
	assert_output $'1048576\n1048576'
}

@test "a native SCTP peer never receives a byte the program did not write" {
	export SCTPIZE_HALF_CLOSE=1
	bg sh -c "'$PY' '$SEM' native-server '$port' > '$T/native'"
	wait_for listening_sctp "$port"
	run timeout 20 "$SCTPIZE" "$PY" "$SEM" client "$port" "only this"
	# Against a native peer shutdown(SHUT_WR) is SCTP's: the association ends,
	# the reply is refused at its sender; nothing is silently accepted and lost.
	refute_output --partial "reply"
	wait_for grep -q '^reply' "$T/native"
	run cat "$T/native"
	assert_line "received $(printf 'only this' | od -An -tx1 | tr -d ' \n')"
	refute_line "reply sent"
}

@test "shutdown() of a listener wakes the thread blocked in accept() with EINVAL" {
	run timeout 120 "$SCTPIZE" "$PY" "$SEM" accept-wake "$port"
	assert_success
	# (The seconds from the shutdown to the wake: a figure; never woken is a failure.)
	assert_output --regexp '^woken: EINVAL [0-9]+\.[0-9]$'
	echo "# $output s after the shutdown" >&3
	refute listening_sctp "$port"
}

@test "TCP-like defaults on converted and accepted sockets: buffers, delayed SACK, connect timeout" {
	run timeout 120 "$SCTPIZE" "$PY" "$SEM" options "$port"
	assert_success
	assert_line "proto 132"
	# As root the buffers are forced (the kernel doubles what it is given);
	# 5 INITs after 3, 6, 12, 24, 41 and 41 s: 127 s, TCP's connect timeout.
	assert_line "client sack_delay=40 sndbuf=8388608 rcvbuf=8388608 init_attempts=5 init_max_timeo=41000"
	assert_line --regexp '^accepted sack_delay=40 sndbuf=8388608 rcvbuf=8388608 '
	run timeout 120 "$SCTPIZE" --sack-delay 0 --sndbuf 0 --rcvbuf=65536 --connect-timeout 0 \
		"$PY" "$SEM" options "$port"
	assert_success
	assert_line "client sack_delay=200 sndbuf=212992 rcvbuf=131072 init_attempts=8 init_max_timeo=60000"
}

@test "--connect-timeout 4: a connect to a silent address fails with ETIMEDOUT after about 4 s" {
	# A private network namespace whose only route leads into a dummy device.
	run timeout 60 unshare -n sh -c "
		ip link set lo up && ip link add d0 type dummy && ip link set d0 up &&
		ip addr add 10.77.0.1/24 dev d0 &&
		'$SCTPIZE' --connect-timeout 4 '$PY' '$SEM' connect-timeout 10.77.0.2"
	assert_success
	# About 4 s: at least 3, and on a loaded machine (late timers) up to three
	# times that; without the option it would be TCP's 127 s.
	assert_output --regexp '^ETIMEDOUT ([3-9]|1[0-2])$'
	echo "# --connect-timeout 4: $output s" >&3
}

@test "sendfile() of 16 MiB arrives intact in large reads, not a 4 KiB message per page" {
	head -c 16777216 /dev/urandom > "$T/file"
	bg "$SCTPIZE" "$PY" "$SEM" sendfile-server "$port" "$T/file"
	wait_for listening_sctp "$port"
	run timeout 60 "$SCTPIZE" "$PY" "$SEM" count-client "$port"
	assert_success
	assert_output --regexp "^bytes 16777216 reads [0-9]+ sha256 $(sha256sum < "$T/file" | cut -d' ' -f1)\$"
	local reads
	reads=$(awk '{ print $4 }' <<< "$output")
	echo "# 16 MiB by sendfile: $reads reads" >&3
	[ "$reads" -le 1024 ] || fail "$reads reads: the pages still travel as messages of their own"
}

@test "MSG_OOB travels inline; SIOCATMARK answers 0 and SIOCOUTQ 0 once all is acknowledged" {
	run timeout 120 "$SCTPIZE" "$PY" "$SEM" oob "$port"
	assert_success
	assert_line "inline ab!cd"
	assert_line "atmark 0"
	assert_line "outq 0"
}

@test "what stays as SCTP does it, as documented: FIONREAD, reads not merged, MSG_PEEK, SO_ZEROCOPY, MSG_MORE" {
	run timeout 120 "$SCTPIZE" "$PY" "$SEM" differences "$port"
	assert_success
	# 100 writes of 10 bytes: FIONREAD and a peek see the next message only;
	# each read returns one message.
	assert_line "fionread 10"
	assert_line "peek 10"
	assert_line "reads 100"
	assert_line "zerocopy ENOTSUP"	# (EOPNOTSUPP: the same number on Linux)
	assert_line "more 3 4"
	# Nagle with 40 ms delayed SACK: write-write-read in tens of ms, not the
	# ~400 ms of SCTP's 200 ms default (a figure for the log, not asserted).
	echo "# $(grep nagle <<< "$output")" >&3
	run timeout 60 "$SCTPIZE" --sack-delay 0 "$PY" "$SEM" differences "$port"
	echo "# with the kernel's 200 ms: $(grep nagle <<< "$output")" >&3
}
