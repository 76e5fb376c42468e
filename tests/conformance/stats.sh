#!/usr/bin/env bash
# `pktwatch stats` against tshark over every capture under DIR that has an
# expected/ folder (DIR/expected/<path>/{phs,dests,conv_tcp,conv_udp,
# endpoints_ip}.txt, tshark 4.0.17's own output). Prints, per report, how
# many files match byte for byte and the list of those that do not; exits
# non-zero when a report is below its target (issue 3):
#   dests,tree conv,tcp conv,udp endpoints,ip >= 95%, io,phs >= 60%.
#   tests/conformance/stats.sh DIR [BUILD_DIR]      (JOBS=N, default 2)
set -u
DIR=${1:?usage: stats.sh CAPTURE_DIR [BUILD_DIR]}
DIR=$(cd "$DIR" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${2:-$ROOT/build}
case "$B" in /*) ;; *) B=$ROOT/$B ;; esac
export P="$B/pktwatch" DIR TZ=UTC LC_ALL=C
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export tmp

REPORTS="io,phs:phs:60 dests,tree:dests:95 conv,tcp:conv_tcp:95 conv,udp:conv_udp:95 endpoints,ip:endpoints_ip:95"
export REPORTS

# one capture: a line "name<TAB>file<TAB>OK|DIFF|CRASH" per report
check_one() {
    local rel=$1 rep spec name target want out rc
    out=$(mktemp -p "$tmp")
    for rep in $REPORTS; do
        IFS=: read -r spec name target <<<"$rep"
        want="$DIR/expected/$rel/$name.txt"
        [ -f "$want" ] || { printf '%s\t%s\tDIFF (no expected file)\n' "$name" "$rel"; continue; }
        timeout 60 "$P" stats -z "$spec" "$DIR/$rel" > "$out" 2>/dev/null
        rc=$?
        if [ $rc -ge 124 ]; then
            printf '%s\t%s\tCRASH (exit %s)\n' "$name" "$rel" "$rc"
        elif cmp -s "$out" "$want"; then
            printf '%s\t%s\tOK\n' "$name" "$rel"
        else
            printf '%s\t%s\tDIFF\n' "$name" "$rel"
        fi
    done
    rm -f "$out"
}
export -f check_one

find "$DIR" -type f ! -path "$DIR/expected/*" ! -name '*.md' ! -name '*.tsv' ! -name '*.txt' -print0 |
    sort -z | while IFS= read -r -d '' f; do
        rel=${f#"$DIR"/}
        [ -d "$DIR/expected/$rel" ] && printf '%s\0' "$rel"
    done > "$tmp/files"
total=$(tr -cd '\0' < "$tmp/files" | wc -c)
xargs -0 -P "${JOBS:-2}" -I{} bash -c 'check_one "$1"' _ {} < "$tmp/files" > "$tmp/results"

rc=0
for rep in $REPORTS; do
    IFS=: read -r spec name target <<<"$rep"
    ok=$(awk -F'\t' -v n="$name" '$1 == n && $3 == "OK"' "$tmp/results" | wc -l)
    pct=$(awk -v a="$ok" -v b="$total" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
    echo "$spec: $ok of $total files exact ($pct%), target $target%"
    awk -F'\t' -v n="$name" '$1 == n && $3 != "OK" { print "    differs: " $2 ($3 != "DIFF" ? " " $3 : "") }' "$tmp/results" | sort
    awk -v a="$ok" -v b="$total" -v t="$target" 'BEGIN { exit !(b == 0 || 100 * a >= t * b) }' || rc=1
done

# io,phs must be exact on every file whose tshark hierarchy holds only the
# protocols issue 3 lists: the foundation's layers (issue 2), data, the
# pseudo layers, tcp.segments, and the listed application protocols with
# the layers tshark shows inside them (smb under nbss, cotp under tpkt...).
LISTED="eth llc vlan ieee8021ad sll null raw ppp pppoes arp ip ipv6 icmp icmpv6
 ipv6.hopopts ipv6.routing ipv6.fraghdr ipv6.dstopts tcp udp gre vxlan
 data _ws.malformed _ws.short _ws.unreassembled pkt_comment tcp.segments
 dns mdns llmnr nbns dhcp dhcpv6 ntp http data-text-lines tls ssh nbss smb smb2
 portmap rpc tpkt cotp rdp bittorrent bt-dht stun ssdp syslog snmp sip"
export LISTED
while IFS= read -r -d '' rel; do
    want="$DIR/expected/$rel/phs.txt"
    [ -f "$want" ] || continue
    # protocol names: first word of the indented lines between the headers
    awk -v listed="$LISTED" 'BEGIN { n = split(listed, a, /[ \n]+/); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
        /^=+$/ { sect++; next } sect == 1 && /^ *[a-z_]/ && /frames:/ { if (!($1 in ok)) bad = 1 }
        END { exit bad }' "$want" && printf '%s\n' "$rel"
done < "$tmp/files" > "$tmp/listed"
nl=$(wc -l < "$tmp/listed")
okl=$(awk -F'\t' 'NR == FNR { l[$0] = 1; next } $1 == "phs" && $3 == "OK" && ($2 in l)' "$tmp/listed" "$tmp/results" | wc -l)
echo "io,phs on files with listed protocols only: $okl of $nl files exact, target all"
awk -F'\t' 'NR == FNR { l[$0] = 1; next } $1 == "phs" && $3 != "OK" && ($2 in l) { print "    differs: " $2 }' "$tmp/listed" "$tmp/results" | sort
[ "$okl" = "$nl" ] || rc=1
exit $rc
