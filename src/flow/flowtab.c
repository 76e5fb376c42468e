/* Flow table internals.
 *
 * Entries live in slabs of SLAB_ENTRIES, allocated as the table grows and
 * never moved, so callers may keep pointers to flow state for the life of the
 * table. The index is a chained hash over entry numbers. When the load
 * passes 1 a second, twice larger bucket array is allocated and buckets are
 * moved a few at a time on every operation (as Redis's dict does), so the
 * cost of growing is spread over many packets. */
#include "flow/flowtab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/mem.h"

#define SLAB_SHIFT 12
#define SLAB_ENTRIES (1u << SLAB_SHIFT)
#define NIL UINT32_MAX
#define INITIAL_BUCKETS 1024u
#define REHASH_STEPS 4u

struct entry_hdr {
    struct pw_flow_key key;
    uint32_t next; /* next entry in the bucket chain */
    uint32_t hash;
};

struct pw_flowtab {
    size_t value_size, entry_size;
    uint32_t max_flows;
    uint32_t count;
    uint64_t overflows;
    uint64_t seed;

    unsigned char **slabs;
    uint32_t nslabs, slabs_cap;

    uint32_t *buckets[2];
    uint32_t nbuckets[2]; /* powers of two */
    int64_t rehash_pos;   /* next bucket of table 0 to move; -1 when not rehashing */
};

static inline struct entry_hdr *entry(const struct pw_flowtab *t, uint32_t i)
{
    return (struct entry_hdr *)(t->slabs[i >> SLAB_SHIFT] +
                                (size_t)(i & (SLAB_ENTRIES - 1)) * t->entry_size);
}

static inline void *value_of(struct entry_hdr *e)
{
    return (unsigned char *)e + sizeof(struct entry_hdr);
}

void pw_flow_key_make(struct pw_flow_key *k, int family, uint8_t proto, const uint8_t *src,
                      uint16_t sport, const uint8_t *dst, uint16_t dport, int *dir)
{
    size_t alen = family == 6 ? 16 : 4;
    memset(k, 0, sizeof(*k));
    k->family = (uint8_t)family;
    k->proto = proto;
    int c = memcmp(src, dst, alen);
    int d = (c > 0 || (c == 0 && sport > dport)) ? 1 : 0;
    const uint8_t *a0 = d ? dst : src, *a1 = d ? src : dst;
    memcpy(k->addr[0], a0, alen);
    memcpy(k->addr[1], a1, alen);
    k->port[0] = d ? dport : sport;
    k->port[1] = d ? sport : dport;
    *dir = d;
}

/* 64-bit mixing of the key words with the table's seed; the seed makes
 * collision flooding from crafted captures impractical. */
static uint32_t key_hash(const struct pw_flowtab *t, const struct pw_flow_key *k)
{
    uint64_t h = t->seed ^ 0x9e3779b97f4a7c15ULL;
    const unsigned char *p = (const unsigned char *)k;
    size_t n = sizeof(*k);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    if (n % 8) {
        uint64_t w = 0;
        memcpy(&w, p + (n - n % 8), n % 8);
        h ^= w;
        h *= 0xc4ceb9fe1a85ec53ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

struct pw_flowtab *pw_flowtab_new(size_t value_size, uint32_t max_flows)
{
    struct pw_flowtab *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->value_size = value_size;
    /* keep every entry 8-byte aligned */
    t->entry_size = (sizeof(struct entry_hdr) + value_size + 7u) & ~(size_t)7u;
    t->max_flows = max_flows ? max_flows : UINT32_MAX - 1;
    if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
        t->seed = (uint64_t)time(NULL) * 0x2545F4914F6CDD1DULL ^ (uint64_t)(uintptr_t)t;
    t->nbuckets[0] = INITIAL_BUCKETS;
    t->buckets[0] = malloc(INITIAL_BUCKETS * sizeof(uint32_t));
    if (!t->buckets[0]) {
        free(t);
        return NULL;
    }
    memset(t->buckets[0], 0xff, INITIAL_BUCKETS * sizeof(uint32_t));
    t->rehash_pos = -1;
    return t;
}

void pw_flowtab_free(struct pw_flowtab *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->nslabs; i++)
        free(t->slabs[i]);
    free(t->slabs);
    free(t->buckets[0]);
    free(t->buckets[1]);
    free(t);
}

/* Moves up to REHASH_STEPS non-empty buckets (visiting at most ten times as
 * many empty ones) from the old array to the new. */
static void rehash_step(struct pw_flowtab *t)
{
    if (t->rehash_pos < 0)
        return;
    uint32_t moved = 0, empty = 0;
    uint32_t mask1 = t->nbuckets[1] - 1;
    while (moved < REHASH_STEPS && (uint32_t)t->rehash_pos < t->nbuckets[0]) {
        uint32_t *b = &t->buckets[0][t->rehash_pos];
        if (*b == NIL) {
            t->rehash_pos++;
            if (++empty > REHASH_STEPS * 10)
                return;
            continue;
        }
        uint32_t i = *b;
        while (i != NIL) {
            struct entry_hdr *e = entry(t, i);
            uint32_t next = e->next;
            uint32_t *nb = &t->buckets[1][e->hash & mask1];
            e->next = *nb;
            *nb = i;
            i = next;
        }
        *b = NIL;
        t->rehash_pos++;
        moved++;
    }
    if ((uint32_t)t->rehash_pos >= t->nbuckets[0]) {
        free(t->buckets[0]);
        t->buckets[0] = t->buckets[1];
        t->nbuckets[0] = t->nbuckets[1];
        t->buckets[1] = NULL;
        t->nbuckets[1] = 0;
        t->rehash_pos = -1;
    }
}

static void maybe_grow(struct pw_flowtab *t)
{
    if (t->rehash_pos >= 0 || t->count < t->nbuckets[0] || t->nbuckets[0] >= (1u << 30))
        return;
    uint32_t n = t->nbuckets[0] * 2;
    uint32_t *nb = malloc((size_t)n * sizeof(uint32_t));
    if (!nb)
        return; /* keep working with longer chains */
    memset(nb, 0xff, (size_t)n * sizeof(uint32_t));
    t->buckets[1] = nb;
    t->nbuckets[1] = n;
    t->rehash_pos = 0;
}

static struct entry_hdr *lookup(struct pw_flowtab *t, const struct pw_flow_key *k, uint32_t h)
{
    for (int tab = 0; tab < 2; tab++) {
        if (!t->buckets[tab])
            continue;
        uint32_t i = t->buckets[tab][h & (t->nbuckets[tab] - 1)];
        while (i != NIL) {
            struct entry_hdr *e = entry(t, i);
            if (e->hash == h && memcmp(&e->key, k, sizeof(*k)) == 0)
                return e;
            i = e->next;
        }
    }
    return NULL;
}

void *pw_flowtab_find(struct pw_flowtab *t, const struct pw_flow_key *k)
{
    struct entry_hdr *e = lookup(t, k, key_hash(t, k));
    return e ? value_of(e) : NULL;
}

void *pw_flowtab_get(struct pw_flowtab *t, const struct pw_flow_key *k, bool *created)
{
    uint32_t h = key_hash(t, k);
    rehash_step(t);
    struct entry_hdr *e = lookup(t, k, h);
    if (created)
        *created = false;
    if (e)
        return value_of(e);
    if (t->count >= t->max_flows) {
        t->overflows++;
        return NULL;
    }
    uint32_t idx = t->count;
    if ((idx >> SLAB_SHIFT) >= t->nslabs) {
        if (t->nslabs == t->slabs_cap) {
            uint32_t ncap = t->slabs_cap ? t->slabs_cap * 2 : 16;
            unsigned char **ns = realloc(t->slabs, ncap * sizeof(*ns));
            if (!ns)
                return NULL;
            t->slabs = ns;
            t->slabs_cap = ncap;
        }
        t->slabs[t->nslabs] = malloc(SLAB_ENTRIES * t->entry_size);
        if (!t->slabs[t->nslabs])
            return NULL;
        pw_prefault(t->slabs[t->nslabs], SLAB_ENTRIES * t->entry_size);
        t->nslabs++;
    }
    e = entry(t, idx);
    memset(e, 0, t->entry_size);
    e->key = *k;
    e->hash = h;
    int tab = t->rehash_pos >= 0 ? 1 : 0;
    uint32_t *b = &t->buckets[tab][h & (t->nbuckets[tab] - 1)];
    e->next = *b;
    *b = idx;
    t->count++;
    maybe_grow(t);
    if (created)
        *created = true;
    return value_of(e);
}

const struct pw_flow_key *pw_flowtab_key(const struct pw_flowtab *t, const void *value)
{
    (void)t;
    return &((const struct entry_hdr *)((const unsigned char *)value - sizeof(struct entry_hdr)))
                ->key;
}

uint32_t pw_flowtab_count(const struct pw_flowtab *t)
{
    return t->count;
}

uint64_t pw_flowtab_overflows(const struct pw_flowtab *t)
{
    return t->overflows;
}

size_t pw_flowtab_memory(const struct pw_flowtab *t)
{
    return sizeof(*t) + (size_t)t->nslabs * SLAB_ENTRIES * t->entry_size +
           (size_t)(t->nbuckets[0] + t->nbuckets[1]) * sizeof(uint32_t) +
           t->slabs_cap * sizeof(unsigned char *);
}

void pw_flowtab_foreach(struct pw_flowtab *t, void (*fn)(void *value, void *arg), void *arg)
{
    for (uint32_t i = 0; i < t->count; i++)
        fn(value_of(entry(t, i)), arg);
}
