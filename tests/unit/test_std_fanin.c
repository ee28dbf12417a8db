/* test_std_fanin.c — unit tests of merge, concat and zip (stdlib/fanin.c), fed by
 * several test sources that the scheduler interleaves item by item. */
#include "test_std_harness.h"

enum { F_MERGE, F_CONCAT, F_ZIP };

typedef struct FanArg {
    int op, n;
    const PipeType *t, *b, *out;
} FanArg;

static PipeNode *make_fan(PipeRt *rt, PipePos pos, const void *arg)
{
    const FanArg *a = arg;
    switch (a->op) {
    case F_MERGE: return pipe_std_merge(rt, pos, a->t, a->n);
    case F_CONCAT: return pipe_std_concat(rt, pos, a->t, a->n);
    default: return pipe_std_zip(rt, pos, a->t, a->b, a->out);
    }
}

/* Runs op on up to three str inputs given as texts. */
static void fan_check(const char *what, int op, int n, const char *const *texts, const char *exp)
{
    TInput in[T_MAXIN];
    for (int i = 0; i < n; i++)
        in[i] = t_lines(texts[i]);
    FanArg a = {op, n, &pipe_t_str, NULL, NULL};
    assert_int_equal(t_run(make_fan, &a, in, n, &pipe_t_str), 0);
    t_expect(what, exp);
    for (int i = 0; i < n; i++)
        free((void *)in[i].items);
}

static void test_merge(void **state)
{
    (void)state;
    /* The scheduler takes one item of each live input in turn. */
    const char *two[] = {"a1\na2\na3\n", "b1\n"};
    fan_check("merge round-robin", F_MERGE, 2, two, "a1\nb1\na2\na3\n");
    const char *empty[] = {"", ""};
    fan_check("merge empty", F_MERGE, 2, empty, "");
    const char *one_empty[] = {"", "b1\nb2\n", "c1\n"};
    fan_check("merge one empty", F_MERGE, 3, one_empty, "b1\nc1\nb2\n");
}

static void test_concat(void **state)
{
    (void)state;
    const char *two[] = {"a1\na2\na3\n", "b1\nb2\nb3\n"};
    fan_check("concat interleaved arrival", F_CONCAT, 2, two, "a1\na2\na3\nb1\nb2\nb3\n");
    /* The first input ends first, the third before the second: the second is
     * forwarded live once the first ends, the third is held until the second ends. */
    const char *three[] = {"a1\n", "b1\nb2\nb3\nb4\n", "c1\nc2\n"};
    fan_check("concat three", F_CONCAT, 3, three, "a1\nb1\nb2\nb3\nb4\nc1\nc2\n");
    const char *longfirst[] = {"a1\na2\na3\na4\n", "b1\n", "c1\nc2\n"};
    fan_check("concat long first", F_CONCAT, 3, longfirst, "a1\na2\na3\na4\nb1\nc1\nc2\n");
    const char *empties[] = {"", "b1\n", ""};
    fan_check("concat empty inputs", F_CONCAT, 3, empties, "b1\n");
    const char *none[] = {"", ""};
    fan_check("concat all empty", F_CONCAT, 2, none, "");
    const char *one[] = {"x\ny\n"};
    fan_check("concat one input", F_CONCAT, 1, one, "x\ny\n");
}

/* Buffered items are clones: the sources' items may be gone when they are
 * flushed (here tuples holding strs). */
static void test_concat_tuples(void **state)
{
    (void)state;
    static const TStrInt a[] = {{T_STR("a"), 1}, {T_STR("b"), 2}};
    static const TStrInt b[] = {{T_STR("c"), 3}, {T_STR("d"), 4}, {T_STR("e"), 5}};
    TInput in[2] = {{&t_str_int, a, 2}, {&t_str_int, b, 3}};
    FanArg f = {F_CONCAT, 2, &t_str_int, NULL, NULL};
    assert_int_equal(t_run(make_fan, &f, in, 2, &t_str_int), 0);
    t_expect("concat tuples", "a\t1\nb\t2\nc\t3\nd\t4\ne\t5\n");
}

static void test_zip(void **state)
{
    (void)state;
    static const struct {
        const char *what, *a;
        size_t nb;
        const char *exp;
    } cases[] = {
        {"zip equal", "x\ny\nz\n", 3, "x\t1\ny\t2\nz\t3\n"},
        {"zip a shorter", "x\n", 3, "x\t1\n"},
        {"zip b shorter", "x\ny\nz\nw\n", 2, "x\t1\ny\t2\n"},
        {"zip a empty", "", 2, ""},
        {"zip b empty", "x\ny\n", 0, ""},
    };
    static const int64_t ints[] = {1, 2, 3};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        TInput in[2] = {t_lines(cases[k].a), t_ints(ints, cases[k].nb)};
        FanArg f = {F_ZIP, 2, &pipe_t_str, &pipe_t_int, &t_str_int};
        assert_int_equal(t_run(make_fan, &f, in, 2, &t_str_int), 0);
        t_expect(cases[k].what, cases[k].exp);
        free((void *)in[0].items);
    }
}

/* One side far ahead of the other: a tail in front of a port holds its items
 * until the end, so the other port's items all wait in zip's queue as clones. */
static PipeNode *make_zip_is(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_zip(rt, pos, &pipe_t_int, &pipe_t_str, &t_int_str);
}

static int delayed_port;
static PipeNode *front_tail(PipeRt *rt, PipePos pos, int port)
{
    if (port != delayed_port)
        return NULL;
    return pipe_std_tail(rt, pos, port == 0 ? &pipe_t_int : &pipe_t_str, 1000);
}

static void test_zip_ahead(void **state)
{
    (void)state;
    enum { N = 100 };
    static int64_t ints[N];
    for (int i = 0; i < N; i++)
        ints[i] = i;
    static const struct {
        int delayed;
        size_t nints;
        const char *strs, *exp;
    } cases[] = {
        {1, N, "a\nb\nc\n", "0\ta\n1\tb\n2\tc\n"},     /* ints wait, strs end first */
        {1, 2, "a\nb\nc\n", "0\ta\n1\tb\n"},           /* ints wait, ints end first */
        {0, 3, "a\nb\nc\nd\ne\n", "0\ta\n1\tb\n2\tc\n"}, /* strs wait */
        {0, N, "a\n", "0\ta\n"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        TInput in[2] = {t_ints(ints, cases[k].nints), t_lines(cases[k].strs)};
        delayed_port = cases[k].delayed;
        t_run_state.front = front_tail;
        assert_int_equal(t_run(make_zip_is, NULL, in, 2, &t_int_str), 0);
        t_expect(cases[k].exp, cases[k].exp);
        free((void *)in[1].items);
    }
}

/* Port 1 gets two items per round against one of port 0: its queue grows by
 * one per round while its front is taken, so the ring wraps and grows. */
static PipeNode *front_split(PipeRt *rt, PipePos pos, int port)
{
    return port == 1 ? pipe_std_split(rt, pos, T_STR(",")) : NULL;
}

static void test_zip_queue_wraps(void **state)
{
    (void)state;
    enum { N = 50, L = 30 };
    static int64_t ints[N];
    for (int i = 0; i < N; i++)
        ints[i] = i;
    char text[L * 16], *p = text;
    for (int i = 0; i < L; i++)
        p += sprintf(p, "a%d,b%d\n", i, i);
    char exp[N * 16];
    p = exp;
    for (int i = 0; i < N; i++)
        p += sprintf(p, "%d\t%c%d\n", i, i % 2 ? 'b' : 'a', i / 2);
    TInput in[2] = {t_ints(ints, N), t_lines(text)};
    t_run_state.front = front_split;
    assert_int_equal(t_run(make_zip_is, NULL, in, 2, &t_int_str), 0);
    t_expect("zip ring", exp);
    free((void *)in[1].items);
}

/* Concat with a late first input: a tail in front of port 0 makes every item of
 * port 1 arrive first; they are held and come after port 0's. */
static PipeNode *front_tail0(PipeRt *rt, PipePos pos, int port)
{
    return port == 0 ? pipe_std_tail(rt, pos, &pipe_t_str, 100) : NULL;
}

static void test_concat_late_first(void **state)
{
    (void)state;
    TInput in[2] = {t_lines("a1\na2\n"), t_lines("b1\nb2\nb3\n")};
    FanArg f = {F_CONCAT, 2, &pipe_t_str, NULL, NULL};
    t_run_state.front = front_tail0;
    assert_int_equal(t_run(make_fan, &f, in, 2, &pipe_t_str), 0);
    t_expect("concat late first", "a1\na2\nb1\nb2\nb3\n");
    free((void *)in[0].items);
    free((void *)in[1].items);
}

/* Buffered items holding a set are copies: the set grows after it was emitted. */
static void test_concat_sets_are_copied(void **state)
{
    (void)state;
    TInput in[2] = {t_lines("a1\na2\n"), t_lines("b1\nb2\nb3\n")};
    FanArg f = {F_CONCAT, 2, &t_set_str, NULL, NULL};
    t_run_state.front = t_front_accum;
    assert_int_equal(t_run(make_fan, &f, in, 2, &t_set_str), 0);
    t_expect("concat sets", "a1\na1 a2\nb1\nb1 b2\nb1 b2 b3\n");
    free((void *)in[0].items);
    free((void *)in[1].items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_concat_tuples),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_zip_ahead),
        cmocka_unit_test(test_zip_queue_wraps),
        cmocka_unit_test(test_concat_late_first),
        cmocka_unit_test(test_concat_sets_are_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
