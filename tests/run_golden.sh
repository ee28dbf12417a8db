#!/bin/sh
# Golden tests.  Every examples/NAME.pipe and tests/golden/NAME.pipe that has a
# NAME.out runs three times: under `pipec run` (JIT), as a `pipec build` binary,
# and as the C of `pipec emit-c` built with the command its first line gives;
# each in a fresh copy of its folder, with stdin NAME.in and options NAME.args:
# stdout must equal NAME.out byte for byte in each, the exit code NAME.code (0),
# stderr NAME.err when that file exists, and files NAME.expect/* as written;
# the C compiler must not warn about the generated C (it is ours, not the user's).
# Then every tests/errors/NAME.pipe must fail `pipec check` with exactly NAME.err.
# PIPEC names the compiler (default bin/pipec); SKIP_BUILD=1 skips the binaries.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"

bad() {
    fail=$((fail + 1))
    echo "FAIL $1: $2"
    [ -n "$3" ] && [ -f "$3" ] && diff "$4" "$3" | head -20
}

# quiet_cc WHAT ERRFILE: the C compiler said nothing while building WHAT
quiet_cc() {
    [ -s "$2" ] || return 0
    bad "$1" "the C compiler warned about the generated C"
    sed 's/^/    /' "$2" | head -10
    return 1
}

# check NAME MODE WORK DIR: compares what MODE produced in WORK with the expectations
check() {
    c_name=$1 c_mode=$2 c_work=$3 c_dir=$4
    ok=1
    want_code=0
    [ -f "$c_dir/$c_name.code" ] && want_code=$(cat "$c_dir/$c_name.code")
    got_code=$(cat "$c_work/$c_mode.code")
    if [ "$got_code" != "$want_code" ]; then
        bad "$c_dir/$c_name ($c_mode)" "exit code $got_code, expected $want_code"
        sed 's/^/    /' "$c_work/$c_mode.err" | head -10
        ok=0
    fi
    if ! cmp -s "$c_work/$c_mode.out" "$c_dir/$c_name.out"; then
        bad "$c_dir/$c_name ($c_mode)" "stdout differs" "$c_work/$c_mode.out" "$c_dir/$c_name.out"
        ok=0
    fi
    if [ -f "$c_dir/$c_name.err" ] && ! cmp -s "$c_work/$c_mode.err" "$c_dir/$c_name.err"; then
        bad "$c_dir/$c_name ($c_mode)" "stderr differs" "$c_work/$c_mode.err" "$c_dir/$c_name.err"
        ok=0
    fi
    if [ -d "$c_dir/$c_name.expect" ]; then
        for f in "$c_dir/$c_name.expect"/*; do
            if ! cmp -s "$f" "$c_work/$(basename "$f")"; then
                bad "$c_dir/$c_name ($c_mode)" "file $(basename "$f") differs" "$c_work/$(basename "$f")" "$f"
                ok=0
            fi
        done
    fi
    [ $ok = 1 ] && pass=$((pass + 1))
}

for dir in examples tests/golden; do
    [ -d "$top/$dir" ] || continue
    for script in "$top/$dir"/*.pipe; do
        [ -f "$script" ] || continue
        name=$(basename "$script" .pipe)
        d=$top/$dir
        [ -f "$d/$name.out" ] || continue
        args=""
        [ -f "$d/$name.args" ] && args=$(cat "$d/$name.args")
        input=/dev/null
        [ -f "$d/$name.in" ] && input=$d/$name.in
        # and through emit-c, compiled with the command its first line gives
        modes="run bin emitc"
        for mode in $modes; do
            [ "$mode" != run ] && [ -n "$SKIP_BUILD" ] && continue
            work=$scratch/$name.$mode
            mkdir -p "$work"
            cp -R "$d"/. "$work"/
            rm -f "$work"/*.out "$work"/*.err
            for f in "$d/$name.expect"/*; do [ -f "$f" ] && rm -f "$work/$(basename "$f")"; done
            if [ "$mode" = emitc ]; then
                mkdir -p "$work/emitted"
                pick=$(echo "$args" | sed -n 's/.*--pipeline[ =]\([^ ]*\).*/--pipeline=\1/p')
                bargs=$(echo "$args" | sed 's/--pipeline[ =][^ ]*//')
                # shellcheck disable=SC2086
                if ! (cd "$work" && "$PIPEC" emit-c "$name.pipe" $pick -o "emitted/$name.c" 2>"$work/build.err"); then
                    bad "$dir/$name (emit-c)" "pipec emit-c failed"
                    continue
                fi
                cmd=$(head -n 1 "$work/emitted/$name.c" | sed -n 's|^/\* \(cc .*\)$|\1|p')
                if [ -z "$cmd" ] || ! (cd "$work/emitted" && sh -c "$cmd" 2>"$work/build.err"); then
                    bad "$dir/$name (emit-c)" "the first line's command did not build it: $cmd"
                    sed 's/^/    /' "$work/build.err" | head -10
                    continue
                fi
                quiet_cc "$dir/$name (emit-c)" "$work/build.err" || continue
                # shellcheck disable=SC2086
                (cd "$work" && ./emitted/"$name" $bargs <"$input" >"$work/emitc.out" 2>"$work/emitc.err"; echo $? >"$work/emitc.code")
            elif [ "$mode" = run ]; then
                # shellcheck disable=SC2086
                (cd "$work" && "$PIPEC" run "$name.pipe" $args <"$input" >"$work/run.out" 2>"$work/run.err"; echo $? >"$work/run.code")
            else
                # `--pipeline NAME` chooses what to build; the binary gets the rest
                pick=$(echo "$args" | sed -n 's/.*--pipeline[ =]\([^ ]*\).*/--pipeline=\1/p')
                bargs=$(echo "$args" | sed 's/--pipeline[ =][^ ]*//')
                # shellcheck disable=SC2086
                if ! (cd "$work" && "$PIPEC" build "$name.pipe" $pick -o "$work/prog" 2>"$work/build.err"); then
                    bad "$dir/$name (build)" "pipec build failed"
                    sed 's/^/    /' "$work/build.err" | head -10
                    continue
                fi
                quiet_cc "$dir/$name (build)" "$work/build.err" || continue
                # shellcheck disable=SC2086
                (cd "$work" && ./prog $bargs <"$input" >"$work/bin.out" 2>"$work/bin.err"; echo $? >"$work/bin.code")
            fi
            check "$name" "$mode" "$work" "$d"
        done
    done
done

if [ -d "$top/tests/errors" ]; then
    cd "$top" || exit 2
    for script in tests/errors/*.pipe; do
        [ -f "$script" ] || continue
        name=${script%.pipe}
        [ -f "$name.err" ] || continue
        "$PIPEC" check "$script" >"$scratch/check.out" 2>"$scratch/check.err"
        code=$?
        if [ $code -ne 2 ]; then
            bad "$script" "exit code $code, expected 2"
        elif ! cmp -s "$scratch/check.err" "$name.err"; then
            bad "$script" "diagnostics differ" "$scratch/check.err" "$name.err"
        else
            pass=$((pass + 1))
        fi
    done
fi

echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
