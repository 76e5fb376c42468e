/* The parser: tokens -> syntax tree, by recursive descent.
 *
 *   expr     := and ("||" and)*                  "and" binds tighter than "or"
 *   and      := not ("&&" not)*
 *   not      := "!" not | "(" expr ")" | relation
 *   relation := ["any"|"all"] arith [cmp arith (cmp arith)*   chains: a<b<c is a<b && b<c
 *                                   | "in" set | "not" "in" set
 *                                   | "contains" arith | "matches" arith]
 *   arith    := sum ("&" sum)*
 *   sum      := prod (("+"|"-") prod)*
 *   prod     := unary (("*"|"/"|"%") unary)*
 *   unary    := "-" unary | "+" unary | "{" arith "}" postfix* | value postfix*
 *   value    := name ["#" layers] | name "(" [arith ("," arith)*] ")" | literal
 *             | string | 'c' | "$" "{" name "}"
 *   postfix  := "[" range ("," range)* "]"
 *   set      := "{" elem ("," elem)* "}",  elem := value [".." value]
 *
 * Nesting depth is bounded (PWF_MAX_DEPTH) so that input cannot exhaust
 * the stack. Messages are tshark's: the offending token quoted, or
 * "Unexpected end of filter expression." at the end. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/fint.h"

static struct pwf_token *peek(struct pwf_comp *c)
{
    return &c->toks[c->pos];
}

static struct pwf_token *peek2(struct pwf_comp *c)
{
    return c->pos < c->ntoks ? &c->toks[c->pos + 1] : &c->toks[c->ntoks];
}

static struct pwf_token *next(struct pwf_comp *c)
{
    struct pwf_token *t = &c->toks[c->pos];
    if (c->pos < c->ntoks)
        c->pos++;
    return t;
}

static void *unexpected(struct pwf_comp *c, const struct pwf_token *t)
{
    if (t->kind == TK_ERROR) {
        if (!c->failed) {
            c->failed = true;
            if (c->err)
                *c->err = c->lexerr;
            c->err_len = c->lexerr_len;
        }
        return NULL;
    }
    if (t->kind == TK_EOF)
        return pwf_fail(c, t->off, 0, "Unexpected end of filter expression.");
    return pwf_fail(c, t->off, t->len, "\"%.*s\" was unexpected in this context.", (int)t->len,
                    c->src + t->off);
}

static struct pwf_node *mk(struct pwf_comp *c, uint8_t kind, uint32_t off, uint32_t len)
{
    struct pwf_node *n = pwf_arena_alloc(&c->arena, sizeof(*n));
    if (!n)
        return pwf_nomem(c);
    n->kind = kind;
    n->off = off;
    n->len = len;
    return n;
}

/* the span from a's start to b's end */
static void span(struct pwf_node *n, const struct pwf_node *a, const struct pwf_node *b)
{
    n->off = a->off;
    n->len = b->off + b->len > a->off ? b->off + b->len - a->off : a->len;
}

static bool enter(struct pwf_comp *c, const struct pwf_token *t)
{
    if (++c->depth > PWF_MAX_DEPTH) {
        pwf_fail(c, t->off, t->len, "The filter expression is nested too deeply.");
        return false;
    }
    return true;
}

static struct pwf_node *parse_expr(struct pwf_comp *c);
static struct pwf_node *parse_arith(struct pwf_comp *c);

/* A signed decimal for a range part; false with tshark's message when it is
 * not one. */
static bool range_int(struct pwf_comp *c, const struct pwf_token *t, const char *s, size_t n,
                      int32_t *v)
{
    char buf[32];
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof(buf))
        goto bad;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long long x = strtoll(buf, &end, 10);
    if (*end || errno || x > INT32_MAX || x < -INT32_MAX ||
        !(isdigit((unsigned char)buf[0]) || buf[0] == '-' || buf[0] == '+'))
        goto bad;
    *v = (int32_t)x;
    return true;
bad:
    pwf_fail(c, t->off, t->len, "\"%.*s\" is not a valid number.", (int)n, s);
    return false;
}

/* One range: i:n, :n, i:, i-j or i (Wireshark's drange syntax). */
static bool parse_range(struct pwf_comp *c, const struct pwf_token *t, struct pwf_range *r)
{
    const char *s = t->text;
    size_t n = t->tlen;
    const char *colon = memchr(s, ':', n);
    if (colon) {
        size_t a = (size_t)(colon - s), b = n - a - 1;
        const char *bs = colon + 1;
        bool has_a = false, has_b = false;
        for (size_t i = 0; i < a; i++)
            has_a |= !isspace((unsigned char)s[i]);
        for (size_t i = 0; i < b; i++)
            has_b |= !isspace((unsigned char)bs[i]);
        if (!has_a && !has_b) {
            pwf_fail(c, t->off, t->len, "\"%.*s\" is not a valid range.", (int)n, s);
            return false;
        }
        r->a = 0;
        if (has_a && !range_int(c, t, s, a, &r->a))
            return false;
        if (!has_b) {
            r->kind = R_TO_END;
            return true;
        }
        if (!range_int(c, t, bs, b, &r->b))
            return false;
        if (r->b <= 0) {
            pwf_fail(c, t->off, t->len, "Range %.*s isn't valid because length %d isn't positive",
                     (int)n, s, r->b);
            return false;
        }
        r->kind = R_START_LEN;
        return true;
    }
    /* a '-' after the first character separates i-j */
    const char *dash = n > 1 ? memchr(s + 1, '-', n - 1) : NULL;
    if (dash) {
        size_t a = (size_t)(dash - s);
        if (memchr(dash + 1, '-', n - a - 1) && dash[1] != '-') {
            /* "0-1-2" */
            pwf_fail(c, t->off, t->len, "\"%.*s\" is not a valid range.", (int)n, s);
            return false;
        }
        if (a + 1 >= n) {
            pwf_fail(c, t->off, t->len, "\"%.*s\" is not a valid range.", (int)n, s);
            return false;
        }
        if (!range_int(c, t, s, a, &r->a) || !range_int(c, t, dash + 1, n - a - 1, &r->b))
            return false;
        if ((r->a < 0) != (r->b < 0)) {
            pwf_fail(c, t->off, t->len,
                     "Range %.*s isn't valid because %d and %d have different signs", (int)n, s,
                     r->a, r->b);
            return false;
        }
        if (r->a >= r->b) {
            pwf_fail(c, t->off, t->len,
                     "Range %.*s isn't valid because %d is greater or equal than %d", (int)n, s,
                     r->a, r->b);
            return false;
        }
        r->kind = R_START_END;
        return true;
    }
    if (!range_int(c, t, s, n, &r->a))
        return false;
    r->kind = R_SINGLE;
    return true;
}

/* After '[': ranges up to ']' (the lexer made one TK_RANGE per part). */
static bool parse_ranges(struct pwf_comp *c, struct pwf_range **out, uint16_t *nout)
{
    uint32_t start = c->pos, cnt = 0;
    while (peek(c)->kind == TK_RANGE || peek(c)->kind == TK_COMMA) {
        if (peek(c)->kind == TK_RANGE)
            cnt++;
        next(c);
    }
    c->pos = start;
    if (cnt == 0 || cnt > 1024) {
        unexpected(c, peek(c));
        return false;
    }
    struct pwf_range *r = pwf_arena_alloc(&c->arena, sizeof(*r) * cnt);
    if (!r) {
        pwf_nomem(c);
        return false;
    }
    uint16_t k = 0;
    for (;;) {
        struct pwf_token *t = next(c);
        if (t->kind != TK_RANGE) {
            unexpected(c, t);
            return false;
        }
        if (!parse_range(c, t, &r[k++]))
            return false;
        t = next(c);
        if (t->kind == TK_RBRACKET)
            break;
        if (t->kind != TK_COMMA) {
            unexpected(c, t);
            return false;
        }
    }
    *out = r;
    *nout = k;
    return true;
}

static struct pwf_node *parse_postfix(struct pwf_comp *c, struct pwf_node *v)
{
    while (v && peek(c)->kind == TK_LBRACKET) {
        struct pwf_token *lb = next(c);
        struct pwf_node *s = mk(c, N_SLICE, v->off, 0);
        if (!s || !parse_ranges(c, &s->ranges, &s->nranges))
            return NULL;
        s->a = v;
        s->len = c->toks[c->pos - 1].off + 1 - v->off;
        (void)lb;
        v = s;
    }
    return v;
}

static struct pwf_node *parse_func(struct pwf_comp *c, struct pwf_token *name)
{
    struct pwf_node *f = mk(c, N_FUNC, name->off, name->len);
    if (!f)
        return NULL;
    f->text = name->text;
    f->tlen = name->tlen;
    next(c); /* '(' */
    struct pwf_node *args[64];
    uint16_t n = 0;
    if (peek(c)->kind != TK_RPAREN) {
        for (;;) {
            struct pwf_node *a = parse_arith(c);
            if (!a)
                return NULL;
            if (n >= 64)
                return pwf_fail(c, a->off, a->len, "Too many function arguments.");
            args[n++] = a;
            if (peek(c)->kind == TK_COMMA) {
                next(c);
                continue;
            }
            break;
        }
    }
    struct pwf_token *t = next(c);
    if (t->kind != TK_RPAREN)
        return unexpected(c, t);
    f->args = pwf_arena_alloc(&c->arena, sizeof(*f->args) * (n ? n : 1));
    if (!f->args)
        return pwf_nomem(c);
    memcpy(f->args, args, sizeof(*args) * n);
    f->nargs = n;
    return f;
}

/* name ["#" layers] */
static struct pwf_node *parse_name(struct pwf_comp *c, struct pwf_token *t)
{
    struct pwf_node *n = mk(c, t->kind == TK_FIELD ? N_FIELD : N_LITERAL, t->off, t->len);
    if (!n)
        return NULL;
    n->text = t->text;
    n->tlen = t->tlen;
    if (t->kind == TK_FIELD)
        n->op = 1; /* explicit: must be a field */
    if (peek(c)->kind == TK_HASH) {
        struct pwf_token *h = next(c);
        struct pwf_token *x = next(c);
        if (x->kind == TK_INDEX) {
            n->ranges = pwf_arena_alloc(&c->arena, sizeof(*n->ranges));
            if (!n->ranges)
                return pwf_nomem(c);
            char *end;
            errno = 0;
            long long v = strtoll(x->text, &end, 10);
            if (errno || v > INT32_MAX)
                return pwf_fail(c, x->off, x->len, "\"%s\" is not a valid number.", x->text);
            n->ranges[0].kind = R_SINGLE;
            n->ranges[0].a = (int32_t)v;
            n->nranges = 1;
        } else if (x->kind == TK_LBRACKET) {
            if (!parse_ranges(c, &n->ranges, &n->nranges))
                return NULL;
        } else {
            return unexpected(c, x);
        }
        n->has_layers = true;
        n->kind = N_FIELD; /* a layer can only follow a field */
        n->op = 2;         /* written with #: must be a field */
        n->len = c->toks[c->pos - 1].off + c->toks[c->pos - 1].len - n->off;
        (void)h;
    }
    return n;
}

static struct pwf_node *parse_value(struct pwf_comp *c)
{
    struct pwf_token *t = peek(c);
    switch (t->kind) {
    case TK_WORD:
        if (peek2(c)->kind == TK_LPAREN)
            return parse_func(c, next(c));
        return parse_name(c, next(c));
    case TK_FIELD: return parse_name(c, next(c));
    case TK_LITERAL: {
        next(c);
        struct pwf_node *n = mk(c, N_LITERAL, t->off, t->len);
        if (n) {
            n->text = t->text;
            n->tlen = t->tlen;
            n->op = 3; /* explicitly a literal */
        }
        return n;
    }
    case TK_STRING: {
        next(c);
        struct pwf_node *n = mk(c, N_STRING, t->off, t->len);
        if (n) {
            n->text = t->text;
            n->tlen = t->tlen;
        }
        return n;
    }
    case TK_CHARCONST: {
        next(c);
        struct pwf_node *n = mk(c, N_CHARCONST, t->off, t->len);
        if (n) {
            n->num = t->num;
            n->text = t->text;
            n->tlen = t->tlen;
        }
        return n;
    }
    case TK_DOLLAR: {
        next(c);
        struct pwf_token *lb = next(c);
        if (lb->kind != TK_LBRACE)
            return unexpected(c, lb);
        struct pwf_token *name = next(c);
        if (name->kind != TK_WORD && name->kind != TK_FIELD)
            return unexpected(c, name);
        struct pwf_token *rb = next(c);
        if (rb->kind != TK_RBRACE)
            return unexpected(c, rb);
        struct pwf_node *n = mk(c, N_REF, t->off, rb->off + 1 - t->off);
        if (n) {
            n->text = name->text;
            n->tlen = name->tlen;
        }
        return n;
    }
    default: return unexpected(c, t);
    }
}

static struct pwf_node *parse_unary(struct pwf_comp *c)
{
    struct pwf_token *t = peek(c);
    if (!enter(c, t))
        return NULL;
    struct pwf_node *r;
    if (t->kind == TK_MINUS || t->kind == TK_PLUS) {
        next(c);
        struct pwf_node *a = parse_unary(c);
        if (!a)
            return NULL;
        if (t->kind == TK_PLUS) {
            r = a;
        } else {
            r = mk(c, N_NEG, t->off, 0);
            if (!r)
                return NULL;
            r->a = a;
            r->len = a->off + a->len - t->off;
        }
    } else if (t->kind == TK_LBRACE) {
        next(c);
        struct pwf_node *a = parse_arith(c);
        if (!a)
            return NULL;
        struct pwf_token *rb = next(c);
        if (rb->kind != TK_RBRACE)
            return unexpected(c, rb);
        r = parse_postfix(c, a);
    } else {
        r = parse_postfix(c, parse_value(c));
    }
    c->depth--;
    return r;
}

static struct pwf_node *binop(struct pwf_comp *c, uint8_t op, struct pwf_node *a,
                              struct pwf_node *b)
{
    struct pwf_node *n = mk(c, N_ARITH, a->off, 0);
    if (!n)
        return NULL;
    n->op = op;
    n->a = a;
    n->b = b;
    span(n, a, b);
    return n;
}

static struct pwf_node *parse_prod(struct pwf_comp *c)
{
    struct pwf_node *a = parse_unary(c);
    while (a) {
        uint8_t k = peek(c)->kind;
        if (k != TK_STAR && k != TK_SLASH && k != TK_PERCENT)
            break;
        next(c);
        struct pwf_node *b = parse_unary(c);
        if (!b)
            return NULL;
        a = binop(c, k, a, b);
    }
    return a;
}

static struct pwf_node *parse_sum(struct pwf_comp *c)
{
    struct pwf_node *a = parse_prod(c);
    while (a) {
        uint8_t k = peek(c)->kind;
        if (k != TK_PLUS && k != TK_MINUS)
            break;
        next(c);
        struct pwf_node *b = parse_prod(c);
        if (!b)
            return NULL;
        a = binop(c, k, a, b);
    }
    return a;
}

static struct pwf_node *parse_arith(struct pwf_comp *c)
{
    struct pwf_node *a = parse_sum(c);
    while (a && peek(c)->kind == TK_BITAND) {
        next(c);
        struct pwf_node *b = parse_sum(c);
        if (!b)
            return NULL;
        a = binop(c, TK_BITAND, a, b);
    }
    return a;
}

static struct pwf_node *parse_set_value(struct pwf_comp *c)
{
    struct pwf_token *t = peek(c);
    if (t->kind == TK_MINUS) {
        next(c);
        if (!enter(c, t))
            return NULL;
        struct pwf_node *a = parse_set_value(c);
        c->depth--;
        if (!a)
            return NULL;
        struct pwf_node *r = mk(c, N_NEG, t->off, a->off + a->len - t->off);
        if (r)
            r->a = a;
        return r;
    }
    return parse_postfix(c, parse_value(c));
}

static struct pwf_node *parse_set(struct pwf_comp *c, struct pwf_node *in)
{
    struct pwf_token *lb = next(c);
    if (lb->kind != TK_LBRACE)
        return unexpected(c, lb);
    uint16_t cap = 16, n = 0;
    struct pwf_node **lo = pwf_arena_alloc(&c->arena, sizeof(*lo) * cap);
    struct pwf_node **hi = pwf_arena_alloc(&c->arena, sizeof(*hi) * cap);
    if (!lo || !hi)
        return pwf_nomem(c);
    for (;;) {
        struct pwf_node *a = parse_set_value(c), *b = NULL;
        if (!a)
            return NULL;
        if (peek(c)->kind == TK_DOTDOT) {
            next(c);
            b = parse_set_value(c);
            if (!b)
                return NULL;
        }
        if (n == cap) {
            if (cap >= 32768)
                return pwf_fail(c, a->off, a->len, "Too many set elements.");
            struct pwf_node **l2 = pwf_arena_alloc(&c->arena, sizeof(*lo) * cap * 2);
            struct pwf_node **h2 = pwf_arena_alloc(&c->arena, sizeof(*hi) * cap * 2);
            if (!l2 || !h2)
                return pwf_nomem(c);
            memcpy(l2, lo, sizeof(*lo) * cap);
            memcpy(h2, hi, sizeof(*hi) * cap);
            lo = l2;
            hi = h2;
            cap *= 2;
        }
        lo[n] = a;
        hi[n] = b;
        n++;
        struct pwf_token *t = next(c);
        if (t->kind == TK_RBRACE) {
            in->len = t->off + 1 - in->off;
            break;
        }
        if (t->kind != TK_COMMA)
            return unexpected(c, t);
    }
    in->args = lo;
    in->hi = hi;
    in->nargs = n;
    return in;
}

static bool is_cmp(uint8_t k)
{
    return k == TK_EQ || k == TK_NE || k == TK_ALL_EQ || k == TK_ANY_NE || k == TK_GT ||
           k == TK_GE || k == TK_LT || k == TK_LE;
}

static struct pwf_node *parse_relation(struct pwf_comp *c)
{
    uint8_t quant = Q_ANY;
    bool has_quant = false;
    struct pwf_token *qt = peek(c);
    if (qt->kind == TK_ANY || qt->kind == TK_ALL) {
        quant = qt->kind == TK_ALL ? Q_ALL : Q_ANY_WORD;
        has_quant = true;
        next(c);
    }
    struct pwf_node *a = parse_arith(c);
    if (!a)
        return NULL;
    struct pwf_token *t = peek(c);
    if (is_cmp(t->kind)) {
        struct pwf_node *res = NULL;
        while (is_cmp(peek(c)->kind)) {
            struct pwf_token *op = next(c);
            struct pwf_node *b = parse_arith(c);
            if (!b)
                return NULL;
            struct pwf_node *cmp = mk(c, N_CMP, a->off, 0);
            if (!cmp)
                return NULL;
            cmp->op = op->kind;
            cmp->quant = quant;
            cmp->a = a;
            cmp->b = b;
            cmp->text = c->src + op->off; /* the operator as written, for messages */
            cmp->tlen = op->len;
            span(cmp, a, b);
            if (!res) {
                res = cmp;
            } else {
                struct pwf_node *and = mk(c, N_AND, res->off, 0);
                if (!and)
                    return NULL;
                and->a = res;
                and->b = cmp;
                span(and, res, cmp);
                res = and;
            }
            a = b;
        }
        return res;
    }
    bool neg = false;
    /* membership is for a value, not for arithmetic: "a + 1 in {..}" is a
     * syntax error in tshark */
    if ((t->kind == TK_IN || (t->kind == TK_NOT && peek2(c)->kind == TK_IN)) &&
        (a->kind == N_ARITH || a->kind == N_NEG))
        return unexpected(c, t->kind == TK_IN ? t : peek2(c));
    if (t->kind == TK_NOT && peek2(c)->kind == TK_IN) {
        next(c);
        neg = true;
        t = peek(c);
    }
    if (t->kind == TK_IN) {
        next(c);
        struct pwf_node *in = mk(c, N_IN, a->off, 0);
        if (!in)
            return NULL;
        in->a = a;
        in->quant = quant;
        if (!parse_set(c, in))
            return NULL;
        if (!neg)
            return in;
        struct pwf_node *n = mk(c, N_NOT, in->off, in->len);
        if (n)
            n->a = in;
        return n;
    }
    if (t->kind == TK_CONTAINS || t->kind == TK_MATCHES) {
        next(c);
        struct pwf_node *b = parse_arith(c);
        if (!b)
            return NULL;
        struct pwf_node *cmp = mk(c, N_CMP, a->off, 0);
        if (!cmp)
            return NULL;
        cmp->op = t->kind;
        cmp->quant = quant;
        cmp->a = a;
        cmp->b = b;
        cmp->text = c->src + t->off;
        cmp->tlen = t->len;
        span(cmp, a, b);
        return cmp;
    }
    if (has_quant)
        return unexpected(c, t);
    struct pwf_node *test = mk(c, N_TEST, a->off, a->len);
    if (test)
        test->a = a;
    return test;
}

static struct pwf_node *parse_not(struct pwf_comp *c)
{
    struct pwf_token *t = peek(c);
    if (!enter(c, t))
        return NULL;
    struct pwf_node *r;
    if (t->kind == TK_NOT) {
        next(c);
        struct pwf_node *a = parse_not(c);
        if (!a)
            return NULL;
        r = mk(c, N_NOT, t->off, a->off + a->len - t->off);
        if (!r)
            return NULL;
        r->a = a;
    } else if (t->kind == TK_LPAREN) {
        next(c);
        r = parse_expr(c);
        if (!r)
            return NULL;
        struct pwf_token *rp = next(c);
        if (rp->kind != TK_RPAREN)
            return unexpected(c, rp);
    } else {
        r = parse_relation(c);
    }
    c->depth--;
    return r;
}

/* A left-associative chain of `sub` joined by `tok`, built as `kind`
 * nodes: `and` binds tighter than `or`, so parse_expr chains parse_and. */
static struct pwf_node *parse_chain(struct pwf_comp *c, int tok, int kind,
                                    struct pwf_node *(*sub)(struct pwf_comp *))
{
    struct pwf_node *a = sub(c);
    while (a && peek(c)->kind == tok) {
        next(c);
        struct pwf_node *b = sub(c);
        if (!b)
            return NULL;
        struct pwf_node *n = mk(c, kind, a->off, 0);
        if (!n)
            return NULL;
        n->a = a;
        n->b = b;
        span(n, a, b);
        a = n;
    }
    return a;
}

static struct pwf_node *parse_and(struct pwf_comp *c)
{
    return parse_chain(c, TK_AND, N_AND, parse_not);
}

static struct pwf_node *parse_expr(struct pwf_comp *c)
{
    return parse_chain(c, TK_OR, N_OR, parse_and);
}

struct pwf_node *pwf_parse(struct pwf_comp *c)
{
    c->pos = 0;
    c->depth = 0;
    if (c->ntoks == 0)
        return NULL; /* empty: matches everything */
    struct pwf_node *r = parse_expr(c);
    if (!r)
        return NULL;
    if (peek(c)->kind != TK_EOF)
        return unexpected(c, peek(c));
    return r;
}
