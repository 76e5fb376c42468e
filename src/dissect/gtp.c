/* GPRS Tunnelling Protocol: GTPv1-U (3GPP TS 29.281 section 5), UDP port
 * 2152, and the control plane on UDP port 2123, GTPv1-C (TS 29.060) and
 * GTPv2-C (TS 29.274), whose layers tshark names `gtp` and `gtpv2`.
 *
 *   flags(1) = version(3) protocol type(1) spare(1) E(1) S(1) PN(1)
 *   message type(1) length(2, bytes after these 8) TEID(4)
 *   [sequence(2) N-PDU number(1) next extension type(1)] if E, S or PN
 *   extension headers: length(1, 4-byte words) content next type(1)
 *
 * A T-PDU (message type 255) carries a user packet, guessed as tshark's
 * default "TPDU heuristic" does: 0x45..0x4f starts IPv4, nibble 6 IPv6,
 * anything else is `data`. Signalling messages end at the `gtp` layer (their
 * information elements are part of it). Version 2 is the `gtpv2` layer:
 *
 *   flags(1) = version(3) piggyback(1) T(1) ...   message type(1) length(2)
 *   [TEID(4)] if T   sequence(3) spare(1)
 *
 * Version 0 gets the `gtp` layer only; GTP' (protocol type bit clear) the
 * `gtpprime` layer only, preceded by a `gtp` marker layer (hlen 0,
 * PW_LF_SUBTREE) because frame.protocols names it `gtp`. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define GTP_HLEN 8u
#define GTP_OPT 4u
#define GTP_E 0x04u
#define GTP_S 0x02u
#define GTP_PN 0x01u
#define GTP_PT 0x10u
#define GTP_TPDU 0xffu
#define GTPV2_T 0x08u

/* tshark hands GTPv2 over from its GTP dissector: frame.protocols lists
 * `gtp:gtpv2`, the hierarchy only `gtpv2` (a `gtp` marker layer, hlen 0,
 * PW_LF_SUBTREE, as for GTP') */
static int dissect_gtpv2(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *m = pw_push_layer(d, PW_P_GTP, c);
    if (!m)
        return PW_DIS_OK;
    m->flags |= PW_LF_SUBTREE;
    m->u.tun.flags = m->u.tun.next = 0;
    m->u.tun.id = 0;
    struct pw_layer *l = pw_push_layer(d, PW_P_GTPV2, c);
    if (!l)
        return PW_DIS_OK;
    l->u.tun.flags = pw_cur_u8(c);
    l->u.tun.next = pw_cur_u8(c);
    l->u.tun.count = 0;
    pw_cur_skip(c, 2);
    l->u.tun.id = (l->u.tun.flags & GTPV2_T) ? pw_cur_be32(c) : 0;
    pw_cur_skip(c, 4);
    l->hlen = pw_cur_frame_off(c) - l->off;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    /* the information elements are part of the layer */
    pw_cur_skip(c, pw_cur_left(c));
    return PW_DIS_OK;
}

int pw_dissect_gtp(struct pw_dctx *d, struct pw_cur *c)
{
    if (pw_cur_has(c, 1) && (pw_cur_peek(c, 0) >> 5) == 2)
        return dissect_gtpv2(d, c);
    /* GTP' (protocol type bit clear): tshark lists `gtp` in frame.protocols
     * but its tree, so the hierarchy, shows `gtpprime` */
    bool prime = pw_cur_has(c, 1) && !(pw_cur_peek(c, 0) & GTP_PT);
    if (prime) {
        struct pw_layer *m = pw_push_layer(d, PW_P_GTP, c);
        if (!m)
            return PW_DIS_OK;
        m->flags |= PW_LF_SUBTREE;
        m->u.tun.flags = m->u.tun.next = 0;
        m->u.tun.id = 0;
    }
    struct pw_layer *l = pw_push_layer(d, prime ? PW_P_GTPPRIME : PW_P_GTP, c);
    if (!l)
        return PW_DIS_OK;
    if (prime)
        l->flags |= PW_LF_UNLISTED;
    uint32_t start = c->pos;
    l->u.tun.flags = pw_cur_u8(c);
    l->u.tun.next = pw_cur_u8(c);
    uint16_t len = pw_cur_be16(c);
    l->u.tun.id = pw_cur_be32(c);
    l->u.tun.count = 0;
    unsigned ver = l->u.tun.flags >> 5;
    if (ver != 1 || !(l->u.tun.flags & GTP_PT)) {
        /* GTPv0 or GTP' (whose header is shorter, but pktwatch decodes no
         * more of it than the layer) */
        l->hlen = GTP_HLEN;
        if (pw_check_cur(d, l, c))
            pw_cur_skip(c, pw_cur_left(c));
        return PW_DIS_OK;
    }
    if (l->u.tun.flags & (GTP_E | GTP_S | GTP_PN)) {
        pw_cur_skip(c, 3);
        uint8_t next = pw_cur_u8(c);
        /* each extension header consumes at least 4 bytes */
        while (next != 0 && !c->err) {
            uint32_t elen = 4u * pw_cur_u8(c);
            if (elen == 0) {
                /* tshark: an expert error, no exception; nothing follows */
                l->hlen = c->pos - start;
                pw_invalid(d, l, PW_AN_GTP_BAD_EXTHDR);
                return PW_DIS_OK;
            }
            pw_cur_skip(c, elen - 2);
            next = pw_cur_u8(c);
        }
    }
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    uint32_t opt = l->hlen - GTP_HLEN;
    uint32_t plen = len > opt ? len - opt : 0;
    struct pw_cur payload = pw_cur_sub(c, plen);
    if (l->u.tun.next != GTP_TPDU || pw_cur_rep_left(&payload) == 0)
        return PW_DIS_OK;
    uint8_t b = pw_cur_peek(&payload, 0);
    if (b >= 0x45 && b <= 0x4f)
        pw_dissect_as(d, PW_P_IP, &payload);
    else if ((b >> 4) == 6)
        pw_dissect_as(d, PW_P_IPV6, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

/* the GTP' marker layer (hlen 0) publishes no fields */
#define GTP_FGET(fn, ftype, expr)                                                                  \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        (void)pkt;                                                                                 \
        if (l->hlen == 0)                                                                          \
            return 0;                                                                              \
        return pw_fv_u(out, max, ftype, (uint64_t)(expr));                                         \
    }

GTP_FGET(get_flags, PW_FT_UINT8, l->u.tun.flags)
GTP_FGET(get_message, PW_FT_UINT8, l->u.tun.next)
PW_FGET_BE(get_length, PW_FT_UINT16, 2, 2)
GTP_FGET(get_teid, PW_FT_UINT32, l->u.tun.id)

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 8, 2);
    if (!p || l->hlen < GTP_HLEN + GTP_OPT || !(l->u.tun.flags & GTP_S))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p));
}

static int get_v2_teid(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    (void)pkt;
    if (!(l->u.tun.flags & GTPV2_T))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.tun.id);
}

const struct pw_field pw_fields_gtp[] = {
    {"gtp.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_GTP, get_flags},
    {"gtp.message", "Message Type", PW_FT_UINT8, PW_BASE_HEX, PW_P_GTP, get_message},
    {"gtp.length", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_GTP, get_length},
    {"gtp.teid", "TEID", PW_FT_UINT32, PW_BASE_HEX_DEC, PW_P_GTP, get_teid},
    {"gtp.seq_number", "Sequence number", PW_FT_UINT16, PW_BASE_HEX_DEC, PW_P_GTP, get_seq},
    {"gtpv2.message_type", "Message Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_GTPV2, get_message},
    {"gtpv2.msg_length", "Message Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_GTPV2, get_length},
    {"gtpv2.teid", "Tunnel Endpoint Identifier", PW_FT_UINT32, PW_BASE_HEX_DEC, PW_P_GTPV2,
     get_v2_teid},
    PW_FIELDS_END,
};
