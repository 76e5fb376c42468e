/* count_records: reads capture files with pktwatch's reader and prints, per
 * file, "FILE<TAB>RECORDS<TAB>STATUS<TAB>MESSAGE" where RECORDS counts the
 * records delivered before the end or the first error and STATUS is 0 or a
 * negative enum pw_err. Used by tests/conformance/count_records.sh.
 *
 *   -t   also print one line per record: epoch (sec.nsec as tshark's
 *        frame.time_epoch), wire length, captured length
 *   -m   read the whole file into memory and use pw_reader_open_mem()
 *        (default: pw_reader_open_file(), i.e. mmap, or a stream for "-") */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

int main(int argc, char **argv)
{
    int opt, times = 0, mem = 0, bad = 0;
    while ((opt = getopt(argc, argv, "tm")) != -1) {
        switch (opt) {
        case 't': times = 1; break;
        case 'm': mem = 1; break;
        default: fprintf(stderr, "usage: count_records [-t] [-m] FILE...\n"); return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        struct pw_reader *r = NULL;
        struct pw_error err = {0};
        uint8_t *buf = NULL;
        size_t len = 0;
        int rc;
        if (mem) {
            buf = slurp(argv[i], &len);
            rc = buf ? pw_reader_open_mem(&r, buf, len, &err) : PW_ERR_IO;
        } else {
            rc = pw_reader_open_file(&r, argv[i], &err);
        }
        uint64_t n = 0;
        if (rc == 0) {
            struct pw_record rec;
            while ((rc = pw_reader_next(r, &rec, &err)) == 1) {
                n++;
                if (times)
                    printf("%" PRId64 ".%09" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\n", rec.ts.sec,
                           rec.ts.nsec, rec.len, rec.caplen);
            }
        }
        printf("%s%s\t%" PRIu64 "\t%d\t%s\n", times ? "# " : "", argv[i], n, rc,
               rc < 0 ? err.msg : "");
        bad |= rc < 0;
        pw_reader_free(r);
        free(buf);
    }
    return bad ? 1 : 0;
}
