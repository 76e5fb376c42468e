/* FDDI (LINKTYPE_FDDI 10, https://www.tcpdump.org/linktypes/LINKTYPE_FDDI.html):
 *
 *   frame control(1) destination(6) source(6) payload
 *
 * Frame controls 0x50-0x57 (asynchronous LLC) and 0xd0-0xd7 (synchronous
 * LLC) carry an 802.2 LLC frame; SMT, MAC and other frames are data. The
 * addresses are stored in FDDI's bit order; tshark shows them bit-reversed
 * byte by byte, in the canonical (Ethernet) order, and adds each one twice
 * (fddi.dst / fddi.src, and the hidden address copy), so -T fields prints
 * two occurrences. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define FDDI_HLEN 13u
#define FC_LLC_ASYNC 0x50u
#define FC_LLC_SYNC 0xd0u

int pw_dissect_fddi(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_FDDI, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t fc = pw_cur_u8(c);
    pw_cur_skip(c, 12);
    l->hlen = FDDI_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    l->u.key = fc;
    struct pw_cur payload = pw_cur_rest(c);
    if ((fc & 0xf8u) == FC_LLC_ASYNC || (fc & 0xf8u) == FC_LLC_SYNC)
        pw_dissect_as(d, PW_P_LLC, &payload);
    else
        pw_data(d, &payload);
    return PW_DIS_OK;
}

PW_FGET_U(get_fc, PW_FT_UINT8, l->u.key)

static uint8_t bitrev(uint8_t b)
{
    b = (uint8_t)((b & 0xf0u) >> 4 | (b & 0x0fu) << 4);
    b = (uint8_t)((b & 0xccu) >> 2 | (b & 0x33u) << 2);
    return (uint8_t)((b & 0xaau) >> 1 | (b & 0x55u) << 1);
}

static int get_addr(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, uint32_t at)
{
    const uint8_t *p = pw_lbytes(pkt, l, at, 6);
    if (!p)
        return 0;
    uint8_t a[6];
    for (unsigned i = 0; i < 6; i++)
        a[i] = bitrev(p[i]);
    for (int i = 0; i < 2 && i < max; i++)
        pw_fv_addr(out + i, max - i, PW_FT_ETHER, a, 6);
    return 2;
}

static int get_dst(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    return get_addr(pkt, l, out, max, 1);
}

static int get_src(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    return get_addr(pkt, l, out, max, 7);
}

const struct pw_field pw_fields_fddi[] = {
    {"fddi.fc", "Frame Control", PW_FT_UINT8, PW_BASE_HEX, PW_P_FDDI, get_fc},
    {"fddi.dst", "Destination", PW_FT_ETHER, PW_BASE_NONE, PW_P_FDDI, get_dst},
    {"fddi.src", "Source", PW_FT_ETHER, PW_BASE_NONE, PW_P_FDDI, get_src},
    PW_FIELDS_END,
};

/* only asynchronous LLC frames (the corpus has no other kind) are
 * labelled */
size_t pw_label_fddi(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    if ((l->u.key & 0xf8u) != 0x50u)
        return 0;
    return pw_label_add(buf, n, 0,
                        "Fiber Distributed Data Interface, Async LLC frame, priority %u",
                        (unsigned)(l->u.key & 7u));
}
