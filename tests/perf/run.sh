#!/bin/sh
# Performance regression guard (`make perf`, part of `make test`): the instruction
# counts (valgrind's callgrind) of seven small fixed workloads, compared with the
# committed baselines in tests/perf/baseline.txt.  A count more than 10% above its
# baseline fails; more than 10% below prints a note suggesting a new baseline.
#
#   tests/perf/stateless.pipe   reader, grep_v, a field filter, replace, lower, map, writer
#   tests/perf/aggregate.pipe   a stateful proc holding a map of ~10^4 keys, count, sort, top
#   tests/perf/passthrough.pipe stdin | stdout of a regular file: the kernel copies it (sendfile)
#   tests/perf/idiom_*.pipe     scripts written the natural way, which the optimizer rewrites
#                               (compiler/opt.c): split(l, " ")[k], a let of a split list,
#                               a filter of contains(l, "LIT"), words(l)[k]; a lost rewrite
#                               costs far more than 10%
#
# Input: bench/gen_lines.c, 2 MiB, seed 7 (~15000 lines).  Each workload is built by
# `pipec build` with fixed flags (CC=cc, CFLAGS empty, so `cc -O2`; a private runtime
# cache, so the runtime is always linked as a cached object) and run twice under
# callgrind in a fixed, minimal environment; the two counts must agree within 0.1%.
# A count covers the whole process (start-up ~0.2M instructions, reading, writing).
#
# Instruction counts are exact for one binary and one input, but the binary depends on
# the C compiler, and the count on libc/pcre2 and the CPU features valgrind reports:
# the baseline's first line names the compiler that produced it, the second the rest;
# when they differ from this machine's the counts are still compared, with a note.
#
#   sh tests/perf/run.sh            check
#   UPDATE=1 sh tests/perf/run.sh   measure and rewrite tests/perf/baseline.txt
#
# Settings (environment): PIPEC (default bin/pipec), UPDATE, PERF_KEEP=1 keeps the
# scratch folder (binaries, inputs, callgrind.out.* for callgrind_annotate).
top=$(cd "$(dirname "$0")/../.." && pwd)
PIPEC=${PIPEC:-$top/bin/pipec}
case $PIPEC in /*) ;; *) PIPEC=$top/$PIPEC ;; esac
baseline=$top/tests/perf/baseline.txt
workloads="stateless aggregate passthrough idiom_split idiom_let idiom_contains idiom_words"
MIB=2
SEED=7
LIMIT=10        # percent above the baseline that fails (and below that suggests an update)
REPEAT=0.1      # percent by which the two runs of one workload may differ
pass=0
fail=0
t_start=$(date +%s)

valgrind=$(command -v valgrind)
why=""
[ -n "$valgrind" ] || why="valgrind not installed (Debian: apt-get install valgrind)"
command -v cc >/dev/null 2>&1 || why="no C compiler 'cc' (the baselines are for binaries built by cc -O2)"
# as tests/lib.sh's suite_skipped: under CI=true (make deps installs both) not running fails
if [ -n "$why" ] && [ "${CI:-}" = true ]; then
    echo "perf: FAIL: cannot run under CI=true: $why"
    exit 1
elif [ -n "$why" ]; then
    echo "perf: skipped: $why"
    exit 0
fi
if [ ! -x "$PIPEC" ]; then
    echo "perf: $PIPEC is missing or not executable (run make first)"
    echo "perf: 0 passed, 1 failed"
    exit 1
fi

scratch=$(mktemp -d) || exit 1
if [ -n "$PERF_KEEP" ]; then
    echo "perf: scratch folder kept: $scratch"
else
    trap 'rm -rf "$scratch"' EXIT
fi
trap 'exit 1' INT TERM HUP

# ---- what produced the numbers -------------------------------------------------------------------

cc_version=$(cc --version 2>/dev/null | head -n 1)
# CPU features matter through libc's ifunc choice (memchr-avx2 or -sse2 ...); valgrind
# hides AVX-512, so the level it shows is at most avx2.
cpu=sse2
grep -q '\<avx2\>' /proc/cpuinfo 2>/dev/null && cpu=avx2
libc=$(ldd --version 2>/dev/null | head -n 1 | awk '{ print $NF }')
pcre=$(pcre2-config --version 2>/dev/null ||
    dpkg-query -W -f='${Version}' libpcre2-8-0 2>/dev/null || echo '?')
env_line="$(valgrind --version); glibc $libc; pcre2 $pcre; $(uname -m) $cpu"

# ---- input and binaries --------------------------------------------------------------------------

if ! cc -std=c11 -O2 -o "$scratch/gen_lines" "$top/bench/gen_lines.c" ||
    ! "$scratch/gen_lines" "$MIB" "$SEED" >"$scratch/input.txt"; then
    echo "perf: cannot build or run bench/gen_lines.c"
    echo "perf: 0 passed, 1 failed"
    exit 1
fi
input_sum=$(cksum <"$scratch/input.txt" | cut -d' ' -f1)
input_line="gen_lines $MIB MiB seed $SEED, cksum $input_sum"

for w in $workloads; do
    if ! (cd "$scratch" && PIPEC_CACHE_DIR="$scratch/cache" CC=cc CFLAGS="" \
        "$PIPEC" build "$top/tests/perf/$w.pipe" -o "$w"); then
        echo "FAIL $w: pipec build tests/perf/$w.pipe"
        fail=$((fail + 1))
    fi
done

# ---- the baseline --------------------------------------------------------------------------------

# base_of NAME: the baseline count of NAME ("" when there is none)
base_of() {
    [ -f "$baseline" ] && awk -v n="$1" '$1 == n && $1 !~ /^#/ { print $2; exit }' "$baseline"
}
base_header() {   # base_header KEY: the text after "# KEY: " in the baseline's comments
    [ -f "$baseline" ] && sed -n "s/^# $1: //p" "$baseline" | head -n 1
}
if [ -f "$baseline" ]; then
    b_cc=$(base_header cc)
    b_env=$(base_header env)
    b_input=$(base_header input)
    [ "$b_cc" = "$cc_version" ] ||
        echo "perf: note: the baseline was made by another compiler ($b_cc); this is $cc_version: compared anyway"
    [ "$b_env" = "$env_line" ] ||
        echo "perf: note: the baseline's environment was '$b_env'; this is '$env_line': compared anyway"
    [ "$b_input" = "$input_line" ] ||
        echo "perf: note: the input differs from the baseline's ($b_input; now $input_line): bench/gen_lines.c changed? compared anyway"
elif [ -z "$UPDATE" ]; then
    echo "perf: no baseline ($baseline): make one with UPDATE=1 sh tests/perf/run.sh"
fi

# ---- measure -------------------------------------------------------------------------------------

# count NAME RUN: runs the binary under callgrind and prints its total instruction count
# (nothing when the run failed).  The environment is fixed (env -i) and the program is
# started by the same relative path, so the count does not depend on the caller's
# variables or the scratch folder's name.
count() {
    out=$scratch/callgrind.out.$1.$2
    (cd "$scratch" && env -i PATH=/usr/bin:/bin LC_ALL=C "$valgrind" --tool=callgrind \
        --callgrind-out-file="$out" "./$1" <input.txt >"$1.out$2" 2>"$1.log$2") || return 1
    [ -s "$scratch/$1.out$2" ] || return 1
    awk '/^summary:/ { print $2; found = 1; exit } /^totals:/ { t = $2 } END { if (!found && t != "") print t }' "$out"
}

results=$scratch/results.txt
: >"$results"
for w in $workloads; do
    [ -x "$scratch/$w" ] || continue
    c1=$(count "$w" 1)
    c2=$(count "$w" 2)
    if [ -z "$c1" ] || [ -z "$c2" ]; then
        echo "FAIL $w: the run under callgrind failed or wrote nothing; its log:"
        tail -n 5 "$scratch/$w.log1" "$scratch/$w.log2" 2>/dev/null | sed 's/^/    /'
        fail=$((fail + 1))
        continue
    fi
    spread=$(awk -v a="$c1" -v b="$c2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.4f", 100 * d / (a < b ? a : b) }')
    if awk -v s="$spread" -v r="$REPEAT" 'BEGIN { exit !(s > r) }'; then
        echo "FAIL $w: two runs gave $c1 and $c2 instructions (${spread}% apart, more than $REPEAT%): not repeatable"
        fail=$((fail + 1))
        continue
    fi
    n=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.0f", a < b ? a : b }')
    echo "$w $n" >>"$results"
    if [ "$c1" = "$c2" ]; then rep="runs identical"; else rep="runs ${spread}% apart"; fi
    base=$(base_of "$w")
    if [ -z "$base" ]; then
        echo "perf: $w: $n instructions ($rep); no baseline"
        [ -n "$UPDATE" ] && pass=$((pass + 1)) || fail=$((fail + 1))
        continue
    fi
    ratio=$(awk -v n="$n" -v b="$base" 'BEGIN { printf "%.3f", n / b }')
    pct=$(awk -v n="$n" -v b="$base" 'BEGIN { printf "%+.1f%%", 100 * (n - b) / b }')
    line="$w: $n instructions, baseline $base, ratio $ratio ($pct; $rep)"
    if awk -v n="$n" -v b="$base" -v l="$LIMIT" 'BEGIN { exit !(n > b * (1 + l / 100)) }'; then
        if [ -n "$UPDATE" ]; then
            echo "perf: $line: more than $LIMIT% above; the new baseline accepts it"
            pass=$((pass + 1))
        else
            echo "FAIL $line: more than $LIMIT% above the baseline"
            echo "    profile: PERF_KEEP=1 sh tests/perf/run.sh, then callgrind_annotate on the kept callgrind.out.$w.1"
            fail=$((fail + 1))
        fi
    elif awk -v n="$n" -v b="$base" -v l="$LIMIT" 'BEGIN { exit !(n < b * (1 - l / 100)) }'; then
        echo "perf: $line"
        [ -n "$UPDATE" ] ||
            echo "perf: note: $w is more than $LIMIT% below its baseline: lock the gain in with UPDATE=1 sh tests/perf/run.sh (and commit tests/perf/baseline.txt)"
        pass=$((pass + 1))
    else
        echo "perf: $line"
        pass=$((pass + 1))
    fi
done

# ---- update --------------------------------------------------------------------------------------

if [ -n "$UPDATE" ]; then
    if [ "$fail" -ne 0 ]; then
        echo "perf: baseline NOT updated: a workload failed"
    else
        {
            echo "# cc: $cc_version"
            echo "# env: $env_line"
            echo "# input: $input_line"
            echo "# pipec: $(cd "$top" && git describe --always --dirty 2>/dev/null || echo '?'); made by UPDATE=1 sh tests/perf/run.sh on $(date -u +%Y-%m-%d)"
            echo "# NAME INSTRUCTIONS (callgrind Ir, whole process; a rise of more than $LIMIT% fails make test)"
            cat "$results"
        } >"$baseline.tmp" && mv "$baseline.tmp" "$baseline" &&
            echo "perf: wrote ${baseline#"$top"/}"
    fi
fi

echo "perf: $pass passed, $fail failed ($(($(date +%s) - t_start)) s)"
[ "$fail" -eq 0 ]
