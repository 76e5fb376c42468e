/* Session Announcement Protocol (RFC 2974), UDP port 9875:
 *
 *   V(3) A(1) R(1) T(1) E(1) C(1)   auth len(1)   msg id hash(2)
 *   originating source (4 bytes, or 16 when A is set)
 *   authentication data (auth len 32-bit words)
 *   [payload type: a NUL-terminated MIME type, absent when the payload
 *    starts with "v=0"]   payload
 *
 * An unencrypted, uncompressed payload goes to `sdp`. */
#include <string.h>

#include "dissect/appsimple.h"

int pw_dissect_sap(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_SAP, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos;
    uint8_t flags = pw_cur_u8(c);
    uint8_t auth_words = pw_cur_u8(c);
    pw_cur_skip(c, 2);
    pw_cur_skip(c, (flags & 0x10) ? 16 : 4);
    pw_cur_skip(c, 4u * auth_words);
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (flags & 0x03) { /* encrypted or compressed */
        l->hlen = l->len;
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    if (!pw_cur_starts(c, "v=0", 3)) {
        /* skip the payload type and its NUL */
        while (pw_cur_has(c, 1) && pw_cur_u8(c) != 0)
            ;
        l->hlen = c->pos - start;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
    }
    struct pw_cur payload = pw_cur_rest(c);
    if (pw_cur_rep_left(&payload))
        pw_app_whole(d, PW_P_SDP, &payload);
    return PW_DIS_OK;
}
