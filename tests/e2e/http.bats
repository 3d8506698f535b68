#!/usr/bin/env bats
# HTTP over SCTP with two unmodified programs: Python's http.server serves a
# 4 MiB random file to curl, both wrapped.  An unwrapped curl speaks TCP and
# finds nobody.

load ../helpers/common

SIZE=4194304

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	mkdir "$T/www"
	head -c "$SIZE" /dev/urandom > "$T/www/blob.bin"
	port=$(free_port)
	bg "$SCTPIZE" python3 -m http.server "$port" --bind 127.0.0.1 --directory "$T/www"
	wait_for listening_sctp "$port" || fail "http.server did not listen on SCTP port $port"
}

@test "http: wrapped curl downloads 4 MiB from wrapped python3 -m http.server, bytes intact" {
	local before
	run listening_tcp "$port"
	assert_failure
	before=$(awk '$1 == "SctpActiveEstabs" { print $2 }' /proc/net/sctp/snmp)
	run timeout 120 "$SCTPIZE" curl -sS -o "$T/got.bin" \
		-w '%{http_code} %{size_download}\n' "http://127.0.0.1:$port/blob.bin"
	assert_success
	assert_output "200 $SIZE"
	run sha256sum < "$T/got.bin"
	assert_output "$(sha256sum < "$T/www/blob.bin")"
	# curl's connection was one SCTP association.
	[ "$(awk '$1 == "SctpActiveEstabs" { print $2 }' /proc/net/sctp/snmp)" -eq $((before + 1)) ]
}

@test "http: a directory listing and a 404 come back over SCTP too" {
	run timeout 120 "$SCTPIZE" curl -sS "http://127.0.0.1:$port/"
	assert_success
	assert_output --partial 'href="blob.bin"'
	run timeout 120 "$SCTPIZE" curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/missing"
	assert_output 404
}

@test "http: an unwrapped curl cannot connect: the server is not on TCP" {
	run timeout 30 curl -sS -o /dev/null "http://127.0.0.1:$port/blob.bin"
	# curl's exit status 7: failed to connect to host.
	assert_equal "$status" 7
	assert_output --partial "Couldn't connect to server"
}
