/* Dissection: turns one record into a struct pw_packet.
 *
 * Each protocol lives in src/dissect/<proto>.c and exports
 *     int pw_dissect_<proto>(struct pw_dctx *d, struct pw_cur *c);
 * which reads its header through the cursor, pushes its layer, and hands the
 * payload to the next protocol with pw_dispatch(). Which protocol follows
 * which is data: the binding table in registry.c, compiled at start-up into
 * dense arrays per key space. Dissectors never print and never allocate. */
#ifndef PW_DISSECT_DISSECT_H
#define PW_DISSECT_DISSECT_H

#include "dissect/field.h"
#include "dissect/packet.h"
#include "util/cursor.h"

/* Dissector return values */
enum {
    PW_DIS_OK = 0,
    PW_DIS_NOT_MINE = 1, /* a heuristic declined; the caller tries the next */
};

/* Key spaces a protocol can be bound in. */
enum pw_keyspace {
    PW_KS_LINKTYPE = 0, /* LINKTYPE_* numbers */
    PW_KS_ETHERTYPE,    /* EtherType (also GRE protocol type, SLL protocol) */
    PW_KS_IPPROTO,      /* IP protocol / IPv6 next header */
    PW_KS_PPP,          /* PPP protocol number */
    PW_KS_UDP_PORT,
    PW_KS_TCP_PORT,
    PW_KS__COUNT
};

struct pw_dctx {
    struct pw_packet *pkt;
    uint16_t depth;       /* pw_dispatch nesting, bounded by PW_MAX_LAYERS */
    bool in_icmp_error;   /* dissecting the header quoted by an ICMP error */
    /* dissecting the payload of a fragment that is not reassembled (a first
     * fragment shown as if whole): tshark's pinfo->fragmented. Running past
     * the reported data there is `_ws.unreassembled`, not `_ws.malformed`
     * (pw_check_cur, pw_malformed): the missing fragments would hold it */
    bool fragmented;
    /* build the tree labels that can only be built while dissecting (the
     * HTTP media layers' need the HTTP head and the reassembled body): only
     * `-T fields` prints them (pw_app_want_labels) */
    bool labels;
};

typedef int (*pw_dissect_fn)(struct pw_dctx *d, struct pw_cur *c);

/* The label of a layer's protocol tree item as tshark builds it (its summary
 * line: "Internet Protocol Version 4, Src: ..., Dst: ..."), which
 * `-T fields -e PROTO` prints. Writes it NUL-terminated into buf, cut to n
 * bytes, and returns its full length; 0 when tshark's item has no label of
 * its own in this packet (it then prints the abbreviation). Runs on a
 * finished packet, like field getters. */
typedef size_t (*pw_label_fn)(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                              size_t n);

struct pw_dissector {
    uint16_t proto;       /* enum pw_proto */
    pw_dissect_fn dissect;
    const struct pw_field *fields; /* ends with an entry whose abbrev is NULL; may be NULL */
    pw_label_fn label;             /* NULL: tshark's item never has a label */
};

struct pw_binding {
    uint8_t ks;      /* enum pw_keyspace */
    uint32_t lo, hi; /* inclusive key range */
    uint16_t proto;
};

/* Dissects one record into pkt. frame is the 1-based frame number. Never
 * fails: problems become anomalies and pseudo layers. */
void pw_dissect_packet(const struct pw_record *rec, uint64_t frame, struct pw_packet *pkt);

/* The same, with IP fragment reassembly state that lives across the
 * packets of one pass (src/flow/ipreasm.h); NULL: no reassembly. */
struct pw_ipreasm;
void pw_dissect_packet_ipr(const struct pw_record *rec, uint64_t frame, struct pw_packet *pkt,
                           struct pw_ipreasm *ipr);

/* Hands `c` to the protocol bound to `key` in key space `ks`. With no
 * binding, a non-empty payload becomes a `data` layer. */
void pw_dispatch(struct pw_dctx *d, enum pw_keyspace ks, uint32_t key, struct pw_cur *c);

/* Runs the dissector of `proto` directly (used when a dissector knows what
 * comes next without a table, e.g. 6in4 inside a tunnel). */
void pw_dissect_as(struct pw_dctx *d, unsigned proto, struct pw_cur *c);

/* Appends a layer for the header that starts at the cursor's current
 * position. Returns NULL (and records PW_AN_TOO_MANY_LAYERS) when the layer
 * array is full; the dissector must then stop. */
struct pw_layer *pw_push_layer(struct pw_dctx *d, unsigned proto, const struct pw_cur *c);

/* Records an anomaly on the packet. */
void pw_anomaly(struct pw_dctx *d, enum pw_anomaly an);

/* Call after reading a header: if the cursor ran out, flags the layer,
 * records truncated/malformed, appends the `_ws.short` / `_ws.malformed`
 * pseudo layer as tshark does, and returns false (stop dissecting). */
bool pw_check_cur(struct pw_dctx *d, struct pw_layer *l, const struct pw_cur *c);

/* Marks the layer malformed (a length field lies) and appends
 * `_ws.malformed` (`_ws.unreassembled` in an unreassembled fragment). */
void pw_malformed(struct pw_dctx *d, struct pw_layer *l, enum pw_anomaly an);

/* Marks the layer malformed for a header field tshark reports with an expert
 * error but without an exception (bogus IPv4 header length, total length
 * below the header length, ...): the specific anomaly is recorded, dissection
 * of this packet stops, and no `_ws.malformed` pseudo layer is appended,
 * because tshark shows none either. */
void pw_invalid(struct pw_dctx *d, struct pw_layer *l, enum pw_anomaly an);

/* Hands a transport payload to the protocol bound to one of its ports: the
 * lower-numbered port first, then the higher one (Wireshark's "try low port
 * first" rule). A bound dissector that declines (PW_DIS_NOT_MINE) lets the
 * other port be tried; with no taker a non-empty payload becomes `data`. */
void pw_dispatch_ports(struct pw_dctx *d, enum pw_keyspace ks, uint16_t a, uint16_t b,
                       struct pw_cur *c);

/* Appends a `data` layer for whatever remains in c (nothing if empty). */
void pw_data(struct pw_dctx *d, struct pw_cur *c);

/* Records l as the packet's network / transport layer unless it is quoted
 * inside an ICMP error (see struct pw_packet). */
static inline void pw_set_l3(struct pw_dctx *d, const struct pw_layer *l)
{
    if (!d->in_icmp_error) {
        d->pkt->l3 = (int16_t)(l - d->pkt->layer);
        d->pkt->l4 = -1;
    }
}

static inline void pw_set_l4(struct pw_dctx *d, const struct pw_layer *l)
{
    if (!d->in_icmp_error)
        d->pkt->l4 = (int16_t)(l - d->pkt->layer);
}

/* For an IP fragment: true when tshark would dissect the fragment's payload
 * as the upper protocol rather than show it as `data`. That is the case for
 * a first fragment (offset 0) that tshark does not try to reassemble: inside
 * an ICMP error, or when the capture does not hold all `frag_len` bytes of
 * the fragment's payload (snap length, or a length field beyond the frame). */
static inline bool pw_first_fragment_shown(const struct pw_dctx *d, const struct pw_cur *payload,
                                           uint32_t frag_off, uint32_t frag_len)
{
    if (frag_off != 0)
        return false;
    return d->in_icmp_error || payload->cap < frag_len;
}

/* IP reassembly (src/dissect/ipfrag.c): adds a fragment that tshark tries
 * to reassemble (the caller checked that all its bytes were captured and
 * that it is not quoted in an ICMP error) to the pass's reassembly state.
 * When it completes the datagram, the packet's bytes become the frame up
 * to *pl followed by the reassembled payload (struct pw_packet's data),
 * *pl is replaced by a cursor over that payload, and true is returned: the
 * caller dissects the upper layers from *pl. Otherwise false: the fragment
 * shows `data`. key_id is the reassembly key's identification
 * (ipreasm.h); l is the IP layer (its addresses and, for IPv4, the VLAN
 * layers before it make the rest of the key). */
bool pw_ip_reassemble(struct pw_dctx *d, const struct pw_layer *l, uint32_t key_id,
                      uint32_t frag_off, bool more, struct pw_cur *pl);

/* `_ws.short` blamed on layer `by` without marking its header cut: the
 * dissector ran past the captured bytes after its header was complete. */
void pw_short_after(struct pw_dctx *d, const struct pw_layer *by);

/* TCP and UDP read both ports before tshark adds their tree item. When
 * fewer than 4 bytes are captured the exception comes first: the protocol
 * is listed in frame.protocols but has no item, no field, no level of the
 * hierarchy, and `_ws.short` (or `_ws.malformed`) follows. A header quoted
 * by an ICMP error that ends before the ports is not even listed. Returns
 * true when it took care of such a header (the caller stops). */
bool pw_short_ports(struct pw_dctx *d, unsigned proto, struct pw_cur *c);

/* The status of the Internet checksum (RFC 1071) of the message from the
 * read position of `msg` to the end of its window, `pseudo` being the sum
 * of a pseudo header (0 for none): unverified when the snap length cut the
 * message. The callers add the other cases where tshark does not verify
 * (a header quoted by an ICMP error, an unreassembled fragment). */
uint8_t pw_inet_cksum_status(struct pw_cur msg, uint32_t pseudo);

/* True when layer i handed its payload on through tshark's EtherType table
 * (frame.protocols then lists `ethertype` after it; src/dissect/frame.c). */
bool pw_ethertype_follows(const struct pw_packet *pkt, unsigned i);

/* The label of layer l (pw_label_fn); l is NULL for `frame`. 0: none. */
size_t pw_proto_label(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n);

/* Tree items tshark adds for layer l after its own, under the same
 * abbreviation (ieee8021ah's `I-Tag` item): how many (0 or 1), and the
 * label of that item (pw_label_fn). */
unsigned pw_proto_extra_items(const struct pw_layer *l);
size_t pw_proto_label_extra(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                            size_t n);

/* For label builders: appends printf-style text at offset `at` of buf
 * (bounded by n, NUL-terminated) and returns the new full length, so that
 * calls chain and the caller learns the length even when cut. */
size_t pw_label_add(char *buf, size_t n, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Label pieces tshark repeats across protocols (-n: no name resolution). */
size_t pw_label_ip4addr(char *buf, size_t n, size_t at, const uint8_t a[4]);
size_t pw_label_ip6addr(char *buf, size_t n, size_t at, const uint8_t a[16]);
size_t pw_label_mac(char *buf, size_t n, size_t at, const uint8_t a[6]);

/* The short name tshark gives a protocol in messages ("IPv4", "DNS"). */
const char *pw_proto_short_name(unsigned proto);

/* Registry access */
const struct pw_dissector *pw_dissector_for(unsigned proto);
unsigned pw_binding_lookup(enum pw_keyspace ks, uint32_t key); /* PW_P_NONE if none */

#endif
