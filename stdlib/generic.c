/* generic.c — the processors of LANGUAGE.md §6 that work on any T and keep T:
 * pass, head, tail, skip, uniq, distinct, sort, top. */
#include "pipe_std.h"
#include "rt_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------------------------------ helpers */

/* Memory of no stage's own (a temporary path): running out is the run's error. */
static void *gen_realloc(void *p, size_t n)
{
    return pipe_xrealloc(p, n);
}

/* pipe_clone of src into dst (in a, or on the heap when a is NULL) for
 * stage n, which keeps it: running out of memory there is n's error. */
static void gen_keep(PipeNode *n, const PipeType *t, void *dst, const void *src, PipeArena *a)
{
    pipe_oom_blame(n);
    pipe_clone(t, dst, src, a);
    pipe_oom_blame(NULL);
}

static void gen_nop_free(PipeNode *self)
{
    (void)self;
}

/* A node whose state is a count (head, skip) or nothing (pass). */
typedef struct CountNode {
    PipeNode node;
    int64_t n, seen;
} CountNode;

static CountNode *gen_node(PipeRt *rt, PipePos pos, size_t size, const char *name,
                           const PipeType *t)
{
    CountNode *c = (CountNode *)pipe_node_new(rt, size, name, pos);
    c->node.free = gen_nop_free;
    c->node.in = c->node.out = t;
    return c;
}

/* ------------------------------------------------------------------ pass, head, skip */

static void pass_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    pipe_emit(self, item);
}

PipeNode *pipe_std_pass(PipeRt *rt, PipePos pos, const PipeType *t)
{
    CountNode *c = gen_node(rt, pos, sizeof(CountNode), "pass", t);
    c->node.push = pass_push;
    return &c->node;
}

/* After its n items head closes (pipe_close): its outputs end now and sources
 * that feed nothing else stop, so `yes | head` ends; a source that still feeds
 * a fan-out sibling goes on, and head drops what it is still given. */
static void head_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CountNode *c = (CountNode *)self;
    if (c->seen >= c->n) {
        if (c->seen == c->n) { /* head(0) or less: closes on its first item */
            c->seen++;
            pipe_close(self);
        }
        return;
    }
    c->seen++;
    pipe_emit(self, item);
    if (c->seen == c->n) {
        c->seen++;
        pipe_close(self);
    }
}

PipeNode *pipe_std_head(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n)
{
    CountNode *c = gen_node(rt, pos, sizeof(CountNode), "head", t);
    c->node.push = head_push;
    c->n = n > 0 ? n : 0;
    return &c->node;
}

static void skip_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CountNode *c = (CountNode *)self;
    if (c->seen < c->n)
        c->seen++;
    else
        pipe_emit(self, item);
}

PipeNode *pipe_std_skip(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n)
{
    CountNode *c = gen_node(rt, pos, sizeof(CountNode), "skip", t);
    c->node.push = skip_push;
    c->n = n;
    return &c->node;
}

/* ------------------------------------------------------------------ tail */

/* The last n items as heap clones in a ring that grows up to n slots (so that
 * tail(1000000) of a short input costs what the input costs).  The ring and
 * the items' strings and lists count toward --mem-limit. */
typedef struct TailNode {
    PipeNode node;
    const PipeType *t;
    size_t n;     /* wanted */
    char *slots;  /* cap slots of t->size */
    size_t cap, len, head; /* ring: oldest at head */
    size_t deep;  /* bytes the items hold beyond their slots (pipe_value_deep) */
    bool counted; /* a --mem-limit was given: deep is kept (else 0) */
} TailNode;

#define TAIL_WHAT "the items it keeps"

/* Clones item into slot, which held an item of old deep bytes (0: none, or
 * dropped already), charging the change first when counted. */
static void tail_keep(TailNode *tl, char *slot, const void *item, size_t old)
{
    if (RT_UNLIKELY(tl->counted)) {
        size_t d = pipe_value_deep(tl->t, item), ring = tl->cap * tl->t->size;
        pipe_node_charge(&tl->node, ring + tl->deep, ring + tl->deep - old + d, TAIL_WHAT);
        tl->deep += d - old;
    }
    gen_keep(&tl->node, tl->t, slot, item, NULL);
}

static void tail_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    TailNode *tl = (TailNode *)self;
    size_t sz = tl->t->size;
    if (tl->n == 0)
        return;
    if (tl->len < tl->n) {
        if (tl->len == tl->cap) { /* ring not yet wrapped: head == 0 */
            size_t cap = tl->cap ? tl->cap * 2 : 16;
            if (cap > tl->n)
                cap = tl->n;
            size_t bytes = pipe_stage_mul(self, cap, sz);
            pipe_node_charge(self, tl->cap * sz, bytes, TAIL_WHAT);
            tl->slots = pipe_stage_realloc(self, tl->slots, bytes);
            tl->cap = cap;
        }
        tail_keep(tl, tl->slots + tl->len * sz, item, 0);
        tl->len++;
        return;
    }
    char *slot = tl->slots + tl->head * sz;
    size_t old = tl->counted ? pipe_value_deep(tl->t, slot) : 0;
    pipe_drop(tl->t, slot);
    tail_keep(tl, slot, item, old);
    tl->head = (tl->head + 1) % tl->len;
}

static void tail_release(TailNode *tl)
{
    size_t sz = tl->t->size;
    for (size_t i = 0; i < tl->len; i++)
        pipe_drop(tl->t, tl->slots + i * sz);
    pipe_node_charge(&tl->node, tl->cap * sz + tl->deep, 0, TAIL_WHAT);
    free(tl->slots);
    tl->slots = NULL;
    tl->len = tl->cap = tl->head = 0;
    tl->deep = 0;
}

static void tail_finish(PipeNode *self)
{
    TailNode *tl = (TailNode *)self;
    size_t sz = tl->t->size;
    for (size_t i = 0; i < tl->len; i++) {
        pipe_emit(self, tl->slots + ((tl->head + i) % tl->len) * sz);
        pipe_item_done(self->rt);
    }
    tail_release(tl);
}

static void tail_free(PipeNode *self)
{
    tail_release((TailNode *)self);
}

int64_t pipe_std_tail_want(const PipeNode *n)
{
    return n->push == tail_push ? (int64_t)((const TailNode *)n)->n : -1;
}

PipeNode *pipe_std_tail(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n)
{
    TailNode *tl = (TailNode *)gen_node(rt, pos, sizeof(TailNode), "tail", t);
    tl->node.push = tail_push;
    tl->node.finish = tail_finish;
    tl->node.free = tail_free;
    tl->t = t;
    tl->n = n > 0 ? (size_t)n : 0;
    tl->counted = rt->mem_limit != 0; /* set before the DAG is built */
    return &tl->node;
}

/* ------------------------------------------------------------------ uniq */

typedef struct UniqNode {
    PipeNode node;
    const PipeType *t;
    bool have;
    void *last; /* heap clone of the last item emitted */
} UniqNode;

static void uniq_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    UniqNode *u = (UniqNode *)self;
    if (u->have) {
        if (pipe_eq(u->t, u->last, item))
            return;
        pipe_drop(u->t, u->last);
    }
    gen_keep(self, u->t, u->last, item, NULL);
    u->have = true;
    pipe_emit(self, item);
}

static void uniq_free(PipeNode *self)
{
    UniqNode *u = (UniqNode *)self;
    if (u->have)
        pipe_drop(u->t, u->last);
    u->have = false;
    free(u->last);
    u->last = NULL;
}

PipeNode *pipe_std_uniq(PipeRt *rt, PipePos pos, const PipeType *t)
{
    UniqNode *u = (UniqNode *)gen_node(rt, pos, sizeof(UniqNode), "uniq", t);
    u->node.push = uniq_push;
    u->node.free = uniq_free;
    u->t = t;
    u->last = pipe_stage_realloc(&u->node, NULL, t->size);
    return &u->node;
}

/* ------------------------------------------------------------------ distinct */

typedef struct DistinctNode {
    PipeNode node;
    PipeMap *seen; /* a set of T */
} DistinctNode;

static void distinct_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    DistinctNode *d = (DistinctNode *)self;
    bool created = false;
    pipe_map_upsert(d->seen, item, &created);
    if (created)
        pipe_emit(self, item);
}

static void distinct_free(PipeNode *self)
{
    DistinctNode *d = (DistinctNode *)self;
    if (d->seen)
        pipe_map_free(d->seen);
    d->seen = NULL;
}

static void distinct_finish(PipeNode *self)
{
    distinct_free(self); /* early: the rest of the run may need the memory */
}

PipeNode *pipe_std_distinct(PipeRt *rt, PipePos pos, const PipeType *t)
{
    DistinctNode *d = (DistinctNode *)gen_node(rt, pos, sizeof(DistinctNode), "distinct", t);
    d->node.push = distinct_push;
    d->node.finish = distinct_finish;
    d->node.free = distinct_free;
    d->seen = pipe_map_new_in(&d->node, t, NULL);
    return &d->node;
}

/* ------------------------------------------------------------------ keys */

/* Sort keys are compared through a 64-bit prefix first: for str its chunk at
 * 0 (key_str_chunk), for int the value with its sign bit flipped, for bool the
 * value; for a tuple, that of its first field.  Different prefixes order their
 * keys exactly; equal prefixes fall back to pipe_cmp unless the prefix is the
 * whole key (int, bool, a str chunk that says the str ends in it). */
typedef enum KeyShape { KEY_GENERIC, KEY_STR, KEY_INT, KEY_BOOL } KeyShape;

typedef struct KeyInfo {
    const PipeType *t;
    KeyShape shape; /* of the whole key or of its first field */
    uint32_t off;   /* of the prefix field in the key */
    bool exact;     /* equal prefixes mean equal keys */
} KeyInfo;

static KeyShape key_shape(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_STR: return KEY_STR;
    case PIPE_K_INT: return KEY_INT;
    case PIPE_K_BOOL: return KEY_BOOL;
    default: return KEY_GENERIC;
    }
}

static KeyInfo key_info(const PipeType *t)
{
    KeyInfo k = {t, key_shape(t), 0, false};
    k.exact = k.shape == KEY_INT || k.shape == KEY_BOOL;
    if ((t->kind == PIPE_K_TUPLE || t->kind == PIPE_K_RECORD) && t->nfields > 0) {
        k.shape = key_shape(t->fields[0]);
        k.off = t->offsets[0];
        k.exact = false;
    }
    return k;
}

/* The chunk of str s at byte d: bytes [d, d+7) big-endian, zero padded, then
 * one byte min(bytes from d on, 8).  For strs whose first d bytes agree,
 * chunks order them as their bytes do (a zero of padding ties with a NUL byte,
 * and the length byte then puts the shorter str, a prefix of the other,
 * first); equal chunks with a length byte under 8 mean equal strs, and with 8
 * that both go on past d+7.  So an MSD radix sort needs no other comparison. */
static uint64_t key_str_chunk(const PipeStr *s, size_t d)
{
    size_t rem = s->n > d ? s->n - d : 0;
    const unsigned char *p = (const unsigned char *)s->p + d;
    uint64_t v = 0;
    if (rem >= 8) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&v, p, 8);
        v = __builtin_bswap64(v);
#else
        for (size_t i = 0; i < 8; i++)
            v = v << 8 | p[i];
#endif
        return (v & ~(uint64_t)0xff) | 8;
    }
    for (size_t i = 0; i < 7; i++)
        v = v << 8 | (i < rem ? p[i] : 0);
    return v << 8 | rem;
}

static uint64_t key_prefix(const KeyInfo *k, const void *key)
{
    const char *f = (const char *)key + k->off;
    switch (k->shape) {
    case KEY_STR: return key_str_chunk((const PipeStr *)f, 0);
    case KEY_INT: {
        int64_t x;
        memcpy(&x, f, sizeof x);
        return (uint64_t)x ^ ((uint64_t)1 << 63);
    }
    case KEY_BOOL: return *(const bool *)f ? 1 : 0;
    default: return 0;
    }
}

static int key_str_cmp(const PipeStr *a, const PipeStr *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->p, b->p, n) : 0;
    if (c)
        return c;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* Full comparison once the prefixes are equal. */
static int key_cmp(const KeyInfo *k, const void *a, const void *b)
{
    if (k->exact)
        return 0;
    if (k->shape == KEY_STR && k->t->kind == PIPE_K_STR) {
        const PipeStr *x = a, *y = b;
        if (x->n < 8 || y->n < 8) /* equal chunks: one ends in them, both do */
            return 0;
        PipeStr xs = {x->p + 7, x->n - 7}, ys = {y->p + 7, y->n - 7}; /* 7 bytes agree */
        return key_str_cmp(&xs, &ys);
    }
    return pipe_cmp(k->t, a, b);
}

/* ------------------------------------------------------------------ sort */

/* One entry per item: the prefix of its key and its input position.  Sorting
 * these 16-byte entries keeps most comparisons inside one array. */
typedef struct SortEnt {
    uint64_t pre;
    size_t idx;
} SortEnt;

/* A sorted run written to an unlinked temporary file (see "sort: spilling"). */
typedef struct SpillRun {
    int fd;
    unsigned level; /* 0: written from memory; L+1: a merge of runs of level L */
} SpillRun;

/* The current record of one source of a merge: a run file read through buf, or
 * (fd < 0) the sorted items still in memory, from ents[mi]. */
typedef struct SpillReader {
    int fd;
    char *buf;
    size_t cap, pos, end; /* bytes [pos, end) of buf are read, not consumed */
    size_t reclen;        /* the current record is [pos, pos + reclen) */
    char *item, *key;     /* decoded current item and key (str point into buf) */
    const void *it, *k;   /* the current item and its key */
    uint64_t pre;         /* key_prefix of k */
    size_t mi;
    PipeArena arena;      /* lists of the current record */
} SpillReader;

/* Items are deep clones in the node's arena, stored in one growing array; keys
 * (computed once, at push) likewise.  finish() merge-sorts the entries (stable),
 * then emits the items in order.  Past the memory budget the sorted items go
 * to a run file and finish() merges the runs. */
typedef struct SortNode {
    PipeNode node;
    const PipeType *t;
    PipeKeyFn key;
    void *env;
    KeyInfo ki;
    bool desc;
    bool heap;        /* items are heap clones (they hold maps), not arena ones */
    bool nospill;     /* items or keys hold maps: they cannot be written to a file */
    PipeArena arena;  /* deep parts of items and keys */
    char *items, *keys; /* keys == NULL: the item is the key */
    SortEnt *ents, *tmp;
    size_t *hist;     /* sort_lsd's counts, 8 x 256, while sorting */
    size_t len, cap;
    size_t limit;     /* memory budget in bytes (pipe_mem_limit) */
    size_t per;       /* bytes per slot of the arrays: item, key, entry, merge room */
    size_t deep;      /* bytes of the items' and keys' deep parts (strings, lists) */
    size_t bufsz;     /* read and write buffer of one run file */
    SpillRun *runs;   /* in input order */
    size_t nruns, capruns;
    SpillReader *rd;  /* the sources of the merge in progress */
    size_t nrd;
    size_t *hp;       /* the merge heap: indexes of rd */
    char *enc;        /* the record being encoded */
    size_t enclen, enccap;
    int wfd;          /* the run file being written, else -1 */
    char *wbuf;
    size_t wlen;
    /* fused with the top it feeds (sort_open): the key of the item in flight */
    void *cur;
    const void *curkey; /* cur, or the item itself when there is no key fn */
} SortNode;

/* True when the bytes of str k lie inside a str of value v (of type t), so that
 * k lives as long as v. */
static bool gen_str_within(const PipeType *t, const void *v, const PipeStr *k)
{
    if (t->kind == PIPE_K_STR) {
        const PipeStr *s = v;
        uintptr_t a = (uintptr_t)s->p, b = (uintptr_t)k->p;
        return k->n == 0 || (s->n && b >= a && b + k->n <= a + s->n);
    }
    if (t->kind == PIPE_K_TUPLE || t->kind == PIPE_K_RECORD)
        for (uint32_t i = 0; i < t->nfields; i++)
            if (gen_str_within(t->fields[i], (const char *)v + t->offsets[i], k))
                return true;
    if (t->kind == PIPE_K_OPT && pipe_opt_some(t, v))
        return gen_str_within(t->elem, v, k);
    return false;
}

static void sort_spill(SortNode *s);

static void sort_grow(SortNode *s)
{
    if (s->cap && !s->nospill && 2 * s->cap * s->per + s->deep > s->limit) {
        sort_spill(s); /* doubling the arrays would pass the budget */
        if (s->len < s->cap)
            return;
    }
    size_t isz = s->t->size, ksz = s->ki.t->size;
    size_t cap = s->cap ? s->cap * 2 : 1024;
    if (!s->cap && cap * s->per > s->limit / 4)
        cap = s->limit / 4 / s->per > 16 ? s->limit / 4 / s->per : 16;
    s->items = pipe_stage_realloc(&s->node, s->items, pipe_stage_mul(&s->node, cap, isz));
    if (s->key)
        s->keys = pipe_stage_realloc(&s->node, s->keys, pipe_stage_mul(&s->node, cap, ksz));
    s->ents = pipe_stage_realloc(&s->node, s->ents, pipe_stage_mul(&s->node, cap, sizeof(SortEnt)));
    s->cap = cap;
}

static void sort_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    SortNode *s = (SortNode *)self;
    size_t isz = s->t->size, ksz = s->ki.t->size;
    if (s->len == s->cap)
        sort_grow(s);
    char *it = s->items + s->len * isz;
    gen_keep(self, s->t, it, item, s->heap ? NULL : &s->arena);
    s->deep += pipe_value_deep(s->t, it);
    const void *k = it;
    if (s->key) {
        /* The key fn may build its result in scratch, which is reset after the
         * item: keep a copy, unless it is a slice of the (cloned) item itself. */
        char *kp = s->keys + s->len * ksz;
        memset(kp, 0, ksz);
        s->key(s->env, it, kp, pipe_scratch(self->rt));
        if (s->heap) {
            gen_keep(self, s->ki.t, kp, kp, NULL); /* dropped with the item */
            s->deep += pipe_value_deep(s->ki.t, kp);
        } else if (!(s->ki.t->kind == PIPE_K_STR && gen_str_within(s->t, it, (const PipeStr *)kp))) {
            gen_keep(self, s->ki.t, kp, kp, &s->arena);
            s->deep += pipe_value_deep(s->ki.t, kp);
        }
        k = kp;
    }
    s->ents[s->len] = (SortEnt){key_prefix(&s->ki, k), s->len};
    s->len++;
    if (s->cap * s->per + s->deep > s->limit)
        sort_spill(s);
}

static const void *sort_key_at(const SortNode *s, size_t idx)
{
    return s->keys ? s->keys + idx * s->ki.t->size : s->items + idx * s->t->size;
}

/* <0 when a goes first; 0 only for equal keys (the merge then keeps input
 * order).  At a depth d > 0 (sort_radix) the key is a str whose first d bytes
 * a and b share, and pre is its chunk at d. */
static int sort_cmp(const SortNode *s, const SortEnt *a, const SortEnt *b, size_t d)
{
    int c;
    if (a->pre != b->pre) {
        c = a->pre < b->pre ? -1 : 1;
    } else if (d == 0) {
        c = key_cmp(&s->ki, sort_key_at(s, a->idx), sort_key_at(s, b->idx));
    } else if ((a->pre & 0xff) < 8) {
        c = 0; /* both end in the chunk: equal */
    } else {
        const PipeStr *x = sort_key_at(s, a->idx), *y = sort_key_at(s, b->idx);
        PipeStr xs = {x->p + d + 7, x->n - d - 7}, ys = {y->p + d + 7, y->n - d - 7};
        c = key_str_cmp(&xs, &ys);
    }
    return s->desc ? -c : c;
}

/* Stable bottom-up merge sort of v[0..n) at depth d using tmp[0..n). */
static void sort_entries(const SortNode *s, SortEnt *v, SortEnt *tmp, size_t n, size_t d)
{
    /* Insertion-sort runs of 16 first: cheap and stable. */
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            SortEnt e = v[i];
            size_t j = i;
            while (j > lo && sort_cmp(s, &e, &v[j - 1], d) < 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = e;
        }
    }
    SortEnt *src = v, *dst = tmp;
    for (size_t w = run; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            if (mid < hi && sort_cmp(s, &src[mid - 1], &src[mid], d) <= 0) {
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof *src); /* already ordered */
                continue;
            }
            while (i < mid && j < hi)
                dst[k++] = sort_cmp(s, &src[j], &src[i], d) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        SortEnt *x = src;
        src = dst;
        dst = x;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

/* Smaller groups, and str keys that still agree after SORT_RADIX_LEVELS
 * chunks, are merge-sorted by comparisons. */
#define SORT_RADIX_MIN 64
#define SORT_RADIX_LEVELS 64

/* Stable LSD radix sort of v[0..n) by pre (reversed for desc), a byte at a
 * time, skipping the bytes in which all entries agree. */
static void sort_lsd(SortNode *s, SortEnt *v, SortEnt *tmp, size_t n)
{
    if (!s->hist)
        s->hist = pipe_stage_realloc(&s->node, NULL, 8 * 256 * sizeof *s->hist);
    size_t *h = s->hist;
    memset(h, 0, 8 * 256 * sizeof *h);
    uint64_t flip = s->desc ? ~(uint64_t)0 : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = v[i].pre ^ flip;
        for (unsigned b = 0; b < 8; b++)
            h[b * 256 + ((x >> (8 * b)) & 0xff)]++;
    }
    SortEnt *src = v, *dst = tmp;
    for (unsigned b = 0; b < 8; b++) {
        size_t *c = h + b * 256;
        if (c[((src[0].pre ^ flip) >> (8 * b)) & 0xff] == n)
            continue;
        size_t sum = 0;
        for (unsigned k = 0; k < 256; k++) {
            size_t x = c[k];
            c[k] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[((src[i].pre ^ flip) >> (8 * b)) & 0xff]++] = src[i];
        SortEnt *x = src;
        src = dst;
        dst = x;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

/* Stable sort of v[0..n) (all agreeing on the first d bytes of their str keys
 * when d > 0) using tmp[0..n): radix by pre, then each group of equal pre that
 * may hold different keys by the str's next chunk (MSD), or by comparisons
 * when the key is not a str.  pre is what it was on return. */
static void sort_radix(SortNode *s, SortEnt *v, SortEnt *tmp, size_t n, size_t d, unsigned level)
{
    if (n < SORT_RADIX_MIN || level > SORT_RADIX_LEVELS || s->ki.shape == KEY_GENERIC) {
        sort_entries(s, v, tmp, n, d);
        return;
    }
    sort_lsd(s, v, tmp, n);
    if (s->ki.exact)
        return;
    bool str = s->ki.t->kind == PIPE_K_STR;
    for (size_t i = 0, j; i < n; i = j) {
        uint64_t pre = v[i].pre;
        for (j = i + 1; j < n && v[j].pre == pre;)
            j++;
        if (j - i < 2 || (str && (pre & 0xff) < 8))
            continue; /* one entry, or equal strs */
        if (!str) {
            sort_entries(s, v + i, tmp + i, j - i, 0);
            continue;
        }
        for (size_t k = i; k < j; k++)
            v[k].pre = key_str_chunk(sort_key_at(s, v[k].idx), d + 7);
        sort_radix(s, v + i, tmp + i, j - i, d + 7, level + 1);
        for (size_t k = i; k < j; k++)
            v[k].pre = pre;
    }
}

/* Sorts the entries of the items held. */
static void sort_in_memory(SortNode *s)
{
    if (s->len < 2)
        return;
    s->tmp = pipe_stage_realloc(&s->node, NULL, pipe_stage_mul(&s->node, s->len, sizeof(SortEnt)));
    sort_radix(s, s->ents, s->tmp, s->len, 0, 0);
    free(s->tmp); /* tmp (counted in per) and hist (16 KiB) live only while sorting */
    free(s->hist);
    s->tmp = NULL;
    s->hist = NULL;
}

/* Before the items are read in sorted order (emitted, written to a run), at
 * random places: asks for the slot of entry i + 16 and the bytes of the str
 * item at i + 8 (its slot asked for 8 items ago), so that the memory latency
 * overlaps the work on the items before. */
static void sort_prefetch(const SortNode *s, size_t i)
{
#if defined(__GNUC__)
    size_t isz = s->t->size;
    if (i + 16 < s->len)
        __builtin_prefetch(s->items + s->ents[i + 16].idx * isz);
    if (i + 8 < s->len && s->t->kind == PIPE_K_STR) {
        const PipeStr *x = (const PipeStr *)(s->items + s->ents[i + 8].idx * isz);
        __builtin_prefetch(x->p);
        if (x->n > 64)
            __builtin_prefetch(x->p + 64);
    }
#else
    (void)s;
    (void)i;
#endif
}

/* Frees the items held (not the arrays). */
static void sort_drop_items(SortNode *s)
{
    for (size_t i = 0; s->heap && i < s->len; i++) {
        pipe_drop(s->t, s->items + i * s->t->size);
        if (s->keys)
            pipe_drop(s->ki.t, s->keys + i * s->ki.t->size);
    }
    s->len = 0;
    s->deep = 0;
    pipe_arena_free(&s->arena);
    memset(&s->arena, 0, sizeof s->arena);
}

static void spill_readers_free(SortNode *s)
{
    for (size_t i = 0; i < s->nrd; i++) {
        SpillReader *r = &s->rd[i];
        free(r->buf);
        free(r->item);
        free(r->key);
        pipe_arena_free(&r->arena);
    }
    free(s->rd);
    free(s->hp);
    s->rd = NULL;
    s->hp = NULL;
    s->nrd = 0;
}

static void sort_release(SortNode *s)
{
    sort_drop_items(s);
    free(s->items);
    free(s->keys);
    free(s->ents);
    free(s->tmp);
    free(s->hist);
    s->hist = NULL;
    s->items = s->keys = NULL;
    s->ents = s->tmp = NULL;
    s->cap = 0;
    spill_readers_free(s);
    for (size_t i = 0; i < s->nruns; i++)
        close(s->runs[i].fd);
    free(s->runs);
    s->runs = NULL;
    s->nruns = s->capruns = 0;
    if (s->wfd >= 0)
        close(s->wfd);
    s->wfd = -1;
    free(s->wbuf);
    free(s->enc);
    s->wbuf = s->enc = NULL;
    s->wlen = s->enclen = s->enccap = 0;
}

/* ------------------------------------------------------------------ sort: spilling */

/* Past its memory budget (pipe_mem_limit) sort sorts what it holds, writes it
 * as a run to a temporary file (unlinked at once, so nothing is left behind)
 * and frees it.  finish() merges the runs and what is still in memory with a
 * heap; equal keys come from the earlier run first, so the sort stays stable.
 * Whenever SPILL_FANIN consecutive runs have one level they are merged into one
 * run of the next level, so few files are open and each item is rewritten
 * about log64(runs) times.  A record is: its length (varint), the item, then
 * its key when sort has a key function.  Values: str = length (varint) and
 * bytes, int and float = 8 bytes, bool = 1 byte, tuple = its fields, list =
 * length (varint) and elements.  Maps and sets are not written. */

#define SPILL_FANIN 64

static _Noreturn void spill_fail_errno(SortNode *s, const char *what)
{
    char m[256];
    snprintf(m, sizeof m, "cannot %s a temporary file: %s", what, strerror(errno));
    pipe_fail(&s->node, m);
}

/* A new temporary file, already unlinked (or never linked: O_TMPFILE). */
static int spill_tmpfile(SortNode *s)
{
    const char *dir = pipe_rt_spill_dir(s->node.rt);
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd < 0) {
        size_t n = strlen(dir);
        char *path = gen_realloc(NULL, n + 32);
        memcpy(path, dir, n);
        memcpy(path + n, "/pipe-sort-XXXXXX", 18);
        fd = mkstemp(path);
        int e = errno;
        if (fd >= 0)
            unlink(path);
        free(path);
        errno = e;
    }
    if (fd < 0) {
        char m[512];
        snprintf(m, sizeof m, "cannot create a temporary file in %.300s: %s", dir, strerror(errno));
        pipe_fail(&s->node, m);
    }
    return fd;
}

static void spill_write_all(SortNode *s, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(s->wfd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            spill_fail_errno(s, "write");
        }
        if (w == 0) {
            errno = ENOSPC;
            spill_fail_errno(s, "write");
        }
        p += w;
        n -= (size_t)w;
    }
}

static void spill_wput(SortNode *s, const char *p, size_t n)
{
    if (s->bufsz - s->wlen < n) {
        spill_write_all(s, s->wbuf, s->wlen);
        s->wlen = 0;
        if (n > s->bufsz) {
            spill_write_all(s, p, n);
            return;
        }
    }
    memcpy(s->wbuf + s->wlen, p, n);
    s->wlen += n;
}

/* Starts writing a new run: s->wfd. */
static void spill_begin(SortNode *s)
{
    s->wfd = spill_tmpfile(s);
    if (!s->wbuf)
        s->wbuf = pipe_stage_realloc(&s->node, NULL, s->bufsz);
    s->wlen = 0;
}

/* Ends the run being written and adds it after runs [0, keep) (closing the
 * others) at level. */
static void spill_end(SortNode *s, size_t keep, unsigned level)
{
    spill_write_all(s, s->wbuf, s->wlen);
    s->wlen = 0;
    if (lseek(s->wfd, 0, SEEK_SET) < 0)
        spill_fail_errno(s, "rewind");
    free(s->wbuf);
    s->wbuf = NULL;
    while (s->nruns > keep)
        close(s->runs[--s->nruns].fd);
    if (s->nruns == s->capruns) {
        s->capruns = s->capruns ? s->capruns * 2 : 16;
        s->runs = pipe_stage_realloc(&s->node, s->runs, pipe_stage_mul(&s->node, s->capruns, sizeof *s->runs));
    }
    s->runs[s->nruns++] = (SpillRun){s->wfd, level};
    s->wfd = -1;
}

static size_t spill_varint(char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (char)v;
    return n;
}

/* Reads a varint from [p, p+n); returns its length, 0 when it is cut or too long. */
static size_t spill_get_varint(const char *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        unsigned char c = (unsigned char)p[i];
        x |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

static void spill_enc_put(SortNode *s, const void *p, size_t n)
{
    if (s->enccap - s->enclen < n) {
        size_t cap = s->enccap ? s->enccap : 256;
        while (cap - s->enclen < n)
            cap = pipe_stage_mul(&s->node, cap, 2);
        s->enc = pipe_stage_realloc(&s->node, s->enc, cap);
        s->enccap = cap;
    }
    if (n)
        memcpy(s->enc + s->enclen, p, n);
    s->enclen += n;
}

static void spill_enc_varint(SortNode *s, uint64_t v)
{
    char t[10];
    spill_enc_put(s, t, spill_varint(t, v));
}

static void spill_enc(SortNode *s, const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        const PipeStr *x = v;
        spill_enc_varint(s, x->n);
        spill_enc_put(s, x->p, x->n);
        return;
    }
    case PIPE_K_INT:
    case PIPE_K_FLOAT: spill_enc_put(s, v, 8); return;
    case PIPE_K_BOOL: {
        char c = *(const bool *)v ? 1 : 0;
        spill_enc_put(s, &c, 1);
        return;
    }
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            spill_enc(s, t->fields[i], (const char *)v + t->offsets[i]);
        return;
    case PIPE_K_OPT: { /* the flag, then the value when there is one */
        char some = pipe_opt_some(t, v) ? 1 : 0;
        spill_enc_put(s, &some, 1);
        if (some)
            spill_enc(s, t->elem, v);
        return;
    }
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)v;
        size_t n = l ? l->len : 0, es = t->elem->size;
        spill_enc_varint(s, n);
        for (size_t i = 0; i < n; i++)
            spill_enc(s, t->elem, (const char *)l->data + i * es);
        return;
    }
    default: return; /* maps and sets: nospill */
    }
}

/* Decodes a value of t from [p, e) into dst; returns the end, NULL when the
 * bytes are not one.  str point into [p, e); lists come from r's arena. */
static const char *spill_dec(SpillReader *r, const PipeType *t, void *dst, const char *p, const char *e)
{
    uint64_t n;
    size_t h;
    switch (t->kind) {
    case PIPE_K_STR: {
        h = spill_get_varint(p, (size_t)(e - p), &n);
        if (!h || n > (uint64_t)(e - p - h))
            return NULL;
        PipeStr *d = dst;
        d->p = n ? p + h : "";
        d->n = (size_t)n;
        return p + h + n;
    }
    case PIPE_K_INT:
    case PIPE_K_FLOAT:
        if (e - p < 8)
            return NULL;
        memcpy(dst, p, 8);
        return p + 8;
    case PIPE_K_BOOL:
        if (e - p < 1)
            return NULL;
        *(bool *)dst = *p != 0;
        return p + 1;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        memset(dst, 0, t->size);
        for (uint32_t i = 0; p && i < t->nfields; i++)
            p = spill_dec(r, t->fields[i], (char *)dst + t->offsets[i], p, e);
        return p;
    case PIPE_K_OPT: /* none: all zero */
        memset(dst, 0, t->size);
        if (e - p < 1 || (unsigned char)*p > 1)
            return NULL;
        if (!*p++)
            return p;
        p = spill_dec(r, t->elem, dst, p, e);
        *((char *)dst + t->elem->size) = true;
        return p;
    case PIPE_K_LIST: {
        h = spill_get_varint(p, (size_t)(e - p), &n);
        if (!h || n > (uint64_t)(e - p))
            return NULL;
        p += h;
        size_t es = t->elem->size;
        PipeList *l = pipe_list_new(&r->arena, (uint32_t)es, (size_t)n);
        l->len = (size_t)n;
        for (size_t i = 0; p && i < l->len; i++)
            p = spill_dec(r, t->elem, (char *)l->data + i * es, p, e);
        *(PipeList **)dst = l;
        return p;
    }
    default: return NULL;
    }
}

/* Makes at least need bytes available at r->buf + r->pos when the file has
 * them; returns how many are. */
static size_t spill_fill(SortNode *s, SpillReader *r, size_t need)
{
    if (r->end - r->pos >= need)
        return r->end - r->pos;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    if (need > r->cap) {
        size_t cap = r->cap * 2 > need ? r->cap * 2 : need;
        r->buf = pipe_stage_realloc(&s->node, r->buf, cap);
        r->cap = cap;
    }
    while (r->end < need) {
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            spill_fail_errno(s, "read");
        }
        if (got == 0)
            break;
        r->end += (size_t)got;
    }
    return r->end - r->pos;
}

/* Moves r to its next record; false at its end. */
static bool spill_next(SortNode *s, SpillReader *r)
{
    if (r->fd < 0) {
        if (r->mi >= s->len)
            return false;
        sort_prefetch(s, r->mi);
        const SortEnt *e = &s->ents[r->mi++];
        r->it = s->items + e->idx * s->t->size;
        r->k = sort_key_at(s, e->idx);
        r->pre = e->pre;
        return true;
    }
    r->pos += r->reclen;
    r->reclen = 0;
    size_t have = spill_fill(s, r, 10);
    if (have == 0)
        return false;
    uint64_t len;
    size_t h = spill_get_varint(r->buf + r->pos, have, &len);
    if (!h || len > (uint64_t)((size_t)-1 / 2) || spill_fill(s, r, h + (size_t)len) < h + (size_t)len)
        pipe_fail(&s->node, "a temporary file was cut short or damaged");
    const char *p = r->buf + r->pos + h, *e = p + len;
    if (r->arena.blocks)
        pipe_arena_reset(&r->arena);
    p = spill_dec(r, s->t, r->item, p, e);
    if (p && s->key)
        p = spill_dec(r, s->ki.t, r->key, p, e);
    if (p != e)
        pipe_fail(&s->node, "a temporary file was cut short or damaged");
    r->reclen = h + (size_t)len;
    r->it = r->item;
    r->k = s->key ? r->key : r->item;
    r->pre = key_prefix(&s->ki, r->k);
    return true;
}

/* True when source a's record goes before source b's (equal keys: the
 * earlier source, which holds earlier input). */
/* Sifts entry i of the binary heap h[0..n) down; before(ctx, a, b) says that
 * a belongs nearer the root than b.  Shared by sort's run merge and top. */
static void heap_sift(size_t *h, size_t i, size_t n, bool (*before)(const void *, size_t, size_t),
                      const void *ctx)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && before(ctx, h[l], h[m]))
            m = l;
        if (l + 1 < n && before(ctx, h[l + 1], h[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
}

static bool spill_before(const SortNode *s, size_t a, size_t b)
{
    const SpillReader *x = &s->rd[a], *y = &s->rd[b];
    int c;
    if (x->pre != y->pre)
        c = x->pre < y->pre ? -1 : 1;
    else
        c = key_cmp(&s->ki, x->k, y->k);
    if (s->desc)
        c = -c;
    return c < 0 || (c == 0 && a < b);
}

static bool spill_heap_before(const void *s, size_t a, size_t b)
{
    return spill_before(s, a, b);
}

static void spill_sift(SortNode *s, size_t i, size_t n)
{
    heap_sift(s->hp, i, n, spill_heap_before, s);
}

/* Merges runs [first, first + n), then (mem) the sorted items in memory: into
 * the run being written (s->wfd) when to_file, else emitted. */
static void spill_merge(SortNode *s, size_t first, size_t n, bool mem, bool to_file)
{
    size_t nr = n + (mem ? 1 : 0), hn = 0;
    s->rd = pipe_stage_realloc(&s->node, NULL, pipe_stage_mul(&s->node, nr ? nr : 1, sizeof *s->rd));
    memset(s->rd, 0, nr * sizeof *s->rd);
    s->nrd = nr;
    s->hp = pipe_stage_realloc(&s->node, NULL, pipe_stage_mul(&s->node, nr ? nr : 1, sizeof *s->hp));
    for (size_t i = 0; i < nr; i++) {
        SpillReader *r = &s->rd[i];
        r->fd = -1;
        if (i < n) {
            r->fd = s->runs[first + i].fd;
            r->cap = s->bufsz;
            r->buf = pipe_stage_realloc(&s->node, NULL, r->cap);
            r->item = pipe_stage_realloc(&s->node, NULL, s->t->size);
            if (s->key)
                r->key = pipe_stage_realloc(&s->node, NULL, s->ki.t->size);
        }
        if (spill_next(s, r))
            s->hp[hn++] = i;
    }
    for (size_t i = hn / 2; i-- > 0;)
        spill_sift(s, i, hn);
    while (hn) {
        SpillReader *r = &s->rd[s->hp[0]];
        if (to_file) {
            spill_wput(s, r->buf + r->pos, r->reclen);
        } else {
            pipe_emit(&s->node, r->it);
            pipe_item_done(s->node.rt);
        }
        if (!spill_next(s, r))
            s->hp[0] = s->hp[--hn];
        spill_sift(s, 0, hn);
    }
    spill_readers_free(s);
}

/* Merges the last k runs into one run. */
static void spill_merge_tail(SortNode *s, size_t k)
{
    size_t first = s->nruns - k;
    unsigned level = s->runs[first].level + 1; /* levels never grow along runs */
    spill_begin(s);
    spill_merge(s, first, k, false, true);
    spill_end(s, first, level);
}

/* Writes the items held, sorted, as a new run and frees them. */
static void sort_spill(SortNode *s)
{
    if (s->nospill)
        pipe_fail(&s->node, "cannot spill items holding maps or sets to a temporary file: "
                            "they need more memory than --mem-limit");
    sort_in_memory(s);
    spill_begin(s);
    char hdr[20];
    bool plain_str = !s->key && s->t->kind == PIPE_K_STR;
    for (size_t i = 0; i < s->len; i++) {
        size_t idx = s->ents[i].idx;
        sort_prefetch(s, i);
        if (plain_str) { /* the record spill_enc makes, without copying it twice */
            const PipeStr *x = (const PipeStr *)(s->items + idx * s->t->size);
            char n[10];
            size_t nl = spill_varint(n, x->n), hl = spill_varint(hdr, nl + x->n);
            memcpy(hdr + hl, n, nl);
            spill_wput(s, hdr, hl + nl);
            spill_wput(s, x->p, x->n);
            continue;
        }
        s->enclen = 0;
        spill_enc(s, s->t, s->items + idx * s->t->size);
        if (s->key)
            spill_enc(s, s->ki.t, s->keys + idx * s->ki.t->size);
        spill_wput(s, hdr, spill_varint(hdr, s->enclen));
        spill_wput(s, s->enc, s->enclen);
    }
    spill_end(s, s->nruns, 0);
    sort_drop_items(s);
    if (s->enccap > 4096) {
        free(s->enc);
        s->enc = NULL;
        s->enccap = 0;
    }
    while (s->nruns >= SPILL_FANIN &&
           s->runs[s->nruns - SPILL_FANIN].level == s->runs[s->nruns - 1].level)
        spill_merge_tail(s, SPILL_FANIN);
}

static void sort_finish(PipeNode *self)
{
    SortNode *s = (SortNode *)self;
    if (!s->nruns) {
        sort_in_memory(s);
        for (size_t i = 0; i < s->len; i++) {
            sort_prefetch(s, i);
            pipe_emit(self, s->items + s->ents[i].idx * s->t->size);
            pipe_item_done(self->rt);
        }
        sort_release(s);
        return;
    }
    /* Merge what memory holds as one more source, unless the merge's buffers
     * would then pass the budget. */
    if (s->len && s->cap * s->per + s->deep + (s->nruns + 1) * s->bufsz > s->limit)
        sort_spill(s);
    else
        sort_in_memory(s);
    if (!s->len) {
        free(s->items);
        free(s->keys);
        free(s->ents);
        s->items = s->keys = NULL;
        s->ents = NULL;
        s->cap = 0;
    }
    while (s->nruns > SPILL_FANIN)
        spill_merge_tail(s, SPILL_FANIN);
    spill_merge(s, 0, s->nruns, s->len > 0, false);
    sort_release(s);
}

static void sort_free(PipeNode *self)
{
    SortNode *s = (SortNode *)self;
    sort_release(s);
    free(s->cur);
    s->cur = NULL;
}

/* sort fused with the top it feeds (sort_open): each item goes on at once, its
 * sort key at hand for top to break ties by, in the order the sort would have
 * given them.  The key is computed at push, as unfused (so its errors come at
 * the same item); stats count the same items in and out. */
static void sort_tie_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    SortNode *s = (SortNode *)self;
    s->curkey = item;
    if (s->key) {
        memset(s->cur, 0, s->ki.t->size);
        s->key(s->env, item, s->cur, pipe_scratch(self->rt));
        s->curkey = s->cur;
    }
    pipe_emit(self, item);
}

static void top_tie_to(PipeNode *top, SortNode *s);

/* `sort(by: k) | top(n, by: f)` gives the n items of largest f, ties in k
 * order: sorting all items first is not needed when top breaks its ties by k
 * itself.  Fused when the plan says so (PIPE_PLAN_FUSE_TOP: top is the sort's
 * only consumer, neither has an error policy and top's key cannot fail, so
 * that no error moves to another item) and no hook is wrapped (--stats). */
static void sort_open(PipeNode *self)
{
    SortNode *s = (SortNode *)self;
    if (!(self->flags & PIPE_PLAN_FUSE_TOP) || self->rt->stats)
        return;
    if (s->key)
        s->cur = pipe_stage_realloc(&s->node, NULL, s->ki.t->size);
    self->push = sort_tie_push;
    top_tie_to(self->outs[0].node, s);
}

PipeNode *pipe_std_sort(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn key,
                        void *env, const PipeType *key_t, bool desc)
{
    SortNode *s = (SortNode *)gen_node(rt, pos, sizeof(SortNode), "sort", t);
    s->node.push = sort_push;
    s->node.open = sort_open;
    s->node.finish = sort_finish;
    s->node.free = sort_free;
    s->t = t;
    s->key = key_t ? key : NULL;
    s->env = env;
    s->ki = key_info(s->key ? key_t : t);
    s->desc = desc;
    s->heap = pipe_type_has_map(t);
    s->nospill = s->heap || (s->key && pipe_type_has_map(key_t));
    s->limit = pipe_mem_limit(rt);
    if (s->limit < ((size_t)64 << 10))
        s->limit = (size_t)64 << 10;
    s->per = t->size + (s->key ? s->ki.t->size : 0) + 2 * sizeof(SortEnt);
    s->bufsz = s->limit / 8 / (SPILL_FANIN + 1);
    s->bufsz = s->bufsz < 4096 ? 4096 : s->bufsz > 65536 ? 65536 : s->bufsz;
    s->wfd = -1;
    return &s->node;
}

/* ------------------------------------------------------------------ top */

/* A bounded heap of the n best items seen so far, best = largest key, then
 * earliest.  Its root is the worst kept item, so a new item enters only when its
 * key is strictly larger than the root's (an equal key came later: worse).
 * Fused with a sort before it (sort_open), ties go by the sort's order first:
 * the order in which the sort would have handed them over.  Items and keys are
 * heap clones, dropped when they leave. */
typedef struct TopNode {
    PipeNode node;
    const PipeType *t;
    PipeKeyFn key;
    void *env;
    KeyInfo ki;
    size_t n;
    char *items, *keys; /* slots; keys NULL when the item is the key */
    uint64_t *seq;      /* arrival number of each slot */
    size_t *heap;       /* slot numbers, a min-heap by (key, tie, -seq) */
    size_t len, cap;
    uint64_t count;
    void *tmpkey;       /* key of the incoming item */
    const SortNode *tie; /* the fused sort (its key in flight), else NULL */
    KeyInfo tki;        /* of the sort's key, */
    bool tdesc, tkeyed; /* its order, and whether it has a key fn */
    char *ties;         /* slots of its keys; NULL when the item is its key */
    size_t bytes;       /* its arrays and what the items and keys hold beyond
                         * them, charged toward --mem-limit */
    bool counted;       /* a --mem-limit was given: bytes includes the latter */
} TopNode;

#define TOP_WHAT "the items it keeps"

/* Charges the change of what tp keeps to now bytes. */
static void top_charge(TopNode *tp, size_t now)
{
    pipe_node_charge(&tp->node, tp->bytes, now, TOP_WHAT);
    tp->bytes = now;
}

/* What the item, key and tie of slot hold beyond their slots (gen_deep). */
static size_t top_deep(const TopNode *tp, size_t slot)
{
    size_t d = pipe_value_deep(tp->t, tp->items + slot * tp->t->size);
    if (tp->keys)
        d += pipe_value_deep(tp->ki.t, tp->keys + slot * tp->ki.t->size);
    if (tp->ties)
        d += pipe_value_deep(tp->tki.t, tp->ties + slot * tp->tki.t->size);
    return d;
}

static const void *top_key_at(const TopNode *tp, size_t slot)
{
    return tp->keys ? tp->keys + slot * tp->ki.t->size : tp->items + slot * tp->t->size;
}

static const void *top_tie_at(const TopNode *tp, size_t slot)
{
    return tp->ties ? tp->ties + slot * tp->tki.t->size : tp->items + slot * tp->t->size;
}

static int top_key_cmp(const KeyInfo *ki, const void *a, const void *b)
{
    uint64_t pa = key_prefix(ki, a), pb = key_prefix(ki, b);
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return key_cmp(ki, a, b);
}

/* >0 when (key ka, fused sort key ta) ranks above (kb, tb): a larger key,
 * then (when fused) earlier in the sort's order; 0 when they tie. */
static int top_rank_cmp(const TopNode *tp, const void *ka, const void *ta, const void *kb, const void *tb)
{
    int c = top_key_cmp(&tp->ki, ka, kb);
    if (c || !tp->tie)
        return c;
    c = top_key_cmp(&tp->tki, ta, tb);
    return tp->tdesc ? c : -c;
}

/* true when slot a is worse than slot b (belongs nearer the root). */
static bool top_worse(const TopNode *tp, size_t a, size_t b)
{
    int c = top_rank_cmp(tp, top_key_at(tp, a), top_tie_at(tp, a), top_key_at(tp, b), top_tie_at(tp, b));
    return c < 0 || (c == 0 && tp->seq[a] > tp->seq[b]);
}

static bool top_heap_worse(const void *tp, size_t a, size_t b)
{
    return top_worse(tp, a, b);
}

static void top_sift_down(TopNode *tp, size_t i, size_t len)
{
    heap_sift(tp->heap, i, len, top_heap_worse, tp);
}

static void top_sift_up(TopNode *tp, size_t i)
{
    size_t *h = tp->heap;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!top_worse(tp, h[i], h[p]))
            return;
        size_t x = h[i];
        h[i] = h[p];
        h[p] = x;
        i = p;
    }
}

static void top_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    TopNode *tp = (TopNode *)self;
    size_t isz = tp->t->size, ksz = tp->ki.t->size, tsz = tp->tie ? tp->tki.t->size : 0;
    uint64_t seq = tp->count++;
    if (tp->n == 0)
        return;
    const void *k = item;
    if (tp->key) {
        memset(tp->tmpkey, 0, ksz);
        tp->key(tp->env, item, tp->tmpkey, pipe_scratch(self->rt));
        k = tp->tmpkey;
    }
    size_t slot;
    bool replaced = false;
    if (tp->len < tp->n) {
        if (tp->len == tp->cap) {
            size_t cap = tp->cap ? tp->cap * 2 : 16;
            if (cap > tp->n)
                cap = tp->n;
            size_t per = isz + (tp->key ? ksz : 0) + (tp->tkeyed ? tsz : 0) + sizeof *tp->seq + sizeof *tp->heap;
            top_charge(tp, tp->bytes + pipe_stage_mul(self, cap - tp->cap, per));
            tp->items = pipe_stage_realloc(&tp->node, tp->items, pipe_stage_mul(&tp->node, cap, isz));
            if (tp->key)
                tp->keys = pipe_stage_realloc(&tp->node, tp->keys, pipe_stage_mul(&tp->node, cap, ksz));
            if (tp->tkeyed)
                tp->ties = pipe_stage_realloc(&tp->node, tp->ties, pipe_stage_mul(&tp->node, cap, tsz));
            tp->seq = pipe_stage_realloc(&tp->node, tp->seq, pipe_stage_mul(&tp->node, cap, sizeof *tp->seq));
            tp->heap = pipe_stage_realloc(&tp->node, tp->heap, pipe_stage_mul(&tp->node, cap, sizeof *tp->heap));
            tp->cap = cap;
        }
        slot = tp->len;
        /* zeroed (owning nothing) before it counts: the charge below may stop
         * the run, and top_release then drops every counted slot */
        memset(tp->items + slot * isz, 0, isz);
        if (tp->key)
            memset(tp->keys + slot * ksz, 0, ksz);
        if (tp->tkeyed)
            memset(tp->ties + slot * tsz, 0, tsz);
        tp->heap[tp->len] = slot;
        tp->len++;
    } else {
        slot = tp->heap[0];
        if (top_rank_cmp(tp, k, tp->tie ? tp->tie->curkey : NULL, top_key_at(tp, slot), top_tie_at(tp, slot)) <= 0)
            return; /* not above the worst kept one (a tie: that came first) */
        if (tp->counted)
            top_charge(tp, tp->bytes - top_deep(tp, slot));
        pipe_drop(tp->t, tp->items + slot * isz);
        if (tp->key)
            pipe_drop(tp->ki.t, tp->keys + slot * ksz);
        if (tp->ties)
            pipe_drop(tp->tki.t, tp->ties + slot * tsz);
        replaced = true;
    }
    if (RT_UNLIKELY(tp->counted))
        top_charge(tp, tp->bytes + pipe_value_deep(tp->t, item) + (tp->key ? pipe_value_deep(tp->ki.t, k) : 0) +
                           (tp->tkeyed ? pipe_value_deep(tp->tki.t, tp->tie->curkey) : 0));
    gen_keep(self, tp->t, tp->items + slot * isz, item, NULL);
    if (tp->key)
        gen_keep(self, tp->ki.t, tp->keys + slot * ksz, k, NULL);
    if (tp->tkeyed)
        gen_keep(self, tp->tki.t, tp->ties + slot * tsz, tp->tie->curkey, NULL);
    tp->seq[slot] = seq;
    if (replaced)
        top_sift_down(tp, 0, tp->len);
    else
        top_sift_up(tp, tp->len - 1);
}

static void top_tie_to(PipeNode *top, SortNode *s)
{
    TopNode *tp = (TopNode *)top;
    tp->tie = s;
    tp->tki = s->ki;
    tp->tdesc = s->desc;
    tp->tkeyed = s->key != NULL;
}

static void top_release(TopNode *tp)
{
    for (size_t i = 0; i < tp->len; i++) {
        pipe_drop(tp->t, tp->items + i * tp->t->size);
        if (tp->keys)
            pipe_drop(tp->ki.t, tp->keys + i * tp->ki.t->size);
        if (tp->ties)
            pipe_drop(tp->tki.t, tp->ties + i * tp->tki.t->size);
    }
    top_charge(tp, 0);
    free(tp->items);
    free(tp->keys);
    free(tp->ties);
    tp->ties = NULL;
    free(tp->seq);
    free(tp->heap);
    tp->items = tp->keys = NULL;
    tp->seq = NULL;
    tp->heap = NULL;
    tp->len = tp->cap = 0;
}

static void top_finish(PipeNode *self)
{
    TopNode *tp = (TopNode *)self;
    /* Pop the worst to the back: heap[] ends up best first. */
    for (size_t len = tp->len; len > 1; len--) {
        size_t x = tp->heap[0];
        tp->heap[0] = tp->heap[len - 1];
        tp->heap[len - 1] = x;
        top_sift_down(tp, 0, len - 1);
    }
    for (size_t i = 0; i < tp->len; i++) {
        pipe_emit(self, tp->items + tp->heap[i] * tp->t->size);
        pipe_item_done(self->rt);
    }
    top_release(tp);
}

static void top_free(PipeNode *self)
{
    TopNode *tp = (TopNode *)self;
    top_release(tp);
    free(tp->tmpkey);
    tp->tmpkey = NULL;
}

PipeNode *pipe_std_top(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n, PipeKeyFn key,
                       void *env, const PipeType *key_t)
{
    TopNode *tp = (TopNode *)gen_node(rt, pos, sizeof(TopNode), "top", t);
    tp->node.push = top_push;
    tp->node.finish = top_finish;
    tp->node.free = top_free;
    tp->t = t;
    tp->key = key_t ? key : NULL;
    tp->env = env;
    tp->ki = key_info(tp->key ? key_t : t);
    tp->n = n > 0 ? (size_t)n : 0;
    tp->counted = rt->mem_limit != 0; /* set before the DAG is built */
    tp->tmpkey = pipe_stage_realloc(&tp->node, NULL, tp->ki.t->size);
    return &tp->node;
}
