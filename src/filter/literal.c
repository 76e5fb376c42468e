/* Literals: the text of a constant in a filter, converted to the type of the
 * field it is compared with, with tshark's rules and messages.
 *
 *   integers    decimal, 0x hex, 0 octal, 0b binary; range-checked
 *   booleans    1/0 (any number), True/TRUE/False/FALSE
 *   IPv4, IPv6  text form with an optional /prefix; no name resolution
 *   Ethernet    six bytes, separated by ':' '-' '.' or not at all
 *   bytes       hex bytes (separators optional), "0xNN", or a string's bytes
 *   times       relative: seconds with up to 9 decimals; absolute: a date */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter/fint.h"

static bool is_sep(char ch)
{
    return ch == ':' || ch == '-' || ch == '.';
}

static int hexval(int ch)
{
    return isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
}

/* wsutil's hex_str_to_bytes() rules: groups of one, two or four hex digits,
 * optionally separated by ':' '-' or '.' ("00808f9aaebd", "0080.8f9a.aebd",
 * "0:80:8f"; "192" is 19:02). Writes at most `max` bytes;
 * returns the byte count, or -1 when the text is not a byte string. */
static long hex_bytes(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    const char *p = s;
    while (*p) {
        if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) &&
            isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
            if (n + 2 > max)
                return -1;
            out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
            out[n++] = (uint8_t)(hexval(p[2]) << 4 | hexval(p[3]));
            p += 4;
        } else if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
            if (n + 1 > max)
                return -1;
            out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
            p += 2;
        } else if (isxdigit((unsigned char)p[0]) && (p[1] == '\0' || is_sep(p[1]))) {
            if (n + 1 > max)
                return -1;
            out[n++] = (uint8_t)hexval(p[0]);
            p += 1;
        } else {
            return -1;
        }
        /* a separator is optional after a group of two or four digits
         * (only a single digit needs one); a trailing one is an error */
        if (*p && is_sep(*p)) {
            p++;
            if (!*p)
                return -1;
        }
    }
    return (long)n;
}

/* An unsigned number in C syntax plus 0b binary; false if it is not one. */
static bool parse_u64(const char *s, uint64_t *v, bool *overflow)
{
    *overflow = false;
    if (!*s)
        return false;
    int base = 10;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p += 1;
    }
    if (!*p)
        return false;
    uint64_t x = 0;
    for (; *p; p++) {
        int d;
        if (isdigit((unsigned char)*p))
            d = *p - '0';
        else if (isxdigit((unsigned char)*p))
            d = hexval(*p);
        else
            return false;
        if (d >= base)
            return false;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            *overflow = true;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *v = x;
    return true;
}

static struct pwf_const *newc(struct pwf_comp *c, uint8_t ty)
{
    struct pwf_const *k = pwf_arena_alloc(&c->arena, sizeof(*k));
    if (!k)
        return pwf_nomem(c);
    k->ty = ty;
    k->v.type = ty;
    k->plen = ty == PW_FT_IPV6 ? 128 : 32;
    return k;
}

static struct pwf_const *bytes_const(struct pwf_comp *c, uint8_t ty, const void *p, size_t n)
{
    struct pwf_const *k = newc(c, ty);
    if (!k)
        return NULL;
    uint8_t *d = pwf_arena_alloc(&c->arena, n + 1);
    if (!d)
        return pwf_nomem(c);
    if (n)
        memcpy(d, p, n);
    k->v.v.bytes.p = d;
    k->v.v.bytes.len = (uint32_t)n;
    return k;
}

static struct pwf_const *int_const(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty,
                                   const char *s)
{
    uint64_t v;
    bool of;
    if (!parse_u64(s, &v, &of))
        return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid number.", s);
    uint64_t max = pwf_type_umax(ty);
    if (of || v > max)
        return pwf_fail(c, n->off, n->len, "\"%s\" too big for this field, maximum %llu.", s,
                        (unsigned long long)max);
    struct pwf_const *k = newc(c, ty);
    if (k)
        k->v.v.u = v;
    return k;
}

static struct pwf_const *bool_const(struct pwf_comp *c, const struct pwf_node *n, const char *s,
                                    const char *field)
{
    uint64_t v;
    bool of;
    int b;
    if (!strcmp(s, "True") || !strcmp(s, "TRUE"))
        b = 1;
    else if (!strcmp(s, "False") || !strcmp(s, "FALSE"))
        b = 0;
    else if (parse_u64(s, &v, &of))
        b = v != 0 || of;
    else
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" cannot be found among the possible values for %s.", s, field);
    struct pwf_const *k = newc(c, PW_FT_BOOLEAN);
    if (k)
        k->v.v.u = (uint64_t)b;
    return k;
}

/* "a.b.c.d[/n]" */
static struct pwf_const *ipv4_const(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t al = slash ? (size_t)(slash - s) : strlen(s);
    unsigned char a[4];
    if (al >= sizeof(buf))
        goto bad;
    memcpy(buf, s, al);
    buf[al] = '\0';
    if (inet_pton(AF_INET, buf, a) != 1)
        goto bad;
    unsigned plen = 32;
    if (slash) {
        uint64_t v;
        bool of;
        if (!parse_u64(slash + 1, &v, &of) || (slash[1] == '0' && slash[2]))
            goto bad;
        if (of || v > 32)
            return pwf_fail(c, n->off, n->len,
                            "Netmask bits in a CIDR IPv4 address should be <= 32, not %llu",
                            of ? 0ULL : (unsigned long long)v);
        plen = (unsigned)v;
    }
    struct pwf_const *k = newc(c, PW_FT_IPV4);
    if (!k)
        return NULL;
    memcpy(k->v.v.addr, a, 4);
    k->plen = (uint8_t)plen;
    return k;
bad:
    return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid hostname or IPv4 address.", s);
}

static struct pwf_const *ipv6_const(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    char buf[80];
    const char *slash = strchr(s, '/');
    size_t al = slash ? (size_t)(slash - s) : strlen(s);
    unsigned char a[16];
    if (al >= sizeof(buf))
        goto bad;
    memcpy(buf, s, al);
    buf[al] = '\0';
    if (inet_pton(AF_INET6, buf, a) != 1)
        goto bad;
    unsigned plen = 128;
    if (slash) {
        uint64_t v;
        bool of;
        if (!parse_u64(slash + 1, &v, &of) || (slash[1] == '0' && slash[2]))
            goto bad;
        if (of || v > 128)
            return pwf_fail(c, n->off, n->len,
                            "Prefix in a IPv6 address should be <= 128, not %llu",
                            of ? 0ULL : (unsigned long long)v);
        plen = (unsigned)v;
    }
    struct pwf_const *k = newc(c, PW_FT_IPV6);
    if (!k)
        return NULL;
    memcpy(k->v.v.addr, a, 16);
    k->plen = (uint8_t)plen;
    return k;
bad:
    return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid hostname or IPv6 address.", s);
}

static struct pwf_const *ether_const(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    uint8_t b[16];
    long k = hex_bytes(s, b, sizeof(b));
    if (k < 0) {
        /* too long for the buffer, or not hex at all */
        uint8_t big[256];
        long k2 = strlen(s) < 512 ? hex_bytes(s, big, sizeof(big)) : -1;
        if (k2 > 6)
            return pwf_fail(c, n->off, n->len,
                            "\"%s\" contains too many bytes to be a valid Ethernet address.", s);
        return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid Ethernet address.", s);
    }
    if (k < 6)
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" contains too few bytes to be a valid Ethernet address.", s);
    if (k > 6)
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" contains too many bytes to be a valid Ethernet address.", s);
    struct pwf_const *r = newc(c, PW_FT_ETHER);
    if (r)
        memcpy(r->v.v.addr, b, 6);
    return r;
}

/* Up to six bytes of an Ethernet address, for "eth.src contains 00:11". */
static struct pwf_const *ether_partial(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    uint8_t b[8];
    long k = strlen(s) < 64 ? hex_bytes(s, b, sizeof(b)) : -1;
    if (k > 6 || (k < 0 && strlen(s) < 64 && hex_bytes(s, (uint8_t[32]){0}, 32) > 6))
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" contains too many bytes to be a valid Ethernet address.", s);
    if (k < 0) {
        /* a single byte written as a number: "0x12" */
        uint64_t v;
        bool of;
        if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && parse_u64(s, &v, &of) && !of &&
              v <= 0xff))
            return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid Ethernet address.", s);
        b[0] = (uint8_t)v;
        k = 1;
    }
    return bytes_const(c, PW_FT_BYTES, b, (size_t)k);
}

static struct pwf_const *bytes_literal(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty,
                                       const char *s)
{
    size_t sl = strlen(s);
    uint8_t *b = pwf_arena_alloc(&c->arena, sl + 1);
    if (!b)
        return pwf_nomem(c);
    long k = hex_bytes(s, b, sl + 1);
    if (k < 0) {
        /* a single byte written as a number: "0x12" */
        uint64_t v;
        bool of;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && parse_u64(s, &v, &of) && !of &&
            v <= 0xff) {
            b[0] = (uint8_t)v;
            k = 1;
        } else {
            return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid byte string.", s);
        }
    }
    struct pwf_const *r = newc(c, ty);
    if (!r)
        return NULL;
    r->v.v.bytes.p = b;
    r->v.v.bytes.len = (uint32_t)k;
    return r;
}

/* Seconds with up to nine decimals, optionally negative. tshark's parser
 * reads the seconds, and after a '.' up to nine digits, and ignores what
 * follows them ("10.0.0.1" is ten seconds); anything else after the
 * seconds ("10ms") is an error. */
static struct pwf_const *reltime_const(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty,
                                       const char *s)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    uint64_t sec = 0;
    int32_t nsec = 0;
    const char *d0 = p;
    while (isdigit((unsigned char)*p))
        sec = sec * 10 + (uint64_t)(*p++ - '0'); /* wraps, as the C library's does not */
    if (p == d0)
        goto bad;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p)) {
            if (++digits > 9)
                goto bad;
            nsec = nsec * 10 + (*p++ - '0');
        }
        for (; digits < 9; digits++)
            nsec *= 10;
    } else if (*p) {
        goto bad;
    }
    struct pwf_const *k = newc(c, ty);
    if (!k)
        return NULL;
    uint64_t ns = sec * 1000000000u + (uint64_t)nsec; /* wraps for absurd values */
    k->v.v.u = neg ? (uint64_t)0 - ns : ns;
    return k;
bad:
    return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid time.", s);
}

static int64_t tm_to_epoch(struct tm *tm, bool utc)
{
    if (utc)
        return (int64_t)timegm(tm);
    tm->tm_isdst = -1;
    return (int64_t)mktime(tm);
}

/* The date forms tshark 4.0 accepts: "Nov 12, 1999 08:55:44.123",
 * "2011-07-04 12:34:56" (also with 'T', without seconds or time), an
 * optional fraction of up to nine digits, and a trailing "Z" or " UTC" for
 * UTC; local time otherwise. */
static bool parse_abstime(const char *s, int64_t *sec, int32_t *nsec)
{
    static const char *const fmts[] = {
        "%b %d, %Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%b %d, %Y %H:%M",
        "%Y-%m-%dT%H:%M",     "%Y-%m-%d %H:%M",    "%b %d, %Y",         "%Y-%m-%d",
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *p = strptime(s, fmts[i], &tm);
        if (!p)
            continue;
        int32_t ns = 0;
        if (*p == '.' && strstr(fmts[i], "%S")) {
            p++;
            int digits = 0;
            while (isdigit((unsigned char)*p)) {
                if (++digits > 9)
                    return false;
                ns = ns * 10 + (*p++ - '0');
            }
            if (!digits)
                return false;
            for (; digits < 9; digits++)
                ns *= 10;
        }
        bool utc = false;
        if (!strcmp(p, "Z")) {
            utc = true;
            p++;
        } else if (!strcmp(p, " UTC")) {
            utc = true;
            p += 4;
        }
        if (*p)
            continue;
        /* strptime accepts out-of-range numbers in some fields; mktime
         * would normalise them, tshark refuses them */
        struct tm chk = tm;
        int64_t t = tm_to_epoch(&tm, utc);
        if (tm.tm_mon != chk.tm_mon || tm.tm_mday != chk.tm_mday)
            return false;
        *sec = t;
        *nsec = ns;
        return true;
    }
    return false;
}

static struct pwf_const *abstime_const(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    int64_t sec;
    int32_t nsec;
    if (!parse_abstime(s, &sec, &nsec))
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" is not a valid absolute time. Example: \"Nov 12, 1999 "
                        "08:55:44.123\" or \"2011-07-04 12:34:56\"",
                        s);
    if (sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" is not a valid absolute time. Example: \"Nov 12, 1999 "
                        "08:55:44.123\" or \"2011-07-04 12:34:56\"",
                        s);
    struct pwf_const *k = newc(c, PW_FT_ABSOLUTE_TIME);
    if (k)
        k->v.v.i = sec * 1000000000 + nsec;
    return k;
}

static struct pwf_const *double_const(struct pwf_comp *c, const struct pwf_node *n, const char *s)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end || end == s || errno)
        return pwf_fail(c, n->off, n->len, "\"%s\" is not a valid number.", s);
    struct pwf_const *k = newc(c, PW_FT_DOUBLE);
    if (k)
        k->v.v.d = d;
    return k;
}

/* An unquoted literal. */
static struct pwf_const *from_text(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty,
                                   const char *field)
{
    const char *s = n->text;
    switch (ty) {
    case PW_FT_BOOLEAN: return bool_const(c, n, s, field);
    case PW_FT_IPV4: return ipv4_const(c, n, s);
    case PW_FT_IPV6: return ipv6_const(c, n, s);
    case PW_FT_ETHER: return ether_const(c, n, s);
    case PW_FT_BYTES:
    case PW_FT_PROTOCOL: return bytes_literal(c, n, ty, s);
    case PW_FT_STRING: return bytes_const(c, PW_FT_STRING, s, n->tlen);
    case PW_FT_RELATIVE_TIME: return reltime_const(c, n, ty, s);
    case PW_FT_ABSOLUTE_TIME: return abstime_const(c, n, s);
    case PW_FT_DOUBLE: return double_const(c, n, s);
    default:
        if (pwf_type_is_int(ty))
            return int_const(c, n, ty, s);
        return pwf_fail(c, n->off, n->len, "%s cannot be converted from a literal (\"%s\").",
                        pwf_type_name(ty), s);
    }
}

/* A double-quoted string. */
static struct pwf_const *from_string(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty,
                                     const char *field)
{
    switch (ty) {
    case PW_FT_STRING:
    case PW_FT_BYTES:
    case PW_FT_PROTOCOL: return bytes_const(c, ty, n->text, n->tlen);
    case PW_FT_ABSOLUTE_TIME: return abstime_const(c, n, n->text);
    case PW_FT_BOOLEAN:
        return pwf_fail(c, n->off, n->len,
                        "\"%s\" cannot be found among the possible values for %s.", n->text, field);
    default:
        return pwf_fail(c, n->off, n->len, "%s cannot be converted from a string (\"%s\").",
                        pwf_type_name(ty), n->text);
    }
}

/* A character constant. */
static struct pwf_const *from_char(struct pwf_comp *c, const struct pwf_node *n, uint8_t ty)
{
    uint8_t ch = (uint8_t)n->num;
    switch (ty) {
    case PW_FT_STRING:
    case PW_FT_BYTES:
    case PW_FT_PROTOCOL: return bytes_const(c, ty, &ch, 1);
    case PW_FT_BOOLEAN: {
        struct pwf_const *k = newc(c, ty);
        if (k)
            k->v.v.u = ch != 0;
        return k;
    }
    default:
        if (pwf_type_is_int(ty)) {
            if ((uint64_t)ch > pwf_type_umax(ty))
                return pwf_fail(c, n->off, n->len, "%.*s too big for this field, maximum %llu.",
                                (int)n->len, c->src + n->off,
                                (unsigned long long)pwf_type_umax(ty));
            struct pwf_const *k = newc(c, ty);
            if (k)
                k->v.v.u = ch;
            return k;
        }
        return pwf_fail(c, n->off, n->len,
                        "Character constant %.*s (0x%02x) cannot be converted "
                        "to %s.",
                        (int)n->len, c->src + n->off, ch, pwf_type_name(ty));
    }
}

struct pwf_const *pwf_const_from_node(struct pwf_comp *c, struct pwf_node *n, uint8_t ty,
                                      const char *field_name)
{
    if (ty == PWF_ETHER_PARTIAL) {
        if (n->kind == N_LITERAL)
            return ether_partial(c, n, n->text);
        ty = PW_FT_ETHER; /* strings and characters: the usual refusal */
    }
    switch (n->kind) {
    case N_LITERAL: return from_text(c, n, ty, field_name);
    case N_STRING: return from_string(c, n, ty, field_name);
    case N_CHARCONST: return from_char(c, n, ty);
    default: return pwf_fail(c, n->off, n->len, "Not a constant.");
    }
}
