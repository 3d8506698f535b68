#!/usr/bin/env bats
# bin/sctpize.bash-completion, sourced into a plain bash (no bash-completion
# package): the completion function is called with COMP_WORDS/COMP_CWORD set.

load ../helpers/common

# Complete WORDS... (the last is the one under the cursor); print COMPREPLY
# one per line, sorted.  PRELUDE (bash code) runs first, e.g. to stub a command.
complete_words() {
	bash --norc --noprofile -c '
		eval "$PRELUDE"
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_sctpize
		printf "%s\n" "${COMPREPLY[@]}" | sort -u | sed "/^$/d"' \
		bash "$TOP/bin/sctpize.bash-completion" "$@"
}

@test "the file registers _sctpize for sctpize, standalone" {
	run bash --norc --noprofile -c "source '$TOP/bin/sctpize.bash-completion' && complete -p sctpize"
	assert_success
	assert_output "complete -F _sctpize sctpize"
}

@test "first word: the subcommands, and options" {
	run complete_words sctpize ""
	assert_line check
	assert_line status
	assert_line verify
	assert_line enable
	assert_line disable
	assert_line show
	assert_line on
	assert_line off
	run complete_words sctpize di
	assert_line disable
	refute_line enable
	run complete_words sctpize --bind-
	assert_output "--bind-addrs
--bind-all
--bind-ifaces
--bind-loopback"
}

@test "option values: --log, --failover, --bind-ifaces" {
	run complete_words sctpize --log ""
	assert_output "stderr
syslog"
	run complete_words sctpize --nodelay --failover ""
	assert_output "default
fast"
	run complete_words sctpize --bind-ifaces ""
	assert_line lo
	for f in /sys/class/net/*; do assert_line "${f##*/}"; done
	run complete_words sctpize --bind-ifaces lo,
	assert_line lo,lo
	run complete_words sctpize --hb-interval ""
	assert_output ""
}

@test "after status and verify: PIDs" {
	run complete_words sctpize status ""
	assert_line "$$"
	assert_line 1
	refute_line --regexp '[^0-9]'
	run complete_words sctpize verify ""
	assert_line "$$"
	run complete_words sctpize status 1 ""
	assert_output ""
}

@test "after enable and disable: unit names from systemctl, then options" {
	PRELUDE='systemctl() { printf "%s\n" "xinetd.service enabled enabled" "sshd.service enabled enabled"; }'
	PRELUDE=$PRELUDE run complete_words sctpize enable ""
	assert_output "sshd
xinetd"
	PRELUDE=$PRELUDE run complete_words sctpize disable x
	assert_output xinetd
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --no
	assert_output "--no-half-close
--no-peer-resolved
--nodelay"
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --failover ""
	assert_output "default
fast"
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --nodelay ""
	assert_output ""
	PRELUDE=$PRELUDE run complete_words sctpize disable xinetd --
	assert_output "--root"
	PRELUDE=$PRELUDE run complete_words sctpize enable --root / ""
	assert_output "sshd
xinetd"
}

@test "after the program: its own completion through _command_offset, if there" {
	PRELUDE='_command_offset() { COMPREPLY=("offset=$1" "word=${COMP_WORDS[$1]}"); }'
	PRELUDE=$PRELUDE run complete_words sctpize --nodelay --log syslog telnet -
	assert_output "offset=4
word=telnet"
	PRELUDE=$PRELUDE run complete_words sctpize -- check ""
	assert_output "offset=2
word=check"
	# Without bash-completion: file names.
	mkdir "$BATS_TEST_TMPDIR/d" && touch "$BATS_TEST_TMPDIR/d/file1"
	run complete_words sctpize telnet "$BATS_TEST_TMPDIR/d/f"
	assert_output "$BATS_TEST_TMPDIR/d/file1"
}

@test "the program name itself: commands" {
	run complete_words sctpize --nodelay bas
	assert_line bash
	run complete_words sctpize -- bas
	assert_line bash
}
