/* Handshake RTTs per connection: the tap and the summaries (see rtt.h). */
#include "stats/rtt.h"

#include <stdlib.h>
#include <string.h>

#include "flow/flows.h"
#include "util/error.h"

#define NO_CONN UINT32_MAX

struct pw_rtt {
    struct pw_rtt_conn *conns;
    size_t nconns, cap;
    uint32_t *idx; /* tcp.stream -> index in conns, NO_CONN for none */
    size_t nidx;
    uint64_t streams; /* highest stream seen + 1 */
    bool oom;
    struct pw_rtt_server *servers;
    size_t nservers;
    struct pw_rtt_summary sum;
};

static const char *const outcome_names[] = {
    [PW_RTT_ESTABLISHED] = "established", [PW_RTT_RESET] = "reset",
    [PW_RTT_NO_ANSWER] = "no_answer",     [PW_RTT_SYNACK_WITHOUT_SYN] = "synack_without_syn",
    [PW_RTT_INCOMPLETE] = "incomplete",   [PW_RTT_SIMULTANEOUS_OPEN] = "simultaneous_open",
};

const char *pw_rtt_outcome_name(int outcome)
{
    if (outcome < 0 || (size_t)outcome >= sizeof(outcome_names) / sizeof(outcome_names[0]))
        return "unknown";
    return outcome_names[outcome];
}

struct pw_rtt *pw_rtt_new(void)
{
    return calloc(1, sizeof(struct pw_rtt));
}

void pw_rtt_free(struct pw_rtt *r)
{
    if (!r)
        return;
    free(r->conns);
    free(r->idx);
    free(r->servers);
    free(r);
}

/* Grows the stream index to cover `stream`; doubling keeps the number of
 * reallocations logarithmic in the number of streams. */
static bool index_cover(struct pw_rtt *r, uint32_t stream)
{
    if (stream < r->nidx)
        return true;
    size_t n = r->nidx ? r->nidx : 1024;
    while (n <= stream)
        n *= 2;
    uint32_t *ni = realloc(r->idx, n * sizeof(*ni));
    if (!ni)
        return false;
    memset(ni + r->nidx, 0xff, (n - r->nidx) * sizeof(*ni));
    r->idx = ni;
    r->nidx = n;
    return true;
}

static struct pw_rtt_conn *conn_add(struct pw_rtt *r, uint32_t stream)
{
    if (r->nconns == r->cap) {
        size_t n = r->cap ? r->cap * 2 : 256;
        struct pw_rtt_conn *nc = realloc(r->conns, n * sizeof(*nc));
        if (!nc)
            return NULL;
        r->conns = nc;
        r->cap = n;
    }
    struct pw_rtt_conn *c = &r->conns[r->nconns];
    memset(c, 0, sizeof(*c));
    c->stream = stream;
    r->idx[stream] = (uint32_t)r->nconns++;
    return c;
}

void pw_rtt_packet(struct pw_rtt *r, const struct pw_packet *pkt)
{
    if (!pkt || !pkt->flow_done || r->oom)
        return;
    const struct pw_tcp_info *ti = &pkt->tcp;
    if (ti->layer < 0 || ti->quoted)
        return;
    const struct pw_layer *l = &pkt->layer[ti->layer];
    int net = -1;
    for (int i = ti->layer - 1; i >= 0 && net < 0; i--)
        if (pkt->layer[i].proto == PW_P_IP || pkt->layer[i].proto == PW_P_IPV6)
            net = i;
    if (net < 0)
        return;
    const struct pw_layer *n = &pkt->layer[net];
    uint8_t family = n->proto == PW_P_IPV6 ? 6 : 4;
    size_t alen = family == 6 ? 16 : 4;
    const uint8_t *src = family == 6 ? n->u.ip6.src : n->u.ip4.src;
    const uint8_t *dst = family == 6 ? n->u.ip6.dst : n->u.ip4.dst;
    uint16_t flags = l->u.tcp.flags;
    bool syn = flags & PW_TCP_SYN, ack = flags & PW_TCP_ACK, rst = flags & PW_TCP_RST;
    uint32_t stream = ti->stream;
    if ((uint64_t)stream + 1 > r->streams)
        r->streams = (uint64_t)stream + 1;
    if (!index_cover(r, stream)) {
        r->oom = true;
        return;
    }
    struct pw_nstime now = pw_nstime_of_ts(pkt->rec->ts);
    struct pw_rtt_conn *c = r->idx[stream] == NO_CONN ? NULL : &r->conns[r->idx[stream]];
    if (!c) {
        if (!syn)
            return; /* no handshake seen for this stream */
        c = conn_add(r, stream);
        if (!c) {
            r->oom = true;
            return;
        }
        /* the SYN's sender is the client; with only a SYN/ACK, its
         * receiver */
        c->family = family;
        memcpy(c->client, ack ? dst : src, alen);
        memcpy(c->server, ack ? src : dst, alen);
        c->client_port = ack ? l->u.tcp.dport : l->u.tcp.sport;
        c->server_port = ack ? l->u.tcp.sport : l->u.tcp.dport;
    }
    bool from_client = memcmp(src, c->client, alen) == 0 && l->u.tcp.sport == c->client_port;
    if (syn && !ack) {
        if (!from_client) {
            c->server_syn = true;
        } else if (!c->syn_frame) {
            c->syn_frame = pkt->frame;
            c->syn_time = now;
        } else {
            c->syn_retransmits++;
        }
    } else if (syn && ack && !from_client) {
        if (!c->synack_frame) {
            c->synack_frame = pkt->frame;
            c->synack_time = now;
            c->synack_seq = l->u.tcp.seq;
            if (ti->acks_frame) {
                c->has_handshake_rtt = true;
                c->handshake_rtt = ti->ack_rtt;
            }
        } else if (l->u.tcp.seq == c->synack_seq) {
            c->synack_retransmits++;
        }
    }
    if (rst && !c->client_acked)
        c->rst = true;
    if (from_client && ack && !syn && !rst && c->synack_frame && !c->client_acked) {
        c->client_acked = true;
        c->has_client_rtt = true;
        c->client_rtt = pw_nstime_delta(now, c->synack_time);
    }
    if (ti->has_irtt && !c->has_initial_rtt) {
        c->has_initial_rtt = true;
        c->initial_rtt = ti->initial_rtt;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* rank ceil(p * n / 100), 1-based */
static int64_t nearest_rank(const int64_t *v, uint32_t n, unsigned p)
{
    uint64_t rank = ((uint64_t)p * n + 99) / 100;
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

void pw_rtt_dist_of(int64_t *v, uint32_t n, struct pw_rtt_dist *d)
{
    memset(d, 0, sizeof(*d));
    d->n = n;
    if (!n)
        return;
    qsort(v, n, sizeof(*v), cmp_i64);
    d->min = v[0];
    d->max = v[n - 1];
    d->median = nearest_rank(v, n, 50);
    d->p90 = nearest_rank(v, n, 90);
    d->p99 = nearest_rank(v, n, 99);
}

static int outcome_of(const struct pw_rtt_conn *c)
{
    if (c->server_syn)
        return PW_RTT_SIMULTANEOUS_OPEN;
    if (!c->syn_frame)
        return PW_RTT_SYNACK_WITHOUT_SYN;
    if (c->client_acked)
        return PW_RTT_ESTABLISHED;
    if (c->rst)
        return PW_RTT_RESET;
    return c->synack_frame ? PW_RTT_INCOMPLETE : PW_RTT_NO_ANSWER;
}

/* order for grouping connections by server address */
static int cmp_server(const void *a, const void *b, void *arg)
{
    const struct pw_rtt *r = arg;
    const struct pw_rtt_conn *x = &r->conns[*(const uint32_t *)a];
    const struct pw_rtt_conn *y = &r->conns[*(const uint32_t *)b];
    if (x->family != y->family)
        return x->family - y->family;
    int c = memcmp(x->server, y->server, 16);
    if (c)
        return c;
    return (*(const uint32_t *)a > *(const uint32_t *)b) -
           (*(const uint32_t *)a < *(const uint32_t *)b);
}

struct group {
    uint32_t first; /* index of the group's first connection */
    struct pw_rtt_server s;
};

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->s.connections != y->s.connections)
        return x->s.connections > y->s.connections ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

int pw_rtt_finish(struct pw_rtt *r)
{
    struct pw_rtt_summary *s = &r->sum;
    memset(s, 0, sizeof(*s));
    s->streams = r->streams;
    free(r->servers);
    r->servers = NULL;
    r->nservers = 0;
    if (r->oom)
        return PW_ERR_NOMEM;
    size_t n = r->nconns;
    int64_t *v = malloc((n ? n : 1) * sizeof(*v));
    int64_t *w = malloc((n ? n : 1) * sizeof(*w));
    uint32_t *order = malloc((n ? n : 1) * sizeof(*order));
    struct group *groups = malloc((n ? n : 1) * sizeof(*groups));
    int rc = 0;
    if (!v || !w || !order || !groups) {
        rc = PW_ERR_NOMEM;
        goto out;
    }
    uint32_t nv = 0, nw = 0, ni = 0;
    s->connections = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        struct pw_rtt_conn *c = &r->conns[i];
        c->outcome = (uint8_t)outcome_of(c);
        s->outcomes[c->outcome]++;
        s->syn_retransmits += c->syn_retransmits;
        s->synack_retransmits += c->synack_retransmits;
        if (c->has_handshake_rtt)
            v[nv++] = pw_nstime_ns(c->handshake_rtt);
        if (c->has_client_rtt)
            w[nw++] = pw_nstime_ns(c->client_rtt);
    }
    pw_rtt_dist_of(v, nv, &s->rtt);
    pw_rtt_dist_of(w, nw, &s->client_rtt);
    for (size_t i = 0; i < n; i++)
        if (r->conns[i].has_initial_rtt)
            v[ni++] = pw_nstime_ns(r->conns[i].initial_rtt);
    pw_rtt_dist_of(v, ni, &s->initial_rtt);

    /* the two legs, over connections that have both */
    nv = nw = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pw_rtt_conn *c = &r->conns[i];
        if (c->has_handshake_rtt && c->has_client_rtt) {
            v[nv++] = pw_nstime_ns(c->handshake_rtt);
            w[nw++] = pw_nstime_ns(c->client_rtt);
        }
    }
    struct pw_rtt_dist d1, d2;
    pw_rtt_dist_of(v, nv, &d1);
    pw_rtt_dist_of(w, nw, &d2);
    s->both_legs = nv;
    s->leg1_median = d1.median;
    s->leg2_median = d2.median;
    /* A leg ten times shorter than the other is "near zero": at the
     * server, the SYN/ACK leaves right after the SYN arrives; at the client,
     * the ACK leaves right after the SYN/ACK arrives. */
    if (nv == 0)
        s->side = PW_SIDE_UNKNOWN;
    else if (d2.median > 0 && d1.median * 10 <= d2.median)
        s->side = PW_SIDE_SERVER;
    else if (d1.median > 0 && d2.median * 10 <= d1.median)
        s->side = PW_SIDE_CLIENT;
    else
        s->side = PW_SIDE_MIDDLE;

    /* per server address */
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof(*order), cmp_server, r);
    size_t ng = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        const struct pw_rtt_conn *a = &r->conns[order[i]];
        nv = 0;
        while (j < n && r->conns[order[j]].family == a->family &&
               !memcmp(r->conns[order[j]].server, a->server, 16)) {
            const struct pw_rtt_conn *c = &r->conns[order[j]];
            if (c->has_handshake_rtt)
                v[nv++] = pw_nstime_ns(c->handshake_rtt);
            j++;
        }
        struct group *g = &groups[ng++];
        memset(g, 0, sizeof(*g));
        g->first = order[i]; /* smallest index: the sort breaks ties by index */
        g->s.family = a->family;
        memcpy(g->s.addr, a->server, 16);
        g->s.connections = (uint32_t)(j - i);
        pw_rtt_dist_of(v, nv, &g->s.rtt);
        i = j;
    }
    qsort(groups, ng, sizeof(*groups), cmp_group);
    if (ng) {
        r->servers = malloc(ng * sizeof(*r->servers));
        if (!r->servers) {
            rc = PW_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < ng; i++)
            r->servers[i] = groups[i].s;
        r->nservers = ng;
    }
out:
    free(v);
    free(w);
    free(order);
    free(groups);
    return rc;
}

size_t pw_rtt_nconns(const struct pw_rtt *r)
{
    return r->nconns;
}

const struct pw_rtt_conn *pw_rtt_conn(const struct pw_rtt *r, size_t i)
{
    return i < r->nconns ? &r->conns[i] : NULL;
}

size_t pw_rtt_nservers(const struct pw_rtt *r)
{
    return r->nservers;
}

const struct pw_rtt_server *pw_rtt_server(const struct pw_rtt *r, size_t i)
{
    return i < r->nservers ? &r->servers[i] : NULL;
}

const struct pw_rtt_summary *pw_rtt_summary(const struct pw_rtt *r)
{
    return &r->sum;
}

const char *pw_rtt_side_advice(int side)
{
    switch (side) {
    case PW_SIDE_CLIENT:
        return "The SYN/ACK->ACK leg is near zero: the capture seems to have been taken on the "
               "client side, so the handshake RTT is the client's round trip to the server.";
    case PW_SIDE_SERVER:
        return "The SYN->SYN/ACK leg is near zero: the capture seems to have been taken on the "
               "server side, where the handshake RTT only measures how fast the server answers. "
               "Use the client leg (client_rtt) or the iRTT (initial_rtt) as the round-trip time.";
    case PW_SIDE_MIDDLE:
        return "Both legs carry delay: the capture seems to have been taken between client and "
               "server. The handshake RTT covers only the capture point to the server and back; "
               "the iRTT (initial_rtt) covers the whole round trip.";
    default: return NULL;
    }
}
