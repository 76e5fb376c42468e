#include "stats/conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"

/* ---- tcp.stream / udp.stream ------------------------------------------
 * Numbered 0, 1, ... in order of the first frame of each transport
 * conversation (both directions). TCP: a SYN without ACK whose sequence
 * number differs from the one recorded for its direction starts a new
 * stream (port reuse, wireshark-semantics.md section 4). */
struct stream_key {
    uint8_t alen, proto, pad[2];
    uint8_t a[16], b[16];
    uint16_t pa, pb;
};

struct stream_state {
    uint32_t id;
    uint32_t base[2];
    uint8_t base_set[2];
};

struct pw_stream_track {
    struct pw_keytab idx;
    struct stream_state *st;
    uint32_t cap;
    uint32_t next_id;
};

static struct pw_stream_track *streams_new(void)
{
    struct pw_stream_track *s = calloc(1, sizeof(*s));
    if (!s || pw_keytab_init(&s->idx, sizeof(struct stream_key)) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void streams_free(struct pw_stream_track *s)
{
    if (!s)
        return;
    pw_keytab_free(&s->idx);
    free(s->st);
    free(s);
}

/* Orders the two endpoints; returns 1 when src is the second one. */
static int canon(const struct pw_conv_addr *src, const struct pw_conv_addr *dst,
                 const struct pw_conv_addr **lo, const struct pw_conv_addr **hi)
{
    int c = memcmp(src->a, dst->a, src->len);
    if (c == 0)
        c = src->port < dst->port ? -1 : src->port > dst->port;
    if (c <= 0) {
        *lo = src;
        *hi = dst;
        return 0;
    }
    *lo = dst;
    *hi = src;
    return 1;
}

static int64_t stream_of(struct pw_stream_track *s, uint8_t proto, const struct pw_conv_addr *src,
                         const struct pw_conv_addr *dst, const struct pw_layer *t)
{
    struct stream_key k;
    const struct pw_conv_addr *lo, *hi;
    memset(&k, 0, sizeof(k));
    int dir = canon(src, dst, &lo, &hi);
    k.alen = src->len;
    k.proto = proto;
    memcpy(k.a, lo->a, lo->len);
    memcpy(k.b, hi->a, hi->len);
    k.pa = lo->port;
    k.pb = hi->port;
    bool created;
    int64_t i = pw_keytab_get(&s->idx, &k, &created);
    if (i < 0)
        return -1;
    if (created) {
        void *arr = s->st;
        if (pw_grow(&arr, &s->cap, (uint32_t)i + 1, sizeof(*s->st)) < 0)
            return -1;
        s->st = arr;
        memset(&s->st[i], 0, sizeof(s->st[i]));
        s->st[i].id = s->next_id++;
    }
    struct stream_state *st = &s->st[i];
    if (proto == 6 && t->u.tcp.hlen) {
        uint16_t fl = t->u.tcp.flags;
        uint32_t seq = t->u.tcp.seq;
        if ((fl & (PW_TCP_SYN | PW_TCP_ACK)) == PW_TCP_SYN) {
            if (st->base_set[dir] && st->base[dir] != seq) {
                st->id = s->next_id++;
                st->base_set[!dir] = 0;
            }
            st->base[dir] = seq;
            st->base_set[dir] = 1;
        } else if (!st->base_set[dir]) {
            /* without a SYN the relative base is the sequence before the
             * first byte seen */
            st->base[dir] = (fl & PW_TCP_SYN) ? seq : seq - 1;
            st->base_set[dir] = 1;
        }
    }
    return st->id;
}

/* ---- tables -------------------------------------------------------------- */

struct conv_key {
    uint8_t alen, pad[3];
    uint8_t a[16], b[16];
    uint16_t pa, pb;
    uint32_t id;
};

struct ep_key {
    uint8_t alen, pad;
    uint16_t port;
    uint8_t a[16];
};

struct pw_convtab *pw_convtab_new(enum pw_conv_kind kind, int endpoints)
{
    struct pw_convtab *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->kind = kind;
    t->endpoints = endpoints;
    if (pw_keytab_init(&t->idx, endpoints ? sizeof(struct ep_key) : sizeof(struct conv_key)) < 0) {
        free(t);
        return NULL;
    }
    if (!endpoints && (kind == PW_CT_TCP || kind == PW_CT_UDP)) {
        t->streams = streams_new();
        if (!t->streams) {
            pw_keytab_free(&t->idx);
            free(t);
            return NULL;
        }
    }
    return t;
}

void pw_convtab_free(struct pw_convtab *t)
{
    if (!t)
        return;
    pw_keytab_free(&t->idx);
    free(t->conv);
    free(t->ep);
    streams_free(t->streams);
    free(t);
}

static void ep_add(struct pw_convtab *t, const struct pw_conv_addr *a, int tx, uint64_t bytes)
{
    struct ep_key k;
    memset(&k, 0, sizeof(k));
    k.alen = a->len;
    k.port = a->port;
    memcpy(k.a, a->a, a->len);
    bool created;
    int64_t i = pw_keytab_get(&t->idx, &k, &created);
    if (i < 0) {
        t->oom = 1;
        return;
    }
    if (created) {
        void *arr = t->ep;
        if (pw_grow(&arr, &t->cap, (uint32_t)i + 1, sizeof(*t->ep)) < 0) {
            t->oom = 1;
            return;
        }
        t->ep = arr;
        memset(&t->ep[i], 0, sizeof(t->ep[i]));
        t->ep[i].a = *a;
        t->n = (uint32_t)i + 1;
    }
    struct pw_endpoint *e = &t->ep[i];
    if (tx) {
        e->tx_frames++;
        e->tx_bytes += bytes;
    } else {
        e->rx_frames++;
        e->rx_bytes += bytes;
    }
}

static void conv_add(struct pw_convtab *t, const struct pw_conv_addr *src,
                     const struct pw_conv_addr *dst, uint32_t id, uint64_t bytes,
                     struct pw_reltime ts)
{
    struct conv_key k;
    const struct pw_conv_addr *lo, *hi;
    memset(&k, 0, sizeof(k));
    canon(src, dst, &lo, &hi);
    k.alen = src->len;
    memcpy(k.a, lo->a, lo->len);
    memcpy(k.b, hi->a, hi->len);
    k.pa = lo->port;
    k.pb = hi->port;
    k.id = id;
    bool created;
    int64_t i = pw_keytab_get(&t->idx, &k, &created);
    if (i < 0) {
        t->oom = 1;
        return;
    }
    if (created) {
        void *arr = t->conv;
        if (pw_grow(&arr, &t->cap, (uint32_t)i + 1, sizeof(*t->conv)) < 0) {
            t->oom = 1;
            return;
        }
        t->conv = arr;
        struct pw_conv *c = &t->conv[i];
        memset(c, 0, sizeof(*c));
        c->a = *src;
        c->b = *dst;
        c->id = id;
        c->start = c->stop = ts;
        t->n = (uint32_t)i + 1;
    }
    struct pw_conv *c = &t->conv[i];
    /* a packet from A (address and port equal to A's) goes "->" */
    if (!memcmp(src->a, c->a.a, src->len) && src->port == c->a.port) {
        c->tx_frames++;
        c->tx_bytes += bytes;
    } else {
        c->rx_frames++;
        c->rx_bytes += bytes;
    }
    /* conversation_table.c: a later time moves the stop, else an earlier
     * one moves the start */
    if (pw_reltime_cmp(ts, c->stop) > 0)
        c->stop = ts;
    else if (pw_reltime_cmp(ts, c->start) < 0)
        c->start = ts;
}

static void ip_addrs(const struct pw_layer *l, struct pw_conv_addr *s, struct pw_conv_addr *d)
{
    memset(s, 0, sizeof(*s));
    memset(d, 0, sizeof(*d));
    if (l->proto == PW_P_IP) {
        s->len = d->len = 4;
        memcpy(s->a, l->u.ip4.src, 4);
        memcpy(d->a, l->u.ip4.dst, 4);
    } else {
        s->len = d->len = 16;
        memcpy(s->a, l->u.ip6.src, 16);
        memcpy(d->a, l->u.ip6.dst, 16);
    }
}

void pw_convtab_packet(struct pw_convtab *t, const struct pw_record *rec,
                       const struct pw_packet *pkt)
{
    if (!t->have_first) {
        t->have_first = 1;
        t->first_ts = rec->ts;
    }
    if (!pkt)
        return;
    struct pw_reltime ts = pw_reltime_delta(rec->ts, t->first_ts);
    uint64_t bytes = pkt->len;
    int net = -1; /* the network layer that carries the next transport header */
    for (int i = 0; i < pkt->nlayers; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        /* quoted headers do not tap; a header cut short or contradicted by
         * its own length fields ends its dissector before the tap */
        /* an IPv4 dissector that handed a version-6 header to IPv6 (drawn
         * inside the tree, PW_LF_SUBTREE) read no addresses */
        if (l->flags & (PW_LF_QUOTED | PW_LF_TRUNCATED | PW_LF_SUBTREE))
            continue;
        /* UDP queues its tap even with a length field that lies; TCP and IP
         * return before it */
        if ((l->flags & PW_LF_MALFORMED) && l->proto != PW_P_UDP)
            continue;
        /* ...but not when its own 8-byte header runs past the packet */
        if (l->proto == PW_P_UDP && l->len < 8)
            continue;
        struct pw_conv_addr s, d;
        uint32_t id = 0;
        switch (l->proto) {
        case PW_P_ETH:
            if (t->kind != PW_CT_ETH)
                continue;
            memset(&s, 0, sizeof(s));
            memset(&d, 0, sizeof(d));
            s.len = d.len = 6;
            memcpy(s.a, l->u.eth.src, 6);
            memcpy(d.a, l->u.eth.dst, 6);
            break;
        case PW_P_IP:
        case PW_P_IPV6:
            net = i;
            if (t->kind != PW_CT_IP || l->proto != PW_P_IP)
                continue;
            ip_addrs(l, &s, &d);
            break;
        case PW_P_TCP:
        case PW_P_UDP:
            if (net < 0 || (t->kind == PW_CT_TCP) != (l->proto == PW_P_TCP) ||
                (t->kind != PW_CT_TCP && t->kind != PW_CT_UDP))
                continue;
            ip_addrs(&pkt->layer[net], &s, &d);
            if (l->proto == PW_P_TCP) {
                s.port = l->u.tcp.sport;
                d.port = l->u.tcp.dport;
            } else {
                s.port = l->u.udp.sport;
                d.port = l->u.udp.dport;
            }
            if (t->streams && pkt->flow_done &&
                (l->proto == PW_P_TCP ? l->u.tcp.stream : l->u.udp.stream) != PW_NO_STREAM) {
                /* the flow stage numbered it (src/flow/flows.h) */
                id = l->proto == PW_P_TCP ? l->u.tcp.stream : l->u.udp.stream;
            } else if (t->streams) {
                int64_t sid = stream_of(t->streams, l->proto == PW_P_TCP ? 6 : 17, &s, &d, l);
                if (sid < 0) {
                    t->oom = 1;
                    continue;
                }
                id = (uint32_t)sid;
            }
            break;
        default:
            continue;
        }
        if (t->endpoints) {
            ep_add(t, &s, 1, bytes);
            ep_add(t, &d, 0, bytes);
        } else {
            conv_add(t, &s, &d, id, bytes, ts);
        }
    }
}

static const struct pw_convtab *order_ctx;

static uint64_t total_frames(const struct pw_convtab *t, uint32_t i)
{
    return t->endpoints ? t->ep[i].tx_frames + t->ep[i].rx_frames
                        : t->conv[i].tx_frames + t->conv[i].rx_frames;
}

static int cmp_order(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t fx = total_frames(order_ctx, x), fy = total_frames(order_ctx, y);
    if (fx != fy)
        return fx > fy ? -1 : 1;
    return x < y ? -1 : x > y;
}

uint32_t pw_convtab_order(const struct pw_convtab *t, uint32_t **out)
{
    *out = malloc(sizeof(uint32_t) * (t->n ? t->n : 1));
    if (!*out)
        return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (total_frames(t, i))
            (*out)[n++] = i;
    order_ctx = t;
    qsort(*out, n, sizeof(uint32_t), cmp_order);
    order_ctx = NULL;
    return n;
}

void pw_conv_addr_str(const struct pw_conv_addr *a, int with_port, char *buf, unsigned n)
{
    char s[64];
    if (a->len == 4)
        pw_fmt_ip4(s, a->a);
    else if (a->len == 16)
        pw_fmt_ip6(s, a->a);
    else
        pw_fmt_mac(s, a->a);
    size_t k = strlen(s);
    if (with_port && k + 7 <= sizeof(s)) {
        s[k++] = ':';
        k += pw_fmt_u64(s + k, a->port);
        s[k] = '\0';
    }
    if (n) {
        if (k >= n)
            k = n - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
    }
}

const char *pw_conv_kind_title(enum pw_conv_kind k)
{
    switch (k) {
    case PW_CT_ETH: return "Ethernet";
    case PW_CT_IP: return "IPv4";
    case PW_CT_TCP: return "TCP";
    case PW_CT_UDP: return "UDP";
    }
    return "";
}
