/* The dissection side of IP fragment reassembly (the state is in
 * src/flow/ipreasm.c): builds tshark's key for a fragment, and when the
 * fragment completes its datagram, makes the packet's bytes a copy of the
 * frame up to the fragment's payload followed by the reassembled payload,
 * so that every layer above keeps a plain offset into pkt->data and the
 * field getters, the flow stage and the application stage read it like any
 * frame. */
#include <string.h>

#include "dissect/dissect.h"
#include "flow/ipreasm.h"

/* The VLAN id tshark folds into an IPv4 key: the last 802.1Q tag before the
 * IP header (0 without one). */
static uint32_t vlan_id_before(const struct pw_packet *pkt, const struct pw_layer *l)
{
    for (int i = (int)(l - pkt->layer) - 1; i >= 0; i--)
        if (pkt->layer[i].proto == PW_P_VLAN)
            return pkt->layer[i].u.vlan.id;
    return 0;
}

bool pw_ip_reassemble(struct pw_dctx *d, const struct pw_layer *l, uint32_t key_id,
                      uint32_t frag_off, bool more, struct pw_cur *pl)
{
    struct pw_packet *pkt = d->pkt;
    if (!pkt->ipreasm || pl->err)
        return false;
    struct pw_ipreasm_key k;
    memset(&k, 0, sizeof(k));
    if (l->proto == PW_P_IP) {
        k.family = 4;
        memcpy(k.src, l->u.ip4.src, 4);
        memcpy(k.dst, l->u.ip4.dst, 4);
        k.id = key_id ^ vlan_id_before(pkt, l);
    } else {
        k.family = 6;
        memcpy(k.src, l->u.ip6.src, 16);
        memcpy(k.dst, l->u.ip6.dst, 16);
        k.id = key_id;
    }
    const uint8_t *out;
    uint32_t n;
    uint32_t flen = pl->cap - pl->pos;
    if (pw_ipreasm_add(pkt->ipreasm, &k, pkt->rec->ts.sec, frag_off, pw_cur_ptr(pl), flen, more,
                       &out, &n) != PW_IPR_DONE)
        return false;
    /* the frame up to the payload, then the datagram; the payload cursor
     * must index the packet's bytes for that copy to be the frame's */
    uint32_t prefix = pw_cur_frame_off(pl);
    if (prefix > pkt->caplen || pw_cur_ptr(pl) != pkt->data + prefix || n > UINT32_MAX - prefix)
        return false;
    uint8_t *buf = pw_ipreasm_frame_buf(pkt->ipreasm, prefix + n, pkt->data);
    if (!buf)
        return false;
    memcpy(buf, pkt->data, prefix);
    memcpy(buf + prefix, out, n);
    pkt->data = buf;
    pkt->caplen = prefix + n;
    struct pw_cur c = pw_cur_make(buf + prefix, n, n);
    c.off = prefix;
    *pl = c;
    return true;
}
