/* Cisco MetaData (Cisco TrustSec inline tagging), EtherType 0x8909, also
 * carried in GRE:
 *
 *   version(1) length(1) option type(2) SGT(2) EtherType(2)
 *
 * In GRE (protocol type 0x8909) the EtherType comes first instead:
 *
 *   EtherType(2) version(1) length(1) option type(2) SGT(2)
 *
 * The EtherType selects the payload through the EtherType bindings
 * directly: tshark lists no `ethertype` after `cmd`. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define CMD_HLEN 8u

int pw_dissect_cmd(struct pw_dctx *d, struct pw_cur *c)
{
    const struct pw_packet *pkt = d->pkt;
    bool in_gre = pkt->nlayers && pkt->layer[pkt->nlayers - 1].proto == PW_P_GRE;
    struct pw_layer *l = pw_push_layer(d, PW_P_CMD, c);
    if (!l)
        return PW_DIS_OK;
    if (in_gre)
        l->u.tun.next = pw_cur_be16(c);
    l->u.tun.flags = pw_cur_u8(c); /* version */
    pw_cur_skip(c, 3);
    l->u.tun.id = pw_cur_be16(c); /* SGT */
    if (!in_gre)
        l->u.tun.next = pw_cur_be16(c);
    l->u.tun.count = in_gre;
    l->hlen = CMD_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_ETHERTYPE, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_version, PW_FT_UINT8, l->u.tun.flags)
static int get_length(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, l->u.tun.count ? 3 : 1, 1);
    return p ? pw_fv_u(out, max, PW_FT_UINT8, p[0]) : 0;
}

static int get_options(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const uint8_t *p = pw_lbytes(pkt, l, l->u.tun.count ? 4 : 2, 2);
    return p ? pw_fv_u(out, max, PW_FT_UINT16, pw_get_be16(p)) : 0;
}
PW_FGET_U(get_sgt, PW_FT_UINT16, l->u.tun.id)
PW_FGET_U(get_type, PW_FT_UINT16, l->u.tun.next)

const struct pw_field pw_fields_cmd[] = {
    {"cmd.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_CMD, get_version},
    {"cmd.length", "Length", PW_FT_UINT8, PW_BASE_DEC, PW_P_CMD, get_length},
    {"cmd.options", "Options", PW_FT_UINT16, PW_BASE_HEX, PW_P_CMD, get_options},
    {"cmd.sgt", "SGT", PW_FT_UINT16, PW_BASE_DEC, PW_P_CMD, get_sgt},
    {"cmd.type", "Type", PW_FT_UINT16, PW_BASE_HEX, PW_P_CMD, get_type},
    PW_FIELDS_END,
};
