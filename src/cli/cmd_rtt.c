/* pktwatch rtt: TCP handshake round-trip times per connection, per server
 * and in total, numbered and timed exactly like tshark's tcp.stream and
 * tcp.analysis.ack_rtt / initial_rtt. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "dissect/app.h"
#include "filter/ftap.h"
#include "flow/flows.h"
#include "output/rtt.h"
#include "stats/pass.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: pktwatch rtt [--csv | --json] [--summary] [-Y EXPR] FILE\n\n"
               "TCP handshakes of a capture, one row per connection (a tcp.stream with a SYN\n"
               "or a SYN/ACK), numbered like tshark's tcp.stream:\n"
               "  client / server   the SYN's sender is the client (with only a SYN/ACK, its\n"
               "                    receiver)\n"
               "  syn_frame,        first SYN and the server's first SYN/ACK (frame numbers as\n"
               "  synack_frame      in tshark, 1-based)\n"
               "  syn_time          time of the first SYN (seconds since 1970)\n"
               "  handshake_rtt     SYN/ACK time - first SYN time (tshark's tcp.analysis.ack_rtt\n"
               "                    on that SYN/ACK)\n"
               "  client_rtt        the client leg: the client's first ACK - SYN/ACK time\n"
               "  initial_rtt       tshark's tcp.analysis.initial_rtt (latest SYN to the first\n"
               "                    ACK: the whole handshake)\n"
               "  syn_retransmits,  repeated SYNs from the client and SYN/ACKs from the server\n"
               "  synack_retransmits\n"
               "  outcome           established, reset, no_answer, synack_without_syn,\n"
               "                    incomplete (no ACK nor RST after the SYN/ACK),\n"
               "                    simultaneous_open\n"
               "then the handshake RTT per server address (min, median, p90, p99, max; the\n"
               "nearest-rank method, so every figure is a measured value), a total, and where\n"
               "the capture seems to have been taken: on the server side the SYN -> SYN/ACK\n"
               "leg is near zero and the handshake RTT is not the network round trip (use the\n"
               "client leg or the iRTT instead).\n"
               "FILE may be '-' for standard input.\n\n"
               "options:\n"
               "  --csv         the per-connection table as CSV (times in seconds, 9 decimals;\n"
               "                an empty cell where a value does not exist)\n"
               "  --json        everything as one JSON object (durations in nanoseconds)\n"
               "  -s, --summary text: leave out the per-connection table\n"
               "  -Y EXPR       only packets matching the display filter are analysed\n"
               "                (tcp.stream numbers stay those of the whole capture)\n"
               "  -h, --help    this text\n\n"
               "exit status: 0 ok; 1 the file could not be read or is not a capture; 2 usage\n"
               "error; 3 the file is damaged (cut short or a lying length): the results cover\n"
               "every complete record before the damage.\n");
}

static void rtt_tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)rec;
    pw_rtt_packet(arg, pkt);
}

int pw_cmd_rtt(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"csv", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"summary", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool csv = false, json = false, summary = false;
    const char *fexpr = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "shY:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': csv = true; break;
        case 'j': json = true; break;
        case 's': summary = true; break;
        case 'Y': fexpr = optarg; break;
        case 'h': usage(stdout); return PW_EXIT_OK;
        default: usage(stderr); return PW_EXIT_USAGE;
        }
    }
    if (csv && json) {
        pw_cli_err("rtt: --csv and --json exclude each other");
        return PW_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        pw_cli_err(optind >= argc ? "rtt: no capture file given"
                                  : "rtt: one capture file at a time");
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    const char *path = argv[optind];
    struct pw_error err = {0};
    struct pw_filter *filter = NULL;
    if (fexpr && pw_filter_compile(fexpr, &filter, &err) < 0) {
        pw_cli_err("rtt: -Y: %s", err.msg);
        return PW_EXIT_USAGE;
    }
    struct pw_reader *r = NULL;
    if (pw_reader_open_file(&r, path, &err) < 0) {
        pw_cli_err("%s: %s", path, err.msg);
        pw_filter_free(filter);
        return PW_EXIT_FAILURE;
    }
    int rc = PW_EXIT_FAILURE;
    struct pw_app *app = NULL;
    /* Only TCP matters here, and the application stage (TCP reassembly)
     * would only tell the flow stage about tshark's VNC heuristic, which it
     * recognises by itself without it, at a fraction of the cost. */
    struct pw_flows_opts fopts = {.no_udp = true, .no_app_stage = true};
    /* a filter gets the stages `filter -Y` would run for it */
    if (filter && pw_filter_needs_app(filter)) {
        fopts.no_udp = fopts.no_app_stage = false;
        app = pw_app_new();
    } else if (filter && pw_filter_needs_flows(filter)) {
        fopts.no_udp = false;
    }
    struct pw_flows *flows = pw_flows_new(&fopts, &err);
    struct pw_rtt *rtt = pw_rtt_new();
    if (!flows || !rtt || (filter && pw_filter_needs_app(filter) && !app)) {
        pw_cli_err("%s: out of memory", path);
        goto out;
    }
    struct pw_cli_progress prog;
    pw_cli_progress_init(&prog, path);
    struct pw_pass_opts opts = {
        .dissect = true, .progress = pw_cli_progress_cb, .progress_arg = &prog, .flows = flows,
        .app = app};
    struct pw_pass_result res;
    struct pw_tap inner = {rtt, rtt_tap};
    struct pw_filter_tap ft = {filter, &inner, 1, 0};
    struct pw_tap tap = pw_filter_tap(&ft);
    pw_pass_run(r, &tap, 1, &opts, &res);
    pw_cli_progress_done(&prog);
    if (res.status == PW_ERR_NOMEM || pw_rtt_finish(rtt) < 0) {
        pw_cli_err("%s: out of memory", path);
        goto out;
    }
    struct pw_flows_stats fs;
    pw_flows_get_stats(flows, &fs);
    if (fs.tcp_overflows)
        pw_cli_err("%s: %llu TCP headers beyond the flow table's capacity were not analysed", path,
                   (unsigned long long)fs.tcp_overflows);

    struct pw_rtt_report rep = {path, rtt, summary};
    if (csv) {
        pw_rtt_csv(stdout, &rep, true);
    } else if (json) {
        json_t *doc = pw_rtt_json(&rep);
        char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (s) {
            puts(s);
            free(s);
        }
        json_decref(doc);
    } else {
        pw_rtt_text(stdout, &rep);
    }
    if (fflush(stdout) != 0) {
        pw_cli_err("write error");
        goto out;
    }
    rc = PW_EXIT_OK;
    if (res.status) {
        pw_cli_err("%s: %s (byte offset %llu); the results cover the %llu complete records "
                   "before it",
                   path, res.damage.msg, (unsigned long long)res.damage.offset,
                   (unsigned long long)res.packets);
        rc = PW_EXIT_DAMAGED;
    }
out:
    pw_filter_free(filter);
    pw_app_free(app);
    pw_rtt_free(rtt);
    pw_flows_free(flows);
    pw_reader_free(r);
    return rc;
}
