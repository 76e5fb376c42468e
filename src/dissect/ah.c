/* IP Authentication Header (RFC 4302 section 2), IP protocol 51:
 *
 *   next header(1) payload length(1, 32-bit words minus 2) reserved(2)
 *   SPI(4) sequence number(4) ICV(variable)
 *
 * The header is not encrypted, so the protocol it protects is dissected
 * after it. After IPv6 it is part of the extension-header chain (see
 * ipv6.c); after IPv4 tshark shows it as a level of its own. */
#include "dissect/fget.h"
#include "dissect/protos.h"

int pw_dissect_ah(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *owner;
    struct pw_layer *l = pw_ipv6_ext_push(d, PW_P_AH, c, &owner);
    if (!l)
        return PW_DIS_OK;
    uint8_t nxt = pw_cur_u8(c);
    uint8_t len4 = pw_cur_u8(c);
    uint32_t hlen = 4u * (len4 + 2u);
    pw_cur_skip(c, hlen - 2);
    l->u.ext.nxt = nxt;
    l->u.ext.len = (uint16_t)hlen;
    l->hlen = hlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (owner)
        owner->u.ip6.proto = nxt;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_IPPROTO, nxt, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_nxt, PW_FT_UINT8, l->u.ext.nxt)
PW_FGET_U(get_length, PW_FT_UINT8, l->u.ext.len / 4u - 2u)
PW_FGET_BE(get_spi, PW_FT_UINT32, 4, 4)
PW_FGET_BE(get_seq, PW_FT_UINT32, 8, 4)

const struct pw_field pw_fields_ah[] = {
    {"ah.next_header", "Next header", PW_FT_UINT8, PW_BASE_DEC, PW_P_AH, get_nxt},
    {"ah.length", "Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_AH, get_length},
    {"ah.spi", "AH SPI", PW_FT_UINT32, PW_BASE_HEX, PW_P_AH, get_spi},
    {"ah.sequence", "AH Sequence", PW_FT_UINT32, PW_BASE_DEC, PW_P_AH, get_seq},
    PW_FIELDS_END,
};
