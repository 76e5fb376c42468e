/* The registration table: which dissectors exist, which fields they publish,
 * and which protocol follows which. Bindings are data; at first use they are
 * compiled into dense arrays so that per-packet dispatch is one index. */
#include <pthread.h>
#include <string.h>

#include "dissect/dissect.h"
#include "dissect/protos.h"

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
};

static const struct pw_dissector dissectors[] = {
    {PW_P_ETH, pw_dissect_eth, pw_fields_eth},
    {PW_P_LLC, pw_dissect_llc, NULL},
    {PW_P_VLAN, pw_dissect_vlan, pw_fields_vlan},
    {PW_P_IEEE8021AD, pw_dissect_vlan, NULL},
    {PW_P_SLL, pw_dissect_sll, NULL},
    {PW_P_SLL2, pw_dissect_sll2, NULL},
    {PW_P_NULL_LOOP, pw_dissect_null, NULL},
    {PW_P_RAW, pw_dissect_raw, NULL},
    {PW_P_PPP, pw_dissect_ppp, NULL},
    {PW_P_PPPOES, pw_dissect_pppoes, NULL},
    {PW_P_ARP, pw_dissect_arp, pw_fields_arp},
    {PW_P_IP, pw_dissect_ipv4, pw_fields_ip},
    {PW_P_IPV6, pw_dissect_ipv6, pw_fields_ipv6},
    {PW_P_ICMP, pw_dissect_icmp, pw_fields_icmp},
    {PW_P_ICMPV6, pw_dissect_icmpv6, pw_fields_icmpv6},
    {PW_P_TCP, pw_dissect_tcp, pw_fields_tcp},
    {PW_P_UDP, pw_dissect_udp, pw_fields_udp},
    {PW_P_GRE, pw_dissect_gre, NULL},
    {PW_P_VXLAN, pw_dissect_vxlan, NULL},
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
    /* EtherTypes */
    {PW_KS_ETHERTYPE, 0x0800, 0x0800, PW_P_IP},
    {PW_KS_ETHERTYPE, 0x0806, 0x0806, PW_P_ARP},
    {PW_KS_ETHERTYPE, 0x86dd, 0x86dd, PW_P_IPV6},
    {PW_KS_ETHERTYPE, 0x8100, 0x8100, PW_P_VLAN},
    {PW_KS_ETHERTYPE, 0x88a8, 0x88a8, PW_P_IEEE8021AD},
    {PW_KS_ETHERTYPE, 0x9100, 0x9100, PW_P_VLAN},
    {PW_KS_ETHERTYPE, 0x8864, 0x8864, PW_P_PPPOES},
    {PW_KS_ETHERTYPE, 0x880b, 0x880b, PW_P_PPP},
    {PW_KS_ETHERTYPE, 0x6558, 0x6558, PW_P_ETH}, /* transparent Ethernet bridging (GRE) */
    /* PPP protocols */
    {PW_KS_PPP, 0x0021, 0x0021, PW_P_IP},
    {PW_KS_PPP, 0x0057, 0x0057, PW_P_IPV6},
    /* IP protocols */
    {PW_KS_IPPROTO, 1, 1, PW_P_ICMP},
    {PW_KS_IPPROTO, 4, 4, PW_P_IP},
    {PW_KS_IPPROTO, 6, 6, PW_P_TCP},
    {PW_KS_IPPROTO, 17, 17, PW_P_UDP},
    {PW_KS_IPPROTO, 41, 41, PW_P_IPV6},
    {PW_KS_IPPROTO, 47, 47, PW_P_GRE},
    {PW_KS_IPPROTO, 58, 58, PW_P_ICMPV6},
    /* UDP ports */
    {PW_KS_UDP_PORT, 4789, 4789, PW_P_VXLAN},
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

const struct pw_field *pw_field_by_name(const char *abbrev)
{
    for (size_t i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++)
        for (const struct pw_field *f = dissectors[i].fields; f && f->abbrev; f++)
            if (strcmp(f->abbrev, abbrev) == 0)
                return f;
    return NULL;
}

void pw_field_foreach(void (*fn)(const struct pw_field *f, void *arg), void *arg)
{
    for (size_t i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++)
        for (const struct pw_field *f = dissectors[i].fields; f && f->abbrev; f++)
            fn(f, arg);
}
