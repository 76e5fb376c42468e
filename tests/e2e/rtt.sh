#!/usr/bin/env bash
# End-to-end test of `pktwatch rtt` on real connections (issue 4).
#
# Three network namespaces: a client (10.77.N.1) and a server (10.77.N.2) on
# one Ethernet segment that runs through a middle namespace, where
# build/tools/relay holds every frame for half the configured round trip
# (tc netem does the same job where the kernel has it: then the two veth
# ends get `netem delay` instead and the relay is not used). The server is
# `python3 -m http.server`, the client makes COUNT curl requests, and
# tcpdump captures on both ends. Then:
#   - on the client-side capture, `pktwatch rtt` must report every connection
#     established, a median handshake RTT within 2 ms of the configured
#     round trip, and "client" as the capture side;
#   - on the server-side capture, a near-zero first leg (median below 2 ms),
#     the round trip in the client leg (median within 2 ms), and "server".
# Nothing outside the namespaces is ever addressed. Bounded (every step has
# a timeout, the relay exits by itself) and self-cleaning (a trap kills what
# it started, by process id, and deletes the namespaces in every exit path).
#
# usage: tests/e2e/rtt.sh BUILD_DIR       prints PASS/FAIL/SKIP lines
# Needs root, ip(8), tcpdump, curl and python3.
set -u
B=${1:?usage: tests/e2e/rtt.sh BUILD_DIR}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "FAIL rtt-e2e: no build directory $1"; exit 1; }
RTT_MS=${RTT_MS:-40}
COUNT=${COUNT:-20}
TOL_MS=2

skip_all() { echo "SKIP rtt-e2e: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root to create network namespaces"
for t in ip tcpdump curl python3; do
    command -v $t > /dev/null || skip_all "$t not installed"
done
[ -x "$B/pktwatch" ] || skip_all "$B/pktwatch not built"

ID=$$
SHORT=$((ID % 100000))
NSC=pwrtt-$ID-c NSM=pwrtt-$ID-m NSS=pwrtt-$ID-s
VC=prc$SHORT VMA=prma$SHORT VMB=prmb$SHORT VS=prs$SHORT
NET=10.77.$((ID % 200 + 20))
IPC=$NET.1 IPS=$NET.2
PORT=8080
T=$(mktemp -d /tmp/pwrtt.XXXXXX)
PIDS=()
pass=0 fail=0

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null; done
    for ns in "$NSC" "$NSM" "$NSS"; do ip netns del "$ns" 2> /dev/null; done
    if [ -n "${PWRTT_KEEP:-}" ]; then echo "# files kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "PASS rtt-e2e-$1"; pass=$((pass + 1)); }
ko() { echo "FAIL rtt-e2e-$1${2:+: $2}"; fail=$((fail + 1)); }
# (background jobs use `ip netns exec` directly, not this function, so that
# $! is the process itself and the trap can kill it)
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

setup() {
    ip netns add "$NSC" && ip netns add "$NSM" && ip netns add "$NSS" || return 1
    ip link add "$VC" netns "$NSC" type veth peer name "$VMA" netns "$NSM" || return 1
    ip link add "$VMB" netns "$NSM" type veth peer name "$VS" netns "$NSS" || return 1
    for ns in "$NSC" "$NSM" "$NSS"; do
        in_ns "$ns" ip link set lo up
        # no IPv6 chatter (router solicitations, DAD) in the captures
        in_ns "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6' 2> /dev/null
        in_ns "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2> /dev/null
    done
    in_ns "$NSC" ip addr add "$IPC/24" dev "$VC" && in_ns "$NSS" ip addr add "$IPS/24" dev "$VS" ||
        return 1
    in_ns "$NSC" ip link set "$VC" up && in_ns "$NSS" ip link set "$VS" up &&
        in_ns "$NSM" ip link set "$VMA" up && in_ns "$NSM" ip link set "$VMB" up
}

# The delay: netem on the middle namespace's two ends when the kernel has
# it, the relay otherwise (both forward between the two veth pairs).
start_delay() {
    local half_us=$((RTT_MS * 500))
    # netem delays what leaves each end; a bridge joins the two
    if in_ns "$NSM" tc qdisc add dev "$VMA" root netem delay "${half_us}us" 2> /dev/null &&
        in_ns "$NSM" tc qdisc add dev "$VMB" root netem delay "${half_us}us" 2> /dev/null &&
        in_ns "$NSM" ip link add name prbr$SHORT type bridge 2> /dev/null &&
        in_ns "$NSM" ip link set "$VMA" master prbr$SHORT &&
        in_ns "$NSM" ip link set "$VMB" master prbr$SHORT &&
        in_ns "$NSM" ip link set prbr$SHORT up; then
        echo "# delay: tc netem, ${half_us} us each way"
        return 0
    fi
    in_ns "$NSM" tc qdisc del dev "$VMA" root 2> /dev/null
    in_ns "$NSM" tc qdisc del dev "$VMB" root 2> /dev/null
    in_ns "$NSM" ip link del prbr$SHORT 2> /dev/null
    [ -x "$B/tools/relay" ] || return 1
    ip netns exec "$NSM" "$B/tools/relay" -a "$VMA" -b "$VMB" -d "$half_us" -t 120 -r \
        2> "$T/relay.err" &
    PIDS+=($!)
    echo "# delay: build/tools/relay (no netem in this kernel), ${half_us} us each way"
}

wait_for() { # SECONDS COMMAND...: polls until the command succeeds
    local end=$((SECONDS + $1)); shift
    until "$@" > /dev/null 2>&1; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

setup || { ko setup "could not create namespaces and veth pairs"; exit 1; }
start_delay || { ko setup "no delay mechanism (netem or relay)"; exit 1; }

mkdir -p "$T/www" && echo hello > "$T/www/f.txt"
ip netns exec "$NSS" timeout 120 python3 -m http.server --bind "$IPS" --directory "$T/www" "$PORT" \
    > "$T/server.log" 2>&1 &
PIDS+=($!)
# ready when it answers inside its own namespace (over loopback: not captured)
wait_for 15 in_ns "$NSS" curl -s --noproxy '*' --max-time 2 -o /dev/null "http://$IPS:$PORT/f.txt" ||
    { ko server "http.server did not start"; exit 1; }

for side in client server; do
    dev=$VC ns=$NSC
    [ $side = server ] && dev=$VS ns=$NSS
    ip netns exec "$ns" timeout 120 tcpdump -i "$dev" -n -U --immediate-mode -w "$T/$side.pcap" "tcp port $PORT" \
        > /dev/null 2> "$T/tcpdump-$side.err" &
    PIDS+=($!)
done
wait_for 10 sh -c "grep -q listening '$T/tcpdump-client.err' && grep -q listening '$T/tcpdump-server.err'" ||
    { ko tcpdump "tcpdump did not start"; exit 1; }

got=0
for i in $(seq 1 "$COUNT"); do
    in_ns "$NSC" curl -s --noproxy '*' --max-time 5 -o /dev/null "http://$IPS:$PORT/f.txt" &&
        got=$((got + 1))
done
[ "$got" = "$COUNT" ] && ok curl || ko curl "$got of $COUNT requests answered"
# Immediate mode hands each packet to tcpdump as it arrives (without it,
# TPACKET_V3 holds up to a second of packets in a ring block that a SIGTERM
# throws away: CI lost the last 4 connections that way). Then wait until
# both files stop growing, bounded at 5 s.
prev= end=$((SECONDS + 5))
while [ $SECONDS -lt $end ]; do
    sleep 0.3
    cur=$(stat -c %s "$T/client.pcap" "$T/server.pcap" 2> /dev/null | tr '\n' ' ')
    [ "$cur" = "$prev" ] && break
    prev=$cur
done
# stop the captures (the first two started processes after the server)
for p in "${PIDS[@]: -2}"; do kill -TERM "$p" 2> /dev/null; done
for p in "${PIDS[@]: -2}"; do wait "$p" 2> /dev/null; done

check() { # SIDE: reads pktwatch rtt --json, prints verdict lines
    local side=$1
    "$B/pktwatch" rtt --json "$T/$side.pcap" > "$T/$side.json" 2> "$T/$side.rtt.err" ||
        { ko "$side-run" "pktwatch rtt failed: $(head -1 "$T/$side.rtt.err")"; return; }
    python3 - "$T/$side.json" "$side" "$RTT_MS" "$TOL_MS" "$COUNT" << 'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
side, rtt, tol, count = sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
t = doc["total"]
est = t["outcomes"]["established"]
h = t["handshake_rtt"]["median_ms"]
c = t["client_rtt"]["median_ms"]
guess = doc["capture_side"]["side"]
def line(ok, name, what):
    print(("PASS" if ok else "FAIL") + " rtt-e2e-%s-%s%s" % (side, name, "" if ok else ": " + what))
line(est >= count, "established", "%d of %d connections established" % (est, count))
if side == "client":
    line(h is not None and abs(h - rtt) <= tol, "handshake-median",
         "median handshake RTT %s ms, configured %s ms" % (h, rtt))
else:
    line(h is not None and h < tol, "first-leg-near-zero",
         "median SYN->SYN/ACK %s ms, should be near zero" % h)
    line(c is not None and abs(c - rtt) <= tol, "client-leg-median",
         "median client leg %s ms, configured %s ms" % (c, rtt))
line(guess == side, "side", "capture side guessed %s" % guess)
print("# %s: median handshake %s ms, client leg %s ms, iRTT %s ms, side %s" %
      (side, h, c, t["initial_rtt"]["median_ms"], guess))
EOF
}
for side in client server; do
    while IFS= read -r line; do
        echo "$line"
        case "$line" in PASS*) pass=$((pass + 1)) ;; FAIL*) fail=$((fail + 1)) ;; esac
    done < <(check $side)
done
[ -s "$T/relay.err" ] && sed 's/^/# /' "$T/relay.err"
[ "$fail" -eq 0 ]
