/* TCP conversations and sequence analysis, internal to src/flow/ (the
 * public face is flows.h). */
#ifndef PW_FLOW_TCP_H
#define PW_FLOW_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/packet.h"
#include "flow/flows.h"
#include "flow/flowtab.h"

/* One not-yet-acknowledged segment (SYN, FIN or data), as tshark records
 * them per direction: frame, time, sequence range. Records live in slabs
 * and are chained by index, newest first. */
struct pwi_tcp_seg {
    uint32_t next; /* older record of the same direction, or PWI_NIL */
    uint32_t seq, nextseq;
    uint64_t frame;
    struct pw_nstime ts;
};

#define PWI_NIL UINT32_MAX

struct pwi_seg_pool {
    struct pwi_tcp_seg **slabs;
    uint32_t nslabs, slabs_cap;
    uint32_t used;      /* records handed out from slabs so far */
    uint32_t free_head; /* recycled records */
    uint32_t live;
};

/* Per-direction state (tshark's tcp_flow_t with its sequence info). */
struct pwi_tcp_dir {
    uint32_t base_seq;
    uint8_t sflags; /* PWI_S_* */
    bool valid_bif;
    bool is_first_ack;
    bool push_set_last;
    int8_t win_scale; /* shift; -1 unknown, -2 no scaling in use */
    uint32_t window;  /* last window field, unscaled */
    uint32_t lastsegmentflags;
    uint32_t nextseq;
    uint32_t maxseqtobeacked;
    uint32_t lastack;
    /* duplicate ACKs in a row; UINT32_MAX marks "ACKed unseen segment
     * reported" and, being unsigned as in tshark, also passes the ">= 2"
     * test of fast retransmission */
    uint32_t dupacknum;
    uint32_t segment_count;
    uint32_t segs; /* newest unacked record, PWI_NIL when none */
    uint32_t push_bytes_sent;
    /* SACK blocks of this direction's latest segment (tshark keeps the first
     * three): their total length is taken off the peer's bytes in flight */
    uint8_t nsack;
    uint32_t sack_bytes;
    uint64_t nextseqframe, lastnondupack;
    struct pw_nstime nextseqtime, lastacktime;
};

enum {
    PWI_S_BASE_SEQ_SET = 1u << 0,
    PWI_S_SAW_SYN = 1u << 1,
    PWI_S_SAW_SYNACK = 1u << 2,
};

/* The flow-table record of a TCP conversation. dir[d] is the direction sent
 * by endpoint d of the flow key, which is the side Wireshark calls flow1
 * when d == 1 (its address-ordered choice), flow2 otherwise. */
struct pwi_tcp_conv {
    struct pw_flow flow;
    struct pwi_tcp_dir dir[2];
    struct pw_nstime ts_mru_syn;   /* latest SYN without ACK */
    struct pw_nstime ts_first_rtt; /* iRTT; zero until known */
    /* the conversation's first frame and its latest TCP header, for
     * tcp.time_relative and tcp.time_delta */
    struct pw_nstime ts_first, ts_prev;
    bool renew;                    /* the next segment starts a new conversation (see tcp.c) */
    bool vnc_heur;                 /* tshark's VNC heuristic has taken this conversation */
};

struct pwi_tcp {
    struct pw_flowtab *tab;
    struct pwi_seg_pool pool;
    uint32_t next_stream;
    uint64_t overflows;
    uint64_t unacked_dropped;
    struct pwi_tcp_conv *last; /* conversation of the last analysed segment */
    void (*app_reset)(void *app, void *arg);
    void *app_arg;
    bool no_app; /* no application stage: recognise its effects here */
    size_t tap_off; /* offset of a conversation's tap area, 0: none */
};

/* Bytes of a conversation record of `state` bytes with a tap area of
 * tap_bytes after it (pw_flows_opts.tap_bytes); *off: the area's offset,
 * 0 when there is none. */
static inline size_t pwi_tap_layout(size_t state, uint32_t tap_bytes, size_t *off)
{
    *off = tap_bytes ? (state + 7u) & ~(size_t)7u : 0;
    return tap_bytes ? *off + tap_bytes : state;
}

/* tap_bytes: see pw_flows_opts */
int pwi_tcp_init(struct pwi_tcp *t, uint32_t max_flows, uint32_t tap_bytes);
void pwi_tcp_free(struct pwi_tcp *t);

/* Processes TCP layer `li` whose addresses come from network layer `net`. */
void pwi_tcp_layer(struct pwi_tcp *t, struct pw_packet *pkt, int li, int net);

/* Looks at the application layers of the packet last given to
 * pwi_tcp_layer(). */
void pwi_tcp_after_app(struct pwi_tcp *t, const struct pw_packet *pkt);
/* Whether pwi_tcp_after_app may act on this packet (see pw_flows_need_app). */
bool pwi_tcp_need_app(const struct pw_packet *pkt);

size_t pwi_tcp_memory(const struct pwi_tcp *t);

#endif
