/* libFuzzer target for IP fragment reassembly (src/flow/ipreasm.c and the
 * dissection around it, src/dissect/ipfrag.c): a sequence of fragments.
 *
 * Input: one control byte, then records of a 4-byte header and a payload:
 *   control: bit 0 picks small limits (a few datagrams, fragments and
 *            bytes, so that eviction and abandonment run) or the defaults;
 *   header:  b0 bit 0 IPv6 (fragment header) or IPv4, bit 1 more fragments,
 *            bits 2-3 which of four identifications, bits 4-7 the upper
 *            protocol (UDP, TCP, ICMP, ICMPv6, IPv4-in-IP, IPv6-in-IP, ...:
 *            a reassembled datagram can hold another fragment);
 *            b1-b2 the offset in 8-byte units (13 bits);
 *            b3 the payload length in 8-byte units (the last record takes
 *            what is left);
 *   payload: that many bytes of the input.
 * Every record becomes an Ethernet frame dissected with the shared state;
 * the packet record is checked, every field getter runs on every layer,
 * byte values must lie inside the packet's bytes, and the memory the state
 * holds must stay within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "flow/ipreasm.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t upper[16] = {17, 6, 1, 58, 4, 41, 47, 17, 17, 6, 0, 60, 43, 51, 132, 255};

static uint8_t frame[14 + 40 + 8 + 2048];
static struct pw_packet pkt;

static void run_field(const struct pw_field *f, void *arg)
{
    (void)arg;
    struct pw_fvalue v[8];
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        if (pkt.layer[i].proto != f->proto)
            continue;
        int n = f->get(&pkt, &pkt.layer[i], v, 8);
        if (n < 0)
            abort();
        for (int k = 0; k < n && k < 8; k++)
            if (v[k].type == PW_FT_BYTES &&
                (v[k].v.bytes.p < pkt.data ||
                 v[k].v.bytes.p + v[k].v.bytes.len > pkt.data + pkt.caplen))
                abort();
    }
}

static uint32_t build(const uint8_t *h, const uint8_t *p, uint32_t n)
{
    static const uint8_t a4[8] = {10, 0, 0, 1, 10, 0, 0, 2};
    uint8_t proto = upper[h[0] >> 4];
    uint32_t id = (h[0] >> 2) & 3u;
    uint32_t offw = ((uint32_t)h[1] << 8 | h[2]) & 0x1fffu;
    bool more = (h[0] & 2) != 0;
    uint8_t *f = frame;
    memset(f, 0x22, 12);
    uint32_t o = 14;
    if (h[0] & 1) {
        f[12] = 0x86, f[13] = 0xdd;
        memset(f + o, 0, 48);
        f[o] = 0x60;
        f[o + 4] = (uint8_t)((8 + n) >> 8), f[o + 5] = (uint8_t)(8 + n);
        f[o + 6] = 44;
        f[o + 7] = 64;
        f[o + 8] = 0x20, f[o + 23] = 1;
        f[o + 24] = 0x20, f[o + 39] = 2;
        o += 40;
        f[o] = proto;
        f[o + 2] = (uint8_t)(offw >> 5);
        f[o + 3] = (uint8_t)((offw << 3) | (more ? 1u : 0u));
        f[o + 7] = (uint8_t)id;
        o += 8;
    } else {
        f[12] = 0x08, f[13] = 0x00;
        memset(f + o, 0, 20);
        f[o] = 0x45;
        f[o + 2] = (uint8_t)((20 + n) >> 8), f[o + 3] = (uint8_t)(20 + n);
        f[o + 4] = 0x12, f[o + 5] = (uint8_t)id;
        f[o + 6] = (uint8_t)((more ? 0x20u : 0) | offw >> 8), f[o + 7] = (uint8_t)offw;
        f[o + 8] = 64;
        f[o + 9] = proto;
        memcpy(f + o + 12, a4, 8);
        o += 20;
    }
    memcpy(f + o, p, n);
    return o + n;
}

static void check(const struct pw_ipreasm *r, size_t total, uint32_t max_bytes)
{
    if (pkt.nlayers > PW_MAX_LAYERS || pkt.nanom > PW_MAX_PKT_ANOMALIES)
        abort();
    if (pkt.l3 >= (int)pkt.nlayers || pkt.l4 >= (int)pkt.nlayers)
        abort();
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        const struct pw_layer *l = &pkt.layer[i];
        if (l->proto == PW_P_NONE || l->proto >= PW_P__COUNT || l->off > pkt.caplen)
            abort();
    }
    pw_field_foreach(run_field, NULL);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    /* pending datagrams within the total; the last reassembly and the two
     * frame copies are bounded by their own limits */
    size_t tables = (size_t)PW_IPREASM_MAX_PENDING * 256u + 8192u * 4u;
    if (st.memory > total + tables + max_bytes + 2u * (size_t)PW_IPREASM_VFRAME + 8192u)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1u << 20)
        return 0;
    struct pw_ipreasm_opts small = {
        .max_pending = 4, .max_frags = 8, .max_bytes = 4096, .total = 96u * 1024u, .timeout = 0};
    bool lim = data[0] & 1;
    struct pw_ipreasm *r = pw_ipreasm_new(lim ? &small : NULL);
    if (!r)
        return 0;
    size_t total = lim ? small.total : PW_IPREASM_TOTAL;
    uint32_t max_bytes = lim ? small.max_bytes : PW_IPREASM_MAX_BYTES;
    size_t i = 1;
    uint64_t no = 1;
    while (size - i >= 4) {
        const uint8_t *h = data + i;
        i += 4;
        size_t n = (size_t)h[3] * 8u;
        if (n > size - i || size - i - n < 4)
            n = size - i;
        if (n > 2048)
            n = 2048;
        uint32_t len = build(h, data + i, (uint32_t)n);
        i += n;
        struct pw_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.data = frame;
        rec.caplen = rec.len = len;
        rec.linktype = 1;
        rec.ts.sec = (int64_t)no;
        pw_dissect_packet_ipr(&rec, no++, &pkt, r);
        check(r, total, max_bytes);
    }
    pw_ipreasm_free(r);
    return 0;
}
