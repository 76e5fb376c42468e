/* Helpers for field getters (internal to src/dissect/).
 *
 * Getters run after dissection, from a finished struct pw_packet. Values the
 * dissector decoded are read from the layer's header union; the rest are read
 * again from the frame bytes at the layer's offset, bounds-checked against the
 * captured length, so that struct pw_layer stays small. */
#ifndef PW_DISSECT_FGET_H
#define PW_DISSECT_FGET_H

#include <string.h>

#include "dissect/dissect.h"

/* One unsigned value (integers, booleans, frame numbers). */
static inline int pw_fv_u(struct pw_fvalue *out, int max, uint8_t type, uint64_t v)
{
    if (max >= 1) {
        out[0].type = type;
        out[0].v.u = v;
    }
    return 1;
}

/* One address of n bytes (4 IPv4, 16 IPv6, 6 Ethernet). */
static inline int pw_fv_addr(struct pw_fvalue *out, int max, uint8_t type, const uint8_t *a,
                             unsigned n)
{
    if (max >= 1) {
        out[0].type = type;
        memset(out[0].v.addr, 0, sizeof(out[0].v.addr));
        memcpy(out[0].v.addr, a, n);
    }
    return 1;
}

/* A STRING value whose text the field's text() callback builds when it is
 * printed; len is that text's length. Callers compute len only when a value
 * is wanted (max >= 1), so existence checks stay cheap. */
static inline void pw_fv_text(struct pw_fvalue *v, size_t len)
{
    v->type = PW_FT_STRING;
    v->v.bytes.p = NULL;
    v->v.bytes.len = (uint32_t)len;
}

static inline int pw_fv_bytes(struct pw_fvalue *out, int max, const uint8_t *p, uint32_t len)
{
    if (max >= 1) {
        out[0].type = PW_FT_BYTES;
        out[0].v.bytes.p = p;
        out[0].v.bytes.len = len;
    }
    return 1;
}

/* One STRING value of len bytes at p (not NUL-terminated). */
static inline int pw_fv_string(struct pw_fvalue *out, int max, const uint8_t *p, uint32_t len)
{
    pw_fv_bytes(out, max, p, len);
    if (max >= 1)
        out[0].type = PW_FT_STRING;
    return 1;
}

/* n captured bytes at offset `at` inside layer l, or NULL when the capture
 * does not hold them. */
static inline const uint8_t *pw_lbytes(const struct pw_packet *pkt, const struct pw_layer *l,
                                       uint32_t at, uint32_t n)
{
    uint32_t off = l->off;
    if (off > pkt->caplen || at > pkt->caplen - off || n > pkt->caplen - off - at)
        return NULL;
    return pkt->data + off + at;
}

static inline uint32_t pw_get_be16(const uint8_t *p)
{
    return (uint32_t)((p[0] << 8) | p[1]);
}

static inline uint32_t pw_get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A getter that returns one unsigned value computed from the layer, when
 * `cond` (an expression of `l`) holds; absent otherwise. */
#define PW_FGET_U_IF(fn, ftype, cond, expr)                                                        \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        (void)pkt;                                                                                 \
        (void)l;                                                                                   \
        if (!(cond))                                                                               \
            return 0;                                                                              \
        return pw_fv_u(out, max, ftype, (uint64_t)(expr));                                         \
    }

/* A getter that returns one unsigned value computed from the layer. */
#define PW_FGET_U(fn, ftype, expr) PW_FGET_U_IF(fn, ftype, 1, expr)

/* An unsigned value of `width` (1..8) bytes, big- or little-endian. */
static inline uint64_t pw_get_uint(const uint8_t *p, unsigned width, int little_endian)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v = (v << 8) | p[little_endian ? width - 1 - i : i];
    return v;
}

/* A getter for an unsigned value of `width` bytes at offset `at` in the
 * layer's header, in the given byte order; absent when not captured. */
#define PW_FGET_ORDER(fn, ftype, at, width, little_endian)                                         \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        const uint8_t *p = pw_lbytes(pkt, l, (at), (width));                                       \
        if (!p || (uint32_t)(at) + (width) > l->hlen)                                              \
            return 0;                                                                              \
        return pw_fv_u(out, max, ftype, pw_get_uint(p, (width), (little_endian)));                 \
    }

/* Big-endian (network order): 1, 2, 3 or 4 bytes. */
#define PW_FGET_BE(fn, ftype, at, width) PW_FGET_ORDER(fn, ftype, at, width, 0)

/* Little-endian: pseudo headers written in the capturing host's order
 * (radiotap, PPI, PKTAP). */
#define PW_FGET_LE(fn, ftype, at, width) PW_FGET_ORDER(fn, ftype, at, width, 1)

/* A `*.checksum.status` getter: tshark adds the status with the checksum
 * item, so it exists exactly where the checksum getter `cksum` finds the
 * checksum; its value is `status` (an expression of `l`). */
#define PW_FGET_CKSUM_STATUS(fn, cksum, status)                                                    \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        if (cksum(pkt, l, out, max) == 0)                                                          \
            return 0;                                                                              \
        return pw_fv_u(out, max, PW_FT_UINT8, (uint64_t)(status));                                 \
    }

#define PW_FIELDS_END                                                                              \
    {                                                                                              \
        NULL, NULL, 0, 0, 0, NULL                                                                  \
    }

/* The "host" fields of an IP header (ip.src_host, ip.dst_host, ip.host and
 * the ipv6.* ones): with name resolution off, as tshark runs with -n, a
 * host is its address as text, so these are STRING fields whose text is
 * built on demand and filters compare text. ip.host has two occurrences,
 * source then destination. VALID(l) says whether the header has them;
 * TEXT(buf, n, addr_idx) formats address 0 (source) or 1 (destination).
 * Defines host_text, src_host_text, dst_host_text, get_src_host,
 * get_dst_host and get_host for the field table. */
#define PW_HOST_FIELDS(VALID, TEXT)                                                                \
    static size_t host_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx,        \
                            char *buf, size_t n)                                                   \
    {                                                                                              \
        (void)pkt;                                                                                 \
        if (n)                                                                                     \
            buf[0] = '\0';                                                                         \
        return TEXT(buf, n, l, idx);                                                               \
    }                                                                                              \
    static size_t src_host_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx,    \
                                char *buf, size_t n)                                               \
    {                                                                                              \
        (void)idx;                                                                                 \
        return host_text(pkt, l, 0, buf, n);                                                       \
    }                                                                                              \
    static size_t dst_host_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx,    \
                                char *buf, size_t n)                                               \
    {                                                                                              \
        (void)idx;                                                                                 \
        return host_text(pkt, l, 1, buf, n);                                                       \
    }                                                                                              \
    static int host_values(const struct pw_packet *pkt, const struct pw_layer *l, int first,      \
                           int count, struct pw_fvalue *out, int max)                              \
    {                                                                                              \
        if (!(VALID(l)))                                                                           \
            return 0;                                                                              \
        for (int i = 0; i < count && i < max; i++)                                                 \
            pw_fv_text(&out[i], host_text(pkt, l, first + i, NULL, 0));                            \
        return count;                                                                              \
    }                                                                                              \
    static int get_src_host(const struct pw_packet *pkt, const struct pw_layer *l,                 \
                            struct pw_fvalue *out, int max)                                        \
    {                                                                                              \
        return host_values(pkt, l, 0, 1, out, max);                                                \
    }                                                                                              \
    static int get_dst_host(const struct pw_packet *pkt, const struct pw_layer *l,                 \
                            struct pw_fvalue *out, int max)                                        \
    {                                                                                              \
        return host_values(pkt, l, 1, 1, out, max);                                                \
    }                                                                                              \
    static int get_host(const struct pw_packet *pkt, const struct pw_layer *l,                     \
                        struct pw_fvalue *out, int max)                                            \
    {                                                                                              \
        return host_values(pkt, l, 0, 2, out, max);                                                \
    }

#endif
