/* test_emit.c — unit tests of C emission (compiler/emit.c): what the generated
 * C must contain, and — above all — that it compiles with the JIT and runs:
 * program text, input and arguments in; stdout, exit code and stderr out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "driver.h"
#include "test_help.h"

/* Rows leave out the fields they don't need (args, err): that is what they mean. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ------------------------------------------------------------------ the harness */

/* One program through the driver; out is its emitted C. */
typedef struct Front {
    Compilation c;
    EmitOut out;
} Front;

/* Compiles src as `script` (pipeline `pick` or the default) up to emitting
 * it in mode; fails the test on any diagnostic, naming them. */
static void front(Front *f, const char *script, const char *src, const char *pick, EmitMode mode)
{
    CompileOpts o = {.script = script, .text = src, .len = strlen(src), .pipeline = pick, .max_errors = -1};
    if (!compile_front(&f->c, &o) || f->c.diag.errors) {
        for (int i = 0; i < f->c.diag.nrecs; i++)
            fprintf(stderr, "%s\n", f->c.diag.recs[i].message);
        fail_msg("the program does not check:\n%s", src);
    }
    compile_emit(&f->c, mode, script);
    f->out = f->c.emitted;
    assert_non_null(f->out.code);
    assert_int_equal(strlen(f->out.code), f->out.len);
}

static void front_free(Front *f)
{
    compile_free(&f->c);
}

/* Reads all of fd from its start into a malloc'd string, and closes it. */
static char *slurp(int fd)
{
    off_t n = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)n + 1);
    assert_int_equal(pread(fd, text, (size_t)n, 0), n);
    close(fd);
    return text;
}

static int temp_fd(void)
{
    char path[] = "/tmp/pipec_test_emit_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

/* Runs prog as `pipec run` does, with fd 0 reading `input` and fds 1 and 2
 * captured; returns pipe_main's exit code. */
static int run_prog(const PipeProgram *prog, const char *input, const char *const *args, char **out, char **err)
{
    int in = temp_fd(), o = temp_fd(), e = temp_fd();
    size_t n = strlen(input);
    assert_int_equal(write(in, input, n), (ssize_t)n);
    lseek(in, 0, SEEK_SET);
    char *argv[16] = {"pipe_test"};
    int argc = 1;
    for (; args && args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    fflush(stdout);
    fflush(stderr);
    int saved[3] = {dup(0), dup(1), dup(2)};
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    int rc = pipe_main(prog, argc, argv);
    fflush(stdout); /* --help prints with stdio */
    fflush(stderr);
    for (int i = 0; i < 3; i++) {
        dup2(saved[i], i);
        close(saved[i]);
    }
    close(in);
    *out = slurp(o);
    *err = slurp(e);
    return rc;
}

typedef struct RunCase {
    const char *name;
    const char *src;
    const char *input;
    const char *out;       /* stdout, exactly */
    int rc;                /* exit code */
    const char *err;       /* a substring of stderr; NULL: stderr must be empty */
    const char *args[8];   /* the pipeline's options */
} RunCase;

/* Compiles c->src, runs it and compares; returns false (after printing why). */
static bool run_case(const RunCase *c)
{
    Front f;
    front(&f, "t.pipe", c->src, NULL, EMIT_JIT);
    Jit *j = jit_compile(f.out.code, NULL, 0, NULL);
    if (!j) {
        fprintf(stderr, "case '%s': the generated C does not compile\n", c->name);
        if (getenv("PIPEC_TEST_PRINT"))
            fputs(f.out.code, stderr);
        front_free(&f);
        return false;
    }
    front_free(&f);
    const PipeProgram *prog = jit_symbol(j, "pipe_program");
    assert_non_null(prog);
    char *out, *err;
    int rc = run_prog(prog, c->input, c->args, &out, &err);
    jit_free(j);
    bool ok = rc == c->rc && !strcmp(out, c->out) && (c->err ? strstr(err, c->err) != NULL : !*err);
    if (!ok || getenv("PIPEC_TEST_PRINT"))
        fprintf(stderr,
                "%s case '%s':\n--- expected exit %d, stdout:\n%s--- got exit %d, stdout:\n%s--- stderr (expected "
                "to contain '%s'):\n%s\n",
                ok ? "ok" : "FAILED", c->name, c->rc, c->out, rc, out, c->err ? c->err : "(nothing)", err);
    free(out);
    free(err);
    return ok;
}

/* PIPEC_TEST_ONLY=TEXT runs only the cases whose name contains TEXT;
 * PIPEC_TEST_PRINT=1 prints every case's results (and C that fails). */
static void run_cases(const RunCase *cases, size_t n)
{
    const char *only = getenv("PIPEC_TEST_ONLY");
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!only || strstr(cases[i].name, only))
            failed += !run_case(&cases[i]);
    assert_int_equal(failed, 0);
}

#define ARGS(...) .args = {__VA_ARGS__, NULL}

/* ------------------------------------------------------------------ runs: pipelines */

static const RunCase pipeline_cases[] = {
    {"cat", "pipeline main { stdin | stdout }\n", "a\nb\n", "a\nb\n", 0},
    {"a last line without a newline", "pipeline main { stdin | stdout }\n", "a\nb", "a\nb\n", 0},
    {"LANGUAGE.md 1: top_words",
     "pipeline main(n: int = 10) {\n"
     "    stdin\n"
     "      | lower\n"
     "      | words\n"
     "      | count\n"
     "      | top(n, by: p => p.1)\n"
     "      | map(p => str(p.1) + \"\\t\" + p.0)\n"
     "      | stdout\n"
     "}\n",
     "the cat The dog\na cat the end\n", "3\tthe\n2\tcat\n", 0, NULL, ARGS("--n", "2")},
    {"parameters: a default", "pipeline main(n: int = 2) { stdin | head(n) | stdout }\n", "a\nb\nc\n", "a\nb\n", 0},
    {"parameters: --n V", "pipeline main(n: int = 2) { stdin | head(n) | stdout }\n", "a\nb\nc\n", "a\n", 0, NULL,
     ARGS("--n", "1")},
    {"parameters: --n=V", "pipeline main(n: int = 2) { stdin | head(n) | stdout }\n", "a\nb\nc\n", "a\nb\nc\n", 0,
     NULL, ARGS("--n=3")},
    {"parameters of every type",
     "pipeline main(s: str = \"x\", i: int = -1, f: float = 0.5, b: bool = false, r: str) {\n"
     "    lines(\"l\") | map(l => s + \" \" + str(i) + \" \" + str(f) + \" \" + str(b) + \" \" + r) | stdout\n"
     "}\n",
     "", "x -1 0.5 false R\n", 0, NULL, ARGS("--r", "R")},
    {"parameters of every type, given",
     "pipeline main(s: str = \"x\", i: int = -1, f: float = 0.5, b: bool = false, r: str) {\n"
     "    lines(\"l\") | map(l => s + \" \" + str(i) + \" \" + str(f) + \" \" + str(b) + \" \" + r) | stdout\n"
     "}\n",
     "", "a b 7 2.0 true \n", 0, NULL, ARGS("--r=", "--s", "a b", "--i", "7", "--f=2", "--b")},
    {"an int default for a float parameter",
     "pipeline main(f: float = 1) { lines(\"l\") | map(l => f / 2) | stdout }\n", "", "0.5\n", 0},
    {"a str default with quotes and backslashes",
     "pipeline main(s: str = \"a\\\"b\\\\c\\td\") { lines(\"l\") | map(l => s) | stdout }\n", "", "a\"b\\c\td\n", 0},
    {"usage error: a bad parameter value", "pipeline main(n: int = 2) { stdin | head(n) | stdout }\n", "a\n", "", 2,
     "bad value for '--n' (expected int): 'x'", ARGS("--n", "x")},
    {"usage error: a bad float value", "pipeline main(f: float = 2) { stdin | stdout }\n", "a\n", "", 2,
     "bad value for '--f'", ARGS("--f=1.5x")},
    {"usage error: an unknown option", "pipeline main(n: int = 2) { stdin | head(n) | stdout }\n", "a\n", "", 2,
     "unknown option '--m'", ARGS("--m", "1")},
    {"usage error: a missing required parameter", "pipeline main(pat: str) { stdin | grep(pat) | stdout }\n", "a\n",
     "", 2, "missing required option '--pat'"},
    {"usage error: the hint", "pipeline main(pat: str) { stdin | grep(pat) | stdout }\n", "a\n", "", 2, "--help"},
    {"--help lists the parameters",
     "pipeline main(pat: str, n: int = 10) { stdin | grep(pat) | head(n) | stdout }\n", "a\n",
     "usage: pipe_test [options] [FILE...]   (stdin reads the FILEs in turn; - is standard input)\n"
     "  --pat str             (required)\n"
     "  --n int               (default: 10)\n"
     HELP_RUN_OPTIONS,
     0, NULL, ARGS("--help")},
    {"runtime error: to_int of a word", "pipeline main { stdin | to_int | stdout }\n", "1\nx\n3\n", "1\n", 1,
     "t.pipe:1:25: runtime error in stage to_int: "},
    {"runtime error: to_int in a lambda names the value and the input line",
     "pipeline main {\n    stdin | map(s => to_int(s) * 2) | stdout\n}\n", "1\n2\nabc\n", "2\n4\n", 1, "\"abc\""},
    {"runtime error: division by zero", "pipeline main {\n    stdin | to_int | map(x => 10 / x) | stdout\n}\n",
     "2\n-3\n0\n5\n", "5\n-3\n", 1, "t.pipe:2:"},
    {"runtime error: modulo by zero", "pipeline main {\n    stdin | to_int | map(x => 10 % x) | stdout\n}\n",
     "3\n0\n", "1\n", 1, "runtime error"},
    {"runtime error: int overflow (the JIT's portable check), not a wrap-around",
     "pipeline main {\n    stdin | to_int | filter(x => x + 1 > x) | stdout\n}\n",
     "9223372036854775806\n9223372036854775807\n", "9223372036854775806\n", 1,
     "t.pipe:2:22: runtime error in stage filter: integer overflow: 9223372036854775807 + 1 (input stdin, line 2)"},
    {"a regex parameter that does not compile is a runtime error",
     "pipeline main(re: str = \"(\") {\n    stdin | grep(re) | stdout\n}\n", "a\n", "", 1, "("},
    {"fan-out and fan-in",
     "pipeline main {\n"
     "    n = stdin | to_int\n"
     "    big = n | filter(x => x > 2)\n"
     "    small = n | filter(x => x <= 2) | map(x => -x)\n"
     "    concat(big, small) | stdout\n"
     "}\n",
     "1\n3\n2\n4\n", "3\n4\n-1\n-2\n", 0},
    {"zip and enumerate",
     "pipeline main {\n"
     "    a = stdin | enumerate\n"
     "    zip(a, range(10, 20)) | map(p => str(p.0.0) + p.0.1 + str(p.1)) | stdout\n"
     "}\n",
     "x\ny\n", "1x10\n2y11\n", 0},
    {"tee to stderr",
     "pipeline main { stdin | tee(stderr) | upper | stdout }\n", "a\n", "A\n", 0, "a\n"},
    {"composite procs with parameters: one environment per instance",
     "proc level(tag: str, n: int = 5): str -> str = filter(s => contains(s, \"[\" + tag + \"]\")) | head(n)\n"
     "proc clean: str -> str = trim | filter(s => s != \"\")\n"
     "pipeline main {\n"
     "    l = stdin | clean\n"
     "    e = l | level(\"E\", 1)\n"
     "    w = l | level(\"W\")\n"
     "    concat(e, w) | stdout\n"
     "}\n",
     "  [E] 1\n\n[W] 2\n[E] 3\n[W] 4 \n", "[E] 1\n[W] 2\n[W] 4\n", 0},
    {"sort and top with key functions",
     "pipeline main {\n"
     "    a = stdin | sort(by: s => len(s), desc: true)\n"
     "    b = stdin | count | top(1, by: p => p.1) | map((w, n) => w)\n"
     "    concat(a, b) | stdout\n"
     "}\n",
     "bb\na\nccc\na\n", "ccc\nbb\na\na\na\n", 0},
    {"flat_map, format, distinct",
     "pipeline main {\n"
     "    stdin | flat_map(s => split(s, \",\")) | distinct | enumerate | format(\"{0}:{1}\") | stdout\n"
     "}\n",
     "a,b\nb,c\n", "1:a\n2:b\n3:c\n", 0},
    {"range and lines sources; sum, avg, count_items",
     "pipeline main {\n"
     "    s = range(1, 5) | sum\n"
     "    a = range(1, 5) | avg | map(f => str(f))\n"
     "    c = lines(\"x\\ny\\nz\") | count_items\n"
     "    concat(s, c) | stdout\n"
     "    a | stdout\n"
     "}\n",
     "", "10\n3\n2.5\n", 0},
    {"a stateful proc with parameters and state",
     "proc every(n: int): str -> str {\n"
     "    state i = 0\n"
     "    on x {\n"
     "        i += 1\n"
     "        if i % n == 0 { emit x }\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin | every(2) | stdout }\n",
     "a\nb\nc\nd\ne\n", "b\nd\n", 0},
    {"LANGUAGE.md 4: histogram",
     "proc histogram: int -> (int, int) {\n"
     "    state buckets: {int: int}\n"
     "    on x { buckets[x / 10 * 10] += 1 }\n"
     "    on end {\n"
     "        for k, v in buckets { emit (k, v) }\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin | to_int | histogram | stdout }\n",
     "12\n3\n15\n41\n7\n", "10\t2\n0\t2\n40\t1\n", 0},
    {"LANGUAGE.md 4: dedupe_by",
     "proc dedupe_by(field: int, sep: str): str -> str {\n"
     "    state seen: {str}\n"
     "    on line {\n"
     "        let k = split(line, sep)[field]\n"
     "        if not (k in seen) {\n"
     "            add(seen, k)\n"
     "            emit line\n"
     "        }\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin | dedupe_by(1, \",\") | stdout }\n",
     "a,1\nb,2\nc,1\nd\ne\n", "a,1\nb,2\nd\n", 0},
    {"LANGUAGE.md 4: running_total",
     "proc running_total: int -> int {\n"
     "    state total = 0\n"
     "    on x {\n"
     "        total += x\n"
     "        emit total\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin | to_int | running_total | stdout }\n",
     "1\n2\n3\n", "1\n3\n6\n", 0},
    {"a sink proc",
     "proc check: int -> {\n"
     "    state n = 0\n"
     "    on x { n += 10 / x }\n"
     "}\n"
     "pipeline main {\n"
     "    t = stdin | to_int\n"
     "    t | check\n"
     "    t | stdout\n"
     "}\n",
     "1\n2\n0\n3\n", "1\n2\n", 1, "t.pipe:7:9: runtime error in stage check: division by zero (input stdin, line 3)"},
    {"a closed reader ends the run quietly (head)",
     "pipeline main { range(0, 1000000000) | head(2) | stdout }\n", "", "0\n1\n", 0},
};

/* ------------------------------------------------------------------ runs: expressions */

/* Each row maps stdin through one expression (or a small proc). */
#define MAP(e) "pipeline main {\n    stdin | map(s => " e ") | stdout\n}\n"
#define MAPI(e) "pipeline main {\n    stdin | to_int | map(x => " e ") | stdout\n}\n"

static const RunCase expr_cases[] = {
    {"literals and escapes", MAP("\"<\\t\\x41\\\\\\\"\" + s + \">\""), "a\n", "<\tA\\\"a>\n", 0},
    {"str +", MAP("s + s"), "ab\n", "abab\n", 0},
    {"int arithmetic and precedence", MAPI("1 + x * 3 - 4 / 2 % 3"), "5\n", "14\n", 0},
    {"int division truncates toward zero; % takes the left side's sign",
     MAPI("str(x / 2) + \" \" + str(x % 3) + \" \" + str(-x / 2)"), "-7\n7\n", "-3 -1 3\n3 1 -3\n", 0},
    {"int and float mix to float", MAPI("x + 0.5"), "2\n", "2.5\n", 0},
    {"an integral float keeps .0", MAPI("x * 1.0"), "7\n", "7.0\n", 0},
    {"float division", MAP("to_float(s) / 4"), "1\n", "0.25\n", 0},
    {"unary minus", MAPI("-x + -(x * 2)"), "3\n", "-9\n", 0},
    {"comparisons of numbers", MAPI("(x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2, x < 2.5)"), "2\n",
     "false\ttrue\tfalse\ttrue\ttrue\tfalse\ttrue\n", 0},
    {"comparisons of str are bytewise", MAP("(s < \"b\", s == \"a\", \"ab\" < \"b\", \"a\" < \"ab\")"), "a\n",
     "true\ttrue\ttrue\ttrue\n", 0},
    {"comparisons of tuples and lists are lexicographic",
     MAP("((1, s) < (1, \"b\"), [1, 2] < [1, 3], [1] < [1, 0], (2, \"a\") > (1, \"z\"), false < true)"), "a\n",
     "true\ttrue\ttrue\ttrue\ttrue\n", 0},
    {"and, or, not", MAP("(len(s) > 0 and s != \"b\", s == \"a\" or s == \"c\", not (s == \"a\"))"), "a\nb\nc\n",
     "true\ttrue\tfalse\nfalse\tfalse\ttrue\ntrue\ttrue\ttrue\n", 0},
    {"and / or short-circuit", MAP("len(s) > 1 and substr(s, 1) == \"b\" or s == \"\""), "ab\na\n\n",
     "true\nfalse\ntrue\n", 0},
    {"if-then-else", MAP("if len(s) > 1 then \"long\" else \"short\""), "ab\na\n", "long\nshort\n", 0},
    {"if-then-else mixing int and float", MAPI("if x > 0 then x else 0.5"), "3\n-1\n", "3.0\n0.5\n", 0},
    {"tuples and fields", MAP("(s, len(s), (upper(s), 1.5)).2.0"), "ab\n", "AB\n", 0},
    {"a tuple prints TAB-separated", MAP("(s, len(s), true, 0.5)"), "ab\n", "ab\t2\ttrue\t0.5\n", 0},
    {"a list prints space-separated", MAP("[s, upper(s), \"\"]"), "ab\n", "ab AB \n", 0},
    {"list index, negative index, out of range", MAP("words(s)[1] + \"|\" + words(s)[-1] + \"|\" + words(s)[5] + \"|\""),
     "a b c\n", "b|c||\n", 0},
    {"split()[i] out of range is \"\"", MAP("split(s, \",\")[6] + \"|\" + split(s, \",\")[0]"), "a,b\n", "|a\n", 0},
    {"list of ints out of range is 0", MAP("[1, 2][7] + [3][-9]"), "x\n", "0\n", 0},
    {"in on str, list", MAP("(\"b\" in s, \"x\" in words(s), \"c\" in words(s))"), "a b\nc\n",
     "true\tfalse\tfalse\nfalse\tfalse\ttrue\n", 0},
    {"len of str and list", MAP("(len(s), len(words(s)), len([]), len(\"\"))"), "a bb c\n", "6\t3\t0\t0\n", 0},
    {"min, max, abs", MAPI("(min(x, 5), max(x, 5), abs(x), abs(-1.5), min(x, 2.5), max(\"a\", \"b\"))"), "-7\n9\n",
     "-7\t5\t7\t1.5\t-7.0\tb\n5\t9\t9\t1.5\t2.5\tb\n", 0},
    {"substr", MAP("substr(s, 1) + \"|\" + substr(s, 1, 2) + \"|\" + substr(s, -3) + \"|\" + substr(s, -2, 1) + \"|\" + "
                   "substr(s, 10)"),
     "hello\n", "ello|el|llo|l|\n", 0},
    {"string functions",
     MAP("(upper(s), lower(s), trim(s), contains(s, \"B\"), starts_with(s, \" \"), ends_with(s, \"c \"), find(s, \"c\"), "
         "find(s, \"z\"))"),
     " aBc \n", " ABC \t abc \taBc\ttrue\ttrue\ttrue\t3\t-1\n", 0},
    {"regex functions", MAP("(replace(s, \"([a-z])([0-9])\", \"\\\\2\\\\1\"), matches(s, \"^[a-z]+[0-9]$\"))"), "ab1\n",
     "a1b\ttrue\n", 0},
    {"split, join, words, field", MAP("join(split(s, \",\"), \";\") + \"|\" + join(words(s), \"_\") + \"|\" + "
                                      "field(s, 1, \",\")"),
     "a b,c d\n", "a b;c d|a_b,c_d|c d\n", 0},
    {"find_all", MAP("join(find_all(s, \"[0-9]+\"), \"+\")"), "a1b22c333\n", "1+22+333\n", 0},
    {"to_int, to_float, str", MAP("(to_int(s) + 1, to_float(s) + 0.5, str(to_int(s)) + \"!\", to_int(2.7))"), "41\n",
     "42\t41.5\t41!\t2\n", 0},
    {"str of containers", MAP("str([1, 2]) + \"|\" + str((s, 1))"), "a\n", "1 2|a\t1\n", 0},
    {"join of ints", MAP("join([1, 2, 3], \"-\")"), "a\n", "1-2-3\n", 0},
    {"a lambda with two parameters", "pipeline main { stdin | count | map((w, n) => w + \"=\" + str(n)) | stdout }\n",
     "a\nb\na\n", "a=2\nb=1\n", 0},
    {"a lambda with three parameters",
     "pipeline main { stdin | map(s => (s, len(s), 2)) | filter((a, b, c) => b < c) | map((a, b, c) => a) | stdout }\n",
     "a\nbbb\nc\n", "a\nc\n", 0},
    {"the empty list in context", MAP("len(if s == \"a\" then [] else words(s))"), "a\nb c\n", "0\n2\n", 0},
};

/* ------------------------------------------------------------------ runs: statements */

/* A proc from str to str whose body is b, run over stdin. */
#define PROC(state, b)                                                                                                 \
    "proc p: str -> str {\n" state "    on s {\n" b "    }\n}\npipeline main {\n    stdin | p | stdout\n}\n"

static const RunCase stmt_cases[] = {
    {"let and assignment", PROC("", "let a = 1\n a = a + 2\n let t = s\n t = t + \"!\"\n emit t + str(a)\n"),
     "x\n", "x!3\n", 0},
    {"compound assignment on ints and floats",
     PROC("    state i = 10\n    state f = 1.0\n",
          "i += 2\n i -= 1\n i *= 3\n i /= 2\n f += 1\n f *= 2.5\n f /= 2\n f -= 0.5\n emit str(i) + \" \" + str(f)\n"),
     "x\n", "16 2.0\n", 0},
    {"str +=", PROC("    state acc = \"\"\n", "acc += s\n acc += \",\"\n emit acc\n"), "a\nb\n", "a,\na,b,\n", 0},
    {"if, else if, else",
     PROC("", "if s == \"a\" { emit \"A\" } else if s == \"b\" { emit \"B\" } else { emit \"?\" }\n"), "a\nb\nc\n",
     "A\nB\n?\n", 0},
    {"while", PROC("", "let i = 0\n while i < len(s) { emit substr(s, i, 1)\n i += 1 }\n"), "abc\n", "a\nb\nc\n", 0},
    {"for over a list", PROC("", "for w in words(s) { emit upper(w) }\n"), "a b\n", "A\nB\n", 0},
    {"for over a set, in insertion order",
     PROC("    state seen: {str}\n", "for w in words(s) { add(seen, w) }\n for w in seen { emit w }\n"), "b a b c\n",
     "b\na\nc\n", 0},
    {"for over a map, in insertion order",
     PROC("    state m: {str: int}\n",
          "for w in words(s) { m[w] += 1 }\n for k, v in m { emit k + \"=\" + str(v) }\n for k in m { emit k }\n"),
     "b a b\n", "b=2\na=1\nb\na\n", 0},
    {"a map: a missing key reads zero; in; len; keys; remove",
     PROC("    state m: {str: int}\n",
          "emit str(m[s])\n m[s] = m[s] + 5\n emit str(m[s]) + \" \" + str(s in m) + \" \" + str(len(m)) + \" \" + "
          "join(keys(m), \",\")\n remove(m, \"a\")\n emit str(\"a\" in m) + \" \" + str(len(m))\n"),
     "a\nb\n", "0\n5 true 1 a\nfalse 0\n0\n5 true 1 b\nfalse 1\n", 0},
    {"a missing key of every value type reads as its zero",
     PROC("    state a: {str: str}\n    state b: {str: float}\n    state c: {str: bool}\n    state d: {str: [int]}\n",
          "emit \"<\" + a[s] + \">\" + str(b[s]) + str(c[s]) + str(len(d[s]))\n"),
     "x\n", "<>0.0false0\n", 0},
    {"a set: add, in, len, keys, remove",
     PROC("    state st: {str}\n",
          "add(st, s)\n add(st, s)\n emit str(len(st)) + \" \" + str(s in st) + \" \" + join(keys(st), \",\")\n "
          "remove(st, s)\n emit str(s in st)\n"),
     "a\nb\n", "1 true a\nfalse\n1 true b\nfalse\n", 0},
    {"a list: add, len, in, index",
     PROC("    state l: [str]\n",
          "add(l, s)\n emit join(l, \",\") + \" \" + str(len(l)) + \" \" + str(\"a\" in l) + \" \" + l[-1]\n"),
     "a\nb\n", "a 1 true a\na,b 2 true b\n", 0},
    {"a list of ints: index assignment",
     PROC("    state l: [int]\n", "add(l, len(s))\n l[0] += 10\n l[-1] = l[-1] * 2\n emit join(l, \",\")\n"), "a\nbb\n",
     "22\n32,4\n", 0},
    {"assigning out of a list's range is a runtime error", PROC("    state l: [str]\n", "l[3] = s\n emit s\n"), "a\n",
     "", 1, "runtime error"},
    {"tuple keys", PROC("    state m: {(str, int): int}\n", "m[(s, len(s))] += 1\n emit str(m[(s, 1)])\n"), "a\na\nbb\n",
     "1\n2\n0\n", 0},
    {"on end emits after the last item",
     "proc p: str -> int {\n"
     "    state n = 0\n"
     "    on s { n += len(s) }\n"
     "    on end { emit n\n emit -n }\n"
     "}\n"
     "pipeline main { stdin | p | stdout }\n",
     "ab\nc\n", "3\n-3\n", 0},
    {"emit of a tuple with a list",
     "proc p: str -> (str, [str]) {\n"
     "    on s { emit (s, words(s)) }\n"
     "}\n"
     "pipeline main { stdin | p | stdout }\n",
     "a b\n", "a b\ta b\n", 0},
    {"state of a list survives items; emitted lists are copies",
     "proc p: str -> [str] {\n"
     "    state l: [str]\n"
     "    on s { add(l, s)\n emit l }\n"
     "}\n"
     "pipeline main { stdin | p | stdout }\n",
     "a\nb\nc\n", "a\na b\na b c\n", 0},
    {"a let in a loop body is fresh each time", PROC("", "for w in words(s) { let t = w + w\n emit t }\n"), "a b\n",
     "aa\nbb\n", 0},
    {"str state keeps bytes after the input line is gone",
     PROC("    state first = \"\"\n", "if first == \"\" { first = s }\n emit first\n"), "one\ntwo\n", "one\none\n", 0},
    {"division by zero in a proc names the position", PROC("", "emit str(1 / (len(s) - 1))\n"), "ab\na\n", "1\n", 1,
     "t.pipe:7:13: runtime error in stage p: division by zero (input stdin, line 2)"},
    {"a map of lists: add to an existing entry",
     PROC("    state m: {str: [str]}\n",
          "let k = substr(s, 0, 1)\n if not (k in m) { m[k] = [] }\n add(m[k], s)\n emit join(m[k], \",\")\n"),
     "ab\nac\nb\n", "ab\nab,ac\nb\n", 0},
};

/* Regressions: bugs these tests found, fixed since. */
static const RunCase regression_cases[] = {
    /* Fixed bug 6: add(m[k], x) on a missing key does nothing: m[k] reads a fresh
     * zero list that is never stored in m (only `m[k] op= v` inserts). */
    {"a map of lists", PROC("    state m: {str: [str]}\n", "let k = substr(s, 0, 1)\n add(m[k], s)\n emit join(m[k], \",\")\n"),
     "ab\nac\nb\n", "ab\nab,ac\nb\n", 0},
    /* Fixed bug 7: nested maps cannot be filled: `m[a][b] += 1` upserts into the
     * zero value that reading m[a] returned, not into m, so m stays empty. */
    {"nested maps: m[a][b] += 1",
     "proc p: str -> str {\n"
     "    state m: {str: {str: int}}\n"
     "    on s {\n"
     "        let w = words(s)\n"
     "        m[w[0]][w[1]] += 1\n"
     "    }\n"
     "    on end {\n"
     "        for k, v in m { for k2, c in v { emit k + \"/\" + k2 + \"=\" + str(c) } }\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin | p | stdout }\n",
     "a x\na y\nb x\na x\n", "a/x=2\na/y=1\nb/x=1\n", 0},
    /* BUG 9 (a leak, seen under `make asan` only): assigning to an element of
     * a state list of str, `l[0] = v`, clones v onto the heap (the list's
     * arena is NULL) and never frees the element it replaces. */
    {"a list of str: index assignment frees the old element",
     PROC("    state l: [str]\n",
          "add(l, s)\n l[0] = upper(l[0])\n emit join(l, \",\") + \" \" + str(len(l)) + \" \" + str(\"A\" in l)\n"),
     "a\nb\n", "A 1 true\nA,b 2 true\n", 0},
    /* Fixed bug 8: a stateful proc without input (`proc p: -> T { on end {...} }`)
     * passes the checker but its C does not compile: emit.c sets
     * `push = proc_three_push`, which it never wrote. */
    {"a source proc",
     "proc three: -> int {\n"
     "    on end { let i = 0\n while i < 3 { emit i\n i += 1 } }\n"
     "}\n"
     "pipeline main { three | stdout }\n",
     "", "0\n1\n2\n", 0},
};

static void test_pipelines(void **state)
{
    (void)state;
    run_cases(pipeline_cases, sizeof pipeline_cases / sizeof pipeline_cases[0]);
}

static void test_exprs(void **state)
{
    (void)state;
    run_cases(expr_cases, sizeof expr_cases / sizeof expr_cases[0]);
}

static void test_stmts(void **state)
{
    (void)state;
    run_cases(stmt_cases, sizeof stmt_cases / sizeof stmt_cases[0]);
}

static void test_regressions(void **state)
{
    (void)state;
    run_cases(regression_cases, sizeof regression_cases / sizeof regression_cases[0]);
}

/* ------------------------------------------------------------------ the text of the C */

static void test_jit_text(void **state)
{
    (void)state;
    Front f;
    front(&f, "t.pipe",
          "pipeline main(n: int = 3) {\n"
          "    stdin\n"
          "      | map(s => upper(s))\n"
          "      | head(n)\n"
          "      | stdout\n"
          "}\n",
          NULL, EMIT_JIT);
    const char *c = f.out.code;
    /* the lambda's body points back at its line of the .pipe file */
    assert_non_null(strstr(c, "#line 3 \"t.pipe\""));
    assert_non_null(strstr(c, "const PipeProgram pipe_program = {.name = \"main\", .script = \"t.pipe\", .nparams = 1,"));
    assert_non_null(strstr(c, "{\"n\", &pipe_t_int, \"3\"}"));
    assert_non_null(strstr(c, "#define PIPE_FREESTANDING 1"));
    assert_null(strstr(c, "int main("));
    assert_null(strstr(c, "/* cc -O2"));
    assert_int_equal(f.out.nextern, 0);
    front_free(&f);
}

static void test_standalone_text(void **state)
{
    (void)state;
    Front f;
    front(&f, "some/dir/top_words.pipe",
          "pipeline first { stdin | stdout }\n"
          "pipeline main(n: int = 10) {\n"
          "    stdin | lower | words | count | top(n, by: p => p.1) | map(p => str(p.1) + \"\\t\" + p.0) | stdout\n"
          "}\n",
          NULL, EMIT_STANDALONE);
    const char *c = f.out.code;
    assert_true(!strncmp(c, "/* cc -O2 -o top_words top_words.c -lpcre2-8 -lz -lm\n", 53));
    assert_non_null(strstr(c, "(pipeline 'main')"));
    assert_non_null(strstr(c, "int main(int argc, char **argv)"));
    assert_non_null(strstr(c, "return pipe_main(&pipe_program, argc, argv);"));
    assert_non_null(strstr(c, "#line 3 \"some/dir/top_words.pipe\""));
    assert_null(strstr(c, "PIPE_FREESTANDING 1"));
    front_free(&f);

    /* a script name without .pipe is used whole */
    front(&f, "script", "pipeline p { stdin | stdout }\n", NULL, EMIT_STANDALONE);
    assert_true(!strncmp(f.out.code, "/* cc -O2 -o script script.c -lpcre2-8 -lz -lm\n", 47));
    /* the driver planned the DAG: stdin | stdout is a kernel copy */
    assert_non_null(strstr(f.out.code, "n1->flags = PIPE_PLAN_COPY;"));
    front_free(&f);
}

/* --pipeline NAME: the emitted program is the one named. */
static void test_pick_other(void **state)
{
    (void)state;
    Front f;
    front(&f, "t.pipe", "pipeline main { stdin | stdout }\npipeline other { stdin | upper | stdout }\n", "other",
          EMIT_JIT);
    Jit *j = jit_compile(f.out.code, NULL, 0, NULL);
    assert_non_null(j);
    front_free(&f);
    const PipeProgram *prog = jit_symbol(j, "pipe_program");
    assert_non_null(prog);
    assert_string_equal(prog->name, "other");
    char *out, *err;
    assert_int_equal(run_prog(prog, "a\n", NULL, &out, &err), 0);
    assert_string_equal(out, "A\n");
    free(out);
    free(err);
    jit_free(j);
}

/* The same program JIT-compiled twice and run twice in one process: no
 * state survives from one run to the next (the REPL relies on it). */
static void test_run_twice(void **state)
{
    (void)state;
    const char *src = "proc p: str -> int {\n    state n = 0\n    on s { n += 1\n emit n }\n}\n"
                      "pipeline main { stdin | p | stdout }\n";
    for (int k = 0; k < 2; k++) {
        Front f;
        front(&f, "t.pipe", src, NULL, EMIT_JIT);
        Jit *j = jit_compile(f.out.code, NULL, 0, NULL);
        assert_non_null(j);
        front_free(&f);
        const PipeProgram *prog = jit_symbol(j, "pipe_program");
        for (int r = 0; r < 2; r++) {
            char *out, *err;
            assert_int_equal(run_prog(prog, "a\nb\n", NULL, &out, &err), 0);
            assert_string_equal(out, "1\n2\n");
            free(out);
            free(err);
        }
        jit_free(j);
    }
}

/* The standalone C compiles with the system's C compiler and runs. */
static void test_standalone_builds(void **state)
{
    (void)state;
    if (system("command -v cc >/dev/null 2>&1") != 0)
        skip();
    char dir[] = "/tmp/pipec_test_emit_dir_XXXXXX";
    assert_non_null(mkdtemp(dir));
    Front f;
    front(&f, "t.pipe",
          "proc tally: str -> (str, int) {\n"
          "    state m: {str: int}\n"
          "    on s { m[s] += 1 }\n"
          "    on end { for k, v in m { emit (k, v) } }\n"
          "}\n"
          "pipeline main(n: int = 1) { stdin | tally | filter(p => p.1 > n) | stdout }\n",
          NULL, EMIT_STANDALONE);
    char cpath[300], cmd[1200];
    snprintf(cpath, sizeof cpath, "%s/t.c", dir);
    FILE *o = fopen(cpath, "w");
    assert_non_null(o);
    fwrite(f.out.code, 1, f.out.len, o);
    fclose(o);
    front_free(&f);
    snprintf(cmd, sizeof cmd,
             "cd %s && cc -O0 -w -o t t.c -lpcre2-8 -lz -lm && printf 'a\\nb\\na\\nc\\na\\nb\\n' | ./t --n 1 > out.txt && "
             "./t --n x 2> err.txt; echo $? > rc.txt",
             dir);
    assert_int_equal(system(cmd), 0);
    char buf[200] = "";
    snprintf(cpath, sizeof cpath, "%s/out.txt", dir);
    FILE *r = fopen(cpath, "r");
    assert_non_null(r);
    size_t n = fread(buf, 1, sizeof buf - 1, r);
    buf[n] = 0;
    fclose(r);
    assert_string_equal(buf, "a\t3\nb\t2\n");
    snprintf(cpath, sizeof cpath, "%s/rc.txt", dir);
    r = fopen(cpath, "r");
    assert_non_null(r);
    assert_non_null(fgets(buf, sizeof buf, r));
    fclose(r);
    assert_string_equal(buf, "2\n");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jit_text),
        cmocka_unit_test(test_standalone_text),
        cmocka_unit_test(test_pipelines),
        cmocka_unit_test(test_exprs),
        cmocka_unit_test(test_stmts),
        cmocka_unit_test(test_regressions),
        cmocka_unit_test(test_pick_other),
        cmocka_unit_test(test_run_twice),
        cmocka_unit_test(test_standalone_builds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
