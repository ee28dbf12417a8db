#!/bin/sh
# exec(cmd) (docs/pipe.md, "exec: external programs"): restarts after a death
# with the items in flight sent again (output complete and in order) and
# named on stderr; retries exhausted; an error policy on exec; a program
# that reads ahead dying with many items in flight (they run alone until
# the bad one: nothing else lost, nothing twice); a program killed by a
# signal; the back-off; a failing exit at the end (also when pipec starts
# with SIGCHLD ignored); a line longer than --max-line-bytes (the program is
# ended, a death); a reader that closes early and SIGTERM leave no program
# behind; a missing command.  Runs
# with `pipec run`, the retries also as a `pipec build` binary.  Every case
# runs under `timeout`: nothing hangs.  PIPEC names the compiler.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
s=$scratch

# has FILE TEXT: FILE holds TEXT (fixed string)
has() { grep -qF -e "$2" "$1"; }
not() { ! "$@"; }
# T CMD...: runs CMD with stdout in $s/out, stderr in $s/err, killed after
# 30 s; its exit code in $rc
T() {
    timeout -k 2 30 "$@" >"$s/out" 2>"$s/err"
    rc=$?
}
show() { sed 's/^/    /' "$s/err" | head -n 5; }
# no_program TOKEN: no process runs whose command line holds TOKEN (after up
# to 2 s for it to be reaped)
no_program() {
    n=0
    while pgrep -f "$1" >/dev/null 2>&1; do
        [ $n -ge 20 ] && return 1
        sleep 0.1
        n=$((n + 1))
    done
    return 0
}

# poison.sh: echoes its lines; on the line "poison" it exits with status 3,
# the first $K times (counted in the file $CNT) — or kills itself with
# SIGKILL when $HOW is kill
cat >"$s/poison.sh" <<'EOF'
while IFS= read -r line; do
    if [ "$line" = poison ]; then
        n=$(cat "$CNT" 2>/dev/null || echo 0)
        if [ "$n" -lt "$K" ]; then
            echo $((n + 1)) >"$CNT"
            [ "$HOW" = kill ] && kill -9 $$
            exit 3
        fi
    fi
    printf '%s\n' "$line"
done
EOF
cat >"$s/retry.pipe" <<'EOF'
pipeline main(cmd: str, retries: int = 0, backoff: int = 10) {
    stdin | exec(cmd, retries: retries, backoff_ms: backoff) | stdout
}
EOF
cat >"$s/skip.pipe" <<'EOF'
pipeline main(cmd: str) {
    stdin | exec(cmd) on error failed | stdout
    failed | format("failed {0}: {1}") | file("failed.txt")
}
EOF
(seq 1 5; echo poison; seq 7 10) >"$s/in"
(seq 1 10000; echo poison; seq 10002 20000) >"$s/big"
grep -v poison "$s/big" >"$s/big_clean"
poison="sh $s/poison.sh"
export CNT="$s/cnt" K HOW

# --- retries: the program dies twice on "poison"; with 3 restarts the
# output is complete and in order, stderr names the item and the restarts
K=2 HOW=exit
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" --retries 3 <"$s/in"
check "retries: exit 0" [ "$rc" = 0 ]
check "retries: output complete and in order" cmp -s "$s/out" "$s/in"
check "retries: first restart named" has "$s/err" \
    'retry.pipe:2:13: warning in stage exec: program "sh '
check "retries: how it died and the item in flight" has "$s/err" \
    'exited with status 3; 1 item in flight (input stdin, line 6): "poison"; restarting (1 of 3) in 10 ms'
check "retries: the back-off doubles" has "$s/err" 'restarting (2 of 3) in 20 ms'
check "retries: two restarts" [ "$(grep -c warning "$s/err")" = 2 ]
check "retries: no error" not has "$s/err" "runtime error"
[ "$rc" = 0 ] || show

# the same across a pipe buffer: the death comes mid-run (item 50001 of 100000)
K=2
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" --retries 2 <"$s/big"
check "retries mid-run: exit 0" [ "$rc" = 0 ]
check "retries mid-run: output complete and in order" cmp -s "$s/out" "$s/big"
check "retries mid-run: the item named" has "$s/err" '1 item in flight (input stdin, line 10001): "poison"'

# and as a built binary
if "$PIPEC" build "$s/retry.pipe" -o "$s/retry_bin" 2>"$s/err"; then
    rm -f "$CNT"
    T "$s/retry_bin" --cmd "$poison" --retries 2 <"$s/in"
    check "retries (binary): output complete" cmp -s "$s/out" "$s/in"
    check "retries (binary): restarts named" has "$s/err" 'restarting (2 of 2) in 20 ms'
else
    check "pipec build retry.pipe" false
    show
fi

# --- retries exhausted: exit 1, the message names the items in flight
K=5
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" --retries 1 <"$s/in"
check "exhausted: exit 1" [ "$rc" = 1 ]
check "exhausted: what was answered is written" cmp -s "$s/out" - <<EOF
1
2
3
4
5
EOF
check "exhausted: the error names the program, the restarts and the item" has "$s/err" \
    'retry.pipe:2:13: runtime error in stage exec: program "sh '
check "exhausted: ... and the restarts and the item in flight" has "$s/err" \
    'exited with status 3 (gave up after 1 restart); 1 item in flight (input stdin, line 6): "poison"'
[ "$rc" = 1 ] || show
# several items in flight: the range and the first
cat >"$s/many.pipe" <<'EOF'
pipeline main { stdin | exec("read a; read b; read c; exit 5") | stdout }
EOF
T "$PIPEC" run "$s/many.pipe" <"$s/in"
check "in flight: a range of lines and the first" has "$s/err" \
    'exited with status 5; 3 items in flight (input stdin, lines 1-3), the first: "1"'

# --- on error NAME: the item in flight fails (routed, counted), a new
# program takes the rest
K=1
rm -f "$CNT"
cd "$s"
T "$PIPEC" run skip.pipe --cmd "$poison" --stats=json <"$s/big"
cd "$top"
check "on error: exit 0" [ "$rc" = 0 ]
check "on error: every other item goes through" cmp -s "$s/out" "$s/big_clean"
check "on error: the failed item is routed with its message" has "$s/failed.txt" \
    'failed poison: '
check "on error: one dead letter" [ "$(wc -l <"$s/failed.txt")" = 1 ]
check "on error: counted in --stats" grep -q '"name": "exec".*"errors": 1,' "$s/err"
cat >"$s/skip2.pipe" <<'EOF'
pipeline main(cmd: str) { stdin | exec(cmd) on error skip | stdout }
EOF
rm -f "$CNT"
T "$PIPEC" run "$s/skip2.pipe" --cmd "$poison" <"$s/in"
check "on error skip: exit 0" [ "$rc" = 0 ]
check "on error skip: the item skipped" [ "$(tr '\n' ' ' <"$s/out")" = "1 2 3 4 5 7 8 9 10 " ]

# --- a program that reads ahead (awk reads its input in blocks) dies with
# many items in flight: under an error policy, or with retries, they run
# alone, one program each, until the one that kills it; the others go
# through, in order, and a new program takes the rest
cat >"$s/ahead.awk" <<'EOF2'
$0 == "poison" { exit 3 }
{ print }
EOF2
ahead="awk -f $s/ahead.awk"
# poisoned N...: $s/pin holds the lines 1 to 10000, those numbered N...
# replaced by "poison"; $s/pgood the others
poisoned() {
    seq 1 10000 | awk -v bad=" $* " 'index(bad, " " NR " ") { print "poison"; next } { print }' >"$s/pin"
    grep -v poison "$s/pin" >"$s/pgood"
}
poisoned 5001
T "$PIPEC" run "$s/skip2.pipe" --cmd "$ahead" <"$s/pin"
check "read ahead, on error skip: exit 0 ($rc)" [ "$rc" = 0 ]
check "read ahead, on error skip: the 9999 good items, in order ($(wc -l <"$s/out"))" cmp -s "$s/out" "$s/pgood"
check "read ahead, on error skip: the death named" has "$s/err" \
    'items in flight (input stdin, lines 5001-'
check "read ahead, on error skip: ... and run alone" has "$s/err" \
    ', the first: "poison"; running them alone, one at a time'
cd "$s"
rm -f failed.txt
T "$PIPEC" run skip.pipe --cmd "$ahead" --stats=json <"$s/pin"
cd "$top"
check "read ahead, on error NAME: exit 0 ($rc)" [ "$rc" = 0 ]
check "read ahead, on error NAME: the 9999 good items, in order" cmp -s "$s/out" "$s/pgood"
check "read ahead, on error NAME: one dead letter, the poison run alone" [ "$(cat "$s/failed.txt")" = \
    "failed poison: skip.pipe:2:13: runtime error in stage exec: program \"awk -f $s/ahead.awk\" exited with status 3; 1 item in flight, run alone (input stdin, line 5001): \"poison\" (at end of input)" ]
check "read ahead, on error NAME: one error in --stats" grep -q '"name": "exec".*"errors": 1,' "$s/err"
# two poisons in the same block, one far after; the first item, the last
poisoned 3001 3003 8000
cd "$s"
rm -f failed.txt
T "$PIPEC" run skip.pipe --cmd "$ahead" <"$s/pin"
cd "$top"
check "three poisons: the 9997 good items, in order" cmp -s "$s/out" "$s/pgood"
check "three poisons: three dead letters" [ "$(grep -c '^failed poison: .*run alone (input stdin, line [0-9]*)' "$s/failed.txt")" = 3 ]
check "three poisons: their lines" [ "$(grep -o 'line [0-9]*' "$s/failed.txt" | tr '\n' ' ')" = "line 3001 line 3003 line 8000 " ]
for at in 1 10000; do
    poisoned $at
    T "$PIPEC" run "$s/skip2.pipe" --cmd "$ahead" <"$s/pin"
    check "poison at line $at: exit 0 ($rc)" [ "$rc" = 0 ]
    check "poison at line $at: the 9999 good items, in order" cmp -s "$s/out" "$s/pgood"
done

# a program that holds 200 lines before it prints them: the items held when
# it dies run alone up to the poison, each answered once
cat >"$s/batch.awk" <<'EOF2'
$0 == "poison" { bad = 1; exit 3 }
{ a[++n] = $0 }
n == 200 { for (i = 1; i <= n; i++) print a[i]; n = 0 }
END { if (!bad) for (i = 1; i <= n; i++) print a[i] }
EOF2
(seq 1 549; echo poison; seq 551 1000) >"$s/bin"
grep -v poison "$s/bin" >"$s/bgood"
T "$PIPEC" run "$s/skip2.pipe" --cmd "awk -f $s/batch.awk" <"$s/bin"
check "holds lines, on error skip: exit 0 ($rc)" [ "$rc" = 0 ]
check "holds lines, on error skip: the 999 good items, in order, once" cmp -s "$s/out" "$s/bgood"

# retries: the items run alone get them; without a policy the poison is a
# runtime error naming it, and the good items before it are out
poisoned 5001
T "$PIPEC" run "$s/retry.pipe" --cmd "$ahead" --retries 1 --backoff 1 <"$s/pin"
check "read ahead, retries: exit 1 ($rc)" [ "$rc" = 1 ]
check "read ahead, retries: the items before it are out" cmp -s "$s/out" - <<EOF2
$(seq 1 5000)
EOF2
check "read ahead, retries: the poison run alone, restarted" has "$s/err" \
    '1 item in flight, run alone (input stdin, line 5001): "poison"; restarting (1 of 1) in 1 ms'
check "read ahead, retries: then the error names it" has "$s/err" \
    'runtime error in stage exec: program "awk -f '"$s"'/ahead.awk" exited with status 3 (gave up after 1 restart); 1 item in flight, run alone (input stdin, line 5001): "poison"'
# no policy, no retries: the death is the error, as before, and nothing
# answered before it is lost
T "$PIPEC" run "$s/retry.pipe" --cmd "$ahead" <"$s/pin"
check "read ahead, no policy: exit 1 ($rc)" [ "$rc" = 1 ]
check "read ahead, no policy: the items before it are out" cmp -s "$s/out" - <<EOF2
$(seq 1 5000)
EOF2
check "read ahead, no policy: the error names it first" grep -q \
    'runtime error in stage exec: program .* exited with status 3; [0-9]* items in flight (input stdin, lines 5001-[0-9]*), the first: "poison"' "$s/err"
check "read ahead, no policy: no restart" not has "$s/err" warning

# what an item run alone prints is held back until its program exits 0: a
# try that printed a line and died leaves nothing behind (flaky.awk dies on
# "flaky" the first time, prints "partial" and dies the second, answers the
# third; it counts in $FCNT)
cat >"$s/flaky.awk" <<'EOF2'
$0 == "flaky" {
    n = 0
    getline n <ENVIRON["FCNT"]
    close(ENVIRON["FCNT"])
    print n + 1 >ENVIRON["FCNT"]
    close(ENVIRON["FCNT"])
    if (n == 0) exit 4
    if (n == 1) { print "partial"; exit 4 }
}
{ print }
EOF2
(seq 1 49; echo flaky; seq 51 100) >"$s/fin"
rm -f "$s/fcnt"
FCNT="$s/fcnt" T "$PIPEC" run "$s/retry.pipe" --cmd "awk -f $s/flaky.awk" --retries 1 --backoff 1 <"$s/fin"
check "held back: exit 0 ($rc)" [ "$rc" = 0 ]
check "held back: every item once, in order, nothing of the failed try" cmp -s "$s/out" "$s/fin"

# a program that always dies: bounded work (a program per item at most, and
# one alone per restart), every item fails under a policy, and without one
# the first item run alone is the error
cat >"$s/die.pipe" <<'EOF2'
pipeline main(cmd: str, retries: int = 0) {
    stdin | exec(cmd, retries: retries, backoff_ms: 1) on error skip | stdout
}
EOF2
seq 1 20 >"$s/twenty"
die="echo >>$s/starts; awk '{ exit 3 }'"
rm -f "$s/starts"
T "$PIPEC" run "$s/die.pipe" --cmd "$die" --stats=json <"$s/twenty"
check "always dies, on error skip: exit 0 ($rc)" [ "$rc" = 0 ]
check "always dies, on error skip: nothing out" [ ! -s "$s/out" ]
check "always dies, on error skip: 20 errors" grep -q '"name": "exec".*"errors": 20,' "$s/err"
check "always dies, on error skip: at most 2 programs an item ($(wc -l <"$s/starts"))" [ "$(wc -l <"$s/starts")" -le 40 ]
rm -f "$s/starts"
T "$PIPEC" run "$s/retry.pipe" --cmd "$die" --retries 2 --backoff 1 <"$s/twenty"
check "always dies, retries: exit 1 ($rc)" [ "$rc" = 1 ]
check "always dies, retries: 1 program, then 3 for the first item alone ($(wc -l <"$s/starts"))" [ "$(wc -l <"$s/starts")" = 4 ]
check "always dies, retries: the error names the first item" has "$s/err" \
    'exited with status 3 (gave up after 2 restarts); 1 item in flight, run alone (input stdin, line 1): "1"'

# --- a program killed by a signal: itself (sh execs it), or a command of sh's
K=1 HOW=kill
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "exec $poison" <"$s/in"
check "signal: exit 1" [ "$rc" = 1 ]
check "signal: named" has "$s/err" 'was killed by signal SIGKILL; 1 item in flight (input stdin, line 6): "poison"'
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" <"$s/in"
check "signal of a command of sh: named" has "$s/err" 'exited with status 137 (killed by SIGKILL); 1 item'
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "exec $poison" --retries 1 <"$s/in"
check "signal: restarted" [ "$rc" = 0 ]
check "signal: restarted, output complete" cmp -s "$s/out" "$s/in"
HOW=exit

# --- the back-off waits: 3 restarts from 200 ms are 200 + 400 + 800 ms
K=3
rm -f "$CNT"
t0=$(date +%s%N)
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" --retries 3 --backoff 200 <"$s/in"
ms=$((($(date +%s%N) - t0) / 1000000))
check "back-off: exit 0" [ "$rc" = 0 ]
check "back-off: waited 1.4 s (took $ms ms)" [ "$ms" -ge 1350 ]
check "back-off: doubled" has "$s/err" 'restarting (3 of 3) in 800 ms'

# --- a failing exit at the end of input is an error, also with nothing in flight
cat >"$s/end.pipe" <<'EOF'
pipeline main { stdin | exec("cat; exit 4") | stdout }
EOF
T "$PIPEC" run "$s/end.pipe" <"$s/in"
check "exit at end: exit 1" [ "$rc" = 1 ]
check "exit at end: output kept" cmp -s "$s/out" "$s/in"
check "exit at end: named" has "$s/err" 'end.pipe:1:25: runtime error in stage exec: program "cat; exit 4" exited with status 4; no items in flight (at end of input)'

# started with SIGCHLD ignored (inherited across exec): the status is still seen
T perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' "$PIPEC" run "$s/end.pipe" <"$s/in"
check "SIGCHLD ignored by the parent: exit 1 ($rc)" [ "$rc" = 1 ]
check "SIGCHLD ignored by the parent: status named" has "$s/err" 'exited with status 4; no items in flight (at end of input)'

cat >"$s/end2.pipe" <<'EOF'
pipeline main { stdin | exec("cat; exit 4", retries: 2, backoff_ms: 1) | stdout }
EOF
T "$PIPEC" run "$s/end2.pipe" <"$s/in"
check "exit at end, retries: exit 1 after them" [ "$rc" = 1 ]
check "exit at end, retries: restarted twice" [ "$(grep -c 'restarting' "$s/err")" = 2 ]

# --- a line of the program longer than --max-line-bytes ends it (memory stays
# within the limit): a death, with retries and error policies as any other
echo a >"$s/one"
T "$PIPEC" run "$s/retry.pipe" --cmd 'echo ok; cat /dev/zero' --max-line-bytes 1M <"$s/one"
check "line too long: exit 1 ($rc)" [ "$rc" = 1 ]
check "line too long: named" has "$s/err" \
    'program "echo ok; cat /dev/zero" printed a line longer than --max-line-bytes=1048576 (pipec ended it); 1 item in flight (input stdin, line 1): "a"'
check "line too long: the lines before are out" [ "$(cat "$s/out")" = ok ]
# (sh exits 0 at once; a child of its, in its group, prints the line later)
T "$PIPEC" run "$s/retry.pipe" --cmd '(sleep 0.2; head -c 60000 /dev/zero) & exit 0' --max-line-bytes 32K <"$s/one"
check "line too long, then exit 0: still an error ($rc)" [ "$rc" = 1 ]
check "line too long, then exit 0: named" has "$s/err" 'printed a line longer than --max-line-bytes=32768'
T "$PIPEC" run "$s/retry.pipe" --cmd 'cat /dev/zero' --retries 1 --backoff 1 --max-line-bytes 64K <"$s/one"
check "line too long, retries: exit 1 ($rc)" [ "$rc" = 1 ]
check "line too long, retries: restarted" has "$s/err" 'printed a line longer than --max-line-bytes=65536 (pipec ended it); 1 item in flight (input stdin, line 1): "a"; restarting (1 of 1)'
check "line too long, retries: gave up" has "$s/err" '(pipec ended it) (gave up after 1 restart)'
cd "$s"
rm -f failed.txt
printf 'x\nlong\ny\n' >"$s/long_in"
# (a whole line of 40000 bytes in one write, so that it is read whole, then
# the program waits: it reads no more)
head -c 40000 /dev/zero | tr '\0' z >"$s/longline"
echo >>"$s/longline"
cat >"$s/longer.sh" <<EOF
while read l; do
    if [ "\$l" = long ]; then dd if="$s/longline" bs=40001 count=1 status=none; sleep 30; fi
    echo "\$l"
done
EOF
T "$PIPEC" run skip.pipe --cmd "sh $s/longer.sh" --max-line-bytes 32K <"$s/long_in"
cd "$top"
check "line too long, on error: exit 0 ($rc)" [ "$rc" = 0 ]
check "line too long, on error: the other items go through" [ "$(cat "$s/out" | tr '\n' ' ')" = "x y " ]
check "line too long, on error: the item is routed" has "$s/failed.txt" 'failed long: '

# --- --trace: a restart record
K=1
rm -f "$CNT"
T "$PIPEC" run "$s/retry.pipe" --cmd "$poison" --retries 1 --trace "$s/trace" <"$s/in"
check "trace: a restart record" grep -q '^{"event":"restart",.*"stage":"exec".*"attempt":1,"delay_ms":10,"message":"program .*1 item in flight (input stdin, line 6): \\"poison\\"; restarting (1 of 1) in 10 ms"' "$s/trace"
poisoned 5001
T "$PIPEC" run "$s/skip2.pipe" --cmd "$ahead" --trace "$s/trace" <"$s/pin"
check "trace: the items in flight run alone, a restart record with attempt 0" grep -q \
    '^{"event":"restart",.*"stage":"exec".*"attempt":0,"delay_ms":0,"message":"program .* items in flight (input stdin, lines 5001-[0-9]*), the first: \\"poison\\"; running them alone, one at a time"' "$s/trace"

# --- a program that stops reading with status 0 ends the stage, as head does
cat >"$s/head.pipe" <<'EOF'
pipeline main { stdin | exec("head -n 2") | stdout }
EOF
T sh -c "seq 1 1000000 | '$PIPEC' run '$s/head.pipe'"
check "program ends early with 0: exit 0" [ "$rc" = 0 ]
check "program ends early with 0: its output" [ "$(tr '\n' ' ' <"$s/out")" = "1 2 " ]

# --- a reader that closes early: exit 0, quietly, no program left
tok="exec_head_$$"
cat >"$s/cat.pipe" <<EOF
pipeline main { stdin | exec("cat; : $tok") | stdout }
EOF
timeout -k 2 30 sh -c "yes | '$PIPEC' run '$s/cat.pipe' 2>'$s/err'; echo \$? >'$s/rc'" | head -n 1 >"$s/out"
check "| head -1: exit 0" [ "$(cat "$s/rc")" = 0 ]
check "| head -1: quiet" [ ! -s "$s/err" ]
check "| head -1: one line" [ "$(cat "$s/out")" = y ]
check "| head -1: no program left" no_program "$tok"

# --- SIGTERM mid-run: exit 143, no program left
tok="exec_term_$$"
cat >"$s/term.pipe" <<EOF
pipeline main { stdin | exec("cat; : $tok") | stdout }
EOF
if env --default-signal=INT,TERM true 2>/dev/null; then DFL="env --default-signal=INT,TERM"; else DFL=""; fi
rm -f "$s/fifo"
mkfifo "$s/fifo"
$DFL "$PIPEC" run "$s/term.pipe" <"$s/fifo" >"$s/out" 2>"$s/err" &
pid=$!
exec 3>"$s/fifo"
n=0
while ! pgrep -f "$tok" >/dev/null 2>&1 && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
check "SIGTERM: the program ran" pgrep -f "$tok" >/dev/null
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM: exit 143" [ "$rc" = 143 ]
check "SIGTERM: no program left" no_program "$tok"
exec 3>&-

# a program that ignores SIGTERM is killed after a short wait
tok="exec_hard_$$"
cat >"$s/hard.pipe" <<EOF
pipeline main { stdin | exec("trap '' TERM; cat; : $tok") | stdout }
EOF
$DFL "$PIPEC" run "$s/hard.pipe" <"$s/fifo" >"$s/out" 2>"$s/err" &
pid=$!
exec 3>"$s/fifo"
n=0
while ! pgrep -f "$tok" >/dev/null 2>&1 && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM, program ignoring it: exit 143" [ $? = 143 ]
check "SIGTERM, program ignoring it: none left" no_program "$tok"
exec 3>&-

# --- after a runtime error of another stage the program is ended too
tok="exec_err_$$"
cat >"$s/err.pipe" <<EOF
pipeline main { stdin | exec("cat; sleep 30; : $tok") | to_int | stdout }
EOF
T sh -c "printf '1\nx\n' | '$PIPEC' run '$s/err.pipe'"
check "error downstream: exit 1" [ "$rc" = 1 ]
check "error downstream: named" has "$s/err" "runtime error in stage to_int"
check "error downstream: no program left" no_program "$tok"

# --- a missing command: sh says so (127), then pipec, exit 1
cat >"$s/miss.pipe" <<'EOF'
pipeline main { stdin | exec("no-such-prog-xyz") | stdout }
EOF
T "$PIPEC" run "$s/miss.pipe" <"$s/in"
check "missing command: exit 1" [ "$rc" = 1 ]
check "missing command: named" has "$s/err" \
    'runtime error in stage exec: program "no-such-prog-xyz" exited with status 127 (command not found)'

# --- a parameter with a negative value is an error when the stage opens
T "$PIPEC" run "$s/retry.pipe" --cmd cat --retries -1 <"$s/in"
check "negative retries: exit 1" [ "$rc" = 1 ]
check "negative retries: before any output" [ ! -s "$s/out" ]
check "negative retries: named" has "$s/err" 'runtime error in stage exec: retries must not be negative, found -1'
T "$PIPEC" run "$s/retry.pipe" --cmd "" <"$s/in"
check "empty command: exit 1" [ "$rc" = 1 ]
check "empty command: named" has "$s/err" 'runtime error in stage exec: the command is empty'

# --- no descriptor leaks: the program sees only 0, 1 and 2 (and what sh
# opens itself), and pipec closes its ends (restarts included)
cat >"$s/fds.pipe" <<'EOF'
pipeline main { stdin | exec("ls /proc/self/fd | wc -l", retries: 0) | stdout }
EOF
T "$PIPEC" run "$s/fds.pipe" <"$s/in"
want=$(sh -c 'ls /proc/self/fd | wc -l' <"$s/in")
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ]; then
    skipped "descriptors (memcheck's own log descriptor reaches the program)"
else
    check "the program inherits no descriptor of pipec's ($(cat "$s/out"), $want without pipec)" \
        [ "$(cat "$s/out")" = "$want" ]
fi
cat >"$s/leak.pipe" <<'EOF'
pipeline main { stdin | exec("cat") | exec("cat") | stdout }
EOF
"$PIPEC" build "$s/leak.pipe" -o "$s/leak_bin" 2>/dev/null
if command -v valgrind >/dev/null 2>&1 && [ -x "$s/leak_bin" ]; then
    # the descriptors open at exit, against a program without exec
    fds() {
        timeout 60 valgrind --track-fds=yes --log-file="$s/vg" "$@" <"$s/in" >"$s/out" 2>/dev/null
        grep -o 'FILE DESCRIPTORS: [0-9]* open' "$s/vg" | grep -o '[0-9][0-9]*'
    }
    echo 'pipeline main { stdin | stdout }' >"$s/plain.pipe"
    "$PIPEC" build "$s/plain.pipe" -o "$s/plain_bin" 2>/dev/null
    got=$(fds "$s/leak_bin")
    want=$(fds "$s/plain_bin")
    check "no descriptor leaks (valgrind --track-fds: $got open at exit, $want without exec)" \
        [ -n "$got" -a "$got" = "$want" ]
fi

echo "exec: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
