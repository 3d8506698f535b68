#!/usr/bin/env bats
# errno after a successful call, on the real SCTP kernel: every call the
# library exports (shim/libsctpize.map), driven by tests/helpers/hard_errno.c
# on paths where it succeeds, must leave errno as it found it, as libc's do.
# Here the shim's own SCTP paths are taken (writes in pieces, empty writes,
# MSG_WAITALL over messages, the half-close marker, sctp_connectx), and every
# migration path: an undecided socket whose protocol changes at listen() and
# connect(), a dual (TCP+SCTP) listener accepting SCTP and TCP clients, a
# "both" client falling back to TCP.  (On the host, SCTP faked, and with
# --fallback on a kernel without SCTP: tests/unit/errno.bats.)

load ../helpers/common

setup() {
	require_sctp
	# Half-close on, so that the marker's paths are taken too (hard_errno half-closes
	# each way and writes after the peer did); without it: tests/unit/errno.bats.
	export SCTPIZE_CONFIG=/dev/null SCTPIZE_HALF_CLOSE=1
	CHECK=$HELPERS/hard_errno
	[ -x "$CHECK" ] || fail "$CHECK is missing: run 'make test-programs' first"
	port=$(free_port)
	LOGF=$BATS_TEST_TMPDIR/log
}

exported() {
	sed -n 's/^[[:space:]]*\([A-Za-z_0-9]*\);$/\1/p' "$TOP/shim/libsctpize.map"
}

# check [SCTPIZE OPTIONS...]: hard_errno (its listener on $port) under
# sctpize with these options, bounded in time: every call succeeds, every
# exported one is checked, and none changed errno.
check() {
	run timeout 400 "$SCTPIZE" --log "$LOGF" -v "$@" -- "$CHECK" -t 300 -p "$port"
	local changed missing= name
	changed=$(grep -E '^ok .*errno=' <<<"$output" | grep -v 'errno=kept' || true)
	for name in $(exported); do
		grep -q "^ok $name:" <<<"$output" || missing+=" $name"
	done
	[ "$status" = 0 ] || fail "status $status: $(grep -v errno=kept <<<"$output")"
	[ -z "$missing" ] || fail "no successful call checked for:$missing"
	[ -z "$changed" ] || fail "a successful call changed errno:
$changed"
}

# logged PATTERN: the library's log says so (the path under test was taken).
logged() {
	grep -qE "$1" "$LOGF" || fail "not in the log: $1
$(cat "$LOGF")"
}

@test "every exported call keeps errno on success on converted sockets (the TCP-like defaults; a send buffer smaller than the writes)" {
	check --sndbuf 65536 --stats
	logged 'converted to SCTP'
	logged '[1-9][0-9]* writes split'
}

@test "every exported call keeps errno on success with sctp_connectx (--peer-addrs) and --nodelay" {
	check --peer-addrs 127.0.0.1,127.0.0.2 --nodelay
	logged 'sctp_connectx'
}

@test "every exported call keeps errno when listen() and connect() change the protocol (--ports)" {
	check --ports "$port"
	logged "server 127.0.0.1 port $port: sctp"
	logged "client 127.0.0.1 port $port: sctp"
}

@test "every exported call keeps errno with a dual listener accepting SCTP clients (--both)" {
	check --both --ports "$port"
	logged 'listens on TCP and SCTP'
	logged 'the peer speaks SCTP'
}

@test "every exported call keeps errno with a dual listener accepting TCP clients" {
	check --rule "both server port $port" --default tcp
	logged 'listens on TCP and SCTP'
	if grep -q 'client .* port .*: both' "$LOGF"; then fail "a client was not TCP"; fi
}

@test "every exported call keeps errno when a both client falls back to TCP (TCP-only listener)" {
	check --rule "both client port $port" --default tcp
	logged 'does not speak SCTP'
}
