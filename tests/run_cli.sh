#!/bin/sh
# The command line itself: --help and --version, usage errors (exit 2 with a
# hint), `pipec build` without a C compiler (libtcc makes the executable), a
# pipec copied alone to another folder (the JIT needs no other file), and
# `make install` laying out the binary, man page and completion.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
cd "$top" || exit 2

"$PIPEC" --help >"$scratch/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
for cmd in run build emit-c check graph repl fmt; do
    check "--help names $cmd" grep -q "^  $cmd " "$scratch/help"
done
check "--version" sh -c "'$PIPEC' --version | grep -qE '^pipec [0-9]+\.[0-9]+\.[0-9]+'"
"$PIPEC" frobnicate >/dev/null 2>"$scratch/err"
check "unknown command: exit 2" [ $? -eq 2 ]
check "unknown command: hint" grep -q "try 'pipec --help'" "$scratch/err"
"$PIPEC" run >/dev/null 2>"$scratch/err"
check "missing script: exit 2" [ $? -eq 2 ]
"$PIPEC" build examples/top_words.pipe >/dev/null 2>"$scratch/err"
check "build without -o: exit 2" [ $? -eq 2 ]
"$PIPEC" check "$scratch/none.pipe" >/dev/null 2>"$scratch/err"
check "unreadable script: exit 2" [ $? -eq 2 ]
check "unreadable script: message" grep -q "cannot read" "$scratch/err"

# PIPE_REGEX_JIT=0: PCRE2's interpreter, the same matches (make valgrind uses it)
printf 'ab12 cd345\nx\n7 the end\n' >"$scratch/re.in"
printf 'pipeline main { stdin | replace("([a-z]+)([0-9]*)", "<\\\\2\\\\1>") | grep("[0-9][a-z]") | stdout }\n' >"$scratch/re.pipe"
"$PIPEC" run "$scratch/re.pipe" <"$scratch/re.in" >"$scratch/re.jit" 2>&1
PIPE_REGEX_JIT=0 "$PIPEC" run "$scratch/re.pipe" <"$scratch/re.in" >"$scratch/re.int" 2>&1
check "PIPE_REGEX_JIT=0: same matches" sh -c "printf '<12ab> <345cd>\n' | cmp -s - '$scratch/re.jit' && cmp -s '$scratch/re.jit' '$scratch/re.int'"

# build with no C compiler: libtcc writes the executable
cp examples/top_words.pipe examples/top_words.in "$scratch/"
(cd "$scratch" && CC=/nonexistent/cc "$PIPEC" build top_words.pipe -o tw 2>build.err)
check "build without a C compiler" sh -c "cd '$scratch' && ./tw --n 3 < top_words.in | cmp -s - '$top/examples/top_words.out'"

# a lone copy of pipec, in an empty folder and an empty environment
mkdir -p "$scratch/alone"
cp "$PIPEC" "$scratch/alone/pipec"
check "a lone pipec runs scripts" sh -c "cd '$scratch' && env -i ./alone/pipec run top_words.pipe --n 3 < top_words.in | cmp -s - '$top/examples/top_words.out'"

# make install
if make -s install PIPEC="$PIPEC" PREFIX=/usr DESTDIR="$scratch/root" >/dev/null 2>&1; then
    check "install: binary" [ -x "$scratch/root/usr/bin/pipec" ]
    check "install: man page" [ -f "$scratch/root/usr/share/man/man1/pipec.1" ]
    check "install: completion" [ -f "$scratch/root/usr/share/bash-completion/completions/pipec" ]
else
    check "make install" false
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
