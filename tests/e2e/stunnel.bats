#!/usr/bin/env bats
# stunnel4 under sctpize: a TLS server in front of a plain backend, a thread
# per connection, and those threads have small stacks (stunnel's "stack"
# option, 64 KiB by default, set here explicitly).  A preloaded library's
# thread-local storage is carved out of every thread's stack: if it needs
# more than such a stack holds, pthread_create() fails (EINVAL) and stunnel
# drops every connection.
#
# The chain: socat OPENSSL client -> stunnel (TLS, accept) -> socat backend
# (plain).  Every test runs it once without sctpize (the TCP control) and once
# with all three under sctpize, so both of stunnel's legs are SCTP; the bytes
# are compared, the kernel's SCTP counters must have grown by both
# associations, and stunnel's log must show its thread model (PTHREAD) and a
# connection served by a thread of its own.

load ../helpers/common

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/key.pem" -out "$T/cert.pem" -subj /CN=localhost -days 2 2> "$T/openssl.err" ||
		fail "openssl req: $(cat "$T/openssl.err")"
	head -c 2000000 /dev/urandom > "$T/data"
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

# A counter of the kernel's SCTP MIB (/proc/net/sctp/snmp).
sctp_mib() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/net/sctp/snmp
}

sha() {
	sha256sum < "$1" | cut -d' ' -f1
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

# start_stunnel NAME tcp|sctp: a stunnel server of its own in $T/NAME,
# accepting TLS on 127.0.0.1:$port and forwarding to 127.0.0.1:$bport.
start_stunnel() {
	local d=$T/$1 how=$2
	mkdir -p "$d"
	port=$(free_port) || fail "no free port"
	until bport=$(free_port) && [ "$bport" != "$port" ]; do :; done
	cat > "$d/stunnel.conf" <<-EOF
		foreground = yes
		pid =
		syslog = no
		debug = 7
		output = $d/stunnel.log
		[tls]
		accept = 127.0.0.1:$port
		connect = 127.0.0.1:$bport
		cert = $T/cert.pem
		key = $T/key.pem
		stack = 65536
	EOF
	if [ "$how" = sctp ]; then
		bg "$SCTPIZE" stunnel4 "$d/stunnel.conf" > "$d/stunnel.out" 2>&1 < /dev/null
		within 60 listening_sctp "$port" || fail "stunnel does not listen on SCTP: $(story "$1")"
		! listening_tcp "$port" || fail "stunnel under sctpize listens on TCP"
	else
		bg stunnel4 "$d/stunnel.conf" > "$d/stunnel.out" 2>&1 < /dev/null
		within 60 listening_tcp "$port" || fail "stunnel does not listen on TCP: $(story "$1")"
	fi
}

# What went wrong, for a failure message: the client's output, stunnel's
# errors (levels 0-4) and its last lines.
story() {
	printf 'client:\n%s\nstunnel errors:\n' "${output-}"
	grep -E 'LOG[0-4]\[' "$T/$1/stunnel.log" 2>/dev/null | tail -n 10
	printf 'stunnel (last 10 lines):\n'
	tail -n 10 "$T/$1/stunnel.log" 2>/dev/null
}

# The log of stunnel NAME shows its thread model with a connection served
# on a thread of its own ("LOG5[0]: Service [tls] accepted connection").
check_threads() {
	grep -q 'Threading:PTHREAD' "$T/$1/stunnel.log" || fail "stunnel is not threaded: $(story "$1")"
	grep -qE 'LOG[0-9]\[[0-9]+\]: Service \[tls\] accepted connection' "$T/$1/stunnel.log" ||
		fail "no stunnel thread served the connection: $(story "$1")"
}

# upload NAME [WRAP]: the client sends $T/data through stunnel NAME to a
# backend that stores it in $T/NAME/got; WRAP runs each end (sctpize).
upload() {
	local d=$T/$1 wrap=("${@:2}") back
	setsid "${wrap[@]}" socat -u "TCP-LISTEN:$bport,bind=127.0.0.1,reuseaddr" "CREATE:$d/got" \
		> "$d/backend.out" 2>&1 < /dev/null &
	back=$!
	echo "$back" >> "$BATS_TEST_TMPDIR/bg.pids"
	if [ ${#wrap[@]} -gt 0 ]; then
		within 60 listening_sctp "$bport" || fail "the backend does not listen on SCTP"
	else
		within 60 listening_tcp "$bport" || fail "the backend does not listen on TCP"
	fi
	run timeout 120 "${wrap[@]}" socat -u "OPEN:$T/data" "OPENSSL:127.0.0.1:$port,verify=0"
	[ "$status" -eq 0 ] || fail "the client failed ($status): $(story "$1")"
	# The backend ends when stunnel passes the end of the stream on.
	within 120 gone "$back" || fail "the backend never saw the end: $(story "$1")"
	[ -f "$d/got" ] || fail "nothing reached the backend: $(story "$1")"
	[ "$(sha "$d/got")" = "$(sha "$T/data")" ] ||
		fail "the backend got $(stat -c %s "$d/got") bytes, not the 2000000 sent: $(story "$1")"
}

# download NAME [WRAP]: the backend sends $T/data, through stunnel NAME, to
# the client, which stores it in $T/NAME/back.
download() {
	local d=$T/$1 wrap=("${@:2}")
	bg "${wrap[@]}" socat -u "OPEN:$T/data" "TCP-LISTEN:$bport,bind=127.0.0.1,reuseaddr" \
		> "$d/backend2.out" 2>&1 < /dev/null
	if [ ${#wrap[@]} -gt 0 ]; then
		within 60 listening_sctp "$bport" || fail "the backend does not listen on SCTP"
	else
		within 60 listening_tcp "$bport" || fail "the backend does not listen on TCP"
	fi
	run timeout 120 "${wrap[@]}" socat -u "OPENSSL:127.0.0.1:$port,verify=0" "CREATE:$d/back"
	[ "$status" -eq 0 ] || fail "the client failed ($status): $(story "$1")"
	[ "$(sha "$d/back")" = "$(sha "$T/data")" ] ||
		fail "the client got $(stat -c %s "$d/back") bytes, not the 2000000 sent: $(story "$1")"
}

@test "stunnel4 (threads with 64 KiB stacks) under sctpize: 2 MB from a TLS client to the backend over SCTP; TCP control" {
	local act pas
	start_stunnel tcp tcp
	upload tcp
	check_threads tcp

	start_stunnel sctp sctp
	act=$(sctp_mib SctpActiveEstabs)
	pas=$(sctp_mib SctpPassiveEstabs)
	upload sctp "$SCTPIZE"
	check_threads sctp
	# Two associations: client -> stunnel, stunnel -> backend.
	[ "$(sctp_mib SctpActiveEstabs)" -ge $((act + 2)) ] ||
		fail "SctpActiveEstabs: $act before, $(sctp_mib SctpActiveEstabs) after"
	[ "$(sctp_mib SctpPassiveEstabs)" -ge $((pas + 2)) ] ||
		fail "SctpPassiveEstabs: $pas before, $(sctp_mib SctpPassiveEstabs) after"
}

@test "stunnel4 (threads with 64 KiB stacks) under sctpize: 2 MB from the backend to a TLS client over SCTP; TCP control" {
	local act pas
	start_stunnel tcp tcp
	download tcp
	check_threads tcp

	start_stunnel sctp sctp
	act=$(sctp_mib SctpActiveEstabs)
	pas=$(sctp_mib SctpPassiveEstabs)
	download sctp "$SCTPIZE"
	check_threads sctp
	[ "$(sctp_mib SctpActiveEstabs)" -ge $((act + 2)) ] ||
		fail "SctpActiveEstabs: $act before, $(sctp_mib SctpActiveEstabs) after"
	[ "$(sctp_mib SctpPassiveEstabs)" -ge $((pas + 2)) ] ||
		fail "SctpPassiveEstabs: $pas before, $(sctp_mib SctpPassiveEstabs) after"
}
