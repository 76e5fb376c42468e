/* The flow stage: after dissection and before the taps, every TCP and UDP
 * header of a packet is assigned to its conversation and numbered like
 * tshark's tcp.stream / udp.stream, and TCP segments get tshark's sequence
 * analysis (tcp.analysis.acks_frame, ack_rtt, initial_rtt, retransmission
 * and the other tcp.analysis flags). Results go into the packet: per-layer
 * stream numbers in u.tcp.stream / u.udp.stream, the analysis of the
 * packet's TCP segment in pkt->tcp (src/dissect/packet.h).
 *
 * One context per pass (conversation numbers start at 0 for each file, as
 * in tshark). Conversations are keyed by the innermost IP addresses and the
 * ports, in both directions (src/flow/flowtab.h). Memory grows with the
 * number of conversations, never with the number of packets; the records of
 * not-yet-acknowledged segments that ack_rtt needs come from a shared pool
 * and are capped per direction (PW_MAX_TCP_UNACKED). Nothing is allocated
 * per packet: tables and pools grow in slabs. */
#ifndef PW_FLOW_FLOWS_H
#define PW_FLOW_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/field.h"
#include "dissect/packet.h"
#include "util/error.h"

struct pw_flows_opts {
    uint32_t max_tcp_flows; /* conversations kept; 0: PW_MAX_FLOWS */
    uint32_t max_udp_flows; /* 0: PW_MAX_FLOWS */
    bool no_udp;            /* leave udp.stream out (saves a lookup per UDP header) */
    /* The pass runs without the application stage (src/dissect/app.h):
     * the flow stage then recognises the application dissectors' effects on
     * stream numbers itself, from the payload (see pw_flows_after_app). */
    bool no_app_stage;
    /* Bytes that one tap keeps in every TCP and UDP conversation record
     * (8-byte aligned, zeroed when the record is made, then never touched
     * by the flow stage, not even when the record goes on with a new
     * stream), given to it as pkt->l4_tap. A tap whose per-flow state lives
     * there finds it in the cache lines and page that the flow stage has
     * just used, instead of missing on a table of its own; the area lives
     * as long as the flow stage. 0: none. */
    uint32_t tap_bytes;
};

/* State that every conversation carries, TCP or UDP, at the start of its
 * flow-table record. Application-protocol state and stream reassembly will
 * hang off `app`; it is reset (set to NULL, see pw_flows_set_app_reset) when
 * a TCP conversation is superseded by a new one on the same ports. */
struct pw_flow {
    uint32_t stream;      /* tcp.stream / udp.stream */
    uint64_t first_frame; /* frame that created the conversation */
    void *app;            /* application state; NULL until someone sets it */
};

struct pw_flows;

/* opts may be NULL. Returns NULL with err filled on failure. */
struct pw_flows *pw_flows_new(const struct pw_flows_opts *opts, struct pw_error *err);
void pw_flows_free(struct pw_flows *f);

/* Runs the flow stage on one dissected packet (frames must come in order).
 * Sets pkt->flow_done. */
void pw_flows_packet(struct pw_flows *f, struct pw_packet *pkt);

/* Runs after the application stage (src/dissect/app.h) on the same packet:
 * some of tshark's application dissectors make conversations of their own,
 * which changes the stream numbers of the packets that follow (VNC found by
 * its heuristic). Without the application stage these cases are missed. */
void pw_flows_after_app(struct pw_flows *f, const struct pw_packet *pkt);

/* Whether pw_flows_after_app needs the application stage's layers on this
 * packet (after pw_flows_packet): a pass that skips the stage on packets
 * its taps do not need it for still runs it on these, so that stream
 * numbers stay those of a full pass. */
bool pw_flows_need_app(const struct pw_flows *f, const struct pw_packet *pkt);

/* Called with the old application state when a conversation's record is
 * reused for a new stream (TCP port reuse) and for every conversation when
 * the context is freed; may be NULL (the default). */
void pw_flows_set_app_reset(struct pw_flows *f, void (*fn)(void *app, void *arg), void *arg);

/* The conversation record of the packet's analysed TCP segment, or NULL. Valid
 * until the next pw_flows_packet(). */
struct pw_flow *pw_flows_tcp_flow(struct pw_flows *f);

struct pw_flows_stats {
    uint32_t tcp_streams, udp_streams;     /* numbers handed out */
    uint32_t tcp_flows, udp_flows;         /* table records (a reused 4-tuple is one) */
    uint64_t tcp_overflows, udp_overflows; /* headers left without a stream at the cap */
    uint64_t unacked_dropped;              /* segments not recorded at PW_MAX_TCP_UNACKED */
    size_t memory;                         /* bytes held by tables and pools */
};
void pw_flows_get_stats(const struct pw_flows *f, struct pw_flows_stats *st);

/* Formats a time the way tshark prints FT_RELATIVE_TIME fields and
 * frame.time_epoch: seconds, '.', nine digits ("0.038692000"; an
 * unnormalised pair prints as tshark prints it). Returns buf. */
char *pw_nstime_fmt(char *buf, size_t n, struct pw_nstime t);

/* A record's timestamp as tshark holds it (nanoseconds as a C int, so an
 * out-of-range fraction of 2^31 or more reads as negative). */
static inline struct pw_nstime pw_nstime_of_ts(struct pw_ts ts)
{
    struct pw_nstime t = {ts.sec, (int32_t)ts.nsec};
    return t;
}

/* b - a, exactly as Wireshark's nstime_delta() computes it (including the
 * 32-bit wrap of the nanoseconds with out-of-range input fractions). */
struct pw_nstime pw_nstime_delta(struct pw_nstime b, struct pw_nstime a);

/* tcp.stream, tcp.analysis.*, udp.stream: fields the flow stage provides
 * (registered in src/dissect/registry.c). */
extern const struct pw_field pw_fields_flow[];

#endif
