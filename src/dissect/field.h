/* Named fields. Every dissector publishes a table of the fields it can
 * extract, named exactly as Wireshark names them; the display-filter
 * compiler, `-T fields` and JSON keys all take their names from here.
 *
 * A field's getter reads the value(s) from one layer of an already
 * dissected packet, so nothing is extracted unless somebody asks. */
#ifndef PW_DISSECT_FIELD_H
#define PW_DISSECT_FIELD_H

#include <stddef.h>
#include <stdint.h>

struct pw_packet;
struct pw_layer;

enum pw_ftype {
    PW_FT_PROTOCOL = 0, /* existence only */
    PW_FT_NONE,         /* FT_NONE: existence-only flags like tcp.analysis.* */
    PW_FT_BOOLEAN,
    PW_FT_UINT8,
    PW_FT_UINT16,
    PW_FT_UINT24,
    PW_FT_UINT32,
    PW_FT_UINT64,
    PW_FT_INT32,
    PW_FT_FRAMENUM,
    PW_FT_IPV4,
    PW_FT_IPV6,
    PW_FT_ETHER,
    PW_FT_BYTES,
    PW_FT_STRING,
    PW_FT_RELATIVE_TIME, /* nanoseconds in v.i */
    PW_FT_ABSOLUTE_TIME, /* nanoseconds since the epoch in v.i */
    /* appended (display filters, issue 5): keep existing numbers stable */
    PW_FT_INT8,
    PW_FT_INT16,
    PW_FT_INT64, /* signed types keep the value sign-extended in v.i */
    PW_FT_DOUBLE, /* v.d */
};

enum pw_fbase {
    PW_BASE_NONE = 0,
    PW_BASE_DEC,
    PW_BASE_HEX,
    PW_BASE_DEC_HEX, /* -T fields prints the decimal */
    PW_BASE_HEX_DEC, /* -T fields prints the hex (ip.id) */
};

struct pw_fvalue {
    uint8_t type; /* enum pw_ftype */
    union {
        uint64_t u;
        int64_t i;
        uint8_t addr[16]; /* IPv4 (4), IPv6 (16), Ethernet (6) */
        struct {
            const uint8_t *p;
            uint32_t len;
        } bytes; /* BYTES and STRING: points into the packet or static data; for a
                    field with a text() builder, p is NULL and len the text's length */
        double d;
    } v;
};

/* Writes up to `max` occurrences of the field found in layer `l` into out[]
 * and returns how many there are (0 when absent). */
typedef int (*pw_field_get_fn)(const struct pw_packet *pkt, const struct pw_layer *l,
                               struct pw_fvalue *out, int max);

struct pw_field {
    const char *abbrev; /* "tcp.srcport" */
    const char *name;   /* "Source Port" */
    uint8_t type;       /* enum pw_ftype */
    uint8_t base;       /* enum pw_fbase */
    uint16_t proto;     /* the layer it is read from */
    pw_field_get_fn get;
    /* Optional (NULL for almost every field): for a STRING whose text is
     * built from the packet rather than found in it (frame.protocols). The
     * getter then returns values with bytes.p == NULL; consumers call this
     * to write occurrence `idx` into buf (NUL-terminated, cut to n bytes)
     * and get the full length back. */
    size_t (*text)(const struct pw_packet *pkt, const struct pw_layer *l, int idx, char *buf,
                   size_t n);
};

/* Lookup by abbreviation across every dissector's table; NULL if unknown. */
const struct pw_field *pw_field_by_name(const char *abbrev);

/* Calls fn for every registered field (for `pktwatch fields`, docs, tests). */
void pw_field_foreach(void (*fn)(const struct pw_field *f, void *arg), void *arg);

#endif
