/* `GET /packetCaptures/{name}/analysis`: the pktwatch analysis of a capture
 * (statistics, handshake RTTs, alerts) as JSON.
 *
 * This is the one seam between the agent and the analysis library. The
 * library is not in this build yet, so the function reports
 * PW_ERR_UNSUPPORTED and the API answers 501; wiring it later means filling
 * in this function only. */
#ifndef PW_AGENT_ANALYSIS_H
#define PW_AGENT_ANALYSIS_H

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* Analyses the capture made of `npaths` files (a ring buffer's files,
 * oldest first, form one logical capture). Returns a new JSON object, or
 * NULL with `err` set: PW_ERR_UNSUPPORTED when analysis is not built in,
 * other codes for unreadable input. */
json_t *pw_agent_analysis_json(const char *const *paths, size_t npaths, struct pw_error *err);

#endif
