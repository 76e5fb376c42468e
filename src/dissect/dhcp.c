/* Dynamic Host Configuration Protocol / BOOTP (RFC 2131 section 2, RFC 951;
 * options RFC 2132):
 *
 *   op htype hlen hops(1 each) xid(4) secs(2) flags(2) ciaddr yiaddr siaddr
 *   giaddr(4 each) chaddr(16) sname(64) file(128)   = 236 bytes
 *   magic cookie 99.130.83.99 (4), then options: code(1) len(1) value,
 *   with 0 (pad) and 255 (end) having no length.
 *
 * An option whose length runs past the datagram is the error tshark
 * reports as a malformed packet. */
#include "dissect/appsimple.h"
#include "dissect/fget.h"

#define BOOTP_FIXED 236u
#define DHCP_MAGIC 0x63825363u

int pw_dissect_dhcp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_DHCP, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, BOOTP_FIXED);
    l->hlen = BOOTP_FIXED;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (pw_cur_rep_left(c) >= 4 && pw_cur_has(c, 4)) {
        const uint8_t *p = pw_cur_ptr(c);
        uint32_t magic = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
        if (magic == DHCP_MAGIC) {
            pw_cur_skip(c, 4);
            while (pw_cur_rep_left(c) > 0 && !c->err) {
                uint8_t code = pw_cur_u8(c);
                if (code == 0)
                    continue;
                if (code == 255)
                    break;
                uint8_t len = pw_cur_u8(c);
                pw_cur_skip(c, len);
            }
        }
    }
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    c->pos = c->cap;
    return PW_DIS_OK;
}

/* "Dynamic Host Configuration Protocol (Discover)": the message type
 * option (53), looked up again in the captured options */
size_t pw_label_dhcp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    static const char *const types[] = {NULL,      "Discover", "Offer",  "Request", "Decline",
                                        "ACK",     "NAK",      "Release", "Inform",
                                        "Force Renew"};
    /* tshark labels the item as soon as it has read the option, so a
     * message malformed further on keeps its label */
    if (l->flags & PW_LF_REASSEMBLED)
        return 0;
    const uint8_t *p = pw_lbytes(pkt, l, 0, 0);
    if (!p)
        return 0;
    uint32_t cap = pkt->caplen - l->off, end = cap < l->len ? cap : l->len;
    uint32_t at = BOOTP_FIXED + 4;
    if (end < at || pw_get_be32(p + BOOTP_FIXED) != DHCP_MAGIC)
        return 0;
    while (at < end) {
        uint8_t code = p[at++];
        if (code == 0)
            continue;
        if (code == 255 || at >= end)
            break;
        uint8_t len = p[at++];
        if (code == 53 && len >= 1 && at < end) {
            uint8_t t = p[at];
            if (t >= 1 && t < sizeof(types) / sizeof(types[0]))
                return pw_label_add(buf, n, 0, "Dynamic Host Configuration Protocol (%s)",
                                    types[t]);
            return pw_label_add(buf, n, 0,
                                "Dynamic Host Configuration Protocol (Unknown Message Type (0x%02x))",
                                t);
        }
        at += len;
    }
    return 0;
}
