/* aggregate.c — the processors of LANGUAGE.md §6 that fold a stream or reshape
 * its items: count, count_items, sum, min, max, avg, enumerate. */
#include "pipe_std.h"
#include "rt_impl.h"

#include <stdio.h>
#include <stdlib.h>

static void agg_nop_free(PipeNode *self)
{
    (void)self;
}

static PipeNode *agg_node(PipeRt *rt, PipePos pos, size_t size, const char *name,
                          const PipeType *in, const PipeType *out)
{
    PipeNode *n = pipe_node_new(rt, size, name, pos);
    n->free = agg_nop_free;
    n->in = in;
    n->out = out;
    return n;
}

static void *agg_alloc(size_t n)
{
    return pipe_xcalloc(1, n);
}

/* ------------------------------------------------------------------ count */

/* A map T -> int in first-seen order; at the end one (T, int) per key, laid out
 * as the output tuple type says (T at offsets[0], the count at offsets[1]). */
typedef struct CountMapNode {
    PipeNode node;
    const PipeType *t;
    PipeMap *counts;
    char *pair; /* out->size bytes, reused */
} CountMapNode;

static void count_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CountMapNode *c = (CountMapNode *)self;
    bool created;
    int64_t *v = pipe_map_upsert(c->counts, item, &created);
    (*v)++;
}

static void count_finish(PipeNode *self)
{
    CountMapNode *c = (CountMapNode *)self;
    const PipeType *out = self->out;
    void *k, *v;
    for (size_t i = 0; pipe_map_next(c->counts, &i, &k, &v);) {
        /* A shallow copy: the key's bytes stay the map's; consumers clone. */
        memcpy(c->pair + out->offsets[0], k, c->t->size);
        memcpy(c->pair + out->offsets[1], v, sizeof(int64_t));
        pipe_emit(self, c->pair);
        pipe_item_done(self->rt);
    }
    pipe_map_free(c->counts); /* early: the run may go on without it */
    c->counts = NULL;
}

static void count_free(PipeNode *self)
{
    CountMapNode *c = (CountMapNode *)self;
    if (c->counts)
        pipe_map_free(c->counts);
    c->counts = NULL;
    free(c->pair);
    c->pair = NULL;
}

PipeNode *pipe_std_count(PipeRt *rt, PipePos pos, const PipeType *t, const PipeType *out)
{
    CountMapNode *c = (CountMapNode *)agg_node(rt, pos, sizeof(CountMapNode), "count", t, out);
    c->node.push = count_push;
    c->node.finish = count_finish;
    c->node.free = count_free;
    c->t = t;
    c->counts = pipe_map_new_in(&c->node, t, &pipe_t_int);
    c->pair = agg_alloc(out->size);
    return &c->node;
}

/* ------------------------------------------------------------------ count_items, sum, avg */

typedef struct FoldNode {
    PipeNode node;
    int64_t n;    /* items seen */
    int64_t isum; /* sum() of ints: overflow is a runtime error */
    double fsum;
    uint64_t lo;  /* avg() of ints: an exact 128-bit two's complement sum */
    int64_t hi;
    bool is_float;
} FoldNode;

static void count_items_push(PipeNode *self, const void *item, int port)
{
    (void)item;
    (void)port;
    ((FoldNode *)self)->n++;
}

static void count_items_finish(PipeNode *self)
{
    pipe_emit(self, &((FoldNode *)self)->n);
}

PipeNode *pipe_std_count_items(PipeRt *rt, PipePos pos, const PipeType *t)
{
    PipeNode *n = agg_node(rt, pos, sizeof(FoldNode), "count_items", t, &pipe_t_int);
    n->push = count_items_push;
    n->finish = count_items_finish;
    return n;
}

static void sum_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    FoldNode *f = (FoldNode *)self;
    f->n++;
    if (f->is_float) {
        double x;
        memcpy(&x, item, sizeof x);
        f->fsum += x;
    } else {
        int64_t x;
        memcpy(&x, item, sizeof x);
        f->isum = pipe_iadd(self, f->isum, x); /* overflow: an error of this item */
    }
}

static void sum_finish(PipeNode *self)
{
    FoldNode *f = (FoldNode *)self;
    if (f->is_float)
        pipe_emit(self, &f->fsum);
    else
        pipe_emit(self, &f->isum);
}

PipeNode *pipe_std_sum(PipeRt *rt, PipePos pos, const PipeType *t)
{
    FoldNode *f = (FoldNode *)agg_node(rt, pos, sizeof(FoldNode), "sum", t, t);
    f->node.push = sum_push;
    f->node.finish = sum_finish;
    f->is_float = t->kind == PIPE_K_FLOAT;
    return &f->node;
}

/* avg of ints sums exactly in 128 bits, so that intermediate overflow does not
 * change the result. */
static void avg_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    FoldNode *f = (FoldNode *)self;
    f->n++;
    if (f->is_float) {
        double x;
        memcpy(&x, item, sizeof x);
        f->fsum += x;
        return;
    }
    int64_t x;
    memcpy(&x, item, sizeof x);
    uint64_t lo = f->lo + (uint64_t)x;
    f->hi += (x < 0 ? -1 : 0) + (lo < f->lo ? 1 : 0);
    f->lo = lo;
}

static void avg_finish(PipeNode *self)
{
    FoldNode *f = (FoldNode *)self;
    if (f->n == 0)
        return;
    double sum = f->fsum;
    if (!f->is_float) {
        if ((f->hi == 0 && f->lo <= (uint64_t)INT64_MAX) || (f->hi == -1 && f->lo > (uint64_t)INT64_MAX))
            sum = (double)(int64_t)f->lo; /* fits in int64: one rounding */
        else
            sum = (double)f->hi * 18446744073709551616.0 + (double)f->lo;
    }
    double avg = sum / (double)f->n;
    pipe_emit(self, &avg);
}

PipeNode *pipe_std_avg(PipeRt *rt, PipePos pos, const PipeType *t)
{
    FoldNode *f = (FoldNode *)agg_node(rt, pos, sizeof(FoldNode), "avg", t, &pipe_t_float);
    f->node.push = avg_push;
    f->node.finish = avg_finish;
    f->is_float = t->kind == PIPE_K_FLOAT;
    return &f->node;
}

/* ------------------------------------------------------------------ min, max */

typedef struct ExtremeNode {
    PipeNode node;
    const PipeType *t;
    int sign; /* -1 min, +1 max */
    bool have;
    void *best; /* heap clone; the first of equal items is kept */
} ExtremeNode;

static void extreme_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    ExtremeNode *e = (ExtremeNode *)self;
    if (e->have) {
        if (pipe_cmp(e->t, item, e->best) * e->sign <= 0)
            return;
        pipe_drop(e->t, e->best);
    }
    pipe_clone(e->t, e->best, item, NULL);
    e->have = true;
}

static void extreme_finish(PipeNode *self)
{
    ExtremeNode *e = (ExtremeNode *)self;
    if (e->have)
        pipe_emit(self, e->best);
}

static void extreme_free(PipeNode *self)
{
    ExtremeNode *e = (ExtremeNode *)self;
    if (e->have)
        pipe_drop(e->t, e->best);
    e->have = false;
    free(e->best);
    e->best = NULL;
}

static PipeNode *extreme_make(PipeRt *rt, PipePos pos, const PipeType *t, int sign)
{
    ExtremeNode *e = (ExtremeNode *)agg_node(rt, pos, sizeof(ExtremeNode),
                                             sign < 0 ? "min" : "max", t, t);
    e->node.push = extreme_push;
    e->node.finish = extreme_finish;
    e->node.free = extreme_free;
    e->t = t;
    e->sign = sign;
    e->best = agg_alloc(t->size);
    return &e->node;
}

PipeNode *pipe_std_min(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return extreme_make(rt, pos, t, -1);
}

PipeNode *pipe_std_max(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return extreme_make(rt, pos, t, 1);
}

/* ------------------------------------------------------------------ enumerate */

typedef struct EnumNode {
    PipeNode node;
    const PipeType *t;
    int64_t next;
    char *pair; /* out->size bytes, reused */
} EnumNode;

static void enumerate_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    EnumNode *e = (EnumNode *)self;
    const PipeType *out = self->out;
    e->next++;
    memcpy(e->pair + out->offsets[0], &e->next, sizeof e->next);
    memcpy(e->pair + out->offsets[1], item, e->t->size); /* shallow: valid during the call */
    pipe_emit(self, e->pair);
}

static void enumerate_free(PipeNode *self)
{
    EnumNode *e = (EnumNode *)self;
    free(e->pair);
    e->pair = NULL;
}

PipeNode *pipe_std_enumerate(PipeRt *rt, PipePos pos, const PipeType *t, const PipeType *out)
{
    EnumNode *e = (EnumNode *)agg_node(rt, pos, sizeof(EnumNode), "enumerate", t, out);
    e->node.push = enumerate_push;
    e->node.free = enumerate_free;
    e->t = t;
    e->pair = agg_alloc(out->size);
    return &e->node;
}
