#!/bin/sh
# Faults and limits of a run (LANGUAGE.md §7, docs/pipe.md "Limits" and
# "Signals and faults"), with `pipec run` and with a `pipec build` binary:
# output to a full disk (/dev/full); a reader that closes early (| head); a
# missing or unreadable input; SIGINT and SIGTERM mid-run (what was processed
# is written out, exit 130 or 143), while busy, while waiting for input and
# while opening a FIFO; Ctrl-C in the REPL; --timeout; --max-line-bytes (also
# memory bounded by it), --max-input-bytes; --mem-limit on maps and sets;
# memory exhausted under `ulimit -v`; a pathological regex; parameters checked
# before any input is read.  Every case runs under `timeout`: nothing hangs.
# A signal is sent once the run shows that it runs (its output, or the start
# record of its --trace: the handlers are in place, the JIT compile is over),
# never after a fixed sleep.  PIPEC names the compiler (default bin/pipec).
# ASan builds skip what measures memory (ulimit -v, peak RSS).  Under memcheck
# (make valgrind sets PIPEC_UNDER_VALGRIND=1) pipec runs some 30 times slower:
# the time limits, waits and wall-clock bounds are SLOW (10) times longer, and
# what memcheck's own memory decides is skipped: `ulimit -v` and the peak RSS
# of `pipec run`.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
s=$scratch
case $PIPEC in *asan*) asan=yes ;; *) asan=no ;; esac
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ]; then vg=yes SLOW=10; else vg=no SLOW=1; fi
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ -s "$s/err" ] && sed 's/^/    stderr: /' "$s/err" | head -n 3
}
check() { # check NAME COMMAND...: passes when the command succeeds
    name=$1
    shift
    if "$@"; then ok; else bad "$name"; fi
}
# has FILE TEXT: FILE holds TEXT (fixed string)
has() { grep -qF -e "$2" "$1"; }
# T [SECONDS] CMD...: runs CMD (stdout to $to, else $s/out; stderr to $s/err)
# killed after 20 s, or SECONDS (times SLOW); its exit code in $rc
to=""
T() {
    lim=20
    case $1 in [0-9]*) lim=$1 && shift ;; esac
    timeout -k 2 $((lim * SLOW)) "$@" >"${to:-$s/out}" 2>"$s/err"
    rc=$?
}
# background command with SIGINT and SIGTERM at their defaults (a shell
# without job control makes background commands ignore SIGINT, and pipec
# keeps to an ignored SIGINT)
if env --default-signal=INT,TERM true 2>/dev/null; then
    DFL="env --default-signal=INT,TERM"
else
    DFL=""
fi
# wait_for FILE TEXT: waits (up to 10 s times SLOW) until FILE holds TEXT
wait_for() {
    n=0
    while ! grep -qF -e "$2" "$1" 2>/dev/null && [ $n -lt $((100 * SLOW)) ]; do
        sleep 0.1
        n=$((n + 1))
    done
}
# started TRACE: waits until the run's --trace file TRACE holds its start
# record, written once SIGINT and SIGTERM stop the run (not the JIT compile)
started() { wait_for "$1" '"event":"start"'; }
# hold FILE SECONDS: waits until FILE is there, at most SECONDS (times SLOW):
# the writer of a pipe that keeps it open while its reader runs
hold() {
    n=0
    while [ ! -e "$1" ] && [ $n -lt $(($2 * 10 * SLOW)) ]; do
        sleep 0.1
        n=$((n + 1))
    done
}
# nap TENTHS: sleeps TENTHS tenths of a second (times SLOW)
nap() { sleep "$(awk -v t="$1" -v k="$SLOW" 'BEGIN { print t * k / 10 }')"; }
# in_time MS: the millisecond bound MS (times SLOW) of a wall-clock check
in_time() { echo $(($1 * SLOW)); }
# ms: milliseconds since the epoch
ms() { date +%s%3N; }

cd "$s" || exit 1

# --- scripts and binaries -------------------------------------------------------
cat >up.pipe <<'EOF'
pipeline main(n: int = 1) { stdin | upper | stdout }
EOF
cat >cat.pipe <<'EOF'
pipeline main { stdin | stdout }
EOF
cat >fsink.pipe <<'EOF'
pipeline main(out: str = "o.txt") { stdin | upper | file(out) }
EOF
cat >fsrc.pipe <<'EOF'
pipeline main(path: str = "in.txt", n: int = 1) { file(path) | upper | stdout }
EOF
cat >two.pipe <<'EOF'
pipeline main(a: str = "a.txt", b: str = "b.txt") {
    file(a) | stdout
    file(b) | file("two.out")
}
EOF
cat >nums.pipe <<'EOF'
pipeline main(n: int = 1000000000000) { range(0, n) | map(x => str(x)) | stdout }
EOF
cat >never.pipe <<'EOF'
pipeline main { range(0, 1000000000000) | filter(x => x < 0) | stdout }
EOF
cat >count.pipe <<'EOF'
pipeline main { stdin | count | count_items | stdout }
EOF
cat >distinct.pipe <<'EOF'
pipeline main { stdin | distinct | count_items | stdout }
EOF
cat >state.pipe <<'EOF'
proc by_prefix: str -> str {
    state seen: {str: {str}}
    on line {
        add(seen[substr(line, 0, 2)], line)
    }
    on end {
        for k, v in seen { emit k }
    }
}
pipeline main { stdin | by_prefix | count_items | stdout }
EOF
cat >sort.pipe <<'EOF'
pipeline main { stdin | sort | stdout }
EOF
cat >fantail.pipe <<'EOF'
pipeline main {
    s = stdin
    s | file("fan.out")
    s | map(l => l + l + l + l) | tail(100000000) | count_items | stdout
}
EOF
cat >spin.pipe <<'EOF'
proc spin: int -> int {
    state n = 0
    on x {
        while x >= 0 { n += 1 }
        emit n
    }
}
pipeline main { range(0, 10) | spin | stdout }
EOF
cat >re.pipe <<'EOF'
pipeline main(re: str = "(a+)+$") {
    stdin | grep(re) | stdout
}
EOF
cat >re_replace.pipe <<'EOF'
pipeline main {
    stdin | replace("(a|aa)+$", "x") | stdout
}
EOF
cat >re_lambda.pipe <<'EOF'
pipeline main(re: str = "^(a*)*$") {
    stdin | filter(s => matches(s, re)) | stdout
}
EOF
cat >re_fn.pipe <<'EOF'
pipeline main {
    stdin | filter(s => matches(s, "^(a*)*$")) | stdout
}
EOF
cat >re_fn_replace.pipe <<'EOF'
pipeline main {
    stdin | map(s => replace(s, "(a|aa)+$", "x")) | stdout
}
EOF
cat >grepf.pipe <<'EOF'
pipeline main { stdin | grep_f("x") | stdout }
EOF
seq 1 200000 >seq.txt
printf 'a\nb\nc\n' >in.txt
printf 'a1\na2\n' >a.txt
printf 'b1\nb2\n' >b.txt
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "key%d\n", i }' >keys.txt

cat >cats.pipe <<'EOF'
pipeline main(pat: str = "c?.txt") { files(pat) | stdout }
EOF
cat >catf.pipe <<'EOF'
pipeline main(out: str = "catf.out") { stdin | file(out) }
EOF
cat >cata.pipe <<'EOF'
pipeline main(out: str = "catf.out") { stdin | append(out) }
EOF
# 20,000 lines of 100 bytes: a file that a kernel copy passes through
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "%-99s\n", i " " sprintf("%090d", i) }' >l100.txt

for p in up fsrc fsink count nums never cat cats catf cata fantail sort; do
    if ! "$PIPEC" build "$p.pipe" -o "$p" 2>build.err; then
        bad "pipec build $p.pipe: $(head -c 300 build.err)"
    fi
done
# prog NAME HOW: the command that runs NAME.pipe (HOW: run) or its binary (bin)
prog() {
    if [ "$2" = run ]; then echo "$PIPEC run $s/$1.pipe"; else echo "$s/$1"; fi
}

# --- output to a full disk ------------------------------------------------------
for how in run bin; do
    up=$(prog up $how)
    to=/dev/full
    T $up <seq.txt # ~1.3 MB: fails while the run goes on
    check "$how: stdout on /dev/full, big output: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: stdout on /dev/full, big output: message" has err "writing to stdout: No space left on device"
    check "$how: stdout on /dev/full: the error names the stage" has err "runtime error in stage stdout"
    T $up <in.txt # fits the buffer: fails at the final flush
    check "$how: stdout on /dev/full, small output: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: stdout on /dev/full, small output: message" has err "No space left on device"
    to=""
done
T $PIPEC run fsink.pipe --out /dev/full <seq.txt
check "file(\"/dev/full\") sink: exit 1 ($rc)" [ $rc -eq 1 ]
check "file(\"/dev/full\") sink: message names the file" has err "writing to /dev/full: No space left on device"
to=/dev/full
T $PIPEC run up.pipe --stats <in.txt
to=""
check "--stats on /dev/full: still exit 1 ($rc)" [ $rc -eq 1 ]

# --- a file size limit (ulimit -f) ----------------------------------------------
# SIGXFSZ at its default, as a shell leaves it: pipec ignores it itself, so a
# write past the limit is the writer's runtime error (EFBIG), not a silent kill
if env --default-signal=XFSZ true 2>/dev/null; then DFLX="env --default-signal=XFSZ"; else DFLX=""; fi
fsize() { # fsize BLOCKS CMD...: CMD under ulimit -f BLOCKS; exit code in $rc
    lim=$1
    shift
    (ulimit -f "$lim" && exec timeout $((20 * SLOW)) $DFLX "$@" >"${to:-$s/out}" 2>"$s/err")
    rc=$?
}
for how in run bin; do
    fsize 100 $(prog up $how) <seq.txt
    check "$how: stdout past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: stdout past ulimit -f: the stage and line" has err "runtime error in stage stdout: writing to stdout: File too large (input stdin, line "
    rm -f o.txt
    fsize 100 $(prog fsink $how) <seq.txt
    check "$how: file() past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: file() past ulimit -f: names the file" has err "runtime error in stage file: writing to o.txt: File too large"
    fsize 100 $(prog sort $how) --mem-limit 64K <seq.txt
    check "$how: sort's spill past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: sort's spill past ulimit -f: message" has err "runtime error in stage sort: cannot write a temporary file: File too large"
done
# exec's programs get SIGXFSZ at its default back (bit 24 of SigIgn: signal 25)
cat >xfsz.pipe <<'EOF'
pipeline main { stdin | exec("sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status") | stdout }
EOF
T $PIPEC run xfsz.pipe <in.txt
check "exec's program: SIGXFSZ not ignored ($(cat out))" [ $rc -eq 0 -a $((0x$(cat out) & 0x1000000)) -eq 0 ]
fsize 1 $PIPEC emit-c up.pipe -o up.c
check "pipec emit-c past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
check "pipec emit-c past ulimit -f: message" has err "cannot write 'up.c': File too large"
fsize 300 $PIPEC build up.pipe -o up_big
check "pipec build past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
check "pipec build past ulimit -f: cc's message" has err "File too large"

# --- closed standard descriptors --------------------------------------------------
# a closed fd 0, 1 or 2 reads and writes as closed (EBADF): a pipeline that
# reads stdin fails at once (as `awk 1 <&-` does), one that does not runs
for how in run bin; do
    up=$(prog up $how)
    (exec timeout $((20 * SLOW)) $up <&- >"$s/out" 2>"$s/err")
    rc=$?
    check "$how: closed stdin: exit 1, no hang ($rc)" [ $rc -eq 1 ]
    check "$how: closed stdin: message" has err "runtime error in stage stdin: cannot read 'stdin': Bad file descriptor"
    (exec timeout $((20 * SLOW)) $(prog nums $how) --n 3 <&- >"$s/out" 2>"$s/err")
    rc=$?
    check "$how: closed stdin, not read: exit 0 ($rc)" [ $rc -eq 0 -a "$(cat out)" = "$(seq 0 2)" ]
    (exec timeout $((20 * SLOW)) $up <in.txt >&- 2>"$s/err")
    rc=$?
    check "$how: closed stdout: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: closed stdout: message" has err "runtime error in stage stdout: writing to stdout: Bad file descriptor"
    rm -f o.txt
    (exec timeout $((20 * SLOW)) $(prog fsink $how) <in.txt >&- 2>&-)
    rc=$?
    check "$how: closed stdout and stderr: a file sink writes its file ($rc)" [ $rc -eq 0 -a "$(cat o.txt)" = "$(printf 'A\nB\nC')" ]
done

# --- a reader that closes early ------------------------------------------------
for how in run bin; do
    up=$(prog up $how)
    { timeout $((20 * SLOW)) $up <seq.txt 2>"$s/err"; echo $? >"$s/rc"; } | head -n 1 >"$s/out"
    check "$how: | head -n 1: exit 0 ($(cat rc))" [ "$(cat rc)" = 0 ]
    check "$how: | head -n 1: quiet" [ ! -s err ]
    check "$how: | head -n 1: the first line" [ "$(cat out)" = 1 ]
    { timeout $((20 * SLOW)) $up <in.txt 2>"$s/err"; echo $? >"$s/rc"; } | true
    check "$how: | true (closed before the only write): exit 0 ($(cat rc))" [ "$(cat rc)" = 0 ]
    check "$how: | true: quiet" [ ! -s err ]
    { yes | timeout $((20 * SLOW)) $up 2>"$s/err"; echo $? >"$s/rc"; } | head -n 2 >/dev/null
    check "$how: yes | ... | head: ends, exit 0 ($(cat rc))" [ "$(cat rc)" = 0 ]
done

# --- a missing or unreadable input: exit 1 before any output ---------------------
mkdir -p adir
for how in run bin; do
    fsrc=$(prog fsrc $how)
    T $fsrc --path missing.txt
    check "$how: missing file: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: missing file: message" has err "runtime error in stage file: cannot open 'missing.txt': No such file or directory"
    check "$how: missing file: the message names the script position" has err "fsrc.pipe:1:"
    T $fsrc --path adir
    check "$how: a folder as input: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: a folder as input: message" has err "cannot read 'adir': Is a directory"
done
T $PIPEC run two.pipe --b missing.txt
check "missing second file: exit 1 ($rc)" [ $rc -eq 1 ]
check "missing second file: nothing written before the error" [ ! -s out ]
check "missing second file: nothing written before the error: output" [ ! -s two.out ]
printf 'pipeline main { files("nomatch*.txt") | stdout }\n' >files.pipe
T $PIPEC run files.pipe
check "files() matching nothing: exit 1 ($rc)" [ $rc -eq 1 ]
check "files() matching nothing: exit 1: message" has err "no file matches 'nomatch*.txt'"
if [ "$(id -u)" != 0 ]; then
    printf 'x\n' >secret.txt
    chmod 000 secret.txt
    T $PIPEC run fsrc.pipe --path secret.txt
    check "unreadable file: exit 1 ($rc)" [ $rc -eq 1 ]
    check "unreadable file: exit 1: message" has err "cannot open 'secret.txt': Permission denied"
else
    skipped "unreadable file (root reads every file; the folder case stands in)"
fi

# --- SIGINT and SIGTERM ---------------------------------------------------------
if [ -z "$DFL" ]; then
    skipped "signals: env --default-signal is missing (coreutils >= 8.31)"
else
    # busy: every item that reached the sink (--stats counts them) is written
    # out, though the output buffer held the last of them.  --foreground:
    # timeout passes the signal to pipec only; without it it sends it to its
    # group too, and on a loaded machine that copy can come more than the
    # 0.2 s of one request later: a second request, which ends the process
    # without its --stats (seen once under load)
    for how in run bin; do
        for sig in INT TERM; do
            want=130
            [ $sig = TERM ] && want=143
            nums=$(prog nums $how)
            rm -f busy.out
            $DFL timeout --foreground -k 2 $((20 * SLOW)) $nums --stats=json >busy.out 2>"$s/err" &
            pid=$!
            wait_for busy.out 100000
            sleep 0.2
            kill -$sig $pid
            wait $pid 2>/dev/null
            rc=$?
            check "$how: SIG$sig while busy: exit $want ($rc)" [ $rc -eq $want ]
            check "$how: SIG$sig while busy: no message" sh -c "! grep -q 'runtime error\\|pipec: error' '$s/err'"
            sunk=$(sed -n 's/.*"name": "stdout".*"items_in": \([0-9]*\).*/\1/p' err)
            last=$(tail -n 1 busy.out)
            check "$how: SIG$sig while busy: all that reached stdout ($sunk) is out ($(wc -l <busy.out))" \
                [ "$(wc -l <busy.out)" -eq "${sunk:-0}" ]
            check "$how: SIG$sig while busy: every item up to the last is there" \
                [ "$(wc -l <busy.out)" -eq $((last + 1)) ]
        done
    done
    # waiting for input on a pipe: lines given before are out, the read is interrupted
    for how in run bin; do
        up=$(prog up $how)
        rm -f wait.out fifo
        mkfifo fifo
        $DFL timeout -k 2 $((20 * SLOW)) $up <fifo >wait.out 2>"$s/err" &
        pid=$!
        exec 3>fifo
        printf 'one\ntwo\n' >&3
        wait_for wait.out TWO
        t0=$(ms)
        kill -INT $pid
        wait $pid 2>/dev/null
        rc=$?
        t1=$(ms)
        exec 3>&-
        check "$how: SIGINT while reading a pipe: exit 130 ($rc)" [ $rc -eq 130 ]
        check "$how: SIGINT while reading a pipe: the lines read are out" [ "$(cat wait.out)" = "ONE
TWO" ]
        check "$how: SIGINT while reading a pipe: prompt ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt $(in_time 2000) ]
    done
    # started in the background by a shell without job control, SIGINT stays
    # ignored (as for any command); SIGTERM still stops it
    # (no timeout here: it would catch SIGINT; a watchdog kills it instead)
    rm -f never.trace
    $PIPEC run never.pipe --trace never.trace >/dev/null 2>"$s/err" &
    pid=$!
    { sleep $((20 * SLOW)); kill -KILL $pid 2>/dev/null; } >/dev/null 2>&1 &
    guard=$!
    started never.trace
    kill -INT $pid
    nap 5
    check "an ignored SIGINT stays ignored" kill -0 $pid
    kill -TERM $pid
    wait $pid 2>/dev/null
    rc=$?
    check "an ignored SIGINT stays ignored; SIGTERM: exit 143 ($rc)" [ $rc -eq 143 ]
    pkill -P $guard sleep 2>/dev/null # the guard's sleep, then the guard
    kill $guard 2>/dev/null
    # opening a FIFO that no one writes (open(2) blocks)
    rm -f fifo fifo.trace
    mkfifo fifo
    $DFL timeout -k 2 $((20 * SLOW)) $PIPEC run fsrc.pipe --path fifo --trace fifo.trace >/dev/null 2>"$s/err" &
    pid=$!
    started fifo.trace
    nap 2 # from the start record to the open
    t0=$(ms)
    kill -TERM $pid
    wait $pid 2>/dev/null
    rc=$?
    t1=$(ms)
    check "SIGTERM while opening a FIFO: exit 143 ($rc)" [ $rc -eq 143 ]
    check "SIGTERM while opening a FIFO: prompt ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt $(in_time 2000) ]
    # a stage that never returns: the second SIGINT ends the process
    # (--foreground: timeout passes on every signal, not just the first)
    # (0.3 s apart: more than the 0.2 s of one request, less than the 5 s
    # after which the watchdog ends it too)
    rm -f spin.trace
    $DFL timeout --foreground -k 2 $((20 * SLOW)) $PIPEC run spin.pipe --trace spin.trace >/dev/null 2>"$s/err" &
    pid=$!
    started spin.trace
    nap 2 # from the start record into the stage
    kill -INT $pid
    sleep 0.3
    t0=$(ms)
    kill -INT $pid
    wait $pid 2>/dev/null
    rc=$?
    t1=$(ms)
    check "a stuck stage: the second SIGINT ends it (exit $rc)" [ $rc -eq 130 ]
    if [ $vg = no ]; then # not the watchdog, 5 s after the first
        check "a stuck stage: the second SIGINT ends it at once ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 2000 ]
    fi
    # the REPL: Ctrl-C stops the flow, and the session goes on; the flow
    # writes its first 100000 items to flow.out (the sign that it runs), then
    # goes on without end.  (A subshell writes to the FIFO: a REPL that died
    # early ends it with SIGPIPE, not the suite.)
    flow='range(0, 1000000000000) | filter(x => x < 100000) | map(x => str(x)) | file("flow.out")'
    rm -f fifo flow.out
    mkfifo fifo
    $DFL timeout -k 2 $((20 * SLOW)) $PIPEC repl <fifo >repl.out 2>&1 &
    pid=$!
    exec 3>fifo
    (printf '%s\nlines("a\\nb") | upper\n' "$flow" >&3)
    wait_for flow.out 1000
    kill -INT $pid
    sleep 0.3
    (printf 'lines("c") | upper\n' >&3)
    exec 3>&-
    wait $pid 2>/dev/null
    rc=$?
    check "repl: Ctrl-C in a flow: the REPL goes on (exit $rc)" [ $rc -eq 0 ]
    check "repl: Ctrl-C in a flow: says so" has repl.out "interrupted"
    check "repl: Ctrl-C in a flow: later flows run" [ "$(grep -v interrupted repl.out)" = "A
B
C" ]
    # SIGTERM in a flow ends the REPL, which removes its temporary folder
    rm -f fifo flow.out
    mkfifo fifo
    mkdir -p rtmp
    TMPDIR=$s/rtmp $DFL timeout -k 2 $((20 * SLOW)) $PIPEC repl <fifo >repl.out 2>&1 &
    pid=$!
    exec 3>fifo
    (printf '%s\nlines("a") | upper\n' "$flow" >&3)
    wait_for flow.out 1000
    kill -TERM $pid
    wait $pid 2>/dev/null
    rc=$?
    exec 3>&-
    check "repl: SIGTERM in a flow ends the REPL ($rc)" [ $rc -eq 143 ]
    check "repl: SIGTERM: no temporary folder left" [ -z "$(ls rtmp)" ]
fi

# --- --timeout ------------------------------------------------------------------
for how in run bin; do
    never=$(prog never $how)
    t0=$(ms)
    T $never --timeout 300ms
    t1=$(ms)
    check "$how: --timeout while busy: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: --timeout while busy: message" has err "pipec: runtime error: timed out after 300ms (input range, line "
    check "$how: --timeout while busy: on time ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt $(in_time 3000) ]
    up=$(prog up $how)
    # the input stays open (up to 3 s) until the run has ended
    rm -f took
    { printf 'x\ny\n'; hold took 3; } | {
        t0=$(ms)
        timeout $((20 * SLOW)) $up --timeout=1s >"$s/out" 2>"$s/err"
        echo $? >"$s/rc"
        echo $(($(ms) - t0)) >"$s/took"
    }
    rc=$(cat rc)
    t1=$(($(cat took)))
    t0=0
    check "$how: --timeout while waiting for input: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: --timeout while waiting for input: message" has err "timed out after 1s (input stdin, line 2)"
    check "$how: --timeout while waiting for input: what was read is out" [ "$(cat out)" = "X
Y" ]
    check "$how: --timeout while waiting for input: on time ($t1 ms)" [ "$t1" -lt $(in_time 2500) ]
done
T 30 $PIPEC run spin.pipe --timeout 200ms
check "--timeout, a stage that never returns: exit 1 after the grace ($rc)" [ $rc -eq 1 ]
check "--timeout, a stage that never returns: message" has err "a stage did not stop within 5 s more"
for d in 500ms 10s 2m 1h 30; do
    T $PIPEC run up.pipe --timeout "$d" <in.txt
    check "--timeout $d: accepted" [ $rc -eq 0 ]
done
for d in 0 10x 1.5s -1 s ""; do
    T $PIPEC run up.pipe --timeout "$d" <in.txt
    check "--timeout '$d': usage error ($rc)" [ $rc -eq 2 ]
    check "--timeout '$d': usage error: message" has err "bad value for '--timeout'"
done

# --- --max-line-bytes -----------------------------------------------------------
printf 'short\nabcdefghij\nthis line is too long\nlast\n' >lines.txt
for how in run bin; do
    fsrc=$(prog fsrc $how)
    T $fsrc --path lines.txt --max-line-bytes 10
    check "$how: --max-line-bytes: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: --max-line-bytes: names stage, position, input and line" \
        has err "fsrc.pipe:1:51: runtime error in stage file: line longer than --max-line-bytes=10: \"this line is too long\" (input lines.txt, line 3)"
    check "$how: --max-line-bytes: the lines before it are out" [ "$(cat out)" = "SHORT
ABCDEFGHIJ" ]
    up=$(prog up $how)
    T $up --max-line-bytes=21 <lines.txt
    check "$how: --max-line-bytes: a line of exactly the limit passes ($rc)" [ $rc -eq 0 ]
done
printf 'ok\nno newline at the end' >nonl.txt
T $PIPEC run up.pipe --max-line-bytes 10 <nonl.txt
check "--max-line-bytes: a last line without newline ($rc)" [ $rc -eq 1 ]
check "--max-line-bytes: a last line without newline: message" has err "(input stdin, line 2)"
T $PIPEC run cat.pipe --max-line-bytes 10 <lines.txt
check "--max-line-bytes: stdin | stdout (whole blocks) checks too ($rc)" [ $rc -eq 1 ]
check "--max-line-bytes: stdin | stdout (whole blocks) checks too: message" has err "line 3)"
check "--max-line-bytes: stdin | stdout: the lines before are out" [ "$(cat out)" = "short
abcdefghij" ]
T $PIPEC run grepf.pipe --max-line-bytes 10 <lines.txt
check "--max-line-bytes: a prefiltered grep_f checks too ($rc)" [ $rc -eq 1 ]
check "--max-line-bytes: a prefiltered grep_f checks too: message" has err "line 3)"
T $PIPEC run up.pipe --max-line-bytes abc <lines.txt
check "--max-line-bytes abc: usage error ($rc)" [ $rc -eq 2 ]
# the long line is not held whole: 64 MB without a newline, limit 1M (the
# error everywhere; the peak RSS where it is pipec's own: not under ASan or
# memcheck)
head -c 67108864 /dev/zero | tr '\0' a >long.txt
gtime=""
[ -x /usr/bin/time ] && gtime="/usr/bin/time -f %M -o rss"
timeout $((60 * SLOW)) $gtime "$PIPEC" run up.pipe --max-line-bytes 1M <long.txt >/dev/null 2>err
rc=$?
check "--max-line-bytes 1M on a 64 MB line: exit 1 ($rc)" [ $rc -eq 1 ]
check "--max-line-bytes 1M on a 64 MB line: exit 1: message" has err "line 1)"
if [ $vg = yes ] || [ $asan = yes ] || [ -z "$gtime" ]; then
    skipped "--max-line-bytes 1M on a 64 MB line: peak RSS (of ASan or memcheck, or no GNU time)"
else
    rss=$(tail -n 1 rss)
    check "--max-line-bytes 1M on a 64 MB line: peak RSS $rss KB < 40000 KB" [ "$rss" -lt 40000 ]
fi
rm -f long.txt

# --- whole files copied by the kernel ---------------------------------------------
# `stdin | stdout` (and file sinks, files()) pass a regular file through by
# sendfile(2): the same bytes, a newline added at the end, the lines counted
# for messages, a stop between two lines, limits kept.
for how in run bin; do
    cat=$(prog cat $how)
    T $cat <l100.txt
    check "$how: kernel copy: the same bytes" cmp -s out l100.txt
    head -c 300000 l100.txt >nonl.txt
    printf 'last line without a newline' >>nonl.txt
    T $cat <nonl.txt
    check "$how: kernel copy: a newline added at the end ($rc)" [ $rc -eq 0 ]
    check "$how: kernel copy: a newline added at the end: output" [ "$(cat out)" = "$(cat nonl.txt)" ]
    check "$how: kernel copy: output ends in a newline" [ "$(tail -c 1 out | od -An -c | tr -d ' ')" = '\n' ]
    { dd bs=1000 count=1 of=/dev/null 2>/dev/null; timeout $((20 * SLOW)) $cat >"$s/out" 2>"$s/err"; } <l100.txt
    tail -c +1001 l100.txt >want
    check "$how: kernel copy: stdin read from its offset on" cmp -s out want
    cp nonl.txt c1.txt && cp l100.txt c2.txt && printf 'x\ny' >c3.txt
    T $(prog cats $how)
    { cat nonl.txt; echo; cat l100.txt; printf 'x\ny\n'; } >want
    check "$how: kernel copy: files() one after another" cmp -s out want
    # a stop while the next file (a FIFO without a writer) opens names that
    # file, the one it waits for (as an error opening it does); the file copied
    # before is whole in the output
    mkdir -p gfifo && cp l100.txt gfifo/c1.txt && rm -f gfifo/c2.txt && mkfifo gfifo/c2.txt
    T $(prog cats $how) --pat 'gfifo/c?.txt' --timeout $((SLOW))s
    check "$how: kernel copy: --timeout opening the next file: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: kernel copy: --timeout opening the next file: the line before" has err "timed out after $((SLOW))s (input gfifo/c2.txt)"
    check "$how: kernel copy: --timeout opening the next file: the file before whole" cmp -s out gfifo/c1.txt
    rm -f catf.out
    T $(prog catf $how) <l100.txt
    check "$how: kernel copy: to a file sink" cmp -s catf.out l100.txt
    T $(prog cata $how) <l100.txt # sendfile refuses O_APPEND: lines are read and written
    { cat l100.txt l100.txt; } >want
    check "$how: kernel copy: to an append sink" cmp -s catf.out want
    # a line longer than --max-line-bytes is still found
    { head -n 5000 l100.txt; awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%099d", i; print "" }'; cat l100.txt; } >long.txt
    T $cat --max-line-bytes 200K <long.txt
    check "$how: kernel copy: --max-line-bytes: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: kernel copy: --max-line-bytes: message" grep -q "line longer than --max-line-bytes=204800: .*(input stdin, line 5001)" err
    # the output grows past a size limit (ulimit -f): the error names a line
    # after the bytes the kernel copied, all of which are out
    (ulimit -f 2000; exec timeout $((20 * SLOW)) $DFLX $cat <l100.txt >out 2>err)
    rc=$?
    n=$(sed -n 's/.*File too large (input stdin, line \([0-9]*\))$/\1/p' err)
    size=$(wc -c <out)
    check "$how: kernel copy: past ulimit -f: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: kernel copy: past ulimit -f: the line after what is out ($n, $size bytes out)" [ "${n:-0}" -gt $((size / 100)) -a "${n:-0}" -le 20000 ]
    head -c "$size" l100.txt >want
    check "$how: kernel copy: past ulimit -f: what is out is the input's start" cmp -s out want
    # --timeout while the copy waits for a slow reader: the run stops after a
    # whole line, and names it (the reader starts 2 s after the timeout, within
    # the 5 s after which a stage that does not stop is ended)
    { timeout $((20 * SLOW)) $cat --timeout $((SLOW))s <l100.txt 2>"$s/err"; echo $? >"$s/rc"; } | { sleep $((SLOW + 2)); cat >"$s/out"; }
    n=$(sed -n 's/.*timed out after [0-9]*s (input stdin, line \([0-9]*\))$/\1/p' err)
    check "$how: kernel copy: --timeout: exit 1 ($(cat rc))" [ "$(cat rc)" = 1 ]
    check "$how: kernel copy: --timeout: the message names line $n, of $(wc -l <out) lines out" [ "${n:-0}" -gt 0 -a "${n:-0}" = "$(wc -l <out)" ]
    head -n "${n:-0}" l100.txt >want
    check "$how: kernel copy: --timeout: whole lines out" cmp -s out want
done

# --- --max-input-bytes ----------------------------------------------------------
for how in run bin; do
    up=$(prog up $how)
    T $up --max-input-bytes 1000 <seq.txt # lines 1-9: 18 bytes, 10-99: 270, 100-277: 712 → 1000
    check "$how: --max-input-bytes: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$how: --max-input-bytes: names the input and line" \
        has err "runtime error in stage stdin: input exceeds --max-input-bytes=1000 (input stdin, line 278)"
    check "$how: --max-input-bytes: the lines within it are out" [ "$(cat out)" = "$(seq 1 277)" ]
done
T $PIPEC run up.pipe --max-input-bytes 6 <in.txt
check "--max-input-bytes of exactly the input: exit 0 ($rc)" [ $rc -eq 0 ]
T $PIPEC run two.pipe --max-input-bytes 10
check "--max-input-bytes counts every source: exit 1 ($rc)" [ $rc -eq 1 ]
check "--max-input-bytes counts every source: exit 1: message" has err "exceeds --max-input-bytes=10"
T $PIPEC run up.pipe --max-input-bytes 1Q <in.txt
check "--max-input-bytes 1Q: usage error ($rc)" [ $rc -eq 2 ]

# --- --mem-limit on maps and sets -----------------------------------------------
T $PIPEC run count.pipe --mem-limit 4M <keys.txt
check "count past --mem-limit: exit 1 ($rc)" [ $rc -eq 1 ]
check "count past --mem-limit: names the stage" has err "count.pipe:1:25: runtime error in stage count: its maps and sets need more than --mem-limit=4194304 bytes (input stdin, line "
T $PIPEC run distinct.pipe --mem-limit=4M <keys.txt
check "distinct past --mem-limit: exit 1 ($rc)" [ $rc -eq 1 ]
check "distinct past --mem-limit: exit 1: message" has err "runtime error in stage distinct: its maps and sets"
T $PIPEC run state.pipe --mem-limit 4M <keys.txt
check "a proc's nested sets past --mem-limit: exit 1 ($rc)" [ $rc -eq 1 ]
check "a proc's nested sets past --mem-limit: exit 1: message" has err "runtime error in stage by_prefix: its maps and sets"
PIPE_MEM_LIMIT=4M
export PIPE_MEM_LIMIT
T $PIPEC run count.pipe <keys.txt
unset PIPE_MEM_LIMIT
check "PIPE_MEM_LIMIT caps maps too ($rc)" [ $rc -eq 1 ]
check "PIPE_MEM_LIMIT caps maps too: message" has err "--mem-limit=4194304"
T $PIPEC run count.pipe <keys.txt
check "count without --mem-limit: no cap ($rc)" [ $rc -eq 0 ]
check "count without --mem-limit: no cap: output" [ "$(cat out)" = 400000 ]
T $PIPEC run count.pipe --mem-limit 64M <keys.txt
check "count within --mem-limit ($rc)" [ $rc -eq 0 ]
check "count within --mem-limit: output" [ "$(cat out)" = 400000 ]
# stages whose memory grows with a parameter or the items: tail's ring and
# top's heap with their items, a proc's lists (in its state, reset by an
# assignment, in a map's values); each fits 64M, not 4M
cat >tailmem.pipe <<'EOF'
pipeline main { stdin | tail(100000000) | count_items | stdout }
EOF
cat >topmem.pipe <<'EOF'
pipeline main { stdin | top(100000000, by: s => len(s)) | count_items | stdout }
EOF
cat >listmem.pipe <<'EOF'
proc keep: str -> int {
    state xs: [str]
    on line { add(xs, line) }
    on end { emit len(xs) }
}
pipeline main { stdin | keep | stdout }
EOF
cat >listset.pipe <<'EOF'
proc keep: str -> int {
    state xs: [str]
    on line {
        if line == "key5" { xs = [] }
        add(xs, line)
    }
    on end { emit len(xs) }
}
pipeline main { stdin | keep | stdout }
EOF
cat >listmap.pipe <<'EOF'
proc by_prefix: str -> int {
    state m: {str: [str]}
    on line { add(m[substr(line, 0, 4)], line) }
    on end { emit len(m) }
}
pipeline main { stdin | by_prefix | stdout }
EOF
for p in tail:tailmem:400000 top:topmem:400000 keep:listmem:400000 keep:listset:399995 by_prefix:listmap:10; do
    stage=${p%%:*} rest=${p#*:}
    script=${rest%%:*} want=${rest#*:}
    what="the items it keeps"
    case $script in list*) what="its lists" ;; esac
    T $PIPEC run $script.pipe --mem-limit 4M <keys.txt
    check "$script past --mem-limit: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$script past --mem-limit: names the stage" has err "runtime error in stage $stage: $what need more than --mem-limit=4194304 bytes (input stdin, line "
    T $PIPEC run $script.pipe --mem-limit 64M <keys.txt
    check "$script within --mem-limit ($rc)" [ $rc -eq 0 -a "$(cat out)" = $want ]
done
T $PIPEC run sort.pipe --mem-limit 1M <keys.txt
check "sort past --mem-limit spills, not fails ($rc)" [ $rc -eq 0 ]
sort keys.txt >sorted.txt
check "sort past --mem-limit spills, not fails ($rc): sorted" cmp -s sorted.txt out

# --- memory exhausted (ulimit -v) -----------------------------------------------
# (under memcheck the limit would bound memcheck's own address space: only the
# binary, which runs without it, is checked)
if [ $asan = no ]; then
    awk 'BEGIN { for (i = 0; i < 3000000; i++) printf "k%d\n", i }' >many.txt
    for how in run bin; do
        if [ $how = run ] && [ $vg = yes ]; then
            skipped "run: count out of memory under ulimit -v (memcheck's address space)"
            continue
        fi
        count=$(prog count $how)
        # the JIT (pipec run) needs more address space to start than a binary
        if [ $how = run ]; then lim=250000; else lim=80000; fi
        (ulimit -v $lim && exec timeout 30 $count <many.txt >"$s/out" 2>"$s/err")
        rc=$?
        check "$how: count out of memory (ulimit -v $lim): exit 1 ($rc)" [ $rc -eq 1 ]
        check "$how: count out of memory: names the stage" has err "runtime error in stage count: out of memory (allocating "
        check "$how: count out of memory: no crash report" sh -c "! grep -qiE 'segmentation|abort|sanitizer|core' '$s/err'"
    done
    # a fan-out to file() beside a tail that runs out: every line that reached
    # the file before the failing one (the message names it) is written, and
    # the trace has the error record; a sort that runs out names itself
    for how in run bin; do
        if [ $how = run ] && [ $vg = yes ]; then
            skipped "run: tail out of memory under ulimit -v (memcheck's address space)"
            continue
        fi
        if [ $how = run ]; then lim=150000; else lim=80000; fi
        rm -f fan.out tr.json
        (ulimit -v $lim && exec timeout 30 $(prog fantail $how) --trace tr.json <many.txt >"$s/out" 2>"$s/err")
        rc=$?
        n=$(sed -n 's/.*in stage tail: out of memory (allocating [0-9]* bytes) (input stdin, line \([0-9]*\))$/\1/p' err)
        check "$how: tail out of memory (ulimit -v $lim): exit 1 ($rc)" [ $rc -eq 1 ]
        check "$how: tail out of memory: the message names the stage and line ($n)" [ "${n:-0}" -gt 0 ]
        head -n "${n:-0}" many.txt >want
        check "$how: tail out of memory: the file sink holds lines 1-$n" cmp -s fan.out want
        check "$how: tail out of memory: the trace's error record" \
            grep -q '"event":"error",.*"stage":"tail",.*"line":'"${n:-0}"',"message":"out of memory (allocating' tr.json
        check "$how: tail out of memory: the trace's end record" grep -q '"event":"end",.*"outcome":"error"' tr.json
        (ulimit -v $lim && exec timeout 30 $(prog sort $how) <many.txt >"$s/out" 2>"$s/err")
        rc=$?
        check "$how: sort out of memory: exit 1 ($rc)" [ $rc -eq 1 ]
        check "$how: sort out of memory: names the stage" has err "sort.pipe:1:25: runtime error in stage sort: out of memory (allocating "
    done
    if [ $vg = yes ]; then
        skipped "distinct out of memory under ulimit -v (memcheck's address space)"
    else
        (ulimit -v 250000 && exec timeout 30 "$PIPEC" run distinct.pipe <many.txt >"$s/out" 2>"$s/err")
        rc=$?
        check "distinct out of memory: exit 1 ($rc)" [ $rc -eq 1 ]
        check "distinct out of memory: exit 1: message" has err "in stage distinct: out of memory"
    fi
    rm -f many.txt
else
    skipped "ulimit -v (ASan reserves its shadow memory up front)"
fi

# --- a pathological regex -------------------------------------------------------
{
    echo "aaab"
    awk 'BEGIN { s = ""; for (i = 0; i < 30000; i++) s = s "a"; print s "b" }'
} >patho.txt
for p in re re_replace re_lambda; do
    t0=$(ms)
    T $PIPEC run $p.pipe <patho.txt
    t1=$(ms)
    check "$p: catastrophic backtracking: exit 1 ($rc)" [ $rc -eq 1 ]
    check "$p: reported as a limit, naming the input line" has err "the regular expression gave up on this line"
    check "$p: ... line 2" has err "(input stdin, line 2)"
    check "$p: bounded ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt $(in_time 5000) ]
done
# a literal pattern in a function, compiled with the DAG: the error names the
# stage, the pattern and the line as a regex stage does
T $PIPEC run re_fn.pipe <patho.txt
check "matches() of a literal: exit 1 ($rc)" [ $rc -eq 1 ]
check "matches() of a literal: stage, pattern, line" has err 're_fn.pipe:2:13: runtime error in stage filter: the regular expression gave up on this line (match limit exceeded): "^(a*)*$" (input stdin, line 2)'
T $PIPEC run re_fn_replace.pipe <patho.txt
check "replace() of a literal: exit 1 ($rc)" [ $rc -eq 1 ]
check "replace() of a literal: stage, pattern, line" has err 're_fn_replace.pipe:2:13: runtime error in stage map: the regular expression gave up on this line (match limit exceeded): "(a|aa)+$" (input stdin, line 2)'
check "replace() of a literal: the line before is out" [ "$(cat out)" = "aaab" ]
T $PIPEC run re.pipe <patho.txt
check "grep: the stage and its position" has err "re.pipe:2:13: runtime error in stage grep:"
check "grep: what matched before is out" [ "$(cat out)" = "" ]
T $PIPEC run re.pipe --re 'a+b$' <patho.txt
check "a sane regex on the same lines: exit 0 ($rc)" [ $rc -eq 0 ]
check "a sane regex on the same lines: exit 0: output" [ "$(wc -l <out)" -eq 2 ]

# --- parameters are checked before any input is read ------------------------------
for how in run bin; do
    up=$(prog up $how)
    { timeout $((20 * SLOW)) $up --n abc 2>"$s/err"; echo $? >"$s/rc"; cat >"$s/out"; } <in.txt
    check "$how: --n abc: usage error ($(cat rc))" [ "$(cat rc)" = 2 ]
    check "$how: --n abc: usage error: message" has err "bad value for '--n' (expected int): 'abc'"
    check "$how: --n abc: stdin (a file) was not read" [ "$(cat out)" = "$(cat in.txt)" ]
    { printf 'p\nq\n'; sleep 1; } | { timeout $((20 * SLOW)) $up --n abc 2>"$s/err"; echo $? >"$s/rc"; cat >"$s/out"; }
    check "$how: --n abc: stdin (a pipe) was not read" [ "$(cat rc)" = 2 ]
    check "$how: --n abc: stdin (a pipe) was not read: output" [ "$(cat out)" = "p
q" ]
    fsrc=$(prog fsrc $how)
    rm -f fifo
    mkfifo fifo
    t0=$(ms)
    T 5 $fsrc --path fifo --n abc # opening the FIFO would block
    t1=$(ms)
    check "$how: --n abc with a FIFO input: exit 2 at once ($rc, $((t1 - t0)) ms)" [ $rc -eq 2 ]
    T 5 $fsrc --path fifo --timeout 5q
    check "$how: a bad --timeout with a FIFO input: exit 2 at once ($rc)" [ $rc -eq 2 ]
done

echo "faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
