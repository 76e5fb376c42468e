/* Internet Protocol version 6 (RFC 8200) and its extension headers.
 *
 *   version(4 bits) traffic class(8) flow label(20)  payload length(2)
 *   next header(1)  hop limit(1)  source(16)  destination(16)
 *
 * Extension headers (RFC 8200 section 4) are dissectors of their own, bound
 * to their next-header numbers like any upper protocol, because that is how
 * tshark treats them (an IPv4 packet with protocol 0 shows `ipv6.hopopts`):
 *   hop-by-hop options (0), routing (43), destination options (60):
 *       next header(1) length(1, 8-octet units not counting the first 8)
 *   fragment (44): next header(1) reserved(1) offset(13 bits) res(2) M(1)
 *       identification(4)
 * AH (51, RFC 4302) lives in ah.c. Each header consumes at least 8 bytes and
 * every hop goes through pw_dispatch, so the chain is bounded by the layer
 * limit. Headers that directly follow IPv6 (or another of its extension
 * headers) update that IPv6 layer's upper protocol and fragment fields, and
 * are flagged PW_LF_SUBTREE: tshark draws them inside the IPv6 tree, so they
 * are in frame.protocols but are not protocol-hierarchy levels.
 *
 * A payload length beyond the frame is reported and the payload is what the
 * frame holds; 0 followed by a hop-by-hop header (a jumbogram, RFC 2675)
 * also means "what the frame holds". A version other than 6 leaves an
 * `ipv6` level with only the version (pw_ipv6_bogus) and the bytes as
 * `data`. Fragments other than an
 * atomic one (offset 0, M clear) carry `data` except the one that completes
 * its datagram (reassembled as in ipv4.c, keyed by the addresses and the
 * identification), with the same exception for first fragments tshark does
 * not try to reassemble. */
#include <string.h>

#include "dissect/fget.h"
#include "dissect/protos.h"

#define IP6_HLEN 40u

void pw_ipv6_bogus(struct pw_dctx *d, const struct pw_cur *c)
{
    /* tshark's IPv6 dissector draws its tree with the version, reports it
     * bogus and declines: a hierarchy level that frame.protocols omits,
     * no addresses for the taps */
    struct pw_layer *l = pw_push_layer(d, PW_P_IPV6, c);
    if (!l)
        return;
    memset(&l->u.ip6, 0, sizeof(l->u.ip6));
    l->u.ip6.version = pw_cur_peek(c, 0) >> 4;
    l->len = 0;
    l->flags |= PW_LF_UNLISTED;
    pw_invalid(d, l, PW_AN_IPV6_BAD_VERSION);
    /* its expert item is in the Malformed group, which adds a hidden
     * `_ws.malformed`: the filter matches, no level, not listed */
    struct pw_layer *m = pw_push_layer(d, PW_P_WS_MALFORMED, c);
    if (m) {
        m->flags |= PW_LF_SUBTREE | PW_LF_UNLISTED;
        m->hlen = 0;
        m->len = 0;
        m->u.ws.proto = PW_P_IPV6;
        m->u.ws.kind = PW_WS_EXPERT;
    }
}

int pw_dissect_ipv6(struct pw_dctx *d, struct pw_cur *c)
{
    if (pw_cur_has(c, 1) && (pw_cur_peek(c, 0) >> 4) != 6) {
        /* the caller shows the bytes as data */
        pw_ipv6_bogus(d, c);
        pw_data(d, c);
        return PW_DIS_OK;
    }
    struct pw_layer *l = pw_push_layer(d, PW_P_IPV6, c);
    if (!l)
        return PW_DIS_OK;
    struct pw_ip6_hdr *h = &l->u.ip6;
    h->version = 6;
    uint32_t w = pw_cur_be32(c);
    h->plen = pw_cur_be16(c);
    h->nxt = pw_cur_u8(c);
    h->hlim = pw_cur_u8(c);
    pw_cur_bytes(c, h->src, 16);
    pw_cur_bytes(c, h->dst, 16);
    h->flow = w & 0xfffff;
    h->proto = h->nxt;
    h->frag = false;
    h->mf = false;
    h->frag_off = 0;
    h->frag_id = 0;
    l->hlen = IP6_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    uint32_t plen = h->plen;
    if (plen == 0 && h->nxt == 0) /* jumbogram: the hop-by-hop option says */
        plen = pw_cur_rep_left(c);
    if (plen > pw_cur_rep_left(c) && !d->in_icmp_error)
        pw_anomaly(d, PW_AN_IPV6_PLEN_GT_FRAME);
    struct pw_cur payload = pw_cur_sub(c, plen);
    l->len = IP6_HLEN + payload.rep;
    pw_set_l3(d, l);
    pw_dispatch(d, PW_KS_IPPROTO, h->nxt, &payload);
    return PW_DIS_OK;
}

/* The IPv6 layer whose header chain `l` (just pushed) continues, or NULL when
 * the previous layer is not IPv6 or one of its extension headers. */
static struct pw_layer *chain_owner(struct pw_dctx *d, struct pw_layer *l)
{
    struct pw_packet *pkt = d->pkt;
    for (int i = (int)(l - pkt->layer) - 1; i >= 0; i--) {
        struct pw_layer *p = &pkt->layer[i];
        if (p->proto == PW_P_IPV6)
            return p;
        if (!(p->flags & PW_LF_SUBTREE))
            return NULL;
        if (p->proto != PW_P_IPV6_HOPOPTS && p->proto != PW_P_IPV6_ROUTING &&
            p->proto != PW_P_IPV6_FRAGHDR && p->proto != PW_P_IPV6_DSTOPTS && p->proto != PW_P_AH)
            return NULL;
    }
    return NULL;
}

struct pw_layer *pw_ipv6_ext_push(struct pw_dctx *d, unsigned proto, struct pw_cur *c,
                                  struct pw_layer **owner)
{
    struct pw_layer *l = pw_push_layer(d, proto, c);
    *owner = NULL;
    if (!l)
        return NULL;
    *owner = chain_owner(d, l);
    if (*owner)
        l->flags |= PW_LF_SUBTREE;
    return l;
}

/* Hop-by-hop, routing and destination options share one length rule. */
static int dissect_optlike(struct pw_dctx *d, struct pw_cur *c, unsigned proto)
{
    struct pw_layer *owner;
    struct pw_layer *l = pw_ipv6_ext_push(d, proto, c, &owner);
    if (!l)
        return PW_DIS_OK;
    uint8_t nxt = pw_cur_u8(c);
    uint8_t len8 = pw_cur_u8(c);
    uint32_t hlen = 8u * (len8 + 1u);
    pw_cur_skip(c, hlen - 2);
    l->u.ext.nxt = nxt;
    l->u.ext.len = (uint16_t)hlen;
    l->hlen = hlen;
    if (c->err == PW_CUR_MALFORMED)
        pw_anomaly(d, PW_AN_IPV6_BAD_EXTHDR);
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (owner)
        owner->u.ip6.proto = nxt;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_IPPROTO, nxt, &payload);
    return PW_DIS_OK;
}

int pw_dissect_ipv6_hopopts(struct pw_dctx *d, struct pw_cur *c)
{
    return dissect_optlike(d, c, PW_P_IPV6_HOPOPTS);
}

int pw_dissect_ipv6_routing(struct pw_dctx *d, struct pw_cur *c)
{
    return dissect_optlike(d, c, PW_P_IPV6_ROUTING);
}

int pw_dissect_ipv6_dstopts(struct pw_dctx *d, struct pw_cur *c)
{
    return dissect_optlike(d, c, PW_P_IPV6_DSTOPTS);
}

int pw_dissect_ipv6_fraghdr(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *owner;
    struct pw_layer *l = pw_ipv6_ext_push(d, PW_P_IPV6_FRAGHDR, c, &owner);
    if (!l)
        return PW_DIS_OK;
    uint8_t nxt = pw_cur_u8(c);
    pw_cur_skip(c, 1);
    uint16_t ow = pw_cur_be16(c);
    uint32_t id = pw_cur_be32(c);
    l->u.ext.nxt = nxt;
    l->u.ext.len = 8;
    l->hlen = 8;
    if (c->err == PW_CUR_MALFORMED)
        pw_anomaly(d, PW_AN_IPV6_BAD_EXTHDR);
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    uint32_t off = ow >> 3;
    bool more = (ow & 1u) != 0;
    if (owner) {
        owner->u.ip6.proto = nxt;
        owner->u.ip6.frag = true;
        owner->u.ip6.frag_off = off;
        owner->u.ip6.frag_id = id;
        owner->u.ip6.mf = more;
    }
    struct pw_cur payload = pw_cur_rest(c);
    if (off || more) {
        l->flags |= PW_LF_FRAGMENT;
        if (owner) {
            owner->flags |= PW_LF_FRAGMENT;
            if (d->pkt->l3 == (int16_t)(owner - d->pkt->layer))
                d->pkt->l4 = -1;
        }
        pw_anomaly(d, PW_AN_IP_FRAGMENT);
        /* the fragment's bytes by the payload length: what follows this
         * header inside the IPv6 payload */
        uint32_t flen = 0;
        bool known = false;
        if (owner && owner->u.ip6.plen) {
            uint32_t from = owner->off + IP6_HLEN, at = pw_cur_frame_off(&payload);
            if (at >= from && at - from <= owner->u.ip6.plen) {
                flen = owner->u.ip6.plen - (at - from);
                known = true;
            }
        }
        if (known && !d->in_icmp_error && payload.cap >= flen && payload.rep >= flen) {
            if (pw_ip_reassemble(d, owner, id, off * 8u, more, &payload))
                pw_dispatch(d, PW_KS_IPPROTO, nxt, &payload);
            else
                pw_data(d, &payload);
            return PW_DIS_OK;
        }
        if (!pw_first_fragment_shown(d, &payload, off, payload.rep)) {
            pw_data(d, &payload);
            return PW_DIS_OK;
        }
    }
    pw_dispatch(d, PW_KS_IPPROTO, nxt, &payload);
    return PW_DIS_OK;
}

/* ---- fields ---------------------------------------------------------- */

/* a bogus version: the tree holds the version only (pw_ipv6_bogus) */
#define IP6_GET_U(fn, ftype, expr) PW_FGET_U_IF(fn, ftype, l->u.ip6.version == 6, expr)

PW_FGET_U(get_version, PW_FT_UINT8, l->u.ip6.version)
IP6_GET_U(get_plen, PW_FT_UINT16, l->u.ip6.plen)
IP6_GET_U(get_nxt, PW_FT_UINT8, l->u.ip6.nxt)
IP6_GET_U(get_hlim, PW_FT_UINT8, l->u.ip6.hlim)
IP6_GET_U(get_flow, PW_FT_UINT24, l->u.ip6.flow)

static int get_tclass(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 2);
    if (!p || l->u.ip6.version != 6)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, (uint32_t)((p[0] & 0x0f) << 4 | p[1] >> 4));
}

static int get_src(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (l->u.ip6.version != 6)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV6, l->u.ip6.src, 16);
}

static int get_dst(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (l->u.ip6.version != 6)
        return 0;
    return pw_fv_addr(out, max, PW_FT_IPV6, l->u.ip6.dst, 16);
}

static int get_addr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    if (l->u.ip6.version != 6)
        return 0;
    get_src(pkt, l, out, max);
    if (max > 1)
        get_dst(pkt, l, out + 1, max - 1);
    return 2;
}

PW_FGET_U(get_ext_nxt, PW_FT_UINT8, l->u.ext.nxt)
PW_FGET_U(get_ext_len, PW_FT_UINT8, l->u.ext.len / 8u - 1u)
PW_FGET_U(get_ext_len_oct, PW_FT_UINT16, l->u.ext.len)
PW_FGET_BE(get_rt_type, PW_FT_UINT8, 2, 1)
PW_FGET_BE(get_rt_segleft, PW_FT_UINT8, 3, 1)
PW_FGET_BE(get_frag_ident, PW_FT_UINT32, 4, 4)

static int get_frag_offset(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 2, 2);
    if (!p)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p) >> 3);
}

static int get_frag_more(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct pw_fvalue *out, int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 3, 1);
    if (!p)
        return 0;
    return pw_fv_u(out, max, PW_FT_BOOLEAN, p[0] & 1u);
}

#define IP6_VALID(l) ((l)->u.ip6.version == 6)
#define IP6_HOST_TEXT(buf, n, l, idx) pw_label_ip6addr(buf, n, 0, (idx) ? (l)->u.ip6.dst : (l)->u.ip6.src)
PW_HOST_FIELDS(IP6_VALID, IP6_HOST_TEXT)

const struct pw_field pw_fields_ipv6[] = {
    {"ipv6.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6, get_version},
    /* tshark's IPv6 dissector also adds ip.version: `-e ip.version` is 4,6 for 6in4 */
    {"ip.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6, get_version},
    {"ipv6.tclass", "Traffic Class", PW_FT_UINT32, PW_BASE_HEX, PW_P_IPV6, get_tclass},
    {"ipv6.flow", "Flow Label", PW_FT_UINT24, PW_BASE_HEX, PW_P_IPV6, get_flow},
    {"ipv6.plen", "Payload Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPV6, get_plen},
    {"ipv6.nxt", "Next Header", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6, get_nxt},
    {"ipv6.hlim", "Hop Limit", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6, get_hlim},
    {"ipv6.src", "Source Address", PW_FT_IPV6, PW_BASE_NONE, PW_P_IPV6, get_src},
    {"ipv6.dst", "Destination Address", PW_FT_IPV6, PW_BASE_NONE, PW_P_IPV6, get_dst},
    {"ipv6.addr", "Source or Destination Address", PW_FT_IPV6, PW_BASE_NONE, PW_P_IPV6, get_addr},
    {"ipv6.src_host", "Source Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IPV6, get_src_host,
     src_host_text},
    {"ipv6.dst_host", "Destination Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IPV6, get_dst_host,
     dst_host_text},
    {"ipv6.host", "Source or Destination Host", PW_FT_STRING, PW_BASE_NONE, PW_P_IPV6, get_host, host_text},
    {"ipv6.hopopts.nxt", "Next Header", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_HOPOPTS, get_ext_nxt},
    {"ipv6.hopopts.len", "Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_HOPOPTS, get_ext_len},
    {"ipv6.hopopts.len_oct", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPV6_HOPOPTS,
     get_ext_len_oct},
    {"ipv6.routing.nxt", "Next Header", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_ROUTING, get_ext_nxt},
    {"ipv6.routing.len", "Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_ROUTING, get_ext_len},
    {"ipv6.routing.len_oct", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPV6_ROUTING,
     get_ext_len_oct},
    {"ipv6.routing.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_ROUTING, get_rt_type},
    {"ipv6.routing.segleft", "Segments Left", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_ROUTING,
     get_rt_segleft},
    {"ipv6.dstopts.nxt", "Next Header", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_DSTOPTS, get_ext_nxt},
    {"ipv6.dstopts.len", "Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_DSTOPTS, get_ext_len},
    {"ipv6.dstopts.len_oct", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPV6_DSTOPTS,
     get_ext_len_oct},
    {"ipv6.fraghdr.nxt", "Next header", PW_FT_UINT8, PW_BASE_DEC, PW_P_IPV6_FRAGHDR, get_ext_nxt},
    {"ipv6.fraghdr.offset", "Offset", PW_FT_UINT16, PW_BASE_DEC, PW_P_IPV6_FRAGHDR,
     get_frag_offset},
    {"ipv6.fraghdr.more", "More Fragments", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_IPV6_FRAGHDR,
     get_frag_more},
    {"ipv6.fraghdr.ident", "Identification", PW_FT_UINT32, PW_BASE_HEX, PW_P_IPV6_FRAGHDR,
     get_frag_ident},
    PW_FIELDS_END,
};

/* The addresses are appended once the fixed header was read; the bogus
 * item of a wrong version and a header cut by the capture or by the
 * reported length have no label. */
size_t pw_label_ipv6(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if (l->u.ip6.version != 6 || l->len < IP6_HLEN || l->off > pkt->caplen ||
        pkt->caplen - l->off < IP6_HLEN)
        return 0;
    size_t at = pw_label_add(buf, n, 0, "Internet Protocol Version 6, Src: ");
    at = pw_label_ip6addr(buf, n, at, l->u.ip6.src);
    at = pw_label_add(buf, n, at, ", Dst: ");
    return pw_label_ip6addr(buf, n, at, l->u.ip6.dst);
}

/* the routing type's name; types not seen in the corpus stay unlabelled */
size_t pw_label_ipv6_routing(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                             size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 3);
    if (!p)
        return 0;
    const char *what = p[2] == 0 ? "Source Route" : p[2] == 4 ? "Segment Routing" : NULL;
    if (!what)
        return 0;
    return pw_label_add(buf, n, 0, "Routing Header for IPv6 (%s)", what);
}
