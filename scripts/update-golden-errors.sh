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
source "$(dirname "$0")/golden-lib.bash" "$@"
CAPS="ndpi/badpackets.pcap tcpdump/smb_data_print-segv.pcap tcpdump/kday1.pcap
tcpdump/ipv6-bad-version.pcap"
for p in $CAPS; do
    corpus_reports "$p"
done
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
