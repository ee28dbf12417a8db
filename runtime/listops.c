/* listops.c — the list operations of LANGUAGE.md §9 and slices of lists and
 * strs: new lists in the scratch arena, no allocation per element. */
#include "rt_impl.h"

/* Python's bounds of s[i:j] on a sequence of n: each negative one counts from
 * the end, then both are clamped to [0, n], and an end before the start is
 * the start (an empty slice). */
static void listops_bounds(size_t n, int64_t i, int64_t j, size_t *lo, size_t *hi)
{
    int64_t len = (int64_t)n; /* n is a length in memory: it fits */
    if (i < 0)
        i = i + len < 0 ? 0 : i + len;
    if (j < 0)
        j = j + len < 0 ? 0 : j + len;
    if (i > len)
        i = len;
    if (j > len)
        j = len;
    *lo = (size_t)i;
    *hi = j < i ? (size_t)i : (size_t)j;
}

static size_t listops_len(const PipeList *l)
{
    return l ? l->len : 0;
}

/* See pipe.h. */
PipeStr pipe_str_slice(PipeStr s, int64_t i, int64_t j)
{
    size_t lo, hi;
    listops_bounds(s.n, i, j, &lo, &hi);
    return (PipeStr){s.p + lo, hi - lo};
}

/* A new list in a of the n elements at p (esize bytes each), copied. */
static PipeList *listops_copy(PipeArena *a, uint32_t esize, const void *p, size_t n)
{
    PipeList *r = pipe_list_new(a, esize, n);
    if (n)
        memcpy(r->data, p, n * esize);
    r->len = n;
    return r;
}

/* See pipe.h. */
PipeList *pipe_list_slice(PipeArena *a, uint32_t esize, PipeList *xs, int64_t i, int64_t j)
{
    size_t lo, hi;
    listops_bounds(listops_len(xs), i, j, &lo, &hi);
    return listops_copy(a, esize, hi > lo ? (char *)xs->data + lo * esize : NULL, hi - lo);
}

/* See pipe.h. */
PipeList *pipe_list_concat(PipeArena *a, uint32_t esize, PipeList *xs, PipeList *ys)
{
    size_t nx = listops_len(xs), ny = listops_len(ys);
    PipeList *r = pipe_list_new(a, esize, nx + ny);
    if (nx)
        memcpy(r->data, xs->data, nx * esize);
    if (ny)
        memcpy((char *)r->data + nx * esize, ys->data, ny * esize);
    r->len = nx + ny;
    return r;
}

/* See pipe.h. */
PipeList *pipe_list_reverse(PipeArena *a, uint32_t esize, PipeList *xs)
{
    size_t n = listops_len(xs);
    PipeList *r = pipe_list_new(a, esize, n);
    for (size_t k = 0; k < n; k++)
        memcpy((char *)r->data + k * esize, (char *)xs->data + (n - 1 - k) * esize, esize);
    r->len = n;
    return r;
}

/* What the merge sort compares: keys of type kt, ksize bytes apart, in the
 * order of sign (1 ascending, -1 descending). */
typedef struct ListSortBy {
    const PipeType *kt;
    const char *keys;
    size_t ksize;
    int sign;
} ListSortBy;

/* Whether index x goes after index y: only when its key is strictly later,
 * so that equal keys keep their order (stable, also descending). */
static bool listops_after(const ListSortBy *by, size_t x, size_t y)
{
    return pipe_cmp(by->kt, by->keys + x * by->ksize, by->keys + y * by->ksize) * by->sign > 0;
}

/* Sorts the indexes idx[0..n) by their keys, stably, with tmp (n slots) for
 * the merges: bottom-up merge sort, O(n log n) comparisons, no recursion. */
static void listops_msort(const ListSortBy *by, size_t *idx, size_t *tmp, size_t n)
{
    size_t *from = idx, *to = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t x = lo, y = mid, k = lo;
            while (x < mid && y < hi)
                to[k++] = listops_after(by, from[x], from[y]) ? from[y++] : from[x++];
            while (x < mid)
                to[k++] = from[x++];
            while (y < hi)
                to[k++] = from[y++];
        }
        size_t *t = from;
        from = to;
        to = t;
    }
    if (from != idx)
        memcpy(idx, from, n * sizeof *idx);
}

/* See pipe.h. */
PipeList *pipe_list_sort(PipeArena *a, const PipeType *elem, PipeList *xs, const PipeType *kt, const void *keys,
                         bool desc)
{
    size_t n = listops_len(xs);
    uint32_t es = elem->size;
    if (!keys) {
        kt = elem;
        keys = n ? xs->data : NULL;
    }
    ListSortBy by = {kt, keys, kt->size, desc ? -1 : 1};
    size_t *idx = pipe_alloc(a, (2 * n + 1) * sizeof *idx);
    for (size_t k = 0; k < n; k++)
        idx[k] = k;
    listops_msort(&by, idx, idx + n, n);
    PipeList *r = pipe_list_new(a, es, n);
    for (size_t k = 0; k < n; k++)
        memcpy((char *)r->data + k * es, (char *)xs->data + idx[k] * es, es);
    r->len = n;
    return r;
}

/* See pipe.h. */
const void *pipe_list_extreme(PipeNode *node, const PipeType *elem, PipeList *xs, int sign)
{
    size_t n = listops_len(xs);
    if (!n)
        pipe_fail(node, sign < 0 ? "min of an empty list" : "max of an empty list");
    const char *best = xs->data;
    for (size_t k = 1; k < n; k++) {
        const char *e = (const char *)xs->data + k * elem->size;
        if (pipe_cmp(elem, e, best) * sign > 0) /* the first of equal ones stays */
            best = e;
    }
    return best;
}

/* See pipe.h. */
int64_t pipe_list_isum(PipeNode *node, PipeList *xs)
{
    int64_t s = 0;
    for (size_t k = 0; k < listops_len(xs); k++)
        s = pipe_iadd(node, s, ((const int64_t *)xs->data)[k]);
    return s;
}

/* See pipe.h. */
double pipe_list_fsum(PipeList *xs)
{
    double s = 0;
    for (size_t k = 0; k < listops_len(xs); k++)
        s += ((const double *)xs->data)[k];
    return s;
}

/* See pipe.h. */
bool pipe_list_contains(const PipeType *elem, PipeList *xs, const void *x)
{
    for (size_t k = 0; k < listops_len(xs); k++)
        if (pipe_eq(elem, (const char *)xs->data + k * elem->size, x))
            return true;
    return false;
}
