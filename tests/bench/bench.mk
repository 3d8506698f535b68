# tests/bench/bench.mk - "make bench" (included by the Makefile): figures side
# by side for sctpize, native SCTP, plain TCP and withsctp, on a kernel with
# SCTP (the host's, or User-Mode Linux through tests/run --exec).  Not a test.

$(B)/bench/bench: tests/bench/bench.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

bench: all $(B)/bench/bench
	tests/run --exec tests/bench/run

.PHONY: bench
