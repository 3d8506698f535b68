#!/usr/bin/env bats
# socket(): which sockets the shim turns into SCTP ones, judged by what
# reaches libc (the recorder's log), on a kernel with or without SCTP.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
}

TYPES=(
	"$SOCK_STREAM"
	"$((SOCK_STREAM | SOCK_NONBLOCK))"
	"$((SOCK_STREAM | SOCK_CLOEXEC))"
	"$((SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC))"
	"$SOCK_DGRAM"
	"$((SOCK_DGRAM | SOCK_NONBLOCK))"
	"$SOCK_SEQPACKET"
	"$SOCK_RAW"
)
PROTOS=(0 "$IPPROTO_TCP" "$IPPROTO_SCTP" "$IPPROTO_MPTCP" "$IPPROTO_UDP")

# The rule: AF_INET/AF_INET6, SOCK_STREAM whatever the flag bits, protocol 0
# or IPPROTO_TCP becomes the same call with IPPROTO_SCTP; all else is untouched.
expected_call() {
	local d=$1 t=$2 p=$3
	local base=$((t & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
	if { [ "$d" = "$AF_INET" ] || [ "$d" = "$AF_INET6" ]; } && [ "$base" = "$SOCK_STREAM" ] &&
		{ [ "$p" = 0 ] || [ "$p" = "$IPPROTO_TCP" ]; }; then
		echo "socket $d $t $IPPROTO_SCTP"
	else
		echo "socket $d $t $p"
	fi
}

# Every type x protocol for family $1: exactly one call per socket() reaches
# libc, and it is the expected one.
check_family() {
	local d=$1 t p args=() want=""
	for t in "${TYPES[@]}"; do
		for p in "${PROTOS[@]}"; do
			args+=("$d" "$t" "$p")
			want+="$(expected_call "$d" "$t" "$p")"$'\n'
		done
	done
	run shimmed "$HELPERS/unit_socket" "${args[@]}"
	assert_success
	run libc_sockets
	assert_output "${want%$'\n'}"
}

@test "AF_INET: every type x protocol reaches libc as the conversion rule says" {
	check_family "$AF_INET"
}

@test "AF_INET6: every type x protocol reaches libc as the conversion rule says" {
	check_family "$AF_INET6"
}

@test "AF_UNIX: no type x protocol is ever converted" {
	check_family "$AF_UNIX"
	# Protocol 132 reached libc only where the caller asked for it (one per type).
	run grep -cE "^socket $AF_UNIX [0-9]+ $IPPROTO_SCTP " "$LOG"
	assert_output "${#TYPES[@]}"
}

@test "the rule, spelled out: the cases that matter most" {
	run shimmed "$HELPERS/unit_socket" \
		AF_INET SOCK_STREAM 0 \
		AF_INET6 SOCK_STREAM IPPROTO_TCP \
		AF_INET 'SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC' 0 \
		AF_INET SOCK_STREAM IPPROTO_MPTCP \
		AF_INET SOCK_DGRAM 0 \
		AF_INET SOCK_STREAM IPPROTO_SCTP \
		AF_UNIX SOCK_STREAM 0
	assert_success
	run libc_sockets
	assert_output "socket 2 1 132
socket 10 1 132
socket 2 526337 132
socket 2 1 262
socket 2 2 0
socket 2 1 132
socket 1 1 0"
}

@test "converted sockets are SCTP, keep the caller's SOCK_NONBLOCK/SOCK_CLOEXEC, keep errno" {
	run shimmed "$HELPERS/unit_socket" \
		AF_INET SOCK_STREAM 0 \
		AF_INET 'SOCK_STREAM|SOCK_NONBLOCK' 0 \
		AF_INET6 'SOCK_STREAM|SOCK_CLOEXEC' IPPROTO_TCP \
		AF_INET6 'SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC' 0
	assert_success
	assert_output "ok proto=132 type=1 nonblock=0 cloexec=0 errno=kept
ok proto=132 type=1 nonblock=1 cloexec=0 errno=kept
ok proto=132 type=1 nonblock=0 cloexec=1 errno=kept
ok proto=132 type=1 nonblock=1 cloexec=1 errno=kept"
}

@test "untouched sockets keep their protocol and flags" {
	run shimmed "$HELPERS/unit_socket" \
		AF_INET 'SOCK_DGRAM|SOCK_NONBLOCK' 0 \
		AF_UNIX 'SOCK_STREAM|SOCK_CLOEXEC' 0 \
		AF_INET6 SOCK_DGRAM IPPROTO_UDP
	assert_success
	assert_output "ok proto=17 type=2 nonblock=1 cloexec=0 errno=kept
ok proto=0 type=1 nonblock=0 cloexec=1 errno=kept
ok proto=17 type=2 nonblock=0 cloexec=0 errno=kept"
}

@test "without SCTP in the kernel a converted socket fails with the kernel's error, never falls back to TCP" {
	"$B/sctpize-helper" probe 2>/dev/null && skip "this kernel has SCTP"
	run --separate-stderr shimmed_real "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 AF_UNIX SOCK_STREAM 0
	assert_success
	assert_output "fail EPROTONOSUPPORT
ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept"
	run libc_sockets
	assert_output "socket 2 1 132
socket 1 1 0"
}

# A bad SCTPIZE_ value under a bare LD_PRELOAD (no wrapper to refuse it).
bad_env_case() {
	local var=$1 val=$2
	: > "$LOG"
	run --separate-stderr env "$var=$val" LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 \
		"$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 AF_INET6 SOCK_STREAM IPPROTO_TCP \
		AF_UNIX SOCK_STREAM 0 AF_INET SOCK_DGRAM 0
	assert_success
	assert_output "fail EINVAL
fail EINVAL
ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept
ok proto=17 type=2 nonblock=0 cloexec=0 errno=kept"
	# One message, naming the variable, however many sockets fail.
	assert_equal "$(printf '%s\n' "$stderr" | grep -c .)" 1
	[[ $stderr == *"$var"* ]] || fail "stderr does not name $var: $stderr"
	# The refused sockets never reached libc.
	run libc_sockets
	assert_output "socket 1 1 0
socket 2 2 0"
}

@test "a bad SCTPIZE_ value: convertible sockets fail with EINVAL, one message names it, others work" {
	bad_env_case SCTPIZE_VERBOSE 9
	bad_env_case SCTPIZE_NODELAY yes
	bad_env_case SCTPIZE_BIND_ADDRS 1.2.3
	bad_env_case SCTPIZE_FOO 1
}

@test "SCTPIZE_NODELAY=1 sets SCTP_NODELAY on converted and accepted sockets only" {
	SCTPIZE_NODELAY=1 run shimmed "$HELPERS/unit_socket" AF_UNIX SOCK_STREAM 0 AF_INET SOCK_STREAM 0
	assert_success
	run grep -c '^setsockopt' "$LOG"
	assert_output 1
	run grep -E "^setsockopt [0-9]+ $IPPROTO_SCTP 3 4 v=1 = 0$" "$LOG"
	assert_success
	: > "$LOG"
	SCTPIZE_NODELAY=1 run shimmed "$HELPERS/unit_sockopt" shim listen accept
	assert_success
	assert_line --index 1 "ok cloexec=1"
	# One for the listener at socket(), one for the accepted socket.
	run grep -cE "^setsockopt [0-9]+ $IPPROTO_SCTP 3 4 v=1 = 0$" "$LOG"
	assert_output 2
	run awk '$1 == "accept4" { print $NF }' "$LOG"
	fd=$output
	run grep -E "^setsockopt $fd $IPPROTO_SCTP 3 4 v=1 = 0$" "$LOG"
	assert_success
}

@test "no setting, no extra call: a converted socket costs one socket() and nothing else" {
	run shimmed "$HELPERS/unit_sockopt" shim
	assert_success
	run grep -vE '^socket ' "$LOG"
	assert_output ""
}

@test "SCTPIZE_VERBOSE=1 logs the decision on stderr, never on stdout; 0 logs nothing" {
	SCTPIZE_VERBOSE=1 run --separate-stderr shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 AF_UNIX SOCK_STREAM 0
	assert_success
	assert_output "ok proto=132 type=1 nonblock=0 cloexec=0 errno=kept
ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept"
	[[ $stderr == *converted* ]] || fail "no decision logged: $stderr"
	assert_equal "$(printf '%s\n' "$stderr" | grep -c .)" 1
	run --separate-stderr shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	assert_equal "$stderr" ""
}

@test "SCTPIZE_LOG=FILE sends the lines to that file, not to stderr" {
	SCTPIZE_VERBOSE=1 SCTPIZE_LOG=$BATS_TEST_TMPDIR/sctpize.log \
		run --separate-stderr shimmed "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	assert_success
	assert_equal "$stderr" ""
	run cat "$BATS_TEST_TMPDIR/sctpize.log"
	assert_output --partial converted
}
