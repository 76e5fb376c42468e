/* TCP application protocols whose hierarchy entry needs only their framing:
 * Telnet (RFC 854; one item per segment), VNC/RFB (RFC 6143; one item per
 * segment), PPTP control messages (RFC 2637 section 1.4: a 2-byte length
 * frames each message) and SMTP (RFC 5321 section 2.3.8: command and reply
 * lines, which tshark reassembles up to the line end). */
#include "dissect/app.h"
#include "dissect/appsimple.h"

static int64_t rest_len(const uint8_t *p, uint32_t avail, uint32_t left,
                        const struct pw_app_pstate *st)
{
    (void)p;
    (void)avail;
    (void)st;
    return left ? left : PW_PDU_MORE;
}

const struct pw_tcp_proto pw_tcp_telnet = {PW_P_TELNET, false, 0, rest_len, NULL};
const struct pw_tcp_proto pw_tcp_vnc = {PW_P_VNC, false, 0, rest_len, NULL};

static int64_t pptp_len(const uint8_t *p, uint32_t avail, uint32_t left,
                        const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 2)
        return PW_PDU_MORE;
    uint32_t n = ((uint32_t)p[0] << 8) | p[1];
    return n < 2 ? PW_PDU_REST : (int64_t)n;
}

const struct pw_tcp_proto pw_tcp_pptp = {PW_P_PPTP, false, 0, pptp_len, NULL};

/* SMTP: everything up to the last line end of the data at hand is one
 * item; a partial last line is reassembled up to its end */
static int64_t smtp_len(const uint8_t *p, uint32_t avail, uint32_t left,
                        const struct pw_app_pstate *st)
{
    (void)st;
    uint32_t n = avail;
    while (n > 0 && p[n - 1] != '\n')
        n--;
    if (n == 0)
        return avail < left ? PW_PDU_REST : PW_PDU_MORE;
    return n == avail ? (int64_t)left : n;
}

const struct pw_tcp_proto pw_tcp_smtp = {PW_P_SMTP, false, 0, smtp_len, NULL};
