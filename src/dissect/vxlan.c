/* Virtual eXtensible Local Area Network (RFC 7348 section 5), UDP port 4789:
 *
 *   flags(1, I bit 0x08 = VNI valid) reserved(3) VNI(3) reserved(1)
 *   inner Ethernet frame
 *
 * and its Generic Protocol Extension (VXLAN-GPE, draft-ietf-nvo3-vxlan-gpe
 * section 3.2), UDP port 4790, whose last reserved byte before the VNI is a
 * next-protocol code (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS; nsh.c).
 * tshark shows the GPE header as a `vxlan` level of the protocol hierarchy
 * but leaves it out of frame.protocols (PW_LF_UNLISTED).
 */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define VXLAN_HLEN 8u

int pw_dissect_vxlan(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_VXLAN, c);
    if (!l)
        return PW_DIS_OK;
    l->u.vxlan.flags = pw_cur_u8(c);
    pw_cur_skip(c, 3);
    l->u.vxlan.vni = pw_cur_be24(c);
    pw_cur_skip(c, 1);
    l->hlen = VXLAN_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur inner = pw_cur_rest(c);
    pw_dissect_as(d, PW_P_ETH, &inner);
    return PW_DIS_OK;
}

int pw_dissect_vxlan_gpe(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_VXLAN, c);
    if (!l)
        return PW_DIS_OK;
    l->flags |= PW_LF_UNLISTED;
    l->u.vxlan.flags = pw_cur_u8(c);
    pw_cur_skip(c, 2);
    uint8_t next = pw_cur_u8(c);
    l->u.vxlan.vni = pw_cur_be24(c);
    pw_cur_skip(c, 1);
    l->hlen = VXLAN_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur inner = pw_cur_rest(c);
    pw_nsh_next(d, next, &inner);
    return PW_DIS_OK;
}

PW_FGET_BE(get_flags, PW_FT_UINT16, 0, 2)
PW_FGET_U(get_vni, PW_FT_UINT24, l->u.vxlan.vni)
PW_FGET_U(get_flag_i, PW_FT_BOOLEAN, (l->u.vxlan.flags & 0x08) != 0)

const struct pw_field pw_fields_vxlan[] = {
    {"vxlan.flags", "Flags", PW_FT_UINT16, PW_BASE_HEX, PW_P_VXLAN, get_flags},
    {"vxlan.flag_i", "VXLAN Network ID (VNI)", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_VXLAN, get_flag_i},
    {"vxlan.vni", "VXLAN Network Identifier (VNI)", PW_FT_UINT24, PW_BASE_DEC, PW_P_VXLAN, get_vni},
    PW_FIELDS_END,
};
