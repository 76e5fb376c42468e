/* Linux netfilter NFLOG (LINKTYPE_NFLOG 239,
 * https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html):
 *
 *   family(1) version(1) resource id(2, big-endian)
 *   TLVs: length(2) type(2) value, each padded to a multiple of 4 bytes
 *
 * The TLV length (which counts the 4-byte TLV header) and type are in the
 * byte order of the capturing host, which the file does not record; the
 * first TLV's length tells: whichever order gives a length that fits is the
 * right one (little-endian when both do). Type 9 (NFULA_PAYLOAD) holds the
 * packet, which begins at the network header: it is dissected by the address
 * family, 2 (AF_INET) as IPv4 and 10 (AF_INET6) as IPv6, as tshark does. The
 * header layer covers everything before the payload value. The top bit of a
 * type is the netlink "nested" flag, not part of the type.
 *
 * tshark lists `nflog` in frame.protocols but its protocol hierarchy starts
 * at the network layer, so the layer is PW_LF_SUBTREE (no hierarchy level). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define NFLOG_HLEN 4u
#define NFULA_PACKET_HDR 1u
#define NFULA_PAYLOAD 9u
#define AF_INET_LINUX 2u
#define AF_INET6_LINUX 10u

static uint16_t rd16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

int pw_dissect_nflog(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_NFLOG, c);
    if (!l)
        return PW_DIS_OK;
    l->flags |= PW_LF_SUBTREE;
    uint8_t family = pw_cur_u8(c);
    pw_cur_skip(c, 3);
    l->hlen = NFLOG_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = family;
    bool be = false;
    if (pw_cur_has(c, 4)) {
        uint8_t b0 = pw_cur_peek(c, 0), b1 = pw_cur_peek(c, 1);
        uint32_t le_len = (uint32_t)(b1 << 8 | b0), be_len = (uint32_t)(b0 << 8 | b1);
        be = !(le_len >= 4 && le_len <= pw_cur_rep_left(c)) && be_len >= 4 &&
             be_len <= pw_cur_rep_left(c);
    }
    while (pw_cur_rep_left(c) >= 4) {
        uint8_t h[4];
        pw_cur_bytes(c, h, 4);
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
        uint32_t len = rd16(h, be), type = rd16(h + 2, be) & 0x7fffu;
        if (len < 4 || len - 4 > pw_cur_rep_left(c)) {
            l->hlen = pw_cur_frame_off(c) - l->off;
            pw_malformed(d, l, PW_AN_MALFORMED);
            return PW_DIS_OK;
        }
        if (type == NFULA_PAYLOAD) {
            l->hlen = pw_cur_frame_off(c) - l->off;
            struct pw_cur payload = pw_cur_sub(c, len - 4);
            if (family == AF_INET_LINUX)
                pw_dissect_as(d, PW_P_IP, &payload);
            else if (family == AF_INET6_LINUX)
                pw_dissect_as(d, PW_P_IPV6, &payload);
            else
                pw_data(d, &payload);
            return PW_DIS_OK;
        }
        uint32_t padded = (len + 3u) & ~3u;
        pw_cur_skip(c, padded - 4 <= pw_cur_rep_left(c) ? padded - 4 : len - 4);
        l->hlen = pw_cur_frame_off(c) - l->off;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
    }
    return PW_DIS_OK;
}

PW_FGET_U(get_family, PW_FT_UINT8, l->u.key)
PW_FGET_BE(get_version, PW_FT_UINT8, 1, 1)
PW_FGET_BE(get_res_id, PW_FT_UINT16, 2, 2)

const struct pw_field pw_fields_nflog[] = {
    {"nflog.family", "Family", PW_FT_UINT8, PW_BASE_DEC, PW_P_NFLOG, get_family},
    {"nflog.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_NFLOG, get_version},
    {"nflog.res_id", "Resource id", PW_FT_UINT16, PW_BASE_DEC, PW_P_NFLOG, get_res_id},
    PW_FIELDS_END,
};
