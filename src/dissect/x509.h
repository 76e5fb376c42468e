/* X.509 certificates and OCSP responses inside TLS handshake messages, as far
 * as frame.protocols shows them.
 *
 * tshark hands every ASN.1 value whose meaning an object identifier selects
 * (an attribute of a distinguished name, an extension, algorithm parameters,
 * a policy qualifier, an otherName) to the dissector registered for that
 * OID, and each such call appends that dissector's protocol to
 * frame.protocols: a certificate chain adds dozens of `x509sat`, `x509ce`,
 * `pkix1implicit`... entries, none of which is a level of the protocol
 * hierarchy. The walker here follows the certificate's structure (RFC 5280
 * section 4.1, RFC 6960 section 4.2.1 for OCSP) and emits one name per such
 * call, in order, from our own OID table (src/dissect/x509.c).
 *
 * Names go to struct pw_packet's bounded `names` array; a PW_LF_SUBTREE layer
 * of protocol PW_P_ASN1_NAMES marks where in the layer order they belong
 * (src/dissect/frame.c lists them). Nothing is allocated; the walk has a
 * fixed nesting depth (the certificate's schema, not the input, drives it). */
#ifndef PW_DISSECT_X509_H
#define PW_DISSECT_X509_H

#include <stdbool.h>
#include <stdint.h>

#include "util/cursor.h"

struct pw_dctx;
struct pw_packet;

/* Codes of the names the walker emits (index into pw_x509_name_str). */
enum pw_x509_name {
    PW_XN_NONE = 0,
    PW_XN_X509SAT,
    PW_XN_X509CE,
    PW_XN_X509AF,
    PW_XN_X509IF,
    PW_XN_PKIX1EXPLICIT,
    PW_XN_PKIX1IMPLICIT,
    PW_XN_PKCS1,
    PW_XN_NS_CERT_EXTS,
    PW_XN_OCSP,
    PW_XN_TLS,
    PW_XN_CMS,
    PW_XN_PKIXAC,
    PW_XN_PKIXQUALIFIED,
    PW_XN_PKCS10,
    PW_XN_LOGOTYPECERTEXTN,
    PW_XN_WLANCERTEXTN,
    PW_XN_PKIXPROXY,
    PW_XN_MUDURL,
    PW_XN_COUNT
};

/* The frame.protocols spelling of a name code ("" for an unknown code). */
const char *pw_x509_name_str(unsigned code);

/* Where the walker's names go. */
struct pw_x509_sink {
    void (*emit)(void *ctx, unsigned code);
    void *ctx;
};

/* Walks one DER Certificate (the cursor covers exactly its bytes) and emits
 * the names tshark lists for it. Returns false when the walk stopped on
 * bytes that do not hold what their lengths announce (tshark stops there
 * too: the rest of the message adds nothing). */
bool pw_x509_certificate(struct pw_cur *c, const struct pw_x509_sink *s);

/* Walks an OCSPResponse (RFC 6960) as carried by a TLS CertificateStatus:
 * the certificates and extensions it holds. The `ocsp` name of the call
 * itself is the caller's. Same return as above. */
bool pw_x509_ocsp_response(struct pw_cur *c, const struct pw_x509_sink *s);

/* Appends a name to the packet: extends the PW_P_ASN1_NAMES layer at the end
 * of the layer array or pushes a new one. Names beyond the packet's bound
 * are dropped and counted as PW_AN_TOO_MANY_LAYERS (the bound is part of the
 * layer bookkeeping). */
void pw_asn1_name(struct pw_dctx *d, unsigned code);

#endif
