/* test_rt_lists.c — unit tests of runtime/listops.c: slices of strs and lists
 * against Python's rule written another way, sort's stability (ascending and
 * descending) against an insertion sort, and the folds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_impl.h"

static PipeArena arena;

static int teardown(void **state)
{
    (void)state;
    pipe_arena_free(&arena);
    return 0;
}

/* Python's slice rule as the language reference says it: k is in s[i:j]
 * when i <= k < j, after len(s) is added to a negative bound and a bound
 * past len(s) is len(s); computed in 128 bits, element by element. */
static void ref_slice(size_t n, int64_t i, int64_t j, size_t *lo, size_t *cnt)
{
    __int128 a = i, b = j, len = (__int128)n;
    if (a < 0)
        a += len;
    if (b < 0)
        b += len;
    if (a > len)
        a = len;
    if (b > len)
        b = len;
    *cnt = 0;
    *lo = 0;
    for (__int128 k = 0; k < len; k++)
        if (a <= k && k < b) {
            if (!*cnt)
                *lo = (size_t)k;
            (*cnt)++;
        }
}

static const int64_t bounds[] = {INT64_MIN, INT64_MIN + 1, -1000, -7, -6, -5, -2, -1, 0, 1, 2, 5, 6, 7, 1000,
                                 INT64_MAX - 1, INT64_MAX};

static void test_str_slice(void **state)
{
    (void)state;
    const char *texts[] = {"", "a", "h\xc3\xa9llo", "abcdef"};
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        PipeStr s = pipe_str_lit(texts[t], strlen(texts[t]));
        for (size_t x = 0; x < sizeof bounds / sizeof *bounds; x++)
            for (size_t y = 0; y < sizeof bounds / sizeof *bounds; y++) {
                size_t lo, cnt;
                ref_slice(s.n, bounds[x], bounds[y], &lo, &cnt);
                PipeStr got = pipe_str_slice(s, bounds[x], bounds[y]);
                assert_int_equal(got.n, cnt);
                if (cnt)
                    assert_ptr_equal(got.p, s.p + lo);
            }
    }
}

static PipeList *ints(const int64_t *v, size_t n)
{
    PipeList *l = pipe_list_new(&arena, sizeof(int64_t), 0);
    for (size_t k = 0; k < n; k++)
        *(int64_t *)pipe_list_push(l) = v[k];
    return l;
}

static void test_list_slice_concat_reverse(void **state)
{
    (void)state;
    int64_t v[] = {10, 11, 12, 13, 14, 15};
    PipeList *xs = ints(v, 6);
    for (size_t x = 0; x < sizeof bounds / sizeof *bounds; x++)
        for (size_t y = 0; y < sizeof bounds / sizeof *bounds; y++) {
            size_t lo, cnt;
            ref_slice(6, bounds[x], bounds[y], &lo, &cnt);
            PipeList *got = pipe_list_slice(&arena, sizeof(int64_t), xs, bounds[x], bounds[y]);
            assert_int_equal(got->len, cnt);
            for (size_t k = 0; k < cnt; k++)
                assert_int_equal(((int64_t *)got->data)[k], v[lo + k]);
            assert_true(cnt == 0 || got->data != xs->data); /* a copy */
        }
    assert_int_equal(pipe_list_slice(&arena, 8, NULL, 0, 5)->len, 0);
    PipeList *c = pipe_list_concat(&arena, 8, xs, pipe_list_reverse(&arena, 8, xs));
    int64_t want[] = {10, 11, 12, 13, 14, 15, 15, 14, 13, 12, 11, 10};
    assert_int_equal(c->len, 12);
    assert_memory_equal(c->data, want, sizeof want);
    assert_int_equal(pipe_list_concat(&arena, 8, NULL, NULL)->len, 0);
    assert_int_equal(pipe_list_concat(&arena, 8, NULL, xs)->len, 6);
    assert_int_equal(pipe_list_reverse(&arena, 8, NULL)->len, 0);
}

/* sort by keys of few values (many ties), each element its index: the
 * result must be an insertion sort's, which is stable */
static void test_sort_stable(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(rand() % 40);
        bool desc = round % 2;
        int64_t keys[40], idx[40], want[40];
        for (size_t k = 0; k < n; k++) {
            keys[k] = rand() % 5 - 2;
            idx[k] = (int64_t)k;
        }
        size_t m = 0;
        for (size_t k = 0; k < n; k++) { /* insertion: after every element not later than it */
            size_t at = m;
            while (at > 0 && (desc ? keys[want[at - 1]] < keys[k] : keys[want[at - 1]] > keys[k]))
                at--;
            memmove(want + at + 1, want + at, (m - at) * sizeof *want);
            want[at] = (int64_t)k;
            m++;
        }
        PipeList *got = pipe_list_sort(&arena, &pipe_t_int, ints(idx, n), &pipe_t_int, keys, desc);
        assert_int_equal(got->len, n);
        if (n)
            assert_memory_equal(got->data, want, n * sizeof *want);
        /* by the elements themselves: ascending keys */
        PipeList *self = pipe_list_sort(&arena, &pipe_t_int, ints(keys, n), NULL, NULL, false);
        for (size_t k = 1; k < n; k++)
            assert_true(((int64_t *)self->data)[k - 1] <= ((int64_t *)self->data)[k]);
    }
    assert_int_equal(pipe_list_sort(&arena, &pipe_t_int, NULL, NULL, NULL, true)->len, 0);
}

static void test_folds(void **state)
{
    (void)state;
    int64_t v[] = {3, -1, 7, -1, 7};
    PipeList *xs = ints(v, 5);
    assert_ptr_equal(pipe_list_extreme(NULL, &pipe_t_int, xs, -1), (int64_t *)xs->data + 1); /* the first -1 */
    assert_ptr_equal(pipe_list_extreme(NULL, &pipe_t_int, xs, 1), (int64_t *)xs->data + 2);  /* the first 7 */
    assert_int_equal(pipe_list_isum(NULL, xs), 15);
    assert_int_equal(pipe_list_isum(NULL, NULL), 0);
    int64_t seven = 7, eight = 8;
    assert_true(pipe_list_contains(&pipe_t_int, xs, &seven));
    assert_false(pipe_list_contains(&pipe_t_int, xs, &eight));
    assert_false(pipe_list_contains(&pipe_t_int, NULL, &eight));
    PipeList *fs = pipe_list_new(&arena, sizeof(double), 0);
    double fv[] = {0.1, 0.2, 0.3};
    for (int k = 0; k < 3; k++)
        *(double *)pipe_list_push(fs) = fv[k];
    double want = 0.0;
    for (int k = 0; k < 3; k++)
        want += fv[k]; /* left to right: 0.6000000000000001 */
    assert_true(pipe_list_fsum(fs) == want);
    assert_true(pipe_list_fsum(NULL) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_str_slice, teardown),
        cmocka_unit_test_teardown(test_list_slice_concat_reverse, teardown),
        cmocka_unit_test_teardown(test_sort_stable, teardown),
        cmocka_unit_test_teardown(test_folds, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
