#!/usr/bin/env bash
# Command-line behaviour of `pktwatch stats`: tshark-compatible options,
# exit codes, and --json documents that parse (jq) and agree with the text
# reports on every total.
set -u
SUITE=stats-cli
. "$(dirname "$0")/lib.bash"

t "help exits 0" rc_is 0 "$P" stats --help
t "no -z is a usage error (2)" rc_is 2 "$P" stats $C/dns.pcap
t "unknown spec is a usage error (2)" rc_is 2 "$P" stats -z io,stat,1 $C/dns.pcap
# display filters: -z SPEC,FILTER per report, -Y for all (syslog.pcap: 83
# UDP frames of 94, 11 TCP; figures from tshark 4.0.17 -z io,phs,udp)
t "-z SPEC,FILTER counts only matching frames" bash -c "'$P' stats -z io,phs,udp $C/syslog.pcap > $tmp/o && grep -q '^Filter: udp\$' $tmp/o && grep -q '^eth  *frames:83 bytes:19389\$' $tmp/o && ! grep -q ' tcp ' $tmp/o"
t "-z SPEC,FILTER applies to its report only" bash -c "'$P' stats -z io,phs,udp -z io,phs $C/syslog.pcap | grep -q '^eth  *frames:94 '"
t "-Y EXPR restricts every report" bash -c "'$P' stats -Y udp -z io,phs -z conv,tcp $C/syslog.pcap > $tmp/o && grep -q '^eth  *frames:83 ' $tmp/o && ! grep -q '<->' $tmp/o"
t "a bad filter in a spec is a usage error (2)" rc_is 2 "$P" stats -z conv,ip,tcp.nosuchfield $C/dns.pcap
t "a bad -Y is a usage error (2)" rc_is 2 "$P" stats -Y 'tcp ==' -z io,phs $C/dns.pcap
if command -v tshark >/dev/null; then
    same_as_tshark() { # spec
        cmp <(WIRESHARK_CONFIG_DIR=$tmp tshark -n -q -r $C/syslog.pcap -z "$1" 2>/dev/null) <("$P" stats -z "$1" $C/syslog.pcap)
    }
    for spec in 'conv,tcp,frame.number>3' 'endpoints,ip,tcp' 'dests,tree,udp' 'conv,ip,!tcp'; do
        t "-z $spec as tshark" same_as_tshark "$spec"
    done
fi
t "missing file fails (1)" rc_is 1 "$P" stats -z io,phs "$tmp/none.pcap"
t "cut-short file: reports, then exit 3" bash -c "'$P' stats -z io,phs $C/fuzz-2021-10-13.pcap > $tmp/o 2>/dev/null; [ \$? = 3 ] && grep -q 'Protocol Hierarchy' $tmp/o"
t "tshark options -r -q -n give the same output" bash -c "cmp <('$P' stats -z io,phs $C/dns.pcap) <('$P' stats -n -q -z io,phs -r $C/dns.pcap)"
t "reports print in reverse command-line order" bash -c "'$P' stats -z io,phs -z conv,udp $C/dns.pcap | grep -m1 -q '^UDP Conversations'"

# ---- JSON --------------------------------------------------------------
j() { "$P" stats --json "$@" 2>/dev/null; }

phs_totals() { # file: root frames/bytes of the JSON tree equal the text's
    local f=$1
    j -z io,phs "$f" > "$tmp/j" && jq -e . "$tmp/j" >/dev/null || { echo "invalid JSON"; return 1; }
    local jt tt
    jt=$(jq -r '[.protocols[] | "\(.protocol) \(.frames) \(.bytes)"] | join(";")' "$tmp/j")
    tt=$("$P" stats -z io,phs "$f" | awk '/^[^ ].* frames:/ {split($2,a,":"); split($3,b,":"); printf "%s%s %s %s", sep, $1, a[2], b[2]; sep=";"}')
    [ "$jt" = "$tt" ] || { echo "json=$jt text=$tt"; return 1; }
    # every node: children never exceed their parent
    jq -e '[.. | objects | select(has("children")) | .frames >= ([.children[].frames] | add // 0)] | all' "$tmp/j" >/dev/null ||
        { echo "a child exceeds its parent"; return 1; }
}

conv_totals() { # file spec: sum of frames and bytes over rows, JSON vs text
    local f=$1 spec=$2
    j -z "$spec" "$f" > "$tmp/j" && jq -e . "$tmp/j" >/dev/null || { echo "invalid JSON"; return 1; }
    local jf jr tf tr
    jf=$(jq '[.conversations[].frames] | add // 0' "$tmp/j")
    jr=$(jq '.conversations | length' "$tmp/j")
    tr=$("$P" stats -z "$spec" "$f" | grep -c '<->')
    [ "$jr" = "$tr" ] || { echo "rows json=$jr text=$tr"; return 1; }
    # the text's Total Frames column: 5th number after "<->" fields (frames, unit pairs)
    tf=$("$P" stats -z "$spec" "$f" | sed -n 's/.*<-> *[^ ]* *\([0-9]*\) [0-9]* [a-zA-Z]* *\([0-9]*\) [0-9]* [a-zA-Z]* *\([0-9]*\) .*/\3/p' | awk '{s+=$1} END {print s+0}')
    [ "$jf" = "$tf" ] || { echo "frames json=$jf text=$tf"; return 1; }
    # per row: a->b + b->a = total, in frames and bytes
    jq -e '[.conversations[] | (.frames == .frames_a_to_b + .frames_b_to_a) and (.bytes == .bytes_a_to_b + .bytes_b_to_a)] | all' "$tmp/j" >/dev/null ||
        { echo "a row's directions do not add up"; return 1; }
}

endpoint_totals() { # file spec: every endpoint's numbers, JSON vs text
    local f=$1 spec=$2 ports=$3
    j -z "$spec" "$f" > "$tmp/j" && jq -e . "$tmp/j" >/dev/null || { echo "invalid JSON"; return 1; }
    if [ "$ports" = 1 ]; then
        jq -r '.endpoints[] | "\(.address) \(.port) \(.packets) \(.bytes) \(.tx_packets) \(.tx_bytes) \(.rx_packets) \(.rx_bytes)"' "$tmp/j" > "$tmp/jt"
    else
        jq -r '.endpoints[] | "\(.address) \(.packets) \(.bytes) \(.tx_packets) \(.tx_bytes) \(.rx_packets) \(.rx_bytes)"' "$tmp/j" > "$tmp/jt"
    fi
    "$P" stats -z "$spec" "$f" | awk 'NR > 4 && !/^=/ {$1 = $1; print}' > "$tmp/tt"
    diff "$tmp/jt" "$tmp/tt" >/dev/null || { echo "endpoints differ:"; diff "$tmp/jt" "$tmp/tt" | head; return 1; }
}

dests_totals() { # file: the root count and each address's count, JSON vs text
    local f=$1
    j -z dests,tree "$f" > "$tmp/j" && jq -e . "$tmp/j" >/dev/null || { echo "invalid JSON"; return 1; }
    jq -r '.tree | "\(.name) \(.count)", (.children[] | "\(.name) \(.count)")' "$tmp/j" > "$tmp/jt"
    "$P" stats -z dests,tree "$f" | awk '/^Destinations and Ports/ {print "Destinations and Ports", $4} /^ [^ ]/ {print $1, $2}' > "$tmp/tt"
    diff "$tmp/jt" "$tmp/tt" >/dev/null || { echo "dests differ:"; diff "$tmp/jt" "$tmp/tt" | head; return 1; }
}

for f in $C/dns.pcap $C/get.pcap $C/netbios.pcap $C/smb_deletefile.pcap $C/tls-conn-with-extensions.pcap; do
    n=$(basename "$f")
    t "json phs totals = text: $n" phs_totals "$f"
    t "json conv,tcp totals = text: $n" conv_totals "$f" conv,tcp
    t "json conv,udp totals = text: $n" conv_totals "$f" conv,udp
    t "json endpoints,ip = text: $n" endpoint_totals "$f" endpoints,ip 0
    t "json endpoints,udp = text: $n" endpoint_totals "$f" endpoints,udp 1
    t "json dests totals = text: $n" dests_totals "$f"
done
t "json: one document per report" bash -c "[ \$('$P' stats --json -z io,phs -z conv,ip -z endpoints,eth $C/dns.pcap | jq -s length) = 3 ]"
t "json: empty capture gives empty reports" bash -c "'$P' stats --json -z conv,tcp $C/empty.pcapng | jq -e '.conversations == []' >/dev/null"
