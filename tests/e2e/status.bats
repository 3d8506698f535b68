#!/usr/bin/env bats
# sctpize status PID: what sctpize did to a running process, from /proc.
#
# The servers are unmodified Python TCP servers that keep their listener and
# the one connection they accept open; the clients are native SCTP clients
# (socat SCTP-CONNECT) that keep the association up.  The multihomed case
# runs on a dummy interface that each test creates and removes: sctpize1
# with 10.200.3.1/24 and 10.200.4.1/24.
#
# Measured on Linux 6.1: /proc/net/sctp/assocs marks the primary remote
# address with a '*'; /proc/net/sctp/remaddr gives each path's STATE as
# enum sctp_transport_state (0 inactive, 1 potentially failed, 2 active,
# 3 unconfirmed) and its RTO in jiffies (the helper asks the socket for
# milliseconds when it may: as root it may).

load ../helpers/common

IF=sctpize1
A1=10.200.3.1
A2=10.200.4.1

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	port=$(free_port)
}

teardown() {
	teardown_bg || true
	ip link del "$IF" 2>/dev/null || true
}

# Create the dummy interface with two addresses.
two_addresses() {
	ip link del "$IF" 2>/dev/null || true
	ip link add "$IF" type dummy
	ip addr add "$A1/24" dev "$IF"
	ip addr add "$A2/24" dev "$IF"
	ip link set "$IF" up
}

# Start COMMAND... python3 SERVER: a TCP server bound to ADDR:port that
# accepts one connection, greets it and keeps both sockets open.  Sets
# server to its PID (setsid, the wrapper and python3 all exec).
serve() {
	local addr=$1
	shift
	bg "$@" python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$addr', $port)); s.listen()
c, _ = s.accept(); c.sendall(b'hello from the server\n'); time.sleep(3600)"
	server=$!
}

# A native SCTP client to ADDR:port that keeps the association up; succeeds
# once the server's greeting has arrived.
connect_to() {
	bg socat -u "SCTP-CONNECT:$1:$port" "CREATE:$T/client"
	wait_for grep -q "hello from the server" "$T/client"
}

# Process PID is python3 (not a setsid or shell left in between).
is_python() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = python3 ]
}

@test "status: a wrapped server with a live association: library, listener, association, path" {
	serve 127.0.0.1 "$SCTPIZE" --nodelay
	wait_for listening_sctp "$port" || fail "nothing listens on SCTP port $port"
	is_python "$server" || fail "PID $server is not the server"
	connect_to 127.0.0.1 || fail "no greeting over SCTP"
	run "$B/sctpize-helper" status "$server"
	assert_success
	assert_line --index 0 "process $server (python3): libsctpize loaded ($LIB)"
	assert_line "settings (its environment when it started): SCTPIZE_NODELAY=1"
	assert_line --regexp "^SCTP listener fd [0-9]+: port $port on 127\.0\.0\.1$"
	assert_line --regexp "^SCTP association fd [0-9]+: 127\.0\.0\.1:$port <-> 127\.0\.0\.1:[0-9]+, ESTABLISHED$"
	assert_line --regexp "^  path 127\.0\.0\.1: active, primary, rto [0-9]+ ms, srtt [0-9]+ ms, heartbeats (on|off)$"
	refute_output --partial "TCP "
	refute_output --partial "refused"
}

@test "status: a multihomed association (--bind-all, two addresses): both paths with their states, one primary" {
	two_addresses
	serve "$A1" "$SCTPIZE" --bind-all
	wait_for listening_sctp "$port" || fail "nothing listens on SCTP port $port"
	is_python "$server" || fail "PID $server is not the server"
	connect_to "$A1" || fail "no greeting over SCTP"
	run "$B/sctpize-helper" status "$server"
	assert_success
	assert_line --index 0 --partial "libsctpize loaded"
	assert_line "settings (its environment when it started): SCTPIZE_BIND_ALL=1"
	# --bind-all widened the bind to the wildcard.
	assert_line --regexp "^SCTP listener fd [0-9]+: port $port on 0\.0\.0\.0$"
	# The client's INIT offered both addresses; the one it used is primary.
	assert_line --regexp "^SCTP association fd [0-9]+: $A1:$port \(also $A2\) <-> $A1:[0-9]+ \(also $A2\), ESTABLISHED$"
	assert_line --regexp "^  path $A1: (active|unconfirmed), primary, rto [0-9]+ ms, "
	assert_line --regexp "^  path $A2: (active|unconfirmed|inactive|potentially-failed), rto [0-9]+ ms, "
	[ "$(grep -c '^  path ' <<< "$output")" -eq 2 ] || fail "not two paths: $output"
	[ "$(grep -c ', primary' <<< "$output")" -eq 1 ] || fail "not one primary path: $output"
	# A heartbeat confirms the second path: it becomes active.
	path2_active() {
		"$B/sctpize-helper" status "$server" | grep -q "^  path $A2: active, rto"
	}
	wait_for path2_active || fail "path $A2 never became active: $("$B/sctpize-helper" status "$server")"
}

@test "status: an unwrapped server is reported not loaded, with its TCP listener and connection" {
	serve 127.0.0.1
	wait_for listening_tcp "$port" || fail "nothing listens on TCP port $port"
	is_python "$server" || fail "PID $server is not the server"
	bg socat -u "TCP:127.0.0.1:$port" "CREATE:$T/client"
	wait_for grep -q "hello from the server" "$T/client" || fail "no greeting over TCP"
	run "$B/sctpize-helper" status "$server"
	assert_success
	assert_line --index 0 "process $server (python3): libsctpize not loaded, so its TCP sockets stay TCP"
	assert_line "  why: it was started without sctpize (its LD_PRELOAD does not name libsctpize.so)"
	assert_line "settings (its environment when it started): none, the defaults"
	assert_line --regexp "^TCP listener fd [0-9]+: port $port on 127\.0\.0\.1 \(not converted\)$"
	assert_line --regexp "^TCP connection fd [0-9]+: 127\.0\.0\.1:$port <-> 127\.0\.0\.1:[0-9]+, ESTABLISHED \(not converted\)$"
	refute_output --partial "SCTP listener"
	refute_output --partial "SCTP association"
}

@test "status: a set-user-ID program is reported not loaded, and why; bad settings are shown refused" {
	cp /bin/sleep "$T/sleep-setuid"
	chmod 4755 "$T/sleep-setuid"
	SCTPIZE_BOGUS=1 bg "$T/sleep-setuid" 3600
	pid=$!
	wait_for grep -qx sleep-setuid "/proc/$pid/comm" || fail "PID $pid is not the program"
	run "$B/sctpize-helper" status "$pid"
	assert_success
	assert_line --index 0 --partial "libsctpize not loaded"
	assert_line "  why: $T/sleep-setuid is set-user-ID: the dynamic loader ignores LD_PRELOAD for it"
	assert_line "settings refused: SCTPIZE_BOGUS: unknown setting (see libsctpize(7))"
	assert_line "sockets: none"
}

@test "status: a PID with no process exits 1, naming it" {
	pid=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
	run "$B/sctpize-helper" status "$pid"
	assert_failure 1
	assert_output "sctpize: status: no process $pid"
	run "$B/sctpize-helper" status 12abc
	assert_failure 1
	assert_output "sctpize: status: '12abc' is not a process ID"
}

@test "status: sctpize status PID (the wrapper's subcommand) reports the helper's status" {
	serve 127.0.0.1 "$SCTPIZE"
	wait_for listening_sctp "$port" || fail "nothing listens on SCTP port $port"
	run "$SCTPIZE" status "$server"
	assert_success
	assert_line --index 0 "process $server (python3): libsctpize loaded ($LIB)"
	assert_line --regexp "^SCTP listener fd [0-9]+: port $port on 127\.0\.0\.1$"
	run "$SCTPIZE" status "$(( $(cat /proc/sys/kernel/pid_max) + 1 ))"
	assert_failure 1
}

@test "status: migration mode: the rules as the library read them, and the SCTP side of a TCP+SCTP listener" {
	printf 'tcp client port 53\n' > "$T/sctpize.conf"
	SCTPIZE_CONFIG=$T/sctpize.conf serve 127.0.0.1 "$SCTPIZE" --both --ports "$port"
	wait_for listening_sctp "$port" || fail "nothing listens on SCTP port $port"
	wait_for listening_tcp "$port" || fail "nothing listens on TCP port $port"
	is_python "$server" || fail "PID $server is not the server"
	connect_to 127.0.0.1 || fail "no greeting over SCTP"
	run "$B/sctpize-helper" status "$server"
	assert_success
	assert_line "rules (first match wins):"
	assert_line "  1  both port $port  (SCTPIZE_RULES rule 1)"
	assert_line "  2  tcp client port 53  ($T/sctpize.conf line 1)"
	assert_line "  default: tcp"
	assert_line --regexp "^SCTP listener fd [0-9]+: port $port on 127\.0\.0\.1$"
	assert_line --regexp "^SCTP association fd [0-9]+: 127\.0\.0\.1:$port <-> 127\.0\.0\.1:[0-9]+, ESTABLISHED$"
}
