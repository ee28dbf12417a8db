/* test_std_aggregate.c — unit tests of count, count_items, sum, min, max, avg and
 * enumerate (stdlib/aggregate.c): exact outputs, empty inputs, tuples. */
#include "test_std_harness.h"

enum { A_COUNT, A_COUNT_ITEMS, A_SUM, A_MIN, A_MAX, A_AVG, A_ENUMERATE };

typedef struct AggArg {
    int op;
    const PipeType *t, *out;
} AggArg;

static PipeNode *make_agg(PipeRt *rt, PipePos pos, const void *arg)
{
    const AggArg *a = arg;
    switch (a->op) {
    case A_COUNT: return pipe_std_count(rt, pos, a->t, a->out);
    case A_COUNT_ITEMS: return pipe_std_count_items(rt, pos, a->t);
    case A_SUM: return pipe_std_sum(rt, pos, a->t);
    case A_MIN: return pipe_std_min(rt, pos, a->t);
    case A_MAX: return pipe_std_max(rt, pos, a->t);
    case A_AVG: return pipe_std_avg(rt, pos, a->t);
    default: return pipe_std_enumerate(rt, pos, a->t, a->out);
    }
}

/* (T, int) and (int, T) tuple types for T = int and T = (str, int). */
typedef struct TIntInt {
    int64_t a, b;
} TIntInt;
static const PipeType *const t_int_int_fields[] = {&pipe_t_int, &pipe_t_int};
static const uint32_t t_int_int_offs[] = {offsetof(TIntInt, a), offsetof(TIntInt, b)};
static const PipeType t_int_int = {PIPE_K_TUPLE, sizeof(TIntInt), _Alignof(TIntInt), 2,
                                   t_int_int_fields, t_int_int_offs, NULL, NULL, NULL, NULL};

typedef struct TPairCount {
    TStrInt p;
    int64_t n;
} TPairCount;
static const PipeType *const t_pair_count_fields[] = {&t_str_int, &pipe_t_int};
static const uint32_t t_pair_count_offs[] = {offsetof(TPairCount, p), offsetof(TPairCount, n)};
static const PipeType t_pair_count = {PIPE_K_TUPLE, sizeof(TPairCount), _Alignof(TPairCount), 2,
                                      t_pair_count_fields, t_pair_count_offs, NULL, NULL, NULL, NULL};

static void test_count_str(void **state)
{
    (void)state;
    AggArg a = {A_COUNT, &pipe_t_str, &t_str_int};
    t_check_lines("count", make_agg, &a, "b\na\nb\n\nc\nb\na\n\n", &t_str_int,
                  "b\t3\na\t2\n\t2\nc\t1\n");
    t_check_lines("count empty", make_agg, &a, "", &t_str_int, "");
    t_check_lines("count one", make_agg, &a, "x\n", &t_str_int, "x\t1\n");

    static const char nul[] = "a\0b\na\na\0b\na\0c\n";
    TInput in = t_lines_n(nul, sizeof nul - 1);
    assert_int_equal(t_run(make_agg, &a, &in, 1, &t_str_int), 0);
    static const char exp[] = "a\0b\t2\na\t1\na\0c\t1\n";
    t_expect_n("count NUL", exp, sizeof exp - 1);
    free((void *)in.items);
}

static void test_count_ints_tuples(void **state)
{
    (void)state;
    static const int64_t v[] = {3, -1, 3, 0, -1, 3};
    TInput in = t_ints(v, 6);
    AggArg a = {A_COUNT, &pipe_t_int, &t_int_int};
    assert_int_equal(t_run(make_agg, &a, &in, 1, &t_int_int), 0);
    t_expect("count ints", "3\t3\n-1\t2\n0\t1\n");

    static const TStrInt p[] = {{T_STR("a"), 1}, {T_STR("a"), 2}, {T_STR("a"), 1},
                                {T_STR("b"), 1}, {T_STR("a"), 2}, {T_STR("a"), 1}};
    in = (TInput){&t_str_int, p, 6};
    AggArg at = {A_COUNT, &t_str_int, &t_pair_count};
    assert_int_equal(t_run(make_agg, &at, &in, 1, &t_pair_count), 0);
    t_expect("count tuples", "a\t1\t3\na\t2\t2\nb\t1\t1\n");
}

/* Many distinct keys: the map grows, the emitted order stays first-seen. */
static void test_count_many(void **state)
{
    (void)state;
    enum { N = 5000 };
    int64_t *v = malloc(2 * N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = v[N + i] = (int64_t)(i * 7919 % N); /* a permutation, seen twice */
    TInput in = t_ints(v, 2 * N);
    AggArg a = {A_COUNT, &pipe_t_int, &t_int_int};
    assert_int_equal(t_run(make_agg, &a, &in, 1, &t_int_int), 0);
    assert_int_equal(t_run_state.items, N);
    char *exp = malloc((size_t)N * 16), *p = exp;
    for (int i = 0; i < N; i++)
        p += sprintf(p, "%lld\t2\n", (long long)v[i]);
    t_expect("count many", exp);
    free(exp);
    free(v);
}

static void test_count_items(void **state)
{
    (void)state;
    AggArg a = {A_COUNT_ITEMS, &pipe_t_str, NULL};
    t_check_lines("count_items", make_agg, &a, "a\n\nb\n", &pipe_t_int, "3\n");
    t_check_lines("count_items empty", make_agg, &a, "", &pipe_t_int, "0\n");
}

typedef struct NumCase {
    const char *name;
    int op;
    bool is_float;
    int64_t ints[6];
    double floats[6];
    size_t n;
    const char *exp; /* NULL: the float fexp as the runtime writes it */
    double fexp;
} NumCase;

static const NumCase num_cases[] = {
    {"sum ints", A_SUM, false, {1, 2, 3, -10}, {0}, 4, "-4\n", 0},
    {"sum ints empty", A_SUM, false, {0}, {0}, 0, "0\n", 0},
    {"sum ints at the edges", A_SUM, false, {INT64_MAX - 1, 1, INT64_MIN, 0}, {0}, 4, "-1\n", 0},
    {"sum floats", A_SUM, true, {0}, {0.5, 0.25, -2}, 3, "-1.25\n", 0},
    {"sum floats empty", A_SUM, true, {0}, {0}, 0, NULL, 0.0},
    {"min ints", A_MIN, false, {4, -2, 7, -2}, {0}, 4, "-2\n", 0},
    {"max ints", A_MAX, false, {4, -2, 7, 7}, {0}, 4, "7\n", 0},
    {"min empty", A_MIN, false, {0}, {0}, 0, "", 0},
    {"max empty", A_MAX, true, {0}, {0}, 0, "", 0},
    {"min floats", A_MIN, true, {0}, {1.5, -0.5, 3}, 3, "-0.5\n", 0},
    {"max one", A_MAX, false, {-5}, {0}, 1, "-5\n", 0},
    {"avg ints", A_AVG, false, {1, 2, 3, 4}, {0}, 4, "2.5\n", 0},
    {"avg ints big", A_AVG, false, {INT64_MAX, INT64_MAX}, {0}, 2, NULL, 9223372036854775807.0},
    {"avg ints mixed", A_AVG, false, {INT64_MAX, 1, -3, INT64_MIN}, {0}, 4, "-0.75\n", 0},
    {"avg floats", A_AVG, true, {0}, {1, 2, 4.5}, 3, "2.5\n", 0},
    {"avg empty", A_AVG, false, {0}, {0}, 0, "", 0},
    {"avg float empty", A_AVG, true, {0}, {0}, 0, "", 0},
};

static void test_numeric_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof num_cases / sizeof *num_cases; i++) {
        const NumCase *c = &num_cases[i];
        const PipeType *t = c->is_float ? &pipe_t_float : &pipe_t_int;
        TInput in = c->is_float ? t_floats(c->floats, c->n) : t_ints(c->ints, c->n);
        AggArg a = {c->op, t, NULL};
        const PipeType *out = c->op == A_AVG ? &pipe_t_float : t;
        assert_int_equal(t_run(make_agg, &a, &in, 1, out), 0);
        if (c->exp) {
            t_expect(c->name, c->exp);
            continue;
        }
        PipeArena arena = {0};
        PipeStr f = pipe_float_str(&arena, c->fexp);
        char exp[64];
        snprintf(exp, sizeof exp, "%.*s\n", (int)f.n, f.p);
        t_expect(c->name, exp);
        pipe_arena_free(&arena);
    }
}

/* min/max by the order of §6: strs bytewise, tuples lexicographically; the first
 * of equal items is the one kept. */
static void test_min_max_generic(void **state)
{
    (void)state;
    AggArg mn = {A_MIN, &pipe_t_str, NULL}, mx = {A_MAX, &pipe_t_str, NULL};
    t_check_lines("min str", make_agg, &mn, "b\nab\n\xff\nB\n", &pipe_t_str, "B\n");
    t_check_lines("max str", make_agg, &mx, "b\nab\n\xff\nB\n", &pipe_t_str, "\xff\n");
    t_check_lines("min str empty line", make_agg, &mn, "b\n\na\n", &pipe_t_str, "\n");

    static const TStrInt p[] = {{T_STR("b"), 1}, {T_STR("a"), 9}, {T_STR("a"), 2},
                                {T_STR("b"), 5}};
    TInput in = {&t_str_int, p, 4};
    AggArg tmn = {A_MIN, &t_str_int, NULL}, tmx = {A_MAX, &t_str_int, NULL};
    assert_int_equal(t_run(make_agg, &tmn, &in, 1, &t_str_int), 0);
    t_expect("min tuple", "a\t2\n");
    assert_int_equal(t_run(make_agg, &tmx, &in, 1, &t_str_int), 0);
    t_expect("max tuple", "b\t5\n");
}

static void test_enumerate(void **state)
{
    (void)state;
    AggArg a = {A_ENUMERATE, &pipe_t_str, &t_int_str};
    t_check_lines("enumerate", make_agg, &a, "a\n\nc\n", &t_int_str, "1\ta\n2\t\n3\tc\n");
    t_check_lines("enumerate empty", make_agg, &a, "", &t_int_str, "");

    static const int64_t v[] = {10, 20};
    TInput in = t_ints(v, 2);
    AggArg ai = {A_ENUMERATE, &pipe_t_int, &t_int_int};
    assert_int_equal(t_run(make_agg, &ai, &in, 1, &t_int_int), 0);
    t_expect("enumerate ints", "1\t10\n2\t20\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_str),
        cmocka_unit_test(test_count_ints_tuples),
        cmocka_unit_test(test_count_many),
        cmocka_unit_test(test_count_items),
        cmocka_unit_test(test_numeric_table),
        cmocka_unit_test(test_min_max_generic),
        cmocka_unit_test(test_enumerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
