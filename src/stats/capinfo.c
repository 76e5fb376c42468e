#include "stats/capinfo.h"

#include <string.h>

void pw_capinfo_init(struct pw_capinfo_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->strict_order = true;
}

static bool ts_less(struct pw_ts a, struct pw_ts b)
{
    return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

void pw_capinfo_packet(struct pw_capinfo_stats *s, const struct pw_record *rec,
                       const struct pw_packet *pkt, int ts_prec)
{
    s->packets++;
    s->data_bytes += rec->len;
    s->cap_bytes += rec->caplen;
    if (!s->have_time) {
        s->have_time = true;
        s->first = s->last = rec->ts;
        s->first_prec = s->last_prec = ts_prec;
    } else {
        if (ts_less(rec->ts, s->prev))
            s->strict_order = false;
        if (ts_less(rec->ts, s->first)) {
            s->first = rec->ts;
            s->first_prec = ts_prec;
        }
        if (ts_less(s->last, rec->ts)) {
            s->last = rec->ts;
            s->last_prec = ts_prec;
        }
    }
    s->prev = rec->ts;
    if (rec->caplen < rec->len) {
        if (s->trunc_max == 0 || rec->caplen < s->trunc_min)
            s->trunc_min = rec->caplen;
        if (rec->caplen > s->trunc_max)
            s->trunc_max = rec->caplen;
    }
    uint32_t i;
    for (i = 0; i < s->nencaps; i++)
        if (s->encaps[i].linktype == rec->linktype)
            break;
    if (i == s->nencaps) {
        if (s->nencaps < PW_CAPINFO_MAX_ENCAPS) {
            s->encaps[s->nencaps].linktype = rec->linktype;
            s->encaps[s->nencaps].packets = 0;
            s->nencaps++;
        } else {
            s->encaps_overflow = true;
            i = PW_CAPINFO_MAX_ENCAPS;
        }
    }
    if (i < PW_CAPINFO_MAX_ENCAPS)
        s->encaps[i].packets++;
    if (pkt && pkt->anomaly_mask) {
        s->anomaly_packets++;
        for (unsigned a = 0; a < PW_AN__COUNT; a++)
            if (pkt->anomaly_mask & (1ull << a))
                s->anomaly[a]++;
    }
}

int pw_iface_ts_precision(const struct pw_iface *ifc)
{
    uint64_t t = ifc->ticks_per_sec;
    int digits = 0;
    if (t <= 1)
        return 0;
    /* digits needed to show one tick: ceil(log10(ticks)) capped at 9 */
    uint64_t p = 1;
    while (p < t && digits < 9) {
        p *= 10;
        digits++;
    }
    return digits;
}

int pw_file_ts_precision(const struct pw_reader *r)
{
    const struct pw_capinfo *ci = pw_reader_capinfo(r);
    if (ci->format == PW_FMT_PCAP)
        return 6;
    if (ci->format == PW_FMT_PCAP_NSEC)
        return 9;
    int prec = -2;
    for (uint32_t i = 0; i < ci->niface; i++) {
        int p = pw_iface_ts_precision(pw_reader_iface(r, i));
        if (prec == -2)
            prec = p;
        else if (prec != p)
            return -1;
    }
    return prec == -2 ? 6 : prec;
}
