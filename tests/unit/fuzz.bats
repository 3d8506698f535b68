#!/usr/bin/env bats
# The parsers under libFuzzer (tests/fuzz/, built by tests/fuzz/fuzz.mk with clang,
# AddressSanitizer and UBSan): a short run of each target from its seeds, and every
# input that once found a bug (tests/fuzz/regress/).  The long runs, 10 million
# executions each: make -j2 fuzz (totals in build/fuzz/TARGET.log).

load ../helpers/common

TARGETS="config ip rules assocs status elf"

setup() {
	for t in $TARGETS; do
		[ -x "$B/fuzz/fuzz_$t" ] ||
			fail "$B/fuzz/fuzz_$t is missing: 'make test-programs' builds it when clang-14 (libclang-rt-14-dev) is installed (tests/install-deps)"
	done
}

# A short run of TARGET: new inputs go to a scratch copy, never into tests/fuzz/corpus.
smoke() {
	local t=$1
	mkdir -p "$BATS_TEST_TMPDIR/$t"
	run "$B/fuzz/fuzz_$t" -runs=100000 -max_total_time=4 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$BATS_TEST_TMPDIR/$t-" "$BATS_TEST_TMPDIR/$t" "$TOP/tests/fuzz/corpus/$t"
	assert_success
	assert_output --regexp 'Done [0-9]+ runs'
	local n
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' <<< "$output")
	echo "# fuzz_$t: $n executions, no crash" >&3
	[ "${n:-0}" -gt 1000 ] || fail "fuzz_$t ran only ${n:-0} inputs"
}

@test "fuzz: config_parse() (the SCTPIZE_* environment), a short run" { smoke config; }
@test "fuzz: parse_ip() and address lists, a short run" { smoke ip; }
@test "fuzz: the migration rules (SCTPIZE_RULES, the config file, the decision), a short run" { smoke rules; }
@test "fuzz: the /proc/net/sctp/assocs reader (TCP_INFO), a short run" { smoke assocs; }
@test "fuzz: the /proc tables of 'sctpize status', a short run" { smoke status; }
@test "fuzz: the ELF inspection of the helper (static/setuid warnings), a short run" { smoke elf; }

@test "fuzz: every seed and every input that once found a bug still passes" {
	for t in $TARGETS; do
		run "$B/fuzz/fuzz_$t" -runs=0 "$TOP/tests/fuzz/corpus/$t"
		assert_success
		for r in "$TOP"/tests/fuzz/regress/"$t"-*; do
			[ -e "$r" ] || continue
			run "$B/fuzz/fuzz_$t" "$r"
			assert_success
		done
	done
}
