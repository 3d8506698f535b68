#!/usr/bin/env bats
# Decisions of connect() and getaddrinfo() (shim/preload/connect.c, shim/preload/resolve.c)
# and of the SCTP tuning (shim/core/defaults.c, shim/preload/tune.c), seen from libc with the recorder,
# SCTP faked.  The real behaviour across two links is tests/e2e/failover.bats.

load ../helpers/common
load ../helpers/unit

PY=/usr/bin/python3

setup() {
	unit_setup
	[ -x "$PY" ] || fail "python3 is not installed (tests/install-deps)"
}

# The sctp_connectx() requests that reached libc: "addrs=A:P,B:P" per line.
connectx_calls() {
	awk '$1 == "getsockopt" && $3 == 132 && $4 == 111 { print $6 }' "$LOG"
}

# Connect a non-blocking TCP socket of family $1 to address $2, port 9, after
# resolving the names given as further arguments.
connect_py() {
	shimmed "$PY" -c '
import socket, sys
fam = {"4": socket.AF_INET, "6": socket.AF_INET6}[sys.argv[1]]
for name in sys.argv[3:]:
    socket.getaddrinfo(name, 9, 0, socket.SOCK_STREAM)
s = socket.socket(fam)
s.setblocking(False)
s.connect_ex((sys.argv[2], 9))
' "$@"
}

# Run COMMAND in a mount namespace where /etc/hosts says two.test has two
# IPv4 addresses and dual.test one IPv4 and one IPv6 address.
with_hosts() {
	printf '10.9.9.1 two.test\n10.9.9.2 two.test\n10.9.9.3 dual.test\nfd00::3 dual.test\n' \
		> "$BATS_TEST_TMPDIR/hosts"
	unshare -m bash -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$BATS_TEST_TMPDIR/hosts" "$@"
}

@test "--peer-addrs: a connect to a listed address offers all of them, that one first, its port" {
	SCTPIZE_PEER_ADDRS=10.9.9.1,10.9.9.2,fd00::9 connect_py 4 10.9.9.2
	run connectx_calls
	assert_output "addrs=10.9.9.2:9,10.9.9.1:9"
}

@test "--peer-addrs on an IPv6 socket offers the IPv4 addresses too" {
	SCTPIZE_PEER_ADDRS=10.9.9.1,fd00::9 connect_py 6 fd00::9
	run connectx_calls
	assert_output "addrs=fd00::9:9,10.9.9.1:9"
}

@test "a connect to an address not listed, or to a peer with one address, is libc's connect" {
	SCTPIZE_PEER_ADDRS=10.9.9.1,10.9.9.2 connect_py 4 10.9.9.7
	SCTPIZE_PEER_ADDRS=10.9.9.1,fd00::9 connect_py 4 10.9.9.1
	run connectx_calls
	assert_output ""
}

@test "a name that resolved to two addresses: the connect offers both" {
	export -f shimmed connect_py
	export LIB REC PY
	with_hosts bash -c 'connect_py 4 10.9.9.1 two.test'
	assert_equal "$(grep -c '^socket' "$LOG")" 1
	run connectx_calls
	assert_output "addrs=10.9.9.1:9,10.9.9.2:9"
}

@test "resolved addresses: only those the socket's family reaches; off with SCTPIZE_PEER_RESOLVED=0" {
	export -f shimmed connect_py
	export LIB REC PY
	with_hosts bash -c 'connect_py 4 10.9.9.3 dual.test'
	assert_equal "$(grep -c '^socket' "$LOG")" 1
	with_hosts bash -c 'SCTPIZE_PEER_RESOLVED=0 connect_py 4 10.9.9.1 two.test'
	run connectx_calls
	assert_output ""
	with_hosts bash -c 'connect_py 6 fd00::3 dual.test'
	run connectx_calls
	assert_output "addrs=fd00::3:9,10.9.9.3:9"
}

@test "--failover fast sets RTO bounds, heartbeat and path retransmissions on each new socket" {
	SCTPIZE_FAILOVER=fast SCTPIZE_RTO_MAX=2000 SCTPIZE_STREAMS=4 SCTPIZE_MAX_RETRANS=6 \
		shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	# SCTP_RTOINFO (0): the preset, except the explicit maximum.
	assert_line --regexp '^setsockopt [0-9]+ 132 0 16 initial=300 max=2000 min=100 = 0$'
	assert_line --regexp '^setsockopt [0-9]+ 132 9 [0-9]+ hbinterval=1000 pathmaxrxt=1 flags=1 = 0$'
	assert_line --regexp '^setsockopt [0-9]+ 132 1 [0-9]+ asocmaxrxt=6 = 0$'
	assert_line --regexp '^setsockopt [0-9]+ 132 2 [0-9]+ max_attempts=0 ostreams=4 instreams=4 = 0$'
}

@test "without tuning settings, TCP-like defaults off: a new socket gets no option at all" {
	shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	run grep '^setsockopt' "$LOG"
	assert_output ""
}
