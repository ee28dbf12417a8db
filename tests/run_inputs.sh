#!/bin/sh
# Several inputs, .gz and outputs named by the data (LANGUAGE.md §9): FILE
# arguments of `pipec run` and built binaries against cat, .gz inputs against
# zcat (random data, several members, empty), file_by and append_by against
# awk's `print > $3 ".log"` with 1,000+ names (more than the 256 open files),
# limits on decompressed bytes (a gzip bomb), --stats counting the files, and
# --safe and --sandbox: the files the user names are read, the paths the data
# names are refused outside --allow-write (as an attacker would try).
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
for tool in awk zcat gzip cmp; do
    command -v $tool >/dev/null 2>&1 || suite_skipped inputs "$tool not installed"
done
cd "$scratch" || exit 2

cat >cat.pipe <<'EOF'
pipeline main {
    stdin | stdout
}
EOF
cat >by.pipe <<'EOF'
pipeline main {
    stdin | file_by(s => field(s, 3, " ") + ".log")
}
EOF
cat >appby.pipe <<'EOF'
pipeline main {
    stdin | append_by(s => field(s, 3, " ") + ".log")
}
EOF
"$PIPEC" build cat.pipe -o cat_bin 2>err || { check "build cat.pipe" false; cat err; }
"$PIPEC" build by.pipe -o by_bin 2>err || { check "build by.pipe" false; cat err; }

# --- several files vs cat ---------------------------------------------------------
awk 'BEGIN { srand(3); for (i = 0; i < 20000; i++) print i, int(rand() * 1e9) }' >big.txt
printf 'one\ntwo' >nonl.txt
: >empty.txt
printf 'from stdin\n' >stdin.txt
# cat's bytes, with a '\n' after each file's last line that lacks one: every
# line is an item, and a sink ends each with '\n'
lines() {
    for f; do
        cat "$f"
        [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] && echo
    done
}
for runner in "$PIPEC run cat.pipe" ./cat_bin; do
    $runner big.txt nonl.txt empty.txt big.txt <stdin.txt >got 2>err
    lines big.txt nonl.txt empty.txt big.txt >want
    check "$runner: four files as cat" cmp -s got want
    $runner nonl.txt - big.txt <stdin.txt >got 2>err
    lines nonl.txt stdin.txt big.txt >want
    check "$runner: - is standard input" cmp -s got want
    $runner -- nonl.txt <stdin.txt >got 2>err
    lines nonl.txt >want
    check "$runner: -- before the files" cmp -s got want
    expect "$runner: an option after the files" 2 $runner nonl.txt --stats
    has "$runner: an option after the files: message" "option '--stats' after the input files"
    expect "$runner: a missing file" 1 $runner nonl.txt missing.txt big.txt
    has "$runner: a missing file: named" "cannot open 'missing.txt': No such file or directory (input missing.txt)"
    check "$runner: a missing file: earlier output written, later files not read" \
        sh -c "printf 'one\ntwo\n' | cmp -s - '$scratch/out'"
    expect "$runner: a folder" 1 $runner .
    has "$runner: a folder: named" "cannot read '.'"
done
printf 'a\n1\nb\n' >ints.txt
printf 'pipeline main {\n    stdin | to_int | stdout\n}\n' >toint.pipe
expect "a runtime error names the file and line" 1 "$PIPEC" run toint.pipe ints.txt
has "a runtime error names the file and line: text" "(input ints.txt, line 1)"
printf '1\n2\n' >ok.txt
expect "line numbers restart in each file" 1 "$PIPEC" run toint.pipe ok.txt ints.txt
has "line numbers restart in each file: text" "(input ints.txt, line 1)"
"$PIPEC" run --safe cat.pipe --stats=json big.txt nonl.txt >/dev/null 2>stats.json
check "--stats counts the lines of every file" grep -q '"items_out": 20002' stats.json

# --- .gz vs zcat --------------------------------------------------------------------
head -c 300000 /dev/urandom >rand.bin
gzip -c rand.bin >rand.gz
gzip -c big.txt >m.gz
gzip -c nonl.txt >>m.gz
gzip -c empty.txt >>m.gz
gzip -c big.txt >>m.gz
gzip -c empty.txt >empty.gz
# zcat's bytes, and a '\n' after a last line without one, as every sink writes it
zwant() {
    zcat "$@" >want
    [ -s want ] && [ "$(tail -c 1 want | od -An -c | tr -d ' ')" != '\n' ] && echo >>want
}
for f in rand.gz m.gz empty.gz; do
    zwant "$f"
    for runner in "$PIPEC run cat.pipe" ./cat_bin; do
        $runner "$f" >got 2>err
        check "$runner: $f as zcat" cmp -s got want
    done
done
zwant m.gz rand.gz empty.gz
$PIPEC run cat.pipe m.gz rand.gz empty.gz >got 2>err
check "several .gz files as zcat" cmp -s got want
printf 'pipeline main {\n    file("m.gz") | count_items | stdout\n}\n' >filegz.pipe
check "file(path) reads .gz" sh -c "[ \"\$('$PIPEC' run filegz.pipe)\" = \"\$(zcat m.gz | awk 'END { print NR }')\" ]"
cp m.gz stdin_plain.gz
"$PIPEC" run cat.pipe <stdin_plain.gz >got 2>err
lines stdin_plain.gz >want
check "< f.gz: standard input is read as it is" cmp -s got want
"$PIPEC" run cat.pipe - <stdin_plain.gz >got 2>err
check "- f.gz: standard input is read as it is" cmp -s got want
head -c 40000 rand.gz >trunc.gz
expect "a truncated .gz" 1 "$PIPEC" run cat.pipe trunc.gz
has "a truncated .gz: message" "cannot read 'trunc.gz': truncated gzip data"
cp m.gz bad.gz
printf 'XXXXXXXXXXXX' | dd of=bad.gz bs=1 seek=5000 conv=notrunc 2>/dev/null
expect "a corrupt .gz" 1 "$PIPEC" run cat.pipe bad.gz
has "a corrupt .gz: message" "cannot read 'bad.gz': corrupt gzip data (input bad.gz, line"
cat m.gz nonl.txt >garbage.gz
expect "bytes after the last member" 1 "$PIPEC" run cat.pipe garbage.gz
has "bytes after the last member: message" "corrupt gzip data"
: >zero.gz
expect "an empty file named .gz" 1 "$PIPEC" run cat.pipe zero.gz
has "an empty file named .gz: message" "not gzip data"
# a gzip bomb: 1 GiB of zeros in ~1 MB; the limits count decompressed bytes
head -c 1073741824 /dev/zero | tr '\0' 'a' | fold -w 100 | gzip -1 >bomb.gz 2>/dev/null
expect "a gzip bomb stops at --max-input-bytes" 1 "$PIPEC" run cat.pipe --max-input-bytes 10M bomb.gz
has "a gzip bomb: message" "input exceeds --max-input-bytes=10485760"
check "a gzip bomb: what came before the limit is written" sh -c "[ \$(wc -c <'$scratch/out') -le 10485760 ]"
head -c 200000000 /dev/zero | gzip -1 >zeros.gz
expect "a line bomb stops at --max-line-bytes" 1 "$PIPEC" run cat.pipe --max-line-bytes 1M zeros.gz
has "a line bomb: message" "line longer than --max-line-bytes=1048576"

# --- file_by / append_by vs awk -----------------------------------------------------
# a dpkg.log-like file: date time action package ...; package names: 1,200
awk 'BEGIN { srand(11); split("install upgrade remove configure status trigproc", act, " ")
             for (i = 0; i < 30000; i++) {
                 p = "pkg" int(rand() * 1200)
                 printf "2026-12-%02d 10:%02d:%02d %s %s:amd64 1.%d\n", 1 + i % 28, i % 60, i % 59,
                        act[1 + int(rand() * 6)], p, i
             } }' >dpkg.log
mkdir -p awk pipe bin
(cd awk && awk '{ print > ($4 ".log") }' ../dpkg.log)
(cd pipe && "$PIPEC" run ../by.pipe ../dpkg.log 2>../err)
(cd bin && ../by_bin ../dpkg.log 2>../err)
n=$(ls awk | wc -l)
check "file_by: more than 1,000 names ($n)" [ "$n" -gt 1000 ]
check "file_by (run) as awk's print > \$4 \".log\"" diff -rq awk pipe
check "file_by (binary) as awk's print > \$4 \".log\"" diff -rq awk bin
# file_by truncates each file when it first opens it; append_by appends
(cd pipe && "$PIPEC" run ../by.pipe ../dpkg.log 2>../err)
check "file_by truncates at the first open of the run" diff -rq awk pipe
(cd awk && awk '{ print >> ($4 ".log") }' ../dpkg.log)
(cd pipe && "$PIPEC" run ../appby.pipe ../dpkg.log 2>../err)
check "append_by as awk's print >> \$4 \".log\"" diff -rq awk pipe
# names from the data that no file may have
printf 'pipeline main {\n    stdin | file_by(s => field(s, 3, " "))\n}\n' >emptyname.pipe
printf 'a b c\n' >noname.txt
expect "file_by: an empty name" 1 "$PIPEC" run emptyname.pipe noname.txt
has "file_by: an empty name: message" "the file name is empty"

printf 'pipeline main {\n    stdin | file_by(s => "x" + s)\n}\n' >nul.pipe
printf 'a\000b\n' >nul.txt
expect "file_by: a NUL byte" 1 "$PIPEC" run nul.pipe nul.txt
has "file_by: a NUL byte: message" "the file name holds a NUL byte"
awk 'BEGIN { s = ""; for (i = 0; i < 5000; i++) s = s "a"; print s }' >long.txt
expect "file_by: a name longer than the system takes" 1 "$PIPEC" run nul.pipe long.txt
has "file_by: long name: message" "longer than 4095 bytes"

# --- --safe and --sandbox -----------------------------------------------------------
mkdir -p outside allowed/in allowed/out
printf 'secret\n' >outside/secret.txt
printf 'x 1 ../../outside/owned\nx 2 /tmp/pipe_inputs_owned\nx 3 fine\nx 4 link/evil\n' >attack.txt
ln -s ../../outside allowed/out/link
printf 'pipeline main {\n    stdin | file_by(s => field(s, 2, " "))\n}\n' >raw.pipe
expect "--safe: a user-named input outside the folders is read" 0 \
    "$PIPEC" run --safe --allow-write allowed/out cat.pipe outside/secret.txt
check "--safe: the input's lines" grep -qx secret "$scratch/out"
for line in 1 2 4; do
    sed -n "${line}p" attack.txt >one.txt
    (cd allowed/out && "$PIPEC" run --safe --allow-write . ../../raw.pipe ../../one.txt >../../out 2>../../err)
    rc=$?
    check "--safe: file_by refuses $(cut -d' ' -f3 one.txt) (exit $rc)" [ $rc -eq 1 ]
    has "--safe: file_by $(cut -d' ' -f3 one.txt): outside" "is outside the folders"
done
check "--safe: nothing written outside" sh -c "[ ! -e outside/owned ] && [ ! -e /tmp/pipe_inputs_owned ] && [ ! -e outside/evil ]"
sed -n 3p attack.txt >one.txt
(cd allowed/out && "$PIPEC" run --safe --allow-write . ../../raw.pipe ../../one.txt 2>../../err)
check "--safe: file_by writes beneath --allow-write" [ -f allowed/out/fine ]
if "$PIPEC" build --sandbox --allow-write allowed/out cat.pipe -o cat_sb 2>err; then
    ./cat_sb outside/secret.txt big.txt >got 2>err
    cat outside/secret.txt big.txt >want
    check "--sandbox: the files named on the command line are read" cmp -s got want
    zwant m.gz
    ./cat_sb m.gz >got 2>err
    check "--sandbox: a .gz input" cmp -s got want
    expect "--sandbox: a missing input is an error" 1 ./cat_sb nothere.txt
    "$PIPEC" build --sandbox --allow-write allowed/out raw.pipe -o raw_sb 2>err
    sed -n 1p attack.txt >one.txt
    (cd allowed/out && ../../raw_sb ../../one.txt >../../out 2>../../err)
    check "--sandbox: file_by cannot write outside --allow-write" [ ! -e outside/owned ]
    sed -n 3p attack.txt >one.txt
    rm -f allowed/out/fine
    (cd allowed/out && ../../raw_sb ../../one.txt 2>../../err)
    check "--sandbox: file_by writes in --allow-write" [ -f allowed/out/fine ]
else
    skipped "--sandbox (no Landlock here)"
fi

echo "inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
