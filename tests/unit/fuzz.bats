#!/usr/bin/env bats
# The parsers under libFuzzer (tests/fuzz/, built by tests/fuzz/fuzz.mk with clang,
# AddressSanitizer and UBSan): a run of each target that is the same every time,
# and every input that once found a bug (tests/fuzz/regress/).
#
# Deterministic, so that "make check" says the same of the same code on any
# machine, loaded or not: a fixed seed (-seed), a fixed number of inputs (-runs,
# never a time limit), starting from the seeds (tests/fuzz/corpus/TARGET) and the
# regression inputs of the target, with address space randomization off for the
# target (libFuzzer's comparison tracing feeds the values compared, pointers too,
# back into its mutations) and no corpus reloading.  FUZZ_SEED and FUZZ_SMOKE_RUNS
# in the environment choose another seed or count.  The random exploration, 10
# million executions each: make -j2 fuzz (totals in build/fuzz/TARGET.log).

load ../helpers/common

TARGETS="config ip rules assocs status elf"
SEED=${FUZZ_SEED:-1}
RUNS=${FUZZ_SMOKE_RUNS:-20000}

setup() {
	for t in $TARGETS; do
		[ -x "$B/fuzz/fuzz_$t" ] ||
			fail "$B/fuzz/fuzz_$t is missing: 'make test-programs' builds it when clang-14 (libclang-rt-14-dev) is installed (tests/install-deps)"
	done
	# Without randomization where the kernel lets us (a container's seccomp
	# profile may refuse personality()): the run is then the same bit for bit.
	NORAND=()
	if setarch "$(uname -m)" -R true 2>/dev/null; then
		NORAND=(setarch "$(uname -m)" -R)
	fi
}

# The fixed run of TARGET: its seeds and regression inputs copied into a scratch
# corpus (new inputs go there too, never into tests/fuzz/corpus).
fixed_run() {
	local t=$1 n r
	mkdir -p "$BATS_TEST_TMPDIR/$t"
	for r in "$TOP"/tests/fuzz/regress/"$t"-*; do
		[ -e "$r" ] && cp "$r" "$BATS_TEST_TMPDIR/$t/"
	done
	run "${NORAND[@]}" "$B/fuzz/fuzz_$t" -seed="$SEED" -runs="$RUNS" -reload=0 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$BATS_TEST_TMPDIR/$t-" \
		"$BATS_TEST_TMPDIR/$t" "$TOP/tests/fuzz/corpus/$t"
	assert_success
	assert_output --regexp "Done $RUNS runs"
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' <<< "$output")
	[ "$n" = "$RUNS" ] || fail "fuzz_$t executed ${n:-no} inputs, not $RUNS"
	echo "# fuzz_$t: seed $SEED, $n executions, no crash${NORAND[*]:+ (no ASLR)}" >&3
}

@test "fuzz: config_parse() (the SCTPIZE_* environment), a fixed run" { fixed_run config; }
@test "fuzz: parse_ip() and address lists, a fixed run" { fixed_run ip; }
@test "fuzz: the migration rules (SCTPIZE_RULES, the config file, the decision), a fixed run" { fixed_run rules; }
@test "fuzz: the /proc/net/sctp/assocs reader (TCP_INFO), a fixed run" { fixed_run assocs; }
@test "fuzz: the /proc tables of 'sctpize status', a fixed run" { fixed_run status; }
@test "fuzz: the ELF inspection of the helper (static/setuid warnings), a fixed run" { fixed_run elf; }

@test "fuzz: every seed and every input that once found a bug still passes" {
	local n=0
	for t in $TARGETS; do
		run "$B/fuzz/fuzz_$t" -runs=0 "$TOP/tests/fuzz/corpus/$t"
		assert_success
		for r in "$TOP"/tests/fuzz/regress/"$t"-*; do
			[ -e "$r" ] || continue
			run "$B/fuzz/fuzz_$t" "$r"
			assert_success
			n=$((n + 1))
		done
	done
	[ "$n" -ge 1 ] || fail "no regression input in tests/fuzz/regress"
	echo "# $n regression inputs" >&3
}
