/* Keeps docs/openapi.json honest: compares it with the route table, the
 * request field table and documents produced by the real response code.
 * Run by `pktwatchd --check-openapi FILE` from tests/e2e/openapi.sh. */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agent/analysis.h"
#include "agent/api.h"
#include "agent/request.h"

struct chk {
    json_t *doc;
    FILE *out;
    int diffs;
};

static void diff(struct chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diff(struct chk *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("openapi: ", k->out);
    vfprintf(k->out, fmt, ap);
    fputc('\n', k->out);
    va_end(ap);
    k->diffs++;
}

/* Follows "$ref": "#/components/<kind>/<name>" (a few levels at most). */
static json_t *resolve(struct chk *k, json_t *node)
{
    for (int depth = 0; node && depth < 8; depth++) {
        json_t *ref = json_object_get(node, "$ref");
        if (!json_is_string(ref))
            return node;
        const char *r = json_string_value(ref);
        const char *prefix = "#/components/";
        const char *slash =
            strncmp(r, prefix, strlen(prefix)) == 0 ? strchr(r + strlen(prefix), '/') : NULL;
        if (!slash) {
            diff(k, "unsupported $ref '%s'", r);
            return NULL;
        }
        char kind[64];
        size_t kl = (size_t)(slash - r) - strlen(prefix);
        if (kl >= sizeof(kind)) {
            diff(k, "unsupported $ref '%s'", r);
            return NULL;
        }
        memcpy(kind, r + strlen(prefix), kl);
        kind[kl] = '\0';
        node = json_object_get(json_object_get(json_object_get(k->doc, "components"), kind),
                               slash + 1);
        if (!node)
            diff(k, "$ref '%s' points nowhere", r);
    }
    return node;
}

static void lower(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

static bool in_list(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static void check_routes(struct chk *k)
{
    json_t *paths = json_object_get(k->doc, "paths");
    if (!json_is_object(paths)) {
        diff(k, "no 'paths' object");
        return;
    }
    static const char *const methods[] = {"get",   "put",  "post",    "delete",
                                          "patch", "head", "options", NULL};
    for (size_t i = 0; i < pw_api_nroutes; i++) {
        const struct pw_route *r = &pw_api_routes[i];
        char m[16];
        lower(r->method, m, sizeof(m));
        json_t *pi = json_object_get(paths, r->path);
        json_t *op = pi ? json_object_get(pi, m) : NULL;
        if (!op) {
            diff(k, "route %s %s is served but not documented", r->method, r->path);
            continue;
        }
        /* Parameters may sit on the path item or the operation. */
        bool seen_path_param = false;
        size_t nq = 0;
        json_t *lists[2] = {json_object_get(pi, "parameters"), json_object_get(op, "parameters")};
        for (int l = 0; l < 2; l++) {
            size_t idx;
            json_t *p;
            json_array_foreach(lists[l], idx, p)
            {
                p = resolve(k, p);
                const char *in = json_string_value(json_object_get(p, "in"));
                const char *name = json_string_value(json_object_get(p, "name"));
                if (!in || !name)
                    continue;
                if (strcmp(in, "path") == 0) {
                    char want[64];
                    snprintf(want, sizeof(want), "{%s}", name);
                    if (!strstr(r->path, want))
                        diff(k, "%s %s: path parameter '%s' is not in the path", r->method, r->path,
                             name);
                    seen_path_param = true;
                } else if (strcmp(in, "query") == 0) {
                    nq++;
                    if (!in_list(r->query, name))
                        diff(k, "%s %s: query parameter '%s' is documented but refused", r->method,
                             r->path, name);
                }
            }
        }
        if (strchr(r->path, '{') && !seen_path_param)
            diff(k, "%s %s: path parameter is not documented", r->method, r->path);
        size_t want_q = 0;
        for (const char *const *q = r->query; q && *q; q++)
            want_q++;
        if (nq != want_q)
            diff(k, "%s %s: %zu query parameters documented, %zu accepted", r->method, r->path, nq,
                 want_q);
        if (r->takes_body && !json_object_get(op, "requestBody"))
            diff(k, "%s %s takes a body that is not documented", r->method, r->path);
        if (!r->takes_body && json_object_get(op, "requestBody"))
            diff(k, "%s %s documents a body the agent refuses", r->method, r->path);
    }
    const char *path;
    json_t *pi;
    json_object_foreach(paths, path, pi)
    {
        for (const char *const *mm = methods; *mm; mm++) {
            if (!json_object_get(pi, *mm))
                continue;
            bool found = false;
            for (size_t i = 0; i < pw_api_nroutes && !found; i++) {
                char m[16];
                lower(pw_api_routes[i].method, m, sizeof(m));
                found = strcmp(m, *mm) == 0 && strcmp(pw_api_routes[i].path, path) == 0;
            }
            if (!found)
                diff(k, "%s %s is documented but not served", *mm, path);
        }
    }
}

static const char *schema_type(json_t *s)
{
    return json_string_value(json_object_get(s, "type"));
}

static bool schema_nullable(json_t *s)
{
    return json_is_true(json_object_get(s, "nullable"));
}

static bool is_required(json_t *parent, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(parent, "required"), i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
            return true;
    }
    return false;
}

static void check_int(struct chk *k, const char *path, json_t *s, const char *kw, long long want)
{
    json_t *v = json_object_get(s, kw);
    if (!json_is_integer(v))
        diff(k, "field %s: %s should be %lld, is not given", path, kw, want);
    else if (json_integer_value(v) != want)
        diff(k, "field %s: %s is %lld in the document, %lld in the agent", path, kw,
             (long long)json_integer_value(v), want);
}

/* One field of the request table against its schema node. */
static void check_field(struct chk *k, const struct pw_field_spec *f, json_t *s, json_t *parent,
                        const char *key)
{
    const char *t = schema_type(s);
    if (!t || strcmp(t, pw_ftype_name(f->type)) != 0) {
        diff(k, "field %s: type is %s in the document, %s in the agent", f->path, t ? t : "(none)",
             pw_ftype_name(f->type));
        return;
    }
    if (key && is_required(parent, key) != !!(f->flags & PW_FF_REQUIRED))
        diff(k, "field %s: required is %s in the agent", f->path,
             f->flags & PW_FF_REQUIRED ? "true" : "false");
    if (schema_nullable(s) != !!(f->flags & PW_FF_NULLABLE))
        diff(k, "field %s: nullable is %s in the agent", f->path,
             f->flags & PW_FF_NULLABLE ? "true" : "false");
    switch (f->type) {
    case PW_FT_INTEGER:
        check_int(k, f->path, s, "minimum", f->min);
        check_int(k, f->path, s, "maximum", f->max);
        break;
    case PW_FT_STRING:
        if (f->max)
            check_int(k, f->path, s, "maxLength", f->max);
        if (f->min)
            check_int(k, f->path, s, "minLength", f->min);
        if (f->enum_values) {
            json_t *en = json_object_get(s, "enum");
            size_t n = 0;
            for (const char *const *e = f->enum_values; *e; e++, n++) {
                bool found = false;
                size_t i;
                json_t *v;
                json_array_foreach(en, i, v)
                {
                    found |= json_is_string(v) && strcmp(json_string_value(v), *e) == 0;
                }
                if (!found)
                    diff(k, "field %s: enum value %s is accepted but not documented", f->path, *e);
            }
            if (json_array_size(en) != n)
                diff(k, "field %s: %zu enum values documented, %zu accepted", f->path,
                     json_array_size(en), n);
        }
        break;
    case PW_FT_ARRAY:
        if (f->max)
            check_int(k, f->path, s, "maxItems", f->max);
        break;
    default: break;
    }
    json_t *d = json_object_get(s, "default");
    if (f->flags & PW_FF_HAS_DEFAULT) {
        if (f->def_str) {
            if (!json_is_string(d) || strcmp(json_string_value(d), f->def_str) != 0)
                diff(k, "field %s: default should be \"%s\"", f->path, f->def_str);
        } else if (!json_is_integer(d) || json_integer_value(d) != f->def) {
            diff(k, "field %s: default should be %lld", f->path, f->def);
        }
    } else if (d) {
        diff(k, "field %s: documents a default the agent does not apply", f->path);
    }
}

/* Walks the request schema; marks the table entries seen. */
static void walk_request(struct chk *k, json_t *s, const char *path, json_t *parent,
                         const char *key, bool *seen)
{
    s = resolve(k, s);
    if (!s)
        return;
    const struct pw_field_spec *f = NULL;
    for (size_t i = 0; path[0] && i < pw_capreq_nfields; i++) {
        if (strcmp(pw_capreq_fields[i].path, path) == 0) {
            f = &pw_capreq_fields[i];
            seen[i] = true;
        }
    }
    if (path[0] && !f) {
        diff(k, "field %s is documented but the agent refuses it", path);
        return;
    }
    if (f && (f->flags & PW_FF_UNSUPPORTED)) {
        diff(k, "field %s is documented but the agent refuses it (%s)", path, f->note);
        return;
    }
    if (f)
        check_field(k, f, s, parent, key);
    const char *t = schema_type(s);
    if (t && strcmp(t, "object") == 0) {
        const char *pk;
        json_t *ps;
        json_t *props = json_object_get(s, "properties");
        if (!json_is_false(json_object_get(s, "additionalProperties")))
            diff(k,
                 "%s: objects must say additionalProperties: false (unknown fields are "
                 "refused)",
                 path[0] ? path : "(request body)");
        json_object_foreach(props, pk, ps)
        {
            char child[256];
            snprintf(child, sizeof(child), "%s%s%s", path, path[0] ? "." : "", pk);
            walk_request(k, ps, child, s, pk, seen);
        }
    } else if (t && strcmp(t, "array") == 0) {
        char child[256];
        snprintf(child, sizeof(child), "%s[]", path);
        walk_request(k, json_object_get(s, "items"), child, NULL, NULL, seen);
    }
}

static void check_request(struct chk *k)
{
    json_t *op = json_object_get(
        json_object_get(json_object_get(k->doc, "paths"), "/packetCaptures/{packetCaptureName}"),
        "put");
    json_t *schema = json_object_get(
        json_object_get(json_object_get(json_object_get(op, "requestBody"), "content"),
                        "application/json"),
        "schema");
    if (!schema) {
        diff(k, "PUT /packetCaptures/{packetCaptureName}: no application/json request schema");
        return;
    }
    bool seen[64] = {false};
    if (pw_capreq_nfields > 64) {
        diff(k, "internal: field table too large for the check");
        return;
    }
    walk_request(k, schema, "", NULL, NULL, seen);
    for (size_t i = 0; i < pw_capreq_nfields; i++)
        if (!seen[i] && !(pw_capreq_fields[i].flags & PW_FF_UNSUPPORTED))
            diff(k, "field %s is accepted but not documented", pw_capreq_fields[i].path);
}

/* A produced document against its schema: every key documented, every
 * required key present, every type right. */
static void check_doc(struct chk *k, json_t *v, json_t *s, const char *where)
{
    s = resolve(k, s);
    if (!s)
        return;
    if (json_is_null(v)) {
        if (!schema_nullable(s))
            diff(k, "%s: null is returned but the schema is not nullable", where);
        return;
    }
    const char *t = schema_type(s);
    const char *vt = json_is_object(v)    ? "object"
                     : json_is_array(v)   ? "array"
                     : json_is_string(v)  ? "string"
                     : json_is_integer(v) ? "integer"
                     : json_is_boolean(v) ? "boolean"
                                          : "number";
    if (!t || strcmp(t, vt) != 0) {
        diff(k, "%s: returned as %s, documented as %s", where, vt, t ? t : "(none)");
        return;
    }
    if (json_is_string(v)) {
        json_t *en = json_object_get(s, "enum");
        if (en) {
            bool found = false;
            size_t i;
            json_t *e;
            json_array_foreach(en, i, e)
            {
                found |= json_equal(e, v);
            }
            if (!found)
                diff(k, "%s: value '%s' is not in the documented enum", where,
                     json_string_value(v));
        }
    } else if (json_is_object(v)) {
        json_t *props = json_object_get(s, "properties");
        bool open = json_is_true(json_object_get(s, "additionalProperties"));
        const char *key;
        json_t *child;
        char w[256];
        json_object_foreach(v, key, child)
        {
            snprintf(w, sizeof(w), "%s.%s", where, key);
            json_t *cs = json_object_get(props, key);
            if (!cs && open)
                continue; /* documented elsewhere (the CLI's JSON) */
            if (!cs)
                diff(k, "%s is returned but not documented", w);
            else
                check_doc(k, child, cs, w);
        }
        size_t i;
        json_t *req;
        json_array_foreach(json_object_get(s, "required"), i, req)
        {
            if (json_is_string(req) && !json_object_get(v, json_string_value(req)))
                diff(k, "%s.%s is documented as required but not returned", where,
                     json_string_value(req));
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        char w[256];
        json_array_foreach(v, i, item)
        {
            snprintf(w, sizeof(w), "%s[%zu]", where, i);
            check_doc(k, item, json_object_get(s, "items"), w);
        }
    }
}

static json_t *response_schema(struct chk *k, const char *path, const char *method,
                               const char *status)
{
    json_t *r = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(k->doc, "paths"), path), method),
            "responses"),
        status);
    r = resolve(k, r);
    json_t *s = json_object_get(json_object_get(json_object_get(r, "content"), "application/json"),
                                "schema");
    if (!s)
        diff(k, "%s %s: no application/json schema for response %s", method, path, status);
    return s;
}

static void check_responses(struct chk *k)
{
    static const char *const bodies[] = {
        "{\"properties\":{\"target\":\"eth0\",\"bytesToCapturePerPacket\":100,"
        "\"totalBytesPerSession\":1000,\"timeLimitInSeconds\":60,"
        "\"storageLocation\":{\"filePath\":\"a/b.cap\"},\"filters\":[{\"protocol\":\"tcp\","
        "\"localIPAddress\":\"10.0.0.1\",\"remoteIPAddress\":\"10.0.0.2-10.0.0.9\","
        "\"localPort\":\"80;443\",\"remotePort\":\"1000-2000\"},{\"protocol\":\"ICMP\"}],"
        "\"bpfFilter\":\"not arp\",\"continuousCapture\":null}}",
        "{\"properties\":{\"target\":\"any\",\"storageLocation\":{\"localPath\":\"r/x.cap\"},"
        "\"continuousCapture\":true,\"captureSettings\":{\"fileCount\":3,"
        "\"fileSizeInBytes\":10000,\"sessionTimeLimitInSeconds\":100}}}",
    };
    json_t *rs = response_schema(k, "/packetCaptures/{packetCaptureName}", "get", "200");
    json_t *cs = response_schema(k, "/packetCaptures/{packetCaptureName}", "put", "201");
    json_t *ss =
        response_schema(k, "/packetCaptures/{packetCaptureName}/queryStatus", "post", "200");
    json_t *ls = response_schema(k, "/packetCaptures", "get", "200");
    json_t *es = response_schema(k, "/packetCaptures/{packetCaptureName}", "put", "400");
    json_t *list = json_object();
    json_t *arr = json_array();
    json_object_set_new(list, "value", arr);
    for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
        struct pw_capreq req;
        struct pw_api_err e;
        if (pw_capreq_parse(bodies[b], strlen(bodies[b]), "sample", "/var/captures", &req, &e)) {
            diff(k, "internal: sample request %zu refused: %s", b, e.msg);
            continue;
        }
        struct pw_session s;
        memset(&s, 0, sizeof(s));
        snprintf(s.name, sizeof(s.name), "sample");
        s.props = req.props;
        s.filter = req.filter;
        s.etag = 3;
        s.continuous = req.continuous;
        char f1[] = "a/b.cap", f2[] = "a/b_2.cap";
        char *files[2] = {f1, f2};
        s.files = files;
        s.nfiles = 2;
        s.files_written = 2;
        s.packets = 10;
        s.bytes = 1000;
        s.created_ns = s.start_ns = 1700000000000000000LL;
        /* Running, then stopped with every optional status field set. */
        for (int phase = 0; phase < 2; phase++) {
            s.status = phase ? PW_SESS_ERROR : PW_SESS_RUNNING;
            s.stop_reason = phase ? PW_STOP_ERROR : PW_STOP_NONE;
            s.stop_ns = phase ? s.start_ns + 1000000000LL : 0;
            s.errors = phase ? 0x1fu : 0;
            snprintf(s.errmsg, sizeof(s.errmsg), "%s", phase ? "capture failed" : "");
            json_t *st = pw_api_status_json(NULL, &s);
            if (ss)
                check_doc(k, st, ss, "queryStatus");
            json_decref(st);
        }
        json_t *res = pw_api_result_json(NULL, &s);
        if (rs)
            check_doc(k, res, rs, "result");
        if (cs)
            check_doc(k, res, cs, "create result");
        json_array_append_new(arr, res);
        pw_capreq_clear(&req);
    }
    if (ls)
        check_doc(k, list, ls, "list");
    json_decref(list);
    struct pw_api_err e;
    pw_api_err_set(&e, 400, "InvalidValue", "properties.target", "sample");
    json_t *ej = pw_api_error_json(&e);
    if (es)
        check_doc(k, ej, es, "error");
    json_decref(ej);
}

/* GET .../analysis: the real analysis of a tiny capture (one record, then,
 * the second time, a record cut short), for a running and a stopped
 * session. */
static void check_analysis(struct chk *k)
{
    json_t *as = response_schema(k, "/packetCaptures/{packetCaptureName}/analysis", "get", "200");
    static const uint8_t cap[] = {
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
        /* record: 2023-11-14, 14 bytes of Ethernet (type 0x88b5, local experimental) */
        0x00, 0x53, 0x53, 0x65, 0, 0, 0, 0, 14, 0, 0, 0, 14, 0, 0, 0, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0,
        0, 2, 0x88, 0xb5,
        /* a record header promising more than follows */
        0x01, 0x53, 0x53, 0x65, 0, 0, 0, 0, 14, 0, 0, 0, 14, 0, 0, 0, 2, 0, 0};
    int fd = memfd_create("pwcheck", MFD_CLOEXEC);
    if (!as || fd < 0 || write(fd, cap, sizeof(cap)) != (ssize_t)sizeof(cap)) {
        if (fd >= 0)
            close(fd);
        if (as)
            diff(k, "internal: cannot write a sample capture");
        return;
    }
    for (int phase = 0; phase < 2; phase++) {
        struct pw_segment seg = {fd, 0, phase ? sizeof(cap) : 24 + 16 + 14};
        struct pw_analysis_in in = {&seg, 1, "sample.pcap", NULL};
        struct pw_error err = {0};
        json_t *part = pw_agent_analysis_json(&in, &err);
        if (!part) {
            diff(k, "internal: sample analysis failed: %s", err.msg);
            continue;
        }
        if (json_is_null(json_object_get(part, "damage")) != !phase)
            diff(k, "internal: sample analysis %s damage", phase ? "misses the" : "reports");
        struct pw_session s;
        memset(&s, 0, sizeof(s));
        snprintf(s.name, sizeof(s.name), "sample");
        s.status = phase ? PW_SESS_STOPPED : PW_SESS_RUNNING;
        json_t *files = json_array(), *f = json_object();
        json_object_set_new(f, "path", json_string("/var/captures/sample.cap"));
        json_object_set_new(f, "sizeInBytes", json_integer((json_int_t)seg.len));
        json_array_append_new(files, f);
        json_t *doc = pw_api_analysis_json(pw_api_analysis_head(&s, files), part);
        check_doc(k, doc, as, "analysis");
        json_decref(doc);
    }
    close(fd);
}

int pw_api_check_openapi(const char *path, FILE *out)
{
    json_error_t je;
    struct chk k = {.out = out};
    k.doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!k.doc) {
        fprintf(out, "openapi: %s: %s (line %d)\n", path, je.text, je.line);
        return -1;
    }
    check_routes(&k);
    check_request(&k);
    check_responses(&k);
    check_analysis(&k);
    json_decref(k.doc);
    return k.diffs;
}

void pw_api_print_table(FILE *out)
{
    for (size_t i = 0; i < pw_api_nroutes; i++) {
        const struct pw_route *r = &pw_api_routes[i];
        fprintf(out, "route\t%s\t%s\tbody=%s\tquery=", r->method, r->path,
                r->takes_body ? "yes" : "no");
        for (const char *const *q = r->query; q && *q; q++)
            fprintf(out, "%s%s", q == r->query ? "" : ",", *q);
        fputc('\n', out);
    }
    for (size_t i = 0; i < pw_capreq_nfields; i++) {
        const struct pw_field_spec *f = &pw_capreq_fields[i];
        fprintf(out, "field\t%s\t%s", f->path, pw_ftype_name(f->type));
        if (f->flags & PW_FF_UNSUPPORTED) {
            fprintf(out, "\tunsupported\t%s\n", f->note);
            continue;
        }
        if (f->flags & PW_FF_REQUIRED)
            fputs("\trequired", out);
        if (f->flags & PW_FF_NULLABLE)
            fputs("\tnullable", out);
        if (f->type == PW_FT_INTEGER)
            fprintf(out, "\t%lld..%lld", f->min, f->max);
        else if (f->max)
            fprintf(out, "\tmax=%lld", f->max);
        if (f->flags & PW_FF_HAS_DEFAULT) {
            if (f->def_str)
                fprintf(out, "\tdefault=%s", f->def_str);
            else
                fprintf(out, "\tdefault=%lld", f->def);
        }
        fputc('\n', out);
    }
}
