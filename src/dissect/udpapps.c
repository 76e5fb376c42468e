/* Application protocols on UDP whose protocol-hierarchy entry needs no more
 * than their port (tshark's udp.port table): NTP (RFC 5905), SSDP (UPnP
 * device architecture 1.1 section 1), syslog (RFC 5424/3164), SNMP
 * (RFC 3416), SIP (RFC 3261), STUN (RFC 8489) and the NetBIOS datagram
 * service (RFC 1002 4.4). Each takes the whole datagram. */
#include "dissect/appsimple.h"

int pw_dissect_ntp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_NTP, c);
    return PW_DIS_OK;
}

int pw_dissect_ssdp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_SSDP, c);
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
