#!/bin/sh
# Checks docs/pipec.1: groff renders it without a warning, and it covers every
# command and option that `bin/pipec --help` lists, and the environment.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$ROOT/docs/pipec.1
command -v groff >/dev/null 2>&1 || { echo "SKIP manpage: groff is not installed (apt-get install groff-base)"; exit 77; }
passed=0
failed=0
check() { # check OK WHAT
    if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL manpage: $2"; fi
}
warnings=$(groff -ww -z -man "$MAN" 2>&1)
check "$([ -z "$warnings" ] && echo 0 || echo 1)" "groff -ww -z -man warns: $warnings"
text=$(groff -man -Tutf8 "$MAN" 2>/dev/null | sed 's/.\x08//g; s/\xe2\x80\x90/-/g')
has() { printf '%s\n' "$text" | grep -q -e "$1"; }
words="run build emit-c check graph plan repl fmt --pipeline -o --output --format --dump-ast --help -h --version
--check --stats --stats=json --progress --trace --run-id CC CFLAGS PIPEC_CACHE_DIR XDG_CACHE_HOME dot svg png
:input :limit :lines :type :graph :c :load :save :reset :help :quit"
if [ -x "$ROOT/bin/pipec" ]; then
    words="$words $("$ROOT/bin/pipec" --help | grep -o -e '--[a-z][a-z-]*' -e ' -[a-z] ' -e '^  [a-z][a-z-]* ' | tr -d ' ' | sort -u | tr '\n' ' ')"
fi
for w in $words; do
    has "$w"
    check $? "'$w' is not in the man page"
done
for code in 0 1 2; do
    printf '%s\n' "$text" | grep -A 300 'EXIT STATUS' | grep -q "^ *$code  "
    check $? "exit status $code is not described"
done
echo "manpage: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
