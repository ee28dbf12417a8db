#!/bin/sh
# Differential tests of the optimizer (compiler/opt.c, and the plan's
# prefilters of filter functions): every script of tests/opt/ runs on the
# edge suite's awkward inputs (tests/lib.sh edge_inputs), on lines of
# fields and on 150000 lines of several literals, under `pipec run -O0` (no rewrites: the reference) and under
# `pipec run` and as a built binary (every rewrite), which must print the
# same bytes on stdout and stderr and exit with the same code.  The first
# line of each script, `# rewrites: NAME...`, names the rewrites that
# `pipec plan` must list for it (`prefilter` for a source's prefilter), so
# that a rewrite that stops applying fails here too.  SKIP_BUILD=1 skips the
# binaries.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"

in=$scratch/in
mkdir -p "$in"
edge_inputs "$in"
# fields: runs of blanks, commas, ", " and "ab" separators, numbers, short and long lines
awk 'BEGIN {
    for (i = 0; i < 400; i++) {
        n = i % 13; s = ""
        for (j = 0; j < n; j++) s = s (j ? (i % 3 ? " " : (i % 5 ? ", " : "  ")) : "") "w" (i * j % 7) (j % 4 ? "ab" : ",") j
        if (i % 11 == 0) s = "\t" s " "
        print (i % 17 == 0 ? "" : (i % 7) " " ) s
    }
}' >"$in/fields"
printf '1 2\nx 3\ny\n' >"$in/badint"
# many: 150000 lines (several read blocks) where the literals of the
# prefilter scripts come and go at different rates
awk 'BEGIN {
    for (i = 0; i < 150000; i++)
        print (i % 7 == 0 ? "ab " : "") (i % 101 == 0 ? "cdef " : "d ") (i % 997 == 0 ? "lorem" : "ipsum") (i % 13 == 0 ? " x" : " y") " b" i
}' >"$in/many"
INPUTS="$ALL fields badint int_nonl many"

# same NAME MODE: $scratch/NAME.MODE.* against the -O0 run's
same() {
    s_ref=$scratch/$1.O0 s_got=$scratch/$1.$2
    if [ "$(cat "$s_ref.rc")" != "$(cat "$s_got.rc")" ]; then
        verdict "$1 ($2)" "exit $(cat "$s_got.rc"), with -O0 $(cat "$s_ref.rc")"
    elif ! cmp -s "$s_ref.out" "$s_got.out"; then
        verdict "$1 ($2)" "stdout differs from -O0's (< -O0, > $2):
$(diff -a "$s_ref.out" "$s_got.out" | head -n 6)"
    elif ! cmp -s "$s_ref.err" "$s_got.err"; then
        verdict "$1 ($2)" "stderr differs from -O0's (< -O0, > $2):
$(diff -a "$s_ref.err" "$s_got.err" | head -n 6)"
    else
        verdict "$1 ($2)" ""
    fi
}

# runs NAME MODE COMMAND...: COMMAND on input $t_in, into $scratch/NAME.MODE.*
# (killed after 60 s: exit code 124)
TIMEOUT="timeout 60"
command -v timeout >/dev/null 2>&1 || TIMEOUT=""
runs() {
    r_out=$scratch/$1.$2
    shift 2
    $TIMEOUT "$@" <"$in/$t_in" >"$r_out.out" 2>"$r_out.err"
    echo $? >"$r_out.rc"
}

for script in "$top"/tests/opt/*.pipe; do
    name=$(basename "$script" .pipe)
    # the rewrites its plan must list
    want=$(sed -n '1s/^# rewrites://p' "$script")
    "$PIPEC" plan "$script" >"$scratch/$name.plan" 2>&1
    for w in $want; do
        if grep -q -e "rewrites: .*$w" -e "$w \"" "$scratch/$name.plan"; then
            verdict "$name (plan lists $w)" ""
        else
            verdict "$name (plan lists $w)" "pipec plan lists no $w: $(head -c 400 "$scratch/$name.plan")"
        fi
    done
    if "$PIPEC" plan -O0 "$script" | grep -q -e "rewrites:" -e 'prefilter "'; then
        verdict "$name (-O0 plan)" "pipec -O0 plan still lists rewrites"
    fi
    bin=""
    if [ -z "${SKIP_BUILD:-}" ]; then
        if "$PIPEC" build "$script" -o "$scratch/$name.bin" >"$scratch/$name.build" 2>&1; then
            bin=$scratch/$name.bin
        else
            verdict "$name (bin)" "pipec build failed: $(head -c 300 "$scratch/$name.build")"
        fi
    fi
    for t_in in $INPUTS; do
        runs "$name.$t_in" O0 "$PIPEC" run -O0 "$script"
        runs "$name.$t_in" run "$PIPEC" run "$script"
        same "$name.$t_in" run
        if [ -n "$bin" ]; then
            runs "$name.$t_in" bin "$bin"
            # a built binary names itself where pipec run names the script
            sed "s|$bin|$script|g" "$scratch/$name.$t_in.bin.err" >"$scratch/x" && mv "$scratch/x" "$scratch/$name.$t_in.bin.err"
            same "$name.$t_in" bin
        fi
    done
done
summary opt_diff
