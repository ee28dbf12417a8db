#!/bin/sh
# Differential tests of LANGUAGE.md §9's numbers and text (fmt, round, floor,
# ceil, sqrt, pow, len_chars, upper_utf8, lower_utf8): thousands of generated
# (pattern or function, value) cases, from tests/numfmt_diff/gen.py (seed
# NFDIFF_SEED), where pipec must print what
#   - Python prints (bytes % formatting, str.upper/lower per character, len of
#     the text decoded with surrogateescape, decimal's ROUND_HALF_UP, math):
#     NAME.py.exp, a line "1<TAB>expected" per output line, or "0<TAB>" where
#     Python differs from C's printf (gen.py says where) and is not asked;
#   - mawk prints with the same printf pattern on the same value (NAME.awk,
#     C's printf underneath), where NAME.awk.ok has 1 (mawk takes %d of an int
#     below 2^31 only, and no %F).
# C's printf is the reference of fmt; every fmt case also runs as a built
# binary (one `pipec build` per script) unless SKIP_BUILD=1.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
here=$top/tests/numfmt_diff
NFDIFF_SEED=${NFDIFF_SEED:-1}
KNOWN_FAIL=${KNOWN_FAIL-}
cases=0

command -v python3 >/dev/null 2>&1 || suite_skipped numfmt_diff "python3 not found"
AWK=$(command -v mawk || command -v gawk)
[ -n "$AWK" ] || suite_skipped numfmt_diff "neither mawk nor gawk found"
python3 "$here/gen.py" "$NFDIFF_SEED" "$scratch" || { echo "numfmt_diff: gen.py failed"; exit 2; }

# differ GOT FLAGS EXP: the lines of GOT that differ from EXP where FLAGS (a
# file of 1 and 0, or - when EXP's lines start with "1<TAB>" or "0<TAB>") asks
differ() {
    awk -v flags="$2" '
        FILENAME == ARGV[1] { got[FNR] = $0; n = FNR; next }
        flags != "-" && FILENAME == ARGV[2] { ok[FNR] = $0; next }
        {
            if (flags == "-") { ask = substr($0, 1, 1); want = substr($0, 3) } else { ask = ok[FNR]; want = $0 }
            if (ask == "1") asked++
            if (ask == "1" && got[FNR] != want && bad++ < 3)
                printf "    line %d: pipec [%s], reference [%s]\n", FNR, got[FNR], want
            lines = FNR
        }
        END {
            if (lines != n) printf "    pipec printed %d lines, the reference %d\n", n, lines
            if (bad || lines != n) exit 1
            print asked > "/dev/stderr"
        }' "$1" $([ "$2" = - ] || echo "$2") "$3"
}

# compare NAME MODE RUNNER...: runs NAME.pipe by RUNNER on NAME.in, against
# Python and (for fmt of numbers) mawk
compare() {
    run_case "$@"
    if [ -n "$c_why" ]; then
        :
    elif ! differ "$c_out.out" - "$scratch/$c_name.py.exp" >"$c_out.diff" 2>"$c_out.n"; then
        c_why="differs from Python:
$(cat "$c_out.diff")"
    else
        cases=$((cases + $(cat "$c_out.n")))
        if [ -f "$scratch/$c_name.awk" ]; then
            "$AWK" -f "$scratch/$c_name.awk" <"$scratch/$c_name.in" >"$scratch/$c_name.awk.exp"
            if ! differ "$c_out.out" "$scratch/$c_name.awk.ok" "$scratch/$c_name.awk.exp" >"$c_out.diff" 2>"$c_out.n"; then
                c_why="differs from $AWK's printf:
$(cat "$c_out.diff")"
            else
                cases=$((cases + $(cat "$c_out.n")))
            fi
        fi
    fi
    verdict "$c_name ($c_mode)" "$c_why"
}

for script in "$scratch"/*.pipe; do
    name=$(basename "$script" .pipe)
    compare "$name" run "$PIPEC" run "$script"
    case $name in fmt_*) ;; *) continue ;; esac
    [ -n "${SKIP_BUILD:-}" ] && continue
    if "$PIPEC" build "$script" -o "$scratch/$name.bin" >"$scratch/$name.build" 2>&1; then
        compare "$name" bin "$scratch/$name.bin"
    else
        verdict "$name (bin)" "pipec build failed: $(head -c 300 "$scratch/$name.build")"
    fi
done

echo "numfmt_diff: compared $cases cases with Python and $AWK"
summary numfmt_diff
