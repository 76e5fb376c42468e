#include "stats/phs.h"

#include <stdlib.h>
#include <string.h>

#include "stats/keytab.h"

struct pw_phs *pw_phs_new(void)
{
    struct pw_phs *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    void *arr = NULL;
    if (pw_grow(&arr, &s->cap, 64, sizeof(struct pw_phs_node)) < 0) {
        free(s);
        return NULL;
    }
    s->node = arr;
    memset(&s->node[0], 0, sizeof(s->node[0]));
    s->n = 1;
    return s;
}

void pw_phs_free(struct pw_phs *s)
{
    if (!s)
        return;
    free(s->node);
    free(s);
}

/* The child of `parent` for `proto`, created at the end of the sibling list
 * (first-seen order) when absent. Sibling lists are short (a handful of
 * protocols), so a linear scan is cheaper than any index. */
static uint32_t child(struct pw_phs *s, uint32_t parent, unsigned proto)
{
    for (uint32_t c = s->node[parent].first; c; c = s->node[c].next)
        if (s->node[c].proto == proto)
            return c;
    void *arr = s->node;
    if (pw_grow(&arr, &s->cap, s->n + 1, sizeof(struct pw_phs_node)) < 0) {
        s->oom = 1;
        return 0;
    }
    s->node = arr;
    uint32_t c = s->n++;
    struct pw_phs_node *nd = &s->node[c];
    memset(nd, 0, sizeof(*nd));
    nd->proto = (uint16_t)proto;
    nd->parent = parent;
    nd->depth = parent ? s->node[parent].depth + 1 : 0;
    if (s->node[parent].last)
        s->node[s->node[parent].last].next = c;
    else
        s->node[parent].first = c;
    s->node[parent].last = c;
    return c;
}

void pw_phs_packet(struct pw_phs *s, const struct pw_packet *pkt)
{
    uint32_t cur = 0;
    s->frames++;
    for (unsigned i = 0; i < pkt->nlayers; i++) {
        const struct pw_layer *l = &pkt->layer[i];
        if (!pw_phs_is_level(l))
            continue;
        uint32_t reps = (l->flags & PW_LF_REPEAT) ? l->u.app.count : 1;
        for (uint32_t r = 0; r < reps; r++) {
            uint32_t c = child(s, cur, l->proto);
            if (!c)
                return;
            s->node[c].frames++;
            s->node[c].bytes += pkt->len;
            cur = c;
        }
    }
}

void pw_phs_walk(const struct pw_phs *s,
                 void (*fn)(const struct pw_phs_node *n, void *arg), void *arg)
{
    /* iterative pre-order walk: no recursion depth driven by the input */
    uint32_t c = s->node[0].first;
    while (c) {
        fn(&s->node[c], arg);
        if (s->node[c].first) {
            c = s->node[c].first;
            continue;
        }
        while (c && !s->node[c].next)
            c = s->node[c].parent;
        if (c)
            c = s->node[c].next;
    }
}
