#!/bin/sh
# `make bench-natural`: issue 16's yardstick for the optimizer.  The shared
# benchmark's workloads written as LANGUAGE.md writes them (split and index,
# lets of split lists: bench/workloads/natural/wN.pipe; w1 and w5 are the same
# as bench/workloads/) next to the tuned field() forms (bench/workloads/wN.pipe)
# and the hand-written C of ../shared/bench/c, in one run: built binaries and
# `pipec run` (its native object cached by a first run; and the JIT alone),
# every output compared with the C's, best of RUNS rounds of wall times
# (every command once a round), ratios to the C.  Input: ../shared/bench's
# gen_logs (NAT_LINES lines, default 600000, seed 42; w5: the text of
# bench/workloads.sh's corpus is not needed, w5 reads the log too).
# Settings: PIPEC, SHARED (default ../shared/bench), RUNS (default 5),
# NAT_LINES, NAT_WORK (default /tmp/pipec-natural).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. "$top/bench/lib.sh" # abs, PIPEC (absolute), native_cache, wait_builds
SHARED=$(abs "${SHARED:-../shared/bench}")
RUNS=${RUNS:-5}
NAT_LINES=${NAT_LINES:-600000}
work=${NAT_WORK:-/tmp/pipec-natural}
CC=${CC:-cc}
[ -f "$SHARED/gen_logs.c" ] && [ -d "$SHARED/c" ] || { echo "bench-natural: no harness at $SHARED (set SHARED)"; exit 1; }
mkdir -p "$work/out" || exit 1
$CC -O2 -o "$work/gen_logs" "$SHARED/gen_logs.c" || exit 1
in=$work/logs_$NAT_LINES.txt
[ -s "$in" ] || "$work/gen_logs" "$NAT_LINES" 42 >"$in" || exit 1
status=0
# pipec run's native objects in a cache folder of this benchmark: a first run builds each
# (PIPEC_NATIVE=always), timed runs find it; the "run (JIT)" column is PIPEC_NATIVE=0, tcc's
# code (native_cache, wait_builds: bench/lib.sh)
native_cache "$work/cache"

# now_us: the time in microseconds
now_us() { echo $(($(date +%s%N) / 1000)); }

# 1. build, check every output against the C's (a first run of each `pipec run` builds
# its native object); the commands that pass go to $work/cmds as "W K CMD"
: >"$work/cmds"
for w in w1 w2 w3 w4 w5 w6 w7 w8; do
    nat=bench/workloads/natural/$w.pipe
    [ -f "$nat" ] || nat=bench/workloads/$w.pipe
    $CC -O2 -o "$work/c_$w" "$SHARED/c/$w.c" 2>/dev/null || { echo "cannot build $SHARED/c/$w.c"; exit 1; }
    "$PIPEC" build "bench/workloads/$w.pipe" -o "$work/f_$w" || exit 1
    "$PIPEC" build "$nat" -o "$work/n_$w" || exit 1
    for k in c f n fr nr nj; do
        case $k in
        c) cmd="'$work/c_$w'" ;;
        f | n) cmd="'$work/${k}_$w'" ;;
        fr) cmd="'$PIPEC' run bench/workloads/$w.pipe" ;;
        nr) cmd="'$PIPEC' run '$nat'" ;;
        nj) cmd="PIPEC_NATIVE=0 '$PIPEC' run '$nat'" ;;
        esac
        o=$work/out/$w.$k
        if [ $w = w6 ]; then
            if [ $k = c ]; then cmd="OUT_5XX='$o.5xx' OUT_404='$o.404' $cmd"; else cmd="$cmd --out5xx '$o.5xx' --out404 '$o.404'"; fi
        fi
        cmd="$cmd <'$in' >'$o.txt'"
        case $k in fr | nr) PIPEC_NATIVE=always sh -c "$cmd" && wait_builds ;; esac
        if ! sh -c "$cmd"; then
            echo "FAIL (exit)" >"$work/out/$w.$k.t"
            status=1
            continue
        fi
        echo "nan" >"$work/out/$w.$k.t"
        if [ $k != c ]; then
            for x in txt 5xx 404; do
                [ -f "$work/out/$w.c.$x" ] || continue
                cmp -s "$work/out/$w.c.$x" "$o.$x" || { echo "FAIL (output)" >"$work/out/$w.$k.t"; status=1; continue 2; }
            done
        fi
        echo "$w $k $cmd" >>"$work/cmds"
    done
done

# 2. RUNS rounds, each running every command once in turn (so that a slow spell of the
# machine falls on all of them alike); each command's best time
r=0
while [ $r -lt "$RUNS" ]; do
    while read -r w k cmd; do
        t0=$(now_us)
        sh -c "$cmd"
        t1=$(now_us)
        awk -v b="$(cat "$work/out/$w.$k.t")" -v t=$((t1 - t0)) 'BEGIN { t /= 1e6; print (b == "nan" || t < b) ? t : b }' \
            >"$work/out/$w.$k.t.new" && mv "$work/out/$w.$k.t.new" "$work/out/$w.$k.t"
    done <"$work/cmds"
    r=$((r + 1))
done

echo "| workload | C s | field() built | natural built | field() run | natural run | natural run (JIT) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for w in w1 w2 w3 w4 w5 w6 w7 w8; do
    c_t=$(cat "$work/out/$w.c.t")
    row="| $w | $c_t"
    for k in f n fr nr nj; do
        row="$row | $(awk -v t="$(cat "$work/out/$w.$k.t")" -v c="$c_t" 'BEGIN { if (t ~ /FAIL/ || t == "nan") print t; else printf "%.3f (%.2f×)", t, t / c }')"
    done
    echo "$row |"
done
echo
echo "input: gen_logs $NAT_LINES 42 ($(wc -c <"$in") bytes); best of $RUNS rounds, every command once a round; $(uptime)"
exit $status
