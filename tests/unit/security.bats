#!/usr/bin/env bats
# Security (the "hardening" issue), on the host:
#   - with AT_SECURE (setgid, setuid, file capabilities) the library takes
#     nothing from the environment: no SCTPIZE_* value, no SCTPIZE_CONFIG
#     or SCTPIZE_RULES, no SCTPIZE_LOG file;
#   - log files: no symbolic link followed, no FIFO that hangs the program,
#     nothing created by the default log, no file created in a directory
#     everyone may write to (/tmp), and there only a regular file of one's
#     own with one link is written;
#   - a loopback bind is never widened without SCTPIZE_BIND_LOOPBACK
#     (end to end, on a real SCTP kernel: tests/e2e/bind.bats, "--bind-all
#     leaves a bind to 127.0.0.1 on loopback" and the --bind-addrs case);
#   - the library executes and loads nothing (no dlopen, exec*, system,
#     popen, posix_spawn among its imports: only dlsym(RTLD_NEXT)).
#
# AT_SECURE: the dynamic loader preloads nothing from a path for a secure
# program, and installing the library in a system directory to get it
# preloaded would touch the machine.  tests/helpers/unit_atsecure.c, made
# setgid (or setuid, or given a file capability) here, dlopen()s the library
# instead: the library's start-up then runs in an AT_SECURE process as after
# a preload from a trusted directory, and the helper reports getauxval(AT_SECURE)
# so that a run where the kernel did not grant it (a nosuid mount,
# no_new_privs) cannot pass for one where it did.

load ../helpers/common
load ../helpers/unit

PY=/usr/bin/python3

setup() {
	unit_setup
	# unit_setup's TCP-like defaults only add noise here; this file sets what it tests.
	unset SCTPIZE_SNDBUF SCTPIZE_RCVBUF SCTPIZE_SACK_DELAY SCTPIZE_CONNECT_TIMEOUT \
		SCTPIZE_HALF_CLOSE
	T=$BATS_TEST_TMPDIR
	SEC=$HELPERS/unit_atsecure
	[ -x "$SEC" ] || fail "$SEC is missing: run 'make test-programs' first"
	[ -x "$PY" ] || fail "python3 is not installed (tests/install-deps)"
}

teardown() {
	# A directory outside $BATS_TEST_TMPDIR (whose parents are private) for the
	# programs that run as nobody.
	[ -z "${PUB-}" ] || rm -rf -- "$PUB"
}

# A copy of the helper that the kernel runs with AT_SECURE, by KIND:
#   setgid  group-owned by another group, mode 2755 (root: nogroup; others: a
#           supplementary group of theirs)
#   setuid  owned by nobody, mode 4755 (root only)
#   caps    a file capability, run as nobody (root only: setcap, setpriv)
# Sets SECURE (the command to run, the library's path appended by the caller)
# and LIBCOPY (a copy of the library that whoever runs it can read).
# Skips (fails in CI) when this machine cannot make one.
secure_program() {
	local kind=$1 g
	cannot() {
		[ "${CI:-}" = true ] && fail "cannot make an AT_SECURE program here: $1"
		skip "cannot make an AT_SECURE program here: $1"
	}
	PUB=$(mktemp -d "${TMPDIR:-/tmp}/sctpize-sec.XXXXXX")
	chmod 755 "$PUB"
	cp "$SEC" "$PUB/prog"
	# The production build: a secure process ignores ASAN_OPTIONS, so the
	# sanitized one (tests/run --sanitized) cannot be loaded there.
	cp "$B/libsctpize.so" "$PUB/libsctpize.so"
	chmod 755 "$PUB/prog" "$PUB/libsctpize.so"
	LIBCOPY=$PUB/libsctpize.so
	case $kind in
	setgid)
		if [ "$(id -u)" = 0 ]; then
			g=65534
		else
			g=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -n1)
			[ -n "$g" ] || cannot "not root and no supplementary group"
		fi
		chgrp "$g" "$PUB/prog" && chmod 2755 "$PUB/prog" || cannot "chgrp/chmod failed"
		SECURE=("$PUB/prog") ;;
	setuid)
		[ "$(id -u)" = 0 ] || cannot "setuid to another user needs root"
		chown 65534 "$PUB/prog" && chmod 4755 "$PUB/prog" || cannot "chown failed"
		SECURE=("$PUB/prog") ;;
	caps)
		[ "$(id -u)" = 0 ] || cannot "setcap needs root"
		command -v setcap >/dev/null && command -v setpriv >/dev/null || cannot "no setcap or setpriv"
		setcap cap_net_raw+ep "$PUB/prog" 2>/dev/null || cannot "setcap failed (no xattrs here?)"
		SECURE=(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$PUB/prog") ;;
	esac
	# The measurement: the kernel must really grant AT_SECURE.
	run --separate-stderr "${SECURE[@]}" "$LIBCOPY"
	[ "${lines[0]-}" = at_secure=1 ] || cannot "$kind copy runs with ${lines[0]-nothing} ($stderr)"
}

# Run the helper with the environment words in ENV (an array) and the library:
# plain (AT_SECURE 0) or secure; output and stderr into OUT_P/ERR_P or OUT_S/ERR_S.
run_plain() {
	run --separate-stderr env "${ENV[@]}" "$SEC" "$LIBCOPY"
	[ "$status" = 0 ] || fail "plain run: exit $status: $stderr"
	[ "${lines[0]}" = at_secure=0 ] || fail "plain run: $output"
	OUT_P=$output ERR_P=$stderr
}
run_secure() {
	run --separate-stderr env "${ENV[@]}" "${SECURE[@]}" "$LIBCOPY"
	[ "$status" = 0 ] || fail "secure run: exit $status: $stderr"
	[ "${lines[0]}" = at_secure=1 ] || fail "secure run: $output"
	OUT_S=$output ERR_S=$stderr
}

# Log lines without their process ids.
nopid() {
	sed -E 's/^sctpize\[[0-9]+\]/sctpize[PID]/' <<<"$1"
}

# What the library does with no setting at all, plain and secure: the baseline.
baselines() {
	ENV=()
	run_plain
	BASE_P=$OUT_P
	run_secure
	BASE_S=$OUT_S BASE_ERR_S=$ERR_S
}

# One row: under AT_SECURE the settings change nothing (same sockets as with no
# setting, no message naming them); without it the same settings do change
# something (so the row can fail), and the plain message names $1 if given.
ignored_when_secure() {
	local named=$1
	run_plain
	[ "$OUT_P" != "$BASE_P" ] || [ -n "$named" ] || [ -n "${PLAIN_CHECKED-}" ] ||
		fail "${ENV[*]}: changes nothing even without AT_SECURE: the row tests nothing"
	[ -z "$named" ] || [[ $ERR_P == *"$named"* ]] || fail "${ENV[*]}: plain: no $named in: $ERR_P"
	run_secure
	[ "$OUT_S" = "$BASE_S" ] || fail "${ENV[*]}: AT_SECURE: the setting was used:
$OUT_S
(with no setting:
$BASE_S)"
	[[ $ERR_S != *SCTPIZE_* ]] || fail "${ENV[*]}: AT_SECURE: a message about the settings: $ERR_S"
	[ "$(nopid "$ERR_S")" = "$(nopid "$BASE_ERR_S")" ] ||
		fail "${ENV[*]}: AT_SECURE: stderr differs from the run with no setting: $ERR_S"
}

secure_table() {
	local conf=$T/sctpize.conf
	printf 'default tcp\n' > "$conf"
	baselines
	# A bad value that would otherwise refuse every TCP socket (EINVAL), and name itself.
	ENV=(SCTPIZE_NODELAY=x); ignored_when_secure "SCTPIZE_NODELAY: 'x'"
	ENV=(SCTPIZE_FROBNICATE=1); ignored_when_secure "SCTPIZE_FROBNICATE: unknown setting"
	ENV=("SCTPIZE_RULES=nonsense rule"); ignored_when_secure "SCTPIZE_RULES rule 1"
	# Values that would otherwise give the program TCP.
	ENV=(SCTPIZE_FALLBACK=1); ignored_when_secure ""
	ENV=(SCTPIZE_RULES=tcp); ignored_when_secure ""
	ENV=(SCTPIZE_DEFAULT=tcp); ignored_when_secure ""
	# Rules from a file the environment names, or a file that does not exist.
	ENV=("SCTPIZE_CONFIG=$conf"); ignored_when_secure ""
	ENV=("SCTPIZE_CONFIG=$T/no-such-file"); ignored_when_secure "SCTPIZE_CONFIG: cannot open"
	ENV=("SCTPIZE_CONFIG=/etc/passwd"); ignored_when_secure ""
	# Logging where the environment says: no file is written.
	ENV=(SCTPIZE_VERBOSE=2 "SCTPIZE_LOG=$T/secure.log")
	run_plain
	grep -q 'passed through' "$T/secure.log" || fail "plain: nothing logged to the file"
	rm -f "$T/secure.log"
	ENV=(SCTPIZE_VERBOSE=2 "SCTPIZE_LOG=$T/secure.log"); PLAIN_CHECKED=1 ignored_when_secure ""
	rm -f "$T/secure.log"
	run_secure
	[ ! -e "$T/secure.log" ] || fail "AT_SECURE: SCTPIZE_LOG was written: $(cat "$T/secure.log")"
	ENV=(SCTPIZE_VERBOSE=2 SCTPIZE_STATS=1)
	run_secure
	[[ $ERR_S != *"passed through"* && $ERR_S != *stats* && $ERR_S != *converted* ]] ||
		fail "AT_SECURE: SCTPIZE_VERBOSE/STATS used: $ERR_S"
}

@test "AT_SECURE (setgid): every SCTPIZE_* setting, SCTPIZE_CONFIG, SCTPIZE_RULES and SCTPIZE_LOG ignored" {
	secure_program setgid
	secure_table
}

@test "AT_SECURE (setuid to another user): a bad value and SCTPIZE_FALLBACK ignored" {
	secure_program setuid
	baselines
	ENV=(SCTPIZE_NODELAY=x); ignored_when_secure "SCTPIZE_NODELAY: 'x'"
	ENV=(SCTPIZE_FALLBACK=1 SCTPIZE_DEFAULT=tcp); ignored_when_secure ""
}

@test "AT_SECURE (file capability, run as nobody): a bad value and SCTPIZE_RULES ignored" {
	secure_program caps
	baselines
	ENV=(SCTPIZE_NODELAY=x); ignored_when_secure "SCTPIZE_NODELAY: 'x'"
	ENV=(SCTPIZE_RULES=tcp); ignored_when_secure ""
}

# --- log files ---

# A converted socket with SCTPIZE_VERBOSE=1 and SCTPIZE_LOG=$1 (SCTP faked), under $2 seconds
# (60: a hang guard generous enough for a loaded machine).
log_to() {
	SCTPIZE_VERBOSE=1 SCTPIZE_LOG=$1 run --separate-stderr timeout "${2:-60}" \
		env LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
}

@test "SCTPIZE_LOG naming a symbolic link: nothing is written through it, nothing created at its target" {
	echo precious > "$T/target"
	ln -s "$T/target" "$T/link"
	ln -s "$T/absent" "$T/dangling"
	log_to "$T/link"
	assert_success
	assert_output --partial "ok proto=132"
	[ "$(cat "$T/target")" = precious ] || fail "written through the link: $(cat "$T/target")"
	[ -L "$T/link" ] || fail "the link was replaced"
	log_to "$T/dangling"
	assert_success
	[ ! -e "$T/absent" ] || fail "the dangling link's target was created"
	# The control: a plain file name is written.
	log_to "$T/plain.log"
	grep -q "converted to SCTP" "$T/plain.log" || fail "nothing logged to a plain file"
}

@test "SCTPIZE_LOG naming a FIFO nobody reads: the program does not hang, the line is lost" {
	mkfifo "$T/fifo"
	# (A blocking open of a FIFO nobody reads never returns: 30 s tells it from a slow machine.)
	log_to "$T/fifo" 30
	[ "$status" != 124 ] || fail "the program hung opening the FIFO (O_NONBLOCK missing)"
	assert_success
	assert_output --partial "ok proto=132"
}

@test "the default log (stderr, or syslog when fd 2 is closed or a socket) never creates a file" {
	local d=$T/cwd
	mkdir "$d"
	(cd "$d" && HOME=$d TMPDIR=$d SCTPIZE_VERBOSE=2 LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 \
		"$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 AF_UNIX SOCK_STREAM 0 > "$T/out" 2> "$T/err")
	grep -q "converted to SCTP" "$T/err" || fail "stderr: $(cat "$T/err")"
	(cd "$d" && HOME=$d TMPDIR=$d SCTPIZE_VERBOSE=2 LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 \
		"$HELPERS/unit_socket" AF_INET SOCK_STREAM 0 > "$T/out2" 2>&-)
	grep -q "ok proto=132" "$T/out2" || fail "$(cat "$T/out2")"
	run ls -A "$d"
	assert_output ""
}

# A directory everyone may write to, as /tmp is (sticky) and some are not.
shared_dir() {
	mkdir "$T/$1"
	chmod "$2" "$T/$1"
}

@test "no log file is created in a world-writable directory: one message naming SCTPIZE_LOG, nothing started" {
	local mode d
	for mode in 1777 0777; do
		d=$T/ww$mode
		mkdir "$d" && chmod "$mode" "$d"
		# The library alone: nothing created, and the setting refused like any bad value.
		log_to "$d/new.log"
		[ ! -e "$d/new.log" ] || fail "mode $mode: the library created $d/new.log"
		assert_output "fail EINVAL"
		[[ $stderr == *"SCTPIZE_LOG: '$d/new.log': its directory is writable by everyone"* ]] ||
			fail "mode $mode: library: $stderr"
		[ "${#stderr_lines[@]}" = 1 ] || fail "mode $mode: more than one line: $stderr"
		# The wrapper: exit 2, one message, the program not started.
		rm -f "$T/started"
		run --separate-stderr faked "$SCTPIZE" --log "$d/new.log" touch "$T/started"
		assert_equal "$status" 2
		[[ $stderr == "sctpize: SCTPIZE_LOG: '$d/new.log': its directory is writable by everyone"* ]] ||
			fail "mode $mode: wrapper: $stderr"
		[ "${#stderr_lines[@]}" = 1 ] || fail "mode $mode: wrapper: more than one line: $stderr"
		[ ! -e "$T/started" ] || fail "mode $mode: the program was started"
		[ ! -e "$d/new.log" ] || fail "mode $mode: the wrapper created $d/new.log"
	done
	# The control: a private directory gets a new file, mode 0600.
	log_to "$T/private.log"
	assert_success
	[ "$(stat -c %a "$T/private.log")" = 600 ] || fail "mode $(stat -c %a "$T/private.log")"
}

@test "in a world-writable directory an existing log file is used only if it is the user's own, regular, one link" {
	shared_dir ww 1777
	local d=$T/ww
	# Our own regular file: used.
	: > "$d/own.log"
	chmod 600 "$d/own.log"
	log_to "$d/own.log"
	assert_success
	grep -q "converted to SCTP" "$d/own.log" || fail "our own file in a shared directory is not used"
	# Another user's file, a second link to a file of ours, a directory: refused up front.
	: > "$d/theirs.log"
	chown 65534 "$d/theirs.log" 2>/dev/null || skip "cannot chown (not root)"
	: > "$T/elsewhere"
	ln "$T/elsewhere" "$d/hardlink.log"
	mkdir "$d/dir.log"
	local f
	for f in theirs.log hardlink.log dir.log; do
		log_to "$d/$f"
		assert_output "fail EINVAL"
		[[ $stderr == *"SCTPIZE_LOG: '$d/$f': its directory is writable by everyone, and it is not a regular file"* ]] ||
			fail "$f: $stderr"
	done
	[ ! -s "$d/theirs.log" ] && [ ! -s "$T/elsewhere" ] || fail "a refused file was written"
}

@test "a log file in a world-writable directory that stops being the user's after start is no longer written" {
	shared_dir ww 1777
	local f=$T/ww/own.log
	: > "$f"
	SCTPIZE_VERBOSE=1 SCTPIZE_LOG=$f LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 RECORDER_LOG=/dev/null \
		run --separate-stderr "$PY" -c '
import os, socket, sys
f = sys.argv[1]
socket.socket().close()                 # logged: the file is ours
os.chown(f, 65534, -1)                  # now another user owns it
socket.socket(socket.AF_INET6).close()  # must not be logged
print("done")' "$f"
	assert_success
	assert_output done
	grep -q "(AF_INET," "$f" || fail "the first line is missing: $(cat "$f")"
	! grep -q "(AF_INET6," "$f" || fail "written after the file became another user's: $(cat "$f")"
}

# --- binds ---

# Python binds 127.0.0.1 and ::1 (port 0) and listens, under the shim with SCTP
# faked; prints the bound addresses; $LOG has the calls that reached libc.
loopback_binds() {
	: > "$LOG"
	run env "$@" LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 "$PY" -c '
import socket
for fam, a in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((a, 0)); s.listen(1)
    print(s.getsockname()[0])
    s.close()'
}

@test "a loopback bind is not widened by --bind-all, --bind-addrs or --bind-ifaces without --bind-loopback" {
	# End to end on a real SCTP kernel: tests/e2e/bind.bats (loopback cases).
	local e
	for e in SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_ADDRS=127.0.0.2,::1 SCTPIZE_BIND_IFACES=lo; do
		loopback_binds "$e"
		assert_success
		assert_output $'127.0.0.1\n::1'
		# sctp_bindx() is setsockopt(IPPROTO_SCTP, SCTP_SOCKOPT_BINDX_ADD = 100).
		! grep -q "^setsockopt [0-9]* $IPPROTO_SCTP 100 " "$LOG" ||
			fail "$e: addresses added to a loopback bind: $(grep ' 100 ' "$LOG")"
	done
	# The controls: with the explicit option the same settings do widen.
	loopback_binds SCTPIZE_BIND_ALL=1 SCTPIZE_BIND_LOOPBACK=1
	assert_output $'0.0.0.0\n::'
	loopback_binds SCTPIZE_BIND_ADDRS=127.0.0.2 SCTPIZE_BIND_LOOPBACK=1
	grep -q "^setsockopt [0-9]* $IPPROTO_SCTP 100 " "$LOG" || fail "no sctp_bindx with --bind-loopback"
}

# --- nothing executed or loaded ---

@test "the library imports nothing that executes or loads code: only dlsym(RTLD_NEXT)" {
	command -v nm >/dev/null || fail "nm (binutils) is not installed"
	# (The production build: a sanitized one imports its runtime's calls.)
	run nm -D --undefined-only "$B/libsctpize.so"
	assert_success
	local imports=$output bad
	[[ $imports == *dlsym* ]] || fail "no dlsym import: is this the library? $imports"
	bad=$(awk '{ print $NF }' <<<"$imports" | sed 's/@.*//' | grep -xE \
		'dlopen|dlmopen|_dl_open|__libc_dlopen_mode|dlvsym|exec[lv]p?e?|execvpe|fexecve|system|popen|posix_spawnp?|fork|vfork|_Fork|clone3?|__clone' || true)
	[ -z "$bad" ] || fail "the library imports: $bad"
	# No search path of its own that the environment could steer, and only these dependencies.
	run readelf -d "$B/libsctpize.so"
	assert_success
	refute_output --partial RPATH
	refute_output --partial RUNPATH
	local needed
	needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$output" | sort | tr '\n' ' ')
	[ "$needed" = "libc.so.6 libsctp.so.1 " ] ||
		[[ $(uname -m) != x86_64 ]] || fail "dependencies: $needed"
	# dlsym() only with RTLD_NEXT, and no raw execve/execveat system call.
	run grep -rn --include='*.c' 'dlsym(' "$TOP"/shim
	assert_success
	! grep -v 'RTLD_NEXT' <<<"$output" || fail "dlsym without RTLD_NEXT"
	! grep -rnE --include='*.c' 'SYS_(execve|execveat|fork|vfork|clone)|dlopen' "$TOP"/shim ||
		fail "a raw exec/fork/dlopen in shim/"
}
