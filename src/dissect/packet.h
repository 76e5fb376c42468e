/* The per-packet record that dissection fills: a fixed array of layers (no
 * allocation per packet), decoded header values for the layers the flow table
 * and the statistics need, and the anomalies found. */
#ifndef PW_DISSECT_PACKET_H
#define PW_DISSECT_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/reader.h"
#include "dissect/anomaly.h"
#include "util/limits.h"

enum pw_proto {
#define X(id, abbrev, name) PW_P_##id,
#include "dissect/protos.def"
#undef X
    PW_P__COUNT
};

/* Layer flags */
enum {
    PW_LF_TRUNCATED = 1u << 0, /* header cut by the snap length */
    PW_LF_MALFORMED = 1u << 1, /* a length field in the header lies */
    PW_LF_FRAGMENT = 1u << 2,  /* IP: this packet is a fragment */
    PW_LF_QUOTED = 1u << 3,    /* inside an ICMP error: not a real header */
    /* tshark draws this layer inside the previous protocol's tree: it is in
     * frame.protocols but is not a level of the protocol hierarchy (IPv6
     * extension headers that follow IPv6, the data of ICMP echo messages).
     * The payload above a quoted transport header (the quoted UDP's data or
     * DNS) is neither QUOTED nor SUBTREE: tshark shows it as a level. */
    PW_LF_SUBTREE = 1u << 4,
    /* Application stage (src/dissect/app.c): this layer stands for
     * u.app.count consecutive PDUs of its protocol, each of which tshark
     * shows as its own nested level (30 BitTorrent messages in a segment are
     * 30 levels); one layer keeps the layer array bounded. */
    PW_LF_REPEAT = 1u << 5,
    /* Application stage: the PDU was reassembled from several TCP segments;
     * its bytes are not (all) in this frame, so field getters that read the
     * frame must not look at it. */
    PW_LF_REASSEMBLED = 1u << 6,
    /* A level of the protocol hierarchy, or a tree item filters see, that
     * tshark does not list in frame.protocols (the VXLAN-GPE header; SCTP's
     * tree item repeated before the payload of each further DATA chunk; the
     * TPKT of an X.224 connection request). */
    PW_LF_UNLISTED = 1u << 7,
    /* Set with PW_LF_SUBTREE: tshark lists the protocol in frame.protocols
     * but adds no tree item at all (DNS that cannot read its flags, the
     * version-dispatching `ip` before IPv6): besides being no hierarchy
     * level, it has no fields and filters do not see it. */
    PW_LF_NOTREE = 1u << 8,
};

/* The values of tshark's `*.checksum.status` fields. tshark 4.0 leaves
 * IPv4, TCP, UDP and SCTP unverified by default but always verifies ICMP
 * and ICMPv6 when it holds the whole message. */
enum pw_cksum_status {
    PW_CKSUM_BAD = 0,
    PW_CKSUM_GOOD = 1,
    PW_CKSUM_UNVERIFIED = 2,
    PW_CKSUM_NOT_PRESENT = 3, /* UDP over IPv4 (or quoted) with checksum 0 */
    PW_CKSUM_ILLEGAL = 4,     /* UDP checksum 0 where IPv6 requires one */
};

struct pw_ip4_hdr {
    uint8_t src[4], dst[4];
    uint8_t version; /* the nibble: anything but 4 leaves only ip.version */
    uint8_t proto, ttl, hlen, tos;
    uint16_t totlen, id, frag_off; /* frag_off in 8-byte units */
    bool df, mf;
};

struct pw_ip6_hdr {
    uint8_t src[16], dst[16];
    uint8_t version; /* the nibble: anything but 6 leaves only the version */
    uint8_t nxt;   /* next header of the fixed header */
    uint8_t proto; /* upper-layer protocol after extension headers */
    uint8_t hlim;
    uint16_t plen;
    uint32_t flow;
    bool frag;     /* a fragment header was present */
    uint32_t frag_off, frag_id;
    bool mf;
};

struct pw_tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t flags; /* 12 bits: NS CWR ECE URG ACK PSH RST SYN FIN */
    uint16_t win, urg, cksum;
    uint8_t hlen;
    uint16_t mss;   /* 0 when absent */
    int8_t wscale;  /* -1 when absent */
    bool sack_perm;
    bool has_ts;
    uint32_t tsval, tsecr;
    uint32_t payload_len; /* reported TCP payload length */
    uint32_t stream;      /* tcp.stream, set by the flow stage (PW_NO_STREAM: none) */
};

enum {
    PW_TCP_FIN = 0x001,
    PW_TCP_SYN = 0x002,
    PW_TCP_RST = 0x004,
    PW_TCP_PSH = 0x008,
    PW_TCP_ACK = 0x010,
    PW_TCP_URG = 0x020,
    PW_TCP_ECE = 0x040,
    PW_TCP_CWR = 0x080,
    PW_TCP_NS = 0x100,
};

struct pw_udp_hdr {
    uint16_t sport, dport, ulen, cksum;
    uint8_t cksum_status; /* enum pw_cksum_status */
    uint32_t stream; /* udp.stream, set by the flow stage (PW_NO_STREAM: none) */
};

/* ---- results of the flow stage (src/flow/flows.h) ---------------------- */

#define PW_NO_STREAM UINT32_MAX

/* A time difference as tshark computes and prints it (wsutil's nstime_t):
 * seconds and nanoseconds, normally of the same sign with |nsec| < 1e9.
 * Timestamps with out-of-range fractions (some files store them) give an
 * unnormalised pair that tshark prints as it is, so we keep the pair rather
 * than a nanosecond count. pw_nstime_ns() gives the count for arithmetic. */
struct pw_nstime {
    int64_t sec;
    int32_t nsec;
};

static inline int64_t pw_nstime_ns(struct pw_nstime t)
{
    return t.sec * 1000000000LL + t.nsec;
}

/* tcp.analysis.* flags (PW_TA_*), as tshark sets them on a segment; the
 * names in comments are the tshark fields where they differ */
enum {
    PW_TA_RETRANSMISSION = 1u << 0,
    PW_TA_LOST_PACKET = 1u << 1,     /* lost_segment */
    PW_TA_ACK_LOST_PACKET = 1u << 2, /* ack_lost_segment */
    PW_TA_KEEP_ALIVE = 1u << 3,
    PW_TA_DUPLICATE_ACK = 1u << 4,
    PW_TA_ZERO_WINDOW = 1u << 5,
    PW_TA_ZERO_WINDOW_PROBE = 1u << 6,
    PW_TA_ZERO_WINDOW_PROBE_ACK = 1u << 7,
    PW_TA_KEEP_ALIVE_ACK = 1u << 8,
    PW_TA_OUT_OF_ORDER = 1u << 9,
    PW_TA_FAST_RETRANSMISSION = 1u << 10,
    PW_TA_WINDOW_UPDATE = 1u << 11,
    PW_TA_WINDOW_FULL = 1u << 12,
    PW_TA_REUSED_PORTS = 1u << 13,
    PW_TA_SPURIOUS_RETRANSMISSION = 1u << 14,
};

/* TCP analysis of the packet's TCP header (the last one that got a stream:
 * normally the packet's own segment, or the header quoted in an ICMP error,
 * which tshark also numbers and can flag as reused_ports). */
struct pw_tcp_info {
    /* index of the TCP layer this describes; -1: none */
    int16_t layer;
    /* that header is quoted in an ICMP error */
    bool quoted;
    /* sequence analysis ran (not quoted, a header that fits its segment) */
    bool analysed;
    /* tshark has an analysis record for the frame: only then does it show
     * tcp.analysis.initial_rtt */
    bool has_ta;
    /* the stream's iRTT is known */
    bool has_irtt;
    /* the sender is endpoint 0 or 1 of the flow key */
    uint8_t dir;
    /* this segment started a new stream on a conversation record that had
     * stream prev_stream until then (port reuse, or a conversation an
     * application dissector made: see src/flow/tcp.c) */
    bool renewed;
    uint32_t prev_stream; /* when renewed */
    uint32_t stream;      /* tcp.stream */
    uint32_t aflags; /* PW_TA_* */
    uint32_t seglen; /* tcp.len (when analysed) */
    /* tcp.seq, tcp.ack: relative when analysed, else as on the wire */
    uint32_t rel_seq, rel_ack;
    uint64_t acks_frame;          /* tcp.analysis.acks_frame, 0 when absent */
    struct pw_nstime ack_rtt;     /* when acks_frame != 0; tshark hides a zero */
    struct pw_nstime initial_rtt; /* when has_irtt */
    uint32_t dupack_num;          /* tcp.analysis.duplicate_ack_num, 0 when absent */
    uint64_t dupack_frame;
    uint32_t bytes_in_flight, push_bytes_sent; /* 0 when absent */
    /* tcp.window_size: the window scaled by the sender's shift once the
     * handshake settled it (a SYN's window is never scaled); and
     * tcp.window_size_scalefactor, which a SYN does not have: 2^shift, -1
     * while unknown (no SYN seen), -2 when a side did not offer scaling */
    uint32_t calc_window;
    int32_t win_scalefactor;
    bool has_scalefactor;
    /* tcp.time_relative and tcp.time_delta: since the stream's first frame
     * and its previous TCP header; tshark shows them (has_times) after the
     * options, so not for a header cut short */
    bool has_times;
    struct pw_nstime time_relative, time_delta;
};

struct pw_eth_hdr {
    uint8_t src[6], dst[6];
    uint16_t type; /* EtherType, or the 802.3 length */
};

/* What raised a `_ws.malformed` / `_ws.short` / `_ws.unreassembled` pseudo
 * layer: tshark's items differ in label and number. */
enum pw_ws_kind {
    /* an expert item of the Malformed group: tshark adds a hidden, unlabelled
     * `_ws.malformed` and nothing else */
    PW_WS_EXPERT = 0,
    /* a dissector ran past the data (an exception): a labelled item
     * ("[Malformed Packet: DNS]"), for `_ws.malformed` followed by the
     * unlabelled item of its expert info */
    PW_WS_EXCEPTION,
    /* TCP reassembly found a segment overlapping data already reassembled */
    PW_WS_REASM_OVERLAP,
};

struct pw_layer {
    uint16_t proto; /* enum pw_proto */
    uint16_t flags; /* PW_LF_* */
    uint32_t off;   /* offset of the header in the frame */
    uint32_t hlen;  /* header bytes */
    uint32_t len;   /* reported bytes from off to the end of this PDU */
    union {
        struct pw_eth_hdr eth;
        struct pw_ip4_hdr ip4;
        struct pw_ip6_hdr ip6;
        struct pw_tcp_hdr tcp;
        struct pw_udp_hdr udp;
        struct {
            uint16_t id, tpid;
            uint8_t pcp;
            bool dei;
            uint16_t etype;
        } vlan;
        struct {
            uint8_t type, code;
            uint8_t cksum_status; /* enum pw_cksum_status */
        } icmp; /* icmp and icmpv6 */
        struct {
            uint16_t opcode;
            uint16_t hrd, pro; /* hardware / protocol address space */
            uint8_t hln, pln;  /* address lengths; addresses are read from the frame */
        } arp;
        struct {
            uint16_t flags; /* flags and version word */
            uint16_t proto;
            uint32_t key, seq, ack; /* valid when the matching flag is set */
            uint8_t cksum_status;   /* enum pw_cksum_status */
        } gre;
        struct {
            uint8_t flags;
            uint32_t vni;
        } vxlan;
        struct {
            uint16_t pkttype, hatype, halen, proto;
            uint32_t ifindex; /* SLL2 only */
        } sll;
        struct {
            uint8_t nxt;  /* next header */
            uint16_t len; /* header length in bytes */
        } ext;            /* IPv6 extension headers and AH */
        struct {
            uint32_t count; /* PDUs this layer stands for (PW_LF_REPEAT) */
            uint32_t pdu_len; /* reported bytes of the (first) PDU */
            /* a label built while dissecting: pkt->text[text_off..], 0
             * bytes for none (the media layers of HTTP bodies, http.c) */
            uint16_t text_off, text_len;
            /* BitTorrent: the first message's id (0x100: none) and piece
             * index, kept for a message reassembled from earlier frames */
            uint16_t bt_id;
            uint32_t bt_index;
        } app;            /* application-stage layers (src/dissect/app.c) */
        /* tunnels and encapsulations (mpls.c, pbb.c, geneve.c, ayiya.c,
         * gtp.c, nsh.c, erspan.c, cmd.c, vntag.c) */
        struct {
            uint32_t id;   /* MPLS top label, I-SID, VNI, TEID, SPI */
            uint16_t next; /* EtherType / next header / message type */
            uint8_t count; /* MPLS labels; ERSPAN version */
            uint8_t flags; /* first flags byte of the header */
        } tun;
        struct {
            uint16_t sport, dport;
            uint32_t vtag;
        } sctp;
        struct {
            uint16_t first, count; /* run of pkt->names (PW_P_ASN1_NAMES) */
        } names;
        struct {
            uint16_t proto; /* the protocol being dissected when it arose */
            uint8_t kind;   /* enum pw_ws_kind */
        } ws;               /* `_ws.*` pseudo layers */
        uint32_t key; /* generic next-protocol key (PPP protocol, null family, ...) */
    } u;
};

/* The previous displayed frame (struct pw_packet's `displayed`) */
struct pw_displayed {
    bool any; /* a frame was displayed; ts is its time */
    struct pw_ts ts;
};

struct pw_ipreasm;

struct pw_packet {
    const struct pw_record *rec;
    /* The bytes layer offsets index: rec->data and rec->caplen, except in a
     * frame that completes a fragmented IP datagram, where they are a copy
     * of the frame up to the fragment's payload followed by the reassembled
     * payload (src/flow/ipreasm.h). The frame itself is rec->data. */
    const uint8_t *data;
    uint32_t caplen;
    uint32_t len;        /* the frame's reported length */
    uint64_t frame;      /* 1-based frame number */
    /* Set by the pass driver, not by dissection: the timestamps of the
     * file's first record and of the previous record, for
     * frame.time_relative and frame.time_delta (the first record's own
     * time for the first record). */
    struct pw_ts ts_first, ts_prev;
    /* For frame.time_delta_displayed: the last frame the consumer
     * displayed, i.e. that passed its display filter (tshark's previous
     * displayed frame; the delta is 0 while there is none). Set by the pass
     * driver, to a record every frame counts as displayed in unless the
     * pass was given one (struct pw_pass_opts). */
    const struct pw_displayed *displayed;

    /* IP reassembly for this dissection (pw_dissect_packet_ipr); NULL: none,
     * every fragment but an untried first one shows `data`. */
    struct pw_ipreasm *ipreasm;

    uint16_t nlayers;
    struct pw_layer layer[PW_MAX_LAYERS];

    /* Names frame.protocols lists for OID-selected ASN.1 values inside TLS
     * handshake messages (enum pw_x509_name, src/dissect/x509.h), indexed by
     * the PW_P_ASN1_NAMES layers: too many to be layers of their own. */
    uint16_t nnames;
    uint8_t names[PW_MAX_PKT_NAMES];

    /* Label text built during dissection (struct pw_layer's u.app.text_*) */
    uint16_t ntext;
    char text[PW_MAX_PKT_TEXT];

    /* Values of the TLS fields, kept while the records are dissected: the
     * bytes of a reassembled record are not in the frame for a getter to
     * read again. `layer` is the index of the TLS layer they belong to;
     * a server name's text is in text[v..v+len). */
    uint16_t ntls;
    struct pw_tls_val {
        uint8_t kind; /* enum pw_tls_kind (tls.c) */
        uint8_t layer;
        uint16_t v, len;
    } tls[PW_MAX_PKT_TLS];

    /* Indexes into layer[] (-1 when absent): the innermost network and
     * transport (TCP, UDP or SCTP) layers that are not quoted inside an ICMP
     * error. A network
     * layer resets l4, so l4 is always the transport carried by l3 (a tunnel
     * whose inner packet has no ports, or is a non-first fragment, has
     * l4 == -1 rather than pointing at the outer UDP). */
    int16_t l3, l4;

    uint64_t anomaly_mask;   /* bit (1 << pw_anomaly) for every anomaly seen */
    uint8_t nanom;
    uint8_t anom[PW_MAX_PKT_ANOMALIES];

    /* Filled by the flow stage after dissection (per-layer stream numbers
     * are in u.tcp.stream / u.udp.stream). flow_done is false when the pass
     * runs without it; then none of this, nor those stream numbers, is set. */
    bool flow_done;
    struct pw_tcp_info tcp;
    /* The tap area (pw_flows_opts.tap_bytes) of the conversation of layer
     * l4, NULL when the flow stage keeps none or l4 has no conversation. */
    void *l4_tap;
};

const char *pw_proto_abbrev(unsigned proto);
const char *pw_proto_name(unsigned proto);
/* Protocol id for a Wireshark abbreviation, or PW_P_NONE. */
unsigned pw_proto_by_abbrev(const char *abbrev);

/* First / next layer of a protocol (index, or -1). */
int pw_packet_find(const struct pw_packet *pkt, unsigned proto, int from);

#endif
