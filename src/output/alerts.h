/* `pktwatch alerts` outputs: a readable list grouped by severity, and JSON
 * for scripts (keys documented in the README, stable). */
#ifndef PW_OUTPUT_ALERTS_H
#define PW_OUTPUT_ALERTS_H

#include <jansson.h>
#include <stdio.h>

#include "classify/alerts.h"

struct pw_alerts_report {
    const char *file;
    const struct pw_alerts *alerts; /* finished (pw_alerts_finish) */
    const char *engine;             /* classifier name and version */
    const char *policy;             /* "built-in", "built-in + FILE" or "FILE" */
    const char *filter;             /* -Y expression, or NULL */
    unsigned fail_on;               /* --fail-on level, PW_SEV_NONE when not given */
};

void pw_alerts_text(FILE *f, const struct pw_alerts_report *r);
json_t *pw_alerts_json(const struct pw_alerts_report *r);

/* "192.0.2.1:80", "[2001:db8::1]:443", or the bare address when port is 0. */
char *pw_alert_endpoint(char *buf, size_t n, int family, const uint8_t *addr, uint16_t port);

#endif
