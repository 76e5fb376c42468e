/* Anything In Anything (AYIYA, draft-massar-v6ops-ayiya), UDP port 5072:
 *
 *   identity length(4, log2 of bytes) identity type(4)
 *   signature length(4, 4-byte words) hash method(4)
 *   authentication method(4) operation code(4)   next header(1)
 *   epoch(4)   identity   signature   payload
 *
 * Only operation code 1 (forward) carries a packet, whose protocol is the
 * next header (an IP protocol number, 41 for IPv6); the other operations
 * (heartbeat, echo...) end at the header, as in tshark. */
#include "dissect/fget.h"
#include "dissect/protos.h"

#define AYIYA_FIXED 8u
#define AYIYA_FORWARD 1u

int pw_dissect_ayiya(struct pw_dctx *d, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, PW_P_AYIYA, c);
    if (!l)
        return PW_DIS_OK;
    uint8_t b0 = pw_cur_u8(c);
    uint8_t b1 = pw_cur_u8(c);
    uint8_t b2 = pw_cur_u8(c);
    l->u.tun.next = pw_cur_u8(c);
    l->u.tun.id = pw_cur_be32(c); /* epoch */
    l->u.tun.flags = b2 & 0x0f;   /* operation code */
    uint32_t idlen = 1u << (b0 >> 4);
    uint32_t siglen = 4u * (b1 >> 4);
    pw_cur_skip(c, idlen);
    pw_cur_skip(c, siglen);
    l->hlen = AYIYA_FIXED + idlen + siglen;
    if (!pw_check_cur(d, l, c))
        return PW_DIS_OK;
    if (l->u.tun.flags != AYIYA_FORWARD)
        return PW_DIS_OK;
    struct pw_cur payload = pw_cur_rest(c);
    pw_dispatch(d, PW_KS_IPPROTO, l->u.tun.next, &payload);
    return PW_DIS_OK;
}

PW_FGET_BE(get_b0, PW_FT_UINT8, 0, 1)
PW_FGET_BE(get_b1, PW_FT_UINT8, 1, 1)
PW_FGET_BE(get_b2, PW_FT_UINT8, 2, 1)

static int nibble(int n, struct pw_fvalue *out, int max, int hi)
{
    if (n == 1 && max >= 1)
        out[0].v.u = hi ? out[0].v.u >> 4 : out[0].v.u & 0x0f;
    return n;
}

static int get_idlen(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                     int max)
{
    return nibble(get_b0(pkt, l, out, max), out, max, 1);
}

static int get_idtype(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return nibble(get_b0(pkt, l, out, max), out, max, 0);
}

static int get_siglen(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    return nibble(get_b1(pkt, l, out, max), out, max, 1);
}

static int get_hash(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    return nibble(get_b1(pkt, l, out, max), out, max, 0);
}

static int get_auth(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    return nibble(get_b2(pkt, l, out, max), out, max, 1);
}

PW_FGET_U(get_opcode, PW_FT_UINT8, l->u.tun.flags)
PW_FGET_U(get_nxt, PW_FT_UINT8, l->u.tun.next)

const struct pw_field pw_fields_ayiya[] = {
    {"ayiya.idlen", "Identity field length", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_idlen},
    {"ayiya.idtype", "Identity field type", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_idtype},
    {"ayiya.siglen", "Signature Length", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_siglen},
    {"ayiya.hashmethod", "Hash method", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_hash},
    {"ayiya.authmethod", "Authentication method", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_auth},
    {"ayiya.opcode", "Operation Code", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_opcode},
    {"ayiya.nextheader", "Next Header", PW_FT_UINT8, PW_BASE_HEX, PW_P_AYIYA, get_nxt},
    PW_FIELDS_END,
};

size_t pw_label_ayiya(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    (void)pkt;
    (void)l;
    return pw_label_add(buf, n, 0, "AYIYA");
}
