/* `pktwatch stats --json`: one JSON document per report, raw numbers (no
 * humanised units), keys documented in the README ("pktwatch stats"). */
#include <stdlib.h>

#include "output/stats.h"

static json_t *jfilter(const struct pw_report *r)
{
    return r->filter ? json_string(r->filter) : json_null();
}

static json_t *phs_json(const struct pw_report *r)
{
    const struct pw_phs *s = r->phs;
    json_t *doc = json_object();
    json_object_set_new(doc, "report", json_string(r->spec));
    json_object_set_new(doc, "filter", jfilter(r));
    json_object_set_new(doc, "frames", json_integer((json_int_t)s->frames));
    /* one array per node, filled in node order: parents precede children */
    json_t **kids = calloc(s->n, sizeof(json_t *));
    if (!kids)
        return doc;
    kids[0] = json_array();
    for (uint32_t i = 1; i < s->n; i++) {
        const struct pw_phs_node *nd = &s->node[i];
        json_t *o = json_object();
        json_object_set_new(o, "protocol", json_string(pw_proto_abbrev(nd->proto)));
        json_object_set_new(o, "frames", json_integer((json_int_t)nd->frames));
        json_object_set_new(o, "bytes", json_integer((json_int_t)nd->bytes));
        kids[i] = json_array();
        json_object_set(o, "children", kids[i]);
        json_array_append_new(kids[nd->parent], o);
    }
    json_object_set(doc, "protocols", kids[0]);
    for (uint32_t i = 0; i < s->n; i++)
        json_decref(kids[i]);
    free(kids);
    return doc;
}

static json_t *dests_node(const struct pw_dests *s, uint32_t i, double elapsed)
{
    const struct pw_dests_node *nd = &s->node[i];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(nd->name));
    json_object_set_new(o, "count", json_integer((json_int_t)nd->count));
    if (elapsed > 0)
        json_object_set_new(o, "rate_per_ms", json_real((double)nd->count / elapsed));
    else
        json_object_set_new(o, "rate_per_ms", json_null());
    if (i != 0) {
        uint64_t pc = s->node[nd->parent].count;
        json_object_set_new(o, "percent",
                            json_real(pc ? (double)nd->count * 100.0 / (double)pc : 0.0));
    } else {
        json_object_set_new(o, "percent", json_real(100.0));
    }
    json_object_set_new(o, "burst_max", json_integer((json_int_t)nd->max_burst));
    json_object_set_new(o, "burst_rate", json_real((double)nd->max_burst / 100.0));
    json_object_set_new(o, "burst_start", nd->max_burst ? json_real(nd->burst_time / 1000.0)
                                                        : json_null());
    json_t *kids = json_array();
    if (s->kid_start)
        for (uint32_t k = s->kid_start[i]; k < s->kid_start[i + 1]; k++)
            json_array_append_new(kids, dests_node(s, s->kids[k], elapsed));
    json_object_set_new(o, "children", kids);
    return o;
}

static json_t *dests_json(const struct pw_report *r)
{
    const struct pw_dests *s = r->dests;
    double elapsed = s->start_ms >= 0 ? s->now_ms - s->start_ms : 0;
    json_t *doc = json_object();
    json_object_set_new(doc, "report", json_string(r->spec));
    json_object_set_new(doc, "filter", jfilter(r));
    json_object_set_new(doc, "elapsed_ms", json_real(elapsed));
    json_object_set_new(doc, "tree", dests_node(s, 0, elapsed));
    return doc;
}

static void addr_fields(json_t *o, const char *key, const char *pkey,
                        const struct pw_conv_addr *a, int ports)
{
    char buf[96];
    pw_conv_addr_str(a, 0, buf, sizeof(buf));
    json_object_set_new(o, key, json_string(buf));
    if (ports)
        json_object_set_new(o, pkey, json_integer(a->port));
}

static json_t *conv_json(const struct pw_report *r)
{
    const struct pw_convtab *t = r->conv;
    int ports = t->kind == PW_CT_TCP || t->kind == PW_CT_UDP;
    json_t *doc = json_object();
    json_object_set_new(doc, "report", json_string(r->spec));
    json_object_set_new(doc, "filter", jfilter(r));
    json_t *arr = json_array();
    uint32_t *ord;
    uint32_t n = pw_convtab_order(t, &ord);
    for (uint32_t k = 0; k < n; k++) {
        json_t *o = json_object();
        if (r->kind == PW_REP_CONV) {
            const struct pw_conv *c = &t->conv[ord[k]];
            addr_fields(o, "a", "a_port", &c->a, ports);
            addr_fields(o, "b", "b_port", &c->b, ports);
            if (ports)
                json_object_set_new(o, "stream", json_integer(c->id));
            json_object_set_new(o, "frames_a_to_b", json_integer((json_int_t)c->tx_frames));
            json_object_set_new(o, "bytes_a_to_b", json_integer((json_int_t)c->tx_bytes));
            json_object_set_new(o, "frames_b_to_a", json_integer((json_int_t)c->rx_frames));
            json_object_set_new(o, "bytes_b_to_a", json_integer((json_int_t)c->rx_bytes));
            json_object_set_new(o, "frames", json_integer((json_int_t)(c->tx_frames + c->rx_frames)));
            json_object_set_new(o, "bytes", json_integer((json_int_t)(c->tx_bytes + c->rx_bytes)));
            double start = pw_reltime_sec(c->start);
            json_object_set_new(o, "rel_start", json_real(start));
            json_object_set_new(o, "duration", json_real(pw_reltime_sec(c->stop) - start));
        } else {
            const struct pw_endpoint *e = &t->ep[ord[k]];
            addr_fields(o, "address", "port", &e->a, ports);
            json_object_set_new(o, "packets", json_integer((json_int_t)(e->tx_frames + e->rx_frames)));
            json_object_set_new(o, "bytes", json_integer((json_int_t)(e->tx_bytes + e->rx_bytes)));
            json_object_set_new(o, "tx_packets", json_integer((json_int_t)e->tx_frames));
            json_object_set_new(o, "tx_bytes", json_integer((json_int_t)e->tx_bytes));
            json_object_set_new(o, "rx_packets", json_integer((json_int_t)e->rx_frames));
            json_object_set_new(o, "rx_bytes", json_integer((json_int_t)e->rx_bytes));
        }
        json_array_append_new(arr, o);
    }
    free(ord);
    json_object_set_new(doc, r->kind == PW_REP_CONV ? "conversations" : "endpoints", arr);
    return doc;
}

json_t *pw_stats_json(const struct pw_report *r)
{
    switch (r->kind) {
    case PW_REP_PHS: return phs_json(r);
    case PW_REP_DESTS: return dests_json(r);
    case PW_REP_CONV:
    case PW_REP_ENDPOINTS: return conv_json(r);
    }
    return json_null();
}
