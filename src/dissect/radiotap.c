/* Radiotap capture header (LINKTYPE_IEEE802_11_RADIOTAP 127,
 * https://www.radiotap.org), little-endian:
 *
 *   version(1) pad(1) length(2) present(4) [more present words while bit 31
 *   is set] fields, each aligned to its natural size from the header start
 *
 * Only the Flags field (present bit 1; after TSFT, bit 0, 8 bytes aligned
 * to 8) matters here: flag 0x10 says the 802.11 frame ends with a 4-byte
 * FCS, which is then not part of the frame body. tshark follows the header
 * with `wlan_radio`, a summary of the radio information it derives from
 * radiotap (no bytes of its own, a level of the protocol hierarchy), which
 * this file pushes too, then the 802.11 frame (wlan.c). A length below 8 or
 * past the packet is malformed. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define RT_MIN 8u
#define RT_PRESENT_TSFT 0x1u
#define RT_PRESENT_FLAGS 0x2u
#define RT_PRESENT_EXT 0x80000000u
#define RT_FLAG_FCS 0x10u
#define RT_MAX_PRESENT 32u /* present words read before giving up */

#define RT_HAS_FLAGS 0x100u /* in u.key, above the Flags field */

/* the Flags field | RT_HAS_FLAGS, or 0 when absent or outside the header */
static uint32_t rt_flags(struct pw_cur h, uint32_t rtlen)
{
    uint32_t present = pw_cur_le32(&h), first = present, words = 1;
    while ((present & RT_PRESENT_EXT) && words < RT_MAX_PRESENT && !h.err) {
        present = pw_cur_le32(&h);
        words++;
    }
    if (h.err || !(first & RT_PRESENT_FLAGS))
        return 0;
    uint32_t at = 4 + 4 * words; /* from the header start */
    if (first & RT_PRESENT_TSFT)
        at = ((at + 7u) & ~7u) + 8u;
    if (at >= rtlen)
        return 0;
    pw_cur_skip(&h, at - 4 - 4 * words);
    uint8_t f = pw_cur_u8(&h);
    return h.err ? 0 : f | RT_HAS_FLAGS;
}

int pw_dissect_radiotap(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_RADIOTAP, c);
    if (!l)
        return PW_DIS_OK;
    pw_cur_skip(c, 2);
    uint16_t rtlen = pw_cur_le16(c);
    l->hlen = 4;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (rtlen < RT_MIN) {
        pw_malformed(d, l, PW_AN_MALFORMED);
        return PW_DIS_OK;
    }
    struct pw_cur fields = *c;
    pw_cur_skip(c, rtlen - 4u);
    l->hlen = rtlen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    uint32_t flags = rt_flags(pw_cur_sub(&fields, rtlen - 4u), rtlen);
    l->u.key = flags;
    struct pw_layer *r = pw_push_layer(d, PW_P_WLAN_RADIO, c);
    if (!r)
        return PW_DIS_OK;
    r->hlen = 0;
    uint32_t n = pw_cur_rep_left(c);
    if ((flags & RT_FLAG_FCS) && n >= 4)
        n -= 4; /* the FCS: the last 4 reported bytes */
    struct pw_cur frame = pw_cur_sub(c, n);
    pw_dissect_as(d, PW_P_WLAN, &frame);
    return PW_DIS_OK;
}

PW_FGET_BE(get_version, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_pad, PW_FT_UINT8, 1, 1)
static int get_flags(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    (void)pkt;
    if (!(l->u.key & RT_HAS_FLAGS))
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT8, l->u.key & 0xffu);
}

PW_FGET_LE(get_length, PW_FT_UINT16, 2, 2)

const struct pw_field pw_fields_radiotap[] = {
    {"radiotap.version", "Header revision", PW_FT_UINT8, PW_BASE_DEC, PW_P_RADIOTAP, get_version},
    {"radiotap.pad", "Header pad", PW_FT_UINT8, PW_BASE_DEC, PW_P_RADIOTAP, get_pad},
    {"radiotap.length", "Header length", PW_FT_UINT16, PW_BASE_DEC, PW_P_RADIOTAP, get_length},
    {"radiotap.flags", "Flags", PW_FT_UINT8, PW_BASE_HEX, PW_P_RADIOTAP, get_flags},
    PW_FIELDS_END,
};

size_t pw_label_radiotap(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                         size_t n)
{
    const uint8_t *p = pw_lbytes(pkt, l, 0, 4);
    if (!p)
        return 0;
    return pw_label_add(buf, n, 0, "Radiotap Header v%u, Length %u", p[0],
                        (unsigned)pw_get_uint(p + 2, 2, 1));
}
