/* `pktwatch alerts`: one block per alert, grouped by severity (highest
 * first), each with its endpoints, frames and times, counts and one line of
 * evidence. */
#include <arpa/inet.h>
#include <inttypes.h>

#include "output/alerts.h"
#include "util/fmt.h"

char *pw_alert_endpoint(char *buf, size_t n, int family, const uint8_t *addr, uint16_t port)
{
    char a[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
        snprintf(a, sizeof(a), "?");
    if (!port)
        snprintf(buf, n, "%s", a);
    else if (family == 6)
        snprintf(buf, n, "[%s]:%u", a, port);
    else
        snprintf(buf, n, "%s:%u", a, port);
    return buf;
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

static void print_alert(FILE *f, const struct pw_alert *x)
{
    char c[80], s[80], t1[64], t2[64];
    fprintf(f, "  %s", pw_alert_kind_name(x->kind));
    if (x->app[0])
        fprintf(f, "  %s%s%s%s", x->app, x->category[0] ? " (" : "", x->category,
                x->category[0] ? ")" : "");
    fprintf(f, "  %s ", proto_name(x->ipproto));
    if (x->has_client)
        fprintf(f, "%s", pw_alert_endpoint(c, sizeof(c), x->family, x->caddr, x->cport));
    else
        fprintf(f, "%u clients", x->peers);
    if (x->has_server)
        fprintf(f, " -> %s", pw_alert_endpoint(s, sizeof(s), x->family, x->saddr, x->sport));
    else
        fprintf(f, " -> %u targets", x->peers);
    if (x->kind == PW_AK_UNWANTED_APP && x->peers > 1)
        fprintf(f, " and %u more peer%s", x->peers - 1, x->peers == 2 ? "" : "s");
    fputc('\n', f);
    if (x->kind == PW_AK_UNWANTED_APP && x->peers > 1) {
        fprintf(f, "    peers:");
        for (unsigned i = 0; i < x->npeer && i < 8; i++)
            fprintf(f, "%s %s (%" PRIu64 " packets)", i ? "," : "",
                    pw_alert_endpoint(s, sizeof(s), x->family, x->peer[i].addr, x->peer[i].port),
                    x->peer[i].packets);
        if (x->peers > 8)
            fprintf(f, ", ...");
        fputc('\n', f);
    }
    fprintf(f,
            "    frames %" PRIu64 "-%" PRIu64 " (%s - %s), %" PRIu64 " packets, %" PRIu64
            " bytes, %u flow%s",
            x->first_frame, x->last_frame, pw_fmt_abstime(t1, sizeof(t1), x->first_ts, 6),
            pw_fmt_abstime(t2, sizeof(t2), x->last_ts, 6), x->packets, x->bytes, x->flows,
            x->flows == 1 ? "" : "s");
    if (x->wireshark[0])
        fprintf(f, "; Wireshark: %s", x->wireshark);
    fputc('\n', f);
    fprintf(f, "    evidence: %s\n", x->evidence);
}

void pw_alerts_text(FILE *f, const struct pw_alerts_report *r)
{
    struct pw_alerts_stats st;
    pw_alerts_get_stats(r->alerts, &st);
    size_t n = pw_alerts_count(r->alerts);
    unsigned count[PW_SEV__COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        count[pw_alerts_get(r->alerts, i)->sev]++;
    fprintf(f, "File:       %s\n", r->file);
    fprintf(f,
            "Packets:    %" PRIu64 " (%" PRIu64 " TCP and %" PRIu64 " UDP flows, %" PRIu64
            " classified by payload)\n",
            st.packets, st.tcp_flows, st.udp_flows, st.classified);
    fprintf(f, "Policy:     %s\n", r->policy);
    fprintf(f, "Classifier: %s\n", r->engine);
    if (r->filter)
        fprintf(f, "Filter:     %s\n", r->filter);
    fprintf(f, "Alerts:     %zu", n);
    const char *sep = " (";
    for (int s = PW_SEV_CRITICAL; s > PW_SEV_NONE; s--) {
        if (!count[s])
            continue;
        fprintf(f, "%s%s %u", sep, pw_sev_name((unsigned)s), count[s]);
        sep = ", ";
    }
    fprintf(f, "%s\n", n ? ")" : "");
    if (st.alerts_dropped)
        fprintf(f, "            %" PRIu64 " more not kept (limit reached)\n", st.alerts_dropped);
    if (st.flows_dropped)
        fprintf(f, "            %" PRIu64 " packets of flows past the flow limit not analysed\n",
                st.flows_dropped);
    unsigned cur = PW_SEV__COUNT;
    for (size_t i = 0; i < n; i++) {
        const struct pw_alert *x = pw_alerts_get(r->alerts, i);
        if (x->sev != cur) {
            cur = x->sev;
            fprintf(f, "\n%s (%u)\n", pw_sev_name(cur), count[cur]);
        }
        print_alert(f, x);
    }
    if (r->fail_on)
        fprintf(f, "\n--fail-on %s: %s\n", pw_sev_name(r->fail_on),
                pw_alerts_max_sev(r->alerts) >= r->fail_on ? "FAILED" : "passed");
}
