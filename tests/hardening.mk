# tests/hardening.mk - ThreadSanitizer build and the stress program (included by the Makefile).
#
#   build/tsan/libsctpize.so   the library with ThreadSanitizer, for tests/unit/tsan.bats
#                              (TSan cannot run in User-Mode Linux: it runs on the host,
#                              with SCTP faked by the recorder)
#   build/tests/hard_ctor.so   a library whose constructor makes the process's first
#                              intercepted calls, before the library's own constructor
#                              (HARD_CTOR=single, or race:N threads at once)
#   build/tests/hard_stress    the stress server and client (tests/e2e/stress.bats,
#                              tests/unit/tsan.bats): one program from the files of
#                              tests/helpers/hard_stress/, one per role
#   build/tests/hard_ctor      the program hard_ctor.so is preloaded into: the generic
#                              rule for tests/helpers/*.c
#
# "make hardening-programs" builds what tsan.bats and stress.bats need; "make
# test-programs" (and so "make check") does too.  The tests never call make:
# in User-Mode Linux they must not write to the host's tree.

TSAN = -fsanitize=thread -fno-omit-frame-pointer
$(B)/tsan/libsctpize.so: $(SHIM_SRCS) $(SHIM_HDRS) shim/libsctpize.map
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIM_CFLAGS) $(TSAN) $(LDFLAGS) -shared \
		-Wl,--version-script=shim/libsctpize.map -o $@ $(SHIM_SRCS) $(SHIM_LDLIBS)

$(B)/tests/hard_ctor.so: tests/helpers/hard_ctor.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DHARD_CTOR_LIB -fPIC -shared -o $@ $< -ldl -lpthread

STRESS_SRCS = $(wildcard tests/helpers/hard_stress/*.c)
$(B)/tests/hard_stress: $(STRESS_SRCS) tests/helpers/hard_stress/stress.h tests/helpers/helper.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(STRESS_SRCS) -lpthread

hardening-programs: all $(B)/tests/hard_stress $(B)/tests/hard_ctor $(B)/tests/hard_ctor.so \
	$(B)/tests/unit_recorder.so $(B)/tsan/libsctpize.so

test-programs: hardening-programs

.PHONY: hardening-programs
