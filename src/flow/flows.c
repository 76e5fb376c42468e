/* The flow stage driver: walks a dissected packet's layers, hands every TCP
 * header to tcp.c and numbers every UDP header like tshark's udp.stream.
 *
 * Which addresses a transport header belongs to: those of the closest IP or
 * IPv6 header before it, which is what tshark's pinfo->src/dst hold when the
 * transport dissector runs (inner addresses in a tunnel, the quoted packet's
 * addresses inside an ICMP error). */
#include "flow/flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/tcp.h"
#include "util/limits.h"

struct udp_conv {
    struct pw_flow flow;
};

struct pw_flows {
    struct pwi_tcp tcp;
    struct pw_flowtab *udp;
    uint32_t udp_next_stream;
    uint64_t udp_overflows;
    size_t udp_tap_off; /* see pw_flows_opts.tap_bytes; 0: none */
    bool no_udp;
};

struct pw_flows *pw_flows_new(const struct pw_flows_opts *opts, struct pw_error *err)
{
    uint32_t max_tcp = opts && opts->max_tcp_flows ? opts->max_tcp_flows : PW_MAX_FLOWS;
    uint32_t max_udp = opts && opts->max_udp_flows ? opts->max_udp_flows : PW_MAX_FLOWS;
    struct pw_flows *f = calloc(1, sizeof(*f));
    if (!f)
        goto fail;
    uint32_t tap = opts ? opts->tap_bytes : 0;
    if (pwi_tcp_init(&f->tcp, max_tcp, tap) < 0)
        goto fail;
    f->udp = pw_flowtab_new(pwi_tap_layout(sizeof(struct udp_conv), tap, &f->udp_tap_off), max_udp);
    if (!f->udp)
        goto fail;
    f->no_udp = opts && opts->no_udp;
    f->tcp.no_app = opts && opts->no_app_stage;
    return f;
fail:
    pw_flows_free(f);
    pw_error_set(err, PW_ERR_NOMEM, "out of memory for the flow tables");
    return NULL;
}

struct app_free_arg {
    void (*fn)(void *app, void *arg);
    void *arg;
};

static void udp_free_app(void *value, void *arg)
{
    struct udp_conv *c = value;
    struct app_free_arg *a = arg;
    if (c->flow.app)
        a->fn(c->flow.app, a->arg);
    c->flow.app = NULL;
}

void pw_flows_free(struct pw_flows *f)
{
    if (!f)
        return;
    if (f->udp && f->tcp.app_reset) {
        struct app_free_arg a = {f->tcp.app_reset, f->tcp.app_arg};
        pw_flowtab_foreach(f->udp, udp_free_app, &a);
    }
    pwi_tcp_free(&f->tcp);
    pw_flowtab_free(f->udp);
    free(f);
}

void pw_flows_set_app_reset(struct pw_flows *f, void (*fn)(void *app, void *arg), void *arg)
{
    f->tcp.app_reset = fn;
    f->tcp.app_arg = arg;
}

struct pw_flow *pw_flows_tcp_flow(struct pw_flows *f)
{
    return f->tcp.last ? &f->tcp.last->flow : NULL;
}

/* tshark reads the whole 8-byte header and rejects a length below 8 before
 * it looks up the conversation; a zero length over IPv6 is a jumbogram whose
 * length is the IP payload's. */
static void udp_layer(struct pw_flows *f, struct pw_packet *pkt, int li, int net)
{
    struct pw_layer *l = &pkt->layer[li];
    const struct pw_layer *n = &pkt->layer[net];
    l->u.udp.stream = PW_NO_STREAM;
    if (l->off > pkt->caplen)
        return;
    uint32_t cap = pkt->caplen - l->off;
    if (cap > l->len)
        cap = l->len;
    if (cap < 8)
        return;
    uint32_t ulen = l->u.udp.ulen;
    if (ulen == 0 && n->proto == PW_P_IPV6)
        ulen = l->len;
    if (ulen < 8)
        return;
    int family = n->proto == PW_P_IPV6 ? 6 : 4;
    const uint8_t *src = family == 6 ? n->u.ip6.src : n->u.ip4.src;
    const uint8_t *dst = family == 6 ? n->u.ip6.dst : n->u.ip4.dst;
    struct pw_flow_key key;
    int dir;
    pw_flow_key_make(&key, family, 17, src, l->u.udp.sport, dst, l->u.udp.dport, &dir);
    bool created;
    struct udp_conv *c = pw_flowtab_get(f->udp, &key, &created);
    if (!c) {
        f->udp_overflows++;
        return;
    }
    if (created) {
        c->flow.stream = f->udp_next_stream++;
        c->flow.first_frame = pkt->frame;
    }
    l->u.udp.stream = c->flow.stream;
    if (f->udp_tap_off && li == pkt->l4)
        pkt->l4_tap = (char *)c + f->udp_tap_off;
}

void pw_flows_packet(struct pw_flows *f, struct pw_packet *pkt)
{
    int net = -1;
    /* every reader of pkt->tcp checks layer first, and pwi_tcp_layer
     * clears the whole record before it sets layer: clearing it here too
     * cost every packet a memset */
    pkt->tcp.layer = -1;
    pkt->l4_tap = NULL;
    f->tcp.last = NULL;
    for (int i = 0; i < pkt->nlayers; i++) {
        switch (pkt->layer[i].proto) {
        case PW_P_IP:
        case PW_P_IPV6: net = i; break;
        case PW_P_TCP:
            if (net >= 0)
                pwi_tcp_layer(&f->tcp, pkt, i, net);
            else
                pkt->layer[i].u.tcp.stream = PW_NO_STREAM;
            break;
        case PW_P_UDP:
            if (net >= 0 && !f->no_udp)
                udp_layer(f, pkt, i, net);
            else
                pkt->layer[i].u.udp.stream = PW_NO_STREAM;
            break;
        default: break;
        }
    }
    pkt->flow_done = true;
}

void pw_flows_after_app(struct pw_flows *f, const struct pw_packet *pkt)
{
    pwi_tcp_after_app(&f->tcp, pkt);
}

bool pw_flows_need_app(const struct pw_flows *f, const struct pw_packet *pkt)
{
    (void)f;
    return pwi_tcp_need_app(pkt);
}

void pw_flows_get_stats(const struct pw_flows *f, struct pw_flows_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->tcp_streams = f->tcp.next_stream;
    st->udp_streams = f->udp_next_stream;
    st->tcp_flows = pw_flowtab_count(f->tcp.tab);
    st->udp_flows = pw_flowtab_count(f->udp);
    st->tcp_overflows = f->tcp.overflows + pw_flowtab_overflows(f->tcp.tab);
    st->udp_overflows = f->udp_overflows;
    st->unacked_dropped = f->tcp.unacked_dropped;
    st->memory = sizeof(*f) + pwi_tcp_memory(&f->tcp) + pw_flowtab_memory(f->udp);
}

struct pw_nstime pw_nstime_delta(struct pw_nstime b, struct pw_nstime a)
{
    /* nanoseconds in 32-bit two's complement, as a C int wraps */
    struct pw_nstime d;
    d.sec = b.sec - a.sec;
    d.nsec = (int32_t)((uint32_t)b.nsec - (uint32_t)a.nsec);
    if (b.sec < a.sec) {
        if (d.nsec > 0) {
            d.nsec = (int32_t)((uint32_t)d.nsec - 1000000000u);
            d.sec++;
        }
    } else if (b.sec > a.sec) {
        if (d.nsec < 0) {
            d.nsec = (int32_t)((uint32_t)d.nsec + 1000000000u);
            d.sec--;
        }
    }
    return d;
}

char *pw_nstime_fmt(char *buf, size_t n, struct pw_nstime t)
{
    /* a negative fraction prints as its magnitude, with a '-' in front when
     * the seconds do not already carry one */
    const char *sign = (t.nsec < 0 && t.sec >= 0) ? "-" : "";
    uint32_t frac = t.nsec < 0 ? (uint32_t)(-(int64_t)t.nsec) : (uint32_t)t.nsec;
    snprintf(buf, n, "%s%lld.%09u", sign, (long long)t.sec, frac);
    return buf;
}
