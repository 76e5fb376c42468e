/* pcap ("libpcap") capture files, draft-ietf-opsawg-pcap.
 *
 * File header (24 bytes, in the writer's byte order, told by the magic):
 *   magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4)
 *   snaplen(4) linktype+FCS(4)
 * Record header (16 bytes): ts_sec(4) ts_frac(4) incl_len(4) orig_len(4),
 * followed by incl_len bytes. The fraction is microseconds for magic
 * 0xa1b2c3d4 and nanoseconds for 0xa1b23c4d. The "modified" format of
 * Alexey Kuznetzov's patches (magic 0xa1b2cd34) appends ifindex(4),
 * protocol(2), pkt_type(1) and a pad byte to each record header; we read it
 * because it costs one length.
 *
 * Where the draft leaves room, we do what tshark 4.0 does (our oracle):
 * thiszone and sigfigs are ignored; version 2.0-2.2 files have incl_len and
 * orig_len swapped, and 2.3 files are swapped when incl_len > orig_len; a
 * caplen above the header snaplen is accepted; a non-zero reserved field in
 * the link-type word is an error. */
#include "capture/reader_int.h"

#include <string.h>

#include "util/limits.h"

#define PCAP_FILE_HDR 24u

/* Link-type word (draft-ietf-opsawg-pcap section 4): FCS len (4 bits), R,
 * P (FCS present), 10 reserved bits, 16-bit LinkType. */
#define LT_RESERVED_MASK 0x03ff0000u
#define LT_TYPE_MASK 0x0000ffffu

static int pcap_next(struct pw_reader *r, struct pw_record *rec, struct pw_error *err)
{
    const uint8_t *p;
    size_t avail = 0;
    uint64_t off = r->pos;
    uint32_t hl = r->pcap_hdr_len;

    int rc = pwi_ensure(r, hl, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (avail == 0)
            return 0; /* clean end between records */
        return pwi_cut_short(r, err, off, hl, avail);
    }
    bool big = r->pcap_big;
    uint32_t sec = pwi_rd32(p, big);
    uint32_t frac = pwi_rd32(p + 4, big);
    uint32_t incl = pwi_rd32(p + 8, big);
    uint32_t orig = pwi_rd32(p + 12, big);
    if (r->pcap_swap_lens == 1 || (r->pcap_swap_lens == 2 && incl > orig)) {
        uint32_t t = incl;
        incl = orig;
        orig = t;
    }
    if (incl > PW_MAX_CAPLEN)
        return pwi_fail(r, err, PW_ERR_FORMAT, off,
                        "pcap: record at offset %llu has a captured length of %u bytes, "
                        "more than the maximum of %u",
                        (unsigned long long)off, incl, PW_MAX_CAPLEN);

    /* A caplen beyond the end of the file is a cut-short file, not a lie:
     * that is how tshark reports such files. */
    rc = pwi_ensure(r, (size_t)hl + incl, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pwi_cut_short(r, err, off, (uint64_t)hl + incl, avail);

    memset(rec, 0, sizeof(*rec));
    rec->data = p + hl;
    rec->caplen = incl;
    rec->len = orig;
    rec->linktype = r->ci.linktype;
    rec->ifindex = 0;
    rec->offset = off;
    rec->ts.sec = (int64_t)sec; /* unsigned in the draft: good until 2106 */
    /* An out-of-range fraction is kept as it is (usec >= 1e6 gives nsec >=
     * 1e9), as tshark shows it. Microseconds beyond 2^32/1000 cannot be held
     * in 32-bit nanoseconds; the product wraps modulo 2^32 exactly as it does
     * in tshark, so that e.g. tcpdump/timestamp_invalid_micro.pcap's usec of
     * 2^31 reads as .000000000 in both. */
    rec->ts.nsec = r->pcap_nsec ? frac : frac * 1000u;
    r->ifaces[0].packets++;
    pwi_consume(r, (size_t)hl + incl);
    return 1;
}

int pwi_pcap_open(struct pw_reader *r, struct pw_error *err)
{
    const uint8_t *p;
    size_t avail = 0;
    int rc = pwi_ensure(r, PCAP_FILE_HDR, &p, &avail, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pwi_fail(r, err, PW_ERR_CUT_SHORT, 0,
                        "the file appears to have been cut short in the middle of the pcap "
                        "file header (%zu of %u bytes)",
                        avail, PCAP_FILE_HDR);

    uint32_t m = pwi_rd32(p, false);
    bool big;
    switch (m) {
    case 0xa1b2c3d4:
    case 0xa1b23c4d:
    case 0xa1b2cd34: big = false; break;
    default: big = true; break; /* detect() let only the swapped forms through */
    }
    uint32_t magic = pwi_rd32(p, big);
    r->pcap_big = big;
    r->pcap_nsec = magic == 0xa1b23c4d;
    r->pcap_hdr_len = magic == 0xa1b2cd34 ? 24 : 16;

    uint16_t major = pwi_rd16(p + 4, big);
    uint16_t minor = pwi_rd16(p + 6, big);
    uint32_t snaplen = pwi_rd32(p + 16, big);
    uint32_t ltword = pwi_rd32(p + 20, big);

    if (major < 2)
        return pwi_fail(r, err, PW_ERR_UNSUPPORTED, 4, "pcap: major version %u unsupported", major);
    if (ltword & LT_RESERVED_MASK)
        return pwi_fail(r, err, PW_ERR_FORMAT, 20,
                        "pcap: network type reserved field not zero (0x%08x)",
                        ltword & LT_RESERVED_MASK);
    if (major == 2 && minor < 3)
        r->pcap_swap_lens = 1;
    else if (major == 2 && minor == 3)
        r->pcap_swap_lens = 2;

    r->ci.format = r->pcap_nsec ? PW_FMT_PCAP_NSEC : PW_FMT_PCAP;
    r->ci.big_endian = big;
    r->ci.ver_major = major;
    r->ci.ver_minor = minor;
    r->ci.snaplen = snaplen;
    r->ci.linktype = ltword & LT_TYPE_MASK;

    /* One pseudo-interface, so that callers can treat both formats alike. */
    struct pw_iface *ifc = pwi_add_iface(r, err);
    if (!ifc)
        return r->fail.code;
    ifc->linktype = r->ci.linktype;
    ifc->snaplen = snaplen;
    ifc->tsresol = r->pcap_nsec ? 9 : 6;
    ifc->ticks_per_sec = r->pcap_nsec ? 1000000000u : 1000000u;

    pwi_consume(r, PCAP_FILE_HDR);
    r->next = pcap_next;
    return 0;
}
