/* Per-Packet Information header (LINKTYPE_PPI 192,
 * https://www.tcpdump.org/linktypes/LINKTYPE_PPI.html), little-endian:
 *
 *   version(1) flags(1) header length(2) DLT(4) fields...
 *
 * The fields (802.11 common, GPS, ...) stay in the layer; the packet after
 * the header length is dissected by the DLT (pcap_pktdata, pktdata.c). A
 * header length below 8 or past the packet is malformed. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define PPI_MIN 8u

int pw_dissect_ppi(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_PPI, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 2);
    uint16_t hlen = pw_cur_le16(c);
    uint32_t dlt = pw_cur_le32(c);
    l->hlen = PPI_MIN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = dlt;
    if (hlen < PPI_MIN) {
        pw_malformed(d, l, PW_AN_MALFORMED);
        return PW_DIS_OK;
    }
    pw_cur_skip(c, hlen - PPI_MIN);
    l->hlen = hlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_pcap_pktdata(d, dlt, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_version, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_flags, PW_FT_UINT8, 1, 1)
PW_FGET_U(get_dlt, PW_FT_UINT32, l->u.key)

PW_FGET_LE(get_length, PW_FT_UINT16, 2, 2)

const struct pw_field pw_fields_ppi[] = {
    {"ppi.version", "Version", PW_FT_UINT8, PW_BASE_DEC, PW_P_PPI, get_version},
    {"ppi.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_PPI, get_flags},
    {"ppi.length", "Header length", PW_FT_UINT16, PW_BASE_DEC, PW_P_PPI, get_length},
    {"ppi.dlt", "DLT", PW_FT_UINT32, PW_BASE_DEC, PW_P_PPI, get_dlt},
    PW_FIELDS_END,
};

size_t pw_label_ppi(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 4);
    if (!p)
        return 0;
    return pw_label_add(buf, n, 0, "PPI version %u, %u bytes", p[0],
                        (unsigned)pw_get_uint(p + 2, 2, 1));
}
