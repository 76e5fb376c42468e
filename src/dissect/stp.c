/* Spanning Tree Protocol BPDUs (IEEE 802.1D clause 9, 802.1Q clause 14),
 * carried in LLC with DSAP = SSAP = 0x42: protocol id(2) version(1)
 * type(1) and the rest of the BPDU. One `stp` layer covers it all; no
 * field is published yet. */
#include "dissect/appsimple.h"

int pw_dissect_stp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_STP, c);
    return PW_DIS_OK;
}

size_t pw_label_stp(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    (void)l;
    return pw_label_add(buf, n, 0, "Spanning Tree Protocol");
}
