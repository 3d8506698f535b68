#!/usr/bin/env bats
# OpenSSH's sshd under sctpize, with its privilege-separation sandbox: the
# pre-authentication child of each connection runs under a seccomp filter
# (Debian's sshd is built with the seccomp_filter sandbox) that kills the
# process (SIGSYS) at any system call it does not allow.  The library must
# never make that child call something sshd itself did not call: its read()
# must stay a read(), never become a recvmsg().  Clients: scp and rsync over
# ssh, both under sctpize; a file of 1 MB must arrive intact.
#
# The default-mode tests run the same programs without sctpize first (the TCP
# control: the setup itself works here), then under sctpize; every test
# checks that the wrapped transfer went over SCTP (sshd listens on SCTP only,
# the kernel counted the associations) and through the sandbox (sshd's
# LogLevel DEBUG3 says, for each connection, that the pre-auth child attached
# its seccomp filter program).
#
# sshd forks a child per connection that starts a session of its own
# (setsid): teardown kills every descendant of each sshd it started, by pid.

load ../helpers/common

setup() {
	require_sctp
	T=$BATS_TEST_TMPDIR
	# sshd's privilege-separation directory: made if missing, removed after.
	if [ ! -d /run/sshd ]; then
		mkdir -m 755 /run/sshd || fail "cannot make /run/sshd"
		touch "$T/made-run-sshd"
	fi
	ssh-keygen -q -t ed25519 -N '' -C host -f "$T/hostkey" || fail "ssh-keygen (host key)"
	ssh-keygen -q -t ed25519 -N '' -C client -f "$T/id" || fail "ssh-keygen (client key)"
	cp "$T/id.pub" "$T/authorized_keys"
	head -c 1000000 /dev/urandom > "$T/data"
	# The kernel's log so far: story() shows what is new (seccomp kills).
	DMESG_LINES=$(dmesg 2>/dev/null | wc -l)
	# (rsync -e takes them as one string: $T has no spaces)
	SSH_OPTS=(-F /dev/null -i "$T/id" -o IdentitiesOnly=yes -o BatchMode=yes
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
		-o LogLevel=ERROR -o ConnectTimeout=60)
}

# Every descendant of PID (children first found, then theirs), one a line.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

teardown() {
	local f pid kids
	for f in "$T"/*/sshd.pid; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kids=$(descendants "$pid")
		# shellcheck disable=SC2086
		[ -z "$kids" ] || kill -KILL $kids 2>/dev/null
	done
	teardown_bg
	[ ! -e "$T/made-run-sshd" ] || rmdir /run/sshd 2>/dev/null || true
}

# Poll up to SECONDS for CHECK ARGS... (sshd starts slowly on a loaded kernel).
within() {
	local s=$1 i
	shift
	for i in $(seq $((s * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# A counter of the kernel's SCTP MIB (/proc/net/sctp/snmp).
sctp_mib() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/net/sctp/snmp
}

sha() {
	sha256sum < "$1" | cut -d' ' -f1
}

# start_sshd NAME tcp|sctp [VAR=VALUE...]: an sshd of its own in $T/NAME
# (configuration, log, pid file), listening on 127.0.0.1:$port, in the
# environment VAR=VALUE...; under sctpize for "sctp".
start_sshd() {
	local name=$1 how=$2 d=$T/$1
	shift 2
	mkdir -p "$d"
	port=$(free_port) || fail "no free port"
	cat > "$d/sshd_config" <<-EOF
		Port $port
		ListenAddress 127.0.0.1
		HostKey $T/hostkey
		AuthorizedKeysFile $T/authorized_keys
		PidFile $d/sshd.pid
		UsePAM no
		StrictModes no
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UseDNS no
		LogLevel DEBUG3
		Subsystem sftp internal-sftp
	EOF
	/usr/sbin/sshd -t -f "$d/sshd_config" || fail "sshd -t refuses the configuration"
	if [ "$how" = sctp ]; then
		bg env "$@" "$SCTPIZE" /usr/sbin/sshd -D -e -f "$d/sshd_config" > "$d/log" 2>&1 < /dev/null
		within 60 listening_sctp "$port" || fail "sshd does not listen on SCTP: $(cat "$d/log")"
		! listening_tcp "$port" || fail "sshd under sctpize listens on TCP"
	else
		bg env "$@" /usr/sbin/sshd -D -e -f "$d/sshd_config" > "$d/log" 2>&1 < /dev/null
		within 60 listening_tcp "$port" || fail "sshd does not listen on TCP: $(cat "$d/log")"
	fi
	within 30 test -s "$d/sshd.pid" || fail "sshd wrote no pid file"
	eval "PORT_${name^^}=$port"
}

# The pre-auth children of sshd NAME that attached their seccomp filter.
sandboxed() {
	grep -c 'ssh_sandbox_child: attaching seccomp filter program' "$T/$1/log"
}

# The log of sshd NAME and the client's output, for a failure message.
story() {
	printf 'client:\n%s\nsshd (last 25 lines):\n' "$output"
	tail -n 25 "$T/$1/log"
	# The kernel logs a process that seccomp killed (audit type 1326: the
	# signal, 31 = SIGSYS, and the number of the system call refused).
	dmesg 2>/dev/null | tail -n +$((DMESG_LINES + 1)) | grep -E 'type=1326' | tail -n 3
}

# check_sctp_transfer NAME ACTIVE PASSIVE: the SCTP counters grew since they
# were ACTIVE and PASSIVE, and sshd NAME sandboxed the connection.
check_sctp_transfer() {
	[ "$(sctp_mib SctpActiveEstabs)" -gt "$2" ] ||
		fail "no SCTP association was opened ($2 -> $(sctp_mib SctpActiveEstabs))"
	[ "$(sctp_mib SctpPassiveEstabs)" -gt "$3" ] ||
		fail "sshd accepted no SCTP association ($3 -> $(sctp_mib SctpPassiveEstabs))"
	[ "$(sandboxed "$1")" -ge 1 ] || fail "no pre-auth child attached a seccomp filter: $(story "$1")"
}

# scp_test [VAR=VALUE...]: scp into a plain sshd, then into a wrapped one;
# VAR=VALUE... is the environment of both wrapped ends.
scp_test() {
	local act pas
	[ $# -gt 0 ] || scp_control
	start_sshd sctp sctp "$@"
	act=$(sctp_mib SctpActiveEstabs)
	pas=$(sctp_mib SctpPassiveEstabs)
	run timeout 120 env "$@" "$SCTPIZE" scp "${SSH_OPTS[@]}" -P "$PORT_SCTP" "$T/data" "root@127.0.0.1:$T/sctp/got"
	[ "$status" -eq 0 ] || fail "scp over SCTP failed ($status): $(story sctp)"
	[ -f "$T/sctp/got" ] || fail "nothing arrived: $(story sctp)"
	[ "$(sha "$T/sctp/got")" = "$(sha "$T/data")" ] || fail "the file arrived changed over SCTP"
	check_sctp_transfer sctp "$act" "$pas"
}

# The same scp into a plain sshd: the setup itself works here.
scp_control() {
	start_sshd tcp tcp
	run timeout 120 scp "${SSH_OPTS[@]}" -P "$PORT_TCP" "$T/data" "root@127.0.0.1:$T/tcp/got"
	[ "$status" -eq 0 ] || fail "the TCP control failed ($status): $(story tcp)"
	[ "$(sha "$T/tcp/got")" = "$(sha "$T/data")" ] || fail "the TCP control changed the file"
	[ "$(sandboxed tcp)" -ge 1 ] || fail "sshd has no seccomp sandbox here: $(story tcp)"
}

# rsync_test [VAR=VALUE...]: rsync -e ssh, from a plain sshd (control), then
# from a wrapped one (the file travels from the server to the client).
rsync_test() {
	local act pas
	mkdir -p "$T/src" "$T/got-tcp" "$T/got-sctp"
	cp "$T/data" "$T/src/one"
	seq 1 20000 > "$T/src/two"
	if [ $# -eq 0 ]; then
		start_sshd tcp tcp
		run timeout 120 rsync -a -e "ssh ${SSH_OPTS[*]} -p $PORT_TCP" "root@127.0.0.1:$T/src/" "$T/got-tcp/"
		[ "$status" -eq 0 ] || fail "the TCP control failed ($status): $(story tcp)"
		diff -r "$T/src" "$T/got-tcp" || fail "the TCP control changed the tree"
		[ "$(sandboxed tcp)" -ge 1 ] || fail "sshd has no seccomp sandbox here: $(story tcp)"
	fi

	start_sshd sctp sctp "$@"
	act=$(sctp_mib SctpActiveEstabs)
	pas=$(sctp_mib SctpPassiveEstabs)
	run timeout 120 env "$@" rsync -a -e "$SCTPIZE ssh ${SSH_OPTS[*]} -p $PORT_SCTP" \
		"root@127.0.0.1:$T/src/" "$T/got-sctp/"
	[ "$status" -eq 0 ] || fail "rsync over SCTP failed ($status): $(story sctp)"
	diff -r "$T/src" "$T/got-sctp" || fail "the tree arrived changed over SCTP"
	check_sctp_transfer sctp "$act" "$pas"
}

@test "sshd (seccomp sandbox) under sctpize takes 1 MB by scp over SCTP; TCP control" {
	scp_test
}

@test "sshd (seccomp sandbox) under sctpize serves 1 MB to rsync -e 'sctpize ssh' over SCTP; TCP control" {
	rsync_test
}

@test "sshd and scp, both with SCTPIZE_HALF_CLOSE=1: 1 MB through the sandbox" {
	scp_test SCTPIZE_HALF_CLOSE=1
}

@test "sshd and rsync -e ssh, both with SCTPIZE_HALF_CLOSE=1: 1 MB through the sandbox" {
	rsync_test SCTPIZE_HALF_CLOSE=1
}
