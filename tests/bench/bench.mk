# tests/bench/bench.mk - "make bench" (included by the Makefile).
