/* Filter tuples -> one libpcap expression. See bpf_tuple.h for the syntax.
 *
 * Values are parsed strictly (inet_pton, digits only) before anything is
 * generated, because a typo that still compiles (the reference docs once
 * showed `1.1.1.1-255.255.255`) silently produces an empty capture. */
#include "capture/bpf_tuple.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/limits.h"

enum vkind { V_ANY = 0, V_SINGLE, V_RANGE, V_LIST };

struct ipval {
    int family; /* AF_INET or AF_INET6 */
    uint8_t a[16];
};

/* One parsed field. A range keeps its two ends in item[0] and item[1]. */
struct fval {
    enum vkind kind;
    size_t n;
    bool is_ip;
    unsigned families; /* bit 0: IPv4 seen, bit 1: IPv6 seen */
    struct ipval ip[PW_MAX_FILTER_LIST];
    uint16_t port[PW_MAX_FILTER_LIST];
};

static bool field_is_ip(const char *field)
{
    return strstr(field, "IPAddress") != NULL;
}

const char *pw_bpf_proto_canon(const char *s)
{
    if (!s || !*s || strcasecmp(s, "any") == 0)
        return "Any";
    if (strcasecmp(s, "tcp") == 0)
        return "TCP";
    if (strcasecmp(s, "udp") == 0)
        return "UDP";
    if (strcasecmp(s, "icmp") == 0)
        return "ICMP";
    return NULL;
}

static enum pw_bpf_proto proto_of(const char *canon)
{
    if (strcmp(canon, "TCP") == 0)
        return PW_BPF_TCP;
    if (strcmp(canon, "UDP") == 0)
        return PW_BPF_UDP;
    if (strcmp(canon, "ICMP") == 0)
        return PW_BPF_ICMP;
    return PW_BPF_ANY;
}

/* Copies [b, e) without surrounding blanks into out (cap >= 64). Returns
 * false when the trimmed item does not fit: no valid item is that long. */
static bool trim_copy(const char *b, const char *e, char *out, size_t cap)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t n = (size_t)(e - b);
    if (n >= cap)
        return false;
    memcpy(out, b, n);
    out[n] = '\0';
    return true;
}

static int parse_port(const char *s, uint16_t *out, struct pw_error *err)
{
    unsigned long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 5)
        return pw_error_set(err, PW_ERR_ARG, "'%s' is not a port number (0-65535)", s);
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return pw_error_set(err, PW_ERR_ARG, "'%s' is not a port number (0-65535)", s);
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535)
        return pw_error_set(err, PW_ERR_ARG, "port %lu is out of range (0-65535)", v);
    *out = (uint16_t)v;
    return 0;
}

static int parse_ip(const char *s, struct ipval *out, struct pw_error *err)
{
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->a) == 1) {
        out->family = AF_INET6;
        return 0;
    }
    return pw_error_set(err, PW_ERR_ARG, "'%s' is not an IPv4 or IPv6 address", s);
}

static int parse_item(bool is_ip, const char *s, struct fval *v, size_t i, struct pw_error *err)
{
    if (is_ip) {
        int rc = parse_ip(s, &v->ip[i], err);
        if (rc == 0)
            v->families |= v->ip[i].family == AF_INET ? 1u : 2u;
        return rc;
    }
    return parse_port(s, &v->port[i], err);
}

static int cmp_item(const struct fval *v, size_t a, size_t b)
{
    if (v->is_ip)
        return memcmp(v->ip[a].a, v->ip[b].a, v->ip[a].family == AF_INET ? 4 : 16);
    return (int)v->port[a] - (int)v->port[b];
}

static int parse_value(const char *field, const char *s, struct fval *v, struct pw_error *err)
{
    char item[64];
    memset(v, 0, sizeof(*v));
    v->is_ip = field_is_ip(field);
    if (!s)
        return 0;
    size_t len = strnlen(s, PW_MAX_FILTER_VALUE + 1);
    if (len > PW_MAX_FILTER_VALUE)
        return pw_error_set(err, PW_ERR_ARG, "value is longer than %u characters",
                            PW_MAX_FILTER_VALUE);
    size_t nsemi = 0, ndash = 0;
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ';')
            nsemi++;
        else if (c == '-')
            ndash++;
        else if (c == ',')
            return pw_error_set(err, PW_ERR_ARG,
                                "',' is not a list separator; separate items with ';' "
                                "(e.g. %s)",
                                v->is_ip ? "10.0.0.1;10.0.0.5" : "80;443");
        else if (c == ' ' || c == '\t')
            continue;
        else if (!(isxdigit(c) || c == '.' || c == ':') || (!v->is_ip && !isdigit(c)))
            return pw_error_set(err, PW_ERR_ARG, "unexpected character '%c' in '%s'",
                                isprint(c) ? c : '?', s);
        blank = false;
    }
    if (blank && nsemi == 0 && ndash == 0)
        return 0; /* "" and blanks mean any, as the reference echoes them */
    if (nsemi > 0 && ndash > 0)
        return pw_error_set(err, PW_ERR_ARG,
                            "'%s' mixes a range with a list, which is not supported", s);
    if (ndash > 1)
        return pw_error_set(err, PW_ERR_ARG, "'%s' has more than one range; only one is allowed",
                            s);
    if (ndash == 1) {
        const char *dash = strchr(s, '-');
        if (!trim_copy(s, dash, item, sizeof(item)) || !item[0])
            return pw_error_set(err, PW_ERR_ARG, "'%s': range has no start", s);
        int rc = parse_item(v->is_ip, item, v, 0, err);
        if (rc)
            return rc;
        if (!trim_copy(dash + 1, s + len, item, sizeof(item)) || !item[0])
            return pw_error_set(err, PW_ERR_ARG, "'%s': range has no end", s);
        if ((rc = parse_item(v->is_ip, item, v, 1, err)))
            return rc;
        if (v->is_ip && (v->ip[0].family != AF_INET || v->ip[1].family != AF_INET))
            return pw_error_set(err, PW_ERR_ARG, "'%s': address ranges are supported for IPv4 only",
                                s);
        if (cmp_item(v, 0, 1) > 0)
            return pw_error_set(err, PW_ERR_ARG, "'%s' is not a valid range: start is after end",
                                s);
        v->kind = V_RANGE;
        v->n = 2;
        return 0;
    }
    /* A single value, or a list with an optional trailing ';'. */
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *e = semi ? semi : end;
        if (!trim_copy(p, e, item, sizeof(item)))
            return pw_error_set(err, PW_ERR_ARG, "'%s': list item is too long", s);
        if (!item[0]) {
            if (!semi) /* blanks after the last ';' */
                break;
            return pw_error_set(err, PW_ERR_ARG, "'%s' has an empty list item", s);
        }
        if (v->n == PW_MAX_FILTER_LIST)
            return pw_error_set(err, PW_ERR_ARG, "list has more than %u items", PW_MAX_FILTER_LIST);
        int rc = parse_item(v->is_ip, item, v, v->n, err);
        if (rc)
            return rc;
        v->n++;
        p = semi ? semi + 1 : end;
    }
    if (v->n == 0)
        return pw_error_set(err, PW_ERR_ARG, "'%s' has no value", s);
    v->kind = v->n == 1 ? V_SINGLE : V_LIST;
    return 0;
}

int pw_bpf_check_value(const char *field, const char *value, struct pw_error *err)
{
    struct fval v;
    return parse_value(field, value, &v, err);
}

/* A bounded string builder: once something does not fit, it stays failed. */
struct sbuf {
    char *p;
    size_t cap, len;
    bool full;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) PW_PRINTF(2, 3);
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    if (b->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len) {
        b->full = true;
        b->p[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

static void ip_text(const struct ipval *ip, char *out, size_t cap)
{
    if (!inet_ntop(ip->family, ip->a, out, (socklen_t)cap))
        snprintf(out, cap, "0.0.0.0");
}

static uint32_t ip4_u32(const struct ipval *ip)
{
    return (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 | (uint32_t)ip->a[2] << 8 | ip->a[3];
}

/* One field for one direction ("src" or "dst"). Returns false when the
 * field is "any" and nothing was written. */
static bool sb_term(struct sbuf *b, const char *dir, const struct fval *v)
{
    char t[INET6_ADDRSTRLEN];
    switch (v->kind) {
    case V_ANY: return false;
    case V_SINGLE:
        if (v->is_ip) {
            ip_text(&v->ip[0], t, sizeof(t));
            sb_add(b, "%s host %s", dir, t);
        } else {
            sb_add(b, "%s port %u", dir, v->port[0]);
        }
        return true;
    case V_RANGE:
        if (v->is_ip) {
            /* BPF has no address-range primitive; compare the IPv4 source
             * (offset 12) or destination (16) word. BPF jumps are unsigned. */
            int off = strcmp(dir, "src") == 0 ? 12 : 16;
            sb_add(b, "(ip[%d:4] >= 0x%08x and ip[%d:4] <= 0x%08x)", off, ip4_u32(&v->ip[0]), off,
                   ip4_u32(&v->ip[1]));
        } else {
            sb_add(b, "%s portrange %u-%u", dir, v->port[0], v->port[1]);
        }
        return true;
    case V_LIST:
        sb_add(b, "(");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                sb_add(b, " or ");
            if (v->is_ip) {
                ip_text(&v->ip[i], t, sizeof(t));
                sb_add(b, "%s host %s", dir, t);
            } else {
                sb_add(b, "%s port %u", dir, v->port[i]);
            }
        }
        sb_add(b, ")");
        return true;
    }
    return false;
}

/* The conjunction of the four fields for one orientation of the flow. */
static void sb_side(struct sbuf *b, const struct fval f[4], bool reversed)
{
    static const char *const fwd[4] = {"src", "dst", "src", "dst"};
    static const char *const rev[4] = {"dst", "src", "dst", "src"};
    bool any = false;
    for (int i = 0; i < 4; i++) {
        if (f[i].kind == V_ANY)
            continue;
        if (any)
            sb_add(b, " and ");
        sb_term(b, reversed ? rev[i] : fwd[i], &f[i]);
        any = true;
    }
}

static const char *const field_names[4] = {"localIPAddress", "remoteIPAddress", "localPort",
                                           "remotePort"};

int pw_bpf_from_tuples(const struct pw_bpf_tuple *t, size_t n, const char *raw, char *out,
                       size_t cap, struct pw_error *err)
{
    /* Parsed values are large (lists of IPv6 addresses); keep one filter's
     * worth at a time. */
    struct fval f[4];
    if (!out || cap == 0)
        return pw_error_set(err, PW_ERR_ARG, "no output buffer");
    if (cap > PW_MAX_BPF_EXPR + 1)
        cap = PW_MAX_BPF_EXPR + 1;
    struct sbuf b = {.p = out, .cap = cap};
    out[0] = '\0';
    if (n > PW_MAX_FILTERS)
        return pw_error_set(err, PW_ERR_ARG, "filters: more than %u filters", PW_MAX_FILTERS);
    bool match_all = false;
    size_t nterms = 0;
    for (size_t i = 0; i < n; i++) {
        const char *canon = pw_bpf_proto_canon(t[i].protocol);
        if (!canon)
            return pw_error_set(err, PW_ERR_ARG,
                                "filters[%zu].protocol: '%s' is not one of TCP, UDP, ICMP, Any", i,
                                t[i].protocol);
        enum pw_bpf_proto proto = proto_of(canon);
        const char *vals[4] = {t[i].local_ip, t[i].remote_ip, t[i].local_port, t[i].remote_port};
        bool has_fields = false;
        for (int k = 0; k < 4; k++) {
            struct pw_error e;
            if (parse_value(field_names[k], vals[k], &f[k], &e))
                return pw_error_set(err, PW_ERR_ARG, "filters[%zu].%s: %s", i, field_names[k],
                                    e.msg);
            if (f[k].kind == V_ANY)
                continue;
            has_fields = true;
            if (k >= 2 && proto == PW_BPF_ICMP)
                return pw_error_set(err, PW_ERR_ARG,
                                    "filters[%zu].%s: ports cannot be used with protocol ICMP", i,
                                    field_names[k]);
        }
        if (f[0].families && f[1].families && (f[0].families & f[1].families) == 0)
            return pw_error_set(err, PW_ERR_ARG,
                                "filters[%zu]: localIPAddress and remoteIPAddress are of different "
                                "IP versions, so the filter could never match",
                                i);
        if (match_all)
            continue; /* still validate the remaining filters */
        if (proto == PW_BPF_ANY && !has_fields) {
            match_all = true; /* OR with "everything" is everything */
            continue;
        }
        sb_add(&b, nterms ? " or (" : "(");
        switch (proto) {
        case PW_BPF_TCP: sb_add(&b, "tcp"); break;
        case PW_BPF_UDP: sb_add(&b, "udp"); break;
        case PW_BPF_ICMP: sb_add(&b, "(icmp or icmp6)"); break;
        case PW_BPF_ANY: break;
        }
        if (has_fields) {
            if (proto != PW_BPF_ANY)
                sb_add(&b, " and ");
            sb_add(&b, "((");
            sb_side(&b, f, false);
            sb_add(&b, ") or (");
            sb_side(&b, f, true);
            sb_add(&b, "))");
        }
        sb_add(&b, ")");
        nterms++;
    }
    if (match_all) {
        b.len = 0;
        b.full = false;
        out[0] = '\0';
    }
    if (raw) {
        size_t rl = strnlen(raw, PW_MAX_BPF_RAW + 1);
        if (rl > PW_MAX_BPF_RAW)
            return pw_error_set(err, PW_ERR_ARG, "bpfFilter: longer than %u characters",
                                PW_MAX_BPF_RAW);
        const char *rb = raw, *re = raw + rl;
        while (rb < re && isspace((unsigned char)*rb))
            rb++;
        while (re > rb && isspace((unsigned char)re[-1]))
            re--;
        if (re > rb) {
            if (b.len) {
                /* Parenthesise the tuple part so that an "or" in the raw
                 * expression cannot bind to it. */
                if (b.len + 1 >= b.cap) {
                    b.full = true;
                } else {
                    memmove(out + 1, out, b.len + 1);
                    out[0] = '(';
                    b.len++;
                    sb_add(&b, ") and (%.*s)", (int)(re - rb), rb);
                }
            } else {
                sb_add(&b, "%.*s", (int)(re - rb), rb);
            }
        }
    }
    if (b.full)
        return pw_error_set(err, PW_ERR_LIMIT,
                            "filters: the generated filter expression is longer than %zu bytes; "
                            "use fewer filters or shorter lists",
                            cap - 1);
    return (int)b.len;
}

int pw_bpf_compile_check(const char *expr, int linktype, struct pw_error *err)
{
    struct bpf_program prog;
    pcap_t *p = pcap_open_dead(linktype, (int)PW_MAX_SNAPLEN);
    if (!p)
        return pw_error_set(err, PW_ERR_NOMEM, "cannot create a libpcap handle");
    int rc = 0;
    if (pcap_compile(p, &prog, expr ? expr : "", 1, PCAP_NETMASK_UNKNOWN) != 0)
        rc = pw_error_set(err, PW_ERR_ARG, "%s", pcap_geterr(p));
    else
        pcap_freecode(&prog);
    pcap_close(p);
    return rc;
}
