/* test_rt_int.c — unit tests of the checked int arithmetic of runtime/pipe.h:
 * the portable overflow checks (what tcc, the JIT, compiles) must agree with
 * GCC's overflow builtins (what cc -O2 builds use) on every pair of edges. */
#define PIPE_OVERFLOW_BUILTINS 0 /* this file tests the portable code */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pipe.h"

/* The edges of 64-bit and 32-bit arithmetic, and around sqrt(INT64_MAX). */
static const int64_t edges[] = {
    0, 1, -1, 2, -2, 3, -3, 7, -7,
    INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1, (int64_t)UINT32_MAX,
    -(int64_t)UINT32_MAX, (int64_t)1 << 32, -((int64_t)1 << 32),
    3037000499, -3037000499, 3037000500, -3037000500,
    (int64_t)1 << 62, -((int64_t)1 << 62), ((int64_t)1 << 62) - 1,
    INT64_MAX, INT64_MAX - 1, INT64_MAX / 2, INT64_MIN, INT64_MIN + 1, INT64_MIN / 2,
};

/* A reproducible spread of values of every magnitude (xorshift64*, then a
 * random shift so that small and large factors both occur). */
static int64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    uint64_t v = *s * 0x2545f4914f6cdd1dULL;
    return (int64_t)v >> (v & 63);
}

/* Checks one pair with the three operations, portable against builtin. */
static void check_pair(int64_t x, int64_t y)
{
    int64_t r, want;
    bool o = pipe_add_overflows(x, y, &r), wo = __builtin_add_overflow(x, y, &want);
    if (o != wo || r != want)
        fail_msg("%lld + %lld: overflow %d result %lld, want %d %lld", (long long)x, (long long)y, o, (long long)r,
                 wo, (long long)want);
    o = pipe_sub_overflows(x, y, &r), wo = __builtin_sub_overflow(x, y, &want);
    if (o != wo || r != want)
        fail_msg("%lld - %lld: overflow %d result %lld, want %d %lld", (long long)x, (long long)y, o, (long long)r,
                 wo, (long long)want);
    o = pipe_mul_overflows(x, y, &r), wo = __builtin_mul_overflow(x, y, &want);
    if (o != wo || r != want)
        fail_msg("%lld * %lld: overflow %d result %lld, want %d %lld", (long long)x, (long long)y, o, (long long)r,
                 wo, (long long)want);
}

static void test_portable_agrees_on_edges(void **state)
{
    (void)state;
    size_t n = sizeof edges / sizeof edges[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (int dx = -1; dx <= 1; dx++) /* and the neighbours of each edge */
                for (int dy = -1; dy <= 1; dy++) {
                    int64_t x = edges[i], y = edges[j];
                    if (!__builtin_add_overflow(x, dx, &x) && !__builtin_add_overflow(y, dy, &y))
                        check_pair(x, y);
                }
}

static void test_portable_agrees_on_random(void **state)
{
    (void)state;
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 200000; i++) {
        int64_t x = next_random(&s);
        check_pair(x, next_random(&s));
    }
}

/* The checked operations where nothing overflows: the exact results. */
static void test_results_at_the_edges(void **state)
{
    (void)state;
    assert_true(pipe_iadd(NULL, INT64_MAX, 0) == INT64_MAX);
    assert_true(pipe_isub(NULL, pipe_iadd(NULL, INT64_MIN, 1), 1) == INT64_MIN);
    assert_true(pipe_iadd(NULL, INT64_MIN, INT64_MAX) == -1);
    assert_true(pipe_isub(NULL, -1, INT64_MAX) == INT64_MIN);
    assert_true(pipe_imul(NULL, (int64_t)1 << 62, -2) == INT64_MIN);
    assert_true(pipe_imul(NULL, INT64_MIN, 1) == INT64_MIN);
    assert_true(pipe_ineg(NULL, INT64_MAX) == -INT64_MAX);
    assert_true(pipe_iabs(NULL, INT64_MIN + 1) == INT64_MAX);
    assert_true(pipe_idiv(NULL, INT64_MIN + 1, -1) == INT64_MAX);
    assert_true(pipe_idiv(NULL, INT64_MIN, 1) == INT64_MIN);
    assert_true(pipe_imod(NULL, INT64_MIN, -1) == 0);
    assert_true(pipe_float_int(NULL, -9223372036854775808.0) == INT64_MIN);
    assert_true(pipe_float_int(NULL, 9223372036854774784.0) == 9223372036854774784);
    assert_true(pipe_float_int(NULL, -2.9) == -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portable_agrees_on_edges),
        cmocka_unit_test(test_portable_agrees_on_random),
        cmocka_unit_test(test_results_at_the_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
