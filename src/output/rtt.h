/* `pktwatch rtt` outputs: an aligned text report (rtt_text.c), the
 * per-connection table as CSV (rtt_csv.c) and everything as one JSON
 * document (rtt_json.c). Times in CSV are seconds with nine decimals as
 * tshark prints them; JSON durations are integer nanoseconds (`*_ns`) with
 * milliseconds alongside in the summaries. */
#ifndef PW_OUTPUT_RTT_H
#define PW_OUTPUT_RTT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "stats/rtt.h"

struct pw_rtt_report {
    const char *name;         /* file name as given */
    const struct pw_rtt *rtt; /* after pw_rtt_finish() */
    bool summary_only;        /* text: leave out the per-connection table */
};

/* The CSV header, exactly. */
#define PW_RTT_CSV_HEADER                                                                          \
    "stream,client,client_port,server,server_port,syn_frame,synack_frame,syn_time,handshake_rtt,"  \
    "client_rtt,initial_rtt,syn_retransmits,synack_retransmits,outcome"

void pw_rtt_text(FILE *f, const struct pw_rtt_report *rep);
void pw_rtt_csv(FILE *f, const struct pw_rtt_report *rep, bool header);
json_t *pw_rtt_json(const struct pw_rtt_report *rep);

/* Helpers shared by the three outputs. */
const char *pw_rtt_addr(char *buf, size_t n, int family, const uint8_t *addr);
/* milliseconds with three decimals ("50.000"), from nanoseconds */
const char *pw_rtt_ms(char *buf, size_t n, int64_t ns);

#endif
