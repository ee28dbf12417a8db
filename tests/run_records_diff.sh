#!/bin/sh
# Differential tests of the record readers against Python's csv and json
# modules (issue 14): pipec's csv(T), tsv(T) and json(T) | to_json must print
# byte for byte what tests/records_diff/ref.py prints after reading the same
# file with Python, on
#   - RDIFF_N files from tests/records_diff/gen.py (seed RDIFF_SEED): random
#     quoting, separators , ; TAB |, CRLF, line breaks in cells, UTF-8, empty
#     cells, ragged rows, JSON Lines with nesting, escapes, surrogate pairs;
#     in the *_long ones a row with more cells than the header must stop the
#     run with an error naming the line Python's csv counts (line_num);
#   - the real files Debian ships: /usr/share/distro-info/{debian,ubuntu}.csv
#     and the package.json of npm's own modules (each made one line with
#     Python's json.dumps, then read by json(T); name@version compared too);
#   - each real file read with the record `pipec schema` prints for it.
# Where pipec's documented choices differ from Python's modules, gen.py does
# not generate the difference or ref.py applies the choice: both say which.
# KNOWN_FAIL names cases failing for a known bug (XFAIL), none now; pow2
# (every power of two as a float, printed as Python does: 16 digits where
# the closest 16 do not read back but a neighbour does) was one.
# DISTRO_INFO and NPM_ROOT locate the real files; without them the cases are
# skipped, but fail under CI=true.
LC_ALL=C.UTF-8
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
here=$top/tests/records_diff
RDIFF_SEED=${RDIFF_SEED:-1}
RDIFF_N=${RDIFF_N:-210}
DISTRO_INFO=${DISTRO_INFO:-/usr/share/distro-info}
KNOWN_FAIL=${KNOWN_FAIL-}
rows=0
files=0

command -v python3 >/dev/null 2>&1 || suite_skipped records_diff "python3 not found"
# the real files, looked for first: under CI=true a missing one fails at once
NPM_ROOT=${NPM_ROOT:-$(npm root -g 2>/dev/null)}
ls "$NPM_ROOT"/npm/node_modules/*/package.json "$NPM_ROOT"/npm/node_modules/@*/*/package.json \
    /usr/share/nodejs/*/package.json 2>/dev/null >"$scratch/npm.list"
lack=""
[ -s "$scratch/npm.list" ] || lack=" package.json files under ${NPM_ROOT:-\$(npm root -g)}/npm/node_modules (package npm)"
for d in debian ubuntu; do
    [ -r "$DISTRO_INFO/$d.csv" ] || lack="$lack $DISTRO_INFO/$d.csv (package distro-info-data)"
done
[ -n "$lack" ] && [ "${CI:-}" = true ] && suite_skipped records_diff "not found:$lack"

# compare NAME SCRIPT INPUT [REF_ARG...]: `pipec run SCRIPT < INPUT` against
# `ref.py SCRIPT REF_ARG...` (default: INPUT).  When ref.py stops at a row
# with too many cells (exit 1), pipec must stop there too (exit 1), and its
# message hold each line ref.py wrote on stderr.
compare() {
    c_name=$1 c_script=$2 c_in=$3 c_out=$scratch/$1
    shift 3
    [ $# -gt 0 ] || set -- "$c_in"
    python3 "$here/ref.py" "$c_script" "$@" >"$c_out.exp" 2>"$c_out.experr"
    c_ref=$?
    "$PIPEC" run "$c_script" <"$c_in" >"$c_out.out" 2>"$c_out.err"
    c_rc=$?
    files=$((files + 1))
    rows=$((rows + $(wc -l <"$c_out.exp")))
    c_why=""
    if [ $c_ref -gt 1 ]; then
        c_why="ref.py failed: $(tail -n 1 "$c_out.experr")"
    elif [ $c_rc -ne $c_ref ]; then
        c_why="exit $c_rc, Python's reading gives $c_ref: $(head -c 300 "$c_out.err")"
    elif [ $c_ref -eq 0 ] && [ -s "$c_out.err" ]; then
        c_why="message on stderr: $(head -c 300 "$c_out.err")"
    elif ! cmp -s "$c_out.exp" "$c_out.out"; then
        c_why="output differs from Python's reading (< pipec, > Python):
$(diff "$c_out.out" "$c_out.exp" | head -n 5 | cut -c 1-300)"
    elif [ $c_ref -eq 1 ]; then
        while IFS= read -r l; do
            grep -qF -- "$l" "$c_out.err" || c_why="the error lacks '$l': $(head -c 300 "$c_out.err")"
        done <"$c_out.experr"
    fi
    verdict "$c_name" "$c_why"
}

# --- generated files --------------------------------------------------------
mkdir -p "$scratch/gen"
python3 "$here/gen.py" "$RDIFF_SEED" "$RDIFF_N" "$scratch/gen" || { echo "records_diff: gen.py failed"; exit 2; }
for s in "$scratch/gen"/*.pipe; do
    [ -f "$s" ] || continue # RDIFF_N=0
    n=$(basename "$s" .pipe)
    compare "$n" "$s" "$scratch/gen/$n.in"
done

# every power of two as a float: to_json prints the shortest digits (as repr)
printf 'record F {\n    x: float\n}\n\npipeline main {\n    stdin | json(F) | to_json | stdout\n}\n' >"$scratch/pow2.pipe"
python3 -c 'for k in range(-1074, 1024): print("{\"x\": %r}" % 2.0 ** k)' >"$scratch/pow2.in"
compare pow2 "$scratch/pow2.pipe" "$scratch/pow2.in"

# --- real files ---------------------------------------------------------------
# schema_case NAME FILE FORMAT: FILE read with the record `pipec schema` prints
schema_case() {
    if ! "$PIPEC" schema "$2" >"$scratch/$1.rec" 2>"$scratch/$1.rec.err"; then
        verdict "$1" "pipec schema failed: $(head -c 300 "$scratch/$1.rec.err")"
        return
    fi
    rec=$(sed -n 's/^record \([A-Za-z0-9_]*\) {$/\1/p' "$scratch/$1.rec" | tail -n 1)
    { cat "$scratch/$1.rec"; printf '\npipeline main {\n    stdin | %s(%s) | to_json | stdout\n}\n' "$3" "$rec"; } >"$scratch/$1.pipe"
    compare "$1" "$scratch/$1.pipe" "$2"
}

for d in debian ubuntu; do
    if [ -r "$DISTRO_INFO/$d.csv" ]; then
        compare "$d.csv" "$here/$d.pipe" "$DISTRO_INFO/$d.csv"
        schema_case "schema-$d.csv" "$DISTRO_INFO/$d.csv" csv
    else
        skipped "$DISTRO_INFO/$d.csv not found (package distro-info-data)"
    fi
done

if [ -s "$scratch/npm.list" ]; then
    # one line per file, as JSON Lines need; \u escapes for all but ASCII
    xargs python3 -c 'import json, sys
for f in sys.argv[1:]:
    print(json.dumps(json.load(open(f, encoding="utf-8"))))' <"$scratch/npm.list" >"$scratch/npm.jsonl"
    # shellcheck disable=SC2046
    compare package.json "$here/npm.pipe" "$scratch/npm.jsonl" --each $(cat "$scratch/npm.list")
    xargs python3 -c 'import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f, encoding="utf-8"))
    print(d["name"] + "@" + d["version"])' <"$scratch/npm.list" >"$scratch/names.exp"
    "$PIPEC" run "$here/npm.pipe" --pipeline names <"$scratch/npm.jsonl" >"$scratch/names.out" 2>"$scratch/err"
    check "package.json: name@version of $(wc -l <"$scratch/npm.list") files" cmp -s "$scratch/names.exp" "$scratch/names.out"
    schema_case schema-package.json "$scratch/npm.jsonl" json
else
    skipped "no package.json files under ${NPM_ROOT:-\$(npm root -g)}/npm/node_modules (package npm)"
fi

echo "records_diff: compared $rows rows of $files files with Python's csv and json"
summary records_diff
