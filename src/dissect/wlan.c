/* IEEE 802.11 MAC frames (LINKTYPE_IEEE802_11 105, and after a radiotap
 * header, radiotap.c). IEEE Std 802.11-2020 clause 9.2-9.3; little-endian:
 *
 *   frame control(2) duration(2) address 1(6)
 *   data and management frames: address 2(6) address 3(6) sequence control(2)
 *   data frames with To DS and From DS set: address 4(6)
 *   QoS data subtypes (subtype bit 3): QoS control(2)
 *   QoS data and management frames with the Order flag: HT control(4)
 *
 * Frame control: version bits 0-1, type bits 2-3 (0 management, 1 control,
 * 2 data, 3 extension), subtype bits 4-7, then the flags byte (0x01 To DS,
 * 0x02 From DS, 0x40 Protected, 0x80 Order).
 *
 * A data frame's body is an 802.2 LLC frame (llc.c), except for the no-data
 * subtypes (subtype bit 2) and protected (encrypted) bodies, which are data.
 * The body of a management frame is shown by tshark as the `wlan.mgt`
 * layer: a level of its protocol hierarchy that frame.protocols does not
 * list (frame.c); its fixed fields and elements are not decoded here, but
 * a body cut by the snap length is (`_ws.short`, as tshark's element parser
 * runs off the captured bytes). Control and extension frames are the `wlan`
 * layer alone. The layer's u.key holds the frame control (first byte low). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define WLAN_TYPE_MGMT 0u
#define WLAN_TYPE_CTRL 1u
#define WLAN_TYPE_DATA 2u
#define WLAN_TO_DS 0x01u
#define WLAN_FROM_DS 0x02u
#define WLAN_PROTECTED 0x40u
#define WLAN_ORDER 0x80u

static unsigned fc_type(uint32_t fc)
{
    return (fc >> 2) & 3u;
}

static unsigned fc_subtype(uint32_t fc)
{
    return (fc >> 4) & 0xfu;
}

static unsigned fc_flags(uint32_t fc)
{
    return (fc >> 8) & 0xffu;
}

/* bytes of the MAC header of a data or management frame */
static uint32_t header_len(uint32_t fc)
{
    unsigned type = fc_type(fc), sub = fc_subtype(fc), fl = fc_flags(fc);
    uint32_t n = 24;
    if (type == WLAN_TYPE_DATA) {
        if ((fl & (WLAN_TO_DS | WLAN_FROM_DS)) == (WLAN_TO_DS | WLAN_FROM_DS))
            n += 6;
        if (sub & 0x8u) {
            n += 2;
            if (fl & WLAN_ORDER)
                n += 4;
        }
    } else if (fl & WLAN_ORDER) {
        n += 4;
    }
    return n;
}

/* bytes of the header tshark reads before it appends the flags to its
 * label: that of a data or management frame without the HT control, the
 * fixed part of a control frame; 0: never (subtypes whose label this file
 * does not build) */
static uint32_t basic_len(uint32_t fc)
{
    unsigned type = fc_type(fc), sub = fc_subtype(fc), fl = fc_flags(fc);
    switch (type) {
    case WLAN_TYPE_MGMT: return 24;
    case WLAN_TYPE_DATA:
        return 24 + ((fl & 3u) == 3u ? 6 : 0) + (sub & 0x8u ? 2 : 0);
    case WLAN_TYPE_CTRL: {
        /* by subtype: ack and CTS 10, RTS/PS-Poll/CF-End 16, block ack
         * (request) 18, beamforming report poll 17, reserved 3: 22 */
        static const uint8_t ctrl[16] = {10, 10, 0, 22, 17, 0, 0, 0,
                                         18, 18, 16, 16, 10, 10, 16, 16};
        return ctrl[sub];
    }
    default: return 10;
    }
}

int pw_dissect_wlan(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_WLAN, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t b0 = pw_cur_u8(c), b1 = pw_cur_u8(c);
    uint32_t fc = (uint32_t)b0 | (uint32_t)b1 << 8;
    l->u.key = fc;
    unsigned type = fc_type(fc);
    /* tshark adds no tree item (no fields, no label) when it cannot read
     * the frame control, nor for a QoS data frame whose MAC header up to
     * the QoS control was not captured; frame.protocols still lists it */
    if (c->err || (type == WLAN_TYPE_DATA && (fc_subtype(fc) & 0x8u) &&
                   pw_cur_left(c) + 2 < basic_len(fc)))
        l->flags |= PW_LF_NOTREE;
    if (type != WLAN_TYPE_MGMT && type != WLAN_TYPE_DATA) {
        /* control and extension frames: no body of their own */
        pw_cur_skip(c, pw_cur_rep_left(c));
        l->hlen = pw_cur_frame_off(c) - l->off;
        pw_check_cur(d, l, c);
        return PW_DIS_OK;
    }
    pw_cur_skip(c, header_len(fc) - 2);
    l->hlen = pw_cur_frame_off(c) - l->off;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (type == WLAN_TYPE_MGMT) {
        if (pw_cur_rep_left(c) == 0)
            return PW_DIS_OK;
        struct pw_layer *m = pw_push_layer(d, PW_P_WLAN_MGT, c);
        if (!m)
            return PW_DIS_OK;
        m->hlen = pw_cur_rep_left(c);
        pw_cur_skip(c, m->hlen);
        pw_check_cur(d, m, c);
        return PW_DIS_OK;
    }
    struct pw_cur body = pw_cur_rest(c);
    if ((fc_subtype(fc) & 0x4u) || (fc_flags(fc) & WLAN_PROTECTED))
        pw_data(d, &body);
    else if (pw_cur_rep_left(&body) > 0)
        pw_dissect_as(d, PW_P_LLC, &body);
    return PW_DIS_OK;
}

static int get_type_subtype(const struct pw_packet *pkt, const struct pw_layer *l,
                            struct pw_fvalue *out, int max)
{
    (void)pkt;
    if (fc_type(l->u.key) > WLAN_TYPE_DATA) /* extension frames are numbered apart */
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, fc_type(l->u.key) << 4 | fc_subtype(l->u.key));
}

PW_FGET_U(get_type, PW_FT_UINT8, fc_type(l->u.key))
PW_FGET_U(get_subtype, PW_FT_UINT8, fc_subtype(l->u.key))
PW_FGET_U(get_flags, PW_FT_UINT8, fc_flags(l->u.key))
PW_FGET_U(get_ds, PW_FT_UINT8, fc_flags(l->u.key) & 3u)

/* the bytes of the MAC header as the frame control describes it (a header
 * cut by the snap length still shows the fields that were captured, as in
 * tshark); control frames: the whole frame */
static uint32_t mac_len(const struct pw_layer *l)
{
    unsigned type = fc_type(l->u.key);
    if (type != WLAN_TYPE_MGMT && type != WLAN_TYPE_DATA)
        return l->hlen;
    return header_len(l->u.key);
}

static int get_le16(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, uint32_t at, uint32_t mask, unsigned shift)
{
    const uint8_t *p = pw_lbytes(pkt, l, at, 2);
    if (!p || at + 2 > mac_len(l))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, ((uint32_t)(p[1] << 8 | p[0]) & mask) >> shift);
}

static int get_duration(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    return get_le16(pkt, l, out, max, 2, 0x7fffu, 0);
}

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    unsigned type = fc_type(l->u.key);
    if (type != WLAN_TYPE_MGMT && type != WLAN_TYPE_DATA)
        return 0;
    return get_le16(pkt, l, out, max, 22, 0xfff0u, 4);
}

/* Address roles of data and management frames: which address field (1-4)
 * holds the receiver, transmitter, destination, source and BSSID, by the
 * To DS / From DS bits (0 when there is none). Management frames are
 * laid out like data frames with both bits clear. */
enum { ROLE_RA, ROLE_TA, ROLE_DA, ROLE_SA, ROLE_BSSID };
static const uint8_t roles[4][5] = {
    /* RA TA DA SA BSSID */
    {1, 2, 1, 2, 3}, /* neither */
    {1, 2, 3, 2, 1}, /* To DS */
    {1, 2, 1, 3, 2}, /* From DS */
    {1, 2, 3, 4, 0}, /* both */
};

/* control frames with a transmitter address (address 2): block ack
 * request, block ack, PS-Poll, RTS, CF-End, CF-End+CF-Ack */
static bool ctrl_has_ta(unsigned sub)
{
    return sub == 8 || sub == 9 || sub == 10 || sub == 11 || sub == 14 || sub == 15;
}

static int get_role(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, unsigned role)
{
    unsigned type = fc_type(l->u.key), field;
    if (type == WLAN_TYPE_CTRL) {
        /* address 1 is the receiver; some subtypes add the transmitter */
        if (role == ROLE_RA)
            field = 1;
        else if (role == ROLE_TA && ctrl_has_ta(fc_subtype(l->u.key)))
            field = 2;
        else
            return 0;
    } else if (type == WLAN_TYPE_MGMT || type == WLAN_TYPE_DATA) {
        unsigned ds = type == WLAN_TYPE_MGMT ? 0 : fc_flags(l->u.key) & 3u;
        field = roles[ds][role];
    } else {
        return 0;
    }
    if (!field)
        return 0;
    /* tshark names the destination, source and BSSID only once it has read
     * the three addresses */
    if (role != ROLE_RA && role != ROLE_TA && !pw_lbytes(pkt, l, 0, 22))
        return 0;
    uint32_t at = field == 4 ? 24 : 4 + 6 * (field - 1);
    const uint8_t *p = pw_lbytes(pkt, l, at, 6);
    if (!p || at + 6 > mac_len(l))
        return 0;
    return pw_fv_addr(out, max, PW_FT_ETHER, p, 6);
}

#define ROLE_GETTER(fn, role)                                                                      \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        return get_role(pkt, l, out, max, role);                                                   \
    }
ROLE_GETTER(get_ra, ROLE_RA)
ROLE_GETTER(get_ta, ROLE_TA)
ROLE_GETTER(get_da, ROLE_DA)
ROLE_GETTER(get_sa, ROLE_SA)
ROLE_GETTER(get_bssid, ROLE_BSSID)

const struct pw_field pw_fields_wlan[] = {
    {"wlan.fc.type_subtype", "Type/Subtype", PW_FT_UINT16, PW_BASE_HEX, PW_P_WLAN,
     get_type_subtype},
    {"wlan.fc.type", "Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_WLAN, get_type},
    {"wlan.fc.subtype", "Subtype", PW_FT_UINT8, PW_BASE_DEC, PW_P_WLAN, get_subtype},
    {"wlan.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_WLAN, get_flags},
    {"wlan.fc.ds", "DS status", PW_FT_UINT8, PW_BASE_HEX, PW_P_WLAN, get_ds},
    {"wlan.duration", "Duration", PW_FT_UINT16, PW_BASE_DEC, PW_P_WLAN, get_duration},
    {"wlan.seq", "Sequence number", PW_FT_UINT16, PW_BASE_DEC, PW_P_WLAN, get_seq},
    {"wlan.ra", "Receiver address", PW_FT_ETHER, PW_BASE_NONE, PW_P_WLAN, get_ra},
    {"wlan.ta", "Transmitter address", PW_FT_ETHER, PW_BASE_NONE, PW_P_WLAN, get_ta},
    {"wlan.da", "Destination address", PW_FT_ETHER, PW_BASE_NONE, PW_P_WLAN, get_da},
    {"wlan.sa", "Source address", PW_FT_ETHER, PW_BASE_NONE, PW_P_WLAN, get_sa},
    {"wlan.bssid", "BSS Id", PW_FT_ETHER, PW_BASE_NONE, PW_P_WLAN, get_bssid},
    PW_FIELDS_END,
};

/* tshark's names of the frame types, by type << 4 | subtype */
static const char *const type_names[64] = {
    "Association Request", "Association Response", "Reassociation Request",
    "Reassociation Response", "Probe Request", "Probe Response", "Measurement Pilot", NULL,
    "Beacon frame", "ATIM", "Disassociate", "Authentication", "Deauthentication", "Action",
    "Action No Ack", "Aruba Management",
    /* control */
    NULL, NULL, "Trigger", NULL, "Beamforming Report Poll", "VHT/HE NDP Announcement",
    NULL, "Control Wrapper", "802.11 Block Ack Req", "802.11 Block Ack", "Power-Save poll",
    "Request-to-send", "Clear-to-send", "Acknowledgement", "CF-End (Control-frame)",
    "CF-End + CF-Ack (Control-frame)",
    /* data */
    "Data", "Data + CF-Ack", "Data + CF-Poll", "Data + CF-Ack + CF-Poll",
    "Null function (No data)", "Acknowledgement (No data)", "CF-Poll (No data)",
    "CF-Ack/Poll (No data)", "QoS Data", "QoS Data + CF-Acknowledgment", "QoS Data + CF-Poll",
    "QoS Data + CF-Ack + CF-Poll", "QoS Null function (No data)", NULL,
    "QoS CF-Poll (No Data)", "QoS CF-Ack + CF-Poll (No data)",
    /* extension */
    "DMG Beacon", "S1G Beacon",
};

/* true when a radiotap header before l says the frame ends with an FCS */
static bool has_fcs(const struct pw_packet *pkt, const struct pw_layer *l)
{
    for (const struct pw_layer *r = l; r > pkt->layer;) {
        r--;
        if (r->proto == PW_P_RADIOTAP) /* radiotap.c: Flags | 0x100 when present */
            return (r->u.key & 0x110u) == 0x110u;
        if (r->proto != PW_P_WLAN_RADIO)
            return false;
    }
    return false;
}

/* "IEEE 802.11 Probe Request, Flags: ........C": the frame type, then,
 * once the header is captured, the flags as opmPRMFT (Order, Protected,
 * More data, Power management, Retry, More fragments, From DS, To DS) with
 * dots for clear bits, and C when radiotap announced an FCS. Trigger, NDP
 * announcement, control frame extension and control wrapper frames, which
 * tshark labels from further fields, keep the abbreviation. */
size_t pw_label_wlan(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    uint32_t fc = l->u.key;
    unsigned ts = fc_type(fc) << 4 | fc_subtype(fc);
    if (ts == 0x12 || ts == 0x15 || ts == 0x16 || ts == 0x17 || !pw_lbytes(pkt, l, 0, 2))
        return 0;
    const char *name = type_names[ts] ? type_names[ts] : "Unrecognized (Reserved frame)";
    size_t k = pw_label_add(buf, n, 0, "IEEE 802.11 %s", name);
    uint32_t need = basic_len(fc);
    if (!need || !pw_lbytes(pkt, l, 0, need))
        return k;
    static const char letters[] = "opmPRMFT";
    char fl[10];
    unsigned f = fc_flags(fc);
    for (unsigned i = 0; i < 8; i++)
        fl[i] = (f & (0x80u >> i)) ? letters[i] : '.';
    size_t m = 8;
    if (has_fcs(pkt, l))
        fl[m++] = 'C';
    fl[m] = '\0';
    return pw_label_add(buf, n, k, ", Flags: %s", fl);
}
