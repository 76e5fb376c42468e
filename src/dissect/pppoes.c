/* PPP over Ethernet, session stage (RFC 2516 section 4, EtherType 0x8864):
 *
 *   version(4 bits)=1 type(4)=1  code(1)=0  session id(2)  length(2)  PPP
 *
 * The length counts the PPP payload (protocol field included) and bounds it:
 * anything after it in the frame is Ethernet padding. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define PPPOE_HLEN 6u

int pw_dissect_pppoes(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_PPPOES, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 4);
    uint16_t len = pw_cur_be16(c);
    l->hlen = PPPOE_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = len;
    struct pw_cur payload = pw_cur_sub(c, len);
    pw_dissect_as(d, PW_P_PPP, &payload);
    return PW_DIS_OK;
}

static int get_version(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 1);
    return p ? pw_fv_u(out, max, PW_FT_UINT8, p[0] >> 4) : 0;
}

static int get_type(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 1);
    return p ? pw_fv_u(out, max, PW_FT_UINT8, p[0] & 0x0f) : 0;
}

PW_FGET_BE(get_code, PW_FT_UINT8, 1, 1)
PW_FGET_BE(get_session, PW_FT_UINT16, 2, 2)
PW_FGET_U(get_length, PW_FT_UINT16, l->u.key)

/* Wireshark registers the PPPoE header fields under `pppoe.` for both the
 * discovery and the session protocol. */
const struct pw_field pw_fields_pppoes[] = {
    {"pppoe.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_PPPOES, get_version},
    {"pppoe.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_PPPOES, get_type},
    {"pppoe.code", "Code", PW_FT_UINT8, PW_BASE_HEX, PW_P_PPPOES, get_code},
    {"pppoe.session_id", "Session ID", PW_FT_UINT16, PW_BASE_HEX, PW_P_PPPOES, get_session},
    {"pppoe.payload_length", "Payload Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_PPPOES, get_length},
    PW_FIELDS_END,
};
