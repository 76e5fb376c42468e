/* The producer/consumer queue of src/util/spsc.c, which carries the alerts
 * tap's packets to its classification thread: every item and its bytes
 * arrive once, in order, intact, through wrap-arounds and waits on both
 * sides; sync and close mean what they say; and a sleeping consumer is
 * woken by bytes as well as by items. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "test.h"
#include "util/spsc.h"

struct item {
    uint64_t seq;
    uint32_t len;
    uint8_t lent; /* bytes not in the ring: the producer lent them */
};

/* The bytes of item seq: a pattern that a lost, repeated or shifted piece
 * would not reproduce. */
static uint8_t pat(uint64_t seq, uint32_t i)
{
    return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

static uint32_t len_of(uint64_t seq, uint32_t max)
{
    /* mostly small, some zero, some large enough to wrap the ring often */
    uint64_t x = seq * 0x9e3779b97f4a7c15ull;
    x ^= x >> 29;
    uint32_t r = (uint32_t)(x % 100);
    if (r < 20)
        return 0;
    if (r < 90)
        return (uint32_t)(x >> 40) % 200;
    return (uint32_t)(x >> 40) % max;
}

struct consumer {
    struct pw_spsc *q;
    _Atomic uint64_t taken;
    uint64_t bad;          /* items out of order or with wrong bytes */
    const uint8_t *lent;   /* the producer's lent buffer */
    _Atomic int lent_seen; /* items that used it */
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    const struct item *it;
    uint64_t want = 0;
    while ((it = pw_spsc_pop(c->q)) != NULL) {
        const uint8_t *d = it->lent ? c->lent : it->len ? pw_spsc_data(c->q, it->len) : NULL;
        if (it->seq != want)
            c->bad++;
        for (uint32_t i = 0; i < it->len; i++)
            if (d[i] != pat(it->seq, i)) {
                c->bad++;
                break;
            }
        if (it->lent)
            atomic_fetch_add(&c->lent_seen, 1);
        want++;
        atomic_store(&c->taken, want);
    }
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A queue with its consumer thread running; false when either failed. */
static bool start(struct consumer *c, pthread_t *th, uint32_t nitems, size_t nbytes)
{
    c->q = pw_spsc_new(sizeof(struct item), nitems, nbytes);
    CHECK(c->q != NULL);
    if (!c->q)
        return false;
    bool ok = pthread_create(th, NULL, consume, c) == 0;
    CHECK(ok);
    if (!ok)
        pw_spsc_free(c->q);
    return ok;
}

/* Closes the queue, waits for the consumer, and checks what it saw. */
static void finish(struct consumer *c, pthread_t th, uint64_t expect)
{
    pw_spsc_close(c->q);
    pthread_join(th, NULL);
    CHECK_EQ_INT(atomic_load(&c->taken), expect);
    CHECK_EQ_INT(c->bad, 0);
    pw_spsc_free(c->q);
}

/* Small rings, so that both sides wait and the byte ring wraps thousands
 * of times; pieces longer than half the byte ring are lent (the contract
 * of pw_spsc_bytes) and synced before the buffer changes. */
static void test_every_item_in_order(void)
{
    enum { N = 200000, NBYTES = 4096 };
    static uint8_t lent[NBYTES];
    struct consumer c = {.lent = lent};
    pthread_t th;
    if (!start(&c, &th, 64, NBYTES))
        return;
    struct pw_spsc *q = c.q;
    uint64_t nlent = 0;
    for (uint64_t seq = 0; seq < N; seq++) {
        uint32_t len = len_of(seq, NBYTES);
        struct item *it = pw_spsc_slot(q);
        it->seq = seq;
        it->len = len;
        it->lent = 0;
        uint8_t *dst = len ? pw_spsc_bytes(q, len) : NULL;
        bool was_lent = len && !dst;
        if (was_lent) {
            CHECK(len > NBYTES / 2);
            it->lent = 1;
            dst = lent;
            nlent++;
        }
        for (uint32_t i = 0; i < len; i++)
            dst[i] = pat(seq, i);
        pw_spsc_push(q);
        if (was_lent)
            pw_spsc_sync(q); /* the consumer is done with `lent` */
    }
    finish(&c, th, N);
    CHECK(nlent > 0);
    CHECK_EQ_INT(atomic_load(&c.lent_seen), nlent);
}

/* After pw_spsc_sync the consumer has finished every pushed item, even
 * with far fewer than the half ring it would otherwise sleep for. */
static void test_sync_waits_for_consumer(void)
{
    struct consumer c = {0};
    pthread_t th;
    if (!start(&c, &th, 1024, 1 << 16))
        return;
    struct pw_spsc *q = c.q;
    for (uint64_t seq = 0; seq < 3; seq++) {
        sleep_ms(20); /* the consumer goes to sleep in between */
        struct item *it = pw_spsc_slot(q);
        *it = (struct item){seq, 0, 0};
        pw_spsc_push(q);
        pw_spsc_sync(q);
        CHECK_EQ_INT(atomic_load(&c.taken), seq + 1);
    }
    finish(&c, th, 3);
}

/* A sleeping consumer asks to be woken at half the item ring; items that
 * carry many bytes fill the byte ring long before that, and the producer
 * would then stop for a consumer that is asleep. Here 64 items (one
 * publication) hold more than half the byte ring but a sixteenth of the
 * item ring: the consumer must take them without a flush. */
static void test_bytes_wake_consumer(void)
{
    enum { NITEMS = 1024, NBYTES = 1 << 16, PER = 600, COUNT = 64 };
    struct consumer c = {0};
    pthread_t th;
    if (!start(&c, &th, NITEMS, NBYTES))
        return;
    struct pw_spsc *q = c.q;
    sleep_ms(50); /* found the queue empty and went to sleep */
    for (uint64_t seq = 0; seq < COUNT; seq++) {
        struct item *it = pw_spsc_slot(q);
        *it = (struct item){seq, PER, 0};
        uint8_t *dst = pw_spsc_bytes(q, PER);
        CHECK(dst != NULL);
        if (dst)
            for (uint32_t i = 0; i < PER; i++)
                dst[i] = pat(seq, i);
        pw_spsc_push(q);
    }
    /* up to 5 s: the wake, not the speed of the machine, is under test */
    for (int i = 0; i < 500 && atomic_load(&c.taken) < COUNT; i++)
        sleep_ms(10);
    CHECK_EQ_INT(atomic_load(&c.taken), COUNT);
    finish(&c, th, COUNT);
}

/* A consumer sleeping for more items ends when the queue is closed, after
 * taking what was pushed. */
static void test_close_drains(void)
{
    struct consumer c = {0};
    pthread_t th;
    if (!start(&c, &th, 1024, 4096))
        return;
    struct pw_spsc *q = c.q;
    sleep_ms(20);
    for (uint64_t seq = 0; seq < 5; seq++) {
        struct item *it = pw_spsc_slot(q);
        *it = (struct item){seq, 0, 0};
        pw_spsc_push(q);
    }
    finish(&c, th, 5);
}

TEST_MAIN(TEST_CASE(test_every_item_in_order), TEST_CASE(test_sync_waits_for_consumer),
          TEST_CASE(test_bytes_wake_consumer), TEST_CASE(test_close_drains))
