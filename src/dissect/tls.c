/* Transport Layer Security framing (RFC 8446 section 5.1; SSL 2.0 record
 * header per draft-hickman-netscape-ssl-00 section "Record Header"):
 *
 *   TLS/SSLv3 record: content type(1) version(2) length(2) fragment
 *   SSLv2 record:     1 + 15-bit length (2-byte header, high bit set), or
 *                     0 + 14-bit length + padding length (3-byte header)
 *
 * One `tls` item covers everything one call sees (tshark adds the item
 * before looking at records), so a call that starts a record it cannot
 * finish still shows `tls`. Data that is not a record header is
 * "continuation data": the rest of the call, never reassembled.
 *
 * Inside the records of a call, the certificates of a Certificate handshake
 * message (RFC 5246 section 7.4.2) and the OCSP response of a
 * CertificateStatus (RFC 6066 section 8) are walked for the names tshark
 * lists in frame.protocols (src/dissect/x509.h). Handshake records after a
 * ChangeCipherSpec in the same direction are encrypted and not looked at.
 * The values of the tls.* fields are kept as they are met (see
 * struct pw_tls_val in packet.h). */
#include "dissect/app.h"
#include "dissect/appsimple.h"
#include "dissect/fget.h"
#include "dissect/x509.h"

enum { CT_CHANGE_CIPHER_SPEC = 20, CT_HANDSHAKE = 22, CT_APPLICATION_DATA = 23, CT_HEARTBEAT = 24 };
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_CERTIFICATE_STATUS = 22 };
enum { EXT_SERVER_NAME = 0, EXT_EARLY_DATA = 42, EXT_SUPPORTED_VERSIONS = 43 };

/* What is known of the session's version (struct pw_app_pstate's
 * tls_session): SSL 2.0 makes every record an SSLv2 one; under TLS 1.3 an
 * application data record's type is the "opaque type" of an encrypted
 * record, another field. */
enum pw_tls_session { SESS_UNKNOWN = 0, SESS_SSL2, SESS_TLS, SESS_TLS13 };

/* What a struct pw_tls_val holds: the value of one field occurrence */
enum pw_tls_kind {
    TV_CONTENT_TYPE = 1, /* tls.record.content_type */
    TV_RECORD_VERSION,   /* tls.record.version */
    TV_RECORD_LENGTH,    /* tls.record.length */
    TV_HS_TYPE,          /* tls.handshake.type */
    TV_HS_VERSION,       /* tls.handshake.version */
    TV_CIPHERSUITE,      /* tls.handshake.ciphersuite */
    TV_SERVER_NAME,      /* tls.handshake.extensions_server_name: text */
};

/* The TLS layer the values of this call go to: the last one pushed (the
 * ASN.1 names of certificates come after it). */
static int tls_layer(const struct pw_packet *pkt)
{
    for (int i = pkt->nlayers - 1; i >= 0; i--)
        if (pkt->layer[i].proto == PW_P_TLS)
            return i;
    return -1;
}

static void put(struct pw_dctx *d, unsigned kind, uint16_t v, uint16_t len)
{
    struct pw_packet *pkt = d->pkt;
    int layer = tls_layer(pkt);
    if (layer < 0 || pkt->ntls >= PW_MAX_PKT_TLS)
        return;
    struct pw_tls_val *t = &pkt->tls[pkt->ntls++];
    t->kind = (uint8_t)kind;
    t->layer = (uint8_t)layer;
    t->v = v;
    t->len = len;
}

/* The server name goes to the packet's text pool; one that does not fit
 * is not kept. */
static void put_name(struct pw_dctx *d, struct pw_cur *c, uint16_t n)
{
    struct pw_packet *pkt = d->pkt;
    if (!pw_cur_has(c, n) || n > PW_MAX_PKT_TEXT - pkt->ntext)
        return;
    pw_cur_bytes(c, pkt->text + pkt->ntext, n);
    put(d, TV_SERVER_NAME, pkt->ntext, n);
    pkt->ntext = (uint16_t)(pkt->ntext + n);
}

/* server_name extension (RFC 6066 section 3): a list of (type, name) */
static void server_names(struct pw_dctx *d, struct pw_cur *e)
{
    uint16_t total = pw_cur_be16(e);
    if (e->err || total > pw_cur_rep_left(e))
        return;
    struct pw_cur list = pw_cur_sub(e, total);
    while (!list.err && pw_cur_rep_left(&list) >= 3) {
        pw_cur_u8(&list);
        uint16_t n = pw_cur_be16(&list);
        if (list.err || n > pw_cur_rep_left(&list))
            return;
        struct pw_cur name = pw_cur_sub(&list, n);
        put_name(d, &name, n);
    }
}

/* ClientHello and ServerHello (RFC 5246 section 7.4.1.2-3, RFC 8446
 * section 4.1.2-3): legacy version, random, session id, then the offered
 * suites or the chosen one, compression, extensions. */
static void hello(struct pw_dctx *d, struct pw_cur *m, uint8_t type, struct pw_app_pstate *st)
{
    uint16_t version = pw_cur_be16(m);
    if (m->err)
        return;
    put(d, TV_HS_VERSION, version, 0);
    pw_cur_skip(m, 32);
    pw_cur_skip(m, pw_cur_u8(m));
    if (type == HS_CLIENT_HELLO) {
        uint16_t n = pw_cur_be16(m);
        if (m->err || n > pw_cur_rep_left(m))
            return;
        struct pw_cur suites = pw_cur_sub(m, n);
        while (pw_cur_rep_left(&suites) >= 2) {
            uint16_t cs = pw_cur_be16(&suites);
            if (suites.err)
                return;
            put(d, TV_CIPHERSUITE, cs, 0);
        }
        pw_cur_skip(m, pw_cur_u8(m));
    } else {
        uint16_t cs = pw_cur_be16(m);
        if (m->err)
            return;
        put(d, TV_CIPHERSUITE, cs, 0);
        pw_cur_u8(m);
    }
    uint16_t total = pw_cur_be16(m);
    if (m->err || total > pw_cur_rep_left(m))
        return;
    struct pw_cur exts = pw_cur_sub(m, total);
    while (!exts.err && pw_cur_rep_left(&exts) >= 4) {
        uint16_t et = pw_cur_be16(&exts);
        uint16_t n = pw_cur_be16(&exts);
        if (exts.err || n > pw_cur_rep_left(&exts))
            return;
        struct pw_cur e = pw_cur_sub(&exts, n);
        if (et == EXT_SERVER_NAME) {
            server_names(d, &e);
        } else if (et == EXT_SUPPORTED_VERSIONS && type == HS_SERVER_HELLO && n == 2) {
            /* the server's choice (RFC 8446 section 4.2.1), or a draft's
             * (0x7f: IETF drafts; 0xfb17, 0xfb1a: Facebook's drafts 23, 26) */
            uint16_t v = pw_cur_be16(&e);
            if (v == 0x0304 || (v >> 8) == 0x7f || v == 0xfb17 || v == 0xfb1a)
                st->tls_session = SESS_TLS13;
        } else if (et == EXT_EARLY_DATA && type == HS_CLIENT_HELLO) {
            /* 0-RTT data follows, encrypted as TLS 1.3 records: tshark takes
             * the session for TLS 1.3 before the server answers */
            st->tls_session = SESS_TLS13;
        }
    }
}
enum { CERT_STATUS_OCSP = 1 };

enum {
    SSL2_ERROR = 0,
    SSL2_CLIENT_HELLO = 1,
    SSL2_CLIENT_MASTER_KEY = 2,
    SSL2_SERVER_HELLO = 4,
    PCT_ERROR = 5, /* the highest type of an SSLv2 or PCT handshake */
};

/* An SSLv2 (or PCT) record header, in a session of unknown version: the
 * 2-byte form (high bit set) followed by a handshake message type; only
 * cleartext handshakes can be recognised. */
static bool looks_like_ssl2(const uint8_t *p, uint32_t avail)
{
    return avail >= 3 && (p[0] & 0x80) && p[2] <= PCT_ERROR;
}

/* Length of the SSLv2 record at p, header included: the 2-byte header has
 * a 15-bit length, the 3-byte one (high bit clear) a 14-bit length and a
 * padding byte. */
static uint32_t ssl2_record_len(const uint8_t *p, unsigned *hlen)
{
    if (p[0] & 0x80) {
        *hlen = 2;
        return 2 + (((p[0] & 0x7fu) << 8) | p[1]);
    }
    *hlen = 3;
    return 3 + (((p[0] & 0x3fu) << 8) | p[1]);
}

static int64_t tls_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                           const struct pw_app_pstate *st)
{
    (void)left;
    if (avail < 1)
        return PW_PDU_MORE;
    if (st && st->tls_session == SESS_SSL2) {
        unsigned h;
        if (avail < 2 || (!(p[0] & 0x80) && avail < 3))
            return PW_PDU_MORE;
        return ssl2_record_len(p, &h);
    }
    if (p[0] >= CT_CHANGE_CIPHER_SPEC && p[0] <= CT_HEARTBEAT) {
        if (avail < 5)
            return avail >= 2 && p[1] != 3 ? PW_PDU_REST : PW_PDU_MORE;
        if (p[1] != 3)
            return PW_PDU_REST;
        return 5 + (int64_t)((p[3] << 8) | p[4]);
    }
    if (looks_like_ssl2(p, avail) && (!st || st->tls_session != SESS_TLS || p[2] == SSL2_CLIENT_HELLO)) {
        unsigned h;
        return ssl2_record_len(p, &h);
    }
    return PW_PDU_REST;
}

static void emit_name(void *ctx, unsigned code)
{
    pw_asn1_name(ctx, code);
}

/* Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> */
static void certificates(struct pw_cur *m, const struct pw_x509_sink *sink)
{
    uint32_t total = pw_cur_be24(m);
    if (m->err || total > pw_cur_rep_left(m))
        return;
    struct pw_cur list = pw_cur_sub(m, total);
    while (!list.err && pw_cur_rep_left(&list) >= 3) {
        uint32_t n = pw_cur_be24(&list);
        if (list.err || n > pw_cur_rep_left(&list))
            return;
        struct pw_cur cert = pw_cur_sub(&list, n);
        if (!pw_x509_certificate(&cert, sink))
            return;
    }
}

/* The handshake messages of one record (c: the fragment). */
static void handshake(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    const struct pw_x509_sink sink = {emit_name, d};
    while (!c->err && pw_cur_rep_left(c) >= 4) {
        uint8_t type = pw_cur_u8(c);
        uint32_t len = pw_cur_be24(c);
        if (c->err || len > pw_cur_rep_left(c))
            return; /* continued in a later record: not followed */
        put(d, TV_HS_TYPE, type, 0);
        struct pw_cur m = pw_cur_sub(c, len);
        if (type == HS_CLIENT_HELLO || type == HS_SERVER_HELLO) {
            hello(d, &m, type, st);
        } else if (type == HS_CERTIFICATE) {
            certificates(&m, &sink);
        } else if (type == HS_CERTIFICATE_STATUS && pw_cur_u8(&m) == CERT_STATUS_OCSP) {
            uint32_t n = pw_cur_be24(&m);
            if (m.err || n > pw_cur_rep_left(&m))
                continue;
            pw_asn1_name(d, PW_XN_OCSP);
            struct pw_cur r = pw_cur_sub(&m, n);
            pw_x509_ocsp_response(&r, &sink);
        }
    }
}

static bool ssl2_version_ok(uint16_t v)
{
    return v == 0x0002 || (v >= 0x0300 && v <= 0x0304);
}

/* Whether the message of an SSLv2 record (m: after the header, n bytes)
 * is a cleartext handshake whose lengths add up; anything else is
 * encrypted data, of which only the version is shown. */
static bool ssl2_cleartext(struct pw_cur m, uint32_t n)
{
    uint8_t mt = pw_cur_u8(&m);
    uint32_t fixed, sum;
    switch (mt) {
    case SSL2_CLIENT_HELLO: {
        uint16_t v = pw_cur_be16(&m);
        uint16_t specs = pw_cur_be16(&m), sid = pw_cur_be16(&m), chal = pw_cur_be16(&m);
        if (m.err || !ssl2_version_ok(v) || specs % 3 || (sid != 0 && sid != 16) || chal < 16 ||
            chal > 32)
            return false;
        fixed = 9;
        sum = (uint32_t)specs + sid + chal;
        break;
    }
    case SSL2_CLIENT_MASTER_KEY: {
        pw_cur_skip(&m, 3);
        uint16_t clear = pw_cur_be16(&m), enc = pw_cur_be16(&m), arg = pw_cur_be16(&m);
        if (m.err)
            return false;
        fixed = 10;
        sum = (uint32_t)clear + enc + arg;
        break;
    }
    case SSL2_SERVER_HELLO: {
        pw_cur_skip(&m, 2);
        uint16_t v = pw_cur_be16(&m);
        uint16_t cert = pw_cur_be16(&m), specs = pw_cur_be16(&m), conn = pw_cur_be16(&m);
        if (m.err || !ssl2_version_ok(v) || specs % 3)
            return false;
        fixed = 11;
        sum = (uint32_t)cert + specs + conn;
        break;
    }
    default:
        return false;
    }
    return fixed + sum <= n;
}

/* An SSL 2.0 record (draft-hickman-netscape-ssl-00): a SERVER-HELLO
 * carries the server's certificate. */
static void ssl2_record(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    uint8_t h3[3] = {pw_cur_peek(c, 0), pw_cur_peek(c, 1), pw_cur_peek(c, 2)};
    unsigned hlen;
    uint32_t total = ssl2_record_len(h3, &hlen);
    if (c->err || total > pw_cur_rep_left(c)) {
        c->err = PW_CUR_MALFORMED; /* ends the loop of the caller */
        return;
    }
    pw_cur_skip(c, hlen);
    uint32_t len = total - hlen;
    struct pw_cur rec = pw_cur_sub(c, len);
    put(d, TV_RECORD_VERSION, 0x0002, 0);
    if (hlen == 3 || !ssl2_cleartext(rec, len))
        return;
    put(d, TV_RECORD_LENGTH, (uint16_t)len, 0);
    uint8_t mt = pw_cur_u8(&rec);
    put(d, TV_HS_TYPE, mt, 0);
    if (mt != SSL2_CLIENT_HELLO)
        st->tls_session = SESS_SSL2; /* the server answered in SSL 2.0 */
    if (mt == SSL2_CLIENT_HELLO) {
        put(d, TV_HS_VERSION, pw_cur_be16(&rec), 0);
        return;
    }
    if (mt != SSL2_SERVER_HELLO)
        return;
    pw_cur_skip(&rec, 2); /* session-id-hit, certificate type */
    put(d, TV_HS_VERSION, pw_cur_be16(&rec), 0);
    uint16_t cert_len = pw_cur_be16(&rec);
    pw_cur_be16(&rec); /* cipher specs length */
    pw_cur_be16(&rec); /* connection id length */
    if (rec.err || cert_len > pw_cur_rep_left(&rec))
        return;
    const struct pw_x509_sink sink = {emit_name, d};
    struct pw_cur cert = pw_cur_sub(&rec, cert_len);
    pw_x509_certificate(&cert, &sink);
}

/* The complete records of one call (a trailing partial record is left for
 * reassembly, as tshark leaves it). */
static void tls_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    while (!c->err && pw_cur_rep_left(c) >= 2) {
        uint8_t ct = pw_cur_peek(c, 0);
        if (st->tls_session == SESS_SSL2 ||
            (ct & 0x80 && pw_cur_rep_left(c) >= 3 && pw_cur_peek(c, 2) <= PCT_ERROR &&
             (st->tls_session != SESS_TLS || pw_cur_peek(c, 2) == SSL2_CLIENT_HELLO))) {
            ssl2_record(d, c, st);
            continue;
        }
        if (pw_cur_rep_left(c) < 5 || ct < CT_CHANGE_CIPHER_SPEC || ct > CT_HEARTBEAT ||
            pw_cur_peek(c, 1) != 3)
            return; /* continuation data */
        pw_cur_skip(c, 1);
        uint16_t version = pw_cur_be16(c);
        uint16_t len = pw_cur_be16(c);
        if (c->err || len > pw_cur_rep_left(c))
            return;
        struct pw_cur rec = pw_cur_sub(c, len);
        /* an encrypted TLS 1.3 record's outer type is its "opaque type" */
        if (!(ct == CT_APPLICATION_DATA && st->tls_session == SESS_TLS13))
            put(d, TV_CONTENT_TYPE, ct, 0);
        put(d, TV_RECORD_VERSION, version, 0);
        put(d, TV_RECORD_LENGTH, len, 0);
        /* every record but a ClientHello tells the session's version */
        if (st->tls_session < SESS_TLS &&
            (ct != CT_HANDSHAKE || (len > 0 && pw_cur_peek(&rec, 0) != HS_CLIENT_HELLO)))
            st->tls_session = SESS_TLS;
        if (ct == CT_CHANGE_CIPHER_SPEC)
            st->tls_ccs = 1;
        else if (ct == CT_HANDSHAKE && !st->tls_ccs)
            handshake(d, &rec, st);
    }
}

const struct pw_tcp_proto pw_tcp_tls = {PW_P_TLS, true, 5, tls_pdu_len, tls_pdu, true};

/* ---- fields ---------------------------------------------------------------- */

static int tls_vals(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max, unsigned kind, uint8_t ftype)
{
    if (!l)
        return 0;
    long layer = l - pkt->layer;
    int n = 0;
    for (unsigned i = 0; i < pkt->ntls; i++) {
        const struct pw_tls_val *t = &pkt->tls[i];
        if (t->kind != kind || t->layer != layer)
            continue;
        if (n < max) {
            out[n].type = ftype;
            if (ftype == PW_FT_STRING) {
                out[n].v.bytes.p = (const uint8_t *)pkt->text + t->v;
                out[n].v.bytes.len = t->len;
            } else {
                out[n].v.u = t->v;
            }
        }
        n++;
    }
    return n;
}

#define TLS_GET(fn, kind, ftype)                                                                   \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        return tls_vals(pkt, l, out, max, kind, ftype);                                            \
    }

TLS_GET(get_content_type, TV_CONTENT_TYPE, PW_FT_UINT8)
TLS_GET(get_record_version, TV_RECORD_VERSION, PW_FT_UINT16)
TLS_GET(get_record_length, TV_RECORD_LENGTH, PW_FT_UINT16)
TLS_GET(get_hs_type, TV_HS_TYPE, PW_FT_UINT8)
TLS_GET(get_hs_version, TV_HS_VERSION, PW_FT_UINT16)
TLS_GET(get_ciphersuite, TV_CIPHERSUITE, PW_FT_UINT16)
TLS_GET(get_server_name, TV_SERVER_NAME, PW_FT_STRING)

const struct pw_field pw_fields_tls[] = {
    {"tls.record.content_type", "Content Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_TLS,
     get_content_type},
    {"tls.record.version", "Version", PW_FT_UINT16, PW_BASE_HEX, PW_P_TLS, get_record_version},
    {"tls.record.length", "Length", PW_FT_UINT16, PW_BASE_DEC, PW_P_TLS, get_record_length},
    {"tls.handshake.type", "Handshake Message Type", PW_FT_UINT8, PW_BASE_DEC, PW_P_TLS,
     get_hs_type},
    {"tls.handshake.version", "Version", PW_FT_UINT16, PW_BASE_HEX, PW_P_TLS, get_hs_version},
    {"tls.handshake.ciphersuite", "Cipher Suite", PW_FT_UINT16, PW_BASE_HEX, PW_P_TLS,
     get_ciphersuite},
    {"tls.handshake.extensions_server_name", "Server Name", PW_FT_STRING, PW_BASE_NONE, PW_P_TLS,
     get_server_name},
    PW_FIELDS_END,
};
