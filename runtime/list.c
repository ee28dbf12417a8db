/* list.c — PipeList: contiguous elements of one size, in an arena (temporary
 * lists) or on the heap (lists that a node or a map owns). */
#include <stdlib.h>

#include "rt_impl.h"

/* Returns an empty list with room for cap elements of esize bytes, allocated
 * from a, or from the heap when a is NULL. */
PipeList *pipe_list_new(PipeArena *a, uint32_t esize, size_t cap)
{
    PipeList *l = a ? pipe_alloc(a, sizeof *l) : pipe_xmalloc(sizeof *l);
    l->len = 0;
    l->cap = cap;
    l->esize = esize;
    l->arena = a;
    l->data = NULL;
    if (cap && esize)
        l->data = a ? pipe_alloc(a, cap * esize) : pipe_xmalloc(cap * esize);
    return l;
}

/* Appends one zeroed element and returns it; the list may move its data. */
void *pipe_list_push(PipeList *l)
{
    if (l->len == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        size_t es = l->esize ? l->esize : 1;
        if (l->arena) {
            void *nd = pipe_alloc(l->arena, ncap * es);
            if (l->len)
                memcpy(nd, l->data, l->len * es);
            l->data = nd;
        } else {
            l->data = pipe_xrealloc(l->data, ncap * es);
        }
        l->cap = ncap;
    }
    char *e = (char *)l->data + l->len * l->esize;
    memset(e, 0, l->esize);
    l->len++;
    return e;
}

/* Element i from 0, or from the end when negative; NULL when out of range (or l NULL). */
void *pipe_list_at(PipeList *l, int64_t i)
{
    if (!l)
        return NULL;
    if (i < 0)
        i += (int64_t)l->len;
    if (i < 0 || (uint64_t)i >= l->len)
        return NULL;
    return (char *)l->data + (size_t)i * l->esize;
}
