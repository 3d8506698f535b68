# e2e_twolinks.bash - two hosts joined by two independent links, for failover tests.
#
# Two network namespaces, a client and a server, joined by two veth pairs on
# separate subnets.  The interface names are the same in both namespaces
# (each namespace has its own), so they can be given to --bind-ifaces:
#
#     client ns $TL_C                          server ns $TL_S
#     link1  10.231.1.1/24  <-- veth pair -->  link1  10.231.1.2/24
#     link2  10.231.2.1/24  <-- veth pair -->  link2  10.231.2.2/24
#
# Usable from bats (load ../helpers/e2e_twolinks) and from plain bash (source).
# Nothing here touches the host's own interfaces or files: everything lives in
# the two namespaces, whose names are unique per run, and tl_down removes them
# (and with them every interface and qdisc; processes started with tl_exec
# are the caller's to end).
# shellcheck disable=SC2034  # the variables set here are for the files that load it

TL_NET1=10.231.1
TL_NET2=10.231.2
TL_C1=$TL_NET1.1 TL_S1=$TL_NET1.2	# client and server on link 1
TL_C2=$TL_NET2.1 TL_S2=$TL_NET2.2	# client and server on link 2

# tl_up [RATE]: build the topology; RATE (e.g. 8mbit) limits each direction of
# each link with netem, with a short queue (TL_QUEUE packets, 100 by default:
# netem's own default of 1000 would hold seconds of data, which keeps flowing
# after a fault).  Sets TL_C and TL_S, the namespace names.
tl_up() {
	local rate=${1-} id i ns
	id=${TL_ID:-$$-$RANDOM}
	TL_C=sctpize-c-$id
	TL_S=sctpize-s-$id
	TL_RATE=$rate
	modprobe veth 2>/dev/null
	[ -z "$rate" ] || modprobe sch_netem 2>/dev/null
	ip netns add "$TL_C" || return 1
	ip netns add "$TL_S" || { ip netns del "$TL_C"; return 1; }
	for ns in "$TL_C" "$TL_S"; do
		ip -n "$ns" link set lo up || return 1
	done
	for i in 1 2; do
		ip link add "link$i" netns "$TL_C" type veth peer name "link$i" netns "$TL_S" || return 1
		ip -n "$TL_C" addr add "10.231.$i.1/24" dev "link$i" || return 1
		ip -n "$TL_S" addr add "10.231.$i.2/24" dev "link$i" || return 1
		for ns in "$TL_C" "$TL_S"; do
			ip -n "$ns" link set "link$i" up || return 1
			[ -z "$rate" ] || tc -n "$ns" qdisc add dev "link$i" root netem rate "$rate" limit "${TL_QUEUE:-100}" || return 1
		done
	done
	return 0
}

# tl_down: remove both namespaces (their veths and qdiscs go with them).
# Processes still inside them keep the namespace alive: end them first.
tl_down() {
	[ -n "${TL_C-}" ] && ip netns del "$TL_C" 2>/dev/null
	[ -n "${TL_S-}" ] && ip netns del "$TL_S" 2>/dev/null
	return 0
}

# tl_exec c|s COMMAND...: run COMMAND in the client or server namespace.
tl_exec() {
	local ns
	case $1 in c) ns=$TL_C ;; s) ns=$TL_S ;; *) echo "tl_exec: c or s" >&2; return 2 ;; esac
	shift
	ip netns exec "$ns" "$@"
}

# tl_fail_down N [c|s|both]: take link N down (default: the server's end; a
# veth peer then loses its carrier, so nothing passes either way, while the
# client keeps its route and its address: the peer's address is simply dead).
tl_fail_down() {
	local n=$1 side=${2:-s}
	case $side in
	c|both) ip -n "$TL_C" link set "link$n" down ;;&
	s|both) ip -n "$TL_S" link set "link$n" down ;;
	esac
}

# tl_fail_loss N: 100% loss on link N, both directions (the link stays up).
tl_fail_loss() {
	local n=$1 ns op
	for ns in "$TL_C" "$TL_S"; do
		op=add
		tc -n "$ns" qdisc show dev "link$n" | grep -q netem && op=change
		tc -n "$ns" qdisc "$op" dev "link$n" root netem ${TL_RATE:+rate "$TL_RATE"} limit "${TL_QUEUE:-100}" loss 100% || return 1
	done
}

# tl_restore N: link N up again, loss removed.
tl_restore() {
	local n=$1 ns
	for ns in "$TL_C" "$TL_S"; do
		ip -n "$ns" link set "link$n" up
		if [ -n "${TL_RATE-}" ]; then
			tc -n "$ns" qdisc change dev "link$n" root netem rate "$TL_RATE" limit "${TL_QUEUE:-100}"
		else
			tc -n "$ns" qdisc del dev "link$n" root 2>/dev/null
		fi
	done
	return 0
}

# tl_bytes c|s N tx|rx: the byte counter of link N at the client or server end.
tl_bytes() {
	local ns
	case $1 in c) ns=$TL_C ;; *) ns=$TL_S ;; esac
	ip -n "$ns" -s -j link show dev "link$2" | jq -r ".[0].stats64.$3.bytes"
}

# tl_counters: "link1_tx link2_tx" of the client's ends in one call (bytes).
tl_counters() {
	ip -n "$TL_C" -s -j link show | jq -r '[.[] | select(.ifname == "link1" or .ifname == "link2")]
		| sort_by(.ifname) | map(.stats64.tx.bytes | tostring) | join(" ")'
}

# tl_assoc_raddrs c|s: the remote addresses of the SCTP associations in that
# namespace, one association a line (/proc/net/sctp/assocs: RADDRS after "<->").
tl_assoc_raddrs() {
	# shellcheck disable=SC2016  # an awk program: its $i are awk's
	tl_exec "$1" awk 'NR > 1 { s = ""; r = 0
		for (i = 1; i <= NF; i++) { if (r && $i ~ /^\*?[0-9]/ && $i ~ /\./) s = s (s ? " " : "") $i; if ($i == "<->") r = 1 }
		print s }' /proc/net/sctp/assocs
}
