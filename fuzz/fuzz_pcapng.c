/* libFuzzer target: the pcapng reader (pcap inputs are read too).
 *
 * Besides looking for crashes, it checks and abort()s when one fails:
 *  1. reading the input as a stream (through a pipe, the bounded-window
 *     path) gives exactly the records and final status of the memory path;
 *  2. every record the reader delivers, from any input, can be written by
 *     the pcapng writer (interfaces described with pw_writer_set_iface())
 *     and read back with the same bytes, lengths, link type, timestamp,
 *     first comment and interface name. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"
#include "capture/writer.h"
#include "util/limits.h"

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
    if (a->comment_len != b->comment_len ||
        (a->comment_len && memcmp(a->comment, b->comment, a->comment_len) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_reader *r = NULL;
    struct pw_error err;
    if (pw_reader_open_mem(&r, data, size, &err) < 0) {
        int fd;
        if (open_stream(data, size, &fd) != NULL)
            abort(); /* the stream path must refuse it too */
        return 0;
    }
    const struct pw_capinfo *ci = pw_reader_capinfo(r);
    bool ng = ci->format == PW_FMT_PCAPNG;

    int sfd = -1;
    struct pw_reader *s = open_stream(data, size, &sfd);
    struct pw_writer *w = NULL;
    if (pw_writer_open_mem(&w, PW_FMT_PCAPNG, ci->linktype & 0xffffu, 0, &err) < 0)
        abort();

    static struct pw_record kept[MAX_KEEP];
    static uint8_t described[PW_MAX_INTERFACES];
    memset(described, 0, sizeof(described));
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
                if (rec.offset != srec.offset || rec.ifindex != srec.ifindex ||
                    rec.ncomments != srec.ncomments)
                    abort();
            } else if (rc < 0 && (err.offset != serr.offset || strcmp(err.msg, serr.msg)))
                abort();
        }
        if (rc != 1)
            break;
        if (rec.ifindex >= ci->niface)
            abort();
        const struct pw_iface *ifc = pw_reader_iface(r, rec.ifindex);
        if (ng && !described[rec.ifindex]) {
            /* may be refused only when the interface is already written */
            (void)pw_writer_set_iface(w, rec.ifindex, ifc, &err);
            described[rec.ifindex] = 1;
        }
        if (nkept < MAX_KEEP) {
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
        /* pcap fractions >= 1e9 come back normalised */
        same_record(&kept[i], &rec, kept[i].ts.nsec < 1000000000u);
        if (ng && strcmp(pw_reader_iface(b, rec.ifindex)->name,
                         pw_reader_iface(r, kept[i].ifindex)->name) != 0)
            abort();
    }
    if (pw_reader_next(b, &rec, &err) != 0)
        abort();
    pw_reader_free(b);
    pw_writer_close(w, NULL);
    if (s) {
        pw_reader_free(s);
        close(sfd);
    }
    pw_reader_free(r);
    return 0;
}
