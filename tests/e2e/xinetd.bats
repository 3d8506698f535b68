#!/usr/bin/env bats
# The seed article's scenario: "withsctp xinetd", then "withsctp telnet host 13".
# An unmodified xinetd, wrapped, serves its internal stream services (daytime,
# echo, chargen, discard) on SCTP; a wrapped telnet and native SCTP clients
# nobody here wrote (socat's SCTP-CONNECT) talk to them.
#
# One xinetd serves the whole file: it is started in setup_file from a private
# configuration in $BATS_FILE_TMPDIR, in the foreground (-dontfork) in its own
# process group, and teardown_file kills that group (xinetd and the children
# it forks per connection).

load ../helpers/common

setup_file() {
	# require_sctp skips or fails each test in setup; without SCTP start nothing.
	"$B/sctpize-helper" probe 2>/dev/null || return 0
	local d=$BATS_FILE_TMPDIR svc p used=" "
	for svc in daytime echo chargen discard; do
		until p=$(free_port) && [[ $used != *" $p "* ]]; do :; done
		used="$used$p "
		printf -v "PORT_${svc^^}" %s "$p"
		export "PORT_${svc^^}"
	done
	{
		printf 'defaults\n{\n\tlog_type = FILE %s/xinetd.log\n' "$d"
		printf '\tlog_on_success = PID HOST EXIT\n\tlog_on_failure = HOST\n}\n'
		for svc in daytime echo chargen discard; do
			p=PORT_${svc^^}
			# UNLISTED: the port is ours, not /etc/services'; the service name
			# chooses xinetd's built-in implementation.
			printf 'service %s\n{\n\ttype = INTERNAL UNLISTED\n\tid = %s-stream\n' "$svc" "$svc"
			printf '\tsocket_type = stream\n\tprotocol = tcp\n\twait = no\n\tuser = root\n'
			printf '\tbind = 127.0.0.1\n\tport = %s\n}\n' "${!p}"
		done
	} > "$d/xinetd.conf"
	setsid "$SCTPIZE" -v --log "$d/sctpize.log" xinetd -dontfork -f "$d/xinetd.conf" -pidfile "$d/xinetd.pid" \
		> "$d/xinetd.out" 2>&1 < /dev/null &
	echo $! > "$d/xinetd.pgid"
	for p in "$PORT_DAYTIME" "$PORT_ECHO" "$PORT_CHARGEN" "$PORT_DISCARD"; do
		wait_for listening_sctp "$p" || break
	done
}

teardown_file() {
	local pgid
	[ -f "$BATS_FILE_TMPDIR/xinetd.pgid" ] || return 0
	pgid=$(cat "$BATS_FILE_TMPDIR/xinetd.pgid")
	kill -TERM -- "-$pgid" 2>/dev/null
	sleep 0.3
	kill -KILL -- "-$pgid" 2>/dev/null
	wait "$pgid" 2>/dev/null
	rm -f "$BATS_FILE_TMPDIR/xinetd.pgid"
}

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# xinetd must still be the one setup_file started (it wrote its pid file).
	[ -s "$BATS_FILE_TMPDIR/xinetd.pid" ] && kill -0 "$(cat "$BATS_FILE_TMPDIR/xinetd.pid")" ||
		fail "xinetd is not running: $(cat "$BATS_FILE_TMPDIR/xinetd.out" 2>/dev/null)"
}

# A counter of the kernel's SCTP MIB (/proc/net/sctp/snmp).
sctp_mib() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/net/sctp/snmp
}

# The LADDRS of the endpoint listening on PORT (/proc/net/sctp/eps, fields 9-).
eps_laddrs() {
	awk -v p="$1" 'NR > 1 && $6 == p { s = ""; for (i = 9; i <= NF; i++) s = s (s ? " " : "") $i; print s }' \
		/proc/net/sctp/eps
}

# Today's date as xinetd's daytime writes it ("24 NOV 2026 ..."), upper case.
today() {
	date '+%d %b %Y' | tr '[:lower:]' '[:upper:]'
}

# Wait for FILE to hold at least N bytes, a minute at most (exported for bash -c).
until_size() {
	local end=$((SECONDS + 60))
	until [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
export -f until_size

@test "xinetd: the four internal services listen on SCTP, on 127.0.0.1 only, and not on TCP" {
	local p
	for p in "$PORT_DAYTIME" "$PORT_ECHO" "$PORT_CHARGEN" "$PORT_DISCARD"; do
		run listening_sctp "$p"
		assert_success
		run eps_laddrs "$p"
		assert_output 127.0.0.1
		run listening_tcp "$p"
		assert_failure
	done
	# The library converted exactly xinetd's four listening sockets.
	run grep -c 'xinetd: fd [0-9]*: socket(AF_INET, SOCK_STREAM) converted to SCTP' \
		"$BATS_FILE_TMPDIR/sctpize.log"
	assert_output 4
}

@test "xinetd: a wrapped telnet reads daytime, over an SCTP association" {
	local before_active before_passive d1 d2
	before_active=$(sctp_mib SctpActiveEstabs)
	before_passive=$(sctp_mib SctpPassiveEstabs)
	d1=$(today)
	# telnet quits on stdin EOF: its stdin stays open until the date arrived.
	telnet_to "$PORT_DAYTIME" "$T/telnet" || fail "telnet exited $?: $(cat "$T/telnet")"
	d2=$(today)
	run tr -d '\r' < "$T/telnet"
	assert_line "Connected to 127.0.0.1."
	assert_line --regexp "^($d1|$d2) [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+$"
	assert_line "Connection closed by foreign host."
	# The kernel counted one SCTP association opened by telnet (active) and
	# one accepted by xinetd (passive): the bytes did not come over TCP.
	[ "$(sctp_mib SctpActiveEstabs)" -eq $((before_active + 1)) ] ||
		fail "SctpActiveEstabs: $before_active before, $(sctp_mib SctpActiveEstabs) after"
	[ "$(sctp_mib SctpPassiveEstabs)" -eq $((before_passive + 1)) ] ||
		fail "SctpPassiveEstabs: $before_passive before, $(sctp_mib SctpPassiveEstabs) after"
	run grep -F "START: daytime-stream" "$BATS_FILE_TMPDIR/xinetd.log"
	assert_success
}

@test "xinetd: socat's native SCTP client reads daytime: one line, CRLF, today's date" {
	local d1 d2
	d1=$(today)
	timeout 120 socat -u "SCTP-CONNECT:127.0.0.1:$PORT_DAYTIME" - > "$T/daytime"
	d2=$(today)
	run od -An -c "$T/daytime"
	assert_output --regexp '\\r +\\n$'
	run tr -d '\r' < "$T/daytime"
	assert_output --regexp "^($d1|$d2) [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+$"
	[ "${#lines[@]}" -eq 1 ]
}

@test "xinetd: echo returns 10 KiB of random bytes intact to socat over SCTP" {
	head -c 10240 /dev/urandom > "$T/sent"
	: > "$T/back"
	# Keep socat's stdin open until everything came back: SCTP has no
	# half-close, so an early EOF would end the association for both ways.
	run timeout 120 bash -c "{ cat '$T/sent'; until_size '$T/back' 10240; } |
		socat - SCTP-CONNECT:127.0.0.1:$PORT_ECHO > '$T/back'"
	assert_success
	run sha256sum < "$T/back"
	assert_output "$(sha256sum < "$T/sent")"
}

@test "xinetd: echo keeps 64 KiB written in uneven pieces in order (python, IPPROTO_SCTP)" {
	run timeout 120 python3 - "$PORT_ECHO" <<'PY'
import hashlib, os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
s.settimeout(100)
s.connect(("127.0.0.1", int(sys.argv[1])))
data = os.urandom(65536)
back = bytearray()
i = 0
sizes = [1, 7, 1000, 3, 4096, 1460, 65536]
k = 0
while i < len(data):
    n = sizes[k % len(sizes)]; k += 1
    s.sendall(data[i:i + n]); i += n
    while len(back) < i - 8192:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("echo closed after %d bytes" % len(back))
        back += chunk
while len(back) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    back += chunk
s.close()
print(len(back), hashlib.sha256(back).hexdigest() == hashlib.sha256(data).hexdigest())
PY
	assert_success
	assert_output "65536 True"
}

@test "xinetd: chargen's first 20000 bytes over SCTP follow xinetd's 72-column pattern" {
	run bash -c "timeout 120 socat -u SCTP-CONNECT:127.0.0.1:$PORT_CHARGEN - 2>/dev/null |
		head -c 20000 > '$T/chargen'"
	run python3 - "$T/chargen" <<'PY'
import sys
# xinetd's chargen: lines of 72 characters from the ring '!'..'}' (93
# characters), line i starting at ring[(i % 95) % 93], each ended by CRLF
# (measured against xinetd 2.3.15 over TCP).
ring = bytes(range(ord("!"), ord("}") + 1))
want = bytearray()
i = 0
while len(want) < 20000:
    k = (i % 95) % 93
    want += (ring + ring)[k:k + 72] + b"\r\n"
    i += 1
got = open(sys.argv[1], "rb").read()
if got == want[:20000]:
    print("pattern ok")
else:
    bad = next((n for n in range(min(len(got), 20000)) if got[n] != want[n]), min(len(got), 20000))
    print("got %d bytes, first difference at byte %d: %r" % (len(got), bad, got[bad:bad + 20]))
PY
	assert_output "pattern ok"
}

@test "xinetd: discard swallows 1 MiB sent by socat, answers nothing, ends the association cleanly" {
	local aborted shutdowns
	aborted=$(sctp_mib SctpAborteds)
	shutdowns=$(sctp_mib SctpShutdowns)
	# 1 MiB is more than the send and receive buffers together (2 x 208 KiB):
	# socat can only finish if discard really reads.
	head -c 1048576 /dev/zero > "$T/sink"
	run timeout 300 socat - "SCTP-CONNECT:127.0.0.1:$PORT_DISCARD" < "$T/sink"
	assert_success
	assert_output ""
	[ "$(sctp_mib SctpAborteds)" -eq "$aborted" ] ||
		fail "the association was aborted ($aborted -> $(sctp_mib SctpAborteds))"
	[ "$(sctp_mib SctpShutdowns)" -gt "$shutdowns" ] || fail "no SCTP SHUTDOWN was counted"
	run grep -F "START: discard-stream" "$BATS_FILE_TMPDIR/xinetd.log"
	assert_success
}
