/* The dissection driver: start at the record's link type, let each
 * dissector hand its payload on through the binding tables, and keep the
 * per-packet record consistent when something is cut short or lies. */
#include "dissect/dissect.h"
#include "dissect/protos.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"

static const char *const proto_abbrev[PW_P__COUNT] = {
#define X(id, abbrev, name) [PW_P_##id] = abbrev,
#include "dissect/protos.def"
#undef X
};

static const char *const proto_names[PW_P__COUNT] = {
#define X(id, abbrev, name) [PW_P_##id] = name,
#include "dissect/protos.def"
#undef X
};

const char *pw_proto_abbrev(unsigned proto)
{
    return proto < PW_P__COUNT ? proto_abbrev[proto] : "";
}

const char *pw_proto_name(unsigned proto)
{
    return proto < PW_P__COUNT ? proto_names[proto] : "";
}

unsigned pw_proto_by_abbrev(const char *abbrev)
{
    for (unsigned i = 1; i < PW_P__COUNT; i++)
        if (strcmp(proto_abbrev[i], abbrev) == 0)
            return i;
    return PW_P_NONE;
}

int pw_packet_find(const struct pw_packet *pkt, unsigned proto, int from)
{
    for (int i = from < 0 ? 0 : from; i < pkt->nlayers; i++)
        if (pkt->layer[i].proto == proto)
            return i;
    return -1;
}

static const char *const anomaly_names[PW_AN__COUNT] = {
#define N(id, name, descr) [PW_AN_##id] = name,
    PW_ANOMALY_LIST(N)
#undef N
};

static const char *const anomaly_descrs[PW_AN__COUNT] = {
#define D(id, name, descr) [PW_AN_##id] = descr,
    PW_ANOMALY_LIST(D)
#undef D
};

const char *pw_anomaly_name(unsigned an)
{
    return an < PW_AN__COUNT ? anomaly_names[an] : "unknown";
}

const char *pw_anomaly_descr(unsigned an)
{
    return an < PW_AN__COUNT ? anomaly_descrs[an] : "unknown";
}

void pw_anomaly(struct pw_dctx *d, enum pw_anomaly an)
{
    struct pw_packet *pkt = d->pkt;
    if (pkt->anomaly_mask & (1ull << an))
        return;
    pkt->anomaly_mask |= 1ull << an;
    if (pkt->nanom < PW_MAX_PKT_ANOMALIES)
        pkt->anom[pkt->nanom++] = (uint8_t)an;
}

struct pw_layer *pw_push_layer(struct pw_dctx *d, unsigned proto, const struct pw_cur *c)
{
    struct pw_packet *pkt = d->pkt;
    if (pkt->nlayers >= PW_MAX_LAYERS) {
        pw_anomaly(d, PW_AN_TOO_MANY_LAYERS);
        return NULL;
    }
    struct pw_layer *l = &pkt->layer[pkt->nlayers++];
    l->proto = (uint16_t)proto;
    l->flags = d->in_icmp_error ? PW_LF_QUOTED : 0;
    l->off = pw_cur_frame_off(c);
    l->hlen = 0;
    l->len = pw_cur_rep_left(c);
    return l;
}

/* Pseudo layers never fail: if the array is full the last slot is reused, so
 * that "this packet is malformed" is never lost. `by` is the layer being
 * dissected when it arose (its protocol names the item). */
static void push_pseudo(struct pw_dctx *d, unsigned proto, const struct pw_layer *by)
{
    uint32_t off = by ? by->off : 0;
    uint16_t culprit = by ? by->proto : PW_P_NONE;
    struct pw_packet *pkt = d->pkt;
    struct pw_layer *l;
    if (pkt->nlayers >= PW_MAX_LAYERS)
        l = &pkt->layer[PW_MAX_LAYERS - 1];
    else
        l = &pkt->layer[pkt->nlayers++];
    l->proto = (uint16_t)proto;
    l->flags = 0;
    l->off = off;
    l->hlen = 0;
    l->len = 0;
    l->u.ws.proto = culprit;
    l->u.ws.kind = PW_WS_EXCEPTION;
}

/* Running past the reported end: malformed, except inside a fragment that
 * was not reassembled, where tshark blames the missing fragments. */
static void past_reported_end(struct pw_dctx *d, const struct pw_layer *l)
{
    if (d->fragmented) {
        pw_anomaly(d, PW_AN_UNREASSEMBLED);
        push_pseudo(d, PW_P_WS_UNREASSEMBLED, l);
    } else {
        pw_anomaly(d, PW_AN_MALFORMED);
        push_pseudo(d, PW_P_WS_MALFORMED, l);
    }
}

void pw_malformed(struct pw_dctx *d, struct pw_layer *l, enum pw_anomaly an)
{
    if (l)
        l->flags |= PW_LF_MALFORMED;
    pw_anomaly(d, an);
    past_reported_end(d, l);
}

bool pw_check_cur(struct pw_dctx *d, struct pw_layer *l, const struct pw_cur *c)
{
    if (!c->err)
        return true;
    if (c->err == PW_CUR_SHORT) {
        if (l)
            l->flags |= PW_LF_TRUNCATED;
        pw_anomaly(d, PW_AN_TRUNCATED);
        push_pseudo(d, PW_P_WS_SHORT, l);
    } else {
        if (l)
            l->flags |= PW_LF_MALFORMED;
        past_reported_end(d, l);
    }
    return false;
}

/* ---- labels ------------------------------------------------------------ */

size_t pw_label_add(char *buf, size_t n, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(at < n ? buf + at : NULL, at < n ? n - at : 0, fmt, ap);
    va_end(ap);
    return k < 0 ? at : at + (size_t)k;
}

size_t pw_label_ip4addr(char *buf, size_t n, size_t at, const uint8_t a[4])
{
    char s[16];
    pw_fmt_ip4(s, a);
    return pw_label_add(buf, n, at, "%s", s);
}

size_t pw_label_ip6addr(char *buf, size_t n, size_t at, const uint8_t a[16])
{
    char s[46];
    pw_fmt_ip6(s, a);
    return pw_label_add(buf, n, at, "%s", s);
}

size_t pw_label_mac(char *buf, size_t n, size_t at, const uint8_t a[6])
{
    char s[18];
    pw_fmt_mac(s, a);
    return pw_label_add(buf, n, at, "%s", s);
}

/* Wireshark's short names where they are not the abbreviation in capitals */
const char *pw_proto_short_name(unsigned proto)
{
    switch (proto) {
    case PW_P_IP: return "IPv4";
    case PW_P_IPV6: return "IPv6";
    case PW_P_IPV6_HOPOPTS: return "IPv6 Hop-by-Hop";
    case PW_P_IPV6_FRAGHDR: return "IPv6 Fragment";
    case PW_P_IPV6_ROUTING: return "IPv6 Routing";
    case PW_P_IPV6_DSTOPTS: return "IPv6 Destination";
    case PW_P_ARP: return "ARP/RARP";
    case PW_P_DHCP: return "DHCP/BOOTP";
    case PW_P_NBDGM: return "NBDS";
    case PW_P_ETH: return "Ethernet";
    case PW_P_WLAN:
    case PW_P_WLAN_MGT: return "IEEE 802.11"; /* one dissector in tshark */
    case PW_P_GTPPRIME: return "GTP";           /* likewise */
    default: break;
    }
    static _Thread_local char up[32];
    const char *a = pw_proto_abbrev(proto);
    size_t i = 0;
    for (; a[i] && i < sizeof(up) - 1; i++)
        up[i] = (char)toupper((unsigned char)a[i]);
    up[i] = '\0';
    return up;
}

/* `_ws.malformed`, `_ws.short`, `_ws.unreassembled`: the texts tshark's
 * exception handler and TCP reassembly give their items */
size_t pw_label_ws(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    if (n)
        buf[0] = '\0';
    if (l->u.ws.kind == PW_WS_REASM_OVERLAP)
        return pw_label_add(buf, n, 0, "[Reassembly error, protocol %s: %s]",
                            pw_proto_short_name(l->u.ws.proto),
                            "New fragment overlaps old data (retransmission?)");
    if (l->u.ws.kind != PW_WS_EXCEPTION || l->u.ws.proto == PW_P_NONE)
        return 0;
    const char *who = pw_proto_short_name(l->u.ws.proto);
    switch (l->proto) {
    case PW_P_WS_MALFORMED: return pw_label_add(buf, n, 0, "[Malformed Packet: %s]", who);
    case PW_P_WS_SHORT:
        return pw_label_add(buf, n, 0, "[Packet size limited during capture: %s truncated]", who);
    case PW_P_WS_UNREASSEMBLED:
        return pw_label_add(buf, n, 0, "[BoundError Unreassembled Packet: %s]", who);
    default: return 0;
    }
}

void pw_data(struct pw_dctx *d, struct pw_cur *c)
{
    if (c->err || pw_cur_rep_left(c) == 0)
        return;
    struct pw_layer *l = pw_push_layer(d, PW_P_DATA, c);
    if (l)
        l->hlen = l->len;
    c->pos = c->cap;
}

void pw_invalid(struct pw_dctx *d, struct pw_layer *l, enum pw_anomaly an)
{
    if (l)
        l->flags |= PW_LF_MALFORMED;
    pw_anomaly(d, an);
}

/* Runs one dissector under the nesting bound. Returns its verdict; a missing
 * dissector counts as "not mine" so that the caller falls back to data. */
static int run_dissector(struct pw_dctx *d, unsigned proto, struct pw_cur *c)
{
    const struct pw_dissector *ds = pw_dissector_for(proto);
    if (!ds || !ds->dissect)
        return PW_DIS_NOT_MINE;
    if (d->depth >= PW_MAX_LAYERS) {
        pw_anomaly(d, PW_AN_TOO_MANY_LAYERS);
        return PW_DIS_OK;
    }
    d->depth++;
    int rc = ds->dissect(d, c);
    d->depth--;
    return rc;
}

void pw_dissect_as(struct pw_dctx *d, unsigned proto, struct pw_cur *c)
{
    if (run_dissector(d, proto, c) == PW_DIS_NOT_MINE)
        pw_data(d, c);
}

void pw_dispatch_ports(struct pw_dctx *d, enum pw_keyspace ks, uint16_t a, uint16_t b,
                       struct pw_cur *c)
{
    uint16_t lo = a < b ? a : b, hi = a < b ? b : a;
    unsigned p = pw_binding_lookup(ks, lo);
    if (p != PW_P_NONE) {
        /* a declining heuristic must leave the cursor alone; give the next
         * candidate a fresh copy all the same */
        struct pw_cur try = *c;
        if (run_dissector(d, p, &try) == PW_DIS_OK) {
            *c = try;
            return;
        }
    }
    if (hi != lo) {
        p = pw_binding_lookup(ks, hi);
        if (p != PW_P_NONE && run_dissector(d, p, c) == PW_DIS_OK)
            return;
    }
    pw_data(d, c);
}

void pw_dispatch(struct pw_dctx *d, enum pw_keyspace ks, uint32_t key, struct pw_cur *c)
{
    unsigned proto = pw_binding_lookup(ks, key);
    if (proto == PW_P_NONE) {
        pw_data(d, c);
        return;
    }
    pw_dissect_as(d, proto, c);
}

void pw_dissect_packet(const struct pw_record *rec, uint64_t frame, struct pw_packet *pkt)
{
    pw_dissect_packet_ipr(rec, frame, pkt, NULL);
}

void pw_dissect_packet_ipr(const struct pw_record *rec, uint64_t frame, struct pw_packet *pkt,
                           struct pw_ipreasm *ipr)
{
    struct pw_dctx d = {pkt, 0, false, false};
    pkt->ipreasm = ipr;
    pkt->rec = rec;
    pkt->data = rec->data;
    pkt->caplen = rec->caplen;
    pkt->len = rec->len;
    pkt->frame = frame;
    pkt->nlayers = 0;
    pkt->nnames = 0;
    pkt->ntext = 0;
    pkt->ntls = 0;
    pkt->l3 = -1;
    pkt->l4 = -1;
    pkt->l4_tap = NULL;
    pkt->anomaly_mask = 0;
    pkt->nanom = 0;

    uint32_t rep = rec->len;
    if (rec->caplen > rec->len) {
        pw_anomaly(&d, PW_AN_CAPLEN_GT_LEN);
        rep = rec->caplen;
    }
    if (rec->comment) {
        struct pw_cur cc = pw_cur_make(rec->data, 0, 0);
        pw_push_layer(&d, PW_P_PKT_COMMENT, &cc);
    }
    struct pw_cur c = pw_cur_make(rec->data, rec->caplen, rep);
    unsigned proto = pw_binding_lookup(PW_KS_LINKTYPE, rec->linktype);
    if (proto == PW_P_NONE) {
        pw_anomaly(&d, PW_AN_UNKNOWN_LINKTYPE);
        pw_data(&d, &c);
        return;
    }
    pw_dissect_as(&d, proto, &c);
}

uint8_t pw_inet_cksum_status(struct pw_cur msg, uint32_t pseudo)
{
    if (msg.err || pw_cur_left(&msg) < pw_cur_rep_left(&msg))
        return PW_CKSUM_UNVERIFIED;
    uint64_t sum = pseudo;
    while (pw_cur_left(&msg) >= 2)
        sum += pw_cur_be16(&msg);
    if (pw_cur_left(&msg) == 1)
        sum += (uint32_t)pw_cur_u8(&msg) << 8; /* RFC 1071: pad the odd byte */
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    /* summing the checksum field too gives all ones when it is right */
    return sum == 0xffff ? PW_CKSUM_GOOD : PW_CKSUM_BAD;
}

bool pw_short_ports(struct pw_dctx *d, unsigned proto, struct pw_cur *c)
{
    if (pw_cur_has(c, 4))
        return false;
    if (d->in_icmp_error && pw_cur_rep_left(c) < 4)
        return true;
    struct pw_layer *l = pw_push_layer(d, proto, c);
    if (!l)
        return true;
    l->flags |= PW_LF_SUBTREE | PW_LF_NOTREE;
    memset(&l->u, 0, sizeof(l->u));
    pw_cur_skip(c, 4);
    pw_check_cur(d, l, c);
    return true;
}

void pw_short_after(struct pw_dctx *d, const struct pw_layer *by)
{
    pw_anomaly(d, PW_AN_TRUNCATED);
    push_pseudo(d, PW_P_WS_SHORT, by);
}
