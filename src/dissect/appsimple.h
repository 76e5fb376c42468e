/* Helpers shared by the application-layer dissectors (internal). */
#ifndef PW_DISSECT_APPSIMPLE_H
#define PW_DISSECT_APPSIMPLE_H

#include "dissect/protos.h"

/* Pushes a layer for `proto` covering everything left in c and consumes it:
 * for protocols whose hierarchy entry is all the statistics need. */
static inline struct pw_layer *pw_app_whole(struct pw_dctx *d, unsigned proto, struct pw_cur *c)
{
    struct pw_layer *l = pw_push_layer(d, proto, c);
    if (l)
        l->hlen = l->len;
    c->pos = c->cap;
    return l;
}

/* Case-sensitive prefix test on the captured bytes at the cursor. */
static inline bool pw_cur_starts(const struct pw_cur *c, const char *s, uint32_t n)
{
    return pw_cur_has(c, n) && memcmp(pw_cur_ptr(c), s, n) == 0;
}

#endif
