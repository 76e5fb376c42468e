/* Unit tests for the capture writer (src/capture/writer.c): every format is
 * read back by our reader and compared field by field, and, when tshark is
 * installed, by tshark too. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"
#include "capture/writer.h"
#include "test.h"
#include "util/limits.h"

#define NREC 6

static uint8_t payload[NREC][300];

/* A small set of records touching the interesting cases: a comment, an
 * empty record, len > caplen, the latest timestamp the format holds, and
 * (pcapng) a second interface with another link type. */
static void make_records(struct pw_record *r, bool multi_iface)
{
    static const char comment[] = "hello, world";
    for (int i = 0; i < NREC; i++) {
        for (int k = 0; k < 300; k++)
            payload[i][k] = (uint8_t)(i * 31 + k);
        memset(&r[i], 0, sizeof(r[i]));
        r[i].data = payload[i];
        r[i].caplen = 40u + 37u * (uint32_t)i;
        r[i].len = r[i].caplen;
        r[i].linktype = 147;
        r[i].ts.sec = 1700000000 + i;
        r[i].ts.nsec = 123456000u + (uint32_t)i * 1000u;
    }
    r[1].comment = comment;
    r[1].comment_len = sizeof(comment) - 1;
    r[1].ncomments = 1;
    r[2].caplen = 0;
    r[2].len = 64;
    r[3].len = 9000;
    /* pcapng: 2107; pcap: the last second its unsigned 32 bits hold (2106) */
    r[4].ts.sec = multi_iface ? 4323283200LL : 4294967295LL;
    r[4].ts.nsec = 0;
    if (multi_iface) {
        r[5].linktype = 148;
        r[5].ifindex = 7;
    }
}

static void check_same(const struct pw_record *want, const struct pw_record *got, bool nsec,
                       bool comments)
{
    CHECK_EQ_INT(got->caplen, want->caplen);
    CHECK_EQ_INT(got->len, want->len);
    CHECK_EQ_INT(got->linktype, want->linktype);
    CHECK_EQ_INT(got->ts.sec, want->ts.sec);
    CHECK_EQ_INT(got->ts.nsec, nsec ? want->ts.nsec : want->ts.nsec / 1000u * 1000u);
    CHECK(got->caplen == want->caplen &&
          (want->caplen == 0 || memcmp(got->data, want->data, want->caplen) == 0));
    if (comments) {
        CHECK_EQ_INT(got->comment_len, want->comment_len);
        CHECK_EQ_INT(got->ncomments, want->comment ? 1 : 0);
        CHECK(got->comment_len == want->comment_len &&
              (!want->comment_len || memcmp(got->comment, want->comment, want->comment_len) == 0));
    }
}

/* Writes the records to memory in `fmt`, reads them back. */
static void roundtrip_mem(enum pw_file_format fmt)
{
    struct pw_record recs[NREC];
    bool ng = fmt == PW_FMT_PCAPNG;
    make_records(recs, ng);
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open_mem(&w, fmt, 147, 0, &err), 0);
    int n = ng ? NREC : NREC - 1;
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(pw_writer_write(w, &recs[i], &err), 0);
    CHECK_EQ_INT(pw_writer_flush(w, &err), 0);
    size_t len = 0;
    const uint8_t *buf = pw_writer_mem(w, &len);
    CHECK(buf != NULL && len > 0);

    struct pw_reader *r = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&r, buf, len, &err), 0);
    if (r) {
        const struct pw_capinfo *ci = pw_reader_capinfo(r);
        CHECK_EQ_INT(ci->format, fmt);
        CHECK_EQ_INT(ci->big_endian, 0);
        if (!ng) {
            CHECK_EQ_INT(ci->snaplen, PW_WRITER_DEFAULT_SNAPLEN);
            CHECK_EQ_INT(ci->linktype, 147);
        }
        struct pw_record got;
        for (int i = 0; i < n; i++) {
            CHECK_EQ_INT(pw_reader_next(r, &got, &err), 1);
            check_same(&recs[i], &got, fmt != PW_FMT_PCAP, ng);
        }
        CHECK_EQ_INT(pw_reader_next(r, &got, &err), 0);
        if (ng) {
            CHECK_EQ_STR(ci->shb_app, "pktwatch");
            CHECK_EQ_INT(ci->niface, 2);
            CHECK_EQ_INT(pw_reader_iface(r, 0)->linktype, 147);
            CHECK_EQ_INT(pw_reader_iface(r, 0)->ticks_per_sec, 1000000000);
            CHECK_EQ_INT(pw_reader_iface(r, 1)->linktype, 148);
        }
    }
    pw_reader_free(r);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
}

static void test_roundtrip_pcap(void)
{
    roundtrip_mem(PW_FMT_PCAP);
}

static void test_roundtrip_pcap_nsec(void)
{
    roundtrip_mem(PW_FMT_PCAP_NSEC);
}

static void test_roundtrip_pcapng(void)
{
    roundtrip_mem(PW_FMT_PCAPNG);
}

/* Refused records leave no bytes behind, and the writer goes on. */
static void test_refusals(void)
{
    struct pw_record recs[NREC];
    make_records(recs, true);
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    size_t before, after;

    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAP, 147, 65535, &err), 0);
    pw_writer_mem(w, &before);
    CHECK_EQ_INT(pw_writer_write(w, &recs[5], &err), PW_ERR_ARG); /* link type 148 */
    CHECK(strstr(err.msg, "link type") != NULL);
    struct pw_record neg = recs[0];
    neg.ts.sec = -1;
    CHECK_EQ_INT(pw_writer_write(w, &neg, &err), PW_ERR_ARG);
    neg.ts.sec = (int64_t)UINT32_MAX + 1;
    CHECK_EQ_INT(pw_writer_write(w, &neg, &err), PW_ERR_ARG);
    struct pw_record huge = recs[0];
    huge.caplen = PW_MAX_CAPLEN + 1;
    CHECK_EQ_INT(pw_writer_write(w, &huge, &err), PW_ERR_ARG);
    struct pw_record nodata = recs[0];
    nodata.data = NULL;
    CHECK_EQ_INT(pw_writer_write(w, &nodata, &err), PW_ERR_ARG);
    pw_writer_mem(w, &after);
    CHECK_EQ_INT(after, before);
    CHECK_EQ_INT(pw_writer_write(w, &recs[0], &err), 0);
    pw_writer_mem(w, &after);
    CHECK_EQ_INT(after, before + 16 + recs[0].caplen);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);

    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAPNG, 1, 0, &err), 0);
    neg = recs[0];
    neg.linktype = 1;
    neg.ts.sec = -5;
    CHECK_EQ_INT(pw_writer_write(w, &neg, &err), PW_ERR_ARG);
    huge.linktype = 1;
    huge.caplen = PW_MAX_PCAPNG_BLOCK;
    CHECK_EQ_INT(pw_writer_write(w, &huge, &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);

    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_UNKNOWN, 1, 0, &err), PW_ERR_ARG);
    CHECK(w == NULL);
    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAP, 0x10000, 0, &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_writer_open(&w, "/nonexistent/dir/x.pcap", PW_FMT_PCAP, 1, 0, &err), PW_ERR_IO);
    CHECK_EQ_INT(pw_writer_close(NULL, &err), 0);
}

/* A microsecond pcap keeps whole microseconds: a nanosecond remainder (as
 * the reader produces for a wrapped out-of-range fraction, the fuzz_pcap
 * finding crash-4fc0b43b...) is truncated, everything else is kept. */
static void test_pcap_usec_truncates(void)
{
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAP, 1, 0, &err), 0);
    struct pw_record a = {
        .data = NULL, .caplen = 0, .len = 0, .linktype = 1, .ts = {954146894, 536870912u}};
    struct pw_record b = {.linktype = 1, .ts = {954146894, 1000000000u}};
    CHECK_EQ_INT(pw_writer_write(w, &a, &err), 0);
    CHECK_EQ_INT(pw_writer_write(w, &b, &err), 0);
    size_t len;
    const uint8_t *buf = pw_writer_mem(w, &len);
    struct pw_reader *r = NULL;
    struct pw_record rec;
    CHECK_EQ_INT(pw_reader_open_mem(&r, buf, len, &err), 0);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.sec == 954146894 &&
          rec.ts.nsec == 536870000u);
    CHECK(pw_reader_next(r, &rec, &err) == 1 && rec.ts.nsec == 1000000000u);
    pw_reader_free(r);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
}

/* An empty pcapng still declares its interface (as tcpdump's empty.pcapng). */
static void test_empty_pcapng(void)
{
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAPNG, 113, 1234, &err), 0);
    CHECK_EQ_INT(pw_writer_flush(w, &err), 0);
    size_t len;
    const uint8_t *buf = pw_writer_mem(w, &len);
    struct pw_reader *r = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&r, buf, len, &err), 0);
    struct pw_record rec;
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 0);
    CHECK_EQ_INT(pw_reader_capinfo(r)->niface, 1);
    CHECK_EQ_INT(pw_reader_iface(r, 0)->linktype, 113);
    CHECK_EQ_INT(pw_reader_iface(r, 0)->snaplen, 1234);
    pw_reader_free(r);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
}

/* pw_writer_set_iface() keeps names and a microsecond resolution, and the
 * timestamps stay exact; a second call after the IDB is written is refused. */
static void test_set_iface(void)
{
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    struct pw_iface ifc;
    memset(&ifc, 0, sizeof(ifc));
    ifc.linktype = 1;
    ifc.snaplen = 96;
    ifc.tsresol = 6;
    snprintf(ifc.name, sizeof(ifc.name), "eth0");
    snprintf(ifc.descr, sizeof(ifc.descr), "uplink");
    snprintf(ifc.os, sizeof(ifc.os), "Linux");
    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAPNG, 1, 0, &err), 0);
    CHECK_EQ_INT(pw_writer_set_iface(w, 0, &ifc, &err), 0);
    ifc.tsresol = 0x8a; /* binary: written in nanoseconds instead */
    ifc.linktype = 105;
    snprintf(ifc.name, sizeof(ifc.name), "wlan0");
    CHECK_EQ_INT(pw_writer_set_iface(w, 3, &ifc, &err), 0);

    uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct pw_record a = {
        .data = data, .caplen = 10, .len = 10, .linktype = 1, .ts = {1700000000, 999999000}};
    struct pw_record b = {.data = data,
                          .caplen = 5,
                          .len = 10,
                          .linktype = 105,
                          .ifindex = 3,
                          .ts = {1700000001, 123456789}};
    CHECK_EQ_INT(pw_writer_write(w, &a, &err), 0);
    CHECK_EQ_INT(pw_writer_write(w, &b, &err), 0);
    CHECK_EQ_INT(pw_writer_set_iface(w, 0, &(struct pw_iface){.linktype = 1}, &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_writer_flush(w, &err), 0);

    size_t len;
    const uint8_t *buf = pw_writer_mem(w, &len);
    struct pw_reader *r = NULL;
    struct pw_record rec;
    CHECK_EQ_INT(pw_reader_open_mem(&r, buf, len, &err), 0);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
    CHECK(rec.ts.sec == 1700000000 && rec.ts.nsec == 999999000);
    CHECK_EQ_INT(pw_reader_next(r, &rec, &err), 1);
    CHECK(rec.ts.sec == 1700000001 && rec.ts.nsec == 123456789 && rec.linktype == 105);
    CHECK(rec.caplen == 5 && rec.len == 10);
    const struct pw_iface *i0 = pw_reader_iface(r, 0), *i1 = pw_reader_iface(r, 1);
    CHECK(i0 && i1);
    if (i0 && i1) {
        CHECK_EQ_STR(i0->name, "eth0");
        CHECK_EQ_STR(i0->descr, "uplink");
        CHECK_EQ_STR(i0->os, "Linux");
        CHECK_EQ_INT(i0->snaplen, 96);
        CHECK_EQ_INT(i0->ticks_per_sec, 1000000);
        CHECK(!i0->tsresol_set); /* 6 is the default: no option written */
        CHECK_EQ_STR(i1->name, "wlan0");
        CHECK_EQ_INT(i1->tsresol, 9);
    }
    pw_reader_free(r);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);

    CHECK_EQ_INT(pw_writer_open_mem(&w, PW_FMT_PCAP, 1, 0, &err), 0);
    CHECK_EQ_INT(pw_writer_set_iface(w, 0, &ifc, &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
}

/* Output errors are sticky: a descriptor that cannot be written. */
static void test_output_error_sticky(void)
{
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0);
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open_fd(&w, fd, PW_FMT_PCAP, 1, 0, &err), 0);
    uint8_t d[4] = {0};
    struct pw_record rec = {.data = d, .caplen = 4, .len = 4, .linktype = 1};
    CHECK_EQ_INT(pw_writer_write(w, &rec, &err), 0); /* buffered */
    CHECK_EQ_INT(pw_writer_flush(w, &err), PW_ERR_IO);
    CHECK_EQ_INT(pw_writer_write(w, &rec, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "write error") != NULL);
    CHECK_EQ_INT(pw_writer_close(w, &err), PW_ERR_IO);
    close(fd);
}

/* Big records bypass the staging buffer; the file reads back through mmap. */
static void test_file_large_records(void)
{
    char path[] = "/tmp/pw_test_writer.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    static uint8_t big[200000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open(&w, path, PW_FMT_PCAPNG, 1, 0, &err), 0);
    for (uint32_t i = 0; i < 20; i++) {
        struct pw_record rec = {.data = big,
                                .caplen = i % 2 ? 100 : (uint32_t)sizeof(big) - i,
                                .len = (uint32_t)sizeof(big),
                                .linktype = 1,
                                .ts = {(int64_t)i, i}};
        CHECK_EQ_INT(pw_writer_write(w, &rec, &err), 0);
    }
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
    struct pw_reader *r = NULL;
    CHECK_EQ_INT(pw_reader_open_file(&r, path, &err), 0);
    struct pw_record rec;
    uint32_t n = 0;
    int rc;
    while ((rc = pw_reader_next(r, &rec, &err)) == 1) {
        CHECK_EQ_INT(rec.caplen, n % 2 ? 100 : sizeof(big) - n);
        CHECK(memcmp(rec.data, big, rec.caplen) == 0);
        CHECK(rec.ts.sec == n && rec.ts.nsec == n);
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(n, 20);
    pw_reader_free(r);
    unlink(path);
}

/* tshark reads our files back identically: time, lengths, comment and the
 * bytes (link type USER0/USER1 shows them as data.data). Skipped when tshark
 * is not installed. */
static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

static void tshark_check(enum pw_file_format fmt)
{
    struct pw_record recs[NREC];
    bool ng = fmt == PW_FMT_PCAPNG;
    make_records(recs, ng);
    char path[] = "/tmp/pw_test_writer_ts.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    struct pw_writer *w = NULL;
    struct pw_error err = {0};
    CHECK_EQ_INT(pw_writer_open_fd(&w, fd, fmt, 147, 0, &err), 0);
    int n = ng ? NREC : NREC - 1;
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(pw_writer_write(w, &recs[i], &err), 0);
    CHECK_EQ_INT(pw_writer_close(w, &err), 0);
    close(fd);

    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "TZ=UTC tshark -r %s -T fields -e frame.time_epoch -e frame.len -e frame.cap_len "
             "-e frame.comment -e data.data 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (!p) {
        unlink(path);
        return;
    }
    char line[4096];
    int i = 0;
    while (fgets(line, sizeof(line), p)) {
        if (i >= n) {
            i++;
            break;
        }
        const struct pw_record *rc = &recs[i];
        char want[4096];
        int k = snprintf(want, sizeof(want),
                         "%" PRId64 ".%09" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%.*s\t", rc->ts.sec,
                         fmt == PW_FMT_PCAP ? rc->ts.nsec / 1000u * 1000u : rc->ts.nsec, rc->len,
                         rc->caplen, ng ? (int)rc->comment_len : 0, rc->comment ? rc->comment : "");
        for (uint32_t b = 0; b < rc->caplen && k < (int)sizeof(want) - 3; b++)
            k += snprintf(want + k, sizeof(want) - (size_t)k, "%02x", rc->data[b]);
        snprintf(want + k, sizeof(want) - (size_t)k, "\n");
        if (strcmp(line, want) != 0)
            fprintf(stderr, "tshark record %d:\n  got  %s  want %s", i, line, want);
        CHECK_EQ_STR(line, want);
        i++;
    }
    int st = pclose(p);
    CHECK_EQ_INT(st, 0);
    CHECK_EQ_INT(i, n);
    unlink(path);
}

static void test_tshark_reads_back(void)
{
    if (!have_tshark()) {
        fprintf(stderr, "tshark not installed: skipping the tshark read-back\n");
        return;
    }
    tshark_check(PW_FMT_PCAP);
    tshark_check(PW_FMT_PCAP_NSEC);
    tshark_check(PW_FMT_PCAPNG);
}

TEST_MAIN(TEST_CASE(test_roundtrip_pcap), TEST_CASE(test_roundtrip_pcap_nsec),
          TEST_CASE(test_roundtrip_pcapng), TEST_CASE(test_refusals),
          TEST_CASE(test_pcap_usec_truncates), TEST_CASE(test_empty_pcapng),
          TEST_CASE(test_set_iface), TEST_CASE(test_output_error_sticky),
          TEST_CASE(test_file_large_records), TEST_CASE(test_tshark_reads_back))
