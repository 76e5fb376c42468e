/* layers: prints, for every frame of a capture, the chain of layers that
 * pktwatch's dissectors found:
 *
 *     frame_number <TAB> proto:proto:...
 *
 * with the Wireshark abbreviations of the layers joined by ':' (the shape of
 * tshark's frame.protocols, minus `frame` and `ethertype`), so that
 * tests/conformance/layers.sh can compare it with the tshark oracle.
 *
 * With -v two more columns follow: the protocol-hierarchy path (the layers
 * tshark shows as phs levels, i.e. without PW_LF_QUOTED / PW_LF_SUBTREE
 * layers) and the packet's anomaly names, comma-separated.
 *
 * Usage: layers [-v] capture-file */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/reader.h"
#include "dissect/dissect.h"
#include "flow/ipreasm.h"

static void print_packet(const struct pw_packet *pkt, int verbose)
{
    printf("%llu\t", (unsigned long long)pkt->frame);
    int listed = 0;
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        if (pkt->layer[i].flags & PW_LF_UNLISTED) /* a phs level only */
            continue;
        printf("%s%s", listed++ ? ":" : "", pw_proto_abbrev(pkt->layer[i].proto));
    }
    if (verbose) {
        putchar('\t');
        int first = 1;
        for (unsigned i = 0; i < pkt->nlayers; i++) {
            if (pkt->layer[i].flags & (PW_LF_QUOTED | PW_LF_SUBTREE))
                continue;
            printf("%s%s", first ? "" : ":", pw_proto_abbrev(pkt->layer[i].proto));
            first = 0;
        }
        putchar('\t');
        for (unsigned i = 0; i < pkt->nanom; i++)
            printf("%s%s", i ? "," : "", pw_anomaly_name(pkt->anom[i]));
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    int verbose = 0, ai = 1;
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = 1;
        ai = 2;
    }
    if (ai != argc - 1) {
        fprintf(stderr, "usage: layers [-v] capture-file\n");
        return 2;
    }
    struct pw_reader *r;
    struct pw_error err;
    if (pw_reader_open_file(&r, argv[ai], &err) < 0) {
        fprintf(stderr, "layers: %s: %s\n", argv[ai], err.msg);
        return 1;
    }
    static struct pw_packet pkt;
    struct pw_ipreasm *ipr = pw_ipreasm_new(NULL); /* as tshark: reassemble */
    struct pw_record rec;
    uint64_t n = 0;
    int rc;
    while ((rc = pw_reader_next(r, &rec, &err)) == 1) {
        pw_dissect_packet_ipr(&rec, ++n, &pkt, ipr);
        print_packet(&pkt, verbose);
    }
    pw_reader_free(r);
    pw_ipreasm_free(ipr);
    if (rc < 0) {
        /* like tshark: every complete record was printed; say why we stopped */
        fprintf(stderr, "layers: %s: %s\n", argv[ai], err.msg);
        return 1;
    }
    return 0;
}
