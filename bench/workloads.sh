# workloads.sh — section 4 of `make bench`: the eight workloads of bench/workloads/w1..w8.pipe
# under `pipec run` and as `pipec build` binaries, next to the tools a user has (bench/refs.sh:
# a coreutils/grep/sed pipeline, mawk, gawk, each when installed). Sourced by bench/run.sh, whose
# helpers and settings it uses (say, line, median, json_num, same, $out, $data, $PIPEC, $CC,
# $have_hyperfine, $have_time, status).
#
# Settings (environment):
#   BENCH_MB         size of the generated access log in MiB (default 100); the text of w5 is
#                    a fifth of it (at least 1 MiB); 0 skips the section
#   BENCH_WL_RUNS    hyperfine --min-runs (default 5), after one warm-up run; hyperfine runs a
#                    command for about 3 s, BENCH_WL_MAX_RUNS (default 3 × that) caps the fast ones
#   BENCH_WORKLOADS  which ones (default "w1 w2 w3 w4 w5 w6 w7 w8")
#
# For each workload: every command runs once under GNU time (peak RSS; also warms the page
# cache), every output (w6: stdout and its two files) is compared byte for byte with the first
# reference's, and only then are the identical ones timed.

BENCH_MB=${BENCH_MB:-100}
BENCH_WL_RUNS=${BENCH_WL_RUNS:-5}
BENCH_WL_MAX_RUNS=${BENCH_WL_MAX_RUNS:-$((BENCH_WL_RUNS * 3))}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-w1 w2 w3 w4 w5 w6 w7 w8}
wl=$out/wl                      # binaries, outputs (out/), timings (json/) of this section
REFS="shell mawk gawk"          # the reference tools, in table order

# access_log MIB: the generated log of that size (made if missing), named like the inputs of 2.
access_log() {
    al_f=$data/access_${1}mib_s${SEED}_g$acc_sum.txt
    if [ ! -f "$al_f" ]; then
        rm -f "$data/access_${1}mib_"*
        say "  generating ${al_f#"$top"/}"
        "$acc" "$1" "$SEED" >"$al_f.tmp" && mv "$al_f.tmp" "$al_f" || { rm -f "$al_f.tmp"; return 1; }
    fi
    echo "$al_f"
}

# corpus_files: the text files every Debian machine has, in byte order (the licenses, and the
# copyright file of every installed package); the repository's own docs when there are none.
corpus_files() {
    { find -L /usr/share/common-licenses -type f 2>/dev/null
      ls /usr/share/doc/*/copyright 2>/dev/null; } | sort
}

# text MIB: that many MiB (or a little more) of the corpus, whole files, cycled as often as
# needed, ending with a newline. Named by a checksum of the file list and sizes.
text_input() {
    tx_list=$wl/corpus.list
    corpus_files >"$tx_list"
    if [ ! -s "$tx_list" ]; then
        say "  no /usr/share/common-licenses or /usr/share/doc/*/copyright: w5 reads the repository's *.md"
        find "$top" -name '*.md' -not -path "$BUILD/*" | sort >"$tx_list"
    fi
    tx_sum=$(tr '\n' '\0' <"$tx_list" | xargs -0 wc -c | cksum | cut -d' ' -f1)
    tx_f=$data/text_${1}mib_c$tx_sum.txt
    if [ ! -f "$tx_f" ]; then
        rm -f "$data/text_${1}mib_"*
        say "  generating ${tx_f#"$top"/} from $(wc -l <"$tx_list") files"
        want=$(($1 * 1048576))
        : >"$tx_f.tmp"
        # cat the files of the list in batches until the size is reached; the list is short
        # next to the text, so each round is one xargs call
        while [ "$(wc -c <"$tx_f.tmp")" -lt "$want" ]; do
            have=$(wc -c <"$tx_f.tmp")
            tr '\n' '\0' <"$tx_list" | xargs -0 wc -c 2>/dev/null | awk -v need=$((want - have)) '
                $2 == "total" { next }
                { print $2; got += $1; if (got >= need) exit }' | tr '\n' '\0' | xargs -0 cat >>"$tx_f.tmp"
        done
        [ "$(tail -c 1 "$tx_f.tmp" | od -An -c | tr -d ' ')" = '\n' ] || echo >>"$tx_f.tmp"
        mv "$tx_f.tmp" "$tx_f"
    fi
    echo "$tx_f"
}

# wl_cmd W KIND: the command line (for sh -c) of workload W as KIND (run, bin, or a reference
# tool), reading "$in" and writing $wl/out/W.KIND.txt (w6: also .5xx and .404).
wl_cmd() {
    wc_o=$wl/out/$1.$2
    case $2 in
    run) wc_c="'$PIPEC' run bench/workloads/$1.pipe" ;;
    bin) wc_c="'$wl/$1'" ;;
    *) wc_c="sh bench/refs.sh $1 $2" ;;
    esac
    if [ "$1" = w6 ]; then
        case $2 in
        run | bin) wc_c="$wc_c --out5xx '$wc_o.5xx' --out404 '$wc_o.404'" ;;
        *) wc_c="OUT_5XX='$wc_o.5xx' OUT_404='$wc_o.404' $wc_c" ;;
        esac
    fi
    echo "$wc_c <'$in' >'$wc_o.txt'"
}

# wl_same W A B: "identical" or FAIL, comparing every output of W under A and B
wl_same() {
    ws_v=identical
    for ws_x in txt 5xx 404; do
        [ "$ws_x" != txt ] && [ "$1" != w6 ] && continue
        ws_r=$(same "$wl/out/$1.$2.$ws_x" "$wl/out/$1.$3.$ws_x")
        [ "$ws_r" = identical ] || { ws_v=$ws_r; break; }
    done
    echo "$ws_v"
}

if [ "$BENCH_MB" -gt 0 ] 2>/dev/null; then
    say "bench: 4. workloads on a $BENCH_MB MiB access log (w5: text)"
    mkdir -p "$wl/out" "$wl/json" || exit 1
    acc_sum=$(cksum <bench/gen_access.c | cut -d' ' -f1)
    acc=$out/gen_access_$acc_sum
    if [ ! -x "$acc" ]; then
        rm -f "$out"/gen_access_*
        $CC -std=c11 -O2 -Wall -Wextra -o "$acc" bench/gen_access.c || { say "bench: cannot build gen_access"; exit 1; }
    fi
    text_mb=$((BENCH_MB / 5))
    [ "$text_mb" -lt 1 ] && text_mb=1
    logs=$(access_log "$BENCH_MB") || { say "bench: cannot generate the access log"; status=1; }
    text=$(text_input "$text_mb") || { say "bench: cannot make the text of w5"; status=1; }

    # which reference tools this machine has (refs.sh exits 3 for a missing one)
    found= missing=
    for t in $REFS; do
        if sh bench/refs.sh w1 "$t" </dev/null >/dev/null 2>&1; then found="$found $t"; else missing="$missing $t"; fi
    done

    line "## 4. Workloads (bench/workloads/wN.pipe next to the tools found here)"
    line ""
    line "- input: access log $BENCH_MB MiB ($(wc -l <"$logs") lines, \`gen_access $BENCH_MB $SEED\`); w5: $(wc -c <"$text" | awk '{ printf "%.1f", $1 / 1048576 }') MiB of $(wc -l <"$wl/corpus.list") text files (licenses, copyright files), cycled"
    line "- reference tools found:${found:- none}${missing:+; not installed:$missing}$(command -v bc >/dev/null || echo '; no bc, so no shell pipeline for w4')"
    line ""
    line "| workload | command | runs | median s | MB/s | peak RSS MiB | × fastest other tool | output |"
    line "|---|---|---:|---:|---:|---:|---:|---|"

    for w in $BENCH_WORKLOADS; do
        in=$logs
        [ "$w" = w5 ] && in=$text
        bytes=$(wc -c <"$in")
        kinds=
        for t in $found; do
            sh bench/refs.sh "$w" "$t" </dev/null >/dev/null 2>&1
            [ $? -eq 3 ] || kinds="$kinds $t"            # w4's pipeline needs bc
        done
        refs_here=$kinds
        if "$PIPEC" build "bench/workloads/$w.pipe" -o "$wl/$w" >"$wl/json/$w.build.log" 2>&1; then
            kinds="run bin$kinds"
        else
            say "  $w: pipec build failed: see $wl/json/$w.build.log"
            status=1
            kinds="run$kinds"
        fi
        say "  $w:$(echo " $kinds" | sed 's/ run / pipec-run /; s/ bin / pipec-binary /')"

        # 1. one run each under GNU time: the output to check, the peak RSS, a warm page cache
        for k in $kinds; do
            rm -f "$wl/out/$w.$k".*
            if [ -n "$have_time" ]; then
                /usr/bin/time -f '%M' -o "$wl/json/$w.$k.rss" sh -c "$(wl_cmd "$w" "$k")"
            else
                sh -c "$(wl_cmd "$w" "$k")"
            fi
            echo $? >"$wl/json/$w.$k.rc"
        done
        # 2. the first reference's output is the one every other must equal (pipec run's when
        # no reference tool is installed)
        base=${refs_here# }
        base=${base%% *}
        [ -n "$base" ] || base=run
        fastest=
        for k in $kinds; do
            rc=$(cat "$wl/json/$w.$k.rc")
            if [ "$rc" -ne 0 ]; then
                verdict="FAIL (exit code $rc)"
                status=1
            elif [ "$k" = "$base" ]; then
                verdict=reference
            else
                verdict=$(wl_same "$w" "$base" "$k")
                case $verdict in FAIL*) status=1 ;; esac
            fi
            echo "$verdict" >"$wl/json/$w.$k.verdict"
        done
        # 3. time the commands whose output is right
        for k in $kinds; do
            med=nan runs=0
            case $(cat "$wl/json/$w.$k.verdict") in
            FAIL*) ;;
            *)
                if [ -n "$have_hyperfine" ]; then
                    if hyperfine --style none --warmup 1 --min-runs "$BENCH_WL_RUNS" --max-runs "$BENCH_WL_MAX_RUNS" \
                        --export-json "$wl/json/$w.$k.json" "$(wl_cmd "$w" "$k")" >"$wl/json/$w.$k.log" 2>&1; then
                        med=$(json_num "$wl/json/$w.$k.json" median)
                        runs=$(awk '/"times": \[/ { on = 1; next } on && /\]/ { exit } on { n++ } END { print n + 0 }' "$wl/json/$w.$k.json")
                    else
                        say "  $w $k: hyperfine failed: see $wl/json/$w.$k.log"
                        status=1
                    fi
                else
                    sh -c "$(wl_cmd "$w" "$k")"     # the warm-up
                    : >"$wl/json/$w.$k.times"
                    i=0
                    while [ "$i" -lt "$BENCH_WL_RUNS" ]; do
                        t0=$(now_ns)
                        sh -c "$(wl_cmd "$w" "$k")"
                        t1=$(now_ns)
                        echo "$(((t1 - t0) / 1000))e-6" >>"$wl/json/$w.$k.times"
                        i=$((i + 1))
                    done
                    med=$(median <"$wl/json/$w.$k.times")
                    runs=$BENCH_WL_RUNS
                fi
                ;;
            esac
            echo "$med $runs" >"$wl/json/$w.$k.med"
            case " $refs_here " in
            *" $k "*) [ "$med" != nan ] && fastest=$(awk -v a="$fastest" -v b="$med" 'BEGIN { print (a == "" || b < a) ? b : a }') ;;
            esac
        done
        # 4. the rows
        for k in $kinds; do
            read -r med runs <"$wl/json/$w.$k.med"
            case $k in
            run) label="**pipec run**" ;;
            bin) label="**pipec binary**" ;;
            shell) label="shell pipeline" ;;
            *) label=$k ;;
            esac
            rss=n/a
            [ -n "$have_time" ] && rss=$(awk '{ v = $1 } END { printf "%.1f", v / 1024 }' "$wl/json/$w.$k.rss")
            if [ "$med" = nan ]; then
                line "| $w | $label | 0 | – | – | $rss | – | $(cat "$wl/json/$w.$k.verdict") |"
                continue
            fi
            ratio=$(awk -v m="$med" -v f="$fastest" 'BEGIN { if (f == "") print "–"; else printf "%.2f", m / f }')
            case $k in run | bin) ratio="**$ratio**" ;; esac
            line "| $w | $label | $runs | $(printf '%.3f' "$med") | $(awk -v b="$bytes" -v t="$med" 'BEGIN { printf "%.0f", b / 1e6 / t }') | $rss | $ratio | $(cat "$wl/json/$w.$k.verdict") |"
        done
    done
    line ""
    line "median: wall seconds of hyperfine's runs (--warmup 1 --min-runs $BENCH_WL_RUNS; a shell starts each"
    line "command, its start-up subtracted); \`pipec run\` includes its compile. MB/s = input bytes / 10^6 / median."
    line "Peak RSS: GNU time on one run, the largest process of a pipeline. × fastest other tool: median /"
    line "the smallest median among the reference tools (shell pipeline, mawk, gawk; bench/refs.sh). Output:"
    line "compared byte for byte with the first reference's (w6: stdout and both files) before timing."
    line ""
fi
