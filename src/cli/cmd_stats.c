/* pktwatch stats: tshark's -z statistics (io,phs, dests,tree, conv,*,
 * endpoints,*), every requested report computed in one pass, printed byte
 * for byte as `tshark -n -r FILE -q -z SPEC ...` prints them. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "dissect/app.h"
#include "filter/filter.h"
#include "flow/flows.h"
#include "output/stats.h"
#include "stats/pass.h"

#define MAX_REPORTS 32

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pktwatch stats [--json] [-Y EXPR] -z SPEC [-z SPEC ...] [-r] FILE\n\n"
            "Computes tshark's statistics in one pass and prints them exactly as\n"
            "`tshark -n -r FILE -q -z SPEC` does (reports in reverse command-line order).\n\n"
            "SPEC: io,phs | dests,tree | conv,tcp | conv,udp | conv,ip | conv,eth |\n"
            "      endpoints,ip | endpoints,tcp | endpoints,udp | endpoints,eth\n"
            "      each optionally followed by ,FILTER: a display filter the packets of\n"
            "      that report must match (as in tshark)\n\n"
            "options:\n"
            "  -z SPEC       add a report (repeatable)\n"
            "  -Y EXPR       only packets matching the display filter are counted, in\n"
            "                every report (tshark -2 -R EXPR; a one-pass tshark -Y does\n"
            "                not restrict its -z reports)\n"
            "  -r FILE       the capture ('-' for standard input); a bare FILE works too\n"
            "  -q, -n        accepted for tshark compatibility (always in effect)\n"
            "  --json        one JSON document per report, raw numbers\n"
            "  -h, --help    this text\n\n"
            "exit status: 0 ok; 1 the file could not be read; 2 usage error; 3 the file is\n"
            "damaged (cut short or a lying length): the reports cover every complete record\n"
            "before the damage.\n");
}

struct stats_tap {
    struct pw_report *rep;
    unsigned n;
    struct pw_filter *const *rf; /* per report: its ,FILTER or NULL */
    const struct pw_filter *all; /* -Y, or NULL */
};

static void stats_tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct stats_tap *t = arg;
    bool all = !t->all || (pkt && pw_filter_match(t->all, pkt));
    for (unsigned i = 0; i < t->n; i++) {
        if (all && (!t->rf[i] || (pkt && pw_filter_match(t->rf[i], pkt))))
            pw_report_packet(&t->rep[i], rec, pkt);
        else
            pw_report_unmatched(&t->rep[i], rec);
    }
}

static int compile_filter(const char *what, const char *expr, struct pw_filter **out)
{
    struct pw_error err = {0};
    if (pw_filter_compile(expr, out, &err) < 0) {
        pw_cli_err("stats: %s: %s", what, err.msg);
        return -1;
    }
    return 0;
}

static void print_reports(struct pw_report *rep, unsigned n, bool json)
{
    /* tshark prints the reports in reverse order of the command line */
    for (unsigned k = n; k-- > 0;) {
        if (json) {
            json_t *doc = pw_stats_json(&rep[k]);
            char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            if (s) {
                puts(s);
                free(s);
            }
            json_decref(doc);
        } else {
            pw_stats_text(stdout, &rep[k]);
        }
    }
}

int pw_cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct pw_report rep[MAX_REPORTS];
    struct pw_filter *rf[MAX_REPORTS] = {0};
    struct pw_filter *all = NULL;
    const char *fexpr = NULL;
    unsigned nrep = 0;
    const char *path = NULL;
    bool json = false;
    struct pw_error err = {0};
    int c, rc = PW_EXIT_OK;
    optind = 1;
    while ((c = getopt_long(argc, argv, "z:r:Y:qno:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'z':
            if (nrep == MAX_REPORTS) {
                pw_cli_err("stats: at most %d -z reports", MAX_REPORTS);
                return PW_EXIT_USAGE;
            }
            if (pw_report_parse(&rep[nrep], optarg, &err) < 0) {
                pw_cli_err("stats: %s", err.msg);
                return PW_EXIT_USAGE;
            }
            nrep++;
            break;
        case 'Y': fexpr = optarg; break;
        case 'r': path = optarg; break;
        case 'q':
        case 'n': break;
        case 'o':
            /* tshark preferences: only the defaults the oracle states
             * explicitly are accepted, since nothing else is implemented */
            if (strcmp(optarg, "tcp.relative_sequence_numbers:TRUE")) {
                pw_cli_err("stats: preference \"%s\" is not supported", optarg);
                return PW_EXIT_USAGE;
            }
            break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return PW_EXIT_OK;
        default: usage(stderr); return PW_EXIT_USAGE;
        }
    }
    if (!path && optind < argc)
        path = argv[optind++];
    if (optind < argc) {
        pw_cli_err("stats: unexpected argument '%s'", argv[optind]);
        return PW_EXIT_USAGE;
    }
    if (!path) {
        pw_cli_err("stats: no capture file given");
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    if (!nrep) {
        pw_cli_err("stats: no report requested (-z SPEC)");
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    if (fexpr && compile_filter("-Y", fexpr, &all) < 0) {
        rc = PW_EXIT_USAGE;
        goto filters;
    }
    for (unsigned i = 0; i < nrep; i++) {
        if (rep[i].filter && compile_filter(rep[i].spec, rep[i].filter, &rf[i]) < 0) {
            rc = PW_EXIT_USAGE;
            goto filters;
        }
    }
    for (unsigned i = 0; i < nrep; i++) {
        if (pw_report_start(&rep[i], &err) < 0) {
            pw_cli_err("stats: %s", err.msg);
            for (unsigned k = 0; k < i; k++)
                pw_report_free(&rep[k]);
            rc = PW_EXIT_FAILURE;
            goto filters;
        }
    }

    struct pw_reader *r = NULL;
    struct pw_pass_result res;
    memset(&res, 0, sizeof(res));
    if (pw_reader_open_file(&r, path, &err) < 0) {
        /* a zero-byte file is an empty capture to tshark: empty reports */
        struct stat sb;
        if (strcmp(path, "-") && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
            r = NULL;
        } else {
            pw_cli_err("%s: %s", path, err.msg);
            rc = PW_EXIT_FAILURE;
            goto out;
        }
    }
    if (r) {
        struct stats_tap targ = {rep, nrep, rf, all};
        struct pw_tap tap = {&targ, stats_tap_packet};
        struct pw_flows *flows = pw_flows_new(NULL, &err);
        struct pw_app *app = pw_app_new();
        if (!flows || !app) {
            pw_cli_err("stats: %s", flows ? "out of memory" : err.msg);
            pw_flows_free(flows);
            pw_app_free(app);
            pw_reader_free(r);
            rc = PW_EXIT_FAILURE;
            goto out;
        }
        struct pw_pass_opts opts = {.dissect = true, .flows = flows, .app = app};
        pw_pass_run(r, &tap, 1, &opts, &res);
        pw_app_free(app);
        pw_flows_free(flows);
        pw_reader_free(r);
    }
    for (unsigned i = 0; i < nrep; i++)
        pw_report_finish(&rep[i]);
    print_reports(rep, nrep, json);
    fflush(stdout);
    if (res.status) {
        pw_cli_err("%s: %s (byte offset %llu); the reports cover the %llu complete records "
                   "before it",
                   path, res.damage.msg, (unsigned long long)res.damage.offset,
                   (unsigned long long)res.packets);
        rc = PW_EXIT_DAMAGED;
    }
out:
    for (unsigned i = 0; i < nrep; i++)
        pw_report_free(&rep[i]);
filters:
    pw_filter_free(all);
    for (unsigned i = 0; i < nrep; i++)
        pw_filter_free(rf[i]);
    return rc;
}
