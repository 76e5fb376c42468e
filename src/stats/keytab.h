/* A hash index from fixed-size keys to dense entry numbers 0, 1, 2, ... in
 * creation order. The statistics keep their entries (conversations,
 * endpoints) in arrays indexed by these numbers, so first-seen order is the
 * array order and memory grows with distinct keys, never with packets.
 *
 * Open addressing with linear probing; the index doubles at 3/4 load. Keys
 * are compared bytewise, so callers zero their padding. */
#ifndef PW_STATS_KEYTAB_H
#define PW_STATS_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pw_keytab {
    size_t ksize;      /* bytes per key */
    uint32_t n;        /* keys stored */
    uint32_t kcap;     /* keys the key store can hold */
    uint32_t mask;     /* index slots - 1 */
    uint64_t *slot;    /* hash << 32 | (entry number + 1); 0 = empty */
    uint8_t *keys;     /* n * ksize bytes */
};

int pw_keytab_init(struct pw_keytab *t, size_t ksize);
void pw_keytab_free(struct pw_keytab *t);

/* Entry number of key, inserting it if absent (*created says which).
 * Returns -1 when out of memory. */
int64_t pw_keytab_get(struct pw_keytab *t, const void *key, bool *created);

/* Entry number or -1 without inserting. */
int64_t pw_keytab_find(const struct pw_keytab *t, const void *key);

static inline const void *pw_keytab_key(const struct pw_keytab *t, uint32_t i)
{
    return t->keys + (size_t)i * t->ksize;
}

/* Grows a caller's array of entries to hold at least n elements of size
 * esize (doubling). Returns 0, or -1 when out of memory (the array is kept). */
int pw_grow(void **arr, uint32_t *cap, uint32_t n, size_t esize);

#endif
