/* The one pass over a capture: the reader drives, every record is dissected
 * once, and every active consumer ("tap") sees it. Commands that want several
 * reports only add taps; nothing reads the file twice. */
#ifndef PW_STATS_PASS_H
#define PW_STATS_PASS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/reader.h"
#include "dissect/packet.h"
#include "flow/flows.h"
#include "flow/ipreasm.h"

struct pw_tap {
    void *arg;
    /* pkt is NULL when the pass runs without dissection */
    void (*packet)(void *arg, const struct pw_record *rec, const struct pw_packet *pkt);
    /* Optional: called once the flow stage has numbered the packet's
     * stream, before the application stage. Returns whether the tap needs
     * the application stage's layers on this packet: the stage (TCP
     * reassembly and the protocols above TCP and UDP) is skipped on a
     * packet when no tap and not the flow stage need it. A tap without
     * this hook needs it on every packet. A tap whose per-flow records do
     * not fit in cache may also start loading the packet's record here, so
     * that the miss overlaps the application stage's work. */
    bool (*before_app)(void *arg, const struct pw_packet *pkt);
};

typedef void (*pw_progress_fn)(void *arg, uint64_t bytes, int64_t total, uint64_t packets);

struct pw_app;

struct pw_pass_opts {
    bool dissect;            /* run the dissectors (false: records only) */
    pw_progress_fn progress; /* called every so often; may be NULL */
    void *progress_arg;
    /* Flow stage run on every dissected packet before the taps (tcp.stream,
     * TCP analysis, udp.stream: src/flow/flows.h); NULL: none. Needs
     * dissect. */
    struct pw_flows *flows;
    /* Application stage run after the flow stage (TCP reassembly,
     * conversation-bound protocols: src/dissect/app.h); NULL: none. Needs
     * dissect. */
    struct pw_app *app;
    /* When set (by another thread), the pass stops within a few hundred
     * packets with PW_ERR_LIMIT ("cancelled"); NULL: never. */
    const atomic_bool *cancel;
    /* IP fragments are reassembled as tshark does by default
     * (src/flow/ipreasm.h) unless this is set. */
    bool no_ipreasm;
    /* The consumer's previous displayed frame, which it updates as it
     * displays frames (frame.time_delta_displayed); NULL: every frame is
     * displayed, the delta is frame.time_delta. */
    const struct pw_displayed *displayed;
};

struct pw_pass_result {
    uint64_t packets;
    int status;             /* 0, or the pw_err that ended the read early */
    struct pw_error damage; /* message and offset when status != 0 */
    struct pw_ipreasm_stats ipreasm; /* IP reassembly counters (limits hit) */
};

/* Runs the pass to the end of the input. Returns 0 when the whole input was
 * read, or the reader's error (PW_ERR_CUT_SHORT, PW_ERR_FORMAT, PW_ERR_IO);
 * in both cases every complete record before the damage went to the taps.
 * A cancelled pass returns PW_ERR_LIMIT. */
int pw_pass_run(struct pw_reader *r, const struct pw_tap *taps, unsigned ntaps,
                const struct pw_pass_opts *opts, struct pw_pass_result *res);

#endif
