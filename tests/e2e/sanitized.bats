#!/usr/bin/env bats
# The library built with UBSan (build/ubsan, "make sanitize") on the real
# kernel, through its main paths: conversion, accept, half-close, options,
# split writes, the protocol change, a dual listener and a fallback.  Every
# report goes to a file; there must be none.  (ASan cannot run in User-Mode
# Linux; tests/unit/sanitize.bats runs the ASan build on the host, and
# "make check-sanitized" the whole suite against both builds.)

load ../helpers/common

setup() {
	require_sctp
	U=$B/ubsan
	[ -x "$U/sctpize" ] || fail "run 'make test-programs' first"
	nm -D "$U/libsctpize.so" | grep -q __ubsan_handle || fail "$U/libsctpize.so is not instrumented"
	export UBSAN_OPTIONS=print_stacktrace=1:log_path=$BATS_TEST_TMPDIR/ubsan
	export SCTPIZE_CONFIG=/dev/null
}

no_reports() {
	local f
	for f in "$BATS_TEST_TMPDIR"/ubsan*; do
		[ -e "$f" ] || continue
		fail "UBSan report: $(cat "$f")"
	done
}

@test "UBSan: a converted server and client, options, half-close and a 4 MiB write" {
	run env SCTPIZE_HALF_CLOSE=1 "$U/sctpize" --stats -vv --log "$BATS_TEST_TMPDIR/log" python3 -c '
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname())
a, _ = s.accept()
for o in range(0, 40):
    try: c.setsockopt(socket.IPPROTO_TCP, o, 1); c.getsockopt(socket.IPPROTO_TCP, o)
    except OSError: pass
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
data = bytes(range(256)) * 16384
got = bytearray()
def drain():
    while True:
        b = a.recv(1 << 20)
        if not b: break
        got.extend(b)
t = threading.Thread(target=drain); t.start()
c.sendall(data); c.shutdown(socket.SHUT_WR); t.join()
print(got == data, c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'
	assert_success
	assert_line "True 132"
	no_reports
}

@test "UBSan: protocol change, dual listener with TCP and SCTP clients, fallback to a TCP server" {
	local port tport
	port=$(free_port)
	tport=$(free_port)
	bg python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $tport)); s.listen()
while True:
    c, _ = s.accept(); c.sendall(b'tcp-only'); c.close()"
	bg "$U/sctpize" --both --ports "$port" python3 -c "
import selectors, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(); s.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)
while True:
    sel.select()
    try: c, _ = s.accept()
    except BlockingIOError: continue
    c.sendall(b'%d' % c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)); c.close()"
	wait_for listening_sctp "$port"
	wait_for listening_tcp "$tport"
	run python3 -c "
import socket
for proto in (0, 132):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto); c.connect(('127.0.0.1', $port))
    print(c.recv(10).decode())"
	assert_output "6
132"
	run "$U/sctpize" --both python3 -c "
import socket
c = socket.create_connection(('127.0.0.1', $tport)); print(c.recv(20).decode())
c = socket.create_connection(('127.0.0.1', $port)); print(c.recv(20).decode())"
	assert_output "tcp-only
132"
	no_reports
}
