/* libFuzzer target for compile-then-run: a display filter over a packet.
 *
 * Input: expression, a NUL byte, then a 4-byte word and the frame as in
 * fuzz_dissect (low byte: link type; second byte: extra reported length).
 * The expression is compiled; if that works the frame is dissected and the
 * filter run on it, and every field the filter reads is printed the way
 * `-T fields` prints it. Nothing may crash, read outside the frame or
 * allocate without bound. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "filter/filter.h"
#include "output/fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t linktypes[] = {1, 0, 108, 9, 50, 101, 228, 229, 113, 276, 147};

static struct pw_packet pkt;

struct names {
    const char *v[16];
    unsigned n;
};

static void add(void *arg, const char *abbrev)
{
    struct names *nm = arg;
    if (nm->n < 16)
        nm->v[nm->n++] = abbrev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return 0;
    size_t elen = (size_t)(nul - data);
    const uint8_t *p = nul + 1;
    size_t left = size - elen - 1;
    if (left < 4)
        return 0;
    struct pw_filter *f = NULL;
    struct pw_error err;
    if (pw_filter_compile((const char *)data, &f, &err) < 0)
        return 0;
    uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = p + 4;
    rec.caplen = (uint32_t)(left - 4);
    rec.len = rec.caplen + ((w >> 8) & 0xff);
    rec.linktype = linktypes[(w & 0xff) % (sizeof(linktypes) / sizeof(linktypes[0]))];
    rec.ts.sec = 1000 + (w & 0xf);
    pw_dissect_packet(&rec, 3, &pkt);
    pkt.ts_first.sec = 1000;
    pkt.ts_first.nsec = 0;
    pkt.ts_prev = pkt.ts_first;
    (void)pw_filter_match(f, &pkt);
    (void)pw_filter_match(f, &pkt); /* registers are reused: a second run is the same */

    struct names nm = {{0}, 0};
    pw_filter_foreach_field(f, add, &nm);
    struct pw_fields *fs = NULL;
    FILE *out = fopen("/dev/null", "w");
    if (out && nm.n && pw_fields_new(&fs, nm.v, nm.n, NULL, &err) == 0) {
        pw_fields_row(fs, &pkt, out);
        pw_fields_free(fs);
    }
    if (out)
        fclose(out);
    pw_filter_free(f);
    return 0;
}
