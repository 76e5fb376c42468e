/* capinfos-compatible text. Label widths, units and the order of lines are
 * those of capinfos 4.0, so scripts that scrape capinfos keep working. */
#include <inttypes.h>
#include <string.h>

#include "dissect/anomaly.h"
#include "output/info.h"
#include "util/fmt.h"

static const char *prec_name(int prec)
{
    switch (prec) {
    case -1: return "per-packet";
    case 0: return "seconds";
    case 1: return "100 milliseconds";
    case 2: return "10 milliseconds";
    case 3: return "milliseconds";
    case 4: return "100 microseconds";
    case 5: return "10 microseconds";
    case 6: return "microseconds";
    case 7: return "100 nanoseconds";
    case 8: return "10 nanoseconds";
    default: return "nanoseconds";
    }
}

static const char *file_type(enum pw_file_format f)
{
    switch (f) {
    case PW_FMT_PCAP: return "Wireshark/tcpdump/... - pcap";
    case PW_FMT_PCAP_NSEC: return "Wireshark/tcpdump/... - nanosecond pcap";
    case PW_FMT_PCAPNG: return "Wireshark/... - pcapng";
    default: return "unknown";
    }
}

/* The file's encapsulation: one link type for all interfaces, or "Per
 * packet" when they differ (as capinfos decides it, from the interfaces). */
static bool single_encap(const struct pw_reader *r, uint32_t *lt)
{
    const struct pw_capinfo *ci = pw_reader_capinfo(r);
    if (ci->format != PW_FMT_PCAPNG || ci->niface == 0) {
        *lt = ci->linktype;
        return true;
    }
    *lt = pw_reader_iface(r, 0)->linktype;
    for (uint32_t i = 1; i < ci->niface; i++)
        if (pw_reader_iface(r, i)->linktype != *lt)
            return false;
    return true;
}

/* capinfos turns each absolute time into a double before subtracting, and
 * its rates carry that rounding (2019 timestamps keep only ~0.2 us), so the
 * same arithmetic is needed to print the same rates. */
static double abs_seconds(struct pw_ts t)
{
    return (double)t.sec + (double)t.nsec / 1e9;
}

void pw_info_text(FILE *f, const struct pw_info *in)
{
    const struct pw_capinfo *ci = pw_reader_capinfo(in->r);
    const struct pw_capinfo_stats *st = in->st;
    char b1[64], b2[64];
    int fprec = pw_file_ts_precision(in->r);
    uint32_t lt;

    fprintf(f, "File name:           %s\n", in->name);
    fprintf(f, "File type:           %s\n", file_type(ci->format));
    if (single_encap(in->r, &lt)) {
        fprintf(f, "File encapsulation:  %s\n", pw_linktype_name(lt));
    } else {
        fprintf(f, "File encapsulation:  Per packet\n");
        fprintf(f, "Encapsulation in use by packets (# of pkts):\n");
        for (uint32_t i = 0; i < st->nencaps; i++)
            fprintf(f, "                     %s (%" PRIu64 ")\n",
                    pw_linktype_name(st->encaps[i].linktype), st->encaps[i].packets);
    }
    fprintf(f, "File timestamp precision:  %s (%d)\n", prec_name(fprec), fprec);
    if (ci->format != PW_FMT_PCAPNG && ci->snaplen)
        fprintf(f, "Packet size limit:   file hdr: %" PRIu32 " bytes\n", ci->snaplen);
    else
        fprintf(f, "Packet size limit:   file hdr: (not set)\n");
    if (st->trunc_max) {
        if (st->trunc_min == st->trunc_max)
            fprintf(f, "Packet size limit:   inferred: %" PRIu32 " bytes\n", st->trunc_min);
        else
            fprintf(f, "Packet size limit:   inferred: %" PRIu32 " bytes - %" PRIu32
                       " bytes (range)\n",
                    st->trunc_min, st->trunc_max);
    }
    fprintf(f, "Number of packets:   %s\n",
            pw_fmt_size(b1, sizeof b1, (int64_t)st->packets, PW_UNIT_NONE));
    if (in->file_size >= 0)
        fprintf(f, "File size:           %s\n", pw_fmt_size(b1, sizeof b1, in->file_size, PW_UNIT_BYTES));
    else
        fprintf(f, "File size:           n/a\n");
    fprintf(f, "Data size:           %s\n",
            pw_fmt_size(b1, sizeof b1, (int64_t)st->data_bytes, PW_UNIT_BYTES));

    int64_t dur_ns = st->have_time ? pw_ts_ns(st->last) - pw_ts_ns(st->first) : 0;
    if (st->packets > 0) {
        fprintf(f, "Capture duration:    %s seconds\n",
                pw_fmt_reltime(b1, sizeof b1, dur_ns,
                               st->first_prec > st->last_prec ? st->first_prec : st->last_prec));
        fprintf(f, "First packet time:   %s\n", pw_fmt_abstime(b1, sizeof b1, st->first, st->first_prec));
        fprintf(f, "Last packet time:    %s\n", pw_fmt_abstime(b2, sizeof b2, st->last, st->last_prec));
    } else {
        fprintf(f, "Capture duration:    n/a\n");
        fprintf(f, "First packet time:   n/a\n");
        fprintf(f, "Last packet time:    n/a\n");
    }
    double dur = st->have_time ? abs_seconds(st->last) - abs_seconds(st->first) : 0;
    double byte_rate = 0, pkt_rate = 0;
    if (dur > 0) {
        byte_rate = (double)st->data_bytes / dur;
        pkt_rate = (double)st->packets / dur;
    }
    fprintf(f, "Data byte rate:      %s\n", pw_fmt_size(b1, sizeof b1, (int64_t)byte_rate, PW_UNIT_BYTES_S));
    fprintf(f, "Data bit rate:       %s\n", pw_fmt_size(b1, sizeof b1, (int64_t)(byte_rate * 8), PW_UNIT_BITS_S));
    fprintf(f, "Average packet size: %.2f bytes\n",
            st->packets ? (double)st->data_bytes / (double)st->packets : 0.0);
    fprintf(f, "Average packet rate: %s\n", pw_fmt_size(b1, sizeof b1, (int64_t)pkt_rate, PW_UNIT_PACKETS_S));
    if (in->dg) {
        fprintf(f, "SHA256:              %s\n", in->dg->sha256);
        fprintf(f, "RIPEMD160:           %s\n", in->dg->rmd160);
        fprintf(f, "SHA1:                %s\n", in->dg->sha1);
    }
    fprintf(f, "Strict time order:   %s\n", st->strict_order ? "True" : "False");
    if (ci->shb_hardware[0])
        fprintf(f, "Capture hardware:    %s\n", ci->shb_hardware);
    if (ci->shb_os[0])
        fprintf(f, "Capture oper-sys:    %s\n", ci->shb_os);
    if (ci->shb_app[0])
        fprintf(f, "Capture application: %s\n", ci->shb_app);
    const char *cm = ci->shb_comments;
    for (uint32_t i = 0; i < ci->nshb_comments; i++) {
        /* one line per comment: line breaks inside become spaces */
        fputs("Capture comment:     ", f);
        for (const char *q = cm; *q; q++)
            fputc(*q == '\n' || *q == '\r' ? ' ' : *q, f);
        fputc('\n', f);
        cm += strlen(cm) + 1;
    }

    fprintf(f, "Number of interfaces in file: %" PRIu32 "\n", ci->niface);
    for (uint32_t i = 0; i < ci->niface; i++) {
        const struct pw_iface *ifc = pw_reader_iface(in->r, i);
        int p = pw_iface_ts_precision(ifc);
        fprintf(f, "Interface #%" PRIu32 " info:\n", i);
        if (ifc->name[0])
            fprintf(f, "                     Name = %s\n", ifc->name);
        if (ifc->descr[0])
            fprintf(f, "                     Description = %s\n", ifc->descr);
        fprintf(f, "                     Encapsulation = %s (%" PRIu32 " - %s)\n",
                pw_linktype_name(ifc->linktype), pw_linktype_wtap_encap(ifc->linktype),
                pw_linktype_short_name(ifc->linktype));
        /* a pcap header snaplen of 0 means "not set"; Wireshark then assumes
         * its largest snap length */
        fprintf(f, "                     Capture length = %" PRIu32 "\n",
                ifc->snaplen ? ifc->snaplen : 262144u);
        fprintf(f, "                     Time precision = %s (%d)\n", prec_name(p), p);
        fprintf(f, "                     Time ticks per second = %" PRIu64 "\n", ifc->ticks_per_sec);
        if (ifc->tsresol_set || ci->format == PW_FMT_PCAP_NSEC)
            fprintf(f, "                     Time resolution = 0x%02x\n", ifc->tsresol);
        if (ifc->filter[0])
            fprintf(f, "                     Filter string = %s\n", ifc->filter);
        if (ifc->os[0])
            fprintf(f, "                     Operating system = %s\n", ifc->os);
        fprintf(f, "                     Number of stat entries = %" PRIu32 "\n", ifc->nstats);
        fprintf(f, "                     Number of packets = %" PRIu64 "\n", ifc->packets);
    }

    if (ci->nrb_ipv4)
        fprintf(f, "Number of resolved IPv4 addresses in file: %" PRIu32 "\n", ci->nrb_ipv4);
    if (ci->nrb_ipv6)
        fprintf(f, "Number of resolved IPv6 addresses in file: %" PRIu32 "\n", ci->nrb_ipv6);
    if (ci->ndsb)
        fprintf(f, "Number of decryption secrets in file: %" PRIu32 "\n", ci->ndsb);

    /* pktwatch's addition: what dissection found wrong. Malformed and
     * truncated are counted as tshark marks frames (_ws.malformed,
     * _ws.short); the other named anomalies follow on one line. */
    fprintf(f, "Malformed packets:   %" PRIu64 "\n", st->anomaly[PW_AN_MALFORMED]);
    fprintf(f, "Truncated packets:   %" PRIu64 "\n", st->anomaly[PW_AN_TRUNCATED]);
    const char *sep = "Other anomalies:     ";
    for (unsigned a = 0; a < PW_AN__COUNT; a++) {
        if (!st->anomaly[a] || a == PW_AN_MALFORMED || a == PW_AN_TRUNCATED)
            continue;
        fprintf(f, "%s%s=%" PRIu64, sep, pw_anomaly_name(a), st->anomaly[a]);
        sep = ", ";
    }
    if (sep[0] == ',')
        fputc('\n', f);
}
