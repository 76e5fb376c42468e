/* Internet Control Message Protocol (RFC 792; RFC 950 address mask; RFC 1256
 * router discovery; RFC 4884 multi-part messages):
 *
 *   type(1) code(1) checksum(2) rest of header(4) body
 *
 * Error messages (destination unreachable 3, source quench 4, redirect 5,
 * time exceeded 11, parameter problem 12) quote the offending IP header and
 * at least 8 bytes of its payload. The quote is dissected with
 * in_icmp_error set, so its layers carry PW_LF_QUOTED and leave pkt->l3/l4
 * alone; a non-zero RFC 4884 length (in 32-bit words, types 3, 11 and 12)
 * bounds the quote, and the extension structure after it belongs to ICMP.
 * Echo data is a `data` layer that tshark draws inside the ICMP tree
 * (PW_LF_SUBTREE), after a leading timestamp when it finds one. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define ICMP_HLEN 8u

/* Appends `data` for what remains, drawn inside the caller's tree. */
static void nested_data(struct pw_dctx *d, struct pw_cur *c)
{
    uint16_t n = d->pkt->nlayers;
    pw_data(d, c);
    if (d->pkt->nlayers > n)
        d->pkt->layer[d->pkt->nlayers - 1].flags |= PW_LF_SUBTREE;
}

/* tshark takes the first 8 bytes of echo data for a timestamp (32-bit
 * seconds then microseconds, big- or little-endian) when they read as a
 * time less than a day away from the frame's; the data then starts after
 * them. */
static bool plausible_time(uint32_t sec, uint32_t usec, int64_t now)
{
    int64_t delta = (int64_t)sec - now;
    return usec < 1000000u && delta > -86400 && delta < 86400;
}

static bool echo_timestamp(const struct pw_dctx *d, const struct pw_cur *c)
{
    if (!pw_cur_has(c, 8) || !d->pkt->rec)
        return false;
    int64_t now = d->pkt->rec->ts.sec;
    struct pw_cur t = *c;
    uint32_t sec = pw_cur_be32(&t), usec = pw_cur_be32(&t);
    if (plausible_time(sec, usec, now))
        return true;
    t = *c;
    sec = pw_cur_le32(&t);
    usec = pw_cur_le32(&t);
    return plausible_time(sec, usec, now);
}

/* Dissects a quoted IP packet of an ICMP or ICMPv6 error. */
void pw_icmp_quote(struct pw_dctx *d, struct pw_cur *q, unsigned ip_proto, uint32_t min)
{
    if (pw_cur_rep_left(q) < min)
        pw_anomaly(d, PW_AN_ICMP_SHORT_QUOTE);
    bool saved = d->in_icmp_error;
    d->in_icmp_error = true;
    pw_dissect_as(d, ip_proto, q);
    d->in_icmp_error = saved;
}

int pw_dissect_icmp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_ICMP, c);
    if (!l)
        return PW_DIS_OK;
    /* a quote's length is not to be trusted, nor a fragment's */
    l->u.icmp.cksum_status =
        d->in_icmp_error || d->fragmented ? PW_CKSUM_UNVERIFIED : pw_inet_cksum_status(*c, 0);
    l->u.icmp.type = pw_cur_u8(c);
    l->u.icmp.code = pw_cur_u8(c);
    pw_cur_skip(c, 2);
    uint32_t rest = pw_cur_be32(c);
    l->hlen = ICMP_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur body = pw_cur_rest(c);
    switch (l->u.icmp.type) {
    case 3:
    case 11:
    case 12: {
        uint32_t words = (rest >> 16) & 0xff; /* RFC 4884 length */
        if (words && 4u * words <= pw_cur_rep_left(&body)) {
            struct pw_cur q = pw_cur_sub(&body, 4u * words);
            pw_icmp_quote(d, &q, PW_P_IP, 20);
            return PW_DIS_OK;
        }
        pw_icmp_quote(d, &body, PW_P_IP, 20);
        return PW_DIS_OK;
    }
    case 4:
    case 5: pw_icmp_quote(d, &body, PW_P_IP, 20); return PW_DIS_OK;
    case 0:
    case 8:
        if (echo_timestamp(d, &body))
            pw_cur_skip(&body, 8);
        nested_data(d, &body);
        return PW_DIS_OK;
    default:
        /* the bodies of the other messages belong to ICMP (tshark shows no
         * layer after them) */
        return PW_DIS_OK;
    }
}

PW_FGET_U(get_type, PW_FT_UINT8, l->u.icmp.type)
PW_FGET_U(get_code, PW_FT_UINT8, l->u.icmp.code)
PW_FGET_BE(get_checksum, PW_FT_UINT16, 2, 2)
PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, l->u.icmp.cksum_status)

static bool is_echo(const struct pw_layer *l)
{
    return l->u.icmp.type == 0 || l->u.icmp.type == 8;
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

const struct pw_field pw_fields_icmp[] = {
    {"icmp.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_ICMP, get_type},
    {"icmp.code", "Code", PW_FT_UINT8, PW_BASE_DEC, PW_P_ICMP, get_code},
    {"icmp.checksum", "Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_ICMP, get_checksum},
    {"icmp.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_ICMP,
     get_checksum_status},
    {"icmp.ident", "Identifier (BE)", PW_FT_UINT16, PW_BASE_DEC_HEX, PW_P_ICMP, get_ident},
    {"icmp.seq", "Sequence Number (BE)", PW_FT_UINT16, PW_BASE_DEC_HEX, PW_P_ICMP, get_seq},
    PW_FIELDS_END,
};
