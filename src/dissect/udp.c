/* User Datagram Protocol (RFC 768; RFC 2675 section 4 for length 0 in IPv6
 * jumbograms):
 *
 *   source port(2) destination port(2) length(2) checksum(2) payload
 *
 * The length covers header and payload and is checked against the IP
 * payload: below 8 it is bogus and dissection stops after `udp`; beyond the
 * IP payload the layer is flagged and the payload is what IP carries. Both
 * are expert errors in tshark, not exceptions, so no `_ws.malformed`. Bytes
 * between the UDP length and the end of the IP payload are not UDP's. A
 * non-empty payload goes to the dissector bound to the lower port, then the
 * higher one (VXLAN is bound to 4789), else `data`. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define UDP_HLEN 8u

/* tshark does not verify UDP checksums by default. A zero checksum means
 * "none" (RFC 768) over IPv4; over IPv6 it is not allowed (RFC 8200
 * section 8.1) and tshark marks it illegal, except in a header quoted by
 * an ICMP error, which it takes as "none" whatever the IP version. */
static uint8_t cksum_status(const struct pw_dctx *d, const struct pw_layer *l)
{
    if (l->u.udp.cksum != 0)
        return PW_CKSUM_UNVERIFIED;
    if (d->in_icmp_error)
        return PW_CKSUM_NOT_PRESENT;
    for (const struct pw_layer *p = l; p > d->pkt->layer;) {
        p--;
        if (p->proto == PW_P_IPV6)
            return PW_CKSUM_ILLEGAL;
        if (p->proto == PW_P_IP && p->u.ip4.version == 4)
            return PW_CKSUM_NOT_PRESENT;
    }
    return PW_CKSUM_NOT_PRESENT;
}

int pw_dissect_udp(struct pw_dctx *d, struct pw_cur *c)
{
    if (pw_short_ports(d, PW_P_UDP, c))
        return PW_DIS_OK;
    struct pw_layer *l = pw_push_layer(d, PW_P_UDP, c);
    if (!l)
        return PW_DIS_OK;
    struct pw_udp_hdr *h = &l->u.udp;
    uint32_t ip_payload = pw_cur_rep_left(c);
    if (d->in_icmp_error && ip_payload < UDP_HLEN && pw_cur_left(c) == ip_payload) {
        /* a quote that ends inside the header: RFC 792 promises only 8
         * bytes of the datagram, so tshark shows what is there and does
         * not complain (the fields are absent past the end) */
        h->sport = pw_cur_be16(c);
        h->dport = pw_cur_be16(c);
        h->ulen = pw_cur_has(c, 2) ? pw_cur_be16(c) : 0;
        h->cksum = 0;
        h->cksum_status = PW_CKSUM_UNVERIFIED;
        l->hlen = c->pos;
        return PW_DIS_OK;
    }
    h->sport = pw_cur_be16(c);
    h->dport = pw_cur_be16(c);
    h->ulen = pw_cur_be16(c);
    h->cksum = pw_cur_be16(c);
    h->cksum_status = cksum_status(d, l);
    l->hlen = UDP_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    pw_set_l4(d, l);
    uint32_t ulen = h->ulen;
    if (ulen == 0 && ip_payload > 0xffffu)
        ulen = ip_payload; /* jumbogram */
    if (!d->in_icmp_error) {
        if (ulen < UDP_HLEN) {
            pw_invalid(d, l, PW_AN_UDP_BAD_LEN);
            return PW_DIS_OK;
        }
        if (ulen > ip_payload) /* tshark: expert error, goes on */
            pw_invalid(d, l, PW_AN_UDP_BAD_LEN);
    } else if (ulen < UDP_HLEN) {
        ulen = ip_payload; /* a quote: take what is there */
    }
    l->len = ulen < ip_payload ? ulen : ip_payload;
    struct pw_cur payload = pw_cur_sub(c, ulen - UDP_HLEN);
    if (payload.rep == 0)
        return PW_DIS_OK;
    if (payload.cap == 0) {
        /* a payload the snap length removed entirely reaches no dissector:
         * tshark's UDP runs into the end of the capture itself (after its
         * tap, so the datagram still counts in the conversations); in a
         * quote nothing is said at all */
        if (!d->in_icmp_error)
            pw_short_after(d, l);
        return PW_DIS_OK;
    }
    bool saved = d->in_icmp_error;
    d->in_icmp_error = false;
    pw_dispatch_ports(d, PW_KS_UDP_PORT, h->sport, h->dport, &payload);
    d->in_icmp_error = saved;
    return PW_DIS_OK;
}

PW_FGET_U(get_srcport, PW_FT_UINT16, l->u.udp.sport)
PW_FGET_U(get_dstport, PW_FT_UINT16, l->u.udp.dport)
/* tshark adds the header fields one by one, each once its bytes are read:
 * the ports need 4 bytes (pw_short_ports), the length 6, the checksum 8,
 * captured and, in a short quote, reported */
static bool hdr_has(const struct pw_packet *pkt, const struct pw_layer *l, uint32_t n)
{
    return l->off < pkt->caplen && pkt->caplen - l->off >= n && l->len >= n;
}

PW_FGET_U_IF(get_length, PW_FT_UINT16, hdr_has(pkt, l, 6), l->u.udp.ulen)
PW_FGET_U_IF(get_checksum, PW_FT_UINT16, hdr_has(pkt, l, UDP_HLEN), l->u.udp.cksum)

PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, l->u.udp.cksum_status)

static int get_port(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    pw_fv_u(out, max, PW_FT_UINT16, l->u.udp.sport);
    if (max > 1)
        pw_fv_u(out + 1, max - 1, PW_FT_UINT16, l->u.udp.dport);
    return 2;
}

/* udp.payload: the captured part of a non-empty payload */
static int get_payload(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    if (l->len <= UDP_HLEN)
        return 0;
    uint32_t at = l->off + UDP_HLEN;
    if (at >= pkt->caplen)
        return 0;
    uint32_t n = pkt->caplen - at;
    if (n > l->len - UDP_HLEN)
        n = l->len - UDP_HLEN;
    return pw_fv_bytes(out, max, pkt->data + at, n);
}

const struct pw_field pw_fields_udp[] = {
    {"udp.srcport", "Source Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_UDP, get_srcport},
    {"udp.dstport", "Destination Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_UDP, get_dstport},
    {"udp.port", "Source or Destination Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_UDP, get_port},
    {"udp.length", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_UDP, get_length},
    {"udp.checksum", "Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_UDP, get_checksum},
    {"udp.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_UDP,
     get_checksum_status},
    {"udp.payload", "Payload", PW_FT_BYTES, PW_BASE_NONE, PW_P_UDP, get_payload},
    PW_FIELDS_END,
};

size_t pw_label_udp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "User Datagram Protocol, Src Port: %u, Dst Port: %u",
                        l->u.udp.sport, l->u.udp.dport);
}
