/* Internet Protocol version 4 (RFC 791; DSCP/ECN RFC 2474/3168; options
 * RFC 791 section 3.1):
 *
 *   version(4 bits) IHL(4)  DS(1)  total length(2)  identification(2)
 *   flags(3 bits) fragment offset(13)  TTL(1)  protocol(1)  checksum(2)
 *   source(4)  destination(4)  options(IHL*4 - 20)  payload
 *
 * Behaviour follows tshark's where the header lies:
 *   - version 6 in an IPv4 slot is handed to IPv6 (tshark's `ip` dissector
 *     looks at the nibble); other versions stop after `ip`;
 *   - IHL below 5, or a total length below the header length, stop after
 *     `ip` with an expert error but no `_ws.malformed` (pw_invalid);
 *   - a total length of 0 is TCP segmentation offload: the frame decides;
 *   - a total length beyond the frame is reported and the payload is what
 *     the frame holds;
 *   - bytes after the total length are link-layer padding.
 * Fragments are reassembled as tshark does by default (src/flow/ipreasm.h,
 * when the pass gives the packet reassembly state): every fragment is
 * flagged; its payload is `data`, except in the fragment that completes the
 * datagram, whose upper layers are dissected from the reassembled bytes.
 * tshark only tries when the whole fragment was captured and it carries
 * bytes: a first fragment that was cut (or whose total length exceeds the
 * frame) has its payload dissected as if unfragmented, and so does a first
 * fragment quoted in an ICMP error (pw_first_fragment_shown). */
#include <string.h>

#include "dissect/fget.h"
#include "dissect/protos.h"

#define IP4_MIN_HLEN 20u
#define IPOPT_EOL 0u
#define IPOPT_NOP 1u

/* Walks the options with forward progress (every step consumes at least one
 * byte); returns false on an option whose length is impossible. */
static bool walk_options(struct pw_cur *o)
{
    while (pw_cur_left(o) > 0) {
        uint8_t type = pw_cur_u8(o);
        if (type == IPOPT_EOL)
            return true;
        if (type == IPOPT_NOP)
            continue;
        if (pw_cur_left(o) < 1)
            return false;
        uint8_t len = pw_cur_u8(o);
        if (len < 2 || (uint32_t)(len - 2) > pw_cur_left(o))
            return false;
        pw_cur_skip(o, len - 2u);
    }
    return true;
}

int pw_dissect_ipv4(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_IP, c);
    if (!l)
        return PW_DIS_OK;
    if (pw_cur_has(c, 1) && (pw_cur_peek(c, 0) >> 4) == 6) {
        memset(&l->u.ip4, 0, sizeof(l->u.ip4));
        l->u.ip4.version = 6;
        l->len = 0;
        unsigned at = (unsigned)(l - d->pkt->layer);
        if (at > 0 && pw_ethertype_follows(d->pkt, at - 1))
            /* tshark's EtherType table holds its IPv4-only dissector: it
             * draws an `ip` tree with just the version, reports it bogus
             * and hands the header to IPv6 (an `ip` level, no addresses) */
            pw_invalid(d, l, PW_AN_IPV4_BAD_VERSION);
        else
            /* elsewhere (raw IPv4 link type, PPP, null, GRE, IP-in-IP) the
             * version-dispatching `ip` is listed in frame.protocols but
             * draws only the IPv6 tree: no level, no fields, no filter match */
            l->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
        pw_dissect_as(d, PW_P_IPV6, c);
        return PW_DIS_OK;
    }
    struct pw_ip4_hdr *h = &l->u.ip4;
    /* read the fixed header through a copy: the PDU window is only known
     * once the total length has been checked */
    struct pw_cur f = *c;
    uint8_t vhl = pw_cur_u8(&f);
    h->version = vhl >> 4;
    h->hlen = (uint8_t)((vhl & 0x0f) * 4);
    h->tos = pw_cur_u8(&f);
    h->totlen = pw_cur_be16(&f);
    h->id = pw_cur_be16(&f);
    uint16_t fw = pw_cur_be16(&f);
    h->ttl = pw_cur_u8(&f);
    h->proto = pw_cur_u8(&f);
    pw_cur_skip(&f, 2);
    pw_cur_bytes(&f, h->src, 4);
    pw_cur_bytes(&f, h->dst, 4);
    h->df = (fw & 0x4000) != 0;
    h->mf = (fw & 0x2000) != 0;
    h->frag_off = fw & 0x1fff;
    l->hlen = h->hlen;

    if (!pw_cur_has(c, 1)) {
        pw_check_cur(d, l, &f);
        return PW_DIS_OK;
    }
    if ((vhl >> 4) != 4) {
        pw_invalid(d, l, PW_AN_IPV4_BAD_VERSION);
        return PW_DIS_OK;
    }
    if (h->hlen < IP4_MIN_HLEN) {
        pw_invalid(d, l, PW_AN_IPV4_BAD_HLEN);
        return PW_DIS_OK;
    }
    if (!pw_check_cur(d, l, &f))
        return PW_DIS_OK;

    uint32_t totlen = h->totlen;
    if (totlen == 0) /* TSO: the NIC fills the length in later */
        totlen = pw_cur_rep_left(c);
    if (totlen < h->hlen) {
        pw_invalid(d, l, PW_AN_IPV4_BAD_TOTLEN);
        return PW_DIS_OK;
    }
    if (totlen > pw_cur_rep_left(c) && !d->in_icmp_error)
        pw_anomaly(d, PW_AN_IPV4_TOTLEN_GT_FRAME);
    struct pw_cur ip = pw_cur_sub(c, totlen);
    l->len = ip.rep;
    pw_cur_skip(&ip, IP4_MIN_HLEN);
    struct pw_cur opts = pw_cur_sub(&ip, h->hlen - IP4_MIN_HLEN);
    /* walk what was captured, then account for the whole option area so
     * that options cut by the snap length end in `_ws.short` */
    struct pw_cur w = opts;
    if (!walk_options(&w) && opts.cap == opts.rep)
        pw_anomaly(d, PW_AN_IPV4_BAD_OPTION);
    pw_cur_skip(&opts, opts.rep);
    if (!pw_check_cur(d, l, &opts))
        return PW_DIS_OK;
    pw_set_l3(d, l);

    struct pw_cur payload = pw_cur_rest(&ip);
    if (h->mf || h->frag_off) {
        l->flags |= PW_LF_FRAGMENT;
        pw_anomaly(d, PW_AN_IP_FRAGMENT);
        uint32_t flen = totlen - h->hlen;
        if (!d->in_icmp_error && flen > 0 && payload.cap >= flen && payload.rep >= flen) {
            if (pw_ip_reassemble(d, l, (uint32_t)h->id ^ h->proto, h->frag_off * 8u, h->mf,
                                 &payload))
                pw_dispatch(d, PW_KS_IPPROTO, h->proto, &payload);
            else
                pw_data(d, &payload);
            return PW_DIS_OK;
        }
        if (!pw_first_fragment_shown(d, &payload, h->frag_off, flen)) {
            pw_data(d, &payload);
            return PW_DIS_OK;
        }
        if (!d->in_icmp_error) {
            /* a first fragment shown as if whole: what its dissectors miss
             * is in the other fragments (tshark's pinfo->fragmented) */
            bool saved = d->fragmented;
            d->fragmented = true;
            pw_dispatch(d, PW_KS_IPPROTO, h->proto, &payload);
            d->fragmented = saved;
            return PW_DIS_OK;
        }
    }
    pw_dispatch(d, PW_KS_IPPROTO, h->proto, &payload);
    return PW_DIS_OK;
}

/* A bogus version ends tshark's IPv4 tree right after the version item
 * (and the version-dispatching `ip` before IPv6 draws no tree at all):
 * every other field is absent. */
#define IP4_GET_U(fn, ftype, expr) PW_FGET_U_IF(fn, ftype, l->u.ip4.version == 4, expr)

static int get_version(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    (void)pkt;
    if (l->flags & PW_LF_SUBTREE)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, l->u.ip4.version);
}
IP4_GET_U(get_hdr_len, PW_FT_UINT8, l->u.ip4.hlen)
IP4_GET_U(get_dsfield, PW_FT_UINT8, l->u.ip4.tos)
IP4_GET_U(get_dscp, PW_FT_UINT8, l->u.ip4.tos >> 2)
IP4_GET_U(get_ecn, PW_FT_UINT8, l->u.ip4.tos & 3)
IP4_GET_U(get_len, PW_FT_UINT16, l->u.ip4.totlen)
IP4_GET_U(get_id, PW_FT_UINT16, l->u.ip4.id)
/* ip.flags: the three flag bits as a number (reserved, DF, MF) */
static int get_flags(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 6, 1);
    if (!p || l->u.ip4.version != 4)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, p[0] >> 5);
}
IP4_GET_U(get_df, PW_FT_BOOLEAN, l->u.ip4.df)
IP4_GET_U(get_mf, PW_FT_BOOLEAN, l->u.ip4.mf)
IP4_GET_U(get_frag_offset, PW_FT_UINT16, l->u.ip4.frag_off)
IP4_GET_U(get_ttl, PW_FT_UINT8, l->u.ip4.ttl)
IP4_GET_U(get_proto, PW_FT_UINT8, l->u.ip4.proto)

static int get_checksum(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 10, 2);
    if (!p || l->u.ip4.version != 4 || l->hlen < 12)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p));
}

PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, PW_CKSUM_UNVERIFIED)

static int get_src(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (l->u.ip4.version != 4)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV4, l->u.ip4.src, 4);
}

static int get_dst(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (l->u.ip4.version != 4)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV4, l->u.ip4.dst, 4);
}

/* ip.addr: source then destination (tshark's tree order) */
static int get_addr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    if (l->u.ip4.version != 4)
        return 0;
    get_src(pkt, l, out, max);
    if (max > 1)
        get_dst(pkt, l, out + 1, max - 1);
    return 2;
}

#define IP4_VALID(l) ((l)->u.ip4.version == 4)
#define IP4_HOST_TEXT(buf, n, l, idx) pw_label_ip4addr(buf, n, 0, (idx) ? (l)->u.ip4.dst : (l)->u.ip4.src)
PW_HOST_FIELDS(IP4_VALID, IP4_HOST_TEXT)

const struct pw_field pw_fields_ip[] = {
    {"ip.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP, get_version},
    {"ip.hdr_len", "Header Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP, get_hdr_len},
    {"ip.dsfield", "Differentiated Services Field", PW_FT_UINT8, PW_BASE_HEX, PW_P_IP, get_dsfield},
    {"ip.dsfield.dscp", "Differentiated Services Codepoint", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP,
     get_dscp},
    {"ip.dsfield.ecn", "Explicit Congestion Notification", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP,
     get_ecn},
    {"ip.len", "Total Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_IP, get_len},
    {"ip.id", "Identification", PW_FT_UINT16, PW_BASE_HEX_DEC, PW_P_IP, get_id},
    {"ip.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_IP, get_flags},
    {"ip.flags.df", "Don't fragment", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_IP, get_df},
    {"ip.flags.mf", "More fragments", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_IP, get_mf},
    {"ip.frag_offset", "Fragment Offset", PW_FT_UINT16, PW_BASE_DEC, PW_P_IP, get_frag_offset},
    {"ip.ttl", "Time to Live", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP, get_ttl},
    {"ip.proto", "Protocol", PW_FT_UINT8, PW_BASE_DEC, PW_P_IP, get_proto},
    {"ip.checksum", "Header Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_IP, get_checksum},
    {"ip.checksum.status", "Header checksum status", PW_FT_UINT8, PW_BASE_NONE, PW_P_IP,
     get_checksum_status},
    {"ip.src", "Source Address", PW_FT_IPV4, PW_BASE_NONE, PW_P_IP, get_src},
    {"ip.dst", "Destination Address", PW_FT_IPV4, PW_BASE_NONE, PW_P_IP, get_dst},
    {"ip.addr", "Source or Destination Address", PW_FT_IPV4, PW_BASE_NONE, PW_P_IP, get_addr},
    {"ip.src_host", "Source Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IP, get_src_host,
     src_host_text},
    {"ip.dst_host", "Destination Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IP, get_dst_host,
     dst_host_text},
    {"ip.host", "Source or Destination Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IP, get_host, host_text},
    PW_FIELDS_END,
};

/* tshark appends the addresses once the header length and total length
 * passed their checks and both addresses were read; a bogus header leaves
 * the item unlabelled. */
size_t pw_label_ip(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const struct pw_ip4_hdr *h = &l->u.ip4;
    if (h->version != 4 || h->hlen < IP4_MIN_HLEN || (h->totlen != 0 && h->totlen < h->hlen) ||
        l->len < IP4_MIN_HLEN || l->off > pkt->caplen || pkt->caplen - l->off < IP4_MIN_HLEN)
        return 0;
    size_t at = pw_label_add(buf, n, 0, "Internet Protocol Version 4, Src: ");
    at = pw_label_ip4addr(buf, n, at, h->src);
    at = pw_label_add(buf, n, at, ", Dst: ");
    return pw_label_ip4addr(buf, n, at, h->dst);
}
