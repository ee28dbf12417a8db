#!/bin/sh
# pipec graph: Graphviz's dot must accept the DOT of every example and test
# script, and the DOT must hold the expected nodes and typed edges; --format svg
# and png render through dot, and say clearly when dot is not installed.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if ! command -v dot >/dev/null 2>&1; then
    suite_skipped graph "Graphviz's dot is not installed (apt-get install graphviz)"
fi
cd "$top" || exit 2

# every script that checks: its graph renders
for script in examples/*.pipe tests/golden/*.pipe; do
    "$PIPEC" check "$script" >/dev/null 2>&1 || continue
    args=""
    case $(cat "${script%.pipe}.args" 2>/dev/null) in *--pipeline*) args="--pipeline shout" ;; esac
    # shellcheck disable=SC2086
    if "$PIPEC" graph "$script" $args >"$scratch/g.dot" 2>"$scratch/g.err" &&
        dot -Tsvg "$scratch/g.dot" >"$scratch/g.svg" 2>"$scratch/dot.err" && [ ! -s "$scratch/dot.err" ]; then
        pass=$((pass + 1))
    else
        bad "$script: dot does not accept the graph"
        cat "$scratch/g.err" "$scratch/dot.err" | head -5
    fi
done

# expect FILE LINE: the DOT holds that exact line
expect() {
    if grep -qxF "$2" "$1"; then pass=$((pass + 1)); else bad "graph lacks: $2"; fi
}
"$PIPEC" graph examples/triage.pipe >"$scratch/triage.dot"
expect "$scratch/triage.dot" '    n1 [label="file(log)\n4:13", shape=invhouse];'
expect "$scratch/triage.dot" '    n4 [label="merge(errors, warns)\n7:5", shape=invtrapezium];'
expect "$scratch/triage.dot" '    n5 [label="file(\"problems.log\")\n7:28", shape=house];'
expect "$scratch/triage.dot" '    n1 -> n2 [label="str"];'
expect "$scratch/triage.dot" '    n1 -> n3 [label="str"];'
expect "$scratch/triage.dot" '    n1 -> n6 [label="str"];'
expect "$scratch/triage.dot" '    n2 -> n4 [label="str #1"];'
expect "$scratch/triage.dot" '    n3 -> n4 [label="str #2"];'
expect "$scratch/triage.dot" '    n6 -> n7 [label="int"];'
"$PIPEC" graph examples/top_words.pipe >"$scratch/top.dot"
expect "$scratch/top.dot" '    n4 -> n5 [label="(str, int)"];'
"$PIPEC" graph examples/import.pipe >"$scratch/import.dot"
expect "$scratch/import.dot" '        label="clean (6:9)";'
# records: their names on the edges (LANGUAGE.md §8), T? as written
"$PIPEC" graph tests/golden/records_csv.pipe >"$scratch/rec.dot"
expect "$scratch/rec.dot" '    n2 -> n3 [label="Release"];'
"$PIPEC" graph tests/golden/records_ops.pipe >"$scratch/ops.dot"
expect "$scratch/ops.dot" '    n18 -> n19 [label="str?"];'
expect "$scratch/ops.dot" '    n15 -> n16 [label="(str?, int)"];'

# rendering, and the message without dot
if "$PIPEC" graph examples/triage.pipe --format svg -o "$scratch/t.svg" && grep -q '<svg' "$scratch/t.svg"; then
    pass=$((pass + 1))
else
    bad "--format svg"
fi
if "$PIPEC" graph examples/triage.pipe --format=png >"$scratch/t.png" && [ "$(head -c 4 "$scratch/t.png" | tail -c 3)" = PNG ]; then
    pass=$((pass + 1))
else
    bad "--format png"
fi
mkdir -p "$scratch/nodot"
PATH="$scratch/nodot" "$PIPEC" graph examples/triage.pipe --format svg >/dev/null 2>"$scratch/nodot.err"
code=$?
if [ $code -eq 1 ] && grep -q "needs Graphviz's 'dot', which is not installed" "$scratch/nodot.err"; then
    pass=$((pass + 1))
else
    bad "--format svg without dot: exit $code, $(cat "$scratch/nodot.err")"
fi
"$PIPEC" graph examples/triage.pipe --format gif >/dev/null 2>&1
[ $? -eq 2 ] && pass=$((pass + 1)) || bad "--format gif is a usage error"

echo "graph: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
