/* BitTorrent peer wire protocol (BEP 3, "peer protocol"):
 *
 *   handshake: 19 "BitTorrent protocol" reserved(8) info_hash(20) peer_id(20)
 *   message:   length(4, big-endian) [id(1) payload]   (length 0: keep-alive)
 *
 * Each message is its own top-level item (tcp_dissect_pdus), so a segment of
 * thirty messages nests thirty `bittorrent` levels. tshark binds a whole
 * conversation to BitTorrent when a payload of at least 20 captured bytes
 * starts with the handshake (wireshark-semantics.md section 6), besides
 * the ports 6881-6889. An extension handshake's dictionary is a `bencode`
 * layer. */
#include "dissect/app.h"
#include "dissect/appsimple.h"
#include "dissect/fget.h"

#define BT_PSTR "BitTorrent protocol"
#define BT_HANDSHAKE_LEN 68
#define BT_MAX_MSG (1u << 20) /* well above a 16 KiB piece block */

bool pw_bittorrent_handshake(const uint8_t *p, uint32_t avail)
{
    return avail >= 20 && p[0] == 19 && memcmp(p + 1, BT_PSTR, 19) == 0;
}

static int64_t bt_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                          const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail >= 1 && p[0] == 19 && (avail < 20 || memcmp(p + 1, BT_PSTR, 19) == 0))
        return avail < 20 ? PW_PDU_MORE : BT_HANDSHAKE_LEN;
    if (avail < 4)
        return PW_PDU_MORE;
    uint32_t len = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    if (len == 0 || avail < 5)
        return 4 + (int64_t)len; /* keep-alive, or no id byte yet to check */
    /* with the id byte at hand, an unknown message id (BEP 3 ids 0-9, the
     * fast extension's 13-17 of BEP 6, the extension protocol's 20 of
     * BEP 10) or an absurd length means we are in the middle of a message:
     * tshark shows the rest as continuation data instead of reassembling */
    uint8_t id = p[4];
    bool known = id <= 9 || (id >= 13 && id <= 17) || id == 20;
    if (!known || len > BT_MAX_MSG)
        return PW_PDU_REST;
    return 4 + (int64_t)len;
}

/* One message. The extension protocol's handshake (BEP 10: id 20,
 * extended id 0) carries a bencoded dictionary, which tshark shows as a
 * `bencode` layer inside the message. */
static void bt_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)st;
    struct pw_layer *l = pw_app_push(d, PW_P_BITTORRENT, c);
    if (!l)
        return;
    uint32_t avail = pw_cur_left(c);
    const uint8_t *p = pw_cur_ptr(c);
    if (l->u.app.count == 1) {
        bool hs = pw_bittorrent_handshake(p, avail);
        l->u.app.bt_id = !hs && avail >= 5 && p[0] | p[1] | p[2] | p[3] ? p[4] : 0x100;
        l->u.app.bt_index = !hs && avail >= 9 ? pw_get_be32(p + 5) : 0;
    }
    if (pw_bittorrent_handshake(p, avail) || avail < 6 || p[4] != 20 || p[5] != 0 ||
        pw_cur_rep_left(c) <= 6)
        return;
    struct pw_cur dict = *c;
    pw_cur_skip(&dict, 6);
    /* listed in frame.protocols but never a hierarchy level of its own */
    struct pw_layer *b = pw_app_push(d, PW_P_BENCODE, &dict);
    if (b)
        b->flags |= PW_LF_SUBTREE;
}

const struct pw_tcp_proto pw_tcp_bittorrent = {PW_P_BITTORRENT, false, 0, bt_pdu_len, bt_pdu};

/* ---- fields (read again from the frame) ------------------------------- */

/* Walks the messages layer l stands for (u.app.count consecutive PDUs of
 * the frame, see PW_LF_REPEAT) and collects, per message, the value `what`
 * asks for: 'T' the message id, 'P' the piece index of the messages that
 * carry one (have, request, piece, cancel; BEP 6 suggest, reject, allowed
 * fast). A reassembled message's bytes are not in the frame: nothing. */
static int bt_walk(const struct pw_packet *pkt, const struct pw_layer *l, char what,
                   struct pw_fvalue *out, int max)
{
    if (l->flags & PW_LF_REASSEMBLED) {
        /* its bytes are not in this frame: the id kept while dissecting */
        uint16_t id = l->u.app.bt_id;
        bool has_index = id == 4 || id == 6 || id == 7 || id == 8 || id == 13 || id == 16 ||
                         id == 17;
        if (id > 0xff || (what == 'P' && !has_index))
            return 0;
        return pw_fv_u(out, max, what == 'T' ? PW_FT_UINT8 : PW_FT_UINT32,
                       what == 'T' ? id : l->u.app.bt_index);
    }
    if (l->off >= pkt->caplen)
        return 0;
    const uint8_t *p = pkt->data + l->off;
    uint32_t left = pkt->caplen - l->off;
    uint32_t count = (l->flags & PW_LF_REPEAT) ? l->u.app.count : 1;
    int n = 0;
    for (uint32_t i = 0; i < count && left >= 4; i++) {
        uint32_t len;
        if (pw_bittorrent_handshake(p, left)) {
            len = BT_HANDSHAKE_LEN;
        } else {
            uint32_t mlen = pw_get_be32(p);
            if (mlen > BT_MAX_MSG)
                break;
            len = 4 + mlen;
            if (mlen >= 1 && left >= 5) {
                uint8_t id = p[4];
                bool has_index = id == 4 || id == 6 || id == 7 || id == 8 || id == 13 ||
                                 id == 16 || id == 17;
                if (what == 'T') {
                    if (n < max)
                        pw_fv_u(out + n, 1, PW_FT_UINT8, id);
                    n++;
                } else if (has_index && mlen >= 5 && left >= 9) {
                    if (n < max)
                        pw_fv_u(out + n, 1, PW_FT_UINT32, pw_get_be32(p + 5));
                    n++;
                }
            }
        }
        if (len >= left)
            break;
        p += len;
        left -= len;
    }
    return n;
}

static int get_msg_type(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    return bt_walk(pkt, l, 'T', out, max);
}

static int get_piece_index(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    return bt_walk(pkt, l, 'P', out, max);
}

/* The handshake's part at [at, at+n) when the layer starts with a whole
 * handshake in the frame. */
static const uint8_t *bt_hs(const struct pw_packet *pkt, const struct pw_layer *l, uint32_t at,
                            uint32_t n)
{
    if (l->flags & PW_LF_REASSEMBLED)
        return NULL;
    const uint8_t *p = pw_lbytes(pkt, l, 0, 20);
    if (!p || !pw_bittorrent_handshake(p, 20))
        return NULL;
    return pw_lbytes(pkt, l, at, n);
}

static int get_protocol_name(const struct pw_packet *pkt, const struct pw_layer *l,
                             struct pw_fvalue *out, int max)
{
    const uint8_t *p = bt_hs(pkt, l, 1, 19);
    if (!p)
        return 0;
    return pw_fv_string(out, max, p, 19);
}

static int get_info_hash(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct pw_fvalue *out, int max)
{
    const uint8_t *p = bt_hs(pkt, l, 28, 20);
    return p ? pw_fv_bytes(out, max, p, 20) : 0;
}

static int get_peer_id(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    const uint8_t *p = bt_hs(pkt, l, 48, 20);
    return p ? pw_fv_bytes(out, max, p, 20) : 0;
}

const struct pw_field pw_fields_bittorrent[] = {
    {"bittorrent.protocol.name", "Protocol Name", PW_FT_STRING, PW_BASE_NONE, PW_P_BITTORRENT,
     get_protocol_name},
    {"bittorrent.info_hash", "SHA1 Hash of info dictionary", PW_FT_BYTES, PW_BASE_NONE,
     PW_P_BITTORRENT, get_info_hash},
    {"bittorrent.peer_id", "Peer ID", PW_FT_BYTES, PW_BASE_NONE, PW_P_BITTORRENT, get_peer_id},
    {"bittorrent.msg.type", "Message Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_BITTORRENT,
     get_msg_type},
    {"bittorrent.piece.index", "Piece index", PW_FT_UINT32, PW_BASE_HEX, PW_P_BITTORRENT,
     get_piece_index},
    PW_FIELDS_END,
};
