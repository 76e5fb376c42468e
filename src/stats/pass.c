#include "stats/pass.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/app.h"
#include "dissect/dissect.h"
#include "flow/flows.h"

#define PROGRESS_EVERY 65536u
#define CANCEL_EVERY 256u

int pw_pass_run(struct pw_reader *r, const struct pw_tap *taps, unsigned ntaps,
                const struct pw_pass_opts *opts, struct pw_pass_result *res)
{
    /* One packet record for the whole pass: dissection overwrites it, so
     * nothing is allocated per packet. It is large, so not on the stack. */
    struct pw_packet *pkt = NULL;
    struct pw_ipreasm *ipr = NULL;
    bool dissect = opts && opts->dissect;
    memset(res, 0, sizeof(*res));
    if (dissect) {
        pkt = malloc(sizeof(*pkt));
        if (!opts->no_ipreasm)
            ipr = pw_ipreasm_new(NULL);
        if (!pkt || (!opts->no_ipreasm && !ipr)) {
            free(pkt);
            pw_ipreasm_free(ipr);
            return res->status = pw_error_set(&res->damage, PW_ERR_NOMEM, "out of memory");
        }
    }
    struct pw_record rec;
    struct pw_ts first = {0, 0}, prev = {0, 0};
    struct pw_displayed all = {true, {0, 0}};
    bool hooks = false; /* a tap may decline the application stage */
    for (unsigned i = 0; i < ntaps; i++)
        hooks = hooks || taps[i].before_app;
    int rc;
    while ((rc = pw_reader_next(r, &rec, &res->damage)) == 1) {
        res->packets++;
        if (res->packets == 1)
            first = prev = rec.ts;
        if (dissect) {
            pw_dissect_packet_ipr(&rec, res->packets, pkt, ipr);
            pkt->ts_first = first;
            pkt->ts_prev = prev;
            all.ts = prev;
            pkt->displayed = opts->displayed ? opts->displayed : &all;
            pkt->flow_done = false;
            if (opts->flows)
                pw_flows_packet(opts->flows, pkt);
            bool app = opts->app != NULL;
            if (app && hooks) {
                /* every hook is called: it may also prefetch */
                bool want = false;
                for (unsigned i = 0; i < ntaps; i++)
                    want = (taps[i].before_app ? taps[i].before_app(taps[i].arg, pkt) : true) ||
                           want;
                app = want || (opts->flows && pw_flows_need_app(opts->flows, pkt));
            }
            if (app) {
                pw_dissect_app(pkt, opts->app);
                if (opts->flows)
                    pw_flows_after_app(opts->flows, pkt);
            }
        }
        prev = rec.ts;
        for (unsigned i = 0; i < ntaps; i++)
            taps[i].packet(taps[i].arg, &rec, pkt);
        if (opts && opts->progress && res->packets % PROGRESS_EVERY == 0)
            opts->progress(opts->progress_arg, pw_reader_offset(r), pw_reader_size(r),
                           res->packets);
        if (opts && opts->cancel && res->packets % CANCEL_EVERY == 0 &&
            atomic_load_explicit(opts->cancel, memory_order_relaxed)) {
            rc = pw_error_set(&res->damage, PW_ERR_LIMIT, "cancelled");
            res->damage.offset = pw_reader_offset(r);
            break;
        }
    }
    free(pkt);
    if (ipr)
        pw_ipreasm_get_stats(ipr, &res->ipreasm);
    pw_ipreasm_free(ipr);
    res->status = rc < 0 ? rc : 0;
    return res->status;
}
