/* pcapng capture files, draft-ietf-opsawg-pcapng (section numbers below are
 * those of draft -02).
 *
 * A file is a sequence of blocks (4.1): type(4) total_length(4) body
 * total_length(4), lengths a multiple of 4 and counted over the whole block.
 * A Section Header Block (4.1) starts each section and fixes its byte order
 * through its byte-order magic; Interface Description Blocks (4.2) number
 * their interfaces from 0 within the section. Packets come in Enhanced (4.3),
 * Simple (4.4) and the obsolete Packet Block (Appendix A). Everything else
 * (NRB 4.5, ISB 4.6, DSB, custom 4.8, unknown) is skipped and counted.
 *
 * Every block is checked before it is looked at: its length must be at least
 * 12, a multiple of 4, at most PW_MAX_PCAPNG_BLOCK, equal to the trailing
 * copy, and large enough for the fixed part of its type and for the packet
 * data it claims. Options (3.5) are walked with an explicit remaining count
 * and each step advances by at least 4 bytes. */
#include "capture/reader_int.h"

#include <string.h>

#include "util/limits.h"

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 0x00000001u
#define BT_PB 0x00000002u
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BOM 0x1a2b3c4du

/* Option codes (3.5, 4.1, 4.2, 4.3). */
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define BT_NRB 0x00000004u
#define BT_DSB 0x0000000au
#define BT_ISB 0x00000005u
#define OPT_COMMENT 1
#define SHB_HARDWARE 2
#define SHB_OS 3
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_FILTER 11
#define IF_OS 12
#define IF_TSOFFSET 14

/* Smallest total length of each block type: header and trailer (12) plus the
 * fixed part of the body. */
#define MIN_SHB 28u
#define MIN_IDB 20u
#define MIN_EPB 32u
#define MIN_PB 32u
#define MIN_SPB 16u

struct block {
    uint32_t type;
    uint32_t len;     /* total length, validated */
    uint64_t off;     /* offset of the block in the input */
    const uint8_t *p; /* the whole block (len bytes) */
    bool big;         /* byte order of this block */
};

static const char *block_name(uint32_t type)
{
    switch (type) {
    case BT_SHB: return "SHB";
    case BT_IDB: return "IDB";
    case BT_PB: return "PB";
    case BT_SPB: return "SPB";
    case BT_EPB: return "EPB";
    default: return "block";
    }
}

/* ---- timestamps ----------------------------------------------------------- */

/* (a * b) >> s with a 128-bit intermediate built from 32-bit halves; the
 * callers guarantee the result fits in 64 bits. */
static uint64_t mul_shr(uint64_t a, uint64_t b, unsigned s)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    uint64_t lo = (p00 & 0xffffffffu) | (mid << 32);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    if (s == 0)
        return lo;
    if (s >= 128)
        return 0;
    if (s >= 64)
        return hi >> (s - 64);
    return (lo >> s) | (hi << (64 - s));
}

static const uint64_t pow10_u64[20] = {
    1u,
    10u,
    100u,
    1000u,
    10000u,
    100000u,
    1000000u,
    10000000u,
    100000000u,
    1000000000u,
    10000000000u,
    100000000000u,
    1000000000000u,
    10000000000000u,
    100000000000000u,
    1000000000000000u,
    10000000000000000u,
    100000000000000000u,
    1000000000000000000u,
    10000000000000000000u,
};

/* if_tsresol (4.2): MSB clear, the resolution is 10^-v s; set, 2^-(v&0x7f) s.
 * Resolutions too fine for 64 bits saturate: they only matter for display. */
static uint64_t ticks_per_sec(uint8_t tsresol)
{
    unsigned v = tsresol & 0x7fu;
    if (tsresol & 0x80u)
        return v < 64 ? (uint64_t)1 << v : UINT64_MAX;
    return v < 20 ? pow10_u64[v] : UINT64_MAX;
}

void pwi_ticks_to_ts(uint64_t ticks, uint8_t tsresol, uint64_t *sec, uint32_t *nsec)
{
    unsigned v = tsresol & 0x7fu;
    if (tsresol & 0x80u) {
        if (v == 0) {
            *sec = ticks;
            *nsec = 0;
        } else if (v < 64) {
            uint64_t frac = ticks & (((uint64_t)1 << v) - 1);
            *sec = ticks >> v;
            *nsec = (uint32_t)mul_shr(frac, 1000000000u, v); /* frac < 2^v: < 1e9 */
        } else {
            *sec = 0;
            *nsec = (uint32_t)mul_shr(ticks, 1000000000u, v);
        }
    } else if (v <= 9) {
        uint64_t tps = pow10_u64[v];
        *sec = ticks / tps;
        *nsec = (uint32_t)((ticks % tps) * pow10_u64[9 - v]);
    } else {
        /* Finer than a nanosecond: divide down to nanoseconds (truncating).
         * Past 10^-28 even 2^64-1 ticks are less than a nanosecond. */
        uint64_t ns = v - 9 < 20 ? ticks / pow10_u64[v - 9] : 0;
        *sec = ns / 1000000000u;
        *nsec = (uint32_t)(ns % 1000000000u);
    }
}

/* ---- options ------------------------------------------------------------- */

struct opt_it {
    const uint8_t *p;
    uint32_t left;
    bool big;
};

/* Next option. Returns 1 with code/len/val, 0 at the end (opt_endofopt, or
 * fewer than 4 bytes left, which the draft leaves as padding), -1 when the
 * value would run past the block. */
static int opt_next(struct opt_it *it, uint16_t *code, uint16_t *len, const uint8_t **val)
{
    if (it->left < 4)
        return 0;
    *code = pwi_rd16(it->p, it->big);
    *len = pwi_rd16(it->p + 2, it->big);
    if (*code == OPT_ENDOFOPT)
        return 0;
    if (*len > it->left - 4)
        return -1;
    *val = it->p + 4;
    /* Values are padded to 32 bits; a missing pad on the last option is
     * tolerated rather than read past. */
    uint32_t adv = 4u + *len + ((4u - (*len & 3u)) & 3u);
    if (adv > it->left)
        adv = it->left;
    it->p += adv;
    it->left -= adv;
    return 1;
}

static int bad_option(struct pw_reader *r, struct pw_error *err, const struct block *b,
                      const struct opt_it *it)
{
    return pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                    "pcapng: option of length %u in the %s at offset %llu runs past the end "
                    "of the block (%u bytes left)",
                    pwi_rd16(it->p + 2, it->big), block_name(b->type), (unsigned long long)b->off,
                    it->left - 4);
}

/* Copies an option string (UTF-8, not NUL-terminated, 3.5) into a fixed
 * field: stops at an embedded NUL, truncates to the field without cutting a
 * UTF-8 sequence in half. */
static void copy_str(char *dst, size_t cap, const uint8_t *val, uint16_t len)
{
    size_t n = len;
    const uint8_t *nul = memchr(val, 0, n);
    if (nul)
        n = (size_t)(nul - val);
    if (n > cap - 1) {
        n = cap - 1;
        while (n > 0 && (val[n] & 0xc0u) == 0x80u)
            n--;
    }
    memcpy(dst, val, n);
    dst[n] = '\0';
}

/* ---- blocks --------------------------------------------------------------- */

/* Reads and validates the next block header and makes the whole block
 * available. Returns 1 with *b, 0 at a clean end of input, or an error. */
static int read_block(struct pw_reader *r, struct pw_error *err, struct block *b)
{
    const uint8_t *p;
    size_t avail = 0;
    uint64_t off = r->pos;

    int rc = pwi_ensure(r, 8, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (avail == 0)
            return 0;
        return pwi_cut_short(r, err, off, 8, avail);
    }
    bool big = r->ng_big;
    uint32_t type = pwi_rd32(p, big);
    if (type == BT_SHB) {
        /* The SHB's own length is in the byte order its body announces. */
        rc = pwi_ensure(r, 12, &p, &avail, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return pwi_cut_short(r, err, off, 12, avail);
        uint32_t bom = pwi_rd32(p + 8, false);
        if (bom == BOM)
            big = false;
        else if (bom == 0x4d3c2b1au)
            big = true;
        else
            return pwi_fail(r, err, PW_ERR_FORMAT, off,
                            "%s: section header at offset %llu has an unknown byte-order "
                            "magic 0x%08x",
                            off == 0 ? "not a pcap or pcapng file" : "pcapng",
                            (unsigned long long)off, bom);
    }
    uint32_t len = pwi_rd32(p + 4, big);
    if (len < 12)
        return pwi_fail(r, err, PW_ERR_FORMAT, off,
                        "pcapng: %s at offset %llu has total length %u, less than the "
                        "minimum of 12",
                        block_name(type), (unsigned long long)off, len);
    if (len % 4 != 0)
        return pwi_fail(r, err, PW_ERR_FORMAT, off,
                        "pcapng: %s at offset %llu has total length %u, not a multiple of 4",
                        block_name(type), (unsigned long long)off, len);
    if (len > PW_MAX_PCAPNG_BLOCK)
        return pwi_fail(r, err, PW_ERR_FORMAT, off,
                        "pcapng: %s at offset %llu has total length %u, more than the "
                        "maximum of %u",
                        block_name(type), (unsigned long long)off, len, PW_MAX_PCAPNG_BLOCK);

    rc = pwi_ensure(r, len, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pwi_cut_short(r, err, off, len, avail);
    uint32_t trail = pwi_rd32(p + len - 4, big);
    if (trail != len)
        return pwi_fail(r, err, PW_ERR_FORMAT, off,
                        "pcapng: %s at offset %llu: total block lengths (first %u and "
                        "second %u) don't match",
                        block_name(type), (unsigned long long)off, len, trail);
    b->type = type;
    b->len = len;
    b->off = off;
    b->p = p;
    b->big = big;
    return 1;
}

static int too_short(struct pw_reader *r, struct pw_error *err, const struct block *b, uint32_t min)
{
    return pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                    "pcapng: total block length %u of the %s at offset %llu is less than the "
                    "minimum %s size %u",
                    b->len, block_name(b->type), (unsigned long long)b->off, block_name(b->type),
                    min);
}

/* Appends one SHB comment to the packed list (NUL after each), as much of it
 * as fits. */
static void keep_shb_comment(struct pw_capinfo *ci, const uint8_t *val, uint16_t len)
{
    size_t used = 0;
    for (uint32_t i = 0; i < ci->nshb_comments; i++)
        used += strlen(ci->shb_comments + used) + 1;
    if (used + 1 >= sizeof(ci->shb_comments))
        return;
    copy_str(ci->shb_comments + used, sizeof(ci->shb_comments) - used, val, len);
    ci->nshb_comments++;
}

/* Name Resolution Block: counts the IPv4 (type 1) and IPv6 (type 2)
 * records, as capinfos reports them. The walk stops at the end record, a
 * record that runs past the block, or the block's end. */
static void count_nrb(struct pw_reader *r, const struct block *b)
{
    const uint8_t *p = b->p + 8;
    uint32_t left = b->len - 12;
    while (left >= 4) {
        uint16_t type = pwi_rd16(p, b->big), len = pwi_rd16(p + 2, b->big);
        if (type == 0 || len > left - 4)
            break;
        if (type == 1)
            r->ci.nrb_ipv4++;
        else if (type == 2)
            r->ci.nrb_ipv6++;
        uint32_t adv = 4u + len + ((4u - (len & 3u)) & 3u);
        if (adv > left)
            break;
        p += adv;
        left -= adv;
    }
}

static int handle_shb(struct pw_reader *r, struct pw_error *err, const struct block *b)
{
    if (b->len < MIN_SHB)
        return too_short(r, err, b, MIN_SHB);
    const uint8_t *body = b->p + 8;
    uint16_t major = pwi_rd16(body + 4, b->big);
    uint16_t minor = pwi_rd16(body + 6, b->big);
    if (major != 1)
        return pwi_fail(r, err, PW_ERR_UNSUPPORTED, b->off,
                        "pcapng: unknown SHB version %u.%u at offset %llu", major, minor,
                        (unsigned long long)b->off);

    r->ng_big = b->big;
    r->sec_first_iface = r->ci.niface; /* interface numbering restarts (4.2) */
    r->ci.nsections++;
    bool first = r->ci.nsections == 1;
    if (first) {
        r->ci.big_endian = b->big;
        r->ci.ver_major = major;
        r->ci.ver_minor = minor;
    }

    struct opt_it it = {body + 16, b->len - MIN_SHB, b->big};
    uint16_t code, len;
    const uint8_t *val;
    int rc;
    while ((rc = opt_next(&it, &code, &len, &val)) == 1) {
        if (!first)
            continue;
        switch (code) {
        case OPT_COMMENT: keep_shb_comment(&r->ci, val, len); break;
        case SHB_HARDWARE:
            copy_str(r->ci.shb_hardware, sizeof(r->ci.shb_hardware), val, len);
            break;
        case SHB_OS: copy_str(r->ci.shb_os, sizeof(r->ci.shb_os), val, len); break;
        case SHB_USERAPPL: copy_str(r->ci.shb_app, sizeof(r->ci.shb_app), val, len); break;
        default: break;
        }
    }
    if (rc < 0)
        return bad_option(r, err, b, &it);
    return 0;
}

static int handle_idb(struct pw_reader *r, struct pw_error *err, const struct block *b)
{
    if (b->len < MIN_IDB)
        return too_short(r, err, b, MIN_IDB);
    const uint8_t *body = b->p + 8;
    struct pw_iface *ifc = pwi_add_iface(r, err);
    if (!ifc)
        return r->fail.code;
    ifc->linktype = pwi_rd16(body, b->big);
    ifc->snaplen = pwi_rd32(body + 4, b->big);
    ifc->section = r->ci.nsections - 1;
    ifc->tsresol = 6; /* default: microseconds (4.2, if_tsresol) */
    if (r->ci.niface == 1)
        r->ci.linktype = ifc->linktype;

    struct opt_it it = {body + 8, b->len - MIN_IDB, b->big};
    uint16_t code, len;
    const uint8_t *val;
    bool seen_name = false, seen_descr = false, seen_os = false;
    int rc;
    while ((rc = opt_next(&it, &code, &len, &val)) == 1) {
        switch (code) {
        case IF_FILTER:
            /* first byte 0: a libpcap filter string; other types are kept as
             * nothing, as capinfos shows only strings */
            if (len >= 1 && val[0] == 0)
                copy_str(ifc->filter, sizeof(ifc->filter), val + 1, (uint16_t)(len - 1));
            break;
        case IF_NAME:
            if (!seen_name)
                copy_str(ifc->name, sizeof(ifc->name), val, len);
            seen_name = true;
            break;
        case IF_DESCRIPTION:
            if (!seen_descr)
                copy_str(ifc->descr, sizeof(ifc->descr), val, len);
            seen_descr = true;
            break;
        case IF_OS:
            if (!seen_os)
                copy_str(ifc->os, sizeof(ifc->os), val, len);
            seen_os = true;
            break;
        case IF_TSRESOL:
            if (len == 1) {
                ifc->tsresol = val[0];
                ifc->tsresol_set = true;
            }
            break;
        case IF_TSOFFSET:
            if (len == 8)
                ifc->tsoffset = (int64_t)pwi_rd64(val, b->big);
            break;
        default: break;
        }
    }
    if (rc < 0)
        return bad_option(r, err, b, &it);
    ifc->ticks_per_sec = ticks_per_sec(ifc->tsresol);
    return 0;
}

/* Resolves a section-local interface id to the global interface. */
static struct pw_iface *section_iface(struct pw_reader *r, struct pw_error *err,
                                      const struct block *b, uint32_t id)
{
    uint32_t count = r->ci.niface - r->sec_first_iface;
    if (id >= count) {
        if (b->type == BT_SPB)
            pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                     "pcapng: SPB at offset %llu appeared before any IDB in the section",
                     (unsigned long long)b->off);
        else
            pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                     "pcapng: %s at offset %llu: interface index %u is not less than the "
                     "section interface count %u",
                     block_name(b->type), (unsigned long long)b->off, id, count);
        return NULL;
    }
    return &r->ifaces[r->sec_first_iface + id];
}

static void set_ts(struct pw_record *rec, const struct pw_iface *ifc, uint64_t ticks)
{
    uint64_t sec;
    uint32_t nsec;
    pwi_ticks_to_ts(ticks, ifc->tsresol, &sec, &nsec);
    /* if_tsoffset is added modulo 2^64 and the result read as signed, as
     * tshark does; unsigned arithmetic keeps that free of overflow. */
    rec->ts.sec = (int64_t)(sec + (uint64_t)ifc->tsoffset);
    rec->ts.nsec = nsec;
}

/* EPB (4.3) and the obsolete PB (Appendix A) share their layout after the
 * interface id: ts_high ts_low caplen len data options. */
static int handle_packet(struct pw_reader *r, struct pw_error *err, const struct block *b,
                         struct pw_record *rec)
{
    uint32_t min = b->type == BT_EPB ? MIN_EPB : MIN_PB;
    if (b->len < min)
        return too_short(r, err, b, min);
    const uint8_t *body = b->p + 8;
    uint32_t id = b->type == BT_EPB ? pwi_rd32(body, b->big) : pwi_rd16(body, b->big);
    struct pw_iface *ifc = section_iface(r, err, b, id);
    if (!ifc)
        return r->fail.code;
    uint64_t ticks = ((uint64_t)pwi_rd32(body + 4, b->big) << 32) | pwi_rd32(body + 8, b->big);
    uint32_t caplen = pwi_rd32(body + 12, b->big);
    uint32_t len = pwi_rd32(body + 16, b->big);
    uint32_t space = b->len - min;
    if (caplen > PW_MAX_CAPLEN)
        return pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                        "pcapng: %s at offset %llu has a captured length of %u bytes, more "
                        "than the maximum of %u",
                        block_name(b->type), (unsigned long long)b->off, caplen, PW_MAX_CAPLEN);
    if (caplen > space)
        return pwi_fail(r, err, PW_ERR_FORMAT, b->off,
                        "pcapng: total block length %u of the %s at offset %llu is too small "
                        "for %u bytes of packet data",
                        b->len, block_name(b->type), (unsigned long long)b->off, caplen);

    memset(rec, 0, sizeof(*rec));
    rec->data = body + 20;
    rec->caplen = caplen;
    rec->len = len;
    rec->linktype = ifc->linktype;
    rec->ifindex = (uint32_t)(ifc - r->ifaces);
    rec->iface = ifc;
    rec->offset = b->off;
    set_ts(rec, ifc, ticks);

    /* caplen <= space and space is a multiple of 4, so the padded data fits. */
    uint32_t padded = caplen + ((4u - (caplen & 3u)) & 3u);
    struct opt_it it = {body + 20 + padded, space - padded, b->big};
    uint16_t code, olen;
    const uint8_t *val;
    int rc;
    while ((rc = opt_next(&it, &code, &olen, &val)) == 1) {
        if (code != OPT_COMMENT)
            continue;
        if (rec->ncomments++ == 0) {
            rec->comment = (const char *)val;
            rec->comment_len = olen < PW_MAX_OPT_STRING ? olen : PW_MAX_OPT_STRING;
        }
    }
    if (rc < 0)
        return bad_option(r, err, b, &it);
    ifc->packets++;
    return 1;
}

/* SPB (4.4): interface 0 of the section, no timestamp, no captured length:
 * caplen = min(original length, snaplen, room in the block). */
static int handle_spb(struct pw_reader *r, struct pw_error *err, const struct block *b,
                      struct pw_record *rec)
{
    if (b->len < MIN_SPB)
        return too_short(r, err, b, MIN_SPB);
    struct pw_iface *ifc = section_iface(r, err, b, 0);
    if (!ifc)
        return r->fail.code;
    const uint8_t *body = b->p + 8;
    uint32_t len = pwi_rd32(body, b->big);
    uint32_t caplen = len;
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > b->len - MIN_SPB)
        caplen = b->len - MIN_SPB;

    memset(rec, 0, sizeof(*rec));
    rec->data = body + 4;
    rec->caplen = caplen;
    rec->len = len;
    rec->linktype = ifc->linktype;
    rec->ifindex = (uint32_t)(ifc - r->ifaces);
    rec->offset = b->off;
    ifc->packets++;
    return 1;
}

static int pcapng_next(struct pw_reader *r, struct pw_record *rec, struct pw_error *err)
{
    struct block b;
    int rc;
    /* Each pass consumes at least one 12-byte block, so this ends. */
    while ((rc = read_block(r, err, &b)) == 1) {
        switch (b.type) {
        case BT_SHB: rc = handle_shb(r, err, &b); break;
        case BT_IDB: rc = handle_idb(r, err, &b); break;
        case BT_EPB:
        case BT_PB: rc = handle_packet(r, err, &b, rec); break;
        case BT_SPB: rc = handle_spb(r, err, &b, rec); break;
        default:
            if (b.type == BT_NRB)
                count_nrb(r, &b);
            else if (b.type == BT_DSB)
                r->ci.ndsb++;
            else if (b.type == BT_ISB && b.len >= 16) {
                /* interface ids are per section */
                uint64_t id = (uint64_t)r->sec_first_iface + pwi_rd32(b.p + 8, b.big);
                if (id < r->ci.niface)
                    r->ifaces[id].nstats++;
            }
            r->ci.skipped_blocks++;
            rc = 0;
            break;
        }
        if (rc < 0)
            return rc;
        pwi_consume(r, b.len);
        if (rc == 1)
            return 1;
    }
    return rc;
}

int pwi_pcapng_open(struct pw_reader *r, struct pw_error *err)
{
    struct block b;
    r->ci.format = PW_FMT_PCAPNG;
    int rc = read_block(r, err, &b);
    if (rc < 0)
        return rc;
    if (rc == 0) /* not reached: detect() saw the four bytes of the SHB type */
        return pwi_cut_short(r, err, 0, 12, 0);
    rc = handle_shb(r, err, &b);
    if (rc < 0)
        return rc;
    pwi_consume(r, b.len);
    r->next = pcapng_next;
    return 0;
}
