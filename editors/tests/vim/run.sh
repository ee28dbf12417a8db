#!/bin/sh
# Checks editors/vim with headless Vim: highlight groups at given places of
# editors/tests/sample.pipe, and re-indentation (=G) of flattened files.
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
PIPE_ROOT=$ROOT PIPE_VIM_OUT=$out timeout 60 vim -Nu NONE -i NONE -Es -S "$ROOT/editors/tests/vim/test.vim" </dev/null >/dev/null 2>&1
rc=$?
if ! grep -q '^vim: [0-9]* passed, [0-9]* failed$' "$out"; then
    echo "FAIL vim: no result (vim exited with $rc)"
    echo "vim: 0 passed, 1 failed"
    exit 1
fi
cat "$out"
grep -q '^vim: [0-9]* passed, 0 failed$' "$out"
