/* mkcap: builds small captures by hand, in memory, for the unit tests and
 * for tests/tools/mkcap (which writes them to files so that tshark can be
 * run on exactly the same bytes).
 *
 * A capture is pcap (microsecond or nanosecond) or pcapng (one Ethernet
 * interface, if_tsresol 9: nanoseconds). Frames are Ethernet, optionally
 * with 802.1Q tags, carrying IPv4 or IPv6 and a TCP segment (with optional
 * MSS/window-scale options and zero-filled payload), or an ICMP error that
 * quotes such a segment. Checksums are computed so that tshark sees clean
 * packets. The file header and record headers are a few dozen bytes, so they
 * are written here directly rather than through a capture writer.
 *
 * Header-only (static inline) so that each test program and tool can
 * include it without a library of its own. */
#ifndef PW_TEST_MKCAP_H
#define PW_TEST_MKCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum mkcap_format { MKCAP_PCAP_US, MKCAP_PCAP_NS, MKCAP_PCAPNG_NS };

struct mkcap {
    uint8_t *buf;
    size_t len, cap;
    enum mkcap_format fmt;
    bool oom;
};

/* One TCP segment. Addresses are 4 bytes (IPv4) or 16 (IPv6). */
struct mk_tcp {
    int family; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t flags; /* MK_SYN | MK_ACK ... */
    uint16_t win;   /* 0 means 65535 unless zero_win */
    bool zero_win;
    uint32_t payload; /* zero bytes of payload */
    int wscale;       /* window-scale option shift, -1: none (0 also means none
                         unless has_wscale) */
    bool has_wscale;
    uint16_t vlan;  /* 802.1Q VLAN id, 0: untagged */
    uint16_t vlan2; /* a second (inner) tag, 0: none */
    uint8_t nsack;  /* SACK blocks (RFC 2018), 0..4, on non-SYN segments */
    uint32_t sack[4][2];
};

enum {
    MK_FIN = 0x01,
    MK_SYN = 0x02,
    MK_RST = 0x04,
    MK_PSH = 0x08,
    MK_ACK = 0x10,
};

static inline void mk_put(struct mkcap *m, const void *p, size_t n)
{
    if (m->oom)
        return;
    if (m->len + n > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 4096;
        while (nc < m->len + n)
            nc *= 2;
        uint8_t *nb = realloc(m->buf, nc);
        if (!nb) {
            m->oom = true;
            return;
        }
        m->buf = nb;
        m->cap = nc;
    }
    memcpy(m->buf + m->len, p, n);
    m->len += n;
}

static inline void mk_le32(struct mkcap *m, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    mk_put(m, b, 4);
}

static inline void mk_le16(struct mkcap *m, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    mk_put(m, b, 2);
}

static inline void mkcap_init(struct mkcap *m, enum mkcap_format fmt)
{
    memset(m, 0, sizeof(*m));
    m->fmt = fmt;
    if (fmt == MKCAP_PCAPNG_NS) {
        /* Section Header Block */
        mk_le32(m, 0x0a0d0d0a);
        mk_le32(m, 28);
        mk_le32(m, 0x1a2b3c4d);
        mk_le16(m, 1);
        mk_le16(m, 0);
        mk_le32(m, 0xffffffff);
        mk_le32(m, 0xffffffff);
        mk_le32(m, 28);
        /* Interface Description Block: Ethernet, if_tsresol = 9 */
        mk_le32(m, 1);
        mk_le32(m, 32);
        mk_le16(m, 1);
        mk_le16(m, 0);
        mk_le32(m, 262144);
        mk_le16(m, 9); /* if_tsresol */
        mk_le16(m, 1);
        uint8_t opt[4] = {9, 0, 0, 0};
        mk_put(m, opt, 4);
        mk_le32(m, 0); /* opt_endofopt */
        mk_le32(m, 32);
        return;
    }
    mk_le32(m, fmt == MKCAP_PCAP_NS ? 0xa1b23c4d : 0xa1b2c3d4);
    mk_le16(m, 2);
    mk_le16(m, 4);
    mk_le32(m, 0);
    mk_le32(m, 0);
    mk_le32(m, 262144);
    mk_le32(m, 1); /* LINKTYPE_ETHERNET */
}

/* Appends a record; t_ns is the time in nanoseconds since the epoch. */
static inline void mkcap_record(struct mkcap *m, uint64_t t_ns, const uint8_t *frame, uint32_t len)
{
    if (m->fmt == MKCAP_PCAPNG_NS) {
        uint32_t pad = (4 - len % 4) % 4;
        uint32_t blen = 32 + len + pad;
        mk_le32(m, 6);
        mk_le32(m, blen);
        mk_le32(m, 0);
        mk_le32(m, (uint32_t)(t_ns >> 32));
        mk_le32(m, (uint32_t)t_ns);
        mk_le32(m, len);
        mk_le32(m, len);
        mk_put(m, frame, len);
        static const uint8_t zero[4] = {0};
        mk_put(m, zero, pad);
        mk_le32(m, blen);
        return;
    }
    uint64_t sec = t_ns / 1000000000u;
    uint32_t frac = (uint32_t)(t_ns % 1000000000u);
    mk_le32(m, (uint32_t)sec);
    mk_le32(m, m->fmt == MKCAP_PCAP_NS ? frac : frac / 1000u);
    mk_le32(m, len);
    mk_le32(m, len);
    mk_put(m, frame, len);
}

static inline void mkcap_free(struct mkcap *m)
{
    free(m->buf);
    memset(m, 0, sizeof(*m));
}

/* ---- frame builders ------------------------------------------------------ */

static inline void mk_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void mk_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t mk_sum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static inline uint16_t mk_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Ethernet (+ tags) header for `etype`; returns its length. */
static inline size_t mk_eth(uint8_t *f, uint16_t etype, uint16_t vlan, uint16_t vlan2)
{
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    size_t n = 12;
    memcpy(f, macs, 12);
    if (vlan) {
        mk_be16(f + n, 0x8100);
        mk_be16(f + n + 2, vlan);
        n += 4;
    }
    if (vlan2) {
        mk_be16(f + n, 0x8100);
        mk_be16(f + n + 2, vlan2);
        n += 4;
    }
    mk_be16(f + n, etype);
    return n + 2;
}

/* TCP header (+ options) at t for segment s; returns the header length.
 * The checksum is filled in by mk_ip(). */
static inline size_t mk_tcphdr(uint8_t *t, const struct mk_tcp *s)
{
    size_t hl = 20;
    memset(t, 0, 20);
    mk_be16(t, s->sport);
    mk_be16(t + 2, s->dport);
    mk_be32(t + 4, s->seq);
    mk_be32(t + 8, s->ack);
    if (s->flags & MK_SYN) {
        /* MSS 1460, and window scale when asked (SYN and SYN/ACK only) */
        uint8_t *o = t + 20;
        o[0] = 2;
        o[1] = 4;
        mk_be16(o + 2, 1460);
        hl += 4;
        if (s->has_wscale) {
            o[4] = 1;
            o[5] = 3;
            o[6] = 3;
            o[7] = (uint8_t)s->wscale;
            hl += 4;
        }
    }
    if (!(s->flags & MK_SYN) && s->nsack) {
        uint8_t *o = t + 20;
        o[0] = o[1] = 1; /* NOP NOP */
        o[2] = 5;
        o[3] = (uint8_t)(2 + 8 * s->nsack);
        for (unsigned i = 0; i < s->nsack && i < 4; i++) {
            mk_be32(o + 4 + 8 * i, s->sack[i][0]);
            mk_be32(o + 8 + 8 * i, s->sack[i][1]);
        }
        hl += 4 + 8u * s->nsack;
    }
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = (uint8_t)s->flags;
    mk_be16(t + 14, s->zero_win ? 0 : (s->win ? s->win : 65535));
    return hl;
}

/* IPv4/IPv6 header carrying `l4len` bytes of protocol `proto` at ip + hlen,
 * with the transport checksum at ip + hlen + cksum_at computed. Returns the
 * IP header length. */
static inline size_t mk_ip(uint8_t *ip, int family, const uint8_t *src, const uint8_t *dst,
                           uint8_t proto, size_t l4len, int cksum_at)
{
    size_t hl = family == 6 ? 40 : 20;
    uint8_t *l4 = ip + hl;
    uint32_t sum;
    if (family == 6) {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        mk_be16(ip + 4, (uint32_t)l4len);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        sum = mk_sum(src, 16, 0);
        sum = mk_sum(dst, 16, sum);
        sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff) + proto;
    } else {
        memset(ip, 0, 20);
        ip[0] = 0x45;
        mk_be16(ip + 2, (uint32_t)(20 + l4len));
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        mk_be16(ip + 10, mk_fold(mk_sum(ip, 20, 0)));
        sum = mk_sum(src, 4, 0);
        sum = mk_sum(dst, 4, sum);
        sum += (uint32_t)l4len + proto;
    }
    if (cksum_at >= 0) {
        l4[cksum_at] = l4[cksum_at + 1] = 0;
        mk_be16(l4 + cksum_at, mk_fold(mk_sum(l4, l4len, sum)));
    }
    return hl;
}

/* A whole Ethernet frame for segment s into f (room for 64 + payload
 * bytes); returns its length. */
static inline size_t mk_tcp_frame(uint8_t *f, const struct mk_tcp *s)
{
    size_t e = mk_eth(f, s->family == 6 ? 0x86dd : 0x0800, s->vlan, s->vlan2);
    size_t iphl = s->family == 6 ? 40 : 20;
    uint8_t *t = f + e + iphl;
    size_t th = mk_tcphdr(t, s);
    memset(t + th, 0, s->payload);
    mk_ip(f + e, s->family, s->src, s->dst, 6, th + s->payload, 16);
    return e + iphl + th + s->payload;
}

/* An ICMP (v4) destination-unreachable or ICMPv6 error from `router` to
 * the segment's sender, quoting the segment's IP header and the first
 * `quote` bytes of its TCP header. Returns the frame length. */
static inline size_t mk_icmp_error_frame(uint8_t *f, const struct mk_tcp *s, const uint8_t *router,
                                         size_t quote)
{
    uint8_t inner[128];
    size_t n = mk_tcp_frame(inner, s);
    size_t e_in = s->vlan ? 18 : 14;
    size_t iphl = s->family == 6 ? 40 : 20;
    size_t qlen = iphl + quote;
    if (qlen > n - e_in)
        qlen = n - e_in;
    size_t e = mk_eth(f, s->family == 6 ? 0x86dd : 0x0800, s->vlan, 0);
    uint8_t *icmp = f + e + iphl;
    memset(icmp, 0, 8);
    icmp[0] = s->family == 6 ? 1 : 3; /* destination unreachable */
    icmp[1] = s->family == 6 ? 4 : 3; /* port unreachable */
    memcpy(icmp + 8, inner + e_in, qlen);
    mk_ip(f + e, s->family, router, s->src, s->family == 6 ? 58 : 1, 8 + qlen,
          s->family == 6 ? 2 : -1);
    if (s->family != 6)
        mk_be16(icmp + 2, mk_fold(mk_sum(icmp, 8 + qlen, 0)));
    return e + iphl + 8 + qlen;
}

#endif
