/* Unit tests for the statistics (src/stats/phs.c, dests.c, conv.c) and
 * their tshark text layouts (src/output/stats_text.c), on hand-made packet
 * records: first-seen child order, the 17-level indent cap, tie-breaking
 * by name, burst windows, humanised conversation byte columns, ordering. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "output/stats.h"
#include "stats/report.h"
#include "test.h"
#include "util/fmt.h"

static struct pw_packet pkt;
static struct pw_record rec;

static void start(uint32_t len, int64_t sec, uint32_t nsec)
{
    memset(&pkt, 0, sizeof(pkt));
    memset(&rec, 0, sizeof(rec));
    pkt.len = pkt.caplen = len;
    rec.len = rec.caplen = len;
    rec.ts.sec = sec;
    rec.ts.nsec = nsec;
    pkt.l3 = pkt.l4 = -1;
}

static struct pw_layer *add(unsigned proto)
{
    struct pw_layer *l = &pkt.layer[pkt.nlayers++];
    memset(l, 0, sizeof(*l));
    l->proto = (uint16_t)proto;
    return l;
}

static void add_ip(const char *src, const char *dst)
{
    struct pw_layer *l = add(PW_P_IP);
    unsigned a[4], b[4];
    sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
    sscanf(dst, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]);
    for (int i = 0; i < 4; i++) {
        l->u.ip4.src[i] = (uint8_t)a[i];
        l->u.ip4.dst[i] = (uint8_t)b[i];
    }
    l->hlen = 20;
}

static void add_tcp(uint16_t sp, uint16_t dp)
{
    struct pw_layer *l = add(PW_P_TCP);
    l->off = 34;
    l->u.tcp.sport = sp;
    l->u.tcp.dport = dp;
    l->u.tcp.hlen = 20;
    l->u.tcp.stream = PW_NO_STREAM;
    pkt.caplen = pkt.caplen < 60 ? 60 : pkt.caplen;
}

/* Text of a report into buf. */
static const char *text(const struct pw_report *r)
{
    static char buf[16384];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    pw_stats_text(f, r);
    fclose(f);
    return buf;
}

static void phs_order_and_indent(void)
{
    struct pw_report r;
    struct pw_error err;
    CHECK_EQ_INT(pw_report_parse(&r, "io,phs", &err), 0);
    CHECK_EQ_INT(pw_report_start(&r, &err), 0);
    start(100, 0, 0);
    add(PW_P_ETH);
    add(PW_P_IP);
    pw_report_packet(&r, &rec, &pkt);
    start(50, 0, 0);
    add(PW_P_ETH);
    add(PW_P_ARP);
    pw_report_packet(&r, &rec, &pkt);
    start(10, 0, 0);
    add(PW_P_ETH);
    add(PW_P_IP);
    pw_report_packet(&r, &rec, &pkt);
    pw_report_finish(&r);
    /* children in first-seen order (ip before arp although arp is smaller) */
    CHECK_EQ_STR(text(&r), "\n"
                           "===================================================================\n"
                           "Protocol Hierarchy Statistics\n"
                           "Filter: \n\n"
                           "eth                                      frames:3 bytes:160\n"
                           "  ip                                     frames:2 bytes:110\n"
                           "  arp                                    frames:1 bytes:50\n"
                           "===================================================================\n");
    pw_report_free(&r);

    /* 20 nested PDUs: depth 17 and beyond are drawn as 32 spaces and "..." */
    CHECK_EQ_INT(pw_report_parse(&r, "io,phs", &err), 0);
    CHECK_EQ_INT(pw_report_start(&r, &err), 0);
    start(60, 0, 0);
    add(PW_P_ETH);
    add(PW_P_IP);
    add(PW_P_TCP);
    struct pw_layer *bt = add(PW_P_BITTORRENT);
    bt->flags = PW_LF_REPEAT;
    bt->u.app.count = 20;
    pw_report_packet(&r, &rec, &pkt);
    const char *t = text(&r);
    CHECK(strstr(t, "\n                              bittorrent frames:1 bytes:60\n") != NULL);
    CHECK(strstr(t, "\n                                ...bittorrent frames:1 bytes:60\n") != NULL);
    pw_report_free(&r);
}

static void dests_sort_and_burst(void)
{
    struct pw_report r;
    struct pw_error err;
    CHECK_EQ_INT(pw_report_parse(&r, "dests,tree", &err), 0);
    CHECK_EQ_INT(pw_report_start(&r, &err), 0);
    /* two destinations with one packet each: ties sorted by name, descending
     * as strings ("82..." before "192...") */
    start(60, 100, 0);
    add(PW_P_ETH);
    add_ip("10.0.0.1", "192.168.1.1");
    add_tcp(1000, 80);
    pw_report_packet(&r, &rec, &pkt);
    start(60, 100, 4000000); /* 4 ms later: same 100 ms window */
    add(PW_P_ETH);
    add_ip("10.0.0.1", "82.1.1.1");
    add_tcp(1000, 443);
    pw_report_packet(&r, &rec, &pkt);
    pw_report_finish(&r);
    const char *t = text(&r);
    const char *a = strstr(t, " 82.1.1.1"), *b = strstr(t, " 192.168.1.1");
    CHECK(a && b && a < b);
    /* root: 2 ticks within 100 ms -> burst 0.0200 starting at 0.000 */
    CHECK(strstr(t, "Destinations and Ports  2                                                       "
                    "0.5000        100%          0.0200        0.000        \n") != NULL);
    pw_report_free(&r);
}

static void conv_columns(void)
{
    struct pw_report r;
    struct pw_error err;
    CHECK_EQ_INT(pw_report_parse(&r, "conv,tcp", &err), 0);
    CHECK_EQ_INT(pw_report_start(&r, &err), 0);
    /* A = the first packet's source; 9999 bytes stay bytes, 10000 is 10 kB */
    start(9999, 10, 0);
    add_ip("10.0.0.2", "10.0.0.1");
    add_tcp(80, 40000);
    pw_report_packet(&r, &rec, &pkt);
    start(10000, 11, 500000000);
    add_ip("10.0.0.1", "10.0.0.2");
    add_tcp(40000, 80);
    pw_report_packet(&r, &rec, &pkt);
    const char *t = text(&r);
    CHECK(strstr(t, "10.0.0.2:80                <-> 10.0.0.1:40000                   1 10 kB      "
                    "     1 9999 bytes       2 19 kB         0.000000000         1.5000\n") != NULL);
    pw_report_free(&r);
}

static void endpoints_order(void)
{
    struct pw_report r;
    struct pw_error err;
    CHECK_EQ_INT(pw_report_parse(&r, "endpoints,ip", &err), 0);
    CHECK_EQ_INT(pw_report_start(&r, &err), 0);
    start(100, 0, 0);
    add_ip("1.1.1.1", "2.2.2.2");
    pw_report_packet(&r, &rec, &pkt);
    start(100, 0, 0);
    add_ip("3.3.3.3", "2.2.2.2");
    pw_report_packet(&r, &rec, &pkt);
    const char *t = text(&r);
    /* 2.2.2.2 has two packets; 1.1.1.1 and 3.3.3.3 tie and keep first-seen order */
    const char *a = strstr(t, "2.2.2.2   "), *b = strstr(t, "1.1.1.1   "), *c = strstr(t, "3.3.3.3   ");
    CHECK(a && b && c && a < b && b < c);
    CHECK(strstr(t, "2.2.2.2                        2           200          0               0"
                    "           2             200   \n") != NULL);
    pw_report_free(&r);
}

static void spec_parsing(void)
{
    struct pw_report r;
    struct pw_error err;
    CHECK_EQ_INT(pw_report_parse(&r, "conv,ip,ip.addr==1.2.3.4", &err), 0);
    CHECK_EQ_STR(r.filter, "ip.addr==1.2.3.4");
    CHECK_EQ_STR(r.spec, "conv,ip");
    CHECK(pw_report_parse(&r, "conv,ipx", &err) < 0);
    CHECK(pw_report_parse(&r, "io,stat,1", &err) < 0);
    CHECK_EQ_INT(pw_report_parse(&r, "endpoints,eth", &err), 0);
    CHECK(r.filter == NULL);
}

/* The fast fixed-point formatter must print exactly what printf prints:
 * ties and near-ties (x.xx5 written in binary), values that scale to
 * exact halves, carries into the integer part, and a large random sample
 * of the magnitudes the reports print. */
static void fixed_matches_printf(void)
{
    static const double tricky[] = {0.0, 0.125, 0.375, 2.5, 0.5, 1.005, 1.015, 1.025, 2.675,
                                    0.00005, 0.00015, 0.99995, 9.99995, 0.0001, 99.995,
                                    33.333333333333336, 66.66666666666667, 1e-9, 5e-10,
                                    123456.0000005, 4294967295.5, 1e13, 9.999999999e13,
                                    1e14, 1e20, -0.0, -1.25, 1.0 / 3.0};
    char a[64], b[64];
    unsigned bad = 0;
    for (int prec = 0; prec <= 9; prec++) {
        for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
            size_t k = pw_fmt_fixed(a, sizeof(a), tricky[i], prec);
            snprintf(b, sizeof(b), "%.*f", prec, tricky[i]);
            if (strcmp(a, b) || k != strlen(b)) {
                if (bad++ < 5)
                    fprintf(stderr, "%.17g %%.%df: %s, printf %s\n", tricky[i], prec, a, b);
            }
        }
    }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int prec = (int)(x % 10);
        double v;
        switch (i % 4) {
        case 0: v = (double)(x >> 11) / (double)(1ull << 53) * 100.0; break; /* percents */
        case 1: v = (double)(uint32_t)(x >> 20) / (double)(1 + (x & 0xffff)); break; /* rates */
        case 2: v = (double)(x >> 40) / 1000.0; break; /* ms -> s: many exact decimals */
        default: v = (double)(x >> 34) * 1e-9; break; /* nanosecond times */
        }
        pw_fmt_fixed(a, sizeof(a), v, prec);
        snprintf(b, sizeof(b), "%.*f", prec, v);
        if (strcmp(a, b) && bad++ < 5)
            fprintf(stderr, "%.17g %%.%df: %s, printf %s\n", v, prec, a, b);
    }
    CHECK_EQ_INT(bad, 0);
    char ip[16];
    CHECK_EQ_INT(pw_fmt_ip4(ip, (const uint8_t[]){10, 0, 255, 1}), 10);
    CHECK_EQ_STR(ip, "10.0.255.1");
    char s6[46];
    const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    CHECK_EQ_INT(pw_fmt_ip6(s6, v6), 11);
    CHECK_EQ_STR(s6, "2001:db8::1");
    CHECK_EQ_INT(pw_fmt_mac(s6, (const uint8_t[]){0x00, 0x1b, 0xa9, 0xff, 0x0a, 0xc5}), 17);
    CHECK_EQ_STR(s6, "00:1b:a9:ff:0a:c5");
    CHECK_EQ_INT(pw_fmt_u64(ip, 0), 1);
    CHECK_EQ_INT(pw_fmt_u64(a, UINT64_MAX), 20);
    a[20] = '\0';
    CHECK_EQ_STR(a, "18446744073709551615");
}

TEST_MAIN(TEST_CASE(phs_order_and_indent), TEST_CASE(dests_sort_and_burst),
          TEST_CASE(conv_columns), TEST_CASE(endpoints_order), TEST_CASE(spec_parsing),
          TEST_CASE(fixed_matches_printf))
