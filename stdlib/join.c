/* join.c — join and left_join (LANGUAGE.md §9, docs/pipe.md "Joins"): the
 * other stream kept whole in a hash index by key, then each item of the flow
 * matched against it as it comes, in the flow's order. */
#include "pipe_std.h"
#include "rt_impl.h"

#include <stdlib.h>

#define JOIN_WHAT "the items of the stream it joins with"

/* The items of other with one key: a chain through next[], in other's order. */
typedef struct JoinGroup {
    int64_t head, tail;
} JoinGroup;

typedef struct JoinNode {
    PipeNode node;
    const PipeType *x, *y, *key;
    PipeKeyFn kx, ky;
    PipeJoinFn with;
    void *env;
    bool left;
    bool heap;       /* other's items hold maps: heap clones, else in keep */
    bool counted;    /* a --mem-limit was given: deep is kept */
    bool other_done; /* other has ended: the flow is joined as it comes */
    PipeMap *index;  /* key -> group number (int) */
    char *ys;        /* other's items, in its order */
    int64_t *next;   /* of each item: the next one of its key, -1 after the last */
    size_t ny, capy;
    JoinGroup *groups;
    size_t ngroups, capgroups;
    size_t deep;     /* bytes other's items hold beyond their slots */
    PipeArena keep;  /* ... when they hold no maps */
    char *keybuf, *outbuf, *ybuf; /* a key, a result, a y? */
    /* items of the flow that came before other ended (an `on start` that
     * emits, or sources the scheduler could not order): joined when it ends */
    char *wait;
    size_t nwait, capwait;
    PipeArena wait_arena;
} JoinNode;

/* The bytes the arrays of other's items take, for --mem-limit. */
static size_t join_bytes(const JoinNode *j, size_t capy, size_t capgroups)
{
    size_t per = j->y->size + sizeof(int64_t);
    return pipe_stage_mul((PipeNode *)&j->node, capy, per) + capgroups * sizeof(JoinGroup) + j->deep;
}

/* Room for one more item of other (and one more group). */
static void join_grow(JoinNode *j)
{
    PipeNode *n = &j->node;
    size_t capy = j->capy, capg = j->capgroups;
    if (j->ny == capy)
        capy = capy ? capy * 2 : 16;
    if (j->ngroups == capg)
        capg = capg ? capg * 2 : 16;
    if (capy == j->capy && capg == j->capgroups)
        return;
    pipe_node_charge(n, join_bytes(j, j->capy, j->capgroups), join_bytes(j, capy, capg), JOIN_WHAT);
    j->ys = pipe_stage_realloc(n, j->ys, pipe_stage_mul(n, capy, j->y->size ? j->y->size : 1));
    j->next = pipe_stage_realloc(n, j->next, pipe_stage_mul(n, capy, sizeof *j->next));
    j->groups = pipe_stage_realloc(n, j->groups, pipe_stage_mul(n, capg, sizeof *j->groups));
    j->capy = capy;
    j->capgroups = capg;
}

/* An item of other: kept, and indexed by its key. */
static void join_keep(JoinNode *j, const void *item)
{
    PipeNode *n = &j->node;
    memset(j->keybuf, 0, j->key->size);
    j->ky(j->env, item, j->keybuf, pipe_scratch(n->rt));
    join_grow(j);
    if (RT_UNLIKELY(j->counted)) {
        size_t d = pipe_value_deep(j->y, item), before = join_bytes(j, j->capy, j->capgroups);
        pipe_node_charge(n, before, before + d, JOIN_WHAT);
        j->deep += d;
    }
    char *slot = j->ys + j->ny * j->y->size;
    pipe_oom_blame(n);
    pipe_clone(j->y, slot, item, j->heap ? NULL : &j->keep);
    pipe_oom_blame(NULL);
    bool created = false;
    int64_t *g = pipe_map_upsert(j->index, j->keybuf, &created);
    int64_t at = (int64_t)j->ny++;
    j->next[at] = -1;
    if (created) {
        *g = (int64_t)j->ngroups;
        j->groups[j->ngroups++] = (JoinGroup){at, at};
    } else {
        j->next[j->groups[*g].tail] = at;
        j->groups[*g].tail = at;
    }
}

/* with(x, y) downstream; y NULL for a left join's none. */
static void join_emit(JoinNode *j, const void *x, const void *y)
{
    PipeArena *s = pipe_scratch(j->node.rt);
    if (j->left) {
        memset(j->ybuf, 0, j->y->size + 1);
        if (y) {
            memcpy(j->ybuf, y, j->y->size);
            j->ybuf[j->y->size] = 1; /* T?'s `some`, after the value */
        }
        y = j->ybuf;
    }
    j->with(j->env, x, y, j->outbuf, s);
    pipe_emit(&j->node, j->outbuf);
}

/* An item of the flow: with(x, y) for every y of its key, in other's order. */
static void join_one(JoinNode *j, const void *x)
{
    memset(j->keybuf, 0, j->key->size);
    j->kx(j->env, x, j->keybuf, pipe_scratch(j->node.rt));
    int64_t *g = pipe_map_get(j->index, j->keybuf);
    if (!g) {
        if (j->left)
            join_emit(j, x, NULL);
        return;
    }
    size_t sz = j->y->size;
    for (int64_t i = j->groups[*g].head; i >= 0; i = j->next[i])
        join_emit(j, x, j->ys + (size_t)i * sz);
}

/* Keeps an item of the flow that came too early. */
static void join_wait(JoinNode *j, const void *x)
{
    PipeNode *n = &j->node;
    size_t sz = j->x->size;
    if (j->nwait == j->capwait) {
        size_t cap = j->capwait ? j->capwait * 2 : 16;
        pipe_node_charge(n, j->capwait * sz, pipe_stage_mul(n, cap, sz), "the items of its flow that came first");
        j->wait = pipe_stage_realloc(n, j->wait, pipe_stage_mul(n, cap, sz ? sz : 1));
        j->capwait = cap;
    }
    pipe_oom_blame(n);
    pipe_clone(j->x, j->wait + j->nwait * sz, x, pipe_type_has_map(j->x) ? NULL : &j->wait_arena);
    pipe_oom_blame(NULL);
    j->nwait++;
}

static void join_release_wait(JoinNode *j)
{
    if (pipe_type_has_map(j->x))
        for (size_t i = 0; i < j->nwait; i++)
            pipe_drop(j->x, j->wait + i * j->x->size);
    free(j->wait);
    j->wait = NULL;
    j->nwait = j->capwait = 0;
    pipe_arena_free(&j->wait_arena);
    memset(&j->wait_arena, 0, sizeof j->wait_arena);
}

static void join_push(PipeNode *self, const void *item, int port)
{
    JoinNode *j = (JoinNode *)self;
    if (port == 1) {
        if (!j->other_done)
            join_keep(j, item);
    } else if (RT_LIKELY(j->other_done)) {
        join_one(j, item);
    } else {
        join_wait(j, item);
    }
}

/* Other is whole: the flow's items that waited are joined now. */
static void join_other_done(JoinNode *j)
{
    if (j->other_done)
        return;
    j->other_done = true;
    for (size_t i = 0; i < j->nwait; i++) {
        join_one(j, j->wait + i * j->x->size);
        pipe_item_done(j->node.rt);
    }
    join_release_wait(j);
}

static void join_port_end(PipeNode *self, int port)
{
    if (port == 1)
        join_other_done((JoinNode *)self);
}

static void join_finish(PipeNode *self)
{
    join_other_done((JoinNode *)self);
}

static void join_free(PipeNode *self)
{
    JoinNode *j = (JoinNode *)self;
    if (j->heap)
        for (size_t i = 0; i < j->ny; i++)
            pipe_drop(j->y, j->ys + i * j->y->size);
    free(j->ys);
    free(j->next);
    free(j->groups);
    j->ys = NULL;
    j->next = NULL;
    j->groups = NULL;
    j->ny = 0;
    if (j->index)
        pipe_map_free(j->index);
    j->index = NULL;
    pipe_arena_free(&j->keep);
    join_release_wait(j);
    free(j->keybuf);
    free(j->outbuf);
    free(j->ybuf);
    j->keybuf = j->outbuf = j->ybuf = NULL;
}

PipeNode *pipe_std_join(PipeRt *rt, PipePos pos, const PipeType *x, const PipeType *y, const PipeType *key,
                        const PipeType *out, PipeKeyFn kx, PipeKeyFn ky, PipeJoinFn with, void *env, bool left)
{
    JoinNode *j = (JoinNode *)pipe_node_new(rt, sizeof(JoinNode), left ? "left_join" : "join", pos);
    j->node.push = join_push;
    j->node.port_end = join_port_end;
    j->node.finish = join_finish;
    j->node.free = join_free;
    j->node.in = x;
    j->node.out = out;
    j->x = x;
    j->y = y;
    j->key = key;
    j->kx = kx;
    j->ky = ky;
    j->with = with;
    j->env = env;
    j->left = left;
    j->heap = pipe_type_has_map(y);
    j->counted = rt->mem_limit != 0; /* set before the DAG is built */
    j->index = pipe_map_new_in(&j->node, key, &pipe_t_int);
    j->keybuf = pipe_xcalloc(1, key->size + 16);
    j->outbuf = pipe_xcalloc(1, out->size + 16);
    j->ybuf = pipe_xcalloc(1, y->size + 16);
    pipe_node_gate(&j->node, 0);
    return &j->node;
}
