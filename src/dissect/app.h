/* The application stage: runs after L2-L4 dissection (and after the flow
 * stage), takes the payload that phase one left as a trailing `data` layer
 * after the innermost TCP or UDP header, and dissects it with state that
 * needs the conversation: TCP reassembly (tshark's `tcp.segments`),
 * BitTorrent binding a conversation after its handshake, RPC replies
 * matched to their calls. Port-bound stateless UDP protocols are dissected
 * in phase one through the registry's UDP port table; UDP heuristics
 * (bt-dht) run here, only when phase one found no port owner.
 *
 * Per-flow state lives in a capped flow table owned by struct pw_app;
 * reassembly memory is bounded per PDU and in total (src/flow/reasm.h). */
#ifndef PW_DISSECT_APP_H
#define PW_DISSECT_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/dissect.h"

struct pw_app;

struct pw_app *pw_app_new(void);
void pw_app_free(struct pw_app *a);

/* Also build the labels of the media layers above HTTP (data-text-lines'
 * line count, ...), which reading every body costs: for `-T fields`, the
 * one output that prints them. Off by default. */
void pw_app_want_labels(struct pw_app *a, bool on);

/* Replaces the trailing `data` layer of a TCP/UDP payload with the
 * application layers, as tshark's protocol hierarchy shows them. */
void pw_dissect_app(struct pw_packet *pkt, struct pw_app *a);

/* ---- interface of the TCP application protocols (internal) ----------- */

/* Per-direction protocol state the framing functions may keep. */
struct pw_app_pstate {
    uint8_t ssh_version_done;
    uint8_t ssh_encrypted;
    uint8_t ssh_v1; /* SSH protocol 1 framing (its length stays in clear) */
    /* the pending PDU holds fewer bytes than were captured only because of
     * PW_REASM_KEEP: what is missing exists (tshark sees it), so a
     * dissector must not take the shortfall for a snaplen cut */
    uint8_t capped;
    uint8_t http_open; /* the last HTTP response had a body of unknown length */
    uint8_t tls_ccs;   /* a ChangeCipherSpec was sent: handshakes are encrypted */
    /* the TLS session's version as far as it is known, the conversation's
     * (both directions): enum pw_tls_session in tls.c */
    uint8_t tls_session;
    uint32_t call_pos; /* offset of the PDU being framed within its call */
};

/* pdu_len results besides a length > 0 */
#define PW_PDU_MORE 0       /* the length is not known yet: more bytes needed */
#define PW_PDU_REST (-1)    /* not framed: the rest of the data is one item */
#define PW_PDU_UNTIL_FIN (-2) /* the PDU ends when the sender closes */
#define PW_PDU_NONE (-3)    /* per_call: the call shows nothing at all */
#define PW_PDU_REST_BAD (-4) /* as PW_PDU_REST, and the item is malformed */

struct pw_tcp_proto {
    uint16_t proto;
    /* true: one top-level item per call however many PDUs it holds, even
     * when the call ends in a partial PDU (tls, ssh); false: one item (or
     * more) per complete PDU, none for a partial one (tcp_dissect_pdus) */
    bool per_call;
    /* per_call protocols: a call with fewer bytes than this shows no item
     * (TLS asks for more before it builds its tree when even a record
     * header is incomplete) */
    uint8_t min_call;
    /* Length of the PDU starting at p, from the `avail` captured bytes of
     * the `left` bytes that remain. */
    int64_t (*pdu_len)(const uint8_t *p, uint32_t avail, uint32_t left,
                       const struct pw_app_pstate *st);
    /* Dissects one complete PDU (pushes its layers unless per_call) and
     * updates the direction's state. */
    void (*pdu)(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st);
    /* true: data that does not start with a valid PDU, on a conversation
     * where none was seen, is refused (it stays `data`), as tshark's TLS
     * and TPKT dissectors refuse it; later it is continuation data */
    bool declines;
};

extern const struct pw_tcp_proto pw_tcp_tls, pw_tcp_http, pw_tcp_ssh, pw_tcp_nbss,
    pw_tcp_tpkt, pw_tcp_bittorrent, pw_tcp_dns, pw_tcp_telnet, pw_tcp_vnc, pw_tcp_pptp,
    pw_tcp_smtp, pw_tcp_rpc;

/* BitTorrent peer handshake (BEP 3): 19, "BitTorrent protocol". */
bool pw_bittorrent_handshake(const uint8_t *p, uint32_t avail);

/* HTTP request or status line on any port (tshark's http_tcp heuristic). */
bool pw_http_heuristic(const uint8_t *p, uint32_t avail);

/* Pushes a layer for an application PDU; consecutive single-layer PDUs of
 * the same protocol become one PW_LF_REPEAT layer when the layer array is
 * filling up (or always for BitTorrent), so that a segment of hundreds of
 * messages stays within PW_MAX_LAYERS. */
struct pw_layer *pw_app_push(struct pw_dctx *d, unsigned proto, const struct pw_cur *c);

#endif
