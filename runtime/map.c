/* map.c — PipeMap: an insertion-ordered hash map (a set when it has no value
 * type): a dense entry array in insertion order plus an open-addressing index. */
#include <stdio.h>
#include <stdlib.h>

#include "rt_impl.h"

/* Index slots: e is 0 when empty, SLOT_DEL after a removal, else entry + 1. */
#define SLOT_DEL UINT32_MAX
typedef struct Slot {
    uint32_t h, e;
} Slot;

/* Every entry starts with this header; the key follows at koff, the value at voff.
 * A str key of up to INL_MAX bytes also has its bytes in the entry, just
 * after its PipeStr, as the two words of pipe_load_ends (which its hash is
 * made of too): a lookup compares the length and two words, with no branch
 * on the length and no trip to the key arena — one cache miss for the slot,
 * one for the entry (its value is there too). */
#define INL_MAX 16
typedef struct KeyWords {
    uint64_t a, b;
} KeyWords;
typedef struct EntHdr {
    uint32_t h;
    uint32_t dead;
} EntHdr;

struct PipeMap {
    const PipeType *kt, *vt;
    uint32_t koff, voff, stride;
    bool key_heap;       /* keys are heap clones (they hold maps), else in karena */
    bool key_is_str;
    char *ents;          /* nents entries of stride bytes, dead ones included */
    size_t nents, capents, nlive;
    Slot *slots;
    size_t mask;         /* slots - 1 (a power of two minus one) */
    size_t nused;        /* slots not empty (live + removed) */
    PipeArena karena;    /* key storage; rebuilt when compacting */
    /* Memory accounting (pipe_map_new_in): what the entry array, the index
     * and the key arena take is charged to the owner's RtNode.mem when they
     * grow, so a lookup or an insert that fits costs nothing more. */
    PipeNode *owner;     /* the stage whose budget pays, or NULL */
    size_t charged;      /* bytes charged to it */
    size_t kbytes;       /* of which the key arena's */
};

/* Charges (or refunds) the change of one part of m from old to now bytes to
 * its owner (pipe_node_charge).  Called before the part grows (so that the
 * map stays whole when this unwinds), or just after the key arena did. */
static void account(PipeMap *m, size_t old, size_t now)
{
    if (!m->owner)
        return;
    m->charged += now - old;
    pipe_node_charge(m->owner, old, now, "its maps and sets");
}

/* The key arena grew (its newest block changed): charges its new size. */
static void account_keys(PipeMap *m)
{
    size_t now = pipe_arena_size(&m->karena);
    size_t old = m->kbytes;
    m->kbytes = now;
    account(m, old, now);
}

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* Returns an empty map whose memory counts toward stage owner's budget
 * (--mem-limit; refunded when the map is freed). */
PipeMap *pipe_map_new_in(PipeNode *owner, const PipeType *key, const PipeType *val)
{
    PipeMap *m = pipe_map_new(key, val);
    m->owner = owner;
    return m;
}

/* Returns an empty map from keys of type key to values of type val (a set when val is NULL). */
PipeMap *pipe_map_new(const PipeType *key, const PipeType *val)
{
    PipeMap *m = pipe_xcalloc(1, sizeof *m);
    size_t al = 8;
    if (key->align > al)
        al = key->align;
    if (val && val->align > al)
        al = val->align;
    m->kt = key;
    m->vt = val;
    m->koff = (uint32_t)align_up(sizeof(EntHdr), key->align ? key->align : 1);
    m->key_heap = pipe_type_has_map(key);
    m->key_is_str = key->kind == PIPE_K_STR;
    size_t kend = m->koff + key->size + (m->key_is_str ? INL_MAX : 0);
    m->voff = (uint32_t)align_up(kend, val && val->align ? val->align : 1);
    m->stride = (uint32_t)align_up(m->voff + (val ? val->size : 0), al);
    return m;
}

static inline EntHdr *ent(const PipeMap *m, size_t i)
{
    return (EntHdr *)(m->ents + i * m->stride);
}

/* The words of a str key of up to INL_MAX bytes (see EntHdr). */
static inline __attribute__((always_inline)) KeyWords key_words(const PipeStr *k)
{
    KeyWords w;
    pipe_load_ends(k->p, k->n, &w.a, &w.b);
    return w;
}

/* The hash of a str key whose words are w when it has up to INL_MAX bytes. */
static inline uint32_t str_hash(const PipeStr *k, KeyWords w)
{
    uint64_t h = k->n <= INL_MAX ? pipe_hash_words(w.a, w.b, k->n) : pipe_hash_bytes(k->p, k->n);
    return (uint32_t)(h ^ (h >> 32));
}

/* The hash of key, folded to 32 bits (str keys by str_hash). */
static inline uint32_t key_hash(const PipeMap *m, const void *key)
{
    if (m->key_is_str)
        return str_hash(key, key_words(key));
    uint64_t h = pipe_hash(m->kt, key);
    return (uint32_t)(h ^ (h >> 32));
}

/* find() for a str key with words w, kept free of calls (memcmp aside, for
 * keys longer than INL_MAX bytes) so that a hit costs no register spills. */
static inline __attribute__((always_inline)) Slot *find_str(const PipeMap *m, const PipeStr *key, KeyWords w,
                                                           uint32_t h)
{
    size_t n = key->n;
    for (size_t j = h & m->mask;; j = (j + 1) & m->mask) {
        Slot *s = &m->slots[j];
        uint32_t e = s->e;
        if (e == 0)
            return NULL;
        if (s->h == h && e != SLOT_DEL) {
            const PipeStr *k = (const PipeStr *)((char *)ent(m, e - 1) + m->koff);
            if (n <= INL_MAX) {
                const KeyWords *kw = (const KeyWords *)(k + 1);
                if (((k->n ^ n) | (kw->a ^ w.a) | (kw->b ^ w.b)) == 0)
                    return s;
            } else if (k->n == n && memcmp(k->p, key->p, n) == 0) {
                return s;
            }
        }
    }
}

/* The slot holding key, or NULL. */
static Slot *find(const PipeMap *m, const void *key, uint32_t h)
{
    if (!m->slots)
        return NULL;
    if (m->key_is_str)
        return find_str(m, key, key_words(key), h);
    for (size_t j = h & m->mask;; j = (j + 1) & m->mask) {
        Slot *s = &m->slots[j];
        if (s->e == 0)
            return NULL;
        if (s->h == h && s->e != SLOT_DEL) {
            EntHdr *e = ent(m, s->e - 1);
            if (pipe_eq(m->kt, (char *)e + m->koff, key))
                return s;
        }
    }
}

static void index_rebuild(PipeMap *m, size_t nslots)
{
    size_t old = m->slots ? m->mask + 1 : 0;
    account(m, old * sizeof(Slot), nslots * sizeof(Slot));
    Slot *slots = pipe_xcalloc(nslots, sizeof(Slot)); /* before the free: an unwind leaves m whole */
    free(m->slots);
    m->slots = slots;
    m->mask = nslots - 1;
    m->nused = 0;
    for (size_t i = 0; i < m->nents; i++) {
        EntHdr *e = ent(m, i);
        if (e->dead)
            continue;
        size_t j = e->h & m->mask;
        while (m->slots[j].e)
            j = (j + 1) & m->mask;
        m->slots[j].h = e->h;
        m->slots[j].e = (uint32_t)i + 1;
        m->nused++;
    }
}

static void key_store(PipeMap *m, void *dst, const void *key)
{
    pipe_clone(m->kt, dst, key, m->key_heap ? NULL : &m->karena);
    const PipeStr *k = dst;
    if (m->key_is_str && k->n <= INL_MAX)
        *(KeyWords *)(k + 1) = key_words(k);
}

/* Drops the removed entries: live ones move down in order, keys are copied
 * into a fresh arena, and the index is rebuilt. */
static void compact(PipeMap *m)
{
    PipeArena old = m->karena;
    memset(&m->karena, 0, sizeof m->karena);
    size_t n = 0;
    for (size_t i = 0; i < m->nents; i++) {
        EntHdr *e = ent(m, i);
        if (e->dead)
            continue;
        EntHdr *d = ent(m, n++);
        if (d != e)
            memmove(d, e, m->stride);
        if (!m->key_heap)
            key_store(m, (char *)d + m->koff, (char *)d + m->koff);
    }
    m->nents = n;
    pipe_arena_free(&old);
    account_keys(m);
    size_t nslots = m->mask + 1;
    while (nslots > 16 && m->nlive * 4 < nslots)
        nslots /= 2;
    index_rebuild(m, nslots);
}

/* The value stored under key, or NULL; valid until the map next changes. */
void *pipe_map_get(PipeMap *m, const void *key)
{
    if (!m)
        return NULL;
    Slot *s = find(m, key, key_hash(m, key));
    return s ? (char *)ent(m, s->e - 1) + m->voff : NULL;
}

/* True when key is in m. */
bool pipe_map_has(PipeMap *m, const void *key)
{
    return pipe_map_get(m, key) != NULL;
}

/* The value under key, inserting key (deep-copied) with a zeroed value when it
 * is missing; *created (if not NULL) tells which.  Valid until the map next
 * changes.  The caller stores heap-owned values (pipe_clone with a NULL arena). */
void *pipe_map_upsert(PipeMap *m, const void *key, bool *created)
{
    uint32_t h;
    Slot *s;
    if (m->key_is_str) {
        KeyWords w = key_words(key);
        h = str_hash(key, w);
        s = m->slots ? find_str(m, key, w, h) : NULL;
    } else {
        h = key_hash(m, key);
        s = find(m, key, h);
    }
    if (s) {
        if (created)
            *created = false;
        return (char *)ent(m, s->e - 1) + m->voff;
    }
    if (created)
        *created = true;
    pipe_oom_blame(m->owner); /* an allocation that fails names the stage */
    size_t ndead = m->nents - m->nlive;
    if (RT_UNLIKELY(ndead > 64 && ndead > m->nlive))
        compact(m);
    if (!m->slots || (m->nused + 1) * 10 > (m->mask + 1) * 7) {
        size_t nslots = m->slots ? m->mask + 1 : 16;
        while ((m->nlive + 1) * 10 > nslots * 5)
            nslots *= 2;
        index_rebuild(m, nslots);
    }
    if (m->nents == m->capents) {
        size_t cap = m->capents ? m->capents * 2 : 16;
        account(m, m->capents * m->stride, cap * m->stride);
        m->ents = pipe_xrealloc(m->ents, cap * m->stride);
        m->capents = cap;
    }
    if (RT_UNLIKELY(m->nents >= UINT32_MAX - 1)) {
        if (m->owner)
            pipe_fail(m->owner, "map too large (4 billion entries)");
        fprintf(stderr, "pipec: error: map too large\n");
        exit(1);
    }
    size_t i = m->nents++;
    EntHdr *e = ent(m, i);
    memset(e, 0, m->stride);
    e->h = h;
    PipeArenaBlock *kb = m->karena.blocks;
    key_store(m, (char *)e + m->koff, key);
    size_t j = h & m->mask;
    while (m->slots[j].e && m->slots[j].e != SLOT_DEL)
        j = (j + 1) & m->mask;
    if (m->slots[j].e == 0)
        m->nused++;
    m->slots[j].h = h;
    m->slots[j].e = (uint32_t)i + 1;
    m->nlive++;
    pipe_oom_blame(NULL);
    if (RT_UNLIKELY(m->karena.blocks != kb))
        account_keys(m);
    return (char *)e + m->voff;
}

/* Removes key (dropping its key and value); false when it was not there. */
bool pipe_map_remove(PipeMap *m, const void *key)
{
    if (!m)
        return false;
    Slot *s = find(m, key, key_hash(m, key));
    if (!s)
        return false;
    EntHdr *e = ent(m, s->e - 1);
    if (m->vt)
        pipe_drop(m->vt, (char *)e + m->voff);
    if (m->key_heap)
        pipe_drop(m->kt, (char *)e + m->koff);
    e->dead = 1;
    s->e = SLOT_DEL;
    m->nlive--;
    return true;
}

/* Number of live entries. */
size_t pipe_map_len(const PipeMap *m)
{
    return m ? m->nlive : 0;
}

/* Visits the next live entry at or after *i in insertion order. */
bool pipe_map_next(PipeMap *m, size_t *i, void **key, void **val)
{
    if (!m)
        return false;
    while (*i < m->nents) {
        EntHdr *e = ent(m, (*i)++);
        if (e->dead)
            continue;
        if (key)
            *key = (char *)e + m->koff;
        if (val)
            *val = (char *)e + m->voff;
        return true;
    }
    return false;
}

/* Frees m with every key and value it owns; NULL is allowed. */
void pipe_map_free(PipeMap *m)
{
    if (!m)
        return;
    bool vheap = m->vt && pipe_type_has_heap(m->vt);
    for (size_t i = 0; i < m->nents; i++) {
        EntHdr *e = ent(m, i);
        if (e->dead)
            continue;
        if (vheap)
            pipe_drop(m->vt, (char *)e + m->voff);
        if (m->key_heap)
            pipe_drop(m->kt, (char *)e + m->koff);
    }
    if (m->owner)
        hdr(m->owner)->mem -= m->charged;
    pipe_arena_free(&m->karena);
    free(m->ents);
    free(m->slots);
    free(m);
}

/* A heap deep copy of m. */
PipeMap *pipe_map_clone_heap(PipeMap *m)
{
    PipeMap *c = pipe_map_new(m->kt, m->vt);
    void *k, *v;
    for (size_t i = 0; pipe_map_next(m, &i, &k, &v);) {
        void *w = pipe_map_upsert(c, k, NULL);
        if (m->vt)
            pipe_clone(m->vt, w, v, NULL);
    }
    return c;
}

/* The keys of m in insertion order, deep-copied into a new list in arena a. */
PipeList *pipe_map_keys(PipeArena *a, PipeMap *m)
{
    size_t n = pipe_map_len(m);
    uint32_t ks = m ? m->kt->size : 0;
    PipeList *l = pipe_list_new(a, ks, n);
    void *k;
    for (size_t i = 0; pipe_map_next(m, &i, &k, NULL);)
        pipe_clone(m->kt, pipe_list_push(l), k, a);
    return l;
}
