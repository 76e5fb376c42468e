/* `pktwatch info` outputs: capinfos-compatible text and JSON. */
#ifndef PW_OUTPUT_INFO_H
#define PW_OUTPUT_INFO_H

#include <jansson.h>
#include <stdio.h>

#include "capture/reader.h"
#include "stats/capinfo.h"
#include "util/hash.h"

struct pw_info {
    const char *name;
    int64_t file_size; /* -1 when unknown (stream) */
    const struct pw_reader *r;
    const struct pw_capinfo_stats *st;
    const struct pw_digests *dg; /* NULL when not computed */
};

/* The text report, with capinfos' labels and layout, then the anomalies. */
void pw_info_text(FILE *f, const struct pw_info *in);

/* The same facts as a JSON object with raw numbers (caller owns it). */
json_t *pw_info_json(const struct pw_info *in);

#endif
