#!/bin/sh
# Safe mode and sandbox (docs/pipe.md "Safe mode and sandbox").  --safe: extern
# procs (also imported), file sources outside --allow-read, sinks and
# tee(file(...)) outside --allow-write, `..` and symlink escapes, globs, all
# reported at once with exit 2; the same scripts compile without --safe;
# allowed paths work; a parameter path overridden to outside the folders is a
# runtime error before anything is written (run and built binary).
# --sandbox: an extern C proc (tests/sandbox/escape.c) that tries (in its
# constructor too) to open an undeclared file and /etc/passwd, create a file
# (also in $TMPDIR), fork, spawn, system(), execve, open sockets, look at
# paths (stat, access, readlink, O_PATH, open mode 3), push input into a
# terminal (TIOCSTI), change another process's limits and have the kernel
# kill it (F_SETOWN, F_SETSIG, O_ASYNC) gets an error for each and the run
# still succeeds; built without --sandbox the same attempts succeed.  Code of
# an extern proc that would run before main() (constructor, .init_array by
# attribute and by asm, IFUNC, .preinit_array, a replaced getenv) is refused
# by build --sandbox (tests/sandbox/premain.c).  A sandboxed binary reads
# files(glob), spills a sort to a private folder (removed after SIGTERM,
# --timeout and SIGKILL too), writes a declared file, writes --trace and
# --stats, passes a file through (sendfile), stops on SIGTERM (143) and
# --timeout (1).  Skipped, with a message, on a kernel without Landlock.
# PIPEC names the compiler.
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"

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
# --safe confines the run with Landlock as well, when the kernel has it (the
# layer on its own: tests/unit/test_rt_sandbox.c), after the JIT compiled it:
# a sort spills to a private folder in $TMPDIR, removed at the end
seq 1 30000 | sort >in/many.txt
cat >spill.pipe <<'EOF'
pipeline main { file("in/many.txt") | sort(by: (s) => to_int(s)) | file("out/many.txt") }
EOF
seq 1 30000 >"$scratch/many"
mkdir -p safetmp
expect "safe: a spilling sort (run)" 0 env TMPDIR="$w/safetmp" "$PIPEC" run --safe $A spill.pipe --mem-limit 64K
check "safe: a spilling sort (run): output" cmp -s "$scratch/many" out/many.txt
check "safe: a spilling sort (run): no spill folder left" [ -z "$(ls safetmp)" ]
rm -f out/many.txt
expect "safe: a spilling sort builds" 0 "$PIPEC" build --safe $A spill.pipe -o spillbin
expect "safe: a spilling sort (binary)" 0 env TMPDIR="$w/safetmp" ./spillbin --mem-limit 64K
check "safe: a spilling sort (binary): output" cmp -s "$scratch/many" out/many.txt
check "safe: a spilling sort (binary): no spill folder left" [ -z "$(ls safetmp)" ]
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
# lines written one after another on the extern proc's stdin (escape.c waits
# for them after arming O_ASYNC)
lines() { i=0; while [ $i -lt 50 ]; do echo line; sleep 0.1; i=$((i + 1)); done; }
# a process of the same user that the extern proc tries to reach
sleep 60 &
victim=$!
nofile=$(grep 'Max open files' /proc/$victim/limits)
expect "sandbox: escape builds" 0 "$PIPEC" build --sandbox escape.pipe -o boxed
lines | PIPE_VICTIM=$victim ./boxed --secret secret.txt --dir "$w" >"$scratch/out" 2>"$scratch/err"
rc=$?
if grep -q "Landlock is not available" "$scratch/err"; then
    kill $victim
    echo "sandbox: SKIPPED the --sandbox cases: this kernel has no Landlock"
    echo "sandbox: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi
check "sandbox: escape run succeeds ($rc)" [ "$rc" -eq 0 ]
sort >"$scratch/want" <<EOF
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
create-in-tmpdir EACCES
stat-passwd EPERM
fstatat-empty-path-flag EPERM
access-passwd EPERM
readlink-exe EPERM
open-o-path EPERM
open-mode-3 EPERM
fstat-stderr ok
tiocsti EPERM
prlimit-other EPERM
f-setown EPERM
f-setsig EPERM
o-async EPERM
item /etc/hostname EACCES
item $w/secret.txt EACCES
EOF
check "sandbox: every attempt of the extern proc fails" cmp -s "$scratch/want" out.txt
cmp -s "$scratch/want" out.txt || diff "$scratch/want" out.txt
check "sandbox: nothing created" [ ! -e created.txt ]
check "sandbox: nothing created in \$TMPDIR" [ ! -e "$TMPDIR/escape-tmp.txt" ]
check "sandbox: the other process lives" kill -0 $victim
check "sandbox: its limits are unchanged" [ "$(grep 'Max open files' /proc/$victim/limits)" = "$nofile" ]
kill $victim
expect "no sandbox: escape builds" 0 "$PIPEC" build escape.pipe -o unboxed
sleep 60 &
victim=$!
lines | PIPE_VICTIM=$victim ./unboxed --secret secret.txt --dir "$w" >"$scratch/out" 2>"$scratch/err"
check "no sandbox: escape runs" [ $? -eq 0 ]
check "no sandbox: every attempt succeeds (no terminal: TIOCSTI does not apply)" \
    [ "$(grep -v ' ok$' out.txt | tr '\n' ' ')$(grep -c ' ok$' out.txt)" = "tiocsti ENOTTY 24" ]
check "no sandbox: the file was created" [ -e created.txt ]
kill $victim 2>/dev/null
wait $victim
check "no sandbox: the other process was killed by the kernel's SIGKILL" [ $? -eq 137 ]
rm -f created.txt "$TMPDIR/escape-tmp.txt"

# code of an extern proc that runs before main() would run unconfined: every
# way is refused by name, and the file the code creates is not there
cp "$top/tests/sandbox/premain.c" .
for kind in ctor init_array asm ifunc preinit interpose; do
    printf '#define PREMAIN_%s 1\n#define PREMAIN_FILE "premain-%s.txt"\n#include "premain.c"\n' \
        "$(echo $kind | tr a-z A-Z)" $kind >pm_$kind.c
    printf 'extern proc premain: str -> str from "pm_%s.c"\npipeline main { stdin | premain | stdout }\n' \
        $kind >pm_$kind.pipe
    expect "premain $kind: builds without --sandbox" 0 "$PIPEC" build pm_$kind.pipe -o pm_plain
    echo x | ./pm_plain >/dev/null 2>&1
    check "premain $kind: without --sandbox it runs before main" [ -e premain-$kind.txt ]
    rm -f premain-$kind.txt
    expect "premain $kind: --sandbox refuses it" 2 "$PIPEC" build --sandbox pm_$kind.pipe -o pm_boxed
    has "premain $kind: the file named" "pm_$kind.c: error: --sandbox refuses"
    [ -x pm_boxed ] && echo x | ./pm_boxed >/dev/null 2>&1
    check "premain $kind: nothing built" [ ! -e pm_boxed ]
    check "premain $kind: nothing ran" [ ! -e premain-$kind.txt ]
done
has "premain: the definition named" "refuses the definition of 'getenv'"
# emit-c --sandbox cannot check the C the user compiles: the file says so
expect "emit-c --sandbox with an extern proc" 0 "$PIPEC" emit-c --sandbox pm_ctor.pipe -o pm_ctor_emitted.c
check "emit-c --sandbox: the file says its extern C is not checked" \
    grep -q "the extern procs' C pasted below is not checked" pm_ctor_emitted.c

cat >box.pipe <<'EOF'
pipeline main(pat: str = "in/d*.txt") {
    files(pat) | sort(desc: true) | stdout
    stdin | sort | file("out/sorted.txt")
}
EOF
expect "sandbox: box builds" 0 "$PIPEC" build --sandbox box.pipe -o box
# the paths it declares, each by its kind's name in the C
expect "sandbox: box emits" 0 "$PIPEC" emit-c --sandbox box.pipe -o box_emitted.c
check "sandbox: the glob declared as one" grep -q 'pipe_rt_sandbox_path(rt_, PIPE_PATH_GLOB, ' box_emitted.c
check "sandbox: the sink's file declared as written" grep -q 'pipe_rt_sandbox_path(rt_, PIPE_PATH_WRITE, ' box_emitted.c
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
# tail of a regular file reads it from the end (pread, lseek, a descriptor
# duplicated to count the lines passed over), allowed too; the line named
cat >tail.pipe <<'EOF'
pipeline main { stdin | tail(3) | stdout }
EOF
expect "sandbox: tail builds" 0 "$PIPEC" build --sandbox tail.pipe -o tail
expect "sandbox: tail of a file" 0 sh -c './tail <nums2.txt'
check "sandbox: tail of a file: its last lines" sh -c "tail -n 3 nums2.txt | cmp -s - '$scratch/out'"
expect "sandbox: tail of a file, a line too long" 1 sh -c './tail --max-line-bytes 2 <nums2.txt'
has "sandbox: tail of a file, a line too long: its number" "line 199998)"
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
check "sandbox: SIGTERM: no spill folder left" [ -z "$(ls "$w/tmp")" ]
sleep 10 >fifo &
holder=$!
expect "sandbox: --timeout" 1 sh -c './box --timeout 300ms <fifo'
kill "$holder" 2>/dev/null
has "sandbox: --timeout message" "timed out after 300ms"
check "sandbox: --timeout: no spill folder left" [ -z "$(ls "$w/tmp")" ]
# a run killed with SIGKILL cannot clean up: the helper process that made
# the private spill folder with it removes it
sleep 10 >fifo &
holder=$!
./box <fifo >/dev/null 2>&1 &
pid=$!
sleep 0.5
check "sandbox: sort spills to a private folder of the run" [ -d "$(echo "$w"/tmp/pipe-spill.*)" ]
kill -KILL "$pid"
wait "$pid" 2>/dev/null
kill "$holder" 2>/dev/null
i=0
while [ -n "$(ls "$w/tmp")" ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
check "sandbox: SIGKILL: the spill folder is removed" [ -z "$(ls "$w/tmp")" ]

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
    [ "$(grep -E '^(ctor-open-secret|open-secret|open-passwd|create|item) ' out/e.txt | tr '\n' ' ')" = \
    "ctor-open-secret ok open-secret ok open-passwd EACCES create ok item in/data.txt ok " ]

echo "sandbox: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
