#!/usr/bin/env bats
# make lint, in make check: shellcheck on every shell script of the project
# and mandoc's warnings on the manuals; and the manuals as man(1) formats
# them with groff at 80 and 60 columns, where a table too wide for the line
# makes groff say "can't break line".  Any finding fails.

load ../helpers/common

setup() {
	local t
	for t in shellcheck mandoc man groff; do
		command -v "$t" >/dev/null || fail "$t is not installed (tests/install-deps)"
	done
}

@test "make lint: shellcheck and mandoc -Tlint find nothing" {
	run make -s -C "$TOP" lint
	assert_success
	assert_output ""
}

@test "make lint covers every shell script of the project" {
	local listed files f
	listed=$(make -s -C "$TOP" -n lint)
	# Every file that starts with a shell's #!, and the sourced helpers
	# (not the fuzzers' sample inputs).
	files=$(cd "$TOP" && git ls-files 'bin/*' 'tests/*' '.ci/*') || fail "git ls-files failed"
	[[ $files == *bin/sctpize.in* ]] || fail "git ls-files lists no bin/sctpize.in: $files"
	for f in $(grep -vE '\.bats$|^tests/fuzz/corpus/' <<<"$files"); do
		case $f in
		*.bash|*.bash-completion) ;;
		*) head -n 1 "$TOP/$f" | grep -qE '^#!(/usr)?/bin/(env )?(ba|da)?sh' || continue ;;
		esac
		[[ $listed == *" $f"* ]] || fail "make lint does not check $f"
	done
}

@test "shellcheck finds what it should: the check has teeth" {
	printf '#!/bin/sh\nfor f in $(ls *.txt); do echo $f; done\n' > "$BATS_TEST_TMPDIR/bad.sh"
	run shellcheck "$BATS_TEST_TMPDIR/bad.sh"
	assert_failure
	assert_output --partial SC2045
	printf '.Dd January 1, 2026\n.Dt BAD 1\n.Os\n.Sh NAME\n.Nm bad\n.Nd x\n.Sh DESCRIPTION\n.Xr nothere\n' \
		> "$BATS_TEST_TMPDIR/bad.1"
	run mandoc -Tlint -W warning "$BATS_TEST_TMPDIR/bad.1"
	assert_failure
}

# The warnings groff writes when man(1) formats PAGE at WIDTH columns.
man_warnings() {
	MANWIDTH=$2 LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat man -l "$1" 2>&1 >/dev/null
}

@test "man -l formats each manual at 80 and 60 columns without a warning" {
	local p w
	for p in sctpize.1 sctpize.conf.5 libsctpize.7; do
		for w in 80 60; do
			run man_warnings "$TOP/man/$p" "$w"
			[ -z "$output" ] || fail "$p at $w columns: $output"
		done
	done
	# The check has teeth: a table wider than the line is reported.
	local x y
	x=$(printf 'x%.0s' $(seq 40)) y=$(printf 'y%.0s' $(seq 40))
	printf '.Dd January 1, 2026\n.Dt WIDE 7\n.Os\n.Sh NAME\n.Nm wide\n.Nd x\n.Sh DESCRIPTION\n.Bl -column "%s" "%s"\n.It %s Ta %s\n.El\n' \
		"$x" "$y" "$x" "$y" > "$BATS_TEST_TMPDIR/wide.7"
	run man_warnings "$BATS_TEST_TMPDIR/wide.7" 60
	assert_output --partial "can't break line"
}
