#!/bin/sh
# Checks editors/emacs/pipe-mode.el with emacs --batch and ERT: faces at given
# places after font-lock-ensure, re-indentation of flattened files, and the
# compilation-mode entry for pipec's diagnostics.
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
timeout 60 emacs --batch -Q -L "$ROOT/editors/emacs" -l "$ROOT/editors/emacs/pipe-mode.el" \
    -l "$ROOT/editors/tests/emacs/pipe-mode-test.el" -f ert-run-tests-batch-and-exit >"$out" 2>&1
rc=$?
grep -E '^ *(passed|FAILED|skipped) ' "$out" | sed 's/^ *//'
grep -vE '^ *(passed|FAILED|skipped) |^Running [0-9]+ tests|^Ran [0-9]+ tests|^$' "$out" | grep -E 'FAILED|Test .* condition|should|error|\(ert-test-failed' | head -40
summary=$(grep -E '^Ran [0-9]+ tests, [0-9]+ results as expected' "$out")
if [ -z "$summary" ]; then
    tail -n 20 "$out"
    echo "emacs: 0 passed, 1 failed"
    exit 1
fi
total=$(echo "$summary" | sed -E 's/^Ran ([0-9]+) tests.*/\1/')
ok=$(echo "$summary" | sed -E 's/^Ran [0-9]+ tests, ([0-9]+) results as expected.*/\1/')
echo "emacs: $ok passed, $((total - ok)) failed"
[ "$rc" -eq 0 ] && [ "$ok" -eq "$total" ]
