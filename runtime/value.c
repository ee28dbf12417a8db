/* value.c — run-time type descriptors of the scalars and the generic value
 * operations (compare, equal, hash, deep clone, drop) driven by PipeType. */
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>

#include "rt_impl.h"

const PipeType pipe_t_str = {PIPE_K_STR, sizeof(PipeStr), alignof(PipeStr), 0, NULL, NULL, NULL, NULL, NULL, NULL};
const PipeType pipe_t_int = {PIPE_K_INT, sizeof(int64_t), alignof(int64_t), 0, NULL, NULL, NULL, NULL, NULL, NULL};
const PipeType pipe_t_float = {PIPE_K_FLOAT, sizeof(double), alignof(double), 0, NULL, NULL, NULL, NULL, NULL, NULL};
const PipeType pipe_t_bool = {PIPE_K_BOOL, sizeof(bool), alignof(bool), 0, NULL, NULL, NULL, NULL, NULL, NULL};

#define K0 0x9E3779B97F4A7C15ULL
#define K1 0xC2B2AE3D27D4EB4FULL
#define K2 0x165667B19E3779F9ULL

static inline uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* A 64-bit hash of bytes: two multiply-rotate lanes over 16-byte steps (in the
 * manner of xxHash/murmur3, written for this runtime), then a murmur finaliser.
 * No 128-bit arithmetic, so that tcc can compile it for `pipec build`. */
uint64_t pipe_hash_long(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h1 = K0 ^ (n * K1), h2 = K2 + n;
    while (n >= 16) {
        h1 = rotl(h1 ^ (read64(p) * K1), 31) * K0;
        h2 = rotl(h2 ^ (read64(p + 8) * K2), 29) * K1;
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        h1 = rotl(h1 ^ (read64(p) * K1), 31) * K0;
        p += 8;
        n -= 8;
    }
    uint64_t t = 0; /* the last 0..7 bytes; n is in the seed, so overlaps are fine */
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        t = (uint64_t)lo | (uint64_t)hi << 32;
    } else if (n > 0) {
        t = (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    }
    h2 = rotl(h2 ^ (t * K2), 27) * K1;
    return fmix(h1 ^ rotl(h2, 17));
}

static inline uint64_t hash_combine(uint64_t h, uint64_t v)
{
    return (rotl(h, 23) ^ v) * K1 + K2;
}

/* True when values of t own heap memory after a heap clone. */
bool pipe_type_has_heap(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_STR:
    case PIPE_K_LIST:
    case PIPE_K_MAP:
    case PIPE_K_SET:
        return true;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (pipe_type_has_heap(t->fields[i]))
                return true;
        return false;
    case PIPE_K_OPT:
        return pipe_type_has_heap(t->elem);
    default:
        return false;
    }
}

/* True when t is or contains a map or set. */
bool pipe_type_has_map(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_MAP:
    case PIPE_K_SET:
        return true;
    case PIPE_K_LIST:
    case PIPE_K_OPT:
        return pipe_type_has_map(t->elem);
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (pipe_type_has_map(t->fields[i]))
                return true;
        return false;
    default:
        return false;
    }
}

static int cmp_float(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    if (a == b)
        return 0;
    return isnan(a) - isnan(b); /* NaN after every number, equal to itself */
}

static int cmp_map(const PipeType *t, PipeMap *a, PipeMap *b);

/* none equals none and sorts before every value (as an empty cell before
 * any text); values compare as their type does. */
static int cmp_opt(const PipeType *t, const void *a, const void *b)
{
    bool x = pipe_opt_some(t, a), y = pipe_opt_some(t, b);
    if (!x || !y)
        return (int)x - (int)y;
    return pipe_cmp(t->elem, a, b);
}

/* Orders values of t as LANGUAGE.md §6 says; lists and tuples lexicographically
 * (a NULL list is the empty list); floats totally, with NaN last. */
int pipe_cmp(const PipeType *t, const void *a, const void *b)
{
    switch (t->kind) {
    case PIPE_K_STR:
        return pipe_str_cmp(*(const PipeStr *)a, *(const PipeStr *)b);
    case PIPE_K_INT: {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return (x > y) - (x < y);
    }
    case PIPE_K_FLOAT:
        return cmp_float(*(const double *)a, *(const double *)b);
    case PIPE_K_BOOL:
        return (int)*(const bool *)a - (int)*(const bool *)b;
    case PIPE_K_OPT:
        return cmp_opt(t, a, b);
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++) {
            int c = pipe_cmp(t->fields[i], (const char *)a + t->offsets[i],
                             (const char *)b + t->offsets[i]);
            if (c)
                return c;
        }
        return 0;
    case PIPE_K_LIST: {
        const PipeList *x = *(PipeList *const *)a, *y = *(PipeList *const *)b;
        size_t nx = x ? x->len : 0, ny = y ? y->len : 0;
        size_t es = t->elem->size;
        for (size_t i = 0; i < nx && i < ny; i++) {
            int c = pipe_cmp(t->elem, (char *)x->data + i * es, (char *)y->data + i * es);
            if (c)
                return c;
        }
        return (nx > ny) - (nx < ny);
    }
    case PIPE_K_MAP:
    case PIPE_K_SET:
        return cmp_map(t, *(PipeMap *const *)a, *(PipeMap *const *)b);
    }
    return 0;
}

static bool eq_map(const PipeType *t, PipeMap *a, PipeMap *b)
{
    size_t na = a ? pipe_map_len(a) : 0, nb = b ? pipe_map_len(b) : 0;
    if (na != nb)
        return false;
    if (na == 0)
        return true;
    void *k, *v;
    for (size_t i = 0; pipe_map_next(a, &i, &k, &v);) {
        void *w = pipe_map_get(b, k);
        if (!w)
            return false;
        if (t->kind == PIPE_K_MAP && t->val && !pipe_eq(t->val, v, w))
            return false;
    }
    return true;
}

/* Maps compare equal when they hold the same entries in any order; otherwise
 * they are ordered by their entries in insertion order (then by length). */
static int cmp_map(const PipeType *t, PipeMap *a, PipeMap *b)
{
    if (eq_map(t, a, b))
        return 0;
    size_t i = 0, j = 0;
    void *ka, *va, *kb, *vb;
    for (;;) {
        bool ha = a && pipe_map_next(a, &i, &ka, &va);
        bool hb = b && pipe_map_next(b, &j, &kb, &vb);
        if (!ha || !hb)
            return (int)ha - (int)hb;
        int c = pipe_cmp(t->elem, ka, kb);
        if (!c && t->kind == PIPE_K_MAP && t->val)
            c = pipe_cmp(t->val, va, vb);
        if (c)
            return c;
    }
}

/* True when a and b are equal (pipe_cmp(t, a, b) == 0, but faster). */
bool pipe_eq(const PipeType *t, const void *a, const void *b)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        const PipeStr *x = a, *y = b;
        return x->n == y->n && (x->n == 0 || memcmp(x->p, y->p, x->n) == 0);
    }
    case PIPE_K_INT:
        return *(const int64_t *)a == *(const int64_t *)b;
    case PIPE_K_BOOL:
        return *(const bool *)a == *(const bool *)b;
    case PIPE_K_FLOAT:
        return cmp_float(*(const double *)a, *(const double *)b) == 0;
    case PIPE_K_OPT:
        if (!pipe_opt_some(t, a) || !pipe_opt_some(t, b))
            return pipe_opt_some(t, a) == pipe_opt_some(t, b);
        return pipe_eq(t->elem, a, b);
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!pipe_eq(t->fields[i], (const char *)a + t->offsets[i],
                         (const char *)b + t->offsets[i]))
                return false;
        return true;
    case PIPE_K_LIST: {
        const PipeList *x = *(PipeList *const *)a, *y = *(PipeList *const *)b;
        size_t nx = x ? x->len : 0, ny = y ? y->len : 0;
        if (nx != ny)
            return false;
        size_t es = t->elem->size;
        for (size_t i = 0; i < nx; i++)
            if (!pipe_eq(t->elem, (char *)x->data + i * es, (char *)y->data + i * es))
                return false;
        return true;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET:
        return eq_map(t, *(PipeMap *const *)a, *(PipeMap *const *)b);
    }
    return false;
}

/* A hash consistent with pipe_eq: -0.0 hashes as 0.0, every NaN alike, and a
 * map's hash does not depend on its order. */
uint64_t pipe_hash(const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        const PipeStr *s = v;
        return pipe_hash_bytes(s->n ? s->p : "", s->n);
    }
    case PIPE_K_INT:
        return fmix(*(const uint64_t *)v ^ K2);
    case PIPE_K_BOOL:
        return fmix((uint64_t)*(const bool *)v + K0);
    case PIPE_K_FLOAT: {
        double d = *(const double *)v;
        if (d == 0)
            d = 0;
        if (isnan(d))
            return K1;
        uint64_t u;
        memcpy(&u, &d, 8);
        return fmix(u ^ K0);
    }
    case PIPE_K_OPT: /* none: a constant; a value: its hash, moved off it */
        return pipe_opt_some(t, v) ? hash_combine(K2, pipe_hash(t->elem, v)) : K0;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD: {
        uint64_t h = K0;
        for (uint32_t i = 0; i < t->nfields; i++)
            h = hash_combine(h, pipe_hash(t->fields[i], (const char *)v + t->offsets[i]));
        return fmix(h);
    }
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)v;
        uint64_t h = K1;
        size_t n = l ? l->len : 0, es = t->elem->size;
        for (size_t i = 0; i < n; i++)
            h = hash_combine(h, pipe_hash(t->elem, (char *)l->data + i * es));
        return fmix(h ^ n);
    }
    case PIPE_K_MAP:
    case PIPE_K_SET: {
        PipeMap *m = *(PipeMap *const *)v;
        uint64_t h = K2;
        void *k, *x;
        for (size_t i = 0; m && pipe_map_next(m, &i, &k, &x);) {
            uint64_t e = pipe_hash(t->elem, k);
            if (t->kind == PIPE_K_MAP && t->val)
                e = hash_combine(e, pipe_hash(t->val, x));
            h += fmix(e);
        }
        return fmix(h);
    }
    }
    return 0;
}

/* Deep-copies src into dst (which may be src's own storage when the fields are
 * replaced one by one); into arena a, or the heap when a is NULL.  A map cloned
 * into an arena is shared, not copied: arena values live for one item only,
 * during which the map they came from is not freed. */
void pipe_clone(const PipeType *t, void *dst, const void *src, PipeArena *a)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        PipeStr s = *(const PipeStr *)src;
        char *p;
        if (s.n == 0) {
            ((PipeStr *)dst)->p = "";
            ((PipeStr *)dst)->n = 0;
            return;
        }
        p = a ? pipe_alloc(a, s.n) : pipe_xmalloc(s.n);
        memcpy(p, s.p, s.n);
        ((PipeStr *)dst)->p = p;
        ((PipeStr *)dst)->n = s.n;
        return;
    }
    case PIPE_K_INT:
    case PIPE_K_FLOAT:
    case PIPE_K_BOOL:
        memmove(dst, src, t->size);
        return;
    case PIPE_K_OPT: /* a none is copied as all zero, whatever its bytes held */
        if (!pipe_opt_some(t, src)) {
            memset(dst, 0, t->size);
            return;
        }
        if (dst != src)
            memcpy(dst, src, t->size);
        if (pipe_type_has_heap(t->elem))
            pipe_clone(t->elem, dst, dst, a);
        return;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        if (dst != src)
            memcpy(dst, src, t->size);
        for (uint32_t i = 0; i < t->nfields; i++)
            if (pipe_type_has_heap(t->fields[i]))
                pipe_clone(t->fields[i], (char *)dst + t->offsets[i],
                           (const char *)src + t->offsets[i], a);
        return;
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)src;
        if (!l) {
            *(PipeList **)dst = NULL;
            return;
        }
        uint32_t es = t->elem->size;
        PipeList *c = pipe_list_new(a, es, l->len);
        if (l->len)
            memcpy(c->data, l->data, l->len * es);
        c->len = l->len;
        if (pipe_type_has_heap(t->elem))
            for (size_t i = 0; i < l->len; i++)
                pipe_clone(t->elem, (char *)c->data + i * es, (char *)c->data + i * es, a);
        *(PipeList **)dst = c;
        return;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET: {
        PipeMap *m = *(PipeMap *const *)src;
        *(PipeMap **)dst = (a || !m) ? m : pipe_map_clone_heap(m);
        return;
    }
    }
}

/* Frees what a heap clone of v owns (not v itself).  Zeroed values (empty
 * strings, NULL lists and maps) own nothing; arena lists are left alone. */
void pipe_drop(const PipeType *t, void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        PipeStr *s = v;
        if (s->n)
            free((void *)s->p);
        s->p = "";
        s->n = 0;
        return;
    }
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (pipe_type_has_heap(t->fields[i]))
                pipe_drop(t->fields[i], (char *)v + t->offsets[i]);
        return;
    case PIPE_K_OPT: /* back to none: all zero */
        if (pipe_opt_some(t, v))
            pipe_drop(t->elem, v);
        memset(v, 0, t->size);
        return;
    case PIPE_K_LIST: {
        PipeList *l = *(PipeList **)v;
        if (!l || l->arena)
            return;
        if (pipe_type_has_heap(t->elem))
            for (size_t i = 0; i < l->len; i++)
                pipe_drop(t->elem, (char *)l->data + i * l->esize);
        pipe_list_refund(l);
        free(l->data);
        free(l);
        *(PipeList **)v = NULL;
        return;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET:
        pipe_map_free(*(PipeMap **)v);
        *(PipeMap **)v = NULL;
        return;
    default:
        return;
    }
}
