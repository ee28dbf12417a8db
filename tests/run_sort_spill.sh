#!/bin/sh
# sort past its memory budget (--mem-limit): it spills sorted runs to temporary
# files and merges them.  On ~40 MB of generated lines with --mem-limit 10M the
# output must equal coreutils' sort byte for byte (LC_ALL=C; -s where ties
# show), for the item itself, desc, a key function (stable), ints, tuples and
# lists; peak RSS (/usr/bin/time) must stay under 2x the budget + 10 MB; a
# budget of 64K makes hundreds of runs (merged in levels); the temporary files
# must be gone (TMPDIR is a scratch folder checked empty); errors: a bad
# --mem-limit or PIPE_MEM_LIMIT (exit 2), an unusable TMPDIR, a full disk
# (ulimit -f) (exit 1, a message naming the temporary file).
# PIPEC names the compiler (default bin/pipec); SKIP_BUILD=1 skips the binary.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL sort_spill: $1"; }
TMPDIR=$scratch/tmp
export TMPDIR
mkdir -p "$TMPDIR"
LIMIT_KB=10240
MAX_KB=$((2 * LIMIT_KB + 10240))
# ASan builds use far more memory: their RSS says nothing about the budget
case $PIPEC in *asan*) check_rss=no ;; *) check_rss=yes ;; esac
[ -x /usr/bin/time ] || check_rss=no
# under memcheck (make valgrind) RSS is valgrind's, and valgrind itself needs TMPDIR
[ "${PIPEC_UNDER_VALGRIND:-}" = 1 ] && check_rss=no

# --- inputs: ~40 MB of lines "wA kB C padding", ints -------------------------
awk 'BEGIN { srand(7); for (i = 0; i < 1000000; i++)
    printf "w%d k%d %08d some padding text\n", int(rand() * 100000), int(rand() * 1000), i }' >"$scratch/big.in"
awk 'BEGIN { srand(11); for (i = 0; i < 1000000; i++) printf "%d\n", int(rand() * 2000000000) - 1000000000 }' \
    >"$scratch/ints.in"
head -n 100000 "$scratch/big.in" >"$scratch/small.in"

script() { # script NAME BODY: a pipeline `stdin | BODY | stdout`
    printf 'pipeline main {\n    stdin | %s | stdout\n}\n' "$2" >"$scratch/$1.pipe"
}
script plain 'sort'
script desc 'sort(desc: true)'
script key 'sort(by: s => field(s, 1, " "))'
script keydesc 'sort(by: s => field(s, 1, " "), desc: true)'
script ints 'to_int | sort'
script tuple 'map(s => (field(s, 1, " "), to_int(field(s, 2, " ")) % 7, field(s, 0, " "))) | sort'
script list 'map(s => split(s, "1")) | sort | map(l => join(l, "1"))'
script floats 'map(s => to_float(s) / 1000) | sort(desc: true)'

# run NAME WHAT INPUT REF [OPTIONS...]: pipec run NAME.pipe OPTIONS < INPUT
# must print what the command REF prints; RSS checked when --mem-limit 10M.
run() {
    name=$1 what=$2 input=$3 ref=$4
    shift 4
    /usr/bin/time -f %M -o "$scratch/rss" "$PIPEC" run "$scratch/$name.pipe" "$@" <"$input" >"$scratch/out" \
        2>"$scratch/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        bad "$what: exit $rc: $(head -c 300 "$scratch/err")"
        return
    fi
    sh -c "$ref" <"$input" >"$scratch/ref"
    if cmp -s "$scratch/out" "$scratch/ref"; then ok; else bad "$what: the output differs from '$ref'"; fi
    if [ "$check_rss" = yes ] && [ "$*" = "--mem-limit 10M" ]; then
        kb=$(tail -n 1 "$scratch/rss")
        echo "  $what: peak RSS $kb KB (budget $LIMIT_KB KB, input $(($(wc -c <"$input") / 1024)) KB)"
        if [ "$kb" -le "$MAX_KB" ]; then ok; else bad "$what: peak RSS $kb KB > $MAX_KB KB"; fi
    fi
}

run plain "sort" "$scratch/big.in" "sort" --mem-limit 10M
run desc "sort(desc: true)" "$scratch/big.in" "sort -r" --mem-limit 10M
run key "sort(by: field 1)" "$scratch/big.in" "sort -s -t ' ' -k2,2" --mem-limit 10M
run keydesc "sort(by: field 1, desc: true)" "$scratch/big.in" "sort -s -r -t ' ' -k2,2" --mem-limit 10M
run ints "to_int | sort" "$scratch/ints.in" "sort -n" --mem-limit 10M
# fits in memory: no spill
run plain "sort, no spill" "$scratch/small.in" "sort"
run key "sort(by:), no spill" "$scratch/small.in" "sort -s -t ' ' -k2,2"
# a tiny budget: hundreds of runs, merged 64 at a time in levels
run key "sort(by:) --mem-limit 64K" "$scratch/small.in" "sort -s -t ' ' -k2,2" --mem-limit 64K
run plain "sort --mem-limit=64K" "$scratch/small.in" "sort" --mem-limit=64K
# the budget from the environment
PIPE_MEM_LIMIT=64K run keydesc "PIPE_MEM_LIMIT=64K" "$scratch/small.in" "sort -s -r -t ' ' -k2,2"

# tuples, lists, floats: spilled output equals the in-memory sort's
for name in tuple list floats; do
    input=$scratch/small.in
    [ $name = floats ] && input=$scratch/ints.in
    "$PIPEC" run "$scratch/$name.pipe" <"$input" >"$scratch/mem.out" 2>"$scratch/err" || bad "$name in memory: $(cat "$scratch/err")"
    run $name "$name items --mem-limit 64K" "$input" "cat '$scratch/mem.out'" --mem-limit 64K
done

# a built binary (the runtime compiled by cc, not the JIT)
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    if "$PIPEC" build "$scratch/key.pipe" -o "$scratch/key.bin" 2>"$scratch/err"; then
        "$scratch/key.bin" --mem-limit 100K <"$scratch/small.in" >"$scratch/out" 2>"$scratch/err"
        sort -s -t ' ' -k2,2 "$scratch/small.in" | cmp -s - "$scratch/out" && ok ||
            bad "built binary --mem-limit 100K: $(head -c 300 "$scratch/err")"
    else
        bad "pipec build: $(head -c 300 "$scratch/err")"
    fi
fi

# no temporary file is left
if [ -z "$(ls -A "$TMPDIR")" ]; then ok; else bad "files left in TMPDIR: $(ls -A "$TMPDIR" | head -5)"; fi

# errors
expect_fail() { # expect_fail WHAT CODE TEXT [env ...] -- OPTIONS: exit CODE, TEXT on stderr
    what=$1 code=$2 text=$3
    shift 3
    "$@" <"$scratch/small.in" >/dev/null 2>"$scratch/err"
    rc=$?
    if [ $rc -eq "$code" ] && grep -q -e "$text" "$scratch/err"; then ok; else
        bad "$what: exit $rc (expected $code), stderr: $(head -c 300 "$scratch/err")"
    fi
}
expect_fail "--mem-limit 10X" 2 "bad value for '--mem-limit'" "$PIPEC" run "$scratch/plain.pipe" --mem-limit 10X
expect_fail "--mem-limit 0" 2 "bad value for '--mem-limit'" "$PIPEC" run "$scratch/plain.pipe" --mem-limit=0
expect_fail "--mem-limit without a value" 2 "needs a value" "$PIPEC" run "$scratch/plain.pipe" --mem-limit
expect_fail "PIPE_MEM_LIMIT=lots" 2 "PIPE_MEM_LIMIT" env PIPE_MEM_LIMIT=lots "$PIPEC" run "$scratch/plain.pipe"
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ]; then
    skipped "TMPDIR missing (valgrind needs TMPDIR itself)"
else
    expect_fail "TMPDIR missing" 1 "runtime error in stage sort: cannot create a temporary file in" \
        env TMPDIR="$scratch/nowhere" "$PIPEC" run "$scratch/plain.pipe" --mem-limit 64K
fi
# sort | top: top breaks its ties in the sort's order, so the sort holds no item
# (fused): a budget that would make the sort spill needs no temporary file
script topk 'map(s => split(s, " ")) | map(f => (f[1], f[0])) | sort(by: p => p.1) | top(5, by: p => p.0) | format("{0} {1}")'
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ]; then
    skipped "sort | top with TMPDIR missing (valgrind needs TMPDIR itself)"
else
    run topk "sort | top, fused: no temporary file" "$scratch/small.in" \
        "awk '{ print \$2, \$1 }' | sort -k 1,1r -k 2,2 | head -n 5" --mem-limit 64K
    env TMPDIR="$scratch/nowhere" "$PIPEC" run "$scratch/topk.pipe" --mem-limit 64K <"$scratch/small.in" \
        >"$scratch/out" 2>"$scratch/err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$scratch/out" "$scratch/ref"; then ok; else
        bad "sort | top, fused, TMPDIR missing: exit $rc: $(head -c 300 "$scratch/err")"
    fi
fi
# a full disk: the file size limit (SIGXFSZ ignored, so write fails with EFBIG)
(
    trap '' XFSZ
    ulimit -f 100 2>/dev/null || exit 3
    "$PIPEC" run "$scratch/plain.pipe" --mem-limit 64K <"$scratch/big.in" >/dev/null 2>"$scratch/err"
)
rc=$?
if [ $rc -eq 3 ]; then
    echo "  SKIP full disk: ulimit -f is not available"
elif [ $rc -eq 1 ] && grep -q "runtime error in stage sort: cannot write a temporary file: " "$scratch/err"; then
    ok
else
    bad "a full disk: exit $rc, stderr: $(head -c 300 "$scratch/err")"
fi
if [ -z "$(ls -A "$TMPDIR")" ]; then ok; else bad "files left in TMPDIR after errors"; fi
if "$PIPEC" run "$scratch/plain.pipe" --help | grep -q -e "--mem-limit N"; then ok; else
    bad "--help does not list --mem-limit"
fi

echo "sort_spill: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
