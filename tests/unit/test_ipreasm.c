/* Unit tests for IP fragment reassembly: the facility itself
 * (src/flow/ipreasm.c: in-order, out-of-order, overlapping, duplicate and
 * missing fragments, keys, every limit and its counter, the timeout) and
 * the dissection around it (src/dissect/ipfrag.c: which frame carries the
 * upper layers, the fields read from the reassembled bytes, IPv6). */
#include <stdint.h>
#include <string.h>

#include "dissect/dissect.h"
#include "flow/ipreasm.h"
#include "bb.h"
#include "test.h"

/* ---- the facility ------------------------------------------------------- */

static struct pw_ipreasm_key key4(uint32_t id)
{
    struct pw_ipreasm_key k;
    memset(&k, 0, sizeof(k));
    k.family = 4;
    k.src[0] = 10, k.src[3] = 1;
    k.dst[0] = 10, k.dst[3] = 2;
    k.id = id;
    return k;
}

/* payload byte i of the test datagrams */
static uint8_t pat(uint32_t i)
{
    return (uint8_t)(i * 7u + 3u);
}

static uint8_t src_bytes[200000];

static void init_src(void)
{
    for (uint32_t i = 0; i < sizeof(src_bytes); i++)
        src_bytes[i] = pat(i);
}

static const uint8_t *out_p;
static uint32_t out_n;

static int add(struct pw_ipreasm *r, uint32_t id, int64_t t, uint32_t off, uint32_t len, bool more)
{
    struct pw_ipreasm_key k = key4(id);
    return pw_ipreasm_add(r, &k, t, off, src_bytes + off, len, more, &out_p, &out_n);
}

static bool out_is_pattern(uint32_t n)
{
    if (out_n != n)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (out_p[i] != pat(i))
            return false;
    return true;
}

static void in_order(void)
{
    init_src();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    CHECK_EQ_INT(add(r, 1, 0, 0, 1480, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 1, 0, 1480, 1480, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 1, 0, 2960, 40, false), PW_IPR_DONE);
    CHECK(out_is_pattern(3000));
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.fragments, 3);
    CHECK_EQ_INT(st.completed, 1);
    CHECK_EQ_INT(st.pending, 0);
    /* the completed datagram left the table: the same key starts anew */
    CHECK_EQ_INT(add(r, 1, 0, 8, 8, false), PW_IPR_PENDING);
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.pending, 1);
    pw_ipreasm_free(r);
}

static void out_of_order(void)
{
    init_src();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    CHECK_EQ_INT(add(r, 2, 0, 2000, 500, false), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 2, 0, 1000, 1000, true), PW_IPR_PENDING);
    /* another datagram interleaved */
    CHECK_EQ_INT(add(r, 3, 0, 0, 16, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 2, 0, 0, 1000, true), PW_IPR_DONE);
    CHECK(out_is_pattern(2500));
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.pending, 1);
    pw_ipreasm_free(r);
}

/* Overlaps: fragments are taken by offset, at equal offsets in arrival
 * order, and each adds only what lies past the bytes before it; the first
 * last fragment fixes the length, bytes past it are cut. */
static void overlapping(void)
{
    init_src();
    static uint8_t other[64];
    memset(other, 0xee, sizeof(other));
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    struct pw_ipreasm_key k = key4(4);
    CHECK_EQ_INT(add(r, 4, 0, 0, 24, true), PW_IPR_PENDING);
    /* same offset, other bytes, arriving later: loses */
    CHECK_EQ_INT(pw_ipreasm_add(r, &k, 0, 0, other, 16, true, &out_p, &out_n), PW_IPR_PENDING);
    /* starts inside the first one: only its tail (24..40) counts */
    CHECK_EQ_INT(pw_ipreasm_add(r, &k, 0, 16, other, 24, true, &out_p, &out_n), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 4, 0, 40, 24, false), PW_IPR_DONE);
    CHECK_EQ_INT(out_n, 64);
    bool ok = true;
    for (uint32_t i = 0; i < 64; i++) {
        uint8_t want = (i >= 24 && i < 40) ? 0xee : pat(i);
        ok = ok && out_p[i] == want;
    }
    CHECK(ok);

    /* a second tail that disagrees does not change the length, and a
     * fragment that runs past the end is cut */
    CHECK_EQ_INT(add(r, 5, 0, 32, 8, false), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 5, 0, 40, 8, false), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 5, 0, 0, 48, true), PW_IPR_DONE);
    CHECK(out_is_pattern(40));
    pw_ipreasm_free(r);
}

static void duplicate(void)
{
    init_src();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    CHECK_EQ_INT(add(r, 6, 0, 0, 800, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 6, 0, 0, 800, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 6, 0, 800, 100, false), PW_IPR_DONE);
    CHECK(out_is_pattern(900));
    /* a retransmitted last fragment after completion starts a datagram
     * that never completes */
    CHECK_EQ_INT(add(r, 6, 0, 800, 100, false), PW_IPR_PENDING);
    pw_ipreasm_free(r);
}

static void missing_last(void)
{
    init_src();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    for (uint32_t i = 0; i < 10; i++)
        CHECK_EQ_INT(add(r, 7, 0, i * 16, 16, true), PW_IPR_PENDING);
    /* the tail, with a hole before it */
    CHECK_EQ_INT(add(r, 7, 0, 176, 16, false), PW_IPR_PENDING);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.completed, 0);
    CHECK_EQ_INT(st.pending, 1);
    CHECK(st.memory > 0);
    /* the hole filled */
    CHECK_EQ_INT(add(r, 7, 0, 160, 16, true), PW_IPR_DONE);
    CHECK(out_is_pattern(192));
    pw_ipreasm_free(r);
}

static void keys_kept_apart(void)
{
    init_src();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    struct pw_ipreasm_key a = key4(9), b = key4(9), c = key4(9);
    b.dst[3] = 3;
    c.family = 6;
    CHECK_EQ_INT(pw_ipreasm_add(r, &a, 0, 0, src_bytes, 8, true, &out_p, &out_n), PW_IPR_PENDING);
    CHECK_EQ_INT(pw_ipreasm_add(r, &b, 0, 8, src_bytes + 8, 8, false, &out_p, &out_n),
                 PW_IPR_PENDING);
    CHECK_EQ_INT(pw_ipreasm_add(r, &c, 0, 8, src_bytes + 8, 8, false, &out_p, &out_n),
                 PW_IPR_PENDING);
    CHECK_EQ_INT(pw_ipreasm_add(r, &a, 0, 8, src_bytes + 8, 8, false, &out_p, &out_n), PW_IPR_DONE);
    CHECK(out_is_pattern(16));
    pw_ipreasm_free(r);
}

static void too_many_fragments(void)
{
    init_src();
    struct pw_ipreasm_opts o = {.max_frags = 4};
    struct pw_ipreasm *r = pw_ipreasm_new(&o);
    for (uint32_t i = 0; i < 4; i++)
        CHECK_EQ_INT(add(r, 10, 0, i * 8, 8, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 10, 0, 32, 8, true), PW_IPR_DROPPED);
    /* the rest of that datagram is absorbed, never completed */
    CHECK_EQ_INT(add(r, 10, 0, 40, 8, false), PW_IPR_DROPPED);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.too_many_frags, 1);
    CHECK_EQ_INT(st.absorbed, 1);
    CHECK_EQ_INT(st.completed, 0);
    /* others are unaffected */
    CHECK_EQ_INT(add(r, 11, 0, 0, 8, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 11, 0, 8, 8, false), PW_IPR_DONE);
    pw_ipreasm_free(r);
}

static void too_large(void)
{
    init_src();
    struct pw_ipreasm_opts o = {.max_bytes = 1000};
    struct pw_ipreasm *r = pw_ipreasm_new(&o);
    CHECK_EQ_INT(add(r, 12, 0, 0, 600, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 12, 0, 600, 600, false), PW_IPR_DROPPED);
    /* duplicates count towards the stored bytes too */
    CHECK_EQ_INT(add(r, 13, 0, 0, 600, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 13, 0, 0, 600, true), PW_IPR_DROPPED);
    /* an offset past the bound */
    CHECK_EQ_INT(add(r, 14, 0, 1200, 8, false), PW_IPR_DROPPED);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.too_large, 3);
    /* the largest IPv6 datagram fits the default bound */
    struct pw_ipreasm *big = pw_ipreasm_new(NULL);
    CHECK_EQ_INT(add(big, 1, 0, 0, 65528, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(big, 1, 0, 65528, 65535, false), PW_IPR_DONE);
    CHECK(out_is_pattern(65528 + 65535));
    pw_ipreasm_free(big);
    pw_ipreasm_free(r);
}

static void pending_cap_evicts_oldest(void)
{
    init_src();
    struct pw_ipreasm_opts o = {.max_pending = 3};
    struct pw_ipreasm *r = pw_ipreasm_new(&o);
    for (uint32_t id = 20; id < 25; id++)
        CHECK_EQ_INT(add(r, id, 0, 0, 8, true), PW_IPR_PENDING);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.pending, 3);
    CHECK_EQ_INT(st.evicted, 2);
    /* 20 was evicted: its tail starts a new datagram; 24 completes */
    CHECK_EQ_INT(add(r, 20, 0, 8, 8, false), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 24, 0, 8, 8, false), PW_IPR_DONE);
    pw_ipreasm_free(r);
}

static void total_bytes_bound(void)
{
    init_src();
    struct pw_ipreasm_opts o = {.total = 1500000};
    struct pw_ipreasm *r = pw_ipreasm_new(&o);
    for (uint32_t id = 0; id < 40; id++)
        add(r, 100 + id, 0, 0, 60000, true);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK(st.memory <= 1500000);
    CHECK(st.memory_peak <= 1500000);
    CHECK(st.evicted > 0);
    CHECK(st.pending < 40);
    /* the newest still completes */
    CHECK_EQ_INT(add(r, 139, 0, 60000, 8, false), PW_IPR_DONE);
    pw_ipreasm_free(r);
}

static void timeout_expires(void)
{
    init_src();
    struct pw_ipreasm_opts o = {.timeout = 30};
    struct pw_ipreasm *r = pw_ipreasm_new(&o);
    CHECK_EQ_INT(add(r, 30, 1000, 0, 8, true), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 31, 1020, 0, 8, true), PW_IPR_PENDING);
    /* 31 s later the first is gone, the second is not */
    CHECK_EQ_INT(add(r, 30, 1031, 8, 8, false), PW_IPR_PENDING);
    CHECK_EQ_INT(add(r, 31, 1031, 8, 8, false), PW_IPR_DONE);
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.expired, 1);
    pw_ipreasm_free(r);
}

/* ---- dissection ------------------------------------------------------- */

static const uint8_t MAC[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const uint8_t IP_A[4] = {10, 0, 0, 1}, IP_B[4] = {192, 168, 1, 2};
static const uint8_t IP6_A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t IP6_B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* The datagram the IPv4 tests cut: UDP 5353 -> 53 with a 992-byte DNS-like
 * payload (a query header, then filler). */
static uint8_t dgram[1000];

static void make_dgram(void)
{
    uint32_t n = 0;
    dgram[n++] = 0x14, dgram[n++] = 0xe9; /* 5353 */
    dgram[n++] = 0, dgram[n++] = 53;
    dgram[n++] = 1000 >> 8, dgram[n++] = 1000 & 0xff;
    dgram[n++] = 0, dgram[n++] = 0;
    static const uint8_t dns[12] = {0x12, 0x34, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(dgram + n, dns, 12);
    n += 12;
    while (n < sizeof(dgram))
        dgram[n++] = 0;
}

static void frag4(struct bb *f, unsigned id, uint32_t off, uint32_t len, bool more)
{
    f->n = 0;
    putn(f, MAC, 12);
    put16(f, 0x0800);
    put8(f, 0x45);
    put8(f, 0);
    put16(f, 20 + len);
    put16(f, id);
    put16(f, (more ? 0x2000u : 0) | off / 8);
    put8(f, 64);
    put8(f, 17);
    put16(f, 0);
    putn(f, IP_A, 4);
    putn(f, IP_B, 4);
    putn(f, dgram + off, len);
}

static struct pw_packet pkt;
static struct pw_record rec;
static char chain_buf[512];

static const char *run(const struct bb *f, uint64_t no, struct pw_ipreasm *r)
{
    memset(&rec, 0, sizeof(rec));
    rec.data = f->b;
    rec.caplen = rec.len = f->n;
    rec.linktype = 1;
    rec.ts.sec = 100;
    pw_dissect_packet_ipr(&rec, no, &pkt, r);
    chain_buf[0] = 0;
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        if (i)
            strcat(chain_buf, ":");
        strcat(chain_buf, pw_proto_abbrev(pkt.layer[i].proto));
    }
    return chain_buf;
}

static uint64_t fieldu(const char *name, unsigned proto)
{
    const struct pw_field *fd = pw_field_by_name(name);
    int li = proto == PW_P_FRAME ? 0 : pw_packet_find(&pkt, proto, 0);
    if (!fd || li < 0)
        return UINT64_MAX;
    struct pw_fvalue v[2];
    if (fd->get(&pkt, proto == PW_P_FRAME ? NULL : &pkt.layer[li], v, 2) < 1)
        return UINT64_MAX;
    return v[0].v.u;
}

static void ipv4_frames(void)
{
    make_dgram();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    struct bb f;
    /* out of order: the middle, the tail, then the head completes */
    frag4(&f, 0x77, 504, 400, true);
    CHECK_EQ_STR(run(&f, 1, r), "eth:ip:data");
    frag4(&f, 0x77, 904, 96, false);
    CHECK_EQ_STR(run(&f, 2, r), "eth:ip:data");
    CHECK_EQ_INT(fieldu("ip.flags.mf", PW_P_IP), 0);
    CHECK_EQ_INT(fieldu("ip.frag_offset", PW_P_IP), 113);
    frag4(&f, 0x77, 0, 504, true);
    CHECK_EQ_STR(run(&f, 3, r), "eth:ip:udp:dns");
    CHECK(pkt.layer[1].flags & PW_LF_FRAGMENT);
    CHECK_EQ_INT(pkt.l4, 2);
    CHECK_EQ_INT(pkt.layer[2].u.udp.sport, 5353);
    CHECK_EQ_INT(pkt.layer[2].u.udp.ulen, 1000);
    /* fields read from the reassembled bytes, the frame's own from the
     * frame */
    CHECK_EQ_INT(fieldu("udp.length", PW_P_UDP), 1000);
    CHECK_EQ_INT(fieldu("udp.srcport", PW_P_UDP), 5353);
    int dl = pw_packet_find(&pkt, PW_P_DNS, 0);
    CHECK(dl == 3 && pkt.data[pkt.layer[dl].off] == 0x12 &&
          pkt.data[pkt.layer[dl].off + 1] == 0x34);
    CHECK_EQ_INT(fieldu("frame.cap_len", PW_P_FRAME), f.n);
    CHECK_EQ_INT(fieldu("ip.flags.mf", PW_P_IP), 1);
    CHECK_EQ_INT(fieldu("ip.len", PW_P_IP), 524);
    CHECK_EQ_INT(pkt.caplen, 14 + 20 + 1000);
    CHECK(pkt.data != rec.data);
    /* the next packet reads its own frame again */
    frag4(&f, 0x78, 0, 504, true);
    CHECK_EQ_STR(run(&f, 4, r), "eth:ip:data");
    CHECK(pkt.data == rec.data);
    CHECK_EQ_INT(pkt.caplen, f.n);
    pw_ipreasm_free(r);
}

static void ipv4_not_tried(void)
{
    make_dgram();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    struct bb f;
    /* without state: data, as before */
    frag4(&f, 0x80, 0, 504, true);
    CHECK_EQ_STR(run(&f, 1, NULL), "eth:ip:data");
    /* a first fragment cut by the snap length is dissected as it is and
     * does not enter the table */
    frag4(&f, 0x81, 0, 504, true);
    memset(&rec, 0, sizeof(rec));
    rec.data = f.b;
    rec.caplen = 100;
    rec.len = f.n;
    rec.linktype = 1;
    pw_dissect_packet_ipr(&rec, 2, &pkt, r);
    CHECK_EQ_INT(pkt.layer[2].proto, PW_P_UDP);
    frag4(&f, 0x81, 504, 496, false);
    CHECK_EQ_STR(run(&f, 3, r), "eth:ip:data");
    /* different protocol, same id: another datagram */
    frag4(&f, 0x82, 0, 504, true);
    CHECK_EQ_STR(run(&f, 4, r), "eth:ip:data");
    frag4(&f, 0x82, 504, 496, false);
    f.b[14 + 9] = 6;
    CHECK_EQ_STR(run(&f, 5, r), "eth:ip:data");
    struct pw_ipreasm_stats st;
    pw_ipreasm_get_stats(r, &st);
    CHECK_EQ_INT(st.completed, 0);
    CHECK_EQ_INT(st.pending, 3);
    pw_ipreasm_free(r);
}

static void frag6(struct bb *f, uint32_t ident, uint32_t off, uint32_t len, bool more)
{
    f->n = 0;
    putn(f, MAC, 12);
    put16(f, 0x86dd);
    put16(f, 0x6000);
    put16(f, 0);
    put16(f, 8 + len);
    put8(f, 44);
    put8(f, 64);
    putn(f, IP6_A, 16);
    putn(f, IP6_B, 16);
    put8(f, 17); /* fragment header: next UDP */
    put8(f, 0);
    put16(f, off | (more ? 1u : 0u));
    put16(f, ident >> 16);
    put16(f, ident & 0xffff);
    putn(f, dgram + off, len);
}

static void ipv6_frames(void)
{
    make_dgram();
    struct pw_ipreasm *r = pw_ipreasm_new(NULL);
    struct bb f;
    frag6(&f, 0xdeadbeef, 0, 512, true);
    CHECK_EQ_STR(run(&f, 1, r), "eth:ipv6:ipv6.fraghdr:data");
    CHECK_EQ_INT(pkt.l4, -1);
    /* same id from another pair of addresses is another datagram */
    frag6(&f, 0xdeadbeef, 512, 488, false);
    f.b[14 + 8] = 0x30;
    CHECK_EQ_STR(run(&f, 2, r), "eth:ipv6:ipv6.fraghdr:data");
    frag6(&f, 0xdeadbeef, 512, 488, false);
    CHECK_EQ_STR(run(&f, 3, r), "eth:ipv6:ipv6.fraghdr:udp:dns");
    CHECK_EQ_INT(fieldu("udp.length", PW_P_UDP), 1000);
    CHECK_EQ_INT(fieldu("ipv6.fraghdr.offset", PW_P_IPV6_FRAGHDR), 64);
    CHECK_EQ_INT(fieldu("ipv6.plen", PW_P_IPV6), 496);
    CHECK_EQ_INT(pkt.layer[pkt.l4].proto, PW_P_UDP);
    pw_ipreasm_free(r);
}

TEST_MAIN(TEST_CASE(in_order), TEST_CASE(out_of_order), TEST_CASE(overlapping),
          TEST_CASE(duplicate), TEST_CASE(missing_last), TEST_CASE(keys_kept_apart),
          TEST_CASE(too_many_fragments), TEST_CASE(too_large), TEST_CASE(pending_cap_evicts_oldest),
          TEST_CASE(total_bytes_bound), TEST_CASE(timeout_expires), TEST_CASE(ipv4_frames),
          TEST_CASE(ipv4_not_tried), TEST_CASE(ipv6_frames))
