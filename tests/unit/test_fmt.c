/* test_fmt.c — unit tests of pipec fmt (compiler/fmt.c): source in, exact
 * canonical text out, for each construct and each place a comment can be. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fmt.h"
#include "parse.h"

typedef struct Case {
    const char *name;
    const char *src;
    const char *expect; /* the canonical text */
} Case;

/* fmt of src as "t.pipe": the text (malloc'd) or NULL; what diag printed in *diags. */
static char *fmt_src(const char *src, size_t n, char **diags)
{
    size_t glen;
    char *junk = NULL;
    FILE *gf = open_memstream(diags ? diags : &junk, &glen);
    Diag d;
    diag_init(&d, gf);
    int id = diag_add_file(&d, "t.pipe", src, n);
    size_t len;
    char *out = fmt_format(&d, id, &len);
    if (out)
        assert_int_equal(strlen(out), len);
    diag_free(&d);
    fclose(gf);
    free(junk);
    return out;
}

/* The AST dump of src (malloc'd), or NULL when it has syntax errors. */
static char *dump_of(const char *src, size_t n)
{
    char *dump = NULL, *junk = NULL;
    size_t dlen, jlen;
    FILE *df = open_memstream(&dump, &dlen);
    FILE *jf = open_memstream(&junk, &jlen);
    Diag d;
    diag_init(&d, jf);
    PipeArena a = {0};
    int id = diag_add_file(&d, "t.pipe", src, n);
    Node *tree = parse_file(&d, &a, id);
    ast_dump(tree, df, false);
    int errors = d.errors;
    diag_free(&d);
    pipe_arena_free(&a);
    fclose(df);
    fclose(jf);
    free(junk);
    if (errors) {
        free(dump);
        return NULL;
    }
    return dump;
}

/* One case per construct of the grammar. */
static const Case layout_cases[] = {
    {"empty file", "", ""},
    {"blank lines only", "\n\n  \n", ""},
    {"records: fields one a line, T?, ??, a value that fits, one that does not",
     "record R { a: int, b: str?, c: [R2] }\n"
     "proc p: int -> R {\n"
     "  on x {\n"
     "    let r = R{a:x,b:none}\n"
     "    emit R { a: x * 1000000, b: \"a long string that does not fit\", c: [], d: r.b ?? \"-\" }\n"
     "  }\n"
     "}\n",
     "record R {\n"
     "    a: int\n"
     "    b: str?\n"
     "    c: [R2]\n"
     "}\n"
     "\n"
     "proc p: int -> R {\n"
     "    on x {\n"
     "        let r = R { a: x, b: none }\n"
     "        emit R {\n"
     "            a: x * 1000000,\n"
     "            b: \"a long string that does not fit\",\n"
     "            c: [],\n"
     "            d: r.b ?? \"-\",\n"
     "        }\n"
     "    }\n"
     "}\n"},
    {"import", "import   \"lib/clean.pipe\"\n", "import \"lib/clean.pipe\"\n"},
    {"composite proc",
     "proc clean:str->str=trim|filter(s=>s!=\"\")\n",
     "proc clean: str -> str = trim | filter(s => s != \"\")\n"},
    {"params, source and sink procs",
     "proc level( tag : str ,n:int=-1 ) : str -> str = filter( s => contains(s,tag) )\n"
     "proc nums : -> int = range(1,3)\n"
     "proc out: (int,str) -> = discard\n",
     "proc level(tag: str, n: int = -1): str -> str = filter(s => contains(s, tag))\n"
     "\n"
     "proc nums: -> int = range(1, 3)\n"
     "\n"
     "proc out: (int, str) -> = discard\n"},
    {"extern proc", "extern  proc rot13 :str->str  from \"rot13.c\"\n",
     "extern proc rot13: str -> str from \"rot13.c\"\n"},
    {"types", "proc t: {str: [int]} -> ({str}, (int, bool), float) {}\n",
     "proc t: {str: [int]} -> ({str}, (int, bool), float) {}\n"},
    {"sink body after ->", "proc s: str -> {\n  on x { }\n}\n",
     "proc s: str -> {\n    on x {}\n}\n"},
    {"set-typed out and a body", "proc s: int -> {int} { on x { emit x } }\n",
     "proc s: int -> {int} {\n    on x {\n        emit x\n    }\n}\n"},
    {"pipeline: empty parens dropped, one-line body opened",
     "pipeline main() { stdin | stdout }\n",
     "pipeline main {\n    stdin | stdout\n}\n"},
    {"empty pipeline", "pipeline main {\n\n}\n", "pipeline main {}\n"},
    {"one blank line between declarations, however many there were",
     "proc a: str -> str = trim\n\n\n\nproc b: str -> str = trim\nproc c: str -> str = trim\n",
     "proc a: str -> str = trim\n\nproc b: str -> str = trim\n\nproc c: str -> str = trim\n"},
    {"stateful proc, every statement",
     "proc p(k: int): int -> str {\n"
     "state total = 0\n"
     "state seen: {int}\n"
     "state m: {int: int} = m0\n"
     "on x {\n"
     "let y = x*2\n"
     "total += y; total -= 1\n"
     "total *= 2 ; total /= 3\n"
     "m[x] = 1\n"
     "add(seen, x)\n"
     "for k2, v in m { emit str(k2) }\n"
     "for s in seen { emit str(s) }\n"
     "while total > 0 { total = total - 1 }\n"
     "}\n"
     "on end { emit \"end\" }\n"
     "}\n",
     "proc p(k: int): int -> str {\n"
     "    state total = 0\n"
     "    state seen: {int}\n"
     "    state m: {int: int} = m0\n"
     "    on x {\n"
     "        let y = x * 2\n"
     "        total += y\n"
     "        total -= 1\n"
     "        total *= 2\n"
     "        total /= 3\n"
     "        m[x] = 1\n"
     "        add(seen, x)\n"
     "        for k2, v in m {\n"
     "            emit str(k2)\n"
     "        }\n"
     "        for s in seen {\n"
     "            emit str(s)\n"
     "        }\n"
     "        while total > 0 {\n"
     "            total = total - 1\n"
     "        }\n"
     "    }\n"
     "    on end {\n"
     "        emit \"end\"\n"
     "    }\n"
     "}\n"},
    {"if, else if, else",
     "proc p: int -> int { on x { if x > 1 { emit 1 }\n else if x > 0 { emit 2 } else { emit 3 } } }\n",
     "proc p: int -> int {\n"
     "    on x {\n"
     "        if x > 1 {\n"
     "            emit 1\n"
     "        } else if x > 0 {\n"
     "            emit 2\n"
     "        } else {\n"
     "            emit 3\n"
     "        }\n"
     "    }\n"
     "}\n"},
    {"one user blank line kept between statements, none after { or before }",
     "proc p: int -> int {\n\n    state a = 0\n\n\n    state b = 0\n    on x {\n\n        a += x\n\n        emit a\n\n    }\n\n}\n",
     "proc p: int -> int {\n    state a = 0\n\n    state b = 0\n    on x {\n        a += x\n\n        emit a\n    }\n}\n"},
    {"bindings and flows",
     "pipeline triage(log: str = \"access.log\") {\n"
     "    lines  = file(log)\n"
     "    errors = lines\n      | grep(\"ERROR\")\n"
     "    merge(errors, lines) | file(\"problems.log\")\n"
     "}\n",
     "pipeline triage(log: str = \"access.log\") {\n"
     "    lines = file(log)\n"
     "    errors = lines | grep(\"ERROR\")\n"
     "    merge(errors, lines) | file(\"problems.log\")\n"
     "}\n"},
    {"a flow of exactly 80 columns stays on one line",
     "pipeline main {\n    stdin | map(s => s + \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\") | stdout\n}\n",
     "pipeline main {\n    stdin | map(s => s + \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\") | stdout\n}\n"},
    {"a flow of 81 columns goes one stage per line",
     "pipeline main {\n    x = stdin | map(s => s + \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\") | stdout\n}\n",
     "pipeline main {\n    x = stdin\n      | map(s => s + \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")\n"
     "      | stdout\n}\n"},
    {"columns count characters, not bytes",
     "pipeline main {\n    stdin | map(s => s + \"ééééééééééééééééééééééééééééééééééééééééééé\") | stdout\n}\n",
     "pipeline main {\n    stdin | map(s => s + \"ééééééééééééééééééééééééééééééééééééééééééé\") | stdout\n}\n"},
    {"a long composite proc hangs its stages from column 0",
     "proc clean: str -> str = trim | filter(s => s != \"\") | map(s => replace(s, \"[ \\t]+\", \" \")) | filter(s => len(s) > 10)\n",
     "proc clean: str -> str = trim\n  | filter(s => s != \"\")\n  | map(s => replace(s, \"[ \\t]+\", \" \"))\n"
     "  | filter(s => len(s) > 10)\n"},
    {"blank lines between stages go",
     "pipeline main {\n    stdin\n\n      # c\n\n      | stdout\n}\n",
     "pipeline main {\n    stdin\n      # c\n      | stdout\n}\n"},
};

/* Expressions: spacing, and parentheses exactly where the grammar needs them. */
static const Case expr_cases[] = {
    {"arithmetic", "proc p: int -> int = map(x=>(x+1)*2-(3-4)-x/(2*3)%4)\n",
     "proc p: int -> int = map(x => (x + 1) * 2 - (3 - 4) - x / (2 * 3) % 4)\n"},
    {"redundant parentheses go", "proc p: int -> int = map(x=>((x*2)+(1)))\n",
     "proc p: int -> int = map(x => x * 2 + 1)\n"},
    {"left and right associativity", "proc p: int -> int = map(x => x - (x - 1) - 2)\n",
     "proc p: int -> int = map(x => x - (x - 1) - 2)\n"},
    {"logic", "proc p: int -> bool = map(x => (x > 1 or x < 0) and not (x == 5) and not x in s or not not b)\n",
     "proc p: int -> bool = map(\n    x => (x > 1 or x < 0) and not (x == 5) and not (x in s) or not not b\n)\n"},
    {"comparison operands", "proc p: bool -> bool = map(b => (b == true) != (1 < 2))\n",
     "proc p: bool -> bool = map(b => (b == true) != (1 < 2))\n"},
    {"not under a comparison", "proc p: bool -> bool = map(b => (not b) == false)\n",
     "proc p: bool -> bool = map(b => (not b) == false)\n"},
    {"negation", "proc p: int -> int = map(x => -(x + 1) * -x - -(-x) - (-(y)))\n",
     "proc p: int -> int = map(x => -(x + 1) * -x - -(-x) - -y)\n"},
    {"numbers as written, signs folded", "proc p: int -> int = map(x => 0x1F + 1e-3 + 2.50 + - 7 + -(0x10) + - -7 + 1E3)\n",
     "proc p: int -> int = map(x => 0x1F + 1e-3 + 2.50 + -7 + -0x10 + 7 + 1E3)\n"},
    {"the smallest int", "proc p: int -> int = map(x => -9223372036854775808)\n",
     "proc p: int -> int = map(x => -9223372036854775808)\n"},
    {"fields and indexes", "proc p: int -> int = map(t => t.0.1 + (5).0 + (-5).1 + xs[i + 1][0] + f(x).2 + (a + b).0)\n",
     "proc p: int -> int = map(\n    t => t.0.1 + (5).0 + (-5).1 + xs[i + 1][0] + f(x).2 + (a + b).0\n)\n"},
    {"lambdas and conditionals",
     "proc p: int -> int = map(p => if p.0 then (a,b) => a else (x) => if x then 1 else 2)\n",
     "proc p: int -> int = map(\n    p => if p.0 then (a, b) => a else x => if x then 1 else 2\n)\n"},
    {"a conditional and a lambda as operands",
     "proc p: int -> int = map(x => (if x then 1 else 2) + 1) | map(f => (x => x)) | filter((y => y))\n",
     "proc p: int -> int = map(x => (if x then 1 else 2) + 1)\n  | map(f => x => x)\n  | filter(y => y)\n"},
    {"tuples, lists, calls, named arguments",
     "proc p: int -> int = sort( by : p=>(p.1 ,p.0) , desc:true ) | map(x => [ ]) | map(x => [1,[2 , 3]])\n"
     "proc q: int -> int = map(x => f())\n",
     "proc p: int -> int = sort(by: p => (p.1, p.0), desc: true)\n"
     "  | map(x => [])\n"
     "  | map(x => [1, [2, 3]])\n"
     "\n"
     "proc q: int -> int = map(x => f())\n"},
    {"a stage in parentheses", "pipeline main { stdin | (lower) | (f(1)).0 | stdout }\n",
     "pipeline main {\n    stdin | lower | f(1).0 | stdout\n}\n"},
    {"strings re-escaped",
     "proc p: str -> str = map(s => s + \"a\\tb\\n\\\\ \\\"q\\\" \\r\\0\\x01\\x7f\\x41\\xC3\\xA9 é\\xff\")\n",
     "proc p: str -> str = map(s => s + \"a\\tb\\n\\\\ \\\"q\\\" \\x0D\\x00\\x01\\x7FAé é\\xFF\")\n"},
    {"invalid UTF-8 bytes in a string",
     "proc p: str -> str = map(s => \"\xC3(\xE2\x82\")\n",
     "proc p: str -> str = map(s => \"\\xC3(\\xE2\\x82\")\n"},
    {"assignment targets", "proc p: int -> int { state m: {int: (int, int)}\n on x { m[x] = (1, 2)\n (m[x]).0 += 1 } }\n",
     "proc p: int -> int {\n    state m: {int: (int, int)}\n    on x {\n        m[x] = (1, 2)\n        m[x].0 += 1\n    }\n}\n"},
};

/* Comments: every place one can be. */
static const Case comment_cases[] = {
    {"file header, and a blank line after it kept",
     "# header\n\n# about main\npipeline main { stdin | stdout }\n",
     "# header\n\n# about main\npipeline main {\n    stdin | stdout\n}\n"},
    {"only comments", "  # one\n\n\n# two   \n", "# one\n\n# two\n"},
    {"trailing comments: two spaces, trailing blanks dropped",
     "import \"a.pipe\"        # the lib   \nproc p: str -> str = trim # trims\n",
     "import \"a.pipe\"  # the lib\n\nproc p: str -> str = trim  # trims\n"},
    {"a comment before a declaration gets the declaration's blank line",
     "proc a: str -> str = trim\n# about b\nproc b: str -> str = trim\n",
     "proc a: str -> str = trim\n\n# about b\nproc b: str -> str = trim\n"},
    {"comments at the end of the file", "proc a: str -> str = trim\n# end\n\n# really\n",
     "proc a: str -> str = trim\n# end\n\n# really\n"},
    {"after a block's opening brace", "proc r: int -> int {   # stateful\n    on x { emit x }\n}\n",
     "proc r: int -> int {  # stateful\n    on x {\n        emit x\n    }\n}\n"},
    {"after a one-line block: on its first line",
     "proc h: int -> int {\n    on x { emit x }    # each\n}\n",
     "proc h: int -> int {\n    on x {  # each\n        emit x\n    }\n}\n"},
    {"after a closing brace",
     "proc h: int -> int {\n    on x {\n        emit x\n    }  # done\n}  # h\n",
     "proc h: int -> int {\n    on x {\n        emit x\n    }  # done\n}  # h\n"},
    {"at the end of a block: inside it",
     "pipeline main {\n    stdin | stdout\n        # one\n\n  # two\n}\n",
     "pipeline main {\n    stdin | stdout\n    # one\n\n    # two\n}\n"},
    {"in an otherwise empty block",
     "proc p: int -> int {\n    on x {\n    # nothing yet\n    }\n}\n",
     "proc p: int -> int {\n    on x {\n        # nothing yet\n    }\n}\n"},
    {"between statements, with the user's blank lines",
     "proc p: int -> int {\n on x {\n  let a = 1   # one\n\n\n  # about b\n  let b = 2\n  # about c\n\n  emit a\n }\n}\n",
     "proc p: int -> int {\n    on x {\n        let a = 1  # one\n\n        # about b\n        let b = 2\n        # about c\n\n        emit a\n    }\n}\n"},
    {"a split flow keeps one comment per stage (LANGUAGE.md 1)",
     "pipeline main(n: int = 10) {\n"
     "    stdin\n"
     "      | lower\n"
     "      | words                      # str -> str\n"
     "      | count                      # str -> (str, int)\n"
     "      | top(n, by: p => p.1)       # the n pairs\n"
     "      | stdout\n"
     "}\n",
     "pipeline main(n: int = 10) {\n"
     "    stdin\n"
     "      | lower\n"
     "      | words  # str -> str\n"
     "      | count  # str -> (str, int)\n"
     "      | top(n, by: p => p.1)  # the n pairs\n"
     "      | stdout\n"
     "}\n"},
    {"a comment inside a flow splits it; one after it does not",
     "pipeline main {\n    x = stdin | lower   # low\n      | stdout\n    x | stdout\n      | stderr  # end\n}\n",
     "pipeline main {\n    x = stdin\n      | lower  # low\n      | stdout\n    x | stdout | stderr  # end\n}\n"},
    {"own-line comments between stages",
     "pipeline main {\n    stdin\n    # lower it\n    | lower\n    | stdout\n}\n",
     "pipeline main {\n    stdin\n      # lower it\n      | lower\n      | stdout\n}\n"},
    {"a comment after a bar", "pipeline main {\n    stdin |   # in\n      lower | stdout\n}\n",
     "pipeline main {\n    stdin  # in\n      | lower\n      | stdout\n}\n"},
    {"inside an expression: above its line",
     "proc p: int -> int {\n    on x {\n        emit f(x,   # first\n               # second\n               x)\n    }\n}\n",
     "proc p: int -> int {\n    on x {\n        # first\n        # second\n        emit f(x, x)\n    }\n}\n"},
    {"two comments trailing one line: the first goes above",
     "pipeline main(a: int,   # the a\n              b: int) {  # the b\n    stdin | stdout\n}\n",
     "# the a\npipeline main(a: int, b: int) {  # the b\n    stdin | stdout\n}\n"},
    {"between } and else: at the end of the block",
     "proc p: int -> int {\n    on x {\n        if x > 0 {\n            emit x\n        }\n        # otherwise\n        else {\n            emit 0\n        }\n    }\n}\n",
     "proc p: int -> int {\n    on x {\n        if x > 0 {\n            emit x\n            # otherwise\n        } else {\n            emit 0\n        }\n    }\n}\n"},
    {"comments keep their text, tabs and all", "#\tno space\n#!x\n##\n#\n",
     "#\tno space\n#!x\n##\n#\n"},
    {"CRLF line ends", "# a\r\npipeline main {\r\n    stdin | stdout  # b\r\n}\r\n",
     "# a\npipeline main {\n    stdin | stdout  # b\n}\n"},
    {"a hash in a string is no comment", "proc p: str -> str = map(s => s + \"#x\")  # y\n",
     "proc p: str -> str = map(s => s + \"#x\")  # y\n"},
};

/* Lines past WIDTH (80) broken where the grammar allows: flows, calls, lambdas, heads. */
static const Case width_cases[] = {
    {"a flow past 80 columns: one stage per line",
     "pipeline main(n: int = 3) { stdin | lower | words | count | top(n, by: p => p.1) | map(p => p.0) | stdout }\n",
     "pipeline main(n: int = 3) {\n"
     "    stdin\n"
     "      | lower\n"
     "      | words\n"
     "      | count\n"
     "      | top(n, by: p => p.1)\n"
     "      | map(p => p.0)\n"
     "      | stdout\n"
     "}\n"},
    {"a parameter list past 80 columns: one per line",
     "pipeline main(pattern: str = \"error|warning\", limit: int = 10, sep: str = \",\", verbose: bool = false) {\n"
     "    stdin | stdout\n"
     "}\n",
     "pipeline main(\n"
     "    pattern: str = \"error|warning\",\n"
     "    limit: int = 10,\n"
     "    sep: str = \",\",\n"
     "    verbose: bool = false\n"
     ") {\n"
     "    stdin | stdout\n"
     "}\n"},
    {"a lambda past 80 columns: its body after its =>, one level in",
     "pipeline main {\n"
     "    stdin | map(line => if contains(line, \"fatal\") then upper(line) + \"!\" else lower(line) + \"?\") | stdout\n"
     "}\n",
     "pipeline main {\n"
     "    stdin\n"
     "      | map(\n"
     "          line =>\n"
     "              if contains(line, \"fatal\") then upper(line) + \"!\" else lower(line) + \"?\"\n"
     "      )\n"
     "      | stdout\n"
     "}\n"},
    {"a call past 80 columns: one argument per line",
     "pipeline main {\n"
     "    stdin | replace(\"([0-9]{4})-([0-9]{2})-([0-9]{2})\", \"day \\\\3 of month \\\\2 in \\\\1\", all: true) | stdout\n"
     "}\n",
     "pipeline main {\n"
     "    stdin\n"
     "      | replace(\n"
     "          \"([0-9]{4})-([0-9]{2})-([0-9]{2})\",\n"
     "          \"day \\\\3 of month \\\\2 in \\\\1\",\n"
     "          all: true\n"
     "      )\n"
     "      | stdout\n"
     "}\n"},
    {"long heads of an extern proc and a pipeline, a comment among the parameters",
     "extern proc rot(shift_by: int, alphabet: str = \"abcdefghijklmnopqrstuvwxyz\", keep_case: bool = true): str -> str from \"rot.c\"\n"
     "pipeline main(first_parameter: str = \"aaaaaaaa\",  # the first\n"
     "              second_parameter: str = \"bbbbbbbbbbbbbbbbbbbb\") {\n"
     "    stdin | rot(1) | stdout\n"
     "}\n",
     "extern proc rot(\n"
     "    shift_by: int,\n"
     "    alphabet: str = \"abcdefghijklmnopqrstuvwxyz\",\n"
     "    keep_case: bool = true\n"
     "): str -> str from \"rot.c\"\n"
     "\n"
     "pipeline main(\n"
     "    first_parameter: str = \"aaaaaaaa\",  # the first\n"
     "    second_parameter: str = \"bbbbbbbbbbbbbbbbbbbb\"\n"
     ") {\n"
     "    stdin | rot(1) | stdout\n"
     "}\n"},
};

static void run_cases(const Case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Case *c = &cases[i];
        char *diags = NULL;
        char *got = fmt_src(c->src, strlen(c->src), &diags);
        if (!got || strcmp(got, c->expect) != 0) {
            fprintf(stderr, "FAILED case '%s':\n--- expected\n%s--- got\n%s--- diagnostics\n%s", c->name, c->expect,
                    got ? got : "(null)\n", diags ? diags : "");
            fail();
        }
        /* idempotent */
        char *again = fmt_src(got, strlen(got), NULL);
        if (!again || strcmp(again, got) != 0) {
            fprintf(stderr, "FAILED case '%s': not idempotent:\n%s", c->name, again ? again : "(null)\n");
            fail();
        }
        /* the same tree */
        char *d1 = dump_of(c->src, strlen(c->src)), *d2 = dump_of(got, strlen(got));
        assert_non_null(d1);
        assert_non_null(d2);
        if (strcmp(d1, d2) != 0) {
            fprintf(stderr, "FAILED case '%s': the tree changed:\n%s%s", c->name, d1, d2);
            fail();
        }
        free(d1);
        free(d2);
        free(again);
        free(got);
        free(diags);
    }
}

static void test_layout(void **state)
{
    run_cases(layout_cases, sizeof layout_cases / sizeof layout_cases[0]);
}

static void test_width(void **state)
{
    run_cases(width_cases, sizeof width_cases / sizeof width_cases[0]);
}

static void test_exprs(void **state)
{
    run_cases(expr_cases, sizeof expr_cases / sizeof expr_cases[0]);
}

static void test_comments(void **state)
{
    run_cases(comment_cases, sizeof comment_cases / sizeof comment_cases[0]);
}

/* A script with syntax errors: reported as usual, no text. */
static void test_syntax_errors(void **state)
{
    char *diags = NULL;
    char *got = fmt_src("pipeline main { stdin | }\n", 26, &diags);
    assert_null(got);
    assert_string_equal(diags, "t.pipe:1:25: error: expected an expression, found '}'\n"
                               "    1 | pipeline main { stdin | }\n"
                               "      |                         ^\n");
    free(diags);
}

/* Every prefix of every case and every case less one byte: when it parses,
 * fmt must keep its tree and comments (fmt_format checks both itself) and be
 * idempotent. */
static void test_cut_inputs(void **state)
{
    const Case *sets[] = {layout_cases, expr_cases, comment_cases};
    size_t counts[] = {sizeof layout_cases / sizeof layout_cases[0], sizeof expr_cases / sizeof expr_cases[0],
                       sizeof comment_cases / sizeof comment_cases[0]};
    int formatted = 0;
    for (size_t s = 0; s < 3; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            const char *src = sets[s][i].src;
            size_t n = strlen(src);
            char *cut = malloc(n + 1);
            for (size_t k = 0; k < 2 * n + 1; k++) {
                size_t m;
                if (k <= n) { /* the prefix of k bytes */
                    memcpy(cut, src, k);
                    m = k;
                } else { /* less byte k - n - 1 */
                    size_t j = k - n - 1;
                    memcpy(cut, src, j);
                    memcpy(cut + j, src + j + 1, n - j - 1);
                    m = n - 1;
                }
                cut[m] = '\0';
                char *d = dump_of(cut, m);
                if (!d)
                    continue;
                free(d);
                char *diags = NULL;
                char *got = fmt_src(cut, m, &diags);
                if (!got) {
                    fprintf(stderr, "FAILED on:\n%s\n--- diagnostics\n%s", cut, diags);
                    fail();
                }
                char *again = fmt_src(got, strlen(got), NULL);
                if (!again || strcmp(again, got) != 0) {
                    fprintf(stderr, "FAILED: not idempotent on:\n%s\n--- once\n%s--- twice\n%s", cut, got,
                            again ? again : "(null)\n");
                    fail();
                }
                formatted++;
                free(again);
                free(got);
                free(diags);
            }
            free(cut);
        }
    }
    assert_true(formatted > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_exprs),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_cut_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
