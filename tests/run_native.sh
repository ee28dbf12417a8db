#!/bin/sh
# `pipec run` from native objects (compiler/native.c; docs/pipe.md, "Native
# runs"): a first run JITs and builds the object in the background without
# the shell waiting for it, the next run loads it (--stats says which, the
# output is the same); PIPEC_NATIVE=0, --safe and extern procs keep the JIT;
# objects and folders that someone else could have written are never loaded
# (a planted object that would leave a file when loaded leaves none); broken
# objects are dropped; runs at once build once; no usable cache folder is no
# error; the native code runs about as many instructions as a built binary.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
unset PIPEC_NATIVE PIPEC_NATIVE_DEBUG CFLAGS # this suite tests them
command -v cc >/dev/null 2>&1 || suite_skipped native "no C compiler 'cc' to build objects with"
[ -d /proc/self/fd ] || suite_skipped native "no /proc/self/fd to load objects through"

cache=$scratch/cache
PIPEC_CACHE_DIR=$cache
export PIPEC_CACHE_DIR
# the C compiler of every build here: logs each command, and is slow while
# $scratch/slow exists (a build the shell would wait for would show)
mkdir -p "$scratch/bin"
printf '#!/bin/sh\necho "$*" >>%s/cc.log\n[ -f %s/slow ] && sleep 4\nexec cc "$@"\n' "$scratch" "$scratch" \
    >"$scratch/bin/cc"
chmod +x "$scratch/bin/cc"
CC=$scratch/bin/cc
export CC
: >"$scratch/cc.log"

# wait_builds: until no build holds a lock in the folder (at most 5 minutes:
# the first one compiles the runtime too)
wait_builds() {
    i=0
    while [ $i -lt 300 ] && ls "${1:-$cache}" 2>/dev/null | grep -q '\.lock$'; do
        sleep 1
        i=$((i + 1))
    done
}
# stats_code: the --stats line of the last expect (in $scratch/err)
stats_code() { grep '^code: ' "$scratch/err"; }
builds() { grep -c -- '-shared' "$scratch/cc.log"; }

cat >"$scratch/s.pipe" <<'EOF'
proc vowels: str -> int {
    on line {
        let i = 0
        let n = 0
        while i < len(line) {
            let c = substr(line, i, 1)
            if c == "a" or c == "e" or c == "i" or c == "o" or c == "u" {
                n += 1
            }
            i += 1
        }
        emit n
    }
}

pipeline main {
    stdin | vowels | sum | stdout
}
EOF
sed 's/c == "u"/c == "u" or c == "y"/' "$scratch/s.pipe" >"$scratch/t.pipe"
awk 'BEGIN { for (i = 0; i < 20000; i++) print "the quick brown fox jumps over the lazy dog " i }' >"$scratch/in.txt"
expect_s=$(tr -cd aeiou <"$scratch/in.txt" | wc -c | tr -d ' ')
head -n 3 "$scratch/in.txt" >"$scratch/small.txt"
run_s() { expect "$1" 0 "$PIPEC" run "$scratch/s.pipe" --stats <"$scratch/in.txt"; }
out_is() { [ "$(cat "$scratch/out")" = "$1" ]; }

# ---- a short run builds nothing
expect "a short run" 0 "$PIPEC" run "$scratch/s.pipe" --stats <"$scratch/small.txt"
check "a short run: --stats says jit, no object yet" [ "$(stats_code)" = "code: jit (no native object yet)" ]
check "a short run starts no build" [ "$(builds)" -eq 0 ]

# ---- the first run: JIT, a build in the background that the shell does not wait for
mkdir -p "$cache"
chmod 700 "$cache"
for i in $(seq 40); do touch -d '2 days ago' "$cache/run-fake$i.so"; done
touch -d '2 days ago' "$cache/run-fake.123.c"
touch "$scratch/slow"
t0=$(date +%s)
PIPEC_NATIVE=always "$PIPEC" run "$scratch/s.pipe" <"$scratch/in.txt" 2>"$scratch/err" | cat >"$scratch/out"
t1=$(date +%s)
check "first run: output" out_is "$expect_s"
check "first run: nothing on stderr" [ ! -s "$scratch/err" ]
if [ "${PIPEC_UNDER_VALGRIND:-}" != 1 ]; then
    check "first run: the pipeline did not wait for the build (which sleeps 4 s)" [ $((t1 - t0)) -lt 3 ]
fi
rm -f "$scratch/slow"
wait_builds
so=$(ls "$cache" | grep '^run-[0-9a-f]*\.so$')
check "the build made one object" [ "$(echo "$so" | grep -c .)" -eq 1 ]
check "one build ran" [ "$(builds)" -eq 1 ]
check "objects pruned to the 32 used last, the new one kept" [ "$(ls "$cache" | grep -c '^run-.*\.so$')" -eq 32 ]
check "a killed build's temporaries removed after a day" [ ! -e "$cache/run-fake.123.c" ]
check "no lock, source or log left" [ -z "$(ls "$cache" | grep -E '\.(lock|log|fail)$|^run-.*\.[0-9]+\.')" ]
check "the object is private (mode 700)" [ "$(stat -c %a "$cache/$so")" = 700 ]
rm -f "$cache"/run-fake*

# ---- the second run: native
run_s "second run"
check "second run: output" out_is "$expect_s"
check "second run: --stats says native, and which object" [ "$(stats_code)" = "code: native ($cache/$so)" ]
expect "second run --stats=json" 0 "$PIPEC" run "$scratch/s.pipe" --stats=json <"$scratch/in.txt"
check "--stats=json: code native" grep -q '"code": "native", "code_why": "' "$scratch/err"
if command -v python3 >/dev/null 2>&1; then
    check "--stats=json is still one JSON document" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
        "$scratch/err"
fi
PIPEC_NATIVE=0 run_s "PIPEC_NATIVE=0"
check "PIPEC_NATIVE=0: output" out_is "$expect_s"
check "PIPEC_NATIVE=0: jit" [ "$(stats_code)" = "code: jit (PIPEC_NATIVE=0)" ]
expect "--safe" 0 "$PIPEC" run --safe "$scratch/s.pipe" --stats <"$scratch/in.txt"
check "--safe: jit" [ "$(stats_code)" = "code: jit (--safe runs only code compiled now)" ]
cp "$top/examples/extern_rot13.pipe" "$top/examples/rot13.c" "$scratch/"
(cd "$scratch" && PIPEC_NATIVE=always "$PIPEC" run extern_rot13.pipe --stats </dev/null >/dev/null 2>"$scratch/err")
check "extern procs: jit" grep -q '^code: jit (the script has extern procs' "$scratch/err"
wait_builds
check "extern procs: no build" [ "$(builds)" -eq 1 ]
PIPEC_NATIVE_DEBUG=1 run_s "PIPEC_NATIVE_DEBUG=1"
check "PIPEC_NATIVE_DEBUG=1: a note on stderr" grep -q "^pipec: native: $cache/$so\$" "$scratch/err"

# ---- runs at once, long enough (50 ms of CPU) to start a build without
# PIPEC_NATIVE=always: one build
awk 'BEGIN { for (i = 0; i < 300000; i++) print "the quick brown fox jumps over the lazy dog " i }' >"$scratch/big.txt"
expect_t=$(tr -cd aeiouy <"$scratch/big.txt" | wc -c | tr -d ' ')
: >"$scratch/outs"
for i in 1 2 3 4; do
    "$PIPEC" run "$scratch/t.pipe" <"$scratch/big.txt" >>"$scratch/outs" 2>&1 &
done
wait
wait_builds
check "4 runs at once: each output right" [ "$(sort -u "$scratch/outs")" = "$expect_t" ]
check "4 runs at once: one build" [ "$(builds)" -eq 2 ]
so_t=$(ls "$cache" | grep '^run-[0-9a-f]*\.so$' | grep -v "$so")
expect "t.pipe, native" 0 "$PIPEC" run "$scratch/t.pipe" --stats <"$scratch/big.txt"
check "t.pipe: output" out_is "$expect_t"
check "t.pipe: native" [ "$(stats_code)" = "code: native ($cache/$so_t)" ]

# ---- attacks: what is planted under the object's name is never loaded
mv "$cache/$so" "$scratch/good.so"
cat >"$scratch/evil.c" <<EOF
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) { close(open("$scratch/pwned", O_CREAT | O_WRONLY, 0644)); }
EOF
cc -shared -fPIC -o "$scratch/evil.so" "$scratch/evil.c"
chmod 700 "$scratch/evil.so"
# attack NAME WHY: a run with the planted object: right output, JIT (WHY in
# the note), and the planted code never ran
attack() {
    run_s "$1"
    check "$1: output" out_is "$expect_s"
    check "$1: jit, $2" sh -c 'grep "^code: jit (" "$1" | grep -qF "$2"' - "$scratch/err" "$2"
    check "$1: the planted object did not run" [ ! -e "$scratch/pwned" ]
    rm -f "$scratch/pwned"
}
cp "$scratch/evil.so" "$cache/$so"
chmod 770 "$cache/$so"
attack "a group-writable object" "refused $cache/$so: group or others may write it"
chmod 702 "$cache/$so"
attack "an object others may write" "refused $cache/$so: group or others may write it"
rm -f "$cache/$so"
ln -s "$scratch/evil.so" "$cache/$so"
attack "a symbolic link" "refused $cache/$so: a symbolic link"
rm -f "$cache/$so"
mkfifo "$cache/$so"
attack "a FIFO" "refused $cache/$so: not a regular file"
rm -f "$cache/$so"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    cp "$scratch/evil.so" "$cache/$so"
    chown nobody "$cache/$so"
    attack "an object of another user" "refused $cache/$so: another user owns it"
    rm -f "$cache/$so"
    mkdir -p "$scratch/theirs"
    cp "$scratch/evil.so" "$scratch/theirs/$so"
    chown -R nobody "$scratch/theirs"
    chmod 700 "$scratch/theirs"
    PIPEC_CACHE_DIR=$scratch/theirs attack "a folder of another user" "another user owns it"
else
    skipped "objects and folders of another user (needs root and a user 'nobody')"
fi
cp "$scratch/evil.so" "$cache/$so"
chmod 770 "$cache"
attack "a group-writable cache folder" "the cache folder $cache is not used for native code: group or others may write it"
chmod 700 "$cache"
rm -f "$cache/$so"

# broken objects: dropped, and a marker keeps them from being rebuilt for a day
head -c 8192 /dev/urandom >"$cache/$so"
chmod 700 "$cache/$so"
attack "garbage bytes" "$cache/$so did not load ("
check "garbage bytes: removed" [ ! -e "$cache/$so" ]
fail_marker=$cache/$(basename "$so" .so).fail
check "garbage bytes: a .fail marker" [ -f "$fail_marker" ]
PIPEC_NATIVE=always run_s "after a failure"
check "after a failure: jit, and says why" [ "$(stats_code)" = "code: jit (an earlier native build of this C failed: $fail_marker)" ]
wait_builds
check "after a failure: no new build" [ "$(builds)" -eq 2 ]
rm -f "$fail_marker"
head -c 20000 "$scratch/good.so" >"$cache/$so"
chmod 700 "$cache/$so"
attack "a truncated object" "$cache/$so did not load ("
rm -f "$fail_marker"
cp "$cache/$so_t" "$cache/$so"
attack "another program's object" "$cache/$so was not built from this program: removed"
check "another program's object: removed" [ ! -e "$cache/$so" ]
rm -f "$fail_marker"
cp "$scratch/good.so" "$cache/$so"
run_s "the good object again"
check "the good object again: native" [ "$(stats_code)" = "code: native ($cache/$so)" ]

# ---- no usable cache folder: JIT, no message, the right output
: >"$scratch/afile"
PIPEC_CACHE_DIR=$scratch/afile/cache PIPEC_NATIVE=always expect "a cache folder that cannot be made" 0 \
    "$PIPEC" run "$scratch/s.pipe" <"$scratch/in.txt"
check "a cache folder that cannot be made: output" out_is "$expect_s"
check "a cache folder that cannot be made: no message" [ ! -s "$scratch/err" ]
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$scratch/ro"
    chmod 500 "$scratch/ro"
    PIPEC_CACHE_DIR=$scratch/ro PIPEC_NATIVE=always expect "a read-only cache folder" 0 \
        "$PIPEC" run "$scratch/s.pipe" <"$scratch/in.txt"
    check "a read-only cache folder: output and no message" sh -c '[ "$(cat "$1")" = "$2" ] && [ ! -s "$3" ]' - \
        "$scratch/out" "$expect_s" "$scratch/err"
    chmod 700 "$scratch/ro"
else
    skipped "a read-only cache folder (root writes anyway)"
fi

# ---- as fast as a built binary: instructions (callgrind: exact, unlike
# times on a shared machine) of the native run within 1.2 times the binary's,
# pipec's start-up included; the JIT's are well above
case $PIPEC in *asan*) sanitized=yes ;; *) sanitized=no ;; esac
if [ "${PIPEC_UNDER_VALGRIND:-}" = 1 ] || [ $sanitized = yes ] || ! command -v valgrind >/dev/null 2>&1; then
    skipped "instruction counts (no valgrind, or pipec under it or built with ASan, which valgrind cannot run)"
else
    "$PIPEC" build "$scratch/s.pipe" -o "$scratch/s.bin" 2>"$scratch/err"
    count() { valgrind --tool=callgrind --child-silent-after-fork=yes --callgrind-out-file=/dev/null "$@" <"$scratch/in.txt" 2>&1 >/dev/null |
        sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'; }
    bin=$(count "$scratch/s.bin")
    nat=$(count "$PIPEC" run "$scratch/s.pipe")
    jit=$(PIPEC_NATIVE=0 count "$PIPEC" run "$scratch/s.pipe")
    echo "native: instructions: binary $bin, pipec run native $nat, JIT $jit"
    check "native run within 1.2 x the binary's instructions" [ "$nat" -le $((bin * 12 / 10)) ]
    check "JIT above 1.2 x (the check can fail)" [ "$jit" -gt $((bin * 12 / 10)) ]
fi

wait_builds
echo "native: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
