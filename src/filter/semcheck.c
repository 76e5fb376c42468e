/* Semantic check: names against the field registry, types, and constants.
 *
 * An unquoted word is a field or protocol when the registry knows it, a
 * literal otherwise. The left side of a relation must read the packet (a
 * field, slice, function or arithmetic on one); a literal on the right takes
 * the left side's type. Two fields compare only when their types are
 * compatible (integers with integers, bytes with bytes and Ethernet
 * addresses, otherwise the same type). Messages follow tshark 4.0. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "filter/fint.h"

/* ---- types -------------------------------------------------------------- */

const char *pwf_type_name(uint8_t ty)
{
    switch (ty) {
    case PW_FT_PROTOCOL: return "Protocol";
    case PW_FT_NONE: return "Label";
    case PW_FT_BOOLEAN: return "Boolean";
    case PW_FT_UINT8: return "Unsigned integer (1 byte)";
    case PW_FT_UINT16: return "Unsigned integer (2 bytes)";
    case PW_FT_UINT24: return "Unsigned integer (3 bytes)";
    case PW_FT_UINT32: return "Unsigned integer (4 bytes)";
    case PW_FT_UINT64: return "Unsigned integer (8 bytes)";
    case PW_FT_INT8: return "Signed integer (1 byte)";
    case PW_FT_INT16: return "Signed integer (2 bytes)";
    case PW_FT_INT32: return "Signed integer (4 bytes)";
    case PW_FT_INT64: return "Signed integer (8 bytes)";
    case PW_FT_FRAMENUM: return "Frame number";
    case PW_FT_IPV4: return "IPv4 address";
    case PW_FT_IPV6: return "IPv6 address";
    case PW_FT_ETHER: return "Ethernet or other MAC address";
    case PW_FT_BYTES: return "Sequence of bytes";
    case PW_FT_STRING: return "Character string";
    case PW_FT_RELATIVE_TIME: return "Time offset";
    case PW_FT_ABSOLUTE_TIME: return "Date and time";
    case PW_FT_DOUBLE: return "Floating point (double-precision)";
    default: return "Unknown";
    }
}

const char *pwf_type_ftname(uint8_t ty)
{
    switch (ty) {
    case PW_FT_PROTOCOL: return "FT_PROTOCOL";
    case PW_FT_NONE: return "FT_NONE";
    case PW_FT_BOOLEAN: return "FT_BOOLEAN";
    case PW_FT_UINT8: return "FT_UINT8";
    case PW_FT_UINT16: return "FT_UINT16";
    case PW_FT_UINT24: return "FT_UINT24";
    case PW_FT_UINT32: return "FT_UINT32";
    case PW_FT_UINT64: return "FT_UINT64";
    case PW_FT_INT8: return "FT_INT8";
    case PW_FT_INT16: return "FT_INT16";
    case PW_FT_INT32: return "FT_INT32";
    case PW_FT_INT64: return "FT_INT64";
    case PW_FT_FRAMENUM: return "FT_FRAMENUM";
    case PW_FT_IPV4: return "FT_IPv4";
    case PW_FT_IPV6: return "FT_IPv6";
    case PW_FT_ETHER: return "FT_ETHER";
    case PW_FT_BYTES: return "FT_BYTES";
    case PW_FT_STRING: return "FT_STRING";
    case PW_FT_RELATIVE_TIME: return "FT_RELATIVE_TIME";
    case PW_FT_ABSOLUTE_TIME: return "FT_ABSOLUTE_TIME";
    case PW_FT_DOUBLE: return "FT_DOUBLE";
    default: return "FT_UNKNOWN";
    }
}

bool pwf_type_is_signed(uint8_t ty)
{
    return ty == PW_FT_INT8 || ty == PW_FT_INT16 || ty == PW_FT_INT32 || ty == PW_FT_INT64;
}

bool pwf_type_is_int(uint8_t ty)
{
    switch (ty) {
    case PW_FT_UINT8:
    case PW_FT_UINT16:
    case PW_FT_UINT24:
    case PW_FT_UINT32:
    case PW_FT_UINT64:
    case PW_FT_FRAMENUM: return true;
    default: return pwf_type_is_signed(ty);
    }
}

bool pwf_type_is_bytes(uint8_t ty)
{
    return ty == PW_FT_BYTES || ty == PW_FT_PROTOCOL || ty == PW_FT_ETHER || ty == PW_FT_STRING;
}

uint64_t pwf_type_umax(uint8_t ty)
{
    switch (ty) {
    case PW_FT_UINT8: return 0xffu;
    case PW_FT_UINT16: return 0xffffu;
    case PW_FT_UINT24: return 0xffffffu;
    case PW_FT_UINT32:
    case PW_FT_FRAMENUM: return 0xffffffffu;
    case PW_FT_INT8: return 0x7fu;
    case PW_FT_INT16: return 0x7fffu;
    case PW_FT_INT32: return 0x7fffffffu;
    case PW_FT_INT64: return 0x7fffffffffffffffu;
    default: return UINT64_MAX;
    }
}

unsigned pwf_type_width(uint8_t ty)
{
    switch (ty) {
    case PW_FT_UINT8:
    case PW_FT_INT8:
    case PW_FT_BOOLEAN: return 1;
    case PW_FT_UINT16:
    case PW_FT_INT16: return 2;
    case PW_FT_UINT24: return 3;
    case PW_FT_UINT32:
    case PW_FT_INT32:
    case PW_FT_FRAMENUM:
    case PW_FT_IPV4: return 4;
    case PW_FT_ETHER: return 6;
    case PW_FT_IPV6: return 16;
    default: return 8;
    }
}

uint8_t pwf_type_cls(uint8_t ty)
{
    switch (ty) {
    case PW_FT_BOOLEAN: return CLS_BOOL;
    case PW_FT_IPV4: return CLS_IPV4;
    case PW_FT_IPV6: return CLS_IPV6;
    case PW_FT_ETHER: return CLS_ETHER;
    case PW_FT_RELATIVE_TIME:
    case PW_FT_ABSOLUTE_TIME: return CLS_TIME;
    case PW_FT_DOUBLE: return CLS_DOUBLE;
    case PW_FT_BYTES:
    case PW_FT_PROTOCOL:
    case PW_FT_STRING:
    case PW_FT_NONE: return CLS_BYTES;
    default: return pwf_type_is_signed(ty) ? CLS_INT : CLS_UINT;
    }
}

/* Field-to-field comparisons: integers with integers, Ethernet addresses
 * with byte strings, otherwise the same type; a slice compares with any of
 * bytes, Ethernet addresses and protocols. */
static bool compatible_types(uint8_t a, uint8_t b)
{
    if (pwf_type_is_int(a) && pwf_type_is_int(b))
        return true;
    if ((a == PW_FT_BYTES && b == PW_FT_ETHER) || (a == PW_FT_ETHER && b == PW_FT_BYTES))
        return true;
    return a == b;
}

static bool byteish(uint8_t t)
{
    return t == PW_FT_BYTES || t == PW_FT_PROTOCOL || t == PW_FT_ETHER;
}

static bool compatible(const struct pwf_node *a, const struct pwf_node *b)
{
    if ((a->kind == N_SLICE || b->kind == N_SLICE) && byteish(a->ty) && byteish(b->ty))
        return true;
    return compatible_types(a->ty, b->ty);
}

/* Protocol names of tshark 4.0 that read like hex byte strings. tshark
 * takes these words as protocols (`eth.addr contains ff` is refused: ff is
 * the Foundation Fieldbus protocol); we know none of them, so they stand
 * for protocols that never occur. */
static const char *const foreign_protocols[] = {
    "a11", "a21", "a615a", "aaf",  "acf",  "adb", "bfd",  "c1222", "c15",
    "dc",  "dcc", "e100",  "e164", "e212", "fc",  "fc00", "fefd",  "ff",
};

static bool foreign(const char *name)
{
    for (size_t i = 0; i < sizeof(foreign_protocols) / sizeof(foreign_protocols[0]); i++)
        if (!strcmp(name, foreign_protocols[i]))
            return true;
    return false;
}

/* ---- names -------------------------------------------------------------- */

static bool lookup(const char *name, const struct pw_field **f, uint16_t *proto)
{
    const struct pw_field *fl = pw_field_by_name(name);
    if (fl) {
        *f = fl;
        *proto = fl->proto;
        return true;
    }
    unsigned p = pw_proto_by_abbrev(name);
    if (p == PW_P_NONE && !strcmp(name, "ssl")) /* tshark's alias */
        p = pw_proto_by_abbrev("tls");
    if (p != PW_P_NONE) {
        *f = NULL;
        *proto = (uint16_t)p;
        return true;
    }
    return false;
}

static bool resolve(struct pwf_comp *c, struct pwf_node *n)
{
    if (!n)
        return true;
    switch (n->kind) {
    case N_LITERAL:
        if (n->op != 3 && lookup(n->text, &n->field, &n->proto))
            n->kind = N_FIELD;
        else if (n->op != 3 && foreign(n->text)) {
            n->kind = N_FIELD;
            n->field = NULL;
            n->proto = PW_P_NONE;
        }
        return true;
    case N_FIELD:
        if (!lookup(n->text, &n->field, &n->proto)) {
            if (n->op == 2)
                pwf_fail(c, n->off, n->tlen, "%s is not a valid field", n->text);
            else
                pwf_fail(c, n->off, n->len, "\"%s\" is not a valid protocol or protocol field.",
                         n->text);
            return false;
        }
        return true;
    case N_REF:
        if (!lookup(n->text, &n->field, &n->proto)) {
            pwf_fail(c, n->off, 0, "macro '%s' does not exist", n->text);
            return false;
        }
        return true;
    default: break;
    }
    if (!resolve(c, n->a) || !resolve(c, n->b))
        return false;
    for (uint16_t i = 0; i < n->nargs; i++)
        if (!resolve(c, n->args[i]) || (n->hi && !resolve(c, n->hi[i])))
            return false;
    return true;
}

static bool is_const(const struct pwf_node *n)
{
    switch (n->kind) {
    case N_LITERAL:
    case N_STRING:
    case N_CHARCONST:
    case N_CONST: return true;
    case N_NEG: return is_const(n->a);
    case N_ARITH: return is_const(n->a) && is_const(n->b);
    default: return false;
    }
}

/* What to call a node in a message: the field's name, else its source. */
static int name_len(const struct pwf_comp *c, const struct pwf_node *n, const char **s)
{
    if (n->kind == N_FIELD && !n->has_layers) {
        *s = n->text;
        return (int)n->tlen;
    }
    *s = c->src + n->off;
    return (int)n->len;
}

/* ---- constants ---------------------------------------------------------- */

static bool arith_allowed(struct pwf_comp *c, uint8_t op, uint8_t ty, const struct pwf_node *at)
{
    bool ok;
    const char *sym;
    switch (op) {
    case TK_BITAND:
        ok = (pwf_type_is_int(ty) || ty == PW_FT_BYTES || ty == PW_FT_ETHER || ty == PW_FT_IPV4 ||
              ty == PW_FT_IPV6);
        sym = "&";
        break;
    case TK_PLUS:
    case TK_MINUS:
        ok = pwf_type_is_int(ty) || ty == PW_FT_RELATIVE_TIME || ty == PW_FT_DOUBLE;
        sym = op == TK_PLUS ? "+" : "-";
        break;
    default:
        ok = pwf_type_is_int(ty) || ty == PW_FT_DOUBLE;
        sym = op == TK_STAR ? "*" : op == TK_SLASH ? "/" : "%";
        break;
    }
    if (!ok)
        pwf_fail(c, at->off, at->len, "%s cannot %s.", pwf_type_ftname(ty), sym);
    return ok;
}

static struct pwf_const *copyc(struct pwf_comp *c, const struct pwf_const *k)
{
    struct pwf_const *r = pwf_arena_alloc(&c->arena, sizeof(*r));
    if (!r)
        return pwf_nomem(c);
    *r = *k;
    return r;
}

/* An "empty" constant: an expression tshark accepts but that yields no
 * value at run time (the negation of a positive unsigned number). */
static struct pwf_const *emptyc(struct pwf_comp *c, uint8_t ty)
{
    struct pwf_const *r = pwf_arena_alloc(&c->arena, sizeof(*r));
    if (!r)
        return pwf_nomem(c);
    r->ty = ty;
    r->v.type = 0xff; /* marks "no value" for compile.c */
    return r;
}

static bool is_empty_const(const struct pwf_const *k)
{
    return k->v.type == 0xff;
}

/* Converts a constant expression to type ty, folding negation and
 * arithmetic; the node becomes N_CONST. */
static bool fold(struct pwf_comp *c, struct pwf_node *n, uint8_t ty, const char *field)
{
    struct pwf_const *k = NULL;
    if (n->kind == N_CONST)
        return true;
    if (n->kind == N_LITERAL || n->kind == N_STRING || n->kind == N_CHARCONST) {
        k = pwf_const_from_node(c, n, ty, field);
        if (!k)
            return false;
    } else if (n->kind == N_NEG) {
        if (!fold(c, n->a, ty, field))
            return false;
        if (!arith_allowed(c, TK_MINUS, ty, n->a))
            return false;
        const struct pwf_const *a = n->a->c;
        if (is_empty_const(a)) {
            k = emptyc(c, ty);
        } else if (pwf_type_is_signed(ty) || ty == PW_FT_DOUBLE) {
            k = copyc(c, a);
            if (k && ty == PW_FT_DOUBLE)
                k->v.v.d = -a->v.v.d;
            else if (k)
                k->v.v.u = (uint64_t)0 - a->v.v.u;
        } else if (ty == PW_FT_RELATIVE_TIME) {
            k = copyc(c, a);
            if (k)
                k->v.v.u = (uint64_t)0 - a->v.v.u;
        } else {
            /* unsigned: the negative number (it compares with nothing an
             * unsigned field holds, as in tshark) */
            k = copyc(c, a);
            if (k)
                k->v.v.u = (uint64_t)0 - a->v.v.u;
        }
        if (!k)
            return false;
    } else if (n->kind == N_ARITH) {
        if (!fold(c, n->a, ty, field) || !fold(c, n->b, ty, field))
            return false;
        if (!arith_allowed(c, n->op, ty, n->a))
            return false;
        const struct pwf_const *a = n->a->c, *b = n->b->c;
        if (is_empty_const(a) || is_empty_const(b)) {
            k = emptyc(c, ty);
        } else if (pwf_type_is_int(ty)) {
            k = copyc(c, a);
            if (!k)
                return false;
            bool s = pwf_type_is_signed(ty);
            uint64_t x = a->v.v.u, y = b->v.v.u;
            switch (n->op) {
            case TK_PLUS: k->v.v.u = x + y; break;
            case TK_MINUS: k->v.v.u = x - y; break;
            case TK_STAR: k->v.v.u = x * y; break;
            case TK_BITAND: k->v.v.u = x & y; break;
            case TK_SLASH:
            case TK_PERCENT:
                if (y == 0 || (s && a->v.v.i == INT64_MIN && b->v.v.i == -1)) {
                    k = emptyc(c, ty);
                } else if (s) {
                    k->v.v.i = n->op == TK_SLASH ? a->v.v.i / b->v.v.i : a->v.v.i % b->v.v.i;
                } else {
                    k->v.v.u = n->op == TK_SLASH ? x / y : x % y;
                }
                break;
            default: break;
            }
        } else if (ty == PW_FT_RELATIVE_TIME) {
            k = copyc(c, a);
            if (!k)
                return false;
            k->v.v.u = n->op == TK_PLUS ? a->v.v.u + b->v.v.u : a->v.v.u - b->v.v.u; /* wraps */
        } else {
            /* bitwise and of addresses or bytes: not folded */
            return pwf_fail(c, n->off, n->len, "Constant arithmetic expression is not supported.");
        }
        if (!k)
            return false;
    } else {
        pwf_fail(c, n->off, n->len, "Not a constant.");
        return false;
    }
    n->kind = N_CONST;
    n->c = k;
    n->ty = ty;
    /* a negative result of an unsigned type is a signed number (tshark
     * turns -1 into a signed integer) */
    if (pwf_type_is_int(ty) && !pwf_type_is_signed(ty) && !is_empty_const(k) && k->v.v.i < 0) {
        k->ty = PW_FT_INT64;
        k->v.type = PW_FT_INT64;
        n->ty = PW_FT_INT64;
    }
    return true;
}

/* ---- values ------------------------------------------------------------- */

static bool check_value(struct pwf_comp *c, struct pwf_node *n);

static bool check_layers(struct pwf_comp *c, struct pwf_node *n)
{
    (void)c;
    (void)n;
    return true;
}

static bool sliceable(uint8_t ty)
{
    return ty == PW_FT_BYTES || ty == PW_FT_PROTOCOL || ty == PW_FT_STRING || ty == PW_FT_ETHER ||
           ty == PW_FT_IPV4 || ty == PW_FT_IPV6;
}

struct fdef {
    const char *name;
    uint8_t fn;
    uint8_t min, max;
};

static const struct fdef functions[] = {
    {"len", FN_LEN, 1, 1},     {"count", FN_COUNT, 1, 1},   {"upper", FN_UPPER, 1, 1},
    {"lower", FN_LOWER, 1, 1}, {"string", FN_STRING, 1, 1}, {"max", FN_MAX, 1, 255},
    {"min", FN_MIN, 1, 255},   {"abs", FN_ABS, 1, 1},
};

static bool check_func(struct pwf_comp *c, struct pwf_node *n)
{
    const struct fdef *d = NULL;
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        if (!strcmp(functions[i].name, n->text))
            d = &functions[i];
    if (!d) {
        pwf_fail(c, n->off, n->tlen, "Function '%s' does not exist", n->text);
        return false;
    }
    n->fn = d->fn;
    if (n->nargs < d->min) {
        pwf_fail(c, n->off, n->tlen, "Function %s must have at least %u arguments", n->text,
                 d->min);
        return false;
    }
    if (n->nargs > d->max) {
        pwf_fail(c, n->off, n->tlen, "Function %s can only accept %u arguments.", n->text, d->max);
        return false;
    }
    struct pwf_node *a = n->args[0];
    switch (d->fn) {
    case FN_LEN:
    case FN_COUNT:
        if (is_const(a) || (d->fn == FN_COUNT && a->kind != N_FIELD)) {
            pwf_fail(c, a->off, a->len, "Only fields can be used as parameter for %s()", n->text);
            return false;
        }
        if (!check_value(c, a))
            return false;
        n->ty = PW_FT_UINT32;
        return true;
    case FN_UPPER:
    case FN_LOWER:
        if (is_const(a) || !check_value(c, a) || a->ty != PW_FT_STRING) {
            if (!c->failed)
                pwf_fail(c, a->off, a->len,
                         "Only string type fields can be used as parameter for %s()", n->text);
            return false;
        }
        n->ty = PW_FT_STRING;
        return true;
    case FN_STRING:
        if (is_const(a)) {
            pwf_fail(c, a->off, a->len, "Only fields can be used as parameter for %s()", n->text);
            return false;
        }
        if (!check_value(c, a))
            return false;
        /* numbers and addresses only (tshark 4.0 refuses the others) */
        if (!(pwf_type_is_int(a->ty) || a->ty == PW_FT_IPV4 || a->ty == PW_FT_IPV6 ||
              a->ty == PW_FT_ETHER)) {
            const char *s;
            int l = name_len(c, a, &s);
            pwf_fail(c, a->off, a->len, "String conversion for field \"%.*s\" is not supported", l,
                     s);
            return false;
        }
        n->ty = PW_FT_STRING;
        return true;
    default: {
        /* max, min, abs: the type is that of the first field; tshark 4.0
         * accepts any (values compare as that type does) */
        int ty = -1;
        for (uint16_t i = 0; i < n->nargs; i++) {
            if (is_const(n->args[i]))
                continue;
            if (!check_value(c, n->args[i]))
                return false;
            uint8_t t = n->args[i]->ty;
            if (d->fn == FN_ABS && !pwf_type_is_int(t) && t != PW_FT_BOOLEAN &&
                t != PW_FT_RELATIVE_TIME && t != PW_FT_DOUBLE) {
                const char *s;
                int l = name_len(c, n->args[i], &s);
                pwf_fail(c, n->args[i]->off, n->args[i]->len,
                         "Argument '%.*s' is not valid for %s()", l, s, n->text);
                return false;
            }
            if (ty < 0)
                ty = t;
        }
        if (ty < 0) {
            pwf_fail(c, n->args[0]->off, 1,
                     "Constant arithmetic expression on the LHS is invalid.");
            return false;
        }
        for (uint16_t i = 0; i < n->nargs; i++)
            if (is_const(n->args[i]) && !fold(c, n->args[i], (uint8_t)ty, n->text))
                return false;
        n->ty = (uint8_t)ty;
        return true;
    }
    }
}

static bool check_value(struct pwf_comp *c, struct pwf_node *n)
{
    switch (n->kind) {
    case N_FIELD:
    case N_REF:
        n->ty = n->field ? n->field->type : PW_FT_PROTOCOL;
        return n->kind == N_REF || check_layers(c, n);
    case N_SLICE:
        if (is_const(n->a)) {
            pwf_fail(c, n->a->off, n->a->len, "Range is not supported for constants.");
            return false;
        }
        if (!check_value(c, n->a))
            return false;
        if (!sliceable(n->a->ty)) {
            const char *s;
            int l = name_len(c, n->a, &s);
            pwf_fail(c, n->a->off, n->a->len,
                     "\"%.*s\" is a %s and cannot be sliced into a sequence of bytes.", l, s,
                     pwf_type_name(n->a->ty));
            return false;
        }
        n->ty = PW_FT_BYTES;
        return true;
    case N_FUNC: return check_func(c, n);
    case N_NEG:
        if (!check_value(c, n->a) || !arith_allowed(c, TK_MINUS, n->a->ty, n->a))
            return false;
        /* the type stays the field's (constants are checked against it);
         * the values are signed 64-bit, see compile.c */
        n->ty = n->a->ty;
        return true;
    case N_ARITH: {
        struct pwf_node *a = n->a, *b = n->b;
        if (is_const(a) && is_const(b)) {
            pwf_fail(c, n->off, 1, "Constant arithmetic expression on the LHS is invalid.");
            return false;
        }
        if (is_const(a)) {
            if (!check_value(c, b) || !fold(c, a, b->ty, b->field ? b->field->abbrev : ""))
                return false;
        } else {
            if (!check_value(c, a))
                return false;
            if (is_const(b)) {
                if (!fold(c, b, a->ty, a->field ? a->field->abbrev : ""))
                    return false;
            } else {
                if (!check_value(c, b))
                    return false;
                if (!compatible(a, b)) {
                    const char *sa, *sb;
                    int la = name_len(c, a, &sa), lb = name_len(c, b, &sb);
                    pwf_fail(c, b->off, b->len, "%.*s and %.*s are not of compatible types.", la,
                             sa, lb, sb);
                    return false;
                }
            }
        }
        uint8_t ty = is_const(a) ? b->ty : a->ty;
        if (!arith_allowed(c, n->op, ty, is_const(a) ? b : a))
            return false;
        n->ty = ty;
        return true;
    }
    default: {
        const char *s;
        int l = name_len(c, n, &s);
        pwf_fail(c, n->off, n->len, "%.*s is neither a field nor a protocol name.", l, s);
        return false;
    }
    }
}

/* ---- relations ---------------------------------------------------------- */

static bool check_lhs(struct pwf_comp *c, struct pwf_node *rel, struct pwf_node *a)
{
    /* tshark wants the left side to start from the packet: "1 + tcp.srcport"
     * is refused like a constant */
    struct pwf_node *first = a;
    while (first->kind == N_ARITH)
        first = first->a;
    if (first != a && is_const(first)) {
        pwf_fail(c, first->off, 1, "Constant arithmetic expression on the LHS is invalid.");
        return false;
    }
    if (is_const(a)) {
        if (a->kind == N_ARITH || a->kind == N_NEG)
            pwf_fail(c, a->off, 1, "Constant arithmetic expression on the LHS is invalid.");
        else
            pwf_fail(c, a->off, a->len,
                     "Left side of \"%.*s\" expression must be a field or function, not %.*s.",
                     (int)rel->tlen, rel->text, (int)a->len, c->src + a->off);
        return false;
    }
    return check_value(c, a);
}

static const char *fname(const struct pwf_node *n)
{
    return n->kind == N_FIELD && n->field ? n->field->abbrev : n->kind == N_FIELD ? n->text : "";
}

/* The right side (or a set element) against the left side's type. */
static bool check_rhs(struct pwf_comp *c, const struct pwf_node *a, struct pwf_node *b, uint8_t ty)
{
    if (is_const(b))
        return fold(c, b, ty, fname(a));
    if (!check_value(c, b))
        return false;
    struct pwf_node tmp = *a;
    tmp.ty = ty;
    if (!compatible(&tmp, b)) {
        const char *sa, *sb;
        int la = name_len(c, a, &sa), lb = name_len(c, b, &sb);
        pwf_fail(c, b->off, b->len, "%.*s and %.*s are not of compatible types.", la, sa, lb, sb);
        return false;
    }
    return true;
}

static bool cannot(struct pwf_comp *c, const struct pwf_node *rel, const struct pwf_node *a)
{
    const char *s;
    int l = name_len(c, a, &s);
    pwf_fail(c, a->off, a->len, "%.*s (type=%s) cannot participate in %.*s comparison.", l, s,
             pwf_type_name(a->ty), (int)rel->tlen, rel->text);
    return false;
}

static bool compile_regex(struct pwf_comp *c, struct pwf_node *b)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)b->text, b->tlen, PCRE2_CASELESS, &ec, &eo, NULL);
    if (!re) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        pwf_fail(c, b->off, 0, "Regex compilation error: %s.", (const char *)msg);
        return false;
    }
    pcre2_code_free(re); /* compiled again, for keeps, by compile.c */
    return true;
}

static bool check_cmp(struct pwf_comp *c, struct pwf_node *n)
{
    struct pwf_node *a = n->a, *b = n->b;
    if (!check_lhs(c, n, a))
        return false;
    uint8_t ty = a->ty;
    if (ty == PW_FT_NONE)
        return cannot(c, n, a);
    if (n->op == TK_CONTAINS || n->op == TK_MATCHES) {
        if (!pwf_type_is_bytes(ty))
            return cannot(c, n, a);
        if (n->op == TK_MATCHES) {
            if (b->kind != N_STRING) {
                pwf_fail(c, b->off, b->len,
                         "Matches requires a double quoted string on the right side.");
                return false;
            }
            return compile_regex(c, b);
        }
        /* contains: a string on a string field, (part of) an address on an
         * Ethernet address, bytes on the others */
        if (ty == PW_FT_ETHER && is_const(b)) {
            if (!fold(c, b, PWF_ETHER_PARTIAL, fname(a)))
                return false;
            b->ty = PW_FT_BYTES;
            return true;
        }
        return check_rhs(c, a, b,
                         ty == PW_FT_STRING     ? PW_FT_STRING
                         : ty == PW_FT_PROTOCOL ? ty
                                                : PW_FT_BYTES);
    }
    return check_rhs(c, a, b, ty);
}

static bool check_in(struct pwf_comp *c, struct pwf_node *n)
{
    static const char in_text[] = "in";
    n->text = in_text;
    n->tlen = 2;
    if (!is_const(n->a) && n->a->kind != N_FIELD) {
        pwf_fail(c, n->a->off, n->a->kind == N_FUNC ? n->a->tlen : 0,
                 "Only a field may be tested for membership in a set.");
        return false;
    }
    if (!check_lhs(c, n, n->a))
        return false;
    uint8_t ty = n->a->ty;
    if (ty == PW_FT_NONE)
        return cannot(c, n, n->a);
    for (uint16_t i = 0; i < n->nargs; i++) {
        if (n->args[i]->kind == N_SLICE || (n->hi[i] && n->hi[i]->kind == N_SLICE)) {
            pwf_fail(c, n->args[i]->off, 0, "A slice may not appear inside a set.");
            return false;
        }
        if (!check_rhs(c, n->a, n->args[i], ty))
            return false;
        if (n->hi[i] && !check_rhs(c, n->a, n->hi[i], ty))
            return false;
    }
    return true;
}

static bool check_test(struct pwf_comp *c, struct pwf_node *n)
{
    switch (n->kind) {
    case N_AND:
    case N_OR: return check_test(c, n->a) && check_test(c, n->b);
    case N_NOT: return check_test(c, n->a);
    case N_CMP: return check_cmp(c, n);
    case N_IN: return check_in(c, n);
    case N_TEST: {
        struct pwf_node *a = n->a;
        if (a->kind == N_FUNC) {
            pwf_fail(c, a->off, a->tlen, "You cannot test whether a function is present.");
            return false;
        }
        if (a->kind == N_FIELD || a->kind == N_REF)
            return check_value(c, a);
        if (is_const(a) && (a->kind == N_ARITH || a->kind == N_NEG)) {
            pwf_fail(c, a->off, 1, "Constant arithmetic expression on the LHS is invalid.");
            return false;
        }
        return check_value(c, a);
    }
    default: return false;
    }
}

int pwf_semcheck(struct pwf_comp *c, struct pwf_node *root)
{
    if (!resolve(c, root))
        return -1;
    return check_test(c, root) ? 0 : -1;
}
