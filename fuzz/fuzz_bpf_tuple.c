/* libFuzzer target: filter tuples -> libpcap expression.
 *
 * The input is split at NUL bytes into up to 4 filters of 5 fields
 * (protocol, localIPAddress, remoteIPAddress, localPort, remotePort). The
 * property checked: whatever pw_bpf_from_tuples accepts compiles with
 * libpcap, so that a request that passed validation can never fail later
 * when the capture starts. */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/bpf_tuple.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[8192];
    static char out[PW_MAX_BPF_EXPR + 1];
    if (size >= sizeof(buf))
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *fields[20] = {0};
    size_t nf = 0;
    char *p = buf;
    while (nf < 20 && p <= buf + size) {
        fields[nf++] = p;
        p += strlen(p) + 1;
    }
    size_t nt = (nf + 4) / 5;
    struct pw_bpf_tuple t[4];
    for (size_t i = 0; i < nt; i++)
        t[i] = (struct pw_bpf_tuple){fields[i * 5], fields[i * 5 + 1], fields[i * 5 + 2],
                                     fields[i * 5 + 3], fields[i * 5 + 4]};
    struct pw_error err;
    int n = pw_bpf_from_tuples(t, nt, NULL, out, sizeof(out), &err);
    if (n < 0) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    if ((size_t)n != strlen(out))
        abort();
    if (pw_bpf_compile_check(out, DLT_EN10MB, &err) != 0)
        abort(); /* an accepted tuple set must compile */
    return 0;
}
