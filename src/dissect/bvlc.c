/* BACnet Virtual Link Control (ANSI/ASHRAE 135 Annex J), UDP port 47808:
 *
 *   type(1) = 0x81   function(1)   length(2)   [function-specific]
 *
 * The functions that carry an NPDU are Original-Unicast-NPDU (0x0a),
 * Original-Broadcast-NPDU (0x0b), Distribute-Broadcast-To-Network (0x09),
 * after the 4-byte header, and Forwarded-NPDU (0x04), after 6 more bytes
 * (the original B/IP address and port); the NPDU goes to `bacnet`. The
 * other functions (results, BDT/FDT management) end with BVLC itself. */
#include "dissect/appsimple.h"

#define BVLC_TYPE 0x81u

int pw_dissect_bvlc(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_BVLC, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t type = pw_cur_u8(c);
    uint8_t fn = pw_cur_u8(c);
    pw_cur_skip(c, 2);
    l->hlen = 4;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (type != BVLC_TYPE) {
        l->hlen = l->len;
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    if (fn == 0x04) {
        pw_cur_skip(c, 6);
        l->hlen += 6;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
    } else if (fn != 0x09 && fn != 0x0a && fn != 0x0b) {
        l->hlen = l->len;
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    struct pw_cur npdu = pw_cur_rest(c);
    if (pw_cur_rep_left(&npdu))
        pw_dissect_as(d, PW_P_BACNET, &npdu);
    return PW_DIS_OK;
}
