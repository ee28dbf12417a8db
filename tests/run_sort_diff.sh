#!/bin/sh
# Differential tests of the sort stage against coreutils' `LC_ALL=C sort -s`:
# random lines from tests/sort_diff/gen.py (seed SDIFF_SEED: high and control
# bytes, many ties, common prefixes past 7 and past 448 bytes, strs that are
# prefixes of each other, NUL bytes, empty lines and fields), sorted plain, with
# desc: true, by a str key, by a tuple key, by an int key and as ints, in
# memory and spilling (--mem-limit 1M: a few runs; 64K: hundreds, merged in
# levels).  Keys tie often and every line ends with its number, so an
# unstable sort shows.  Each case runs under `pipec run`; a few also as a built
# binary (unless SKIP_BUILD=1).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
SDIFF_SEED=${SDIFF_SEED:-1}
TMPDIR=$scratch/tmp
export TMPDIR
mkdir -p "$TMPDIR"

command -v python3 >/dev/null 2>&1 || suite_skipped sort_diff "python3 not found"
python3 "$top/tests/sort_diff/gen.py" "$SDIFF_SEED" "$scratch" || { echo "sort_diff: gen.py failed"; exit 2; }

# case NAME INPUT BODY REF: `stdin | BODY | stdout` on INPUT must print what the
# shell command REF prints
ncase=0
case_() {
    name=$1 input=$2 ref=$4
    printf 'pipeline main {\n    stdin\n      | %s\n      | stdout\n}\n' "$3" >"$scratch/$name.pipe"
    [ "$input" = "$name" ] || cp "$scratch/$input.in" "$scratch/$name.in"
    sh -c "$ref" <"$scratch/$name.in" >"$scratch/$name.exp"
    ncase=$((ncase + 1))
}
case_ plain lines 'sort' 'sort'
case_ plain_ties lines 'map(l => field(l, 0, " ")) | sort' "cut -d' ' -f1 | sort"
case_ desc lines 'sort(desc: true)' 'sort -r'
case_ nul nul 'sort' 'sort'
case_ nul_desc nul 'sort(desc: true)' 'sort -r'
case_ desc_ties lines 'map(l => field(l, 0, " ")) | sort(desc: true)' "cut -d' ' -f1 | sort -r"
case_ key lines 'sort(by: l => field(l, 1, " "))' "sort -s -t' ' -k2,2"
case_ key_desc lines 'sort(by: l => field(l, 1, " "), desc: true)' "sort -s -r -t' ' -k2,2"
case_ key_tuple lines 'sort(by: l => (field(l, 0, " "), field(l, 1, " ")))' "sort -s -t' ' -k1,1 -k2,2"
case_ key_int ints 'sort(by: l => to_int(field(l, 0, " ")))' "sort -s -n -t' ' -k1,1"
case_ key_int_desc ints 'sort(by: l => to_int(field(l, 0, " ")), desc: true)' "sort -s -r -n -t' ' -k1,1"
case_ int_items ints 'map(l => to_int(field(l, 0, " "))) | sort' "cut -d' ' -f1 | sort -n | sed 's/^-0\$/0/'"

# compare NAME MODE RUNNER...: NAME.in through RUNNER against NAME.exp
compare() {
    run_case "$@"
    if [ -n "$c_why" ]; then
        :
    elif ! cmp -s "$c_out.out" "$scratch/$c_name.exp"; then
        c_why="differs from sort (< pipec, > sort):
$(diff "$c_out.out" "$scratch/$c_name.exp" | head -n 6 | cut -c 1-120)"
    fi
    verdict "$c_name ($c_mode)" "$c_why"
}

for script in "$scratch"/*.pipe; do
    name=$(basename "$script" .pipe)
    compare "$name" run "$PIPEC" run "$script"
    compare "$name" "spill 1M" "$PIPEC" run "$script" --mem-limit 1M
    compare "$name" "spill 64K" "$PIPEC" run "$script" --mem-limit 64K
done
# the runtime compiled by cc, not linked into pipec
if [ -z "${SKIP_BUILD:-}" ]; then
    for name in plain key_desc key_int; do
        if "$PIPEC" build "$scratch/$name.pipe" -o "$scratch/$name.bin" >"$scratch/$name.build" 2>&1; then
            compare "$name" bin "$scratch/$name.bin"
            compare "$name" "bin, spill 1M" "$scratch/$name.bin" --mem-limit 1M
        else
            verdict "$name (bin)" "pipec build failed: $(head -c 300 "$scratch/$name.build")"
        fi
    done
fi

verdict "no temporary file left" "$([ -n "$(ls -A "$TMPDIR")" ] && echo "files left in TMPDIR")"
[ "$ncase" -eq 12 ] || verdict "cases" "$ncase cases, expected 12"

echo "sort_diff: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
