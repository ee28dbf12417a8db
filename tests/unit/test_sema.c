/* test_sema.c — unit tests of the checker and the lowering to a DAG
 * (compiler/sema.c, builtins.c): program text in; exact diagnostics, or the
 * element types of named streams and the shape of the DAG, out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "builtins.h"
#include "embed.h"
#include "jit.h"
#include "sema.h"

/* Rows leave the fields they don't check out: that is what they mean. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* One program.  `expect` is what diag printed: NULL for nothing at all; when
 * it starts with "t.pipe:" the full text (source lines and carets included),
 * otherwise only the header lines, without the "t.pipe:" in front, e.g.
 * "3:5: error: ...".  For programs without errors, `streams` lists the element
 * type of each named stream of the picked pipeline ("a: str; b: (str, int)")
 * and `dag` its DAG, one node a line: "ID KIND NAME [<INPUT IDS]: IN -> OUT"
 * (NULL: not checked). */
typedef struct Case {
    const char *name;
    const char *src;
    const char *expect;
    const char *streams;
    const char *dag;
} Case;

#define OK NULL

/* ------------------------------------------------------------------ §5: the DAG rules */

static const Case dag_cases[] = {
    {"a flow without a sink",
     "pipeline main {\n"
     "    stdin | head(3)\n"
     "}\n",
     "2:5: error: this flow ends without a sink: end it with '| stdout' (or another sink) or bind it to a name\n"},
    {"a name bound twice (the first binding still works)",
     "pipeline main {\n"
     "    a = stdin\n"
     "    a = stdin | upper\n"
     "    a | stdout\n"
     "}\n",
     "3:5: error: 'a' is bound twice (first at 2:5)\n"},
    {"a name used before it is bound",
     "pipeline main {\n"
     "    b | stdout\n"
     "    b = stdin\n"
     "}\n",
     "2:5: error: stream 'b' is used before it is bound (at 3:5)\n"},
    {"a name used before it is bound, as a fan-in argument",
     "pipeline main {\n"
     "    merge(stdin, b) | stdout\n"
     "    b = stdin\n"
     "}\n",
     "2:5: error: stream 'b' is used before it is bound (at 3:5)\n"},
    {"a name defined in terms of itself",
     "pipeline main {\n"
     "    a = a | trim\n"
     "    a | stdout\n"
     "}\n",
     "2:5: error: cycle: 'a' is defined in terms of itself\n"},
    {"a cycle of two",
     "pipeline main {\n"
     "    x = y | trim\n"
     "    y = x | upper\n"
     "    x | stdout\n"
     "}\n",
     "2:5: error: cycle: 'x' and 'y' are defined in terms of each other\n"},
    {"a cycle of three",
     "pipeline main {\n"
     "    x = z | trim\n"
     "    y = x | upper\n"
     "    z = y | lower\n"
     "    x | stdout\n"
     "}\n",
     "2:5: error: cycle: 'x' and 'z' are defined in terms of each other\n"},
    {"a name bound but never used is a warning only",
     "pipeline main {\n"
     "    used = stdin\n"
     "    unused = used | trim\n"
     "    used | stdout\n"
     "}\n",
     "3:5: warning: stream 'unused' is bound but never used\n", "used: str; unused: str",
     "1 source stdin: -> str\n"
     "2 std trim <1: str -> str\n"
     "3 sink stdout <1: str ->\n"},
    {"every rule broken once: all reported, in order",
     "pipeline main {\n"
     "    a = stdin | upper\n"
     "    a = stdin | lower\n"
     "    b = c | trim\n"
     "    c = stdin\n"
     "    stdin | head(3)\n"
     "    unused = stdin | trim\n"
     "    x = y | trim\n"
     "    y = x | upper\n"
     "    a | stdout\n"
     "    b | stdout\n"
     "}\n",
     "3:5: error: 'a' is bound twice (first at 2:5)\n"
     "4:5: error: stream 'c' is used before it is bound (at 5:5)\n"
     "6:5: error: this flow ends without a sink: end it with '| stdout' (or another sink) or bind it to a name\n"
     "8:5: error: cycle: 'x' and 'y' are defined in terms of each other\n"
     "7:5: warning: stream 'unused' is bound but never used\n"},
    {"the full text of a DAG error",
     "pipeline main {\n"
     "    stdin | head(3)\n"
     "}\n",
     "t.pipe:2:5: error: this flow ends without a sink: end it with '| stdout' (or another sink) or bind it to a name\n"
     "    2 |     stdin | head(3)\n"
     "      |     ^~~~~~~~~~~~~~~\n"},
    {"a binding whose flow ends in a sink",
     "pipeline main {\n"
     "    a = stdin | stdout\n"
     "}\n",
     "2:5: error: 'a' is bound to a flow that ends in a sink, so it has no items\n"},
    {"nothing after a sink",
     "pipeline main {\n"
     "    stdin | stdout | upper\n"
     "}\n",
     "2:13: error: 'stdout' is a sink: it must end the flow\n"},
    {"a named stream can only start a flow",
     "pipeline main {\n"
     "    a = stdin\n"
     "    stdin | a | stdout\n"
     "}\n",
     "3:13: error: stream 'a' can only start a flow\n"},
    {"a source in the middle",
     "pipeline main {\n"
     "    stdin | stdin | stdout\n"
     "}\n",
     "2:13: error: 'stdin' is a source: it can only start a flow\n"},
    {"a processor cannot start a flow",
     "pipeline main {\n"
     "    upper | stdout\n"
     "}\n",
     "2:5: error: 'upper' needs an input: it cannot start a flow\n"},
    {"a fan-in in the middle",
     "pipeline main {\n"
     "    stdin | merge(stdin) | stdout\n"
     "}\n",
     "2:13: error: 'merge' takes its input streams as arguments: it must start a flow\n"},
    {"unknown stage; a function is not a stage",
     "pipeline main {\n"
     "    stdin | frob | stdout\n"
     "    stdin | len | stdout\n"
     "}\n",
     "2:13: error: unknown stage 'frob'\n"
     "3:13: error: 'len' is a function, not a stage here\n"},
    {"a parameter is a value, not a stage",
     "pipeline main(n: int = 1) {\n"
     "    stdin | n | stdout\n"
     "}\n",
     "2:13: error: 'n' is a value, not a stage\n"},
    {"a stream is not a value",
     "pipeline main {\n"
     "    a = stdin\n"
     "    a | map(s => a) | stdout\n"
     "}\n",
     "3:18: error: 'a' is a stream; it can be used in a flow but not as a value\n"},
    {"errors in a binding don't cascade to its uses",
     "pipeline main {\n"
     "    a = stdin | frob\n"
     "    a | upper | stdout\n"
     "    merge(a, stdin) | stdout\n"
     "}\n",
     "2:17: error: unknown stage 'frob'\n"},
    {"fan-out: a stream read by two flows",
     "pipeline main {\n"
     "    a = stdin\n"
     "    a | stdout\n"
     "    a | upper | stderr\n"
     "}\n",
     OK, "a: str",
     "1 source stdin: -> str\n"
     "2 sink stdout <1: str ->\n"
     "3 std upper <1: str -> str\n"
     "4 sink stderr <3: str ->\n"},
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
     OK, "",
     "1 source stdin: -> str\n"
     "2 std lower <1: str -> str\n"
     "3 std words <2: str -> str\n"
     "4 std count <3: str -> (str, int)\n"
     "5 std top <4: (str, int) -> (str, int)\n"
     "6 map map <5: (str, int) -> str\n"
     "7 sink stdout <6: str ->\n"},
    {"LANGUAGE.md 5: triage",
     "pipeline triage(log: str = \"access.log\") {\n"
     "    lines  = file(log)\n"
     "    errors = lines | grep(\"ERROR\")\n"
     "    warns  = lines | grep(\"WARN\")\n"
     "    merge(errors, warns) | file(\"problems.log\")\n"
     "    lines | count_items | map(n => \"total \" + str(n)) | stdout\n"
     "}\n",
     OK, "lines: str; errors: str; warns: str",
     "1 source file: -> str\n"
     "2 std grep <1: str -> str\n"
     "3 std grep <1: str -> str\n"
     "4 fanin merge <2,3: str -> str\n"
     "5 sink file <4: str ->\n"
     "6 std count_items <1: str -> int\n"
     "7 map map <6: int -> str\n"
     "8 sink stdout <7: str ->\n"},
    {"tee passes items on and feeds its sink",
     "pipeline main {\n"
     "    t = stdin | tee(stderr)\n"
     "    t | upper | stdout\n"
     "}\n",
     OK, "t: str",
     "1 source stdin: -> str\n"
     "2 pass tee <1: str -> str\n"
     "3 sink stderr <2: str ->\n"
     "4 std upper <2: str -> str\n"
     "5 sink stdout <4: str ->\n"},
    {"tee needs a sink",
     "pipeline main {\n"
     "    stdin | tee(upper) | stdout\n"
     "}\n",
     "2:17: error: tee's argument must be a sink such as file(\"x\") or stderr\n"},
    {"fan-ins: zip of two sources, concat of a stream and a source",
     "pipeline main {\n"
     "    z = zip(range(1, 3), stdin)\n"
     "    c = concat(stdin, file(\"x\"))\n"
     "    z | stdout\n"
     "    c | stdout\n"
     "}\n",
     OK, "z: (int, str); c: str",
     "1 source range: -> int\n"
     "2 source stdin: -> str\n"
     "3 fanin zip <1,2: - -> (int, str)\n"
     "4 source stdin: -> str\n"
     "5 source file: -> str\n"
     "6 fanin concat <4,5: str -> str\n"
     "7 sink stdout <3: (int, str) ->\n"
     "8 sink stdout <6: str ->\n"},
    {"fan-in arity and argument kinds",
     "pipeline main {\n"
     "    zip(stdin, stdin, stdin) | stdout\n"
     "    merge() | stdout\n"
     "    merge(stdin, 3) | stdout\n"
     "    merge(stdin, stdout) | stdout\n"
     "    concat(stdin, n: stdin) | stdout\n"
     "}\n",
     "2:5: error: zip takes two streams, found 3\n"
     "3:5: error: merge takes one or more streams, found 0\n"
     "4:18: error: expected a stream (a bound name or a source such as file(\"x\")), found integer\n"
     "5:18: error: 'stdout' is a sink: it must end the flow\n"
     "6:19: error: concat takes no named arguments\n"},
};

/* ------------------------------------------------------------------ §3: stream types */

static const Case type_cases[] = {
    {"count | top(n) without by: ranks by the item: a warning that says how to rank by the count",
     "pipeline main {\n"
     "    stdin | words | count | top(3) | stdout\n"
     "    stdin | words | count | top(3, by: p => p.1) | stdout\n"
     "    stdin | map(l => (l, 1)) | top(3) | stdout\n"
     "    stdin | words | count | map(p => p) | top(2) | stdout\n"
     "}\n",
     "2:29: warning: top without by: ranks count's (item, count) pairs by the item first, not by the count; "
     "to rank by the count write top(3, by: p => p.1)\n"},
    {"mismatch between two standard stages names both ends",
     "pipeline main {\n"
     "    range(1, 3) | upper | stdout\n"
     "    stdin | to_int | grep(\"x\") | stdout\n"
     "}\n",
     "2:19: error: type mismatch: 'upper' takes str, but 'range' at 2:5 produces int\n"
     "3:22: error: type mismatch: 'grep' takes str, but 'to_int' at 3:13 produces int\n"},
    {"mismatch after a named stream names the stage that produced it",
     "pipeline main {\n"
     "    a = range(1, 3)\n"
     "    a | trim | stdout\n"
     "}\n",
     "3:9: error: type mismatch: 'trim' takes str, but 'range' at 2:9 produces int\n"},
    {"mismatch into a user proc",
     "proc inc: int -> int {\n"
     "    on x { emit x + 1 }\n"
     "}\n"
     "pipeline main {\n"
     "    stdin | inc | stdout\n"
     "}\n",
     "5:13: error: type mismatch: 'inc' takes int, but 'stdin' at 5:5 produces str\n"},
    {"mismatch out of a user proc",
     "proc inc: int -> int {\n"
     "    on x { emit x + 1 }\n"
     "}\n"
     "pipeline main {\n"
     "    stdin | to_int | inc | upper | stdout\n"
     "}\n",
     "5:28: error: type mismatch: 'upper' takes str, but 'inc' at 5:22 produces int\n"},
    {"number stages need numbers; ordered stages need an order",
     "proc sets: str -> {str} {\n"
     "    state s: {str}\n"
     "    on x { add(s, x); emit s }\n"
     "}\n"
     "pipeline main {\n"
     "    stdin | sum | stdout\n"
     "    stdin | avg | stdout\n"
     "    stdin | sets | max | stdout\n"
     "    stdin | sets | distinct | stdout\n"
     "    stdin | sets | sort | stdout\n"
     "}\n",
     "6:13: error: type mismatch: 'sum' takes int or float, but 'stdin' at 6:5 produces str\n"
     "7:13: error: type mismatch: 'avg' takes int or float, but 'stdin' at 7:5 produces str\n"
     "8:20: error: type mismatch: 'max' takes values with an order, but 'sets' at 8:13 produces {str}\n"
     "9:20: error: type mismatch: 'distinct' takes values that can be compared, but 'sets' at 9:13 produces {str}\n"
     "10:20: error: sort needs keys with an order, found {str}\n"},
    {"all inputs of merge carry one type",
     "pipeline main {\n"
     "    merge(stdin, range(1, 2)) | stdout\n"
     "}\n",
     "2:18: error: all inputs of merge must carry one type: the first carries str, this one int\n"},
    {"generic stages keep or build their element types",
     "pipeline main {\n"
     "    h = range(1, 9) | head(2)\n"
     "    t = h | tail(1) | skip(0) | uniq | distinct | sort | sort(by: x => -x, desc: true)\n"
     "    c = stdin | count\n"
     "    cc = c | count\n"
     "    e = stdin | enumerate\n"
     "    z = zip(c, e)\n"
     "    m = merge(h, t)\n"
     "    n = stdin | count_items\n"
     "    f = range(1, 3) | map(i => to_float(i) / 2.0) | sum\n"
     "    a = range(1, 3) | avg\n"
     "    i = stdin | to_int | max\n"
     "    tp = c | top(2, by: p => p.1) | min\n"
     "    fm = stdin | flat_map(s => words(s)) | filter(w => w != \"\")\n"
     "    fo = c | format(\"{0}={1}\")\n"
     "    fl = stdin | to_float\n"
     "    ls = stdin | map(s => [s, s])\n"
     "    tu = stdin | map(s => (s, len(s), 1.5, true))\n"
     "    z1 = z | map(p => 1)\n"
     "    i2 = i | map(x => x * 2)\n"
     "    cc1 = cc | map(p => p.1)\n"
     "    tp1 = tp | map(p => p.1)\n"
     "    merge(z1, m, n, i2) | stdout\n"
     "    concat(f, a, fl) | stdout\n"
     "    merge(cc1, tp1) | stdout\n"
     "    merge(fm, fo) | stdout\n"
     "    ls | stdout\n"
     "    tu | stdout\n"
     "}\n",
     OK,
     "h: int; t: int; c: (str, int); cc: ((str, int), int); e: (int, str); z: ((str, int), (int, str)); m: int; "
     "n: int; f: float; a: float; i: int; tp: (str, int); fm: str; fo: str; fl: float; ls: [str]; "
     "tu: (str, int, float, bool); z1: int; i2: int; cc1: int; tp1: int"},
    {"a stream of lists or tuples is fine for distinct, sort and max",
     "pipeline main {\n"
     "    l = stdin | map(s => words(s)) | distinct | sort | max\n"
     "    l | stdout\n"
     "}\n",
     OK, "l: [str]"},
    {"stage arguments are typed",
     "pipeline main(n: str = \"x\") {\n"
     "    stdin | head(n) | stdout\n"
     "    stdin | grep(1) | stdout\n"
     "    stdin | sort(desc: 1) | stdout\n"
     "    stdin | field(\"a\", 1) | stdout\n"
     "    file(3) | stdout\n"
     "    stdin | head(s => s) | stdout\n"
     "}\n",
     "2:18: error: argument 'n' of 'head': expected int, found str\n"
     "3:18: error: argument 'regex' of 'grep': expected str, found int\n"
     "4:24: error: argument 'desc' of 'sort': expected bool, found int\n"
     "5:19: error: argument 'i' of 'field': expected int, found str\n"
     "5:24: error: argument 'sep' of 'field': expected str, found int\n"
     "6:10: error: argument 'path' of 'file': expected str, found int\n"
     "7:18: error: argument 'n' of 'head': expected a value, found a function\n"},
    {"binding stage arguments: too many, unknown name, twice, missing",
     "pipeline main {\n"
     "    stdin | head(1, 2) | stdout\n"
     "    stdin | sort(key: s => s) | stdout\n"
     "    stdin | top(3, n: 4) | stdout\n"
     "    stdin | head | stdout\n"
     "    stdin | top(by: s => s) | stdout\n"
     "}\n",
     "2:21: error: 'head' takes at most 1 argument, found 2\n"
     "3:18: error: 'sort' has no parameter named 'key'; did you mean 'by'?\n"
     "4:20: error: 'top': argument 'n' is given twice\n"
     "5:13: error: 'head' needs its argument 'n'\n"
     "6:13: error: 'top' needs its argument 'n'\n"},
    {"format's fields must exist",
     "pipeline main {\n"
     "    stdin | format(\"{0} {1}\") | stdout\n"
     "    stdin | count | format(\"{{2}} {1} {0}\") | stdout\n"
     "    stdin | count | format(\"{2}\") | stdout\n"
     "}\n",
     "2:20: error: format refers to field {1}, but the items (str) have 1 field\n"
     "4:28: error: format refers to field {2}, but the items ((str, int)) have 2 fields\n"},
};

/* ------------------------------------------------------------------ lambdas */

static const Case lambda_cases[] = {
    {"one parameter takes the whole item",
     "pipeline main {\n"
     "    a = stdin | count | map(p => p)\n"
     "    b = stdin | count | map(p => p.0)\n"
     "    a | stdout\n"
     "    b | stdout\n"
     "}\n",
     OK, "a: (str, int); b: str"},
    {"n parameters take the fields of an n-tuple",
     "pipeline main {\n"
     "    a = stdin | count | map((w, n) => w + \"=\" + str(n))\n"
     "    b = stdin | count | enumerate | map((i, p) => p.1 + i)\n"
     "    c = stdin | map(s => (s, 1, true)) | filter((s, i, b) => b and i > 0)\n"
     "    a | stdout\n"
     "    b | stdout\n"
     "    c | stdout\n"
     "}\n",
     OK, "a: str; b: int; c: (str, int, bool)"},
    {"the wrong number of parameters",
     "pipeline main {\n"
     "    stdin | map((a, b) => a) | stdout\n"
     "    stdin | count | map((a, b, c) => a) | stdout\n"
     "    stdin | count | sort(by: (a, b, c) => a) | stdout\n"
     "}\n",
     "2:17: error: this function takes 2 parameters, but the items are str (a tuple of 2 would fit)\n"
     "3:25: error: this function takes 3 parameters, but the items are (str, int) (a tuple of 3 would fit)\n"
     "4:30: error: this function takes 3 parameters, but the items are (str, int) (a tuple of 3 would fit)\n"},
    {"map, filter and flat_map want a function",
     "pipeline main {\n"
     "    stdin | map(upper) | stdout\n"
     "    stdin | filter(\"x\") | stdout\n"
     "}\n",
     "2:17: error: 'map' expects a function such as 'x => ...', found name\n"
     "2:17: error: 'upper' is a function or stage, not a value\n"
     "3:20: error: 'filter' expects a function such as 'x => ...', found string\n"},
    {"what the function returns",
     "pipeline main {\n"
     "    stdin | filter(s => len(s)) | stdout\n"
     "    stdin | flat_map(s => s) | stdout\n"
     "    stdin | map(s => []) | stdout\n"
     "    stdin | sort(by: s => keys(m)) | stdout\n"
     "}\n",
     "2:20: error: filter's function must return bool, found int\n"
     "3:22: error: flat_map's function must return a list, found str\n"
     "4:17: error: map's function must return a value of a known type, found []\n"
     "5:32: error: unknown name 'm'\n"},
    {"the body is type-checked",
     "pipeline main {\n"
     "    stdin | map(s => s + 1) | stdout\n"
     "    stdin | map(s => s.0) | stdout\n"
     "    stdin | map(s => x) | stdout\n"
     "}\n",
     "2:22: error: operator '+' joins two strs or adds two numbers, found str and int (convert with str(...))\n"
     "3:22: error: field .0 needs a tuple, found str\n"
     "4:22: error: unknown name 'x'\n"},
    {"lambdas see pipeline parameters; a function is not a value elsewhere",
     "pipeline main(k: str = \"x\") {\n"
     "    a = stdin | filter(s => s == k)\n"
     "    a | stdout\n"
     "}\n"
     "proc p: str -> str {\n"
     "    on x { let f = v => v\n emit x }\n"
     "}\n",
     "6:20: error: a function is only allowed as an argument of a stage such as map or filter\n"},
};

/* ------------------------------------------------------------------ proc bodies */

static const Case proc_cases[] = {
    {"LANGUAGE.md 4: the stateful procs",
     "proc running_total: int -> int {\n"
     "    state total = 0\n"
     "    on x {\n"
     "        total += x\n"
     "        emit total\n"
     "    }\n"
     "}\n"
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
     "proc histogram: int -> (int, int) {\n"
     "    state buckets: {int: int}\n"
     "    on x { buckets[x / 10 * 10] += 1 }\n"
     "    on end {\n"
     "        for k, v in buckets { emit (k, v) }\n"
     "    }\n"
     "}\n"
     "pipeline main {\n"
     "    h = stdin | dedupe_by(1, \",\") | to_int | running_total | histogram\n"
     "    h | stdout\n"
     "}\n",
     OK, "h: (int, int)",
     "1 source stdin: -> str\n"
     "2 proc dedupe_by <1: str -> str\n"
     "3 std to_int <2: str -> int\n"
     "4 proc running_total <3: int -> int\n"
     "5 proc histogram <4: int -> (int, int)\n"
     "6 sink stdout <5: (int, int) ->\n"},
    {"state: with a type, an initial value, both; not neither",
     "proc p: str -> str {\n"
     "    state a: [int]\n"
     "    state b = 1.5\n"
     "    state c: [str] = []\n"
     "    state d: int = \"x\"\n"
     "    state e\n"
     "    state f = []\n"
     "    state a = 1\n"
     "    on x { emit x }\n"
     "}\n",
     "5:20: error: state initial value: expected int, found str\n"
     "6:11: error: state 'e' needs a type or an initial value\n"
     "7:11: error: state 'f' needs a type: its initial value is an empty list\n"
     "8:11: error: 'a' is already defined in this proc\n"},
    {"emit must produce the proc's OUT; a sink proc has none",
     "proc p: str -> int {\n"
     "    on x { emit x }\n"
     "}\n"
     "proc q: str -> {\n"
     "    on x { emit x }\n"
     "}\n"
     "proc r: str -> float {\n"
     "    on x { emit 1 }\n"
     "}\n",
     "2:17: error: emit: expected int, found str\n"
     "5:12: error: this proc is a sink: it has no output to emit to\n"},
    {"on blocks: one for items, at most one 'on end', none for items of a source",
     "proc p: str -> str {\n"
     "    on end { }\n"
     "    on end { }\n"
     "}\n"
     "proc q: -> str {\n"
     "    on x { emit x }\n"
     "    on end { emit \"done\" }\n"
     "}\n"
     "proc r: str -> str {\n"
     "    on x { emit x }\n"
     "    on y { emit y }\n"
     "}\n",
     "3:5: error: proc 'p' has two 'on end' blocks\n"
     "1:6: error: proc 'p' has no 'on NAME { ... }' block for its items\n"
     "6:5: error: proc 'q' has no input: it cannot have an 'on x' block\n"
     "11:5: error: proc 'r' has two 'on' blocks for its items\n"},
    {"on start: once per proc, may emit, is not an item handler",
     "proc p: str -> str {\n"
     "    on start { emit \"head\" }\n"
     "    on start { emit 1 }\n"
     "    on line { emit line }\n"
     "}\n"
     "proc q: str -> str {\n"
     "    on start { emit start }\n"
     "}\n",
     "3:5: error: proc 'p' has two 'on start' blocks\n"
     "3:21: error: emit: expected str, found int\n"
     "7:21: error: unknown name 'start'\n"
     "6:6: error: proc 'q' has no 'on NAME { ... }' block for its items\n"},
    {"for over a list, a set and a map; for k, v only over a map",
     "proc p: str -> str {\n"
     "    state s: {str}\n"
     "    state m: {str: int}\n"
     "    on x {\n"
     "        for w in words(x) { emit w }\n"
     "        for w in s { emit w }\n"
     "        for k, v in m { emit k + str(v) }\n"
     "        for k in m { emit k }\n"
     "        for k, v in words(x) { emit k }\n"
     "        for c in x { emit c }\n"
     "        for i in 5 { emit i }\n"
     "    }\n"
     "}\n",
     "9:9: error: 'for k, v in ...' needs a map, found [str]\n"
     "10:18: error: 'for' needs a list, set or map, found str\n"
     "11:18: error: 'for' needs a list, set or map, found int\n"},
    {"map entries and list elements can be assigned; parameters cannot",
     "proc p(n: int, sep: str): str -> str {\n"
     "    state m: {str: int}\n"
     "    state l: [str]\n"
     "    on x {\n"
     "        m[x] += 1\n"
     "        m[x] = n\n"
     "        l[0] = x\n"
     "        x = \"y\"\n"
     "        n = 1\n"
     "        sep += \",\"\n"
     "        emit x\n"
     "    }\n"
     "}\n",
     "9:9: error: cannot assign to parameter 'n'\n"
     "10:9: error: cannot assign to parameter 'sep'\n"
     },
    {"compound assignment types",
     "proc p: str -> str {\n"
     "    state t = 0\n"
     "    state f = 0.0\n"
     "    state s = \"\"\n"
     "    on x {\n"
     "        t += \"a\"\n"
     "        s += 1\n"
     "        s += x\n"
     "        t += 1.5\n"
     "        f += 1\n"
     "        t *= 2\n"
     "        s -= \"a\"\n"
     "        t = 1.5\n"
     "        f = 1\n"
     "        emit s\n"
     "    }\n"
     "}\n",
     "6:9: error: '+=' needs numbers, found int and str\n"
     "7:14: error: '+=' on a str needs a str, found int\n"
     "9:14: error: cannot store a float into an int (convert with to_int)\n"
     "12:9: error: '-=' needs numbers, found str and str\n"
     "13:13: error: assignment: expected int, found float\n"},
    {"let, blocks and scopes",
     "proc p: str -> str {\n"
     "    on x {\n"
     "        let k = 1\n"
     "        let k = 2\n"
     "        if true { let k = \"inner\"; emit k }\n"
     "        let v = add(s, 1)\n"
     "        let e = []\n"
     "        emit y\n"
     "    }\n"
     "}\n",
     "4:13: error: 'k' is already defined in this block\n"
     "6:21: error: unknown name 's'\n"
     "7:17: error: cannot tell the type of an empty list: write 'let e: [str] = []', with its element type\n"
     "8:14: error: unknown name 'y'\n"},
    {"conditions are bool; expression statements are calls",
     "proc p: str -> str {\n"
     "    state seen: {str}\n"
     "    on x {\n"
     "        if x { emit x }\n"
     "        while 1 { emit x }\n"
     "        if x == \"a\" { emit x } else if len(x) { emit x }\n"
     "        words(x)[0]\n"
     "        add(seen, x)\n"
     "        let v = add(seen, x)\n"
     "    }\n"
     "}\n",
     "4:12: error: condition: expected bool, found str\n"
     "5:15: error: condition: expected bool, found int\n"
     "6:40: error: condition: expected bool, found int\n"
     "7:9: warning: this expression's value is not used\n"
     "9:17: error: this call returns no value\n"},
    {"expressions: fields, indexes, in, comparisons, logic, if, lists",
     "proc p: str -> str {\n"
     "    state m: {str: int}\n"
     "    on x {\n"
     "        let t = (1, \"a\")\n"
     "        let a = t.5\n"
     "        let b = x[0]\n"
     "        let c = words(x)[\"a\"]\n"
     "        let d = m[1]\n"
     "        let e = 1 in x\n"
     "        let f = \"a\" in 5\n"
     "        let g = 1 in m\n"
     "        let h = x < 1\n"
     "        let i = x and true\n"
     "        let j = not 1\n"
     "        let k = if true then 1 else \"a\"\n"
     "        let l = [1, \"a\"]\n"
     "        let n = 1.5 % 2\n"
     "        let o = -x\n"
     "        let q = m < m\n"
     "        let r = m == m\n"
     "        emit x\n"
     "    }\n"
     "}\n",
     "5:17: error: a tuple (int, str) has no field 5 (it has 2)\n"
     "6:17: error: only lists and maps can be indexed, found str\n"
     "7:26: error: list index: expected int, found str\n"
     "8:19: error: map key: expected str, found int\n"
     "9:17: error: 'in' looks for a str in a str, found int\n"
     "10:24: error: 'in' needs a map, set, list or str on its right, found int\n"
     "11:17: error: 'in' looks for str in {str: int}, found int\n"
     "12:17: error: cannot compare str with int\n"
     "13:17: error: operator 'and' needs bool, found str\n"
     "14:21: error: 'not' needs bool, found int\n"
     "15:17: error: the branches of 'if' differ: int and str\n"
     "16:21: error: list elements must have one type: expected int, found str\n"
     "17:17: error: operator '%' needs ints, found float and int\n"
     "18:18: error: unary '-' needs a number, found str\n"
     "19:17: error: values of type {str: int} have no order\n"
     "20:17: error: values of type {str: int} cannot be compared\n"},
    {"well-typed expressions: promotion, in, if, min/max, containers",
     "proc p: str -> (int, float, bool, str) {\n"
     "    state m: {str: {str: int}}\n"
     "    state l: [(str, int)]\n"
     "    on x {\n"
     "        let a = 1 + 2 * 3 - 4 / 2 % 3\n"
     "        let f = 1 + 2.5\n"
     "        let g = if len(x) > 1 then 1 else 2.5\n"
     "        let b = x in \"abc\" or \"a\" in words(x) or x in m or x in keys(m)\n"
     "        m[x][x] += 1\n"
     "        add(l, (x, a))\n"
     "        let mm = min(1, 2.5) + max(a, 3) + abs(-2)\n"
     "        let ms = min(x, \"b\") + max(\"a\", x)\n"
     "        let e = [] == words(x)\n"
     "        emit (a + len(l) + len(m) + m[x][x], f + g + mm, b and e, ms + substr(x, -1) + join(keys(m), \",\"))\n"
     "    }\n"
     "}\n",
     OK},
};

/* ------------------------------------------------------------------ builtin functions */

static const Case builtin_cases[] = {
    {"every function with arguments of the wrong types",
     "proc p: str -> str {\n"
     "    state st: {str}\n"
     "    state mp: {str: int}\n"
     "    on x {\n"
     "        let l = words(x)\n"
     "        let a1 = len(5)\n"
     "        let a2 = upper(1)\n"
     "        let a3 = contains(x, 1)\n"
     "        let a4 = find(1, \"a\")\n"
     "        let a5 = substr(x, \"1\")\n"
     "        let a6 = substr(x, 1, \"2\")\n"
     "        let a7 = replace(x, \"a\", 1)\n"
     "        let a8 = split(x, 1)\n"
     "        let a9 = words(1)\n"
     "        let b1 = field(x, \"a\", \"b\")\n"
     "        let b2 = join(x, \",\")\n"
     "        let b3 = to_int(true)\n"
     "        let b4 = to_float(true)\n"
     "        let b5 = str([])\n"
     "        let b6 = abs(\"a\")\n"
     "        let b7 = min(\"a\", 1)\n"
     "        let b8 = max(st, st)\n"
     "        add(5, 1)\n"
     "        add(st, 1)\n"
     "        remove(l, x)\n"
     "        remove(mp, 1)\n"
     "        let b9 = keys(l)\n"
     "        let c1 = matches(x, 1)\n"
     "        let c2 = starts_with(1, x)\n"
     "        let c3 = ends_with(x, 2)\n"
     "        let c4 = trim(l)\n"
     "        let c5 = lower(1.5)\n"
     "        let c6 = find_all(1, x)\n"
     "        add(l, 1)\n"
     "        emit x\n"
     "    }\n"
     "}\n",
     "6:18: error: len needs a str, list, map or set, found int\n"
     "7:18: error: argument 1 of upper must be str, found int\n"
     "8:18: error: argument 2 of contains must be str, found int\n"
     "9:18: error: argument 1 of find must be str, found int\n"
     "10:18: error: argument 2 of substr must be int, found str\n"
     "11:18: error: argument 3 of substr must be int, found str\n"
     "12:18: error: argument 3 of replace must be str, found int\n"
     "13:18: error: argument 2 of split must be str, found int\n"
     "14:18: error: argument 1 of words must be str, found int\n"
     "15:18: error: argument 2 of field must be int, found str\n"
     "16:18: error: join needs a list, found str\n"
     "17:18: error: to_int needs a str or a float, found bool\n"
     "18:18: error: to_float needs a str or an int, found bool\n"
     "19:18: error: str needs a value of a known type, found []\n"
     "20:18: error: abs needs a number, found str\n"
     "21:18: error: min needs two values of one type, found str and int\n"
     "22:18: error: max needs values with an order, found {str}\n"
     "23:9: error: add needs a set or a list, found int\n"
     "24:9: error: add to {str} needs a str, found int\n"
     "25:9: error: remove needs a set or a map, found [str]\n"
     "26:9: error: remove from {str: int} needs a str, found int\n"
     "27:18: error: keys needs a map or a set, found [str]\n"
     "28:18: error: argument 2 of matches must be str, found int\n"
     "29:18: error: argument 1 of starts_with must be str, found int\n"
     "30:18: error: argument 2 of ends_with must be str, found int\n"
     "31:18: error: argument 1 of trim must be str, found [str]\n"
     "32:18: error: argument 1 of lower must be str, found float\n"
     "33:18: error: argument 1 of find_all must be str, found int\n"
     "34:9: error: add to [str] needs a str, found int\n"},
    {"the right types for every function",
     "proc p: str -> str {\n"
     "    state st: {str}\n"
     "    state mp: {str: int}\n"
     "    on x {\n"
     "        let l = words(x)\n"
     "        add(st, x)\n"
     "        add(l, x)\n"
     "        remove(st, x)\n"
     "        remove(mp, x)\n"
     "        let n = len(x) + len(l) + len(st) + len(mp) + find(x, \"a\") + to_int(x) + to_int(1.5) + abs(-1)\n"
     "        let b = contains(x, \"a\") and starts_with(x, \"a\") and ends_with(x, \"a\") and matches(x, \"a+\")\n"
     "        let f = to_float(x) + to_float(n) + abs(-1.5) + min(1.5, 2) + max(n, 2)\n"
     "        let s = upper(x) + lower(x) + trim(x) + substr(x, 1) + substr(x, 1, 2) + replace(x, \"a\", \"b\")\n"
     "        let t = join(split(x, \",\"), \";\") + join(find_all(x, \"[0-9]+\"), \"\") + field(x, 0, \",\")\n"
     "        let u = str(n) + str(f) + str(b) + str(l) + str((1, \"a\")) + str(keys(st)) + str(keys(mp))\n"
     "        emit s + t + u + min(x, \"b\")\n"
     "    }\n"
     "}\n",
     OK},
    {"argument counts, named and function arguments; stages and unknown functions",
     "proc p: str -> str {\n"
     "    on x {\n"
     "        let a = len()\n"
     "        let b = substr(x)\n"
     "        let c = len(x, x)\n"
     "        let d = len(s: x)\n"
     "        let e = len(s => s)\n"
     "        let f = grep(x)\n"
     "        let g = frob(x)\n"
     "        let h = upper\n"
     "        emit x\n"
     "    }\n"
     "}\n",
     "3:17: error: function 'len' takes 1 argument, found 0; missing 'x': len(x: str | [T] | {K: V} | {T}) -> int\n"
     "4:17: error: function 'substr' takes 2 to 3 arguments, found 1; missing 'start': substr(s: str, start: int, "
     "length: int?) -> str\n"
     "5:17: error: function 'len' takes 1 argument, found 2; 1 too many: len(x: str | [T] | {K: V} | {T}) -> int\n"
     "6:21: error: function 'len' takes no named arguments\n"
     "7:21: error: function 'len' takes no function arguments\n"
     "8:17: error: 'grep' is a stage: use it in a flow after '|'\n"
     "9:17: error: unknown function 'frob'\n"
     "10:17: error: 'upper' is a function or stage, not a value\n"},
};

/* ------------------------------------------------------------------ regexes (§6) */

static const Case regex_cases[] = {
    {"bad regex literals are compile errors at the string",
     "pipeline main {\n"
     "    stdin | grep(\"(\") | stdout\n"
     "    stdin | grep_v(\"[a\") | stdout\n"
     "    stdin | replace(\"a{2,1}\", \"x\") | stdout\n"
     "    stdin | find_all(\"*\") | stdout\n"
     "    stdin | filter(s => matches(s, \"a)\")) | stdout\n"
     "    stdin | map(s => replace(s, \"(?<\", \"\")) | stdout\n"
     "    stdin | flat_map(s => find_all(s, \"\\\\\")) | stdout\n"
     "}\n",
     "2:18: error: invalid regular expression at offset 1: missing closing parenthesis\n"
     "3:20: error: invalid regular expression at offset 2: missing terminating ] for character class\n"
     "4:21: error: invalid regular expression at offset 5: numbers out of order in {} quantifier\n"
     "5:22: error: invalid regular expression at offset 0: quantifier does not follow a repeatable item\n"
     "6:36: error: invalid regular expression at offset 1: unmatched closing parenthesis\n"
     "7:33: error: invalid regular expression at offset 3: subpattern name expected\n"
     "8:39: error: invalid regular expression at offset 1: \\ at end of pattern\n"},
    {"grep_f takes a literal; a regex in a parameter is checked at run time",
     "pipeline main(re: str = \"(\") {\n"
     "    stdin | grep_f(\"(\") | grep(re) | replace(\"(a)\", \"\\\\1\") | stdout\n"
     "}\n",
     OK, "",
     "1 source stdin: -> str\n"
     "2 std grep_f <1: str -> str\n"
     "3 std grep <2: str -> str\n"
     "4 std replace <3: str -> str\n"
     "5 sink stdout <4: str ->\n"},
    {"the full text points at the string",
     "pipeline main {\n"
     "    stdin | grep(\"a(b\") | stdout\n"
     "}\n",
     "t.pipe:2:18: error: invalid regular expression at offset 3: missing closing parenthesis\n"
     "    2 |     stdin | grep(\"a(b\") | stdout\n"
     "      |                  ^~~~~\n"},
};

/* ------------------------------------------------------------------ parameters */

static const Case param_cases[] = {
    {"pipeline parameters are scalars with literal defaults of their type",
     "pipeline main(a: [int], b: int = \"x\", c: int = 1 + 2, d: float = 1, e: bool = true, f: str, a: str) {\n"
     "    stdin | stdout\n"
     "}\n",
     "1:18: error: a pipeline parameter must be str, int, float or bool, found [int]\n"
     "1:34: error: default value: expected int, found str\n"
     "1:48: error: a parameter's default must be a literal\n"
     "1:93: error: parameter 'a' is declared twice\n"},
    {"proc parameters: defaults of their type, any type",
     "proc p(n: int = \"x\", xs: [str] = [], m: int = 2): str -> str = head(n)\n"
     "pipeline main {\n"
     "    stdin | p | stdout\n"
     "}\n",
     "1:17: error: default value: expected int, found str\n"},
    {"proc arguments are checked against the parameters",
     "proc level(tag: str, n: int = 1): str -> str = filter(s => contains(s, \"[\" + tag + \"]\")) | head(n)\n"
     "pipeline main {\n"
     "    stdin | level(1) | stdout\n"
     "    stdin | level | stdout\n"
     "    stdin | level(\"a\", 2, 3) | stdout\n"
     "    stdin | level(\"a\", m: 2) | stdout\n"
     "    stdin | level(n: 2, tag: \"x\") | stdout\n"
     "    stdin | level(\"a\", n: s => s) | stdout\n"
     "}\n",
     "3:19: error: argument 'tag' of proc 'level': expected str, found int\n"
     "4:13: error: proc 'level' needs its argument 'tag'\n"
     "5:27: error: proc 'level' takes at most 2 arguments, found 3\n"
     "6:24: error: proc 'level' has no parameter named 'm'\n"
     "8:27: error: argument 'n' of proc 'level': expected a value, found a function\n"},
    {"parameters are seen by stage arguments and lambdas",
     "pipeline main(n: int = 3, pat: str = \"x\", neg: bool = false, f: float = 0.5) {\n"
     "    stdin | grep(pat) | head(n) | sort(desc: neg) | map(s => to_float(len(s)) * f) | stdout\n"
     "}\n",
     OK, ""},
    {"a pipeline parameter cannot take the name of an option of every run or of pipec run",
     "pipeline main(stats: bool, trace: str = \"\", version: int = 1, progress: bool, help: bool, tracer: str = \"\",\n"
     "              timeout: int = 1, safe: bool = false, sandbox: bool = false) {\n"
     "    stdin | stdout\n"
     "}\n",
     "1:15: error: parameter 'stats' has the name of the run option --stats; rename it\n"
     "1:28: error: parameter 'trace' has the name of the run option --trace; rename it\n"
     "1:45: error: parameter 'version' has the name of the run option --version; rename it\n"
     "1:63: error: parameter 'progress' has the name of the run option --progress; rename it\n"
     "1:79: error: parameter 'help' has the name of the run option --help; rename it\n"
     "2:15: error: parameter 'timeout' has the name of the run option --timeout; rename it\n"
     "2:33: error: parameter 'safe' has the name of the pipec option --safe; rename it\n"
     "2:53: error: parameter 'sandbox' has the name of the pipec option --sandbox; rename it\n"},
};

/* ------------------------------------------------------------------ composite procs */

static const Case composite_cases[] = {
    {"a composite proc is expanded into the DAG",
     "proc clean: str -> str = trim | filter(s => s != \"\")\n"
     "proc level(tag: str): str -> str = filter(s => contains(s, \"[\" + tag + \"]\"))\n"
     "pipeline main {\n"
     "    c = stdin | clean | level(\"E\") | clean\n"
     "    c | stdout\n"
     "}\n",
     OK, "c: str",
     "1 source stdin: -> str\n"
     "2 std trim <1: str -> str\n"
     "3 filter filter <2: str -> str\n"
     "4 filter filter <3: str -> str\n"
     "5 std trim <4: str -> str\n"
     "6 filter filter <5: str -> str\n"
     "7 sink stdout <6: str ->\n"},
    {"composite sources and sinks",
     "proc src: -> str = stdin | trim\n"
     "proc out: str -> = upper | stdout\n"
     "pipeline main {\n"
     "    src | out\n"
     "}\n",
     OK, "",
     "1 source stdin: -> str\n"
     "2 std trim <1: str -> str\n"
     "3 std upper <2: str -> str\n"
     "4 sink stdout <3: str ->\n"},
    {"declared type against the flow's type",
     "proc a: str -> int = upper\n"
     "proc b: str -> str = stdout\n"
     "proc c: str -> = upper\n"
     "proc d: int -> str = upper\n"
     "proc e: str -> (str, int) = count\n",
     "1:22: error: proc 'a' is declared to produce int, but its flow produces str\n"
     "2:22: error: proc 'b' is declared to produce str, but its flow ends in a sink\n"
     "3:18: error: proc 'c' is declared as a sink, but its flow does not end in one\n"
     "4:22: error: type mismatch: 'upper' takes str, but the input of proc 'd' produces int\n"},
    {"a proc that uses itself",
     "proc p: str -> str = trim | p\n"
     "pipeline main {\n"
     "    stdin | p | stdout\n"
     "}\n",
     "1:29: error: proc 'p' uses itself\n"},
    {"composite procs in the wrong places",
     "proc c: str -> str = trim\n"
     "proc src: -> str = stdin\n"
     "proc snk: str -> = stdout\n"
     "pipeline main {\n"
     "    c | stdout\n"
     "    stdin | src | stdout\n"
     "    stdin | snk | upper | stdout\n"
     "    range(1, 2) | c | stdout\n"
     "}\n",
     "5:5: error: proc 'c' takes str items: it cannot start a flow\n"
     "6:13: error: proc 'src' is a source: it can only start a flow\n"
     "7:13: error: proc 'snk' is a sink: it must end the flow\n"
     "8:19: error: type mismatch: 'c' takes str, but 'range' at 8:5 produces int\n"},
    {"proc names: twice, or a standard stage's",
     "proc p: str -> str = trim\n"
     "proc p: str -> str = upper\n"
     "proc head: str -> str = trim\n",
     "2:6: error: proc 'p' is declared twice (first at t.pipe:1:6)\n"
     "3:6: error: proc 'head' has the name of a standard stage\n"},
    /* the checker only needs the C file to be readable: /dev/null is */
    {"extern procs need both types, and a readable C file",
     "extern proc rot13: str -> str from \"/dev/null\"\n"
     "extern proc bad: str -> from \"/dev/null\"\n"
     "extern proc gone: str -> str from \"/nonexistent/gone.c\"\n"
     "pipeline main {\n"
     "    stdin | rot13 | stdout\n"
     "}\n",
     "2:13: error: an extern proc needs both an input and an output type\n"
     "3:13: error: extern proc 'gone': cannot read '/nonexistent/gone.c': No such file or directory\n"},
    {"an extern proc is one DAG node",
     "extern proc rot13: str -> str from \"/dev/null\"\n"
     "pipeline main {\n"
     "    stdin | rot13 | stdout\n"
     "}\n",
     OK, "",
     "1 source stdin: -> str\n"
     "2 extern rot13 <1: str -> str\n"
     "3 sink stdout <2: str ->\n"},
    {"unknown types",
     "proc p: string -> (int, nat) {\n"
     "    on x { }\n"
     "}\n",
     "1:9: error: unknown type 'string' (expected str, int, float, bool, a record, a tuple, [T], {K: V}, {T} or T?)\n"
     "1:25: error: unknown type 'nat' (expected str, int, float, bool, a record, a tuple, [T], {K: V}, {T} or T?)\n"},
    {"sets and maps need hashable keys",
     "proc p: str -> str {\n"
     "    state a: {{str}}\n"
     "    state b: {{str: int}: int}\n"
     "    state c: {[str]: int}\n"
     "    on x { emit x }\n"
     "}\n",
     "2:15: error: a set element cannot be of type {str}\n"
     "3:15: error: a map key cannot be of type {str: int}\n"},
};

/* Regressions: bugs these tests found, fixed since.  An expectation starting
 * with '~' only needs to appear among the header lines. */
static const Case regression_cases[] = {
    /* Fixed bug 1: composite procs that use each other are accepted: the inner "uses
     * itself" error is raised while s->quiet > 0 (re-lowering), so nothing is
     * reported, sema_check succeeds, and `pipec run` prints nothing, exit 0. */
    /* Checking reports every error: a use of a composite proc with errors of
     * its own is checked by its declared types, and the flow goes on (it
     * stopped there while instances were checked again, quietly). */
    {"the flow after a composite proc with errors is checked",
     "proc b: str -> str = frob\n"
     "proc a: str -> str = b | to_int\n",
     "1:22: error: unknown stage 'frob'\n"
     "2:22: error: proc 'a' is declared to produce str, but its flow produces int\n"},
    {"composite procs that use each other",
     "proc p: str -> str = trim | q\n"
     "proc q: str -> str = upper | p\n"
     "pipeline main {\n"
     "    stdin | p | stdout\n"
     "}\n",
     "2:30: error: proc 'p' uses itself\n"},
    /* Fixed bug 2: a declared type with an unknown part cascades: "declared to
     * produce (int, <error>)" after the unknown type was reported. */
    {"an unknown type inside a tuple does not cascade",
     "proc p: string -> (int, nat) = trim\n",
     "1:9: error: unknown type 'string' (expected str, int, float, bool, a record, a tuple, [T], {K: V}, {T} or T?)\n"
     "1:25: error: unknown type 'nat' (expected str, int, float, bool, a record, a tuple, [T], {K: V}, {T} or T?)\n"},
    /* Fixed bug 3: inside a composite proc the first stage's producer is named as
     * the proc itself: "'upper' takes str, but 'd' at 4:6 produces int", yet
     * d produces str; it is d's input that is int. */
    {"a mismatch at the start of a composite names the proc's input",
     "proc d: int -> str = upper\n",
     "~1:22: error: type mismatch: 'upper' takes str, but the input of proc 'd'"},
    /* Fixed bug 4: the empty list literal fits any list (type_fits), but add() on a
     * list of lists rejects it: "add to [[int]] needs a [int], found []". */
    {"add([]) to a list of lists",
     "proc p: str -> str {\n"
     "    state l: [[int]]\n"
     "    on x { add(l, []); emit x }\n"
     "}\n",
     OK},
    /* Fixed bug 5: a stream named like a pipeline parameter is reported as "bound
     * twice (first at 1:15)", pointing at the parameter, and then every use
     * adds "'n' is a value, not a stage". */
    {"a stream named like a parameter",
     "pipeline main(n: int = 1) {\n"
     "    n = stdin\n"
     "    n | stdout\n"
     "}\n",
     "2:5: error: 'n' is a parameter of pipeline 'main': a stream needs another name\n"},
    /* Fixed bug 6 (found by fuzz_parse): a name bound again and again in terms
     * of itself made the cycle search try every path (exponential: eight
     * bindings took minutes), and each later binding of a name repeated the
     * error, as "'y' and 'y' are defined in terms of each other". */
    {"a name bound many times in terms of itself",
     "pipeline main {\n"
     "    x = y | trim\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    y = y | upper\n"
     "    x | stdout\n"
     "}\n",
     "2:5: error: stream 'y' is used before it is bound (at 3:5)\n"
     "3:5: error: cycle: 'y' is defined in terms of itself\n"
     "4:5: error: cycle: 'y' is defined in terms of itself\n"
     "5:5: error: cycle: 'y' is defined in terms of itself\n"
     "6:5: error: cycle: 'y' is defined in terms of itself\n"
     "7:5: error: cycle: 'y' is defined in terms of itself\n"
     "8:5: error: cycle: 'y' is defined in terms of itself\n"
     "9:5: error: cycle: 'y' is defined in terms of itself\n"
     "10:5: error: cycle: 'y' is defined in terms of itself\n"
     "11:5: error: cycle: 'y' is defined in terms of itself\n"
     "12:5: error: cycle: 'y' is defined in terms of itself\n"},
    {"a cycle through a name bound twice is reported once",
     "pipeline main {\n"
     "    x = y | trim\n"
     "    y = stdin\n"
     "    y = x | upper\n"
     "    x | stdout\n"
     "}\n",
     "2:5: error: cycle: 'x' and 'y' are defined in terms of each other\n"
     "4:5: error: 'y' is bound twice (first at 3:5)\n"},
};

/* ------------------------------------------------------------------ the harness */

typedef struct Result {
    char *diags;  /* everything diag printed */
    char *heads;  /* its header lines, without "t.pipe:" */
    char *streams;
    char *dag;
    bool ok;
} Result;

static const char *kind_name(StageKind k)
{
    static const char *const names[] = {"source", "sink", "std", "map", "filter", "flat_map", "proc", "extern",
                                        "fanin", "pass"};
    return (int)k >= 0 && (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static void dump_dag(PipeArena *a, const Dag *dag, FILE *f)
{
    for (int i = 0; i < dag->n; i++) {
        const DagNode *n = dag->nodes[i];
        const char *nm = n->decl ? n->decl->name : n->std ? n->std : "?";
        fprintf(f, "%d %s %s", n->id, kind_name(n->kind), nm);
        for (int j = 0; j < n->nins; j++)
            fprintf(f, "%s%d", j ? "," : " <", n->ins[j].from->id);
        fprintf(f, ":%s%s ->", n->in || n->kind == SK_FANIN ? " " : "", n->in ? type_name(a, n->in) : n->kind == SK_FANIN ? "-" : "");
        if (n->out)
            fprintf(f, " %s", type_name(a, n->out));
        fputc('\n', f);
    }
}

/* Keeps the header lines ("t.pipe:L:C: kind: message") of text, without "t.pipe:". */
static char *headers(const char *text)
{
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!strncmp(p, "t.pipe:", 7))
            fprintf(f, "%.*s\n", (int)(n - 7), p + 7);
        else if (!strncmp(p, "pipec:", 6))
            fprintf(f, "%.*s\n", (int)n, p);
        p += n + (e ? 1 : 0);
    }
    fclose(f);
    return out;
}

/* Parses, checks and (without errors) picks and lowers pipeline `pick`. */
static Result run_sema(const char *src, const char *pick, char **picked)
{
    Result r = {0};
    size_t len;
    FILE *gf = open_memstream(&r.diags, &len);
    Diag d;
    diag_init(&d, gf);
    d.max_errors = 0; /* a table row may check more errors than a run prints */
    PipeArena a = {0};
    Program p;
    bool parsed = parse_program_text(&d, &a, "t.pipe", src, &p);
    fflush(gf);
    if (!parsed)
        fail_msg("syntax errors in the test program:\n%s", r.diags);
    Sema s;
    r.ok = sema_check(&s, &d, &a, &p);
    assert_int_equal(r.ok, d.errors == 0);
    char *st = NULL, *dg = NULL;
    size_t stl, dgl;
    FILE *sf = open_memstream(&st, &stl);
    FILE *df = open_memstream(&dg, &dgl);
    if (r.ok && s.npipelines > 0) {
        Node *pl = sema_pick(&s, pick);
        if (picked)
            *picked = pl ? strdup(pl->name) : NULL;
        if (pl) {
            Dag dag;
            sema_lower(&s, pl, &dag);
            assert_ptr_equal(dag.pipeline, pl);
            bool first = true;
            for (int i = 0; i < pl->list.n; i++) {
                Node *b = pl->list.v[i];
                if (b->kind != N_BIND)
                    continue;
                fprintf(sf, "%s%s: %s", first ? "" : "; ", b->name, type_name(&a, b->type));
                first = false;
            }
            dump_dag(&a, &dag, df);
            /* every node comes after its inputs, and ids follow creation order */
            for (int i = 0; i < dag.n; i++) {
                assert_int_equal(dag.nodes[i]->id, i + 1);
                for (int j = 0; j < dag.nodes[i]->nins; j++)
                    assert_true(dag.nodes[i]->ins[j].from->id < dag.nodes[i]->id);
            }
        }
    }
    fclose(sf);
    fclose(df);
    fclose(gf);
    r.streams = st;
    r.dag = dg;
    r.heads = headers(r.diags);
    diag_free(&d);
    pipe_arena_free(&a);
    return r;
}

static void result_free(Result *r)
{
    free(r->diags);
    free(r->heads);
    free(r->streams);
    free(r->dag);
}

/* PIPEC_TEST_PRINT=1 prints what each case got (to write new cases). */
static void run_cases(const Case *cases, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        const Case *c = &cases[i];
        Result r = run_sema(c->src, NULL, NULL);
        bool full = c->expect && !strncmp(c->expect, "t.pipe:", 7);
        const char *got = full ? r.diags : r.heads;
        bool bad = c->expect && c->expect[0] == '~' ? !strstr(got, c->expect + 1) || r.ok
                                                     : strcmp(got, c->expect ? c->expect : "") != 0;
        if (!c->expect || !strstr(c->expect, "error:"))
            bad |= !r.ok;
        if (c->streams && strcmp(r.streams, c->streams))
            bad = true;
        if (c->dag && strcmp(r.dag, c->dag))
            bad = true;
        if (bad || getenv("PIPEC_TEST_PRINT")) {
            fprintf(stderr, "%s case '%s':\n--- expected:\n%s--- got:\n%s--- streams: expected '%s', got '%s'\n"
                        "--- dag expected:\n%s--- dag got:\n%s\n",
                        bad ? "FAILED" : "ok", c->name, c->expect ? c->expect : "", got,
                        c->streams ? c->streams : "(unchecked)", r.streams, c->dag ? c->dag : "(unchecked)\n",
                        r.dag);
            failed += bad;
        }
        result_free(&r);
    }
    assert_int_equal(failed, 0);
}

#define RUN(table)                                                                                                     \
    static void test_##table(void **state)                                                                             \
    {                                                                                                                  \
        (void)state;                                                                                                   \
        run_cases(table, sizeof table / sizeof table[0]);                                                              \
    }
RUN(dag_cases)
RUN(type_cases)
RUN(lambda_cases)
RUN(proc_cases)
RUN(builtin_cases)
RUN(regex_cases)
RUN(param_cases)
RUN(composite_cases)
RUN(regression_cases)

/* ------------------------------------------------------------------ sema_pick */

typedef struct PickCase {
    const char *name;
    const char *src;
    const char *pick;   /* --pipeline NAME, or NULL */
    const char *expect; /* the picked pipeline's name, or the exact message */
} PickCase;

#define PL(n) "pipeline " n " { stdin | stdout }\n"

static const PickCase pick_cases[] = {
    {"the only pipeline", PL("only"), NULL, "only"},
    {"main among others", PL("a") PL("main") PL("b"), NULL, "main"},
    {"main first", PL("main") PL("b"), NULL, "main"},
    {"several without main",
     PL("a") PL("b") PL("c"), NULL,
     "pipec: error: the script declares 3 pipelines and none is called 'main': choose one with --pipeline NAME\n"},
    {"none", "proc p: str -> str = trim\n", NULL, "pipec: error: the script declares no pipeline to run\n"},
    {"--pipeline picks another", PL("main") PL("other"), "other", "other"},
    {"--pipeline picks main by name", PL("main") PL("other"), "main", "main"},
    {"--pipeline picks one of several without main", PL("a") PL("b"), "b", "b"},
    {"--pipeline with an unknown name", PL("main") PL("other"), "nope", "pipec: error: no pipeline named 'nope' (the script has: main, other)\n"},
    {"--pipeline with no pipelines", "", "main", "pipec: error: no pipeline named 'main' (the script has: none)\n"},
};

static void test_pick(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pick_cases / sizeof pick_cases[0]; i++) {
        const PickCase *c = &pick_cases[i];
        size_t len;
        char *out;
        FILE *gf = open_memstream(&out, &len);
        Diag d;
        diag_init(&d, gf);
        PipeArena a = {0};
        Program p;
        assert_true(parse_program_text(&d, &a, "t.pipe", c->src, &p));
        Sema s;
        assert_true(sema_check(&s, &d, &a, &p));
        Node *pl = sema_pick(&s, c->pick);
        fclose(gf);
        const char *got = pl ? pl->name : out;
        if (strcmp(got, c->expect))
            fail_msg("case '%s': expected '%s', got '%s'", c->name, c->expect, got);
        assert_int_equal(d.errors, pl ? 0 : 1);
        diag_free(&d);
        pipe_arena_free(&a);
        free(out);
    }
}

/* Pipelines of imported files are not run unless --pipeline names them; their
 * procs are usable. */
static void test_pick_with_import(void **state)
{
    (void)state;
    char dir[] = "/tmp/pipec_test_sema_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char lib[300], src[600];
    snprintf(lib, sizeof lib, "%s/lib.pipe", dir);
    FILE *f = fopen(lib, "w");
    assert_non_null(f);
    fputs("proc shout: str -> str = upper\npipeline libmain { stdin | shout | stdout }\n", f);
    fclose(f);
    const struct {
        const char *body, *pick, *expect;
    } rows[] = {
        {"pipeline mine { stdin | shout | stdout }\n", NULL, "mine"},
        {"proc p: str -> str = trim\n", NULL, "pipec: error: the script declares no pipeline to run\n"},
        {"pipeline mine { stdin | shout | stdout }\n", "libmain", "libmain"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        snprintf(src, sizeof src, "import \"%s\"\n%s", lib, rows[i].body);
        size_t len;
        char *out;
        FILE *gf = open_memstream(&out, &len);
        Diag d;
        diag_init(&d, gf);
        PipeArena a = {0};
        Program p;
        assert_true(parse_program_text(&d, &a, "t.pipe", src, &p));
        assert_int_equal(p.nfiles, 2);
        Sema s;
        assert_true(sema_check(&s, &d, &a, &p));
        Node *pl = sema_pick(&s, rows[i].pick);
        fclose(gf);
        assert_string_equal(pl ? pl->name : out, rows[i].expect);
        diag_free(&d);
        pipe_arena_free(&a);
        free(out);
    }
    unlink(lib);
    rmdir(dir);
}

/* Checking annotates the tree in named fields, one meaning each: a for loop's
 * key and value symbols (its c stays empty for tree walks), a declaration's
 * symbol, a stage's facts, a proc's and a pipeline's info, and the literal
 * fields (bool, field index, `on start`). */
static void test_annotations(void **state)
{
    (void)state;
    const char *src = "proc hist: (int, bool) -> (int, int) {\n"
                      "    state buckets: {int: int}\n"
                      "    on start {}\n"
                      "    on x {\n"
                      "        buckets[x.0] += 1\n"
                      "    }\n"
                      "    on end {\n"
                      "        for k, v in buckets {\n"
                      "            emit (k, v)\n"
                      "        }\n"
                      "    }\n"
                      "}\n"
                      "pipeline main {\n"
                      "    stdin | map(s => (len(s), true)) | hist | map(p => str(p.1)) | stdout\n"
                      "}\n";
    Diag d;
    diag_init(&d, stderr);
    PipeArena a = {0};
    Program p;
    assert_true(parse_program_text(&d, &a, "t.pipe", src, &p));
    Sema s;
    assert_true(sema_check(&s, &d, &a, &p));
    Node *proc = p.files[0]->list.v[0], *pl = p.files[0]->list.v[1];
    assert_non_null(proc->proc);
    assert_non_null(pl->pipe);
    Node *state_ = proc->list.v[0], *start = proc->list.v[1], *on = proc->list.v[2], *end = proc->list.v[3];
    assert_string_equal(state_->sym->name, "buckets");
    assert_true(start->on_start);
    assert_false(end->on_start);
    assert_string_equal(on->sym->name, "x");
    Node *field = on->a->list.v[0]->a->b;
    assert_int_equal(field->kind, N_FIELD);
    assert_int_equal(field->field, 0);
    Node *loop = end->a->list.v[0];
    assert_int_equal(loop->kind, N_FOR);
    assert_string_equal(loop->sym->name, "k");
    assert_string_equal(loop->value_sym->name, "v");
    assert_null(loop->c);
    Node *flow = pl->list.v[0];
    for (int i = 0; i < flow->list.n; i++)
        assert_non_null(flow->list.v[i]->fact);
    Node *lam = flow->list.v[1]->list.v[0]->a;
    assert_string_equal(lam->list.v[0]->sym->name, "s");
    assert_true(lam->a->list.v[1]->bval);
    diag_free(&d);
    pipe_arena_free(&a);
}

/* The REPL and the tests check many programs in one process: no state leaks
 * from one sema_check to the next (ids, procs). */
static void test_repeatable(void **state)
{
    (void)state;
    const char *src = dag_cases[0].src;
    Result r1 = run_sema(composite_cases[0].src, NULL, NULL);
    Result r2 = run_sema(src, NULL, NULL);
    Result r3 = run_sema(composite_cases[0].src, NULL, NULL);
    assert_true(r1.ok);
    assert_false(r2.ok);
    assert_true(r3.ok);
    assert_string_equal(r1.dag, r3.dag);
    assert_string_equal(r1.streams, r3.streams);
    result_free(&r1);
    result_free(&r2);
    result_free(&r3);
}

/* ------------------------------------------------------------------ the table of stages and functions */

static bool in_symtab(const char *name)
{
    for (const PipeSymbol *y = pipe_symtab; y->name; y++)
        if (!strcmp(y->name, name))
            return true;
    return false;
}

/* Whether the embedded runtime header declares name as a static inline
 * function (those reach the JIT as source, not through the symbol table). */
static bool inline_in_header(const char *name)
{
    char decl[128];
    snprintf(decl, sizeof decl, " %s(", name);
    for (const PipeEmbedded *f = pipe_embedded; f->path; f++) {
        if (strcmp(f->path, "runtime/pipe.h") && strcmp(f->path, "stdlib/pipe_std.h"))
            continue;
        for (const char *p = strstr(f->text, decl); p; p = strstr(p + 1, decl)) {
            const char *line = p;
            while (line > f->text && line[-1] != '\n')
                line--;
            if (!strncmp(line, "static inline ", 14))
                return true;
        }
    }
    return false;
}

/* Every row names a constructor or C function the runtime has, so a row
 * with a wrong name fails here and not as "the generated C did not compile";
 * a default only for an optional argument; an emit hook exactly when the row
 * says its constructor takes what the hook writes. */
static void test_table_rows(void **state)
{
    (void)state;
    int n;
    const StdStage *st = std_stages(&n);
    for (int i = 0; i < n; i++) {
        if (!in_symtab(st[i].ctor))
            fail_msg("stage %s: no runtime function %s", st[i].name, st[i].ctor);
        for (int a = 0; a < st[i].required; a++)
            if (st[i].arg_defaults[a])
                fail_msg("stage %s: a default for its required argument %s", st[i].name, st[i].arg_names[a]);
        if ((st[i].pass == CA_HOOK) != (st[i].emit != NULL))
            fail_msg("stage %s: CA_HOOK without an emit hook, or a hook the row does not call", st[i].name);
    }
    const Builtin *b = builtins_all(&n);
    for (int i = 0; i < n; i++) {
        if (b[i].cfn && !in_symtab(b[i].cfn) && !inline_in_header(b[i].cfn))
            fail_msg("function %s: no runtime function %s", b[i].name, b[i].cfn);
        if (!b[i].emit && !b[i].cfn)
            fail_msg("function %s: neither an emit hook nor a C function", b[i].name);
        if (b[i].min_args < b[i].max_args && !b[i].emit && !b[i].missing)
            fail_msg("function %s: no C for its optional argument", b[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dag_cases),
        cmocka_unit_test(test_type_cases),
        cmocka_unit_test(test_lambda_cases),
        cmocka_unit_test(test_proc_cases),
        cmocka_unit_test(test_builtin_cases),
        cmocka_unit_test(test_regex_cases),
        cmocka_unit_test(test_param_cases),
        cmocka_unit_test(test_composite_cases),
        cmocka_unit_test(test_regression_cases),
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_pick_with_import),
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_repeatable),
        cmocka_unit_test(test_table_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
