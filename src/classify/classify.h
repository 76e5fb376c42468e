/* Application classification of flows by payload and behaviour.
 *
 * The engine is nDPI (Debian's libndpi, 4.2): it knows hundreds of
 * applications and their categories (P2P, remote access, mining, VPN/Tor,
 * ...), maintained upstream rather than by us. This header is the whole
 * interface: src/classify/ndpi.c is the only file that includes nDPI's
 * headers, and nothing here exposes an nDPI type. Applications and
 * categories are small integer ids that only mean something through
 * pw_cls_app_name() / pw_cls_category_name() of the same classifier.
 *
 * Use: one classifier per pass; per flow, pw_cls_flow_new(), then
 * pw_cls_packet() with the flow's first packets (both directions, from the
 * IP header on) until it returns PW_CLS_DONE, or pw_cls_giveup() when the
 * caller stops feeding (packet budget spent, flow idle, end of capture);
 * then pw_cls_flow_free() at once: the per-flow state is only needed while
 * classifying. Nothing here allocates per packet.
 *
 * Not thread-safe: a classifier and its flows belong to one thread. */
#ifndef PW_CLASSIFY_CLASSIFY_H
#define PW_CLASSIFY_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct pw_classifier;
struct pw_cls_flow;

/* How a result was obtained, weakest first. Only PW_CLS_CONF_DPI and
 * PW_CLS_CONF_CACHE look at what the flow carried; the others are guesses
 * from the port or the address alone. */
enum pw_cls_conf {
    PW_CLS_CONF_NONE = 0, /* unknown */
    PW_CLS_CONF_PORT,     /* the port alone */
    PW_CLS_CONF_IP,       /* the address alone (a known server list) */
    PW_CLS_CONF_CACHE,    /* another flow of the same peers was classified by payload */
    PW_CLS_CONF_DPI,      /* the payload of this flow */
};

/* Risks the engine flagged on the flow (a small, engine-neutral subset). */
enum {
    PW_CLS_RISK_CLEARTEXT_CREDS = 1u << 0, /* a login or password in clear */
    PW_CLS_RISK_NONSTD_PORT = 1u << 1,     /* known protocol on an unusual port */
    PW_CLS_RISK_UNSAFE_PROTO = 1u << 2,    /* an obsolete or unsafe protocol */
    PW_CLS_RISK_DESKTOP_SHARING = 1u << 3, /* remote desktop / file sharing session */
    PW_CLS_RISK_BINARY_TRANSFER = 1u << 4, /* an executable downloaded */
};

struct pw_cls_result {
    uint16_t master; /* carrier protocol ("TLS" of "TLS.AnyDesk"), 0 when none */
    uint16_t app;    /* the application, 0 (Unknown) when not classified */
    uint16_t category;
    uint8_t confidence; /* enum pw_cls_conf */
    uint32_t risks;     /* PW_CLS_RISK_* */
    char host[64];      /* server name seen (TLS SNI, HTTP Host, DNS query), or "" */
};

enum {
    PW_CLS_MORE = 0, /* feed more packets */
    PW_CLS_DONE = 1, /* the result is final: free the flow */
};

/* Creates the engine with every protocol enabled. */
int pw_classifier_new(struct pw_classifier **out, struct pw_error *err);
void pw_classifier_free(struct pw_classifier *c);

/* Engine name and version, for reports ("nDPI 4.2.0"). */
const char *pw_classifier_version(const struct pw_classifier *c);

/* Per-flow state (NULL when out of memory). pw_cls_flow_free(NULL) is a no-op. */
struct pw_cls_flow *pw_cls_flow_new(struct pw_classifier *c);
void pw_cls_flow_free(struct pw_cls_flow *f);

/* Feeds one packet of the flow, starting at its IPv4 or IPv6 header, with
 * `len` captured bytes and its time in milliseconds. Fills *res with what
 * is known so far and returns PW_CLS_DONE once the engine needs no more
 * packets (detected, and no further dissection possible). */
int pw_cls_packet(struct pw_classifier *c, struct pw_cls_flow *f, const uint8_t *ip, size_t len,
                  uint64_t time_ms, struct pw_cls_result *res);

/* Ends classification of a flow that was not DONE: the engine's best
 * answer, possibly a guess from ports or addresses (see confidence). */
void pw_cls_giveup(struct pw_classifier *c, struct pw_cls_flow *f, struct pw_cls_result *res);

/* Names and ids. Names compare case-insensitively. */
int pw_cls_app_id(const struct pw_classifier *c, const char *name);      /* -1: unknown */
int pw_cls_category_id(const struct pw_classifier *c, const char *name); /* -1: unknown */
const char *pw_cls_app_name(const struct pw_classifier *c, unsigned id);
const char *pw_cls_category_name(const struct pw_classifier *c, unsigned id);
/* The category the engine gives the application by default. */
unsigned pw_cls_app_category(const struct pw_classifier *c, unsigned id);
/* Application ids are 0 .. pw_cls_app_count() - 1. */
unsigned pw_cls_app_count(const struct pw_classifier *c);
/* Calls fn for every category name (for --list and error hints). */
void pw_cls_foreach_category(const struct pw_classifier *c, void (*fn)(void *arg, const char *name),
                             void *arg);

const char *pw_cls_conf_name(unsigned conf);

#endif
