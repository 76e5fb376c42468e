/* A bounded queue from one producer thread to one consumer thread: a ring
 * of fixed-size items, plus a byte ring for variable-length data the items
 * carry (packet bytes that must outlive the producer's buffers).
 *
 * Both sides work on their own copies of the indices and publish them in
 * batches, so that the two threads do not fight over one cache line per
 * item. A side that must wait (producer: no room; consumer: nothing to do)
 * spins briefly and then sleeps on a condition variable; the other side
 * wakes it only once there is a worthwhile amount of work or room (half
 * the item ring, or half the byte ring), or when it has to (flush, sync,
 * close), so that a consumer faster than its producer sleeps instead of
 * being woken for every few items. It
 * works on a single CPU: nobody spins for long.
 *
 * Nothing is allocated after pw_spsc_new(). */
#ifndef PW_UTIL_SPSC_H
#define PW_UTIL_SPSC_H

#include <stddef.h>
#include <stdint.h>

struct pw_spsc;

/* nitems and nbytes are rounded up to powers of two (at least 2 and 64).
 * NULL when out of memory. */
struct pw_spsc *pw_spsc_new(size_t item_size, uint32_t nitems, size_t nbytes);
void pw_spsc_free(struct pw_spsc *q);
/* Bytes held by the queue. */
size_t pw_spsc_memory(const struct pw_spsc *q);

/* ---- producer ---- */

/* The next free item (waits for room); filled, then committed by push. */
void *pw_spsc_slot(struct pw_spsc *q);
/* Room for len bytes that travel with the item being filled (waits for
 * room); NULL when len is more than half the byte ring: such data cannot
 * be queued (see pw_spsc_sync). At most one call per item. */
uint8_t *pw_spsc_bytes(struct pw_spsc *q, size_t len);
void pw_spsc_push(struct pw_spsc *q);
/* Makes every pushed item visible to the consumer now. */
void pw_spsc_flush(struct pw_spsc *q);
/* Waits until the consumer has finished with every pushed item (then data
 * the producer lent by pointer may be reused). */
void pw_spsc_sync(struct pw_spsc *q);
/* No more items: pw_spsc_pop returns NULL once the queue is drained. */
void pw_spsc_close(struct pw_spsc *q);

/* ---- consumer ---- */

/* The next item (waits for one), NULL once closed and drained. The item
 * and its bytes stay valid until the next call, which gives them back. */
const void *pw_spsc_pop(struct pw_spsc *q);
/* The bytes of the item last popped (len as given to pw_spsc_bytes). */
const uint8_t *pw_spsc_data(const struct pw_spsc *q, size_t len);

#endif
