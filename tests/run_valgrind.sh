#!/bin/sh
# `make valgrind`: valgrind's memcheck over every unit test binary (given as
# arguments) and over the suites in VG_SUITES (default: all of make test's
# that run pipec) run through a pipec wrapped in memcheck.  A memcheck error
# (invalid read or write, use of uninitialised memory, a definite leak) fails
# with exit code 99; its report is kept in build/valgrind/NAME.log.  Built
# binaries of the suites run without memcheck (the same runtime runs under it
# in `pipec run`).  Checks that measure a run's memory or descriptors cannot
# pass under memcheck (its RSS and descriptors are counted); the suites skip
# those when PIPEC_UNDER_VALGRIND=1.  The faults suite then also waits and
# bounds times 10 times longer (it sends its signals once the run shows that
# it runs, never into the JIT compile) and skips `ulimit -v` of `pipec run`.
# Ends "valgrind: N passed, M failed".
top=$(cd "$(dirname "$0")/.." && pwd)
PIPEC=${PIPEC:-$top/bin/pipec}
case $PIPEC in /*) ;; *) PIPEC=$top/$PIPEC ;; esac
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: skipped: valgrind not installed (Debian: apt-get install valgrind)"
    exit 0
fi
# PCRE2's JIT code loads bytes past a subject's end (and ignores them), which
# memcheck reports; its interpreter is checked instead
PIPE_REGEX_JIT=0
export PIPE_REGEX_JIT
logs=$top/build/valgrind
mkdir -p "$logs"
VG="$(command -v valgrind) -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
pass=0
fail=0
for t in "$@"; do
    name=$(basename "$t")
    if $VG --log-file="$logs/$name.log" "$t" >/dev/null 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name under memcheck (build/valgrind/$name.log):"
        head -n 20 "$logs/$name.log" | sed 's/^/    /'
    fi
done
# a pipec that runs under memcheck, each run logged apart (%p: its pid)
wrap=$logs/pipec
printf '#!/bin/sh\nexec %s --log-file=%s/pipec.%%p.log %s "$@"\n' "$VG" "$logs" "$PIPEC" >"$wrap"
chmod +x "$wrap"
rm -f "$logs"/pipec.*.log
VG_SUITES=${VG_SUITES:-"spec cli golden diff edge stats graph fmt sort_spill trace repl exec sandbox faults"}
for suite in $VG_SUITES; do
    echo "valgrind: suite $suite"
    # edge: its 1-second stop checks cannot even start in time under memcheck,
    # and PCRE2's interpreter reaches its match limits on the 5.5 MB line that
    # the JIT matches: known failures here, not memory errors
    kf=""
    [ "$suite" = edge ] && kf="regex_long_line regex_long_line_replace zip_stops zip_stops_swap head_stops"
    if KNOWN_FAIL=$kf PIPEC=$wrap PIPEC_UNDER_VALGRIND=1 sh "$top/tests/run_$suite.sh" >"$logs/$suite.out" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL suite $suite under memcheck:"
        grep -E '^FAIL|passed' "$logs/$suite.out" | head -n 10 | sed 's/^/    /'
    fi
done
for l in "$logs"/pipec.*.log; do
    [ -s "$l" ] || continue
    fail=$((fail + 1))
    echo "FAIL memcheck report $l:"
    head -n 20 "$l" | sed 's/^/    /'
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
