/* libFuzzer target for the dissectors.
 *
 * Input: a 4-byte little-endian word, then the frame. The word's low byte
 * picks the link type from the table below (the link types registry.c
 * binds, plus one unbound; new ones are appended so that the seeds keep
 * their meaning); its second byte is added to the captured length
 * to make the reported length, so that truncation by a snap length (cursor
 * "short" versus "malformed") is exercised too.
 *
 * Each input is dissected, the packet record is checked for consistency,
 * and every registered field getter runs on every layer of its protocol. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t linktypes[] = {1,   0,   108, 9,   50,  101, 228, 229, 113, 276, 100,
                                     147, 104, 239, 129, 242, 226, 258, 192, 10,  105, 127};

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
        for (int k = 0; k < n && k < 8; k++) {
            /* byte values must point into the captured frame */
            if (v[k].type == PW_FT_BYTES &&
                (v[k].v.bytes.p < pkt.data ||
                 v[k].v.bytes.p + v[k].v.bytes.len > pkt.data + pkt.caplen))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size - 4 > PW_MAX_CAPLEN)
        return 0;
    uint32_t w = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                 (uint32_t)data[3] << 24;
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = data + 4;
    rec.caplen = (uint32_t)(size - 4);
    rec.len = rec.caplen + ((w >> 8) & 0xff);
    rec.linktype = linktypes[(w & 0xff) % (sizeof(linktypes) / sizeof(linktypes[0]))];
    pw_dissect_packet(&rec, 1, &pkt);

    if (pkt.nlayers > PW_MAX_LAYERS || pkt.nanom > PW_MAX_PKT_ANOMALIES)
        abort();
    if (pkt.l3 >= (int)pkt.nlayers || pkt.l4 >= (int)pkt.nlayers)
        abort();
    if (pkt.l3 >= 0 && pkt.layer[pkt.l3].proto != PW_P_IP && pkt.layer[pkt.l3].proto != PW_P_IPV6)
        abort();
    if (pkt.l4 >= 0 &&
        (pkt.l4 <= pkt.l3 ||
         (pkt.layer[pkt.l4].proto != PW_P_TCP && pkt.layer[pkt.l4].proto != PW_P_UDP &&
          pkt.layer[pkt.l4].proto != PW_P_SCTP)))
        abort();
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        const struct pw_layer *l = &pkt.layer[i];
        if (l->proto == PW_P_NONE || l->proto >= PW_P__COUNT || l->off > pkt.caplen)
            abort();
    }
    pw_field_foreach(run_field, NULL);
    return 0;
}
