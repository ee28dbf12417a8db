#!/bin/sh
# run.sh fuzz|replay — seeds the corpora of the four libFuzzer targets, then
# fuzz: runs each (or those of FUZZ_TARGETS: parse, input, path, records) for FUZZ_SECONDS
#   (one process), printing libFuzzer's final
#   stats; a crash, leak or UBSan report is left in FUZZ_DIR/artifacts/TARGET/;
# replay: runs every seed and every tests/fuzz/regress/TARGET/ input once
#   (make test), ending with the line "fuzz: N passed, M failed".
# FUZZ_DIR holds the fuzzers (built by make) and everything this writes;
# FUZZ_NPIPES is how many pipelines fuzz_input has (the Makefile's FUZZ_PIPES).
# Seeds of fuzz_parse: every .pipe of the repository.  Seeds of fuzz_input:
# sample inputs (examples, golden tests, bench/gen_lines and gen_access
# output, awkward hand-made ones), each behind two header bytes that pick a
# pipeline, the reader's bytes per read, a pipe or a file, and the memory
# budget (see fuzz_input.c).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=$1
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
case $FUZZ_DIR in /*) ;; *) FUZZ_DIR=$top/$FUZZ_DIR ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_NPIPES=${FUZZ_NPIPES:-11}
seeds=$FUZZ_DIR/seeds
samples=$FUZZ_DIR/samples

# --- seeds ------------------------------------------------------------------
rm -rf "$seeds" "$samples"
mkdir -p "$seeds/parse" "$seeds/input" "$samples"
cd "$top" || exit 1
find . -name '*.pipe' -not -path './build/*' -not -path './node_modules/*' | sort | while read -r f; do
    cp "$f" "$seeds/parse/$(echo "$f" | sed 's|^\./||; s|/|_|g')"
done

for f in examples/*.in examples/access.log tests/golden/*.in tests/golden/*.txt; do
    cp "$f" "$samples/$(echo "$f" | sed 's|/|_|g')"
done
# generated logs: a few KiB of each generator, two seeds
if cc -std=c11 -O2 -o "$FUZZ_DIR/gen_lines" bench/gen_lines.c 2>/dev/null &&
    cc -std=c11 -O2 -o "$FUZZ_DIR/gen_access" bench/gen_access.c 2>/dev/null; then
    for s in 1 2; do
        "$FUZZ_DIR/gen_lines" 0.01 $s | head -c 6000 >"$samples/gen_lines_$s"
        "$FUZZ_DIR/gen_access" 1 $s | head -c 6000 >"$samples/gen_access_$s"
    done
else
    echo "fuzz: note: bench/gen_lines.c or gen_access.c did not build; seeding without them"
fi
# awkward input: empty, no final newline, CRLF, NUL, long lines, blank lines,
# numbers and not-quite numbers, invalid UTF-8, runs of duplicates
: >"$samples/empty"
printf 'no final newline' >"$samples/no_newline"
printf 'one\r\ntwo ERROR\r\n\r\nab,cd\r\n' >"$samples/crlf"
printf 'a\000b\nab\000\n\000\n\000ERR\000 1\n' >"$samples/nul"
printf '\n\n\n \n\t\n' >"$samples/blank"
printf '12 3.5\n-7 -0.25\n0x1F 1e3\n9223372036854775807 nan\n-9223372036854775808 inf\n 42  \n1_0 .5\n99999999999999999999 1e999\n' \
    >"$samples/numbers"
printf '\377\376 caf\303\251 \300\200 \355\240\200\n\342\202\254 ab ab\n' >"$samples/utf8"
printf 'x\nx\nx\ny\nx\ny y y\ny y y\n' >"$samples/dups"
awk 'BEGIN { for (i = 0; i < 700; i++) printf "ab%d x@y ", i; printf "\n" }' >"$samples/long_line"
awk 'BEGIN { for (i = 0; i < 300; i++) printf "%d,", i * 7 }' >"$samples/long_no_newline"
# many short lines: past a 64 KiB budget sort writes several runs
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "%d\n", (i * 7919) % 1000 }' >"$samples/many_short"

# each sample twice per pipeline, with header settings in turn: default reads
# from a file, small and medium reads, a pipe; one of the two with the 64 KiB
# budget (the second five settings are the first five plus bit 6)
settings="0 5 128 17 50 64 69 192 81 114"
j=0
for f in "$samples"/*; do
    i=0
    while [ $i -lt "$FUZZ_NPIPES" ]; do
        for k in 0 5; do
            # shellcheck disable=SC2086
            b=$(echo $settings | cut -d' ' -f$(((i + j) % 5 + k + 1)))
            { printf "\\$(printf %03o $i)\\$(printf %03o "$b")"; cat "$f"; } >"$seeds/input/$(basename "$f").$i.$b"
        done
        i=$((i + 1))
    done
    j=$((j + 1))
done

# seeds of fuzz_path: a few byte strings (each byte a choice of the tree or a path)
mkdir -p "$seeds/path"
for s in 1 2 3 4 5 6 7 8; do
    awk -v s=$s 'BEGIN { srand(s); for (i = 0; i < 200; i++) printf "%c", int(rand() * 256) }' >"$seeds/path/seed$s"
done

# seeds of fuzz_records: csv, tsv and JSON Lines (hand-made, and the shared
# csv-spectrum and JSONTestSuite files when ../shared has them), each behind
# two header bytes: the reader and writer (see fuzz_records.c) and the bytes
# per read
rs=$FUZZ_DIR/rec_samples
rm -rf "$rs"
mkdir -p "$seeds/records" "$rs/csv" "$rs/tsv" "$rs/json"
printf 'name,n,x,ok,note,start_date\nalpha,1,1.5,true,"a ""quoted"" note",20240101\nb,2,,,,\n"multi\nline",3,2e3,false,"x,y",\n' >"$rs/csv/basic"
printf '\357\273\277Name;N;Start Date\r\n# comment\r\n"a;b";0x1F;7\r\n\r\nc;-4\r\n' >"$rs/csv/bom_crlf_semicolon"
printf 'n,name\n1,"open\n\n""\n",x\n2,"a"b\n3,"never closed\n' >"$rs/csv/awkward"
printf 'name\tn\tnote\nt\\tab\t7\tline\\nbreak\\\\\nu\t-1\t\n' >"$rs/tsv/basic"
printf '{"id":1,"name":"a","tags":{"k":1,"a b":2},"items":[{"name":"i","qty":2},{"name":"j","qty":null}],"pair":["p",1.5],"set":["s","t","s"],"inner":{"name":"in"},"ok":true}\n\n{"id":2,"ok":false,"name":"\\u00e9\\ud834\\udd1e","pair":["",0],"tags":{},"items":[],"set":[]}\n{"id":1.5}\n{"id":3,"ok":true,"pair":["x",1e999],"tags":{"k":"v"}}\n[1,2]\n{"id":\n' >"$rs/json/basic"
shared=${SHARED:-$top/../shared}/testdata
[ -d "$shared/csv-spectrum/csvs" ] && cp "$shared"/csv-spectrum/csvs/*.csv "$rs/csv/" 2>/dev/null
[ -d "$shared/JSONTestSuite/test_parsing" ] && cp "$shared"/JSONTestSuite/test_parsing/y_*.json "$rs/json/" 2>/dev/null
for kind in csv tsv json; do
    case $kind in
    csv) modes="0 16 76 35 3" ;; # csv | to_json; | to_csv; header false, comment, skip; | to_tsv; sep ;
    tsv) modes="1 33 73" ;;
    json) modes="2 18 66 50" ;;
    esac
    j=0
    for f in "$rs/$kind"/*; do
        for m in $modes; do
            # shellcheck disable=SC2086
            b=$(echo 0 5 133 50 | cut -d' ' -f$((j % 4 + 1)))
            { printf "\\$(printf %03o "$m")\\$(printf %03o "$b")"; cat "$f"; } >"$seeds/records/$kind.$(basename "$f").$m"
            j=$((j + 1))
        done
    done
done

# --- fuzz -------------------------------------------------------------------
fuzz() { # fuzz TARGET MAX_LEN [OPTION...]
    t=$1 max=$2
    shift 2
    mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/artifacts/$t"
    echo "fuzz: $t for ${FUZZ_SECONDS}s (log: $FUZZ_DIR/$t.log)"
    start=$(date +%s)
    # fuzz_parse resolves imports against the current folder
    (cd "$FUZZ_DIR" && ./"fuzz_$t" -max_total_time="$FUZZ_SECONDS" -max_len="$max" -timeout=20 \
        -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/artifacts/$t/" "$@" \
        "$FUZZ_DIR/corpus/$t" "$seeds/$t") >"$FUZZ_DIR/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$FUZZ_DIR/$t.log"
    echo "fuzz: $t: $((end - start))s wall, exit $rc"
    if [ $rc -ne 0 ]; then
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|artifact_prefix|Test unit written)' "$FUZZ_DIR/$t.log" | head -20
        return 1
    fi
}

# --- replay -----------------------------------------------------------------
pass=0
fail=0
replay() { # replay TARGET: every seed and regression input, once, in one process
    t=$1
    set -- "$seeds/$t"/*
    [ -d "$top/tests/fuzz/regress/$t" ] && set -- "$@" $(find "$top/tests/fuzz/regress/$t" -type f | sort)
    n=$#
    if (cd "$FUZZ_DIR" && ./"fuzz_$t" -close_fd_mask=3 -timeout=20 "$@") >"$FUZZ_DIR/replay_$t.log" 2>&1; then
        pass=$((pass + n))
    else
        ran=$(grep -c '^Executed ' "$FUZZ_DIR/replay_$t.log")
        pass=$((pass + ran))
        fail=$((fail + 1))
        echo "FAIL fuzz: fuzz_$t on $(sed -n 's/^Running: //p' "$FUZZ_DIR/replay_$t.log" | tail -1):"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|    #[0-9] )' "$FUZZ_DIR/replay_$t.log" | head -20
    fi
}

case $mode in
fuzz)
    rc=0
    for t in ${FUZZ_TARGETS:-parse input path records}; do
        case $t in
        parse) fuzz parse 4096 -dict="$top/tests/fuzz/parse.dict" || rc=1 ;;
        input) fuzz input 16384 || rc=1 ;;
        path) fuzz path 512 || rc=1 ;;
        records) fuzz records 16384 || rc=1 ;;
        *) echo "fuzz: unknown target $t (parse, input, path, records)" >&2 && rc=2 ;;
        esac
    done
    exit $rc
    ;;
replay)
    replay parse
    replay input
    replay path
    replay records
    echo "fuzz: $pass passed, $fail failed"
    [ $fail -eq 0 ]
    ;;
*)
    echo "usage: run.sh fuzz|replay" >&2
    exit 2
    ;;
esac
