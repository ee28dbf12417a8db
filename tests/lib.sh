# lib.sh — what test suites share; sourced by a suite after it has set $top
# (the checkout).  Sets PIPEC (absolute), pass, fail, skip and xfail, and a scratch
# folder removed at exit (also when a test left parts of it unreadable).  A
# suite that needs more clean-up sets its own EXIT trap and calls
# remove_scratch from it.
PIPEC=${PIPEC:-$top/bin/pipec}
case $PIPEC in /*) ;; *) PIPEC=$top/$PIPEC ;; esac
# no native objects for `pipec run` (compiler/native.c): suites time start-up,
# count files in the cache folder and run pipec under valgrind, and a build in
# the background would compete with them; tests/run_native.sh turns them on
PIPEC_NATIVE=0
export PIPEC_NATIVE
pass=0
fail=0
skip=0
xfail=0
scratch=$(mktemp -d)
remove_scratch() {
    chmod -R u+rwx "$scratch" 2>/dev/null
    rm -rf "$scratch"
}
trap remove_scratch EXIT

# skipped WHAT: counts a check that cannot run here, and says so
skipped() { skip=$((skip + 1)); echo "SKIP $1"; }

# suite_skipped SUITE WHY: the whole suite cannot run here (a tool or file it
# needs is missing): says so and exits 0, but 1 under CI=true, where make deps
# has installed every tool and a suite that does not run must not pass
suite_skipped() {
    if [ "${CI:-}" = true ]; then
        echo "$1: FAIL: cannot run under CI=true: $2"
        exit 1
    fi
    echo "$1: skipped: $2"
    exit 0
}

# check WHAT COMMAND...: counts a pass when COMMAND succeeds, else a failure named WHAT
check() {
    what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $what"; fi
}

# example_case SCRIPT: for an example with an expected output (examples/NAME.out),
# sets name, args (NAME.args), input (NAME.in, else /dev/null) and work, a copy
# of examples/ in $scratch/NAME to run it in; false for other scripts.
example_case() {
    name=$(basename "$1" .pipe)
    [ -f "$top/examples/$name.out" ] || return 1
    args=""
    [ -f "$top/examples/$name.args" ] && args=$(cat "$top/examples/$name.args")
    input=/dev/null
    [ -f "$top/examples/$name.in" ] && input=$top/examples/$name.in
    work=$scratch/$name
    mkdir -p "$work"
    cp -R "$top/examples"/. "$work"/
}

# run_case NAME MODE COMMAND...: COMMAND on $scratch/NAME.in, its output in
# $c_out.out (c_out=$scratch/NAME.MODE) and stderr in $c_out.err; c_why says
# why it failed (an exit code or a message on stderr), empty when it ran clean
run_case() {
    c_name=$1 c_mode=$2 c_out=$scratch/$1.$2
    shift 2
    "$@" <"$scratch/$c_name.in" >"$c_out.out" 2>"$c_out.err"
    c_rc=$?
    c_why=""
    if [ $c_rc -ne 0 ] || [ -s "$c_out.err" ]; then
        c_why="exit $c_rc: $(head -c 300 "$c_out.err")"
    fi
}

# bad_out: the first lines of $scratch/err, indented, after a failure
bad_out() { [ -s "$scratch/err" ] && sed 's/^/    stderr: /' "$scratch/err" | head -n 4; }
# expect WHAT CODE COMMAND...: the command (stdout in $scratch/out, stderr in
# $scratch/err) exits CODE (its status in rc)
expect() {
    what=$1 want=$2
    shift 2
    "$@" >"$scratch/out" 2>"$scratch/err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $what (exit $rc, expected $want)"
        bad_out
    fi
}
# has WHAT TEXT: $scratch/err holds the fixed string TEXT
has() {
    if grep -qF -- "$2" "$scratch/err"; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $1: stderr lacks: $2"
        bad_out
    fi
}

# known NAME: NAME (or the part before its first /) is listed in $KNOWN_FAIL,
# the cases failing for a known bug
known() {
    case " ${KNOWN_FAIL:-} " in *" $1 "* | *" ${1%%/*} "*) return 0 ;; esac
    return 1
}

# summary SUITE: the suite's last line ("SUITE: N passed, M failed", and the
# known failures when there are some); its status is whether none failed
summary() {
    if [ "${xfail:-0}" -gt 0 ]; then
        echo "$1: $pass passed, $fail failed, $xfail known failures (KNOWN_FAIL)"
    else
        echo "$1: $pass passed, $fail failed"
    fi
    [ "$fail" -eq 0 ]
}

# verdict NAME WHY [DETAIL-FILE]: a failure (or a known one); WHY empty is a pass
verdict() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        known "$1" && echo "XPASS $1: it works now; take it out of KNOWN_FAIL"
    elif known "$1"; then
        xfail=$((xfail + 1))
        echo "XFAIL $1: $2"
    else
        fail=$((fail + 1))
        echo "FAIL $1: $2"
        [ -n "$3" ] && [ -f "$3" ] && head -c 3000 "$3" | head -n 14 | cut -c 1-160 | sed 's/^/    /'
    fi
}

# edge_inputs DIR: the awkward inputs of the edge suite in DIR (empty, no final
# newline, CRLF (the CR stays in the line, as in grep and awk), NUL bytes, one
# line of 5.5 MB, invalid UTF-8, runs of duplicates; numbers; a second input
# for the fan-ins); sets ALL and INTS to their names
edge_inputs() {
    : >"$1/empty"
    printf 'alpha beta\ngamma,delta\n  x  ' >"$1/nonl"
    printf 'a b\r\nc,d\r\n\r\n  e f \r\n' >"$1/crlf"
    printf 'a\0b c\n\0\nx,\0,y\n\0' >"$1/nul"
    printf 'caf\303\251 \377\376 bad\n\303\050 x,\342\202\n\200\n' >"$1/utf8"
    printf 'a\na\na\r\na\r\n\0\n\0\n\nb b\n\n\nb b' >"$1/dups"
    # one line of 240000 * 23 bytes = 5.5 MB, then a short one
    yes 'lorem ipsum,dolor sit' | head -n 240000 | tr '\n' ' ' >"$1/big"
    printf 'END\nlast\n' >>"$1/big"
    ALL="empty nonl crlf nul utf8 dups big"
    # numbers, for to_int and the aggregates
    printf '3\n-12\n40' >"$1/int_nonl"
    printf '3\r\n-12\r\n40\r\n' >"$1/int_crlf"
    printf '7\n' >"$1/int_one"
    printf '1.5\n-2.25\n40' >"$1/float_nonl"
    printf '1.5\r\n-2.25\r\n' >"$1/float_crlf"
    INTS="empty int_nonl int_crlf int_one"
    # a second input for the fan-ins
    printf 'm1\nm2\nm3\n' >"$1/second"
}
