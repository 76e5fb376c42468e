/* `pktwatch alerts --json`: one object per capture with the alerts as an
 * array, raw numbers, times as {epoch_ns, text} as in `pktwatch info`. */
#include <arpa/inet.h>

#include "output/alerts.h"
#include "util/fmt.h"

static json_t *ts_json(struct pw_ts t)
{
    char b[64];
    json_t *o = json_object();
    json_object_set_new(o, "epoch_ns", json_integer(pw_ts_ns(t)));
    json_object_set_new(o, "text", json_string(pw_fmt_abstime(b, sizeof b, t, 6)));
    return o;
}

static json_t *endpoint_json(int family, const uint8_t *addr, uint16_t port)
{
    char a[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
        snprintf(a, sizeof(a), "?");
    json_t *o = json_object();
    json_object_set_new(o, "address", json_string(a));
    json_object_set_new(o, "port", port ? json_integer(port) : json_null());
    return o;
}

static const char *proto_name(uint8_t p)
{
    switch (p) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    default: return "tcp+udp";
    }
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *alert_json(const struct pw_alert *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "severity", json_string(pw_sev_name(x->sev)));
    json_object_set_new(o, "kind", json_string(pw_alert_kind_name(x->kind)));
    json_object_set_new(o, "application", str_or_null(x->app));
    json_object_set_new(o, "category", str_or_null(x->category));
    json_object_set_new(o, "wireshark", str_or_null(x->wireshark));
    json_object_set_new(o, "protocol", json_string(proto_name(x->ipproto)));
    json_object_set_new(o, "client",
                        x->has_client ? endpoint_json(x->family, x->caddr, x->cport) : json_null());
    json_object_set_new(o, "server",
                        x->has_server ? endpoint_json(x->family, x->saddr, x->sport) : json_null());
    json_object_set_new(o, "first_frame", json_integer((json_int_t)x->first_frame));
    json_object_set_new(o, "last_frame", json_integer((json_int_t)x->last_frame));
    json_object_set_new(o, "first_time", ts_json(x->first_ts));
    json_object_set_new(o, "last_time", ts_json(x->last_ts));
    json_object_set_new(o, "packets", json_integer((json_int_t)x->packets));
    json_object_set_new(o, "bytes", json_integer((json_int_t)x->bytes));
    json_object_set_new(o, "flows", json_integer(x->flows));
    if (x->kind == PW_AK_SCAN)
        json_object_set_new(o, "targets", json_integer(x->peers));
    else if (x->kind == PW_AK_HANDSHAKE || x->kind == PW_AK_UNEXPECTED_SERVICE)
        json_object_set_new(o, "clients", json_integer(x->peers));
    if (x->kind == PW_AK_UNWANTED_APP) {
        json_object_set_new(o, "peer_count", json_integer(x->peers));
        json_t *arr = json_array();
        for (unsigned i = 0; i < x->npeer; i++) {
            json_t *p = endpoint_json(x->family, x->peer[i].addr, x->peer[i].port);
            json_object_set_new(p, "packets", json_integer((json_int_t)x->peer[i].packets));
            json_array_append_new(arr, p);
        }
        json_object_set_new(o, "peers", arr);
    }
    json_object_set_new(o, "evidence", json_string(x->evidence));
    return o;
}

json_t *pw_alerts_json(const struct pw_alerts_report *r)
{
    struct pw_alerts_stats st;
    pw_alerts_get_stats(r->alerts, &st);
    size_t n = pw_alerts_count(r->alerts);
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(r->file));
    json_object_set_new(o, "packets", json_integer((json_int_t)st.packets));
    json_object_set_new(o, "policy", json_string(r->policy));
    json_object_set_new(o, "classifier", json_string(r->engine));
    json_object_set_new(o, "filter", str_or_null(r->filter));
    json_t *fl = json_object();
    json_object_set_new(fl, "tcp", json_integer((json_int_t)st.tcp_flows));
    json_object_set_new(fl, "udp", json_integer((json_int_t)st.udp_flows));
    json_object_set_new(fl, "classified", json_integer((json_int_t)st.classified));
    json_object_set_new(fl, "not_analysed_packets", json_integer((json_int_t)st.flows_dropped));
    json_object_set_new(o, "flows", fl);
    json_t *sum = json_object();
    unsigned count[PW_SEV__COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        count[pw_alerts_get(r->alerts, i)->sev]++;
    for (int s = PW_SEV_CRITICAL; s > PW_SEV_NONE; s--)
        json_object_set_new(sum, pw_sev_name((unsigned)s), json_integer(count[s]));
    json_object_set_new(o, "summary", sum);
    json_object_set_new(o, "alerts_dropped", json_integer((json_int_t)st.alerts_dropped));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, alert_json(pw_alerts_get(r->alerts, i)));
    json_object_set_new(o, "alerts", arr);
    if (r->fail_on) {
        json_object_set_new(o, "fail_on", json_string(pw_sev_name(r->fail_on)));
        json_object_set_new(o, "failed", json_boolean(pw_alerts_max_sev(r->alerts) >= r->fail_on));
    }
    return o;
}
