/* TCP conversations and sequence analysis, behaving like tshark 4.0's TCP
 * dissector with its default preferences (analyze_sequence_numbers,
 * relative_sequence_numbers, track_bytes_in_flight, fastrt_supersedes_ooo),
 * as described in docs/wireshark-semantics.md section 4 and checked frame by
 * frame against tshark (tests/conformance/rtt.sh, tests/unit/test_tcp.c).
 *
 * Per TCP header, in tshark's order:
 *   1. Fewer than 16 captured bytes: tshark's header read throws before it
 *      looks up the conversation, so the header gets no stream at all.
 *   2. The conversation of (innermost IP addresses, ports) is found or
 *      created; creating it hands out the next tcp.stream. A SYN without ACK
 *      whose sequence number differs from the base sequence number recorded
 *      for its direction starts a new conversation on the same record (next
 *      stream, tcp.analysis.reused_ports).
 *   3. Unless the header is quoted in an ICMP error or does not fit in its
 *      segment, the segment is analysed: base sequence numbers, the flags
 *      (retransmission, lost segment, duplicate ACK, ...), and the
 *      "unacked" records per direction: every SYN, FIN or data segment is
 *      recorded (at most PW_MAX_TCP_UNACKED per direction); a segment whose
 *      ACK number equals a record's end acknowledges it, tcp.analysis.ack_rtt
 *      is the time since that record (the oldest when several match, so a
 *      retransmitted SYN is timed from the first SYN), and acknowledged
 *      records are dropped. The ACK number is looked at whatever the flags.
 *   4. With a valid header length: a SYN without ACK remembers its time; the
 *      first segment with ACK and without SYN after one sets the stream's
 *      iRTT (tcp.analysis.initial_rtt) to the time since the latest SYN.
 *
 * Times are Wireshark nstime pairs (struct pw_nstime) so that files with
 * out-of-range timestamp fractions give tshark's very numbers. */
#include "flow/tcp.h"

#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/limits.h"

#define SEG_SLAB_SHIFT 12u
#define SEG_SLAB (1u << SEG_SLAB_SHIFT)
#define NS_PER_S 1000000000

/* Bytes of TCP header tshark reads before it looks up the conversation
 * (ports, sequence, acknowledgment, offset/flags, window). */
#define TCP_PRE_CONV_BYTES 16u
#define TCP_MIN_HLEN 20u
#define TCP_MAX_WINDOW_SCALE 14
/* SACK blocks tshark keeps per segment for bytes in flight */
#define TCP_SACK_KEPT 3

enum {
    TH_FIN = 0x001,
    TH_SYN = 0x002,
    TH_RST = 0x004,
    TH_PUSH = 0x008,
    TH_ACK = 0x010,
    TH_MASK = 0x0fff,
};

/* Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4). */
static inline bool seq_gt(uint32_t x, uint32_t y)
{
    return (int32_t)(y - x) < 0;
}
static inline bool seq_lt(uint32_t x, uint32_t y)
{
    return (int32_t)(x - y) < 0;
}
static inline bool seq_le(uint32_t x, uint32_t y)
{
    return (int32_t)(x - y) <= 0;
}

static inline bool nstime_zero(struct pw_nstime t)
{
    return t.sec == 0 && t.nsec == 0;
}

/* Nanoseconds of b - a as tshark's unsigned 64-bit arithmetic computes them
 * for its out-of-order and fast-retransmission windows (a negative interval
 * wraps to a huge one, so it never counts as "recent"). */
static inline uint64_t span_ns(struct pw_nstime b, struct pw_nstime a)
{
    return (uint64_t)(b.sec - a.sec) * (uint64_t)NS_PER_S + (uint64_t)(int64_t)b.nsec -
           (uint64_t)(int64_t)a.nsec;
}

/* ---- unacked-segment pool --------------------------------------------- */

static inline struct pwi_tcp_seg *seg_at(const struct pwi_seg_pool *p, uint32_t i)
{
    return &p->slabs[i >> SEG_SLAB_SHIFT][i & (SEG_SLAB - 1)];
}

static uint32_t seg_alloc(struct pwi_seg_pool *p)
{
    uint32_t i;
    if (p->free_head != PWI_NIL) {
        i = p->free_head;
        p->free_head = seg_at(p, i)->next;
    } else {
        if (p->used == p->nslabs * SEG_SLAB) {
            if (p->used >= UINT32_MAX - SEG_SLAB)
                return PWI_NIL;
            if (p->nslabs == p->slabs_cap) {
                uint32_t ncap = p->slabs_cap ? p->slabs_cap * 2 : 16;
                struct pwi_tcp_seg **ns = realloc(p->slabs, ncap * sizeof(*ns));
                if (!ns)
                    return PWI_NIL;
                p->slabs = ns;
                p->slabs_cap = ncap;
            }
            p->slabs[p->nslabs] = malloc(SEG_SLAB * sizeof(struct pwi_tcp_seg));
            if (!p->slabs[p->nslabs])
                return PWI_NIL;
            p->nslabs++;
        }
        i = p->used++;
    }
    p->live++;
    return i;
}

static void seg_free(struct pwi_seg_pool *p, uint32_t i)
{
    seg_at(p, i)->next = p->free_head;
    p->free_head = i;
    p->live--;
}

/* ---- conversations ---------------------------------------------------- */

static void dir_release(struct pwi_tcp *t, struct pwi_tcp_dir *d)
{
    uint32_t i = d->segs;
    while (i != PWI_NIL) {
        uint32_t next = seg_at(&t->pool, i)->next;
        seg_free(&t->pool, i);
        i = next;
    }
    d->segs = PWI_NIL;
    d->segment_count = 0;
}

/* (Re)starts the record as a new conversation with the next stream number.
 * An old conversation on the same ports is forgotten: tshark keeps it, but
 * in a single pass it can never be found again. */
static void conv_start(struct pwi_tcp *t, struct pwi_tcp_conv *c, uint64_t frame,
                       struct pw_nstime now, bool reuse)
{
    if (reuse) {
        dir_release(t, &c->dir[0]);
        dir_release(t, &c->dir[1]);
        if (c->flow.app && t->app_reset)
            t->app_reset(c->flow.app, t->app_arg);
    }
    memset(c, 0, sizeof(*c));
    c->flow.stream = t->next_stream++;
    c->flow.first_frame = frame;
    c->ts_first = c->ts_prev = now;
    for (int d = 0; d < 2; d++) {
        c->dir[d].segs = PWI_NIL;
        c->dir[d].win_scale = -1;
        c->dir[d].window = UINT32_MAX;
        c->dir[d].valid_bif = true;
    }
}

int pwi_tcp_init(struct pwi_tcp *t, uint32_t max_flows, uint32_t tap_bytes)
{
    memset(t, 0, sizeof(*t));
    t->pool.free_head = PWI_NIL;
    t->tab = pw_flowtab_new(pwi_tap_layout(sizeof(struct pwi_tcp_conv), tap_bytes, &t->tap_off),
                            max_flows);
    return t->tab ? 0 : PW_ERR_NOMEM;
}

static void conv_free_app(void *value, void *arg)
{
    struct pwi_tcp *t = arg;
    struct pwi_tcp_conv *c = value;
    if (c->flow.app && t->app_reset)
        t->app_reset(c->flow.app, t->app_arg);
    c->flow.app = NULL;
}

void pwi_tcp_free(struct pwi_tcp *t)
{
    if (t->tab && t->app_reset)
        pw_flowtab_foreach(t->tab, conv_free_app, t);
    pw_flowtab_free(t->tab);
    for (uint32_t i = 0; i < t->pool.nslabs; i++)
        free(t->pool.slabs[i]);
    free(t->pool.slabs);
    memset(t, 0, sizeof(*t));
}

size_t pwi_tcp_memory(const struct pwi_tcp *t)
{
    return pw_flowtab_memory(t->tab) +
           (size_t)t->pool.nslabs * SEG_SLAB * sizeof(struct pwi_tcp_seg) +
           t->pool.slabs_cap * sizeof(struct pwi_tcp_seg *);
}

/* ---- sequence analysis ------------------------------------------------ */

/* One segment as the analysis sees it. */
struct seg_in {
    uint32_t seq, ack, seglen, window;
    uint16_t flags;
    uint64_t frame;
    struct pw_nstime now;
};

/* What the analysis found (tshark's per-frame "acked" record). */
struct seg_out {
    bool ta; /* a record exists: some result below is set */
    uint32_t aflags;
    uint64_t acks_frame;
    struct pw_nstime ack_rtt;
    uint32_t dupack_num;
    uint64_t dupack_frame;
    uint32_t bytes_in_flight, push_bytes_sent;
};

static inline void flag(struct seg_out *o, uint32_t f)
{
    o->ta = true;
    o->aflags |= f;
}

/* The conditions and their order follow tshark's sequence analysis; each
 * block says what it detects. fwd is the sender's direction. */
static void analyse(struct pwi_tcp *t, struct pwi_tcp_conv *c, struct pwi_tcp_dir *fwd,
                    struct pwi_tcp_dir *rev, const struct seg_in *s, struct seg_out *o)
{
    const uint32_t seq = s->seq, ack = s->ack, seglen = s->seglen, window = s->window;
    const uint16_t flags = s->flags;

    /* Base sequence numbers: the ISN from a SYN, else one before the first
     * sequence number; the peer's from the first ACK number seen. */
    if (!(fwd->sflags & PWI_S_BASE_SEQ_SET)) {
        if (flags & TH_SYN) {
            fwd->base_seq = seq;
            fwd->sflags |= (flags & TH_ACK) ? PWI_S_SAW_SYNACK : PWI_S_SAW_SYN;
        } else {
            fwd->base_seq = seq - 1;
        }
        fwd->sflags |= PWI_S_BASE_SEQ_SET;
    }
    if (!(rev->sflags & PWI_S_BASE_SEQ_SET) && (flags & TH_ACK)) {
        rev->base_seq = ack - 1;
        rev->sflags |= PWI_S_BASE_SEQ_SET;
    }
    if (flags & TH_ACK)
        rev->valid_bif = true;

    /* zero window probe: one byte at the expected sequence number into a
     * closed window */
    if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
        flag(o, PW_TA_ZERO_WINDOW_PROBE);
        goto finished_fwd;
    }
    /* zero window */
    if (window == 0 && (flags & (TH_RST | TH_FIN | TH_SYN)) == 0)
        flag(o, PW_TA_ZERO_WINDOW);
    /* lost segment: beyond the highest sequence number seen so far */
    if (fwd->nextseq && seq_gt(seq, fwd->nextseq) && (flags & TH_RST) == 0) {
        flag(o, PW_TA_LOST_PACKET);
        fwd->valid_bif = false;
    }
    /* keep-alive: 0 or 1 byte starting one before the expected number */
    if ((seglen == 0 || seglen == 1) && seq == fwd->nextseq - 1 &&
        (flags & (TH_SYN | TH_FIN | TH_RST)) == 0)
        flag(o, PW_TA_KEEP_ALIVE);
    /* window update: empty, same seq/ack as before, new window */
    if (seglen == 0 && window && window != fwd->window && seq == fwd->nextseq &&
        ack == fwd->lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) == 0)
        flag(o, PW_TA_WINDOW_UPDATE);
    /* window full: data up to the edge of the peer's advertised window */
    if (seglen > 0 && rev->win_scale != -1 &&
        seq + seglen ==
            rev->lastack + (rev->window << (rev->win_scale == -2 ? 0 : rev->win_scale)) &&
        (flags & (TH_SYN | TH_FIN | TH_RST)) == 0)
        flag(o, PW_TA_WINDOW_FULL);
    /* keep-alive ACK: repeats the previous ACK after a keep-alive */
    if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
        ack == fwd->lastack && (rev->lastsegmentflags & PW_TA_KEEP_ALIVE) &&
        (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
        flag(o, PW_TA_KEEP_ALIVE_ACK);
        goto finished_fwd;
    }
    /* zero window probe ACK */
    if (seglen == 0 && window == 0 && window == fwd->window && seq == fwd->nextseq &&
        ack == fwd->lastack && (rev->lastsegmentflags & PW_TA_ZERO_WINDOW_PROBE) &&
        (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
        flag(o, PW_TA_ZERO_WINDOW_PROBE_ACK);
        goto finished_fwd;
    }
    /* duplicate ACK: empty, same window, seq and ack as the previous one */
    if (seglen == 0 && window && window == fwd->window && seq == fwd->nextseq &&
        ack == fwd->lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
        fwd->dupacknum = fwd->dupacknum == UINT32_MAX ? 1 : fwd->dupacknum + 1;
        flag(o, PW_TA_DUPLICATE_ACK);
        o->dupack_num = fwd->dupacknum;
        o->dupack_frame = fwd->lastnondupack;
    }

finished_fwd:
    if (ack != fwd->lastack) {
        fwd->lastnondupack = s->frame;
        fwd->dupacknum = 0;
    }

    /* ACKed lost segment: acknowledges data we never saw */
    if (rev->maxseqtobeacked && seq_gt(ack, rev->maxseqtobeacked) && (flags & TH_ACK)) {
        o->ta = true;
        if (seq_lt(rev->maxseqtobeacked, rev->nextseq)) {
            rev->maxseqtobeacked = rev->nextseq;
            o->aflags |= PW_TA_ACK_LOST_PACKET;
        } else {
            /* once per gap, even while the peer only sends pure ACKs */
            if (rev->dupacknum == 0)
                o->aflags |= PW_TA_ACK_LOST_PACKET;
            rev->dupacknum = UINT32_MAX;
        }
    }

    /* retransmission, fast retransmission, spurious retransmission,
     * out-of-order: a segment with data (or SYN/FIN) that does not advance
     * the sequence number */
    if (seglen > 0 || (flags & (TH_SYN | TH_FIN))) {
        bool not_advanced = fwd->nextseq && seq_lt(seq, fwd->nextseq);
        if (o->aflags & PW_TA_KEEP_ALIVE)
            goto finished_retrans;
        /* new data after a zero window probe is not a retransmission */
        if (seglen > 1 && fwd->nextseq - 1 == seq)
            not_advanced = false;
        if (seglen > 0 && rev->lastack && seq_le(seq + seglen, rev->lastack)) {
            flag(o, PW_TA_SPURIOUS_RETRANSMISSION);
            goto finished_retrans;
        }
        /* fast retransmission (checked first: it supersedes out-of-order):
         * at least two duplicate ACKs for this sequence number within 20 ms */
        if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq &&
            span_ns(s->now, rev->lastacktime) < 20000000u) {
            flag(o, PW_TA_FAST_RETRANSMISSION);
            goto finished_retrans;
        }
        /* out-of-order: soon after the highest segment (within the iRTT, or
         * 3 ms before it is known) and not simply the next one */
        uint64_t thres =
            nstime_zero(c->ts_first_rtt)
                ? 3000000u
                : (uint64_t)(c->ts_first_rtt.nsec + c->ts_first_rtt.sec * (int64_t)NS_PER_S);
        if (not_advanced && span_ns(s->now, fwd->nextseqtime) < thres &&
            fwd->nextseq != seq + seglen + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u)) {
            flag(o, PW_TA_OUT_OF_ORDER);
            goto finished_retrans;
        }
        if (not_advanced)
            flag(o, PW_TA_RETRANSMISSION);
    }

finished_retrans:;
    /* record SYN, FIN and data segments until they are acknowledged */
    uint32_t nextseq = seq + seglen;
    if ((seglen || (flags & (TH_SYN | TH_FIN)))) {
        if (fwd->segment_count < PW_MAX_TCP_UNACKED) {
            uint32_t i = seg_alloc(&t->pool);
            if (flags & (TH_SYN | TH_FIN))
                nextseq += 1;
            if (i != PWI_NIL) {
                struct pwi_tcp_seg *r = seg_at(&t->pool, i);
                r->next = fwd->segs;
                r->seq = seq;
                r->nextseq = nextseq;
                r->frame = s->frame;
                r->ts = s->now;
                fwd->segs = i;
                fwd->segment_count++;
            } else {
                t->unacked_dropped++;
            }
        } else {
            t->unacked_dropped++;
        }
    }
    /* highest sequence number so far (a zero window probe does not count) */
    if (seq_gt(nextseq, fwd->nextseq) || !fwd->nextseq) {
        if (!(o->aflags & PW_TA_ZERO_WINDOW_PROBE)) {
            fwd->nextseq = nextseq;
            fwd->nextseqframe = s->frame;
            fwd->nextseqtime = s->now;
        }
    }
    /* highest contiguous sequence number, for "ACKed lost segment" */
    if (seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) {
        if (!(o->aflags & PW_TA_ZERO_WINDOW_PROBE))
            fwd->maxseqtobeacked = fwd->nextseq;
    }
    fwd->window = window;
    fwd->lastack = ack;
    fwd->lastacktime = s->now;
    fwd->lastsegmentflags = o->ta ? o->aflags : 0;

    /* The ACK number against the peer's records, newest first: an exact
     * match acknowledges the record (a later, i.e. older, match overrides
     * an earlier one); a number inside a record trims it; records wholly
     * below the number are dropped. */
    uint32_t *link = &rev->segs;
    while (*link != PWI_NIL) {
        uint32_t i = *link;
        struct pwi_tcp_seg *r = seg_at(&t->pool, i);
        if (ack == r->nextseq) {
            o->ta = true;
            o->acks_frame = r->frame;
            o->ack_rtt = pw_nstime_delta(s->now, r->ts);
        } else if (seq_gt(ack, r->seq) && seq_le(ack, r->nextseq)) {
            r->seq = ack;
            continue; /* look at the trimmed record again: it stays */
        } else if (seq_gt(r->nextseq, ack)) {
            link = &r->next;
            continue;
        }
        *link = r->next;
        seg_free(&t->pool, i);
        rev->segment_count--;
    }

    /* bytes in flight (payload-based, tshark's default), and bytes sent
     * since the last PSH */
    if (seglen != 0 && fwd->segs != PWI_NIL && fwd->valid_bif) {
        const struct pwi_tcp_seg *r = seg_at(&t->pool, fwd->segs);
        uint32_t first = r->seq - fwd->base_seq, last = r->nextseq - fwd->base_seq;
        for (uint32_t i = r->next; i != PWI_NIL; i = r->next) {
            r = seg_at(&t->pool, i);
            if (r->nextseq - fwd->base_seq > last)
                last = r->nextseq - fwd->base_seq;
            if (r->seq - fwd->base_seq < first)
                first = r->seq - fwd->base_seq;
        }
        uint32_t in_flight = last - first;
        if (rev->nsack)
            in_flight -= rev->sack_bytes; /* what the peer has SACKed */
        o->ta = true;
        if (in_flight > 0 && in_flight < 2000000000u) {
            o->bytes_in_flight = in_flight;
            if (flags & (TH_SYN | TH_FIN))
                o->bytes_in_flight -= 1;
        }
        if (flags & TH_PUSH) {
            fwd->push_bytes_sent = fwd->push_set_last ? seglen : fwd->push_bytes_sent + seglen;
            fwd->push_set_last = true;
        } else if (fwd->push_set_last) {
            fwd->push_bytes_sent = seglen;
            fwd->push_set_last = false;
        } else {
            fwd->push_bytes_sent += seglen;
        }
        o->push_bytes_sent = fwd->push_bytes_sent;
    }
}

/* The options as tshark stores them while dissecting them: the window
 * scale (shift capped at 14; returned, -1 when absent) and the SACK blocks
 * into d. *complete is false when the option area is cut by the capture
 * (tshark stops with an exception there, before it checks the scaling of
 * the handshake). */
static int walk_options(const struct pw_cur *seg, uint32_t hlen, struct pwi_tcp_dir *d,
                        bool *complete)
{
    struct pw_cur c = *seg;
    int ws = -1;
    *complete = true;
    pw_cur_skip(&c, TCP_MIN_HLEN);
    uint32_t optlen = hlen - TCP_MIN_HLEN;
    if (!pw_cur_has(&c, optlen))
        *complete = false;
    uint32_t end = c.pos + (optlen < pw_cur_left(&c) ? optlen : pw_cur_left(&c));
    while (c.pos < end) {
        uint8_t kind = pw_cur_u8(&c);
        if (kind == 0)
            break;
        if (kind == 1)
            continue;
        if (c.pos >= end)
            break;
        uint8_t len = pw_cur_u8(&c);
        if (len < 2 || len - 2u > end - c.pos)
            break;
        if (kind == 3 && len == 3) {
            int shift = pw_cur_u8(&c);
            ws = shift > TCP_MAX_WINDOW_SCALE ? TCP_MAX_WINDOW_SCALE : shift;
        } else if (kind == 5) {
            uint32_t n = (len - 2u) / 8u, k = 0;
            for (; k < n && d->nsack < TCP_SACK_KEPT; k++) {
                uint32_t left = pw_cur_be32(&c), right = pw_cur_be32(&c);
                d->sack_bytes += right - left;
                d->nsack++;
            }
            pw_cur_skip(&c, len - 2u - 8u * k);
        } else {
            pw_cur_skip(&c, len - 2u);
        }
    }
    return ws;
}

/* tshark's VNC heuristic (ports other than VNC's own 5500-5501 and
 * 5900-5901, a segment that starts with an RFB version string, RFC 6143
 * 7.1.1) creates a new conversation on the segment's ports, which the next
 * segment finds instead of the TCP one: the only such application dissector
 * among those pktwatch has. rfb_start: the TCP segment l (header of hlen
 * bytes) is on ports the heuristic may take and its payload starts like
 * an RFB version string; rfb_segment: one the heuristic can take;
 * vnc_heuristic: the application stage took it. */
static const uint8_t *rfb_start(const struct pw_packet *pkt, const struct pw_layer *l,
                                uint32_t hlen)
{
    static const uint16_t vnc_ports[] = {5500, 5501, 5900, 5901};
    for (size_t i = 0; i < sizeof(vnc_ports) / sizeof(vnc_ports[0]); i++)
        if (l->u.tcp.sport == vnc_ports[i] || l->u.tcp.dport == vnc_ports[i])
            return NULL;
    uint32_t at = l->off + hlen;
    if (at > pkt->caplen || pkt->caplen - at < 12)
        return NULL;
    const uint8_t *p = pkt->data + at;
    return memcmp(p, "RFB ", 4) == 0 && p[11] == '\n' ? p : NULL;
}

static bool rfb_segment(const struct pw_packet *pkt, int li)
{
    const struct pw_layer *l = &pkt->layer[li];
    return !(l->flags & PW_LF_REASSEMBLED) && rfb_start(pkt, l, l->hlen);
}

static bool vnc_heuristic(const struct pw_packet *pkt, int li)
{
    return li + 1 < pkt->nlayers && pkt->layer[li + 1].proto == PW_P_VNC && rfb_segment(pkt, li);
}

bool pwi_tcp_need_app(const struct pw_packet *pkt)
{
    return pkt->tcp.layer >= 0 && !pkt->tcp.quoted && rfb_segment(pkt, pkt->tcp.layer);
}

/* Without the application stage the same case is recognised from the
 * payload alone: a whole segment that is an RFB version string
 * ("RFB xxx.yyy\n", what tshark's heuristic requires), on ports that are
 * not VNC's and not below 1024 (where tshark has a dissector bound to the
 * port, which is tried before any heuristic). */
static bool vnc_payload(const struct pw_packet *pkt, const struct pw_layer *l, uint32_t hlen,
                        uint32_t seglen)
{
    if (seglen != 12 || l->u.tcp.sport < 1024 || l->u.tcp.dport < 1024)
        return false;
    const uint8_t *p = rfb_start(pkt, l, hlen);
    if (!p)
        return false;
    for (int i = 4; i < 11; i++)
        if (i != 7 && (p[i] < '0' || p[i] > '9'))
            return false;
    return p[7] == '.';
}

void pwi_tcp_after_app(struct pwi_tcp *t, const struct pw_packet *pkt)
{
    if (!t->last || pkt->tcp.layer < 0 || pkt->tcp.quoted)
        return;
    if (!t->last->vnc_heur && vnc_heuristic(pkt, pkt->tcp.layer))
        t->last->renew = true;
}

static void address_of(const struct pw_layer *net, int *family, const uint8_t **src,
                       const uint8_t **dst)
{
    if (net->proto == PW_P_IPV6) {
        *family = 6;
        *src = net->u.ip6.src;
        *dst = net->u.ip6.dst;
    } else {
        *family = 4;
        *src = net->u.ip4.src;
        *dst = net->u.ip4.dst;
    }
}

void pwi_tcp_layer(struct pwi_tcp *t, struct pw_packet *pkt, int li, int net)
{
    struct pw_layer *l = &pkt->layer[li];
    l->u.tcp.stream = PW_NO_STREAM;
    /* A header reassembled from several frames (IP fragments) is not in
     * this frame's bytes: its decoded fields are all there is. Otherwise
     * the header is read again from the frame, because what tshark does
     * depends on how many of its bytes were captured (a decoded field does
     * not say that). */
    bool reasm = (l->flags & PW_LF_REASSEMBLED) != 0;
    uint32_t cap;
    if (reasm) {
        cap = (l->flags & PW_LF_TRUNCATED) ? 0 : l->u.tcp.hlen;
    } else {
        if (l->off > pkt->caplen)
            return;
        cap = pkt->caplen - l->off;
        if (cap > l->len)
            cap = l->len;
    }
    if (cap < TCP_PRE_CONV_BYTES)
        return;
    const struct pw_cur seg =
        pw_cur_make(reasm ? NULL : pkt->data + l->off, reasm ? 0 : cap, l->len);
    struct pw_cur c = seg;
    uint16_t sport, dport, ofl;
    struct seg_in s;
    s.seglen = 0;
    if (reasm) {
        sport = l->u.tcp.sport;
        dport = l->u.tcp.dport;
        s.seq = l->u.tcp.seq;
        s.ack = l->u.tcp.ack;
        ofl = (uint16_t)((l->u.tcp.hlen / 4u) << 12 | l->u.tcp.flags);
        s.window = l->u.tcp.win;
    } else {
        sport = pw_cur_be16(&c);
        dport = pw_cur_be16(&c);
        s.seq = pw_cur_be32(&c);
        s.ack = pw_cur_be32(&c);
        ofl = pw_cur_be16(&c);
        s.window = pw_cur_be16(&c);
    }
    s.flags = ofl & TH_MASK;
    s.frame = pkt->frame;
    s.now = pw_nstime_of_ts(pkt->rec->ts);
    uint32_t hlen = (uint32_t)(ofl >> 12) * 4u;
    bool quoted = (l->flags & PW_LF_QUOTED) != 0;

    int family, dir;
    const uint8_t *src, *dst;
    address_of(&pkt->layer[net], &family, &src, &dst);
    struct pw_flow_key key;
    pw_flow_key_make(&key, family, 6, src, sport, dst, dport, &dir);
    bool created;
    struct pwi_tcp_conv *cv = pw_flowtab_get(t->tab, &key, &created);
    if (!cv) {
        t->overflows++;
        return;
    }
    bool renewed = false;
    uint32_t prev_stream = 0;
    if (created) {
        conv_start(t, cv, pkt->frame, s.now, false);
    } else if (cv->renew) {
        renewed = true;
        prev_stream = cv->flow.stream;
        /* an application dissector made a conversation of its own on
         * these ports at the previous segment: tshark finds that one now,
         * without TCP state, so it is a new stream */
        conv_start(t, cv, pkt->frame, s.now, true);
        cv->vnc_heur = true;
    }
    struct pwi_tcp_dir *fwd = &cv->dir[dir], *rev = &cv->dir[!dir];
    struct seg_out o;
    memset(&o, 0, sizeof(o));

    /* port reuse: a new SYN with another initial sequence number */
    if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN && (fwd->sflags & PWI_S_BASE_SEQ_SET)) {
        if (s.seq != fwd->base_seq) {
            renewed = true;
            prev_stream = cv->flow.stream;
            conv_start(t, cv, pkt->frame, s.now, true);
            fwd = &cv->dir[dir];
            rev = &cv->dir[!dir];
            flag(&o, PW_TA_REUSED_PORTS);
        } else {
            /* the same SYN again: the expected sequence number goes back to
             * the highest contiguous one, so that it reads as a
             * retransmission and what follows is judged from there. tshark
             * opens the segment's analysis record here, so a SYN whose
             * ISN was only known from the peer's ACK (the SYN/ACK came
             * first) shows an empty SEQ/ACK analysis tree. */
            fwd->nextseq = fwd->maxseqtobeacked;
            o.ta = true;
        }
    }
    /* a SYN/ACK with another initial sequence number only gets the flag
     * (and becomes the new base) */
    if ((s.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && (fwd->sflags & PWI_S_BASE_SEQ_SET) &&
        s.seq != fwd->base_seq) {
        fwd->base_seq = s.seq;
        flag(&o, PW_TA_REUSED_PORTS);
    }
    l->u.tcp.stream = cv->flow.stream;
    if (t->tap_off && li == pkt->l4)
        pkt->l4_tap = (char *)cv + t->tap_off;
    /* every header of the stream moves its clock, shown or not */
    struct pw_nstime since_first = pw_nstime_delta(s.now, cv->ts_first);
    struct pw_nstime since_prev = pw_nstime_delta(s.now, cv->ts_prev);
    cv->ts_prev = s.now;
    /* SACK blocks count for the segment that carries them only */
    fwd->nsack = 0;
    fwd->sack_bytes = 0;

    bool analysed = !quoted && l->len >= hlen;
    if (analysed) {
        s.seglen = l->len - hlen;
        analyse(t, cv, fwd, rev, &s, &o);
    }

    if (hlen >= TCP_MIN_HLEN) {
        if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN)
            cv->ts_mru_syn = s.now;
        if (s.flags & TH_SYN)
            fwd->is_first_ack = true;
        if ((s.flags & (TH_SYN | TH_ACK)) == TH_ACK && !nstime_zero(cv->ts_mru_syn) &&
            nstime_zero(cv->ts_first_rtt))
            cv->ts_first_rtt = pw_nstime_delta(s.now, cv->ts_mru_syn);
        if ((s.flags & (TH_SYN | TH_ACK)) == TH_ACK)
            fwd->is_first_ack = false;
        /* the options: SACK blocks for the peer's bytes in flight; window
         * scaling, settled while the SYN's options are dissected (a side
         * that does not offer it turns it off for both) */
        bool complete = true;
        int ws = -1;
        if (reasm)
            ws = l->u.tcp.wscale < 0                      ? -1
                 : l->u.tcp.wscale > TCP_MAX_WINDOW_SCALE ? TCP_MAX_WINDOW_SCALE
                                                          : l->u.tcp.wscale;
        else if (hlen > TCP_MIN_HLEN)
            ws = walk_options(&seg, hlen, fwd, &complete);
        if (s.flags & TH_SYN) {
            if (ws >= 0)
                fwd->win_scale = (int8_t)ws;
            if (complete) {
                if (fwd->win_scale == -1) {
                    fwd->win_scale = -2;
                    rev->win_scale = -2;
                } else if ((s.flags & TH_ACK) && rev->win_scale == -2) {
                    fwd->win_scale = -2;
                }
            }
        }
    }

    if (t->no_app && analysed && !reasm && !cv->vnc_heur && vnc_payload(pkt, l, hlen, s.seglen))
        cv->renew = true;

    /* tshark shows the analysis after it has dissected the options: a
     * header that is not all there (cut by the capture, or longer than the
     * segment) ends in an exception first and shows none of it */
    if (hlen < TCP_MIN_HLEN || cap < hlen)
        memset(&o, 0, sizeof(o));
    struct pw_tcp_info *ti = &pkt->tcp;
    memset(ti, 0, sizeof(*ti));
    ti->layer = (int16_t)li;
    ti->quoted = quoted;
    ti->analysed = analysed;
    ti->has_ta = o.ta;
    ti->dir = (uint8_t)dir;
    ti->renewed = renewed;
    ti->prev_stream = prev_stream;
    ti->stream = cv->flow.stream;
    ti->aflags = o.aflags;
    ti->acks_frame = o.acks_frame;
    ti->ack_rtt = o.ack_rtt;
    ti->dupack_num = o.dupack_num;
    ti->dupack_frame = o.dupack_frame;
    ti->bytes_in_flight = o.bytes_in_flight;
    ti->push_bytes_sent = o.push_bytes_sent;
    ti->has_irtt = !nstime_zero(cv->ts_first_rtt);
    ti->initial_rtt = cv->ts_first_rtt;
    ti->calc_window = s.window;
    ti->has_times = hlen >= TCP_MIN_HLEN;
    ti->time_relative = since_first;
    ti->time_delta = since_prev;
    if (!(s.flags & TH_SYN)) {
        ti->has_scalefactor = true;
        ti->win_scalefactor = fwd->win_scale < 0 ? fwd->win_scale : 1 << fwd->win_scale;
        /* a header quoted in an ICMP error shows the factor but is not
         * scaled by it */
        if (fwd->win_scale >= 0 && !quoted)
            ti->calc_window = s.window << fwd->win_scale;
    }
    if (analysed) {
        ti->seglen = s.seglen;
        ti->rel_seq = s.seq - fwd->base_seq;
        ti->rel_ack = (s.flags & TH_ACK) ? s.ack - rev->base_seq : s.ack;
    } else {
        ti->rel_seq = s.seq;
        ti->rel_ack = s.ack;
    }
    t->last = cv;
}
