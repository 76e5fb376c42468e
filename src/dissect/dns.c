/* Domain Name System (RFC 1035 section 4; mDNS RFC 6762 and LLMNR RFC 4795
 * share the message format and differ only by port, so one parser serves
 * all three under their own protocol names; DNS over TCP, RFC 1035 4.2.2,
 * is a 2-byte length then the message and is framed by the application
 * stage).
 *
 *   id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *   questions: name type(2) class(2)
 *   resource records: name type(2) class(2) ttl(4) rdlength(2) rdata
 *
 * Names are label sequences or compression pointers (RFC 1035 4.1.4); a
 * pointer is followed (bounded by MAX_JUMPS, so a loop costs nothing) and
 * a pointer or label past the message is the same error tshark raises:
 * `_ws.malformed` past the reported length, `_ws.short` past the captured
 * bytes. Resource data is skipped by rdlength, except that the names inside
 * the common name-bearing types are walked, as tshark walks them. */
#include "dissect/fget.h"
#include "dissect/protos.h"
#include "dissect/app.h"

#define DNS_HLEN 12u
#define MAX_JUMPS 128u
#define MAX_NAME 255u
#define MAX_WALK 16384u

enum {
    T_NS = 2,
    T_CNAME = 5,
    T_SOA = 6,
    T_PTR = 12,
    T_MX = 15,
    T_SRV = 33,
};

/* Walks a name starting at c's position inside message m (c is advanced
 * past the name as it appears in place). Out-of-bounds reads set the error
 * on c; returns false when the name cannot be walked. If out is non-NULL
 * the dotted name is written there (NUL-terminated, at most outn-1). */
static bool dns_name(const struct pw_cur *m, struct pw_cur *c, char *out, unsigned outn)
{
    struct pw_cur w = *c; /* walking cursor: in place, then at pointer targets */
    bool jumped = false;
    unsigned jumps = 0, len = 0, o = 0;
    if (out && outn)
        out[0] = '\0';
    for (;;) {
        uint8_t b = pw_cur_u8(&w);
        if (w.err)
            break;
        if (b == 0)
            break;
        if ((b & 0xc0) == 0xc0) {
            uint8_t b2 = pw_cur_u8(&w);
            if (w.err)
                break;
            if (!jumped) {
                c->pos = w.pos; /* the name ends after its first pointer */
                jumped = true;
            }
            uint32_t target = ((uint32_t)(b & 0x3f) << 8) | b2;
            if (++jumps > MAX_JUMPS)
                return true; /* loop: tshark stops with an expert note */
            struct pw_cur t = *m;
            if (target > t.rep) {
                pw_cur_fail(&t, target - t.pos + 1);
                c->err = t.err;
                return false;
            }
            /* reading at the target raises the error as tshark's would */
            t.pos = 0;
            pw_cur_skip(&t, target);
            if (t.err) {
                c->err = t.err;
                return false;
            }
            w = t;
            continue;
        }
        if ((b & 0xc0) != 0) {
            /* extended label types (RFC 6891 deprecated binary labels):
             * tshark stops the name there */
            break;
        }
        if (out && o + b + 1 < outn) {
            if (o)
                out[o++] = '.';
            for (unsigned i = 0; i < b; i++)
                out[o++] = (char)pw_cur_peek(&w, i);
            out[o] = '\0';
        }
        /* tshark reads a label byte by byte: one cut by the snap length
         * fails at the first missing byte (`_ws.short`) even when the
         * label also runs past the reported end */
        if (b > pw_cur_left(&w) && w.cap < w.rep)
            pw_cur_fail(&w, pw_cur_left(&w) + 1u);
        pw_cur_skip(&w, b);
        len += b + 1u;
        /* a name longer than 255 is still walked to its end in place, as
         * tshark walks it; only after a pointer is the walk bounded */
        if (jumped && len > MAX_WALK)
            break;
    }
    if (!jumped) {
        c->pos = w.pos;
        c->err = w.err;
    } else if (w.err) {
        c->err = w.err;
    }
    return !c->err;
}

static void dns_rr(const struct pw_cur *m, struct pw_cur *c, bool question, bool nbns)
{
    dns_name(m, c, NULL, 0);
    uint16_t type = pw_cur_be16(c);
    pw_cur_be16(c); /* class */
    if (question || c->err)
        return;
    pw_cur_be32(c); /* ttl */
    uint16_t rdlen = pw_cur_be16(c);
    if (c->err)
        return;
    uint32_t start = c->pos;
    /* NetBIOS name service types (NB 0x20, NBSTAT 0x21) carry no names */
    switch (nbns ? 0 : type) {
    case T_NS:
    case T_CNAME:
    case T_PTR: {
        struct pw_cur r = *c;
        dns_name(m, &r, NULL, 0);
        if (r.err)
            c->err = r.err;
        break;
    }
    case T_MX: {
        struct pw_cur r = *c;
        pw_cur_be16(&r);
        dns_name(m, &r, NULL, 0);
        if (r.err)
            c->err = r.err;
        break;
    }
    case T_SOA: {
        struct pw_cur r = *c;
        dns_name(m, &r, NULL, 0);
        dns_name(m, &r, NULL, 0);
        if (r.err)
            c->err = r.err;
        break;
    }
    case T_SRV: {
        struct pw_cur r = *c;
        pw_cur_skip(&r, 6);
        dns_name(m, &r, NULL, 0);
        if (r.err)
            c->err = r.err;
        break;
    }
    default:
        break;
    }
    if (c->err)
        return;
    c->pos = start;
    pw_cur_skip(c, rdlen);
}

/* Dissects one DNS message occupying all of c as protocol `proto`. */
void pw_dns_message(struct pw_dctx *d, struct pw_cur *c, unsigned proto)
{
    struct pw_layer *l = pw_push_layer(d, proto, c);
    if (!l)
        return;
    struct pw_cur m = *c; /* the whole message, for compression pointers */
    m.pos = c->pos;
    m.base += m.pos;
    m.off += m.pos;
    m.cap -= m.pos;
    m.rep -= m.pos;
    m.pos = 0;
    struct pw_cur w = m;
    pw_cur_be16(&w); /* id */
    pw_cur_be16(&w); /* flags */
    if (w.err)
        /* tshark reads both before it adds its tree item: the protocol is
         * listed in frame.protocols but is no hierarchy level */
        l->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
    uint16_t qd = pw_cur_be16(&w), an = pw_cur_be16(&w), ns = pw_cur_be16(&w),
             ar = pw_cur_be16(&w);
    l->hlen = DNS_HLEN;
    for (unsigned i = 0; i < qd && !w.err; i++)
        dns_rr(&m, &w, true, proto == PW_P_NBNS);
    uint32_t rrs = (uint32_t)an + ns + ar;
    for (uint32_t i = 0; i < rrs && !w.err; i++)
        dns_rr(&m, &w, false, proto == PW_P_NBNS);
    c->pos = c->cap;
    /* inside an ICMP error tshark catches what the quoted message lacks
     * and reports nothing */
    struct pw_packet *pkt = d->pkt;
    int below = (int)(l - pkt->layer) - 1;
    if (below >= 0 && (pkt->layer[below].flags & PW_LF_QUOTED))
        return;
    pw_check_cur(d, l, &w);
}

int pw_dissect_dns(struct pw_dctx *d, struct pw_cur *c)
{
    pw_dns_message(d, c, PW_P_DNS);
    return PW_DIS_OK;
}

int pw_dissect_mdns(struct pw_dctx *d, struct pw_cur *c)
{
    pw_dns_message(d, c, PW_P_MDNS);
    return PW_DIS_OK;
}

/* NetBIOS Name Service (RFC 1002 section 4.2): the DNS message format with
 * encoded NetBIOS names */
int pw_dissect_nbns(struct pw_dctx *d, struct pw_cur *c)
{
    pw_dns_message(d, c, PW_P_NBNS);
    return PW_DIS_OK;
}

int pw_dissect_llmnr(struct pw_dctx *d, struct pw_cur *c)
{
    pw_dns_message(d, c, PW_P_LLMNR);
    return PW_DIS_OK;
}

/* ---- fields (read again from the frame) ------------------------------- */

static int hdr16(const struct pw_packet *pkt, const struct pw_layer *l, uint32_t at, uint32_t *v)
{
    if (l->flags & PW_LF_REASSEMBLED)
        return 0;
    const uint8_t *p = pw_lbytes(pkt, l, at, 2);
    if (!p)
        return 0;
    *v = pw_get_be16(p);
    return 1;
}

static int get_id(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                  int max)
{
    uint32_t v;
    if (!hdr16(pkt, l, 0, &v))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, v);
}

static int get_response(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    uint32_t v;
    if (!hdr16(pkt, l, 2, &v))
        return 0;
    return pw_fv_u(out, max, PW_FT_BOOLEAN, (v >> 15) & 1);
}

static int get_rcode(const struct pw_packet *pkt, const struct pw_layer *l,
                     struct pw_fvalue *out, int max)
{
    uint32_t v;
    if (!hdr16(pkt, l, 2, &v) || !(v & 0x8000)) /* tshark shows it in responses only */
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, v & 0xf);
}

static int get_qdcount(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    uint32_t v;
    if (!hdr16(pkt, l, 4, &v))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, v);
}

static int get_ancount(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    uint32_t v;
    if (!hdr16(pkt, l, 6, &v))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, v);
}

/* dns.qry.name: the first question's name (decoded into a per-thread
 * buffer, since compression means it is not contiguous in the frame) */
static int get_qry_name(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    static _Thread_local char name[MAX_NAME + 1];
    uint32_t qd;
    if (!hdr16(pkt, l, 4, &qd) || qd == 0 || l->off >= pkt->caplen)
        return 0;
    uint32_t cap = pkt->caplen - l->off;
    struct pw_cur m = pw_cur_make(pkt->data + l->off, cap < l->len ? cap : l->len, l->len);
    m.off = l->off;
    struct pw_cur c = m;
    pw_cur_skip(&c, DNS_HLEN);
    if (!dns_name(&m, &c, name, sizeof(name)))
        return 0;
    if (max >= 1) {
        out[0].type = PW_FT_STRING;
        out[0].v.bytes.p = (const uint8_t *)name;
        out[0].v.bytes.len = (uint32_t)strlen(name);
    }
    return 1;
}

#define DNS_FIELDS(pfx, P)                                                                         \
    {pfx ".id", "Transaction ID", PW_FT_UINT16, PW_BASE_HEX, P, get_id},                          \
        {pfx ".flags.response", "Response", PW_FT_BOOLEAN, PW_BASE_NONE, P, get_response},        \
        {pfx ".flags.rcode", "Reply code", PW_FT_UINT16, PW_BASE_DEC, P, get_rcode},              \
        {pfx ".count.queries", "Questions", PW_FT_UINT16, PW_BASE_DEC, P, get_qdcount},           \
        {pfx ".count.answers", "Answer RRs", PW_FT_UINT16, PW_BASE_DEC, P, get_ancount},          \
        {pfx ".qry.name", "Name", PW_FT_STRING, PW_BASE_NONE, P, get_qry_name}

/* tshark's mdns and llmnr layers publish the dns.* fields (they have no
 * fields of their own) */
const struct pw_field pw_fields_dns[] = {
    DNS_FIELDS("dns", PW_P_DNS),
    DNS_FIELDS("dns", PW_P_MDNS),
    DNS_FIELDS("dns", PW_P_LLMNR),
    PW_FIELDS_END,
};


/* DNS over TCP (RFC 1035 section 4.2.2; RFC 7766): a 2-byte length, then
 * the message; one `dns` item per message. */
static int64_t dns_tcp_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                               const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 2)
        return PW_PDU_MORE;
    return 2 + (int64_t)((p[0] << 8) | p[1]);
}

static void dns_tcp_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)st;
    pw_cur_skip(c, 2);
    struct pw_cur m = pw_cur_rest(c);
    pw_dns_message(d, &m, PW_P_DNS);
}

const struct pw_tcp_proto pw_tcp_dns = {PW_P_DNS, false, 0, dns_tcp_pdu_len, dns_tcp_pdu};

/* "Domain Name System (query)": the protocol's name and the QR bit (NBNS
 * items have no label) */
size_t pw_label_dns(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    uint32_t v;
    if (l->proto == PW_P_NBNS || !hdr16(pkt, l, 2, &v))
        return 0;
    return pw_label_add(buf, n, 0, "%s (%s)", pw_proto_name(l->proto),
                        (v & 0x8000) ? "response" : "query");
}
