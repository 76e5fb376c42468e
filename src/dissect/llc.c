/* IEEE 802.2 Logical Link Control (ISO/IEC 8802-2 clause 3) and the SNAP
 * extension (IEEE Std 802-2014 clause 10.5, RFC 1042):
 *
 *   DSAP(1) SSAP(1) control(1 for U-format, 2 for I/S-format)
 *   SNAP (DSAP = SSAP = 0xAA, UI control 0x03): OUI(3) protocol id(2)
 *
 * A SNAP header with OUI 00-00-00 (RFC 1042) or 00-00-F8 (802.1H bridge
 * tunnel) carries an EtherType, dispatched like Ethernet's; Cisco's OUI
 * 00-00-0C with protocol id 0x2000 is CDP (cdp.c). SAP 0x06 is IP
 * (ARPANET Internet Protocol SAP), DSAP 0x42 the Spanning Tree Protocol.
 * Anything else (NetBIOS, IPX, ...) is carried as `data` until a
 * dissector is bound. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define SAP_SNAP 0xaau
#define SAP_IP 0x06u
#define SAP_STP 0x42u
#define LLC_UI 0x03u
#define OUI_CISCO 0x00000cu
#define CISCO_PID_CDP 0x2000u

int pw_dissect_llc(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_LLC, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t dsap = pw_cur_u8(c);
    uint8_t ssap = pw_cur_u8(c);
    uint16_t ctl = pw_cur_u8(c);
    if ((ctl & 3u) != 3u) /* I- and S-format frames have a 16-bit control field */
        ctl = (uint16_t)(ctl | (pw_cur_u8(c) << 8));
    l->hlen = pw_cur_frame_off(c) - l->off;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    /* u.key: DSAP, SSAP and control, then the SNAP PID when present */
    l->u.key = (uint32_t)dsap << 24 | (uint32_t)ssap << 16 | ctl;
    if (dsap == SAP_SNAP && ssap == SAP_SNAP && ctl == LLC_UI) {
        uint32_t oui = pw_cur_be24(c);
        uint16_t pid = pw_cur_be16(c);
        l->hlen += 5;
        if (!pw_check_cur(d, l, c))
            return PW_DIS_OK;
        struct pw_cur payload = pw_cur_rest(c);
        if (oui == 0x000000u || oui == 0x0000f8u)
            pw_dispatch(d, PW_KS_ETHERTYPE, pid, &payload);
        else if (oui == OUI_CISCO && pid == CISCO_PID_CDP)
            pw_dissect_as(d, PW_P_CDP, &payload);
        else
            pw_data(d, &payload);
        return PW_DIS_OK;
    }
    struct pw_cur payload = pw_cur_rest(c);
    if (dsap == SAP_IP && ssap == SAP_IP)
        pw_dissect_as(d, PW_P_IP, &payload);
    else if (dsap == SAP_STP)
        pw_dissect_as(d, PW_P_STP, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_dsap, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_ssap, PW_FT_UINT8, 1, 1)

static int get_control(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    (void)pkt;
    if (l->hlen < 3)
        return 0;
    uint16_t ctl = (uint16_t)(l->u.key & 0xffff);
    /* 16-bit controls are shown in wire order (first byte high) */
    if ((ctl & 3u) != 3u)
        ctl = (uint16_t)((ctl & 0xff) << 8 | ctl >> 8);
    return pw_fv_u(out, max, PW_FT_UINT16, ctl);
}

static bool is_snap(const struct pw_layer *l)
{
    return l->hlen == 8;
}

static int get_oui(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 3, 3);
    if (!is_snap(l) || !p)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT24, (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]);
}

/* OUIs whose protocol id is an EtherType */
static bool oui_is_ethertype(const uint8_t *oui)
{
    return oui[0] == 0 && oui[1] == 0 && (oui[2] == 0 || oui[2] == 0xf8);
}

static int get_type(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 3, 5);
    if (!is_snap(l) || !p || !oui_is_ethertype(p))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p + 3));
}

static int get_pid(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, 3, 5);
    if (!is_snap(l) || !p || oui_is_ethertype(p))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p + 3));
}

const struct pw_field pw_fields_llc[] = {
    {"llc.dsap", "DSAP", PW_FT_UINT8, PW_BASE_HEX, PW_P_LLC, get_dsap},
    {"llc.ssap", "SSAP", PW_FT_UINT8, PW_BASE_HEX, PW_P_LLC, get_ssap},
    {"llc.control", "Control", PW_FT_UINT16, PW_BASE_HEX, PW_P_LLC, get_control},
    /* BASE_OUI in tshark: `-T fields` prints it in decimal */
    {"llc.oui", "Organization Code", PW_FT_UINT24, PW_BASE_DEC, PW_P_LLC, get_oui},
    {"llc.type", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_LLC, get_type},
    {"llc.pid", "Protocol ID", PW_FT_UINT16, PW_BASE_HEX, PW_P_LLC, get_pid},
    PW_FIELDS_END,
};
