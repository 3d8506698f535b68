#!/usr/bin/env bats
# A program that sandboxes itself (seccomp), as OpenSSH's privilege-separated
# child does, is never made to call what it did not call (shim/preload/process.c):
# tests/helpers/e2e_sandbox.c sets up SCTP sockets, installs a filter that
# allows exactly the system calls of one socket call (any other kills it with
# SIGSYS), then makes that call.  Every call the library wraps, with the
# filter installed through prctl() and through seccomp(2) (libseccomp's way),
# without and with half-close; the same program without the library is the
# control.

load ../helpers/common

SANDBOX=$HELPERS/e2e_sandbox
CALLS="read readv recv recvfrom recvmsg recvmsg-control recvmmsg write write-large send
	writev sendmsg shutdown-wr shutdown-rdwr close setsockopt-nodelay getsockopt-info
	getsockopt-error getpeername ioctl-outq dup2 close-range accept connect sendfile
	read-after-peer-shutdown"

setup() {
	require_sctp
	export SCTPIZE_CONFIG=/dev/null
	[ -x "$SANDBOX" ] || fail "$SANDBOX is missing: run 'make test-programs' first"
}

# every HOW [ENV=VALUE...]: each call under sctpize, sandboxed with HOW; the
# calls the sandbox killed are listed (none, or the test fails).
every() {
	local how=$1 call st killed=
	shift
	for call in $CALLS; do
		st=0
		timeout 20 env "$@" "$SCTPIZE" "$SANDBOX" "$how" "$call" 2>/dev/null || st=$?
		# 124: timeout (a blocked call is the program's own business, not a kill).
		[ "$st" = 0 ] || [ "$st" = 124 ] || killed+=" $call($st)"
	done
	[ -z "$killed" ] || fail "killed by the sandbox: $killed"
}

@test "the control: without the library every call passes its own sandbox" {
	local call st killed=
	for call in $CALLS; do
		st=0
		timeout 20 "$SANDBOX" prctl "$call" 2>/dev/null || st=$?
		[ "$st" = 0 ] || [ "$st" = 124 ] || killed+=" $call($st)"
	done
	[ -z "$killed" ] || fail "killed without the library: $killed"
	# The filter really kills a call it does not allow (SIGSYS: 128 + 31); (a hang
	# guard of two minutes: a loaded machine's slowness must not read as 124).
	run timeout 120 "$SANDBOX" prctl forbidden
	assert_equal "$status" 159
	run timeout 120 "$SCTPIZE" "$SANDBOX" seccomp forbidden
	assert_equal "$status" 159
	# The sockets really are SCTP under the library.
	run timeout 120 "$SCTPIZE" python3 -c 'import socket; print(socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'
	assert_output 132
}

@test "sandboxed with prctl(PR_SET_SECCOMP): every wrapped call makes only the program's own system call" {
	every prctl
}

@test "sandboxed with seccomp(2) through syscall(): every wrapped call makes only the program's own system call" {
	every seccomp
}

@test "sandboxed with half-close negotiated: still only the program's own system calls" {
	every prctl SCTPIZE_HALF_CLOSE=1
	every seccomp SCTPIZE_HALF_CLOSE=1 SCTPIZE_NODELAY=1 SCTPIZE_VERBOSE=1
}
