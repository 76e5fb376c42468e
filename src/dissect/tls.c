/* Transport Layer Security framing (RFC 8446 section 5.1; SSL 2.0 record
 * header per draft-hickman-netscape-ssl-00 section "Record Header"):
 *
 *   TLS/SSLv3 record: content type(1) version(2) length(2) fragment
 *   SSLv2 record:     1 + 15-bit length (2-byte header, high bit set)
 *
 * One `tls` item covers everything one call sees (tshark adds the item
 * before looking at records), so a call that starts a record it cannot
 * finish still shows `tls`. Data that is not a record header is
 * "continuation data": the rest of the call, never reassembled. */
#include "dissect/app.h"
#include "dissect/appsimple.h"

enum { CT_CHANGE_CIPHER_SPEC = 20, CT_HEARTBEAT = 24 };

static int64_t tls_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                           const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 1)
        return PW_PDU_MORE;
    if (p[0] >= CT_CHANGE_CIPHER_SPEC && p[0] <= CT_HEARTBEAT) {
        if (avail < 5)
            return avail >= 2 && p[1] != 3 ? PW_PDU_REST : PW_PDU_MORE;
        if (p[1] != 3)
            return PW_PDU_REST;
        return 5 + (int64_t)((p[3] << 8) | p[4]);
    }
    if ((p[0] & 0x80) && avail >= 3) {
        /* SSLv2: accept the client/server hello message types only */
        uint8_t mt = p[2];
        if (mt == 1 || mt == 4)
            return 2 + (int64_t)(((p[0] & 0x7f) << 8) | p[1]);
    }
    return PW_PDU_REST;
}

const struct pw_tcp_proto pw_tcp_tls = {PW_P_TLS, true, 5, tls_pdu_len, NULL, true};
