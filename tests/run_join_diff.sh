#!/bin/sh
# Differential tests of join and left_join (LANGUAGE.md §9) against GNU
# `join -t:`: JDIFF_ROUNDS pairs of random ':'-separated files (seed
# JDIFF_SEED; keys from a small alphabet, so that keys repeat on both sides,
# match nowhere, or are empty), joined on field 1 of each.
#   - sorted: both files sorted (LC_ALL=C sort -t: -k1,1), the flow the first:
#     pipec's order (the flow's, then other's for each item) is GNU join's, so
#     the outputs must be equal byte for byte; left_join against `join -a 1`.
#   - unsorted: the files as generated; GNU join needs sorted input, so its
#     output (of the sorted files) and pipec's are compared as sorted
#     multisets (the same pairs, in another order).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
JDIFF_SEED=${JDIFF_SEED:-1}
JDIFF_ROUNDS=${JDIFF_ROUNDS:-40}
command -v join >/dev/null 2>&1 || suite_skipped join_diff "join not found"
command -v python3 >/dev/null 2>&1 || suite_skipped join_diff "python3 not found"

# gen SEED FILE1 FILE2: two random files of lines "key:field:field"
gen() {
    python3 - "$@" <<'PY'
import random, sys
r = random.Random(int(sys.argv[1]))
keys = ["", "a", "b", "c", "ab", "b1", "z"] + [str(i) for i in range(r.randint(1, 8))]
for path in sys.argv[2:]:
    with open(path, "w") as f:
        for _ in range(r.randint(0, 30)):
            fields = [r.choice(keys)] + ["".join(r.choice("xyz%= ") for _ in range(r.randint(0, 4)))
                                         for _ in range(r.randint(0, 3))]
            f.write(":".join(fields) + "\n")
PY
}

# the fields of a line after the first, each after a ':' (join's output)
cat >"$scratch/j.pipe" <<'PIPE'
pipeline main(a: str = "a", b: str = "b", left: bool = false) {
    others = file(b)
    file(a) | filter(l => not left) | join(others, on: l => field(l, 0, ":"), with: (x, y) => field(x, 0, ":") + replace_first(x, "^[^:]*", "") + replace_first(y, "^[^:]*", "")) | stdout
    file(a) | filter(l => left) | left_join(others, on: l => field(l, 0, ":"), with: (x, y) => field(x, 0, ":") + replace_first(x, "^[^:]*", "") + replace_first(y ?? "", "^[^:]*", "")) | stdout
}
PIPE
"$PIPEC" build "$scratch/j.pipe" -o "$scratch/j" 2>"$scratch/err" || { echo "join_diff: build failed"; cat "$scratch/err"; exit 2; }

i=0
while [ $i -lt "$JDIFF_ROUNDS" ]; do
    seed=$((JDIFF_SEED * 1000 + i))
    d=$scratch/r$i
    mkdir -p "$d"
    gen "$seed" "$d/a" "$d/b"
    sort -t: -k1,1 "$d/a" >"$d/as"
    sort -t: -k1,1 "$d/b" >"$d/bs"
    join -t: "$d/as" "$d/bs" >"$d/exp" 2>/dev/null
    join -t: -a 1 "$d/as" "$d/bs" >"$d/exp_left" 2>/dev/null
    "$scratch/j" --a "$d/as" --b "$d/bs" >"$d/got" 2>"$d/err"
    verdict "sorted/$seed" "$(cmp -s "$d/exp" "$d/got" || echo "differs from join -t: ($d)")"
    "$scratch/j" --a "$d/as" --b "$d/bs" --left true >"$d/got_left" 2>"$d/err"
    verdict "left/$seed" "$(cmp -s "$d/exp_left" "$d/got_left" || echo "differs from join -t: -a 1 ($d)")"
    "$PIPEC" run "$scratch/j.pipe" --a "$d/a" --b "$d/b" 2>"$d/err" | sort >"$d/got_u"
    sort "$d/exp" >"$d/exp_u"
    verdict "unsorted/$seed" "$(cmp -s "$d/exp_u" "$d/got_u" || echo "differs from join -t: as a multiset ($d)")"
    i=$((i + 1))
done
# other is read before the flow starts, so the flow is not kept: 300000
# lines through a join, with other from 300000 lines too, under --mem-limit 1M
# (read side by side, the flow's lines would be kept: ~10 MB)
seq 1 300000 >"$scratch/big"
printf 'pipeline main(big: str = "") {\n    others = file(big) | filter(l => l == "7")\n    stdin | join(others, on: l => l, with: (x, y) => x) | stdout\n}\n' >"$scratch/stream.pipe"
"$PIPEC" run "$scratch/stream.pipe" --big "$scratch/big" --mem-limit 1M <"$scratch/big" >"$scratch/stream.out" 2>"$scratch/err"
verdict "streams the flow" "$([ "$(cat "$scratch/stream.out")" = 7 ] || echo "expected 7, got $(head -c 200 "$scratch/stream.out"; head -c 300 "$scratch/err")")"
summary join_diff
