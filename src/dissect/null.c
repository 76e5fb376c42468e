/* BSD null/loopback encapsulation (LINKTYPE_NULL 0, and LINKTYPE_LOOP 108 of
 * OpenBSD; https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html):
 *
 *   family(4) payload
 *
 * For LINKTYPE_NULL the family is in the byte order of the machine that
 * captured, which the file does not record; LINKTYPE_LOOP is big-endian. A
 * family is a small number, so whichever order leaves the two high bytes
 * zero is the right one. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD,
 * OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly) or 30 (Darwin). tshark calls
 * both link types `null`. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define NULL_HLEN 4u

int pw_dissect_null(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_NULL_LOOP, c);
    if (!l)
        return PW_DIS_OK;
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t be = pw_cur_be32(c);
    l->hlen = NULL_HLEN;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    /* host order: little-endian writers leave bytes 2-3 zero */
    uint32_t fam = (p[2] == 0 && p[3] == 0) ? (uint32_t)(p[1] << 8 | p[0]) : be;
    l->u.key = fam;
    struct pw_cur payload = pw_cur_rest(c);
    switch (fam) {
    case 2: pw_dissect_as(d, PW_P_IP, &payload); break;
    case 24:
    case 28:
    case 30: pw_dissect_as(d, PW_P_IPV6, &payload); break;
    default: pw_data(d, &payload);
    }
    return PW_DIS_OK;
}

PW_FGET_U(get_family, PW_FT_UINT32, l->u.key)

const struct pw_field pw_fields_null[] = {
    {"null.family", "Family", PW_FT_UINT32, PW_BASE_DEC, PW_P_NULL_LOOP, get_family},
    PW_FIELDS_END,
};
