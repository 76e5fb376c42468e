/* Ethernet II and IEEE 802.3 framing (IEEE 802.3-2018 clause 3).
 *
 *   dst(6) src(6) type/length(2) payload [FCS(4)]
 *
 * A type/length value below 0x0600 is an 802.3 length: the payload is LLC
 * (bytes past the length are padding). 0x0600 and above is an EtherType. */
#include <string.h>

#include "dissect/fget.h"
#include "dissect/protos.h"

#define ETH_HLEN 14u
#define ETH_TYPE_MIN 0x0600u

int pw_dissect_eth(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_ETH, c);
    if (!l)
        return PW_DIS_OK;
    struct pw_eth_hdr *h = &l->u.eth;
    pw_cur_bytes(c, h->dst, 6);
    pw_cur_bytes(c, h->src, 6);
    h->type = pw_cur_be16(c);
    l->hlen = ETH_HLEN;
    if (!pw_check_cur(d, l, c)) {
        /* a header cut by the capture: tshark lists `eth` in
         * frame.protocols but its tree item is never added (only the
         * `_ws.short` item is): no hierarchy level, no fields, and
         * filters do not see it */
        if (l->flags & PW_LF_TRUNCATED)
            l->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
        return PW_DIS_OK;
    }

    if (h->type < ETH_TYPE_MIN) {
        /* 802.3: the length bounds the LLC PDU; the rest is padding */
        struct pw_cur llc = pw_cur_sub(c, h->type);
        pw_dissect_as(d, PW_P_LLC, &llc);
        return PW_DIS_OK;
    }
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, h->type, &payload);
    return PW_DIS_OK;
}

static int get_dst(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (max < 1)
        return 1;
    out[0].type = PW_FT_ETHER;
    memcpy(out[0].v.addr, l->u.eth.dst, 6);
    return 1;
}

static int get_src(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (max < 1)
        return 1;
    out[0].type = PW_FT_ETHER;
    memcpy(out[0].v.addr, l->u.eth.src, 6);
    return 1;
}

/* eth.addr, eth.ig, eth.lg: the destination's value, then the source's
 * (Wireshark's tree order) */
static int dst_then_src(pw_field_get_fn dst, pw_field_get_fn src, const struct pw_packet *pkt,
                        const struct pw_layer *l, struct pw_fvalue *out, int max)
{
    int n = dst(pkt, l, out, max);
    if (max > 1)
        src(pkt, l, out + 1, max - 1);
    return n + 1;
}

static int get_addr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    return dst_then_src(get_dst, get_src, pkt, l, out, max);
}

/* The I/G and L/G bits are the two low bits of an address's first octet
 * (IEEE 802-2014 8.2). tshark shows them under each address, so eth.ig and
 * eth.lg have two occurrences: destination's, then source's. */
#define ETH_IG 0x01u
#define ETH_LG 0x02u
#define ETH_BIT(a, bit) (((a)[0] & (bit)) != 0)

PW_FGET_U(get_dst_ig, PW_FT_BOOLEAN, ETH_BIT(l->u.eth.dst, ETH_IG))
PW_FGET_U(get_dst_lg, PW_FT_BOOLEAN, ETH_BIT(l->u.eth.dst, ETH_LG))
PW_FGET_U(get_src_ig, PW_FT_BOOLEAN, ETH_BIT(l->u.eth.src, ETH_IG))
PW_FGET_U(get_src_lg, PW_FT_BOOLEAN, ETH_BIT(l->u.eth.src, ETH_LG))

static int get_ig(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                  int max)
{
    return dst_then_src(get_dst_ig, get_src_ig, pkt, l, out, max);
}

static int get_lg(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                  int max)
{
    return dst_then_src(get_dst_lg, get_src_lg, pkt, l, out, max);
}

static int get_type(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    if (l->u.eth.type < ETH_TYPE_MIN)
        return 0;
    if (max >= 1) {
        out[0].type = PW_FT_UINT16;
        out[0].v.u = l->u.eth.type;
    }
    return 1;
}

const struct pw_field pw_fields_eth[] = {
    {"eth.dst", "Destination", PW_FT_ETHER, PW_BASE_NONE, PW_P_ETH, get_dst},
    {"eth.src", "Source", PW_FT_ETHER, PW_BASE_NONE, PW_P_ETH, get_src},
    {"eth.addr", "Address", PW_FT_ETHER, PW_BASE_NONE, PW_P_ETH, get_addr},
    {"eth.dst.lg", "LG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_dst_lg},
    {"eth.dst.ig", "IG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_dst_ig},
    {"eth.src.lg", "LG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_src_lg},
    {"eth.src.ig", "IG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_src_ig},
    {"eth.lg", "LG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_lg},
    {"eth.ig", "IG bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_ETH, get_ig},
    {"eth.type", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_ETH, get_type},
    {NULL, NULL, 0, 0, 0, NULL},
};

/* An 802.3 frame's label ends in a space: tshark's format leaves room for
 * the addresses it only adds to Ethernet II. */
size_t pw_label_eth(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    if (l->u.eth.type < ETH_TYPE_MIN)
        return pw_label_add(buf, n, 0, "IEEE 802.3 Ethernet ");
    size_t at = pw_label_add(buf, n, 0, "Ethernet II, Src: ");
    at = pw_label_mac(buf, n, at, l->u.eth.src);
    at = pw_label_add(buf, n, at, ", Dst: ");
    return pw_label_mac(buf, n, at, l->u.eth.dst);
}
