/* `pktwatch capture ...`: a client of pktwatchd's REST API, with the flag
 * names of the cloud CLI's `network watcher packet-capture` group so that
 * scripts carry over. It builds requests and prints answers; the agent does
 * all validation that matters (the client checks only what it needs to
 * build a URL). */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/limits.h"

#define DEFAULT_SERVER "http://127.0.0.1:8440"

/* How long `stop` waits for the session to finish draining. */
#define STOP_WAIT_MS 10000

static const char capture_usage[] =
    "usage: pktwatch capture <command> [options]\n"
    "\n"
    "Drive a pktwatchd capture agent (see pktwatchd --help).\n"
    "\n"
    "commands:\n"
    "  create       start a capture session\n"
    "  list         list sessions\n"
    "  show         show a session's parameters\n"
    "  show-status  show a session's status, counters and files\n"
    "  stop         stop a session (waits until its file is complete)\n"
    "  delete       delete a session (--delete-files removes its files too)\n"
    "  download     fetch the capture file (also while the session runs)\n"
    "  analyze      fetch the pktwatch analysis of the capture\n"
    "\n"
    "options for every command:\n"
    "  --server URL        agent address (default $PKTWATCH_SERVER or " DEFAULT_SERVER ")\n"
    "  --token-file FILE   bearer token file (default $PKTWATCH_TOKEN_FILE)\n"
    "  -o, --output FMT    json (default) or table\n"
    "\n"
    "`pktwatch capture <command> --help` describes one command.\n"
    "\n"
    "exit status:\n"
    "  0  success\n"
    "  1  the agent refused the request or could not be reached (its message is printed)\n"
    "  2  bad command line\n";

static const char create_usage[] =
    "usage: pktwatch capture create --name NAME --target IFACE [options]\n"
    "\n"
    "  --name NAME               session name (1-80 of A-Z a-z 0-9 _ . -)\n"
    "  --target IFACE            interface on the agent's host, 'any', or 'a;b'\n"
    "  --capture-size N          bytes kept per packet (bytesToCapturePerPacket; 0 = all)\n"
    "  --capture-limit N         stop after N captured bytes (totalBytesPerSession)\n"
    "  --time-limit SECONDS      stop after this long (timeLimitInSeconds, max 18000)\n"
    "  --file-path PATH          capture file under the agent's capture root (.cap/.pcap);\n"
    "                            with --continuous-capture it is the files' base name\n"
    "  --local-path PATH         same as --file-path with --continuous-capture\n"
    "  --filters JSON|@FILE      list of {protocol, localIPAddress, remoteIPAddress,\n"
    "                            localPort, remotePort}; values: 80, 80-85, 80;443\n"
    "  --bpf-filter EXPR         libpcap filter expression, ANDed with --filters\n"
    "  --continuous-capture BOOL true: ring buffer; false: numbered files until full\n"
    "  --capture-settings JSON|@FILE\n"
    "                            {fileCount, fileSizeInBytes, sessionTimeLimitInSeconds}\n"
    "                            (file-count, file-size-in-bytes, ... also accepted)\n";

static const char name_usage[] = "usage: pktwatch capture %s --name NAME [options]\n%s";

struct opts {
    const char *cmd;
    const char *server;
    const char *token_file;
    bool table;
    const char *name;
    const char *target;
    const char *capture_size, *capture_limit, *time_limit;
    const char *file_path, *local_path;
    const char *filters, *bpf_filter, *continuous, *settings;
    const char *output_file;
    bool delete_files;
    bool no_wait;
    char token[PW_MAX_TOKEN + 1];
};

/* ---- small helpers ------------------------------------------------------------ */

static bool name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > PW_MAX_SESSION_NAME)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
            return false;
    return true;
}

static int read_token(struct opts *o)
{
    if (!o->token_file)
        return 0;
    FILE *f = fopen(o->token_file, "re");
    if (!f) {
        pw_cli_err("--token-file %s: %s", o->token_file, strerror(errno));
        return PW_EXIT_FAILURE;
    }
    size_t n = fread(o->token, 1, sizeof(o->token) - 1, f);
    fclose(f);
    o->token[n] = '\0';
    o->token[strcspn(o->token, "\r\n")] = '\0';
    char *b = o->token;
    while (*b == ' ' || *b == '\t')
        b++;
    size_t len = strlen(b);
    while (len && (b[len - 1] == ' ' || b[len - 1] == '\t'))
        len--;
    memmove(o->token, b, len);
    o->token[len] = '\0';
    if (!len) {
        pw_cli_err("--token-file %s: the file holds no token", o->token_file);
        return PW_EXIT_FAILURE;
    }
    return 0;
}

/* Loads a JSON argument given inline or as @FILE. */
static json_t *json_arg(const char *flag, const char *v)
{
    json_error_t je;
    json_t *j = v[0] == '@' ? json_load_file(v + 1, JSON_REJECT_DUPLICATES, &je)
                            : json_loads(v, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        pw_cli_err("%s: not valid JSON: %s (line %d, column %d)", flag, je.text, je.line,
                   je.column);
    return j;
}

static bool int_arg(const char *flag, const char *v, json_int_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || end == v) {
        pw_cli_err("%s: '%s' is not a whole number", flag, v);
        return false;
    }
    *out = x;
    return true;
}

/* ---- HTTP ------------------------------------------------------------------------ */

struct resp {
    char *p;
    size_t len;
    bool overflow;
    CURL *curl;
    FILE *sink; /* download target, used only for a 200 answer */
    bool sink_failed;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *cls)
{
    struct resp *r = cls;
    size_t n = size * nmemb;
    if (r->sink) {
        long code = 0;
        curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
        if (code == 200) {
            if (fwrite(data, 1, n, r->sink) != n) {
                r->sink_failed = true;
                return 0;
            }
            return n;
        }
    }
    if (r->len + n > PW_MAX_API_RESPONSE) {
        r->overflow = true;
        return 0;
    }
    char *np = realloc(r->p, r->len + n + 1);
    if (!np)
        return 0;
    memcpy(np + r->len, data, n);
    r->p = np;
    r->len += n;
    r->p[r->len] = '\0';
    return n;
}

/* Performs one request. Returns the HTTP status, or -1 after printing why
 * the agent could not be reached. */
static long http(const struct opts *o, const char *method, const char *path, const char *body,
                 struct resp *r)
{
    char url[2048];
    size_t sl = strlen(o->server);
    while (sl && o->server[sl - 1] == '/')
        sl--;
    snprintf(url, sizeof(url), "%.*s%s", (int)sl, o->server, path);
    CURL *c = curl_easy_init();
    if (!c) {
        pw_cli_err("cannot initialise libcurl");
        return -1;
    }
    r->curl = c;
    struct curl_slist *h = NULL;
    char auth[PW_MAX_TOKEN + 32];
    if (o->token[0]) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token);
        h = curl_slist_append(h, auth);
    }
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
    CURLcode cr = curl_easy_perform(c);
    long code = -1;
    if (cr == CURLE_OK || (cr == CURLE_WRITE_ERROR && !r->overflow && !r->sink_failed)) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    } else if (r->overflow) {
        pw_cli_err("%s %s: the answer is larger than %u bytes", method, url, PW_MAX_API_RESPONSE);
    } else if (r->sink_failed) {
        pw_cli_err("cannot write the download: %s", strerror(errno));
    } else {
        pw_cli_err("%s %s: %s", method, url, curl_easy_strerror(cr));
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->curl = NULL;
    return code;
}

/* Prints the agent's error document. */
static int report_error(long code, const struct resp *r)
{
    json_t *j = r->p ? json_loads(r->p, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *ecode = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (msg)
        pw_cli_err("%ld %s: %s", code, ecode ? ecode : "Error", msg);
    else
        pw_cli_err("the agent answered %ld%s%.200s", code, r->p ? ": " : "", r->p ? r->p : "");
    json_decref(j);
    return PW_EXIT_FAILURE;
}

/* ---- output -------------------------------------------------------------------- */

static void print_json(json_t *j)
{
    char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (t) {
        puts(t);
        free(t);
    }
}

static const char *jstr(json_t *o, const char *path)
{
    /* "a.b.c" lookups for the table columns */
    char key[64];
    const char *p = path;
    while (o) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(key))
            return "";
        memcpy(key, p, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        if (!dot)
            break;
        p = dot + 1;
    }
    static char num[32];
    if (json_is_string(o))
        return json_string_value(o);
    if (json_is_integer(o)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(o));
        return num;
    }
    if (json_is_boolean(o))
        return json_is_true(o) ? "true" : "false";
    return "";
}

struct col {
    const char *title;
    const char *path;
};

static void print_table(json_t *rows, const struct col *cols, size_t ncols)
{
    size_t w[16] = {0};
    for (size_t c = 0; c < ncols; c++)
        w[c] = strlen(cols[c].title);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < ncols; c++) {
            size_t l = strlen(jstr(row, cols[c].path));
            if (l > w[c])
                w[c] = l > 60 ? 60 : l;
        }
    }
    for (size_t c = 0; c < ncols; c++)
        printf("%-*s%s", (int)w[c], cols[c].title, c + 1 < ncols ? "  " : "\n");
    for (size_t c = 0; c < ncols; c++) {
        for (size_t k = 0; k < w[c]; k++)
            putchar('-');
        fputs(c + 1 < ncols ? "  " : "\n", stdout);
    }
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < ncols; c++)
            printf("%-*.*s%s", (int)w[c], (int)w[c], jstr(row, cols[c].path),
                   c + 1 < ncols ? "  " : "\n");
    }
}

static const struct col result_cols[] = {
    {"Name", "name"},
    {"Target", "properties.target"},
    {"File", "properties.storageLocation.filePath"},
    {"LocalPath", "properties.storageLocation.localPath"},
    {"Filter", "properties.effectiveFilter"},
};

static const struct col status_cols[] = {
    {"Name", "name"},
    {"Status", "packetCaptureStatus"},
    {"StopReason", "stopReason"},
    {"Packets", "packetsCaptured"},
    {"Bytes", "bytesCaptured"},
    {"KernelDrops", "packetsDroppedByKernel"},
    {"FilesWritten", "filesWritten"},
    {"Started", "captureStartTime"},
};

/* Prints a JSON answer as JSON or as a table of `cols`. */
static int print_answer(const struct opts *o, const struct resp *r, const struct col *cols,
                        size_t ncols, bool is_list)
{
    json_error_t je;
    json_t *j = json_loads(r->p ? r->p : "", 0, &je);
    if (!j) {
        pw_cli_err("the agent's answer is not JSON: %s", je.text);
        return PW_EXIT_FAILURE;
    }
    if (o->table && cols) {
        json_t *rows = is_list ? json_incref(json_object_get(j, "value")) : json_array();
        if (!is_list)
            json_array_append(rows, j);
        print_table(rows, cols, ncols);
        json_decref(rows);
    } else {
        print_json(j);
    }
    json_decref(j);
    return PW_EXIT_OK;
}

/* ---- commands -------------------------------------------------------------------- */

/* Accepts the CLI's kebab-case keys in --capture-settings as well. */
static int normalise_settings(json_t *cs)
{
    static const char *const map[][2] = {
        {"file-count", "fileCount"},
        {"file-size-in-bytes", "fileSizeInBytes"},
        {"session-time-limit-in-seconds", "sessionTimeLimitInSeconds"},
    };
    if (!json_is_object(cs)) {
        pw_cli_err("--capture-settings must be a JSON object");
        return -1;
    }
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        json_t *v = json_object_get(cs, map[i][0]);
        if (v) {
            json_object_set(cs, map[i][1], v);
            json_object_del(cs, map[i][0]);
        }
    }
    return 0;
}

static int cmd_create(const struct opts *o)
{
    if (!o->target) {
        pw_cli_err("create: --target is required (an interface of the agent's host, or 'any')");
        return PW_EXIT_USAGE;
    }
    json_t *p = json_object();
    json_t *body = json_object();
    json_object_set_new(body, "properties", p);
    json_object_set_new(p, "target", json_string(o->target));
    int rc = PW_EXIT_USAGE;
    json_int_t x;
    if (o->capture_size) {
        if (!int_arg("--capture-size", o->capture_size, &x))
            goto out;
        json_object_set_new(p, "bytesToCapturePerPacket", json_integer(x));
    }
    if (o->capture_limit) {
        if (!int_arg("--capture-limit", o->capture_limit, &x))
            goto out;
        json_object_set_new(p, "totalBytesPerSession", json_integer(x));
    }
    if (o->time_limit) {
        if (!int_arg("--time-limit", o->time_limit, &x))
            goto out;
        json_object_set_new(p, "timeLimitInSeconds", json_integer(x));
    }
    bool continuous_set = false;
    if (o->continuous) {
        if (strcasecmp(o->continuous, "true") == 0) {
            json_object_set_new(p, "continuousCapture", json_true());
        } else if (strcasecmp(o->continuous, "false") == 0) {
            json_object_set_new(p, "continuousCapture", json_false());
        } else {
            pw_cli_err("--continuous-capture must be true or false");
            goto out;
        }
        continuous_set = true;
    }
    if (o->file_path && o->local_path) {
        pw_cli_err("give --file-path or --local-path, not both");
        goto out;
    }
    const char *path = o->file_path ? o->file_path : o->local_path;
    if (path) {
        json_t *loc = json_object();
        /* The classic CLI only has --file-path; for continuous sessions the
         * API calls the same thing localPath. */
        json_object_set_new(loc, continuous_set || o->local_path ? "localPath" : "filePath",
                            json_string(path));
        json_object_set_new(p, "storageLocation", loc);
    }
    if (o->filters) {
        json_t *f = json_arg("--filters", o->filters);
        if (!f)
            goto out;
        json_object_set_new(p, "filters", f);
    }
    if (o->bpf_filter)
        json_object_set_new(p, "bpfFilter", json_string(o->bpf_filter));
    if (o->settings) {
        json_t *cs = json_arg("--capture-settings", o->settings);
        if (!cs || normalise_settings(cs)) {
            json_decref(cs);
            goto out;
        }
        json_object_set_new(p, "captureSettings", cs);
    }
    char *text = json_dumps(body, JSON_COMPACT);
    char path_buf[PW_MAX_SESSION_NAME + 32];
    snprintf(path_buf, sizeof(path_buf), "/packetCaptures/%s", o->name);
    struct resp r = {0};
    long code = text ? http(o, "PUT", path_buf, text, &r) : -1;
    free(text);
    if (code < 0)
        rc = PW_EXIT_FAILURE;
    else if (code != 201)
        rc = report_error(code, &r);
    else
        rc = print_answer(o, &r, result_cols, 5, false);
    free(r.p);
out:
    json_decref(body);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int cmd_simple(const struct opts *o)
{
    char path[PW_MAX_SESSION_NAME + 64];
    const char *method = "GET";
    long want = 200;
    bool list = false;
    const struct col *cols = result_cols;
    size_t ncols = 5;
    if (strcmp(o->cmd, "list") == 0) {
        snprintf(path, sizeof(path), "/packetCaptures");
        list = true;
    } else if (strcmp(o->cmd, "show") == 0) {
        snprintf(path, sizeof(path), "/packetCaptures/%s", o->name);
    } else if (strcmp(o->cmd, "show-status") == 0) {
        snprintf(path, sizeof(path), "/packetCaptures/%s/queryStatus", o->name);
        method = "POST";
        cols = status_cols;
        ncols = 8;
    } else if (strcmp(o->cmd, "stop") == 0) {
        snprintf(path, sizeof(path), "/packetCaptures/%s/stop", o->name);
        method = "POST";
        cols = status_cols;
        ncols = 8;
    } else if (strcmp(o->cmd, "delete") == 0) {
        snprintf(path, sizeof(path), "/packetCaptures/%s%s", o->name,
                 o->delete_files ? "?deleteFiles=true" : "");
        method = "DELETE";
        want = 204;
    } else { /* analyze */
        snprintf(path, sizeof(path), "/packetCaptures/%s/analysis", o->name);
        cols = NULL;
        ncols = 0;
    }
    struct resp r = {0};
    long code = http(o, method, path, NULL, &r);
    int rc;
    if (code < 0) {
        rc = PW_EXIT_FAILURE;
    } else if (strcmp(o->cmd, "stop") == 0 && code == 202) {
        /* The agent drains the kernel ring before it closes the file; wait
         * for that so that a download right after gets the whole capture. */
        rc = PW_EXIT_OK;
        for (long waited = 0; !o->no_wait; waited += 100) {
            free(r.p);
            r = (struct resp){0};
            snprintf(path, sizeof(path), "/packetCaptures/%s/queryStatus", o->name);
            code = http(o, "POST", path, NULL, &r);
            if (code != 200) {
                rc = code < 0 ? PW_EXIT_FAILURE : report_error(code, &r);
                break;
            }
            json_t *j = json_loads(r.p ? r.p : "", 0, NULL);
            bool running = strcmp(jstr(j, "packetCaptureStatus"), "Running") == 0;
            json_decref(j);
            if (!running)
                break;
            if (waited >= STOP_WAIT_MS) {
                pw_cli_err("stop: the session is still draining after %d s", STOP_WAIT_MS / 1000);
                rc = PW_EXIT_FAILURE;
                break;
            }
            sleep_ms(100);
        }
        if (rc == PW_EXIT_OK)
            rc = print_answer(o, &r, cols, ncols, false);
    } else if (code != want && !(strcmp(o->cmd, "stop") == 0 && code == 200)) {
        rc = report_error(code, &r);
    } else if (want == 204) {
        rc = PW_EXIT_OK;
    } else {
        rc = print_answer(o, &r, cols, ncols, list);
    }
    free(r.p);
    return rc;
}

static int cmd_download(const struct opts *o)
{
    char path[PW_MAX_SESSION_NAME + 32], out[PW_MAX_SESSION_NAME + 16], part[4096 + 8];
    snprintf(path, sizeof(path), "/packetCaptures/%s/file", o->name);
    const char *dest = o->output_file;
    if (!dest) {
        snprintf(out, sizeof(out), "%s.pcap", o->name);
        dest = out;
    }
    bool to_stdout = strcmp(dest, "-") == 0;
    FILE *f = stdout;
    /* Write to a side file and rename, so that a failed transfer never
     * leaves a partial capture under the requested name. */
    if (!to_stdout) {
        if (snprintf(part, sizeof(part), "%s.part", dest) >= (int)sizeof(part)) {
            pw_cli_err("--output-file: name too long");
            return PW_EXIT_USAGE;
        }
        f = fopen(part, "wbe");
        if (!f) {
            pw_cli_err("%s: %s", part, strerror(errno));
            return PW_EXIT_FAILURE;
        }
    }
    struct resp r = {.sink = f};
    long code = http(o, "GET", path, NULL, &r);
    int rc = PW_EXIT_OK;
    if (code < 0)
        rc = PW_EXIT_FAILURE;
    else if (code != 200)
        rc = report_error(code, &r);
    if (!to_stdout) {
        if (fclose(f) != 0 && rc == PW_EXIT_OK) {
            pw_cli_err("%s: %s", part, strerror(errno));
            rc = PW_EXIT_FAILURE;
        }
        if (rc == PW_EXIT_OK && rename(part, dest) != 0) {
            pw_cli_err("%s: %s", dest, strerror(errno));
            rc = PW_EXIT_FAILURE;
        }
        if (rc != PW_EXIT_OK)
            unlink(part);
    } else if (fflush(stdout) != 0) {
        rc = PW_EXIT_FAILURE;
    }
    if (rc == PW_EXIT_OK && !to_stdout)
        fprintf(stderr, "pktwatch: saved %s\n", dest);
    free(r.p);
    return rc;
}

/* ---- argument parsing ------------------------------------------------------------- */

struct flag {
    const char *name;
    size_t off;       /* offset of the const char * in struct opts */
    const char *cmds; /* commands taking it, space separated; NULL = all */
};

#define OPT(f) offsetof(struct opts, f)
static const struct flag flags[] = {
    {"--server", OPT(server), NULL},
    {"--token-file", OPT(token_file), NULL},
    {"--name", OPT(name), "create show show-status stop delete download analyze"},
    {"-n", OPT(name), "create show show-status stop delete download analyze"},
    {"--target", OPT(target), "create"},
    {"--capture-size", OPT(capture_size), "create"},
    {"--capture-limit", OPT(capture_limit), "create"},
    {"--time-limit", OPT(time_limit), "create"},
    {"--file-path", OPT(file_path), "create"},
    {"--local-path", OPT(local_path), "create"},
    {"--filters", OPT(filters), "create"},
    {"--bpf-filter", OPT(bpf_filter), "create"},
    {"--continuous-capture", OPT(continuous), "create"},
    {"--capture-settings", OPT(settings), "create"},
    {"--output-file", OPT(output_file), "download"},
};

static bool cmd_in(const char *cmds, const char *cmd)
{
    if (!cmds)
        return true;
    size_t n = strlen(cmd);
    for (const char *p = cmds; (p = strstr(p, cmd)); p += n)
        if ((p == cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void cmd_help(const char *cmd)
{
    static const char common[] =
        "  --server URL, --token-file FILE, -o json|table (see pktwatch capture --help)\n"
        "exit status: 0 success, 1 the agent refused or could not be reached, 2 bad usage\n";
    if (strcmp(cmd, "create") == 0) {
        fputs(create_usage, stdout);
        fputs(common, stdout);
    } else if (strcmp(cmd, "list") == 0) {
        printf("usage: pktwatch capture list [options]\n%s", common);
    } else if (strcmp(cmd, "delete") == 0) {
        printf(name_usage, cmd,
               "  --delete-files      remove the session's capture files as well\n");
        fputs(common, stdout);
    } else if (strcmp(cmd, "stop") == 0) {
        printf(name_usage, cmd,
               "  --no-wait           return at once instead of waiting for the file to be "
               "complete\n");
        fputs(common, stdout);
    } else if (strcmp(cmd, "download") == 0) {
        printf(name_usage, cmd,
               "  --output-file FILE  where to save (default NAME.pcap; '-' = standard "
               "output)\n");
        fputs(common, stdout);
    } else {
        printf(name_usage, cmd, "");
        fputs(common, stdout);
    }
}

int pw_cmd_capture(int argc, char **argv)
{
    static const char *const cmds[] = {"create", "list",     "show",    "show-status", "stop",
                                       "delete", "download", "analyze", NULL};
    struct opts o = {0};
    /* argv[0] is "capture" */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(capture_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? PW_EXIT_USAGE : PW_EXIT_OK;
    }
    o.cmd = argv[1];
    bool known = false;
    for (const char *const *c = cmds; *c; c++)
        known |= strcmp(*c, o.cmd) == 0;
    if (!known) {
        pw_cli_err("capture: unknown command '%s' (try pktwatch capture --help)", o.cmd);
        return PW_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_help(o.cmd);
            return PW_EXIT_OK;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                pw_cli_err("%s needs a value (json or table)", a);
                return PW_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(v, "table") == 0)
                o.table = true;
            else if (strcmp(v, "json") != 0) {
                pw_cli_err("%s: '%s' is not json or table", a, v);
                return PW_EXIT_USAGE;
            }
            continue;
        }
        if (strcmp(a, "--delete-files") == 0 && strcmp(o.cmd, "delete") == 0) {
            o.delete_files = true;
            continue;
        }
        if (strcmp(a, "--no-wait") == 0 && strcmp(o.cmd, "stop") == 0) {
            o.no_wait = true;
            continue;
        }
        const struct flag *f = NULL;
        for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
            if (strcmp(flags[k].name, a) == 0 && cmd_in(flags[k].cmds, o.cmd))
                f = &flags[k];
        if (!f) {
            pw_cli_err("capture %s: unknown option '%s' (try pktwatch capture %s --help)", o.cmd, a,
                       o.cmd);
            return PW_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            pw_cli_err("%s needs a value", a);
            return PW_EXIT_USAGE;
        }
        *(const char **)((char *)&o + f->off) = argv[++i];
    }
    if (!o.server)
        o.server = getenv("PKTWATCH_SERVER");
    if (!o.server || !*o.server)
        o.server = DEFAULT_SERVER;
    if (!o.token_file) {
        const char *t = getenv("PKTWATCH_TOKEN_FILE");
        o.token_file = t && *t ? t : NULL;
    }
    if (strcmp(o.cmd, "list") != 0) {
        if (!o.name) {
            pw_cli_err("capture %s: --name is required", o.cmd);
            return PW_EXIT_USAGE;
        }
        if (!name_ok(o.name)) {
            pw_cli_err("--name: '%s' is not a session name (1-%u of A-Z a-z 0-9 _ . -)", o.name,
                       PW_MAX_SESSION_NAME);
            return PW_EXIT_USAGE;
        }
    }
    int rc = read_token(&o);
    if (rc)
        return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        pw_cli_err("cannot initialise libcurl");
        return PW_EXIT_FAILURE;
    }
    if (strcmp(o.cmd, "create") == 0)
        rc = cmd_create(&o);
    else if (strcmp(o.cmd, "download") == 0)
        rc = cmd_download(&o);
    else
        rc = cmd_simple(&o);
    curl_global_cleanup();
    memset(o.token, 0, sizeof(o.token));
    return rc;
}
