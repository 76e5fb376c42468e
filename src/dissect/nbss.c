/* NetBIOS Session Service (RFC 1002 section 4.3.1) on TCP 139, and the same
 * 4-byte framing for SMB over TCP 445 (MS-SMB2 2.1):
 *
 *   type(1) flags(1, bit 0 extends the length) length(2) trailer
 *
 * A session message carries SMB ("\xffSMB", MS-CIFS 2.2.3.1) or SMB2/3
 * ("\xfeSMB", or "\xfdSMB" for an encrypted transform, MS-SMB2 2.2.1 and
 * 2.2.41); each is its own item after `nbss`. Bytes that are not an NBSS
 * header are shown as one `nbss` continuation item, not reassembled. */
#include "dissect/app.h"
#include "dissect/appsimple.h"

enum {
    NB_SESSION_MESSAGE = 0x00,
    NB_SESSION_REQUEST = 0x81,
    NB_POSITIVE_RESPONSE = 0x82,
    NB_NEGATIVE_RESPONSE = 0x83,
    NB_RETARGET_RESPONSE = 0x84,
    NB_KEEP_ALIVE = 0x85,
};

static bool valid_type(uint8_t t)
{
    return t == NB_SESSION_MESSAGE || (t >= NB_SESSION_REQUEST && t <= NB_KEEP_ALIVE);
}

static int64_t nbss_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                            const struct pw_app_pstate *st)
{
    (void)st;
    if (avail < 1)
        return PW_PDU_MORE;
    if (!valid_type(p[0]))
        return PW_PDU_REST;
    if (avail < 4)
        return left < 4 ? PW_PDU_REST : PW_PDU_MORE;
    if (p[1] & 0xfe)
        return PW_PDU_REST;
    uint32_t len = ((uint32_t)(p[1] & 1) << 16) | ((uint32_t)p[2] << 8) | p[3];
    return 4 + (int64_t)len;
}

/* SMB2 compounded requests and responses (MS-SMB2 3.2.4.1.4): each header's
 * NextCommand (offset 20, little-endian) is the offset of the next header;
 * each message is its own `smb2` item. */
static void smb2_chain(struct pw_dctx *d, struct pw_cur *c)
{
    for (unsigned n = 0; n < 64; n++) {
        uint32_t next = 0;
        if (pw_cur_has(c, 24)) {
            const uint8_t *p = pw_cur_ptr(c) + 20;
            next = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                   ((uint32_t)p[3] << 24);
        }
        if (next == 0 || next > pw_cur_rep_left(c) || !pw_cur_starts(c, "\xfeSMB", 4)) {
            pw_app_whole(d, PW_P_SMB2, c);
            return;
        }
        struct pw_cur one = pw_cur_sub(c, next);
        pw_app_whole(d, PW_P_SMB2, &one);
        if (!pw_cur_starts(c, "\xfeSMB", 4))
            return;
    }
}

static void nbss_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)st;
    struct pw_layer *l = pw_app_push(d, PW_P_NBSS, c);
    if (!l)
        return;
    uint8_t type = pw_cur_u8(c);
    pw_cur_skip(c, 3);
    if (type != NB_SESSION_MESSAGE || pw_cur_rep_left(c) < 4)
        return;
    if (pw_cur_starts(c, "\xffSMB", 4))
        pw_app_whole(d, PW_P_SMB, c);
    else if (pw_cur_starts(c, "\xfdSMB", 4))
        pw_app_whole(d, PW_P_SMB2, c);
    else if (pw_cur_starts(c, "\xfeSMB", 4))
        smb2_chain(d, c);
}

const struct pw_tcp_proto pw_tcp_nbss = {PW_P_NBSS, false, 0, nbss_pdu_len, nbss_pdu};
