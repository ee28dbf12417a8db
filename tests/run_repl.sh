#!/bin/sh
# Tests of `pipec repl`, both ways it is used.
# 1. Scripted: each tests/repl/NAME.in is piped into `pipec repl` (run from the
#    repository's root, @TMP@ replaced by a scratch folder); stdout and stderr
#    together must equal NAME.out exactly.  NAME.grep, when present, holds
#    grep -E patterns: only the matching lines are compared (for :c's long C).
#    NAME.run, when present, is a command run afterwards (PIPEC and TMP set),
#    whose stdout must equal NAME.run.out: a :save'd file run by `pipec run`.
# 2. Stopping runs, in a script fed through a FIFO: SIGINT stops a run that
#    never returns (tests/repl/spin.pipe) and the session goes on with what
#    was defined before; SIGINT between inputs changes nothing; `:input` of a
#    FIFO nobody writes to is interrupted, `:input /dev/zero` ends in the line
#    limit's runtime error; SIGTERM during a stuck run ends the session (143)
#    and removes its temporary files.
# 3. At a terminal: the story of docs/repl.md in a real pseudo-terminal (tmux):
#    load a sample, build a pipeline step by step, ask for types and the graph,
#    make an error and carry on, :save; `pipec run` of the saved file must print
#    what the REPL showed.  Then Ctrl-C: on a run that never returns, and at
#    the prompt (the line is dropped); the session keeps its definitions.
# PIPEC names the compiler (default bin/pipec).  UPDATE=1 rewrites NAME.out.
# Under memcheck (PIPEC_UNDER_VALGRIND=1) the waits are SLOW (10) times longer.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
TMP=$scratch
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ]; then SLOW=10; else SLOW=1; fi
sock=pipec-test-$$
cleanup() {
    command -v tmux >/dev/null 2>&1 && tmux -L "$sock" kill-server >/dev/null 2>&1
    remove_scratch
}
trap cleanup EXIT
export PIPEC TMP

bad() {
    fail=$((fail + 1))
    echo "FAIL $1: $2"
}

cd "$top" || exit 1

# ------------------------------------------------------------------ scripted
for in in tests/repl/*.in; do
    name=${in%.in}
    case=$(basename "$name")
    sed "s|@TMP@|$TMP|g" "$in" > "$TMP/$case.script"
    HOME=$TMP "$PIPEC" repl < "$TMP/$case.script" > "$TMP/$case.got" 2>&1
    code=$?
    if [ -f "$name.grep" ]; then
        grep -E -f "$name.grep" "$TMP/$case.got" > "$TMP/$case.cmp"
    else
        cp "$TMP/$case.got" "$TMP/$case.cmp"
    fi
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$TMP/$case.cmp" "$name.out"
    fi
    if [ $code -ne 0 ]; then
        bad "$case" "exit code $code, expected 0"
        sed 's/^/    /' "$TMP/$case.got" | tail -5
    elif ! cmp -s "$TMP/$case.cmp" "$name.out"; then
        bad "$case" "output differs (< expected, > got)"
        diff "$name.out" "$TMP/$case.cmp" | head -20
    else
        pass=$((pass + 1))
    fi
    if [ -f "$name.run" ]; then
        sh "$name.run" > "$TMP/$case.run.got" 2>&1
        if ! cmp -s "$TMP/$case.run.got" "$name.run.out"; then
            bad "$case.run" "the saved file's output differs (< expected, > got)"
            diff "$name.run.out" "$TMP/$case.run.got" | head -20
        else
            pass=$((pass + 1))
        fi
    fi
done

# ------------------------------------------------------------------ stopping runs
# waits (up to about 10 s times SLOW) until file $2 holds fixed text $1
wait_text() {
    n=0
    while [ $n -lt $((200 * SLOW)) ]; do
        grep -q -F -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.05
        n=$((n + 1))
    done
    return 1
}
# sh starts a background command with SIGINT ignored (and the REPL keeps to
# that): env gives it its default action back
if ! env --default-signal=INT true 2>/dev/null; then
    skipped "stopping runs: no env --default-signal"
else
    mkfifo "$TMP/script" "$TMP/nowriter"
    mkdir "$TMP/tmpdir"
    out=$TMP/stop.out
    (
        # :input /dev/zero may not take the machine's memory (it did: the
        # whole file was read); ASan and memcheck need more address space
        case $PIPEC in *asan* | */valgrind/*) ;; *) ulimit -v 3000000 ;; esac
        exec env --default-signal=INT TMPDIR="$TMP/tmpdir" "$PIPEC" repl < "$TMP/script" > "$out" 2>&1
    ) &
    repl=$!
    exec 3> "$TMP/script"
    trap '' PIPE # a REPL that ended (it did on SIGINT) fails the test, not the suite
    stop_ok=1
    # expect TEXT WHAT: the REPL's output comes to hold TEXT, else a failure named WHAT
    expect() {
        if [ $stop_ok = 1 ] && ! wait_text "$1" "$out"; then
            stop_ok=0
            bad "stopping runs" "$2: no '$1' in the output"
            sed 's/^/    | /' "$out" | cut -c 1-150 | tail -10
        fi
    }
    # send LINE...: the lines to the REPL.  In a script a flow waits for the
    # next line, which might continue it: a blank line after one runs it.
    send() {
        printf '%s\n' "$@" >&3 2>/dev/null
    }
    send ':load tests/repl/spin.pipe' :lines hello . 'w = stdin | upper' 'stdin | spin' ''
    sleep $SLOW # into the stage
    kill -INT $repl 2>/dev/null
    expect "interrupted" "SIGINT on a stage that never returns"
    kill -INT $repl 2>/dev/null # between inputs: nothing happens
    send w ''
    expect "HELLO" "a binding made before the interrupted run"
    send ":input $TMP/nowriter"
    sleep $SLOW
    kill -INT $repl 2>/dev/null
    send 'w | lower' ''
    expect "hello" ":input of a FIFO with no writer, then SIGINT"
    send ':input /dev/zero' 'stdin | count_items' ''
    expect "(input /dev/zero, line 1)" ":input /dev/zero"
    send 'stdin | spin' ''
    sleep $SLOW
    kill -TERM $repl 2>/dev/null
    n=0
    while kill -0 $repl 2>/dev/null && [ $n -lt $((200 * SLOW)) ]; do
        sleep 0.05
        n=$((n + 1))
    done
    exec 3>&-
    trap - PIPE
    kill -KILL $repl 2>/dev/null
    wait $repl
    code=$?
    # the session's output, but for the zeros in the runtime error of /dev/zero
    sed 's/: "\\x00.*"\.\.\. (input/: ... (input/' "$out" > "$TMP/stop.got"
    cat > "$TMP/stop.want" <<EOF
interrupted: the run did not stop within 2 s and was killed (its unwritten output is lost)
HELLO
interrupted
hello
<repl>:1:1: runtime error in stage file: line longer than --max-line-bytes=1073741824: ... (input /dev/zero, line 1)
1
interrupted: the run did not stop within 2 s and was killed (its unwritten output is lost)
EOF
    if [ $stop_ok = 0 ]; then
        :
    elif [ $code -ne 143 ]; then
        bad "stopping runs" "exit code $code after SIGTERM, expected 143"
    elif [ -n "$(ls "$TMP/tmpdir")" ]; then
        bad "stopping runs" "temporary files left: $(ls "$TMP/tmpdir")"
    elif ! cmp -s "$TMP/stop.got" "$TMP/stop.want"; then
        bad "stopping runs" "output differs (< expected, > got)"
        diff "$TMP/stop.want" "$TMP/stop.got" | cut -c 1-150 | head -20
    else
        pass=$((pass + 1))
    fi
fi

# ------------------------------------------------------------------ at a terminal
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP terminal: tmux not installed"
else
    T="tmux -L $sock"
    win=repl # the tmux session under test
    pane() {
        $T capture-pane -p -t $win -S -500 2>/dev/null
    }
    # waits (up to about 10 s times SLOW) until the pane holds pattern (fixed text) count times
    wait_for() {
        n=0
        while [ $n -lt $((200 * SLOW)) ]; do
            [ "$(pane | grep -c -F -- "$1")" -ge "${2:-1}" ] && return 0
            sleep 0.05
            n=$((n + 1))
        done
        echo "    (waited for '$1' x${2:-1}; the pane:)"
        pane | sed 's/^/    | /' | tail -15
        return 1
    }
    # types text (typeline: and Enter; key: a key such as C-c) unless a step failed
    typeline() {
        [ $term_ok = 0 ] || { $T send-keys -t $win -l -- "$1" && $T send-keys -t $win Enter; }
    }
    key() {
        [ $term_ok = 0 ] || $T send-keys -t $win "$@"
    }
    term_ok=1
    step() {
        if [ $term_ok = 1 ] && ! wait_for "$@"; then
            term_ok=0
            bad terminal "no '$1' on the screen"
        fi
    }
    $T new-session -d -s repl -x 120 -y 40 \
        "cd '$top' && env HOME='$TMP' TERM=xterm '$PIPEC' repl; echo \$? > '$TMP/status'; sleep 60"
    step "pipe>"
    typeline ":input examples/top_words.in"
    step "sample: 5 lines of examples/top_words.in"
    typeline "w = stdin | lower | words"
    step "w : str"
    typeline "w | count |"
    step "  ..."
    typeline "top(3, by: p => p.1)"
    step "pipe>" 4
    typeline ":type"
    step "top(3, by: p => p.1) : (str, int)"
    typeline ":graph"
    step "= w"
    typeline "w | to_int | upper"
    step "error: type mismatch: 'upper' takes str, but 'to_int' at 1:5 produces int"
    typeline "| map(p => p.0 + \" \" + str(p.1))"
    step "pipe>" 8
    typeline ":save $TMP/story.pipe"
    step "saved 0 definitions and the last flow to"
    typeline ":quit"
    n=0
    while [ ! -s "$TMP/status" ] && [ $n -lt 400 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    pane > "$TMP/screen"
    if [ $term_ok = 1 ]; then
        status=$(cat "$TMP/status" 2>/dev/null)
        # what the REPL printed for the last flow: the lines after it, up to the next prompt
        awk '/^pipe> \| map\(p => p\.0/ { on = 1; next } on && /^pipe> / { exit } on' "$TMP/screen" \
            > "$TMP/shown"
        "$PIPEC" run "$TMP/story.pipe" < examples/top_words.in | expand > "$TMP/ran" 2>&1
        if [ "$status" != 0 ]; then
            bad terminal "pipec repl exited with ${status:-(still running)}"
            sed 's/^/    | /' "$TMP/screen" | tail -20
        elif [ ! -s "$TMP/shown" ] || ! cmp -s "$TMP/shown" "$TMP/ran"; then
            bad terminal "the saved file's output differs from the REPL's (< REPL, > pipec run)"
            diff "$TMP/shown" "$TMP/ran" | head
        elif ! grep -q -F "1  stdin" "$TMP/screen" || ! grep -q -F "<repl>:1:14:" "$TMP/screen"; then
            bad terminal "no graph or no error position on the screen"
        elif ! grep -q -F "to_int" "$TMP/.pipec_history" 2>/dev/null; then
            bad terminal "no history in \$HOME/.pipec_history"
        else
            pass=$((pass + 1))
        fi
    fi
    [ $term_ok = 1 ] || sed 's/^/    | /' "$TMP/screen" | tail -30

    # Ctrl-C on a run that never returns, then at the prompt on a line being
    # typed: each time the session goes on, with the binding made before
    win=stop
    term_ok=1
    $T new-session -d -s stop -x 120 -y 40 \
        "cd '$top' && env HOME='$TMP' TERM=xterm '$PIPEC' repl; echo \$? > '$TMP/status2'; sleep 60"
    step "pipe>"
    typeline ":load tests/repl/spin.pipe"
    typeline ":lines"
    typeline "hello"
    typeline "."
    typeline "w = stdin | upper"
    step "w : str"
    typeline "w | spin"
    sleep $SLOW
    key C-c
    step "interrupted"
    typeline "w"
    step "HELLO"
    step "pipe>" 6
    key -l "w | dropped"
    key C-c
    step "pipe>" 7
    typeline "w | lower"
    step "pipe>" 8
    key C-d
    n=0
    while [ ! -s "$TMP/status2" ] && [ $n -lt $((200 * SLOW)) ]; do
        sleep 0.05
        n=$((n + 1))
    done
    pane > "$TMP/screen2"
    status=$(cat "$TMP/status2" 2>/dev/null)
    if [ $term_ok = 0 ]; then
        sed "/^$/d; s/^/    | /" "$TMP/screen2" | tail -20
    elif [ "$status" != 0 ]; then
        bad "terminal Ctrl-C" "pipec repl exited with ${status:-(still running)} after Ctrl-D"
        sed "/^$/d; s/^/    | /" "$TMP/screen2" | tail -20
    elif grep -q "unknown stage 'dropped'" "$TMP/screen2" || ! grep -q -x "hello" "$TMP/screen2"; then
        bad "terminal Ctrl-C" "the line dropped by Ctrl-C was run, or the next one was not"
        sed "/^$/d; s/^/    | /" "$TMP/screen2" | tail -20
    else
        pass=$((pass + 1))
    fi
fi

echo "repl: $pass passed, $fail failed"
[ $fail -eq 0 ]
