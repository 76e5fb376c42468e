/* Transport Layer Security framing (RFC 8446 section 5.1; SSL 2.0 record
 * header per draft-hickman-netscape-ssl-00 section "Record Header"):
 *
 *   TLS/SSLv3 record: content type(1) version(2) length(2) fragment
 *   SSLv2 record:     1 + 15-bit length (2-byte header, high bit set)
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
 * ChangeCipherSpec in the same direction are encrypted and not looked at. */
#include "dissect/app.h"
#include "dissect/appsimple.h"
#include "dissect/x509.h"

enum { CT_CHANGE_CIPHER_SPEC = 20, CT_HANDSHAKE = 22, CT_HEARTBEAT = 24 };
enum { HS_CERTIFICATE = 11, HS_CERTIFICATE_STATUS = 22 };
enum { CERT_STATUS_OCSP = 1, SSL2_SERVER_HELLO = 4 };

static int64_t tls_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                           const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 1)
        return PW_PDU_MORE;
    if (p[0] >= CT_CHANGE_CIPHER_SPEC && p[0] <= CT_HEARTBEAT) {
        if (avail < 5)
            return avail >= 2 && p[1] != 3 ? PW_PDU_REST : PW_PDU_MORE;
        if (p[1] != 3)
            return PW_PDU_REST;
        return 5 + (int64_t)((p[3] << 8) | p[4]);
    }
    if ((p[0] & 0x80) && avail >= 3) {
        /* SSLv2: accept the client/server hello message types only */
        uint8_t mt = p[2];
        if (mt == 1 || mt == 4)
            return 2 + (int64_t)(((p[0] & 0x7f) << 8) | p[1]);
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
static void handshake(struct pw_dctx *d, struct pw_cur *c)
{
    const struct pw_x509_sink sink = {emit_name, d};
    while (!c->err && pw_cur_rep_left(c) >= 4) {
        uint8_t type = pw_cur_u8(c);
        uint32_t len = pw_cur_be24(c);
        if (c->err || len > pw_cur_rep_left(c))
            return; /* continued in a later record: not followed */
        struct pw_cur m = pw_cur_sub(c, len);
        if (type == HS_CERTIFICATE) {
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

/* An SSL 2.0 record with a 2-byte header (draft-hickman-netscape-ssl-00):
 * a SERVER-HELLO carries the server's certificate. */
static void ssl2_record(struct pw_dctx *d, struct pw_cur *c)
{
    uint16_t len = pw_cur_be16(c) & 0x7fff;
    if (c->err || len > pw_cur_rep_left(c)) {
        c->err = PW_CUR_MALFORMED; /* ends the loop of the caller */
        return;
    }
    struct pw_cur rec = pw_cur_sub(c, len);
    if (pw_cur_u8(&rec) != SSL2_SERVER_HELLO)
        return;
    pw_cur_skip(&rec, 4); /* session-id-hit, certificate type, server version */
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
    while (!c->err && pw_cur_rep_left(c) >= 5) {
        uint8_t ct = pw_cur_peek(c, 0);
        if ((ct & 0x80) && d) {
            ssl2_record(d, c);
            continue;
        }
        if (ct < CT_CHANGE_CIPHER_SPEC || ct > CT_HEARTBEAT || pw_cur_peek(c, 1) != 3)
            return; /* continuation data */
        pw_cur_skip(c, 3);
        uint16_t len = pw_cur_be16(c);
        if (c->err || len > pw_cur_rep_left(c))
            return;
        struct pw_cur rec = pw_cur_sub(c, len);
        if (ct == CT_CHANGE_CIPHER_SPEC)
            st->tls_ccs = 1;
        else if (ct == CT_HANDSHAKE && !st->tls_ccs && d)
            handshake(d, &rec);
    }
}

const struct pw_tcp_proto pw_tcp_tls = {PW_P_TLS, true, 5, tls_pdu_len, tls_pdu, true};
