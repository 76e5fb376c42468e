/* ARCNET as Linux captures it (LINKTYPE_ARCNET_LINUX 129,
 * https://www.tcpdump.org/linktypes/LINKTYPE_ARCNET_LINUX.html):
 *
 *   source(1) destination(1) offset(2) protocol id(1) ...
 *
 * For the RFC 1201 protocol ids the protocol id is followed by a split flag
 * (1) and a sequence number (2); a split flag of 0xff marks an "exception"
 * packet that inserts padding(2), then repeats protocol id(1) and split
 * flag(1) before the sequence number. The older RFC 1051 ids (240 IP,
 * 241 ARP) have neither. The protocol id selects the payload. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define ARC_IP_1051 0xf0u
#define ARC_ARP_1051 0xf1u
#define ARC_IP_1201 0xd4u
#define ARC_ARP_1201 0xd5u
#define ARC_RARP_1201 0xd6u
#define ARC_IPV6 0xc4u
#define ARC_EXCEPTION 0xffu

int pw_dissect_arcnet(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_ARCNET, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 4); /* source, destination, offset */
    uint8_t pid = pw_cur_u8(c);
    if (pid != ARC_IP_1051 && pid != ARC_ARP_1051) {
        uint8_t split = pw_cur_u8(c);
        if (split == ARC_EXCEPTION) {
            pw_cur_skip(c, 2);
            pid = pw_cur_u8(c);
            pw_cur_skip(c, 1);
        }
        pw_cur_skip(c, 2); /* sequence */
    }
    l->hlen = pw_cur_frame_off(c) - l->off;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = pid;
    struct pw_cur payload = pw_cur_rest(c);
    switch (pid) {
    case ARC_IP_1051:
    case ARC_IP_1201: pw_dissect_as(d, PW_P_IP, &payload); break;
    case ARC_ARP_1051:
    case ARC_ARP_1201:
    case ARC_RARP_1201: pw_dissect_as(d, PW_P_ARP, &payload); break;
    case ARC_IPV6: pw_dissect_as(d, PW_P_IPV6, &payload); break;
    default: pw_data(d, &payload);
    }
    return PW_DIS_OK;
}

PW_FGET_BE(get_src, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_dst, PW_FT_UINT8, 1, 1)
PW_FGET_U(get_protid, PW_FT_UINT8, l->u.key)

const struct pw_field pw_fields_arcnet[] = {
    {"arcnet.src", "Source", PW_FT_UINT8, PW_BASE_HEX, PW_P_ARCNET, get_src},
    {"arcnet.dst", "Dest", PW_FT_UINT8, PW_BASE_HEX, PW_P_ARCNET, get_dst},
    {"arcnet.protID", "Protocol ID", PW_FT_UINT8, PW_BASE_HEX, PW_P_ARCNET, get_protid},
    PW_FIELDS_END,
};
