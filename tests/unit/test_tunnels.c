/* Unit tests for the tunnel and encapsulation dissectors (mpls.c, gtp.c,
 * sctp.c, erspan.c, geneve.c, ayiya.c): hand-built frames whose expected
 * frame.protocols and protocol-hierarchy levels were read from tshark 4.0.17
 * on the same bytes, plus the decoded values, the network/transport layers
 * the flow stage uses, and damaged headers. */
#include <stdint.h>
#include <string.h>

#include "dissect/dissect.h"
#include "bb.h"
#include "test.h"

static void eth(struct bb *f, unsigned type)
{
    static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    memcpy(f->b + f->n, mac, 12);
    f->n += 12;
    put16(f, type);
}

/* IPv4 header; ip_end() patches the total length */
static uint32_t ip4(struct bb *f, unsigned proto)
{
    uint32_t at = f->n;
    put8(f, 0x45);
    put8(f, 0);
    put16(f, 0);
    put16(f, 1);
    put16(f, 0);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put32(f, 0x0a000001);
    put32(f, 0x0a000002);
    return at;
}

static void ip_end(struct bb *f, uint32_t at)
{
    patch16(f, at + 2, f->n - at);
}

static uint32_t udp(struct bb *f, unsigned sport, unsigned dport)
{
    uint32_t at = f->n;
    put16(f, sport);
    put16(f, dport);
    put16(f, 0);
    put16(f, 0);
    return at;
}

static void udp_end(struct bb *f, uint32_t at)
{
    patch16(f, at + 4, f->n - at);
}

static void tcp_syn(struct bb *f)
{
    put16(f, 1);
    put16(f, 2);
    put32(f, 1);
    put32(f, 0);
    put8(f, 0x50);
    put8(f, 0x02);
    put16(f, 1000);
    put32(f, 0);
}

static void mpls(struct bb *f, unsigned label, int bos)
{
    put32(f, (uint32_t)label << 12 | (bos ? 0x100u : 0) | 64);
}

static struct pw_packet pkt;
static struct pw_record rec;
static char listed[512], levels[512];

static const struct pw_packet *dissect_n(const struct bb *f, uint32_t len)
{
    memset(&rec, 0, sizeof(rec));
    rec.data = f->b;
    rec.caplen = f->n < len ? f->n : len;
    rec.len = len;
    rec.linktype = 1;
    pw_dissect_packet(&rec, 1, &pkt);
    /* frame.protocols as tshark prints it, and the hierarchy levels */
    const struct pw_field *fp = pw_field_by_name("frame.protocols");
    fp->text(&pkt, NULL, 0, listed, sizeof(listed));
    levels[0] = 0;
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        if (pkt.layer[i].flags & (PW_LF_SUBTREE | PW_LF_QUOTED))
            continue;
        if (levels[0])
            strcat(levels, ":");
        strcat(levels, pw_proto_abbrev(pkt.layer[i].proto));
    }
    return &pkt;
}

static const struct pw_packet *dissect(const struct bb *f)
{
    return dissect_n(f, f->n);
}

/* all occurrences of a field over the packet's layers of its protocol */
static int values(const struct pw_packet *p, const char *name, uint64_t *v, int max)
{
    const struct pw_field *fd = pw_field_by_name(name);
    if (!fd)
        return -1;
    int n = 0;
    for (unsigned i = 0; i < p->nlayers; i++) {
        if (p->layer[i].proto != fd->proto)
            continue;
        struct pw_fvalue tmp[8];
        int k = fd->get(p, &p->layer[i], tmp, 8);
        for (int j = 0; j < k && j < 8; j++)
            if (n < max)
                v[n++] = tmp[j].v.u;
    }
    return n;
}

static bool anom(const struct pw_packet *p, enum pw_anomaly an)
{
    return (p->anomaly_mask >> an) & 1u;
}

static void test_mpls_stack(void)
{
    struct bb f = {.n = 0};
    eth(&f, 0x8847);
    mpls(&f, 100, 0);
    mpls(&f, 200, 1);
    uint32_t at = ip4(&f, 6);
    tcp_syn(&f);
    ip_end(&f, at);
    const struct pw_packet *p = dissect(&f);
    /* one mpls in frame.protocols, one hierarchy level per label */
    CHECK_EQ_STR(listed, "eth:ethertype:mpls:ip:tcp");
    CHECK_EQ_STR(levels, "eth:mpls:mpls:ip:tcp");
    uint64_t v[4];
    CHECK_EQ_INT(values(p, "mpls.label", v, 4), 2);
    CHECK_EQ_INT(v[0], 100);
    CHECK_EQ_INT(v[1], 200);
    CHECK_EQ_INT(values(p, "mpls.bottom", v, 4), 2);
    CHECK_EQ_INT(v[0], 0);
    CHECK_EQ_INT(v[1], 1);
    CHECK(p->l3 >= 0 && p->layer[p->l3].proto == PW_P_IP);
    CHECK(p->l4 >= 0 && p->layer[p->l4].proto == PW_P_TCP);
    CHECK_EQ_INT(p->anomaly_mask, 0);
}

static void test_mpls_payload_guess_and_damage(void)
{
    /* first nibble 5: neither IPv4 nor IPv6 */
    struct bb f = {.n = 0};
    eth(&f, 0x8847);
    mpls(&f, 100, 1);
    put8(&f, 0x52);
    fill(&f, 0, 30);
    dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:mpls:data");
    /* nothing after the bottom label: tshark's exception */
    f.n = 0;
    eth(&f, 0x8847);
    mpls(&f, 100, 1);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:mpls");
    CHECK_EQ_STR(levels, "eth:mpls:_ws.malformed");
    CHECK(anom(p, PW_AN_MALFORMED));
    /* the stack runs out before a bottom-of-stack entry */
    f.n = 0;
    eth(&f, 0x8847);
    mpls(&f, 100, 0);
    mpls(&f, 200, 0);
    put16(&f, 0);
    p = dissect(&f);
    CHECK_EQ_STR(levels, "eth:mpls:mpls:_ws.malformed");
    CHECK(anom(p, PW_AN_MALFORMED));
    /* the same, cut by the snap length: short, not malformed; each entry
     * read is still a level */
    p = dissect_n(&f, f.n + 40);
    CHECK_EQ_STR(listed, "eth:ethertype:mpls");
    CHECK_EQ_STR(levels, "eth:mpls:mpls:_ws.short");
    CHECK(anom(p, PW_AN_TRUNCATED) && !anom(p, PW_AN_MALFORMED));
}

static void test_gtp_u_extension_header(void)
{
    struct bb f = {.n = 0};
    eth(&f, 0x0800);
    uint32_t o = ip4(&f, 17), u = udp(&f, 2152, 2152);
    uint32_t g = f.n;
    put8(&f, 0x34); /* version 1, PT, E */
    put8(&f, 0xff); /* T-PDU */
    put16(&f, 0);
    put32(&f, 0x1234);
    put16(&f, 0);
    put8(&f, 0);
    put8(&f, 0x85); /* PDU session container */
    put8(&f, 1);
    put8(&f, 0x10);
    put8(&f, 0x05);
    put8(&f, 0); /* no more extension headers */
    uint32_t i = ip4(&f, 17), iu = udp(&f, 5, 6);
    put16(&f, 0x6869);
    udp_end(&f, iu);
    ip_end(&f, i);
    patch16(&f, g + 2, f.n - g - 8);
    udp_end(&f, u);
    ip_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:udp:gtp:ip:udp:data");
    uint64_t v[2];
    CHECK_EQ_INT(values(p, "gtp.teid", v, 2), 1);
    CHECK_EQ_INT(v[0], 0x1234);
    CHECK_EQ_INT(p->layer[3].hlen, 16);
    CHECK(p->l4 >= 0 && p->layer[p->l4].u.udp.sport == 5);
    /* an extension header of length 0 cannot make progress: tshark's
     * expert error ends the dissection, with no exception */
    f.b[g + 12] = 0;
    p = dissect(&f);
    CHECK_EQ_STR(levels, "eth:ip:udp:gtp");
    CHECK(anom(p, PW_AN_GTP_BAD_EXTHDR) && !anom(p, PW_AN_MALFORMED));
}

static void test_gtp_control(void)
{
    struct bb f = {.n = 0};
    eth(&f, 0x0800);
    uint32_t o = ip4(&f, 17), u = udp(&f, 40000, 2123);
    put8(&f, 0x32); /* v1 echo request with a sequence number */
    put8(&f, 0x01);
    put16(&f, 4);
    put32(&f, 0);
    put16(&f, 7);
    put16(&f, 0);
    udp_end(&f, u);
    ip_end(&f, o);
    dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:udp:gtp");
    /* GTPv2: tshark lists gtp:gtpv2, its hierarchy only gtpv2 */
    f.n = 0;
    eth(&f, 0x0800);
    o = ip4(&f, 17);
    u = udp(&f, 40000, 2123);
    put8(&f, 0x40);
    put8(&f, 0x01);
    put16(&f, 4);
    put32(&f, 0x00000900);
    udp_end(&f, u);
    ip_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:udp:gtp:gtpv2");
    CHECK_EQ_STR(levels, "eth:ip:udp:gtpv2");
    uint64_t v[2];
    CHECK_EQ_INT(values(p, "gtp.teid", v, 2), 0); /* the marker has no fields */
    CHECK_EQ_INT(values(p, "gtpv2.message_type", v, 2), 1);
    CHECK_EQ_INT(v[0], 1);
}

static void sctp_data(struct bb *f, unsigned flags, uint32_t ppi, const char *user)
{
    uint32_t n = (uint32_t)strlen(user);
    put8(f, 0);
    put8(f, flags);
    put16(f, 16 + n);
    put32(f, 1);
    put32(f, 0);
    put32(f, ppi);
    memcpy(f->b + f->n, user, n);
    f->n += n;
    fill(f, 0, (4 - n % 4) % 4);
}

static uint32_t sctp(struct bb *f, unsigned sport, unsigned dport)
{
    eth(f, 0x0800);
    uint32_t o = ip4(f, 132);
    put16(f, sport);
    put16(f, dport);
    put32(f, 0x11223344);
    put32(f, 0);
    return o;
}

static void test_sctp_chunks(void)
{
    struct bb f = {.n = 0};
    uint32_t o = sctp(&f, 1000, 2000);
    sctp_data(&f, 3, 0, "abcde");
    sctp_data(&f, 3, 0, "xyz");
    ip_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:sctp:data:data");
    CHECK_EQ_STR(levels, "eth:ip:sctp:data:sctp:data");
    uint64_t v[4];
    CHECK_EQ_INT(values(p, "sctp.port", v, 4), 2); /* the copy publishes nothing */
    CHECK_EQ_INT(v[0], 1000);
    CHECK_EQ_INT(v[1], 2000);
    CHECK(p->l4 >= 0 && p->layer[p->l4].proto == PW_P_SCTP);
    /* a SACK after a DATA chunk also gets its own level */
    f.n = 0;
    o = sctp(&f, 1000, 2000);
    sctp_data(&f, 3, 0, "abcde");
    put8(&f, 3);
    put8(&f, 0);
    put16(&f, 16);
    fill(&f, 0, 12);
    ip_end(&f, o);
    dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:sctp:data");
    CHECK_EQ_STR(levels, "eth:ip:sctp:data:sctp");
    /* a fragment (B and E clear) is not dissected; M3UA by its PPID */
    f.n = 0;
    o = sctp(&f, 2905, 2905);
    sctp_data(&f, 0, 3, "abcde");
    ip_end(&f, o);
    dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:sctp");
    f.n = 0;
    o = sctp(&f, 2905, 2905);
    sctp_data(&f, 3, 3, "abcdefgh");
    ip_end(&f, o);
    dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:sctp:m3ua");
    /* a chunk length below 4 */
    f.n = 0;
    o = sctp(&f, 1000, 2000);
    put8(&f, 1);
    put8(&f, 0);
    put16(&f, 2);
    fill(&f, 0, 8);
    ip_end(&f, o);
    p = dissect(&f);
    CHECK_EQ_STR(levels, "eth:ip:sctp:_ws.malformed");
    CHECK(anom(p, PW_AN_MALFORMED));
}

static void test_erspan_types(void)
{
    /* type I: GRE without a sequence number, Ethernet right away */
    struct bb f = {.n = 0};
    eth(&f, 0x0800);
    uint32_t o = ip4(&f, 47);
    put16(&f, 0);
    put16(&f, 0x88be);
    eth(&f, 0x0800);
    uint32_t i = ip4(&f, 6);
    tcp_syn(&f);
    ip_end(&f, i);
    ip_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:gre:erspan:eth:ethertype:ip:tcp");
    uint64_t v[2];
    CHECK_EQ_INT(values(p, "erspan.version", v, 2), 0);
    /* type II: sequence number, 8-byte header */
    f.n = 0;
    eth(&f, 0x0800);
    o = ip4(&f, 47);
    put16(&f, 0x1000);
    put16(&f, 0x88be);
    put32(&f, 5);
    put16(&f, 0x1000 | 100);
    put16(&f, 7);
    put32(&f, 0);
    eth(&f, 0x0800);
    i = ip4(&f, 6);
    tcp_syn(&f);
    ip_end(&f, i);
    ip_end(&f, o);
    p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:gre:erspan:eth:ethertype:ip:tcp");
    CHECK_EQ_INT(values(p, "erspan.version", v, 2), 1);
    CHECK_EQ_INT(v[0], 1);
    CHECK_EQ_INT(values(p, "erspan.vlan", v, 2), 1);
    CHECK_EQ_INT(v[0], 100);
    CHECK_EQ_INT(values(p, "erspan.spanid", v, 2), 1);
    CHECK_EQ_INT(v[0], 7);
}

static void test_geneve_options_and_ayiya_cut(void)
{
    struct bb f = {.n = 0};
    eth(&f, 0x0800);
    uint32_t o = ip4(&f, 17), u = udp(&f, 5000, 6081);
    put8(&f, 2); /* 8 bytes of options */
    put8(&f, 0);
    put16(&f, 0x0800);
    put32(&f, 77u << 8);
    fill(&f, 0, 8);
    uint32_t i = ip4(&f, 6);
    tcp_syn(&f);
    ip_end(&f, i);
    udp_end(&f, u);
    ip_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(listed, "eth:ethertype:ip:udp:geneve:ip:tcp");
    uint64_t v[2];
    CHECK_EQ_INT(values(p, "geneve.vni", v, 2), 1);
    CHECK_EQ_INT(v[0], 77);
    CHECK_EQ_INT(p->layer[3].hlen, 16);
    /* AYIYA whose identity (2^4 bytes) runs past the datagram */
    f.n = 0;
    eth(&f, 0x0800);
    o = ip4(&f, 17);
    u = udp(&f, 5072, 5072);
    put8(&f, 0x41);
    put8(&f, 0x52);
    put8(&f, 0x11);
    put8(&f, 41);
    put32(&f, 0);
    fill(&f, 0, 6);
    udp_end(&f, u);
    ip_end(&f, o);
    p = dissect(&f);
    CHECK_EQ_STR(levels, "eth:ip:udp:ayiya:_ws.malformed");
    CHECK(anom(p, PW_AN_MALFORMED));
}

TEST_MAIN(TEST_CASE(test_mpls_stack), TEST_CASE(test_mpls_payload_guess_and_damage),
          TEST_CASE(test_gtp_u_extension_header), TEST_CASE(test_gtp_control),
          TEST_CASE(test_sctp_chunks), TEST_CASE(test_erspan_types),
          TEST_CASE(test_geneve_options_and_ayiya_cut))
