/* Cisco VN-Tag (IEEE 802.1Qbh draft), EtherType 0x8926:
 *
 *   direction(1) pointer(1) destination VIF(14) looped(1) reserved(1)
 *   version(2) source VIF(12)   EtherType(2)
 *
 * The EtherType goes through the EtherType bindings; tshark lists
 * `ethertype` after `vntag` (frame.c). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define VNTAG_HLEN 6u

int pw_dissect_vntag(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_VNTAG, c);
    if (!l)
        return PW_DIS_OK;
    l->u.tun.id = pw_cur_be32(c);
    l->u.tun.next = pw_cur_be16(c);
    l->hlen = VNTAG_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_dir, PW_FT_BOOLEAN, (l->u.tun.id >> 31) & 1)
PW_FGET_U(get_ptr, PW_FT_BOOLEAN, (l->u.tun.id >> 30) & 1)
PW_FGET_U(get_dst, PW_FT_UINT32, (l->u.tun.id >> 16) & 0x3fff)
PW_FGET_U(get_looped, PW_FT_BOOLEAN, (l->u.tun.id >> 15) & 1)
PW_FGET_U(get_version, PW_FT_UINT32, (l->u.tun.id >> 12) & 3)
PW_FGET_U(get_src, PW_FT_UINT32, l->u.tun.id & 0x0fff)
PW_FGET_U(get_etype, PW_FT_UINT16, l->u.tun.next)

const struct pw_field pw_fields_vntag[] = {
    {"vntag.dir", "Direction", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_VNTAG, get_dir},
    {"vntag.ptr", "Pointer", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_VNTAG, get_ptr},
    {"vntag.dst", "Destination", PW_FT_UINT32, PW_BASE_DEC, PW_P_VNTAG, get_dst},
    {"vntag.looped", "Looped", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_VNTAG, get_looped},
    {"vntag.version", "Version", PW_FT_UINT32, PW_BASE_DEC, PW_P_VNTAG, get_version},
    {"vntag.src", "Source", PW_FT_UINT32, PW_BASE_DEC, PW_P_VNTAG, get_src},
    {"vntag.etype", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_VNTAG, get_etype},
    PW_FIELDS_END,
};
