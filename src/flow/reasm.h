/* TCP reassembly for the application stage: one pending PDU per flow
 * direction. It reproduces where tshark completes a PDU that spans
 * segments (the frame that shows `tcp.segments`) and keeps the head of the
 * PDU's bytes (at most PW_REASM_KEEP) for the dissector; memory is bounded
 * per PDU and in total (PW_REASM_TOTAL, accounted in struct pw_reasm_pool).
 * A buffer exists only while its PDU is pending: allocation happens when a
 * PDU spans segments, never for a segment that completes nothing. */
#ifndef PW_FLOW_REASM_H
#define PW_FLOW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* need values that are not a byte count */
#define PW_REASM_NEED_MORE 0u          /* length unknown: re-evaluate as bytes arrive */
#define PW_REASM_UNTIL_FIN UINT32_MAX  /* the PDU ends with the direction's FIN */

/* Buffer sizes are powers of two from 2 KiB to PW_REASM_KEEP (64 KiB). */
#define PW_REASM_CLASSES 6

/* Buffers are carved from 1 MiB chunks mapped already faulted in, and a
 * released buffer goes to a free list of its size for the next PDU: on a
 * large capture thousands of PDUs are pending at once, and allocating each
 * from malloc first-touched tens of megabytes a page fault at a time (a
 * fifth of `stats`' time). Chunks stay mapped until the pool is freed;
 * they are bounded by twice PW_REASM_TOTAL, past which buffers come from
 * malloc. */
struct pw_reasm_pool {
    size_t used; /* bytes held by the buffers of pending PDUs */
    size_t cap;  /* PW_REASM_TOTAL */
    void *free_buf[PW_REASM_CLASSES]; /* linked through their first bytes */
    uint8_t *bump;                    /* unused tail of the newest chunk */
    size_t bump_left;
    void **chunk;
    uint32_t nchunk, chunk_cap;
};

/* Unmaps the chunks; every pending PDU must have been freed with
 * pw_reasm_free first. */
void pw_reasm_pool_free(struct pw_reasm_pool *pool);

/* The last PW_REASM_DONE PDUs that were completed in this direction (one
 * reassembled from several segments, tshark's multi-segment PDUs). */
struct pw_reasm_done {
    uint32_t start[PW_REASM_DONE];
    uint32_t len[PW_REASM_DONE];
    uint8_t n;    /* entries in use */
    uint8_t next; /* the slot the next entry overwrites */
};

struct pw_reasm {
    struct pw_reasm_done done; /* kept across PDUs, cleared by pw_reasm_free */
    bool active;
    uint16_t proto;     /* the protocol that asked for the bytes */
    uint32_t start_seq; /* sequence number of the PDU's first byte */
    uint32_t next_seq;  /* the continuation expected next */
    uint32_t need;      /* PDU length, or PW_REASM_NEED_MORE / PW_REASM_UNTIL_FIN */
    uint32_t have;      /* bytes seen so far (reported) */
    uint32_t kept;      /* bytes held in buf (a prefix of the PDU) */
    bool gap;           /* some bytes were not captured (snaplen): buf stops there */
    bool capped;        /* buf stops at a memory bound, not at a capture cut */
    uint8_t *buf;
    uint32_t buf_cap;
    bool buf_heap; /* buf came from malloc, not from the pool's chunks */
};

/* Starts a PDU with its first bytes: cap captured of rep reported. */
void pw_reasm_start(struct pw_reasm *r, struct pw_reasm_pool *pool, uint16_t proto,
                    uint32_t seq, const uint8_t *p, uint32_t cap, uint32_t rep, uint32_t need);

/* Appends a continuation (the caller checked seq == next_seq). */
void pw_reasm_add(struct pw_reasm *r, struct pw_reasm_pool *pool, const uint8_t *p,
                  uint32_t cap, uint32_t rep);

/* Ends the pending PDU and releases its buffer: memory is held only while
 * a PDU is pending (a finished conversation keeps nothing). */
void pw_reasm_stop(struct pw_reasm *r, struct pw_reasm_pool *pool);

/* Keeps only the bytes from offset t of the pending PDU as a new pending
 * PDU (a dissector that took whole segments found its last PDU incomplete
 * at t); need is the new PDU's length or PW_REASM_NEED_MORE. */
void pw_reasm_tail(struct pw_reasm *r, uint32_t t, uint32_t need);

/* Records that the pending PDU completed with its first len bytes (from
 * start_seq): call before pw_reasm_stop or pw_reasm_tail. */
void pw_reasm_completed(struct pw_reasm *r, uint32_t len);

/* What tshark's reassembly makes of a segment starting at seq, from the PDUs
 * it has started (the pending one and the completed ones); tshark looks
 * first for a PDU starting at seq exactly, then for the one that starts
 * last before seq. */
enum pw_reasm_verdict {
    PW_REASM_FREE,    /* in no PDU, or in the pending one: the usual rules */
    PW_REASM_RESENT,  /* a PDU starts at seq: "Retransmitted TCP segment
                       * data", the segment is not dissected */
    PW_REASM_OVERLAP, /* seq is inside a PDU already reassembled: the
                       * reassembly error "New fragment overlaps old data
                       * (retransmission?)", the frame is malformed */
};
enum pw_reasm_verdict pw_reasm_verdict(const struct pw_reasm *r, uint32_t seq);

/* Releases the buffer. */
void pw_reasm_free(struct pw_reasm *r, struct pw_reasm_pool *pool);

#endif
