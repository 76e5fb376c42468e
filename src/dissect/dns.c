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
#define MAX_DOTTED 253u /* longer names tshark shows as "<Name too long>" */
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
enum { NAME_OK, NAME_EXTENDED };

static bool dns_name_st(const struct pw_cur *m, struct pw_cur *c, char *out, unsigned outn,
                        unsigned *dotted, int *status)
{
    struct pw_cur w = *c; /* walking cursor: in place, then at pointer targets */
    bool jumped = false;
    unsigned jumps = 0, len = 0, o = 0, dl = 0;
    if (out && outn)
        out[0] = '\0';
    if (status)
        *status = NAME_OK;
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
            if (status)
                *status = NAME_EXTENDED;
            break;
        }
        dl += (dl ? 1u : 0u) + b;
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
    if (dotted)
        *dotted = dl;
    return !c->err;
}

static bool dns_name(const struct pw_cur *m, struct pw_cur *c, char *out, unsigned outn)
{
    return dns_name_st(m, c, out, outn, NULL, NULL);
}

/* One question or resource record as tshark shows it. An RR is shown only
 * when it lies whole (through its rdata) in the captured bytes: tshark
 * sizes the RR's tree item first, so a cut RR adds no field at all. */
struct dns_ent {
    bool question, shown;
    uint16_t type, cls;
    uint32_t name_at, rdata;
    uint32_t ttl;
    uint16_t rdlen;
};

enum {
    T_A = 1,
    T_AAAA = 28,
    T_OPT = 41,
    T_NSEC = 47,
};

static void dns_rr(const struct pw_cur *m, struct pw_cur *c, bool question, bool nbns,
                   struct dns_ent *e)
{
    e->shown = false;
    e->question = question;
    e->name_at = c->pos;
    dns_name(m, c, NULL, 0);
    uint16_t type = pw_cur_be16(c);
    e->type = type;
    e->cls = pw_cur_be16(c);
    if (c->err)
        return;
    if (question) {
        e->shown = true;
        return;
    }
    e->ttl = pw_cur_be32(c);
    uint16_t rdlen = pw_cur_be16(c);
    if (c->err)
        return;
    uint32_t start = c->pos;
    e->rdata = start;
    e->rdlen = rdlen;
    e->shown = pw_cur_left(c) >= rdlen;
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
    case T_A:
    case T_AAAA: {
        /* tshark reads the whole address whatever rdlength says */
        struct pw_cur r = *c;
        pw_cur_skip(&r, type == T_A ? 4 : 16);
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

/* Walks the questions, then the answer, authority and additional RRs (all
 * three sections are `dns.resp.*` in tshark), stopping where tshark's
 * dissection stops. */
struct dns_iter {
    struct pw_cur m, w;
    uint32_t nq, n, i;
    bool nbns, stop;
};

static void dns_iter_init(struct dns_iter *it, const struct pw_cur *m, bool nbns)
{
    it->m = *m;
    it->w = *m;
    pw_cur_be16(&it->w); /* id */
    pw_cur_be16(&it->w); /* flags */
    uint16_t qd = pw_cur_be16(&it->w), an = pw_cur_be16(&it->w), ns = pw_cur_be16(&it->w),
             ar = pw_cur_be16(&it->w);
    it->nq = qd;
    it->n = (uint32_t)qd + an + ns + ar;
    it->i = 0;
    it->nbns = nbns;
    it->stop = false;
}

static bool dns_iter_next(struct dns_iter *it, struct dns_ent *e)
{
    while (!it->stop && !it->w.err && it->i < it->n) {
        bool q = it->i < it->nq;
        it->i++;
        dns_rr(&it->m, &it->w, q, it->nbns, e);
        if (it->w.err)
            it->stop = true; /* this entry may still be shown: the rest is not */
        if (e->shown)
            return true;
    }
    return false;
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
    struct dns_iter it;
    dns_iter_init(&it, &m, proto == PW_P_NBNS);
    if (m.cap < 4)
        /* tshark reads id and flags before it adds its tree item: the
         * protocol is listed in frame.protocols but is no hierarchy level */
        l->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
    l->hlen = DNS_HLEN;
    struct dns_ent e;
    while (dns_iter_next(&it, &e))
        ;
    struct pw_cur w = it.w;
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

/* The message of layer l as a cursor, when its bytes are in the frame. */
static bool dns_layer_msg(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_cur *m)
{
    if ((l->flags & PW_LF_REASSEMBLED) || l->off >= pkt->caplen)
        return false;
    uint32_t cap = pkt->caplen - l->off;
    *m = pw_cur_make(pkt->data + l->off, cap < l->len ? cap : l->len, l->len);
    m->off = l->off;
    return true;
}

enum dns_what { W_QNAME, W_QTYPE, W_QCLASS, W_RNAME, W_RTYPE, W_RTTL, W_A, W_AAAA, W_CNAME };

static bool dns_match(enum dns_what w, const struct dns_ent *e)
{
    switch (w) {
    case W_QNAME:
    case W_QTYPE:
    case W_QCLASS:
        return e->question;
    case W_RNAME:
        /* tshark shows an SRV record's owner name as service, protocol
         * and name items instead */
        return !e->question && e->type != T_SRV;
    case W_RTYPE:
        return !e->question;
    case W_RTTL:
        return !e->question && e->type != T_OPT; /* OPT's TTL is flags */
    case W_A:
        return !e->question && e->type == T_A;
    case W_AAAA:
        return !e->question && e->type == T_AAAA;
    case W_CNAME:
        return !e->question && e->type == T_CNAME;
    }
    return false;
}

/* Appends one byte to buf (bounded by n) and counts it in *len. */
static void put_c(char *buf, size_t n, size_t *len, char ch)
{
    if (*len + 1 < n)
        buf[*len] = ch;
    (*len)++;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4), or
 * 0 with *bad set to the bytes of its longest valid beginning (at least
 * one): tshark replaces each such piece by one U+FFFD. */
static unsigned utf8_seq(const uint8_t *p, size_t left, unsigned *bad)
{
    uint8_t b = p[0];
    unsigned need = b >= 0xc0 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf7 ? 4 : 0;
    if (!need) {
        *bad = 1;
        return 0;
    }
    uint32_t cp = b & (0x7fu >> need);
    unsigned i = 1;
    for (; i < need && i < left && (p[i] & 0xc0) == 0x80; i++)
        cp = (cp << 6) | (p[i] & 0x3fu);
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    /* a whole sequence that is overlong, a surrogate or past U+10FFFF is
     * replaced as one piece, as tshark does */
    if (i == need && cp >= least[need] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff))
        return need;
    *bad = i;
    return 0;
}

/* A decoded name in tshark's printed form: invalid UTF-8 becomes U+FFFD,
 * control characters C-style escapes (\t, \n...) or three octal digits. */
static size_t dns_escape(const uint8_t *p, size_t len, char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint8_t b = p[i];
        if (b >= 0x80) {
            unsigned bad = 0, k = utf8_seq(p + i, len - i, &bad);
            if (k == 2 && b == 0xc2 && p[i + 1] < 0xa0) {
                /* C1 controls */
                static const char hx[] = "0123456789abcdef";
                put_c(buf, n, &o, '\\');
                put_c(buf, n, &o, 'u');
                put_c(buf, n, &o, '0');
                put_c(buf, n, &o, '0');
                put_c(buf, n, &o, hx[p[i + 1] >> 4]);
                put_c(buf, n, &o, hx[p[i + 1] & 15]);
                i += k;
            } else if (k) {
                for (unsigned j = 0; j < k; j++)
                    put_c(buf, n, &o, (char)p[i + j]);
                i += k;
            } else {
                put_c(buf, n, &o, (char)0xef);
                put_c(buf, n, &o, (char)0xbf);
                put_c(buf, n, &o, (char)0xbd);
                i += bad;
            }
            continue;
        }
        i++;
        if (b >= 0x20 && b < 0x7f) {
            put_c(buf, n, &o, (char)b);
            continue;
        }
        static const char letters[] = "abtnvfr"; /* 7 to 13 */
        put_c(buf, n, &o, '\\');
        if (b >= 7 && b <= 13) {
            put_c(buf, n, &o, letters[b - 7]);
        } else {
            put_c(buf, n, &o, (char)('0' + (b >> 6)));
            put_c(buf, n, &o, (char)('0' + ((b >> 3) & 7)));
            put_c(buf, n, &o, (char)('0' + (b & 7)));
        }
    }
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return o;
}

/* The name at `at` as tshark prints it, into buf; returns its length. */
static size_t dns_name_text(const struct pw_cur *m, uint32_t at, char *buf, size_t n)
{
    char name[MAX_NAME + 1];
    struct pw_cur c = *m;
    c.pos = at;
    unsigned dotted = 0;
    int st = NAME_OK;
    const char *s = name;
    if (!dns_name_st(m, &c, name, sizeof(name), &dotted, &st))
        return 0;
    if (st == NAME_EXTENDED)
        s = "<Unknown extended label>";
    else if (dotted > MAX_DOTTED)
        s = "<Name too long>";
    else if (dotted == 0)
        s = "<Root>";
    return dns_escape((const uint8_t *)s, s == name ? dotted : strlen(s), buf, n);
}

/* Whether the name at `at` decodes (a CNAME whose pointer leads outside
 * the message is no field) */
static bool dns_name_ok(const struct pw_cur *m, uint32_t at)
{
    struct pw_cur c = *m;
    c.pos = at;
    return dns_name(m, &c, NULL, 0);
}

static bool dns_value(const struct pw_cur *m, enum dns_what w, const struct dns_ent *e)
{
    return w != W_CNAME || dns_name_ok(m, e->rdata);
}

/* An NSEC record's type bit maps (RFC 4034 section 4.1.2) after its next
 * domain name: tshark adds each type they list as another dns.resp.type.
 * Writes them from out[n] on (up to max); returns the new count. */
static int nsec_types(const struct pw_cur *m, const struct dns_ent *e, struct pw_fvalue *out,
                      int max, int n)
{
    struct pw_cur r = *m;
    r.pos = e->rdata;
    if (!dns_name(m, &r, NULL, 0))
        return n;
    uint32_t end = e->rdata + e->rdlen;
    while (!r.err && r.pos + 2 <= end) {
        unsigned win = pw_cur_u8(&r), blen = pw_cur_u8(&r);
        for (unsigned i = 0; i < blen && !r.err && r.pos < end; i++) {
            unsigned bits = pw_cur_u8(&r);
            for (unsigned b = 0; b < 8; b++) {
                if (!(bits & (0x80u >> b)))
                    continue;
                if (n < max) {
                    out[n].type = PW_FT_UINT16;
                    out[n].v.u = win * 256 + i * 8 + b;
                }
                n++;
            }
        }
    }
    return n;
}

static int dns_get(const struct pw_packet *pkt, const struct pw_layer *l, enum dns_what what,
                   struct pw_fvalue *out, int max)
{
    struct pw_cur m;
    if (!dns_layer_msg(pkt, l, &m))
        return 0;
    struct dns_iter it;
    dns_iter_init(&it, &m, false);
    struct dns_ent e;
    int n = 0;
    while (dns_iter_next(&it, &e)) {
        if (!dns_match(what, &e) || !dns_value(&m, what, &e))
            continue;
        if (n < max) {
            struct pw_fvalue *v = &out[n];
            switch (what) {
            case W_QTYPE:
            case W_RTYPE:
                v->type = PW_FT_UINT16;
                v->v.u = e.type;
                break;
            case W_QCLASS:
                v->type = PW_FT_UINT16;
                /* mDNS's top bit asks for a unicast answer (RFC 6762 5.4) */
                v->v.u = l->proto == PW_P_MDNS ? (e.cls & 0x7fffu) : e.cls;
                break;
            case W_RTTL:
                v->type = PW_FT_UINT32;
                v->v.u = e.ttl;
                break;
            case W_A:
            case W_AAAA: {
                struct pw_cur r = m;
                r.pos = e.rdata;
                unsigned k = what == W_A ? 4 : 16;
                v->type = what == W_A ? PW_FT_IPV4 : PW_FT_IPV6;
                memset(v->v.addr, 0, sizeof(v->v.addr));
                pw_cur_bytes(&r, v->v.addr, k);
                break;
            }
            default: /* names: built by the text() callbacks */
                pw_fv_text(v, 0);
                break;
            }
        }
        n++;
        if (what == W_RTYPE && e.type == T_NSEC)
            n = nsec_types(&m, &e, out, max, n);
    }
    return n;
}

static size_t dns_text(const struct pw_packet *pkt, const struct pw_layer *l, enum dns_what what,
                       int idx, char *buf, size_t n)
{
    struct pw_cur m;
    if (n)
        buf[0] = '\0';
    if (!dns_layer_msg(pkt, l, &m))
        return 0;
    struct dns_iter it;
    dns_iter_init(&it, &m, false);
    struct dns_ent e;
    int k = 0;
    while (dns_iter_next(&it, &e)) {
        if (!dns_match(what, &e) || !dns_value(&m, what, &e))
            continue;
        if (k++ == idx)
            return dns_name_text(&m, what == W_CNAME ? e.rdata : e.name_at, buf, n);
    }
    return 0;
}

#define DNS_GETTER(fn, what)                                                                       \
    static int get_##fn(const struct pw_packet *pkt, const struct pw_layer *l,                     \
                        struct pw_fvalue *out, int max)                                            \
    {                                                                                              \
        return dns_get(pkt, l, what, out, max);                                                    \
    }
#define DNS_TEXT(fn, what)                                                                         \
    static size_t text_##fn(const struct pw_packet *pkt, const struct pw_layer *l, int idx,        \
                            char *buf, size_t n)                                                   \
    {                                                                                              \
        return dns_text(pkt, l, what, idx, buf, n);                                                \
    }

DNS_GETTER(qry_name, W_QNAME)
DNS_GETTER(qry_type, W_QTYPE)
DNS_GETTER(qry_class, W_QCLASS)
DNS_GETTER(resp_name, W_RNAME)
DNS_GETTER(resp_type, W_RTYPE)
DNS_GETTER(resp_ttl, W_RTTL)
DNS_GETTER(a, W_A)
DNS_GETTER(aaaa, W_AAAA)
DNS_GETTER(cname, W_CNAME)
DNS_TEXT(qry_name, W_QNAME)
DNS_TEXT(resp_name, W_RNAME)
DNS_TEXT(cname, W_CNAME)

#define DNS_FIELDS(pfx, P)                                                                         \
    {pfx ".id", "Transaction ID", PW_FT_UINT16, PW_BASE_HEX, P, get_id},                          \
        {pfx ".flags.response", "Response", PW_FT_BOOLEAN, PW_BASE_NONE, P, get_response},        \
        {pfx ".flags.rcode", "Reply code", PW_FT_UINT16, PW_BASE_DEC, P, get_rcode},              \
        {pfx ".count.queries", "Questions", PW_FT_UINT16, PW_BASE_DEC, P, get_qdcount},           \
        {pfx ".count.answers", "Answer RRs", PW_FT_UINT16, PW_BASE_DEC, P, get_ancount},          \
        {pfx ".qry.name", "Name", PW_FT_STRING, PW_BASE_NONE, P, get_qry_name, text_qry_name},    \
        {pfx ".qry.type", "Type", PW_FT_UINT16, PW_BASE_DEC, P, get_qry_type},                    \
        {pfx ".qry.class", "Class", PW_FT_UINT16, PW_BASE_HEX, P, get_qry_class},                 \
        {pfx ".resp.name", "Name", PW_FT_STRING, PW_BASE_NONE, P, get_resp_name, text_resp_name}, \
        {pfx ".resp.type", "Type", PW_FT_UINT16, PW_BASE_DEC, P, get_resp_type},                  \
        {pfx ".resp.ttl", "Time to live", PW_FT_UINT32, PW_BASE_DEC, P, get_resp_ttl},           \
        {pfx ".a", "Address", PW_FT_IPV4, PW_BASE_NONE, P, get_a},                                 \
        {pfx ".aaaa", "AAAA Address", PW_FT_IPV6, PW_BASE_NONE, P, get_aaaa},                      \
        {pfx ".cname", "CNAME", PW_FT_STRING, PW_BASE_NONE, P, get_cname, text_cname}

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
