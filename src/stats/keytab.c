#include "stats/keytab.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Eight bytes at a time (one multiply each), then a final avalanche
 * (murmur3's fmix64): keys are 20-40 bytes and looked up several times per
 * packet, and a byte-wise hash was a tenth of `stats`' instructions.
 * Addresses share prefixes, so the low bits must mix well. */
static uint32_t hash_key(const uint8_t *k, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        k += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, k, n);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

int pw_grow(void **arr, uint32_t *cap, uint32_t n, size_t esize)
{
    if (n <= *cap)
        return 0;
    uint32_t nc = *cap ? *cap : 16;
    while (nc < n) {
        if (nc > UINT32_MAX / 2)
            return -1;
        nc *= 2;
    }
    void *p = realloc(*arr, (size_t)nc * esize);
    if (!p)
        return -1;
    pw_prefault((char *)p + (size_t)*cap * esize, (size_t)(nc - *cap) * esize);
    *arr = p;
    *cap = nc;
    return 0;
}

int pw_keytab_init(struct pw_keytab *t, size_t ksize)
{
    memset(t, 0, sizeof(*t));
    t->ksize = ksize;
    t->mask = 63;
    t->slot = calloc(64, sizeof(uint64_t));
    return t->slot ? 0 : -1;
}

void pw_keytab_free(struct pw_keytab *t)
{
    free(t->slot);
    free(t->keys);
    memset(t, 0, sizeof(*t));
}

static int rehash(struct pw_keytab *t)
{
    uint32_t nslots = (t->mask + 1) * 2;
    uint64_t *ns = calloc(nslots, sizeof(uint64_t));
    if (!ns)
        return -1;
    for (uint32_t i = 0; i <= t->mask; i++) {
        uint64_t e = t->slot[i];
        if (!e)
            continue;
        uint32_t h = (uint32_t)(e >> 32) & (nslots - 1);
        while (ns[h])
            h = (h + 1) & (nslots - 1);
        ns[h] = e;
    }
    free(t->slot);
    t->slot = ns;
    t->mask = nslots - 1;
    return 0;
}

/* The slot holding key (or the empty slot where it goes); the stored hash
 * spares a key comparison on every probe that is not the key. */
static uint32_t probe(const struct pw_keytab *t, const void *key, uint32_t hash, int64_t *found)
{
    uint32_t h = hash & t->mask;
    *found = -1;
    for (;;) {
        uint64_t e = t->slot[h];
        if (!e)
            return h;
        if ((uint32_t)(e >> 32) == hash) {
            uint32_t i = (uint32_t)e - 1;
            if (!memcmp(t->keys + (size_t)i * t->ksize, key, t->ksize)) {
                *found = i;
                return h;
            }
        }
        h = (h + 1) & t->mask;
    }
}

int64_t pw_keytab_find(const struct pw_keytab *t, const void *key)
{
    int64_t found;
    probe(t, key, hash_key(key, t->ksize), &found);
    return found;
}

int64_t pw_keytab_get(struct pw_keytab *t, const void *key, bool *created)
{
    *created = false;
    uint32_t hash = hash_key(key, t->ksize);
    int64_t found;
    uint32_t h = probe(t, key, hash, &found);
    if (found >= 0)
        return found;
    /* the index must keep an empty slot for probes to end */
    if (t->n >= UINT32_MAX - 1 || t->n + 1 >= t->mask)
        return -1;
    void *keys = t->keys;
    if (pw_grow(&keys, &t->kcap, t->n + 1, t->ksize) < 0)
        return -1;
    t->keys = keys;
    memcpy(t->keys + (size_t)t->n * t->ksize, key, t->ksize);
    t->slot[h] = (uint64_t)hash << 32 | (uint64_t)(t->n + 1);
    uint32_t idx = t->n++;
    *created = true;
    if ((uint64_t)t->n * 4 >= (uint64_t)(t->mask + 1) * 3)
        rehash(t); /* on failure the index still works until it is full */
    return idx;
}
