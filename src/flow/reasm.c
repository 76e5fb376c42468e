#include "flow/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/mem.h"

_Static_assert((2048u << (PW_REASM_CLASSES - 1)) == PW_REASM_KEEP,
              "the largest spare class is the per-PDU bound");

#define CHUNK_SIZE (1u << 20)

static unsigned size_class(uint32_t cap)
{
    unsigned k = 0;
    while (k + 1 < PW_REASM_CLASSES && (2048u << k) < cap)
        k++;
    return k;
}

/* A buffer of cap bytes, a power of two in the class range. */
static uint8_t *buf_get(struct pw_reasm_pool *pool, uint32_t cap, bool *heap)
{
    *heap = true;
#ifdef __SANITIZE_ADDRESS__
    (void)pool;
#else /* the sanitizer build keeps every buffer its own allocation */
    unsigned k = size_class(cap);
    if ((2048u << k) == cap) {
        *heap = false;
        if (pool->free_buf[k]) {
            uint8_t *b = pool->free_buf[k];
            memcpy(&pool->free_buf[k], b, sizeof(void *));
            return b;
        }
        if (pool->bump_left < cap && (size_t)(pool->nchunk + 1) * CHUNK_SIZE <= 2 * PW_REASM_TOTAL) {
            if (pool->nchunk == pool->chunk_cap) {
                uint32_t nc = pool->chunk_cap ? pool->chunk_cap * 2 : 8;
                void **na = realloc(pool->chunk, nc * sizeof(*na));
                if (na) {
                    pool->chunk = na;
                    pool->chunk_cap = nc;
                }
            }
            uint8_t *c = pool->nchunk < pool->chunk_cap ? pw_map_populated(CHUNK_SIZE) : NULL;
            if (c) {
                pool->chunk[pool->nchunk++] = c;
                pool->bump = c;
                pool->bump_left = CHUNK_SIZE;
            }
        }
        if (pool->bump_left >= cap) {
            uint8_t *b = pool->bump;
            pool->bump += cap;
            pool->bump_left -= cap;
            return b;
        }
        *heap = true;
    }
#endif
    return malloc(cap);
}

static void buf_put(struct pw_reasm_pool *pool, uint8_t *b, uint32_t cap, bool heap)
{
    if (heap) {
        free(b);
        return;
    }
    unsigned k = size_class(cap);
    memcpy(b, &pool->free_buf[k], sizeof(void *));
    pool->free_buf[k] = b;
}

void pw_reasm_pool_free(struct pw_reasm_pool *pool)
{
    for (uint32_t i = 0; i < pool->nchunk; i++)
        pw_unmap(pool->chunk[i], CHUNK_SIZE);
    free(pool->chunk);
    pool->chunk = NULL;
    pool->nchunk = pool->chunk_cap = 0;
    pool->bump = NULL;
    pool->bump_left = 0;
    for (unsigned k = 0; k < PW_REASM_CLASSES; k++)
        pool->free_buf[k] = NULL;
}

/* Makes room for `want` kept bytes, within the per-PDU and total bounds;
 * returns how many bytes can be kept. */
static uint32_t room(struct pw_reasm *r, struct pw_reasm_pool *pool, uint32_t want)
{
    if (want > PW_REASM_KEEP)
        want = PW_REASM_KEEP;
    if (want <= r->buf_cap)
        return want;
    uint32_t nc = r->buf_cap ? r->buf_cap : 2048;
    while (nc < want)
        nc *= 2;
    if (nc > PW_REASM_KEEP)
        nc = PW_REASM_KEEP;
    size_t cap = pool->cap ? pool->cap : PW_REASM_TOTAL;
    if (pool->used - r->buf_cap + nc > cap)
        return r->buf_cap < want ? r->buf_cap : want;
    bool heap;
    uint8_t *b = buf_get(pool, nc, &heap);
    if (!b)
        return r->buf_cap < want ? r->buf_cap : want;
    if (r->buf) {
        memcpy(b, r->buf, r->kept);
        buf_put(pool, r->buf, r->buf_cap, r->buf_heap);
    }
    r->buf_heap = heap;
    pool->used = pool->used - r->buf_cap + nc;
    r->buf = b;
    r->buf_cap = nc;
    return want;
}

static void keep(struct pw_reasm *r, struct pw_reasm_pool *pool, const uint8_t *p, uint32_t cap,
                 uint32_t rep)
{
    if (!r->gap && !r->capped && r->kept == r->have) {
        uint32_t want = r->kept + cap;
        if (want < r->kept)
            want = UINT32_MAX;
        uint32_t can = room(r, pool, want);
        uint32_t before = r->kept;
        if (can > r->kept) {
            uint32_t n = can - r->kept;
            if (n > cap)
                n = cap;
            memcpy(r->buf + r->kept, p, n);
            r->kept += n;
        }
        if (cap < rep)
            r->gap = true; /* the capture cut the segment */
        if (r->kept < before + cap)
            r->capped = true; /* a memory bound: the missing bytes were captured */
    }
    r->have = r->have + rep < r->have ? UINT32_MAX - 1 : r->have + rep;
    r->next_seq += rep;
}

void pw_reasm_start(struct pw_reasm *r, struct pw_reasm_pool *pool, uint16_t proto,
                    uint32_t seq, const uint8_t *p, uint32_t cap, uint32_t rep, uint32_t need)
{
    r->active = true;
    r->proto = proto;
    r->start_seq = seq;
    r->next_seq = seq;
    r->need = need;
    r->have = 0;
    r->kept = 0;
    r->gap = false;
    r->capped = false;
    keep(r, pool, p, cap, rep);
}

void pw_reasm_add(struct pw_reasm *r, struct pw_reasm_pool *pool, const uint8_t *p,
                  uint32_t cap, uint32_t rep)
{
    keep(r, pool, p, cap, rep);
}

void pw_reasm_tail(struct pw_reasm *r, uint32_t t, uint32_t need)
{
    if (t > r->have)
        t = r->have;
    if (t < r->kept) {
        memmove(r->buf, r->buf + t, r->kept - t);
        r->kept -= t;
    } else {
        r->kept = 0;
        if (!r->capped)
            r->gap = true;
    }
    r->have -= t;
    r->start_seq += t;
    r->need = need;
    r->active = true;
}

void pw_reasm_completed(struct pw_reasm *r, uint32_t len)
{
    struct pw_reasm_done *h = &r->done;
    h->start[h->next] = r->start_seq;
    h->len[h->next] = len;
    h->next = (uint8_t)((h->next + 1) % PW_REASM_DONE);
    if (h->n < PW_REASM_DONE)
        h->n++;
}

enum pw_reasm_verdict pw_reasm_verdict(const struct pw_reasm *r, uint32_t seq)
{
    const struct pw_reasm_done *h = &r->done;
    /* the PDU starting last before seq: the smallest distance back from seq
     * (sequence numbers wrap; a distance of 2^31 or more is not "before") */
    uint32_t best = UINT32_MAX;
    bool best_done = false;
    uint32_t best_len = 0;
    if (r->active) {
        uint32_t back = seq - r->start_seq;
        if (back == 0)
            return PW_REASM_RESENT;
        if (back < 0x80000000u) {
            best = back;
            best_done = false;
        }
    }
    for (unsigned i = 0; i < h->n; i++) {
        uint32_t back = seq - h->start[i];
        if (back == 0)
            return PW_REASM_RESENT;
        if (back < 0x80000000u && back < best) {
            best = back;
            best_done = true;
            best_len = h->len[i];
        }
    }
    /* tshark adds the part of the segment that falls in that PDU to its
     * reassembly, which is complete already: an error whatever the bytes
     * are (the part never reaches past the PDU's end) */
    if (best_done && best < best_len)
        return PW_REASM_OVERLAP;
    return PW_REASM_FREE;
}

void pw_reasm_stop(struct pw_reasm *r, struct pw_reasm_pool *pool)
{
    r->active = false;
    if (r->buf) {
        pool->used -= r->buf_cap;
        buf_put(pool, r->buf, r->buf_cap, r->buf_heap);
        r->buf = NULL;
        r->buf_cap = 0;
    }
    r->kept = 0;
}

void pw_reasm_free(struct pw_reasm *r, struct pw_reasm_pool *pool)
{
    if (r->buf) {
        pool->used -= r->buf_cap;
        buf_put(pool, r->buf, r->buf_cap, r->buf_heap);
    }
    memset(r, 0, sizeof(*r));
}
