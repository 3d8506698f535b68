#!/usr/bin/env bats
# One option table, four readers: the options of sctpize are rows of
# bin/options.c, from which "sctpize --help" and the bash completion's lists
# are printed; sctpize(1) and README.md are written by hand.  All four list
# the same options (compared as sets of names), so that an option added to
# the table is documented, and a documented option exists.

load ../helpers/common

# Each lister prints option names, one per line, sorted, without duplicates.

# "sctpize --help": every -x or --xyz word ("--bind-*" names a group).
help_opts() {
	"$SCTPIZE" --help | grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ ,[]//' |
		grep -vx -e '.*-' | sort -u
}

# The bash completion: what it offers for "-" as the first word, and after
# enable's and disable's unit.
completion_opts() {
	local words
	for words in "sctpize -" "sctpize enable xinetd -" "sctpize disable xinetd -"; do
		# shellcheck disable=SC2086  # the words of a command line
		bash --norc --noprofile -c '
			source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			_sctpize
			printf "%s\n" "${COMPREPLY[@]}"' bash "$B/sctpize.bash-completion" $words
	done | sed 's/=$//' | sort -u
}

# sctpize(1) ($1, or man/sctpize.1): the Fl names of its .It lines (the options'
# list, and enable's and disable's --root).
man_opts() {
	grep '^\.It' "${1:-$TOP/man/sctpize.1}" | grep -oE 'Fl (\\-)?[a-zA-Z][a-zA-Z\\-]*' |
		sed 's/^Fl /-/; s/\\-/-/g' | sort -u
}

# README.md ($1, or README.md): the first column of its table of options.
readme_opts() {
	grep '^| `-' "${1:-$TOP/README.md}" | cut -d'|' -f2 | grep -oE '`--?[a-zA-Z][a-zA-Z-]*' |
		tr -d '`' | sort -u
}

@test "sctpize --help lists the options of the table (a sample, and no fewer than 40)" {
	run help_opts
	assert_success
	assert_line -v
	assert_line --verbose
	assert_line --stats
	assert_line --root
	assert_line --half-close
	[ "${#lines[@]}" -ge 40 ] || fail "only ${#lines[@]} options: $output"
}

@test "the bash completion offers exactly the options of --help" {
	assert_equal "$(completion_opts)" "$(help_opts)"
}

@test "sctpize(1) describes exactly the options of --help" {
	run diff <(help_opts) <(man_opts)
	[ "$status" = 0 ] || fail "--help (<) and sctpize(1) (>) differ: $output"
}

@test "README.md's table lists exactly the options of --help" {
	run diff <(help_opts) <(readme_opts)
	[ "$status" = 0 ] || fail "--help (<) and README.md (>) differ: $output"
}

@test "the checks have teeth: a page or README without an option differs" {
	# One option's row gone from each: the lists differ by that option.
	sed '/^| `--nodelay`/d' "$TOP/README.md" > "$BATS_TEST_TMPDIR/README.md"
	run diff <(help_opts) <(readme_opts "$BATS_TEST_TMPDIR/README.md")
	assert_failure
	assert_output --partial "< --nodelay"
	sed '/^\.It Fl \\-nodelay$/d' "$TOP/man/sctpize.1" > "$BATS_TEST_TMPDIR/sctpize.1"
	run diff <(help_opts) <(man_opts "$BATS_TEST_TMPDIR/sctpize.1")
	assert_failure
	assert_output --partial "< --nodelay"
}
