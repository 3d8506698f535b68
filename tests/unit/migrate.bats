#!/usr/bin/env bats
# Migration mode on the host, no SCTP needed: `sctpize explain` (the rules in
# effect, where each came from, the default and why, which rule fires), the
# refusal of bad rules, config lines and settings before the program starts,
# and --fallback on a kernel without SCTP.  What the rules do to real sockets
# is tested on the SCTP kernel: tests/e2e/migrate.bats.

load ../helpers/common
load ../helpers/unit

PY=/usr/bin/python3

setup() {
	unit_setup
	# A system /etc/sctpize.conf never takes part.
	export SCTPIZE_CONFIG=/dev/null
	T=$BATS_TEST_TMPDIR
	MARK=$T/started
}

assert_not_started() {
	[ ! -e "$MARK" ] || fail "the program was started"
}

# ---- sctpize explain ----

# explain ARGS...: run `sctpize explain ARGS`; it must succeed.
explain() {
	run --separate-stderr "$SCTPIZE" explain "$@"
	[ "$status" = 0 ] || fail "sctpize explain $*: exit $status: $stderr"
}

# The line of explain's output about ROLE ADDR PORT.
query_line() {
	grep -E "^$1 $2 port $3[ :]" <<<"$output" | head -n 1
}

# fires ROLE ADDR PORT ACTION [PATTERN]: explain's line for the query ends in
# "-> ACTION" and matches the glob PATTERN.
fires() {
	local line
	line=$(query_line "$1" "${2//./\\.}" "$3")
	[ -n "$line" ] || fail "no line about $1 $2 port $3 in: $output"
	[[ $line == *" -> $4" ]] || fail "$1 $2 $3: expected -> $4: $line"
	[ -z "${5:-}" ] || [[ $line == $5 ]] || fail "$1 $2 $3: expected '$5': $line"
}

@test "explain: which rule fires for a server of a program, and where the rule came from" {
	explain --rule 'sctp server port 13,7' server 0.0.0.0 13 -- xinetd
	assert_line "server 0.0.0.0 port 13 of xinetd: rule 1 (sctp server port 13,7; SCTPIZE_RULES rule 1) -> sctp"
}

@test "explain: the rules in order with their source, exceptions first" {
	explain --ports 80,443 --except-ports 22 --rule 'both addr 10.0.0.0/8'
	local except ports more
	except=$(grep -n 'tcp port 22' <<<"$output" | cut -d: -f1 | head -n 1)
	ports=$(grep -n 'sctp port 80,443' <<<"$output" | cut -d: -f1 | head -n 1)
	more=$(grep -n 'both addr 10.0.0.0/8' <<<"$output" | cut -d: -f1 | head -n 1)
	[ -n "$except" ] && [ -n "$ports" ] && [ -n "$more" ] || fail "a rule is missing: $output"
	[ "$except" -lt "$ports" ] && [ "$ports" -lt "$more" ] || fail "not in order: $output"
	for r in 'tcp port 22' 'sctp port 80,443' 'both addr 10.0.0.0/8'; do
		grep -F "$r" <<<"$output" | grep -qF '(SCTPIZE_RULES rule ' || fail "'$r' does not say where it came from: $output"
	done
	# The default, and why: a rule converts, so what no rule matches stays TCP.
	grep -qi 'default' <<<"$output" || fail "no default in: $output"
}

@test "explain: which rule fires, first match wins, and the default when none does" {
	explain --rule 'tcp port 80' --rule 'sctp addr 10.0.0.0/8' client 10.0.0.1 80
	fires client 10.0.0.1 80 tcp '*rule 1 (tcp port 80*'
	explain --rule 'tcp port 80' --rule 'sctp addr 10.0.0.0/8' client 10.0.0.1 81
	fires client 10.0.0.1 81 sctp '*rule 2 (sctp addr 10.0.0.0/8*'
	explain --rule 'tcp port 80' --rule 'sctp addr 10.0.0.0/8' client 192.0.2.1 81
	fires client 192.0.2.1 81 tcp '*default*'
	# --except-ports goes before --ports whatever the order on the command line.
	explain --ports 80,81 --except-ports 81 server 0.0.0.0 81
	fires server 0.0.0.0 81 tcp '*rule 1 (tcp port 81*'
	explain --ports 80,81 --except-ports 81 server 0.0.0.0 80
	fires server 0.0.0.0 80 sctp '*rule 2 (sctp port 80,81*'
}

@test "explain: the default action and why" {
	# No rules: everything converts.
	explain client 192.0.2.1 80
	fires client 192.0.2.1 80 sctp '*default*'
	# Only exceptions: the rest converts.
	explain --except-ports 22 client 192.0.2.1 80
	fires client 192.0.2.1 80 sctp '*default*'
	explain --except-ports 22 client 192.0.2.1 22
	fires client 192.0.2.1 22 tcp '*rule 1*'
	# A rule converts: it lists what converts, the rest stays TCP.
	explain --rule 'sctp port 80' client 192.0.2.1 81
	fires client 192.0.2.1 81 tcp '*default*'
	! grep -i '^default' <<<"$output" | grep -q SCTPIZE_DEFAULT ||
		fail "no SCTPIZE_DEFAULT was given, yet the default says so: $output"
	explain --rule 'both port 80' client 192.0.2.1 81
	fires client 192.0.2.1 81 tcp '*default*'
	# --default, SCTPIZE_DEFAULT.
	explain --ports 80 --default sctp client 192.0.2.1 81
	fires client 192.0.2.1 81 sctp '*default*'
	SCTPIZE_DEFAULT=both explain --rule 'sctp port 80' client 192.0.2.1 81
	fires client 192.0.2.1 81 both '*default*'
	grep -q SCTPIZE_DEFAULT <<<"$output" || fail "the default does not say it came from SCTPIZE_DEFAULT: $output"
	# The config file's default line, named by file and line.
	printf '# defaults\nsctp port 80\ndefault both\n' > "$T/d.conf"
	explain --config "$T/d.conf" client 192.0.2.1 81
	fires client 192.0.2.1 81 both '*default*'
	grep -i '^default' <<<"$output" | grep -qi 'config' ||
		fail "the default does not say it came from the config file: $output"
	# SCTPIZE_DEFAULT wins over the file's line.
	SCTPIZE_DEFAULT=tcp explain --config "$T/d.conf" client 192.0.2.1 81
	fires client 192.0.2.1 81 tcp '*default*'
}

@test "explain: --both, --server-only, --client-only" {
	explain --both --ports 80 client 192.0.2.1 80
	fires client 192.0.2.1 80 both
	explain --both --ports 80 client 192.0.2.1 81
	fires client 192.0.2.1 81 tcp '*default*'
	explain --both client 192.0.2.1 81
	fires client 192.0.2.1 81 both '*default*'
	explain --server-only client 192.0.2.1 80
	fires client 192.0.2.1 80 tcp '*rule 1 (tcp client*'
	explain --server-only server 0.0.0.0 80
	fires server 0.0.0.0 80 sctp
	explain --client-only server 0.0.0.0 80
	fires server 0.0.0.0 80 tcp '*rule 1 (tcp server*'
	explain --client-only client 192.0.2.1 80
	fires client 192.0.2.1 80 sctp
}

@test "explain: addresses, prefixes, the wildcard and IPv4-mapped addresses" {
	explain --rule 'sctp addr 10.0.0.0/8' client ::ffff:10.1.2.3 80
	fires client ::ffff:10.1.2.3 80 sctp '*rule 1*'
	explain --rule 'sctp addr 10.0.0.0/8' client 11.0.0.1 80
	fires client 11.0.0.1 80 tcp '*default*'
	explain --rule 'sctp addr 10.0.0.0/8' client ::1 80
	fires client ::1 80 tcp '*default*'
	explain --rule 'sctp addr 2001:db8::/32' client 2001:db8:1::5 443
	fires client 2001:db8:1::5 443 sctp '*rule 1*'
	explain --rule 'sctp addr ::1' server ::1 443
	fires server ::1 443 sctp '*rule 1*'
	# A wildcard bind matches only a prefix that contains the wildcard.
	explain --rule 'sctp addr 127.0.0.0/8' server 0.0.0.0 80
	fires server 0.0.0.0 80 tcp '*default*'
	explain --rule 'sctp addr 0.0.0.0/0' server 0.0.0.0 80
	fires server 0.0.0.0 80 sctp '*rule 1*'
	explain --rule 'sctp addr 0.0.0.0' server 0.0.0.0 80
	fires server 0.0.0.0 80 sctp '*rule 1*'
	explain --rule 'sctp addr 10.0.0.1' server 10.0.0.2 80
	fires server 10.0.0.2 80 tcp '*default*'
}

@test "explain: ports and ranges, programs by glob" {
	explain --ports 13,7,8000-8100 client 192.0.2.1 8050
	fires client 192.0.2.1 8050 sctp '*rule 1*'
	explain --ports 13,7,8000-8100 client 192.0.2.1 8000
	fires client 192.0.2.1 8000 sctp '*rule 1*'
	explain --ports 13,7,8000-8100 client 192.0.2.1 8101
	fires client 192.0.2.1 8101 tcp '*default*'
	explain --ports 13,7,8000-8100 client 192.0.2.1 7
	fires client 192.0.2.1 7 sctp '*rule 1*'
	explain --rule 'sctp prog python3*' client 192.0.2.1 80 -- python3.11
	fires client 192.0.2.1 80 sctp '*python3.11*rule 1*'
	explain --rule 'sctp prog python3*' client 192.0.2.1 80 -- nginx
	fires client 192.0.2.1 80 tcp '*nginx*default*'
	# The name is the last component of the program's path.
	explain --rule 'sctp prog python3*' client 192.0.2.1 80 -- /usr/bin/python3
	fires client 192.0.2.1 80 sctp '*rule 1*'
	explain --rule 'sctp prog *d' server 0.0.0.0 22 -- sshd
	fires server 0.0.0.0 22 sctp '*rule 1*'
}

@test "explain: SCTPIZE_RULES and the config file, numbered, in that order" {
	cat > "$T/rules.conf" <<-'EOF'
		# line 1: a comment

		tcp port 22    # line 3
		sctp port 80
	EOF
	explain --config "$T/rules.conf" client 192.0.2.1 80
	fires client 192.0.2.1 80 sctp "*rule 2 (sctp port 80*"
	local line2=$output
	explain --config "$T/rules.conf" client 192.0.2.1 22
	fires client 192.0.2.1 22 tcp "*rule 1 (tcp port 22*"
	local line1=$output
	# SCTPIZE_RULES, by hand, comes before the file; ';' and newlines separate.
	SCTPIZE_RULES='tcp port 81; tcp port 80' explain --config "$T/rules.conf" client 192.0.2.1 80
	fires client 192.0.2.1 80 tcp '*rule 2 (tcp port 80*SCTPIZE_RULES rule 2)*'
	SCTPIZE_RULES=$'tcp port 81\nsctp port 81' SCTPIZE_CONFIG=$T/rules.conf explain client 192.0.2.1 80
	fires client 192.0.2.1 80 sctp "*rule 4 (sctp port 80*"
	# A rule from the file is named "FILE line N", in the listing and where it fires.
	output=$line2
	fires client 192.0.2.1 80 sctp "*rule 2 (sctp port 80*$T/rules.conf line 4)*"
	output=$line1
	fires client 192.0.2.1 22 tcp "*rule 1 (tcp port 22*$T/rules.conf line 3)*"
	grep -qF "$T/rules.conf line 3" <<<"$output" || fail "the listing lacks $T/rules.conf line 3: $output"
}

# ---- bad rules, config lines and settings: exit 2, nothing started ----

# refused SOURCE REASON COMMAND...: the wrapper running COMMAND (whose
# program would create $MARK) exits 2 with one message that names SOURCE
# (a glob) and matches REASON (an extended regular expression, any case);
# the program never starts.
refused() {
	local src=$1 reason=$2
	shift 2
	rm -f "$MARK"
	run --separate-stderr faked "$@"
	[ "$status" = 2 ] || fail "$*: exit $status, expected 2 (stderr: $stderr)"
	[[ $stderr == sctpize:*$src* ]] || fail "$*: the message does not name '$src': $stderr"
	grep -qiE -- "$reason" <<<"$stderr" || fail "$*: the message does not say /$reason/: $stderr"
	[ "$(grep -c . <<<"$stderr")" = 1 ] || fail "$*: more than one line: $stderr"
	assert_not_started
}

MISSING='missing|needs|requires|takes|without|expect|no (value|port|address|prefix|pattern|glob)'
TWICE='twice|duplicate|more than once|more than one|repeated|again|already'

# The bad rules, as "RULE|REASON" (REASON: what the message must say).
BAD_RULES=(
	"sctp serve|unknown word 'serve'"
	"sctp port 0|out of range"
	"sctp port 70000|out of range"
	"sctp port 7-|7-"
	"sctp port 80,x|80,x|'x'"
	"sctp addr 10.0.0.0/33|10\.0\.0\.0/33|/33"
	"sctp addr 10.0.0.256|10\.0\.0\.256"
	"sctp addr fe80::zz|fe80::zz"
	"sctp addr|$MISSING"
	"sctp port|$MISSING"
	"sctp prog|$MISSING"
	"sctp port 80 addr|$MISSING"
	"sctp port 80 port 81|$TWICE"
	"tcp server server|$TWICE"
	"udp port 80|udp"
	"port 80|port"
)

@test "bad rules in SCTPIZE_RULES: exit 2 naming the rule's number and the reason" {
	local c rule reason
	for c in "${BAD_RULES[@]}"; do
		rule=${c%%|*} reason=${c#*|}
		refused "SCTPIZE_RULES rule 2:" "$reason" \
			env SCTPIZE_RULES="tcp port 22; $rule" "$SCTPIZE" touch "$MARK"
	done
}

@test "a bad --rule: exit 2 with the reason, the program not started" {
	local c rule reason
	for c in "${BAD_RULES[@]}"; do
		rule=${c%%|*} reason=${c#*|}
		refused "" "$reason" "$SCTPIZE" --rule "$rule" touch "$MARK"
		[[ $stderr == *"SCTPIZE_RULES rule 1"* || $stderr == *"command line"* ]] ||
			fail "--rule '$rule': the message names no source: $stderr"
	done
	refused "" "out of range" "$SCTPIZE" --ports 0 touch "$MARK"
	refused "" "out of range" "$SCTPIZE" --except-ports 22,65536 touch "$MARK"
}

@test "bad config lines: exit 2 naming the file, the line and the reason" {
	local c rule reason
	for c in "${BAD_RULES[@]}" "default maybe|maybe" "default|$MISSING" "default tcp sctp|sctp" \
		"include other.conf|include"; do
		rule=${c%%|*} reason=${c#*|}
		printf '# the migration rules\n\ntcp port 22\n%s\nsctp port 80\n' "$rule" > "$T/bad.conf"
		refused "$T/bad.conf line 4:" "$reason" "$SCTPIZE" --config "$T/bad.conf" touch "$MARK"
		refused "$T/bad.conf line 4:" "$reason" \
			env SCTPIZE_CONFIG="$T/bad.conf" "$SCTPIZE" touch "$MARK"
	done
	# At most one default line.
	printf 'default tcp\nsctp port 80\ndefault sctp\n' > "$T/two.conf"
	refused "$T/two.conf line 3:" "default.*($TWICE|one|second|two)|($TWICE|one|second|two).*default" \
		"$SCTPIZE" --config "$T/two.conf" touch "$MARK"
}

@test "a config file that does not exist: exit 2 naming it" {
	refused "$T/none.conf" "." "$SCTPIZE" --config "$T/none.conf" touch "$MARK"
	refused "$T/none.conf" "." env SCTPIZE_CONFIG="$T/none.conf" "$SCTPIZE" touch "$MARK"
}

@test "bad SCTPIZE_DEFAULT, SCTPIZE_FALLBACK and SCTPIZE_FALLBACK_TIMEOUT: exit 2 naming them" {
	local v
	refused SCTPIZE_DEFAULT maybe env SCTPIZE_DEFAULT=maybe "$SCTPIZE" touch "$MARK"
	refused SCTPIZE_DEFAULT maybe "$SCTPIZE" --default maybe touch "$MARK"
	refused SCTPIZE_FALLBACK . env SCTPIZE_FALLBACK=2 "$SCTPIZE" touch "$MARK"
	for v in abc 0 99 60001 999999 "" 1000ms -5; do
		refused SCTPIZE_FALLBACK_TIMEOUT . env SCTPIZE_FALLBACK_TIMEOUT="$v" "$SCTPIZE" touch "$MARK"
	done
	refused SCTPIZE_FALLBACK_TIMEOUT . "$SCTPIZE" --fallback-timeout 50 touch "$MARK"
	# The limits themselves are fine.
	for v in 100 60000; do
		rm -f "$MARK"
		run --separate-stderr faked env SCTPIZE_FALLBACK_TIMEOUT="$v" "$SCTPIZE" touch "$MARK"
		assert_success
		[ -e "$MARK" ] || fail "SCTPIZE_FALLBACK_TIMEOUT=$v: the program did not start: $stderr"
	done
}

@test "explain refuses a bad rule with the message the wrapper gives, exit 2" {
	run --separate-stderr faked "$SCTPIZE" --rule 'sctp serve' touch "$MARK"
	assert_equal "$status" 2
	local running=$stderr
	run --separate-stderr "$SCTPIZE" explain --rule 'sctp serve' client 192.0.2.1 80
	assert_equal "$status" 2
	assert_equal "$stderr" "$running"
	printf 'sctp port 70000\n' > "$T/bad.conf"
	run --separate-stderr "$SCTPIZE" explain --config "$T/bad.conf"
	assert_equal "$status" 2
	[[ $stderr == *"$T/bad.conf line 1: "*"out of range"* ]] || fail "stderr: $stderr"
	assert_not_started
}

@test "a bad rule under a bare LD_PRELOAD: convertible sockets fail with EINVAL, one message" {
	run --separate-stderr env SCTPIZE_RULES='sctp port 80; sctp serve' LD_PRELOAD="$LIB $REC" \
		RECORDER_FAKE_SCTP=1 "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 \
		AF_INET6 SOCK_STREAM IPPROTO_TCP AF_UNIX SOCK_STREAM 0
	assert_success
	assert_output "fail EINVAL
fail EINVAL
ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept"
	assert_equal "$(grep -c . <<<"$stderr")" 1
	[[ $stderr == *"SCTPIZE_RULES rule 2"*"unknown word 'serve'"* ]] || fail "stderr: $stderr"
	printf 'sctp port 80\nsctp port 0\n' > "$T/bad.conf"
	run --separate-stderr env SCTPIZE_CONFIG="$T/bad.conf" LD_PRELOAD="$LIB $REC" \
		RECORDER_FAKE_SCTP=1 "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	assert_output "fail EINVAL"
	[[ $stderr == *"$T/bad.conf line 2"* ]] || fail "stderr: $stderr"
}

# ---- --fallback: a kernel without SCTP ----

# A TCP server and client in one python3 process: "DATA PROTO" from the
# accepted socket (PROTO: SO_PROTOCOL).
PAIR_PY='
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname())
a, _ = s.accept()
c.sendall(b"ping")
print(a.recv(10).decode(), a.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'

no_sctp_here() {
	"$B/sctpize-helper" probe 2>/dev/null && skip "this kernel has SCTP"
	return 0
}

@test "--fallback: without SCTP the program runs on TCP, with one log line saying so" {
	no_sctp_here
	run --separate-stderr "$SCTPIZE" --fallback "$PY" -c "$PAIR_PY"
	assert_success
	assert_output "ping 6"
	assert_equal "$(grep -c . <<<"$stderr")" 1
	grep -q TCP <<<"$stderr" || fail "the log line does not say TCP: $stderr"
	[[ $stderr == *sctpize* ]] || fail "the log line is not sctpize's: $stderr"
	# The same with the library alone and SCTPIZE_FALLBACK=1.
	run --separate-stderr env SCTPIZE_FALLBACK=1 LD_PRELOAD="$LIB" "$PY" -c "$PAIR_PY"
	assert_success
	assert_output "ping 6"
	assert_equal "$(grep -c . <<<"$stderr")" 1
	# With rules too.
	run --separate-stderr "$SCTPIZE" --fallback --both "$PY" -c "$PAIR_PY"
	assert_success
	assert_output "ping 6"
}

@test "without --fallback a kernel without SCTP is refused: exit 3, the program not started" {
	no_sctp_here
	run --separate-stderr "$SCTPIZE" touch "$MARK"
	assert_equal "$status" 3
	assert_not_started
	run --separate-stderr "$SCTPIZE" --ports 80 touch "$MARK"
	assert_equal "$status" 3
	assert_not_started
}
