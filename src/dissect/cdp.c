/* Cisco Discovery Protocol, as far as the protocol hierarchy needs it: one
 * `cdp` layer over the whole message. It arrives as EtherType-like protocol
 * 0x2000 (Cisco HDLC, chdlc.c) or in an LLC/SNAP frame with Cisco's OUI
 * 00-00-0C (llc.c). Header:
 *
 *   version(1) ttl(1) checksum(2) TLVs...
 *
 * The TLVs are not decoded; they belong to the layer. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define CDP_HLEN 4u

int pw_dissect_cdp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_CDP, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, CDP_HLEN);
    l->hlen = CDP_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->hlen += pw_cur_left(c);
    pw_cur_skip(c, pw_cur_left(c));
    return PW_DIS_OK;
}

PW_FGET_BE(get_version, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_ttl, PW_FT_UINT8, 1, 1)

const struct pw_field pw_fields_cdp[] = {
    {"cdp.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_CDP, get_version},
    {"cdp.ttl", "TTL", PW_FT_UINT8, PW_BASE_DEC, PW_P_CDP, get_ttl},
    PW_FIELDS_END,
};
