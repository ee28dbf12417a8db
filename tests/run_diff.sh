#!/bin/sh
# Differential tests: every tests/diff/NAME.pipe mirrors a Unix command, named in
# its header, and must print byte for byte what that command prints on the same
# real text (generated Apache logs from ../shared/bench/gen_logs.c and the
# licence texts every Debian system has).  Header lines of a case:
#   # mirrors: CMD      the Unix command (sh -c, LC_ALL=C, cwd = the inputs folder)
#   # input: NAME       stdin of both: logs, text, ws, dup, a.txt, b.txt (default text)
#   # args: OPTIONS     pipeline options given to pipec run and the binary
#   # build: yes        also run it as a `pipec build` binary (each costs seconds)
# The script runs in the inputs folder, so file("a.txt") reads the generated file.
# An example (examples/NAME.pipe) with a '# mirrors:' line is a case too: it
# and the command run in a copy of examples/, on NAME.in (or no input) with the
# options of NAME.args, so that an example that says it does what awk does is
# shown to (golden tests hold its output in NAME.out, under run, build and emit-c).
# PIPEC names the compiler (default bin/pipec); SKIP_BUILD=1 skips the binaries;
# KNOWN_FAIL lists cases whose failure is a known bug: reported as XFAIL.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
SHARED=${SHARED:-$top/../shared}
KNOWN_FAIL=${KNOWN_FAIL-""}

xfail=0
tmp=$scratch
in=$tmp/in
mkdir -p "$in" "$tmp/bin"

# --- inputs -------------------------------------------------------------------
# Apache-style logs from the shared harness's generator (in CI and on every
# workplace machine); the cases read its fields, so without it they can't run
if [ ! -f "$SHARED/bench/gen_logs.c" ]; then
    suite_skipped diff "$SHARED/bench/gen_logs.c not found (set SHARED to the shared folder)"
fi
cc -O2 -o "$tmp/gen_logs" "$SHARED/bench/gen_logs.c" || { echo "run_diff: cannot compile gen_logs.c"; exit 2; }
"$tmp/gen_logs" 5000 7 >"$in/logs"
# a corpus of English text with some UTF-8 (names in copyright files)
for f in /usr/share/common-licenses/GPL-3 \
         /usr/share/doc/bash/copyright /usr/share/doc/coreutils/copyright \
         /usr/share/doc/dpkg/copyright /usr/share/doc/grep/copyright \
         /usr/share/doc/sed/copyright /usr/share/doc/tar/copyright \
         /usr/share/doc/base-files/copyright /usr/share/doc/util-linux/copyright; do
    [ -r "$f" ] && cat "$f"
done >"$in/text"
if [ "$(wc -l <"$in/text")" -lt 500 ]; then
    echo "run_diff: too little text found under /usr/share (need GPL-3 and copyright files)"
    exit 2
fi
# the text with ASCII whitespace of every kind around (and inside) some lines
awk '{ if (NR % 3 == 0) printf "\t  %s \t\n", $0
       else if (NR % 5 == 0) printf "\f\v %s\r\n", $0
       else if (NR % 7 == 0) printf " \t\r\n"
       else print }' "$in/text" >"$in/ws"
# runs of adjacent duplicates
awk '{ for (i = 0; i <= NR % 3; i++) print }' "$in/text" >"$in/dup"
head -n 1000 "$in/logs" >"$in/a.txt"
head -n 1000 "$in/text" >"$in/b.txt"

# --- cases --------------------------------------------------------------------
header() { sed -n "s/^# $1: //p" "$2" | head -n 1; }

known() { case " $KNOWN_FAIL " in *" $1 "*) return 0 ;; esac; return 1; }

# report NAME MODE EXPECTED GOT ERR CODE: compares one run with the mirror's output
report() {
    r_name=$1 r_mode=$2 r_exp=$3 r_got=$4 r_err=$5 r_code=$6
    r_why=""
    if [ "$r_code" != 0 ]; then
        r_why="exit code $r_code"
    elif [ -s "$r_err" ]; then
        r_why="message on stderr"
    elif ! cmp -s "$r_exp" "$r_got"; then
        r_why="output differs from the Unix command"
    fi
    if [ -z "$r_why" ]; then
        pass=$((pass + 1))
        known "$r_name" && echo "XPASS $r_name ($r_mode): it works now; take it out of KNOWN_FAIL"
        return
    fi
    if known "$r_name"; then
        xfail=$((xfail + 1))
        echo "XFAIL $r_name ($r_mode): $r_why"
        return
    fi
    fail=$((fail + 1))
    echo "FAIL $r_name ($r_mode): $r_why"
    printf "    mirrors: %s\n" "$(header mirrors "$r_script")"
    head -c 2000 "$r_err" | head -n 5 | sed 's/^/    stderr: /'
    diff "$r_exp" "$r_got" | head -n 10 | cut -c 1-200 | sed 's/^/    /'
}

# builds first, in the background: they take seconds each and the runs do not
builds=""
if [ -z "$SKIP_BUILD" ]; then
    for script in "$top"/tests/diff/*.pipe; do
        name=$(basename "$script" .pipe)
        [ "$(header build "$script")" = yes ] || continue
        builds="$builds $name"
        ("$PIPEC" build "$script" -o "$tmp/bin/$name" >"$tmp/bin/$name.log" 2>&1
         echo $? >"$tmp/bin/$name.code") &
    done
fi

cp -R "$top/examples" "$tmp/examples"
for script in "$top"/tests/diff/*.pipe "$top"/examples/*.pipe; do
    name=$(basename "$script" .pipe)
    mirror=$(header mirrors "$script")
    input=$(header input "$script")
    args=$(header args "$script")
    [ -n "$input" ] || input=text
    r_script=$script
    cd_to=$in
    if [ "$script" != "$top/tests/diff/$name.pipe" ]; then
        [ -n "$mirror" ] || continue # an example that mirrors no command
        cd_to=$tmp/examples
        input=/dev/null
        [ -f "$cd_to/$name.in" ] && input=$name.in
        args=""
        [ -f "$cd_to/$name.args" ] && args=$(cat "$cd_to/$name.args")
        name=example_$name
    fi
    if [ -z "$mirror" ]; then
        fail=$((fail + 1))
        echo "FAIL $name: no '# mirrors:' line"
        continue
    fi
    (cd "$cd_to" && sh -c "$mirror" <"$input" >"$tmp/$name.exp" 2>"$tmp/$name.mirror.err")
    if [ ! -s "$tmp/$name.exp" ]; then
        fail=$((fail + 1))
        echo "FAIL $name: the Unix command printed nothing (a vacuous case): $mirror"
        continue
    fi
    # shellcheck disable=SC2086
    (cd "$cd_to" && "$PIPEC" run "$script" $args <"$input" >"$tmp/$name.run.out" 2>"$tmp/$name.run.err"
     echo $? >"$tmp/$name.run.code")
    report "$name" run "$tmp/$name.exp" "$tmp/$name.run.out" "$tmp/$name.run.err" "$(cat "$tmp/$name.run.code")"
done

wait
for name in $builds; do
    script=$top/tests/diff/$name.pipe
    r_script=$script
    if [ "$(cat "$tmp/bin/$name.code")" != 0 ]; then
        fail=$((fail + 1))
        echo "FAIL $name (build): pipec build failed"
        head -n 10 "$tmp/bin/$name.log" | sed 's/^/    /'
        continue
    fi
    input=$(header input "$script")
    args=$(header args "$script")
    [ -n "$input" ] || input=text
    # shellcheck disable=SC2086
    (cd "$in" && "$tmp/bin/$name" $args <"$input" >"$tmp/$name.bin.out" 2>"$tmp/$name.bin.err"
     echo $? >"$tmp/$name.bin.code")
    report "$name" bin "$tmp/$name.exp" "$tmp/$name.bin.out" "$tmp/$name.bin.err" "$(cat "$tmp/$name.bin.code")"
done

summary diff
