#!/bin/sh
# Differential tests of LANGUAGE.md §9's list operations and slices (xs + ys,
# xs[i:j] and s[i:j], reverse, sort with by: and desc:, sum, min, max,
# contains): random lists of strs, ints and floats and random slice bounds
# (huge ones too) from tests/lists_diff/gen.py (seed LDIFF_SEED), where pipec
# must print what Python prints (NAME.exp: slicing on bytes, sorted(),
# min/max, reversed, `in`; gen.py says where its reference is not Python's
# builtin).  Each script runs under `pipec run` and as a built binary (unless
# SKIP_BUILD=1).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
LDIFF_SEED=${LDIFF_SEED:-1}

command -v python3 >/dev/null 2>&1 || suite_skipped lists_diff "python3 not found"
python3 "$top/tests/lists_diff/gen.py" "$LDIFF_SEED" "$scratch" || { echo "lists_diff: gen.py failed"; exit 2; }

# compare NAME MODE RUNNER...: NAME.in through RUNNER against NAME.exp
compare() {
    run_case "$@"
    if [ -n "$c_why" ]; then
        :
    elif ! cmp -s "$c_out.out" "$scratch/$c_name.exp"; then
        c_why="differs from Python (< pipec, > Python):
$(diff "$c_out.out" "$scratch/$c_name.exp" | head -n 6)"
    fi
    verdict "$c_name ($c_mode)" "$c_why"
}

for script in "$scratch"/*.pipe; do
    name=$(basename "$script" .pipe)
    compare "$name" run "$PIPEC" run "$script"
    [ -n "${SKIP_BUILD:-}" ] && continue
    if "$PIPEC" build "$script" -o "$scratch/$name.bin" >"$scratch/$name.build" 2>&1; then
        compare "$name" bin "$scratch/$name.bin"
    else
        verdict "$name (bin)" "pipec build failed: $(head -c 300 "$scratch/$name.build")"
    fi
done

echo "lists_diff: $(cat "$scratch"/*.in | wc -l) input lines, each run and built, against Python"
summary lists_diff
