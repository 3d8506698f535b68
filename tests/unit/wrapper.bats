#!/usr/bin/env bats
# The sctpize wrapper: options, validation before the program starts, the SCTP
# check, exit statuses, LD_PRELOAD chaining, warnings.  SCTP is faked by
# preloading the recorder (RECORDER_FAKE_SCTP=1), so the real wrapper chain
# runs: its probe passes and the program runs with the shim in front.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
	MARK=$BATS_TEST_TMPDIR/started
}

# The program was (not) started: it would have created $MARK.
assert_not_started() {
	[ ! -e "$MARK" ] || fail "the program was started"
}

@test "--help and --version exit 0" {
	for o in --help -h; do
		run --separate-stderr "$SCTPIZE" "$o"
		assert_success
		assert_output --partial "usage: sctpize"
	done
	version=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
	for o in --version -V; do
		run --separate-stderr "$SCTPIZE" "$o"
		assert_success
		assert_output "sctpize $version"
	done
}

@test "an unknown option exits 2 naming it, and the program is not started" {
	run --separate-stderr faked "$SCTPIZE" --frobnicate touch "$MARK"
	assert_equal "$status" 2
	[[ $stderr == *"'--frobnicate'"* ]] || fail "stderr: $stderr"
	assert_not_started
}

@test "an option without its value exits 2 naming it" {
	for o in --log --bind-addrs; do
		run --separate-stderr faked "$SCTPIZE" "$o"
		assert_equal "$status" 2
		[[ $stderr == *"'$o'"* ]] || fail "stderr: $stderr"
	done
}

@test "no program: usage on stderr, exit 2" {
	run --separate-stderr faked "$SCTPIZE" --nodelay
	assert_equal "$status" 2
	assert_output ""
	[[ $stderr == *usage* ]] || fail "stderr: $stderr"
}

# VAR=VALUE makes the wrapper exit 2 naming VAR; the program never starts.
refused() {
	rm -f "$MARK"
	run --separate-stderr env "$1=$2" LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 \
		"$SCTPIZE" touch "$MARK"
	[ "$status" = 2 ] || fail "$1='$2': exit $status, expected 2 (stderr: $stderr)"
	[[ $stderr == *"$1"* ]] || fail "$1='$2': the message does not name it: $stderr"
	assert_not_started
}

@test "bad SCTPIZE_ values exit 2 naming the variable; the program is not started" {
	refused SCTPIZE_VERBOSE 9
	refused SCTPIZE_NODELAY yes
	refused SCTPIZE_BIND_ALL 2
	refused SCTPIZE_BIND_LOOPBACK ""
	refused SCTPIZE_BIND_ADDRS 1.2.3
	refused SCTPIZE_BIND_ADDRS 224.0.0.1
	refused SCTPIZE_BIND_ADDRS 0.0.0.0
	refused SCTPIZE_BIND_ADDRS ff02::1
	refused SCTPIZE_BIND_ADDRS ""
	refused SCTPIZE_BIND_ADDRS 10.0.0.1,,10.0.0.2
	refused SCTPIZE_BIND_ADDRS "$(seq -s, -f '10.0.0.%g' 17)"
	refused SCTPIZE_LOG relative/file
	refused SCTPIZE_FOO 1
	rm -f "$MARK"
	run --separate-stderr env SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_ADDRS=10.0.0.1 LD_PRELOAD="$REC" \
		RECORDER_FAKE_SCTP=1 "$SCTPIZE" touch "$MARK"
	assert_equal "$status" 2
	assert_not_started
}

@test "bad tuning and multihoming values are refused, naming the setting" {
	local bad
	for bad in "--rto-min 0" "--rto-max 86400001" "--rto-min 500 --rto-max 100" \
		"--rto-initial 50 --rto-min 100" "--failover slow" "--failover fast --rto-min 5000" \
		"--hb-interval -1" "--path-max-retrans 65536" "--max-retrans x" "--streams 0" \
		"--sndbuf 12" "--rcvbuf 1k" "--sack-delay 501" "--connect-timeout x" \
		"--bind-ifaces a/b" "--bind-ifaces 0123456789abcdefg" "--bind-ifaces ," \
		"--bind-all --bind-ifaces lo" "--peer-addrs 10.0.0.1,,10.0.0.2" "--peer-addrs ::"; do
		# shellcheck disable=SC2086
		run --separate-stderr faked "$SCTPIZE" $bad touch "$MARK"
		assert_equal "$status" 2
		[[ $stderr == sctpize:\ SCTPIZE_* ]] || fail "$bad: stderr: $stderr"
	done
	assert_not_started
}

@test "16 addresses are accepted (the limit is 16)" {
	run --separate-stderr env SCTPIZE_BIND_ADDRS="$(seq -s, -f '10.0.0.%g' 16)" \
		LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 "$SCTPIZE" touch "$MARK"
	assert_success
	[ -e "$MARK" ] || fail "the program did not start"
}

@test "bad values given as options are refused the same way" {
	run --separate-stderr faked "$SCTPIZE" --bind-addrs 1.2.3 touch "$MARK"
	assert_equal "$status" 2
	[[ $stderr == *SCTPIZE_BIND_ADDRS* ]] || fail "stderr: $stderr"
	run --separate-stderr faked "$SCTPIZE" --log=relative touch "$MARK"
	assert_equal "$status" 2
	[[ $stderr == *SCTPIZE_LOG* ]] || fail "stderr: $stderr"
	assert_not_started
}

@test "a kernel without SCTP: exit 3, a message mentioning modprobe, the program not started" {
	"$B/sctpize-helper" probe 2>/dev/null && skip "this kernel has SCTP"
	run --separate-stderr "$SCTPIZE" touch "$MARK"
	assert_equal "$status" 3
	[[ $stderr == *modprobe* ]] || fail "stderr: $stderr"
	assert_not_started
}

@test "sctpize check prints the plain-words report" {
	run --separate-stderr "$SCTPIZE" check
	if "$B/sctpize-helper" probe 2>/dev/null; then
		assert_success
		assert_line "SCTP sockets: yes, this kernel makes them."
	else
		assert_equal "$status" 3
		assert_line "SCTP sockets: no."
		assert_line --regexp '^  this kernel cannot make SCTP sockets \(E[A-Z]+, .*\)\.$'
	fi
	assert_line --regexp "^Kernel: $(uname -s) "
	assert_line --regexp '^Module sctp: '
	assert_line --regexp '^Blacklisted: '
	# The report is where advice ends: it never sends the reader back to itself.
	refute_output --partial "sctpize check"
	if [ "$status" = 3 ]; then
		# One thing to do, for this machine, and the way to run on TCP meanwhile.
		run grep -c '^To do: ' <<<"$output"
		assert_output 1
		run --separate-stderr "$SCTPIZE" check
		assert_line "Meanwhile, 'sctpize --fallback PROGRAM' runs PROGRAM on TCP."
		if [ -f /.dockerenv ] || [ -f /run/.containerenv ]; then
			assert_line "To do: load the module on the host, as root there: modprobe sctp."
		fi
	fi
	run --separate-stderr faked "$SCTPIZE" check
	assert_success
	assert_line "SCTP sockets: yes, this kernel makes them."
	refute_line --regexp '^(To do|Meanwhile)'
	run --separate-stderr "$SCTPIZE" check extra
	assert_equal "$status" 2
}

@test "a program that is not found exits 127, one that is not executable 126" {
	run -127 --separate-stderr faked "$SCTPIZE" no-such-program-here
	assert_equal "$status" 127
	[[ $stderr == *no-such-program-here* ]] || fail "stderr: $stderr"
	echo 'touch "$1"' > "$BATS_TEST_TMPDIR/noexec"
	run -126 --separate-stderr faked "$SCTPIZE" "$BATS_TEST_TMPDIR/noexec" "$MARK"
	assert_equal "$status" 126
	run -126 --separate-stderr faked "$SCTPIZE" "$BATS_TEST_TMPDIR"
	assert_equal "$status" 126
	assert_not_started
}

@test "a name is looked up in PATH as sh and execvp() do: a file that may not be run is passed over" {
	local d1=$BATS_TEST_TMPDIR/d1 d2=$BATS_TEST_TMPDIR/d2
	mkdir -p "$d1" "$d2"
	printf '#!/bin/sh\necho first\n' > "$d1/prog-$$"
	printf '#!/bin/sh\necho second\n' > "$d2/prog-$$"
	chmod 644 "$d1/prog-$$"
	chmod 755 "$d2/prog-$$"
	run --separate-stderr env PATH="$d1:$d2:$PATH" "$SCTPIZE" --fallback "prog-$$"
	assert_equal "$status" 0
	assert_equal "$output" second
	chmod 644 "$d2/prog-$$"
	run -127 --separate-stderr env PATH="$d1:$d2:$PATH" "$SCTPIZE" --fallback "prog-$$"
	assert_equal "$stderr" "sctpize: prog-$$: command not found"
}

@test "a program that is not found exits 127 on this kernel too, SCTP or not, with no SCTP advice" {
	# No fake SCTP here: on a kernel without SCTP the missing program still wins.
	run -127 --separate-stderr "$SCTPIZE" nonexistentprog-$$ arg
	assert_equal "$stderr" "sctpize: nonexistentprog-$$: command not found"
	run -127 --separate-stderr "$SCTPIZE" --nodelay -- "$BATS_TEST_TMPDIR/nonexistent"
	assert_equal "$stderr" "sctpize: $BATS_TEST_TMPDIR/nonexistent: command not found"
	run -126 --separate-stderr "$SCTPIZE" "$BATS_TEST_TMPDIR"
	assert_equal "$stderr" "sctpize: $BATS_TEST_TMPDIR: not an executable file"
	# Its name as typed, control characters shown as '?'.
	run -127 --separate-stderr "$SCTPIZE" $'no\e[31mprog'
	assert_equal "$stderr" "sctpize: no?[31mprog: command not found"
	# A bad setting is still refused first (exit 2), as before any program.
	run -2 --separate-stderr env SCTPIZE_NODELAY=yes "$SCTPIZE" nonexistentprog-$$
	[[ $stderr == *SCTPIZE_NODELAY* ]] || fail "stderr: $stderr"
}

@test "the program's own exit status and arguments pass through" {
	run --separate-stderr faked "$SCTPIZE" sh -c 'printf "%s|" "$@"; exit 7' sh "a b" "" '*'
	assert_equal "$status" 7
	assert_output "a b||*|"
}

@test "'sctpize -- check' runs a program named check" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho "I am check $*"\n' > "$BATS_TEST_TMPDIR/bin/check"
	chmod +x "$BATS_TEST_TMPDIR/bin/check"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run --separate-stderr faked "$SCTPIZE" -- check x
	assert_success
	assert_output "I am check x"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run --separate-stderr faked "$SCTPIZE" --nodelay check y
	assert_success
	assert_output "I am check y"
}

@test "explain -- PROGRAM: the name is one word, never split or globbed" {
	# Files for a glob to expand to, in the directory explain runs in.
	mkdir "$BATS_TEST_TMPDIR/d" && touch "$BATS_TEST_TMPDIR/d/aa" "$BATS_TEST_TMPDIR/d/bb"
	cd "$BATS_TEST_TMPDIR/d"
	run --separate-stderr "$SCTPIZE" explain -- 'my prog'
	assert_success
	assert_line "Program my prog: every TCP socket converts at socket()"
	run --separate-stderr "$SCTPIZE" explain -- '*'
	assert_success
	assert_line "Program *: every TCP socket converts at socket()"
	refute_output --partial aa
	# After server|client ADDR PORT too, where the rule's glob meets the name.
	run --separate-stderr "$SCTPIZE" explain --rule 'tcp prog my*' server 0.0.0.0 13 -- 'my prog'
	assert_success
	assert_line "server 0.0.0.0 port 13 of my prog: rule 1 (tcp prog my*; SCTPIZE_RULES rule 1) -> tcp"
	run --separate-stderr "$SCTPIZE" explain --rule 'tcp prog aa' client ::1 13 -- '*'
	assert_success
	assert_line "client ::1 port 13 of *: no rule matches: the default -> sctp"
	# A name with a newline or a leading dash is still one word.
	run --separate-stderr "$SCTPIZE" explain server 0.0.0.0 13 -- $'a\nb'
	assert_success
	assert_line "b: every TCP socket converts at socket()"
	run --separate-stderr "$SCTPIZE" explain -- -x
	assert_success
	assert_line "Program -x: every TCP socket converts at socket()"
	# Two words after -- are two arguments: refused, not joined.
	run --separate-stderr "$SCTPIZE" explain -- my prog
	assert_equal "$status" 2
}

# LD_PRELOAD as the program sees it, when the caller's is $1.
preload_seen() {
	LD_PRELOAD=$1 RECORDER_FAKE_SCTP=1 "$SCTPIZE" printenv LD_PRELOAD
}

@test "LD_PRELOAD: the library first, other preloads kept after it, never twice" {
	other=$(cc -print-file-name=libm.so.6)
	[ -f "$other" ] || other=$(ldconfig -p | awk '/libm\.so\.6 / { print $NF; exit }')
	[ -f "$other" ] || fail "no libm.so.6 to preload"
	run preload_seen "$REC"
	assert_output "$LIB $REC"
	run preload_seen "$REC:$other"
	assert_output "$LIB $REC $other"
	run preload_seen "$REC $other"
	assert_output "$LIB $REC $other"
	run preload_seen "$LIB $REC"
	assert_output "$LIB $REC"
	run preload_seen "$LIB:$REC:$LIB:$other"
	assert_output "$LIB $REC $other"
}

@test "the whole chain: under the wrapper a TCP socket is made as SCTP" {
	run --separate-stderr faked "$SCTPIZE" "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 AF_UNIX SOCK_STREAM 0
	assert_success
	assert_output "ok proto=132 type=1 nonblock=0 cloexec=0 errno=kept
ok proto=0 type=1 nonblock=0 cloexec=0 errno=kept"
	run grep -E '^socket 2 1 132 ' "$LOG"
	assert_success
	assert_equal "$stderr" ""
}

@test "options map to the SCTPIZE_ variables the program sees" {
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT SCTPIZE_HALF_CLOSE
	run --separate-stderr faked "$SCTPIZE" env
	assert_success
	refute_line --regexp '^SCTPIZE_'
	run bash -c "LD_PRELOAD='$REC' RECORDER_FAKE_SCTP=1 '$SCTPIZE' -v --nodelay --bind-all --bind-loopback \
		--log '$BATS_TEST_TMPDIR/log' env | grep '^SCTPIZE_' | sort"
	assert_output "SCTPIZE_BIND_ALL=1
SCTPIZE_BIND_LOOPBACK=1
SCTPIZE_LOG=$BATS_TEST_TMPDIR/log
SCTPIZE_NODELAY=1
SCTPIZE_VERBOSE=1"
	run bash -c "LD_PRELOAD='$REC' RECORDER_FAKE_SCTP=1 '$SCTPIZE' --log=syslog --bind-addrs=10.0.0.9,fd00::1 -vv env | grep '^SCTPIZE_' | sort"
	assert_output "SCTPIZE_BIND_ADDRS=10.0.0.9,fd00::1
SCTPIZE_LOG=syslog
SCTPIZE_VERBOSE=2"
	run bash -c "LD_PRELOAD='$REC' RECORDER_FAKE_SCTP=1 '$SCTPIZE' --bind-ifaces lo,eth0 \
		--peer-addrs=10.0.0.1,10.0.0.2 --no-peer-resolved --failover fast --hb-interval 500 \
		--rto-min=50 --rto-max 900 --rto-initial 200 --path-max-retrans 2 --max-retrans=7 \
		--streams 3 --sndbuf 1048576 --rcvbuf=0 --sack-delay 200 --connect-timeout=30 \
		--no-half-close env | grep '^SCTPIZE_' | sort"
	assert_output "SCTPIZE_BIND_IFACES=lo,eth0
SCTPIZE_CONNECT_TIMEOUT=30
SCTPIZE_FAILOVER=fast
SCTPIZE_HALF_CLOSE=0
SCTPIZE_HB_INTERVAL=500
SCTPIZE_MAX_RETRANS=7
SCTPIZE_PATH_MAX_RETRANS=2
SCTPIZE_PEER_ADDRS=10.0.0.1,10.0.0.2
SCTPIZE_PEER_RESOLVED=0
SCTPIZE_RCVBUF=0
SCTPIZE_RTO_INITIAL=200
SCTPIZE_RTO_MAX=900
SCTPIZE_RTO_MIN=50
SCTPIZE_SACK_DELAY=200
SCTPIZE_SNDBUF=1048576
SCTPIZE_STREAMS=3"
	run bash -c "LD_PRELOAD='$REC' RECORDER_FAKE_SCTP=1 '$SCTPIZE' -v -v printenv SCTPIZE_VERBOSE"
	assert_output 2
}

@test "--half-close sets SCTPIZE_HALF_CLOSE=1, --no-half-close 0 (the default: unset), the last one wins" {
	unset SCTPIZE_HALF_CLOSE
	run --separate-stderr faked "$SCTPIZE" --half-close printenv SCTPIZE_HALF_CLOSE
	assert_success
	assert_output 1
	run --separate-stderr faked "$SCTPIZE" --no-half-close printenv SCTPIZE_HALF_CLOSE
	assert_output 0
	run --separate-stderr faked "$SCTPIZE" --no-half-close --half-close printenv SCTPIZE_HALF_CLOSE
	assert_output 1
	run --separate-stderr faked "$SCTPIZE" --half-close --no-half-close printenv SCTPIZE_HALF_CLOSE
	assert_output 0
	run --separate-stderr faked "$SCTPIZE" printenv SCTPIZE_HALF_CLOSE
	assert_failure
	assert_output ""
	# The option wins over the caller's variable, as every option does.
	SCTPIZE_HALF_CLOSE=0 run --separate-stderr faked "$SCTPIZE" --half-close printenv SCTPIZE_HALF_CLOSE
	assert_output 1
	# The usage text has both, and what --half-close is for.
	run "$SCTPIZE" --help
	assert_line --regexp '^ +--half-close +negotiate TCP.s half-close with peers that run$'
	assert_line --regexp '^ +--no-half-close +do not negotiate it \(the default\)$'
	assert_output --partial "libc's socket calls only"
}

@test "more -v never means less: -v -v -v is still SCTPIZE_VERBOSE=2" {
	run bash -c "LD_PRELOAD='$REC' RECORDER_FAKE_SCTP=1 '$SCTPIZE' -v -v -v printenv SCTPIZE_VERBOSE"
	assert_success
	assert_output 2
}

@test "-v logs the decisions to stderr, and the library never writes to stdout" {
	run --separate-stderr faked "$SCTPIZE" -v "$HELPERS/unit_sockopt" shim set IPPROTO_TCP TCP_NODELAY 1 \
		set IPPROTO_TCP TCP_CORK 1
	assert_success
	assert_output "ok errno=kept
ok errno=kept"
	[[ $stderr == *"converted to SCTP"* ]] || fail "stderr: $stderr"
	[[ $stderr == *"TCP_NODELAY=1) mapped"* ]] || fail "stderr: $stderr"
	[[ $stderr == *"TCP_CORK=1) accepted as a hint"* ]] || fail "stderr: $stderr"
	run --separate-stderr faked "$SCTPIZE" "$HELPERS/unit_sockopt" shim set IPPROTO_TCP TCP_NODELAY 1
	assert_equal "$stderr" ""
}

@test "a setuid or setgid program: a warning that it will run on TCP, and it still runs" {
	cp "$(type -P true)" "$BATS_TEST_TMPDIR/suid-true"
	chmod u+s "$BATS_TEST_TMPDIR/suid-true"
	run --separate-stderr faked "$SCTPIZE" "$BATS_TEST_TMPDIR/suid-true"
	assert_success
	[[ $stderr == *set-user-ID* && $stderr == *LD_PRELOAD* ]] || fail "stderr: $stderr"
	chmod u-s,g+s "$BATS_TEST_TMPDIR/suid-true"
	run --separate-stderr faked "$SCTPIZE" "$BATS_TEST_TMPDIR/suid-true"
	assert_success
	[[ $stderr == *set-group-ID* ]] || fail "stderr: $stderr"
}

@test "a dynamic program gets no warning" {
	run --separate-stderr faked "$SCTPIZE" "$(type -P true)"
	assert_success
	assert_equal "$stderr" ""
}

@test "a statically linked program: a warning that LD_PRELOAD has no effect on it" {
	printf 'int main(void) { return 0; }\n' > "$BATS_TEST_TMPDIR/s.c"
	cc -static -o "$BATS_TEST_TMPDIR/static" "$BATS_TEST_TMPDIR/s.c" 2>/dev/null ||
		skip "cannot link statically here (no libc.a)"
	run --separate-stderr faked "$SCTPIZE" "$BATS_TEST_TMPDIR/static"
	assert_success
	[[ $stderr == *"statically linked"* ]] || fail "stderr: $stderr"
}
