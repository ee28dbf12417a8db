#!/bin/sh
# Edge cases of every standard processor, source and sink (LANGUAGE.md §6) on
# awkward input: empty, no final newline, CRLF (the CR stays in the line, as in
# grep and awk), NUL bytes, one line of 5.5 MB, invalid UTF-8 (passed through),
# and runs of duplicates.  Each case names a pipeline and a trusted Unix command;
# both read the same input and must print the same bytes.  Where LANGUAGE.md is
# silent, the expectation is what grep, awk (gawk: it keeps NUL bytes) and
# coreutils do.  Then the usage-error messages of `pipec run` and built binaries.
# Last, every standard stage of `pipec --list-stages` must be used by a case
# (the stages of each case are read from `pipec graph`); not with ONLY.
# PIPEC names the compiler (default bin/pipec); SKIP_BUILD=1 skips the binary;
# ONLY=PATTERN runs the cases whose name matches the shell pattern; KNOWN_FAIL
# lists known bugs (case names, or NAME/INPUT), reported as XFAIL; JOBS=N runs
# the cases in N parallel lanes (default 2).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh" # PIPEC, the counts, known and verdict, a scratch folder
# Known bugs (take a name out once it is fixed; XPASS says when):
#   zip_stops, zip_stops_swap: zip reads its longer input to the end after the
#     shorter one is done, so zip(range(0, 9e15), file) never ends.
KNOWN_FAIL=${KNOWN_FAIL-""}
AWK="gawk"
command -v gawk >/dev/null 2>&1 || AWK="awk"
# a case that hangs is killed (exit code 124); t_limit=SECONDS before a case lowers the limit
TIMEOUT="timeout"
command -v timeout >/dev/null 2>&1 || TIMEOUT=""

tmp=$scratch

# record_stages SCRIPT: adds the standard stages SCRIPT uses to $tmp/used, as
# "SHAPE NAME" lines from its graph (a source is an invhouse, a sink a house,
# a fan-in an invtrapezium, a processor a box)
record_stages() {
    "$PIPEC" graph "$1" 2>/dev/null |
        sed -n 's/^ *n[0-9]* \[label="\([a-z_0-9]*\)[(\\].*shape=\([a-z]*\)\];$/\2 \1/p' >>"$tmp/used"
}

# stage_coverage: a failure for each stage of the table that no case used
stage_coverage() {
    [ -z "$ONLY" ] || return 0
    "$PIPEC" --list-stages | awk '/^stages/ { on = 1; next } /^functions/ { on = 0 }
        on { name = $1; sub(/\(.*/, "", name)
             for (i = 2; i <= NF; i++) if ($i ~ /^(source|sink|processor|fan-in)$/) { print $i, name; break } }' |
        sed 's/^source /invhouse /; s/^sink /house /; s/^processor /box /; s/^fan-in /invtrapezium /' >"$tmp/table"
    if [ ! -s "$tmp/table" ]; then
        fail=$((fail + 1))
        echo "FAIL stage_coverage: pipec --list-stages printed no stages"
        return
    fi
    while read -r c_shape c_name; do
        if grep -q -x "$c_shape $c_name" "$tmp/used" 2>/dev/null; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL stage_coverage/$c_name ($c_shape): no case of tests/run_edge.sh uses this stage: add one"
        fi
    done <"$tmp/table"
}

# JOBS lanes (default 2) each run every JOBS-th case; this process gathers them
JOBS=${JOBS:-2}
if [ -z "$LANE" ] && [ "$JOBS" -gt 1 ]; then
    i=0
    while [ $i -lt "$JOBS" ]; do
        LANE=$i sh "$0" >"$tmp/lane$i" 2>&1 &
        i=$((i + 1))
    done
    wait
    i=0
    while [ $i -lt "$JOBS" ]; do
        grep -a -v -e '^lane: ' -e '^used: ' "$tmp/lane$i"
        sed -n 's/^used: //p' "$tmp/lane$i" >>"$tmp/used"
        # shellcheck disable=SC2046
        set -- $(sed -n 's/^lane: //p' "$tmp/lane$i")
        if [ $# -eq 3 ]; then
            pass=$((pass + $1)) fail=$((fail + $2)) xfail=$((xfail + $3))
        else
            fail=$((fail + 1))
            echo "FAIL lane $i of run_edge.sh did not finish"
        fi
        i=$((i + 1))
    done
    stage_coverage
    if [ $xfail -gt 0 ]; then
        echo "edge: $pass passed, $fail failed, $xfail known failures (KNOWN_FAIL)"
    else
        echo "edge: $pass passed, $fail failed"
    fi
    [ $fail -eq 0 ]
    exit
fi
[ -n "$LANE" ] || JOBS=1
LANE=${LANE:-0}
ncase=0
# mine: true for the cases of this lane
mine() {
    ncase=$((ncase + 1))
    [ $(((ncase - 1) % JOBS)) -eq "$LANE" ]
}
in=$tmp/in
mkdir -p "$in"

# --- inputs (tests/lib.sh) ------------------------------------------------------
edge_inputs "$in"

# --- helpers, usable in the expected commands -----------------------------------
# nl_end: the input with a newline after its last line (a sink ends every item)
# shellcheck disable=SC1003
nl_end() { sed '$a\'; }
# shortest: a float as pipec prints it (Python's repr): the shortest %g that reads back,
# and an integral value below 1e16 as "N.0"; enough for the values used here
# shellcheck disable=SC2016
shortest() {
    $AWK '{ x = $0 + 0
            for (p = 1; p <= 17; p++) { t = sprintf("%." p "g", x); if (t + 0 == x) break }
            if (x == int(x) && x < 1e16 && x > -1e16) t = sprintf("%d.0", x)
            print t }'
}

only_ok() {
    [ -z "$ONLY" ] && return 0
    # shellcheck disable=SC2254
    case $1 in $ONLY) return 0 ;; esac
    return 1
}

# t NAME INPUTS PIPELINE EXPECTED [CODE [SETUP]]
#   PIPELINE: a `pipeline main` body, or a whole file when it starts with
#   "pipeline", "proc" or "record".  It runs in a folder holding `in` (a copy of the
#   input) and `second`; afterwards every file out* there is appended to
#   its stdout (sinks).  EXPECTED: shell code, evaluated in a folder with the
#   same files, stdin the input.  CODE: the exit code (default 0); when it is
#   not 0, stderr must say something, and stdout is still compared (what was
#   emitted before the error).  INPUTS: input names, or "all".  SETUP: shell
#   code run first in both folders.
t() {
    t_name=$1 t_inputs=$2 t_body=$3 t_expected=$4 t_code=${5:-0} t_setup=$6
    only_ok "$t_name" || return 0
    mine || return 0
    [ "$t_inputs" = all ] && t_inputs=$ALL
    case $t_body in
        pipeline* | proc* | record*) printf '%s\n' "$t_body" >"$tmp/case.pipe" ;;
        *) printf 'pipeline main {\n    %s\n}\n' "$t_body" >"$tmp/case.pipe" ;;
    esac
    record_stages "$tmp/case.pipe"
    for t_in in $t_inputs; do
        t_id=$t_name/$t_in
        # the folders of this input: p for pipec, u for the Unix command
        p=$tmp/d/$t_in/p u=$tmp/d/$t_in/u
        if [ ! -d "$p" ]; then
            mkdir -p "$p" "$u"
            ln -s "$in/$t_in" "$p/in" && ln -s "$in/second" "$p/second"
            ln -s "$in/$t_in" "$u/in" && ln -s "$in/second" "$u/second"
        fi
        set -- "$p"/out* "$u"/out* "$u"/x
        for f; do [ -e "$f" ] && rm -f "$@" && break; done
        [ -n "$t_setup" ] && (cd "$p" && eval "$t_setup") && (cd "$u" && eval "$t_setup")
        cd "$p" || exit 2
        # shellcheck disable=SC2086
        $TIMEOUT ${TIMEOUT:+${t_limit:-60}} "$PIPEC" run "$tmp/case.pipe" <in >"$tmp/got" 2>"$tmp/err"
        got_code=$?
        cd "$top" || exit 2
        for f in "$p"/out*; do [ -f "$f" ] && cat "$f" >>"$tmp/got"; done
        (cd "$u" && eval "$t_expected") <"$in/$t_in" >"$tmp/exp" 2>"$tmp/exp.err"
        why=""
        detail=$tmp/err
        if [ "$got_code" != "$t_code" ]; then
            why="exit code $got_code, expected $t_code"
        elif [ "$t_code" = 0 ] && [ -s "$tmp/err" ]; then
            why="unexpected message on stderr"
        elif [ "$t_code" != 0 ] && [ ! -s "$tmp/err" ]; then
            why="exit code $got_code but no message on stderr"
        elif ! cmp -s "$tmp/exp" "$tmp/got"; then
            why="output differs (< expected, > got)"
            diff -a "$tmp/exp" "$tmp/got" | od -c | head -n 12 >"$tmp/detail" 2>&1
            detail=$tmp/detail
        fi
        verdict "$t_id" "$why" "$detail"
    done
}

# --- text processors ------------------------------------------------------------
t passthrough all 'stdin | stdout' 'nl_end'
t grep all 'stdin | grep("b") | stdout' 'grep -a -E b | nl_end'
t grep_dot all 'stdin | grep("a.b|x.,|caf.") | stdout' 'grep -a -E "a.b|x.,|caf." | nl_end'
t grep_anchors all 'stdin | grep("^a|a$|^$") | stdout' 'grep -a -E "^a|a\$|^\$" | nl_end'
t grep_bytes "utf8 nul" 'stdin | grep("\xff|\x00") | stdout' "grep -a -P '\\xff|\\x00' | nl_end"
t grep_v all 'stdin | grep_v("b") | stdout' 'grep -a -v -E b | nl_end'
t grep_f all 'stdin | grep_f(" ") | stdout' 'grep -a -F " " | nl_end'
t grep_f_meta all 'stdin | grep_f(".") | stdout' 'grep -a -F . | nl_end'
t replace all 'stdin | replace("(a|l)(o| )", "<\\2\\1>") | stdout' "sed -E 's/(a|l)(o| )/<\\2\\1>/g' | nl_end"
t replace_nul nul 'stdin | replace("\x00", "<NUL>") | stdout' "sed 's/\\x00/<NUL>/g' | nl_end"
t replace_cr crlf 'stdin | replace("\r$", "") | stdout' "tr -d '\\r' | nl_end"
t find_all all 'stdin | find_all("[a-z]+") | stdout' 'grep -a -o -E "[a-z]+"'
t replace_run all 'stdin | replace("[a-z]+", "N") | stdout' "sed -E 's/[a-z]+/N/g' | nl_end"
t replace_run_empty all 'stdin | replace("[ ,]+", "") | stdout' "sed -E 's/[ ,]+//g' | nl_end"
# a repeated group over a whole 5.5 MB line: no resource limit may turn a match into "no match"
t regex_long_line all 'stdin | grep("^(lorem|ipsum,dolor|sit| )*END$") | stdout' 'grep -a -E "^(lorem|ipsum,dolor|sit| )*END\$" | nl_end'
t regex_long_line_replace "big" 'stdin | replace("^(lorem|ipsum,dolor|sit| )*END$", "<all>") | stdout' 'printf "<all>\\nlast\\n"'
t upper all 'stdin | upper | stdout' 'tr a-z A-Z | nl_end'
t lower all 'stdin | lower | stdout' 'tr A-Z a-z | nl_end'
t trim all 'stdin | trim | stdout' "sed 's/^[ \\t\\v\\f\\r]*//; s/[ \\t\\v\\f\\r]*\$//' | nl_end"
# words: awk's fields, runs of bytes other than blank and tab (\r \v \f belong to a word)
t words all 'stdin | words | stdout' "tr -s ' \\t' '\\n' | grep -a -v '^\$'"
# lists and slices (LANGUAGE.md §9; docs/pipe.md "Lists"): bytewise, as awk's substr in the C locale
t list_str_slice all 'stdin | map(l => l[1:-1] + "|" + l[-3:] + "|" + l[:2]) | stdout' "$AWK '{ n = length(\$0); print (n > 2 ? substr(\$0, 2, n - 2) : \"\") \"|\" (n > 3 ? substr(\$0, n - 2) : \$0) \"|\" substr(\$0, 1, 2) }'"
t list_reverse_words all 'stdin | map(l => join(reverse(words(l)), " ")) | stdout' "$AWK '{ for (i = NF; i >= 1; i--) printf \"%s%s\", \$i, (i > 1 ? \" \" : \"\"); print \"\" }'"
t list_words_slice all 'stdin | map(l => join(words(l)[1:] + words(l)[:1], " ") + " " + str(len(words(l)[-2:]))) | stdout' "$AWK '{ for (i = 2; i <= NF; i++) printf \"%s \", \$i; print \$1 \" \" (NF < 2 ? NF : 2) }'"
t split all 'stdin | split(",") | stdout' "nl_end | tr , '\\n'"
t split_nul nul 'stdin | split("\x00") | stdout' "nl_end | tr '\\0' '\\n'"
t field all 'stdin | field(1, ",") | stdout' "$AWK -F , '{ print \$2 }'"
t field0 all 'stdin | field(0, " ") | stdout' "$AWK -F '[ ]' '{ print \$1 }'"
t head all 'stdin | head(2) | stdout' 'head -n 2 | nl_end'
t head0 all 'stdin | head(0) | stdout' ':'
t tail all 'stdin | tail(2) | stdout' 'tail -n 2 | nl_end'
t tail0 all 'stdin | tail(0) | stdout' ':'
# tail of a regular file reads it from the end (docs/pipe.md "tail from the
# end"): the same lines as reading it whole, the 5.5 MB line (longer than a
# block) and a last line without a newline included
t tail_one all 'stdin | tail(1) | stdout' 'tail -n 1 | nl_end'
t tail_more all 'stdin | tail(1000) | stdout' 'tail -n 1000 | nl_end'
t tail_file all 'file("in") | tail(3) | stdout' 'tail -n 3 | nl_end'
t tail_param all 'pipeline main(n: int = 4) {
    stdin | tail(n) | stdout
}' 'tail -n 4 | nl_end'
# ... and only its end: 2 GB of zeros (a sparse file) before the last lines,
# which read from the start would be a line too long, after seconds
t_limit=10
t tail_sparse empty 'file("sparse") | tail(2) | stdout' 'printf "x\\ny\\n"' 0 'truncate -s 2G sparse && printf "\\nx\\ny\\n" >>sparse'
t_limit=""
t skip all 'stdin | skip(1) | stdout' 'tail -n +2 | nl_end'
t skip_all all 'stdin | skip(1000) | stdout' ':'
t uniq all 'stdin | uniq | stdout' 'uniq | nl_end'
t distinct all 'stdin | distinct | stdout' "$AWK '!seen[\$0]++'"
t sort all 'stdin | sort | stdout' 'sort | nl_end'
t sort_desc all 'stdin | sort(desc: true) | stdout' 'sort -r | nl_end'
t sort_by all 'stdin | sort(by: s => len(s)) | stdout' "$AWK '{ print length(\$0) \" \" \$0 }' | sort -s -n -k 1,1 | cut -d ' ' -f 2-"
t count all 'stdin | count | stdout' "$AWK '{ if (!(\$0 in c)) o[++n] = \$0; c[\$0]++ } END { for (i = 1; i <= n; i++) print o[i] \"\\t\" c[o[i]] }'"
t count_items all 'stdin | count_items | stdout' "$AWK 'END { print NR }'"
t top all 'stdin | top(2, by: s => len(s)) | stdout' "$AWK '{ print length(\$0), NR, \$0 }' | sort -k 1,1nr -k 2,2n | head -n 2 | cut -d ' ' -f 3-"
t enumerate all 'stdin | enumerate | stdout' "$AWK '{ print NR \"\\t\" \$0 }'"
t map all 'stdin | map(s => "<" + s + ">") | stdout' "$AWK '{ print \"<\" \$0 \">\" }'"
t filter all 'stdin | filter(s => len(s) > 3) | stdout' "$AWK 'length(\$0) > 3'"
t flat_map all 'stdin | flat_map(s => split(s, " ")) | stdout' "nl_end | tr ' ' '\\n'"
t format all 'stdin | enumerate | format("{1}:{0}") | stdout' "$AWK '{ print \$0 \":\" NR }'"
# exec: each line through a program and back, bytes as they are (NUL, CR, 5.5 MB lines)
t exec all 'stdin | exec("cat") | stdout' 'nl_end'
t exec_tr all 'stdin | exec("tr a-z A-Z") | stdout' 'tr a-z A-Z | nl_end'

# --- numbers: lengths of the lines, and to_int/to_float on numeric input ---------
t sum all 'stdin | map(s => len(s)) | sum | stdout' "$AWK '{ s += length(\$0) } END { print s + 0 }'"
t min all 'stdin | map(s => len(s)) | min | stdout' "$AWK 'NR == 1 || length(\$0) < m { m = length(\$0) } END { if (NR) print m }'"
t max all 'stdin | map(s => len(s)) | max | stdout' "$AWK 'NR == 1 || length(\$0) > m { m = length(\$0) } END { if (NR) print m }'"
t min_str all 'stdin | min | stdout' 'sort | head -n 1'
t max_str all 'stdin | max | stdout' 'sort | tail -n 1'
t avg all 'stdin | map(s => len(s)) | avg | stdout' "$AWK '{ s += length(\$0) } END { if (NR) printf \"%.17g\\n\", s / NR }' | shortest"
# data formats (LANGUAGE.md §8): each line as one cell, written and read back
L='record L { line: str }
pipeline main {
    '
# to_csv quotes a cell holding a comma, a quote or a CR (doubling quotes) and
# writes an empty cell as "" (a blank line would be skipped on reading)
t to_csv all 'stdin | to_csv | stdout' "sed -e '/[\",\\r]/{s/\"/\"\"/g;s/.*/\"&\"/;}' -e 's/^\$/\"\"/' | nl_end"
t csv_round_trip all "${L}stdin | to_csv | csv(L, header: false) | map(l => l.line) | stdout
}" 'nl_end'
# to_tsv escapes \\ \t \n \r, a header line first for records; tsv decodes them
t to_tsv all 'stdin | to_tsv | stdout' "sed -e 's/\\\\/\\\\\\\\/g' -e 's/\\r/\\\\r/g' | nl_end"
t tsv_round_trip all "${L}stdin | to_tsv | tsv(L, header: false) | map(l => l.line) | stdout
}" "grep -a -v '^\$' | nl_end"
t to_tsv_header all "${L}stdin | tsv(L, header: false) | to_tsv | stdout
}" "{ echo line; sed 's/\\r\$//' | grep -a -v '^\$' | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\\r/\\\\r/g'; } | nl_end"
# to_json: each str a JSON string, each byte that is not UTF-8 as \ufffd, NUL
# as \u0000; json reads them back (the replaced bytes as U+FFFD)
cat >"$tmp/json_lines.py" <<'PY'
import codecs, json, sys
codecs.register_error("byte", lambda e: ("\ufffd", e.start + 1))
for l in sys.stdin.buffer.read().split(b"\n")[:-1]:
    s = l.decode("utf-8", "byte")
    if sys.argv[1] == "json":
        sys.stdout.buffer.write(json.dumps(s, ensure_ascii=False).replace("\ufffd", "\\ufffd").encode() + b"\n")
    else:
        sys.stdout.buffer.write(s.encode() + b"\n")
PY
t to_json all 'stdin | to_json | stdout' "nl_end | python3 $tmp/json_lines.py json"
t json_round_trip all 'stdin | to_json | json(str) | stdout' "nl_end | python3 $tmp/json_lines.py str"
t to_int "$INTS" 'stdin | to_int | stdout' "$AWK '{ print \$0 + 0 }'"
t to_int_sum "$INTS" 'stdin | to_int | sum | stdout' "$AWK '{ s += \$0 } END { print s + 0 }'"
t to_int_min "$INTS" 'stdin | to_int | min | stdout' 'sort -n | head -n 1 | tr -d "\\r"'
t to_int_max "$INTS" 'stdin | to_int | max | stdout' 'sort -n | tail -n 1 | tr -d "\\r"'
t to_int_avg "$INTS" 'stdin | to_int | avg | stdout' "$AWK '{ s += \$0 } END { if (NR) printf \"%.17g\\n\", s / NR }' | shortest"
t to_float "empty float_nonl float_crlf int_one" 'stdin | to_float | stdout' "$AWK '{ print \$0 + 0 }' | shortest"
t to_float_sum "empty float_nonl float_crlf" 'stdin | to_float | sum | stdout' "$AWK '{ s += \$0 } END { print s + 0 }' | shortest"
# not numbers: exit 1 after the items before the bad line are out
t to_int_bad "nonl nul utf8 big" 'stdin | to_int | stdout' ':' 1
t to_float_bad "nonl nul utf8 big" 'stdin | to_float | stdout' ':' 1
t to_int_nul_after int_one 'concat(stdin, lines("8\x009")) | to_int | stdout' 'cat' 1

# --- fan-out and fan-in ----------------------------------------------------------
t tee all 'stdin | tee(file("out_tee")) | map(s => "> " + s) | stdout' "cat >x; sed 's/^/> /' x | nl_end; nl_end <x"
t fan_out all 'pipeline main {
    s = stdin
    s | upper | file("out_1")
    s | count_items | file("out_2")
}' "cat >x; tr a-z A-Z <x | nl_end; $AWK 'END { print NR }' x"
interleave='BEGIN { while (1) {
    a = (getline x <"in") > 0; if (a) print x
    b = (getline y <"second") > 0; if (b) print y
    if (!a && !b) break } }'
t merge all 'merge(file("in"), file("second")) | stdout' "$AWK '$interleave'"
# every `stdin` of a pipeline is the one stream, fanned out: each reads all of it
t concat all 'concat(stdin, file("second"), stdin) | stdout' 'cat >x; nl_end <x; cat second; nl_end <x'
t concat_files all 'concat(file("in"), file("second"), file("in")) | stdout' 'nl_end <in; cat second; nl_end <in'
t zip all 'zip(stdin, file("second")) | stdout' "$AWK '{ if ((getline y <\"second\") <= 0) exit; print \$0 \"\\t\" y }'"
t zip_swap all 'zip(file("second"), stdin) | stdout' "$AWK '{ if ((getline y <\"second\") <= 0) exit; print y \"\\t\" \$0 }'"
# join: other (read whole first) by key, every match in its order; left_join: none where none matches
t join_len all 'stdin | join(file("in"), on: l => len(l), with: (a, b) => str(len(a)) + ":" + b) | stdout' "$AWK 'NR==FNR { k = length(\$0); v[k, ++n[k]] = \$0; next } { k = length(\$0); for (i = 1; i <= n[k]; i++) print k \":\" v[k, i] }' in -"
t left_join_len all 'stdin | left_join(file("second"), on: (l => len(l), m => len(m)), with: (a, b) => (b ?? "none") + " " + a) | stdout' "$AWK 'NR==FNR { k = length(\$0); v[k, ++n[k]] = \$0; next } { k = length(\$0); if (!n[k]) print \"none \" \$0; else for (i = 1; i <= n[k]; i++) print v[k, i] \" \" \$0 }' second -"
# zip stops at the shorter input: it must not read the longer one to its end
t_limit=1
t zip_stops empty 'zip(range(0, 9000000000000000), file("second")) | stdout' 'printf "0\tm1\n1\tm2\n2\tm3\n"'
t zip_stops_swap empty 'zip(file("second"), range(0, 9000000000000000)) | stdout' 'printf "m1\t0\nm2\t1\nm3\t2\n"'
t head_stops empty 'range(0, 9000000000000000) | head(2) | stdout' 'printf "0\n1\n"'
t_limit=""

# --- sources and sinks -----------------------------------------------------------
t file_source all 'file("in") | stdout' 'nl_end'
t file_sink all 'stdin | file("out")' 'nl_end'
t file_sink_twice all 'pipeline main {
    stdin | file("out")
    lines("one") | file("out_b")
}' 'nl_end; echo one'
t file_replaces all 'stdin | file("out_old")' 'nl_end' 0 'echo previous >out_old'
t append all 'stdin | append("out_a")' 'nl_end'
t append_old all 'stdin | append("out_old")' 'echo previous; nl_end' 0 'echo previous >out_old'
t discard all 'stdin | discard' ':'
t lines_nul empty 'lines("a\x00b\r\nc") | stdout' 'printf "a\\0b\\r\\nc\\n"'
t lines_empty empty 'lines("") | stdout' ':'
t lines_final_nl empty 'lines("x\n\ny\n") | stdout' 'printf "x\\n\\ny\\n"'
t lines_bytes empty 'lines("\xff\xfe\x80") | stdout' 'printf "\\377\\376\\200\\n"'
t range empty 'range(-2, 3) | stdout' 'seq -2 2'
t range_empty empty 'range(5, 5) | stdout' ':'
t range_backwards empty 'range(5, 1) | stdout' ':'
t range_big empty 'range(0, 300000) | count_items | stdout' 'echo 300000'
# files(glob): the matching files in byte order, concatenated; none matching is an error
t files "empty nonl" 'files("f*.txt") | stdout' 'cat fA.txt; nl_end <fa.txt; cat fb.txt' 0 "printf 'b1\\nb2\\n' >fb.txt; printf 'a1' >fa.txt; printf 'A\\n' >fA.txt; : >fe.txt"
t files_none empty 'files("*.nothing") | stdout' ':' 1
t files_names empty 'files("g*.txt", names: true) | stdout' "printf 'ga.txt\\ta1\\ngb.txt\\tb1\\n'" 0 "printf 'b1\\n' >gb.txt; printf 'a1' >ga.txt"
# outputs named by the data: awk's print > name and print >> name
t file_by all 'stdin | file_by(s => "out_" + str(len(s) % 3))' "$AWK '{ print > (\"out_\" (length(\$0) % 3)) }'; cat out_* 2>/dev/null"
t append_by all 'stdin | append_by(s => "out_" + str(len(s) % 2))' "$AWK '{ print >> (\"out_\" (length(\$0) % 2)) }'; cat out_* 2>/dev/null" 0 'echo previous >out_0'

# the stderr sink: stdout stays empty, stderr gets the items
if only_ok stderr_sink && mine; then
    printf 'pipeline main { stdin | stderr }\n' >"$tmp/case.pipe"
    record_stages "$tmp/case.pipe"
    for t_in in $ALL; do
        "$PIPEC" run "$tmp/case.pipe" <"$in/$t_in" >"$tmp/got" 2>"$tmp/err"
        code=$?
        nl_end <"$in/$t_in" >"$tmp/exp"
        why=""
        if [ $code != 0 ]; then why="exit code $code"
        elif [ -s "$tmp/got" ]; then why="output on stdout"
        elif ! cmp -s "$tmp/exp" "$tmp/err"; then why="stderr differs from the input"
        fi
        verdict "stderr_sink/$t_in" "$why"
    done
fi

# --- usage errors, --help, early close and failed writes --------------------------
# For `pipec run` and a built binary of tests/edge/params.pipe: usage errors exit 2
# with two lines on stderr, "PROG: error: ..." naming the option (and the bad
# value) and "try 'PROG --help'", and nothing on stdout; --help exits 0 with the
# parameters (name, type, default or "required") on stdout.  PROG is
# "pipec run SCRIPT" or the binary's path as invoked.
# usage NAME EXIT MUST-CONTAIN... -- OPTIONS: one check for each of run and bin
usage() {
    u_name=$1 u_code=$2
    shift 2
    u_want=""
    while [ "$1" != -- ]; do u_want="$u_want$1
"; shift; done
    shift
    for u_mode in run bin; do
        if [ $u_mode = run ]; then
            u_prog="pipec run params.pipe"
            (cd "$tmp/usage" && "$PIPEC" run params.pipe "$@" <"$in/nonl" >"$tmp/got" 2>"$tmp/err")
        else
            [ -x "$tmp/usage/prog" ] || continue
            u_prog="./prog"
            (cd "$tmp/usage" && ./prog "$@" <"$in/nonl" >"$tmp/got" 2>"$tmp/err")
        fi
        u_got=$?
        why=""
        if [ $u_got != "$u_code" ]; then
            why="exit code $u_got, expected $u_code"
        elif [ "$u_code" = 2 ]; then
            if [ -s "$tmp/got" ]; then
                why="output on stdout"
            elif [ "$(wc -l <"$tmp/err")" != 2 ]; then
                why="expected 2 lines on stderr (the message and the --help hint)"
            elif [ "$(sed -n 2p "$tmp/err")" != "try '$u_prog --help'" ]; then
                why="second line is not: try '$u_prog --help'"
            else
                case $(head -n 1 "$tmp/err") in
                    "$u_prog: error: "*) ;;
                    *) why="first line does not start with '$u_prog: error: '" ;;
                esac
            fi
            u_text=$tmp/err
        else
            [ -s "$tmp/err" ] && why="message on stderr"
            u_text=$tmp/got
        fi
        if [ -z "$why" ]; then
            printf '%s' "$u_want" >"$tmp/want"
            while IFS= read -r w; do
                grep -q -F -e "$w" "$u_text" || why="${why:-message does not contain:} '$w'"
            done <"$tmp/want"
        fi
        verdict "usage_$u_name ($u_mode)" "$why" "$tmp/err"
    done
}

if only_ok "usage*" && mine; then
    mkdir -p "$tmp/usage"
    cp "$top/tests/edge/params.pipe" "$tmp/usage/"
    if [ -z "$SKIP_BUILD" ]; then
        (cd "$tmp/usage" && "$PIPEC" build params.pipe -o prog >build.log 2>&1) ||
            verdict "usage_build" "pipec build tests/edge/params.pipe failed" "$tmp/usage/build.log"
    fi
    usage bad_int 2 "'--n'" "'abc'" -- --n abc
    usage bad_int_eq 2 "'--n'" "'12x'" -- --n=12x
    usage int_range 2 "'--n'" "99999999999999999999" -- --n 99999999999999999999
    usage bad_float 2 "'--scale'" "'1.5x'" -- --n 1 --scale 1.5x
    usage bad_bool 2 "'--upper'" "'maybe'" -- --n 1 --upper=maybe
    usage no_value 2 "'--n'" -- --n
    usage unknown 2 "'--bogus'" -- --n 1 --bogus 1
    usage missing 2 "'--n'" -- --pat x
    # an argument after the options is an input file (tests/golden/inputs_missing:
    # a missing one); an option after it is a usage error
    usage option_after_file 2 "'--upper' after the input files" -- --n 1 extra --upper
    usage help 0 "--n" "int" "required" "--pat" "str" "--upper" "bool" "false" "--scale" "float" "1.5" -- --help
    usage ok 0 "alpha beta" -- --n 1
    usage ok_eq 0 "GAMMA,DELTA" -- --n=1 --upper --pat=m

    # a reader that closes early ends the pipeline quietly with exit code 0
    # (50 MB of input, so pipec is still writing when head exits)
    for u_mode in run bin; do
        if [ $u_mode = run ]; then set -- "$PIPEC" run "$tmp/usage/params.pipe"
        else [ -x "$tmp/usage/prog" ] || continue; set -- "$tmp/usage/prog"
        fi
        yes 'lorem ipsum dolor sit amet, consectetur adipiscing elit' | head -c 50000000 |
            ("$@" --n 100000000 2>"$tmp/err"; echo $? >"$tmp/code") | head -n 1 >"$tmp/got"
        why=""
        if [ "$(cat "$tmp/code")" != 0 ]; then why="exit code $(cat "$tmp/code") after | head -n 1, expected 0"
        elif [ -s "$tmp/err" ]; then why="message on stderr after | head -n 1"
        elif [ "$(cat "$tmp/got")" != "lorem ipsum dolor sit amet, consectetur adipiscing elit" ]; then why="wrong first line"
        fi
        verdict "early_close ($u_mode)" "$why" "$tmp/err"
        # a failed write (a full disk) is a runtime error that names stdout
        if [ -w /dev/full ]; then
            "$@" --n 10 <"$in/nonl" >/dev/full 2>"$tmp/err"
            code=$?
            why=""
            if [ $code != 1 ]; then why="exit code $code writing to /dev/full, expected 1"
            elif ! grep -q stdout "$tmp/err"; then why="the message does not name stdout"
            fi
            verdict "write_error ($u_mode)" "$why" "$tmp/err"
        fi
    done
fi

if [ "$JOBS" -gt 1 ]; then
    [ -f "$tmp/used" ] && sed 's/^/used: /' "$tmp/used"
    echo "lane: $pass $fail $xfail"
    exit $((fail > 0))
fi
stage_coverage
summary edge
