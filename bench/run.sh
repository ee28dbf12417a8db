#!/bin/sh
# `make bench`: pipec's compile time (run/check/build of a 10- and a 50-stage script), the
# speed, peak memory and output of a streaming grep/replace pipeline on a 10 MiB and a big input,
# the cost of --stats, and the eight workloads of bench/workloads/ next to the tools a user has
# (bench/workloads.sh, with bench/refs.sh: coreutils/grep/sed pipelines, mawk, gawk).
#
# Settings (environment):
#   PIPEC           the compiler (default bin/pipec; a relative path is relative to the repo root)
#   BUILD           build folder (default build); everything goes to $BUILD/bench/
#   BENCH_BIG_MB    size of the big input in MiB (default 1024; 0 skips it)
#   BENCH_RUNS      runs per compile-time measurement (default 30, at least 20 is meaningful)
#   BENCH_BUILD_RUNS  runs per `pipec build` measurement (default 5)
#   BENCH_BIG_RUNS  runs per pipeline on the big input (default 3); BENCH_SMALL_RUNS (default 10)
#   CC              compiles bench/gen_lines.c and bench/gen_access.c (default cc)
#   BENCH_MB, BENCH_WL_RUNS, BENCH_WL_MAX_RUNS, BENCH_WORKLOADS: the workloads (bench/workloads.sh)
# Exit code 1 when an output is wrong or a tool is missing; the report is printed either way.

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. "$top/bench/lib.sh"                # also makes PIPEC and BUILD absolute
# `pipec run` rows time the JIT: a native object built in the background during the runs
# would mix two kinds of code in one median (bench/idioms.sh and bench/natural.sh time both)
PIPEC_NATIVE=${PIPEC_NATIVE:-0}
export PIPEC_NATIVE
BENCH_BIG_MB=${BENCH_BIG_MB:-1024}
BENCH_SMALL_MB=10
BENCH_RUNS=${BENCH_RUNS:-30}
BENCH_BUILD_RUNS=${BENCH_BUILD_RUNS:-5}
BENCH_SMALL_RUNS=${BENCH_SMALL_RUNS:-10}
BENCH_BIG_RUNS=${BENCH_BIG_RUNS:-3}
CC=${CC:-cc}
SEED=42
AIM_MS=20                       # the stated aim for `pipec run` of ten_stages.pipe on empty input

out=$BUILD/bench                # report, JSON, binaries, outputs
data=$out/data                  # generated inputs, kept between runs
report=$out/latest.md
export LC_ALL=C                 # byte semantics for grep/sed, the reference implementation
mkdir -p "$out/json" "$out/out" "$data" || exit 1
status=0

# ---- helpers -----------------------------------------------------------------------------------

# say, line, median, json_num, json_cpu, build_gen: bench/lib.sh
minimum() { sort -g | head -n 1; }
maximum() { sort -g | tail -n 1; }

now_ns() { date +%s%N; }

# ms SECONDS: as milliseconds with one decimal ("–" for nan: not measured)
ms() { case $1 in nan | "") echo "–" ;; *) awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }' ;; esac; }

# time_cmd NAME RUNS WARMUP CMD...: wall time of CMD (stdin /dev/null, stdout discarded) into
# $out/json/NAME.json (hyperfine) or $out/json/NAME.times (fallback); sets t_med t_min t_cpu.
time_cmd() {
    tc_name=$1 tc_runs=$2 tc_warm=$3
    shift 3
    if [ -n "$have_hyperfine" ]; then
        # -N: no shell in between, so nothing to subtract; hyperfine gives the command a null stdin
        if ! hyperfine -N --style basic --warmup "$tc_warm" --runs "$tc_runs" \
            --export-json "$out/json/$tc_name.json" "$*" >"$out/json/$tc_name.log" 2>&1; then
            say "  $tc_name failed: see $out/json/$tc_name.log"
            t_med=nan t_min=nan t_cpu=nan
            status=1
            return
        fi
        t_med=$(json_num "$out/json/$tc_name.json" median)
        t_min=$(json_num "$out/json/$tc_name.json" min)
        t_cpu=$(json_cpu "$out/json/$tc_name.json")
    else
        i=0
        while [ "$i" -lt "$tc_warm" ]; do "$@" </dev/null >/dev/null 2>&1; i=$((i + 1)); done
        : >"$out/json/$tc_name.times"
        i=0
        while [ "$i" -lt "$tc_runs" ]; do
            t0=$(now_ns)
            "$@" </dev/null >/dev/null 2>&1 || { say "  $tc_name failed: $*"; status=1; }
            t1=$(now_ns)
            echo "$(((t1 - t0) / 1000 - loop_us))e-6" >>"$out/json/$tc_name.times"
            i=$((i + 1))
        done
        t_med=$(median <"$out/json/$tc_name.times")
        t_min=$(minimum <"$out/json/$tc_name.times")
        t_cpu=nan
    fi
}

# stream_cmd NAME RUNS INPUT CMD...: runs CMD <INPUT >$out/out/NAME.txt RUNS times; sets
# s_med (wall s, median) and s_rss (peak RSS MiB, max over the runs, "n/a" without GNU time).
stream_cmd() {
    sc_name=$1 sc_runs=$2 sc_in=$3
    shift 3
    : >"$out/json/$sc_name.times"
    : >"$out/json/$sc_name.rss"
    i=0
    while [ "$i" -lt "$sc_runs" ]; do
        t0=$(now_ns)
        if [ -n "$have_time" ]; then
            /usr/bin/time -f '%M' -o "$out/json/$sc_name.rss1" "$@" <"$sc_in" >"$out/out/$sc_name.txt"
        else
            "$@" <"$sc_in" >"$out/out/$sc_name.txt"
        fi
        rc=$?
        t1=$(now_ns)
        if [ "$rc" -ne 0 ]; then
            say "  $sc_name: exit code $rc: $*"
            status=1
        fi
        echo "$(((t1 - t0) / 1000))e-6" >>"$out/json/$sc_name.times"
        [ -n "$have_time" ] && tail -n 1 "$out/json/$sc_name.rss1" >>"$out/json/$sc_name.rss"
        i=$((i + 1))
    done
    s_med=$(median <"$out/json/$sc_name.times")
    if [ -n "$have_time" ]; then
        s_rss=$(maximum <"$out/json/$sc_name.rss" | awk '{ printf "%.1f", $1 / 1024 }')
    else
        s_rss=n/a
    fi
}

# same A B: "identical", or FAIL with the first differing line
same() {
    if cmp -s "$1" "$2"; then
        echo identical
    else
        status=1
        echo "FAIL ($(cmp "$1" "$2" 2>&1 | head -n 1 | sed "s|$out/||g"))"
    fi
}

# free_mib DIR: MiB available on DIR's file system
free_mib() { df -Pk "$1" | awk 'NR == 2 { print int($4 / 1024) }'; }

# ---- tools -------------------------------------------------------------------------------------

if [ ! -x "$PIPEC" ]; then
    say "bench: $PIPEC is missing or not executable (run make first)"
    exit 1
fi
have_hyperfine=$(command -v hyperfine)
loop_us=0                       # what the fallback loop's own `date` calls cost, subtracted
if [ -z "$have_hyperfine" ]; then
    say "bench: hyperfine not found: timing with a date +%s%N loop (no CPU times)"
    i=0
    while [ "$i" -lt 20 ]; do
        t0=$(now_ns); t1=$(now_ns)
        echo "$(((t1 - t0) / 1000))"
        i=$((i + 1))
    done >"$out/json/loop_overhead.times"
    loop_us=$(minimum <"$out/json/loop_overhead.times")   # min: never more than the real cost
fi
have_time=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
    have_time=1
else
    say "bench: GNU /usr/bin/time is missing, so peak RSS is NOT measured (Debian: apt-get install -y time)"
fi
# The generator and its inputs are named by a checksum of its source: rebuilt, and the inputs
# made again, only when it changes (POSIX test has no -nt).
build_gen gen_lines "$out" || { say "bench: cannot build gen_lines"; exit 1; }

rm -f "$report.tmp"
line "# pipec bench — $(date -u '+%Y-%m-%d %H:%M UTC')"
line ""
line "- pipec: $("$PIPEC" --version 2>&1 | head -n 1); git $(git describe --always --dirty 2>/dev/null || echo '?')"
line "- host: $(uname -sr), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null) RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
line "- tools: $($CC --version | head -n 1); $(if [ -n "$have_hyperfine" ]; then hyperfine --version; else echo 'no hyperfine (date loop)'; fi); $(if [ -n "$have_time" ]; then echo 'GNU time'; else echo 'NO /usr/bin/time: peak RSS not measured'; fi)"
busy=$(awk -v c="$(nproc)" '{ if ($1 > c / 2) printf "%s", $1 }' /proc/loadavg 2>/dev/null)
[ -n "$busy" ] && line "- **busy machine** (load $busy on $(nproc) cores): medians are inflated; min and CPU columns are steadier"
line ""

# ---- 1. compile time ---------------------------------------------------------------------------
# The wall time of a command on empty input: for `run` that is parse + check + emit + tcc compile +
# startup, before the first line would be read. pipec has no phase timer yet, so the phases are
# split from outside: `--version` is the floor every command pays (exec, dynamic linking of libtcc
# and pcre2), `check` adds the front end, and run - check is the back end (emit + tcc + run setup).
# (`emit-c` is no phase of `run`: it pastes the whole runtime source, which `run` links instead.)

say "bench: 1. compile time ($BENCH_RUNS runs each, $BENCH_BUILD_RUNS for build)"
line "## 1. Compile time (empty input, median of $BENCH_RUNS runs; build: $BENCH_BUILD_RUNS runs)"
line ""
line "| script | stages | command | median ms | min ms | CPU ms | note |"
line "|---|---:|---|---:|---:|---:|---|"
time_cmd version "$BENCH_RUNS" 5 "$PIPEC" --version
line "| – | – | pipec --version | $(ms "$t_med") | $(ms "$t_min") | $(ms "$t_cpu") | process start-up floor |"
for script in ten_stages fifty_stages; do
    f=bench/pipes/$script.pipe
    stages=$(grep -c '^ *| ' "$f")
    stages=$((stages - 1))      # the sink
    time_cmd "${script}_check" "$BENCH_RUNS" 5 "$PIPEC" check "$f"
    check_med=$t_med check_min=$t_min check_cpu=$t_cpu
    time_cmd "${script}_run" "$BENCH_RUNS" 5 "$PIPEC" run "$f"
    note="back end ≈ run − check = $(ms "$(awk -v r="$t_med" -v c="$check_med" 'BEGIN {
        if (r == "nan" || c == "nan") print "nan"; else print r - c }')") ms"
    if [ "$script" = ten_stages ]; then
        note="$note; $(awk -v t="$t_med" -v a="$AIM_MS" 'BEGIN {
            if (t == "nan") print "failed"; else if (t * 1000 < a) print "aim < " a " ms: met";
            else print "aim < " a " ms: MISSED" }')"
    fi
    line "| $script | $stages | **pipec run** | **$(ms "$t_med")** | $(ms "$t_min") | $(ms "$t_cpu") | $note |"
    line "| $script | $stages | pipec check | $(ms "$check_med") | $(ms "$check_min") | $(ms "$check_cpu") | start-up + front end (parse + type check) |"
    time_cmd "${script}_build" "$BENCH_BUILD_RUNS" 1 "$PIPEC" build "$f" -o "$out/$script"
    line "| $script | $stages | pipec build | $(ms "$t_med") | $(ms "$t_min") | $(ms "$t_cpu") | native binary (cc -O2) |"
done
line ""
line "CPU ms = user + system (hyperfine mean). On a busy machine trust min and CPU more than the median."
line ""

# ---- 2. streaming grep/replace: speed, peak memory, output -------------------------------------

# Inputs are named by size, seed and the generator's checksum, so they are made only when missing,
# and a changed generator never leaves a stale input behind.
data_path() { echo "$data/lines_${1}mib_s${SEED}_g$gen_sum.txt"; }

# input SIZE_MIB: the path of the generated input of that size (made if missing)
input() {
    in_f=$(data_path "$1")
    if [ ! -f "$in_f" ]; then
        rm -f "$data/lines_${1}mib_"*
        say "  generating ${in_f#"$top"/}"
        if ! "$gen" "$1" "$SEED" >"$in_f.tmp" || ! mv "$in_f.tmp" "$in_f"; then
            rm -f "$in_f.tmp"
            return 1
        fi
    fi
    echo "$in_f"
}

script=bench/pipes/grep_replace.pipe
say "bench: 2. streaming $script"
line "## 2. Streaming \`stdin | grep(\"ERROR|WARN\") | replace(\"[0-9]+\", \"N\") | stdout\`"
line ""
sizes=$BENCH_SMALL_MB
if [ "$BENCH_BIG_MB" -gt 0 ] 2>/dev/null; then
    big=$(data_path "$BENCH_BIG_MB")
    need=$((BENCH_BIG_MB * 3))          # the input (if missing), outputs, and room to spare
    [ -f "$big" ] && need=$((BENCH_BIG_MB / 2 + 512))
    [ "$need" -lt 3072 ] && [ ! -f "$big" ] && need=3072
    avail=$(free_mib "$data")
    if [ "$avail" -lt "$need" ]; then
        say "bench: SKIPPING the ${BENCH_BIG_MB} MiB input: $avail MiB free on $data, need $need"
        line "**${BENCH_BIG_MB} MiB input skipped: only $avail MiB free on $data (need $need MiB).**"
        line ""
    else
        sizes="$sizes $BENCH_BIG_MB"
    fi
fi

"$PIPEC" build "$script" -o "$out/grep_replace" || { say "bench: pipec build $script failed"; status=1; }
line "| input | command | runs | median s | MB/s | peak RSS MiB | output |"
line "|---|---|---:|---:|---:|---:|---|"
rss_list=
for mb in $sizes; do
    in=$(input "$mb") || { say "bench: cannot generate a $mb MiB input"; status=1; continue; }
    bytes=$(wc -c <"$in")
    runs=$BENCH_SMALL_RUNS
    [ "$mb" = "$BENCH_SMALL_MB" ] || runs=$BENCH_BIG_RUNS
    cat "$in" >/dev/null                 # into the page cache, as for every command below
    say "  $mb MiB: reference, pipec run, binary ($runs runs each)"
    stream_cmd "ref_$mb" "$runs" "$in" sh -c "grep -E 'ERROR|WARN' | sed -E 's/[0-9]+/N/g'"
    mbps=$(awk -v b="$bytes" -v t="$s_med" 'BEGIN { printf "%.0f", b / 1e6 / t }')
    line "| $mb MiB | reference: grep -E \\| sed -E | $runs | $(printf '%.3f' "$s_med") | $mbps | $s_rss | reference |"
    for mode in run bin; do
        if [ "$mode" = run ]; then
            stream_cmd "${mode}_$mb" "$runs" "$in" "$PIPEC" run "$script"
            label="pipec run"
        else
            stream_cmd "${mode}_$mb" "$runs" "$in" "$out/grep_replace"
            label="built binary"
        fi
        mbps=$(awk -v b="$bytes" -v t="$s_med" 'BEGIN { printf "%.0f", b / 1e6 / t }')
        verdict=$(same "$out/out/ref_$mb.txt" "$out/out/${mode}_$mb.txt")
        case $verdict in FAIL*) status=1 ;; esac
        line "| $mb MiB | $label | $runs | $(printf '%.3f' "$s_med") | $mbps | $s_rss | $verdict |"
        rss_list="$rss_list $mode:$mb:$s_rss"
    done
done
line ""
line "MB/s = input bytes / 10^6 / median wall time (for \`pipec run\` that includes compiling). Peak RSS: GNU time,"
line "max over the runs. Output: compared byte for byte with the reference (\`LC_ALL=C grep -E 'ERROR|WARN' | sed -E 's/[0-9]+/N/g'\`)."
line ""

# A streaming pipeline must not grow with its input: compare the biggest input with the smallest.
if [ -n "$have_time" ] && [ "$sizes" != "$BENCH_SMALL_MB" ]; then
    for mode in run bin; do
        small=$(echo "$rss_list" | tr ' ' '\n' | awk -F: -v m="$mode" -v s="$BENCH_SMALL_MB" '$1 == m && $2 == s { print $3 }')
        large=$(echo "$rss_list" | tr ' ' '\n' | awk -F: -v m="$mode" -v s="$BENCH_BIG_MB" '$1 == m && $2 == s { print $3 }')
        if [ -z "$small" ] || [ -z "$large" ]; then continue; fi
        verdict=$(awk -v a="$small" -v b="$large" 'BEGIN { print (b > a * 1.5 + 4) ? "GROWS" : "constant" }')
        line "- memory, $mode: $verdict (${BENCH_SMALL_MB} MiB → $small MiB RSS, ${BENCH_BIG_MB} MiB → $large MiB RSS)"
        [ "$verdict" = GROWS ] && say "bench: WARNING: peak RSS of the $mode grows with the input: a runtime bug"
    done
    line ""
elif [ -z "$have_time" ]; then
    line "- memory: **not measured**: GNU /usr/bin/time is missing (Debian: apt-get install -y time)"
    line ""
fi

# ---- 3. what --stats costs: when asked, and when not --------------------------------------------

# The counters behind --stats (items in and out, in pipe_emit) and the scheduler's check of
# --progress are always there; PIPE_NO_STATS compiles both out, only to measure them.
script=bench/pipes/stats_cost.pipe
stats_mb=${BENCH_STATS_MB:-100}
say "bench: 3. the cost of --stats, $script on $stats_mb MiB"
line "## 3. What \`--stats\` costs (\`$script\`, $stats_mb MiB, median of $BENCH_SMALL_RUNS)"
line ""
if in=$(input "$stats_mb") &&
    "$PIPEC" build "$script" -o "$out/stats_cost" &&
    CFLAGS="-DPIPE_NO_STATS" "$PIPEC" build "$script" -o "$out/stats_cost_none"; then
    cat "$in" >/dev/null
    stream_cmd stats_none "$BENCH_SMALL_RUNS" "$in" "$out/stats_cost_none"
    t_none=$s_med
    stream_cmd stats_off "$BENCH_SMALL_RUNS" "$in" "$out/stats_cost"
    t_off=$s_med
    # the tables go to stderr: keep them out of the report
    stream_cmd stats_on "$BENCH_SMALL_RUNS" "$in" sh -c '"$0" --stats 2>/dev/null' "$out/stats_cost"
    t_on=$s_med
    line "| binary | median s | × without the ability |"
    line "|---|---:|---:|"
    line "| built with -DPIPE_NO_STATS (no counters, no progress check) | $(printf '%.3f' "$t_none") | 1.00 |"
    line "| as built (the ability, not asked for) | $(printf '%.3f' "$t_off") | $(awk -v a="$t_off" -v b="$t_none" 'BEGIN { printf "%.2f", a / b }') |"
    line "| as built, run with --stats | $(printf '%.3f' "$t_on") | $(awk -v a="$t_on" -v b="$t_none" 'BEGIN { printf "%.2f", a / b }') |"
    line ""
else
    say "bench: building $script failed"
    status=1
fi

# ---- 4. the eight workloads next to the tools a user has -----------------------------------------

. bench/workloads.sh

# ---- report ------------------------------------------------------------------------------------

if [ "$status" -ne 0 ]; then
    line "**Something failed: see the messages above and $out/json/.**"
fi
mv "$report.tmp" "$report"
cat "$report"
say "bench: report written to ${report#"$top"/}"
exit "$status"
