/* The alert policy parser: a tiny INI dialect (docs/POLICY.md).
 *
 * Line-oriented and single pass. Every line, name, list and table has a
 * bound from src/util/limits.h; exceeding one is an error with the line
 * number, never a truncation, so a policy means exactly what it says. The
 * parser allocates nothing: struct pw_policy has fixed tables. Addresses go
 * through inet_pton() on a bounded, NUL-terminated copy. */
#include "classify/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sev_names[PW_SEV__COUNT] = {"none",   "info", "low",
                                                     "medium", "high", "critical"};

const char *pw_sev_name(unsigned sev)
{
    return sev < PW_SEV__COUNT ? sev_names[sev] : "none";
}

int pw_sev_parse(const char *s)
{
    for (int i = PW_SEV_INFO; i < PW_SEV__COUNT; i++)
        if (!strcasecmp(s, sev_names[i]))
            return i;
    return -1;
}

static const char *const kind_names[PW_AK__COUNT] = {
    "unwanted-application", "unexpected-service",    "protocol-port-mismatch", "scan",
    "handshake-failures",   "cleartext-credentials",
};

const char *pw_alert_kind_name(unsigned kind)
{
    return kind < PW_AK__COUNT ? kind_names[kind] : "?";
}

int pw_alert_kind_parse(const char *s)
{
    for (int i = 0; i < PW_AK__COUNT; i++)
        if (!strcasecmp(s, kind_names[i]))
            return i;
    return -1;
}

/* ---- the empty policy ------------------------------------------------- */

void pw_policy_clear(struct pw_policy *p)
{
    /* The rule and service arrays take most of the struct's 700 KB; every
     * entry is zeroed as it is added, so only what precedes them (names,
     * severities, thresholds, counts) needs clearing. Clearing it all cost
     * every run of `alerts` about 170 page faults. */
    memset(p, 0, offsetof(struct pw_policy, apps));
    p->kind_sev[PW_AK_UNWANTED_APP] = PW_SEV_HIGH;
    p->kind_sev[PW_AK_UNEXPECTED_SERVICE] = PW_SEV_MEDIUM;
    p->kind_sev[PW_AK_PORT_MISMATCH] = PW_SEV_LOW;
    p->kind_sev[PW_AK_SCAN] = PW_SEV_HIGH;
    p->kind_sev[PW_AK_HANDSHAKE] = PW_SEV_MEDIUM;
    p->kind_sev[PW_AK_CLEARTEXT] = PW_SEV_HIGH;
    p->thr.scan_min_targets = 25;
    p->thr.scan_max_answered_pct = 20;
    p->thr.hs_min_failures = 10;
    p->thr.hs_min_failed_pct = 50;
    p->thr.rst_storm = 100;
    p->thr.icmp_sweep_min_hosts = 25;
    p->thr.classify_packets = 16;
    p->thr.classify_reuse = 2;
    p->thr.unexpected_top = 10;
}

struct pw_policy *pw_policy_new(void)
{
    struct pw_policy *p = calloc(1, sizeof(*p));
    if (p)
        pw_policy_clear(p);
    return p;
}

void pw_policy_free(struct pw_policy *p)
{
    free(p);
}

/* The slot for a text's name in p->origins. */
static uint8_t origin_slot(struct pw_policy *p, const char *origin)
{
    uint8_t i = p->norigins < PW_POLICY_MAX_ORIGINS ? p->norigins++ : PW_POLICY_MAX_ORIGINS - 1;
    snprintf(p->origins[i], sizeof(p->origins[i]), "%s", origin);
    return i;
}

/* ---- parsing ---------------------------------------------------------- */

enum section {
    SEC_NONE,
    SEC_POLICY,
    SEC_APPS,
    SEC_CATS,
    SEC_SERVICES,
    SEC_PORTS,
    SEC_ALERTS,
    SEC_THRESHOLDS,
};

static const struct {
    const char *name;
    enum section sec;
} sections[] = {
    {"policy", SEC_POLICY},         {"applications", SEC_APPS}, {"categories", SEC_CATS},
    {"services", SEC_SERVICES},     {"ports", SEC_PORTS},       {"alerts", SEC_ALERTS},
    {"thresholds", SEC_THRESHOLDS},
};

struct parser {
    struct pw_policy *p;
    const char *origin;
    uint8_t origin_ix; /* its slot in p->origins */
    struct pw_error *err;
    uint32_t line;
    enum section sec;
    bool settings; /* a setting other than [policy] base was made */
};

static int fail(struct parser *ps, int code, const char *fmt, ...) PW_PRINTF(3, 4);

static int fail(struct parser *ps, int code, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    pw_error_set(ps->err, code, "%s:%u: %s", ps->origin, ps->line, what);
    if (ps->err)
        ps->err->offset = ps->line;
    return code;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* [b, e) trimmed of blanks */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

/* Copies [b, e) into out (size n) as a string; false when it does not fit. */
static bool copy_str(char *out, size_t n, const char *b, const char *e)
{
    size_t len = (size_t)(e - b);
    if (len >= n)
        return false;
    memcpy(out, b, len);
    out[len] = '\0';
    return true;
}

/* Decimal number of at most `max`; false on anything else. */
static bool parse_uint(const char *b, const char *e, uint32_t max, uint32_t *out)
{
    if (b == e)
        return false;
    uint64_t v = 0;
    for (const char *q = b; q < e; q++) {
        if (*q < '0' || *q > '9')
            return false;
        v = v * 10 + (uint64_t)(*q - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* One item: [tcp/|udp/|any/]PORT[-PORT] */
static int parse_port_item(struct parser *ps, const char *b, const char *e,
                           struct pw_policy_port *out)
{
    char item[PW_POLICY_MAX_NAME];
    if (!copy_str(item, sizeof(item), b, e))
        return fail(ps, PW_ERR_LIMIT, "port item longer than %u characters",
                    PW_POLICY_MAX_NAME - 1);
    const char *slash = memchr(b, '/', (size_t)(e - b));
    out->proto = 0;
    if (slash) {
        size_t pl = (size_t)(slash - b);
        if (pl == 3 && !strncasecmp(b, "tcp", 3))
            out->proto = 6;
        else if (pl == 3 && !strncasecmp(b, "udp", 3))
            out->proto = 17;
        else if (!(pl == 3 && !strncasecmp(b, "any", 3)))
            return fail(ps, PW_ERR_FORMAT, "bad port item '%s' (expected tcp/N, udp/N or N)", item);
        b = slash + 1;
    }
    const char *dash = memchr(b, '-', (size_t)(e - b));
    uint32_t lo = 0, hi = 0;
    bool ok = parse_uint(b, dash ? dash : e, 65535, &lo);
    if (ok && dash)
        ok = parse_uint(dash + 1, e, 65535, &hi);
    else
        hi = lo;
    if (!ok || lo > hi)
        return fail(ps, PW_ERR_FORMAT,
                    "bad port item '%s' (expected a port 0-65535 or a range LOW-HIGH)", item);
    out->lo = (uint16_t)lo;
    out->hi = (uint16_t)hi;
    return 0;
}

/* Comma-separated list of port items; an empty value is an empty list. */
static int parse_ports(struct parser *ps, const char *b, const char *e,
                       struct pw_policy_portlist *l)
{
    l->n = 0;
    while (b < e) {
        const char *c = memchr(b, ',', (size_t)(e - b));
        const char *ie = c ? c : e, *ib = b;
        trim(&ib, &ie);
        if (ib == ie)
            return fail(ps, PW_ERR_FORMAT, "empty item in a port list");
        if (l->n == PW_POLICY_MAX_PORTS)
            return fail(ps, PW_ERR_LIMIT, "more than %u items in one port list",
                        PW_POLICY_MAX_PORTS);
        int rc = parse_port_item(ps, ib, ie, &l->p[l->n]);
        if (rc < 0)
            return rc;
        l->n++;
        if (!c)
            break;
        b = c + 1;
        if (b == e)
            return fail(ps, PW_ERR_FORMAT, "empty item in a port list");
    }
    return 0;
}

/* Severity, "allow" (rules) or "off" (alert kinds): returns the level or -1. */
static int parse_level(const char *v, bool rule)
{
    if (rule && !strcasecmp(v, "allow"))
        return PW_SEV_NONE;
    if (!rule && !strcasecmp(v, "off"))
        return PW_SEV_NONE;
    return pw_sev_parse(v);
}

static struct pw_policy_rule *rule_slot(struct pw_policy_rule *tab, uint32_t *n, const char *name)
{
    for (uint32_t i = 0; i < *n; i++)
        if (!strcasecmp(tab[i].name, name))
            return &tab[i];
    if (*n == PW_POLICY_MAX_RULES)
        return NULL;
    struct pw_policy_rule *r = &tab[(*n)++];
    memset(r, 0, sizeof(*r));
    return r;
}

static int set_rule(struct parser *ps, const char *key, const char *val)
{
    bool apps = ps->sec == SEC_APPS;
    int lvl = parse_level(val, true);
    if (lvl < 0)
        return fail(ps, PW_ERR_FORMAT,
                    "bad value '%s' (expected allow, info, low, medium, high or critical)", val);
    struct pw_policy_rule *r = apps ? rule_slot(ps->p->apps, &ps->p->napps, key)
                                    : rule_slot(ps->p->cats, &ps->p->ncats, key);
    if (!r)
        return fail(ps, PW_ERR_LIMIT, "more than %u rules in this section", PW_POLICY_MAX_RULES);
    snprintf(r->name, sizeof(r->name), "%s", key);
    r->sev = (uint8_t)lvl;
    r->origin = ps->origin_ix;
    r->line = ps->line;
    return 0;
}

/* HOST, HOST/BITS or "*" */
static int parse_host(struct parser *ps, const char *key, struct pw_policy_service *s)
{
    memset(s->addr, 0, sizeof(s->addr));
    if (!strcmp(key, "*")) {
        s->family = 0;
        s->prefix = 0;
        return 0;
    }
    char a[PW_POLICY_MAX_NAME];
    snprintf(a, sizeof(a), "%s", key);
    char *slash = strchr(a, '/');
    uint32_t bits = 0;
    if (slash) {
        *slash = '\0';
        const char *bb = slash + 1;
        if (!parse_uint(bb, bb + strlen(bb), 128, &bits))
            return fail(ps, PW_ERR_FORMAT, "bad prefix length in '%s'", key);
    }
    if (inet_pton(AF_INET, a, s->addr) == 1) {
        s->family = 4;
        if (!slash)
            bits = 32;
        if (bits > 32)
            return fail(ps, PW_ERR_FORMAT, "IPv4 prefix longer than 32 bits in '%s'", key);
    } else if (inet_pton(AF_INET6, a, s->addr) == 1) {
        s->family = 6;
        if (!slash)
            bits = 128;
    } else {
        return fail(ps, PW_ERR_FORMAT, "bad host '%s' (expected an address, ADDRESS/BITS or *)",
                    key);
    }
    s->prefix = (uint8_t)bits;
    /* a subnet written with host bits set means the subnet */
    for (unsigned i = 0; i < 16; i++) {
        unsigned from = i * 8;
        if (from >= bits)
            s->addr[i] = 0;
        else if (bits - from < 8)
            s->addr[i] &= (uint8_t)(0xffu << (8 - (bits - from)));
    }
    return 0;
}

static int set_service(struct parser *ps, const char *key, const char *vb, const char *ve)
{
    struct pw_policy_service tmp;
    memset(&tmp, 0, sizeof(tmp));
    int rc = parse_host(ps, key, &tmp);
    if (rc < 0)
        return rc;
    rc = parse_ports(ps, vb, ve, &tmp.ports);
    if (rc < 0)
        return rc;
    tmp.line = ps->line;
    struct pw_policy *p = ps->p;
    for (uint32_t i = 0; i < p->nservices; i++) {
        struct pw_policy_service *s = &p->services[i];
        if (s->family == tmp.family && s->prefix == tmp.prefix &&
            !memcmp(s->addr, tmp.addr, sizeof(s->addr))) {
            *s = tmp;
            return 0;
        }
    }
    if (p->nservices == PW_POLICY_MAX_SERVICES)
        return fail(ps, PW_ERR_LIMIT, "more than %u [services] entries", PW_POLICY_MAX_SERVICES);
    p->services[p->nservices++] = tmp;
    return 0;
}

static int set_appports(struct parser *ps, const char *key, const char *vb, const char *ve)
{
    struct pw_policy *p = ps->p;
    struct pw_policy_appports *a = NULL;
    for (uint32_t i = 0; i < p->nappports && !a; i++)
        if (!strcasecmp(p->appports[i].name, key))
            a = &p->appports[i];
    if (!a) {
        if (p->nappports == PW_POLICY_MAX_APPPORTS)
            return fail(ps, PW_ERR_LIMIT, "more than %u [ports] entries", PW_POLICY_MAX_APPPORTS);
        a = &p->appports[p->nappports];
        memset(a, 0, sizeof(*a));
        int rc = parse_ports(ps, vb, ve, &a->ports);
        if (rc < 0)
            return rc;
        p->nappports++;
    } else {
        struct pw_policy_portlist l;
        memset(&l, 0, sizeof(l));
        int rc = parse_ports(ps, vb, ve, &l);
        if (rc < 0)
            return rc;
        a->ports = l;
    }
    if (!a->ports.n)
        return fail(ps, PW_ERR_FORMAT, "[ports] %s: empty port list", key);
    snprintf(a->name, sizeof(a->name), "%s", key);
    a->origin = ps->origin_ix;
    a->line = ps->line;
    return 0;
}

static int set_alert(struct parser *ps, const char *key, const char *val)
{
    int k = pw_alert_kind_parse(key);
    if (k < 0)
        return fail(ps, PW_ERR_FORMAT,
                    "unknown alert kind '%s' (expected unwanted-application, unexpected-service, "
                    "protocol-port-mismatch, scan, handshake-failures or cleartext-credentials)",
                    key);
    int lvl = parse_level(val, false);
    if (lvl < 0)
        return fail(ps, PW_ERR_FORMAT,
                    "bad value '%s' (expected off, info, low, medium, high or critical)", val);
    ps->p->kind_sev[k] = (uint8_t)lvl;
    return 0;
}

static int set_threshold(struct parser *ps, const char *key, const char *val)
{
    static const struct {
        const char *name;
        size_t off;
        uint32_t min, max;
    } keys[] = {
        {"scan.min_targets", offsetof(struct pw_policy_thresholds, scan_min_targets), 1,
         1000000000},
        {"scan.max_answered_percent", offsetof(struct pw_policy_thresholds, scan_max_answered_pct),
         0, 100},
        {"handshake.min_failures", offsetof(struct pw_policy_thresholds, hs_min_failures), 1,
         1000000000},
        {"handshake.min_failed_percent", offsetof(struct pw_policy_thresholds, hs_min_failed_pct),
         0, 100},
        {"handshake.rst_storm", offsetof(struct pw_policy_thresholds, rst_storm), 1, 1000000000},
        {"icmp.sweep_min_hosts", offsetof(struct pw_policy_thresholds, icmp_sweep_min_hosts), 1,
         1000000000},
        {"classify.packets", offsetof(struct pw_policy_thresholds, classify_packets), 1,
         PW_CLS_MAX_PACKETS},
        {"unexpected.top", offsetof(struct pw_policy_thresholds, unexpected_top), 1, 1000000},
        {"classify.reuse", offsetof(struct pw_policy_thresholds, classify_reuse), 0, 255},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcasecmp(key, keys[i].name))
            continue;
        uint32_t v;
        if (!parse_uint(val, val + strlen(val), keys[i].max, &v) || v < keys[i].min) {
            return fail(ps, PW_ERR_FORMAT, "%s: expected a whole number from %u to %u", key,
                        keys[i].min, keys[i].max);
        }
        memcpy((char *)&ps->p->thr + keys[i].off, &v, sizeof(v));
        return 0;
    }
    return fail(ps, PW_ERR_FORMAT, "unknown threshold '%s'", key);
}

static int set_policy(struct parser *ps, const char *key, const char *val)
{
    if (!strcasecmp(key, "base")) {
        if (!strcasecmp(val, "default"))
            return 0; /* the caller decides what lies beneath; nothing to do */
        if (!strcasecmp(val, "none")) {
            if (ps->settings)
                return fail(ps, PW_ERR_FORMAT,
                            "'base = none' must come before every other setting");
            pw_policy_clear(ps->p);
            ps->origin_ix = origin_slot(ps->p, ps->origin);
            return 0;
        }
        return fail(ps, PW_ERR_FORMAT, "bad base '%s' (expected default or none)", val);
    }
    if (!strcasecmp(key, "name") || !strcasecmp(key, "description"))
        return 0; /* free text for the reader */
    return fail(ps, PW_ERR_FORMAT, "unknown [policy] key '%s' (expected base, name, description)",
                key);
}

/* Keys and names: printable ASCII, inner blanks allowed. */
static bool valid_text(const char *b, const char *e)
{
    for (const char *q = b; q < e; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch != ' ' && ch != '\t' && (ch < 0x21 || ch > 0x7e))
            return false;
    }
    return true;
}

static int parse_line(struct parser *ps, const char *b, const char *e)
{
    trim(&b, &e);
    if (b == e || *b == '#' || *b == ';')
        return 0;
    if (*b == '[') {
        if (e[-1] != ']')
            return fail(ps, PW_ERR_FORMAT, "section header without a closing ']'");
        const char *nb = b + 1, *ne = e - 1;
        trim(&nb, &ne);
        char name[PW_POLICY_MAX_NAME];
        if (!copy_str(name, sizeof(name), nb, ne) || !valid_text(nb, ne))
            return fail(ps, PW_ERR_FORMAT, "bad section name");
        for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
            if (!strcasecmp(name, sections[i].name)) {
                ps->sec = sections[i].sec;
                return 0;
            }
        }
        return fail(ps, PW_ERR_FORMAT,
                    "unknown section [%s] (expected policy, applications, categories, services, "
                    "ports, alerts or thresholds)",
                    name);
    }
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq)
        return fail(ps, PW_ERR_FORMAT, "expected KEY = VALUE or [section]");
    if (ps->sec == SEC_NONE)
        return fail(ps, PW_ERR_FORMAT, "setting outside a section");
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    /* an inline comment starts at '#' or ';' after a blank */
    for (const char *q = vb; q < ve; q++) {
        if ((*q == '#' || *q == ';') && (q == vb || is_space(q[-1]))) {
            ve = q;
            break;
        }
    }
    trim(&kb, &ke);
    trim(&vb, &ve);
    char key[PW_POLICY_MAX_NAME], val[PW_POLICY_MAX_NAME];
    if (kb == ke)
        return fail(ps, PW_ERR_FORMAT, "empty key");
    if (!copy_str(key, sizeof(key), kb, ke))
        return fail(ps, PW_ERR_LIMIT, "key longer than %u characters", PW_POLICY_MAX_NAME - 1);
    if (!valid_text(kb, ke) || !valid_text(vb, ve))
        return fail(ps, PW_ERR_FORMAT, "control or non-ASCII character in '%s'", key);
    bool is_list = ps->sec == SEC_SERVICES || ps->sec == SEC_PORTS;
    if (!is_list) {
        if (vb == ve)
            return fail(ps, PW_ERR_FORMAT, "%s: empty value", key);
        if (!copy_str(val, sizeof(val), vb, ve))
            return fail(ps, PW_ERR_LIMIT, "%s: value longer than %u characters", key,
                        PW_POLICY_MAX_NAME - 1);
    }
    if (ps->sec != SEC_POLICY)
        ps->settings = true;
    switch (ps->sec) {
    case SEC_POLICY: return set_policy(ps, key, val);
    case SEC_APPS:
    case SEC_CATS: return set_rule(ps, key, val);
    case SEC_SERVICES: return set_service(ps, key, vb, ve);
    case SEC_PORTS: return set_appports(ps, key, vb, ve);
    case SEC_ALERTS: return set_alert(ps, key, val);
    case SEC_THRESHOLDS: return set_threshold(ps, key, val);
    case SEC_NONE: break;
    }
    return fail(ps, PW_ERR_FORMAT, "setting outside a section");
}

int pw_policy_parse(struct pw_policy *p, const char *text, size_t len, const char *origin,
                    struct pw_error *err)
{
    struct parser ps = {p, origin ? origin : "policy", 0, err, 0, SEC_NONE, false};
    ps.origin_ix = origin_slot(p, ps.origin);
    if (len > PW_POLICY_MAX_FILE)
        return fail(&ps, PW_ERR_LIMIT, "policy larger than %u bytes", PW_POLICY_MAX_FILE);
    const char *q = text, *end = text + len;
    /* a UTF-8 byte order mark, as some editors write one */
    if (len >= 3 && !memcmp(q, "\xef\xbb\xbf", 3))
        q += 3;
    while (q < end) {
        ps.line++;
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        if ((size_t)(le - q) > PW_POLICY_MAX_LINE)
            return fail(&ps, PW_ERR_LIMIT, "line longer than %u characters", PW_POLICY_MAX_LINE);
        if (memchr(q, '\0', (size_t)(le - q)))
            return fail(&ps, PW_ERR_FORMAT, "NUL byte in the policy");
        int rc = parse_line(&ps, q, le);
        if (rc < 0)
            return rc;
        q = nl ? nl + 1 : end;
    }
    return 0;
}

int pw_policy_load_file(struct pw_policy *p, const char *path, struct pw_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_error_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    char *buf = malloc(PW_POLICY_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, PW_POLICY_MAX_FILE + 1, f);
    int rc;
    if (ferror(f))
        rc = pw_error_set(err, PW_ERR_IO, "%s: read error", path);
    else if (n > PW_POLICY_MAX_FILE)
        rc = pw_error_set(err, PW_ERR_LIMIT, "%s: policy larger than %u bytes", path,
                          PW_POLICY_MAX_FILE);
    else
        rc = pw_policy_parse(p, buf, n, path, err);
    free(buf);
    fclose(f);
    return rc;
}

/* ---- lookups ------------------------------------------------------------ */

static const struct pw_policy_rule *find_rule(const struct pw_policy_rule *tab, uint32_t n,
                                              const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcasecmp(tab[i].name, name))
            return &tab[i];
    return NULL;
}

const struct pw_policy_rule *pw_policy_app(const struct pw_policy *p, const char *name)
{
    return find_rule(p->apps, p->napps, name);
}

const struct pw_policy_rule *pw_policy_category(const struct pw_policy *p, const char *name)
{
    return find_rule(p->cats, p->ncats, name);
}

const struct pw_policy_appports *pw_policy_app_ports(const struct pw_policy *p, const char *name)
{
    for (uint32_t i = 0; i < p->nappports; i++)
        if (!strcasecmp(p->appports[i].name, name))
            return &p->appports[i];
    return NULL;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(a, net, full))
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a[full] & mask) == net[full];
}

const struct pw_policy_service *pw_policy_service_for(const struct pw_policy *p, int family,
                                                      const uint8_t *addr)
{
    const struct pw_policy_service *best = NULL, *any = NULL;
    for (uint32_t i = 0; i < p->nservices; i++) {
        const struct pw_policy_service *s = &p->services[i];
        if (s->family == 0) {
            any = s;
            continue;
        }
        if (s->family != family || !prefix_match(addr, s->addr, s->prefix))
            continue;
        if (!best || s->prefix > best->prefix)
            best = s;
    }
    return best ? best : any;
}

bool pw_policy_ports_has(const struct pw_policy_portlist *l, uint8_t proto, uint16_t port)
{
    for (uint16_t i = 0; i < l->n; i++) {
        const struct pw_policy_port *x = &l->p[i];
        if ((x->proto == 0 || x->proto == proto) && port >= x->lo && port <= x->hi)
            return true;
    }
    return false;
}

/* ---- writing ------------------------------------------------------------ */

static void fmt_ports(char *buf, size_t n, const struct pw_policy_portlist *l)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < l->n && len < n; i++) {
        const struct pw_policy_port *x = &l->p[i];
        const char *pr = x->proto == 6 ? "tcp/" : x->proto == 17 ? "udp/" : "";
        int w = x->lo == x->hi
                    ? snprintf(buf + len, n - len, "%s%s%u", i ? ", " : "", pr, x->lo)
                    : snprintf(buf + len, n - len, "%s%s%u-%u", i ? ", " : "", pr, x->lo, x->hi);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

void pw_policy_write(const struct pw_policy *p, void (*fn)(void *arg, const char *line), void *arg)
{
    /* a port list is at most 64 items of "tcp/65535-65535, " */
    char line[PW_POLICY_MAX_NAME + 3 + PW_POLICY_MAX_PORTS * 20];
    char ports[PW_POLICY_MAX_PORTS * 20];
    fn(arg, "[policy]");
    fn(arg, "base = none");
    fn(arg, "");
    fn(arg, "[alerts]");
    for (unsigned k = 0; k < PW_AK__COUNT; k++) {
        snprintf(line, sizeof(line), "%s = %s", pw_alert_kind_name(k),
                 p->kind_sev[k] ? pw_sev_name(p->kind_sev[k]) : "off");
        fn(arg, line);
    }
    const struct {
        const char *sec;
        const struct pw_policy_rule *tab;
        uint32_t n;
    } rules[2] = {{"[applications]", p->apps, p->napps}, {"[categories]", p->cats, p->ncats}};
    for (int t = 0; t < 2; t++) {
        fn(arg, "");
        fn(arg, rules[t].sec);
        for (uint32_t i = 0; i < rules[t].n; i++) {
            const struct pw_policy_rule *r = &rules[t].tab[i];
            snprintf(line, sizeof(line), "%s = %s", r->name,
                     r->sev ? pw_sev_name(r->sev) : "allow");
            fn(arg, line);
        }
    }
    fn(arg, "");
    fn(arg, "[services]");
    for (uint32_t i = 0; i < p->nservices; i++) {
        const struct pw_policy_service *sv = &p->services[i];
        char host[INET6_ADDRSTRLEN + 8] = "*";
        if (sv->family) {
            char a[INET6_ADDRSTRLEN];
            if (!inet_ntop(sv->family == 6 ? AF_INET6 : AF_INET, sv->addr, a, sizeof(a)))
                continue;
            snprintf(host, sizeof(host), "%s/%u", a, sv->prefix);
        }
        fmt_ports(ports, sizeof(ports), &sv->ports);
        snprintf(line, sizeof(line), "%s = %s", host, ports);
        fn(arg, line);
    }
    fn(arg, "");
    fn(arg, "[ports]");
    for (uint32_t i = 0; i < p->nappports; i++) {
        fmt_ports(ports, sizeof(ports), &p->appports[i].ports);
        snprintf(line, sizeof(line), "%s = %s", p->appports[i].name, ports);
        fn(arg, line);
    }
    const struct pw_policy_thresholds *t = &p->thr;
    const struct {
        const char *k;
        uint32_t v;
    } thr[] = {
        {"scan.min_targets", t->scan_min_targets},
        {"scan.max_answered_percent", t->scan_max_answered_pct},
        {"handshake.min_failures", t->hs_min_failures},
        {"handshake.min_failed_percent", t->hs_min_failed_pct},
        {"handshake.rst_storm", t->rst_storm},
        {"icmp.sweep_min_hosts", t->icmp_sweep_min_hosts},
        {"classify.packets", t->classify_packets},
        {"classify.reuse", t->classify_reuse},
        {"unexpected.top", t->unexpected_top},
    };
    fn(arg, "");
    fn(arg, "[thresholds]");
    for (size_t i = 0; i < sizeof(thr) / sizeof(thr[0]); i++) {
        snprintf(line, sizeof(line), "%s = %u", thr[i].k, thr[i].v);
        fn(arg, line);
    }
}

/* ---- the built-in policy ---------------------------------------------- */

static const char default_policy[] =
    "# pktwatch built-in alert policy (`pktwatch alerts --print-policy`).\n"
    "# A --policy FILE is read on top of it: its entries replace these for the\n"
    "# same names. Start the file with `[policy] base = none` to replace it whole.\n"
    "\n"
    "[alerts]\n"
    "# Severity of each kind of alert, or off. unwanted-application alerts take\n"
    "# the severity of the rule that matched; off here disables them.\n"
    "unwanted-application   = high\n"
    "unexpected-service     = medium\n"
    "protocol-port-mismatch = low\n"
    "scan                   = high\n"
    "handshake-failures     = medium\n"
    "cleartext-credentials  = high\n"
    "\n"
    "[applications]\n"
    "# nDPI application names (`pktwatch alerts --list-apps`): a severity, or allow.\n"
    "# An application rule wins over the rule for its category.\n"
    "# Peer-to-peer file sharing\n"
    "BitTorrent    = high\n"
    "Gnutella      = high\n"
    "eDonkey       = high\n"
    "DirectConnect = high\n"
    "AppleJuice    = high\n"
    "OpenFT        = high\n"
    "FastTrack     = high\n"
    "Thunder       = high\n"
    "Stealthnet    = high\n"
    "Aimini        = high\n"
    "# Crypto-currency mining\n"
    "Mining        = critical\n"
    "# Tor and anonymising services\n"
    "Tor           = high\n"
    "HotspotShield = medium\n"
    "# Remote-access tools\n"
    "AnyDesk       = high\n"
    "TeamViewer    = high\n"
    "RDP           = medium\n"
    "VNC           = medium\n"
    "XDMCP         = medium\n"
    "# Cleartext remote login (its logins also raise cleartext-credentials)\n"
    "Telnet        = medium\n"
    "# SSH is remote access too, but the normal way to administer servers\n"
    "SSH           = allow\n"
    "\n"
    "[categories]\n"
    "# nDPI category names (`pktwatch alerts --list-categories`)\n"
    "Mining  = critical\n"
    "Malware = critical\n"
    "\n"
    "[services]\n"
    "# HOST or SUBNET (or *) = the services it is expected to offer; traffic to\n"
    "# any other port of a listed host is unexpected-service. Empty by default.\n"
    "# 192.0.2.10   = tcp/22, tcp/443\n"
    "# 10.1.0.0/16  = tcp/80, tcp/443, udp/53\n"
    "\n"
    "[ports]\n"
    "# The ports a protocol normally uses; found by payload anywhere else, it is\n"
    "# a protocol-port-mismatch (SSH on 443, HTTP on an odd port).\n"
    "SSH         = tcp/22\n"
    "HTTP        = tcp/80, tcp/8000, tcp/8008, tcp/8080, tcp/8081, tcp/8888, tcp/3128\n"
    "Telnet      = tcp/23\n"
    "FTP_CONTROL = tcp/21\n"
    "SMTP        = tcp/25, tcp/587, tcp/2525\n"
    "POP3        = tcp/110\n"
    "IMAP        = tcp/143\n"
    "DNS         = tcp/53, udp/53\n"
    "RDP         = tcp/3389, udp/3389\n"
    "VNC         = tcp/5900-5910\n"
    "\n"
    "[thresholds]\n"
    "# scan: one source tried at least min_targets (host, port) pairs and at\n"
    "# most max_answered_percent of them answered\n"
    "scan.min_targets              = 25\n"
    "scan.max_answered_percent     = 20\n"
    "# handshake-failures: connection attempts to one service that got no\n"
    "# answer or a RST, or RST segments on its connections\n"
    "handshake.min_failures        = 10\n"
    "handshake.min_failed_percent  = 50\n"
    "handshake.rst_storm           = 100\n"
    "# ICMP echo sweeps: hosts pinged by one source\n"
    "icmp.sweep_min_hosts          = 25\n"
    "# packets of each flow given to the classifier (1-255; segments with\n"
    "# neither payload nor SYN/FIN/RST are not counted)\n"
    "classify.packets              = 16\n"
    "# once this many flows in a row to one server port were inspected and got\n"
    "# the same answer, later flows to it reuse the answer (re-checked at its\n"
    "# 2nd, 4th, 8th... flow after that; answers that come from a name such as\n"
    "# TLS SNI are never reused); 0 inspects every flow\n"
    "classify.reuse                = 2\n"
    "# unexpected-service alerts kept per server host (the busiest ports)\n"
    "unexpected.top                = 10\n";

const char *pw_policy_default_text(void)
{
    return default_policy;
}

int pw_policy_load_default(struct pw_policy *p, struct pw_error *err)
{
    pw_policy_clear(p);
    return pw_policy_parse(p, default_policy, sizeof(default_policy) - 1, "(built-in policy)", err);
}
