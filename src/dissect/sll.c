/* Linux "cooked" capture headers (LINKTYPE_LINUX_SLL 113 and
 * LINKTYPE_LINUX_SLL2 276, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 * and LINKTYPE_LINUX_SLL2.html). Both are big-endian.
 *
 *   v1: packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
 *   v2: protocol(2) reserved(2) interface index(4) ARPHRD type(2)
 *       packet type(1) address length(1) address(8)
 *
 * The protocol is an EtherType, except for the Linux pseudo-types 0x0001
 * (Novell 802.3 without LLC) and 0x0004 (802.2 LLC frames), and for ARPHRD
 * types whose protocol field means something else (netlink 824, CAN 280).
 * tshark names both versions `sll`, so both push a PW_P_SLL layer (one
 * abbreviation, one protocol for filters and statistics); PW_P_SLL2 only
 * names the v2 entry point in the registry. The header length (16 or 20)
 * tells the versions apart. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define SLL_HLEN 16u
#define SLL2_HLEN 20u
#define ARPHRD_CAN 280u
#define ARPHRD_NETLINK 824u
#define LINUX_SLL_P_802_3 0x0001u
#define LINUX_SLL_P_802_2 0x0004u

static void sll_payload(struct pw_dctx *d, struct pw_layer *l, struct pw_cur *c)
{
    struct pw_cur payload = pw_cur_rest(c);
    if (l->u.sll.hatype == ARPHRD_NETLINK || l->u.sll.hatype == ARPHRD_CAN) {
        pw_data(d, &payload);
        return;
    }
    switch (l->u.sll.proto) {
    case LINUX_SLL_P_802_2: pw_dissect_as(d, PW_P_LLC, &payload); return;
    case LINUX_SLL_P_802_3: /* raw IPX: no dissector yet */ pw_data(d, &payload); return;
    default: pw_dispatch(d, PW_KS_ETHERTYPE, l->u.sll.proto, &payload);
    }
}

int pw_dissect_sll(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_SLL, c);
    if (!l)
        return PW_DIS_OK;
    l->u.sll.pkttype = pw_cur_be16(c);
    l->u.sll.hatype = pw_cur_be16(c);
    l->u.sll.halen = pw_cur_be16(c);
    pw_cur_skip(c, 8);
    l->u.sll.proto = pw_cur_be16(c);
    l->u.sll.ifindex = 0;
    l->hlen = SLL_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    sll_payload(d, l, c);
    return PW_DIS_OK;
}

int pw_dissect_sll2(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_SLL, c);
    if (!l)
        return PW_DIS_OK;
    l->u.sll.proto = pw_cur_be16(c);
    pw_cur_skip(c, 2);
    l->u.sll.ifindex = pw_cur_be32(c);
    l->u.sll.hatype = pw_cur_be16(c);
    l->u.sll.pkttype = pw_cur_u8(c);
    l->u.sll.halen = pw_cur_u8(c);
    pw_cur_skip(c, 8);
    l->hlen = SLL2_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    sll_payload(d, l, c);
    return PW_DIS_OK;
}

PW_FGET_U(get_pkttype, PW_FT_UINT16, l->u.sll.pkttype)
PW_FGET_U(get_hatype, PW_FT_UINT16, l->u.sll.hatype)
PW_FGET_U(get_halen, PW_FT_UINT16, l->u.sll.halen)
static int get_ifindex(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    (void)pkt;
    if (l->hlen != SLL2_HLEN)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.sll.ifindex);
}

/* sll.etype when the protocol field is an EtherType, sll.ltype otherwise */
static bool proto_is_ethertype(const struct pw_layer *l)
{
    return l->u.sll.hatype != ARPHRD_NETLINK && l->u.sll.hatype != ARPHRD_CAN &&
           l->u.sll.proto > 0x05ff;
}

static int get_etype(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (!proto_is_ethertype(l))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.sll.proto);
}

static int get_ltype(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (proto_is_ethertype(l))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.sll.proto);
}

/* sll.src.eth: the link-layer address when it is a 6-byte Ethernet one */
static int get_src_eth(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    uint32_t at = l->hlen == SLL2_HLEN ? 12 : 6;
    const uint8_t *p = pw_lbytes(pkt, l, at, 6);
    if (!p || l->u.sll.halen != 6 || (l->u.sll.hatype != 1 && l->u.sll.hatype != 772))
        return 0;
    return pw_fv_addr(out, max, PW_FT_ETHER, p, 6);
}

const struct pw_field pw_fields_sll[] = {
    {"sll.pkttype", "Packet type", PW_FT_UINT16, PW_BASE_DEC, PW_P_SLL, get_pkttype},
    {"sll.hatype", "Link-layer address type", PW_FT_UINT16, PW_BASE_DEC, PW_P_SLL, get_hatype},
    {"sll.halen", "Link-layer address length", PW_FT_UINT16, PW_BASE_DEC, PW_P_SLL, get_halen},
    {"sll.src.eth", "Source", PW_FT_ETHER, PW_BASE_NONE, PW_P_SLL, get_src_eth},
    {"sll.etype", "Protocol", PW_FT_UINT16, PW_BASE_HEX, PW_P_SLL, get_etype},
    {"sll.ltype", "Protocol", PW_FT_UINT16, PW_BASE_HEX, PW_P_SLL, get_ltype},
    {"sll.ifindex", "Interface index", PW_FT_UINT32, PW_BASE_DEC, PW_P_SLL, get_ifindex},
    PW_FIELDS_END,
};

/* both versions push PW_P_SLL layers; the header length tells them apart */
size_t pw_label_sll(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "Linux cooked capture v%d", l->hlen == SLL2_HLEN ? 2 : 1);
}
