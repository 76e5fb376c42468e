/* Display filters: the tshark 4.0 filter language, compiled once into a flat
 * program and run per packet without allocating.
 *
 *     struct pw_filter *f;
 *     struct pw_error err;
 *     if (pw_filter_compile("tcp.port in {80, 443} && ip.addr == 10.0.0.0/8", &f, &err) < 0)
 *         ... err.msg, err.offset (column of the problem)
 *     ... pw_filter_match(f, pkt) for every dissected packet ...
 *     pw_filter_free(f);
 *
 * The compiler (lexer.c -> parser.c -> semcheck.c -> compile.c) keeps all of
 * its state in one struct with its own arena; nothing is global. A compiled
 * filter owns preallocated registers, so pw_filter_match() never allocates;
 * the price is that one compiled filter must not be run by two threads at
 * once (compile one per thread). The set of fields and protocols a filter
 * reads is known after compiling (pw_filter_foreach_field()), so callers can
 * skip work nobody asked for. */
#ifndef PW_FILTER_FILTER_H
#define PW_FILTER_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "dissect/packet.h"
#include "util/error.h"

struct pw_filter;

/* Compiles `expr`. Returns 0 and *out, or a negative enum pw_err with
 * err->msg (worded like tshark's) and err->offset (0-based column of the
 * offending token in expr). An empty or all-blank expression compiles to a
 * filter that matches everything. */
int pw_filter_compile(const char *expr, struct pw_filter **out, struct pw_error *err);

/* As pw_filter_compile(); *span receives the length of the offending token
 * (0 when the error has no position, e.g. "Unexpected end of filter
 * expression."), for drawing tshark's ^~~~ underline. */
int pw_filter_compile_span(const char *expr, struct pw_filter **out, struct pw_error *err,
                           size_t *span);

/* True when the dissected packet matches. pkt->ts_first / ts_prev must be
 * set for frame.time_relative / frame.time_delta (the pass driver does). */
bool pw_filter_match(const struct pw_filter *f, const struct pw_packet *pkt);

/* The program, one instruction per line, for `pktwatch filter --explain`.
 * Writes through fn (the library never prints); returns 0. */
int pw_filter_explain(const struct pw_filter *f, void (*fn)(void *arg, const char *line),
                      void *arg);

/* Calls fn with the abbreviation of every field and protocol the filter
 * reads (each once). */
void pw_filter_foreach_field(const struct pw_filter *f, void (*fn)(void *arg, const char *abbrev),
                             void *arg);

/* True when the filter reads the field or protocol `abbrev`, or any field
 * whose name starts with `abbrev` followed by '.' (so "tcp.analysis" asks
 * whether TCP analysis results are needed). */
bool pw_filter_uses(const struct pw_filter *f, const char *abbrev);

/* The source text the filter was compiled from. */
const char *pw_filter_text(const struct pw_filter *f);

void pw_filter_free(struct pw_filter *f);

#endif
