/* The bounds-checked byte cursor: the only way dissectors read packet bytes.
 *
 * A cursor is a window of `cap` captured bytes of a PDU whose reported
 * (on-the-wire) size is `rep` (rep >= cap). Reading past `cap` sets a sticky
 * error: PW_CUR_SHORT when the read still lies within the reported size (the
 * capture was cut by the snap length), PW_CUR_MALFORMED when it runs past the
 * reported size (a header lied). After an error every read returns 0, so a
 * dissector reads a whole header and checks `c->err` once.
 *
 * Comparisons are written as `n > cap - pos` (never `pos + n > cap`) so that
 * no length from the packet can make them wrap. */
#ifndef PW_UTIL_CURSOR_H
#define PW_UTIL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum pw_cur_err {
    PW_CUR_OK = 0,
    PW_CUR_SHORT = 1,     /* ran past the captured bytes */
    PW_CUR_MALFORMED = 2, /* ran past the reported length */
};

struct pw_cur {
    const uint8_t *base; /* first byte of the window */
    uint32_t pos;        /* read position inside the window */
    uint32_t cap;        /* captured bytes in the window */
    uint32_t rep;        /* reported bytes in the window (>= cap) */
    uint32_t off;        /* offset of base from the start of the frame */
    uint8_t err;         /* enum pw_cur_err, sticky */
};

static inline struct pw_cur pw_cur_make(const uint8_t *p, uint32_t cap, uint32_t rep)
{
    struct pw_cur c = {p, 0, cap, rep < cap ? cap : rep, 0, PW_CUR_OK};
    return c;
}

static inline uint32_t pw_cur_left(const struct pw_cur *c)
{
    return c->cap - c->pos;
}

static inline uint32_t pw_cur_rep_left(const struct pw_cur *c)
{
    return c->rep - c->pos;
}

static inline uint32_t pw_cur_frame_off(const struct pw_cur *c)
{
    return c->off + c->pos;
}

static inline const uint8_t *pw_cur_ptr(const struct pw_cur *c)
{
    return c->base + c->pos;
}

/* Records why `n` bytes at the current position are not available. */
static inline void pw_cur_fail(struct pw_cur *c, uint32_t n)
{
    if (c->err)
        return;
    c->err = (n > c->rep - c->pos) ? PW_CUR_MALFORMED : PW_CUR_SHORT;
}

/* True when n bytes can be read; otherwise sets the sticky error. */
static inline bool pw_cur_need(struct pw_cur *c, uint32_t n)
{
    if (c->err)
        return false;
    if (n > c->cap - c->pos) {
        pw_cur_fail(c, n);
        return false;
    }
    return true;
}

/* True when n bytes are captured, without setting any error: for heuristics
 * that look ahead and decline quietly. */
static inline bool pw_cur_has(const struct pw_cur *c, uint32_t n)
{
    return !c->err && n <= c->cap - c->pos;
}

static inline uint8_t pw_cur_u8(struct pw_cur *c)
{
    if (!pw_cur_need(c, 1))
        return 0;
    return c->base[c->pos++];
}

static inline uint16_t pw_cur_be16(struct pw_cur *c)
{
    if (!pw_cur_need(c, 2))
        return 0;
    const uint8_t *p = c->base + c->pos;
    c->pos += 2;
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint16_t pw_cur_le16(struct pw_cur *c)
{
    if (!pw_cur_need(c, 2))
        return 0;
    const uint8_t *p = c->base + c->pos;
    c->pos += 2;
    return (uint16_t)((p[1] << 8) | p[0]);
}

static inline uint32_t pw_cur_be24(struct pw_cur *c)
{
    if (!pw_cur_need(c, 3))
        return 0;
    const uint8_t *p = c->base + c->pos;
    c->pos += 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t pw_cur_be32(struct pw_cur *c)
{
    if (!pw_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->pos;
    c->pos += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint32_t pw_cur_le32(struct pw_cur *c)
{
    if (!pw_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->pos;
    c->pos += 4;
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

/* Copies n bytes out (zero-filled on error). */
static inline void pw_cur_bytes(struct pw_cur *c, void *out, uint32_t n)
{
    if (!pw_cur_need(c, n)) {
        memset(out, 0, n);
        return;
    }
    memcpy(out, c->base + c->pos, n);
    c->pos += n;
}

static inline void pw_cur_skip(struct pw_cur *c, uint32_t n)
{
    if (pw_cur_need(c, n))
        c->pos += n;
}

/* Peeks at byte i ahead of the position without consuming; 0 if absent. */
static inline uint8_t pw_cur_peek(const struct pw_cur *c, uint32_t i)
{
    if (c->err || i >= c->cap - c->pos)
        return 0;
    return c->base[c->pos + i];
}

/* Carves a child window for a PDU that reports `n` bytes starting at the
 * current position, and advances the parent past it. If the parent does not
 * report n bytes the child is clipped to what the parent reports and the
 * child is marked malformed only when it is read past that. */
static inline struct pw_cur pw_cur_sub(struct pw_cur *c, uint32_t n)
{
    struct pw_cur s;
    uint32_t rl = c->err ? 0 : c->rep - c->pos;
    uint32_t cl = c->err ? 0 : c->cap - c->pos;
    uint32_t rep = n < rl ? n : rl;
    s.base = c->base + (c->err ? 0 : c->pos);
    s.pos = 0;
    s.rep = rep;
    s.cap = rep < cl ? rep : cl;
    s.off = c->off + c->pos;
    s.err = c->err;
    if (!c->err)
        c->pos += (n < cl ? n : cl);
    return s;
}

/* The rest of the window as a child (the parent is left at its end). */
static inline struct pw_cur pw_cur_rest(struct pw_cur *c)
{
    return pw_cur_sub(c, c->err ? 0 : c->rep - c->pos);
}

#endif
