/* Code generation: the checked tree -> a flat instruction array.
 *
 * Every value the program computes gets its own register, sized for what
 * can flow into it (PWF_MAX_OCC occurrences for a field, one for a count),
 * so the VM never allocates. Constants are put into their registers here,
 * once. Logic is short-circuit: "and"/"or" jump over their right side, and a
 * relation whose left side is absent jumps over the rest of itself. */
#include <stdlib.h>
#include <string.h>

#include "filter/fint.h"

struct regspec {
    uint32_t cap, scap;
    const struct pwf_const *k; /* constant register (NULL: computed) */
    bool empty_const;          /* a constant with no value */
};

struct gen {
    struct pwf_comp *c;
    struct pw_filter *f;
    struct pwf_insn *code;
    uint32_t ncode, capcode;
    struct regspec *regs;
    uint32_t nregs, capregs;
    struct pwf_set *sets;
    uint32_t nsets, capsets;
    struct pwf_node **res; /* regex source nodes */
    uint32_t nre, capre;
    const char **names;
    uint32_t nnames, capnames;
};

static bool grow(struct gen *g, void **arr, uint32_t *cap, uint32_t need, size_t el)
{
    if (need <= *cap)
        return true;
    uint32_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *p = pwf_arena_alloc(&g->c->arena, el * nc);
    if (!p) {
        pwf_nomem(g->c);
        return false;
    }
    if (*arr && *cap)
        memcpy(p, *arr, el * *cap);
    *arr = p;
    *cap = nc;
    return true;
}

static int emit(struct gen *g, const struct pwf_insn *in)
{
    if (!grow(g, (void **)&g->code, &g->capcode, g->ncode + 1, sizeof(*g->code)))
        return -1;
    g->code[g->ncode] = *in;
    return (int)g->ncode++;
}

static int newreg(struct gen *g, uint32_t cap, uint32_t scap)
{
    if (g->nregs >= PWF_MAX_REGS) {
        pwf_fail(g->c, 0, 0, "The filter expression is too complex.");
        return -1;
    }
    if (!grow(g, (void **)&g->regs, &g->capregs, g->nregs + 1, sizeof(*g->regs)))
        return -1;
    struct regspec *r = &g->regs[g->nregs];
    memset(r, 0, sizeof(*r));
    r->cap = cap ? cap : 1;
    r->scap = scap;
    return (int)g->nregs++;
}

static void add_name(struct gen *g, const char *name)
{
    for (uint32_t i = 0; i < g->nnames; i++)
        if (!strcmp(g->names[i], name))
            return;
    if (grow(g, (void **)&g->names, &g->capnames, g->nnames + 1, sizeof(*g->names)))
        g->names[g->nnames++] = name;
}

static const char *node_abbrev(const struct pwf_node *n)
{
    if (n->field)
        return n->field->abbrev;
    return n->proto != PW_P_NONE ? pw_proto_abbrev(n->proto) : n->text; /* tshark-only name */
}

struct variants {
    const struct pw_field *f;
    const struct pw_field **out;
    unsigned n;
};

static void add_variant(const struct pw_field *f, void *arg)
{
    struct variants *v = arg;
    if (f != v->f && !strcmp(f->abbrev, v->f->abbrev) && f->type == v->f->type &&
        v->n < PWF_MAX_VARIANTS)
        v->out[v->n++] = f;
}

unsigned pwf_field_variants(const struct pw_field *f, const struct pw_field **out)
{
    struct variants v = {f, out, 1};
    out[0] = f;
    pw_field_foreach(add_variant, &v);
    return v.n;
}

static int gen_value(struct gen *g, struct pwf_node *n);
static bool signed_values(const struct pwf_node *n);

static int const_reg(struct gen *g, const struct pwf_const *k)
{
    int r = newreg(g, 1, 0);
    if (r < 0)
        return -1;
    g->regs[r].k = k;
    g->regs[r].empty_const = k->v.type == 0xff;
    return r;
}

static int gen_field(struct gen *g, struct pwf_node *n)
{
    add_name(g, node_abbrev(n));
    if (n->kind == N_REF) { /* no selected packet: a reference has no value */
        struct pwf_const *k = pwf_arena_alloc(&g->c->arena, sizeof(*k));
        if (!k) {
            pwf_nomem(g->c);
            return -1;
        }
        k->ty = n->ty;
        k->v.type = 0xff;
        return const_reg(g, k);
    }
    bool text = n->field && n->field->text;
    int r = newreg(g, PWF_MAX_OCC, text ? PWF_SCRATCH : 0);
    if (r < 0)
        return -1;
    struct pwf_insn in = {0};
    in.op = n->field ? OP_LOAD : OP_LOADP;
    in.dst = (uint16_t)r;
    in.field = n->field;
    if (n->field)
        in.nvar = (uint8_t)pwf_field_variants(n->field, in.var);
    in.proto = n->proto;
    in.ty = n->ty;
    in.rng = n->ranges;
    in.nrng = n->has_layers ? n->nranges : 0;
    return emit(g, &in) < 0 ? -1 : r;
}

static int gen_value(struct gen *g, struct pwf_node *n)
{
    struct pwf_insn in = {0};
    switch (n->kind) {
    case N_CONST: {
        /* a constant register holds a copy the arena will not free under it */
        struct pwf_const *k = pwf_arena_alloc(&g->c->arena, sizeof(*k));
        if (!k) {
            pwf_nomem(g->c);
            return -1;
        }
        *k = *n->c;
        return const_reg(g, k);
    }
    case N_FIELD:
    case N_REF: return gen_field(g, n);
    case N_SLICE: {
        int a = gen_value(g, n->a);
        if (a < 0)
            return -1;
        int r = newreg(g, g->regs[a].cap, n->nranges > 1 ? PWF_SCRATCH : 0);
        if (r < 0)
            return -1;
        in.op = OP_SLICE;
        in.dst = (uint16_t)r;
        in.a = (uint16_t)a;
        in.ty = n->a->ty;
        in.rng = n->ranges;
        in.nrng = n->nranges;
        return emit(g, &in) < 0 ? -1 : r;
    }
    case N_FUNC: {
        uint16_t *args = pwf_arena_alloc(&g->c->arena, sizeof(*args) * n->nargs);
        if (!args) {
            pwf_nomem(g->c);
            return -1;
        }
        uint32_t cap = 0;
        for (uint16_t i = 0; i < n->nargs; i++) {
            int a = gen_value(g, n->args[i]);
            if (a < 0)
                return -1;
            args[i] = (uint16_t)a;
            cap += g->regs[a].cap;
        }
        uint32_t scap = 0;
        if (n->fn == FN_COUNT || n->fn == FN_MAX || n->fn == FN_MIN)
            cap = 1;
        if (n->fn == FN_UPPER || n->fn == FN_LOWER || n->fn == FN_STRING)
            scap = PWF_SCRATCH;
        int r = newreg(g, cap, scap);
        if (r < 0)
            return -1;
        in.op = OP_FUNC;
        in.cmp = n->fn;
        in.dst = (uint16_t)r;
        in.a = args[0];
        in.args = args;
        in.arg = n->nargs;
        in.ty = n->args[0]->ty; /* the argument's type */
        in.cls = signed_values(n) ? CLS_INT : pwf_type_cls(n->ty);
        in.field = n->args[0]->kind == N_FIELD ? n->args[0]->field : NULL;
        return emit(g, &in) < 0 ? -1 : r;
    }
    case N_NEG: {
        int a = gen_value(g, n->a);
        if (a < 0)
            return -1;
        int r = newreg(g, g->regs[a].cap, 0);
        if (r < 0)
            return -1;
        in.op = OP_NEG;
        in.dst = (uint16_t)r;
        in.a = (uint16_t)a;
        in.ty = n->ty;
        in.cls = pwf_type_is_int(n->ty) ? CLS_INT : pwf_type_cls(n->ty);
        return emit(g, &in) < 0 ? -1 : r;
    }
    case N_ARITH: {
        int a = gen_value(g, n->a);
        int b = a < 0 ? -1 : gen_value(g, n->b);
        if (b < 0)
            return -1;
        uint64_t cap = (uint64_t)g->regs[a].cap * g->regs[b].cap;
        int r = newreg(g, cap > PWF_MAX_OCC ? PWF_MAX_OCC : (uint32_t)cap,
                       pwf_type_cls(n->ty) == CLS_BYTES ? PWF_SCRATCH : 0);
        if (r < 0)
            return -1;
        in.op = OP_ARITH;
        in.cmp = n->op;
        in.dst = (uint16_t)r;
        in.a = (uint16_t)a;
        in.b = (uint16_t)b;
        in.ty = n->ty;
        in.cls = pwf_type_cls(n->ty);
        /* the bytes view of the operands, for bitwise and on addresses */
        in.proto = n->b->ty;
        if (pwf_type_is_int(n->ty))
            in.cls = CLS_INT;
        else if (in.cls != CLS_BYTES)
            in.cls = pwf_type_cls(n->a->ty);
        return emit(g, &in) < 0 ? -1 : r;
    }
    default: pwf_fail(g->c, n->off, n->len, "Internal error: not a value."); return -1;
    }
}

/* Integer arithmetic gives signed 64-bit values, as tshark's does
 * (tcp.srcport - tcp.dstport < 0 holds for 80 -> 443), although constants
 * compared with it are checked against the field's type. */
static bool signed_values(const struct pwf_node *n)
{
    if (!pwf_type_is_int(n->ty))
        return false;
    if (n->kind == N_ARITH || n->kind == N_NEG)
        return true;
    if (n->kind == N_FUNC && (n->fn == FN_MAX || n->fn == FN_MIN || n->fn == FN_ABS))
        for (uint16_t i = 0; i < n->nargs; i++)
            if (signed_values(n->args[i]))
                return true;
    return pwf_type_is_signed(n->ty);
}

/* the class two checked operands compare in */
static uint8_t cls_of(const struct pwf_node *a, const struct pwf_node *b)
{
    if (pwf_type_is_int(a->ty) && pwf_type_is_int(b->ty) && (signed_values(a) || signed_values(b)))
        return CLS_INT;
    uint8_t ta = a->ty, tb = b->ty;
    if (pwf_type_is_int(ta) && pwf_type_is_int(tb))
        return CLS_UINT;
    if (ta != tb && (pwf_type_is_bytes(ta) || pwf_type_is_bytes(tb)))
        return CLS_BYTES;
    return pwf_type_cls(ta);
}

static bool patch_to_here(struct gen *g, int at)
{
    if (at < 0)
        return false;
    g->code[at].arg = g->ncode;
    return true;
}

static bool gen_test(struct gen *g, struct pwf_node *n)
{
    struct pwf_insn in = {0};
    switch (n->kind) {
    case N_AND:
    case N_OR: {
        if (!gen_test(g, n->a))
            return false;
        in.op = n->kind == N_AND ? OP_JF : OP_JT;
        int j = emit(g, &in);
        if (j < 0 || !gen_test(g, n->b))
            return false;
        return patch_to_here(g, j);
    }
    case N_NOT:
        if (!gen_test(g, n->a))
            return false;
        in.op = OP_NOT;
        return emit(g, &in) >= 0;
    case N_TEST: {
        struct pwf_node *a = n->a;
        if (a->kind == N_FIELD) {
            add_name(g, node_abbrev(a));
            in.op = a->field ? OP_EXISTS : OP_EXISTSP;
            in.field = a->field;
            if (a->field)
                in.nvar = (uint8_t)pwf_field_variants(a->field, in.var);
            in.proto = a->proto;
            in.rng = a->ranges;
            in.nrng = a->has_layers ? a->nranges : 0;
            return emit(g, &in) >= 0;
        }
        int r = gen_value(g, a);
        if (r < 0)
            return false;
        in.op = OP_NONZERO;
        in.a = (uint16_t)r;
        in.ty = a->ty;
        in.cls = pwf_type_cls(a->ty);
        /* a slice or reference is tested for presence, arithmetic for zero */
        in.quant = a->kind == N_ARITH || a->kind == N_NEG;
        return emit(g, &in) >= 0;
    }
    case N_CMP: {
        int a = gen_value(g, n->a);
        if (a < 0)
            return false;
        in.op = OP_JEMPTY;
        in.a = (uint16_t)a;
        int j = emit(g, &in);
        if (j < 0)
            return false;
        memset(&in, 0, sizeof(in));
        in.a = (uint16_t)a;
        in.quant = n->quant;
        in.cmp = n->op;
        in.ty = n->a->ty;
        if (n->op == TK_MATCHES) {
            if (!grow(g, (void **)&g->res, &g->capre, g->nre + 1, sizeof(*g->res)))
                return false;
            g->res[g->nre] = n->b;
            in.op = OP_MATCHES;
            in.arg = g->nre++;
            in.cls = CLS_BYTES;
        } else {
            int b = gen_value(g, n->b);
            if (b < 0)
                return false;
            in.op = n->op == TK_CONTAINS ? OP_CONTAINS : OP_CMP;
            in.b = (uint16_t)b;
            in.cls = n->op == TK_CONTAINS ? CLS_BYTES : cls_of(n->a, n->b);
            if (pwf_type_is_int(n->a->ty) && !pwf_type_is_signed(n->a->ty))
                in.flags |= PWF_F_UNS_LHS;
            /* b's type travels in `proto` (unused by comparisons) */
            in.proto = n->b->ty;
        }
        if (emit(g, &in) < 0)
            return false;
        return patch_to_here(g, j);
    }
    case N_IN: {
        int a = gen_value(g, n->a);
        if (a < 0)
            return false;
        in.op = OP_JEMPTY;
        in.a = (uint16_t)a;
        int j = emit(g, &in);
        if (j < 0)
            return false;
        if (!grow(g, (void **)&g->sets, &g->capsets, g->nsets + 1, sizeof(*g->sets)))
            return false;
        struct pwf_set *s = &g->sets[g->nsets];
        s->n = n->nargs;
        s->lo = pwf_arena_alloc(&g->c->arena, sizeof(*s->lo) * n->nargs);
        s->hi = pwf_arena_alloc(&g->c->arena, sizeof(*s->hi) * n->nargs);
        if (!s->lo || !s->hi) {
            pwf_nomem(g->c);
            return false;
        }
        uint8_t cls = pwf_type_cls(n->a->ty);
        for (uint16_t i = 0; i < n->nargs; i++) {
            int lo = gen_value(g, n->args[i]);
            int hi = lo < 0 ? -1 : n->hi[i] ? gen_value(g, n->hi[i]) : lo;
            if (hi < 0)
                return false;
            /* gen_value may have grown g->sets: index again */
            g->sets[g->nsets].lo[i] = (uint16_t)lo;
            g->sets[g->nsets].hi[i] = (uint16_t)hi;
            cls = cls_of(n->a, n->args[i]);
            if (n->hi[i] && cls_of(n->a, n->hi[i]) == CLS_INT)
                cls = CLS_INT;
        }
        memset(&in, 0, sizeof(in));
        in.op = OP_IN;
        in.a = (uint16_t)a;
        if (pwf_type_is_int(n->a->ty) && !pwf_type_is_signed(n->a->ty))
            in.flags |= PWF_F_UNS_LHS;
        in.arg = g->nsets++;
        in.quant = n->quant;
        in.cls = cls;
        in.ty = n->a->ty;
        if (emit(g, &in) < 0)
            return false;
        return patch_to_here(g, j);
    }
    default: pwf_fail(g->c, n->off, n->len, "Internal error: not a test."); return false;
    }
}

/* Moves what the program needs out of the compiler's arena into the
 * filter's own allocations. */
static int finish(struct gen *g)
{
    struct pw_filter *f = g->f;
    f->ncode = g->ncode;
    f->code = calloc(g->ncode ? g->ncode : 1, sizeof(*f->code));
    f->nregs = g->nregs;
    f->regs = calloc(g->nregs ? g->nregs : 1, sizeof(*f->regs));
    f->nsets = g->nsets;
    f->sets = calloc(g->nsets ? g->nsets : 1, sizeof(*f->sets));
    f->nnames = g->nnames;
    f->names = calloc(g->nnames ? g->nnames : 1, sizeof(*f->names));
    if (!f->code || !f->regs || !f->sets || !f->names)
        return -1;
    for (uint32_t i = 0; i < g->nnames; i++)
        if (!(f->names[i] = strdup(g->names[i]))) /* some live in the arena */
            return -1;

    /* ranges and argument lists, copied and re-pointed */
    size_t nr = 0, na = 0;
    for (uint32_t i = 0; i < g->ncode; i++) {
        nr += g->code[i].nrng;
        if (g->code[i].op == OP_FUNC)
            na += g->code[i].arg;
    }
    f->ranges = calloc(nr ? nr : 1, sizeof(*f->ranges));
    f->argv = calloc(na ? na : 1, sizeof(*f->argv));
    if (!f->ranges || !f->argv)
        return -1;
    nr = na = 0;
    for (uint32_t i = 0; i < g->ncode; i++) {
        struct pwf_insn in = g->code[i];
        if (in.nrng) {
            memcpy(f->ranges + nr, in.rng, sizeof(*in.rng) * in.nrng);
            in.rng = f->ranges + nr;
            nr += in.nrng;
        } else {
            in.rng = NULL;
        }
        if (in.op == OP_FUNC) {
            memcpy(f->argv + na, in.args, sizeof(*in.args) * in.arg);
            in.args = f->argv + na;
            na += in.arg;
        }
        f->code[i] = in;
    }
    for (uint32_t i = 0; i < g->nsets; i++) {
        struct pwf_set *s = &f->sets[i];
        s->n = g->sets[i].n;
        s->lo = calloc(s->n ? s->n : 1, sizeof(*s->lo));
        s->hi = calloc(s->n ? s->n : 1, sizeof(*s->hi));
        if (!s->lo || !s->hi)
            return -1;
        memcpy(s->lo, g->sets[i].lo, sizeof(*s->lo) * s->n);
        memcpy(s->hi, g->sets[i].hi, sizeof(*s->hi) * s->n);
    }

    /* registers: constants filled now, the rest sized for the worst case */
    f->consts = calloc(g->nregs ? g->nregs : 1, sizeof(*f->consts));
    if (!f->consts)
        return -1;
    for (uint32_t i = 0; i < g->nregs; i++) {
        struct pwf_reg *r = &f->regs[i];
        const struct regspec *s = &g->regs[i];
        r->cap = s->cap;
        r->v = calloc(s->cap, sizeof(*r->v));
        if (!r->v)
            return -1;
        if (s->k) {
            f->consts[f->nconsts] = *s->k;
            if (s->empty_const) {
                r->n = 0;
                continue;
            }
            r->n = 1;
            r->v[0] = s->k->v;
            r->plen = calloc(1, 1);
            if (!r->plen)
                return -1;
            r->plen[0] = s->k->plen;
            if (s->k->ty == PW_FT_STRING || s->k->ty == PW_FT_BYTES || s->k->ty == PW_FT_PROTOCOL) {
                /* own copy of the bytes: the arena goes away */
                uint32_t len = s->k->v.v.bytes.len;
                r->scratch = malloc(len + 1);
                if (!r->scratch)
                    return -1;
                if (len)
                    memcpy(r->scratch, s->k->v.v.bytes.p, len);
                r->scratch[len] = 0;
                r->v[0].v.bytes.p = r->scratch;
                r->scap = r->sused = len + 1;
                f->consts[f->nconsts].v.v.bytes.p = r->scratch;
            }
            f->nconsts++;
            continue;
        }
        if (s->scap) {
            r->scratch = malloc(s->scap);
            if (!r->scratch)
                return -1;
            r->scap = s->scap;
        }
    }

    /* regular expressions: compiled once, match data preallocated, limits
     * bounding the work per packet */
    f->nre = g->nre;
    if (g->nre) {
        f->re = calloc(g->nre, sizeof(*f->re));
        f->md = calloc(g->nre, sizeof(*f->md));
        f->mctx = pcre2_match_context_create(NULL);
        if (!f->re || !f->md || !f->mctx)
            return -1;
        pcre2_set_match_limit(f->mctx, PWF_PCRE_MATCH_LIMIT);
        pcre2_set_depth_limit(f->mctx, PWF_PCRE_DEPTH_LIMIT);
        for (uint32_t i = 0; i < g->nre; i++) {
            int ec;
            PCRE2_SIZE eo;
            const struct pwf_node *b = g->res[i];
            f->re[i] = pcre2_compile((PCRE2_SPTR)b->text, b->tlen, PCRE2_CASELESS, &ec, &eo, NULL);
            if (!f->re[i])
                return -1;
            f->md[i] = pcre2_match_data_create_from_pattern(f->re[i], NULL);
            if (!f->md[i])
                return -1;
        }
    }
    return 0;
}

int pwf_compile(struct pwf_comp *c, struct pwf_node *root, struct pw_filter *f)
{
    struct gen g;
    memset(&g, 0, sizeof(g));
    g.c = c;
    g.f = f;
    if (!root) {
        f->match_all = true;
    } else if (!gen_test(&g, root)) {
        return -1;
    }
    struct pwf_insn ret = {0};
    ret.op = OP_RET;
    if (emit(&g, &ret) < 0)
        return -1;
    if (finish(&g) < 0) {
        if (!c->failed)
            pwf_nomem(c);
        return -1;
    }
    return 0;
}
