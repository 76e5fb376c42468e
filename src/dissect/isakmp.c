/* ISAKMP / IKE (RFC 2408, RFC 7296) on UDP port 500: initiator and
 * responder SPIs(8+8) next payload(1) version(1) exchange type(1) flags(1)
 * message id(4) length(4), then the payloads. One `isakmp` layer covers
 * the message; no field is published yet. */
#include "dissect/appsimple.h"

int pw_dissect_isakmp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_ISAKMP, c);
    return PW_DIS_OK;
}
