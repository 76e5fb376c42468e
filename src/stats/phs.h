/* `-z io,phs`: Protocol Hierarchy Statistics (wireshark-semantics.md
 * section 1). Every frame contributes its protocol path -- the top-level
 * items of its dissection in order -- to a tree keyed by (parent, protocol);
 * each node on the path gets one frame and frame.len bytes. Children keep
 * first-seen order. Memory grows with distinct paths, not with packets. */
#ifndef PW_STATS_PHS_H
#define PW_STATS_PHS_H

#include <stdint.h>

#include "dissect/packet.h"

struct pw_phs_node {
    uint16_t proto;      /* enum pw_proto */
    uint32_t parent;     /* node index; 0 is the invisible root */
    uint32_t first, last; /* first / last child (0: none) */
    uint32_t next;       /* next sibling (0: none) */
    uint32_t depth;      /* 0 for the root's children */
    uint64_t frames, bytes;
};

struct pw_phs {
    struct pw_phs_node *node; /* node[0] is the root */
    uint32_t n, cap;
    uint64_t frames;          /* frames seen */
    int oom;                  /* set when a node could not be added */
};

struct pw_phs *pw_phs_new(void);
void pw_phs_packet(struct pw_phs *s, const struct pw_packet *pkt);
void pw_phs_free(struct pw_phs *s);

/* Calls fn for every node but the root in print order (depth first,
 * children in first-seen order). */
void pw_phs_walk(const struct pw_phs *s,
                 void (*fn)(const struct pw_phs_node *n, void *arg), void *arg);

/* True when this layer is a level of the protocol hierarchy (not a header
 * quoted in an ICMP error, not drawn inside another protocol's subtree). */
static inline int pw_phs_is_level(const struct pw_layer *l)
{
    return !(l->flags & (PW_LF_QUOTED | PW_LF_SUBTREE));
}

#endif
