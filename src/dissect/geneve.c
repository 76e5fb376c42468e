/* Generic Network Virtualization Encapsulation (RFC 8926 section 3.4), UDP
 * port 6081:
 *
 *   version(2) option length(6, 4-byte words) O(1) C(1) reserved(6)
 *   protocol type(2) VNI(3) reserved(1) options(option length * 4)
 *
 * The protocol type is an EtherType (0x6558: Ethernet), looked up in the
 * EtherType bindings directly: tshark lists no `ethertype` after `geneve`.
 * A version other than 0 is not decoded further (its payload is `data`). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define GENEVE_HLEN 8u

int pw_dissect_geneve(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_GENEVE, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t b0 = pw_cur_u8(c);
    l->u.tun.flags = pw_cur_u8(c);
    l->u.tun.next = pw_cur_be16(c);
    l->u.tun.id = pw_cur_be24(c);
    pw_cur_skip(c, 1);
    l->u.tun.count = b0 >> 6; /* version */
    uint32_t optlen = 4u * (b0 & 0x3fu);
    pw_cur_skip(c, optlen);
    l->hlen = GENEVE_HLEN + optlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    if (l->u.tun.count != 0)
        pw_data(d, &payload);
    else
        pw_dispatch(d, PW_KS_ETHERTYPE, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_version, PW_FT_UINT8, l->u.tun.count)
PW_FGET_U(get_flags, PW_FT_UINT8, l->u.tun.flags)
PW_FGET_U(get_oam, PW_FT_BOOLEAN, (l->u.tun.flags & 0x80) != 0)
PW_FGET_U(get_critical, PW_FT_BOOLEAN, (l->u.tun.flags & 0x40) != 0)
PW_FGET_U(get_proto, PW_FT_UINT16, l->u.tun.next)
PW_FGET_U(get_vni, PW_FT_UINT24, l->u.tun.id)

const struct pw_field pw_fields_geneve[] = {
    {"geneve.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_GENEVE, get_version},
    {"geneve.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_GENEVE, get_flags},
    {"geneve.flags.oam", "Operations, Administration and Management Frame", PW_FT_BOOLEAN,
     PW_BASE_NONE, PW_P_GENEVE, get_oam},
    {"geneve.flags.critical", "Critical Options Present", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GENEVE,
     get_critical},
    {"geneve.proto_type", "Protocol Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_GENEVE, get_proto},
    {"geneve.vni", "Virtual Network Identifier (VNI)", PW_FT_UINT24, PW_BASE_HEX_DEC, PW_P_GENEVE,
     get_vni},
    PW_FIELDS_END,
};

size_t pw_label_geneve(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "Generic Network Virtualization Encapsulation, VNI: 0x%06x",
                        (unsigned)l->u.tun.id);
}
