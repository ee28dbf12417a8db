#!/bin/sh
# Checks editors/vim with headless Vim: highlight groups at given places of
# editors/tests/sample.pipe, and re-indentation (=G) of flattened files.
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# the examples as `pipec fmt` lays them out: the editors must indent them the same
fmtdir=$(mktemp -d)
trap 'rm -rf "$fmtdir"' EXIT
if [ -x "$ROOT/bin/pipec" ]; then
    for f in "$ROOT"/examples/*.pipe "$ROOT"/tests/golden/*.pipe "$ROOT"/editors/tests/*.pipe; do
        "$ROOT/bin/pipec" fmt - <"$f" >"$fmtdir/fmt_$(basename "$f")" 2>/dev/null || rm -f "$fmtdir/fmt_$(basename "$f")"
    done
fi
export PIPE_FMT_DIR="$fmtdir"
out=$(mktemp)
trap 'rm -f "$out"; rm -rf "$fmtdir"' EXIT
PIPE_ROOT=$ROOT PIPE_VIM_OUT=$out timeout 60 vim -Nu NONE -i NONE -Es -S "$ROOT/editors/tests/vim/test.vim" </dev/null >/dev/null 2>&1
rc=$?
if ! grep -q '^vim: [0-9]* passed, [0-9]* failed$' "$out"; then
    echo "FAIL vim: no result (vim exited with $rc)"
    echo "vim: 0 passed, 1 failed"
    exit 1
fi
cat "$out"
grep -q '^vim: [0-9]* passed, 0 failed$' "$out"
