/* `pktwatch rtt --json`: one object with the connections (as in the CSV,
 * durations as integer nanoseconds, null when absent), the per-server
 * summary, the totals and the capture-side guess. */
#include <inttypes.h>
#include <stdio.h>

#include "flow/flows.h"
#include "output/rtt.h"

static json_t *ns_or_null(bool has, struct pw_nstime t)
{
    return has ? json_integer((json_int_t)pw_nstime_ns(t)) : json_null();
}

static json_t *frame_or_null(uint64_t frame)
{
    return frame ? json_integer((json_int_t)frame) : json_null();
}

static json_t *dist(const struct pw_rtt_dist *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(d->n));
    const char *const names[5] = {"min", "median", "p90", "p99", "max"};
    const int64_t v[5] = {d->min, d->median, d->p90, d->p99, d->max};
    for (int i = 0; i < 5; i++) {
        char key[32];
        snprintf(key, sizeof(key), "%s_ns", names[i]);
        json_object_set_new(o, key, d->n ? json_integer(v[i]) : json_null());
        snprintf(key, sizeof(key), "%s_ms", names[i]);
        json_object_set_new(o, key, d->n ? json_real((double)v[i] / 1e6) : json_null());
    }
    return o;
}

static const char *side_name(int side)
{
    switch (side) {
    case PW_SIDE_CLIENT: return "client";
    case PW_SIDE_SERVER: return "server";
    case PW_SIDE_MIDDLE: return "middle";
    default: return "unknown";
    }
}

json_t *pw_rtt_json(const struct pw_rtt_report *rep)
{
    const struct pw_rtt *r = rep->rtt;
    const struct pw_rtt_summary *s = pw_rtt_summary(r);
    char a[64];
    json_t *doc = json_object();
    json_object_set_new(doc, "file", json_string(rep->name));

    json_t *conns = json_array();
    for (size_t i = 0; i < pw_rtt_nconns(r); i++) {
        const struct pw_rtt_conn *c = pw_rtt_conn(r, i);
        json_t *o = json_object();
        json_object_set_new(o, "stream", json_integer(c->stream));
        json_object_set_new(o, "client",
                            json_string(pw_rtt_addr(a, sizeof(a), c->family, c->client)));
        json_object_set_new(o, "client_port", json_integer(c->client_port));
        json_object_set_new(o, "server",
                            json_string(pw_rtt_addr(a, sizeof(a), c->family, c->server)));
        json_object_set_new(o, "server_port", json_integer(c->server_port));
        json_object_set_new(o, "syn_frame", frame_or_null(c->syn_frame));
        json_object_set_new(o, "synack_frame", frame_or_null(c->synack_frame));
        json_object_set_new(o, "syn_time",
                            c->syn_frame ? json_string(pw_nstime_fmt(a, sizeof(a), c->syn_time))
                                         : json_null());
        json_object_set_new(o, "handshake_rtt_ns",
                            ns_or_null(c->has_handshake_rtt, c->handshake_rtt));
        json_object_set_new(o, "client_rtt_ns", ns_or_null(c->has_client_rtt, c->client_rtt));
        json_object_set_new(o, "initial_rtt_ns", ns_or_null(c->has_initial_rtt, c->initial_rtt));
        json_object_set_new(o, "syn_retransmits", json_integer(c->syn_retransmits));
        json_object_set_new(o, "synack_retransmits", json_integer(c->synack_retransmits));
        json_object_set_new(o, "outcome", json_string(pw_rtt_outcome_name(c->outcome)));
        json_array_append_new(conns, o);
    }
    json_object_set_new(doc, "connections", conns);

    json_t *servers = json_array();
    for (size_t i = 0; i < pw_rtt_nservers(r); i++) {
        const struct pw_rtt_server *sv = pw_rtt_server(r, i);
        json_t *o = json_object();
        json_object_set_new(o, "server",
                            json_string(pw_rtt_addr(a, sizeof(a), sv->family, sv->addr)));
        json_object_set_new(o, "connections", json_integer(sv->connections));
        json_object_set_new(o, "handshake_rtt", dist(&sv->rtt));
        json_array_append_new(servers, o);
    }
    json_object_set_new(doc, "servers", servers);

    json_t *t = json_object();
    json_object_set_new(t, "connections", json_integer(s->connections));
    json_t *oc = json_object();
    for (int i = 0; i <= PW_RTT_SIMULTANEOUS_OPEN; i++)
        json_object_set_new(oc, pw_rtt_outcome_name(i), json_integer(s->outcomes[i]));
    json_object_set_new(t, "outcomes", oc);
    json_object_set_new(t, "tcp_streams", json_integer((json_int_t)s->streams));
    json_object_set_new(t, "syn_retransmits", json_integer(s->syn_retransmits));
    json_object_set_new(t, "synack_retransmits", json_integer(s->synack_retransmits));
    json_object_set_new(t, "handshake_rtt", dist(&s->rtt));
    json_object_set_new(t, "client_rtt", dist(&s->client_rtt));
    json_object_set_new(t, "initial_rtt", dist(&s->initial_rtt));
    json_object_set_new(doc, "total", t);

    json_t *side = json_object();
    json_object_set_new(side, "side", json_string(side_name(s->side)));
    json_object_set_new(side, "connections", json_integer(s->both_legs));
    json_object_set_new(side, "syn_to_synack_median_ns",
                        s->both_legs ? json_integer(s->leg1_median) : json_null());
    json_object_set_new(side, "synack_to_ack_median_ns",
                        s->both_legs ? json_integer(s->leg2_median) : json_null());
    const char *adv = pw_rtt_side_advice(s->side);
    json_object_set_new(side, "advice", adv ? json_string(adv) : json_null());
    json_object_set_new(doc, "capture_side", side);
    return doc;
}
