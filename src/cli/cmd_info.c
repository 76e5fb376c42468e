/* pktwatch info: what capinfos tells about a capture, plus the anomalies
 * that dissection finds. */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "output/info.h"
#include "stats/pass.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pktwatch info [--json] [--no-hashes] FILE...\n\n"
            "Summarises each capture file with capinfos' labels: file type, encapsulation,\n"
            "packet count, sizes, first/last packet time, duration, rates, digests,\n"
            "interfaces (pcapng), snap length, then the anomalies found by dissection.\n"
            "FILE may be '-' for standard input.\n\n"
            "options:\n"
            "  --json        one JSON object per file (an array for several files)\n"
            "  --no-hashes   skip the SHA256/RIPEMD160/SHA1 digests\n"
            "  -h, --help    this text\n\n"
            "exit status: 0 ok; 1 a file could not be read or is not a capture;\n"
            "2 usage error; 3 a file is damaged (cut short or a lying length): its\n"
            "summary covers every complete record before the damage.\n");
}

struct info_tap {
    struct pw_capinfo_stats *st;
    struct pw_reader *r;
};

/* capinfos shows each time with the precision of its packet's interface */
static void info_tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct info_tap *a = arg;
    const struct pw_capinfo *ci = pw_reader_capinfo(a->r);
    int prec;
    if (ci->format == PW_FMT_PCAPNG) {
        const struct pw_iface *ifc = pw_reader_iface(a->r, rec->ifindex);
        prec = ifc ? pw_iface_ts_precision(ifc) : 6;
    } else {
        prec = ci->format == PW_FMT_PCAP_NSEC ? 9 : 6;
    }
    pw_capinfo_packet(a->st, rec, pkt, prec);
}

/* The digests need every byte of the file and the packet pass only the
 * record bytes; on a machine with two cores they run side by side. */
struct hash_job {
    const char *path;
    struct pw_digests dg;
    struct pw_error err;
    int rc;
};

static void *hash_thread(void *arg)
{
    struct hash_job *j = arg;
    j->rc = pw_hash_file(j->path, &j->dg, &j->err);
    return NULL;
}

/* Returns an exit code for this file. */
static int info_one(const char *path, bool json, bool hashes, json_t *arr)
{
    struct pw_error err = {0};
    struct pw_reader *r = NULL;
    int64_t fsize = -1;
    bool is_stdin = !strcmp(path, "-");
    if (!is_stdin) {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            fsize = sb.st_size;
    }
    if (pw_reader_open_file(&r, path, &err) < 0) {
        pw_cli_err("%s: %s", path, err.msg);
        return PW_EXIT_FAILURE;
    }
    struct hash_job job = {path, {{0}}, {0}, -1};
    pthread_t hasher;
    bool hashing = hashes && !is_stdin && fsize >= 0 &&
                   pthread_create(&hasher, NULL, hash_thread, &job) == 0;
    struct pw_capinfo_stats st;
    pw_capinfo_init(&st);
    struct pw_cli_progress prog;
    pw_cli_progress_init(&prog, path);
    struct pw_pass_opts opts = {true, pw_cli_progress_cb, &prog};
    struct pw_pass_result res;
    struct info_tap targ = {&st, r};
    struct pw_tap tap = {&targ, info_tap_packet};
    pw_pass_run(r, &tap, 1, &opts, &res);
    pw_cli_progress_done(&prog);
    st.read_status = res.status;
    st.damage_offset = res.damage.offset;

    bool have_dg = false;
    if (hashing) {
        pthread_join(hasher, NULL);
        have_dg = job.rc == 0;
        if (!have_dg)
            pw_cli_err("%s: digests: %s", path, job.err.msg);
    }
    struct pw_info in = {path, fsize, r, &st, have_dg ? &job.dg : NULL};
    if (json)
        json_array_append_new(arr, pw_info_json(&in));
    else
        pw_info_text(stdout, &in);
    pw_reader_free(r);
    if (res.status) {
        pw_cli_err("%s: %s (byte offset %llu); the summary covers the %llu complete records "
                   "before it",
                   path, res.damage.msg, (unsigned long long)res.damage.offset,
                   (unsigned long long)res.packets);
        return PW_EXIT_DAMAGED;
    }
    return PW_EXIT_OK;
}

int pw_cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"no-hashes", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, hashes = true;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'H': hashes = false; break;
        case 'h': usage(stdout); return PW_EXIT_OK;
        default: usage(stderr); return PW_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        pw_cli_err("info: no capture file given");
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    int worst = PW_EXIT_OK;
    json_t *arr = json_array();
    for (int i = optind; i < argc; i++) {
        if (!json && i > optind)
            putchar('\n');
        int rc = info_one(argv[i], json, hashes, arr);
        /* failure (1) outranks damage (3) only when nothing could be read */
        if (rc == PW_EXIT_FAILURE || (rc == PW_EXIT_DAMAGED && worst == PW_EXIT_OK))
            worst = rc;
    }
    if (json) {
        json_t *doc = json_array_size(arr) == 1 && argc - optind == 1 ? json_array_get(arr, 0) : arr;
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) {
            puts(s);
            free(s);
        }
    }
    json_decref(arr);
    return worst;
}
