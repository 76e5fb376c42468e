/* Private to src/capture/: the reader object shared by reader.c (input,
 * window, dispatch), pcap.c and pcapng.c (the two formats). Nothing outside
 * src/capture/ may include this file except the reader's own unit test, which
 * checks the streaming window's bound. */
#ifndef PW_CAPTURE_READER_INT_H
#define PW_CAPTURE_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"

struct pw_reader {
    /* ---- input: exactly one of memory (buffer or mmap) or stream ---- */
    const uint8_t *mem; /* whole input when not streaming */
    size_t mem_len;
    void *map; /* mmap base to unmap, or NULL */
    size_t map_len;
    uint64_t map_dropped; /* mapped bytes before this offset were given back */
    int fd;      /* stream fd, or -1 */
    bool own_fd; /* close fd in pw_reader_free() */
    bool stream;
    /* stream made of byte ranges (pw_reader_open_segments), or NULL */
    struct pw_segment *segs;
    size_t nsegs, seg;
    uint64_t seg_pos; /* bytes of segs[seg] already read */

    /* Stream window: buf[0 .. buf_len) holds input bytes starting at absolute
     * offset win_off. buf_cap never exceeds the largest validated request
     * plus PW_STREAM_CHUNK (see pwi_ensure()). */
    uint8_t *buf;
    size_t buf_len;
    size_t buf_cap;
    uint64_t win_off;
    bool eof;

    uint64_t pos; /* absolute offset of the next unread byte */
    int64_t size; /* total size, or -1 for a stream */

    /* ---- what the file says ---- */
    struct pw_capinfo ci;
    struct pw_iface *ifaces; /* ci.niface used, iface_cap allocated */
    uint32_t iface_cap;

    /* pcap */
    uint32_t pcap_hdr_len; /* 16, or 24 for the modified (Kuznetzov) format */
    bool pcap_big;
    bool pcap_nsec;
    uint8_t pcap_swap_lens; /* 0 never, 1 always (< 2.3), 2 when incl > orig (2.3) */

    /* pcapng: the current section */
    bool ng_big;
    uint32_t sec_first_iface; /* global index of the section's interface 0 */

    int (*next)(struct pw_reader *r, struct pw_record *rec, struct pw_error *err);

    /* sticky error: once set, pw_reader_next() keeps returning it */
    struct pw_error fail;
};

/* Makes n contiguous bytes at the current position available. Returns 1 and
 * sets *p when they are; 0 when the input ends first (*avail = the bytes that
 * remain, possibly 0); or a negative PW_ERR_IO / PW_ERR_NOMEM with err set.
 * The pointer stays valid until the next pwi_ensure() call. Callers validate
 * n against the limits in util/limits.h before asking: the stream window may
 * grow to n + PW_STREAM_CHUNK. */
int pwi_ensure(struct pw_reader *r, size_t n, const uint8_t **p, size_t *avail,
               struct pw_error *err);

/* Moves the current position forward over n bytes obtained by pwi_ensure(). */
void pwi_consume(struct pw_reader *r, size_t n);

/* Records a sticky error at input offset off and copies it into err. Returns
 * code. */
int pwi_fail(struct pw_reader *r, struct pw_error *err, int code, uint64_t off, const char *fmt,
             ...) PW_PRINTF(5, 6);

/* The reader's standard "cut short" error for a record starting at off that
 * needs `need` bytes of which `have` remain. */
int pwi_cut_short(struct pw_reader *r, struct pw_error *err, uint64_t off, uint64_t need,
                  uint64_t have);

/* Appends an interface (pcapng IDB, or the single pcap pseudo-interface).
 * Returns it, or NULL with err set (PW_MAX_INTERFACES reached, no memory). */
struct pw_iface *pwi_add_iface(struct pw_reader *r, struct pw_error *err);

/* Byte-order-aware loads from bounds-checked memory (the caller has checked
 * that the bytes exist). */
static inline uint16_t pwi_rd16(const uint8_t *p, bool big)
{
    return big ? (uint16_t)((p[0] << 8) | p[1]) : (uint16_t)((p[1] << 8) | p[0]);
}

static inline uint32_t pwi_rd32(const uint8_t *p, bool big)
{
    if (big)
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static inline uint64_t pwi_rd64(const uint8_t *p, bool big)
{
    uint64_t a = pwi_rd32(p, big), b = pwi_rd32(p + 4, big);
    return big ? (a << 32) | b : (b << 32) | a;
}

/* Format entry points: called by the open functions once the magic number is
 * known; they read the file header (pcap) or first SHB (pcapng) and set
 * r->next. */
int pwi_pcap_open(struct pw_reader *r, struct pw_error *err);
int pwi_pcapng_open(struct pw_reader *r, struct pw_error *err);

/* pcapng timestamp conversion, exposed for tests: `ticks` units of the
 * resolution encoded by the if_tsresol byte, to seconds + nanoseconds
 * (truncated, exact integer math). */
void pwi_ticks_to_ts(uint64_t ticks, uint8_t tsresol, uint64_t *sec, uint32_t *nsec);

#endif
