/* MPLS label stack (RFC 3032 section 2.1), EtherTypes 0x8847 (unicast) and
 * 0x8848 (multicast), MPLS in UDP (RFC 7510, port 6635) and in IP (protocol
 * 137). Each stack entry is 4 bytes:
 *
 *   label(20) traffic class(3) bottom of stack(1) TTL(8)
 *
 * tshark lists the whole stack as one `mpls` in frame.protocols, but its
 * protocol hierarchy has one `mpls` level per stack entry: the entries after
 * the first are copies of the layer flagged PW_LF_UNLISTED (at most 15; they
 * publish no fields). Nothing in the stack
 * says what the bottom label carries; like tshark (RFC 4928's first-nibble
 * rule) a payload starting with nibble 4 is IPv4 and 6 is IPv6. Anything
 * else (pseudowire control words and Ethernet pseudowires, which tshark
 * guesses at with heuristics pktwatch does not have) is `data`. An empty
 * payload after the bottom label is malformed, as in tshark, which reads
 * the first nibble. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define MPLS_ENTRY 4u
#define MPLS_BOS 0x100u
#define MPLS_LEVELS 16u

int pw_dissect_mpls(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_MPLS, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos, n = 0;
    l->u.tun.id = 0;
    l->u.tun.next = 0;
    for (;;) {
        uint32_t e = pw_cur_be32(c);
        if (c->err)
            break;
        if (n == 0)
            l->u.tun.id = e >> 12;
        n++;
        if (e & MPLS_BOS)
            break;
    }
    l->u.tun.count = (uint8_t)(n > 255 ? 255 : n);
    l->hlen = c->pos - start;
    /* one hierarchy level per further stack entry read (bounded), even when
     * the stack then runs out */
    for (uint32_t i = 1; i < n && i < MPLS_LEVELS; i++) {
        struct pw_cur at = *c;
        at.pos = start + i * MPLS_ENTRY;
        struct pw_layer *e = pw_push_layer(d, PW_P_MPLS, &at);
        if (!e)
            return PW_DIS_OK;
        e->flags |= PW_LF_UNLISTED;
        e->hlen = MPLS_ENTRY;
        e->u.tun = l->u.tun;
    }
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    if (!pw_cur_has(&payload, 1)) {
        (void)pw_cur_u8(&payload); /* short or malformed, as the byte is */
        pw_check_cur(d, l, &payload);
        return PW_DIS_OK;
    }
    switch (pw_cur_peek(&payload, 0) >> 4) {
    case 4: pw_dissect_as(d, PW_P_IP, &payload); break;
    case 6: pw_dissect_as(d, PW_P_IPV6, &payload); break;
    default: pw_data(d, &payload); break;
    }
    return PW_DIS_OK;
}

/* every stack entry's value of one bit field: entry >> shift & mask */
static int entries(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max, unsigned shift, uint32_t mask)
{
    int n = 0;
    if (l->flags & PW_LF_UNLISTED)
        return 0;
    for (uint32_t at = 0; at + MPLS_ENTRY <= l->hlen; at += MPLS_ENTRY) {
        const uint8_t *p = pw_lbytes(pkt, l, at, MPLS_ENTRY);
        if (!p)
            break;
        uint32_t e = pw_get_be32(p);
        if (n < max)
            pw_fv_u(out + n, max - n, PW_FT_UINT32, (e >> shift) & mask);
        n++;
    }
    return n;
}

static int get_label(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    return entries(pkt, l, out, max, 12, 0xfffff);
}

static int get_exp(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    return entries(pkt, l, out, max, 9, 7);
}

static int get_bottom(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return entries(pkt, l, out, max, 8, 1);
}

static int get_ttl(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    return entries(pkt, l, out, max, 0, 0xff);
}

const struct pw_field pw_fields_mpls[] = {
    {"mpls.label", "MPLS Label", PW_FT_UINT32, PW_BASE_DEC_HEX, PW_P_MPLS, get_label},
    {"mpls.exp", "MPLS Experimental Bits", PW_FT_UINT32, PW_BASE_DEC, PW_P_MPLS, get_exp},
    {"mpls.bottom", "MPLS Bottom Of Label Stack", PW_FT_UINT32, PW_BASE_DEC, PW_P_MPLS, get_bottom},
    {"mpls.ttl", "MPLS TTL", PW_FT_UINT32, PW_BASE_DEC, PW_P_MPLS, get_ttl},
    PW_FIELDS_END,
};

/* one layer per stack entry, each at its entry's offset: the entry is
 * read again from the frame */
size_t pw_label_mpls(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, MPLS_ENTRY);
    if (!p)
        return 0;
    uint32_t e = pw_get_be32(p);
    return pw_label_add(buf, n, 0,
                        "MultiProtocol Label Switching Header, Label: %u, Exp: %u, S: %u, TTL: %u",
                        (unsigned)(e >> 12), (unsigned)((e >> 9) & 7), (unsigned)((e >> 8) & 1),
                        (unsigned)(e & 0xff));
}
