/* Validation of `PUT /packetCaptures/{name}` bodies.
 *
 * The accepted fields are data: a table of JSON paths with their type,
 * range, default and whether they are required (pw_capreq_fields). The
 * validator walks the body against that table, so unknown fields, wrong types
 * and out-of-range numbers are refused in one place, and the same table is
 * compared with docs/openapi.json by `pktwatchd --check-openapi`.
 *
 * Field names, defaults and ranges are those of the reference service's
 * PacketCaptureParameters; `bpfFilter` and protocol `ICMP` are ours. */
#ifndef PW_AGENT_REQUEST_H
#define PW_AGENT_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* An API error: HTTP status, a short code, the JSON path of the field at
 * fault ("" when none) and a message for humans. */
struct pw_api_err {
    int status;
    char code[40];
    char target[160];
    char msg[512];
};

int pw_api_err_set(struct pw_api_err *e, int status, const char *code, const char *target,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

enum pw_ftype { PW_FT_OBJECT, PW_FT_ARRAY, PW_FT_STRING, PW_FT_INTEGER, PW_FT_BOOLEAN };

enum {
    PW_FF_REQUIRED = 1u << 0,
    PW_FF_NULLABLE = 1u << 1,
    /* A field of the reference API that this agent refuses with a specific
     * message (e.g. storageId: we write local files only). */
    PW_FF_UNSUPPORTED = 1u << 2,
    PW_FF_HAS_DEFAULT = 1u << 3,
};

struct pw_field_spec {
    const char *path; /* "properties.filters[].localPort"; "[]" = array items */
    enum pw_ftype type;
    unsigned flags;
    long long min, max;             /* integers: value range; strings/arrays: max length */
    long long def;                  /* integer or boolean default (PW_FF_HAS_DEFAULT) */
    const char *def_str;            /* string default (PW_FF_HAS_DEFAULT), or NULL */
    const char *const *enum_values; /* strings: allowed values (NULL-terminated), or NULL */
    const char *note;               /* unsupported fields: why; others: short description */
};

extern const struct pw_field_spec pw_capreq_fields[];
extern const size_t pw_capreq_nfields;

/* A validated create request, with defaults filled in. */
struct pw_capreq {
    char ifaces[PW_MAX_TARGET_IFACES][16];
    size_t nifaces;
    uint32_t snaplen;      /* bytesToCapturePerPacket, 0 = whole packet */
    uint64_t total_bytes;  /* totalBytesPerSession, 0 = no limit (classic only) */
    uint32_t time_limit;   /* timeLimitInSeconds, 0 = no limit (classic only) */
    int continuous;        /* -1 = classic (absent/null), 0 = false, 1 = true */
    uint32_t file_count;   /* captureSettings.fileCount (continuous only) */
    uint64_t file_size;    /* captureSettings.fileSizeInBytes */
    uint32_t session_time; /* captureSettings.sessionTimeLimitInSeconds, 0 = no limit */
    char rel_path[PW_MAX_CAPTURE_PATH + 1]; /* root-relative capture file (or base) */
    char filter[PW_MAX_BPF_EXPR + 1];       /* the generated libpcap expression */
    json_t *props;                          /* the normalised properties to echo back (owned) */
};

/* Session names: 1..80 of [A-Za-z0-9_.-], starting with a letter or digit
 * and ending with a letter, digit or '_' (the reference service's rule). */
bool pw_capreq_name_ok(const char *name, struct pw_api_err *e);

/* Parses and validates a body. `root_canon` is the capture root's canonical
 * path (paths are confined to it). On success returns 0 and fills `out`
 * (release with pw_capreq_clear); on failure returns -1 with `e` set
 * (status 400 for anything in the body). Pure: touches no file or
 * interface; the filter is compiled with pcap_compile for Ethernet. */
int pw_capreq_parse(const char *body, size_t len, const char *name, const char *root_canon,
                    struct pw_capreq *out, struct pw_api_err *e);
void pw_capreq_clear(struct pw_capreq *r);

/* Names of the JSON types, for messages and the OpenAPI check. */
const char *pw_ftype_name(enum pw_ftype t);

#endif
