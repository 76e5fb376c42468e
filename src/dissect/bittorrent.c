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
    if (!pw_app_push(d, PW_P_BITTORRENT, c))
        return;
    uint32_t avail = pw_cur_left(c);
    const uint8_t *p = pw_cur_ptr(c);
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
