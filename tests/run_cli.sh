#!/bin/sh
# The command line itself: --help and --version, usage errors (exit 2 with a
# hint), `pipec build` without a C compiler (libtcc makes the executable), its
# runtime cache (folders made, the last 8 objects kept, leftovers removed), a
# pipec copied alone to another folder (the JIT needs no other file), and
# `make install` laying out the binary, man page and completion.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
cd "$top" || exit 2

"$PIPEC" --help >"$scratch/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
for cmd in run build emit-c check graph plan repl fmt schema; do
    check "--help names $cmd" grep -q "^  $cmd " "$scratch/help"
done
check "--version" sh -c "'$PIPEC' --version | grep -qE '^pipec [0-9]+\.[0-9]+\.[0-9]+'"
"$PIPEC" frobnicate >/dev/null 2>"$scratch/err"
check "unknown command: exit 2" [ $? -eq 2 ]
check "unknown command: hint" grep -q "try 'pipec --help'" "$scratch/err"
# a misspelled command or option suggests the nearest one (LANGUAGE.md §9);
# nothing near, no guess
expect "misspelled command" 2 "$PIPEC" rnu examples/top_words.pipe
has "misspelled command: did you mean" "unknown command 'rnu'; did you mean 'run'?"
expect "unknown command far from any" 2 "$PIPEC" frobnicate
check "unknown command far from any: no guess" sh -c "! grep -q 'did you mean' '$scratch/err'"
expect "misspelled pipec option" 2 "$PIPEC" run --saef examples/top_words.pipe
has "misspelled pipec option: did you mean" "unknown option '--saef'; did you mean '--safe'?"
printf 'pipeline main(limit: int = 3) {\n    stdin | head(limit) | stdout\n}\n' >"$scratch/dym.pipe"
expect "misspelled parameter (run)" 2 "$PIPEC" run "$scratch/dym.pipe" --limt 2
has "misspelled parameter (run): did you mean" "unknown option '--limt'; did you mean '--limit'?"
expect "misspelled run option (run)" 2 "$PIPEC" run "$scratch/dym.pipe" --stat
has "misspelled run option (run): did you mean" "unknown option '--stat'; did you mean '--stats'?"
if "$PIPEC" build "$scratch/dym.pipe" -o "$scratch/dym" 2>"$scratch/err"; then
    expect "misspelled parameter (binary)" 2 "$scratch/dym" --limitt 2
    has "misspelled parameter (binary): did you mean" "unknown option '--limitt'; did you mean '--limit'?"
    expect "unknown option far from any (binary)" 2 "$scratch/dym" --zzzzzz
    check "unknown option far from any (binary): no guess" sh -c "! grep -q 'did you mean' '$scratch/err'"
else
    check "build dym.pipe" false
fi
# emit-c's first comment compiles the C file it wrote (-o top.c), the script's name without -o
"$PIPEC" emit-c examples/top_words.pipe -o "$scratch/top.c" 2>"$scratch/err"
check "emit-c -o top.c: first comment names top.c" sh -c "head -n 1 '$scratch/top.c' | grep -qx '/\* cc -O2 -o top top.c -lpcre2-8 -lz -lm'"
"$PIPEC" emit-c examples/top_words.pipe >"$scratch/stdout.c" 2>"$scratch/err"
check "emit-c to stdout: first comment names the script's .c" sh -c "head -n 1 '$scratch/stdout.c' | grep -qx '/\* cc -O2 -o top_words top_words.c -lpcre2-8 -lz -lm'"
"$PIPEC" run >/dev/null 2>"$scratch/err"
check "missing script: exit 2" [ $? -eq 2 ]
"$PIPEC" build examples/top_words.pipe >/dev/null 2>"$scratch/err"
check "build without -o: exit 2" [ $? -eq 2 ]
"$PIPEC" check "$scratch/none.pipe" >/dev/null 2>"$scratch/err"
check "unreadable script: exit 2" [ $? -eq 2 ]
check "unreadable script: message" grep -q "cannot read" "$scratch/err"

# --list-stages: the table of stages and functions, as text and as JSON (one
# object a line); its facts are those of the rows
"$PIPEC" --list-stages >"$scratch/stages.txt" 2>"$scratch/err"
check "--list-stages exits 0" [ $? -eq 0 ]
check "--list-stages: text rows" sh -c "grep -q '^  top(n: int, by: function?) ' '$scratch/stages.txt' &&
    grep -q '^  substr(str, int, int?) -> str' '$scratch/stages.txt' &&
    grep -q '^  fmt(_, \.\.\.) -> (by its arguments)' '$scratch/stages.txt'"
check "--help names --list-stages" grep -q -- "--list-stages" "$scratch/help"
"$PIPEC" --list-stages --format json >"$scratch/stages.json" 2>"$scratch/err"
check "--list-stages --format json exits 0" [ $? -eq 0 ]
if command -v python3 >/dev/null 2>&1; then
    check "--list-stages --format json: one valid object a line, known rows and flags" python3 - "$scratch/stages.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
st = {(r["name"], r["role"]): r for r in rows if r["kind"] == "stage"}
fn = {r["name"]: r for r in rows if r["kind"] == "function"}
top, sort, ex = st[("top", "processor")], st[("sort", "processor")], st[("exec", "processor")]
assert top["args"][0] == {"name": "n", "kind": "int", "required": True, "default": None}, top["args"]
assert top["merges"] and top["stateful"] and not top["keeps_order"] and top["constructor"] == "pipe_std_top"
assert sort["may_spill"] and sort["args"][1]["default"] == "false"
assert ex["unsafe"] and ex["args"][2]["default"] == "100"
assert st[("file", "source")]["reads_files"] and st[("file", "sink")]["writes_files"]
assert st[("grep", "processor")]["keeps_order"] and not st[("grep", "processor")]["stateful"]
for name in ("count", "sum", "min", "max", "avg", "distinct", "top", "sort"):
    assert st[(name, "processor")]["merges"], name
assert fn["replace"]["regex_arg"] == 1 and fn["replace"]["c_function"] == "pipe_replace" and fn["replace"]["pure"]
assert fn["substr"]["params"] == ["str", "int", "int"] and fn["substr"]["min_args"] == 2
assert not fn["add"]["pure"] and len(st) == 56 and len(fn) == 46, (len(st), len(fn))
assert fn["fmt"]["max_args"] == 255 and fn["fmt"]["type_hook"] and fn["len_chars"]["params"] == ["str"]
csv = st[("csv", "processor")]
assert [a["name"] for a in csv["args"]] == ["type", "sep", "header", "comment"] and csv["args"][1]["default"] == '","'
assert csv["args"][0]["kind"] == "type" and csv["passes"] == "out type, args" and csv["stateful"]
PY
else
    skipped "--list-stages --format json: python3 is needed to read the JSON"
fi
"$PIPEC" --list-stages --format yaml >/dev/null 2>"$scratch/err"
check "--list-stages --format yaml: exit 2" [ $? -eq 2 ]
check "--list-stages --format yaml: names it" grep -q "'yaml'" "$scratch/err"

# pipec schema: tests/schema/NAME.args is the command line after `pipec
# schema`, run in tests/schema (NAME.stdin, when there, is its standard
# input); NAME.out the declaration it prints (regenerate one with:
# cd tests/schema && pipec schema $(cat NAME.args) < NAME.stdin > NAME.out)
for a in tests/schema/*.args; do
    n=${a%.args}
    in=/dev/null
    [ -f "$n.stdin" ] && in=$top/$n.stdin
    # shellcheck disable=SC2046
    (cd tests/schema && exec "$PIPEC" schema $(cat "$top/$a")) <"$in" >"$scratch/schema.out" 2>"$scratch/err"
    check "schema $n: exit 0" [ $? -eq 0 ]
    check "schema $n: the expected record" cmp -s "$scratch/schema.out" "$n.out"
done
PIPEC=$PIPEC sh tests/schema/roundtrip.sh >"$scratch/rt.out" 2>&1
check "schema: the round trip from a script (skipped until records compile)" [ $? -eq 0 ]
grep -E '^(SKIP|FAIL)' "$scratch/rt.out"
# a column named like a keyword is a field of that name, which a script reads
for kw in $(sed -n 's/^"\([a-z]*\)" *return [A-Z_]*;$/\1/p' grammar/lexer.l); do
    printf '%s\n1\n' "$kw" >"$scratch/kw.csv"
    "$PIPEC" schema "$scratch/kw.csv" >"$scratch/kw.pipe" 2>&1
    check "schema: keyword $kw is the field $kw" grep -qx "    $kw: int" "$scratch/kw.pipe"
    printf 'pipeline main { file("%s") | csv(Kw) | map(r => str(r.%s + 1)) | stdout }\n' "$scratch/kw.csv" "$kw" >>"$scratch/kw.pipe"
    check "schema: keyword $kw: a script reads it" sh -c "'$PIPEC' run '$scratch/kw.pipe' | grep -qx 2"
done
expect "schema: a missing file" 1 "$PIPEC" schema "$scratch/none.csv"
has "schema: a missing file: names it" "cannot read '$scratch/none.csv': No such file"
expect "schema: a folder" 1 "$PIPEC" schema --format csv "$scratch"
has "schema: a folder: names it" "$scratch: cannot read it"
printf 'a,b\n1,2\n3,4,5\n' >"$scratch/long.csv"
expect "schema: a row longer than the header" 1 "$PIPEC" schema "$scratch/long.csv"
has "schema: a row longer than the header: file and line" "$scratch/long.csv:3: the row has 3 cells, the header 2"
printf 'a,b\n1,"x\n2,y\n' >"$scratch/open.csv"
expect "schema: the end inside a quoted cell" 1 "$PIPEC" schema "$scratch/open.csv"
has "schema: the end inside a quoted cell: where the row began" "$scratch/open.csv:2: the input ends inside a quoted cell"
: >"$scratch/empty.csv"
expect "schema: an empty csv" 1 "$PIPEC" schema "$scratch/empty.csv"
has "schema: an empty csv: says so" "$scratch/empty.csv: no header line"
printf '{"a": 1}\n{"a": 2,}\n' >"$scratch/bad.jsonl"
expect "schema: a line that is not JSON" 1 "$PIPEC" schema "$scratch/bad.jsonl"
has "schema: a line that is not JSON: file, line, byte" "$scratch/bad.jsonl:2: not JSON: expected a key in quotes at byte 9"
printf '{"a": 1}\n[1]\n' >"$scratch/arr.jsonl"
expect "schema: a JSON line that is not an object" 1 "$PIPEC" schema "$scratch/arr.jsonl"
has "schema: a JSON line that is not an object: says so" "$scratch/arr.jsonl:2: an array, not an object"
printf '\n\n' >"$scratch/blank.jsonl"
expect "schema: JSON Lines without a value" 1 "$PIPEC" schema "$scratch/blank.jsonl"
has "schema: JSON Lines without a value: says so" "$scratch/blank.jsonl: no JSON values"
expect "schema: no file" 2 "$PIPEC" schema
has "schema: no file: hint" "try 'pipec schema --help'"
expect "schema: two files" 2 "$PIPEC" schema a.csv b.csv
expect "schema: an unknown option" 2 "$PIPEC" schema --sep ';' a.csv
expect "schema: a bad --format" 2 "$PIPEC" schema --format xml a.csv
has "schema: a bad --format: names it" "unknown format 'xml'"
expect "schema: --format without a value" 2 "$PIPEC" schema a.csv --format
expect "schema: a bad --rows" 2 "$PIPEC" schema --rows -1 a.csv
expect "schema: --rows not a number" 2 "$PIPEC" schema --rows=10k a.csv
expect "schema: a name that does not tell the format" 2 "$PIPEC" schema tests/schema/data.txt
has "schema: a name that does not tell the format: says what to give" "give --format csv, tsv or json"
expect "schema: stdin without --format" 2 "$PIPEC" schema -
expect "schema --help" 0 "$PIPEC" schema --help
check "schema --help: the usage" grep -q "^usage: pipec schema FILE" "$scratch/out"
seq 1 20001 | sed '1s/.*/n/' >"$scratch/many.csv"
echo x >>"$scratch/many.csv"
expect "schema: 10000 rows by default" 0 "$PIPEC" schema "$scratch/many.csv"
check "schema: 10000 rows by default: an int, and says rows were left" sh -c "grep -q '^    n: int\$' '$scratch/out' && grep -q -- '--rows 10000' '$scratch/out'"
expect "schema --rows 0: every row" 0 "$PIPEC" schema --rows 0 "$scratch/many.csv"
check "schema --rows 0: every row: the last makes it a str" sh -c "grep -q '^    n: str\$' '$scratch/out' && ! grep -q -- '--rows' '$scratch/out'"


# pipec plan: the plan pass's decisions, one line per stage, against
# tests/plan/NAME.plan (regenerate one with: pipec plan NAME.pipe > NAME.plan)
for p in tests/plan/*.pipe; do
    "$PIPEC" plan "$p" --word y >"$scratch/plan.out" 2>"$scratch/err"
    check "plan $p: exit 0" [ $? -eq 0 ]
    check "plan $p: the expected plan" cmp -s "$scratch/plan.out" "${p%.pipe}.plan"
done
expect "plan --pipeline: an unknown one" 2 "$PIPEC" plan tests/plan/decisions.pipe --pipeline nope
has "plan --pipeline: names it" "no pipeline named 'nope'"
rm -f "$scratch/out" # a folder of that name comes later
# the runtime obeys the plan: stdin | stdout of a regular file goes through
# sendfile(2), not through map's stage; a sort fused into top keeps nothing,
# so that a small --mem-limit spills nothing (a top whose key may fail: it does)
if command -v strace >/dev/null 2>&1; then
    seq 1 300000 >"$scratch/big.txt"
    for f in "stdin | stdout:1" "stdin | map(x => x) | stdout:0" \
        "stdin | sort(by: x => x) | top(3) | stdout:0" "stdin | sort | top(3, by: x => to_int(x)) | stdout:1"; do
        printf 'pipeline main { %s }\n' "${f%:*}" >"$scratch/obey.pipe"
        strace -f -e trace=sendfile,openat -o "$scratch/strace" "$PIPEC" run "$scratch/obey.pipe" --mem-limit 1MB \
            <"$scratch/big.txt" >"$scratch/obey.out" 2>"$scratch/err"
        n=$(grep -c 'sendfile(1\|O_TMPFILE' "$scratch/strace")
        check "the runtime obeys the plan: ${f%:*} (sendfile or spill: $n)" [ "$((n > 0))" -eq "${f##*:}" ]
    done
    rm -f "$scratch/big.txt" "$scratch/obey.out" "$scratch/strace"
else
    skipped "the runtime obeys the plan: strace is needed"
fi

# PIPE_REGEX_JIT=0: PCRE2's interpreter, the same matches (make valgrind uses it)
printf 'ab12 cd345\nx\n7 the end\n' >"$scratch/re.in"
printf 'pipeline main { stdin | replace("([a-z]+)([0-9]*)", "<\\\\2\\\\1>") | grep("[0-9][a-z]") | stdout }\n' >"$scratch/re.pipe"
"$PIPEC" run "$scratch/re.pipe" <"$scratch/re.in" >"$scratch/re.jit" 2>&1
PIPE_REGEX_JIT=0 "$PIPEC" run "$scratch/re.pipe" <"$scratch/re.in" >"$scratch/re.int" 2>&1
check "PIPE_REGEX_JIT=0: same matches" sh -c "printf '<12ab> <345cd>\n' | cmp -s - '$scratch/re.jit' && cmp -s '$scratch/re.jit' '$scratch/re.int'"

# build with no C compiler: libtcc writes the executable
cp examples/top_words.pipe examples/top_words.in "$scratch/"
(cd "$scratch" && CC=/nonexistent/cc "$PIPEC" build top_words.pipe -o tw 2>build.err)
check "build without a C compiler" sh -c "cd '$scratch' && ./tw --n 3 < top_words.in | cmp -s - '$top/examples/top_words.out'"

# the runtime cache of `pipec build`: made with its parent folders (a quote in
# the name too), the 8 objects used last kept, killed builds' leftovers removed
cache="$scratch/ca'che/sub"
mkdir -p "$cache"
for i in 1 2 3 4 5 6 7 8 9 10; do
    echo old >"$cache/runtime-00000000000000$((i + 10)).o"
    touch -d "$((20 - i)) days ago" "$cache/runtime-00000000000000$((i + 10)).o"
done
touch "$cache/runtime-0000000000000015.o" # used just now
echo left >"$cache/runtime-0000000000000099.123.c"
touch -d '2 days ago' "$cache/runtime-0000000000000099.123.c"
echo fresh >"$cache/runtime-0000000000000098.124.o" # a build running now
(cd "$scratch" && PIPEC_CACHE_DIR="$cache" "$PIPEC" build top_words.pipe -o twc 2>cache.err)
check "cache: build" sh -c "cd '$scratch' && ./twc --n 3 < top_words.in | cmp -s - '$top/examples/top_words.out'"
ls "$cache" >"$scratch/cache.ls"
check "cache: 8 objects kept ($(grep -c '^runtime-[0-9a-f]*\.o$' "$scratch/cache.ls"))" [ "$(grep -c '^runtime-[0-9a-f]*\.o$' "$scratch/cache.ls")" -eq 8 ]
check "cache: the one used just now is kept" grep -qx 'runtime-0000000000000015.o' "$scratch/cache.ls"
check "cache: the newest old ones are kept" grep -qx 'runtime-0000000000000020.o' "$scratch/cache.ls"
check "cache: the oldest are removed" sh -c "! grep -q 'runtime-000000000000001[1-3]\.o' '$scratch/cache.ls'"
check "cache: a day-old leftover removed" sh -c "! grep -q '\.123\.c' '$scratch/cache.ls'"
check "cache: a running build's file kept" grep -qx 'runtime-0000000000000098.124.o' "$scratch/cache.ls"
new_obj=$(ls -t "$cache" | grep -v '^runtime-00000000' | head -n 1)
touch -d '30 days ago' "$cache/$new_obj"
(cd "$scratch" && PIPEC_CACHE_DIR="$cache" "$PIPEC" build top_words.pipe -o twc 2>>cache.err)
check "cache: a hit marks the object used" [ -n "$(find "$cache" -name "$new_obj" -mmin -5)" ]

# a lone copy of pipec, in an empty folder and an empty environment
mkdir -p "$scratch/alone"
cp "$PIPEC" "$scratch/alone/pipec"
check "a lone pipec runs scripts" sh -c "cd '$scratch' && env -i ./alone/pipec run top_words.pipe --n 3 < top_words.in | cmp -s - '$top/examples/top_words.out'"

# diagnostics stay bounded and inert: a line of 4096 stray characters (each
# error used to print the whole 8 KB line: 50 MB) prints the first 20 errors,
# each with a window of the line, and no raw control byte reaches the terminal
awk 'BEGIN { printf "pipeline main {\n"; for (i = 0; i < 4096; i++) printf "\033@ "; printf "\n}\n" }' >"$scratch/garbage.pipe"
"$PIPEC" check "$scratch/garbage.pipe" >/dev/null 2>"$scratch/garbage.err"
check "garbage: exit 2" [ $? -eq 2 ]
check "garbage: under 10 KB of messages ($(wc -c <"$scratch/garbage.err"))" [ "$(wc -c <"$scratch/garbage.err")" -lt 10000 ]
check "garbage: 20 errors, then one line saying so" sh -c "[ \$(grep -c ': error: unexpected' '$scratch/garbage.err') -eq 20 ] && tail -n 1 '$scratch/garbage.err' | grep -q 'too many errors, stopping'"
check "garbage: no raw ESC byte" sh -c "! tr -d '\n' <'$scratch/garbage.err' | od -An -c | grep -q '033'"
check "garbage: ESC shown as \\\\x1b" grep -q 'unexpected characters .\\x1b@. (2 bytes)' "$scratch/garbage.err"
"$PIPEC" check --max-errors 3 "$scratch/garbage.pipe" >/dev/null 2>"$scratch/garbage3.err"
check "--max-errors 3" [ "$(grep -c ': error: unexpected' "$scratch/garbage3.err")" -eq 3 ]
"$PIPEC" check --max-errors=0 "$scratch/garbage.pipe" >/dev/null 2>"$scratch/garbage0.err"
check "--max-errors=0: no limit" [ "$(grep -c ': error: unexpected' "$scratch/garbage0.err")" -eq 4096 ]
"$PIPEC" check --max-errors x "$scratch/garbage.pipe" >/dev/null 2>&1
check "--max-errors x: usage error" [ $? -eq 2 ]

# an option of pipec after run's script is a usage error, never a parameter
# (a parameter named `safe` used to take --safe, and exec ran unconfined)
printf 'pipeline main(safe: bool = false) {\n    stdin | exec("touch ran") | stdout\n}\n' >"$scratch/safe_param.pipe"
(cd "$scratch" && "$PIPEC" run safe_param.pipe --safe </dev/null >/dev/null 2>safe_after.err)
check "run SCRIPT --safe: exit 2" [ $? -eq 2 ]
check "run SCRIPT --safe: exec did not run" [ ! -e "$scratch/ran" ]
check "run SCRIPT --safe: says where it goes" grep -q "option '--safe' of pipec goes before the script" "$scratch/safe_after.err"
for opt in --allow-read=. --max-errors=3 --sandbox; do
    "$PIPEC" run examples/top_words.pipe "$opt" </dev/null >/dev/null 2>"$scratch/opt.err"
    check "run SCRIPT $opt: usage error" sh -c "[ $? -eq 2 ] && grep -q 'goes before the script' '$scratch/opt.err'"
done
"$PIPEC" check "$scratch/safe_param.pipe" >/dev/null 2>"$scratch/safe_param.err"
check "a parameter named safe: compile error" grep -q "parameter 'safe' has the name of the pipec option --safe; rename it" "$scratch/safe_param.err"
# every option of a run (its --help) and of pipec run is refused as a parameter name
printf 'pipeline main { stdin | stdout }\n' >"$scratch/plain.pipe"
opts=$({ "$PIPEC" run "$scratch/plain.pipe" --help; "$PIPEC" --help | sed -n '/^trusted/,/^$/p'; } |
       grep -o -- '--[a-z_]*[^a-z_-]' | sed 's/^--//; s/.$//' | sort -u)
check "the run's options found ($(echo $opts))" sh -c "echo '$opts' | grep -qx timeout && echo '$opts' | grep -qx safe"
for o in $opts; do
    printf 'pipeline main(%s: int = 1) { stdin | stdout }\n' "$o" >"$scratch/opt_param.pipe"
    "$PIPEC" check "$scratch/opt_param.pipe" >/dev/null 2>"$scratch/opt_param.err"
    check "a parameter named $o: compile error" grep -q "parameter '$o' has the name of the .* --$o; rename it" "$scratch/opt_param.err"
done

# -o never overwrites an input (the script, an import, an extern's C file),
# whatever path names it; an output is written whole or not at all
mkdir -p "$scratch/out"
cp examples/extern_rot13.pipe examples/rot13.c "$scratch/out/"
printf 'proc up: str -> str = upper\n' >"$scratch/out/lib.pipe"
printf 'import "lib.pipe"\npipeline main { stdin | up | stdout }\n' >"$scratch/out/main.pipe"
cp -R "$scratch/out" "$scratch/orig"
ln -s main.pipe "$scratch/out/sym"
ln "$scratch/out/main.pipe" "$scratch/out/hard"
for cmd in "build main.pipe -o main.pipe" "emit-c main.pipe -o ./main.pipe" "graph main.pipe -o sym" \
           "emit-c main.pipe -o hard" "build main.pipe -o lib.pipe" "emit-c extern_rot13.pipe -o rot13.c"; do
    (cd "$scratch/out" && $PIPEC $cmd >/dev/null 2>../o.err)
    check "$cmd: exit 2" [ $? -eq 2 ]
    check "$cmd: says so" grep -q "pipec: error: the output '.*' is .*: choose another output file" "$scratch/o.err"
done
check "-o: the inputs are unchanged" sh -c "cd '$scratch' && cmp -s out/main.pipe orig/main.pipe && cmp -s out/lib.pipe orig/lib.pipe && cmp -s out/rot13.c orig/rot13.c && [ -L out/sym ]"
printf '#!/bin/sh\n# a C compiler that dies halfway: writes part of -o, then fails\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && printf partial >"$2"; shift; done\nexit 1\n' >"$scratch/badcc"
chmod +x "$scratch/badcc"
echo old >"$scratch/out/prog"
(cd "$scratch/out" && CC="$scratch/badcc" PIPEC_CACHE_DIR="$scratch/cc_cache" "$PIPEC" build ../orig/main.pipe -o prog >/dev/null 2>&1)
check "a failed build: exit 1" [ $? -eq 1 ]
check "a failed build: the old output is whole" sh -c "[ \"\$(cat '$scratch/out/prog')\" = old ]"
ln -s prog "$scratch/out/prog_link"
(cd "$scratch/out" && "$PIPEC" emit-c main.pipe -o prog_link 2>/dev/null)
check "-o through a symlink: its target written, the link kept" sh -c "[ -L '$scratch/out/prog_link' ] && head -n 1 '$scratch/out/prog' | grep -q '^/\\* cc'"
check "-o: no temporary left behind" sh -c "! ls -a '$scratch/out' | grep -q pipec-"

# nesting the emitted C can hold: check, run and build agree.  32 levels (the
# limit) compile everywhere, 33 are a compile error at check time (libtcc ran
# out of its value stack at about 50 and blamed pipec); chains of operators
# are emitted flat, so long ones compile too (300 str + used to fail)
deep() { awk -v n="$1" 'BEGIN { e = "s"; for (i = 0; i < n; i++) e = "replace(s, " e ", \"b\")"
                               print "pipeline main { stdin | map(s => " e ") | stdout }" }'; }
deep 31 >"$scratch/deep32.pipe"
deep 32 >"$scratch/deep33.pipe"
awk 'BEGIN { printf "pipeline main { stdin | map(s => s"; for (i = 0; i < 300; i++) printf " + s"
             printf ") | map(s => str(len(s)) + \" \" + str(1000000"; for (i = 0; i < 3000; i++) printf " / 1"
             printf " + 0.5 - 1 * 2)"; for (i = 0; i < 200; i++) printf " + \"\""
             print ") | filter(s => len(s) > 0 and true or false and len(s) > 1) | stdout }" }' >"$scratch/chains.pipe"
for f in deep32 chains; do
    check "$f: check" "$PIPEC" check "$scratch/$f.pipe"
    echo ab | "$PIPEC" run "$scratch/$f.pipe" >"$scratch/$f.run" 2>&1
    check "$f: run" [ $? -eq 0 ]
    (cd "$scratch" && "$PIPEC" build $f.pipe -o $f.bin >/dev/null 2>&1 && echo ab | ./$f.bin >$f.bin.out 2>&1)
    check "$f: build, the same output" cmp -s "$scratch/$f.run" "$scratch/$f.bin.out"
done
check "chains: the values" grep -qx '602 999998.5' "$scratch/chains.run"
for cmd in check run build; do
    (cd "$scratch" && "$PIPEC" $cmd deep33.pipe -o deep33.bin </dev/null >/dev/null 2>deep33.err)
    check "deep33: $cmd is a compile error" [ $? -eq 2 ]
    check "deep33: $cmd says why" grep -q '^deep33.pipe:1:[0-9]*: error: expression nested too deep: 33 levels, the limit is 32$' "$scratch/deep33.err"
done

# wide tuples (bug: 148 fields or more gave C that did not compile, the type
# names cut at two different lengths): 300 fields through run and build, as a
# map key (count), a sort key and printed whole
awk 'BEGIN { printf "pipeline main { stdin | map(s => ("; for (i = 0; i < 300; i++) printf "%s%s", (i ? ", " : ""), (i % 3 ? "len(s) + " i : "s")
             print ")) | count | sort(by: p => p.0) | map(p => p.0.0 + \" \" + str(p.0.299) + \" \" + str(p.1)) | stdout }" }' >"$scratch/wide.pipe"
printf 'b\na\nb\n' >"$scratch/wide.in"
"$PIPEC" run "$scratch/wide.pipe" <"$scratch/wide.in" >"$scratch/wide.run" 2>&1
check "300-field tuple: run" [ $? -eq 0 ]
check "300-field tuple: the values" [ "$(tr '\n' '|' <"$scratch/wide.run")" = "a 300 1|b 300 2|" ]
(cd "$scratch" && "$PIPEC" build wide.pipe -o wide.bin >/dev/null 2>&1 && ./wide.bin <wide.in >wide.bin.out 2>&1)
check "300-field tuple: build, the same output" cmp -s "$scratch/wide.run" "$scratch/wide.bin.out"

# a computed path with a NUL byte is a runtime error of its stage (it used
# to open the file named by the bytes before the NUL)
mkdir -p "$scratch/nul"
printf 'pipeline main(p: str = "x") {\n    stdin | file(p + "\\0y")\n}\n' >"$scratch/nul/sink.pipe"
printf 'pipeline main(p: str = "x") {\n    files(p + "\\0*") | stdout\n}\n' >"$scratch/nul/glob.pipe"
echo x >"$scratch/nul/x"
for f in sink glob; do
    (cd "$scratch/nul" && echo a | "$PIPEC" run $f.pipe >/dev/null 2>$f.err)
    check "NUL in a computed path ($f): exit 1" [ $? -eq 1 ]
    check "NUL in a computed path ($f): says so" grep -q 'runtime error in stage files*: a file path cannot hold a NUL byte' "$scratch/nul/$f.err"
done
check "NUL in a computed path: x untouched" sh -c "[ \"\$(cat '$scratch/nul/x')\" = x ]"

# compile time grows linearly: 100k procs, 100k lets in one block, 20k
# streams bound in a pipeline each check in well under the bound (~0.1-0.3 s
# each; the lookups used to scan, and 100k procs took over a minute)
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "proc p%d: str -> str = grep(\"a\")\n", i
             print "pipeline main { stdin | p99999 | stdout }" }' >"$scratch/procs.pipe"
check "100k procs check in 10 s" timeout 10 "$PIPEC" check "$scratch/procs.pipe"
awk 'BEGIN { print "proc q: str -> str {\n on x {"; for (i = 0; i < 100000; i++) printf "  let v%d = %d\n", i, i
             print "  emit x + str(v99999 + v0)\n }\n}\npipeline main { stdin | q | stdout }" }' >"$scratch/lets.pipe"
check "100k lets run in 10 s" sh -c "echo a | timeout 10 '$PIPEC' run '$scratch/lets.pipe' | grep -qx a99999"
awk 'BEGIN { print "pipeline main {\n s0 = stdin"; for (i = 1; i < 20000; i++) printf " s%d = s%d | trim\n", i, i - 1
             print " s19999 | stdout\n}" }' >"$scratch/binds.pipe"
check "20k bound streams check in 10 s" timeout 10 "$PIPEC" check "$scratch/binds.pipe"

# check --format json: one JSON object per diagnostic per line on stdout,
# nothing on stderr, the exit codes of check
printf 'pipeline main {\n    stdin | filter(x => x != "\377" && true) | stdout\n    stdin | grep("x" | stdout\n}\n' >"$scratch/j.pipe"
"$PIPEC" check --format json "$scratch/j.pipe" >"$scratch/j.out" 2>"$scratch/j.err"
check "check --format json: exit 2" [ $? -eq 2 ]
check "check --format json: stderr empty" [ ! -s "$scratch/j.err" ]
check "check --format json: one line per diagnostic" [ "$(wc -l <"$scratch/j.out")" -eq 2 ]
check "check --format json: every line is JSON" sh -c "while read -r l; do printf '%s' \"\$l\" | python3 -m json.tool >/dev/null || exit 1; done <'$scratch/j.out'"
jf() { python3 -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print($1)" "$scratch/j.out"; }
check "check --format json: fields" [ "$(jf "r[0]['severity'], r[0]['code'], r[0]['file'].endswith('j.pipe')")" = "error c-operator True" ]
check "check --format json: start and end" [ "$(jf "r[0]['start'], r[0]['end']")" = "{'line': 2, 'col': 34, 'offset': 49} {'line': 2, 'col': 36, 'offset': 51}" ]
check "check --format json: a fix-it" [ "$(jf "r[0]['fixes'][0]['text'], r[0]['fixes'][0]['start']['offset'], r[0]['fixes'][0]['end']['offset']")" = "and 49 51" ]
check "check --format json: a note" [ "$(jf "r[1]['code'], r[1]['notes'][0]['message'], r[1]['notes'][0]['start']")" = "unclosed-delimiter '(' opened here {'line': 3, 'col': 17, 'offset': 83}" ]
"$PIPEC" check --format json examples/top_words.pipe >"$scratch/j.ok" 2>&1
check "check --format json: a good script: exit 0, no output" sh -c "[ $? -eq 0 ] && [ ! -s '$scratch/j.ok' ]"
"$PIPEC" check --format json "$scratch/none.pipe" >"$scratch/j.out" 2>"$scratch/j.err"
check "check --format json: unreadable script" sh -c "[ $? -eq 2 ] && [ \"\$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); print(r[\"code\"], r[\"file\"])' '$scratch/j.out')\" = 'cannot-read None' ]"
"$PIPEC" check --format yaml "$scratch/j.pipe" >/dev/null 2>"$scratch/err"
check "check --format yaml: usage error" sh -c "[ $? -eq 2 ] && grep -q 'expected text or json' '$scratch/err'"
"$PIPEC" check --format text "$scratch/j.pipe" >/dev/null 2>"$scratch/j.text"
"$PIPEC" check "$scratch/j.pipe" >/dev/null 2>"$scratch/j.plain"
check "check --format text: as without" cmp -s "$scratch/j.text" "$scratch/j.plain"
# every error the golden tests show has a code of its own
(cd tests/errors && for f in *.pipe; do "$PIPEC" check --format json --max-errors 0 "$f"; done) >"$scratch/codes" 2>&1
check "check --format json: every error in tests/errors has a code" sh -c "[ -s '$scratch/codes' ] && ! grep -q '\"code\":\"unclassified' '$scratch/codes'"

# make install
if make -s install PIPEC="$PIPEC" PREFIX=/usr DESTDIR="$scratch/root" >/dev/null 2>&1; then
    check "install: binary" [ -x "$scratch/root/usr/bin/pipec" ]
    check "install: man page" [ -f "$scratch/root/usr/share/man/man1/pipec.1" ]
    check "install: completion" [ -f "$scratch/root/usr/share/bash-completion/completions/pipec" ]
else
    check "make install" false
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
