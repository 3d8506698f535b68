#!/usr/bin/env bats
# setsockopt()/getsockopt() at level IPPROTO_TCP on SCTP sockets: every row
# of the table in shim/core/tcpopt.c, judged by what reaches libc (the recorder's
# log, SCTP faked) and by what the program gets back.  TCP sockets and other
# levels must reach libc unchanged.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
}

T=IPPROTO_TCP

# Rows whose value is an int, by kind (numbers as in linux/tcp.h).
MAPPED=(TCP_NODELAY TCP_MAXSEG TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT TCP_SYNCNT TCP_USER_TIMEOUT)
# Hint rows and what getsockopt() answers for them (TCP's defaults).
declare -gA HINT_GET=(
	[TCP_CORK]=0 [TCP_LINGER2]=60 [TCP_DEFER_ACCEPT]=0 [TCP_WINDOW_CLAMP]=0
	[TCP_QUICKACK]=1 [TCP_THIN_LINEAR_TIMEOUTS]=0 [TCP_THIN_DUPACK]=0 [TCP_FASTOPEN]=0
	[TCP_NOTSENT_LOWAT]=0 [TCP_SAVE_SYN]=0 [TCP_FASTOPEN_CONNECT]=0
	[TCP_FASTOPEN_NO_COOKIE]=0 [TCP_TX_DELAY]=0
)
# Refused rows (both directions) and their errno.
declare -gA REFUSED=(
	[TCP_MD5SIG]=ENOPROTOOPT [TCP_COOKIE_TRANSACTIONS]=ENOPROTOOPT
	[TCP_REPAIR_QUEUE]=EPERM [TCP_QUEUE_SEQ]=EPERM
	[TCP_REPAIR_OPTIONS]=EPERM [TCP_REPAIR_WINDOW]=EPERM [TCP_TIMESTAMP]=ENOPROTOOPT
	[TCP_MD5SIG_EXT]=ENOPROTOOPT [TCP_ZEROCOPY_RECEIVE]=ENOPROTOOPT [TCP_INQ]=ENOPROTOOPT
)

# Run unit_sockopt on a converted (fake SCTP) socket; output and errno checked by callers.
on_sctp() {
	run shimmed "$HELPERS/unit_sockopt" shim "$@"
	assert_success
	assert_no_errno_change
}

# OP N reached libc as exactly these calls (none: "").
assert_op_calls() {
	local n=$1 want=$2 got
	got=$(op_calls "$n")
	[ "$got" = "$want" ] || fail "op $n: libc saw
${got:-(nothing)}
expected
${want:-(nothing)}"
}

@test "mapped rows: setsockopt reaches libc as the SCTP option with the SCTP value" {
	on_sctp set $T TCP_NODELAY 1 set $T TCP_NODELAY 7 set $T TCP_NODELAY 0 \
		set $T TCP_MAXSEG 1400 set $T TCP_KEEPIDLE 60 set $T TCP_KEEPINTVL 15 \
		set $T TCP_KEEPCNT 4 set $T TCP_SYNCNT 3 set $T TCP_USER_TIMEOUT 30000
	for i in $(seq 9); do assert_line --index $((i - 1)) "ok errno=kept"; done
	assert_op_calls 1 "setsockopt FD 132 3 4 v=1"
	assert_op_calls 2 "setsockopt FD 132 3 4 v=1"
	assert_op_calls 3 "setsockopt FD 132 3 4 v=0"
	assert_op_calls 4 "setsockopt FD 132 13 8 assoc_value=1400"
	assert_op_calls 5 "setsockopt FD 132 9 156 hbinterval=60000 pathmaxrxt=0 flags=1"
	assert_op_calls 6 "setsockopt FD 132 9 156 hbinterval=15000 pathmaxrxt=0 flags=1"
	assert_op_calls 7 "setsockopt FD 132 9 156 hbinterval=0 pathmaxrxt=4 flags=0"
	assert_op_calls 8 "setsockopt FD 132 2 8 max_attempts=3 ostreams=0 instreams=0"
	# 30 s of retransmissions from rto_min 1 s, doubling: 1+2+4+8+16 s, 5 timeouts.
	assert_op_calls 9 "getsockopt FD 132 0 16
setsockopt FD 132 1 20 asocmaxrxt=5"
}

@test "mapped rows: getsockopt reads the SCTP option (kernel defaults on a new socket)" {
	on_sctp get $T TCP_NODELAY get $T TCP_MAXSEG get $T TCP_KEEPIDLE get $T TCP_KEEPINTVL \
		get $T TCP_KEEPCNT get $T TCP_SYNCNT get $T TCP_USER_TIMEOUT
	assert_output "ok len=4 int=0 errno=kept
ok len=4 int=536 errno=kept
ok len=4 int=30 errno=kept
ok len=4 int=30 errno=kept
ok len=4 int=5 errno=kept
ok len=4 int=8 errno=kept
ok len=4 int=0 errno=kept"
	assert_op_calls 1 "getsockopt FD 132 3 4"
	assert_op_calls 2 "getsockopt FD 132 13 8"
	assert_op_calls 3 "getsockopt FD 132 9 156"
	assert_op_calls 4 "getsockopt FD 132 9 156"
	assert_op_calls 5 "getsockopt FD 132 9 156"
	assert_op_calls 6 "getsockopt FD 132 2 8"
	[[ $(op_calls 7) == *"getsockopt FD 132 1 20"* ]] || fail "TCP_USER_TIMEOUT did not read SCTP_ASSOCINFO: $(op_calls 7)"
}

@test "mapped rows: what is set is what is read back, in TCP's units" {
	on_sctp set $T TCP_NODELAY 1 get $T TCP_NODELAY set $T TCP_MAXSEG 1400 get $T TCP_MAXSEG \
		set $T TCP_KEEPIDLE 75 get $T TCP_KEEPIDLE get $T TCP_KEEPINTVL \
		set $T TCP_KEEPCNT 9 get $T TCP_KEEPCNT set $T TCP_SYNCNT 4 get $T TCP_SYNCNT \
		set $T TCP_USER_TIMEOUT 30000 get $T TCP_USER_TIMEOUT \
		set $T TCP_USER_TIMEOUT 0 get $T TCP_USER_TIMEOUT
	assert_output "ok errno=kept
ok len=4 int=1 errno=kept
ok errno=kept
ok len=4 int=1400 errno=kept
ok errno=kept
ok len=4 int=75 errno=kept
ok len=4 int=75 errno=kept
ok errno=kept
ok len=4 int=9 errno=kept
ok errno=kept
ok len=4 int=4 errno=kept
ok errno=kept
ok len=4 int=31000 errno=kept
ok errno=kept
ok len=4 int=0 errno=kept"
}

@test "hint rows: set succeeds, get answers TCP's default, nothing reaches libc" {
	local opt ops=() want=""
	for opt in "${!HINT_GET[@]}"; do
		ops+=(set $T "$opt" 1 get $T "$opt")
		want+="ok errno=kept"$'\n'"ok len=4 int=${HINT_GET[$opt]} errno=kept"$'\n'
	done
	on_sctp "${ops[@]}"
	assert_output "${want%$'\n'}"
	assert_no_libc_sockopt
}

@test "hint rows with bytes: TCP_CONGESTION reads back reno, TCP_FASTOPEN_KEY reads empty" {
	on_sctp setstr $T TCP_CONGESTION cubic getstr $T TCP_CONGESTION getstr $T TCP_CONGESTION 3 \
		setstr $T TCP_FASTOPEN_KEY 0123456789abcdef get $T TCP_FASTOPEN_KEY 16
	assert_output "ok errno=kept
ok len=16 str=reno errno=kept
ok len=3 str=ren errno=kept
ok errno=kept
ok len=0 int=0 errno=kept"
	assert_no_libc_sockopt
}

@test "refused rows fail with the table's errno both ways, and nothing reaches libc" {
	local opt ops=() want=""
	for opt in "${!REFUSED[@]}"; do
		ops+=(set $T "$opt" 1 get $T "$opt")
		want+="fail ${REFUSED[$opt]}"$'\n'"fail ${REFUSED[$opt]}"$'\n'
	done
	on_sctp "${ops[@]}"
	assert_output "${want%$'\n'}"
	assert_no_libc_sockopt
}

@test "TCP_REPAIR, read-only and unknown rows: set refused, get answered as the table says" {
	on_sctp set $T TCP_REPAIR 1 get $T TCP_REPAIR set $T TCP_INFO 1 set $T TCP_CC_INFO 1 get $T TCP_CC_INFO 16 \
		set $T TCP_SAVED_SYN 1 get $T TCP_SAVED_SYN 16 \
		setstr $T TCP_ULP tls get $T TCP_ULP 16 set $T 99 1 get $T 99
	assert_output "fail EPERM
ok len=4 int=0 errno=kept
fail ENOPROTOOPT
fail ENOPROTOOPT
ok len=0 int=0 errno=kept
fail ENOPROTOOPT
ok len=0 int=0 errno=kept
fail ENOENT
ok len=0 int=0 errno=kept
fail ENOPROTOOPT
fail ENOPROTOOPT"
	assert_no_libc_sockopt
}

@test "TCP_INFO is answered from SCTP_STATUS: state CLOSE, then LISTEN; at most optlen bytes" {
	on_sctp get $T TCP_INFO 232 byte 0 get $T TCP_INFO 8 listen get $T TCP_INFO 232 byte 0
	assert_output "ok len=232 int=7 errno=kept
7
ok len=8 int=7 errno=kept
ok
ok len=232 int=10 errno=kept
10"
	[[ $(op_calls 1) == *"getsockopt FD 132 14 "* ]] || fail "SCTP_STATUS not asked: $(op_calls 1)"
}

@test "bad values and short optlen give EINVAL as TCP would, and nothing reaches libc" {
	local ops=() want="" n
	add() { ops+=("$@"); want+="fail EINVAL"$'\n'; }
	add set $T TCP_MAXSEG 87; add set $T TCP_MAXSEG 32768; add set $T TCP_MAXSEG -1
	add set $T TCP_KEEPIDLE 0; add set $T TCP_KEEPIDLE 32768
	add set $T TCP_KEEPINTVL 0; add set $T TCP_KEEPINTVL -5
	add set $T TCP_KEEPCNT 0; add set $T TCP_KEEPCNT 128
	add set $T TCP_SYNCNT 0; add set $T TCP_SYNCNT 128
	add set $T TCP_USER_TIMEOUT -1
	for opt in "${MAPPED[@]}" "${!HINT_GET[@]}"; do
		add set $T "$opt" 1 2
	done
	add setstr $T TCP_CONGESTION ""
	add setstr $T TCP_FASTOPEN_KEY ""
	add get $T TCP_NODELAY 4294967295
	add get $T TCP_CORK 4294967295
	add get $T TCP_INFO 4294967295
	on_sctp "${ops[@]}"
	assert_output "${want%$'\n'}"
	run grep '^setsockopt' "$LOG"
	assert_failure
}

@test "the limits themselves are accepted, as TCP accepts them" {
	on_sctp set $T TCP_MAXSEG 0 set $T TCP_MAXSEG 88 set $T TCP_MAXSEG 32767 \
		set $T TCP_KEEPIDLE 1 set $T TCP_KEEPIDLE 32767 set $T TCP_KEEPCNT 127 \
		set $T TCP_SYNCNT 127 set $T TCP_USER_TIMEOUT 0 set $T TCP_NODELAY 1 8
	assert_output "$(for i in $(seq 9); do echo "ok errno=kept"; done)"
}

@test "a NULL optval with a proper optlen is EFAULT, as on TCP" {
	on_sctp setnull $T TCP_NODELAY 4 setnull $T TCP_CORK 4
	assert_output "fail EFAULT
fail EFAULT"
}

@test "getsockopt copies at most optlen bytes of an int and says so, as TCP does" {
	on_sctp get $T TCP_NODELAY 1 get $T TCP_KEEPCNT 8 get $T TCP_QUICKACK 2
	assert_output "ok len=1 int=0 errno=kept
ok len=4 int=5 errno=kept
ok len=2 int=1 errno=kept"
}

# Differential: for each VALUE, the answer (ok or the errno) of OPT on a
# converted socket is the kernel's answer on a real TCP socket.
same_as_tcp() {
	local opt=$1 v ops=() tcp sctp bad=""
	shift
	for v in "$@"; do ops+=(set $T "$opt" "$v"); done
	tcp=$("$HELPERS/unit_sockopt" raw "${ops[@]}" | cut -d' ' -f1,2)
	sctp=$(shimmed "$HELPERS/unit_sockopt" shim "${ops[@]}" | cut -d' ' -f1,2)
	[ "$tcp" = "$sctp" ] || {
		paste <(printf '%s\n' "$@") <(echo "$tcp") <(echo "$sctp") |
			awk -v o="$opt" '$2" "$3 != $4" "$5 { printf "%s=%s: TCP %s %s, sctpize %s %s\n", o, $1, $2, $3, $4, $5 }'
	}
}

@test "mapped rows refuse exactly the values the kernel's TCP refuses" {
	local opt out=""
	for opt in "${MAPPED[@]}"; do
		out+=$(same_as_tcp "$opt" -1 0 1 2 87 88 127 128 32767 32768 100000)$'\n'
	done
	[ -z "${out//$'\n'}" ] || fail "$out"
}

@test "hint rows refuse exactly the values the kernel's TCP refuses (no silent success)" {
	local opt out=""
	for opt in "${!HINT_GET[@]}"; do
		out+=$(same_as_tcp "$opt" -1 0 1 2 3 100000)$'\n'
	done
	[ -z "${out//$'\n'}" ] || fail "$out"
}

@test "a TCP socket the shim did not make: IPPROTO_TCP calls reach libc unchanged" {
	for mode in raw raw6; do
		: > "$LOG"
		run shimmed "$HELPERS/unit_sockopt" $mode set $T TCP_NODELAY 1 set $T TCP_CORK 1 \
			get $T TCP_CORK set $T TCP_KEEPIDLE 60 get $T TCP_INFO 232 byte 0 set $T TCP_MD5SIG 1 8
		assert_success
		assert_no_errno_change
		assert_output "ok errno=kept
ok errno=kept
ok len=4 int=1 errno=kept
ok errno=kept
ok len=232 int=7 errno=kept
7
fail EINVAL"
		assert_op_calls 1 "setsockopt FD 6 1 4 v=1"
		assert_op_calls 2 "setsockopt FD 6 3 4 v=1"
		assert_op_calls 3 "getsockopt FD 6 3 4"
		assert_op_calls 4 "setsockopt FD 6 4 4 v=60"
		assert_op_calls 5 "getsockopt FD 6 11 232"
		assert_op_calls 7 "setsockopt FD 6 14 8"
	done
}

@test "without fake SCTP too, a TCP socket's options are the kernel's" {
	run shimmed_real "$HELPERS/unit_sockopt" raw set $T TCP_CORK 1 get $T TCP_CORK set $T TCP_INQ 1 get $T TCP_INQ
	assert_success
	assert_output "ok errno=kept
ok len=4 int=1 errno=kept
ok errno=kept
ok len=4 int=1 errno=kept"
	assert_op_calls 3 "setsockopt FD 6 36 4 v=1"
}

@test "other levels on a converted socket reach libc unchanged" {
	on_sctp set SOL_SOCKET SO_KEEPALIVE 1 get SOL_SOCKET SO_KEEPALIVE set IPPROTO_IP IP_TOS 16 \
		get SOL_SOCKET SO_RCVBUF set IPPROTO_SCTP SCTP_NODELAY 1 get IPPROTO_SCTP SCTP_NODELAY \
		get SOL_SOCKET SO_PROTOCOL
	assert_line --index 0 "ok errno=kept"
	assert_line --index 1 "ok len=4 int=1 errno=kept"
	assert_line --index 2 "ok errno=kept"
	assert_line --index 4 "ok errno=kept"
	assert_line --index 5 "ok len=4 int=1 errno=kept"
	assert_line --index 6 "ok len=4 int=132 errno=kept"
	assert_op_calls 1 "setsockopt FD 1 9 4 v=1"
	assert_op_calls 2 "getsockopt FD 1 9 4"
	assert_op_calls 3 "setsockopt FD 0 1 4 v=16"
	assert_op_calls 4 "getsockopt FD 1 8 4"
	assert_op_calls 5 "setsockopt FD 132 3 4 v=1"
	assert_op_calls 6 "getsockopt FD 132 3 4"
}

