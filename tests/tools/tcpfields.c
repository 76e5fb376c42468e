/* tcpfields: prints, for every frame, what the flow stage computed, in the
 * layout of
 *
 *   tshark -T fields -E occurrence=a -e frame.number -e tcp.stream
 *      -e udp.stream -e tcp.analysis.ack_rtt -e tcp.analysis.acks_frame
 *      -e tcp.analysis.initial_rtt -e tcp.analysis.bytes_in_flight
 *      -e tcp.analysis.push_bytes_sent -e tcp.analysis.duplicate_ack_num
 *
 * plus a last column with the tcp.analysis flags by name (comma-separated),
 * so that tests/conformance/rtt.sh can compare pktwatch with tshark frame by
 * frame. Values are taken through the published fields (pw_field_by_name),
 * so the field table is what gets tested. Several headers of one frame
 * (a TCP header quoted in an ICMP error, UDP in UDP tunnels) give
 * comma-separated values in layer order, as tshark prints them.
 *
 * By default the pass runs as `pktwatch rtt` runs it: flow stage without the
 * application stage (the flow stage then recognises tshark's VNC heuristic
 * from the payload); --app runs the application stage too, as `pktwatch
 * stats` and `filter` do.
 *
 * Usage: tcpfields [-H] [--app] FILE    (-H: print a header line first)
 * Exit status: 0, 1 unreadable, 3 damaged (rows cover the records before). */
#include <stdio.h>
#include <string.h>

#include "dissect/app.h"
#include "flow/flows.h"
#include "stats/pass.h"

static const char *const cols[] = {
    "tcp.stream",
    "udp.stream",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.acks_frame",
    "tcp.analysis.initial_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.push_bytes_sent",
    "tcp.analysis.duplicate_ack_num",
};

static const char *const flag_fields[] = {
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.reused_ports",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.window_update",
    "tcp.analysis.window_full",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack",
};

static void print_value(const struct pw_fvalue *v)
{
    char buf[64];
    if (v->type == PW_FT_RELATIVE_TIME) {
        /* print the exact pair tshark would print */
        fputs(
            pw_nstime_fmt(buf, sizeof(buf),
                          (struct pw_nstime){v->v.i / 1000000000, (int32_t)(v->v.i % 1000000000)}),
            stdout);
        return;
    }
    printf("%llu", (unsigned long long)v->v.u);
}

static void tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    (void)arg;
    (void)rec;
    printf("%llu", (unsigned long long)pkt->frame);
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
        const struct pw_field *f = pw_field_by_name(cols[c]);
        putchar('\t');
        int n = 0;
        for (int i = 0; f && i < pkt->nlayers; i++) {
            if (pkt->layer[i].proto != f->proto)
                continue;
            struct pw_fvalue v;
            if (f->get(pkt, &pkt->layer[i], &v, 1) < 1)
                continue;
            if (n++)
                putchar(',');
            /* an unnormalised time (bad timestamps) prints as tshark does */
            if (f->type == PW_FT_RELATIVE_TIME && i == pkt->tcp.layer) {
                char buf[64];
                struct pw_nstime t =
                    strstr(cols[c], "initial") ? pkt->tcp.initial_rtt : pkt->tcp.ack_rtt;
                fputs(pw_nstime_fmt(buf, sizeof(buf), t), stdout);
            } else {
                print_value(&v);
            }
        }
    }
    putchar('\t');
    int n = 0;
    for (size_t c = 0; c < sizeof(flag_fields) / sizeof(flag_fields[0]); c++) {
        const struct pw_field *f = pw_field_by_name(flag_fields[c]);
        for (int i = 0; f && i < pkt->nlayers; i++) {
            struct pw_fvalue v;
            if (pkt->layer[i].proto == PW_P_TCP && f->get(pkt, &pkt->layer[i], &v, 1) > 0)
                printf("%s%s", n++ ? "," : "", flag_fields[c] + strlen("tcp.analysis."));
        }
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    int header = 0, use_app = 0, i = 1;
    for (; i < argc - 1; i++) {
        if (!strcmp(argv[i], "-H"))
            header = 1;
        else if (!strcmp(argv[i], "--app"))
            use_app = 1;
        else
            break;
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: tcpfields [-H] [--app] FILE\n");
        return 2;
    }
    const char *path = argv[i];
    struct pw_error err = {0};
    struct pw_reader *r;
    if (pw_reader_open_file(&r, path, &err) < 0) {
        fprintf(stderr, "tcpfields: %s: %s\n", path, err.msg);
        return 1;
    }
    struct pw_flows_opts fo = {.no_app_stage = !use_app};
    struct pw_flows *fl = pw_flows_new(&fo, &err);
    struct pw_app *app = use_app ? pw_app_new() : NULL;
    if (!fl || (use_app && !app)) {
        fprintf(stderr, "tcpfields: %s\n", err.msg);
        pw_reader_free(r);
        return 1;
    }
    if (header) {
        printf("frame.number");
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
            printf("\t%s", cols[c]);
        printf("\ttcp.analysis.flags\n");
    }
    struct pw_tap t = {NULL, tap};
    struct pw_pass_opts opts = {.dissect = true, .flows = fl, .app = app};
    struct pw_pass_result res;
    pw_pass_run(r, &t, 1, &opts, &res);
    pw_app_free(app);
    pw_flows_free(fl);
    pw_reader_free(r);
    return res.status ? 3 : 0;
}
