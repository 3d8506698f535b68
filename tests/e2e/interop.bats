#!/usr/bin/env bats
# A wrapped TCP program talks to a native SCTP program it knows nothing about,
# in both roles, over IPv4 and IPv6 loopback.  Every exchange carries distinct
# random data each way on one association, compared by checksum, and the
# kernel's tables are read while the association is up.
#
# The server of every exchange is socat running
#     sh -c 'cat down; cat > up.got'
# for the connection: it sends its file, then stores what the client sent.
# The client sends its file at once and keeps its stdin open (a FIFO) until
# the server's file has fully arrived: SCTP has no half-close, so an early
# EOF would shut the association for both directions.  Nothing polls: UML
# has one slow CPU.

load ../helpers/common

UP=100000	# client to server
DOWN=150000	# server to client

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	head -c "$UP" /dev/urandom > "$T/up"
	head -c "$DOWN" /dev/urandom > "$T/down"
	mkfifo "$T/release"
}

# The server's per-connection command (socat SYSTEM:).
SERVE() {
	echo "SYSTEM:cat $T/down; cat > $T/up.got"
}

# What the kernel says about PORT while the association is up, one line each:
# rows in /proc/net/sctp/assocs, and TCP sockets of any state on the port.
kernel_view() {
	local port=$1 hex
	hex=$(printf ':%04X' "$port")
	echo "sctp-assocs $(sctp_assocs "$port")"
	echo "tcp-sockets $(awk -v h="$hex" 'NR > 1 && (index($2, h) || index($3, h))' /proc/net/tcp /proc/net/tcp6 | wc -l)"
}
export -f kernel_view sctp_assocs

# One exchange on PORT ($2) with client command string $1, within $3 seconds
# (default 300, a hang guard): the client sends $T/up;
# once it has read $DOWN bytes the kernel's view is saved and its stdin ends;
# what came after the server's file is saved in $T/extra.
exchange() {
	local client=$1 port=$2 limit=${3:-300}
	run timeout "$limit" bash -c "{ cat '$T/up'; cat '$T/release'; } | $client 2> '$T/client.err' |
		{ head -c $DOWN > '$T/down.got'; kernel_view $port > '$T/view';
		  exec 3<> '$T/release'; exec 3>&-; cat > '$T/extra'; }"
	assert_success
	# While it was up the association was SCTP, both ends on this host.
	run cat "$T/view"
	assert_output "sctp-assocs 2
tcp-sockets 0"
	run sha256sum < "$T/down.got"
	assert_output "$(sha256sum < "$T/down")"
	[ ! -s "$T/extra" ] || fail "$(stat -c %s "$T/extra") bytes more than the server's file"
	# The server's cat > up.got is done when the association has ended.
	wait_for no_assocs "$port" || fail "the association on port $port did not end"
	wait_for test -s "$T/up.got"
	run sha256sum < "$T/up.got"
	assert_output "$(sha256sum < "$T/up")"
}

no_assocs() {
	[ "$(sctp_assocs "$1")" -eq 0 ]
}

# LADDRS of the endpoint listening on PORT (/proc/net/sctp/eps, fields 9-).
eps_laddrs() {
	awk -v p="$1" 'NR > 1 && $6 == p { s = ""; for (i = 9; i <= NF; i++) s = s (s ? " " : "") $i; print s }' \
		/proc/net/sctp/eps
}

@test "interop IPv4: wrapped socat TCP-LISTEN server, native socat SCTP-CONNECT client" {
	port=$(free_port)
	bg "$SCTPIZE" socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "$(SERVE)"
	wait_for listening_sctp "$port"
	run eps_laddrs "$port"
	assert_output 127.0.0.1
	run listening_tcp "$port"
	assert_failure
	exchange "socat - SCTP-CONNECT:127.0.0.1:$port" "$port"
}

@test "interop IPv4: wrapped socat TCP client, native socat SCTP-LISTEN server" {
	port=$(free_port)
	bg socat "SCTP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "$(SERVE)"
	wait_for listening_sctp "$port"
	exchange "'$SCTPIZE' socat - TCP:127.0.0.1:$port" "$port"
}

@test "interop IPv6 [::1]: wrapped socat TCP6-LISTEN server, native socat SCTP6-CONNECT client" {
	port=$(free_port)
	bg "$SCTPIZE" socat "TCP6-LISTEN:$port,bind=[::1],reuseaddr" "$(SERVE)"
	wait_for listening_sctp "$port"
	# The kernel prints an IPv6 endpoint address as eight 4-digit groups.
	run eps_laddrs "$port"
	assert_output 0000:0000:0000:0000:0000:0000:0000:0001
	run listening_tcp "$port"
	assert_failure
	exchange "socat - SCTP6-CONNECT:[::1]:$port" "$port"
}

@test "interop IPv6 [::1]: wrapped socat TCP6 client, native socat SCTP6-LISTEN server" {
	port=$(free_port)
	bg socat "SCTP6-LISTEN:$port,bind=[::1],reuseaddr" "$(SERVE)"
	wait_for listening_sctp "$port"
	exchange "'$SCTPIZE' socat - TCP6:[::1]:$port" "$port"
}

@test "interop: an unwrapped TCP client cannot reach the wrapped server (it really is SCTP)" {
	port=$(free_port)
	bg "$SCTPIZE" socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "$(SERVE)"
	wait_for listening_sctp "$port"
	run timeout 120 socat -u "TCP:127.0.0.1:$port" -
	assert_failure
	assert_output --partial "Connection refused"
	# ... while a native SCTP client still gets the server's bytes.
	exchange "socat - SCTP-CONNECT:127.0.0.1:$port" "$port"
}
