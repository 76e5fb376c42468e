/* Number and time formatting shared by the text outputs, matching the way
 * Wireshark's tools print them (C locale). */
#ifndef PW_UTIL_FMT_H
#define PW_UTIL_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"

enum pw_size_unit {
    PW_UNIT_BYTES,     /* "bytes", "kB", "MB" */
    PW_UNIT_BYTES_S,   /* "bytes/s", "kBps", "MBps" */
    PW_UNIT_BITS_S,    /* "bits/s", "kbps", "Mbps" */
    PW_UNIT_PACKETS_S, /* "packets/s", "kpackets/s" */
    PW_UNIT_NONE,      /* "20000" -> "20 k" */
};

/* SI-prefixed size: a prefix is used only once the value reaches ten of
 * that unit, and the value is truncated, never rounded (10000 -> "10 kB",
 * 9999 -> "9999 bytes"). Returns buf. */
char *pw_fmt_size(char *buf, size_t n, int64_t v, enum pw_size_unit unit);

/* "YYYY-MM-DD hh:mm:ss.fffffffff" in local time with `prec` fraction digits
 * (0..9). An out-of-range fraction (nsec >= 1e9) is printed as it is. */
char *pw_fmt_abstime(char *buf, size_t n, struct pw_ts t, int prec);

/* Seconds with `prec` fraction digits from a nanosecond count (may be
 * negative). */
char *pw_fmt_reltime(char *buf, size_t n, int64_t ns, int prec);

#endif
