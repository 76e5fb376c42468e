/* Every anomaly dissection can report, by name. Truncated (the capture was cut
 * by the snap length) and malformed (a header contradicts the reported
 * length) are always kept apart. */
#ifndef PW_DISSECT_ANOMALY_H
#define PW_DISSECT_ANOMALY_H

/* X(ID, "name", "description") */
#define PW_ANOMALY_LIST(X)                                                                       \
    X(TRUNCATED, "truncated", "packet cut short by the capture's snap length")                 \
    X(MALFORMED, "malformed", "a header field contradicts the packet's reported length")       \
    X(CAPLEN_GT_LEN, "caplen_gt_len", "captured length larger than the original length")       \
    X(UNKNOWN_LINKTYPE, "unknown_linktype", "link type with no dissector; carried as data")    \
    X(TOO_MANY_LAYERS, "too_many_layers", "encapsulation nested deeper than the layer limit")  \
    X(IPV4_BAD_HLEN, "ipv4_bad_hlen", "IPv4 header length below 20 bytes")                     \
    X(IPV4_BAD_TOTLEN, "ipv4_bad_totlen", "IPv4 total length below the header length")         \
    X(IPV4_TOTLEN_GT_FRAME, "ipv4_totlen_gt_frame", "IPv4 total length exceeds the frame")     \
    X(IPV4_BAD_VERSION, "ipv4_bad_version", "IP version field is not 4")                      \
    X(IPV4_BAD_OPTION, "ipv4_bad_option", "IPv4 option with an impossible length")             \
    X(IP_FRAGMENT, "ip_fragment", "IP fragment (reassembled where tshark would)")           \
    X(IPV6_BAD_VERSION, "ipv6_bad_version", "IPv6 version field is not 6")                    \
    X(IPV6_PLEN_GT_FRAME, "ipv6_plen_gt_frame", "IPv6 payload length exceeds the frame")       \
    X(IPV6_BAD_EXTHDR, "ipv6_bad_exthdr", "IPv6 extension header runs past the payload")       \
    X(TCP_BAD_HLEN, "tcp_bad_hlen", "TCP header length below 20 bytes or past the segment")    \
    X(TCP_BAD_OPTION, "tcp_bad_option", "TCP option with an impossible length")                \
    X(UDP_BAD_LEN, "udp_bad_len", "UDP length field below 8 or past the datagram")             \
    X(ARP_BAD_LEN, "arp_bad_len", "ARP address lengths do not fit the packet")                 \
    X(GRE_BAD_VERSION, "gre_bad_version", "GRE version not 0 or 1")                           \
    X(ICMP_SHORT_QUOTE, "icmp_short_quote", "ICMP error quotes less than an IP header")       \
    X(GTP_BAD_EXTHDR, "gtp_bad_exthdr", "GTP extension header of length 0")                   \
    X(TCP_REASM_OVERLAP, "tcp_reasm_overlap",                                                  \
      "TCP segment inside a PDU already reassembled (tshark: new fragment overlaps old data)")  \
    X(UNREASSEMBLED, "unreassembled",                                                          \
      "a dissector ran past the data of a fragment that was not reassembled")

enum pw_anomaly {
#define PW_AN_ENUM(id, name, descr) PW_AN_##id,
    PW_ANOMALY_LIST(PW_AN_ENUM)
#undef PW_AN_ENUM
    PW_AN__COUNT
};

/* Anomalies are kept as bits of a 64-bit mask per packet. */
_Static_assert(PW_AN__COUNT <= 64, "too many anomaly kinds for the per-packet mask");

const char *pw_anomaly_name(unsigned an);
const char *pw_anomaly_descr(unsigned an);

#endif
