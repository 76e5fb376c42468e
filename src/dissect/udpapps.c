/* Application protocols on UDP whose protocol-hierarchy entry needs no more
 * than their port (tshark's udp.port table): NTP (RFC 5905), syslog (RFC 5424/3164), SNMP
 * (RFC 3416), SIP (RFC 3261), STUN (RFC 8489) and the NetBIOS datagram
 * service (RFC 1002 4.4). Each takes the whole datagram. */
#include "dissect/appsimple.h"
#include "dissect/fget.h"

/* tshark reads NTP's fixed header whatever the datagram's length: 48 bytes
 * for the time modes, 12 for a control message (mode 6), 8 for a private
 * one (mode 7). A datagram shorter than that is malformed (or cut short by
 * the capture), e.g. a 10-byte one in zeek/ipv4/fragmented-1. */
int pw_dissect_ntp(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_cur w = *c;
    struct pw_layer *l = pw_app_whole(d, PW_P_NTP, c);
    if (!l)
        return PW_DIS_OK;
    struct pw_packet *pkt = d->pkt;
    int below = (int)(l - pkt->layer) - 1;
    if (below >= 0 && (pkt->layer[below].flags & PW_LF_QUOTED))
        return PW_DIS_OK; /* a quoted datagram may be cut: tshark says nothing */
    unsigned mode = pw_cur_peek(&w, 0) & 7u;
    pw_cur_skip(&w, mode == 6 ? 12 : mode == 7 ? 8 : 48);
    pw_check_cur(d, l, &w);
    return PW_DIS_OK;
}

int pw_dissect_syslog(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_SYSLOG, c);
    return PW_DIS_OK;
}

int pw_dissect_snmp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_SNMP, c);
    return PW_DIS_OK;
}

int pw_dissect_sip(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_SIP, c);
    return PW_DIS_OK;
}

int pw_dissect_stun(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_STUN, c);
    return PW_DIS_OK;
}

/* BitTorrent DHT (BEP 5) is recognised by heuristic only: a datagram that
 * starts with one of the four bencoded prefixes tshark 4.0 accepts
 * (wireshark-semantics.md section 6). */
int pw_dissect_bt_dht(struct pw_dctx *d, struct pw_cur *c)
{
    static const char *const prefixes[] = {"d1:ad", "d1:rd", "d2:ip", "d1:el"};
    for (unsigned i = 0; i < 4; i++)
        if (pw_cur_starts(c, prefixes[i], 5)) {
            pw_app_whole(d, PW_P_BT_DHT, c);
            return PW_DIS_OK;
        }
    return PW_DIS_NOT_MINE;
}

int pw_dissect_radius(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_RADIUS, c);
    return PW_DIS_OK;
}

int pw_dissect_wg(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_WG, c);
    return PW_DIS_OK;
}

int pw_dissect_rdpudp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_RDPUDP, c);
    return PW_DIS_OK;
}

int pw_dissect_srvloc(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_SRVLOC, c);
    return PW_DIS_OK;
}

int pw_dissect_rip(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_RIP, c);
    return PW_DIS_OK;
}

int pw_dissect_igmp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_IGMP, c);
    return PW_DIS_OK;
}

int pw_dissect_ospf(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_OSPF, c);
    return PW_DIS_OK;
}

/* Teredo (RFC 4380 section 5.1.1): IPv6 in UDP 3544, optionally preceded
 * by an authentication (0x0001) or origin indication (0x0000) header. */
int pw_dissect_teredo(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_TEREDO, c);
    if (!l)
        return PW_DIS_OK;
    for (int i = 0; i < 2 && pw_cur_has(c, 2); i++) {
        uint8_t b0 = pw_cur_peek(c, 0), b1 = pw_cur_peek(c, 1);
        if (b0 == 0 && b1 == 1 && pw_cur_has(c, 4)) {
            uint8_t idlen = pw_cur_peek(c, 2), aulen = pw_cur_peek(c, 3);
            pw_cur_skip(c, 4u + idlen + aulen + 9u);
        } else if (b0 == 0 && b1 == 0) {
            pw_cur_skip(c, 8);
        } else {
            break;
        }
    }
    l->hlen = c->pos;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur in = pw_cur_rest(c);
    pw_dissect_as(d, PW_P_IPV6, &in);
    return PW_DIS_OK;
}

/* QUIC on UDP 443: IETF QUIC (RFC 9000 section 17) or Google QUIC, told
 * apart by the version of a long header ("Q0xx" is gQUIC) or, for short
 * headers, by the fixed bit IETF QUIC sets. */
int pw_dissect_quic(struct pw_dctx *d, struct pw_cur *c)
{
    uint8_t b0 = pw_cur_peek(c, 0);
    unsigned proto = PW_P_GQUIC;
    if (b0 & 0x80)
        proto = pw_cur_peek(c, 1) == 'Q' ? PW_P_GQUIC : PW_P_QUIC;
    else if (b0 & 0x40)
        proto = PW_P_QUIC;
    else if (pw_cur_has(c, 13) && pw_cur_peek(c, 9) == 'Q' && pw_cur_peek(c, 10) == '0')
        proto = PW_P_GQUIC;
    pw_app_whole(d, proto, c);
    return PW_DIS_OK;
}

/* NetBIOS datagram service (RFC 1002 section 4.4): direct unique, direct
 * group and broadcast datagrams (types 0x10-0x12) carry an SMB; a
 * transaction to "\MAILSLOT\..." is the mailslot protocol, and the browse
 * mailslots carry the browser protocol (MS-BRWS 2.1). */
int pw_dissect_nbdgm(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_NBDGM, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t type = pw_cur_peek(c, 0);
    if (type < 0x10 || type > 0x12) {
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    /* header(10) length(2) offset(2), then source and destination names */
    uint32_t avail = pw_cur_left(c);
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t at = 14;
    for (int k = 0; k < 2 && at < avail; k++) {
        while (at < avail && p[at] != 0) {
            if ((p[at] & 0xc0) == 0xc0) {
                at += 1;
                break;
            }
            at += p[at] + 1u;
        }
        at++;
    }
    if (at + 4 > avail || memcmp(p + at, "\xffSMB", 4) != 0) {
        c->pos = c->cap;
        return PW_DIS_OK;
    }
    pw_cur_skip(c, at);
    struct pw_cur smb = pw_cur_rest(c);
    pw_app_whole(d, PW_P_SMB, &smb);
    bool mailslot = false, browse = false;
    const char *ms = "\\MAILSLOT\\";
    for (uint32_t i = at; i + 10 <= avail; i++)
        if (memcmp(p + i, ms, 10) == 0) {
            mailslot = true;
            browse = (i + 16 <= avail && memcmp(p + i + 10, "BROWSE", 6) == 0) ||
                     (i + 16 <= avail && memcmp(p + i + 10, "LANMAN", 6) == 0);
            break;
        }
    if (mailslot) {
        struct pw_cur m = pw_cur_make(smb.base, 0, 0);
        m.off = smb.off;
        struct pw_layer *ml = pw_push_layer(d, PW_P_MAILSLOT, &m);
        if (ml && browse)
            pw_push_layer(d, PW_P_BROWSER, &m);
    }
    return PW_DIS_OK;
}

/* BitTorrent Local Service Discovery (BEP 14): an HTTP-like "BT-SEARCH"
 * datagram, recognised by tshark's heuristic. */
int pw_dissect_lsd(struct pw_dctx *d, struct pw_cur *c)
{
    if (!pw_cur_starts(c, "BT-SEARCH * HTTP/1.1\r\n", 22))
        return PW_DIS_NOT_MINE;
    pw_app_whole(d, PW_P_LSD, c);
    return PW_DIS_OK;
}

/* "Network Time Protocol (NTP Version 4, client)": version and mode from
 * the first byte */
size_t pw_label_ntp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    static const char *const modes[8] = {"reserved", "symmetric active", "symmetric passive",
                                         "client",   "server",           "broadcast",
                                         "control",  "private"};
    const uint8_t *p = pw_lbytes(pkt, l, 0, 1);
    if (!p || (l->flags & PW_LF_REASSEMBLED))
        return 0;
    unsigned ver = (p[0] >> 3) & 7u;
    size_t at = pw_label_add(buf, n, 0, "Network Time Protocol (");
    if (ver >= 1 && ver <= 4)
        at = pw_label_add(buf, n, at, "NTP Version %u, ", ver);
    else
        at = pw_label_add(buf, n, at, "reserved, ");
    return pw_label_add(buf, n, at, "%s)", modes[p[0] & 7u]);
}

/* "Session Initiation Protocol (INVITE)" for a request line, "(401)" for a
 * status line; other first lines leave the item unlabelled */
size_t pw_label_sip(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if (l->flags & PW_LF_REASSEMBLED || l->off >= pkt->caplen)
        return 0;
    uint32_t cap = pkt->caplen - l->off, len = cap < l->len ? cap : l->len;
    const char *p = (const char *)pkt->data + l->off;
    uint32_t eol = 0;
    while (eol < len && p[eol] != '\r' && p[eol] != '\n')
        eol++;
    if (eol > 12 && !memcmp(p, "SIP/2.0 ", 8)) {
        for (unsigned i = 8; i < 11; i++)
            if (p[i] < '0' || p[i] > '9')
                return 0;
        return pw_label_add(buf, n, 0, "Session Initiation Protocol (%.3s)", p + 8);
    }
    uint32_t sp = 0;
    while (sp < eol && p[sp] != ' ')
        sp++;
    if (sp == 0 || sp == eol || eol < 8 || memcmp(p + eol - 8, " SIP/2.0", 8))
        return 0;
    return pw_label_add(buf, n, 0, "Session Initiation Protocol (%.*s)", (int)sp, p);
}

/* tshark names only TURN ChannelData messages (first two bits 01) in the
 * item */
size_t pw_label_stun(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 1);
    if (!p || (l->flags & PW_LF_REASSEMBLED) || (p[0] & 0xc0) != 0x40)
        return 0;
    return pw_label_add(buf, n, 0,
                        "Session Traversal Utilities for NAT, TURN ChannelData Message");
}

/* tshark's text form of message bytes: printable ASCII as it is, C escapes
 * for the usual control characters, octal for any other byte */
static size_t add_text(char *buf, size_t n, size_t at, const uint8_t *p, uint32_t len)
{
    static const char esc[] = {['\a'] = 'a', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                               ['\r'] = 'r', ['\t'] = 't', ['\v'] = 'v'};
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f)
            at = pw_label_add(buf, n, at, "%c", c);
        else if (c < sizeof(esc) && esc[c])
            at = pw_label_add(buf, n, at, "\\%c", esc[c]);
        else
            at = pw_label_add(buf, n, at, "\\%03o", c);
    }
    return at;
}

/* "Syslog message: DAEMON.INFO: <the rest, escaped>". tshark's labels hold
 * 239 bytes: a longer one becomes " [truncated]" and the first 226 bytes
 * of the text. */
size_t pw_label_syslog(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    static const char *const fac[24] = {
        "KERN",   "USER",   "MAIL",   "DAEMON", "AUTH",   "SYSLOG", "LPR",    "NEWS",
        "UUCP",   "CRON",   "AUTHPRIV", "FTP",  "NTP",    "AUDIT",  "ALERT",  "CRON2",
        "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7"};
    static const char *const lev[8] = {"EMERG",   "ALERT",  "CRIT", "ERR",
                                       "WARNING", "NOTICE", "INFO", "DEBUG"};
    enum { LABEL_MAX = 239, KEPT = 226 };
    if ((l->flags & PW_LF_REASSEMBLED) || l->off > pkt->caplen || pkt->caplen - l->off < l->len)
        return 0;
    const uint8_t *p = pkt->data + l->off;
    uint32_t len = l->len, msg = 0;
    int pri = -1;
    if (len >= 3 && p[0] == '<') {
        uint32_t i = 1;
        int v = 0;
        while (i < len && i < 4 && p[i] >= '0' && p[i] <= '9')
            v = v * 10 + (p[i++] - '0');
        if (i > 1 && i < len && p[i] == '>') {
            pri = v;
            msg = i + 1;
        }
    }
    char full[LABEL_MAX + 2];
    size_t at;
    if (pri >= 0)
        at = pw_label_add(full, sizeof(full), 0, "Syslog message: %s.%s: ",
                          pri / 8 < 24 ? fac[pri / 8] : "UNKNOWN", lev[pri % 8]);
    else
        at = pw_label_add(full, sizeof(full), 0, "Syslog message: (unknown): ");
    at = add_text(full, sizeof(full), at, p + msg, len - msg);
    if (at <= LABEL_MAX)
        return pw_label_add(buf, n, 0, "%s", full);
    return pw_label_add(buf, n, 0, " [truncated]%.*s", (int)KEPT, full);
}
