#!/usr/bin/env bash
# Golden files for the tunnel and encapsulation dissectors (MPLS, 802.1ah,
# Geneve, AYIYA, GTP, VXLAN-GPE/NSH, ERSPAN, Cisco MetaData, VN-Tag, SCTP),
# all from the oracle (tshark 4.0.17), never from pktwatch:
#  - `filter -T fields`: tshark -T fields with the same -e list, run with
#    the corpus generator's options (-n, default preferences, C locale, UTC);
#  - `stats`: the corpus's own expected/<path>/<report>.txt, for the reports
#    pktwatch matches (see the STATS list).
# Copies the captures into tests/captures/ (two are cut from larger corpus
# files with editcap, see tests/captures/PROVENANCE.md) and prints the
# tests/golden/LIST rows.
#   scripts/update-golden-tunnels.sh [CORPUS_DIR]
source "$(dirname "$0")/golden-lib.bash" "$@"
# corpus path <TAB> fields
FIELDS="zeek/mpls-in-vlan.pcap	frame.protocols mpls.label mpls.exp mpls.bottom mpls.ttl ip.src ip.dst tcp.stream
tcpdump/mpls-over-udp.pcap	frame.protocols udp.stream mpls.label mpls.bottom ip.src ip.dst icmp.type
zeek/pbb.pcap	frame.protocols ieee8021ah.priority ieee8021ah.drop ieee8021ah.nca ieee8021ah.isid ieee8021ah.cdst ieee8021ah.csrc ieee8021ah.etype vlan.id tcp.stream
zeek/tunnels/geneve.pcap	frame.protocols geneve.version geneve.flags geneve.flags.oam geneve.flags.critical geneve.proto_type geneve.vni eth.src ip.src ip.dst
tcpdump/nsh-over-vxlan-gpe.pcap	frame.protocols vxlan.vni nsh.version nsh.length nsh.mdtype nsh.nextproto nsh.spi nsh.si ip.src udp.stream
zeek/tunnels/gre-erspan3-dot1q.pcap	frame.protocols gre.proto erspan.version erspan.vlan erspan.spanid vlan.id ip.dst
tcpdump/erspan-type-iii-pb-1.pcap	frame.protocols erspan.version erspan.vlan erspan.spanid
zeek/vntag.pcap	frame.protocols vntag.dir vntag.ptr vntag.dst vntag.looped vntag.version vntag.src vntag.etype vlan.id
ndpi/sctp.cap	frame.protocols sctp.srcport sctp.dstport sctp.port sctp.verification_tag sctp.checksum
tcpdump/isup.pcap	frame.protocols sctp.srcport sctp.dstport sctp.verification_tag
ndpi/ipv6_in_gtp.pcap	frame.protocols gtp.flags gtp.message gtp.length gtp.teid gtp.seq_number ipv6.src udp.stream
ndpi/fuzz-2021-06-07-c6c72a0a56.pcap	frame.protocols udp.srcport
DERIVED/ayiya3-first12.pcap	frame.protocols ayiya.idlen ayiya.idtype ayiya.siglen ayiya.hashmethod ayiya.authmethod ayiya.opcode ayiya.nextheader ipv6.src tcp.stream
DERIVED/various_gre-cmd.pcap	frame.protocols gre.proto cmd.version cmd.length cmd.options cmd.sgt cmd.type ip.src"
# corpus path <TAB> reports (the corpus's expected files)
STATS="zeek/mpls-in-vlan.pcap	phs dests conv_tcp conv_udp endpoints_ip
tcpdump/mpls-over-udp.pcap	phs dests endpoints_ip
zeek/pbb.pcap	phs dests conv_tcp endpoints_ip
ndpi/ipv6_in_gtp.pcap	phs dests conv_udp
zeek/tunnels/geneve.pcap	phs dests endpoints_ip
tcpdump/nsh-over-vxlan-gpe.pcap	phs dests conv_udp endpoints_ip
zeek/tunnels/gre-erspan3-dot1q.pcap	phs dests endpoints_ip
zeek/vntag.pcap	phs dests endpoints_ip
ndpi/sctp.cap	phs dests
tcpdump/isup.pcap	phs dests
ndpi/fuzz-2021-06-07-c6c72a0a56.pcap	phs"
# the two cut files: the first 12 records of ayiya3.pcap; the GRE and Cisco
# MetaData records of various_gre.pcap (its records 1-12 matching `cmd || gre`)
editcap -r "$C/zeek/tunnels/ayiya3.pcap" tests/captures/ayiya3-first12.pcap 1-12
sel=$(tshark -n -r "$C/tcpdump/various_gre.pcap" -Y 'cmd || gre' -T fields -e frame.number | head -12)
# shellcheck disable=SC2086
editcap -r "$C/tcpdump/various_gre.pcap" tests/captures/various_gre-cmd.pcap $sel
while IFS=$'\t' read -r p fl; do
    n=$(basename "$p")
    case $p in DERIVED/*) ;; *) cp "$C/$p" "tests/captures/$n"; chmod 644 "tests/captures/$n" ;; esac
    # shellcheck disable=SC2086
    tf "$n" "$n" $fl
done <<< "$FIELDS"
while IFS=$'\t' read -r p reps; do
    # shellcheck disable=SC2086
    corpus_reports "$p" $reps
done <<< "$STATS"
