#!/usr/bin/env bats
# An inetd-style service written in C that reads its socket with stdio
# (fgets() until end of file), under xinetd under sctpize, reached by a
# half-closing client (nc -N: shutdown(SHUT_WR) at the end of its input,
# then it waits for the server to close).  stdio reads through libc's
# internal read, which no preloaded library sees: in the default mode the
# service must see exactly the bytes the client sent, then end of file.
# (Programs that read through stdio must not use --half-close: not tested.)
# nc itself is not asked to end: on SCTP the side that shut down first gets
# no poll() event when the association then closes (measured on Linux 6.1:
# poll() reports nothing, a non-blocking read EAGAIN), and nc -N waits in
# poll() for ever, as documented (libsctpize(7), TCP semantics).
#
# The same xinetd, service and nc without sctpize first: the TCP control.
# xinetd runs in the foreground in its own process group (bg); the service
# is a child of xinetd in that group.

load ../helpers/common

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# Text lines (the service copies with fgets/fputs), the last one without
	# a newline, about 290 KB: more than one read and more than one message.
	{
		seq 1 20000 | sed 's/$/ line of text, as a client of a stdio service sends it/' | head -c 290000
		printf 'the last line, without a newline'
	} > "$T/data"
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

# start_xinetd NAME tcp|sctp: xinetd in $T/NAME with the one service
# e2e_stdio_service, which writes what it read to $T/NAME/got.
start_xinetd() {
	local d=$T/$1 how=$2
	mkdir -p "$d"
	port=$(free_port) || fail "no free port"
	cat > "$d/xinetd.conf" <<-EOF
		defaults
		{
			log_type = FILE $d/xinetd.log
			log_on_success = PID HOST EXIT
			log_on_failure = HOST
		}
		service stdio
		{
			type = UNLISTED
			socket_type = stream
			protocol = tcp
			wait = no
			user = root
			server = $HELPERS/e2e_stdio_service
			server_args = $d/got
			bind = 127.0.0.1
			port = $port
		}
	EOF
	if [ "$how" = sctp ]; then
		bg "$SCTPIZE" xinetd -dontfork -f "$d/xinetd.conf" -pidfile "$d/xinetd.pid" \
			> "$d/xinetd.out" 2>&1 < /dev/null
		within 60 listening_sctp "$port" || fail "xinetd does not listen on SCTP: $(cat "$d/xinetd.out")"
		! listening_tcp "$port" || fail "xinetd under sctpize listens on TCP"
	else
		bg xinetd -dontfork -f "$d/xinetd.conf" -pidfile "$d/xinetd.pid" \
			> "$d/xinetd.out" 2>&1 < /dev/null
		within 60 listening_tcp "$port" || fail "xinetd does not listen on TCP: $(cat "$d/xinetd.out")"
	fi
}

# send NAME [WRAP]: nc -N (under WRAP, in the background) sends $T/data to
# the service of xinetd NAME; the service must have read exactly that, then
# end of file.  Whether nc itself ends is not looked at here.
send() {
	local d=$T/$1 wrap=("${@:2}") end
	# (not bg: a background command's standard input would be /dev/null)
	setsid "${wrap[@]}" nc -N 127.0.0.1 "$port" < "$T/data" > "$d/nc.out" 2>&1 &
	echo $! >> "$BATS_TEST_TMPDIR/bg.pids"
	within 90 test -s "$d/got.end" ||
		fail "the service never saw the end of its input (nc: $(cat "$d/nc.out")); it read $(stat -c %s "$d/got.part" 2>/dev/null) bytes of the $(stat -c %s "$T/data") sent, the last ones: $(tail -c 24 "$d/got.part" | od -An -c | tr -s ' \n' ' ')"
	end=$(cat "$d/got.end")
	if [ "$end" != eof ] || ! cmp -s "$T/data" "$d/got"; then
		fail "the service: $end after $(stat -c %s "$d/got") bytes of the $(stat -c %s "$T/data") sent; cmp: $(cmp "$T/data" "$d/got" 2>&1); its last bytes: $(tail -c 24 "$d/got" | od -An -c | tr -s ' \n' ' ')"
	fi
}

@test "xinetd stdio service (fgets until EOF) reads exactly the bytes of a half-closing nc -N, then EOF, over SCTP; TCP control" {
	local pas
	start_xinetd tcp tcp
	send tcp

	start_xinetd sctp sctp
	pas=$(sctp_mib SctpPassiveEstabs)
	send sctp "$SCTPIZE"
	[ "$(sctp_mib SctpPassiveEstabs)" -gt "$pas" ] ||
		fail "xinetd accepted no SCTP association ($pas -> $(sctp_mib SctpPassiveEstabs))"
	run grep -F "START: stdio" "$T/sctp/xinetd.log"
	assert_success
}
