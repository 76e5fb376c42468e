/* The text layouts of tshark 4.0's -z reports (wireshark-semantics.md
 * sections 1-3): rule lengths, column widths and number formats exactly as
 * tshark prints them in the C locale. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/stats.h"
#include "util/fmt.h"

/* ---- io,phs ---------------------------------------------------------- */

#define PHS_MAX_INDENT 16 /* depths above draw 32 spaces and "..." */
#define PHS_MAX_LINE 79

static void phs_row(const struct pw_phs_node *n, void *arg)
{
    FILE *f = arg;
    char buf[128];
    unsigned depth = n->depth;
    unsigned ind = (depth > PHS_MAX_INDENT ? PHS_MAX_INDENT : depth) * 2;
    memset(buf, ' ', ind);
    int k = snprintf(buf + ind, sizeof(buf) - ind, "%s%s", depth > PHS_MAX_INDENT ? "..." : "",
                     pw_proto_abbrev(n->proto));
    (void)k;
    buf[PHS_MAX_LINE] = '\0';
    fprintf(f, "%-40s frames:%" PRIu64 " bytes:%" PRIu64 "\n", buf, n->frames, n->bytes);
}

static void phs_text(FILE *f, const struct pw_report *r)
{
    static const char rule[] =
        "===================================================================";
    fprintf(f, "\n%s\nProtocol Hierarchy Statistics\nFilter: %s\n\n", rule,
            r->filter ? r->filter : "");
    pw_phs_walk(r->phs, phs_row, f);
    fprintf(f, "%s\n", rule);
}

/* ---- dests,tree ------------------------------------------------------ */

static void dashes(FILE *f, char c, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        fputc(c, f);
    fputc('\n', f);
}

struct dests_ctx {
    FILE *f;
    const struct pw_dests *s;
    unsigned w;
    double elapsed;
};

static void dests_node(const struct dests_ctx *c, uint32_t i)
{
    const struct pw_dests_node *nd = &c->s->node[i];
    char name[160], rate[32], pct[32], burst[32], bstart[32];
    snprintf(name, sizeof(name), "%*s%s", (int)nd->depth, "", nd->name);
    if (c->elapsed > 0)
        snprintf(rate, sizeof(rate), "%.4f", (double)(float)nd->count / c->elapsed);
    else
        rate[0] = '\0';
    if (i == 0)
        snprintf(pct, sizeof(pct), "100%%");
    else {
        uint64_t pc = c->s->node[nd->parent].count;
        snprintf(pct, sizeof(pct), "%.2f%%", pc ? (double)nd->count * 100.0 / (double)pc : 0.0);
    }
    if (nd->max_burst) {
        snprintf(burst, sizeof(burst), "%.4f", (double)((float)nd->max_burst / 100.0f));
        snprintf(bstart, sizeof(bstart), "%.3f", nd->burst_time / 1000.0);
    } else {
        snprintf(burst, sizeof(burst), "-");
        snprintf(bstart, sizeof(bstart), "-");
    }
    char cnt[32];
    snprintf(cnt, sizeof(cnt), "%" PRIu64, nd->count);
    fprintf(c->f, "%-*s %-13s %-13s %-13s %-13s %-13s %-13s %-13s %-13s\n", (int)c->w, name, cnt,
            "", "", "", rate, pct, burst, bstart);
    for (uint32_t k = c->s->kid_start[i]; k < c->s->kid_start[i + 1]; k++)
        dests_node(c, c->s->kids[k]);
}

static void dests_text(FILE *f, const struct pw_report *r)
{
    const struct pw_dests *s = r->dests;
    unsigned w = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        unsigned x = (unsigned)strlen(s->node[i].name) + s->node[i].depth + 1;
        if (x > w)
            w = x;
    }
    struct dests_ctx c = {f, s, w, s->start_ms >= 0 ? s->now_ms - s->start_ms : 0};
    fputc('\n', f);
    dashes(f, '=', w + 8 * 14);
    fprintf(f, "IPv4 Statistics/Destinations and Ports:\n");
    fprintf(f, "%-*s %-13s %-13s %-13s %-13s %-13s %-13s %-13s %-13s\n", (int)w, "Topic / Item",
            "Count", "Average", "Min Val", "Max Val", "Rate (ms)", "Percent", "Burst Rate",
            "Burst Start");
    dashes(f, '-', w + 8 * 14);
    if (s->kid_start)
        dests_node(&c, 0);
    fputc('\n', f);
    dashes(f, '-', w + 8 * 14);
}

/* ---- conv / endpoints -------------------------------------------------- */

static const char eq80[] =
    "================================================================================";

static void conv_text(FILE *f, const struct pw_report *r)
{
    const struct pw_convtab *t = r->conv;
    int ports = t->kind == PW_CT_TCP || t->kind == PW_CT_UDP;
    const char *pad = ports ? "            " : "";
    int aw = ports ? 26 : 20;
    fprintf(f, "%s\n%s Conversations\nFilter:%s\n", eq80, pw_conv_kind_title(t->kind),
            r->filter ? r->filter : "<No Filter>");
    fprintf(f, "%s                                               |       <-      | |       ->      "
               "| |     Total     |    Relative    |   Duration   |\n",
            pad);
    fprintf(f, "%s                                               | Frames  Bytes | | Frames  Bytes "
               "| | Frames  Bytes |      Start     |              |\n",
            pad);
    uint32_t *ord;
    uint32_t n = pw_convtab_order(t, &ord);
    for (uint32_t k = 0; k < n; k++) {
        const struct pw_conv *c = &t->conv[ord[k]];
        char a[96], b[96], rx[32], tx[32], tot[32];
        pw_conv_addr_str(&c->a, ports, a, sizeof(a));
        pw_conv_addr_str(&c->b, ports, b, sizeof(b));
        pw_fmt_size(rx, sizeof(rx), (int64_t)c->rx_bytes, PW_UNIT_BYTES);
        pw_fmt_size(tx, sizeof(tx), (int64_t)c->tx_bytes, PW_UNIT_BYTES);
        pw_fmt_size(tot, sizeof(tot), (int64_t)(c->rx_bytes + c->tx_bytes), PW_UNIT_BYTES);
        double start = pw_reltime_sec(c->start);
        double dur = pw_reltime_sec(c->stop) - start;
        fprintf(f, "%-*s <-> %-*s  %6" PRIu64 " %-9s  %6" PRIu64 " %-9s  %6" PRIu64 " %-9s  %14.9f   %12.4f\n",
                aw, a, aw, b, c->rx_frames, rx, c->tx_frames, tx, c->rx_frames + c->tx_frames,
                tot, start, dur);
    }
    free(ord);
    fprintf(f, "%s\n", eq80);
}

static void endpoints_text(FILE *f, const struct pw_report *r)
{
    const struct pw_convtab *t = r->conv;
    int ports = t->kind == PW_CT_TCP || t->kind == PW_CT_UDP;
    fprintf(f, "%s\n%s Endpoints\nFilter:%s\n", eq80, pw_conv_kind_title(t->kind),
            r->filter ? r->filter : "<No Filter>");
    fprintf(f, "                       |%s  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | "
               "Rx Packets | | Rx Bytes |\n",
            ports ? "  Port  ||" : "");
    uint32_t *ord;
    uint32_t n = pw_convtab_order(t, &ord);
    for (uint32_t k = 0; k < n; k++) {
        const struct pw_endpoint *e = &t->ep[ord[k]];
        char a[96];
        pw_conv_addr_str(&e->a, 0, a, sizeof(a));
        fprintf(f, "%-20s      ", a);
        if (ports)
            fprintf(f, "%5u     ", e->a.port);
        fprintf(f, "%6" PRIu64 "     %9" PRIu64 "     %6" PRIu64 "       %9" PRIu64
                   "      %6" PRIu64 "       %9" PRIu64 "   \n",
                e->tx_frames + e->rx_frames, e->tx_bytes + e->rx_bytes, e->tx_frames,
                e->tx_bytes, e->rx_frames, e->rx_bytes);
    }
    free(ord);
    fprintf(f, "%s\n", eq80);
}

void pw_stats_text(FILE *f, const struct pw_report *r)
{
    switch (r->kind) {
    case PW_REP_PHS: phs_text(f, r); break;
    case PW_REP_DESTS: dests_text(f, r); break;
    case PW_REP_CONV: conv_text(f, r); break;
    case PW_REP_ENDPOINTS: endpoints_text(f, r); break;
    }
}
