/* `pktwatch info --json`: raw numbers (no humanised units), nanosecond times
 * as integers plus an ISO-8601 string. Key names are documented in the
 * README and stay stable. */
#include "dissect/anomaly.h"
#include "output/info.h"
#include "util/fmt.h"

static json_t *ts_json(struct pw_ts t, int prec)
{
    char b[64];
    json_t *o = json_object();
    json_object_set_new(o, "epoch_ns", json_integer(pw_ts_ns(t)));
    json_object_set_new(o, "text", json_string(pw_fmt_abstime(b, sizeof b, t, prec)));
    return o;
}

json_t *pw_info_json(const struct pw_info *in)
{
    const struct pw_capinfo *ci = pw_reader_capinfo(in->r);
    const struct pw_capinfo_stats *st = in->st;
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(in->name));
    json_object_set_new(o, "format", json_string(pw_format_name(ci->format)));
    json_object_set_new(o, "big_endian", json_boolean(ci->big_endian));
    json_object_set_new(o, "timestamp_precision", json_integer(pw_file_ts_precision(in->r)));
    if (ci->format != PW_FMT_PCAPNG)
        json_object_set_new(o, "snaplen", json_integer(ci->snaplen));
    json_object_set_new(o, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(o, "file_size", in->file_size >= 0 ? json_integer(in->file_size) : json_null());
    json_object_set_new(o, "data_size", json_integer((json_int_t)st->data_bytes));
    json_object_set_new(o, "captured_size", json_integer((json_int_t)st->cap_bytes));
    if (st->trunc_max) {
        json_object_set_new(o, "snaplen_inferred_min", json_integer(st->trunc_min));
        json_object_set_new(o, "snaplen_inferred_max", json_integer(st->trunc_max));
    }
    int64_t dur_ns = st->have_time ? pw_ts_ns(st->last) - pw_ts_ns(st->first) : 0;
    if (st->packets) {
        json_object_set_new(o, "first_packet_time", ts_json(st->first, st->first_prec));
        json_object_set_new(o, "last_packet_time", ts_json(st->last, st->last_prec));
        json_object_set_new(o, "duration_ns", json_integer(dur_ns));
    } else {
        json_object_set_new(o, "first_packet_time", json_null());
        json_object_set_new(o, "last_packet_time", json_null());
        json_object_set_new(o, "duration_ns", json_null());
    }
    double dur = (double)dur_ns / 1e9;
    bool rates = st->packets > 1 && dur > 0;
    json_object_set_new(o, "data_byte_rate", json_real(rates ? (double)st->data_bytes / dur : 0));
    json_object_set_new(o, "data_bit_rate", json_real(rates ? 8.0 * (double)st->data_bytes / dur : 0));
    json_object_set_new(o, "average_packet_size",
                        json_real(st->packets ? (double)st->data_bytes / (double)st->packets : 0));
    json_object_set_new(o, "average_packet_rate", json_real(rates ? (double)st->packets / dur : 0));
    json_object_set_new(o, "strict_time_order", json_boolean(st->strict_order));
    if (in->dg) {
        json_object_set_new(o, "sha256", json_string(in->dg->sha256));
        json_object_set_new(o, "ripemd160", json_string(in->dg->rmd160));
        json_object_set_new(o, "sha1", json_string(in->dg->sha1));
    }
    json_t *enc = json_array();
    for (uint32_t i = 0; i < st->nencaps; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "linktype", json_integer(st->encaps[i].linktype));
        json_object_set_new(e, "name", json_string(pw_linktype_name(st->encaps[i].linktype)));
        json_object_set_new(e, "packets", json_integer((json_int_t)st->encaps[i].packets));
        json_array_append_new(enc, e);
    }
    json_object_set_new(o, "encapsulations", enc);
    json_t *ifs = json_array();
    for (uint32_t i = 0; i < ci->niface; i++) {
        const struct pw_iface *ifc = pw_reader_iface(in->r, i);
        json_t *e = json_object();
        json_object_set_new(e, "index", json_integer(i));
        json_object_set_new(e, "name", json_string(ifc->name));
        json_object_set_new(e, "description", json_string(ifc->descr));
        json_object_set_new(e, "linktype", json_integer(ifc->linktype));
        json_object_set_new(e, "encapsulation", json_string(pw_linktype_name(ifc->linktype)));
        json_object_set_new(e, "snaplen", json_integer(ifc->snaplen));
        json_object_set_new(e, "ticks_per_second", json_integer((json_int_t)ifc->ticks_per_sec));
        json_object_set_new(e, "timestamp_offset", json_integer(ifc->tsoffset));
        json_object_set_new(e, "os", json_string(ifc->os));
        json_object_set_new(e, "packets", json_integer((json_int_t)ifc->packets));
        json_array_append_new(ifs, e);
    }
    json_object_set_new(o, "interfaces", ifs);
    json_t *an = json_object();
    for (unsigned a = 0; a < PW_AN__COUNT; a++)
        if (st->anomaly[a])
            json_object_set_new(an, pw_anomaly_name(a), json_integer((json_int_t)st->anomaly[a]));
    json_object_set_new(o, "anomalous_packets", json_integer((json_int_t)st->anomaly_packets));
    json_object_set_new(o, "anomalies", an);
    if (st->read_status) {
        json_t *d = json_object();
        json_object_set_new(d, "error", json_string(pw_strerror(st->read_status)));
        json_object_set_new(d, "offset", json_integer((json_int_t)st->damage_offset));
        json_object_set_new(o, "damage", d);
    } else {
        json_object_set_new(o, "damage", json_null());
    }
    return o;
}
