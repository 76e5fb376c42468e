#!/usr/bin/env bash
# Golden files for what tshark shows when it cannot dissect all of a packet:
# `_ws.unreassembled` (a first IP fragment shown as if whole, an SMB
# transaction part that overruns), DNS without its flags, and bogus IP
# version nibbles (IPv6 in an IPv4 slot, an IPv6 header with version 0).
# All from the oracle (tshark 4.0.17), never from pktwatch:
#  - `stats`: the corpus's own expected/<path>/<report>.txt;
#  - `filter -T fields` and `filter -Y`: tshark -T fields / -Y with the same
#    arguments, run with the corpus generator's options (-n, default
#    preferences, C locale, UTC).
# Copies the captures into tests/captures/ (names unchanged, see
# tests/captures/PROVENANCE.md) and prints the tests/golden/LIST rows.
#   scripts/update-golden-errors.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
C=${1:-../shared/captures}
export TZ=UTC LC_ALL=C
tmpcfg=$(mktemp -d); trap 'rm -rf "$tmpcfg"' EXIT
export WIRESHARK_CONFIG_DIR=$tmpcfg
G=tests/golden/fields
S=tests/golden/stats
mkdir -p "$G" "$S"
CAPS="ndpi/badpackets.pcap tcpdump/smb_data_print-segv.pcap tcpdump/kday1.pcap
tcpdump/ipv6-bad-version.pcap"
for p in $CAPS; do
    n=$(basename "$p")
    cp "$C/$p" "tests/captures/$n"
    for r in phs:io,phs dests:dests,tree conv_tcp:conv,tcp conv_udp:conv,udp endpoints_ip:endpoints,ip; do
        f=${r%%:*} spec=${r#*:}
        cp "$C/expected/$p/$f.txt" "$S/$n.$f.txt"
        printf 'stats-%s-%s\t%s\t0\tstats -z %s tests/captures/%s\n' "$n" "$f" "$S/$n.$f.txt" "$spec" "$n"
    done
done
tf() { # out-name capture fields...
    local out=$1 cap=$2; shift 2
    local args=() a
    for a in "$@"; do args+=(-e "$a"); done
    tshark -n -r "tests/captures/$cap" -T fields "${args[@]}" > "$G/$out.txt" 2>/dev/null
    printf 'fields-%s\t%s\t0\tfilter -T fields%s tests/captures/%s\n' "$out" "$G/$out.txt" \
        "$(printf ' -e %s' "$@")" "$cap"
}
ty() { # out-name capture filter: the numbers of the frames it matches
    local out=$1 cap=$2 flt=$3
    tshark -n -r "tests/captures/$cap" -Y "$flt" -T fields -e frame.number > "$G/$out.txt" 2>/dev/null
    printf 'filter-%s\t%s\t0\tfilter -Y %q -T fields -e frame.number tests/captures/%s\n' "$out" \
        "$G/$out.txt" "$flt" "$cap"
}
tf badpackets.pcap.fields badpackets.pcap frame.protocols ip.flags.mf ip.frag_offset udp.length \
    dns.id dns.count.queries
ty badpackets.pcap.unreassembled badpackets.pcap _ws.unreassembled
ty badpackets.pcap.short badpackets.pcap _ws.short
ty badpackets.pcap.dns badpackets.pcap dns
# every frame: none is malformed (an empty golden cannot be compared)
ty badpackets.pcap.not-malformed badpackets.pcap '!_ws.malformed'
tf smb_data_print-segv.pcap.fields smb_data_print-segv.pcap frame.protocols tcp.len
ty smb_data_print-segv.pcap.unreassembled smb_data_print-segv.pcap '_ws.unreassembled && smb'
tf kday1.pcap.fields kday1.pcap frame.protocols ip.version ip.src ip.len ipv6.version ipv6.src \
    ipv6.plen
ty kday1.pcap.ip kday1.pcap ip
tf ipv6-bad-version.pcap.fields ipv6-bad-version.pcap frame.protocols ip.version ipv6.version \
    ipv6.src ipv6.plen icmpv6.type data.len
ty ipv6-bad-version.pcap.ipv6 ipv6-bad-version.pcap ipv6
ty ipv6-bad-version.pcap.malformed ipv6-bad-version.pcap _ws.malformed
