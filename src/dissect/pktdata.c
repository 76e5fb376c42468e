/* `pcap_pktdata`: the packet that a per-packet pseudo header (PPI, PKTAP)
 * wraps, dissected by the DLT that header names. tshark lists this
 * dispatcher in frame.protocols but draws no tree item for it, so the layer
 * is empty and PW_LF_SUBTREE (no protocol hierarchy level). DLT values are
 * LINKTYPE values except DLT_RAW, which is 12 (14 on OpenBSD) where the
 * link type is 101. */
#include "dissect/protos.h"

#define DLT_RAW_COMMON 12u
#define DLT_RAW_OPENBSD 14u
#define LINKTYPE_RAW 101u

void pw_pcap_pktdata(struct pw_dctx *d, uint32_t dlt, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_PCAP_PKTDATA, c);
    if (!l)
        return;
    l->flags |= PW_LF_SUBTREE;
    l->hlen = 0;
    l->u.key = dlt;
    if (dlt == DLT_RAW_COMMON || dlt == DLT_RAW_OPENBSD)
        dlt = LINKTYPE_RAW;
    pw_dispatch(d, PW_KS_LINKTYPE, dlt, c);
}
