/* Solaris IPNET (LINKTYPE_IPNET 226,
 * https://www.tcpdump.org/linktypes/LINKTYPE_IPNET.html), big-endian:
 *
 *   version(1) family(1) htype(2) packet length(4) ifindex(4)
 *   group ifindex(4) source zone(4) destination zone(4)
 *
 * The family selects the payload: 2 (AF_INET) IPv4, 26 (Solaris AF_INET6)
 * IPv6. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define IPNET_HLEN 24u
#define IPNET_AF_INET 2u
#define IPNET_AF_INET6 26u

int pw_dissect_ipnet(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_IPNET, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 1);
    uint8_t family = pw_cur_u8(c);
    pw_cur_skip(c, IPNET_HLEN - 2);
    l->hlen = IPNET_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = family;
    struct pw_cur payload = pw_cur_rest(c);
    if (family == IPNET_AF_INET)
        pw_dissect_as(d, PW_P_IP, &payload);
    else if (family == IPNET_AF_INET6)
        pw_dissect_as(d, PW_P_IPV6, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_version, PW_FT_UINT8, 0, 1)
PW_FGET_U(get_family, PW_FT_UINT8, l->u.key)
PW_FGET_BE(get_htype, PW_FT_UINT16, 2, 2)
PW_FGET_BE(get_pktlen, PW_FT_UINT32, 4, 4)
PW_FGET_BE(get_ifindex, PW_FT_UINT32, 8, 4)
PW_FGET_BE(get_grifindex, PW_FT_UINT32, 12, 4)
PW_FGET_BE(get_zsrc, PW_FT_UINT32, 16, 4)
PW_FGET_BE(get_zdst, PW_FT_UINT32, 20, 4)

const struct pw_field pw_fields_ipnet[] = {
    {"ipnet.version", "Header version", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPNET, get_version},
    {"ipnet.family", "Address family", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPNET, get_family},
    {"ipnet.htype", "Hook type", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPNET, get_htype},
    {"ipnet.pktlen", "Data length", PW_FT_UINT32, PW_BASE_DEC, PW_P_IPNET, get_pktlen},
    {"ipnet.ifindex", "Interface index", PW_FT_UINT32, PW_BASE_DEC, PW_P_IPNET, get_ifindex},
    {"ipnet.grifindex", "Group interface index", PW_FT_UINT32, PW_BASE_DEC, PW_P_IPNET,
     get_grifindex},
    {"ipnet.zsrc", "Source Zone", PW_FT_UINT32, PW_BASE_DEC, PW_P_IPNET, get_zsrc},
    {"ipnet.zdst", "Destination Zone", PW_FT_UINT32, PW_BASE_DEC, PW_P_IPNET, get_zdst},
    PW_FIELDS_END,
};
