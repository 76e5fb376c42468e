/* The application stage (see app.h). TCP payloads follow tshark's
 * desegmentation (epan/dissectors/packet-tcp.c, behaviour only):
 *
 *  - A payload that does not continue a pending PDU is handed to the
 *    protocol from its first byte ("a call"). Complete PDUs become items;
 *    the first PDU that does not fit starts a reassembly at its first byte.
 *  - A segment that continues the pending PDU (its sequence number is the
 *    next expected one) is added to it and shows no item, until the PDU is
 *    complete: then the items of the reassembled PDU come first, then
 *    `tcp.segments`, then the items of a new call on whatever follows the
 *    PDU in this segment.
 *  - A retransmission of bytes already taken into a pending PDU shows
 *    nothing; a gap abandons the pending PDU.
 *  - A segment not flagged as a (plain or spurious) retransmission that
 *    starts where a PDU started shows nothing; one that starts inside a
 *    PDU already completed (the one starting last before it) cannot be
 *    added to it: tshark's reassembly error "New fragment overlaps old
 *    data (retransmission?)", so `tcp` then `_ws.malformed`, whatever its
 *    bytes (ndpi/6in4tunnel frame 47, zeek/pppoe-over-qinq frame 58).
 *
 * The protocol of a TCP payload: the conversation's binding (BitTorrent
 * after a handshake), else the lower port's protocol, else the higher
 * port's, else the heuristics (BitTorrent handshake), else `data`. */
#include "dissect/app.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/protos.h"
#include "flow/flowtab.h"
#include "flow/reasm.h"

struct app_dir {
    struct pw_reasm r;
    uint32_t maxnextseq; /* highest sequence number + 1 seen with data */
    bool maxnext_set;
    struct pw_app_pstate st;
    uint32_t isn;
    bool isn_set;
};

struct app_flow {
    uint16_t bound; /* protocol bound to the whole conversation, or 0 */
    uint16_t valid; /* protocol of which a valid PDU was seen, or 0 */
    bool syn_seen;  /* the handshake was captured (not joined mid-stream) */
    struct app_dir dir[2];
};

struct pw_app {
    struct pw_flowtab *flows;
    /* TFTP transfers (RFC 1350 section 4): a request to port 69 makes the
     * server's replies from any port part of the transfer; keyed by
     * (client address and port, server address, port 0) */
    struct pw_flowtab *tftp;
    struct pw_reasm_pool pool;
    bool labels; /* pw_app_want_labels */
};

struct pw_app *pw_app_new(void)
{
    struct pw_app *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->flows = pw_flowtab_new(sizeof(struct app_flow), PW_APP_MAX_FLOWS);
    if (!a->flows) {
        free(a);
        return NULL;
    }
    a->tftp = pw_flowtab_new(1, PW_APP_MAX_FLOWS);
    if (!a->tftp) {
        pw_flowtab_free(a->flows);
        free(a);
        return NULL;
    }
    a->pool.cap = PW_REASM_TOTAL;
    return a;
}

static void free_flow(void *value, void *arg)
{
    struct app_flow *f = value;
    struct pw_app *a = arg;
    pw_reasm_free(&f->dir[0].r, &a->pool);
    pw_reasm_free(&f->dir[1].r, &a->pool);
}

void pw_app_want_labels(struct pw_app *a, bool on)
{
    a->labels = on;
}

void pw_app_free(struct pw_app *a)
{
    if (!a)
        return;
    pw_flowtab_foreach(a->flows, free_flow, a);
    pw_flowtab_free(a->flows);
    pw_flowtab_free(a->tftp);
    pw_reasm_pool_free(&a->pool);
    free(a);
}

/* ---- TCP port table (tshark 4.0 tcp.port defaults, `tshark -G decodes`) */

static const struct pw_tcp_proto *tcp_port_proto(uint16_t port)
{
    switch (port) {
    case 22:
    case 29418: return &pw_tcp_ssh;
    case 53:
    case 5353: return &pw_tcp_dns;
    case 80:
    case 631:
    case 1900:
    case 2710:
    case 2869:
    case 3128:
    case 3132:
    case 3689:
    case 5985:
    case 8080:
    case 8088:
    case 11371: return &pw_tcp_http;
    case 102:
    case 3389: return &pw_tcp_tpkt;
    case 23: return &pw_tcp_telnet;
    case 111: return &pw_tcp_rpc;
    case 25: return &pw_tcp_smtp;
    case 1723: return &pw_tcp_pptp;
    case 5500:
    case 5501:
    case 5900:
    case 5901: return &pw_tcp_vnc;
    case 139:
    case 445: return &pw_tcp_nbss;
    case 324:
    case 443:
    case 465:
    case 636:
    case 802:
    case 853:
    case 993:
    case 995:
    case 1300:
    case 2221:
    case 2443:
    case 3249:
    case 3250:
    case 3251:
    case 3252:
    case 3496:
    case 5061:
    case 5671:
    case 5684:
    case 5868:
    case 8883:
    case 11207:
    case 19999:
    case 27017: return &pw_tcp_tls;
    default:
        if (port >= 6881 && port <= 6889)
            return &pw_tcp_bittorrent;
        return NULL;
    }
}

static const struct pw_tcp_proto *tcp_proto_of(unsigned proto)
{
    switch (proto) {
    case PW_P_BITTORRENT: return &pw_tcp_bittorrent;
    case PW_P_TLS: return &pw_tcp_tls;
    case PW_P_HTTP: return &pw_tcp_http;
    case PW_P_SSH: return &pw_tcp_ssh;
    case PW_P_NBSS: return &pw_tcp_nbss;
    case PW_P_TPKT: return &pw_tcp_tpkt;
    case PW_P_DNS: return &pw_tcp_dns;
    case PW_P_TELNET: return &pw_tcp_telnet;
    case PW_P_SMTP: return &pw_tcp_smtp;
    case PW_P_PPTP: return &pw_tcp_pptp;
    case PW_P_VNC: return &pw_tcp_vnc;
    case PW_P_RPC: return &pw_tcp_rpc;
    default: return NULL;
    }
}

/* ---- layer helpers -------------------------------------------------------- */

struct pw_layer *pw_app_push(struct pw_dctx *d, unsigned proto, const struct pw_cur *c)
{
    struct pw_packet *pkt = d->pkt;
    if (pkt->nlayers > 0) {
        struct pw_layer *last = &pkt->layer[pkt->nlayers - 1];
        /* the messages after an extension handshake's `bencode` stay in
         * the BitTorrent entry before it (tshark lists bittorrent:bencode) */
        if (proto == PW_P_BITTORRENT && last->proto == PW_P_BENCODE && pkt->nlayers > 1 &&
            last[-1].proto == PW_P_BITTORRENT)
            last--;
        bool filling = pkt->nlayers >= PW_MAX_LAYERS - 8;
        if (last->proto == proto && (proto == PW_P_BITTORRENT || filling)) {
            if (!(last->flags & PW_LF_REPEAT)) {
                last->flags |= PW_LF_REPEAT;
                last->u.app.count = 1;
            }
            if (last->u.app.count < UINT32_MAX)
                last->u.app.count++;
            return last;
        }
    }
    struct pw_layer *l = pw_push_layer(d, proto, c);
    if (l) {
        l->hlen = 0;
        l->u.app.count = 1;
        l->u.app.pdu_len = pw_cur_rep_left(c);
        l->u.app.text_off = 0;
        l->u.app.text_len = 0;
    }
    return l;
}

/* `by` and `kind` name a `_ws.*` item (struct pw_layer's ws) */
static void push_pseudo_item(struct pw_dctx *d, unsigned proto, uint32_t off, unsigned by,
                             enum pw_ws_kind kind)
{
    struct pw_cur c = pw_cur_make(d->pkt->data, 0, 0);
    c.off = off;
    struct pw_layer *l = pw_push_layer(d, proto, &c);
    if (l) {
        l->u.ws.proto = (uint16_t)by;
        l->u.ws.kind = (uint8_t)kind;
    }
}

/* ---- TCP ------------------------------------------------------------------- */

struct tcp_seg {
    struct pw_app *a;
    struct app_flow *flow;
    struct app_dir *dir;
    const struct pw_tcp_proto *p;
    struct pw_cur pl; /* the payload */
    uint32_t seq;     /* sequence number of the payload's first byte */
    bool fin;         /* the segment closes its direction */
};

static void dissect_pdu(struct pw_dctx *d, const struct pw_tcp_proto *p, struct pw_cur *c,
                        struct pw_app_pstate *st)
{
    if (p->pdu)
        p->pdu(d, c, st);
    else
        pw_app_push(d, p->proto, c);
}

/* A call that frames several PDUs is one call of the protocol's dissector:
 * tshark lists the protocol once in frame.protocols (what each PDU hands on
 * to, such as smb under nbss, is listed per PDU) while its hierarchy still
 * has a level per PDU. So the protocol's own layer of every PDU after the
 * call's first is left out of the list. */
static void dissect_pdu_in_call(struct pw_dctx *d, const struct pw_tcp_proto *p,
                                struct pw_cur *c, struct pw_app_pstate *st, bool first)
{
    unsigned at = d->pkt->nlayers;
    dissect_pdu(d, p, c, st);
    if (!first && at < d->pkt->nlayers && d->pkt->layer[at].proto == p->proto)
        d->pkt->layer[at].flags |= PW_LF_UNLISTED;
}

/* One call of the protocol on the payload from offset o. */
static void tcp_call(struct pw_dctx *d, struct tcp_seg *s, uint32_t o)
{
    const struct pw_tcp_proto *p = s->p;
    struct pw_cur *pl = &s->pl;
    const uint32_t o0 = o; /* where the call starts */
    if (p->per_call && o < pl->rep) {
        uint32_t avail = pl->cap > o ? pl->cap - o : 0;
        if (p->pdu_len(pl->base + o, avail < pl->rep - o ? avail : pl->rep - o, pl->rep - o,
                       &s->dir->st) == PW_PDU_NONE)
            return;
    }
    if (p->per_call && pl->rep - o >= p->min_call) {
        struct pw_cur at = *pl;
        at.pos = o;
        pw_app_push(d, p->proto, &at);
    }
    while (o < pl->rep) {
        uint32_t left = pl->rep - o;
        uint32_t avail = pl->cap > o ? pl->cap - o : 0;
        if (avail > left)
            avail = left;
        s->dir->st.call_pos = o - o0;
        int64_t n = p->pdu_len(pl->base + o, avail, left, &s->dir->st);
        if (n == PW_PDU_REST || n == PW_PDU_REST_BAD) {
            struct pw_cur rest = pw_cur_make(pl->base + o, avail, left);
            rest.off = pl->off + o;
            if (!p->per_call)
                dissect_pdu_in_call(d, p, &rest, &s->dir->st, o == o0);
            if (n == PW_PDU_REST_BAD)
                push_pseudo_item(d, PW_P_WS_MALFORMED, pl->off + o, p->proto, PW_WS_EXCEPTION);
            return;
        }
        if (n == PW_PDU_UNTIL_FIN && s->fin && avail == left)
            n = left; /* the close is in this very segment */
        if (n > 0 && (uint64_t)n <= left) {
            struct pw_cur pdu = pw_cur_make(pl->base + o, avail < n ? avail : (uint32_t)n,
                                            (uint32_t)n);
            pdu.off = pl->off + o;
            if (p->per_call) {
                if (p->pdu)
                    p->pdu(d, &pdu, &s->dir->st);
            } else {
                dissect_pdu_in_call(d, p, &pdu, &s->dir->st, o == o0);
            }
            o += (uint32_t)n;
            continue;
        }
        if (avail < left) {
            /* bytes missing from the capture: tshark does not reassemble
             * what it cannot see; the dissector runs off the captured end */
            struct pw_cur rest = pw_cur_make(pl->base + o, avail, left);
            rest.off = pl->off + o;
            if (p->proto == PW_P_HTTP)
                dissect_pdu(d, p, &rest, &s->dir->st); /* notes the cut head */
            else if (!p->per_call)
                pw_app_push(d, p->proto, &rest);
            push_pseudo_item(d, PW_P_WS_SHORT, pl->off + o, p->proto, PW_WS_EXCEPTION);
            return;
        }
        uint32_t need = n == PW_PDU_UNTIL_FIN ? PW_REASM_UNTIL_FIN
                        : n > 0              ? (uint32_t)n
                                             : PW_REASM_NEED_MORE;
        pw_reasm_start(&s->dir->r, &s->a->pool, p->proto, s->seq + o, pl->base + o, avail, left,
                       need);
        return;
    }
}

/* Adds a continuation; returns true when the pending PDU completed (its
 * items and `tcp.segments` are pushed and the rest of the segment gets a
 * new call). */
static void tcp_continue(struct pw_dctx *d, struct tcp_seg *s, bool fin)
{
    struct pw_reasm *r = &s->dir->r;
    uint32_t before = r->have;
    uint32_t avail = s->pl.cap < s->pl.rep ? s->pl.cap : s->pl.rep;
    if (s->pl.rep)
        pw_reasm_add(r, &s->a->pool, s->pl.base, avail, s->pl.rep);
    s->dir->st.call_pos = 0;
    if (r->need == PW_REASM_NEED_MORE && r->kept) {
        /* what the buffer lacks was captured but not kept (memory bound):
         * the dissector must not take it for a snaplen cut. (The other
         * pdu_len call on a pending PDU, below, runs only when all of it
         * was kept.) */
        s->dir->st.capped = r->capped && !r->gap;
        int64_t n = s->p->pdu_len(r->buf, r->kept, r->have, &s->dir->st);
        s->dir->st.capped = 0;
        if (n > 0 && s->p->per_call && (uint64_t)n <= r->have)
            /* "one more segment": tshark's pending PDU takes whole segments,
             * so the call on it sees everything up to this segment's end */
            r->need = r->have;
        else if (n > 0)
            r->need = (uint32_t)n;
        else if (n == PW_PDU_UNTIL_FIN)
            r->need = PW_REASM_UNTIL_FIN;
        else if (n == PW_PDU_REST || n == PW_PDU_REST_BAD)
            r->need = r->have;
    }
    bool done;
    uint32_t total;
    if (r->need == PW_REASM_UNTIL_FIN) {
        done = fin;
        total = r->have;
    } else if (r->need == PW_REASM_NEED_MORE) {
        done = false;
        total = 0;
    } else {
        done = r->have >= r->need;
        total = r->need;
    }
    if (!done)
        return;
    /* completed by a FIN without data: tshark draws `tcp.segments` before
     * the reassembled PDU's items */
    bool fin_only = s->pl.rep == 0;
    if (fin_only)
        push_pseudo_item(d, PW_P_TCP_SEGMENTS, s->pl.off, PW_P_TCP, PW_WS_EXPERT);
    unsigned first = d->pkt->nlayers;
    struct pw_cur pdu = pw_cur_make(r->buf, r->kept < total ? r->kept : total, total);
    pdu.off = s->pl.off;
    if (s->p->per_call) {
        pw_app_push(d, s->p->proto, &pdu);
        if (s->p->pdu)
            s->p->pdu(d, &pdu, &s->dir->st);
    } else {
        dissect_pdu(d, s->p, &pdu, &s->dir->st);
    }
    for (unsigned i = first; i < d->pkt->nlayers; i++)
        d->pkt->layer[i].flags |= PW_LF_REASSEMBLED;
    if (!fin_only)
        push_pseudo_item(d, PW_P_TCP_SEGMENTS, s->pl.off, PW_P_TCP, PW_WS_EXPERT);
    if (s->p->per_call && total == r->have && r->kept == r->have) {
        /* the call took whole segments: if its last PDU is incomplete, the
         * protocol asks for the rest of it, starting where it begins */
        uint32_t t = 0;
        int64_t n = 0;
        while (t < r->have) {
            n = s->p->pdu_len(r->buf + t, r->kept - t, r->have - t, &s->dir->st);
            if (n <= 0 || (uint64_t)n > r->have - t)
                break;
            t += (uint32_t)n;
        }
        if (t < r->have && n != PW_PDU_REST && n != PW_PDU_REST_BAD) {
            /* tshark: an incomplete PDU starting in this segment is a new
             * reassembly and the old one is complete; one starting in the
             * earlier segments keeps the old one open */
            if (t > before)
                pw_reasm_completed(r, total);
            pw_reasm_tail(r, t, n > 0 ? (uint32_t)n : PW_REASM_NEED_MORE);
            return;
        }
    }
    pw_reasm_completed(r, total);
    pw_reasm_stop(r, &s->a->pool);
    uint32_t used = total - before; /* bytes of this segment inside the PDU */
    if (used < s->pl.rep)
        tcp_call(d, s, used);
}

static int net_layer_before(const struct pw_packet *pkt, int t)
{
    for (int i = t - 1; i >= 0; i--) {
        const struct pw_layer *l = &pkt->layer[i];
        if (l->proto == PW_P_IP || l->proto == PW_P_IPV6)
            return i;
    }
    return -1;
}

static struct app_flow *flow_of(struct pw_app *a, const struct pw_packet *pkt, int t, int *dir)
{
    int n = net_layer_before(pkt, t);
    if (n < 0)
        return NULL;
    const struct pw_layer *nl = &pkt->layer[n], *tl = &pkt->layer[t];
    struct pw_flow_key k;
    uint16_t sp = tl->proto == PW_P_TCP ? tl->u.tcp.sport : tl->u.udp.sport;
    uint16_t dp = tl->proto == PW_P_TCP ? tl->u.tcp.dport : tl->u.udp.dport;
    uint8_t proto = tl->proto == PW_P_TCP ? 6 : 17;
    if (nl->proto == PW_P_IP)
        pw_flow_key_make(&k, 4, proto, nl->u.ip4.src, sp, nl->u.ip4.dst, dp, dir);
    else
        pw_flow_key_make(&k, 6, proto, nl->u.ip6.src, sp, nl->u.ip6.dst, dp, dir);
    bool created;
    return pw_flowtab_get(a->flows, &k, &created);
}

static void reset_flow(struct pw_app *a, struct app_flow *f)
{
    for (int i = 0; i < 2; i++) {
        pw_reasm_stop(&f->dir[i].r, &a->pool);
        memset(&f->dir[i].st, 0, sizeof(f->dir[i].st));
        f->dir[i].isn_set = false;
        f->dir[i].maxnext_set = false;
        memset(&f->dir[i].r.done, 0, sizeof(f->dir[i].r.done));
    }
    f->bound = 0;
    f->valid = 0;
    f->syn_seen = false;
}

static bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* tshark's TLS heuristic on TCP: a handshake or application data record
 * header (the payload need not follow in the same segment) of SSL 3.0,
 * TLS 1.0-1.2 or GM/T (0x0101), with a length from 1 to 2^14 + 2047. */
static bool tls_heuristic(const uint8_t *p, uint32_t cap)
{
    if (cap < 5 || (p[0] != 0x16 && p[0] != 0x17))
        return false;
    unsigned v = ((unsigned)p[1] << 8) | p[2];
    unsigned n = ((unsigned)p[3] << 8) | p[4];
    if (v != 0x0300 && v != 0x0301 && v != 0x0302 && v != 0x0303 && v != 0x0101)
        return false;
    return n > 0 && n < 16384 + 2048;
}

static void app_tcp(struct pw_packet *pkt, struct pw_app *a, int t, int data)
{
    struct pw_layer *tl = &pkt->layer[t];
    const struct pw_tcp_hdr *h = &tl->u.tcp;
    int dirn = 0;
    bool quoted = (tl->flags & PW_LF_QUOTED) != 0;
    struct app_flow *f = quoted ? NULL : flow_of(a, pkt, t, &dirn);
    struct pw_dctx d = {pkt, 0, false, false, a->labels};

    if (f) {
        struct app_dir *dr = &f->dir[dirn];
        if ((h->flags & (PW_TCP_SYN | PW_TCP_ACK)) == PW_TCP_SYN && dr->isn_set &&
            dr->isn != h->seq)
            reset_flow(a, f); /* a new session on the same ports (port reuse) */
        if (h->flags & PW_TCP_SYN) {
            dr->isn = h->seq;
            dr->isn_set = true;
            f->syn_seen = true;
        }
    }
    uint32_t seq = h->seq + ((h->flags & PW_TCP_SYN) ? 1u : 0u);
    bool fin = (h->flags & PW_TCP_FIN) != 0;

    if (data < 0) {
        /* no payload: only a FIN can complete a PDU that ends with it */
        if (f && fin) {
            struct app_dir *dr = &f->dir[dirn];
            if (dr->r.active && dr->r.need == PW_REASM_UNTIL_FIN && seq == dr->r.next_seq) {
                const struct pw_tcp_proto *p = tcp_proto_of(dr->r.proto);
                if (p) {
                    struct tcp_seg s = {a, f, dr, p, pw_cur_make(pkt->data, 0, 0), seq, true};
                    s.pl.off = tl->off + tl->hlen;
                    tcp_continue(&d, &s, true);
                }
            }
        }
        return;
    }

    struct pw_layer *dl = &pkt->layer[data];
    uint32_t off = dl->off, rep = dl->len;
    uint32_t cap = off < pkt->caplen ? pkt->caplen - off : 0;
    if (cap > rep)
        cap = rep;
    const uint8_t *p = pkt->data + (off < pkt->caplen ? off : 0);

    /* data on a SYN (TCP Fast Open, RFC 7413) goes to the port's protocol
     * like any payload; when no protocol takes it tshark shows nothing */
    bool syn_only = (h->flags & (PW_TCP_SYN | PW_TCP_ACK)) == PW_TCP_SYN;
    /* the flow stage's verdict on this segment (tcp.analysis flags) */
    uint32_t af = (pkt->flow_done && pkt->tcp.layer == t && pkt->tcp.analysed) ? pkt->tcp.aflags : 0;
    if (f && (af & (PW_TA_RETRANSMISSION | PW_TA_SPURIOUS_RETRANSMISSION)) && cap == rep) {
        /* a segment flagged as a (plain or spurious) retransmission is not
         * dissected again: tshark shows it as "Retransmitted TCP segment
         * data", even inside a PDU it reassembled (zeek/pppoe-over-qinq
         * frames 59 and 69) */
        uint32_t nxt = seq + rep;
        struct app_dir *dr = &f->dir[dirn];
        if (!dr->maxnext_set || seq_lt(dr->maxnextseq, nxt)) {
            dr->maxnextseq = nxt;
            dr->maxnext_set = true;
        }
        pkt->nlayers = (uint16_t)data;
        return;
    }
    if (f) {
        /* tshark's reassembly looks at the PDUs it has started before any
         * other rule below: a segment where one of them starts is not
         * dissected, one starting inside a completed one is a reassembly
         * error (its bytes, the same or not, cannot be added) */
        struct app_dir *dr = &f->dir[dirn];
        enum pw_reasm_verdict v = pw_reasm_verdict(&dr->r, seq);
        if (v != PW_REASM_FREE) {
            uint32_t nxt = seq + rep;
            if (!dr->maxnext_set || seq_lt(dr->maxnextseq, nxt)) {
                dr->maxnextseq = nxt;
                dr->maxnext_set = true;
            }
            pkt->nlayers = (uint16_t)data;
            if (v == PW_REASM_OVERLAP) {
                pw_anomaly(&d, PW_AN_TCP_REASM_OVERLAP);
                pw_anomaly(&d, PW_AN_MALFORMED);
                push_pseudo_item(&d, PW_P_WS_MALFORMED, off, PW_P_TCP, PW_WS_REASM_OVERLAP);
            }
            return;
        }
    }
    if (f && (af & PW_TA_FAST_RETRANSMISSION)) {
        /* a fast retransmission is dissected again as a whole */
    } else if (f) {
        /* tshark does not hand already-seen bytes to the dissectors again
         * (desegment_tcp's check against the highest sequence number seen):
         * a segment wholly retransmitted shows nothing past `tcp`, one that
         * overlaps only has its new part dissected */
        struct app_dir *dr = &f->dir[dirn];
        uint32_t nxt = seq + rep;
        if (dr->maxnext_set && !seq_lt(seq, dr->maxnextseq)) {
            dr->maxnextseq = nxt;
        } else if (dr->maxnext_set) {
            if (!seq_lt(dr->maxnextseq, nxt)) {
                pkt->nlayers = (uint16_t)data;
                return;
            }
            uint32_t skip = dr->maxnextseq - seq;
            dr->maxnextseq = nxt;
            off += skip;
            rep -= skip;
            cap = cap > skip ? cap - skip : 0;
            p += cap ? skip : 0;
            seq += skip;
            dl->off = off;
            dl->len = rep;
            dl->hlen = rep;
        } else {
            dr->maxnextseq = nxt;
            dr->maxnext_set = true;
        }
    }

    const struct pw_tcp_proto *pp = NULL;
    if (f && f->bound)
        pp = tcp_proto_of(f->bound);
    if (!pp) {
        uint16_t lo = h->sport < h->dport ? h->sport : h->dport;
        uint16_t hi = h->sport < h->dport ? h->dport : h->sport;
        pp = tcp_port_proto(lo);
        if (!pp)
            pp = tcp_port_proto(hi);
    }
    if (!pp && pw_bittorrent_handshake(p, cap)) {
        pp = &pw_tcp_bittorrent;
        if (f)
            f->bound = PW_P_BITTORRENT;
    }
    if (!pp && cap >= 12 && memcmp(p, "RFB ", 4) == 0 && p[11] == '\n') {
        /* the RFB version handshake (RFC 6143 7.1.1): tshark's VNC
         * heuristic takes the conversation */
        pp = &pw_tcp_vnc;
        if (f)
            f->bound = PW_P_VNC;
    }
    if (!pp && (quoted ? cap >= 6 && p[0] == 0x16 && p[1] == 3 && p[2] <= 4 && p[5] == 1
                       : tls_heuristic(p, cap))) {
        /* a TLS record header: tshark's TLS heuristic takes the
         * conversation */
        pp = &pw_tcp_tls;
        if (f)
            f->bound = PW_P_TLS;
    }
    if (!pp && pw_http_heuristic(p, cap)) {
        pp = &pw_tcp_http;
        if (f)
            f->bound = PW_P_HTTP;
    }
    if (!pp) {
        if (syn_only)
            pkt->nlayers = (uint16_t)data;
        return; /* stays `data` */
    }

    /* (joined mid-stream, tshark takes such data for continuation data) */
    if (pp->declines && f && f->syn_seen && f->valid != pp->proto && cap > 0 &&
        pp->pdu_len(p, cap, rep, f ? &f->dir[dirn].st : NULL) == PW_PDU_REST &&
        !(f && f->dir[dirn].r.active))
        return; /* refused: stays `data` */
    if (f && pp->declines)
        f->valid = pp->proto;
    pkt->nlayers = (uint16_t)data; /* the application layers replace `data` */
    struct pw_cur pl = pw_cur_make(p, cap, rep);
    pl.off = off;
    if (!f) {
        struct app_dir tmp;
        memset(&tmp, 0, sizeof(tmp));
        struct tcp_seg s = {a, NULL, &tmp, pp, pl, seq, fin};
        /* stateless: complete PDUs only */
        unsigned first = pkt->nlayers;
        tcp_call(&d, &s, 0);
        pw_reasm_free(&tmp.r, &a->pool);
        /* TLS over a TCP header quoted in an ICMP error: tshark lists it in
         * frame.protocols but it is not a level of the hierarchy */
        if (quoted)
            for (unsigned i = first; i < pkt->nlayers; i++)
                if (pkt->layer[i].proto == PW_P_TLS)
                    pkt->layer[i].flags |= PW_LF_SUBTREE;
        return;
    }
    struct app_dir *dr = &f->dir[dirn];
    /* the SSH protocol version is the conversation's: a side announcing
     * protocol 1 (not "1.99") makes both directions use its framing */
    dr->st.ssh_v1 = f->dir[0].st.ssh_v1 | f->dir[1].st.ssh_v1;
    /* so is the TLS session's version, which the server's hello settles */
    dr->st.tls_session = f->dir[0].st.tls_session > f->dir[1].st.tls_session
                             ? f->dir[0].st.tls_session
                             : f->dir[1].st.tls_session;
    struct tcp_seg s = {a, f, dr, pp, pl, seq, fin};
    if (dr->r.active) {
        if (dr->r.proto != pp->proto) {
            pw_reasm_stop(&dr->r, &a->pool);
        } else if (seq == dr->r.next_seq) {
            tcp_continue(&d, &s, fin);
            return;
        } else if (seq_lt(seq, dr->r.next_seq) && !seq_lt(seq, dr->r.start_seq)) {
            return; /* retransmitted bytes of the pending PDU */
        } else {
            pw_reasm_stop(&dr->r, &a->pool); /* a gap: the PDU can never complete */
        }
    }
    tcp_call(&d, &s, 0);
}

/* ---- UDP heuristics ------------------------------------------------------- */

#define TFTP_PORT 69

/* TFTP: opcode(2); DATA (3) is block(2) then up to 512 bytes of data,
 * which tshark shows as `data` */
static void tftp_pdu(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_TFTP, c);
    if (!l)
        return;
    uint16_t op = (uint16_t)((pw_cur_peek(c, 0) << 8) | pw_cur_peek(c, 1));
    if (op == 3 && pw_cur_rep_left(c) > 4) {
        pw_cur_skip(c, 4);
        l->hlen = 4;
        pw_data(d, c);
        return;
    }
    l->hlen = l->len;
    c->pos = c->cap;
}

static bool tftp_key(const struct pw_packet *pkt, int u, bool from_client, struct pw_flow_key *k)
{
    int n = net_layer_before(pkt, u);
    if (n < 0)
        return false;
    const struct pw_layer *nl = &pkt->layer[n], *ul = &pkt->layer[u];
    int fam = nl->proto == PW_P_IP ? 4 : 6;
    const uint8_t *src = fam == 4 ? nl->u.ip4.src : nl->u.ip6.src;
    const uint8_t *dst = fam == 4 ? nl->u.ip4.dst : nl->u.ip6.dst;
    int dir;
    if (from_client)
        pw_flow_key_make(k, fam, 17, src, ul->u.udp.sport, dst, 0, &dir);
    else
        pw_flow_key_make(k, fam, 17, dst, ul->u.udp.dport, src, 0, &dir);
    return true;
}

static bool app_tftp(struct pw_app *a, struct pw_packet *pkt, int u, struct pw_cur *c)
{
    const struct pw_layer *ul = &pkt->layer[u];
    struct pw_flow_key k;
    if (ul->flags & PW_LF_QUOTED)
        return false;
    if (ul->u.udp.dport == TFTP_PORT) {
        bool created;
        if (tftp_key(pkt, u, true, &k))
            pw_flowtab_get(a->tftp, &k, &created);
    } else {
        bool known = (tftp_key(pkt, u, true, &k) && pw_flowtab_find(a->tftp, &k)) ||
                     (tftp_key(pkt, u, false, &k) && pw_flowtab_find(a->tftp, &k));
        if (!known)
            return false;
    }
    struct pw_dctx d = {pkt, 0, false, false};
    tftp_pdu(&d, c);
    return true;
}

static void app_udp(struct pw_packet *pkt, struct pw_app *a, int data)
{
    struct pw_layer *dl = &pkt->layer[data];
    uint32_t off = dl->off, rep = dl->len;
    uint32_t cap = off < pkt->caplen ? pkt->caplen - off : 0;
    if (cap > rep)
        cap = rep;
    struct pw_cur c = pw_cur_make(pkt->data + (off < pkt->caplen ? off : 0), cap, rep);
    c.off = off;
    struct pw_dctx d = {pkt, 0, false, false};
    uint16_t saved = pkt->nlayers;
    pkt->nlayers = (uint16_t)data;
    if (app_tftp(a, pkt, data - 1, &c))
        return;
    if (pw_dissect_bt_dht(&d, &c) == PW_DIS_OK)
        return;
    if (pw_dissect_lsd(&d, &c) == PW_DIS_OK)
        return;
    pkt->nlayers = saved;
}

void pw_dissect_app(struct pw_packet *pkt, struct pw_app *a)
{
    int n = pkt->nlayers;
    if (n < 1 || !a)
        return;
    const struct pw_layer *last = &pkt->layer[n - 1];
    if (last->proto == PW_P_DATA && n >= 2) {
        const struct pw_layer *t = &pkt->layer[n - 2];
        if (t->proto == PW_P_TCP)
            app_tcp(pkt, a, n - 2, n - 1);
        else if (t->proto == PW_P_UDP)
            app_udp(pkt, a, n - 1);
    } else if (last->proto == PW_P_TCP && (last->u.tcp.flags & (PW_TCP_FIN | PW_TCP_SYN)) &&
               last->u.tcp.hlen) {
        /* no payload: a SYN starts (or restarts) the conversation's state,
         * a FIN can complete a PDU that ends with the connection */
        app_tcp(pkt, a, n - 1, -1);
    }
}
