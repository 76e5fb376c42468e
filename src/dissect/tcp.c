/* Transmission Control Protocol (RFC 9293 section 3.1; options: MSS RFC 9293
 * 3.2, window scale and timestamps RFC 7323, SACK RFC 2018, MPTCP RFC 8684,
 * TCP Fast Open RFC 7413):
 *
 *   source port(2) destination port(2) sequence(4) acknowledgment(4)
 *   data offset(4 bits) reserved(3) AE(1) CWR ECE URG ACK PSH RST SYN FIN
 *   window(2) checksum(2) urgent pointer(2) options(offset*4 - 20) payload
 *
 * The segment is the IP payload window, so the payload length is the IP
 * length minus both headers, as tshark computes it. A data offset below 5
 * or past the segment stops after `tcp` with an expert error, like tshark
 * (pw_invalid). Options are walked with forward progress: every option
 * consumes at least one byte and a length below 2 or past the option area
 * ends the walk. A non-empty payload goes to the dissector bound to the
 * lower port, then the higher one, else `data`.
 *
 * Inside an ICMP error only the first 8 bytes of the segment are promised
 * (RFC 792), so a short quoted header is decoded as far as it goes without
 * an error, as tshark does. */
#include <inttypes.h>

#include "dissect/fget.h"
#include "dissect/protos.h"

#define TCP_MIN_HLEN 20u
#define TCP_UPTO_WINDOW 16u /* ports, numbers, offset and flags, window */

enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WSCALE = 3,
    TCPOPT_SACK_PERM = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TIMESTAMP = 8,
};

/* Returns false on an option with an impossible length. */
static bool walk_options(struct pw_cur *o, struct pw_tcp_hdr *h)
{
    while (pw_cur_left(o) > 0) {
        uint8_t kind = pw_cur_u8(o);
        if (kind == TCPOPT_EOL)
            return true;
        if (kind == TCPOPT_NOP)
            continue;
        if (pw_cur_left(o) < 1)
            return false;
        uint8_t len = pw_cur_u8(o);
        if (len < 2 || (uint32_t)(len - 2) > pw_cur_left(o))
            return false;
        struct pw_cur v = pw_cur_sub(o, len - 2u);
        switch (kind) {
        case TCPOPT_MSS:
            if (len == 4)
                h->mss = pw_cur_be16(&v);
            break;
        case TCPOPT_WSCALE:
            if (len == 3)
                h->wscale = (int8_t)(pw_cur_u8(&v) & 0x7f);
            break;
        case TCPOPT_SACK_PERM: h->sack_perm = true; break;
        case TCPOPT_TIMESTAMP:
            if (len == 10) {
                h->has_ts = true;
                h->tsval = pw_cur_be32(&v);
                h->tsecr = pw_cur_be32(&v);
            }
            break;
        default: /* SACK blocks, MPTCP, TFO, experimental: length is enough */ break;
        }
    }
    return true;
}

int pw_dissect_tcp(struct pw_dctx *d, struct pw_cur *c)
{
    if (pw_short_ports(d, PW_P_TCP, c))
        return PW_DIS_OK;
    struct pw_layer *l = pw_push_layer(d, PW_P_TCP, c);
    if (!l)
        return PW_DIS_OK;
    struct pw_tcp_hdr *h = &l->u.tcp;
    h->mss = 0;
    h->wscale = -1;
    h->sack_perm = false;
    h->has_ts = false;
    h->tsval = h->tsecr = 0;
    h->payload_len = 0;

    if (d->in_icmp_error && !pw_cur_has(c, TCP_MIN_HLEN)) {
        /* a quote: ports and sequence number are what RFC 792 promises */
        h->sport = pw_cur_be16(c);
        h->dport = pw_cur_be16(c);
        h->seq = pw_cur_has(c, 4) ? pw_cur_be32(c) : 0;
        h->ack = 0;
        h->flags = 0;
        h->hlen = 0;
        h->win = h->urg = h->cksum = 0;
        l->hlen = c->pos;
        return PW_DIS_OK;
    }

    h->sport = pw_cur_be16(c);
    h->dport = pw_cur_be16(c);
    h->seq = pw_cur_be32(c);
    h->ack = pw_cur_be32(c);
    uint16_t ofl = pw_cur_be16(c);
    h->win = pw_cur_be16(c);
    bool upto_win = !c->err;
    h->cksum = pw_cur_be16(c);
    h->urg = pw_cur_be16(c);
    h->hlen = (uint8_t)((ofl >> 12) * 4);
    h->flags = ofl & 0x0fff;
    l->hlen = h->hlen;
    /* The segment length comes from the reported lengths alone, so tshark
     * has it (tcp.len, the label's Len) as soon as the data offset is
     * captured and valid, even when the snap length then ends in the
     * checksum, the urgent pointer or the options and stops the dissection
     * below (the flow stage's tcp.nxtseq already counts these bytes). */
    if (upto_win && h->hlen >= TCP_MIN_HLEN && h->hlen <= l->len)
        h->payload_len = l->len - h->hlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    pw_set_l4(d, l);
    if (h->hlen < TCP_MIN_HLEN) {
        pw_invalid(d, l, PW_AN_TCP_BAD_HLEN);
        return PW_DIS_OK;
    }
    uint32_t optlen = h->hlen - TCP_MIN_HLEN;
    if (optlen > pw_cur_rep_left(c)) {
        pw_invalid(d, l, PW_AN_TCP_BAD_HLEN);
        return PW_DIS_OK;
    }
    struct pw_cur opts = pw_cur_sub(c, optlen);
    /* decode what was captured, then account for the whole option area so
     * that options cut by the snap length end in `_ws.short` as in tshark */
    struct pw_cur w = opts;
    if (!walk_options(&w, h) && opts.cap == opts.rep)
        pw_anomaly(d, PW_AN_TCP_BAD_OPTION);
    pw_cur_skip(&opts, opts.rep);
    if (!pw_check_cur(d, l, &opts))
        return PW_DIS_OK;

    struct pw_cur payload = pw_cur_rest(c);
    /* RFC 9293 3.5.3 lets a reset carry diagnostic text; tshark shows it
     * inside TCP ("reset cause") rather than as a payload */
    if (payload.rep == 0 || (h->flags & PW_TCP_RST))
        return PW_DIS_OK;
    /* a payload the snap length removed entirely is not handed on either
     * (tshark shows plain `tcp`, no `data`, no `_ws.short`) */
    if (payload.cap == 0)
        return PW_DIS_OK;
    /* what a quoted segment carries is shown as a level again (see
     * PW_LF_SUBTREE), so the payload is not marked quoted */
    bool saved = d->in_icmp_error;
    d->in_icmp_error = false;
    pw_dispatch_ports(d, PW_KS_TCP_PORT, h->sport, h->dport, &payload);
    d->in_icmp_error = saved;
    return PW_DIS_OK;
}

/* ---- fields ---------------------------------------------------------- */

PW_FGET_U(get_srcport, PW_FT_UINT16, l->u.tcp.sport)
PW_FGET_U(get_dstport, PW_FT_UINT16, l->u.tcp.dport)
/* tshark adds the header fields one by one and stops at the first that
 * runs past the captured bytes, so a field exists only when the capture
 * reaches its end. The data offset, the flags and the window go together:
 * tshark has none of them, nor the raw sequence and acknowledgment
 * numbers, until the window is captured. */
static bool captured(const struct pw_packet *pkt, const struct pw_layer *l, uint32_t n)
{
    return l->off < pkt->caplen && pkt->caplen - l->off >= n;
}
#define TCP_UPTO_CKSUM 18u
#define TCP_UPTO_URG 20u

PW_FGET_U_IF(get_seq_raw, PW_FT_UINT32, captured(pkt, l, TCP_UPTO_WINDOW), l->u.tcp.seq)
PW_FGET_U_IF(get_hdr_len, PW_FT_UINT8, captured(pkt, l, TCP_UPTO_WINDOW), l->u.tcp.hlen)
PW_FGET_U_IF(get_win, PW_FT_UINT16, captured(pkt, l, TCP_UPTO_WINDOW), l->u.tcp.win)
/* tcp.len: tshark has no segment length for a header quoted by an ICMP
 * error (the quoting IP length is not trusted), though it still shows the
 * payload, nor when the snap length ends before the window (it stops at
 * the ports then) */
static int get_len(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    if ((l->flags & PW_LF_QUOTED) || !captured(pkt, l, TCP_UPTO_WINDOW))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.tcp.payload_len);
}

static bool full_header(const struct pw_layer *l)
{
    return l->u.tcp.hlen != 0;
}

static int get_port(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    pw_fv_u(out, max, PW_FT_UINT16, l->u.tcp.sport);
    if (max > 1)
        pw_fv_u(out + 1, max - 1, PW_FT_UINT16, l->u.tcp.dport);
    return 2;
}

static int get_ack_raw(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    if (!full_header(l) || !captured(pkt, l, TCP_UPTO_WINDOW))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.tcp.ack);
}

static int get_flags(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    if (!full_header(l) || !captured(pkt, l, TCP_UPTO_WINDOW))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tcp.flags);
}

/* tcp.flags.str: the twelve flag bits from the highest, each as its
 * letter when set and as a middle dot (U+00B7, two bytes of UTF-8) when
 * not: "·······A··S·" is a SYN/ACK, as tshark prints it */
#define TCP_FLAGS_STR_MAX 24u
static size_t flags_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx, char *buf,
                         size_t n)
{
    (void)pkt;
    (void)idx;
    static const char letters[] = "RRRACEUAPRSF";
    char s[TCP_FLAGS_STR_MAX + 1];
    size_t at = 0;
    for (unsigned b = 0; b < 12; b++) {
        if (l->u.tcp.flags & (0x800u >> b)) {
            s[at++] = letters[b];
        } else {
            s[at++] = (char)0xc2;
            s[at++] = (char)0xb7;
        }
    }
    s[at] = '\0';
    if (n) {
        size_t k = at < n - 1 ? at : n - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
    }
    return at;
}

static int get_flags_str(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct pw_fvalue *out, int max)
{
    if (!full_header(l) || !captured(pkt, l, TCP_UPTO_WINDOW))
        return 0;
    if (max >= 1)
        pw_fv_text(&out[0], flags_text(pkt, l, 0, NULL, 0));
    return 1;
}

#define TCP_FLAG_GETTER(fn, bit)                                                                   \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        if (!full_header(l) || !captured(pkt, l, TCP_UPTO_WINDOW))                                 \
            return 0;                                                                              \
        return pw_fv_u(out, max, PW_FT_BOOLEAN, (l->u.tcp.flags & (bit)) != 0);                    \
    }

TCP_FLAG_GETTER(get_fin, PW_TCP_FIN)
TCP_FLAG_GETTER(get_syn, PW_TCP_SYN)
TCP_FLAG_GETTER(get_rst, PW_TCP_RST)
TCP_FLAG_GETTER(get_psh, PW_TCP_PSH)
TCP_FLAG_GETTER(get_ack, PW_TCP_ACK)
TCP_FLAG_GETTER(get_urg, PW_TCP_URG)
TCP_FLAG_GETTER(get_ece, PW_TCP_ECE)
TCP_FLAG_GETTER(get_cwr, PW_TCP_CWR)
TCP_FLAG_GETTER(get_ae, PW_TCP_NS)

static int get_checksum(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    if (!full_header(l) || !captured(pkt, l, TCP_UPTO_CKSUM))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tcp.cksum);
}

PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, PW_CKSUM_UNVERIFIED)

static int get_urgent(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    if (!full_header(l) || !captured(pkt, l, TCP_UPTO_URG))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tcp.urg);
}

static int get_mss(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (!l->u.tcp.mss)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tcp.mss);
}

static int get_wscale(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    (void)pkt;
    if (l->u.tcp.wscale < 0)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, (uint8_t)l->u.tcp.wscale);
}

static int get_tsval(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (!l->u.tcp.has_ts)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.tcp.tsval);
}

static int get_tsecr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (!l->u.tcp.has_ts)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.tcp.tsecr);
}

static int get_sack_perm(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct pw_fvalue *out, int max)
{
    (void)pkt;
    if (!l->u.tcp.sack_perm)
        return 0;
    return pw_fv_u(out, max, PW_FT_PROTOCOL, 0);
}

/* tcp.payload: the captured part of a non-empty payload */
static int get_payload(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    if (!full_header(l) || l->u.tcp.payload_len == 0)
        return 0;
    uint32_t at = l->off + l->hlen;
    if (at >= pkt->caplen)
        return 0;
    uint32_t n = pkt->caplen - at;
    if (n > l->u.tcp.payload_len)
        n = l->u.tcp.payload_len;
    return pw_fv_bytes(out, max, pkt->data + at, n);
}

const struct pw_field pw_fields_tcp[] = {
    {"tcp.srcport", "Source Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_srcport},
    {"tcp.dstport", "Destination Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_dstport},
    {"tcp.port", "Source or Destination Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_port},
    {"tcp.len", "TCP Segment Len", PW_FT_UINT32, PW_BASE_DEC, PW_P_TCP, get_len},
    {"tcp.seq_raw", "Sequence Number (raw)", PW_FT_UINT32, PW_BASE_DEC, PW_P_TCP, get_seq_raw},
    {"tcp.ack_raw", "Acknowledgment number (raw)", PW_FT_UINT32, PW_BASE_DEC, PW_P_TCP,
     get_ack_raw},
    {"tcp.hdr_len", "Header Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_TCP, get_hdr_len},
    {"tcp.flags", "Flags", PW_FT_UINT16, PW_BASE_HEX, PW_P_TCP, get_flags},
    {"tcp.flags.ae", "Accurate ECN", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_ae},
    {"tcp.flags.cwr", "Congestion Window Reduced", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_cwr},
    {"tcp.flags.ece", "ECN-Echo", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_ece},
    {"tcp.flags.urg", "Urgent", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_urg},
    {"tcp.flags.ack", "Acknowledgment", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_ack},
    {"tcp.flags.push", "Push", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_psh},
    {"tcp.flags.reset", "Reset", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_rst},
    {"tcp.flags.syn", "Syn", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_syn},
    {"tcp.flags.fin", "Fin", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_TCP, get_fin},
    {"tcp.flags.str", "TCP Flags", PW_FT_STRING, PW_BASE_NONE, PW_P_TCP, get_flags_str, flags_text},
    {"tcp.window_size_value", "Window", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_win},
    {"tcp.checksum", "Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_TCP, get_checksum},
    {"tcp.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_TCP,
     get_checksum_status},
    {"tcp.urgent_pointer", "Urgent Pointer", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_urgent},
    {"tcp.options.mss_val", "MSS Value", PW_FT_UINT16, PW_BASE_DEC, PW_P_TCP, get_mss},
    {"tcp.options.wscale.shift", "Shift count", PW_FT_UINT8, PW_BASE_DEC, PW_P_TCP, get_wscale},
    {"tcp.options.sack_perm", "TCP Option - SACK permitted", PW_FT_PROTOCOL, PW_BASE_NONE, PW_P_TCP,
     get_sack_perm},
    {"tcp.options.timestamp.tsval", "Timestamp value", PW_FT_UINT32, PW_BASE_DEC, PW_P_TCP,
     get_tsval},
    {"tcp.options.timestamp.tsecr", "Timestamp echo reply", PW_FT_UINT32, PW_BASE_DEC, PW_P_TCP,
     get_tsecr},
    {"tcp.payload", "TCP payload", PW_FT_BYTES, PW_BASE_NONE, PW_P_TCP, get_payload},
    PW_FIELDS_END,
};

/* The sequence numbers tshark shows (tcp.seq, tcp.ack): relative once the
 * flow stage numbered the segment (src/flow/fields.c), else as on the
 * wire. */
static const struct pw_tcp_info *numbered(const struct pw_packet *pkt, const struct pw_layer *l)
{
    if (!pkt->flow_done || pkt->tcp.layer < 0 || &pkt->layer[pkt->tcp.layer] != l ||
        l->u.tcp.stream == PW_NO_STREAM)
        return NULL;
    return &pkt->tcp;
}

/* "Transmission Control Protocol, Src Port: 59856, Dst Port: 80, Seq: 0,
 * Ack: 1, Len: 0". tshark appends the parts as it goes, and running out of
 * data (captured or reported) ends the label where it is: Seq once the
 * header up to the window could be read, Ack and Len once the data offset
 * passed its checks (a snap length ending in the checksum or the urgent
 * pointer does not stop them: tshark reads those later). A header
 * quoted by an ICMP error has no Len (tshark does not trust the quoting IP
 * length). Len is the reported segment length minus the header, also when
 * the capture cut the options. */
size_t pw_label_tcp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const struct pw_tcp_hdr *h = &l->u.tcp;
    uint32_t cap = l->off < pkt->caplen ? pkt->caplen - l->off : 0;
    size_t at = pw_label_add(buf, n, 0, "Transmission Control Protocol, Src Port: %u, Dst Port: %u",
                             h->sport, h->dport);
    if (cap < TCP_UPTO_WINDOW || l->len < TCP_UPTO_WINDOW)
        return at;
    const struct pw_tcp_info *ti = numbered(pkt, l);
    at = pw_label_add(buf, n, at, ", Seq: %" PRIu32, ti ? ti->rel_seq : h->seq);
    bool quoted = (l->flags & PW_LF_QUOTED) != 0;
    if (h->hlen < TCP_MIN_HLEN || (!quoted && h->hlen > l->len) || l->len < TCP_MIN_HLEN)
        return at;
    if (h->flags & PW_TCP_ACK)
        at = pw_label_add(buf, n, at, ", Ack: %" PRIu32, ti ? ti->rel_ack : h->ack);
    if (!quoted)
        at = pw_label_add(buf, n, at, ", Len: %" PRIu32, l->len - h->hlen);
    return at;
}
