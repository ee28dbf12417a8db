/* test_std_rec_generic.c — the generic stages (stdlib/generic.c, fanin.c) on
 * records and optionals: sort spilling them to temporary files, distinct and
 * count keyed by them, top and tail keeping them under --mem-limit, and items
 * whose records hold a set copied, not shared. */
#include <stdlib.h>

#include "test_rec_types.h"
#include "test_std_harness.h"

/* ---- descriptors */

/* record Inner { tag: str, w: int? } */
#define INNER_FIELDS(X, S) X(S, PipeStr, tag, &pipe_t_str) X(S, OptInt, w, &t_opt_int)
TEST_RECORD(Inner, t_inner, INNER_FIELDS);
TEST_OPT(OptInner, t_opt_inner, Inner, &t_inner);

/* record Row { name: str, n: int, x: float, note: str?, inner: Inner, xs: [str], alt: Inner? } */
#define ROW_FIELDS(X, S)                                                                                \
    X(S, PipeStr, name, &pipe_t_str) X(S, int64_t, n, &pipe_t_int) X(S, double, x, &pipe_t_float)      \
    X(S, OptStr, note, &t_opt_str) X(S, Inner, inner, &t_inner) X(S, PipeList *, xs, &t_list_str)     \
    X(S, OptInner, alt, &t_opt_inner)
TEST_RECORD(Row, t_row, ROW_FIELDS);

/* (Inner, int): what count emits for Inner */
#define INNER_COUNT_FIELDS(X, S) X(S, Inner, k, &t_inner) X(S, int64_t, n, &pipe_t_int)
TEST_TUPLE(InnerCount, t_inner_count, INNER_COUNT_FIELDS);

/* record Bag { label: str, set: {str} } */
#define BAG_FIELDS(X, S) X(S, PipeStr, label, &pipe_t_str) X(S, PipeMap *, set, &t_set_str)
TEST_RECORD(Bag, t_bag, BAG_FIELDS);

/* ---- random rows */

static uint64_t rnd_state = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* A short str of a and b behind one of a few prefixes (some of 8 bytes or
 * more, so that sort's 8-byte prefixes tie), in a. */
static PipeStr rnd_str(PipeArena *a)
{
    static const char *const pre[] = {"", "", "b", "samepref", "sameprefix-"};
    const char *p = pre[rnd() % 5];
    size_t np = strlen(p), n = np + rnd() % 6;
    if (n == 0)
        return (PipeStr){"", 0};
    char *s = pipe_alloc(a, n);
    memcpy(s, p, np);
    for (size_t i = np; i < n; i++)
        s[i] = "ab"[rnd() & 1];
    return (PipeStr){s, n};
}

/* A none whose bytes are not all zero: pipe_clone zeroes a none, but a
 * producer need not, and none must equal none whatever its bytes. */
static OptStr rnd_opt_str(PipeArena *a)
{
    if (rnd() % 3 == 0)
        return (OptStr){rnd() & 1 ? T_STR("garbage") : (PipeStr){NULL, 0}, false};
    return (OptStr){rnd_str(a), true};
}

static Inner rnd_inner(PipeArena *a)
{
    Inner in = {rnd_str(a), {(int64_t)(rnd() % 3), rnd() % 2 == 0}};
    if (!in.w.some && rnd() % 2)
        in.w.v = 12345; /* a none with bytes */
    return in;
}

static Row rnd_row(PipeArena *a)
{
    Row r;
    memset(&r, 0, sizeof r);
    r.name = rnd_str(a);
    r.n = (int64_t)(rnd() % 7) - 3;
    r.x = (double)(rnd() % 5) / 2;
    r.note = rnd_opt_str(a);
    r.inner = rnd_inner(a);
    size_t nx = rnd() % 4;
    if (nx) {
        r.xs = pipe_list_new(a, sizeof(PipeStr), nx);
        r.xs->len = nx;
        for (size_t i = 0; i < nx; i++)
            ((PipeStr *)r.xs->data)[i] = rnd_str(a);
    }
    r.alt.some = rnd() % 2;
    r.alt.v = rnd_inner(a);
    if (!r.alt.some && rnd() % 2)
        memset(&r.alt.v, 0, sizeof r.alt.v);
    return r;
}

static Row *rnd_rows(PipeArena *a, size_t n)
{
    Row *rows = malloc(n * sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = rnd_row(a);
    return rows;
}

/* ---- expected text */

typedef struct TextBuf {
    char *p;
    size_t n, cap;
} TextBuf;

static void text_put(TextBuf *b, PipeStr s)
{
    if (b->n + s.n + 1 > b->cap) {
        b->cap = (b->n + s.n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (s.n)
        memcpy(b->p + b->n, s.p, s.n);
    b->p[b->n + s.n] = '\n';
    b->n += s.n + 1;
}

/* Appends each of items[idx[0..n)] (of type t) as a sink writes it. */
static void text_items(TextBuf *b, const PipeType *t, const void *items, const size_t *idx, size_t n)
{
    PipeArena a = {0};
    for (size_t i = 0; i < n; i++) {
        text_put(b, pipe_str_of(&a, t, (const char *)items + idx[i] * t->size));
        pipe_arena_reset(&a);
    }
    pipe_arena_free(&a);
}

/* Runs make(arg) on in (records out_t) with PIPE_MEM_LIMIT set to limit
 * (NULL: unset); returns the exit code. */
static int run_limited(const char *limit, TMake make, const void *arg, const TInput *in, const PipeType *out_t)
{
    if (limit)
        setenv("PIPE_MEM_LIMIT", limit, 1);
    int rc = t_run(make, arg, in, 1, out_t);
    unsetenv("PIPE_MEM_LIMIT");
    return rc;
}

/* ---- sort and top */

typedef struct SortArg {
    PipeKeyFn key; /* NULL: the row is its key */
    const PipeType *key_t;
    bool desc;
    int64_t n; /* top */
} SortArg;

static PipeNode *make_sort(PipeRt *rt, PipePos pos, const void *arg)
{
    const SortArg *a = arg;
    return pipe_std_sort(rt, pos, &t_row, a->key, NULL, a->key_t, a->desc);
}

static PipeNode *make_top(PipeRt *rt, PipePos pos, const void *arg)
{
    const SortArg *a = arg;
    return pipe_std_top(rt, pos, &t_row, a->n, a->key, NULL, a->key_t);
}

/* Key functions that, like the compiler's for `r => r.field`, copy the field:
 * its strings are slices of the item. */
static void key_name(void *env, const void *item, void *out, PipeArena *scratch)
{
    (void)env, (void)scratch;
    *(PipeStr *)out = ((const Row *)item)->name;
}

static void key_note(void *env, const void *item, void *out, PipeArena *scratch)
{
    (void)env, (void)scratch;
    *(OptStr *)out = ((const Row *)item)->note;
}

static void key_inner(void *env, const void *item, void *out, PipeArena *scratch)
{
    (void)env, (void)scratch;
    *(Inner *)out = ((const Row *)item)->inner;
}

static void key_alt(void *env, const void *item, void *out, PipeArena *scratch)
{
    (void)env, (void)scratch;
    *(OptInner *)out = ((const Row *)item)->alt;
}

/* The reference order: qsort by pipe_cmp of the keys, ties by input position. */
static struct {
    const SortArg *a;
    const char *keys;
} ref;

static int ref_cmp(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y, ks = ref.a->key_t->size;
    int c = pipe_cmp(ref.a->key_t, ref.keys + i * ks, ref.keys + j * ks);
    if (ref.a->desc)
        c = -c;
    return c ? c : (i > j) - (i < j);
}

/* The input positions of rows in the order sort(a) gives them. */
static size_t *ref_order(const SortArg *a, const Row *rows, size_t n)
{
    size_t ks = a->key_t->size;
    char *keys = calloc(n, ks);
    size_t *idx = malloc(n * sizeof *idx);
    assert_true(keys && idx);
    for (size_t i = 0; i < n; i++) {
        idx[i] = i;
        if (a->key)
            a->key(NULL, &rows[i], keys + i * ks, NULL);
        else
            memcpy(keys + i * ks, &rows[i], ks);
    }
    ref.a = a;
    ref.keys = keys;
    qsort(idx, n, sizeof *idx, ref_cmp);
    free(keys);
    return idx;
}

/* Runs make on N random rows for each of cases (top: a->n set) and checks
 * the rows against the reference order (top: its first n), also with
 * PIPE_MEM_LIMIT set to limit when that is not NULL. */
static void check_orders(const char *what, TMake make, const SortArg *cases, size_t ncases, size_t n,
                         const char *limit)
{
    PipeArena pool = {0};
    Row *rows = rnd_rows(&pool, n);
    TInput in = {&t_row, rows, n};
    for (size_t c = 0; c < ncases; c++) {
        size_t *idx = ref_order(&cases[c], rows, n);
        TextBuf exp = {0};
        text_items(&exp, &t_row, rows, idx, cases[c].n ? (size_t)cases[c].n : n);
        char name[80];
        snprintf(name, sizeof name, "%s, case %zu", what, c);
        assert_int_equal(run_limited(NULL, make, &cases[c], &in, &t_row), 0);
        t_expect_n(name, exp.p, exp.n);
        if (limit) {
            snprintf(name, sizeof name, "%s, case %zu, under %s", what, c, limit);
            assert_int_equal(run_limited(limit, make, &cases[c], &in, &t_row), 0);
            t_expect_n(name, exp.p, exp.n);
        }
        free(exp.p);
        free(idx);
    }
    free(rows);
    pipe_arena_free(&pool);
}

/* Sort spills records past a 64 KiB budget: items and keys (str?, records,
 * Inner?) go to run files and come back equal, in the reference order; with
 * 8000 rows there are more than 64 runs, so runs are merged into runs too. */
static void test_sort_spills_records(void **state)
{
    (void)state;
    const SortArg cases[] = {
        {NULL, &t_row, false, 0},
        {NULL, &t_row, true, 0},
        {key_name, &pipe_t_str, false, 0},
        {key_note, &t_opt_str, true, 0},
        {key_inner, &t_inner, false, 0},
        {key_alt, &t_opt_inner, false, 0},
    };
    check_orders("sort records", make_sort, cases, sizeof cases / sizeof cases[0], 8000, "64K");
}

/* top(n) of records by a record key and by an optional one: the n largest,
 * ties in first-seen order (the reference: a stable descending sort). */
static void test_top_records(void **state)
{
    (void)state;
    const SortArg cases[] = {
        {NULL, &t_row, true, 7},
        {key_inner, &t_inner, true, 50},
        {key_alt, &t_opt_inner, true, 1},
        {key_note, &t_opt_str, true, 2000},
    };
    check_orders("top records", make_top, cases, sizeof cases / sizeof cases[0], 3000, NULL);
}

/* ---- tail and top under --mem-limit: what records hold counts */

static PipeNode *make_tail(PipeRt *rt, PipePos pos, const void *arg)
{
    return pipe_std_tail(rt, pos, &t_row, *(const int64_t *)arg);
}

/* Rows whose str? and Inner? hold 1 KiB strings: 60 of them hold 120 KiB
 * beyond their slots. */
static Row *big_rows(PipeArena *a, size_t n)
{
    Row *rows = rnd_rows(a, n);
    for (size_t i = 0; i < n; i++) {
        char *s = pipe_alloc(a, 1024);
        memset(s, 'a' + (int)(i % 26), 1024);
        PipeStr big = {s, 1024};
        rows[i].note = (OptStr){big, true};
        rows[i].alt.some = true;
        rows[i].alt.v.tag = big;
    }
    return rows;
}

static void test_mem_limit_counts_records(void **state)
{
    (void)state;
    enum { N = 100 };
    PipeArena pool = {0};
    Row *rows = big_rows(&pool, N);
    TInput in = {&t_row, rows, N};
    size_t idx[N];
    for (size_t i = 0; i < N; i++)
        idx[i] = i;
    TextBuf exp = {0};
    text_items(&exp, &t_row, rows, idx + N - 60, 60);

    /* the slots of 100 rows fit in 64 KiB; their strings do not */
    int64_t n = 60;
    assert_true(60 * sizeof(Row) < 16 << 10);
    assert_int_equal(run_limited("64K", make_tail, &n, &in, &t_row), 1);
    assert_int_equal(run_limited("1M", make_tail, &n, &in, &t_row), 0);
    t_expect_n("tail of big records under 1M", exp.p, exp.n);
    free(exp.p);

    SortArg top = {NULL, &t_row, true, 60};
    assert_int_equal(run_limited("64K", make_top, &top, &in, &t_row), 1);
    assert_int_equal(run_limited("1M", make_top, &top, &in, &t_row), 0);
    assert_int_equal(t_run_state.items, 60);
    free(rows);
    pipe_arena_free(&pool);
}

/* ---- distinct and count keyed by records */

static PipeNode *make_distinct(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_distinct(rt, pos, &t_row);
}

static PipeNode *make_count(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_count(rt, pos, &t_inner, &t_inner_count);
}

/* Records equal field by field are one key, whatever the bytes of a none;
 * first-seen order, counted. */
static void test_distinct_count_records(void **state)
{
    (void)state;
    Row rows[6];
    memset(rows, 0, sizeof rows);
    rows[0].name = T_STR("a");
    rows[0].note = (OptStr){T_STR("x"), true};
    rows[1] = rows[0];
    rows[1].note.some = false; /* none, with "x" left in it */
    rows[2] = rows[0];         /* a duplicate of row 0 */
    rows[3] = rows[1];
    rows[3].note.v = (PipeStr){NULL, 0}; /* a duplicate of row 1 */
    rows[4] = rows[0];
    rows[4].alt = (OptInner){{T_STR("t"), {0, true}}, true};
    rows[5] = rows[4];
    rows[5].alt.v.w = (OptInt){0, false}; /* w: none, not 0 */
    TInput in = {&t_row, rows, 6};
    assert_int_equal(t_run(make_distinct, NULL, &in, 1, &t_row), 0);
    /* name, n, x, note, inner's tag and w, xs, alt (a none: as many empty
     * fields as an Inner, two, so that the columns stay in line) */
    t_expect("distinct records", "a\t0\t0.0\tx\t\t\t\t\t\n"
                                 "a\t0\t0.0\t\t\t\t\t\t\n"
                                 "a\t0\t0.0\tx\t\t\t\tt\t0\n"
                                 "a\t0\t0.0\tx\t\t\t\tt\t\n");

    Inner keys[5] = {{T_STR("k"), {1, true}}, {T_STR("k"), {9, false}}, {T_STR("k"), {1, true}},
                     {T_STR("k"), {0, false}}, {T_STR(""), {0, false}}};
    in = (TInput){&t_inner, keys, 5};
    assert_int_equal(t_run(make_count, NULL, &in, 1, &t_inner_count), 0);
    t_expect("count records", "k\t1\t2\nk\t\t2\n\t\t1\n");
}

/* ---- records holding a set are copied, not shared */

/* A front node that adds each str to its own set and emits Bag {label: the
 * str, set: the set itself}: a consumer that keeps the item must copy the set. */
typedef struct BagFront {
    PipeNode node;
    PipeMap *set;
} BagFront;

static void bag_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    BagFront *b = (BagFront *)self;
    bool created;
    pipe_map_upsert(b->set, item, &created);
    Bag out = {*(const PipeStr *)item, b->set};
    pipe_emit(self, &out);
}

static void bag_free(PipeNode *self)
{
    BagFront *b = (BagFront *)self;
    pipe_map_free(b->set);
    b->set = NULL;
}

/* On port 1 only when the stage has two inputs (concat keeps port 1's items
 * until port 0 ends); port 0 then gets Bags with no set. */
static PipeNode *bag_front(PipeRt *rt, PipePos pos, int port)
{
    if (t_run_state.nins == 2 && port == 0)
        return NULL;
    BagFront *b = (BagFront *)pipe_node_new(rt, sizeof(BagFront), "bags", pos);
    b->node.push = bag_push;
    b->node.finish = t_nop;
    b->node.free = bag_free;
    b->node.in = &pipe_t_str;
    b->node.out = &t_bag;
    b->set = pipe_map_new(&pipe_t_str, NULL);
    return &b->node;
}

static PipeNode *make_bag_sort(PipeRt *rt, PipePos pos, const void *arg)
{
    return pipe_std_sort(rt, pos, &t_bag, NULL, NULL, NULL, *(const bool *)arg);
}

static PipeNode *make_bag_top(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_top(rt, pos, &t_bag, 2, NULL, NULL, NULL);
}

static PipeNode *make_bag_concat(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_concat(rt, pos, &t_bag, 2);
}

static void test_records_with_sets_are_copied(void **state)
{
    (void)state;
    TInput in = t_lines("b\nc\na\n");
    bool desc = true;
    t_run_state.front = bag_front;
    assert_int_equal(t_run(make_bag_sort, &desc, &in, 1, &t_bag), 0);
    t_expect("sort bags desc", "c\tb c\nb\tb\na\tb c a\n");
    t_run_state.front = bag_front;
    assert_int_equal(t_run(make_bag_top, NULL, &in, 1, &t_bag), 0);
    t_expect("top bags", "c\tb c\nb\tb\n");

    /* sources take turns: port 1's items wait while port 0 has more */
    Bag first[3] = {{T_STR("z1"), NULL}, {T_STR("z2"), NULL}, {T_STR("z3"), NULL}};
    TInput two[2] = {{&t_bag, first, 3}, in};
    t_run_state.front = bag_front;
    assert_int_equal(t_run(make_bag_concat, NULL, two, 2, &t_bag), 0);
    t_expect("concat bags", "z1\t\nz2\t\nz3\t\nb\tb\nc\tb c\na\tb c a\n");
    free((void *)in.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_spills_records),
        cmocka_unit_test(test_top_records),
        cmocka_unit_test(test_mem_limit_counts_records),
        cmocka_unit_test(test_distinct_count_records),
        cmocka_unit_test(test_records_with_sets_are_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
