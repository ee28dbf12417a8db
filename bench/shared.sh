#!/bin/sh
# `make bench-shared`: the shared harness (../shared/bench, issue 4's yardstick)
# with pipec's built binaries beside its references.  Copies the harness to
# SHARED_WORK (a scratch folder: shared/ may be read-only), builds each of
# bench/workloads/wN.pipe with `pipec build`, sets PIPE_CMD_W1 .. PIPE_CMD_W8
# to run them, and runs the harness's run.sh (about 14 minutes on 2 cores;
# its first run also generates ~0.5 GB of data).  Its table, with a
# `pipe_cmd` row per workload, lands in SHARED_WORK/results/anchors.md.
# Run it on an otherwise idle machine.  Settings: PIPEC (default bin/pipec),
# SHARED (default ../shared/bench), SHARED_WORK (default /tmp/pipec-shared-bench),
# and the harness's own (ONLY="w1 w2", RUNS, WARMUP).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
abs() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
PIPEC=$(abs "${PIPEC:-bin/pipec}")
SHARED=$(abs "${SHARED:-../shared/bench}")
work=${SHARED_WORK:-/tmp/pipec-shared-bench}
[ -x "$SHARED/run.sh" ] || { echo "bench-shared: no harness at $SHARED (set SHARED)"; exit 1; }
command -v bash >/dev/null || { echo "bench-shared: the harness needs bash"; exit 1; }
mkdir -p "$work" || exit 1
# the harness's files, not its data and results (kept from an earlier run)
(cd "$SHARED" && tar cf - --exclude=./data --exclude=./results .) | (cd "$work" && tar xf -) || exit 1
mkdir -p "$work/pbin" || exit 1
for i in 1 2 3 4 5 6 7 8; do
    "$PIPEC" build "bench/workloads/w$i.pipe" -o "$work/pbin/w$i" || exit 1
    if [ $i = 6 ]; then
        cmd="'$work/pbin/w6' --out5xx \"\$OUT_5XX\" --out404 \"\$OUT_404\" < \"\$IN\""
    else
        cmd="'$work/pbin/w$i' < \"\$IN\""
    fi
    export "PIPE_CMD_W$i=$cmd"
done
echo "bench-shared: $(uptime)"
cd "$work" && bash ./run.sh
