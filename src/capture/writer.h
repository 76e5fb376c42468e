/* Capture-file writer: pcap (microsecond or nanosecond) and pcapng, to a
 * file, an open descriptor or a memory buffer. Used by `filter -w`, the
 * capture agent, and tests that build small captures by hand.
 *
 * Records are written as given (caplen, len, bytes); the reader reads them
 * back identically. Output is buffered; nothing reaches the descriptor
 * before the buffer fills, pw_writer_flush() or pw_writer_close(). */
#ifndef PW_CAPTURE_WRITER_H
#define PW_CAPTURE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "capture/reader.h"
#include "util/error.h"

/* Largest output pw_writer_open_mem() accumulates before refusing records. */
#define PW_WRITER_MEM_MAX (256u * 1024u * 1024u)

/* Snap length written when the caller passes 0 (libpcap's default). */
#define PW_WRITER_DEFAULT_SNAPLEN 262144u

struct pw_writer;

/* Opens `path` for writing (created or truncated; "-" is standard output).
 * `format` is PW_FMT_PCAP, PW_FMT_PCAP_NSEC or PW_FMT_PCAPNG. `linktype` is
 * the file's link type (pcap) or that of interface 0 (pcapng); `snaplen` 0
 * means PW_WRITER_DEFAULT_SNAPLEN. The file header (and for pcapng the SHB
 * and the first IDB) is written at once. */
int pw_writer_open(struct pw_writer **out, const char *path, enum pw_file_format format,
                   uint32_t linktype, uint32_t snaplen, struct pw_error *err);

/* The same on an open descriptor, which the writer does not close. */
int pw_writer_open_fd(struct pw_writer **out, int fd, enum pw_file_format format, uint32_t linktype,
                      uint32_t snaplen, struct pw_error *err);

/* The same into a growing memory buffer (at most PW_WRITER_MEM_MAX bytes);
 * see pw_writer_mem(). */
int pw_writer_open_mem(struct pw_writer **out, enum pw_file_format format, uint32_t linktype,
                       uint32_t snaplen, struct pw_error *err);

/* pcapng only, optional: describes the interface that records with
 * ifindex `ifindex` and link type ifc->linktype are written to, so that its
 * if_name, if_description, if_os, snap length and a decimal if_tsresol of
 * at most 10^-9 (e.g. microseconds) are kept. Call it before the first
 * record of that interface. Without it, interfaces are created as records
 * need them, with the writer's snap length and nanosecond resolution. */
int pw_writer_set_iface(struct pw_writer *w, uint32_t ifindex, const struct pw_iface *ifc,
                        struct pw_error *err);

/* Appends one record. pcap: rec->linktype must be the file's link type
 * (PW_ERR_ARG otherwise: one pcap file holds one link type) and ts.sec must
 * fit the 32-bit unsigned seconds field. pcapng: a record goes to the
 * interface (rec->ifindex, rec->linktype), which gets an IDB the first time
 * it is seen; the first packet comment is kept (opt_comment); ts must be
 * 1970-01-01 or later and within 2^64 ticks. */
int pw_writer_write(struct pw_writer *w, const struct pw_record *rec, struct pw_error *err);

/* Writes the IDBs of interfaces declared but not used yet (pcapng), then
 * the buffered bytes (files and descriptors). */
int pw_writer_flush(struct pw_writer *w, struct pw_error *err);

/* The bytes written so far by a pw_writer_open_mem() writer; call
 * pw_writer_flush() first for a complete file. Valid until the next write,
 * flush or close. NULL for other writers. */
const uint8_t *pw_writer_mem(const struct pw_writer *w, size_t *len);

/* Flushes, closes what the writer opened and frees it; returns the first
 * error of the flush or close. pw_writer_close(NULL, ...) is a no-op. */
int pw_writer_close(struct pw_writer *w, struct pw_error *err);

#endif
