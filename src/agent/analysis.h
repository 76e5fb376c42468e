/* `GET /packetCaptures/{name}/analysis`: the pktwatch analysis of a capture
 * (statistics, handshake RTTs, alerts) as JSON.
 *
 * This is the one seam between the agent and the analysis library. It runs
 * on a worker thread of the API (api.c), never on the event loop, and reads
 * only the descriptors it is given (opened through the capture root's path
 * confinement by the caller). */
#ifndef PW_AGENT_ANALYSIS_H
#define PW_AGENT_ANALYSIS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "capture/reader.h"
#include "util/error.h"

/* The report specs of the "stats" part, in this order. */
extern const char *const pw_agent_analysis_specs[];

struct pw_analysis_in {
    /* The capture: the byte ranges a download of it serves (a ring's files
     * oldest first, every file after the first without its file header),
     * read as one pcap in one pass. */
    const struct pw_segment *segs;
    size_t nsegs;
    const char *label;         /* "file" of the rtt and alerts parts */
    const atomic_bool *cancel; /* stops the pass early (agent shutdown); may be NULL */
};

/* Runs one pass with every report of `pktwatch stats` (the specs above),
 * `pktwatch rtt` and `pktwatch alerts` (built-in policy) and returns
 *   {"packets", "bytesAnalysed", "damage", "warnings", "stats", "rtt", "alerts"}
 * where stats/rtt/alerts are the CLI's --json documents. Damage after the
 * first record (a cut-short or lying record) is not an error: the analysis
 * covers the complete records before it and "damage" says where. Returns
 * NULL with `err` set when nothing can be analysed: PW_ERR_FORMAT (not a
 * capture), PW_ERR_IO, PW_ERR_NOMEM, PW_ERR_LIMIT (cancelled). */
json_t *pw_agent_analysis_json(const struct pw_analysis_in *in, struct pw_error *err);

#endif
