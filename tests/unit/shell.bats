#!/usr/bin/env bats
# Shell mode: ". sctpize on" / ". sctpize off" in the sourcing shell, and
# "sctpize show".  SCTP is faked by the recorder (the kernel here may lack it),
# so the wrapper's probe passes as it would on a kernel with SCTP.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
}

# Run bash code in a shell that has the recorder preloaded, SCTP faked.
in_shell() {
	LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 SCTPIZE="$SCTPIZE" bash --norc -c "$1"
}

@test ". sctpize on puts the library first, keeps other preloads, and is idempotent" {
	run in_shell '. "$SCTPIZE" on 2>/dev/null; . "$SCTPIZE" on 2>/dev/null; echo "$LD_PRELOAD"'
	assert_success
	assert_output "$LIB $REC"
}

@test ". sctpize off removes only the library, and leaves no variable behind" {
	run in_shell '. "$SCTPIZE" on 2>/dev/null; . "$SCTPIZE" off 2>/dev/null
		echo "[$LD_PRELOAD]"; set | grep -E "^(_sctpize|LIBDIR|LIB|HELPER|VERSION|EX_[A-Z]+)=" || echo clean'
	assert_success
	assert_output "[$REC]
clean"
	run bash --norc -c "export LD_PRELOAD='$LIB'; . '$SCTPIZE' off 2>/dev/null; echo \"\${LD_PRELOAD-unset}\""
	assert_output unset
}

@test "programs started after . sctpize on are converted, after off they are not" {
	run in_shell "unset RECORDER_LOG; . \"\$SCTPIZE\" on 2>/dev/null; RECORDER_LOG='$LOG' '$HELPERS/unit_socket' AF_INET SOCK_STREAM 0 >/dev/null
		. \"\$SCTPIZE\" off 2>/dev/null; RECORDER_LOG='$LOG' '$HELPERS/unit_socket' AF_INET SOCK_STREAM 0 >/dev/null"
	assert_success
	run libc_sockets
	assert_output "socket 2 1 132
socket 2 1 0"
}

@test ". sctpize on refuses bad settings and a kernel without SCTP, and changes nothing" {
	run in_shell 'SCTPIZE_NODELAY=yes . "$SCTPIZE" on; echo "rc=$? [${LD_PRELOAD}]"'
	assert_output --partial "SCTPIZE_NODELAY"
	assert_line "rc=2 [$REC]"
	"$B/sctpize-helper" probe 2>/dev/null && skip "this kernel has SCTP: nothing to refuse"
	run env S="$SCTPIZE" bash --norc -c '. "$S" on; echo "rc=$? [${LD_PRELOAD-}]"'
	assert_line "rc=3 []"
}

@test "sctpize on without sourcing says how, and sctpize show tells the state" {
	run --separate-stderr "$SCTPIZE" on
	assert_equal "$status" 2
	[[ $stderr == *". sctpize on"* ]] || fail "stderr: $stderr"
	run in_shell '"$SCTPIZE" show; . "$SCTPIZE" on 2>/dev/null; SCTPIZE_NODELAY=1 "$SCTPIZE" show'
	assert_success
	assert_line "sctpize is off in this shell ('. sctpize on' turns it on)"
	assert_line "sctpize is on in this shell: programs it starts run over SCTP"
	assert_line "  SCTPIZE_NODELAY=1"
}

@test ". sctpize in dash (Debian's sh), which passes no arguments to '.': one message, a return, never an exit" {
	command -v dash >/dev/null || fail "dash is not installed"
	local msg="sctpize: '. sctpize on' and '. sctpize off' need bash or zsh (this shell passes no arguments to '.'); 'sctpize sh' starts a shell whose programs all run over SCTP"
	for word in on off ""; do
		run --separate-stderr env LD_PRELOAD="$REC" RECORDER_FAKE_SCTP=1 S="$SCTPIZE" \
			dash -c '. "$S" '"$word"'; echo "still-here rc=$? [${LD_PRELOAD-}]"'
		assert_success
		assert_output "still-here rc=2 [$REC]"
		assert_equal "$stderr" "$msg"
	done
	# Sourced from a script, and with the caller's own positional parameters.
	printf '. "$S" on\necho "still-here rc=$?"\n' > "$BATS_TEST_TMPDIR/script.sh"
	run --separate-stderr env S="$SCTPIZE" dash "$BATS_TEST_TMPDIR/script.sh" on
	assert_success
	assert_output "still-here rc=2"
	# Nothing is left behind in the shell.
	run env S="$SCTPIZE" dash -c '. "$S" on 2>/dev/null; set | grep -E "^(_sctpize|LIBDIR|LIB|HELPER|VERSION|EX_[A-Z]+)=" || echo clean'
	assert_output clean
	# bash still has shell mode, and neither shell is left by a refusal.
	run in_shell '. "$SCTPIZE" on 2>/dev/null; echo "still-here [$LD_PRELOAD]"'
	assert_output "still-here [$LIB $REC]"
	run env S="$SCTPIZE" bash --norc -c '. "$S" on 2>/dev/null; echo "still-here rc=$?"'
	assert_output --regexp '^still-here rc=[03]$'
	# Run, not sourced, by dash or bash: the wrapper itself, as before.
	run --separate-stderr dash "$SCTPIZE" --version
	assert_success
	assert_output --regexp '^sctpize [0-9.]+$'
	run --separate-stderr dash "$SCTPIZE" on
	assert_equal "$status" 2
	[[ $stderr == *"source it"* ]] || fail "stderr: $stderr"
}
