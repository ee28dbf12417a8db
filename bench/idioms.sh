#!/bin/sh
# idioms.sh — `make bench-idioms` (also the last part of `make bench`): the corpus of formulations
# of bench/idioms/ (README.md there): every task written two or more ways a new user would write
# it, each built with `pipec build` and run under `pipec run`, next to the task's reference
# command (awk, coreutils, grep, sed). Every output is compared byte for byte with the
# reference's first; only identical ones are timed. Report: $BUILD/bench/idioms.md and stdout.
#
# Settings (environment):
#   PIPEC          the compiler (default bin/pipec); BUILD the build folder (default build)
#   IDIOMS_MB      size of each generated input in MiB (default 100)
#   IDIOMS         which tasks (default: all; "03 contains 24_top_k" picks some)
#   IDIOMS_RUNS    timed runs per command, the best is reported (default 3)
#   CC             compiles the generators (default cc)
# Exit code 1 when an output differs or a command fails; the report is printed either way.

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. "$top/bench/lib.sh"                # also makes PIPEC and BUILD absolute
. "$top/bench/idioms/lib.sh"
IDIOMS_MB=${IDIOMS_MB:-100}
IDIOMS_RUNS=${IDIOMS_RUNS:-3}
AIM=1.15                             # issue 16: every formulation within this of its task's fastest
out=$BUILD/bench/idioms              # binaries, outputs, timings
data=$out/data                       # generated inputs, kept between runs
report=$BUILD/bench/idioms.md
export LC_ALL=C
mkdir -p "$out/bin" "$out/out" "$out/json" "$data" || exit 1
status=0
have_hyperfine=$(command -v hyperfine)

# say, line: bench/lib.sh

# best NAME CMD: the least wall time in seconds of IDIOMS_RUNS runs of the shell command CMD
# (hyperfine when installed, which subtracts the shell's start-up; else a date loop), or nan
best() {
    if [ -n "$have_hyperfine" ]; then
        if hyperfine --style none --runs "$IDIOMS_RUNS" --export-json "$out/json/$1.json" "$2" \
            >"$out/json/$1.log" 2>&1; then
            json_num "$out/json/$1.json" min
        else
            say "  $1: hyperfine failed: see $out/json/$1.log"
            echo nan
        fi
        return
    fi
    b_i=0
    while [ "$b_i" -lt "$IDIOMS_RUNS" ]; do
        b_t0=$(date +%s%N)
        sh -c "$2"
        b_t1=$(date +%s%N)
        echo "$(((b_t1 - b_t0) / 1000))e-6"
        b_i=$((b_i + 1))
    done | sort -g | head -n 1
}

# verdict_of OUT RC: "identical", or FAIL with the exit code or the first differing line
verdict_of() {
    if [ "$2" -ne 0 ]; then
        echo "FAIL (exit code $2)"
    elif cmp -s "$ref_out" "$1"; then
        echo identical
    else
        echo "FAIL ($(cmp "$ref_out" "$1" 2>&1 | head -n 1 | sed "s|$out/||g"))"
    fi
}

# ratio A B: A / B with two decimals, "–" when either is missing
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'
}

# secs S: three decimals, "–" for nan
secs() { case $1 in nan | "") echo "–" ;; *) printf '%.3f' "$1" ;; esac; }

[ -x "$PIPEC" ] || { say "bench-idioms: $PIPEC is missing or not executable (run make first)"; exit 1; }
# pipec run: the native object of each script, built by the check run of step 1 in a cache
# folder of this benchmark, so that every timed run finds it (native_cache, wait_builds: lib.sh)
native_cache "$out/cache"

tasks=$(idioms_tasks "${IDIOMS:-}") || exit 1
say "bench: idioms, $(echo "$tasks" | wc -l) tasks on $IDIOMS_MB MiB inputs"
: >"$report.tmp"
: >"$out/json/rows"                 # task form bin_s run_s verdict, one a line, for the summary

line "## Idioms: one task, several formulations (bench/idioms/)"
line ""
line "- inputs: $IDIOMS_MB MiB each, generated (seed $IDIOMS_SEED): access = bench/gen_access.c, applog = bench/gen_lines.c, dpkg/text/nums/csv = bench/gen_idioms.c"
line "- time: the best of $IDIOMS_RUNS runs$([ -n "$have_hyperfine" ] && echo ' (hyperfine, shell start-up subtracted)'), wall seconds, input from the page cache, output to a file"
line "- built: the \`pipec build\` binary; × fastest: over the fastest built formulation of the task; × ref: over the reference command; run: \`pipec run\` (compile included; its native object cached by a first run), its × over the fastest \`pipec run\` of the task; run × built: over the same formulation's binary"
line ""
line "| task | formulation | built s | × fastest | × ref | run s (× fastest) | run × built | output |"
line "|---|---|---:|---:|---:|---:|---:|---|"

for t in $tasks; do
    kind=$(idioms_kind "$t")
    in=$(idioms_input "$kind" "$IDIOMS_MB" "$data") || { say "bench-idioms: cannot make the $kind input"; exit 1; }
    say "  $t ($kind)"
    ref_out=$out/out/$t.ref.txt
    ref_cmd="sh '$IDIOMS_DIR/$t/ref.sh' <'$in' >'$ref_out'"
    if ! sh -c "$ref_cmd" 2>"$out/json/$t.ref.err"; then
        say "  $t: ref.sh failed: see $out/json/$t.ref.err"
        line "| $t | reference | – | – | – | – | FAIL (ref.sh) |"
        status=1
        continue
    fi
    ref_s=$(best "$t.ref" "$ref_cmd")
    forms=$(idioms_forms "$t")
    # 1. build, run once each way (also warms the page cache), check against the reference
    for f in $forms; do
        rm -f "$out/out/$t.$f".*
        if "$PIPEC" build "$IDIOMS_DIR/$t/$f.pipe" -o "$out/bin/$t.$f" >"$out/json/$t.$f.build.log" 2>&1; then
            "$out/bin/$t.$f" <"$in" >"$out/out/$t.$f.bin.txt" 2>"$out/json/$t.$f.bin.err"
            verdict_of "$out/out/$t.$f.bin.txt" $? >"$out/json/$t.$f.bin.verdict"
        else
            echo "FAIL (pipec build: see ${out#"$top"/}/json/$t.$f.build.log)" >"$out/json/$t.$f.bin.verdict"
        fi
        PIPEC_NATIVE=always "$PIPEC" run "$IDIOMS_DIR/$t/$f.pipe" <"$in" >"$out/out/$t.$f.run.txt" 2>"$out/json/$t.$f.run.err"
        verdict_of "$out/out/$t.$f.run.txt" $? >"$out/json/$t.$f.run.verdict"
        wait_builds
    done
    # 2. time the ones whose output is right
    fast_bin= fast_run=
    for f in $forms; do
        for m in bin run; do
            s=nan
            if [ "$(cat "$out/json/$t.$f.$m.verdict")" = identical ]; then
                case $m in
                bin) c="'$out/bin/$t.$f' <'$in' >'$out/out/$t.$f.bin.txt'" ;;
                run) c="'$PIPEC' run '$IDIOMS_DIR/$t/$f.pipe' <'$in' >'$out/out/$t.$f.run.txt'" ;;
                esac
                s=$(best "$t.$f.$m" "$c")
            fi
            echo "$s" >"$out/json/$t.$f.$m.s"
        done
        fast_bin=$(awk -v a="$fast_bin" -v b="$(cat "$out/json/$t.$f.bin.s")" 'BEGIN { print (b != "nan" && (a == "" || b + 0 < a + 0)) ? b : a }')
        fast_run=$(awk -v a="$fast_run" -v b="$(cat "$out/json/$t.$f.run.s")" 'BEGIN { print (b != "nan" && (a == "" || b + 0 < a + 0)) ? b : a }')
    done
    # 3. the rows: the reference, then each formulation
    line "| $t | reference: \`$(sed -n '3,$p' "$IDIOMS_DIR/$t/ref.sh" | tr '\n' ' ' | sed 's/ *$//; s/|/\\|/g')\` | $(secs "$ref_s") | $(ratio "$ref_s" "$fast_bin") | 1.00 | – | – | reference |"
    for f in $forms; do
        bs=$(cat "$out/json/$t.$f.bin.s") rs=$(cat "$out/json/$t.$f.run.s")
        v=$(cat "$out/json/$t.$f.bin.verdict")
        [ "$v" = identical ] && v=$(cat "$out/json/$t.$f.run.verdict")
        case $v in FAIL*) status=1 ;; esac
        [ "$rs" = nan ] && rcol="–" || rcol="$(secs "$rs") ($(ratio "$rs" "$fast_run"))"
        line "| $t | $f | $(secs "$bs") | $(ratio "$bs" "$fast_bin") | $(ratio "$bs" "$ref_s") | $rcol | $(ratio "$rs" "$bs") | $v |"
        echo "$t $f $(ratio "$bs" "$fast_bin") $(ratio "$rs" "$fast_run") $(ratio "$rs" "$bs")" >>"$out/json/rows"
    done
done

line ""
awk -v aim="$AIM" '
    { n++ }
    $3 != "–" && $3 + 0 > aim + 0 { sb++ }
    $4 != "–" && $4 + 0 > aim + 0 { sr++ }
    $5 != "–" && $5 + 0 > 1.2 { rb++ }
    END { printf "%d formulations; %d built and %d under `pipec run` are more than %s× the fastest of their task; %d run more than 1.2× their binary.", n, sb, sr, aim, rb }
' "$out/json/rows" >>"$report.tmp"
# the ten furthest from their task's fastest, built
awk -v aim="$AIM" '$3 != "–" && $3 + 0 > aim + 0' "$out/json/rows" | sort -k3,3gr | head -n 10 |
    awk '{ s = s sprintf("%s%s `%s` %s×", NR > 1 ? ", " : "", $1, $2, $3) } END { if (NR) print " The furthest, built: " s "." }' >>"$report.tmp"
line ""
line "Command: \`IDIOMS_MB=$IDIOMS_MB IDIOMS_RUNS=$IDIOMS_RUNS make bench-idioms\`$([ -n "${IDIOMS:-}" ] && echo " with IDIOMS=\"$IDIOMS\"")."
if [ "$status" -ne 0 ]; then
    line ""
    line "**An output differs or a command failed: see the FAIL rows and $out/json/.**"
fi
mv "$report.tmp" "$report"
cat "$report"
say "bench: report written to ${report#"$top"/}"
exit "$status"
