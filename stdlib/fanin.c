/* fanin.c — the fan-in processors of LANGUAGE.md §5: merge (arrival order),
 * concat (input by input) and zip (pairs, up to the shorter input). */
#include "pipe_std.h"
#include "rt_impl.h"

#include <stdio.h>
#include <stdlib.h>

static void *fan_realloc(void *p, size_t n)
{
    return pipe_xrealloc(p, n);
}

static void fan_nop_free(PipeNode *self)
{
    (void)self;
}

/* ------------------------------------------------------------------ merge */

static void merge_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    pipe_emit(self, item);
}

PipeNode *pipe_std_merge(PipeRt *rt, PipePos pos, const PipeType *t, int n)
{
    (void)n; /* the scheduler interleaves the inputs; pipe_end counts them */
    PipeNode *m = pipe_node_new(rt, sizeof(PipeNode), "merge", pos);
    m->push = merge_push;
    m->free = fan_nop_free;
    m->in = m->out = t;
    return m;
}

/* ------------------------------------------------------------------ concat */

/* Items of a port that is not yet current: clones in the buffer's arena. */
typedef struct ConcatBuf {
    char *items;
    size_t len, cap;
    PipeArena arena;
    bool ended;
} ConcatBuf;

/* Port `cur` is forwarded as it arrives; later ports are buffered until every
 * earlier port has ended, then flushed in port order. */
typedef struct ConcatNode {
    PipeNode node;
    const PipeType *t;
    int n, cur;
    bool heap; /* buffered items are heap clones (they hold maps) */
    ConcatBuf *bufs;
} ConcatNode;

static void concat_buf_release(ConcatNode *c, ConcatBuf *b)
{
    for (size_t i = 0; c->heap && i < b->len; i++)
        pipe_drop(c->t, b->items + i * c->t->size);
    free(b->items);
    b->items = NULL;
    b->len = b->cap = 0;
    pipe_arena_free(&b->arena);
    memset(&b->arena, 0, sizeof b->arena);
}

static void concat_push(PipeNode *self, const void *item, int port)
{
    ConcatNode *c = (ConcatNode *)self;
    if (port == c->cur || port < 0 || port >= c->n) {
        pipe_emit(self, item);
        return;
    }
    ConcatBuf *b = &c->bufs[port];
    size_t sz = c->t->size;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->items = fan_realloc(b->items, b->cap * sz);
    }
    pipe_clone(c->t, b->items + b->len * sz, item, c->heap ? NULL : &b->arena);
    b->len++;
}

/* Makes the first port that has not ended current, flushing the buffers of the
 * ports passed on the way (and of the new current one). */
static void concat_advance(ConcatNode *c)
{
    while (c->cur < c->n && c->bufs[c->cur].ended) {
        c->cur++;
        if (c->cur >= c->n)
            break;
        ConcatBuf *b = &c->bufs[c->cur];
        for (size_t i = 0; i < b->len; i++) {
            pipe_emit(&c->node, b->items + i * c->t->size);
            pipe_item_done(c->node.rt);
        }
        concat_buf_release(c, b);
    }
}

static void concat_port_end(PipeNode *self, int port)
{
    ConcatNode *c = (ConcatNode *)self;
    if (port >= 0 && port < c->n)
        c->bufs[port].ended = true;
    concat_advance(c);
}

static void concat_finish(PipeNode *self)
{
    /* Every input has ended: flush whatever port_end has not. */
    ConcatNode *c = (ConcatNode *)self;
    for (int i = 0; i < c->n; i++)
        c->bufs[i].ended = true;
    concat_advance(c);
}

static void concat_free(PipeNode *self)
{
    ConcatNode *c = (ConcatNode *)self;
    for (int i = 0; c->bufs && i < c->n; i++)
        concat_buf_release(c, &c->bufs[i]);
    free(c->bufs);
    c->bufs = NULL;
}

PipeNode *pipe_std_concat(PipeRt *rt, PipePos pos, const PipeType *t, int n)
{
    ConcatNode *c = (ConcatNode *)pipe_node_new(rt, sizeof(ConcatNode), "concat", pos);
    c->node.push = concat_push;
    c->node.finish = concat_finish;
    c->node.free = concat_free;
    c->node.port_end = concat_port_end;
    c->node.in = c->node.out = t;
    c->t = t;
    c->heap = pipe_type_has_map(t);
    c->n = n > 0 ? n : 0;
    c->bufs = fan_realloc(NULL, (size_t)(c->n ? c->n : 1) * sizeof *c->bufs);
    memset(c->bufs, 0, (size_t)(c->n ? c->n : 1) * sizeof *c->bufs);
    return &c->node;
}

/* ------------------------------------------------------------------ zip */

/* The items of one side that wait for a partner: a ring of heap clones.  At
 * most one side waits at a time. */
typedef struct ZipQueue {
    const PipeType *t;
    char *slots;
    size_t cap, head, len;
    bool ended;
} ZipQueue;

typedef struct ZipNode {
    PipeNode node;
    ZipQueue q[2];
    char *pair; /* out->size bytes, reused */
    bool done;  /* closed: one side ended with nothing left to pair */
} ZipNode;

static void zipq_push(ZipQueue *q, const void *item)
{
    size_t sz = q->t->size;
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        char *s = fan_realloc(NULL, cap * sz);
        for (size_t i = 0; i < q->len; i++) /* unwrap the ring */
            memcpy(s + i * sz, q->slots + ((q->head + i) % q->cap) * sz, sz);
        free(q->slots);
        q->slots = s;
        q->cap = cap;
        q->head = 0;
    }
    pipe_clone(q->t, q->slots + ((q->head + q->len) % q->cap) * sz, item, NULL);
    q->len++;
}

static void zipq_clear(ZipQueue *q)
{
    for (size_t i = 0; i < q->len; i++)
        pipe_drop(q->t, q->slots + ((q->head + i) % q->cap) * q->t->size);
    q->len = q->head = 0;
}

static void zip_emit(ZipNode *z, const void *a, const void *b)
{
    const PipeType *out = z->node.out;
    memcpy(z->pair + out->offsets[0], a, z->q[0].t->size);
    memcpy(z->pair + out->offsets[1], b, z->q[1].t->size);
    pipe_emit(&z->node, z->pair);
}

/* One side has ended with nothing left to pair: zip wants no more input, so
 * the other side's sources can stop instead of being read to their end. */
static void zip_done(ZipNode *z)
{
    if (!z->done) {
        z->done = true;
        pipe_close(&z->node);
    }
}

static void zip_push(PipeNode *self, const void *item, int port)
{
    ZipNode *z = (ZipNode *)self;
    if (port != 0 && port != 1)
        return;
    ZipQueue *other = &z->q[1 - port];
    if (other->len == 0) {
        if (!other->ended) /* else this item has no partner, ever */
            zipq_push(&z->q[port], item);
        return;
    }
    char *front = other->slots + other->head * other->t->size;
    if (port == 0)
        zip_emit(z, item, front);
    else
        zip_emit(z, front, item);
    pipe_drop(other->t, front);
    other->head = (other->head + 1) % other->cap;
    other->len--;
    if (other->len == 0 && other->ended)
        zip_done(z);
}

static void zip_port_end(PipeNode *self, int port)
{
    ZipNode *z = (ZipNode *)self;
    if (port != 0 && port != 1)
        return;
    z->q[port].ended = true;
    if (z->q[port].len == 0) { /* what the other side has waiting stays unpaired */
        zipq_clear(&z->q[1 - port]);
        zip_done(z);
    }
}

static void zip_free(PipeNode *self)
{
    ZipNode *z = (ZipNode *)self;
    for (int i = 0; i < 2; i++) {
        zipq_clear(&z->q[i]);
        free(z->q[i].slots);
        z->q[i].slots = NULL;
        z->q[i].cap = 0;
    }
    free(z->pair);
    z->pair = NULL;
}

static void zip_finish(PipeNode *self)
{
    ZipNode *z = (ZipNode *)self;
    zipq_clear(&z->q[0]);
    zipq_clear(&z->q[1]);
}

PipeNode *pipe_std_zip(PipeRt *rt, PipePos pos, const PipeType *a, const PipeType *b,
                       const PipeType *out)
{
    ZipNode *z = (ZipNode *)pipe_node_new(rt, sizeof(ZipNode), "zip", pos);
    z->node.push = zip_push;
    z->node.finish = zip_finish;
    z->node.free = zip_free;
    z->node.port_end = zip_port_end;
    z->node.in = a;
    z->node.out = out;
    z->q[0].t = a;
    z->q[1].t = b;
    z->pair = fan_realloc(NULL, out->size ? out->size : 1);
    memset(z->pair, 0, out->size);
    return &z->node;
}
