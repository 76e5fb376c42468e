/* Network Service Header (RFC 8300 section 2), EtherType 0x894f, and the
 * next-protocol codes it shares with VXLAN-GPE (vxlan.c):
 *
 *   version(2) O(1) U(1) TTL(6) length(6, 4-byte words, whole header)
 *   unassigned(4) MD type(4) next protocol(1)
 *   service path identifier(3) service index(1)   context headers
 *
 * Next protocol: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS; others are
 * `data`. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define NSH_MIN 8u

void pw_nsh_next(struct pw_dctx *d, unsigned code, struct pw_cur *c)
{
    static const uint16_t next[] = {PW_P_NONE, PW_P_IP, PW_P_IPV6, PW_P_ETH, PW_P_NSH, PW_P_MPLS};
    if (code < sizeof(next) / sizeof(next[0]) && next[code] != PW_P_NONE)
        pw_dissect_as(d, next[code], c);
    else
        pw_data(d, c);
}

int pw_dissect_nsh(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_NSH, c);
    if (!l)
        return PW_DIS_OK;
    uint16_t w = pw_cur_be16(c);
    l->u.tun.flags = pw_cur_u8(c) & 0x0f; /* MD type */
    l->u.tun.next = pw_cur_u8(c);
    l->u.tun.id = pw_cur_be32(c); /* SPI and SI */
    uint32_t hlen = 4u * (w & 0x3fu);
    if (!c->err && hlen < NSH_MIN) {
        l->hlen = NSH_MIN;
        pw_malformed(d, l, PW_AN_MALFORMED);
        return PW_DIS_OK;
    }
    pw_cur_skip(c, hlen - NSH_MIN);
    l->hlen = hlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_nsh_next(d, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_w0, PW_FT_UINT16, 0, 2)

static int get_version(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    int n = get_w0(pkt, l, out, max);
    if (n == 1 && max >= 1)
        out[0].v.u >>= 14;
    return n;
}

static int get_length(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    int n = get_w0(pkt, l, out, max);
    if (n == 1 && max >= 1)
        out[0].v.u &= 0x3f;
    return n;
}

PW_FGET_U(get_mdtype, PW_FT_UINT8, l->u.tun.flags)
PW_FGET_U(get_next, PW_FT_UINT8, l->u.tun.next)
PW_FGET_U(get_spi, PW_FT_UINT24, l->u.tun.id >> 8)
PW_FGET_U(get_si, PW_FT_UINT8, l->u.tun.id & 0xff)

const struct pw_field pw_fields_nsh[] = {
    {"nsh.version", "Version", PW_FT_UINT16, PW_BASE_DEC_HEX, PW_P_NSH, get_version},
    {"nsh.length", "Length", PW_FT_UINT16, PW_BASE_DEC_HEX, PW_P_NSH, get_length},
    {"nsh.mdtype", "MD Type", PW_FT_UINT8, PW_BASE_DEC_HEX, PW_P_NSH, get_mdtype},
    {"nsh.nextproto", "Next Protocol", PW_FT_UINT8, PW_BASE_DEC_HEX, PW_P_NSH, get_next},
    {"nsh.spi", "SPI", PW_FT_UINT24, PW_BASE_DEC_HEX, PW_P_NSH, get_spi},
    {"nsh.si", "SI", PW_FT_UINT8, PW_BASE_DEC_HEX, PW_P_NSH, get_si},
    PW_FIELDS_END,
};
