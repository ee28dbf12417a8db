/* test_std_harness.h — runs one standard processor in a real run (pipe_main) fed by
 * test sources of any type, and records what it emits as the text a sink writes. */
#ifndef TEST_STD_HARNESS_H
#define TEST_STD_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipe_std.h"

#define T_MAXIN 4

/* One input stream: n items of type t, stored contiguously. */
typedef struct TInput {
    const PipeType *t;
    const void *items;
    size_t n;
} TInput;

/* Builds the stage under test; its inputs are connected to ports 0.. in order. */
typedef PipeNode *(*TMake)(PipeRt *rt, PipePos pos, const void *arg);
/* Optional: a node to put between input `port` and the stage (NULL: none). */
typedef PipeNode *(*TFront)(PipeRt *rt, PipePos pos, int port);

static struct {
    TMake make;
    const void *arg;
    const TInput *ins;
    int nins;
    const PipeType *out_t;
    TFront front; /* reset by every t_run */
    bool cycle;   /* sources repeat their items forever; reset by every t_run */
    char *out; /* every emitted item as pipe_str_of text + '\n' */
    size_t len, cap;
    size_t items; /* items recorded */
} t_run_state;

typedef struct TSrc {
    PipeSource src;
    TInput in;
    size_t i;
} TSrc;

static inline bool t_src_step(PipeSource *self)
{
    TSrc *s = (TSrc *)self;
    if (s->i >= s->in.n && !(t_run_state.cycle && s->in.n))
        return false;
    s->src.input_line = (int64_t)s->i + 1;
    pipe_emit(&s->src.node, (const char *)s->in.items + (s->i % s->in.n) * s->in.t->size);
    s->i++;
    return true;
}

static inline void t_out_put(const char *p, size_t n)
{
    if (t_run_state.len + n > t_run_state.cap) {
        size_t cap = t_run_state.cap ? t_run_state.cap : 1024;
        while (cap < t_run_state.len + n)
            cap *= 2;
        t_run_state.out = realloc(t_run_state.out, cap);
        assert_non_null(t_run_state.out);
        t_run_state.cap = cap;
    }
    if (n)
        memcpy(t_run_state.out + t_run_state.len, p, n);
    t_run_state.len += n;
}

static inline void t_rec_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    PipeStr s = pipe_str_of(pipe_scratch(self->rt), t_run_state.out_t, item);
    t_out_put(s.p, s.n);
    t_out_put("\n", 1);
    t_run_state.items++;
}

static inline void t_nop(PipeNode *self)
{
    (void)self;
}

static inline void t_build(PipeRt *rt, const void *params)
{
    (void)params;
    PipePos pos = {"test.pipe", 1, 1};
    PipeNode *stage = t_run_state.make(rt, pos, t_run_state.arg);
    for (int i = 0; i < t_run_state.nins; i++) {
        TSrc *s = (TSrc *)pipe_source_new(rt, sizeof(TSrc), "tsrc", pos);
        s->src.step = t_src_step;
        s->src.input_name = "test-input";
        s->src.is_file = true;
        s->src.node.out = t_run_state.ins[i].t;
        s->in = t_run_state.ins[i];
        PipeNode *front = t_run_state.front ? t_run_state.front(rt, pos, i) : NULL;
        if (front) {
            pipe_connect(&s->src.node, front, 0);
            pipe_connect(front, stage, i);
        } else {
            pipe_connect(&s->src.node, stage, i);
        }
    }
    PipeNode *rec = pipe_node_new(rt, sizeof(PipeNode), "record", pos);
    rec->push = t_rec_push;
    rec->finish = t_nop;
    rec->free = t_nop;
    rec->in = t_run_state.out_t;
    pipe_connect(stage, rec, 0);
}

/* Runs make(arg) on the inputs (through t_run_state.front if set); returns pipe_main's exit code.  The output is
 * in t_run_state.out / len. */
static inline int t_run(TMake make, const void *arg, const TInput *ins, int nins, const PipeType *out_t)
{
    t_run_state.make = make;
    t_run_state.arg = arg;
    t_run_state.ins = ins;
    t_run_state.nins = nins;
    t_run_state.out_t = out_t;
    t_run_state.len = 0;
    t_run_state.items = 0;
    PipeProgram prog = {0};
    prog.name = "test";
    prog.script = "test.pipe";
    prog.build = t_build;
    char arg0[] = "test";
    char *argv[] = {arg0, NULL};
    int rc = pipe_main(&prog, 1, argv);
    t_run_state.front = NULL;
    t_run_state.cycle = false;
    return rc;
}

/* Asserts that the recorded output is exactly [exp, exp+n). */
static inline void t_expect_n(const char *what, const char *exp, size_t n)
{
    const char *got = t_run_state.out;
    if (t_run_state.len != n || (n && memcmp(got, exp, n) != 0)) {
        print_error("%s: expected %zu bytes:\n%.*s--- got %zu bytes:\n%.*s---\n", what, n,
                    (int)n, exp, t_run_state.len, (int)t_run_state.len, got ? got : "");
        fail();
    }
}

static inline void t_expect(const char *what, const char *exp)
{
    t_expect_n(what, exp, strlen(exp));
}

/* Splits text (with explicit length: it may hold NULs) into lines, as a str
 * input; a final line without '\n' counts.  The array is leaked on purpose
 * (tests are short). */
static inline TInput t_lines_n(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    if (len && text[len - 1] != '\n')
        n++;
    PipeStr *v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') {
            v[k++] = (PipeStr){text + start, i - start};
            start = i + 1;
        }
    if (start < len)
        v[k++] = (PipeStr){text + start, len - start};
    assert_int_equal(k, n);
    return (TInput){&pipe_t_str, v, n};
}

/* The bytes of stream f from its start (NUL-terminated, heap), their number
 * in *n; closes f. */
static inline char *t_slurp(FILE *f, size_t *n)
{
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    p[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return p;
}

static inline TInput t_lines(const char *text)
{
    return t_lines_n(text, strlen(text));
}

static inline TInput t_ints(const int64_t *v, size_t n)
{
    return (TInput){&pipe_t_int, v, n};
}

static inline TInput t_floats(const double *v, size_t n)
{
    return (TInput){&pipe_t_float, v, n};
}

/* Runs a one-input stage on lines of text and checks its output text. */
static inline void t_check_lines(const char *what, TMake make, const void *arg, const char *in,
                          const PipeType *out_t, const char *exp)
{
    TInput i = t_lines(in);
    int rc = t_run(make, arg, &i, 1, out_t);
    if (rc != 0) {
        print_error("%s: exit code %d\n", what, rc);
        fail();
    }
    t_expect(what, exp);
    free((void *)i.items);
}

/* A (str, int) tuple type and friends for tests of tuples. */
typedef struct TStrInt {
    PipeStr s;
    int64_t n;
} TStrInt;
typedef struct TIntStr {
    int64_t n;
    PipeStr s;
} TIntStr;

static const PipeType *const t_str_int_fields[] = {&pipe_t_str, &pipe_t_int};
static const uint32_t t_str_int_offs[] = {offsetof(TStrInt, s), offsetof(TStrInt, n)};
static const PipeType t_str_int = {PIPE_K_TUPLE, sizeof(TStrInt), _Alignof(TStrInt), 2,
                                   t_str_int_fields, t_str_int_offs, NULL, NULL, NULL, NULL};
static const PipeType *const t_int_str_fields[] = {&pipe_t_int, &pipe_t_str};
static const uint32_t t_int_str_offs[] = {offsetof(TIntStr, n), offsetof(TIntStr, s)};
static const PipeType t_int_str = {PIPE_K_TUPLE, sizeof(TIntStr), _Alignof(TIntStr), 2,
                                   t_int_str_fields, t_int_str_offs, NULL, NULL, NULL, NULL};

/* A set of str, and a front node that adds each str to its own set and emits
 * the set itself (as a user proc emitting its state does): consumers that keep
 * an item must copy the set, not share it. */
static const PipeType t_set_str = {PIPE_K_SET, sizeof(PipeMap *), _Alignof(PipeMap *), 0,
                                   NULL, NULL, &pipe_t_str, NULL, NULL, NULL};

typedef struct TAccum {
    PipeNode node;
    PipeMap *set;
} TAccum;

static inline void t_accum_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    TAccum *a = (TAccum *)self;
    bool created;
    pipe_map_upsert(a->set, item, &created);
    pipe_emit(self, &a->set);
}

static inline void t_accum_free(PipeNode *self)
{
    TAccum *a = (TAccum *)self;
    pipe_map_free(a->set);
    a->set = NULL;
}

static inline PipeNode *t_accum_new(PipeRt *rt, PipePos pos)
{
    TAccum *a = (TAccum *)pipe_node_new(rt, sizeof(TAccum), "accum", pos);
    a->node.push = t_accum_push;
    a->node.finish = t_nop;
    a->node.free = t_accum_free;
    a->node.in = &pipe_t_str;
    a->node.out = &t_set_str;
    a->set = pipe_map_new(&pipe_t_str, NULL);
    return &a->node;
}

static inline PipeNode *t_front_accum(PipeRt *rt, PipePos pos, int port)
{
    (void)port;
    return t_accum_new(rt, pos);
}

#define T_STR(lit) ((PipeStr){lit, sizeof(lit) - 1})

#endif
