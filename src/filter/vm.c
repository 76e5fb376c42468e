/* The VM: runs a compiled filter over one dissected packet.
 *
 * Registers hold every occurrence of a value (ip.addr has two per IP
 * header, tunnels add more). A relation holds, as in tshark 4.0, when some
 * pair of occurrences satisfies it; "!=" and "===" and the `all` quantifier
 * need every pair to, and every relation is false when a side has no value
 * at all. Nothing is allocated: registers and their scratch bytes were sized
 * at compile time, and a value that would not fit is dropped. */
#include <ctype.h>
#include <string.h>

#include "dissect/dissect.h"
#include "filter/fint.h"
#include "output/fields.h"

/* ---- values ------------------------------------------------------------ */

/* The bytes a value stands for, for types compared as byte strings. */
static void view(uint8_t ty, const struct pw_fvalue *v, const uint8_t **p, uint32_t *len)
{
    switch (ty) {
    case PW_FT_ETHER:
        *p = v->v.addr;
        *len = 6;
        return;
    case PW_FT_IPV4:
        *p = v->v.addr;
        *len = 4;
        return;
    case PW_FT_IPV6:
        *p = v->v.addr;
        *len = 16;
        return;
    default:
        *p = v->v.bytes.p;
        *len = v->v.bytes.len;
        if (!*p)
            *len = 0;
        return;
    }
}

static int cmp_u(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_i(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_bytes(const uint8_t *a, uint32_t la, const uint8_t *b, uint32_t lb)
{
    uint32_t m = la < lb ? la : lb;
    int r = m ? memcmp(a, b, m) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return cmp_u(la, lb);
}

/* Compares under a prefix of plen bits (CIDR constants). */
static int cmp_prefix(const uint8_t *a, const uint8_t *b, unsigned nbytes, unsigned plen)
{
    for (unsigned i = 0; i < nbytes; i++) {
        unsigned bits = plen >= 8 ? 8 : plen;
        plen -= bits;
        uint8_t m = (uint8_t)(bits ? 0xff << (8 - bits) : 0);
        uint8_t x = a[i] & m, y = b[i] & m;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* Times are nanosecond counts here; tshark compares (seconds, nanoseconds)
 * pairs and, when the seconds differ, returns their difference cast to a
 * C int: past 2^31 seconds apart the order turns over (a frame of 2107 is
 * before 2020 but after 4000000000, as tshark's filters see it). */
static int cmp_time(int64_t a, int64_t b)
{
    int64_t as = a / 1000000000, bs = b / 1000000000;
    if (as == bs)
        return cmp_i(a % 1000000000, b % 1000000000);
    int32_t d = (int32_t)(uint32_t)((uint64_t)as - (uint64_t)bs);
    return d < 0 ? -1 : d > 0;
}

static int compare(uint8_t cls, uint8_t ta, uint8_t tb, const struct pw_fvalue *a,
                   const struct pw_fvalue *b, unsigned plen)
{
    switch (cls) {
    case CLS_UINT: return cmp_u(a->v.u, b->v.u);
    case CLS_INT: return cmp_i(a->v.i, b->v.i);
    case CLS_BOOL: return cmp_u(a->v.u != 0, b->v.u != 0);
    case CLS_IPV4: return cmp_prefix(a->v.addr, b->v.addr, 4, plen > 32 ? 32 : plen);
    case CLS_IPV6: return cmp_prefix(a->v.addr, b->v.addr, 16, plen);
    case CLS_ETHER: return cmp_bytes(a->v.addr, 6, b->v.addr, 6);
    case CLS_TIME: return cmp_time(a->v.i, b->v.i);
    case CLS_DOUBLE: return a->v.d < b->v.d ? -1 : a->v.d > b->v.d;
    default: {
        const uint8_t *pa, *pb;
        uint32_t la, lb;
        view(ta, a, &pa, &la);
        view(tb, b, &pb, &lb);
        /* strings order like strcmp; byte strings as tshark orders them,
         * the shorter first (frame[0:1] < 00:00 always holds) */
        if (ta != PW_FT_STRING && la != lb)
            return la < lb ? -1 : 1;
        return cmp_bytes(pa, la, pb, lb);
    }
    }
}

static bool holds(uint8_t op, int r)
{
    switch (op) {
    case TK_EQ:
    case TK_ALL_EQ: return r == 0;
    case TK_NE:
    case TK_ANY_NE: return r != 0;
    case TK_GT: return r > 0;
    case TK_GE: return r >= 0;
    case TK_LT: return r < 0;
    case TK_LE: return r <= 0;
    default: return false;
    }
}

static unsigned plen_of(const struct pwf_reg *r, uint32_t i, uint8_t cls)
{
    if (r->plen)
        return r->plen[i];
    return cls == CLS_IPV6 ? 128 : 32;
}

/* ---- loading fields ---------------------------------------------------- */

static int layer_index(int32_t x, int total)
{
    return x < 0 ? total + x + 1 : x;
}

/* Is the k-th (1-based) layer of its protocol selected by the #ranges? */
static bool layer_selected(const struct pwf_insn *in, int k, int total)
{
    if (!in->nrng)
        return true;
    for (uint16_t i = 0; i < in->nrng; i++) {
        const struct pwf_range *r = &in->rng[i];
        int s = layer_index(r->a, total);
        switch (r->kind) {
        case R_SINGLE:
            if (k == s)
                return true;
            break;
        case R_START_LEN:
            if (k >= s && k < s + r->b)
                return true;
            break;
        case R_START_END:
            if (k >= s && k <= layer_index(r->b, total))
                return true;
            break;
        default:
            if (k >= s)
                return true;
            break;
        }
    }
    return false;
}

/* The variant of the instruction's field that a layer of this protocol
 * publishes, or NULL. */
static const struct pw_field *variant(const struct pwf_insn *in, unsigned proto)
{
    for (uint8_t v = 0; v < in->nvar; v++)
        if (in->var[v]->proto == proto)
            return in->var[v];
    return NULL;
}

static int count_layers(const struct pw_packet *pkt, const struct pwf_insn *in, uint16_t proto)
{
    if (proto == PW_P_FRAME)
        return 1;
    int n = 0;
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        if (pkt->layer[i].flags & PW_LF_NOTREE)
            continue;
        n += in->nvar ? variant(in, pkt->layer[i].proto) != NULL : pkt->layer[i].proto == proto;
    }
    return n;
}

static bool needs_total(const struct pwf_insn *in)
{
    for (uint16_t i = 0; i < in->nrng; i++)
        if (in->rng[i].a < 0 || (in->rng[i].kind == R_START_END && in->rng[i].b < 0))
            return true;
    return false;
}

/* Text values (frame.protocols) are built into the register's scratch. */
static void build_texts(const struct pw_field *f, const struct pw_packet *pkt,
                        const struct pw_layer *l, struct pwf_reg *r, uint32_t from)
{
    for (uint32_t j = from; j < r->n; j++) {
        struct pw_fvalue *v = &r->v[j];
        if (v->v.bytes.p)
            continue;
        uint32_t room = r->scap - r->sused;
        if (room < 2) {
            v->v.bytes.p = r->scratch;
            v->v.bytes.len = 0;
            continue;
        }
        char *buf = (char *)r->scratch + r->sused;
        size_t len = f->text(pkt, l, (int)(j - from), buf, room);
        if (len > room - 1)
            len = room - 1;
        v->v.bytes.p = (const uint8_t *)buf;
        v->v.bytes.len = (uint32_t)len;
        r->sused += (uint32_t)len + 1;
    }
}

static void load_field(const struct pwf_insn *in, const struct pw_packet *pkt, struct pwf_reg *r)
{
    const struct pw_field *f = in->field;
    r->n = 0;
    r->sused = 0;
    if (f->proto == PW_P_FRAME) {
        if (in->nrng && !layer_selected(in, 1, 1))
            return;
        int got = f->get(pkt, NULL, r->v, (int)r->cap);
        r->n = got < 0 ? 0 : (uint32_t)got > r->cap ? r->cap : (uint32_t)got;
        if (f->text)
            build_texts(f, pkt, NULL, r, 0);
        return;
    }
    int total = in->nrng && needs_total(in) ? count_layers(pkt, in, f->proto) : 0;
    int k = 0;
    for (unsigned i = 0; i < pkt->nlayers && r->n < r->cap; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        const struct pw_field *lf = l->proto == f->proto ? f : variant(in, l->proto);
        if (!lf || (l->flags & PW_LF_NOTREE))
            continue;
        if (!layer_selected(in, ++k, total))
            continue;
        uint32_t room = r->cap - r->n, from = r->n;
        int got = lf->get(pkt, l, r->v + r->n, (int)room);
        if (got <= 0)
            continue;
        r->n += (uint32_t)got > room ? room : (uint32_t)got;
        if (lf->text)
            build_texts(lf, pkt, l, r, from);
    }
}

/* A protocol's value: the bytes of its PDU that were captured. */
static void load_proto(const struct pwf_insn *in, const struct pw_packet *pkt, struct pwf_reg *r)
{
    r->n = 0;
    if (in->proto == PW_P_FRAME) {
        if (in->nrng && !layer_selected(in, 1, 1))
            return;
        r->v[0].type = PW_FT_PROTOCOL;
        r->v[0].v.bytes.p = pkt->rec->data; /* the frame, not a reassembly */
        r->v[0].v.bytes.len = pkt->rec->caplen;
        r->n = 1;
        return;
    }
    int total = in->nrng && needs_total(in) ? count_layers(pkt, in, in->proto) : 0;
    int k = 0;
    for (unsigned i = 0; i < pkt->nlayers && r->n < r->cap; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        if (l->proto != in->proto || (l->flags & PW_LF_NOTREE) || !layer_selected(in, ++k, total))
            continue;
        struct pw_fvalue *v = &r->v[r->n++];
        v->type = PW_FT_PROTOCOL;
        uint32_t off = l->off < pkt->caplen ? l->off : pkt->caplen;
        uint32_t len = pkt->caplen - off;
        if (len > l->len)
            len = l->len;
        v->v.bytes.p = pkt->data + off;
        v->v.bytes.len = len;
    }
}

static bool exists_field(const struct pwf_insn *in, const struct pw_packet *pkt)
{
    const struct pw_field *f = in->field;
    struct pw_fvalue tmp[1];
    if (f->proto == PW_P_FRAME)
        return (!in->nrng || layer_selected(in, 1, 1)) && f->get(pkt, NULL, tmp, 1) > 0;
    int total = in->nrng && needs_total(in) ? count_layers(pkt, in, f->proto) : 0;
    int k = 0;
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        const struct pw_field *lf = l->proto == f->proto ? f : variant(in, l->proto);
        if (!lf || (l->flags & PW_LF_NOTREE) || !layer_selected(in, ++k, total))
            continue;
        if (lf->get(pkt, l, tmp, 1) > 0)
            return true;
    }
    return false;
}

static bool exists_proto(const struct pwf_insn *in, const struct pw_packet *pkt)
{
    if (in->proto == PW_P_FRAME)
        return !in->nrng || layer_selected(in, 1, 1);
    int total = in->nrng && needs_total(in) ? count_layers(pkt, in, in->proto) : 0;
    int k = 0;
    for (unsigned i = 0; i < pkt->nlayers; i++)
        if (pkt->layer[i].proto == in->proto && !(pkt->layer[i].flags & PW_LF_NOTREE) &&
            layer_selected(in, ++k, total))
            return true;
    return false;
}

/* ---- slices ------------------------------------------------------------ */

/* Start and length of one range over a value of `len` bytes; false when
 * the range does not fit (the slice then has no value). */
static bool range_bounds(const struct pwf_range *r, uint32_t len, uint32_t *start, uint32_t *n)
{
    int64_t L = len, s = r->a < 0 ? L + r->a : r->a, e;
    switch (r->kind) {
    case R_SINGLE: e = s + 1; break;
    case R_START_LEN: e = s + r->b; break;
    case R_START_END: e = (r->b < 0 ? L + r->b : r->b) + 1; break;
    default: e = L; break;
    }
    if (s < 0 || e > L || e <= s)
        return false;
    *start = (uint32_t)s;
    *n = (uint32_t)(e - s);
    return true;
}

/* A range that does not fit gives an empty byte string, not "no value",
 * as in tshark: frame[42:1] != 00 holds on a 42-byte frame, frame[42:1]
 * alone (a presence test) does not. */
static void do_slice(const struct pwf_insn *in, const struct pwf_reg *a, struct pwf_reg *d)
{
    static const uint8_t none[1];
    d->n = 0;
    d->sused = 0;
    for (uint32_t i = 0; i < a->n && d->n < d->cap; i++) {
        const uint8_t *p;
        uint32_t len;
        view(in->ty, &a->v[i], &p, &len);
        struct pw_fvalue *out = &d->v[d->n++];
        out->type = PW_FT_BYTES;
        out->v.bytes.p = none;
        out->v.bytes.len = 0;
        if (in->nrng == 1) {
            uint32_t s, n;
            if (range_bounds(&in->rng[0], len, &s, &n)) {
                out->v.bytes.p = p + s;
                out->v.bytes.len = n;
            }
            continue;
        }
        uint32_t at = d->sused;
        bool ok = true;
        for (uint16_t k = 0; k < in->nrng && ok; k++) {
            uint32_t s, n;
            ok = range_bounds(&in->rng[k], len, &s, &n) && n <= d->scap - d->sused;
            if (ok) {
                memcpy(d->scratch + d->sused, p + s, n);
                d->sused += n;
            }
        }
        if (!ok) {
            d->sused = at;
            continue;
        }
        out->v.bytes.p = d->scratch + at;
        out->v.bytes.len = d->sused - at;
    }
}

/* ---- functions and arithmetic ----------------------------------------- */

static bool nonzero(uint8_t cls, uint8_t ty, const struct pw_fvalue *v)
{
    switch (cls) {
    case CLS_UINT:
    case CLS_INT:
    case CLS_BOOL: return v->v.u != 0;
    case CLS_TIME: return v->v.i != 0;
    case CLS_DOUBLE: return v->v.d != 0;
    default: {
        const uint8_t *p;
        uint32_t len;
        view(ty, v, &p, &len);
        for (uint32_t i = 0; i < len; i++)
            if (p[i])
                return true;
        return false;
    }
    }
}

static void put_u(struct pwf_reg *d, uint8_t ty, uint64_t u)
{
    if (d->n < d->cap) {
        d->v[d->n].type = ty;
        d->v[d->n].v.u = u;
        d->n++;
    }
}

/* Appends `len` bytes to d's scratch as a new value; false if full. */
static bool put_bytes(struct pwf_reg *d, uint8_t ty, const uint8_t *p, uint32_t len, uint8_t **outp)
{
    if (d->n >= d->cap || len > d->scap - d->sused)
        return false;
    uint8_t *q = d->scratch + d->sused;
    if (p && len)
        memcpy(q, p, len);
    d->sused += len;
    d->v[d->n].type = ty;
    d->v[d->n].v.bytes.p = q;
    d->v[d->n].v.bytes.len = len;
    d->n++;
    if (outp)
        *outp = q;
    return true;
}

static void do_func(const struct pw_filter *f, const struct pwf_insn *in,
                    const struct pw_packet *pkt, struct pwf_reg *d)
{
    (void)pkt;
    const struct pwf_reg *a = &f->regs[in->a];
    d->n = 0;
    d->sused = 0;
    switch (in->cmp) {
    case FN_LEN:
        for (uint32_t i = 0; i < a->n; i++) {
            uint32_t len;
            if (pwf_type_cls(in->ty) == CLS_BYTES || in->ty == PW_FT_ETHER ||
                in->ty == PW_FT_IPV4 || in->ty == PW_FT_IPV6) {
                const uint8_t *p;
                view(in->ty, &a->v[i], &p, &len);
            } else {
                len = pwf_type_width(in->ty);
            }
            put_u(d, PW_FT_UINT32, len);
        }
        return;
    case FN_COUNT: put_u(d, PW_FT_UINT32, a->n); return;
    case FN_UPPER:
    case FN_LOWER:
        for (uint32_t i = 0; i < a->n; i++) {
            const uint8_t *p;
            uint32_t len;
            uint8_t *q;
            view(in->ty, &a->v[i], &p, &len);
            if (!put_bytes(d, PW_FT_STRING, p, len, &q))
                return;
            for (uint32_t k = 0; k < len; k++)
                q[k] = (uint8_t)(in->cmp == FN_UPPER ? toupper(q[k]) : tolower(q[k]));
        }
        return;
    case FN_STRING:
        for (uint32_t i = 0; i < a->n; i++) {
            uint32_t room = d->scap - d->sused;
            if (d->n >= d->cap || room < 2)
                return;
            char *buf = (char *)d->scratch + d->sused;
            size_t len = pw_fields_format(in->field, in->ty, &a->v[i], buf, room);
            if (len > room - 1)
                len = room - 1;
            d->sused += (uint32_t)len;
            d->v[d->n].type = PW_FT_STRING;
            d->v[d->n].v.bytes.p = (const uint8_t *)buf;
            d->v[d->n].v.bytes.len = (uint32_t)len;
            d->n++;
        }
        return;
    case FN_MAX:
    case FN_MIN: {
        const struct pw_fvalue *best = NULL;
        for (uint32_t k = 0; k < in->arg; k++) {
            const struct pwf_reg *r = &f->regs[in->args[k]];
            for (uint32_t i = 0; i < r->n; i++) {
                int c = best ? compare(in->cls, in->ty, in->ty, &r->v[i], best, 128) : 0;
                if (!best || (in->cmp == FN_MAX ? c > 0 : c < 0))
                    best = &r->v[i];
            }
        }
        if (best) {
            d->v[0] = *best;
            d->n = 1;
        }
        return;
    }
    default: /* FN_ABS */
        for (uint32_t i = 0; i < a->n && d->n < d->cap; i++) {
            struct pw_fvalue v = a->v[i];
            if ((in->cls == CLS_INT || in->cls == CLS_TIME) && v.v.i < 0)
                v.v.u = (uint64_t)0 - v.v.u; /* INT64_MIN stays itself */
            else if (in->cls == CLS_DOUBLE && v.v.d < 0) {
                v.v.d = -v.v.d;
            }
            d->v[d->n++] = v;
        }
        return;
    }
}

static void arith_pair(const struct pwf_insn *in, const struct pw_fvalue *x,
                       const struct pw_fvalue *y, uint8_t tb, struct pwf_reg *d)
{
    switch (in->cls) {
    case CLS_UINT:
    case CLS_BOOL: {
        uint64_t a = x->v.u, b = y->v.u, r;
        /* an unsigned result that would overflow or go below zero has no
         * value (tshark's arithmetic fails there) */
        switch (in->cmp) {
        case TK_PLUS:
            if (__builtin_add_overflow(a, b, &r))
                return;
            break;
        case TK_MINUS:
            if (b > a)
                return;
            r = a - b;
            break;
        case TK_STAR:
            if (__builtin_mul_overflow(a, b, &r))
                return;
            break;
        case TK_SLASH:
            if (!b)
                return;
            r = a / b;
            break;
        case TK_PERCENT:
            if (!b)
                return;
            r = a % b;
            break;
        default: r = a & b; break;
        }
        put_u(d, in->ty, r);
        return;
    }
    case CLS_INT: {
        int64_t a = x->v.i, b = y->v.i;
        uint64_t r;
        switch (in->cmp) {
        case TK_PLUS: r = (uint64_t)a + (uint64_t)b; break;
        case TK_MINUS: r = (uint64_t)a - (uint64_t)b; break;
        case TK_STAR: r = (uint64_t)a * (uint64_t)b; break;
        case TK_SLASH:
            if (!b || (a == INT64_MIN && b == -1))
                return;
            r = (uint64_t)(a / b);
            break;
        case TK_PERCENT:
            if (!b || (a == INT64_MIN && b == -1))
                return;
            r = (uint64_t)(a % b);
            break;
        default: r = (uint64_t)(a & b); break;
        }
        put_u(d, in->ty, r);
        return;
    }
    case CLS_TIME:
        put_u(d, in->ty,
              in->cmp == TK_PLUS ? (uint64_t)x->v.i + (uint64_t)y->v.i
                                 : (uint64_t)x->v.i - (uint64_t)y->v.i);
        return;
    case CLS_DOUBLE: {
        double a = x->v.d, b = y->v.d, r;
        switch (in->cmp) {
        case TK_PLUS: r = a + b; break;
        case TK_MINUS: r = a - b; break;
        case TK_STAR: r = a * b; break;
        case TK_SLASH: r = a / b; break;
        default: return;
        }
        if (d->n < d->cap) {
            d->v[d->n].type = PW_FT_DOUBLE;
            d->v[d->n].v.d = r;
            d->n++;
        }
        return;
    }
    case CLS_IPV4:
    case CLS_IPV6:
    case CLS_ETHER:
        if (d->n < d->cap) {
            struct pw_fvalue *o = &d->v[d->n++];
            *o = *x;
            for (unsigned k = 0; k < sizeof(o->v.addr); k++)
                o->v.addr[k] &= y->v.addr[k];
        }
        return;
    default: {
        /* bytes & bytes: as long as the shorter */
        const uint8_t *pa, *pb;
        uint32_t la, lb;
        uint8_t *q;
        view(in->ty, x, &pa, &la);
        view(tb, y, &pb, &lb);
        uint32_t n = la < lb ? la : lb;
        if (!put_bytes(d, PW_FT_BYTES, pa, n, &q))
            return;
        for (uint32_t k = 0; k < n; k++)
            q[k] &= pb[k];
        return;
    }
    }
}

static void do_neg(const struct pwf_insn *in, const struct pwf_reg *a, struct pwf_reg *d)
{
    d->n = 0;
    for (uint32_t i = 0; i < a->n && d->n < d->cap; i++) {
        struct pw_fvalue v = a->v[i];
        switch (in->cls) {
        case CLS_DOUBLE: v.v.d = -v.v.d; break;
        default: v.v.u = (uint64_t)0 - v.v.u; break; /* wraps, never undefined */
        }
        d->v[d->n++] = v;
    }
}

/* ---- relations --------------------------------------------------------- */

static bool do_cmp(const struct pw_filter *f, const struct pwf_insn *in)
{
    const struct pwf_reg *a = &f->regs[in->a], *b = &f->regs[in->b];
    if (a->n == 0 || b->n == 0)
        return false;
    /* != and === hold for every pair unless "any" says otherwise */
    bool all =
        in->quant == Q_ALL || (in->quant == Q_ANY && (in->cmp == TK_NE || in->cmp == TK_ALL_EQ));
    uint8_t tb = (uint8_t)in->proto;
    bool uns = (in->flags & PWF_F_UNS_LHS) && in->cls == CLS_INT;
    for (uint32_t i = 0; i < a->n; i++)
        for (uint32_t j = 0; j < b->n; j++) {
            unsigned pl = plen_of(b, j, in->cls);
            bool h = !(uns && a->v[i].v.i >= 0 && b->v[j].v.i < 0) &&
                     holds(in->cmp, compare(in->cls, in->ty, tb, &a->v[i], &b->v[j], pl));
            if (all && !h)
                return false;
            if (!all && h)
                return true;
        }
    return all;
}

static bool contains1(uint8_t ta, uint8_t tb, const struct pw_fvalue *x, const struct pw_fvalue *y)
{
    const uint8_t *pa, *pb;
    uint32_t la, lb;
    view(ta, x, &pa, &la);
    view(tb, y, &pb, &lb);
    if (lb == 0)
        return true;
    if (lb > la)
        return false;
    return memmem(pa, la, pb, lb) != NULL;
}

static bool do_contains(const struct pw_filter *f, const struct pwf_insn *in)
{
    const struct pwf_reg *a = &f->regs[in->a], *b = &f->regs[in->b];
    if (a->n == 0 || b->n == 0)
        return false;
    bool all = in->quant == Q_ALL;
    for (uint32_t i = 0; i < a->n; i++)
        for (uint32_t j = 0; j < b->n; j++) {
            bool h = contains1(in->ty, (uint8_t)in->proto, &a->v[i], &b->v[j]);
            if (all && !h)
                return false;
            if (!all && h)
                return true;
        }
    return all;
}

static bool do_matches(const struct pw_filter *f, const struct pwf_insn *in)
{
    const struct pwf_reg *a = &f->regs[in->a];
    bool all = in->quant == Q_ALL;
    if (a->n == 0)
        return false;
    for (uint32_t i = 0; i < a->n; i++) {
        const uint8_t *p;
        uint32_t len;
        view(in->ty, &a->v[i], &p, &len);
        static const uint8_t empty[1];
        int rc = pcre2_match(f->re[in->arg], p ? p : empty, len, 0, 0, f->md[in->arg], f->mctx);
        bool h = rc >= 0;
        if (all && !h)
            return false;
        if (!all && h)
            return true;
    }
    return all;
}

/* x == e, or lo <= x <= hi, for element k of the set */
static bool elem_holds(const struct pw_filter *f, const struct pwf_insn *in,
                       const struct pwf_set *s, uint16_t k, const struct pw_fvalue *x)
{
    const struct pwf_reg *lo = &f->regs[s->lo[k]], *hi = &f->regs[s->hi[k]];
    if ((in->flags & PWF_F_UNS_LHS) && in->cls == CLS_INT && x->v.i >= 0) {
        /* a negative bound does not compare with a non-negative value */
        for (uint32_t j = 0; j < lo->n; j++)
            if (lo->v[j].v.i < 0)
                return false;
        for (uint32_t j = 0; j < hi->n; j++)
            if (hi->v[j].v.i < 0)
                return false;
    }
    if (s->lo[k] == s->hi[k]) {
        for (uint32_t j = 0; j < lo->n; j++)
            if (compare(in->cls, in->ty, in->ty, x, &lo->v[j], plen_of(lo, j, in->cls)) == 0)
                return true;
        return false;
    }
    for (uint32_t j = 0; j < lo->n; j++)
        for (uint32_t m = 0; m < hi->n; m++)
            if (compare(in->cls, in->ty, in->ty, x, &lo->v[j], plen_of(lo, j, in->cls)) >= 0 &&
                compare(in->cls, in->ty, in->ty, x, &hi->v[m], plen_of(hi, m, in->cls)) <= 0)
                return true;
    return false;
}

/* "a in {x, y..z}" is (a == x) or (a in y..z) with the relation's
 * quantifier on each element: any value in some element, or (all) some
 * element that holds every value */
static bool do_in(const struct pw_filter *f, const struct pwf_insn *in)
{
    const struct pwf_reg *a = &f->regs[in->a];
    const struct pwf_set *s = &f->sets[in->arg];
    if (a->n == 0)
        return false;
    for (uint16_t k = 0; k < s->n; k++) {
        bool all = true, any = false;
        for (uint32_t i = 0; i < a->n; i++) {
            bool h = elem_holds(f, in, s, k, &a->v[i]);
            all &= h;
            any |= h;
        }
        if (in->quant == Q_ALL ? all : any)
            return true;
    }
    return false;
}

bool pw_filter_match(const struct pw_filter *f, const struct pw_packet *pkt)
{
    if (f->match_all)
        return true;
    bool acc = false;
    uint32_t pc = 0;
    for (;;) {
        const struct pwf_insn *in = &f->code[pc++];
        switch (in->op) {
        case OP_RET: return acc;
        case OP_LOAD: load_field(in, pkt, &f->regs[in->dst]); break;
        case OP_LOADP: load_proto(in, pkt, &f->regs[in->dst]); break;
        case OP_EXISTS: acc = exists_field(in, pkt); break;
        case OP_EXISTSP: acc = exists_proto(in, pkt); break;
        case OP_EMPTY: f->regs[in->dst].n = 0; break;
        case OP_JEMPTY:
            if (f->regs[in->a].n == 0) {
                acc = false;
                pc = in->arg;
            }
            break;
        case OP_SLICE: do_slice(in, &f->regs[in->a], &f->regs[in->dst]); break;
        case OP_FUNC: do_func(f, in, pkt, &f->regs[in->dst]); break;
        case OP_ARITH: {
            const struct pwf_reg *a = &f->regs[in->a], *b = &f->regs[in->b];
            struct pwf_reg *d = &f->regs[in->dst];
            d->n = 0;
            d->sused = 0;
            for (uint32_t i = 0; i < a->n; i++)
                for (uint32_t j = 0; j < b->n; j++)
                    arith_pair(in, &a->v[i], &b->v[j], (uint8_t)in->proto, d);
            break;
        }
        case OP_NEG: do_neg(in, &f->regs[in->a], &f->regs[in->dst]); break;
        case OP_CMP: acc = do_cmp(f, in); break;
        case OP_IN: acc = do_in(f, in); break;
        case OP_CONTAINS: acc = do_contains(f, in); break;
        case OP_MATCHES: acc = do_matches(f, in); break;
        case OP_NONZERO: {
            const struct pwf_reg *a = &f->regs[in->a];
            acc = false;
            for (uint32_t i = 0; i < a->n && !acc; i++)
                acc = in->quant ? nonzero(in->cls, in->ty, &a->v[i])
                                : in->cls != CLS_BYTES || a->v[i].v.bytes.len > 0;
            break;
        }
        case OP_NOT: acc = !acc; break;
        case OP_JF:
            if (!acc)
                pc = in->arg;
            break;
        case OP_JT:
            if (acc)
                pc = in->arg;
            break;
        case OP_TRUE: acc = true; break;
        default: return false;
        }
    }
}
