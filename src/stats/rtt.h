/* Handshake round-trip times per TCP connection (`pktwatch rtt`), built by a
 * tap from what the flow stage computed (src/flow/flows.h), so that stream
 * numbers and RTTs are tshark's:
 *
 *   - a connection is a tcp.stream that has a SYN (without ACK) or a SYN/ACK;
 *     the sender of its first SYN is the client (with only a SYN/ACK, its
 *     receiver is);
 *   - handshake_rtt is tcp.analysis.ack_rtt of the server's first SYN/ACK:
 *     that SYN/ACK's time minus the FIRST SYN's (tshark times a segment from
 *     the oldest matching one, so a retransmitted SYN gives 1 s + RTT);
 *   - client_rtt (the client leg) is the time from the first SYN/ACK to the
 *     client's first segment with ACK and without SYN or RST;
 *   - initial_rtt is tcp.analysis.initial_rtt: the latest SYN to the first
 *     segment with ACK and without SYN (any sender);
 *   - syn_retransmits / synack_retransmits count the client's SYNs after the
 *     first and the server's SYN/ACKs (same sequence number) after the first.
 *
 * Summaries (per server address, and over all connections) give min,
 * median, p90, p99 and max of handshake_rtt by the nearest-rank method: the
 * p-th percentile of n sorted values is the value of rank ceil(p * n / 100)
 * (1-based), so every figure is a measured value; the median is p50 (for an
 * even count, the lower of the two middle values).
 *
 * Memory: one small index entry per tcp.stream and one record per
 * connection (handshake), none per packet. */
#ifndef PW_STATS_RTT_H
#define PW_STATS_RTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

enum pw_rtt_outcome {
    PW_RTT_ESTABLISHED = 0,    /* SYN, SYN/ACK, the client's ACK */
    PW_RTT_RESET,              /* a RST before the handshake completed */
    PW_RTT_NO_ANSWER,          /* SYN(s) only */
    PW_RTT_SYNACK_WITHOUT_SYN, /* the capture has the SYN/ACK but not the SYN */
    PW_RTT_INCOMPLETE,         /* SYN and SYN/ACK, then neither ACK nor RST */
    PW_RTT_SIMULTANEOUS_OPEN,  /* both ends sent a SYN (RFC 9293 3.5) */
};

const char *pw_rtt_outcome_name(int outcome); /* "established", ... */

struct pw_rtt_conn {
    uint32_t stream; /* tcp.stream */
    uint8_t family;  /* 4 or 6 */
    uint8_t outcome; /* enum pw_rtt_outcome, final after pw_rtt_finish() */
    uint8_t client[16], server[16];
    uint16_t client_port, server_port;
    uint64_t syn_frame, synack_frame; /* 1-based; 0 when absent */
    struct pw_nstime syn_time;        /* absolute time of the first SYN */
    struct pw_nstime synack_time;
    bool has_handshake_rtt, has_client_rtt, has_initial_rtt;
    struct pw_nstime handshake_rtt, client_rtt, initial_rtt;
    uint32_t syn_retransmits, synack_retransmits;
    /* progress of the handshake, for the outcome */
    bool server_syn, rst, client_acked;
    uint32_t synack_seq;
};

/* Figures of one set of handshake RTTs, in nanoseconds. */
struct pw_rtt_dist {
    uint32_t n; /* values */
    int64_t min, median, p90, p99, max;
};

struct pw_rtt_server {
    uint8_t family;
    uint8_t addr[16];
    uint32_t connections;
    struct pw_rtt_dist rtt;
};

/* Where the capture seems to have been taken, from the medians of the two
 * handshake legs over connections that have both. */
enum pw_rtt_side {
    PW_SIDE_UNKNOWN = 0, /* no connection with both legs */
    PW_SIDE_CLIENT,      /* SYN/ACK -> ACK near zero: handshake_rtt is the RTT */
    PW_SIDE_SERVER,      /* SYN -> SYN/ACK near zero: use client_rtt / iRTT */
    PW_SIDE_MIDDLE,      /* both legs carry delay: the capture is on the path */
};

struct pw_rtt_summary {
    uint32_t connections;
    uint32_t outcomes[PW_RTT_SIMULTANEOUS_OPEN + 1];
    uint32_t syn_retransmits, synack_retransmits;
    struct pw_rtt_dist rtt;        /* handshake RTT over all connections */
    struct pw_rtt_dist client_rtt; /* client leg */
    struct pw_rtt_dist initial_rtt;
    uint32_t both_legs;               /* connections with both legs */
    int64_t leg1_median, leg2_median; /* over those, ns */
    int side;                         /* enum pw_rtt_side */
    uint64_t streams;                 /* tcp.stream numbers seen (with or without handshake) */
};

struct pw_rtt;

struct pw_rtt *pw_rtt_new(void);
void pw_rtt_free(struct pw_rtt *r);

/* The tap: feed every packet after the flow stage (pass opts.flows set). */
void pw_rtt_packet(struct pw_rtt *r, const struct pw_packet *pkt);

/* Settles outcomes and computes the summaries; call once after the pass.
 * Returns 0 or PW_ERR_NOMEM. */
int pw_rtt_finish(struct pw_rtt *r);

size_t pw_rtt_nconns(const struct pw_rtt *r);
const struct pw_rtt_conn *pw_rtt_conn(const struct pw_rtt *r, size_t i); /* stream order */
size_t pw_rtt_nservers(const struct pw_rtt *r);
/* By connection count, descending; ties in order of first appearance. */
const struct pw_rtt_server *pw_rtt_server(const struct pw_rtt *r, size_t i);
const struct pw_rtt_summary *pw_rtt_summary(const struct pw_rtt *r);

/* Nearest-rank figures of n values (sorted in place). */
void pw_rtt_dist_of(int64_t *v, uint32_t n, struct pw_rtt_dist *d);

/* A short explanation of the side guess for people (one or more sentences,
 * no newline), or NULL when there is nothing to say. */
const char *pw_rtt_side_advice(int side);

#endif
