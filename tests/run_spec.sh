#!/bin/sh
# The programs of LANGUAGE.md §1, §4, §5 and §8, taken verbatim from the
# contract (../shared/LANGUAGE.md) at test time, must compile and behave as
# shown; the repository's copies of them are in pipec fmt's layout, these are
# as written.  §8 reads Debian's own debian.csv (DEBIAN_CSV, from the package
# distro-info-data): missing, it is skipped, but under CI=true it fails.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
SPEC=${SPEC:-$top/../shared/LANGUAGE.md}
if [ ! -f "$SPEC" ]; then
    suite_skipped spec "$SPEC not found (set SPEC to LANGUAGE.md)"
fi
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# block HEADING N: the N-th ``` block after the line starting with HEADING
block() {
    awk -v h="$1" -v want="$2" '
        index($0, h) == 1 { on = 1; n = 0; next }
        on && /^## / { exit }
        on && /^```/ { inside = !inside; if (inside) n++; next }
        on && inside && n == want { print }' "$SPEC"
}

# §1: top_words, with the input and options of examples/top_words
block "## 1. A first look" 1 >"$scratch/top_words.pipe"
cp "$top/examples/top_words.in" "$scratch/"
(cd "$scratch" && "$PIPEC" run top_words.pipe --n 3 <top_words.in >s1.out 2>s1.err)
if cmp -s "$scratch/s1.out" "$top/examples/top_words.out"; then pass=$((pass + 1)); else bad "§1 top_words"; cat "$scratch/s1.err"; fi

# §4: every declaration form; its import and extern files come from the tests
block "## 4. Declarations" 1 >"$scratch/spec4.pipe"
mkdir -p "$scratch/lib"
cp "$top/tests/golden/lib/clean.pipe" "$scratch/lib/"
cp "$top/tests/golden/rot13.c" "$top/tests/golden/spec4.in" "$scratch/"
(cd "$scratch" && "$PIPEC" run spec4.pipe <spec4.in >s4.out 2>s4.err)
if cmp -s "$scratch/s4.out" "$top/tests/golden/spec4.out"; then pass=$((pass + 1)); else bad "§4 declarations"; cat "$scratch/s4.err"; fi
# its procs, each used from a pipeline appended to the verbatim text
cat "$scratch/spec4.pipe" >"$scratch/procs.pipe"
cat >>"$scratch/procs.pipe" <<'PIPE'
pipeline totals { stdin | to_int | running_total | stdout }
pipeline dedupe { stdin | dedupe_by(1, ",") | stdout }
pipeline hist { stdin | to_int | histogram | stdout }
pipeline warns { stdin | level("warn") | stdout }
PIPE
printf '3\n4\n10\n' >"$scratch/n.in"
printf '1,a\n2,b\n3,a\n' >"$scratch/d.in"
printf '12\n15\n31\n7\n' >"$scratch/h.in"
printf '[warn] x\n[info] y\n[warn] z\n' >"$scratch/w.in"
run() { (cd "$scratch" && "$PIPEC" run procs.pipe --pipeline "$1" <"$2"); }
[ "$(run totals n.in)" = "$(printf '3\n7\n17')" ] && pass=$((pass + 1)) || bad "§4 running_total"
[ "$(run dedupe d.in)" = "$(printf '1,a\n2,b')" ] && pass=$((pass + 1)) || bad "§4 dedupe_by"
[ "$(run hist h.in)" = "$(printf '10\t2\n30\t1\n0\t1')" ] && pass=$((pass + 1)) || bad "§4 histogram"
[ "$(run warns w.in)" = "$(printf '[warn] x\n[warn] z')" ] && pass=$((pass + 1)) || bad "§4 level"

# §5: triage, fan-out to a file and fan-in
block "## 5. Pipelines and DAG wiring" 1 >"$scratch/triage.pipe"
cp "$top/examples/access.log" "$scratch/"
(cd "$scratch" && "$PIPEC" run triage.pipe >s5.out 2>s5.err)
if cmp -s "$scratch/s5.out" "$top/examples/triage.out" &&
    cmp -s "$scratch/problems.log" "$top/examples/triage.expect/problems.log"; then
    pass=$((pass + 1))
else
    bad "§5 triage"
    cat "$scratch/s5.err"
fi

# §8: record Release on a debian.csv, under `pipec run`, as a `pipec build`
# binary and through `pipec emit-c` + the cc command of its first line; each
# runs in a folder holding the debian.csv its default path names
block "## 8. Records and data formats" 1 >"$scratch/release.pipe"
mkdir -p "$scratch/emitted"
(cd "$scratch" && "$PIPEC" build release.pipe -o release.bin 2>build.err) || cat "$scratch/build.err"
if (cd "$scratch" && "$PIPEC" emit-c release.pipe -o emitted/release.c 2>emit.err); then
    cmd=$(head -n 1 "$scratch/emitted/release.c" | sed -n 's|^/\* \(cc .*\)$|\1|p')
    (cd "$scratch/emitted" && sh -c "$cmd" 2>cc.err) || cat "$scratch/emitted/cc.err"
else
    cat "$scratch/emit.err"
fi
# release8 CASE CSV WANT: the three ways print WANT on CSV
release8() {
    mkdir -p "$scratch/$1"
    cp "$2" "$scratch/$1/debian.csv"
    for way in run build emit-c; do
        case $way in
        run) (cd "$scratch/$1" && "$PIPEC" run ../release.pipe) ;;
        build) (cd "$scratch/$1" && ../release.bin) ;;
        emit-c) (cd "$scratch/$1" && ../emitted/release) ;;
        esac >"$scratch/$1/$way.out" 2>"$scratch/$1/$way.err"
        if cmp -s "$scratch/$1/$way.out" "$3"; then pass=$((pass + 1)); else
            bad "§8 record Release on the $1 debian.csv ($way)"
            diff "$3" "$scratch/$1/$way.out" | head -10
            head -n 4 "$scratch/$1/$way.err"
        fi
    done
}
# a small fixed one (BOM, CRLF, columns reordered and renamed, quotes, a
# quoted line break, short rows, a blank line) whose output is written by hand
release8 fixed "$top/tests/spec/debian.csv" "$top/tests/spec/release.out"
# Debian's, expected as Python's csv module reads it with the spec's filter and map
DEBIAN_CSV=${DEBIAN_CSV:-/usr/share/distro-info/debian.csv}
if [ ! -f "$DEBIAN_CSV" ] || ! command -v python3 >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        bad "§8 on the real debian.csv: $DEBIAN_CSV or python3 missing under CI=true"
    else
        skipped "§8 on the real debian.csv: $DEBIAN_CSV (distro-info-data) or python3 missing"
    fi
else
    python3 - "$DEBIAN_CSV" >"$scratch/debian.want" <<'PY'
import csv, re, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        r = {re.sub("[^a-z0-9]+", "_", k.lower()): v or "" for k, v in row.items() if k is not None}
        if r["release"] != "":
            print(r["version"] + " " + r["codename"] + " (until " + (r.get("eol") or "-") + ")")
PY
    # not a check that holds on any file: Debian's has releases, and rows without one
    if [ "$(wc -l <"$scratch/debian.want")" -lt 10 ] || ! grep -q '^,' "$DEBIAN_CSV"; then
        bad "§8: $DEBIAN_CSV is not the debian.csv of distro-info-data"
    fi
    release8 real "$DEBIAN_CSV" "$scratch/debian.want"
fi

if [ "$skip" -gt 0 ]; then
    echo "spec: $pass passed, $fail failed, $skip skipped"
else
    echo "spec: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
