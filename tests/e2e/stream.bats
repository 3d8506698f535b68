#!/usr/bin/env bats
# Issue 13: the byte stream of a converted socket is exactly what the peer's
# program wrote, by every path a program reads with, and descriptors behave as
# descriptors, whatever the program does that the library does not see.
#
#   default (no SCTPIZE_HALF_CLOSE): nothing announced, nothing subscribed; a
#   shutdown(SHUT_WR) is SCTP's own, the peer reads every byte, then end of
#   file, from read(), stdio, splice(), recvmsg() or recvmmsg();
#   SCTPIZE_HALF_CLOSE=1 on both ends: TCP's half-close, the reply after end of
#   file arrives too, for programs that read through libc's socket calls.
#
# Every case runs on the real SCTP kernel, twice: the programs as they are,
# over TCP (the control), and the same programs under sctpize; both must give
# the same bytes and answers, and the sctpize run must be SCTP (each program
# prints its socket's SO_PROTOCOL).  The cases: a client that half-closes and
# reads on, a Python server starting a subprocess (vfork), an accepted socket
# at descriptor >= 65536, closes the library does not see (fclose(fdopen()),
# closefrom()) and a pipe that reuses the number, reads that bypass the
# wrappers (stdio, splice) or carry a control buffer (recvmsg) or several
# messages (recvmmsg), recv(MSG_DONTWAIT) and a pool's alive check against
# sctpize and native SCTP peers, and the connect-with-timeout idiom.  The
# host-side cases of the issue are tests/unit/stream.bats.
# Programs: tests/helpers/e2e_streamcase.c, e2e_streamcase.py, nc, socat, strace.

load ../helpers/common

PY=/usr/bin/python3
SC=$HELPERS/e2e_streamcase
SCPY=$TOP/tests/helpers/e2e_streamcase.py

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# The mode is the test's: nothing of the caller's environment takes part.
	local v
	for v in $(compgen -e); do
		case $v in SCTPIZE_*) unset "$v" ;; esac
	done
	# A system /etc/sctpize.conf never takes part either.
	export SCTPIZE_CONFIG=/dev/null
	[ -x "$SC" ] || fail "$SC is missing: run 'make test-programs' first"
	[ -x "$PY" ] || fail "python3 is not installed (tests/install-deps)"
	# A pipe nothing is ever written to: "read -t" on it is a sleep that starts
	# no process (starting one takes a second on a loaded User-Mode Linux).
	mkfifo "$T/never"
	exec {NEVER}<> "$T/never"
}

teardown() {
	teardown_bg
	[ -z "${NEVER:-}" ] || exec {NEVER}>&-
}

# --- waiting without starting processes ---

nap() {
	read -r -t 0.1 -u "$NEVER" _ || true
}

# Wait up to 60 s for CHECK ARGS... (a loaded machine starts Python slowly).
wait_long() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		nap
	done
	return 1
}

# An SCTP endpoint listens on PORT (/proc/net/sctp/eps: LPORT is field 6).
sctp_up() {
	local -a f
	[ -r /proc/net/sctp/eps ] || return 1
	while read -r -a f; do
		[ "${f[5]-}" != "$1" ] || return 0
	done < /proc/net/sctp/eps
	return 1
}

# A TCP socket listens on 127.0.0.1 or the wildcard, PORT (state 0A in /proc/net/tcp).
tcp_up() {
	local -a f
	local hex
	printf -v hex '%04X' "$1"
	while read -r -a f; do
		[[ ${f[1]-} != *":$hex" || ${f[3]-} != 0A ]] || return 0
	done < /proc/net/tcp
	return 1
}

# A port nothing listens on, in $port.
pick_port() {
	local i
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + RANDOM % 20000))
		sctp_up "$port" || tcp_up "$port" || return 0
	done
	fail "no free port"
}

# What a run over PROTO wraps its programs in: nothing for tcp, the library
# for sctp; and the protocol number the programs must print ($n).  The library
# is preloaded as the wrapper does it, without the wrapper's own checks (they
# start four processes, seconds on a loaded User-Mode Linux); the first test,
# the --both tests and nc go through the wrapper itself.
wrap() {
	case $1 in
	tcp)	W=() n=6 ;;
	sctp)	W=(env "LD_PRELOAD=$LIB") n=132 ;;
	esac
}

# Start SERVER... in the background, output to $T/server.out; PORT in its
# words is $port (a free one, chosen here).  Waits until it listens: on TCP
# for PROTO tcp, on SCTP (and not TCP) for sctp, on both for both.  Our
# programs end themselves (an alarm: e2e_streamcase.c); others get a timeout.
start_server() {
	local proto=$1
	shift
	pick_port
	# (3>&-: not bats's own descriptor, so descriptor numbers are the program's)
	bg "${@//PORT/$port}" > "$T/server.out" 2> "$T/server.err" 3>&-
	spid=$!
	case $proto in
	tcp)	wait_long tcp_up "$port" || fail "$(not_listening TCP)" ;;
	sctp)	wait_long sctp_up "$port" || fail "$(not_listening SCTP)"
		! tcp_up "$port" || fail "the server listens on TCP too" ;;
	both)	wait_long sctp_up "$port" || fail "$(not_listening SCTP)"
		tcp_up "$port" || fail "$(not_listening TCP)" ;;
	esac
}

not_listening() {
	echo "the server does not listen on $1; it said:"
	cat "$T/server.out" "$T/server.err"
}

# The contents of FILE, without its last newline, in variable NAME.
slurp() {
	local -n into=$2
	into=
	read -r -d '' into < "$1" || true
	into=${into%$'\n'}
}

# Run CLIENT... (PORT as above); its output (and "exit=N" if it failed) in $client.
run_client() {
	local rc=0
	"${@//PORT/$port}" > "$T/client.out" 2> "$T/client.err" 3>&- || rc=$?
	slurp "$T/client.out" client
	[ "$rc" = 0 ] || client+=$'\n'"exit=$rc"
}

# Wait for the server started last to end; its output (and "exit=N") in $server.
finish_server() {
	local rc=0
	wait "$spid" || rc=$?
	slurp "$T/server.out" server
	[ "$rc" = 0 ] || server+=$'\n'"exit=$rc"
}

# One exchange over PROTO: SERVER... -- CLIENT...; sets $server and $client.
exchange() {
	local proto=$1 s=()
	shift
	while [ "$1" != -- ]; do
		s+=("$1")
		shift
	done
	shift
	start_server "$proto" "${s[@]}"
	run_client "$@"
	finish_server
}

# The output of one side ($1: server, client or ours) of the run over PROTO
# ($2) is the lines given.
expect() {
	local side=$1 proto=$2 want
	shift 2
	printf -v want '%s\n' "$@"
	assert_equal "$proto $side: ${!side}" "$proto $side: ${want%$'\n'}"
}

# --- 0. The plain case: a client that half-closes -------------------------

# (A client that then waits in poll() for the server to close, as nc -N does,
# waits for ever on SCTP: Linux reports nothing to the end that started the
# shutdown; documented in libsctpize(7), not asserted here.)
@test "default: after its own shutdown(SHUT_WR) a client reads end of file once the server closed (0, not ENOTCONN)" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT read -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

# --- 1. A Python server that starts a subprocess: vfork() -------------------

@test "default: a Python server that runs a subprocess (vfork) after accept() reads exactly the client's bytes, then end of file" {
	for p in tcp sctp; do
		wrap $p
		[ $p = tcp ] || W=("$SCTPIZE")
		exchange $p "${W[@]}" strace -f -qq -e trace=vfork -o "$T/strace.$p" \
			"$PY" "$SCPY" server PORT accept -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
		# CPython really starts its child with vfork() (shares the parent's memory).
		grep -q 'vfork()' "$T/strace.$p" || fail "$p: no vfork() in: $(cat "$T/strace.$p")"
	done
}

@test "half-close: a Python server that runs a subprocess after accept() reads the bytes, end of file, and its reply arrives" {
	export SCTPIZE_HALF_CLOSE=1
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$PY" "$SCPY" server PORT accept reply -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof' "reply=sent"
		expect client $p "client proto=$n" 'reply="reply\n" end=eof'
	done
}

@test "default: a Python server that runs a subprocess after listen(), before accept(), reads exactly the client's bytes" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$PY" "$SCPY" server PORT listen -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "half-close: a Python server that runs a subprocess after listen() reads the bytes, end of file, and its reply arrives" {
	export SCTPIZE_HALF_CLOSE=1
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$PY" "$SCPY" server PORT listen reply -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof' "reply=sent"
		expect client $p "client proto=$n" 'reply="reply\n" end=eof'
	done
}

@test "--both: after a subprocess started between listen() and accept(), the listener accepts an sctpize client and a TCP client" {
	local both=() first=() c1
	for p in tcp sctp; do
		wrap $p
		both=() first=()
		[ $p = tcp ] || both=("$SCTPIZE" --both --ports PORT) first=("$SCTPIZE")
		start_server "${p/sctp/both}" "${both[@]}" "$PY" "$SCPY" dual PORT 2
		run_client "${first[@]}" "$SC" client PORT
		c1=$client
		run_client "$SC" client PORT
		finish_server
		expect server $p "server proto=$n" 'got="hello\n" end=eof' \
			"server proto=6" 'got="hello\n" end=eof'
		expect c1 $p "client proto=$n" 'reply="" end=eof'
		expect client $p "client proto=6" 'reply="" end=eof'
	done
}

# --- 2. An accepted socket at descriptor 65536 or above ----------------------

@test "default: an accepted socket at descriptor >= 65536 reads exactly the client's bytes, then end of file" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT read high -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n fd>=65536" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "half-close: an accepted socket at descriptor >= 65536 reads the bytes, end of file, and its reply arrives" {
	export SCTPIZE_HALF_CLOSE=1
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT read high reply -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n fd>=65536" 'got="hello\n" end=eof' "reply=sent"
		expect client $p "client proto=$n" 'reply="reply\n" end=eof'
	done
}

# --- 3. Closes the library does not see, and the number reused ---------------

@test "default: an accepted socket closed unseen (fclose(fdopen()), closefrom()): a pipe that reuses its number works" {
	for c in fclose closefrom; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" server PORT read close=$c -- "${W[@]}" "$SC" client PORT
			expect server "$p $c" "server proto=$n" 'got="hello\n" end=eof' "pipe=ok"
			expect client "$p $c" "client proto=$n" 'reply="" end=eof'
		done
	done
}

@test "default: a client socket closed unseen (fclose(fdopen()), closefrom()): a pipe that reuses its number works" {
	# (the client sends, half-closes and closes without reading to the end)
	for c in fclose closefrom; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" server PORT read -- "${W[@]}" "$SC" client PORT close=$c
			expect server "$p $c" "server proto=$n" 'got="hello\n" end=eof'
			expect client "$p $c" "client proto=$n" 'reply="" end=open' "pipe=ok"
		done
	done
}

@test "half-close: an accepted socket closed unseen (fclose(fdopen()), closefrom()): a pipe that reuses its number works" {
	export SCTPIZE_HALF_CLOSE=1
	for c in fclose closefrom; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" server PORT read reply close=$c -- "${W[@]}" "$SC" client PORT
			expect server "$p $c" "server proto=$n" 'got="hello\n" end=eof' "reply=sent" "pipe=ok"
			expect client "$p $c" "client proto=$n" 'reply="reply\n" end=eof'
		done
	done
}

@test "half-close: a client socket closed unseen (fclose(fdopen()), closefrom()): a pipe that reuses its number works" {
	export SCTPIZE_HALF_CLOSE=1
	for c in fclose closefrom; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" server PORT read reply -- \
				"${W[@]}" "$SC" client PORT reply close=$c
			expect server "$p $c" "server proto=$n" 'got="hello\n" end=eof' "reply=sent"
			expect client "$p $c" "client proto=$n" 'reply="reply\n" end=open' "pipe=ok"
		done
	done
}

@test "--both: a dual listener closed by closefrom(), then a file with its number close()d: no other descriptor goes" {
	local both=() first=() c1
	for p in tcp sctp; do
		wrap $p
		both=() first=()
		[ $p = tcp ] || both=("$SCTPIZE" --both --ports PORT) first=("$SCTPIZE")
		start_server "${p/sctp/both}" "${both[@]}" "$SC" dual-close PORT 2
		run_client "${first[@]}" "$SC" client PORT
		c1=$client
		run_client "$SC" client PORT
		finish_server
		expect server $p "server proto=$n" 'got="hello\n" end=eof' \
			"server proto=6" 'got="hello\n" end=eof' "reuse=yes" "others=ok"
		expect c1 $p "client proto=$n" 'reply="" end=eof'
		expect client $p "client proto=6" 'reply="" end=eof'
	done
}

# --- 4. Reads that bypass the wrappers, or carry more than bytes -------------

@test "default: a stdio server (fdopen + fgets) reads exactly the client's bytes, then end of file" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT stdio -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "default: a stdio server reads exactly what nc -N sends, then end of file" {
	for p in tcp sctp; do
		wrap $p
		start_server $p "${W[@]}" "$SC" server PORT stdio
		[ $p = tcp ] || W=("$SCTPIZE")
		# On SCTP nc is not told when the server then closes, and waits in poll()
		# (libsctpize(7), TCP semantics): only TCP's nc is asked to end by itself.
		run_client timeout "$([ $p = tcp ] && echo 60 || echo 15)" "${W[@]}" \
			nc -N 127.0.0.1 PORT <<< hello
		finish_server
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		[ $p = sctp ] || expect client $p ""
	done
}

@test "default: a splice() reader (socket to pipe) reads exactly the client's bytes, then end of file" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT splice -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "default: recvmsg() with a control buffer: exact bytes, end of file, no control message" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT recvmsg -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof ctl=0 trunc=0'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "half-close: recvmsg() with a control buffer: exact bytes, end of file, no control message, the reply arrives" {
	export SCTPIZE_HALF_CLOSE=1
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT recvmsg reply -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof ctl=0 trunc=0' "reply=sent"
		expect client $p "client proto=$n" 'reply="reply\n" end=eof'
	done
}

@test "default: recvmmsg() reads exactly the client's bytes, then end of file" {
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT recvmmsg -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof'
		expect client $p "client proto=$n" 'reply="" end=eof'
	done
}

@test "half-close: recvmmsg() reads the client's bytes, end of file, and the reply arrives" {
	export SCTPIZE_HALF_CLOSE=1
	for p in tcp sctp; do
		wrap $p
		exchange $p "${W[@]}" "$SC" server PORT recvmmsg reply -- "${W[@]}" "$SC" client PORT
		expect server $p "server proto=$n" 'got="hello\n" end=eof' "reply=sent"
		expect client $p "client proto=$n" 'reply="reply\n" end=eof'
	done
}

# --- 5. recv(MSG_DONTWAIT) on a blocking socket, and a pool's alive check ----

# dontwait ROLE (listen or connect) against PEER: tcp (socat over TCP, the
# control), sctpize (the quiet peer under sctpize) or native (socat over
# SCTP, no sctpize); our side is under sctpize unless PEER is tcp.  The peer
# closes once it has one byte (which we send after the first two checks).
# Our program's output in $ours.
dontwait() {
	local role=$1 peer=$2 me=(env "LD_PRELOAD=$LIB") other=() l=sctp
	local quiet=SYSTEM:'head -c 1 >/dev/null'
	case $peer in
	tcp)	me=() l=tcp
		other=(timeout 60 socat "TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr" "$quiet")
		[ "$role" = connect ] ||
			other=(timeout 60 socat TCP-CONNECT:127.0.0.1:PORT "$quiet") ;;
	native)	other=(timeout 60 socat "SCTP-LISTEN:PORT,bind=127.0.0.1,reuseaddr" "$quiet")
		[ "$role" = connect ] ||
			other=(timeout 60 socat SCTP-CONNECT:127.0.0.1:PORT "$quiet") ;;
	sctpize) other=("${me[@]}" "$SC" peer PORT listen)
		[ "$role" = connect ] || other=("${me[@]}" "$SC" peer PORT connect) ;;
	esac
	if [ "$role" = connect ]; then
		start_server $l "${other[@]}"
		run_client "${me[@]}" "$SC" dontwait PORT connect
		finish_server
		ours=$client
	else
		start_server $l "${me[@]}" "$SC" dontwait PORT listen
		run_client "${other[@]}"
		finish_server
		ours=$server
	fi
}

@test "default: recv(MSG_DONTWAIT) with nothing queued is EAGAIN; the alive check is EAGAIN, then 0 once the peer closed" {
	for role in connect listen; do
		for peer in tcp sctpize native; do
			n=132
			[ $peer != tcp ] || n=6
			dontwait $role $peer
			expect ours "$role $peer" "proto=$n" "dontwait=-1:EAGAIN" "alive=-1:EAGAIN" "closed=0"
		done
	done
}

@test "half-close: recv(MSG_DONTWAIT) with nothing queued is EAGAIN, against sctpize and native SCTP peers; the alive check too" {
	export SCTPIZE_HALF_CLOSE=1
	for role in connect listen; do
		for peer in tcp sctpize native; do
			n=132
			[ $peer != tcp ] || n=6
			dontwait $role $peer
			expect ours "$role $peer" "proto=$n" "dontwait=-1:EAGAIN" "alive=-1:EAGAIN" "closed=0"
		done
	done
}

# --- 6. The connect-with-timeout idiom ---------------------------------------

@test "default: connect with a timeout (non-blocking connect, poll, back to blocking): poll(POLLIN) times out while the server is quiet" {
	for v in soerror nosoerror; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" peer PORT listen -- "${W[@]}" "$SC" ctimeout PORT $v
			local want=("poll=0 revents=0" "proto=$n")
			[ $v = nosoerror ] || want=("so_error=0" "${want[@]}")
			expect client "$p $v" "${want[@]}"
			expect server "$p $v" "peer proto=$n"
		done
	done
}

@test "half-close: connect with a timeout: poll(POLLIN) times out while the server is quiet" {
	export SCTPIZE_HALF_CLOSE=1
	for v in soerror nosoerror; do
		for p in tcp sctp; do
			wrap $p
			exchange $p "${W[@]}" "$SC" peer PORT listen -- "${W[@]}" "$SC" ctimeout PORT $v
			local want=("poll=0 revents=0" "proto=$n")
			[ $v = nosoerror ] || want=("so_error=0" "${want[@]}")
			expect client "$p $v" "${want[@]}"
			expect server "$p $v" "peer proto=$n"
		done
	done
}
