/* `-T fields` output: one line per packet, the values of the requested
 * fields formatted exactly as `tshark -T fields` prints them, occurrences
 * joined by the aggregator (',' by default), fields separated by the
 * separator (TAB by default). */
#ifndef PW_OUTPUT_FIELDS_H
#define PW_OUTPUT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dissect/field.h"
#include "dissect/packet.h"
#include "util/error.h"

/* Formats one value as tshark -T fields does. f may be NULL for computed
 * values (its base then defaults per type); ty is the value's type.
 * Returns the full length; the text is cut to n - 1 bytes and
 * NUL-terminated (n > 0). */
size_t pw_fields_format(const struct pw_field *f, uint8_t ty, const struct pw_fvalue *v, char *buf,
                        size_t n);

struct pw_fields_opts {
    const char *separator;  /* between fields; default "\t" */
    const char *aggregator; /* between occurrences; default "," */
    char quote;             /* 0, '"' or '\'' around each field */
    int occurrence;         /* 0 all, N the N-th, -1 the last */
    bool header;            /* print the field names first */
};

struct pw_fields;

/* Resolves the names (fields or protocols). An unknown name fails with
 * tshark's message: "Some fields aren't valid:\n\t<name>". */
int pw_fields_new(struct pw_fields **out, const char *const *names, unsigned n,
                  const struct pw_fields_opts *opts, struct pw_error *err);

/* Parses one `-E key=value` option into opts (header, separator,
 * aggregator, occurrence, quote); PW_ERR_ARG with a message if it is not
 * one. */
int pw_fields_option(struct pw_fields_opts *opts, const char *kv, struct pw_error *err);

void pw_fields_header(const struct pw_fields *fs, FILE *out);
void pw_fields_row(struct pw_fields *fs, const struct pw_packet *pkt, FILE *out);

/* Calls fn for every field and protocol the output reads. */
void pw_fields_foreach(const struct pw_fields *fs, void (*fn)(void *arg, const char *abbrev),
                       void *arg);

void pw_fields_free(struct pw_fields *fs);

#endif
