/* Raw IP link types (https://www.tcpdump.org/linktypes.html):
 *   LINKTYPE_RAW 101   the packet starts with an IPv4 or IPv6 header;
 *   LINKTYPE_IPV4 228, LINKTYPE_IPV6 229: same, nominally one version.
 *
 * The version nibble of the first byte decides, as tshark does. For
 * LINKTYPE_IPV4 the IPv4 dissector makes that choice itself, the way
 * tshark's does (an IPv6 packet there shows as `ip:ipv6`). tshark shows
 * a `raw` layer only for LINKTYPE_RAW; 228 and 229 start directly at `ip` /
 * `ipv6`. With no recognisable version, 101 gives data and 228/229 hand the
 * bytes to their nominal protocol, which then reports the bad version. */
#include "dissect/protos.h"

#define LT_RAW 101u
#define LT_IPV4 228u
#define LT_IPV6 229u

int pw_dissect_raw(struct pw_dctx *d, struct pw_cur *c)
{
    uint32_t lt = d->pkt->rec ? d->pkt->rec->linktype : LT_RAW;
    if (lt == LT_RAW) {
        struct pw_layer *l = pw_push_layer(d, PW_P_RAW, c);
        if (!l)
            return PW_DIS_OK;
    }
    if (lt == LT_IPV4) {
        /* tshark's `ip` looks at the nibble itself (see ipv4.c) */
        pw_dissect_as(d, PW_P_IP, c);
        return PW_DIS_OK;
    }
    unsigned v = pw_cur_peek(c, 0) >> 4;
    if (!pw_cur_has(c, 1))
        v = 0;
    if (v == 4)
        pw_dissect_as(d, PW_P_IP, c);
    else if (v == 6)
        pw_dissect_as(d, PW_P_IPV6, c);
    else if (lt == LT_RAW)
        pw_data(d, c);
    else if (lt == LT_IPV6 && pw_cur_has(c, 1))
        /* the declining IPv6 dissector leaves its tree and nothing else:
         * no `data` here, and an empty frame.protocols */
        pw_ipv6_bogus(d, c);
    else
        pw_dissect_as(d, lt == LT_IPV6 ? PW_P_IPV6 : PW_P_IP, c);
    return PW_DIS_OK;
}
