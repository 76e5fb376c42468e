/* SSH framing (RFC 4253 sections 4.2 and 6):
 *
 *   identification line "SSH-protoversion-softwareversion ... CR LF"
 *   binary packet: packet_length(4) padding_length(1) payload padding [MAC]
 *
 * Before NEWKEYS (message 21) a direction's packets are in clear and framed
 * by packet_length; after it they are encrypted and tshark takes the rest
 * of each call as one encrypted packet, never reassembling. One `ssh` item
 * per call, like tshark. */
#include "dissect/app.h"
#include "dissect/appsimple.h"

#define SSH_MSG_NEWKEYS 21
#define SSH_MAX_PACKET (256u * 1024u)

static int64_t ssh_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                           const struct pw_app_pstate *st)
{
    (void)left;
    /* a repeated identification line after the version exchange: tshark
     * takes it for a binary packet of absurd length and shows nothing */
    if (st->ssh_version_done && avail >= 4 && memcmp(p, "SSH-", 4) == 0)
        return PW_PDU_NONE;
    if (st->ssh_encrypted && !st->ssh_v1)
        return PW_PDU_REST;
    if (!st->ssh_version_done) {
        if (avail >= 4 && memcmp(p, "SSH-", 4) == 0) {
            for (uint32_t i = 4; i < avail; i++)
                if (p[i] == '\n')
                    return i + 1;
            return PW_PDU_MORE;
        }
        if (avail < 4 && memcmp(p, "SSH-", avail) == 0)
            return PW_PDU_MORE;
        /* no identification line first: tshark takes the capture for one
         * joined mid-flow and shows the call as one encrypted packet, whose
         * 4-byte length field a shorter call does not hold */
        return left < 4 ? PW_PDU_REST_BAD : PW_PDU_REST;
    }
    if (avail < 5)
        return PW_PDU_MORE;
    uint32_t plen = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    if (plen == 0 || plen > SSH_MAX_PACKET)
        return PW_PDU_REST;
    if (st->ssh_v1) /* SSH 1.5: the length leaves out 1-8 bytes of padding */
        return 4 + (int64_t)plen + (8 - plen % 8);
    return 4 + (int64_t)plen;
}

static void ssh_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)d;
    if (pw_cur_starts(c, "SSH-", 4)) {
        st->ssh_version_done = 1;
        /* "SSH-1.99" announces protocol 2 compatibility */
        st->ssh_v1 = pw_cur_starts(c, "SSH-1.", 6) && !pw_cur_starts(c, "SSH-1.99", 8);
        return;
    }
    st->ssh_version_done = 1;
    if (pw_cur_peek(c, 5) == SSH_MSG_NEWKEYS)
        st->ssh_encrypted = 1;
}

const struct pw_tcp_proto pw_tcp_ssh = {PW_P_SSH, true, 0, ssh_pdu_len, ssh_pdu};
