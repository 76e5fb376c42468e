/* Create-request validation, driven by the field table below. */
#include "agent/request.h"

#include <ctype.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent/paths.h"
#include "capture/bpf_tuple.h"

int pw_api_err_set(struct pw_api_err *e, int status, const char *code, const char *target,
                   const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    e->status = status;
    snprintf(e->code, sizeof(e->code), "%s", code);
    snprintf(e->target, sizeof(e->target), "%s", target ? target : "");
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

const char *pw_ftype_name(enum pw_ftype t)
{
    switch (t) {
    case PW_FT_OBJECT: return "object";
    case PW_FT_ARRAY: return "array";
    case PW_FT_STRING: return "string";
    case PW_FT_INTEGER: return "integer";
    case PW_FT_BOOLEAN: return "boolean";
    }
    return "?";
}

static const char *const proto_enum[] = {"TCP", "UDP", "ICMP", "Any", NULL};

#define U32MAX 4294967295LL

/* The reference's ranges, except where a 0 would make no sense here:
 * fileCount and fileSizeInBytes start at 1 (a ring of no files, or of empty
 * files, cannot hold a packet). */
const struct pw_field_spec pw_capreq_fields[] = {
    {"properties", PW_FT_OBJECT, PW_FF_REQUIRED, 0, 0, 0, NULL, NULL, "capture parameters"},
    {"properties.target", PW_FT_STRING, PW_FF_REQUIRED, 1, 255, 0, NULL, NULL,
     "interface name on this host, 'any', or a ';' list of interfaces"},
    {"properties.targetType", PW_FT_STRING, PW_FF_UNSUPPORTED, 0, 0, 0, NULL, NULL,
     "this agent captures on its own host; name an interface in target"},
    {"properties.scope", PW_FT_OBJECT, PW_FF_UNSUPPORTED, 0, 0, 0, NULL, NULL,
     "scale-set scopes do not apply to a single host; name interfaces in target"},
    {"properties.bytesToCapturePerPacket", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 0, U32MAX, 0, NULL,
     NULL, "snap length; 0 = whole packet"},
    {"properties.totalBytesPerSession", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 0, U32MAX, 1073741824,
     NULL, NULL, "stop after this many captured packet bytes; 0 = no limit"},
    {"properties.timeLimitInSeconds", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 0, 18000, 18000, NULL, NULL,
     "stop after this many seconds; 0 = no limit"},
    {"properties.storageLocation", PW_FT_OBJECT, 0, 0, 0, 0, NULL, NULL,
     "where the capture is written (default: <name>.cap in the capture root)"},
    {"properties.storageLocation.filePath", PW_FT_STRING, 0, 1, PW_MAX_CAPTURE_PATH, 0, NULL, NULL,
     "capture file, relative to or inside the capture root (classic capture)"},
    {"properties.storageLocation.localPath", PW_FT_STRING, 0, 1, PW_MAX_CAPTURE_PATH, 0, NULL, NULL,
     "base name of the numbered files (continuousCapture true or false)"},
    {"properties.storageLocation.storageId", PW_FT_STRING, PW_FF_UNSUPPORTED, 0, 0, 0, NULL, NULL,
     "this agent writes local files only; give filePath or localPath"},
    {"properties.storageLocation.storagePath", PW_FT_STRING, PW_FF_UNSUPPORTED, 0, 0, 0, NULL, NULL,
     "this agent writes local files only; give filePath or localPath"},
    {"properties.filters", PW_FT_ARRAY, 0, 0, PW_MAX_FILTERS, 0, NULL, NULL,
     "5-tuple filters, ORed; none = capture everything"},
    {"properties.filters[]", PW_FT_OBJECT, 0, 0, 0, 0, NULL, NULL,
     "one filter; its fields are ANDed"},
    {"properties.filters[].protocol", PW_FT_STRING, PW_FF_HAS_DEFAULT, 0, 8, 0, "Any", proto_enum,
     "TCP, UDP, ICMP or Any (any case)"},
    {"properties.filters[].localIPAddress", PW_FT_STRING, 0, 0, PW_MAX_FILTER_VALUE, 0, NULL, NULL,
     "address, IPv4 range a-b, or ';' list"},
    {"properties.filters[].remoteIPAddress", PW_FT_STRING, 0, 0, PW_MAX_FILTER_VALUE, 0, NULL, NULL,
     "address, IPv4 range a-b, or ';' list"},
    {"properties.filters[].localPort", PW_FT_STRING, 0, 0, PW_MAX_FILTER_VALUE, 0, NULL, NULL,
     "port, range a-b, or ';' list"},
    {"properties.filters[].remotePort", PW_FT_STRING, 0, 0, PW_MAX_FILTER_VALUE, 0, NULL, NULL,
     "port, range a-b, or ';' list"},
    {"properties.bpfFilter", PW_FT_STRING, 0, 0, PW_MAX_BPF_RAW, 0, NULL, NULL,
     "libpcap filter expression, ANDed with the filters"},
    {"properties.continuousCapture", PW_FT_BOOLEAN, PW_FF_NULLABLE, 0, 0, 0, NULL, NULL,
     "absent/null: classic capture; true: ring buffer; false: numbered files until full"},
    {"properties.captureSettings", PW_FT_OBJECT, 0, 0, 0, 0, NULL, NULL,
     "file rotation (continuousCapture true or false only)"},
    {"properties.captureSettings.fileCount", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 1, 10000, 10, NULL,
     NULL, "files in the rotation"},
    {"properties.captureSettings.fileSizeInBytes", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 1, U32MAX,
     104857600, NULL, NULL, "size at which a file is closed and the next one begun"},
    {"properties.captureSettings.sessionTimeLimitInSeconds", PW_FT_INTEGER, PW_FF_HAS_DEFAULT, 0,
     604800, 86400, NULL, NULL, "duration of the session; 0 = no limit"},
};
const size_t pw_capreq_nfields = sizeof(pw_capreq_fields) / sizeof(pw_capreq_fields[0]);

static const struct pw_field_spec *spec_find(const char *path)
{
    for (size_t i = 0; i < pw_capreq_nfields; i++)
        if (strcmp(pw_capreq_fields[i].path, path) == 0)
            return &pw_capreq_fields[i];
    return NULL;
}

bool pw_capreq_name_ok(const char *name, struct pw_api_err *e)
{
    size_t n = strnlen(name, PW_MAX_SESSION_NAME + 1);
    if (n == 0 || n > PW_MAX_SESSION_NAME) {
        pw_api_err_set(e, 400, "InvalidName", "name",
                       "session name must be 1 to %u characters long", PW_MAX_SESSION_NAME);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '.' && c != '-') {
            pw_api_err_set(e, 400, "InvalidName", "name",
                           "session name may contain only letters, digits, '_', '.' and '-'");
            return false;
        }
    }
    if (!isalnum((unsigned char)name[0]) ||
        !(isalnum((unsigned char)name[n - 1]) || name[n - 1] == '_')) {
        pw_api_err_set(e, 400, "InvalidName", "name",
                       "session name must begin with a letter or digit and end with a letter, "
                       "digit or '_'");
        return false;
    }
    return true;
}

/* Walks `v` against the table. `sp` is the table path ("a.b[]"), `dp` the
 * display path ("a.b[3]"); both buffers are 256 bytes. */
#define PATHBUF 256

static int walk(json_t *v, const char *sp, const char *dp, struct pw_api_err *e)
{
    const struct pw_field_spec *f = spec_find(sp);
    if (!f)
        return pw_api_err_set(e, 400, "UnknownField", dp, "unknown field '%s'", dp);
    if (f->flags & PW_FF_UNSUPPORTED)
        return pw_api_err_set(e, 400, "UnsupportedField", dp, "%s is not supported: %s", dp,
                              f->note);
    if (json_is_null(v)) {
        if (f->flags & PW_FF_NULLABLE)
            return 0;
        return pw_api_err_set(e, 400, "InvalidType", dp, "%s must be %s %s, not null", dp,
                              f->type == PW_FT_OBJECT || f->type == PW_FT_ARRAY ? "an" : "a",
                              pw_ftype_name(f->type));
    }
    bool ok = false;
    switch (f->type) {
    case PW_FT_OBJECT: ok = json_is_object(v); break;
    case PW_FT_ARRAY: ok = json_is_array(v); break;
    case PW_FT_STRING: ok = json_is_string(v); break;
    case PW_FT_INTEGER: ok = json_is_integer(v); break;
    case PW_FT_BOOLEAN: ok = json_is_boolean(v); break;
    }
    if (!ok)
        return pw_api_err_set(
            e, 400, "InvalidType", dp, "%s must be %s %s", dp,
            f->type == PW_FT_OBJECT || f->type == PW_FT_ARRAY || f->type == PW_FT_INTEGER ? "an"
                                                                                          : "a",
            pw_ftype_name(f->type));
    switch (f->type) {
    case PW_FT_INTEGER: {
        json_int_t x = json_integer_value(v);
        if (x < f->min || x > f->max)
            return pw_api_err_set(e, 400, "OutOfRange", dp, "%s must be between %lld and %lld", dp,
                                  f->min, f->max);
        return 0;
    }
    case PW_FT_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (strlen(s) != n)
            return pw_api_err_set(e, 400, "InvalidValue", dp, "%s contains a NUL character", dp);
        if (f->max && n > (size_t)f->max)
            return pw_api_err_set(e, 400, "TooLong", dp, "%s is longer than %lld characters", dp,
                                  f->max);
        if (f->min && n < (size_t)f->min)
            return pw_api_err_set(e, 400, "InvalidValue", dp, "%s must not be empty", dp);
        if (f->enum_values) {
            for (const char *const *ev = f->enum_values; *ev; ev++)
                if (strcasecmp(*ev, s) == 0)
                    return 0;
            char list[128] = "";
            size_t used = 0;
            for (const char *const *ev = f->enum_values; *ev; ev++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s",
                                 ev == f->enum_values ? "" : ", ", *ev);
                if (w < 0 || (size_t)w >= sizeof(list) - used)
                    break;
                used += (size_t)w;
            }
            return pw_api_err_set(e, 400, "InvalidValue", dp, "%s must be one of %s", dp, list);
        }
        return 0;
    }
    case PW_FT_ARRAY: {
        if (f->max && json_array_size(v) > (size_t)f->max)
            return pw_api_err_set(e, 400, "TooMany", dp, "%s has more than %lld items", dp, f->max);
        char csp[PATHBUF], cdp[PATHBUF];
        snprintf(csp, sizeof(csp), "%s[]", sp);
        for (size_t i = 0; i < json_array_size(v); i++) {
            snprintf(cdp, sizeof(cdp), "%s[%zu]", dp, i);
            if (walk(json_array_get(v, i), csp, cdp, e))
                return -1;
        }
        return 0;
    }
    case PW_FT_OBJECT: {
        const char *key;
        json_t *child;
        char csp[PATHBUF], cdp[PATHBUF];
        json_object_foreach(v, key, child)
        {
            /* A key containing '.' or '[' could otherwise be mistaken for a
             * nested path of the table. */
            if (strlen(key) > 64 || strpbrk(key, ".[]") || !*key)
                return pw_api_err_set(e, 400, "UnknownField", dp, "unknown field '%s.%.64s'", dp,
                                      key);
            snprintf(csp, sizeof(csp), "%s.%s", sp, key);
            snprintf(cdp, sizeof(cdp), "%s.%s", dp, key);
            if (walk(child, csp, cdp, e))
                return -1;
        }
        /* Required children. */
        size_t spl = strlen(sp);
        for (size_t i = 0; i < pw_capreq_nfields; i++) {
            const struct pw_field_spec *c = &pw_capreq_fields[i];
            if (!(c->flags & PW_FF_REQUIRED) || strncmp(c->path, sp, spl) != 0 ||
                c->path[spl] != '.' || strchr(c->path + spl + 1, '.'))
                continue;
            if (!json_object_get(v, c->path + spl + 1))
                return pw_api_err_set(e, 400, "MissingField", c->path, "%s is required", c->path);
        }
        return 0;
    }
    case PW_FT_BOOLEAN: return 0;
    }
    return 0;
}

/* The body's top level is an object with exactly "properties"; walk it
 * as a pseudo-object whose table path is "". */
static int walk_top(json_t *root, struct pw_api_err *e)
{
    if (!json_is_object(root))
        return pw_api_err_set(e, 400, "InvalidRequestBody", "",
                              "request body must be a JSON object {\"properties\": {...}}");
    const char *key;
    json_t *child;
    json_object_foreach(root, key, child)
    {
        if (strcmp(key, "properties") != 0)
            return pw_api_err_set(e, 400, "UnknownField", key,
                                  "unknown field '%.64s' (the body is {\"properties\": {...}})",
                                  key);
        if (walk(child, "properties", "properties", e))
            return -1;
    }
    if (!json_object_get(root, "properties"))
        return pw_api_err_set(e, 400, "MissingField", "properties", "properties is required");
    return 0;
}

static long long int_or_default(json_t *obj, const char *key, const char *sp)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (v && json_is_integer(v))
        return json_integer_value(v);
    const struct pw_field_spec *f = spec_find(sp);
    return f ? f->def : 0;
}

static int parse_target(const char *t, struct pw_capreq *out, struct pw_api_err *e)
{
    const char *p = t;
    out->nifaces = 0;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0) {
            if (!semi)
                break;
            return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                  "properties.target has an empty interface name");
        }
        if (n > 15)
            return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                  "properties.target: interface name '%.*s' is longer than 15 "
                                  "characters",
                                  (int)n, p);
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (!isalnum(c) && !strchr("_.:@-+", c))
                return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                      "properties.target: '%.*s' is not an interface name", (int)n,
                                      p);
        }
        if (out->nifaces == PW_MAX_TARGET_IFACES)
            return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                  "properties.target names more than %u interfaces",
                                  PW_MAX_TARGET_IFACES);
        memcpy(out->ifaces[out->nifaces], p, n);
        out->ifaces[out->nifaces][n] = '\0';
        for (size_t k = 0; k < out->nifaces; k++)
            if (strcmp(out->ifaces[k], out->ifaces[out->nifaces]) == 0)
                return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                      "properties.target names '%s' twice", out->ifaces[k]);
        out->nifaces++;
        p = semi ? semi + 1 : p + n;
        if (!semi)
            break;
    }
    if (out->nifaces == 0)
        return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                              "properties.target must name an interface of this host, or 'any'");
    for (size_t k = 0; k < out->nifaces && out->nifaces > 1; k++)
        if (strcmp(out->ifaces[k], "any") == 0)
            return pw_api_err_set(e, 400, "InvalidValue", "properties.target",
                                  "properties.target: 'any' already covers every interface; do "
                                  "not list it with others");
    return 0;
}

static bool has_capture_ext(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return false;
    return strcasecmp(dot, ".cap") == 0 || strcasecmp(dot, ".pcap") == 0;
}

static json_t *str_or_empty(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_string(v && json_is_string(v) ? json_string_value(v) : "");
}

int pw_capreq_parse(const char *body, size_t len, const char *name, const char *root_canon,
                    struct pw_capreq *out, struct pw_api_err *e)
{
    json_error_t jerr;
    memset(out, 0, sizeof(*out));
    if (!pw_capreq_name_ok(name, e))
        return -1;
    if (len == 0)
        return pw_api_err_set(e, 400, "InvalidRequestBody", "",
                              "request body is empty; expected {\"properties\": {...}}");
    if (len > PW_MAX_API_BODY)
        return pw_api_err_set(e, 413, "RequestTooLarge", "", "request body is larger than %u bytes",
                              PW_MAX_API_BODY);
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return pw_api_err_set(e, 400, "InvalidJson", "",
                              "request body is not valid JSON: %s (line %d, column %d)", jerr.text,
                              jerr.line, jerr.column);
    int rc = -1;
    if (walk_top(root, e))
        goto out;

    json_t *p = json_object_get(root, "properties");
    json_t *loc = json_object_get(p, "storageLocation");
    json_t *cs = json_object_get(p, "captureSettings");
    json_t *cc = json_object_get(p, "continuousCapture");
    json_t *filters = json_object_get(p, "filters");
    json_t *bpf = json_object_get(p, "bpfFilter");

    if (parse_target(json_string_value(json_object_get(p, "target")), out, e))
        goto out;
    out->continuous = !cc || json_is_null(cc) ? -1 : json_is_true(cc) ? 1 : 0;
    out->snaplen = (uint32_t)int_or_default(p, "bytesToCapturePerPacket",
                                            "properties.bytesToCapturePerPacket");
    if (out->continuous < 0) {
        out->total_bytes =
            (uint64_t)int_or_default(p, "totalBytesPerSession", "properties.totalBytesPerSession");
        out->time_limit =
            (uint32_t)int_or_default(p, "timeLimitInSeconds", "properties.timeLimitInSeconds");
        if (cs) {
            pw_api_err_set(e, 400, "InvalidCombination", "properties.captureSettings",
                           "properties.captureSettings is used only with continuousCapture true "
                           "or false");
            goto out;
        }
    } else {
        /* Continuous sessions are bounded by count x size and their own
         * time limit; silently ignoring the classic limits would surprise. */
        if (json_object_get(p, "timeLimitInSeconds")) {
            pw_api_err_set(e, 400, "InvalidCombination", "properties.timeLimitInSeconds",
                           "properties.timeLimitInSeconds applies to classic captures; with "
                           "continuousCapture use captureSettings.sessionTimeLimitInSeconds");
            goto out;
        }
        if (json_object_get(p, "totalBytesPerSession")) {
            pw_api_err_set(e, 400, "InvalidCombination", "properties.totalBytesPerSession",
                           "properties.totalBytesPerSession applies to classic captures; with "
                           "continuousCapture the size is captureSettings.fileCount x "
                           "fileSizeInBytes");
            goto out;
        }
        out->file_count =
            (uint32_t)int_or_default(cs, "fileCount", "properties.captureSettings.fileCount");
        out->file_size = (uint64_t)int_or_default(cs, "fileSizeInBytes",
                                                  "properties.captureSettings.fileSizeInBytes");
        out->session_time =
            (uint32_t)int_or_default(cs, "sessionTimeLimitInSeconds",
                                     "properties.captureSettings.sessionTimeLimitInSeconds");
    }

    /* Storage: filePath for classic captures, localPath otherwise. */
    json_t *fp = loc ? json_object_get(loc, "filePath") : NULL;
    json_t *lp = loc ? json_object_get(loc, "localPath") : NULL;
    const char *path_field = out->continuous < 0 ? "filePath" : "localPath";
    char tpath[PATHBUF];
    snprintf(tpath, sizeof(tpath), "properties.storageLocation.%s", path_field);
    if (out->continuous < 0 && lp) {
        pw_api_err_set(e, 400, "InvalidCombination", "properties.storageLocation.localPath",
                       "properties.storageLocation.localPath is used only with continuousCapture "
                       "true or false; use filePath");
        goto out;
    }
    if (out->continuous >= 0 && fp) {
        pw_api_err_set(e, 400, "InvalidCombination", "properties.storageLocation.filePath",
                       "properties.storageLocation.filePath is invalid with continuousCapture; "
                       "use localPath");
        goto out;
    }
    char given[PW_MAX_CAPTURE_PATH + 8];
    json_t *pv = out->continuous < 0 ? fp : lp;
    if (pv)
        snprintf(given, sizeof(given), "%s", json_string_value(pv));
    else
        snprintf(given, sizeof(given), "%s.cap", name);
    struct pw_error perr;
    if (pw_path_confine(root_canon, given, out->rel_path, sizeof(out->rel_path), &perr)) {
        pw_api_err_set(e, 400, "InvalidPath", tpath, "%s: %s", tpath, perr.msg);
        goto out;
    }
    if (!has_capture_ext(out->rel_path)) {
        pw_api_err_set(e, 400, "InvalidPath", tpath, "%s must end in .cap or .pcap", tpath);
        goto out;
    }

    /* Filters. */
    struct pw_bpf_tuple tuples[PW_MAX_FILTERS];
    size_t nt = filters ? json_array_size(filters) : 0;
    for (size_t i = 0; i < nt; i++) {
        json_t *f = json_array_get(filters, i);
        tuples[i] = (struct pw_bpf_tuple){
            .protocol = json_string_value(json_object_get(f, "protocol")),
            .local_ip = json_string_value(json_object_get(f, "localIPAddress")),
            .remote_ip = json_string_value(json_object_get(f, "remoteIPAddress")),
            .local_port = json_string_value(json_object_get(f, "localPort")),
            .remote_port = json_string_value(json_object_get(f, "remotePort")),
        };
    }
    const char *raw = bpf ? json_string_value(bpf) : NULL;
    if (pw_bpf_from_tuples(tuples, nt, raw, out->filter, sizeof(out->filter), &perr) < 0) {
        char tgt[PATHBUF];
        const char *colon = strchr(perr.msg, ':');
        snprintf(tgt, sizeof(tgt), "properties.%.*s", colon ? (int)(colon - perr.msg) : 7,
                 colon ? perr.msg : "filters");
        pw_api_err_set(e, 400, "InvalidFilter", tgt, "properties.%s", perr.msg);
        goto out;
    }
    if (pw_bpf_compile_check(out->filter, DLT_EN10MB, &perr)) {
        const char *tgt = raw && *raw ? "properties.bpfFilter" : "properties.filters";
        pw_api_err_set(e, 400, "InvalidFilter", tgt, "%s: filter does not compile: %s", tgt,
                       perr.msg);
        goto out;
    }

    /* The normalised echo: every field with its default, as the reference
     * service returns them (unspecified filter fields as ""). */
    json_t *np = json_object();
    json_t *nf = json_array();
    char tgtjoin[PW_MAX_TARGET_IFACES * 17] = "";
    size_t tl = 0;
    for (size_t i = 0; i < out->nifaces; i++)
        tl += (size_t)snprintf(tgtjoin + tl, sizeof(tgtjoin) - tl, "%s%s", i ? ";" : "",
                               out->ifaces[i]);
    json_object_set_new(np, "target", json_string(tgtjoin));
    json_object_set_new(np, "bytesToCapturePerPacket", json_integer(out->snaplen));
    if (out->continuous < 0) {
        json_object_set_new(np, "totalBytesPerSession", json_integer((json_int_t)out->total_bytes));
        json_object_set_new(np, "timeLimitInSeconds", json_integer(out->time_limit));
    }
    char abs[PW_MAX_CAPTURE_PATH + PATHBUF + 2];
    snprintf(abs, sizeof(abs), "%s/%s", root_canon, out->rel_path);
    json_t *nloc = json_object();
    json_object_set_new(nloc, path_field, json_string(abs));
    json_object_set_new(np, "storageLocation", nloc);
    for (size_t i = 0; i < nt; i++) {
        json_t *f = json_array_get(filters, i);
        json_t *o = json_object();
        json_object_set_new(o, "protocol", json_string(pw_bpf_proto_canon(tuples[i].protocol)));
        json_object_set_new(o, "localIPAddress", str_or_empty(f, "localIPAddress"));
        json_object_set_new(o, "remoteIPAddress", str_or_empty(f, "remoteIPAddress"));
        json_object_set_new(o, "localPort", str_or_empty(f, "localPort"));
        json_object_set_new(o, "remotePort", str_or_empty(f, "remotePort"));
        json_array_append_new(nf, o);
    }
    json_object_set_new(np, "filters", nf);
    json_object_set_new(np, "bpfFilter", json_string(raw ? raw : ""));
    if (out->continuous < 0) {
        json_object_set_new(np, "continuousCapture", json_null());
    } else {
        json_object_set_new(np, "continuousCapture", json_boolean(out->continuous));
        json_t *ncs = json_object();
        json_object_set_new(ncs, "fileCount", json_integer(out->file_count));
        json_object_set_new(ncs, "fileSizeInBytes", json_integer((json_int_t)out->file_size));
        json_object_set_new(ncs, "sessionTimeLimitInSeconds", json_integer(out->session_time));
        json_object_set_new(np, "captureSettings", ncs);
    }
    out->props = np;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

void pw_capreq_clear(struct pw_capreq *r)
{
    if (r) {
        json_decref(r->props);
        r->props = NULL;
    }
}
