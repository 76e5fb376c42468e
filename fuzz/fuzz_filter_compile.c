/* libFuzzer target for the display-filter compiler (src/filter/): lexer,
 * parser, semantic check, code generation, and --explain.
 *
 * Input: the expression text. Whatever it is, compilation must end (no
 * hang: depth and length are bounded), either with a filter or with an
 * error that has a message and points inside the text. A compiled filter is
 * explained, asked for its fields, and run once over a small fixed TCP
 * packet and an empty one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "filter/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Ethernet / IPv4 / TCP 1234 -> 80 with "GET /" */
static const uint8_t frame[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x80, 0x8f, 0x9a, 0xae, 0xbd, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x2d, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
    0xc0, 0xa8, 0x01, 0x03, 0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07,
    0xd0, 0x50, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 'G',  'E',  'T',  ' ',  '/',
};

static struct pw_packet pkt;

static void line(void *arg, const char *s)
{
    size_t *n = arg;
    *n += strlen(s);
}

static void name(void *arg, const char *s)
{
    if (!s || !*s)
        abort();
    (*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = malloc(size + 1);
    if (!expr)
        return 0;
    memcpy(expr, data, size);
    expr[size] = '\0';
    struct pw_filter *f = NULL;
    struct pw_error err;
    size_t span;
    if (pw_filter_compile_span(expr, &f, &err, &span) < 0) {
        size_t len = strlen(expr);
        if (f || !err.msg[0] || err.offset > len || err.offset + span > len + 1)
            abort();
        free(expr);
        return 0;
    }
    size_t n = 0;
    pw_filter_explain(f, line, &n);
    pw_filter_foreach_field(f, name, &n);
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = frame;
    rec.caplen = rec.len = sizeof(frame);
    rec.linktype = 1;
    pw_dissect_packet(&rec, 1, &pkt);
    pkt.ts_first = pkt.ts_prev = rec.ts;
    (void)pw_filter_match(f, &pkt);
    rec.caplen = rec.len = 0;
    pw_dissect_packet(&rec, 2, &pkt);
    (void)pw_filter_match(f, &pkt);
    pw_filter_free(f);
    free(expr);
    return 0;
}
