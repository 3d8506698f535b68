#!/usr/bin/env bats
# Bad input (the "hardening" issue): a table of every SCTPIZE_* variable the
# library knows (shim/core/config.c parse_one()), every option of the wrapper
# (bin/sctpize.in) and the lines of the configuration file (sctpize.conf(5),
# shim/core/rules.c), with malformed, out-of-range, empty, huge (100 kB) and
# hostile values: shell metacharacters, newlines and escape sequences,
# %n format strings, ../ paths, bytes that are not UTF-8.
#
# Each row is a setting, a value and the exact message (or a glob of it, a
# "~" first) that must follow "sctpize: ".  A row is refused:
#   - by sctpize-helper validate (the wrapper's own check): exit 2, exactly
#     that one line;
#   - by the library under a bare LD_PRELOAD: the same message, once, as
#     "sctpize[PID]: unit_socket: MESSAGE; no socket is converted, TCP
#     sockets fail with EINVAL", and socket() fails with EINVAL for AF_INET
#     and AF_INET6 TCP while AF_UNIX is made (no TCP nobody asked for);
#   - by the wrapper (a sample of the variables, every option): exit 2, one
#     line, and the program (touch MARK) never starts.
# A message quotes a value's first 64 bytes ("..." after them), its control
# characters written \xNN, so it is one line whatever the value holds
# (/work/spec/patches/messages.diff); the wrapper's own messages write them
# '?'.  A hostile value is never evaluated: the file its $(...), `...` or ;
# would create never appears.

load ../helpers/common
load ../helpers/unit

PY=/usr/bin/python3

setup() {
	unit_setup
	# Only the row's own setting: unit_setup's TCP-like defaults off again.
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT \
		SCTPIZE_HALF_CLOSE
	T=$BATS_TEST_TMPDIR
	MARK=$T/started
	INJ=$T/injected
	ROWS=0 PROBLEMS="" NPROB=0
	[ -x "$B/sctpize-helper" ] || fail "build/sctpize-helper is missing: run make"
	# Bats' DEBUG trap runs before every command of every function and makes a
	# table of thousands of rows ten times slower; the rows report their own
	# problems (finish), so the trap's line numbers are not needed here.
	trap - DEBUG
	set +T
}

# --- the settings ---

# Every variable, with its kind (shim/core/config.c parse_one()).
SETTINGS="VERBOSE:verbose LOG:log NODELAY:bool BIND_ALL:bool BIND_LOOPBACK:bool
	PEER_RESOLVED:bool HALF_CLOSE:bool FALLBACK:bool BIND_ADDRS:addrs PEER_ADDRS:addrs
	BIND_IFACES:ifaces FAILOVER:failover HB_INTERVAL:ms RTO_MIN:ms RTO_MAX:ms
	RTO_INITIAL:ms PATH_MAX_RETRANS:count MAX_RETRANS:count STREAMS:count
	SNDBUF:bytes RCVBUF:bytes SACK_DELAY:sack CONNECT_TIMEOUT:timeout
	FALLBACK_TIMEOUT:fbtimeout DEFAULT:action STATS:stats RULES:rules CONFIG:config"

# The options that take a value, and their variables (sctpize(1)).
OPTIONS="--log:LOG --bind-addrs:BIND_ADDRS --bind-ifaces:BIND_IFACES --peer-addrs:PEER_ADDRS
	--failover:FAILOVER --hb-interval:HB_INTERVAL --rto-min:RTO_MIN --rto-max:RTO_MAX
	--rto-initial:RTO_INITIAL --path-max-retrans:PATH_MAX_RETRANS --max-retrans:MAX_RETRANS
	--streams:STREAMS --sndbuf:SNDBUF --rcvbuf:RCVBUF --sack-delay:SACK_DELAY
	--connect-timeout:CONNECT_TIMEOUT --default:DEFAULT --fallback-timeout:FALLBACK_TIMEOUT
	--config:CONFIG"

kind_of() {
	local s
	for s in $SETTINGS; do
		[ "${s%%:*}" = "$1" ] && { K=${s#*:}; echo "$K"; return; }
	done
	return 1
}
# The same without a subshell: sets K.
kind_v() {
	local s
	for s in $SETTINGS; do
		[ "${s%%:*}" = "$1" ] && { K=${s#*:}; return; }
	done
	return 1
}

# What follows "'VALUE' " in the message for a bad scalar of kind $1.
reason() {
	reason_v "$1" && echo "$R"
}
reason_v() {
	case $1 in
	verbose)	R="is not 0, 1 or 2" ;;
	bool)		R="is not 0 or 1" ;;
	ms)		R="is not a whole number from 1 to 86400000" ;;
	count)		R="is not a whole number from 1 to 65535" ;;
	fbtimeout)	R="is not a whole number from 100 to 60000" ;;
	bytes)		R="is not 0 (the kernel's default) or a whole number from 1024 to 1073741824" ;;
	sack)		R="is not 0 (the kernel's default) or a whole number from 1 to 500" ;;
	timeout)	R="is not 0 (the kernel's default) or a whole number from 1 to 86400" ;;
	failover)	R="is not fast or default" ;;
	log)		R="is not stderr, syslog or an absolute file name" ;;
	action)		R="is not sctp, tcp or both" ;;
	stats)		R="is not 0, 1, USR1 or USR2" ;;
	*)		return 1 ;;
	esac
}
SCALARS="verbose bool ms count fbtimeout bytes sack timeout failover log action stats"
is_scalar() { [[ " $SCALARS " == *" $1 "* ]]; }

# A value as a message quotes it: its first 64 bytes, control bytes as \xNN.
# quote_v sets Q (no subshell: the tables have thousands of rows); quoted prints it.
quoted() {
	quote_v "$1"
	printf '%s' "$Q"
}
quote_v() {
	local LC_ALL=C v=${1:0:64} out="" c i
	if [[ $v == *[$'\x01'-$'\x1f'$'\x7f']* ]]; then
		for ((i = 0; i < ${#v}; i++)); do
			c=${v:i:1}
			if [[ $c == [$'\x01'-$'\x1f'$'\x7f'] ]]; then
				printf -v c '\\x%02x' "'$c"
			fi
			out+=$c
		done
	else
		out=$v
	fi
	[ ${#1} -le 64 ] || out+=...
	Q="'$out'"
}

# A value as the wrapper's own messages show it: control bytes as '?'.
sh_shown() {
	printf '%s' "$1" | LC_ALL=C tr '\001-\037\177' '?'
}

# A name as a message shows it: cut to 40 bytes and "..." when it is 64 or longer.
shown_name() {
	if [ ${#1} -ge 64 ]; then printf '%s...' "${1:0:40}"; else printf '%s' "$1"; fi
}

# 100 kB made of $1 repeated.
huge() {
	local s=$1
	while [ ${#s} -lt 102400 ]; do s=$s$s; done
	printf '%s' "${s:0:102400}"
}

# --- the checks ---

show() {
	local s
	printf -v s '%q' "$1"
	[ ${#s} -le 100 ] || s="${s:0:97}..."
	printf '%s' "$s"
}

problem() {
	NPROB=$((NPROB + 1))
	[ "$NPROB" -gt 40 ] || PROBLEMS+="$1"$'\n'
}

finish() {
	[ "$ROWS" -gt 0 ] || fail "no rows"
	echo "# $ROWS rows" >&3
	[ ! -e "$INJ" ] || problem "a value was evaluated: $INJ exists"
	[ ! -e "$MARK" ] || problem "a program was started"
	[ "$NPROB" = 0 ] || fail "$NPROB problems in $ROWS rows (the first 40):
$PROBLEMS"
}

# Does message $1 match the row's expectation $2: exact, a glob after "~", or
# a literal beginning after "^"?
matches() {
	if [[ $2 == "^"* ]]; then
		[[ $1 == "${2#^}"* ]]
	elif [[ $2 == "~"* ]]; then
		# shellcheck disable=SC2053
		[[ $1 == ${2#\~} ]]
	else
		[ "$1" = "$2" ]
	fi
}

# The whole of file $1 is one line (ends with its only newline): into ONE.
one_line() {
	ONE=""
	IFS= read -r -d '' ONE < "$1" || true
	[[ $ONE == *$'\n' && ${ONE%$'\n'} != *$'\n'* ]] || return 1
	ONE=${ONE%$'\n'}
}

# refused NAME VALUE WANT: NAME=VALUE refused by the helper and by the library.
refused() {
	local name=$1 value=$2 want=$3 who st msg OUT
	ROWS=$((ROWS + 1))
	printf -v who '%q=%q' "$name" "${value:0:80}"
	st=0
	env "$name=$value" "$B/sctpize-helper" validate 2> "$T/err" || st=$?
	[ "$st" = 2 ] || { problem "$who: validate: exit $st ($(show "$(cat "$T/err")"))"; return; }
	one_line "$T/err" || { problem "$who: validate: not one line: $(show "$(cat "$T/err")")"; return; }
	msg=${ONE#sctpize: }
	matches "$msg" "$want" || problem "$who: validate said
    $(show "$msg"), not
    $(show "$want")"
	# The library: the same message, and no TCP socket.
	env "$name=$value" LD_PRELOAD="$LIB" "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 \
		AF_INET6 "SOCK_STREAM|SOCK_NONBLOCK" IPPROTO_TCP AF_UNIX SOCK_STREAM 0 > "$T/out" 2> "$T/err" ||
		problem "$who: library: unit_socket exit $?"
	IFS= read -r -d '' OUT < "$T/out" || true
	[ "$OUT" = $'fail EINVAL\nfail EINVAL\n'"ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept"$'\n' ] ||
		problem "$who: library: sockets: $(show "$OUT")"
	one_line "$T/err" || { problem "$who: library: not one line: $(show "$(cat "$T/err")")"; return; }
	[[ $ONE =~ ^sctpize\[[0-9]+\]:\ unit_socket:\  ]] &&
		[ "${ONE#"${BASH_REMATCH[0]}"}" = "$msg; no socket is converted, TCP sockets fail with EINVAL" ] ||
		problem "$who: library said $(show "$ONE"), validate $(show "$msg")"
}

# scalar NAME VALUE: the standard message of NAME's kind.
scalar() {
	kind_v "$1"
	reason_v "$K"
	quote_v "$2"
	refused "SCTPIZE_$1" "$2" "SCTPIZE_$1: $Q $R"
}

# wrapper WANT ARGS...: sctpize ARGS touch MARK (SCTP faked so that only the
# settings can stop it): exit 2, one line "sctpize: WANT", not started.
wrapper() {
	local want=$1 who st
	shift
	ROWS=$((ROWS + 1))
	printf -v who '%q ' "$@"
	who="sctpize ${who:0:120}"
	st=0
	LD_PRELOAD=$REC RECORDER_FAKE_SCTP=1 "$SCTPIZE" "$@" touch "$MARK" 2> "$T/err" || st=$?
	[ "$st" = 2 ] || problem "$who: exit $st, not 2 ($(show "$(cat "$T/err")"))"
	if ! one_line "$T/err"; then
		problem "$who: not one line: $(show "$(cat "$T/err")")"
	else
		matches "${ONE#sctpize: }" "$want" || problem "$who: said
    $(show "${ONE#sctpize: }"), not
    $(show "$want")"
	fi
	[ ! -e "$MARK" ] || { problem "$who: the program was started"; rm -f "$MARK"; }
}

# --- the tables of the variables ---

@test "malformed values of every scalar setting (signs, blanks, suffixes, bases, case, full-width digits)" {
	local s name kind v
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		verbose|bool|ms|count|fbtimeout|bytes|sack|timeout)
			for v in yes +1 -1 " 1" "1 " 1k 0x10 1.5 1e3 ２ "1,000" 1_0; do
				scalar "$name" "$v"
			done ;;
		esac
	done
	for v in slow Fast "fast " FAST 1 fast,default on; do scalar FAILOVER "$v"; done
	for v in relative/file log ./log "~/log" ../log - STDERR Syslog " syslog" "stderr " \
		file:///tmp/log; do
		scalar LOG "$v"
	done
	for v in SCTP Tcp "sctp " " tcp" udp sctp,tcp "sctp tcp" default none 1 mptcp; do
		scalar DEFAULT "$v"
	done
	for v in 2 -1 yes USR3 usr1 SIGUSR SIGHUP HUP 10 "USR1 " SIGUSR1,USR2 "1 "; do
		scalar STATS "$v"
	done
	finish
}

@test "out-of-range values of every numeric setting, and numbers too long to read" {
	local s name kind v
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		verbose)	set -- 3 9 ;;
		bool)		set -- 2 10 ;;
		ms)		set -- 0 86400001 ;;
		count)		set -- 0 65536 ;;
		fbtimeout)	set -- 0 99 60001 ;;
		bytes)		set -- 1 1023 1073741825 ;;
		sack)		set -- 501 ;;
		timeout)	set -- 86401 ;;
		*)		continue ;;
		esac
		for v in "$@" 4294967296 4294967297 18446744073709551617 99999999999999999999999999999999; do
			scalar "$name" "$v"
		done
	done
	finish
}

@test "empty values of every setting" {
	local s name kind
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		addrs)	refused "SCTPIZE_$name" "" "SCTPIZE_$name: empty; expected a comma-separated list of IP addresses" ;;
		ifaces)	refused "SCTPIZE_$name" "" "SCTPIZE_$name: empty; expected a comma-separated list of interface names" ;;
		rules)	# Unset means no rule; an empty value (SCTPIZE_RULES="$UNSET") would
			# silently convert everything (/work/spec/patches/rules-empty.diff).
			refused SCTPIZE_RULES "" "SCTPIZE_RULES: '': no rule in it (unset SCTPIZE_RULES for none)"
			refused SCTPIZE_RULES " ; ;" "SCTPIZE_RULES: ' ; ;': no rule in it (unset SCTPIZE_RULES for none)"
			refused SCTPIZE_RULES $'\n' "SCTPIZE_RULES: '\\x0a': no rule in it (unset SCTPIZE_RULES for none)" ;;
		config)	refused SCTPIZE_CONFIG "" "SCTPIZE_CONFIG: empty (a file name, or /dev/null for none)" ;;
		*)	scalar "$name" "" ;;
		esac
	done
	finish
}

@test "100 kB values of every setting: one line with the name, the value's start and the reason" {
	local s name kind digits letters
	digits=$(huge 1) letters=$(huge a)
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		log)
			scalar "$name" "$letters"
			refused "SCTPIZE_$name" "/$letters" "SCTPIZE_$name: file name longer than 255 bytes" ;;
		addrs)
			refused "SCTPIZE_$name" "$(huge 10.0.0.1,)" \
				"SCTPIZE_$name: $(quoted "$(huge 10.0.0.1,)"): more than 16 addresses"
			refused "SCTPIZE_$name" "$letters" \
				"SCTPIZE_$name: $(quoted "$letters"): expected a comma-separated list of IP addresses" ;;
		ifaces)
			refused "SCTPIZE_$name" "$(huge a,)" "SCTPIZE_$name: $(quoted "$(huge a,)"): more than 8 interfaces"
			refused "SCTPIZE_$name" "$letters" \
				"SCTPIZE_$name: $(quoted "$letters"): an interface name has 1 to 15 characters" ;;
		rules)
			refused SCTPIZE_RULES "$(huge 'sctp port 1;')" \
				"SCTPIZE_RULES rule 65: 'sctp port 1': more than 64 rules"
			refused SCTPIZE_RULES "$letters" "SCTPIZE_RULES rule 1: '...': rule longer than 511 bytes" ;;
		config)
			refused SCTPIZE_CONFIG "/$letters" "SCTPIZE_CONFIG: cannot open '/${letters:0:199}': File name too long" ;;
		*)
			scalar "$name" "$digits"
			scalar "$name" "$letters" ;;
		esac
	done
	finish
}

# Hostile values: what a shell would expand or split, format strings, control
# characters, terminal escapes and bytes that are not UTF-8 (no NUL: an
# environment cannot hold one).
HOSTILE=(
	'$(touch "$INJ")' '`touch "$INJ"`' '; touch "$INJ" #' '| touch "$INJ"' '&& touch "$INJ"'
	"' \"" '*' '%s%n%s%n%x%p' '%99999999d' $'\e[31m1\e[0m' $'\e]0;owned\a' $'1\r' $'1\b\b2'
	$'\x01\x02\x7f' $'\xff\xfe\x80\xc0' ../../../etc/passwd '..' '/..' "1'; echo '"
)

@test "hostile values (shell metacharacters, %n, escapes, control and non-UTF-8 bytes, ../) refused, never evaluated" {
	local s name kind v
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		for v in "${HOSTILE[@]}"; do
			v=${v//\$INJ/$INJ}
			case $kind in
			addrs)	case $v in
				*,*) continue ;;
				esac
				if [ ${#v} -ge 47 ]; then
					refused "SCTPIZE_$name" "$v" "SCTPIZE_$name: $(quoted "$v"): expected a comma-separated list of IP addresses"
				else
					refused "SCTPIZE_$name" "$v" "SCTPIZE_$name: $(quoted "$v") is not an IPv4 or IPv6 address"
				fi ;;
			ifaces)	continue ;;	# many are valid interface names: see the interface test
			rules)	refused SCTPIZE_RULES "$v" "~SCTPIZE_RULES rule [12]: *" ;;
			config)	case $v in
				/*) refused SCTPIZE_CONFIG "$v" "~SCTPIZE_CONFIG: *" ;;
				*) refused SCTPIZE_CONFIG "$v" "SCTPIZE_CONFIG: $(quoted "$v") is not an absolute file name" ;;
				esac ;;
			log)	[[ $v == /* ]] && continue	# an absolute name: see the log test
				scalar "$name" "$v" ;;
			*)	scalar "$name" "$v" ;;
			esac
		done
	done
	finish
}

@test "a value with a newline is one message line, not a line the value made up" {
	local s name kind
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		addrs)	refused "SCTPIZE_$name" $'10.0.0.1\nsctpize: all is well' \
				"SCTPIZE_$name: '10.0.0.1\\x0asctpize: all is well' is not an IPv4 or IPv6 address" ;;
		ifaces)	refused "SCTPIZE_$name" $'l\nsctpize: ok' "SCTPIZE_$name: 'l\\x0asctpize: ok' is not an interface name" ;;
		rules)	refused SCTPIZE_RULES $'sctp\nsctpize: all is well' \
				"SCTPIZE_RULES rule 2: 'sctpize: all is well': unknown action 'sctpize:' (expected sctp, tcp or both)" ;;
		config)	refused SCTPIZE_CONFIG $'/nonexistent\nsctpize: all is well' \
				"SCTPIZE_CONFIG: cannot open '/nonexistent\\x0asctpize: all is well': No such file or directory" ;;
		log)	scalar "$name" $'stderr\nsctpize: all is well' ;;
		*)	scalar "$name" $'1\nsctpize: all is well' ;;
		esac
	done
	finish
}

@test "addresses and lists that only look right, 17 addresses, non-unicast, IPv4-mapped non-unicast" {
	local n v
	for n in SCTPIZE_BIND_ADDRS SCTPIZE_PEER_ADDRS; do
		for v in 999.1.1.1 1.2.3 1.2.3.4.5 256.0.0.1 01.2.3.4 127.1 0x7f.0.0.1 2130706433 \
			1.2.3.4:80 ::ffff:1.2.3.4:80 '[::1]' '[::1]:80' 1::2::3 fe80::1%eth0 \
			fe80::1%1 ' 10.0.0.1' '10.0.0.1 ' 10.0.0.1/24 localhost example.com \
			'10.0.0.1;10.0.0.2' '10.0.0.1 10.0.0.2' 10.0.0.1:10.0.0.2 ':::' ::g -1.0.0.0; do
			refused "$n" "$v" "$n: '$v' is not an IPv4 or IPv6 address"
		done
		refused "$n" "10.0.0.1,999.1.1.1" "$n: '999.1.1.1' is not an IPv4 or IPv6 address"
		for v in , 10.0.0.1, ,10.0.0.1 10.0.0.1,,10.0.0.2 \
			1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa; do
			refused "$n" "$v" "$n: '$v': expected a comma-separated list of IP addresses"
		done
		v=$(seq -s, -f '10.0.0.%g' 17)
		refused "$n" "$v" "$n: $(quoted "$v"): more than 16 addresses"
		for v in 0.0.0.0 :: 0:0:0:0:0:0:0:0 255.255.255.255 224.0.0.1 239.255.255.255 \
			ff02::1 ff05::1:3 ::ffff:0.0.0.0 ::ffff:255.255.255.255 ::ffff:224.0.0.1; do
			refused "$n" "$v" "$n: '$v' is not a unicast address"
		done
	done
	finish
}

@test "interface names: slash, colon, blanks, . and .., too long, empty items, more than 8, hostile" {
	local v n=SCTPIZE_BIND_IFACES
	for v in a/b eth0:1 "eth 0" $'eth\t0' $'eth\n0' . .. / : lo/ ../lo 'a;b c' '$(id)/x' '`id` x'; do
		refused "$n" "$v" "$n: $(quoted "$v") is not an interface name"
	done
	refused "$n" "lo,a/b" "$n: 'a/b' is not an interface name"
	for v in 0123456789abcdef 0123456789abcdefghijk , lo, ,lo lo,,eth0 '$(touch "'"$INJ"'")'; do
		refused "$n" "$v" "$n: $(quoted "$v"): an interface name has 1 to 15 characters"
	done
	refused "$n" a,b,c,d,e,f,g,h,i "$n: 'a,b,c,d,e,f,g,h,i': more than 8 interfaces"
	finish
}

@test "unknown, misspelt, lower-case, overlong and unshellable SCTPIZE_ names" {
	local n long
	for n in SCTPIZE_FOO SCTPIZE_ SCTPIZE_nodelay SCTPIZE_Nodelay SCTPIZE_NO_DELAY \
		SCTPIZE_NODELAY_ SCTPIZE__NODELAY SCTPIZE_LOGFILE SCTPIZE_VERBOSE2 SCTPIZE_RTO_MINIMUM \
		SCTPIZE_RULE SCTPIZE_CONF SCTPIZE_FALLBACK_TIMEOUT_MS SCTPIZE_STAT \
		SCTPIZE_BIND-ALL SCTPIZE_RTO-MIN "SCTPIZE_NODELAY " "SCTPIZE_BIND ALL" \
		"SCTPIZE_\$(touch $INJ)" SCTPIZE_%n%n SCTPIZE_NODELAY.; do
		refused "$n" 1 "$(shown_name "$n"): unknown setting (see libsctpize(7))"
	done
	refused $'SCTPIZE_A\tB' 1 "SCTPIZE_A\\x09B: unknown setting (see libsctpize(7))"
	long=SCTPIZE_$(printf 'A%.0s' $(seq 100))
	refused "$long" 1 "$(shown_name "$long"): unknown setting (see libsctpize(7))"
	finish
}

@test "settings fine alone but refused together name the setting" {
	local pairs=(
		"SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_ADDRS=10.0.0.1|SCTPIZE_BIND_ADDRS: cannot be combined with SCTPIZE_BIND_ALL=1, which already binds every address"
		"SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_IFACES=lo|SCTPIZE_BIND_IFACES: cannot be combined with SCTPIZE_BIND_ALL=1, which already binds every address"
		"SCTPIZE_RTO_MIN=500 SCTPIZE_RTO_MAX=100|SCTPIZE_RTO_MIN: 500 is more than SCTPIZE_RTO_MAX (100)"
		"SCTPIZE_RTO_INITIAL=50 SCTPIZE_RTO_MIN=100|SCTPIZE_RTO_INITIAL: 50 is outside SCTPIZE_RTO_MIN..SCTPIZE_RTO_MAX (100..0)"
		"SCTPIZE_FAILOVER=fast SCTPIZE_RTO_MIN=5000|SCTPIZE_RTO_MIN: 5000 is more than SCTPIZE_RTO_MAX (1000, from SCTPIZE_FAILOVER=fast)"
	)
	local p vars want
	for p in "${pairs[@]}"; do
		vars=${p%%|*} want=${p#*|}
		ROWS=$((ROWS + 1))
		# shellcheck disable=SC2086
		env $vars "$B/sctpize-helper" validate 2> "$T/err" && problem "$vars: accepted"
		one_line "$T/err" && [ "$ONE" = "sctpize: $want" ] || problem "$vars: $(show "$(cat "$T/err")")"
		# shellcheck disable=SC2086
		env $vars LD_PRELOAD="$LIB" "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 > "$T/out" 2> "$T/err" || true
		[ "$(< "$T/out")" = "fail EINVAL" ] || problem "$vars: library: $(< "$T/out")"
		# shellcheck disable=SC2086
		wrapper "$want" $(sed 's/SCTPIZE_\([A-Z_]*\)=\([^ ]*\)/--\1 \2/g; s/_/-/g' <<<"$vars" | tr 'A-Z' 'a-z' |
			sed 's/--bind-all 1/--bind-all/')
	done
	finish
}

# --- rules: SCTPIZE_RULES and the configuration file ---

# Bad rules, each "RULE|WHY" (the message: SCTPIZE_RULES rule 1: 'RULE': WHY).
BAD_RULES=(
	"convert port 80|unknown action 'convert' (expected sctp, tcp or both)"
	"SCTP|unknown action 'SCTP' (expected sctp, tcp or both)"
	"default sctp|unknown action 'default' (expected sctp, tcp or both)"
	"sctp porty 80|unknown word 'porty' (expected server, client, addr, port or prog)"
	"sctp listen|unknown word 'listen' (expected server, client, addr, port or prog)"
	"sctp port|'port' needs a value"
	"sctp addr|'addr' needs a value"
	"sctp prog|'prog' needs a value"
	"sctp server client|more than one role (server, client)"
	"sctp server server|more than one role (server, client)"
	"sctp port 1 port 2|'port' given twice"
	"sctp addr 10.0.0.0/8 addr ::1|'addr' given twice"
	"tcp prog a prog b|'prog' given twice"
	"sctp port 0|port '0': port out of range (1-65535)"
	"sctp port 65536|port '65536': port out of range (1-65535)"
	"sctp port 1-65536|port '1-65536': port out of range (1-65535)"
	"sctp port 99999999999999999999|port '99999999999999999999': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 80-70|port '80-70': a range LO-HI needs LO <= HI"
	"sctp port -5|port '-5': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 1-|port '1-': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port +80|port '+80': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 1,,2|port '1,,2': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 80,|port '80,': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port ,80|port ',80': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port http|port 'http': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port ８０|port '８０': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 1,2,3,4,5,6,7,8,9,1,2,3,4,5,6,7,8|port '1,2,3,4,5,6,7,8,9,1,2,3,4,5,6,7,8': more than 16 ports or ranges"
	"sctp port 0x50|port '0x50': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 1-2-3|port '1-2-3': not a port, a range LO-HI or a comma-separated list of them"
	"sctp port 80a|port '80a': not a port, a range LO-HI or a comma-separated list of them"
	"sctp addr 10.0.0.0/8/8|addr '10.0.0.0/8/8': the prefix length is not a number"
	"sctp addr 10.0.0.0/8x|addr '10.0.0.0/8x': the prefix length is not a number"
	"sctp addr 10.0.0.0/33|addr '10.0.0.0/33': prefix length out of range (0-32)"
	"sctp addr ::/129|addr '::/129': prefix length out of range (0-128)"
	"sctp addr 10.0.0.0/99999999999999999999|addr '10.0.0.0/99999999999999999999': prefix length out of range (0-32)"
	"sctp addr 10.0.0.0/|addr '10.0.0.0/': the prefix length is not a number"
	"sctp addr 10.0.0.0/x|addr '10.0.0.0/x': the prefix length is not a number"
	"sctp addr 10.0.0.0/-1|addr '10.0.0.0/-1': the prefix length is not a number"
	"sctp addr 999.0.0.0/8|addr '999.0.0.0/8': not an IPv4 or IPv6 address or prefix"
	"sctp addr /8|addr '/8': not an IPv4 or IPv6 address or prefix"
	"sctp addr example.com|addr 'example.com': not an IPv4 or IPv6 address or prefix"
	"sctp addr [::1]|addr '[::1]': not an IPv4 or IPv6 address or prefix"
	"sctp addr 10.0.0.1:80|addr '10.0.0.1:80': not an IPv4 or IPv6 address or prefix"
	"sctp prog $(printf 'p%.0s' $(seq 64))|prog '$(printf 'p%.0s' $(seq 40))': program name pattern longer than 63 bytes"
	"\$(touch INJ)|unknown action '\$(touch' (expected sctp, tcp or both)"
	"%n%n%n%s|unknown action '%n%n%n%s' (expected sctp, tcp or both)"
	"sctp port %n|port '%n': not a port, a range LO-HI or a comma-separated list of them"
)

@test "SCTPIZE_RULES: every bad action, condition, port list, range, prefix, glob; the rule's number" {
	local r text why
	for r in "${BAD_RULES[@]}"; do
		text=${r%%|*} why=${r#*|}
		text=${text//INJ/$INJ} why=${why//INJ/$INJ}
		refused SCTPIZE_RULES "$text" "SCTPIZE_RULES rule 1: '${text:0:80}': $why"
	done
	# The number counts ';' and newlines, blank rules too.
	refused SCTPIZE_RULES "sctp port 80;tcp;;bogus" \
		"SCTPIZE_RULES rule 4: 'bogus': unknown action 'bogus' (expected sctp, tcp or both)"
	refused SCTPIZE_RULES $'sctp\ntcp server\nsctp port 0' \
		"SCTPIZE_RULES rule 3: 'sctp port 0': port '0': port out of range (1-65535)"
	refused SCTPIZE_RULES "$(printf 'tcp port %d;' $(seq 65))" \
		"SCTPIZE_RULES rule 65: 'tcp port 65': more than 64 rules"
	refused SCTPIZE_RULES "sctp $(printf 'x%.0s' $(seq 600))" \
		"SCTPIZE_RULES rule 1: '...': rule longer than 511 bytes"
	refused SCTPIZE_RULES $'sctp\e[2J port 1' \
		"SCTPIZE_RULES rule 1: 'sctp\\x1b[2J port 1': unknown action 'sctp\\x1b[2J' (expected sctp, tcp or both)"
	finish
}

# conf NAME CONTENT (printf format, no arguments): a config file; its path in CONF.
conf() {
	CONF=$T/$1
	# shellcheck disable=SC2059
	printf "$2" > "$CONF"
}

@test "the configuration file: bad lines by number, default lines, comments, long lines, NUL, size, rule count" {
	local r text why
	for r in "${BAD_RULES[@]}"; do
		text=${r%%|*} why=${r#*|}
		text=${text//INJ/$INJ} why=${why//INJ/$INJ}
		[ "$text" != "default sctp" ] || continue	# a file may have a default line
		printf '# sctpize.conf\n\n   \ntcp port 22   # ssh stays TCP\n%s\n' "$text" > "$T/c.conf"
		refused SCTPIZE_CONFIG "$T/c.conf" "$T/c.conf line 5: '${text:0:80}': $why"
	done
	conf d1.conf 'default\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: 'default': 'default' takes one action: sctp, tcp or both"
	conf d2.conf 'default sctp tcp\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: 'default sctp tcp': 'default' takes one action: sctp, tcp or both"
	conf d3.conf 'default udp\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: 'default udp': 'default' takes one action: sctp, tcp or both"
	conf d4.conf 'default tcp\nsctp port 80\ndefault sctp\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 3: 'default sctp': a second 'default' line (the first was line 1)"
	conf d5.conf 'default # no action\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: 'default ': 'default' takes one action: sctp, tcp or both"
	# Lines: 512 bytes and 100 kB, with and without a final newline; NUL bytes.
	printf 'tcp port 1\nsctp %0507d\n' 0 > "$T/long.conf"
	refused SCTPIZE_CONFIG "$T/long.conf" "$T/long.conf line 2: '...': line longer than 511 bytes"
	{ echo sctp; huge x; } > "$T/huge.conf"
	refused SCTPIZE_CONFIG "$T/huge.conf" "$T/huge.conf line 2: '...': line longer than 511 bytes"
	conf nul.conf 'sctp\000port 80\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: '...': a NUL byte: not a text file"
	conf nul2.conf 'tcp\n# comment \000\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 2: '...': a NUL byte: not a text file"
	conf last.conf 'tcp port 1\nbogus'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 2: 'bogus': unknown action 'bogus' (expected sctp, tcp or both)"
	# 65 rules; more than 1 MiB of comments.
	printf 'tcp port %d\n' $(seq 65) > "$T/many.conf"
	refused SCTPIZE_CONFIG "$T/many.conf" "$T/many.conf line 65: 'tcp port 65': more than 64 rules"
	yes '# a comment line, many times' | head -c 1100000 > "$T/big.conf"
	refused SCTPIZE_CONFIG "$T/big.conf" "~$T/big.conf line * file larger than 1 MiB"
	# Control characters and bytes that are not UTF-8 in a line; a byte-order mark.
	conf esc.conf 'sctp port 1\e]0;x\a\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: 'sctp port 1\\x1b]0;x\\x07': port '1\\x1b]0;x\\x07': not a port, a range LO-HI or a comma-separated list of them"
	conf bin.conf '\377\376sctp\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: '"$'\xff\xfe'"sctp': unknown action '"$'\xff\xfe'"sctp' (expected sctp, tcp or both)"
	conf bom.conf '\357\273\277sctp port 80\n'
	refused SCTPIZE_CONFIG "$CONF" "$CONF line 1: '"$'\xef\xbb\xbf'"sctp port 80': unknown action '"$'\xef\xbb\xbf'"sctp' (expected sctp, tcp or both)"
	finish
}

@test "the configuration file: missing, relative, ../, a directory, a FIFO (no hang), a device, hostile names" {
	refused SCTPIZE_CONFIG "$T/missing.conf" "SCTPIZE_CONFIG: cannot open '$T/missing.conf': No such file or directory"
	refused SCTPIZE_CONFIG "$T/missing.conf/" "SCTPIZE_CONFIG: cannot open '$T/missing.conf/': No such file or directory"
	: > "$T/file"
	refused SCTPIZE_CONFIG "$T/file/x" "SCTPIZE_CONFIG: cannot open '$T/file/x': Not a directory"
	mkdir "$T/dir"
	refused SCTPIZE_CONFIG "$T/dir" "SCTPIZE_CONFIG: '$T/dir' is not a regular file"
	mkfifo "$T/fifo"
	local t0=$SECONDS
	refused SCTPIZE_CONFIG "$T/fifo" "SCTPIZE_CONFIG: '$T/fifo' is not a regular file"
	# (A FIFO nobody writes would hold it for ever; 30 s tells that from a loaded machine.)
	[ $((SECONDS - t0)) -lt 30 ] || problem "a FIFO held the start for $((SECONDS - t0)) s"
	refused SCTPIZE_CONFIG /dev/zero "SCTPIZE_CONFIG: '/dev/zero' is not a regular file"
	refused SCTPIZE_CONFIG /dev/tty "~SCTPIZE_CONFIG: *'/dev/tty'*"
	# A relative name would be another file after the program's chdir()
	# (/work/spec/patches/config-path.diff).
	local v
	for v in sctpize.conf ./sctpize.conf ../etc/sctpize.conf ../../../../etc/passwd '~/x.conf' \
		'$(touch INJ)' "-" "%n%s"; do
		v=${v//INJ/$INJ}
		refused SCTPIZE_CONFIG "$v" "SCTPIZE_CONFIG: $(quoted "$v") is not an absolute file name"
	done
	refused SCTPIZE_CONFIG $'/no/such\e[2J' "SCTPIZE_CONFIG: cannot open '/no/such\\x1b[2J': No such file or directory"
	refused SCTPIZE_CONFIG "/no/such/\$(touch $INJ)" "SCTPIZE_CONFIG: cannot open '/no/such/\$(touch $INJ)': No such file or directory"
	finish
}

# --- the wrapper ---

@test "the wrapper refuses every bad variable too, and the program is not started" {
	local s name kind v st
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		addrs) v=10.0.0.256 ;;
		ifaces) v=a/b ;;
		rules) v=bogus ;;
		config) v=relative.conf ;;
		*) v=$'x\n%n' ;;
		esac
		rm -f "$MARK"
		ROWS=$((ROWS + 1))
		st=0
		env "SCTPIZE_$name=$v" LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 "$SCTPIZE" touch "$MARK" 2> "$T/err" || st=$?
		[ "$st" = 2 ] || problem "SCTPIZE_$name=$(show "$v"): wrapper exit $st"
		one_line "$T/err" && [[ $ONE == "sctpize: "*"SCTPIZE_$name"* ]] ||
			problem "SCTPIZE_$name=$(show "$v"): $(show "$(cat "$T/err")")"
		[ ! -e "$MARK" ] || problem "SCTPIZE_$name=$(show "$v"): the program was started"
	done
	rm -f "$MARK"
	finish
}

# Bad values of each option with a value, as "OPT VALUE" and "OPT=VALUE".
option_rows() {
	local o opt var kind v
	for o in $OPTIONS; do
		opt=${o%%:*} var=${o#*:} kind=$(kind_of "$var")
		case $kind in
		log)		set -- relative "" "~/x" "\$(touch $INJ)" ../x ;;
		failover)	set -- slow "" FAST "fast;touch $INJ" ;;
		action)		set -- SCTP "" udp "tcp;touch $INJ" ;;
		addrs|ifaces|config) set -- ;;
		*)		set -- x -1 " 1" 1k "" 0x10 99999999999 "\`touch $INJ\`" $'1\n2' %n $(huge 7) ;;
		esac
		for v in "$@"; do
			wrapper "SCTPIZE_$var: $(quoted "$v") $(reason "$kind")" "$opt" "$v"
			wrapper "SCTPIZE_$var: $(quoted "$v") $(reason "$kind")" "$opt=$v"
		done
		case $kind in
		addrs)
			for v in 999.1.1.1 "[::1]" ::ffff:1.2.3.4:80 "10.0.0.1;x" "10.0.0.1;touch $INJ"; do
				if [ ${#v} -ge 47 ]; then
					wrapper "SCTPIZE_$var: $(quoted "$v"): expected a comma-separated list of IP addresses" "$opt" "$v"
				else
					wrapper "SCTPIZE_$var: '$v' is not an IPv4 or IPv6 address" "$opt" "$v"
				fi
			done
			wrapper "SCTPIZE_$var: empty; expected a comma-separated list of IP addresses" "$opt" ""
			wrapper "SCTPIZE_$var: '224.0.0.1' is not a unicast address" "$opt=224.0.0.1" ;;
		ifaces)
			for v in a/b "eth0 x" $'eth\t0' "\$(id)/x"; do
				wrapper "SCTPIZE_$var: $(quoted "$v") is not an interface name" "$opt" "$v"
			done
			wrapper "SCTPIZE_$var: '0123456789abcdefg': an interface name has 1 to 15 characters" "$opt" 0123456789abcdefg
			wrapper "SCTPIZE_$var: empty; expected a comma-separated list of interface names" "$opt=" ;;
		config)
			wrapper "SCTPIZE_CONFIG: empty (a file name, or /dev/null for none)" "$opt" ""
			wrapper "SCTPIZE_CONFIG: cannot open '$T/none': No such file or directory" "$opt" "$T/none"
			# Relative: made absolute by the wrapper, against its directory.
			cd "$T" || return
			wrapper "SCTPIZE_CONFIG: cannot open '$T/rel.conf': No such file or directory" "$opt=rel.conf"
			wrapper "SCTPIZE_CONFIG: cannot open '$T/../x.conf': No such file or directory" "$opt" ../x.conf
			cd - > /dev/null || return
			mkdir -p "$T/cd"
			wrapper "SCTPIZE_CONFIG: '$T/cd' is not a regular file" "$opt" "$T/cd"
			printf 'sctp port 99999\n' > "$T/p.conf"
			wrapper "$T/p.conf line 1: 'sctp port 99999': port '99999': port out of range (1-65535)" "$opt" "$T/p.conf" ;;
		esac
	done
}

@test "every option with a value: malformed, empty, huge and hostile values, as OPT VALUE and OPT=VALUE" {
	option_rows
	finish
}

@test "migration options: --ports, --except-ports, --rule, --stats=SIG with bad values name the rule or setting" {
	local v
	# The value goes into a rule after "port": nothing but a list of ports may
	# add words or rules to it (/work/spec/patches/wrapper-rules.diff).
	for v in "" x "80;sctp" $'80\nsctp' "1 2" "80 server" "80 prog *" "%n" "\$(touch $INJ)" +80 ８０; do
		wrapper "--ports: $(sh_shown "'$v'"): expected a list of ports and ranges such as 13,7,8000-8100" --ports "$v"
		wrapper "--except-ports: $(sh_shown "'$v'"): expected a list of ports and ranges such as 13,7,8000-8100" --except-ports="$v"
	done
	wrapper "SCTPIZE_RULES rule 1: '...': rule longer than 511 bytes" --ports "$(huge 1)"
	for v in 0 65536 80-70 1,,2 -5 1-2-3; do
		wrapper "~SCTPIZE_RULES rule 1: 'sctp port *': port '*': *" --ports "$v"
		wrapper "~SCTPIZE_RULES rule 1: 'tcp port *': port '*': *" --except-ports="$v"
	done
	wrapper "SCTPIZE_RULES rule 2: 'sctp port 0': port '0': port out of range (1-65535)" \
		--except-ports 22 --ports 0
	wrapper "SCTPIZE_RULES rule 2: 'sctp port 65536': port '65536': port out of range (1-65535)" \
		--server-only --ports 65536
	wrapper "SCTPIZE_RULES rule 1: 'both port 0': port '0': port out of range (1-65535)" \
		--both --ports 0
	for v in bogus "sctp port 0" "sctp server client" "\$(touch $INJ)" "%n%n" $'sctp\e[2J' "sctp port 80 port 81"; do
		wrapper "^SCTPIZE_RULES rule 1: $(quoted "$v"): " --rule "$v"
	done
	for v in "" " " $'\t'; do
		wrapper "--rule: empty; expected ACTION [server|client] [addr PREFIX] [port LIST] [prog GLOB]" --rule "$v"
	done
	wrapper "--rule: one rule at a time: 'sctp;tcp'" --rule "sctp;tcp"
	wrapper "--rule: one rule at a time: 'sctp?tcp'" --rule $'sctp\ntcp'
	for v in USR3 usr1 HUP 2 "" "\$(touch $INJ)" $'1\n'; do
		wrapper "SCTPIZE_STATS: $(quoted "$v") is not 0, 1, USR1 or USR2" "--stats=$v"
	done
	finish
}

@test "every option with a value, given none, exits 2 naming the option; the program not started" {
	local o st
	for o in $OPTIONS --ports:RULES --except-ports:RULES --rule:RULES; do
		ROWS=$((ROWS + 1))
		st=0
		LD_PRELOAD=$REC RECORDER_FAKE_SCTP=1 "$SCTPIZE" "${o%%:*}" 2> "$T/err" || st=$?
		[ "$st" = 2 ] || problem "${o%%:*}: exit $st"
		one_line "$T/err" && [ "$ONE" = "sctpize: option '${o%%:*}' needs a value (see sctpize --help)" ] ||
			problem "${o%%:*}: $(show "$(cat "$T/err")")"
	done
	finish
}

@test "flags given a value, unknown, misspelt and hostile options exit 2 naming the option" {
	local o
	for o in --nodelay=1 --bind-all=yes --bind-loopback= --no-peer-resolved=1 --no-half-close=0 \
		--half-close=1 --fallback=1 --both=1 --server-only=yes --client-only=0 --verbose=2 -v=1 -vvv -vx \
		--help=me --version=1 -V1 -h1 --root --root=/ --Nodelay --NODELAY --no-delay --bindall \
		--halfclose --half-closed --half \
		--bind --rto --log2=x --port=80 --except-port=80 --rules=x --configs=x --fallback_timeout=1 \
		--stat --statsUSR1 -x - --- '--$(touch INJ)' "--nodelay;touch" $'--\e[31m' $'--a\nb' \
		"--%n%n" $'--\xff' "--$(huge x)"; do
		o=${o//INJ/$INJ}
		wrapper "unknown option $(sh_shown "'$o'") (see sctpize --help)" "$o"
	done
	finish
}

# --- a bare LD_PRELOAD, seen from Python ---

@test "bare LD_PRELOAD, Python: a bad value of each variable gives one line and EINVAL for TCP, not TCP" {
	[ -x "$PY" ] || fail "python3 is not installed (tests/install-deps)"
	local s name kind v
	for s in $SETTINGS; do
		name=${s%%:*} kind=${s#*:}
		case $kind in
		addrs) v=10.0.0.256 ;;
		ifaces) v=a/b ;;
		rules) v="sctp port 0" ;;
		config) v=$T/nonexistent ;;
		*) v=bogus ;;
		esac
		ROWS=$((ROWS + 1))
		env "SCTPIZE_$name=$v" LD_PRELOAD="$LIB" "$PY" -c '
import errno, socket
out = []
for fam, typ in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM),
                 (socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM)):
    try:
        socket.socket(fam, typ).close()
        out.append("ok")
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(" ".join(out))' > "$T/out" 2> "$T/err" || problem "SCTPIZE_$name: python exit $?"
		[ "$(< "$T/out")" = "EINVAL EINVAL ok ok" ] || problem "SCTPIZE_$name=$v: python: $(< "$T/out") $(< "$T/err")"
		one_line "$T/err" && [[ $ONE == "sctpize["*"]: python3"*": "*"; no socket is converted, TCP sockets fail with EINVAL" ]] &&
			[[ $ONE == *"SCTPIZE_$name"* || ( $kind = rules && $ONE == *"SCTPIZE_RULES rule 1"* ) ]] ||
			problem "SCTPIZE_$name=$v: python stderr: $(show "$(cat "$T/err")")"
	done
	finish
}

# --- what is accepted is taken literally ---

@test "hostile but valid values are accepted as they are, never evaluated" {
	# (run from $T: an evaluated $(touch injected) would make $INJ)
	cd "$T"
	local log="$T/a b;\$(touch injected)\`touch injected\`|&*?'\"%n"
	# A log file name with every shell metacharacter: the library writes that very file.
	LD_PRELOAD=$REC RECORDER_FAKE_SCTP=1 "$SCTPIZE" -v --log "$log" "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 > "$T/out" 2> "$T/err" ||
		fail "refused: $(cat "$T/err")"
	grep -q "ok proto=132" "$T/out" || fail "$(cat "$T/out")"
	grep -q "converted to SCTP" "$log" || fail "no log file named $(show "$log")"
	# Rules with globs and metacharacters: patterns, never commands.
	printf 'tcp prog $(id)\nsctp prog *;`id`|&\n# %%n%%n $(touch %s)\r\ndefault tcp\r\n' "$INJ" > "$T/ok.conf"
	local ok=(
		"SCTPIZE_BIND_ADDRS=$(seq -s, -f '10.0.0.%g' 16)"
		"SCTPIZE_PEER_ADDRS=::ffff:10.1.2.3,fd00::1,2001:0db8:0000:0000:0000:0000:0000:0001"
		"SCTPIZE_BIND_IFACES=a,b,c,d,e,f,g,h"
		"SCTPIZE_BIND_IFACES=0123456789abcde"
		'SCTPIZE_BIND_IFACES=`id`,$(id),*,;,|,&'
		"SCTPIZE_LOG=$T/$(printf 'a%.0s' $(seq 200))"
		"SCTPIZE_RTO_MIN=000000001"
		"SCTPIZE_HB_INTERVAL=86400000"
		"SCTPIZE_SNDBUF=1073741824"
		"SCTPIZE_CONNECT_TIMEOUT=86400"
		"SCTPIZE_STREAMS=65535"
		"SCTPIZE_FALLBACK_TIMEOUT=60000"
		"SCTPIZE_STATS=SIGUSR2"
		"SCTPIZE_RULES=sctp prog \$(id)\`id\`;tcp port 1-65535,7 addr ::ffff:10.0.0.0/104"
		"SCTPIZE_CONFIG=$T/ok.conf"
		"SCTPIZE_CONFIG=/dev/null"
	)
	local e
	for e in "${ok[@]}"; do
		rm -f "$MARK"
		env "$e" LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 "$SCTPIZE" touch "$MARK" 2> "$T/err" &&
			[ -e "$MARK" ] || problem "$(show "$e"): refused: $(show "$(cat "$T/err")")"
	done
	rm -f "$MARK"
	ROWS=${#ok[@]}
	finish
}
