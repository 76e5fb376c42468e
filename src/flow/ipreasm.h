/* IP fragment reassembly (IPv4 and IPv6), shared by both dissectors.
 *
 * Behaviour follows tshark 4.0's defaults: a fragment whose bytes were all
 * captured is added to the datagram its key names; the datagram completes
 * on the fragment after which its last fragment (more-fragments clear) is
 * known and the bytes from 0 to its end are contiguous. That frame carries
 * the upper layers, dissected from the reassembled bytes; every other
 * fragment shows `data`. A completed datagram leaves the table, so a later
 * fragment with the same key starts a new one.
 *
 * Keys (as tshark's): IPv4 source, destination and identification with the
 * protocol and the VLAN id folded in; IPv6 source, destination and the
 * fragment header's identification.
 *
 * Where fragments overlap they are taken in offset order (at equal offsets,
 * in arrival order) and each contributes only the bytes past those before
 * it; bytes past the datagram's end are cut.
 *
 * Memory is bounded and every refusal counted (struct pw_ipreasm_stats):
 * datagrams pending (PW_IPREASM_MAX_PENDING, the oldest is evicted),
 * fragments and stored bytes per datagram (PW_IPREASM_MAX_FRAGS,
 * PW_IPREASM_MAX_BYTES: past them the datagram is abandoned and its later
 * fragments only absorbed), all stored bytes (PW_IPREASM_TOTAL: the oldest
 * datagrams are evicted to make room), and a datagram not completed within
 * PW_IPREASM_TIMEOUT seconds of capture time is expired. Buffers grow per
 * datagram, never per packet; nothing is allocated before the first
 * fragment. */
#ifndef PW_FLOW_IPREASM_H
#define PW_FLOW_IPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pw_ipreasm;

struct pw_ipreasm_key {
    uint8_t family; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint32_t id; /* v4: id ^ proto ^ vlan id (tshark's fold); v6: identification */
};

struct pw_ipreasm_stats {
    uint64_t fragments;      /* fragments offered */
    uint64_t completed;      /* datagrams reassembled */
    uint64_t evicted;        /* pending datagrams dropped for room (count or bytes) */
    uint64_t expired;        /* pending datagrams dropped at the timeout */
    uint64_t too_many_frags; /* datagrams abandoned at PW_IPREASM_MAX_FRAGS */
    uint64_t too_large;      /* datagrams abandoned at PW_IPREASM_MAX_BYTES */
    uint64_t absorbed;       /* fragments of abandoned datagrams */
    uint64_t no_memory;      /* fragments refused because an allocation failed */
    uint32_t pending;        /* datagrams pending now */
    size_t memory;           /* bytes held now */
    size_t memory_peak;
};

enum pw_ipreasm_verdict {
    PW_IPR_PENDING = 0, /* stored; the datagram is not complete */
    PW_IPR_DONE = 1,    /* this fragment completed the datagram */
    PW_IPR_DROPPED = 2, /* refused (a limit, or an abandoned datagram): counted */
};

/* Limits; 0 (or a NULL opts) takes the default from src/util/limits.h.
 * Tests lower them. */
struct pw_ipreasm_opts {
    uint32_t max_pending; /* PW_IPREASM_MAX_PENDING */
    uint32_t max_frags;   /* PW_IPREASM_MAX_FRAGS */
    uint32_t max_bytes;   /* PW_IPREASM_MAX_BYTES */
    size_t total;         /* PW_IPREASM_TOTAL */
    int64_t timeout;      /* PW_IPREASM_TIMEOUT */
};

/* NULL when out of memory. */
struct pw_ipreasm *pw_ipreasm_new(const struct pw_ipreasm_opts *opts);
void pw_ipreasm_free(struct pw_ipreasm *r);

/* Adds a fragment: `len` bytes at byte offset `off` of the datagram's
 * payload, `more` = more-fragments flag, `now` = capture time in seconds.
 * On PW_IPR_DONE, *out and *outlen give the reassembled payload, valid until
 * the next call. */
enum pw_ipreasm_verdict pw_ipreasm_add(struct pw_ipreasm *r, const struct pw_ipreasm_key *k,
                                       int64_t now, uint32_t off, const uint8_t *p, uint32_t len,
                                       bool more, const uint8_t **out, uint32_t *outlen);

/* A buffer of at least n bytes owned by the facility for the frame that
 * completes a datagram (see pw_dissect_packet_ipr), distinct from `avoid`
 * (the buffer the frame currently reads, when it is one of ours); NULL
 * when n exceeds PW_IPREASM_VFRAME or memory is short. Valid until the next
 * call. */
uint8_t *pw_ipreasm_frame_buf(struct pw_ipreasm *r, uint32_t n, const uint8_t *avoid);

void pw_ipreasm_get_stats(const struct pw_ipreasm *r, struct pw_ipreasm_stats *st);

#endif
