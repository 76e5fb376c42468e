/* Unit tests for the pcap / pcapng readers (src/capture/reader.c, pcap.c,
 * pcapng.c). Inputs are assembled byte by byte below, in both byte orders,
 * so that every case states exactly what the reader is given. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/reader.h"
#include "capture/reader_int.h" /* the stream window bound and pwi_ticks_to_ts() */
#include "test.h"
#include "util/limits.h"

/* ---- byte builder: fixed capacity, either byte order ---------------------------- */
struct bb {
    uint8_t *b;
    size_t n, cap;
    bool big;
};

static inline void bb_init(struct bb *x, size_t cap, bool big)
{
    x->b = calloc(1, cap);
    x->n = 0;
    x->cap = cap;
    x->big = big;
    if (!x->b)
        abort();
}

static inline void bb_free(struct bb *x)
{
    free(x->b);
    x->b = NULL;
}

static inline void bb_bytes(struct bb *x, const void *p, size_t n)
{
    if (n > x->cap - x->n) {
        fprintf(stderr, "bytebuild: capacity %zu exceeded\n", x->cap);
        abort();
    }
    if (n)
        memcpy(x->b + x->n, p, n);
    x->n += n;
}

static inline void bb_u8(struct bb *x, uint8_t v)
{
    bb_bytes(x, &v, 1);
}

static inline void bb_u16(struct bb *x, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (x->big) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
    bb_bytes(x, p, 2);
}

static inline void bb_u32(struct bb *x, uint32_t v)
{
    uint8_t p[4];
    for (int i = 0; i < 4; i++)
        p[x->big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    bb_bytes(x, p, 4);
}

static inline void bb_u64(struct bb *x, uint64_t v)
{
    if (x->big) {
        bb_u32(x, (uint32_t)(v >> 32));
        bb_u32(x, (uint32_t)v);
    } else {
        bb_u32(x, (uint32_t)v);
        bb_u32(x, (uint32_t)(v >> 32));
    }
}

static inline void bb_fill(struct bb *x, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bb_u8(x, v);
}

static inline void bb_pad4(struct bb *x)
{
    while (x->n % 4)
        bb_u8(x, 0);
}

static inline void bb_put32_at(struct bb *x, size_t at, uint32_t v)
{
    size_t save = x->n;
    x->n = at;
    bb_u32(x, v);
    x->n = save;
}

/* ---- pcap ---- */

static inline void pcap_hdr(struct bb *x, uint32_t magic, uint16_t major, uint16_t minor,
                            uint32_t snaplen, uint32_t linktype)
{
    bb_u32(x, magic);
    bb_u16(x, major);
    bb_u16(x, minor);
    bb_u32(x, 0);
    bb_u32(x, 0);
    bb_u32(x, snaplen);
    bb_u32(x, linktype);
}

static inline void pcap_rec(struct bb *x, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig,
                            uint8_t fill)
{
    bb_u32(x, sec);
    bb_u32(x, frac);
    bb_u32(x, incl);
    bb_u32(x, orig);
    bb_fill(x, fill, incl);
}

/* ---- pcapng ---- */

/* Starts a block; returns its offset for blk_end(). */
static inline size_t blk_begin(struct bb *x, uint32_t type)
{
    size_t at = x->n;
    bb_u32(x, type);
    bb_u32(x, 0); /* patched by blk_end */
    return at;
}

/* Pads the body, writes the trailing length and patches the leading one. */
static inline uint32_t blk_end(struct bb *x, size_t at)
{
    bb_pad4(x);
    uint32_t len = (uint32_t)(x->n - at + 4);
    bb_u32(x, len);
    bb_put32_at(x, at + 4, len);
    return len;
}

static inline void ng_opt(struct bb *x, uint16_t code, const void *val, uint16_t len)
{
    bb_u16(x, code);
    bb_u16(x, len);
    bb_bytes(x, val, len);
    bb_pad4(x);
}

static inline void ng_opt_str(struct bb *x, uint16_t code, const char *s)
{
    ng_opt(x, code, s, (uint16_t)strlen(s));
}

static inline void ng_endopt(struct bb *x)
{
    bb_u32(x, 0);
}

static inline size_t ng_shb_begin(struct bb *x)
{
    size_t at = blk_begin(x, 0x0a0d0d0au);
    bb_u32(x, 0x1a2b3c4du);
    bb_u16(x, 1);
    bb_u16(x, 0);
    bb_u64(x, UINT64_MAX);
    return at;
}

static inline void ng_shb(struct bb *x)
{
    blk_end(x, ng_shb_begin(x));
}

static inline size_t ng_idb_begin(struct bb *x, uint16_t linktype, uint32_t snaplen)
{
    size_t at = blk_begin(x, 1);
    bb_u16(x, linktype);
    bb_u16(x, 0);
    bb_u32(x, snaplen);
    return at;
}

static inline void ng_idb(struct bb *x, uint16_t linktype, uint32_t snaplen)
{
    blk_end(x, ng_idb_begin(x, linktype, snaplen));
}

static inline void ng_idb_tsresol(struct bb *x, uint16_t linktype, uint8_t tsresol)
{
    size_t at = ng_idb_begin(x, linktype, 0);
    ng_opt(x, 9, &tsresol, 1);
    ng_endopt(x);
    blk_end(x, at);
}

/* EPB without options; data is `caplen` bytes of `fill`. */
static inline size_t ng_epb_begin(struct bb *x, uint32_t ifid, uint64_t ticks, uint32_t caplen,
                                  uint32_t len, uint8_t fill)
{
    size_t at = blk_begin(x, 6);
    bb_u32(x, ifid);
    bb_u32(x, (uint32_t)(ticks >> 32));
    bb_u32(x, (uint32_t)ticks);
    bb_u32(x, caplen);
    bb_u32(x, len);
    bb_fill(x, fill, caplen);
    bb_pad4(x);
    return at;
}

static inline void ng_epb(struct bb *x, uint32_t ifid, uint64_t ticks, uint32_t caplen,
                          uint8_t fill)
{
    blk_end(x, ng_epb_begin(x, ifid, ticks, caplen, caplen, fill));
}

/* ---- helpers ---------------------------------------------------------------- */

static struct pw_reader *open_bb(const struct bb *x, struct pw_error *err)
{
    struct pw_reader *r = NULL;
    int rc = pw_reader_open_mem(&r, x->b, x->n, err);
    if (rc != 0) {
        fprintf(stderr, "open failed: %d %s\n", rc, err->msg);
        return NULL;
    }
    return r;
}

/* Reads every record; returns the final status (0 or an error) and the count. */
static int drain(struct pw_reader *r, uint64_t *count, struct pw_error *err)
{
    struct pw_record rec;
    int rc;
    *count = 0;
    while ((rc = pw_reader_next(r, &rec, err)) == 1)
        (*count)++;
    return rc;
}

static bool all_bytes(const uint8_t *p, uint32_t n, uint8_t v)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* ---- pcap --------------------------------------------------------------------- */

/* Both byte orders x both precisions: header fields, records, timestamps. */
static void test_pcap_orders_and_precisions(void)
{
    for (int big = 0; big <= 1; big++) {
        for (int nsec = 0; nsec <= 1; nsec++) {
            struct bb x;
            struct pw_error err = {0};
            bb_init(&x, 4096, big);
            pcap_hdr(&x, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 1514, 1);
            pcap_rec(&x, 1700000000u, 123456u, 60, 60, 0xaa);
            pcap_rec(&x, 1700000001u, 999999u, 20, 1500, 0xbb);
            struct pw_reader *r = open_bb(&x, &err);
            CHECK(r != NULL);
            if (!r) {
                bb_free(&x);
                continue;
            }
            const struct pw_capinfo *ci = pw_reader_capinfo(r);
            CHECK_EQ_INT(ci->format, nsec ? PW_FMT_PCAP_NSEC : PW_FMT_PCAP);
            CHECK_EQ_INT(ci->big_endian, big);
            CHECK_EQ_INT(ci->ver_major, 2);
            CHECK_EQ_INT(ci->ver_minor, 4);
            CHECK_EQ_INT(ci->snaplen, 1514);
            CHECK_EQ_INT(ci->linktype, 1);
            CHECK_EQ_INT(ci->niface, 1);
            const struct pw_iface *ifc = pw_reader_iface(r, 0);
            CHECK(ifc != NULL);
            CHECK_EQ_INT(ifc->linktype, 1);
            CHECK_EQ_INT(ifc->snaplen, 1514);
            CHECK_EQ_INT(ifc->ticks_per_sec, nsec ? 1000000000 : 1000000);
            CHECK(pw_reader_iface(r, 1) == NULL);
            CHECK_EQ_INT(pw_reader_offset(r), 24);
            CHECK_EQ_INT(pw_reader_size(r), (int64_t)x.n);

            struct pw_record rec;
            CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
            CHECK_EQ_INT(rec.ts.sec, 1700000000);
            CHECK_EQ_INT(rec.ts.nsec, nsec ? 123456 : 123456000);
            CHECK_EQ_INT(rec.caplen, 60);
            CHECK_EQ_INT(rec.len, 60);
            CHECK_EQ_INT(rec.linktype, 1);
            CHECK_EQ_INT(rec.ifindex, 0);
            CHECK_EQ_INT(rec.offset, 24);
            CHECK(rec.comment == NULL);
            CHECK(rec.data == x.b + 24 + 16);
            CHECK(all_bytes(rec.data, rec.caplen, 0xaa));

            CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
            CHECK_EQ_INT(rec.ts.sec, 1700000001);
            CHECK_EQ_INT(rec.ts.nsec, nsec ? 999999 : 999999000);
            CHECK_EQ_INT(rec.caplen, 20);
            CHECK_EQ_INT(rec.len, 1500);
            CHECK_EQ_INT(rec.offset, 24 + 16 + 60);
            CHECK(all_bytes(rec.data, rec.caplen, 0xbb));

            CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
            CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
            CHECK_EQ_INT(pw_reader_offset(r), x.n);
            CHECK_EQ_INT(pw_reader_iface(r, 0)->packets, 2);
            pw_reader_free(r);
            bb_free(&x);
        }
    }
}

/* The top bits of the link-type word carry FCS information and are not part
 * of the link type; the 10 reserved bits must be zero (as tshark checks). */
static void test_pcap_linktype_word(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_reader *r;
    struct pw_record rec;

    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 64, 0x30000001u); /* FCS len 3, Ethernet */
    pcap_rec(&x, 1, 0, 4, 4, 1);
    r = open_bb(&x, &err);
    CHECK(r && pw_reader_capinfo(r)->linktype == 1);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1 && rec.linktype == 1);
    pw_reader_free(r);
    bb_free(&x);

    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 64, 0x04000000u); /* P bit, NULL/Loopback */
    r = open_bb(&x, &err);
    CHECK(r && pw_reader_capinfo(r)->linktype == 0);
    pw_reader_free(r);
    bb_free(&x);

    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 64, 0x00010001u);
    r = (struct pw_reader *)1;
    CHECK_EQ_INT(pw_reader_open_mem(&r, x.b, x.n, &err), PW_ERR_FORMAT);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "reserved") != NULL);
    CHECK_EQ_INT(err.offset, 20);
    bb_free(&x);

    /* An unknown link type is just delivered. */
    bb_init(&x, 256, true);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 64, 9999);
    pcap_rec(&x, 1, 0, 4, 4, 1);
    r = open_bb(&x, &err);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1 && rec.linktype == 9999);
    pw_reader_free(r);
    bb_free(&x);
}

/* tshark accepts caplen above the header's snaplen, and len below caplen. */
static void test_pcap_caplen_above_snaplen(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 4, 1);
    pcap_rec(&x, 0, 0, 8, 8, 7);
    pcap_rec(&x, 0, 0, 8, 4, 8);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r != NULL);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
    CHECK_EQ_INT(rec.caplen, 8);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
    CHECK_EQ_INT(rec.caplen, 8);
    CHECK_EQ_INT(rec.len, 4);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
    pw_reader_free(r);
    bb_free(&x);
}

/* caplen > PW_MAX_CAPLEN is a lying length (format error at the record),
 * even when the buffer is short: nothing is allocated or read for it. */
static void test_pcap_caplen_over_max(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 65535, 1);
    pcap_rec(&x, 0, 0, 4, 4, 1);
    pcap_rec(&x, 0, 0, 0, 0, 0);
    bb_put32_at(&x, 24 + 20 + 8, PW_MAX_CAPLEN + 1);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r != NULL);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_FORMAT);
    CHECK_EQ_INT(err.offset, 44);
    CHECK(strstr(err.msg, "maximum") != NULL);
    /* sticky */
    memset(&err, 0, sizeof(err));
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_FORMAT);
    CHECK_EQ_INT(err.offset, 44);
    pw_reader_free(r);
    bb_free(&x);

    /* exactly PW_MAX_CAPLEN is not a lie: the file is merely cut short */
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 65535, 1);
    pcap_rec(&x, 0, 0, 0, 0, 0);
    bb_put32_at(&x, 24 + 8, PW_MAX_CAPLEN);
    r = open_bb(&x, &err);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_CUT_SHORT);
    pw_reader_free(r);
    bb_free(&x);
}

/* Complete records first, then PW_ERR_CUT_SHORT at the incomplete one: a
 * partial record header, and a caplen running past the end. */
static void test_pcap_cut_short(void)
{
    for (int variant = 0; variant < 2; variant++) {
        struct bb x;
        struct pw_error err = {0};
        uint64_t n;
        bb_init(&x, 256, false);
        pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 65535, 1);
        pcap_rec(&x, 0, 0, 10, 10, 1);
        pcap_rec(&x, 0, 0, 10, 10, 2);
        size_t cut_at = x.n;
        pcap_rec(&x, 0, 0, 30, 30, 3);
        x.n = variant == 0 ? cut_at + 7 : cut_at + 16 + 29;
        struct pw_reader *r = open_bb(&x, &err);
        CHECK_EQ_INT(drain(r, &n, &err), PW_ERR_CUT_SHORT);
        CHECK_EQ_INT(n, 2);
        CHECK_EQ_INT(err.code, PW_ERR_CUT_SHORT);
        CHECK_EQ_INT(err.offset, cut_at);
        CHECK(strstr(err.msg, "appears to have been cut short in the middle of a packet"));
        CHECK_EQ_INT(pw_reader_offset(r), cut_at);
        pw_reader_free(r);
        bb_free(&x);
    }
}

/* Fractions out of range are kept: usec 1e6 -> nsec 1e9, as tshark shows
 * them (tcpdump/timestamp_invalid_micro.pcap); a product beyond 32 bits
 * wraps as in tshark. Seconds are unsigned (past 2038). */
static void test_pcap_invalid_fraction(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 65535, 113);
    pcap_rec(&x, 1418145370u, 1000000u, 1, 1, 0);
    pcap_rec(&x, 1418145370u, 2147483648u, 1, 1, 0);
    pcap_rec(&x, 0xffffffffu, 5, 1, 1, 0);
    /* fuzz_pcap finding (crash-4fc0b43b...): usec 0x54000000 wraps to
     * 536870912 ns, which is not a whole number of microseconds */
    pcap_rec(&x, 954146894u, 0x54000000u, 0, 0, 0);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 1418145370 &&
          rec.ts.nsec == 1000000000u);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 1418145370 && rec.ts.nsec == 0);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 4294967295LL && rec.ts.nsec == 5000);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 954146894 &&
          rec.ts.nsec == 536870912u && rec.caplen == 0);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
    pw_reader_free(r);
    bb_free(&x);

    bb_init(&x, 256, true);
    pcap_hdr(&x, 0xa1b23c4du, 2, 4, 65535, 113);
    pcap_rec(&x, 1418145370u, 2147483648u, 1, 1, 0);
    r = open_bb(&x, &err);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.nsec == 2147483648u);
    pw_reader_free(r);
    bb_free(&x);
}

/* Version 2.0-2.2 files have incl_len/orig_len swapped; 2.3 when incl >
 * orig; major < 2 is refused (tshark does the same). */
static void test_pcap_versions(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    static const struct {
        uint16_t minor;
        uint32_t f1, f2, caplen, len;
    } v[] = {
        {1, 20, 8, 8, 20},
        {3, 20, 8, 8, 20},
        {3, 8, 20, 8, 20},
        {4, 8, 20, 8, 20},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        bb_init(&x, 256, false);
        pcap_hdr(&x, 0xa1b2c3d4u, 2, v[i].minor, 65535, 1);
        bb_u32(&x, 0);
        bb_u32(&x, 0);
        bb_u32(&x, v[i].f1);
        bb_u32(&x, v[i].f2);
        bb_fill(&x, 9, 8);
        struct pw_reader *r = open_bb(&x, &err);
        CHECK(r && pw_reader_next(r, &rec, &err) == 1);
        CHECK_EQ_INT(rec.caplen, v[i].caplen);
        CHECK_EQ_INT(rec.len, v[i].len);
        pw_reader_free(r);
        bb_free(&x);
    }
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 1, 4, 65535, 1);
    struct pw_reader *r = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&r, x.b, x.n, &err), PW_ERR_UNSUPPORTED);
    CHECK(strstr(err.msg, "major version 1"));
    bb_free(&x);
}

/* Kuznetzov's modified pcap: 24-byte record headers. */
static void test_pcap_modified_magic(void)
{
    for (int big = 0; big <= 1; big++) {
        struct bb x;
        struct pw_error err = {0};
        struct pw_record rec;
        bb_init(&x, 256, big);
        pcap_hdr(&x, 0xa1b2cd34u, 2, 4, 65535, 1);
        for (int i = 0; i < 2; i++) {
            bb_u32(&x, 100u + (uint32_t)i);
            bb_u32(&x, 7);
            bb_u32(&x, 5);
            bb_u32(&x, 5);
            bb_u32(&x, 3); /* ifindex */
            bb_u16(&x, 0x0800);
            bb_u8(&x, 0);
            bb_u8(&x, 0);
            bb_fill(&x, (uint8_t)(0x40 + i), 5);
        }
        struct pw_reader *r = open_bb(&x, &err);
        CHECK(r && pw_reader_capinfo(r)->format == PW_FMT_PCAP);
        CHECK(r && pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 100 && rec.caplen == 5 &&
              all_bytes(rec.data, 5, 0x40));
        CHECK(r && pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 101 &&
              all_bytes(rec.data, 5, 0x41) && rec.offset == 24 + 29);
        CHECK(r && pw_reader_next(r, &rec, &err) == 0);
        pw_reader_free(r);
        bb_free(&x);
    }
}

/* Detection is by magic: a zero-byte file, a short file, an unknown magic
 * are format errors; a pcap header cut short is reported as such. */
static void test_detect_errors(void)
{
    struct pw_error err = {0};
    struct pw_reader *r = (struct pw_reader *)1;
    static const uint8_t empty[1] = {0};
    CHECK_EQ_INT(pw_reader_open_mem(&r, empty, 0, &err), PW_ERR_FORMAT);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "not a pcap or pcapng file"));
    CHECK_EQ_INT(pw_reader_open_mem(&r, NULL, 0, &err), PW_ERR_FORMAT);

    static const uint8_t three[3] = {0xd4, 0xc3, 0xb2};
    CHECK_EQ_INT(pw_reader_open_mem(&r, three, 3, &err), PW_ERR_FORMAT);
    CHECK(strstr(err.msg, "pcap or pcapng"));

    static const uint8_t text[] = "GET / HTTP/1.1\r\n";
    CHECK_EQ_INT(pw_reader_open_mem(&r, text, sizeof(text) - 1, &err), PW_ERR_FORMAT);
    CHECK(strstr(err.msg, "not a pcap or pcapng file"));
    CHECK(strstr(err.msg, "0x20544547"));

    static const uint8_t hdr10[10] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0};
    CHECK_EQ_INT(pw_reader_open_mem(&r, hdr10, sizeof(hdr10), &err), PW_ERR_CUT_SHORT);
    CHECK(strstr(err.msg, "cut short"));

    /* pcapng magic but no byte-order magic */
    static const uint8_t ng[16] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4};
    CHECK_EQ_INT(pw_reader_open_mem(&r, ng, sizeof(ng), &err), PW_ERR_FORMAT);
    CHECK(strstr(err.msg, "byte-order magic"));
    CHECK_EQ_INT(pw_reader_open_mem(&r, ng, 8, &err), PW_ERR_CUT_SHORT);

    CHECK_EQ_INT(pw_reader_open_mem(NULL, ng, 8, &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_reader_open_file(&r, "/nonexistent/x.pcap", &err), PW_ERR_IO);
    CHECK_EQ_INT(pw_reader_open_file(&r, "/", &err), PW_ERR_IO);
    pw_reader_free(NULL);
}

/* ---- pcapng -------------------------------------------------------------------- */

/* SHB and IDB options, EPB fields, in both byte orders. */
static void test_pcapng_basic_both_orders(void)
{
    for (int big = 0; big <= 1; big++) {
        struct bb x;
        struct pw_error err = {0};
        struct pw_record rec;
        bb_init(&x, 4096, big);
        size_t at = ng_shb_begin(&x);
        ng_opt_str(&x, 1, "a section comment");
        ng_opt_str(&x, 2, "x86_64 box");
        ng_opt_str(&x, 3, "Linux 6.1");
        ng_opt_str(&x, 4, "dumpcap (Wireshark) 4.0.17");
        ng_endopt(&x);
        blk_end(&x, at);
        at = ng_idb_begin(&x, 113, 262144);
        ng_opt_str(&x, 2, "eth0");
        ng_opt_str(&x, 3, "first wired port");
        uint8_t res = 9;
        ng_opt(&x, 9, &res, 1);
        ng_opt_str(&x, 12, "Linux 6.1.0");
        ng_endopt(&x);
        blk_end(&x, at);
        size_t epb_at = x.n;
        ng_epb(&x, 0, 1700000000123456789ull, 42, 0x5a);

        struct pw_reader *r = open_bb(&x, &err);
        CHECK(r != NULL);
        if (!r) {
            bb_free(&x);
            continue;
        }
        const struct pw_capinfo *ci = pw_reader_capinfo(r);
        CHECK_EQ_INT(ci->format, PW_FMT_PCAPNG);
        CHECK_EQ_INT(ci->big_endian, big);
        CHECK_EQ_INT(ci->ver_major, 1);
        CHECK_EQ_INT(ci->ver_minor, 0);
        CHECK_EQ_INT(ci->snaplen, 0);
        CHECK_EQ_INT(ci->nsections, 1);
        CHECK_EQ_STR(ci->shb_hardware, "x86_64 box");
        CHECK_EQ_STR(ci->shb_os, "Linux 6.1");
        CHECK_EQ_STR(ci->shb_app, "dumpcap (Wireshark) 4.0.17");
        CHECK_EQ_INT(ci->niface, 0); /* the IDB has not been read yet */

        CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
        CHECK_EQ_INT(ci->niface, 1);
        CHECK_EQ_INT(ci->linktype, 113);
        const struct pw_iface *ifc = pw_reader_iface(r, 0);
        CHECK_EQ_INT(ifc->linktype, 113);
        CHECK_EQ_INT(ifc->snaplen, 262144);
        CHECK_EQ_INT(ifc->section, 0);
        CHECK_EQ_INT(ifc->tsresol, 9);
        CHECK(ifc->tsresol_set);
        CHECK_EQ_INT(ifc->ticks_per_sec, 1000000000);
        CHECK_EQ_STR(ifc->name, "eth0");
        CHECK_EQ_STR(ifc->descr, "first wired port");
        CHECK_EQ_STR(ifc->os, "Linux 6.1.0");
        CHECK_EQ_INT(rec.ts.sec, 1700000000);
        CHECK_EQ_INT(rec.ts.nsec, 123456789);
        CHECK_EQ_INT(rec.caplen, 42);
        CHECK_EQ_INT(rec.len, 42);
        CHECK_EQ_INT(rec.linktype, 113);
        CHECK_EQ_INT(rec.ifindex, 0);
        CHECK_EQ_INT(rec.offset, epb_at);
        CHECK(rec.data == x.b + epb_at + 28);
        CHECK(all_bytes(rec.data, 42, 0x5a));
        CHECK_EQ_INT(rec.ncomments, 0);
        CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
        CHECK_EQ_INT(ifc->packets, 1);
        CHECK_EQ_INT(ci->skipped_blocks, 0);
        pw_reader_free(r);
        bb_free(&x);
    }
}

/* Several sections, of different byte orders: interface numbers restart
 * per section but ifindex is global; SHB options of the first section
 * only. */
static void test_pcapng_sections(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 4096, false);
    size_t at = ng_shb_begin(&x);
    ng_opt_str(&x, 3, "first os");
    ng_endopt(&x);
    blk_end(&x, at);
    ng_idb(&x, 1, 65535);
    ng_idb(&x, 113, 100);
    ng_epb(&x, 1, 5000000, 20, 1); /* section 0, interface 1 -> global 1 */
    ng_epb(&x, 0, 6000000, 20, 2);
    x.big = true;
    at = ng_shb_begin(&x);
    ng_opt_str(&x, 3, "second os");
    ng_endopt(&x);
    blk_end(&x, at);
    ng_idb(&x, 101, 0);
    ng_epb(&x, 0, 7000000, 20, 3); /* section 1, interface 0 -> global 2 */
    x.big = false;
    ng_shb(&x);
    ng_idb_tsresol(&x, 228, 3);
    ng_idb(&x, 229, 0);
    ng_epb(&x, 1, 8000000, 4, 4); /* section 2, interface 1 -> global 4 */
    ng_epb(&x, 0, 9000, 4, 5);    /* milliseconds */

    struct pw_reader *r = open_bb(&x, &err);
    static const struct {
        uint32_t ifindex, linktype;
        int64_t sec;
        uint8_t fill;
    } want[] = {{1, 113, 5, 1}, {0, 1, 6, 2}, {2, 101, 7, 3}, {4, 229, 8, 4}, {3, 228, 9, 5}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
        CHECK_EQ_INT(rec.ifindex, want[i].ifindex);
        CHECK_EQ_INT(rec.linktype, want[i].linktype);
        CHECK_EQ_INT(rec.ts.sec, want[i].sec);
        CHECK_EQ_INT(rec.ts.nsec, 0);
        CHECK(all_bytes(rec.data, rec.caplen, want[i].fill));
    }
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
    const struct pw_capinfo *ci = pw_reader_capinfo(r);
    CHECK_EQ_INT(ci->nsections, 3);
    CHECK_EQ_INT(ci->niface, 5);
    CHECK_EQ_INT(ci->big_endian, 0);
    CHECK_EQ_INT(ci->linktype, 1);
    CHECK_EQ_STR(ci->shb_os, "first os");
    CHECK_EQ_INT(pw_reader_iface(r, 2)->section, 1);
    CHECK_EQ_INT(pw_reader_iface(r, 3)->section, 2);
    CHECK_EQ_INT(pw_reader_iface(r, 3)->ticks_per_sec, 1000);
    CHECK_EQ_INT(pw_reader_iface(r, 1)->packets, 1);
    pw_reader_free(r);
    bb_free(&x);
}

/* if_tsresol in every form, exactly (integer math), and if_tsoffset. */
static void test_pcapng_tsresol(void)
{
    static const struct {
        uint8_t tsresol;
        uint64_t ticks;
        uint64_t sec;
        uint32_t nsec;
        uint64_t tps;
    } v[] = {
        {6, 1700000000123456ull, 1700000000, 123456000, 1000000},
        {9, 123456789012345678ull, 123456789, 12345678, 1000000000},
        {0, 42, 42, 0, 1},
        {1, 12345, 1234, 500000000, 10},
        {10, 12345678901234567ull, 1234567, 890123456, 10000000000ull},
        {12, 1700000000123456789ull, 1700000, 123456, 1000000000000ull},
        {19, UINT64_MAX, 1, 844674407, 10000000000000000000ull},
        {20, UINT64_MAX, 0, 184467440, UINT64_MAX},
        {29, UINT64_MAX, 0, 0, UINT64_MAX},
        {127, UINT64_MAX, 0, 0, UINT64_MAX},
        {0x80, 77, 77, 0, 1},
        {0x8a, (5ull << 10) | 512, 5, 500000000, 1024}, /* 2^-10 */
        {0x94, (3ull << 20) | 1, 3, 953, 1048576},      /* 2^-20: 1e9/2^20 */
        {0x9e, 123456789012345678ull, 114978094, 596737695, 1ull << 30},
        {0xbf, (1ull << 63) | (1ull << 62), 1, 500000000, 1ull << 63},
        {0xc0, UINT64_MAX, 0, 999999999, UINT64_MAX}, /* 2^-64 */
        {0xff, UINT64_MAX, 0, 0, UINT64_MAX},         /* 2^-127 */
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint64_t sec = 99;
        uint32_t nsec = 99;
        pwi_ticks_to_ts(v[i].ticks, v[i].tsresol, &sec, &nsec);
        if (sec != v[i].sec || nsec != v[i].nsec)
            fprintf(stderr, "tsresol 0x%02x: got %llu.%09u\n", v[i].tsresol,
                    (unsigned long long)sec, nsec);
        CHECK(sec == v[i].sec);
        CHECK_EQ_INT(nsec, v[i].nsec);

        /* and through the reader, with if_tsoffset */
        struct bb x;
        struct pw_error err = {0};
        struct pw_record rec;
        bb_init(&x, 1024, i % 2);
        ng_shb(&x);
        size_t at = ng_idb_begin(&x, 1, 0);
        ng_opt(&x, 9, &v[i].tsresol, 1);
        uint8_t off[8];
        for (int k = 0; k < 8; k++) /* if_tsoffset = 1000 s, in the section's order */
            off[x.big ? 7 - k : k] = (uint8_t)((uint64_t)1000 >> (8 * k));
        ng_opt(&x, 14, off, 8);
        ng_endopt(&x);
        blk_end(&x, at);
        ng_epb(&x, 0, v[i].ticks, 4, 0);
        struct pw_reader *r = open_bb(&x, &err);
        CHECK(r && pw_reader_next(r, &rec, &err) == 1);
        CHECK(rec.ts.sec == (int64_t)(v[i].sec + 1000));
        CHECK_EQ_INT(rec.ts.nsec, v[i].nsec);
        CHECK(pw_reader_iface(r, 0)->ticks_per_sec == v[i].tps);
        CHECK_EQ_INT(pw_reader_iface(r, 0)->tsoffset, 1000);
        pw_reader_free(r);
        bb_free(&x);
    }
}

/* Unsigned 64-bit timestamps past 2106 (tcpdump/time_2106_overflow.pcapng,
 * time_2107.pcapng; tshark: 4294967296.000000000, 4323283200.000000000). */
static void test_pcapng_past_2106(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 1024, false);
    ng_shb(&x);
    ng_idb(&x, 1, 0);
    ng_epb(&x, 0, 4294967296ull * 1000000ull, 4, 0);
    ng_epb(&x, 0, 4323283200ull * 1000000ull + 1, 4, 0);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.ts.sec == 4294967296LL && rec.ts.nsec == 0);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.ts.sec == 4323283200LL && rec.ts.nsec == 1000);
    pw_reader_free(r);
    bb_free(&x);
}

/* SPB: interface 0 of the section, len from the block, caplen = min(len,
 * snaplen, room in the block); the obsolete PB with a comment. */
static void test_pcapng_spb_pb(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 1024, true);
    ng_shb(&x);
    ng_idb(&x, 1, 10);
    ng_idb(&x, 105, 0);
    size_t at = blk_begin(&x, 3);
    bb_u32(&x, 6); /* len < snaplen: caplen 6 */
    bb_fill(&x, 0x11, 8);
    blk_end(&x, at);
    at = blk_begin(&x, 3);
    bb_u32(&x, 1500); /* snaplen 10 limits */
    bb_fill(&x, 0x22, 12);
    blk_end(&x, at);
    ng_shb(&x);
    ng_idb(&x, 1, 0);
    at = blk_begin(&x, 3);
    bb_u32(&x, 1500); /* no snaplen: the block's 8 bytes limit */
    bb_fill(&x, 0x33, 8);
    blk_end(&x, at);
    size_t pb_at = blk_begin(&x, 2);
    bb_u16(&x, 0); /* interface */
    bb_u16(&x, 0); /* drops */
    bb_u32(&x, 0);
    bb_u32(&x, 3000000);
    bb_u32(&x, 8);
    bb_u32(&x, 50);
    bb_fill(&x, 0x44, 8);
    ng_opt_str(&x, 1, "pb comment");
    ng_endopt(&x);
    blk_end(&x, pb_at);

    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.caplen == 6 && rec.len == 6 && rec.ifindex == 0 && rec.ts.sec == 0);
    CHECK(all_bytes(rec.data, rec.caplen, 0x11));
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.caplen == 10 && rec.len == 1500 && all_bytes(rec.data, 10, 0x22));
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.caplen == 8 && rec.len == 1500 && rec.ifindex == 2);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.caplen == 8 && rec.len == 50 && rec.ifindex == 2 && rec.ts.sec == 3);
    CHECK(rec.offset == pb_at);
    CHECK(all_bytes(rec.data, 8, 0x44));
    CHECK(rec.ncomments == 1 && rec.comment_len == 10 &&
          memcmp(rec.comment, "pb comment", 10) == 0);
    CHECK(r && pw_reader_next(r, &rec, &err) == 0);
    pw_reader_free(r);
    bb_free(&x);

    /* an SPB before any IDB of its section */
    bb_init(&x, 1024, false);
    ng_shb(&x);
    ng_idb(&x, 1, 0);
    ng_shb(&x);
    at = blk_begin(&x, 3);
    bb_u32(&x, 4);
    bb_fill(&x, 0, 4);
    blk_end(&x, at);
    r = open_bb(&x, &err);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_FORMAT);
    CHECK_EQ_INT(err.offset, at);
    CHECK(strstr(err.msg, "before any IDB"));
    pw_reader_free(r);
    bb_free(&x);
}

/* opt_comment: the first is kept (not NUL-terminated), all are counted,
 * long ones are cut at PW_MAX_OPT_STRING; other options are passed over. */
static void test_pcapng_comments(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 8192, false);
    ng_shb(&x);
    ng_idb(&x, 1, 0);
    size_t at = ng_epb_begin(&x, 0, 1, 3, 3, 0x77);
    uint32_t flags = 1;
    ng_opt(&x, 2, &flags, 4); /* epb_flags */
    ng_opt_str(&x, 1, "first");
    ng_opt_str(&x, 1, "second");
    ng_endopt(&x);
    blk_end(&x, at);
    at = ng_epb_begin(&x, 0, 2, 1, 1, 0x78);
    char big[3000];
    memset(big, 'c', sizeof(big));
    ng_opt(&x, 1, big, sizeof(big));
    blk_end(&x, at); /* no opt_endofopt: the block end ends the options */
    ng_epb(&x, 0, 3, 0, 0);

    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK_EQ_INT(rec.ncomments, 2);
    CHECK_EQ_INT(rec.comment_len, 5);
    CHECK(rec.comment && memcmp(rec.comment, "first", 5) == 0);
    CHECK(all_bytes(rec.data, 3, 0x77));
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK_EQ_INT(rec.ncomments, 1);
    CHECK_EQ_INT(rec.comment_len, PW_MAX_OPT_STRING);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    CHECK(rec.caplen == 0 && rec.comment == NULL && rec.ncomments == 0);
    CHECK(r && pw_reader_next(r, &rec, &err) == 0);
    pw_reader_free(r);
    bb_free(&x);
}

/* NRB, ISB, DSB, custom and unknown blocks are skipped and counted. */
static void test_pcapng_skipped_blocks(void)
{
    static const uint32_t types[] = {4, 5, 0x0a, 0x00000bad, 0x40000bad, 0x12345678, 0x80000001};
    struct bb x;
    struct pw_error err = {0};
    uint64_t n;
    bb_init(&x, 4096, true);
    ng_shb(&x);
    ng_idb(&x, 1, 0);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t at = blk_begin(&x, types[i]);
        bb_fill(&x, 0xee, 4 * i); /* including an empty body */
        blk_end(&x, at);
        ng_epb(&x, 0, i, 2, 0);
    }
    struct pw_reader *r = open_bb(&x, &err);
    CHECK_EQ_INT(drain(r, &n, &err), 0);
    CHECK_EQ_INT(n, 7);
    CHECK_EQ_INT(pw_reader_capinfo(r)->skipped_blocks, 7);
    pw_reader_free(r);
    bb_free(&x);
}

/* Each kind of lying length is a format error at the block's offset, after
 * the records before it were delivered. `mutate` damages the second EPB. */
static void test_pcapng_lying_lengths(void)
{
    enum {
        LEN_LT12,
        LEN_ODD,
        LEN_HUGE,
        TRAILER,
        CAPLEN_BLOCK,
        CAPLEN_MAX,
        EPB_SHORT,
        IFID,
        OPT_PAST,
        IDB_SHORT,
        SHB_SHORT,
        NCASES
    };
    static const char *const want_msg[NCASES] = {"less than the minimum of 12",
                                                 "not a multiple of 4",
                                                 "more than the maximum",
                                                 "don't match",
                                                 "too small for 100 bytes",
                                                 "more than the maximum",
                                                 "less than the minimum EPB size",
                                                 "interface index 7",
                                                 "runs past the end",
                                                 "minimum IDB size",
                                                 "minimum SHB size"};
    for (int c = 0; c < NCASES; c++) {
        struct bb x;
        struct pw_error err = {0};
        struct pw_record rec;
        bb_init(&x, 4096, c % 2);
        ng_shb(&x);
        ng_idb(&x, 1, 0);
        ng_epb(&x, 0, 1, 8, 1);
        size_t at = x.n;
        switch (c) {
        case LEN_LT12:
            blk_begin(&x, 6);
            bb_put32_at(&x, at + 4, 8);
            break;
        case LEN_ODD:
            ng_epb(&x, 0, 2, 8, 2);
            bb_put32_at(&x, at + 4, 42);
            break;
        case LEN_HUGE:
            ng_epb(&x, 0, 2, 8, 2);
            bb_put32_at(&x, at + 4, PW_MAX_PCAPNG_BLOCK + 4);
            break;
        case TRAILER:
            ng_epb(&x, 0, 2, 8, 2);
            bb_put32_at(&x, x.n - 4, 44);
            break;
        case CAPLEN_BLOCK:
            ng_epb(&x, 0, 2, 8, 2);
            bb_put32_at(&x, at + 20, 100);
            break;
        case CAPLEN_MAX:
            ng_epb(&x, 0, 2, 8, 2);
            bb_put32_at(&x, at + 20, 0xfffffff0u);
            break;
        case EPB_SHORT: {
            size_t b = blk_begin(&x, 6);
            bb_u32(&x, 0);
            bb_u32(&x, 0);
            blk_end(&x, b);
            break;
        }
        case IFID: ng_epb(&x, 7, 2, 8, 2); break;
        case OPT_PAST: {
            size_t b = ng_epb_begin(&x, 0, 2, 4, 4, 2);
            bb_u16(&x, 1);
            bb_u16(&x, 100);
            bb_fill(&x, 'x', 4);
            blk_end(&x, b);
            break;
        }
        case IDB_SHORT: {
            size_t b = blk_begin(&x, 1);
            bb_u16(&x, 1);
            bb_u16(&x, 0);
            blk_end(&x, b);
            break;
        }
        case SHB_SHORT: {
            size_t b = blk_begin(&x, 0x0a0d0d0au);
            bb_u32(&x, 0x1a2b3c4du);
            bb_u16(&x, 1);
            bb_u16(&x, 0);
            blk_end(&x, b);
            break;
        }
        }
        ng_epb(&x, 0, 3, 8, 3); /* never reached */
        struct pw_reader *r = open_bb(&x, &err);
        CHECK(r && pw_reader_next(r, &rec, &err) == 1);
        int rc = pw_reader_next(r, &rec, &err);
        if (rc != PW_ERR_FORMAT || err.offset != at || !strstr(err.msg, want_msg[c]))
            fprintf(stderr, "case %d: rc %d offset %llu (want %zu) msg %s\n", c, rc,
                    (unsigned long long)err.offset, at, err.msg);
        CHECK_EQ_INT(rc, PW_ERR_FORMAT);
        CHECK_EQ_INT(err.offset, at);
        CHECK(strstr(err.msg, want_msg[c]) != NULL);
        CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_FORMAT); /* sticky */
        pw_reader_free(r);
        bb_free(&x);
    }
}

/* The file ends inside a block header or a block body. */
static void test_pcapng_cut_short(void)
{
    for (int cut = 0; cut < 3; cut++) {
        struct bb x;
        struct pw_error err = {0};
        uint64_t n;
        bb_init(&x, 4096, cut == 1);
        ng_shb(&x);
        ng_idb(&x, 1, 0);
        ng_epb(&x, 0, 1, 60, 1);
        ng_epb(&x, 0, 2, 60, 2);
        size_t at = x.n;
        ng_epb(&x, 0, 3, 60, 3);
        x.n = cut == 0 ? at + 5 : cut == 1 ? at + 40 : x.n - 1;
        struct pw_reader *r = open_bb(&x, &err);
        CHECK_EQ_INT(drain(r, &n, &err), PW_ERR_CUT_SHORT);
        CHECK_EQ_INT(n, 2);
        CHECK_EQ_INT(err.offset, at);
        CHECK(strstr(err.msg, "cut short in the middle of a packet"));
        pw_reader_free(r);
        bb_free(&x);
    }
}

static void test_pcapng_bad_shb(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_reader *r = NULL;
    struct pw_record rec;
    bb_init(&x, 256, false);
    size_t at = ng_shb_begin(&x);
    blk_end(&x, at);
    bb_put32_at(&x, 12, 0x00000002u); /* version 2.0 */
    CHECK_EQ_INT(pw_reader_open_mem(&r, x.b, x.n, &err), PW_ERR_UNSUPPORTED);
    CHECK(strstr(err.msg, "unknown SHB version 2.0"));
    bb_free(&x);

    /* a later SHB with a bad byte-order magic */
    bb_init(&x, 256, false);
    ng_shb(&x);
    at = ng_shb_begin(&x);
    blk_end(&x, at);
    bb_put32_at(&x, at + 8, 0x11223344u);
    r = open_bb(&x, &err);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), PW_ERR_FORMAT);
    CHECK_EQ_INT(err.offset, at);
    CHECK(strstr(err.msg, "byte-order magic"));
    pw_reader_free(r);
    bb_free(&x);
}

/* IDB strings are cut to the field without splitting a UTF-8 sequence;
 * an embedded NUL ends them. */
static void test_pcapng_idb_strings(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    char name[300];
    memset(name, 'n', sizeof(name));
    /* a 2-byte UTF-8 character straddling byte 127 */
    name[126] = (char)0xc3;
    name[127] = (char)0xa9;
    bb_init(&x, 2048, false);
    ng_shb(&x);
    size_t at = ng_idb_begin(&x, 1, 0);
    ng_opt(&x, 2, name, sizeof(name));
    ng_opt(&x, 3, "ab\0cd", 5);
    ng_opt_str(&x, 2, "second name ignored");
    ng_endopt(&x);
    blk_end(&x, at);
    ng_epb(&x, 0, 0, 1, 0);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK(r && pw_reader_next(r, &rec, &err) == 1);
    const struct pw_iface *ifc = pw_reader_iface(r, 0);
    CHECK_EQ_INT(strlen(ifc->name), 126);
    CHECK_EQ_STR(ifc->descr, "ab");
    CHECK_EQ_INT(ifc->tsresol, 6);
    CHECK(!ifc->tsresol_set);
    CHECK_EQ_INT(ifc->ticks_per_sec, 1000000);
    pw_reader_free(r);
    bb_free(&x);
}

/* More than PW_MAX_INTERFACES IDBs: PW_ERR_LIMIT, not unbounded growth. */
static void test_pcapng_interface_limit(void)
{
    struct bb x;
    struct pw_error err = {0};
    uint64_t n;
    bb_init(&x, 64 + (PW_MAX_INTERFACES + 1) * 20 + 64, false);
    ng_shb(&x);
    for (uint32_t i = 0; i <= PW_MAX_INTERFACES; i++)
        ng_idb(&x, 1, 0);
    struct pw_reader *r = open_bb(&x, &err);
    CHECK_EQ_INT(drain(r, &n, &err), PW_ERR_LIMIT);
    CHECK_EQ_INT(pw_reader_capinfo(r)->niface, PW_MAX_INTERFACES);
    pw_reader_free(r);
    bb_free(&x);
}

/* ---- streams and files ---------------------------------------------------------- */

/* Feeds buf through a pipe from a child process and reads it as a stream. */
/* when set, the writer pauses after every piece, so that the reader sees
 * one short read per piece (not only when the machine is busy) */
static int pipe_trickle;

static struct pw_reader *open_pipe(const uint8_t *buf, size_t len, pid_t *child, int *rfd, int *rc,
                                   struct pw_error *err)
{
    int fds[2];
    *rc = -1;
    if (pipe(fds) < 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        /* dribble the first bytes to exercise short reads */
        size_t off = 0;
        while (off < len) {
            size_t n = off < 100 || pipe_trickle ? 7 : len - off;
            if (n > len - off)
                n = len - off;
            ssize_t k = write(fds[1], buf + off, n);
            if (k <= 0)
                _exit(1);
            off += (size_t)k;
            if (pipe_trickle)
                usleep(2000);
        }
        _exit(0);
    }
    close(fds[1]);
    *child = pid;
    *rfd = fds[0];
    struct pw_reader *r = NULL;
    *rc = pw_reader_open_fd(&r, fds[0], err);
    return r;
}

static void finish_pipe(pid_t child, int rfd)
{
    close(rfd);
    waitpid(child, NULL, 0);
}

/* Compares the records of two readers one by one; returns the final status
 * of the second (after checking that the first ends the same way). */
static void same_records(struct pw_reader *a, struct pw_reader *b, uint64_t *count)
{
    struct pw_record ra, rb;
    struct pw_error ea = {0}, eb = {0};
    int ka, kb;
    *count = 0;
    for (;;) {
        ka = pw_reader_next(a, &ra, &ea);
        kb = pw_reader_next(b, &rb, &eb);
        CHECK_EQ_INT(ka, kb);
        if (ka != 1 || kb != 1)
            break;
        (*count)++;
        CHECK_EQ_INT(ra.caplen, rb.caplen);
        CHECK_EQ_INT(ra.len, rb.len);
        CHECK_EQ_INT(ra.ts.sec, rb.ts.sec);
        CHECK_EQ_INT(ra.ts.nsec, rb.ts.nsec);
        CHECK_EQ_INT(ra.linktype, rb.linktype);
        CHECK_EQ_INT(ra.ifindex, rb.ifindex);
        CHECK_EQ_INT(ra.offset, rb.offset);
        CHECK_EQ_INT(ra.ncomments, rb.ncomments);
        CHECK_EQ_INT(ra.comment_len, rb.comment_len);
        CHECK(ra.caplen == rb.caplen && memcmp(ra.data, rb.data, ra.caplen) == 0);
        CHECK(ra.comment_len == rb.comment_len &&
              (!ra.comment_len || memcmp(ra.comment, rb.comment, ra.comment_len) == 0));
    }
    if (ka < 0 && kb < 0) {
        CHECK_EQ_INT(ea.offset, eb.offset);
        CHECK_EQ_STR(ea.msg, eb.msg);
    }
    CHECK_EQ_INT(pw_reader_offset(a), pw_reader_offset(b));
}

/* A stream gives the same records as memory, including records larger than
 * PW_STREAM_CHUNK, and the window stays within one record plus a chunk. */
static void test_stream_matches_memory(void)
{
    const uint32_t big = PW_STREAM_CHUNK * 3 + 123;
    for (int fmt = 0; fmt < 2; fmt++) {
        struct bb x;
        struct pw_error err = {0};
        bb_init(&x, 2 * (size_t)big + 100000, fmt == 1);
        if (fmt == 0) {
            pcap_hdr(&x, 0xa1b23c4du, 2, 4, 0, 1);
            for (uint32_t i = 0; i < 1000; i++)
                pcap_rec(&x, i, i * 7, 60 + i % 64, 1500, (uint8_t)i);
            pcap_rec(&x, 5, 5, big, big, 0xcd);
            pcap_rec(&x, 6, 6, 10, 10, 0xce);
        } else {
            ng_shb(&x);
            ng_idb(&x, 1, 0);
            for (uint32_t i = 0; i < 1000; i++) {
                size_t at = ng_epb_begin(&x, 0, i * 1000u, 60 + i % 64, 1500, (uint8_t)i);
                if (i % 3 == 0)
                    ng_opt_str(&x, 1, "every third");
                blk_end(&x, at);
            }
            ng_epb(&x, 0, 5, big, 0xcd);
            ng_epb(&x, 0, 6, 10, 0xce);
        }
        for (int cut = 0; cut < 2; cut++) {
            size_t len = cut ? x.n - 3 : x.n; /* also with a cut-short ending */
            struct pw_reader *m = NULL;
            CHECK_EQ_INT(pw_reader_open_mem(&m, x.b, len, &err), 0);
            pid_t child;
            int rfd, rc;
            struct pw_reader *s = open_pipe(x.b, len, &child, &rfd, &rc, &err);
            CHECK_EQ_INT(rc, 0);
            if (m && s) {
                uint64_t n;
                same_records(m, s, &n);
                CHECK_EQ_INT(n, cut ? 1001 : 1002);
                CHECK_EQ_INT(pw_reader_size(s), -1);
                /* the window: at most the largest block plus one chunk */
                CHECK(s->buf_cap <= (size_t)big + 64 + PW_STREAM_CHUNK);
                CHECK(s->buf_cap >= big);
            }
            pw_reader_free(m);
            pw_reader_free(s);
            finish_pipe(child, rfd);
        }
        bb_free(&x);
    }
}

/* pw_reader_open_segments(): a capture split over two files, read as the
 * first file whole and the second without its header, gives the records of
 * the joined buffer, with the joined offsets; a range longer than its file
 * is an I/O error, not a splice. */
static void test_segments_join_files(void)
{
    const uint32_t big = PW_STREAM_CHUNK + 77; /* a record larger than one read */
    struct bb a, b, j;
    struct pw_error err = {0};
    bb_init(&a, (size_t)big + 200000, false);
    bb_init(&b, (size_t)big + 200000, false);
    bb_init(&j, 2 * (size_t)big + 400000, false);
    pcap_hdr(&a, 0xa1b2c3d4u, 2, 4, 0, 1);
    pcap_hdr(&b, 0xa1b2c3d4u, 2, 4, 0, 1);
    for (uint32_t i = 0; i < 700; i++)
        pcap_rec(&a, i, i, 60 + i % 100, 1500, (uint8_t)i);
    pcap_rec(&a, 800, 0, big, big, 0xab);
    pcap_rec(&b, 900, 0, big, big, 0xbc);
    for (uint32_t i = 0; i < 700; i++)
        pcap_rec(&b, 1000 + i, i, 40 + i % 90, 1500, (uint8_t)(i + 3));
    bb_bytes(&j, a.b, a.n);
    bb_bytes(&j, b.b + 24, b.n - 24);
    int fa = memfd_create("a", 0), fb = memfd_create("b", 0);
    CHECK(fa >= 0 && fb >= 0);
    CHECK(write(fa, a.b, a.n) == (ssize_t)a.n && write(fb, b.b, b.n) == (ssize_t)b.n);
    for (int cut = 0; cut < 3; cut++) {
        /* 0: whole; 1: the second range ends 3 bytes early (cut short); 2:
         * the second range claims 5 bytes more than its file holds */
        struct pw_segment seg[2] = {{fa, 0, a.n}, {fb, 24, b.n - 24}};
        size_t jlen = j.n;
        if (cut == 1) {
            seg[1].len -= 3;
            jlen -= 3;
        } else if (cut == 2) {
            seg[1].len += 5;
        }
        struct pw_reader *m = NULL, *s = NULL;
        CHECK_EQ_INT(pw_reader_open_mem(&m, j.b, jlen, &err), 0);
        CHECK_EQ_INT(pw_reader_open_segments(&s, seg, 2, &err), 0);
        if (m && s && cut < 2) {
            uint64_t n;
            CHECK_EQ_INT(pw_reader_size(s), (int64_t)jlen);
            same_records(m, s, &n);
            CHECK_EQ_INT(n, cut ? 1401 : 1402);
            CHECK(s->buf_cap <= (size_t)big + 64 + PW_STREAM_CHUNK);
        } else if (s) {
            struct pw_record rec;
            int rc;
            uint64_t n = 0;
            while ((rc = pw_reader_next(s, &rec, &err)) == 1)
                n++;
            CHECK_EQ_INT(rc, PW_ERR_IO);
            CHECK_EQ_INT(n, 1402);
        }
        pw_reader_free(m);
        pw_reader_free(s);
    }
    /* the descriptors are the caller's */
    CHECK(fcntl(fa, F_GETFD) >= 0 && fcntl(fb, F_GETFD) >= 0);
    close(fa);
    close(fb);
    bb_free(&a);
    bb_free(&b);
    bb_free(&j);
}

/* A stream that claims a huge (but allowed) caplen and then ends does not
 * get a window of that size: memory follows the bytes that arrive. */
static void test_stream_lying_caplen_small_window(void)
{
    struct bb x;
    struct pw_error err = {0};
    struct pw_record rec;
    bb_init(&x, 256, false);
    pcap_hdr(&x, 0xa1b2c3d4u, 2, 4, 0, 1);
    pcap_rec(&x, 0, 0, 0, 0, 0);
    bb_put32_at(&x, 24 + 8, PW_MAX_CAPLEN);
    bb_fill(&x, 1, 100);
    pid_t child;
    int rfd, rc;
    pipe_trickle = 1; /* many short reads: none may grow the window */
    struct pw_reader *s = open_pipe(x.b, x.n, &child, &rfd, &rc, &err);
    pipe_trickle = 0;
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ_INT(pw_reader_next(s, &rec, &err), PW_ERR_CUT_SHORT);
        CHECK_EQ_INT(err.offset, 24);
        CHECK(s->buf_cap <= 2 * PW_STREAM_CHUNK);
    }
    pw_reader_free(s);
    finish_pipe(child, rfd);
    bb_free(&x);
}

/* pw_reader_open_file(): a regular file is mapped and gives the same
 * records as the buffer; a FIFO is read as a stream. */
static void test_open_file_and_fifo(void)
{
    struct bb x;
    struct pw_error err = {0};
    bb_init(&x, 8192, false);
    ng_shb(&x);
    ng_idb(&x, 127, 0);
    for (uint32_t i = 0; i < 50; i++)
        ng_epb(&x, 0, i, 33 + i, (uint8_t)i);

    char dir[] = "/tmp/pw_test_reader.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], fifo[256];
    snprintf(path, sizeof(path), "%s/cap.pcap", dir); /* extension does not matter */
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(x.b, 1, x.n, f) == x.n);
    if (f)
        fclose(f);

    struct pw_reader *m = NULL, *fr = NULL, *fm = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&m, x.b, x.n, &err), 0);
    CHECK_EQ_INT(pw_reader_open_file(&fr, path, &err), 0);
    if (m && fr) {
        uint64_t n;
        /* regular files are read through the window, with their size known */
        CHECK_EQ_INT(pw_reader_size(fr), x.n);
        CHECK(fr->map == NULL && fr->stream);
        same_records(m, fr, &n);
        CHECK_EQ_INT(n, 50);
    }
    pw_reader_free(m);
    pw_reader_free(fr);
    /* ... or mapped on request, with the same records */
    m = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&m, x.b, x.n, &err), 0);
    CHECK_EQ_INT(pw_reader_open_path(&fm, path, PW_READ_MMAP, &err), 0);
    if (m && fm) {
        uint64_t n;
        CHECK_EQ_INT(pw_reader_size(fm), x.n);
        CHECK(fm->map != NULL && !fm->stream);
        same_records(m, fm, &n);
        CHECK_EQ_INT(n, 50);
    }
    pw_reader_free(m);
    pw_reader_free(fm);

    /* a zero-byte regular file */
    f = fopen(path, "wb");
    if (f)
        fclose(f);
    CHECK_EQ_INT(pw_reader_open_file(&fr, path, &err), PW_ERR_FORMAT);
    CHECK(strstr(err.msg, "not a pcap or pcapng file"));

    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(fifo, O_WRONLY);
        ssize_t k = fd >= 0 ? write(fd, x.b, x.n) : -1;
        _exit(k == (ssize_t)x.n ? 0 : 1);
    }
    CHECK_EQ_INT(pw_reader_open_file(&fr, fifo, &err), 0);
    CHECK_EQ_INT(pw_reader_open_mem(&m, x.b, x.n, &err), 0);
    if (m && fr) {
        uint64_t n;
        CHECK(fr->stream);
        same_records(m, fr, &n);
        CHECK_EQ_INT(n, 50);
    }
    pw_reader_free(m);
    pw_reader_free(fr);
    waitpid(pid, NULL, 0);
    unlink(fifo);
    unlink(path);
    rmdir(dir);
    bb_free(&x);
}

/* ---- names --------------------------------------------------------------------- */

static void test_linktype_names(void)
{
    CHECK_EQ_STR(pw_linktype_name(1), "Ethernet");
    CHECK_EQ_STR(pw_linktype_short_name(1), "ether");
    CHECK_EQ_INT(pw_linktype_wtap_encap(1), 1);
    CHECK_EQ_STR(pw_linktype_name(113), "Linux cooked-mode capture v1");
    CHECK_EQ_STR(pw_linktype_short_name(113), "linux-sll");
    CHECK_EQ_INT(pw_linktype_wtap_encap(113), 25);
    CHECK_EQ_STR(pw_linktype_name(0), "NULL/Loopback");
    CHECK_EQ_STR(pw_linktype_short_name(0), "null");
    CHECK_EQ_INT(pw_linktype_wtap_encap(0), 15);
    CHECK_EQ_STR(pw_linktype_name(160), "USER 13");
    CHECK_EQ_STR(pw_linktype_short_name(160), "user13");
    CHECK_EQ_INT(pw_linktype_wtap_encap(160), 58);
    CHECK_EQ_STR(pw_linktype_name(276), "Linux cooked-mode capture v2");
    CHECK_EQ_INT(pw_linktype_wtap_encap(276), 210);
    CHECK_EQ_STR(pw_linktype_name(10), "FDDI with bit-swapped MAC addresses");
    CHECK_EQ_STR(pw_linktype_name(50), "PPP");
    CHECK_EQ_STR(pw_linktype_name(295), "High-Speed USB 2.0 packets");
    CHECK_EQ_STR(pw_linktype_name(9999), "Unknown");
    CHECK_EQ_STR(pw_linktype_short_name(9999), "unknown");
    CHECK_EQ_INT(pw_linktype_wtap_encap(9999), 0);
    CHECK_EQ_STR(pw_linktype_name(15), "Unknown");
    CHECK_EQ_STR(pw_format_name(PW_FMT_PCAP), "Wireshark/tcpdump/... - pcap");
    CHECK_EQ_STR(pw_format_name(PW_FMT_PCAP_NSEC), "Wireshark/tcpdump/... - nanosecond pcap");
    CHECK_EQ_STR(pw_format_name(PW_FMT_PCAPNG), "Wireshark/... - pcapng");
    CHECK_EQ_STR(pw_format_name(PW_FMT_UNKNOWN), "unknown");
}

/* Every link type of the corpus MANIFEST, with the names capinfos prints
 * for it; skipped when the corpus is not there. */
static void test_linktype_names_cover_manifest(void)
{
    FILE *f = fopen("../shared/captures/MANIFEST.tsv", "r"); /* run from the repo root */
    if (!f)
        f = fopen("/work/shared/captures/MANIFEST.tsv", "r");
    if (!f) {
        fprintf(stderr, "capture corpus not found: skipping the MANIFEST link types\n");
        return;
    }
    char line[8192];
    int checked = 0;
    while (fgets(line, sizeof(line), f)) {
        /* column 8 is link_type: "1(EN10MB)" or "1(EN10MB),113(LINUX_SLL)" */
        char *col = line;
        for (int i = 0; i < 7 && col; i++) {
            col = strchr(col, '\t');
            if (col)
                col++;
        }
        if (!col || *col < '0' || *col > '9')
            continue;
        char *tab = strchr(col, '\t');
        if (tab)
            *tab = '\0';
        while (*col >= '0' && *col <= '9') {
            unsigned long lt = strtoul(col, &col, 10);
            CHECK(strcmp(pw_linktype_name((uint32_t)lt), "Unknown") != 0);
            checked++;
            col = strchr(col, ',');
            if (!col)
                break;
            col++;
            while (*col == ' ')
                col++;
        }
    }
    fclose(f);
    CHECK(checked > 250);
}

TEST_MAIN(TEST_CASE(test_pcap_orders_and_precisions), TEST_CASE(test_pcap_linktype_word),
          TEST_CASE(test_pcap_caplen_above_snaplen), TEST_CASE(test_pcap_caplen_over_max),
          TEST_CASE(test_pcap_cut_short), TEST_CASE(test_pcap_invalid_fraction),
          TEST_CASE(test_pcap_versions), TEST_CASE(test_pcap_modified_magic),
          TEST_CASE(test_detect_errors), TEST_CASE(test_pcapng_basic_both_orders),
          TEST_CASE(test_pcapng_sections), TEST_CASE(test_pcapng_tsresol),
          TEST_CASE(test_pcapng_past_2106), TEST_CASE(test_pcapng_spb_pb),
          TEST_CASE(test_pcapng_comments), TEST_CASE(test_pcapng_skipped_blocks),
          TEST_CASE(test_pcapng_lying_lengths), TEST_CASE(test_pcapng_cut_short),
          TEST_CASE(test_pcapng_bad_shb), TEST_CASE(test_pcapng_idb_strings),
          TEST_CASE(test_pcapng_interface_limit), TEST_CASE(test_stream_matches_memory),
          TEST_CASE(test_stream_lying_caplen_small_window), TEST_CASE(test_segments_join_files),
          TEST_CASE(test_open_file_and_fifo), TEST_CASE(test_linktype_names),
          TEST_CASE(test_linktype_names_cover_manifest))
