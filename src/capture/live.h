/* Live capture sources behind a small ops table, so that the agent's event
 * loop does not care how packets arrive.
 *
 * Life cycle: pw_capsrc_new() (open: check and remember the configuration)
 * -> pw_capsrc_start() (begin capturing; on Linux libpcap uses a TPACKET_V3
 * ring of `buffer_size` bytes per interface) -> pw_capsrc_read() whenever one
 * of pw_capsrc_fds() is readable, and also on a timer, because a ring block
 * is handed over only when it is full or its timeout expires ->
 * pw_capsrc_stop() (final statistics are kept) -> pw_capsrc_free().
 *
 * All handles are non-blocking: read never waits. The library never prints. */
#ifndef PW_CAPTURE_LIVE_H
#define PW_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/limits.h"

struct pw_capsrc;

struct pw_capsrc_cfg {
    /* Interface names ("any" captures on all of them, Linux only). With more
     * than one interface all must have the same link type. */
    const char *ifaces[PW_MAX_TARGET_IFACES];
    size_t nifaces;
    uint32_t snaplen;     /* bytes kept per packet; 0 = PW_MAX_SNAPLEN */
    uint32_t buffer_size; /* kernel ring bytes per interface; 0 = libpcap's default */
    int timeout_ms;       /* ring block timeout; 0 = 100 ms */
    bool promisc;
    const char *filter; /* libpcap expression, NULL or "" for none */
};

struct pw_capsrc_stats {
    uint64_t received;   /* packets that passed the filter (libpcap ps_recv) */
    uint64_t dropped;    /* dropped by the kernel for lack of ring space (ps_drop) */
    uint64_t if_dropped; /* dropped by the interface or driver (ps_ifdrop) */
};

/* One packet as the source delivers it. `data` is valid during the callback
 * only. Timestamps are wall-clock (CLOCK_REALTIME) nanoseconds. */
struct pw_cappkt {
    int64_t ts_ns;
    uint32_t caplen;
    uint32_t len;
    const uint8_t *data;
};

/* Returns false to make read stop early (for example when a byte limit has
 * been reached); the packet passed in has then been seen. */
typedef bool (*pw_capsrc_cb)(void *user, const struct pw_cappkt *pkt);

struct pw_capsrc_ops {
    const char *name;
    size_t priv_size; /* allocated in the same block as struct pw_capsrc */
    int (*open)(struct pw_capsrc *src, const struct pw_capsrc_cfg *cfg, struct pw_error *err);
    int (*start)(struct pw_capsrc *src, struct pw_error *err);
    /* Delivers up to `max` packets per interface; returns the number
     * delivered (0 when nothing was ready) or a negative pw_err. */
    int (*read)(struct pw_capsrc *src, int max, pw_capsrc_cb cb, void *user, struct pw_error *err);
    int (*stats)(struct pw_capsrc *src, struct pw_capsrc_stats *st, struct pw_error *err);
    void (*stop)(struct pw_capsrc *src);
    void (*close)(struct pw_capsrc *src);
};

struct pw_capsrc {
    const struct pw_capsrc_ops *ops;
    int linktype;     /* DLT_* of the delivered packets, known after start */
    uint32_t snaplen; /* effective snap length */
    bool started, stopped;
    int fds[PW_MAX_TARGET_IFACES]; /* selectable fds, valid while started */
    size_t nfds;
    void *priv;
};

/* The libpcap backend (Linux: AF_PACKET with a TPACKET_V3 ring). */
extern const struct pw_capsrc_ops pw_capsrc_pcap_ops;

/* Allocates the source and its private part in one block and calls open. */
int pw_capsrc_new(struct pw_capsrc **out, const struct pw_capsrc_ops *ops,
                  const struct pw_capsrc_cfg *cfg, struct pw_error *err);
int pw_capsrc_start(struct pw_capsrc *src, struct pw_error *err);
int pw_capsrc_read(struct pw_capsrc *src, int max, pw_capsrc_cb cb, void *user,
                   struct pw_error *err);
int pw_capsrc_stats(struct pw_capsrc *src, struct pw_capsrc_stats *st, struct pw_error *err);
void pw_capsrc_stop(struct pw_capsrc *src);
/* Stops if needed, closes and frees; NULL is a no-op. */
void pw_capsrc_free(struct pw_capsrc *src);

#endif
