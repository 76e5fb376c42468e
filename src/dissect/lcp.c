/* PPP Link Control Protocol (RFC 1661 section 5), PPP protocol 0xc021:
 * code(1) identifier(1) length(2) data. One `lcp` layer covers the
 * packet; no field is published yet. */
#include "dissect/appsimple.h"

int pw_dissect_lcp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_LCP, c);
    return PW_DIS_OK;
}
