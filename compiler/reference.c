/* reference.c — the reference of the standard stages and functions.  The
 * signature of a stage comes from its row in builtins.c; what a row cannot
 * say (what it does, in a line, and an example with its output) is written
 * here, one entry per row.  `pipec help --check` fails when a row has no entry
 * or an entry no row, or when a function's written signature disagrees with
 * its row (argument counts, the types a row fixes); tests/run_reference.sh
 * runs every example and compares its output, and checks docs/reference.md. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtins.h"
#include "pipe.h"
#include "rt_impl.h"
#include "reference.h"

typedef struct RefDoc {
    const char *name;
    const char *role;  /* "source", "sink", "processor", "fan-in" or "function" */
    const char *sig;   /* functions: the signature, parameters named */
    const char *doc;   /* what it does, in a sentence or two */
    const char *flow;  /* the example: the body of `pipeline main { ... }` */
    const char *in;    /* its standard input */
    const char *out;   /* what it prints */
    const char *decls; /* declarations before the pipeline, or NULL */
    const char *file;  /* a file the example reads (a source: made first, holding
                        * file_text) or writes (a sink: holding file_text after) */
    const char *file_text;
    const char *types; /* a stage: what flows in and out, where its row says
                        * only "T -> T" and a function or type argument decides */
} RefDoc;

#define FN "function"
#define PROC "processor"
#define ROW_DECL "record Row {\n    name: str\n    n: int\n}\n"

static const RefDoc docs[] = {
    /* ---------------------------------------------------------- sources */
    {.name = "stdin", .role = "source",
     .doc = "The lines of the standard input, without their newlines; or of the files named after the options "
     "(`pipec run f.pipe FILE...`), one after another (`-`: standard input; `.gz` files read decompressed).",
     .flow = "stdin | stdout", .in = "a\nb\n", .out = "a\nb\n"},
    {.name = "file", .role = "source",
     .doc = "The lines of the file at path (a source when first in a flow); a name ending in `.gz` is read "
     "decompressed.", .flow = "file(\"notes.txt\") | stdout", .in = "", .out = "one\ntwo\n", .file = "notes.txt",
     .file_text = "one\ntwo\n"},
    {.name = "files", .role = "source",
     .doc = "The lines of every file the glob matches, one file after another in sorted order; with `names: true`, "
     "(path, line) pairs.", .flow = "files(\"*.log\", names: true) | stdout", .in = "", .out = "a.log\tone\n",
     .file = "a.log", .file_text = "one\n"},
    {.name = "range", .role = "source", .doc = "The ints from `from` up to, not including, `to` (as Python's range).",
     .flow = "range(1, 4) | stdout", .in = "", .out = "1\n2\n3\n"},
    {.name = "lines", .role = "source", .doc = "The lines of a text written in the script.",
     .flow = "lines(\"x\\ny\") | stdout", .in = "", .out = "x\ny\n"},
    /* ------------------------------------------------------------ sinks */
    {.name = "stdout", .role = "sink",
     .doc = "Writes each item on a line of the standard output: a str as it is, a number in decimal, a tuple's "
     "fields between tabs.", .flow = "stdin | map(l => (l, len(l))) | stdout", .in = "ab\n", .out = "ab\t2\n"},
    {.name = "stderr", .role = "sink", .doc = "Writes each item on a line of the standard error.",
     .flow = "stdin | tee(stderr) | map(l => \"seen \" + l) | stdout", .in = "x\n", .out = "seen x\n"},
    {.name = "file", .role = "sink",
     .doc = "Writes each item on a line of the file at path, which is replaced when the run ends (a sink when last "
     "in a flow).", .flow = "stdin | upper | file(\"out.txt\")", .in = "a\nb\n", .out = "", .file = "out.txt",
     .file_text = "A\nB\n"},
    {.name = "append", .role = "sink", .doc = "Adds each item as a line at the end of the file at path.",
     .flow = "stdin | append(\"log.txt\")", .in = "new\n", .out = "", .file = "log.txt", .file_text = "new\n"},
    {.name = "file_by", .role = "sink",
     .doc = "Writes each item to the file that path_of(item) names (awk's `print > $1 \".log\"`): each file emptied "
     "when the run first opens it; at most 256 open at once.",
     .flow = "stdin | file_by(l => field(l, 0, \" \") + \".log\")", .in = "a 1\nb 2\na 3\n", .out = "",
     .file = "a.log", .file_text = "a 1\na 3\n"},
    {.name = "append_by", .role = "sink",
     .doc = "Adds each item at the end of the file that path_of(item) names (awk's `print >> $1 \".log\"`).",
     .flow = "stdin | append_by(l => field(l, 0, \" \") + \".log\")", .in = "a 1\nb 2\na 3\n", .out = "",
     .file = "b.log", .file_text = "b 2\n"},
    {.name = "discard", .role = "sink", .doc = "Drops every item (for a flow run for its other outputs).",
     .flow = "stdin | tee(stdout) | discard", .in = "a\n", .out = "a\n"},
    /* ------------------------------------------------ processors of text */
    {.name = "grep", .role = PROC, .doc = "The lines that the regex (PCRE) matches somewhere.",
     .flow = "stdin | grep(\"^[0-9]+$\") | stdout", .in = "12\nab\n7\n", .out = "12\n7\n"},
    {.name = "grep_v", .role = PROC, .doc = "The lines that the regex does not match.",
     .flow = "stdin | grep_v(\"^#\") | stdout", .in = "# note\nkept\n", .out = "kept\n"},
    {.name = "grep_f", .role = PROC,
     .doc = "The lines that hold the literal text (no regex: `+`, `.` and `(` are themselves).",
     .flow = "stdin | grep_f(\"c++\") | stdout", .in = "g++\nlibc++-dev\n", .out = "libc++-dev\n"},
    {.name = "replace", .role = PROC,
     .doc = "Each line with every match of the regex replaced; `\\\\1` in `with` is group 1.",
     .flow = "stdin | replace(\"([a-z]+)=([0-9]+)\", \"\\\\2 \\\\1\") | stdout", .in = "a=1 b=22\n",
     .out = "1 a 22 b\n"},
    {.name = "find_all", .role = PROC,
     .doc = "One item per match of the regex in each line, left to right (as `grep -o`).",
     .flow = "stdin | find_all(\"[0-9]+\") | stdout", .in = "a1b22\n", .out = "1\n22\n"},
    {.name = "upper", .role = PROC, .doc = "Each line with its ASCII letters in upper case.",
     .flow = "stdin | upper | stdout", .in = "abc\n", .out = "ABC\n"},
    {.name = "lower", .role = PROC, .doc = "Each line with its ASCII letters in lower case.",
     .flow = "stdin | lower | stdout", .in = "ABC\n", .out = "abc\n"},
    {.name = "trim", .role = PROC, .doc = "Each line without the ASCII whitespace at its ends.",
     .flow = "stdin | trim | map(l => \"[\" + l + \"]\") | stdout", .in = "  a b \t\n", .out = "[a b]\n"},
    {.name = "words", .role = PROC,
     .doc = "One item per run of non-blanks (space, tab, newline) of each line, as awk's fields.",
     .flow = "stdin | words | stdout", .in = " to be  or\n", .out = "to\nbe\nor\n"},
    {.name = "split", .role = PROC, .doc = "One item per piece of each line between the separators (a literal).",
     .flow = "stdin | split(\",\") | stdout", .in = "a,,b\n", .out = "a\n\nb\n"},
    {.name = "field", .role = PROC,
     .doc = "The i-th piece of each line between the separators, from 0; `\"\"` where there is none.",
     .flow = "stdin | field(2, \":\") | stdout", .in = "root:x:0:0\nshort\n", .out = "0\n\n"},
    {.name = "to_int", .role = PROC, .doc = "Each line read as an int (a runtime error when it is not one).",
     .flow = "stdin | to_int | map(n => n * 2) | stdout", .in = "21\n", .out = "42\n"},
    {.name = "to_float", .role = PROC, .doc = "Each line read as a float.",
     .flow = "stdin | to_float | map(x => x / 4) | stdout", .in = "1\n", .out = "0.25\n"},
    {.name = "format", .role = PROC,
     .doc = "Each item through a format: `{0}`, `{1}`, ... its tuple or record fields (`{name}` of a record), `{}` "
     "the whole item.", .flow = "stdin | count | format(\"{1} x {0}\") | stdout", .in = "a\nb\na\n",
     .out = "2 x a\n1 x b\n"},
    /* ------------------------------------------ processors of any items */
    {.name = "head", .role = PROC, .doc = "The first n items; then the flow stops reading.",
     .flow = "stdin | head(2) | stdout", .in = "a\nb\nc\n", .out = "a\nb\n"},
    {.name = "tail", .role = PROC, .doc = "The last n items, at the end.", .flow = "stdin | tail(2) | stdout",
     .in = "a\nb\nc\n", .out = "b\nc\n"},
    {.name = "skip", .role = PROC, .doc = "Every item but the first n.", .flow = "stdin | skip(1) | stdout",
     .in = "header\na\n", .out = "a\n"},
    {.name = "uniq", .role = PROC, .doc = "Each item unless it equals the one before (as `uniq`).",
     .flow = "stdin | uniq | stdout", .in = "a\na\nb\na\n", .out = "a\nb\na\n"},
    {.name = "distinct", .role = PROC, .doc = "Each item the first time it comes (as `awk '!seen[$0]++'`).",
     .flow = "stdin | distinct | stdout", .in = "a\nb\na\n", .out = "a\nb\n"},
    {.name = "sort", .role = PROC,
     .doc = "Every item, sorted (stable; `by:` a key function, `desc: true` largest first); spills to temporary "
     "files past the memory budget.", .flow = "stdin | sort(by: l => len(l), desc: true) | stdout",
     .in = "bb\na\nccc\n", .out = "ccc\nbb\na\n"},
    {.name = "top", .role = PROC,
     .doc = "The n largest items (by `by:`), largest first, ties in first-seen order; after `count`, write `by: p "
     "=> p.1` to rank by the counts.", .flow = "stdin | count | top(1, by: p => p.1) | stdout", .in = "a\nb\nb\n",
     .out = "b\t2\n"},
    {.name = "count", .role = PROC,
     .doc = "Each distinct item with the number of times it came, in first-seen order, at the end.",
     .flow = "stdin | count | stdout", .in = "a\nb\na\n", .out = "a\t2\nb\t1\n"},
    {.name = "count_items", .role = PROC, .doc = "The number of items, at the end (as `wc -l`).",
     .flow = "stdin | count_items | stdout", .in = "a\nb\n", .out = "2\n"},
    {.name = "sum", .role = PROC, .doc = "The sum of the numbers, at the end (an int sum past 64 bits is an error).",
     .flow = "stdin | to_int | sum | stdout", .in = "1\n2\n3\n", .out = "6\n"},
    {.name = "min", .role = PROC, .doc = "The smallest item, at the end (none for no items).",
     .flow = "stdin | to_int | min | stdout", .in = "5\n3\n9\n", .out = "3\n"},
    {.name = "max", .role = PROC, .doc = "The largest item, at the end (none for no items).",
     .flow = "stdin | max | stdout", .in = "pear\napple\n", .out = "pear\n"},
    {.name = "avg", .role = PROC, .doc = "The mean of the numbers, a float, at the end.",
     .flow = "stdin | to_int | avg | stdout", .in = "1\n2\n", .out = "1.5\n"},
    {.name = "enumerate", .role = PROC, .doc = "Each item with its number, from 1: `(1, x)`.",
     .flow = "stdin | enumerate | stdout", .in = "a\nb\n", .out = "1\ta\n2\tb\n"},
    {.name = "map", .role = PROC, .types = "T -> U (what f returns)", .doc = "Each item through a function.",
     .flow = "stdin | map(l => l + \"!\") | stdout", .in = "hi\n", .out = "hi!\n"},
    {.name = "filter", .role = PROC, .doc = "The items for which a function is true.",
     .flow = "stdin | filter(l => len(l) > 1) | stdout", .in = "a\nbb\n", .out = "bb\n"},
    {.name = "flat_map", .role = PROC, .types = "T -> U (the elements of the lists f returns)",
     .doc = "The elements of the list a function makes of each item.",
     .flow = "stdin | flat_map(l => split(l, \";\")) | stdout", .in = "a;b\n", .out = "a\nb\n"},
    {.name = "tee", .role = PROC, .doc = "Each item to a sink as well, and on down the flow.",
     .flow = "stdin | tee(file(\"copy.txt\")) | upper | stdout", .in = "a\n", .out = "A\n", .file = "copy.txt",
     .file_text = "a\n"},
    {.name = "join", .role = PROC, .types = "T -> U (what with returns)",
     .doc = "Each item x with every item y of the stream `other` (read whole first) whose key is x's: `with(x, y)`; "
     "`on:` one key function, or a pair (kx, ky) for two types.",
     .flow = "names = lines(\"1 ann\\n2 bob\")\n    stdin\n      | join(names, on: (l => field(l, 0, \" \"), n => "
     "field(n, 0, \" \")), with: (l, n) => field(n, 1, \" \") + \" \" + field(l, 1, \" \"))\n      | stdout",
     .in = "2 login\n3 login\n1 logout\n", .out = "bob login\nann logout\n"},
    {.name = "left_join", .role = PROC, .types = "T -> U (what with returns)",
     .doc = "As join, but every item x comes out: `with(x, y)` with y none when `other` has no item of its key.",
     .flow = "names = lines(\"1 ann\\n2 bob\")\n    stdin\n      | left_join(names, on: (l => field(l, 0, \" \"), n "
     "=> field(n, 0, \" \")), with: (l, n) => field(n ?? \"- ?\", 1, \" \") + \" \" + field(l, 1, \" \"))\n      | "
     "stdout", .in = "2 login\n3 login\n", .out = "bob login\n? login\n"},
    /* -------------------------------------------------------- data formats */
    {.name = "csv", .role = PROC, .types = "str -> the record type",
     .doc = "Lines of CSV (RFC 4180; `sep:`, `header:`, `comment:`) read into records of the type: columns by "
     "header name.", .flow = "stdin | csv(Row) | map(r => r.name + \" \" + str(r.n * 2)) | stdout",
     .in = "name,n\n\"a, b\",1\n", .out = "a, b 2\n", .decls = ROW_DECL},
    {.name = "tsv", .role = PROC, .types = "str -> the record type",
     .doc = "Lines of tab-separated values read into records of the type.",
     .flow = "stdin | tsv(Row) | map(r => r.n) | stdout", .in = "name\tn\nx\t7\n", .out = "7\n", .decls = ROW_DECL},
    {.name = "json", .role = PROC, .types = "str -> the record type",
     .doc = "JSON Lines read into records of the type: one object a line, fields by key.",
     .flow = "stdin | json(Row) | map(r => r.name) | stdout", .in = "{\"n\": 1, \"name\": \"a\"}\n", .out = "a\n",
     .decls = ROW_DECL},
    {.name = "to_csv", .role = PROC, .doc = "Records (or tuples) as CSV lines, a header first for records.",
     .flow = "stdin | tsv(Row) | to_csv | stdout", .in = "name\tn\na,b\t1\n", .out = "name,n\n\"a,b\",1\n",
     .decls = ROW_DECL},
    {.name = "to_tsv", .role = PROC, .doc = "Records (or tuples) as tab-separated lines, a header first for records.",
     .flow = "stdin | csv(Row) | to_tsv | stdout", .in = "name,n\nx,1\n", .out = "name\tn\nx\t1\n", .decls = ROW_DECL},
    {.name = "to_json", .role = PROC, .doc = "Each item as a line of JSON (a record as an object).",
     .flow = "stdin | csv(Row) | to_json | stdout", .in = "name,n\nx,1\n", .out = "{\"name\":\"x\",\"n\":1}\n",
     .decls = ROW_DECL},
    {.name = "exec", .role = PROC,
     .doc = "Each line through a shell command (`/bin/sh -c`), each line it prints an item; refused by --safe.",
     .flow = "stdin | exec(\"tr a-z A-Z\") | stdout", .in = "abc\n", .out = "ABC\n"},
    /* -------------------------------------------------------------- fan-in */
    {.name = "merge", .role = "fan-in", .doc = "The items of several streams, each as soon as it comes.",
     .flow = "a = lines(\"x\")\n    b = lines(\"y\")\n    merge(a, b) | sort | stdout", .in = "", .out = "x\ny\n"},
    {.name = "concat", .role = "fan-in", .doc = "The items of one stream, then of the next.",
     .flow = "a = lines(\"1\")\n    b = lines(\"2\")\n    concat(b, a) | stdout", .in = "", .out = "2\n1\n"},
    {.name = "zip", .role = "fan-in", .doc = "Pairs of the items of two streams, one of each, until either ends.",
     .flow = "a = lines(\"x\\ny\")\n    b = range(1, 9)\n    zip(a, b) | stdout", .in = "", .out = "x\t1\ny\t2\n"},

    /* ------------------------------------------------------------ functions */
    {.name = "len", .role = FN, .sig = "len(x: str | [T] | {K: V} | {T}) -> int",
     .doc = "The bytes of a str (`len_chars` counts characters), the elements of a list, the keys of a map or set.",
     .flow = "stdin | map(l => len(l)) | stdout", .in = "h\xc3\xa9llo\n", .out = "6\n"},
    {.name = "upper", .role = FN, .sig = "upper(s: str) -> str",
     .doc = "s with its ASCII letters in upper case (`upper_utf8` for all letters).",
     .flow = "stdin | map(l => upper(l)) | stdout", .in = "h\xc3\xa9llo\n", .out = "H\xc3\xa9LLO\n"},
    {.name = "lower", .role = FN, .sig = "lower(s: str) -> str",
     .doc = "s with its ASCII letters in lower case (`lower_utf8` for all letters).",
     .flow = "stdin | map(l => lower(l)) | stdout", .in = "ABC\n", .out = "abc\n"},
    {.name = "trim", .role = FN, .sig = "trim(s: str) -> str", .doc = "s without the ASCII whitespace at its ends.",
     .flow = "stdin | map(l => \"[\" + trim(l) + \"]\") | stdout", .in = " a \n", .out = "[a]\n"},
    {.name = "contains", .role = FN, .sig = "contains(s: str | [T], x: str | T) -> bool",
     .doc = "Whether the literal x occurs in the str s (as `x in s`), or whether the list s has an element equal to "
     "x.", .flow = "stdin | filter(l => contains(l, \"err\") or contains(words(l), \"warn\")) | stdout",
     .in = "an error\nfine\nwarn x\n", .out = "an error\nwarn x\n"},
    {.name = "starts_with", .role = FN, .sig = "starts_with(s: str, prefix: str) -> bool",
     .doc = "Whether s begins with prefix.", .flow = "stdin | filter(l => starts_with(l, \"#\")) | stdout",
     .in = "# a\nb\n", .out = "# a\n"},
    {.name = "ends_with", .role = FN, .sig = "ends_with(s: str, suffix: str) -> bool",
     .doc = "Whether s ends with suffix.", .flow = "stdin | filter(l => ends_with(l, \".c\")) | stdout",
     .in = "a.c\na.h\n", .out = "a.c\n"},
    {.name = "find", .role = FN, .sig = "find(s: str, sub: str) -> int",
     .doc = "The byte offset of the first sub in s, or -1.", .flow = "stdin | map(l => find(l, \"=\")) | stdout",
     .in = "key=v\nnone\n", .out = "3\n-1\n"},
    {.name = "substr", .role = FN, .sig = "substr(s: str, start: int, length: int?) -> str",
     .doc = "The bytes of s from start (from 0; negative: from the end), length of them or all the rest.",
     .flow = "stdin | map(l => substr(l, 1, 3) + \" \" + substr(l, -2)) | stdout", .in = "hello\n", .out = "ell lo\n"},
    {.name = "replace", .role = FN, .sig = "replace(s: str, regex: str, with: str) -> str",
     .doc = "s with every match of the regex replaced; `\\\\1` in `with` is group 1.",
     .flow = "stdin | map(l => replace(l, \"[0-9]+\", \"N\")) | stdout", .in = "a1b22\n", .out = "aNbN\n"},
    {.name = "matches", .role = FN, .sig = "matches(s: str, regex: str) -> bool",
     .doc = "Whether the regex matches somewhere in s.",
     .flow = "stdin | filter(l => matches(l, \"^[0-9]+$\")) | stdout", .in = "12\n1a\n", .out = "12\n"},
    {.name = "split", .role = FN, .sig = "split(s: str, sep: str) -> [str]",
     .doc = "The pieces of s between the separators (a literal); an index past the end reads `\"\"`.",
     .flow = "stdin | map(l => split(l, \",\")[1]) | stdout", .in = "a,b,c\nx\n", .out = "b\n\n"},
    {.name = "join", .role = FN, .sig = "join(xs: [T], sep: str) -> str",
     .doc = "The elements of xs in their text form, sep between them.",
     .flow = "stdin | map(l => join(words(l), \"-\")) | stdout", .in = "a b  c\n", .out = "a-b-c\n"},
    {.name = "words", .role = FN, .sig = "words(s: str) -> [str]",
     .doc = "The runs of non-blanks (space, tab, newline) of s, as awk's fields.",
     .flow = "stdin | map(l => words(l)[1]) | stdout", .in = "  GET /index.html 200\n", .out = "/index.html\n"},
    {.name = "to_int", .role = FN, .sig = "to_int(x: str | float | int) -> int",
     .doc = "An int from decimal (or 0x hex) text, blanks around allowed, or a float truncated; an error otherwise.",
     .flow = "stdin | map(l => to_int(l) + 1) | stdout", .in = " 41\n0x1F\n", .out = "42\n32\n"},
    {.name = "to_float", .role = FN, .sig = "to_float(x: str | int | float) -> float",
     .doc = "A float from decimal text, or an int.", .flow = "stdin | map(l => to_float(l) / 4) | stdout",
     .in = "1\n", .out = "0.25\n"},
    {.name = "str", .role = FN, .sig = "str(x: T) -> str", .doc = "x in the text form a sink writes.",
     .flow = "stdin | map(l => str(len(l)) + \" bytes\") | stdout", .in = "abc\n", .out = "3 bytes\n"},
    {.name = "abs", .role = FN, .sig = "abs(x: int | float) -> int | float", .doc = "The absolute value.",
     .flow = "stdin | map(l => abs(to_int(l))) | stdout", .in = "-5\n3\n", .out = "5\n3\n"},
    {.name = "min", .role = FN, .sig = "min(a: T, b: T?) -> T",
     .doc = "The smaller of two values of one type; of one list, its smallest element (an error for an empty list).",
     .flow = "stdin | map(l => (min(len(l), 10), min(words(l)))) | stdout", .in = "pear fig apple\n",
     .out = "10\tapple\n"},
    {.name = "max", .role = FN, .sig = "max(a: T, b: T?) -> T",
     .doc = "The larger of two values of one type; of one list, its largest element (an error for an empty list).",
     .flow = "stdin | map(l => (max(len(l), 10), max(words(l)))) | stdout", .in = "pear fig apple\n",
     .out = "14\tpear\n"},
    {.name = "add", .role = FN, .sig = "add(c: {T} | [T], x: T)",
     .doc = "Puts x in a set, or at the end of a list (a statement).", .flow = "stdin | firsts | stdout",
     .in = "a\nb\na\n", .out = "a\nb\n",
     .decls = "proc firsts: str -> str {\n    state seen: {str}\n    on l {\n        if not (l in seen) {\n         "
     "   add(seen, l)\n            emit l\n        }\n    }\n}\n"},
    {.name = "remove", .role = FN, .sig = "remove(c: {T} | {K: V}, k: T)",
     .doc = "Takes k out of a set, or its key out of a map (a statement).", .flow = "stdin | still_open | stdout",
     .in = "+a\n+b\n-a\n", .out = "b\n",
     .decls = "proc still_open: str -> str {\n    state open: {str}\n    on l {\n        if starts_with(l, \"+\") "
     "{\n            add(open, substr(l, 1))\n        } else {\n            remove(open, substr(l, 1))\n        "
     "}\n    }\n    on end {\n        for k in open {\n            emit k\n        }\n    }\n}\n"},
    {.name = "keys", .role = FN, .sig = "keys(m: {K: V}) -> [K]",
     .doc = "The keys of a map, in the order they were first added.", .flow = "stdin | key_list | stdout",
     .in = "b\na\nb\n", .out = "b,a\n",
     .decls = "proc key_list: str -> str {\n    state m: {str: int}\n    on l {\n        m[l] += 1\n    }\n    on "
     "end {\n        emit join(keys(m), \",\")\n    }\n}\n"},
    {.name = "field", .role = FN, .sig = "field(s: str, i: int, sep: str) -> str",
     .doc = "The i-th piece of s between the separators, from 0, or `\"\"`; builds no list.",
     .flow = "stdin | map(l => field(l, 2, \":\")) | stdout", .in = "root:x:0:0\n", .out = "0\n"},
    {.name = "find_all", .role = FN, .sig = "find_all(s: str, regex: str) -> [str]",
     .doc = "Every match of the regex in s, left to right.",
     .flow = "stdin | map(l => join(find_all(l, \"[0-9]+\"), \"+\")) | stdout", .in = "a1b22c333\n",
     .out = "1+22+333\n"},
    {.name = "captures", .role = FN, .sig = "captures(s: str, regex: str) -> [str]",
     .doc = "The groups of the first match: `[0]` the whole match, `[1]` the first group; `[]` when none.",
     .flow = "stdin | map(l => captures(l, \"([a-z]+)=([0-9]+)\")[2]) | stdout", .in = "x size=42\n", .out = "42\n"},
    {.name = "replace_first", .role = FN, .sig = "replace_first(s: str, regex: str, with: str) -> str",
     .doc = "s with the first match of the regex replaced (`\\\\1` as in replace).",
     .flow = "stdin | map(l => replace_first(l, \"o\", \"0\")) | stdout", .in = "foo\n", .out = "f0o\n"},
    {.name = "split_re", .role = FN, .sig = "split_re(s: str, regex: str) -> [str]",
     .doc = "The pieces of s between the matches of the regex.",
     .flow = "stdin | map(l => join(split_re(l, \"[,;] *\"), \"|\")) | stdout", .in = "a, b;c\n", .out = "a|b|c\n"},
    {.name = "quote_re", .role = FN, .sig = "quote_re(s: str) -> str",
     .doc = "s with every regex metacharacter escaped, so that it matches itself: for parameters taken as text.",
     .flow = "stdin | filter(l => matches(l, quote_re(\"c++\"))) | stdout", .in = "g++\nlibc++-dev\n",
     .out = "libc++-dev\n"},
    {.name = "now", .role = FN, .sig = "now() -> float",
     .doc = "The time now, in seconds since 1970-01-01 UTC (with a fraction).",
     .flow = "stdin | map(l => now() > 1.7e9) | stdout", .in = "x\n", .out = "true\n"},
    {.name = "parse_time", .role = FN, .sig = "parse_time(s: str, format: str) -> float",
     .doc = "The Unix time of a text in a strftime format, UTC unless the format reads a zone; an error when it "
     "does not fit.", .flow = "stdin | map(l => parse_time(l, \"%Y-%m-%d %H:%M:%S\")) | stdout",
     .in = "2026-12-07 20:45:00\n", .out = "1796676300.0\n"},
    {.name = "format_time", .role = FN, .sig = "format_time(t: float, format: str) -> str",
     .doc = "A Unix time as text in a strftime format, UTC unless the format names a zone.",
     .flow = "stdin | map(l => format_time(to_float(l), \"%Y-%m-%d %H:%M\")) | stdout", .in = "86400\n",
     .out = "1970-01-02 00:00\n"},
    {.name = "env", .role = FN, .sig = "env(name: str) -> str?",
     .doc = "The environment variable's value, or none when it is not set.",
     .flow = "stdin | map(l => env(l) ?? \"unset\") | stdout", .in = "PIPE_REFERENCE_NOT_SET\n", .out = "unset\n"},
    {.name = "fmt", .role = FN, .sig = "fmt(pattern: str, args...) -> str",
     .doc = "printf-style text: `%s %d %5d %-5s %05.1f %x %e %g %%` as C's printf; a pattern that does not fit its "
     "arguments is a compile error.", .flow = "stdin | map(l => fmt(\"%5d|%-4s|%.2f\", len(l), l, 2.0 / 3)) | stdout",
     .in = "ab\n", .out = "    2|ab  |0.67\n"},
    {.name = "round", .role = FN, .sig = "round(x: float, digits: int?) -> float",
     .doc = "x rounded to the nearest whole number (or to digits after the point), halves away from zero.",
     .flow = "stdin | map(l => round(to_float(l)) + round(to_float(l), 1)) | stdout", .in = "2.25\n", .out = "4.3\n"},
    {.name = "floor", .role = FN, .sig = "floor(x: float) -> float", .doc = "The largest whole number not above x.",
     .flow = "stdin | map(l => floor(to_float(l))) | stdout", .in = "-1.5\n", .out = "-2.0\n"},
    {.name = "ceil", .role = FN, .sig = "ceil(x: float) -> float", .doc = "The smallest whole number not below x.",
     .flow = "stdin | map(l => ceil(to_float(l))) | stdout", .in = "1.2\n", .out = "2.0\n"},
    {.name = "sqrt", .role = FN, .sig = "sqrt(x: float) -> float", .doc = "The square root (`nan` for a negative x).",
     .flow = "stdin | map(l => sqrt(to_float(l))) | stdout", .in = "2.25\n", .out = "1.5\n"},
    {.name = "pow", .role = FN, .sig = "pow(x: int | float, y: int | float) -> int | float",
     .doc = "x to the power y: an int when both are ints (an error past 64 bits), else a float.",
     .flow = "stdin | map(l => pow(2, to_int(l))) | stdout", .in = "10\n", .out = "1024\n"},
    {.name = "len_chars", .role = FN, .sig = "len_chars(s: str) -> int",
     .doc = "The UTF-8 characters of s (an invalid byte counts as one).",
     .flow = "stdin | map(l => len_chars(l)) | stdout", .in = "h\xc3\xa9llo\n", .out = "5\n"},
    {.name = "upper_utf8", .role = FN, .sig = "upper_utf8(s: str) -> str",
     .doc = "s in upper case, every UTF-8 letter (invalid bytes kept).",
     .flow = "stdin | map(l => upper_utf8(l)) | stdout", .in = "h\xc3\xa9llo\n", .out = "H\xc3\x89LLO\n"},
    {.name = "lower_utf8", .role = FN, .sig = "lower_utf8(s: str) -> str",
     .doc = "s in lower case, every UTF-8 letter (invalid bytes kept).",
     .flow = "stdin | map(l => lower_utf8(l)) | stdout", .in = "\xc3\x89T\xc3\x89\n", .out = "\xc3\xa9t\xc3\xa9\n"},
    {.name = "get", .role = FN, .sig = "get(m: {K: V}, k: K) -> V?",
     .doc = "The value of key k in the map, or none when it has no such key (`m[k]` reads the zero value instead).",
     .flow = "stdin | map(l => get({\"a\": 1, \"b\": 2}, l) ?? -1) | stdout", .in = "a\nz\n", .out = "1\n-1\n"},
    {.name = "sort", .role = FN, .sig = "sort(xs: [T], by: function?, desc: bool?) -> [T]",
     .doc = "A new list of the elements of xs in order (stable; `by:` a key function, `desc: true` largest first).",
     .flow = "stdin | map(l => join(sort(words(l)), \",\") + \" \" + join(sort(words(l), by: w => len(w), desc: "
     "true), \",\")) | stdout", .in = "pear fig apple\n", .out = "apple,fig,pear apple,pear,fig\n"},
    {.name = "reverse", .role = FN, .sig = "reverse(xs: [T]) -> [T]",
     .doc = "A new list of the elements of xs, last first.",
     .flow = "stdin | map(l => join(reverse(split(l, \".\")), \".\")) | stdout", .in = "www.example.com\n",
     .out = "com.example.www\n"},
    {.name = "sum", .role = FN, .sig = "sum(xs: [int] | [float]) -> int | float",
     .doc = "The sum of the elements (0 for an empty list; an int sum past 64 bits is an error).",
     .flow = "stdin | to_int | last3 | stdout", .in = "1\n2\n3\n4\n", .out = "9\n",
     .decls = "proc last3: int -> int {\n    state xs: [int] = []\n    on x {\n        add(xs, x)\n    }\n    on "
     "end {\n        emit sum(xs[-3:])\n    }\n}\n"},
};
#undef FN
#undef PROC
#undef ROW_DECL

#define NDOCS (sizeof docs / sizeof docs[0])

static const char *const role_text[] = {"source", "sink", "processor", "fan-in"};
static const char *const kind_text[] = {"", "str", "str", "str", "str", "int", "int", "str", "bool",
                                        "function", "sink", "type", "stream"};
_Static_assert(sizeof kind_text / sizeof kind_text[0] == A_STREAM + 1, "a word for every ArgKind");

/* The entry of the stage s, or NULL. */
static const RefDoc *doc_of_stage(const StdStage *s)
{
    for (size_t i = 0; i < NDOCS; i++)
        if (!strcmp(docs[i].name, s->name) && !strcmp(docs[i].role, role_text[s->role]))
            return &docs[i];
    return NULL;
}

static const RefDoc *doc_of_fn(const Builtin *b)
{
    for (size_t i = 0; i < NDOCS; i++)
        if (!strcmp(docs[i].name, b->name) && !strcmp(docs[i].role, "function"))
            return &docs[i];
    return NULL;
}

/* The signature of stage s, as a call in a flow: `top(n: int, by: function?)`. */
static void stage_sig(const StdStage *s, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "%s", s->name);
    for (int i = 0; i < s->nargs && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s: %s%s%s", i ? ", " : "(", s->arg_names[i],
                              kind_text[s->arg_kinds[i]], s->arg_defaults[i] ? " = " : i < s->required ? "" : "?",
                              s->arg_defaults[i] ? s->arg_defaults[i] : "");
    if (s->nargs && k < cap)
        snprintf(buf + k, cap - k, ")");
}

static const char *const in_text[] = {"T", "str", "number", "T (ordered)", "T (hashable)"};
static const char *const out_text[] = {"T", "str", "int", "float", "(T, int)", "(int, T)", "(A, B)"};

/* What flows in and out of stage s: `str -> str`. */
static void stage_types(const StdStage *s, char *buf, size_t cap)
{
    const char *in = s->role == R_SOURCE || s->role == R_FANIN ? "" : in_text[s->in];
    const char *out = s->role == R_SINK ? "" : out_text[s->out];
    if (s->role == R_FANIN)
        in = "streams";
    snprintf(buf, cap, "%s%s%s", in, *in && *out ? " -> " : *in ? " ->" : "-> ", out);
}

/* The script of an entry's example. */
static void example_script(FILE *o, const RefDoc *d)
{
    if (d->decls)
        fprintf(o, "%s\n", d->decls);
    fprintf(o, "pipeline main {\n    %s\n}\n", d->flow);
}

/* text, indented by ind spaces on each line */
static void indented(FILE *o, const char *text, int ind)
{
    bool bol = true;
    for (const char *p = text; *p; p++) {
        if (bol && *p != '\n')
            fprintf(o, "%*s", ind, "");
        fputc(*p, o);
        bol = *p == '\n';
    }
    if (!bol)
        fputc('\n', o);
}

/* One entry as `pipec help NAME` prints it. */
static void print_text(FILE *o, const RefDoc *d, const char *sig, const char *types)
{
    fprintf(o, "%s  (%s%s%s)\n    %s\n  example:\n", sig, d->role, *types ? ": " : "", types, d->doc);
    if (d->decls)
        indented(o, d->decls, 6);
    for (const char *p = d->flow; *p;) { /* lines after the first carry the body's indentation: drop it */
        size_t n = strcspn(p, "\n");
        fprintf(o, "      %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
        p += strncmp(p, "    ", 4) == 0 ? 4 : 0;
    }
    bool reads = d->file && !strcmp(d->role, "source");
    if (reads) {
        fprintf(o, "  with %s holding:\n", d->file);
        indented(o, d->file_text, 6);
    }
    if (d->in && *d->in) {
        fputs("  with the input:\n", o);
        indented(o, d->in, 6);
    }
    fputs("  prints:\n", o);
    indented(o, *d->out ? d->out : "(nothing)\n", 6);
    if (d->file && !reads) {
        fprintf(o, "  and leaves %s holding:\n", d->file);
        indented(o, d->file_text, 6);
    }
    fputc('\n', o);
}

/* One entry as a section of docs/reference.md. */
static void print_md(FILE *o, const RefDoc *d, const char *sig, const char *types)
{
    bool fn = !strcmp(d->role, "function");
    fprintf(o, "### `%s`%s%s\n\n%s%s%s%s\n\n```\n", sig, *types ? " — " : "", types, d->doc, fn ? "" : " (",
            fn ? "" : d->role, fn ? "" : ")");
    example_script(o, d);
    bool reads = d->file && !strcmp(d->role, "source");
    if (reads)
        fprintf(o, "```\n\nwith %s holding\n\n```\n%s", d->file, d->file_text);
    if (d->in && *d->in)
        fprintf(o, "```\n\nwith the input\n\n```\n%s", d->in);
    fprintf(o, "```\n\nprints\n\n```\n%s", d->out);
    if (d->file && !reads)
        fprintf(o, "```\n\nand leaves %s holding\n\n```\n%s", d->file, d->file_text);
    fputs("```\n\n", o);
}

static void print_stage(FILE *o, const StdStage *s, bool md)
{
    const RefDoc *d = doc_of_stage(s);
    char sig[200], types[64];
    stage_sig(s, sig, sizeof sig);
    stage_types(s, types, sizeof types);
    if (d->types)
        snprintf(types, sizeof types, "%s", d->types);
    (md ? print_md : print_text)(o, d, sig, types);
}

bool reference_print(FILE *out, const char *name)
{
    int ns, nb;
    const StdStage *st = std_stages(&ns);
    const Builtin *bs = builtins_all(&nb);
    bool found = false;
    for (int i = 0; i < ns; i++)
        if (!strcmp(st[i].name, name) && doc_of_stage(&st[i])) {
            print_stage(out, &st[i], false);
            found = true;
        }
    for (int i = 0; i < nb; i++) {
        const RefDoc *d = doc_of_fn(&bs[i]);
        if (!strcmp(bs[i].name, name) && d) {
            print_text(out, d, d->sig, "");
            found = true;
        }
    }
    return found;
}

const char *reference_nearest(const char *name)
{
    const char *near = NULL;
    for (size_t i = 0; i < NDOCS; i++)
        near = pipe_nearer(name, strlen(name), near, docs[i].name);
    return near;
}

/* The name of parameter i of the signature sig ("substr(s: str, ...)"), into
 * buf; false past the last. */
static bool sig_param(const char *sig, int i, char *buf, size_t cap)
{
    const char *p = strchr(sig, '(');
    for (int k = 0; p && *p != ')'; k++) {
        p++;
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ":,)");
        if (k == i && n) {
            snprintf(buf, cap, "%.*s", (int)n, p);
            return p[n] == ':';
        }
        int depth = 0;
        for (; *p && (depth || (*p != ',' && *p != ')')); p++)
            depth += *p == '[' || *p == '{' ? 1 : *p == ']' || *p == '}' ? -1 : 0;
    }
    return false;
}

bool reference_arity_note(const char *fn, int found, int min, char *buf, size_t cap)
{
    const RefDoc *d = NULL;
    for (size_t i = 0; i < NDOCS && !d; i++)
        if (!strcmp(docs[i].name, fn) && !strcmp(docs[i].role, "function"))
            d = &docs[i];
    if (!d)
        return false;
    char name[64];
    size_t k = 0;
    if (found < min) {
        for (int i = found; i < min && sig_param(d->sig, i, name, sizeof name) && k < cap; i++)
            k += (size_t)snprintf(buf + k, cap - k, "%s'%s'", i == found ? "; missing " : i + 1 == min ? " and " : ", ",
                                  name);
    } else {
        k = (size_t)snprintf(buf, cap, "; %d too many", found - min);
    }
    if (k < cap)
        snprintf(buf + k, cap - k, ": %s", d->sig);
    return true;
}

/* docs/reference.md */
static void print_markdown(FILE *o)
{
    int ns, nb;
    const StdStage *st = std_stages(&ns);
    const Builtin *bs = builtins_all(&nb);
    fputs("# Reference of the standard stages and functions\n\n"
          "Generated by `pipec help --markdown` from the table of stages and functions\n"
          "(compiler/builtins.c) and their entries in compiler/reference.c; every\n"
          "example is run by `make test` (tests/run_reference.sh) and prints what is\n"
          "shown. `pipec help NAME` prints one entry, `:help NAME` in the REPL too.\n"
          "LANGUAGE.md §4, §6, §8 and §9 and docs/pipe.md say more.\n\n"
          "In a stage's signature, `T` is the type of the items that come in; a\n"
          "`function` argument is a lambda (`x => ...`) or a proc-free expression of the\n"
          "item. An argument marked `?` may be left out.\n\n",
          o);
    static const char *const heads[] = {"Sources", "Sinks", "Processors", "Fan-in"};
    for (int r = R_SOURCE; r <= R_FANIN; r++) {
        fprintf(o, "## %s\n\n", heads[r]);
        for (int i = 0; i < ns; i++)
            if ((int)st[i].role == r)
                print_stage(o, &st[i], true);
    }
    fputs("## Functions\n\n", o);
    for (int i = 0; i < nb; i++)
        print_md(o, doc_of_fn(&bs[i]), doc_of_fn(&bs[i])->sig, "");
}

static const char *const type_word[] = {"", "str", "int", "bool", "[str]", "float", "str?"};

/* Whether a written signature agrees with the row of b: as many parameters
 * (`?` on the optional ones, `args...` for a row without a limit), and the
 * types a row without a type hook fixes; why in buf when not. */
static bool sig_fits(const Builtin *b, const char *sig, char *why, size_t cap)
{
    size_t len = strlen(b->name);
    if (strncmp(sig, b->name, len) || sig[len] != '(') {
        snprintf(why, cap, "its signature does not start '%s('", b->name);
        return false;
    }
    const char *p = sig + len + 1;
    int n = 0, opt = 0;
    bool rest = false;
    while (*p && *p != ')') {
        const char *colon = strchr(p, ':'), *end = p;
        int depth = 0;
        for (; *end && (depth || (*end != ',' && *end != ')')); end++)
            depth += *end == '[' || *end == '{' ? 1 : *end == ']' || *end == '}' ? -1 : 0;
        if (end - p > 3 && !strncmp(end - 3, "...", 3)) {
            rest = true;
        } else if (colon && colon < end) {
            const char *ty = colon + 2;
            size_t tlen = (size_t)(end - ty);
            bool q = tlen && ty[tlen - 1] == '?';
            opt += q && n >= b->min_args;
            if (!b->type && n < 3 && b->params[n] != F_NONE) {
                const char *want = type_word[b->params[n]];
                if (strlen(want) != tlen - q || strncmp(ty, want, tlen - q)) {
                    snprintf(why, cap, "parameter %d is '%.*s' in its signature, '%s' in the table", n + 1,
                             (int)tlen, ty, want);
                    return false;
                }
            }
            n++;
        }
        p = *end == ',' ? end + 2 : end;
    }
    bool counts = rest ? b->max_args > 3 && n == b->min_args : n == b->max_args && n - opt == b->min_args;
    if (!counts) {
        snprintf(why, cap, "its signature has %d parameter(s), %d optional%s; the table %d to %d", n, opt,
                 rest ? " and more" : "", b->min_args, b->max_args);
        return false;
    }
    const char *arrow = strstr(p, " -> ");
    if (!b->type && b->result != F_NONE && (!arrow || strcmp(arrow + 4, type_word[b->result]))) {
        snprintf(why, cap, "its result is '%s' in the table", type_word[b->result]);
        return false;
    }
    return true;
}

/* --check: every row has an entry, every entry a row, signatures fit. */
static int check_table(FILE *err)
{
    int ns, nb, bad = 0;
    const StdStage *st = std_stages(&ns);
    const Builtin *bs = builtins_all(&nb);
    bool used[NDOCS] = {false};
    char why[200];
    for (int i = 0; i < ns; i++) {
        const RefDoc *d = doc_of_stage(&st[i]);
        if (!d) {
            fprintf(err, "pipec: the %s '%s' has no entry in compiler/reference.c\n", role_text[st[i].role],
                    st[i].name);
            bad++;
            continue;
        }
        used[d - docs] = true;
    }
    for (int i = 0; i < nb; i++) {
        const RefDoc *d = doc_of_fn(&bs[i]);
        if (!d) {
            fprintf(err, "pipec: the function '%s' has no entry in compiler/reference.c\n", bs[i].name);
            bad++;
            continue;
        }
        used[d - docs] = true;
        if (!d->sig || !sig_fits(&bs[i], d->sig, why, sizeof why)) {
            fprintf(err, "pipec: the function '%s': %s\n", bs[i].name, d->sig ? why : "no signature");
            bad++;
        }
    }
    for (size_t i = 0; i < NDOCS; i++)
        if (!used[i]) {
            fprintf(err, "pipec: compiler/reference.c has an entry for the %s '%s', which is not in the table\n",
                    docs[i].role, docs[i].name);
            bad++;
        }
    return bad ? 1 : 0;
}

/* s into dir/name */
static bool write_file(const char *dir, const char *name, const char *s)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return false;
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(s, f);
    return fclose(f) == 0;
}

/* --examples DIR: each example as golden-test files, DIR/ROLE_NAME.pipe,
 * .in, .out, a file it reads in DIR/ROLE_NAME.d/, one it writes in
 * DIR/ROLE_NAME.expect/. */
static int dump_examples(const char *dir, FILE *err)
{
    char name[128], sub[4096];
    for (size_t i = 0; i < NDOCS; i++) {
        const RefDoc *d = &docs[i];
        char *script = NULL;
        size_t slen = 0;
        FILE *m = open_memstream(&script, &slen);
        if (!m)
            return 1;
        example_script(m, d);
        fclose(m);
        snprintf(name, sizeof name, "%s_%s", strcmp(d->role, "fan-in") ? d->role : "fanin", d->name);
        bool ok = true;
        char fname[160];
        snprintf(fname, sizeof fname, "%s.pipe", name);
        ok &= write_file(dir, fname, script);
        snprintf(fname, sizeof fname, "%s.in", name);
        ok &= write_file(dir, fname, d->in ? d->in : "");
        snprintf(fname, sizeof fname, "%s.out", name);
        ok &= write_file(dir, fname, d->out);
        free(script);
        if (d->file) {
            snprintf(sub, sizeof sub, "%s/%s.%s", dir, name, strcmp(d->role, "source") ? "expect" : "d");
            ok &= mkdir(sub, 0777) == 0 && write_file(sub, d->file, d->file_text);
        }
        if (!ok) {
            fprintf(err, "pipec: error: cannot write the example %s in '%s'\n", name, dir);
            return 1;
        }
    }
    return 0;
}

int reference_main(int argc, char **argv, FILE *out, FILE *err)
{
    if (argc == 0) {
        fputs("\nstages and functions (pipec help NAME: signature, meaning, example):\n", out);
        int col = 0;
        for (size_t i = 0; i < NDOCS; i++) {
            bool dup = false;
            for (size_t j = 0; j < i; j++)
                dup |= !strcmp(docs[j].name, docs[i].name);
            if (dup)
                continue;
            if (col + strlen(docs[i].name) + 1 > 76) {
                fputc('\n', out);
                col = 0;
            }
            col += fprintf(out, "%s%s", col ? " " : "  ", docs[i].name);
        }
        fputc('\n', out);
        return 0;
    }
    if (argc == 1 && !strcmp(argv[0], "--markdown")) {
        print_markdown(out);
        return 0;
    }
    if (argc == 1 && !strcmp(argv[0], "--check"))
        return check_table(err);
    if (argc == 2 && !strcmp(argv[0], "--examples"))
        return dump_examples(argv[1], err);
    if (argc == 1 && argv[0][0] != '-') {
        if (reference_print(out, argv[0]))
            return 0;
        const char *near = reference_nearest(argv[0]);
        fprintf(err, "pipec: error: no stage or function is called '%s'%s%s%s\ntry 'pipec help'\n", argv[0],
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        return 2;
    }
    fprintf(err, "pipec: error: help takes a name, --markdown, --check or --examples DIR\ntry 'pipec help'\n");
    return 2;
}
