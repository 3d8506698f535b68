# tests/hardening.mk - ThreadSanitizer build and the stress program (included by the Makefile).
