/* test_jit.c — unit tests of the libtcc wrapper (compiler/jit.c): in-memory
 * compilation against the runtime, errors, symbols, #line, extra C files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "embed.h"
#include "jit.h"

/* What every snippet starts with: generated code is compiled -nostdlib and
 * declares what it uses, as emit.c's EMIT_JIT output does. */
#define PRELUDE                                                                                                        \
    "typedef unsigned long size_t; typedef long int64_t;\n"                                                            \
    "typedef struct PipeStr { const char *p; size_t n; } PipeStr;\n"                                                   \
    "_Bool pipe_contains(PipeStr s, PipeStr sub);\n"                                                                   \
    "_Bool pipe_parse_int(PipeStr s, int64_t *out);\n"

static const char good_code[] = PRELUDE
    "static PipeStr S(const char *p) { PipeStr s = {p, 0}; while (p[s.n]) s.n++; return s; }\n"
    "int found(const char *h, const char *n) { return pipe_contains(S(h), S(n)); }\n"
    "long parsed(const char *t) { int64_t v = -1; return pipe_parse_int(S(t), &v) ? v : -999; }\n"
    "int counter = 41;\n"
    "int bump(void) { return ++counter; }\n";

/* Redirects fd 2 to a temp file until capture_end, which returns what was
 * written there (malloc'd): tcc's messages go to stderr. */
typedef struct Capture {
    int fd, saved;
} Capture;

static void capture_begin(Capture *c)
{
    char path[] = "/tmp/pipec_test_jit_XXXXXX";
    c->fd = mkstemp(path);
    assert_true(c->fd >= 0);
    unlink(path);
    fflush(stderr);
    c->saved = dup(2);
    dup2(c->fd, 2);
}

static char *capture_end(Capture *c)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    off_t n = lseek(c->fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)n + 1);
    assert_int_equal(pread(c->fd, text, (size_t)n, 0), n);
    close(c->fd);
    return text;
}

static void test_compile_and_call(void **state)
{
    (void)state;
    Jit *j = jit_compile(good_code, NULL, 0, NULL);
    assert_non_null(j);
    int (*found)(const char *, const char *) = (int (*)(const char *, const char *))jit_symbol(j, "found");
    long (*parsed)(const char *) = (long (*)(const char *))jit_symbol(j, "parsed");
    assert_non_null(found);
    assert_non_null(parsed);
    assert_int_equal(found("haystack", "st"), 1);
    assert_int_equal(found("haystack", "x"), 0);
    assert_int_equal(parsed("123"), 123);
    assert_int_equal(parsed("-7"), -7);
    assert_int_equal(parsed("x"), -999);
    int *counter = jit_symbol(j, "counter");
    assert_non_null(counter);
    assert_int_equal(*counter, 41);
    jit_free(j);
}

static void test_missing_symbol(void **state)
{
    (void)state;
    Jit *j = jit_compile(good_code, NULL, 0, NULL);
    assert_non_null(j);
    assert_null(jit_symbol(j, "no_such_function"));
    assert_null(jit_symbol(j, ""));
    /* a static function is not a global symbol */
    assert_null(jit_symbol(j, "S"));
    /* runtime symbols handed to tcc are not what the compiled code exports */
    jit_free(j);
    jit_free(NULL); /* like free(NULL) */
}

/* Two compilations live at once, each with its own globals: no shared state. */
static void test_twice(void **state)
{
    (void)state;
    Jit *a = jit_compile(good_code, NULL, 0, NULL);
    Jit *b = jit_compile(good_code, NULL, 0, NULL);
    assert_non_null(a);
    assert_non_null(b);
    int (*bump_a)(void) = (int (*)(void))jit_symbol(a, "bump");
    int (*bump_b)(void) = (int (*)(void))jit_symbol(b, "bump");
    assert_ptr_not_equal(bump_a, bump_b);
    assert_int_equal(bump_a(), 42);
    assert_int_equal(bump_a(), 43);
    assert_int_equal(bump_b(), 42);
    jit_free(a);
    /* b survives a's end; and compiling after a failure works too */
    Capture cap;
    capture_begin(&cap);
    Jit *bad = jit_compile("int f( {", NULL, 0, NULL);
    free(capture_end(&cap));
    assert_null(bad);
    assert_int_equal(bump_b(), 43);
    jit_free(b);
    Jit *c = jit_compile(good_code, NULL, 0, NULL);
    assert_non_null(c);
    assert_int_equal(((int (*)(void))jit_symbol(c, "bump"))(), 42);
    jit_free(c);
}

typedef struct ErrCase {
    const char *name;
    const char *code;
    const char *expect; /* a substring of what tcc printed */
} ErrCase;

static const ErrCase err_cases[] = {
    {"a syntax error", "int f(void) { return 1 }\n", "error"},
    {"#line names the .pipe file and line", "int a;\n#line 7 \"x.pipe\"\nint f(void) { return undeclared_; }\n",
     "x.pipe:7"},
    {"#line counts on from the directive",
     "#line 20 \"y.pipe\"\nint a;\n\nint g(void) { return 1 +; }\n", "y.pipe:22"},
    {"an undefined function is found at relocation", "int nope_(void);\nint f(void) { return nope_(); }\n",
     "nope_"},
    {"libc is not linked into generated code", "int printf(const char *, ...);\nint f(void) { return printf(\"x\"); }\n",
     "printf"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        const ErrCase *c = &err_cases[i];
        Capture cap;
        capture_begin(&cap);
        Jit *j = jit_compile(c->code, NULL, 0, NULL);
        char *err = capture_end(&cap);
        if (j || !strstr(err, c->expect))
            fail_msg("case '%s': jit %p, expected '%s' in:\n%s", c->name, (void *)j, c->expect, err);
        free(err);
    }
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/pipec_test_jit_dir_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return strdup(tmpl);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* An extern proc's C file is compiled beside the generated code and finds
 * pipe.h in include_dir (main.c writes the embedded headers there). */
static void test_extra_file(void **state)
{
    (void)state;
    char *dir = temp_dir();
    for (const PipeEmbedded *e = pipe_embedded; e->path; e++)
        if (!strcmp(e->path, "runtime/pipe.h"))
            write_text(dir, "pipe.h", e->text);
    write_text(dir, "helper.c",
               "#include \"pipe.h\"\n"
               "int64_t helper(const char *t) { PipeStr s = {t, strlen(t)}; int64_t v = 0;\n"
               "    return pipe_parse_int(s, &v) ? v * 2 : -1; }\n");
    char path[600];
    snprintf(path, sizeof path, "%s/helper.c", dir);
    const char *extra[] = {path};
    Jit *j = jit_compile("long helper(const char *t);\nlong twice(void) { return helper(\"21\"); }\n", extra, 1, dir);
    assert_non_null(j);
    long (*twice)(void) = (long (*)(void))jit_symbol(j, "twice");
    assert_non_null(twice);
    assert_int_equal(twice(), 42);
    jit_free(j);

    /* a missing extra file fails cleanly */
    const char *missing[] = {"/nonexistent/none.c"};
    Capture cap;
    capture_begin(&cap);
    Jit *r = jit_compile("int x;\n", missing, 1, dir);
    char *err = capture_end(&cap);
    assert_null(r);
    assert_non_null(strstr(err, "none.c"));
    free(err);
    remove_tree(dir);
    free(dir);
}

/* The fallback of `pipec build` without a C compiler: tcc writes an executable. */
static void test_build_exe(void **state)
{
    (void)state;
    char *dir = temp_dir();
    write_text(dir, "p.c", "#include <stdio.h>\nint main(void) { printf(\"hello %d\\n\", 6 * 7); return 3; }\n");
    char c[600], exe[600], out[600];
    snprintf(c, sizeof c, "%s/p.c", dir);
    snprintf(exe, sizeof exe, "%s/p", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    assert_true(jit_build_exe(c, exe, NULL, 0));
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "'%s' > '%s'", exe, out);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 3);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char line[100] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "hello 42\n");

    /* a file that does not compile, and one that does not exist */
    write_text(dir, "bad.c", "int main(void) { return }\n");
    snprintf(c, sizeof c, "%s/bad.c", dir);
    Capture cap;
    capture_begin(&cap);
    bool ok1 = jit_build_exe(c, exe, NULL, 0);
    bool ok2 = jit_build_exe("/nonexistent/x.c", exe, NULL, 0);
    char *err = capture_end(&cap);
    assert_non_null(strstr(err, "bad.c:"));
    assert_non_null(strstr(err, "/nonexistent/x.c"));
    free(err);
    assert_false(ok1);
    assert_false(ok2);
    remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_and_call),
        cmocka_unit_test(test_missing_symbol),
        cmocka_unit_test(test_twice),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_extra_file),
        cmocka_unit_test(test_build_exe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
