/* test_rt_run.c — unit tests of running a DAG: the line reader and sources
 * (by hand-built DAGs, tail's read from the end too), end propagation, sinks,
 * pipe_main and runtime errors. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipe_std.h"
#include "rt_impl.h"
#include "test_help.h"

static char tmpdir[64];
static const PipePos POS = {"t.pipe", 2, 3};

static PipeStr S(const char *s)
{
    return pipe_str_lit(s, strlen(s));
}

static char *tmp_path(const char *name)
{
    static char buf[16][256];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char *write_file(const char *name, const char *data, size_t n)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

/* Redirects fd into the file name (or from it, for fd 0) until cap_end. */
static int cap_begin(int fd, const char *name)
{
    fflush(stdout);
    fflush(stderr);
    int saved = dup(fd);
    int f = fd == 0 ? open(tmp_path(name), O_RDONLY) : open(tmp_path(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(f >= 0);
    dup2(f, fd);
    close(f);
    return saved;
}

static char *cap_end(int fd, int saved, const char *name)
{
    dup2(saved, fd);
    close(saved);
    size_t n;
    return fd == 0 ? NULL : read_file(tmp_path(name), &n);
}

/* ------------------------------------------------------------------ a recording node */

typedef struct Rec {
    PipeNode node;
    PipeStr items[64];
    int64_t lines[64];
    int ports[64];
    size_t n, total, bytes;
    int finished;
    char *firstscratch;
    bool scratch_moved;
} Rec;

static void rec_push(PipeNode *self, const void *item, int port)
{
    Rec *r = (Rec *)self;
    PipeStr s = *(const PipeStr *)item;
    char *p = pipe_alloc(pipe_scratch(self->rt), 64); /* must be reset after each item */
    if (!r->firstscratch)
        r->firstscratch = p;
    else if (p != r->firstscratch)
        r->scratch_moved = true;
    if (r->n < 64) {
        char *c = malloc(s.n + 1);
        memcpy(c, s.p, s.n);
        r->items[r->n].p = c;
        r->items[r->n].n = s.n;
        r->lines[r->n] = self->rt->cur ? self->rt->cur->input_line : -1;
        r->ports[r->n] = port;
        r->n++;
    }
    r->total++;
    r->bytes += s.n;
}

static void rec_finish(PipeNode *self)
{
    ((Rec *)self)->finished++;
}

static void rec_free(PipeNode *self)
{
    Rec *r = (Rec *)self;
    for (size_t i = 0; i < r->n; i++)
        free((void *)r->items[i].p);
}

static Rec *rec_new(PipeRt *rt)
{
    Rec *r = (Rec *)pipe_node_new(rt, sizeof(Rec), "rec", POS);
    r->node.push = rec_push;
    r->node.finish = rec_finish;
    r->node.free = rec_free;
    return r;
}

/* ------------------------------------------------------------------ reader */

/* Each case with the default buffer and with tiny ones (rt->read_size, the
 * fuzzer's knob): lines that cross refills and outgrow the buffer read alike. */
static void test_reader_cases(void **state)
{
    static const size_t sizes[] = {0, 1, 4, 5, 7, 64};
    static const struct {
        const char *data;
        size_t n;
        size_t nlines;
        const char *lines[4];
        size_t lens[4];
    } t[] = {
        {"a\nb\n", 4, 2, {"a", "b"}, {1, 1}},
        {"a\nb", 3, 2, {"a", "b"}, {1, 1}},
        {"", 0, 0, {0}, {0}},
        {"\n", 1, 1, {""}, {0}},
        {"\n\n", 2, 2, {"", ""}, {0, 0}},
        {"a\r\nb\r\n", 6, 2, {"a\r", "b\r"}, {2, 2}},
        {"x\0y\nz\0", 6, 2, {"x\0y", "z\0"}, {3, 2}},
        {"no newline at all", 17, 1, {"no newline at all"}, {17}},
        {"a longer first line\nb\n\nthe last, longer still", 45, 4,
         {"a longer first line", "b", "", "the last, longer still"}, {19, 1, 0, 22}},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t * (sizeof sizes / sizeof *sizes); i++) {
        size_t c = i % (sizeof t / sizeof *t);
        const char *path = write_file("in.txt", t[c].data, t[c].n);
        PipeRt *rt = pipe_rt_new();
        rt->read_size = sizes[i / (sizeof t / sizeof *t)];
        PipeSource *src = pipe_src_file(rt, POS, S(path));
        Rec *r = rec_new(rt);
        pipe_connect(&src->node, &r->node, 0);
        assert_int_equal(pipe_run(rt), 0);
        assert_int_equal(r->n, t[c].nlines);
        for (size_t k = 0; k < r->n; k++) {
            assert_int_equal(r->items[k].n, t[c].lens[k]);
            assert_memory_equal(r->items[k].p, t[c].lines[k], t[c].lens[k]);
            assert_int_equal(r->lines[k], (int64_t)k + 1);
        }
        assert_int_equal(r->finished, 1);
        assert_false(r->scratch_moved);
        pipe_rt_free(rt);
    }
}

static void test_reader_long_lines(void **state)
{
    size_t big = 5u << 20, n = 0;
    char *data = malloc(big + 400000);
    memset(data, 'x', big);
    data[0] = 'A';
    data[big - 1] = 'Z';
    n = big;
    data[n++] = '\n';
    memcpy(data + n, "short\n", 6);
    n += 6;
    for (int i = 0; n < big + 390000; i++)
        n += (size_t)sprintf(data + n, "line %d\n", i);
    const char *path = write_file("big.txt", data, n);
    PipeRt *rt = pipe_rt_new();
    PipeSource *src = pipe_src_file(rt, POS, S(path));
    Rec *r = rec_new(rt);
    pipe_connect(&src->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->items[0].n, big);
    assert_int_equal(r->items[0].p[0], 'A');
    assert_int_equal(r->items[0].p[big - 1], 'Z');
    assert_int_equal(r->items[1].n, 5);
    assert_memory_equal(r->items[2].p, "line 0", 6);
    assert_int_equal(r->bytes + r->total, n); /* every byte but the newlines */
    pipe_rt_free(rt);
    free(data);
}

/* Two sources into one node: round-robin line by line, in creation order; the
 * longer input goes on alone; finish runs once, after both ended. */
static void test_round_robin(void **state)
{
    const char *pa = write_file("a.txt", "a1\na2\na3\na4\n", 12);
    const char *pb = write_file("b.txt", "b1\nb2", 5);
    PipeRt *rt = pipe_rt_new();
    PipeSource *a = pipe_src_file(rt, POS, S(pa));
    PipeSource *b = pipe_src_file(rt, POS, S(pb));
    Rec *r = rec_new(rt);
    pipe_connect(&a->node, &r->node, 0);
    pipe_connect(&b->node, &r->node, 1);
    assert_int_equal(r->node.nins, 2);
    assert_int_equal(pipe_run(rt), 0);
    const char *want[] = {"a1", "b1", "a2", "b2", "a3", "a4"};
    const int ports[] = {0, 1, 0, 1, 0, 0};
    assert_int_equal(r->n, 6);
    for (int i = 0; i < 6; i++) {
        assert_true(pipe_str_eq(r->items[i], S(want[i])));
        assert_int_equal(r->ports[i], ports[i]);
    }
    assert_int_equal(r->finished, 1);
    assert_false(r->scratch_moved);
    pipe_rt_free(rt);
}

static void test_stdin_range_lines(void **state)
{
    write_file("stdin.txt", "s1\ns2\n", 6);
    int saved = cap_begin(0, "stdin.txt");
    PipeRt *rt = pipe_rt_new();
    PipeSource *s = pipe_src_stdin(rt, POS);
    assert_ptr_equal(pipe_src_stdin(rt, POS), s); /* one stdin per run */
    Rec *r = rec_new(rt);
    pipe_connect(&s->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    cap_end(0, saved, NULL);
    assert_int_equal(r->n, 2);
    assert_true(pipe_str_eq(r->items[1], S("s2")));
    assert_string_equal(s->input_name, "stdin");
    pipe_rt_free(rt);

    rt = pipe_rt_new();
    PipeSource *l = pipe_src_lines(rt, POS, S("x\n\ny\n"));
    r = rec_new(rt);
    pipe_connect(&l->node, &r->node, 0);
    PipeSource *unused = pipe_src_lines(rt, POS, S("never read")); /* no outputs: not stepped */
    (void)unused;
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 3);
    assert_true(pipe_str_eq(r->items[0], S("x")));
    assert_true(pipe_str_eq(r->items[1], S("")));
    assert_true(pipe_str_eq(r->items[2], S("y")));
    pipe_rt_free(rt);
}

typedef struct Sum {
    PipeNode node;
    int64_t sum, count;
} Sum;

static void sum_push(PipeNode *self, const void *item, int port)
{
    Sum *s = (Sum *)self;
    s->sum += *(const int64_t *)item;
    s->count++;
}

static void sum_finish(PipeNode *self)
{
    Sum *s = (Sum *)self;
    PipeStr t = pipe_int_str(pipe_scratch(self->rt), s->sum);
    pipe_emit(self, &t);
    pipe_item_done(self->rt);
}

static void test_range_and_end(void **state)
{
    PipeRt *rt = pipe_rt_new();
    PipeSource *src = pipe_src_range(rt, POS, -5, 1000000);
    Sum *s = (Sum *)pipe_node_new(rt, sizeof(Sum), "sum", POS);
    s->node.push = sum_push;
    s->node.finish = sum_finish;
    Rec *r = rec_new(rt);
    pipe_connect(&src->node, &s->node, 0);
    pipe_connect(&s->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(s->count, 1000005);
    assert_int_equal(r->n, 1);
    assert_true(pipe_str_eq(r->items[0], S("499999499985")));
    assert_int_equal(r->lines[0], -1); /* emitted at end of input */
    assert_int_equal(r->finished, 1);
    pipe_rt_free(rt);
    /* an empty range still ends the DAG */
    rt = pipe_rt_new();
    src = pipe_src_range(rt, POS, 3, 3);
    r = rec_new(rt);
    pipe_connect(&src->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 0);
    assert_int_equal(r->finished, 1);
    pipe_rt_free(rt);
}

/* A head(3) of ints, as a stage would write it with pipe_close. */
typedef struct Head {
    PipeNode node;
    int64_t seen;
} Head;

static void head_push(PipeNode *self, const void *item, int port)
{
    Head *h = (Head *)self;
    if (h->seen >= 3)
        return;
    h->seen++;
    PipeStr s = pipe_int_str(pipe_scratch(self->rt), *(const int64_t *)item);
    pipe_emit(self, &s);
    if (h->seen == 3)
        pipe_close(self);
}

static Head *head_new(PipeRt *rt)
{
    Head *h = (Head *)pipe_node_new(rt, sizeof(Head), "head", POS);
    h->node.push = head_push;
    return h;
}

static void test_close_stops_sources(void **state)
{
    /* an endless source stops once head has closed */
    PipeRt *rt = pipe_rt_new();
    PipeSource *src = pipe_src_range(rt, POS, 0, INT64_MAX);
    Head *h = head_new(rt);
    Rec *r = rec_new(rt);
    pipe_connect(&src->node, &h->node, 0);
    pipe_connect(&h->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 3);
    assert_true(pipe_str_eq(r->items[2], S("2")));
    assert_int_equal(r->finished, 1);
    pipe_rt_free(rt);
    /* two endless sources into one head: both stop */
    rt = pipe_rt_new();
    PipeSource *a = pipe_src_range(rt, POS, 0, INT64_MAX);
    PipeSource *b = pipe_src_range(rt, POS, 100, INT64_MAX);
    h = head_new(rt);
    r = rec_new(rt);
    pipe_connect(&a->node, &h->node, 0);
    pipe_connect(&b->node, &h->node, 1);
    pipe_connect(&h->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 3);
    assert_true(pipe_str_eq(r->items[0], S("0")));
    assert_true(pipe_str_eq(r->items[1], S("100")));
    assert_true(pipe_str_eq(r->items[2], S("1")));
    assert_int_equal(r->finished, 1);
    pipe_rt_free(rt);
    /* fan-out: the other branch still wants everything */
    rt = pipe_rt_new();
    src = pipe_src_range(rt, POS, 0, 1000);
    h = head_new(rt);
    r = rec_new(rt);
    Sum *all = (Sum *)pipe_node_new(rt, sizeof(Sum), "sum", POS);
    all->node.push = sum_push;
    pipe_connect(&src->node, &h->node, 0);
    pipe_connect(&h->node, &r->node, 0);
    pipe_connect(&src->node, &all->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 3);
    assert_int_equal(all->count, 1000);
    pipe_rt_free(rt);
}

static void test_files_glob(void **state)
{
    write_file("g2.log", "two\n", 4);
    write_file("g1.log", "one\nuno", 7);
    PipeRt *rt = pipe_rt_new();
    PipeSource *src = pipe_src_files(rt, POS, &pipe_t_str, S(tmp_path("g*.log")), false);
    Rec *r = rec_new(rt);
    pipe_connect(&src->node, &r->node, 0);
    assert_int_equal(pipe_run(rt), 0);
    assert_int_equal(r->n, 3);
    assert_true(pipe_str_eq(r->items[0], S("one")));
    assert_true(pipe_str_eq(r->items[1], S("uno")));
    assert_true(pipe_str_eq(r->items[2], S("two")));
    assert_int_equal(r->lines[2], 1); /* line numbers count per file */
    pipe_rt_free(rt);
}

/* ------------------------------------------------------------------ sinks */

typedef struct Trip {
    PipeStr s;
    int64_t n;
    double f;
} Trip;
static const PipeType *const trip_fields[] = {&pipe_t_str, &pipe_t_int, &pipe_t_float};
static const uint32_t trip_offs[] = {offsetof(Trip, s), offsetof(Trip, n), offsetof(Trip, f)};
static const PipeType t_trip = {PIPE_K_TUPLE, sizeof(Trip), _Alignof(Trip), 3, trip_fields, trip_offs, NULL, NULL, NULL, NULL};

static void test_sinks(void **state)
{
    const char *out = tmp_path("out.txt"), *app = tmp_path("app.txt");
    write_file("out.txt", "old content\n", 12);
    write_file("app.txt", "kept\n", 5);
    PipeRt *rt = pipe_rt_new();
    PipeSource *src = pipe_src_lines(rt, POS, S("l1\nl2"));
    PipeNode *f = pipe_sink_file(rt, POS, &pipe_t_str, S(out));
    PipeNode *a = pipe_sink_append(rt, POS, &pipe_t_str, S(app));
    PipeNode *d = pipe_sink_discard(rt, POS, &pipe_t_str);
    pipe_connect(&src->node, f, 0);
    pipe_connect(&src->node, a, 0);
    pipe_connect(&src->node, d, 0);
    assert_int_equal(pipe_run(rt), 0);
    pipe_rt_free(rt);
    size_t n;
    char *got = read_file(out, &n);
    assert_string_equal(got, "l1\nl2\n");
    free(got);
    got = read_file(app, &n);
    assert_string_equal(got, "kept\nl1\nl2\n");
    free(got);
    /* typed values through pipe_out_value */
    rt = pipe_rt_new();
    PipeOut *o = pipe_out_open(rt, NULL, S(out), false);
    Trip t = {S("w"), -12, 0.5};
    int64_t big = INT64_MIN;
    bool b = true;
    pipe_out_value(o, &t_trip, &t);
    pipe_out_value(o, &pipe_t_int, &big);
    pipe_out_value(o, &pipe_t_bool, &b);
    pipe_out_bytes(o, "raw", 3);
    pipe_out_flush_all(rt);
    pipe_out_start_all(rt); /* outside pipe_run: the file is replaced only by a commit */
    assert_int_equal(pipe_out_commit_all(rt), 0);
    pipe_rt_free(rt);
    got = read_file(out, &n);
    assert_string_equal(got, "w\t-12\t0.5\n-9223372036854775808\ntrue\nraw");
    free(got);
}

/* ------------------------------------------------------------------ pipe_main */

typedef struct Params {
    PipeStr path;
    int64_t n;
    double ratio;
    bool flag;
    PipeStr name;
} Params;
static const PipeParam params[] = {
    {"path", &pipe_t_str, ""},
    {"n", &pipe_t_int, "10"},
    {"ratio", &pipe_t_float, "0.5"},
    {"flag", &pipe_t_bool, "false"},
    {"name", &pipe_t_str, NULL},
};
static const uint32_t offsets[] = {offsetof(Params, path), offsetof(Params, n), offsetof(Params, ratio),
                                   offsetof(Params, flag), offsetof(Params, name)};
static Params seen;
static int builds;

static void build_record(PipeRt *rt, const void *p)
{
    seen = *(const Params *)p;
    seen.name = pipe_str_lit(pipe_xstrndup(seen.name.p, seen.name.n), seen.name.n);
    builds++;
}

static int run_main(void (*build)(PipeRt *, const void *), int argc, const char *const *argv, char **err)
{
    PipeProgram prog = {.name = "main", .script = "t.pipe", .nparams = 5, .params = params,
                        .params_size = sizeof(Params), .offsets = offsets, .build = build};
    int saved = cap_begin(2, "err.txt");
    int rc = pipe_main(&prog, argc, (char **)argv);
    char *e = cap_end(2, saved, "err.txt");
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}

static void test_main_params(void **state)
{
    const char *a1[] = {"./x", "--name", "bob"};
    builds = 0;
    assert_int_equal(run_main(build_record, 3, a1, NULL), 0);
    assert_int_equal(builds, 1);
    assert_int_equal(seen.n, 10);
    assert_true(seen.ratio == 0.5);
    assert_false(seen.flag);
    assert_true(pipe_str_eq(seen.name, S("bob")));
    assert_int_equal(seen.path.n, 0);
    free((void *)seen.name.p);
    const char *a2[] = {"./x", "--n=5", "--name=a=b", "--ratio", "-1e3", "--flag", "--path", "p.txt"};
    assert_int_equal(run_main(build_record, 8, a2, NULL), 0);
    assert_int_equal(seen.n, 5);
    assert_true(seen.ratio == -1000);
    assert_true(seen.flag);
    assert_true(pipe_str_eq(seen.name, S("a=b")));
    assert_true(pipe_str_eq(seen.path, S("p.txt")));
    free((void *)seen.name.p);
    const char *a3[] = {"./x", "--flag", "false", "--name", "", "--n", "0x10"};
    assert_int_equal(run_main(build_record, 7, a3, NULL), 0);
    assert_false(seen.flag);
    assert_int_equal(seen.n, 16);
    free((void *)seen.name.p);
    assert_int_equal(builds, 3);
}

static void test_main_usage_errors(void **state)
{
    static const struct {
        int argc;
        const char *argv[4];
        const char *err;
    } t[] = {
        {3, {"./x", "--n", "abc"}, "./x: error: bad value for '--n' (expected int): 'abc'\ntry './x --help'\n"},
        {2, {"./x", "--bogus"}, "./x: error: unknown option '--bogus'\ntry './x --help'\n"},
        {2, {"./x", "--bogus=1"}, "./x: error: unknown option '--bogus'\ntry './x --help'\n"},
        {3, {"./x", "--name", "a"}, NULL}, /* fine: control */
        {2, {"./x", "--n"}, "./x: error: option '--n' needs a value\ntry './x --help'\n"},
        {1, {"./x"}, "./x: error: missing required option '--name'\ntry './x --help'\n"},
        {3, {"./x", "stray", "--name"},
         "./x: error: option '--name' after the input files: options go before them (a file named so: put -- "
         "before the files)\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--flag=yes"}, "./x: error: bad value for '--flag' (expected bool): 'yes'\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--ratio=1.5x"}, "./x: error: bad value for '--ratio' (expected float): '1.5x'\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--run-id=xyz"},
         "./x: error: bad value for '--run-id' (expected a UUID such as 0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d): "
         "'xyz'\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--run-id"}, "./x: error: option '--run-id' needs a value\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--trace"},
         "./x: error: option '--trace' needs a value (a file, or - for stderr)\ntry './x --help'\n"},
        {4, {"./x", "--name", "a", "--trace=/nonexistent/t.jsonl"},
         "./x: error: cannot open the trace file '/nonexistent/t.jsonl': No such file or directory\n"
         "try './x --help'\n"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char *err;
        builds = 0;
        int rc = run_main(build_record, t[i].argc, t[i].argv, &err);
        if (t[i].err) {
            assert_int_equal(rc, 2);
            assert_string_equal(err, t[i].err);
            assert_int_equal(builds, 0);
        } else {
            assert_int_equal(rc, 0);
            free((void *)seen.name.p);
        }
        free(err);
    }
}

static void test_main_help(void **state)
{
    PipeProgram prog = {.name = "main", .script = "t.pipe", .nparams = 5, .params = params,
                        .params_size = sizeof(Params), .offsets = offsets, .build = build_record};
    const char *argv[] = {"pipec run t.pipe", "--n", "3", "--help"};
    builds = 0;
    int saved = cap_begin(1, "help.txt");
    int rc = pipe_main(&prog, 4, (char **)argv);
    char *out = cap_end(1, saved, "help.txt");
    assert_int_equal(rc, 0);
    assert_int_equal(builds, 0);
    assert_string_equal(out, "usage: pipec run t.pipe [options] [FILE...]   (stdin reads the FILEs in turn; - is "
                             "standard input)\n"
                             "  --path str            (default: \"\")\n"
                             "  --n int               (default: 10)\n"
                             "  --ratio float         (default: 0.5)\n"
                             "  --flag bool           (default: false)\n"
                             "  --name str            (required)\n"
                             HELP_RUN_OPTIONS);
    free(out);
}

/* ------------------------------------------------------------------ runtime errors */

static void toint_push(PipeNode *self, const void *item, int port)
{
    int64_t v = pipe_to_int(self, *(const PipeStr *)item);
    PipeStr s = pipe_int_str(pipe_scratch(self->rt), v * 10);
    pipe_emit(self, &s);
}

static void fail_finish(PipeNode *self)
{
    pipe_fail(self, "nothing to report");
}

static void build_pipeline(PipeRt *rt, const void *p)
{
    const Params *pp = p;
    PipeSource *src = pipe_src_file(rt, POS, pp->path);
    PipePos at = {"t.pipe", 4, 9};
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "to_int", at);
    n->push = toint_push;
    if (pp->flag)
        n->finish = fail_finish;
    pipe_connect(&src->node, n, 0);
    pipe_connect(n, pipe_sink_stdout(rt, POS, &pipe_t_str), 0);
}

static int run_pipeline(const char *path, bool fail_at_end, char **out, char **err)
{
    const char *argv[] = {"./x", "--name", "n", "--path", path, "--flag", fail_at_end ? "true" : "false"};
    int saved = cap_begin(1, "stdout.txt");
    int rc = run_main(build_pipeline, 7, argv, err);
    *out = cap_end(1, saved, "stdout.txt");
    return rc;
}

static void test_fail_format(void **state)
{
    char *out, *err, want[512];
    const char *path = write_file("nums.txt", "1\n2\nab\"c\\\x01\n4\n", 14);
    assert_int_equal(run_pipeline(path, false, &out, &err), 1);
    assert_string_equal(out, "10\n20\n"); /* what was emitted before the error is written */
    snprintf(want, sizeof want,
             "t.pipe:4:9: runtime error in stage to_int: not an integer: \"ab\\\"c\\\\\\x01\" (input %s, line 3)\n", path);
    assert_string_equal(err, want);
    free(out);
    free(err);
    /* a long value is cut */
    char longline[200];
    memset(longline, 'q', sizeof longline);
    longline[199] = '\n';
    path = write_file("long.txt", longline, sizeof longline);
    assert_int_equal(run_pipeline(path, false, &out, &err), 1);
    snprintf(want, sizeof want,
             "t.pipe:4:9: runtime error in stage to_int: not an integer: \"%.60s\"... (input %s, line 1)\n",
             longline, path);
    assert_string_equal(err, want);
    free(out);
    free(err);
    /* in the end phase */
    path = write_file("ok.txt", "7\n", 2);
    assert_int_equal(run_pipeline(path, true, &out, &err), 1);
    assert_string_equal(out, "70\n");
    assert_string_equal(err, "t.pipe:4:9: runtime error in stage to_int: nothing to report (at end of input)\n");
    free(out);
    free(err);
    /* an unreadable input fails before anything runs */
    assert_int_equal(run_pipeline("/nonexistent/in.txt", false, &out, &err), 1);
    assert_string_equal(out, "");
    assert_string_equal(err, "t.pipe:2:3: runtime error in stage file: cannot open '/nonexistent/in.txt': "
                             "No such file or directory\n");
    free(out);
    free(err);
    assert_int_equal(run_pipeline(tmpdir, false, &out, &err), 1);
    snprintf(want, sizeof want, "t.pipe:2:3: runtime error in stage file: cannot read '%s': Is a directory\n", tmpdir);
    assert_string_equal(err, want);
    free(out);
    free(err);
}

static void build_range_stdout(PipeRt *rt, const void *p)
{
    PipeSource *src = pipe_src_range(rt, POS, 0, 100000000);
    pipe_connect(&src->node, pipe_sink_stdout(rt, POS, &pipe_t_int), 0);
}

/* ------------------------------------------------------------------ run IDs and traces */

static void test_run_id_valid(void **state)
{
    static const struct {
        const char *id;
        bool ok;
    } t[] = {
        {"0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", true},
        {"0193B2C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D", true},
        {"00000000-0000-0000-0000-000000000000", true},
        {"0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6", false},   /* short */
        {"0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d0", false}, /* long */
        {"0193b2c45e6f7a8b9c0d1e2f3a4b5c6d", false},     /* no dashes */
        {"0193b2c4-5e6f-7a8b-9c0d_1e2f3a4b5c6d", false},
        {"0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6g", false},
        {"{0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d}", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        assert_int_equal(pipe_run_id_valid(t[i].id), t[i].ok);
}

/* The n-th line (from 0) of text, as a heap string; NULL when there is none. */
static char *nth_line(const char *text, int n)
{
    for (; n > 0 && text; n--)
        text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL;
    if (!text || !*text)
        return NULL;
    size_t len = strchr(text, '\n') ? (size_t)(strchr(text, '\n') - text) : strlen(text);
    return pipe_xstrndup(text, len);
}

/* Asserts that line n (from 0) of text holds needle. */
static void assert_line_has(const char *text, int n, const char *needle)
{
    char *line = nth_line(text, n);
    if (!line || !strstr(line, needle))
        fail_msg("line %d: '%s' is not in '%s'", n, needle, line ? line : "(none)");
    free(line);
}

/* Frees what run_traced returned. */
static void free_run(char *out, char *err, char *trace)
{
    free(out);
    free(err);
    free(trace);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* A run of build_pipeline with args, tracing to trace.jsonl (emptied first). */
static int run_traced(int argc, const char *const *args, char **out, char **err, char **trace)
{
    const char *tpath = tmp_path("trace.jsonl");
    unlink(tpath);
    const char *argv[16] = {"./x", "--trace", tpath};
    for (int i = 0; i < argc; i++)
        argv[3 + i] = args[i];
    int saved = cap_begin(1, "stdout.txt");
    int rc = run_main(build_pipeline, argc + 3, argv, err);
    *out = cap_end(1, saved, "stdout.txt");
    size_t n;
    *trace = read_file(tpath, &n);
    return rc;
}

static void test_trace_records(void **state)
{
    const char *path = write_file("nums.txt", "1\n2\nab\"c\\\x01\n4\n", 14);
    const char *args[] = {"--name", "n", "--path", path, "--run-id", "0193B2C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D",
                          "--ratio=-1e3"};
    char *out, *err, *trace, want[1024];
    assert_int_equal(run_traced(7, args, &out, &err, &trace), 1);
    assert_string_equal(out, "10\n20\n");
    /* the diagnostic names the run (in lowercase) */
    snprintf(want, sizeof want,
             "t.pipe:4:9: runtime error [run 0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d] in stage to_int: not an integer: "
             "\"ab\\\"c\\\\\\x01\" (input %s, line 3)\n",
             path);
    assert_string_equal(err, want);
    /* start, three stage_open, error, three stage_close, end */
    assert_int_equal(count_lines(trace), 9);
    static const char *const events[] = {"start", "stage_open", "stage_open", "stage_open", "error",
                                         "stage_close", "stage_close", "stage_close", "end"};
    for (int i = 0; i < 9; i++) {
        char *line = nth_line(trace, i);
        snprintf(want, sizeof want, "{\"event\":\"%s\",\"run_id\":\"0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d\",", events[i]);
        assert_non_null(line);
        assert_memory_equal(line, want, strlen(want));
        assert_int_equal(line[strlen(line) - 1], '}');
        free(line);
    }
    snprintf(want, sizeof want, "\"params\":{\"path\":\"%s\",\"n\":10,\"ratio\":-1000.0,\"flag\":false,\"name\":\"n\"}",
             path);
    assert_line_has(trace, 0, want);
    /* a program without provenance (not made by pipec) says so */
    assert_line_has(trace, 0, "\"pipec_version\":null,\"script\":\"t.pipe\",\"script_sha256\":null,\"imports\":[]");
    snprintf(want, sizeof want,
             "\"stage\":\"to_int\",\"id\":1,\"pos\":\"t.pipe:4:9\",\"input\":\"%s\",\"line\":3,"
             "\"message\":\"not an integer\",\"value\":\"ab\\\"c\\\\\\u0001\",\"value_bytes\":6,",
             path);
    assert_line_has(trace, 4, want);
    assert_line_has(trace, 6, "\"id\":1,\"stage\":\"to_int\",\"pos\":\"t.pipe:4:9\",\"items_in\":3,\"items_out\":2,"
                              "\"errors\":1,\"end\":\"aborted\",");
    assert_line_has(trace, 8, "\"status\":1,\"outcome\":\"error\",");
    assert_line_has(trace, 8, "\"items_read\":3,\"items_written\":2}");
    free_run(out, err, trace);

    /* a run that ends well: every stage is done, in order */
    path = write_file("ok.txt", "7\n8\n", 4);
    const char *ok[] = {"--name", "n", "--path", path};
    assert_int_equal(run_traced(4, ok, &out, &err, &trace), 0);
    assert_string_equal(err, "");
    assert_int_equal(count_lines(trace), 8);
    for (int i = 4; i < 7; i++) {
        snprintf(want, sizeof want, "\"event\":\"stage_close\",\"run_id\":\"%.36s\",\"id\":%d,", trace + 27, i - 4);
        assert_line_has(trace, i, want);
        assert_line_has(trace, i, "\"errors\":0,\"end\":\"done\"");
    }
    assert_line_has(trace, 7, "\"status\":0,\"outcome\":\"ok\",");
    assert_line_has(trace, 7, "\"items_read\":2,\"items_written\":2}");
    free_run(out, err, trace);
}

/* Strings in a trace are JSON: quotes, backslashes and control bytes escaped,
 * valid UTF-8 kept, every byte of invalid UTF-8 a U+FFFD. */
static void test_trace_json_strings(void **state)
{
    static const struct {
        const char *in, *json;
    } t[] = {
        {"plain", "plain"},
        {"q\"b\\s/", "q\\\"b\\\\s/"},
        {"\x01\t\r\x1f\x7f", "\\u0001\\t\\r\\u001f\\u007f"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"\xff", "\\ufffd"},
        {"\xc0\xaf", "\\ufffd\\ufffd"},                  /* overlong '/' */
        {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"},       /* a surrogate */
        {"\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* above U+10FFFF */
        {"a\xe2\x82", "a\\ufffd\\ufffd"},                /* cut short */
        {"\xc3(", "\\ufffd("},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        const char *args[] = {"--path", write_file("empty.txt", "", 0), "--name", t[i].in};
        char *out, *err, *trace, want[256];
        if (run_traced(4, args, &out, &err, &trace) != 0)
            fail_msg("case %zu: %s", i, err);
        snprintf(want, sizeof want, ",\"name\":\"%s\"}", t[i].json);
        if (!strstr(trace, want))
            fail_msg("%s not in %s", want, trace);
        free_run(out, err, trace);
    }
}

/* A new run ID is a UUIDv7 of the time of the run, and each run has another. */
static void test_run_id_new(void **state)
{
    char ids[2][37];
    for (int k = 0; k < 2; k++) {
        const char *args[] = {"--name", "n", "--path", write_file("ok.txt", "7\n", 2)};
        char *out, *err, *trace;
        assert_int_equal(run_traced(4, args, &out, &err, &trace), 0);
        const char *p = strstr(trace, "\"run_id\":\"");
        assert_non_null(p);
        memcpy(ids[k], p + 10, 36);
        ids[k][36] = '\0';
        assert_true(pipe_run_id_valid(ids[k]));
        assert_int_equal(ids[k][14], '7');                      /* version */
        assert_non_null(strchr("89ab", ids[k][19]));            /* variant 10xx */
        for (const char *c = ids[k]; *c; c++)
            assert_false(*c >= 'A' && *c <= 'F');
        char hex[13] = {0};
        memcpy(hex, ids[k], 8);
        memcpy(hex + 8, ids[k] + 9, 4);
        long long ms = strtoll(hex, NULL, 16);
        long long now = (long long)time(NULL) * 1000;
        assert_true(ms > now - 60000 && ms < now + 60000);
        free_run(out, err, trace);
    }
    assert_string_not_equal(ids[0], ids[1]);
}

static void test_main_version(void **state)
{
    static const char *const imports[] = {"lib/a.pipe", "aa", "rot13.c", "", NULL};
    PipeProgram prog = {.name = "triage", .script = "ex/triage.pipe", .nparams = 5, .params = params,
                        .params_size = sizeof(Params), .offsets = offsets, .build = build_record,
                        .pipec_version = "9.8.7", .script_sha256 = "5bea1a3c", .imports = imports};
    static const struct {
        const char *argv0, *first;
    } t[] = {
        {"./bin/triage", "triage"},
        {"triage", "triage"},
        {"pipec run ex/triage.pipe", "pipec run"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        const char *argv[] = {t[i].argv0, "--version", "--n", "bad"}; /* what follows is not checked */
        builds = 0;
        int saved = cap_begin(1, "version.txt");
        int rc = pipe_main(&prog, 4, (char **)argv);
        char *out = cap_end(1, saved, "version.txt");
        char want[512];
        snprintf(want, sizeof want,
                 "%s (pipec 9.8.7) script ex/triage.pipe sha256 5bea1a3c pipeline triage\n"
                 "  import lib/a.pipe sha256 aa\n"
                 "  import rot13.c sha256 unknown\n",
                 t[i].first);
        assert_int_equal(rc, 0);
        assert_int_equal(builds, 0);
        assert_string_equal(out, want);
        free(out);
    }
}

static void test_write_errors(void **state)
{
    /* a reader that went away: quiet stop, exit 0 */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    fflush(stdout);
    int saved = dup(1);
    dup2(fds[1], 1);
    close(fds[1]);
    char *err;
    const char *argv[] = {"./x", "--name", "n"};
    int rc = run_main(build_range_stdout, 3, argv, &err);
    dup2(saved, 1);
    close(saved);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    free(err);
    /* a full disk: exit 1 naming the output */
    int full = open("/dev/full", O_WRONLY);
    if (full < 0)
        skip();
    saved = dup(1);
    dup2(full, 1);
    close(full);
    rc = run_main(build_range_stdout, 3, argv, &err);
    dup2(saved, 1);
    close(saved);
    assert_int_equal(rc, 1);
    /* the sink's error, at the line being written when the buffer flushed */
    const char *want = "t.pipe:2:3: runtime error in stage stdout: writing to stdout: No space left on device (input range, line ";
    assert_memory_equal(err, want, strlen(want));
    free(err);
}

static void build_bad_sink(PipeRt *rt, const void *p)
{
    PipeSource *src = pipe_src_lines(rt, POS, S("x"));
    pipe_connect(&src->node, pipe_sink_file(rt, POS, &pipe_t_str, S("/nonexistent/dir/out.txt")), 0);
}

static void build_bad_regex(PipeRt *rt, const void *p)
{
    pipe_regex_new(rt, NULL, S("a(b"));
}

static void build_no_match(PipeRt *rt, const void *p)
{
    PipeSource *src = pipe_src_files(rt, POS, &pipe_t_str, S("/nonexistent/*.log"), false);
    pipe_connect(&src->node, pipe_sink_discard(rt, POS, &pipe_t_str), 0);
}

static void test_bad_sink(void **state)
{
    char *e;
    const char *a[] = {"./x", "--name", "n"};
    assert_int_equal(run_main(build_no_match, 3, a, &e), 1);
    assert_string_equal(e, "t.pipe:2:3: runtime error in stage files: no file matches '/nonexistent/*.log'\n");
    free(e);

    char *err;
    const char *argv[] = {"./x", "--name", "n"};
    assert_int_equal(run_main(build_bad_sink, 3, argv, &err), 1);
    assert_string_equal(err, "t.pipe:2:3: runtime error in stage file: cannot open '/nonexistent/dir/out.txt' "
                             "for writing: No such file or directory\n");
    free(err);
    assert_int_equal(run_main(build_bad_regex, 3, argv, &err), 1);
    assert_string_equal(err, "pipec: error: bad regex (missing closing parenthesis at offset 3)\n");
    free(err);
}

/* ------------------------------------------------------------------ tail from the end */

/* Item k of r is s. */
static void rec_is(const Rec *r, size_t k, const char *s)
{
    assert_int_equal(r->items[k].n, strlen(s));
    assert_memory_equal(r->items[k].p, s, strlen(s));
}

/* Where the last n lines of [from, size) start, as tail -n counts them (a
 * last line without '\n' is a line): the reference, one byte at a time. */
static size_t naive_start(const char *d, size_t from, size_t size, size_t n)
{
    if (n == 0)
        return size;
    size_t lines = 0, starts[64];
    for (size_t i = from; i < size; i++)
        if (i == from || d[i - 1] == '\n')
            starts[lines++] = i;
    return lines <= n ? from : starts[lines - n];
}

/* Every case, every n, every block size (lines longer than a block, a final
 * newline alone in a block), and from past the start: the same as the reference. */
static void test_tail_start_of_last_lines(void **state)
{
    static const char *cases[] = {
        "", "\n", "\n\n", "a", "a\n", "a\nb", "a\nb\n", "a\r\nb\r\n", "\n\nx\n\n",
        "one\ntwo\nthree\nfour\n", "a longer first line\nb\n\nthe last, longer still",
        "x\0y\nz\0\n",
    };
    static const size_t caps[] = {1, 2, 3, 5, 8, 64, 4096};
    char buf[4096];
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t size = c == sizeof cases / sizeof *cases - 1 ? 7 : strlen(cases[c]);
        write_file("in.txt", cases[c], size);
        int fd = open(tmp_path("in.txt"), O_RDONLY);
        assert_true(fd >= 0);
        for (size_t from = 0; from <= size && from < 3; from++)
            for (size_t n = 0; n < 7; n++)
                for (size_t k = 0; k < sizeof caps / sizeof *caps; k++) {
                    off_t got = pipe_tail_start(fd, (off_t)from, (off_t)size, n, buf, caps[k]);
                    if ((size_t)got != naive_start(cases[c], from, size, n))
                        fail_msg("case %zu from %zu n %zu cap %zu: %lld, expected %zu", c, from, n, caps[k],
                                 (long long)got, naive_start(cases[c], from, size, n));
                }
        /* a file shorter than the size seen: from, and the ordinary read finds out */
        assert_int_equal(pipe_tail_start(fd, 0, (off_t)size + 10, 1, buf, 4), 0);
        close(fd);
    }
}

/* Appends a line to the input file for each item: the file grows while the
 * source, stepped round-robin with the one feeding this, reads it. */
static void grow_push(PipeNode *self, const void *item, int port)
{
    (void)self, (void)item, (void)port;
    FILE *f = fopen(tmp_path("in.txt"), "ab");
    assert_non_null(f);
    fputs("grown\n", f);
    fclose(f);
}

/* file(in.txt) | tail(2) | rec, and range(0, 8) | grow appending to in.txt;
 * tiny reads, so that reading takes several steps; the lines rec got. */
static Rec *run_growing(PipeRt *rt, uint32_t flags)
{
    write_file("in.txt", "a\nb\nc\n", 6);
    rt->read_size = 4;
    PipeSource *src = pipe_src_file(rt, POS, S(tmp_path("in.txt")));
    src->node.flags = flags;
    PipeNode *tail = pipe_std_tail(rt, POS, &pipe_t_str, 2);
    Rec *r = rec_new(rt);
    pipe_connect(&src->node, tail, 0);
    pipe_connect(tail, &r->node, 0);
    PipeSource *range = pipe_src_range(rt, POS, 0, 8);
    PipeNode *grow = pipe_node_new(rt, sizeof(PipeNode), "grow", POS);
    grow->push = grow_push;
    pipe_connect(&range->node, grow, 0);
    assert_int_equal(pipe_run(rt), 0);
    return r;
}

/* Read from the end, a file is read up to the size it had then, as tail does;
 * read from the start, the lines appended meanwhile are read too. */
static void test_tail_file_grows(void **state)
{
    PipeRt *rt = pipe_rt_new();
    Rec *r = run_growing(rt, PIPE_PLAN_TAIL);
    assert_int_equal(r->n, 2);
    rec_is(r, 0, "b");
    rec_is(r, 1, "c");
    pipe_rt_free(rt);
    rt = pipe_rt_new();
    r = run_growing(rt, 0);
    assert_int_equal(r->n, 2);
    rec_is(r, 1, "grown");
    pipe_rt_free(rt);
}

/* The bytes this process has read (/proc/self/io rchar), or -1. */
static long long bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    long long v = -1;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %lld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* tail(3) of a 16 MB file reads a block at its end, not the file. */
static void test_tail_reads_from_the_end(void **state)
{
    size_t size = 16u << 20;
    char *data = malloc(size);
    for (size_t i = 0; i < size; i++)
        data[i] = i % 40 == 39 ? '\n' : 'a' + (char)(i % 26);
    memcpy(data + size - 12, "\nlast\nlines\n", 12);
    const char *path = write_file("big.txt", data, size);
    free(data);
    for (int flags = PIPE_PLAN_TAIL; flags >= 0; flags -= PIPE_PLAN_TAIL) {
        PipeRt *rt = pipe_rt_new();
        PipeSource *src = pipe_src_file(rt, POS, S(path));
        src->node.flags = (uint32_t)flags;
        PipeNode *tail = pipe_std_tail(rt, POS, &pipe_t_str, 2);
        Rec *r = rec_new(rt);
        pipe_connect(&src->node, tail, 0);
        pipe_connect(tail, &r->node, 0);
        long long before = bytes_read();
        assert_int_equal(pipe_run(rt), 0);
        long long got = bytes_read() - before;
        assert_int_equal(r->n, 2);
        rec_is(r, 0, "last");
        rec_is(r, 1, "lines");
        if (before >= 0 && flags)
            assert_true(got < (1 << 20));
        else if (before >= 0)
            assert_true(got >= (long long)size); /* the check can fail */
        pipe_rt_free(rt);
    }
}

static int setup(void **state)
{
    strcpy(tmpdir, "/tmp/pipe_rt_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_cases),
        cmocka_unit_test(test_reader_long_lines),
        cmocka_unit_test(test_round_robin),
        cmocka_unit_test(test_stdin_range_lines),
        cmocka_unit_test(test_range_and_end),
        cmocka_unit_test(test_close_stops_sources),
        cmocka_unit_test(test_files_glob),
        cmocka_unit_test(test_sinks),
        cmocka_unit_test(test_main_params),
        cmocka_unit_test(test_main_usage_errors),
        cmocka_unit_test(test_main_help),
        cmocka_unit_test(test_fail_format),
        cmocka_unit_test(test_run_id_valid),
        cmocka_unit_test(test_trace_records),
        cmocka_unit_test(test_trace_json_strings),
        cmocka_unit_test(test_run_id_new),
        cmocka_unit_test(test_main_version),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_bad_sink),
        cmocka_unit_test(test_tail_start_of_last_lines),
        cmocka_unit_test(test_tail_file_grows),
        cmocka_unit_test(test_tail_reads_from_the_end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
