#!/usr/bin/env bash
# End-to-end test of `pktwatch alerts` on real BitTorrent traffic (issue 6).
#
# Two network namespaces joined by a veth pair (10.88.N.1 <-> 10.88.N.2, no
# route anywhere else). In the first: a tiny HTTP tracker (python3, a few
# lines answering every announce with the seeder's compact address) and an
# aria2c seeder of a 4 MiB file; in the second: an aria2c leecher. DHT, LPD
# and peer exchange are off, so the only traffic is tracker announces and
# the peer wire between the two namespaces. tcpdump records the veth; then
# `pktwatch alerts --json` must report BitTorrent between the two addresses,
# and `--fail-on high` must exit 4. Everything is bounded by timeouts and
# removed on exit.
#
# usage: tests/e2e/bittorrent.sh BUILD_DIR     prints PASS/FAIL/SKIP lines
# SKIP (not PASS) when not root, or when aria2c, tcpdump, ip or python3
# are missing and cannot be installed with apt-get.
set -u
B=${1:?usage: tests/e2e/bittorrent.sh BUILD_DIR}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "FAIL bittorrent-e2e: no build directory $1"; exit 1; }
T_NAME=bittorrent-e2e

skip_all() { echo "SKIP $T_NAME: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root to create network namespaces"
[ -x "$B/pktwatch" ] || skip_all "$B/pktwatch not built"

need() { # need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing
    command -v "$1" >/dev/null && return 0
    if command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
            "$2" >/dev/null 2>&1
    fi
    command -v "$1" >/dev/null || skip_all "$1 is not installed and 'apt-get install $2' failed"
}
need ip iproute2
need tcpdump tcpdump
need python3 python3
need aria2c aria2
command -v jq >/dev/null || need jq jq

ID=$$
N=$((ID % 200 + 20))
NSA=pwbt-$ID-a NSB=pwbt-$ID-b
VA=pwbt$((ID % 100000))a VB=pwbt$((ID % 100000))b
IPA=10.88.$N.1 IPB=10.88.$N.2
T=$(mktemp -d /tmp/pwbt.XXXXXX)
chmod 755 "$T"
pass=0 fail=0

cleanup() {
    for ns in $NSA $NSB; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    ip link del "$VA" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "PASS $T_NAME: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $T_NAME: $1${2:+ -- $2}"; fail=$((fail + 1)); }
inA() { ip netns exec "$NSA" "$@"; }
inB() { ip netns exec "$NSB" "$@"; }

# ---- namespaces -----------------------------------------------------------------------
ip netns add "$NSA" && ip netns add "$NSB" || skip_all "cannot create network namespaces"
ip link add "$VA" type veth peer name "$VB" || skip_all "cannot create a veth pair"
ip link set "$VA" netns "$NSA" && ip link set "$VB" netns "$NSB"
# IPv4 only: no IPv6 link-local chatter (MLD, router solicitations) on the link
inA sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
inB sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
inA ip addr add "$IPA/24" dev "$VA"; inB ip addr add "$IPB/24" dev "$VB"
inA ip link set lo up; inB ip link set lo up
inA ip link set "$VA" up; inB ip link set "$VB" up

# ---- the file, its torrent, the tracker ----------------------------------------------
mkdir -p "$T/seed" "$T/leech"
head -c $((4 * 1024 * 1024)) /dev/urandom > "$T/seed/payload.bin"
python3 - "$T/seed/payload.bin" "http://$IPA:6969/announce" "$T/test.torrent" <<'EOF' || skip_all "cannot create the torrent"
# A single-file torrent (BEP 3): bencoded {announce, info{length, name,
# piece length, pieces}}.
import hashlib, os, sys
path, announce, out = sys.argv[1:4]
plen = 256 * 1024
pieces = b""
with open(path, "rb") as f:
    while True:
        chunk = f.read(plen)
        if not chunk:
            break
        pieces += hashlib.sha1(chunk).digest()
def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, dict):
        return b"d" + b"".join(benc(k) + benc(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(v)
info = {"length": os.path.getsize(path), "name": os.path.basename(path),
        "piece length": plen, "pieces": pieces}
with open(out, "wb") as f:
    f.write(benc({"announce": announce, "info": info}))
EOF
cat > "$T/tracker.py" <<'EOF'
# A tracker that knows one peer: every announce gets the seeder's compact
# address (BEP 23), whoever asks.
import http.server, socket, struct, sys
seeder_ip, seeder_port, listen_ip = sys.argv[1], int(sys.argv[2]), sys.argv[3]
peer = socket.inet_aton(seeder_ip) + struct.pack(">H", seeder_port)
body = b"d8:intervali30e5:peers6:" + peer + b"e"
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer((listen_ip, 6969), H).serve_forever()
EOF

inA timeout 120 tcpdump -i "$VA" -U --immediate-mode -s 0 -w "$T/bt.pcap" not arp > "$T/tcpdump.log" 2>&1 &
for _ in $(seq 50); do grep -q "listening on" "$T/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
inA timeout 120 python3 "$T/tracker.py" "$IPA" 6881 "$IPA" > "$T/tracker.log" 2>&1 &
listening() { inA ss -ltn 2>/dev/null | grep -q ":$1 "; }

ARIA=(--enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false
      --bt-min-crypto-level=plain --bt-require-crypto=false --bt-force-encryption=false
      --summary-interval=0 --console-log-level=warn --file-allocation=none
      --bt-tracker-connect-timeout=5 --bt-tracker-timeout=5 --disable-ipv6=true)
inA timeout 90 aria2c "${ARIA[@]}" --dir="$T/seed" --listen-port=6881 --check-integrity=true \
    --bt-seed-unverified=false --seed-ratio=0.0 --seed-time=1 "$T/test.torrent" \
    > "$T/seeder.log" 2>&1 &
# the leecher starts once the tracker and the seeder (after its hash check) listen
for _ in $(seq 150); do listening 6969 && listening 6881 && break; sleep 0.2; done
listening 6881 || ko "the seeder does not listen on $IPA:6881" "$(tail -c 300 "$T/seeder.log")"
if inB timeout 60 aria2c "${ARIA[@]}" --dir="$T/leech" --listen-port=6882 --seed-time=0 \
    "$T/test.torrent" > "$T/leecher.log" 2>&1 &&
    cmp -s "$T/seed/payload.bin" "$T/leech/payload.bin"; then
    ok "aria2c moved a 4 MiB file from $IPA to $IPB over BitTorrent"
else
    ko "the BitTorrent download did not complete" "$(tail -c 300 "$T/leecher.log" | tr '\n' ' ')"
fi
sleep 1
# stop the capture and the seeder (processes inside our namespaces only)
for ns in $NSA $NSB; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -INT "$p" 2>/dev/null; done
done
sleep 1

if [ ! -s "$T/bt.pcap" ]; then
    ko "tcpdump recorded nothing" "$(tail -c 300 "$T/tcpdump.log")"
    exit 0
fi
"$B/pktwatch" alerts --json --flows "$T/bt.pcap" > "$T/alerts.json" 2> "$T/alerts.err"
rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
    ok "pktwatch alerts read the capture ($(jq .packets "$T/alerts.json") packets)"
else
    ko "pktwatch alerts exited $rc" "$(head -c 300 "$T/alerts.err")"
fi
# the peer wire: a BitTorrent unwanted-application alert between the two peers
n=$(jq --arg a "$IPA" --arg b "$IPB" '[.alerts[] | select(.kind == "unwanted-application"
    and .application == "BitTorrent" and .protocol == "tcp"
    and (([.client.address] + [.peers[].address]) as $e | ($e | index($a)) and ($e | index($b))))
    | select(.evidence | test("handshake"))] | length' "$T/alerts.json" 2>/dev/null)
if [ "${n:-0}" -ge 1 ]; then
    ok "BitTorrent alert names $IPA and $IPB with the handshake as evidence"
else
    ko "no BitTorrent alert between $IPA and $IPB" \
        "$(jq -c '[.alerts[] | [.kind, .application, .client.address, .server.address, .evidence]]' \
            "$T/alerts.json" 2>/dev/null | head -c 600)"
fi
# the tracker announces are BitTorrent too (the alert quotes the stronger handshake)
if jq -e '[.flow_list[] | select(.server | endswith(":6969")) | select(.application == "BitTorrent")]
    | length > 0' "$T/alerts.json" >/dev/null 2>&1; then
    ok "tracker announce flow classified as BitTorrent"
else
    ko "the tracker announce flow is not BitTorrent" "$(jq -c '.flow_list' "$T/alerts.json" | head -c 400)"
fi
"$B/pktwatch" alerts --fail-on high "$T/bt.pcap" > /dev/null 2>&1
rc=$?
if [ $rc -eq 4 ]; then ok "--fail-on high exits 4"; else ko "--fail-on high exited $rc, want 4"; fi
# nothing left the namespaces: every packet is between the two addresses
others=$("$B/pktwatch" filter -Y "!(ip.addr == $IPA && ip.addr == $IPB)" "$T/bt.pcap" 2>/dev/null | wc -l)
if [ "${others:-1}" -eq 0 ]; then
    ok "all captured traffic stayed between $IPA and $IPB"
else
    ko "$others packets involve another address"
fi
