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
};

struct pw_ip4_hdr {
    uint8_t src[4], dst[4];
    uint8_t proto, ttl, hlen, tos;
    uint16_t totlen, id, frag_off; /* frag_off in 8-byte units */
    bool df, mf;
};

struct pw_ip6_hdr {
    uint8_t src[16], dst[16];
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
};

struct pw_eth_hdr {
    uint8_t src[6], dst[6];
    uint16_t type; /* EtherType, or the 802.3 length */
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
        } icmp;
        struct {
            uint16_t opcode;
        } arp;
        uint32_t key; /* generic next-protocol key (GRE protocol, PPP protocol, ...) */
    } u;
};

struct pw_packet {
    const struct pw_record *rec;
    const uint8_t *data; /* == rec->data */
    uint32_t caplen, len;
    uint64_t frame;      /* 1-based frame number */

    uint16_t nlayers;
    struct pw_layer layer[PW_MAX_LAYERS];

    /* Indexes into layer[] (-1 when absent): the innermost network and
     * transport layers that are not quoted inside an ICMP error. */
    int16_t l3, l4;

    uint32_t anomaly_mask;   /* bit (1 << pw_anomaly) for every anomaly seen */
    uint8_t nanom;
    uint8_t anom[PW_MAX_PKT_ANOMALIES];
};

const char *pw_proto_abbrev(unsigned proto);
const char *pw_proto_name(unsigned proto);
/* Protocol id for a Wireshark abbreviation, or PW_P_NONE. */
unsigned pw_proto_by_abbrev(const char *abbrev);

/* First / next layer of a protocol (index, or -1). */
int pw_packet_find(const struct pw_packet *pkt, unsigned proto, int from);

#endif
