#!/usr/bin/env bats
# make install / uninstall with PREFIX and DESTDIR: the files land where the
# Makefile says, the installed wrapper finds its installed library, and
# uninstall removes exactly what install wrote.

load ../helpers/common

setup() {
	DEST=$BATS_TEST_TMPDIR/dest
}

@test "make install puts the wrapper, library, helper, pages and completion under DESTDIR/PREFIX" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/sz
	assert_success
	run find "$DEST" -type f
	assert_line "$DEST/opt/sz/bin/sctpize"
	assert_line "$DEST/opt/sz/lib/sctpize/libsctpize.so"
	assert_line "$DEST/opt/sz/lib/sctpize/sctpize-helper"
	assert_line "$DEST/opt/sz/share/man/man1/sctpize.1"
	assert_line "$DEST/opt/sz/share/man/man7/libsctpize.7"
	assert_line "$DEST/opt/sz/share/man/man5/sctpize.conf.5"
	assert_line "$DEST/opt/sz/share/bash-completion/completions/sctpize"
	assert_equal "${#lines[@]}" 7
	# The installed wrapper names the installed library directory, not the build tree.
	run grep -c "='/opt/sz/lib/sctpize'" "$DEST/opt/sz/bin/sctpize"
	refute_output 0
	run grep -c "@LIBDIR@" "$DEST/opt/sz/bin/sctpize"
	assert_output 0
	run grep -c "$TOP/build" "$DEST/opt/sz/bin/sctpize"
	assert_output 0
}

@test "the installed wrapper runs from its installed library directory" {
	make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/sz
	# Point the installed wrapper at DESTDIR, as a package would be unpacked there.
	sed -i "s|^LIBDIR=.*|LIBDIR='$DEST/opt/sz/lib/sctpize'|" "$DEST/opt/sz/bin/sctpize"
	run "$DEST/opt/sz/bin/sctpize" --version
	assert_success
	assert_output --regexp '^sctpize [0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr "$DEST/opt/sz/bin/sctpize" --nodelay=x true
	assert_equal "$status" 2
	run --separate-stderr env SCTPIZE_NODELAY=x "$DEST/opt/sz/bin/sctpize" true
	assert_equal "$status" 2
	[[ $stderr == *SCTPIZE_NODELAY* ]] || fail "the installed helper did not validate: $stderr"
}

@test "the installed manuals name the installed paths (PREFIX=/usr), not the default ones" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/usr
	assert_success
	local man=$DEST/usr/share/man
	run grep -rn /usr/local "$man"
	assert_output ""
	run grep -c '/usr/lib/sctpize/libsctpize\.so' "$man/man1/sctpize.1" "$man/man7/libsctpize.7"
	assert_line --regexp '/man1/sctpize\.1:[1-9]'
	assert_line --regexp '/man7/libsctpize\.7:[1-9]'
	run grep -c '/usr/lib/sctpize/sctpize-helper' "$man/man1/sctpize.1"
	refute_output 0
	run grep -c '/usr/share/bash-completion/completions/sctpize' "$man/man1/sctpize.1"
	refute_output 0
	# Only the paths changed: the rest is the source, line for line.
	for p in man1/sctpize.1 man5/sctpize.conf.5 man7/libsctpize.7; do
		run diff <(sed 's|/usr/local/lib/sctpize|/usr/lib/sctpize|g; s|/usr/local/share/bash-completion/completions|/usr/share/bash-completion/completions|g' \
			"$TOP/man/${p#*/}") "$man/$p"
		assert_success
	done
	# LIBDIR on its own, as a distribution might set it.
	rm -rf "$DEST"
	make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/usr LIBDIR=/usr/libexec/sctpize
	run grep -c '/usr/libexec/sctpize/libsctpize\.so' "$DEST/usr/share/man/man7/libsctpize.7"
	refute_output 0
	run grep -c "LIBDIR='/usr/libexec/sctpize'" "$DEST/usr/bin/sctpize"
	assert_output 1
	# The installed pages are as clean as the source ones.
	run mandoc -Tlint -W warning "$DEST"/usr/share/man/man*/*
	assert_success
	assert_output ""
}

@test "make uninstall removes what install wrote, and the private directory" {
	make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/sz
	run make -s -C "$TOP" uninstall DESTDIR="$DEST" PREFIX=/opt/sz
	assert_success
	run find "$DEST" -type f
	assert_output ""
	[ ! -d "$DEST/opt/sz/lib/sctpize" ] || fail "the private library directory is left"
}
