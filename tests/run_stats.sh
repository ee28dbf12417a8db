#!/bin/sh
# --stats and --progress.  For every example, under `pipec run` and as a built
# binary, the JSON stats must add up: each stage's items in equal the items out
# of the stages feeding it (fan-out sends each consumer every item); the table
# has a row per stage.  --progress must draw nothing when stderr is not a
# terminal, and draw (then clear) a line in a pseudo-terminal (script(1)).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# check_json FILE NAME: the counts of every edge add up, and there is a stage
check_json() {
    python3 - "$1" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stages"]
assert st, "no stages"
fed = [0] * len(st)
for s in st:
    for t in s["to"]:
        fed[t] += s["items_out"]
for s in st:
    if fed[s["id"]] != s["items_in"]:
        sys.exit("stage %s (%d:%d): %d items in, but %d were sent to it"
                 % (s["name"], s["line"], s["col"], s["items_in"], fed[s["id"]]))
    assert 0 <= s["share"] <= 1 and s["time_ns"] >= 0
PY
}

if ! command -v python3 >/dev/null 2>&1; then
    suite_skipped stats "python3 is needed to read the JSON"
fi

d=$top/examples
for script in "$d"/*.pipe; do
    example_case "$script" || continue
    # shellcheck disable=SC2086
    (cd "$work" && "$PIPEC" run "$name.pipe" --stats=json $args <"$input" >run.out 2>run.json)
    if cmp -s "$work/run.out" "$d/$name.out" && check_json "$work/run.json"; then ok; else bad "$name: run --stats=json"; fi
    (cd "$work" && "$PIPEC" build "$name.pipe" -o prog) || { bad "$name: build"; continue; }
    # shellcheck disable=SC2086
    (cd "$work" && ./prog --stats $args <"$input" >bin.out 2>bin.table)
    rows=$(($(wc -l <"$work/bin.table") - 1))
    stages=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["stages"]))' "$work/run.json")
    if cmp -s "$work/bin.out" "$d/$name.out" && head -n 1 "$work/bin.table" | grep -q '^stage .*items in .*items out .*bytes .*time$' &&
        [ "$rows" = "$stages" ]; then
        ok
    else
        bad "$name: binary --stats table ($rows rows for $stages stages)"
        sed 's/^/    /' "$work/bin.table" | head -5
    fi
done

# a bigger run through fan-out, fan-in and a stateful proc
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "%d %s\n", i, (i % 7 ? "INFO" : "ERROR") }' >"$scratch/big.in"
cat >"$scratch/fan.pipe" <<'PIPE'
pipeline main {
    all = stdin | field(1, " ")
    errs = all | grep_f("ERROR")
    infos = all | filter(s => s == "INFO") | head(1000)
    merge(errs, infos) | count | stdout
    all | discard
}
PIPE
"$PIPEC" run "$scratch/fan.pipe" --stats=json <"$scratch/big.in" >"$scratch/fan.out" 2>"$scratch/fan.json"
if check_json "$scratch/fan.json" && grep -q '^ERROR	28572$' "$scratch/fan.out"; then ok; else bad "fan-out/fan-in stats"; fi

# error policies: the errors each stage's policy caught, in the JSON and in
# an extra column of the table (which has none when nothing was caught)
cp "$top/tests/golden/on_error.pipe" "$top/tests/golden/on_error.in" "$scratch/"
(cd "$scratch" && "$PIPEC" run on_error.pipe --stats=json <on_error.in >/dev/null 2>errs.json)
if python3 -c '
import json, sys
st = {s["name"]: s["errors"] for s in json.load(open(sys.argv[1]))["stages"]}
sys.exit(0 if st["to_int"] == 2 and st["ratio"] == 1 and st["stdin"] == 0 else 1)' "$scratch/errs.json"; then
    ok
else
    bad "errors caught by policies in --stats=json"
fi
(cd "$scratch" && "$PIPEC" run on_error.pipe --stats <on_error.in >/dev/null 2>errs.txt)
if grep -q '   errors$' "$scratch/errs.txt" && grep -q '^to_int .* 2$' "$scratch/errs.txt" &&
    ! "$PIPEC" run "$scratch/fan.pipe" --stats <"$scratch/big.in" 2>&1 >/dev/null | grep -q errors; then
    ok
else
    bad "errors column of --stats"
fi

# --progress: silent when stderr is not a terminal ...
"$PIPEC" run "$scratch/fan.pipe" --progress <"$scratch/big.in" >/dev/null 2>"$scratch/prog.err"
if [ ! -s "$scratch/prog.err" ]; then ok; else bad "--progress wrote to a non-terminal stderr"; fi
# ... and on a terminal draws a line with bytes of total, then clears it
if command -v script >/dev/null 2>&1; then
    awk 'BEGIN { for (i = 0; i < 3000000; i++) printf "%d some text for the progress line\n", i }' >"$scratch/huge.in"
    cat >"$scratch/slow.pipe" <<'PIPE'
pipeline main { stdin | replace("[0-9]+", "N") | map(s => upper(s)) | discard }
PIPE
    script -qec "$PIPEC run $scratch/slow.pipe --progress < $scratch/huge.in" "$scratch/typescript" >/dev/null 2>&1
    # drawn at least once, and after the last line a carriage return and erase
    if python3 -c '
import re, sys
t = open(sys.argv[1], "rb").read()
draws = re.findall(rb"\r\x1b\[K[0-9.]+ MiB of [0-9.]+ MiB \([0-9]+%\)  [0-9]+ items/s  [0-9:]+ elapsed  [0-9:]+ left", t)
sys.exit(0 if draws and t.rfind(b"left\r\x1b[K") == t.rfind(b"left") else 1)' "$scratch/typescript"; then
        ok
    else
        bad "--progress on a terminal"
        od -c "$scratch/typescript" | head -5
    fi
else
    echo "SKIP progress on a terminal: script(1) is not installed"
fi

echo "stats: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
