#include "flow/ipreasm.h"

#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

#define NBUCKETS 8192u /* power of two */
#define NIL UINT32_MAX

struct frag {
    uint32_t off, len; /* bytes of the datagram's payload */
    uint32_t at;       /* where its bytes start in the datagram's store */
};

struct dgram {
    struct pw_ipreasm_key key;
    uint32_t hnext;        /* hash chain, or the free list */
    uint32_t older, newer; /* age list (creation order) */
    int64_t t0;            /* capture time of the first fragment */
    bool used;
    bool dead;        /* abandoned at a limit: fragments are absorbed */
    bool datalen_set; /* the last fragment was seen */
    uint32_t datalen;
    uint32_t nfrag, fcap; /* fragments, sorted by offset then arrival */
    struct frag *fr;
    uint32_t nbytes, bcap; /* stored fragment bytes, in arrival order */
    uint8_t *bytes;
};

struct pw_ipreasm {
    struct pw_ipreasm_opts o;
    struct dgram *d; /* o.max_pending, allocated with the first fragment */
    uint32_t *bucket;
    uint32_t free_head;
    uint32_t oldest, newest;
    uint8_t *out; /* the last reassembled payload */
    uint32_t out_cap;
    uint8_t *vf[2]; /* frame copies (pw_ipreasm_frame_buf) */
    uint32_t vf_cap[2];
    struct pw_ipreasm_stats st;
};

struct pw_ipreasm *pw_ipreasm_new(const struct pw_ipreasm_opts *opts)
{
    struct pw_ipreasm *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    if (opts)
        r->o = *opts;
    if (!r->o.max_pending)
        r->o.max_pending = PW_IPREASM_MAX_PENDING;
    if (!r->o.max_frags)
        r->o.max_frags = PW_IPREASM_MAX_FRAGS;
    if (!r->o.max_bytes)
        r->o.max_bytes = PW_IPREASM_MAX_BYTES;
    if (!r->o.total)
        r->o.total = PW_IPREASM_TOTAL;
    if (!r->o.timeout)
        r->o.timeout = PW_IPREASM_TIMEOUT;
    r->oldest = r->newest = NIL;
    return r;
}

static void mem_add(struct pw_ipreasm *r, size_t n)
{
    r->st.memory += n;
    if (r->st.memory > r->st.memory_peak)
        r->st.memory_peak = r->st.memory;
}

/* Releases a datagram's fragments and bytes (the record stays). */
static void drop_store(struct pw_ipreasm *r, struct dgram *g)
{
    r->st.memory -= (size_t)g->fcap * sizeof(struct frag) + g->bcap;
    free(g->fr);
    free(g->bytes);
    g->fr = NULL;
    g->bytes = NULL;
    g->nfrag = g->fcap = g->nbytes = g->bcap = 0;
}

void pw_ipreasm_free(struct pw_ipreasm *r)
{
    if (!r)
        return;
    if (r->d)
        for (uint32_t i = 0; i < r->o.max_pending; i++)
            if (r->d[i].used)
                drop_store(r, &r->d[i]);
    free(r->d);
    free(r->bucket);
    free(r->out);
    free(r->vf[0]);
    free(r->vf[1]);
    free(r);
}

void pw_ipreasm_get_stats(const struct pw_ipreasm *r, struct pw_ipreasm_stats *st)
{
    *st = r->st;
}

static uint32_t key_hash(const struct pw_ipreasm_key *k)
{
    /* FNV-1a over the key; chains are bounded by max_pending anyway */
    uint32_t h = 2166136261u ^ k->family;
    unsigned n = k->family == 4 ? 4 : 16;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ k->src[i]) * 16777619u;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ k->dst[i]) * 16777619u;
    for (unsigned i = 0; i < 4; i++)
        h = (h ^ ((k->id >> (8 * i)) & 0xffu)) * 16777619u;
    return h & (NBUCKETS - 1);
}

static bool key_eq(const struct pw_ipreasm_key *a, const struct pw_ipreasm_key *b)
{
    unsigned n = a->family == 4 ? 4 : 16;
    return a->id == b->id && a->family == b->family && memcmp(a->src, b->src, n) == 0 &&
           memcmp(a->dst, b->dst, n) == 0;
}

static bool init_tables(struct pw_ipreasm *r)
{
    if (r->d)
        return true;
    r->d = calloc(r->o.max_pending, sizeof(*r->d));
    r->bucket = malloc(NBUCKETS * sizeof(*r->bucket));
    if (!r->d || !r->bucket) {
        free(r->d);
        free(r->bucket);
        r->d = NULL;
        r->bucket = NULL;
        return false;
    }
    for (uint32_t i = 0; i < NBUCKETS; i++)
        r->bucket[i] = NIL;
    for (uint32_t i = 0; i < r->o.max_pending; i++)
        r->d[i].hnext = i + 1 < r->o.max_pending ? i + 1 : NIL;
    r->free_head = 0;
    mem_add(r, (size_t)r->o.max_pending * sizeof(*r->d) + NBUCKETS * sizeof(*r->bucket));
    return true;
}

static uint32_t find(const struct pw_ipreasm *r, const struct pw_ipreasm_key *k)
{
    for (uint32_t i = r->bucket[key_hash(k)]; i != NIL; i = r->d[i].hnext)
        if (key_eq(&r->d[i].key, k))
            return i;
    return NIL;
}

/* Removes a datagram from the table and the age list. */
static void release(struct pw_ipreasm *r, uint32_t i)
{
    struct dgram *g = &r->d[i];
    uint32_t *pp = &r->bucket[key_hash(&g->key)];
    while (*pp != i)
        pp = &r->d[*pp].hnext;
    *pp = g->hnext;
    if (g->older != NIL)
        r->d[g->older].newer = g->newer;
    else
        r->oldest = g->newer;
    if (g->newer != NIL)
        r->d[g->newer].older = g->older;
    else
        r->newest = g->older;
    drop_store(r, g);
    g->used = false;
    g->hnext = r->free_head;
    r->free_head = i;
    r->st.pending--;
}

static uint32_t create(struct pw_ipreasm *r, const struct pw_ipreasm_key *k, int64_t now)
{
    if (r->free_head == NIL) {
        r->st.evicted++;
        release(r, r->oldest);
    }
    uint32_t i = r->free_head;
    struct dgram *g = &r->d[i];
    r->free_head = g->hnext;
    memset(g, 0, sizeof(*g));
    g->key = *k;
    g->used = true;
    g->t0 = now;
    uint32_t b = key_hash(k);
    g->hnext = r->bucket[b];
    r->bucket[b] = i;
    g->older = r->newest;
    g->newer = NIL;
    if (r->newest != NIL)
        r->d[r->newest].newer = i;
    else
        r->oldest = i;
    r->newest = i;
    r->st.pending++;
    return i;
}

/* Gives up a datagram at a limit: its store is freed, and the record stays
 * (until it expires or is evicted) so that its later fragments are not
 * taken for a new datagram. */
static void abandon(struct pw_ipreasm *r, struct dgram *g)
{
    g->dead = true;
    drop_store(r, g);
}

/* Grows *buf (capacity *cap, elements of `size` bytes) to hold `need`
 * elements, within the total; evicts older datagrams (never `self`) to make
 * room. Returns false when it cannot. */
static bool grow(struct pw_ipreasm *r, uint32_t self, void **buf, uint32_t *cap, uint32_t need,
                 size_t size, uint32_t limit)
{
    if (need <= *cap)
        return true;
    uint32_t nc = *cap ? *cap : (size == 1 ? 2048u : 16u);
    while (nc < need)
        nc = nc > UINT32_MAX / 2 ? UINT32_MAX : nc * 2;
    if (nc > limit)
        nc = limit;
    size_t add = (size_t)(nc - *cap) * size;
    while (r->st.memory + add > r->o.total && r->oldest != NIL && r->oldest != self) {
        r->st.evicted++;
        release(r, r->oldest);
    }
    if (r->st.memory + add > r->o.total)
        return false;
    void *p = realloc(*buf, (size_t)nc * size);
    if (!p)
        return false;
    *buf = p;
    *cap = nc;
    mem_add(r, add);
    return true;
}

/* Contiguous bytes from offset 0, as tshark measures them: a fragment
 * extends the run when it starts at or before its end. */
static uint32_t contiguous(const struct dgram *g)
{
    uint32_t max = 0;
    for (uint32_t i = 0; i < g->nfrag; i++) {
        const struct frag *f = &g->fr[i];
        if (f->off <= max && f->off + f->len > max)
            max = f->off + f->len;
    }
    return max;
}

/* Writes the datagram into r->out: fragments in order, each adding the
 * bytes past those already written, nothing past datalen. */
static bool assemble(struct pw_ipreasm *r, const struct dgram *g)
{
    if (g->datalen > r->out_cap) {
        uint32_t nc = g->datalen < 2048u ? 2048u : g->datalen;
        uint8_t *p = realloc(r->out, nc);
        if (!p)
            return false;
        r->st.memory += nc - r->out_cap;
        r->out = p;
        r->out_cap = nc;
    }
    uint32_t pos = 0;
    for (uint32_t i = 0; i < g->nfrag && pos < g->datalen; i++) {
        const struct frag *f = &g->fr[i];
        uint32_t end = f->off + f->len;
        if (end > g->datalen)
            end = g->datalen;
        if (end <= pos || f->off > pos)
            continue;
        memcpy(r->out + pos, g->bytes + f->at + (pos - f->off), end - pos);
        pos = end;
    }
    return pos == g->datalen;
}

static void expire(struct pw_ipreasm *r, int64_t now)
{
    while (r->oldest != NIL && now - r->d[r->oldest].t0 > r->o.timeout) {
        r->st.expired++;
        release(r, r->oldest);
    }
}

enum pw_ipreasm_verdict pw_ipreasm_add(struct pw_ipreasm *r, const struct pw_ipreasm_key *k,
                                       int64_t now, uint32_t off, const uint8_t *p, uint32_t len,
                                       bool more, const uint8_t **out, uint32_t *outlen)
{
    r->st.fragments++;
    if (!init_tables(r)) {
        r->st.no_memory++;
        return PW_IPR_DROPPED;
    }
    expire(r, now);
    uint32_t i = find(r, k);
    if (i == NIL)
        i = create(r, k, now);
    struct dgram *g = &r->d[i];
    if (g->dead) {
        r->st.absorbed++;
        return PW_IPR_DROPPED;
    }
    if (len > r->o.max_bytes || off > r->o.max_bytes - len ||
        g->nbytes + (uint64_t)len > r->o.max_bytes) {
        r->st.too_large++;
        abandon(r, g);
        return PW_IPR_DROPPED;
    }
    if (g->nfrag >= r->o.max_frags) {
        r->st.too_many_frags++;
        abandon(r, g);
        return PW_IPR_DROPPED;
    }
    if (!grow(r, i, (void **)&g->fr, &g->fcap, g->nfrag + 1, sizeof(struct frag), r->o.max_frags) ||
        !grow(r, i, (void **)&g->bytes, &g->bcap, g->nbytes + len, 1, r->o.max_bytes)) {
        r->st.no_memory++;
        abandon(r, g);
        return PW_IPR_DROPPED;
    }
    if (len)
        memcpy(g->bytes + g->nbytes, p, len);
    /* after every fragment with an offset not above this one's */
    uint32_t at = g->nfrag;
    while (at > 0 && g->fr[at - 1].off > off)
        at--;
    memmove(&g->fr[at + 1], &g->fr[at], (g->nfrag - at) * sizeof(struct frag));
    g->fr[at] = (struct frag){off, len, g->nbytes};
    g->nfrag++;
    g->nbytes += len;
    if (!more && !g->datalen_set) {
        /* the first last fragment decides the length; later ones that
         * disagree do not change it */
        g->datalen = off + len;
        g->datalen_set = true;
    }
    if (!g->datalen_set || contiguous(g) < g->datalen)
        return PW_IPR_PENDING;
    if (!assemble(r, g)) {
        r->st.no_memory++;
        release(r, i);
        return PW_IPR_DROPPED;
    }
    *out = r->out;
    *outlen = g->datalen;
    r->st.completed++;
    release(r, i);
    return PW_IPR_DONE;
}

uint8_t *pw_ipreasm_frame_buf(struct pw_ipreasm *r, uint32_t n, const uint8_t *avoid)
{
    if (n > PW_IPREASM_VFRAME)
        return NULL;
    unsigned k = (r->vf[0] && r->vf[0] == avoid) ? 1u : 0u;
    if (n > r->vf_cap[k]) {
        uint32_t nc = n < 4096u ? 4096u : n;
        uint8_t *p = realloc(r->vf[k], nc);
        if (!p)
            return NULL;
        mem_add(r, nc - r->vf_cap[k]);
        r->vf[k] = p;
        r->vf_cap[k] = nc;
    }
    return r->vf[k];
}
