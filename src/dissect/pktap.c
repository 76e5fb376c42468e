/* Apple's PKTAP header (LINKTYPE_PKTAP 258,
 * https://www.tcpdump.org/linktypes/LINKTYPE_PKTAP.html), host byte order
 * (little-endian in practice):
 *
 *   header length(4) record type(4) DLT(4) interface name(24) flags(4)
 *   protocol family(4) link header length(4) link trailer length(4)
 *   pid(4) command name(20) service class(4) interface type(2)
 *   interface unit(2) effective pid(4) effective command name(20)
 *
 * For record type 1 (a packet) the bytes after the header length are the
 * packet, dissected by the DLT (pcap_pktdata, pktdata.c); other record types
 * are data. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define PKTAP_MIN 12u
#define PKTAP_REC_PACKET 1u

int pw_dissect_pktap(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_PKTAP, c);
    if (!l)
        return PW_DIS_OK;
    uint32_t hlen = pw_cur_le32(c);
    uint32_t rectype = pw_cur_le32(c);
    uint32_t dlt = pw_cur_le32(c);
    l->hlen = PKTAP_MIN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = dlt;
    if (hlen < PKTAP_MIN) {
        pw_malformed(d, l, PW_AN_MALFORMED);
        return PW_DIS_OK;
    }
    pw_cur_skip(c, hlen - PKTAP_MIN);
    l->hlen = hlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    if (rectype == PKTAP_REC_PACKET)
        pw_pcap_pktdata(d, dlt, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

PW_FGET_LE(get_hdrlen, PW_FT_UINT32, 0, 4)
PW_FGET_LE(get_rectype, PW_FT_UINT32, 4, 4)
PW_FGET_LE(get_dlt, PW_FT_UINT32, 8, 4)

const struct pw_field pw_fields_pktap[] = {
    {"pktap.hdrlen", "Header length", PW_FT_UINT32, PW_BASE_DEC, PW_P_PKTAP, get_hdrlen},
    {"pktap.rectype", "Record type", PW_FT_UINT32, PW_BASE_DEC, PW_P_PKTAP, get_rectype},
    {"pktap.dlt", "DLT", PW_FT_UINT32, PW_BASE_DEC, PW_P_PKTAP, get_dlt},
    PW_FIELDS_END,
};
