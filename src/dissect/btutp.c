/* uTP, the uTorrent Transport Protocol (BEP 29), as tshark 4.0 shows it
 * with its default preferences: never. Its `bt_utp_udp` heuristic is
 * disabled by default, so uTP traffic is `udp > data`
 * (docs/wireshark-semantics.md section 6), and a display filter naming
 * bt-utp or one of its fields is valid but matches no packet. pktwatch
 * therefore knows the protocol and the header fields filters use, and no
 * layer ever carries them: this file has no dissector. (The alerts tap
 * finds uTP by its own evidence in src/classify/alerts.c.) */
#include "dissect/fget.h"

/* not reached: no packet has a bt-utp layer */
static int get_none(const struct pw_packet *pkt, const struct pw_layer *l,
                    struct pw_fvalue *out, int max)
{
    (void)pkt;
    (void)l;
    (void)out;
    (void)max;
    return 0;
}

const struct pw_field pw_fields_bt_utp[] = {
    {"bt-utp.ver", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_BT_UTP, get_none},
    {"bt-utp.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_BT_UTP, get_none},
    PW_FIELDS_END,
};
