/* The alert policy: what traffic is expected, what is not, and how loud each
 * finding is. A small INI-style text file (format in docs/POLICY.md):
 *
 *     [policy]        base = default | none
 *     [applications]  NAME = SEVERITY | allow      (nDPI application names)
 *     [categories]    NAME = SEVERITY | allow      (nDPI category names)
 *     [services]      HOST-OR-SUBNET = PORT, ...   (tcp/22, udp/53, tcp/8000-8100, 443)
 *     [ports]         NAME = PORT, ...             (an application's usual ports)
 *     [alerts]        KIND = SEVERITY | off
 *     [thresholds]    KEY = NUMBER
 *
 * The built-in default policy (pw_policy_default_text()) is written in the
 * same format and parsed by the same code. Parsing only checks the syntax
 * and the limits of src/util/limits.h; application and category names are
 * checked against the classifier later (src/classify/alerts.h), so this
 * parser has no dependency and can be fuzzed alone. */
#ifndef PW_CLASSIFY_POLICY_H
#define PW_CLASSIFY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/limits.h"

/* Severities, in increasing order; PW_SEV_NONE means "allowed" in a rule
 * and "off" for an alert kind. */
enum pw_sev {
    PW_SEV_NONE = 0,
    PW_SEV_INFO,
    PW_SEV_LOW,
    PW_SEV_MEDIUM,
    PW_SEV_HIGH,
    PW_SEV_CRITICAL,
    PW_SEV__COUNT
};

const char *pw_sev_name(unsigned sev); /* "info" ... "critical"; "none" */
int pw_sev_parse(const char *s);       /* PW_SEV_INFO.. or -1 (not "none") */

enum pw_alert_kind {
    PW_AK_UNWANTED_APP = 0,   /* unwanted-application */
    PW_AK_UNEXPECTED_SERVICE, /* unexpected-service */
    PW_AK_PORT_MISMATCH,      /* protocol-port-mismatch */
    PW_AK_SCAN,               /* scan */
    PW_AK_HANDSHAKE,          /* handshake-failures */
    PW_AK_CLEARTEXT,          /* cleartext-credentials */
    PW_AK__COUNT
};

const char *pw_alert_kind_name(unsigned kind);
int pw_alert_kind_parse(const char *s); /* -1 when unknown */

/* One application or category rule. */
struct pw_policy_rule {
    char name[PW_POLICY_MAX_NAME];
    uint8_t sev;    /* PW_SEV_NONE: allowed */
    uint8_t origin; /* index into pw_policy.origins: the text it came from */
    uint32_t line;
};

/* A port range of a transport: proto 6 (tcp), 17 (udp) or 0 (both). */
struct pw_policy_port {
    uint8_t proto;
    uint16_t lo, hi;
};

struct pw_policy_portlist {
    uint16_t n;
    struct pw_policy_port p[PW_POLICY_MAX_PORTS];
};

/* [services]: the services a host or subnet is expected to offer. */
struct pw_policy_service {
    uint8_t family; /* 4 or 6; 0 for "*" (any host not listed otherwise) */
    uint8_t prefix; /* bits */
    uint8_t addr[16];
    uint32_t line;
    struct pw_policy_portlist ports;
};

/* [ports]: the ports an application normally uses (protocol-port-mismatch). */
struct pw_policy_appports {
    char name[PW_POLICY_MAX_NAME];
    uint8_t origin;
    uint32_t line;
    struct pw_policy_portlist ports;
};

struct pw_policy_thresholds {
    uint32_t scan_min_targets;      /* distinct (host, port) targets of one source */
    uint32_t scan_max_answered_pct; /* at most this share of them answered */
    uint32_t hs_min_failures;       /* unanswered or refused attempts to one service */
    uint32_t hs_min_failed_pct;     /* ... making up at least this share of attempts */
    uint32_t rst_storm;             /* RST segments to or from one service */
    uint32_t icmp_sweep_min_hosts;  /* hosts pinged by one source */
    uint32_t classify_packets;      /* packets per flow given to the classifier */
    uint32_t classify_reuse;        /* agreeing inspections before an endpoint's answer
                                       is reused (0: inspect every flow) */
    uint32_t unexpected_top;        /* unexpected-service alerts kept per host */
};

/* Names of the texts parsed into a policy, for messages (the last slot is
 * shared once more texts than that were parsed). */
#define PW_POLICY_MAX_ORIGINS 8

/* The arrays hold napps, ncats, nservices and nappports entries; what lies
 * past the counts is undefined (each entry is zeroed as it is added). */
struct pw_policy {
    char origins[PW_POLICY_MAX_ORIGINS][128];
    uint8_t norigins;
    uint8_t kind_sev[PW_AK__COUNT]; /* PW_SEV_NONE: the kind is off */
    struct pw_policy_thresholds thr;
    uint32_t napps, ncats, nservices, nappports;
    struct pw_policy_rule apps[PW_POLICY_MAX_RULES];
    struct pw_policy_rule cats[PW_POLICY_MAX_RULES];
    struct pw_policy_service services[PW_POLICY_MAX_SERVICES];
    struct pw_policy_appports appports[PW_POLICY_MAX_APPPORTS];
};

/* An empty policy: no rules, every alert kind at its default severity, the
 * default thresholds. NULL when out of memory. */
struct pw_policy *pw_policy_new(void);
void pw_policy_free(struct pw_policy *p);

/* Resets p to the empty policy of pw_policy_new(). */
void pw_policy_clear(struct pw_policy *p);

/* Parses `len` bytes of policy text on top of what p holds: a rule for a
 * name already present replaces it, [services] and [ports] entries for the
 * same host or name replace the earlier list; `[policy] base = none`
 * (before any other setting) clears p first. `origin` names the text in
 * messages. On error returns PW_ERR_FORMAT or PW_ERR_LIMIT with
 * err->msg = "ORIGIN:LINE: what" and err->offset = LINE; p may then hold
 * part of the text and should be discarded. */
int pw_policy_parse(struct pw_policy *p, const char *text, size_t len, const char *origin,
                    struct pw_error *err);

/* Reads and parses a file (at most PW_POLICY_MAX_FILE bytes). */
int pw_policy_load_file(struct pw_policy *p, const char *path, struct pw_error *err);

/* Writes p as policy text, one line per call of fn (no newline), such that
 * parsing it with `base = none` gives the same policy (line numbers
 * aside). For `pktwatch alerts --print-policy` and the fuzzer's round trip. */
void pw_policy_write(const struct pw_policy *p, void (*fn)(void *arg, const char *line), void *arg);

/* The built-in default policy, as text. */
const char *pw_policy_default_text(void);

/* pw_policy_clear() then the built-in default. */
int pw_policy_load_default(struct pw_policy *p, struct pw_error *err);

/* Lookups. A rule name compares case-insensitively; NULL when absent. */
const struct pw_policy_rule *pw_policy_app(const struct pw_policy *p, const char *name);
const struct pw_policy_rule *pw_policy_category(const struct pw_policy *p, const char *name);
const struct pw_policy_appports *pw_policy_app_ports(const struct pw_policy *p, const char *name);

/* The most specific [services] entry covering the address (longest
 * prefix; "*" last), or NULL. family is 4 or 6. */
const struct pw_policy_service *pw_policy_service_for(const struct pw_policy *p, int family,
                                                      const uint8_t *addr);

/* True when (proto, port) is in the list. */
bool pw_policy_ports_has(const struct pw_policy_portlist *l, uint8_t proto, uint16_t port);

#endif
