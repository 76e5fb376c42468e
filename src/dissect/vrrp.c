/* Virtual Router Redundancy Protocol (RFC 9568), IP protocol 112: shown by name, the whole payload
 * is the `vrrp` layer. */
#include "dissect/appsimple.h"
#include "dissect/protos.h"

int pw_dissect_vrrp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_VRRP, c);
    return PW_DIS_OK;
}
