/* DHCPv6 (RFC 8415 sections 8, 9 and 21.1):
 *
 *   client/server: msg-type(1) transaction-id(3) options
 *   relay (12, 13): msg-type(1) hop-count(1) link-address(16)
 *                   peer-address(16) options
 *   option: code(2) length(2) value
 *
 * An option running past the datagram is malformed. */
#include "dissect/appsimple.h"

enum { RELAY_FORW = 12, RELAY_REPL = 13 };

int pw_dissect_dhcpv6(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_DHCPV6, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t type = pw_cur_u8(c);
    if (type == RELAY_FORW || type == RELAY_REPL)
        pw_cur_skip(c, 33);
    else
        pw_cur_skip(c, 3);
    l->hlen = c->pos;
    while (!c->err && pw_cur_rep_left(c) > 0) {
        pw_cur_be16(c);
        uint16_t len = pw_cur_be16(c);
        pw_cur_skip(c, len);
    }
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    c->pos = c->cap;
    return PW_DIS_OK;
}
