#!/usr/bin/env bats
# Migration mode (issue 4) on the real SCTP kernel: rules decide per socket
# which of a program's sockets convert (--ports, --except-ports,
# --server-only, --client-only, --rule addr/prog/port ranges, --config with
# a default line, first match wins); a socket that converts late (at
# listen() or connect()) keeps its descriptor, flags and options; a `both`
# client falls back to TCP however it waits for its connect; a `both`
# listener serves TCP and SCTP clients on one port however it waits for them.
# Programs: tests/helpers/e2e_migrate.c (plain TCP code), python3, http.server,
# nginx, curl.  --fallback needs a kernel without SCTP: tests/unit/migrate.bats.

load ../helpers/common

PY=/usr/bin/python3
MIG=$HELPERS/e2e_migrate

# A TCP program that listens on each ADDR PORT pair of its arguments, says
# "listening", and holds the sockets until it is killed.
LISTEN_PY='
import socket, sys, time
args = sys.argv[1:]
held = []
for host, port in zip(args[::2], args[1::2]):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen()
    held.append(s)
print("listening", flush=True)
time.sleep(3600)'

# A client, not wrapped: PROTO tcp or sctp (a native SCTP socket), bound to
# SRC, connects to DST PORT, sends LINE, prints what came back.
CLIENT_PY='
import socket, sys
proto, src, dst, port, line = sys.argv[1:]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM, 132 if proto == "sctp" else 0)
s.settimeout(100)
s.bind((src, 0))
s.connect((dst, int(port)))
s.sendall(line.encode() + b"\n")
got = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    got += d
print(got.decode().rstrip("\n"))'

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# A system /etc/sctpize.conf never takes part.
	export SCTPIZE_CONFIG=/dev/null
	port=$(free_port)
	port2=$(other_port "$port")
	port3=$(other_port "$port" "$port2")
}

teardown() {
	teardown_bg || true
	[ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null
	if [ -n "${DROPPING:-}" ]; then
		tc qdisc del dev lo clsact 2>/dev/null
	fi
}

# A free port that is none of the arguments, nor next to one (ranges below).
other_port() {
	local p q ok
	while :; do
		p=$(free_port) || return 1
		ok=1
		for q in "$@"; do
			[ $((p - q)) -ge -2 ] && [ $((p - q)) -le 2 ] && ok=
		done
		[ -n "$ok" ] && { echo "$p"; return 0; }
	done
}

ms() {
	date +%s%3N
}

# Stop what bg started, within a test (teardown_bg fails on a process that
# already ended).
stop_bg() {
	teardown_bg || true
}

# start NAME COMMAND...: run COMMAND in the background, its output in
# $T/NAME.out and .err, its exit status in $T/NAME.rc at the end; wait until
# it prints "listening".
start() {
	local name=$1
	shift
	bg sh -c '"$@"; echo "$?" > "$0"' "$T/$name.rc" "$@" > "$T/$name.out" 2> "$T/$name.err"
	wait_for grep -qx listening "$T/$name.out" ||
		fail "$name did not start listening: $(cat "$T/$name.err")"
}

# finished NAME: NAME exited 0 (wait_for's time).
finished() {
	wait_for test -s "$T/$1.rc" || fail "$1 did not finish: $(cat "$T/$1.out" "$T/$1.err")"
	[ "$(cat "$T/$1.rc")" = 0 ] || fail "$1 exited $(cat "$T/$1.rc"): $(cat "$T/$1.err")"
}

on_sctp_only() {
	wait_for listening_sctp "$1" || fail "nothing listens on SCTP port $1"
	! listening_tcp "$1" || fail "port $1 listens on TCP too"
}

on_tcp_only() {
	wait_for listening_tcp "$1" || fail "nothing listens on TCP port $1"
	! listening_sctp "$1" || fail "port $1 listens on SCTP too"
}

on_both() {
	wait_for listening_sctp "$1" || fail "nothing listens on SCTP port $1"
	listening_tcp "$1" || fail "port $1 does not listen on TCP"
}

# An SCTP server (the migrate server under sctpize, everything converts) on
# 127.0.0.1 $sport and a plain TCP one on 127.0.0.1 $tport, each serving up
# to 100 clients.
sctp_and_tcp_servers() {
	sport=$(other_port "$port" "$port2" "$port3")
	tport=$(other_port "$port" "$port2" "$port3" "$sport")
	start ssrv "$SCTPIZE" "$MIG" server 127.0.0.1 "$sport" accept 100
	start tsrv "$MIG" server 127.0.0.1 "$tport" accept 100
	on_sctp_only "$sport"
	on_tcp_only "$tport"
}

# The wrapped migrate client with OPTIONS... (up to "--") to 127.0.0.1 PORT
# answers PROTO: "PROTO PROTO 127.0.0.1 LINE".
client_gets() {
	local opts=() proto
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run --separate-stderr timeout 120 "$SCTPIZE" "${opts[@]}" "$MIG" client 127.0.0.1 "$1" blocking "to $1"
	[ "$status" = 0 ] || fail "sctpize ${opts[*]} client to port $1: exit $status: $stderr"
	proto=$2
	assert_output "$proto $proto 127.0.0.1 to $1"
}

# ---- rules: which sockets convert ----

@test "--ports: the listed port listens on SCTP, another port of the same program stays TCP" {
	start srv "$SCTPIZE" --ports "$port" "$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	sctp_and_tcp_servers
	client_gets --ports "$sport" -- "$sport" sctp
	client_gets --ports "$sport" -- "$tport" tcp
}

@test "--ports with a range and a list (13,LO-HI): inside converts, outside stays TCP" {
	start srv "$SCTPIZE" --ports "13,$((port - 1))-$((port + 1))" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	stop_bg
	start srv "$SCTPIZE" --rule "sctp port $((port2 - 2))-$((port2 + 2)),7" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port2" 127.0.0.1 "$port3"
	on_sctp_only "$port2"
	on_tcp_only "$port3"
}

@test "--except-ports: the listed port stays TCP, the others convert" {
	start srv "$SCTPIZE" --except-ports "$port2" "$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	sctp_and_tcp_servers
	client_gets --except-ports "$tport" -- "$sport" sctp
	client_gets --except-ports "$tport" -- "$tport" tcp
}

@test "--server-only: the listener converts, the program's client sockets stay TCP" {
	start srv "$SCTPIZE" --server-only "$PY" -c "$LISTEN_PY" 127.0.0.1 "$port"
	on_sctp_only "$port"
	sctp_and_tcp_servers
	client_gets --server-only -- "$tport" tcp
	# Its client is TCP, so the SCTP-only server refuses it.
	run --separate-stderr timeout 120 "$SCTPIZE" --server-only "$MIG" client 127.0.0.1 "$sport" blocking x
	assert_failure
	[[ $stderr == *"connect: ECONNREFUSED"* ]] || fail "stderr: $stderr"
}

@test "--client-only: the program's client sockets convert, its listener stays TCP" {
	start srv "$SCTPIZE" --client-only "$PY" -c "$LISTEN_PY" 127.0.0.1 "$port"
	on_tcp_only "$port"
	sctp_and_tcp_servers
	client_gets --client-only -- "$sport" sctp
	run --separate-stderr timeout 120 "$SCTPIZE" --client-only "$MIG" client 127.0.0.1 "$tport" blocking x
	assert_failure
	[[ $stderr == *"connect: ECONNREFUSED"* ]] || fail "stderr: $stderr"
}

@test "--rule 'sctp addr 127.0.0.0/8': 127.0.0.1 converts, ::1 and the wildcard stay TCP" {
	start srv "$SCTPIZE" --rule 'sctp addr 127.0.0.0/8' \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" ::1 "$port2" 0.0.0.0 "$port3"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	# A wildcard bind matches only a prefix that contains 0.0.0.0.
	on_tcp_only "$port3"
	stop_bg
	start srv "$SCTPIZE" --rule 'sctp addr 0.0.0.0/0' "$PY" -c "$LISTEN_PY" 0.0.0.0 "$port3" ::1 "$port2"
	on_sctp_only "$port3"
	on_tcp_only "$port2"
	# Clients: the address connected to.
	sctp_and_tcp_servers
	start tsrv6 "$MIG" server ::1 "$port" accept 10
	client_gets --rule 'sctp addr 127.0.0.0/8' -- "$sport" sctp
	run --separate-stderr timeout 120 "$SCTPIZE" --rule 'sctp addr 127.0.0.0/8' \
		"$MIG" client ::1 "$port" blocking six
	assert_success
	assert_output "tcp tcp ::1 six"
}

@test "--rule 'sctp prog python3*': python3 converts, another program stays TCP" {
	start py "$SCTPIZE" --rule 'sctp prog python3*' "$PY" -c "$LISTEN_PY" 127.0.0.1 "$port"
	on_sctp_only "$port"
	start mig "$SCTPIZE" --rule 'sctp prog python3*' "$MIG" server 127.0.0.1 "$port2" accept 1
	on_tcp_only "$port2"
	start mig2 "$SCTPIZE" --rule 'sctp prog e2e_mig*' "$MIG" server 127.0.0.1 "$port3" accept 1
	on_sctp_only "$port3"
}

@test "--config FILE: its rules in order and its default line; command-line rules come first" {
	cat > "$T/rules.conf" <<-EOF
		# which ports of the test program convert
		tcp port $port2        # first match wins: stays TCP

		sctp addr 127.0.0.0/8
		default tcp
	EOF
	start srv "$SCTPIZE" --config "$T/rules.conf" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2" ::1 "$port3"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	on_tcp_only "$port3"
	stop_bg
	# The default line decides what no rule matches.
	printf 'sctp port %s\ndefault sctp\n' "$port" > "$T/default.conf"
	start srv "$SCTPIZE" --config "$T/default.conf" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" ::1 "$port3"
	on_sctp_only "$port"
	on_sctp_only "$port3"
	stop_bg
	# SCTPIZE_CONFIG names the file as --config does; the command line's rules go first.
	SCTPIZE_CONFIG=$T/rules.conf start srv "$SCTPIZE" --rule "tcp port $port" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port3"
	on_tcp_only "$port"
	on_sctp_only "$port3"
}

@test "first match wins: the order of --rule, --except-ports before --ports, --default" {
	start srv "$SCTPIZE" --rule "tcp port $port" --rule 'sctp addr 127.0.0.0/8' \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_tcp_only "$port"
	on_sctp_only "$port2"
	stop_bg
	start srv "$SCTPIZE" --rule 'sctp addr 127.0.0.0/8' --rule "tcp port $port" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_sctp_only "$port2"
	stop_bg
	start srv "$SCTPIZE" --ports "$port,$port2" --except-ports "$port2" \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_tcp_only "$port2"
	stop_bg
	start srv "$SCTPIZE" --ports "$port" --default sctp \
		"$PY" -c "$LISTEN_PY" 127.0.0.1 "$port" 127.0.0.1 "$port2"
	on_sctp_only "$port"
	on_sctp_only "$port2"
}

# ---- what survives the late conversion ----

# The report of `migrate preserve[-server]` when everything survived.
assert_preserved() {
	local proto=$1
	assert_line "fd SAME"
	assert_line "proto $proto"
	assert_line "nonblock yes"
	assert_line "cloexec yes"
	assert_line "reuseaddr 1"
	assert_line "keepalive 1"
	assert_line "linger 1 5"
	assert_line "sndtimeo 7"
	# The DSCP bits as set; the two ECN bits are the transport's (SCTP sets ECT(0)).
	local tos
	tos=$(sed -n 's/^tos //p' <<<"$output")
	[ -n "$tos" ] && [ $((tos & 0xfc)) = 16 ] || fail "tos '$tos', set 16 (0x10)"
	assert_line "nodelay 1"
	assert_line "keepidle 77"
	local rcvbuf
	rcvbuf=$(sed -n 's/^rcvbuf //p' <<<"$output")
	[ -n "$rcvbuf" ] && [ "$rcvbuf" -ge 300000 ] || fail "rcvbuf '$rcvbuf', set 300000"
}

@test "preserve: a client converted at connect() keeps its fd, flags, options and bound address (IPv4)" {
	sctp_and_tcp_servers
	run --separate-stderr timeout 120 "$SCTPIZE" --ports "$sport" "$MIG" preserve 127.0.0.1 "$sport"
	[ "$status" = 0 ] || fail "exit $status: $stderr"
	assert_preserved sctp
	assert_line "bound 127.0.0.1"
	assert_line "answer sctp 127.0.0.1 preserve"
	# The same program on a port that stays TCP says the same, on TCP.
	run --separate-stderr timeout 120 "$SCTPIZE" --ports "$sport" "$MIG" preserve 127.0.0.1 "$tport"
	[ "$status" = 0 ] || fail "exit $status: $stderr"
	assert_preserved tcp
	assert_line "answer tcp 127.0.0.1 preserve"
}

@test "preserve: a client converted at connect() keeps everything (IPv6, IPV6_TCLASS)" {
	start srv "$SCTPIZE" "$MIG" server ::1 "$port" accept 1
	on_sctp_only "$port"
	run --separate-stderr timeout 120 "$SCTPIZE" --ports "$port" "$MIG" preserve ::1 "$port"
	[ "$status" = 0 ] || fail "exit $status: $stderr"
	assert_preserved sctp
	assert_line "bound ::1"
	assert_line "answer sctp ::1 preserve"
}

@test "preserve-server: a listener converted at listen() keeps its fd, flags, options and address" {
	for addr in 127.0.0.1 ::1; do
		start srv "$SCTPIZE" --ports "$port" "$MIG" preserve-server "$addr" "$port"
		on_sctp_only "$port"
		run timeout 120 "$PY" -c "$CLIENT_PY" sctp "$addr" "$addr" "$port" hi
		finished srv
		run cat "$T/srv.out"
		assert_preserved sctp
		if [ "$addr" = ::1 ]; then
			assert_line "bound [::1]:$port"
		else
			assert_line "bound 127.0.0.1:$port"
		fi
		assert_line "client sctp"
		stop_bg
		rm -f "$T/srv.rc"
	done
}

# ---- both, client: SCTP first, TCP when the peer has no SCTP ----

CLIENT_MODES="blocking poll epoll epoll-early connect2"

# The wrapped --both client in MODE to ADDR PORT: output, stderr, status and
# $elapsed (ms).  A fallback through the timeout would take FALLBACK_MS here,
# so a client that took less did not wait for it, however slow the machine.
FALLBACK_MS=60000
both_client() {
	local t0
	t0=$(ms)
	run --separate-stderr timeout 180 "$SCTPIZE" --both --fallback-timeout "$FALLBACK_MS" "$MIG" client "$@"
	elapsed=$(($(ms) - t0))
}

# expect LABEL STATUS OUTPUT_REGEX STDERR_GLOB MIN_MS MAX_MS: the last run
# (with $elapsed) gave these, or a line about LABEL is added to $errors.
# The modes are all tried before the test fails, so that one mode's failure
# does not hide another's.
expect() {
	local why=
	[ "$status" = "$2" ] || why+=" exit $status (expected $2, stderr: $stderr);"
	[[ $output =~ $3 ]] || why+=" output '$output' (expected /$3/);"
	[[ $stderr == $4 ]] || why+=" stderr '$stderr' (expected '$4');"
	[ "$elapsed" -ge "$5" ] && [ "$elapsed" -lt "$6" ] ||
		why+=" took $elapsed ms (expected $5 to $6);"
	[ -z "$why" ] || errors+="$1:$why"$'\n'
}

@test "both client: falls back to TCP against a TCP-only server, in every connect style, at once" {
	start tsrv "$MIG" server 127.0.0.1 "$port" accept 100
	on_tcp_only "$port"
	errors=
	# The refusal (ABORT) answers at once: no waiting for the fallback timeout.
	for mode in $CLIENT_MODES; do
		both_client 127.0.0.1 "$port" "$mode" "hello $mode"
		expect "$mode" 0 "^tcp tcp 127\.0\.0\.1 hello $mode\$" "*" 0 "$FALLBACK_MS"
	done
	start tsrv6 "$MIG" server ::1 "$port2" epoll-et 100
	both_client ::1 "$port2" epoll six
	expect "::1 epoll" 0 '^tcp tcp ::1 six$' "*" 0 "$FALLBACK_MS"
	# An unwrapped python3 TCP server too.
	start pysrv "$PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '"$port3"')); s.listen(); print("listening", flush=True)
c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()'
	both_client 127.0.0.1 "$port3" poll "from python"
	expect "python3 server, poll" 0 '^tcp FROM PYTHON$' "*" 0 "$FALLBACK_MS"
	[ -z "$errors" ] || fail "$errors"
}

@test "both client: stays on SCTP against an SCTP server, in every connect style" {
	start ssrv "$SCTPIZE" "$MIG" server 127.0.0.1 "$port" accept 100
	on_sctp_only "$port"
	errors=
	for mode in $CLIENT_MODES; do
		both_client 127.0.0.1 "$port" "$mode" "hello $mode"
		expect "$mode" 0 "^sctp sctp 127\.0\.0\.1 hello $mode\$" "*" 0 "$FALLBACK_MS"
	done
	[ -z "$errors" ] || fail "$errors"
}

@test "both client: nothing listens at all: ECONNREFUSED, TCP's answer, at once" {
	errors=
	for mode in $CLIENT_MODES; do
		both_client 127.0.0.1 "$port" "$mode" x
		expect "$mode" 1 '^$' "*connect: ECONNREFUSED*" 0 "$FALLBACK_MS"
	done
	[ -z "$errors" ] || fail "$errors"
}

# The SCTP attempt's ephemeral port is free in SCTP's port space even where
# the TCP listener holds it: in a namespace whose ephemeral ports are only
# $port and $port+1, about half the attempts to $port take $port itself, and
# their INIT reaches themselves and comes up.  That is no SCTP peer: TCP.
@test "both client: an SCTP attempt that takes the port it connects to reaches itself: TCP, in every connect style" {
	NS=sctpize-self-$$
	ip netns add "$NS" || fail "ip netns add $NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="$port $((port + 1))"
	start tsrv ip netns exec "$NS" "$MIG" server 127.0.0.1 "$port" accept 100
	errors=
	local k mode
	for k in 1 2 3 4; do
		for mode in $CLIENT_MODES; do
			run --separate-stderr timeout 120 ip netns exec "$NS" "$SCTPIZE" --both -v \
				--log "$T/log" "$MIG" client 127.0.0.1 "$port" "$mode" "$mode $k"
			elapsed=0
			expect "$mode ($k)" 0 "^tcp tcp 127\.0\.0\.1 $mode $k\$" "*" 0 1
		done
	done
	[ -z "$errors" ] || fail "$errors"
	# (20 attempts, each taking $port with odds of one half: it happened.)
	local selves
	selves=$(grep -c 'reached itself' "$T/log")
	echo "# $selves of 20 SCTP attempts took port $port and reached themselves" >&3
	[ "$selves" -ge 1 ] || fail "no SCTP attempt took port $port: the test tested nothing"
}

# Drop every SCTP packet to 127.0.0.2 on lo (tc: neither nft nor iptables is
# installed where these tests run): a peer whose SCTP never answers.
drop_sctp_to_127_0_0_2() {
	command -v tc > /dev/null || return 1
	tc qdisc add dev lo clsact 2>/dev/null || return 1
	DROPPING=1
	tc filter add dev lo egress protocol ip prio 1 u32 match ip protocol 132 0xff \
		match ip dst 127.0.0.2/32 action drop 2>/dev/null
}

@test "both client: a peer that silently drops SCTP: TCP after the fallback timeout" {
	if ! drop_sctp_to_127_0_0_2; then
		[ "${CI:-}" = true ] && fail "tc cannot drop SCTP packets here, and CI never skips"
		skip "tc cannot drop SCTP packets on lo (no tc, clsact, u32 or gact)"
	fi
	start tsrv "$MIG" server 127.0.0.2 "$port" accept 100
	# The control: a TCP-only server where SCTP is refused at once.
	start tsrv2 "$MIG" server 127.0.0.1 "$port2" accept 100
	# The drop works: a native SCTP connect gets no answer.
	run timeout 120 "$PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132); s.settimeout(1)
try:
    s.connect(('127.0.0.2', $port)); print('answered')
except socket.timeout:
    print('no answer')
except OSError as e:
    print('answered', e)"
	assert_output "no answer"
	local mode
	errors=
	for mode in $CLIENT_MODES; do
		after_timeout 1500 "$mode" --fallback-timeout 1500
	done
	# The default timeout is 1000 ms.
	after_timeout 1000 blocking
	[ -z "$errors" ] || fail "$errors"
}

# after_timeout MS MODE [OPTIONS...]: the both client in MODE with OPTIONS
# to 127.0.0.2, whose SCTP is dropped, falls back to TCP after MS.  Its time
# is bounded by the time of the same client falling back at once (the
# control, measured just before, on the same machine under the same load):
# at least MS, at most MS plus twice the control plus 3 s.
after_timeout() {
	local wait_ms=$1 mode=$2 t0 control
	shift 2
	t0=$(ms)
	run --separate-stderr timeout 60 "$SCTPIZE" --both "$@" "$MIG" client 127.0.0.1 "$port2" "$mode" "now $mode"
	control=$(($(ms) - t0))
	elapsed=$control
	expect "$mode $*, control" 0 "^tcp tcp 127\.0\.0\.1 now $mode\$" "*" 0 60000
	t0=$(ms)
	run --separate-stderr timeout 60 "$SCTPIZE" --both "$@" "$MIG" client 127.0.0.2 "$port" "$mode" "late $mode"
	elapsed=$(($(ms) - t0))
	echo "# $mode ${*:-(default timeout)}: TCP after $elapsed ms; at once: $control ms" >&3
	expect "$mode $*" 0 "^tcp tcp 127\.[0-9.]+ late $mode\$" "*" $((wait_ms - 100)) $((wait_ms + 2 * control + 3000))
}

# ---- both, server: one listening socket for TCP and SCTP clients ----

# Four clients at once, two TCP and two native SCTP, each from its own
# address, to the dual listener on 127.0.0.1 $port; each answer names its
# protocol and its real address.
four_clients() {
	local pids=()
	"$PY" -c "$CLIENT_PY" tcp 127.0.0.3 127.0.0.1 "$port" tcp-a > "$T/c1" 2>&1 &
	pids+=($!)
	"$PY" -c "$CLIENT_PY" sctp 127.0.0.4 127.0.0.1 "$port" sctp-a > "$T/c2" 2>&1 &
	pids+=($!)
	timeout 120 "$MIG" client 127.0.0.1 "$port" poll tcp-b > "$T/c3" 2>&1 &
	pids+=($!)
	"$PY" -c "$CLIENT_PY" sctp 127.0.0.5 127.0.0.1 "$port" sctp-b > "$T/c4" 2>&1 &
	pids+=($!)
	wait "${pids[@]}"
	assert_equal "$(cat "$T/c1")" "tcp 127.0.0.3 tcp-a"
	assert_equal "$(cat "$T/c2")" "sctp 127.0.0.4 sctp-a"
	assert_equal "$(cat "$T/c3")" "tcp tcp 127.0.0.1 tcp-b"
	assert_equal "$(cat "$T/c4")" "sctp 127.0.0.5 sctp-b"
}

dual_listener() {
	start srv "$SCTPIZE" --both --ports "$port" "$MIG" server 127.0.0.1 "$port" "$1" 4
	on_both "$port"
	four_clients
	finished srv
}

@test "dual listener, blocking accept(): TCP and SCTP clients at once, real addresses" {
	dual_listener accept
}

@test "dual listener, blocking accept4(SOCK_CLOEXEC)" {
	dual_listener accept4
}

@test "dual listener, select()" {
	dual_listener select
}

@test "dual listener, poll()" {
	dual_listener poll
}

@test "dual listener, epoll level triggered" {
	dual_listener epoll-lt
}

@test "dual listener, epoll edge triggered (accept until EAGAIN)" {
	dual_listener epoll-et
}

@test "dual listener on ::1; a both client to a both server takes SCTP" {
	start srv "$SCTPIZE" --both --ports "$port" "$MIG" server ::1 "$port" epoll-lt 3
	on_both "$port"
	run timeout 120 "$PY" -c "$CLIENT_PY" tcp ::1 ::1 "$port" t6
	assert_output "tcp ::1 t6"
	run timeout 120 "$PY" -c "$CLIENT_PY" sctp ::1 ::1 "$port" s6
	assert_output "sctp ::1 s6"
	run --separate-stderr timeout 120 "$SCTPIZE" --both "$MIG" client ::1 "$port" epoll both
	assert_output "sctp sctp ::1 both"
	finished srv
}

sha() {
	sha256sum < "$1" | cut -d' ' -f1
}

sctp_mib() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/net/sctp/snmp
}

# Three plain curls (TCP) and three wrapped ones (SCTP) at once fetch
# $T/www/blob from 127.0.0.1 $port: every copy intact, three SCTP
# associations accepted.
six_curls() {
	local before i pids=()
	before=$(sctp_mib SctpPassiveEstabs)
	for i in 1 2 3; do
		timeout 60 curl -sS -o "$T/tcp$i" "http://127.0.0.1:$port/blob" 2> "$T/tcp$i.err" &
		pids+=($!)
		timeout 60 "$SCTPIZE" curl -sS -o "$T/sctp$i" "http://127.0.0.1:$port/blob" 2> "$T/sctp$i.err" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in 1 2 3; do
		[ "$(sha "$T/tcp$i")" = "$(sha "$T/www/blob")" ] || fail "TCP curl $i: $(cat "$T/tcp$i.err")"
		[ "$(sha "$T/sctp$i")" = "$(sha "$T/www/blob")" ] || fail "SCTP curl $i: $(cat "$T/sctp$i.err")"
	done
	[ "$(sctp_mib SctpPassiveEstabs)" -eq $((before + 3)) ] ||
		fail "SctpPassiveEstabs: $before before, $(sctp_mib SctpPassiveEstabs) after"
}

@test "dual listener in an event loop: python3 -m http.server serves curl on TCP and on SCTP at once" {
	mkdir "$T/www"
	head -c 1048576 /dev/urandom > "$T/www/blob"
	bg "$SCTPIZE" --both --ports "$port" "$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$T/www"
	on_both "$port"
	six_curls
}

@test "dual listener in nginx (epoll, accept4): curl on TCP and on SCTP at once" {
	command -v nginx > /dev/null || fail "nginx is not installed (tests/install-deps)"
	mkdir -p "$T/www" "$T/tmp"
	head -c 1048576 /dev/urandom > "$T/www/blob"
	cat > "$T/nginx.conf" <<-EOF
		daemon off;
		master_process on;
		worker_processes 1;
		user root;
		pid $T/nginx.pid;
		error_log $T/error.log;
		events { use epoll; }
		http {
			access_log off;
			client_body_temp_path $T/tmp/body;
			proxy_temp_path $T/tmp/proxy;
			fastcgi_temp_path $T/tmp/fastcgi;
			uwsgi_temp_path $T/tmp/uwsgi;
			scgi_temp_path $T/tmp/scgi;
			server { listen 127.0.0.1:$port; root $T/www; }
		}
	EOF
	bg "$SCTPIZE" --both --ports "$port" nginx -p "$T" -e "$T/error.log" -c "$T/nginx.conf"
	on_both "$port"
	six_curls
}
