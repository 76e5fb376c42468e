#!/usr/bin/env bash
# Golden files for `pktwatch stats`, all from the oracle (tshark 4.0.17),
# never from pktwatch:
#  - the five reports the corpus keeps (phs, dests, conv_tcp, conv_udp,
#    endpoints_ip) are copied from ../shared/captures/expected/<path>/;
#  - the other specs (conv,eth, conv,ip, endpoints,tcp|udp|eth, several -z
#    at once) are produced by running tshark with the corpus generator's
#    options (-n, default preferences, C locale, UTC).
# Also copies the captures into tests/captures/ (names unchanged) and prints
# the tests/golden/LIST rows.
#   scripts/update-golden-stats.sh [CORPUS_DIR]
# (this set keeps its -T fields goldens next to its stats goldens)
G=tests/golden/stats S=tests/golden/stats
source "$(dirname "$0")/golden-lib.bash" "$@"
# corpus path of every capture of the stats golden set
CAPS="ndpi/dns.pcap tcpdump/dns_tcp.pcap ndpi/netbios.pcap ndpi/rdp.pcap zeek/http/get.pcap
zeek/http/post.pcap zeek/tls/tls-conn-with-extensions.pcap ndpi/bittorrent_utp.pcap
ndpi/smb_deletefile.pcap ndpi/smbv1.pcap tcpdump/dhcp-rfc3004.pcap tcpdump/dhcpv6-ia-na.pcap
zeek/ntp/NTP_sync.pcap tcpdump/ssh.pcap ndpi/snmp.pcap ndpi/syslog.pcap ndpi/gre.pcapng
zeek/dns/mdns.pcap ndpi/dhcp-fuzz.pcapng ndpi/bt_search.pcap tcpdump/tftp.pcap"
for p in $CAPS; do
    # ndpi/snmp.pcap: conv,udp depends on SNMP's wildcard conversations (a
    # later udp.stream), not implemented; left out
    if [ "$p" = ndpi/snmp.pcap ]; then
        corpus_reports "$p" phs dests conv_tcp endpoints_ip
    else
        corpus_reports "$p"
    fi
done
# io,phs only: application-layer corner cases (TCP Fast Open, an HTTP
# message in a SYN/ACK, snaplen-cut HTTP, SSH duplicates, SSH on port 80,
# SSH without an identification line, SYN/ACKs with different sequence
# numbers, a truncated Ethernet header, AnyDesk on port 80)
PHS_CAPS="zeek/tcp/tcp-fast-open.pcap zeek/tcp/payload-synack.pcap zeek/communityid/tcp.pcap
ndpi/ssh_unidirectional.pcap ndpi/tls_multiple_synack_different_seq.pcapng
zeek/ssh/ssh-on-port-80.pcap zeek/tcp/ssh-dups.pcap zeek/trunc/trunc-hdr.pcap ndpi/anydesk.pcapng"
for p in $PHS_CAPS; do
    corpus_reports "$p" phs
done
# specs the corpus does not keep, straight from tshark
ts() { # out-name capture specs...
    local out=$1 cap=$2; shift 2
    local args=() a
    for a in "$@"; do args+=(-z "$a"); done
    tshark -n -o tcp.relative_sequence_numbers:TRUE -r "tests/captures/$cap" -q "${args[@]}" \
        > "$G/$out.txt" 2>/dev/null
    printf 'stats-%s\t%s\t0\tstats -q -n%s -r tests/captures/%s\n' "$out" "$G/$out.txt" \
        "$(printf ' -z %s' "$@")" "$cap"
}
ts get.pcap.conv_eth get.pcap conv,eth
ts get.pcap.conv_ip get.pcap conv,ip
ts get.pcap.endpoints_tcp get.pcap endpoints,tcp
ts dns.pcap.endpoints_udp dns.pcap endpoints,udp
ts dns.pcap.endpoints_eth dns.pcap endpoints,eth
ts netbios.pcap.several netbios.pcap io,phs dests,tree conv,udp endpoints,udp
# link types (branch linktypes): the five corpus reports of small captures
# whose link layer is not Ethernet, and the link-layer fields as tshark
# prints them with -T fields (pktwatch filter -T fields)
LINK_CAPS="tcpdump/HDLC.pcap tcpdump/nflog.pcap tcpdump/arcnet-rfc1201-arp-icmp-http.pcap
tcpdump/ipoib.pcap tcpdump/e1000g.pcap tcpdump/LINKTYPE_PKTAP.pcap zeek/radiotap.pcap
zeek/wlanmon.pcap tcpdump/ieee802.11_tim_ie_oobr.pcap"
for p in $LINK_CAPS; do
    corpus_reports "$p"
done
tf HDLC.pcap.fields HDLC.pcap frame.protocols chdlc.address chdlc.control chdlc.protocol \
    slarp.ptype slarp.mysequence slarp.yoursequence slarp.reliability cdp.version cdp.ttl
tf nflog.pcap.fields nflog.pcap frame.protocols nflog.family nflog.version nflog.res_id ip.src
tf arcnet.fields arcnet-rfc1201-arp-icmp-http.pcap frame.protocols arcnet.src arcnet.dst \
    arcnet.protID
tf ipoib.pcap.fields ipoib.pcap frame.protocols ipoib.daddr.qpn ipoib.dgid ipoib.grh.sqpn \
    ipoib.grh.sgid ipoib.type
tf e1000g.pcap.fields e1000g.pcap frame.protocols ipnet.version ipnet.family ipnet.htype \
    ipnet.pktlen ipnet.ifindex ipnet.zsrc
tf LINKTYPE_PKTAP.pcap.fields LINKTYPE_PKTAP.pcap frame.protocols pktap.hdrlen pktap.rectype \
    pktap.dlt eth.src
tf radiotap.pcap.fields radiotap.pcap frame.protocols radiotap.length radiotap.flags \
    wlan.fc.type_subtype wlan.flags wlan.ra wlan.ta wlan.da wlan.sa wlan.bssid wlan.seq
tf ieee802.11_tim_ie_oobr.pcap.fields ieee802.11_tim_ie_oobr.pcap frame.protocols \
    wlan.fc.type_subtype wlan.duration wlan.ra wlan.da wlan.bssid wlan.seq
# TCP reassembly errors (branch overlap): cuts of two corpus captures around
# a segment sent again inside a PDU tshark had reassembled ("New fragment
# overlaps old data", _ws.malformed): the hierarchy, and the frames tshark
# marks malformed
cutcap() { # name corpus-path frame-ranges...
    local n=$1 p=$2; shift 2
    editcap -F pcap -r "$C/$p" "tests/captures/$n" "$@"
}
cutcap 6in4tunnel-22-55.pcap ndpi/6in4tunnel.pcap 22-55
cutcap pppoe-over-qinq-cut.pcap zeek/pppoe-over-qinq.pcap 1-3 48-60
for n in 6in4tunnel-22-55.pcap pppoe-over-qinq-cut.pcap; do
    ts "$n.phs" "$n" io,phs
    tshark -n -r "tests/captures/$n" -Y _ws.malformed -T fields -e frame.number \
        -e frame.protocols > "$G/$n.malformed.txt" 2>/dev/null
    printf 'fields-%s.malformed\t%s\t0\tfilter -Y _ws.malformed -T fields -e frame.number -e frame.protocols tests/captures/%s\n' \
        "$n" "$G/$n.malformed.txt" "$n"
done
