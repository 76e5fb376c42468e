/* `-z conv,eth|ip|tcp|udp` and `-z endpoints,eth|ip|tcp|udp`
 * (wireshark-semantics.md section 3). One entry update per header of the
 * table's kind that is not quoted in an ICMP error; bytes are frame.len.
 * Conversations: A is the first packet's source, packets A->B add to the
 * "->" (tx) columns, B->A to "<-" (rx); TCP and UDP rows are split by
 * tcp.stream / udp.stream. Endpoints: the source gets Tx, the destination
 * Rx. Entries live in arrays in first-seen order behind a hash index keyed
 * by address (and port), so memory grows with distinct keys only. */
#ifndef PW_STATS_CONV_H
#define PW_STATS_CONV_H

#include <stdint.h>

#include "dissect/packet.h"
#include "stats/keytab.h"
#include "stats/reltime.h"

enum pw_conv_kind {
    PW_CT_ETH,
    PW_CT_IP,
    PW_CT_TCP,
    PW_CT_UDP,
};

struct pw_conv_addr {
    uint8_t len;  /* 4, 16 or 6 */
    uint8_t a[16];
    uint16_t port;
};

struct pw_conv {
    struct pw_conv_addr a, b;
    uint64_t tx_frames, tx_bytes; /* A -> B */
    uint64_t rx_frames, rx_bytes; /* B -> A */
    struct pw_reltime start, stop;
    uint32_t id;                  /* tcp.stream / udp.stream */
};

struct pw_endpoint {
    struct pw_conv_addr a;
    uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
};

struct pw_stream_track;

struct pw_convtab {
    enum pw_conv_kind kind;
    int endpoints;                /* 1: endpoint table, 0: conversations */
    struct pw_keytab idx;
    struct pw_conv *conv;
    struct pw_endpoint *ep;
    uint32_t n, cap;
    int have_first;
    struct pw_ts first_ts;
    struct pw_stream_track *streams; /* tcp.stream / udp.stream numbering */
    int oom;
};

struct pw_convtab *pw_convtab_new(enum pw_conv_kind kind, int endpoints);
void pw_convtab_packet(struct pw_convtab *t, const struct pw_record *rec,
                       const struct pw_packet *pkt);
void pw_convtab_free(struct pw_convtab *t);

/* Print order: total frames descending, equal totals in first-seen order;
 * entries with no frames are left out. Returns how many; *out malloc'd. */
uint32_t pw_convtab_order(const struct pw_convtab *t, uint32_t **out);

/* "addr" or "addr:port" as tshark prints it with -n. */
void pw_conv_addr_str(const struct pw_conv_addr *a, int with_port, char *buf, unsigned n);

const char *pw_conv_kind_title(enum pw_conv_kind k); /* "IPv4", "TCP", "UDP", "Ethernet" */

#endif
