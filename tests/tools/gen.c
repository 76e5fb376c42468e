/* Synthetic capture generator for benchmarks and tests: interleaved TCP
 * connections (handshake with a per-server RTT, request/response data, FIN),
 * DNS over UDP, ICMP echo, some 802.1Q-tagged and some IPv6 traffic. The
 * number of concurrent connections is fixed, so flows come and go as in a
 * real capture. Deterministic for a given seed. Written with libpcap's
 * savefile writer.
 *
 *   gen [-n PACKETS] [-c CONCURRENT] [-s SEED] [-p] OUT.pcap
 *
 * -p: persistent connections. Every connection stays open and repeats
 * request/response rounds forever, so the capture holds exactly CONCURRENT
 * flows however many packets it has: the benchmark uses it to show that
 * memory follows flows, not packets.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: fast, deterministic, good enough for traffic shapes */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

enum { ST_SYN, ST_SYNACK, ST_ACK, ST_REQ, ST_RESP, ST_FIN1, ST_FIN2, ST_LASTACK, ST_DONE };

struct conn {
    int v6, vlan, kind; /* kind 0 TCP, 1 DNS, 2 ICMP */
    uint8_t cli[16], srv[16];
    uint16_t cport, sport;
    uint32_t cseq, sseq;
    int state, resp_left;
    uint64_t rtt_ns;
    uint64_t due_ns; /* earliest time of the next packet */
};

static uint8_t frame[2048];
static pcap_dumper_t *dumper;
static uint64_t now_ns = 1700000000ull * 1000000000ull;
static uint64_t written;
static int persistent;

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* Builds eth [+vlan] + IP + L4 + payload and writes it; from_client picks the
 * direction. */
static void emit(const struct conn *c, int from_client, uint8_t flags, uint32_t seq, uint32_t ack,
                 size_t paylen)
{
    uint8_t *p = frame;
    static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 1}, mac_s[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(p, from_client ? mac_s : mac_c, 6);
    memcpy(p + 6, from_client ? mac_c : mac_s, 6);
    p += 12;
    if (c->vlan) {
        put16(p, 0x8100);
        put16(p + 2, (uint16_t)c->vlan);
        p += 4;
    }
    put16(p, c->v6 ? 0x86dd : 0x0800);
    p += 2;
    const uint8_t *src = from_client ? c->cli : c->srv, *dst = from_client ? c->srv : c->cli;
    uint8_t proto = c->kind == 0 ? 6 : c->kind == 1 ? 17 : (c->v6 ? 58 : 1);
    size_t l4len = (c->kind == 0 ? 20 : 8) + paylen;
    uint8_t *ip = p;
    if (c->v6) {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        p += 40;
    } else {
        memset(ip, 0, 20);
        ip[0] = 0x45;
        put16(ip + 2, (uint16_t)(20 + l4len));
        put16(ip + 4, (uint16_t)rnd());
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        put16(ip + 10, csum(ip, 20, 0));
        p += 20;
    }
    uint8_t *l4 = p;
    if (c->kind == 0) {
        memset(l4, 0, 20);
        put16(l4, from_client ? c->cport : c->sport);
        put16(l4 + 2, from_client ? c->sport : c->cport);
        put32(l4 + 4, seq);
        put32(l4 + 8, ack);
        l4[12] = 5 << 4;
        l4[13] = flags;
        put16(l4 + 14, 64240);
        p += 20;
    } else {
        put16(l4, from_client ? c->cport : c->sport);
        put16(l4 + 2, from_client ? c->sport : c->cport);
        if (c->kind == 2) {
            l4[0] = from_client ? (c->v6 ? 128 : 8) : (c->v6 ? 129 : 0);
            l4[1] = 0;
        }
        put16(l4 + 4, (uint16_t)l4len);
        put16(l4 + 6, 0);
        p += 8;
    }
    for (size_t i = 0; i < paylen; i++)
        p[i] = (uint8_t)('a' + (i % 26));
    if (c->kind == 1) { /* a well-formed A query for example.com, or its answer */
        static const uint8_t q[] = "\x07" "example" "\x03" "com";
        uint8_t *d = p;
        put16(d, c->cport);
        put16(d + 2, from_client ? 0x0100 : 0x8180);
        put16(d + 4, 1);
        put16(d + 6, from_client ? 0 : 1);
        memset(d + 8, 0, 4);
        memcpy(d + 12, q, sizeof(q)); /* includes the root label's 0 */
        d += 12 + sizeof(q);
        put16(d, 1);
        put16(d + 2, 1);
        d += 4;
        if (!from_client) {
            put16(d, 0xc00c);
            put16(d + 2, 1);
            put16(d + 4, 1);
            put32(d + 6, 300);
            put16(d + 10, 4);
            put32(d + 12, 0x5db8d822);
        }
    }
    p += paylen;
    if (c->v6 && c->kind == 1) { /* a zero UDP checksum is not allowed over IPv6 */
        uint32_t sum = 0;
        for (int i = 0; i < 32; i += 2)
            sum += (uint32_t)(ip[8 + i] << 8 | ip[9 + i]);
        sum += (uint32_t)l4len + proto;
        uint16_t ck = csum(l4, l4len, sum);
        put16(l4 + 6, ck ? ck : 0xffff);
    }
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(now_ns / 1000000000ull);
    h.ts.tv_usec = (suseconds_t)(now_ns % 1000000000ull); /* nanosecond savefile */
    h.caplen = h.len = (uint32_t)(p - frame);
    pcap_dump((u_char *)dumper, &h, frame);
    written++;
}

static void new_conn(struct conn *c, uint32_t id)
{
    memset(c, 0, sizeof(*c));
    uint32_t r = rnd();
    c->kind = (r % 100) < 80 ? 0 : (r % 100) < 95 ? 1 : 2;
    c->v6 = (rnd() % 10) == 0;
    c->vlan = (rnd() % 8) == 0 ? (int)(rnd() % 4094 + 1) : 0;
    uint32_t server = rnd() % 200;
    if (c->v6) {
        uint8_t pre[4] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(c->cli, pre, 4);
        memcpy(c->srv, pre, 4);
        put32(c->cli + 12, id);
        c->srv[10] = 1;
        put32(c->srv + 12, server);
    } else {
        c->cli[0] = 10;
        c->cli[1] = (uint8_t)(id >> 16);
        c->cli[2] = (uint8_t)(id >> 8);
        c->cli[3] = (uint8_t)id;
        c->srv[0] = 198;
        c->srv[1] = 51;
        c->srv[2] = (uint8_t)(100 + server / 250);
        c->srv[3] = (uint8_t)(1 + server % 250);
    }
    c->cport = (uint16_t)(32768 + rnd() % 28000);
    static const uint16_t ports[] = {443, 80, 22, 111, 8080, 3389, 445};
    c->sport = c->kind == 1 ? 53 : c->kind == 2 ? (uint16_t)id : ports[rnd() % 7];
    c->cseq = rnd();
    c->sseq = rnd();
    c->rtt_ns = (uint64_t)(1 + server % 50) * 1000000ull + rnd() % 100000;
    c->resp_left = 1 + (int)(rnd() % 12);
    c->state = c->kind == 0 ? ST_SYN : ST_REQ;
    c->due_ns = now_ns;
}

/* Emits the connection's next packet; returns 0 when it is finished. */
static int step(struct conn *c)
{
    uint32_t ci = c->cseq, si = c->sseq;
    switch (c->state) {
    case ST_SYN: emit(c, 1, 0x02, ci, 0, 0); c->state = ST_SYNACK; c->due_ns = now_ns + c->rtt_ns; return 1;
    case ST_SYNACK: emit(c, 0, 0x12, si, ci + 1, 0); c->state = ST_ACK; c->due_ns = now_ns + 50000; return 1;
    case ST_ACK: emit(c, 1, 0x10, ci + 1, si + 1, 0); c->state = ST_REQ; return 1;
    case ST_REQ:
        if (c->kind == 0) {
            emit(c, 1, 0x18, ci + 1, si + 1, 200 + rnd() % 300);
            c->cseq += 500;
        } else {
            emit(c, 1, 0, 0, 0, c->kind == 1 ? 29 : 56);
        }
        c->state = ST_RESP;
        c->due_ns = now_ns + c->rtt_ns;
        return 1;
    case ST_RESP:
        if (c->kind != 0) {
            emit(c, 0, 0, 0, 0, c->kind == 1 ? 45 : 56);
            return 0;
        }
        {
            size_t n = c->resp_left > 1 ? 1448 : 100 + rnd() % 1000;
            emit(c, 0, 0x10, si + 1, ci + 1, n);
            c->sseq += (uint32_t)n;
        }
        if (--c->resp_left == 0) {
            c->state = ST_FIN1;
            if (persistent) { /* (no rnd() otherwise: keeps default captures as they were) */
                c->state = ST_REQ;
                c->resp_left = 1 + (int)(rnd() % 12);
            }
        }
        c->due_ns = now_ns + 20000;
        return 1;
    case ST_FIN1: emit(c, 1, 0x11, ci + 1, si + 1, 0); c->state = ST_FIN2; c->due_ns = now_ns + c->rtt_ns; return 1;
    case ST_FIN2: emit(c, 0, 0x11, si + 1, ci + 2, 0); c->state = ST_LASTACK; return 1;
    case ST_LASTACK: emit(c, 1, 0x10, ci + 2, si + 2, 0); return 0;
    default: return 0;
    }
}

int main(int argc, char **argv)
{
    uint64_t packets = 1000000;
    uint32_t concurrent = 2000;
    rng_state = 0x9e3779b97f4a7c15ULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:c:s:p")) != -1) {
        switch (opt) {
        case 'n': packets = strtoull(optarg, NULL, 10); break;
        case 'c': concurrent = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 's': rng_state = strtoull(optarg, NULL, 10) | 1; break;
        case 'p': persistent = 1; break;
        default: fprintf(stderr, "usage: gen [-n PACKETS] [-c CONCURRENT] [-s SEED] [-p] OUT.pcap\n"); return 2;
        }
    }
    if (optind != argc - 1 || concurrent == 0) {
        fprintf(stderr, "usage: gen [-n PACKETS] [-c CONCURRENT] [-s SEED] [-p] OUT.pcap\n");
        return 2;
    }
    pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    dumper = pd ? pcap_dump_open(pd, argv[optind]) : NULL;
    if (!dumper) {
        fprintf(stderr, "gen: cannot write %s: %s\n", argv[optind], pd ? pcap_geterr(pd) : "pcap");
        return 1;
    }
    struct conn *conns = calloc(concurrent, sizeof(*conns));
    if (!conns)
        return 1;
    uint32_t next_id = 1;
    for (uint32_t i = 0; i < concurrent; i++)
        new_conn(&conns[i], next_id++);
    while (written < packets) {
        struct conn *c = &conns[rnd() % concurrent];
        now_ns += 1000 + rnd() % 20000;
        if (c->due_ns > now_ns)
            continue;
        if (!step(c)) {
            if (persistent) /* DNS and ICMP: the same flow asks again */
                c->state = ST_REQ;
            else
                new_conn(c, next_id++);
        }
    }
    pcap_dump_close(dumper);
    pcap_close(pd);
    free(conns);
    fprintf(stderr, "gen: %" PRIu64 " packets, %u connections\n", written, next_id - 1);
    return 0;
}
