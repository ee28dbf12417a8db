#!/bin/sh
# Checks of the source tree itself, of facts that must agree where they are
# written: every test suite is a phony make target (a file or folder of its
# name, like editors/, must not make it "up to date"); no function in
# compiler/ is longer than 120 lines (mk/fnlen.sh); the diff, spec and
# records_diff suites fail under CI=true when they cannot run; each run option of
# runtime/options_impl.h is offered by the bash completion and, when it could
# be a parameter's name, refused as one.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
cd "$top" || exit 2

# make's suites: with a file of each name beside the Makefile and pipec
# taken as built (-o), `make -n SUITE` must still name the suite's script
suites=$(make -pn -f "$top/Makefile" -C "$scratch" 2>/dev/null | sed -n 's/^ALL_SUITES := //p')
check "make knows its suites" [ -n "$suites" ]
for s in $suites; do
    touch "$scratch/$s"
    make -n -f "$top/Makefile" -C "$scratch" -o /bin/true PIPEC=/bin/true "$s" >"$scratch/make.out" 2>&1
    check "make -n $s runs the suite even when a file '$s' exists" grep -q 'sh .*run.*\.sh' "$scratch/make.out"
done

# a suite that cannot run here (../shared missing) passes as skipped, but
# fails under CI=true, where everything it needs is installed
# a suite calling lib.sh's helpers must source it: an unknown command only
# prints a line, and the suite would count nothing (edge once ran 52 of 612)
for f in tests/run_*.sh; do
    if grep -qE '^[^#]*\b(verdict|skipped|suite_skipped|expect|check) ' "$f"; then
        check "$f sources tests/lib.sh (it calls its helpers)" grep -q 'tests/lib.sh' "$f"
    fi
done

CI=false SPEC=/nonexistent expect "spec without LANGUAGE.md: skipped" 0 sh tests/run_spec.sh
CI=true SPEC=/nonexistent expect "spec without LANGUAGE.md under CI=true: fails" 1 sh tests/run_spec.sh
check "spec under CI=true: says why" grep -q 'spec: FAIL: cannot run under CI=true: /nonexistent not found' "$scratch/out"
CI=false SHARED=/nonexistent expect "diff without ../shared: skipped" 0 sh tests/run_diff.sh
CI=true SHARED=/nonexistent expect "diff without ../shared under CI=true: fails" 1 sh tests/run_diff.sh
check "diff under CI=true: says why" grep -q 'diff: FAIL: cannot run under CI=true' "$scratch/out"
CI=false DISTRO_INFO=/nonexistent NPM_ROOT=/nonexistent RDIFF_N=0 expect "records_diff without real files: skipped" 0 sh tests/run_records_diff.sh
check "records_diff without real files: says so" grep -q 'SKIP /nonexistent/debian.csv not found' "$scratch/out"
CI=true DISTRO_INFO=/nonexistent expect "records_diff without distro-info under CI=true: fails" 1 sh tests/run_records_diff.sh
check "records_diff under CI=true: says why" grep -q 'records_diff: FAIL: cannot run under CI=true: not found: /nonexistent/debian.csv' "$scratch/out"
CI=true expect "fuzz_smoke without clang under CI=true: fails" 2 make -s --no-print-directory fuzz_smoke HAVE_CLANG=
CI=false expect "fuzz_smoke without clang: skipped" 0 make -s --no-print-directory fuzz_smoke HAVE_CLANG=

# function lengths
sh mk/fnlen.sh compiler/*.c >"$scratch/fnlen"
check "no function in compiler/ longer than 120 lines: $(cat "$scratch/fnlen")" [ ! -s "$scratch/fnlen" ]
{ printf 'static int f(void)\n{\n'; yes '    x++;' | head -n 130; printf '}\n'; } >"$scratch/long.c"
sh mk/fnlen.sh "$scratch/long.c" >"$scratch/long.out"
check "fnlen.sh finds a 132-line function" grep -q 'long.c:1: f: 132 lines' "$scratch/long.out"

# run options: the names in a pipeline's --help (the table's labels)
printf 'pipeline main { stdin | stdout }\n' >"$scratch/p.pipe"
"$PIPEC" run "$scratch/p.pipe" --help | sed -n 's/^  \(-h, \)\{0,1\}--\([a-z-]*\).*/\2/p' >"$scratch/opts"
check "run --help lists the run options" [ "$(wc -l <"$scratch/opts")" -ge 10 ]
if command -v bash >/dev/null 2>&1; then
    completion=$(bash -c ". completion/pipec.bash; _pipec_options run")
    while read -r o; do
        check "completion offers --$o" sh -c "printf ' %s \n' '$completion' | grep -q -- ' --$o[ =]'"
    done <"$scratch/opts"
else
    skipped "completion of run options (no bash)"
fi
expect "--stats=bogus: usage error" 2 "$PIPEC" run "$scratch/p.pipe" --stats=bogus
has "--stats=bogus: a bad value of the option" "bad value for '--stats' (expected table or json): 'bogus'"
while read -r o; do
    case $o in *-*) continue ;; esac # not a name a parameter can have
    printf 'pipeline main(%s: int = 1) { stdin | stdout }\n' "$o" >"$scratch/r.pipe"
    expect "parameter named --$o: compile error" 2 "$PIPEC" check "$scratch/r.pipe"
    has "parameter named --$o: names the option" "has the name of the run option --$o"
done <"$scratch/opts"

if [ "$skip" -gt 0 ]; then
    echo "lint: $pass passed, $fail failed, $skip skipped"
else
    echo "lint: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
