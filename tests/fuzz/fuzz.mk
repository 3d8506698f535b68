# tests/fuzz/fuzz.mk - fuzz targets of the parsers (included by the Makefile).
