/* pktwatch alerts: unwanted and abnormal traffic in a capture, judged by a
 * policy (src/classify/). Parses arguments, runs one pass and prints. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/alerts.h"
#include "classify/classify.h"
#include "classify/policy.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "dissect/app.h"
#include "filter/filter.h"
#include "flow/flows.h"
#include "output/alerts.h"
#include "stats/pass.h"

#define MAX_POLICY_FILES 8

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pktwatch alerts [--policy FILE] [--json] [-Y EXPR] [--fail-on SEVERITY]\n"
            "                      [--threads N] FILE\n"
            "\n"
            "Finds unwanted and abnormal traffic: applications the policy does not allow\n"
            "(classified by payload with nDPI: P2P, remote access, mining, Tor, ...),\n"
            "traffic to services a host is not expected to offer, protocols on unusual\n"
            "ports, scans, failed handshakes and RST storms, and cleartext logins. Each\n"
            "alert names its endpoints, frames, times, counts and one line of evidence.\n"
            "\n"
            "options:\n"
            "  --policy FILE        read FILE on top of the built-in policy (repeatable);\n"
            "                       a file starting with `[policy] base = none` replaces it\n"
            "  --no-default-policy  start from an empty policy instead of the built-in one\n"
            "  --print-policy       print the built-in policy and exit\n"
            "  --check-policy       check the policy (with --policy files) and exit\n"
            "  --dump-policy        print the policy in effect (built-in + files) and exit\n"
            "  --list-apps          list the application names a policy may use\n"
            "  --list-categories    list the category names a policy may use\n"
            "  --json               JSON for scripts\n"
            "  --flows              also list every flow with its classification\n"
            "  -Y EXPR              only packets matching the display filter are analysed\n"
            "  --threads N          1: classify flows on the packet thread; 2: on a second\n"
            "                       thread, pipelined with the pass (the default when more\n"
            "                       than one CPU is online); the output is the same\n"
            "  --fail-on SEVERITY   exit 4 when an alert of SEVERITY or higher is found\n"
            "                       (info, low, medium, high, critical)\n"
            "  -r FILE              the capture ('-' for standard input); a bare FILE works too\n"
            "  -h, --help           this text\n"
            "\n"
            "The policy format and the built-in policy: docs/POLICY.md.\n"
            "\n"
            "exit status: 0 ok (alerts or not, unless --fail-on); 1 the file could not be\n"
            "read; 2 usage error or bad policy; 3 the file is damaged (alerts cover every\n"
            "complete record before the damage); 4 an alert at or above --fail-on.\n");
}

struct alerts_tap {
    struct pw_alerts *a;
    const struct pw_filter *filter;
};

static void alerts_tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct alerts_tap *t = arg;
    if (t->filter && pkt && !pw_filter_match(t->filter, pkt))
        return;
    pw_alerts_packet(t->a, rec, pkt);
}

static bool alerts_tap_before_app(void *arg, const struct pw_packet *pkt)
{
    struct alerts_tap *t = arg;
    /* a display filter may ask for any field */
    return pw_alerts_before_app(t->a, pkt) || t->filter;
}

static void flow_text(void *arg, const struct pw_alert_flow *fl)
{
    char c[80], s[80];
    fprintf(arg, "  %s %-5u %s -> %s  %llu packets, %llu bytes, frames %llu-%llu  %s%s%s%s%s%s%s\n",
            fl->ipproto == 6 ? "tcp" : "udp", fl->stream,
            pw_alert_endpoint(c, sizeof(c), fl->family, fl->caddr, fl->cport),
            pw_alert_endpoint(s, sizeof(s), fl->family, fl->saddr, fl->sport),
            (unsigned long long)fl->packets, (unsigned long long)fl->bytes,
            (unsigned long long)fl->first_frame, (unsigned long long)fl->last_frame,
            fl->app[0] ? fl->app : "Unknown", fl->app[0] ? " (" : "", fl->category,
            fl->app[0] ? ", by " : "", fl->app[0] ? fl->confidence : "", fl->app[0] ? ")" : "", "");
    if (fl->wireshark[0])
        fprintf(arg, "        Wireshark: %s\n", fl->wireshark);
}

static void flow_json(void *arg, const struct pw_alert_flow *fl)
{
    char c[80], s[80];
    json_t *o = json_object();
    json_object_set_new(o, "protocol", json_string(fl->ipproto == 6 ? "tcp" : "udp"));
    json_object_set_new(o, "stream", json_integer(fl->stream));
    json_object_set_new(
        o, "client",
        json_string(pw_alert_endpoint(c, sizeof(c), fl->family, fl->caddr, fl->cport)));
    json_object_set_new(
        o, "server",
        json_string(pw_alert_endpoint(s, sizeof(s), fl->family, fl->saddr, fl->sport)));
    json_object_set_new(o, "packets", json_integer((json_int_t)fl->packets));
    json_object_set_new(o, "bytes", json_integer((json_int_t)fl->bytes));
    json_object_set_new(o, "first_frame", json_integer((json_int_t)fl->first_frame));
    json_object_set_new(o, "last_frame", json_integer((json_int_t)fl->last_frame));
    json_object_set_new(o, "application", fl->app[0] ? json_string(fl->app) : json_null());
    json_object_set_new(o, "category", fl->app[0] ? json_string(fl->category) : json_null());
    json_object_set_new(o, "confidence", json_string(fl->confidence));
    json_object_set_new(o, "wireshark",
                        fl->wireshark[0] ? json_string(fl->wireshark) : json_null());
    json_array_append_new(arg, o);
}

static void print_name(void *arg, const char *name)
{
    fprintf(arg, "%s\n", name);
}

static int list_names(struct pw_classifier *cls, bool apps)
{
    if (apps) {
        for (unsigned i = 1; i < pw_cls_app_count(cls); i++)
            printf("%s\t%s\n", pw_cls_app_name(cls, i),
                   pw_cls_category_name(cls, pw_cls_app_category(cls, i)));
    } else {
        pw_cls_foreach_category(cls, print_name, stdout);
    }
    return PW_EXIT_OK;
}

/* Builds the policy: the built-in one (unless told not to), then each file. */
static int load_policy(struct pw_policy *pol, bool use_default, const char **files, int nfiles,
                       char *desc, size_t ndesc)
{
    struct pw_error err = {0};
    size_t len = 0;
    desc[0] = '\0';
    if (use_default) {
        if (pw_policy_load_default(pol, &err) < 0) {
            pw_cli_err("alerts: built-in policy: %s", err.msg);
            return PW_EXIT_FAILURE;
        }
        len += (size_t)snprintf(desc, ndesc, "built-in");
    }
    for (int i = 0; i < nfiles; i++) {
        if (pw_policy_load_file(pol, files[i], &err) < 0) {
            pw_cli_err("alerts: %s", err.msg);
            return PW_EXIT_USAGE;
        }
        if (len < ndesc)
            len += (size_t)snprintf(desc + len, ndesc - len, "%s%s", len ? " + " : "", files[i]);
    }
    if (!desc[0])
        snprintf(desc, ndesc, "empty");
    return PW_EXIT_OK;
}

int pw_cmd_alerts(int argc, char **argv)
{
    enum {
        O_POLICY = 256,
        O_NODEF,
        O_PRINT,
        O_CHECK,
        O_APPS,
        O_CATS,
        O_JSON,
        O_FAIL,
        O_FLOWS,
        O_DUMP,
        O_THREADS
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, O_POLICY},
        {"no-default-policy", no_argument, NULL, O_NODEF},
        {"print-policy", no_argument, NULL, O_PRINT},
        {"check-policy", no_argument, NULL, O_CHECK},
        {"dump-policy", no_argument, NULL, O_DUMP},
        {"list-apps", no_argument, NULL, O_APPS},
        {"list-categories", no_argument, NULL, O_CATS},
        {"json", no_argument, NULL, O_JSON},
        {"flows", no_argument, NULL, O_FLOWS},
        {"fail-on", required_argument, NULL, O_FAIL},
        {"threads", required_argument, NULL, O_THREADS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *files[MAX_POLICY_FILES];
    int nfiles = 0;
    bool use_default = true, json = false, check = false, list_apps = false, list_cats = false;
    bool list_flows = false, dump = false;
    const char *path = NULL, *fexpr = NULL;
    unsigned fail_on = PW_SEV_NONE;
    struct pw_alerts_opts aopts = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:Y:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_POLICY:
            if (nfiles == MAX_POLICY_FILES) {
                pw_cli_err("alerts: at most %d --policy files", MAX_POLICY_FILES);
                return PW_EXIT_USAGE;
            }
            files[nfiles++] = optarg;
            break;
        case O_NODEF: use_default = false; break;
        case O_PRINT: fputs(pw_policy_default_text(), stdout); return PW_EXIT_OK;
        case O_CHECK: check = true; break;
        case O_DUMP: dump = true; break;
        case O_APPS: list_apps = true; break;
        case O_CATS: list_cats = true; break;
        case O_JSON: json = true; break;
        case O_FLOWS: list_flows = true; break;
        case O_FAIL: {
            int s = pw_sev_parse(optarg);
            if (s < 0) {
                pw_cli_err("alerts: --fail-on %s: expected info, low, medium, high or critical",
                           optarg);
                return PW_EXIT_USAGE;
            }
            fail_on = (unsigned)s;
            break;
        }
        case O_THREADS:
            if (strcmp(optarg, "1") && strcmp(optarg, "2")) {
                pw_cli_err("alerts: --threads %s: expected 1 or 2", optarg);
                return PW_EXIT_USAGE;
            }
            aopts.threads = (unsigned)(optarg[0] - '0');
            break;
        case 'r': path = optarg; break;
        case 'Y': fexpr = optarg; break;
        case 'h': usage(stdout); return PW_EXIT_OK;
        default: usage(stderr); return PW_EXIT_USAGE;
        }
    }
    if (!path && optind < argc)
        path = argv[optind++];
    if (optind < argc) {
        pw_cli_err("alerts: unexpected argument '%s'", argv[optind]);
        return PW_EXIT_USAGE;
    }
    if (!path && !check && !dump && !list_apps && !list_cats) {
        pw_cli_err("alerts: no capture file given");
        usage(stderr);
        return PW_EXIT_USAGE;
    }

    int rc = PW_EXIT_OK;
    struct pw_error err = {0};
    struct pw_classifier *cls = NULL;
    struct pw_policy *pol = NULL;
    struct pw_alerts *alerts = NULL;
    struct pw_filter *filter = NULL;
    struct pw_reader *r = NULL;
    struct pw_flows *flows = NULL;
    struct pw_app *app = NULL;
    char desc[512];

    if (pw_classifier_new(&cls, &err) < 0) {
        pw_cli_err("alerts: %s", err.msg);
        return PW_EXIT_FAILURE;
    }
    if (list_apps || list_cats) {
        rc = list_names(cls, list_apps);
        goto out;
    }
    pol = pw_policy_new();
    if (!pol) {
        pw_cli_err("alerts: out of memory");
        rc = PW_EXIT_FAILURE;
        goto out;
    }
    if ((rc = load_policy(pol, use_default, files, nfiles, desc, sizeof(desc))) != PW_EXIT_OK)
        goto out;
    if (pw_alerts_new_opts(&alerts, pol, cls, &aopts, &err) < 0) {
        pw_cli_err("alerts: %s", err.msg);
        rc = err.code == PW_ERR_NOMEM ? PW_EXIT_FAILURE : PW_EXIT_USAGE;
        goto out;
    }
    if (dump) {
        pw_policy_write(pol, print_name, stdout);
        goto out;
    }
    if (check) {
        printf("policy ok: %s (%u application rules, %u category rules, %u service entries, "
               "%u port entries)\n",
               desc, pol->napps, pol->ncats, pol->nservices, pol->nappports);
        if (!path)
            goto out;
    }
    if (fexpr) {
        size_t span = 0;
        if (pw_filter_compile_span(fexpr, &filter, &err, &span) < 0) {
            pw_cli_err("alerts: -Y: %s", err.msg);
            if (span) {
                fprintf(stderr, "    %s\n    ", fexpr);
                for (uint64_t i = 0; i < err.offset; i++)
                    fputc(fexpr[i] == '\t' ? '\t' : ' ', stderr);
                fputc('^', stderr);
                for (size_t i = 1; i < span; i++)
                    fputc('~', stderr);
                fputc('\n', stderr);
            }
            rc = PW_EXIT_USAGE;
            goto out;
        }
    }

    struct pw_pass_result res;
    memset(&res, 0, sizeof(res));
    if (pw_reader_open_file(&r, path, &err) < 0) {
        /* a zero-byte file is an empty capture, as for tshark */
        struct stat sb;
        if (!(strcmp(path, "-") && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
              sb.st_size == 0)) {
            pw_cli_err("%s: %s", path, err.msg);
            rc = PW_EXIT_FAILURE;
            goto out;
        }
        r = NULL;
    }
    if (r) {
        struct pw_flows_opts fopts = {.tap_bytes = (uint32_t)pw_alerts_flow_bytes()};
        flows = pw_flows_new(&fopts, &err);
        app = pw_app_new();
        if (!flows || !app) {
            pw_cli_err("alerts: %s", flows ? "out of memory" : err.msg);
            rc = PW_EXIT_FAILURE;
            goto out;
        }
        struct alerts_tap targ = {alerts, filter};
        struct pw_tap tap = {&targ, alerts_tap_packet, alerts_tap_before_app};
        struct pw_cli_progress prog;
        pw_cli_progress_init(&prog, path);
        struct pw_pass_opts opts = {.dissect = true,
                                    .progress = pw_cli_progress_cb,
                                    .progress_arg = &prog,
                                    .flows = flows,
                                    .app = app};
        pw_pass_run(r, &tap, 1, &opts, &res);
        pw_cli_progress_done(&prog);
    }
    pw_alerts_finish(alerts);
    struct pw_alerts_report rep = {path, alerts, pw_classifier_version(cls), desc, fexpr, fail_on};
    if (json) {
        json_t *doc = pw_alerts_json(&rep);
        if (list_flows) {
            json_t *arr = json_array();
            pw_alerts_foreach_flow(alerts, flow_json, arr);
            json_object_set_new(doc, "flow_list", arr);
        }
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) {
            puts(s);
            free(s);
        }
        json_decref(doc);
    } else {
        pw_alerts_text(stdout, &rep);
        if (list_flows) {
            printf("\nFlows:\n");
            pw_alerts_foreach_flow(alerts, flow_text, stdout);
        }
    }
    fflush(stdout);
    if (res.status) {
        pw_cli_err("%s: %s (byte offset %llu); the alerts cover the %llu complete records "
                   "before it",
                   path, res.damage.msg, (unsigned long long)res.damage.offset,
                   (unsigned long long)res.packets);
        rc = PW_EXIT_DAMAGED;
    }
    /* a triggered --fail-on outranks damage: it is what a scheduled check asks */
    if (fail_on && pw_alerts_max_sev(alerts) >= fail_on)
        rc = PW_EXIT_ALERT;
out:
    pw_alerts_free(alerts); /* its flow records are in the flow stage's memory */
    pw_app_free(app);
    pw_flows_free(flows);
    pw_reader_free(r);
    pw_filter_free(filter);
    pw_policy_free(pol);
    pw_classifier_free(cls);
    return rc;
}
