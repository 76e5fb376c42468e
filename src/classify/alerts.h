/* Unwanted and abnormal traffic (`pktwatch alerts`): a tap that runs after
 * the flow stage (it needs tcp.stream / udp.stream, src/flow/flows.h),
 * classifies each flow's first packets with the classifier
 * (src/classify/classify.h), reads a few payloads for evidence (BitTorrent
 * handshakes, DHT queries, cleartext logins), keeps one small record per
 * flow, and at the end turns what it saw into alerts under a policy
 * (src/classify/policy.h):
 *
 *   unwanted-application    a flow classified as an application or category
 *                           the policy denies (by payload, not by port)
 *   unexpected-service      traffic to a port a host is not expected to serve
 *   protocol-port-mismatch  a protocol found by payload on a port it does not use
 *   scan                    one source, many targets, mostly unanswered
 *   handshake-failures      SYNs without answers, refused connections, RST storms
 *   cleartext-credentials   FTP/POP3 USER+PASS, HTTP Basic, IMAP LOGIN, SMTP
 *                           AUTH, Telnet logins, or the classifier's own flag
 *
 * Alerts aggregate flows: one unwanted-application alert per (application,
 * transport, client address) naming the servers it talked to (a BitTorrent
 * client with 40 peers is one alert), one protocol-port-mismatch or
 * cleartext-credentials alert per client and server, one
 * unexpected-service or handshake-failures alert per server port, one scan
 * alert per source.
 *
 * Memory grows with flows (one record each, capped at PW_ALERT_MAX_FLOWS),
 * never with packets; classifier state is held only while a flow is being
 * classified (at most PW_CLS_MAX_LIVE at once). Nothing is allocated per
 * packet: tables grow in slabs. */
#ifndef PW_CLASSIFY_ALERTS_H
#define PW_CLASSIFY_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"
#include "classify/classify.h"
#include "classify/policy.h"
#include "dissect/packet.h"
#include "util/error.h"

#define PW_ALERT_EVIDENCE_LEN 320
#define PW_ALERT_MAX_PEERS 32

struct pw_alert_peer {
    uint8_t addr[16];
    uint16_t port;    /* of its first flow */
    uint64_t packets; /* of the alert's flows with this peer */
};

struct pw_alert {
    uint8_t kind;                /* enum pw_alert_kind */
    uint8_t sev;                 /* enum pw_sev */
    uint8_t family;              /* 4 or 6 */
    uint8_t ipproto;             /* 6, 17, 1, 58 */
    bool has_client, has_server; /* scan alerts have no single server */
    uint16_t cport, sport;       /* of the first flow; 0 when not meaningful */
    uint8_t caddr[16], saddr[16];
    char app[48];       /* application (nDPI name), "" when none */
    char category[32];  /* its category, "" when none */
    char wireshark[32]; /* what our (Wireshark-compatible) dissectors call it, "" */
    uint64_t first_frame, last_frame;
    struct pw_ts first_ts, last_ts;
    uint64_t packets, bytes; /* of the flows behind the alert (frame lengths) */
    uint32_t flows;
    /* scan: targets tried; unexpected-service, handshake-failures: clients;
     * unwanted-application: servers (peers) the client talked to */
    uint32_t peers;
    /* unwanted-application: the busiest of those servers (the first is the
     * alert's server) */
    uint8_t npeer;
    struct pw_alert_peer peer[PW_ALERT_MAX_PEERS];
    char evidence[PW_ALERT_EVIDENCE_LEN];
};

struct pw_alerts_stats {
    uint64_t packets; /* packets the tap saw */
    uint64_t tcp_flows, udp_flows;
    uint64_t classified;     /* flows classified from their payload */
    uint64_t flows_dropped;  /* packets of flows past PW_ALERT_MAX_FLOWS */
    uint64_t cls_evicted;    /* classifications cut short at PW_CLS_MAX_LIVE */
    uint64_t cls_reused;     /* flows that took their server endpoint's known answer */
    uint64_t cls_packets;    /* packets given to the classifier */
    uint64_t cls_clock_skipped; /* packets of classified flows not queued: nothing could expire */
    uint64_t alerts_dropped; /* alerts past PW_ALERT_MAX_ALERTS */
    uint32_t cls_live_max;   /* most classifier states held at once */
    size_t memory;           /* bytes of flow records and tables */
};

struct pw_alerts;

/* Checks the policy's application and category names against the
 * classifier (an unknown name is an error naming its policy line) and
 * builds the tap. The policy and the classifier must outlive it. */
int pw_alerts_new(struct pw_alerts **out, const struct pw_policy *pol, struct pw_classifier *cls,
                  struct pw_error *err);

/* Where classification runs. It is the costly part of the tap (nDPI), and
 * its answers are only needed at the end, so by default it runs on a second
 * thread, pipelined with the pass: the tap queues what it needs of each
 * packet (copying the bytes of packets the classifier may still read) and
 * the worker runs the same state machine, in frame order, as the inline
 * mode would. The results are identical either way. */
struct pw_alerts_opts {
    /* 1: inline, on the caller's thread; 2: a worker thread; 0 (default):
     * a worker when more than one CPU is online */
    unsigned threads;
    /* queue sizes, 0: defaults (tests make them small to exercise waits) */
    uint32_t ring_items;
    size_t ring_bytes;
    /* queue every packet of a classified flow for the idle clock, even
     * when no flow can expire (tests compare the two; same result) */
    bool all_clock_items;
};

/* pw_alerts_new with options (NULL: defaults). The classifier is used by
 * the worker thread between the first packet and pw_alerts_finish (or
 * pw_alerts_free): the caller must not use it meanwhile. */
int pw_alerts_new_opts(struct pw_alerts **out, const struct pw_policy *pol,
                       struct pw_classifier *cls, const struct pw_alerts_opts *opts,
                       struct pw_error *err);
void pw_alerts_free(struct pw_alerts *a);

/* Bytes of tap area the tap wants in every conversation record of the flow
 * stage (pw_flows_opts.tap_bytes): its flow records live there. Without it
 * the tap works the same, with records of its own (slower on large
 * captures). With it, the flow stage must be freed after pw_alerts_free:
 * the records (and the worker thread's view of them) are in its memory. */
size_t pw_alerts_flow_bytes(void);

/* The tap: every dissected packet after the flow stage, in frame order. */
void pw_alerts_packet(struct pw_alerts *a, const struct pw_record *rec,
                      const struct pw_packet *pkt);

/* For struct pw_tap's before_app (after the flow stage): whether the tap
 * needs the application stage's layers on this packet (not on the TCP
 * packets of a flow whose Wireshark protocol is already known). */
bool pw_alerts_before_app(struct pw_alerts *a, const struct pw_packet *pkt);

/* Ends classification of the flows still open and builds the alerts,
 * sorted by severity (highest first), kind, then first frame. */
void pw_alerts_finish(struct pw_alerts *a);

size_t pw_alerts_count(const struct pw_alerts *a);
const struct pw_alert *pw_alerts_get(const struct pw_alerts *a, size_t i);
/* After finish: before it, the classification counters and memory are
 * the worker's and not yet included. */
void pw_alerts_get_stats(const struct pw_alerts *a, struct pw_alerts_stats *st);

/* One flow as the tap saw it (`pktwatch alerts --flows`). */
struct pw_alert_flow {
    uint8_t family, ipproto;
    const uint8_t *caddr, *saddr;
    uint16_t cport, sport;
    uint32_t stream; /* tcp.stream / udp.stream */
    uint64_t packets, bytes, first_frame, last_frame;
    char app[96];         /* "TLS.AnyDesk"; "" when not classified */
    const char *category; /* "" when not classified */
    /* how: "payload", "cache", "address", "port", "dissector", "endpoint"
     * (from earlier flows to the same server port), "none" */
    const char *confidence;
    const char *wireshark; /* what our dissectors call its payload; "" when none */
};

/* Calls fn for every flow (TCP, then UDP, in stream order); after finish. */
void pw_alerts_foreach_flow(const struct pw_alerts *a,
                            void (*fn)(void *arg, const struct pw_alert_flow *fl), void *arg);

/* Highest severity among the alerts (PW_SEV_NONE when there are none). */
unsigned pw_alerts_max_sev(const struct pw_alerts *a);

#endif
