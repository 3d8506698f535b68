#!/usr/bin/env bats
# setsockopt()/getsockopt() at level IPPROTO_TCP on live SCTP associations:
# every row of the option table in shim/core/tcpopt.c, checked against what the
# kernel's SCTP stack really holds (read at level IPPROTO_SCTP), plus
# TCP_INFO, options at other levels, and TCP sockets the shim never made.
#
# The probe is tests/helpers/e2e_sockopt.c: it connects a loopback pair with
# socket(AF_INET[6], SOCK_STREAM, 0) and runs the operations it is given; each
# prints "OP ARGS: ok ..." or "OP ARGS: ERRNO".  A success that changed errno
# prints "errno-changed=...", so exact line matches also check errno.

load ../helpers/common

setup() {
	require_sctp
	PROBE=$HELPERS/e2e_sockopt
	[ -x "$PROBE" ] || fail "$PROBE is not built (make test-programs)"
}

# The probe under the shim, with no SCTPIZE_ settings of the caller's.
shim() {
	env -u SCTPIZE_NODELAY LD_PRELOAD="$LIB" "$PROBE" "$@"
}

# The number after KEY= in the line of $output that starts with PREFIX.
field() {
	grep -m1 -F -- "$1" <<<"$output" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

@test "the probe's connection is an SCTP association" {
	run shim proto sctp state
	assert_success
	assert_line "proto: 132"
	assert_line "sctp state: 4"	# SCTP_ESTABLISHED
	run "$PROBE" proto
	assert_line "proto: 6"
}

# ---- mapped rows ----

@test "TCP_NODELAY sets and reads SCTP_NODELAY" {
	run shim sctp nodelay get TCP_NODELAY set TCP_NODELAY 1 sctp nodelay get TCP_NODELAY \
		set TCP_NODELAY 0 sctp nodelay get TCP_NODELAY set TCP_NODELAY 7 sctp nodelay \
		get TCP_NODELAY on accepted set TCP_NODELAY 1 sctp nodelay get TCP_NODELAY
	assert_success
	assert_output "sctp nodelay: 0
get TCP_NODELAY: ok 0 len=4
set TCP_NODELAY 1: ok
sctp nodelay: 1
get TCP_NODELAY: ok 1 len=4
set TCP_NODELAY 0: ok
sctp nodelay: 0
get TCP_NODELAY: ok 0 len=4
set TCP_NODELAY 7: ok
sctp nodelay: 1
get TCP_NODELAY: ok 1 len=4
on accepted: ok
set TCP_NODELAY 1: ok
sctp nodelay: 1
get TCP_NODELAY: ok 1 len=4"
}

@test "TCP_MAXSEG sets SCTP_MAXSEG and reads the fragmentation point" {
	run shim sctp maxseg get TCP_MAXSEG set TCP_MAXSEG 1000 sctp maxseg get TCP_MAXSEG \
		set TCP_MAXSEG 1200 sctp maxseg get TCP_MAXSEG set TCP_MAXSEG 0 sctp maxseg get TCP_MAXSEG
	assert_success
	local def
	def=$(sed -n '1s/^sctp maxseg: //p' <<<"$output")
	[ "${def:-0}" -gt 1200 ] || fail "default fragmentation point on loopback: '$def'"
	assert_output "sctp maxseg: $def
get TCP_MAXSEG: ok $def len=4
set TCP_MAXSEG 1000: ok
sctp maxseg: 1000
get TCP_MAXSEG: ok 1000 len=4
set TCP_MAXSEG 1200: ok
sctp maxseg: 1200
get TCP_MAXSEG: ok 1200 len=4
set TCP_MAXSEG 0: ok
sctp maxseg: $def
get TCP_MAXSEG: ok $def len=4"
}

@test "TCP_MAXSEG on IPv6 and on the accepted side" {
	run shim -6 on accepted set TCP_MAXSEG 1400 sctp maxseg get TCP_MAXSEG \
		set TCP_MAXSEG 32767 sctp maxseg
	assert_success
	assert_output "on accepted: ok
set TCP_MAXSEG 1400: ok
sctp maxseg: 1400
get TCP_MAXSEG: ok 1400 len=4
set TCP_MAXSEG 32767: ok
sctp maxseg: 32764"
}

@test "TCP_MAXSEG outside TCP's range (88..32767) is EINVAL and changes nothing" {
	run shim set TCP_MAXSEG 1000 set TCP_MAXSEG 87 set TCP_MAXSEG 32768 set TCP_MAXSEG -1 \
		setlen TCP_MAXSEG 1200 2 sctp maxseg
	assert_success
	assert_output "set TCP_MAXSEG 1000: ok
set TCP_MAXSEG 87: EINVAL
set TCP_MAXSEG 32768: EINVAL
set TCP_MAXSEG -1: EINVAL
setlen TCP_MAXSEG 1200 2: EINVAL
sctp maxseg: 1000"
}

@test "TCP_MAXSEG below SCTP's own floor is raised to it (464 on IPv4, 444 on IPv6)" {
	# TCP takes 88 and up (a socket the shim did not make, for reference)...
	run "$PROBE" on tcp set TCP_MAXSEG 88 set TCP_MAXSEG 463
	assert_output "on tcp: ok
set TCP_MAXSEG 88: ok
set TCP_MAXSEG 463: ok"
	# ...SCTP refuses a DATA chunk smaller than 512 bytes of packet (512 - IP
	# header - 12 - 16), so libsctpize(7) raises such values to that floor.
	run shim set TCP_MAXSEG 1000 set TCP_MAXSEG 88 sctp maxseg \
		set TCP_MAXSEG 463 sctp maxseg set TCP_MAXSEG 464 sctp maxseg get TCP_MAXSEG
	assert_output "set TCP_MAXSEG 1000: ok
set TCP_MAXSEG 88: ok
sctp maxseg: 464
set TCP_MAXSEG 463: ok
sctp maxseg: 464
set TCP_MAXSEG 464: ok
sctp maxseg: 464
get TCP_MAXSEG: ok 464 len=4"
	run shim -6 set TCP_MAXSEG 88 sctp maxseg set TCP_MAXSEG 444 sctp maxseg
	assert_output "set TCP_MAXSEG 88: ok
sctp maxseg: 444
set TCP_MAXSEG 444: ok
sctp maxseg: 444"
}

@test "TCP_KEEPIDLE and TCP_KEEPINTVL set and read the heartbeat interval" {
	run shim sctp hbinterval get TCP_KEEPIDLE get TCP_KEEPINTVL \
		set TCP_KEEPIDLE 7 sctp hbinterval sctp hbenabled get TCP_KEEPIDLE get TCP_KEEPINTVL \
		set TCP_KEEPINTVL 9 sctp hbinterval get TCP_KEEPINTVL get TCP_KEEPIDLE \
		set TCP_KEEPIDLE 32767 sctp hbinterval get TCP_KEEPIDLE
	assert_success
	local def
	def=$(sed -n '1s/^sctp hbinterval: //p' <<<"$output")
	[ "${def:-0}" -gt 0 ] || fail "no default heartbeat interval: '$def'"
	assert_output "sctp hbinterval: $def
get TCP_KEEPIDLE: ok $(( (def + 999) / 1000 )) len=4
get TCP_KEEPINTVL: ok $(( (def + 999) / 1000 )) len=4
set TCP_KEEPIDLE 7: ok
sctp hbinterval: 7000
sctp hbenabled: 1
get TCP_KEEPIDLE: ok 7 len=4
get TCP_KEEPINTVL: ok 7 len=4
set TCP_KEEPINTVL 9: ok
sctp hbinterval: 9000
get TCP_KEEPINTVL: ok 9 len=4
get TCP_KEEPIDLE: ok 9 len=4
set TCP_KEEPIDLE 32767: ok
sctp hbinterval: 32767000
get TCP_KEEPIDLE: ok 32767 len=4"
}

@test "TCP_KEEPIDLE and TCP_KEEPINTVL out of range (1..32767) are EINVAL and change nothing" {
	run shim set TCP_KEEPIDLE 11 set TCP_KEEPIDLE 0 set TCP_KEEPIDLE 32768 set TCP_KEEPIDLE -5 \
		set TCP_KEEPINTVL 0 set TCP_KEEPINTVL 40000 setlen TCP_KEEPINTVL 20 1 sctp hbinterval
	assert_success
	assert_output "set TCP_KEEPIDLE 11: ok
set TCP_KEEPIDLE 0: EINVAL
set TCP_KEEPIDLE 32768: EINVAL
set TCP_KEEPIDLE -5: EINVAL
set TCP_KEEPINTVL 0: EINVAL
set TCP_KEEPINTVL 40000: EINVAL
setlen TCP_KEEPINTVL 20 1: EINVAL
sctp hbinterval: 11000"
}

@test "TCP_KEEPCNT sets and reads the path's max retransmissions" {
	run shim sctp pathmaxrxt get TCP_KEEPCNT set TCP_KEEPCNT 9 sctp pathmaxrxt get TCP_KEEPCNT \
		set TCP_KEEPCNT 127 sctp pathmaxrxt get TCP_KEEPCNT set TCP_KEEPCNT 1 sctp pathmaxrxt \
		set TCP_KEEPCNT 0 set TCP_KEEPCNT 128 set TCP_KEEPCNT -1 sctp pathmaxrxt get TCP_KEEPCNT
	assert_success
	local def
	def=$(sed -n '1s/^sctp pathmaxrxt: //p' <<<"$output")
	assert_output "sctp pathmaxrxt: $def
get TCP_KEEPCNT: ok $def len=4
set TCP_KEEPCNT 9: ok
sctp pathmaxrxt: 9
get TCP_KEEPCNT: ok 9 len=4
set TCP_KEEPCNT 127: ok
sctp pathmaxrxt: 127
get TCP_KEEPCNT: ok 127 len=4
set TCP_KEEPCNT 1: ok
sctp pathmaxrxt: 1
set TCP_KEEPCNT 0: EINVAL
set TCP_KEEPCNT 128: EINVAL
set TCP_KEEPCNT -1: EINVAL
sctp pathmaxrxt: 1
get TCP_KEEPCNT: ok 1 len=4"
}

@test "TCP_SYNCNT sets and reads the INIT attempts" {
	run shim sctp initattempts get TCP_SYNCNT set TCP_SYNCNT 3 sctp initattempts get TCP_SYNCNT \
		set TCP_SYNCNT 127 sctp initattempts set TCP_SYNCNT 0 set TCP_SYNCNT 128 \
		sctp initattempts on fresh set TCP_SYNCNT 2 sctp initattempts get TCP_SYNCNT
	assert_success
	local def
	def=$(sed -n '1s/^sctp initattempts: //p' <<<"$output")
	[ "$def" != 3 ] || fail "the default is 3: the test could not see a change"
	assert_output "sctp initattempts: $def
get TCP_SYNCNT: ok $def len=4
set TCP_SYNCNT 3: ok
sctp initattempts: 3
get TCP_SYNCNT: ok 3 len=4
set TCP_SYNCNT 127: ok
sctp initattempts: 127
set TCP_SYNCNT 0: EINVAL
set TCP_SYNCNT 128: EINVAL
sctp initattempts: 127
on fresh: ok
set TCP_SYNCNT 2: ok
sctp initattempts: 2
get TCP_SYNCNT: ok 2 len=4"
}

@test "TCP_USER_TIMEOUT sets the association's max retransmissions along the RTO schedule" {
	# With rto_min 1000 ms and rto_max 60000 ms, n timeouts take
	# 1000, 3000, 7000, 15000, ... ms: 10000 ms needs 4, read back as 15000.
	run shim sctp rtomin sctp rtomax sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 10000 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 1 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 7000 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 0 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT -1 sctp asocmaxrxt
	assert_success
	assert_output "sctp rtomin: 1000
sctp rtomax: 60000
sctp asocmaxrxt: $(cat /proc/sys/net/sctp/association_max_retrans)
get TCP_USER_TIMEOUT: ok 0 len=4
set TCP_USER_TIMEOUT 10000: ok
sctp asocmaxrxt: 4
get TCP_USER_TIMEOUT: ok 15000 len=4
set TCP_USER_TIMEOUT 1: ok
sctp asocmaxrxt: 1
get TCP_USER_TIMEOUT: ok 1000 len=4
set TCP_USER_TIMEOUT 7000: ok
sctp asocmaxrxt: 3
get TCP_USER_TIMEOUT: ok 7000 len=4
set TCP_USER_TIMEOUT 0: ok
sctp asocmaxrxt: $(cat /proc/sys/net/sctp/association_max_retrans)
get TCP_USER_TIMEOUT: ok 0 len=4
set TCP_USER_TIMEOUT -1: EINVAL
sctp asocmaxrxt: $(cat /proc/sys/net/sctp/association_max_retrans)"
}

@test "TCP_USER_TIMEOUT: libsctpize(7)'s example, and the count equal to the default reads 0" {
	[ "$(cat /proc/sys/net/sctp/association_max_retrans)" = 10 ] ||
		fail "association_max_retrans is not the default 10"
	# 30000 ms: 1 + 2 + 4 + 8 + 16 s = 5 retransmissions, read back as 31000.
	# 300000 ms needs 10, the system default, which reads back as 0 (documented).
	run shim set TCP_USER_TIMEOUT 30000 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 300000 sctp asocmaxrxt get TCP_USER_TIMEOUT \
		set TCP_USER_TIMEOUT 303001 sctp asocmaxrxt get TCP_USER_TIMEOUT
	assert_success
	assert_output "set TCP_USER_TIMEOUT 30000: ok
sctp asocmaxrxt: 5
get TCP_USER_TIMEOUT: ok 31000 len=4
set TCP_USER_TIMEOUT 300000: ok
sctp asocmaxrxt: 10
get TCP_USER_TIMEOUT: ok 0 len=4
set TCP_USER_TIMEOUT 303001: ok
sctp asocmaxrxt: 11
get TCP_USER_TIMEOUT: ok 363000 len=4"
}

# ---- hint rows ----

@test "hint rows accept an int and read back TCP's default" {
	local row name value args=() expect=""
	for row in TCP_CORK=0 TCP_LINGER2=60 TCP_DEFER_ACCEPT=0 TCP_WINDOW_CLAMP=0 \
		TCP_QUICKACK=1 TCP_THIN_LINEAR_TIMEOUTS=0 TCP_THIN_DUPACK=0 TCP_FASTOPEN=0 \
		TCP_NOTSENT_LOWAT=0 TCP_SAVE_SYN=0 TCP_FASTOPEN_CONNECT=0 \
		TCP_FASTOPEN_NO_COOKIE=0 TCP_TX_DELAY=0; do
		name=${row%=*} value=${row#*=}
		args+=(set "$name" 1 get "$name" set "$name" 0 get "$name")
		expect+="set $name 1: ok
get $name: ok $value len=4
set $name 0: ok
get $name: ok $value len=4
"
	done
	run shim "${args[@]}"
	assert_success
	assert_output "${expect%$'\n'}"
}

@test "hint rows refuse the values TCP refuses with EINVAL" {
	run shim set TCP_THIN_LINEAR_TIMEOUTS 2 set TCP_THIN_DUPACK -1 \
		set TCP_FASTOPEN_CONNECT 2 set TCP_FASTOPEN_NO_COOKIE 2 set TCP_SAVE_SYN 3 \
		set TCP_SAVE_SYN 2 set TCP_FASTOPEN -1 set TCP_FASTOPEN 5 set TCP_TX_DELAY -1 \
		set TCP_TX_DELAY 100 set TCP_CORK -7 set TCP_NOTSENT_LOWAT -1 get TCP_SAVE_SYN
	assert_success
	assert_output "set TCP_THIN_LINEAR_TIMEOUTS 2: EINVAL
set TCP_THIN_DUPACK -1: EINVAL
set TCP_FASTOPEN_CONNECT 2: EINVAL
set TCP_FASTOPEN_NO_COOKIE 2: EINVAL
set TCP_SAVE_SYN 3: EINVAL
set TCP_SAVE_SYN 2: ok
set TCP_FASTOPEN -1: EINVAL
set TCP_FASTOPEN 5: ok
set TCP_TX_DELAY -1: EINVAL
set TCP_TX_DELAY 100: ok
set TCP_CORK -7: ok
set TCP_NOTSENT_LOWAT -1: ok
get TCP_SAVE_SYN: ok 0 len=4"
}

@test "hint rows refuse a short optlen with EINVAL, and a get copies at most optlen" {
	run shim setlen TCP_CORK 1 2 setlen TCP_QUICKACK 1 0 setlen TCP_NOTSENT_LOWAT 1 3 \
		setlen TCP_NODELAY 1 2 getlen TCP_LINGER2 2 getlen TCP_LINGER2 8
	assert_success
	assert_output "setlen TCP_CORK 1 2: EINVAL
setlen TCP_QUICKACK 1 0: EINVAL
setlen TCP_NOTSENT_LOWAT 1 3: EINVAL
setlen TCP_NODELAY 1 2: EINVAL
getlen TCP_LINGER2 2: ok len=2 3c00
getlen TCP_LINGER2 8: ok len=4 3c000000"
}

@test "TCP_CONGESTION accepts a name as a hint and reads back reno" {
	run shim getstr TCP_CONGESTION setstr TCP_CONGESTION cubic getstr TCP_CONGESTION \
		getlen TCP_CONGESTION 3 setlen TCP_CONGESTION 0 0 on accepted getstr TCP_CONGESTION
	assert_success
	assert_output "getstr TCP_CONGESTION: ok 'reno' len=16
setstr TCP_CONGESTION 'cubic': ok
getstr TCP_CONGESTION: ok 'reno' len=16
getlen TCP_CONGESTION 3: ok len=3 72656e
setlen TCP_CONGESTION 0 0: EINVAL
on accepted: ok
getstr TCP_CONGESTION: ok 'reno' len=16"
}

@test "TCP_FASTOPEN_KEY accepts a key as a hint and reads back nothing" {
	run shim setstr TCP_FASTOPEN_KEY 0123456789abcdef getlen TCP_FASTOPEN_KEY 16 \
		setlen TCP_FASTOPEN_KEY 0 0
	assert_success
	assert_output "setstr TCP_FASTOPEN_KEY '0123456789abcdef': ok
getlen TCP_FASTOPEN_KEY 16: ok len=0 
setlen TCP_FASTOPEN_KEY 0 0: EINVAL"
}

# ---- refused rows ----

@test "refused rows fail set and get with TCP's errno" {
	local row name err args=() expect=""
	for row in TCP_MD5SIG=ENOPROTOOPT TCP_COOKIE_TRANSACTIONS=ENOPROTOOPT \
		TCP_TIMESTAMP=ENOPROTOOPT TCP_MD5SIG_EXT=ENOPROTOOPT \
		TCP_ZEROCOPY_RECEIVE=ENOPROTOOPT TCP_INQ=ENOPROTOOPT \
		TCP_REPAIR_QUEUE=EPERM TCP_QUEUE_SEQ=EPERM \
		TCP_REPAIR_OPTIONS=EPERM TCP_REPAIR_WINDOW=EPERM; do
		name=${row%=*} err=${row#*=}
		args+=(set "$name" 1 get "$name")
		expect+="set $name 1: $err
get $name: $err
"
	done
	run shim "${args[@]}"
	assert_success
	assert_output "${expect%$'\n'}"
}

@test "TCP_REPAIR: set is EPERM, get says 0 (not in repair mode)" {
	run shim set TCP_REPAIR 1 get TCP_REPAIR set TCP_REPAIR 0
	assert_success
	assert_output "set TCP_REPAIR 1: EPERM
get TCP_REPAIR: ok 0 len=4
set TCP_REPAIR 0: EPERM"
}

@test "TCP_INFO, TCP_CC_INFO, TCP_SAVED_SYN, TCP_ULP refuse a set; the last three read back nothing" {
	run shim set TCP_INFO 1 set TCP_CC_INFO 1 set TCP_SAVED_SYN 1 setstr TCP_ULP tls \
		getlen TCP_CC_INFO 64 getlen TCP_SAVED_SYN 64 getlen TCP_ULP 16
	assert_success
	assert_output "set TCP_INFO 1: ENOPROTOOPT
set TCP_CC_INFO 1: ENOPROTOOPT
set TCP_SAVED_SYN 1: ENOPROTOOPT
setstr TCP_ULP 'tls': ENOENT
getlen TCP_CC_INFO 64: ok len=0 
getlen TCP_SAVED_SYN 64: ok len=0 
getlen TCP_ULP 16: ok len=0 "
}

@test "options outside the table fail with ENOPROTOOPT" {
	run shim set 0 1 get 0 set 38 1 get 38 set 99 1 get 99 set -1 1 get -1
	assert_success
	assert_output "set 0 1: ENOPROTOOPT
get 0: ENOPROTOOPT
set 38 1: ENOPROTOOPT
get 38: ENOPROTOOPT
set 99 1: ENOPROTOOPT
get 99: ENOPROTOOPT
set -1 1: ENOPROTOOPT
get -1: ENOPROTOOPT"
}

# ---- TCP_INFO ----

@test "TCP_INFO on a live association: ESTABLISHED with nonzero rto, mss, pmtu, cwnd" {
	run shim info on accepted info
	assert_success
	local side
	for side in 1 2; do
		line=$(grep '^info: ' <<<"$output" | sed -n "${side}p")
		[[ $line == "info: ok len="* ]] || fail "side $side: $line"
		[[ $line == *" state=1 "* ]] || fail "side $side not ESTABLISHED: $line"
		for f in rto snd_mss pmtu snd_cwnd; do
			v=$(sed -n "s/.* $f=\([0-9]*\).*/\1/p" <<<"$line")
			[ "${v:-0}" -gt 0 ] || fail "side $side: tcpi_$f is '$v': $line"
		done
	done
	# rto is in microseconds: SCTP's RTO is at least rto_min (1000 ms here).
	[ "$(field 'info: ' rto)" -ge 1000000 ] || fail "tcpi_rto not in microseconds: $output"
}

@test "TCP_INFO on a live association over loopback: nonzero tcpi_rtt" {
	run shim xfer xfer info
	assert_success
	local rtt
	rtt=$(field 'info: ' rtt)
	[ "${rtt:-0}" -gt 0 ] || fail "tcpi_rtt is '$rtt' (a TCP connection reports at least 1 us): $output"
}

@test "TCP_INFO's tcpi_rtt is the path's round trip in microseconds (100 ms path)" {
	command -v tc >/dev/null || skip "no tc"
	local ns=sctpize$$
	ip netns add "$ns" || skip "no network namespaces"
	ip -n "$ns" link set lo up
	if ! ip netns exec "$ns" tc qdisc add dev lo root netem delay 50ms; then
		ip netns del "$ns"
		skip "no netem"
	fi
	local tcp sctp
	run ip netns exec "$ns" "$PROBE" xfer xfer info
	tcp=$(field 'info: ' rtt)
	run ip netns exec "$ns" env LD_PRELOAD="$LIB" "$PROBE" xfer xfer info
	sctp=$(field 'info: ' rtt)
	ip netns del "$ns"
	# TCP measures about 100000 us on this path; SCTP must be of the same order
	# (up to 1 s, or ten times TCP's own figure on a machine slow enough to
	# stretch TCP's).
	[ "${tcp:-0}" -ge 90000 ] || fail "TCP's own tcpi_rtt on the 100 ms path: '$tcp'"
	local most=$((10 * tcp > 1000000 ? 10 * tcp : 1000000))
	[ "${sctp:-0}" -ge 50000 ] && [ "$sctp" -le "$most" ] ||
		fail "tcpi_rtt through the shim on a 100 ms path: '$sctp' us (TCP: $tcp us)"
}

@test "TCP_INFO on a listener says LISTEN, on an unconnected socket CLOSE" {
	run shim on listener info on fresh info
	assert_success
	assert_line --index 1 --regexp '^info: ok len=[0-9]+ state=10 '
	assert_line --index 3 --regexp '^info: ok len=[0-9]+ state=7 '
}

@test "TCP_INFO copies at most optlen bytes and reports the length" {
	run shim info 8 info 0
	assert_success
	assert_line --index 0 --regexp '^info: ok len=8 state=1 '
	assert_line --index 1 --regexp '^info: ok len=0 state=0 '
}

# ---- everything the shim must leave alone ----

@test "options at other levels pass through on SCTP sockets (SO_RCVBUF, SO_KEEPALIVE)" {
	run shim soset SO_RCVBUF 32768 soget SO_RCVBUF soset SO_KEEPALIVE 1 soget SO_KEEPALIVE \
		soset SO_KEEPALIVE 0 soget SO_KEEPALIVE
	assert_success
	# Linux doubles SO_RCVBUF for its bookkeeping, on SCTP as on TCP.
	assert_output "soset SO_RCVBUF 32768: ok
soget SO_RCVBUF: ok 65536 len=4
soset SO_KEEPALIVE 1: ok
soget SO_KEEPALIVE: ok 1 len=4
soset SO_KEEPALIVE 0: ok
soget SO_KEEPALIVE: ok 0 len=4"
}

@test "a TCP socket the shim did not create keeps TCP's own options" {
	local cc
	cc=$(cat /proc/sys/net/ipv4/tcp_congestion_control)
	run shim on tcp proto set TCP_NODELAY 1 get TCP_NODELAY set TCP_CORK 1 get TCP_CORK \
		set TCP_CORK 0 get TCP_CORK set TCP_USER_TIMEOUT 12345 get TCP_USER_TIMEOUT \
		set TCP_KEEPIDLE 77 get TCP_KEEPIDLE set TCP_MAXSEG 100 get TCP_MAXSEG \
		set TCP_QUICKACK 0 getstr TCP_CONGESTION info
	assert_success
	assert_output --regexp "^on tcp: ok
proto: 6
set TCP_NODELAY 1: ok
get TCP_NODELAY: ok 1 len=4
set TCP_CORK 1: ok
get TCP_CORK: ok 1 len=4
set TCP_CORK 0: ok
get TCP_CORK: ok 0 len=4
set TCP_USER_TIMEOUT 12345: ok
get TCP_USER_TIMEOUT: ok 12345 len=4
set TCP_KEEPIDLE 77: ok
get TCP_KEEPIDLE: ok 77 len=4
set TCP_MAXSEG 100: ok
get TCP_MAXSEG: ok 100 len=4
set TCP_QUICKACK 0: ok
getstr TCP_CONGESTION: ok '$cc' len=16
info: ok len=[0-9]+ state=7 .*\$"
}

@test "TCP-level options on a non-socket fail as the kernel says (ENOTSOCK)" {
	run shim on pipe set TCP_NODELAY 1 get TCP_NODELAY set TCP_CORK 1 info
	assert_success
	assert_output "on pipe: ok
set TCP_NODELAY 1: ENOTSOCK
get TCP_NODELAY: ENOTSOCK
set TCP_CORK 1: ENOTSOCK
info: ENOTSOCK"
}

@test "errno is unchanged after every successful call" {
	run shim set TCP_NODELAY 1 get TCP_NODELAY set TCP_MAXSEG 1000 get TCP_MAXSEG \
		set TCP_KEEPIDLE 5 get TCP_KEEPIDLE set TCP_KEEPINTVL 5 get TCP_KEEPINTVL \
		set TCP_KEEPCNT 5 get TCP_KEEPCNT set TCP_SYNCNT 5 get TCP_SYNCNT \
		set TCP_USER_TIMEOUT 5000 get TCP_USER_TIMEOUT set TCP_USER_TIMEOUT 0 \
		get TCP_USER_TIMEOUT set TCP_CORK 1 get TCP_CORK set TCP_LINGER2 1 get TCP_LINGER2 \
		setstr TCP_CONGESTION cubic getstr TCP_CONGESTION setstr TCP_FASTOPEN_KEY \
		0123456789abcdef getlen TCP_FASTOPEN_KEY 16 getlen TCP_CC_INFO 16 info \
		soset SO_RCVBUF 32768 soget SO_RCVBUF on listener info get TCP_MAXSEG on fresh info \
		get TCP_NODELAY get TCP_MAXSEG get TCP_USER_TIMEOUT
	assert_success
	refute_output --partial errno-changed
	# Every call in the list succeeded: the lines all say ok.
	refute_output --regexp ': E[A-Z]+'
}
