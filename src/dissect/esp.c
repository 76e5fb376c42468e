/* Encapsulating Security Payload (RFC 4303), IP protocol 50: the SPI, sequence number and the
 * encrypted rest are all one `esp` layer; pktwatch decrypts nothing. */
#include "dissect/appsimple.h"
#include "dissect/protos.h"

int pw_dissect_esp(struct pw_dctx *d, struct pw_cur *c)
{
    pw_app_whole(d, PW_P_ESP, c);
    return PW_DIS_OK;
}
