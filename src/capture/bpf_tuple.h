/* Capture filters in the reference service's tuple syntax, turned into one
 * libpcap filter expression.
 *
 * A filter is {protocol, localIPAddress, remoteIPAddress, localPort,
 * remotePort}. Each address or port value is empty (any), a single value
 * (`10.0.0.1`, `80`), one range (`10.0.0.1-10.0.0.9`, `80-85`) or a `;` list
 * (`80;443`, a trailing `;` allowed). Ranges of addresses are IPv4 only;
 * single IPv6 addresses and lists of them are accepted. A range inside a list,
 * or two ranges, is refused, as the reference service does.
 *
 * Semantics: the fields of one filter are ANDed, the filters are ORed, and a
 * filter matches both directions of a flow ("local" is the side the local
 * address and port belong to, whichever way the packet goes). An optional
 * raw expression in tcpdump syntax is ANDed with the result.
 *
 * Everything here is pure: no capture handle, no globals, no printing. */
#ifndef PW_CAPTURE_BPF_TUPLE_H
#define PW_CAPTURE_BPF_TUPLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum pw_bpf_proto {
    PW_BPF_ANY = 0,
    PW_BPF_TCP,
    PW_BPF_UDP,
    PW_BPF_ICMP, /* ICMP and ICMPv6; port fields are refused with it */
};

/* Field values as the request gives them; NULL or "" means "any". */
struct pw_bpf_tuple {
    const char *protocol; /* "TCP", "UDP", "ICMP", "Any" (any case), NULL = Any */
    const char *local_ip;
    const char *remote_ip;
    const char *local_port;
    const char *remote_port;
};

/* Canonical protocol spelling ("TCP", "UDP", "ICMP", "Any"), or NULL when
 * `s` is not one of them. NULL or "" gives "Any". */
const char *pw_bpf_proto_canon(const char *s);

/* Checks one field value on its own. `field` is the JSON field name
 * ("localIPAddress", "localPort", ...) used to choose the syntax and to word
 * the message. Returns 0 or PW_ERR_ARG with err->msg like
 * "'80-70' is not a valid port range: 80 is greater than 70". */
int pw_bpf_check_value(const char *field, const char *value, struct pw_error *err);

/* Builds the filter expression for `n` tuples (n may be 0) and an optional
 * raw expression (NULL or "" for none) into `out` (NUL-terminated; "" means
 * "capture everything"). Returns the expression length, or a negative
 * pw_err: PW_ERR_ARG for a bad value, with err->msg starting with the field,
 * e.g. "filters[1].localPort: ...", or PW_ERR_LIMIT when the expression would
 * not fit in `cap` bytes or exceed PW_MAX_BPF_EXPR. The raw expression is not
 * parsed here; pw_bpf_compile_check() does that. */
int pw_bpf_from_tuples(const struct pw_bpf_tuple *t, size_t n, const char *raw, char *out,
                       size_t cap, struct pw_error *err);

/* Compiles `expr` with libpcap for `linktype` (a DLT_* value) without a
 * capture handle, to report syntax errors at request time. Returns 0 or
 * PW_ERR_ARG with libpcap's message. */
int pw_bpf_compile_check(const char *expr, int linktype, struct pw_error *err);

#endif
