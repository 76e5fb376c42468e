/* pktwatch filter: tshark's -Y display filters over a capture, with three
 * outputs: a one-line summary per matching frame, `-T fields`, or the
 * matching packets written to a new capture file (-w). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/writer.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "dissect/app.h"
#include "dissect/dissect.h"
#include "filter/filter.h"
#include "filter/ftap.h"
#include "flow/flows.h"
#include "output/fields.h"
#include "stats/capinfo.h"
#include "stats/pass.h"

#define MAX_FIELDS 256

static void usage(FILE *f)
{
    fprintf(f, "usage: pktwatch filter [-Y EXPR] [options] [-r] FILE\n"
               "       pktwatch filter --explain EXPR\n\n"
               "Prints the frames of FILE that the display filter EXPR matches (tshark 4.0's\n"
               "filter language; no -Y: every frame), one line each: number, time since the\n"
               "first frame, source -> destination (network addresses, else link addresses),\n"
               "protocol of the innermost layer, frame length.\n\n"
               "options:\n"
               "  -Y EXPR         display filter\n"
               "  -r FILE         the capture to read ('-' for standard input)\n"
               "  -T fields       print the -e fields instead, as `tshark -T fields` does\n"
               "  -T text         the one-line summary (default)\n"
               "  -e FIELD        a field or protocol to print (repeatable)\n"
               "  -E KEY=VALUE    field output: header=y|n, separator=/t|/s|C,\n"
               "                  aggregator=,|/s|C, occurrence=f|l|a, quote=d|s|n\n"
               "  -w OUT          write the matching packets to OUT ('-': standard output);\n"
               "                  nothing is printed unless -P is given\n"
               "  -F FORMAT       format of OUT: pcap, nsecpcap or pcapng (default: the input's)\n"
               "  -P              print even when writing with -w\n"
               "  -c N            stop after N matching frames\n"
               "  --explain EXPR  print the compiled program and exit\n"
               "  --list-fields   print every field and protocol name with its type\n"
               "  --batch LIST    (testing) for each expression of the file LIST, print\n"
               "                  \"OK<TAB>frame numbers\" or \"BAD<TAB>\"\n"
               "  -h, --help      this text\n\n"
               "exit status: 0 ok; 1 the file could not be read or written; 2 bad command\n"
               "line or filter expression; 3 the file is damaged (output covers every\n"
               "complete record before the damage).\n");
}

/* Opens the capture. A regular file is read through the reader's stream
 * path (read() into a bounded window) rather than memory-mapped: faulting a
 * large mapping in page by page costs several times what read() does
 * (docs/PERFORMANCE.md, "filter"), and one sequential pass is all this
 * command needs. *fd is the descriptor to close after pw_reader_free(), or
 * -1. */
static int open_input(const char *path, struct pw_reader **r, int *fd, struct pw_error *err)
{
    *fd = -1;
    if (!strcmp(path, "-"))
        return pw_reader_open_file(r, path, err);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return pw_reader_open_file(r, path, err); /* its messages for the odd cases */
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return pw_error_set(err, PW_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    (void)posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    int rc = pw_reader_open_fd(r, *fd, err);
    if (rc < 0) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

/* tshark's way of showing where an expression went wrong */
static void show_error(const char *expr, const struct pw_error *err, size_t span)
{
    fprintf(stderr, "pktwatch: %s\n", err->msg);
    if (span == 0)
        return;
    fprintf(stderr, "    %s\n    ", expr);
    for (uint64_t i = 0; i < err->offset; i++)
        fputc(expr[i] == '\t' ? '\t' : ' ', stderr);
    fputc('^', stderr);
    for (size_t i = 1; i < span; i++)
        fputc('~', stderr);
    fputc('\n', stderr);
}

static int compile_or_report(const char *expr, struct pw_filter **f)
{
    struct pw_error err;
    size_t span;
    if (pw_filter_compile_span(expr, f, &err, &span) < 0) {
        show_error(expr, &err, span);
        return -1;
    }
    return 0;
}

static void print_line(void *arg, const char *line)
{
    fprintf(arg, "%s\n", line);
}

static const char *type_name(uint8_t t)
{
    static const char *const names[] = {
        "FT_PROTOCOL",      "FT_NONE",          "FT_BOOLEAN", "FT_UINT8", "FT_UINT16",
        "FT_UINT24",        "FT_UINT32",        "FT_UINT64",  "FT_INT32", "FT_FRAMENUM",
        "FT_IPv4",          "FT_IPv6",          "FT_ETHER",   "FT_BYTES", "FT_STRING",
        "FT_RELATIVE_TIME", "FT_ABSOLUTE_TIME", "FT_INT8",    "FT_INT16", "FT_INT64",
        "FT_DOUBLE",
    };
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static void list_one(const struct pw_field *f, void *arg)
{
    static const char *const bases[] = {"", "BASE_DEC", "BASE_HEX", "BASE_DEC_HEX", "BASE_HEX_DEC"};
    (void)arg;
    printf("F\t%s\t%s\t%s\t%s\n", f->abbrev, type_name(f->type), pw_proto_abbrev(f->proto),
           f->base < 5 ? bases[f->base] : "");
}

static int list_fields(void)
{
    for (unsigned p = 1; p < PW_P__COUNT; p++)
        if (p != PW_P_SLL2)
            printf("P\t%s\t%s\n", pw_proto_abbrev(p), pw_proto_name(p));
    pw_field_foreach(list_one, NULL);
    return PW_EXIT_OK;
}

/* ---- per-packet output -------------------------------------------------- */

struct run {
    struct pw_filter *f;
    struct pw_reader *r;
    struct pw_fields *fields; /* -T fields */
    struct pw_writer *w;      /* -w: opened at the first record, whose link type it takes */
    const char *out;
    enum pw_file_format ofmt;
    bool print;   /* one-line summaries */
    uint64_t max; /* -c, 0: no limit */
    uint64_t matched;
    int write_err;
    struct pw_error werr;
    bool *iface_done; /* pcapng interfaces declared to the writer */
    uint32_t niface_done;
    struct pw_displayed displayed; /* the last frame shown or written */
};

/* tshark's Protocol column names for the protocols whose column name is not
 * just the abbreviation in capitals */
static const char *column_proto(unsigned p)
{
    switch (p) {
    case PW_P_ETH: return "Ethernet";
    case PW_P_IPV6: return "IPv6";
    case PW_P_ICMPV6: return "ICMPv6";
    case PW_P_IP: return "IPv4";
    case PW_P_BITTORRENT: return "BitTorrent";
    case PW_P_DATA: return "Data";
    case PW_P_PPPOES: return "PPPoES";
    case PW_P_VXLAN: return "VXLAN";
    case PW_P_LOOP: return "LOOP";
    default: return NULL;
    }
}

static void print_summary(struct run *st, const struct pw_record *rec, const struct pw_packet *pkt)
{
    /* time precision of the packet's interface, as tshark's default */
    const struct pw_capinfo *ci = pw_reader_capinfo(st->r);
    int prec = ci->format == PW_FMT_PCAP_NSEC ? 9 : 6;
    if (ci->format == PW_FMT_PCAPNG) {
        const struct pw_iface *ifc = pw_reader_iface(st->r, rec->ifindex);
        prec = ifc ? pw_iface_ts_precision(ifc) : 6;
        if (prec < 0 || prec > 9)
            prec = 9;
    }
    int64_t ns =
        (int64_t)(((uint64_t)rec->ts.sec - (uint64_t)pkt->ts_first.sec) * 1000000000u +
                  (uint64_t)((int64_t)(int32_t)rec->ts.nsec - (int32_t)pkt->ts_first.nsec));
    char t[48], src[64] = "", dst[64] = "";
    const char *sign = ns < 0 ? "-" : "";
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    static const uint64_t div[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                   10000,      1000,      100,      10,      1};
    if (prec == 0)
        snprintf(t, sizeof(t), "%s%" PRIu64, sign, a / 1000000000u);
    else
        snprintf(t, sizeof(t), "%s%" PRIu64 ".%0*" PRIu64, sign, a / 1000000000u, prec,
                 (a % 1000000000u) / div[prec]);

    /* addresses: those of the last Ethernet, IPv4 or IPv6 header (each sets
     * tshark's source and destination columns in turn) */
    const struct pw_field *fs = NULL, *fd = NULL;
    const struct pw_layer *l = NULL;
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        const struct pw_layer *x = &pkt->layer[i];
        const char *p = x->proto == PW_P_IP     ? "ip"
                        : x->proto == PW_P_IPV6 ? "ipv6"
                        : x->proto == PW_P_ETH  ? "eth"
                                                : NULL;
        if (!p || (x->flags & PW_LF_QUOTED))
            continue;
        char n1[16], n2[16];
        snprintf(n1, sizeof(n1), "%s.src", p);
        snprintf(n2, sizeof(n2), "%s.dst", p);
        fs = pw_field_by_name(n1);
        fd = pw_field_by_name(n2);
        l = x;
    }
    if (l && fs && fd) {
        struct pw_fvalue v;
        if (fs->get(pkt, l, &v, 1) > 0)
            pw_fields_format(fs, fs->type, &v, src, sizeof(src));
        if (fd->get(pkt, l, &v, 1) > 0)
            pw_fields_format(fd, fd->type, &v, dst, sizeof(dst));
    }
    /* protocol: the last real layer */
    unsigned proto = PW_P_FRAME;
    for (int i = pkt->nlayers - 1; i >= 0; i--) {
        unsigned p = pkt->layer[i].proto;
        if (pkt->layer[i].flags & (PW_LF_SUBTREE | PW_LF_QUOTED))
            continue;
        if (p != PW_P_WS_MALFORMED && p != PW_P_WS_SHORT && p != PW_P_WS_UNREASSEMBLED &&
            p != PW_P_PKT_COMMENT &&
            p != PW_P_TCP_SEGMENTS) {
            proto = p;
            break;
        }
    }
    char pname[48];
    const char *cp = column_proto(proto);
    if (!cp) {
        size_t k = 0;
        for (const char *s = pw_proto_abbrev(proto); *s && k + 1 < sizeof(pname); s++)
            pname[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
        pname[k] = '\0';
        cp = pname;
    }
    printf("%5" PRIu64 " %10s %s \xe2\x86\x92 %s %s %" PRIu32 "\n", pkt->frame, t, src, dst, cp,
           rec->len);
}

/* Opens the output: the input's format unless -F says otherwise, the link
 * type of the first record written (pcapng interfaces are only known once
 * read), the snap length of the input. */
static int open_writer(struct run *st, uint32_t linktype, uint32_t ifindex)
{
    const struct pw_capinfo *ci = pw_reader_capinfo(st->r);
    enum pw_file_format f = st->ofmt ? st->ofmt : ci->format;
    if (f == PW_FMT_UNKNOWN)
        f = PW_FMT_PCAPNG;
    const struct pw_iface *ifc = pw_reader_iface(st->r, ifindex);
    uint32_t snap = ci->format == PW_FMT_PCAPNG ? (ifc ? ifc->snaplen : 0) : ci->snaplen;
    if (pw_writer_open(&st->w, st->out, f, linktype, snap, &st->werr) < 0) {
        st->write_err = st->werr.code ? st->werr.code : PW_ERR_IO;
        return -1;
    }
    return 0;
}

static void write_packet(struct run *st, const struct pw_record *rec)
{
    if (st->write_err)
        return;
    if (!st->w && open_writer(st, rec->linktype, rec->ifindex) < 0)
        return;
    const struct pw_capinfo *ci = pw_reader_capinfo(st->r);
    if (ci->format == PW_FMT_PCAPNG && rec->ifindex < st->niface_done &&
        !st->iface_done[rec->ifindex]) {
        const struct pw_iface *ifc = pw_reader_iface(st->r, rec->ifindex);
        if (ifc)
            pw_writer_set_iface(st->w, rec->ifindex, ifc, &st->werr);
        st->iface_done[rec->ifindex] = true;
    }
    if (pw_writer_write(st->w, rec, &st->werr) < 0)
        st->write_err = st->werr.code ? st->werr.code : PW_ERR_IO;
}

static void on_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct run *st = arg;
    if (st->max && st->matched >= st->max)
        return;
    if (st->f && !pw_filter_match(st->f, pkt))
        return;
    st->matched++;
    if (st->fields)
        pw_fields_row(st->fields, pkt, stdout);
    else if (st->print)
        print_summary(st, rec, pkt);
    if (st->out)
        write_packet(st, rec);
    st->displayed.any = true;
    st->displayed.ts = rec->ts;
}

static void needs_of(void *arg, const char *abbrev);

/* ---- --batch: many expressions, one capture (for the conformance run) ---- */

struct batch {
    struct pw_filter **f; /* NULL: the expression was rejected */
    char **hits;          /* "1,2,3" per expression */
    size_t *len, *cap;
    unsigned n;
    int stage; /* which pass: 0 phase one, 1 flows, 2 flows + app */
    int *need; /* the pass each filter needs */
    /* each filter's last matching frame, and the record the pass points
     * packets at, loaded with the state of the filter being run */
    struct pw_displayed *dis, cur;
};

static void batch_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct batch *b = arg;
    for (unsigned i = 0; i < b->n; i++) {
        if (!b->f[i] || b->need[i] != b->stage)
            continue;
        b->cur = b->dis[i];
        if (!pw_filter_match(b->f[i], pkt))
            continue;
        b->dis[i].any = true;
        b->dis[i].ts = rec->ts;
        char num[32];
        int k = snprintf(num, sizeof(num), "%s%" PRIu64, b->len[i] ? "," : "", pkt->frame);
        if (b->len[i] + (size_t)k + 1 > b->cap[i]) {
            size_t nc = b->cap[i] ? b->cap[i] * 2 : 256;
            char *h = realloc(b->hits[i], nc);
            if (!h)
                continue;
            b->hits[i] = h;
            b->cap[i] = nc;
        }
        memcpy(b->hits[i] + b->len[i], num, (size_t)k + 1);
        b->len[i] += (size_t)k;
    }
}

/* Prints one line per expression of `list`: "OK<TAB>frames" or "BAD<TAB>".
 * Each filter sees the packets of a pass with exactly the stages the
 * command would run for it alone, so the answers are those of -Y. */
/* The flow stage, told whether the application stage runs too: without
 * it, the flow stage makes up for what it would have done to the stream
 * numbers (src/flow/flows.h). */
static struct pw_flows *flows_new(bool app_stage, struct pw_error *err)
{
    struct pw_flows_opts fopts = {.no_app_stage = !app_stage};
    return pw_flows_new(&fopts, err);
}

static int run_batch(const char *list, const char *path)
{
    FILE *in = fopen(list, "r");
    if (!in) {
        pw_cli_err("%s: cannot open", list);
        return PW_EXIT_FAILURE;
    }
    struct batch b;
    memset(&b, 0, sizeof(b));
    unsigned cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t ll;
    int rc = PW_EXIT_OK;
    while ((ll = getline(&line, &lcap, in)) >= 0) {
        while (ll > 0 && (line[ll - 1] == '\n' || line[ll - 1] == '\r'))
            line[--ll] = '\0';
        if (b.n == cap) {
            cap = cap ? cap * 2 : 64;
            void *p1 = realloc(b.f, cap * sizeof(*b.f)), *p2 = realloc(b.need, cap * sizeof(int));
            if (p1)
                b.f = p1;
            if (p2)
                b.need = p2;
            if (!p1 || !p2) {
                rc = PW_EXIT_FAILURE;
                break;
            }
        }
        struct pw_error err;
        struct pw_filter *f = NULL;
        if (pw_filter_compile(line, &f, &err) < 0)
            f = NULL;
        b.f[b.n] = f;
        bool need[2] = {false, false};
        if (f)
            pw_filter_foreach_field(f, needs_of, need);
        b.need[b.n] = need[1] ? 2 : need[0] ? 1 : 0;
        b.n++;
    }
    free(line);
    fclose(in);
    b.hits = calloc(b.n ? b.n : 1, sizeof(*b.hits));
    b.len = calloc(b.n ? b.n : 1, sizeof(*b.len));
    b.cap = calloc(b.n ? b.n : 1, sizeof(*b.cap));
    b.dis = calloc(b.n ? b.n : 1, sizeof(*b.dis));
    if (!b.hits || !b.len || !b.cap || !b.dis)
        rc = PW_EXIT_FAILURE;
    for (int stage = 0; stage < 3 && rc == PW_EXIT_OK; stage++) {
        struct pw_reader *r;
        struct pw_error err;
        int fd;
        if (open_input(path, &r, &fd, &err) < 0) {
            pw_cli_err("%s: %s", path, err.msg);
            rc = PW_EXIT_FAILURE;
            break;
        }
        struct pw_flows *flows = stage ? flows_new(stage == 2, &err) : NULL;
        struct pw_app *app = stage == 2 ? pw_app_new() : NULL;
        b.stage = stage;
        struct pw_pass_opts opts = {
            .dissect = true, .flows = flows, .app = app, .displayed = &b.cur};
        struct pw_pass_result res;
        struct pw_tap tap = {&b, batch_packet};
        pw_pass_run(r, &tap, 1, &opts, &res);
        pw_app_free(app);
        pw_flows_free(flows);
        pw_reader_free(r);
        if (fd >= 0)
            close(fd);
    }
    for (unsigned i = 0; i < b.n; i++) {
        if (rc == PW_EXIT_OK)
            printf("%s\t%s\n", b.f[i] ? "OK" : "BAD", b.hits[i] ? b.hits[i] : "");
        pw_filter_free(b.f[i]);
        free(b.hits ? b.hits[i] : NULL);
    }
    free(b.f);
    free(b.need);
    free(b.hits);
    free(b.len);
    free(b.cap);
    free(b.dis);
    return rc;
}

static void needs_of(void *arg, const char *abbrev)
{
    bool *need = arg;
    need[0] |= pw_field_needs_flows(abbrev);
    need[1] |= pw_field_needs_app(abbrev);
}

/* A `tcp` column prints tshark's label, whose Seq and Ack are relative
 * sequence numbers: the flow stage's (a filter on `tcp` needs no flows). */
static void column_needs_of(void *arg, const char *abbrev)
{
    needs_of(arg, abbrev);
    if (!strcmp(abbrev, "tcp"))
        ((bool *)arg)[0] = true;
}

int pw_cmd_filter(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"explain", required_argument, NULL, 'X'},
        {"list-fields", no_argument, NULL, 'L'},
        {"batch", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *expr = NULL, *path = NULL, *out = NULL, *fmt = NULL, *type = NULL, *batch = NULL;
    const char *names[MAX_FIELDS];
    unsigned nnames = 0;
    struct pw_fields_opts fo = {0};
    bool print_anyway = false;
    uint64_t max = 0;
    struct pw_error err = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hY:r:T:e:E:w:F:Pc:", longopts, NULL)) != -1) {
        switch (c) {
        case 'Y': expr = optarg; break;
        case 'r': path = optarg; break;
        case 'T': type = optarg; break;
        case 'e':
            if (nnames >= MAX_FIELDS) {
                pw_cli_err("filter: at most %d -e fields", MAX_FIELDS);
                return PW_EXIT_USAGE;
            }
            names[nnames++] = optarg;
            break;
        case 'E':
            if (pw_fields_option(&fo, optarg, &err) < 0) {
                pw_cli_err("filter: %s", err.msg);
                return PW_EXIT_USAGE;
            }
            break;
        case 'w': out = optarg; break;
        case 'F': fmt = optarg; break;
        case 'P': print_anyway = true; break;
        case 'c': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || !*optarg || v == 0) {
                pw_cli_err("filter: -c wants a positive number, not '%s'", optarg);
                return PW_EXIT_USAGE;
            }
            max = v;
            break;
        }
        case 'X': {
            struct pw_filter *f;
            if (compile_or_report(optarg, &f) < 0)
                return PW_EXIT_USAGE;
            pw_filter_explain(f, print_line, stdout);
            pw_filter_free(f);
            return PW_EXIT_OK;
        }
        case 'L': return list_fields();
        case 'B': batch = optarg; break;
        case 'h': usage(stdout); return PW_EXIT_OK;
        default: usage(stderr); return PW_EXIT_USAGE;
        }
    }
    if (!path && optind < argc)
        path = argv[optind++];
    if (!path || optind < argc) {
        pw_cli_err(path ? "filter: one capture file at a time" : "filter: no capture file given");
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    if (batch)
        return run_batch(batch, path);
    bool fields = false;
    if (type && !strcmp(type, "fields"))
        fields = true;
    else if (type && strcmp(type, "text")) {
        pw_cli_err("filter: -T %s: only 'fields' and 'text' are supported", type);
        return PW_EXIT_USAGE;
    }
    if (fields && nnames == 0) {
        pw_cli_err("filter: -T fields was given, but no fields were specified with -e");
        return PW_EXIT_USAGE;
    }
    if (!fields && nnames) {
        pw_cli_err("filter: -e requires -T fields");
        return PW_EXIT_USAGE;
    }
    enum pw_file_format ofmt = PW_FMT_UNKNOWN;
    if (fmt) {
        if (!strcmp(fmt, "pcap"))
            ofmt = PW_FMT_PCAP;
        else if (!strcmp(fmt, "nsecpcap"))
            ofmt = PW_FMT_PCAP_NSEC;
        else if (!strcmp(fmt, "pcapng"))
            ofmt = PW_FMT_PCAPNG;
        else {
            pw_cli_err("filter: -F %s: use pcap, nsecpcap or pcapng", fmt);
            return PW_EXIT_USAGE;
        }
    }

    struct run st;
    memset(&st, 0, sizeof(st));
    st.max = max;
    if (expr && compile_or_report(expr, &st.f) < 0)
        return PW_EXIT_USAGE;
    if (fields && pw_fields_new(&st.fields, names, nnames, &fo, &err) < 0) {
        pw_cli_err("%s", err.msg);
        pw_filter_free(st.f);
        return PW_EXIT_USAGE;
    }

    int rc = PW_EXIT_OK;
    struct pw_flows *flows = NULL;
    struct pw_app *app = NULL;
    int in_fd = -1;
    if (open_input(path, &st.r, &in_fd, &err) < 0) {
        pw_cli_err("%s: %s", path, err.msg);
        rc = PW_EXIT_FAILURE;
        goto out;
    }
    if (out) {
        st.out = out;
        st.ofmt = ofmt;
        st.niface_done = PW_MAX_INTERFACES;
        st.iface_done = calloc(PW_MAX_INTERFACES, sizeof(bool));
        if (!st.iface_done) {
            pw_cli_err("out of memory");
            rc = PW_EXIT_FAILURE;
            goto out;
        }
    }
    st.print = !fields && (!out || print_anyway);

    /* the flow and application stages run only when something reads what
     * they produce (tcp.stream, tcp.analysis.*, application protocols) */
    bool need[2] = {false, false};
    if (st.f)
        pw_filter_foreach_field(st.f, needs_of, need);
    if (st.fields)
        pw_fields_foreach(st.fields, column_needs_of, need);
    if (need[0] || need[1]) {
        flows = flows_new(need[1], &err);
        if (!flows) {
            pw_cli_err("%s", err.msg);
            rc = PW_EXIT_FAILURE;
            goto out;
        }
    }
    if (need[1] && !(app = pw_app_new())) {
        pw_cli_err("out of memory");
        rc = PW_EXIT_FAILURE;
        goto out;
    }
    if (app && st.fields)
        pw_app_want_labels(app, true);

    if (st.fields && fo.header)
        pw_fields_header(st.fields, stdout);
    struct pw_cli_progress prog;
    pw_cli_progress_init(&prog, path);
    struct pw_pass_opts opts = {.dissect = true,
                                .progress = pw_cli_progress_cb,
                                .progress_arg = &prog,
                                .flows = flows,
                                .app = app,
                                .displayed = &st.displayed};
    struct pw_pass_result res;
    struct pw_tap tap = {&st, on_packet};
    pw_pass_run(st.r, &tap, 1, &opts, &res);
    pw_cli_progress_done(&prog);
    if (fflush(stdout) != 0) {
        pw_cli_err("standard output: write error");
        rc = PW_EXIT_FAILURE;
    }
    if (out && !st.w && !st.write_err) {
        /* nothing matched: still an (empty) capture file */
        const struct pw_capinfo *ci = pw_reader_capinfo(st.r);
        open_writer(&st, ci->linktype ? ci->linktype : 1, 0);
    }
    if (st.write_err && !st.w) {
        pw_cli_err("%s: %s", out, st.werr.msg);
        rc = PW_EXIT_FAILURE;
    }
    if (st.w) {
        struct pw_error cerr = {0};
        int crc = pw_writer_close(st.w, &cerr);
        st.w = NULL;
        if (st.write_err) {
            pw_cli_err("%s: %s", out, st.werr.msg);
            rc = PW_EXIT_FAILURE;
        } else if (crc < 0) {
            pw_cli_err("%s: %s", out, cerr.msg);
            rc = PW_EXIT_FAILURE;
        }
    }
    if (res.status && rc == PW_EXIT_OK) {
        pw_cli_err("%s: %s (byte offset %llu); the output covers the %llu complete records "
                   "before it",
                   path, res.damage.msg, (unsigned long long)res.damage.offset,
                   (unsigned long long)res.packets);
        rc = res.status == PW_ERR_IO ? PW_EXIT_FAILURE : PW_EXIT_DAMAGED;
    }
out:
    if (st.w) {
        struct pw_error cerr;
        pw_writer_close(st.w, &cerr);
    }
    free(st.iface_done);
    pw_app_free(app);
    pw_flows_free(flows);
    pw_reader_free(st.r);
    if (in_fd >= 0)
        close(in_fd);
    pw_fields_free(st.fields);
    pw_filter_free(st.f);
    return rc;
}
