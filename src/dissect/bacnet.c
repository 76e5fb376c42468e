/* BACnet network layer (ANSI/ASHRAE 135 clause 6), the NPDU:
 *
 *   version(1) control(1)
 *   [DNET(2) DLEN(1) DADR(DLEN)]   when control bit 5 is set
 *   [SNET(2) SLEN(1) SADR(SLEN)]   when control bit 3 is set
 *   [hop count(1)]                 when DNET is present
 *   network layer message: type(1) [vendor id(2) for types >= 0x80] ...
 *                                  when control bit 7 is set
 *   otherwise an APDU, the application layer: one `bacapp` layer.
 * No field is published yet. */
#include "dissect/appsimple.h"

int pw_dissect_bacnet(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_BACNET, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos;
    pw_cur_skip(c, 1); /* version */
    uint8_t ctl = pw_cur_u8(c);
    if (ctl & 0x20) {
        pw_cur_skip(c, 2);
        pw_cur_skip(c, pw_cur_u8(c));
    }
    if (ctl & 0x08) {
        pw_cur_skip(c, 2);
        pw_cur_skip(c, pw_cur_u8(c));
    }
    if (ctl & 0x20)
        pw_cur_skip(c, 1);
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (ctl & 0x80) { /* a network layer message: the rest is BACnet's */
        l->hlen = l->len;
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    struct pw_cur apdu = pw_cur_rest(c);
    if (pw_cur_rep_left(&apdu))
        pw_app_whole(d, PW_P_BACAPP, &apdu);
    return PW_DIS_OK;
}
