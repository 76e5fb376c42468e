/* See analysis.h. The pass mirrors src/cli/cmd_stats.c, cmd_rtt.c and
 * cmd_alerts.c: the same taps, flow stage and application stage, the same
 * JSON outputs, but all taps in one pass over the capture. */
#include "agent/analysis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/alerts.h"
#include "classify/classify.h"
#include "classify/policy.h"
#include "dissect/app.h"
#include "flow/flows.h"
#include "output/alerts.h"
#include "output/rtt.h"
#include "output/stats.h"
#include "stats/pass.h"
#include "stats/report.h"
#include "stats/rtt.h"

const char *const pw_agent_analysis_specs[] = {"io,phs",   "dests,tree",   "conv,tcp",
                                               "conv,udp", "endpoints,ip", NULL};
#define NSPECS 5

struct taps {
    struct pw_report rep[NSPECS];
    struct pw_rtt *rtt;
    struct pw_alerts *alerts;
};

static void tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct taps *t = arg;
    for (unsigned i = 0; i < NSPECS; i++)
        pw_report_packet(&t->rep[i], rec, pkt);
    pw_rtt_packet(t->rtt, pkt);
    pw_alerts_packet(t->alerts, rec, pkt);
}

static bool tap_before_app(void *arg, const struct pw_packet *pkt)
{
    pw_alerts_before_app(((struct taps *)arg)->alerts, pkt);
    return true; /* the protocol hierarchy needs every packet's layers */
}

static void warn(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *arr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    json_array_append_new(arr, json_string(buf));
}

json_t *pw_agent_analysis_json(const struct pw_analysis_in *in, struct pw_error *err)
{
    struct taps t;
    memset(&t, 0, sizeof(t));
    struct pw_classifier *cls = NULL;
    struct pw_policy *pol = NULL;
    struct pw_reader *r = NULL;
    struct pw_flows *flows = NULL;
    struct pw_app *app = NULL;
    json_t *doc = NULL;
    struct pw_pass_result res;
    memset(&res, 0, sizeof(res));
    uint64_t total = 0;
    for (size_t i = 0; i < in->nsegs; i++)
        total += in->segs[i].len;

    for (unsigned i = 0; i < NSPECS; i++) {
        if (pw_report_parse(&t.rep[i], pw_agent_analysis_specs[i], err) < 0 ||
            pw_report_start(&t.rep[i], err) < 0)
            goto out;
    }
    if (!(t.rtt = pw_rtt_new())) {
        pw_error_set(err, PW_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (pw_classifier_new(&cls, err) < 0)
        goto out;
    if (!(pol = pw_policy_new())) {
        pw_error_set(err, PW_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (pw_policy_load_default(pol, err) < 0 || pw_alerts_new(&t.alerts, pol, cls, err) < 0)
        goto out;

    /* An empty file is an empty capture, as for the CLI (and tshark). */
    if (total > 0) {
        if (pw_reader_open_segments(&r, in->segs, in->nsegs, err) < 0)
            goto out;
        struct pw_flows_opts fopts = {.tap_bytes = (uint32_t)pw_alerts_flow_bytes()};
        flows = pw_flows_new(&fopts, err);
        app = pw_app_new();
        if (!flows || !app) {
            if (flows)
                pw_error_set(err, PW_ERR_NOMEM, "out of memory");
            goto out;
        }
        struct pw_tap tap = {&t, tap_packet, tap_before_app};
        struct pw_pass_opts opts = {
            .dissect = true, .flows = flows, .app = app, .cancel = in->cancel};
        pw_pass_run(r, &tap, 1, &opts, &res);
        if (res.status == PW_ERR_NOMEM || res.status == PW_ERR_IO || res.status == PW_ERR_LIMIT) {
            *err = res.damage;
            err->code = res.status;
            goto out;
        }
    }
    for (unsigned i = 0; i < NSPECS; i++)
        pw_report_finish(&t.rep[i]);
    if (pw_rtt_finish(t.rtt) < 0) {
        pw_error_set(err, PW_ERR_NOMEM, "out of memory");
        goto out;
    }
    pw_alerts_finish(t.alerts);

    doc = json_object();
    json_object_set_new(doc, "packets", json_integer((json_int_t)res.packets));
    json_object_set_new(doc, "bytesAnalysed", json_integer((json_int_t)total));
    json_t *warnings = json_array();
    if (res.status) {
        json_t *d = json_object();
        json_object_set_new(d, "code",
                            json_string(res.status == PW_ERR_CUT_SHORT ? "CutShort" : "Malformed"));
        json_object_set_new(d, "message", json_string(res.damage.msg));
        json_object_set_new(d, "offset", json_integer((json_int_t)res.damage.offset));
        json_object_set_new(doc, "damage", d);
        warn(warnings,
             "the capture is damaged: %s (byte offset %llu); the analysis covers the %llu "
             "complete records before it",
             res.damage.msg, (unsigned long long)res.damage.offset,
             (unsigned long long)res.packets);
    } else {
        json_object_set_new(doc, "damage", json_null());
    }
    if (flows) {
        struct pw_flows_stats fs;
        pw_flows_get_stats(flows, &fs);
        if (fs.tcp_overflows)
            warn(warnings, "%llu TCP headers beyond the flow table's capacity were not analysed",
                 (unsigned long long)fs.tcp_overflows);
    }
    json_object_set_new(doc, "warnings", warnings);
    json_t *stats = json_object();
    for (unsigned i = 0; i < NSPECS; i++)
        json_object_set_new(stats, pw_agent_analysis_specs[i], pw_stats_json(&t.rep[i]));
    json_object_set_new(doc, "stats", stats);
    struct pw_rtt_report rrep = {in->label, t.rtt, false};
    json_object_set_new(doc, "rtt", pw_rtt_json(&rrep));
    struct pw_alerts_report arep = {in->label,  t.alerts, pw_classifier_version(cls),
                                    "built-in", NULL,     0};
    json_object_set_new(doc, "alerts", pw_alerts_json(&arep));
out:
    pw_alerts_free(t.alerts); /* its flow records are in the flow stage's memory */
    pw_app_free(app);
    pw_flows_free(flows);
    pw_reader_free(r);
    pw_policy_free(pol);
    pw_classifier_free(cls);
    pw_rtt_free(t.rtt);
    for (unsigned i = 0; i < NSPECS; i++)
        pw_report_free(&t.rep[i]);
    return doc;
}
