/* Display filters in a pass: a tap that forwards to inner taps only the
 * packets a compiled filter matches, and which stages of the pass
 * (src/stats/pass.h) a set of fields needs.
 *
 *     struct pw_filter *f;                     (pw_filter_compile)
 *     struct pw_tap inner[] = {...};
 *     struct pw_filter_tap ft = {f, inner, 2};
 *     struct pw_tap tap = pw_filter_tap(&ft);
 *     opts.flows = pw_filter_needs_flows(f) ? flows : NULL;  (or always)
 *     pw_pass_run(r, &tap, 1, &opts, &res);
 */
#ifndef PW_FILTER_FTAP_H
#define PW_FILTER_FTAP_H

#include <stdbool.h>
#include <stdint.h>

#include "filter/filter.h"
#include "stats/pass.h"

struct pw_filter_tap {
    const struct pw_filter *f; /* NULL: forward everything */
    const struct pw_tap *inner;
    unsigned ninner;
    uint64_t matched; /* packets forwarded so far */
};

/* The tap function: pkt must be dissected (opts.dissect). */
void pw_filter_tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt);

static inline struct pw_tap pw_filter_tap(struct pw_filter_tap *ft)
{
    struct pw_tap t = {ft, pw_filter_tap_packet};
    return t;
}

/* Whether reading `abbrev` needs the flow stage (tcp.stream, udp.stream,
 * tcp.analysis.*, relative sequence numbers) or the application stage
 * (application protocols, frame.protocols, data). A pass that runs both is
 * always right; these let a command skip them when nothing needs them. */
bool pw_field_needs_flows(const char *abbrev);
bool pw_field_needs_app(const char *abbrev);

/* The same over every field and protocol a filter reads. */
bool pw_filter_needs_flows(const struct pw_filter *f);
bool pw_filter_needs_app(const struct pw_filter *f);

#endif
