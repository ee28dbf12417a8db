#!/bin/sh
# Tests of the editor support and the shell completion, each with its real engine:
#   textmate    editors/vscode's grammar through vscode-textmate + vscode-oniguruma (node, npm)
#   vim         editors/vim with headless Vim
#   emacs       editors/emacs/pipe-mode.el with emacs --batch (ERT)
#   completion  completion/pipec.bash in bash
#   manpage     docs/pipec.1 with groff (no warning; every command and option)
#   table       the keyword lists of all three against `pipec --list-stages`
# A part whose engine is missing prints `SKIP <part>: <reason>`.  The last line
# is `editors: N passed, M failed` (with the skipped parts); the exit status is
# 1 when a check failed.
# Engines on Debian: apt-get install vim emacs-nox nodejs npm groff-base
DIR=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
skipped=""
for part in textmate vim emacs completion manpage table; do
    case $part in
        vim) command -v vim >/dev/null 2>&1 || { echo "SKIP vim: vim is not installed (apt-get install vim)"; skipped="$skipped vim"; continue; } ;;
        emacs) command -v emacs >/dev/null 2>&1 || { echo "SKIP emacs: emacs is not installed (apt-get install emacs-nox)"; skipped="$skipped emacs"; continue; } ;;
        completion) command -v bash >/dev/null 2>&1 || { echo "SKIP completion: bash is not installed"; skipped="$skipped completion"; continue; } ;;
    esac
    case $part in
        completion) out=$(bash "$DIR/completion.sh" 2>&1) ;;
        manpage) out=$(sh "$DIR/manpage.sh" 2>&1) ;;
        table) out=$(sh "$DIR/table.sh" 2>&1) ;;
        *) out=$(sh "$DIR/$part/run.sh" 2>&1) ;;
    esac
    rc=$?
    printf '%s\n' "$out"
    if [ $rc -eq 77 ]; then
        skipped="$skipped $part"
        continue
    fi
    summary=$(printf '%s\n' "$out" | grep -E "^$part: [0-9]+ passed, [0-9]+ failed$" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "FAIL $part: no summary line (exit status $rc)"
        failed=$((failed + 1))
        continue
    fi
    p=$(echo "$summary" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed$/\1/')
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    passed=$((passed + p))
    failed=$((failed + f))
done
if [ -n "$skipped" ]; then
    echo "editors: $passed passed, $failed failed (skipped:$skipped)"
else
    echo "editors: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
