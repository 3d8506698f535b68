#!/usr/bin/env bats
# Operators' recipes with real programs (sctpize(1) EXAMPLES, sctpize.conf(5)):
#   - xinetd with only some of its services on SCTP (port rules in a config file),
#     one service on both protocols, the others left on TCP;
#   - the whole xinetd under the environment "sctpize enable xinetd" writes into
#     a systemd drop-in (run here with that environment: no systemd in the kernel);
#   - --stats: the one-line summary at exit and on a signal.

load ../helpers/common

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	export SCTPIZE_CONFIG=/dev/null
}

teardown() {
	teardown_bg
}

# Four of xinetd's internal stream services on private ports, in $T/xinetd.conf.
xinetd_conf() {
	local svc p used=" "
	for svc in daytime echo chargen discard; do
		until p=$(free_port) && [[ $used != *" $p "* ]]; do :; done
		used="$used$p "
		printf -v "PORT_${svc^^}" %s "$p"
	done
	{
		printf 'defaults\n{\n\tlog_type = FILE %s/xinetd.log\n\tlog_on_success = PID HOST\n}\n' "$T"
		for svc in daytime echo chargen discard; do
			p=PORT_${svc^^}
			printf 'service %s\n{\n\ttype = INTERNAL UNLISTED\n\tid = %s-stream\n' "$svc" "$svc"
			printf '\tsocket_type = stream\n\tprotocol = tcp\n\twait = no\n\tuser = root\n'
			printf '\tbind = 127.0.0.1\n\tport = %s\n}\n' "${!p}"
		done
	} > "$T/xinetd.conf"
}

# Today's date as xinetd's daytime writes it, upper case.
today() {
	date '+%d %b %Y' | tr '[:lower:]' '[:upper:]'
}

# A plain (unwrapped) TCP client: send ARG, print what comes back until the
# server closes, 200 bytes have come or nothing came for 5 s.
tcp_client() {
	python3 - "$@" <<'PY'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
c.settimeout(5)
assert c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == socket.IPPROTO_TCP
if len(sys.argv) > 2:
    c.sendall(sys.argv[2].encode())
data = b""
try:
    while len(data) < 200:
        b = c.recv(200)
        if not b:
            break
        data += b
except socket.timeout:
    pass
print(data[:72].decode(errors="replace").strip())
PY
}

@test "xinetd, one service at a time: a config file puts daytime and echo on SCTP, discard on both, chargen stays TCP" {
	xinetd_conf
	cat > "$T/sctpize.conf" <<-EOF
	# Only these services move to SCTP; the rest of xinetd stays as it was.
	sctp server port $PORT_DAYTIME,$PORT_ECHO
	both server port $PORT_DISCARD   # TCP and SCTP clients on one port
	default tcp
	EOF
	run "$SCTPIZE" explain --config "$T/sctpize.conf" server 127.0.0.1 "$PORT_CHARGEN" -- xinetd
	assert_success
	assert_line --partial "no rule matches: the default -> tcp"
	bg "$SCTPIZE" --config "$T/sctpize.conf" -v --log "$T/sctpize.log" \
		xinetd -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid"
	wait_for listening_sctp "$PORT_DAYTIME"
	wait_for listening_tcp "$PORT_CHARGEN"
	wait_for listening_sctp "$PORT_DISCARD"
	run listening_sctp "$PORT_ECHO"
	assert_success
	run listening_tcp "$PORT_DAYTIME"
	assert_failure
	run listening_tcp "$PORT_ECHO"
	assert_failure
	run listening_sctp "$PORT_CHARGEN"
	assert_failure
	run listening_tcp "$PORT_DISCARD"
	assert_success

	# daytime: the seeds' wrapped telnet, over SCTP.
	local d1 d2
	d1=$(today)
	telnet_to "$PORT_DAYTIME" "$T/telnet" || true
	d2=$(today)
	run tr -d '\r' < "$T/telnet"
	assert_line --regexp "^($d1|$d2) [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+$"
	# echo: a native SCTP client.
	# (socat's stdin stays open until the echo came back: SCTP has no half-close.)
	: > "$T/echo"
	export -f wait_for
	timeout 120 bash -c "{ printf 'hello sctp\n'; wait_for grep -q 'hello sctp' '$T/echo'; } |
		socat - SCTP-CONNECT:127.0.0.1:$PORT_ECHO > '$T/echo'" || true
	run cat "$T/echo"
	assert_output "hello sctp"
	# chargen: a plain TCP client, as before the migration.
	run tcp_client "$PORT_CHARGEN"
	assert_success
	assert_output --regexp '^[!-~]{60,}'
	# discard on both: a plain TCP client and a native SCTP client, both served.
	run tcp_client "$PORT_DISCARD" "to be discarded"
	assert_success
	assert_output ""
	run timeout 120 bash -c "printf 'x%.0s' {1..1000} | socat -u - SCTP-CONNECT:127.0.0.1:$PORT_DISCARD"
	assert_success
	run grep -c 'START: discard-stream' "$T/xinetd.log"
	assert_output 2
	run grep -E 'server 127.0.0.1 port [0-9]+: (sctp|tcp|both)' "$T/sctpize.log"
	assert_equal "${#lines[@]}" 4
}

@test "xinetd as a service: the environment of 'sctpize enable xinetd' runs the whole daemon on SCTP" {
	xinetd_conf
	local root=$T/root
	mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system"
	printf '[Service]\nType=forking\nExecStart=/usr/sbin/xinetd -pidfile /run/xinetd.pid\n' \
		> "$root/usr/lib/systemd/system/xinetd.service"
	run "$SCTPIZE" enable --root "$root" xinetd --nodelay
	assert_success
	local dropin=$root/etc/systemd/system/xinetd.service.d/sctpize.conf
	# The environment systemd would give xinetd: every Environment= of the drop-in.
	mapfile -t envs < <(sed -n 's/^Environment="\(.*\)"$/\1/p' "$dropin")
	[ "${#envs[@]}" -ge 2 ] || fail "no environment in $(cat "$dropin")"
	printf '%s\n' "${envs[@]}" | grep -qx "LD_PRELOAD=$LIB" || fail "$(cat "$dropin")"
	bg env "${envs[@]}" SCTPIZE_CONFIG=/dev/null xinetd -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid"
	for p in "$PORT_DAYTIME" "$PORT_ECHO" "$PORT_CHARGEN" "$PORT_DISCARD"; do
		wait_for listening_sctp "$p" || fail "port $p is not on SCTP"
		run listening_tcp "$p"
		assert_failure
	done
	run timeout 120 socat -u "SCTP-CONNECT:127.0.0.1:$PORT_DAYTIME" -
	assert_output --regexp "[0-9]{2}:[0-9]{2}:[0-9]{2}"
	run "$SCTPIZE" disable --root "$root" xinetd
	assert_success
	[ ! -e "$dropin" ]
}

@test "--stats: one line at exit says what the library did (converted, accepted, options, writes split)" {
	run "$SCTPIZE" --stats --sndbuf 0 --rcvbuf 0 python3 -c '
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname())
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
a, _ = s.accept()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
got = []
def drain():
    n = 0
    while n < 4000000:
        n += len(a.recv(1 << 20))
    got.append(n)
t = threading.Thread(target=drain); t.start()
c.sendall(b"x" * 4000000)
t.join()
print("sent", got[0])'
	assert_success
	assert_line "sent 4000000"
	assert_line --regexp '^sctpize\[[0-9]+\]: python3: stats: 2 converted to SCTP, 0 left TCP by the rules, 1 other sockets passed through, 0 fell back to TCP, 0 TCP\+SCTP listeners, 1 SCTP accepted, 0 TCP accepted on TCP\+SCTP listeners, 1 options mapped, 1 options taken as hints, 0 options refused, [1-9][0-9]* writes split$'
	assert_equal "$(grep -c 'stats:' <<< "$output")" 1
}

@test "--stats=USR1: the line on each signal, and again at exit; with rules, TCP and fallbacks counted" {
	port=$(free_port)
	bg python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen()
while True:
    c, _ = s.accept(); c.sendall(b'tcp'); c.close()"
	wait_for listening_tcp "$port"
	run "$SCTPIZE" --stats=USR1 --both --except-ports 9 python3 -c "
import os, signal, socket
c = socket.create_connection(('127.0.0.1', $port)); print(c.recv(10).decode())
os.kill(os.getpid(), signal.SIGUSR1)
c = socket.socket(); c.settimeout(0.5)
try: c.connect(('127.0.0.1', 9))
except OSError: pass
print('done')"
	assert_success
	assert_line tcp
	assert_line done
	assert_equal "$(grep -c 'stats:' <<< "$output")" 2
	# (A socket that tried SCTP and fell back counts as converted, then as fallen back.)
	assert_line --regexp 'stats: 1 converted to SCTP, 0 left TCP by the rules, 0 other sockets passed through, 1 fell back to TCP,'
	assert_line --regexp 'stats: 1 converted to SCTP, 1 left TCP by the rules, 0 other sockets passed through, 1 fell back to TCP,'
}
