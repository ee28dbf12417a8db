#!/bin/sh
# The idiom corpus (bench/idioms/) as a correctness suite: every formulation of every task runs
# under `pipec run` on a small generated input (IDIOMS_LINES lines, default 500, of the task's
# input kind) and must print byte for byte what the task's reference command (ref.sh: awk,
# coreutils, grep, sed) prints. A rewrite of the optimizer that changes an output fails here;
# bench/idioms.sh times the same scripts on big inputs. IDIOMS picks tasks.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. "$top/tests/lib.sh"
. "$top/bench/idioms/lib.sh"
IDIOMS_LINES=${IDIOMS_LINES:-500}

tasks=$(idioms_tasks "${IDIOMS:-}") || exit 2
for t in $tasks; do
    kind=$(idioms_kind "$t")
    in=$(idioms_input "$kind" 1 "$scratch" "$IDIOMS_LINES") || { echo "idioms: cannot make the $kind input"; exit 2; }
    if ! sh "$IDIOMS_DIR/$t/ref.sh" <"$in" >"$scratch/$t.ref" 2>"$scratch/$t.ref.err" || [ -s "$scratch/$t.ref.err" ]; then
        verdict "$t (reference)" "ref.sh failed: $(head -c 300 "$scratch/$t.ref.err")"
        continue
    fi
    [ -s "$scratch/$t.ref" ] || verdict "$t (reference)" "ref.sh printed nothing: the input does not exercise the task"
    for f in $(idioms_forms "$t"); do
        "$PIPEC" run "$IDIOMS_DIR/$t/$f.pipe" <"$in" >"$scratch/$t.$f.out" 2>"$scratch/$t.$f.err"
        rc=$?
        why=
        if [ "$rc" -ne 0 ] || [ -s "$scratch/$t.$f.err" ]; then
            why="exit $rc: $(head -c 300 "$scratch/$t.$f.err")"
        elif ! cmp -s "$scratch/$t.ref" "$scratch/$t.$f.out"; then
            why="differs from ref.sh: $(cmp "$scratch/$t.ref" "$scratch/$t.$f.out" 2>&1 | head -n 1 | sed "s|$scratch/||g")"
            diff "$scratch/$t.ref" "$scratch/$t.$f.out" | head -n 6 >"$scratch/$t.$f.diff"
        fi
        verdict "$t/$f" "$why" "$scratch/$t.$f.diff"
    done
done
summary idioms
