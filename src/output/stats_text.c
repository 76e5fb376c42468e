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

/* ---- row building ------------------------------------------------------
 * The dests, conv and endpoints reports print a row per node, conversation
 * or endpoint (tens of thousands on a large capture); fprintf with its
 * floating-point conversions was half of `stats`' time, so rows are built
 * here and written with one fwrite. */

struct row {
    char b[768];
    size_t n;
};

/* s, then spaces up to width w: printf's "%-*s" (never truncating) */
static void put_left(struct row *r, const char *s, size_t len, size_t w)
{
    if (len > sizeof(r->b) - 1 - r->n)
        len = sizeof(r->b) - 1 - r->n;
    memcpy(r->b + r->n, s, len);
    r->n += len;
    while (len < w && r->n < sizeof(r->b) - 1) {
        r->b[r->n++] = ' ';
        len++;
    }
}

/* spaces, then s, to width w: printf's "%*s" */
static void put_right(struct row *r, const char *s, size_t len, size_t w)
{
    for (size_t k = len; k < w && r->n < sizeof(r->b) - 1; k++)
        r->b[r->n++] = ' ';
    put_left(r, s, len, 0);
}

static void put_u64_right(struct row *r, uint64_t v, size_t w)
{
    char t[24];
    put_right(r, t, pw_fmt_u64(t, v), w);
}

static void put_str(struct row *r, const char *s)
{
    put_left(r, s, strlen(s), 0);
}

static void row_out(FILE *f, struct row *r)
{
    r->b[r->n++] = '\n';
    fwrite(r->b, 1, r->n, f);
    r->n = 0;
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
    char t[40];
    size_t k;
    struct row r = {.n = 0};
    /* "%-*s" of the indented name, then eight "%-13s" columns: count,
     * three empty ones (average, min, max), rate, percent, burst rate and
     * burst start */
    memset(r.b, ' ', nd->depth);
    r.n = nd->depth;
    put_left(&r, nd->name, strlen(nd->name), c->w > nd->depth ? c->w - nd->depth : 0);
    r.b[r.n++] = ' ';
    put_left(&r, t, pw_fmt_u64(t, nd->count), 13);
    for (int e = 0; e < 3; e++) {
        r.b[r.n++] = ' ';
        put_left(&r, "", 0, 13);
    }
    r.b[r.n++] = ' ';
    k = c->elapsed > 0 ? pw_fmt_fixed(t, sizeof(t), (double)(float)nd->count / c->elapsed, 4) : 0;
    put_left(&r, t, k, 13);
    r.b[r.n++] = ' ';
    if (i == 0) {
        put_left(&r, "100%", 4, 13);
    } else {
        uint64_t pc = c->s->node[nd->parent].count;
        k = pw_fmt_fixed(t, sizeof(t) - 1, pc ? (double)nd->count * 100.0 / (double)pc : 0.0, 2);
        t[k++] = '%';
        put_left(&r, t, k, 13);
    }
    r.b[r.n++] = ' ';
    if (nd->max_burst) {
        k = pw_fmt_fixed(t, sizeof(t), (double)((float)nd->max_burst / 100.0f), 4);
        put_left(&r, t, k, 13);
        r.b[r.n++] = ' ';
        k = pw_fmt_fixed(t, sizeof(t), nd->burst_time / 1000.0, 3);
        put_left(&r, t, k, 13);
    } else {
        put_left(&r, "-", 1, 13);
        r.b[r.n++] = ' ';
        put_left(&r, "-", 1, 13);
    }
    row_out(c->f, &r);
    for (uint32_t j = c->s->kid_start[i]; j < c->s->kid_start[i + 1]; j++)
        dests_node(c, c->s->kids[j]);
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
        char a[96], b[96], rx[32], tx[32], tot[32], num[40];
        pw_conv_addr_str(&c->a, ports, a, sizeof(a));
        pw_conv_addr_str(&c->b, ports, b, sizeof(b));
        pw_fmt_size(rx, sizeof(rx), (int64_t)c->rx_bytes, PW_UNIT_BYTES);
        pw_fmt_size(tx, sizeof(tx), (int64_t)c->tx_bytes, PW_UNIT_BYTES);
        pw_fmt_size(tot, sizeof(tot), (int64_t)(c->rx_bytes + c->tx_bytes), PW_UNIT_BYTES);
        double start = pw_reltime_sec(c->start);
        double dur = pw_reltime_sec(c->stop) - start;
        /* "%-*s <-> %-*s  %6u %-9s  %6u %-9s  %6u %-9s  %14.9f   %12.4f" */
        struct row w = {.n = 0};
        put_left(&w, a, strlen(a), (size_t)aw);
        put_str(&w, " <-> ");
        put_left(&w, b, strlen(b), (size_t)aw);
        put_str(&w, "  ");
        put_u64_right(&w, c->rx_frames, 6);
        put_str(&w, " ");
        put_left(&w, rx, strlen(rx), 9);
        put_str(&w, "  ");
        put_u64_right(&w, c->tx_frames, 6);
        put_str(&w, " ");
        put_left(&w, tx, strlen(tx), 9);
        put_str(&w, "  ");
        put_u64_right(&w, c->rx_frames + c->tx_frames, 6);
        put_str(&w, " ");
        put_left(&w, tot, strlen(tot), 9);
        put_str(&w, "  ");
        put_right(&w, num, pw_fmt_fixed(num, sizeof(num), start, 9), 14);
        put_str(&w, "   ");
        put_right(&w, num, pw_fmt_fixed(num, sizeof(num), dur, 4), 12);
        row_out(f, &w);
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
        /* "%-20s      " ["%5u     "] "%6u     %9u     %6u       %9u      %6u       %9u   " */
        struct row w = {.n = 0};
        put_left(&w, a, strlen(a), 20);
        put_str(&w, "      ");
        if (ports) {
            put_u64_right(&w, e->a.port, 5);
            put_str(&w, "     ");
        }
        put_u64_right(&w, e->tx_frames + e->rx_frames, 6);
        put_str(&w, "     ");
        put_u64_right(&w, e->tx_bytes + e->rx_bytes, 9);
        put_str(&w, "     ");
        put_u64_right(&w, e->tx_frames, 6);
        put_str(&w, "       ");
        put_u64_right(&w, e->tx_bytes, 9);
        put_str(&w, "      ");
        put_u64_right(&w, e->rx_frames, 6);
        put_str(&w, "       ");
        put_u64_right(&w, e->rx_bytes, 9);
        put_str(&w, "   ");
        row_out(f, &w);
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
