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

/* Fields in the order a tick touches them: a packet ticks four nodes
 * scattered over a large array, so the count, the window's totals and its
 * first buckets share the node's first cache lines; the name is read only
 * when printing. */
struct pw_dests_node {
    uint64_t count;
    uint64_t bcount, max_burst;
    double burst_time;        /* ms */
    uint8_t nb;
    uint32_t parent;          /* node index; 0 = the "Destinations and Ports" root */
    uint32_t depth;
    /* burst buckets, oldest first; at most PW_BURST_BUCKETS live at once */
    struct pw_burst_bucket b[PW_BURST_BUCKETS + 1];
    char name[48];
};

/* The nodes a (address, port type, port) leaf ticks besides the root */
struct pw_dests_path {
    uint32_t addr, ptype, port;
};

struct pw_dests {
    struct pw_dests_node *node;
    uint32_t n, cap;
    struct pw_keytab idx;     /* (parent, address/type/port) -> node */
    struct pw_keytab leaf;    /* (address, port type, port) -> leaf_node[] */
    struct pw_dests_path *leaf_node; /* per leaf key: its nodes (UINT32_MAX: none) */
    uint32_t leaf_cap;
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
