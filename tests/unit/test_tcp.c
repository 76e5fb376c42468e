/* Unit tests for the flow stage's TCP analysis (src/flow/tcp.c): stream
 * numbers, tcp.analysis.acks_frame / ack_rtt / initial_rtt and flags on the
 * hand-built captures of rtt_scenarios.h. The expected values are tshark
 * 4.0.17's on the very same bytes (`build/tools/mkcap all DIR`, then
 * tshark -T fields on DIR), to the nanosecond. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flows.h"
#include "rtt_scenarios.h"
#include "stats/pass.h"
#include "test.h"

#define MAXF 64

/* what one frame got */
struct fr {
    int has_stream; /* a TCP header with a stream */
    uint32_t stream;
    uint64_t acks;
    int64_t rtt_ns;
    int has_irtt; /* shown, as tshark shows it */
    int64_t irtt_ns;
    uint32_t aflags;
    int has_ta; /* tcp.analysis present */
    int renewed; /* the segment started a new stream on its conversation record */
    uint32_t prev_stream;
};

struct run {
    struct fr f[MAXF];
    uint64_t n;
    struct pw_flows_stats st;
};

static void tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    struct run *r = arg;
    r->n = pkt->frame;
    if (pkt->frame > MAXF)
        return;
    struct fr *f = &r->f[pkt->frame - 1];
    memset(f, 0, sizeof(*f));
    const struct pw_tcp_info *ti = &pkt->tcp;
    if (ti->layer < 0)
        return;
    f->has_stream = 1;
    f->stream = ti->stream;
    f->acks = ti->acks_frame;
    f->rtt_ns = pw_nstime_ns(ti->ack_rtt);
    f->has_irtt = ti->has_ta && ti->has_irtt;
    f->irtt_ns = pw_nstime_ns(ti->initial_rtt);
    f->aflags = ti->aflags;
    f->has_ta = ti->has_ta;
    f->renewed = ti->renewed;
    f->prev_stream = ti->prev_stream;
}

static void run_mem(const uint8_t *buf, size_t len, struct run *r)
{
    memset(r, 0, sizeof(*r));
    struct pw_error err = {0};
    struct pw_reader *rd;
    if (pw_reader_open_mem(&rd, buf, len, &err) < 0) {
        fprintf(stderr, "reader: %s\n", err.msg);
        CHECK(0);
        return;
    }
    struct pw_flows *fl = pw_flows_new(NULL, &err);
    CHECK(fl != NULL);
    struct pw_tap t = {r, tap};
    struct pw_pass_opts opts = {.dissect = true, .flows = fl};
    struct pw_pass_result res;
    CHECK_EQ_INT(pw_pass_run(rd, &t, 1, &opts, &res), 0);
    pw_flows_get_stats(fl, &r->st);
    pw_flows_free(fl);
    pw_reader_free(rd);
}

static void run(const char *name, struct run *r)
{
    const struct scenario *sc = scenario_by_name(name);
    CHECK(sc != NULL);
    struct mkcap m;
    scenario_build(sc, &m);
    CHECK(!m.oom);
    run_mem(m.buf, m.len, r);
    mkcap_free(&m);
}

#define ACK(r, frame, acked, ns)                                                                   \
    do {                                                                                           \
        CHECK_EQ_INT((r).f[(frame)-1].acks, (acked));                                              \
        CHECK_EQ_INT((r).f[(frame)-1].rtt_ns, (ns));                                               \
    } while (0)
#define NOACK(r, frame) CHECK_EQ_INT((r).f[(frame)-1].acks, 0)
#define IRTT(r, frame, ns)                                                                         \
    do {                                                                                           \
        CHECK_EQ_INT((r).f[(frame)-1].has_irtt, 1);                                                \
        CHECK_EQ_INT((r).f[(frame)-1].irtt_ns, (ns));                                              \
    } while (0)
#define NOIRTT(r, frame) CHECK_EQ_INT((r).f[(frame)-1].has_irtt, 0)
#define STREAM(r, frame, s)                                                                        \
    do {                                                                                           \
        CHECK_EQ_INT((r).f[(frame)-1].has_stream, 1);                                              \
        CHECK_EQ_INT((r).f[(frame)-1].stream, (s));                                                \
    } while (0)
#define FLAGS(r, frame, fl) CHECK_EQ_INT((r).f[(frame)-1].aflags, (fl))

static void test_basic(void)
{
    struct run r;
    run("basic", &r);
    CHECK_EQ_INT(r.n, 9);
    for (int i = 1; i <= 9; i++)
        STREAM(r, i, 0);
    NOACK(r, 1);
    NOIRTT(r, 1);
    ACK(r, 2, 1, 50000000);
    NOIRTT(r, 2); /* the ACK has not been seen yet */
    ACK(r, 3, 2, 100000);
    IRTT(r, 3, 50100000);
    IRTT(r, 4, 50100000); /* every later frame with an analysis shows it */
    ACK(r, 5, 4, 50100000);
    ACK(r, 7, 6, 50100000);
    ACK(r, 9, 8, 50100000);
    for (int i = 1; i <= 9; i++)
        FLAGS(r, i, 0);
}

/* The SYN/ACK is timed from the FIRST SYN, the iRTT from the LAST. */
static void test_syn_retransmitted(void)
{
    struct run r;
    run("syn_retrans", &r);
    for (int i = 1; i <= 4; i++)
        STREAM(r, i, 0);
    FLAGS(r, 2, PW_TA_RETRANSMISSION);
    ACK(r, 3, 1, 1050000000);
    ACK(r, 4, 3, 10000000);
    IRTT(r, 4, 60000000);
    CHECK_EQ_INT(r.st.tcp_streams, 1);
}

/* The client's ACK is timed from the FIRST SYN/ACK. */
static void test_synack_retransmitted(void)
{
    struct run r;
    run("synack_retrans", &r);
    ACK(r, 2, 1, 20000000);
    FLAGS(r, 3, PW_TA_RETRANSMISSION);
    NOACK(r, 3);
    ACK(r, 4, 2, 1001000000);
    IRTT(r, 4, 1021000000);
}

/* No SYN: no ack_rtt on the SYN/ACK, no iRTT ever; the ACK is timed from
 * the SYN/ACK. */
static void test_synack_without_syn(void)
{
    struct run r;
    run("synack_only", &r);
    NOACK(r, 1);
    ACK(r, 2, 1, 300000);
    NOIRTT(r, 2);
    NOIRTT(r, 3);
    STREAM(r, 3, 0);
}

/* tcp.analysis is present but empty on a SYN whose ISN came from the
 * SYN/ACK before it; the same SYN later is a retransmission. */
static void test_syn_after_synack(void)
{
    struct run r;
    run("syn_after_synack", &r);
    for (int i = 1; i <= 4; i++)
        STREAM(r, i, 0);
    CHECK_EQ_INT(r.f[0].has_ta, 0);
    CHECK_EQ_INT(r.f[1].has_ta, 1);
    FLAGS(r, 2, 0);
    NOACK(r, 2);
    ACK(r, 3, 1, 300000);
    CHECK_EQ_INT(r.f[3].has_ta, 1);
    FLAGS(r, 4, PW_TA_RETRANSMISSION);
}

/* A SYN with a new ISN on used ports starts a new stream (reused_ports);
 * the same SYN again is a retransmission in that stream; a RST-refused
 * attempt with yet another ISN is a third stream. */
static void test_port_reuse(void)
{
    struct run r;
    run("port_reuse", &r);
    for (int i = 1; i <= 6; i++)
        STREAM(r, i, 0);
    for (int i = 7; i <= 10; i++)
        STREAM(r, i, 1);
    STREAM(r, 11, 2);
    STREAM(r, 12, 2);
    FLAGS(r, 7, PW_TA_REUSED_PORTS);
    ACK(r, 8, 7, 30000000);
    IRTT(r, 9, 31000000);
    FLAGS(r, 10, PW_TA_RETRANSMISSION);
    IRTT(r, 10, 31000000);
    FLAGS(r, 11, PW_TA_REUSED_PORTS);
    ACK(r, 12, 11, 2000000);
    IRTT(r, 12, 2000000);
    CHECK_EQ_INT(r.st.tcp_streams, 3);
    CHECK_EQ_INT(r.st.tcp_flows, 1);
    /* the flow stage says which stream each new one replaced */
    for (int i = 1; i <= 12; i++)
        CHECK_EQ_INT(r.f[i - 1].renewed, i == 7 || i == 11);
    CHECK_EQ_INT(r.f[6].prev_stream, 0);
    CHECK_EQ_INT(r.f[10].prev_stream, 1);
}

static void test_simultaneous_open(void)
{
    struct run r;
    run("simultaneous", &r);
    for (int i = 1; i <= 5; i++)
        STREAM(r, i, 0);
    NOACK(r, 2);
    ACK(r, 3, 2, 10000000); /* client's SYN/ACK answers the server's SYN */
    ACK(r, 4, 1, 12000000);
    FLAGS(r, 3, PW_TA_RETRANSMISSION);
    FLAGS(r, 4, PW_TA_RETRANSMISSION);
    ACK(r, 5, 4, 10000000);
    IRTT(r, 5, 21000000); /* from the latest SYN (the server's) */
    FLAGS(r, 5, PW_TA_DUPLICATE_ACK);
}

/* A refused connection: the RST/ACK acknowledges the SYN and sets the iRTT. */
static void test_rst_answer(void)
{
    struct run r;
    run("rst", &r);
    ACK(r, 2, 1, 200000);
    IRTT(r, 2, 200000);
}

static void test_ipv6(void)
{
    struct run r;
    run("ipv6", &r);
    for (int i = 1; i <= 4; i++)
        STREAM(r, i, 0);
    ACK(r, 2, 1, 25000000);
    IRTT(r, 3, 25040000);
}

static void test_vlan(void)
{
    struct run r;
    run("vlan", &r);
    ACK(r, 2, 1, 7000000);
    ACK(r, 3, 2, 30000);
    IRTT(r, 3, 7030000);
}

/* pcapng with if_tsresol 9: every nanosecond counts */
static void test_pcapng_nanoseconds(void)
{
    struct run r;
    run("nano", &r);
    ACK(r, 2, 1, 123456789);
    ACK(r, 3, 2, 1001);
    IRTT(r, 3, 123457790);
}

static void test_no_answer(void)
{
    struct run r;
    run("no_answer", &r);
    for (int i = 1; i <= 3; i++)
        STREAM(r, i, 0);
    FLAGS(r, 1, 0);
    FLAGS(r, 2, PW_TA_RETRANSMISSION);
    FLAGS(r, 3, PW_TA_RETRANSMISSION);
}

/* A TCP header quoted in an ICMP error gets a stream (and takes a stream
 * number) when its first 16 bytes are there, as in tshark; 15 are not
 * enough, nor the 8 that RFC 792 promises. */
static void test_icmp_quote(void)
{
    struct run r;
    run("icmp_quote", &r);
    CHECK_EQ_INT(r.f[0].has_stream, 0);
    STREAM(r, 2, 0);
    STREAM(r, 3, 1);
    CHECK_EQ_INT(r.f[3].has_stream, 0);
    STREAM(r, 5, 0); /* the real handshake joins the quoted SYN's stream */
    ACK(r, 6, 5, 3000000);
    IRTT(r, 7, 3010000);
}

/* The tap area (pw_flows_opts.tap_bytes): one per conversation record,
 * zeroed when the record is made, never touched by the flow stage after,
 * handed out as pkt->l4_tap. The tap here counts the packets of each area. */
struct area_run {
    const void *tap[MAXF];
    uint64_t before[MAXF]; /* the area's count when the frame came */
    uint64_t n;
};

static void area_tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    struct area_run *r = arg;
    if (pkt->frame > MAXF)
        return;
    r->n = pkt->frame;
    uint64_t *cnt = pkt->l4_tap;
    r->tap[pkt->frame - 1] = cnt;
    if (cnt)
        r->before[pkt->frame - 1] = (*cnt)++;
}

static void area_run(const char *name, uint32_t tap_bytes, struct area_run *r)
{
    memset(r, 0, sizeof(*r));
    const struct scenario *sc = scenario_by_name(name);
    CHECK(sc != NULL);
    struct mkcap m;
    scenario_build(sc, &m);
    struct pw_error err = {0};
    struct pw_reader *rd;
    CHECK_EQ_INT(pw_reader_open_mem(&rd, m.buf, m.len, &err), 0);
    struct pw_flows_opts fo = {.tap_bytes = tap_bytes};
    struct pw_flows *fl = pw_flows_new(&fo, &err);
    CHECK(fl != NULL);
    struct pw_tap t = {r, area_tap};
    struct pw_pass_opts opts = {.dissect = true, .flows = fl};
    struct pw_pass_result res;
    CHECK_EQ_INT(pw_pass_run(rd, &t, 1, &opts, &res), 0);
    pw_flows_free(fl);
    pw_reader_free(rd);
    mkcap_free(&m);
}

static void test_tap_area(void)
{
    struct area_run r;
    /* one conversation record, three streams (port reuse): one area, kept */
    area_run("port_reuse", 16, &r);
    CHECK_EQ_INT(r.n, 12);
    for (int i = 0; i < 12; i++) {
        CHECK(r.tap[i] != NULL && r.tap[i] == r.tap[0]);
        CHECK_EQ_INT(r.before[i], i);
    }
    /* several conversations: an area each, each starting at zero */
    area_run("servers", 16, &r);
    int areas = 0;
    for (uint64_t i = 0; i < r.n; i++) {
        CHECK(r.tap[i] != NULL);
        bool first = true;
        for (uint64_t j = 0; j < i; j++)
            first = first && r.tap[j] != r.tap[i];
        if (first) {
            areas++;
            CHECK_EQ_INT(r.before[i], 0);
        }
    }
    CHECK(areas > 1);
    /* a TCP header quoted in an ICMP error (frames 1-4; frame 2's makes
     * the conversation of stream 0) is not the packet's l4: no area, and
     * the area of that conversation is first used by the real handshake */
    area_run("icmp_quote", 16, &r);
    for (int i = 0; i < 4; i++)
        CHECK(r.tap[i] == NULL);
    CHECK(r.tap[4] != NULL);
    CHECK_EQ_INT(r.before[4], 0);
    /* without tap_bytes: no area */
    area_run("port_reuse", 0, &r);
    for (int i = 0; i < 12; i++)
        CHECK(r.tap[i] == NULL);
}

/* Unacknowledged segments are capped per direction: memory stays bounded
 * when one side is never acknowledged. */
static void test_unacked_cap(void)
{
    struct mkcap m;
    mkcap_init(&m, MKCAP_PCAP_US);
    struct sc_conn c = sc_conn4(1, 40100, 2, 80);
    uint32_t n = PW_MAX_TCP_UNACKED + 50;
    for (uint32_t i = 0; i < n; i++)
        sc_seg(&m, &c, CS, SC_T0 + US(i), MK_ACK, C_ISN + 1 + i * 10, S_ISN, 10);
    struct run *r = calloc(1, sizeof(*r));
    run_mem(m.buf, m.len, r);
    CHECK_EQ_INT(r->st.unacked_dropped, 50);
    CHECK_EQ_INT(r->st.tcp_streams, 1);
    free(r);
    mkcap_free(&m);
}

/* The published fields (what filters and -T fields read): values of frame
 * 4 of "basic" (client data after the handshake) and frame 2 of
 * "icmp_quote" (a quoted SYN), as tshark prints them. */
struct fieldrun {
    uint64_t want_frame;
    const char *names[8];
    long long got[8]; /* -1: absent */
};

static void field_tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    struct fieldrun *fr = arg;
    if (pkt->frame != fr->want_frame)
        return;
    for (int k = 0; k < 8 && fr->names[k]; k++) {
        const struct pw_field *f = pw_field_by_name(fr->names[k]);
        fr->got[k] = -1;
        for (int i = 0; f && i < pkt->nlayers; i++) {
            struct pw_fvalue v;
            if (pkt->layer[i].proto == f->proto && f->get(pkt, &pkt->layer[i], &v, 1) > 0)
                fr->got[k] = (long long)v.v.u;
        }
    }
}

static void run_fields(const char *scenario, struct fieldrun *fr)
{
    struct mkcap m;
    scenario_build(scenario_by_name(scenario), &m);
    struct pw_error err = {0};
    struct pw_reader *rd = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&rd, m.buf, m.len, &err), 0);
    struct pw_flows *fl = pw_flows_new(NULL, &err);
    struct pw_tap t = {fr, field_tap};
    struct pw_pass_opts opts = {.dissect = true, .flows = fl};
    struct pw_pass_result res;
    pw_pass_run(rd, &t, 1, &opts, &res);
    pw_flows_free(fl);
    pw_reader_free(rd);
    mkcap_free(&m);
}

static void test_fields(void)
{
    struct fieldrun fr = {4,
                          {"tcp.stream", "tcp.seq", "tcp.ack", "tcp.nxtseq", "tcp.analysis.ack_rtt",
                           "tcp.analysis.initial_rtt", "tcp.analysis.bytes_in_flight", NULL},
                          {0}};
    run_fields("basic", &fr);
    CHECK_EQ_INT(fr.got[0], 0);
    CHECK_EQ_INT(fr.got[1], 1);
    CHECK_EQ_INT(fr.got[2], 1);
    CHECK_EQ_INT(fr.got[3], 101);
    CHECK_EQ_INT(fr.got[4], -1); /* acknowledges nothing new */
    CHECK_EQ_INT(fr.got[5], 50100000);
    CHECK_EQ_INT(fr.got[6], 100);
    struct fieldrun q = {2, {"tcp.stream", "tcp.seq", "tcp.analysis.ack_rtt", NULL}, {0}};
    run_fields("icmp_quote", &q);
    CHECK_EQ_INT(q.got[0], 0);
    CHECK_EQ_INT(q.got[1], 1000); /* quoted: as on the wire */
    CHECK_EQ_INT(q.got[2], -1);
    struct fieldrun q1 = {1, {"tcp.stream", "tcp.seq", NULL}, {0}};
    run_fields("icmp_quote", &q1); /* 8 quoted bytes: a sequence number, no stream */
    CHECK_EQ_INT(q1.got[0], -1);
    CHECK_EQ_INT(q1.got[1], 1000);
    CHECK(pw_field_by_name("udp.stream") != NULL);
    CHECK_EQ_INT(pw_field_by_name("tcp.analysis.ack_rtt")->type, PW_FT_RELATIVE_TIME);
    CHECK_EQ_INT(pw_field_by_name("tcp.stream")->type, PW_FT_UINT32);
}

/* Wireshark's nstime arithmetic with out-of-range fractions: tshark prints
 * iRTT 1.1147483649 for SYN at 1418145369.999999999 and ACK at
 * 1418145370 + 0x80000000 ns (tcpdump's timestamp_invalid_nano.pcap). */
static void test_nstime(void)
{
    struct pw_ts syn = {1418145369, 999999999}, ack = {1418145370, 0x80000000u};
    struct pw_nstime d = pw_nstime_delta(pw_nstime_of_ts(ack), pw_nstime_of_ts(syn));
    char buf[64];
    CHECK_EQ_STR(pw_nstime_fmt(buf, sizeof(buf), d), "1.1147483649");
    struct pw_ts a = {100, 500000000}, b = {99, 700000000};
    CHECK_EQ_STR(
        pw_nstime_fmt(buf, sizeof(buf), pw_nstime_delta(pw_nstime_of_ts(a), pw_nstime_of_ts(b))),
        "0.800000000");
    CHECK_EQ_STR(
        pw_nstime_fmt(buf, sizeof(buf), pw_nstime_delta(pw_nstime_of_ts(b), pw_nstime_of_ts(a))),
        "-0.800000000");
    struct pw_ts c = {98, 100000000};
    CHECK_EQ_STR(
        pw_nstime_fmt(buf, sizeof(buf), pw_nstime_delta(pw_nstime_of_ts(c), pw_nstime_of_ts(a))),
        "-2.400000000");
}

TEST_MAIN(TEST_CASE(test_basic), TEST_CASE(test_syn_retransmitted), TEST_CASE(test_syn_after_synack),
          TEST_CASE(test_synack_retransmitted), TEST_CASE(test_synack_without_syn),
          TEST_CASE(test_port_reuse), TEST_CASE(test_simultaneous_open), TEST_CASE(test_rst_answer),
          TEST_CASE(test_ipv6), TEST_CASE(test_vlan), TEST_CASE(test_pcapng_nanoseconds),
          TEST_CASE(test_no_answer), TEST_CASE(test_icmp_quote), TEST_CASE(test_tap_area), TEST_CASE(test_unacked_cap),
          TEST_CASE(test_nstime), TEST_CASE(test_fields))
