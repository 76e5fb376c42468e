#!/usr/bin/env bash
# Golden files for the protocol columns of `-T fields` (`-e eth`, `-e tcp`,
# ...): tshark prints the label of the protocol's tree item, or the
# abbreviation when it has none, and `data` as its bytes. From the oracle
# (tshark 4.0.17, the corpus generator's options), never from pktwatch, on
# captures already in tests/captures/ (see tests/captures/PROVENANCE.md).
# Prints the tests/golden/LIST rows.
#   scripts/update-golden-labels.sh [CORPUS_DIR]
source "$(dirname "$0")/golden-lib.bash" "$@"
CORE="frame eth vlan ieee8021ad sll arp ip ipv6 tcp udp dns mdns data _ws.malformed _ws.short _ws.unreassembled"
TUN="frame eth vlan ip ipv6 udp gre mpls geneve sctp radiotap data _ws.malformed _ws.short"
for cap in dns_tcp.pcap badpackets.pcap pcapng-multi-interface.pcapng 802.1ad_QinQ.pcap \
           tcp_header_heapoverflow.pcap trunc-hdr.pcap; do
    # shellcheck disable=SC2086
    tf "labels-$cap" "$cap" $CORE
done
for cap in gre.pcapng geneve.pcap mpls-in-vlan.pcap sctp.cap radiotap.pcap; do
    # shellcheck disable=SC2086
    tf "labels-$cap" "$cap" $TUN
done
# HTTP media layers: their labels are built while dissecting, and only when
# `-T fields` asks for them (pw_app_want_labels)
for cap in get.pcap arcnet-rfc1201-arp-icmp-http.pcap tcp-fast-open.pcap; do
    tf "labels-$cap" "$cap" frame.number data-text-lines
done
