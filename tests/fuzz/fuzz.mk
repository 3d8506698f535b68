# tests/fuzz/fuzz.mk - fuzz targets of the parsers (included by the Makefile).
#
#   build/fuzz/fuzz_config   config_parse(): an SCTPIZE_* environment (shim/core/config.c)
#   build/fuzz/fuzz_ip       parse_ip() and the address lists (shim/core/config.c)
#   build/fuzz/fuzz_rules    the migration rules: SCTPIZE_RULES, the config file, the
#                            decision (shim/core/rules.c)
#   build/fuzz/fuzz_assocs   the /proc/net/sctp/assocs reader (shim/core/tcpinfo.c)
#   build/fuzz/fuzz_status   the /proc tables and environ of "sctpize status" (bin/status.c)
#   build/fuzz/fuzz_elf      the ELF inspection of a program sctpize runs (bin/inspect.c)
#
# libFuzzer with AddressSanitizer and UBSan (clang; FUZZ_CC=clang-14 or any
# clang with libFuzzer).  Seeds: tests/fuzz/corpus/TARGET/.
#
#   make fuzz-targets                     build them (make test-programs does too,
#                                         when FUZZ_CC is installed)
#   make fuzz-smoke                       the fixed run of each that make check makes
#                                         (tests/unit/fuzz.bats): seed FUZZ_SEED,
#                                         FUZZ_SMOKE_RUNS inputs, from the seeds and
#                                         the regression inputs, no ASLR: the same
#                                         inputs every time, however loaded the machine
#   make -j2 fuzz FUZZ_RUNS=10000000      long runs, one process per target; the
#                                         corpus grows in build/fuzz/corpus/TARGET,
#                                         crashes land in build/fuzz/crashes/, the
#                                         totals in build/fuzz/TARGET.log
#   make fuzz-TARGET FUZZ_RUNS=...        one target
#   make fuzz-regress                     each target over the seeds and
#                                         tests/fuzz/regress/TARGET-* only

FUZZ_CC ?= $(firstword $(shell command -v clang-14 clang 2>/dev/null))
FUZZ_CFLAGS = -g -O1 -std=gnu11 -Wall -Wextra -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fsanitize-coverage-ignorelist=tests/fuzz/ignore.txt
FUZZ_TARGETS = config ip rules assocs status elf
FUZZ_BINS = $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_RUNS ?= 10000000
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_SEED ?= 1
FUZZ_MAX_LEN ?= 8192
# Extra libFuzzer flags for the long runs, e.g. FUZZ_FLAGS=-jobs=2\ -workers=2.
FUZZ_FLAGS ?=

# -fno-inline: init_schedule() stays a function of its own, out of the coverage.
# The core's parsers: its settings and rules, with the address helpers and file reading.
FUZZ_CORE = shim/core/config.c shim/core/rules.c shim/core/addr.c shim/core/file.c

$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_CORE) $(CORE_HDRS) tests/fuzz/ignore.txt
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-inline -o $@ tests/fuzz/fuzz_config.c $(FUZZ_CORE)

$(B)/fuzz/fuzz_ip: tests/fuzz/fuzz_ip.c $(FUZZ_CORE) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_ip.c shim/core/rules.c shim/core/addr.c \
		shim/core/file.c

$(B)/fuzz/fuzz_rules: tests/fuzz/fuzz_rules.c $(FUZZ_CORE) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_rules.c $(FUZZ_CORE)

$(B)/fuzz/fuzz_assocs: tests/fuzz/fuzz_assocs.c shim/core/tcpinfo.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_assocs.c

$(B)/fuzz/fuzz_status: tests/fuzz/fuzz_status.c bin/status.c bin/helper.h $(FUZZ_CORE) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_status.c $(FUZZ_CORE)

$(B)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c bin/inspect.c bin/util.c bin/helper.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_elf.c bin/util.c

fuzz-targets: $(FUZZ_BINS)

# "make test-programs" builds them too, where a clang with libFuzzer is installed.
ifneq ($(FUZZ_CC),)
test-programs: fuzz-targets
endif

# One run of a target: corpus dir first (new inputs go there), then the seeds
# and regression inputs; the exit status is libFuzzer's (non-zero: a crash).
fuzz_run = $(B)/fuzz/fuzz_$(1) -max_len=$(FUZZ_MAX_LEN) -artifact_prefix=$(3)/$(1)- \
	-print_final_stats=1 $(2) $(4) tests/fuzz/corpus/$(1)

# (setarch -R: the comparison tracing feeds compared values, pointers too, into the
# mutations; a kernel that refuses the personality runs it with randomization.)
fuzz-smoke: fuzz-targets
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	norand="setarch $$(uname -m) -R"; $$norand true 2>/dev/null || norand=; \
	for f in $(FUZZ_TARGETS); do \
		mkdir -p "$$t/$$f"; \
		for r in tests/fuzz/regress/$$f-*; do if [ -e "$$r" ]; then cp "$$r" "$$t/$$f/"; fi; done; \
		$$norand $(call fuzz_run,$$f,-seed=$(FUZZ_SEED) -runs=$(FUZZ_SMOKE_RUNS) -reload=0,$$t,$$t/$$f); \
	done

fuzz-regress: fuzz-targets
	@set -e; for f in $(FUZZ_TARGETS); do \
		$(B)/fuzz/fuzz_$$f -runs=0 tests/fuzz/corpus/$$f; \
		for r in tests/fuzz/regress/$$f-*; do \
			if [ -e "$$r" ]; then $(B)/fuzz/fuzz_$$f "$$r"; fi; \
		done; \
	done

fuzz: $(patsubst %,fuzz-%,$(FUZZ_TARGETS))

$(patsubst %,fuzz-%,$(FUZZ_TARGETS)): fuzz-%: $(B)/fuzz/fuzz_%
	@mkdir -p $(B)/fuzz/corpus/$* $(B)/fuzz/crashes
	@echo "fuzz_$*: $(FUZZ_RUNS) runs, log in $(B)/fuzz/$*.log"
	@$(call fuzz_run,$*,-runs=$(FUZZ_RUNS) $(FUZZ_FLAGS),$(B)/fuzz/crashes,$(B)/fuzz/corpus/$*) \
		> $(B)/fuzz/$*.log 2>&1; s=$$?; \
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY)' \
		$(B)/fuzz/$*.log | sed 's/^/fuzz_$*: /'; exit $$s

.PHONY: fuzz fuzz-targets fuzz-smoke fuzz-regress $(patsubst %,fuzz-%,$(FUZZ_TARGETS))
