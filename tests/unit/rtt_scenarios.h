/* Hand-built TCP scenarios shared by tests/unit/test_tcp.c, test_rtt.c and
 * tests/tools/mkcap.c (which writes them to files, so that the values the
 * unit tests expect can be checked against tshark on the very same bytes:
 * `build/tools/mkcap all DIR` then tshark on the files in DIR).
 *
 * Each scenario is a function that appends records to a struct mkcap.
 * Times are given in microseconds from T0 unless the scenario needs
 * nanoseconds. Client 10.0.0.1 (2001:db8::1), server 10.0.0.2
 * (2001:db8::2); ISNs are fixed so that relative numbers are easy. */
#ifndef PW_TEST_RTT_SCENARIOS_H
#define PW_TEST_RTT_SCENARIOS_H

#include "mkcap.h"

#define SC_T0 1700000000000000000ull /* 2023-11-14 22:13:20 UTC, in ns */
#define US(x) ((uint64_t)(x)*1000u)
#define MS(x) ((uint64_t)(x)*1000000u)

struct sc_conn {
    int family;
    uint16_t vlan;
    uint8_t cli[16], srv[16];
    uint16_t cport, sport;
};

static inline struct sc_conn sc_conn4(uint8_t cli_last, uint16_t cport, uint8_t srv_last,
                                      uint16_t sport)
{
    struct sc_conn c;
    memset(&c, 0, sizeof(c));
    c.family = 4;
    c.cli[0] = 10, c.cli[3] = cli_last;
    c.srv[0] = 10, c.srv[3] = srv_last;
    c.cport = cport;
    c.sport = sport;
    return c;
}

static inline struct sc_conn sc_conn6(uint8_t cli_last, uint16_t cport, uint8_t srv_last,
                                      uint16_t sport)
{
    struct sc_conn c;
    memset(&c, 0, sizeof(c));
    c.family = 6;
    c.cli[0] = 0x20, c.cli[1] = 0x01, c.cli[2] = 0x0d, c.cli[3] = 0xb8, c.cli[15] = cli_last;
    c.srv[0] = 0x20, c.srv[1] = 0x01, c.srv[2] = 0x0d, c.srv[3] = 0xb8, c.srv[15] = srv_last;
    c.cport = cport;
    c.sport = sport;
    return c;
}

/* One segment: from the client (to_server) or from the server. */
static inline void sc_seg(struct mkcap *m, const struct sc_conn *c, bool to_server, uint64_t t_ns,
                          uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    struct mk_tcp s;
    memset(&s, 0, sizeof(s));
    s.family = c->family;
    memcpy(s.src, to_server ? c->cli : c->srv, 16);
    memcpy(s.dst, to_server ? c->srv : c->cli, 16);
    s.sport = to_server ? c->cport : c->sport;
    s.dport = to_server ? c->sport : c->cport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = len;
    s.vlan = c->vlan;
    uint8_t f[1600];
    size_t n = mk_tcp_frame(f, &s);
    mkcap_record(m, t_ns, f, (uint32_t)n);
}

#define CS true  /* client -> server */
#define SC false /* server -> client */
#define C_ISN 1000u
#define S_ISN 5000u

/* A plain handshake with a GET-sized request and a close:
 * SYN t, SYN/ACK t+rtt, ACK t+rtt+turn. */
static inline void sc_handshake(struct mkcap *m, const struct sc_conn *c, uint64_t t, uint64_t rtt,
                                uint64_t turn)
{
    sc_seg(m, c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, c, SC, t + rtt, MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, c, CS, t + rtt + turn, MK_ACK, C_ISN + 1, S_ISN + 1, 0);
}

/* 1 basic: one connection, 50 ms handshake, 0.1 ms client turnaround, data
 * and FIN close. */
static inline void sc_basic(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40000, 2, 80);
    uint64_t t = SC_T0;
    sc_handshake(m, &c, t, MS(50), US(100));
    sc_seg(m, &c, CS, t + US(50200), MK_PSH | MK_ACK, C_ISN + 1, S_ISN + 1, 100);
    sc_seg(m, &c, SC, t + US(100300), MK_ACK, S_ISN + 1, C_ISN + 101, 0);
    sc_seg(m, &c, SC, t + US(100400), MK_PSH | MK_ACK, S_ISN + 1, C_ISN + 101, 500);
    sc_seg(m, &c, CS, t + US(150500), MK_FIN | MK_ACK, C_ISN + 101, S_ISN + 501, 0);
    sc_seg(m, &c, SC, t + US(200600), MK_FIN | MK_ACK, S_ISN + 501, C_ISN + 102, 0);
    sc_seg(m, &c, CS, t + US(250700), MK_ACK, C_ISN + 102, S_ISN + 502, 0);
}

/* 2 retransmitted SYN: SYN 0, SYN 1.0 s, SYN/ACK 1.05 s, ACK 1.06 s.
 * ack_rtt on the SYN/ACK is timed from the FIRST SYN (1.05 s); iRTT from the
 * LAST one (0.06 s). */
static inline void sc_syn_retrans(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40001, 2, 443);
    uint64_t t = SC_T0;
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, CS, t + MS(1000), MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, SC, t + MS(1050), MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, CS, t + MS(1060), MK_ACK, C_ISN + 1, S_ISN + 1, 0);
}

/* 3 retransmitted SYN/ACK: SYN 0, SYN/ACK 20 ms, SYN/ACK 1020 ms, ACK
 * 1021 ms: the ACK is timed from the first SYN/ACK. */
static inline void sc_synack_retrans(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40002, 2, 443);
    uint64_t t = SC_T0;
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, SC, t + MS(20), MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, SC, t + MS(1020), MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, CS, t + MS(1021), MK_ACK, C_ISN + 1, S_ISN + 1, 0);
}

/* 4 SYN/ACK without SYN (capture started mid-handshake): no ack_rtt on the
 * SYN/ACK, no iRTT; the ACK is timed from the SYN/ACK. */
static inline void sc_synack_only(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40003, 2, 80);
    uint64_t t = SC_T0;
    sc_seg(m, &c, SC, t, MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, CS, t + US(300), MK_ACK, C_ISN + 1, S_ISN + 1, 0);
    sc_seg(m, &c, CS, t + US(400), MK_PSH | MK_ACK, C_ISN + 1, S_ISN + 1, 10);
}

/* SYN/ACK first, then the client's SYN with the ISN the SYN/ACK
 * acknowledges, then the ACK, then that SYN once more: tshark opens an
 * (empty) SEQ/ACK analysis record on the first SYN and flags the second as
 * a retransmission (checked with tshark 4.0.17 on the mkcap file). */
static inline void sc_syn_after_synack(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40009, 2, 80);
    uint64_t t = SC_T0;
    sc_seg(m, &c, SC, t, MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, CS, t + US(100), MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, CS, t + US(300), MK_ACK, C_ISN + 1, S_ISN + 1, 0);
    sc_seg(m, &c, CS, t + MS(1000), MK_SYN, C_ISN, 0, 0);
}

/* 5 port reuse: handshake + FIN close; a new SYN (new ISN) on the same
 * ports 5 s later -> stream 1; that SYN again 1 s later -> retransmission in
 * stream 1; then a RST-refused attempt with ISN 2000 -> stream 2. */
static inline void sc_port_reuse(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40004, 2, 80);
    uint64_t t = SC_T0;
    sc_handshake(m, &c, t, MS(10), US(50));
    sc_seg(m, &c, CS, t + MS(20), MK_FIN | MK_ACK, C_ISN + 1, S_ISN + 1, 0);
    sc_seg(m, &c, SC, t + MS(30), MK_FIN | MK_ACK, S_ISN + 1, C_ISN + 2, 0);
    sc_seg(m, &c, CS, t + MS(40), MK_ACK, C_ISN + 2, S_ISN + 2, 0);
    t += MS(5000);
    sc_seg(m, &c, CS, t, MK_SYN, 9000, 0, 0);
    sc_seg(m, &c, SC, t + MS(30), MK_SYN | MK_ACK, 7000, 9001, 0);
    sc_seg(m, &c, CS, t + MS(31), MK_ACK, 9001, 7001, 0);
    sc_seg(m, &c, CS, t + MS(1000), MK_SYN, 9000, 0, 0);
    t += MS(2000);
    sc_seg(m, &c, CS, t, MK_SYN, 2000, 0, 0);
    sc_seg(m, &c, SC, t + MS(2), MK_RST | MK_ACK, 0, 2001, 0);
}

/* 6 simultaneous open (RFC 9293 figure 8): both ends send a SYN, then
 * each a SYN/ACK. The first SYN's sender is the client. */
static inline void sc_simultaneous(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40005, 2, 40006);
    uint64_t t = SC_T0;
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, SC, t + MS(1), MK_SYN, S_ISN, 0, 0);
    sc_seg(m, &c, CS, t + MS(11), MK_SYN | MK_ACK, C_ISN, S_ISN + 1, 0);
    sc_seg(m, &c, SC, t + MS(12), MK_SYN | MK_ACK, S_ISN, C_ISN + 1, 0);
    sc_seg(m, &c, CS, t + MS(22), MK_ACK, C_ISN + 1, S_ISN + 1, 0);
}

/* 7 RST answer (closed port): SYN, RST/ACK 0.2 ms later: iRTT = 0.2 ms. */
static inline void sc_rst(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40007, 2, 81);
    uint64_t t = SC_T0;
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, SC, t + US(200), MK_RST | MK_ACK, 0, C_ISN + 1, 0);
}

/* 8 IPv6 handshake, 25 ms. */
static inline void sc_ipv6(struct mkcap *m)
{
    struct sc_conn c = sc_conn6(1, 40008, 2, 443);
    sc_handshake(m, &c, SC_T0, MS(25), US(40));
    sc_seg(m, &c, CS, SC_T0 + US(25100), MK_PSH | MK_ACK, C_ISN + 1, S_ISN + 1, 200);
}

/* 9 the same handshake over 802.1Q VLAN 42. */
static inline void sc_vlan(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40009, 2, 80);
    c.vlan = 42;
    sc_handshake(m, &c, SC_T0, MS(7), US(30));
}

/* 10 nanosecond times (pcapng if_tsresol 9): RTT 123456789 ns. */
static inline void sc_nano(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40010, 2, 80);
    sc_handshake(m, &c, SC_T0 + 1, 123456789u, 1001u);
}

/* 11 no answer: SYN and two retransmissions. */
static inline void sc_no_answer(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40011, 3, 22);
    uint64_t t = SC_T0;
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, CS, t + MS(1000), MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, CS, t + MS(3000), MK_SYN, C_ISN, 0, 0);
}

/* 12 an ICMP port-unreachable quoting a SYN: with the whole TCP header
 * quoted (IPv6-style) the quote gets a stream of its own; with 8 bytes
 * (RFC 792 minimum) it gets none. */
static inline void sc_icmp_quote(struct mkcap *m)
{
    struct sc_conn c = sc_conn4(1, 40012, 2, 80);
    uint8_t router[16] = {10, 0, 0, 254};
    struct mk_tcp s;
    memset(&s, 0, sizeof(s));
    s.family = 4;
    memcpy(s.src, c.cli, 16);
    memcpy(s.dst, c.srv, 16);
    s.sport = c.cport;
    s.dport = c.sport;
    s.seq = C_ISN;
    s.flags = MK_SYN;
    uint8_t f[256];
    size_t n = mk_icmp_error_frame(f, &s, router, 8);
    mkcap_record(m, SC_T0, f, (uint32_t)n);
    n = mk_icmp_error_frame(f, &s, router, 24);
    mkcap_record(m, SC_T0 + MS(1), f, (uint32_t)n);
    s.sport = 40013;
    n = mk_icmp_error_frame(f, &s, router, 16);
    mkcap_record(m, SC_T0 + MS(2), f, (uint32_t)n);
    s.sport = 40014;
    n = mk_icmp_error_frame(f, &s, router, 15);
    mkcap_record(m, SC_T0 + MS(3), f, (uint32_t)n);
    sc_handshake(m, &c, SC_T0 + MS(10), MS(3), US(10));
}

/* 13 several servers for the summary: 3 connections to .2 (10, 20, 30 ms),
 * 2 to .3 (5, 7 ms), one refused by .4. */
static inline void sc_servers(struct mkcap *m)
{
    static const struct {
        uint8_t srv;
        uint16_t cport;
        uint32_t rtt_us;
    } cs[] = {{2, 41000, 10000},
              {3, 41001, 5000},
              {2, 41002, 20000},
              {3, 41003, 7000},
              {2, 41004, 30000}};
    uint64_t t = SC_T0;
    for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        struct sc_conn c = sc_conn4(1, cs[i].cport, cs[i].srv, 443);
        sc_handshake(m, &c, t, US(cs[i].rtt_us), US(100));
        t += MS(100);
    }
    struct sc_conn c = sc_conn4(1, 41005, 4, 443);
    sc_seg(m, &c, CS, t, MK_SYN, C_ISN, 0, 0);
    sc_seg(m, &c, SC, t + US(900), MK_RST | MK_ACK, 0, C_ISN + 1, 0);
}

/* 14 taken at the server: the SYN/ACK leaves 40 us after the SYN arrives,
 * the client's ACK comes back 30 ms later; four connections. */
static inline void sc_server_side(struct mkcap *m)
{
    uint64_t t = SC_T0;
    for (uint16_t i = 0; i < 4; i++) {
        struct sc_conn c = sc_conn4(7, (uint16_t)(42000 + i), 2, 443);
        sc_handshake(m, &c, t, US(40), MS(30) + US(i * 100));
        t += MS(200);
    }
}

struct scenario {
    const char *name;
    void (*fn)(struct mkcap *m);
    enum mkcap_format fmt;
};

static const struct scenario scenarios[] = {
    {"basic", sc_basic, MKCAP_PCAP_US},
    {"syn_retrans", sc_syn_retrans, MKCAP_PCAP_US},
    {"synack_retrans", sc_synack_retrans, MKCAP_PCAP_US},
    {"synack_only", sc_synack_only, MKCAP_PCAP_US},
    {"syn_after_synack", sc_syn_after_synack, MKCAP_PCAP_US},
    {"port_reuse", sc_port_reuse, MKCAP_PCAP_US},
    {"simultaneous", sc_simultaneous, MKCAP_PCAP_US},
    {"rst", sc_rst, MKCAP_PCAP_US},
    {"ipv6", sc_ipv6, MKCAP_PCAP_US},
    {"vlan", sc_vlan, MKCAP_PCAP_US},
    {"nano", sc_nano, MKCAP_PCAPNG_NS},
    {"no_answer", sc_no_answer, MKCAP_PCAP_US},
    {"icmp_quote", sc_icmp_quote, MKCAP_PCAP_US},
    {"servers", sc_servers, MKCAP_PCAP_US},
    {"server_side", sc_server_side, MKCAP_PCAP_US},
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static inline const struct scenario *scenario_by_name(const char *name)
{
    for (size_t i = 0; i < NSCENARIOS; i++)
        if (!strcmp(scenarios[i].name, name))
            return &scenarios[i];
    return NULL;
}

/* Builds scenario sc into m (initialised here). */
static inline void scenario_build(const struct scenario *sc, struct mkcap *m)
{
    mkcap_init(m, sc->fmt);
    sc->fn(m);
}

#endif
