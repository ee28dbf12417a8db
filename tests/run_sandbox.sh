#!/bin/sh
# Safe mode and sandbox (docs/pipe.md "Safe mode and sandbox").  --safe: extern
# procs (also imported), file sources outside --allow-read, sinks and
# tee(file(...)) outside --allow-write, `..` and symlink escapes, globs, all
# reported at once with exit 2; the same scripts compile without --safe;
# allowed paths work; a parameter path overridden to outside the folders is a
# runtime error before anything is written (run and built binary).
# --sandbox: an extern C proc (tests/sandbox/escape.c) that tries (in its
# constructor too) to open an
# undeclared file and /etc/passwd, create a file, fork, spawn, system(),
# execve and open sockets gets an error for each and the run still succeeds;
# built without --sandbox the same attempts succeed.  A sandboxed binary reads
# files(glob), spills a sort to $TMPDIR, writes a declared file, writes
# --trace and --stats, passes a file through (sendfile), stops on SIGTERM (143) and --timeout (1).  Skipped, with
# a message, on a kernel without Landlock.  PIPEC names the compiler.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
bad_out() { [ -s "$scratch/err" ] && sed 's/^/    stderr: /' "$scratch/err" | head -n 4; }
# expect WHAT CODE COMMAND...: the command (stderr in $scratch/err) exits CODE
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

w=$scratch/w
mkdir -p "$w/in" "$w/out" "$w/lib" "$w/tmp"
cd "$w" || exit 1
printf 'b\na\n' >in/data.txt
echo secret >secret.txt
ln -s "$w/secret.txt" in/link.txt
cp "$top/tests/sandbox/escape.c" "$top/tests/sandbox/escape.pipe" .
cp "$top/examples/rot13.c" lib/rot13.c

# --- --safe at compile time ---------------------------------------------------
cat >lib/r.pipe <<'EOF'
extern proc rot13: str -> str from "rot13.c"
EOF
cat >escapes.pipe <<'EOF'
import "lib/r.pipe"
pipeline main {
    file("in/data.txt") | rot13 | file("out/a.txt")
    file("in/../secret.txt") | stdout
    file("in/link.txt") | tee(file("secret.txt")) | append("elsewhere.txt")
    files("/etc/*.conf") | stdout
}
EOF
A="--allow-read in --allow-write out"
expect "safe: escapes refused" 2 "$PIPEC" check --safe $A escapes.pipe
has "safe: extern proc in an imported file" "r.pipe:1:13: error: --safe refuses extern proc 'rot13'"
has "safe: .. escape" "escapes.pipe:4:10: error: --safe: file reads '$w/secret.txt', which is outside the folders given with --allow-read or --allow-write"
has "safe: symlink escape" "escapes.pipe:5:10: error: --safe: file reads '$w/secret.txt'"
has "safe: tee(file(...))" "escapes.pipe:5:36: error: --safe: file writes '$w/secret.txt', which is outside the folders given with --allow-write"
has "safe: append" "escapes.pipe:5:60: error: --safe: append writes '$w/elsewhere.txt'"
has "safe: files glob folder" "escapes.pipe:6:11: error: --safe: files reads in '/etc'"
has "safe: a caret under the path" '^~~~~~~~~~~~~~~~~~'
has "safe: every error counted" "6 errors"
expect "safe: run refuses too" 2 "$PIPEC" run --safe $A escapes.pipe
expect "safe: build refuses too" 2 "$PIPEC" build --safe $A escapes.pipe -o never
check "safe: nothing built" [ ! -e never ]
expect "safe: emit-c refuses too" 2 "$PIPEC" emit-c --safe $A escapes.pipe
expect "without --safe the escapes compile" 0 "$PIPEC" check escapes.pipe
expect "without --safe the extern proc builds" 0 "$PIPEC" build escapes.pipe -o plain_escapes
expect "safe: no folders given" 2 "$PIPEC" check --safe escapes.pipe
has "safe: no folders given" "but no folder was given with --allow-write"
# exec starts a program: refused by --safe and by --sandbox, fine otherwise
cat >ex.pipe <<'EOF'
pipeline main { stdin | exec("tr a-z A-Z") | stdout }
EOF
expect "safe: exec refused" 2 "$PIPEC" run --safe ex.pipe
has "safe: exec named" "ex.pipe:1:25: error: --safe refuses stage 'exec': it starts other programs"
expect "sandbox: exec refused" 2 "$PIPEC" build --sandbox ex.pipe -o never
has "sandbox: exec named" "ex.pipe:1:25: error: --sandbox refuses stage 'exec': it starts other programs"
check "without --safe exec runs" sh -c "echo ab | '$PIPEC' run ex.pipe | grep -qx AB"

cat >ok.pipe <<'EOF'
pipeline main(src: str = "in/data.txt", dst: str = "out/b.txt") {
    file("in/data.txt") | sort | file("out/a.txt")
    file(src) | upper | file(dst)
    files("in/d*.txt") | append("out/c.txt")
    file("out/r.txt") | count_items | stdout
}
EOF
echo r >out/r.txt
expect "safe: allowed paths run" 0 "$PIPEC" run --safe $A ok.pipe
check "safe: allowed paths: output" [ "$(cat out/a.txt out/b.txt | tr '\n' ' ')" = "a b B A " ]
expect "safe: allowed paths build" 0 "$PIPEC" build --safe $A ok.pipe -o okbin
rm -f out/b.txt
expect "safe: parameter outside --allow-read (binary)" 1 ./okbin --src secret.txt
has "safe: parameter outside, named" "runtime error in stage file: safe mode: 'secret.txt' is outside the folders given with --allow-read and --allow-write"
check "safe: parameter outside: its sink not written" [ ! -e out/b.txt ]
expect "safe: parameter .. outside (run)" 1 "$PIPEC" run --safe $A ok.pipe --src in/../secret.txt
has "safe: parameter .. outside (run)" "'in/../secret.txt' is outside"
expect "safe: parameter symlink outside" 1 ./okbin --src in/link.txt
expect "safe: sink parameter outside --allow-write" 1 ./okbin --dst in/x.txt
has "safe: sink parameter outside" "'in/x.txt' is outside the folders given with --allow-write"
check "safe: sink parameter outside: not created" [ ! -e in/x.txt ]
echo z >out/pre.txt
expect "safe: parameter inside --allow-write works" 0 ./okbin --src out/pre.txt --dst out/d.txt
check "safe: parameter inside: output" [ "$(cat out/d.txt)" = "Z" ]
expect "without --safe a parameter may point anywhere" 0 "$PIPEC" run ok.pipe --src secret.txt
expect "safe: --allow-read of a missing folder" 2 "$PIPEC" check --safe --allow-read nowhere ok.pipe
has "safe: --allow-read of a missing folder" "'nowhere' is not a folder"
expect "--sandbox is not an option of run" 2 "$PIPEC" run --sandbox ok.pipe

# --- --sandbox ----------------------------------------------------------------
printf '/etc/hostname\n%s\n' "$w/secret.txt" >in.txt
TMPDIR=$w/tmp
export TMPDIR
expect "sandbox: escape builds" 0 "$PIPEC" build --sandbox escape.pipe -o boxed
./boxed --secret secret.txt --dir "$w" >"$scratch/out" 2>"$scratch/err"
rc=$?
if grep -q "Landlock is not available" "$scratch/err"; then
    echo "sandbox: SKIPPED the --sandbox cases: this kernel has no Landlock"
    echo "sandbox: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi
check "sandbox: escape run succeeds ($rc)" [ "$rc" -eq 0 ]
cat >"$scratch/want" <<EOF
ctor-open-secret EACCES
open-secret EACCES
open-passwd EACCES
create EACCES
fork EPERM
spawn EPERM
system EPERM
execve EPERM
socket-inet EPERM
socket-unix EPERM
item /etc/hostname EACCES
item $w/secret.txt EACCES
EOF
check "sandbox: every attempt of the extern proc fails" cmp -s "$scratch/want" out.txt || diff "$scratch/want" out.txt
check "sandbox: nothing created" [ ! -e created.txt ]
expect "no sandbox: escape builds" 0 "$PIPEC" build escape.pipe -o unboxed
expect "no sandbox: escape runs" 0 ./unboxed --secret secret.txt --dir "$w"
check "no sandbox: every attempt succeeds" [ "$(grep -c ' ok$' out.txt)" -eq 12 ]
check "no sandbox: the file was created" [ -e created.txt ]
rm -f created.txt

cat >box.pipe <<'EOF'
pipeline main(pat: str = "in/d*.txt") {
    files(pat) | sort(desc: true) | stdout
    stdin | sort | file("out/sorted.txt")
}
EOF
expect "sandbox: box builds" 0 "$PIPEC" build --sandbox box.pipe -o box
awk 'BEGIN { srand(3); for (i = 0; i < 100000; i++) print int(rand() * 1000000) }' >nums.txt
sort nums.txt >"$scratch/nums.sorted"
expect "sandbox: spill, glob, trace, stats" 0 sh -c './box --mem-limit 64K --stats --trace tr.json <nums.txt'
check "sandbox: files(glob) read" [ "$(cat "$scratch/out" | tr '\n' ' ')" = "b a " ]
check "sandbox: the spilled sort is right" cmp -s "$scratch/nums.sorted" out/sorted.txt
check "sandbox: no spill file left" [ -z "$(ls "$w/tmp")" ]
has "sandbox: --stats" "items in"
check "sandbox: --trace end record" grep -q '"event":"end".*"status":0' tr.json
# stdin | stdout of a regular file is a kernel copy (sendfile), allowed too
cat >cat.pipe <<'EOF'
pipeline main { stdin | stdout }
EOF
expect "sandbox: cat builds" 0 "$PIPEC" build --sandbox cat.pipe -o cat
cat nums.txt nums.txt >nums2.txt # past 256 KiB: big enough for a copy
expect "sandbox: a file passed through" 0 sh -c './cat <nums2.txt'
check "sandbox: a file passed through: the same bytes" cmp -s nums2.txt "$scratch/out"
rm -f fifo
mkfifo fifo
sleep 10 >fifo &
holder=$!
./box <fifo >/dev/null 2>"$scratch/err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
kill "$holder" 2>/dev/null
check "sandbox: SIGTERM gives 143 ($rc)" [ "$rc" -eq 143 ]
sleep 10 >fifo &
holder=$!
expect "sandbox: --timeout" 1 sh -c './box --timeout 300ms <fifo'
kill "$holder" 2>/dev/null
has "sandbox: --timeout message" "timed out after 300ms"

# --safe and --sandbox together: a glob's match outside the folders is
# refused by name, as without --sandbox (not left out)
cat >globs.pipe <<'EOF'
pipeline main(pat: str = "in/d*.txt") {
    files(pat) | file("out/g.txt")
}
EOF
expect "sandbox and safe: a glob builds" 0 "$PIPEC" build --safe --sandbox $A globs.pipe -o globs
expect "sandbox and safe: a glob inside" 0 ./globs
check "sandbox and safe: a glob inside: output" [ "$(cat out/g.txt | tr '\n' ' ')" = "b a " ]
expect "sandbox and safe: a glob match outside" 1 ./globs --pat 'in/*.txt'
has "sandbox and safe: a glob match outside, named" "'in/link.txt' is outside"

# --safe and --sandbox together: the allowed folders are Landlock rules too
cat >both.pipe <<'EOF'
extern proc escape(secret: str, dir: str): str -> str from "escape.c"
pipeline main(src: str) {
    file(src) | escape("in/data.txt", "out") | file("out/e.txt")
}
EOF
expect "sandbox: --safe still refuses the extern proc" 2 "$PIPEC" build --safe --sandbox $A both.pipe -o both
echo "in/data.txt" >in/list.txt
expect "sandbox: with folders builds" 0 "$PIPEC" build --sandbox $A both.pipe -o both
expect "sandbox: with folders runs" 0 ./both --src in/list.txt
check "sandbox: the folders are open to the extern proc, the rest is not" \
    [ "$(grep -E '^(ctor-open-secret|open-secret|open-passwd|create|item)' out/e.txt | tr '\n' ' ')" = \
    "ctor-open-secret ok open-secret ok open-passwd EACCES create ok item in/data.txt ok " ]

echo "sandbox: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
