/* Cisco Serial Line Address Resolution Protocol, carried in Cisco HDLC
 * frames with protocol 0x8035 (chdlc.c). All values are big-endian:
 *
 *   type(4)  0 request, 1 reply:  address(4) netmask(4) [unused(2)]
 *            2 keepalive:         my sequence(4) your sequence(4) reliability(2)
 *
 * Trailing bytes after the 14-byte message are padding; tshark shows no layer
 * for them. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define SLARP_MIN 12u
#define SLARP_KEEPALIVE 2u

int pw_dissect_slarp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_SLARP, c);
    if (!l)
        return PW_DIS_OK;
    l->u.key = pw_cur_be32(c);
    pw_cur_skip(c, 8);
    l->hlen = SLARP_MIN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (l->u.key == SLARP_KEEPALIVE && pw_cur_has(c, 2))
        l->hlen += 2; /* reliability */
    return PW_DIS_OK;
}

static bool is_addr(const struct pw_layer *l)
{
    return l->u.key == 0 || l->u.key == 1;
}

PW_FGET_U(get_ptype, PW_FT_UINT32, l->u.key)

static int get_ipv4(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, uint32_t at)
{
    const uint8_t *p = pw_lbytes(pkt, l, at, 4);
    if (!p || !is_addr(l))
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV4, p, 4);
}

static int get_address(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    return get_ipv4(pkt, l, out, max, 4);
}

static int get_netmask(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    return get_ipv4(pkt, l, out, max, 8);
}

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max, uint32_t at, uint32_t width)
{
    const uint8_t *p = pw_lbytes(pkt, l, at, width);
    if (!p || l->u.key != SLARP_KEEPALIVE || at + width > l->hlen)
        return 0;
    uint32_t v = 0;
    for (uint32_t i = 0; i < width; i++)
        v = v << 8 | p[i];
    return pw_fv_u(out, max, width == 4 ? PW_FT_UINT32 : PW_FT_UINT16, v);
}

static int get_mysequence(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    return get_seq(pkt, l, out, max, 4, 4);
}

static int get_yoursequence(const struct pw_packet *pkt, const struct pw_layer *l,
                            struct pw_fvalue *out, int max)
{
    return get_seq(pkt, l, out, max, 8, 4);
}

static int get_reliability(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    return get_seq(pkt, l, out, max, 12, 2);
}

const struct pw_field pw_fields_slarp[] = {
    {"slarp.ptype", "Packet type", PW_FT_UINT32, PW_BASE_DEC, PW_P_SLARP, get_ptype},
    {"slarp.address", "Address", PW_FT_IPV4, PW_BASE_NONE, PW_P_SLARP, get_address},
    {"slarp.netmask", "Netmask", PW_FT_IPV4, PW_BASE_NONE, PW_P_SLARP, get_netmask},
    {"slarp.mysequence", "Outgoing sequence number", PW_FT_UINT32, PW_BASE_DEC, PW_P_SLARP,
     get_mysequence},
    {"slarp.yoursequence", "Returned sequence number", PW_FT_UINT32, PW_BASE_DEC, PW_P_SLARP,
     get_yoursequence},
    {"slarp.reliability", "Reliability", PW_FT_UINT16, PW_BASE_HEX, PW_P_SLARP, get_reliability},
    PW_FIELDS_END,
};
