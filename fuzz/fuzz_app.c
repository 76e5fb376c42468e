/* libFuzzer target for the application stage (src/dissect/app.c) and every
 * application dissector, by port and by heuristic.
 *
 * Input: selector(1) segments(1) payload. The selector's low bit picks UDP
 * or TCP, the rest a port from the table below (ports bound to each
 * application protocol, plus an unbound one so the heuristics run); the
 * segments byte's bit 3 turns the media labels off (pw_app_want_labels). The
 * payload is wrapped in Ethernet/IPv4/TCP-or-UDP frames: for TCP it is cut
 * into 1-4 consecutive segments of one connection (after a SYN, with the
 * direction flipping on odd selectors), so reassembly, binding and
 * retransmission handling run too; every frame is also offered a second
 * time, as a retransmission. Each frame goes through pw_dissect_packet()
 * then pw_dissect_app(), and the packet record is checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/app.h"
#include "dissect/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t ports[] = {53,   80,   443,  22,   139,  445,  3389, 6881, 23,   25,
                                 1723, 5900, 5353, 5355, 137,  138,  67,   546,  123,  161,
                                 514,  1900, 3478, 5060, 69,   3544, 427,  520,  1812, 51820,
                                 102,  9999};

static uint8_t frame[70000];
static struct pw_packet pkt;

static void check_packet(void)
{
    if (pkt.nlayers > PW_MAX_LAYERS)
        abort();
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        const struct pw_layer *l = &pkt.layer[i];
        if (l->proto >= PW_P__COUNT)
            abort();
        if ((l->flags & PW_LF_REPEAT) && l->u.app.count < 2)
            abort();
    }
}

static uint32_t build(int tcp, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
                      const uint8_t *p, uint32_t n)
{
    uint32_t o = 0;
    memset(frame, 0x11, 12);
    frame[12] = 0x08;
    frame[13] = 0x00;
    o = 14;
    uint32_t l4 = tcp ? 20 : 8;
    uint32_t tot = 20 + l4 + n;
    uint8_t *ip = frame + o;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64;
    ip[9] = tcp ? 6 : 17;
    memcpy(ip + 12, sport < dport ? "\x0a\x00\x00\x01\x0a\x00\x00\x02" : "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
    o += 20;
    uint8_t *t = frame + o;
    memset(t, 0, l4);
    t[0] = (uint8_t)(sport >> 8);
    t[1] = (uint8_t)sport;
    t[2] = (uint8_t)(dport >> 8);
    t[3] = (uint8_t)dport;
    if (tcp) {
        t[4] = (uint8_t)(seq >> 24);
        t[5] = (uint8_t)(seq >> 16);
        t[6] = (uint8_t)(seq >> 8);
        t[7] = (uint8_t)seq;
        t[12] = 0x50;
        t[13] = flags;
    } else {
        t[4] = (uint8_t)((8 + n) >> 8);
        t[5] = (uint8_t)(8 + n);
    }
    o += l4;
    if (n)
        memcpy(frame + o, p, n);
    return o + n;
}

static void run(struct pw_app *app, uint32_t len, uint64_t no)
{
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = frame;
    rec.caplen = rec.len = len;
    rec.linktype = 1;
    pw_dissect_packet(&rec, no, &pkt);
    pw_dissect_app(&pkt, app);
    check_packet();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size - 2 > 65000)
        return 0;
    struct pw_app *app = pw_app_new();
    if (!app)
        return 0;
    /* labels (the media-label builders read the bodies) unless bit 3 of
     * the second byte says otherwise: seeds made before the switch keep
     * exercising them */
    pw_app_want_labels(app, !((data[1] >> 3) & 1));
    int tcp = data[0] & 1;
    uint16_t port = ports[(data[0] >> 1) % (sizeof(ports) / sizeof(ports[0]))];
    unsigned segs = 1u + (data[1] & 3);
    int flip = (data[1] >> 2) & 1;
    const uint8_t *p = data + 2;
    uint32_t n = (uint32_t)(size - 2);
    uint16_t sport = flip ? port : 40000, dport = flip ? 40000 : port;
    uint64_t no = 1;
    if (!tcp) {
        run(app, build(0, sport, dport, 0, 0, p, n), no++);
        run(app, build(0, dport, sport, 0, 0, p, n), no++);
        pw_app_free(app);
        return 0;
    }
    uint32_t seq = 1000;
    run(app, build(1, sport, dport, seq, 0x02, NULL, 0), no++);
    seq++;
    uint32_t off = 0;
    for (unsigned s = 0; s < segs; s++) {
        uint32_t k = s + 1 == segs ? n - off : (n - off) / (segs - s);
        uint32_t len = build(1, sport, dport, seq, 0x18, p + off, k);
        run(app, len, no++);
        run(app, len, no++); /* the same segment again: a retransmission */
        seq += k;
        off += k;
    }
    run(app, build(1, sport, dport, seq, 0x11, NULL, 0), no++);
    pw_app_free(app);
    return 0;
}
