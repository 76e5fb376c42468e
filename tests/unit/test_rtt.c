/* Unit tests for the handshake-RTT tap and its outputs (src/stats/rtt.c,
 * src/output/rtt_*.c) on the hand-built captures of rtt_scenarios.h:
 * per-connection records, outcomes, retransmission counts, the per-server
 * summary (nearest-rank percentiles), the capture-side guess, and the exact
 * CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flows.h"
#include "output/rtt.h"
#include "rtt_scenarios.h"
#include "stats/pass.h"
#include "test.h"

static void tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    pw_rtt_packet(arg, pkt);
}

/* Runs a scenario through reader, dissection, flow stage and the tap. */
static struct pw_rtt *run(const char *name)
{
    const struct scenario *sc = scenario_by_name(name);
    CHECK(sc != NULL);
    struct mkcap m;
    scenario_build(sc, &m);
    struct pw_error err = {0};
    struct pw_reader *rd = NULL;
    CHECK_EQ_INT(pw_reader_open_mem(&rd, m.buf, m.len, &err), 0);
    struct pw_flows *fl = pw_flows_new(NULL, &err);
    struct pw_rtt *r = pw_rtt_new();
    CHECK(fl && r && rd);
    struct pw_tap t = {r, tap};
    struct pw_pass_opts opts = {.dissect = true, .flows = fl};
    struct pw_pass_result res;
    CHECK_EQ_INT(pw_pass_run(rd, &t, 1, &opts, &res), 0);
    CHECK_EQ_INT(pw_rtt_finish(r), 0);
    pw_flows_free(fl);
    pw_reader_free(rd);
    mkcap_free(&m);
    return r;
}

static char *csv_of(const struct pw_rtt *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct pw_rtt_report rep = {"x", r, false};
    pw_rtt_csv(f, &rep, true);
    fclose(f);
    return buf;
}

static void test_basic_record(void)
{
    struct pw_rtt *r = run("basic");
    CHECK_EQ_INT(pw_rtt_nconns(r), 1);
    const struct pw_rtt_conn *c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->stream, 0);
    CHECK_EQ_INT(c->client[3], 1);
    CHECK_EQ_INT(c->server[3], 2);
    CHECK_EQ_INT(c->client_port, 40000);
    CHECK_EQ_INT(c->server_port, 80);
    CHECK_EQ_INT(c->syn_frame, 1);
    CHECK_EQ_INT(c->synack_frame, 2);
    CHECK_EQ_INT(pw_nstime_ns(c->handshake_rtt), 50000000);
    CHECK_EQ_INT(pw_nstime_ns(c->client_rtt), 100000);
    CHECK_EQ_INT(pw_nstime_ns(c->initial_rtt), 50100000);
    CHECK_EQ_INT(c->outcome, PW_RTT_ESTABLISHED);
    pw_rtt_free(r);
}

static void test_retransmissions(void)
{
    struct pw_rtt *r = run("syn_retrans");
    const struct pw_rtt_conn *c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->syn_retransmits, 1);
    CHECK_EQ_INT(c->synack_retransmits, 0);
    CHECK_EQ_INT(pw_nstime_ns(c->handshake_rtt), 1050000000); /* from the first SYN */
    CHECK_EQ_INT(pw_nstime_ns(c->initial_rtt), 60000000);     /* from the last */
    CHECK_EQ_INT(pw_nstime_ns(c->client_rtt), 10000000);
    pw_rtt_free(r);
    r = run("synack_retrans");
    c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->syn_retransmits, 0);
    CHECK_EQ_INT(c->synack_retransmits, 1);
    CHECK_EQ_INT(c->synack_frame, 2);
    CHECK_EQ_INT(pw_nstime_ns(c->handshake_rtt), 20000000);
    CHECK_EQ_INT(pw_nstime_ns(c->client_rtt), 1001000000); /* from the first SYN/ACK */
    pw_rtt_free(r);
    r = run("no_answer");
    c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->syn_retransmits, 2);
    CHECK_EQ_INT(c->outcome, PW_RTT_NO_ANSWER);
    CHECK(!c->has_handshake_rtt && !c->has_client_rtt && !c->has_initial_rtt);
    pw_rtt_free(r);
}

static void test_outcomes(void)
{
    struct pw_rtt *r = run("synack_only");
    const struct pw_rtt_conn *c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->outcome, PW_RTT_SYNACK_WITHOUT_SYN);
    CHECK_EQ_INT(c->client_port, 40003); /* the SYN/ACK's receiver */
    CHECK_EQ_INT(c->syn_frame, 0);
    CHECK(!c->has_handshake_rtt && !c->has_initial_rtt);
    CHECK(c->has_client_rtt);
    pw_rtt_free(r);
    r = run("rst");
    c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->outcome, PW_RTT_RESET);
    CHECK_EQ_INT(pw_nstime_ns(c->initial_rtt), 200000);
    pw_rtt_free(r);
    r = run("simultaneous");
    c = pw_rtt_conn(r, 0);
    CHECK_EQ_INT(c->outcome, PW_RTT_SIMULTANEOUS_OPEN);
    CHECK_EQ_INT(c->client_port, 40005);
    CHECK_EQ_INT(c->synack_frame, 4); /* the server's SYN/ACK */
    CHECK_EQ_INT(pw_nstime_ns(c->handshake_rtt), 12000000);
    pw_rtt_free(r);
}

/* tcp.stream order, exact columns, empty cells for missing values */
static void test_port_reuse_csv(void)
{
    struct pw_rtt *r = run("port_reuse");
    char *s = csv_of(r);
    CHECK_EQ_STR(s, PW_RTT_CSV_HEADER
                 "\n"
                 "0,10.0.0.1,40004,10.0.0.2,80,1,2,1700000000.000000000,0.010000000,"
                 "0.000050000,0.010050000,0,0,established\n"
                 "1,10.0.0.1,40004,10.0.0.2,80,7,8,1700000005.000000000,0.030000000,"
                 "0.001000000,0.031000000,1,0,established\n"
                 "2,10.0.0.1,40004,10.0.0.2,80,11,,1700000007.000000000,,,0.002000000,0,0,"
                 "reset\n");
    free(s);
    pw_rtt_free(r);
}

static void test_ipv6_and_nano_csv(void)
{
    struct pw_rtt *r = run("ipv6");
    char *s = csv_of(r);
    CHECK_EQ_STR(s, PW_RTT_CSV_HEADER
                 "\n"
                 "0,2001:db8::1,40008,2001:db8::2,443,1,2,1700000000.000000000,0.025000000,"
                 "0.000040000,0.025040000,0,0,established\n");
    free(s);
    pw_rtt_free(r);
    r = run("nano");
    s = csv_of(r);
    CHECK_EQ_STR(s, PW_RTT_CSV_HEADER
                 "\n"
                 "0,10.0.0.1,40010,10.0.0.2,80,1,2,1700000000.000000001,0.123456789,"
                 "0.000001001,0.123457790,0,0,established\n");
    free(s);
    pw_rtt_free(r);
}

static void test_server_summary(void)
{
    struct pw_rtt *r = run("servers");
    CHECK_EQ_INT(pw_rtt_nservers(r), 3);
    const struct pw_rtt_server *s = pw_rtt_server(r, 0);
    CHECK_EQ_INT(s->addr[3], 2); /* three connections */
    CHECK_EQ_INT(s->connections, 3);
    CHECK_EQ_INT(s->rtt.n, 3);
    CHECK_EQ_INT(s->rtt.min, 10000000);
    CHECK_EQ_INT(s->rtt.median, 20000000);
    CHECK_EQ_INT(s->rtt.p90, 30000000);
    CHECK_EQ_INT(s->rtt.max, 30000000);
    s = pw_rtt_server(r, 1);
    CHECK_EQ_INT(s->addr[3], 3);
    CHECK_EQ_INT(s->rtt.median, 5000000); /* nearest rank: the lower middle value */
    s = pw_rtt_server(r, 2);
    CHECK_EQ_INT(s->addr[3], 4);
    CHECK_EQ_INT(s->rtt.n, 0);
    const struct pw_rtt_summary *t = pw_rtt_summary(r);
    CHECK_EQ_INT(t->connections, 6);
    CHECK_EQ_INT(t->outcomes[PW_RTT_ESTABLISHED], 5);
    CHECK_EQ_INT(t->outcomes[PW_RTT_RESET], 1);
    CHECK_EQ_INT(t->rtt.n, 5);
    CHECK_EQ_INT(t->rtt.median, 10000000);
    CHECK_EQ_INT(t->side, PW_SIDE_CLIENT);
    pw_rtt_free(r);
}

static void test_capture_side(void)
{
    struct pw_rtt *r = run("server_side");
    const struct pw_rtt_summary *t = pw_rtt_summary(r);
    CHECK_EQ_INT(t->both_legs, 4);
    CHECK_EQ_INT(t->leg1_median, 40000);
    CHECK_EQ_INT(t->leg2_median, 30100000);
    CHECK_EQ_INT(t->side, PW_SIDE_SERVER);
    CHECK(strstr(pw_rtt_side_advice(t->side), "client leg") != NULL);
    pw_rtt_free(r);
}

static void test_nearest_rank(void)
{
    int64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 100 - i; /* unsorted on purpose */
    struct pw_rtt_dist d;
    pw_rtt_dist_of(v, 100, &d);
    CHECK_EQ_INT(d.min, 1);
    CHECK_EQ_INT(d.median, 50);
    CHECK_EQ_INT(d.p90, 90);
    CHECK_EQ_INT(d.p99, 99);
    CHECK_EQ_INT(d.max, 100);
    int64_t w[3] = {7, 3, 5};
    pw_rtt_dist_of(w, 3, &d);
    CHECK_EQ_INT(d.median, 5);
    CHECK_EQ_INT(d.p90, 7);
    int64_t x[1] = {42};
    pw_rtt_dist_of(x, 1, &d);
    CHECK_EQ_INT(d.median, 42);
    CHECK_EQ_INT(d.p99, 42);
    pw_rtt_dist_of(x, 0, &d);
    CHECK_EQ_INT(d.n, 0);
}

static void test_text_and_json(void)
{
    struct pw_rtt *r = run("server_side");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct pw_rtt_report rep = {"cap.pcap", r, false};
    pw_rtt_text(f, &rep);
    fclose(f);
    CHECK(strstr(buf, "TCP handshakes in cap.pcap") != NULL);
    CHECK(strstr(buf, "10.0.0.2      4         4  0.040   0.040  0.040  0.040  0.040\n") != NULL);
    CHECK(strstr(buf, "taken on the server side") != NULL);
    free(buf);
    json_t *doc = pw_rtt_json(&rep);
    json_t *side = json_object_get(doc, "capture_side");
    CHECK_EQ_STR(json_string_value(json_object_get(side, "side")), "server");
    json_t *conns = json_object_get(doc, "connections");
    CHECK_EQ_INT(json_array_size(conns), 4);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(conns, 0), "handshake_rtt_ns")),
                 40000);
    json_decref(doc);
    pw_rtt_free(r);
}

TEST_MAIN(TEST_CASE(test_basic_record), TEST_CASE(test_retransmissions), TEST_CASE(test_outcomes),
          TEST_CASE(test_port_reuse_csv), TEST_CASE(test_ipv6_and_nano_csv),
          TEST_CASE(test_server_summary), TEST_CASE(test_capture_side),
          TEST_CASE(test_nearest_rank), TEST_CASE(test_text_and_json))
