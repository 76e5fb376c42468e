#include "stats/dests.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURST_RES_MS 5.0
#define BURST_WIN_MS 100.0

/* Nodes are found by a binary key (parent, kind, raw address or port), so
 * that a packet costs no text formatting: names are written once, when a
 * node is created. */
struct node_key {
    uint32_t parent;
    uint8_t len; /* bytes of v used */
    uint8_t v[16];
    uint8_t pad[3];
};

struct leaf_key {
    uint8_t alen, ptype, port[2];
    uint8_t addr[16];
};

static uint32_t node_get(struct pw_dests *s, uint32_t parent, const void *v, uint8_t len,
                         const char *(*name)(const void *v, uint8_t len, char *buf, size_t n))
{
    struct node_key k;
    memset(&k, 0, sizeof(k));
    k.parent = parent;
    k.len = len;
    memcpy(k.v, v, len);
    bool created;
    int64_t i = pw_keytab_get(&s->idx, &k, &created);
    if (i < 0) {
        s->oom = 1;
        return UINT32_MAX;
    }
    if (created) {
        void *arr = s->node;
        if (pw_grow(&arr, &s->cap, s->n + 1, sizeof(*s->node)) < 0) {
            s->oom = 1;
            return UINT32_MAX;
        }
        s->node = arr;
        struct pw_dests_node *nd = &s->node[s->n++];
        memset(nd, 0, sizeof(*nd));
        name(v, len, nd->name, sizeof(nd->name));
        nd->parent = parent;
        nd->depth = s->node[parent].depth + 1;
        /* Wireshark starts every node with a dummy bucket 0 that began at
         * time 0 (stats_tree.c), which is why a tick at t = 0 reports a
         * burst start of 0.000 and why negative times are ignored */
        nd->nb = 1;
        nd->b[0].bucket_no = 0;
        nd->b[0].start_ms = 0;
        nd->b[0].count = 0;
    }
    return (uint32_t)(i + 1); /* node 0 is the root, created in new() */
}

static const char *addr_name(const void *v, uint8_t len, char *buf, size_t n)
{
    inet_ntop(len == 4 ? AF_INET : AF_INET6, v, buf, (socklen_t)n);
    return buf;
}

static const char *ptype_name(const void *v, uint8_t len, char *buf, size_t n)
{
    (void)len;
    static const char *const names[] = {"NONE", "TCP", "UDP", "SCTP"};
    snprintf(buf, n, "%s", names[*(const uint8_t *)v % 4]);
    return buf;
}

static const char *port_name(const void *v, uint8_t len, char *buf, size_t n)
{
    (void)len;
    const uint8_t *p = v;
    snprintf(buf, n, "%u", (unsigned)(p[0] << 8 | p[1]));
    return buf;
}

struct pw_dests *pw_dests_new(void)
{
    struct pw_dests *s = calloc(1, sizeof(*s));
    if (!s || pw_keytab_init(&s->idx, sizeof(struct node_key)) < 0) {
        free(s);
        return NULL;
    }
    if (pw_keytab_init(&s->leaf, sizeof(struct leaf_key)) < 0) {
        pw_keytab_free(&s->idx);
        free(s);
        return NULL;
    }
    void *arr = NULL;
    if (pw_grow(&arr, &s->cap, 16, sizeof(*s->node)) < 0) {
        pw_keytab_free(&s->idx);
        free(s);
        return NULL;
    }
    s->node = arr;
    struct pw_dests_node *root = &s->node[0];
    memset(root, 0, sizeof(*root));
    snprintf(root->name, sizeof(root->name), "Destinations and Ports");
    root->parent = UINT32_MAX;
    root->nb = 1;
    s->n = 1;
    s->start_ms = -1.0;
    return s;
}

void pw_dests_free(struct pw_dests *s)
{
    if (!s)
        return;
    pw_keytab_free(&s->idx);
    pw_keytab_free(&s->leaf);
    free(s->leaf_node);
    free(s->node);
    free(s->kids);
    free(s->kid_start);
    free(s);
}

/* Wireshark's burst calculation (stats_tree.c update_burst_calc): buckets
 * of 5 ms, a running sum over the buckets of the last 100 ms, the record
 * kept with the start time of the oldest bucket in the window. */
static void burst(struct pw_dests_node *nd, double now_ms)
{
    double cur = floor(now_ms / BURST_RES_MS);
    double win = BURST_WIN_MS / BURST_RES_MS;
    struct pw_burst_bucket *tail = &nd->b[nd->nb - 1];
    if (cur > tail->bucket_no) {
        if (nd->nb == PW_BURST_BUCKETS + 1) {
            /* cannot happen: the head loop below keeps at most 20 buckets
             * alive; drop the head to stay in bounds all the same */
            nd->bcount -= nd->b[0].count;
            memmove(&nd->b[0], &nd->b[1], sizeof(nd->b[0]) * (size_t)(nd->nb - 1));
            nd->nb--;
        }
        struct pw_burst_bucket *bn = &nd->b[nd->nb++];
        bn->count = 1;
        bn->bucket_no = cur;
        bn->start_ms = now_ms;
        nd->bcount += 1;
        unsigned drop = 0;
        while (drop < nd->nb - 1u && cur >= nd->b[drop].bucket_no + win) {
            nd->bcount -= nd->b[drop].count;
            drop++;
        }
        if (drop) {
            memmove(&nd->b[0], &nd->b[drop], sizeof(nd->b[0]) * (size_t)(nd->nb - drop));
            nd->nb = (uint8_t)(nd->nb - drop);
        }
    } else if (cur < nd->b[0].bucket_no) {
        /* before the head of the window: Wireshark ignores it */
    } else {
        int i = nd->nb - 1;
        while (i > 0 && cur < nd->b[i].bucket_no)
            i--;
        if (cur > nd->b[i].bucket_no) {
            if (nd->nb < PW_BURST_BUCKETS + 1) {
                memmove(&nd->b[i + 2], &nd->b[i + 1],
                        sizeof(nd->b[0]) * (size_t)(nd->nb - i - 1));
                nd->nb++;
                i++;
                nd->b[i].bucket_no = cur;
                nd->b[i].start_ms = now_ms;
                nd->b[i].count = 0;
            }
        }
        nd->b[i].count += 1;
        nd->bcount += 1;
    }
    if (nd->bcount > nd->max_burst) {
        nd->max_burst = nd->bcount;
        nd->burst_time = nd->b[0].start_ms;
    }
}

static void tick(struct pw_dests *s, uint32_t i)
{
    if (i == UINT32_MAX)
        return;
    s->node[i].count++;
    burst(&s->node[i], s->now_ms);
}

void pw_dests_packet(struct pw_dests *s, const struct pw_record *rec, const struct pw_packet *pkt)
{
    if (!s->have_first_frame) {
        s->have_first_frame = 1;
        s->first_ts = rec->ts;
    }
    if (!pkt)
        return;
    /* how many IPv4 headers queue the ip tap, and the end-of-frame values
     * every tick of this frame uses (taps run after the whole dissection) */
    unsigned ticks = 0;
    int dst = -1, l4 = -1;
    for (int i = 0; i < pkt->nlayers; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        /* a header cut short or contradicted by its own length fields ends
         * its dissector before the tap (and before pinfo is updated) */
        bool bad = (l->flags & (PW_LF_TRUNCATED | PW_LF_MALFORMED)) != 0;
        /* TCP and UDP set the port type and ports as soon as they have read
         * the ports, whatever goes wrong after that */
        bool transport = l->proto == PW_P_TCP || l->proto == PW_P_UDP || l->proto == PW_P_SCTP;
        bool ports = transport && l->off <= pkt->caplen && pkt->caplen - l->off >= 4;
        /* UDP sets them only once its whole 8-byte header is read */
        if (l->proto == PW_P_UDP && ((l->flags & PW_LF_TRUNCATED) || l->len < 8))
            ports = false;
        if (l->flags & PW_LF_QUOTED) {
            /* a quoted header does not tap and leaves pinfo->dst alone, but
             * the quoted transport header still sets the port type/port */
            if (ports)
                l4 = i;
            continue;
        }
        if ((bad || (l->flags & PW_LF_SUBTREE)) && (l->proto == PW_P_IP || l->proto == PW_P_IPV6))
            continue;
        if (transport && !ports)
            continue;
        switch (l->proto) {
        case PW_P_IP:
            ticks++;
            dst = i;
            break;
        case PW_P_IPV6:
            /* only the network layers set the address the ip tap's tree
             * uses: an Ethernet or ARP header inside a tunnel leaves it */
            dst = i;
            break;
        case PW_P_TCP:
        case PW_P_UDP:
        case PW_P_SCTP:
            l4 = i;
            break;
        default:
            break;
        }
    }
    if (!ticks)
        return;
    struct pw_reltime rt = pw_reltime_delta(rec->ts, s->first_ts);
    s->now_ms = pw_reltime_ms(rt);
    if (s->start_ms < 0)
        s->start_ms = s->now_ms;
    const struct pw_layer *nl = &pkt->layer[dst];
    const uint8_t *addr = nl->proto == PW_P_IP ? nl->u.ip4.dst : nl->u.ip6.dst;
    uint8_t alen = nl->proto == PW_P_IP ? 4 : 16;
    uint8_t ptype = 0, port[2] = {0, 0};
    if (l4 >= 0) {
        const struct pw_layer *t = &pkt->layer[l4];
        uint16_t dp = t->proto == PW_P_TCP   ? t->u.tcp.dport
                      : t->proto == PW_P_UDP ? t->u.udp.dport
                                             : t->u.sctp.dport;
        ptype = t->proto == PW_P_TCP ? 1 : t->proto == PW_P_UDP ? 2 : 3;
        port[0] = (uint8_t)(dp >> 8);
        port[1] = (uint8_t)dp;
    }
    /* one lookup per packet: (address, port type, port) -> the port node,
     * whose parents are the port-type and address nodes */
    struct leaf_key lk;
    memset(&lk, 0, sizeof(lk));
    lk.alen = alen;
    lk.ptype = ptype;
    memcpy(lk.port, port, 2);
    memcpy(lk.addr, addr, alen);
    bool created;
    int64_t li = pw_keytab_get(&s->leaf, &lk, &created);
    if (li < 0) {
        s->oom = 1;
        return;
    }
    if (created) {
        uint32_t a = node_get(s, 0, addr, alen, addr_name);
        uint32_t p = a == UINT32_MAX ? a : node_get(s, a, &ptype, 1, ptype_name);
        uint32_t leaf = p == UINT32_MAX ? p : node_get(s, p, port, 2, port_name);
        void *arr = s->leaf_node;
        if (pw_grow(&arr, &s->leaf_cap, (uint32_t)li + 1, sizeof(*s->leaf_node)) < 0) {
            s->oom = 1;
            return;
        }
        s->leaf_node = arr;
        s->leaf_node[li] = (struct pw_dests_path){a, p, leaf};
    }
    /* the three nodes are known at once (no walk up the parents), so their
     * cache misses overlap */
    struct pw_dests_path path = s->leaf_node[li];
    for (unsigned k = 0; k < ticks; k++) {
        tick(s, 0);
        if (path.port == UINT32_MAX)
            continue;
        tick(s, path.addr);
        tick(s, path.ptype);
        tick(s, path.port);
    }
}

static const struct pw_dests *sort_ctx;

static int cmp_nodes(const void *a, const void *b)
{
    const struct pw_dests_node *x = &sort_ctx->node[*(const uint32_t *)a];
    const struct pw_dests_node *y = &sort_ctx->node[*(const uint32_t *)b];
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = strcmp(y->name, x->name);
    if (c)
        return c;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

int pw_dests_finish(struct pw_dests *s)
{
    free(s->kids);
    free(s->kid_start);
    s->kids = malloc(sizeof(uint32_t) * s->n);
    s->kid_start = calloc((size_t)s->n + 1, sizeof(uint32_t));
    if (!s->kids || !s->kid_start)
        return -1;
    /* counting sort by parent, then each sibling group sorted */
    for (uint32_t k = 1; k < s->n; k++)
        s->kid_start[s->node[k].parent + 1]++;
    for (uint32_t k = 0; k < s->n; k++)
        s->kid_start[k + 1] += s->kid_start[k];
    uint32_t *fill = calloc(s->n, sizeof(uint32_t));
    if (!fill)
        return -1;
    for (uint32_t k = 1; k < s->n; k++) {
        uint32_t p = s->node[k].parent;
        s->kids[s->kid_start[p] + fill[p]++] = k;
    }
    free(fill);
    sort_ctx = s;
    for (uint32_t k = 0; k < s->n; k++) {
        uint32_t a = s->kid_start[k], b = s->kid_start[k + 1];
        if (b - a > 1)
            qsort(s->kids + a, b - a, sizeof(uint32_t), cmp_nodes);
    }
    sort_ctx = NULL;
    return 0;
}
