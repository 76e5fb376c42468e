/* libFuzzer target: the X.509 / OCSP walker (src/dissect/x509.c).
 *
 * The first input byte picks the entry point (even: a Certificate, odd: an
 * OCSPResponse) and whether the capture is cut (bit 1: the cursor reports
 * 64 more bytes than were captured); the rest is the DER.
 *
 * Properties checked, beyond "no crash, no undefined behaviour": every name
 * emitted is a known, non-empty one, and a walk never emits more names than
 * a quarter of the input (each needs at least an OID TLV and a value TLV, so
 * a loop that emits without consuming is caught). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t emitted;

static void count(void *ctx, unsigned code)
{
    (void)ctx;
    if (code == PW_XN_NONE || code >= PW_XN_COUNT || !*pw_x509_name_str(code))
        abort();
    emitted++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    uint8_t mode = data[0];
    const uint8_t *p = data + 1;
    uint32_t n = (uint32_t)(size - 1);
    struct pw_cur c = pw_cur_make(p, n, (mode & 2) ? n + 64 : n);
    const struct pw_x509_sink sink = {count, NULL};
    emitted = 0;
    if (mode & 1)
        pw_x509_ocsp_response(&c, &sink);
    else
        pw_x509_certificate(&c, &sink);
    if (emitted > n / 4 + 1)
        abort();
    return 0;
}
