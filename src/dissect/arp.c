/* Address Resolution Protocol (RFC 826; RFC 5227 for probes):
 *
 *   hardware type(2) protocol type(2) hw addr len(1) proto addr len(1)
 *   opcode(2) sender hw(hln) sender proto(pln) target hw(hln) target proto(pln)
 *
 * The address lengths come from the packet: when they run past the reported
 * length the packet is malformed (tshark: `arp` then `_ws.malformed`), when
 * they run past the captured bytes it is cut short. Addresses are not copied
 * into the layer; the getters read them from the frame. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define ARP_FIXED 8u
#define ARPHRD_ETHER 1u
#define ARPHRD_IEEE802 6u
#define ETHERTYPE_IP 0x0800u

int pw_dissect_arp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_ARP, c);
    if (!l)
        return PW_DIS_OK;
    l->u.arp.hrd = pw_cur_be16(c);
    l->u.arp.pro = pw_cur_be16(c);
    l->u.arp.hln = pw_cur_u8(c);
    l->u.arp.pln = pw_cur_u8(c);
    l->u.arp.opcode = pw_cur_be16(c);
    l->hlen = ARP_FIXED + 2u * l->u.arp.hln + 2u * l->u.arp.pln;
    pw_cur_skip(c, l->hlen - ARP_FIXED);
    if (c->err == PW_CUR_MALFORMED)
        pw_anomaly(d, PW_AN_ARP_BAD_LEN);
    pw_check_cur(d, l, c);
    /* bytes after the addresses are link-layer padding, not a payload */
    return PW_DIS_OK;
}

PW_FGET_U(get_hrd, PW_FT_UINT16, l->u.arp.hrd)
PW_FGET_U(get_pro, PW_FT_UINT16, l->u.arp.pro)
PW_FGET_U(get_hln, PW_FT_UINT8, l->u.arp.hln)
PW_FGET_U(get_pln, PW_FT_UINT8, l->u.arp.pln)
PW_FGET_U(get_opcode, PW_FT_UINT16, l->u.arp.opcode)

static bool hw_is_mac(const struct pw_layer *l)
{
    return (l->u.arp.hrd == ARPHRD_ETHER || l->u.arp.hrd == ARPHRD_IEEE802) && l->u.arp.hln == 6;
}

static bool proto_is_ipv4(const struct pw_layer *l)
{
    return l->u.arp.pro == ETHERTYPE_IP && l->u.arp.pln == 4;
}

/* which: 0 sender hw, 1 sender proto, 2 target hw, 3 target proto */
static uint32_t addr_off(const struct pw_layer *l, int which)
{
    uint32_t h = l->u.arp.hln, p = l->u.arp.pln;
    static const uint8_t nh[4] = {0, 1, 1, 2}, np[4] = {0, 0, 1, 1};
    return ARP_FIXED + nh[which] * h + np[which] * p;
}

static int get_mac(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max, int which)
{
    const uint8_t *p = pw_lbytes(pkt, l, addr_off(l, which), 6);
    if (!hw_is_mac(l) || !p)
        return 0;
    return pw_fv_addr(out, max, PW_FT_ETHER, p, 6);
}

static int get_ipv4(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, int which)
{
    const uint8_t *p = pw_lbytes(pkt, l, addr_off(l, which), 4);
    if (!proto_is_ipv4(l) || !p)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV4, p, 4);
}

static int get_src_hw(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return get_mac(pkt, l, out, max, 0);
}

static int get_src_ip(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return get_ipv4(pkt, l, out, max, 1);
}

static int get_dst_hw(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return get_mac(pkt, l, out, max, 2);
}

static int get_dst_ip(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return get_ipv4(pkt, l, out, max, 3);
}

const struct pw_field pw_fields_arp[] = {
    {"arp.hw.type", "Hardware type", PW_FT_UINT16, PW_BASE_DEC, PW_P_ARP, get_hrd},
    {"arp.proto.type", "Protocol type", PW_FT_UINT16, PW_BASE_HEX, PW_P_ARP, get_pro},
    {"arp.hw.size", "Hardware size", PW_FT_UINT8, PW_BASE_DEC, PW_P_ARP, get_hln},
    {"arp.proto.size", "Protocol size", PW_FT_UINT8, PW_BASE_DEC, PW_P_ARP, get_pln},
    {"arp.opcode", "Opcode", PW_FT_UINT16, PW_BASE_DEC, PW_P_ARP, get_opcode},
    {"arp.src.hw_mac", "Sender MAC address", PW_FT_ETHER, PW_BASE_NONE, PW_P_ARP, get_src_hw},
    {"arp.src.proto_ipv4", "Sender IP address", PW_FT_IPV4, PW_BASE_NONE, PW_P_ARP, get_src_ip},
    {"arp.dst.hw_mac", "Target MAC address", PW_FT_ETHER, PW_BASE_NONE, PW_P_ARP, get_dst_hw},
    {"arp.dst.proto_ipv4", "Target IP address", PW_FT_IPV4, PW_BASE_NONE, PW_P_ARP, get_dst_ip},
    PW_FIELDS_END,
};

static bool all_zero(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* "Address Resolution Protocol (request)": the opcode, and for requests and
 * replies what tshark recognises in the addresses (RFC 5227 probes and
 * announcements, gratuitous ARP: sender and target protocol addresses
 * equal). Only a message whose addresses were all read is labelled. */
size_t pw_label_arp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if (l->flags & (PW_LF_TRUNCATED | PW_LF_MALFORMED))
        return 0;
    const uint8_t *a = pw_lbytes(pkt, l, 0, l->hlen);
    if (!a)
        return 0;
    static const char *const ops[] = {NULL, "request", "reply", "reverse request",
                                      "reverse reply", "drarp request", "drarp reply",
                                      "drarp error", "inverse request", "inverse reply"};
    uint16_t op = l->u.arp.opcode;
    size_t at = pw_label_add(buf, n, 0, "Address Resolution Protocol (");
    if (op == 0 || op >= sizeof(ops) / sizeof(ops[0]))
        return pw_label_add(buf, n, at, "opcode 0x%04x)", op);
    if (op <= 2) {
        unsigned hln = l->u.arp.hln, pln = l->u.arp.pln;
        const uint8_t *spa = a + addr_off(l, 1), *tha = a + addr_off(l, 2),
                      *tpa = a + addr_off(l, 3);
        bool gratuitous = memcmp(spa, tpa, pln) == 0;
        if (op == 1 && all_zero(tha, hln) && pln && all_zero(spa, pln))
            return pw_label_add(buf, n, at, "ARP Probe)");
        if (op == 1 && all_zero(tha, hln) && gratuitous)
            return pw_label_add(buf, n, at, "ARP Announcement)");
        if (gratuitous)
            return pw_label_add(buf, n, at, "%s/gratuitous ARP)", ops[op]);
    }
    return pw_label_add(buf, n, at, "%s)", ops[op]);
}
