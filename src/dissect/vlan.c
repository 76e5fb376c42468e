/* IEEE 802.1Q VLAN tag (IEEE 802.1Q-2018 clause 9.6), also used for the
 * 802.1ad service tag (TPID 0x88a8, same layout; tshark names that layer
 * `ieee8021ad`). The tag follows the TPID that selected us:
 *
 *   TCI(2) = PCP(3 bits) DEI(1) VID(12)   then   EtherType or length(2)
 *
 * As in Ethernet, a value below 0x0600 is an 802.3 length and an LLC PDU
 * follows. Stacked tags (QinQ, QinQinQ) simply nest through the EtherType
 * binding. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define VLAN_HLEN 4u
#define ETH_TYPE_MIN 0x0600u

static int dissect_tag(struct pw_dctx *d, struct pw_cur *c, unsigned proto)
{
    struct pw_layer *l = pw_push_layer(d, proto, c);
    if (!l)
        return PW_DIS_OK;
    uint16_t tci = pw_cur_be16(c);
    l->u.vlan.etype = pw_cur_be16(c);
    l->u.vlan.pcp = (uint8_t)(tci >> 13);
    l->u.vlan.dei = (tci >> 12) & 1;
    l->u.vlan.id = tci & 0x0fff;
    l->hlen = VLAN_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (l->u.vlan.etype < ETH_TYPE_MIN) {
        struct pw_cur llc = pw_cur_sub(c, l->u.vlan.etype);
        pw_dissect_as(d, PW_P_LLC, &llc);
        return PW_DIS_OK;
    }
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, l->u.vlan.etype, &payload);
    return PW_DIS_OK;
}

int pw_dissect_vlan(struct pw_dctx *d, struct pw_cur *c)
{
    return dissect_tag(d, c, PW_P_VLAN);
}

int pw_dissect_ieee8021ad(struct pw_dctx *d, struct pw_cur *c)
{
    return dissect_tag(d, c, PW_P_IEEE8021AD);
}

PW_FGET_U(get_id, PW_FT_UINT16, l->u.vlan.id)
PW_FGET_U(get_prio, PW_FT_UINT16, l->u.vlan.pcp)
PW_FGET_U(get_dei, PW_FT_BOOLEAN, l->u.vlan.dei)
PW_FGET_U(get_dei16, PW_FT_UINT16, l->u.vlan.dei)

static int get_etype(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (l->u.vlan.etype < ETH_TYPE_MIN)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.vlan.etype);
}

static int get_len(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    (void)pkt;
    if (l->u.vlan.etype >= ETH_TYPE_MIN)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.vlan.etype);
}

const struct pw_field pw_fields_vlan[] = {
    {"vlan.priority", "Priority", PW_FT_UINT16, PW_BASE_DEC, PW_P_VLAN, get_prio},
    {"vlan.dei", "DEI", PW_FT_BOOLEAN, PW_BASE_NONE, PW_P_VLAN, get_dei},
    {"vlan.id", "ID", PW_FT_UINT16, PW_BASE_DEC, PW_P_VLAN, get_id},
    {"vlan.etype", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_VLAN, get_etype},
    {"vlan.len", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_VLAN, get_len},
    PW_FIELDS_END,
};

const struct pw_field pw_fields_ieee8021ad[] = {
    {"ieee8021ad.priority", "Priority", PW_FT_UINT16, PW_BASE_DEC, PW_P_IEEE8021AD, get_prio},
    {"ieee8021ad.dei", "DEI", PW_FT_UINT16, PW_BASE_DEC, PW_P_IEEE8021AD, get_dei16},
    {"ieee8021ad.id", "ID", PW_FT_UINT16, PW_BASE_DEC, PW_P_IEEE8021AD, get_id},
    PW_FIELDS_END,
};

size_t pw_label_vlan(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "802.1Q Virtual LAN, PRI: %u, DEI: %u, ID: %u", l->u.vlan.pcp,
                        (unsigned)l->u.vlan.dei, l->u.vlan.id);
}

size_t pw_label_ieee8021ad(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                           size_t n)
{
    (void)pkt;
    return pw_label_add(buf, n, 0, "IEEE 802.1ad, ID: %u", l->u.vlan.id);
}
