/* test_rt_mem.c — unit tests of the runtime's memory and containers: arena,
 * list, map (order, upsert, remove, a million keys) and the generic value ops. */
#include <math.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rt_impl.h"

static PipeStr S(const char *s)
{
    return pipe_str_lit(s, strlen(s));
}

/* ------------------------------------------------------------------ arena */

static void test_arena_basic(void **state)
{
    PipeArena a = {0};
    char *p = pipe_alloc(&a, 10), *q = pipe_alloc(&a, 1);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_ptr_equal(q, p + 16);
    memset(p, 'x', 10);
    /* a big request gets its own block and leaves the current block in use */
    char *big = pipe_alloc(&a, 5 << 20);
    memset(big, 1, 5 << 20);
    char *r = pipe_alloc(&a, 16);
    assert_ptr_equal(r, q + 16);
    /* many small ones: more blocks */
    for (int i = 0; i < 100000; i++)
        memset(pipe_alloc(&a, 24), 2, 24);
    pipe_arena_reset(&a);
    assert_ptr_equal(pipe_alloc(&a, 10), p); /* the first block is kept */
    pipe_arena_reset(&a);
    assert_ptr_equal(pipe_alloc(&a, 10), p); /* O(1) path: same block */
    pipe_arena_free(&a);
    assert_null(a.blocks);
    pipe_arena_reset(&a); /* no-op on an empty arena */
    assert_non_null(pipe_alloc(&a, 1));
    pipe_arena_free(&a);
}

static void test_arena_first_big(void **state)
{
    PipeArena a = {0};
    char *big = pipe_alloc(&a, 1 << 20); /* first allocation is big */
    memset(big, 3, 1 << 20);
    char *s = pipe_alloc(&a, 32);
    pipe_arena_reset(&a);
    assert_ptr_equal(pipe_alloc(&a, 32), s); /* the standard block survives, not the big one */
    pipe_arena_free(&a);
}

/* A map literal made per item hangs a block of no bytes off the arena
 * (pipe_map_scratch); a standard block needed after it is sized from the
 * standard ones, not from that empty block: found by fuzz_input (lang9.pipe),
 * a block of 0 bytes handed out as if it held 64 KiB. */
static void test_arena_after_map_scratch(void **state)
{
    PipeArena a = {0};
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++) /* fill the standard block (64 KiB) */
            memset(pipe_alloc(&a, 8 << 10), 4, 8 << 10);
        assert_non_null(pipe_map_scratch(&a, &pipe_t_int, NULL));
        for (int i = 0; i < 5000; i++) {
            char *p = pipe_alloc(&a, 48);
            assert_true(a.cur <= a.end);
            assert_true(p + 48 <= a.end);
            memset(p, 5, 48);
        }
        pipe_arena_reset(&a);
    }
    pipe_arena_free(&a);
}

/* ------------------------------------------------------------------ list */

static void test_list(void **state)
{
    PipeArena a = {0};
    PipeList *lists[2] = {pipe_list_new(&a, sizeof(int64_t), 0), pipe_list_new(NULL, sizeof(int64_t), 2)};
    for (int k = 0; k < 2; k++) {
        PipeList *l = lists[k];
        assert_null(pipe_list_at(l, 0));
        assert_null(pipe_list_at(l, -1));
        for (int64_t i = 0; i < 1000; i++) {
            int64_t *e = pipe_list_push(l);
            assert_int_equal(*e, 0);
            *e = i * 3;
        }
        assert_int_equal(l->len, 1000);
        assert_int_equal(*(int64_t *)pipe_list_at(l, 0), 0);
        assert_int_equal(*(int64_t *)pipe_list_at(l, 999), 2997);
        assert_int_equal(*(int64_t *)pipe_list_at(l, -1), 2997);
        assert_int_equal(*(int64_t *)pipe_list_at(l, -1000), 0);
        assert_null(pipe_list_at(l, 1000));
        assert_null(pipe_list_at(l, -1001));
        assert_null(pipe_list_at(NULL, 0));
    }
    free(lists[1]->data);
    free(lists[1]);
    pipe_arena_free(&a);
}

/* ------------------------------------------------------------------ map */

static void test_map_order_upsert_remove(void **state)
{
    PipeMap *m = pipe_map_new(&pipe_t_str, &pipe_t_int);
    const char *words[] = {"pear", "apple", "fig", "apple", "kiwi", "pear", "pear"};
    for (size_t i = 0; i < 7; i++) {
        char buf[16];
        strcpy(buf, words[i]); /* the map must copy the key */
        PipeStr k = S(buf);
        bool created;
        int64_t *v = pipe_map_upsert(m, &k, &created);
        assert_int_equal(created, *v == 0);
        *v += 1;
        memset(buf, 0, sizeof buf);
    }
    assert_int_equal(pipe_map_len(m), 4);
    const char *order[] = {"pear", "apple", "fig", "kiwi"};
    const int64_t counts[] = {3, 2, 1, 1};
    size_t n = 0;
    void *k, *v;
    for (size_t i = 0; pipe_map_next(m, &i, &k, &v); n++) {
        assert_true(pipe_str_eq(*(PipeStr *)k, S(order[n])));
        assert_int_equal(*(int64_t *)v, counts[n]);
    }
    assert_int_equal(n, 4);
    PipeStr apple = S("apple"), none = S("none");
    assert_true(pipe_map_has(m, &apple));
    assert_false(pipe_map_has(m, &none));
    assert_null(pipe_map_get(m, &none));
    assert_true(pipe_map_remove(m, &apple));
    assert_false(pipe_map_remove(m, &apple));
    assert_false(pipe_map_has(m, &apple));
    assert_int_equal(pipe_map_len(m), 3);
    /* reinserted: now last, with a zero value */
    bool created;
    int64_t *av = pipe_map_upsert(m, &apple, &created);
    assert_true(created);
    assert_int_equal(*av, 0);
    *av = 42;
    const char *order2[] = {"pear", "fig", "kiwi", "apple"};
    n = 0;
    for (size_t i = 0; pipe_map_next(m, &i, &k, &v); n++)
        assert_true(pipe_str_eq(*(PipeStr *)k, S(order2[n])));
    assert_int_equal(n, 4);
    /* keys(): a deep copy in insertion order */
    PipeArena a = {0};
    PipeList *keys = pipe_map_keys(&a, m);
    assert_int_equal(keys->len, 4);
    assert_true(pipe_str_eq(*(PipeStr *)pipe_list_at(keys, -1), S("apple")));
    pipe_arena_free(&a);
    pipe_map_free(m);
    pipe_map_free(NULL);
}

static void test_map_set_and_churn(void **state)
{
    PipeMap *s = pipe_map_new(&pipe_t_int, NULL);
    /* a sliding window: insert i, remove i-100; the map must stay correct */
    for (int64_t i = 0; i < 200000; i++) {
        bool created;
        assert_non_null(pipe_map_upsert(s, &i, &created));
        assert_true(created);
        int64_t old = i - 100;
        if (old >= 0)
            assert_true(pipe_map_remove(s, &old));
    }
    assert_int_equal(pipe_map_len(s), 100);
    int64_t want = 199900;
    void *k;
    for (size_t i = 0; pipe_map_next(s, &i, &k, NULL); want++)
        assert_int_equal(*(int64_t *)k, want);
    assert_int_equal(want, 200000);
    pipe_map_free(s);
}

/* Short str keys are compared and hashed by the words of pipe_load_ends:
 * every key of 0 to 20 bytes, and each with one byte changed at each place,
 * is a key of its own, found again, and pipe_bytes_eq agrees with memcmp. */
static void test_map_short_keys(void **state)
{
    (void)state;
    PipeMap *m = pipe_map_new(&pipe_t_str, &pipe_t_int);
    static char base[21 * 22][21];
    PipeStr keys[21 * 22];
    size_t nk = 0;
    for (size_t len = 0; len <= 20; len++) {
        for (size_t at = 0; at <= len; at++) { /* at == len: the key unchanged */
            char *b = base[nk];
            for (size_t i = 0; i < len; i++)
                b[i] = (char)('a' + (i * 7 + len) % 26);
            if (at < len)
                b[at] = (char)(b[at] ^ 0x20);
            keys[nk++] = (PipeStr){b, len};
        }
    }
    for (size_t i = 0; i < nk; i++) {
        bool created;
        *(int64_t *)pipe_map_upsert(m, &keys[i], &created) = (int64_t)i;
        if (!created)
            fail_msg("key %zu (length %zu) taken for an earlier one", i, keys[i].n);
    }
    assert_int_equal(pipe_map_len(m), nk);
    for (size_t i = 0; i < nk; i++) {
        char copy[21];
        memcpy(copy, keys[i].p, keys[i].n);
        PipeStr k = {copy, keys[i].n};
        int64_t *v = pipe_map_get(m, &k);
        if (!v || *v != (int64_t)i)
            fail_msg("key %zu (length %zu) not found", i, keys[i].n);
        for (size_t j = 0; j < nk; j++)
            if (keys[j].n == k.n && pipe_bytes_eq(keys[j].p, k.p, k.n) != (memcmp(keys[j].p, k.p, k.n) == 0))
                fail_msg("pipe_bytes_eq of keys %zu and %zu", i, j);
    }
    pipe_map_free(m);
}

static void test_map_million(void **state)
{
    PipeMap *m = pipe_map_new(&pipe_t_str, &pipe_t_int);
    char buf[32];
    const int N = 1000000;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            int len = snprintf(buf, sizeof buf, "/path/%d/x", i);
            PipeStr k = {buf, (size_t)len};
            bool created;
            int64_t *v = pipe_map_upsert(m, &k, &created);
            assert_int_equal(created, round == 0);
            *v += i;
        }
    assert_int_equal(pipe_map_len(m), N);
    int i = 0;
    void *k, *v;
    for (size_t it = 0; pipe_map_next(m, &it, &k, &v); i++) {
        int len = snprintf(buf, sizeof buf, "/path/%d/x", i);
        PipeStr want = {buf, (size_t)len};
        if (!pipe_str_eq(*(PipeStr *)k, want) || *(int64_t *)v != 2 * (int64_t)i)
            fail_msg("entry %d wrong", i);
    }
    assert_int_equal(i, N);
    pipe_map_free(m);
}

/* A map made with pipe_map_new_in charges its owner's RtNode.mem as it grows
 * (entries, index, keys), gives back what compaction frees and the rest when
 * freed; past rt->mem_limit the insert is a runtime error of the owner. */
static void test_map_accounting(void **state)
{
    PipeRt *rt = pipe_rt_new();
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "count", (PipePos){"t.pipe", 1, 2});
    PipeMap *m = pipe_map_new_in(n, &pipe_t_str, &pipe_t_int);
    char buf[64];
    const int N = 20000;
    for (int i = 0; i < N; i++) { /* short keys (kept inline) and long ones */
        int len = snprintf(buf, sizeof buf, i % 2 ? "k%d" : "a rather longer key number %d", i);
        PipeStr k = {buf, (size_t)len};
        *(int64_t *)pipe_map_upsert(m, &k, NULL) = i;
    }
    size_t full = hdr(n)->mem;
    assert_true(full > (size_t)N * 48); /* at least the entries themselves */
    assert_true(full < (size_t)N * 200);
    for (int i = 0; i < N - 100; i++) { /* then the next insert compacts */
        int len = snprintf(buf, sizeof buf, i % 2 ? "k%d" : "a rather longer key number %d", i);
        PipeStr k = {buf, (size_t)len};
        assert_true(pipe_map_remove(m, &k));
    }
    PipeStr k = {"new", 3};
    pipe_map_upsert(m, &k, NULL);
    assert_true(hdr(n)->mem < full);
    pipe_map_free(m);
    assert_int_equal(hdr(n)->mem, 0);

    /* past the budget: pipe_fail unwinds to rt->jmp */
    rt->mem_limit = 64 << 10;
    PipeMap *volatile s = pipe_map_new_in(n, &pipe_t_int, NULL);
    jmp_buf jb;
    rt->jmp = &jb;
    volatile int64_t i = 0;
    if (setjmp(jb) == 0) {
        for (;; i++) {
            int64_t key = i;
            pipe_map_upsert(s, &key, NULL);
        }
        fail_msg("no error past --mem-limit");
    }
    assert_true(i > 1000 && i < 8192); /* 16-byte entries, 8-byte slots: ~2700 in 64K */
    assert_true(hdr(n)->mem > rt->mem_limit);
    rt->jmp = NULL;
    pipe_map_free(s);
    assert_int_equal(hdr(n)->mem, 0);
    pipe_rt_free(rt);
}

/* ------------------------------------------------------------------ values */

typedef struct Pair {
    PipeStr s;
    int64_t n;
} Pair;
static const PipeType *const pair_fields[] = {&pipe_t_str, &pipe_t_int};
static const uint32_t pair_offs[] = {offsetof(Pair, s), offsetof(Pair, n)};
static const PipeType t_pair = {PIPE_K_TUPLE, sizeof(Pair), alignof(Pair), 2, pair_fields, pair_offs, NULL, NULL, NULL, NULL};
static const PipeType t_list_pair = {PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *), 0, NULL, NULL, &t_pair, NULL, NULL, NULL};
static const PipeType t_list_int = {PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *), 0, NULL, NULL, &pipe_t_int, NULL, NULL, NULL};
static const PipeType t_map_str_list = {PIPE_K_MAP, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_str, &t_list_pair, NULL, NULL};
static const PipeType t_set_int = {PIPE_K_SET, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_int, NULL, NULL, NULL};

static void test_cmp_table(void **state)
{
    struct {
        const char *a, *b;
        int want;
    } strs[] = {{"", "", 0}, {"a", "", 1}, {"ab", "abc", -1}, {"b", "abc", 1},
                {"\xff", "a", 1}, {"a\0b", "a\0c", -1}, {"same", "same", 0}};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        PipeStr a = S(strs[i].a), b = S(strs[i].b);
        if (i == 5) {
            a.n = b.n = 3;
        }
        assert_int_equal(pipe_cmp(&pipe_t_str, &a, &b), strs[i].want);
        assert_int_equal(pipe_cmp(&pipe_t_str, &b, &a), -strs[i].want);
        assert_int_equal(pipe_eq(&pipe_t_str, &a, &b), strs[i].want == 0);
    }
    int64_t i1 = -5, i2 = 3, imin = INT64_MIN, imax = INT64_MAX;
    assert_true(pipe_cmp(&pipe_t_int, &i1, &i2) < 0);
    assert_true(pipe_cmp(&pipe_t_int, &imax, &imin) > 0);
    double f[] = {-INFINITY, -1.5, -0.0, 0.0, 2.0, INFINITY, NAN};
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            int c = pipe_cmp(&pipe_t_float, &f[i], &f[j]);
            int want = (i == 2 && j == 3) || (i == 3 && j == 2) ? 0 : (i > j) - (i < j);
            assert_int_equal(c > 0 ? 1 : c < 0 ? -1 : 0, want);
        }
    double z = 0.0, nz = -0.0, n1 = NAN, n2 = -NAN;
    assert_int_equal(pipe_hash(&pipe_t_float, &z), pipe_hash(&pipe_t_float, &nz));
    assert_int_equal(pipe_hash(&pipe_t_float, &n1), pipe_hash(&pipe_t_float, &n2));
    bool t = true, fl = false;
    assert_true(pipe_cmp(&pipe_t_bool, &fl, &t) < 0);
    Pair p1 = {S("a"), 2}, p2 = {S("a"), 10}, p3 = {S("b"), 1};
    assert_true(pipe_cmp(&t_pair, &p1, &p2) < 0);
    assert_true(pipe_cmp(&t_pair, &p2, &p3) < 0);
    assert_int_equal(pipe_cmp(&t_pair, &p1, &p1), 0);
    /* lists: lexicographic, prefix first, NULL is empty */
    PipeArena a = {0};
    PipeList *l1 = pipe_list_new(&a, 8, 0), *l2 = pipe_list_new(&a, 8, 0), *l0 = NULL;
    *(int64_t *)pipe_list_push(l1) = 1;
    *(int64_t *)pipe_list_push(l2) = 1;
    *(int64_t *)pipe_list_push(l2) = 0;
    assert_true(pipe_cmp(&t_list_int, &l1, &l2) < 0);
    assert_true(pipe_cmp(&t_list_int, &l0, &l1) < 0);
    *(int64_t *)pipe_list_push(l1) = 0;
    assert_int_equal(pipe_cmp(&t_list_int, &l1, &l2), 0);
    assert_true(pipe_eq(&t_list_int, &l1, &l2));
    assert_int_equal(pipe_hash(&t_list_int, &l1), pipe_hash(&t_list_int, &l2));
    /* sets are equal in any order */
    PipeMap *s1 = pipe_map_new(&pipe_t_int, NULL), *s2 = pipe_map_new(&pipe_t_int, NULL);
    for (int64_t i = 0; i < 5; i++) {
        int64_t j = 4 - i;
        pipe_map_upsert(s1, &i, NULL);
        pipe_map_upsert(s2, &j, NULL);
    }
    assert_true(pipe_eq(&t_set_int, &s1, &s2));
    assert_int_equal(pipe_cmp(&t_set_int, &s1, &s2), 0);
    assert_int_equal(pipe_hash(&t_set_int, &s1), pipe_hash(&t_set_int, &s2));
    int64_t five = 5;
    pipe_map_upsert(s2, &five, NULL);
    assert_false(pipe_eq(&t_set_int, &s1, &s2));
    pipe_map_free(s1);
    pipe_map_free(s2);
    pipe_arena_free(&a);
}

static void test_clone_drop(void **state)
{
    PipeArena a = {0};
    /* a list of pairs in scratch, cloned to the heap, scratch freed: the clone stands alone */
    PipeList *l = pipe_list_new(&a, sizeof(Pair), 0);
    for (int i = 0; i < 50; i++) {
        Pair *p = pipe_list_push(l);
        char *txt = pipe_alloc(&a, 8);
        int n = snprintf(txt, 8, "w%d", i);
        p->s = pipe_str_lit(txt, (size_t)n);
        p->n = i;
    }
    PipeList *heap;
    pipe_clone(&t_list_pair, &heap, &l, NULL);
    assert_true(pipe_eq(&t_list_pair, &heap, &l));
    pipe_arena_free(&a);
    assert_int_equal(heap->len, 50);
    assert_true(pipe_str_eq(((Pair *)pipe_list_at(heap, 7))->s, S("w7")));
    /* a map of str -> list of pairs: deep clone, then drop both */
    PipeMap *m = pipe_map_new(&pipe_t_str, &t_list_pair);
    PipeStr key = S("k");
    PipeList **slot = pipe_map_upsert(m, &key, NULL);
    pipe_clone(&t_list_pair, slot, &heap, NULL);
    PipeMap *m2;
    pipe_clone(&t_map_str_list, &m2, &m, NULL);
    assert_ptr_not_equal(m2, m);
    assert_true(pipe_eq(&t_map_str_list, &m, &m2));
    pipe_drop(&t_map_str_list, &m);
    PipeList **got = pipe_map_get(m2, &key);
    assert_non_null(got);
    assert_int_equal((*got)->len, 50);
    pipe_drop(&t_map_str_list, &m2);
    pipe_drop(&t_list_pair, &heap);
    assert_null(heap);
    /* clone into an arena; empty str */
    Pair e = {{"", 0}, 1}, c;
    pipe_clone(&t_pair, &c, &e, &a);
    assert_int_equal(c.s.n, 0);
    pipe_clone(&t_pair, &c, &e, NULL);
    pipe_drop(&t_pair, &c);
    pipe_arena_free(&a);
}

static void test_map_tuple_keys(void **state)
{
    PipeMap *m = pipe_map_new(&t_pair, &pipe_t_float);
    for (int i = 0; i < 1000; i++) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", i % 100);
        Pair k = {pipe_str_lit(buf, (size_t)n), i % 7};
        double *v = pipe_map_upsert(m, &k, NULL);
        *v += 1;
    }
    assert_int_equal(pipe_map_len(m), 700);
    Pair k = {S("5"), 5};
    double *v = pipe_map_get(m, &k);
    assert_non_null(v);
    assert_true(*v == 2.0);
    pipe_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_basic),
        cmocka_unit_test(test_arena_first_big),
        cmocka_unit_test(test_arena_after_map_scratch),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_map_order_upsert_remove),
        cmocka_unit_test(test_map_set_and_churn),
        cmocka_unit_test(test_map_short_keys),
        cmocka_unit_test(test_map_million),
        cmocka_unit_test(test_map_accounting),
        cmocka_unit_test(test_cmp_table),
        cmocka_unit_test(test_clone_drop),
        cmocka_unit_test(test_map_tuple_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
