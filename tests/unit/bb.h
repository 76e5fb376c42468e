/* A fixed frame buffer and big-endian writers for the unit tests that build
 * packets by hand (test_dissect, test_tunnels, test_ipreasm). Each test file
 * keeps its own protocol builders: their addresses and field values are
 * what its expectations read. */
#ifndef PW_TEST_BB_H
#define PW_TEST_BB_H

#include <stdint.h>
#include <string.h>

struct bb {
    uint8_t b[4096];
    uint32_t n;
};

static inline void put8(struct bb *f, unsigned v)
{
    f->b[f->n++] = (uint8_t)v;
}

static inline void put16(struct bb *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static inline void put32(struct bb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static inline void putn(struct bb *f, const void *p, uint32_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static inline void fill(struct bb *f, unsigned v, uint32_t n)
{
    memset(f->b + f->n, (int)v, n);
    f->n += n;
}

static inline void patch16(struct bb *f, uint32_t at, unsigned v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

#endif
