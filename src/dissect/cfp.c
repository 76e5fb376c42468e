/* Cisco FabricPath, EtherType 0x8903 (tshark's `cfp`, a heuristic of its
 * Ethernet dissector, on by default). The FabricPath header is an outer
 * Ethernet-like header, then the classic Ethernet frame:
 *
 *   destination(6) source(6) EtherType 0x8903(2) FTAG(10) TTL(6)
 *   inner Ethernet frame   FCS(4)
 *
 * tshark lists `eth:cfp:eth` in frame.protocols, but the heuristic runs
 * before the Ethernet tree item is made, so the hierarchy starts at `cfp`:
 * the outer `eth` layer is flagged PW_LF_SUBTREE and PW_LF_NOTREE (no
 * item: no eth.* fields, no `-e eth` occurrence) and the `cfp` layer
 * covers the whole 16-byte header. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define CFP_HLEN 16u
#define ETH_HLEN 14u
#define CFP_FCS 4u

int pw_dissect_cfp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_packet *pkt = d->pkt;
    struct pw_layer *outer = pkt->nlayers ? &pkt->layer[pkt->nlayers - 1] : NULL;
    if (!outer || outer->proto != PW_P_ETH || outer->hlen != ETH_HLEN ||
        pw_cur_frame_off(c) != outer->off + ETH_HLEN)
        return PW_DIS_NOT_MINE;
    outer->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
    struct pw_layer *l = pw_push_layer(d, PW_P_CFP, c);
    if (!l)
        return PW_DIS_OK;
    l->off = outer->off;
    l->len = outer->len;
    l->u.tun.next = pw_cur_be16(c); /* FTAG and TTL */
    l->hlen = CFP_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    /* the last 4 bytes are FabricPath's frame check sequence */
    uint32_t left = pw_cur_rep_left(c);
    struct pw_cur inner = pw_cur_sub(c, left > CFP_FCS ? left - CFP_FCS : 0);
    pw_dissect_as(d, PW_P_ETH, &inner);
    return PW_DIS_OK;
}

PW_FGET_U(get_ftag, PW_FT_UINT16, l->u.tun.next >> 6)
PW_FGET_U(get_ttl, PW_FT_UINT16, l->u.tun.next & 0x3f)

const struct pw_field pw_fields_cfp[] = {
    {"cfp.ftag", "FTAG", PW_FT_UINT16, PW_BASE_DEC, PW_P_CFP, get_ftag},
    {"cfp.ttl", "TTL", PW_FT_UINT16, PW_BASE_DEC, PW_P_CFP, get_ttl},
    PW_FIELDS_END,
};

/* A FabricPath address is shown as switch-id.sub-switch-id.LID (12, 8 and
 * 16 bits of the last five bytes); a group destination as a MAC (tshark
 * looks at the I/G bit of the destination only). */
static size_t fp_addr(char *buf, size_t n, size_t at, const uint8_t *a, bool dst)
{
    if (dst && (a[0] & 1))
        return pw_label_mac(buf, n, at, a);
    return pw_label_add(buf, n, at, "%03x.%02x.%04x", ((a[1] & 0x0fu) << 8) | a[2], a[3],
                        (unsigned)pw_get_be16(a + 4));
}

size_t pw_label_cfp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 12);
    if (!p)
        return 0;
    size_t at = pw_label_add(buf, n, 0, "Cisco FabricPath, Src: ");
    at = fp_addr(buf, n, at, p + 6, false);
    at = pw_label_add(buf, n, at, ", Dst: ");
    return fp_addr(buf, n, at, p, true);
}
