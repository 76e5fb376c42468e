#include "util/fmt.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

char *pw_fmt_size(char *buf, size_t n, int64_t v, enum pw_size_unit unit)
{
    static const char *const prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
    int64_t scaled = v;
    int p = 0;
    /* largest prefix whose value is at least 10 */
    int64_t div = 1;
    for (int i = 1; i < 7; i++) {
        if (div > INT64_MAX / 1000)
            break;
        div *= 1000;
        if (v / div >= 10) {
            scaled = v / div;
            p = i;
        }
    }
    const char *u;
    switch (unit) {
    case PW_UNIT_BYTES: u = p ? "B" : " bytes"; break;
    case PW_UNIT_BYTES_S: u = p ? "Bps" : " bytes/s"; break;
    case PW_UNIT_BITS_S: u = p ? "bps" : " bits/s"; break;
    case PW_UNIT_PACKETS_S: u = "packets/s"; break;
    default: u = ""; break;
    }
    if (p == 0 && unit == PW_UNIT_NONE)
        snprintf(buf, n, "%" PRId64, scaled);
    else if (p == 0)
        snprintf(buf, n, "%" PRId64 "%s%s", scaled, unit == PW_UNIT_PACKETS_S ? " " : "", u);
    else
        snprintf(buf, n, "%" PRId64 " %s%s", scaled, prefixes[p], u);
    return buf;
}

static const uint32_t pow10_u32[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};

char *pw_fmt_abstime(char *buf, size_t n, struct pw_ts t, int prec)
{
    struct tm tm;
    time_t s = (time_t)t.sec;
    if (!localtime_r(&s, &tm)) {
        snprintf(buf, n, "(invalid time)");
        return buf;
    }
    int len = (int)strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
    if (prec > 0 && prec <= 9 && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, ".%0*" PRIu32, prec, t.nsec / pow10_u32[9 - prec]);
    return buf;
}

char *pw_fmt_reltime(char *buf, size_t n, int64_t ns, int prec)
{
    const char *sign = "";
    uint64_t a = (uint64_t)ns;
    if (ns < 0) {
        sign = "-";
        a = (uint64_t)0 - (uint64_t)ns;
    }
    if (prec < 0)
        prec = 9;
    if (prec > 9)
        prec = 9;
    uint64_t sec = a / 1000000000u, frac = a % 1000000000u;
    if (prec == 0)
        snprintf(buf, n, "%s%" PRIu64, sign, sec);
    else
        snprintf(buf, n, "%s%" PRIu64 ".%0*" PRIu64, sign, sec, prec, frac / pow10_u32[9 - prec]);
    return buf;
}

size_t pw_fmt_u64(char *buf, uint64_t v)
{
    char t[20];
    size_t k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < k; i++)
        buf[i] = t[k - 1 - i];
    return k;
}

size_t pw_fmt_fixed(char *buf, size_t n, double v, int prec)
{
    static const double scale[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (prec >= 0 && prec <= 9 && !signbit(v) && v < 1e14) {
        double x = v * scale[prec];
        double fl = floor(x);
        double frac = x - fl; /* exact: fl and x are close */
        /* the product is within half an ulp of v * 10^prec; 2^-50 of x
         * is 8 times that, so outside this band the rounding direction is
         * the exact value's */
        double tol = x * 0x1p-50 + 0x1p-40;
        if (fabs(frac - 0.5) > tol && tol < 0.25) {
            uint64_t r = (uint64_t)fl + (frac > 0.5);
            uint64_t p10 = (uint64_t)scale[prec];
            size_t k = pw_fmt_u64(buf, r / p10);
            if (prec) {
                buf[k++] = '.';
                uint64_t f = r % p10;
                for (int i = prec - 1; i >= 0; i--) {
                    buf[k + (size_t)i] = (char)('0' + f % 10);
                    f /= 10;
                }
                k += (size_t)prec;
            }
            buf[k] = '\0';
            return k;
        }
    }
    int k = snprintf(buf, n, "%.*f", prec, v);
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

size_t pw_fmt_ip4(char *buf, const uint8_t a[4])
{
    size_t k = 0;
    for (int i = 0; i < 4; i++) {
        if (i)
            buf[k++] = '.';
        k += pw_fmt_u64(buf + k, a[i]);
    }
    buf[k] = '\0';
    return k;
}

size_t pw_fmt_ip6(char *buf, const uint8_t a[16])
{
    if (!inet_ntop(AF_INET6, a, buf, 46))
        buf[0] = '\0';
    return strlen(buf);
}

size_t pw_fmt_mac(char *buf, const uint8_t a[6])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        buf[3 * i] = hx[a[i] >> 4];
        buf[3 * i + 1] = hx[a[i] & 15];
        buf[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    return 17;
}
