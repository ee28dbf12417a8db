#!/bin/sh
# `make bench-sandbox`: what --sandbox costs.  Builds workloads w2 (a literal
# filter: I/O bound), w6 (fan-out to two files) and w8 (count, sort, top) of
# bench/workloads/ with and without --sandbox and prints, per workload, the
# median wall time of SANDBOX_RUNS (5) runs on a generated access log of
# SANDBOX_MB (100) MiB and of 20 runs on empty input (start-up), and the
# ratio sandboxed / plain.  Needs hyperfine and a kernel with Landlock.
# Settings: PIPEC (default bin/pipec), BUILD (default build), CC.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
abs() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
PIPEC=$(abs "${PIPEC:-bin/pipec}")
out=$(abs "${BUILD:-build}")/bench/sandbox
MB=${SANDBOX_MB:-100}
RUNS=${SANDBOX_RUNS:-5}
CC=${CC:-cc}
mkdir -p "$out" || exit 1
command -v hyperfine >/dev/null || { echo "bench-sandbox: needs hyperfine"; exit 1; }
export LC_ALL=C

$CC -std=c11 -O2 -o "$out/gen_access" bench/gen_access.c || exit 1
logs=$out/access_$MB.log
[ -s "$logs" ] || "$out/gen_access" "$MB" 42 >"$logs" || exit 1

# median RUNS INPUT COMMAND...: the median wall time in ms of hyperfine's runs
# (through a shell, whose own start hyperfine subtracts)
median() {
    n=$1 in=$2
    shift 2
    hyperfine --style none -w 1 -r "$n" --export-json "$out/h.json" "$* <$in >/dev/null" >/dev/null 2>&1 ||
        { echo "bench-sandbox: failed: $*" >&2; exit 1; }
    sed -n 's/.*"median": *\([0-9.e+-]*\).*/\1/p' "$out/h.json" | head -n 1 | awk '{ printf "%.2f", $1 * 1000 }'
}

echo "| workload | plain (ms) | --sandbox (ms) | ratio | start-up plain (ms) | start-up --sandbox (ms) | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for w in w2 w6 w8; do
    "$PIPEC" build bench/workloads/$w.pipe -o "$out/$w.plain" || exit 1
    "$PIPEC" build --sandbox bench/workloads/$w.pipe -o "$out/$w.boxed" || exit 1
    args=""
    [ $w = w6 ] && args="--out5xx $out/5xx.txt --out404 $out/404.txt"
    p=$(median "$RUNS" "$logs" "$out/$w.plain" $args) || exit 1
    b=$(median "$RUNS" "$logs" "$out/$w.boxed" $args) || exit 1
    ps=$(median 20 /dev/null "$out/$w.plain" $args) || exit 1
    bs=$(median 20 /dev/null "$out/$w.boxed" $args) || exit 1
    echo "| $w | $p | $b | $(echo "$b $p" | awk '{ printf "%.3f", $1 / $2 }') | $ps | $bs |" \
         "$(echo "$bs $ps" | awk '{ printf "%.3f", $1 / $2 }') |"
done
echo
echo "input: access log of $MB MiB (\`gen_access $MB 42\`), $(nproc) cores, $(uname -r); medians of $RUNS runs (20 on empty input)"
