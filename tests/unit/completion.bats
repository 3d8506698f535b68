#!/usr/bin/env bats
# build/sctpize.bash-completion (bin/sctpize.bash-completion with the option
# table of sctpize-helper put in by make), sourced into a plain bash (no bash-completion
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
		bash "$B/sctpize.bash-completion" "$@"
}

@test "the file registers _sctpize for sctpize, standalone" {
	run bash --norc --noprofile -c "source '$B/sctpize.bash-completion' && complete -p sctpize"
	assert_success
	assert_output "complete -F _sctpize sctpize"
}

@test "first word: the subcommands, and options" {
	run complete_words sctpize ""
	assert_line check
	assert_line explain
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
	run complete_words sctpize --half
	assert_output "--half-close"
	run complete_words sctpize --no-h
	assert_output "--no-half-close"
}

@test "every option of the wrapper's usage text is completed, and nothing else" {
	local usage_opts completed
	# (--root is enable's and disable's own; "--bind-*" names a group.)
	usage_opts=$("$SCTPIZE" --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-z-]*' | sed 's/^[ ,]//' |
		grep -vxE -e '--root' -e '.*-' | sort -u)
	completed=$(complete_words sctpize - | sed 's/=$//' | sort -u)
	assert_equal "$completed" "$usage_opts"
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
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --half
	assert_output "--half-close"
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

@test "migration mode options: names, --default's actions, --config's files" {
	run complete_words sctpize --fall
	assert_output "--fallback
--fallback-timeout"
	run complete_words sctpize --
	assert_line --ports
	assert_line --except-ports
	assert_line --server-only
	assert_line --client-only
	assert_line --both
	assert_line --rule
	assert_line --default
	assert_line --config
	run complete_words sctpize --default ""
	assert_output "both
sctp
tcp"
	run complete_words sctpize --both --default t
	assert_output tcp
	mkdir "$BATS_TEST_TMPDIR/etc" && touch "$BATS_TEST_TMPDIR/etc/sctpize.conf"
	run complete_words sctpize --config "$BATS_TEST_TMPDIR/etc/sc"
	assert_output "$BATS_TEST_TMPDIR/etc/sctpize.conf"
	for opt in --ports --except-ports --rule --fallback-timeout; do
		run complete_words sctpize "$opt" ""
		assert_output ""
	done
}

@test "migration mode options take their value before the program" {
	PRELUDE='_command_offset() { COMPREPLY=("offset=$1" "word=${COMP_WORDS[$1]}"); }'
	PRELUDE=$PRELUDE run complete_words sctpize --ports 13,7 --server-only --rule "sctp port 13" \
		--default tcp --config /dev/null --fallback --fallback-timeout 500 xinetd -
	assert_output "offset=13
word=xinetd"
	run complete_words sctpize --both --except-ports 53 bas
	assert_line bash
	PRELUDE='systemctl() { printf "%s\n" "xinetd.service enabled enabled"; }'
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --ports 13 --default ""
	assert_output "both
sctp
tcp"
}

@test "after explain: server or client, the rule options, then the program after --" {
	run complete_words sctpize explain ""
	assert_output "client
server"
	run complete_words sctpize explain s
	assert_output server
	run complete_words sctpize explain --
	assert_output "--both
--client-only
--config
--default
--except-ports
--ports
--rule
--server-only"
	run complete_words sctpize explain --ports 13,7 --both ""
	assert_output "client
server"
	run complete_words sctpize explain --default ""
	assert_output "both
sctp
tcp"
	mkdir "$BATS_TEST_TMPDIR/etc" && touch "$BATS_TEST_TMPDIR/etc/sctpize.conf"
	run complete_words sctpize explain --config "$BATS_TEST_TMPDIR/etc/sc"
	assert_output "$BATS_TEST_TMPDIR/etc/sctpize.conf"
	# The address and the port: nothing to offer; then options, not a second role.
	run complete_words sctpize explain server ""
	assert_output ""
	run complete_words sctpize explain server 0.0.0.0 ""
	assert_output ""
	run complete_words sctpize explain client 192.0.2.7 3868 ""
	assert_output ""
	run complete_words sctpize explain server 0.0.0.0 13 --c
	assert_output "--client-only
--config"
	# After --, the program name: commands; nothing after it.
	run complete_words sctpize explain --config /etc/sctpize.conf server 0.0.0.0 13 -- bas
	assert_line bash
	run complete_words sctpize explain -- bas
	assert_line bash
	run complete_words sctpize explain server 0.0.0.0 13 -- xinetd ""
	assert_output ""
	# Not a subcommand after an option: a program named explain.
	PRELUDE='_command_offset() { COMPREPLY=("offset=$1" "word=${COMP_WORDS[$1]}"); }'
	PRELUDE=$PRELUDE run complete_words sctpize --nodelay explain ""
	assert_output "offset=2
word=explain"
}

@test "--stats: a flag, or its signal after '=' (one word, or split at '=' as bash splits it)" {
	run complete_words sctpize --sta
	assert_output "--stats
--stats="
	run complete_words sctpize --nodelay --stats=
	assert_output "--stats=USR1
--stats=USR2"
	run complete_words sctpize --stats=USR2
	assert_output "--stats=USR2"
	# With '=' in COMP_WORDBREAKS: the cursor on '=', then on the value.
	run complete_words sctpize --stats =
	assert_output "USR1
USR2"
	run complete_words sctpize --nodelay --stats = U
	assert_output "USR1
USR2"
	run complete_words sctpize --stats = USR1
	assert_output USR1
	# Alone, --stats takes no value: the next word is the program.
	run complete_words sctpize --stats bas
	assert_line bash
	refute_line USR1
	PRELUDE='_command_offset() { COMPREPLY=("offset=$1" "word=${COMP_WORDS[$1]}"); }'
	PRELUDE=$PRELUDE run complete_words sctpize --stats telnet -
	assert_output "offset=2
word=telnet"
	PRELUDE=$PRELUDE run complete_words sctpize --stats=USR1 telnet -
	assert_output "offset=2
word=telnet"
	PRELUDE=$PRELUDE run complete_words sctpize --stats = USR1 --log = syslog telnet -
	assert_output "offset=7
word=telnet"
	# In a drop-in too; not offered by explain, which runs nothing.
	PRELUDE='systemctl() { printf "%s\n" "xinetd.service enabled enabled"; }'
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --stats=U
	assert_output "--stats=USR1
--stats=USR2"
	PRELUDE=$PRELUDE run complete_words sctpize enable xinetd --stats ""
	assert_output ""
	run complete_words sctpize explain --st
	assert_output ""
}

@test "other option values after '=' too, and the program after them" {
	run complete_words sctpize --log=s
	assert_output "--log=stderr
--log=syslog"
	run complete_words sctpize --nodelay --default = t
	assert_output tcp
	run complete_words sctpize explain --default=b
	assert_output "--default=both"
	run complete_words sctpize explain --default = ""
	assert_output "both
sctp
tcp"
	run complete_words sctpize explain --config = /dev/null server ""
	assert_output ""
	run complete_words sctpize explain --config = /dev/null ""
	assert_output "client
server"
	PRELUDE='_command_offset() { COMPREPLY=("offset=$1" "word=${COMP_WORDS[$1]}"); }'
	PRELUDE=$PRELUDE run complete_words sctpize --failover = fast telnet -
	assert_output "offset=4
word=telnet"
	# An unknown option's value: nothing.
	run complete_words sctpize --nodelay=
	assert_output ""
}
