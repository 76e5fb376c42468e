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

/* Decimal digits of v into buf (no terminator); returns the count (at most
 * 20). */
size_t pw_fmt_u64(char *buf, uint64_t v);

/* What snprintf("%.<prec>f", v) writes (prec 0..9), terminated; returns the
 * length. The statistics print tens of thousands of such numbers, and libc's
 * exact conversion was most of their printing time: scaling by 10^prec and
 * rounding gives the same digits whenever the scaled value is not within
 * the multiplication's error of a rounding tie; those few values (and
 * negative, huge and non-finite ones) go to snprintf. n must be >= 32. */
size_t pw_fmt_fixed(char *buf, size_t n, double v, int prec);

/* Dotted-quad text of an IPv4 address, terminated (what inet_ntop
 * writes); returns the length. buf must hold 16 bytes. */
size_t pw_fmt_ip4(char *buf, const uint8_t a[4]);

/* RFC 5952 text of an IPv6 address (inet_ntop's), terminated; returns the
 * length. buf must hold 46 bytes. */
size_t pw_fmt_ip6(char *buf, const uint8_t a[16]);

/* aa:bb:cc:dd:ee:ff, terminated; returns the length (17). buf must hold
 * 18 bytes. */
size_t pw_fmt_mac(char *buf, const uint8_t a[6]);

#endif
