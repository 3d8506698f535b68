#!/usr/bin/env bats
# The shortest proof: a wrapped Python server and client talk over SCTP.

load ../helpers/common

setup() {
	require_sctp
}

@test "a wrapped TCP server and a wrapped TCP client talk over SCTP" {
	port=$(free_port)
	bg "$SCTPIZE" python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen()
c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()"
	wait_for listening_sctp "$port"
	run listening_tcp "$port"
	assert_failure
	run "$SCTPIZE" python3 -c "
import socket
c = socket.create_connection(('127.0.0.1', $port))
assert c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL) == 132
c.sendall(b'hello'); print(c.recv(100).decode())"
	assert_success
	assert_output HELLO
}
