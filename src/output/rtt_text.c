/* `pktwatch rtt` for people: the connections as an aligned table (times in
 * milliseconds), the per-server summary, a one-line total, and what the
 * two handshake legs say about where the capture was taken. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/rtt.h"

#define NCOLS 13
#define CELL 64

static const char *const heads[NCOLS] = {
    "stream",       "client",        "port",    "server",  "port",        "SYN",     "SYN/ACK",
    "handshake ms", "client leg ms", "iRTT ms", "SYN rtx", "SYN/ACK rtx", "outcome",
};
/* 1: right-aligned (numbers) */
static const int right[NCOLS] = {1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0};

static void cells(const struct pw_rtt_conn *c, char cell[NCOLS][CELL])
{
    snprintf(cell[0], CELL, "%u", c->stream);
    pw_rtt_addr(cell[1], CELL, c->family, c->client);
    snprintf(cell[2], CELL, "%u", c->client_port);
    pw_rtt_addr(cell[3], CELL, c->family, c->server);
    snprintf(cell[4], CELL, "%u", c->server_port);
    snprintf(cell[5], CELL, c->syn_frame ? "%" PRIu64 : "-", c->syn_frame);
    snprintf(cell[6], CELL, c->synack_frame ? "%" PRIu64 : "-", c->synack_frame);
    const bool has[3] = {c->has_handshake_rtt, c->has_client_rtt, c->has_initial_rtt};
    const struct pw_nstime t[3] = {c->handshake_rtt, c->client_rtt, c->initial_rtt};
    for (int i = 0; i < 3; i++) {
        if (has[i])
            pw_rtt_ms(cell[7 + i], CELL, pw_nstime_ns(t[i]));
        else
            snprintf(cell[7 + i], CELL, "-");
    }
    snprintf(cell[10], CELL, "%u", c->syn_retransmits);
    snprintf(cell[11], CELL, "%u", c->synack_retransmits);
    snprintf(cell[12], CELL, "%s", pw_rtt_outcome_name(c->outcome));
}

static void print_row(FILE *f, char cell[NCOLS][CELL], const int *w)
{
    for (int i = 0; i < NCOLS; i++) {
        const char *sep = i ? "  " : "";
        if (i == NCOLS - 1)
            fprintf(f, "%s%s\n", sep, cell[i]);
        else
            fprintf(f, right[i] ? "%s%*s" : "%s%-*s", sep, w[i], cell[i]);
    }
}

static void conn_table(FILE *f, const struct pw_rtt *r)
{
    int w[NCOLS];
    char cell[NCOLS][CELL];
    for (int i = 0; i < NCOLS; i++)
        w[i] = (int)strlen(heads[i]);
    for (size_t k = 0; k < pw_rtt_nconns(r); k++) {
        cells(pw_rtt_conn(r, k), cell);
        for (int i = 0; i < NCOLS; i++)
            if ((int)strlen(cell[i]) > w[i])
                w[i] = (int)strlen(cell[i]);
    }
    for (int i = 0; i < NCOLS; i++)
        snprintf(cell[i], CELL, "%s", heads[i]);
    print_row(f, cell, w);
    for (size_t k = 0; k < pw_rtt_nconns(r); k++) {
        cells(pw_rtt_conn(r, k), cell);
        print_row(f, cell, w);
    }
}

/* min, median, p90, p99, max into cell[first..first+4] */
static void dist_cells(const struct pw_rtt_dist *d, char cell[][CELL], int first)
{
    const int64_t v[5] = {d->min, d->median, d->p90, d->p99, d->max};
    for (int i = 0; i < 5; i++) {
        if (d->n)
            pw_rtt_ms(cell[first + i], CELL, v[i]);
        else
            snprintf(cell[first + i], CELL, "-");
    }
}

static void server_table(FILE *f, const struct pw_rtt *r)
{
    static const char *const sh[8] = {"server", "conns", "with RTT", "min",
                                      "median", "p90",   "p99",      "max"};
    int w[8];
    char cell[8][CELL];
    for (int i = 0; i < 8; i++)
        w[i] = (int)strlen(sh[i]);
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            fprintf(f, "%-*s  %*s  %*s  %*s  %*s  %*s  %*s  %*s\n", w[0], sh[0], w[1], sh[1], w[2],
                    sh[2], w[3], sh[3], w[4], sh[4], w[5], sh[5], w[6], sh[6], w[7], sh[7]);
        }
        for (size_t k = 0; k < pw_rtt_nservers(r); k++) {
            const struct pw_rtt_server *s = pw_rtt_server(r, k);
            pw_rtt_addr(cell[0], CELL, s->family, s->addr);
            snprintf(cell[1], CELL, "%u", s->connections);
            snprintf(cell[2], CELL, "%u", s->rtt.n);
            dist_cells(&s->rtt, cell, 3);
            if (!pass) {
                for (int i = 0; i < 8; i++)
                    if ((int)strlen(cell[i]) > w[i])
                        w[i] = (int)strlen(cell[i]);
                continue;
            }
            fprintf(f, "%-*s  %*s  %*s  %*s  %*s  %*s  %*s  %*s\n", w[0], cell[0], w[1], cell[1],
                    w[2], cell[2], w[3], cell[3], w[4], cell[4], w[5], cell[5], w[6], cell[6], w[7],
                    cell[7]);
        }
    }
}

void pw_rtt_text(FILE *f, const struct pw_rtt_report *rep)
{
    const struct pw_rtt *r = rep->rtt;
    const struct pw_rtt_summary *s = pw_rtt_summary(r);
    char a[CELL], b[CELL], c[CELL], d[CELL], e[CELL];
    fprintf(f, "TCP handshakes in %s\n", rep->name);
    if (!rep->summary_only && pw_rtt_nconns(r)) {
        fputc('\n', f);
        conn_table(f, r);
    }
    if (pw_rtt_nservers(r)) {
        fprintf(f, "\nHandshake RTT per server (SYN -> SYN/ACK, ms), by connections:\n");
        server_table(f, r);
    }
    fprintf(f,
            "\nTotal: %u connections (%u established, %u reset, %u no answer, %u SYN/ACK "
            "without SYN, %u incomplete, %u simultaneous open) in %" PRIu64
            " TCP streams; %u SYN and %u SYN/ACK retransmissions; ",
            s->connections, s->outcomes[PW_RTT_ESTABLISHED], s->outcomes[PW_RTT_RESET],
            s->outcomes[PW_RTT_NO_ANSWER], s->outcomes[PW_RTT_SYNACK_WITHOUT_SYN],
            s->outcomes[PW_RTT_INCOMPLETE], s->outcomes[PW_RTT_SIMULTANEOUS_OPEN], s->streams,
            s->syn_retransmits, s->synack_retransmits);
    if (s->rtt.n)
        fprintf(f, "handshake RTT over %u: min %s, median %s, p90 %s, p99 %s, max %s ms\n",
                s->rtt.n, pw_rtt_ms(a, sizeof(a), s->rtt.min),
                pw_rtt_ms(b, sizeof(b), s->rtt.median), pw_rtt_ms(c, sizeof(c), s->rtt.p90),
                pw_rtt_ms(d, sizeof(d), s->rtt.p99), pw_rtt_ms(e, sizeof(e), s->rtt.max));
    else
        fprintf(f, "no handshake RTT\n");
    const char *advice = pw_rtt_side_advice(s->side);
    if (advice)
        fprintf(f,
                "\nCapture side: median SYN -> SYN/ACK %s ms, SYN/ACK -> ACK %s ms over %u "
                "connections. %s\n",
                pw_rtt_ms(a, sizeof(a), s->leg1_median), pw_rtt_ms(b, sizeof(b), s->leg2_median),
                s->both_legs, advice);
}
