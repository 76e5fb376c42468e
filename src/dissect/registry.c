/* The registration table: which dissectors exist, which fields they publish,
 * and which protocol follows which. Bindings are data; at first use they are
 * compiled into dense arrays so that per-packet dispatch is one index. */
#include <pthread.h>
#include <string.h>

#include "dissect/dissect.h"
#include "dissect/protos.h"
#include "flow/flows.h"

/* Link types (LINKTYPE_* from the tcpdump.org list) */
enum {
    LT_NULL = 0,
    LT_ETHERNET = 1,
    LT_PPP = 9,
    LT_RAW = 101,
    LT_PPP_HDLC = 50,
    LT_LOOP = 108,
    LT_LINUX_SLL = 113,
    LT_IPV4 = 228,
    LT_IPV6 = 229,
    LT_LINUX_SLL2 = 276,
    LT_ATM_RFC1483 = 100,
};

static const struct pw_dissector dissectors[] = {
    {PW_P_FRAME, NULL, pw_fields_frame}, /* fields only: frame is never a layer */
    {PW_P_DATA, NULL, pw_fields_data},   /* layers pushed by pw_data() */
    {PW_P_ETH, pw_dissect_eth, pw_fields_eth, pw_label_eth},
    {PW_P_LLC, pw_dissect_llc, pw_fields_llc},
    {PW_P_VLAN, pw_dissect_vlan, pw_fields_vlan, pw_label_vlan},
    {PW_P_IEEE8021AD, pw_dissect_ieee8021ad, pw_fields_ieee8021ad,
     pw_label_ieee8021ad},
    {PW_P_SLL, pw_dissect_sll, pw_fields_sll, pw_label_sll},
    {PW_P_SLL2, pw_dissect_sll2, NULL}, /* pushes PW_P_SLL layers */
    {PW_P_NULL_LOOP, pw_dissect_null, pw_fields_null},
    {PW_P_RAW, pw_dissect_raw, NULL},
    {PW_P_PPP, pw_dissect_ppp, pw_fields_ppp},
    {PW_P_PPPOES, pw_dissect_pppoes, pw_fields_pppoes},
    {PW_P_LOOP, pw_dissect_loop, pw_fields_loop},
    {PW_P_ARP, pw_dissect_arp, pw_fields_arp, pw_label_arp},
    {PW_P_IP, pw_dissect_ipv4, pw_fields_ip, pw_label_ip},
    {PW_P_IPV6, pw_dissect_ipv6, pw_fields_ipv6, pw_label_ipv6},
    {PW_P_IPV6_HOPOPTS, pw_dissect_ipv6_hopopts, NULL}, /* fields: in pw_fields_ipv6 */
    {PW_P_IPV6_ROUTING, pw_dissect_ipv6_routing, NULL, pw_label_ipv6_routing},
    {PW_P_IPV6_FRAGHDR, pw_dissect_ipv6_fraghdr, NULL},
    {PW_P_IPV6_DSTOPTS, pw_dissect_ipv6_dstopts, NULL},
    {PW_P_AH, pw_dissect_ah, pw_fields_ah},
    {PW_P_ICMP, pw_dissect_icmp, pw_fields_icmp},
    {PW_P_ICMPV6, pw_dissect_icmpv6, pw_fields_icmpv6},
    {PW_P_TCP, pw_dissect_tcp, pw_fields_tcp, pw_label_tcp},
    {PW_P_UDP, pw_dissect_udp, pw_fields_udp, pw_label_udp},
    {PW_P_GRE, pw_dissect_gre, pw_fields_gre, pw_label_gre},
    {PW_P_VXLAN, pw_dissect_vxlan, pw_fields_vxlan},
    /* application protocols (issue 3) */
    {PW_P_DNS, pw_dissect_dns, pw_fields_dns, pw_label_dns},
    {PW_P_MDNS, pw_dissect_mdns, NULL, pw_label_dns},
    {PW_P_LLMNR, pw_dissect_llmnr, NULL, pw_label_dns},
    {PW_P_NBNS, pw_dissect_nbns, NULL},
    {PW_P_DHCP, pw_dissect_dhcp, NULL, pw_label_dhcp},
    {PW_P_DHCPV6, pw_dissect_dhcpv6, NULL},
    {PW_P_NTP, pw_dissect_ntp, NULL, pw_label_ntp},
    {PW_P_SSDP, pw_dissect_ssdp, NULL},
    {PW_P_SYSLOG, pw_dissect_syslog, NULL, pw_label_syslog},
    {PW_P_SNMP, pw_dissect_snmp, NULL},
    {PW_P_SIP, pw_dissect_sip, NULL, pw_label_sip},
    {PW_P_STUN, pw_dissect_stun, NULL, pw_label_stun},
    {PW_P_BT_DHT, pw_dissect_bt_dht, NULL},
    {PW_P_RADIUS, pw_dissect_radius, NULL},
    {PW_P_WG, pw_dissect_wg, NULL},
    {PW_P_RDPUDP, pw_dissect_rdpudp, NULL},
    {PW_P_SRVLOC, pw_dissect_srvloc, NULL},
    {PW_P_RIP, pw_dissect_rip, NULL},
    {PW_P_IGMP, pw_dissect_igmp, NULL},
    {PW_P_OSPF, pw_dissect_ospf, NULL},
    {PW_P_TEREDO, pw_dissect_teredo, NULL},
    {PW_P_QUIC, pw_dissect_quic, NULL},
    {PW_P_NBDGM, pw_dissect_nbdgm, NULL},
    {PW_P_RPC, pw_dissect_rpc, NULL, pw_label_rpc},
    /* more link types (branch linktypes) */
    {PW_P_CHDLC, pw_dissect_chdlc, pw_fields_chdlc},
    {PW_P_SLARP, pw_dissect_slarp, pw_fields_slarp},
    {PW_P_CDP, pw_dissect_cdp, pw_fields_cdp},
    {PW_P_NFLOG, pw_dissect_nflog, pw_fields_nflog},
    {PW_P_ARCNET, pw_dissect_arcnet, pw_fields_arcnet},
    {PW_P_IPOIB, pw_dissect_ipoib, pw_fields_ipoib},
    {PW_P_IPNET, pw_dissect_ipnet, pw_fields_ipnet},
    {PW_P_PKTAP, pw_dissect_pktap, pw_fields_pktap},
    {PW_P_PPI, pw_dissect_ppi, pw_fields_ppi, pw_label_ppi},
    {PW_P_FDDI, pw_dissect_fddi, pw_fields_fddi, pw_label_fddi},
    {PW_P_RADIOTAP, pw_dissect_radiotap, pw_fields_radiotap, pw_label_radiotap}, /* pushes wlan_radio */
    {PW_P_WLAN, pw_dissect_wlan, pw_fields_wlan, pw_label_wlan}, /* pushes wlan.mgt */
    /* tunnels and encapsulations */
    {PW_P_MPLS, pw_dissect_mpls, pw_fields_mpls, pw_label_mpls},
    {PW_P_IEEE8021AH, pw_dissect_pbb, pw_fields_pbb, pw_label_ieee8021ah},
    {PW_P_GENEVE, pw_dissect_geneve, pw_fields_geneve, pw_label_geneve},
    {PW_P_AYIYA, pw_dissect_ayiya, pw_fields_ayiya, pw_label_ayiya},
    {PW_P_GTP, pw_dissect_gtp, pw_fields_gtp}, /* also the gtpv2.* fields */
    {PW_P_VXLAN_GPE, pw_dissect_vxlan_gpe, NULL}, /* pushes PW_P_VXLAN layers */
    {PW_P_NSH, pw_dissect_nsh, pw_fields_nsh},
    {PW_P_ERSPAN, pw_dissect_erspan, pw_fields_erspan, pw_label_erspan},
    {PW_P_CMD, pw_dissect_cmd, pw_fields_cmd},
    {PW_P_VNTAG, pw_dissect_vntag, pw_fields_vntag},
    {PW_P_CFP, pw_dissect_cfp, pw_fields_cfp, pw_label_cfp},
    {PW_P_SCTP, pw_dissect_sctp, pw_fields_sctp, pw_label_sctp},
    {PW_P_ESP, pw_dissect_esp, NULL},
    {PW_P_VRRP, pw_dissect_vrrp, NULL},
    {PW_P_BOFL, pw_dissect_bofl, NULL},
    /* layer-only dissectors for protocols tshark shows instead of `data`
     * (issue 5 conformance; their bindings are in one block below) */
    {PW_P_STP, pw_dissect_stp, NULL, pw_label_stp},
    {PW_P_LCP, pw_dissect_lcp, NULL},
    {PW_P_ISAKMP, pw_dissect_isakmp, NULL},
    {PW_P_BVLC, pw_dissect_bvlc, NULL},
    {PW_P_BACNET, pw_dissect_bacnet, NULL},
    {PW_P_SAP, pw_dissect_sap, NULL},
    /* protocols of the application stage's TCP table (app.c), here for
     * their labels only */
    {PW_P_TPKT, NULL, NULL, pw_label_tpkt},
    {PW_P_TLS, NULL, pw_fields_tls},
    {PW_P_HTTP, NULL, pw_fields_http}, /* fields read the head http.c kept */
    {PW_P_PORTMAP, NULL, NULL, pw_label_portmap}, /* layers pushed by rpc.c */
    {PW_P_BITTORRENT, NULL, pw_fields_bittorrent},
    /* tshark's uTP heuristic is off by default: the protocol and its
     * fields exist for filters, no packet has the layer */
    {PW_P_BT_UTP, NULL, pw_fields_bt_utp},
    /* media layers of HTTP bodies (http.c) */
    {PW_P_DATA_TEXT_LINES, NULL, NULL, pw_label_media},
    {PW_P_JSON, NULL, NULL, pw_label_media},
    {PW_P_URLENCODED_FORM, NULL, NULL, pw_label_media},
    {PW_P_IMAGE_GIF, NULL, NULL, pw_label_media},
    {PW_P_MIME_MULTIPART, NULL, NULL, pw_label_media},
};

static const struct pw_binding bindings[] = {
    /* link types */
    {PW_KS_LINKTYPE, LT_NULL, LT_NULL, PW_P_NULL_LOOP},
    {PW_KS_LINKTYPE, LT_LOOP, LT_LOOP, PW_P_NULL_LOOP},
    {PW_KS_LINKTYPE, LT_ETHERNET, LT_ETHERNET, PW_P_ETH},
    {PW_KS_LINKTYPE, LT_PPP, LT_PPP, PW_P_PPP},
    {PW_KS_LINKTYPE, LT_PPP_HDLC, LT_PPP_HDLC, PW_P_PPP},
    {PW_KS_LINKTYPE, LT_RAW, LT_RAW, PW_P_RAW},
    {PW_KS_LINKTYPE, LT_IPV4, LT_IPV4, PW_P_RAW},
    {PW_KS_LINKTYPE, LT_IPV6, LT_IPV6, PW_P_RAW},
    {PW_KS_LINKTYPE, LT_LINUX_SLL, LT_LINUX_SLL, PW_P_SLL},
    {PW_KS_LINKTYPE, LT_LINUX_SLL2, LT_LINUX_SLL2, PW_P_SLL2},
    {PW_KS_LINKTYPE, LT_ATM_RFC1483, LT_ATM_RFC1483, PW_P_LLC}, /* RFC 1483 LLC encapsulation */
    /* EtherTypes */
    {PW_KS_ETHERTYPE, 0x0800, 0x0800, PW_P_IP},
    {PW_KS_ETHERTYPE, 0x0806, 0x0806, PW_P_ARP},
    {PW_KS_ETHERTYPE, 0x8035, 0x8035, PW_P_ARP}, /* RARP (RFC 903): ARP's format */
    {PW_KS_ETHERTYPE, 0x86dd, 0x86dd, PW_P_IPV6},
    {PW_KS_ETHERTYPE, 0x8100, 0x8100, PW_P_VLAN},
    {PW_KS_ETHERTYPE, 0x88a8, 0x88a8, PW_P_IEEE8021AD},
    {PW_KS_ETHERTYPE, 0x9100, 0x9100, PW_P_VLAN},
    {PW_KS_ETHERTYPE, 0x8864, 0x8864, PW_P_PPPOES},
    {PW_KS_ETHERTYPE, 0x880b, 0x880b, PW_P_PPP},
    {PW_KS_ETHERTYPE, 0x6558, 0x6558, PW_P_ETH},  /* transparent Ethernet bridging (GRE) */
    {PW_KS_ETHERTYPE, 0x9000, 0x9000, PW_P_LOOP}, /* Ethernet configuration test protocol */
    /* PPP protocols */
    {PW_KS_PPP, 0x0021, 0x0021, PW_P_IP},
    {PW_KS_PPP, 0x0057, 0x0057, PW_P_IPV6},
    /* IP protocols (IPv6 extension headers are bound like upper protocols,
     * as tshark does: IPv4 protocol 0 shows ipv6.hopopts) */
    {PW_KS_IPPROTO, 0, 0, PW_P_IPV6_HOPOPTS},
    {PW_KS_IPPROTO, 1, 1, PW_P_ICMP},
    {PW_KS_IPPROTO, 4, 4, PW_P_IP},
    {PW_KS_IPPROTO, 6, 6, PW_P_TCP},
    {PW_KS_IPPROTO, 17, 17, PW_P_UDP},
    {PW_KS_IPPROTO, 41, 41, PW_P_IPV6},
    {PW_KS_IPPROTO, 43, 43, PW_P_IPV6_ROUTING},
    {PW_KS_IPPROTO, 44, 44, PW_P_IPV6_FRAGHDR},
    {PW_KS_IPPROTO, 47, 47, PW_P_GRE},
    {PW_KS_IPPROTO, 51, 51, PW_P_AH},
    {PW_KS_IPPROTO, 58, 58, PW_P_ICMPV6},
    {PW_KS_IPPROTO, 60, 60, PW_P_IPV6_DSTOPTS},
    /* UDP ports */
    {PW_KS_UDP_PORT, 4789, 4789, PW_P_VXLAN},
    /* application protocols on UDP, as tshark 4.0's udp.port table
     * (`tshark -G decodes`); TCP payloads go to the application stage */
    {PW_KS_UDP_PORT, 53, 53, PW_P_DNS},
    {PW_KS_UDP_PORT, 67, 68, PW_P_DHCP},
    {PW_KS_UDP_PORT, 4011, 4011, PW_P_DHCP},
    {PW_KS_UDP_PORT, 123, 123, PW_P_NTP},
    {PW_KS_UDP_PORT, 137, 137, PW_P_NBNS},
    {PW_KS_UDP_PORT, 161, 162, PW_P_SNMP},
    {PW_KS_UDP_PORT, 8161, 8161, PW_P_SNMP},
    {PW_KS_UDP_PORT, 514, 514, PW_P_SYSLOG},
    {PW_KS_UDP_PORT, 546, 547, PW_P_DHCPV6},
    {PW_KS_UDP_PORT, 1900, 1900, PW_P_SSDP},
    {PW_KS_UDP_PORT, 3478, 3478, PW_P_STUN},
    {PW_KS_UDP_PORT, 5060, 5060, PW_P_SIP},
    {PW_KS_UDP_PORT, 5353, 5353, PW_P_MDNS},
    {PW_KS_UDP_PORT, 5355, 5355, PW_P_LLMNR},
    {PW_KS_UDP_PORT, 138, 138, PW_P_NBDGM},
    {PW_KS_UDP_PORT, 111, 111, PW_P_RPC},
    {PW_KS_UDP_PORT, 427, 427, PW_P_SRVLOC},
    {PW_KS_UDP_PORT, 443, 443, PW_P_QUIC},
    {PW_KS_UDP_PORT, 520, 520, PW_P_RIP},
    {PW_KS_UDP_PORT, 1645, 1646, PW_P_RADIUS},
    {PW_KS_UDP_PORT, 1812, 1813, PW_P_RADIUS},
    {PW_KS_UDP_PORT, 3389, 3389, PW_P_RDPUDP},
    {PW_KS_UDP_PORT, 3544, 3544, PW_P_TEREDO},
    {PW_KS_UDP_PORT, 51820, 51820, PW_P_WG},
    /* IP protocols whose hierarchy entry is all the statistics need */
    {PW_KS_IPPROTO, 2, 2, PW_P_IGMP},
    {PW_KS_IPPROTO, 89, 89, PW_P_OSPF},
    /* more link types (branch linktypes; LINKTYPE_* numbers) */
    {PW_KS_LINKTYPE, 10, 10, PW_P_FDDI},
    {PW_KS_LINKTYPE, 104, 104, PW_P_CHDLC},
    {PW_KS_LINKTYPE, 105, 105, PW_P_WLAN},     /* IEEE802_11 */
    {PW_KS_LINKTYPE, 127, 127, PW_P_RADIOTAP}, /* IEEE802_11_RADIOTAP */
    {PW_KS_LINKTYPE, 129, 129, PW_P_ARCNET}, /* ARCNET_LINUX */
    {PW_KS_LINKTYPE, 192, 192, PW_P_PPI},
    {PW_KS_LINKTYPE, 226, 226, PW_P_IPNET},
    {PW_KS_LINKTYPE, 239, 239, PW_P_NFLOG},
    {PW_KS_LINKTYPE, 242, 242, PW_P_IPOIB},
    {PW_KS_LINKTYPE, 258, 258, PW_P_PKTAP},
    {PW_KS_ETHERTYPE, 0x2000, 0x2000, PW_P_CDP}, /* Cisco HDLC; as tshark's table */
    /* tunnels and encapsulations */
    {PW_KS_ETHERTYPE, 0x8847, 0x8848, PW_P_MPLS},
    {PW_KS_ETHERTYPE, 0x88e7, 0x88e7, PW_P_IEEE8021AH},
    {PW_KS_ETHERTYPE, 0x894f, 0x894f, PW_P_NSH},
    {PW_KS_ETHERTYPE, 0x88be, 0x88be, PW_P_ERSPAN}, /* types I and II (GRE) */
    {PW_KS_ETHERTYPE, 0x22eb, 0x22eb, PW_P_ERSPAN}, /* type III (GRE) */
    {PW_KS_ETHERTYPE, 0x8909, 0x8909, PW_P_CMD},
    {PW_KS_ETHERTYPE, 0x8926, 0x8926, PW_P_VNTAG},
    {PW_KS_ETHERTYPE, 0x8903, 0x8903, PW_P_CFP}, /* only right after Ethernet */
    {PW_KS_IPPROTO, 132, 132, PW_P_SCTP},
    {PW_KS_IPPROTO, 137, 137, PW_P_MPLS},
    {PW_KS_UDP_PORT, 2123, 2123, PW_P_GTP},
    {PW_KS_UDP_PORT, 2152, 2152, PW_P_GTP},
    {PW_KS_UDP_PORT, 4790, 4790, PW_P_VXLAN_GPE},
    {PW_KS_UDP_PORT, 5072, 5072, PW_P_AYIYA},
    {PW_KS_UDP_PORT, 6081, 6081, PW_P_GENEVE},
    {PW_KS_UDP_PORT, 6635, 6635, PW_P_MPLS},
    {PW_KS_IPPROTO, 50, 50, PW_P_ESP},
    {PW_KS_IPPROTO, 112, 112, PW_P_VRRP},
    {PW_KS_ETHERTYPE, 0x8102, 0x8102, PW_P_BOFL},
    /* layer-only dissectors (issue 5 conformance); STP is reached from
     * LLC (DSAP 0x42, llc.c) */
    {PW_KS_PPP, 0xc021, 0xc021, PW_P_LCP},
    {PW_KS_UDP_PORT, 500, 500, PW_P_ISAKMP},
    {PW_KS_UDP_PORT, 47808, 47808, PW_P_BVLC},
    {PW_KS_UDP_PORT, 9875, 9875, PW_P_SAP},
};

#define LT_DENSE 512u

static struct {
    uint16_t linktype[LT_DENSE];
    uint16_t ethertype[65536];
    uint16_t ipproto[256];
    uint16_t ppp[65536];
    uint16_t udp_port[65536];
    uint16_t tcp_port[65536];
    const struct pw_dissector *by_proto[PW_P__COUNT];
} tab;

static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static uint16_t *space(unsigned ks, uint32_t *size)
{
    switch (ks) {
    case PW_KS_LINKTYPE: *size = LT_DENSE; return tab.linktype;
    case PW_KS_ETHERTYPE: *size = 65536; return tab.ethertype;
    case PW_KS_IPPROTO: *size = 256; return tab.ipproto;
    case PW_KS_PPP: *size = 65536; return tab.ppp;
    case PW_KS_UDP_PORT: *size = 65536; return tab.udp_port;
    case PW_KS_TCP_PORT: *size = 65536; return tab.tcp_port;
    default: *size = 0; return NULL;
    }
}

static void build_tables(void)
{
    for (size_t i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++)
        tab.by_proto[dissectors[i].proto] = &dissectors[i];
    for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++) {
        uint32_t size;
        uint16_t *a = space(bindings[i].ks, &size);
        for (uint32_t k = bindings[i].lo; a && k <= bindings[i].hi && k < size; k++)
            a[k] = bindings[i].proto;
    }
}

static inline void ensure_tables(void)
{
    pthread_once(&tab_once, build_tables);
}

unsigned pw_binding_lookup(enum pw_keyspace ks, uint32_t key)
{
    uint32_t size;
    ensure_tables();
    const uint16_t *a = space(ks, &size);
    if (a && key < size)
        return a[key];
    /* sparse keys beyond the dense range (large link type numbers) */
    for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
        if (bindings[i].ks == ks && key >= bindings[i].lo && key <= bindings[i].hi)
            return bindings[i].proto;
    return PW_P_NONE;
}

const struct pw_dissector *pw_dissector_for(unsigned proto)
{
    ensure_tables();
    return proto < PW_P__COUNT ? tab.by_proto[proto] : NULL;
}

size_t pw_proto_label(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if (n)
        buf[0] = '\0';
    if (!l)
        return pw_label_frame(pkt, NULL, buf, n);
    switch (l->proto) {
    case PW_P_WS_MALFORMED:
    case PW_P_WS_SHORT:
    case PW_P_WS_UNREASSEMBLED: return pw_label_ws(pkt, l, buf, n);
    default: break;
    }
    const struct pw_dissector *ds = pw_dissector_for(l->proto);
    return ds && ds->label ? ds->label(pkt, l, buf, n) : 0;
}

unsigned pw_proto_extra_items(const struct pw_layer *l)
{
    return l->proto == PW_P_IEEE8021AH ? 1 : 0;
}

size_t pw_proto_label_extra(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                            size_t n)
{
    if (n)
        buf[0] = '\0';
    return l->proto == PW_P_IEEE8021AH ? pw_label_pbb_itag(pkt, l, buf, n) : 0;
}

/* Field tables of the stages after dissection, which read results those
 * stages store in the packet (src/flow/fields.c: tcp.stream, tcp.analysis.*,
 * udp.stream). */
static const struct pw_field *const stage_fields[] = {pw_fields_flow};

const struct pw_field *pw_field_by_name(const char *abbrev)
{
    for (size_t i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++)
        for (const struct pw_field *f = dissectors[i].fields; f && f->abbrev; f++)
            if (strcmp(f->abbrev, abbrev) == 0)
                return f;
    for (size_t i = 0; i < sizeof(stage_fields) / sizeof(stage_fields[0]); i++)
        for (const struct pw_field *f = stage_fields[i]; f->abbrev; f++)
            if (strcmp(f->abbrev, abbrev) == 0)
                return f;
    return NULL;
}

void pw_field_foreach(void (*fn)(const struct pw_field *f, void *arg), void *arg)
{
    for (size_t i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++)
        for (const struct pw_field *f = dissectors[i].fields; f && f->abbrev; f++)
            fn(f, arg);
    for (size_t i = 0; i < sizeof(stage_fields) / sizeof(stage_fields[0]); i++)
        for (const struct pw_field *f = stage_fields[i]; f->abbrev; f++)
            fn(f, arg);
}
