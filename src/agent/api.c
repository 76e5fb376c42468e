/* REST handlers. See api.h; the resource model follows the reference
 * service's packetCaptures (docs/AGENT.md lists the differences). */
#include "agent/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/analysis.h"
#include "agent/paths.h"
#include "agent/request.h"
#include "util/limits.h"

/* Files one download streams at most (each is an open descriptor for the
 * length of the transfer); a larger ring set is served newest-last. */
#define DL_MAX_FILES 256u
#define DL_BLOCK (64u * 1024u)
/* Analyses running at once (each a worker thread with its own flow tables,
 * classifier and result document, whose size follows the connections in the
 * capture: about 1 GB for one of 90,000 connections); more is a 503. */
#define MAX_ANALYSES 1u

static const char *const q_plain[] = {"api-version", NULL};
static const char *const q_delete[] = {"api-version", "deleteFiles", NULL};

const struct pw_route pw_api_routes[] = {
    {"GET", "/packetCaptures", PW_R_LIST, false, q_plain},
    {"PUT", "/packetCaptures/{packetCaptureName}", PW_R_CREATE, true, q_plain},
    {"GET", "/packetCaptures/{packetCaptureName}", PW_R_GET, false, q_plain},
    {"DELETE", "/packetCaptures/{packetCaptureName}", PW_R_DELETE, false, q_delete},
    {"POST", "/packetCaptures/{packetCaptureName}/stop", PW_R_STOP, false, q_plain},
    {"POST", "/packetCaptures/{packetCaptureName}/queryStatus", PW_R_STATUS, false, q_plain},
    {"GET", "/packetCaptures/{packetCaptureName}/file", PW_R_FILE, false, q_plain},
    {"GET", "/packetCaptures/{packetCaptureName}/analysis", PW_R_ANALYSIS, false, q_plain},
};
const size_t pw_api_nroutes = sizeof(pw_api_routes) / sizeof(pw_api_routes[0]);

struct job;

struct pw_api {
    struct MHD_Daemon *d;
    struct job *jobs; /* analyses not yet answered */
    unsigned njobs;
    atomic_bool cancel; /* set at shutdown: running analyses stop early */
    struct pw_sessmgr *m;
    char *token;
    size_t token_len;
    unsigned port;
    void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
    time_t log_window;
    unsigned log_count, log_dropped;
};

/* Per-request state, from the first call of the access handler to the
 * completion callback. */
struct conn {
    const struct pw_route *route;
    char name[PW_MAX_SESSION_NAME + 1];
    char *body;
    size_t len;
    bool too_big;
    bool delete_files;
    struct pw_api_err qerr; /* first bad query parameter, if any */
    bool qbad;
    struct job *job; /* GET .../analysis: the suspended request's worker */
};

static void nolog(const char *fmt, ...)
{
    (void)fmt;
}

/* ---- listen address --------------------------------------------------------- */

bool pw_api_parse_listen(const char *s, char *host, size_t host_cap, unsigned *port)
{
    const char *colon;
    size_t hl;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return false;
        hl = (size_t)(rb - s - 1);
        if (hl == 0 || hl >= host_cap)
            return false;
        memcpy(host, s + 1, hl);
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return false;
        hl = (size_t)(colon - s);
        if (hl == 0 || hl >= host_cap || memchr(s, ':', hl))
            return false;
        memcpy(host, s, hl);
    }
    host[hl] = '\0';
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || p > 65535)
        return false;
    *port = (unsigned)p;
    return true;
}

bool pw_api_listen_is_loopback(const char *s)
{
    char host[64];
    unsigned port;
    struct in_addr a4;
    struct in6_addr a6;
    if (!pw_api_parse_listen(s, host, sizeof(host), &port))
        return false;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* ---- JSON documents ----------------------------------------------------------- */

static json_t *iso_time(int64_t ns)
{
    char buf[48];
    time_t sec = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(ns % 1000000000LL / 1000000));
    return json_string(buf);
}

static void set_id(json_t *o, const struct pw_session *s)
{
    char id[PW_MAX_SESSION_NAME + 32];
    snprintf(id, sizeof(id), "/packetCaptures/%s", s->name);
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "id", json_string(id));
}

json_t *pw_api_result_json(struct pw_sessmgr *m, const struct pw_session *s)
{
    (void)m;
    json_t *o = json_object();
    char etag[32];
    set_id(o, s);
    snprintf(etag, sizeof(etag), "W/\"%llu\"", (unsigned long long)s->etag);
    json_object_set_new(o, "etag", json_string(etag));
    json_t *p = json_deep_copy(s->props);
    if (!p)
        p = json_object();
    json_object_set_new(p, "provisioningState", json_string("Succeeded"));
    json_object_set_new(p, "effectiveFilter", json_string(s->filter ? s->filter : ""));
    json_object_set_new(o, "properties", p);
    return o;
}

json_t *pw_api_status_json(struct pw_sessmgr *m, const struct pw_session *s)
{
    json_t *o = json_object();
    set_id(o, s);
    if (s->start_ns)
        json_object_set_new(o, "captureStartTime", iso_time(s->start_ns));
    if (s->stop_ns)
        json_object_set_new(o, "captureStopTime", iso_time(s->stop_ns));
    json_object_set_new(o, "packetCaptureStatus", json_string(pw_sess_status_name(s->status)));
    const char *reason = pw_stop_reason_name(s->stop_reason);
    if (reason && !s->run)
        json_object_set_new(o, "stopReason", json_string(reason));
    json_t *errs = json_array();
    for (unsigned i = 0; i < PW_PCERR_COUNT; i++)
        if (s->errors & (1u << i))
            json_array_append_new(errs, json_string(pw_pcerr_name(i)));
    json_object_set_new(o, "packetCaptureError", errs);
    if (s->errmsg[0])
        json_object_set_new(o, "errorMessage", json_string(s->errmsg));
    json_object_set_new(o, "packetsCaptured", json_integer((json_int_t)s->packets));
    json_object_set_new(o, "bytesCaptured", json_integer((json_int_t)s->bytes));
    json_object_set_new(o, "packetsDroppedByKernel", json_integer((json_int_t)s->kernel_drops));
    json_object_set_new(o, "packetsDroppedByInterface", json_integer((json_int_t)s->if_drops));
    json_object_set_new(o, "filesWritten", json_integer((json_int_t)s->files_written));
    json_t *files = json_array();
    const char *root = m ? pw_sessmgr_root(m) : "";
    for (size_t i = 0; i < s->nfiles; i++) {
        char abs[PATH_MAX + PW_MAX_CAPTURE_PATH + 2];
        json_t *f = json_object();
        snprintf(abs, sizeof(abs), "%s/%s", root, s->files[i]);
        json_object_set_new(f, "path", json_string(abs));
        int fd;
        struct stat st;
        long long size = -1;
        if (m && pw_path_open_read(pw_sessmgr_root_fd(m), s->files[i], &fd, NULL) == 0) {
            if (fstat(fd, &st) == 0)
                size = (long long)st.st_size;
            close(fd);
        }
        if (size >= 0)
            json_object_set_new(f, "sizeInBytes", json_integer(size));
        else
            json_object_set_new(f, "sizeInBytes", json_null());
        json_array_append_new(files, f);
    }
    json_object_set_new(o, "files", files);
    return o;
}

json_t *pw_api_error_json(const struct pw_api_err *e)
{
    json_t *in = json_object();
    json_object_set_new(in, "code", json_string(e->code));
    json_object_set_new(in, "message", json_string(e->msg));
    if (e->target[0])
        json_object_set_new(in, "target", json_string(e->target));
    json_t *o = json_object();
    json_object_set_new(o, "error", in);
    return o;
}

/* ---- responses ---------------------------------------------------------------- */

/* `j` (consumed) as compact JSON text plus a newline (it makes curl output
 * readable and is valid JSON whitespace); NULL when j is NULL or memory is
 * short. */
static char *dump_json(json_t *j, size_t *len)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    *len = text ? strlen(text) : 0;
    if (text) {
        char *t2 = realloc(text, *len + 2);
        if (t2) {
            text = t2;
            text[(*len)++] = '\n';
            text[*len] = '\0';
        }
    }
    return text;
}

/* Queues `text` (JSON, freed here; NULL for an empty body) with one
 * optional extra header. */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, char *text, size_t len,
                                 const char *hname, const char *hval)
{
    struct MHD_Response *r =
        text ? MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (hname && hval)
        MHD_add_response_header(r, hname, hval);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queues `j` (consumed; NULL for an empty body) with one optional extra
 * header. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j,
                                 const char *hname, const char *hval)
{
    size_t len;
    char *text = dump_json(j, &len);
    if (j && !text)
        return MHD_NO;
    return send_text(c, status, text, len, hname, hval);
}

static enum MHD_Result send_err(struct MHD_Connection *c, const struct pw_api_err *e)
{
    return send_json(c, (unsigned)e->status, pw_api_error_json(e), NULL, NULL);
}

static enum MHD_Result send_errf(struct MHD_Connection *c, int status, const char *code,
                                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result send_errf(struct MHD_Connection *c, int status, const char *code,
                                 const char *fmt, ...)
{
    struct pw_api_err e = {.status = status};
    va_list ap;
    snprintf(e.code, sizeof(e.code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    return send_err(c, &e);
}

/* ---- routing --------------------------------------------------------------------- */

/* Matches `url` against a route template; copies the name segment. */
static bool route_match(const char *tmpl, const char *url, char *name, size_t name_cap,
                        bool *name_too_long)
{
    while (*tmpl && *url) {
        if (*tmpl == '{') {
            const char *te = strchr(tmpl, '}');
            const char *ue = strchr(url, '/');
            size_t n = ue ? (size_t)(ue - url) : strlen(url);
            if (!te || n == 0)
                return false;
            if (n >= name_cap) {
                *name_too_long = true;
                n = name_cap - 1;
            }
            memcpy(name, url, n);
            name[n] = '\0';
            tmpl = te + 1;
            url = ue ? ue : url + strlen(url);
            continue;
        }
        if (*tmpl != *url)
            return false;
        tmpl++;
        url++;
    }
    return !*tmpl && !*url;
}

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct conn *cn = cls;
    if (cn->qbad)
        return MHD_NO;
    for (const char *const *q = cn->route->query; *q; q++) {
        if (strcmp(*q, key) != 0)
            continue;
        if (strcmp(key, "deleteFiles") == 0) {
            if (value && strcmp(value, "true") == 0) {
                cn->delete_files = true;
            } else if (!value || strcmp(value, "false") != 0) {
                pw_api_err_set(&cn->qerr, 400, "InvalidQuery", "deleteFiles",
                               "deleteFiles must be true or false");
                cn->qbad = true;
                return MHD_NO;
            }
        }
        return MHD_YES;
    }
    pw_api_err_set(&cn->qerr, 400, "InvalidQuery", "", "unknown query parameter '%.64s'", key);
    cn->qbad = true;
    return MHD_NO;
}

/* Constant-time comparison: the time taken depends only on the length of
 * the expected token, never on how much of the given one matches. */
static bool token_ok(const struct pw_api *api, const char *given)
{
    if (!given)
        return false;
    size_t glen = strlen(given);
    volatile unsigned char diff = glen != api->token_len;
    for (size_t i = 0; i < api->token_len; i++) {
        unsigned char g = i < glen ? (unsigned char)given[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)api->token[i]);
    }
    return diff == 0;
}

static bool authorized(const struct pw_api *api, struct MHD_Connection *c)
{
    if (!api->token)
        return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    return token_ok(api, h);
}

/* ---- download ---------------------------------------------------------------------- */

/* The capture as one pcap: the first file whole, the following ones
 * without their 24-byte file header (all files of a session share it).
 * Sizes are taken when the download starts; since the writer only ever
 * puts whole records on disk, that snapshot ends at a record boundary. */
struct dl {
    size_t n;
    uint64_t total;
    struct dlfile {
        int fd;
        uint64_t skip, len; /* bytes served: [skip, skip + len) */
    } f[];
};

static void dl_free(void *cls)
{
    struct dl *d = cls;
    for (size_t i = 0; i < d->n; i++)
        close(d->f[i].fd);
    free(d);
}

static ssize_t dl_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct dl *d = cls;
    if (pos >= d->total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    for (size_t i = 0; i < d->n; i++) {
        if (pos >= d->f[i].len) {
            pos -= d->f[i].len;
            continue;
        }
        uint64_t left = d->f[i].len - pos;
        size_t want = left < max ? (size_t)left : max;
        ssize_t got = pread(d->f[i].fd, buf, want, (off_t)(d->f[i].skip + pos));
        if (got <= 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return got;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/* The capture as GET .../file serves it: the newest DL_MAX_FILES files,
 * oldest first, each file after the first without its 24-byte header, with
 * sizes taken now. Files removed by hand or shorter than a header are left
 * out. Fills seg[] (capacity DL_MAX_FILES) and, when `files` is not NULL,
 * appends {path, sizeInBytes} for each file used. Returns the count. */
static size_t open_capture(struct pw_api *api, const struct pw_session *s, struct pw_segment *seg,
                           json_t *files)
{
    size_t first = s->nfiles > DL_MAX_FILES ? s->nfiles - DL_MAX_FILES : 0, n = 0;
    const char *root = pw_sessmgr_root(api->m);
    for (size_t i = first; i < s->nfiles; i++) {
        int fd;
        struct stat st;
        struct pw_error e;
        if (pw_path_open_read(pw_sessmgr_root_fd(api->m), s->files[i], &fd, &e) != 0)
            continue; /* removed by hand: serve the rest */
        if (fstat(fd, &st) != 0 || st.st_size < 24) {
            close(fd);
            continue;
        }
        uint64_t skip = n ? 24 : 0;
        seg[n++] = (struct pw_segment){.fd = fd, .off = skip, .len = (uint64_t)st.st_size - skip};
        if (files) {
            char abs[PATH_MAX + PW_MAX_CAPTURE_PATH + 2];
            snprintf(abs, sizeof(abs), "%s/%s", root, s->files[i]);
            json_t *f = json_object();
            json_object_set_new(f, "path", json_string(abs));
            json_object_set_new(f, "sizeInBytes", json_integer((json_int_t)st.st_size));
            json_array_append_new(files, f);
        }
    }
    return n;
}

static enum MHD_Result h_file(struct pw_api *api, struct MHD_Connection *c, struct pw_session *s)
{
    if (s->nfiles == 0)
        return send_errf(c, 404, "NoCaptureFile", "packet capture '%s' has no capture file",
                         s->name);
    struct pw_segment *seg = calloc(DL_MAX_FILES, sizeof(*seg));
    size_t n = seg ? open_capture(api, s, seg, NULL) : 0;
    struct dl *d = n ? calloc(1, sizeof(*d) + n * sizeof(d->f[0])) : NULL;
    if (!d) {
        for (size_t i = 0; i < n; i++)
            close(seg[i].fd);
        free(seg);
        if (!n)
            return send_errf(c, 404, "NoCaptureFile", "the capture files of '%s' are gone",
                             s->name);
        return send_errf(c, 500, "InternalError", "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        d->f[i] = (struct dlfile){.fd = seg[i].fd, .skip = seg[i].off, .len = seg[i].len};
        d->total += seg[i].len;
    }
    d->n = n;
    free(seg);
    struct MHD_Response *r =
        MHD_create_response_from_callback(d->total, DL_BLOCK, dl_read, d, dl_free);
    if (!r) {
        dl_free(d);
        return MHD_NO;
    }
    char disp[PW_MAX_SESSION_NAME + 48];
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s.pcap\"", s->name);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/vnd.tcpdump.pcap");
    MHD_add_response_header(r, "Content-Disposition", disp);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- analysis ------------------------------------------------------------------------ */

json_t *pw_api_analysis_head(const struct pw_session *s, json_t *files)
{
    bool running = s->status == PW_SESS_RUNNING || s->status == PW_SESS_NOT_STARTED;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "packetCaptureStatus", json_string(pw_sess_status_name(s->status)));
    json_object_set_new(o, "complete", json_boolean(!running));
    json_object_set_new(o, "files", files);
    return o;
}

json_t *pw_api_analysis_json(json_t *head, json_t *part)
{
    bool complete = json_is_true(json_object_get(head, "complete"));
    json_object_update(head, part);
    json_decref(part);
    if (!complete) {
        json_t *w = json_object_get(head, "warnings");
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "the capture is still running: the analysis covers the %lld bytes written "
                 "when it began",
                 (long long)json_integer_value(json_object_get(head, "bytesAnalysed")));
        json_array_insert_new(w, 0, json_string(msg));
    }
    return head;
}

/* GET .../analysis runs on a worker thread, so that the event loop keeps
 * capturing and answering while a large capture is read: the request is
 * suspended, the worker reads the descriptors opened here (a snapshot of the
 * sizes, like a download), and resumes the request when done; the access
 * handler is then called again and answers (job_answer). */
struct job {
    struct pw_api *api;
    struct MHD_Connection *c;
    pthread_t th;
    bool started, joined;
    atomic_bool done;
    struct pw_segment seg[DL_MAX_FILES];
    size_t nseg;
    char label[PW_MAX_SESSION_NAME + 8];
    json_t *head; /* name, status, files: taken on the loop thread */
    char *text;   /* the worker's result, serialised there, or NULL with err */
    size_t len;
    struct pw_error err;
    struct job *next;
};

static void *job_main(void *arg)
{
    struct job *j = arg;
    /* Captures come first: the analysis gets what CPU they leave. */
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
    struct pw_analysis_in in = {j->seg, j->nseg, j->label, &j->api->cancel};
    json_t *part = pw_agent_analysis_json(&in, &j->err);
    if (part) {
        /* Serialised here too: a document of many connections takes a
         * while to write, and its tree is freed before the answer. */
        json_t *doc = pw_api_analysis_json(j->head, part);
        j->head = NULL;
        if (!(j->text = dump_json(doc, &j->len)))
            pw_error_set(&j->err, PW_ERR_NOMEM, "out of memory writing the analysis");
    }
    for (size_t i = 0; i < j->nseg; i++)
        close(j->seg[i].fd);
    j->nseg = 0;
    atomic_store(&j->done, true);
    MHD_resume_connection(j->c);
    return NULL;
}

static void job_free(struct pw_api *api, struct job *j)
{
    if (!j)
        return;
    if (j->started && !j->joined)
        pthread_join(j->th, NULL);
    for (struct job **p = &api->jobs; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            api->njobs--;
            break;
        }
    for (size_t i = 0; i < j->nseg; i++)
        close(j->seg[i].fd);
    json_decref(j->head);
    free(j->text);
    free(j);
}

static enum MHD_Result h_analysis(struct pw_api *api, struct MHD_Connection *c, struct conn *cn,
                                  struct pw_session *s)
{
    if (s->nfiles == 0) {
        if (s->status == PW_SESS_NOT_STARTED || s->status == PW_SESS_RUNNING)
            return send_errf(c, 409, "NoCaptureFileYet",
                             "packet capture '%s' has not written a capture file yet", s->name);
        return send_errf(c, 404, "NoCaptureFile", "packet capture '%s' has no capture file",
                         s->name);
    }
    if (api->njobs >= MAX_ANALYSES) {
        struct pw_api_err e;
        pw_api_err_set(&e, 503, "TooManyAnalyses", "",
                       "an analysis is running; try again when it has finished");
        return send_json(c, 503, pw_api_error_json(&e), "Retry-After", "5");
    }
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return send_errf(c, 500, "InternalError", "out of memory");
    j->api = api;
    j->c = c;
    j->next = api->jobs;
    api->jobs = j;
    api->njobs++;
    snprintf(j->label, sizeof(j->label), "%s.pcap", s->name);
    json_t *files = json_array();
    j->nseg = open_capture(api, s, j->seg, files);
    if (j->nseg == 0) {
        json_decref(files);
        job_free(api, j);
        return send_errf(c, 404, "NoCaptureFile", "the capture files of '%s' are gone", s->name);
    }
    pw_sessmgr_refresh(api->m, s);
    j->head = pw_api_analysis_head(s, files);
    /* Suspend before the worker can resume. */
    MHD_suspend_connection(c);
    cn->job = j;
    if (pthread_create(&j->th, NULL, job_main, j) != 0) {
        pw_error_set(&j->err, PW_ERR_NOMEM, "cannot start the analysis thread");
        atomic_store(&j->done, true);
        MHD_resume_connection(c);
        return MHD_YES;
    }
    j->started = true;
    return MHD_YES;
}

/* The resumed request: answer with the worker's result. */
static enum MHD_Result job_answer(struct pw_api *api, struct MHD_Connection *c, struct conn *cn)
{
    struct job *j = cn->job;
    if (!atomic_load(&j->done))
        return MHD_YES; /* not ours to answer yet */
    if (j->started && !j->joined) {
        pthread_join(j->th, NULL);
        j->joined = true;
    }
    enum MHD_Result ret;
    if (j->text) {
        ret = send_text(c, 200, j->text, j->len, NULL, NULL);
        j->text = NULL;
    } else {
        switch (j->err.code) {
        case PW_ERR_LIMIT:
            ret = send_errf(c, 503, "ShuttingDown", "the agent is stopping: %s", j->err.msg);
            break;
        case PW_ERR_FORMAT:
        case PW_ERR_CUT_SHORT:
            ret = send_errf(c, 500, "UnreadableCapture", "the capture cannot be analysed: %s",
                            j->err.msg);
            break;
        default: ret = send_errf(c, 500, "AnalysisFailed", "%s", j->err.msg); break;
        }
    }
    cn->job = NULL;
    job_free(api, j);
    return ret;
}

static enum MHD_Result dispatch(struct pw_api *api, struct MHD_Connection *c, struct conn *cn)
{
    struct pw_api_err e = {0};
    struct pw_session *s = NULL;
    const struct pw_route *rt = cn->route;
    if (!rt->takes_body && cn->len) {
        for (size_t i = 0; i < cn->len; i++)
            if (!strchr(" \t\r\n", cn->body[i]))
                return send_errf(c, 400, "UnexpectedBody", "%s %s takes no request body",
                                 rt->method, rt->path);
    }
    if (rt->id != PW_R_LIST && rt->id != PW_R_CREATE) {
        s = pw_sessmgr_find(api->m, cn->name);
        if (!s)
            return send_errf(c, 404, "NotFound", "packet capture '%s' does not exist", cn->name);
    }
    switch (rt->id) {
    case PW_R_LIST: {
        json_t *arr = json_array();
        for (struct pw_session *x = pw_sessmgr_first(api->m); x; x = x->next)
            json_array_append_new(arr, pw_api_result_json(api->m, x));
        json_t *o = json_object();
        json_object_set_new(o, "value", arr);
        return send_json(c, 200, o, NULL, NULL);
    }
    case PW_R_CREATE: {
        struct pw_capreq req;
        if (pw_capreq_parse(cn->body ? cn->body : "", cn->len, cn->name, pw_sessmgr_root(api->m),
                            &req, &e) != 0)
            return send_err(c, &e);
        int rc = pw_sessmgr_create(api->m, cn->name, &req, &s, &e);
        pw_capreq_clear(&req);
        if (rc)
            return send_err(c, &e);
        return send_json(c, 201, pw_api_result_json(api->m, s), NULL, NULL);
    }
    case PW_R_GET: return send_json(c, 200, pw_api_result_json(api->m, s), NULL, NULL);
    case PW_R_DELETE:
        if (pw_sessmgr_delete(api->m, s, cn->delete_files, &e) != 0)
            return send_err(c, &e);
        return send_json(c, 204, NULL, NULL, NULL);
    case PW_R_STOP: {
        int draining = pw_sessmgr_stop(api->m, s);
        char loc[PW_MAX_SESSION_NAME + 48];
        snprintf(loc, sizeof(loc), "/packetCaptures/%s/queryStatus", s->name);
        pw_sessmgr_refresh(api->m, s);
        return send_json(c, draining ? 202 : 200, pw_api_status_json(api->m, s),
                         MHD_HTTP_HEADER_LOCATION, draining ? loc : NULL);
    }
    case PW_R_STATUS:
        pw_sessmgr_refresh(api->m, s);
        return send_json(c, 200, pw_api_status_json(api->m, s), NULL, NULL);
    case PW_R_FILE: return h_file(api, c, s);
    case PW_R_ANALYSIS: return h_analysis(api, c, cn, s);
    }
    return send_errf(c, 500, "InternalError", "unhandled route");
}

/* First call for a request: authentication, routing and cheap checks, all
 * before any of the body is read. Returns true when a response was queued. */
static bool first_call(struct pw_api *api, struct MHD_Connection *c, struct conn *cn,
                       const char *url, const char *method, enum MHD_Result *ret)
{
    if (!authorized(api, c)) {
        struct pw_api_err e;
        pw_api_err_set(&e, 401, "Unauthorized", "", "missing or wrong bearer token");
        *ret = send_json(c, MHD_HTTP_UNAUTHORIZED, pw_api_error_json(&e),
                         MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"pktwatchd\"");
        return true;
    }
    bool path_known = false, too_long = false;
    char allow[64] = "";
    size_t al = 0;
    for (size_t i = 0; i < pw_api_nroutes; i++) {
        /* A name that does not fit is flagged, never silently cut. */
        char name[sizeof(cn->name)];
        bool tl = false;
        name[0] = '\0';
        if (!route_match(pw_api_routes[i].path, url, name, sizeof(name), &tl))
            continue;
        path_known = true;
        al += (size_t)snprintf(allow + al, sizeof(allow) - al, "%s%s", al ? ", " : "",
                               pw_api_routes[i].method);
        if (al >= sizeof(allow))
            al = sizeof(allow) - 1;
        if (strcmp(pw_api_routes[i].method, method) == 0) {
            cn->route = &pw_api_routes[i];
            too_long = tl;
            memcpy(cn->name, name, sizeof(cn->name));
        }
    }
    if (!path_known) {
        *ret = send_errf(c, 404, "NotFound", "no such resource: %.200s", url);
        return true;
    }
    if (!cn->route) {
        struct pw_api_err e;
        pw_api_err_set(&e, 405, "MethodNotAllowed", "", "%.16s is not allowed here; allowed: %s",
                       method, allow);
        *ret = send_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, pw_api_error_json(&e),
                         MHD_HTTP_HEADER_ALLOW, allow);
        return true;
    }
    struct pw_api_err e;
    if (cn->route->id != PW_R_LIST && (too_long || !pw_capreq_name_ok(cn->name, &e))) {
        if (too_long)
            pw_api_err_set(&e, 400, "InvalidName", "name",
                           "session name must be 1 to %u characters long", PW_MAX_SESSION_NAME);
        *ret = send_err(c, &e);
        return true;
    }
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_query_arg, cn);
    if (cn->qbad) {
        *ret = send_err(c, &cn->qerr);
        return true;
    }
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > PW_MAX_API_BODY) {
        *ret = send_errf(c, 413, "RequestTooLarge", "request body is larger than %u bytes",
                         PW_MAX_API_BODY);
        return true;
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct pw_api *api = cls;
    struct conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof(*cn));
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        enum MHD_Result ret;
        if (first_call(api, c, cn, url, method, &ret)) {
            cn->route = NULL; /* responded: ignore any body */
            cn->too_big = true;
            return ret;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Bodies are kept up to the cap; beyond it they are read and
         * dropped so that memory stays bounded whatever the client sends. */
        if (!cn->too_big) {
            if (cn->len + *upload_data_size > PW_MAX_API_BODY) {
                cn->too_big = true;
                free(cn->body);
                cn->body = NULL;
                cn->len = 0;
            } else {
                char *nb = realloc(cn->body, cn->len + *upload_data_size + 1);
                if (!nb)
                    return MHD_NO;
                memcpy(nb + cn->len, upload_data, *upload_data_size);
                cn->body = nb;
                cn->len += *upload_data_size;
                cn->body[cn->len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!cn->route)
        return MHD_YES; /* a response was queued at the first call */
    if (cn->job)
        return job_answer(api, c, cn);
    if (cn->too_big)
        return send_errf(c, 413, "RequestTooLarge", "request body is larger than %u bytes",
                         PW_MAX_API_BODY);
    return dispatch(api, c, cn);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    struct conn *cn = *con_cls;
    if (cn) {
        job_free(cls, cn->job);
        free(cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

/* libmicrohttpd reports every malformed request; a flood of them must not
 * become a flood of log lines, so at most LOG_BURST messages are written per
 * LOG_WINDOW seconds and the rest are counted. */
#define LOG_BURST 10
#define LOG_WINDOW 10

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct pw_api *api = cls;
    time_t now = time(NULL);
    if (now - api->log_window >= LOG_WINDOW) {
        if (api->log_dropped)
            api->log("http: %u more messages suppressed", api->log_dropped);
        api->log_window = now;
        api->log_count = 0;
        api->log_dropped = 0;
    }
    if (api->log_count >= LOG_BURST) {
        api->log_dropped++;
        return;
    }
    api->log_count++;
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    api->log("http: %s", buf);
}

int pw_api_start(struct pw_api **out, const struct pw_api_cfg *cfg, struct pw_error *err)
{
    char host[64];
    unsigned port;
    *out = NULL;
    if (!pw_api_parse_listen(cfg->listen, host, sizeof(host), &port))
        return pw_error_set(err, PW_ERR_ARG, "--listen: '%s' is not HOST:PORT", cfg->listen);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        return pw_error_set(err, PW_ERR_ARG, "--listen: '%s' is not an IP address", host);
    }
    struct pw_api *api = calloc(1, sizeof(*api));
    if (!api)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    api->m = cfg->mgr;
    api->log = cfg->log ? cfg->log : nolog;
    if (cfg->token) {
        api->token = strdup(cfg->token);
        if (!api->token) {
            free(api);
            return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
        }
        api->token_len = strlen(api->token);
    }
    api->d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, api, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        api, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)PW_MAX_API_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)PW_MAX_API_CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, api, MHD_OPTION_END);
    if (!api->d) {
        int e = errno;
        free(api->token);
        free(api);
        return pw_error_set(err, PW_ERR_IO, "cannot listen on %s: %s", cfg->listen,
                            e ? strerror(e) : "libmicrohttpd refused to start");
    }
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(api->d, MHD_DAEMON_INFO_BIND_PORT);
    api->port = pi ? pi->port : port;
    *out = api;
    return 0;
}

void pw_api_stop(struct pw_api *api)
{
    if (!api)
        return;
    /* Running analyses stop early and resume their requests; MHD then
     * closes them (it refuses to stop with suspended connections). */
    atomic_store(&api->cancel, true);
    for (struct job *j = api->jobs; j; j = j->next)
        if (j->started && !j->joined) {
            pthread_join(j->th, NULL);
            j->joined = true;
        }
    MHD_stop_daemon(api->d);
    while (api->jobs)
        job_free(api, api->jobs);
    if (api->token) {
        memset(api->token, 0, api->token_len);
        free(api->token);
    }
    free(api);
}

int pw_api_fd(const struct pw_api *api)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(api->d, MHD_DAEMON_INFO_EPOLL_FD);
    return i ? i->epoll_fd : -1;
}

unsigned pw_api_port(const struct pw_api *api)
{
    return api->port;
}

void pw_api_run(struct pw_api *api)
{
    MHD_run(api->d);
}

int pw_api_timeout_ms(struct pw_api *api)
{
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(api->d, &t) != MHD_YES)
        return -1;
    return t > 1000 ? 1000 : (int)t;
}
