/* Unit tests for the TCP reassembly state (src/flow/reasm.c): the verdict on
 * a segment that falls into a PDU reassembly has started. The rule is
 * tshark 4.0.17's, observed on zeek/pppoe-over-qinq.pcap (frames 57, 58 and,
 * with tcp.analyze_sequence_numbers off, 31 and 32) and ndpi/6in4tunnel.pcap
 * (frames 46 and 47): a segment starting where a PDU starts is only
 * "Retransmitted TCP segment data"; one starting inside the PDU that starts
 * last before it is added to that PDU, which is a "New fragment overlaps old
 * data" error once the PDU is complete. */
#include <stdint.h>
#include <string.h>

#include "flow/reasm.h"
#include "test.h"

static struct pw_reasm_pool pool = {0, PW_REASM_TOTAL};
static const uint8_t bytes[4096]; /* more than any segment below */

/* A PDU of len bytes from seq, reassembled from two segments. */
static void complete(struct pw_reasm *r, uint32_t seq, uint32_t len)
{
    pw_reasm_start(r, &pool, 1, seq, bytes, len / 2, len / 2, len);
    pw_reasm_add(r, &pool, bytes, len - len / 2, len - len / 2);
    pw_reasm_completed(r, len);
    pw_reasm_stop(r, &pool);
}

static void no_pdu(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    CHECK_EQ_INT(pw_reasm_verdict(&r, 0), PW_REASM_FREE);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1000), PW_REASM_FREE);
}

static void completed_pdu(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    complete(&r, 1220, 2323); /* 6in4tunnel: the record of frames 36-37 */
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1220), PW_REASM_RESENT); /* frame 46 */
    CHECK_EQ_INT(pw_reasm_verdict(&r, 2608), PW_REASM_OVERLAP); /* frame 47 */
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1221), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1220 + 2322), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1220 + 2323), PW_REASM_FREE);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1219), PW_REASM_FREE);
    pw_reasm_free(&r, &pool);
    CHECK_EQ_INT(pool.used, 0);
}

static void pending_pdu(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    pw_reasm_start(&r, &pool, 1, 5000, bytes, 100, 100, 300);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 5000), PW_REASM_RESENT);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 5050), PW_REASM_FREE);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 5100), PW_REASM_FREE); /* the continuation */
    pw_reasm_free(&r, &pool);
}

/* pppoe-over-qinq: PDUs [7899, 9767) and [9767, 11322) completed, frame 58
 * starts at 9339, in the older one */
static void latest_start_counts(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    complete(&r, 7899, 1868);
    complete(&r, 9767, 1555);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 9339), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 7899), PW_REASM_RESENT);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 10779), PW_REASM_OVERLAP);
    /* a pending PDU starting inside a completed one takes over from there */
    pw_reasm_start(&r, &pool, 1, 11000, bytes, 50, 50, 400);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 10999), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 11001), PW_REASM_FREE);
    pw_reasm_free(&r, &pool);
}

/* Only the last PW_REASM_DONE PDUs are remembered (tshark keeps all). */
static void bounded_memory(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    for (uint32_t i = 0; i <= PW_REASM_DONE; i++)
        complete(&r, 1000 + i * 100, 100);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1050), PW_REASM_FREE); /* forgotten */
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1150), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 1000 + PW_REASM_DONE * 100 + 50), PW_REASM_OVERLAP);
    CHECK_EQ_INT(r.done.n, PW_REASM_DONE);
    pw_reasm_free(&r, &pool);
}

static void sequence_wrap(void)
{
    struct pw_reasm r;
    memset(&r, 0, sizeof(r));
    complete(&r, 0xffffff00u, 0x200);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 0x50), PW_REASM_OVERLAP);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 0x100), PW_REASM_FREE);
    CHECK_EQ_INT(pw_reasm_verdict(&r, 0xfffffe00u), PW_REASM_FREE);
    pw_reasm_free(&r, &pool);
}

TEST_MAIN(TEST_CASE(no_pdu), TEST_CASE(completed_pdu), TEST_CASE(pending_pdu),
          TEST_CASE(latest_start_counts), TEST_CASE(bounded_memory), TEST_CASE(sequence_wrap))
