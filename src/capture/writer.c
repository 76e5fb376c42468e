/* Capture-file writer: pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng), always little-endian.
 *
 * pcapng output is one section: an SHB (shb_userappl "pktwatch"), then an
 * IDB the first time a record for a given (ifindex, link type) pair comes
 * along, then EPBs. Interfaces get consecutive ids in the order their IDBs
 * are written, which the draft allows anywhere before their first packet
 * (4.2). Timestamps are written in the interface's resolution: nanoseconds
 * unless pw_writer_set_iface() gave a coarser decimal one.
 *
 * Every record is checked against the reader's limits before a byte of it
 * is written, so whatever the writer produces the reader accepts. */
#include "capture/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/limits.h"

#define WBUF_SIZE (64u * 1024u)

/* pcapng block types and option codes (draft-ietf-opsawg-pcapng 4.1-4.3). */
#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_EPB 6u
#define OPT_COMMENT 1u
#define SHB_USERAPPL 4u
#define IF_NAME 2u
#define IF_DESCRIPTION 3u
#define IF_TSRESOL 9u
#define IF_OS 12u

struct wiface {
    uint32_t ifindex; /* the reader's global interface index */
    uint32_t linktype;
    uint32_t snaplen;
    uint8_t digits; /* decimal if_tsresol, 0..9 */
    bool written;   /* IDB emitted; id is valid */
    uint32_t id;    /* interface id in our section */
    char name[128], descr[128], os[128];
};

struct pw_writer {
    enum pw_file_format fmt;
    uint32_t linktype;
    uint32_t snaplen;

    int fd; /* -1 in memory mode */
    bool own_fd;
    bool mem_mode;
    uint8_t *buf; /* fd: WBUF_SIZE staging buffer; memory: the output */
    size_t len, cap;

    struct wiface *ifs;
    uint32_t nifs, ifs_cap;
    uint32_t nwritten; /* IDBs written: next interface id */
    uint32_t last;     /* index of the last interface used (lookup cache) */

    struct pw_error fail; /* sticky: an output error ends the file */
};

static uint32_t pad4(size_t n)
{
    return (uint32_t)((4u - (n & 3u)) & 3u);
}

static void le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int wfail(struct pw_writer *w, struct pw_error *err, int code, const char *fmt, ...)
    PW_PRINTF(4, 5);

static int wfail(struct pw_writer *w, struct pw_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    w->fail.code = code;
    va_start(ap, fmt);
    vsnprintf(w->fail.msg, sizeof(w->fail.msg), fmt, ap);
    va_end(ap);
    if (err)
        *err = w->fail;
    return code;
}

/* ---- output -------------------------------------------------------------- */

static int write_all(struct pw_writer *w, const uint8_t *p, size_t n, struct pw_error *err)
{
    while (n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return wfail(w, err, PW_ERR_IO, "write error: %s", strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int flush_buf(struct pw_writer *w, struct pw_error *err)
{
    if (w->mem_mode || w->len == 0)
        return 0;
    int rc = write_all(w, w->buf, w->len, err);
    w->len = 0;
    return rc;
}

/* Memory mode: makes room for n more bytes (checked against the cap by the
 * caller before any byte of a record is written). */
static int mem_reserve(struct pw_writer *w, size_t n, struct pw_error *err)
{
    if (n <= w->cap - w->len)
        return 0;
    if (n > PW_WRITER_MEM_MAX - w->len)
        return wfail(w, err, PW_ERR_LIMIT, "memory output would exceed %u bytes",
                     PW_WRITER_MEM_MAX);
    size_t want = w->cap ? w->cap : 4096;
    while (want - w->len < n && want < PW_WRITER_MEM_MAX)
        want *= 2;
    if (want > PW_WRITER_MEM_MAX)
        want = PW_WRITER_MEM_MAX;
    uint8_t *nb = realloc(w->buf, want);
    if (!nb)
        return wfail(w, err, PW_ERR_NOMEM, "out of memory for the output buffer");
    w->buf = nb;
    w->cap = want;
    return 0;
}

static int out(struct pw_writer *w, const void *p, size_t n, struct pw_error *err)
{
    if (n == 0)
        return 0;
    if (w->mem_mode) {
        int rc = mem_reserve(w, n, err);
        if (rc < 0)
            return rc;
    } else if (n > w->cap - w->len) {
        int rc = flush_buf(w, err);
        if (rc < 0)
            return rc;
        if (n >= w->cap)
            return write_all(w, p, n, err);
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return 0;
}

/* Checks that a record of n bytes may be written at all, before writing any
 * of it, so that a refused record leaves no partial bytes behind. */
static int room_for(struct pw_writer *w, uint64_t n, struct pw_error *err)
{
    if (w->mem_mode && n > PW_WRITER_MEM_MAX - w->len)
        return pw_error_set(err, PW_ERR_LIMIT, "memory output would exceed %u bytes",
                            PW_WRITER_MEM_MAX);
    return 0;
}

/* One pcapng option: code, length, value, padding. */
static int out_opt(struct pw_writer *w, uint32_t code, const void *val, size_t n,
                   struct pw_error *err)
{
    static const uint8_t zeros[4];
    uint8_t h[4];
    le16(h, code);
    le16(h + 2, (uint32_t)n);
    int rc = out(w, h, 4, err);
    if (rc == 0)
        rc = out(w, val, n, err);
    if (rc == 0)
        rc = out(w, zeros, pad4(n), err);
    return rc;
}

static size_t opt_size(size_t n)
{
    return 4 + n + pad4(n);
}

/* ---- headers ------------------------------------------------------------- */

static int write_pcap_header(struct pw_writer *w, struct pw_error *err)
{
    uint8_t h[24];
    le32(h, w->fmt == PW_FMT_PCAP_NSEC ? 0xa1b23c4du : 0xa1b2c3d4u);
    le16(h + 4, 2);
    le16(h + 6, 4);
    le32(h + 8, 0);  /* thiszone: timestamps are UTC */
    le32(h + 12, 0); /* sigfigs */
    le32(h + 16, w->snaplen);
    le32(h + 20, w->linktype); /* no FCS information */
    return out(w, h, sizeof(h), err);
}

static int write_shb(struct pw_writer *w, struct pw_error *err)
{
    static const char app[] = "pktwatch";
    uint32_t len = 28 + (uint32_t)opt_size(sizeof(app) - 1) + 4;
    uint8_t h[24];
    le32(h, BT_SHB);
    le32(h + 4, len);
    le32(h + 8, 0x1a2b3c4du);
    le16(h + 12, 1);
    le16(h + 14, 0);
    memset(h + 16, 0xff, 8); /* section length unknown (-1) */
    uint8_t t[8] = {0};      /* opt_endofopt, then the trailing length */
    le32(t + 4, len);
    int rc = out(w, h, sizeof(h), err);
    if (rc == 0)
        rc = out_opt(w, SHB_USERAPPL, app, sizeof(app) - 1, err);
    if (rc == 0)
        rc = out(w, t, sizeof(t), err);
    return rc;
}

static int write_idb(struct pw_writer *w, struct wiface *ifc, struct pw_error *err)
{
    size_t nl = strlen(ifc->name), dl = strlen(ifc->descr), ol = strlen(ifc->os);
    uint32_t len = 20;
    len += nl ? (uint32_t)opt_size(nl) : 0;
    len += dl ? (uint32_t)opt_size(dl) : 0;
    len += ol ? (uint32_t)opt_size(ol) : 0;
    len += ifc->digits != 6 ? (uint32_t)opt_size(1) : 0;
    len += 4; /* opt_endofopt */
    uint8_t h[16];
    le32(h, BT_IDB);
    le32(h + 4, len);
    le16(h + 8, ifc->linktype);
    le16(h + 10, 0);
    le32(h + 12, ifc->snaplen);
    uint8_t t[8] = {0};
    le32(t + 4, len);
    int rc = out(w, h, sizeof(h), err);
    if (rc == 0 && nl)
        rc = out_opt(w, IF_NAME, ifc->name, nl, err);
    if (rc == 0 && dl)
        rc = out_opt(w, IF_DESCRIPTION, ifc->descr, dl, err);
    if (rc == 0 && ol)
        rc = out_opt(w, IF_OS, ifc->os, ol, err);
    if (rc == 0 && ifc->digits != 6)
        rc = out_opt(w, IF_TSRESOL, &ifc->digits, 1, err);
    if (rc == 0)
        rc = out(w, t, sizeof(t), err);
    if (rc == 0) {
        ifc->written = true;
        ifc->id = w->nwritten++;
    }
    return rc;
}

/* ---- interfaces ---------------------------------------------------------- */

static struct wiface *find_iface(struct pw_writer *w, uint32_t ifindex, uint32_t linktype)
{
    if (w->last < w->nifs && w->ifs[w->last].ifindex == ifindex &&
        w->ifs[w->last].linktype == linktype)
        return &w->ifs[w->last];
    for (uint32_t i = 0; i < w->nifs; i++) {
        if (w->ifs[i].ifindex == ifindex && w->ifs[i].linktype == linktype) {
            w->last = i;
            return &w->ifs[i];
        }
    }
    return NULL;
}

static struct wiface *add_iface(struct pw_writer *w, uint32_t ifindex, uint32_t linktype,
                                struct pw_error *err)
{
    if (w->nifs >= PW_MAX_INTERFACES) {
        pw_error_set(err, PW_ERR_LIMIT, "more than %u interfaces", PW_MAX_INTERFACES);
        return NULL;
    }
    if (w->nifs == w->ifs_cap) {
        uint32_t cap = w->ifs_cap ? w->ifs_cap * 2 : 4;
        struct wiface *n = realloc(w->ifs, cap * sizeof(*n));
        if (!n) {
            pw_error_set(err, PW_ERR_NOMEM, "out of memory for interfaces");
            return NULL;
        }
        w->ifs = n;
        w->ifs_cap = cap;
    }
    struct wiface *ifc = &w->ifs[w->nifs];
    memset(ifc, 0, sizeof(*ifc));
    ifc->ifindex = ifindex;
    ifc->linktype = linktype;
    ifc->snaplen = w->snaplen;
    ifc->digits = 9;
    w->last = w->nifs++;
    return ifc;
}

int pw_writer_set_iface(struct pw_writer *w, uint32_t ifindex, const struct pw_iface *ifc,
                        struct pw_error *err)
{
    if (!w || !ifc)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_set_iface: no writer or interface");
    if (w->fmt != PW_FMT_PCAPNG)
        return pw_error_set(err, PW_ERR_ARG, "interfaces can only be described in pcapng");
    if (ifc->linktype > 0xffffu)
        return pw_error_set(err, PW_ERR_ARG, "link type %u does not fit pcapng", ifc->linktype);
    struct wiface *wi = find_iface(w, ifindex, ifc->linktype);
    if (wi && wi->written)
        return pw_error_set(err, PW_ERR_ARG, "interface %u was already written", ifindex);
    if (!wi && !(wi = add_iface(w, ifindex, ifc->linktype, err)))
        return err ? err->code : PW_ERR_NOMEM;
    wi->snaplen = ifc->snaplen;
    /* Only a decimal resolution no finer than 1 ns can hold our nanosecond
     * timestamps exactly; anything else is written in nanoseconds. */
    wi->digits = !(ifc->tsresol & 0x80u) && ifc->tsresol <= 9 ? ifc->tsresol : 9;
    snprintf(wi->name, sizeof(wi->name), "%s", ifc->name);
    snprintf(wi->descr, sizeof(wi->descr), "%s", ifc->descr);
    snprintf(wi->os, sizeof(wi->os), "%s", ifc->os);
    return 0;
}

/* ---- opening ------------------------------------------------------------- */

static int open_common(struct pw_writer **out_w, struct pw_writer *w, enum pw_file_format format,
                       uint32_t linktype, uint32_t snaplen, struct pw_error *err)
{
    int rc;
    w->fmt = format;
    w->linktype = linktype;
    w->snaplen = snaplen ? snaplen : PW_WRITER_DEFAULT_SNAPLEN;
    if (format == PW_FMT_PCAPNG) {
        /* Interface 0 is declared now but written with the first record (or
         * at close), so pw_writer_set_iface() can still describe it. */
        if (!add_iface(w, 0, linktype, err)) {
            rc = err ? err->code : PW_ERR_NOMEM;
            goto fail;
        }
        rc = write_shb(w, err);
    } else {
        rc = write_pcap_header(w, err);
    }
    if (rc < 0)
        goto fail;
    *out_w = w;
    return 0;
fail:
    pw_writer_close(w, NULL);
    return rc;
}

static int check_args(struct pw_writer **out_w, enum pw_file_format format, uint32_t linktype,
                      struct pw_error *err)
{
    if (!out_w)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_open: no output pointer");
    *out_w = NULL;
    if (format != PW_FMT_PCAP && format != PW_FMT_PCAP_NSEC && format != PW_FMT_PCAPNG)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_open: unknown format %d", (int)format);
    if (linktype > 0xffffu)
        return pw_error_set(err, PW_ERR_ARG, "link type %u does not fit a capture file", linktype);
    return 0;
}

static struct pw_writer *writer_new(bool mem, struct pw_error *err)
{
    struct pw_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        pw_error_set(err, PW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->fd = -1;
    w->mem_mode = mem;
    if (!mem) {
        w->buf = malloc(WBUF_SIZE);
        if (!w->buf) {
            free(w);
            pw_error_set(err, PW_ERR_NOMEM, "out of memory");
            return NULL;
        }
        w->cap = WBUF_SIZE;
    }
    return w;
}

int pw_writer_open_fd(struct pw_writer **out_w, int fd, enum pw_file_format format,
                      uint32_t linktype, uint32_t snaplen, struct pw_error *err)
{
    int rc = check_args(out_w, format, linktype, err);
    if (rc < 0)
        return rc;
    if (fd < 0)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_open_fd: bad descriptor");
    struct pw_writer *w = writer_new(false, err);
    if (!w)
        return PW_ERR_NOMEM;
    w->fd = fd;
    return open_common(out_w, w, format, linktype, snaplen, err);
}

int pw_writer_open(struct pw_writer **out_w, const char *path, enum pw_file_format format,
                   uint32_t linktype, uint32_t snaplen, struct pw_error *err)
{
    int rc = check_args(out_w, format, linktype, err);
    if (rc < 0)
        return rc;
    if (!path)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_open: no path");
    if (strcmp(path, "-") == 0)
        return pw_writer_open_fd(out_w, STDOUT_FILENO, format, linktype, snaplen, err);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return pw_error_set(err, PW_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    struct pw_writer *w = writer_new(false, err);
    if (!w) {
        close(fd);
        return PW_ERR_NOMEM;
    }
    w->fd = fd;
    w->own_fd = true;
    return open_common(out_w, w, format, linktype, snaplen, err);
}

int pw_writer_open_mem(struct pw_writer **out_w, enum pw_file_format format, uint32_t linktype,
                       uint32_t snaplen, struct pw_error *err)
{
    int rc = check_args(out_w, format, linktype, err);
    if (rc < 0)
        return rc;
    struct pw_writer *w = writer_new(true, err);
    if (!w)
        return PW_ERR_NOMEM;
    return open_common(out_w, w, format, linktype, snaplen, err);
}

/* ---- records ------------------------------------------------------------- */

static int write_pcap_record(struct pw_writer *w, const struct pw_record *rec, struct pw_error *err)
{
    if (rec->linktype != w->linktype)
        return pw_error_set(err, PW_ERR_ARG,
                            "record has link type %u but the pcap file holds %u; use pcapng",
                            rec->linktype, w->linktype);
    if (rec->caplen > PW_MAX_CAPLEN)
        return pw_error_set(err, PW_ERR_ARG, "captured length %u is more than the maximum %u",
                            rec->caplen, PW_MAX_CAPLEN);
    if (rec->ts.sec < 0 || rec->ts.sec > (int64_t)UINT32_MAX)
        return pw_error_set(err, PW_ERR_ARG,
                            "timestamp %lld s does not fit pcap's 32-bit unsigned seconds",
                            (long long)rec->ts.sec);
    int rc = room_for(w, 16u + (uint64_t)rec->caplen, err);
    if (rc < 0)
        return rc;
    uint8_t h[16];
    le32(h, (uint32_t)rec->ts.sec);
    le32(h + 4, w->fmt == PW_FMT_PCAP_NSEC ? rec->ts.nsec : rec->ts.nsec / 1000u);
    le32(h + 8, rec->caplen);
    le32(h + 12, rec->len);
    rc = out(w, h, sizeof(h), err);
    if (rc == 0)
        rc = out(w, rec->data, rec->caplen, err);
    return rc;
}

static int write_epb(struct pw_writer *w, const struct pw_record *rec, struct pw_error *err)
{
    static const uint8_t zeros[4];
    if (rec->linktype > 0xffffu)
        return pw_error_set(err, PW_ERR_ARG, "link type %u does not fit pcapng", rec->linktype);

    /* Ticks in the interface's resolution, checked against 64 bits. */
    struct wiface *ifc = find_iface(w, rec->ifindex, rec->linktype);
    uint8_t digits = ifc ? ifc->digits : 9;
    static const uint64_t p10[10] = {1u,      10u,      100u,      1000u,      10000u,
                                     100000u, 1000000u, 10000000u, 100000000u, 1000000000u};
    uint64_t tps = p10[digits];
    uint64_t frac = rec->ts.nsec / p10[9 - digits];
    if (rec->ts.sec < 0 || (uint64_t)rec->ts.sec > (UINT64_MAX - frac) / tps)
        return pw_error_set(err, PW_ERR_ARG, "timestamp %lld s is outside pcapng's range",
                            (long long)rec->ts.sec);
    uint64_t ticks = (uint64_t)rec->ts.sec * tps + frac;

    size_t clen = rec->comment ? rec->comment_len : 0;
    if (clen > 0xffffu)
        clen = 0xffffu; /* an option length is 16 bits */
    uint64_t len = 32u + (uint64_t)rec->caplen + pad4(rec->caplen);
    if (clen)
        len += opt_size(clen) + 4;
    if (rec->caplen > PW_MAX_CAPLEN || len > PW_MAX_PCAPNG_BLOCK)
        return pw_error_set(err, PW_ERR_ARG,
                            "a packet of %u bytes does not fit a pcapng block of at most %u",
                            rec->caplen, PW_MAX_PCAPNG_BLOCK);

    int rc;
    if (!ifc && !(ifc = add_iface(w, rec->ifindex, rec->linktype, err)))
        return err ? err->code : PW_ERR_NOMEM;
    if (!ifc->written) {
        if ((rc = write_idb(w, ifc, err)) < 0)
            return rc;
    }
    if ((rc = room_for(w, len, err)) < 0)
        return rc;

    uint8_t h[28];
    le32(h, BT_EPB);
    le32(h + 4, (uint32_t)len);
    le32(h + 8, ifc->id);
    le32(h + 12, (uint32_t)(ticks >> 32));
    le32(h + 16, (uint32_t)ticks);
    le32(h + 20, rec->caplen);
    le32(h + 24, rec->len);
    uint8_t t[8] = {0};
    le32(t + 4, (uint32_t)len);
    rc = out(w, h, sizeof(h), err);
    if (rc == 0)
        rc = out(w, rec->data, rec->caplen, err);
    if (rc == 0)
        rc = out(w, zeros, pad4(rec->caplen), err);
    if (rc == 0 && clen)
        rc = out_opt(w, OPT_COMMENT, rec->comment, clen, err);
    if (rc == 0)
        rc = out(w, clen ? t : t + 4, clen ? 8 : 4, err); /* endofopt only after options */
    return rc;
}

int pw_writer_write(struct pw_writer *w, const struct pw_record *rec, struct pw_error *err)
{
    if (!w || !rec || (!rec->data && rec->caplen))
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_write: no writer or record");
    if (w->fail.code) {
        if (err)
            *err = w->fail;
        return w->fail.code;
    }
    /* Argument errors refuse one record; output errors are sticky. */
    return w->fmt == PW_FMT_PCAPNG ? write_epb(w, rec, err) : write_pcap_record(w, rec, err);
}

/* Interfaces declared but not used yet get their IDB, so that an empty
 * capture keeps its link type (as tcpdump/empty.pcapng does). */
static int write_pending_idbs(struct pw_writer *w, struct pw_error *err)
{
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && w->fmt == PW_FMT_PCAPNG && i < w->nifs; i++)
        if (!w->ifs[i].written)
            rc = write_idb(w, &w->ifs[i], err);
    return rc;
}

int pw_writer_flush(struct pw_writer *w, struct pw_error *err)
{
    if (!w)
        return pw_error_set(err, PW_ERR_ARG, "pw_writer_flush: no writer");
    if (w->fail.code) {
        if (err)
            *err = w->fail;
        return w->fail.code;
    }
    int rc = write_pending_idbs(w, err);
    if (rc == 0)
        rc = flush_buf(w, err);
    return rc;
}

const uint8_t *pw_writer_mem(const struct pw_writer *w, size_t *len)
{
    if (!w || !w->mem_mode) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = w->len;
    return w->buf;
}

int pw_writer_close(struct pw_writer *w, struct pw_error *err)
{
    if (!w)
        return 0;
    int rc = w->fail.code;
    if (rc && err)
        *err = w->fail;
    if (rc == 0)
        rc = write_pending_idbs(w, err);
    if (rc == 0)
        rc = flush_buf(w, err);
    if (w->own_fd && close(w->fd) < 0 && rc == 0)
        rc = pw_error_set(err, PW_ERR_IO, "close failed: %s", strerror(errno));
    free(w->ifs);
    free(w->buf);
    free(w);
    return rc;
}
