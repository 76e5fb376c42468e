/* Capture-file readers: pcap and pcapng, from a memory buffer, a memory-mapped
 * file or a stream (stdin, pipes). The format is recognised by its magic
 * number, never by the file name.
 *
 * The reader hands out one record at a time; record bytes point into the
 * mapped file or the stream window and stay valid until the next call to
 * pw_reader_next(). Nothing is allocated per record. */
#ifndef PW_CAPTURE_READER_H
#define PW_CAPTURE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum pw_file_format {
    PW_FMT_UNKNOWN = 0,
    PW_FMT_PCAP,      /* microsecond pcap */
    PW_FMT_PCAP_NSEC, /* nanosecond pcap (magic 0xa1b23c4d) */
    PW_FMT_PCAPNG,
};

/* A timestamp as the file states it: seconds and nanoseconds. `nsec` may be
 * 1e9 or more when the file stores an out-of-range fraction (tshark shows
 * such values as they are, so we keep them). */
struct pw_ts {
    int64_t sec;
    uint32_t nsec;
};

static inline int64_t pw_ts_ns(struct pw_ts t)
{
    return t.sec * 1000000000LL + (int64_t)t.nsec;
}

struct pw_iface;

/* One packet record. */
struct pw_record {
    const uint8_t *data;  /* captured bytes */
    uint32_t caplen;      /* captured length */
    uint32_t len;         /* original (wire) length; >= caplen unless the file lies */
    uint32_t linktype;    /* LINKTYPE_* of the record's interface */
    uint32_t ifindex;     /* interface index across the whole file (pcapng), else 0 */
    struct pw_ts ts;
    uint64_t offset;      /* byte offset of the record (or block) in the input */
    const char *comment;  /* first pcapng opt_comment, NOT NUL-terminated; or NULL */
    uint32_t comment_len;
    uint32_t ncomments;   /* number of opt_comment options on the record */
    /* pcapng packet blocks that name their interface (EPB, PB): it, valid
     * until the next read like data; else NULL. tshark's frame label
     * names the interface only then. */
    const struct pw_iface *iface;
};

struct pw_iface {
    uint32_t linktype;
    uint32_t snaplen;
    uint32_t section;       /* which SHB it belongs to (0-based) */
    uint8_t tsresol;        /* raw if_tsresol byte (6 when absent) */
    bool tsresol_set;       /* if_tsresol option present */
    uint64_t ticks_per_sec; /* derived from tsresol */
    int64_t tsoffset;       /* if_tsoffset, seconds */
    uint64_t packets;       /* records seen so far on this interface */
    char name[128];         /* if_name, "" when absent */
    char descr[128];        /* if_description */
    char os[128];           /* if_os */
    char filter[256];       /* if_filter given as a string (type 0), "" when absent */
    uint32_t nstats;        /* Interface Statistics Blocks seen for this interface */
};

struct pw_capinfo {
    enum pw_file_format format;
    bool big_endian;     /* byte order of the (first) section / file header */
    uint16_t ver_major, ver_minor;
    uint32_t snaplen;    /* pcap file header snaplen (0 for pcapng) */
    uint32_t linktype;   /* pcap file header link type; pcapng: first interface's */
    uint32_t nsections;  /* pcapng SHBs seen so far */
    uint32_t niface;     /* interfaces seen so far (pcapng), 1 for pcap */
    char shb_os[128];      /* shb_os of the first section */
    char shb_app[128];     /* shb_userappl of the first section */
    char shb_hardware[128];
    uint64_t skipped_blocks; /* NRB/ISB/DSB/custom/unknown blocks passed over */
    /* What capinfos reports about those blocks and the first section: */
    uint32_t nrb_ipv4, nrb_ipv6; /* name-resolution records seen */
    uint32_t ndsb;               /* decryption-secrets blocks seen */
    uint32_t nshb_comments;      /* opt_comment options of the first SHB */
    char shb_comments[4096];     /* each NUL-terminated, one after another (truncated) */
};

struct pw_reader;

/* Opens `path` ("-" for standard input). Everything is read front to back
 * through a bounded window with read(); see pw_reader_open_path() for
 * memory-mapping. */
int pw_reader_open_file(struct pw_reader **out, const char *path, struct pw_error *err);

enum {
    PW_READ_MMAP = 1u << 0, /* map a regular file instead of reading it */
};

/* pw_reader_open_file() with flags (PW_READ_MMAP). */
int pw_reader_open_path(struct pw_reader **out, const char *path, unsigned flags,
                        struct pw_error *err);

/* Reads from a caller-owned buffer that must outlive the reader (fuzzers,
 * tests). */
int pw_reader_open_mem(struct pw_reader **out, const uint8_t *buf, size_t len,
                       struct pw_error *err);

/* Reads from an open file descriptor as a stream (the reader does not close
 * it). */
int pw_reader_open_fd(struct pw_reader **out, int fd, struct pw_error *err);

/* A byte range of an open file: `len` bytes from offset `off`. */
struct pw_segment {
    int fd;
    uint64_t off, len;
};

/* Reads the concatenation of `n` byte ranges as one stream, with pread() (the
 * descriptors' file offsets are not used and they are not closed). This is how
 * a capture split over several files is read as one: the first file whole,
 * the next ones without their file header, exactly the bytes a joined
 * download holds, so frame numbers and offsets are the joined file's. A range
 * that ends early (the file shrank) is a PW_ERR_IO. The size is the sum of
 * the lengths. */
int pw_reader_open_segments(struct pw_reader **out, const struct pw_segment *segs, size_t n,
                            struct pw_error *err);

/* Next record. Returns 1 with *rec filled, 0 at a clean end of input, or a
 * negative enum pw_err with err->msg and err->offset set:
 *   PW_ERR_CUT_SHORT  the input ends inside a record (all complete records
 *                     before it were delivered);
 *   PW_ERR_FORMAT     a length field lies (block too short, caplen larger
 *                     than the file or than PW_MAX_CAPLEN, ...).
 * After an error, further calls return the same error. */
int pw_reader_next(struct pw_reader *r, struct pw_record *rec, struct pw_error *err);

/* What is known about the file so far (pcapng interfaces accumulate while
 * reading). */
const struct pw_capinfo *pw_reader_capinfo(const struct pw_reader *r);
const struct pw_iface *pw_reader_iface(const struct pw_reader *r, uint32_t idx);

/* Bytes of input consumed so far, and the total size when known (-1 for a
 * stream). */
uint64_t pw_reader_offset(const struct pw_reader *r);
int64_t pw_reader_size(const struct pw_reader *r);

void pw_reader_free(struct pw_reader *r);

/* Human names, as capinfos prints them. */
const char *pw_format_name(enum pw_file_format f);
const char *pw_linktype_name(uint32_t linktype);       /* "Ethernet" */
const char *pw_linktype_short_name(uint32_t linktype); /* "ether" */
uint32_t pw_linktype_wtap_encap(uint32_t linktype);    /* capinfos' encapsulation number */

#endif
