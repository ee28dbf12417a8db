/* test_std_generic.c — unit tests of pass, head, tail, skip, uniq, distinct, sort
 * and top (stdlib/generic.c), including large randomized sorts against a reference. */
#include "test_std_harness.h"

enum { G_PASS, G_HEAD, G_TAIL, G_SKIP, G_UNIQ, G_DISTINCT };

typedef struct GenCase {
    const char *name;
    int op;
    int64_t n;
    const char *in, *exp;
} GenCase;

static PipeNode *make_gen_str(PipeRt *rt, PipePos pos, const void *arg)
{
    const GenCase *c = arg;
    const PipeType *t = &pipe_t_str;
    switch (c->op) {
    case G_PASS: return pipe_std_pass(rt, pos, t);
    case G_HEAD: return pipe_std_head(rt, pos, t, c->n);
    case G_TAIL: return pipe_std_tail(rt, pos, t, c->n);
    case G_SKIP: return pipe_std_skip(rt, pos, t, c->n);
    case G_UNIQ: return pipe_std_uniq(rt, pos, t);
    default: return pipe_std_distinct(rt, pos, t);
    }
}

static PipeNode *make_gen_set(PipeRt *rt, PipePos pos, const void *arg)
{
    const GenCase *c = arg;
    return pipe_std_tail(rt, pos, &t_set_str, c->n);
}

static const GenCase gen_cases[] = {
    {"pass", G_PASS, 0, "a\n\nb\n", "a\n\nb\n"},
    {"pass empty", G_PASS, 0, "", ""},
    {"head 2", G_HEAD, 2, "a\nb\nc\nd\n", "a\nb\n"},
    {"head 0", G_HEAD, 0, "a\nb\n", ""},
    {"head negative", G_HEAD, -3, "a\nb\n", ""},
    {"head beyond", G_HEAD, 10, "a\nb\n", "a\nb\n"},
    {"head empty", G_HEAD, 3, "", ""},
    {"tail 2", G_TAIL, 2, "a\nb\nc\nd\ne\n", "d\ne\n"},
    {"tail 1", G_TAIL, 1, "a\nb\nc\n", "c\n"},
    {"tail larger than input", G_TAIL, 10, "a\nb\nc\n", "a\nb\nc\n"},
    {"tail huge n", G_TAIL, INT64_MAX, "a\nb\n", "a\nb\n"},
    {"tail exact", G_TAIL, 3, "a\nb\nc\n", "a\nb\nc\n"},
    {"tail 0", G_TAIL, 0, "a\nb\n", ""},
    {"tail empty", G_TAIL, 4, "", ""},
    {"skip 2", G_SKIP, 2, "a\nb\nc\nd\n", "c\nd\n"},
    {"skip 0", G_SKIP, 0, "a\nb\n", "a\nb\n"},
    {"skip beyond input", G_SKIP, 5, "a\nb\n", ""},
    {"skip negative", G_SKIP, -1, "a\nb\n", "a\nb\n"},
    {"uniq", G_UNIQ, 0, "a\na\nb\na\na\n\n\nc\nc\n", "a\nb\na\n\nc\n"},
    {"uniq one", G_UNIQ, 0, "x\n", "x\n"},
    {"uniq empty", G_UNIQ, 0, "", ""},
    {"uniq case matters", G_UNIQ, 0, "a\nA\na\n", "a\nA\na\n"},
    {"distinct", G_DISTINCT, 0, "a\nb\na\n\nc\nb\n\n", "a\nb\n\nc\n"},
    {"distinct empty", G_DISTINCT, 0, "", ""},
};

static void test_generic_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof gen_cases / sizeof *gen_cases; i++)
        t_check_lines(gen_cases[i].name, make_gen_str, &gen_cases[i], gen_cases[i].in,
                      &pipe_t_str, gen_cases[i].exp);
}

/* tail keeps clones: the source's items may be reused; a ring that wraps many times. */
static PipeNode *make_tail_ints(PipeRt *rt, PipePos pos, const void *arg)
{
    return pipe_std_tail(rt, pos, &pipe_t_int, *(const int64_t *)arg);
}

static void test_tail_wraps(void **state)
{
    (void)state;
    int64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = i;
    TInput in = t_ints(v, 100);
    int64_t n = 3;
    assert_int_equal(t_run(make_tail_ints, &n, &in, 1, &pipe_t_int), 0);
    t_expect("tail 3 of 100", "97\n98\n99\n");
    n = 40;
    assert_int_equal(t_run(make_tail_ints, &n, &in, 1, &pipe_t_int), 0);
    assert_int_equal(t_run_state.items, 40);
    assert_memory_equal(t_run_state.out, "60\n61\n", 6);
}

/* head stops a source that feeds nothing else: an endless input ends. */
static void test_head_stops_endless_input(void **state)
{
    (void)state;
    GenCase c = {"head endless", G_HEAD, 3, 0, 0};
    TInput in = t_lines("a\nb\n");
    t_run_state.cycle = true;
    assert_int_equal(t_run(make_gen_str, &c, &in, 1, &pipe_t_str), 0);
    t_expect("head of endless", "a\nb\na\n");
    c.n = 0;
    t_run_state.cycle = true;
    assert_int_equal(t_run(make_gen_str, &c, &in, 1, &pipe_t_str), 0);
    t_expect("head(0) of endless", "");
    free((void *)in.items);
}

/* uniq and distinct on tuples compare every field. */
static PipeNode *make_uniq_tuple(PipeRt *rt, PipePos pos, const void *arg)
{
    return *(const int *)arg ? pipe_std_distinct(rt, pos, &t_str_int)
                             : pipe_std_uniq(rt, pos, &t_str_int);
}

static void test_uniq_distinct_tuples(void **state)
{
    (void)state;
    static const TStrInt v[] = {{T_STR("a"), 1}, {T_STR("a"), 1}, {T_STR("a"), 2},
                                {T_STR("b"), 1}, {T_STR("a"), 1}, {T_STR("a"), 2}};
    TInput in = {&t_str_int, v, 6};
    int distinct = 0;
    assert_int_equal(t_run(make_uniq_tuple, &distinct, &in, 1, &t_str_int), 0);
    t_expect("uniq tuples", "a\t1\na\t2\nb\t1\na\t1\na\t2\n");
    distinct = 1;
    assert_int_equal(t_run(make_uniq_tuple, &distinct, &in, 1, &t_str_int), 0);
    t_expect("distinct tuples", "a\t1\na\t2\nb\t1\n");
}

/* ---- sort */

typedef struct SortArg {
    const PipeType *t;
    PipeKeyFn key;
    const PipeType *key_t;
    bool desc;
    int64_t n; /* top */
} SortArg;

static PipeNode *make_sort(PipeRt *rt, PipePos pos, const void *arg)
{
    const SortArg *a = arg;
    return pipe_std_sort(rt, pos, a->t, a->key, NULL, a->key_t, a->desc);
}

/* env = rt: for key fns that allocate from the run's scratch directly (as
 * generated code does), not from the arena argument. */
static PipeNode *make_sort_rt(PipeRt *rt, PipePos pos, const void *arg)
{
    const SortArg *a = arg;
    return pipe_std_sort(rt, pos, a->t, a->key, rt, a->key_t, a->desc);
}

static PipeNode *make_top(PipeRt *rt, PipePos pos, const void *arg)
{
    const SortArg *a = arg;
    return pipe_std_top(rt, pos, a->t, a->n, a->key, NULL, a->key_t);
}

static void key_field1(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)env;
    (void)scratch;
    *(int64_t *)key_out = ((const TStrInt *)item)->n;
}

/* A key built in the arena given: it must live until the sort is done. */
static void key_lower(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)env;
    *(PipeStr *)key_out = pipe_lower(scratch, *(const PipeStr *)item);
}

static void key_lower_rt(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)scratch;
    *(PipeStr *)key_out = pipe_lower(pipe_scratch(env), *(const PipeStr *)item);
}

/* A key in scratch, built after other scratch use, so that a key not copied
 * by sort would be overwritten by the next item's. */
static void key_upper_rt(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)scratch;
    PipeStr s = *(const PipeStr *)item;
    (void)pipe_alloc(pipe_scratch(env), 24);
    *(PipeStr *)key_out = pipe_upper(pipe_scratch(env), s);
}

static void key_len(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)env;
    (void)scratch;
    *(int64_t *)key_out = (int64_t)((const PipeStr *)item)->n;
}

static void test_sort_str_bytewise(void **state)
{
    (void)state;
    /* LC_ALL=C sort: unsigned bytes, a prefix first, NUL is a byte like others. */
    static const char in[] = "b\n\xc3\xa9\na\nB\n\nab\na\0\n\x7f\n\xff\nprefix12345b\n"
                             "prefix12345a\nprefix1234\nprefix12345\na\n";
    static const char exp[] = "\nB\na\na\na\0\nab\nb\n"
                              "prefix1234\nprefix12345\nprefix12345a\nprefix12345b\n"
                              "\x7f\n\xc3\xa9\n\xff\n";
    TInput i = t_lines_n(in, sizeof in - 1);
    SortArg a = {&pipe_t_str, NULL, NULL, false, 0};
    assert_int_equal(t_run(make_sort, &a, &i, 1, &pipe_t_str), 0);
    t_expect_n("sort str", exp, sizeof exp - 1);
    free((void *)i.items);
}

static void test_sort_small(void **state)
{
    (void)state;
    SortArg a = {&pipe_t_str, NULL, NULL, false, 0};
    t_check_lines("sort empty", make_sort, &a, "", &pipe_t_str, "");
    t_check_lines("sort one", make_sort, &a, "x\n", &pipe_t_str, "x\n");
    a.desc = true;
    t_check_lines("sort desc", make_sort, &a, "b\na\nc\nb\n", &pipe_t_str, "c\nb\nb\na\n");

    static const int64_t ints[] = {5, -3, 0, INT64_MAX, INT64_MIN, -3, 7};
    TInput in = t_ints(ints, 7);
    SortArg ai = {&pipe_t_int, NULL, NULL, false, 0};
    assert_int_equal(t_run(make_sort, &ai, &in, 1, &pipe_t_int), 0);
    t_expect("sort ints", "-9223372036854775808\n-3\n-3\n0\n5\n7\n9223372036854775807\n");

    static const double fl[] = {1.5, -0.5, 2.5, -10.75, 0.25};
    in = t_floats(fl, 5);
    SortArg af = {&pipe_t_float, NULL, NULL, true, 0};
    assert_int_equal(t_run(make_sort, &af, &in, 1, &pipe_t_float), 0);
    t_expect("sort floats desc", "2.5\n1.5\n0.25\n-0.5\n-10.75\n");
}

static void test_sort_by_key_stable(void **state)
{
    (void)state;
    static const TStrInt v[] = {{T_STR("a"), 2}, {T_STR("b"), 1}, {T_STR("c"), 2},
                                {T_STR("d"), 3}, {T_STR("e"), 1}, {T_STR("f"), 2}};
    TInput in = {&t_str_int, v, 6};
    SortArg a = {&t_str_int, key_field1, &pipe_t_int, false, 0};
    assert_int_equal(t_run(make_sort, &a, &in, 1, &t_str_int), 0);
    t_expect("sort by p.1", "b\t1\ne\t1\na\t2\nc\t2\nf\t2\nd\t3\n");
    a.desc = true; /* reversed order, ties still in input order */
    assert_int_equal(t_run(make_sort, &a, &in, 1, &t_str_int), 0);
    t_expect("sort by p.1 desc", "d\t3\na\t2\nc\t2\nf\t2\nb\t1\ne\t1\n");

    /* The whole tuple as the key: (str, int) lexicographically. */
    static const TStrInt w[] = {{T_STR("b"), 1}, {T_STR("a"), 2}, {T_STR("a"), -1},
                                {T_STR("ab"), 0}, {T_STR("b"), 0}};
    in = (TInput){&t_str_int, w, 5};
    SortArg t = {&t_str_int, NULL, NULL, false, 0};
    assert_int_equal(t_run(make_sort, &t, &in, 1, &t_str_int), 0);
    t_expect("sort tuples", "a\t-1\na\t2\nab\t0\nb\t0\nb\t1\n");

    SortArg lo = {&pipe_t_str, key_lower, &pipe_t_str, false, 0};
    t_check_lines("sort by lower", make_sort, &lo, "b\nA\na\nB\nC\nc\n", &pipe_t_str,
                  "A\na\nb\nB\nC\nc\n");
    SortArg lr = {&pipe_t_str, key_lower_rt, &pipe_t_str, false, 0};
    t_check_lines("sort by lower in scratch", make_sort_rt, &lr,
                  "banana\nApple\ncherry\napple2\nBanana0\nAPPLE\n", &pipe_t_str,
                  "Apple\nAPPLE\napple2\nbanana\nBanana0\ncherry\n");
    SortArg ur = {&pipe_t_str, key_upper_rt, &pipe_t_str, true, 0};
    t_check_lines("sort by upper in scratch desc", make_sort_rt, &ur,
                  "b\nA\nc\na\nB\nzz\nZ\n", &pipe_t_str, "zz\nZ\nc\nb\nB\nA\na\n");
    SortArg ln = {&pipe_t_str, key_len, &pipe_t_int, true, 0};
    t_check_lines("sort by len desc", make_sort, &ln, "bb\na\ncc\nddd\n\ne\n", &pipe_t_str,
                  "ddd\nbb\ncc\na\ne\n\n");
}

/* Random strings with shared prefixes and high bytes, sorted against a
 * reference: a stable insertion into order by memcmp semantics. */
static const char rnd_alpha[] = {'a', 'b', 'z', 'A', '0', ' ', '\t', 0x7f, (char)0x80, (char)0xff, 0};

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static const PipeStr *ref_strs;
static int ref_cmp(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    PipeStr x = ref_strs[i], y = ref_strs[j];
    size_t n = x.n < y.n ? x.n : y.n;
    int c = n ? memcmp(x.p, y.p, n) : 0;
    if (!c)
        c = x.n < y.n ? -1 : x.n > y.n;
    if (!c)
        c = i < j ? -1 : i > j; /* stability */
    return c;
}

/* The expected output (NUL bytes included) of v[idx[0]], ..., v[idx[n-1]],
 * each at most line - 1 bytes; *len its length. */
static char *ref_text(const PipeStr *v, const size_t *idx, size_t n, size_t line, size_t *len)
{
    char *exp = malloc(n * line);
    assert_non_null(exp);
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(exp + *len, v[idx[i]].p, v[idx[i]].n);
        *len += v[idx[i]].n;
        exp[(*len)++] = '\n';
    }
    return exp;
}

static void test_sort_random_vs_reference(void **state)
{
    (void)state;
    enum { N = 60000 };
    char *pool = malloc((size_t)N * 24);
    PipeStr *v = malloc(N * sizeof *v);
    size_t *idx = malloc(N * sizeof *idx);
    assert_non_null(pool);
    for (size_t i = 0; i < N; i++) {
        char *p = pool + i * 24;
        size_t n = rnd() % 20;
        size_t common = rnd() % 3 == 0 ? (n < 10 ? n : 10) : 0; /* long shared prefixes */
        for (size_t k = 0; k < n; k++)
            p[k] = k < common ? 'p' : rnd_alpha[rnd() % (sizeof rnd_alpha)];
        v[i] = (PipeStr){p, n};
        idx[i] = i;
    }
    ref_strs = v;
    qsort(idx, N, sizeof *idx, ref_cmp);
    size_t len;
    char *exp = ref_text(v, idx, N, 22, &len);
    TInput in = {&pipe_t_str, v, N};
    SortArg a = {&pipe_t_str, NULL, NULL, false, 0};
    assert_int_equal(t_run(make_sort, &a, &in, 1, &pipe_t_str), 0);
    t_expect_n("sort random", exp, len);

    /* Descending by length: stable, so within a length the input order stays. */
    len = 0;
    for (size_t want = 20; want-- > 0;)
        for (size_t i = 0; i < N; i++)
            if (v[i].n == want) {
                memcpy(exp + len, v[i].p, v[i].n);
                len += v[i].n;
                exp[len++] = '\n';
            }
    SortArg d = {&pipe_t_str, key_len, &pipe_t_int, true, 0};
    assert_int_equal(t_run(make_sort, &d, &in, 1, &pipe_t_str), 0);
    t_expect_n("sort random by len desc", exp, len);
    free(exp);
    free(idx);
    free(v);
    free(pool);
}

/* The key of "KEY#N": KEY, a slice of the item. */
static void key_before_hash(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)env;
    (void)scratch;
    PipeStr s = *(const PipeStr *)item;
    while (s.n && s.p[s.n - 1] != '#')
        s.n--;
    s.n -= s.n > 0;
    *(PipeStr *)key_out = s;
}

/* Descending by key, then by position (stable); item i is ref_strs[i]. */
static int ref_key_desc_cmp(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    PipeStr x = ref_strs[i], y = ref_strs[j];
    key_before_hash(NULL, &ref_strs[i], &x, NULL);
    key_before_hash(NULL, &ref_strs[j], &y, NULL);
    size_t n = x.n < y.n ? x.n : y.n;
    int c = n ? memcmp(y.p, x.p, n) : 0;
    if (!c)
        c = x.n > y.n ? -1 : x.n < y.n;
    if (!c)
        c = i < j ? -1 : i > j;
    return c;
}

/* The radix sort's chunks (7 bytes, then a length byte) and its levels: keys
 * sharing 0 to 470 bytes (past SORT_RADIX_LEVELS chunks, where comparisons
 * take over), keys that are prefixes of each other, NUL bytes, many equal
 * keys, sorted desc by a str key and checked for stability. */
static void test_sort_long_prefixes_desc_stable(void **state)
{
    (void)state;
    enum { N = 20000, MAXLEN = 500 };
    static const size_t common[] = {0, 5, 6, 7, 8, 13, 14, 15, 447, 448, 449, 455, 470};
    char *pool = malloc((size_t)N * MAXLEN);
    PipeStr *v = malloc(N * sizeof *v);
    size_t *idx = malloc(N * sizeof *idx);
    assert_non_null(pool);
    for (size_t i = 0; i < N; i++) {
        char *p = pool + i * MAXLEN;
        size_t c = common[rnd() % (sizeof common / sizeof *common)], n = c + rnd() % 4;
        for (size_t k = 0; k < n; k++)
            p[k] = k < c ? 'p' : "\0\1p\xff"[rnd() % 4];
        n += (size_t)snprintf(p + n, 12, "#%zu", i);
        v[i] = (PipeStr){p, n};
        idx[i] = i;
    }
    ref_strs = v;
    qsort(idx, N, sizeof *idx, ref_key_desc_cmp);
    size_t len;
    char *exp = ref_text(v, idx, N, MAXLEN + 1, &len);
    TInput in = {&pipe_t_str, v, N};
    SortArg d = {&pipe_t_str, key_before_hash, &pipe_t_str, true, 0};
    assert_int_equal(t_run(make_sort, &d, &in, 1, &pipe_t_str), 0);
    t_expect_n("sort desc by str key, long prefixes", exp, len);
    free(exp);
    free(idx);
    free(v);
    free(pool);
}

/* Items holding a set are copied, not shared: the set changes after it was
 * emitted.  Sets compare lexicographically in insertion order. */
static void test_sort_sets_are_copied(void **state)
{
    (void)state;
    SortArg a = {&t_set_str, NULL, NULL, true, 0};
    t_run_state.front = t_front_accum;
    t_check_lines("sort sets desc", make_sort, &a, "a\nb\nc\n", &t_set_str,
                  "a b c\na b\na\n");
    SortArg tp = {&t_set_str, NULL, NULL, false, 2};
    t_run_state.front = t_front_accum;
    t_check_lines("top sets", make_top, &tp, "a\nb\nc\n", &t_set_str, "a b c\na b\n");
    GenCase tl = {"tail sets", G_TAIL, 2, 0, 0};
    t_run_state.front = t_front_accum;
    TInput in = t_lines("x\ny\nz\n");
    assert_int_equal(t_run(make_gen_set, &tl, &in, 1, &t_set_str), 0);
    t_expect("tail sets", "x y\nx y z\n");
    free((void *)in.items);
}

/* ---- top */

static void test_top(void **state)
{
    (void)state;
    static const TStrInt v[] = {{T_STR("a"), 1}, {T_STR("b"), 3}, {T_STR("c"), 3},
                                {T_STR("d"), 2}, {T_STR("e"), 3}, {T_STR("f"), 0}};
    TInput in = {&t_str_int, v, 6};
    static const struct {
        int64_t n;
        const char *exp;
    } cases[] = {
        {2, "b\t3\nc\t3\n"},
        {3, "b\t3\nc\t3\ne\t3\n"},
        {4, "b\t3\nc\t3\ne\t3\nd\t2\n"},
        {1, "b\t3\n"},
        {0, ""},
        {-2, ""},
        {10, "b\t3\nc\t3\ne\t3\nd\t2\na\t1\nf\t0\n"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        SortArg a = {&t_str_int, key_field1, &pipe_t_int, false, cases[k].n};
        assert_int_equal(t_run(make_top, &a, &in, 1, &t_str_int), 0);
        t_expect(cases[k].exp, cases[k].exp);
    }
    TInput empty = {&t_str_int, v, 0};
    SortArg a = {&t_str_int, key_field1, &pipe_t_int, false, 3};
    assert_int_equal(t_run(make_top, &a, &empty, 1, &t_str_int), 0);
    t_expect("top of nothing", "");

    static const int64_t ints[] = {5, 1, 5, 7, 3};
    TInput ii = t_ints(ints, 5);
    SortArg ai = {&pipe_t_int, NULL, NULL, false, 3};
    assert_int_equal(t_run(make_top, &ai, &ii, 1, &pipe_t_int), 0);
    t_expect("top ints", "7\n5\n5\n");

    SortArg as = {&pipe_t_str, NULL, NULL, false, 2};
    t_check_lines("top strs", make_top, &as, "b\n\xff\na\nzz\n", &pipe_t_str, "\xff\nzz\n");
    SortArg al = {&pipe_t_str, key_lower, &pipe_t_str, false, 3};
    t_check_lines("top by lower", make_top, &al, "b\nA\nB\na\nc\n", &pipe_t_str, "c\nb\nB\n");
}

/* top(n) equals the first n of a stable sort by key descending. */
static void key_mod(void *env, const void *item, void *key_out, PipeArena *scratch)
{
    (void)env;
    (void)scratch;
    *(int64_t *)key_out = *(const int64_t *)item % 97;
}

static void test_top_random_vs_sort(void **state)
{
    (void)state;
    enum { N = 20000 };
    int64_t *v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++)
        v[i] = (int64_t)(rnd() % 100000);
    TInput in = t_ints(v, N);
    for (int64_t n = 1; n <= 300; n = n * 3 + 1) {
        SortArg s = {&pipe_t_int, key_mod, &pipe_t_int, true, 0};
        assert_int_equal(t_run(make_sort, &s, &in, 1, &pipe_t_int), 0);
        size_t cut = 0, lines = 0;
        while (lines < (size_t)n && cut < t_run_state.len)
            if (t_run_state.out[cut++] == '\n')
                lines++;
        char *exp = malloc(cut + 1);
        memcpy(exp, t_run_state.out, cut);
        SortArg tp = {&pipe_t_int, key_mod, &pipe_t_int, false, n};
        assert_int_equal(t_run(make_top, &tp, &in, 1, &pipe_t_int), 0);
        t_expect_n("top vs sort", exp, cut);
        free(exp);
    }
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_table),
        cmocka_unit_test(test_tail_wraps),
        cmocka_unit_test(test_head_stops_endless_input),
        cmocka_unit_test(test_uniq_distinct_tuples),
        cmocka_unit_test(test_sort_str_bytewise),
        cmocka_unit_test(test_sort_small),
        cmocka_unit_test(test_sort_by_key_stable),
        cmocka_unit_test(test_sort_random_vs_reference),
        cmocka_unit_test(test_sort_long_prefixes_desc_stable),
        cmocka_unit_test(test_sort_sets_are_copied),
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_top_random_vs_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
