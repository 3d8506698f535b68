#!/usr/bin/env bats
# The decision core (shim/core, build/libsctpize-core.a) on its own: no SCTP,
# no interception.  tests/helpers/unit_core.c links the archive alone and
# reaches sockets through a fake struct sockio that prints what it is given.
# Also: libsctpize(7)'s TCP option table is the code's table, and the core
# calls nothing the preload library exports.

load ../helpers/common

setup() {
	CORE=$HELPERS/unit_core
	[ -x "$CORE" ] || fail "$CORE is missing: run 'make test-programs' first"
}

# libsctpize(7)'s table as "NAME SET GET" lines: the .It Dv TCP_* row and the
# ".No set , No get : No why" line after it (.Er ERRNO for an error).
man_table() {
	awk '
		/^\.It Dv TCP_/ && want == 0 { name = $3; want = 1; next }
		want == 1 {
			line = $0
			sub(/ : .*/, "", line)
			gsub(/\\\(dq/, "\"", line)
			split(line, col, " , ")
			# Each column is a macro and its word: ".No mapped", "Er EPERM".
			for (i = 1; i <= 2; i++)
				sub(/^\.?(No|Er) /, "", col[i])
			print name, col[1], col[2]
			want = 0
			next
		}
		/^\.It any other/ { exit }
	' "$TOP/man/libsctpize.7"
}

@test "libsctpize(7)'s TCP option table is the code's, row by row" {
	run man_table
	assert_success
	local man=$output
	[ "$(wc -l <<<"$man")" -ge 30 ] || fail "only $(wc -l <<<"$man") rows read from the man page"
	run "$CORE" table
	assert_success
	[ "$man" = "$output" ] || fail "man page and code differ:
$(diff <(echo "$man") <(echo "$output"))"
}

@test "the man table check notices a changed row" {
	# The comparison must be able to fail: one row altered is a difference.
	run man_table
	local altered
	altered=$(sed 's/^TCP_CORK hint 0$/TCP_CORK hint 1/' <<<"$output")
	run "$CORE" table
	[ "$altered" != "$output" ]
}

@test "option lookups: a row by number; no row and out of range are TCP's unknown option" {
	run "$CORE" row 1
	assert_output TCP_NODELAY
	run "$CORE" row 13
	assert_output TCP_CONGESTION
	for n in -1 9999 2147483647; do
		run "$CORE" row "$n"
		assert_output "unknown TCP option"
	done
	run "$CORE" set 9999 1
	assert_output "refused ENOPROTOOPT"
}

@test "mapped rows set the SCTP option with the same meaning" {
	run "$CORE" set TCP_NODELAY 5
	assert_output $'set SCTP_NODELAY 1\nmapped 0'
	run "$CORE" set TCP_KEEPIDLE 7
	assert_output $'set SCTP_PEER_ADDR_PARAMS hbinterval=7000 pathmaxrxt=0 flags=1\nmapped 0'
	run "$CORE" set TCP_KEEPCNT 3
	assert_output $'set SCTP_PEER_ADDR_PARAMS hbinterval=0 pathmaxrxt=3 flags=0\nmapped 0'
	run "$CORE" set TCP_SYNCNT 4
	assert_output $'set SCTP_INITMSG max_attempts=4\nmapped 0'
	# 100 bytes: below SCTP's smallest (512 less IPv4, SCTP and DATA headers): raised.
	run "$CORE" set TCP_MAXSEG 100
	assert_output $'set SCTP_MAXSEG 464\nmapped 0'
	# 10 s with RTOs of 1, 2, 4, 8 s (from 1000..60000 ms): 4 retransmissions.
	run "$CORE" set TCP_USER_TIMEOUT 10000
	assert_output $'set SCTP_ASSOCINFO asocmaxrxt=4\nmapped 0'
}

@test "bad values fail as TCP's would, with nothing set" {
	# Out of TCP's range for a mapped row: the mapping refuses it.
	run "$CORE" set TCP_KEEPIDLE 0
	assert_output "failed EINVAL"
	run "$CORE" set TCP_MAXSEG 70000
	assert_output "failed EINVAL"
	# A hint out of range, or not an int: refused before any row's meaning.
	run "$CORE" set TCP_THIN_DUPACK 2
	assert_output "invalid EINVAL"
	run "$CORE" set TCP_NODELAY 1 2
	assert_output "invalid EINVAL"
	run "$CORE" set TCP_CONGESTION 0 0
	assert_output "invalid EINVAL"
}

@test "hints are accepted with nothing set; refused rows fail with TCP's error" {
	run "$CORE" set TCP_CORK 1
	assert_output "hinted 0"
	run "$CORE" set TCP_CONGESTION 0 1
	assert_output "hinted 0"
	run "$CORE" set TCP_MD5SIG 1
	assert_output "refused ENOPROTOOPT"
	run "$CORE" set TCP_REPAIR 1
	assert_output "refused EPERM"
	run "$CORE" set TCP_ULP 1
	assert_output "refused ENOENT"
	run "$CORE" set TCP_INFO 1
	assert_output "refused ENOPROTOOPT"
}

@test "getsockopt: mapped rows read SCTP back, the others answer the table" {
	run "$CORE" get TCP_NODELAY
	assert_output "int 1"
	run "$CORE" get TCP_MAXSEG
	assert_output "int 1452"
	run "$CORE" get TCP_KEEPIDLE
	assert_output "int 30"
	run "$CORE" get TCP_KEEPCNT
	assert_output "int 5"
	run "$CORE" get TCP_SYNCNT
	assert_output "int 8"
	run "$CORE" get TCP_LINGER2
	assert_output "int 60"
	run "$CORE" get TCP_QUICKACK
	assert_output "int 1"
	run "$CORE" get TCP_CONGESTION
	assert_output "text reno"
	run "$CORE" get TCP_ULP
	assert_output "empty"
	run "$CORE" get TCP_MD5SIG
	assert_output "error ENOPROTOOPT"
	run "$CORE" get TCP_QUEUE_SEQ
	assert_output "error EPERM"
	# No association (the fake socket has none): TCP_CLOSE (7), the kernel's whole struct.
	run "$CORE" get TCP_INFO
	assert_output --regexp '^[0-9]+ bytes state=7$'
}

@test "TCP_INFO from an SCTP_STATUS: state, RTT from jiffies, RTO, MSS, cwnd in segments" {
	# SCTP_ESTABLISHED (4); srtt 25 jiffies at HZ 250 = 100 ms; cwnd 4380 bytes = 4 segments of 1452.
	run "$CORE" tcpinfo 4 25 300 4380 1500 1452 250
	assert_output "state=1 rtt=100000 rto=300000 mss=1452 pmtu=1500 cwnd=4 ssthresh=2147483647"
	# Same srtt at HZ 1000: 25 ms.
	run "$CORE" tcpinfo 4 25 300 4380 1500 1452 1000
	assert_output --partial "rtt=25000 "
	# HZ unknown, or srtt below one tick, while established: TCP never says 0.
	run "$CORE" tcpinfo 4 0 300 4380 1500 1452 250
	assert_output --partial "rtt=1 "
	# COOKIE_WAIT (2): SYN_SENT (2); SHUTDOWN_RECEIVED (7): CLOSE_WAIT (8); CLOSED (1): CLOSE (7).
	run "$CORE" tcpinfo 2 0 3000 0 0 0 250
	assert_output --regexp '^state=2 rtt=0 '
	run "$CORE" tcpinfo 7 0 3000 0 0 0 250
	assert_output --regexp '^state=8 '
	run "$CORE" tcpinfo 1 0 3000 0 0 0 250
	assert_output --regexp '^state=7 '
}

@test "the defaults list: TCP-like by default, then the settings, nothing unset" {
	run env -i "$CORE" defaults
	assert_success
	assert_output "SO_SNDBUFFORCE 4194304 else SO_SNDBUF (SCTPIZE_SNDBUF)
SO_RCVBUFFORCE 4194304 else SO_RCVBUF (SCTPIZE_RCVBUF)
SCTP_DELAYED_SACK delay=40 (SCTPIZE_SACK_DELAY)
SCTP_INITMSG streams=0 attempts=5 max_init_timeo=41000 (SCTPIZE_STREAMS/SCTPIZE_CONNECT_TIMEOUT)"
	run env -i SCTPIZE_SNDBUF=0 SCTPIZE_RCVBUF=0 SCTPIZE_SACK_DELAY=0 SCTPIZE_CONNECT_TIMEOUT=0 \
		"$CORE" defaults
	assert_success
	assert_output ""
	run env -i SCTPIZE_SNDBUF=0 SCTPIZE_RCVBUF=0 SCTPIZE_SACK_DELAY=0 SCTPIZE_CONNECT_TIMEOUT=0 \
		SCTPIZE_NODELAY=1 SCTPIZE_FAILOVER=fast SCTPIZE_MAX_RETRANS=6 SCTPIZE_STREAMS=3 \
		"$CORE" defaults
	assert_output "SCTP_NODELAY 1 (SCTPIZE_NODELAY)
SCTP_RTOINFO initial=300 min=100 max=1000 (SCTPIZE_RTO_*)
SCTP_PEER_ADDR_PARAMS hbinterval=1000 pathmaxrxt=1 (SCTPIZE_HB_INTERVAL/SCTPIZE_PATH_MAX_RETRANS)
SCTP_ASSOCINFO asocmaxrxt=6 (SCTPIZE_MAX_RETRANS)
SCTP_INITMSG streams=3 attempts=0 max_init_timeo=0 (SCTPIZE_STREAMS/SCTPIZE_CONNECT_TIMEOUT)"
}

@test "settings: accepted whole or refused with the reason" {
	run env -i SCTPIZE_VERBOSE=2 SCTPIZE_BIND_ADDRS=10.0.0.1,::1 "$CORE" parse
	assert_success
	assert_output ok
	run env -i SCTPIZE_VERBOSE=3 "$CORE" parse
	assert_failure
	assert_output "refused: SCTPIZE_VERBOSE: '3' is not 0, 1 or 2"
	run env -i SCTPIZE_NODELAYY=1 "$CORE" parse
	assert_failure
	assert_output "refused: SCTPIZE_NODELAYY: unknown setting (see libsctpize(7))"
	run env -i SCTPIZE_RTO_MIN=500 SCTPIZE_RTO_MAX=400 "$CORE" parse
	assert_failure
	assert_output "refused: SCTPIZE_RTO_MIN: 500 is more than SCTPIZE_RTO_MAX (400)"
	run env -i SCTPIZE_BIND_ADDRS=224.0.0.1 "$CORE" parse
	assert_failure
	assert_output "refused: SCTPIZE_BIND_ADDRS: '224.0.0.1' is not a unicast address"
	run env -i SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_ADDRS=10.0.0.1 "$CORE" parse
	assert_failure
	assert_output --partial "SCTPIZE_BIND_ADDRS: cannot be combined with SCTPIZE_BIND_ALL=1"
	run env -i SCTPIZE_RULES="sctp port 99999" SCTPIZE_CONFIG=/dev/null "$CORE" parse
	assert_failure
	assert_output --partial "SCTPIZE_RULES rule 1: 'sctp port 99999': port '99999': port out of range (1-65535)"
}

# The names libsctpize.so exports (shim/libsctpize.map).
exported() {
	sed -n 's/^[[:space:]]*\([A-Za-z_0-9]*\);$/\1/p' "$TOP/shim/libsctpize.map"
}

@test "the core calls nothing the preload library exports" {
	local names undefined bad
	names=$(exported)
	[ "$(wc -l <<<"$names")" -ge 30 ] || fail "no exported names read"
	# Every symbol the archive needs from outside it.
	undefined=$(nm -u "$B/libsctpize-core.a" | awk 'NF == 2 { print $2 }' | sort -u)
	grep -qx strcmp <<<"$undefined" || fail "nm read nothing: $undefined"
	# syscall: only the default of core_syscall (file.c), never called in the library,
	# which points it at the real one first thing in its start-up.
	bad=$(grep -vx syscall <<<"$undefined" | grep -xF "$names" || true)
	[ -z "$bad" ] || fail "the core refers to exported names: $bad"
}

@test "the preload library reaches none of its own exported names through the PLT" {
	local names calls
	names=$(exported | paste -sd'|')
	command -v objdump >/dev/null || skip "no objdump"
	calls=$(objdump -d "$B/libsctpize.so" | grep -oE '<[A-Za-z_0-9]+@plt>' | sort -u)
	grep -q '<dlsym@plt>' <<<"$calls" || fail "objdump read nothing: $calls"
	# Each exported name called inside the library would be a call through our own
	# wrapper (re-entry): internal code calls real.* or a named internal function.
	! grep -E "^<($names)@plt>\$" <<<"$calls" || fail "a wrapped name called from inside"
}
