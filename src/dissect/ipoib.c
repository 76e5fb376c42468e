/* IP over InfiniBand (LINKTYPE_IPOIB 242), as Linux captures it:
 *
 *   source hardware address(20) destination hardware address(20)
 *   type(2, an EtherType; RFC 4391 section 6) reserved(2)
 *
 * A 20-byte InfiniBand hardware address is flags(1) queue pair number(3)
 * GID(16). When the first 4 bits (a GRH's IP version) are not zero, tshark
 * reads the first 40 bytes as a global route header instead: version and traffic class and
 * flow label(4) reserved(1) source QPN(3) source GID(16) destination
 * GID(16); the destination GID is at the same place either way. The type
 * is dispatched through the EtherType table without an `ethertype` layer. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define IPOIB_HLEN 44u
#define IPOIB_DADDR 20u
#define IPOIB_GRH 0x10000u /* in u.key, above the type */

int pw_dissect_ipoib(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_IPOIB, c);
    if (!l)
        return PW_DIS_OK;
    bool grh = (pw_cur_u8(c) >> 4) != 0;
    pw_cur_skip(c, 2 * IPOIB_DADDR - 1);
    uint16_t type = pw_cur_be16(c);
    pw_cur_skip(c, 2);
    l->hlen = IPOIB_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = type | (grh ? IPOIB_GRH : 0u);
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, type, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_type, PW_FT_UINT16, l->u.key & 0xffffu)

static int get_u24(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max, uint32_t at)
{
    const uint8_t *p = pw_lbytes(pkt, l, at, 3);
    if (!p)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT24, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
}

static int get_qpn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    if (l->u.key & IPOIB_GRH)
        return 0;
    return get_u24(pkt, l, out, max, IPOIB_DADDR + 1);
}

static int get_sqpn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    if (!(l->u.key & IPOIB_GRH))
        return 0;
    return get_u24(pkt, l, out, max, 5);
}

static int get_sgid(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 8, 16);
    if (!p || !(l->u.key & IPOIB_GRH))
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV6, p, 16);
}
PW_FGET_BE(get_reserved, PW_FT_UINT16, 42, 2)

static int get_dgid(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, IPOIB_DADDR + 4, 16);
    if (!p || l->hlen < IPOIB_HLEN)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV6, p, 16);
}

const struct pw_field pw_fields_ipoib[] = {
    {"ipoib.daddr.qpn", "Destination QPN", PW_FT_UINT24, PW_BASE_HEX, PW_P_IPOIB, get_qpn},
    {"ipoib.grh.sqpn", "Source QPN", PW_FT_UINT24, PW_BASE_HEX, PW_P_IPOIB, get_sqpn},
    {"ipoib.grh.sgid", "Source GID", PW_FT_IPV6, PW_BASE_NONE, PW_P_IPOIB, get_sgid},
    {"ipoib.dgid", "Destination GID", PW_FT_IPV6, PW_BASE_NONE, PW_P_IPOIB, get_dgid},
    {"ipoib.type", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_IPOIB, get_type},
    {"ipoib.reserved", "Reserved", PW_FT_UINT16, PW_BASE_HEX, PW_P_IPOIB, get_reserved},
    PW_FIELDS_END,
};
