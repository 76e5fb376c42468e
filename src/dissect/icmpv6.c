/* Internet Control Message Protocol for IPv6 (RFC 4443; RFC 4884 for the
 * length of the quote in multi-part messages):
 *
 *   type(1) code(1) checksum(2) message body
 *
 * Error messages (types 1-4: destination unreachable, packet too big, time
 * exceeded, parameter problem) have 4 more header bytes and then quote as
 * much of the offending IPv6 packet as fits; the quote is dissected with
 * in_icmp_error set (PW_LF_QUOTED layers, pkt->l3/l4 untouched). A non-zero
 * RFC 4884 length (64-bit words, types 1 and 3) bounds the quote. Echo data
 * is a `data` layer inside the ICMPv6 tree (PW_LF_SUBTREE), except for a
 * Teredo connectivity test (below). The body of the
 * informational messages (neighbour discovery, MLD, RPL, ...) belongs to
 * ICMPv6 itself: no layer follows. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define ICMP6_HLEN 4u

/* An echo request sent from a Teredo address (2001:0::/32) is taken by
 * tshark for a Teredo connectivity test: its data is a nonce that belongs
 * to ICMPv6, and no `data` layer follows. */
static bool teredo_request(const struct pw_dctx *d, const struct pw_layer *l)
{
    if (l->u.icmp.type != 128)
        return false;
    for (const struct pw_layer *p = l; p > d->pkt->layer;) {
        p--;
        if (p->proto == PW_P_IPV6) {
            static const uint8_t teredo[4] = {0x20, 0x01, 0x00, 0x00};
            return memcmp(p->u.ip6.src, teredo, 4) == 0;
        }
    }
    return false;
}

/* A source route (routing types 0 and 2) with segments left ends at its
 * last address, which is the destination the sender put in the pseudo
 * header (RFC 8200 section 8.1); tshark sums that one too. */
static bool route_final_dst(const struct pw_packet *pkt, const struct pw_layer *rt, uint8_t dst[16])
{
    if (rt->off >= pkt->caplen || rt->u.ext.len < 24)
        return false;
    uint32_t n = pkt->caplen - rt->off;
    struct pw_cur c = pw_cur_make(pkt->data + rt->off, n, n);
    pw_cur_skip(&c, 2);
    uint8_t type = pw_cur_u8(&c);
    uint8_t left = pw_cur_u8(&c);
    if ((type != 0 && type != 2) || left == 0)
        return false;
    pw_cur_skip(&c, rt->u.ext.len - 4u - 16u);
    pw_cur_bytes(&c, dst, 16);
    return !c.err;
}

/* The sum of the pseudo header: the addresses of the IPv6 header carrying
 * the message, its length and next header 58. */
static uint32_t pseudo_sum(const struct pw_dctx *d, const struct pw_layer *l, uint32_t len)
{
    const struct pw_layer *ip = NULL;
    uint8_t dst[16];
    bool routed = false;
    for (const struct pw_layer *p = l; p > d->pkt->layer && !ip;) {
        p--;
        if (p->proto == PW_P_IPV6 && p->u.ip6.version == 6)
            ip = p;
        else if (p->proto == PW_P_IPV6_ROUTING && !routed)
            routed = route_final_dst(d->pkt, p, dst);
    }
    uint32_t sum = (len >> 16) + (len & 0xffff) + 58;
    if (!ip)
        return sum;
    if (!routed)
        memcpy(dst, ip->u.ip6.dst, 16);
    for (unsigned i = 0; i < 16; i += 2)
        sum += pw_get_be16(ip->u.ip6.src + i) + pw_get_be16(dst + i);
    return sum;
}

int pw_dissect_icmpv6(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_ICMPV6, c);
    if (!l)
        return PW_DIS_OK;
    /* a quote's length is not to be trusted, nor a fragment's */
    l->u.icmp.cksum_status = d->in_icmp_error || d->fragmented
                                 ? PW_CKSUM_UNVERIFIED
                                 : pw_inet_cksum_status(*c, pseudo_sum(d, l, pw_cur_rep_left(c)));
    l->u.icmp.type = pw_cur_u8(c);
    l->u.icmp.code = pw_cur_u8(c);
    pw_cur_skip(c, 2);
    l->hlen = ICMP6_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    uint8_t type = l->u.icmp.type;
    if (type >= 1 && type <= 4) {
        uint8_t words = pw_cur_peek(c, 0); /* RFC 4884 length, types 1 and 3 */
        pw_cur_skip(c, 4);
        l->hlen += 4;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
        struct pw_cur body = pw_cur_rest(c);
        if ((type == 1 || type == 3) && words && 8u * words <= pw_cur_rep_left(&body)) {
            struct pw_cur q = pw_cur_sub(&body, 8u * words);
            pw_icmp_quote(d, &q, PW_P_IPV6, 40);
        } else {
            pw_icmp_quote(d, &body, PW_P_IPV6, 40);
        }
        return PW_DIS_OK;
    }
    if (type == 128 || type == 129) {
        pw_cur_skip(c, 4);
        l->hlen += 4;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
        struct pw_cur body = pw_cur_rest(c);
        if (teredo_request(d, l))
            return PW_DIS_OK;
        uint16_t n = d->pkt->nlayers;
        pw_data(d, &body);
        if (d->pkt->nlayers > n)
            d->pkt->layer[d->pkt->nlayers - 1].flags |= PW_LF_SUBTREE;
        return PW_DIS_OK;
    }
    return PW_DIS_OK;
}

PW_FGET_U(get_type, PW_FT_UINT8, l->u.icmp.type)
PW_FGET_U(get_code, PW_FT_UINT8, l->u.icmp.code)
PW_FGET_BE(get_checksum, PW_FT_UINT16, 2, 2)
PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, l->u.icmp.cksum_status)

static bool is_echo(const struct pw_layer *l)
{
    return l->u.icmp.type == 128 || l->u.icmp.type == 129;
}

static int get_ident(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 4, 2);
    if (!p || !is_echo(l))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p));
}

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 6, 2);
    if (!p || !is_echo(l))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p));
}

const struct pw_field pw_fields_icmpv6[] = {
    {"icmpv6.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_ICMPV6, get_type},
    {"icmpv6.code", "Code", PW_FT_UINT8, PW_BASE_DEC, PW_P_ICMPV6, get_code},
    {"icmpv6.checksum", "Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_ICMPV6, get_checksum},
    {"icmpv6.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_ICMPV6,
     get_checksum_status},
    {"icmpv6.echo.identifier", "Identifier", PW_FT_UINT16, PW_BASE_HEX, PW_P_ICMPV6, get_ident},
    {"icmpv6.echo.sequence_number", "Sequence", PW_FT_UINT16, PW_BASE_DEC, PW_P_ICMPV6, get_seq},
    PW_FIELDS_END,
};
