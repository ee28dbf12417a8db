#!/bin/sh
# Checks the keyword lists of the Vim, Emacs and VS Code grammars against the
# table of stages and functions (`pipec --list-stages`): every name in the table
# is highlighted as a builtin by each grammar, and each grammar's builtins are
# all in the table.  PIPEC names the compiler (default bin/pipec).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
PIPEC=${PIPEC:-bin/pipec}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# the table's names, one a line: `  NAME(...)` or `  NAME  ...` under both headings
"$PIPEC" --list-stages | sed -n 's/^  \([a-z_0-9]*\).*/\1/p' | sort -u >"$tmp/table"
if [ ! -s "$tmp/table" ]; then
    echo "FAIL table: $PIPEC --list-stages printed no names"
    echo "table: 0 passed, 1 failed"
    exit 1
fi

# vim: the alternations of the pipeBuiltin matches
sed -n 's/^syn match *pipeBuiltin *"\\<\\%(\(.*\)\\).*/\1/p' editors/vim/syntax/pipe.vim |
    sed 's/\\|/\n/g' | sort -u >"$tmp/vim"
# emacs: the quoted words of the pipe-bare-builtins and pipe-call-builtins lists
awk '/^\(defconst pipe-(bare|call)-builtins/ { on = 1 }
     on { print } on && /\)/ { on = 0 }' editors/emacs/pipe-mode.el |
    grep -o '"[a-z_0-9]*"' | tr -d '"' | sort -u >"$tmp/emacs"
# vscode: the alternations of the matches named support.function.builtin.pipe
awk '/"match":/ { m = $0 }
     /"name": "support\.function\.builtin\.pipe"/ { print m }' editors/vscode/syntaxes/pipe.tmLanguage.json |
    sed 's/.*"match": "\\\\b(\([^)]*\))\\\\b.*/\1/' | tr '|' '\n' | sort -u >"$tmp/vscode"

for g in vim emacs vscode; do
    missing=$(comm -23 "$tmp/table" "$tmp/$g" | tr '\n' ' ')
    extra=$(comm -13 "$tmp/table" "$tmp/$g" | tr '\n' ' ')
    if [ -n "$missing" ]; then
        echo "FAIL table: $g does not highlight: $missing"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
    if [ -n "$extra" ]; then
        echo "FAIL table: $g highlights names that are no stage or function: $extra"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "table: $passed passed, $failed failed"
[ $failed -eq 0 ]
