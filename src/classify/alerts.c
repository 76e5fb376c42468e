/* The alert tap (see alerts.h for what it reports).
 *
 * Per packet: find the flow's record by its tcp.stream / udp.stream number
 * (the flow stage numbers streams densely from 0, so records sit in slabs
 * indexed by that number), update counters and handshake flags, queue the
 * packet for the classifier (on a worker thread; see "classification"
 * below), and read the first payloads of the flow for evidence. Everything else waits for
 * pw_alerts_finish(): alerts are built from the flow records in one go, which lets an alert pick
 * the best evidence among its flows and lets scans, failed handshakes and unexpected services be
 * judged on whole-capture counts.
 *
 * Classifier state (about 700 bytes per flow for nDPI) lives only while a
 * flow is being classified: it is freed as soon as the classifier is done,
 * after the policy's classify.packets packets, when a TCP connection ends,
 * when the flow has been idle for CLS_IDLE_MS of capture time, or, at
 * PW_CLS_MAX_LIVE flows at once, for the flow idle the longest (an LRU
 * list), so one-packet flows such as scan probes cannot pile up. */
#include "classify/alerts.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "flow/flowtab.h"
#include "util/cursor.h"
#include "util/mem.h"
#include "util/spsc.h"

#define SLAB_SHIFT 12u
#define SLAB (1u << SLAB_SHIFT)
#define NIL UINT32_MAX
#define NO_RULE 0xffu
#define MAX_CATS 256u
/* A flow silent this long (capture time) stops being classified. */
#define CLS_IDLE_MS (120 * 1000)
/* Idle flows given up per packet at most, so no packet pays for many. */
#define CLS_EXPIRE_STEP 4
/* Packets with payload a flow may show the classifier before it has any
 * answer: nDPI names nearly every protocol it knows from the first one or
 * two payloads of each side, and each payload it cannot place costs it a
 * pass of all its dissectors. */
#define CLS_UNDETECTED_PAYLOADS 6
/* The same, for a flow to a server endpoint where an earlier flow that
 * showed payload both ways got no answer from its payload (see struct ep):
 * that flow had the full budget, so this one only confirms that the
 * endpoint still shows nothing the classifier can place. While the
 * endpoint's answer is being learnt it is given up as soon as both sides
 * have shown this many payloads between them (a flow must carry payload
 * both ways to count as an agreeing inspection); ... */
#define CLS_CONFIRM_PAYLOADS 2
/* ... once the answer is reused, a re-check is given up after this many
 * payloads without an answer: the side that speaks first shows what a
 * service that changed would now speak (nDPI names nearly every protocol
 * from the first payload of the side that opens the dialogue). */
#define CLS_RECHECK_PAYLOADS 1
/* An endpoint whose answer is reused is inspected again each time its
 * number of flows has grown by this factor. 4 would save about a tenth of
 * the classifier calls on a large capture, but changes which corpus flows
 * are inspected (three captures list a flow "by endpoint" instead). */
#define CLS_RECHECK_FACTOR 2
/* Bytes of a payload searched for a BitTorrent handshake inside another
 * framing (uTP's header and extensions come first). */
#define BT_SEARCH_SPAN 128u
/* Bytes of an HTTP request searched for an Authorization header. */
#define HTTP_SEARCH_SPAN 4096u
/* Bytes of a DHT message searched for its query name and info-hash. */
#define DHT_SEARCH_SPAN 1024u

/* ---- flow records ------------------------------------------------------ */

enum {
    F_USED = 1u << 0,
    F_CSYN = 1u << 1,   /* the client sent a SYN: a connection attempt */
    F_SYNACK = 1u << 2, /* the server answered with SYN/ACK */
    F_SRST = 1u << 3,   /* the server sent a RST */
    F_CRST = 1u << 4,   /* the client sent a RST */
    F_SREPLY = 1u << 5, /* the server sent anything */
    F_CFIN = 1u << 6,
    F_SFIN = 1u << 7,
    F_DIRKNOWN = 1u << 8, /* client and server known from SYN or SYN/ACK */
    F_SCANNER = 1u << 9,  /* the client was found scanning (set at finish) */
    F_WS_APP = 1u << 10,  /* the application comes from our dissectors */
    F_CDATA = 1u << 11,   /* the client sent payload */
    F_SDATA = 1u << 12,   /* the server sent payload */
    F_REUSED = 1u << 13,  /* classified from earlier flows to its server endpoint */
    F_ALIAS = 1u << 14,   /* this stream continues another record (alias) */
    F_APPKNOWN = 1u << 15, /* its Wireshark protocol is settled (pw_alerts_before_app) */
};

enum { CLS_NONE, CLS_LIVE, CLS_DONE };
enum { CONFIRM_NONE, CONFIRM_LEARN, CONFIRM_RECHECK };

/* One flow. The fields every packet touches come first, within 64 bytes,
 * so that a packet costs one cache line of flow record (the records of a
 * large capture do not fit in cache). Most records live in the tap area of
 * the flow stage's conversation record (struct ftab). */
struct afl {
    /* hot */
    uint16_t flags;
    uint8_t family, ipproto;
    /* pfed: packets with payload fed. During the pass, cls and fed are
     * the packet path's view (CLS_DONE once the machine says so; packets
     * queued with bytes); finish copies the machine's into them. */
    uint8_t cls, fed, pfed, scanned;
    uint16_t cport, sport;
    uint16_t wsproto;  /* enum pw_proto of the first application layer */
    uint16_t rst_pkts; /* saturates */
    uint32_t packets;  /* saturates */
    uint32_t alias;    /* F_ALIAS: the stream number of the record it continues */
    uint32_t stream;   /* the stream it was made for */
    uint64_t bytes;
    uint64_t last_frame;
    struct pw_ts last_ts;
    /* cold */
    uint8_t caddr[16], saddr[16];
    uint8_t conf;
    uint16_t app, master, category;
    uint32_t risks;
    uint32_t ev; /* evidence record + 1, 0 when none */
    uint64_t first_frame, cls_frame, ws_frame;
    struct pw_ts first_ts;
};

/* tshark sometimes starts a new tcp.stream in the middle of a connection
 * (the same four-tuple, no new SYN); the classifier must see the connection
 * whole, so such a stream becomes an alias of the record it continues. The
 * flow stage says which stream the conversation had before
 * (pkt->tcp.renewed, prev_stream), so no table of four-tuples is needed. */
/* Records indexed by a number, in slabs of SLAB records allocated as the
 * numbers reach them (the flow records' index here, the classification
 * machine's records in struct ctab). */
struct slabs {
    void **v;
    uint32_t n, cap;
};

/* Where the flow records are. The first stream the tap sees on a flow
 * stage conversation takes that conversation's tap area (pkt->l4_tap, see
 * pw_flows_opts.tap_bytes): the flow stage has just brought its line and
 * page into the caches, so the packet path does not miss on a table of its
 * own (it did, on every packet: the records of a large capture are tens of
 * megabytes). A later stream on the same conversation (port reuse, an alias
 * record), or every stream when the flow stage keeps no tap area, gets a
 * record from `cold`. A record never moves once made, so the worker's
 * pointers (struct citem, struct cfl) stay valid: the tap area is never
 * handed to a second stream. The index finds any stream's record, for
 * aliases and for the end of the capture, which walks it in stream order. */
struct ftab {
    struct slabs ix;   /* struct afl *, by stream number */
    struct slabs cold; /* struct afl, by order of creation */
    uint32_t ncold;
    uint64_t nflows;
};

/* ---- evidence ------------------------------------------------------------ */

enum { EVA_NONE, EVA_BT, EVA_BT_UTP, EVA_DHT, EVA_LSD, EVA_TRACKER, EVA_UTP };
enum {
    EVC_NONE,
    EVC_USERPASS,   /* USER then PASS (FTP, POP3) */
    EVC_PASS,       /* PASS without a USER seen */
    EVC_HTTP_BASIC, /* Authorization: Basic */
    EVC_IMAP_LOGIN, /* tag LOGIN user password */
    EVC_SMTP_AUTH,  /* AUTH PLAIN / AUTH LOGIN */
    EVC_TELNET,     /* a password prompt answered */
};

struct evid {
    uint8_t app_kind, cred_kind;
    bool has_hash, dht_reply, pw_prompt;
    bool utp_syn, utp_syn_client; /* a uTP SYN was seen (and from which side) */
    uint16_t utp_conn, utp_seq;
    uint64_t utp_frame;
    uint16_t other; /* what the classifier said when our evidence overrode it,
                       OTHER_NONE: nothing (0: no override) */
    uint64_t app_frame, cred_frame, user_frame, prompt_frame;
    uint8_t hash[20];
    char detail[24]; /* DHT query name */
    char user[24];   /* login name seen, printable, "" when none */
    char host[48];   /* server name the classifier saw */
};

#define EV_SLAB 1024u
#define OTHER_NONE 0xffffu

/* ---- classification ---------------------------------------------------------
 *
 * Classification is a state machine of its own, fed in frame order: the
 * packet path queues one item per packet that reaches it (see struct
 * citem), and the machine, on a worker thread or inline, keeps its own
 * per-flow records (struct cfl), the live/LRU table, the server endpoints
 * and its counters. Its answers are read only by pw_alerts_finish, which
 * copies them into the flow records after the worker has stopped; so the
 * two threads never write the same memory, and the machine makes the same
 * decisions whichever thread runs it. */

/* The classification state of one flow (stream root). */
struct cfl {
    struct afl *f; /* its record: the worker reads only the endpoint (set before queuing) */
    uint32_t root;
    uint32_t live;          /* live slot, NIL when none */
    uint16_t flags;         /* the flow's F_* flags as of its latest packet */
    uint8_t cls, fed, pfed; /* pfed: packets with payload fed */
    uint8_t tcp;
    bool reused;
    uint8_t conf;
    uint16_t app, master, category;
    uint32_t risks;
    uint64_t cls_frame;
};

struct ctab {
    struct slabs sl; /* struct cfl */
};

struct live {
    struct pw_cls_flow *cf;
    struct cfl *c;
    uint32_t prev, next; /* LRU list, oldest first */
    uint8_t confirm;     /* CONFIRM_*: a shorter budget applies */
    int64_t last_ms;
};

/* A server name to keep as evidence (evid_get is the main thread's). */
struct hostrec {
    struct afl *f;
    char host[48];
};

/* The classification machine's state: only its thread touches it while the
 * pass runs. */
struct clsw {
    const struct pw_alerts *a; /* policy tables (read only) */
    struct pw_classifier *cls;
    uint32_t max_fed, reuse;
    struct live *live;
    uint32_t *live_free; /* slots given back, the latest on top */
    uint32_t nfree, nlive;
    uint32_t nfresh; /* slots nfresh.. have never been used */
    uint32_t lru_head, lru_tail;
    struct pw_flowtab *eps;
    struct ctab tab[2]; /* TCP, UDP */
    _Atomic uint32_t *done[2];
    struct hostrec *hosts;
    size_t nhosts, hosts_cap;
    uint64_t classified, evicted, reused, packets;
    uint32_t live_max;
    /* A lower bound of the last_ms of every flow that is or will become
     * live, published after each item (CLS_NO_FLOOR before the first):
     * the oldest live flow's, or with none live the item's time. While
     * capture times do not go backwards it never decreases, so any value
     * the packet path reads is still a lower bound when the worker reaches
     * a later item (cls_queue uses it to leave out clock-only items that
     * could not expire anything). On a line of its own: the worker
     * writes the fields above all the time, and the packet path would miss
     * on every read of a line it shared with them. */
    alignas(64) _Atomic int64_t floor_ms;
    int64_t floor_pub; /* the worker's copy of what it last stored there */
};

#define CLS_NO_FLOOR INT64_MIN

/* One packet as the classifier needs it. */
enum {
    IT_TCP = 1u << 0,
    IT_RST = 1u << 1,
    IT_DATA = 1u << 2, /* it carries payload (reported length) */
};

struct citem {
    struct afl *f;      /* NULL: the flow's classification is over (only the clock matters) */
    const uint8_t *ext; /* its bytes when not in the queue's byte ring */
    int64_t now;        /* capture time, ms */
    uint64_t frame;
    uint32_t root; /* stream number of the flow's record */
    uint32_t len;  /* bytes from the IP header on, 0: none to feed */
    uint16_t flags;
    uint8_t bits; /* IT_* */
};

/* Queue sizes: the worker may lag the packet path by this much, which
 * absorbs the bursts of classifier calls where many flows start at once.
 * Most items carry no bytes (only a flow's first classify.packets feedable
 * packets do); a packet longer than half the byte ring is lent instead
 * (cls_queue). */
#define CLS_RING_ITEMS 8192u
#define CLS_RING_BYTES (2u * 1024u * 1024u)

/* ---- server endpoints ----------------------------------------------------
 *
 * Many flows go to the same server address and port, and a server port
 * speaks one protocol. Once `classify.reuse` flows in a row to an endpoint
 * carried payload both ways and got the same answer from the classifier
 * (an application, or none), later flows to it take that answer without
 * being inspected, except each time the endpoint's number of flows has
 * grown CLS_RECHECK_FACTOR times since (2: its 4th, 8th, 16th ... flow
 * when the answer agreed at the 2nd), which are inspected again; a
 * different answer starts over. An inspection that only confirms that an
 * endpoint shows nothing the classifier can place is cut short (see
 * CLS_CONFIRM_PAYLOADS). Results
 * that depend on a name the flow carries (TLS SNI, HTTP Host, DNS query)
 * are never reused. This keeps the cost of classification proportional to
 * the number of services rather than of connections. */
struct ep {
    uint16_t app, master, category;
    uint8_t conf;
    uint8_t agree; /* inspections in a row that gave this answer */
    bool named;    /* an answer came from a name: never reuse */
    uint32_t flows;
    uint32_t next_check;
};

/* ---- ICMP echo pairs ------------------------------------------------------ */

struct icmpv {
    uint32_t req[2], rep[2]; /* echo requests / replies sent by key endpoint 0 and 1 */
    uint64_t packets, bytes;
    uint64_t first_frame, last_frame;
    struct pw_ts first_ts, last_ts;
};

/* ---- alert aggregation ---------------------------------------------------- */

struct akey {
    uint8_t kind, family, ipproto, pad;
    uint16_t port, app;
    uint8_t caddr[16], saddr[16];
};

struct fvec {
    struct afl **v;
    size_t n, cap;
};

struct pw_alerts {
    const struct pw_policy *pol;
    struct pw_classifier *cls;
    uint32_t max_fed;
    int bt_id, dns_id;
    uint8_t *app_sev;   /* per application id: severity, NO_RULE */
    int16_t *app_ports; /* per application id: index of its [ports] entry, -1 */
    uint8_t cat_sev[MAX_CATS];

    struct ftab tcp, udp;

    struct evid **ev_slabs;
    uint32_t ev_n, ev_cap_slabs;

    struct pw_flowtab *icmp;
    uint32_t reuse;

    /* classification: the machine, and its queue and thread when it runs
     * on a worker (q != NULL) */
    struct clsw *w;
    _Atomic uint32_t *done[2]; /* w->done, read by the packet path */
    struct pw_spsc *q;
    pthread_t thr;
    bool thr_on;
    unsigned threads;
    /* capture time of the last packet given to cls_queue; time_back once
     * one went backwards (clock-only items are then all sent) */
    int64_t last_now;
    bool time_back;
    /* the last floor_ms read: still a lower bound later (see struct clsw),
     * so the shared value, which the worker keeps rewriting, is only read
     * again when this one no longer lets an item be left out */
    int64_t floor_seen;
    bool all_clock_items; /* struct pw_alerts_opts */
    uint32_t ring_items;
    size_t ring_bytes;

    struct pw_alert *alerts;
    struct akey *keys;  /* per alert: its identity (built during finish) */
    uint64_t *ev_frame; /* per alert: rank and frame of its evidence (ev_key) */
    uint32_t nalerts, alerts_cap;
    uint32_t *index;
    uint32_t index_size; /* power of two */
    uint64_t seed;

    /* end of capture: the flow vector and the group counts that the
     * searches for scans, handshake failures and unexpected services use
     * in turn, allocated once (at 2M packets each is megabytes, and fresh
     * memory costs a page fault per page) */
    struct fvec scratch;
    uint32_t *grp_cnt, *grp_bk;
    size_t grp_cnt_cap, grp_bk_cap;

    /* unwanted-application: (alert, flow) pairs, to name each alert's peers */
    struct apair *pairs;
    size_t npairs, pairs_cap;

    bool finished;
    struct pw_alerts_stats st;
};

struct apair {
    uint32_t alert;
    const struct afl *f;
};

/* ---- small helpers ---------------------------------------------------- */

static size_t alen(int family)
{
    return family == 6 ? 16 : 4;
}

static int64_t ts_ms(struct pw_ts t)
{
    return t.sec * 1000 + (int64_t)(t.nsec / 1000000u);
}

/* Server-likeness of a port: well-known > registered > dynamic. */
static int port_rank(uint16_t p)
{
    return p < 1024 ? 2 : p < 49152 ? 1 : 0;
}

static bool is_group_addr(int family, const uint8_t *a)
{
    if (family == 4)
        return (a[0] & 0xf0) == 0xe0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
    return a[0] == 0xff;
}

static const char *addr_str(char *buf, size_t n, int family, const uint8_t *a)
{
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
        snprintf(buf, n, "?");
    return buf;
}

static const char *proto_str(uint8_t ipproto)
{
    switch (ipproto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    default: return "ip";
    }
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Copies a string, truncating to the destination (which it always ends). */
static void scopy(char *dst, size_t n, const char *src)
{
    size_t k = strnlen(src, n - 1);
    memcpy(dst, src, k);
    dst[k] = '\0';
}

/* Appends printf output to buf (size n) at *len, truncating quietly. */
static void app(char *buf, size_t n, size_t *len, const char *fmt, ...) PW_PRINTF(4, 5);

static void app(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
    if (*len >= n - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, n - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len = (size_t)w >= n - *len ? n - 1 : *len + (size_t)w;
}

/* Copies a token of printable characters (stops at blank, CR, LF, or a
 * stop character) into out; returns its length. */
static size_t copy_token(char *out, size_t n, const uint8_t *p, size_t len, char stop)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        uint8_t ch = p[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == (uint8_t)stop)
            break;
        out[k++] = (char)ch;
    }
    out[k] = '\0';
    return k;
}

static bool starts_nocase(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && !strncasecmp((const char *)p, s, n);
}

/* Case-insensitive search of s in p[0..len). */
static const uint8_t *find_nocase(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || len < n)
        return NULL;
    for (size_t i = 0; i + n <= len; i++)
        if (!strncasecmp((const char *)p + i, s, n))
            return p + i;
    return NULL;
}

/* The start of a header line "name..." (case-insensitive) among the lines
 * of p[0..len), or NULL; hops from line to line with memchr. */
static const uint8_t *find_header(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    const uint8_t *q = p, *end = p + len;
    while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        q++;
        if ((size_t)(end - q) >= n && !strncasecmp((const char *)q, s, n))
            return q - 1;
    }
    return NULL;
}

/* qsort() with a NULL base is undefined even for no elements */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- flow table ----------------------------------------------------------- */

/* Record idx of t (elem bytes each), its slab allocated zeroed and
 * pre-faulted when first reached (every record of a slab gets written
 * soon: one system call instead of a fault per page); NULL when out of
 * memory. */
static void *slabs_get(struct slabs *t, uint32_t idx, size_t elem)
{
    uint32_t s = idx >> SLAB_SHIFT;
    if (s >= t->n) {
        if (s >= t->cap) {
            uint32_t ncap = t->cap ? t->cap * 2 : 64;
            while (ncap <= s)
                ncap *= 2;
            void **nv = realloc(t->v, (size_t)ncap * sizeof(*nv));
            if (!nv)
                return NULL;
            t->v = nv;
            t->cap = ncap;
        }
        while (t->n <= s) {
            void *slab = calloc(SLAB, elem);
            if (!slab)
                return NULL;
            pw_prefault(slab, (size_t)SLAB * elem);
            t->v[t->n++] = slab;
        }
    }
    return (char *)t->v[s] + (size_t)(idx & (SLAB - 1)) * elem;
}

/* Record idx of t if its slab exists (not created). */
static void *slabs_find(const struct slabs *t, uint32_t idx, size_t elem)
{
    uint32_t s = idx >> SLAB_SHIFT;
    return s < t->n ? (char *)t->v[s] + (size_t)(idx & (SLAB - 1)) * elem : NULL;
}

static void slabs_free(struct slabs *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

/* The record of a stream, NULL when it has none. */
static struct afl *ftab_find(const struct ftab *t, uint32_t stream)
{
    struct afl **p = slabs_find(&t->ix, stream, sizeof(struct afl *));
    return p ? *p : NULL;
}

/* The record of a stream, made (zeroed) when it has none: the tap area
 * when no stream has taken it yet, else a cold one. NULL at the cap or out
 * of memory. */
static struct afl *ftab_get(struct ftab *t, uint32_t stream, struct afl *tap)
{
    if (stream >= PW_ALERT_MAX_FLOWS)
        return NULL;
    struct afl **p = slabs_get(&t->ix, stream, sizeof(struct afl *));
    if (!p)
        return NULL;
    if (!*p) {
        if (tap && !(tap->flags & F_USED))
            *p = tap;
        else if (!(*p = slabs_get(&t->cold, t->ncold, sizeof(struct afl))))
            return NULL;
        else
            t->ncold++;
    }
    return *p;
}

static void ftab_free(struct ftab *t)
{
    slabs_free(&t->ix);
    slabs_free(&t->cold);
    memset(t, 0, sizeof(*t));
}

typedef void (*flow_fn)(struct pw_alerts *a, struct afl *f, void *arg);

static void ftab_foreach(struct ftab *t, flow_fn fn, struct pw_alerts *a, void *arg)
{
    for (uint32_t s = 0; s < t->ix.n; s++)
        for (uint32_t i = 0; i < SLAB; i++) {
            struct afl *f = ((struct afl **)t->ix.v[s])[i];
            if (f && (f->flags & (F_USED | F_ALIAS)) == F_USED)
                fn(a, f, arg);
        }
}

static void foreach_flow(struct pw_alerts *a, flow_fn fn, void *arg)
{
    ftab_foreach(&a->tcp, fn, a, arg);
    ftab_foreach(&a->udp, fn, a, arg);
}

static struct evid *evid_of(struct pw_alerts *a, const struct afl *f)
{
    if (!f->ev)
        return NULL;
    uint32_t i = f->ev - 1;
    return &a->ev_slabs[i / EV_SLAB][i % EV_SLAB];
}

/* The flow's evidence record, created on first use (NULL at the cap). */
static struct evid *evid_get(struct pw_alerts *a, struct afl *f)
{
    if (f->ev)
        return evid_of(a, f);
    if (a->ev_n >= PW_ALERT_MAX_FLOWS)
        return NULL;
    uint32_t s = a->ev_n / EV_SLAB;
    if (s >= a->ev_cap_slabs) {
        uint32_t ncap = a->ev_cap_slabs ? a->ev_cap_slabs * 2 : 16;
        struct evid **ns = realloc(a->ev_slabs, (size_t)ncap * sizeof(*ns));
        if (!ns)
            return NULL;
        memset(ns + a->ev_cap_slabs, 0, (size_t)(ncap - a->ev_cap_slabs) * sizeof(*ns));
        a->ev_slabs = ns;
        a->ev_cap_slabs = ncap;
    }
    if (!a->ev_slabs[s]) {
        a->ev_slabs[s] = calloc(EV_SLAB, sizeof(struct evid));
        if (!a->ev_slabs[s])
            return NULL;
    }
    f->ev = ++a->ev_n;
    return evid_of(a, f);
}

/* ---- policy verdicts -------------------------------------------------------- */

/* Severity the policy gives a classification, or PW_SEV_NONE. An
 * application rule wins over its carrier's, which wins over the category's. */
static unsigned verdict(const struct pw_alerts *a, unsigned app_id, unsigned master,
                        unsigned category)
{
    unsigned n = pw_cls_app_count(a->cls);
    if (app_id && app_id < n && a->app_sev[app_id] != NO_RULE)
        return a->app_sev[app_id];
    if (master && master < n && a->app_sev[master] != NO_RULE)
        return a->app_sev[master];
    if (category < MAX_CATS && a->cat_sev[category] != NO_RULE)
        return a->cat_sev[category];
    return PW_SEV_NONE;
}

static bool trusted(const struct afl *f)
{
    return f->conf == PW_CLS_CONF_DPI || f->conf == PW_CLS_CONF_CACHE ||
           f->conf == PW_CLS_CONF_IP || (f->flags & F_WS_APP);
}

/* ---- classification (the machine; see struct clsw) --------------------------- */

static struct cfl *ctab_get(struct ctab *t, uint32_t root)
{
    return slabs_get(&t->sl, root, sizeof(struct cfl));
}

static inline struct cfl *ctab_at(const struct ctab *t, uint32_t s, uint32_t i)
{
    return (struct cfl *)t->sl.v[s] + i;
}

static void ctab_free(struct ctab *t)
{
    slabs_free(&t->sl);
}

/* Tells the packet path that the flow will not be fed again, so that it
 * stops copying its bytes (relaxed: a late view only costs a copy). */
static void set_done(struct clsw *w, unsigned tcp, uint32_t root)
{
    atomic_fetch_or_explicit(&w->done[tcp ? 0 : 1][root / 32], 1u << (root % 32),
                             memory_order_relaxed);
}

/* The packet path's read of the bits (done: its copy of the pointers, away
 * from the lines the worker writes). */
static bool is_done(_Atomic uint32_t *const done[2], unsigned tcp, uint32_t root)
{
    return atomic_load_explicit(&done[tcp ? 0 : 1][root / 32], memory_order_relaxed) &
           (1u << (root % 32));
}

static void lru_unlink(struct clsw *w, uint32_t i)
{
    struct live *l = &w->live[i];
    if (l->prev != NIL)
        w->live[l->prev].next = l->next;
    else
        w->lru_head = l->next;
    if (l->next != NIL)
        w->live[l->next].prev = l->prev;
    else
        w->lru_tail = l->prev;
    l->prev = l->next = NIL;
}

static void lru_append(struct clsw *w, uint32_t i)
{
    struct live *l = &w->live[i];
    l->prev = w->lru_tail;
    l->next = NIL;
    if (w->lru_tail != NIL)
        w->live[w->lru_tail].next = i;
    else
        w->lru_head = i;
    w->lru_tail = i;
}

static struct ep *ep_get(struct clsw *w, const struct cfl *c, bool create)
{
    const struct afl *f = c->f;
    struct pw_flow_key k;
    memset(&k, 0, sizeof(k));
    k.family = f->family;
    k.proto = f->ipproto;
    memcpy(k.addr[0], f->saddr, 16);
    k.port[0] = f->sport;
    if (!create)
        return pw_flowtab_find(w->eps, &k);
    bool created;
    return pw_flowtab_get(w->eps, &k, &created);
}

/* Records an inspection's answer for the flow's server endpoint. */
static void ep_learn(struct clsw *w, const struct cfl *c, const struct pw_cls_result *res)
{
    /* only flows that showed the classifier payload in both directions
     * say anything about the service */
    if (!(c->flags & F_CDATA) || !(c->flags & F_SDATA))
        return;
    struct ep *e = ep_get(w, c, false);
    if (!e)
        return;
    if (res->host[0]) {
        e->named = true;
        e->agree = 0;
        return;
    }
    if (e->agree && e->app == c->app && e->master == c->master) {
        if (e->agree < UINT8_MAX)
            e->agree++;
        /* agreed: reuse from now on, inspecting again at twice the count */
        if (e->agree == w->reuse)
            e->next_check = e->flows * CLS_RECHECK_FACTOR;
        return;
    }
    e->app = c->app;
    e->master = c->master;
    e->category = c->category;
    e->conf = c->conf;
    e->agree = 1;
    e->next_check = 0;
}

/* True (and c classified) when the flow can take its endpoint's known
 * answer. Otherwise *confirm (CONFIRM_*) tells whether it is inspected only
 * to confirm an earlier flow's lack of a payload answer. */
static bool ep_reuse(struct clsw *w, struct cfl *c, uint8_t *confirm)
{
    struct ep *e = ep_get(w, c, true);
    if (!e)
        return false;
    e->flows++;
    if (e->named)
        return false;
    /* e->agree > 0: an earlier flow with payload both ways got this answer
     * with the full budget (e->conf is the flow's; see ep_learn) */
    bool none = e->agree && e->conf != PW_CLS_CONF_DPI && e->conf != PW_CLS_CONF_CACHE;
    if (e->agree < w->reuse) {
        *confirm = none ? CONFIRM_LEARN : CONFIRM_NONE;
        return false;
    }
    if (e->flows >= e->next_check) {
        /* inspect this one, then back off */
        e->next_check = e->flows * CLS_RECHECK_FACTOR;
        *confirm = none ? CONFIRM_RECHECK : CONFIRM_NONE;
        return false;
    }
    /* e->agree >= w->reuse, so the answer has been seen that often */
    c->app = e->app;
    c->master = e->master;
    c->category = e->category;
    c->conf = e->conf;
    c->reused = true;
    c->cls = CLS_DONE;
    set_done(w, c->tcp, c->root);
    w->reused++;
    return true;
}

/* Ends classification of c: takes the result (or the engine's final
 * answer), frees the classifier state and the live slot. */
static void cls_end(struct clsw *w, struct cfl *c, const struct pw_cls_result *done)
{
    uint32_t i = c->live;
    struct live *l = &w->live[i];
    struct pw_cls_result res;
    if (done)
        res = *done;
    else
        pw_cls_giveup(w->cls, l->cf, &res);
    c->app = res.app;
    c->master = res.master;
    c->category = res.category;
    c->conf = res.confidence;
    c->risks |= res.risks;
    if (c->app && (c->conf == PW_CLS_CONF_DPI || c->conf == PW_CLS_CONF_CACHE))
        w->classified++;
    if (w->reuse)
        ep_learn(w, c, &res);
    /* keep the server name only where an alert may quote it */
    if (res.host[0] && (verdict(w->a, c->app, c->master, c->category) != PW_SEV_NONE ||
                        (res.risks & PW_CLS_RISK_CLEARTEXT_CREDS))) {
        if (w->nhosts == w->hosts_cap) {
            size_t ncap = w->hosts_cap ? w->hosts_cap * 2 : 64;
            struct hostrec *nh = realloc(w->hosts, ncap * sizeof(*nh));
            if (nh) {
                w->hosts = nh;
                w->hosts_cap = ncap;
            }
        }
        if (w->nhosts < w->hosts_cap) {
            struct hostrec *h = &w->hosts[w->nhosts++];
            h->f = c->f;
            scopy(h->host, sizeof(h->host), res.host);
        }
    }
    pw_cls_flow_free(l->cf);
    l->cf = NULL;
    l->c = NULL;
    lru_unlink(w, i);
    w->live_free[w->nfree++] = i;
    w->nlive--;
    c->live = NIL;
    c->cls = CLS_DONE;
    set_done(w, c->tcp, c->root);
}

static void cls_start(struct clsw *w, struct cfl *c, int64_t now)
{
    c->cls = CLS_DONE; /* unless a slot and state can be had */
    uint8_t confirm = CONFIRM_NONE;
    if (w->reuse && ep_reuse(w, c, &confirm))
        return;
    if (!w->nfree && w->nfresh == PW_CLS_MAX_LIVE) {
        /* at the cap: the flow idle the longest gives way */
        cls_end(w, w->live[w->lru_head].c, NULL);
        w->evicted++;
    }
    struct pw_cls_flow *cf = pw_cls_flow_new(w->cls);
    if (!cf) {
        set_done(w, c->tcp, c->root);
        return;
    }
    /* a slot given back is reused before a fresh one: it is still in cache */
    uint32_t i = w->nfree ? w->live_free[--w->nfree] : w->nfresh++;
    struct live *l = &w->live[i];
    l->cf = cf;
    l->c = c;
    l->confirm = confirm;
    l->last_ms = now;
    lru_append(w, i);
    w->nlive++;
    if (w->nlive > w->live_max)
        w->live_max = w->nlive;
    c->live = i;
    c->cls = CLS_LIVE;
}

/* True when c has shown the classifier as many payloads without an answer
 * as its inspection allows. */
static bool undetected_spent(const struct live *l, const struct cfl *c)
{
    switch (l->confirm) {
    case CONFIRM_LEARN:
        return c->pfed >= CLS_CONFIRM_PAYLOADS && (c->flags & F_CDATA) && (c->flags & F_SDATA);
    case CONFIRM_RECHECK: return c->pfed >= CLS_RECHECK_PAYLOADS;
    default: return c->pfed >= CLS_UNDETECTED_PAYLOADS;
    }
}

static void cls_expire(struct clsw *w, int64_t now)
{
    for (int k = 0; k < CLS_EXPIRE_STEP && w->lru_head != NIL; k++) {
        struct live *l = &w->live[w->lru_head];
        if (now - l->last_ms <= CLS_IDLE_MS)
            break;
        cls_end(w, l->c, NULL);
    }
}

/* One packet of the capture, in frame order (data: it->len bytes). */
static void cls_publish_floor(struct clsw *w, int64_t now)
{
    int64_t v = w->lru_head != NIL ? w->live[w->lru_head].last_ms : now;
    /* a store, even of the same value, takes the line from the packet
     * path's core */
    if (v != w->floor_pub) {
        w->floor_pub = v;
        atomic_store_explicit(&w->floor_ms, v, memory_order_relaxed);
    }
}

static void cls_item_run(struct clsw *w, const struct citem *it, const uint8_t *data);

static void cls_item(struct clsw *w, const struct citem *it, const uint8_t *data)
{
    cls_item_run(w, it, data);
    cls_publish_floor(w, it->now);
}

static void cls_item_run(struct clsw *w, const struct citem *it, const uint8_t *data)
{
    cls_expire(w, it->now);
    if (!it->f)
        return;
    unsigned tcp = it->bits & IT_TCP;
    struct cfl *c = ctab_get(&w->tab[tcp ? 0 : 1], it->root);
    if (!c) {
        set_done(w, tcp, it->root); /* out of memory: left unclassified */
        return;
    }
    c->flags = it->flags;
    if (c->cls == CLS_NONE) {
        c->f = it->f;
        c->root = it->root;
        c->tcp = (uint8_t)tcp;
        c->live = NIL;
        cls_start(w, c, it->now);
    }
    if (c->cls == CLS_LIVE && it->len) {
        struct live *l = &w->live[c->live];
        l->last_ms = it->now;
        if (w->lru_tail != c->live) { /* already the most recent: nothing to move */
            lru_unlink(w, c->live);
            lru_append(w, c->live);
        }
        struct pw_cls_result res;
        int rc =
            pw_cls_packet(w->cls, l->cf, data, it->len, it->now < 0 ? 0 : (uint64_t)it->now, &res);
        c->fed++;
        w->packets++;
        if (it->bits & IT_DATA)
            c->pfed++;
        if (res.app && !c->cls_frame)
            c->cls_frame = it->frame;
        if (rc == PW_CLS_DONE)
            cls_end(w, c, &res);
        else if (c->fed >= w->max_fed || (!res.app && undetected_spent(l, c)))
            cls_end(w, c, NULL);
    }
    if (c->cls == CLS_LIVE && tcp &&
        ((it->bits & IT_RST) || ((c->flags & F_CFIN) && (c->flags & F_SFIN))))
        cls_end(w, c, NULL); /* the connection is over */
}

static void *cls_worker(void *arg);

/* The worker starts with the first packet (no thread for a tap that never
 * sees one); without a thread the machine runs inline, to the same result. */
static void cls_thread_start(struct pw_alerts *a)
{
    a->thr_on = true; /* tried: once */
    a->q = pw_spsc_new(sizeof(struct citem), a->ring_items, a->ring_bytes);
    if (!a->q)
        return;
    if (pthread_create(&a->thr, NULL, cls_worker, a)) {
        pw_spsc_free(a->q);
        a->q = NULL;
    }
}

/* Stops the worker once it has taken every item queued. */
static void cls_thread_stop(struct pw_alerts *a)
{
    if (!a->q)
        return;
    pw_spsc_close(a->q);
    pthread_join(a->thr, NULL);
    pw_spsc_free(a->q);
    a->q = NULL;
}

/* Ends the classifications still open (in stream order, as the packet path
 * would have met them) and copies the machine's answers into the flow
 * records, the evidence (server names, in the order they were found) and
 * the counters. */
static void cls_finish(struct pw_alerts *a)
{
    cls_thread_stop(a);
    struct clsw *w = a->w;
    for (int t = 0; t < 2; t++)
        for (uint32_t s = 0; s < w->tab[t].sl.n; s++)
            for (uint32_t i = 0; i < SLAB; i++) {
                struct cfl *c = ctab_at(&w->tab[t], s, i);
                if (c->f && c->cls == CLS_LIVE)
                    cls_end(w, c, NULL);
            }
    for (int t = 0; t < 2; t++)
        for (uint32_t s = 0; s < w->tab[t].sl.n; s++)
            for (uint32_t i = 0; i < SLAB; i++) {
                const struct cfl *c = ctab_at(&w->tab[t], s, i);
                struct afl *f = c->f;
                if (!f)
                    continue;
                f->cls = c->cls;
                f->fed = c->fed;
                f->pfed = c->pfed;
                f->app = c->app;
                f->master = c->master;
                f->category = c->category;
                f->conf = c->conf;
                f->risks |= c->risks;
                f->cls_frame = c->cls_frame;
                if (c->reused)
                    f->flags |= F_REUSED;
            }
    for (size_t i = 0; i < w->nhosts; i++) {
        struct evid *e = evid_get(a, w->hosts[i].f);
        if (e)
            scopy(e->host, sizeof(e->host), w->hosts[i].host);
    }
    a->st.classified += w->classified;
    a->st.cls_evicted += w->evicted;
    a->st.cls_reused += w->reused;
    a->st.cls_packets += w->packets;
    if (w->live_max > a->st.cls_live_max)
        a->st.cls_live_max = w->live_max;
}

static void *cls_worker(void *arg)
{
    struct pw_alerts *a = arg;
    const struct citem *it;
    while ((it = pw_spsc_pop(a->q)) != NULL)
        cls_item(a->w, it, it->ext ? it->ext : it->len ? pw_spsc_data(a->q, it->len) : NULL);
    return NULL;
}

/* Queues the packet for the machine (or runs it inline). The packet's bytes
 * are copied only while the machine may still feed them: not once it has
 * said the flow is done, nor past the flow's budget of fed packets. */
static void cls_queue(struct pw_alerts *a, struct afl *f, uint32_t root, bool tcp, uint16_t tflags,
                      uint32_t prep, bool feedable, const uint8_t *ip, size_t len, int64_t now,
                      uint64_t frame)
{
    if (a->threads > 1 && !a->thr_on)
        cls_thread_start(a);
    if (f->cls != CLS_DONE && is_done(a->done, tcp, root))
        f->cls = CLS_DONE; /* the packet path's copy of the answer */
    /* A clock-only item makes the machine expire idle flows and nothing
     * else; when no flow can have been idle long enough at `now`, leaving
     * it out changes nothing (most packets of a large capture). */
    if (now < a->last_now)
        a->time_back = true;
    a->last_now = now;
    if (f->cls == CLS_DONE && !a->time_back && !a->all_clock_items) {
        int64_t fl = a->floor_seen;
        if (fl == CLS_NO_FLOOR || now - fl > CLS_IDLE_MS)
            fl = a->floor_seen = atomic_load_explicit(&a->w->floor_ms, memory_order_relaxed);
        if (fl != CLS_NO_FLOOR && now - fl <= CLS_IDLE_MS) {
            a->st.cls_clock_skipped++;
            return;
        }
    }
    struct citem local, *it = &local;
    if (a->q)
        it = pw_spsc_slot(a->q);
    it->now = now;
    it->f = NULL;
    it->ext = NULL;
    it->len = 0;
    if (f->cls != CLS_DONE) {
        it->f = f;
        it->frame = frame;
        it->root = root;
        it->flags = f->flags;
        it->bits = (uint8_t)((tcp ? IT_TCP : 0) | ((tflags & PW_TCP_RST) ? IT_RST : 0) |
                             (prep ? IT_DATA : 0));
        /* f->fed counts the packets queued with bytes: the machine feeds no
         * more than max_fed, so more would be copied for nothing */
        if (feedable && f->fed < a->max_fed) {
            f->fed++;
            it->len = (uint32_t)len;
            uint8_t *dst = a->q ? pw_spsc_bytes(a->q, len) : NULL;
            if (dst)
                memcpy(dst, ip, len);
            else
                it->ext = ip;
        }
    }
    if (!a->q) {
        cls_item(a->w, it, it->ext);
        return;
    }
    bool lent = it->ext != NULL;
    pw_spsc_push(a->q);
    if (lent)
        pw_spsc_sync(a->q); /* too large for the ring: lent until the worker is done */
}

/* ---- evidence from payloads --------------------------------------------------- */

/* BitTorrent peer handshake (BEP 3): <19>"BitTorrent protocol"<8 reserved>
 * <20 info-hash><20 peer id>. TCP carries it at the start of a segment; uTP
 * (BEP 29) after its 20-byte header and extensions, so for UDP the first
 * bytes are searched. */
static void ev_bittorrent(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                          struct pw_cur *c)
{
    static const char hs[] = "\x13"
                             "BitTorrent protocol";
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c), at;
    if (f->ipproto == 6) {
        if (n < 20 || memcmp(p, hs, 20))
            return;
        at = 0;
    } else {
        uint32_t span = n < BT_SEARCH_SPAN ? n : BT_SEARCH_SPAN;
        const uint8_t *q = memmem(p, span, hs, 20);
        if (!q)
            return;
        at = (uint32_t)(q - p);
    }
    struct evid *e = evid_get(a, f);
    if (!e || e->app_kind == EVA_BT || e->app_kind == EVA_BT_UTP)
        return;
    e->app_kind = f->ipproto == 6 ? EVA_BT : EVA_BT_UTP;
    e->app_frame = pkt->frame;
    if (n - at >= 48) {
        memcpy(e->hash, p + at + 28, 20);
        e->has_hash = true;
    }
}

/* BitTorrent DHT (BEP 5): a bencoded dictionary with "1:y1:q" (query, its
 * name under "1:q") or "1:y1:r" (response); queries about a torrent carry
 * "9:info_hash20:<20 bytes>". */
static void ev_dht(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                   struct pw_cur *c)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c);
    if (n < 12 || p[0] != 'd' || (p[1] < '1' || p[1] > '9'))
        return;
    uint32_t span = n < DHT_SEARCH_SPAN ? n : DHT_SEARCH_SPAN;
    bool query = memmem(p, span, "1:y1:q", 6) != NULL;
    bool reply = !query && memmem(p, span, "1:y1:r", 6) != NULL;
    if (!query && !reply)
        return;
    struct evid *e = evid_get(a, f);
    if (!e || (e->app_kind != EVA_NONE && e->app_kind != EVA_DHT))
        return;
    if (e->app_kind == EVA_DHT && (e->has_hash || !query))
        return;
    e->app_kind = EVA_DHT;
    e->app_frame = pkt->frame;
    e->dht_reply = reply;
    const uint8_t *q = query ? memmem(p, span, "1:q", 3) : NULL;
    if (q) {
        size_t off = (size_t)(q - p) + 3, k = 0;
        uint32_t len = 0;
        while (off < span && p[off] >= '0' && p[off] <= '9' && k++ < 3)
            len = len * 10 + (uint32_t)(p[off++] - '0');
        if (off < span && p[off] == ':' && len && len < sizeof(e->detail) && len <= span - off - 1)
            copy_token(e->detail, sizeof(e->detail), p + off + 1, len, '\0');
    }
    const uint8_t *h = memmem(p, span, "9:info_hash20:", 14);
    if (h && span - (size_t)(h - p) >= 14 + 20) {
        memcpy(e->hash, h + 14, 20);
        e->has_hash = true;
    }
}

/* uTP, BitTorrent's transport over UDP (BEP 29): 20-byte header, first
 * byte type << 4 | version 1. A connection opens with ST_SYN (type 4)
 * carrying connection_id C and seq_nr S, answered from the other side by
 * ST_STATE (type 2) with the same C and ack_nr S; that exchange is specific
 * enough to name the application even when the payload is encrypted. */
static void ev_utp(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                   struct pw_cur *c, bool from_client)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c);
    if (n < 20 || (p[0] != 0x41 && p[0] != 0x21) || p[1] > 4)
        return;
    uint16_t conn = (uint16_t)(p[2] << 8 | p[3]);
    uint16_t seq = (uint16_t)(p[16] << 8 | p[17]), ack = (uint16_t)(p[18] << 8 | p[19]);
    struct evid *e;
    if (p[0] == 0x41) {
        if (!(e = evid_get(a, f)) || e->utp_syn)
            return;
        e->utp_syn = true;
        e->utp_syn_client = from_client;
        e->utp_conn = conn;
        e->utp_seq = seq;
        e->utp_frame = pkt->frame;
        return;
    }
    e = f->ev ? evid_of(a, f) : NULL;
    if (!e || !e->utp_syn || e->utp_syn_client == from_client || e->utp_conn != conn ||
        e->utp_seq != ack || e->app_kind != EVA_NONE)
        return;
    e->app_kind = EVA_UTP;
    e->app_frame = pkt->frame;
}

/* BitTorrent Local Service Discovery (BEP 14): an HTTP-like multicast
 * "BT-SEARCH * HTTP/1.1" with an "Infohash:" header. */
static void ev_lsd(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                   struct pw_cur *c)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c);
    if (!starts_nocase(p, n, "BT-SEARCH * HTTP/1."))
        return;
    struct evid *e = evid_get(a, f);
    if (!e || e->app_kind != EVA_NONE)
        return;
    e->app_kind = EVA_LSD;
    e->app_frame = pkt->frame;
    const uint8_t *h = find_nocase(p, n, "\nInfohash:");
    if (h) {
        size_t off = (size_t)(h - p) + 10;
        while (off < n && p[off] == ' ')
            off++;
        char tok[48];
        if (copy_token(tok, sizeof(tok), p + off, n - off, '\0') == 40) {
            for (int i = 0; i < 20; i++) {
                unsigned v = 0;
                for (int j = 0; j < 2; j++) {
                    char ch = tok[2 * i + j];
                    v = v * 16 + (unsigned)(ch >= '0' && ch <= '9'   ? ch - '0'
                                            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                                     : 0);
                }
                e->hash[i] = (uint8_t)v;
            }
            e->has_hash = true;
        }
    }
}

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* BitTorrent tracker announce (BEP 3, BEP 23): an HTTP GET whose query
 * carries info_hash (20 URL-encoded bytes) and peer_id. */
static void ev_tracker(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                       struct pw_cur *c)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c);
    if (!starts_nocase(p, n, "GET /"))
        return;
    const uint8_t *eol = memchr(p, '\n', n);
    size_t line = eol ? (size_t)(eol - p) : n;
    const uint8_t *ih = find_nocase(p, line, "info_hash=");
    if (!ih || !find_nocase(p, line, "peer_id="))
        return;
    struct evid *e = evid_get(a, f);
    if (!e || e->app_kind != EVA_NONE)
        return;
    e->app_kind = EVA_TRACKER;
    e->app_frame = pkt->frame;
    size_t i = (size_t)(ih - p) + 10, k = 0;
    uint8_t h[20];
    while (i < line && k < 20 && p[i] != '&' && p[i] != ' ') {
        if (p[i] == '%') {
            int hi = i + 2 < line ? hexval(p[i + 1]) : -1, lo = hi >= 0 ? hexval(p[i + 2]) : -1;
            if (lo < 0)
                return;
            h[k++] = (uint8_t)(hi * 16 + lo);
            i += 3;
        } else {
            h[k++] = p[i++];
        }
    }
    if (k == 20 && (i >= line || p[i] == '&' || p[i] == ' ')) {
        memcpy(e->hash, h, 20);
        e->has_hash = true;
    }
}

static int b64val(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* The user name of base64 "user:password" (printable part before ':'). */
static void basic_user(char *out, size_t n, const uint8_t *p, size_t len)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        int v = b64val(p[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            uint8_t ch = (uint8_t)(acc >> bits);
            if (ch == ':' || ch < 0x20 || ch >= 0x7f)
                break;
            out[k++] = (char)ch;
            out[k] = '\0';
        }
    }
}

static void cred_found(struct evid *e, uint8_t kind, uint64_t frame)
{
    if (e->cred_kind == EVC_NONE || e->cred_kind == EVC_PASS) {
        e->cred_kind = kind;
        e->cred_frame = frame;
    }
}

/* Cleartext logins, from the client's payload: FTP and POP3 USER/PASS,
 * IMAP LOGIN, SMTP AUTH, HTTP Basic authorization; and Telnet, where the
 * server prompts for a password and the client answers. */
static void ev_creds(struct pw_alerts *a, struct afl *f, const struct pw_packet *pkt,
                     struct pw_cur *c, bool from_client)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t n = pw_cur_left(c);
    if (f->ipproto != 6 || n < 4)
        return;
    bool telnet = f->sport == 23 || f->wsproto == PW_P_TELNET;
    if (!from_client) {
        if (telnet && find_nocase(p, n < 256 ? n : 256, "assword")) {
            struct evid *e = evid_get(a, f);
            if (e && !e->pw_prompt) {
                e->pw_prompt = true;
                e->prompt_frame = pkt->frame;
            }
        }
        return;
    }
    struct evid *e = f->ev ? evid_of(a, f) : NULL;
    if (telnet) {
        if (e && e->pw_prompt && e->cred_kind == EVC_NONE)
            cred_found(e, EVC_TELNET, pkt->frame);
        return;
    }
    if (starts_nocase(p, n, "USER ")) {
        if (!(e = evid_get(a, f)))
            return;
        copy_token(e->user, sizeof(e->user), p + 5, n - 5, '\0');
        e->user_frame = pkt->frame;
    } else if (starts_nocase(p, n, "PASS ")) {
        if (!(e = evid_get(a, f)))
            return;
        cred_found(e, e->user_frame ? EVC_USERPASS : EVC_PASS, pkt->frame);
    } else if (starts_nocase(p, n, "AUTH PLAIN") || starts_nocase(p, n, "AUTH LOGIN")) {
        if ((e = evid_get(a, f)))
            cred_found(e, EVC_SMTP_AUTH, pkt->frame);
    } else if (n > 8 && (p[0] >= 'A' && p[0] <= 'Z')) {
        /* HTTP request: METHOD SP ... with an Authorization: Basic header */
        uint32_t span = n < HTTP_SEARCH_SPAN ? n : HTTP_SEARCH_SPAN;
        const uint8_t *sp = memchr(p, ' ', span < 10 ? span : 10);
        if (!sp)
            return;
        const uint8_t *h = find_header(p, span, "Authorization: Basic ");
        if (h) {
            if (!(e = evid_get(a, f)))
                return;
            size_t off = (size_t)(h - p) + 22;
            basic_user(e->user, sizeof(e->user), p + off, span - off);
            cred_found(e, EVC_HTTP_BASIC, pkt->frame);
        }
    } else {
        /* IMAP: "<tag> LOGIN <user> <password>" */
        const uint8_t *sp = memchr(p, ' ', n < 24 ? n : 24);
        if (sp && starts_nocase(sp + 1, n - (size_t)(sp + 1 - p), "LOGIN ")) {
            if (!(e = evid_get(a, f)))
                return;
            size_t off = (size_t)(sp + 1 - p) + 6;
            copy_token(e->user, sizeof(e->user), p + off, n - off, '\0');
            cred_found(e, EVC_IMAP_LOGIN, pkt->frame);
        }
    }
}

/* ---- per packet ---------------------------------------------------------------- */

static void icmp_packet(struct pw_alerts *a, const struct pw_packet *pkt, int l3i, int family,
                        const uint8_t *src, const uint8_t *dst)
{
    const struct pw_layer *l = NULL;
    for (int i = l3i + 1; i < pkt->nlayers; i++) {
        const struct pw_layer *x = &pkt->layer[i];
        if (x->flags & PW_LF_QUOTED)
            break;
        if (x->proto == PW_P_ICMP || x->proto == PW_P_ICMPV6) {
            l = x;
            break;
        }
    }
    if (!l)
        return;
    bool v6 = l->proto == PW_P_ICMPV6;
    uint8_t t = l->u.icmp.type;
    bool req = v6 ? t == 128 : t == 8;
    bool rep = v6 ? t == 129 : t == 0;
    if (!req && !rep)
        return;
    if (is_group_addr(family, dst))
        return;
    struct pw_flow_key k;
    int dir;
    pw_flow_key_make(&k, family, v6 ? 58 : 1, src, 0, dst, 0, &dir);
    bool created;
    struct icmpv *v = pw_flowtab_get(a->icmp, &k, &created);
    if (!v)
        return;
    if (created) {
        v->first_frame = pkt->frame;
        v->first_ts = pkt->rec->ts;
    }
    v->last_frame = pkt->frame;
    v->last_ts = pkt->rec->ts;
    v->packets++;
    v->bytes += pkt->len;
    if (req)
        v->req[dir]++;
    else
        v->rep[dir]++;
}

static void flow_init(struct afl *f, int family, uint8_t ipproto, const uint8_t *src, uint16_t sp,
                      const uint8_t *dst, uint16_t dp, uint16_t tflags, const struct pw_packet *pkt)
{
    bool syn = ipproto == 6 && (tflags & PW_TCP_SYN);
    bool ack = tflags & PW_TCP_ACK;
    bool swap;
    if (syn) {
        swap = ack; /* a SYN/ACK comes from the server */
        f->flags |= F_DIRKNOWN;
    } else if (ipproto == 6) {
        /* joined mid-connection: the more server-like port is the server */
        swap = port_rank(sp) > port_rank(dp);
    } else {
        /* UDP: the first sender is the client, unless it answers from a
         * well-known port to an unprivileged one (the capture began after
         * the request) */
        swap = sp < 1024 && dp >= 1024;
    }
    size_t n = alen(family);
    f->flags |= F_USED;
    f->family = (uint8_t)family;
    f->ipproto = ipproto;
    memcpy(f->caddr, swap ? dst : src, n);
    memcpy(f->saddr, swap ? src : dst, n);
    f->cport = swap ? dp : sp;
    f->sport = swap ? sp : dp;
    f->first_frame = pkt->frame;
    f->first_ts = pkt->rec->ts;
}

/* The packet's stream's record when it is in the conversation's tap area
 * (the common case, without a look at the index), else NULL. */
static inline struct afl *tap_record(const struct pw_packet *pkt, uint32_t stream)
{
    struct afl *tap = pkt->l4_tap;
    return tap && (tap->flags & F_USED) && tap->stream == stream ? tap : NULL;
}

/* The tap needs the application layers of a TCP packet only to name its
 * flow's Wireshark protocol (the first one above TCP within the first
 * PW_ALERT_SCAN_PACKETS payloads); the payload evidence reads the raw
 * bytes. Once a flow's protocol is known (F_APPKNOWN), the rest of the
 * connection needs no reassembly for this tap. UDP always gets the stage:
 * it is cheap there, and a TFTP request makes state for other flows. */
bool pw_alerts_before_app(struct pw_alerts *a, const struct pw_packet *pkt)
{
    if (!pkt || pkt->l4 < 0 || !pkt->flow_done)
        return true;
    const struct pw_layer *l4 = &pkt->layer[pkt->l4];
    if (l4->proto != PW_P_TCP || l4->u.tcp.stream == PW_NO_STREAM)
        return true;
    /* the TCP layer the application stage would take is this one */
    int n = pkt->nlayers;
    if (pkt->l4 != n - 1 && !(pkt->l4 == n - 2 && pkt->layer[n - 1].proto == PW_P_DATA))
        return true;
    uint32_t stream = l4->u.tcp.stream;
    const struct afl *f = tap_record(pkt, stream);
    if (!f)
        f = ftab_find(&a->tcp, stream);
    return !f || !(f->flags & F_APPKNOWN);
}

void pw_alerts_packet(struct pw_alerts *a, const struct pw_record *rec, const struct pw_packet *pkt)
{
    a->st.packets++;
    if (!pkt || pkt->l3 < 0 || a->finished)
        return;
    const struct pw_layer *l3 = &pkt->layer[pkt->l3];
    int family;
    const uint8_t *src, *dst;
    if (l3->proto == PW_P_IP) {
        family = 4;
        src = l3->u.ip4.src;
        dst = l3->u.ip4.dst;
    } else if (l3->proto == PW_P_IPV6) {
        family = 6;
        src = l3->u.ip6.src;
        dst = l3->u.ip6.dst;
    } else {
        return;
    }
    if (pkt->l4 < 0) {
        icmp_packet(a, pkt, pkt->l3, family, src, dst);
        return;
    }
    const struct pw_layer *l4 = &pkt->layer[pkt->l4];
    struct ftab *t;
    uint32_t stream;
    uint16_t sp, dp, tflags = 0;
    uint8_t ipproto;
    uint32_t prep; /* reported payload bytes */
    if (l4->proto == PW_P_TCP) {
        t = &a->tcp;
        ipproto = 6;
        stream = l4->u.tcp.stream;
        sp = l4->u.tcp.sport;
        dp = l4->u.tcp.dport;
        tflags = l4->u.tcp.flags;
        prep = l4->u.tcp.payload_len;
    } else if (l4->proto == PW_P_UDP) {
        t = &a->udp;
        ipproto = 17;
        stream = l4->u.udp.stream;
        sp = l4->u.udp.sport;
        dp = l4->u.udp.dport;
        prep = l4->len > l4->hlen ? l4->len - l4->hlen : 0;
    } else {
        return;
    }
    if (!pkt->flow_done || stream == PW_NO_STREAM)
        return;
    struct afl *f = tap_record(pkt, stream);
    if (!f && !(f = ftab_get(t, stream, pkt->l4_tap))) {
        a->st.flows_dropped++;
        return;
    }
    int64_t now = ts_ms(rec->ts);
    if (!(f->flags & F_USED)) {
        /* a new stream: a new connection, or more of one tshark split (a
         * new stream on the same four-tuple without a SYN: the flow stage
         * renewed the conversation at this segment) */
        bool pure_syn = ipproto == 6 && (tflags & PW_TCP_SYN) && !(tflags & PW_TCP_ACK);
        const struct pw_tcp_info *ti = &pkt->tcp;
        struct afl *prev = NULL;
        uint32_t root = 0;
        if (ipproto == 6 && !pure_syn && ti->renewed && ti->layer == pkt->l4 &&
            ti->stream == stream && ti->prev_stream < stream) {
            root = ti->prev_stream;
            prev = ftab_find(t, root);
            if (prev && (prev->flags & F_ALIAS)) {
                root = prev->alias;
                prev = ftab_find(t, root);
            }
            if (prev && !(prev->flags & F_USED))
                prev = NULL;
        }
        f->stream = stream;
        if (prev) {
            f->flags = F_USED | F_ALIAS;
            f->alias = root;
        } else {
            flow_init(f, family, ipproto, src, sp, dst, dp, tflags, pkt);
            t->nflows++;
        }
    }
    uint32_t root = stream;
    if (f->flags & F_ALIAS) {
        root = f->alias;
        f = ftab_find(t, root);
    }
    size_t n = alen(family);
    /* the ports tell the direction unless both ends use the same port */
    bool from_client =
        f->cport != f->sport ? sp == f->cport && dp == f->sport : !memcmp(src, f->caddr, n);
    if (f->packets != UINT32_MAX)
        f->packets++;
    f->bytes += pkt->len;
    f->last_frame = pkt->frame;
    f->last_ts = rec->ts;
    if (prep)
        f->flags |= from_client ? F_CDATA : F_SDATA;
    if (ipproto == 6) {
        bool syn = tflags & PW_TCP_SYN, ack = tflags & PW_TCP_ACK;
        if ((tflags & PW_TCP_RST) && f->rst_pkts != UINT16_MAX)
            f->rst_pkts++;
        if (from_client) {
            if (syn && !ack)
                f->flags |= F_CSYN;
            if (tflags & PW_TCP_RST)
                f->flags |= F_CRST;
            if (tflags & PW_TCP_FIN)
                f->flags |= F_CFIN;
        } else {
            f->flags |= F_SREPLY;
            if (syn && ack)
                f->flags |= F_SYNACK;
            if (tflags & PW_TCP_RST)
                f->flags |= F_SRST;
            if (tflags & PW_TCP_FIN)
                f->flags |= F_SFIN;
        }
    } else if (!from_client) {
        f->flags |= F_SREPLY;
    }

    /* classification */
    /* A TCP segment with neither payload nor SYN/FIN/RST tells the
     * classifier nothing (it learns the handshake from the SYNs and the
     * first data segment), so it neither costs a call nor spends the budget. */
    bool bare_ack = ipproto == 6 && !prep && !(tflags & (PW_TCP_SYN | PW_TCP_FIN | PW_TCP_RST));
    bool feedable = !bare_ack && !(l3->flags & PW_LF_FRAGMENT) && l3->off < pkt->caplen;
    cls_queue(a, f, root, ipproto == 6, tflags, prep, feedable,
              feedable ? pkt->data + l3->off : NULL, feedable ? pkt->caplen - l3->off : 0, now,
              pkt->frame);

    /* evidence from the first payloads */
    if (!prep || f->scanned >= PW_ALERT_SCAN_PACKETS)
        return;
    f->scanned++;
    for (int i = pkt->l4 + 1; i < pkt->nlayers; i++) {
        unsigned pr = pkt->layer[i].proto;
        if (pr == PW_P_TCP_SEGMENTS)
            continue;
        if (!f->wsproto || (f->wsproto == PW_P_DATA && pr != PW_P_DATA)) {
            f->wsproto = (uint16_t)pr;
            f->ws_frame = pkt->frame;
        }
        break;
    }
    if (ipproto == 6 &&
        ((f->wsproto && f->wsproto != PW_P_DATA) || f->scanned >= PW_ALERT_SCAN_PACKETS))
        f->flags |= F_APPKNOWN;
    uint32_t poff = l4->off + l4->hlen;
    if (poff >= pkt->caplen)
        return;
    uint32_t pcap = pkt->caplen - poff;
    struct pw_cur c = pw_cur_make(pkt->data + poff, pcap < prep ? pcap : prep, prep);
    if (!pw_cur_left(&c))
        return;
    ev_bittorrent(a, f, pkt, &c);
    if (ipproto == 17) {
        ev_utp(a, f, pkt, &c, from_client);
        ev_dht(a, f, pkt, &c);
        ev_lsd(a, f, pkt, &c);
    } else {
        if (from_client)
            ev_tracker(a, f, pkt, &c);
        ev_creds(a, f, pkt, &c, from_client);
    }
}

/* ---- alerts ------------------------------------------------------------------------ */

static uint64_t akey_hash(const struct pw_alerts *a, const struct akey *k)
{
    uint64_t h = a->seed ^ 0x9e3779b97f4a7c15ULL;
    const uint8_t *p = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof(*k); i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

static bool index_grow(struct pw_alerts *a);

/* The alert for key k, created (zeroed, kind/addresses set) when absent.
 * NULL at PW_ALERT_MAX_ALERTS or out of memory. */
static struct pw_alert *alert_get(struct pw_alerts *a, const struct akey *k)
{
    if (a->index_size == 0 || (a->nalerts + 1) * 2 > a->index_size) {
        if (!index_grow(a))
            return NULL;
    }
    uint32_t mask = a->index_size - 1;
    uint32_t i = (uint32_t)akey_hash(a, k) & mask;
    while (a->index[i]) {
        uint32_t j = a->index[i] - 1;
        if (!memcmp(&a->keys[j], k, sizeof(*k)))
            return &a->alerts[j];
        i = (i + 1) & mask;
    }
    if (a->nalerts >= PW_ALERT_MAX_ALERTS) {
        a->st.alerts_dropped++;
        return NULL;
    }
    if (a->nalerts == a->alerts_cap) {
        uint32_t ncap = a->alerts_cap ? a->alerts_cap * 2 : 64;
        struct pw_alert *na = realloc(a->alerts, (size_t)ncap * sizeof(*na));
        if (!na)
            return NULL;
        a->alerts = na;
        uint64_t *nf = realloc(a->ev_frame, (size_t)ncap * sizeof(*nf));
        if (!nf)
            return NULL;
        a->ev_frame = nf;
        struct akey *nk = realloc(a->keys, (size_t)ncap * sizeof(*nk));
        if (!nk)
            return NULL;
        a->keys = nk;
        a->alerts_cap = ncap;
    }
    uint32_t j = a->nalerts++;
    a->keys[j] = *k;
    a->index[i] = j + 1;
    struct pw_alert *x = &a->alerts[j];
    memset(x, 0, sizeof(*x));
    x->kind = k->kind;
    x->family = k->family;
    x->ipproto = k->ipproto;
    memcpy(x->caddr, k->caddr, 16);
    memcpy(x->saddr, k->saddr, 16);
    x->has_client = x->has_server = true;
    x->first_frame = UINT64_MAX;
    a->ev_frame[j] = UINT64_MAX;
    return x;
}

static bool index_grow(struct pw_alerts *a)
{
    uint32_t nsize = a->index_size ? a->index_size * 2 : 256;
    uint32_t *ni = calloc(nsize, sizeof(*ni));
    if (!ni)
        return false;
    for (uint32_t j = 0; j < a->nalerts; j++) {
        uint32_t i = (uint32_t)akey_hash(a, &a->keys[j]) & (nsize - 1);
        while (ni[i])
            i = (i + 1) & (nsize - 1);
        ni[i] = j + 1;
    }
    free(a->index);
    a->index = ni;
    a->index_size = nsize;
    return true;
}

/* Adds a flow's counts and frames to an alert. A port shows only when all
 * of the alert's flows share it. */
static void alert_add_flow(struct pw_alert *x, const struct afl *f)
{
    if (x->flows == 0) {
        x->cport = f->cport;
        x->sport = f->sport;
    } else {
        if (x->cport != f->cport)
            x->cport = 0;
        if (x->sport != f->sport)
            x->sport = 0;
    }
    x->packets += f->packets;
    x->bytes += f->bytes;
    x->flows++;
    if (f->first_frame < x->first_frame) {
        x->first_frame = f->first_frame;
        x->first_ts = f->first_ts;
    }
    if (f->last_frame >= x->last_frame) {
        x->last_frame = f->last_frame;
        x->last_ts = f->last_ts;
    }
}

static struct pw_alert *flow_alert(struct pw_alerts *a, uint8_t kind, const struct afl *f,
                                   uint16_t app_id, uint16_t port, bool by_server)
{
    struct akey k;
    memset(&k, 0, sizeof(k));
    k.kind = kind;
    k.family = f->family;
    k.ipproto = f->ipproto;
    k.app = app_id;
    k.port = port;
    memcpy(k.caddr, f->caddr, 16);
    if (by_server)
        memcpy(k.saddr, f->saddr, 16);
    struct pw_alert *x = alert_get(a, &k);
    if (x) {
        alert_add_flow(x, f);
        if (!by_server && x->flows == 1)
            memcpy(x->saddr, f->saddr, 16);
    }
    return x;
}

static void pair_push(struct pw_alerts *a, uint32_t alert, const struct afl *f)
{
    if (a->npairs == a->pairs_cap) {
        size_t ncap = a->pairs_cap ? a->pairs_cap * 2 : 256;
        struct apair *np = realloc(a->pairs, ncap * sizeof(*np));
        if (!np)
            return;
        a->pairs = np;
        a->pairs_cap = ncap;
    }
    a->pairs[a->npairs++] = (struct apair){alert, f};
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct apair *x = pa, *y = pb;
    if (x->alert != y->alert)
        return x->alert < y->alert ? -1 : 1;
    int c = memcmp(x->f->saddr, y->f->saddr, 16);
    if (c)
        return c;
    return x->f->first_frame < y->f->first_frame ? -1 : x->f->first_frame > y->f->first_frame;
}

/* unwanted-application alerts: count each alert's servers and keep the
 * busiest; the busiest is the alert's server. */
static void name_peers(struct pw_alerts *a)
{
    sort(a->pairs, a->npairs, sizeof(*a->pairs), cmp_pair);
    for (size_t g = 0; g < a->npairs;) {
        size_t end = g;
        uint64_t pk = 0;
        const struct afl *busiest = a->pairs[g].f;
        while (end < a->npairs && a->pairs[end].alert == a->pairs[g].alert &&
               !memcmp(a->pairs[end].f->saddr, a->pairs[g].f->saddr, 16)) {
            const struct afl *f = a->pairs[end++].f;
            pk += f->packets;
            if (f->packets > busiest->packets)
                busiest = f;
        }
        struct pw_alert *x = &a->alerts[a->pairs[g].alert];
        x->peers++;
        struct pw_alert_peer np;
        memcpy(np.addr, a->pairs[g].f->saddr, 16);
        np.port = busiest->sport;
        np.packets = pk;
        /* insert into the list sorted by packets (ties: first seen first) */
        unsigned pos = x->npeer;
        while (pos > 0 && x->peer[pos - 1].packets < np.packets)
            pos--;
        if (pos < PW_ALERT_MAX_PEERS) {
            unsigned last = x->npeer < PW_ALERT_MAX_PEERS ? x->npeer : PW_ALERT_MAX_PEERS - 1;
            memmove(&x->peer[pos + 1], &x->peer[pos], (last - pos) * sizeof(x->peer[0]));
            x->peer[pos] = np;
            if (x->npeer < PW_ALERT_MAX_PEERS)
                x->npeer++;
        }
        g = end;
    }
    for (uint32_t i = 0; i < a->nalerts; i++) {
        struct pw_alert *x = &a->alerts[i];
        if (x->kind == PW_AK_UNWANTED_APP && x->npeer) {
            memcpy(x->saddr, x->peer[0].addr, 16);
            x->sport = x->peer[0].port;
        }
    }
    free(a->pairs);
    a->pairs = NULL;
    a->npairs = a->pairs_cap = 0;
}

/* Evidence is compared by strength, then by frame: a BitTorrent handshake
 * says more than a tracker announce, which says more than a classifier's
 * verdict. Plain frame numbers rank highest (single-kind alerts). */
static uint64_t ev_key(unsigned rank, uint64_t frame)
{
    return ((uint64_t)(8 - rank) << 56) | (frame & ((1ull << 56) - 1));
}

/* Keeps the strongest, then earliest, evidence among an alert's flows. */
static void alert_evidence(struct pw_alerts *a, struct pw_alert *x, uint64_t frame,
                           const char *text)
{
    size_t j = (size_t)(x - a->alerts);
    if (frame < a->ev_frame[j] || !x->evidence[0]) {
        a->ev_frame[j] = frame;
        scopy(x->evidence, sizeof(x->evidence), text);
    }
}

static const char *app_name(const struct pw_alerts *a, unsigned id)
{
    return pw_cls_app_name(a->cls, id);
}

/* "TLS.AnyDesk" style name of a flow's classification. */
static void full_name(const struct pw_alerts *a, const struct afl *f, char *buf, size_t n)
{
    if (f->master)
        snprintf(buf, n, "%s.%s", app_name(a, f->master), app_name(a, f->app));
    else
        snprintf(buf, n, "%s", app_name(a, f->app));
}

static void set_names(const struct pw_alerts *a, struct pw_alert *x, const struct afl *f,
                      unsigned app_id)
{
    if (!x->app[0] && app_id)
        scopy(x->app, sizeof(x->app), app_name(a, app_id));
    if (!x->category[0] && app_id) {
        unsigned cat =
            f->app == app_id && f->category ? f->category : pw_cls_app_category(a->cls, app_id);
        scopy(x->category, sizeof(x->category), pw_cls_category_name(a->cls, cat));
    }
    if (!x->wireshark[0] && f->wsproto)
        scopy(x->wireshark, sizeof(x->wireshark), pw_proto_abbrev(f->wsproto));
}

/* The evidence line for an unwanted-application flow; *key ranks it (ev_key). */
static void app_evidence(const struct pw_alerts *a, const struct afl *f, const struct evid *e,
                         char *buf, size_t n, uint64_t *key)
{
    size_t len = 0;
    char h[41] = "";
    uint64_t fr = f->cls_frame ? f->cls_frame : f->first_frame, *frame = &fr;
    unsigned rank = f->conf == PW_CLS_CONF_DPI ? 3 : f->conf == PW_CLS_CONF_CACHE ? 2 : 1;
    if (e && e->has_hash)
        hex(h, e->hash, 20);
    buf[0] = '\0';
    if (e && e->app_kind != EVA_NONE) {
        static const unsigned ranks[] = {[EVA_BT] = 7,  [EVA_BT_UTP] = 7, [EVA_TRACKER] = 6,
                                         [EVA_DHT] = 5, [EVA_UTP] = 5,    [EVA_LSD] = 4};
        rank = ranks[e->app_kind];
    } else if (f->flags & F_WS_APP) {
        rank = 3;
    }
    if (e && (e->app_kind == EVA_BT || e->app_kind == EVA_BT_UTP)) {
        *frame = e->app_frame;
        app(buf, n, &len, "BitTorrent handshake%s in frame %llu",
            e->app_kind == EVA_BT_UTP ? " over uTP" : "", (unsigned long long)e->app_frame);
        if (h[0])
            app(buf, n, &len, " (info-hash %s)", h);
    } else if (e && e->app_kind == EVA_DHT) {
        *frame = e->app_frame;
        if (e->dht_reply)
            app(buf, n, &len, "BitTorrent DHT response in frame %llu",
                (unsigned long long)e->app_frame);
        else
            app(buf, n, &len, "BitTorrent DHT %s%squery in frame %llu", e->detail,
                e->detail[0] ? " " : "", (unsigned long long)e->app_frame);
        if (h[0])
            app(buf, n, &len, " (info-hash %s)", h);
    } else if (e && e->app_kind == EVA_UTP) {
        *frame = e->app_frame;
        app(buf, n, &len, "uTP (BitTorrent's UDP transport) connection set up in frames %llu-%llu",
            (unsigned long long)e->utp_frame, (unsigned long long)e->app_frame);
    } else if (e && e->app_kind == EVA_TRACKER) {
        *frame = e->app_frame;
        app(buf, n, &len, "BitTorrent tracker announce in frame %llu",
            (unsigned long long)e->app_frame);
        if (h[0])
            app(buf, n, &len, " (info-hash %s)", h);
    } else if (e && e->app_kind == EVA_LSD) {
        *frame = e->app_frame;
        app(buf, n, &len, "BitTorrent Local Service Discovery announce in frame %llu",
            (unsigned long long)e->app_frame);
        if (h[0])
            app(buf, n, &len, " (info-hash %s)", h);
    } else if (f->flags & F_WS_APP) {
        *frame = f->ws_frame;
        app(buf, n, &len, "dissected as %s from frame %llu (%s port %u%s)",
            pw_proto_abbrev(f->wsproto), (unsigned long long)f->ws_frame, proto_str(f->ipproto),
            f->sport, f->wsproto == PW_P_BITTORRENT ? ", no handshake seen" : "");
    } else if (f->master == (unsigned)a->dns_id && e && e->host[0]) {
        app(buf, n, &len, "DNS lookup of '%s' in frame %llu", e->host, (unsigned long long)*frame);
    } else {
        char nm[96];
        full_name(a, f, nm, sizeof(nm));
        const char *cat = pw_cls_category_name(a->cls, f->category);
        if (f->conf == PW_CLS_CONF_IP)
            app(buf, n, &len, "nDPI knows the server address as %s (%s), frame %llu", nm, cat,
                (unsigned long long)*frame);
        else if (f->conf == PW_CLS_CONF_CACHE)
            app(buf, n, &len,
                "nDPI classifies the flow as %s (%s) in frame %llu from an earlier flow between "
                "the same hosts",
                nm, cat, (unsigned long long)*frame);
        else
            app(buf, n, &len, "nDPI classifies the flow as %s (%s) from its payload in frame %llu",
                nm, cat, (unsigned long long)*frame);
        if (e && e->host[0])
            app(buf, n, &len, ", server name '%s'", e->host);
    }
    if (f->flags & F_WS_APP)
        app(buf, n, &len, "; nDPI did not classify it");
    else if (e && e->other == OTHER_NONE)
        app(buf, n, &len, "; nDPI did not classify it");
    else if (e && e->other)
        app(buf, n, &len, "; nDPI: %s", app_name(a, e->other));
    else if (f->app && len && strncmp(buf, "nDPI", 4)) {
        char nm[96];
        full_name(a, f, nm, sizeof(nm));
        app(buf, n, &len, "; nDPI: %s", nm);
    }
    if (f->wsproto == PW_P_DATA)
        app(buf, n, &len, "; Wireshark dissects it only as data");
    *key = ev_key(rank, *frame);
}

static const char *cred_proto(const struct pw_alerts *a, const struct afl *f, const struct evid *e)
{
    if (f->app)
        return app_name(a, f->app);
    if (e && e->cred_kind == EVC_HTTP_BASIC)
        return "HTTP";
    if (e && e->cred_kind == EVC_TELNET)
        return "Telnet";
    if (e && e->cred_kind == EVC_IMAP_LOGIN)
        return "IMAP";
    if (e && e->cred_kind == EVC_SMTP_AUTH)
        return "SMTP";
    return f->sport == 110 ? "POP3" : "FTP";
}

static bool cred_evidence(const struct pw_alerts *a, const struct afl *f, const struct evid *e,
                          char *buf, size_t n, uint64_t *frame)
{
    size_t len = 0;
    const char *pr = cred_proto(a, f, e);
    buf[0] = '\0';
    if (e && e->cred_kind != EVC_NONE) {
        *frame = e->cred_frame;
        switch (e->cred_kind) {
        case EVC_USERPASS:
            app(buf, n, &len, "%s USER '%s' (frame %llu) and PASS (frame %llu) in clear", pr,
                e->user, (unsigned long long)e->user_frame, (unsigned long long)e->cred_frame);
            break;
        case EVC_PASS:
            app(buf, n, &len, "%s PASS command in clear in frame %llu", pr,
                (unsigned long long)e->cred_frame);
            break;
        case EVC_HTTP_BASIC:
            app(buf, n, &len, "HTTP Basic authorization%s%s%s in frame %llu",
                e->user[0] ? " for user '" : "", e->user, e->user[0] ? "'" : "",
                (unsigned long long)e->cred_frame);
            break;
        case EVC_IMAP_LOGIN:
            app(buf, n, &len, "IMAP LOGIN as '%s' in clear in frame %llu", e->user,
                (unsigned long long)e->cred_frame);
            break;
        case EVC_SMTP_AUTH:
            app(buf, n, &len, "%s AUTH PLAIN/LOGIN (base64, not encrypted) in frame %llu", pr,
                (unsigned long long)e->cred_frame);
            break;
        case EVC_TELNET:
            app(buf, n, &len, "Telnet password prompt in frame %llu answered in frame %llu",
                (unsigned long long)e->prompt_frame, (unsigned long long)e->cred_frame);
            break;
        default: break;
        }
        return true;
    }
    if (f->risks & PW_CLS_RISK_CLEARTEXT_CREDS) {
        *frame = f->cls_frame ? f->cls_frame : f->first_frame;
        app(buf, n, &len, "nDPI flags cleartext credentials in this %s flow", pr);
        return true;
    }
    return false;
}

/* unwanted-application, protocol-port-mismatch and cleartext-credentials:
 * one flow at a time. */
static void flow_alerts(struct pw_alerts *a, struct afl *f, void *arg)
{
    (void)arg;
    const struct pw_policy *pol = a->pol;
    struct evid *e = evid_of(a, f);
    char ev[PW_ALERT_EVIDENCE_LEN];
    uint64_t frame;

    /* what our own dissectors saw, when the classifier had nothing better */
    bool strong = f->app && (f->conf == PW_CLS_CONF_DPI || f->conf == PW_CLS_CONF_CACHE);
    if (!strong && a->bt_id > 0 &&
        (f->wsproto == PW_P_BITTORRENT || f->wsproto == PW_P_BT_DHT || f->wsproto == PW_P_LSD)) {
        f->app = (uint16_t)a->bt_id;
        f->master = 0;
        f->category = (uint16_t)pw_cls_app_category(a->cls, f->app);
        f->flags |= F_WS_APP;
    }
    /* BitTorrent's own messages (handshake, DHT, tracker announce, LSD) are
     * specific enough to name the application whatever else was guessed */
    if (e && e->app_kind != EVA_NONE && a->bt_id > 0 && !(f->flags & F_WS_APP) &&
        f->app != a->bt_id) {
        e->other = f->app && trusted(f) ? f->app : OTHER_NONE;
        f->app = (uint16_t)a->bt_id;
        f->master = 0;
        f->category = (uint16_t)pw_cls_app_category(a->cls, f->app);
        f->conf = PW_CLS_CONF_DPI;
    }

    if (pol->kind_sev[PW_AK_UNWANTED_APP] && f->app && trusted(f)) {
        unsigned sev = verdict(a, f->app, f->master, f->category);
        /* a DNS lookup names the service but is not its use, and a server
         * address alone may be shared with something else */
        if (sev > PW_SEV_INFO && (f->master == (unsigned)a->dns_id || f->conf == PW_CLS_CONF_IP))
            sev--;
        if (sev != PW_SEV_NONE) {
            struct pw_alert *x = flow_alert(a, PW_AK_UNWANTED_APP, f, f->app, 0, false);
            if (x) {
                pair_push(a, (uint32_t)(x - a->alerts), f);
                if (sev > x->sev)
                    x->sev = (uint8_t)sev;
                set_names(a, x, f, f->app);
                app_evidence(a, f, e, ev, sizeof(ev), &frame);
                alert_evidence(a, x, frame, ev);
            }
        }
    }

    if (pol->kind_sev[PW_AK_PORT_MISMATCH] && f->app && f->conf == PW_CLS_CONF_DPI &&
        !(f->flags & F_WS_APP)) {
        unsigned ids[2] = {f->master, f->app};
        for (int i = 0; i < 2; i++) {
            unsigned id = ids[i];
            if (!id || a->app_ports[id] < 0)
                continue;
            const struct pw_policy_appports *ap = &pol->appports[a->app_ports[id]];
            if (pw_policy_ports_has(&ap->ports, f->ipproto, f->sport) ||
                pw_policy_ports_has(&ap->ports, f->ipproto, f->cport))
                break;
            struct pw_alert *x =
                flow_alert(a, PW_AK_PORT_MISMATCH, f, (uint16_t)id, f->sport, true);
            if (x) {
                x->sev = pol->kind_sev[PW_AK_PORT_MISMATCH];
                set_names(a, x, f, id);
                size_t len = 0;
                app(ev, sizeof(ev), &len,
                    "%s found by payload in frame %llu on %s/%u; usual: ", app_name(a, id),
                    (unsigned long long)(f->cls_frame ? f->cls_frame : f->first_frame),
                    proto_str(f->ipproto), f->sport);
                for (uint16_t k = 0; k < ap->ports.n && k < 8; k++) {
                    const struct pw_policy_port *pp = &ap->ports.p[k];
                    app(ev, sizeof(ev), &len, "%s%s/%u", k ? ", " : "",
                        pp->proto ? proto_str(pp->proto) : "any", pp->lo);
                    if (pp->hi != pp->lo)
                        app(ev, sizeof(ev), &len, "-%u", pp->hi);
                }
                if (ap->ports.n > 8)
                    app(ev, sizeof(ev), &len, ", ...");
                alert_evidence(a, x, f->cls_frame, ev);
            }
            break;
        }
    }

    if (pol->kind_sev[PW_AK_CLEARTEXT] && cred_evidence(a, f, e, ev, sizeof(ev), &frame)) {
        struct pw_alert *x = flow_alert(a, PW_AK_CLEARTEXT, f, f->app, 0, true);
        if (x) {
            x->sev = pol->kind_sev[PW_AK_CLEARTEXT];
            set_names(a, x, f, f->app);
            if (!x->app[0])
                scopy(x->app, sizeof(x->app), cred_proto(a, f, e));
            alert_evidence(a, x, frame, ev);
        }
    }
}

/* ---- whole-capture judgements --------------------------------------------------------- */

static bool fvec_push(struct fvec *fv, struct afl *f)
{
    if (fv->n == fv->cap) {
        size_t ncap = fv->cap ? fv->cap * 2 : 1024;
        struct afl **nv = realloc(fv->v, ncap * sizeof(*nv));
        if (!nv)
            return false;
        fv->v = nv;
        fv->cap = ncap;
    }
    fv->v[fv->n++] = f;
    return true;
}

/* Room for every flow at once, faulted in with one call: the vectors of a
 * large capture are megabytes, and growing them by realloc touched each new
 * page with a fault. */
static void fvec_reserve(struct fvec *fv, const struct pw_alerts *a)
{
    size_t n = (size_t)(a->tcp.nflows + a->udp.nflows);
    if (n <= fv->cap)
        return;
    struct afl **nv = realloc(fv->v, n * sizeof(*nv));
    if (!nv)
        return; /* fvec_push grows it as needed */
    pw_prefault(nv, n * sizeof(*nv));
    fv->v = nv;
    fv->cap = n;
}

static int cmp_addr(const struct afl *x, const struct afl *y, bool client)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(client ? x->caddr : x->saddr, client ? y->caddr : y->saddr, 16);
}

/* scan order: client, server, server port, protocol */
static int cmp_scan(const void *pa, const void *pb)
{
    const struct afl *x = *(struct afl *const *)pa, *y = *(struct afl *const *)pb;
    int c = cmp_addr(x, y, true);
    if (!c)
        c = cmp_addr(x, y, false);
    if (!c)
        c = (int)x->sport - (int)y->sport;
    if (!c)
        c = (int)x->ipproto - (int)y->ipproto;
    if (!c)
        c = x->first_frame < y->first_frame ? -1 : x->first_frame > y->first_frame;
    return c;
}

/* service order: server, protocol, server port, client */
static int cmp_service(const void *pa, const void *pb)
{
    const struct afl *x = *(struct afl *const *)pa, *y = *(struct afl *const *)pb;
    int c = cmp_addr(x, y, false);
    if (!c)
        c = (int)x->ipproto - (int)y->ipproto;
    if (!c)
        c = (int)x->sport - (int)y->sport;
    if (!c)
        c = cmp_addr(x, y, true);
    if (!c)
        c = x->first_frame < y->first_frame ? -1 : x->first_frame > y->first_frame;
    return c;
}

/* The orders above as byte strings, each next to its flow: a large capture
 * has its flow records scattered over tens of megabytes, and comparing
 * through the pointers cost a cache miss or two per comparison. Same order
 * as cmp_scan / cmp_service (first_frame makes it total, so the result does
 * not depend on the sort algorithm). */
#define SKEY_LEN 44u
struct skey {
    uint8_t k[SKEY_LEN];
    struct afl *f;
};

static int cmp_skey(const void *pa, const void *pb)
{
    return memcmp(((const struct skey *)pa)->k, ((const struct skey *)pb)->k, SKEY_LEN);
}

static uint8_t *put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
    return p + n;
}

static void sort_flows(struct fvec *fv, int (*order)(const void *, const void *))
{
    if (fv->n < 2)
        return;
    struct skey *ks = malloc(fv->n * sizeof(*ks));
    if (!ks) {
        sort(fv->v, fv->n, sizeof(*fv->v), order); /* slower, same result */
        return;
    }
    bool scan = order == cmp_scan;
    for (size_t i = 0; i < fv->n; i++) {
        if (i + 8 < fv->n) { /* records of consecutive flows are far apart */
            __builtin_prefetch(fv->v[i + 8]);
            __builtin_prefetch((const char *)fv->v[i + 8] + 64);
        }
        const struct afl *f = fv->v[i];
        uint8_t *p = ks[i].k;
        *p++ = f->family;
        if (scan) {
            memcpy(p, f->caddr, 16);
            memcpy(p + 16, f->saddr, 16);
            p = put_be(p + 32, f->sport, 2);
            *p++ = f->ipproto;
        } else {
            memcpy(p, f->saddr, 16);
            p[16] = f->ipproto;
            p = put_be(p + 17, f->sport, 2);
            memcpy(p, f->caddr, 16);
            p += 16;
        }
        put_be(p, f->first_frame, 8);
        ks[i].f = fv->v[i];
    }
    sort(ks, fv->n, sizeof(*ks), cmp_skey);
    for (size_t i = 0; i < fv->n; i++)
        fv->v[i] = ks[i].f;
    free(ks);
}

/* Groups that cannot alert, dropped before the sort. A large capture's
 * flows are mostly in groups far below the thresholds (a client with a few
 * connections is no scan; a server whose handshakes all succeeded and saw
 * few RSTs has no handshake alert), and sorting every flow cost a tenth of
 * the pass. Each flow adds its weights to its group's hash bucket and is
 * kept when its bucket reaches a threshold. Groups sharing a bucket only add
 * up, so no group that can alert is dropped and the searches find what they
 * found on the whole vector. */
enum gkey { GK_CLIENT, GK_TARGET };

/* splitmix64's finaliser: every input bit reaches every output bit (IPv6
 * addresses that differ only in their last bytes must not share buckets) */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t group_hash(const struct afl *f, enum gkey g)
{
    const uint8_t *ad = g == GK_CLIENT ? f->caddr : f->saddr;
    uint64_t w0, w1;
    memcpy(&w0, ad, 8);
    memcpy(&w1, ad + 8, 8);
    uint64_t h = mix64(w0 ^ ((uint64_t)f->family << 56)) ^ w1;
    if (g == GK_TARGET)
        h = mix64(h) ^ f->sport ^ ((uint64_t)f->ipproto << 16);
    return (uint32_t)mix64(h);
}

static uint32_t add_sat(uint32_t x, uint32_t y)
{
    return x > UINT32_MAX - y ? UINT32_MAX : x + y;
}

/* GK_CLIENT weighs every flow against min_a (scan targets are at most the
 * client's flows); GK_TARGET weighs failed handshakes against min_a and RST
 * segments against min_b, flows of found scanners left out as
 * find_handshake_failures leaves them out. */
static void drop_small_groups(struct pw_alerts *a, struct fvec *fv, enum gkey g, uint32_t min_a,
                              uint32_t min_b)
{
    if (fv->n < 2)
        return;
    /* about four flows per bucket (171k flows: 512 KB of counts, which
     * stay in cache): the thresholds (tens) are far above what a few
     * one-flow groups sharing a bucket add up to */
    uint32_t nb = 64;
    while (nb < fv->n / 4 && nb < (1u << 30))
        nb *= 2;
    if (a->grp_cnt_cap < (size_t)nb * 2) {
        free(a->grp_cnt);
        a->grp_cnt_cap = 0;
        if ((a->grp_cnt = malloc((size_t)nb * 2 * sizeof(uint32_t))))
            a->grp_cnt_cap = (size_t)nb * 2;
    }
    if (a->grp_bk_cap < fv->n) {
        free(a->grp_bk);
        a->grp_bk_cap = 0;
        if ((a->grp_bk = malloc(fv->n * sizeof(uint32_t))))
            a->grp_bk_cap = fv->n;
    }
    uint32_t *cnt = a->grp_cnt, *bk = a->grp_bk;
    if (cnt && bk) {
        memset(cnt, 0, (size_t)nb * 2 * sizeof(uint32_t));
        for (size_t i = 0; i < fv->n; i++) {
            const struct afl *f = fv->v[i];
            uint32_t b = group_hash(f, g) & (nb - 1), wa = 1, wb = 0;
            if (g == GK_TARGET) {
                bool own = !(f->flags & F_SCANNER);
                wa = own && (f->flags & (F_CSYN | F_SYNACK)) == F_CSYN;
                wb = own ? f->rst_pkts : 0;
            }
            bk[i] = b;
            cnt[2 * b] = add_sat(cnt[2 * b], wa);
            cnt[2 * b + 1] = add_sat(cnt[2 * b + 1], wb);
        }
        size_t k = 0;
        for (size_t i = 0; i < fv->n; i++)
            if (cnt[2 * bk[i]] >= min_a || (g == GK_TARGET && cnt[2 * bk[i] + 1] >= min_b))
                fv->v[k++] = fv->v[i];
        fv->n = k;
    }
}

static bool same_target(const struct afl *x, const struct afl *y)
{
    return !cmp_addr(x, y, false) && x->sport == y->sport && x->ipproto == y->ipproto;
}

static bool answered(const struct afl *f)
{
    return f->ipproto == 6 ? (f->flags & F_SYNACK) != 0 : (f->flags & F_SREPLY) != 0;
}

/* A connection attempt that can count toward a scan. */
static bool scan_attempt(const struct afl *f)
{
    if (is_group_addr(f->family, f->saddr))
        return false;
    if (f->ipproto == 6)
        return (f->flags & F_CSYN) != 0;
    return true;
}

static void collect_scan(struct pw_alerts *a, struct afl *f, void *arg)
{
    (void)a;
    if (scan_attempt(f))
        fvec_push(arg, f);
}

static void collect_all(struct pw_alerts *a, struct afl *f, void *arg)
{
    (void)a;
    fvec_push(arg, f);
}

static void find_scans(struct pw_alerts *a)
{
    const struct pw_policy *pol = a->pol;
    struct fvec *fv = &a->scratch;
    fv->n = 0;
    fvec_reserve(fv, a);
    foreach_flow(a, collect_scan, fv);
    drop_small_groups(a, fv, GK_CLIENT, pol->thr.scan_min_targets, 0);
    sort_flows(fv, cmp_scan);
    uint8_t *ports = NULL;
    for (size_t g = 0; g < fv->n;) {
        size_t end = g;
        while (end < fv->n && !cmp_addr(fv->v[end], fv->v[g], true))
            end++;
        uint32_t targets = 0, ans = 0, refused = 0, hosts = 0, tcp = 0, udp = 0;
        for (size_t i = g; i < end; i++) {
            bool new_target = i == g || !same_target(fv->v[i], fv->v[i - 1]);
            bool new_host = i == g || cmp_addr(fv->v[i], fv->v[i - 1], false);
            if (new_host)
                hosts++;
            if (!new_target)
                continue;
            targets++;
            if (fv->v[i]->ipproto == 6)
                tcp++;
            else
                udp++;
            /* a target is answered when any of its flows was */
            bool an = false, rf = false;
            for (size_t j = i; j < end && same_target(fv->v[j], fv->v[i]); j++) {
                an = an || answered(fv->v[j]);
                rf = rf || (fv->v[j]->flags & F_SRST);
            }
            ans += an;
            refused += !an && rf;
        }
        if (targets >= pol->thr.scan_min_targets &&
            (uint64_t)ans * 100 <= (uint64_t)pol->thr.scan_max_answered_pct * targets) {
            if (!ports)
                ports = malloc(2 * 8192);
            uint32_t nports = 0;
            if (ports) {
                memset(ports, 0, 2 * 8192);
                for (size_t i = g; i < end; i++) {
                    const struct afl *f = fv->v[i];
                    uint8_t *bm = ports + (f->ipproto == 6 ? 0 : 8192);
                    if (!(bm[f->sport >> 3] & (1u << (f->sport & 7)))) {
                        bm[f->sport >> 3] |= (uint8_t)(1u << (f->sport & 7));
                        nports++;
                    }
                }
            }
            struct akey k;
            memset(&k, 0, sizeof(k));
            k.kind = PW_AK_SCAN;
            k.family = fv->v[g]->family;
            k.ipproto = tcp && udp ? 0 : tcp ? 6 : 17;
            memcpy(k.caddr, fv->v[g]->caddr, 16);
            if (hosts == 1)
                memcpy(k.saddr, fv->v[g]->saddr, 16);
            struct pw_alert *x = alert_get(a, &k);
            if (x) {
                x->sev = pol->kind_sev[PW_AK_SCAN];
                x->has_server = hosts == 1;
                x->peers = targets;
                for (size_t i = g; i < end; i++) {
                    alert_add_flow(x, fv->v[i]);
                    fv->v[i]->flags |= F_SCANNER;
                }
                if (hosts != 1)
                    x->sport = 0;
                char ev[PW_ALERT_EVIDENCE_LEN], hb[64];
                size_t len = 0;
                app(ev, sizeof(ev), &len, "%s to %u target%s (%u port%s on %u host%s",
                    tcp && udp ? "TCP SYNs and UDP datagrams"
                    : tcp      ? "TCP SYNs"
                               : "UDP datagrams",
                    targets, targets == 1 ? "" : "s", nports, nports == 1 ? "" : "s", hosts,
                    hosts == 1 ? "" : "s");
                if (hosts == 1)
                    app(ev, sizeof(ev), &len, ", %s",
                        addr_str(hb, sizeof(hb), x->family, x->saddr));
                app(ev, sizeof(ev), &len, "): %u answered", ans);
                if (refused)
                    app(ev, sizeof(ev), &len, ", %u refused with RST", refused);
                app(ev, sizeof(ev), &len, ", %u unanswered", targets - ans - refused);
                alert_evidence(a, x, x->first_frame, ev);
            }
        }
        g = end;
    }
    free(ports);
}

static void find_handshake_failures(struct pw_alerts *a)
{
    const struct pw_policy *pol = a->pol;
    struct fvec *fv = &a->scratch;
    fv->n = 0;
    fvec_reserve(fv, a);
    ftab_foreach(&a->tcp, collect_all, a, fv);
    drop_small_groups(a, fv, GK_TARGET, pol->thr.hs_min_failures, pol->thr.rst_storm);
    sort_flows(fv, cmp_service);
    for (size_t g = 0; g < fv->n;) {
        size_t end = g;
        while (end < fv->n && same_target(fv->v[end], fv->v[g]))
            end++;
        uint32_t attempts = 0, unans = 0, refused = 0, clients = 0;
        uint64_t rsts = 0;
        const struct afl *first = NULL;
        for (size_t i = g; i < end; i++) {
            const struct afl *f = fv->v[i];
            if (f->flags & F_SCANNER)
                continue; /* the scan alert explains it */
            if (!first || f->first_frame < first->first_frame)
                first = f;
            if (i == g || cmp_addr(f, fv->v[i - 1], true))
                clients++;
            rsts += f->rst_pkts;
            if (!(f->flags & F_CSYN))
                continue;
            attempts++;
            if (f->flags & F_SYNACK)
                continue;
            if (f->flags & F_SRST)
                refused++;
            else
                unans++;
        }
        uint32_t failed = unans + refused;
        bool hs = failed >= pol->thr.hs_min_failures &&
                  (uint64_t)failed * 100 >= (uint64_t)pol->thr.hs_min_failed_pct * attempts;
        bool storm = rsts >= pol->thr.rst_storm;
        if (first && (hs || storm)) {
            struct akey k;
            memset(&k, 0, sizeof(k));
            k.kind = PW_AK_HANDSHAKE;
            k.family = first->family;
            k.ipproto = 6;
            k.port = first->sport;
            memcpy(k.saddr, first->saddr, 16);
            struct pw_alert *x = alert_get(a, &k);
            if (x) {
                x->sev = pol->kind_sev[PW_AK_HANDSHAKE];
                memcpy(x->caddr, first->caddr, 16);
                x->peers = clients;
                x->has_client = clients == 1;
                for (size_t i = g; i < end; i++)
                    if (!(fv->v[i]->flags & F_SCANNER))
                        alert_add_flow(x, fv->v[i]);
                char ev[PW_ALERT_EVIDENCE_LEN];
                size_t len = 0;
                if (hs)
                    app(ev, sizeof(ev), &len,
                        "%u of %u connection attempts to tcp/%u failed (%u unanswered SYN%s, %u "
                        "refused with RST)",
                        failed, attempts, first->sport, unans, unans == 1 ? "" : "s", refused);
                if (storm)
                    app(ev, sizeof(ev), &len, "%s%llu RST segments on connections to tcp/%u",
                        hs ? "; " : "", (unsigned long long)rsts, first->sport);
                app(ev, sizeof(ev), &len, "; %u client%s", clients, clients == 1 ? "" : "s");
                alert_evidence(a, x, x->first_frame, ev);
            }
        }
        g = end;
    }
}

struct svc_cand {
    size_t g, end; /* range in the sorted vector */
    uint64_t packets;
};

static int cmp_cand(const void *pa, const void *pb)
{
    const struct svc_cand *x = pa, *y = pb;
    if (x->packets != y->packets)
        return x->packets > y->packets ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

/* Is f's server port one its [services] entry leaves out? */
static const struct pw_policy_service *unexpected(const struct pw_alerts *a, const struct afl *f)
{
    if (is_group_addr(f->family, f->saddr))
        return NULL;
    /* without a handshake the server is a guess from the ports: only trust
     * it when the server's port is clearly the more server-like one */
    if (f->ipproto == 6 && !(f->flags & F_DIRKNOWN) && port_rank(f->sport) <= port_rank(f->cport))
        return NULL;
    if ((f->flags & F_SCANNER) && !answered(f))
        return NULL;
    const struct pw_policy_service *s = pw_policy_service_for(a->pol, f->family, f->saddr);
    if (!s || pw_policy_ports_has(&s->ports, f->ipproto, f->sport))
        return NULL;
    return s;
}

static void collect_unexpected(struct pw_alerts *a, struct afl *f, void *arg)
{
    if (unexpected(a, f))
        fvec_push(arg, f);
}

static void find_unexpected_services(struct pw_alerts *a)
{
    const struct pw_policy *pol = a->pol;
    if (!pol->nservices || !pol->kind_sev[PW_AK_UNEXPECTED_SERVICE])
        return;
    struct fvec *fv = &a->scratch;
    fv->n = 0;
    fvec_reserve(fv, a);
    foreach_flow(a, collect_unexpected, fv);
    sort_flows(fv, cmp_service);
    struct svc_cand *cand = NULL;
    size_t ncand = 0, capc = 0;
    for (size_t h = 0; h < fv->n;) {
        /* one server host */
        size_t hend = h;
        while (hend < fv->n && !cmp_addr(fv->v[hend], fv->v[h], false))
            hend++;
        ncand = 0;
        for (size_t g = h; g < hend;) {
            size_t end = g;
            uint64_t pk = 0;
            while (end < hend && same_target(fv->v[end], fv->v[g]))
                pk += fv->v[end++]->packets;
            if (ncand == capc) {
                size_t nc = capc ? capc * 2 : 64;
                struct svc_cand *n2 = realloc(cand, nc * sizeof(*n2));
                if (!n2)
                    break;
                cand = n2;
                capc = nc;
            }
            cand[ncand++] = (struct svc_cand){g, end, pk};
            g = end;
        }
        sort(cand, ncand, sizeof(*cand), cmp_cand);
        size_t keep = ncand < pol->thr.unexpected_top ? ncand : pol->thr.unexpected_top;
        for (size_t c = 0; c < keep; c++) {
            const struct afl *f0 = fv->v[cand[c].g];
            const struct pw_policy_service *s = unexpected(a, f0);
            struct akey k;
            memset(&k, 0, sizeof(k));
            k.kind = PW_AK_UNEXPECTED_SERVICE;
            k.family = f0->family;
            k.ipproto = f0->ipproto;
            k.port = f0->sport;
            memcpy(k.saddr, f0->saddr, 16);
            struct pw_alert *x = alert_get(a, &k);
            if (!x)
                continue;
            x->sev = pol->kind_sev[PW_AK_UNEXPECTED_SERVICE];
            memcpy(x->caddr, f0->caddr, 16);
            uint32_t clients = 0, ans = 0;
            const struct afl *first = f0;
            for (size_t i = cand[c].g; i < cand[c].end; i++) {
                const struct afl *f = fv->v[i];
                if (i == cand[c].g || cmp_addr(f, fv->v[i - 1], true))
                    clients++;
                ans += answered(f);
                if (f->first_frame < first->first_frame)
                    first = f;
                alert_add_flow(x, f);
                if (!x->app[0] && f->app && trusted(f))
                    set_names(a, x, f, f->app);
                if (!x->wireshark[0] && f->wsproto)
                    scopy(x->wireshark, sizeof(x->wireshark), pw_proto_abbrev(f->wsproto));
            }
            memcpy(x->caddr, first->caddr, 16);
            x->peers = clients;
            x->has_client = clients == 1;
            char ev[PW_ALERT_EVIDENCE_LEN], hb[64];
            size_t len = 0;
            app(ev, sizeof(ev), &len, "%s/%u is not among the services expected of %s (",
                proto_str(f0->ipproto), f0->sport, addr_str(hb, sizeof(hb), f0->family, f0->saddr));
            if (!s->ports.n)
                app(ev, sizeof(ev), &len, "none");
            for (uint16_t q = 0; q < s->ports.n && q < 6; q++) {
                const struct pw_policy_port *pp = &s->ports.p[q];
                app(ev, sizeof(ev), &len, "%s%s/%u", q ? ", " : "",
                    pp->proto ? proto_str(pp->proto) : "any", pp->lo);
                if (pp->hi != pp->lo)
                    app(ev, sizeof(ev), &len, "-%u", pp->hi);
            }
            if (s->ports.n > 6)
                app(ev, sizeof(ev), &len, ", ...");
            app(ev, sizeof(ev), &len, "; policy line %u): %u flow%s from %u client%s, %u answered",
                s->line, x->flows, x->flows == 1 ? "" : "s", clients, clients == 1 ? "" : "s", ans);
            if (ncand > keep)
                app(ev, sizeof(ev), &len,
                    " (one of %zu unexpected ports on this host; the %zu "
                    "busiest are listed)",
                    ncand, keep);
            alert_evidence(a, x, x->first_frame, ev);
        }
        h = hend;
    }
    free(cand);
}

/* ICMP echo sweeps: one source pinging many hosts. */
struct icmp_item {
    const struct pw_flow_key *k;
    const struct icmpv *v;
    uint8_t side; /* the requester is key endpoint `side` */
};

struct icmp_vec {
    struct pw_alerts *a;
    struct icmp_item *v;
    size_t n, cap;
};

static void collect_icmp(void *value, void *arg)
{
    struct icmp_vec *iv = arg;
    const struct icmpv *v = value;
    const struct pw_flow_key *k = pw_flowtab_key(iv->a->icmp, value);
    for (uint8_t side = 0; side < 2; side++) {
        if (!v->req[side])
            continue;
        if (iv->n == iv->cap) {
            size_t nc = iv->cap ? iv->cap * 2 : 256;
            struct icmp_item *nv = realloc(iv->v, nc * sizeof(*nv));
            if (!nv)
                return;
            iv->v = nv;
            iv->cap = nc;
        }
        iv->v[iv->n++] = (struct icmp_item){k, v, side};
    }
}

static int cmp_icmp(const void *pa, const void *pb)
{
    const struct icmp_item *x = pa, *y = pb;
    if (x->k->family != y->k->family)
        return x->k->family < y->k->family ? -1 : 1;
    return memcmp(x->k->addr[x->side], y->k->addr[y->side], 16);
}

static void find_icmp_sweeps(struct pw_alerts *a)
{
    const struct pw_policy *pol = a->pol;
    struct icmp_vec iv = {a, NULL, 0, 0};
    pw_flowtab_foreach(a->icmp, collect_icmp, &iv);
    sort(iv.v, iv.n, sizeof(*iv.v), cmp_icmp);
    for (size_t g = 0; g < iv.n;) {
        size_t end = g;
        while (end < iv.n && !cmp_icmp(&iv.v[end], &iv.v[g]))
            end++;
        uint32_t hosts = (uint32_t)(end - g), ans = 0;
        for (size_t i = g; i < end; i++)
            ans += iv.v[i].v->rep[1 - iv.v[i].side] > 0;
        if (hosts >= pol->thr.icmp_sweep_min_hosts) {
            const struct icmp_item *it = &iv.v[g];
            struct akey k;
            memset(&k, 0, sizeof(k));
            k.kind = PW_AK_SCAN;
            k.family = it->k->family;
            k.ipproto = it->k->proto;
            memcpy(k.caddr, it->k->addr[it->side], 16);
            struct pw_alert *x = alert_get(a, &k);
            if (x) {
                x->sev = pol->kind_sev[PW_AK_SCAN];
                x->has_server = false;
                x->peers = hosts;
                for (size_t i = g; i < end; i++) {
                    const struct icmpv *v = iv.v[i].v;
                    x->packets += v->packets;
                    x->bytes += v->bytes;
                    x->flows++;
                    if (v->first_frame < x->first_frame) {
                        x->first_frame = v->first_frame;
                        x->first_ts = v->first_ts;
                    }
                    if (v->last_frame >= x->last_frame) {
                        x->last_frame = v->last_frame;
                        x->last_ts = v->last_ts;
                    }
                }
                char ev[PW_ALERT_EVIDENCE_LEN];
                snprintf(ev, sizeof(ev), "ICMP echo requests to %u hosts, %u answered", hosts, ans);
                alert_evidence(a, x, x->first_frame, ev);
            }
        }
        g = end;
    }
    free(iv.v);
}

static int cmp_alert(const void *pa, const void *pb)
{
    const struct pw_alert *x = pa, *y = pb;
    if (x->sev != y->sev)
        return x->sev > y->sev ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->first_frame != y->first_frame)
        return x->first_frame < y->first_frame ? -1 : 1;
    return memcmp(x->saddr, y->saddr, 16);
}

void pw_alerts_finish(struct pw_alerts *a)
{
    if (a->finished)
        return;
    a->finished = true;
    cls_finish(a);
    foreach_flow(a, flow_alerts, NULL);
    name_peers(a);
    if (a->pol->kind_sev[PW_AK_SCAN]) {
        find_scans(a);
        find_icmp_sweeps(a);
    }
    if (a->pol->kind_sev[PW_AK_HANDSHAKE])
        find_handshake_failures(a);
    find_unexpected_services(a);
    free(a->keys);
    a->keys = NULL;
    free(a->index);
    a->index = NULL;
    a->index_size = 0;
    /* alerts whose every flow was dropped never got a first frame */
    for (uint32_t i = 0; i < a->nalerts; i++)
        if (a->alerts[i].first_frame == UINT64_MAX)
            a->alerts[i].first_frame = 0;
    sort(a->alerts, a->nalerts, sizeof(*a->alerts), cmp_alert);
    a->st.tcp_flows = a->tcp.nflows;
    a->st.udp_flows = a->udp.nflows;
}

/* ---- construction ---------------------------------------------------------------------- */

static struct clsw *clsw_new(const struct pw_alerts *a, struct pw_classifier *cls, uint32_t max_fed,
                             uint32_t reuse)
{
    /* aligned: floor_ms keeps its line to itself */
    struct clsw *w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t)63);
    if (!w)
        return NULL;
    memset(w, 0, sizeof(*w));
    w->a = a;
    w->cls = cls;
    w->max_fed = max_fed;
    w->reuse = reuse;
    w->lru_head = w->lru_tail = NIL;
    atomic_init(&w->floor_ms, CLS_NO_FLOOR);
    w->floor_pub = CLS_NO_FLOOR;
    w->live = calloc(PW_CLS_MAX_LIVE, sizeof(*w->live));
    w->live_free = malloc(PW_CLS_MAX_LIVE * sizeof(*w->live_free));
    w->eps = pw_flowtab_new(sizeof(struct ep), PW_ALERT_MAX_ENDPOINTS);
    /* one bit per possible stream: pages are only touched where streams are */
    for (int t = 0; t < 2; t++)
        w->done[t] = calloc(PW_ALERT_MAX_FLOWS / 32, sizeof(*w->done[t]));
    return w;
}

static void clsw_free(struct clsw *w)
{
    if (!w)
        return;
    /* every slot holding classifier state is on the LRU list; walking only
     * those leaves the untouched pages of the table untouched */
    if (w->live)
        for (uint32_t i = w->lru_head; i != NIL; i = w->live[i].next)
            pw_cls_flow_free(w->live[i].cf);
    free(w->live);
    free(w->live_free);
    pw_flowtab_free(w->eps);
    for (int t = 0; t < 2; t++) {
        ctab_free(&w->tab[t]);
        free((void *)w->done[t]);
    }
    free(w->hosts);
    free(w);
}

static bool clsw_ok(const struct clsw *w)
{
    return w && w->live && w->live_free && w->eps && w->done[0] && w->done[1];
}

int pw_alerts_new(struct pw_alerts **out, const struct pw_policy *pol, struct pw_classifier *cls,
                  struct pw_error *err)
{
    return pw_alerts_new_opts(out, pol, cls, NULL, err);
}

int pw_alerts_new_opts(struct pw_alerts **out, const struct pw_policy *pol,
                       struct pw_classifier *cls, const struct pw_alerts_opts *opts,
                       struct pw_error *err)
{
    *out = NULL;
    struct pw_alerts *a = calloc(1, sizeof(*a));
    if (!a)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    a->pol = pol;
    a->cls = cls;
    a->max_fed = pol->thr.classify_packets ? pol->thr.classify_packets : 16;
    if (a->max_fed > PW_CLS_MAX_PACKETS)
        a->max_fed = PW_CLS_MAX_PACKETS;
    a->threads = opts ? opts->threads : 0;
    if (a->threads == 0)
        a->threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
    a->ring_items = opts && opts->ring_items ? opts->ring_items : CLS_RING_ITEMS;
    a->ring_bytes = opts && opts->ring_bytes ? opts->ring_bytes : CLS_RING_BYTES;
    a->all_clock_items = opts && opts->all_clock_items;
    a->floor_seen = CLS_NO_FLOOR;
    unsigned napps = pw_cls_app_count(cls);
    a->app_sev = malloc(napps ? napps : 1);
    a->app_ports = malloc((napps ? napps : 1) * sizeof(*a->app_ports));
    a->icmp = pw_flowtab_new(sizeof(struct icmpv), PW_ALERT_MAX_ICMP);
    a->reuse = pol->thr.classify_reuse;
    a->w = clsw_new(a, cls, a->max_fed, a->reuse);
    if (a->w) {
        a->done[0] = a->w->done[0];
        a->done[1] = a->w->done[1];
    }
    if (!a->app_sev || !a->app_ports || !a->icmp || !clsw_ok(a->w)) {
        pw_alerts_free(a);
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    }
    memset(a->app_sev, NO_RULE, napps ? napps : 1);
    for (unsigned i = 0; i < napps; i++)
        a->app_ports[i] = -1;
    memset(a->cat_sev, NO_RULE, sizeof(a->cat_sev));
    for (uint32_t i = 0; i < pol->napps; i++) {
        int id = pw_cls_app_id(cls, pol->apps[i].name);
        if (id < 0) {
            pw_alerts_free(a);
            return pw_error_set(err, PW_ERR_ARG,
                                "%s:%u: unknown application '%s' in [applications] "
                                "(pktwatch alerts --list-apps shows the names)",
                                pol->origins[pol->apps[i].origin], pol->apps[i].line,
                                pol->apps[i].name);
        }
        a->app_sev[id] = pol->apps[i].sev;
    }
    for (uint32_t i = 0; i < pol->ncats; i++) {
        int id = pw_cls_category_id(cls, pol->cats[i].name);
        if (id < 0 || id >= (int)MAX_CATS) {
            pw_alerts_free(a);
            return pw_error_set(err, PW_ERR_ARG,
                                "%s:%u: unknown category '%s' in [categories] "
                                "(pktwatch alerts --list-categories shows the names)",
                                pol->origins[pol->cats[i].origin], pol->cats[i].line,
                                pol->cats[i].name);
        }
        a->cat_sev[id] = pol->cats[i].sev;
    }
    for (uint32_t i = 0; i < pol->nappports; i++) {
        int id = pw_cls_app_id(cls, pol->appports[i].name);
        if (id < 0) {
            pw_alerts_free(a);
            return pw_error_set(err, PW_ERR_ARG,
                                "%s:%u: unknown application '%s' in [ports] "
                                "(pktwatch alerts --list-apps shows the names)",
                                pol->origins[pol->appports[i].origin], pol->appports[i].line,
                                pol->appports[i].name);
        }
        a->app_ports[id] = (int16_t)i;
    }
    a->bt_id = pw_cls_app_id(cls, "BitTorrent");
    a->dns_id = pw_cls_app_id(cls, "DNS");
    if (getrandom(&a->seed, sizeof(a->seed), GRND_NONBLOCK) != sizeof(a->seed))
        a->seed = (uint64_t)(uintptr_t)a ^ 0x5851f42d4c957f2dULL;
    *out = a;
    return 0;
}

void pw_alerts_free(struct pw_alerts *a)
{
    if (!a)
        return;
    cls_thread_stop(a);
    clsw_free(a->w);
    ftab_free(&a->tcp);
    ftab_free(&a->udp);
    for (uint32_t i = 0; i < a->ev_cap_slabs; i++)
        free(a->ev_slabs[i]);
    free(a->ev_slabs);
    pw_flowtab_free(a->icmp);
    free(a->alerts);
    free(a->keys);
    free(a->pairs);
    free(a->ev_frame);
    free(a->scratch.v);
    free(a->grp_cnt);
    free(a->grp_bk);
    free(a->index);
    free(a->app_sev);
    free(a->app_ports);
    free(a);
}

size_t pw_alerts_count(const struct pw_alerts *a)
{
    return a->nalerts;
}

const struct pw_alert *pw_alerts_get(const struct pw_alerts *a, size_t i)
{
    return i < a->nalerts ? &a->alerts[i] : NULL;
}

unsigned pw_alerts_max_sev(const struct pw_alerts *a)
{
    unsigned m = PW_SEV_NONE;
    for (uint32_t i = 0; i < a->nalerts; i++)
        if (a->alerts[i].sev > m)
            m = a->alerts[i].sev;
    return m;
}

void pw_alerts_get_stats(const struct pw_alerts *a, struct pw_alerts_stats *st)
{
    /* the machine's tables are its thread's until finish */
    size_t cmem = 0;
    if (a->finished)
        cmem = (size_t)(a->w->tab[0].sl.n + a->w->tab[1].sl.n) * SLAB * sizeof(struct cfl) +
               pw_flowtab_memory(a->w->eps);
    *st = a->st;
    st->tcp_flows = a->tcp.nflows;
    st->udp_flows = a->udp.nflows;
    /* the records in the flow stage's tap areas are counted there */
    st->memory = sizeof(*a) + (size_t)(a->tcp.ix.n + a->udp.ix.n) * SLAB * sizeof(struct afl *) +
                 (size_t)(a->tcp.cold.n + a->udp.cold.n) * SLAB * sizeof(struct afl) +
                 (size_t)a->ev_cap_slabs * EV_SLAB * sizeof(struct evid) +
                 PW_CLS_MAX_LIVE * (sizeof(struct live) + sizeof(uint32_t)) +
                 pw_flowtab_memory(a->icmp) + (size_t)a->alerts_cap * sizeof(struct pw_alert) +
                 cmem;
}

static void flow_info(const struct pw_alerts *a, const struct afl *f, uint32_t stream,
                      struct pw_alert_flow *fl)
{
    memset(fl, 0, sizeof(*fl));
    fl->family = f->family;
    fl->ipproto = f->ipproto;
    fl->caddr = f->caddr;
    fl->saddr = f->saddr;
    fl->cport = f->cport;
    fl->sport = f->sport;
    fl->stream = stream;
    fl->packets = f->packets;
    fl->bytes = f->bytes;
    fl->first_frame = f->first_frame;
    fl->last_frame = f->last_frame;
    fl->category = "";
    fl->wireshark = f->wsproto ? pw_proto_abbrev(f->wsproto) : "";
    if (f->app) {
        full_name(a, f, fl->app, sizeof(fl->app));
        fl->category = pw_cls_category_name(a->cls, f->category);
    }
    fl->confidence = (f->flags & F_WS_APP)   ? "dissector"
                     : (f->flags & F_REUSED) ? "endpoint"
                                             : pw_cls_conf_name(f->app ? f->conf : 0);
}

void pw_alerts_foreach_flow(const struct pw_alerts *a,
                            void (*fn)(void *arg, const struct pw_alert_flow *fl), void *arg)
{
    const struct ftab *tabs[2] = {&a->tcp, &a->udp};
    struct pw_alert_flow fl;
    for (int t = 0; t < 2; t++)
        for (uint32_t s = 0; s < tabs[t]->ix.n; s++)
            for (uint32_t i = 0; i < SLAB; i++) {
                const struct afl *f = ((struct afl *const *)tabs[t]->ix.v[s])[i];
                if (!f || (f->flags & (F_USED | F_ALIAS)) != F_USED)
                    continue;
                flow_info(a, f, s * SLAB + i, &fl);
                fn(arg, &fl);
            }
}

size_t pw_alerts_flow_bytes(void)
{
    return sizeof(struct afl);
}
