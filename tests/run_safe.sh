#!/bin/sh
# Safe mode by construction, tried as an attacker who controls the script and
# what lies in the allowed folders (links, folders, FIFOs) would (issue 12;
# docs/pipe.md "Safe mode and sandbox"): a dangling link written through
# (file, append; run, --safe binary, --safe --sandbox binary: nothing created
# outside), a 4 KB folder chain that makes realpath give up, a file swapped
# for a link while files() waits on a FIFO, a file swapped for a link while
# file() opens it (200 runs against a swapping loop), `import` of a file
# outside, globs that climb out with `.?`.  And the data-safety rules of
# file sinks (docs/pipe.md "Stages"): a sink is not truncated when a later
# input fails to open, a file sink replaces its file only when the run ends
# (mode kept, a link or FIFO written in place), an input that is also an
# output written in place is refused, and a run killed by SIGKILL leaves the
# file as it was.
# PIPEC names the compiler.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
exec </dev/null # no check reads the terminal
# lacks WHAT TEXT FILE...: no FILE holds TEXT
lacks() {
    what=$1 text=$2
    shift 2
    if cat "$@" 2>/dev/null | grep -qF -- "$text"; then
        fail=$((fail + 1))
        echo "FAIL $what: found: $text"
    else pass=$((pass + 1)); fi
}

w=$scratch/w
mkdir -p "$w/in" "$w/out" "$w/outside"
cd "$w" || exit 1
echo "TOPSECRET" >outside/secret.txt
echo data >in/data.txt
sandbox_ok=1
"$PIPEC" build --sandbox -o sbtest /dev/stdin 2>/dev/null <<'EOF' || sandbox_ok=0
pipeline main { stdin | stdout }
EOF
[ "$sandbox_ok" = 1 ] && { echo x | ./sbtest >/dev/null 2>&1 || sandbox_ok=0; }

# ---- 1. a dangling link in the write folder leads out
ln -s ../outside/created.txt out/result.txt
cat >w.pipe <<'EOF'
pipeline main(dst: str = "out/result.txt") {
    stdin | file(dst)
}
EOF
cat >a.pipe <<'EOF'
pipeline main(dst: str = "out/result.txt") {
    stdin | append(dst)
}
EOF
expect "dangling link: file() refused (run)" 1 "$PIPEC" run --safe --allow-write out w.pipe
has "dangling link: named" "safe mode: 'out/result.txt' is outside the folders given with --allow-write"
expect "dangling link: append() refused (run)" 1 "$PIPEC" run --safe --allow-write out a.pipe
"$PIPEC" build --safe --allow-write out w.pipe -o wbin 2>"$scratch/err"
expect "dangling link: file() refused (--safe binary)" 1 ./wbin
check "dangling link: nothing created outside" [ ! -e outside/created.txt ]
if [ "$sandbox_ok" = 1 ]; then
    "$PIPEC" build --safe --sandbox --allow-write out w.pipe -o wsbin 2>"$scratch/err"
    expect "dangling link: refused (--safe --sandbox binary)" 1 ./wsbin
    check "dangling link: nothing created outside (--sandbox)" [ ! -e outside/created.txt ]
    "$PIPEC" build --safe --sandbox --allow-write out a.pipe -o asbin 2>"$scratch/err"
    expect "dangling link: append refused (--safe --sandbox binary)" 1 ./asbin
    check "dangling link: nothing created outside (--sandbox append)" [ ! -e outside/created.txt ]
else
    skipped "--sandbox cases (no Landlock here)"
fi
rm out/result.txt

# ---- 2. realpath gives up (ENAMETOOLONG) in a 4 KB chain of folders
# the folder deepest is named by 4093 bytes: realpath resolves in/x to it,
# but not in/x/out (past PATH_MAX), and a check that then falls back to the
# prefix it could resolve sees a path inside
long=$(printf '%0200d' 0)
chain=in
n=$(($(printf '%s' "$(pwd -P)/in" | wc -c) + 8))
while [ $((n + 201)) -le 4093 ]; do chain=$chain/$long; n=$((n + 201)); done
pad=$((4093 - n - 1))
[ $pad -gt 0 ] && chain=$chain/$(printf "%0${pad}d" 0)
mkdir -p "$chain/deepest"
ln -s / "$chain/deepest/out"
ln -s "${chain#in/}/deepest" in/x
cat >r.pipe <<'EOF'
pipeline main(src: str = "in/data.txt", dst: str = "out/d.txt") {
    file(src) | file(dst)
}
EOF
deep="in/x/out$w/outside/secret.txt"
expect "long chain: read refused (run)" 1 "$PIPEC" run --safe --allow-read in --allow-write out r.pipe --src "$deep"
lacks "long chain: secret not read (run)" TOPSECRET "$scratch/out" out/d.txt
"$PIPEC" build --safe --allow-read in --allow-write out r.pipe -o rbin 2>"$scratch/err"
expect "long chain: read refused (binary)" 1 ./rbin --src "$deep"
lacks "long chain: secret not read (binary)" TOPSECRET "$scratch/out" out/d.txt
expect "long chain: write refused" 1 ./rbin --dst "in/x/out$w/outside/new.txt"
check "long chain: nothing written outside" [ ! -e outside/new.txt ]
expect "plain paths still work" 0 ./rbin
check "plain paths: output" [ "$(cat out/d.txt)" = data ]

# ---- 3. files(): a file checked, then swapped for a link while a FIFO holds the run
mkdir -p in/g
mkfifo in/g/a.fifo
echo good >in/g/b.txt
cat >g.pipe <<'EOF'
pipeline main { files("in/g/*") | stdout }
EOF
"$PIPEC" build --safe --allow-read in g.pipe -o gbin 2>"$scratch/err"
./gbin >"$scratch/gout" 2>"$scratch/gerr" &
gpid=$!
sleep 0.3
rm in/g/b.txt
ln -s ../../outside/secret.txt in/g/b.txt
echo first >in/g/a.fifo
wait $gpid
grc=$?
check "files() swap: the run fails" [ "$grc" -eq 1 ]
lacks "files() swap: secret not read" TOPSECRET "$scratch/gout"
check "files() swap: the FIFO's line is out" grep -qx first "$scratch/gout"
grep -qF "is outside the folders" "$scratch/gerr" && pass=$((pass + 1)) || {
    fail=$((fail + 1)); echo "FAIL files() swap: named as outside"; sed 's/^/    /' "$scratch/gerr"; }
rm -rf in/g

# ---- 4. file(): a file swapped for a link and back while the binary opens it
echo plain >in/race.txt
cat >race.pipe <<'EOF'
pipeline main { file("in/race.txt") | stdout }
EOF
"$PIPEC" build --safe --allow-read in race.pipe -o racebin 2>"$scratch/err"
(
    while [ ! -e stop.race ]; do
        ln -sf ../outside/secret.txt in/race.tmp && mv -f in/race.tmp in/race.txt
        echo plain >in/race.tmp && mv -f in/race.tmp in/race.txt
    done
) &
spid=$!
i=0
: >"$scratch/raceout"
while [ $i -lt 200 ]; do ./racebin >>"$scratch/raceout" 2>/dev/null; i=$((i + 1)); done
touch stop.race
wait $spid
lacks "file() race: secret never read in 200 runs" TOPSECRET "$scratch/raceout"
check "file() race: the plain file was read" grep -q plain "$scratch/raceout"

# ---- 5. import of a file outside, of a FIFO, of a device
printf 'import "%s"\npipeline main { stdin | stdout }\n' "$w/outside/secret.txt" >in/imp.pipe
expect "import outside refused" 2 "$PIPEC" check --safe --allow-read in in/imp.pipe
has "import outside named" "--safe: import '$w/outside/secret.txt' is outside the script's folder"
lacks "import outside: no line of the file shown" TOPSECRET "$scratch/err"
printf 'import "/etc/passwd"\npipeline main { stdin | stdout }\n' >in/imp2.pipe
expect "import /etc/passwd refused" 2 "$PIPEC" check --safe --allow-read in in/imp2.pipe
lacks "import /etc/passwd: not echoed" "root:" "$scratch/err"
ln -s ../outside/secret.txt in/lib.pipe
printf 'import "lib.pipe"\npipeline main { stdin | stdout }\n' >in/imp3.pipe
expect "import through a link out refused" 2 "$PIPEC" check --safe --allow-read in in/imp3.pipe
lacks "import through a link: not echoed" TOPSECRET "$scratch/err"
mkfifo in/fifo.pipe
printf 'import "fifo.pipe"\npipeline main { stdin | stdout }\n' >in/imp4.pipe
expect "import of a FIFO refused at once" 2 timeout 10 "$PIPEC" check in/imp4.pipe
has "import of a FIFO named" "cannot import 'in/fifo.pipe': not a regular file"
printf 'import "/dev/zero"\npipeline main { stdin | stdout }\n' >in/imp5.pipe
expect "import of /dev/zero refused at once" 2 timeout 10 "$PIPEC" check in/imp5.pipe
has "import of /dev/zero named" "cannot import '/dev/zero': not a regular file"
printf 'pipeline main { stdin | stdout }\n' >in/ok.pipe
printf 'import "ok.pipe"\npipeline m2 { stdin | stdout }\n' >in/imp6.pipe
expect "import inside the script's folder works" 0 "$PIPEC" check --safe in/imp6.pipe
head -c 17000000 /dev/zero | tr '\0' '#' >in/big.pipe
printf 'import "big.pipe"\npipeline main { stdin | stdout }\n' >in/imp7.pipe
expect "import larger than 16 MiB refused" 2 "$PIPEC" check in/imp7.pipe
has "import too large named" "larger than 16 MiB"
rm -f in/big.pipe

# ---- 6. globs that climb out with .? never list outside
cat >gl.pipe <<'EOF'
pipeline main(pat: str = "in/d*.txt") { files(pat) | stdout }
EOF
"$PIPEC" build --safe --allow-read in gl.pipe -o glbin 2>"$scratch/err"
up="in/.?" # in/.. is the folder that holds outside/
expect "glob .? refused (binary)" 1 ./glbin --pat "$up/outside/s*"
lacks "glob .?: secret not read" TOPSECRET "$scratch/out"
lacks "glob .?: no name outside listed" "outside/secret" "$scratch/err"
expect "glob .? refused (run)" 1 "$PIPEC" run --safe --allow-read in gl.pipe --pat "$up/outside/s*"
lacks "glob .? (run): secret not read" TOPSECRET "$scratch/out"
expect "glob ../ existing" 1 ./glbin --pat "in/../outside/secret*"
has "glob ../ named as outside" "safe mode: 'in/../outside' is outside"
sed 's/secret\*/X/' "$scratch/err" >"$scratch/e1"
expect "glob ../ missing" 1 ./glbin --pat "in/../outside/nothing*"
sed 's/nothing\*/X/' "$scratch/err" >"$scratch/e2"
check "glob outside: existing and missing names look the same" cmp -s "$scratch/e1" "$scratch/e2"
expect "glob inside works" 0 ./glbin
check "glob inside: output" [ "$(cat "$scratch/out")" = data ]

# ---- 7. a sink is not truncated when a later input fails to open
echo precious >important.txt
cat >t.pipe <<'EOF'
pipeline main {
    stdin | file("important.txt")
    file("missing.txt") | stdout
}
EOF
expect "missing input: runtime error" 1 "$PIPEC" run t.pipe
check "missing input: the sink's file is untouched" [ "$(cat important.txt)" = precious ]
check "missing input: no temporary file left" [ -z "$(ls -a | grep '\.pipe-')" ]
"$PIPEC" build t.pipe -o tbin 2>"$scratch/err"
expect "missing input: runtime error (binary)" 1 ./tbin
check "missing input: untouched (binary)" [ "$(cat important.txt)" = precious ]
# a runtime error after the run started: what was processed is in the file
cat >late.pipe <<'EOF'
pipeline main { stdin | map(x => str(10 / to_int(x))) | file("late.txt") }
EOF
printf '1\n2\n0\n5\n' >late.in
"$PIPEC" run late.pipe <late.in 2>"$scratch/err"
check "late error: processed lines are in the file" [ "$(cat late.txt | tr '\n' ' ')" = "10 5 " ]
# the file is replaced at the end: its mode is kept; a link and a FIFO are written in place
echo old >mode.txt
chmod 640 mode.txt
cat >m.pipe <<'EOF'
pipeline main(dst: str = "mode.txt") { stdin | file(dst) }
EOF
echo new | "$PIPEC" run m.pipe 2>"$scratch/err"
check "replaced: new content" [ "$(cat mode.txt)" = new ]
check "replaced: mode kept" [ "$(stat -c %a mode.txt)" = 640 ]
echo target >linked.txt
ln -s linked.txt link.txt
echo through | "$PIPEC" run m.pipe --dst link.txt 2>"$scratch/err"
check "a link is written through, not replaced" [ -L link.txt ] && [ "$(cat linked.txt)" = through ]
mkfifo sink.fifo
cat sink.fifo >"$scratch/fifo.out" &
cpid=$!
echo viafifo | "$PIPEC" run m.pipe --dst sink.fifo 2>"$scratch/err"
wait $cpid
check "a FIFO is written in place" [ "$(cat "$scratch/fifo.out")" = viafifo ]

# killed by SIGKILL while it runs: the file is as it was, the temporary one stays
echo before >k.txt
mkfifo k.fifo
cat >k.pipe <<'EOF'
pipeline main { file("k.fifo") | file("k.txt") }
EOF
"$PIPEC" build k.pipe -o kbin 2>"$scratch/err"
./kbin 2>/dev/null &
kpid=$!
exec 3>k.fifo
echo during >&3
sleep 0.3
kill -9 $kpid
wait $kpid 2>/dev/null
exec 3>&-
check "SIGKILL: the file is as it was" [ "$(cat k.txt)" = before ]
check "SIGKILL: the temporary file stays" [ -n "$(ls -a | grep '^\.k\.txt\.pipe-')" ]
rm -f .k.txt.pipe-*

# ---- 8. an input that is also an output written in place
printf 'a\nb\n' >f.txt
cat >loop.pipe <<'EOF'
pipeline main { file("f.txt") | append("f.txt") }
EOF
expect "input is output (append): refused" 1 timeout 20 "$PIPEC" run loop.pipe
has "input is output: named" "input 'f.txt' is also the output 'f.txt'"
check "input is output: file unchanged" [ "$(cat f.txt | tr '\n' ' ')" = "a b " ]
cat >sponge.pipe <<'EOF'
pipeline main { file("f.txt") | upper | file("f.txt") }
EOF
expect "input is a replaced output: rewrites it" 0 "$PIPEC" run sponge.pipe
check "rewritten in place of itself" [ "$(cat f.txt | tr '\n' ' ')" = "A B " ]
cat >cat.pipe <<'EOF'
pipeline main { stdin | stdout }
EOF
"$PIPEC" run cat.pipe <f.txt >>f.txt 2>"$scratch/err"
check "stdin is stdout (>>): refused" [ $? -eq 1 ]
has "stdin is stdout named" "input 'stdin' is also the output 'stdout'"
check "stdin is stdout: file unchanged" [ "$(cat f.txt | tr '\n' ' ')" = "A B " ]

# ---- 9. env() under --safe: the environment can hold secrets (tokens), so
# --safe refuses every call at compile time; without --safe it reads it
cat >env.pipe <<'EOF'
pipeline main {
    lines("x\n") | map(x => env("PIPE_SAFE_TOKEN") ?? "none") | stdout
}
EOF
PIPE_SAFE_TOKEN=TOPSECRET "$PIPEC" run --safe env.pipe >"$scratch/out" 2>"$scratch/err"
check "env under --safe: refused (exit 2)" [ $? -eq 2 ]
has "env under --safe: named" "env.pipe:2:29: error: --safe refuses env(): the environment can hold secrets"
lacks "env under --safe: nothing printed" TOPSECRET "$scratch/out"
PIPE_SAFE_TOKEN=TOPSECRET "$PIPEC" build --safe env.pipe -o env.bin 2>"$scratch/err"
check "env under build --safe: refused (exit 2)" [ $? -eq 2 ] && [ ! -e env.bin ]
PIPE_SAFE_TOKEN=TOPSECRET "$PIPEC" run env.pipe >"$scratch/out" 2>"$scratch/err"
check "env without --safe: read" [ "$(cat "$scratch/out")" = TOPSECRET ]

echo "safe: $pass passed, $fail failed${skip:+, $skip skipped}"
[ "$fail" -eq 0 ]
