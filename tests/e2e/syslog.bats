#!/usr/bin/env bats
# The library's log lines through syslog (SCTPIZE_LOG=syslog, or when fd 2
# is a socket) must never end up anywhere but the log.  libc keeps one
# /dev/log descriptor per process, opened at the first syslog() call; if the
# library's line is that first call, the program has a descriptor it never
# opened and does not know of.  A daemon that closes every descriptor it
# does not know (closefrom()) and then accepts a connection may get that
# very number back, while libc still believes it is its /dev/log socket:
# the next line would be sent into the connection.
#
# The guest's /dev is its own (tests/run): the test binds a datagram socket
# at /dev/log that records what it receives, and removes it afterwards.  On
# a kernel whose /dev/log exists already (a host with a syslog daemon), the
# server runs in a private mount namespace with the test's socket mounted
# over /dev/log instead.

load ../helpers/common

MSG="exactly this, and nothing else, from the server"

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# The receiver: each datagram one line of $T/syslog.
	cat > "$T/receiver.py" <<-'EOF'
		import os, socket, sys
		path, out = sys.argv[1], sys.argv[2]
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind(path)
		os.chmod(path, 0o666)
		with open(out, "ab", buffering=0) as f:
		    f.write(b"ready\n")
		    while True:
		        f.write(s.recv(65536).rstrip(b"\n") + b"\n")
	EOF
	if [ -e /dev/log ]; then
		LOGSOCK=$T/log.sock
		# shellcheck disable=SC2016
		PRIVATE=(unshare --mount --propagation private sh -c 'mount --bind "$0" /dev/log && exec "$@"' "$LOGSOCK")
	else
		LOGSOCK=/dev/log
		PRIVATE=()
		touch "$T/made-dev-log"
	fi
	bg python3 "$T/receiver.py" "$LOGSOCK" "$T/syslog"
	within 30 grep -qsx ready "$T/syslog" || fail "the syslog receiver did not start"
}

teardown() {
	teardown_bg
	[ ! -e "$T/made-dev-log" ] || rm -f /dev/log
}

# Poll up to SECONDS for CHECK ARGS...
within() {
	local s=$1 i
	shift
	for i in $(seq $((s * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

@test "syslog: a daemon's closefrom() and accept() reusing libc's /dev/log number: the client reads only what the server wrote; TCP control" {
	local port
	# The TCP control: the same server without the library.
	port=$(free_port)
	bg env SCTPIZE_LOG=syslog SCTPIZE_VERBOSE=1 "$HELPERS/e2e_syslog_reuse" "$port" "$MSG" 2> "$T/tcp.err"
	within 60 listening_tcp "$port" || fail "the control server does not listen: $(cat "$T/tcp.err")"
	run timeout 60 socat -u "TCP:127.0.0.1:$port" -
	assert_success
	assert_output "$MSG"

	port=$(free_port)
	bg env SCTPIZE_LOG=syslog SCTPIZE_VERBOSE=1 "${PRIVATE[@]}" "$SCTPIZE" "$HELPERS/e2e_syslog_reuse" \
		"$port" "$MSG" 2> "$T/sctp.err"
	within 60 listening_sctp "$port" || fail "the server does not listen on SCTP: $(cat "$T/sctp.err")"
	! listening_tcp "$port" || fail "the server listens on TCP"
	# The library logged the conversion through syslog, before closefrom().
	within 30 grep -q 'sctpize: .*socket(AF_INET, SOCK_STREAM) converted to SCTP' "$T/syslog" ||
		fail "no log line reached syslog: $(cat "$T/syslog")"
	run timeout 60 "$SCTPIZE" socat -u "TCP:127.0.0.1:$port" -
	[ "$output" = "$MSG" ] ||
		fail "the client read $(printf %s "$output" | wc -c) bytes, not the server's ${#MSG}: '$output' (server: $(cat "$T/sctp.err"))"
	assert_success
	# The accept was logged, and to syslog.
	within 30 grep -q 'sctpize: .*accepted an SCTP association' "$T/syslog" ||
		fail "the accept was not logged to syslog: $(cat "$T/syslog") (server: $(cat "$T/sctp.err"))"
}
