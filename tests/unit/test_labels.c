/* Unit tests for the tree item labels `-T fields -e PROTO` prints
 * (pw_proto_label): hand-built frames, each label compared with the text
 * tshark 4.0.17 printed for the same bytes (`tshark -n -T fields -e frame
 * -e eth -e vlan -e ip ...` on a pcap holding exactly these frames,
 * frame numbers 1 to 6 as below). Without the flow stage the TCP label
 * shows the sequence number as on the wire, so the SYN carries 0, which
 * is also its relative value. */
#include <stdint.h>
#include <string.h>

#include "dissect/dissect.h"
#include "test.h"

/* vlan_tcp_syn */
static const uint8_t VLAN_TCP_SYN[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x81, 0x00, 0xb0, 0x64, 0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0x12, 0x34,
    0x40, 0x00, 0x40, 0x06, 0x5c, 0xf1, 0x0a, 0x00, 0x00, 0x01, 0xc0, 0xa8,
    0x01, 0x02, 0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x50, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};
/* arp_announce */
static const uint8_t ARP_ANNOUNCE[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x11,
    0x22, 0x33, 0x44, 0x55, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* ipv6_udp_dns */
static const uint8_t IPV6_UDP_DNS[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x11, 0x40, 0x20, 0x01,
    0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x35, 0x9c, 0x40, 0x00, 0x14,
    0x00, 0x00, 0xab, 0xcd, 0x81, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00,
};
/* udp_data */
static const uint8_t UDP_DATA[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
    0x5c, 0xee, 0x0a, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02, 0x04, 0xd2,
    0x16, 0x2e, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
};
/* dns_malformed */
static const uint8_t DNS_MALFORMED[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
    0x5c, 0xe6, 0x0a, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* radiotap (Flags: FCS at end) + 802.11 probe request + FCS */
static const uint8_t RT_PROBE[] = {
    0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10, 0x40, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
};
/* 802.11 QoS data, From DS (LINKTYPE_IEEE802_11) */
static const uint8_t WLAN_QOS[] = {
    0x88, 0x02, 0x2c, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22,
    0x33, 0x44, 0x55, 0x00, 0x11, 0x22, 0x33, 0x44, 0x66, 0x20, 0x00, 0x00, 0x00,
};

/* 802.1ah I-TAG (I-SID 2014000) in Ethernet */
static const uint8_t PBB_TAG[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0xe7,
    0x00, 0x1e, 0xbb, 0x30, 0x01, 0x1c, 0xeb, 0xaf, 0x50, 0x00, 0x00, 0x1c, 0xeb, 0xaf,
    0x52, 0x01, 0x88, 0xb5, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* portmap v2 GETPORT call for NFS version 3 over TCP, UDP to port 111 */
static const uint8_t PMAP_CALL[] = {
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x54, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
    0x0a, 0x00, 0x00, 0x02, 0x03, 0xe8, 0x00, 0x6f, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x12,
    0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x86, 0xa0, 0x00, 0x00,
    0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xa3, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
};

static struct pw_packet pkt;
static struct pw_record rec;

static void dissect_lt(const uint8_t *b, uint32_t caplen, uint32_t len, uint64_t frame,
                       uint32_t linktype)
{
    memset(&rec, 0, sizeof(rec));
    rec.data = b;
    rec.caplen = caplen;
    rec.len = len;
    rec.linktype = linktype;
    pw_dissect_packet(&rec, frame, &pkt);
}

static void dissect(const uint8_t *b, uint32_t caplen, uint32_t len, uint64_t frame)
{
    dissect_lt(b, caplen, len, frame, 1); /* Ethernet */
}

/* the label of the k-th layer of protocol `abbrev` ("" when it has none,
 * "(absent)" when there is no such layer) */
static const char *label(const char *abbrev, int k)
{
    static char buf[512];
    unsigned proto = pw_proto_by_abbrev(abbrev);
    int at = -1;
    for (int i = 0; i <= k; i++) {
        at = pw_packet_find(&pkt, proto, at + 1);
        if (at < 0)
            return "(absent)";
    }
    buf[0] = '\0';
    pw_proto_label(&pkt, &pkt.layer[at], buf, sizeof(buf));
    return buf;
}

static const char *frame_label(void)
{
    static char buf[256];
    pw_proto_label(&pkt, NULL, buf, sizeof(buf));
    return buf;
}

static void test_vlan_tcp_syn(void)
{
    dissect(VLAN_TCP_SYN, sizeof(VLAN_TCP_SYN), sizeof(VLAN_TCP_SYN), 1);
    CHECK_EQ_STR(frame_label(), "Frame 1: 58 bytes on wire (464 bits), 58 bytes captured (464 bits)");
    CHECK_EQ_STR(label("eth", 0), "Ethernet II, Src: 00:11:22:33:44:55, Dst: 66:77:88:99:aa:bb");
    CHECK_EQ_STR(label("vlan", 0), "802.1Q Virtual LAN, PRI: 5, DEI: 1, ID: 100");
    CHECK_EQ_STR(label("ip", 0), "Internet Protocol Version 4, Src: 10.0.0.1, Dst: 192.168.1.2");
    CHECK_EQ_STR(label("tcp", 0),
                 "Transmission Control Protocol, Src Port: 1234, Dst Port: 80, Seq: 0, Len: 0");
    /* a snap length ending in the checksum still leaves the data offset,
     * hence Len (tshark reads the checksum later) */
    dissect(VLAN_TCP_SYN, sizeof(VLAN_TCP_SYN) - 3, sizeof(VLAN_TCP_SYN), 1);
    CHECK_EQ_STR(label("tcp", 0),
                 "Transmission Control Protocol, Src Port: 1234, Dst Port: 80, Seq: 0, Len: 0");
    /* ending before the window: the ports only */
    dissect(VLAN_TCP_SYN, sizeof(VLAN_TCP_SYN) - 5, sizeof(VLAN_TCP_SYN), 1);
    CHECK_EQ_STR(label("tcp", 0), "Transmission Control Protocol, Src Port: 1234, Dst Port: 80");
}

static void test_arp_announcement(void)
{
    dissect(ARP_ANNOUNCE, sizeof(ARP_ANNOUNCE), sizeof(ARP_ANNOUNCE), 2);
    CHECK_EQ_STR(label("eth", 0), "Ethernet II, Src: 00:11:22:33:44:55, Dst: ff:ff:ff:ff:ff:ff");
    CHECK_EQ_STR(label("arp", 0), "Address Resolution Protocol (ARP Announcement)");
}

static void test_ipv6_udp_dns(void)
{
    dissect(IPV6_UDP_DNS, sizeof(IPV6_UDP_DNS), sizeof(IPV6_UDP_DNS), 3);
    CHECK_EQ_STR(frame_label(), "Frame 3: 74 bytes on wire (592 bits), 74 bytes captured (592 bits)");
    CHECK_EQ_STR(label("ipv6", 0), "Internet Protocol Version 6, Src: 2001:db8::1, Dst: 2001:db8::2");
    CHECK_EQ_STR(label("udp", 0), "User Datagram Protocol, Src Port: 53, Dst Port: 40000");
    CHECK_EQ_STR(label("dns", 0), "Domain Name System (response)");
}

static void test_udp_data(void)
{
    dissect(UDP_DATA, sizeof(UDP_DATA), sizeof(UDP_DATA), 4);
    CHECK_EQ_STR(label("udp", 0), "User Datagram Protocol, Src Port: 1234, Dst Port: 5678");
    /* `data` prints its bytes (fields.c), not a label */
    CHECK_EQ_STR(label("data", 0), "");
}

static void test_dns_malformed(void)
{
    dissect(DNS_MALFORMED, sizeof(DNS_MALFORMED), sizeof(DNS_MALFORMED), 5);
    CHECK_EQ_STR(label("dns", 0), "Domain Name System (query)");
    /* tshark prints "[Malformed Packet: DNS],_ws.malformed": the second
     * occurrence is the unlabelled expert item fields.c adds */
    CHECK_EQ_STR(label("_ws.malformed", 0), "[Malformed Packet: DNS]");
}

static void test_ipv4_cut(void)
{
    /* the frame of test_dns_malformed captured up to 24 bytes */
    dissect(DNS_MALFORMED, 24, sizeof(DNS_MALFORMED), 6);
    CHECK_EQ_STR(frame_label(), "Frame 6: 54 bytes on wire (432 bits), 24 bytes captured (192 bits)");
    CHECK_EQ_STR(label("ip", 0), ""); /* tshark: "ip", the abbreviation */
    CHECK_EQ_STR(label("_ws.short", 0), "[Packet size limited during capture: IPv4 truncated]");
}

/* 802.11: tshark 4.0.17 on these bytes (radiotap, LINKTYPE 127; the QoS
 * frame as LINKTYPE 105, whole, cut to 25 bytes, and a data frame with
 * From DS and More data cut to 23 bytes) */
static void test_wlan(void)
{
    dissect_lt(RT_PROBE, sizeof(RT_PROBE), sizeof(RT_PROBE), 1, 127);
    CHECK_EQ_STR(label("wlan", 0), "IEEE 802.11 Probe Request, Flags: ........C");
    dissect_lt(WLAN_QOS, sizeof(WLAN_QOS), sizeof(WLAN_QOS), 1, 105);
    CHECK_EQ_STR(label("wlan", 0), "IEEE 802.11 QoS Data, Flags: ......F.");
    /* a QoS header cut before the QoS control: no tree item at all (an
     * empty column in tshark) */
    dissect_lt(WLAN_QOS, 25, sizeof(WLAN_QOS), 2, 105);
    CHECK(pkt.nlayers > 0 && pkt.layer[0].proto == pw_proto_by_abbrev("wlan"));
    CHECK(pkt.layer[0].flags & PW_LF_NOTREE);
    /* a data frame cut inside its header: the type without the flags */
    uint8_t data[23];
    memcpy(data, WLAN_QOS, sizeof(data));
    data[0] = 0x08;
    data[1] = 0x22;
    dissect_lt(data, sizeof(data), 60, 3, 105);
    CHECK_EQ_STR(label("wlan", 0), "IEEE 802.11 Data");
}

/* 802.1ah: tshark 4.0.17 prints two items per tag, "IEEE 802.1ah, ...,I-Tag,
 * I-SID: 2014000"; cut to 20 bytes, "ieee8021ah,I-Tag, I-SID: 2014000" */
static void test_pbb(void)
{
    char buf[128];
    dissect(PBB_TAG, sizeof(PBB_TAG), sizeof(PBB_TAG), 1);
    CHECK_EQ_STR(label("ieee8021ah", 0),
                 "IEEE 802.1ah, I-SID: 2014000, C-Src: 00:1c:eb:af:52:01, C-Dst: 01:1c:eb:af:50:00");
    int at = pw_packet_find(&pkt, pw_proto_by_abbrev("ieee8021ah"), 0);
    CHECK(at >= 0 && pw_proto_extra_items(&pkt.layer[at]) == 1);
    if (at >= 0)
        pw_proto_label_extra(&pkt, &pkt.layer[at], buf, sizeof(buf));
    CHECK_EQ_STR(buf, "I-Tag, I-SID: 2014000");
    dissect(PBB_TAG, 20, sizeof(PBB_TAG), 2);
    CHECK_EQ_STR(label("ieee8021ah", 0), "");
}

/* tshark 4.0.17 on PMAP_CALL: "Portmap GETPORT Call NFS(100003) Version:3 TCP" */
static void test_portmap(void)
{
    dissect(PMAP_CALL, sizeof(PMAP_CALL), sizeof(PMAP_CALL), 1);
    CHECK_EQ_STR(label("portmap", 0), "Portmap GETPORT Call NFS(100003) Version:3 TCP");
    /* the arguments cut off (captured to 90 bytes): tshark prints "portmap" */
    dissect(PMAP_CALL, sizeof(PMAP_CALL) - 8, sizeof(PMAP_CALL), 2);
    CHECK_EQ_STR(label("portmap", 0), "");
}

TEST_MAIN(TEST_CASE(test_vlan_tcp_syn), TEST_CASE(test_arp_announcement),
          TEST_CASE(test_ipv6_udp_dns), TEST_CASE(test_udp_data), TEST_CASE(test_dns_malformed),
          TEST_CASE(test_ipv4_cut), TEST_CASE(test_wlan),
          TEST_CASE(test_pbb), TEST_CASE(test_portmap))
