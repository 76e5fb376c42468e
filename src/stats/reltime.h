/* Relative time as tshark's statistics see it: frame time minus the time of
 * the first frame of the file, normalised like Wireshark's nstime_delta()
 * (seconds and nanoseconds of the same sign), converted to double the way
 * its taps convert (seconds*1000 + nsecs/1e6 for milliseconds), so that
 * rounding at bucket edges and in printed starts matches byte for byte. */
#ifndef PW_STATS_RELTIME_H
#define PW_STATS_RELTIME_H

#include <stdint.h>

#include "capture/reader.h"

struct pw_reltime {
    int64_t secs;
    int64_t nsecs;
};

static inline struct pw_reltime pw_reltime_delta(struct pw_ts b, struct pw_ts a)
{
    /* b - a exactly as nstime_delta() computes it; a fraction of 1e9 or
     * more, which some files store, is kept as it is, as tshark keeps it */
    struct pw_reltime d;
    d.secs = b.sec - a.sec;
    d.nsecs = (int64_t)b.nsec - (int64_t)a.nsec;
    if (b.sec < a.sec) {
        if (d.nsecs > 0) {
            d.nsecs -= 1000000000;
            d.secs++;
        }
    } else if (b.sec > a.sec) {
        if (d.nsecs < 0) {
            d.nsecs += 1000000000;
            d.secs--;
        }
    }
    return d;
}

static inline double pw_reltime_ms(struct pw_reltime d)
{
    return (double)d.secs * 1000.0 + (double)d.nsecs / 1000000.0;
}

static inline double pw_reltime_sec(struct pw_reltime d)
{
    return (double)d.secs + (double)d.nsecs / 1000000000.0;
}

static inline int pw_reltime_cmp(struct pw_reltime a, struct pw_reltime b)
{
    if (a.secs != b.secs)
        return a.secs < b.secs ? -1 : 1;
    if (a.nsecs != b.nsecs)
        return a.nsecs < b.nsecs ? -1 : 1;
    return 0;
}

#endif
