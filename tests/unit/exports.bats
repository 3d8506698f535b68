#!/usr/bin/env bats
# The library's face to the program: exactly the wrapped calls, no libbsd, no stdout.

load ../helpers/common
load ../helpers/unit

setup() {
	unit_setup
}

@test "the library exports exactly the wrapped calls (shim/libsctpize.map)" {
	run bash -c "nm -D --defined-only '$LIB' | awk '{ print \$NF }' | sed 's/@.*//' | sort"
	assert_success
	assert_output "__read_chk
__recv_chk
__recvfrom_chk
accept
accept4
bind
close
close_range
connect
dup
dup2
dup3
epoll_ctl
fcntl
fcntl64
getaddrinfo
getpeername
getsockname
getsockopt
ioctl
listen
prctl
read
readv
recv
recvfrom
recvmmsg
recvmsg
send
sendfile
sendfile64
sendmsg
sendto
setsockopt
shutdown
socket
syscall
write
writev"
}

@test "the library does not depend on libbsd, directly or through another library" {
	run readelf -d "$LIB"
	assert_success
	refute_output --partial libbsd
	run ldd "$LIB"
	assert_success
	refute_output --partial libbsd
}

@test "the library has no way to write to stdout (no stdout, printf, puts)" {
	run bash -c "nm -D --undefined-only '$LIB' | awk '{ print \$NF }' | sed 's/@.*//'"
	assert_success
	refute_line --regexp '^(stdout|_IO_2_1_stdout_|printf|puts|putchar|vprintf|fputs|fwrite|fprintf|perror)$'
}

@test "nothing on stdout from the library, at SCTPIZE_VERBOSE=2, or with a refused environment" {
	run --separate-stderr env LD_PRELOAD="$LIB $REC" RECORDER_FAKE_SCTP=1 SCTPIZE_VERBOSE=2 \
		"$HELPERS/unit_sockopt" shim set IPPROTO_TCP TCP_NODELAY 1 set IPPROTO_TCP TCP_MD5SIG 1 \
		set IPPROTO_TCP TCP_CORK 1 listen accept
	assert_success
	assert_output "ok errno=kept
fail ENOPROTOOPT
ok errno=kept
ok
ok cloexec=1"
	[[ $stderr == *converted* ]] || fail "stderr has no decisions: $stderr"
	run --separate-stderr env LD_PRELOAD="$LIB" SCTPIZE_VERBOSE=7 "$HELPERS/unit_socket" AF_INET SOCK_STREAM 0
	assert_success
	assert_output "fail EINVAL"
	[[ $stderr == *SCTPIZE_VERBOSE* ]] || fail "no message: $stderr"
}

@test "a program with the library preloaded but no socket call prints only its own output" {
	run --separate-stderr env LD_PRELOAD="$LIB" SCTPIZE_VERBOSE=2 echo hello
	assert_success
	assert_output hello
	assert_equal "$stderr" ""
}
