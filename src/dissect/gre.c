/* Generic Routing Encapsulation: version 0 (RFC 2784, key and sequence
 * number RFC 2890, routing RFC 1701) and version 1, PPTP's enhanced GRE
 * (RFC 2637 section 4.1):
 *
 *   C R K S s recur(3) A flags(4) version(3)   protocol type(2)
 *   v0: [checksum(2) offset(2)] if C or R   [key(4)] if K   [sequence(4)] if S
 *       [source route entries] if R: family(2) offset(1) length(1) data,
 *       ending with family 0 length 0
 *   v1: key(4) = payload length(2) call id(2)   [sequence(4)] if S
 *       [acknowledgment(4)] if A
 *
 * The protocol type is an EtherType (0x6558 transparent Ethernet bridging,
 * 0x880b PPP for PPTP), dispatched through the EtherType bindings. Route
 * entries are walked with forward progress (each consumes at least 4 bytes). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define GRE_C 0x8000u
#define GRE_R 0x4000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
#define GRE_A 0x0080u
#define GRE_VER 0x0007u
#define GRE_WCCP 0x883eu

int pw_dissect_gre(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_GRE, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t start = c->pos;
    /* tshark verifies a GRE checksum (header and payload), also inside an
     * ICMP error, unlike ICMP's */
    l->u.gre.cksum_status = PW_CKSUM_UNVERIFIED;
    if (pw_cur_has(c, 2) && ((unsigned)pw_cur_peek(c, 0) << 8 & GRE_C) && !d->fragmented)
        l->u.gre.cksum_status = pw_inet_cksum_status(*c, 0);
    uint16_t fl = pw_cur_be16(c);
    l->u.gre.flags = fl;
    l->u.gre.proto = pw_cur_be16(c);
    l->u.gre.key = l->u.gre.seq = l->u.gre.ack = 0;
    unsigned ver = fl & GRE_VER;
    if (ver > 1) {
        l->hlen = 4;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
        pw_anomaly(d, PW_AN_GRE_BAD_VERSION);
        struct pw_cur rest = pw_cur_rest(c);
        pw_data(d, &rest);
        return PW_DIS_OK;
    }
    if (ver == 0 && (fl & (GRE_C | GRE_R)))
        pw_cur_skip(c, 4);
    if (fl & GRE_K || ver == 1)
        l->u.gre.key = pw_cur_be32(c);
    if (fl & GRE_S)
        l->u.gre.seq = pw_cur_be32(c);
    if (ver == 1 && (fl & GRE_A))
        l->u.gre.ack = pw_cur_be32(c);
    if (ver == 0 && (fl & GRE_R)) {
        while (!c->err) {
            uint16_t af = pw_cur_be16(c);
            pw_cur_skip(c, 1);
            uint8_t len = pw_cur_u8(c);
            if (af == 0 && len == 0)
                break;
            pw_cur_skip(c, len);
        }
    }
    l->hlen = c->pos - start;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    if (l->u.gre.proto == GRE_WCCP) {
        /* WCCP redirection (draft-wilson-wrec-wccp-v2 section 4.12): an
         * optional 4-byte redirect header, then IPv4; tshark names no layer
         * for the redirect header */
        if ((pw_cur_peek(&payload, 0) >> 4) != 4)
            pw_cur_skip(&payload, 4);
        pw_dissect_as(d, PW_P_IP, &payload);
        return PW_DIS_OK;
    }
    pw_dispatch(d, PW_KS_ETHERTYPE, l->u.gre.proto, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_flags, PW_FT_UINT16, l->u.gre.flags)
PW_FGET_U(get_proto, PW_FT_UINT16, l->u.gre.proto)
PW_FGET_U(get_version, PW_FT_UINT16, l->u.gre.flags &GRE_VER)
PW_FGET_U(get_fl_c, PW_FT_BOOLEAN, (l->u.gre.flags & GRE_C) != 0)
PW_FGET_U(get_fl_r, PW_FT_BOOLEAN, (l->u.gre.flags & GRE_R) != 0)
PW_FGET_U(get_fl_k, PW_FT_BOOLEAN, (l->u.gre.flags & GRE_K) != 0)
PW_FGET_U(get_fl_s, PW_FT_BOOLEAN, (l->u.gre.flags & GRE_S) != 0)
PW_FGET_U(get_fl_a, PW_FT_BOOLEAN, (l->u.gre.flags & GRE_A) != 0)

static int get_key(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if ((l->u.gre.flags & GRE_VER) != 0 || !(l->u.gre.flags & GRE_K))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.gre.key);
}

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (!(l->u.gre.flags & GRE_S))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.gre.seq);
}

static int get_ackn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    if ((l->u.gre.flags & GRE_VER) != 1 || !(l->u.gre.flags & GRE_A))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, l->u.gre.ack);
}

static int get_checksum(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 4, 2);
    if (!p || (l->u.gre.flags & GRE_VER) != 0 || !(l->u.gre.flags & (GRE_C | GRE_R)))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p));
}

PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, l->u.gre.cksum_status)

const struct pw_field pw_fields_gre[] = {
    {"gre.flags_and_version", "Flags and Version", PW_FT_UINT16, PW_BASE_HEX, PW_P_GRE, get_flags},
    {"gre.flags.checksum", "Checksum Bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GRE, get_fl_c},
    {"gre.flags.routing", "Routing Bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GRE, get_fl_r},
    {"gre.flags.key", "Key Bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GRE, get_fl_k},
    {"gre.flags.sequence_number", "Sequence Number Bit", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GRE,
     get_fl_s},
    {"gre.flags.ack", "Acknowledgment", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_GRE, get_fl_a},
    {"gre.flags.version", "Version", PW_FT_UINT16, PW_BASE_DEC, PW_P_GRE, get_version},
    {"gre.proto", "Protocol Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_GRE, get_proto},
    {"gre.checksum", "Checksum", PW_FT_UINT16, PW_BASE_HEX, PW_P_GRE, get_checksum},
    {"gre.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_GRE,
     get_checksum_status},
    {"gre.key", "Key", PW_FT_UINT32, PW_BASE_HEX, PW_P_GRE, get_key},
    {"gre.sequence_number", "Sequence Number", PW_FT_UINT32, PW_BASE_DEC, PW_P_GRE, get_seq},
    {"gre.ack_number", "Acknowledgment Number", PW_FT_UINT32, PW_BASE_DEC, PW_P_GRE, get_ackn},
    PW_FIELDS_END,
};

/* "Generic Routing Encapsulation (IP)": tshark's name for the protocol
 * type; types it has no name for are left unlabelled */
size_t pw_label_gre(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    const char *what;
    switch (l->u.gre.proto) {
    case 0x0000: what = "Possible GRE keepalive packet"; break;
    case 0x0800: what = "IP"; break;
    case 0x86dd: what = "IPv6"; break;
    case 0x880b: what = "PPP"; break;
    case 0x2000: what = "CDP (Cisco)"; break;
    case 0x8909: what = "CiscoMetaData"; break;
    case 0x22eb: what = "ERSPAN III"; break;
    case GRE_WCCP: what = "WCCP"; break;
    default: return 0;
    }
    return pw_label_add(buf, n, 0, "Generic Routing Encapsulation (%s)", what);
}
