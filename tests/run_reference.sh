#!/bin/sh
# The reference of the standard stages and functions (compiler/reference.c):
# every row of the table has an entry and its signature fits the row (`pipec
# help --check`); every example runs under `pipec run` and prints what the
# entry says (and leaves the file it says); docs/reference.md is what `pipec
# help --markdown` prints; `pipec help NAME` and `:help NAME` in the REPL
# answer for every name, and a misspelled one gets the nearest.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"

check "help --check" "$PIPEC" help --check

ex=$scratch/examples
mkdir -p "$ex"
check "help --examples" "$PIPEC" help --examples "$ex"
n=0
for script in "$ex"/*.pipe; do
    name=$(basename "$script" .pipe)
    work=$scratch/run/$name
    mkdir -p "$work"
    cp "$script" "$work/"
    [ -d "$ex/$name.d" ] && cp "$ex/$name.d"/* "$work/"
    (cd "$work" && env -u PIPE_REFERENCE_NOT_SET "$PIPEC" run "$name.pipe" <"$ex/$name.in" >out 2>err)
    rc=$?
    n=$((n + 1))
    why=""
    if [ $rc -ne 0 ]; then
        why="exit $rc: $(head -c 300 "$work/err")"
    elif ! cmp -s "$work/out" "$ex/$name.out"; then
        why="prints $(od -c "$work/out" | head -3), the reference says $(od -c "$ex/$name.out" | head -3)"
    elif [ -d "$ex/$name.expect" ]; then
        for f in "$ex/$name.expect"/*; do
            cmp -s "$f" "$work/$(basename "$f")" || why="$(basename "$f") differs from the reference"
        done
    fi
    verdict "example $name" "$why"
done
[ $n -ge 90 ] || verdict "examples" "only $n examples were written"

# the page in docs/ is the generated one
"$PIPEC" help --markdown >"$scratch/reference.md"
if cmp -s "$scratch/reference.md" "$top/docs/reference.md"; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL docs/reference.md is not what 'pipec help --markdown' prints (regenerate it)"
    diff "$top/docs/reference.md" "$scratch/reference.md" | head -10
fi

# every name answers; one that is none is a usage error with the nearest
names=$("$PIPEC" help | sed -n '/^stages and functions/,$p' | tail -n +2)
[ "$(echo $names | wc -w)" -ge 80 ] || verdict "pipec help" "lists only: $names"
for name in $names; do
    expect "help $name" 0 "$PIPEC" help "$name"
    grep -q "^$name[ (]" "$scratch/out" || verdict "help $name" "prints no signature of $name"
done
expect "help grpe" 2 "$PIPEC" help grpe
has "help grpe" "no stage or function is called 'grpe'; did you mean 'grep'?"
expect "help with two names" 2 "$PIPEC" help grep sort
printf ':help field\n:help fmtt\n:help\n' >"$scratch/repl.in"
"$PIPEC" repl <"$scratch/repl.in" >"$scratch/out" 2>"$scratch/err"
grep -qF 'field(i: int, sep: str)  (processor: str -> str)' "$scratch/out" &&
    grep -qF 'field(s: str, i: int, sep: str) -> str  (function)' "$scratch/out" &&
    grep -qF ':help [NAME]' "$scratch/out"
verdict ":help NAME in the REPL" "$([ $? -eq 0 ] || echo "$(head -5 "$scratch/out")")"
grep -qF "no stage or function is called 'fmtt'; did you mean 'fmt'?" "$scratch/err"
verdict ":help of a misspelled name" "$([ $? -eq 0 ] || cat "$scratch/err")"

summary reference
