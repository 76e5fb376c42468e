/* The `frame` pseudo protocol: fields that describe the record rather than a
 * protocol header (frame.number, frame.len, times, frame.protocols), and the
 * fields of the `data` layers that pw_data() pushes.
 *
 * `frame` is never a layer of struct pw_packet: consumers call these getters
 * once per packet with l == NULL. */
#include <inttypes.h>
#include <stdio.h>

#include "dissect/fget.h"
#include "dissect/protos.h"
#include "dissect/x509.h"

/* Times are nanosecond counts (field.h). A record's fraction is read as a
 * signed int, as tshark reads it, so an out-of-range fraction gives the
 * same (odd) instant tshark computes with. `-T fields` prints frame times
 * from the record itself (src/output/fields.c) to keep tshark's exact text
 * for such files. */
static int64_t ts_ns(struct pw_ts t)
{
    /* wraps (defined, unsigned) for seconds no nanosecond count can hold */
    return (int64_t)((uint64_t)t.sec * 1000000000u + (uint64_t)(int64_t)(int32_t)t.nsec);
}

static int time_value(struct pw_fvalue *out, int max, uint8_t type, int64_t ns)
{
    if (max >= 1) {
        out[0].type = type;
        out[0].v.i = ns;
    }
    return 1;
}

static int get_time(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)l;
    return time_value(out, max, PW_FT_ABSOLUTE_TIME, ts_ns(pkt->rec->ts));
}

static int get_epoch(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)l;
    return time_value(out, max, PW_FT_RELATIVE_TIME, ts_ns(pkt->rec->ts));
}

static int get_offset_shift(const struct pw_packet *pkt, const struct pw_layer *l,
                            struct pw_fvalue *out, int max)
{
    (void)pkt;
    (void)l;
    return time_value(out, max, PW_FT_RELATIVE_TIME, 0);
}

static int get_relative(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    (void)l;
    return time_value(out, max, PW_FT_RELATIVE_TIME,
                      (int64_t)((uint64_t)ts_ns(pkt->rec->ts) - (uint64_t)ts_ns(pkt->ts_first)));
}

static int get_delta(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)l;
    return time_value(out, max, PW_FT_RELATIVE_TIME,
                      (int64_t)((uint64_t)ts_ns(pkt->rec->ts) - (uint64_t)ts_ns(pkt->ts_prev)));
}

/* tshark measures from the last frame that passed the display filter,
 * and while filtering too: a filter on this field sees the delta to the
 * last frame it let through (0 until it let one through). */
static int get_delta_displayed(const struct pw_packet *pkt, const struct pw_layer *l,
                               struct pw_fvalue *out, int max)
{
    (void)l;
    const struct pw_displayed *d = pkt->displayed;
    int64_t ns = 0;
    if (d && d->any)
        ns = (int64_t)((uint64_t)ts_ns(pkt->rec->ts) - (uint64_t)ts_ns(d->ts));
    return time_value(out, max, PW_FT_RELATIVE_TIME, ns);
}

PW_FGET_U(get_number, PW_FT_UINT32, pkt->frame)
PW_FGET_U(get_len, PW_FT_UINT32, pkt->len)
PW_FGET_U(get_cap_len, PW_FT_UINT32, pkt->rec->caplen)
PW_FGET_U(get_false, PW_FT_BOOLEAN, 0)

static int get_encap(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)l;
    if (max >= 1) {
        out[0].type = PW_FT_INT16;
        out[0].v.i = (int64_t)pw_linktype_wtap_encap(pkt->rec->linktype);
    }
    return 1;
}

static int get_comment(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    (void)l;
    if (!pkt->rec->comment)
        return 0;
    return pw_fv_string(out, max, (const uint8_t *)pkt->rec->comment, pkt->rec->comment_len);
}

/* Layers whose next protocol was chosen by an EtherType: tshark then shows
 * the `ethertype` dissector between them and their payload. */
bool pw_ethertype_follows(const struct pw_packet *pkt, unsigned i)
{
    const struct pw_layer *l = &pkt->layer[i];
    if (l->flags & (PW_LF_TRUNCATED | PW_LF_MALFORMED))
        return false;
    switch (l->proto) {
    case PW_P_ETH: /* FabricPath: tshark's Ethernet heuristic, no `ethertype` */
        return l->u.eth.type >= 0x0600 && !(i + 1 < pkt->nlayers && pkt->layer[i + 1].proto == PW_P_CFP);
    case PW_P_VLAN:
    case PW_P_IEEE8021AD: return l->u.vlan.etype >= 0x0600;
    case PW_P_IEEE8021AH: return l->u.tun.next >= 0x0600;
    case PW_P_VNTAG: return true;
    case PW_P_SLL: /* not for netlink (824) or CAN (280) pseudo headers */
        return l->u.sll.proto >= 0x0600 && l->u.sll.hatype != 824 && l->u.sll.hatype != 280;
    default: return false;
    }
}

/* Pseudo layers and tree items tshark does not list in frame.protocols. */
static bool listed(unsigned proto)
{
    return proto != PW_P_WS_MALFORMED && proto != PW_P_WS_SHORT &&
           proto != PW_P_WS_UNREASSEMBLED && proto != PW_P_PKT_COMMENT &&
           proto != PW_P_TCP_SEGMENTS && proto != PW_P_WLAN_MGT;
}

static size_t append(char *buf, size_t n, size_t at, const char *s)
{
    size_t k = strlen(s);
    if (at < n) {
        size_t room = n - at - 1;
        memcpy(buf + at, s, k < room ? k : room);
        buf[at + (k < room ? k : room)] = '\0';
    }
    return at + k;
}

/* frame.protocols: the layer names joined with ':' ("eth:ethertype:ip:tcp") */
static size_t protocols_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx,
                             char *buf, size_t n)
{
    (void)l;
    (void)idx;
    size_t at = 0;
    if (n)
        buf[0] = '\0';
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        if (!listed(pkt->layer[i].proto) || (pkt->layer[i].flags & PW_LF_UNLISTED))
            continue;
        if (pkt->layer[i].proto == PW_P_ASN1_NAMES) {
            /* one entry per dissector call inside the certificates */
            const struct pw_layer *nl = &pkt->layer[i];
            for (unsigned k = nl->u.names.first;
                 k < (unsigned)nl->u.names.first + nl->u.names.count && k < pkt->nnames; k++) {
                if (at)
                    at = append(buf, n, at, ":");
                at = append(buf, n, at, pw_x509_name_str(pkt->names[k]));
            }
            continue;
        }
        if (at)
            at = append(buf, n, at, ":");
        at = append(buf, n, at, pw_proto_abbrev(pkt->layer[i].proto));
        if (pw_ethertype_follows(pkt, i))
            at = append(buf, n, at, ":ethertype");
    }
    return at;
}

static int get_protocols(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct pw_fvalue *out, int max)
{
    if (max >= 1) {
        char tmp[1];
        pw_fv_text(&out[0], protocols_text(pkt, l, 0, tmp, 0));
    }
    return 1;
}

const struct pw_field pw_fields_frame[] = {
    {"frame.time", "Arrival Time", PW_FT_ABSOLUTE_TIME, PW_BASE_NONE, PW_P_FRAME, get_time},
    {"frame.offset_shift", "Time shift for this packet", PW_FT_RELATIVE_TIME, PW_BASE_NONE,
     PW_P_FRAME, get_offset_shift},
    {"frame.time_epoch", "Epoch Time", PW_FT_RELATIVE_TIME, PW_BASE_NONE, PW_P_FRAME, get_epoch},
    {"frame.time_delta", "Time delta from previous captured frame", PW_FT_RELATIVE_TIME,
     PW_BASE_NONE, PW_P_FRAME, get_delta},
    {"frame.time_delta_displayed", "Time delta from previous displayed frame",
     PW_FT_RELATIVE_TIME, PW_BASE_NONE, PW_P_FRAME, get_delta_displayed},
    {"frame.time_relative", "Time since reference or first frame", PW_FT_RELATIVE_TIME,
     PW_BASE_NONE, PW_P_FRAME, get_relative},
    {"frame.number", "Frame Number", PW_FT_UINT32, PW_BASE_DEC, PW_P_FRAME, get_number},
    {"frame.len", "Frame length on the wire", PW_FT_UINT32, PW_BASE_DEC, PW_P_FRAME, get_len},
    {"frame.cap_len", "Frame length stored into the capture file", PW_FT_UINT32, PW_BASE_DEC,
     PW_P_FRAME, get_cap_len},
    {"frame.marked", "Frame is marked", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_FRAME, get_false},
    {"frame.ignored", "Frame is ignored", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_FRAME, get_false},
    {"frame.protocols", "Protocols in frame", PW_FT_STRING, PW_BASE_NONE, PW_P_FRAME, get_protocols,
     protocols_text},
    {"frame.encap_type", "Encapsulation type", PW_FT_INT16, PW_BASE_DEC, PW_P_FRAME, get_encap},
    {"frame.comment", "Comment", PW_FT_STRING, PW_BASE_NONE, PW_P_FRAME, get_comment},
    PW_FIELDS_END,
};

/* data.data: the captured bytes of the layer; data.len: its reported length */
static int get_data(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    if (l->off >= pkt->caplen)
        return 0;
    uint32_t n = pkt->caplen - l->off;
    if (n > l->len)
        n = l->len;
    return pw_fv_bytes(out, max, pkt->data + l->off, n);
}

static int get_data_len(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    (void)pkt;
    if (max >= 1) {
        out[0].type = PW_FT_INT32;
        out[0].v.i = (int64_t)l->len;
    }
    return 1;
}

const struct pw_field pw_fields_data[] = {
    {"data.data", "Data", PW_FT_BYTES, PW_BASE_NONE, PW_P_DATA, get_data},
    {"data.len", "Length", PW_FT_INT32, PW_BASE_DEC, PW_P_DATA, get_data_len},
    PW_FIELDS_END,
};

/* "Frame 1: 62 bytes on wire (496 bits), 62 bytes captured (496 bits)",
 * naming the interface for pcapng packet blocks as tshark does: its name,
 * else its description, else "unknown", and its index in the file */
size_t pw_label_frame(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)l;
    const struct pw_record *rec = pkt->rec;
    size_t at = pw_label_add(buf, n, 0,
                             "Frame %" PRIu64 ": %" PRIu32 " bytes on wire (%" PRIu64
                             " bits), %" PRIu32 " bytes captured (%" PRIu64 " bits)",
                             pkt->frame, rec->len, (uint64_t)rec->len * 8, rec->caplen,
                             (uint64_t)rec->caplen * 8);
    if (rec->iface) {
        const struct pw_iface *ifc = rec->iface;
        const char *name = ifc->name[0] ? ifc->name : ifc->descr[0] ? ifc->descr : "unknown";
        at = pw_label_add(buf, n, at, " on interface %s, id %" PRIu32, name, rec->ifindex);
    }
    return at;
}
