/* arena.c — bump allocation in blocks (the per-item scratch arena and owners'
 * arenas), the runtime's checked malloc wrappers and stages' memory budgets. */
#include <stdio.h>
#include <stdlib.h>

#include "rt_impl.h"

#define BLOCK_MIN ((size_t)64 << 10)
#define BLOCK_MAX ((size_t)1 << 20)

struct PipeArenaBlock {
    PipeArenaBlock *next;
    size_t size;
    PipeMap *map; /* a block of no bytes that holds a map (pipe_map_scratch) */
    _Alignas(16) char data[];
};

RT_THREAD_LOCAL PipeRt *pipe_rt_current;

/* During a run (or the build of its DAG) a runtime error of its oom_stage
 * when known, else of the run, which no error policy catches: what was
 * processed is written out and the trace gets its error record.  Outside one,
 * or when the report itself ran out, a message and exit 1.  Nothing on the way
 * to the unwind allocates (the message is built in fixed buffers). */
void pipe_out_of_memory(size_t n)
{
    char msg[80] = "out of memory"; /* n 0: the size is not known (PCRE2) */
    if (n)
        snprintf(msg, sizeof msg, "out of memory (allocating %zu bytes)", n);
    PipeRt *rt = pipe_rt_current;
    PipeNode *stage = rt ? rt->oom_stage : NULL;
    pipe_oom_blame(NULL);
    if (rt && !rt->failing && !rt->oom) {
        rt->oom = true; /* pipe_run clears it once unwound */
        pipe_rt_fail_fatal(rt, stage, msg);
    }
    fprintf(stderr, "pipec: error: %s\n", msg);
    exit(1);
}

/* realloc for memory that stage n keeps: a failure is n's runtime error. */
void *pipe_stage_realloc(PipeNode *n, void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        pipe_oom_blame(n);
        pipe_out_of_memory(size);
    }
    return q;
}

/* a * b for an allocation of stage n; past size_t it cannot be had. */
size_t pipe_stage_mul(PipeNode *n, size_t a, size_t b)
{
    if (b && a > (size_t)-1 / b) {
        pipe_oom_blame(n);
        pipe_out_of_memory((size_t)-1);
    }
    return a * b;
}

/* Charges (or refunds) the change of a part of n's memory from old to now
 * bytes; past --mem-limit (when given) a runtime error of n, which no error
 * policy catches: "WHAT need more than --mem-limit=N bytes". */
void pipe_node_charge(PipeNode *n, size_t old, size_t now, const char *what)
{
    RtNode *h = hdr(n);
    h->mem += now - old; /* unsigned: a shrink wraps back down */
    size_t lim = n->rt->mem_limit;
    if (RT_UNLIKELY(lim && now > old && h->mem > lim)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s need more than --mem-limit=%zu bytes", what, lim);
        pipe_rt_fail_fatal(n->rt, n, msg);
    }
}

/* About the bytes that a clone of v (of type t) holds beyond t->size: its
 * strings (rounded as arenas round them), lists and maps, for --mem-limit. */
size_t pipe_value_deep(const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: return (((const PipeStr *)v)->n + 15) & ~(size_t)15;
    case PIPE_K_OPT: return pipe_opt_some(t, v) ? pipe_value_deep(t->elem, v) : 0;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD: {
        size_t n = 0;
        for (uint32_t i = 0; i < t->nfields; i++)
            n += pipe_value_deep(t->fields[i], (const char *)v + t->offsets[i]);
        return n;
    }
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)v;
        if (!l)
            return 0;
        size_t es = t->elem->size, n = 64 + ((l->len * es + 15) & ~(size_t)15);
        PipeKind ek = t->elem->kind;
        if (ek != PIPE_K_INT && ek != PIPE_K_FLOAT && ek != PIPE_K_BOOL)
            for (size_t i = 0; i < l->len; i++)
                n += pipe_value_deep(t->elem, (const char *)l->data + i * es);
        return n;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET: {
        PipeMap *m = *(PipeMap *const *)v;
        size_t es = t->elem->size + (t->val ? t->val->size : 0);
        return m ? 128 + pipe_map_len(m) * (es + 48) : 0;
    }
    default: return 0;
    }
}

/* Returns n bytes from malloc (out of memory: pipe_out_of_memory). */
void *pipe_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        pipe_out_of_memory(n ? n : 1);
    return p;
}

/* Resizes p to n bytes (out of memory: pipe_out_of_memory). */
void *pipe_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        pipe_out_of_memory(n);
    return q;
}

/* Returns n * size zeroed bytes (out of memory: pipe_out_of_memory). */
void *pipe_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        pipe_out_of_memory(n * size);
    return p;
}

/* Returns a NUL-terminated heap copy of [p, p+n). */
char *pipe_xstrndup(const char *p, size_t n)
{
    char *s = pipe_xmalloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static PipeArenaBlock *block_new(size_t size)
{
    PipeArenaBlock *b = pipe_xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->map = NULL;
    return b;
}

/* Allocates n bytes (a multiple of 16) when the current block is full.  Big
 * requests get a block of their own, pushed like any block, while cur/end keep
 * pointing into the previous one so its rest stays in use.  The oldest block
 * is always a standard one (created first), and it is the one reset keeps. */
void *pipe_arena_grow(PipeArena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->blocks) {
        PipeArenaBlock *b = block_new(BLOCK_MIN);
        a->blocks = b;
        a->cur = b->data;
        a->end = b->data + b->size;
    }
    if ((size_t)(a->end - a->cur) >= n) {
        void *p = a->cur;
        a->cur += n;
        return p;
    }
    if (n > BLOCK_MIN / 4) {
        PipeArenaBlock *b = block_new(n);
        b->next = a->blocks;
        a->blocks = b;
        return b->data;
    }
    /* the newest block may be a map literal's, of no bytes (pipe_map_scratch):
     * a standard block is never smaller than the first one */
    size_t size = a->blocks->size * 2;
    if (size < BLOCK_MIN)
        size = BLOCK_MIN;
    if (size > BLOCK_MAX)
        size = BLOCK_MAX;
    PipeArenaBlock *b = block_new(size);
    b->next = a->blocks;
    a->blocks = b;
    a->cur = b->data + n;
    a->end = b->data + b->size;
    return b->data;
}

/* A map or set that lives as long as what arena a holds now: a map or set
 * literal of the language, made per item in the scratch arena, is freed when
 * the arena is reset.  It hangs off a block of its own, never the oldest one
 * (which reset keeps), pushed as a big request's is. */
PipeMap *pipe_map_scratch(PipeArena *a, const PipeType *key, const PipeType *val)
{
    if (!a->blocks)
        (void)pipe_arena_grow(a, 16);
    PipeArenaBlock *b = block_new(0);
    b->map = pipe_map_new(key, val);
    b->next = a->blocks;
    a->blocks = b;
    return b->map;
}

/* The bytes of every block of a. */
size_t pipe_arena_size(const PipeArena *a)
{
    size_t n = 0;
    for (const PipeArenaBlock *b = a->blocks; b; b = b->next)
        n += sizeof *b + b->size;
    return n;
}

/* Frees every block but the oldest, which becomes empty; O(1) when it is the only one. */
void pipe_arena_reset(PipeArena *a)
{
    PipeArenaBlock *b = a->blocks;
    if (!b)
        return;
    while (b->next) {
        PipeArenaBlock *next = b->next;
        pipe_map_free(b->map);
        free(b);
        b = next;
    }
    a->blocks = b;
    a->cur = b->data;
    a->end = b->data + b->size;
}

/* Frees every block; the arena is empty and reusable afterwards. */
void pipe_arena_free(PipeArena *a)
{
    PipeArenaBlock *b = a->blocks;
    while (b) {
        PipeArenaBlock *next = b->next;
        pipe_map_free(b->map);
        free(b);
        b = next;
    }
    a->blocks = NULL;
    a->cur = a->end = NULL;
}
