# unit.bash - shared by tests/unit/*.bats (after common.bash): the recorder,
# fake-SCTP runs and the log of what reached libc.
#
# The recorder (tests/helpers/unit_recorder.c) is preloaded after the shim; every
# call the shim passes on is one line of $RECORDER_LOG, e.g.
#   socket 2 526337 132 = 3
#   setsockopt 3 132 9 156 hbinterval=60000 pathmaxrxt=0 flags=1 = 0
# With RECORDER_FAKE_SCTP=1 it fakes SCTP sockets with TCP ones.
# shellcheck disable=SC2034  # the variables set here are for the files that load it

bats_require_minimum_version 1.5.0

REC=$HELPERS/unit_recorder.so

# Constants as the C headers define them.
AF_UNIX=1 AF_INET=2 AF_INET6=10
SOCK_STREAM=1 SOCK_DGRAM=2 SOCK_RAW=3 SOCK_SEQPACKET=5
SOCK_NONBLOCK=2048 SOCK_CLOEXEC=524288
IPPROTO_TCP=6 IPPROTO_UDP=17 IPPROTO_SCTP=132 IPPROTO_MPTCP=262
SOL_SOCKET=1 SO_PROTOCOL=38

# Every test starts from a clean environment: no SCTPIZE_* or preload of the caller's.
unit_setup() {
	local v
	for v in $(compgen -e); do
		case $v in SCTPIZE_*|RECORDER_*|LD_PRELOAD) unset "$v" ;; esac
	done
	# The TCP-like defaults (buffers, delayed SACK, connect timeout, half-close)
	# are tested in defaults.bats; elsewhere they would only add noise: off.
	export SCTPIZE_SNDBUF=0 SCTPIZE_RCVBUF=0 SCTPIZE_SACK_DELAY=0 \
		SCTPIZE_CONNECT_TIMEOUT=0 SCTPIZE_HALF_CLOSE=0
	LOG=$BATS_TEST_TMPDIR/calls.log
	export RECORDER_LOG=$LOG
	: > "$LOG"
	local f
	for f in "$LIB" "$REC" "$HELPERS/unit_socket" "$HELPERS/unit_sockopt" "$SCTPIZE"; do
		[ -e "$f" ] || fail "$f is missing: run 'make test-programs' first"
	done
}

# COMMAND under the shim and the recorder, SCTP faked.
shimmed() {
	LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 "$@"
}

# COMMAND under the shim and the recorder, SCTP not faked (this kernel's answers).
shimmed_real() {
	LD_PRELOAD="$LIB $REC" "$@"
}

# COMMAND under the recorder alone, SCTP faked: the real wrapper then finds SCTP.
faked() {
	LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 "$@"
}

# The socket() calls that reached libc: "socket DOMAIN TYPE PROTOCOL" per line.
libc_sockets() {
	awk '$1 == "socket" { print $1, $2, $3, $4 }' "$LOG"
}

# The calls that reached libc during OP N of unit_sockopt, without the shim's
# own SO_PROTOCOL questions (is this socket SCTP?), without results, and
# with the descriptor written FD.
op_calls() {
	local cur="" name fd level opt rest
	while read -r name fd level opt rest; do
		if [ "$name" = op ]; then
			cur=$fd
			continue
		fi
		[ "$cur" = "$1" ] || continue
		[ "$name" = getsockopt ] && [ "$level" = "$SOL_SOCKET" ] && [ "$opt" = "$SO_PROTOCOL" ] &&
			continue
		rest=" $rest"
		rest=${rest%% = *}
		echo "$name FD $level $opt${rest% }"
	done < "$LOG"
}

# The first field of each line of OUTPUT ("ok" or "fail") and the errno.
# shellcheck disable=SC2154  # bats' run sets $output
assert_no_errno_change() {
	if grep -E '^ok .*errno=' <<<"$output" | grep -vq 'errno=kept'; then
		fail "a successful call changed errno: $(grep -v 'errno=kept' <<<"$output")"
	fi
}

# Nothing but socket() and the shim's SO_PROTOCOL questions reached libc.
assert_no_libc_sockopt() {
	local extra
	extra=$(grep -vE "^(op [0-9]+|socket .*|getsockopt [0-9]+ $SOL_SOCKET $SO_PROTOCOL .*)$" "$LOG" || true)
	[ -z "$extra" ] || fail "these calls reached libc:
$extra"
}
