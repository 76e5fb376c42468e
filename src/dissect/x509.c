/* X.509 / OCSP walker for frame.protocols (see x509.h).
 *
 * DER (X.690): tag, length, value. Only the structures whose OID-selected
 * parts tshark dissects are followed:
 *
 *   Certificate  ::= SEQ { tbs, AlgorithmIdentifier, BIT STRING }
 *   tbs          ::= SEQ { [0] version?, serial, AlgorithmIdentifier,
 *                          issuer Name, validity, subject Name,
 *                          SubjectPublicKeyInfo, [1]?, [2]?, [3] Extensions? }
 *   Name         ::= SEQ OF SET OF SEQ { type OID, value }
 *   AlgorithmIdentifier ::= SEQ { OID, parameters? }
 *   Extension    ::= SEQ { OID, critical BOOLEAN?, OCTET STRING }
 *
 * and, inside extension values, the places where a Name or another OID
 * selected value can occur (GeneralName's directoryName and otherName,
 * policy qualifiers, subject directory attributes, QC statements).
 *
 * The OID -> name table was written from tshark 4.0.17's observed
 * frame.protocols for hand-built certificates carrying each OID (RFC 5280,
 * RFC 3739, RFC 6962 and vendor OIDs), see tests/unit/test_x509.c. An OID
 * absent from the table adds nothing, as in tshark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dissect.h"
#include "dissect/protos.h"
#include "dissect/x509.h"

static const char *const names[PW_XN_COUNT] = {
    [PW_XN_NONE] = "",
    [PW_XN_X509SAT] = "x509sat",
    [PW_XN_X509CE] = "x509ce",
    [PW_XN_X509AF] = "x509af",
    [PW_XN_X509IF] = "x509if",
    [PW_XN_PKIX1EXPLICIT] = "pkix1explicit",
    [PW_XN_PKIX1IMPLICIT] = "pkix1implicit",
    [PW_XN_PKCS1] = "pkcs-1",
    [PW_XN_NS_CERT_EXTS] = "ns_cert_exts",
    [PW_XN_OCSP] = "ocsp",
    [PW_XN_TLS] = "tls",
    [PW_XN_CMS] = "cms",
    [PW_XN_PKIXAC] = "pkixac",
    [PW_XN_PKIXQUALIFIED] = "pkixqualified",
    [PW_XN_PKCS10] = "pkcs10",
    [PW_XN_LOGOTYPECERTEXTN] = "logotypecertextn",
    [PW_XN_WLANCERTEXTN] = "wlancertextn",
    [PW_XN_PKIXPROXY] = "pkixproxy",
    [PW_XN_MUDURL] = "mudurl",
};

const char *pw_x509_name_str(unsigned code)
{
    return code < PW_XN_COUNT ? names[code] : "";
}

/* ---- the OID table -------------------------------------------------------- */

/* Families of one arc under a common prefix: arcs[] lists the last arcs that
 * have a dissector, each with its name. */
struct oid_arc {
    uint16_t arc;
    uint8_t name;
};

#define SAT PW_XN_X509SAT
#define CE PW_XN_X509CE
#define AF PW_XN_X509AF
#define IF PW_XN_X509IF

/* 2.5.4.n: X.520 attribute types (directory attributes); 22, 57, 60-64,
 * 68-71 and 73 onwards (organizationIdentifier 97 among them) have none. */
static const struct oid_arc at_arcs[] = {
    {0, SAT},  {1, IF},   {2, SAT},  {3, SAT},  {4, SAT},  {5, SAT},           {6, SAT},
    {7, SAT},  {8, SAT},  {9, SAT},  {10, SAT}, {11, SAT}, {12, SAT},          {13, SAT},
    {14, SAT}, {15, SAT}, {16, SAT}, {17, SAT}, {18, SAT}, {19, SAT},          {20, SAT},
    {21, SAT}, {23, SAT}, {24, SAT}, {25, SAT}, {26, SAT}, {27, SAT},          {28, SAT},
    {29, SAT}, {30, SAT}, {31, IF},  {32, IF},  {33, IF},  {34, IF},           {35, SAT},
    {36, AF},  {37, AF},  {38, AF},  {39, AF},  {40, AF},  {41, SAT},          {42, SAT},
    {43, SAT}, {44, SAT}, {45, SAT}, {46, SAT}, {47, SAT}, {48, SAT},          {49, IF},
    {50, SAT}, {51, SAT}, {52, SAT}, {53, AF},  {54, SAT}, {55, PW_XN_PKIXAC}, {56, SAT},
    {58, AF},  {59, AF},  {65, SAT}, {66, SAT}, {67, SAT}, {72, PW_XN_PKIXAC},
};

/* 2.5.29.n: X.509 certificate extensions (id-ce-*) */
static const struct oid_arc ce_arcs[] = {
    {3, CE},  {9, CE},  {14, CE},           {15, CE}, {16, CE}, {17, CE}, {18, CE},
    {19, CE}, {20, CE}, {21, CE},           {23, CE}, {24, CE}, {27, CE}, {28, CE},
    {29, CE}, {30, CE}, {31, CE},           {32, CE}, {33, CE}, {35, CE}, {36, CE},
    {37, CE}, {40, CE}, {44, CE},           {45, CE}, {46, CE}, {47, CE}, {51, CE},
    {53, CE}, {54, CE}, {55, PW_XN_PKIXAC}, {58, CE}, {59, CE}, {60, CE}, {61, CE},
};

/* 1.3.6.1.5.5.7.1.n: PKIX private extensions (id-pe-*); subjectInfoAccess
 * (11) has none */
static const struct oid_arc pe_arcs[] = {
    {1, PW_XN_PKIX1IMPLICIT}, {2, PW_XN_PKIXQUALIFIED},     {3, PW_XN_PKIXQUALIFIED},
    {6, PW_XN_PKIXAC},        {7, PW_XN_PKIX1EXPLICIT},     {8, PW_XN_PKIX1EXPLICIT},
    {10, PW_XN_PKIXAC},       {12, PW_XN_LOGOTYPECERTEXTN}, {13, PW_XN_WLANCERTEXTN},
    {14, PW_XN_PKIXPROXY},    {24, PW_XN_PKIX1EXPLICIT},    {25, PW_XN_MUDURL},
};

/* 1.2.840.113549.1.9.n: PKCS #9 attributes */
static const struct oid_arc pkcs9_arcs[] = {
    {1, SAT},          {3, PW_XN_CMS}, {4, PW_XN_CMS},
    {6, PW_XN_CMS},    {7, SAT},       {8, SAT},
    {9, PW_XN_PKCS10}, {13, SAT},      {14, PW_XN_PKIX1EXPLICIT},
    {15, PW_XN_CMS},   {20, SAT},      {21, SAT},
};

/* 2.16.840.1.113730.1.n: Netscape certificate extensions */
static const struct oid_arc ns_arcs[] = {
    {1, PW_XN_NS_CERT_EXTS},  {2, PW_XN_NS_CERT_EXTS},  {3, PW_XN_NS_CERT_EXTS},
    {4, PW_XN_NS_CERT_EXTS},  {7, PW_XN_NS_CERT_EXTS},  {8, PW_XN_NS_CERT_EXTS},
    {12, PW_XN_NS_CERT_EXTS}, {13, PW_XN_NS_CERT_EXTS},
};

/* 1.3.6.1.5.5.7.48.1.n: OCSP (RFC 6960 section 4.4): basic, nonce, crl,
 * response, nocheck, archive cutoff, service locator */
static const struct oid_arc ocsp_arcs[] = {
    {1, PW_XN_OCSP}, {2, PW_XN_OCSP}, {3, PW_XN_OCSP}, {4, PW_XN_OCSP},
    {5, PW_XN_OCSP}, {6, PW_XN_OCSP}, {7, PW_XN_OCSP},
};

/* 1.3.6.1.5.5.7.9.n: PKIX personal data attributes (RFC 3739) */
static const struct oid_arc pda_arcs[] = {
    {1, SAT}, {2, SAT}, {3, SAT}, {4, SAT}, {5, SAT},
};

/* 1.3.6.1.5.5.7.8.n: otherName forms */
static const struct oid_arc on_arcs[] = {
    {4, PW_XN_CMS},
    {5, PW_XN_PKIXQUALIFIED},
    {7, PW_XN_PKIXQUALIFIED},
};

struct oid_family {
    const char *prefix; /* dotted, with the trailing '.' */
    const struct oid_arc *arcs;
    unsigned n;
};

#define FAM(p, a)                                                                                  \
    {                                                                                              \
        p, a, sizeof(a) / sizeof(a[0])                                                             \
    }
static const struct oid_family families[] = {
    FAM("2.5.4.", at_arcs),
    FAM("2.5.29.", ce_arcs),
    FAM("1.3.6.1.5.5.7.1.", pe_arcs),
    FAM("1.2.840.113549.1.9.", pkcs9_arcs),
    FAM("2.16.840.1.113730.1.", ns_arcs),
    FAM("1.3.6.1.5.5.7.48.1.", ocsp_arcs),
    FAM("1.3.6.1.5.5.7.9.", pda_arcs),
    FAM("1.3.6.1.5.5.7.8.", on_arcs),
};

/* Single OIDs */
static const struct {
    const char *oid;
    uint8_t name;
} single[] = {
    {"2.5.4.7.1", SAT},                          /* collectiveLocalityName */
    {"0.9.2342.19200300.100.1.1", AF},           /* userid */
    {"0.9.2342.19200300.100.1.25", SAT},         /* domainComponent */
    {"1.3.6.1.4.1.311.60.2.1.1", SAT},           /* jurisdiction locality */
    {"1.3.6.1.4.1.311.60.2.1.2", SAT},           /* jurisdiction state */
    {"1.3.6.1.4.1.311.60.2.1.3", SAT},           /* jurisdiction country */
    {"1.3.6.1.4.1.311.20.2", SAT},               /* certificate template name */
    {"1.3.6.1.4.1.311.20.2.3", SAT},             /* user principal name */
    {"1.3.6.1.4.1.311.21.1", SAT},               /* CA version */
    {"1.3.6.1.4.1.311.21.2", SAT},               /* previous CA cert hash */
    {"1.3.6.1.4.1.311.21.3", SAT},               /* virtual base CRL number */
    {"1.3.6.1.4.1.311.21.4", SAT},               /* next CRL publish */
    {"1.3.6.1.4.1.311.21.7", CE},                /* certificate template */
    {"1.3.6.1.4.1.311.21.10", CE},               /* application policies */
    {"1.2.840.113533.7.65.0", CE},               /* Entrust version info */
    {"1.3.6.1.4.1.11129.2.4.2", PW_XN_TLS},      /* RFC 6962 SCT list */
    {"1.3.6.1.4.1.11129.2.4.5", PW_XN_TLS},      /* RFC 6962 OCSP SCT list */
    {"1.3.6.1.5.5.7.48.1", PW_XN_PKIX1IMPLICIT}, /* id-ad-ocsp */
    {"1.3.6.1.5.5.7.2.1", PW_XN_PKIX1EXPLICIT},  /* id-qt-cps */
    {"1.3.6.1.5.5.7.2.2", PW_XN_PKIX1IMPLICIT},  /* id-qt-unotice */
    {"1.3.6.1.5.5.7.11.1", PW_XN_PKIXQUALIFIED}, /* QC statement v1 */
    {"1.3.6.1.5.5.7.11.2", PW_XN_PKIXQUALIFIED}, /* QC statement v2 */
    /* algorithms whose parameters are dissected */
    {"1.2.840.113549.1.1.8", PW_XN_PKCS1},      /* id-mgf1 */
    {"1.2.840.113549.1.1.10", PW_XN_PKCS1},     /* id-RSASSA-PSS */
    {"1.2.840.10045.2.1", PW_XN_PKCS1},         /* id-ecPublicKey */
    {"1.2.840.10040.4.1", AF},                  /* id-dsa */
    {"1.2.840.10046.2.1", PW_XN_PKIX1EXPLICIT}, /* dhpublicnumber */
};

#define OID_ECPUBLICKEY "1.2.840.10045.2.1"

/* Dotted text of a DER OID value; false when it is not one we could name
 * (empty, an arc over 32 bits, an unfinished arc, or too long). */
static bool oid_text(const uint8_t *p, uint32_t n, char *out, size_t outn)
{
    if (n == 0 || n > 64)
        return false;
    size_t at = 0;
    uint64_t v = 0;
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        v = (v << 7) | (p[i] & 0x7f);
        if (v > 0xffffffffu)
            return false;
        if (p[i] & 0x80)
            continue;
        int k;
        if (first) {
            unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
            k = snprintf(out + at, outn - at, "%u.%llu", a, (unsigned long long)(v - 40u * a));
            first = false;
        } else {
            k = snprintf(out + at, outn - at, ".%llu", (unsigned long long)v);
        }
        if (k < 0 || (size_t)k >= outn - at)
            return false;
        at += (size_t)k;
        v = 0;
    }
    return !(p[n - 1] & 0x80);
}

static unsigned oid_lookup(const char *oid)
{
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        if (strcmp(oid, single[i].oid) == 0)
            return single[i].name;
    for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        size_t pl = strlen(families[f].prefix);
        if (strncmp(oid, families[f].prefix, pl) != 0)
            continue;
        const char *rest = oid + pl;
        if (!*rest || strchr(rest, '.') || (rest[0] == '0' && rest[1]))
            return PW_XN_NONE;
        unsigned long arc = strtoul(rest, NULL, 10);
        for (unsigned i = 0; i < families[f].n; i++)
            if (families[f].arcs[i].arc == arc)
                return families[f].arcs[i].name;
        return PW_XN_NONE;
    }
    return PW_XN_NONE;
}

/* ---- DER ------------------------------------------------------------------ */

enum {
    T_BOOLEAN = 0x01,
    T_BITSTRING = 0x03,
    T_OCTETSTRING = 0x04,
    T_NULL = 0x05,
    T_OID = 0x06,
    T_SEQ = 0x30,
    T_SET = 0x31,
    T_CTX0 = 0xa0, /* [n] constructed */
    T_CTX1 = 0xa1,
    T_CTX2 = 0xa2,
    T_CTX3 = 0xa3,
    T_CTX4 = 0xa4,
};

struct walk {
    const struct pw_x509_sink *s;
    bool stop; /* bytes contradicted their lengths: nothing more is named */
};

struct tlv {
    uint8_t tag;     /* first identifier octet; 0 for a high tag number */
    struct pw_cur v; /* the value */
};

/* Reads the next TLV of c into t. At the end of c, or when the TLV does not
 * fit (length past the end, indefinite or over-long length, cut capture),
 * returns false; the latter also stops the walk, as tshark's exception does. */
static bool next(struct walk *w, struct pw_cur *c, struct tlv *t)
{
    if (w->stop || c->err || pw_cur_rep_left(c) == 0)
        return false;
    uint8_t id = pw_cur_u8(c);
    t->tag = id;
    if ((id & 0x1f) == 0x1f) {
        /* high tag number: never one of ours; skip its octets (bounded) */
        t->tag = 0;
        unsigned k = 0;
        uint8_t b;
        do
            b = pw_cur_u8(c);
        while ((b & 0x80) && !c->err && ++k < 5);
        if (b & 0x80)
            goto bad;
    }
    uint8_t l0 = pw_cur_u8(c);
    uint32_t len = l0;
    if (l0 & 0x80) {
        unsigned n = l0 & 0x7f;
        if (n == 0 || n > 4) /* indefinite length (not DER), or > 4 GiB */
            goto bad;
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = (len << 8) | pw_cur_u8(c);
    }
    if (c->err || len > pw_cur_rep_left(c))
        goto bad;
    /* a value cut by the capture is walked as far as it goes; the parent's
     * next read then fails, so the walk ends with it */
    t->v = pw_cur_sub(c, len);
    return true;
bad:
    w->stop = true;
    return false;
}

/* Next TLV of c, which must carry `tag` (else false, the walk going on). */
static bool expect(struct walk *w, struct pw_cur *c, uint8_t tag, struct tlv *t)
{
    return next(w, c, t) && t->tag == tag;
}

static unsigned oid_name(const struct tlv *o)
{
    char buf[160];
    if (o->tag != T_OID || o->v.cap != o->v.rep)
        return PW_XN_NONE;
    if (!oid_text(o->v.base, o->v.cap, buf, sizeof(buf)))
        return PW_XN_NONE;
    return oid_lookup(buf);
}

static void emit(struct walk *w, unsigned code)
{
    if (code != PW_XN_NONE && w->s && w->s->emit)
        w->s->emit(w->s->ctx, code);
}

/* An OID-selected value: tshark calls the OID's dissector when a value
 * follows the OID. */
static void oid_value(struct walk *w, const struct tlv *o, bool has_value)
{
    if (has_value)
        emit(w, oid_name(o));
}

/* SEQ { type OID, value } (AttributeTypeAndValue; also Attribute, whose
 * value is a SET) */
static void attribute(struct walk *w, struct pw_cur *c)
{
    struct tlv o, v;
    if (!next(w, c, &o))
        return;
    oid_value(w, &o, next(w, c, &v));
}

/* RelativeDistinguishedName: SET OF AttributeTypeAndValue, c its content */
static void rdn(struct walk *w, struct pw_cur *c)
{
    struct tlv a;
    while (next(w, c, &a))
        if (a.tag == T_SEQ)
            attribute(w, &a.v);
}

/* Name (RDNSequence): c is the content of the SEQUENCE */
static void name(struct walk *w, struct pw_cur *c)
{
    struct tlv r;
    while (next(w, c, &r))
        if (r.tag == T_SET)
            rdn(w, &r.v);
}

static void algorithm(struct walk *w, struct pw_cur *c)
{
    struct tlv o, p;
    if (!next(w, c, &o))
        return;
    if (!next(w, c, &p))
        return; /* no parameters: no call */
    char buf[160];
    /* ECParameters' implicitlyCA (NULL) adds nothing in tshark */
    if (p.tag == T_NULL && o.tag == T_OID && o.v.cap == o.v.rep &&
        oid_text(o.v.base, o.v.cap, buf, sizeof(buf)) && strcmp(buf, OID_ECPUBLICKEY) == 0)
        return;
    emit(w, oid_name(&o));
}

/* GeneralName (RFC 5280 4.2.1.6): otherName [0] { type-id, [0] value } and
 * directoryName [4] Name are the parts that can add names. */
static void general_name(struct walk *w, const struct tlv *g)
{
    struct pw_cur c = g->v;
    struct tlv t;
    if (g->tag == T_CTX0) {
        if (next(w, &c, &t)) {
            struct tlv v;
            oid_value(w, &t, next(w, &c, &v));
        }
    } else if (g->tag == T_CTX4) {
        if (expect(w, &c, T_SEQ, &t))
            name(w, &t.v);
    }
}

/* GeneralNames: a sequence of GeneralName, c its content */
static void general_names(struct walk *w, struct pw_cur *c)
{
    struct tlv g;
    while (next(w, c, &g))
        general_name(w, &g);
}

/* CRLDistributionPoints and FreshestCRL: SEQ OF DistributionPoint {
 * [0] { [0] fullName GeneralNames | [1] RelativeDistinguishedName },
 * [1] reasons, [2] cRLIssuer GeneralNames } */
static void crl_dps(struct walk *w, struct pw_cur *c)
{
    struct tlv dp;
    while (next(w, c, &dp)) {
        if (dp.tag != T_SEQ)
            continue;
        struct tlv f;
        while (next(w, &dp.v, &f)) {
            if (f.tag == T_CTX0) {
                struct tlv n;
                if (next(w, &f.v, &n)) {
                    if (n.tag == T_CTX0)
                        general_names(w, &n.v);
                    else if (n.tag == T_CTX1)
                        rdn(w, &n.v);
                }
            } else if (f.tag == T_CTX2) {
                general_names(w, &f.v);
            }
        }
    }
}

/* CertificatePolicies: SEQ OF { policy OID, SEQ OF { qualifier OID, value } } */
static void policies(struct walk *w, struct pw_cur *c)
{
    struct tlv pi;
    while (next(w, c, &pi)) {
        if (pi.tag != T_SEQ)
            continue;
        struct tlv id, qs;
        if (!next(w, &pi.v, &id) || !expect(w, &pi.v, T_SEQ, &qs))
            continue;
        struct tlv q;
        while (next(w, &qs.v, &q))
            if (q.tag == T_SEQ)
                attribute(w, &q.v);
    }
}

/* The value of an extension, for the extensions that nest named parts. */
static void extension_value(struct walk *w, const char *oid, struct pw_cur *c)
{
    struct tlv top;
    if (!expect(w, c, T_SEQ, &top))
        return;
    struct pw_cur *v = &top.v;
    struct tlv t;
    if (strcmp(oid, "2.5.29.35") == 0) { /* authorityKeyIdentifier */
        while (next(w, v, &t))
            if (t.tag == T_CTX1)
                general_names(w, &t.v);
    } else if (strcmp(oid, "2.5.29.17") == 0 || strcmp(oid, "2.5.29.18") == 0) {
        general_names(w, v); /* subject / issuer alternative names */
    } else if (strcmp(oid, "2.5.29.31") == 0 || strcmp(oid, "2.5.29.46") == 0) {
        crl_dps(w, v);
    } else if (strcmp(oid, "2.5.29.32") == 0) {
        policies(w, v);
    } else if (strcmp(oid, "1.3.6.1.5.5.7.1.1") == 0) { /* authorityInfoAccess */
        while (next(w, v, &t)) {
            struct tlv m, g;
            if (t.tag == T_SEQ && next(w, &t.v, &m) && next(w, &t.v, &g))
                general_name(w, &g);
        }
    } else if (strcmp(oid, "2.5.29.30") == 0) { /* nameConstraints */
        while (next(w, v, &t)) {
            if (t.tag != T_CTX0 && t.tag != T_CTX1)
                continue;
            struct tlv st, g;
            while (next(w, &t.v, &st))
                if (st.tag == T_SEQ && next(w, &st.v, &g))
                    general_name(w, &g);
        }
    } else if (strcmp(oid, "2.5.29.9") == 0 || strcmp(oid, "1.3.6.1.5.5.7.1.3") == 0) {
        /* subjectDirectoryAttributes: SEQ OF Attribute; qcStatements: SEQ
         * OF { statementId, statementInfo? } */
        while (next(w, v, &t))
            if (t.tag == T_SEQ)
                attribute(w, &t.v);
    }
}

/* Extension ::= SEQ { OID, critical BOOLEAN?, OCTET STRING }, c its content */
static void extension(struct walk *w, struct pw_cur *c)
{
    struct tlv o, t;
    if (!next(w, c, &o))
        return;
    if (!next(w, c, &t))
        return;
    if (t.tag == T_BOOLEAN && !next(w, c, &t))
        return;
    unsigned code = oid_name(&o);
    emit(w, code);
    char buf[160];
    if (code == PW_XN_NONE || t.tag != T_OCTETSTRING ||
        !oid_text(o.v.base, o.v.cap, buf, sizeof(buf)))
        return;
    extension_value(w, buf, &t.v);
}

static void extensions(struct walk *w, struct pw_cur *c)
{
    struct tlv seq, e;
    if (!expect(w, c, T_SEQ, &seq))
        return;
    while (next(w, &seq.v, &e))
        if (e.tag == T_SEQ)
            extension(w, &e.v);
}

static void tbs_certificate(struct walk *w, struct pw_cur *c)
{
    struct tlv t;
    unsigned seqs = 0; /* the universal SEQUENCEs, by position */
    while (next(w, c, &t)) {
        if (t.tag == T_SEQ) {
            switch (seqs++) {
            case 0: algorithm(w, &t.v); break; /* signature */
            case 1: name(w, &t.v); break;      /* issuer */
            case 3: name(w, &t.v); break;      /* subject */
            case 4: {                          /* subjectPublicKeyInfo */
                struct tlv a;
                if (expect(w, &t.v, T_SEQ, &a))
                    algorithm(w, &a.v);
                break;
            }
            default: break; /* validity */
            }
        } else if (t.tag == T_CTX3) {
            extensions(w, &t.v);
        }
    }
}

static void certificate(struct walk *w, struct pw_cur *c)
{
    struct tlv cert, t;
    if (!expect(w, c, T_SEQ, &cert))
        return;
    if (!expect(w, &cert.v, T_SEQ, &t))
        return;
    tbs_certificate(w, &t.v);
    if (expect(w, &cert.v, T_SEQ, &t))
        algorithm(w, &t.v);
}

bool pw_x509_certificate(struct pw_cur *c, const struct pw_x509_sink *s)
{
    struct walk w = {s, false};
    certificate(&w, c);
    return !w.stop;
}

/* BasicOCSPResponse ::= SEQ { tbsResponseData, signatureAlgorithm,
 * signature, [0] certs SEQ OF Certificate }
 * ResponseData ::= SEQ { [0] version, responderID ([1] Name | [2] key),
 * producedAt, responses SEQ OF SingleResponse, [1] responseExtensions }
 * SingleResponse ::= SEQ { CertID, certStatus, thisUpdate, [0] nextUpdate,
 * [1] singleExtensions } */
static void ocsp_basic(struct walk *w, struct pw_cur *c)
{
    struct tlv b, t;
    if (!expect(w, c, T_SEQ, &b))
        return;
    if (expect(w, &b.v, T_SEQ, &t)) {
        struct tlv f;
        while (next(w, &t.v, &f)) {
            if (f.tag == T_CTX1) {
                /* responderID byName, or the response extensions */
                struct tlv n;
                struct pw_cur in = f.v;
                if (next(w, &in, &n) && n.tag == T_SEQ) {
                    struct pw_cur probe = n.v;
                    struct tlv k;
                    if (next(w, &probe, &k) && k.tag == T_SET)
                        name(w, &n.v);
                    else
                        extensions(w, &f.v);
                }
            } else if (f.tag == T_SEQ) {
                struct tlv sr;
                while (next(w, &f.v, &sr)) {
                    if (sr.tag != T_SEQ)
                        continue;
                    struct tlv x;
                    while (next(w, &sr.v, &x)) {
                        if (x.tag == T_SEQ) { /* CertID */
                            struct tlv a;
                            if (expect(w, &x.v, T_SEQ, &a))
                                algorithm(w, &a.v);
                        } else if (x.tag == T_CTX1) {
                            extensions(w, &x.v);
                        }
                    }
                }
            }
        }
    }
    if (expect(w, &b.v, T_SEQ, &t))
        algorithm(w, &t.v);
    while (next(w, &b.v, &t)) {
        if (t.tag != T_CTX0)
            continue;
        struct tlv certs;
        if (!expect(w, &t.v, T_SEQ, &certs))
            continue;
        while (!w->stop && pw_cur_rep_left(&certs.v) > 0 && !certs.v.err)
            certificate(w, &certs.v);
    }
}

/* OCSPResponse ::= SEQ { responseStatus ENUMERATED,
 * [0] EXPLICIT SEQ { responseType OID, response OCTET STRING } } */
bool pw_x509_ocsp_response(struct pw_cur *c, const struct pw_x509_sink *s)
{
    struct walk w = {s, false};
    struct tlv r, t;
    if (!expect(&w, c, T_SEQ, &r))
        return !w.stop;
    while (next(&w, &r.v, &t)) {
        if (t.tag != T_CTX0)
            continue;
        struct tlv rb, type, resp;
        if (expect(&w, &t.v, T_SEQ, &rb) && next(&w, &rb.v, &type) &&
            expect(&w, &rb.v, T_OCTETSTRING, &resp)) {
            char buf[160];
            if (type.tag == T_OID && type.v.cap == type.v.rep &&
                oid_text(type.v.base, type.v.cap, buf, sizeof(buf)) &&
                strcmp(buf, "1.3.6.1.5.5.7.48.1.1") == 0)
                ocsp_basic(&w, &resp.v);
        }
    }
    return !w.stop;
}

/* ---- the packet side ------------------------------------------------------ */

void pw_asn1_name(struct pw_dctx *d, unsigned code)
{
    struct pw_packet *pkt = d->pkt;
    if (code == PW_XN_NONE || code >= PW_XN_COUNT)
        return;
    if (pkt->nnames >= PW_MAX_PKT_NAMES) {
        pw_anomaly(d, PW_AN_TOO_MANY_LAYERS);
        return;
    }
    struct pw_layer *last = pkt->nlayers ? &pkt->layer[pkt->nlayers - 1] : NULL;
    if (!last || last->proto != PW_P_ASN1_NAMES ||
        last->u.names.first + last->u.names.count != pkt->nnames) {
        struct pw_cur at = pw_cur_make(pkt->data, 0, 0);
        if (last)
            at.off = last->off;
        last = pw_push_layer(d, PW_P_ASN1_NAMES, &at);
        if (!last)
            return;
        last->flags |= PW_LF_SUBTREE | PW_LF_REASSEMBLED;
        last->u.names.first = pkt->nnames;
        last->u.names.count = 0;
    }
    pkt->names[pkt->nnames++] = (uint8_t)code;
    last->u.names.count++;
}
