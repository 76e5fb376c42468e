/* Session manager and its SQLite state. See sessions.h. */
#include "agent/sessions.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "agent/paths.h"
#include "capture/live.h"

/* How long a stopping session keeps reading: a TPACKET_V3 block is handed
 * over when its timeout expires, so two timeouts plus slack guarantee that
 * every packet stamped before the stop has reached us. */
#define DRAIN_NS(timeout_ms) ((int64_t)(2 * (timeout_ms) + 50) * 1000000LL)

/* Packets per pcap_dispatch call, and calls per readable event. */
#define READ_BATCH 1024
#define READ_ROUNDS 16

#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u

struct pw_sess_run {
    struct pw_capsrc *src;
    pcap_t *dead; /* gives pcap_dump_fopen the link type and snap length */
    pcap_dumper_t *dump;
    char *iobuf;
    size_t pending;        /* bytes in the stdio buffer since the last flush */
    uint64_t cur_size;     /* size of the current file including unflushed bytes */
    uint64_t cur_packets;  /* records in the current file */
    uint64_t total_limit;  /* 0 = none */
    int64_t deadline_mono; /* time limit, 0 = none */
    int64_t limit_ns;      /* the same limit as a duration */
    enum pw_stop_reason deadline_reason;
    int64_t cutoff_wall; /* packets stamped later are not written */
    bool draining;
    int64_t drain_until_mono;
    enum pw_stop_reason drain_reason;
    /* Set inside the packet callback, acted on after the read returns:
     * the capture handle must not be closed from its own callback. */
    bool stop_now;
    enum pw_stop_reason stop_now_reason;
    bool failed;
    unsigned fail_bits;
    char fail_msg[256];
};

struct pw_sessmgr {
    struct pw_sessmgr_cfg cfg;
    sqlite3 *db;
    sqlite3_stmt *save_stmt;
    int lock_fd;
    int root_fd;
    char root[PATH_MAX];
    struct pw_session *head, *tail;
    size_t count;
    unsigned running;
    int64_t next_flush_mono;
};

static void nolog(const char *fmt, ...)
{
    (void)fmt;
}

int64_t pw_now_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t pw_now_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *pw_sess_status_name(enum pw_sess_status st)
{
    switch (st) {
    case PW_SESS_NOT_STARTED: return "NotStarted";
    case PW_SESS_RUNNING: return "Running";
    case PW_SESS_STOPPED: return "Stopped";
    case PW_SESS_ERROR: return "Error";
    }
    return "Unknown";
}

const char *pw_stop_reason_name(enum pw_stop_reason r)
{
    switch (r) {
    case PW_STOP_NONE: return NULL;
    case PW_STOP_TIME: return "TimeExceeded";
    case PW_STOP_BYTES: return "TotalBytesExceeded";
    case PW_STOP_SESSION_TIME: return "SessionTimeExceeded";
    case PW_STOP_MANUAL: return "ManualIntervention";
    case PW_STOP_RESTART: return "AgentRestart";
    case PW_STOP_ERROR: return "Error";
    }
    return NULL;
}

const char *pw_pcerr_name(unsigned bit)
{
    static const char *const names[PW_PCERR_COUNT] = {
        "InternalError", "AgentStopped", "CaptureFailed", "LocalFileFailed", "StorageFailed"};
    return bit < PW_PCERR_COUNT ? names[bit] : "InternalError";
}

static enum pw_sess_status status_from(const char *s)
{
    for (int i = PW_SESS_NOT_STARTED; i <= PW_SESS_ERROR; i++)
        if (s && strcmp(s, pw_sess_status_name((enum pw_sess_status)i)) == 0)
            return (enum pw_sess_status)i;
    return PW_SESS_ERROR;
}

static enum pw_stop_reason reason_from(const char *s)
{
    for (int i = PW_STOP_TIME; i <= PW_STOP_ERROR; i++)
        if (s && strcmp(s, pw_stop_reason_name((enum pw_stop_reason)i)) == 0)
            return (enum pw_stop_reason)i;
    return PW_STOP_NONE;
}

/* ---- file list -------------------------------------------------------------- */

static int files_push(struct pw_session *s, const char *rel)
{
    if (s->nfiles == s->files_cap) {
        size_t nc = s->files_cap ? s->files_cap * 2 : 4;
        char **nf = realloc(s->files, nc * sizeof(*nf));
        if (!nf)
            return PW_ERR_NOMEM;
        s->files = nf;
        s->files_cap = nc;
    }
    char *d = strdup(rel);
    if (!d)
        return PW_ERR_NOMEM;
    s->files[s->nfiles++] = d;
    return 0;
}

static void files_drop_first(struct pw_session *s)
{
    if (!s->nfiles)
        return;
    free(s->files[0]);
    memmove(s->files, s->files + 1, (s->nfiles - 1) * sizeof(*s->files));
    s->nfiles--;
}

static void session_free(struct pw_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->files);
    json_decref(s->props);
    free(s->filter);
    free(s);
}

/* Numbered file k of a continuous session: "dir/x.cap" -> "dir/x_00001.cap". */
static void numbered_name(const char *base, uint64_t k, char *out, size_t cap)
{
    const char *dot = strrchr(base, '.');
    const char *slash = strrchr(base, '/');
    if (!dot || (slash && dot < slash))
        dot = base + strlen(base);
    snprintf(out, cap, "%.*s_%05llu%s", (int)(dot - base), base, (unsigned long long)k, dot);
}

/* ---- SQLite state --------------------------------------------------------- */

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS sessions("
    " name TEXT PRIMARY KEY, props TEXT NOT NULL, filter TEXT NOT NULL,"
    " status TEXT NOT NULL, stop_reason TEXT, errors INTEGER NOT NULL,"
    " error_message TEXT NOT NULL, created_ns INTEGER, start_ns INTEGER, stop_ns INTEGER,"
    " packets INTEGER, bytes INTEGER, kernel_drops INTEGER, if_drops INTEGER,"
    " base_rel TEXT NOT NULL, continuous INTEGER, file_count INTEGER, file_size INTEGER,"
    " files TEXT NOT NULL, files_written INTEGER, etag INTEGER, updated_ns INTEGER);";

static int db_save(struct pw_sessmgr *m, struct pw_session *s)
{
    sqlite3_stmt *st = m->save_stmt;
    json_t *fl = json_array();
    for (size_t i = 0; i < s->nfiles; i++)
        json_array_append_new(fl, json_string(s->files[i]));
    char *files = json_dumps(fl, JSON_COMPACT);
    char *props = json_dumps(s->props, JSON_COMPACT);
    json_decref(fl);
    int i = 1, rc = PW_ERR_NOMEM;
    if (!files || !props)
        goto out;
    sqlite3_reset(st);
    sqlite3_bind_text(st, i++, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, props, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, s->filter ? s->filter : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, pw_sess_status_name(s->status), -1, SQLITE_STATIC);
    if (s->stop_reason == PW_STOP_NONE)
        sqlite3_bind_null(st, i++);
    else
        sqlite3_bind_text(st, i++, pw_stop_reason_name(s->stop_reason), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, s->errors);
    sqlite3_bind_text(st, i++, s->errmsg, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, s->created_ns);
    sqlite3_bind_int64(st, i++, s->start_ns);
    sqlite3_bind_int64(st, i++, s->stop_ns);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->packets);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->bytes);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->kernel_drops);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->if_drops);
    sqlite3_bind_text(st, i++, s->base_rel, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, i++, s->continuous);
    sqlite3_bind_int64(st, i++, s->file_count);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->file_size);
    sqlite3_bind_text(st, i++, files, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->files_written);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)s->etag);
    sqlite3_bind_int64(st, i++, pw_now_wall_ns());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PW_ERR_IO;
    if (rc)
        m->cfg.log("state database: cannot save session '%s': %s", s->name, sqlite3_errmsg(m->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == 0)
        s->dirty = false;
out:
    free(files);
    free(props);
    return rc;
}

static int db_delete(struct pw_sessmgr *m, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db, "DELETE FROM sessions WHERE name = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return PW_ERR_IO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PW_ERR_IO;
    sqlite3_finalize(st);
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void link_session(struct pw_sessmgr *m, struct pw_session *s)
{
    s->next = NULL;
    if (m->tail)
        m->tail->next = s;
    else
        m->head = s;
    m->tail = s;
    m->count++;
}

/* After a crash the file list may lag behind the disk by up to a second:
 * keep what still exists and pick up numbered files opened since. */
static void reconcile_files(struct pw_sessmgr *m, struct pw_session *s)
{
    size_t w = 0;
    for (size_t i = 0; i < s->nfiles; i++) {
        if (pw_path_exists(m->root_fd, s->files[i]))
            s->files[w++] = s->files[i];
        else
            free(s->files[i]);
    }
    s->nfiles = w;
    if (s->continuous < 0)
        return;
    char rel[PW_MAX_CAPTURE_PATH + 16];
    for (uint64_t k = s->files_written + 1;; k++) {
        numbered_name(s->base_rel, k, rel, sizeof(rel));
        if (!pw_path_exists(m->root_fd, rel))
            break;
        if (files_push(s, rel))
            break;
        s->files_written = k;
        if (s->continuous == 1 && s->nfiles > s->file_count)
            files_drop_first(s);
    }
}

static int db_load(struct pw_sessmgr *m, struct pw_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->db,
                           "SELECT name, props, filter, status, stop_reason, errors, error_message,"
                           " created_ns, start_ns, stop_ns, packets, bytes, kernel_drops,"
                           " if_drops, base_rel, continuous, file_count, file_size, files,"
                           " files_written, etag, updated_ns FROM sessions ORDER BY created_ns",
                           -1, &st, NULL) != SQLITE_OK)
        return pw_error_set(err, PW_ERR_IO, "state database: %s", sqlite3_errmsg(m->db));
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct pw_session *s = calloc(1, sizeof(*s));
        if (!s) {
            rc = pw_error_set(err, PW_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(s->name, sizeof(s->name), "%s", col_text(st, 0));
        s->props = json_loads(col_text(st, 1), 0, NULL);
        if (!s->props)
            s->props = json_object();
        s->filter = strdup(col_text(st, 2));
        s->status = status_from(col_text(st, 3));
        s->stop_reason = reason_from(col_text(st, 4));
        s->errors = (unsigned)sqlite3_column_int64(st, 5);
        snprintf(s->errmsg, sizeof(s->errmsg), "%s", col_text(st, 6));
        s->created_ns = sqlite3_column_int64(st, 7);
        s->start_ns = sqlite3_column_int64(st, 8);
        s->stop_ns = sqlite3_column_int64(st, 9);
        s->packets = (uint64_t)sqlite3_column_int64(st, 10);
        s->bytes = (uint64_t)sqlite3_column_int64(st, 11);
        s->kernel_drops = (uint64_t)sqlite3_column_int64(st, 12);
        s->if_drops = (uint64_t)sqlite3_column_int64(st, 13);
        snprintf(s->base_rel, sizeof(s->base_rel), "%s", col_text(st, 14));
        s->continuous = sqlite3_column_int(st, 15);
        s->file_count = (uint32_t)sqlite3_column_int64(st, 16);
        s->file_size = (uint64_t)sqlite3_column_int64(st, 17);
        json_t *fl = json_loads(col_text(st, 18), 0, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(fl, i, v)
        {
            if (json_is_string(v))
                files_push(s, json_string_value(v));
        }
        json_decref(fl);
        s->files_written = (uint64_t)sqlite3_column_int64(st, 19);
        s->etag = (uint64_t)sqlite3_column_int64(st, 20);
        int64_t updated = sqlite3_column_int64(st, 21);
        if (s->status == PW_SESS_RUNNING || s->status == PW_SESS_NOT_STARTED) {
            /* The daemon died (or was stopped) under this session. Its
             * files end at the last flush and stay readable. */
            s->status = PW_SESS_STOPPED;
            s->stop_reason = PW_STOP_RESTART;
            s->errors |= PW_PCERR_AGENT_STOPPED;
            s->stop_ns = updated ? updated : pw_now_wall_ns();
            reconcile_files(m, s);
            s->etag++;
            s->dirty = true;
            m->cfg.log("session '%s' was running when the agent stopped: marked Stopped "
                       "(AgentRestart)",
                       s->name);
        }
        link_session(m, s);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = pw_error_set(err, PW_ERR_IO, "state database: %s", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    for (struct pw_session *s = m->head; s && rc == 0; s = s->next)
        if (s->dirty)
            db_save(m, s);
    return rc;
}

int pw_sessmgr_open(struct pw_sessmgr **out, const struct pw_sessmgr_cfg *cfg, struct pw_error *err)
{
    char path[PATH_MAX + 32], canon[PATH_MAX];
    int dfd = -1;
    *out = NULL;
    struct pw_sessmgr *m = calloc(1, sizeof(*m));
    if (!m)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    m->cfg = *cfg;
    if (!m->cfg.log)
        m->cfg.log = nolog;
    if (m->cfg.ring_timeout_ms <= 0)
        m->cfg.ring_timeout_ms = 100;
    m->lock_fd = m->root_fd = -1;
    int rc = pw_path_root_open(cfg->data_dir, &dfd, canon, sizeof(canon), err);
    if (rc)
        goto fail;
    close(dfd);
    /* One daemon per data directory: two would write the same files. */
    snprintf(path, sizeof(path), "%s/pktwatchd.lock", canon);
    m->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m->lock_fd < 0 || flock(m->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = pw_error_set(err, PW_ERR_IO, "%s: %s", path,
                          errno == EWOULDBLOCK ? "another pktwatchd uses this data directory"
                                               : strerror(errno));
        goto fail;
    }
    if (cfg->capture_root)
        snprintf(path, sizeof(path), "%s", cfg->capture_root);
    else
        snprintf(path, sizeof(path), "%s/captures", canon);
    rc = pw_path_root_open(path, &m->root_fd, m->root, sizeof(m->root), err);
    if (rc)
        goto fail;
    snprintf(path, sizeof(path), "%s/pktwatchd.db", canon);
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = pw_error_set(err, PW_ERR_IO, "%s: %s", path,
                          m->db ? sqlite3_errmsg(m->db) : "cannot open");
        goto fail;
    }
    char *emsg = NULL;
    if (sqlite3_exec(m->db, schema_sql, NULL, NULL, &emsg) != SQLITE_OK) {
        rc = pw_error_set(err, PW_ERR_IO, "%s: %s", path, emsg ? emsg : "schema error");
        sqlite3_free(emsg);
        goto fail;
    }
    if (sqlite3_prepare_v2(m->db,
                           "INSERT OR REPLACE INTO sessions (name, props, filter, status,"
                           " stop_reason, errors, error_message, created_ns, start_ns, stop_ns,"
                           " packets, bytes, kernel_drops, if_drops, base_rel, continuous,"
                           " file_count, file_size, files, files_written, etag, updated_ns)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &m->save_stmt, NULL) != SQLITE_OK) {
        rc = pw_error_set(err, PW_ERR_IO, "%s: %s", path, sqlite3_errmsg(m->db));
        goto fail;
    }
    rc = db_load(m, err);
    if (rc)
        goto fail;
    m->next_flush_mono = pw_now_mono_ns() + 1000000000LL;
    *out = m;
    return 0;
fail:
    pw_sessmgr_close(m);
    return rc;
}

const char *pw_sessmgr_root(const struct pw_sessmgr *m)
{
    return m->root;
}

int pw_sessmgr_root_fd(const struct pw_sessmgr *m)
{
    return m->root_fd;
}

struct pw_session *pw_sessmgr_first(struct pw_sessmgr *m)
{
    return m->head;
}

struct pw_session *pw_sessmgr_find(struct pw_sessmgr *m, const char *name)
{
    for (struct pw_session *s = m->head; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

unsigned pw_sessmgr_running(const struct pw_sessmgr *m)
{
    return m->running;
}

size_t pw_sessmgr_count(const struct pw_sessmgr *m)
{
    return m->count;
}

/* ---- capture files ---------------------------------------------------------- */

static void run_fail(struct pw_sess_run *r, unsigned bits, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void run_fail(struct pw_sess_run *r, unsigned bits, const char *fmt, ...)
{
    if (r->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fail_msg, sizeof(r->fail_msg), fmt, ap);
    va_end(ap);
    r->failed = true;
    r->fail_bits = bits;
}

static int file_flush(struct pw_sess_run *r)
{
    if (!r->dump)
        return 0;
    if (pcap_dump_flush(r->dump) != 0) {
        run_fail(r, PW_PCERR_LOCAL_FILE, "cannot write capture file: %s", strerror(errno));
        return PW_ERR_IO;
    }
    r->pending = 0;
    return 0;
}

static void file_close(struct pw_sess_run *r)
{
    if (r->dump) {
        file_flush(r);
        pcap_dump_close(r->dump); /* also closes the FILE and its fd */
        r->dump = NULL;
    }
}

/* Opens `rel` for a fresh capture file. Returns 0, PW_PATH_EXISTS or a
 * negative pw_err. */
static int file_open(struct pw_sessmgr *m, struct pw_session *s, const char *rel,
                     struct pw_error *err)
{
    struct pw_sess_run *r = s->run;
    int fd;
    int rc = pw_path_create(m->root_fd, rel, &fd, err);
    if (rc)
        return rc;
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        close(fd);
        pw_path_unlink(m->root_fd, rel, NULL);
        return pw_error_set(err, PW_ERR_IO, "fdopen: %s", strerror(errno));
    }
    /* Our own full buffer, before any output: see PW_CAPFILE_BUFFER. */
    setvbuf(fp, r->iobuf, _IOFBF, PW_CAPFILE_BUFFER);
    r->dump = pcap_dump_fopen(r->dead, fp);
    if (!r->dump) {
        fclose(fp);
        pw_path_unlink(m->root_fd, rel, NULL);
        return pw_error_set(err, PW_ERR_IO, "cannot start capture file: %s", pcap_geterr(r->dead));
    }
    r->cur_size = PCAP_FILE_HDR;
    r->cur_packets = 0;
    r->pending = PCAP_FILE_HDR;
    if (file_flush(r) || files_push(s, rel)) {
        pcap_dump_close(r->dump);
        r->dump = NULL;
        pw_path_unlink(m->root_fd, rel, NULL);
        return pw_error_set(err, PW_ERR_IO, "cannot write capture file header");
    }
    s->files_written++;
    s->dirty = true;
    return 0;
}

/* Closes the current numbered file and opens the next; in a ring, removes
 * the oldest beyond fileCount. */
static int file_rotate(struct pw_sessmgr *m, struct pw_session *s)
{
    struct pw_sess_run *r = s->run;
    char rel[PW_MAX_CAPTURE_PATH + 16];
    struct pw_error e;
    file_close(r);
    numbered_name(s->base_rel, s->files_written + 1, rel, sizeof(rel));
    int rc = file_open(m, s, rel, &e);
    if (rc) {
        if (rc == PW_PATH_EXISTS)
            run_fail(r, PW_PCERR_LOCAL_FILE, "capture file '%s' already exists", rel);
        else
            run_fail(r, PW_PCERR_LOCAL_FILE, "%s", e.msg);
        return PW_ERR_IO;
    }
    while (s->continuous == 1 && s->nfiles > s->file_count) {
        if (pw_path_unlink(m->root_fd, s->files[0], &e))
            m->cfg.log("session '%s': %s", s->name, e.msg);
        files_drop_first(s);
    }
    return 0;
}

static bool on_packet(void *user, const struct pw_cappkt *pkt)
{
    struct pw_sessmgr *m = ((void **)user)[0];
    struct pw_session *s = ((void **)user)[1];
    struct pw_sess_run *r = s->run;
    if (r->stop_now || r->failed)
        return false;
    if (pkt->ts_ns > r->cutoff_wall)
        return true; /* stamped after the stop: not part of this capture */
    uint64_t rec = PCAP_REC_HDR + pkt->caplen;
    if (s->continuous < 0) {
        if (r->total_limit && s->bytes + pkt->caplen > r->total_limit) {
            r->stop_now = true;
            r->stop_now_reason = PW_STOP_BYTES;
            return false;
        }
    } else if (r->cur_packets > 0 && r->cur_size + rec > s->file_size) {
        if (s->continuous == 0 && s->files_written >= s->file_count) {
            r->stop_now = true;
            r->stop_now_reason = PW_STOP_BYTES;
            return false;
        }
        if (file_rotate(m, s))
            return false;
    }
    /* Keep records whole on disk: flush before one that would not fit. */
    if (r->pending + rec > PW_CAPFILE_BUFFER && file_flush(r))
        return false;
    struct pcap_pkthdr h = {
        .ts = {.tv_sec = (time_t)(pkt->ts_ns / 1000000000LL),
               .tv_usec = (suseconds_t)(pkt->ts_ns % 1000000000LL / 1000)},
        .caplen = pkt->caplen,
        .len = pkt->len,
    };
    pcap_dump((u_char *)r->dump, &h, pkt->data);
    r->pending += rec;
    r->cur_size += rec;
    r->cur_packets++;
    s->packets++;
    s->bytes += pkt->caplen;
    s->dirty = true;
    return true;
}

static void update_stats(struct pw_session *s)
{
    struct pw_capsrc_stats st;
    struct pw_error e;
    if (s->run && s->run->src && pw_capsrc_stats(s->run->src, &st, &e) == 0) {
        if (st.dropped != s->kernel_drops || st.if_dropped != s->if_drops)
            s->dirty = true;
        s->kernel_drops = st.dropped;
        s->if_drops = st.if_dropped;
    }
}

static void run_free(struct pw_sessmgr *m, struct pw_session *s)
{
    struct pw_sess_run *r = s->run;
    if (!r)
        return;
    file_close(r);
    if (r->src) {
        pw_capsrc_stop(r->src);
        update_stats(s);
        pw_capsrc_free(r->src);
    }
    if (r->dead)
        pcap_close(r->dead);
    free(r->iobuf);
    free(r);
    s->run = NULL;
    m->running--;
}

static void finalize(struct pw_sessmgr *m, struct pw_session *s, enum pw_sess_status st,
                     enum pw_stop_reason reason)
{
    struct pw_sess_run *r = s->run;
    if (!r)
        return;
    if (r->failed) {
        st = PW_SESS_ERROR;
        reason = PW_STOP_ERROR;
        s->errors |= r->fail_bits;
        snprintf(s->errmsg, sizeof(s->errmsg), "%s", r->fail_msg);
    }
    run_free(m, s);
    s->status = st;
    s->stop_reason = reason;
    if (reason == PW_STOP_RESTART)
        s->errors |= PW_PCERR_AGENT_STOPPED;
    s->stop_ns = pw_now_wall_ns();
    s->etag++;
    db_save(m, s);
    m->cfg.log("session '%s' stopped: %s (%llu packets, %llu bytes)", s->name,
               pw_stop_reason_name(reason), (unsigned long long)s->packets,
               (unsigned long long)s->bytes);
}

static void begin_drain(struct pw_sessmgr *m, struct pw_session *s, enum pw_stop_reason reason,
                        int64_t cutoff_wall)
{
    struct pw_sess_run *r = s->run;
    if (!r || r->draining)
        return;
    r->draining = true;
    r->drain_reason = reason;
    if (cutoff_wall < r->cutoff_wall)
        r->cutoff_wall = cutoff_wall;
    r->drain_until_mono = pw_now_mono_ns() + DRAIN_NS(m->cfg.ring_timeout_ms);
}

/* ---- public operations ----------------------------------------------------- */

int pw_sessmgr_create(struct pw_sessmgr *m, const char *name, struct pw_capreq *req,
                      struct pw_session **out, struct pw_api_err *e)
{
    struct pw_error err;
    if (pw_sessmgr_find(m, name))
        return pw_api_err_set(e, 409, "AlreadyExists", "name",
                              "packet capture '%s' already exists; delete it first", name);
    if (m->count >= PW_MAX_STORED_SESSIONS)
        return pw_api_err_set(e, 409, "TooManySessions", "",
                              "%u sessions are stored; delete some first", PW_MAX_STORED_SESSIONS);
    if (m->running >= m->cfg.max_running)
        return pw_api_err_set(e, 409, "TooManySessions", "",
                              "%u sessions are already running (the agent's --max-sessions); "
                              "stop one first",
                              m->running);
    struct pw_session *s = calloc(1, sizeof(*s));
    struct pw_sess_run *r = calloc(1, sizeof(*r));
    if (!s || !r || !(r->iobuf = malloc(PW_CAPFILE_BUFFER)) || !(s->filter = strdup(req->filter))) {
        if (r)
            free(r->iobuf);
        free(r);
        session_free(s);
        return pw_api_err_set(e, 500, "InternalError", "", "out of memory");
    }
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->props = req->props;
    req->props = NULL;
    snprintf(s->base_rel, sizeof(s->base_rel), "%s", req->rel_path);
    s->continuous = req->continuous;
    s->file_count = req->file_count;
    s->file_size = req->file_size;
    s->status = PW_SESS_NOT_STARTED;
    s->created_ns = pw_now_wall_ns();
    s->etag = 1;
    s->run = r;
    m->running++; /* run_free() undoes this */
    r->cutoff_wall = INT64_MAX;
    r->total_limit = req->continuous < 0 ? req->total_bytes : 0;

    struct pw_capsrc_cfg cc = {
        .nifaces = req->nifaces,
        .snaplen = req->snaplen,
        .buffer_size = m->cfg.buffer_size,
        .timeout_ms = m->cfg.ring_timeout_ms,
        .promisc = m->cfg.promisc,
        .filter = req->filter,
    };
    for (size_t i = 0; i < req->nifaces; i++)
        cc.ifaces[i] = req->ifaces[i];
    int rc = pw_capsrc_new(&r->src, &pw_capsrc_pcap_ops, &cc, &err);
    if (rc == 0)
        rc = pw_capsrc_start(r->src, &err);
    if (rc) {
        bool filt = strncmp(err.msg, "filter:", 7) == 0;
        if (rc == PW_ERR_ARG)
            pw_api_err_set(e, 400, filt ? "InvalidFilter" : "InvalidTarget",
                           filt ? "properties.filters" : "properties.target", "%s: %s",
                           filt ? "properties.filters" : "properties.target", err.msg);
        else
            pw_api_err_set(e, 500, "CaptureFailed", "properties.target",
                           "cannot capture on '%s': %s",
                           json_string_value(json_object_get(s->props, "target")), err.msg);
        goto fail;
    }
    r->dead = pcap_open_dead(r->src->linktype, (int)r->src->snaplen);
    if (!r->dead) {
        pw_api_err_set(e, 500, "InternalError", "", "cannot create a savefile handle");
        goto fail;
    }
    char rel[PW_MAX_CAPTURE_PATH + 16];
    if (s->continuous < 0)
        snprintf(rel, sizeof(rel), "%s", s->base_rel);
    else
        numbered_name(s->base_rel, 1, rel, sizeof(rel));
    rc = file_open(m, s, rel, &err);
    if (rc == PW_PATH_EXISTS) {
        pw_api_err_set(e, 409, "FileExists", "properties.storageLocation",
                       "capture file '%s/%s' already exists; choose another path or delete it",
                       m->root, rel);
        goto fail;
    }
    if (rc) {
        pw_api_err_set(e, rc == PW_ERR_ARG ? 400 : 500,
                       rc == PW_ERR_ARG ? "InvalidPath" : "LocalFileFailed",
                       "properties.storageLocation", "properties.storageLocation: %s", err.msg);
        goto fail;
    }
    s->status = PW_SESS_RUNNING;
    s->start_ns = pw_now_wall_ns();
    int64_t now = pw_now_mono_ns();
    uint32_t limit = req->continuous < 0 ? req->time_limit : req->session_time;
    if (limit) {
        r->limit_ns = (int64_t)limit * 1000000000LL;
        r->deadline_mono = now + r->limit_ns;
        r->deadline_reason = req->continuous < 0 ? PW_STOP_TIME : PW_STOP_SESSION_TIME;
    }
    if (db_save(m, s)) {
        pw_api_err_set(e, 500, "InternalError", "", "cannot save session state");
        goto fail;
    }
    link_session(m, s);
    *out = s;
    m->cfg.log("session '%s' started on %s (filter: %s)", s->name,
               json_string_value(json_object_get(s->props, "target")),
               s->filter[0] ? s->filter : "none");
    return 0;
fail:
    if (s->run && s->run->dump) {
        file_close(s->run);
        for (size_t i = 0; i < s->nfiles; i++)
            pw_path_unlink(m->root_fd, s->files[i], NULL);
    }
    run_free(m, s);
    session_free(s);
    return -1;
}

int pw_sessmgr_stop(struct pw_sessmgr *m, struct pw_session *s)
{
    if (!s->run)
        return 0;
    begin_drain(m, s, PW_STOP_MANUAL, pw_now_wall_ns());
    return 1;
}

int pw_sessmgr_delete(struct pw_sessmgr *m, struct pw_session *s, bool delete_files,
                      struct pw_api_err *e)
{
    int rc = 0;
    finalize(m, s, PW_SESS_STOPPED, PW_STOP_MANUAL);
    if (db_delete(m, s->name) != 0)
        return pw_api_err_set(e, 500, "InternalError", "", "cannot delete session state: %s",
                              sqlite3_errmsg(m->db));
    if (delete_files) {
        for (size_t i = 0; i < s->nfiles; i++) {
            struct pw_error err;
            if (pw_path_unlink(m->root_fd, s->files[i], &err) && rc == 0)
                rc = pw_api_err_set(e, 500, "LocalFileFailed", "", "session deleted, but %s",
                                    err.msg);
        }
    }
    struct pw_session **pp = &m->head, *prev = NULL;
    while (*pp && *pp != s) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = s->next;
        if (m->tail == s)
            m->tail = prev;
        m->count--;
    }
    m->cfg.log("session '%s' deleted%s", s->name, delete_files ? " with its files" : "");
    session_free(s);
    return rc;
}

void pw_sessmgr_refresh(struct pw_sessmgr *m, struct pw_session *s)
{
    (void)m;
    update_stats(s);
}

size_t pw_sessmgr_pollfds(struct pw_sessmgr *m, struct pollfd *pfd, struct pw_session **owner,
                          size_t cap)
{
    size_t n = 0;
    for (struct pw_session *s = m->head; s; s = s->next) {
        if (!s->run || !s->run->src)
            continue;
        for (size_t i = 0; i < s->run->src->nfds && n < cap; i++) {
            pfd[n] = (struct pollfd){.fd = s->run->src->fds[i], .events = POLLIN};
            owner[n++] = s;
        }
    }
    return n;
}

static void read_session(struct pw_sessmgr *m, struct pw_session *s)
{
    struct pw_sess_run *r = s->run;
    void *ctx[2] = {m, s};
    struct pw_error e;
    for (int round = 0; round < READ_ROUNDS && !r->stop_now && !r->failed; round++) {
        int n = pw_capsrc_read(r->src, READ_BATCH, on_packet, ctx, &e);
        if (n < 0) {
            run_fail(r, PW_PCERR_CAPTURE_FAILED, "%s", e.msg);
            break;
        }
        if (n == 0)
            break;
    }
}

void pw_sessmgr_service(struct pw_sessmgr *m, struct pw_session *s)
{
    if (!s->run)
        return;
    read_session(m, s);
    if (s->run->failed)
        finalize(m, s, PW_SESS_ERROR, PW_STOP_ERROR);
    else if (s->run->stop_now)
        finalize(m, s, PW_SESS_STOPPED, s->run->stop_now_reason);
}

void pw_sessmgr_tick(struct pw_sessmgr *m)
{
    int64_t now = pw_now_mono_ns();
    bool second = now >= m->next_flush_mono;
    if (second)
        m->next_flush_mono = now + 1000000000LL;
    bool in_tx = false;
    for (struct pw_session *s = m->head; s; s = s->next) {
        struct pw_sess_run *r = s->run;
        if (r) {
            if (r->deadline_mono && now >= r->deadline_mono && !r->draining)
                begin_drain(m, s, r->deadline_reason, s->start_ns + r->limit_ns);
            if (r->draining) {
                read_session(m, s);
                if (r->failed)
                    finalize(m, s, PW_SESS_ERROR, PW_STOP_ERROR);
                else if (r->stop_now)
                    finalize(m, s, PW_SESS_STOPPED, r->stop_now_reason);
                else if (now >= r->drain_until_mono)
                    finalize(m, s, PW_SESS_STOPPED, r->drain_reason);
            } else if (second) {
                if (file_flush(r))
                    finalize(m, s, PW_SESS_ERROR, PW_STOP_ERROR);
                else
                    update_stats(s);
            }
        }
        if (second && s->dirty) {
            if (!in_tx) {
                sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL);
                in_tx = true;
            }
            db_save(m, s);
        }
    }
    if (in_tx)
        sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL);
}

int pw_sessmgr_timeout_ms(struct pw_sessmgr *m)
{
    int64_t now = pw_now_mono_ns();
    int64_t next = m->next_flush_mono;
    for (struct pw_session *s = m->head; s; s = s->next) {
        struct pw_sess_run *r = s->run;
        if (!r)
            continue;
        if (r->draining) {
            /* Read often while draining: blocks arrive on their timeouts. */
            int64_t t = now + 20000000LL;
            if (t < next)
                next = t;
        } else if (r->deadline_mono && r->deadline_mono < next) {
            next = r->deadline_mono;
        }
    }
    int64_t ms = (next - now + 999999) / 1000000;
    return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

void pw_sessmgr_close(struct pw_sessmgr *m)
{
    if (!m)
        return;
    struct pw_session *s = m->head;
    while (s) {
        struct pw_session *next = s->next;
        if (s->run && m->save_stmt)
            finalize(m, s, PW_SESS_STOPPED, PW_STOP_RESTART);
        else if (s->run)
            run_free(m, s);
        session_free(s);
        s = next;
    }
    if (m->save_stmt)
        sqlite3_finalize(m->save_stmt);
    if (m->db)
        sqlite3_close(m->db);
    if (m->root_fd >= 0)
        close(m->root_fd);
    if (m->lock_fd >= 0)
        close(m->lock_fd);
    free(m);
}
