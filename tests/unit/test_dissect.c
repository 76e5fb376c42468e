/* Unit tests for the core dissectors: hand-built frames for every link,
 * network, transport and tunnel dissector, normal and damaged (truncated by
 * the snap length, lying length fields), with the layer chain, the decoded
 * header values and the field getters checked. */
#include <stdint.h>
#include <string.h>

#include "dissect/dissect.h"
#include "bb.h"
#include "test.h"

/* ---- frame builder ------------------------------------------------------ */

static const uint8_t MAC_A[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t MAC_B[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t IP_A[4] = {10, 0, 0, 1};
static const uint8_t IP_B[4] = {192, 168, 1, 2};
static const uint8_t IP6_A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t IP6_B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void eth(struct bb *f, unsigned type)
{
    putn(f, MAC_B, 6);
    putn(f, MAC_A, 6);
    put16(f, type);
}

/* IPv4 header with options `opt` (multiple of 4); total length patched by
 * ip4_end. Returns the header offset. */
static uint32_t ip4_opts(struct bb *f, unsigned proto, unsigned fragword, const uint8_t *opt,
                         unsigned optlen)
{
    uint32_t at = f->n;
    put8(f, 0x40 | (5 + optlen / 4));
    put8(f, 0xb8); /* DSCP 46, ECN 0 */
    put16(f, 0);
    put16(f, 0x1234);
    put16(f, fragword);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0xbeef);
    putn(f, IP_A, 4);
    putn(f, IP_B, 4);
    if (optlen)
        putn(f, opt, optlen);
    return at;
}

static uint32_t ip4(struct bb *f, unsigned proto)
{
    return ip4_opts(f, proto, 0x4000, NULL, 0);
}

static void ip4_end(struct bb *f, uint32_t at)
{
    patch16(f, at + 2, f->n - at);
}

static uint32_t ip6(struct bb *f, unsigned nxt)
{
    uint32_t at = f->n;
    put32(f, 0x60012345);
    put16(f, 0);
    put8(f, nxt);
    put8(f, 255);
    putn(f, IP6_A, 16);
    putn(f, IP6_B, 16);
    return at;
}

static void ip6_end(struct bb *f, uint32_t at)
{
    patch16(f, at + 4, f->n - at - 40);
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

/* TCP SYN with MSS 1460, SACK permitted, timestamps and window scale 7 */
static void tcp_syn_opts(struct bb *f)
{
    put16(f, 40000);
    put16(f, 80);
    put32(f, 0x11223344);
    put32(f, 0);
    put16(f, (10u << 12) | 0x002);
    put16(f, 64240);
    put16(f, 0xabcd);
    put16(f, 0);
    static const uint8_t o[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                  0, 1, 0,    0,    0, 0, 1, 3,  3, 7};
    putn(f, o, 20);
}

/* Ethernet, IPv4 and that SYN, carrying `payload` (or, when NULL, n bytes
 * of 'x'). */
static void syn_opts_frame(struct bb *f, const char *payload, uint32_t n)
{
    eth(f, 0x0800);
    uint32_t ip = ip4(f, 6);
    tcp_syn_opts(f);
    if (payload)
        putn(f, payload, n);
    else
        fill(f, 'x', n);
    ip4_end(f, ip);
}

/* An ICMP or ICMPv6 header: type, code, a zero checksum (set_cksum fills
 * it in), and the four type-specific bytes. */
static void icmp_head(struct bb *f, unsigned type, unsigned code, uint32_t rest)
{
    put8(f, (uint8_t)type);
    put8(f, (uint8_t)code);
    put16(f, 0);
    put32(f, rest);
}

static void tcp_plain(struct bb *f, unsigned flags)
{
    put16(f, 443);
    put16(f, 51000);
    put32(f, 1000);
    put32(f, 2000);
    put16(f, (5u << 12) | flags);
    put16(f, 512);
    put16(f, 0);
    put16(f, 0);
}

/* ---- dissection helpers --------------------------------------------- */

static struct pw_packet pkt;
static struct pw_record rec;
static char chain_buf[1024];

static const struct pw_packet *dissect_lt(const struct bb *f, uint32_t linktype, uint32_t caplen,
                                          uint32_t len)
{
    memset(&rec, 0, sizeof(rec));
    rec.data = f->b;
    rec.caplen = caplen;
    rec.len = len;
    rec.linktype = linktype;
    pw_dissect_packet(&rec, 1, &pkt);
    return &pkt;
}

static const struct pw_packet *dissect(const struct bb *f)
{
    return dissect_lt(f, 1, f->n, f->n);
}

static const char *chain(const struct pw_packet *p)
{
    chain_buf[0] = 0;
    for (unsigned i = 0; i < p->nlayers; i++) {
        if (i)
            strcat(chain_buf, ":");
        strcat(chain_buf, pw_proto_abbrev(p->layer[i].proto));
    }
    return chain_buf;
}

static bool has_anom(const struct pw_packet *p, enum pw_anomaly an)
{
    return (p->anomaly_mask >> an) & 1u;
}

/* Value of the first occurrence of field `name` in layer `li`. */
static int field(const struct pw_packet *p, int li, const char *name, struct pw_fvalue *v)
{
    const struct pw_field *fd = pw_field_by_name(name);
    if (!fd || li < 0 || li >= p->nlayers) {
        fprintf(stderr, "no field %s / layer %d\n", name, li);
        return -1;
    }
    struct pw_fvalue tmp[4];
    int n = fd->get(p, &p->layer[li], tmp, 4);
    if (n > 0 && v)
        *v = tmp[0];
    return n;
}

static uint64_t fu(const struct pw_packet *p, int li, const char *name)
{
    struct pw_fvalue v;
    if (field(p, li, name, &v) < 1)
        return 0xdeadbeef;
    return v.v.u;
}

/* ---- tests -------------------------------------------------------------- */

static void test_tcp_options_and_fields(void)
{
    struct bb f = {0};
    syn_opts_frame(&f, "hello", 5);
    fill(&f, 0, 6); /* Ethernet padding after the IP datagram */
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:data");
    CHECK_EQ_INT(p->l3, 1);
    CHECK_EQ_INT(p->l4, 2);
    CHECK_EQ_INT(p->nanom, 0);
    const struct pw_tcp_hdr *t = &p->layer[2].u.tcp;
    CHECK_EQ_INT(t->sport, 40000);
    CHECK_EQ_INT(t->dport, 80);
    CHECK_EQ_INT(t->seq, 0x11223344);
    CHECK_EQ_INT(t->hlen, 40);
    CHECK_EQ_INT(t->mss, 1460);
    CHECK_EQ_INT(t->wscale, 7);
    CHECK(t->sack_perm);
    CHECK(t->has_ts);
    CHECK_EQ_INT(t->tsval, 1);
    CHECK_EQ_INT(t->payload_len, 5);
    CHECK_EQ_INT(p->layer[3].len, 5); /* data stops at the IP length */
    CHECK_EQ_INT(fu(p, 2, "tcp.srcport"), 40000);
    CHECK_EQ_INT(fu(p, 2, "tcp.options.mss_val"), 1460);
    CHECK_EQ_INT(fu(p, 2, "tcp.options.wscale.shift"), 7);
    CHECK_EQ_INT(fu(p, 2, "tcp.flags"), 0x002);
    CHECK_EQ_INT(fu(p, 2, "tcp.flags.syn"), 1);
    CHECK_EQ_INT(fu(p, 2, "tcp.flags.ack"), 0);
    CHECK_EQ_INT(fu(p, 2, "tcp.hdr_len"), 40);
    CHECK_EQ_INT(fu(p, 2, "tcp.len"), 5);
    CHECK_EQ_INT(fu(p, 2, "tcp.window_size_value"), 64240);
    CHECK_EQ_INT(fu(p, 2, "tcp.seq_raw"), 0x11223344);
    CHECK_EQ_INT(field(p, 2, "tcp.ack_raw", NULL), 1);
    CHECK_EQ_INT(field(p, 2, "tcp.port", NULL), 2);
    struct pw_fvalue v;
    CHECK_EQ_INT(field(p, 2, "tcp.payload", &v), 1);
    CHECK(v.v.bytes.len == 5 && memcmp(v.v.bytes.p, "hello", 5) == 0);
    CHECK_EQ_INT(fu(p, 1, "ip.version"), 4);
    CHECK_EQ_INT(fu(p, 1, "ip.hdr_len"), 20);
    CHECK_EQ_INT(fu(p, 1, "ip.dsfield.dscp"), 46);
    CHECK_EQ_INT(fu(p, 1, "ip.len"), 20 + 40 + 5);
    CHECK_EQ_INT(fu(p, 1, "ip.id"), 0x1234);
    CHECK_EQ_INT(fu(p, 1, "ip.flags.df"), 1);
    CHECK_EQ_INT(fu(p, 1, "ip.flags.mf"), 0);
    CHECK_EQ_INT(fu(p, 1, "ip.flags"), 2);
    CHECK_EQ_INT(fu(p, 1, "ip.ttl"), 64);
    CHECK_EQ_INT(fu(p, 1, "ip.proto"), 6);
    CHECK_EQ_INT(fu(p, 1, "ip.checksum"), 0xbeef);
    CHECK_EQ_INT(field(p, 1, "ip.src", &v), 1);
    CHECK(v.type == PW_FT_IPV4 && memcmp(v.v.addr, IP_A, 4) == 0);
    CHECK_EQ_INT(field(p, 1, "ip.addr", NULL), 2);
    CHECK_EQ_INT(field(p, 0, "eth.src", &v), 1);
    CHECK(memcmp(v.v.addr, MAC_A, 6) == 0);
    CHECK_EQ_INT(fu(p, 0, "eth.type"), 0x0800);
}

static void test_tcp_bad_option_progress(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 6);
    put16(&f, 1);
    put16(&f, 2);
    put32(&f, 0);
    put32(&f, 0);
    put16(&f, (8u << 12) | 0x010);
    put16(&f, 0);
    put32(&f, 0);
    static const uint8_t o[12] = {1, 1, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1}; /* MSS with length 0 */
    putn(&f, o, 12);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp");
    CHECK(has_anom(p, PW_AN_TCP_BAD_OPTION));
    CHECK_EQ_INT(p->layer[2].u.tcp.mss, 0);
}

static void test_tcp_bad_hlen(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 6);
    put16(&f, 1);
    put16(&f, 2);
    put32(&f, 0);
    put32(&f, 0);
    put16(&f, (4u << 12) | 0x010); /* 16-byte header: bogus */
    put16(&f, 0);
    put32(&f, 0);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp");
    CHECK(has_anom(p, PW_AN_TCP_BAD_HLEN));
    CHECK(p->layer[2].flags & PW_LF_MALFORMED);
}

static void test_tcp_truncated(void)
{
    struct bb f = {0};
    syn_opts_frame(&f, "", 0);
    /* snap length cuts inside the TCP header */
    const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + 12, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:_ws.short");
    CHECK(has_anom(p, PW_AN_TRUNCATED));
    CHECK(!has_anom(p, PW_AN_MALFORMED));
    CHECK(p->layer[2].flags & PW_LF_TRUNCATED);
    /* cut inside the options: the options area is still accounted for */
    p = dissect_lt(&f, 1, 14 + 20 + 30, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:_ws.short");
    CHECK_EQ_INT(p->layer[2].u.tcp.mss, 1460);
}

/* With fewer than 4 bytes of TCP or UDP captured, tshark runs out of data
 * reading the ports, before it adds its tree item: the protocol is in
 * frame.protocols, but it has no fields, filters do not see it and it is
 * no level of the hierarchy; `_ws.short` follows. */
static void test_ports_cut(void)
{
    for (int is_udp = 0; is_udp < 2; is_udp++) {
        const char *proto = is_udp ? "udp" : "tcp";
        const char *port = is_udp ? "udp.srcport" : "tcp.srcport";
        struct bb f = {0};
        eth(&f, 0x0800);
        uint32_t ip = ip4(&f, is_udp ? 17 : 6);
        if (is_udp) {
            uint32_t u = udp(&f, 40000, 40001);
            fill(&f, 'x', 12);
            udp_end(&f, u);
        } else {
            tcp_plain(&f, 0x018);
            fill(&f, 'x', 12);
        }
        ip4_end(&f, ip);
        for (uint32_t n = 0; n <= 4; n++) {
            const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + n, f.n);
            char want[64];
            snprintf(want, sizeof(want), "eth:ip:%s:_ws.short", proto);
            CHECK_EQ_STR(chain(p), want);
            bool hidden = (p->layer[2].flags & PW_LF_NOTREE) != 0;
            CHECK_EQ_INT(hidden, n < 4);
            CHECK_EQ_INT((p->layer[2].flags & PW_LF_SUBTREE) != 0, n < 4);
            CHECK_EQ_INT(p->layer[3].u.ws.proto, is_udp ? PW_P_UDP : PW_P_TCP);
            CHECK(has_anom(p, PW_AN_TRUNCATED));
            CHECK_EQ_INT(p->l4, -1);
            if (n == 4)
                CHECK_EQ_INT(fu(p, 2, port), is_udp ? 40000 : 443);
        }
        /* the IP total length leaves 2 bytes: malformed, still no item */
        patch16(&f, ip + 2, 22);
        const struct pw_packet *p = dissect(&f);
        char want[64];
        snprintf(want, sizeof(want), "eth:ip:%s:_ws.malformed", proto);
        CHECK_EQ_STR(chain(p), want);
        CHECK(p->layer[2].flags & PW_LF_NOTREE);
    }
}

/* tshark adds UDP's fields one by one as they are read: the length from 6
 * captured bytes, the checksum (and its status) from 8. A payload the
 * snap length removed entirely reaches no dissector; the `_ws.short` is
 * UDP's, whose header is whole (it still counts in the conversations). */
static void test_udp_header_cut(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 53, 40001);
    fill(&f, 'x', 12);
    udp_end(&f, u);
    patch16(&f, u + 6, 0xabcd);
    ip4_end(&f, ip);
    for (uint32_t n = 4; n <= 8; n++) {
        const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + n, f.n);
        CHECK_EQ_INT(fu(p, 2, "udp.dstport"), 40001);
        CHECK_EQ_INT(field(p, 2, "udp.length", NULL), n >= 6);
        CHECK_EQ_INT(field(p, 2, "udp.checksum", NULL), n >= 8);
        CHECK_EQ_INT(field(p, 2, "udp.checksum.status", NULL), n >= 8);
    }
    const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + 8, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:_ws.short");
    CHECK(!(p->layer[2].flags & PW_LF_TRUNCATED));
    CHECK_EQ_INT(p->layer[3].u.ws.proto, PW_P_UDP);
    CHECK_EQ_INT(fu(p, 2, "udp.length"), 20);
    p = dissect_lt(&f, 1, 14 + 20 + 9, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:dns:_ws.short");
}

/* An ICMP error whose quote ends inside the transport header: before the
 * ports tshark does not even list the protocol, after them it shows what
 * is there without complaint */
static void test_quote_ends_in_ports(void)
{
    for (int is_udp = 0; is_udp < 2; is_udp++) {
        for (uint32_t n = 0; n <= 6; n++) {
            struct bb f = {0};
            eth(&f, 0x0800);
            uint32_t ip = ip4(&f, 1);
            icmp_head(&f, 3, 3, 0);
            uint32_t qip = ip4(&f, is_udp ? 17 : 6);
            static const uint8_t hdr[6] = {0x00, 0x35, 0x9c, 0x41, 0x00, 0x14};
            putn(&f, hdr, n);
            ip4_end(&f, qip);
            patch16(&f, qip + 2, 60); /* the quoted header claims more */
            ip4_end(&f, ip);
            const struct pw_packet *p = dissect(&f);
            const char *want = n < 4    ? "eth:ip:icmp:ip"
                               : is_udp ? "eth:ip:icmp:ip:udp"
                                        : "eth:ip:icmp:ip:tcp";
            CHECK_EQ_STR(chain(p), want);
            CHECK(!has_anom(p, PW_AN_MALFORMED));
            CHECK(!has_anom(p, PW_AN_TRUNCATED));
            if (n >= 4)
                CHECK_EQ_INT(fu(p, 4, is_udp ? "udp.dstport" : "tcp.dstport"), 40001);
            if (is_udp && n >= 4)
                CHECK_EQ_INT(field(p, 4, "udp.length", NULL), n >= 6);
        }
    }
}

/* Header cut by the snap length after the window (in the checksum, the
 * urgent pointer or the options): tcp.len is still the reported segment
 * length (IP total length minus both headers), as in tshark; only the
 * payload bytes themselves are missing. */
static void test_tcp_len_header_cut(void)
{
    struct bb f = {0};
    syn_opts_frame(&f, NULL, 300);
    const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + 30, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:_ws.short");
    CHECK_EQ_INT(p->layer[2].u.tcp.payload_len, 300);
    CHECK_EQ_INT(fu(p, 2, "tcp.hdr_len"), 40);
    CHECK_EQ_INT(fu(p, 2, "tcp.len"), 300);
    CHECK_EQ_INT(field(p, 2, "tcp.payload", NULL), 0);
    /* the whole header captured, payload cut: unchanged */
    p = dissect_lt(&f, 1, 14 + 20 + 40 + 10, f.n);
    CHECK_EQ_INT(fu(p, 2, "tcp.len"), 300);
    CHECK_EQ_INT(field(p, 2, "tcp.payload", NULL), 1);
    /* cut in the checksum: the data offset was read, so the length is known */
    p = dissect_lt(&f, 1, 14 + 20 + 17, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:_ws.short");
    CHECK_EQ_INT(fu(p, 2, "tcp.len"), 300);
    /* cut before the window: tshark has no segment length */
    p = dissect_lt(&f, 1, 14 + 20 + 14, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:_ws.short");
    CHECK_EQ_INT(field(p, 2, "tcp.len", NULL), 0);
}

/* Header fields exist only once the capture reaches their end, as in
 * tshark: offset, flags, window and raw numbers with the window (16 bytes),
 * the checksum at 18, the urgent pointer at 20. */
static void test_tcp_fields_header_cut(void)
{
    struct bb f = {0};
    syn_opts_frame(&f, NULL, 300);
    static const char *const upto16[] = {"tcp.hdr_len", "tcp.flags", "tcp.flags.syn",
                                         "tcp.window_size_value", "tcp.seq_raw", "tcp.ack_raw"};
    for (uint32_t tcpcap = 4; tcpcap <= 21; tcpcap++) {
        const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + tcpcap, f.n);
        CHECK_EQ_INT(field(p, 2, "tcp.srcport", NULL), 1);
        for (size_t i = 0; i < sizeof upto16 / sizeof upto16[0]; i++)
            CHECK_EQ_INT(field(p, 2, upto16[i], NULL), tcpcap >= 16 ? 1 : 0);
        CHECK_EQ_INT(field(p, 2, "tcp.checksum", NULL), tcpcap >= 18 ? 1 : 0);
        CHECK_EQ_INT(field(p, 2, "tcp.urgent_pointer", NULL), tcpcap >= 20 ? 1 : 0);
    }
    /* complete header: all present */
    const struct pw_packet *p = dissect_lt(&f, 1, 14 + 20 + 40, f.n);
    CHECK_EQ_INT(fu(p, 2, "tcp.hdr_len"), 40);
    CHECK_EQ_INT(field(p, 2, "tcp.urgent_pointer", NULL), 1);
}

/* tcp.flags.str for each flag bit alone, none, all and CWR+ECE+SYN; the
 * strings are tshark 4.0.17's for the same headers */
static void test_tcp_flags_str(void)
{
    static const struct {
        unsigned flags;
        const char *want;
    } cases[] = {
        {0x000, "············"}, {0xfff, "RRRACEUAPRSF"}, {0x800, "R···········"},
        {0x400, "·R··········"}, {0x200, "··R·········"}, {0x100, "···A········"},
        {0x080, "····C·······"}, {0x040, "·····E······"}, {0x020, "······U·····"},
        {0x010, "·······A····"}, {0x008, "········P···"}, {0x004, "·········R··"},
        {0x002, "··········S·"}, {0x001, "···········F"}, {0x0c2, "····CE····S·"},
    };
    const struct pw_field *fd = pw_field_by_name("tcp.flags.str");
    CHECK(fd && fd->type == PW_FT_STRING && fd->text);
    if (!fd || !fd->text)
        return;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bb f = {0};
        eth(&f, 0x0800);
        uint32_t ip = ip4(&f, 6);
        tcp_plain(&f, cases[i].flags);
        ip4_end(&f, ip);
        const struct pw_packet *p = dissect(&f);
        struct pw_fvalue v;
        CHECK_EQ_INT(field(p, 2, "tcp.flags.str", &v), 1);
        char buf[64];
        size_t n = fd->text(p, &p->layer[2], 0, buf, sizeof(buf));
        CHECK_EQ_INT(n, strlen(cases[i].want));
        CHECK_EQ_INT(v.v.bytes.len, n);
        CHECK_EQ_STR(buf, cases[i].want);
    }
    /* cut before the flags: no string, as no tcp.flags */
    struct bb g = {0};
    eth(&g, 0x0800);
    uint32_t ip = ip4(&g, 6);
    tcp_plain(&g, 0x012);
    ip4_end(&g, ip);
    CHECK_EQ_INT(field(dissect_lt(&g, 1, 14 + 20 + 12, g.n), 2, "tcp.flags.str", NULL), 0);
}

static void test_tcp_rst_and_held_payload(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 6);
    tcp_plain(&f, 0x014);
    putn(&f, "reset cause", 11);
    ip4_end(&f, ip);
    CHECK_EQ_STR(chain(dissect(&f)), "eth:ip:tcp");
    /* payload entirely removed by the snap length: plain tcp */
    struct bb g = {0};
    eth(&g, 0x0800);
    ip = ip4(&g, 6);
    tcp_plain(&g, 0x018);
    fill(&g, 'x', 100);
    ip4_end(&g, ip);
    const struct pw_packet *p = dissect_lt(&g, 1, 54, g.n);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp");
    CHECK_EQ_INT(p->layer[2].u.tcp.payload_len, 100);
}

static void test_udp_vxlan_inner_l3l4(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 50000, 4789);
    put8(&f, 0x08);
    fill(&f, 0, 3);
    put16(&f, 0x0012);
    put8(&f, 0x34);
    put8(&f, 0);
    eth(&f, 0x0800);
    uint32_t ip2 = ip4(&f, 17);
    /* ports no application dissector claims, so the payload stays data */
    uint32_t u2 = udp(&f, 40001, 33000);
    fill(&f, 0xaa, 10);
    udp_end(&f, u2);
    ip4_end(&f, ip2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:vxlan:eth:ip:udp:data");
    CHECK_EQ_INT(p->l3, 5);
    CHECK_EQ_INT(p->l4, 6);
    CHECK_EQ_INT(fu(p, 3, "vxlan.vni"), 0x1234);
    CHECK_EQ_INT(fu(p, 2, "udp.dstport"), 4789);
    CHECK_EQ_INT(fu(p, 2, "udp.length"), f.n - 34);
    CHECK_EQ_INT(fu(p, 6, "udp.srcport"), 40001);
    struct pw_fvalue v;
    CHECK_EQ_INT(field(p, 6, "udp.payload", &v), 1);
    CHECK_EQ_INT(v.v.bytes.len, 10);
}

static void test_udp_lengths(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    udp(&f, 1000, 2000);
    fill(&f, 1, 12);
    ip4_end(&f, ip);
    patch16(&f, 14 + 20 + 4, 4); /* below 8 */
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp");
    CHECK(has_anom(p, PW_AN_UDP_BAD_LEN));
    CHECK(!has_anom(p, PW_AN_MALFORMED));
    patch16(&f, 14 + 20 + 4, 400); /* past the IP payload: tshark goes on */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:data");
    CHECK(has_anom(p, PW_AN_UDP_BAD_LEN));
    CHECK_EQ_INT(p->layer[3].len, 12);
    patch16(&f, 14 + 20 + 4, 8 + 5); /* shorter than the IP payload */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:data");
    CHECK_EQ_INT(p->layer[3].len, 5);
    CHECK_EQ_INT(p->nanom, 0);
}

static void test_ipv4_bogus_lengths(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    f.b[14] = 0x44; /* IHL 4 */
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip");
    CHECK(has_anom(p, PW_AN_IPV4_BAD_HLEN));
    CHECK(p->layer[1].flags & PW_LF_MALFORMED);
    f.b[14] = 0x45;
    patch16(&f, 16, 12); /* total length below the header */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip");
    CHECK(has_anom(p, PW_AN_IPV4_BAD_TOTLEN));
    patch16(&f, 16, 200); /* beyond the frame: reported, payload clipped */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp");
    CHECK(has_anom(p, PW_AN_IPV4_TOTLEN_GT_FRAME));
    patch16(&f, 16, 0); /* TSO */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp");
    CHECK_EQ_INT(p->nanom, 0);
    f.b[14] = 0x55; /* version 5 */
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip");
    CHECK(has_anom(p, PW_AN_IPV4_BAD_VERSION));
}

static void test_ipv4_options(void)
{
    static const uint8_t rr[8] = {1, 7, 7, 4, 10, 0, 0, 9}; /* NOP, record route */
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4_opts(&f, 17, 0, rr, 8);
    uint32_t u = udp(&f, 7, 7);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp");
    CHECK_EQ_INT(p->layer[1].u.ip4.hlen, 28);
    CHECK_EQ_INT(p->nanom, 0);
    static const uint8_t bad[4] = {0x44, 1, 0, 0}; /* timestamp option of length 1 */
    struct bb g = {0};
    eth(&g, 0x0800);
    ip = ip4_opts(&g, 17, 0, bad, 4);
    u = udp(&g, 7, 7);
    udp_end(&g, u);
    ip4_end(&g, ip);
    p = dissect(&g);
    CHECK_EQ_STR(chain(p), "eth:ip:udp");
    CHECK(has_anom(p, PW_AN_IPV4_BAD_OPTION));
    /* options cut by the snap length */
    p = dissect_lt(&f, 1, 14 + 24, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:_ws.short");
}

static void test_ipv4_fragments(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4_opts(&f, 17, 0x2000, NULL, 0); /* MF, offset 0 */
    uint32_t u = udp(&f, 40001, 40002); /* unclaimed ports: the payload is data */
    fill(&f, 0, 32);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:data");
    CHECK(p->layer[1].flags & PW_LF_FRAGMENT);
    CHECK(has_anom(p, PW_AN_IP_FRAGMENT));
    CHECK_EQ_INT(p->l3, 1);
    CHECK_EQ_INT(p->l4, -1);
    CHECK_EQ_INT(fu(p, 1, "ip.flags.mf"), 1);
    /* a first fragment tshark cannot reassemble (cut) shows its UDP header */
    p = dissect_lt(&f, 1, 14 + 20 + 8 + 4, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:data");
    /* a non-first fragment is data */
    patch16(&f, 14 + 6, 185);
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:data");
    CHECK_EQ_INT(fu(p, 1, "ip.frag_offset"), 185);
    CHECK_EQ_INT(fu(p, 1, "ip.flags.mf"), 0);
}

/* A first fragment shown as if whole (its total length exceeds the frame,
 * so tshark does not try to reassemble it): running past its data is
 * `_ws.unreassembled`; the same packet unfragmented is `_ws.malformed`.
 * Modelled on ndpi/badpackets.pcap (see its goldens). */
static void test_ipv4_first_fragment_unreassembled(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4_opts(&f, 17, 0x2000, NULL, 0); /* MF, offset 0 */
    uint32_t u = udp(&f, 53, 40002);
    put16(&f, 0x1234); /* id */
    put16(&f, 0x8400); /* flags: a response */
    put16(&f, 1);      /* one question... */
    fill(&f, 0, 6);
    put8(&f, 15); /* ...whose first label runs past the frame */
    fill(&f, 'a', 4);
    udp_end(&f, u);
    ip4_end(&f, ip);
    patch16(&f, 14 + 2, 1500);
    patch16(&f, u + 4, 1480);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:dns:_ws.unreassembled");
    CHECK(has_anom(p, PW_AN_UNREASSEMBLED));
    CHECK(!has_anom(p, PW_AN_MALFORMED));
    /* cut by the snap length inside the label: the byte-wise read stops at
     * the first byte not captured (badpackets frame 11) */
    p = dissect_lt(&f, 1, f.n - 1, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:dns:_ws.short");
    /* two bytes of DNS captured: no flags, no DNS tree (frame 58) */
    p = dissect_lt(&f, 1, 14 + 20 + 8 + 2, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:dns:_ws.short");
    CHECK(p->layer[3].flags & PW_LF_NOTREE);
    /* not a fragment: the same overrun is malformed */
    patch16(&f, 14 + 6, 0);
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:dns:_ws.malformed");
    CHECK(!has_anom(p, PW_AN_UNREASSEMBLED));
}

static void test_ipv6_ext_headers(void)
{
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t ip = ip6(&f, 0);
    put8(&f, 60); /* hop-by-hop -> destination options */
    put8(&f, 0);
    fill(&f, 1, 6);
    put8(&f, 6); /* destination options -> TCP, 16 bytes */
    put8(&f, 1);
    fill(&f, 1, 14);
    tcp_plain(&f, 0x010);
    ip6_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:ipv6.hopopts:ipv6.dstopts:tcp");
    CHECK(p->layer[2].flags & PW_LF_SUBTREE);
    CHECK(p->layer[3].flags & PW_LF_SUBTREE);
    CHECK(!(p->layer[4].flags & PW_LF_SUBTREE));
    CHECK_EQ_INT(p->layer[1].u.ip6.nxt, 0);
    CHECK_EQ_INT(p->layer[1].u.ip6.proto, 6);
    CHECK_EQ_INT(p->l3, 1);
    CHECK_EQ_INT(p->l4, 4);
    CHECK_EQ_INT(fu(p, 1, "ipv6.plen"), 8 + 16 + 20);
    CHECK_EQ_INT(fu(p, 1, "ipv6.hlim"), 255);
    CHECK_EQ_INT(fu(p, 1, "ipv6.flow"), 0x12345);
    CHECK_EQ_INT(fu(p, 3, "ipv6.dstopts.len_oct"), 16);
    struct pw_fvalue v;
    CHECK_EQ_INT(field(p, 1, "ipv6.dst", &v), 1);
    CHECK(memcmp(v.v.addr, IP6_B, 16) == 0);
    /* an extension header running past the payload length */
    patch16(&f, 14 + 4, 12);
    p = dissect_lt(&f, 1, 14 + 40 + 12, 14 + 40 + 12);
    CHECK_EQ_STR(chain(p), "eth:ipv6:ipv6.hopopts:ipv6.dstopts:_ws.malformed");
    CHECK(has_anom(p, PW_AN_IPV6_BAD_EXTHDR));
}

static void test_ipv6_fragment_header(void)
{
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t ip = ip6(&f, 44);
    put8(&f, 17);
    put8(&f, 0);
    put16(&f, (100u << 3) | 1); /* offset 100, M */
    put32(&f, 0xcafe);
    fill(&f, 0, 16);
    ip6_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:ipv6.fraghdr:data");
    CHECK(p->layer[1].flags & PW_LF_FRAGMENT);
    CHECK(p->layer[1].u.ip6.frag);
    CHECK_EQ_INT(p->layer[1].u.ip6.frag_off, 100);
    CHECK_EQ_INT(p->layer[1].u.ip6.frag_id, 0xcafe);
    CHECK_EQ_INT(p->layer[1].u.ip6.proto, 17);
    CHECK_EQ_INT(p->l4, -1);
    CHECK_EQ_INT(fu(p, 2, "ipv6.fraghdr.offset"), 100);
    CHECK_EQ_INT(fu(p, 2, "ipv6.fraghdr.more"), 1);
    /* atomic fragment: offset 0, M clear -> the payload is dissected */
    patch16(&f, 14 + 40 + 2, 0);
    f.n = 14 + 40 + 8;
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip6_end(&f, ip);
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:ipv6.fraghdr:udp");
    CHECK_EQ_INT(p->l4, 3);
}

static void test_ipv6_malformed_and_version(void)
{
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t ip = ip6(&f, 59);
    ip6_end(&f, ip);
    /* the frame reports only 39 bytes of IPv6: the header lies past it */
    const struct pw_packet *p = dissect_lt(&f, 1, 14 + 39, 14 + 39);
    CHECK_EQ_STR(chain(p), "eth:ipv6:_ws.malformed");
    CHECK(has_anom(p, PW_AN_MALFORMED));
    CHECK(p->layer[1].flags & PW_LF_MALFORMED);
    /* version 5: tshark's IPv6 draws its tree with the version and
     * declines (tcpdump/ipv6-bad-version.pcap: `eth:ethertype:data` in
     * frame.protocols, eth > ipv6 > data in the hierarchy, and a hidden
     * `_ws.malformed` from its Malformed-group expert item) */
    f.b[14] = 0x50;
    p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:_ws.malformed:data");
    CHECK(has_anom(p, PW_AN_IPV6_BAD_VERSION));
    CHECK(!has_anom(p, PW_AN_MALFORMED));
    CHECK(p->layer[1].flags & PW_LF_UNLISTED);
    CHECK(!(p->layer[1].flags & PW_LF_SUBTREE));     /* a hierarchy level */
    CHECK(p->layer[2].flags & PW_LF_SUBTREE);        /* hidden: no level... */
    CHECK(p->layer[2].flags & PW_LF_UNLISTED);       /* ...and not listed */
    CHECK_EQ_INT(p->layer[3].off, 14);               /* data: all the bytes */
    CHECK_EQ_INT(p->l3, -1);
}

static void test_icmp_error_quote(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 1);
    icmp_head(&f, 3, 3, 0);
    uint32_t qip = ip4(&f, 17);
    uint32_t qu = udp(&f, 33000, 40002); /* unclaimed port: the quoted payload is data */
    fill(&f, 0x55, 12);
    udp_end(&f, qu);
    ip4_end(&f, qip);
    patch16(&f, qip + 2, 1400); /* the quoted header claims more than is quoted */
    patch16(&f, qu + 4, 1380);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:icmp:ip:udp:data");
    CHECK_EQ_INT(p->l3, 1);
    CHECK_EQ_INT(p->l4, -1);
    CHECK(p->layer[3].flags & PW_LF_QUOTED);
    CHECK(p->layer[4].flags & PW_LF_QUOTED);
    CHECK(!(p->layer[5].flags & PW_LF_QUOTED)); /* tshark shows it as a level */
    CHECK_EQ_INT(p->nanom, 0);
    CHECK_EQ_INT(fu(p, 2, "icmp.type"), 3);
    CHECK_EQ_INT(fu(p, 2, "icmp.code"), 3);
    CHECK_EQ_INT(fu(p, 4, "udp.dstport"), 40002);
}

static void test_icmp_echo(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 1);
    put8(&f, 8);
    put8(&f, 0);
    put16(&f, 0);
    put16(&f, 0x77);
    put16(&f, 3);
    fill(&f, 0x61, 32);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:icmp:data");
    CHECK(p->layer[3].flags & PW_LF_SUBTREE);
    CHECK_EQ_INT(fu(p, 2, "icmp.ident"), 0x77);
    CHECK_EQ_INT(fu(p, 2, "icmp.seq"), 3);
    /* ICMP header cut by the snap length */
    p = dissect_lt(&f, 1, 14 + 20 + 6, f.n);
    CHECK_EQ_STR(chain(p), "eth:ip:icmp:_ws.short");
}

/* tshark takes 8 bytes of echo data for a timestamp (32-bit seconds and
 * microseconds, either byte order) when it is less than a day from the
 * frame's time; the data layer then starts after them */
static void test_icmp_echo_timestamp(void)
{
    const uint32_t now = 1700000000u;
    const struct {
        int64_t off;
        bool little;
        uint32_t usec;
        uint32_t data;
    } cases[] = {
        {0, true, 0, 16},           {3600, true, 5, 16},  {86399, true, 0, 16},
        {-86399, false, 0, 16},     {86400, true, 0, 24}, {-86400, true, 0, 24},
        {0, true, 1000000u, 24},    {30 * 86400, true, 0, 24},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bb f = {0};
        eth(&f, 0x0800);
        uint32_t ip = ip4(&f, 1);
        icmp_head(&f, 8, 0, 0x00010001);
        uint32_t sec = (uint32_t)(now + cases[i].off), usec = cases[i].usec;
        if (cases[i].little) {
            sec = __builtin_bswap32(sec);
            usec = __builtin_bswap32(usec);
        }
        put32(&f, sec);
        put32(&f, usec);
        fill(&f, 0x10, 16);
        ip4_end(&f, ip);
        memset(&rec, 0, sizeof(rec));
        rec.data = f.b;
        rec.caplen = rec.len = f.n;
        rec.linktype = 1;
        rec.ts.sec = now;
        pw_dissect_packet(&rec, 1, &pkt);
        CHECK_EQ_STR(chain(&pkt), "eth:ip:icmp:data");
        CHECK_EQ_INT(pkt.layer[3].len, cases[i].data);
    }
}

/* An ICMPv6 echo request from a Teredo address (2001:0::/32) is a Teredo
 * connectivity test: its data is a nonce, no data layer (tshark) */
static void test_icmpv6_teredo_nonce(void)
{
    for (int teredo = 0; teredo < 2; teredo++) {
        struct bb f = {0};
        eth(&f, 0x86dd);
        uint32_t ip = ip6(&f, 58);
        if (teredo)
            patch16(&f, ip + 10, 0); /* 2001:db8:: -> 2001:0:: */
        icmp_head(&f, 128, 0, 0x00010001);
        put32(&f, 0xdadcadad);
        ip6_end(&f, ip);
        const struct pw_packet *p = dissect(&f);
        CHECK_EQ_STR(chain(p), teredo ? "eth:ipv6:icmpv6" : "eth:ipv6:icmpv6:data");
    }
}

/* ---- *.checksum.status ---------------------------------------------- */

/* RFC 1071 sum of n bytes, folded, starting from `sum` */
static uint32_t inet_sum(const uint8_t *b, uint32_t n, uint32_t sum)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* writes at `ck` the checksum of the n bytes at `at` (the field being 0) */
static void set_cksum(struct bb *f, uint32_t ck, uint32_t at, uint32_t n, uint32_t pseudo)
{
    patch16(f, ck, ~inet_sum(f->b + at, n, pseudo) & 0xffff);
}

static uint32_t ip6_pseudo(const uint8_t *src, const uint8_t *dst, uint32_t len)
{
    return inet_sum(dst, 16, inet_sum(src, 16, len + 58));
}

/* tshark verifies no IPv4, TCP or SCTP checksum by default: the status is
 * 2 (unverified) wherever the checksum is shown, and absent with it */
static void test_cksum_status_unverified(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    static const uint8_t nops[4] = {1, 1, 1, 0};
    uint32_t ip = ip4_opts(&f, 6, 0x4000, nops, 4);
    tcp_plain(&f, 0x018);
    fill(&f, 'x', 10);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:tcp:data");
    CHECK_EQ_INT(fu(p, 1, "ip.checksum.status"), PW_CKSUM_UNVERIFIED);
    CHECK_EQ_INT(fu(p, 2, "tcp.checksum.status"), PW_CKSUM_UNVERIFIED);
    /* 17 bytes of TCP: the checksum (bytes 16-17) is not all there */
    p = dissect_lt(&f, 1, 14 + 24 + 17, f.n);
    CHECK_EQ_INT(fu(p, 1, "ip.checksum.status"), PW_CKSUM_UNVERIFIED);
    CHECK_EQ_INT(field(p, 2, "tcp.checksum.status", NULL), 0);
    p = dissect_lt(&f, 1, 14 + 24 + 18, f.n);
    CHECK_EQ_INT(fu(p, 2, "tcp.checksum.status"), PW_CKSUM_UNVERIFIED);
    /* 11 bytes of IPv4: no checksum, no status */
    p = dissect_lt(&f, 1, 14 + 11, f.n);
    CHECK_EQ_INT(field(p, 1, "ip.checksum.status", NULL), 0);
    CHECK_EQ_INT(pw_field_by_name("tcp.checksum.status")->type, PW_FT_UINT8);
    CHECK_EQ_INT(pw_field_by_name("sctp.checksum.status")->type, PW_FT_UINT8);
}

/* a zero UDP checksum is "not present" (3) over IPv4 and in a quote,
 * "illegal" (4) over IPv6; any other is unverified */
static void test_cksum_status_udp(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        for (int zero = 0; zero < 2; zero++) {
            struct bb f = {0};
            eth(&f, v6 ? 0x86dd : 0x0800);
            uint32_t ip = v6 ? ip6(&f, 17) : ip4(&f, 17);
            uint32_t u = udp(&f, 1000, 2000);
            fill(&f, 1, 12);
            udp_end(&f, u);
            if (!zero)
                patch16(&f, u + 6, 0xabcd);
            if (v6)
                ip6_end(&f, ip);
            else
                ip4_end(&f, ip);
            const struct pw_packet *p = dissect(&f);
            CHECK_EQ_INT(fu(p, 2, "udp.checksum.status"), !zero ? PW_CKSUM_UNVERIFIED
                                                          : v6  ? PW_CKSUM_ILLEGAL
                                                                : PW_CKSUM_NOT_PRESENT);
        }
    }
    /* an ICMPv6 error quoting IPv6 UDP without a checksum */
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t ip = ip6(&f, 58);
    icmp_head(&f, 1, 4, 0);
    uint32_t qip = ip6(&f, 17);
    uint32_t qu = udp(&f, 1000, 2000);
    fill(&f, 1, 12);
    udp_end(&f, qu);
    ip6_end(&f, qip);
    ip6_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:icmpv6:ipv6:udp:data");
    CHECK_EQ_INT(fu(p, 4, "udp.checksum.status"), PW_CKSUM_NOT_PRESENT);
}

/* ICMP and ICMPv6 checksums are verified when the whole message was
 * captured, outside ICMP error quotes: 1 good, 0 bad, else 2 */
static void test_cksum_status_icmp(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 1);
    uint32_t ic = f.n;
    icmp_head(&f, 8, 0, 0x00010001);
    fill(&f, 0x61, 11); /* odd: the last byte is padded */
    ip4_end(&f, ip);
    set_cksum(&f, ic + 2, ic, f.n - ic, 0);
    fill(&f, 0, 6); /* Ethernet padding is not summed */
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_INT(fu(p, 2, "icmp.checksum.status"), PW_CKSUM_GOOD);
    p = dissect_lt(&f, 1, f.n - 6 - 1, f.n);
    CHECK_EQ_INT(fu(p, 2, "icmp.checksum.status"), PW_CKSUM_UNVERIFIED);
    f.b[f.n - 7] ^= 1;
    p = dissect(&f);
    CHECK_EQ_INT(fu(p, 2, "icmp.checksum.status"), PW_CKSUM_BAD);

    /* time exceeded quoting an echo request: the outer checksum is
     * verified, the quoted one is not */
    struct bb e = {0};
    eth(&e, 0x0800);
    uint32_t eip = ip4(&e, 1);
    uint32_t eic = e.n;
    icmp_head(&e, 11, 0, 0);
    uint32_t qip = ip4(&e, 1);
    uint32_t qic = e.n;
    icmp_head(&e, 8, 0, 0x00010001);
    fill(&e, 0x61, 8);
    ip4_end(&e, qip);
    set_cksum(&e, qic + 2, qic, e.n - qic, 0);
    ip4_end(&e, eip);
    set_cksum(&e, eic + 2, eic, e.n - eic, 0);
    p = dissect(&e);
    CHECK_EQ_STR(chain(p), "eth:ip:icmp:ip:icmp:data");
    CHECK_EQ_INT(fu(p, 2, "icmp.checksum.status"), PW_CKSUM_GOOD);
    CHECK_EQ_INT(fu(p, 4, "icmp.checksum.status"), PW_CKSUM_UNVERIFIED);

    /* ICMPv6 echo: the pseudo header counts */
    struct bb g = {0};
    eth(&g, 0x86dd);
    uint32_t ip6at = ip6(&g, 58);
    uint32_t i6 = g.n;
    icmp_head(&g, 128, 0, 0x00010001);
    fill(&g, 0x62, 9);
    ip6_end(&g, ip6at);
    set_cksum(&g, i6 + 2, i6, g.n - i6, ip6_pseudo(IP6_A, IP6_B, g.n - i6));
    p = dissect(&g);
    CHECK_EQ_STR(chain(p), "eth:ipv6:icmpv6:data");
    CHECK_EQ_INT(fu(p, 2, "icmpv6.checksum.status"), PW_CKSUM_GOOD);
    set_cksum(&g, i6 + 2, i6, g.n - i6, 0); /* without the pseudo header */
    p = dissect(&g);
    CHECK_EQ_INT(fu(p, 2, "icmpv6.checksum.status"), PW_CKSUM_BAD);
    p = dissect_lt(&g, 1, i6 + 8, g.n);
    CHECK_EQ_INT(fu(p, 2, "icmpv6.checksum.status"), PW_CKSUM_UNVERIFIED);
}

/* behind a source route with segments left, the sender summed the last
 * address of the route, not the header's destination */
static void test_cksum_status_icmpv6_routed(void)
{
    static const uint8_t final[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
    for (int left = 0; left < 2; left++) {
        struct bb f = {0};
        eth(&f, 0x86dd);
        uint32_t ip = ip6(&f, 43);
        put8(&f, 58);
        put8(&f, 2); /* 24 bytes */
        put8(&f, 0); /* type 0 */
        put8(&f, left);
        put32(&f, 0);
        putn(&f, final, 16);
        uint32_t i6 = f.n;
        icmp_head(&f, 128, 0, 0x00010001);
        fill(&f, 0x63, 4);
        ip6_end(&f, ip);
        set_cksum(&f, i6 + 2, i6, f.n - i6, ip6_pseudo(IP6_A, left ? final : IP6_B, f.n - i6));
        const struct pw_packet *p = dissect(&f);
        CHECK_EQ_STR(chain(p), "eth:ipv6:ipv6.routing:icmpv6:data");
        CHECK_EQ_INT(fu(p, 3, "icmpv6.checksum.status"), PW_CKSUM_GOOD);
    }
}

/* GRE checksums are verified, even inside an ICMP error */
static void test_cksum_status_gre(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 1);
    uint32_t ic = f.n;
    icmp_head(&f, 3, 3, 0);
    uint32_t qip = ip4(&f, 47);
    uint32_t g = f.n;
    put16(&f, 0x8000); /* C */
    put16(&f, 0x0800);
    put32(&f, 0);
    uint32_t iip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    fill(&f, 7, 5);
    udp_end(&f, u);
    ip4_end(&f, iip);
    ip4_end(&f, qip);
    set_cksum(&f, g + 4, g, f.n - g, 0);
    ip4_end(&f, ip);
    set_cksum(&f, ic + 2, ic, f.n - ic, 0);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:icmp:ip:gre:ip:udp:data");
    CHECK_EQ_INT(fu(p, 4, "gre.checksum.status"), PW_CKSUM_GOOD);
    f.b[g + 4] ^= 0x10;
    p = dissect(&f);
    CHECK_EQ_INT(fu(p, 4, "gre.checksum.status"), PW_CKSUM_BAD);
    p = dissect_lt(&f, 1, f.n - 1, f.n);
    CHECK_EQ_INT(fu(p, 4, "gre.checksum.status"), PW_CKSUM_UNVERIFIED);
}

/* fields several protocols publish: the variant of the layer's protocol */
struct variant_find {
    const char *name;
    unsigned proto;
    const struct pw_field *found;
};

static void find_variant(const struct pw_field *f, void *arg)
{
    struct variant_find *v = arg;
    if (!strcmp(f->abbrev, v->name) && f->proto == v->proto)
        v->found = f;
}

static int variant(const struct pw_packet *p, int li, const char *name, struct pw_fvalue *out)
{
    struct variant_find v = {name, p->layer[li].proto, NULL};
    pw_field_foreach(find_variant, &v);
    if (!v.found)
        return -1;
    struct pw_fvalue tmp[4];
    int n = v.found->get(p, &p->layer[li], tmp, 4);
    if (n > 0 && out)
        *out = tmp[0];
    return n;
}

static void test_shared_field_names(void)
{
    /* 6in4: ip.version from both headers, as tshark's IPv6 adds it too */
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 41);
    uint32_t ip6h = ip6(&f, 59);
    ip6_end(&f, ip6h);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:ipv6");
    struct pw_fvalue v;
    CHECK_EQ_INT(variant(p, 1, "ip.version", &v), 1);
    CHECK_EQ_INT(v.v.u, 4);
    CHECK_EQ_INT(variant(p, 2, "ip.version", &v), 1);
    CHECK_EQ_INT(v.v.u, 6);
    /* ip.id is printed in hex by tshark (BASE_HEX_DEC) */
    CHECK_EQ_INT(pw_field_by_name("ip.id")->base, PW_BASE_HEX_DEC);

    /* mDNS publishes dns.*; the reply code only in responses */
    struct bb m = {0};
    eth(&m, 0x0800);
    ip = ip4(&m, 17);
    uint32_t u = udp(&m, 5353, 5353);
    put16(&m, 0);      /* id */
    put16(&m, 0x0000); /* query */
    put16(&m, 1);
    put16(&m, 0);
    put16(&m, 0);
    put16(&m, 0);
    putn(&m, "\x04host\x05local\x00", 12);
    put16(&m, 1);
    put16(&m, 1);
    udp_end(&m, u);
    ip4_end(&m, ip);
    p = dissect(&m);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:mdns");
    CHECK_EQ_INT(variant(p, 3, "dns.id", &v), 1);
    CHECK_EQ_INT(v.v.u, 0);
    CHECK_EQ_INT(variant(p, 3, "dns.count.queries", &v), 1);
    CHECK_EQ_INT(v.v.u, 1);
    CHECK_EQ_INT(variant(p, 3, "dns.qry.name", &v), 1);
    {
        /* names are built by the field's text() (one per question) */
        struct variant_find vf = {"dns.qry.name", p->layer[3].proto, NULL};
        pw_field_foreach(find_variant, &vf);
        char nb[64];
        CHECK(vf.found && vf.found->text);
        CHECK_EQ_INT((int)vf.found->text(p, &p->layer[3], 0, nb, sizeof(nb)), 10);
        CHECK_EQ_STR(nb, "host.local");
    }
    CHECK_EQ_INT(variant(p, 3, "dns.qry.type", &v), 1);
    CHECK_EQ_INT(v.v.u, 1);
    CHECK_EQ_INT(variant(p, 3, "dns.flags.rcode", NULL), 0);
}

/* protocols tshark names where `data` used to be */
static void test_layer_only_protocols(void)
{
    /* STP: LLC DSAP 0x42 */
    struct bb f = {0};
    eth(&f, 0);
    put8(&f, 0x42);
    put8(&f, 0x42);
    put8(&f, 0x03);
    fill(&f, 0, 35);
    patch16(&f, 12, f.n - 14);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:llc:stp");

    /* BVLC Original-Broadcast-NPDU, NPDU with DNET 0xffff, APDU who-is */
    static const uint8_t bac[] = {0x81, 0x0b, 0x00, 0x12, 0x01, 0x20, 0xff, 0xff, 0x00,
                                  0xff, 0x10, 0x08, 0x0a, 0x1b, 0x59, 0x1a, 0x1b, 0x59};
    struct bb b = {0};
    eth(&b, 0x0800);
    uint32_t ip = ip4(&b, 17);
    uint32_t u = udp(&b, 47808, 47808);
    putn(&b, bac, sizeof(bac));
    udp_end(&b, u);
    ip4_end(&b, ip);
    p = dissect(&b);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:bvlc:bacnet:bacapp");
    /* a network layer message (control bit 7) has no APDU */
    b.b[14 + 20 + 8 + 5] = 0xa0;
    p = dissect(&b);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:bvlc:bacnet");
    /* a BVLC result carries no NPDU */
    b.b[14 + 20 + 8 + 1] = 0x00;
    p = dissect(&b);
    CHECK_EQ_STR(chain(p), "eth:ip:udp:bvlc");

    /* SAP announcement (IPv4 origin, no authentication) with a payload type,
     * then SDP; ISAKMP on port 500 */
    for (int k = 0; k < 3; k++) {
        struct bb s = {0};
        eth(&s, 0x0800);
        ip = ip4(&s, 17);
        u = udp(&s, k == 2 ? 500 : 9875, k == 2 ? 500 : 9875);
        if (k < 2) {
            put8(&s, 0x20);
            put8(&s, 0);
            put16(&s, 0x1234);
            putn(&s, IP_A, 4);
            if (k == 1)
                putn(&s, "application/sdp", 16);
            putn(&s, "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n", 31);
        } else {
            fill(&s, 0x11, 28);
        }
        udp_end(&s, u);
        ip4_end(&s, ip);
        p = dissect(&s);
        CHECK_EQ_STR(chain(p), k == 2 ? "eth:ip:udp:isakmp" : "eth:ip:udp:sap:sdp");
        if (k < 2)
            CHECK_EQ_INT(p->layer[4].off, 14 + 20 + 8 + 8 + (k == 1 ? 16 : 0));
    }
}

static void test_icmpv6_error_short_tcp_quote(void)
{
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t ip = ip6(&f, 58);
    icmp_head(&f, 1, 4, 0);
    uint32_t q = ip6(&f, 6);
    put16(&f, 5555); /* only 8 bytes of TCP quoted */
    put16(&f, 80);
    put32(&f, 42);
    ip6_end(&f, q);
    patch16(&f, q + 4, 1000);
    ip6_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:icmpv6:ipv6:tcp");
    CHECK_EQ_INT(p->l3, 1);
    CHECK_EQ_INT(p->l4, -1);
    CHECK(p->layer[4].flags & PW_LF_QUOTED);
    CHECK_EQ_INT(p->layer[4].u.tcp.dport, 80);
    CHECK_EQ_INT(p->layer[4].u.tcp.seq, 42);
    CHECK_EQ_INT(fu(p, 2, "icmpv6.type"), 1);
    CHECK_EQ_INT(fu(p, 2, "icmpv6.code"), 4);
    CHECK_EQ_INT(field(p, 4, "tcp.flags", NULL), 0);
    CHECK_EQ_INT(field(p, 4, "tcp.len", NULL), 0); /* none in a quote (tshark) */
    CHECK_EQ_INT(p->nanom, 0);
}

static void test_qinq_and_vlan_llc(void)
{
    struct bb f = {0};
    eth(&f, 0x88a8);
    put16(&f, (3u << 13) | 100);
    put16(&f, 0x8100);
    put16(&f, (1u << 12) | 200);
    put16(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    fill(&f, 9, 4);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ieee8021ad:vlan:ip:udp:data");
    CHECK_EQ_INT(fu(p, 1, "ieee8021ad.id"), 100);
    CHECK_EQ_INT(fu(p, 1, "ieee8021ad.priority"), 3);
    CHECK_EQ_INT(fu(p, 2, "vlan.id"), 200);
    CHECK_EQ_INT(fu(p, 2, "vlan.dei"), 1);
    CHECK_EQ_INT(fu(p, 2, "vlan.etype"), 0x0800);
    CHECK_EQ_INT(p->l3, 3);
    /* 802.1Q tag carrying an 802.3 length and STP over LLC */
    struct bb g = {0};
    eth(&g, 0x8100);
    put16(&g, 5);
    put16(&g, 3 + 35);
    put8(&g, 0x42);
    put8(&g, 0x42);
    put8(&g, 0x03);
    fill(&g, 0, 35);
    fill(&g, 0, 8); /* padding */
    p = dissect(&g);
    CHECK_EQ_STR(chain(p), "eth:vlan:llc:stp");
    CHECK_EQ_INT(p->layer[3].len, 35);
    CHECK_EQ_INT(field(p, 1, "vlan.etype", NULL), 0);
    CHECK_EQ_INT(fu(p, 1, "vlan.len"), 38);
}

static void test_llc_snap(void)
{
    struct bb f = {0};
    eth(&f, 0);
    put8(&f, 0xaa);
    put8(&f, 0xaa);
    put8(&f, 0x03);
    put8(&f, 0);
    put16(&f, 0);
    put16(&f, 0x0806);
    put16(&f, 1);
    put16(&f, 0x0800);
    put8(&f, 6);
    put8(&f, 4);
    put16(&f, 1);
    putn(&f, MAC_A, 6);
    putn(&f, IP_A, 4);
    fill(&f, 0, 6);
    putn(&f, IP_B, 4);
    patch16(&f, 12, f.n - 14);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:llc:arp");
    CHECK_EQ_INT(fu(p, 1, "llc.type"), 0x0806);
    CHECK_EQ_INT(fu(p, 1, "llc.dsap"), 0xaa);
    CHECK_EQ_INT(field(p, 0, "eth.type", NULL), 0);
    CHECK_EQ_INT(fu(p, 2, "arp.opcode"), 1);
    struct pw_fvalue v;
    CHECK_EQ_INT(field(p, 2, "arp.src.hw_mac", &v), 1);
    CHECK(memcmp(v.v.addr, MAC_A, 6) == 0);
    CHECK_EQ_INT(field(p, 2, "arp.dst.proto_ipv4", &v), 1);
    CHECK(memcmp(v.v.addr, IP_B, 4) == 0);
    CHECK_EQ_INT(field(p, 2, "arp.src.proto_ipv4", &v), 1);
    CHECK(memcmp(v.v.addr, IP_A, 4) == 0);
}

static void test_arp_lying_lengths(void)
{
    struct bb f = {0};
    eth(&f, 0x0806);
    put16(&f, 1);
    put16(&f, 0x0800);
    put8(&f, 200); /* hardware address length 200 */
    put8(&f, 4);
    put16(&f, 2);
    fill(&f, 0, 20);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:arp:_ws.malformed");
    CHECK(has_anom(p, PW_AN_ARP_BAD_LEN));
    CHECK_EQ_INT(fu(p, 1, "arp.opcode"), 2);
    CHECK_EQ_INT(field(p, 1, "arp.src.hw_mac", NULL), 0);
}

static void test_gre_v0_key_seq_teb(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 47);
    put16(&f, 0xb000); /* C K S */
    put16(&f, 0x6558);
    put16(&f, 0x1111); /* checksum */
    put16(&f, 0);
    put32(&f, 0xdeadbeef);
    put32(&f, 7);
    eth(&f, 0x0800);
    uint32_t ip2 = ip4(&f, 1);
    icmp_head(&f, 0, 0, 0);
    ip4_end(&f, ip2);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:gre:eth:ip:icmp");
    CHECK_EQ_INT(p->layer[2].hlen, 16);
    CHECK_EQ_INT(fu(p, 2, "gre.key"), 0xdeadbeef);
    CHECK_EQ_INT(fu(p, 2, "gre.sequence_number"), 7);
    CHECK_EQ_INT(fu(p, 2, "gre.proto"), 0x6558);
    CHECK_EQ_INT(fu(p, 2, "gre.checksum"), 0x1111);
    CHECK_EQ_INT(p->l3, 4);
    CHECK_EQ_INT(p->l4, -1);
}

static void test_gre_v1_pptp(void)
{
    struct bb f = {0};
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, 47);
    put16(&f, 0x3081); /* K S A, version 1 */
    put16(&f, 0x880b);
    put16(&f, 28);
    put16(&f, 0x0042);
    put32(&f, 5);
    put32(&f, 4);
    put8(&f, 0xff);
    put8(&f, 0x03);
    put16(&f, 0x0021);
    uint32_t ip2 = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip2);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ip:gre:ppp:ip:udp");
    CHECK_EQ_INT(fu(p, 2, "gre.ack_number"), 4);
    CHECK_EQ_INT(field(p, 2, "gre.key", NULL), 0);
    CHECK_EQ_INT(fu(p, 3, "ppp.protocol"), 0x21);
    CHECK_EQ_INT(fu(p, 2, "gre.flags.version"), 1);
}

static void test_4in6_6in4(void)
{
    struct bb f = {0};
    eth(&f, 0x86dd);
    uint32_t o = ip6(&f, 4);
    uint32_t i = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, i);
    ip6_end(&f, o);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:ipv6:ip:udp");
    CHECK_EQ_INT(p->l3, 2);
    CHECK_EQ_INT(p->l4, 3);
    struct bb g = {0};
    eth(&g, 0x0800);
    o = ip4(&g, 41);
    i = ip6(&g, 17);
    u = udp(&g, 1, 2);
    udp_end(&g, u);
    ip6_end(&g, i);
    ip4_end(&g, o);
    p = dissect(&g);
    CHECK_EQ_STR(chain(p), "eth:ip:ipv6:udp");
    CHECK_EQ_INT(p->l3, 2);
}

static void test_sll_v1_v2(void)
{
    struct bb f = {0};
    put16(&f, 0);
    put16(&f, 1);
    put16(&f, 6);
    putn(&f, MAC_A, 6);
    put16(&f, 0);
    put16(&f, 0x0800);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect_lt(&f, 113, f.n, f.n);
    CHECK_EQ_STR(chain(p), "sll:ip:udp");
    CHECK_EQ_INT(fu(p, 0, "sll.etype"), 0x0800);
    struct pw_fvalue v;
    CHECK_EQ_INT(field(p, 0, "sll.src.eth", &v), 1);
    CHECK(memcmp(v.v.addr, MAC_A, 6) == 0);
    CHECK_EQ_INT(field(p, 0, "sll.ifindex", NULL), 0);
    struct bb g = {0};
    put16(&g, 0x86dd);
    put16(&g, 0);
    put32(&g, 3);
    put16(&g, 1);
    put8(&g, 4);
    put8(&g, 6);
    putn(&g, MAC_B, 6);
    put16(&g, 0);
    ip = ip6(&g, 59);
    ip6_end(&g, ip);
    p = dissect_lt(&g, 276, g.n, g.n);
    CHECK_EQ_STR(chain(p), "sll:ipv6");
    CHECK_EQ_INT(p->layer[0].proto, PW_P_SLL);
    CHECK_EQ_INT(fu(p, 0, "sll.ifindex"), 3);
    CHECK_EQ_INT(fu(p, 0, "sll.pkttype"), 4);
    /* LLC pseudo-protocol */
    g.b[1] = 0x04;
    g.b[0] = 0;
    p = dissect_lt(&g, 276, g.n, g.n);
    CHECK_EQ_STR(chain(p), "sll:llc:data");
}

static void test_null_both_orders(void)
{
    struct bb f = {0};
    put32(&f, 0x02000000); /* AF_INET written little-endian */
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    const struct pw_packet *p = dissect_lt(&f, 0, f.n, f.n);
    CHECK_EQ_STR(chain(p), "null:ip:udp");
    CHECK_EQ_INT(fu(p, 0, "null.family"), 2);
    struct bb g = {0};
    put32(&g, 30); /* AF_INET6 on Darwin, big-endian */
    ip = ip6(&g, 59);
    ip6_end(&g, ip);
    p = dissect_lt(&g, 0, g.n, g.n);
    CHECK_EQ_STR(chain(p), "null:ipv6");
    CHECK_EQ_INT(fu(p, 0, "null.family"), 30);
    g.b[3] = 0;
    g.b[0] = 24; /* AF_INET6 on OpenBSD, little-endian, LINKTYPE_LOOP */
    p = dissect_lt(&g, 108, g.n, g.n);
    CHECK_EQ_STR(chain(p), "null:ipv6");
    g.b[0] = 99;
    p = dissect_lt(&g, 0, g.n, g.n);
    CHECK_EQ_STR(chain(p), "null:data");
    p = dissect_lt(&g, 0, 3, 3);
    CHECK_EQ_STR(chain(p), "null:_ws.malformed");
}

static void test_raw_link_types(void)
{
    struct bb f = {0};
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    CHECK_EQ_STR(chain(dissect_lt(&f, 101, f.n, f.n)), "raw:ip:udp");
    CHECK_EQ_STR(chain(dissect_lt(&f, 228, f.n, f.n)), "ip:udp");
    struct bb g = {0};
    ip = ip6(&g, 17);
    u = udp(&g, 1, 2);
    udp_end(&g, u);
    ip6_end(&g, ip);
    CHECK_EQ_STR(chain(dissect_lt(&g, 101, g.n, g.n)), "raw:ipv6:udp");
    CHECK_EQ_STR(chain(dissect_lt(&g, 229, g.n, g.n)), "ipv6:udp");
    /* IPv6 in a LINKTYPE_IPV4 record: tshark shows ip:ipv6, phs only ipv6 */
    const struct pw_packet *p = dissect_lt(&g, 228, g.n, g.n);
    CHECK_EQ_STR(chain(p), "ip:ipv6:udp");
    CHECK(p->layer[0].flags & PW_LF_SUBTREE);
    CHECK_EQ_INT(p->l3, 1);
}

static void test_pppoe_session(void)
{
    struct bb f = {0};
    eth(&f, 0x8864);
    put8(&f, 0x11);
    put8(&f, 0);
    put16(&f, 0x1234);
    put16(&f, 0);
    put16(&f, 0x0021);
    uint32_t ip = ip4(&f, 17);
    uint32_t u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, ip);
    patch16(&f, 18, f.n - 20);
    fill(&f, 0, 10); /* padding */
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_STR(chain(p), "eth:pppoes:ppp:ip:udp");
    CHECK_EQ_INT(fu(p, 1, "pppoe.session_id"), 0x1234);
    CHECK_EQ_INT(fu(p, 2, "ppp.protocol"), 0x21);
    CHECK_EQ_INT(field(p, 2, "ppp.address", NULL), 0);
}

static void test_ppp_link_types(void)
{
    struct bb f = {0};
    put8(&f, 0xff);
    put8(&f, 0x03);
    put16(&f, 0x0057);
    uint32_t ip = ip6(&f, 59);
    ip6_end(&f, ip);
    const struct pw_packet *p = dissect_lt(&f, 9, f.n, f.n);
    CHECK_EQ_STR(chain(p), "ppp:ipv6");
    CHECK_EQ_INT(fu(p, 0, "ppp.address"), 0xff);
    struct bb g = {0};
    put8(&g, 0x21); /* compressed protocol field, no address/control */
    ip = ip4(&g, 59);
    ip4_end(&g, ip);
    CHECK_EQ_STR(chain(dissect_lt(&g, 50, g.n, g.n)), "ppp:ip");
}

static void test_loop(void)
{
    struct bb f = {0};
    eth(&f, 0x9000);
    put8(&f, 0); /* skipCount 0, little-endian */
    put8(&f, 0);
    put8(&f, 1); /* reply */
    put8(&f, 0);
    put16(&f, 0);
    fill(&f, 0x33, 40);
    CHECK_EQ_STR(chain(dissect(&f)), "eth:loop:data");
}

static void test_too_many_layers(void)
{
    /* IP-in-IP nested far deeper than the layer limit */
    struct bb f = {0};
    eth(&f, 0x0800);
    for (int i = 0; i < 100; i++)
        ip4_opts(&f, 4, 0, NULL, 0);
    for (int i = 0; i < 100; i++)
        patch16(&f, 14 + 20u * (uint32_t)i + 2, f.n - 14 - 20u * (uint32_t)i);
    const struct pw_packet *p = dissect(&f);
    CHECK_EQ_INT(p->nlayers, PW_MAX_LAYERS);
    CHECK(has_anom(p, PW_AN_TOO_MANY_LAYERS));
}

static void test_unknown_linktype_and_caplen(void)
{
    struct bb f = {0};
    fill(&f, 1, 20);
    const struct pw_packet *p = dissect_lt(&f, 4242, f.n, f.n);
    CHECK_EQ_STR(chain(p), "data");
    CHECK(has_anom(p, PW_AN_UNKNOWN_LINKTYPE));
    p = dissect_lt(&f, 1, f.n, 4);
    CHECK(has_anom(p, PW_AN_CAPLEN_GT_LEN));
    p = dissect_lt(&f, 1, 8, 78);
    CHECK_EQ_STR(chain(p), "eth:_ws.short");
    p = dissect_lt(&f, 1, 0, 0);
    CHECK_EQ_STR(chain(p), "eth:_ws.malformed");
}

/* every registered field is named like Wireshark's (lower case, dotted),
 * belongs to a layer protocol, and its getter survives every layer kind */
static void each_field(const struct pw_field *fd, void *arg)
{
    int *n = arg;
    (*n)++;
    CHECK(fd->abbrev && strchr(fd->abbrev, '.'));
    CHECK(fd->proto > PW_P_NONE && fd->proto < PW_P__COUNT);
    CHECK(fd->get != NULL);
    /* a name several protocols publish, as tshark's do (ip.version from
     * IPv6, dns.* from mdns and llmnr, http.* from ssdp): the first is
     * found by name and is the one named after its protocol; the others
     * have its type */
    const struct pw_field *first = pw_field_by_name(fd->abbrev);
    CHECK(first != NULL && first->type == fd->type);
    bool shared = first != fd && (!strcmp(fd->abbrev, "ip.version") ||
                                  (!strncmp(fd->abbrev, "dns.", 4) &&
                                   (fd->proto == PW_P_MDNS || fd->proto == PW_P_LLMNR)) ||
                                  (!strncmp(fd->abbrev, "http.", 5) && fd->proto == PW_P_SSDP));
    CHECK(first == fd || shared);
    const char *pa = pw_proto_abbrev(shared ? first->proto : fd->proto);
    CHECK(strncmp(fd->abbrev, pa, strlen(pa)) == 0 || strncmp(fd->abbrev, "pppoe.", 6) == 0);
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        if (pkt.layer[i].proto != fd->proto)
            continue;
        struct pw_fvalue v[4];
        int c = fd->get(&pkt, &pkt.layer[i], v, 4);
        CHECK(c >= 0 && c <= 4);
        c = fd->get(&pkt, &pkt.layer[i], v, 0); /* max 0 writes nothing */
        CHECK(c >= 0);
    }
}

static void test_field_table(void)
{
    struct bb f = {0};
    syn_opts_frame(&f, "", 0);
    dissect(&f);
    int n = 0;
    pw_field_foreach(each_field, &n);
    CHECK(n > 100);
    static const char *const required[] = {"eth.src",
                                           "eth.dst",
                                           "eth.addr",
                                           "eth.type",
                                           "vlan.id",
                                           "vlan.priority",
                                           "vlan.etype",
                                           "arp.opcode",
                                           "arp.src.hw_mac",
                                           "arp.src.proto_ipv4",
                                           "arp.dst.proto_ipv4",
                                           "ip.version",
                                           "ip.hdr_len",
                                           "ip.dsfield.dscp",
                                           "ip.len",
                                           "ip.id",
                                           "ip.flags.df",
                                           "ip.flags.mf",
                                           "ip.frag_offset",
                                           "ip.ttl",
                                           "ip.proto",
                                           "ip.checksum",
                                           "ip.src",
                                           "ip.dst",
                                           "ip.addr",
                                           "ipv6.src",
                                           "ipv6.dst",
                                           "ipv6.addr",
                                           "ipv6.nxt",
                                           "ipv6.hlim",
                                           "ipv6.plen",
                                           "ipv6.flow",
                                           "icmp.type",
                                           "icmp.code",
                                           "icmpv6.type",
                                           "icmpv6.code",
                                           "tcp.srcport",
                                           "tcp.dstport",
                                           "tcp.port",
                                           "tcp.hdr_len",
                                           "tcp.flags",
                                           "tcp.flags.syn",
                                           "tcp.flags.ack",
                                           "tcp.flags.fin",
                                           "tcp.flags.reset",
                                           "tcp.flags.push",
                                           "tcp.flags.urg",
                                           "tcp.seq_raw",
                                           "tcp.ack_raw",
                                           "tcp.window_size_value",
                                           "tcp.options.mss_val",
                                           "tcp.len",
                                           "tcp.payload",
                                           "udp.srcport",
                                           "udp.dstport",
                                           "udp.port",
                                           "udp.length",
                                           "udp.payload"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!pw_field_by_name(required[i])) {
            fprintf(stderr, "missing field %s\n", required[i]);
            pw_t_case_failed = 1;
        }
    }
    CHECK(pw_field_by_name("tcp.options.sack_perm")->type == PW_FT_PROTOCOL);
    CHECK(pw_field_by_name("ipv6.flow")->type == PW_FT_UINT24);
    CHECK(pw_field_by_name("ip.flags.df")->type == PW_FT_BOOLEAN);
}

/* ---- link types of branch linktypes ------------------------------------- */

static void le16(struct bb *f, unsigned v)
{
    put8(f, v);
    put8(f, v >> 8);
}

static void le32(struct bb *f, uint32_t v)
{
    le16(f, v & 0xffff);
    le16(f, v >> 16);
}

/* an IPv4/UDP datagram with 4 payload bytes */
static void ip4_udp(struct bb *f)
{
    uint32_t ip = ip4(f, 17);
    uint32_t u = udp(f, 40000, 9999);
    put32(f, 0xcafef00d);
    udp_end(f, u);
    ip4_end(f, ip);
}

static void test_fddi_bitswapped(void)
{
    struct bb f = {0};
    put8(&f, 0x50); /* async LLC, priority 0 */
    static const uint8_t dst[6] = {0xaa, 0x00, 0x04, 0x00, 0x82, 0xa7};
    static const uint8_t src[6] = {0x80, 0x01, 0x02, 0x03, 0x04, 0x05};
    putn(&f, dst, 6);
    putn(&f, src, 6);
    put8(&f, 0xaa);
    put8(&f, 0xaa);
    put8(&f, 0x03);
    put8(&f, 0);
    put16(&f, 0);
    put16(&f, 0x0800);
    ip4_udp(&f);
    const struct pw_packet *p = dissect_lt(&f, 10, f.n, f.n);
    CHECK_EQ_STR(chain(p), "fddi:llc:ip:udp:data");
    CHECK_EQ_INT(fu(p, 0, "fddi.fc"), 0x50);
    struct pw_fvalue v;
    CHECK(field(p, 0, "fddi.dst", &v) == 2); /* tshark adds it twice */
    static const uint8_t want_dst[6] = {0x55, 0x00, 0x20, 0x00, 0x41, 0xe5};
    CHECK(memcmp(v.v.addr, want_dst, 6) == 0);
    CHECK(field(p, 0, "fddi.src", &v) == 2);
    static const uint8_t want_src[6] = {0x01, 0x80, 0x40, 0xc0, 0x20, 0xa0};
    CHECK(memcmp(v.v.addr, want_src, 6) == 0);
    /* an SMT frame is data */
    f.b[0] = 0x41;
    CHECK_EQ_STR(chain(dissect_lt(&f, 10, f.n, f.n)), "fddi:data");
}

static void test_nflog_byte_orders(void)
{
    /* big-endian TLVs (a big-endian capturing host), prefix TLV padded */
    struct bb f = {0};
    put8(&f, 2);
    put8(&f, 0);
    put16(&f, 7);
    put16(&f, 5); /* prefix "ab\0" + pad */
    put16(&f, 10);
    fill(&f, 0x61, 1);
    fill(&f, 0, 3);
    uint32_t at = f.n;
    put16(&f, 0);
    put16(&f, 9);
    ip4_udp(&f);
    patch16(&f, at, f.n - at);
    const struct pw_packet *p = dissect_lt(&f, 239, f.n, f.n);
    CHECK_EQ_STR(chain(p), "nflog:ip:udp:data");
    CHECK(p->layer[0].flags & PW_LF_SUBTREE); /* no hierarchy level, as in tshark */
    CHECK_EQ_INT(fu(p, 0, "nflog.res_id"), 7);
    CHECK_EQ_INT(p->layer[0].hlen, 16);
    /* the same record with little-endian TLVs */
    struct bb g = {0};
    put8(&g, 10);
    put8(&g, 0);
    put16(&g, 0);
    at = g.n;
    le16(&g, 0);
    le16(&g, 9);
    uint32_t ip = ip6(&g, 17);
    uint32_t u = udp(&g, 1, 2);
    udp_end(&g, u);
    ip6_end(&g, ip);
    g.b[at] = (uint8_t)(g.n - at);
    CHECK_EQ_STR(chain(dissect_lt(&g, 239, g.n, g.n)), "nflog:ipv6:udp");
    /* a TLV length below 4 is malformed */
    g.b[at] = 2;
    p = dissect_lt(&g, 239, g.n, g.n);
    CHECK_EQ_STR(chain(p), "nflog:_ws.malformed");
}

static void test_arcnet_exception(void)
{
    struct bb f = {0};
    put8(&f, 0x01);
    put8(&f, 0x02);
    put16(&f, 0);
    put8(&f, 0xd4); /* RFC 1201 IP */
    put8(&f, 0xff); /* exception packet */
    put16(&f, 0xffff);
    put8(&f, 0xd4);
    put8(&f, 0);
    put16(&f, 0x0042);
    ip4_udp(&f);
    const struct pw_packet *p = dissect_lt(&f, 129, f.n, f.n);
    CHECK_EQ_STR(chain(p), "arcnet:ip:udp:data");
    CHECK_EQ_INT(p->layer[0].hlen, 12);
    CHECK_EQ_INT(fu(p, 0, "arcnet.protID"), 0xd4);
    /* RFC 1051 ids have no split flag or sequence */
    struct bb g = {0};
    put8(&g, 1);
    put8(&g, 2);
    put16(&g, 0);
    put8(&g, 0xf0);
    ip4_udp(&g);
    p = dissect_lt(&g, 129, g.n, g.n);
    CHECK_EQ_STR(chain(p), "arcnet:ip:udp:data");
    CHECK_EQ_INT(p->layer[0].hlen, 5);
}

static void test_radiotap_wlan(void)
{
    /* radiotap with TSFT and Flags (FCS present), then a QoS data frame
     * with four addresses and HT control, LLC/SNAP, IPv4 and the FCS */
    struct bb f = {0};
    put8(&f, 0);
    put8(&f, 0);
    le16(&f, 17);
    le32(&f, 0x3); /* TSFT (already 8-aligned at offset 8), Flags */
    fill(&f, 0x11, 8);
    put8(&f, 0x10); /* FCS at end */
    put8(&f, 0x88); /* QoS data */
    put8(&f, 0x83); /* To DS, From DS, Order */
    le16(&f, 44);
    putn(&f, MAC_A, 6);
    putn(&f, MAC_B, 6);
    putn(&f, MAC_A, 6);
    le16(&f, 0x0120); /* sequence 18 */
    putn(&f, MAC_B, 6);
    le16(&f, 0);        /* QoS control */
    fill(&f, 0, 4);     /* HT control */
    put8(&f, 0xaa);
    put8(&f, 0xaa);
    put8(&f, 0x03);
    fill(&f, 0, 3);
    put16(&f, 0x0800);
    ip4_udp(&f);
    fill(&f, 0xee, 4); /* FCS */
    const struct pw_packet *p = dissect_lt(&f, 127, f.n, f.n);
    CHECK_EQ_STR(chain(p), "radiotap:wlan_radio:wlan:llc:ip:udp:data");
    CHECK_EQ_INT(p->layer[0].hlen, 17);
    CHECK_EQ_INT(fu(p, 0, "radiotap.flags"), 0x10);
    CHECK_EQ_INT(p->layer[2].hlen, 36);
    CHECK_EQ_INT(fu(p, 2, "wlan.fc.type_subtype"), 0x28);
    CHECK_EQ_INT(fu(p, 2, "wlan.seq"), 18);
    CHECK_EQ_INT(fu(p, 2, "wlan.fc.ds"), 3);
    CHECK(field(p, 2, "wlan.bssid", NULL) == 0); /* none with both DS bits */
    struct pw_fvalue v;
    CHECK(field(p, 2, "wlan.sa", &v) == 1 && memcmp(v.v.addr, MAC_B, 6) == 0);
    /* the FCS is not part of the frame body: the data is the 4 UDP bytes */
    CHECK_EQ_INT(p->layer[p->nlayers - 1].len, 4);
    /* a management frame (802.11 link type): wlan, then wlan.mgt */
    struct bb g = {0};
    put8(&g, 0x40); /* probe request */
    put8(&g, 0);
    le16(&g, 0);
    putn(&g, MAC_A, 6);
    putn(&g, MAC_B, 6);
    putn(&g, MAC_A, 6);
    le16(&g, 0);
    put8(&g, 0); /* SSID element, empty */
    put8(&g, 0);
    p = dissect_lt(&g, 105, g.n, g.n);
    CHECK_EQ_STR(chain(p), "wlan:wlan.mgt");
    /* cut by the snap length: the body parser runs short */
    p = dissect_lt(&g, 105, g.n, g.n + 100);
    CHECK_EQ_STR(chain(p), "wlan:wlan.mgt:_ws.short");
    /* protected data is data; a null-data frame has no body */
    g.b[0] = 0x08;
    g.b[1] = 0x40;
    CHECK_EQ_STR(chain(dissect_lt(&g, 105, g.n, g.n)), "wlan:data");
    g.b[0] = 0x48;
    g.b[1] = 0x00;
    CHECK_EQ_STR(chain(dissect_lt(&g, 105, 24, 24)), "wlan");
}

static void test_pseudo_headers_and_chdlc(void)
{
    /* PPI with an Ethernet DLT */
    struct bb f = {0};
    put8(&f, 0);
    put8(&f, 0);
    le16(&f, 12);
    le32(&f, 1);
    fill(&f, 0, 4);
    eth(&f, 0x0800);
    ip4_udp(&f);
    const struct pw_packet *p = dissect_lt(&f, 192, f.n, f.n);
    CHECK_EQ_STR(chain(p), "ppi:pcap_pktdata:eth:ip:udp:data");
    CHECK(p->layer[1].flags & PW_LF_SUBTREE);
    CHECK_EQ_INT(fu(p, 0, "ppi.dlt"), 1);
    /* a header length below 8 is malformed */
    f.b[2] = 4;
    CHECK_EQ_STR(chain(dissect_lt(&f, 192, f.n, f.n)), "ppi:_ws.malformed");
    /* Cisco HDLC inside LINKTYPE_PPP: ppp (no hierarchy level), chdlc */
    struct bb g = {0};
    put8(&g, 0x0f);
    put8(&g, 0);
    put16(&g, 0x0800);
    ip4_udp(&g);
    p = dissect_lt(&g, 9, g.n, g.n);
    CHECK_EQ_STR(chain(p), "ppp:chdlc:ip:udp:data");
    CHECK(p->layer[0].flags & PW_LF_SUBTREE);
    CHECK(field(p, 0, "ppp.protocol", NULL) == 0);
    CHECK_EQ_INT(fu(p, 1, "chdlc.protocol"), 0x0800);
    /* SLARP on Cisco HDLC (0x8035 is not RARP there) */
    struct bb h = {0};
    put8(&h, 0x8f);
    put8(&h, 0);
    put16(&h, 0x8035);
    put32(&h, 2);
    put32(&h, 10);
    put32(&h, 9);
    put16(&h, 0xffff);
    p = dissect_lt(&h, 104, h.n, h.n);
    CHECK_EQ_STR(chain(p), "chdlc:slarp");
    CHECK_EQ_INT(fu(p, 1, "slarp.yoursequence"), 9);
    CHECK_EQ_INT(fu(p, 1, "slarp.reliability"), 0xffff);
    CHECK(field(p, 1, "slarp.address", NULL) == 0);
}

TEST_MAIN(TEST_CASE(test_tcp_options_and_fields), TEST_CASE(test_tcp_flags_str),
          TEST_CASE(test_tcp_bad_option_progress), TEST_CASE(test_tcp_bad_hlen),
          TEST_CASE(test_tcp_truncated), TEST_CASE(test_ports_cut),
          TEST_CASE(test_udp_header_cut), TEST_CASE(test_quote_ends_in_ports),
          TEST_CASE(test_tcp_len_header_cut), TEST_CASE(test_tcp_fields_header_cut),
          TEST_CASE(test_tcp_rst_and_held_payload), TEST_CASE(test_udp_vxlan_inner_l3l4),
          TEST_CASE(test_udp_lengths), TEST_CASE(test_ipv4_bogus_lengths),
          TEST_CASE(test_ipv4_options), TEST_CASE(test_ipv4_fragments),
          TEST_CASE(test_ipv6_ext_headers), TEST_CASE(test_ipv6_fragment_header),
          TEST_CASE(test_ipv6_malformed_and_version),
          TEST_CASE(test_ipv4_first_fragment_unreassembled), TEST_CASE(test_icmp_error_quote),
          TEST_CASE(test_icmp_echo), TEST_CASE(test_icmp_echo_timestamp),
          TEST_CASE(test_icmpv6_teredo_nonce), TEST_CASE(test_shared_field_names),
          TEST_CASE(test_layer_only_protocols), TEST_CASE(test_icmpv6_error_short_tcp_quote),
          TEST_CASE(test_qinq_and_vlan_llc), TEST_CASE(test_llc_snap),
          TEST_CASE(test_arp_lying_lengths), TEST_CASE(test_gre_v0_key_seq_teb),
          TEST_CASE(test_gre_v1_pptp), TEST_CASE(test_4in6_6in4), TEST_CASE(test_sll_v1_v2),
          TEST_CASE(test_null_both_orders), TEST_CASE(test_raw_link_types),
          TEST_CASE(test_pppoe_session), TEST_CASE(test_ppp_link_types), TEST_CASE(test_loop),
          TEST_CASE(test_too_many_layers), TEST_CASE(test_unknown_linktype_and_caplen),
          TEST_CASE(test_field_table), TEST_CASE(test_fddi_bitswapped),
          TEST_CASE(test_nflog_byte_orders), TEST_CASE(test_arcnet_exception),
          TEST_CASE(test_radiotap_wlan), TEST_CASE(test_pseudo_headers_and_chdlc),
          TEST_CASE(test_cksum_status_unverified), TEST_CASE(test_cksum_status_udp),
          TEST_CASE(test_cksum_status_icmp), TEST_CASE(test_cksum_status_icmpv6_routed),
          TEST_CASE(test_cksum_status_gre))
