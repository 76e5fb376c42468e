/* Single-producer single-consumer queue (see spsc.h).
 *
 * Indices count items (and bytes) since the start and never wrap in
 * practice (64 bits). Each item slot records where the byte ring stood
 * after its bytes (bend), so the consumer gives bytes back by moving its
 * byte tail to the bend of the last item it finished. Data never straddles
 * the end of the byte ring: a piece that would is placed at its start and
 * the gap is given back with it.
 *
 * Sleeping uses the classic two-flag handshake: the sleeper stores its
 * "waiting" flag and then re-reads the other side's index; the waker
 * stores its index and then reads the flag (all sequentially consistent),
 * so at least one of them sees the other; the condition variable's mutex
 * closes the window between the re-check and the wait. */
#include "util/spsc.h"

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Items a side handles before it publishes its index. */
#define PUBLISH_EVERY 64u
/* Polls of the other side's index before sleeping: about a microsecond,
 * enough to catch a peer that is just publishing, not enough to matter
 * on a single CPU. */
#define SPINS 64
/* A consumer that has caught up naps this long between looks at the
 * producer's index, up to NAPS times, before it sleeps until woken. A
 * steady producer is thus followed closely without a wake-up (a futex
 * wake of an idle CPU is a system call and an interprocessor interrupt,
 * hundreds of microseconds on the virtual machines we measure), and a
 * consumer that follows closely answers sooner: for the alert tap, the
 * packet path learns sooner that a flow is classified and stops copying
 * its packets (on the bench capture, 270k items and 46 MB instead of 600k
 * and 210 MB). An idle producer (a live capture) costs a few wake-ups of
 * the consumer's own timer per burst, then nothing. */
#define NAP_NS 20000
#define NAPS 250

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() ((void)0)
#endif

struct pw_spsc {
    /* fixed at creation */
    size_t isz;
    uint32_t nitems, imask;
    size_t nbytes;
    uint8_t *items, *bytes;
    uint64_t *bend;

    /* the producer's own */
    alignas(64) uint64_t phead, pbhead, ppub, ptail, pbtail;

    /* the consumer's own */
    alignas(64) uint64_t ctail, cbtail, chead, cpub;
    bool have_cur;

    alignas(64) _Atomic uint64_t head; /* items pushed, as published */
    alignas(64) _Atomic uint64_t tail; /* items given back, as published */
    _Atomic uint64_t btail;            /* bytes given back */
    alignas(64) _Atomic int cwait, pwait;
    _Atomic bool closed;
    _Atomic bool urgent;            /* the producer needs the items it has pushed taken */
    _Atomic uint64_t cwant;         /* a sleeping consumer: wake it at this head */
    _Atomic uint64_t cbwant;        /* ... or once the producer's bytes reach this */
    _Atomic uint64_t pwant, pbwant; /* a sleeping producer: at this tail and btail */
    pthread_mutex_t mu;
    pthread_cond_t ccv, pcv;
};

static uint64_t pow2(uint64_t n, uint64_t min)
{
    uint64_t p = min;
    while (p < n)
        p <<= 1;
    return p;
}

struct pw_spsc *pw_spsc_new(size_t item_size, uint32_t nitems, size_t nbytes)
{
    size_t sz = (sizeof(struct pw_spsc) + 63) & ~(size_t)63;
    struct pw_spsc *q = aligned_alloc(64, sz);
    if (!q)
        return NULL;
    memset(q, 0, sz);
    q->isz = item_size;
    q->nitems = (uint32_t)pow2(nitems, 2);
    q->imask = q->nitems - 1;
    q->nbytes = (size_t)pow2(nbytes, 64);
    q->items = malloc(q->nitems * item_size);
    q->bend = malloc(q->nitems * sizeof(*q->bend));
    q->bytes = malloc(q->nbytes);
    if (!q->items || !q->bend || !q->bytes || pthread_mutex_init(&q->mu, NULL)) {
        free(q->items);
        free(q->bend);
        free(q->bytes);
        free(q);
        return NULL;
    }
    pthread_cond_init(&q->ccv, NULL);
    pthread_cond_init(&q->pcv, NULL);
    return q;
}

void pw_spsc_free(struct pw_spsc *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->ccv);
    pthread_cond_destroy(&q->pcv);
    free(q->items);
    free(q->bend);
    free(q->bytes);
    free(q);
}

size_t pw_spsc_memory(const struct pw_spsc *q)
{
    return sizeof(*q) + q->nitems * (q->isz + sizeof(*q->bend)) + q->nbytes;
}

/* ---- producer ---- */

/* Publishes head; wakes a sleeping consumer when it asked for this much,
 * or at once when force (the producer is about to wait, or is done). */
static void publish_head(struct pw_spsc *q, bool force)
{
    atomic_store(&q->head, q->phead);
    q->ppub = q->phead;
    /* set even when the consumer is not asleep: it may be about to sleep
     * asking for more than will ever come */
    if (force)
        atomic_store(&q->urgent, true);
    if (!atomic_load(&q->cwait))
        return;
    /* Items may carry so many bytes that the byte ring fills before the
     * item ring is half used: the producer would then have to wait for a
     * consumer that sleeps. Wake it once half the byte ring is pending. */
    if (!force && q->pbhead >= atomic_load(&q->cbwant)) {
        force = true;
        atomic_store(&q->urgent, true);
    }
    if (force) {
        pthread_mutex_lock(&q->mu);
        pthread_cond_signal(&q->ccv);
        pthread_mutex_unlock(&q->mu);
    } else if (q->phead >= atomic_load(&q->cwant)) {
        pthread_mutex_lock(&q->mu);
        pthread_cond_signal(&q->ccv);
        pthread_mutex_unlock(&q->mu);
    }
}

static bool room(struct pw_spsc *q, uint64_t want, uint64_t bwant)
{
    q->ptail = atomic_load(&q->tail);
    q->pbtail = atomic_load(&q->btail);
    return q->ptail >= want && q->pbtail >= bwant;
}

/* Waits until the consumer has given back items up to `need` and bytes up
 * to `bneed`; sleeps until it has given back more (`want`, `bwant`) so that
 * the two do not take turns item by item. */
static void producer_wait(struct pw_spsc *q, uint64_t need, uint64_t bneed, uint64_t want,
                          uint64_t bwant)
{
    publish_head(q, true);
    for (int i = 0; i < SPINS; i++) {
        if (room(q, need, bneed))
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&q->mu);
    atomic_store(&q->pwant, want);
    atomic_store(&q->pbwant, bwant);
    atomic_store(&q->pwait, 1);
    while (!room(q, want, bwant))
        pthread_cond_wait(&q->pcv, &q->mu);
    atomic_store(&q->pwait, 0);
    pthread_mutex_unlock(&q->mu);
}

void *pw_spsc_slot(struct pw_spsc *q)
{
    if (q->phead - q->ptail >= q->nitems) {
        uint64_t need = q->phead + 1 - q->nitems;
        if (!room(q, need, 0)) {
            uint64_t half = q->phead - q->nitems / 2;
            producer_wait(q, need, 0, half > need ? half : need, 0);
        }
    }
    return q->items + (size_t)(q->phead & q->imask) * q->isz;
}

uint8_t *pw_spsc_bytes(struct pw_spsc *q, size_t len)
{
    if (len > q->nbytes / 2)
        return NULL;
    uint64_t pos = q->pbhead, off = pos & (q->nbytes - 1);
    if (off + len > q->nbytes)
        pos += q->nbytes - off;
    if (pos + len > q->nbytes) {
        uint64_t need = pos + len - q->nbytes;
        if (q->pbtail < need && !room(q, 0, need)) {
            uint64_t half = q->pbhead - q->nbytes / 2;
            if (q->pbhead < q->nbytes / 2)
                half = 0;
            producer_wait(q, 0, need, 0, half > need ? half : need);
        }
    }
    q->pbhead = pos + len;
    return q->bytes + (pos & (q->nbytes - 1));
}

void pw_spsc_push(struct pw_spsc *q)
{
    q->bend[q->phead & q->imask] = q->pbhead;
    q->phead++;
    if (q->phead - q->ppub >= PUBLISH_EVERY)
        publish_head(q, false);
}

void pw_spsc_flush(struct pw_spsc *q)
{
    publish_head(q, true);
}

void pw_spsc_sync(struct pw_spsc *q)
{
    if (!room(q, q->phead, 0))
        producer_wait(q, q->phead, 0, q->phead, 0);
}

void pw_spsc_close(struct pw_spsc *q)
{
    atomic_store(&q->head, q->phead);
    q->ppub = q->phead;
    pthread_mutex_lock(&q->mu);
    atomic_store(&q->closed, true);
    pthread_cond_signal(&q->ccv);
    pthread_mutex_unlock(&q->mu);
}

/* ---- consumer ---- */

static void publish_tail(struct pw_spsc *q)
{
    atomic_store(&q->tail, q->ctail);
    atomic_store(&q->btail, q->cbtail);
    q->cpub = q->ctail;
    if (atomic_load(&q->pwait) && q->ctail >= atomic_load(&q->pwant) &&
        q->cbtail >= atomic_load(&q->pbwant)) {
        pthread_mutex_lock(&q->mu);
        pthread_cond_signal(&q->pcv);
        pthread_mutex_unlock(&q->mu);
    }
}

/* Waits for an item; false when closed and drained. */
static bool consumer_wait(struct pw_spsc *q)
{
    publish_tail(q);
    for (int i = 0; i < SPINS; i++) {
        q->chead = atomic_load(&q->head);
        if (q->chead > q->ctail)
            return true;
        cpu_relax();
    }
    for (int k = 0; k < NAPS; k++) {
        struct timespec ts = {0, NAP_NS};
        nanosleep(&ts, NULL);
        q->chead = atomic_load(&q->head);
        if (q->chead > q->ctail)
            return true;
        if (atomic_load(&q->closed))
            break;
    }
    pthread_mutex_lock(&q->mu);
    /* ask for half a ring: waking for every batch would cost more than the
     * batch (the producer wakes us anyway when it must wait or is done) */
    atomic_store(&q->cwant, q->ctail + q->nitems / 2);
    atomic_store(&q->cbwant, q->cbtail + q->nbytes / 2);
    atomic_store(&q->cwait, 1);
    for (;;) {
        /* taken before head: every item pushed before an urgent request is
         * then seen and will be taken before the next sleep */
        bool urgent = atomic_exchange(&q->urgent, false);
        q->chead = atomic_load(&q->head);
        if (q->chead > q->ctail && (urgent || q->chead >= atomic_load(&q->cwant)))
            break;
        if (atomic_load(&q->closed)) {
            q->chead = atomic_load(&q->head);
            break;
        }
        pthread_cond_wait(&q->ccv, &q->mu);
    }
    atomic_store(&q->cwait, 0);
    pthread_mutex_unlock(&q->mu);
    return q->chead > q->ctail;
}

const void *pw_spsc_pop(struct pw_spsc *q)
{
    if (q->have_cur) {
        q->cbtail = q->bend[q->ctail & q->imask];
        q->ctail++;
        q->have_cur = false;
        if (q->ctail - q->cpub >= PUBLISH_EVERY)
            publish_tail(q);
    }
    if (q->ctail == q->chead) {
        q->chead = atomic_load(&q->head);
        if (q->ctail == q->chead && !consumer_wait(q)) {
            publish_tail(q);
            return NULL;
        }
    }
    q->have_cur = true;
    return q->items + (size_t)(q->ctail & q->imask) * q->isz;
}

const uint8_t *pw_spsc_data(const struct pw_spsc *q, size_t len)
{
    return q->bytes + ((q->bend[q->ctail & q->imask] - len) & (q->nbytes - 1));
}
