#!/bin/sh
# cmd.sh — one task of the records benchmark (bench/records.sh) run by one tool:
#   sh bench/records/cmd.sh TASK TOOL FILE      (output on stdout)
# Tools: pipec-run, pipec-bin (the binary $RECORDS_BIN/TASK), mlr, python, pandas, datamash, jq,
# gojq, duckdb (DuckDB with all cores), duckdb-1t (SET threads=1).
# Exit 3: the tool cannot do this task (no CSV quoting in datamash, no CSV reader in jq);
# exit 4: the tool is not installed. Settings: PIPEC, RECORDS_BIN, RECORDS_PIPEC_OPTS (options of
# pipec's run and binaries, e.g. -j 1 once pipec has it), PYTHON, DUCKDB_NODE_PATH.
task=$1 tool=$2 in=$3
here=$(dirname "$0")
PYTHON=${PYTHON:-python3}

# the input format of each task; the groups' and json2csv's columns
case $task in
count | count_plain | select | filter | group | sort | csv2json) fmt=csv ;;
json2csv | count_json | group_json) fmt=json ;;
count_tsv | group_tsv) fmt=tsv ;;
*) echo "cmd.sh: unknown task $task" >&2; exit 2 ;;
esac
need() { command -v "$1" >/dev/null 2>&1 || exit 4; }

# Miller: -i of the task's format; CSV output with the reference's column names
mlr_task() {
    need mlr
    case $fmt in csv) i=--icsv ;; json) i=--ijsonl ;; tsv) i=--itsv ;; esac
    stats='stats1 -a count,sum,mean -f amount -g category then rename amount_count,count,amount_sum,sum,amount_mean,mean then sort -f category'
    case $task in
    count*) exec mlr $i --onidx count "$in" ;;
    select) exec mlr --csv cut -o -f name,city,amount "$in" ;;
    filter) exec mlr --csv filter '$amount > 750' "$in" ;;
    group*) exec mlr $i --ocsv $stats "$in" ;;
    sort) exec mlr --csv sort -nf rank "$in" ;;
    # Miller infers numbers but not booleans, and writes an empty cell as "": say what they are
    csv2json) exec mlr --icsv --ojsonl put '$active = boolean($active); if (is_empty($score)) { $score = json_parse("null") }' "$in" ;;
    json2csv) exec mlr --ijsonl --ocsv filter '$amount > 750' then put '$lat = $geo["lat"]' then cut -o -f id,name,lat "$in" ;;
    esac
}

# jq and gojq read JSON only
jq_task() {
    need "$1"
    case $task in
    count_json) exec "$1" -n 'reduce inputs as $x (0; . + 1)' "$in" ;;
    group_json)
        exec "$1" -n -r 'reduce inputs as $r ({}; .[$r.category] |= ((. // {n: 0, s: 0}) | .n += 1 | .s += $r.amount))
            | ["category", "count", "sum", "mean"], (to_entries | sort_by(.key)[] | [.key, .value.n, .value.s, .value.s / .value.n])
            | @csv' "$in" ;;
    json2csv) exec "$1" -n -r '(["id", "name", "lat"] | @csv),
            (inputs | select(.amount > 750) | [.id, .name, .geo.lat] | @csv)' "$in" ;;
    *) exit 3 ;;
    esac
}

# datamash splits on one separator, with no quoting: TSV and the unquoted CSV only
datamash_task() {
    need datamash
    case $task in
    count_tsv) exec datamash --header-in count 1 <"$in" ;;
    count_plain) exec datamash -t , --header-in count 1 <"$in" ;;
    group_tsv)
        echo category,count,sum,mean
        exec datamash --header-in --output-delimiter , -s -g category count category sum amount mean amount <"$in" ;;
    *) exit 3 ;;
    esac
}

script=$task                    # the .pipe script (and the binary) of the task
[ "$task" = count_plain ] && script=count
case $tool in
pipec-run) exec "${PIPEC:-pipec}" run "$here/$script.pipe" --path "$in" $RECORDS_PIPEC_OPTS ;;
pipec-bin) exec "$RECORDS_BIN/$script" --path "$in" $RECORDS_PIPEC_OPTS ;;
python) exec "$PYTHON" "$here/py_records.py" "$task" "$in" ;;
pandas) "$PYTHON" -c 'import pandas' 2>/dev/null || exit 4
    exec "$PYTHON" "$here/pandas_records.py" "$task" "$in" ;;
duckdb | duckdb-1t)
    need node
    [ -d "$DUCKDB_NODE_PATH/@duckdb/node-api" ] || exit 4
    threads=0
    [ "$tool" = duckdb-1t ] && threads=1
    NODE_PATH=$DUCKDB_NODE_PATH exec node "$here/duckdb_records.cjs" "$task" "$in" "$threads" ;;
mlr) mlr_task ;;
jq | gojq) jq_task "$tool" ;;
datamash) datamash_task ;;
*) echo "cmd.sh: unknown tool $tool" >&2; exit 2 ;;
esac
