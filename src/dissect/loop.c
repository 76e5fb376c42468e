/* Ethernet Configuration Testing Protocol, "loopback" (The Ethernet, Version
 * 2.0, 1982, section 8; EtherType 0x9000). All fields are little-endian:
 *
 *   skipCount(2)  then functions: function(2) = 2 forward: address(6)
 *                                             = 1 reply:   receipt number(2)
 *
 * The function list is walked up to and including the reply (each step
 * consumes bytes, so the walk ends); what follows is data. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define LOOP_FORWARD 2u
#define LOOP_REPLY 1u

int pw_dissect_loop(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_LOOP, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos;
    uint16_t skip = pw_cur_le16(c);
    l->u.key = skip;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    while (pw_cur_has(c, 2)) {
        uint16_t fn = pw_cur_le16(c);
        if (fn == LOOP_FORWARD) {
            pw_cur_skip(c, 6);
        } else {
            if (fn == LOOP_REPLY)
                pw_cur_skip(c, 2);
            break;
        }
    }
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_data(d, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_skip, PW_FT_UINT16, l->u.key)

const struct pw_field pw_fields_loop[] = {
    {"loop.skipcount", "skipCount", PW_FT_UINT16, PW_BASE_DEC, PW_P_LOOP, get_skip},
    PW_FIELDS_END,
};
