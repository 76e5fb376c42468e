/* `-z dests,tree`: IPv4 Statistics / Destinations and Ports
 * (wireshark-semantics.md section 2), a stats_tree ticked once per IPv4
 * header, with node names taken from the end-of-frame state: destination
 * address > port type (TCP, UDP, NONE) > destination port. Each node keeps
 * a count and the 100 ms burst window as twenty 5 ms buckets. */
#ifndef PW_STATS_DESTS_H
#define PW_STATS_DESTS_H

#include <stdint.h>

#include "dissect/packet.h"
#include "stats/keytab.h"
#include "stats/reltime.h"

#define PW_BURST_BUCKETS 20 /* window 100 ms / resolution 5 ms */

struct pw_burst_bucket {
    double bucket_no;
    double start_ms;
    uint32_t count;
};

struct pw_dests_node {
    char name[48];
    uint32_t parent;          /* node index; 0 = the "Destinations and Ports" root */
    uint32_t depth;
    uint64_t count;
    /* burst buckets, oldest first; at most PW_BURST_BUCKETS live at once */
    struct pw_burst_bucket b[PW_BURST_BUCKETS + 1];
    uint8_t nb;
    uint64_t bcount, max_burst;
    double burst_time;        /* ms */
};

struct pw_dests {
    struct pw_dests_node *node;
    uint32_t n, cap;
    struct pw_keytab idx;     /* (parent, address/type/port) -> node */
    struct pw_keytab leaf;    /* (address, port type, port) -> leaf_node[] */
    uint32_t *leaf_node, leaf_cap;
    double start_ms, now_ms;  /* first and latest IPv4 tick; start < 0: none yet */
    int have_first_frame;
    struct pw_ts first_ts;    /* first frame of the file */
    int oom;
    uint32_t *kids, *kid_start; /* filled by pw_dests_finish() */
};

struct pw_dests *pw_dests_new(void);
void pw_dests_packet(struct pw_dests *s, const struct pw_record *rec, const struct pw_packet *pkt);
void pw_dests_free(struct pw_dests *s);

/* Builds the sorted child lists for printing: the children of node i are
 * kids[kid_start[i] .. kid_start[i+1]), by count descending, then by name
 * compared with strcmp, descending (stats_tree's default sort). */
int pw_dests_finish(struct pw_dests *s);

#endif
