/* `-T fields`: values formatted as tshark 4.0 prints them.
 *
 *   integers   decimal; BASE_HEX and BASE_HEX_DEC fields as 0x plus as many
 *              hex digits as the type is wide (0x0800 for a UINT16)
 *   booleans   1 / 0
 *   addresses  dotted IPv4, RFC 5952 IPv6, lower-case colon MAC
 *   bytes      hex without separators
 *   times      relative: seconds.nanoseconds (nine digits, the pair printed
 *              as it is when a file stores an out-of-range fraction);
 *              absolute: "Feb 14, 2016 17:12:47.246718000 UTC", local time
 *   labels     (FT_NONE) nothing
 *   protocols  the label of the protocol's tree item (pw_proto_label), the
 *              abbreviation when it has none; `data` prints its bytes
 * Occurrences of a field are joined with the aggregator. */
#include "output/fields.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dissect/dissect.h"
#include "util/fmt.h"

#define MAX_OCC 256u
#define TEXT_MAX 65536u

static unsigned hex_digits(uint8_t ty)
{
    switch (ty) {
    case PW_FT_UINT8:
    case PW_FT_INT8: return 2;
    case PW_FT_UINT16:
    case PW_FT_INT16: return 4;
    case PW_FT_UINT24: return 6;
    case PW_FT_UINT64:
    case PW_FT_INT64: return 16;
    default: return 8;
    }
}

static size_t put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static size_t put(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return k < 0 ? 0 : (size_t)k;
}

/* seconds.nanoseconds, tshark's way: a '-' when either part is negative,
 * then the magnitudes */
static size_t reltime(char *buf, size_t n, int64_t sec, int32_t nsec)
{
    if (sec < 0 || nsec < 0) {
        uint64_t s = sec < 0 ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
        uint64_t ns = nsec < 0 ? (uint64_t)0 - (uint64_t)(int64_t)nsec : (uint64_t)nsec;
        return put(buf, n, "-%" PRIu64 ".%09" PRIu64, s, ns);
    }
    return put(buf, n, "%" PRId64 ".%09" PRId32, sec, nsec);
}

static size_t abstime(char *buf, size_t n, int64_t sec, int32_t nsec)
{
    struct tm tm;
    time_t t = (time_t)sec;
    if (!localtime_r(&t, &tm))
        return put(buf, n, "Not representable");
    char date[64], zone[16];
    strftime(date, sizeof(date), "%b %e, %Y %H:%M:%S", &tm);
    strftime(zone, sizeof(zone), "%Z", &tm);
    return put(buf, n, "%s.%09" PRId32 " %s", date, nsec, zone);
}

size_t pw_fields_format(const struct pw_field *f, uint8_t ty, const struct pw_fvalue *v, char *buf,
                        size_t n)
{
    uint8_t base = f ? f->base : PW_BASE_DEC;
    if (n)
        buf[0] = '\0';
    switch (ty) {
    /* a field without a value that is present (the generated TCP
     * analysis items, zero bytes long): tshark prints 1 */
    case PW_FT_NONE: return put(buf, n, "1");
    case PW_FT_BOOLEAN: return put(buf, n, "%d", v->v.u != 0);
    case PW_FT_UINT8:
    case PW_FT_UINT16:
    case PW_FT_UINT24:
    case PW_FT_UINT32:
    case PW_FT_UINT64:
    case PW_FT_FRAMENUM:
        if (base == PW_BASE_HEX || base == PW_BASE_HEX_DEC)
            return put(buf, n, "0x%0*" PRIx64, (int)hex_digits(ty), v->v.u);
        return put(buf, n, "%" PRIu64, v->v.u);
    case PW_FT_INT8:
    case PW_FT_INT16:
    case PW_FT_INT32:
    case PW_FT_INT64:
        if (base == PW_BASE_HEX || base == PW_BASE_HEX_DEC)
            return put(buf, n, "0x%0*" PRIx64, (int)hex_digits(ty),
                       v->v.u & (hex_digits(ty) >= 16 ? UINT64_MAX
                                                      : ((uint64_t)1 << (4 * hex_digits(ty))) - 1));
        return put(buf, n, "%" PRId64, v->v.i);
    case PW_FT_IPV4: {
        char a[16];
        pw_fmt_ip4(a, v->v.addr);
        return put(buf, n, "%s", a);
    }
    case PW_FT_IPV6: {
        char a[46];
        pw_fmt_ip6(a, v->v.addr);
        return put(buf, n, "%s", a);
    }
    case PW_FT_ETHER: {
        char a[18];
        pw_fmt_mac(a, v->v.addr);
        return put(buf, n, "%s", a);
    }
    case PW_FT_BYTES: {
        static const char hx[] = "0123456789abcdef";
        size_t len = (size_t)v->v.bytes.len * 2;
        for (uint32_t i = 0; i < v->v.bytes.len && 2 * (size_t)i + 2 < n; i++) {
            buf[2 * i] = hx[v->v.bytes.p[i] >> 4];
            buf[2 * i + 1] = hx[v->v.bytes.p[i] & 15];
            buf[2 * i + 2] = '\0';
        }
        return len;
    }
    case PW_FT_STRING: {
        size_t len = v->v.bytes.len;
        if (n) {
            size_t k = len < n - 1 ? len : n - 1;
            if (k && v->v.bytes.p)
                memcpy(buf, v->v.bytes.p, k);
            buf[k] = '\0';
        }
        return len;
    }
    case PW_FT_RELATIVE_TIME:
        return reltime(buf, n, v->v.i / 1000000000, (int32_t)(v->v.i % 1000000000));
    case PW_FT_ABSOLUTE_TIME: {
        int64_t sec = v->v.i / 1000000000;
        int32_t ns = (int32_t)(v->v.i % 1000000000);
        if (ns < 0) {
            ns += 1000000000;
            sec--;
        }
        return abstime(buf, n, sec, ns);
    }
    case PW_FT_DOUBLE: return put(buf, n, "%.15g", v->v.d);
    case PW_FT_PROTOCOL: return put(buf, n, "%s", f ? f->name : "");
    default: return 0;
    }
}

/* ---- the -T fields printer ---------------------------------------------- */

/* tshark writes the characters that would break its rows and columns
 * (tab, line feed, carriage return) as \t, \n, \r; every other byte, a
 * backslash or a control character included, as it is */
static void put_string(const uint8_t *p, uint32_t n, FILE *out)
{
    uint32_t from = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *esc = p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n" : p[i] == '\r' ? "\\r" : NULL;
        if (!esc)
            continue;
        fwrite(p + from, 1, i - from, out);
        fputs(esc, out);
        from = i + 1;
    }
    fwrite(p + from, 1, n - from, out);
}

#define MAX_VARIANTS 4u

struct col {
    const char *name;
    const struct pw_field *f; /* NULL: a protocol */
    uint16_t proto;
    /* every registry entry with this name, one per protocol publishing it
     * (ip.version comes from IPv4 and IPv6 headers) */
    const struct pw_field *var[MAX_VARIANTS];
    unsigned nvar;
    const struct pw_field *bytes; /* `data`: data.data, whose hex tshark prints */
};

/* A protocol column's occurrence (struct pw_fvalue's v.i): a layer index,
 * or one of these */
enum { OCC_ABBREV = -1, OCC_FRAME = -2, OCC_EXTRA = -16 /* - layer index */ };

static void add_variant(const struct pw_field *f, void *arg)
{
    struct col *c = arg;
    if (f != c->f && !strcmp(f->abbrev, c->f->abbrev) && f->type == c->f->type &&
        c->nvar < MAX_VARIANTS)
        c->var[c->nvar++] = f;
}

static const struct pw_field *variant(const struct col *c, unsigned proto)
{
    for (unsigned i = 0; i < c->nvar; i++)
        if (c->var[i]->proto == proto)
            return c->var[i];
    return NULL;
}

struct pw_fields {
    struct col *cols;
    unsigned n;
    struct pw_fields_opts o;
    char sep[8], agg[8];
    struct pw_fvalue *vals; /* MAX_OCC */
    char *text;             /* TEXT_MAX */
};

int pw_fields_option(struct pw_fields_opts *o, const char *kv, struct pw_error *err)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        goto bad;
    size_t kl = (size_t)(eq - kv);
    const char *v = eq + 1;
#define KEY(s) (kl == strlen(s) && !strncmp(kv, s, kl))
    if (KEY("header") && (!strcmp(v, "y") || !strcmp(v, "n"))) {
        o->header = v[0] == 'y';
        return 0;
    }
    if (KEY("bom") && (!strcmp(v, "y") || !strcmp(v, "n")))
        return 0;
    if (KEY("separator") || KEY("aggregator")) {
        const char *s = !strcmp(v, "/t") ? "\t" : !strcmp(v, "/s") ? " " : v;
        if (!*s)
            goto bad;
        if (KEY("separator"))
            o->separator = s;
        else
            o->aggregator = s;
        return 0;
    }
    if (KEY("occurrence") && strlen(v) == 1 && strchr("fla", v[0])) {
        o->occurrence = v[0] == 'f' ? 1 : v[0] == 'l' ? -1 : 0;
        return 0;
    }
    if (KEY("quote") && strlen(v) == 1 && strchr("dsn", v[0])) {
        o->quote = v[0] == 'd' ? '"' : v[0] == 's' ? '\'' : 0;
        return 0;
    }
#undef KEY
bad:
    return pw_error_set(err, PW_ERR_ARG, "\"%.*s\" is not a valid field output option=value pair.",
                        (int)(eq ? (size_t)(eq - kv) : strlen(kv)), kv);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int pw_fields_new(struct pw_fields **out, const char *const *names, unsigned n,
                  const struct pw_fields_opts *opts, struct pw_error *err)
{
    *out = NULL;
    struct pw_fields *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    fs->cols = calloc(n ? n : 1, sizeof(*fs->cols));
    fs->vals = calloc(MAX_OCC, sizeof(*fs->vals));
    fs->text = malloc(TEXT_MAX);
    const char **bad = calloc(n ? n : 1, sizeof(*bad));
    if (!fs->cols || !fs->vals || !fs->text || !bad) {
        free(bad);
        pw_fields_free(fs);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    unsigned nbad = 0;
    for (unsigned i = 0; i < n; i++) {
        struct col *c = &fs->cols[i];
        c->name = names[i];
        c->f = pw_field_by_name(names[i]);
        if (c->f) {
            c->proto = c->f->proto;
            c->var[0] = c->f;
            c->nvar = 1;
            pw_field_foreach(add_variant, c);
            continue;
        }
        unsigned p = pw_proto_by_abbrev(names[i]);
        if (p == PW_P_NONE && !strcmp(names[i], "ssl"))
            p = pw_proto_by_abbrev("tls");
        if (p == PW_P_NONE)
            bad[nbad++] = names[i];
        c->proto = (uint16_t)p;
        if (p == PW_P_DATA)
            c->bytes = pw_field_by_name("data.data");
    }
    if (nbad) {
        /* tshark lists them sorted */
        qsort(bad, nbad, sizeof(*bad), cmp_str);
        size_t at = 0;
        char msg[sizeof(err->msg)];
        at += (size_t)snprintf(msg, sizeof(msg), "Some fields aren't valid:");
        for (unsigned i = 0; i < nbad && at < sizeof(msg); i++)
            at += (size_t)snprintf(msg + at, sizeof(msg) - at, "\n\t%s", bad[i]);
        free(bad);
        pw_fields_free(fs);
        return pw_error_set(err, PW_ERR_ARG, "%s", msg);
    }
    free(bad);
    fs->n = n;
    if (opts)
        fs->o = *opts;
    if (!fs->o.separator)
        fs->o.separator = "\t";
    if (!fs->o.aggregator)
        fs->o.aggregator = ",";
    *out = fs;
    return 0;
}

void pw_fields_header(const struct pw_fields *fs, FILE *out)
{
    for (unsigned i = 0; i < fs->n; i++) {
        if (i)
            fputs(fs->o.separator, out);
        fputs(fs->cols[i].name, out);
    }
    fputc('\n', out);
}

/* The occurrences of one column into fs->vals; returns how many. */
static uint32_t collect(struct pw_fields *fs, const struct col *c, const struct pw_packet *pkt,
                        uint32_t *text_used)
{
    uint32_t n = 0;
    if (c->proto == PW_P_FRAME) {
        if (!c->f) {
            fs->vals[0].type = PW_FT_PROTOCOL;
            fs->vals[0].v.i = OCC_FRAME;
            return 1;
        }
        int got = c->f->get(pkt, NULL, fs->vals, (int)MAX_OCC);
        n = got < 0 ? 0 : (uint32_t)got > MAX_OCC ? MAX_OCC : (uint32_t)got;
        if (c->f->text)
            for (uint32_t j = 0; j < n; j++)
                if (!fs->vals[j].v.bytes.p && *text_used < TEXT_MAX - 1) {
                    char *b = fs->text + *text_used;
                    size_t room = TEXT_MAX - *text_used;
                    size_t len = c->f->text(pkt, NULL, (int)j, b, room);
                    if (len > room - 1)
                        len = room - 1;
                    fs->vals[j].v.bytes.p = (const uint8_t *)b;
                    fs->vals[j].v.bytes.len = (uint32_t)len;
                    *text_used += (uint32_t)len + 1;
                }
        return n;
    }
    for (unsigned i = 0; i < pkt->nlayers && n < MAX_OCC; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        if (l->flags & PW_LF_NOTREE)
            continue;
        if (!c->f) {
            if (l->proto == c->proto) {
                fs->vals[n].type = PW_FT_PROTOCOL;
                fs->vals[n].v.i = (int64_t)i;
                n++;
                /* tshark's exception handler adds its expert info inside
                 * the labelled item, and an expert of the Malformed group
                 * brings an unlabelled `_ws.malformed` of its own */
                uint32_t more = 0;
                if (l->proto == PW_P_WS_MALFORMED && l->u.ws.kind != PW_WS_EXPERT)
                    more = 1;
                /* a layer standing for several PDUs is that many items;
                 * the label, if any, is the first PDU's */
                if (l->flags & PW_LF_REPEAT)
                    more = l->u.app.count > 1 ? l->u.app.count - 1 : 0;
                for (; more && n < MAX_OCC; more--) {
                    fs->vals[n].type = PW_FT_PROTOCOL;
                    fs->vals[n].v.i = OCC_ABBREV;
                    n++;
                }
                /* items of its own tshark adds after the layer's */
                if (pw_proto_extra_items(l) && n < MAX_OCC) {
                    fs->vals[n].type = PW_FT_PROTOCOL;
                    fs->vals[n].v.i = OCC_EXTRA - (int64_t)i;
                    n++;
                }
            }
            continue;
        }
        const struct pw_field *lf = variant(c, l->proto);
        if (!lf)
            continue;
        uint32_t from = n;
        int got = lf->get(pkt, l, fs->vals + n, (int)(MAX_OCC - n));
        if (got <= 0)
            continue;
        n += (uint32_t)got > MAX_OCC - n ? MAX_OCC - n : (uint32_t)got;
        if (lf->text)
            for (uint32_t j = from; j < n; j++)
                if (!fs->vals[j].v.bytes.p && *text_used < TEXT_MAX - 1) {
                    char *b = fs->text + *text_used;
                    size_t room = TEXT_MAX - *text_used;
                    size_t len = lf->text(pkt, l, (int)(j - from), b, room);
                    if (len > room - 1)
                        len = room - 1;
                    fs->vals[j].v.bytes.p = (const uint8_t *)b;
                    fs->vals[j].v.bytes.len = (uint32_t)len;
                    *text_used += (uint32_t)len + 1;
                }
    }
    return n;
}

/* b - a as tshark computes it: nanoseconds as C ints (wrapping, as they
 * do for out-of-range fractions), the pair normalised to one sign only when
 * the seconds differ. */
static void nst_delta(struct pw_ts b, struct pw_ts a, int64_t *sec, int32_t *nsec)
{
    int64_t s = (int64_t)((uint64_t)b.sec - (uint64_t)a.sec);
    int32_t ns = (int32_t)((uint32_t)b.nsec - (uint32_t)a.nsec);
    if (b.sec < a.sec) {
        if (ns > 0) {
            ns -= 1000000000;
            s++;
        }
    } else if (b.sec > a.sec) {
        if (ns < 0) {
            ns += 1000000000;
            s--;
        }
    }
    *sec = s;
    *nsec = ns;
}

/* The frame's own times, printed from the record so that files with
 * out-of-range fractions show tshark's exact text. Returns false for other
 * fields. */
static bool frame_time(const struct col *c, const struct pw_packet *pkt, FILE *out)
{
    if (c->proto != PW_P_FRAME || !c->f)
        return false;
    const char *a = c->f->abbrev;
    char buf[96];
    struct pw_ts ts = pkt->rec->ts;
    int64_t sec;
    int32_t ns;
    if (!strcmp(a, "frame.time")) {
        abstime(buf, sizeof(buf), ts.sec, (int32_t)ts.nsec);
    } else if (!strcmp(a, "frame.time_epoch")) {
        reltime(buf, sizeof(buf), ts.sec, (int32_t)ts.nsec);
    } else if (!strcmp(a, "frame.time_relative") || !strcmp(a, "frame.time_delta")) {
        nst_delta(ts, a[11] == 'r' ? pkt->ts_first : pkt->ts_prev, &sec, &ns);
        reltime(buf, sizeof(buf), sec, ns);
    } else if (!strcmp(a, "frame.time_delta_displayed")) {
        if (pkt->displayed && pkt->displayed->any)
            nst_delta(ts, pkt->displayed->ts, &sec, &ns);
        else
            sec = ns = 0;
        reltime(buf, sizeof(buf), sec, ns);
    } else {
        return false;
    }
    fputs(buf, out);
    return true;
}

static void put_hex(const uint8_t *p, uint32_t len, FILE *out)
{
    static const char hx[] = "0123456789abcdef";
    for (uint32_t i = 0; i < len; i++) {
        putc(hx[p[i] >> 4], out);
        putc(hx[p[i] & 15], out);
    }
}

static void print_protocol(const struct col *c, const struct pw_fvalue *v,
                           const struct pw_packet *pkt, FILE *out)
{
    if (v->v.i <= OCC_EXTRA && OCC_EXTRA - v->v.i < pkt->nlayers) {
        char eb[256];
        size_t k = pw_proto_label_extra(pkt, &pkt->layer[OCC_EXTRA - v->v.i], eb, sizeof(eb));
        fputs(k ? eb : pw_proto_abbrev(c->proto), out);
        return;
    }
    if (v->v.i == OCC_ABBREV || (v->v.i >= 0 && v->v.i >= pkt->nlayers)) {
        fputs(pw_proto_abbrev(c->proto), out);
        return;
    }
    const struct pw_layer *l = v->v.i >= 0 ? &pkt->layer[v->v.i] : NULL;
    if (l && l->proto == PW_P_DATA && c->bytes) {
        struct pw_fvalue b;
        if (c->bytes->get(pkt, l, &b, 1) > 0)
            put_hex(b.v.bytes.p, b.v.bytes.len, out);
        return;
    }
    /* tshark's labels are at most 240 bytes; room to spare */
    char buf[1024];
    size_t k = pw_proto_label(pkt, l, buf, sizeof(buf));
    fputs(k ? buf : pw_proto_abbrev(c->proto), out);
}

static void print_value(const struct col *c, const struct pw_fvalue *v,
                        const struct pw_packet *pkt, FILE *out)
{
    uint8_t ty = c->f ? c->f->type : PW_FT_PROTOCOL;
    if (ty == PW_FT_PROTOCOL) {
        if (!c->f)
            print_protocol(c, v, pkt, out);
        else /* a protocol-typed field (tcp.options.sack_perm) */
            fputs(pw_proto_name(c->proto), out);
        return;
    }
    if (ty == PW_FT_BYTES || ty == PW_FT_STRING) {
        /* may be long: no intermediate buffer */
        if (ty == PW_FT_STRING) {
            if (v->v.bytes.p && v->v.bytes.len)
                put_string(v->v.bytes.p, v->v.bytes.len, out);
            return;
        }
        put_hex(v->v.bytes.p, v->v.bytes.len, out);
        return;
    }
    char buf[128];
    pw_fields_format(c->f, ty, v, buf, sizeof(buf));
    fputs(buf, out);
}

void pw_fields_row(struct pw_fields *fs, const struct pw_packet *pkt, FILE *out)
{
    uint32_t text_used = 0;
    for (unsigned i = 0; i < fs->n; i++) {
        const struct col *c = &fs->cols[i];
        if (i)
            fputs(fs->o.separator, out);
        uint32_t n = collect(fs, c, pkt, &text_used);
        if (n == 0)
            continue;
        uint32_t from = 0, to = n;
        if (fs->o.occurrence > 0) {
            if ((uint32_t)fs->o.occurrence > n)
                continue;
            from = (uint32_t)fs->o.occurrence - 1;
            to = from + 1;
        } else if (fs->o.occurrence < 0) {
            from = n - 1;
        }
        if (fs->o.quote)
            putc(fs->o.quote, out);
        for (uint32_t j = from; j < to; j++) {
            if (j > from)
                fputs(fs->o.aggregator, out);
            if (!frame_time(c, pkt, out))
                print_value(c, &fs->vals[j], pkt, out);
        }
        if (fs->o.quote)
            putc(fs->o.quote, out);
    }
    putc('\n', out);
}

void pw_fields_foreach(const struct pw_fields *fs, void (*fn)(void *arg, const char *abbrev),
                       void *arg)
{
    for (unsigned i = 0; i < fs->n; i++)
        fn(arg, fs->cols[i].name);
}

void pw_fields_free(struct pw_fields *fs)
{
    if (!fs)
        return;
    free(fs->cols);
    free(fs->vals);
    free(fs->text);
    free(fs);
}
