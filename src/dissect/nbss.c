/* NetBIOS Session Service (RFC 1002 section 4.3.1) on TCP 139, and the same
 * 4-byte framing for SMB over TCP 445 (MS-SMB2 2.1):
 *
 *   type(1) flags(1, bit 0 extends the length) length(2) trailer
 *
 * A session message carries SMB ("\xffSMB", MS-CIFS 2.2.3.1) or SMB2/3
 * ("\xfeSMB", or "\xfdSMB" for an encrypted transform, MS-SMB2 2.2.1 and
 * 2.2.41); each is its own item after `nbss`. Bytes that are not an NBSS
 * header, or a call that starts with an empty session message, are shown
 * as one `nbss` continuation item, not reassembled. */
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

/* An empty session message where a call starts: tshark's NBSS takes the
 * data for the continuation of an earlier message, whatever follows (a
 * length-0 session message later in the same call is a PDU like any). */
static bool empty_session_at_call_start(const uint8_t *p, uint32_t avail,
                                        const struct pw_app_pstate *st)
{
    return (!st || st->call_pos == 0) && avail >= 4 && p[0] == NB_SESSION_MESSAGE && p[1] == 0 &&
           p[2] == 0 && p[3] == 0;
}

static int64_t nbss_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                            const struct pw_app_pstate *st)
{
    if (avail < 1)
        return PW_PDU_MORE;
    if (!valid_type(p[0]))
        return PW_PDU_REST;
    if (avail < 4)
        return left < 4 ? PW_PDU_REST : PW_PDU_MORE;
    if (p[1] & 0xfe)
        return PW_PDU_REST;
    if (empty_session_at_call_start(p, avail, st))
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

/* SMB Transaction and Transaction2 responses (MS-CIFS 2.2.4.33.2 and
 * 2.2.4.46.2), offsets from the SMB header:
 *
 *   header(32)  WordCount(1)  TotalParameterCount(2)  TotalDataCount(2)
 *   Reserved(2)  ParameterCount(2)  ParameterOffset(2)
 *   ParameterDisplacement(2)  DataCount(2)  DataOffset(2) ...
 *
 * A response whose counts differ from its totals is one part of a
 * transaction, which tshark does not put together: when the part's
 * parameters or data are larger than their total, or lie past the end of
 * the message, tshark runs off what it has and blames the parts it has not
 * got (`_ws.unreassembled`, observed with tshark 4.0.17). A whole
 * transaction (counts equal to the totals) is not checked like that. */
#define SMB_CMD_TRANS 0x25u
#define SMB_CMD_TRANS2 0x32u
#define SMB_FLAGS_REPLY 0x80u

static bool smb_trans_part_overruns(const struct pw_cur *c)
{
    if (!pw_cur_has(c, 33 + 16))
        return false;
    const uint8_t *p = pw_cur_ptr(c);
    if ((p[4] != SMB_CMD_TRANS && p[4] != SMB_CMD_TRANS2) || !(p[9] & SMB_FLAGS_REPLY) ||
        p[32] < 10)
        return false;
    const uint8_t *w = p + 33;
    uint32_t tpc = w[0] | (uint32_t)w[1] << 8, tdc = w[2] | (uint32_t)w[3] << 8;
    uint32_t pc = w[6] | (uint32_t)w[7] << 8, po = w[8] | (uint32_t)w[9] << 8;
    uint32_t dc = w[12] | (uint32_t)w[13] << 8, doff = w[14] | (uint32_t)w[15] << 8;
    if (pc == tpc && dc == tdc)
        return false;
    uint32_t len = pw_cur_rep_left(c);
    return pc > tpc || dc > tdc || po + pc > len || doff + dc > len;
}

static void nbss_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    struct pw_layer *l = pw_app_push(d, PW_P_NBSS, c);
    if (!l)
        return;
    if (pw_cur_has(c, 4) && empty_session_at_call_start(pw_cur_ptr(c), 4, st))
        return; /* continuation data */
    uint8_t type = pw_cur_u8(c);
    pw_cur_skip(c, 3);
    if (type != NB_SESSION_MESSAGE || pw_cur_rep_left(c) < 4)
        return;
    if (pw_cur_starts(c, "\xffSMB", 4)) {
        bool overruns = smb_trans_part_overruns(c);
        struct pw_layer *smb = pw_app_whole(d, PW_P_SMB, c);
        if (smb && overruns) {
            struct pw_layer *u = pw_push_layer(d, PW_P_WS_UNREASSEMBLED, c);
            if (u) {
                u->len = u->hlen = 0;
                u->u.ws.proto = PW_P_SMB;
                u->u.ws.kind = PW_WS_EXCEPTION;
            }
            pw_anomaly(d, PW_AN_UNREASSEMBLED);
        }
    }
    else if (pw_cur_starts(c, "\xfdSMB", 4))
        pw_app_whole(d, PW_P_SMB2, c);
    else if (pw_cur_starts(c, "\xfeSMB", 4))
        smb2_chain(d, c);
}

const struct pw_tcp_proto pw_tcp_nbss = {PW_P_NBSS, false, 0, nbss_pdu_len, nbss_pdu};
