/* ISO transport on TCP (TPKT, RFC 1006 section 6), X.224 COTP
 * (ITU-T X.224 section 13) and the RDP negotiation it carries
 * (MS-RDPBCGR 2.2.1.1 and 2.2.1.2):
 *
 *   TPKT: version 3(1) reserved(1) length(2, whole packet) TPDU
 *   COTP: length indicator(1) code(high nibble of 1 byte) ...
 *
 * A connection request or confirm with bytes after its fixed part carries
 * the RDP cookie/negotiation: `rdp` after `cotp`. Bytes that are not a TPKT
 * header (for instance TLS after RDP switched to it) are one `tpkt`
 * continuation item, not reassembled, as tshark shows them. */
#include "dissect/app.h"
#include "dissect/appsimple.h"

enum { COTP_CR = 0xe0, COTP_CC = 0xd0, COTP_FIXED = 7 };

static int64_t tpkt_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                            const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 1)
        return PW_PDU_MORE;
    if (p[0] != 3)
        return PW_PDU_REST;
    if (avail < 4)
        return PW_PDU_MORE;
    /* the reserved byte is not checked (tshark's is_tpkt neither) */
    uint32_t len = ((uint32_t)p[2] << 8) | p[3];
    if (len < 4)
        return PW_PDU_REST;
    return len;
}

static void tpkt_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)st;
    struct pw_layer *tl = pw_app_push(d, PW_P_TPKT, c);
    if (!tl)
        return;
    if (pw_cur_peek(c, 0) != 3)
        return; /* continuation data: the tpkt item only */
    pw_cur_skip(c, 4);
    if (pw_cur_rep_left(c) < 2 || !pw_cur_has(c, 2))
        return;
    uint8_t li = pw_cur_peek(c, 0);
    uint8_t code = pw_cur_peek(c, 1) & 0xf0;
    struct pw_layer *l = pw_push_layer(d, PW_P_COTP, c);
    if (!l)
        return;
    l->hlen = 1u + li;
    /* the RDP cookie / negotiation follows the 7-byte fixed part of a CR or
     * CC (LI, code, dst-ref, src-ref, class) inside the TPDU */
    (void)li;
    /* tshark's tree has the TPKT of a connection request, but its
     * frame.protocols goes from tcp to cotp */
    if (code == COTP_CR)
        tl->flags |= PW_LF_UNLISTED;
    if ((code == COTP_CR || code == COTP_CC) && pw_cur_rep_left(c) > COTP_FIXED) {
        pw_cur_skip(c, COTP_FIXED);
        pw_app_whole(d, PW_P_RDP, c);
    }
}

const struct pw_tcp_proto pw_tcp_tpkt = {PW_P_TPKT, false, 0, tpkt_pdu_len, tpkt_pdu, true};

/* "TPKT, Version: 3, Length: 19" for a TPKT header; continuation data (not
 * a header) has no label. A PDU reassembled from several segments is left
 * unlabelled: its header is not in this frame. */
size_t pw_label_tpkt(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if ((l->flags & PW_LF_REASSEMBLED) || l->off > pkt->caplen || pkt->caplen - l->off < 4)
        return 0;
    const uint8_t *p = pkt->data + l->off;
    unsigned len = ((unsigned)p[2] << 8) | p[3];
    if (p[0] != 3 || len < 4)
        return 0;
    return pw_label_add(buf, n, 0, "TPKT, Version: %u, Length: %u", p[0], len);
}
