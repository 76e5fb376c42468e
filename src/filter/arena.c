/* The compiler's arena: a list of chunks that double in size, freed all at
 * once when compilation ends, so that no error path has to free piecemeal. */
#include <stdlib.h>
#include <string.h>

#include "filter/fint.h"

struct pwf_chunk {
    struct pwf_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define FIRST_CHUNK 4096u
/* An arena never holds more than this: bounds what one expression can
 * make the compiler allocate. */
#define ARENA_MAX (64u * 1024u * 1024u)

void *pwf_arena_alloc(struct pwf_arena *a, size_t n)
{
    size_t need = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (need == 0)
        need = sizeof(max_align_t);
    struct pwf_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = c ? c->cap * 2 : FIRST_CHUNK;
        while (cap < need)
            cap *= 2;
        if (a->total + cap > ARENA_MAX)
            return NULL;
        struct pwf_chunk *nc = malloc(sizeof(*nc) + cap);
        if (!nc)
            return NULL;
        nc->next = c;
        nc->used = 0;
        nc->cap = cap;
        a->head = nc;
        a->total += cap;
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, need);
    return p;
}

char *pwf_arena_strndup(struct pwf_arena *a, const char *s, size_t n)
{
    char *p = pwf_arena_alloc(a, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

void pwf_arena_free(struct pwf_arena *a)
{
    struct pwf_chunk *c = a->head;
    while (c) {
        struct pwf_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}
