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
    l->owner = NULL;
    l->elem = NULL;
    l->charged = 0;
    l->data = NULL;
    if (cap && esize)
        l->data = a ? pipe_alloc(a, cap * esize) : pipe_xmalloc(cap * esize);
    return l;
}

#define LIST_WHAT "its lists"

/* Charges owned list l as holding cap slots and what its elements hold now.
 * The elements are walked when the slots double, so each costs O(1) on
 * average, and the ones added since count at the next doubling. */
static void list_charge(PipeList *l, size_t cap)
{
    size_t now = sizeof *l + cap * l->esize;
    for (size_t i = 0; i < l->len; i++)
        now += pipe_value_deep(l->elem, (char *)l->data + i * l->esize);
    pipe_node_charge(l->owner, l->charged, now, LIST_WHAT);
    l->charged = now;
}

/* See pipe.h. */
PipeList *pipe_list_adopt(PipeNode *owner, PipeList *l, const PipeType *elem)
{
    if (!l || l->arena || !owner)
        return l;
    l->owner = owner;
    l->elem = elem;
    list_charge(l, l->cap);
    return l;
}

/* See rt_impl.h. */
void pipe_list_refund(PipeList *l)
{
    if (l->owner)
        pipe_node_charge(l->owner, l->charged, 0, LIST_WHAT);
    l->charged = 0;
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
            if (l->owner) /* before it grows: an unwind leaves it whole */
                list_charge(l, ncap);
            pipe_oom_blame(l->owner);
            l->data = pipe_xrealloc(l->data, ncap * es);
            pipe_oom_blame(NULL);
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
