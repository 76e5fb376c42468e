/* The alert tap (src/classify/alerts.c) on captures built here with the
 * project's writer: a policy expecting only TCP 22/443 on a host turns
 * port-111 traffic into unexpected-service; scans; failed handshakes and
 * RST storms; cleartext logins; BitTorrent evidence; applications nDPI
 * names from crafted payloads (Stratum mining, TeamViewer); bounded
 * classifier state. Set PW_ALERTS_DUMP=DIR to keep each capture as
 * DIR/<case>.pcap for a look with tshark. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "capture/reader.h"
#include "capture/writer.h"
#include "classify/alerts.h"
#include "classify/classify.h"
#include "classify/policy.h"
#include "dissect/app.h"
#include "flow/flows.h"
#include "stats/pass.h"
#include "test.h"

static struct pw_classifier *CLS;

/* ---- capture builder ------------------------------------------------------ */

struct tb {
    struct pw_writer *w;
    uint64_t t_ns;
    uint64_t frames;
    const char *name;
};

static void tb_open(struct tb *b, const char *name)
{
    struct pw_error err;
    memset(b, 0, sizeof(*b));
    b->name = name;
    b->t_ns = 1700000000ull * 1000000000ull;
    if (pw_writer_open_mem(&b->w, PW_FMT_PCAP, 1, 0, &err) < 0) {
        fprintf(stderr, "writer: %s\n", err.msg);
        exit(1);
    }
}

static void tb_frame(struct tb *b, const uint8_t *f, uint32_t len)
{
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = f;
    rec.caplen = rec.len = len;
    rec.linktype = 1;
    rec.ts.sec = (int64_t)(b->t_ns / 1000000000u);
    rec.ts.nsec = (uint32_t)(b->t_ns % 1000000000u);
    struct pw_error err;
    if (pw_writer_write(b->w, &rec, &err) < 0) {
        fprintf(stderr, "write: %s\n", err.msg);
        exit(1);
    }
    b->frames++;
    b->t_ns += 1000000; /* 1 ms apart */
}

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffff);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

static unsigned fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (~s) & 0xffff;
}

static void addr4(const char *s, uint8_t out[4])
{
    if (inet_pton(AF_INET, s, out) != 1) {
        fprintf(stderr, "bad address %s\n", s);
        exit(1);
    }
}

/* Ethernet + IPv4 + the transport bytes l4 (checksum field at csum_off,
 * computed here with the pseudo-header; -1 for none). */
static void tb_ip4(struct tb *b, const char *src, const char *dst, uint8_t proto, uint8_t *l4,
                   size_t l4len, int csum_off)
{
    static uint8_t f[70000];
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    be16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(20 + l4len));
    be16(ip + 4, (unsigned)(b->frames & 0xffff));
    ip[8] = 64;
    ip[9] = proto;
    addr4(src, ip + 12);
    addr4(dst, ip + 16);
    be16(ip + 10, fold(sum16(ip, 20, 0)));
    if (csum_off >= 0) {
        uint8_t ph[12];
        memcpy(ph, ip + 12, 8);
        ph[8] = 0;
        ph[9] = proto;
        be16(ph + 10, (unsigned)l4len);
        l4[csum_off] = l4[csum_off + 1] = 0;
        unsigned c = fold(sum16(l4, l4len, sum16(ph, 12, 0)));
        be16(l4 + csum_off, c ? c : 0xffff);
    }
    memcpy(ip + 20, l4, l4len);
    tb_frame(b, f, (uint32_t)(14 + 20 + l4len));
}

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

static void tb_tcp(struct tb *b, const char *src, unsigned sport, const char *dst, unsigned dport,
                   uint32_t seq, uint32_t ack, unsigned flags, const void *pl, size_t plen)
{
    static uint8_t t[66000];
    memset(t, 0, 20);
    be16(t, sport);
    be16(t + 2, dport);
    be32(t + 4, seq);
    be32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = (uint8_t)flags;
    be16(t + 14, 65535);
    memcpy(t + 20, pl, plen);
    tb_ip4(b, src, dst, 6, t, 20 + plen, 16);
}

static void tb_udp(struct tb *b, const char *src, unsigned sport, const char *dst, unsigned dport,
                   const void *pl, size_t plen)
{
    static uint8_t u[66000];
    be16(u, sport);
    be16(u + 2, dport);
    be16(u + 4, (unsigned)(8 + plen));
    memcpy(u + 8, pl, plen);
    tb_ip4(b, src, dst, 17, u, 8 + plen, 6);
}

static void tb_icmp_echo(struct tb *b, const char *src, const char *dst, bool reply, unsigned seq)
{
    uint8_t m[16] = {reply ? 0 : 8, 0, 0, 0, 0x12, 0x34};
    be16(m + 6, seq);
    be16(m + 2, fold(sum16(m, sizeof(m), 0)));
    tb_ip4(b, src, dst, 1, m, sizeof(m), -1);
}

/* A TCP connection with sequence numbers kept for both sides. */
struct conn {
    struct tb *b;
    const char *c, *s;
    unsigned cport, sport;
    uint32_t cseq, sseq;
};

static struct conn conn_open(struct tb *b, const char *c, unsigned cport, const char *s,
                             unsigned sport)
{
    struct conn k = {b, c, s, cport, sport, 1000, 5000};
    tb_tcp(b, c, cport, s, sport, k.cseq++, 0, SYN, "", 0);
    tb_tcp(b, s, sport, c, cport, k.sseq++, k.cseq, SYN | ACK, "", 0);
    tb_tcp(b, c, cport, s, sport, k.cseq, k.sseq, ACK, "", 0);
    return k;
}

static void conn_send(struct conn *k, bool from_client, const void *pl, size_t n)
{
    if (from_client) {
        tb_tcp(k->b, k->c, k->cport, k->s, k->sport, k->cseq, k->sseq, PSH | ACK, pl, n);
        k->cseq += (uint32_t)n;
    } else {
        tb_tcp(k->b, k->s, k->sport, k->c, k->cport, k->sseq, k->cseq, PSH | ACK, pl, n);
        k->sseq += (uint32_t)n;
    }
}

static void conn_sends(struct conn *k, bool from_client, const char *s)
{
    conn_send(k, from_client, s, strlen(s));
}

static void conn_close(struct conn *k)
{
    tb_tcp(k->b, k->c, k->cport, k->s, k->sport, k->cseq++, k->sseq, FIN | ACK, "", 0);
    tb_tcp(k->b, k->s, k->sport, k->c, k->cport, k->sseq++, k->cseq, FIN | ACK, "", 0);
    tb_tcp(k->b, k->c, k->cport, k->s, k->sport, k->cseq, k->sseq, ACK, "", 0);
}

/* ---- running the tap ---------------------------------------------------------- */

struct run {
    struct pw_policy *pol;
    struct pw_alerts *a;
    struct pw_flows *flows; /* holds a's flow records: freed after a */
};

/* The flow stage keeps no tap area for the alerts tap (its records are
 * then all its own): the outcome must not change. */
static bool NO_TAP_AREA;

static void tap_fn(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    pw_alerts_packet(arg, rec, pkt);
}

/* as the CLI's tap: the pass skips the application stage where the tap
 * does not need it */
static bool tap_before_app(void *arg, const struct pw_packet *pkt)
{
    return pw_alerts_before_app(arg, pkt);
}

/* Runs the pass (flow stage, application stage) over the capture built so
 * far with one tap; PW_ALERTS_DUMP=DIR also writes the capture there. */
/* keep: where the flow stage goes when the tap's records live in it (NULL:
 * a flow stage without a tap area, freed here). */
static void run_pass(struct tb *b, struct pw_tap tap, struct pw_flows **keep)
{
    struct pw_error err;
    CHECK_EQ_INT(pw_writer_flush(b->w, &err), 0);
    size_t len;
    const uint8_t *mem = pw_writer_mem(b->w, &len);
    const char *dump = getenv("PW_ALERTS_DUMP");
    if (dump) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.pcap", dump, b->name);
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(mem, 1, len, f);
            fclose(f);
        }
    }
    struct pw_reader *rd;
    CHECK_EQ_INT(pw_reader_open_mem(&rd, mem, len, &err), 0);
    struct pw_flows_opts fopts = {
        .tap_bytes = keep && !NO_TAP_AREA ? (uint32_t)pw_alerts_flow_bytes() : 0};
    struct pw_flows *flows = pw_flows_new(&fopts, &err);
    struct pw_app *app = pw_app_new();
    struct pw_pass_opts opts = {.dissect = true, .flows = flows, .app = app};
    struct pw_pass_result res;
    CHECK_EQ_INT(pw_pass_run(rd, &tap, 1, &opts, &res), 0);
    CHECK_EQ_INT(res.packets, b->frames);
    pw_app_free(app);
    if (keep)
        *keep = flows;
    else
        pw_flows_free(flows);
    pw_reader_free(rd);
}

/* Runs the built-in policy plus `extra` over the capture, classifying as
 * opts say (NULL: the default); NULL a on error. */
static struct run run_opts(struct tb *b, const char *extra, bool use_default,
                           const struct pw_alerts_opts *aopts)
{
    struct run r = {pw_policy_new(), NULL, NULL};
    struct pw_error err;
    if (use_default)
        CHECK_EQ_INT(pw_policy_load_default(r.pol, &err), 0);
    if (extra && pw_policy_parse(r.pol, extra, strlen(extra), "test", &err) < 0) {
        fprintf(stderr, "policy: %s\n", err.msg);
        CHECK(0);
        return r;
    }
    if (pw_alerts_new_opts(&r.a, r.pol, CLS, aopts, &err) < 0) {
        fprintf(stderr, "alerts: %s\n", err.msg);
        CHECK(0);
        return r;
    }
    run_pass(b, (struct pw_tap){r.a, tap_fn, tap_before_app}, &r.flows);
    pw_alerts_finish(r.a);
    return r;
}

static struct run run_policy(struct tb *b, const char *extra, bool use_default)
{
    return run_opts(b, extra, use_default, NULL);
}

static struct run run(struct tb *b, const char *extra)
{
    return run_policy(b, extra, true);
}

static void run_free(struct run *r, struct tb *b)
{
    pw_alerts_free(r->a);
    pw_flows_free(r->flows);
    pw_policy_free(r->pol);
    struct pw_error err;
    pw_writer_close(b->w, &err);
}

static const char *ip(const struct pw_alert *x, bool server, char *buf)
{
    inet_ntop(x->family == 6 ? AF_INET6 : AF_INET, server ? x->saddr : x->caddr, buf, 64);
    return buf;
}

/* The n-th alert of a kind (and application, when app is not NULL). */
static const struct pw_alert *find(const struct run *r, unsigned kind, const char *app, int n)
{
    if (!r->a)
        return NULL;
    for (size_t i = 0; i < pw_alerts_count(r->a); i++) {
        const struct pw_alert *x = pw_alerts_get(r->a, i);
        if (x->kind == kind && (!app || !strcmp(x->app, app)) && n-- == 0)
            return x;
    }
    return NULL;
}

static int count_kind(const struct run *r, unsigned kind)
{
    int n = 0;
    for (size_t i = 0; r->a && i < pw_alerts_count(r->a); i++)
        n += pw_alerts_get(r->a, i)->kind == kind;
    return n;
}

static void dump_alerts(const struct run *r)
{
    for (size_t i = 0; r->a && i < pw_alerts_count(r->a); i++) {
        const struct pw_alert *x = pw_alerts_get(r->a, i);
        char c[64], s[64];
        fprintf(stderr, "  alert: %s %s %s %s:%u -> %s:%u: %s\n", pw_sev_name(x->sev),
                pw_alert_kind_name(x->kind), x->app, ip(x, false, c), x->cport, ip(x, true, s),
                x->sport, x->evidence);
    }
}

/* ---- cases ---------------------------------------------------------------------- */

static void test_unexpected_service_port_111(void)
{
    struct tb b;
    tb_open(&b, "unexpected_111");
    struct conn k = conn_open(&b, "10.0.0.9", 40001, "10.0.0.5", 22);
    conn_sends(&k, false, "SSH-2.0-OpenSSH_9.2\r\n");
    conn_sends(&k, true, "SSH-2.0-OpenSSH_9.2\r\n");
    conn_close(&k);
    k = conn_open(&b, "10.0.0.9", 40002, "10.0.0.5", 443);
    conn_close(&k);
    /* the neighbour asks the portmapper, twice over TCP and once over UDP */
    for (unsigned i = 0; i < 2; i++) {
        k = conn_open(&b, "10.0.0.9", 40010 + i, "10.0.0.5", 111);
        uint8_t rpc[44] = {0x80, 0, 0, 40, 0x12, 0x34, 0x56, (uint8_t)i, 0,    0,
                           0,    0, 0, 0,  0,    2,    0,    1,          0x86, 0xa0};
        conn_send(&k, true, rpc, sizeof(rpc));
        conn_close(&k);
    }
    tb_udp(&b, "10.0.0.9", 800, "10.0.0.5", 111, "\x12\x34\x56\x78\0\0\0\0", 8);
    /* another host is not covered by the policy: its port 111 is fine */
    k = conn_open(&b, "10.0.0.9", 40020, "10.0.0.77", 111);
    conn_close(&k);
    struct run r = run(&b, "[services]\n10.0.0.5 = tcp/22, tcp/443\n");
    char buf[64];
    const struct pw_alert *x = find(&r, PW_AK_UNEXPECTED_SERVICE, NULL, 0);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_INT(x->ipproto, 6);
        CHECK_EQ_INT(x->sport, 111);
        CHECK_EQ_STR(ip(x, true, buf), "10.0.0.5");
        CHECK_EQ_STR(ip(x, false, buf), "10.0.0.9");
        CHECK_EQ_INT(x->flows, 2);
        CHECK_EQ_INT(x->packets, 2 * 7);
        CHECK_EQ_INT(x->peers, 1);
        CHECK_EQ_INT(x->sev, PW_SEV_MEDIUM);
        CHECK(strstr(x->evidence, "tcp/111 is not among the services expected of 10.0.0.5") !=
              NULL);
        CHECK(strstr(x->evidence, "tcp/22, tcp/443") != NULL);
        CHECK(strstr(x->evidence, "2 answered") != NULL);
    }
    const struct pw_alert *u = find(&r, PW_AK_UNEXPECTED_SERVICE, NULL, 1);
    CHECK(u && u->ipproto == 17 && u->sport == 111);
    CHECK_EQ_INT(count_kind(&r, PW_AK_UNEXPECTED_SERVICE), 2); /* not 22, 443, nor 10.0.0.77 */
    if (count_kind(&r, PW_AK_UNEXPECTED_SERVICE) != 2)
        dump_alerts(&r);
    run_free(&r, &b);
}

static void test_unexpected_service_top(void)
{
    /* many unexpected ports on one host: only the busiest are listed */
    struct tb b;
    tb_open(&b, "unexpected_top");
    for (unsigned p = 0; p < 6; p++) {
        struct conn k = conn_open(&b, "10.0.0.9", 41000 + p, "10.0.0.5", 1000 + p);
        for (unsigned i = 0; i < p; i++)
            conn_sends(&k, true, "x");
        conn_close(&k);
    }
    struct run r = run(&b, "[services]\n10.0.0.0/24 = tcp/22\n[thresholds]\nunexpected.top = 3\n");
    CHECK_EQ_INT(count_kind(&r, PW_AK_UNEXPECTED_SERVICE), 3);
    const struct pw_alert *x = find(&r, PW_AK_UNEXPECTED_SERVICE, NULL, 0);
    CHECK(x && x->sport >= 1003);
    CHECK(x && strstr(x->evidence, "one of 6 unexpected ports") != NULL);
    run_free(&r, &b);
}

static void test_scan(void)
{
    struct tb b;
    tb_open(&b, "scan");
    /* 100 ports of one host: 3 open, 60 closed (RST), the rest silent */
    for (unsigned p = 1; p <= 100; p++) {
        tb_tcp(&b, "10.0.0.66", 50000, "10.0.0.5", p, 77, 0, SYN, "", 0);
        if (p <= 3)
            tb_tcp(&b, "10.0.0.5", p, "10.0.0.66", 50000, 900, 78, SYN | ACK, "", 0);
        else if (p <= 63)
            tb_tcp(&b, "10.0.0.5", p, "10.0.0.66", 50000, 0, 78, RST | ACK, "", 0);
    }
    /* a busy but normal client: 30 answered connections */
    for (unsigned i = 0; i < 30; i++) {
        struct conn k = conn_open(&b, "10.0.0.20", 42000 + i, "10.0.0.80", 80);
        conn_sends(&k, true, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        conn_sends(&k, false, "HTTP/1.1 204 No Content\r\n\r\n");
        conn_close(&k);
    }
    struct run r = run(&b, NULL);
    char buf[64];
    CHECK_EQ_INT(count_kind(&r, PW_AK_SCAN), 1);
    const struct pw_alert *x = find(&r, PW_AK_SCAN, NULL, 0);
    CHECK(x != NULL);
    if (x) {
        CHECK_EQ_STR(ip(x, false, buf), "10.0.0.66");
        CHECK(x->has_server);
        CHECK_EQ_STR(ip(x, true, buf), "10.0.0.5");
        CHECK_EQ_INT(x->peers, 100);
        CHECK_EQ_INT(x->sport, 0); /* many ports */
        CHECK_EQ_INT(x->cport, 50000);
        CHECK_EQ_INT(x->sev, PW_SEV_HIGH);
        CHECK_EQ_INT(x->first_frame, 1);
        CHECK(strstr(x->evidence, "100 ports on 1 host") != NULL);
        CHECK(strstr(x->evidence, "3 answered, 60 refused with RST, 37 unanswered") != NULL);
    }
    /* the scan explains its failed handshakes */
    CHECK_EQ_INT(count_kind(&r, PW_AK_HANDSHAKE), 0);
    run_free(&r, &b);
}

static void test_icmp_sweep(void)
{
    struct tb b;
    tb_open(&b, "icmp_sweep");
    char dst[32];
    for (unsigned h = 1; h <= 30; h++) {
        snprintf(dst, sizeof(dst), "10.0.1.%u", h);
        tb_icmp_echo(&b, "10.0.0.66", dst, false, h);
        if (h <= 4)
            tb_icmp_echo(&b, dst, "10.0.0.66", true, h);
    }
    /* ordinary pings of two hosts do not count */
    tb_icmp_echo(&b, "10.0.0.20", "10.0.1.1", false, 1);
    tb_icmp_echo(&b, "10.0.0.20", "10.0.1.2", false, 1);
    struct run r = run(&b, NULL);
    const struct pw_alert *x = find(&r, PW_AK_SCAN, NULL, 0);
    CHECK(x && x->ipproto == 1 && x->peers == 30 && !x->has_server);
    CHECK(x && strstr(x->evidence, "ICMP echo requests to 30 hosts, 4 answered") != NULL);
    CHECK_EQ_INT(count_kind(&r, PW_AK_SCAN), 1);
    run_free(&r, &b);
}

static void test_handshake_failures(void)
{
    struct tb b;
    tb_open(&b, "handshake");
    char src[32];
    /* 12 clients whose SYNs to 10.0.0.7:80 go unanswered (each retried) */
    for (unsigned c = 1; c <= 12; c++) {
        snprintf(src, sizeof(src), "10.0.2.%u", c);
        tb_tcp(&b, src, 43000, "10.0.0.7", 80, 1, 0, SYN, "", 0);
        tb_tcp(&b, src, 43000, "10.0.0.7", 80, 1, 0, SYN, "", 0);
    }
    struct conn k = conn_open(&b, "10.0.2.99", 43001, "10.0.0.7", 80);
    conn_close(&k);
    /* an RST storm on another service */
    k = conn_open(&b, "10.0.2.50", 43002, "10.0.0.8", 5000);
    for (unsigned i = 0; i < 120; i++)
        tb_tcp(&b, "10.0.0.8", 5000, "10.0.2.50", 43002, k.sseq, k.cseq, RST, "", 0);
    struct run r = run(&b, NULL);
    char buf[64];
    CHECK_EQ_INT(count_kind(&r, PW_AK_HANDSHAKE), 2);
    CHECK_EQ_INT(count_kind(&r, PW_AK_SCAN), 0);
    const struct pw_alert *x = find(&r, PW_AK_HANDSHAKE, NULL, 0);
    const struct pw_alert *y = find(&r, PW_AK_HANDSHAKE, NULL, 1);
    if (x && y && x->sport != 80) {
        const struct pw_alert *t = x;
        x = y;
        y = t;
    }
    CHECK(x != NULL && y != NULL);
    if (x && y) {
        CHECK_EQ_INT(x->sport, 80);
        CHECK_EQ_STR(ip(x, true, buf), "10.0.0.7");
        CHECK_EQ_INT(x->peers, 13);
        CHECK(!x->has_client); /* 13 clients: none named */
        CHECK_EQ_INT(x->sev, PW_SEV_MEDIUM);
        CHECK(strstr(x->evidence, "12 of 13 connection attempts to tcp/80 failed (12 unanswered "
                                  "SYNs, 0 refused") != NULL);
        CHECK_EQ_INT(y->sport, 5000);
        CHECK(strstr(y->evidence, "120 RST segments") != NULL);
    }
    if (!x || !y)
        dump_alerts(&r);
    run_free(&r, &b);
}

/* Scans and handshake failures at and just under the default thresholds
 * (25 targets; 10 failed handshakes; 100 RSTs), the RSTs spread over two
 * connections: the end-of-capture search drops groups that cannot alert
 * before it sorts, and must drop neither these nor count them short. */
static void test_threshold_edges(void)
{
    struct tb b;
    tb_open(&b, "threshold_edges");
    char src[32];
    for (unsigned p = 1; p <= 25; p++)
        tb_tcp(&b, "10.0.4.1", 50001, "10.0.5.9", p, 1, 0, SYN, "", 0);
    for (unsigned p = 1; p <= 24; p++)
        tb_tcp(&b, "10.0.4.2", 50002, "10.0.5.9", 100 + p, 1, 0, SYN, "", 0);
    for (unsigned c = 1; c <= 19; c++) {
        snprintf(src, sizeof(src), "10.0.6.%u", c);
        tb_tcp(&b, src, 43000, c <= 10 ? "10.0.5.1" : "10.0.5.2", 80, 1, 0, SYN, "", 0);
    }
    struct conn k = conn_open(&b, "10.0.6.99", 43001, "10.0.5.1", 80);
    conn_close(&k);
    for (unsigned s = 3; s <= 4; s++) {
        char srv[32];
        snprintf(srv, sizeof(srv), "10.0.5.%u", s);
        for (unsigned c = 0; c < 2; c++) {
            k = conn_open(&b, "10.0.6.50", (uint16_t)(43002 + c), srv, 5000);
            for (unsigned i = 0; i < 50u - (s == 4 && c == 1); i++)
                tb_tcp(&b, srv, 5000, "10.0.6.50", (uint16_t)(43002 + c), k.sseq, k.cseq, RST,
                       "", 0);
        }
    }
    struct run r = run(&b, NULL);
    char buf[64];
    CHECK_EQ_INT(count_kind(&r, PW_AK_SCAN), 1);
    const struct pw_alert *x = find(&r, PW_AK_SCAN, NULL, 0);
    CHECK(x && !strcmp(ip(x, false, buf), "10.0.4.1") && x->peers == 25);
    CHECK_EQ_INT(count_kind(&r, PW_AK_HANDSHAKE), 2);
    for (int n = 0; n < 2; n++) {
        x = find(&r, PW_AK_HANDSHAKE, NULL, n);
        CHECK(x != NULL);
        if (!x)
            continue;
        ip(x, true, buf);
        if (!strcmp(buf, "10.0.5.1"))
            CHECK(strstr(x->evidence, "10 of 11 connection attempts to tcp/80 failed") != NULL);
        else
            CHECK(!strcmp(buf, "10.0.5.3") && strstr(x->evidence, "100 RST segments") != NULL);
    }
    run_free(&r, &b);
}

static void test_cleartext_credentials(void)
{
    struct tb b;
    tb_open(&b, "cleartext");
    struct conn k = conn_open(&b, "10.0.3.1", 44001, "10.0.3.2", 21);
    conn_sends(&k, false, "220 FTP server ready\r\n");
    conn_sends(&k, true, "USER alice\r\n");
    conn_sends(&k, false, "331 Password required\r\n");
    conn_sends(&k, true, "PASS secret\r\n");
    conn_sends(&k, false, "230 Logged in\r\n");
    conn_close(&k);
    k = conn_open(&b, "10.0.3.1", 44002, "10.0.3.3", 8080);
    /* "bob:hunter2" */
    conn_sends(&k, true,
               "GET /admin HTTP/1.1\r\nHost: intranet\r\nAuthorization: Basic "
               "Ym9iOmh1bnRlcjI=\r\n\r\n");
    conn_sends(&k, false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    conn_close(&k);
    k = conn_open(&b, "10.0.3.1", 44003, "10.0.3.4", 143);
    conn_sends(&k, false, "* OK IMAP4rev1 ready\r\n");
    conn_sends(&k, true, "a001 LOGIN carol pa55\r\n");
    conn_close(&k);
    /* a plain web request without credentials gives nothing */
    k = conn_open(&b, "10.0.3.1", 44004, "10.0.3.3", 80);
    conn_sends(&k, true, "GET / HTTP/1.1\r\nHost: intranet\r\n\r\n");
    conn_close(&k);
    struct run r = run(&b, NULL);
    CHECK_EQ_INT(count_kind(&r, PW_AK_CLEARTEXT), 3);
    bool ftp = false, http = false, imap = false;
    for (int i = 0; i < 3; i++) {
        const struct pw_alert *x = find(&r, PW_AK_CLEARTEXT, NULL, i);
        if (!x)
            continue;
        CHECK_EQ_INT(x->sev, PW_SEV_HIGH);
        ftp |= strstr(x->evidence, "USER 'alice'") && strstr(x->evidence, "PASS");
        http |= strstr(x->evidence, "HTTP Basic authorization for user 'bob'") != NULL;
        imap |= strstr(x->evidence, "IMAP LOGIN as 'carol'") != NULL;
        CHECK(strstr(x->evidence, "secret") == NULL && strstr(x->evidence, "hunter2") == NULL &&
              strstr(x->evidence, "pa55") == NULL); /* never the password */
    }
    CHECK(ftp && http && imap);
    if (!(ftp && http && imap))
        dump_alerts(&r);
    run_free(&r, &b);
}

static void test_bittorrent_tcp_and_dht(void)
{
    struct tb b;
    tb_open(&b, "bittorrent");
    uint8_t hs[68] = {19};
    memcpy(hs + 1, "BitTorrent protocol", 19);
    for (int i = 0; i < 20; i++)
        hs[28 + i] = (uint8_t)(0x3f + i); /* info-hash 3f4041... */
    memcpy(hs + 48, "-TR3000-abcdefghijkl", 20);
    struct conn k = conn_open(&b, "10.0.4.1", 45001, "10.0.4.2", 51413);
    conn_send(&k, true, hs, sizeof(hs));
    conn_send(&k, false, hs, sizeof(hs));
    static const uint8_t interested[5] = {0, 0, 0, 1, 2};
    conn_send(&k, true, interested, sizeof(interested));
    conn_close(&k);
    /* a DHT get_peers query to another peer */
    static const char q[] = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e"
                            "1:q9:get_peers1:t2:aa1:y1:qe";
    tb_udp(&b, "10.0.4.1", 6881, "10.0.4.3", 6881, q, sizeof(q) - 1);
    struct run r = run(&b, NULL);
    char buf[64];
    const struct pw_alert *x = find(&r, PW_AK_UNWANTED_APP, "BitTorrent", 0);
    const struct pw_alert *y = find(&r, PW_AK_UNWANTED_APP, "BitTorrent", 1);
    if (x && y && x->ipproto != 6) {
        const struct pw_alert *t = x;
        x = y;
        y = t;
    }
    CHECK(x != NULL && y != NULL);
    if (x) {
        CHECK_EQ_INT(x->ipproto, 6);
        CHECK_EQ_INT(x->sev, PW_SEV_HIGH);
        CHECK_EQ_STR(ip(x, false, buf), "10.0.4.1");
        CHECK_EQ_STR(ip(x, true, buf), "10.0.4.2");
        CHECK_EQ_INT(x->sport, 51413);
        CHECK_EQ_STR(x->category, "Download");
        CHECK(strstr(x->evidence, "BitTorrent handshake in frame 4 (info-hash "
                                  "3f404142434445464748494a4b4c4d4e4f505152)") != NULL);
    }
    if (y) {
        CHECK_EQ_INT(y->ipproto, 17);
        CHECK_EQ_STR(ip(y, true, buf), "10.0.4.3");
        CHECK(strstr(y->evidence, "BitTorrent DHT get_peers query") != NULL);
        CHECK(strstr(y->evidence, "6d6e6f7071") != NULL); /* "mnopq" */
    }
    if (!x || !y)
        dump_alerts(&r);
    run_free(&r, &b);
}

static void test_allow_overrides_default(void)
{
    struct tb b;
    tb_open(&b, "allow");
    uint8_t hs[68] = {19};
    memcpy(hs + 1, "BitTorrent protocol", 19);
    struct conn k = conn_open(&b, "10.0.4.1", 45001, "10.0.4.2", 51413);
    conn_send(&k, true, hs, sizeof(hs));
    conn_send(&k, false, hs, sizeof(hs));
    conn_close(&k);
    struct run r = run(&b, "[applications]\nBitTorrent = allow\n");
    CHECK_EQ_INT(count_kind(&r, PW_AK_UNWANTED_APP), 0);
    run_free(&r, &b);
    /* a category rule: the application rule is gone, Download is denied */
    tb_open(&b, "category");
    k = conn_open(&b, "10.0.4.1", 45001, "10.0.4.2", 51413);
    conn_send(&k, true, hs, sizeof(hs));
    conn_send(&k, false, hs, sizeof(hs));
    conn_close(&k);
    r = run_policy(&b, "[categories]\nDownload = low\n", false);
    const struct pw_alert *x = find(&r, PW_AK_UNWANTED_APP, "BitTorrent", 0);
    CHECK(x && x->sev == PW_SEV_LOW);
    run_free(&r, &b);
}

static void test_protocol_port_mismatch(void)
{
    struct tb b;
    tb_open(&b, "ssh443");
    struct conn k = conn_open(&b, "10.0.5.1", 46001, "10.0.5.2", 443);
    conn_sends(&k, false, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    conn_sends(&k, true, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    uint8_t kex[200] = {0, 0, 0, 196, 4, 20};
    conn_send(&k, true, kex, sizeof(kex));
    conn_send(&k, false, kex, sizeof(kex));
    conn_close(&k);
    /* SSH on 22 is fine */
    k = conn_open(&b, "10.0.5.1", 46002, "10.0.5.2", 22);
    conn_sends(&k, false, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    conn_sends(&k, true, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    conn_close(&k);
    struct run r = run(&b, NULL);
    CHECK_EQ_INT(count_kind(&r, PW_AK_PORT_MISMATCH), 1);
    const struct pw_alert *x = find(&r, PW_AK_PORT_MISMATCH, "SSH", 0);
    CHECK(x && x->sport == 443 && x->sev == PW_SEV_LOW);
    CHECK(x && strstr(x->evidence, "SSH found by payload") && strstr(x->evidence, "tcp/443") &&
          strstr(x->evidence, "usual: tcp/22"));
    CHECK_EQ_INT(count_kind(&r, PW_AK_UNWANTED_APP), 0); /* SSH is allowed */
    if (!x)
        dump_alerts(&r);
    run_free(&r, &b);
}

/* A Stratum (JSON-RPC over TCP) mining session: the default policy makes
 * mining critical. */
static void test_mining(void)
{
    struct tb b;
    tb_open(&b, "mining");
    struct conn k = conn_open(&b, "10.0.6.1", 47001, "10.0.6.2", 3333);
    conn_sends(&k, true,
               "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n");
    conn_sends(&k, false,
               "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a302a8a9dd95"
               "cf71f\"]],\"08000002\",4],\"error\":null}\n");
    conn_sends(&k, true,
               "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"worker1\","
               "\"x\"]}\n");
    conn_close(&k);
    struct run r = run(&b, NULL);
    const struct pw_alert *x = find(&r, PW_AK_UNWANTED_APP, "Mining", 0);
    CHECK(x && x->sev == PW_SEV_CRITICAL);
    CHECK(x && !strcmp(x->category, "Mining"));
    if (!x)
        dump_alerts(&r);
    run_free(&r, &b);
}

/* TeamViewer's own protocol on its port 5938 (CMD_IDENTIFY-like first
 * bytes 0x17 0x24): a remote-access tool the default policy flags high. */
static void test_teamviewer(void)
{
    struct tb b;
    tb_open(&b, "teamviewer");
    struct conn k = conn_open(&b, "10.0.7.1", 48001, "10.0.7.2", 5938);
    uint8_t m[32] = {0x17, 0x24, 0x0a, 0x20, 0x00};
    conn_send(&k, true, m, sizeof(m));
    conn_send(&k, false, m, sizeof(m));
    conn_send(&k, true, m, sizeof(m));
    conn_send(&k, false, m, sizeof(m));
    conn_close(&k);
    struct run r = run(&b, NULL);
    const struct pw_alert *x = find(&r, PW_AK_UNWANTED_APP, "TeamViewer", 0);
    CHECK(x && x->sev == PW_SEV_HIGH && !strcmp(x->category, "RemoteAccess"));
    if (!x)
        dump_alerts(&r);
    run_free(&r, &b);
}

/* Payload nDPI cannot place ('abc...' filler, as tools/gen writes). */
static void conn_filler(struct conn *k, bool from_client, size_t n)
{
    char pl[256];
    for (size_t i = 0; i < n && i < sizeof(pl); i++)
        pl[i] = (char)('a' + i % 26);
    conn_send(k, from_client, pl, n < sizeof(pl) ? n : sizeof(pl));
}

/* One connection to 10.0.9.2:7000 (a port nDPI has no guess for): the
 * client's first payload, then five server payloads of filler. */
static void endpoint_conn(struct tb *b, unsigned cport, const char *first)
{
    struct conn k = conn_open(b, "10.0.9.1", cport, "10.0.9.2", 7000);
    if (first)
        conn_sends(&k, true, first);
    else
        conn_filler(&k, true, 120);
    for (int i = 0; i < 5; i++)
        conn_filler(&k, false, 200);
    conn_close(&k);
}

/* Flows to one server endpoint whose payload nDPI cannot place: the first
 * is inspected with the full budget (the SYN, the SYN/ACK and 6 payloads),
 * the second only until both sides have shown a payload (4 packets); then
 * the answer is reused, except at the endpoint's 4th and 8th flows, which
 * are re-checked on their first payload (3 packets). A re-check still sees
 * what that payload carries: a Stratum login at the 8th flow is found and
 * alerted. */
static void test_endpoint_reuse_and_confirm(void)
{
    struct tb b;
    tb_open(&b, "endpoint_reuse");
    for (unsigned i = 0; i < 6; i++)
        endpoint_conn(&b, 40000 + i, NULL);
    struct run r = run(&b, NULL);
    struct pw_alerts_stats st;
    pw_alerts_get_stats(r.a, &st);
    CHECK_EQ_INT(st.tcp_flows, 6);
    CHECK_EQ_INT(st.cls_reused, 3);          /* flows 3, 5, 6 */
    CHECK_EQ_INT(st.cls_packets, 8 + 4 + 3); /* flows 1, 2, 4 */
    CHECK_EQ_INT(count_kind(&r, PW_AK_UNWANTED_APP), 0);
    run_free(&r, &b);

    tb_open(&b, "endpoint_recheck");
    for (unsigned i = 0; i < 7; i++)
        endpoint_conn(&b, 40000 + i, NULL);
    endpoint_conn(&b, 40007,
                  "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n");
    r = run(&b, NULL);
    pw_alerts_get_stats(r.a, &st);
    CHECK_EQ_INT(st.cls_reused, 4); /* flows 3, 5, 6, 7 */
    const struct pw_alert *x = find(&r, PW_AK_UNWANTED_APP, "Mining", 0);
    CHECK(x && x->cport == 40007 && x->sport == 7000);
    if (!x)
        dump_alerts(&r);
    run_free(&r, &b);
}

/* Many one-packet flows: classifier state stays within PW_CLS_MAX_LIVE and
 * is given back (ASan's leak check sees the rest). */
/* n flows of one SYN each, from one client to n servers. */
static void many_syn_flows(struct tb *b, const char *name, unsigned n)
{
    tb_open(b, name);
    char dst[32];
    for (unsigned i = 0; i < n; i++) {
        snprintf(dst, sizeof(dst), "10.%u.%u.%u", 8 + (i >> 16), (i >> 8) & 255, i & 255);
        tb_tcp(b, "10.200.0.1", 30000 + (i % 30000), dst, 80, 1, 0, SYN, "", 0);
    }
}

static void test_bounded_classifier_state(void)
{
    struct tb b;
    unsigned n = PW_CLS_MAX_LIVE + 500;
    many_syn_flows(&b, "many_flows", n);
    struct run r = run(&b, "[alerts]\nscan = off\nhandshake-failures = off\n");
    struct pw_alerts_stats st;
    pw_alerts_get_stats(r.a, &st);
    CHECK_EQ_INT(st.tcp_flows, n);
    CHECK(st.cls_live_max <= PW_CLS_MAX_LIVE);
    CHECK(st.cls_evicted >= 500);
    CHECK_EQ_INT(pw_alerts_count(r.a), 0);
    run_free(&r, &b);
}

/* ---- classification on a worker thread ------------------------------------------ */

static void flow_line(void *arg, const struct pw_alert_flow *fl)
{
    char c[64], s[64];
    inet_ntop(fl->family == 6 ? AF_INET6 : AF_INET, fl->caddr, c, sizeof(c));
    inet_ntop(fl->family == 6 ? AF_INET6 : AF_INET, fl->saddr, s, sizeof(s));
    fprintf(arg, "flow %u %u %s:%u %s:%u %llu %llu %llu %llu [%s] [%s] [%s] [%s]\n", fl->ipproto,
            fl->stream, c, fl->cport, s, fl->sport, (unsigned long long)fl->packets,
            (unsigned long long)fl->bytes, (unsigned long long)fl->first_frame,
            (unsigned long long)fl->last_frame, fl->app, fl->category, fl->confidence,
            fl->wireshark);
}

/* Everything the tap reports, as text (NULL when the run failed). */
static char *outcome(const struct run *r)
{
    if (!r->a)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct pw_alerts_stats st;
    pw_alerts_get_stats(r->a, &st);
    fprintf(f, "stats %llu %llu %llu %llu %llu %llu %llu %llu %llu %u\n",
            (unsigned long long)st.packets, (unsigned long long)st.tcp_flows,
            (unsigned long long)st.udp_flows, (unsigned long long)st.classified,
            (unsigned long long)st.flows_dropped, (unsigned long long)st.cls_evicted,
            (unsigned long long)st.cls_reused, (unsigned long long)st.cls_packets,
            (unsigned long long)st.alerts_dropped, st.cls_live_max);
    for (size_t i = 0; i < pw_alerts_count(r->a); i++) {
        const struct pw_alert *x = pw_alerts_get(r->a, i);
        char c[64], s[64];
        fprintf(f, "alert %u %u %u %s:%u %s:%u [%s] [%s] [%s] %llu-%llu %llu %llu %u %u [%s]",
                x->kind, x->sev, x->ipproto, ip(x, false, c), x->cport, ip(x, true, s), x->sport,
                x->app, x->category, x->wireshark, (unsigned long long)x->first_frame,
                (unsigned long long)x->last_frame, (unsigned long long)x->packets,
                (unsigned long long)x->bytes, x->flows, x->peers, x->evidence);
        for (unsigned k = 0; k < x->npeer; k++)
            fprintf(f, " peer %u %llu", x->peer[k].port, (unsigned long long)x->peer[k].packets);
        fputc('\n', f);
    }
    pw_alerts_foreach_flow(r->a, flow_line, f);
    fclose(f);
    return buf;
}

/* The capture of several cases at once: logins, BitTorrent, mining, flows
 * an endpoint's answer is reused for, a flow left idle past CLS_IDLE_MS
 * while others go on, large payloads, and flows still open at the end. */
static void mixed_capture(struct tb *b)
{
    tb_open(b, "threads_mixed");
    struct conn k = conn_open(b, "10.0.3.1", 44001, "10.0.3.2", 21);
    conn_sends(&k, false, "220 FTP server ready\r\n");
    conn_sends(&k, true, "USER alice\r\n");
    struct conn idle = conn_open(b, "10.0.7.1", 47100, "10.0.7.2", 9999);
    conn_sends(&idle, true, "hello");
    conn_sends(&k, false, "331 Password required\r\n");
    conn_sends(&k, true, "PASS secret\r\n");
    conn_close(&k);
    k = conn_open(b, "10.0.3.1", 44002, "10.0.3.3", 8080);
    conn_sends(&k, true,
               "GET /admin HTTP/1.1\r\nHost: intranet.example\r\nAuthorization: Basic "
               "Ym9iOmh1bnRlcjI=\r\n\r\n");
    conn_sends(&k, false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    conn_close(&k);
    uint8_t hs[68] = {19};
    memcpy(hs + 1, "BitTorrent protocol", 19);
    memcpy(hs + 48, "-TR3000-abcdefghijkl", 20);
    k = conn_open(b, "10.0.4.1", 45001, "10.0.4.2", 51413);
    conn_send(&k, true, hs, sizeof(hs));
    conn_send(&k, false, hs, sizeof(hs));
    conn_close(&k);
    b->t_ns += 200ull * 1000000000ull; /* the idle flow expires on the next packet */
    for (unsigned i = 0; i < 9; i++)
        endpoint_conn(b, 41000 + i, NULL);
    k = conn_open(b, "10.0.6.1", 47001, "10.0.6.2", 3333);
    conn_sends(&k, true,
               "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n");
    static char big[1400];
    memset(big, 'x', sizeof(big));
    conn_send(&k, false, big, sizeof(big));
    /* left open: classification ends at finish */
    struct conn open2 = conn_open(b, "10.0.8.1", 48001, "10.0.8.2", 80);
    conn_sends(&open2, true, "GET /x HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
    static const char q[] = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e"
                            "1:q9:get_peers1:t2:aa1:y1:qe";
    tb_udp(b, "10.0.4.1", 6881, "10.0.4.3", 6881, q, sizeof(q) - 1);
    conn_sends(&idle, false, "late");
}

/* The same capture classified inline, on a worker, and on a worker whose
 * queue holds two items and 256 bytes (every packet waits for the worker,
 * and larger ones are lent to it instead of copied): the same report. */
/* nDPI keeps caches across flows (the "cache" confidence), so each run
 * gets a classifier of its own: otherwise a run sees the previous one's
 * answers. */
static struct pw_classifier *fresh_classifier(void)
{
    struct pw_error err;
    struct pw_classifier *c = NULL;
    CHECK_EQ_INT(pw_classifier_new(&c, &err), 0);
    return c;
}

/* ---- the application stage, skipped once a flow's protocol is known ---- */

struct observer {
    struct pw_alerts *a;
    bool hook;      /* the alerts tap answers before_app (else: always wants it) */
    unsigned http;  /* frames with an http layer above TCP */
    unsigned frames;
};

static bool obs_before_app(void *arg, const struct pw_packet *pkt)
{
    struct observer *o = arg;
    return o->hook ? pw_alerts_before_app(o->a, pkt) : true;
}

static void obs_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct observer *o = arg;
    o->frames++;
    for (int i = 0; pkt && i < pkt->nlayers; i++)
        if (pkt->layer[i].proto == PW_P_HTTP) {
            o->http++;
            break;
        }
    pw_alerts_packet(o->a, rec, pkt);
}

static char *observe(struct tb *b, bool hook, struct observer *o)
{
    struct pw_policy *pol = pw_policy_new();
    struct pw_error err;
    CHECK_EQ_INT(pw_policy_load_default(pol, &err), 0);
    memset(o, 0, sizeof(*o));
    o->hook = hook;
    CHECK_EQ_INT(pw_alerts_new(&o->a, pol, CLS, &err), 0);
    struct pw_flows *flows = NULL;
    run_pass(b, (struct pw_tap){o, obs_packet, obs_before_app}, &flows);
    pw_alerts_finish(o->a);
    struct run r = {pol, o->a, flows};
    char *out = outcome(&r);
    pw_alerts_free(o->a);
    pw_flows_free(flows);
    pw_policy_free(pol);
    return out;
}

static void test_app_stage_skipped(void)
{
    struct tb b;
    tb_open(&b, "app_skip");
    /* two HTTP exchanges on one connection, then a data-only connection */
    struct conn k = conn_open(&b, "10.0.7.1", 40000, "10.0.7.2", 80);
    for (int i = 0; i < 2; i++) {
        conn_sends(&k, true, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        conn_sends(&k, false, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    }
    conn_close(&k);
    k = conn_open(&b, "10.0.7.1", 40001, "10.0.7.3", 40002);
    conn_sends(&k, true, "just some bytes");
    conn_sends(&k, false, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    conn_close(&k);
    struct observer full, skip;
    char *of = observe(&b, false, &full), *os = observe(&b, true, &skip);
    CHECK_EQ_INT(full.frames, skip.frames);
    /* every request and response (5), against the first request and the
     * HTTP that follows data on the second connection (data is not a
     * settled protocol: the stage keeps running there) */
    CHECK_EQ_INT(full.http, 5);
    CHECK_EQ_INT(skip.http, 2);
    /* what the tap reports is the same */
    CHECK(of && strstr(of, "[http]") != NULL);
    CHECK(of && os && !strcmp(of, os));
    free(of);
    free(os);
    struct pw_error err;
    pw_writer_close(b.w, &err);
}

/* The flow stage needs the application stage on an RFB version string
 * (tshark's VNC heuristic makes a conversation of its own there, which
 * renumbers the streams after it): a pass whose taps want no application
 * layers still runs the stage on that segment. */
struct streams {
    bool want_app;
    unsigned n;
    uint32_t s[16];
};

static bool streams_before_app(void *arg, const struct pw_packet *pkt)
{
    (void)pkt;
    return ((struct streams *)arg)->want_app;
}

static void streams_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    struct streams *st = arg;
    if (st->n < 16)
        st->s[st->n++] = pkt && pkt->tcp.layer >= 0 ? pkt->tcp.stream : PW_NO_STREAM;
}

static void test_app_stage_for_flow_stage(void)
{
    struct tb b;
    tb_open(&b, "rfb");
    struct conn k = conn_open(&b, "10.0.8.1", 40010, "10.0.8.2", 47000);
    conn_sends(&k, false, "RFB 003.008\n");
    conn_sends(&k, true, "RFB 003.008\n");
    conn_sends(&k, false, "more");
    struct streams full = {.want_app = true}, none = {.want_app = false};
    run_pass(&b, (struct pw_tap){&full, streams_packet, streams_before_app}, NULL);
    run_pass(&b, (struct pw_tap){&none, streams_packet, streams_before_app}, NULL);
    /* tshark 4.0.17 on the same frames (PW_ALERTS_DUMP): tcp.stream 0 0 0
     * 0 1 1, vnc from frame 4 (port 6001, X11's, would keep one stream) */
    static const uint32_t want[6] = {0, 0, 0, 0, 1, 1};
    CHECK_EQ_INT(full.n, 6);
    CHECK_EQ_INT(none.n, full.n);
    for (unsigned i = 0; i < full.n && i < 6; i++) {
        CHECK_EQ_INT(full.s[i], want[i]);
        CHECK_EQ_INT(none.s[i], want[i]);
    }
    struct pw_error err;
    pw_writer_close(b.w, &err);
}

/* The same report inline or on a worker, with any queue size, with every
 * clock item queued, and with the flow records in the tap area or not. */
static void test_threads_same_outcome(void)
{
    static const struct pw_alerts_opts modes[] = {
        {.threads = 1},
        {.threads = 2},
        {.threads = 2, .ring_items = 2, .ring_bytes = 256},
        {.threads = 1, .all_clock_items = true},
        {.threads = 2, .all_clock_items = true},
        {.threads = 1},
        {.threads = 2},
    };
    const size_t n = sizeof(modes) / sizeof(modes[0]);
    char *want = NULL;
    for (size_t m = 0; m < n; m++) {
        struct tb b;
        mixed_capture(&b);
        struct pw_classifier *saved = CLS;
        CLS = fresh_classifier();
        NO_TAP_AREA = m >= n - 2;
        struct run r = run_opts(&b, NULL, true, &modes[m]);
        NO_TAP_AREA = false;
        char *got = outcome(&r);
        CHECK(got != NULL);
        /* packets of classified flows left out of the queue (no flow could
         * expire at their time) change nothing above */
        struct pw_alerts_stats st;
        pw_alerts_get_stats(r.a, &st);
        if (modes[m].all_clock_items)
            CHECK_EQ_INT(st.cls_clock_skipped, 0);
        else if (modes[m].threads == 1) /* a worker may not have said yet */
            CHECK(st.cls_clock_skipped > 0);
        if (m == 0) {
            want = got;
            CHECK(want && strstr(want, "Mining") && strstr(want, "BitTorrent") &&
                  strstr(want, "alice"));
        } else if (want && got) {
            CHECK_EQ_STR(got, want);
            free(got);
        }
        run_free(&r, &b);
        pw_classifier_free(CLS);
        CLS = saved;
    }
    free(want);
}

/* More flows than PW_CLS_MAX_LIVE (evictions), on a worker with a small
 * queue, with and without the tap area: the same report as inline. */
static void test_threads_evictions(void)
{
    char *out[3] = {NULL, NULL, NULL};
    static const struct pw_alerts_opts modes[3] = {
        {.threads = 1},
        {.threads = 2, .ring_items = 16, .ring_bytes = 1024},
        {.threads = 2, .ring_items = 16, .ring_bytes = 1024},
    };
    for (int m = 0; m < 3; m++) {
        struct tb b;
        many_syn_flows(&b, "threads_many_flows", PW_CLS_MAX_LIVE + 300);
        struct pw_classifier *saved = CLS;
        CLS = fresh_classifier();
        NO_TAP_AREA = m == 2; /* the records of their own */
        struct run r = run_opts(&b, "[alerts]\nhandshake-failures = off\n", true, &modes[m]);
        NO_TAP_AREA = false;
        out[m] = outcome(&r);
        struct pw_alerts_stats st;
        pw_alerts_get_stats(r.a, &st);
        CHECK(st.cls_evicted >= 300);
        run_free(&r, &b);
        pw_classifier_free(CLS);
        CLS = saved;
    }
    CHECK(out[0] && out[1] && out[2]);
    if (out[0] && out[1] && out[2])
        CHECK(!strcmp(out[0], out[1]) && !strcmp(out[0], out[2]));
    for (int m = 0; m < 3; m++)
        free(out[m]);
}

static void test_unknown_policy_names(void)
{
    struct pw_policy *p = pw_policy_new();
    struct pw_error err;
    const char *t = "[applications]\n\nBitTorent = high\n";
    CHECK_EQ_INT(pw_policy_parse(p, t, strlen(t), "x", &err), 0);
    struct pw_alerts *a = NULL;
    CHECK(pw_alerts_new(&a, p, CLS, &err) < 0);
    CHECK(strstr(err.msg, "x:3: unknown application 'BitTorent'") != NULL);
    pw_policy_clear(p);
    t = "[categories]\nP2P = high\n";
    CHECK_EQ_INT(pw_policy_parse(p, t, strlen(t), "x", &err), 0);
    CHECK(pw_alerts_new(&a, p, CLS, &err) < 0);
    CHECK(strstr(err.msg, "unknown category 'P2P'") != NULL);
    pw_policy_clear(p);
    t = "[ports]\nNoSuch = tcp/1\n";
    CHECK_EQ_INT(pw_policy_parse(p, t, strlen(t), "x", &err), 0);
    CHECK(pw_alerts_new(&a, p, CLS, &err) < 0);
    /* the built-in policy's names all exist in nDPI 4.2 */
    CHECK_EQ_INT(pw_policy_load_default(p, &err), 0);
    CHECK_EQ_INT(pw_alerts_new(&a, p, CLS, &err), 0);
    pw_alerts_free(a);
    pw_policy_free(p);
}

static void test_classifier_names(void)
{
    int bt = pw_cls_app_id(CLS, "bittorrent");
    CHECK(bt > 0);
    CHECK_EQ_STR(pw_cls_app_name(CLS, (unsigned)bt), "BitTorrent");
    CHECK_EQ_STR(pw_cls_category_name(CLS, pw_cls_app_category(CLS, (unsigned)bt)), "Download");
    CHECK(pw_cls_category_id(CLS, "RemoteAccess") > 0);
    CHECK(pw_cls_category_id(CLS, "mining") > 0);
    CHECK_EQ_INT(pw_cls_category_id(CLS, ""), -1);
    CHECK_EQ_STR(pw_cls_app_name(CLS, 60000), "Unknown");
    CHECK(!strncmp(pw_classifier_version(CLS), "nDPI ", 5));
}

int main(void)
{
    struct pw_error err;
    if (pw_classifier_new(&CLS, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    static const struct pw_t_case cases[] = {
        TEST_CASE(test_unexpected_service_port_111),
        TEST_CASE(test_unexpected_service_top),
        TEST_CASE(test_scan),
        TEST_CASE(test_icmp_sweep),
        TEST_CASE(test_handshake_failures),
        TEST_CASE(test_threshold_edges),
        TEST_CASE(test_app_stage_skipped),
        TEST_CASE(test_app_stage_for_flow_stage),
        TEST_CASE(test_cleartext_credentials),
        TEST_CASE(test_bittorrent_tcp_and_dht),
        TEST_CASE(test_allow_overrides_default),
        TEST_CASE(test_protocol_port_mismatch),
        TEST_CASE(test_mining),
        TEST_CASE(test_teamviewer),
        TEST_CASE(test_endpoint_reuse_and_confirm),
        TEST_CASE(test_threads_same_outcome),
        TEST_CASE(test_threads_evictions),
        TEST_CASE(test_bounded_classifier_state),
        TEST_CASE(test_unknown_policy_names),
        TEST_CASE(test_classifier_names),
    };
    int rc = pw_t_run_all(cases, sizeof(cases) / sizeof(cases[0]));
    pw_classifier_free(CLS);
    return rc;
}
