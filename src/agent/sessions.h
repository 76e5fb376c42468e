/* The session manager: capture sessions, their files and their limits, with
 * the state kept in SQLite so that a restart (or kill -9) loses nothing.
 *
 * Everything runs on the daemon's one event loop: the loop polls the fds
 * from pw_sessmgr_pollfds(), calls pw_sessmgr_service() for a readable one
 * and pw_sessmgr_tick() on every turn (limits, the once-a-second flush and
 * state save), sleeping at most pw_sessmgr_timeout_ms().
 *
 * Capture files are written with libpcap's savefile API. A record is never
 * split across write(2) calls (see PW_CAPFILE_BUFFER), and the buffer is
 * flushed every second, so the file on disk is always a valid pcap ending at
 * a record boundary: it can be read while the capture runs and survives a
 * crash of the daemon. */
#ifndef PW_AGENT_SESSIONS_H
#define PW_AGENT_SESSIONS_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/request.h"
#include "util/error.h"

enum pw_sess_status { PW_SESS_NOT_STARTED, PW_SESS_RUNNING, PW_SESS_STOPPED, PW_SESS_ERROR };

enum pw_stop_reason {
    PW_STOP_NONE,
    PW_STOP_TIME,         /* timeLimitInSeconds reached */
    PW_STOP_BYTES,        /* totalBytesPerSession reached (or all files full) */
    PW_STOP_SESSION_TIME, /* captureSettings.sessionTimeLimitInSeconds reached */
    PW_STOP_MANUAL,       /* POST .../stop or DELETE */
    PW_STOP_RESTART,      /* the agent stopped or died while the session ran */
    PW_STOP_ERROR,        /* capture or file error; see packetCaptureError */
};

/* packetCaptureError values (the reference's PcError enum), as bits. */
enum {
    PW_PCERR_INTERNAL = 1u << 0,
    PW_PCERR_AGENT_STOPPED = 1u << 1,
    PW_PCERR_CAPTURE_FAILED = 1u << 2,
    PW_PCERR_LOCAL_FILE = 1u << 3,
    PW_PCERR_STORAGE = 1u << 4,
};
#define PW_PCERR_COUNT 5

const char *pw_sess_status_name(enum pw_sess_status st);
const char *pw_stop_reason_name(enum pw_stop_reason r); /* NULL for NONE */
const char *pw_pcerr_name(unsigned bit_index);          /* 0..PW_PCERR_COUNT-1 */

struct pw_sess_run;

struct pw_session {
    char name[PW_MAX_SESSION_NAME + 1];
    json_t *props; /* normalised request properties (owned) */
    char *filter;  /* effective libpcap expression (owned) */
    uint64_t etag; /* bumped on every state change */
    enum pw_sess_status status;
    enum pw_stop_reason stop_reason;
    unsigned errors; /* PW_PCERR_* */
    char errmsg[256];
    int64_t created_ns, start_ns, stop_ns; /* wall clock; 0 = not yet */
    uint64_t packets, bytes;               /* written to the files */
    uint64_t kernel_drops, if_drops;
    char base_rel[PW_MAX_CAPTURE_PATH + 1]; /* file (classic) or numbering base */
    int continuous;                         /* -1 classic, 0 numbered, 1 ring */
    uint32_t file_count;
    uint64_t file_size;
    char **files; /* root-relative paths present now, oldest first */
    size_t nfiles, files_cap;
    uint64_t files_written;  /* files opened over the session's life */
    struct pw_sess_run *run; /* NULL unless running */
    bool dirty;
    struct pw_session *next;
};

struct pw_sessmgr_cfg {
    const char *data_dir;
    const char *capture_root;
    unsigned max_running;
    uint32_t buffer_size; /* kernel ring per interface */
    int ring_timeout_ms;
    bool promisc;
    void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
};

struct pw_sessmgr;

/* Opens (creating) the state database in data_dir and the capture root,
 * then marks sessions that were running as Stopped/AgentRestart. */
int pw_sessmgr_open(struct pw_sessmgr **out, const struct pw_sessmgr_cfg *cfg,
                    struct pw_error *err);
/* Stops running sessions (AgentRestart), saves and frees. NULL is a no-op. */
void pw_sessmgr_close(struct pw_sessmgr *m);

const char *pw_sessmgr_root(const struct pw_sessmgr *m);
int pw_sessmgr_root_fd(const struct pw_sessmgr *m);
struct pw_session *pw_sessmgr_first(struct pw_sessmgr *m);
struct pw_session *pw_sessmgr_find(struct pw_sessmgr *m, const char *name);

/* Creates and starts a session from a validated request (which keeps
 * ownership of nothing: props are taken over). Returns 0 or -1 with `e`
 * (409 exists / too many, 400 bad interface or filter, 500 otherwise). */
int pw_sessmgr_create(struct pw_sessmgr *m, const char *name, struct pw_capreq *req,
                      struct pw_session **out, struct pw_api_err *e);

/* Asks a running session to stop. It keeps reading for a short drain period
 * so that packets already in the kernel ring are written, but writes none
 * stamped after the request. Returns 1 while draining, 0 if already
 * stopped. */
int pw_sessmgr_stop(struct pw_sessmgr *m, struct pw_session *s);

/* Stops (without draining) and forgets a session; removes its files too
 * when asked. Returns 0, or -1 with `e` when a file could not be removed
 * (the session is gone all the same). */
int pw_sessmgr_delete(struct pw_sessmgr *m, struct pw_session *s, bool delete_files,
                      struct pw_api_err *e);

/* Refreshes kernel drop counters of a running session. */
void pw_sessmgr_refresh(struct pw_sessmgr *m, struct pw_session *s);

/* Event loop plumbing. */
size_t pw_sessmgr_pollfds(struct pw_sessmgr *m, struct pollfd *pfd, struct pw_session **owner,
                          size_t cap);
void pw_sessmgr_service(struct pw_sessmgr *m, struct pw_session *s);
void pw_sessmgr_tick(struct pw_sessmgr *m);
int pw_sessmgr_timeout_ms(struct pw_sessmgr *m);
unsigned pw_sessmgr_running(const struct pw_sessmgr *m);
size_t pw_sessmgr_count(const struct pw_sessmgr *m);

int64_t pw_now_wall_ns(void);
int64_t pw_now_mono_ns(void);

#endif
