/* The lexer: expression text -> token array.
 *
 * Like tshark 4.0's scanner it picks, at each position, the longest of the
 * patterns that match there: MAC addresses, IPv4 and IPv6 addresses with an
 * optional CIDR prefix, byte strings with ':' separators, ':'-prefixed
 * explicit literals, and identifiers ([A-Za-z0-9_-] runs joined by single
 * dots, an optional leading '.' making a field explicit). A word is a field
 * or a literal depending on the registry, which semcheck decides. Inside
 * "[...]" the text between commas is one range each; after '#' comes a layer
 * number or a bracketed list. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "filter/fint.h"

#define MAX_TOKENS (PWF_MAX_EXPR + 2u)

static bool is_hex(int ch)
{
    return isxdigit((unsigned char)ch) != 0;
}

static bool is_ident(int ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/* [A-Za-z0-9_][A-Za-z0-9_-]* joined by single dots; returns its length */
static size_t m_ident(const char *s)
{
    size_t i = 0;
    if (!(isalnum((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (;;) {
        while (is_ident(s[i]))
            i++;
        if (s[i] == '.' && is_ident(s[i + 1]))
            i++;
        else
            return i;
    }
}

static size_t m_hex2(const char *s)
{
    return is_hex(s[0]) && is_hex(s[1]) ? 2 : 0;
}

/* six pairs of hex digits separated by ':' or by '-' */
static size_t m_mac(const char *s)
{
    for (int sepi = 0; sepi < 2; sepi++) {
        char sep = sepi ? '-' : ':';
        size_t i = 0;
        int g;
        for (g = 0; g < 6; g++) {
            if (!m_hex2(s + i))
                break;
            i += 2;
            if (g < 5) {
                if (s[i] != sep)
                    break;
                i++;
            }
        }
        if (g == 6)
            return i;
    }
    return 0;
}

/* a decimal octet without leading zeros (0..255) */
static size_t m_octet(const char *s)
{
    if (!isdigit((unsigned char)s[0]))
        return 0;
    if (s[0] == '0')
        return 1;
    size_t n = 1;
    unsigned v = (unsigned)(s[0] - '0');
    while (n < 3 && isdigit((unsigned char)s[n]) && v * 10 + (unsigned)(s[n] - '0') <= 255) {
        v = v * 10 + (unsigned)(s[n] - '0');
        n++;
    }
    return n;
}

static size_t m_prefix(const char *s, int maxdigits)
{
    if (s[0] != '/' || !isdigit((unsigned char)s[1]))
        return 0;
    size_t n = 1;
    while (n <= (size_t)maxdigits && isdigit((unsigned char)s[n]))
        n++;
    return n;
}

static size_t m_ipv4(const char *s)
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        size_t o = m_octet(s + i);
        if (!o)
            return 0;
        i += o;
        if (k < 3) {
            if (s[i] != '.')
                return 0;
            i++;
        }
    }
    return i + m_prefix(s + i, 2);
}

/* The longest prefix of a [0-9A-Fa-f:.] run that is an IPv6 address. */
static size_t m_ipv6(const char *s)
{
    size_t run = 0;
    bool colon = false;
    while (run < 64 && (is_hex(s[run]) || s[run] == ':' || s[run] == '.')) {
        colon |= s[run] == ':';
        run++;
    }
    if (!colon)
        return 0;
    for (size_t n = run; n >= 2; n--) {
        char tmp[72];
        unsigned char a[16];
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (inet_pton(AF_INET6, tmp, a) == 1)
            return n + m_prefix(s + n, 3);
    }
    return 0;
}

/* hex2 ':'  |  hex2 (':' hex2)+ */
static size_t m_colon_bytes(const char *s)
{
    if (!m_hex2(s) || s[2] != ':')
        return 0;
    size_t i = 2;
    while (s[i] == ':' && m_hex2(s + i + 1))
        i += 3;
    return i == 2 ? 3 : i;
}

static size_t m_sep_bytes(const char *s, char sep)
{
    if (!m_hex2(s))
        return 0;
    size_t i = 2;
    while (s[i] == sep && m_hex2(s + i + 1))
        i += 3;
    return i == 2 ? 0 : i;
}

struct kw {
    const char *s;
    uint8_t tok;
};

static const struct kw keywords[] = {
    {"eq", TK_EQ},
    {"any_eq", TK_EQ},
    {"ne", TK_NE},
    {"all_ne", TK_NE},
    {"all_eq", TK_ALL_EQ},
    {"any_ne", TK_ANY_NE},
    {"gt", TK_GT},
    {"ge", TK_GE},
    {"lt", TK_LT},
    {"le", TK_LE},
    {"contains", TK_CONTAINS},
    {"matches", TK_MATCHES},
    {"not", TK_NOT},
    {"and", TK_AND},
    {"or", TK_OR},
    {"in", TK_IN},
    {"any", TK_ANY},
    {"all", TK_ALL},
    {"bitwise_and", TK_BITAND},
};

struct op {
    const char *s;
    uint8_t tok;
};

/* longest first */
static const struct op ops[] = {
    {"===", TK_ALL_EQ}, {"!==", TK_ANY_NE}, {"==", TK_EQ},     {"!=", TK_NE},    {"~=", TK_ANY_NE},
    {">=", TK_GE},      {"<=", TK_LE},      {"&&", TK_AND},    {"||", TK_OR},    {"..", TK_DOTDOT},
    {">", TK_GT},       {"<", TK_LT},       {"~", TK_MATCHES}, {"!", TK_NOT},    {"&", TK_BITAND},
    {"+", TK_PLUS},     {"-", TK_MINUS},    {"*", TK_STAR},    {"/", TK_SLASH},  {"%", TK_PERCENT},
    {"(", TK_LPAREN},   {")", TK_RPAREN},   {"{", TK_LBRACE},  {"}", TK_RBRACE}, {",", TK_COMMA},
    {"$", TK_DOLLAR},
};

static struct pwf_token *push(struct pwf_comp *c, uint8_t kind, size_t off, size_t len)
{
    /* every token takes at least one character, so the array (srclen + 2)
     * cannot overflow; the test keeps that true if the lexer changes */
    if (c->ntoks > c->srclen || c->ntoks >= MAX_TOKENS)
        return pwf_fail(c, (uint32_t)off, 0, "The filter expression is too long.");
    struct pwf_token *t = &c->toks[c->ntoks++];
    t->kind = kind;
    t->off = (uint32_t)off;
    t->len = (uint32_t)len;
    t->text = pwf_arena_strndup(&c->arena, c->src + off, len);
    t->tlen = (uint32_t)len;
    if (!t->text)
        return pwf_nomem(c);
    return t;
}

/* Appends the UTF-8 encoding of code point cp. */
static size_t utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A double-quoted string starting at s[i] (the quote; `raw` when it was
 * preceded by r/R at i - 1). Returns the index after the closing quote, or
 * 0 on error. */
static size_t lex_string(struct pwf_comp *c, size_t start, size_t i, bool raw)
{
    const char *s = c->src;
    /* the decoded text is never longer than the source */
    char *out = pwf_arena_alloc(&c->arena, c->srclen - i + 1);
    size_t o = 0;
    if (!out) {
        pwf_nomem(c);
        return 0;
    }
    i++;
    for (;;) {
        if (i >= c->srclen) {
            pwf_fail(c, (uint32_t)c->srclen, 1,
                     "The final quote was missing from a quoted string.");
            return 0;
        }
        char ch = s[i];
        if (ch == '"')
            break;
        if (ch != '\\') {
            out[o++] = ch;
            i++;
            continue;
        }
        size_t esc = i;
        if (i + 1 >= c->srclen) {
            pwf_fail(c, (uint32_t)c->srclen, 1,
                     "The final quote was missing from a quoted string.");
            return 0;
        }
        char e = s[i + 1];
        if (raw) {
            /* raw strings: \\ and \" do not end the string, backslashes stay */
            out[o++] = '\\';
            out[o++] = e;
            i += 2;
            continue;
        }
        if (e >= '0' && e <= '7') {
            unsigned v = 0;
            size_t k = i + 1;
            while (k < i + 4 && k < c->srclen && s[k] >= '0' && s[k] <= '7')
                v = v * 8 + (unsigned)(s[k++] - '0');
            if (v > 0xff) {
                pwf_fail(c, (uint32_t)esc, (uint32_t)(k - esc), "%.*s is larger than 255.",
                         (int)(k - esc), s + esc);
                return 0;
            }
            out[o++] = (char)v;
            i = k;
            continue;
        }
        if (e == 'x') {
            size_t k = i + 2;
            unsigned v = 0;
            while (k < i + 4 && k < c->srclen && is_hex(s[k])) {
                int d = s[k];
                v = v * 16 + (unsigned)(isdigit(d) ? d - '0' : (tolower(d) - 'a' + 10));
                k++;
            }
            if (k == i + 2) {
                pwf_fail(c, (uint32_t)esc, 2, "\\x is not a valid character escape sequence");
                return 0;
            }
            out[o++] = (char)v;
            i = k;
            continue;
        }
        if (e == 'u' || e == 'U') {
            size_t want = e == 'u' ? 4 : 8, k = i + 2;
            uint32_t cp = 0;
            while (k < i + 2 + want && k < c->srclen && is_hex(s[k])) {
                int d = s[k];
                cp = cp * 16 + (uint32_t)(isdigit(d) ? d - '0' : (tolower(d) - 'a' + 10));
                k++;
            }
            /* C's rules for universal character names: all digits present,
             * not a surrogate, not beyond Unicode, and not a character of
             * the basic set other than $ @ ` */
            bool ok = k == i + 2 + want && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) &&
                      (cp >= 0xa0 || cp == '$' || cp == '@' || cp == '`');
            if (!ok) {
                pwf_fail(c, (uint32_t)esc, (uint32_t)(k - esc),
                         "%.*s is not a valid universal character name", (int)(k - esc), s + esc);
                return 0;
            }
            o += utf8(cp, out + o);
            i = k;
            continue;
        }
        char v;
        switch (e) {
        case 'a': v = '\a'; break;
        case 'b': v = '\b'; break;
        case 'f': v = '\f'; break;
        case 'n': v = '\n'; break;
        case 'r': v = '\r'; break;
        case 't': v = '\t'; break;
        case 'v': v = '\v'; break;
        case '\\': v = '\\'; break;
        case '"': v = '"'; break;
        case '\'': v = '\''; break;
        case '?': v = '?'; break;
        default:
            pwf_fail(c, (uint32_t)esc, 2, "\\%c is not a valid character escape sequence", e);
            return 0;
        }
        out[o++] = v;
        i += 2;
    }
    struct pwf_token *t = push(c, TK_STRING, start, i + 1 - start);
    if (!t)
        return 0;
    t->text = out;
    t->tlen = (uint32_t)o;
    t->raw = raw;
    return i + 1;
}

/* The value of the character constant body (between the quotes). */
static bool charconst_value(const char *b, size_t n, int64_t *v)
{
    if (n == 1 && b[0] != '\\') {
        *v = (unsigned char)b[0];
        return true;
    }
    if (n < 2 || b[0] != '\\')
        return false;
    if (n == 2) {
        switch (b[1]) {
        case 'a': *v = '\a'; return true;
        case 'b': *v = '\b'; return true;
        case 'f': *v = '\f'; return true;
        case 'n': *v = '\n'; return true;
        case 'r': *v = '\r'; return true;
        case 't': *v = '\t'; return true;
        case 'v': *v = '\v'; return true;
        case '\\': *v = '\\'; return true;
        case '\'': *v = '\''; return true;
        case '"': *v = '"'; return true;
        default: break;
        }
    }
    if (b[1] == 'x' && n >= 3 && n <= 4) {
        unsigned x = 0;
        for (size_t i = 2; i < n; i++) {
            if (!is_hex(b[i]))
                return false;
            int d = b[i];
            x = x * 16 + (unsigned)(isdigit(d) ? d - '0' : (tolower(d) - 'a' + 10));
        }
        *v = x;
        return true;
    }
    if (b[1] >= '0' && b[1] <= '7' && n <= 4) {
        unsigned x = 0;
        for (size_t i = 1; i < n; i++) {
            if (b[i] < '0' || b[i] > '7')
                return false;
            x = x * 8 + (unsigned)(b[i] - '0');
        }
        if (x > 0xff)
            return false;
        *v = x;
        return true;
    }
    return false;
}

static size_t lex_charconst(struct pwf_comp *c, size_t i)
{
    const char *s = c->src;
    size_t k = i + 1;
    while (k < c->srclen && s[k] != '\'') {
        if (s[k] == '\\' && k + 1 < c->srclen)
            k++;
        k++;
    }
    if (k >= c->srclen) {
        pwf_fail(c, (uint32_t)c->srclen, 1,
                 "The final quote was missing from a character constant.");
        return 0;
    }
    size_t n = k - i - 1;
    if (n == 0) {
        pwf_fail(c, (uint32_t)i, 2, "Empty character constant.");
        return 0;
    }
    int64_t v;
    if (!charconst_value(s + i + 1, n, &v)) {
        pwf_fail(c, (uint32_t)i, (uint32_t)(n + 2),
                 "%.*s is too long to be a valid character constant.", (int)(n + 2), s + i);
        return 0;
    }
    struct pwf_token *t = push(c, TK_CHARCONST, i, n + 2);
    if (!t)
        return 0;
    t->num = v;
    return k + 1;
}

/* Inside [...]: one TK_RANGE per comma-separated part, blanks trimmed. */
static size_t lex_ranges(struct pwf_comp *c, size_t i)
{
    const char *s = c->src;
    for (;;) {
        size_t b = i;
        while (b < c->srclen && s[b] != ']' && s[b] != ',')
            b++;
        if (b >= c->srclen) {
            pwf_fail(c, (uint32_t)c->srclen, 1, "The right bracket was missing from a slice.");
            return 0;
        }
        size_t lo = i, hi = b;
        while (lo < hi && isspace((unsigned char)s[lo]))
            lo++;
        while (hi > lo && isspace((unsigned char)s[hi - 1]))
            hi--;
        if (hi > lo && !push(c, TK_RANGE, lo, hi - lo))
            return 0;
        if (s[b] == ']') {
            if (!push(c, TK_RBRACKET, b, 1))
                return 0;
            return b + 1;
        }
        if (!push(c, TK_COMMA, b, 1))
            return 0;
        i = b + 1;
    }
}

static size_t lex_word(struct pwf_comp *c, size_t i)
{
    const char *s = c->src + i;
    size_t best = 0;
    uint8_t kind = TK_WORD;
    size_t skip = 0; /* leading ':' or '.' not part of the value */

    if (s[0] == ':') {
        size_t n = m_colon_bytes(s + 1);
        size_t n2 = m_sep_bytes(s + 1, '-'), n3 = m_sep_bytes(s + 1, '.');
        size_t n4 = 0;
        while (is_hex(s[1 + n4]))
            n4++;
        size_t n6 = m_ipv6(s);
        if (n2 > n)
            n = n2;
        if (n3 > n)
            n = n3;
        if (n4 > n)
            n = n4;
        if (n6 > n + 1) {
            best = n6;
            kind = TK_LITERAL;
        } else if (n) {
            best = n + 1;
            skip = 1;
            kind = TK_LITERAL;
        }
    } else if (s[0] == '.') {
        size_t n = m_ident(s + 1);
        if (n) {
            best = n + 1;
            skip = 1;
            kind = TK_FIELD;
        }
    } else {
        size_t n;
        if ((n = m_mac(s)) > best) {
            best = n;
            kind = TK_LITERAL;
        }
        if ((n = m_ipv4(s)) > best) {
            best = n;
            kind = TK_LITERAL;
        }
        if ((n = m_ipv6(s)) > best) {
            best = n;
            kind = TK_LITERAL;
        }
        if ((n = m_colon_bytes(s)) > best) {
            best = n;
            kind = TK_LITERAL;
        }
        if ((n = m_ident(s)) > best) {
            best = n;
            kind = TK_WORD;
        }
    }
    if (!best) {
        pwf_fail(c, (uint32_t)i, 1, "\"%c\" was unexpected in this context.", s[0]);
        return 0;
    }
    if (kind == TK_WORD) {
        for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
            if (strlen(keywords[k].s) == best && !memcmp(keywords[k].s, s, best)) {
                kind = keywords[k].tok;
                break;
            }
    }
    struct pwf_token *t = push(c, kind, i, best);
    if (!t)
        return 0;
    if (skip) {
        t->text += skip;
        t->tlen -= (uint32_t)skip;
    }
    return i + best;
}

static int lex_all(struct pwf_comp *c);

/* A lexing error is kept for later: the parser reports it when it reaches
 * the place, unless it finds an earlier problem (tshark scans on demand). */
int pwf_lex(struct pwf_comp *c)
{
    if (lex_all(c) == 0)
        return 0;
    if (!c->toks || c->err == NULL || c->err->code == PW_ERR_NOMEM)
        return -1;
    c->lexerr = *c->err;
    c->lexerr_len = c->err_len;
    c->failed = false;
    pw_error_clear(c->err);
    struct pwf_token *t = &c->toks[c->ntoks];
    t->kind = TK_ERROR;
    t->off = (uint32_t)c->lexerr.offset;
    t->len = 0;
    t->text = "";
    c->ntoks++;
    c->toks[c->ntoks].kind = TK_EOF;
    c->toks[c->ntoks].off = (uint32_t)c->srclen;
    c->toks[c->ntoks].text = "";
    return 0;
}

static int lex_all(struct pwf_comp *c)
{
    const char *s = c->src;
    size_t n = c->srclen;
    c->toks = pwf_arena_alloc(&c->arena, sizeof(*c->toks) * (n + 2));
    if (!c->toks) {
        pwf_nomem(c);
        return -1;
    }
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
            continue;
        }
        if (ch == '"' || ((ch == 'r' || ch == 'R') && i + 1 < n && s[i + 1] == '"')) {
            bool raw = ch != '"';
            i = lex_string(c, i, raw ? i + 1 : i, raw);
            if (!i)
                return -1;
            continue;
        }
        if (ch == '\'') {
            i = lex_charconst(c, i);
            if (!i)
                return -1;
            continue;
        }
        if (ch == '[') {
            if (!push(c, TK_LBRACKET, i, 1))
                return -1;
            i = lex_ranges(c, i + 1);
            if (!i)
                return -1;
            continue;
        }
        if (ch == '#') {
            if (!push(c, TK_HASH, i, 1))
                return -1;
            i++;
            if (i >= n)
                break;
            if (isdigit((unsigned char)s[i])) {
                size_t k = i;
                while (k < n && isdigit((unsigned char)s[k]))
                    k++;
                if (!push(c, TK_INDEX, i, k - i))
                    return -1;
                i = k;
            } else if (s[i] != '[') {
                pwf_fail(c, (uint32_t)i, 1, "Expected digit or \"[\", not \"%c\"", s[i]);
                return -1;
            }
            continue;
        }
        /* words take precedence over the one-character operators they can
         * start with (':' and '.'), except for ".." */
        bool word = isalnum(ch) || ch == '_' || ch == ':' || (ch == '.' && s[i + 1] != '.');
        if (word) {
            i = lex_word(c, i);
            if (!i)
                return -1;
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            size_t l = strlen(ops[k].s);
            if (i + l <= n && !memcmp(s + i, ops[k].s, l))
                break;
        }
        if (k == sizeof(ops) / sizeof(ops[0])) {
            /* one UTF-8 character, for the message */
            size_t l = 1;
            while (i + l < n && ((unsigned char)s[i + l] & 0xc0) == 0x80)
                l++;
            pwf_fail(c, (uint32_t)i, (uint32_t)l, "\"%.*s\" was unexpected in this context.",
                     (int)l, s + i);
            return -1;
        }
        size_t l = strlen(ops[k].s);
        if (!push(c, ops[k].tok, i, l))
            return -1;
        i += l;
    }
    c->toks[c->ntoks].kind = TK_EOF;
    c->toks[c->ntoks].off = (uint32_t)n;
    c->toks[c->ntoks].text = "";
    return 0;
}
