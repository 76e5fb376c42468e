/* Stream Control Transmission Protocol (RFC 9260 section 3), IP protocol
 * 132:
 *
 *   source port(2) destination port(2) verification tag(4) checksum(4)
 *   chunks: type(1) flags(1) length(2, without padding) value, padded to 4
 *   DATA (type 0): TSN(4) stream id(2) stream sequence(2) payload protocol
 *                  identifier(4) user data
 *
 * The chunks are part of the `sctp` layer. The user data of each DATA chunk
 * goes to the protocol its payload protocol identifier names (3: M3UA),
 * else the one bound to a port (2944, 2945: MEGACO), else `data`; those
 * protocols are shown by name only. Only unfragmented user data (B and E
 * flags set) is dissected: tshark reassembles fragmented messages, pktwatch
 * shows nothing for them. After a DATA chunk with user data (dissected or
 * a fragment), tshark's protocol hierarchy shows the next chunk (of any
 * type) under a
 * further `sctp` level, which frame.protocols does not list: that level is
 * a copy of the SCTP layer flagged PW_LF_UNLISTED. Chunks are walked with
 * forward progress (each consumes at least 4 bytes). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define SCTP_HLEN 12u
#define CHUNK_HLEN 4u
#define DATA_HLEN 16u
#define CHUNK_DATA 0u
#define PPI_M3UA 3u
#define DATA_BE 0x03u /* beginning and ending fragment bits */

static unsigned payload_proto(uint32_t ppi, uint16_t sport, uint16_t dport)
{
    if (ppi == PPI_M3UA)
        return PW_P_M3UA;
    uint16_t lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
    if (lo == 2944 || lo == 2945 || hi == 2944 || hi == 2945)
        return PW_P_MEGACO;
    return PW_P_DATA;
}

int pw_dissect_sctp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_SCTP, c);
    if (!l)
        return PW_DIS_OK;
    l->u.sctp.sport = pw_cur_be16(c);
    l->u.sctp.dport = pw_cur_be16(c);
    l->u.sctp.vtag = pw_cur_be32(c);
    pw_cur_skip(c, 4);
    l->hlen = SCTP_HLEN;
    if (!pw_check_cur(d, l, c)) {
        /* tshark lists sctp but fails before its tree item: no level */
        l->flags |= PW_LF_SUBTREE;
        return PW_DIS_OK;
    }
    pw_set_l4(d, l);
    const struct pw_layer hdr = *l;
    bool level = false; /* the last chunk's user data was a hierarchy level */
    while (pw_cur_rep_left(c) > 0) {
        uint8_t type = pw_cur_u8(c);
        uint8_t flags = pw_cur_u8(c);
        uint16_t clen = pw_cur_be16(c);
        if (c->err)
            break;
        if (level) {
            struct pw_layer *again = pw_push_layer(d, PW_P_SCTP, c);
            if (!again)
                return PW_DIS_OK;
            *again = hdr;
            again->flags |= PW_LF_UNLISTED;
            level = false;
        }
        if (clen < CHUNK_HLEN) {
            pw_malformed(d, l, PW_AN_MALFORMED);
            return PW_DIS_OK;
        }
        struct pw_cur chunk = pw_cur_sub(c, clen - CHUNK_HLEN);
        uint32_t pad = (4u - (clen & 3u)) & 3u;
        if (pad && pw_cur_rep_left(c) >= pad)
            pw_cur_skip(c, pad);
        if (chunk.rep < clen - CHUNK_HLEN) {
            /* the chunk runs past the packet */
            pw_malformed(d, l, PW_AN_MALFORMED);
            return PW_DIS_OK;
        }
        if (type != CHUNK_DATA || clen <= DATA_HLEN)
            continue;
        /* only an unfragmented message (B and E set) is dissected: tshark
         * reassembles fragments, pktwatch does not; a fragment still puts
         * the next chunk under a further `sctp` level */
        level = true;
        if ((flags & DATA_BE) != DATA_BE)
            continue;
        pw_cur_skip(&chunk, 8);
        uint32_t ppi = pw_cur_be32(&chunk);
        if (chunk.err) {
            pw_check_cur(d, l, &chunk);
            return PW_DIS_OK;
        }
        struct pw_cur user = pw_cur_rest(&chunk);
        unsigned p = payload_proto(ppi, hdr.u.sctp.sport, hdr.u.sctp.dport);
        if (p == PW_P_DATA) {
            pw_data(d, &user);
        } else {
            struct pw_layer *u = pw_push_layer(d, p, &user);
            if (!u)
                return PW_DIS_OK;
            u->hlen = u->len;
        }
    }
    return PW_DIS_OK;
}

/* the unlisted copies of the layer publish no fields of their own */
#define SCTP_FGET(fn, ftype, expr)                                                                 \
    PW_FGET_U_IF(fn, ftype, !(l->flags & PW_LF_UNLISTED), expr)

SCTP_FGET(get_srcport, PW_FT_UINT16, l->u.sctp.sport)
SCTP_FGET(get_dstport, PW_FT_UINT16, l->u.sctp.dport)
SCTP_FGET(get_vtag, PW_FT_UINT32, l->u.sctp.vtag)

static int get_checksum(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 8, 4);
    if (!p || (l->flags & PW_LF_UNLISTED))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT32, pw_get_be32(p));
}

PW_FGET_CKSUM_STATUS(get_checksum_status, get_checksum, PW_CKSUM_UNVERIFIED)

static int get_port(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    if (l->flags & PW_LF_UNLISTED)
        return 0;
    pw_fv_u(out, max, PW_FT_UINT16, l->u.sctp.sport);
    if (max > 1)
        pw_fv_u(out + 1, max - 1, PW_FT_UINT16, l->u.sctp.dport);
    return 2;
}

const struct pw_field pw_fields_sctp[] = {
    {"sctp.srcport", "Source port", PW_FT_UINT16, PW_BASE_DEC, PW_P_SCTP, get_srcport},
    {"sctp.dstport", "Destination port", PW_FT_UINT16, PW_BASE_DEC, PW_P_SCTP, get_dstport},
    {"sctp.port", "Port", PW_FT_UINT16, PW_BASE_DEC, PW_P_SCTP, get_port},
    {"sctp.verification_tag", "Verification tag", PW_FT_UINT32, PW_BASE_HEX, PW_P_SCTP, get_vtag},
    {"sctp.checksum", "Checksum", PW_FT_UINT32, PW_BASE_HEX, PW_P_SCTP, get_checksum},
    {"sctp.checksum.status", "Checksum Status", PW_FT_UINT8, PW_BASE_NONE, PW_P_SCTP,
     get_checksum_status},
    PW_FIELDS_END,
};

/* The copies of the item repeated before further DATA chunks
 * (PW_LF_UNLISTED) have no label. */
size_t pw_label_sctp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    if (l->flags & PW_LF_UNLISTED)
        return 0;
    return pw_label_add(buf, n, 0,
                        "Stream Control Transmission Protocol, Src Port: %u (%u), Dst Port: %u (%u)",
                        l->u.sctp.sport, l->u.sctp.sport, l->u.sctp.dport, l->u.sctp.dport);
}
