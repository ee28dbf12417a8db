/* test_two_runs.c — two runs in one process at the same time, on two threads:
 * per-run state (generated code keeps no mutable statics, the runtime no
 * mutable globals), checked by exact outputs; `make tsan` runs it under
 * ThreadSanitizer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "driver.h"
#include "rt_impl.h"

#define LINES 3000 /* per input: enough that the two runs overlap */
#define ROUNDS 50

/* Strings, regexes (a literal one, and one of a parameter through the run's
 * cache), a composite's environment and a sort key: all of a run's state. */
static const char text_src[] =
    "proc tagged(tag: str): str -> str = map(s => \"[\" + tag + \"] \" + s)\n"
    "pipeline main(input: str, output: str, pat: str) {\n"
    "    file(input)\n"
    "      | filter(s => matches(s, pat))\n"
    "      | map(s => replace(s, \"v([0-9]+)\", \"n=\\\\1\"))\n"
    "      | tagged(pat)\n"
    "      | sort(by: s => len(s))\n"
    "      | file(output)\n"
    "}\n";

/* A stateful proc, an int parameter and a sort key. */
static const char sum_src[] =
    "proc sums: int -> int {\n"
    "    state sum = 0\n"
    "    on x { sum += x\n emit sum }\n"
    "}\n"
    "pipeline main(input: str, output: str, k: int) {\n"
    "    file(input) | to_int | map(x => x * k) | sums | sort(by: x => 0 - x) | file(output)\n"
    "}\n";

/* Compiles src up to C for the JIT through the driver (so planned, as
 * `pipec run` does); fails on any diagnostic, naming them. */
static char *emit_jit(const char *src)
{
    CompileOpts o = {.script = "t.pipe", .text = src, .len = strlen(src), .max_errors = -1};
    Compilation c;
    if (!compile_front(&c, &o) || c.diag.errors) {
        for (int i = 0; i < c.diag.nrecs; i++)
            fprintf(stderr, "%s\n", c.diag.recs[i].message);
        fail_msg("the program does not check:\n%s", src);
    }
    compile_emit(&c, EMIT_JIT, "t.pipe");
    char *code = c.emitted.code;
    c.emitted.code = NULL;
    compile_free(&c);
    return code;
}

/* One run: a program and its parameters; what it wrote, and its exit code. */
typedef struct Run {
    const PipeProgram *prog;
    const char *code;      /* when set, the thread JIT-compiles it first */
    Jit *jit;
    char input[64], output[64], param[16], value[32];
    char *expect;
    int rc;
} Run;

/* The thread of one run: pipe_main as a built binary calls it. */
static void *run_thread(void *arg)
{
    Run *r = arg;
    if (r->code) {
        r->jit = jit_compile(r->code, NULL, 0, NULL);
        r->prog = r->jit ? jit_symbol(r->jit, "pipe_program") : NULL;
        if (!r->prog)
            return NULL;
    }
    char *argv[] = {"two_runs", "--input", r->input, "--output", r->output, r->param, r->value, NULL};
    r->rc = pipe_main(r->prog, 7, argv);
    return NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&text, &n);
    int c;
    while ((c = getc(f)) != EOF)
        putc(c, m);
    fclose(f);
    fclose(m);
    return text;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Appends to a growing string (a memstream) as printf does. */
static void put(FILE *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(FILE *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(m, fmt, ap);
    va_end(ap);
}

/* Sets r up to read DIR/NAME.in (written with `in`, freed) into DIR/NAME.out
 * with option param set to value, and to expect `out`. */
static void case_files(Run *r, const char *dir, const char *name, const char *param, const char *value, char *in,
                       char *out)
{
    snprintf(r->input, sizeof r->input, "%s/%s.in", dir, name);
    snprintf(r->output, sizeof r->output, "%s/%s.out", dir, name);
    snprintf(r->param, sizeof r->param, "%s", param);
    snprintf(r->value, sizeof r->value, "%s", value);
    write_file(r->input, in);
    free(in);
    r->expect = out;
}

/* text_src's input ("kK vV" lines) and what it writes for pat "^kD" (a key
 * starting with digit d): the lines kept, rewritten and tagged, shortest
 * first, in input order among equals (sort is stable). */
static void text_case(Run *r, const char *dir, int d)
{
    char *in = NULL, *out = NULL;
    size_t nin = 0, nout = 0;
    FILE *mi = open_memstream(&in, &nin), *mo = open_memstream(&out, &nout);
    for (int len = 1; len < 64; len++)
        for (int i = 0; i < LINES; i++) {
            char line[64], key[8];
            int n = snprintf(line, sizeof line, "[^k%d] k%d n=%d", d, i % 97, i * 7);
            snprintf(key, sizeof key, "%d", i % 97);
            if (len == 1)
                put(mi, "k%d v%d\n", i % 97, i * 7);
            if (n == len && key[0] == '0' + d)
                put(mo, "%s\n", line);
        }
    fclose(mi);
    fclose(mo);
    char name[16], value[16];
    snprintf(name, sizeof name, "text%d", d);
    snprintf(value, sizeof value, "^k%d", d);
    case_files(r, dir, name, "--pat", value, in, out);
}

/* sum_src's input (1..LINES) and what it writes for k: the running totals of
 * k * x, largest first. */
static void sum_case(Run *r, const char *dir, int k)
{
    char *in = NULL, *out = NULL;
    size_t nin = 0, nout = 0;
    FILE *mi = open_memstream(&in, &nin), *mo = open_memstream(&out, &nout);
    long long total = (long long)k * LINES * (LINES + 1) / 2;
    for (int i = 1; i <= LINES; i++)
        put(mi, "%d\n", i);
    for (int i = LINES; i >= 1; i--) {
        put(mo, "%lld\n", total);
        total -= (long long)k * i;
    }
    fclose(mi);
    fclose(mo);
    char name[16], value[16];
    snprintf(name, sizeof name, "sum%d", k);
    snprintf(value, sizeof value, "%d", k);
    case_files(r, dir, name, "--k", value, in, out);
}

/* Runs a and b at once, ROUNDS times, and checks both outputs exactly. */
static void run_both(Run *a, Run *b)
{
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t ta, tb;
        assert_int_equal(pthread_create(&ta, NULL, run_thread, a), 0);
        assert_int_equal(pthread_create(&tb, NULL, run_thread, b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        for (Run *r = a; r; r = r == a ? b : NULL) {
            assert_non_null(r->prog);
            if (r->rc != 0)
                fail_msg("round %d: %s %s exited %d", round, r->param, r->value, r->rc);
            char *got = slurp(r->output);
            if (strcmp(got, r->expect))
                fail_msg("round %d: %s %s wrote (%zu bytes, %zu expected):\n%.300s", round, r->param, r->value,
                         strlen(got), strlen(r->expect), got);
            free(got);
            unlink(r->output);
            r->code = NULL; /* compiled once */
        }
    }
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/pipec_two_runs_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return strdup(tmpl);
}

static void remove_case(Run *r)
{
    unlink(r->input);
    free(r->expect);
    jit_free(r->jit);
}

/* Two different programs, each JIT-compiled on its own thread (jit.c takes
 * libtcc one compilation at a time), then run at once again and again. */
static void test_two_programs(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char *text = emit_jit(text_src), *sum = emit_jit(sum_src);
    Run a = {.code = text}, b = {.code = sum};
    text_case(&a, dir, 3);
    sum_case(&b, dir, 7);
    run_both(&a, &b);
    remove_case(&a);
    remove_case(&b);
    free(text);
    free(sum);
    rmdir(dir);
    free(dir);
}

/* One compiled program run twice at once with other parameters: the two
 * runs share its code, and each has its own state. */
static void test_one_program_twice(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char *text = emit_jit(text_src);
    Jit *j = jit_compile(text, NULL, 0, NULL);
    assert_non_null(j);
    Run a = {.prog = jit_symbol(j, "pipe_program")}, b = {.prog = a.prog};
    text_case(&a, dir, 2);
    text_case(&b, dir, 5);
    run_both(&a, &b);
    remove_case(&a);
    remove_case(&b);
    jit_free(j);
    free(text);
    rmdir(dir);
    free(dir);
}

/* The handler of sig now. */
static void (*handler(int sig))(int)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler;
}

/* Signal dispositions are the process's: the first of runs at once sets
 * them, the last one's end restores them (a run that ends first leaves the
 * other's in place: SIGINT still stops it, a closed pipe is still EPIPE). */
static void test_dispositions_shared(void **state)
{
    (void)state;
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    pipe_stop_install(0);
    pipe_sigpipe_hold();
    void (*stop)(int) = handler(SIGINT);
    assert_true(stop != SIG_DFL && stop != SIG_IGN);
    pipe_stop_install(0); /* the second run */
    pipe_sigpipe_hold();
    pipe_stop_remove(); /* the first run ends */
    pipe_sigpipe_release();
    assert_true(handler(SIGINT) == stop);
    assert_true(pipe_stop_fd() >= 0);
    assert_true(handler(SIGPIPE) == SIG_IGN);
    pipe_stop_remove(); /* the second one */
    pipe_sigpipe_release();
    assert_true(handler(SIGINT) == SIG_DFL);
    assert_true(handler(SIGPIPE) == SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispositions_shared),
        cmocka_unit_test(test_two_programs),
        cmocka_unit_test(test_one_program_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
