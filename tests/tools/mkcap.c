/* mkcap: writes hand-built captures to files.
 *
 *   mkcap list                      names of the scenarios
 *   mkcap NAME OUT                  one scenario (tests/unit/rtt_scenarios.h)
 *   mkcap all DIR                   every scenario, as DIR/NAME.pcap(ng)
 *   mkcap random SEED N OUT         N random TCP segments on a few
 *                                   conversations (differential testing
 *                                   against tshark: tests/conformance/rtt.sh
 *                                   --random)
 *
 * The random segments stay close to what real stacks send (mostly in
 * order, with retransmissions, gaps, duplicate ACKs, zero windows, probes,
 * keep-alives, port reuse, RSTs, window scaling, equal and backward
 * timestamps), so that every branch of the sequence analysis is exercised. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../unit/mkcap.h"
#include "../unit/rtt_scenarios.h"

static int write_file(const char *path, const struct mkcap *m)
{
    if (m->oom) {
        fprintf(stderr, "mkcap: out of memory\n");
        return 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(m->buf, 1, m->len, f) != m->len) {
        perror(path);
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) ? 1 : 0;
}

static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t pick(uint32_t n)
{
    return n ? rnd() % n : 0;
}

struct side {
    uint32_t isn, next; /* next new sequence number to send */
    uint32_t acked;     /* highest ack received from the peer */
    uint32_t last_len;
};

struct rconn {
    struct sc_conn c;
    struct side s[2]; /* 0 client, 1 server */
};

static void random_segment(struct mkcap *m, struct rconn *rc, uint64_t t)
{
    int from = (int)pick(2);
    struct side *me = &rc->s[from], *peer = &rc->s[!from];
    struct mk_tcp s;
    memset(&s, 0, sizeof(s));
    s.family = rc->c.family;
    memcpy(s.src, from ? rc->c.srv : rc->c.cli, 16);
    memcpy(s.dst, from ? rc->c.cli : rc->c.srv, 16);
    s.sport = from ? rc->c.sport : rc->c.cport;
    s.dport = from ? rc->c.cport : rc->c.sport;
    s.vlan = rc->c.vlan;
    s.win = (uint16_t)(1000 + pick(60000));
    uint32_t r = pick(100);
    s.seq = me->next;
    s.ack = peer->next;
    s.flags = MK_ACK;
    if (r < 6) { /* (re)open: SYN, sometimes with a new ISN */
        s.flags = from ? (MK_SYN | MK_ACK) : MK_SYN;
        if (pick(3) == 0) {
            me->isn = rnd();
            me->next = me->isn;
        }
        s.seq = me->isn;
        me->next = me->isn + 1;
        if (!(s.flags & MK_ACK))
            s.ack = pick(4) ? 0 : rnd();
        if (pick(2)) {
            s.has_wscale = true;
            s.wscale = (int)pick(16);
        }
    } else if (r < 10) {
        s.flags = pick(2) ? (MK_RST | MK_ACK) : MK_RST;
    } else if (r < 14) {
        s.flags = MK_FIN | MK_ACK;
        me->next += 1;
    } else if (r < 40) {
        /* data, mostly new */
        uint32_t lens[] = {1, 10, 100, 536, 1448};
        s.payload = lens[pick(5)];
        s.flags = pick(2) ? (MK_PSH | MK_ACK) : MK_ACK;
        uint32_t k = pick(10);
        if (k == 0 && me->last_len) /* retransmit the previous segment */
            s.seq = me->next - me->last_len, s.payload = me->last_len;
        else if (k == 1) /* skip ahead: a lost segment */
            s.seq = me->next + 1448;
        else if (k == 2) /* keep-alive style */
            s.seq = me->next - 1, s.payload = pick(2);
        if (s.seq == me->next || (int32_t)(s.seq + s.payload - me->next) > 0)
            me->next = s.seq + s.payload;
        me->last_len = s.payload;
    } else {
        /* pure ACKs: duplicates, window updates, zero windows, partial */
        uint32_t k = pick(10);
        if (k == 0)
            s.zero_win = true;
        else if (k == 1)
            s.ack = peer->next - pick(1449);
        else if (k < 5)
            s.win = 30000; /* repeats: duplicate ACKs */
        if (pick(4) == 0) {
            /* SACK blocks above the acknowledged number */
            s.nsack = (uint8_t)(1 + pick(4));
            uint32_t at = s.ack + 1 + pick(3000);
            for (unsigned i = 0; i < s.nsack; i++) {
                uint32_t len = 1 + pick(2000);
                s.sack[i][0] = at;
                s.sack[i][1] = at + len;
                at += len + 1 + pick(2000);
            }
        }
    }
    if (pick(20) == 0)
        s.ack = rnd(); /* garbage */
    me->acked = s.ack;
    uint8_t f[1700];
    size_t n = mk_tcp_frame(f, &s);
    mkcap_record(m, t, f, (uint32_t)n);
}

static int random_capture(uint64_t seed, uint32_t npkts, const char *out)
{
    struct mkcap m;
    rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    mkcap_init(&m, pick(2) ? MKCAP_PCAP_NS : MKCAP_PCAP_US);
    struct rconn cs[4];
    uint32_t nconn = 1 + pick(4);
    for (uint32_t i = 0; i < nconn; i++) {
        cs[i].c = pick(3) ? sc_conn4((uint8_t)(1 + pick(2)), (uint16_t)(40000 + pick(2)), 9, 80)
                          : sc_conn6(1, (uint16_t)(40000 + i), 9, 443);
        for (int d = 0; d < 2; d++) {
            cs[i].s[d].isn = rnd();
            cs[i].s[d].next = cs[i].s[d].isn;
            cs[i].s[d].last_len = 0;
        }
    }
    uint64_t t = SC_T0 + pick(1000);
    for (uint32_t i = 0; i < npkts; i++) {
        uint32_t k = pick(20);
        if (k == 0)
            t -= pick(2000000); /* timestamps going backwards */
        else if (k > 2)         /* k 1..2: the same time again */
            t += pick(k < 10 ? 3000000 : 200000000);
        random_segment(&m, &cs[pick(nconn)], t);
    }
    int rc = write_file(out, &m);
    mkcap_free(&m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (size_t i = 0; i < NSCENARIOS; i++)
            puts(scenarios[i].name);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "random"))
        return random_capture(strtoull(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10),
                              argv[4]);
    if (argc == 3 && !strcmp(argv[1], "all")) {
        mkdir(argv[2], 0777);
        int rc = 0;
        for (size_t i = 0; i < NSCENARIOS; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s.%s", argv[2], scenarios[i].name,
                     scenarios[i].fmt == MKCAP_PCAPNG_NS ? "pcapng" : "pcap");
            struct mkcap m;
            scenario_build(&scenarios[i], &m);
            rc |= write_file(path, &m);
            mkcap_free(&m);
        }
        return rc;
    }
    if (argc == 3) {
        const struct scenario *sc = scenario_by_name(argv[1]);
        if (!sc) {
            fprintf(stderr, "mkcap: no scenario '%s' (mkcap list)\n", argv[1]);
            return 2;
        }
        struct mkcap m;
        scenario_build(sc, &m);
        int rc = write_file(argv[2], &m);
        mkcap_free(&m);
        return rc;
    }
    fprintf(stderr, "usage: mkcap list | mkcap NAME OUT | mkcap all DIR | "
                    "mkcap random SEED N OUT\n");
    return 2;
}
