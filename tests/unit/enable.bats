#!/usr/bin/env bats
# sctpize enable / disable: a systemd drop-in that runs a service under
# sctpize, written into a temporary root (--root), never the host's /etc.
# Host-only: no SCTP and no running systemd needed.

load ../helpers/common

setup() {
	ROOT=$BATS_TEST_TMPDIR/root
	VENDOR=$ROOT/usr/lib/systemd/system
	DROPIN=$ROOT/etc/systemd/system/xinetd.service.d/sctpize.conf
	mkdir -p "$VENDOR/xinetd.service.d" "$ROOT/etc/systemd/system" "$ROOT/usr/sbin"
	cp "$(type -P true)" "$ROOT/usr/sbin/xinetd"
	cat > "$VENDOR/xinetd.service" <<-'UNIT'
	[Unit]
	Description=eXtended InterNET services daemon
	After=network.target

	[Service]
	Type=forking
	Environment="LD_PRELOAD=/usr/lib/libold.so /usr/lib/libtwo.so" LANG=C
	Environment=OPTIONS='-stayalive -pidfile /run/xinetd.pid'
	ExecStart=/usr/sbin/xinetd $OPTIONS
	PIDFile=/run/xinetd.pid

	[Install]
	WantedBy=multi-user.target
	UNIT
	printf '[Service]\nEnvironment=VENDOR=yes\n' > "$VENDOR/xinetd.service.d/vendor.conf"
	# What enable must leave untouched.
	find "$ROOT" -type f -exec sha256sum {} + | sort > "$BATS_TEST_TMPDIR/before"
}

# The unit with its drop-ins, merged as systemd reads them.  systemd 252's
# "systemctl --root cat" is refused ("cannot be used with --root"), so fall
# back to "systemd-analyze --root cat-config", which reads the same files.
merged() {
	systemctl --root="$ROOT" cat xinetd.service 2>/dev/null ||
		systemd-analyze --root="$ROOT" cat-config systemd/system/xinetd.service
}

# The value of VAR in effect after every [Service] Environment= line of the
# merged unit, the last one winning; quotes as systemd undoes them (enough
# for the values these tests write).
effective() {
	merged | awk -v var="$1" '
		/^\[/ { sec = $0 }
		sec == "[Service]" && /^Environment=/ {
			line = substr($0, 13)
			while (match(line, /"[^"]*"|[^ ]+/)) {
				w = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
				gsub(/^"|"$/, "", w)
				if (index(w, var "=") == 1) v = substr(w, length(var) + 2)
			}
		}
		END { print v }'
}

@test "enable writes the drop-in: the marker, [Service], the library before the old preloads" {
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --nodelay
	assert_success
	assert_output --partial "wrote $DROPIN"
	[ -f "$DROPIN" ] || fail "no $DROPIN"
	run head -n 1 "$DROPIN"
	assert_output "# Written by sctpize(1) enable."
	run grep -c "sctpize disable xinetd" "$DROPIN"
	assert_output 1
	run grep -v '^#' "$DROPIN"
	assert_output "[Service]
Environment=\"LD_PRELOAD=$LIB /usr/lib/libold.so /usr/lib/libtwo.so\"
Environment=\"SCTPIZE_NODELAY=1\""
	# Everything that was there is unchanged.
	run bash -c "find '$ROOT' -type f ! -path '$DROPIN' -exec sha256sum {} + | sort"
	assert_output "$(cat "$BATS_TEST_TMPDIR/before")"
}

@test "the merged unit has the drop-in, and the effective environment keeps every old setting" {
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay 2>/dev/null
	run merged
	assert_success
	assert_line "# $DROPIN"
	assert_line "# $VENDOR/xinetd.service.d/vendor.conf"
	assert_line "Environment=VENDOR=yes"
	run effective LD_PRELOAD
	assert_output "$LIB /usr/lib/libold.so /usr/lib/libtwo.so"
	run effective LANG
	assert_output C
	run effective VENDOR
	assert_output yes
	run effective SCTPIZE_NODELAY
	assert_output 1
}

@test "systemd-analyze verify accepts the unit with the drop-in" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay --failover fast --log syslog 2>/dev/null
	# "verify --root" wants a whole system (sysinit.target...) in the root;
	# SYSTEMD_UNIT_PATH points an offline verify at the root's unit files.
	# verify exits 0 even on syntax warnings, so its output must be empty.
	run env SYSTEMD_UNIT_PATH="$ROOT/etc/systemd/system:$VENDOR:" \
		systemd-analyze verify xinetd.service
	assert_success
	assert_output ""
	# The check has teeth: a broken drop-in is reported.
	printf '[Service]\nEnvironment="BROKEN\nNoSuchKey=1\n' > "$VENDOR/xinetd.service.d/zz.conf"
	run env SYSTEMD_UNIT_PATH="$ROOT/etc/systemd/system:$VENDOR:" \
		systemd-analyze verify xinetd.service
	assert_output --partial zz.conf
}

@test "options become the right variables, the same as the wrapper's" {
	run --separate-stderr "$SCTPIZE" enable --root="$ROOT" xinetd.service -v --bind-all \
		--log=syslog --peer-addrs 10.0.0.1,10.0.0.2 --no-peer-resolved --failover fast \
		--hb-interval 500 --rto-min=50 --rto-max 900 --rto-initial 200 --path-max-retrans 2 \
		--max-retrans=7 --streams 3 --bind-loopback
	assert_success
	run grep '^Environment="SCTPIZE_' "$DROPIN"
	assert_output 'Environment="SCTPIZE_BIND_ALL=1"
Environment="SCTPIZE_BIND_LOOPBACK=1"
Environment="SCTPIZE_FAILOVER=fast"
Environment="SCTPIZE_HB_INTERVAL=500"
Environment="SCTPIZE_LOG=syslog"
Environment="SCTPIZE_MAX_RETRANS=7"
Environment="SCTPIZE_PATH_MAX_RETRANS=2"
Environment="SCTPIZE_PEER_ADDRS=10.0.0.1,10.0.0.2"
Environment="SCTPIZE_PEER_RESOLVED=0"
Environment="SCTPIZE_RTO_INITIAL=200"
Environment="SCTPIZE_RTO_MAX=900"
Environment="SCTPIZE_RTO_MIN=50"
Environment="SCTPIZE_STREAMS=3"
Environment="SCTPIZE_VERBOSE=1"'
	# Half-close: --half-close and --no-half-close, as the wrapper maps them.
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --half-close
	assert_success
	run grep '^Environment="SCTPIZE_' "$DROPIN"
	assert_output 'Environment="SCTPIZE_HALF_CLOSE=1"'
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --no-half-close --nodelay
	assert_success
	run grep '^Environment="SCTPIZE_' "$DROPIN"
	assert_output 'Environment="SCTPIZE_HALF_CLOSE=0"
Environment="SCTPIZE_NODELAY=1"'
	# The caller's own SCTPIZE_* settings do not leak into the drop-in.
	SCTPIZE_STREAMS=9 SCTPIZE_FOO=1 run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --bind-ifaces lo,eth0
	assert_success
	run grep '^Environment="SCTPIZE_' "$DROPIN"
	assert_output 'Environment="SCTPIZE_BIND_IFACES=lo,eth0"'
	# A % is doubled, or systemd would read it as a specifier.
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --log /var/log/a%b
	assert_success
	run grep SCTPIZE_LOG "$DROPIN"
	assert_output 'Environment="SCTPIZE_LOG=/var/log/a%%b"'
}

@test "bad options or values exit 2 and write nothing" {
	local bad
	for bad in "--rto-min 0" "--failover slow" "--bind-all --bind-addrs 10.0.0.1" \
		"--log relative" "--frobnicate" "--streams" "extra-word" "--nodelay prog"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd $bad
		[ "$status" = 2 ] || fail "$bad: exit $status, expected 2 ($stderr)"
		[ ! -e "$ROOT/etc/systemd/system/xinetd.service.d" ] || fail "$bad: something was written"
	done
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --rto-min 0
	[[ $stderr == *SCTPIZE_RTO_MIN* ]] || fail "stderr: $stderr"
	for bad in "" "../etc/passwd" "xinetd.socket" "a/b"; do
		run --separate-stderr "$SCTPIZE" enable --root "$ROOT" "$bad" --nodelay
		[ "$status" = 2 ] || fail "unit '$bad': exit $status, expected 2 ($stderr)"
	done
	# The unit is judged first, before the arguments after it (as the old script did).
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd.socket --help
	assert_equal "$status" 2
	assert_equal "$stderr" "sctpize: xinetd.socket: only a service has an environment to run under sctpize"
	run --separate-stderr "$SCTPIZE" disable "$ROOT" xinetd
	assert_equal "$status" 2
	assert_equal "$stderr" "sctpize: '$ROOT' is not a unit name"
	run bash -c "find '$ROOT' -type f -exec sha256sum {} + | sort"
	assert_output "$(cat "$BATS_TEST_TMPDIR/before")"
}

@test "enable twice, or over a manual preload of the library, never duplicates" {
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay 2>/dev/null
	cp "$DROPIN" "$BATS_TEST_TMPDIR/first"
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay 2>/dev/null
	run cmp "$BATS_TEST_TMPDIR/first" "$DROPIN"
	assert_success
	# New options replace the old ones.
	"$SCTPIZE" enable --root "$ROOT" xinetd --streams 4 2>/dev/null
	run grep -c SCTPIZE_ "$DROPIN"
	assert_output 1
	run effective LD_PRELOAD
	assert_output "$LIB /usr/lib/libold.so /usr/lib/libtwo.so"
	# The unit already preloads the library (by hand, colon-separated): once only.
	sed -i "s|^Environment=\"LD_PRELOAD=.*|Environment=LD_PRELOAD=/usr/lib/libold.so:$LIB|" \
		"$VENDOR/xinetd.service"
	"$SCTPIZE" enable --root "$ROOT" xinetd 2>/dev/null
	run effective LD_PRELOAD
	assert_output "$LIB /usr/lib/libold.so"
}

@test "a preload set or reset by another drop-in is the one kept" {
	printf '[Service]\nEnvironment=\nEnvironment="LD_PRELOAD=/opt/x/libx.so" K=v\n' \
		> "$VENDOR/xinetd.service.d/10-reset.conf"
	"$SCTPIZE" enable --root "$ROOT" xinetd 2>/dev/null
	run effective LD_PRELOAD
	assert_output "$LIB /opt/x/libx.so"
	printf '[Service]\nEnvironment=\n' > "$VENDOR/xinetd.service.d/10-reset.conf"
	"$SCTPIZE" enable --root "$ROOT" xinetd 2>/dev/null
	run effective LD_PRELOAD
	assert_output "$LIB"
}

@test "a unit without any preload gets the library alone" {
	sed -i '/LD_PRELOAD/d' "$VENDOR/xinetd.service"
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd
	assert_success
	run grep LD_PRELOAD "$DROPIN"
	assert_output "Environment=\"LD_PRELOAD=$LIB\""
}

@test "disable removes exactly what enable added" {
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay 2>/dev/null
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" xinetd
	assert_success
	assert_output --partial "removed $DROPIN"
	[ ! -e "$ROOT/etc/systemd/system/xinetd.service.d" ] || fail "the empty UNIT.d is left"
	run bash -c "find '$ROOT' -type f -exec sha256sum {} + | sort"
	assert_output "$(cat "$BATS_TEST_TMPDIR/before")"
	run find "$ROOT/etc" -mindepth 2
	assert_output "$ROOT/etc/systemd/system"
	# Again: nothing to do, still success.
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" xinetd.service
	assert_success
	assert_output --partial "nothing to do"
}

@test "disable keeps the other drop-ins of the directory" {
	"$SCTPIZE" enable --root "$ROOT" xinetd --nodelay 2>/dev/null
	printf '[Service]\nNice=5\n' > "$ROOT/etc/systemd/system/xinetd.service.d/local.conf"
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" xinetd
	assert_success
	run ls "$ROOT/etc/systemd/system/xinetd.service.d"
	assert_output local.conf
}

@test "a sctpize.conf that sctpize did not write: enable and disable refuse, exit 1" {
	mkdir -p "$ROOT/etc/systemd/system/xinetd.service.d"
	printf '[Service]\nEnvironment=MINE=1\n' > "$DROPIN"
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" xinetd
	assert_equal "$status" 1
	[[ $stderr == *"not written by sctpize"* ]] || fail "stderr: $stderr"
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" xinetd --nodelay
	assert_equal "$status" 1
	run cat "$DROPIN"
	assert_output "[Service]
Environment=MINE=1"
}

@test "an unknown unit exits 1 naming it, and writes nothing" {
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" nosuchd --nodelay
	assert_equal "$status" 1
	[[ $stderr == *nosuchd.service* ]] || fail "stderr: $stderr"
	[ ! -e "$ROOT/etc/systemd/system/nosuchd.service.d" ] || fail "something was written"
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" nosuchd
	assert_equal "$status" 1
	[[ $stderr == *nosuchd.service* ]] || fail "stderr: $stderr"
}

@test "an instance of a template unit is found through its template" {
	cp "$VENDOR/xinetd.service" "$VENDOR/getty@.service"
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT" getty@tty1 --nodelay
	assert_success
	[ -f "$ROOT/etc/systemd/system/getty@tty1.service.d/sctpize.conf" ] || fail "no drop-in"
}

@test "usage errors: no unit, --root elsewhere, a missing root" {
	run --separate-stderr "$SCTPIZE" enable
	assert_equal "$status" 2
	run --separate-stderr "$SCTPIZE" disable --root "$ROOT" xinetd --nodelay
	assert_equal "$status" 2
	run --separate-stderr "$SCTPIZE" --root "$ROOT" true
	assert_equal "$status" 2
	run --separate-stderr "$SCTPIZE" enable --root "$ROOT/nope" xinetd
	assert_equal "$status" 1
}
