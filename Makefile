# sctpize - run unmodified TCP programs over SCTP.
#
#   make                 build/libsctpize.so, build/sctpize-helper, build/sctpize,
#                        build/sctpize.bash-completion
#   make check           the test suite (tests/run: host kernel or User-Mode Linux)
#   make check-sanitized the same suite against the ASan/UBSan builds of the library
#   make demo            the seeds' scenario: xinetd and telnet over SCTP
#   make demo-failover   a transfer that survives the loss of one of two links
#   make install         PREFIX, DESTDIR, BINDIR, LIBDIR, MANDIR, COMPLETIONDIR as usual
#   make uninstall clean lint

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib/sctpize
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

CC ?= cc
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror
SHIM_CFLAGS = -fPIC -fvisibility=hidden
SHIM_LDLIBS = -lsctp -ldl -lpthread

B = build
# The decision core (shim/core: one header) and the preload backend (shim/preload,
# its migration wing in shim/preload/migrate).
CORE_SRCS = $(wildcard shim/core/*.c)
CORE_HDRS = shim/core/core.h
PRELOAD_SRCS = $(wildcard shim/preload/*.c shim/preload/migrate/*.c)
PRELOAD_HDRS = shim/preload/preload.h shim/preload/migrate/migrate.h $(CORE_HDRS)
SHIM_SRCS = $(CORE_SRCS) $(PRELOAD_SRCS)
SHIM_HDRS = $(PRELOAD_HDRS)
CORE_OBJS = $(patsubst shim/%.c,$(B)/shim/%.o,$(CORE_SRCS))
PRELOAD_OBJS = $(patsubst shim/%.c,$(B)/shim/%.o,$(PRELOAD_SRCS))
CORE_LIB = $(B)/libsctpize-core.a
TEST_HELPERS = $(patsubst tests/helpers/%.c,$(B)/tests/%,$(filter-out tests/helpers/unit_recorder.c,$(wildcard tests/helpers/*.c)))

all: $(B)/libsctpize.so $(B)/sctpize-helper $(B)/sctpize $(B)/sctpize.bash-completion

$(B)/shim/core/%.o: shim/core/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIM_CFLAGS) -c -o $@ $<

$(B)/shim/preload/%.o: shim/preload/%.c $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIM_CFLAGS) -c -o $@ $<

# The core, built once (-fPIC), linked into the library, the helper and the unit tests.
$(CORE_LIB): $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $(CORE_OBJS)

$(B)/libsctpize.so: $(PRELOAD_OBJS) $(CORE_LIB) shim/libsctpize.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,--version-script=shim/libsctpize.map \
		-o $@ $(PRELOAD_OBJS) $(CORE_LIB) $(SHIM_LDLIBS)

# The helper is sctpize(1) but for its shell mode (bin/helper.h lists its
# parts); it links the core's parser, so the wrapper refuses what the library
# would.
HELPER_SRCS = $(wildcard bin/*.c)
$(B)/sctpize-helper: $(HELPER_SRCS) bin/helper.h $(CORE_HDRS) $(CORE_LIB) Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DVERSION='"$(VERSION)"' $(LDFLAGS) -o $@ $(HELPER_SRCS) $(CORE_LIB)

# The in-tree wrapper points at build/; "make install" writes one that points at LIBDIR.
$(B)/sctpize: bin/sctpize.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@LIBDIR@|$(abspath $(B))|g' $< > $@
	chmod 755 $@

# The bash completion: its logic, with the option table's lists that the
# helper prints in place of its "# @OPTION_TABLE@" line.
$(B)/sctpize.bash-completion: bin/sctpize.bash-completion $(B)/sctpize-helper
	$(B)/sctpize-helper completion > $@.table
	sed -e '/^# @OPTION_TABLE@$$/{r $@.table' -e 'd;}' $< > $@
	rm -f $@.table

$(B)/tests/%: tests/helpers/%.c $(wildcard tests/helpers/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lsctp -lpthread

# The core's unit test program links the core alone: no SCTP, no interception.
$(B)/tests/unit_core: tests/helpers/unit_core.c $(CORE_LIB) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_LIB)

$(B)/tests/unit_recorder.so: tests/helpers/unit_recorder.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

# The library again with AddressSanitizer and UBSan, for tests/unit/sanitize.bats.
# (ASan cannot run inside User-Mode Linux: its shadow memory does not fit.)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
$(B)/asan/libsctpize.so: $(SHIM_SRCS) $(SHIM_HDRS) shim/libsctpize.map
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIM_CFLAGS) $(SAN) $(LDFLAGS) -shared \
		-Wl,--version-script=shim/libsctpize.map -o $@ $(SHIM_SRCS) $(SHIM_LDLIBS)

# ...and with UBSan alone, which runs in User-Mode Linux too (ASan does not fit there).
UBSAN = -fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
$(B)/ubsan/libsctpize.so: $(SHIM_SRCS) $(SHIM_HDRS) shim/libsctpize.map
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIM_CFLAGS) $(UBSAN) $(LDFLAGS) -shared \
		-Wl,--version-script=shim/libsctpize.map -o $@ $(SHIM_SRCS) $(SHIM_LDLIBS)

# Each sanitized library with a wrapper of its own: the whole suite runs against
# one with "make check-sanitized" (tests/run --sanitized, TEST_BUILD).
SAN_DIRS = $(B)/asan $(B)/ubsan
$(addsuffix /sctpize,$(SAN_DIRS)): bin/sctpize.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@LIBDIR@|$(abspath $(@D))|g' $< > $@
	chmod 755 $@
$(addsuffix /sctpize-helper,$(SAN_DIRS)): $(B)/sctpize-helper
	@mkdir -p $(@D)
	ln -sf ../sctpize-helper $@

sanitize: $(foreach d,$(SAN_DIRS),$(d)/libsctpize.so $(d)/sctpize $(d)/sctpize-helper)

test-programs: all $(TEST_HELPERS) $(B)/tests/unit_recorder.so sanitize

# Benchmarks, fuzz targets and the hardening builds keep their rules beside their sources.
include tests/bench/bench.mk tests/fuzz/fuzz.mk tests/hardening.mk

check: test-programs
	tests/run

# The whole suite against the sanitized libraries: ASan + UBSan on the host, UBSan in UML.
check-sanitized: test-programs
	tests/run --sanitized

# The demos run on a kernel with SCTP: the host's, or User-Mode Linux (tests/run --exec).
demo: all
	tests/run --exec tests/demo

demo-failover: all
	tests/run --exec tests/demo-failover

# The manuals (mandoc's warnings) and every shell script (shellcheck, each as
# the shell of its #! line or directive); "make check" runs this too
# (tests/unit/lint.bats), and any finding fails.  Run from the top directory:
# -x follows the sourced helpers from there.
MANPAGES = man/sctpize.1 man/sctpize.conf.5 man/libsctpize.7
SHELL_SCRIPTS = bin/sctpize.in bin/sctpize.bash-completion tests/install-deps tests/demo \
	tests/demo-failover .ci/run tests/run $(wildcard tests/helpers/*.bash)
lint:
	mandoc -Tlint -W warning $(MANPAGES)
	shellcheck -x $(SHELL_SCRIPTS)

# The manuals name the default paths; installed, they name these.
MAN_PATHS = -e 's|/usr/local/lib/sctpize|$(LIBDIR)|g' \
	-e 's|/usr/local/share/bash-completion/completions|$(COMPLETIONDIR)|g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(COMPLETIONDIR)
	install -m 644 $(B)/libsctpize.so $(DESTDIR)$(LIBDIR)/libsctpize.so
	install -m 755 $(B)/sctpize-helper $(DESTDIR)$(LIBDIR)/sctpize-helper
	sed -e 's|@LIBDIR@|$(LIBDIR)|g' bin/sctpize.in \
		> $(DESTDIR)$(BINDIR)/sctpize
	chmod 755 $(DESTDIR)$(BINDIR)/sctpize
	sed $(MAN_PATHS) man/sctpize.1 > $(DESTDIR)$(MANDIR)/man1/sctpize.1
	sed $(MAN_PATHS) man/sctpize.conf.5 > $(DESTDIR)$(MANDIR)/man5/sctpize.conf.5
	sed $(MAN_PATHS) man/libsctpize.7 > $(DESTDIR)$(MANDIR)/man7/libsctpize.7
	chmod 644 $(DESTDIR)$(MANDIR)/man1/sctpize.1 $(DESTDIR)$(MANDIR)/man5/sctpize.conf.5 \
		$(DESTDIR)$(MANDIR)/man7/libsctpize.7
	install -m 644 $(B)/sctpize.bash-completion $(DESTDIR)$(COMPLETIONDIR)/sctpize

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sctpize $(DESTDIR)$(LIBDIR)/libsctpize.so \
		$(DESTDIR)$(LIBDIR)/sctpize-helper \
		$(DESTDIR)$(MANDIR)/man1/sctpize.1 $(DESTDIR)$(MANDIR)/man5/sctpize.conf.5 \
		$(DESTDIR)$(MANDIR)/man7/libsctpize.7 \
		$(DESTDIR)$(COMPLETIONDIR)/sctpize
	-rmdir $(DESTDIR)$(LIBDIR)

clean:
	rm -rf $(B)

.PHONY: all check check-sanitized demo demo-failover lint install uninstall clean test-programs sanitize
