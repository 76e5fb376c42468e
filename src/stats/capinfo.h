/* File summary statistics, as capinfos reports them: counts, sizes, time
 * span, rates, interfaces, and the anomalies dissection found. Fed one record
 * (and its dissection) at a time; memory does not grow with packets. */
#ifndef PW_STATS_CAPINFO_H
#define PW_STATS_CAPINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/reader.h"
#include "dissect/packet.h"

#define PW_CAPINFO_MAX_ENCAPS 16

struct pw_capinfo_stats {
    uint64_t packets;
    uint64_t data_bytes; /* sum of original (wire) lengths */
    uint64_t cap_bytes;  /* sum of captured lengths */
    bool have_time;
    struct pw_ts first, last, prev; /* earliest, latest, previous record */
    int first_prec, last_prec;      /* digits of the first/last packet's time */
    bool strict_order;
    uint32_t trunc_min, trunc_max;  /* caplen range over records with caplen < len */
    struct {
        uint32_t linktype;
        uint64_t packets;
    } encaps[PW_CAPINFO_MAX_ENCAPS];
    uint32_t nencaps;
    bool encaps_overflow;

    /* anomalies: packets that showed each one */
    uint64_t anomaly_packets; /* packets with at least one anomaly */
    uint64_t anomaly[PW_AN__COUNT];

    /* end state of the read */
    int read_status; /* 0, or the pw_err that stopped reading */
    uint64_t damage_offset;
};

void pw_capinfo_init(struct pw_capinfo_stats *s);
void pw_capinfo_packet(struct pw_capinfo_stats *s, const struct pw_record *rec,
                       const struct pw_packet *pkt, int ts_prec);

/* Digits of sub-second precision of an interface's timestamps (capinfos'
 * "Time precision"): 6 for microseconds, 9 for nanoseconds, ... */
int pw_iface_ts_precision(const struct pw_iface *ifc);
/* The whole file's precision, or -1 when it differs per packet. */
int pw_file_ts_precision(const struct pw_reader *r);

#endif
