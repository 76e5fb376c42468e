/* Point-to-Point Protocol (RFC 1661 section 2) with the HDLC-like framing of
 * RFC 1662 section 3.1, as found in LINKTYPE_PPP 9 and LINKTYPE_PPP_HDLC 50
 * records, in PPPoE sessions and in PPTP's enhanced GRE:
 *
 *   [address 0xff  control(1)]  protocol(1 or 2)  information
 *
 * The address/control pair is optional (RFC 1661 ACFC), so it is skipped
 * when the first byte is the all-stations address 0xff. The protocol field
 * is one byte when that byte is odd (RFC 1661 PFC: every protocol number has
 * an odd low byte and an even high byte). Escaped (byte-stuffed) frames are
 * not undone: tshark does not undo them for these link types either.
 *
 * A LINKTYPE_PPP / PPP_HDLC record that starts with a Cisco HDLC address
 * (0x0f unicast, 0x8f broadcast) is a Cisco HDLC frame; tshark hands it to
 * `chdlc` and lists `ppp` in frame.protocols without a tree item of its
 * own, so the `ppp` layer is empty and PW_LF_SUBTREE (no hierarchy level). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define PPP_ALLSTATIONS 0xffu
#define CHDLC_UNICAST 0x0fu
#define CHDLC_BROADCAST 0x8fu

/* the record's own link layer (after a possible pkt_comment) starting with
 * a Cisco HDLC address */
static bool is_chdlc(const struct pw_dctx *d, const struct pw_cur *c)
{
    for (unsigned i = 0; i + 1 < d->pkt->nlayers; i++)
        if (d->pkt->layer[i].proto != PW_P_PKT_COMMENT)
            return false;
    if (!pw_cur_has(c, 1))
        return false;
    uint8_t a = pw_cur_peek(c, 0);
    return a == CHDLC_UNICAST || a == CHDLC_BROADCAST;
}

int pw_dissect_ppp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_PPP, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos;
    if (is_chdlc(d, c)) {
        l->flags |= PW_LF_SUBTREE;
        l->hlen = 0;
        l->u.key = 0;
        pw_dissect_as(d, PW_P_CHDLC, c);
        return PW_DIS_OK;
    }
    if (pw_cur_peek(c, 0) == PPP_ALLSTATIONS && pw_cur_has(c, 1))
        pw_cur_skip(c, 2);
    uint16_t proto = pw_cur_u8(c);
    if (!(proto & 1u))
        proto = (uint16_t)(proto << 8 | pw_cur_u8(c));
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = proto;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_PPP, proto, &payload);
    return PW_DIS_OK;
}

static int get_address(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 2);
    if (!p || p[0] != PPP_ALLSTATIONS || l->hlen < 3)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, p[0]);
}

static int get_control(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 2);
    if (!p || p[0] != PPP_ALLSTATIONS || l->hlen < 3)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, p[1]);
}

static int get_protocol(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    (void)pkt;
    if (l->hlen == 0) /* a Cisco HDLC frame: no PPP header */
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.key);
}

const struct pw_field pw_fields_ppp[] = {
    {"ppp.address", "Address", PW_FT_UINT8, PW_BASE_HEX, PW_P_PPP, get_address},
    {"ppp.control", "Control", PW_FT_UINT8, PW_BASE_HEX, PW_P_PPP, get_control},
    {"ppp.protocol", "Protocol", PW_FT_UINT16, PW_BASE_HEX, PW_P_PPP, get_protocol},
    PW_FIELDS_END,
};
