/* IEEE 802.1ah Provider Backbone Bridges I-TAG (IEEE 802.1Q-2018 clause
 * 9.7), EtherType 0x88e7. tshark names the layer `ieee8021ah`:
 *
 *   TCI(4) = priority(3) drop eligible(1) use customer addresses(1)
 *            reserved(3) I-SID(24)
 *   customer destination(6) customer source(6) EtherType or length(2)
 *
 * The customer frame's EtherType goes through the EtherType bindings (a
 * value below 0x0600 is an 802.3 length and LLC follows, as in vlan.c). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define PBB_HLEN 18u
#define ETH_TYPE_MIN 0x0600u

int pw_dissect_pbb(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_IEEE8021AH, c);
    if (!l)
        return PW_DIS_OK;
    /* without the TCI tshark adds neither of its items (no fields) */
    if (pw_cur_left(c) < 4)
        l->flags |= PW_LF_NOTREE;
    uint32_t tci = pw_cur_be32(c);
    pw_cur_skip(c, 12);
    l->u.tun.next = pw_cur_be16(c);
    l->u.tun.id = tci & 0xffffff;
    l->u.tun.flags = (uint8_t)(tci >> 24);
    l->hlen = PBB_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (l->u.tun.next < ETH_TYPE_MIN) {
        struct pw_cur llc = pw_cur_sub(c, l->u.tun.next);
        pw_dissect_as(d, PW_P_LLC, &llc);
        return PW_DIS_OK;
    }
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_prio, PW_FT_UINT32, l->u.tun.flags >> 5)
PW_FGET_U(get_drop, PW_FT_UINT32, (l->u.tun.flags >> 4) & 1)
PW_FGET_U(get_nca, PW_FT_UINT32, (l->u.tun.flags >> 3) & 1)
PW_FGET_U(get_isid, PW_FT_UINT32, l->u.tun.id)

static int get_etype(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (l->u.tun.next < ETH_TYPE_MIN)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tun.next);
}

static int get_c_daddr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 4, 6);
    return p ? pw_fv_addr(out, max, PW_FT_ETHER, p, 6) : 0;
}

static int get_c_saddr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 10, 6);
    return p ? pw_fv_addr(out, max, PW_FT_ETHER, p, 6) : 0;
}

const struct pw_field pw_fields_pbb[] = {
    {"ieee8021ah.priority", "Priority", PW_FT_UINT32, PW_BASE_DEC, PW_P_IEEE8021AH, get_prio},
    {"ieee8021ah.drop", "DROP", PW_FT_UINT32, PW_BASE_DEC, PW_P_IEEE8021AH, get_drop},
    {"ieee8021ah.nca", "NCA", PW_FT_UINT32, PW_BASE_DEC, PW_P_IEEE8021AH, get_nca},
    {"ieee8021ah.isid", "I-SID", PW_FT_UINT32, PW_BASE_DEC, PW_P_IEEE8021AH, get_isid},
    {"ieee8021ah.cdst", "C-Destination", PW_FT_ETHER, PW_BASE_NONE, PW_P_IEEE8021AH, get_c_daddr},
    {"ieee8021ah.csrc", "C-Source", PW_FT_ETHER, PW_BASE_NONE, PW_P_IEEE8021AH, get_c_saddr},
    {"ieee8021ah.etype", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_IEEE8021AH, get_etype},
    PW_FIELDS_END,
};

/* tshark adds two items per tag: the protocol's, labelled once the
 * customer source address is captured ("IEEE 802.1ah, I-SID: 2014000,
 * C-Src: ..., C-Dst: ..."), then an `I-Tag` item with the same
 * abbreviation (pw_label_pbb_itag, one of pw_proto_extra_items) */
size_t pw_label_ieee8021ah(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                           size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 16);
    if (!p)
        return 0;
    size_t k = pw_label_add(buf, n, 0, "IEEE 802.1ah, I-SID: %u, C-Src: ", (unsigned)l->u.tun.id);
    k = pw_label_mac(buf, n, k, p + 10);
    k = pw_label_add(buf, n, k, ", C-Dst: ");
    return pw_label_mac(buf, n, k, p + 4);
}

size_t pw_label_pbb_itag(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                         size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "I-Tag, I-SID: %u", (unsigned)l->u.tun.id);
}
