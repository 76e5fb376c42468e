/* The classifier of src/classify/classify.h on top of nDPI 4.2 (Debian 12's
 * libndpi-dev; the calls follow /usr/include/ndpi/ndpi_api.h of that
 * version). This is the only file that includes nDPI headers: everything
 * nDPI-specific (its structs, its protocol and category numbering, its risk
 * bits) is translated here into the engine-neutral types of classify.h. */
#include "classify/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* nDPI's headers are not written for -Wstrict-prototypes and friends;
 * silence them for the include only, so our own code keeps every warning. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <ndpi/ndpi_api.h>
#pragma GCC diagnostic pop

struct pw_classifier {
    struct ndpi_detection_module_struct *nd;
    unsigned napps;
    char version[48];
};

/* The flow state is nDPI's own struct, plus what the wrapper decides on. */
struct pw_cls_flow {
    struct ndpi_flow_struct nf;
    bool payload_seen; /* a TCP segment with payload was fed */
};

int pw_classifier_new(struct pw_classifier **out, struct pw_error *err)
{
    *out = NULL;
    struct pw_classifier *c = calloc(1, sizeof(*c));
    if (!c)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    c->nd = ndpi_init_detection_module(ndpi_no_prefs);
    if (!c->nd) {
        free(c);
        return pw_error_set(err, PW_ERR_NOMEM, "nDPI: cannot initialise the detection module");
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(c->nd, &all);
    ndpi_finalize_initialization(c->nd);
    c->napps = ndpi_get_num_supported_protocols(c->nd);
    const char *rev = ndpi_revision();
    snprintf(c->version, sizeof(c->version), "nDPI %s", rev ? rev : "?");
    *out = c;
    return 0;
}

void pw_classifier_free(struct pw_classifier *c)
{
    if (!c)
        return;
    ndpi_exit_detection_module(c->nd);
    free(c);
}

const char *pw_classifier_version(const struct pw_classifier *c)
{
    return c->version;
}

struct pw_cls_flow *pw_cls_flow_new(struct pw_classifier *c)
{
    (void)c;
    /* nDPI requires a zeroed flow struct and frees its members with
     * ndpi_free_flow_data(); calloc gives the zeroing. */
    return calloc(1, sizeof(struct pw_cls_flow));
}

void pw_cls_flow_free(struct pw_cls_flow *f)
{
    if (!f)
        return;
    ndpi_free_flow_data(&f->nf);
    free(f);
}

static uint8_t conf_of(ndpi_confidence_t c)
{
    switch (c) {
    case NDPI_CONFIDENCE_MATCH_BY_PORT: return PW_CLS_CONF_PORT;
    case NDPI_CONFIDENCE_MATCH_BY_IP: return PW_CLS_CONF_IP;
    case NDPI_CONFIDENCE_DPI_CACHE: return PW_CLS_CONF_CACHE;
    case NDPI_CONFIDENCE_DPI: return PW_CLS_CONF_DPI;
    default: return PW_CLS_CONF_NONE;
    }
}

static bool has_risk(const struct ndpi_flow_struct *nf, ndpi_risk_enum r)
{
    return (nf->risk >> (unsigned)r) & 1u;
}

static void fill(struct pw_classifier *c, struct pw_cls_flow *f, ndpi_protocol p,
                 struct pw_cls_result *res)
{
    struct ndpi_flow_struct *nf = &f->nf;
    memset(res, 0, sizeof(*res));
    res->master = p.master_protocol < c->napps ? p.master_protocol : 0;
    res->app = p.app_protocol < c->napps ? p.app_protocol : 0;
    /* nDPI puts a lone protocol in app_protocol and leaves master 0, or
     * the other way round depending on the dissector; keep "app" as the
     * most specific one. */
    if (res->app == NDPI_PROTOCOL_UNKNOWN && res->master != NDPI_PROTOCOL_UNKNOWN) {
        res->app = res->master;
        res->master = 0;
    }
    if (res->master == res->app)
        res->master = 0;
    ndpi_protocol_category_t cat = p.category;
    if (cat == NDPI_PROTOCOL_CATEGORY_UNSPECIFIED)
        cat = ndpi_get_proto_category(c->nd, p);
    res->category = (uint16_t)(cat < NDPI_PROTOCOL_NUM_CATEGORIES ? cat : 0);
    res->confidence = res->app ? conf_of(nf->confidence) : PW_CLS_CONF_NONE;
    if (has_risk(nf, NDPI_CLEAR_TEXT_CREDENTIALS))
        res->risks |= PW_CLS_RISK_CLEARTEXT_CREDS;
    if (has_risk(nf, NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT))
        res->risks |= PW_CLS_RISK_NONSTD_PORT;
    if (has_risk(nf, NDPI_UNSAFE_PROTOCOL))
        res->risks |= PW_CLS_RISK_UNSAFE_PROTO;
    if (has_risk(nf, NDPI_DESKTOP_OR_FILE_SHARING_SESSION))
        res->risks |= PW_CLS_RISK_DESKTOP_SHARING;
    if (has_risk(nf, NDPI_BINARY_APPLICATION_TRANSFER))
        res->risks |= PW_CLS_RISK_BINARY_TRANSFER;
    /* host_server_name is NUL-terminated by nDPI within its array */
    size_t n = strnlen(nf->host_server_name, sizeof(nf->host_server_name));
    if (n >= sizeof(res->host))
        n = sizeof(res->host) - 1;
    memcpy(res->host, nf->host_server_name, n);
    res->host[n] = '\0';
}

/* Offset and length of the TCP payload of an IP packet, when it is TCP
 * straight after an IPv4 header or a fixed IPv6 header; false otherwise. */
static bool tcp_payload(const uint8_t *ip, size_t len, size_t *off, size_t *plen)
{
    size_t l4;
    if (len >= 20 && (ip[0] >> 4) == 4) {
        l4 = (size_t)(ip[0] & 15) * 4;
        if (ip[9] != 6 || l4 < 20)
            return false;
    } else if (len >= 40 && (ip[0] >> 4) == 6) {
        l4 = 40;
        if (ip[6] != 6)
            return false;
    } else {
        return false;
    }
    if (len < l4 + 20)
        return false;
    size_t th = (size_t)(ip[l4 + 12] >> 4) * 4;
    if (th < 20 || len < l4 + th)
        return false;
    *off = l4 + th;
    *plen = len - *off;
    return true;
}

int pw_cls_packet(struct pw_classifier *c, struct pw_cls_flow *f, const uint8_t *ip, size_t len,
                  uint64_t time_ms, struct pw_cls_result *res)
{
    /* nDPI's TLS dissector copies every segment of a flow it has not ruled
     * out into a growing buffer, which makes unclassifiable TCP traffic
     * several times dearer to inspect. A TLS connection's first segment
     * with payload starts with a record header, whose content type is
     * 20..24 (RFC 8446 section 5.1); when it does not, TLS is ruled out
     * for the flow before nDPI spends that effort. */
    size_t off, plen;
    if (!f->payload_seen && tcp_payload(ip, len, &off, &plen) && plen > 0) {
        f->payload_seen = true;
        if (ip[off] < 20 || ip[off] > 24)
            NDPI_ADD_PROTOCOL_TO_BITMASK(f->nf.excluded_protocol_bitmask, NDPI_PROTOCOL_TLS);
    }
    /* nDPI takes the length as an unsigned short: a longer (TSO) packet is
     * classified on its first 64 KiB, which hold every header it reads */
    unsigned short n = len > 0xffffu ? 0xffffu : (unsigned short)len;
    ndpi_protocol p = ndpi_detection_process_packet(c->nd, &f->nf, ip, n, time_ms);
    fill(c, f, p, res);
    if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN && p.master_protocol == NDPI_PROTOCOL_UNKNOWN)
        return PW_CLS_MORE;
    return ndpi_extra_dissection_possible(c->nd, &f->nf) ? PW_CLS_MORE : PW_CLS_DONE;
}

void pw_cls_giveup(struct pw_classifier *c, struct pw_cls_flow *f, struct pw_cls_result *res)
{
    uint8_t guessed = 0;
    ndpi_protocol p;
    if (f->nf.detected_protocol_stack[0] != NDPI_PROTOCOL_UNKNOWN) {
        /* already detected, only extra dissection was pending: keep it */
        p.master_protocol = f->nf.detected_protocol_stack[1];
        p.app_protocol = f->nf.detected_protocol_stack[0];
        p.category = f->nf.category;
    } else {
        p = ndpi_detection_giveup(c->nd, &f->nf, 1, &guessed);
    }
    fill(c, f, p, res);
}

int pw_cls_app_id(const struct pw_classifier *c, const char *name)
{
    for (unsigned i = 0; i < c->napps; i++) {
        const char *s = ndpi_get_proto_name(c->nd, (u_int16_t)i);
        if (s && !strcasecmp(s, name))
            return (int)i;
    }
    return -1;
}

const char *pw_cls_app_name(const struct pw_classifier *c, unsigned id)
{
    if (id >= c->napps)
        return "Unknown";
    const char *s = ndpi_get_proto_name(c->nd, (u_int16_t)id);
    return s ? s : "Unknown";
}

unsigned pw_cls_app_count(const struct pw_classifier *c)
{
    return c->napps;
}

unsigned pw_cls_app_category(const struct pw_classifier *c, unsigned id)
{
    if (id >= c->napps)
        return 0;
    ndpi_protocol p = {(u_int16_t)id, (u_int16_t)id, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED};
    ndpi_protocol_category_t cat = ndpi_get_proto_category(c->nd, p);
    return cat < NDPI_PROTOCOL_NUM_CATEGORIES ? (unsigned)cat : 0;
}

/* nDPI numbers its categories with gaps (33..98 unused); a name is valid
 * when nDPI gives one that is not empty and not its "Invalid" filler. */
static const char *cat_name(const struct pw_classifier *c, unsigned id)
{
    if (id >= NDPI_PROTOCOL_NUM_CATEGORIES)
        return NULL;
    const char *s = ndpi_category_get_name(c->nd, (ndpi_protocol_category_t)id);
    if (!s || !*s || !strncmp(s, "Invalid", 7))
        return NULL;
    return s;
}

int pw_cls_category_id(const struct pw_classifier *c, const char *name)
{
    for (unsigned i = 0; i < NDPI_PROTOCOL_NUM_CATEGORIES; i++) {
        const char *s = cat_name(c, i);
        if (s && !strcasecmp(s, name))
            return (int)i;
    }
    return -1;
}

const char *pw_cls_category_name(const struct pw_classifier *c, unsigned id)
{
    const char *s = cat_name(c, id);
    return s ? s : "Unspecified";
}

void pw_cls_foreach_category(const struct pw_classifier *c, void (*fn)(void *arg, const char *name),
                             void *arg)
{
    for (unsigned i = 0; i < NDPI_PROTOCOL_NUM_CATEGORIES; i++) {
        const char *s = cat_name(c, i);
        if (s)
            fn(arg, s);
    }
}

const char *pw_cls_conf_name(unsigned conf)
{
    static const char *const names[] = {"none", "port", "address", "cache", "payload"};
    return conf < sizeof(names) / sizeof(names[0]) ? names[conf] : "none";
}
