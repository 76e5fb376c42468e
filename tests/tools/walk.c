/* Benchmark helper: reads a capture once, either only walking the records
 * (--records) or dissecting every packet (--dissect), and prints the
 * throughput. Used by `make bench` to compare dissection with the cost of
 * simply reading the file. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stats/pass.h"

static void count_tap(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    uint64_t *bytes = arg;
    (void)pkt;
    *bytes += rec->caplen;
}

int main(int argc, char **argv)
{
    unsigned flags = 0;
    if (argc == 4 && !strcmp(argv[1], "--mmap")) {
        flags = PW_READ_MMAP;
        argv++;
        argc--;
    }
    if (argc != 3 || (strcmp(argv[1], "--records") && strcmp(argv[1], "--dissect"))) {
        fprintf(stderr, "usage: walk [--mmap] --records|--dissect FILE\n");
        return 2;
    }
    struct pw_error err = {0};
    struct pw_reader *r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (pw_reader_open_path(&r, argv[2], flags, &err) < 0) {
        fprintf(stderr, "walk: %s\n", err.msg);
        return 1;
    }
    uint64_t bytes = 0;
    struct pw_tap tap = {&bytes, count_tap};
    struct pw_pass_opts opts = {!strcmp(argv[1], "--dissect"), NULL, NULL};
    struct pw_pass_result res;
    pw_pass_run(r, &tap, 1, &opts, &res);
    int64_t size = pw_reader_size(r);
    pw_reader_free(r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s%s packets=%" PRIu64 " seconds=%.3f pps=%.0f MBps=%.1f\n", flags ? "mmap-" : "",
           argv[1] + 2, res.packets, s, (double)res.packets / s, (double)size / 1e6 / s);
    return res.status ? 3 : 0;
}
