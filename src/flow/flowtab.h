/* The flow table: one entry per conversation (address/port pair, both
 * directions), keyed symmetrically, hashed with a per-table random seed, with
 * entries from a capped pool that never moves (pointers stay valid), and an
 * index that grows incrementally so that no single packet pays for a rehash.
 * Memory grows with the number of flows, never with the number of packets.
 *
 * The table is generic: its owner says how many bytes of state each flow
 * carries; new entries start zeroed. */
#ifndef PW_FLOW_FLOWTAB_H
#define PW_FLOW_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pw_flow_key {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* IP protocol */
    uint16_t port[2];
    uint8_t addr[2][16]; /* IPv4 uses the first 4 bytes; rest zero */
};

/* Builds the canonical (direction-independent) key for a packet going
 * src -> dst. *dir is 0 when the packet goes from key endpoint 0 to endpoint
 * 1, and 1 otherwise. Endpoint 0 is the smaller address (then port), so the
 * direction matches Wireshark's address-ordered flow1/flow2 choice. */
void pw_flow_key_make(struct pw_flow_key *k, int family, uint8_t proto, const uint8_t *src,
                      uint16_t sport, const uint8_t *dst, uint16_t dport, int *dir);

struct pw_flowtab;

/* value_size bytes of state per flow; at most max_flows flows (0: no cap). */
struct pw_flowtab *pw_flowtab_new(size_t value_size, uint32_t max_flows);
void pw_flowtab_free(struct pw_flowtab *t);

/* Finds the flow for key, creating it (zeroed) if absent. Returns NULL only
 * when the table is at its cap (or out of memory). *created tells which. */
void *pw_flowtab_get(struct pw_flowtab *t, const struct pw_flow_key *k, bool *created);

/* Finds without creating. */
void *pw_flowtab_find(struct pw_flowtab *t, const struct pw_flow_key *k);

/* The key of a value returned by get/find. */
const struct pw_flow_key *pw_flowtab_key(const struct pw_flowtab *t, const void *value);

uint32_t pw_flowtab_count(const struct pw_flowtab *t);
uint64_t pw_flowtab_overflows(const struct pw_flowtab *t); /* gets refused at the cap */
size_t pw_flowtab_memory(const struct pw_flowtab *t);      /* bytes held */

/* Visits flows in creation order. */
void pw_flowtab_foreach(struct pw_flowtab *t, void (*fn)(void *value, void *arg), void *arg);

#endif
