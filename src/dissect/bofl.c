/* Wellfleet Breath of Life, EtherType 0x8102 (a keepalive frame): shown by name, the whole payload
 * is the `bofl` layer. */
#include "dissect/appsimple.h"
#include "dissect/protos.h"

int pw_dissect_bofl(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_BOFL, c);
    return PW_DIS_OK;
}
