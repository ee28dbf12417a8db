#!/bin/sh
# records.sh — `make bench-records` (also the last part of `make bench`): CSV, TSV and JSON Lines
# tasks on generated data, pipec (run and built) next to Miller, Python's csv/json, pandas, GNU
# datamash, jq, gojq and DuckDB; outputs checked first, then timed; memory at 1x and 10x input.
# Report: $BUILD/bench/records.md and stdout. See bench/README.md, "Records".
#
# Settings (environment):
#   PIPEC           the compiler (default bin/pipec); BUILD the build folder (default build)
#   RECORDS_MB      size of each generated input in MiB (default 1024)
#   RECORDS_RUNS    timed runs per command (default 3), after the checked run
#   RECORDS_TASKS   which tasks (default: all, in table order)
#   RECORDS_TOOLS   which tools (default: all); python always runs: it is the reference
#   RECORDS_FLAT    the memory check's multiple of the input (default 10; 0 skips it)
#   RECORDS_INSTALL 1 (default): install missing tools (apt-get as root, npm into $BUILD)
#   RECORDS_PIPEC_OPTS  options for pipec's runs and binaries (e.g. "-j 1")
#   PYTHON          the Python with pandas (default /usr/bin/python3, Debian's, else python3)
#   CC              compiles bench/gen_records.c (default cc)
# Exit code 1 when an output differs or a command fails; the report is printed either way.
# A pipec script that does not compile is reported as such and is no failure of the harness.

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. "$top/bench/lib.sh"                # also makes PIPEC and BUILD absolute
# `pipec run` rows time the JIT: a native object built in the background during the runs
# would mix two kinds of code in one median (bench/idioms.sh and bench/natural.sh time both)
PIPEC_NATIVE=${PIPEC_NATIVE:-0}
export PIPEC_NATIVE
RECORDS_MB=${RECORDS_MB:-1024}
RECORDS_RUNS=${RECORDS_RUNS:-3}
RECORDS_FLAT=${RECORDS_FLAT:-10}
RECORDS_INSTALL=${RECORDS_INSTALL:-1}
ALL_TASKS="count select filter group sort csv2json json2csv count_json group_json count_tsv group_tsv count_plain"
ALL_TOOLS="pipec-run pipec-bin duckdb duckdb-1t mlr python pandas datamash jq gojq"
RECORDS_TASKS=${RECORDS_TASKS:-$ALL_TASKS}
RECORDS_TOOLS=${RECORDS_TOOLS:-$ALL_TOOLS}
CC=${CC:-cc}
SEED=42
ANCHOR_REL=1e-9                   # how far an anchor's group-by numbers may be from Python's
if [ -z "$PYTHON" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
out=$BUILD/bench/records          # binaries, outputs, timings
data=$BUILD/bench/data            # generated inputs, kept between runs
report=$BUILD/bench/records.md
RECORDS_BIN=$out/bin
DUCKDB_NODE_PATH=$out/duckdb/node_modules
export PIPEC PYTHON RECORDS_BIN DUCKDB_NODE_PATH RECORDS_PIPEC_OPTS
export LC_ALL=C
mkdir -p "$out/out" "$out/json" "$RECORDS_BIN" "$out/duckdb" "$data" || exit 1
status=0

# say, line, median, json_num, json_cpu, build_gen: bench/lib.sh

# ---- tools: install what is missing (root, RECORDS_INSTALL=1), DuckDB through npm ------------

install_tools() {
    [ "$RECORDS_INSTALL" = 1 ] || return 0
    pkgs=
    for p in mlr:miller jq:jq gojq:gojq datamash:datamash hyperfine:hyperfine node:nodejs npm:npm; do
        command -v "${p%%:*}" >/dev/null 2>&1 || pkgs="$pkgs ${p#*:}"
    done
    [ -x /usr/bin/time ] || pkgs="$pkgs time"
    "$PYTHON" -c 'import pandas' 2>/dev/null || pkgs="$pkgs python3-pandas"
    if [ -n "$pkgs" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            say "records: installing$pkgs"
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y -qq $pkgs >"$out/apt.log" 2>&1 ||
                { apt-get update -qq >>"$out/apt.log" 2>&1 && apt-get install -y -qq $pkgs >>"$out/apt.log" 2>&1; } ||
                say "records: apt-get failed (see $out/apt.log): those tools are reported missing"
        else
            say "records: missing$pkgs (not root or no apt-get): those tools are reported missing"
        fi
    fi
    # DuckDB: the version bench/records/package.json names, installed again when it changes
    if command -v npm >/dev/null && ! cmp -s bench/records/package.json "$out/duckdb/package.json"; then
        say "records: npm install of @duckdb/node-api into ${out#"$top"/}/duckdb"
        rm -rf "$out/duckdb/node_modules" "$out/duckdb/package-lock.json"
        cp bench/records/package.json "$out/duckdb/" &&
            (cd "$out/duckdb" && npm install --no-audit --no-fund --silent >npm.log 2>&1) ||
            { say "records: npm install failed (see $out/duckdb/npm.log): DuckDB is reported missing"; rm -f "$out/duckdb/package.json"; }
    fi
}

# ---- inputs ----------------------------------------------------------------------------------

# input FORMAT: the generated file of that format and size (made when missing); files of an
# older generator are removed, other sizes are kept
input() {
    in_f=$data/records_${RECORDS_MB}mib_s${SEED}_g$gen_sum.$1
    if [ ! -f "$in_f" ]; then
        say "records: generating ${in_f#"$top"/}"
        "$gen" "$1" "$RECORDS_MB" "$SEED" >"$in_f.tmp" && mv "$in_f.tmp" "$in_f" || { rm -f "$in_f.tmp"; return 1; }
    fi
    echo "$in_f"
}

# task_info TASK: sets fmt (input), mode (normalize.py's) and what (the report's words)
task_info() {
    case $1 in
    count) fmt=csv mode=text what="count rows" ;;
    select) fmt=csv mode=csv what="select 3 columns by name" ;;
    filter) fmt=csv mode=csv what="filter amount > 750, all columns" ;;
    group) fmt=csv mode=csv-set what="group by category: count, sum, mean" ;;
    sort) fmt=csv mode=csv what="sort by rank" ;;
    csv2json) fmt=csv mode=json what="CSV → JSON Lines" ;;
    json2csv) fmt=json mode=csv what="JSON Lines → filter, select (id, name, geo.lat) → CSV" ;;
    count_json) fmt=json mode=text what="count rows" ;;
    group_json) fmt=json mode=csv-set what="group by category: count, sum, mean" ;;
    count_tsv) fmt=tsv mode=text what="count rows" ;;
    group_tsv) fmt=tsv mode=csv-set what="group by category: count, sum, mean" ;;
    count_plain) fmt=plain mode=text what="unquoted CSV parse throughput: count rows" ;;
    *) say "records: unknown task $1"; exit 2 ;;
    esac
}

# ---- pipec: check and build each script once -------------------------------------------------

# compile_scripts: $RECORDS_BIN/NAME for each script that builds; NAME.err holds why not
compile_scripts() {
    for p in bench/records/*.pipe; do
        n=$(basename "$p" .pipe)
        rm -f "$RECORDS_BIN/$n" "$RECORDS_BIN/$n.err"
        if ! "$PIPEC" check "$p" >"$RECORDS_BIN/$n.log" 2>&1; then
            { echo "does not compile yet"; head -n 1 "$RECORDS_BIN/$n.log"; } >"$RECORDS_BIN/$n.err"
        elif ! "$PIPEC" build "$p" -o "$RECORDS_BIN/$n" >"$RECORDS_BIN/$n.log" 2>&1; then
            { echo "pipec build failed"; head -n 1 "$RECORDS_BIN/$n.log"; } >"$RECORDS_BIN/$n.err"
        fi
    done
}

# why_not TASK TOOL: for pipec, the reason its script cannot run (empty when it can)
why_not() {
    case $2 in pipec-*) ;; *) return ;; esac
    wn=$1
    [ "$wn" = count_plain ] && wn=count
    [ -f "$RECORDS_BIN/$wn.err" ] && head -n 1 "$RECORDS_BIN/$wn.err"
}

# ---- one task --------------------------------------------------------------------------------

# check_one TASK TOOL: one run under GNU time into $out/out/TASK.TOOL; sets verdict (same
# bytes, same after normalizing, equal within $ANCHOR_REL, DIFFERS ..., failed ..., missing,
# n/a), rss (MiB) and ok. Only an anchor's group-by may be equal within: a float sum's last bits
# depend on the order of additions (DuckDB's threads); pipec's output must match exactly.
check_one() {
    co=$out/out/$1.$2 ok=
    rss=–
    why=$(why_not "$1" "$2")
    if [ -n "$why" ]; then verdict="pipec: $why"; return; fi
    /usr/bin/time -f '%M' -o "$co.rss" sh bench/records/cmd.sh "$1" "$2" "$in" >"$co" 2>"$co.err"
    rc=$?
    case $rc in
    0) ;;
    3) verdict="n/a (cannot)"; rm -f "$co"*; return ;;
    4) verdict=missing; rm -f "$co"*; return ;;
    *) verdict="failed (exit $rc: $(tail -n 1 "$co.err" | cut -c1-80))"; status=1; return ;;
    esac
    rss=$(awk '/^[0-9]+$/ { printf "%.0f", $1 / 1024 }' "$co.rss")
    if [ "$2" = python ] || cmp -s "$co" "$out/out/$1.python"; then
        verdict="same bytes" ok=1
    else
        [ -f "$out/out/$1.python.norm" ] ||
            "$PYTHON" bench/records/normalize.py "$mode" "$out/out/$1.python" >"$out/out/$1.python.norm"
        "$PYTHON" bench/records/normalize.py "$mode" "$co" >"$co.norm" 2>>"$co.err"
        if cmp -s "$co.norm" "$out/out/$1.python.norm"; then
            verdict="same after normalizing" ok=1
        elif [ "$mode" = csv-set ] && [ "${2#pipec-}" = "$2" ] &&
            "$PYTHON" bench/records/within.py "$ANCHOR_REL" "$co" "$out/out/$1.python" >>"$co.err" 2>&1; then
            verdict="equal within $ANCHOR_REL" ok=1
        else
            verdict="DIFFERS ($(cmp "$co.norm" "$out/out/$1.python.norm" 2>&1 | sed "s/.*differ: //; s|$out/out/||g" | cut -c1-80); kept in ${co#"$top"/})"
            status=1
            return
        fi
    fi
    [ "$2" = python ] || rm -f "$co" "$co.norm"
}

# time_one TASK TOOL: RECORDS_RUNS runs (hyperfine, else a loop); sets med and cpu (seconds)
time_one() {
    to_cmd="sh bench/records/cmd.sh $1 $2 '$in' >'$out/out/$1.$2.timed'"
    if command -v hyperfine >/dev/null; then
        if hyperfine --style basic --runs "$RECORDS_RUNS" --export-json "$out/json/$1.$2.json" "$to_cmd" \
            >"$out/json/$1.$2.log" 2>&1; then
            med=$(json_num "$out/json/$1.$2.json" median)
            cpu=$(json_cpu "$out/json/$1.$2.json")
        else
            med=nan cpu=nan status=1
        fi
    else
        : >"$out/json/$1.$2.times"
        i=0
        while [ "$i" -lt "$RECORDS_RUNS" ]; do
            t0=$(date +%s%N)
            sh -c "$to_cmd" || status=1
            echo "$(( ($(date +%s%N) - t0) / 1000 ))e-6" >>"$out/json/$1.$2.times"
            i=$((i + 1))
        done
        med=$(median <"$out/json/$1.$2.times") cpu=nan
    fi
    rm -f "$out/out/$1.$2.timed"
}

# run_task TASK: check every tool, time the correct ones, add the task's table to the report
run_task() {
    task_info "$1"
    in=$(input "$fmt") || { say "records: cannot generate the $fmt input"; status=1; return; }
    bytes=$(wc -c <"$in")
    say "records: $1 ($what, $fmt)"
    rm -f "$out/out/$1".*
    rows=$out/json/$1.rows
    : >"$rows"
    for t in python $RECORDS_TOOLS; do
        [ "$t" = python ] && [ -f "$out/out/$1.python.rss" ] && continue    # the reference ran
        check_one "$1" "$t"
        med=nan cpu=nan
        [ -n "$ok" ] && time_one "$1" "$t"
        say "  $t: $verdict${ok:+, median ${med}s}"
        printf '%s|%s|%s|%s|%s\n' "$t" "$med" "$cpu" "$rss" "$verdict" >>"$rows"
    done
    # the fastest anchor (every tool but pipec), and the fastest that uses one thread (not duckdb)
    best=$(awk -F'|' '$1 !~ /^pipec/ && $2 != "nan" { print $2 }' "$rows" | sort -g | head -n 1)
    best1=$(awk -F'|' '$1 !~ /^pipec/ && $1 != "duckdb" && $2 != "nan" { print $2 }' "$rows" | sort -g | head -n 1)
    line "### $1: $what ($fmt, $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB)"
    line ""
    line "| tool | median s | MB/s | CPU s | peak RSS MiB | × fastest anchor | × fastest 1-thread anchor | output |"
    line "|---|---:|---:|---:|---:|---:|---:|---|"
    while IFS='|' read -r t med cpu rss verdict; do
        awk -v t="$t" -v m="$med" -v c="$cpu" -v r="$rss" -v v="$verdict" -v b="$bytes" -v best="$best" \
            -v best1="$best1" 'function f(x, d) { return x == "nan" || x == "" ? "–" : sprintf("%." d "f", x) }
            BEGIN { mbs = m == "nan" ? "nan" : b / 1e6 / m
                    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", t, f(m, 2), f(mbs, 0), f(c, 2), r,
                        m == "nan" || best == "" ? "–" : f(m / best, 2),
                        m == "nan" || best1 == "" ? "–" : f(m / best1, 2), v }' >>"$report.tmp"
        case $t in pipec-bin)
            printf '%s|%s|%s|%s\n' "$1" "$med" "$best1" "$bytes" >>"$out/json/aims" ;;
        esac
    done <"$rows"
    line ""
    rm -f "$out/out/$1.python" "$out/out/$1.python.norm"
}

# ---- memory flatness: pipec binaries at 1x and RECORDS_FLAT x input, through a pipe -----------

# feed N FILE FMT: FILE N times on stdout; for CSV and TSV the header only once
feed() {
    cat "$2"
    i=1
    while [ "$i" -lt "$1" ]; do
        if [ "$3" = json ]; then cat "$2"; else tail -n +2 "$2"; fi
        i=$((i + 1))
    done
}

flatness() {
    line "## Memory: peak RSS of each streaming task (pipec binary) at 1× and ${RECORDS_FLAT}× input"
    line ""
    line "Input through a pipe (\`cat\`, the header once), output to /dev/null. Flat: the ${RECORDS_FLAT}× peak is at most 1.5 × + 4 MiB the 1× peak."
    line ""
    line "| task | 1× MiB | ${RECORDS_FLAT}× MiB | memory |"
    line "|---|---:|---:|---|"
    for t in $RECORDS_TASKS; do
        [ "$t" = sort ] && continue                     # sort keeps (or spills) everything
        task_info "$t"
        why=$(why_not "$t" pipec-bin)
        if [ -n "$why" ]; then line "| $t | – | – | pipec: $why |"; continue; fi
        in=$(input "$fmt") || continue
        s=$t
        [ "$t" = count_plain ] && s=count
        for n in 1 "$RECORDS_FLAT"; do
            feed "$n" "$in" "$fmt" | /usr/bin/time -f '%M' -o "$out/json/flat.$t.$n" \
                "$RECORDS_BIN/$s" --path /dev/stdin $RECORDS_PIPEC_OPTS >/dev/null 2>"$out/json/flat.$t.err" ||
                { echo fail >"$out/json/flat.$t.$n"; status=1; }
        done
        r1=$(awk '/^[0-9]+$/ { printf "%.0f", $1 / 1024 }' "$out/json/flat.$t.1")
        rn=$(awk '/^[0-9]+$/ { printf "%.0f", $1 / 1024 }' "$out/json/flat.$t.$RECORDS_FLAT")
        if [ -z "$r1" ] || [ -z "$rn" ]; then
            v="failed: $(tail -n 1 "$out/json/flat.$t.err" | cut -c1-80)"
        elif [ "$rn" -le $((r1 * 3 / 2 + 4)) ]; then v=flat; else v=GROWS; status=1; fi
        line "| $t | ${r1:-–} | ${rn:-–} | $v |"
    done
    line ""
}

# ---- the run ---------------------------------------------------------------------------------

install_tools
[ -x /usr/bin/time ] || { say "records: needs GNU time (/usr/bin/time; Debian: apt-get install -y time)"; exit 1; }
build_gen gen_records "$out" || { say "records: cannot build gen_records"; exit 1; }
for f in "$data"/records_*; do
    case $f in *"_g$gen_sum."* | *'*') ;; *) rm -f "$f" ;; esac
done
compile_scripts
: >"$report.tmp"
: >"$out/json/aims"
line "# Records benchmark (bench/records.sh)"
line ""
line "- $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); pipec $("$PIPEC" --version 2>/dev/null | head -n 1) at $(git rev-parse --short HEAD 2>/dev/null)"
line "- inputs: \`gen_records FORMAT $RECORDS_MB $SEED\` (RECORDS_MB=$RECORDS_MB MiB each: CSV, TSV, JSON Lines, unquoted CSV); median of $RECORDS_RUNS runs after one checked run; MB = 10^6 bytes of input"
line "- tools: $(for t in mlr jq gojq datamash hyperfine node; do command -v $t >/dev/null && printf '%s ' "$t"; done)$("$PYTHON" -c 'import pandas; print("pandas " + pandas.__version__)' 2>/dev/null); DuckDB $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$DUCKDB_NODE_PATH/@duckdb/node-api/package.json" 2>/dev/null | head -n 1)"
line "- pipec-run: \`pipec run\` (compile included), pipec-bin: \`pipec build\` binary, both one thread; duckdb: all cores, duckdb-1t: SET threads=1; Miller and gojq are Go programs and may use more than one core (CPU s > median s)"
line "- anchors: every tool but pipec; × = median / the fastest anchor's median (1-thread: without duckdb); output compared with Python's (see bench/README.md for the normalization; an anchor's group-by numbers may differ by a relative $ANCHOR_REL, \"equal within\", pipec's not)"
line ""
for t in $RECORDS_TASKS; do run_task "$t"; done

line "## Aims"
line ""
awk -F'|' '{ if ($2 == "nan" || $3 == "") r = "pipec-bin not measured";
    else { x = $2 / $3; r = sprintf("%.2f × the fastest 1-thread anchor: %s", x, x < 1 ? "ahead" : "BEHIND") }
    if ($1 == "count_plain" && $2 != "nan") r = r sprintf("; %.0f MB/s (aim 1000: %s)", $4 / 1e6 / $2, $4 / 1e6 / $2 >= 1000 ? "met" : "MISSED")
    printf "- %s: %s\n", $1, r }' "$out/json/aims" >>"$report.tmp"
[ -s "$out/json/aims" ] || line "- pipec-bin not in RECORDS_TOOLS"
line ""
[ "$RECORDS_FLAT" -gt 0 ] 2>/dev/null && flatness
mv "$report.tmp" "$report"
cat "$report"
exit $status
