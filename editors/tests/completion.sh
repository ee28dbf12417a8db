#!/bin/bash
# Checks completion/pipec.bash: sources it in bash, calls _pipec with
# COMP_WORDS/COMP_CWORD set, and checks COMPREPLY.  Needs bin/pipec (built by
# `make`) for the parameters of `pipec run SCRIPT`.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
export PATH="$ROOT/bin:$PATH"
# shellcheck source=../../completion/pipec.bash
. "$ROOT/completion/pipec.bash"
passed=0
failed=0

# complete WORDS...: the line is the words; the last one is being completed
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _pipec
}

# expect "WORDS" has|is|lacks|empty REPLY...
expect() {
    local line=$1 how=$2
    shift 2
    local -a words
    read -r -a words <<<"$line"
    [[ $line == *" " ]] && words+=("")
    complete_words "${words[@]}"
    local got=" ${COMPREPLY[*]} " ok=1 w
    case $how in
        has) for w in "$@"; do [[ $got == *" $w "* ]] || ok=0; done ;;
        lacks) for w in "$@"; do [[ $got == *" $w "* ]] && ok=0; done ;;
        is)
            local want
            want=" $(printf '%s\n' "$@" | sort | tr '\n' ' ')"
            [[ " $(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" == "$want" ]] || ok=0
            ;;
        empty) ((${#COMPREPLY[@]} == 0)) || ok=0 ;;
    esac
    if ((ok)); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL completion of '$line' ($how $*): got [${COMPREPLY[*]}]"
    fi
}


expect "pipec " is run build emit-c check graph plan repl fmt schema help
expect "pipec e" is emit-c
expect "pipec -" is --help -h --version --list-stages
expect "pipec --list-stages " is --format
expect "pipec --list-stages --format " is json text
expect "pipec help gre" is grep grep_v grep_f
expect "pipec help sub" is substr
expect "pipec help grep " empty
expect "pipec graph --format " is dot svg png
expect "pipec graph examples/params.pipe --format s" is svg
expect "pipec graph examples/params.pipe --format=" is dot svg png
expect "pipec graph examples/params.pipe --format = p" is png
expect "pipec graph examples/params.pipe -" has --format -o --pipeline --help
expect "pipec graph examples/params.pipe -" lacks --dump-ast --pattern
expect "pipec check examples/params.pipe -" is --dump-ast --format --safe --allow-read --allow-write --max-errors --help
expect "pipec check examples/params.pipe --format " is text json
expect "pipec fmt -" is --check --help
expect "pipec schema -" is --format --rows --help
expect "pipec schema --format " is csv tsv json
expect "pipec schema tests/schema/types.csv --rows " empty
expect "pipec schema tests/schema/debian" is tests/schema/debian-releases.csv
expect "pipec schema tests/schema/o" is tests/schema/orders.jsonl
expect "pipec schema tests/schema/types.csv " empty
expect "pipec plan examples/params.pipe -" is --pipeline --help
expect "pipec build examples/params.pipe -" is -o --output --pipeline --safe --allow-read --allow-write --sandbox --max-errors --help
expect "pipec build --allow-read examples/li" is examples/lib
expect "pipec run examples/params.pipe -" lacks --safe --sandbox
expect "pipec run -" is --pipeline --safe --allow-read --allow-write --max-errors --help
expect "pipec run examples/par" is examples/params.pipe
expect "pipec check examples/lib/" is examples/lib/clean.pipe
expect "pipec run examples/params.pipe " empty
expect "pipec fmt examples/params.pipe examples/top_" is examples/top_words.pipe
expect "pipec repl examples/par" is examples/params.pipe
expect "pipec repl examples/params.pipe " empty
expect "pipec repl -" is --help
expect "pipec build examples/params.pipe -o examples/params.p" is examples/params.pipe
expect "pipec emit-c examples/ex" has examples/extern_rot13.pipe
expect "pipec emit-c examples/ex" lacks examples/extern_rot13.in


# the parameters of `pipec run SCRIPT` come from `pipec run SCRIPT --help`
if [[ -x $ROOT/bin/pipec ]]; then
    expect "pipec run examples/params.pipe --" has --pattern --n --upper --pipeline --stats --progress --help
    expect "pipec run examples/params.pipe --p" is --pattern --pipeline --progress
    expect "pipec run examples/params.pipe --max" is --max-line-bytes --max-input-bytes
    expect "pipec run examples/params.pipe --ti" is --timeout
    expect "pipec run examples/params.pipe --timeout 10s --u" is --upper
    expect "pipec run examples/params.pipe --upper " is true false
    expect "pipec run examples/params.pipe --n " empty
    expect "pipec run examples/params.pipe --n 5 --u" is --upper
    expect "pipec run examples/params.pipe --stats=" is json
    expect "pipec run examples/params.pipe --stats --" has --pattern
    expect "pipec run examples/params.pipe --" has --trace --run-id --version
    expect "pipec run examples/params.pipe --tr" is --trace
    expect "pipec run examples/params.pipe --trace examples/access." is examples/access.log
    expect "pipec run examples/params.pipe --trace=examples/access." is examples/access.log
    expect "pipec run examples/params.pipe --run-id " empty
    expect "pipec run examples/params.pipe --trace t.jsonl --" has --pattern --run-id
    expect "pipec run examples/top_words.pipe --" has --n
    expect "pipec run examples/top_words.pipe --" lacks --pattern
    expect "pipec run examples/triage.pipe --log=examples/access." is examples/access.log
    expect "pipec run tests/golden/pick_pipeline.pipe --pipeline " is main shout
    expect "pipec run tests/golden/pick_pipeline.pipe --pipeline shout --" has --mark
else
    echo "SKIP completion of run's parameters: bin/pipec is not built (make)"
fi

echo "completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
