/* libFuzzer target: the pcap reader (the pcapng path is reachable too; its
 * own target is fuzz_pcapng.c).
 *
 * Besides looking for crashes, it checks three properties and abort()s
 * when one fails, so that libFuzzer reports it:
 *  1. reading the input as a stream (through a pipe, the bounded-window
 *     path) gives exactly the records and final status of the memory path;
 *  2. every record the reader delivers can be written by the pcap writer
 *     in the same format and read back identically;
 *  3. the accessors and name tables answer for whatever was read. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"
#include "capture/writer.h"

#define MAX_KEEP 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Opens the input as a stream: the whole input fits the pipe, so no second
 * thread is needed; inputs that do not fit skip this check. */
static struct pw_reader *open_stream(const uint8_t *data, size_t size, int *fd_out)
{
    int fds[2];
    if (pipe(fds) < 0)
        return NULL;
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    ssize_t k = size ? write(fds[1], data, size) : 0;
    close(fds[1]);
    if (k < 0 || (size_t)k != size) {
        close(fds[0]);
        return NULL;
    }
    struct pw_reader *r = NULL;
    struct pw_error err;
    if (pw_reader_open_fd(&r, fds[0], &err) < 0) {
        close(fds[0]);
        return NULL;
    }
    *fd_out = fds[0];
    return r;
}

static void same_record(const struct pw_record *a, const struct pw_record *b, bool ts)
{
    if (a->caplen != b->caplen || a->len != b->len || a->linktype != b->linktype)
        abort();
    if (a->caplen && memcmp(a->data, b->data, a->caplen) != 0)
        abort();
    if (ts && (a->ts.sec != b->ts.sec || a->ts.nsec != b->ts.nsec))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_reader *r = NULL;
    struct pw_error err;
    if (pw_reader_open_mem(&r, data, size, &err) < 0) {
        /* the stream path must refuse the same input the same way */
        int fd;
        if (open_stream(data, size, &fd) != NULL)
            abort();
        return 0;
    }
    const struct pw_capinfo *ci = pw_reader_capinfo(r);
    bool pcap = ci->format == PW_FMT_PCAP || ci->format == PW_FMT_PCAP_NSEC;

    int sfd = -1;
    struct pw_reader *s = open_stream(data, size, &sfd);
    struct pw_writer *w = NULL;
    if (pcap && pw_writer_open_mem(&w, ci->format, ci->linktype, ci->snaplen, &err) < 0)
        abort();

    /* Records of a memory reader stay valid (they point into `data`). */
    static struct pw_record kept[MAX_KEEP];
    size_t nkept = 0;
    struct pw_record rec, srec;
    struct pw_error serr;
    int rc, src;
    for (;;) {
        rc = pw_reader_next(r, &rec, &err);
        if (s) {
            src = pw_reader_next(s, &srec, &serr);
            if (src != rc)
                abort();
            if (rc == 1) {
                same_record(&rec, &srec, true);
                if (rec.offset != srec.offset || rec.ifindex != srec.ifindex)
                    abort();
            } else if (rc < 0 && (err.offset != serr.offset || strcmp(err.msg, serr.msg)))
                abort();
        }
        if (rc != 1)
            break;
        (void)pw_linktype_name(rec.linktype);
        (void)pw_reader_iface(r, rec.ifindex)->name;
        if (w && nkept < MAX_KEEP) {
            int wrc = pw_writer_write(w, &rec, &err);
            if (wrc == 0)
                kept[nkept++] = rec;
            else if (wrc != PW_ERR_ARG)
                abort();
        }
    }
    if (rc == 1 || (rc < 0 && err.code != rc))
        abort();
    if (pw_reader_offset(r) > size)
        abort();

    if (w) {
        size_t len;
        if (pw_writer_flush(w, &err) < 0)
            abort();
        const uint8_t *out = pw_writer_mem(w, &len);
        struct pw_reader *b = NULL;
        if (pw_reader_open_mem(&b, out, len, &err) < 0)
            abort();
        for (size_t i = 0; i < nkept; i++) {
            if (pw_reader_next(b, &rec, &err) != 1)
                abort();
            /* microsecond files keep whole microseconds; a fraction of 2^32/1000
             * us or more wrapped to nanoseconds that are not (as in tshark) */
            same_record(&kept[i], &rec,
                        ci->format == PW_FMT_PCAP_NSEC || kept[i].ts.nsec % 1000u == 0);
        }
        if (pw_reader_next(b, &rec, &err) != 0)
            abort();
        pw_reader_free(b);
        pw_writer_close(w, NULL);
    }
    if (s) {
        pw_reader_free(s);
        close(sfd);
    }
    pw_reader_free(r);
    return 0;
}
