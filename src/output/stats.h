/* Output of the `pktwatch stats` reports: tshark's text layouts, byte for
 * byte (stats_text.c), and one JSON document per report with raw numbers
 * (stats_json.c; key names are documented in the README). */
#ifndef PW_OUTPUT_STATS_H
#define PW_OUTPUT_STATS_H

#include <jansson.h>
#include <stdio.h>

#include "stats/report.h"

void pw_stats_text(FILE *f, const struct pw_report *r);
json_t *pw_stats_json(const struct pw_report *r);

#endif
