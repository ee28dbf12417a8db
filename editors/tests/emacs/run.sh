#!/bin/sh
# Checks editors/emacs/pipe-mode.el with emacs --batch and ERT: faces at given
# places after font-lock-ensure, re-indentation of flattened files, and the
# compilation-mode entry for pipec's diagnostics.
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
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
