#!/usr/bin/env bats
# Bind widening, on a dummy interface that each test creates and removes:
# sctpize0 with 10.200.1.1/24 and 10.200.2.1/24.  The server is an
# unmodified socat that binds one address; /proc/net/sctp/eps shows what the
# endpoint is bound to, and an association shows which local addresses it
# really offers.
#
# Measured on Linux 6.1: a wildcard-bound endpoint is listed in eps as
# 0.0.0.0 (not as the list of local addresses); an association it accepts
# lists every local address of the right scope (loopback left out when the
# peer is not on loopback).

load ../helpers/common

IF=sctpize0
A1=10.200.1.1
A2=10.200.2.1
FOREIGN=192.0.2.7	# TEST-NET-1: on no interface of this host

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	ip link del "$IF" 2>/dev/null || true
	ip link add "$IF" type dummy
	ip addr add "$A1/24" dev "$IF"
	ip addr add "$A2/24" dev "$IF"
	ip link set "$IF" up
	port=$(free_port)
}

teardown() {
	teardown_bg || true
	ip link del "$IF" 2>/dev/null || true
}

# The LADDRS of the endpoint listening on PORT (/proc/net/sctp/eps, fields 9-).
eps_laddrs() {
	awk -v p="$1" 'NR > 1 && $6 == p { s = ""; for (i = 9; i <= NF; i++) s = s (s ? " " : "") $i; print s }' \
		/proc/net/sctp/eps
}

# The local addresses of the association(s) the server accepted on PORT
# (/proc/net/sctp/assocs: LPORT is field 12, LADDRS from field 14 to "<->").
assoc_laddrs() {
	awk -v p="$1" 'NR > 1 && $12 == p { s = ""; for (i = 14; i <= NF && $i != "<->"; i++) s = s (s ? " " : "") $i; print s }' \
		/proc/net/sctp/assocs
}

# Start the wrapped server: sctpize OPTIONS... socat bound to ADDR (last arg).
serve() {
	local addr=${*: -1}
	bg "$SCTPIZE" "${@:1:$#-1}" socat "TCP-LISTEN:$port,bind=$addr,reuseaddr" \
		"SYSTEM:echo hello from the server; sleep 3600"
	wait_for listening_sctp "$port" || fail "nothing listens on SCTP port $port"
}

# A native SCTP client to ADDR:port that keeps the association up; succeeds
# once the server's greeting has arrived.
connect_to() {
	local out=$T/client.$1
	bg socat -u "SCTP-CONNECT:$1:$port" "CREATE:$out"
	wait_for grep -q "hello from the server" "$out"
}

# A native SCTP client to ADDR:port is refused (nothing bound there).
refused_at() {
	run timeout 120 socat -u "SCTP-CONNECT:$1:$port" -
	assert_failure
	assert_output --partial "Connection refused"
}

@test "bind: without options a server bound to $A1 is bound to $A1 only" {
	serve "$A1"
	run eps_laddrs "$port"
	assert_output "$A1"
	run listening_tcp "$port"
	assert_failure
	connect_to "$A1"
	run assoc_laddrs "$port"
	assert_output "$A1"
	refused_at "$A2"
}

@test "bind: --bind-all widens a bind to $A1 into the wildcard: associations offer $A1 and $A2" {
	serve --bind-all "$A1"
	run eps_laddrs "$port"
	assert_output 0.0.0.0
	# Reachable at the address it did not bind, and multihomed there.
	connect_to "$A2"
	run assoc_laddrs "$port"
	assert_line --regexp "(^| )$A1( |$)"
	assert_line --regexp "(^| )$A2( |$)"
}

@test "bind: --bind-addrs $A2 adds $A2 to a bind to $A1" {
	serve --bind-addrs "$A2" "$A1"
	run eps_laddrs "$port"
	assert_output "$A1 $A2"
	connect_to "$A2"
	run assoc_laddrs "$port"
	assert_output "$A1 $A2"
}

@test "bind: --bind-all leaves a bind to 127.0.0.1 on loopback" {
	serve --bind-all 127.0.0.1
	run eps_laddrs "$port"
	assert_output 127.0.0.1
	refused_at "$A1"
}

@test "bind: --bind-all --bind-loopback widens a bind to 127.0.0.1" {
	serve --bind-all --bind-loopback 127.0.0.1
	run eps_laddrs "$port"
	assert_output 0.0.0.0
	connect_to "$A1"
}

@test "bind: --bind-addrs leaves a bind to 127.0.0.1 alone unless --bind-loopback" {
	serve --bind-addrs "$A2" 127.0.0.1
	run eps_laddrs "$port"
	assert_output 127.0.0.1
	teardown_bg || true
	port=$(free_port)
	serve --bind-addrs "$A2" --bind-loopback 127.0.0.1
	run eps_laddrs "$port"
	assert_output "127.0.0.1 $A2"
}

@test "bind: --bind-addrs with an address not on this host fails the bind (EADDRNOTAVAIL), naming SCTPIZE_BIND_ADDRS" {
	run timeout 120 "$SCTPIZE" --bind-addrs "$FOREIGN" socat "TCP-LISTEN:$port,bind=$A1,reuseaddr" -
	assert_failure
	# The library's line names the setting; socat's own line shows the
	# program's bind() failing with EADDRNOTAVAIL's text.
	assert_line --regexp "^sctpize\[[0-9]+\]: socat: fd [0-9]+: SCTPIZE_BIND_ADDRS: adding the addresses failed: Cannot assign requested address$"
	assert_line --regexp "E bind\(.*$A1:$port.*\): Cannot assign requested address$"
	run listening_sctp "$port"
	assert_failure
	# The errno itself, as a Python TCP server sees it.
	run timeout 120 "$SCTPIZE" --bind-addrs "$FOREIGN" python3 -c "
import errno, socket
s = socket.socket()
try:
    s.bind(('$A1', $port))
    print('bound')
except OSError as e:
    print(errno.errorcode[e.errno])"
	assert_line EADDRNOTAVAIL
}
