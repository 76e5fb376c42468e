/* The statistics reports of `pktwatch stats` (tshark's -z), behind one
 * interface: parse a SPEC, feed every packet of the one pass, print. */
#ifndef PW_STATS_REPORT_H
#define PW_STATS_REPORT_H

#include "stats/conv.h"
#include "stats/dests.h"
#include "stats/phs.h"

enum pw_report_kind {
    PW_REP_PHS,
    PW_REP_DESTS,
    PW_REP_CONV,
    PW_REP_ENDPOINTS,
};

struct pw_report {
    enum pw_report_kind kind;
    enum pw_conv_kind ckind; /* conv / endpoints */
    char spec[64];           /* "io,phs", "conv,tcp", ... (without the filter) */
    const char *filter;      /* the ",FILTER" part as typed, or NULL */
    struct pw_phs *phs;
    struct pw_dests *dests;
    struct pw_convtab *conv;
};

/* Parses "io,phs", "dests,tree", "conv,tcp|udp|ip|eth",
 * "endpoints,ip|tcp|udp|eth", each optionally followed by ",FILTER".
 * Returns 0, or PW_ERR_ARG for an unknown spec (err->msg says why). The
 * report keeps a pointer into `spec` for the filter. */
int pw_report_parse(struct pw_report *r, const char *spec, struct pw_error *err);

int pw_report_start(struct pw_report *r, struct pw_error *err);
void pw_report_packet(struct pw_report *r, const struct pw_record *rec,
                      const struct pw_packet *pkt);
/* A packet the report's display filter (or -Y) rejects: not counted, but
 * relative times still start at the capture's first frame, as in tshark. */
void pw_report_unmatched(struct pw_report *r, const struct pw_record *rec);
void pw_report_finish(struct pw_report *r);
void pw_report_free(struct pw_report *r);

#endif
