/* Encapsulated Remote Switch Port Analyzer (draft-foschiano-erspan), carried
 * in GRE with protocol type 0x88be (types I and II) or 0x22eb (type III).
 *
 *   type I:   no header: GRE without a sequence number, then Ethernet
 *   type II:  version(4)=1 VLAN(12) COS(3) En(2) T(1) session(10)
 *             reserved(12) index(20)                           8 bytes
 *   type III: version(4)=2 VLAN(12) COS(3) BSO(2) T(1) session(10)
 *             timestamp(4) SGT(2) P(1) frame type(5) hw id(6) D(1)
 *             gra(2) O(1)   [platform sub-header(8)] if O     12 or 20 bytes
 *
 * The mirrored frame is Ethernet (type III frame type 0; another frame type
 * is `data`). */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define GRE_S 0x1000u
#define ERSPAN_II_HLEN 8u
#define ERSPAN_III_HLEN 12u
#define ERSPAN_PLATFORM 8u

int pw_dissect_erspan(struct pw_dctx *d, struct pw_cur *c)
{
    const struct pw_packet *pkt = d->pkt;
    const struct pw_layer *gre = pkt->nlayers ? &pkt->layer[pkt->nlayers - 1] : NULL;
    struct pw_layer *l = pw_push_layer(d, PW_P_ERSPAN, c);
    if (!l)
        return PW_DIS_OK;
    l->u.tun.id = l->u.tun.next = 0;
    l->u.tun.flags = 0;
    if (gre && gre->proto == PW_P_GRE && gre->u.gre.proto == 0x88be &&
        !(gre->u.gre.flags & GRE_S)) {
        l->u.tun.count = 0; /* type I */
        l->hlen = 0;
        pw_dissect_as(d, PW_P_ETH, c);
        return PW_DIS_OK;
    }
    uint16_t w0 = pw_cur_be16(c);
    uint16_t w1 = pw_cur_be16(c);
    unsigned ver = w0 >> 12;
    l->u.tun.count = (uint8_t)ver;
    l->u.tun.next = w0 & 0x0fff; /* VLAN */
    l->u.tun.id = w1 & 0x03ff;   /* session */
    bool eth = true;
    if (ver == 2) {
        pw_cur_skip(c, 6);
        uint16_t w = pw_cur_be16(c);
        if (w & 1)
            pw_cur_skip(c, ERSPAN_PLATFORM);
        eth = ((w >> 10) & 0x1f) == 0;
        l->u.tun.flags = (uint8_t)((w >> 3) & 1); /* direction */
    } else {
        pw_cur_skip(c, 4);
    }
    l->hlen = pw_cur_frame_off(c) - l->off;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    if (eth)
        pw_dissect_as(d, PW_P_ETH, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

static int get_version(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    (void)pkt;
    if (l->hlen == 0)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tun.count);
}

static int get_vlan(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    (void)pkt;
    if (l->hlen == 0)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tun.next);
}

static int get_spanid(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    (void)pkt;
    if (l->hlen == 0)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, l->u.tun.id);
}

const struct pw_field pw_fields_erspan[] = {
    {"erspan.version", "Version", PW_FT_UINT16, PW_BASE_DEC, PW_P_ERSPAN, get_version},
    {"erspan.vlan", "Vlan", PW_FT_UINT16, PW_BASE_DEC, PW_P_ERSPAN, get_vlan},
    {"erspan.spanid", "SpanID", PW_FT_UINT16, PW_BASE_DEC, PW_P_ERSPAN, get_spanid},
    PW_FIELDS_END,
};

/* the header's version names the type (1: II, 2: III); type I has no
 * header and is left unlabelled (not seen in the corpus) */
size_t pw_label_erspan(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    if (l->u.tun.count != 1 && l->u.tun.count != 2)
        return 0;
    return pw_label_add(buf, n, 0, "Encapsulated Remote Switch Packet ANalysis Type %s",
                        l->u.tun.count == 1 ? "II" : "III");
}
