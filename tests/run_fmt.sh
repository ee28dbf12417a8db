#!/bin/sh
# pipec fmt over every script of the repository (examples/, examples/lib/, tests/golden/,
# tests/diff/, tests/edge/, tests/perf/, tests/plan/, tests/records_diff/, bench/), and the fmt command's exit codes and file handling.
# For each script: (1) the formatted text parses to the same tree (`pipec fmt
# --dump-ast`: the AST dump of one file, no imports), (2) formatting it again
# changes nothing, (3) the file is already canonical (`pipec fmt --check`): run
# `pipec fmt FILE` to reformat one.  tests/errors/ is left out: most of its
# scripts have syntax errors on purpose, and its .err files quote source lines
# and columns, so their layout is part of what they test; so do the editor tests'
# fixtures (editors/tests/*.pipe: highlight and indentation at given places).
# PIPEC names the compiler (default bin/pipec).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
tmp=$scratch

bad() {
    fail=$((fail + 1))
    echo "FAIL $1: $2"
}

cd "$top" || exit 2
for f in $(find examples tests/golden tests/diff tests/edge tests/perf tests/fuzz tests/plan tests/records_diff bench -name '*.pipe' | sort); do
    if ! "$PIPEC" fmt - <"$f" >"$tmp/once" 2>"$tmp/err"; then
        bad "$f" "pipec fmt failed"
        sed 's/^/    /' "$tmp/err" | head -10
        continue
    fi
    "$PIPEC" fmt --dump-ast - <"$f" >"$tmp/ast0" 2>&1
    "$PIPEC" fmt --dump-ast - <"$tmp/once" >"$tmp/ast1" 2>&1
    if ! cmp -s "$tmp/ast0" "$tmp/ast1"; then
        bad "$f" "the formatted text parses to another tree"
        diff "$tmp/ast0" "$tmp/ast1" | head -10
        continue
    fi
    "$PIPEC" fmt - <"$tmp/once" >"$tmp/twice" 2>&1
    if ! cmp -s "$tmp/once" "$tmp/twice"; then
        bad "$f" "not idempotent: formatting the output changes it"
        diff "$tmp/once" "$tmp/twice" | head -10
        continue
    fi
    if ! "$PIPEC" fmt --check "$f" >/dev/null 2>&1; then
        bad "$f" "not in the canonical layout (run: pipec fmt $f)"
        diff "$f" "$tmp/once" | head -10
        continue
    fi
    pass=$((pass + 1))
done

# expect NAME CODE CMD...: CMD exits with CODE
expect() {
    e_name=$1 e_code=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$e_code" ]; then
        bad "cli: $e_name" "exit code $got, expected $e_code"
        sed 's/^/    /' "$tmp/err" | head -5
        return 1
    fi
    pass=$((pass + 1))
}

# the command on scratch copies: in place, only when changed; --check; errors
printf 'pipeline main {  stdin|stdout }\n' >"$tmp/ugly.pipe"
printf 'pipeline main {\n    stdin | stdout\n}\n' >"$tmp/want.pipe"
cp "$tmp/ugly.pipe" "$tmp/ugly.orig"
cp "$tmp/want.pipe" "$tmp/good.pipe"
printf 'pipeline main { stdin | }\n' >"$tmp/broken.pipe"
cp "$tmp/broken.pipe" "$tmp/broken.orig"
chmod 640 "$tmp/ugly.pipe"
expect "check finds the file to change" 1 "$PIPEC" fmt --check "$tmp/ugly.pipe" "$tmp/good.pipe" &&
    { grep -qx "would reformat: $tmp/ugly.pipe" "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ] ||
          bad "cli: check" "expected one 'would reformat: $tmp/ugly.pipe' line, got: $(cat "$tmp/out")"; }
expect "check changes nothing" 0 cmp "$tmp/ugly.pipe" "$tmp/ugly.orig"
expect "check passes a canonical file" 0 "$PIPEC" fmt --check "$tmp/good.pipe"
expect "fmt rewrites in place" 0 "$PIPEC" fmt "$tmp/ugly.pipe" "$tmp/good.pipe"
expect "the rewritten file is canonical" 0 cmp "$tmp/ugly.pipe" "$tmp/want.pipe"
expect "the rewritten file keeps its mode" 0 test "$(stat -c %a "$tmp/ugly.pipe")" = 640
expect "no temporary file is left" 0 test "$(ls "$tmp" | grep -c 'fmt-')" = 0
expect "a syntax error: exit 2" 2 "$PIPEC" fmt "$tmp/broken.pipe"
cp "$tmp/err" "$tmp/broken.err"
expect "a syntax error is reported" 0 grep -q "broken.pipe:1:25: error: expected an expression" "$tmp/broken.err"
expect "a file with a syntax error is left alone" 0 cmp "$tmp/broken.pipe" "$tmp/broken.orig"
expect "check of a syntax error: exit 2" 2 "$PIPEC" fmt --check "$tmp/broken.pipe" "$tmp/good.pipe"
expect "stdin to stdout" 0 sh -c "'$PIPEC' fmt - <'$tmp/broken.orig' >/dev/null; test \$? = 2 && '$PIPEC' fmt - <'$tmp/want.pipe' | cmp -s - '$tmp/want.pipe'"
expect "an unknown option" 2 "$PIPEC" fmt --bogus "$tmp/good.pipe"
expect "no file" 2 "$PIPEC" fmt
expect "a missing file" 2 "$PIPEC" fmt "$tmp/none.pipe"

echo "fmt: $pass passed, $fail failed"
[ $fail -eq 0 ]
