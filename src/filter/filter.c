/* The public face of the display-filter module: compile (lexer, parser,
 * semcheck, compile.c, all under one struct pwf_comp and its arena),
 * explain, and free. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/fint.h"
#include "output/fields.h"

void *pwf_fail(struct pwf_comp *c, uint32_t off, uint32_t len, const char *fmt, ...)
{
    if (c->failed)
        return NULL; /* keep the first error: it is the one tshark reports */
    c->failed = true;
    if (c->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
        c->err->code = PW_ERR_ARG;
        c->err->offset = off;
    }
    c->err_len = len;
    return NULL;
}

void *pwf_nomem(struct pwf_comp *c)
{
    if (!c->failed) {
        c->failed = true;
        pw_error_set(c->err, PW_ERR_NOMEM, "out of memory");
        c->err_len = 0;
    }
    return NULL;
}

void pw_filter_free(struct pw_filter *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->nregs; i++) {
        free(f->regs[i].v);
        free(f->regs[i].plen);
        free(f->regs[i].scratch);
    }
    for (uint32_t i = 0; i < f->nsets; i++) {
        free(f->sets[i].lo);
        free(f->sets[i].hi);
    }
    for (uint32_t i = 0; i < f->nre; i++) {
        if (f->md)
            pcre2_match_data_free(f->md[i]);
        if (f->re)
            pcre2_code_free(f->re[i]);
    }
    if (f->mctx)
        pcre2_match_context_free(f->mctx);
    free(f->md);
    free(f->re);
    free(f->regs);
    free(f->sets);
    free(f->code);
    free(f->ranges);
    free(f->argv);
    for (uint32_t i = 0; f->names && i < f->nnames; i++)
        free(f->names[i]);
    free(f->names);
    free(f->consts);
    free(f->text);
    free(f);
}

int pw_filter_compile_span(const char *expr, struct pw_filter **out, struct pw_error *err,
                           size_t *span)
{
    struct pwf_comp c;
    memset(&c, 0, sizeof(c));
    *out = NULL;
    if (span)
        *span = 0;
    pw_error_clear(err);
    c.err = err;
    c.src = expr ? expr : "";
    c.srclen = strlen(c.src);
    if (c.srclen > PWF_MAX_EXPR) {
        pwf_fail(&c, PWF_MAX_EXPR, 0,
                 "The filter expression is too long (more than %u characters).", PWF_MAX_EXPR);
        return PW_ERR_LIMIT;
    }
    struct pw_filter *f = calloc(1, sizeof(*f));
    if (!f || !(f->text = strdup(c.src))) {
        free(f);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    int rc = -1;
    struct pwf_node *root = NULL;
    if (pwf_lex(&c) == 0) {
        root = pwf_parse(&c);
        if (!c.failed && (!root || pwf_semcheck(&c, root) == 0))
            rc = pwf_compile(&c, root, f);
    }
    if (rc < 0 || c.failed) {
        if (!c.failed)
            pwf_nomem(&c);
        pw_filter_free(f);
        pwf_arena_free(&c.arena);
        if (span)
            *span = c.err_len;
        return err ? err->code : PW_ERR_ARG;
    }
    pwf_arena_free(&c.arena);
    *out = f;
    return 0;
}

int pw_filter_compile(const char *expr, struct pw_filter **out, struct pw_error *err)
{
    return pw_filter_compile_span(expr, out, err, NULL);
}

const char *pw_filter_text(const struct pw_filter *f)
{
    return f->text;
}

void pw_filter_foreach_field(const struct pw_filter *f, void (*fn)(void *arg, const char *abbrev),
                             void *arg)
{
    for (uint32_t i = 0; i < f->nnames; i++)
        fn(arg, f->names[i]);
}

bool pw_filter_uses(const struct pw_filter *f, const char *abbrev)
{
    size_t n = strlen(abbrev);
    for (uint32_t i = 0; i < f->nnames; i++)
        if (!strncmp(f->names[i], abbrev, n) && (f->names[i][n] == '\0' || f->names[i][n] == '.'))
            return true;
    return false;
}

/* ---- --explain ------------------------------------------------------------ */

static const char *tok_name(uint8_t t)
{
    switch (t) {
    case TK_EQ: return "any_eq";
    case TK_NE: return "all_ne";
    case TK_ALL_EQ: return "all_eq";
    case TK_ANY_NE: return "any_ne";
    case TK_GT: return "gt";
    case TK_GE: return "ge";
    case TK_LT: return "lt";
    case TK_LE: return "le";
    case TK_CONTAINS: return "contains";
    case TK_MATCHES: return "matches";
    case TK_PLUS: return "add";
    case TK_MINUS: return "sub";
    case TK_STAR: return "mul";
    case TK_SLASH: return "div";
    case TK_PERCENT: return "mod";
    case TK_BITAND: return "bitand";
    default: return "?";
    }
}

static const char *fn_name(uint8_t fn)
{
    static const char *const names[] = {"len",    "count", "upper", "lower",
                                        "string", "max",   "min",   "abs"};
    return fn < sizeof(names) / sizeof(names[0]) ? names[fn] : "?";
}

static const char *cls_name(uint8_t c)
{
    static const char *const names[] = {"uint",  "int",   "bool", "ipv4",  "ipv6",
                                        "ether", "bytes", "time", "double"};
    return c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

static int layers_text(const struct pwf_insn *in, char *buf, size_t n)
{
    if (!in->nrng)
        return snprintf(buf, n, "%s", "");
    size_t at = (size_t)snprintf(buf, n, "#[");
    for (uint16_t i = 0; i < in->nrng && at < n; i++) {
        const struct pwf_range *r = &in->rng[i];
        const char *sep = i ? "," : "";
        switch (r->kind) {
        case R_SINGLE: at += (size_t)snprintf(buf + at, n - at, "%s%d", sep, r->a); break;
        case R_START_LEN:
            at += (size_t)snprintf(buf + at, n - at, "%s%d:%d", sep, r->a, r->b);
            break;
        case R_START_END:
            at += (size_t)snprintf(buf + at, n - at, "%s%d-%d", sep, r->a, r->b);
            break;
        default: at += (size_t)snprintf(buf + at, n - at, "%s%d:", sep, r->a); break;
        }
    }
    if (at < n)
        at += (size_t)snprintf(buf + at, n - at, "]");
    return (int)at;
}

static void const_text(const struct pw_filter *f, uint32_t r, char *buf, size_t n)
{
    const struct pwf_reg *reg = &f->regs[r];
    if (!reg->plen) {
        snprintf(buf, n, "%s", "");
        return;
    }
    const struct pw_fvalue *v = &reg->v[0];
    char val[160];
    uint8_t ty = v->type;
    if (ty == PW_FT_STRING) {
        snprintf(buf, n, " = \"%.*s\" (%s)", (int)(v->v.bytes.len > 120 ? 120 : v->v.bytes.len),
                 (const char *)v->v.bytes.p, pwf_type_ftname(ty));
        return;
    }
    pw_fields_format(NULL, ty, v, val, sizeof(val));
    if ((ty == PW_FT_IPV4 && reg->plen[0] < 32) || (ty == PW_FT_IPV6 && reg->plen[0] < 128))
        snprintf(buf, n, " = %s/%u (%s)", val, reg->plen[0], pwf_type_ftname(ty));
    else
        snprintf(buf, n, " = %s (%s)", val, pwf_type_ftname(ty));
}

int pw_filter_explain(const struct pw_filter *f, void (*fn)(void *arg, const char *line), void *arg)
{
    char line[512], a[200], b[200], l[120];
    snprintf(line, sizeof(line), "filter: %s", f->text);
    fn(arg, line);
    if (f->match_all) {
        fn(arg, "matches every packet (empty expression)");
        return 0;
    }
    /* constant registers first, as tshark's dftest lists its constants */
    for (uint32_t r = 0; r < f->nregs; r++) {
        if (!f->regs[r].plen && !(f->regs[r].n == 0 && f->regs[r].cap == 1 && !f->regs[r].scratch))
            continue;
        if (f->regs[r].plen) {
            const_text(f, r, a, sizeof(a));
            snprintf(line, sizeof(line), "const   r%u%s", r, a);
        } else {
            continue;
        }
        fn(arg, line);
    }
    for (uint32_t pc = 0; pc < f->ncode; pc++) {
        const struct pwf_insn *in = &f->code[pc];
        layers_text(in, l, sizeof(l));
        switch (in->op) {
        case OP_RET: snprintf(line, sizeof(line), "%04u  return", pc); break;
        case OP_LOAD:
            snprintf(line, sizeof(line), "%04u  load    r%u = %s%s", pc, in->dst, in->field->abbrev,
                     l);
            break;
        case OP_LOADP:
            snprintf(line, sizeof(line), "%04u  loadp   r%u = %s%s", pc, in->dst,
                     pw_proto_abbrev(in->proto), l);
            break;
        case OP_EXISTS:
            snprintf(line, sizeof(line), "%04u  exists  %s%s", pc, in->field->abbrev, l);
            break;
        case OP_EXISTSP:
            snprintf(line, sizeof(line), "%04u  exists  %s%s", pc, pw_proto_abbrev(in->proto), l);
            break;
        case OP_EMPTY: snprintf(line, sizeof(line), "%04u  empty   r%u", pc, in->dst); break;
        case OP_JEMPTY:
            snprintf(line, sizeof(line), "%04u  if r%u empty: false, goto %04u", pc, in->a,
                     in->arg);
            break;
        case OP_SLICE: {
            struct pwf_insn tmp = *in;
            layers_text(&tmp, b, sizeof(b));
            snprintf(line, sizeof(line), "%04u  slice   r%u = r%u%s", pc, in->dst, in->a,
                     b[0] == '#' ? b + 1 : b);
            break;
        }
        case OP_FUNC: {
            size_t at = 0;
            a[0] = '\0';
            for (uint32_t i = 0; i < in->arg && at < sizeof(a); i++)
                at += (size_t)snprintf(a + at, sizeof(a) - at, "%sr%u", i ? ", " : "", in->args[i]);
            snprintf(line, sizeof(line), "%04u  call    r%u = %s(%s)", pc, in->dst,
                     fn_name(in->cmp), a);
            break;
        }
        case OP_ARITH:
            snprintf(line, sizeof(line), "%04u  %-7s r%u = r%u, r%u (%s)", pc, tok_name(in->cmp),
                     in->dst, in->a, in->b, cls_name(in->cls));
            break;
        case OP_NEG:
            snprintf(line, sizeof(line), "%04u  neg     r%u = -r%u", pc, in->dst, in->a);
            break;
        case OP_CMP:
            snprintf(line, sizeof(line), "%04u  %s%-7s r%u, r%u (%s)", pc,
                     in->quant == Q_ALL ? "all " : "", tok_name(in->cmp), in->a, in->b,
                     cls_name(in->cls));
            break;
        case OP_CONTAINS:
            snprintf(line, sizeof(line), "%04u  %scontains r%u, r%u", pc,
                     in->quant == Q_ALL ? "all " : "", in->a, in->b);
            break;
        case OP_MATCHES:
            snprintf(line, sizeof(line), "%04u  %smatches r%u, regex %u", pc,
                     in->quant == Q_ALL ? "all " : "", in->a, in->arg);
            break;
        case OP_IN: {
            const struct pwf_set *s = &f->sets[in->arg];
            size_t at = 0;
            a[0] = '\0';
            for (uint16_t i = 0; i < s->n && at < sizeof(a); i++) {
                if (s->lo[i] == s->hi[i])
                    at +=
                        (size_t)snprintf(a + at, sizeof(a) - at, "%sr%u", i ? ", " : "", s->lo[i]);
                else
                    at += (size_t)snprintf(a + at, sizeof(a) - at, "%sr%u..r%u", i ? ", " : "",
                                           s->lo[i], s->hi[i]);
            }
            snprintf(line, sizeof(line), "%04u  %sin      r%u, {%s} (%s)", pc,
                     in->quant == Q_ALL ? "all " : "", in->a, a, cls_name(in->cls));
            break;
        }
        case OP_NONZERO:
            snprintf(line, sizeof(line), "%04u  %s r%u", pc, in->quant ? "nonzero" : "present",
                     in->a);
            break;
        case OP_NOT: snprintf(line, sizeof(line), "%04u  not", pc); break;
        case OP_JF: snprintf(line, sizeof(line), "%04u  if false goto %04u", pc, in->arg); break;
        case OP_JT: snprintf(line, sizeof(line), "%04u  if true goto %04u", pc, in->arg); break;
        case OP_TRUE: snprintf(line, sizeof(line), "%04u  true", pc); break;
        default: snprintf(line, sizeof(line), "%04u  ?", pc); break;
        }
        fn(arg, line);
    }
    return 0;
}
