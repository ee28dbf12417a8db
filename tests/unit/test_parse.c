/* test_parse.c — unit tests of the front end (lexer, token filter, parser, AST
 * builders, imports): source text in, exact AST dump or diagnostics out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "parse.h"

typedef struct Case {
    const char *name;
    const char *src;
    const char *expect; /* the dump (no errors), or the exact diagnostics */
} Case;

/* Parses src as "t.pipe"; returns the number of errors and, in malloc'd
 * strings, the dump of every file and what diag printed. */
static int parse_src(const char *src, char **dump, char **diags)
{
    size_t dlen, glen;
    FILE *df = open_memstream(dump, &dlen);
    FILE *gf = open_memstream(diags, &glen);
    Diag d;
    diag_init(&d, gf);
    PipeArena a = {0};
    Program p;
    bool ok = parse_program_text(&d, &a, "t.pipe", src, &p);
    assert_int_equal(p.nfiles, 1);
    for (int i = 0; i < p.nfiles; i++)
        ast_dump(p.files[i], df, false);
    int errors = d.errors;
    assert_int_equal(ok, errors == 0); /* false exactly when something was reported */
    diag_free(&d);
    pipe_arena_free(&a);
    fclose(df);
    fclose(gf);
    return errors;
}

/* Programs that parse: the examples of LANGUAGE.md and one case per rule of
 * the grammar and of the newline filter. */
static const Case parse_cases[] = {
    {"LANGUAGE.md 1: top_words",
     "# top_words.pipe — the 10 most frequent words of the input\n"
     "pipeline main(n: int = 10) {\n"
     "    stdin\n"
     "      | lower\n"
     "      | words                      # str -> str, one item per whitespace-separated word\n"
     "      | count                      # str -> (str, int), first-seen order\n"
     "      | top(n, by: p => p.1)       # the n pairs with the largest count\n"
     "      | map(p => str(p.1) + \"\\t\" + p.0)\n"
     "      | stdout\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main (parameter n (type-name int) (integer 10))\n"
     "    (flow (name stdin) (name lower) (name words) (name count) (call top (argument (name n)) (argument by (lambda (name p) (field (name p) 1)))) (call map (argument (lambda (name p) (binary + (binary + (call str (argument (field (name p) 1))) (string \"\\t\")) (field (name p) 0))))) (name stdout))))\n"},
    {"LANGUAGE.md 4: declarations",
     "proc clean: str -> str = trim | filter(s => s != \"\")      # composite: a named sub-pipeline\n"
     "\n"
     "proc level(tag: str): str -> str = filter(s => contains(s, \"[\" + tag + \"]\"))\n"
     "\n"
     "proc running_total: int -> int {                 # stateful processor\n"
     "    state total = 0\n"
     "    on x {\n"
     "        total += x\n"
     "        emit total\n"
     "    }\n"
     "}\n"
     "\n"
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
     "\n"
     "proc histogram: int -> (int, int) {\n"
     "    state buckets: {int: int}\n"
     "    on x { buckets[x / 10 * 10] += 1 }           # a missing key reads as the zero value\n"
     "    on end {\n"
     "        for k, v in buckets { emit (k, v) }\n"
     "    }\n"
     "}\n"
     "\n"
     "extern proc rot13: str -> str from \"rot13.c\"     # a processor written in C against the runtime's public header\n"
     "\n"
     "pipeline main { stdin | clean | stdout }\n",
     "(file \"t.pipe\"\n"
     "  (proc clean composite (type-name str) (type-name str)\n"
     "    (flow (name trim) (call filter (argument (lambda (name s) (binary != (name s) (string \"\")))))))\n"
     "  (proc level composite (parameter tag (type-name str)) (type-name str) (type-name str)\n"
     "    (flow (call filter (argument (lambda (name s) (call contains (argument (name s)) (argument (binary + (binary + (string \"[\") (name tag)) (string \"]\")))))))))\n"
     "  (proc running_total stateful (type-name int) (type-name int)\n"
     "    (state total _ (integer 0))\n"
     "    (on x\n"
     "      (block\n"
     "        (assignment += (name total) (name x))\n"
     "        (emit (name total)))))\n"
     "  (proc dedupe_by stateful (parameter field (type-name int)) (parameter sep (type-name str)) (type-name str) (type-name str)\n"
     "    (state seen (set-type (type-name str)))\n"
     "    (on line\n"
     "      (block\n"
     "        (let k (index (call split (argument (name line)) (argument (name sep))) (name field)))\n"
     "        (if (unary not (binary in (name k) (name seen)))\n"
     "          (block\n"
     "            (expression-statement (call add (argument (name seen)) (argument (name k))))\n"
     "            (emit (name line)))))))\n"
     "  (proc histogram stateful (type-name int) (tuple-type (type-name int) (type-name int))\n"
     "    (state buckets (map-type (type-name int) (type-name int)))\n"
     "    (on x\n"
     "      (block\n"
     "        (assignment += (index (name buckets) (binary * (binary / (name x) (integer 10)) (integer 10))) (integer 1))))\n"
     "    (on end\n"
     "      (block\n"
     "        (for k v (name buckets)\n"
     "          (block\n"
     "            (emit (tuple (name k) (name v))))))))\n"
     "  (extern-proc rot13 \"rot13.c\" (type-name str) (type-name str))\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (name clean) (name stdout))))\n"},
    {"LANGUAGE.md 5: triage",
     "pipeline triage(log: str = \"access.log\") {\n"
     "    lines  = file(log)                          # a named stream\n"
     "    errors = lines | grep(\"ERROR\")              # `lines` used twice: fan-out, each consumer sees every item\n"
     "    warns  = lines | grep(\"WARN\")\n"
     "    merge(errors, warns) | file(\"problems.log\") # fan-in\n"
     "    lines | count_items | map(n => \"total \" + str(n)) | stdout\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (pipeline triage (parameter log (type-name str) (string \"access.log\"))\n"
     "    (binding lines (flow (call file (argument (name log)))))\n"
     "    (binding errors (flow (name lines) (call grep (argument (string \"ERROR\")))))\n"
     "    (binding warns (flow (name lines) (call grep (argument (string \"WARN\")))))\n"
     "    (flow (call merge (argument (name errors)) (argument (name warns))) (call file (argument (string \"problems.log\"))))\n"
     "    (flow (name lines) (name count_items) (call map (argument (lambda (name n) (binary + (string \"total \") (call str (argument (name n))))))) (name stdout))))\n"},
    {"empty file",
     "",
     "(file \"t.pipe\")\n"},
    {"only comments and blank lines",
     "# nothing\n"
     "\n"
     "   # here\n",
     "(file \"t.pipe\")\n"},
    {"no newline at the end",
     "pipeline main { stdin | stdout }",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (name stdout))))\n"},
    {"CRLF line ends",
     "pipeline main {\r\n"
     "  stdin\r\n"
     "    | stdout\r\n"
     "}\r\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (name stdout))))\n"},
    {"semicolons separate statements",
     "pipeline main { a = stdin; a | stdout;; a | stderr }\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (binding a (flow (name stdin)))\n"
     "    (flow (name a) (name stdout))\n"
     "    (flow (name a) (name stderr))))\n"},
    {"a line starting with '|' continues past blank and comment lines",
     "pipeline main {\n"
     "  stdin\n"
     "\n"
     "  # comment\n"
     "\n"
     "  | stdout\n"
     "  lines(\"x\") | stderr\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (name stdout))\n"
     "    (flow (call lines (argument (string \"x\"))) (name stderr))))\n"},
    {"continuation after '|', ',', '(', '=', '=>' and operators",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    let y =\n"
     "      x +\n"
     "      1\n"
     "    emit max(y,\n"
     "      2)\n"
     "    let f = v =>\n"
     "      v * 2\n"
     "  }\n"
     "}\n"
     "pipeline main {\n"
     "  s = stdin |\n"
     "    trim\n"
     "  s | stdout\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on x\n"
     "      (block\n"
     "        (let y (binary + (name x) (integer 1)))\n"
     "        (emit (call max (argument (name y)) (argument (integer 2))))\n"
     "        (let f (lambda (name v) (binary * (name v) (integer 2)))))))\n"
     "  (pipeline main\n"
     "    (binding s (flow (name stdin) (name trim)))\n"
     "    (flow (name s) (name stdout))))\n"},
    {"newlines inside brackets are ignored",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    emit f(\n"
     "      x\n"
     "      ,\n"
     "      [1\n"
     "      ,2]\n"
     "    )\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (call f (argument (name x)) (argument (list (integer 1) (integer 2)))))))))\n"},
    {"newlines inside a map or set literal are ignored, before a ',' too",
     "proc p: str -> str {\n"
     "  state s: {str} = {\"x\"\n"
     "    , \"y\"}\n"
     "  on x {\n"
     "    let m = {\"a\": 1\n"
     "      , \"b\": [2\n"
     "      , 3]}\n"
     "    if x in {\"a\"\n"
     "      , \"b\"} {\n"
     "      emit x\n"
     "    }\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name str) (type-name str)\n"
     "    (state s (set-type (type-name str)) (set-literal (string \"x\") (string \"y\")))\n"
     "    (on x\n"
     "      (block\n"
     "        (let m (map-literal (map-entry (string \"a\") (integer 1)) (map-entry (string \"b\") (list (integer 2) (integer 3)))))\n"
     "        (if (binary in (name x) (set-literal (string \"a\") (string \"b\")))\n"
     "          (block\n"
     "            (emit (name x))))))))\n"},
    {"a literal after return, emit, => or an operator is no block",
     "fn f(x: int) -> {int: {str}} {\n"
     "  return {x: {\"a\"\n"
     "    , \"b\"}\n"
     "    , 2: if x in {1\n"
     "      , 2} then {} else {\"c\"}}\n"
     "}\n"
     "pipeline main { stdin | map(s => {s: 1\n"
     "  , \"z\": 2}) | stdout }\n",
     "(file \"t.pipe\" (fn f (parameter x (type-name int)) (map-type (type-name int) (set-type (type-name str)))\n"
     "    (block (return (map-literal (map-entry (name x) (set-literal (string \"a\") (string \"b\"))) (map-entry (integer 2) (conditional (binary in (name x) (set-literal (integer 1) (integer 2))) (map-literal) (set-literal (string \"c\"))))))))\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (call map (argument (lambda (name s) (map-literal (map-entry (name s) (integer 1)) (map-entry (string \"z\") (integer 2)))))) (name stdout))))\n"},
    {"else and then on the next line",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    if x > 0 {\n"
     "      emit x\n"
     "    }\n"
     "    else if x < 0 { emit -x }\n"
     "    else {\n"
     "    }\n"
     "    emit if x > 1\n"
     "      then 1\n"
     "      else 2\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on x\n"
     "      (block\n"
     "        (if (binary > (name x) (integer 0))\n"
     "          (block\n"
     "            (emit (name x)))\n"
     "          (if (binary < (name x) (integer 0))\n"
     "            (block\n"
     "              (emit (unary - (name x))))\n"
     "            (block)))\n"
     "        (emit (conditional (binary > (name x) (integer 1)) (integer 1) (integer 2)))))))\n"},
    {"negative literals fold, other negations stay",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    emit -7\n"
     "    emit -9223372036854775808\n"
     "    emit -0x8000000000000000\n"
     "    emit -(2)\n"
     "    emit -2.5\n"
     "    emit -x\n"
     "    emit 1 - -1\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (integer -7))\n"
     "        (emit (integer -9223372036854775808))\n"
     "        (emit (integer -9223372036854775808))\n"
     "        (emit (integer -2))\n"
     "        (emit (float -2.5))\n"
     "        (emit (unary - (name x)))\n"
     "        (emit (binary - (integer 1) (integer -1)))))))\n"},
    {"integer, float and string literals",
     "proc p: int -> str {\n"
     "  on x {\n"
     "    emit (42, 0x1F, 0XfF, 3.5, 1e-3, 2E10, 0.1, true, false)\n"
     "    emit \"a\\nb\\tc\\\\d\\\"e\\x41\\x7e\\r\\0f\"\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name str)\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (tuple (integer 42) (integer 31) (integer 255) (float 3.5) (float 0.001) (float 2e+10) (float 0.1) (boolean true) (boolean false)))\n"
     "        (emit (string \"a\\nb\\tc\\\\d\\\"eA~\\r\\x00f\"))))))\n"},
    {"field access, also t.0.1",
     "proc p: int -> int {\n"
     "  on t {\n"
     "    emit t.0\n"
     "    emit t.0.1\n"
     "    emit t.12.3.4\n"
     "    emit f(t).1[2].0\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on t\n"
     "      (block\n"
     "        (emit (field (name t) 0))\n"
     "        (emit (field (field (name t) 0) 1))\n"
     "        (emit (field (field (field (name t) 12) 3) 4))\n"
     "        (emit (field (index (field (call f (argument (name t))) 1) (integer 2)) 0))))))\n"},
    {"operator precedence",
     "proc p: int -> bool {\n"
     "  on x {\n"
     "    emit a or b and not c == d + e * -f % g - h\n"
     "    emit not k in s\n"
     "    emit (a + b) * c\n"
     "    emit a >= b and a <= b or a != b\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name bool)\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (binary or (name a) (binary and (name b) (unary not (binary == (name c) (binary - (binary + (name d) (binary % (binary * (name e) (unary - (name f))) (name g))) (name h)))))))\n"
     "        (emit (unary not (binary in (name k) (name s))))\n"
     "        (emit (binary * (binary + (name a) (name b)) (name c)))\n"
     "        (emit (binary or (binary and (binary >= (name a) (name b)) (binary <= (name a) (name b))) (binary != (name a) (name b))))))))\n"},
    {"lambdas",
     "pipeline main {\n"
     "  stdin\n"
     "    | map(x => x)\n"
     "    | map((a, b) => a + b)\n"
     "    | map((x) => x)\n"
     "    | map(a => b => a)\n"
     "    | map(p => if p.1 > 0 then p.0 else \"\")\n"
     "    | stdout\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (call map (argument (lambda (name x) (name x)))) (call map (argument (lambda (name a) (name b) (binary + (name a) (name b))))) (call map (argument (lambda (name x) (name x)))) (call map (argument (lambda (name a) (lambda (name b) (name a))))) (call map (argument (lambda (name p) (conditional (binary > (field (name p) 1) (integer 0)) (field (name p) 0) (string \"\"))))) (name stdout))))\n"},
    {"calls: positional then named, empty, nested",
     "pipeline main {\n"
     "  stdin | sort(by: f, desc: true) | top(n, by: p => p.1) | uniq() | tee(file(\"x\")) | stdout\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main\n"
     "    (flow (name stdin) (call sort (argument by (name f)) (argument desc (boolean true))) (call top (argument (name n)) (argument by (lambda (name p) (field (name p) 1)))) (call uniq) (call tee (argument (call file (argument (string \"x\"))))) (name stdout))))\n"},
    {"tuples and lists",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    emit (1, (2, 3))\n"
     "    emit []\n"
     "    emit [1, 2, 3]\n"
     "    emit [(1, \"a\")]\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (tuple (integer 1) (tuple (integer 2) (integer 3))))\n"
     "        (emit (list))\n"
     "        (emit (list (integer 1) (integer 2) (integer 3)))\n"
     "        (emit (list (tuple (integer 1) (string \"a\"))))))))\n"},
    {"statements",
     "proc p: int -> int {\n"
     "  state m: {str: int}\n"
     "  state n = 0\n"
     "  state s: [int] = []\n"
     "  on x {\n"
     "    let y = x\n"
     "    n = 1\n"
     "    m[\"a\"] += 1\n"
     "    m[\"b\"] -= 2\n"
     "    t.0 *= 3\n"
     "    n /= 4\n"
     "    for v in s { emit v }\n"
     "    for k, v in m { emit v }\n"
     "    while n < 10 { n += 1 }\n"
     "    add(s, 1)\n"
     "  }\n"
     "  on end {\n"
     "  }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc p stateful (type-name int) (type-name int)\n"
     "    (state m (map-type (type-name str) (type-name int)))\n"
     "    (state n _ (integer 0))\n"
     "    (state s (list-type (type-name int)) (list))\n"
     "    (on x\n"
     "      (block\n"
     "        (let y (name x))\n"
     "        (assignment = (name n) (integer 1))\n"
     "        (assignment += (index (name m) (string \"a\")) (integer 1))\n"
     "        (assignment -= (index (name m) (string \"b\")) (integer 2))\n"
     "        (assignment *= (field (name t) 0) (integer 3))\n"
     "        (assignment /= (name n) (integer 4))\n"
     "        (for v (name s)\n"
     "          (block\n"
     "            (emit (name v))))\n"
     "        (for k v (name m)\n"
     "          (block\n"
     "            (emit (name v))))\n"
     "        (while (binary < (name n) (integer 10))\n"
     "          (block\n"
     "            (assignment += (name n) (integer 1))))\n"
     "        (expression-statement (call add (argument (name s)) (argument (integer 1))))))\n"
     "    (on end\n"
     "      (block))))\n"},
    {"types",
     "proc a(x: (int, str, bool), y: [float], z: {str: [int]}, w: {(int, int)}, v: (int)): int -> {str} {\n"
     "  on x { emit x }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc a stateful (parameter x (tuple-type (type-name int) (type-name str) (type-name bool))) (parameter y (list-type (type-name float))) (parameter z (map-type (type-name str) (list-type (type-name int)))) (parameter w (set-type (tuple-type (type-name int) (type-name int)))) (parameter v (type-name int)) (type-name int) (set-type (type-name str))\n"
     "    (on x\n"
     "      (block\n"
     "        (emit (name x))))))\n"},
    {"sources, sinks and a stateful sink",
     "proc nums: -> int = range(1, 10)\n"
     "proc show: str -> = stdout\n"
     "proc count_lines: str -> {\n"
     "  state n = 0\n"
     "  on x { n += 1 }\n"
     "}\n"
     "proc sets: str -> {str} {\n"
     "  on x { }\n"
     "}\n"
     "proc gen: -> int {\n"
     "  on end { emit 1 }\n"
     "}\n",
     "(file \"t.pipe\"\n"
     "  (proc nums composite _ (type-name int)\n"
     "    (flow (call range (argument (integer 1)) (argument (integer 10)))))\n"
     "  (proc show composite (type-name str) _\n"
     "    (flow (name stdout)))\n"
     "  (proc count_lines stateful (type-name str) _\n"
     "    (state n _ (integer 0))\n"
     "    (on x\n"
     "      (block\n"
     "        (assignment += (name n) (integer 1)))))\n"
     "  (proc sets stateful (type-name str) (set-type (type-name str))\n"
     "    (on x\n"
     "      (block)))\n"
     "  (proc gen stateful _ (type-name int)\n"
     "    (on end\n"
     "      (block\n"
     "        (emit (integer 1))))))\n"},
    {"extern procs",
     "extern proc rot13: str -> str from \"rot13.c\"\n"
     "extern proc shift(n: int = 13): str -> str from \"c/shift.c\"\n"
     "extern proc sink: str -> from \"s.c\"\n",
     "(file \"t.pipe\"\n"
     "  (extern-proc rot13 \"rot13.c\" (type-name str) (type-name str))\n"
     "  (extern-proc shift \"c/shift.c\" (parameter n (type-name int) (integer 13)) (type-name str) (type-name str))\n"
     "  (extern-proc sink \"s.c\" (type-name str) _))\n"},
    {"pipeline parameters",
     "pipeline main(pattern: str = \"ERROR\", n: int = 10, flag: bool) {\n"
     "  stdin | grep(pattern) | head(n) | stdout\n"
     "}\n"
     "pipeline other() { stdin | stdout }\n",
     "(file \"t.pipe\"\n"
     "  (pipeline main (parameter pattern (type-name str) (string \"ERROR\")) (parameter n (type-name int) (integer 10)) (parameter flag (type-name bool))\n"
     "    (flow (name stdin) (call grep (argument (name pattern))) (call head (argument (name n))) (name stdout)))\n"
     "  (pipeline other\n"
     "    (flow (name stdin) (name stdout))))\n"},
};

/* Programs with errors: the exact text `pipec check` prints for them. */
static const Case error_cases[] = {
    {"missing ')' names the opener",
     "pipeline main {\n"
     "    stdin | grep(\"x\" stdout\n"
     "}\n",
     "t.pipe:2:22: error: expected ')' to close '(' at 2:17, found 'stdout'\n"
     "    2 |     stdin | grep(\"x\" stdout\n"
     "      |                      ^~~~~~\n"},
    {"missing ')' at the end of a line",
     "pipeline main {\n"
     "    stdin | grep(\"x\"\n"
     "    lines(\"a\") | stdout\n"
     "}\n",
     "t.pipe:2:21: error: expected ')' to close '(' at 2:17, found end of line\n"
     "    2 |     stdin | grep(\"x\"\n"
     "      |                     ^\n"},
    {"missing ']'",
     "proc p: int -> int {\n"
     "  on x { emit [1, 2 x }\n"
     "}\n",
     "t.pipe:2:21: error: expected ']' to close '[' at 2:15, found 'x'\n"
     "    2 |   on x { emit [1, 2 x }\n"
     "      |                     ^\n"},
    {"missing '}' at the end of the file",
     "pipeline main {\n"
     "    stdin | stdout\n",
     "t.pipe:2:19: error: expected '}' to close '{' at 1:15, found end of file\n"
     "    2 |     stdin | stdout\n"
     "      |                   ^\n"},
    {"unterminated string",
     "pipeline main {\n"
     "    stdin | grep(\"ERROR) | stdout\n"
     "}\n",
     "t.pipe:2:18: error: unterminated string: expected '\"' before end of line\n"
     "    2 |     stdin | grep(\"ERROR) | stdout\n"
     "      |                  ^~~~~~~~~~~~~~~~\n"},
    {"unknown character",
     "pipeline main {\n"
     "    stdin | @ | stdout\n"
     "}\n",
     "t.pipe:2:13: error: unexpected character '@'\n"
     "    2 |     stdin | @ | stdout\n"
     "      |             ^\n"},
    {"a run of bad characters is one error, its control bytes escaped",
     "pipeline main {\n"
     "    stdin | $$~~ | upper \033\007 | @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ | stdout\n"
     "}\n",
     "t.pipe:2:13: error: unexpected characters '$$~~' (4 bytes)\n"
     "    2 |     stdin | $$~~ | upper \\x1b\\x07 | @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ | stdout\n"
     "      |             ^~~~\n"
     "t.pipe:2:26: error: unexpected characters '\\x1b\\x07' (2 bytes)\n"
     "    2 |     stdin | $$~~ | upper \\x1b\\x07 | @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ | stdout\n"
     "      |                          ^~~~~~~~\n"
     "t.pipe:2:31: error: unexpected characters '@@@@@@@@@@@@@@@@\xE2\x80\xA6' (40 bytes)\n"
     "    2 |     stdin | $$~~ | upper \\x1b\\x07 | @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ | stdout\n"
     "      |                                     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"},
    {"a character not ASCII is quoted as it is",
     "pipeline main {\n"
     "    stdin | \xC3\xA9 | stdout\n"
     "}\n",
     "t.pipe:2:13: error: unexpected character '\xC3\xA9'\n"
     "    2 |     stdin | \xC3\xA9 | stdout\n"
     "      |             ^\n"},
    {"unknown escape and bad \\x",
     "pipeline main {\n"
     "    stdin | grep(\"a\\qb\\x4z\") | stdout\n"
     "}\n",
     "t.pipe:2:20: error: unknown escape sequence '\\q' in string\n"
     "    2 |     stdin | grep(\"a\\qb\\x4z\") | stdout\n"
     "      |                    ^~\n"
     "t.pipe:2:23: error: expected two hex digits after '\\x'\n"
     "    2 |     stdin | grep(\"a\\qb\\x4z\") | stdout\n"
     "      |                       ^~\n"},
    {"integer out of range",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    emit 9223372036854775808\n"
     "    emit 99999999999999999999\n"
     "    emit x - 9223372036854775808\n"
     "  }\n"
     "}\n",
     "t.pipe:3:10: error: integer literal '9223372036854775808' out of range (the largest int is 9223372036854775807)\n"
     "    3 |     emit 9223372036854775808\n"
     "      |          ^~~~~~~~~~~~~~~~~~~\n"
     "t.pipe:4:10: error: integer literal '99999999999999999999' out of range (the largest int is 9223372036854775807)\n"
     "    4 |     emit 99999999999999999999\n"
     "      |          ^~~~~~~~~~~~~~~~~~~~\n"
     "t.pipe:5:14: error: integer literal '9223372036854775808' out of range (the largest int is 9223372036854775807)\n"
     "    5 |     emit x - 9223372036854775808\n"
     "      |              ^~~~~~~~~~~~~~~~~~~\n"},
    {"negating the smallest int (folded at compile time: no int holds the result)",
     "proc p: int -> int {\n"
     "  on x {\n"
     "    emit -(-9223372036854775808)\n"
     "  }\n"
     "}\n",
     "t.pipe:3:10: error: integer out of range (the largest int is 9223372036854775807)\n"
     "    3 |     emit -(-9223372036854775808)\n"
     "      |          ^~~~~~~~~~~~~~~~~~~~~~~\n"},
    {"positional argument after a named one",
     "pipeline main {\n"
     "    stdin | top(by: p => p.1, 10) | stdout\n"
     "}\n",
     "t.pipe:2:31: error: expected a named argument after 'by:', found a positional one (positional arguments come first)\n"
     "    2 |     stdin | top(by: p => p.1, 10) | stdout\n"
     "      |                               ^~\n"},
    {"bad lambda parameters",
     "pipeline main {\n"
     "    stdin | map(f(x) => x) | map((a, 1) => a) | stdout\n"
     "}\n",
     "t.pipe:2:17: error: expected parameter names before '=>', found a call\n"
     "    2 |     stdin | map(f(x) => x) | map((a, 1) => a) | stdout\n"
     "      |                 ^~~~\n"
     "t.pipe:2:38: error: expected parameter names before '=>', found an integer\n"
     "    2 |     stdin | map(f(x) => x) | map((a, 1) => a) | stdout\n"
     "      |                                      ^\n"},
    {"two errors in one file are both reported",
     "pipeline main {\n"
     "    stdin | grep(\"x\" stdout\n"
     "    lines(\"a\") | | stdout\n"
     "}\n"
     "proc p: int -> int {\n"
     "    on x { emit x + }\n"
     "}\n",
     "t.pipe:2:22: error: expected ')' to close '(' at 2:17, found 'stdout'\n"
     "    2 |     stdin | grep(\"x\" stdout\n"
     "      |                      ^~~~~~\n"
     "t.pipe:3:18: error: expected an expression, found '|'\n"
     "    3 |     lines(\"a\") | | stdout\n"
     "      |                  ^\n"
     "t.pipe:6:21: error: expected an expression, found '}'\n"
     "    6 |     on x { emit x + }\n"
     "      |                     ^\n"},
    {"a lexical error hides the syntax error it causes",
     "pipeline main {\n"
     "    stdin | grep(\"x\") $ | stdout\n"
     "    stdin stdout\n"
     "}\n",
     "t.pipe:2:23: error: unexpected character '$'\n"
     "    2 |     stdin | grep(\"x\") $ | stdout\n"
     "      |                       ^\n"
     "t.pipe:3:11: error: expected '|', '=' or end of line, found 'stdout'\n"
     "    3 |     stdin stdout\n"
     "      |           ^~~~~~\n"},
    {"recovery skips the bad statement's block",
     "proc p: int -> int {\n"
     "    on x {\n"
     "        if x > 1 2 {\n"
     "            emit = x\n"
     "        }\n"
     "        emit x +\n"
     "    }\n"
     "}\n"
     "pipeline main { stdin stdout }\n",
     "t.pipe:3:18: error: expected '{', found '2'\n"
     "    3 |         if x > 1 2 {\n"
     "      |                  ^\n"
     "t.pipe:7:5: error: expected an expression, found '}'\n"
     "    7 |     }\n"
     "      |     ^\n"
     "t.pipe:9:23: error: expected '|', '=' or end of line, found 'stdout'\n"
     "    9 | pipeline main { stdin stdout }\n"
     "      |                       ^~~~~~\n"},
    {"a literal left open at the end of its line",
     "proc p: str -> str {\n"
     "    on line {\n"
     "        let m = {\"a\": 1\n"
     "        let n = 2\n"
     "        emit line +\n"
     "    }\n"
     "}\n",
     "t.pipe:3:24: error: expected '}' to close '{' at 3:17, found end of line\n"
     "    3 |         let m = {\"a\": 1\n"
     "      |                        ^\n"
     "t.pipe:6:5: error: expected an expression, found '}'\n"
     "    6 |     }\n"
     "      |     ^\n"},
    {"recovery after an error in a type",
     "proc p: str -> str {\n"
     "    state s: {str int}\n"
     "    on x { emit x x }\n"
     "}\n",
     "t.pipe:2:19: error: expected '}' or ':', found 'int'\n"
     "    2 |     state s: {str int}\n"
     "      |                   ^~~\n"
     "t.pipe:3:19: error: expected end of line, found 'x'\n"
     "    3 |     on x { emit x x }\n"
     "      |                   ^\n"},
    {"missing separator between statements",
     "pipeline main {\n"
     "    stdin stdout\n"
     "}\n",
     "t.pipe:2:11: error: expected '|', '=' or end of line, found 'stdout'\n"
     "    2 |     stdin stdout\n"
     "      |           ^~~~~~\n"},
    {"stray '}'",
     "pipeline main { stdin | stdout }\n"
     "}\n"
     "proc\n",
     "t.pipe:2:1: error: unexpected '}' with no open '{'\n"
     "    2 | }\n"
     "      | ^\n"
     "t.pipe:3:5: error: expected a name, found end of file\n"
     "    3 | proc\n"
     "      |     ^\n"},
    {"not a declaration",
     "on x { emit x }\n"
     "let y = 2\n",
     "t.pipe:1:1: error: expected a declaration ('pipeline', 'proc', 'fn', 'record', 'extern' or 'import'), found 'on'\n"
     "    1 | on x { emit x }\n"
     "      | ^~\n"
     "t.pipe:2:1: error: expected a declaration ('pipeline', 'proc', 'fn', 'record', 'extern' or 'import'), found 'let'\n"
     "    2 | let y = 2\n"
     "      | ^~~\n"},
    {"bad assignment target",
     "proc p: int -> int {\n"
     "    on x { f(x) = 3 }\n"
     "}\n",
     "t.pipe:2:12: error: expected a name, 'x[k]' or 't.N' before '=', found a call\n"
     "    2 |     on x { f(x) = 3 }\n"
     "      |            ^~~~\n"},
    {"comparisons do not chain",
     "proc p: int -> bool {\n"
     "    on x { emit 1 < x < 3 }\n"
     "}\n",
     "t.pipe:2:23: error: expected end of line, found '<' (comparisons do not chain: use 'and')\n"
     "    2 |     on x { emit 1 < x < 3 }\n"
     "      |                       ^\n"},
    {"'&&', '!' and single quotes",
     "proc p: str -> bool {\n"
     "    on x { emit x == 'a' && !x }\n"
     "}\n",
     "t.pipe:2:22: error: strings are written in double quotes, found 'a'\n"
     "    2 |     on x { emit x == 'a' && !x }\n"
     "      |                      ^~~\n"
     "t.pipe:2:26: error: unexpected '&&' (use 'and')\n"
     "    2 |     on x { emit x == 'a' && !x }\n"
     "      |                          ^~\n"
     "t.pipe:2:29: error: unexpected '!' (use 'not')\n"
     "    2 |     on x { emit x == 'a' && !x }\n"
     "      |                             ^\n"},
    {"tabs are kept in the excerpt",
     "pipeline main {\n"
     "\tstdin |\t\tgrep(\"x\" stdout\n"
     "}\n",
     "t.pipe:2:20: error: expected ')' to close '(' at 2:15, found 'stdout'\n"
     "    2 | \tstdin |\t\tgrep(\"x\" stdout\n"
     "      | \t       \t\t         ^~~~~~\n"},
    {"a field is a number or a name",
     "proc p: str -> str {\n"
     "    on x { emit x.\"y\" }\n"
     "}\n",
     "t.pipe:2:19: error: expected a name or an integer, found \"y\"\n"
     "    2 |     on x { emit x.\"y\" }\n"
     "      |                   ^~~\n"},
    {"a missing proc signature",
     "proc p = trim\n"
     "proc q: str str = trim\n",
     "t.pipe:1:8: error: expected '(' or ':', found '='\n"
     "    1 | proc p = trim\n"
     "      |        ^\n"
     "t.pipe:2:13: error: expected '->', found 'str'\n"
     "    2 | proc q: str str = trim\n"
     "      |             ^~~\n"},
};

static void test_parse_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const Case *c = &parse_cases[i];
        char *dump, *diags;
        int errors = parse_src(c->src, &dump, &diags);
        if (errors || strcmp(dump, c->expect) != 0)
            print_error("case '%s':\n%s--- expected:\n%s--- got:\n%s", c->name, diags, c->expect, dump);
        assert_int_equal(errors, 0);
        assert_string_equal(dump, c->expect);
        free(dump);
        free(diags);
    }
}

static void test_error_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const Case *c = &error_cases[i];
        char *dump, *diags;
        int errors = parse_src(c->src, &dump, &diags);
        if (strcmp(diags, c->expect) != 0)
            print_error("case '%s':\n--- expected:\n%s--- got:\n%s", c->name, c->expect, diags);
        assert_string_equal(diags, c->expect);
        assert_true(errors > 0);
        free(dump);
        free(diags);
    }
}

/* Every node carries its span: file, line, column and byte range. */
static void test_locations(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, stderr);
    PipeArena a = {0};
    Program p;
    const char *src = "pipeline main {\n  s = stdin | grep(\"x\")\n}\n";
    assert_true(parse_program_text(&d, &a, "t.pipe", src, &p));
    assert_int_equal(d.errors, 0);
    Node *pl = p.files[0]->list.v[0];
    assert_int_equal(pl->kind, N_PIPELINE);
    assert_int_equal(pl->loc.line, 1); /* a declaration's span is its name */
    assert_int_equal(pl->loc.col, 10);
    Node *bind = pl->list.v[0];
    assert_int_equal(bind->kind, N_BIND);
    assert_int_equal(bind->loc.line, 2);
    assert_int_equal(bind->loc.col, 3);
    Node *flow = bind->a;
    assert_int_equal(flow->loc.col, 7);
    Node *call = flow->list.v[1];
    assert_int_equal(call->kind, N_CALL);
    assert_int_equal(call->loc.file, 0);
    assert_int_equal(call->loc.line, 2);
    assert_int_equal(call->loc.col, 15);
    assert_int_equal(call->loc.end - call->loc.off, (int)strlen("grep(\"x\")"));
    assert_memory_equal(src + call->loc.off, "grep(\"x\")", 9);
    assert_int_equal(flow->loc.end, call->loc.end);
    Node *arg = call->list.v[0]->a;
    assert_int_equal(arg->kind, N_STR);
    assert_int_equal(arg->loc.col, 20);
    assert_int_equal(arg->loc.end - arg->loc.off, 3);

    char *dump;
    size_t len;
    FILE *f = open_memstream(&dump, &len);
    ast_dump(bind, f, true);
    fclose(f);
    assert_string_equal(dump, "(binding@2:3 s (flow@2:7 (name@2:7 stdin) (call@2:15 grep (argument@2:20 (string@2:20 \"x\")))))\n");
    free(dump);
    diag_free(&d);
    pipe_arena_free(&a);
}

/* The text of a node's span in src. */
static char *span_text(const char *src, Loc l)
{
    return strndup(src + l.off, (size_t)(l.end - l.off));
}

/* A declaration's span runs from its keyword to its last token (fmt finds
 * the declaration and the comments above it by it); its loc stays its name. */
static void test_declaration_spans(void **state)
{
    (void)state;
    static const char *const decls[] = {
        "import \"lib.pipe\"",
        "proc up: str -> str = map(s => upper(s)) | trim",
        "proc n(k: int = 1): str -> int {\n    state c: int = 0\n    on s {\n        let t = c + k\n        c = t\n    }\n    on end { emit c }\n}",
        "extern proc rev(n: int): str -> str from \"rev.c\"",
        "pipeline main(x: int = 2) {\n    stdin | up | stdout\n}",
    };
    enum { N = sizeof decls / sizeof decls[0] };
    Diag d;
    diag_init(&d, stderr);
    PipeArena a = {0};
    const char *src =
        "# lead\n" "import \"lib.pipe\"\n\n"
        "proc up: str -> str = map(s => upper(s)) | trim   # after\n\n"
        "proc n(k: int = 1): str -> int {\n    state c: int = 0\n    on s {\n        let t = c + k\n        c = t\n    }\n    on end { emit c }\n}\n\n"
        "extern proc rev(n: int): str -> str from \"rev.c\"\n"
        "pipeline main(x: int = 2) {\n    stdin | up | stdout\n}\n";
    Node *file = parse_file(&d, &a, diag_add_file(&d, "t.pipe", src, strlen(src)));
    assert_int_equal(d.errors, 0);
    assert_int_equal(file->list.n, N);
    for (int i = 0; i < N; i++) {
        char *t = span_text(src, ast_span(file->list.v[i]));
        assert_string_equal(t, decls[i]);
        free(t);
    }
    Node *proc = file->list.v[2];
    char *name = span_text(src, proc->loc);
    assert_string_equal(name, "n");
    free(name);
    Node *st = proc->list.v[0], *let = proc->list.v[1]->a->list.v[0];
    char *ts = span_text(src, ast_span(st)), *tl = span_text(src, ast_span(let));
    assert_string_equal(ts, "state c: int = 0");
    assert_string_equal(tl, "let t = c + k");
    free(ts);
    free(tl);
    diag_free(&d);
    pipe_arena_free(&a);
}

/* Strings are decoded to bytes, NUL included. */
static void test_string_bytes(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, stderr);
    PipeArena a = {0};
    Program p;
    assert_true(parse_program_text(&d, &a, "t.pipe", "pipeline m { lines(\"a\\0b\\xFF\") | stdout }", &p));
    assert_int_equal(d.errors, 0);
    Node *s = p.files[0]->list.v[0]->list.v[0]->list.v[0]->list.v[0]->a;
    assert_int_equal(s->kind, N_STR);
    assert_int_equal(s->str.n, 4);
    assert_memory_equal(s->str.p, "a\0b\xFF", 4);
    diag_free(&d);
    pipe_arena_free(&a);
}

/* ------------------------------------------------------------------ imports */

static char tmpdir[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/pipec_test_parse_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/lib", tmpdir);
    return mkdir(sub, 0700);
}

static int teardown_dir(void **state)
{
    (void)state;
    const char *files[] = {"main.pipe", "lib/a.pipe", "b.pipe", "c1.pipe", "c2.pipe", "c3.pipe", "miss.pipe"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/lib", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
    return 0;
}

static int load(const char *rel, Program *p, PipeArena *a, Diag *d, char **diags)
{
    size_t len;
    FILE *g = open_memstream(diags, &len);
    diag_init(d, g);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    bool ok = parse_program(d, a, path, p);
    fflush(g);
    d->out = stderr;
    fclose(g);
    return ok ? d->errors : -1;
}

/* main imports lib/a.pipe and b.pipe; lib/a.pipe imports ../b.pipe: each file
 * is loaded once, main first, then in the order first imported. */
static void test_imports_once_main_first(void **state)
{
    (void)state;
    write_file("main.pipe", "import \"lib/a.pipe\"\nimport \"b.pipe\"\npipeline main { stdin | a | b | stdout }\n");
    write_file("lib/a.pipe", "import \"../b.pipe\"\nproc a: str -> str = b\n");
    write_file("b.pipe", "proc b: str -> str = trim\n");
    Diag d;
    PipeArena a = {0};
    Program p;
    char *diags;
    assert_int_equal(load("main.pipe", &p, &a, &d, &diags), 0);
    assert_string_equal(diags, "");
    assert_int_equal(p.nfiles, 3);
    char path[256];
    snprintf(path, sizeof path, "%s/main.pipe", tmpdir);
    assert_string_equal(diag_file(&d, p.files[0]->loc.file)->path, path);
    snprintf(path, sizeof path, "%s/lib/a.pipe", tmpdir);
    assert_string_equal(diag_file(&d, p.files[1]->loc.file)->path, path);
    snprintf(path, sizeof path, "%s/lib/../b.pipe", tmpdir);
    assert_string_equal(diag_file(&d, p.files[2]->loc.file)->path, path);
    /* an import's file_index is the index of the file it names */
    assert_int_equal(p.files[0]->list.v[0]->file_index, 1);
    assert_int_equal(p.files[0]->list.v[1]->file_index, 2);
    assert_int_equal(p.files[1]->list.v[0]->file_index, 2);
    free(diags);
    diag_free(&d);
    pipe_arena_free(&a);
}

static void test_import_cycle(void **state)
{
    (void)state;
    write_file("c1.pipe", "import \"c2.pipe\"\n");
    write_file("c2.pipe", "import \"c3.pipe\"\n");
    write_file("c3.pipe", "proc x: str -> str = trim\nimport \"c1.pipe\"\n");
    Diag d;
    PipeArena a = {0};
    Program p;
    char *diags;
    assert_int_equal(load("c1.pipe", &p, &a, &d, &diags), 1);
    assert_int_equal(p.nfiles, 3);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "%s/c3.pipe:2:8: error: import cycle: %s/c1.pipe imports %s/c2.pipe, which imports %s/c3.pipe, "
             "which imports %s/c1.pipe\n"
             "    2 | import \"c1.pipe\"\n"
             "      |        ^~~~~~~~~\n",
             tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
    assert_string_equal(diags, expect);
    free(diags);
    diag_free(&d);
    pipe_arena_free(&a);
}

static void test_import_missing(void **state)
{
    (void)state;
    write_file("miss.pipe", "import \"lib/nothere.pipe\"\npipeline main { stdin | stdout }\n");
    Diag d;
    PipeArena a = {0};
    Program p;
    char *diags;
    assert_int_equal(load("miss.pipe", &p, &a, &d, &diags), 1);
    assert_int_equal(p.nfiles, 1);
    assert_int_equal(p.files[0]->list.v[0]->file_index, -1);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "%s/miss.pipe:1:8: error: cannot read '%s/lib/nothere.pipe': No such file or directory\n"
             "    1 | import \"lib/nothere.pipe\"\n"
             "      |        ^~~~~~~~~~~~~~~~~~\n",
             tmpdir, tmpdir);
    assert_string_equal(diags, expect);
    free(diags);
    diag_free(&d);
    pipe_arena_free(&a);

    /* the main file itself: no position to show, nothing loaded */
    assert_int_equal(load("nope.pipe", &p, &a, &d, &diags), -1);
    char expect2[512];
    snprintf(expect2, sizeof expect2, "pipec: error: cannot read '%s/nope.pipe': No such file or directory\n", tmpdir);
    assert_string_equal(diags, expect2);
    free(diags);
    diag_free(&d);
    pipe_arena_free(&a);
}

/* Error recovery never crashes nor loses its footing: every prefix of every
 * program, and every program with one byte deleted, parses (under ASan in
 * `make asan`) into a well-formed tree. */
static void check_tree(const Node *n)
{
    if (!n)
        return;
    assert_true(n->kind < N__COUNT);
    assert_true(n->loc.off <= n->loc.end);
    for (int i = 0; i < n->list.n; i++) {
        assert_non_null(n->list.v[i]);
        check_tree(n->list.v[i]);
    }
    for (int i = 0; i < n->params.n; i++)
        check_tree(n->params.v[i]);
    check_tree(n->a);
    check_tree(n->b);
    check_tree(n->c);
}

static void parse_quietly(const char *src, size_t n)
{
    char *text = malloc(n + 1);
    memcpy(text, src, n);
    text[n] = '\0';
    FILE *sink = fopen("/dev/null", "w");
    Diag d;
    diag_init(&d, sink);
    PipeArena a = {0};
    Program p;
    bool ok = parse_program_text(&d, &a, "t.pipe", text, &p);
    assert_int_equal(ok, d.errors == 0);
    check_tree(p.files[0]);
    diag_free(&d);
    pipe_arena_free(&a);
    fclose(sink);
    free(text);
}

static void test_recovery_is_robust(void **state)
{
    (void)state;
    const Case *sets[] = {parse_cases, error_cases};
    size_t counts[] = {sizeof parse_cases / sizeof parse_cases[0], sizeof error_cases / sizeof error_cases[0]};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            const char *src = sets[s][i].src;
            size_t n = strlen(src);
            for (size_t k = 0; k <= n; k++)
                parse_quietly(src, k);
            char *cut = malloc(n + 1);
            for (size_t k = 0; k < n; k++) {
                memcpy(cut, src, k);
                memcpy(cut + k, src + k + 1, n - k);
                parse_quietly(cut, n - 1);
            }
            free(cut);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cases),
        cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_declaration_spans),
        cmocka_unit_test(test_string_bytes),
        cmocka_unit_test(test_imports_once_main_first),
        cmocka_unit_test(test_import_cycle),
        cmocka_unit_test(test_import_missing),
        cmocka_unit_test(test_recovery_is_robust),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
