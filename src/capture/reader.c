/* Capture-file reader front end: where the bytes come from (caller buffer,
 * memory-mapped regular file, or a stream through a bounded window), format
 * detection by magic number, dispatch to pcap.c / pcapng.c, and the
 * link-type name tables.
 *
 * Both input kinds go through one primitive, pwi_ensure(): "give me n
 * contiguous bytes at the current position". For memory it is a bounds
 * check; for a stream it slides and refills a window that never holds more
 * than the largest (validated) record plus PW_STREAM_CHUNK. The format code
 * therefore has a single path for files, buffers and pipes. */
#include "capture/reader_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/limits.h"

/* ---- errors ------------------------------------------------------------ */

int pwi_fail(struct pw_reader *r, struct pw_error *err, int code, uint64_t off, const char *fmt,
             ...)
{
    va_list ap;
    r->fail.code = code;
    r->fail.offset = off;
    va_start(ap, fmt);
    vsnprintf(r->fail.msg, sizeof(r->fail.msg), fmt, ap);
    va_end(ap);
    if (err)
        *err = r->fail;
    return code;
}

int pwi_cut_short(struct pw_reader *r, struct pw_error *err, uint64_t off, uint64_t need,
                  uint64_t have)
{
    /* The first sentence is tshark's, so that users and scripts recognise it. */
    return pwi_fail(r, err, PW_ERR_CUT_SHORT, off,
                    "the file appears to have been cut short in the middle of a packet "
                    "(record at offset %llu needs %llu bytes, %llu left)",
                    (unsigned long long)off, (unsigned long long)need, (unsigned long long)have);
}

/* ---- the input window ---------------------------------------------------- */

/* First stream window; it doubles while a record does not fit. 64 KiB is
 * what a pipe delivers per read, and most captures never need more. */
#define STREAM_INITIAL (64u * 1024u < PW_STREAM_CHUNK ? 64u * 1024u : PW_STREAM_CHUNK)

/* One read() of the stream, or of the current byte range. */
static ssize_t src_read(struct pw_reader *r, uint8_t *buf, size_t n)
{
    if (!r->segs)
        return read(r->fd, buf, n);
    while (r->seg < r->nsegs) {
        const struct pw_segment *s = &r->segs[r->seg];
        if (r->seg_pos >= s->len) {
            r->seg++;
            r->seg_pos = 0;
            continue;
        }
        uint64_t left = s->len - r->seg_pos;
        size_t want = left < n ? (size_t)left : n;
        ssize_t got = pread(s->fd, buf, want, (off_t)(s->off + r->seg_pos));
        if (got == 0) {
            errno = ENODATA; /* the file is shorter than the range */
            return -1;
        }
        if (got > 0)
            r->seg_pos += (uint64_t)got;
        return got;
    }
    return 0;
}

/* Reads until the window holds `n` bytes from r->pos or the stream ends. */
static int fill(struct pw_reader *r, size_t n, struct pw_error *err)
{
    size_t off = (size_t)(r->pos - r->win_off);

    /* Slide: drop what was consumed so the window starts at pos. */
    if (off > 0) {
        memmove(r->buf, r->buf + off, r->buf_len - off);
        r->buf_len -= off;
        r->win_off = r->pos;
    }
    while (r->buf_len < n && !r->eof) {
        if (r->buf_cap < n && r->buf_len == r->buf_cap) {
            /* Too small for the request and full: double, so that memory
             * follows the bytes that actually arrive (a lying length in a
             * short stream costs little), and never beyond one request plus
             * a chunk. Growing only when full matters on pipes, where a
             * read returns whatever is there: growing on every short read
             * sized the window by the lying length after all. */
            size_t want = r->buf_cap ? r->buf_cap * 2 : STREAM_INITIAL;
            if (want > n + PW_STREAM_CHUNK)
                want = n + PW_STREAM_CHUNK;
            uint8_t *nb = realloc(r->buf, want);
            if (!nb)
                return pwi_fail(r, err, PW_ERR_NOMEM, r->pos,
                                "out of memory growing the stream window to %zu bytes", want);
            r->buf = nb;
            r->buf_cap = want;
        }
        ssize_t got = src_read(r, r->buf + r->buf_len, r->buf_cap - r->buf_len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return pwi_fail(r, err, PW_ERR_IO, r->pos, "read error: %s", strerror(errno));
        }
        if (got == 0)
            r->eof = true;
        r->buf_len += (size_t)got;
    }
    return 0;
}

int pwi_ensure(struct pw_reader *r, size_t n, const uint8_t **p, size_t *avail,
               struct pw_error *err)
{
    if (!r->stream) {
        size_t left = r->mem_len - (size_t)r->pos;
        if (n > left) {
            *avail = left;
            return 0;
        }
        *p = r->mem + r->pos;
        return 1;
    }
    size_t have = r->buf_len - (size_t)(r->pos - r->win_off);
    if (n > have) {
        int rc = fill(r, n, err);
        if (rc < 0)
            return rc;
        have = r->buf_len;
        if (n > have) {
            *avail = have;
            return 0;
        }
    }
    *p = r->buf + (size_t)(r->pos - r->win_off);
    return 1;
}

void pwi_consume(struct pw_reader *r, size_t n)
{
    r->pos += n;
}

struct pw_iface *pwi_add_iface(struct pw_reader *r, struct pw_error *err)
{
    if (r->ci.niface >= PW_MAX_INTERFACES) {
        pwi_fail(r, err, PW_ERR_LIMIT, r->pos, "more than %u interfaces in the file",
                 PW_MAX_INTERFACES);
        return NULL;
    }
    if (r->ci.niface == r->iface_cap) {
        uint32_t cap = r->iface_cap ? r->iface_cap * 2 : 4;
        if (cap > PW_MAX_INTERFACES)
            cap = PW_MAX_INTERFACES;
        struct pw_iface *n = realloc(r->ifaces, cap * sizeof(*n));
        if (!n) {
            pwi_fail(r, err, PW_ERR_NOMEM, r->pos, "out of memory for interface table");
            return NULL;
        }
        r->ifaces = n;
        r->iface_cap = cap;
    }
    struct pw_iface *ifc = &r->ifaces[r->ci.niface++];
    memset(ifc, 0, sizeof(*ifc));
    return ifc;
}

/* ---- opening ------------------------------------------------------------ */

static struct pw_reader *reader_new(void)
{
    struct pw_reader *r = calloc(1, sizeof(*r));
    if (r) {
        r->fd = -1;
        r->size = -1;
    }
    return r;
}

/* Recognises the format from the first four bytes and hands over. */
static int detect(struct pw_reader *r, struct pw_error *err)
{
    const uint8_t *p;
    size_t avail = 0;
    int rc = pwi_ensure(r, 4, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (avail == 0)
            return pwi_fail(r, err, PW_ERR_FORMAT, 0,
                            "the file is empty: not a pcap or pcapng file");
        return pwi_fail(r, err, PW_ERR_FORMAT, 0,
                        "the file is too short (%zu bytes) to be a pcap or pcapng file", avail);
    }
    uint32_t m = pwi_rd32(p, false);
    switch (m) {
    case 0x0a0d0d0a: /* pcapng SHB type: a palindrome, same in both orders */
        return pwi_pcapng_open(r, err);
    case 0xa1b2c3d4:
    case 0xd4c3b2a1: /* microsecond pcap */
    case 0xa1b23c4d:
    case 0x4d3cb2a1: /* nanosecond pcap */
    case 0xa1b2cd34:
    case 0x34cdb2a1: /* modified pcap (24-byte record headers) */ return pwi_pcap_open(r, err);
    default:
        return pwi_fail(r, err, PW_ERR_FORMAT, 0,
                        "not a pcap or pcapng file (unknown magic number 0x%08x)", m);
    }
}

/* Common tail of the open functions: detect, and free on failure. */
static int finish_open(struct pw_reader **out, struct pw_reader *r, struct pw_error *err)
{
    int rc = detect(r, err);
    if (rc < 0) {
        pw_reader_free(r);
        *out = NULL;
        return rc;
    }
    *out = r;
    return 0;
}

int pw_reader_open_mem(struct pw_reader **out, const uint8_t *buf, size_t len, struct pw_error *err)
{
    if (!out || (!buf && len))
        return pw_error_set(err, PW_ERR_ARG, "pw_reader_open_mem: no buffer");
    *out = NULL;
    struct pw_reader *r = reader_new();
    if (!r)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    r->mem = buf;
    r->mem_len = len;
    r->size = (int64_t)len;
    return finish_open(out, r, err);
}

static int open_stream(struct pw_reader **out, int fd, bool own, struct pw_error *err)
{
    struct pw_reader *r = reader_new();
    if (!r) {
        if (own)
            close(fd);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    r->stream = true;
    r->fd = fd;
    r->own_fd = own;
    return finish_open(out, r, err);
}

int pw_reader_open_fd(struct pw_reader **out, int fd, struct pw_error *err)
{
    if (!out || fd < 0)
        return pw_error_set(err, PW_ERR_ARG, "pw_reader_open_fd: bad descriptor");
    *out = NULL;
    return open_stream(out, fd, false, err);
}

int pw_reader_open_segments(struct pw_reader **out, const struct pw_segment *segs, size_t n,
                            struct pw_error *err)
{
    if (!out || (!segs && n))
        return pw_error_set(err, PW_ERR_ARG, "pw_reader_open_segments: no ranges");
    *out = NULL;
    struct pw_reader *r = reader_new();
    if (!r || !(r->segs = calloc(n ? n : 1, sizeof(*segs)))) {
        free(r);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (segs[i].fd < 0) {
            free(r->segs);
            free(r);
            return pw_error_set(err, PW_ERR_ARG, "pw_reader_open_segments: bad descriptor");
        }
        r->segs[i] = segs[i];
        total += segs[i].len;
    }
    r->nsegs = n;
    r->stream = true;
    r->size = (int64_t)total;
    return finish_open(out, r, err);
}

int pw_reader_open_file(struct pw_reader **out, const char *path, struct pw_error *err)
{
    return pw_reader_open_path(out, path, 0, err);
}

int pw_reader_open_path(struct pw_reader **out, const char *path, unsigned flags,
                        struct pw_error *err)
{
    if (!out || !path)
        return pw_error_set(err, PW_ERR_ARG, "pw_reader_open_file: no path");
    *out = NULL;
    if (strcmp(path, "-") == 0)
        return open_stream(out, STDIN_FILENO, false, err);

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_error_set(err, PW_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return pw_error_set(err, PW_ERR_IO, "cannot stat %s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return pw_error_set(err, PW_ERR_IO, "%s is a directory", path);
    }
    if (!S_ISREG(st.st_mode))
        return open_stream(out, fd, true, err); /* FIFO, character device, socket */
    if (!(flags & PW_READ_MMAP)) {
        /* Sequential read() into the bounded window: on the virtual machines
         * we measured, page faults on a mapping cost 2-3x more than copying
         * (docs/PERFORMANCE.md), so mapping is opt-in. */
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        int rc = open_stream(out, fd, true, err);
        if (rc == 0 && *out)
            (*out)->size = (int64_t)st.st_size;
        return rc;
    }

    struct pw_reader *r = reader_new();
    if (!r) {
        close(fd);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    r->size = (int64_t)st.st_size;
    if (st.st_size > 0) {
        if ((uint64_t)st.st_size > SIZE_MAX) {
            close(fd);
            free(r);
            return pw_error_set(err, PW_ERR_LIMIT, "%s is too large to map", path);
        }
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            free(r);
            return pw_error_set(err, PW_ERR_IO, "cannot map %s: %s", path, strerror(e));
        }
        /* Records are read front to back once. */
        (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
        r->map = m;
        r->map_len = (size_t)st.st_size;
        r->mem = m;
        r->mem_len = (size_t)st.st_size;
    }
    close(fd); /* the mapping stays valid without the descriptor */
    return finish_open(out, r, err);
}

/* ---- reading ------------------------------------------------------------ */

/* Pages of a mapped file that are behind the read position are never read
 * again (the previous record's bytes are only valid until this call), so
 * they are handed back every PW_MAP_RELEASE bytes. Without this, resident
 * memory would grow to the size of the file. */
#define PW_MAP_RELEASE (32u << 20)

static void release_consumed(struct pw_reader *r)
{
    if (r->pos - r->map_dropped < PW_MAP_RELEASE)
        return;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t end = r->pos / page * page;
    if (end <= r->map_dropped)
        return;
    (void)madvise((uint8_t *)r->map + r->map_dropped, (size_t)(end - r->map_dropped),
                  MADV_DONTNEED);
    r->map_dropped = end;
}

int pw_reader_next(struct pw_reader *r, struct pw_record *rec, struct pw_error *err)
{
    if (!r || !rec)
        return pw_error_set(err, PW_ERR_ARG, "pw_reader_next: no reader");
    if (r->fail.code) {
        if (err)
            *err = r->fail;
        return r->fail.code;
    }
    if (r->map)
        release_consumed(r);
    return r->next(r, rec, err);
}

const struct pw_capinfo *pw_reader_capinfo(const struct pw_reader *r)
{
    return &r->ci;
}

const struct pw_iface *pw_reader_iface(const struct pw_reader *r, uint32_t idx)
{
    return idx < r->ci.niface ? &r->ifaces[idx] : NULL;
}

uint64_t pw_reader_offset(const struct pw_reader *r)
{
    return r->pos;
}

int64_t pw_reader_size(const struct pw_reader *r)
{
    return r->size;
}

void pw_reader_free(struct pw_reader *r)
{
    if (!r)
        return;
    if (r->map)
        munmap(r->map, r->map_len);
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->ifaces);
    free(r->segs);
    free(r);
}

/* ---- names -------------------------------------------------------------- */

const char *pw_format_name(enum pw_file_format f)
{
    /* capinfos' "File type" wording */
    switch (f) {
    case PW_FMT_PCAP: return "Wireshark/tcpdump/... - pcap";
    case PW_FMT_PCAP_NSEC: return "Wireshark/tcpdump/... - nanosecond pcap";
    case PW_FMT_PCAPNG: return "Wireshark/... - pcapng";
    default: return "unknown";
    }
}

/* LINKTYPE_* number -> capinfos' "Encapsulation = NAME (WTAP - SHORT)".
 * Generated by running capinfos 4.0.17 on a one-packet pcap for every link
 * type 0..300 (every type of /work/shared/captures/MANIFEST.tsv is included);
 * the types capinfos does not know are absent and get the "Unknown" entry.
 * Sorted by link type for binary search. */
struct lt_name {
    uint16_t linktype;
    uint16_t wtap;
    const char *name;
    const char *short_name;
};

static const struct lt_name lt_names[] = {
    {0, 15, "NULL/Loopback", "null"},
    {1, 1, "Ethernet", "ether"},
    {2, 184, "Xerox 3MB Ethernet", "xeth"},
    {3, 148, "Amateur Radio AX.25", "ax25"},
    {6, 2, "Token Ring", "tr"},
    {7, 8, "ARCNET", "arcnet"},
    {8, 3, "SLIP", "slip"},
    {9, 4, "PPP", "ppp"},
    {10, 6, "FDDI with bit-swapped MAC addresses", "fddi-swapped"},
    {11, 10, "RFC 1483 ATM", "atm-rfc1483"},
    {12, 7, "Raw IP", "rawip"},
    {13, 38, "OpenBSD enc(4) encapsulating interface", "enc"},
    {14, 7, "Raw IP", "rawip"},
    {16, 11, "Linux ATM CLIP", "linux-atm-clip"},
    {18, 11, "Linux ATM CLIP", "linux-atm-clip"},
    {19, 11, "Linux ATM CLIP", "linux-atm-clip"},
    {32, 69, "Redback SmartEdge", "redback"},
    {50, 4, "PPP", "ppp"},
    {51, 139, "PPP-over-Ethernet session", "pppoes"},
    {99, 61, "Symantec Enterprise Firewall", "symantec"},
    {100, 10, "RFC 1483 ATM", "atm-rfc1483"},
    {101, 7, "Raw IP", "rawip"},
    {104, 28, "Cisco HDLC", "chdlc"},
    {105, 20, "IEEE 802.11 Wireless LAN", "ieee-802-11"},
    {106, 11, "Linux ATM CLIP", "linux-atm-clip"},
    {107, 26, "Frame Relay", "frelay"},
    {108, 174, "OpenBSD loopback", "loop"},
    {109, 38, "OpenBSD enc(4) encapsulating interface", "enc"},
    {112, 28, "Cisco HDLC", "chdlc"},
    {113, 25, "Linux cooked-mode capture v1", "linux-sll"},
    {114, 30, "Localtalk", "ltalk"},
    {117, 39, "OpenBSD PF Firewall logs", "pflog"},
    {118, 29, "Cisco IOS internal", "ios"},
    {119, 21, "IEEE 802.11 plus Prism II monitor mode radio header", "ieee-802-11-prism"},
    {121, 32, "HiPath HDLC", "hhdlc"},
    {122, 18, "RFC 2625 IP-over-Fibre Channel", "ip-over-fc"},
    {123, 13, "ATM PDUs", "atm-pdus"},
    {127, 23, "IEEE 802.11 plus radiotap radio header", "ieee-802-11-radiotap"},
    {128, 37, "Tazmen sniffer protocol", "tzsp"},
    {129, 9, "Linux ARCNET", "arcnet_linux"},
    {130, 81, "Juniper MLPPP", "juniper-mlppp"},
    {131, 82, "Juniper MLFR", "juniper-mlfr"},
    {133, 87, "Juniper GGSN", "juniper-ggsn"},
    {135, 68, "Juniper ATM2", "juniper-atm2"},
    {136, 151, "Juniper Services", "juniper-svcs"},
    {137, 67, "Juniper ATM1", "juniper-atm1"},
    {138, 62, "Apple IP-over-IEEE 1394", "ap1394"},
    {139, 75, "MTP2 with pseudoheader", "mtp2-with-phdr"},
    {140, 42, "SS7 MTP2", "mtp2"},
    {141, 43, "SS7 MTP3", "mtp3"},
    {142, 101, "SS7 SCCP", "sccp"},
    {143, 33, "Data Over Cable Service Interface Specification", "docsis"},
    {147, 45, "USER 0", "user0"},
    {148, 46, "USER 1", "user1"},
    {149, 47, "USER 2", "user2"},
    {150, 48, "USER 3", "user3"},
    {151, 49, "USER 4", "user4"},
    {152, 50, "USER 5", "user5"},
    {153, 51, "USER 6", "user6"},
    {154, 52, "USER 7", "user7"},
    {155, 53, "USER 8", "user8"},
    {156, 54, "USER 9", "user9"},
    {157, 55, "USER 10", "user10"},
    {158, 56, "USER 11", "user11"},
    {159, 57, "USER 12", "user12"},
    {160, 58, "USER 13", "user13"},
    {161, 59, "USER 14", "user14"},
    {162, 60, "USER 15", "user15"},
    {163, 24, "IEEE 802.11 plus AVS radio header", "ieee-802-11-avs"},
    {165, 63, "BACnet MS/TP", "bacnet-ms-tp"},
    {167, 76, "Juniper PPPoE", "juniper-pppoe"},
    {169, 66, "GPRS LLC", "gprs-llc"},
    {170, 178, "ITU-T G.7041/Y.1303 Generic Framing Procedure Transparent mode", "gfp-t"},
    {171, 179, "ITU-T G.7041/Y.1303 Generic Framing Procedure Frame-mapped mode", "gfp-f"},
    {172, 77, "GCOM TIE1", "gcom-tie1"},
    {173, 78, "GCOM Serial", "gcom-serial"},
    {178, 83, "Juniper Ethernet", "juniper-ether"},
    {179, 84, "Juniper PPP", "juniper-ppp"},
    {180, 85, "Juniper Frame-Relay", "juniper-frelay"},
    {181, 86, "Juniper C-HDLC", "juniper-chdlc"},
    {183, 91, "Juniper Voice PIC", "juniper-vp"},
    {184, 181, "Juniper VN", "juniper-vn"},
    {186, 92, "USB packets with FreeBSD header", "usb-freebsd"},
    {187, 41, "Bluetooth H4", "bluetooth-h4"},
    {188, 93, "IEEE 802.16 MAC Common Part Sublayer", "ieee-802-16-mac-cps"},
    {189, 95, "USB packets with Linux header", "usb-linux"},
    {190, 109, "Controller Area Network 2.0B", "can20b"},
    {192, 97, "Per-Packet Information header", "ppi"},
    {195, 104, "IEEE 802.15.4 Wireless PAN", "wpan"},
    {199, 103, "Intelligent Platform Management Bus with Kontron pseudo-header", "ipmb-kontron"},
    {200, 197, "Juniper Secure Tunnel Information", "juniper-st"},
    {201, 99, "Bluetooth H4 with linux header", "bluetooth-h4-linux"},
    {202, 147, "AX.25 with KISS header", "ax25-kiss"},
    {203, 131, "LAPD", "lapd"},
    {204, 19, "PPP with Directional Info", "ppp-with-direction"},
    {210, 106, "FlexRay", "flexray"},
    {211, 108, "Media Oriented Systems Transport", "most"},
    {212, 107, "Local Interconnect Network", "lin"},
    {213, 111, "X2E serial line capture", "x2e-serial"},
    {214, 105, "X2E Xoraya", "x2e-xoraya"},
    {215, 113, "IEEE 802.15.4 Wireless PAN non-ASK PHY", "wpan-nonask-phy"},
    {220, 115, "USB packets with Linux header and padding", "usb-linux-mmap"},
    {224, 121, "Fibre Channel FC-2", "fc2"},
    {225, 122, "Fibre Channel FC-2 With Frame Delimiter", "fc2sof"},
    {226, 124, "Solaris IPNET", "ipnet"},
    {227, 125, "SocketCAN", "socketcan"},
    {228, 129, "Raw IPv4", "rawip4"},
    {229, 130, "Raw IPv6", "rawip6"},
    {230, 127, "IEEE 802.15.4 Wireless PAN with FCS not present", "wpan-nofcs"},
    {231, 146, "D-Bus", "dbus"},
    {235, 132, "DVB-CI (Common Interface)", "dvbci"},
    {236, 133, "MUX27010", "mux27010"},
    {237, 157, "STANAG 5066 Data Transfer Sublayer PDUs(D_PDU)", "s5066-dpdu"},
    {239, 141, "NFLOG", "nflog"},
    {240, 135, "Hilscher netANALYZER", "netanalyzer"},
    {241, 136, "Hilscher netANALYZER-Transparent", "netanalyzer-transparent"},
    {242, 180, "IP over IB", "ip-ib"},
    {243, 138, "ISO/IEC 13818-1 MPEG2-TS", "mp2ts"},
    {245, 140, "NFC LLCP", "nfc-llcp"},
    {248, 149, "SCTP", "sctp"},
    {249, 152, "USB packets with USBPcap header", "usb-usbpcap"},
    {250, 153, "RTAC serial-line", "rtac-serial"},
    {251, 154, "Bluetooth Low Energy Link Layer", "bluetooth-le-ll"},
    {252, 155, "Wireshark Upper PDU export", "wireshark-upper-pdu"},
    {253, 158, "Linux Netlink", "netlink"},
    {254, 159, "Bluetooth Linux Monitor", "bluetooth-linux-monitor"},
    {255, 160, "Bluetooth BR/EDR Baseband RF", "bluetooth-bredr-bb-rf"},
    {256, 161, "Bluetooth Low Energy Link Layer RF", "bluetooth-le-ll-rf"},
    {258, 171, "Apple PKTAP", "pktap"},
    {259, 172, "Ethernet Passive Optical Network", "epon"},
    {260, 173, "IPMI Trace Data Collection", "ipmi-trace"},
    {264, 177, "ISO 14443 contactless smartcard standards", "iso14443"},
    {266, 182, "USB packets with Darwin (macOS, etc.) headers", "usb-darwin"},
    {268, 36, "SDLC", "sdlc"},
    {270, 183, "LoRaTap", "loratap"},
    {271, 185, "Linux vsock", "vsock"},
    {272, 186, "nRF Sniffer for Bluetooth LE", "nordic_ble"},
    {273, 199, "DOCSIS with Excentis XRA pseudo-header", "docsis31_xra31"},
    {274, 198, "IEEE 802.3br mPackets", "ether-mpacket"},
    {275, 200, "DisplayPort AUX channel with Unigraf pseudo-header", "dpauxmon"},
    {276, 210, "Linux cooked-mode capture v2", "linux-sll2"},
    {279, 204, "Elektrobit High Speed Capture and Replay", "ebhscr"},
    {280, 205, "Vector Packet Processing graph dispatch trace", "vpp"},
    {283, 206, "IEEE 802.15.4 Wireless with TAP pseudo-header", "wpan-tap"},
    {287, 211, "Z-Wave Serial API packets", "zwave-serial"},
    {288, 208, "USB 2.0/1.1/1.0 packets", "usb-20"},
    {290, 212, "Event Tracing for Windows messages", "etw"},
    {292, 214, "ZBOSS NCP", "zbncp"},
    {293, 215, "Low-Speed USB 2.0/1.1/1.0 packets", "usb-20-low"},
    {294, 216, "Full-Speed USB 2.0/1.1/1.0 packets", "usb-20-full"},
    {295, 217, "High-Speed USB 2.0 packets", "usb-20-high"},
};

/* Wiretap's own name for an encapsulation it has no mapping for
 * (WTAP_ENCAP_UNKNOWN); capinfos refuses such files, we still deliver them. */
static const struct lt_name lt_unknown = {0, 0, "Unknown", "unknown"};

static const struct lt_name *lt_find(uint32_t linktype)
{
    size_t lo = 0, hi = sizeof(lt_names) / sizeof(lt_names[0]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lt_names[mid].linktype == linktype)
            return &lt_names[mid];
        if (lt_names[mid].linktype < linktype)
            lo = mid + 1;
        else
            hi = mid;
    }
    return &lt_unknown;
}

const char *pw_linktype_name(uint32_t linktype)
{
    return lt_find(linktype)->name;
}

const char *pw_linktype_short_name(uint32_t linktype)
{
    return lt_find(linktype)->short_name;
}

uint32_t pw_linktype_wtap_encap(uint32_t linktype)
{
    return lt_find(linktype)->wtap;
}
