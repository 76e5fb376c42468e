/* The REST API of pktwatchd over libmicrohttpd, run from the daemon's own
 * event loop (MHD in external epoll mode: the loop polls pw_api_fd()).
 *
 * Routes are a table (pw_api_routes) so that dispatch, the 405 Allow header
 * and the OpenAPI check all read the same data. */
#ifndef PW_AGENT_API_H
#define PW_AGENT_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "agent/sessions.h"
#include "util/error.h"

enum pw_route_id {
    PW_R_LIST,
    PW_R_CREATE,
    PW_R_GET,
    PW_R_DELETE,
    PW_R_STOP,
    PW_R_STATUS,
    PW_R_FILE,
    PW_R_ANALYSIS
};

struct pw_route {
    const char *method;
    const char *path; /* "{packetCaptureName}" matches one session name */
    enum pw_route_id id;
    bool takes_body;
    const char *const *query; /* accepted query parameters, NULL-terminated */
};

extern const struct pw_route pw_api_routes[];
extern const size_t pw_api_nroutes;

struct pw_api_cfg {
    const char *listen; /* "127.0.0.1:8440", "[::1]:8440"; port 0 picks one */
    const char *token;  /* NULL: no authentication */
    struct pw_sessmgr *mgr;
    void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
};

struct pw_api;

int pw_api_start(struct pw_api **out, const struct pw_api_cfg *cfg, struct pw_error *err);
void pw_api_stop(struct pw_api *api);
int pw_api_fd(const struct pw_api *api);
unsigned pw_api_port(const struct pw_api *api);
/* Processes whatever is ready; never blocks. */
void pw_api_run(struct pw_api *api);
/* Milliseconds until MHD needs to run again for its own timeouts, or -1. */
int pw_api_timeout_ms(struct pw_api *api);

/* Parses "host:port" / "[v6]:port"; true on success. */
bool pw_api_parse_listen(const char *s, char *host, size_t host_cap, unsigned *port);
/* Whether a listen address is a loopback address. */
bool pw_api_listen_is_loopback(const char *s);

/* The JSON documents the API returns, exported for the OpenAPI check. */
json_t *pw_api_result_json(struct pw_sessmgr *m, const struct pw_session *s);
json_t *pw_api_status_json(struct pw_sessmgr *m, const struct pw_session *s);
json_t *pw_api_error_json(const struct pw_api_err *e);
/* GET .../analysis: the session's part ({name, packetCaptureStatus, complete,
 * files}; takes `files`), then the whole document from it and the analysis
 * (pw_agent_analysis_json(); both consumed). */
json_t *pw_api_analysis_head(const struct pw_session *s, json_t *files);
json_t *pw_api_analysis_json(json_t *head, json_t *part);

/* Compares docs/openapi.json with the routes, the request field table and
 * sample responses. Prints one line per difference to `out`; returns the
 * number of differences (or -1 when the file cannot be read). */
int pw_api_check_openapi(const char *path, FILE *out);
/* Prints the route and field tables (for `pktwatchd --api-table`). */
void pw_api_print_table(FILE *out);

#endif
