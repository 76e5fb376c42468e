/* Cisco HDLC (LINKTYPE_C_HDLC 104, https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html):
 *
 *   address(1) control(1) protocol(2, big-endian) payload
 *
 * The address is 0x0f for unicast and 0x8f for broadcast frames; the
 * protocol is an EtherType, except 0x8035, which on Cisco HDLC is SLARP
 * (serial line address resolution, slarp.c) rather than RARP. tshark
 * dispatches the other values through its EtherType table without showing
 * an `ethertype` layer. Captures labelled LINKTYPE_PPP whose frames start
 * with a Cisco HDLC address reach this dissector from ppp.c. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define CHDLC_HLEN 4u
#define CHDLC_SLARP 0x8035u

int pw_dissect_chdlc(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_CHDLC, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 2); /* address, control: read by the getters */
    uint16_t proto = pw_cur_be16(c);
    l->hlen = CHDLC_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = proto;
    struct pw_cur payload = pw_cur_rest(c);
    if (proto == CHDLC_SLARP)
        pw_dissect_as(d, PW_P_SLARP, &payload);
    else
        pw_dispatch(d, PW_KS_ETHERTYPE, proto, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_address, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_control, PW_FT_UINT8, 1, 1)
PW_FGET_U(get_protocol, PW_FT_UINT16, l->u.key)

const struct pw_field pw_fields_chdlc[] = {
    {"chdlc.address", "Address", PW_FT_UINT8, PW_BASE_HEX, PW_P_CHDLC, get_address},
    {"chdlc.control", "Control", PW_FT_UINT8, PW_BASE_HEX, PW_P_CHDLC, get_control},
    {"chdlc.protocol", "Protocol", PW_FT_UINT16, PW_BASE_HEX, PW_P_CHDLC, get_protocol},
    PW_FIELDS_END,
};
