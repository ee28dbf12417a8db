# bash completion for pipec, the compiler of the Pipe language.
#
# Completes the commands, the options of each command, .pipe scripts, the
# values of --format and --pipeline, --list-stages and its --format, the
# stages and functions of `pipec help NAME`, the data
# files of `pipec schema`, and, after `pipec run SCRIPT`, the
# pipeline's parameters, read from `pipec run SCRIPT --help`.
#
# Install: copy to $PREFIX/share/bash-completion/completions/pipec (loaded on
# demand by the bash-completion package), or source it from ~/.bashrc.
# Needs nothing but bash.

_pipec_commands="run build emit-c check graph plan repl fmt schema"

# The options of each command (run's parameters are added after the script).
_pipec_options() {
    case $1 in
        run) echo "--pipeline --stats --stats=json --progress --mem-limit --max-line-bytes --max-input-bytes --timeout --trace --run-id --version --help" ;;
        build | emit-c) echo "-o --output --pipeline --safe --allow-read --allow-write --sandbox --max-errors --help" ;;
        check) echo "--dump-ast --format --safe --allow-read --allow-write --max-errors --help" ;;
        graph) echo "--format -o --output --pipeline --help" ;;
        plan) echo "--pipeline --help" ;;
        repl) echo "--help" ;;
        fmt) echo "--check --help" ;;
        schema) echo "--format --rows --help" ;;
    esac
}

# _pipec_add WORDS...: add the words that start with $cur to COMPREPLY
_pipec_add() {
    local w
    for w in "$@"; do
        [[ $w == "$cur"* && " ${COMPREPLY[*]} " != *" $w "* ]] && COMPREPLY+=("$w")
    done
}

# .pipe files and folders (to go on into) that start with $cur
_pipec_scripts() {
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -X '!*.pipe' -- "$cur") $(compgen -d -- "$cur"))
}

# the data files pipec schema tells the format of, and folders
_pipec_data_files() {
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    local f
    for f in $(compgen -f -- "$cur"); do
        case $f in *.csv | *.tsv | *.tab | *.json | *.jsonl | *.ndjson) COMPREPLY+=("$f") ;; esac
    done
    COMPREPLY+=($(compgen -d -- "$cur"))
}

_pipec_any_file() {
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -- "$cur"))
}

# The parameters of the script's pipeline as "--NAME TYPE" lines, from
# `pipec run SCRIPT [--pipeline NAME] --help` (its "  --NAME TYPE ..." lines,
# TYPE one of str int float bool; other lines are run-time options or help);
# remembered while the script does not change.
_pipec_params_cache_key=""
_pipec_params_cache=""
_pipec_params() {
    local pipec=$1 script=$2 pipeline=$3
    [[ -f $script ]] || return
    local key
    key="$pipec|$script|$pipeline|$(stat -c '%Y %s' -- "$script" 2>/dev/null || command ls -l -- "$script" 2>/dev/null)"
    if [[ $key != "$_pipec_params_cache_key" ]]; then
        local help
        local -a argv=("$pipec" run "$script")
        [[ -n $pipeline ]] && argv+=(--pipeline "$pipeline")
        if command -v timeout >/dev/null 2>&1; then
            help=$(timeout 10 "${argv[@]}" --help 2>/dev/null </dev/null)
        else
            help=$("${argv[@]}" --help 2>/dev/null </dev/null)
        fi
        _pipec_params_cache=$(printf '%s\n' "$help" |
            sed -n 's/^  \(--[A-Za-z_][A-Za-z0-9_]*\)[[:space:]]\{1,\}\(str\|int\|float\|bool\)\([[:space:]].*\)\{0,1\}$/\1 \2/p')
        _pipec_params_cache_key=$key
    fi
    printf '%s\n' "$_pipec_params_cache"
}

# The names of the pipelines declared in a script
_pipec_pipelines() {
    [[ -f $1 ]] || return
    sed -n 's/^[[:space:]]*pipeline[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' -- "$1" 2>/dev/null
}

_pipec() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # the pipec that was typed (bin/pipec, ~/bin/pipec, pipec)
    local pipec=${COMP_WORDS[0]}
    pipec=${pipec/#\~/$HOME}
    command -v "$pipec" >/dev/null 2>&1 || pipec=pipec

    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            _pipec_add --help -h --version --list-stages
        else
            _pipec_add $_pipec_commands help
        fi
        return 0
    fi

    local cmd=${COMP_WORDS[1]}
    # pipec help NAME: the stages and functions `pipec help` lists
    if [[ $cmd == help ]]; then
        ((COMP_CWORD == 2)) && _pipec_add --markdown $("$pipec" help 2>/dev/null | sed -n '/^stages and functions/,$p' | tail -n +2)
        return 0
    fi
    # pipec --list-stages [--format json|text]
    if [[ $cmd == --list-stages ]]; then
        if [[ $prev == --format ]]; then
            _pipec_add json text
        else
            _pipec_add --format
        fi
        return 0
    fi
    case " $_pipec_commands " in
        *" $cmd "*) ;;
        *) return 0 ;;
    esac

    # --opt=value, whether or not readline split the word at '='
    local opt=""
    if [[ $cur == "=" ]]; then
        opt=$prev
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        cur=${cur#*=}
    fi

    # the script (the first argument that is not an option or an option's
    # value) and --pipeline, in the words before the current one
    local script="" pipeline="" i w skip=""
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -n $skip ]]; then
            [[ $skip == pipeline ]] && pipeline=$w
            skip=""
            continue
        fi
        case $w in
            -o | --output | --format | --trace | --run-id | --allow-read | --allow-write | --max-errors | --rows) skip=value ;;
            --pipeline) skip=pipeline ;;
            --pipeline=*) pipeline=${w#--pipeline=} ;;
            =) ;;
            -*) ;;
            *) [[ -z $script && $cmd != fmt ]] && script=$w ;;
        esac
    done
    [[ -n $script ]] && script=${script/#\~/$HOME}

    # the value of an option
    local valued=${opt:-$prev}
    case $valued in
        --format)
            [[ $cmd == graph ]] && _pipec_add dot svg png
            [[ $cmd == check ]] && _pipec_add text json
            [[ $cmd == schema ]] && _pipec_add csv tsv json
            return 0
            ;;
        --rows)
            return 0
            ;;
        --pipeline)
            local IFS=$'\n'
            _pipec_add $(_pipec_pipelines "$script")
            return 0
            ;;
        -o | --output)
            [[ -z $opt ]] && _pipec_any_file
            return 0
            ;;
        --trace)
            [[ $cmd == run ]] && _pipec_any_file
            return 0
            ;;
        --run-id)
            return 0
            ;;
        --allow-read | --allow-write)
            local IFS=$'\n'
            compopt -o filenames 2>/dev/null
            COMPREPLY+=($(compgen -d -- "$cur"))
            return 0
            ;;
    esac
    if [[ $opt == --stats ]]; then
        _pipec_add json
        return 0
    fi
    [[ -n $opt ]] && {
        # --param=value of a pipeline parameter
        if [[ $cmd == run && -n $script ]]; then
            local type
            type=$(_pipec_params "$pipec" "$script" "$pipeline" | sed -n "s/^$opt \\(.*\\)/\\1/p")
            case $type in
                bool) _pipec_add true false ;;
                str) _pipec_any_file ;;
            esac
        fi
        return 0
    }

    # after a pipeline parameter of `run`: its value
    if [[ $cmd == run && -n $script && $prev == --* && $prev != --pipeline ]]; then
        local type
        type=$(_pipec_params "$pipec" "$script" "$pipeline" | sed -n "s/^$prev \\(.*\\)/\\1/p")
        case $type in
            bool)
                # a bool parameter alone means true: offer values and options
                _pipec_add true false
                [[ $cur != -* ]] && return 0
                ;;
            str | int | float | [A-Za-z]*)
                [[ $type == str ]] && _pipec_any_file
                [[ -n $type ]] && return 0
                ;;
        esac
    fi

    if [[ $cur == -* ]]; then
        if [[ $cmd == run && -z $script ]]; then
            _pipec_add --pipeline --safe --allow-read --allow-write --max-errors --help # before the script
        else
            _pipec_add $(_pipec_options "$cmd")
            if [[ $cmd == run && -n $script ]]; then
                local p
                while read -r p _; do
                    [[ -n $p ]] && _pipec_add "$p"
                done < <(_pipec_params "$pipec" "$script" "$pipeline")
            fi
        fi
        return 0
    fi

    # the script (repl: an optional one to load first); fmt takes several;
    # schema a data file
    if [[ $cmd == schema ]]; then
        [[ -z $script ]] && _pipec_data_files
    elif [[ $cmd == fmt || -z $script ]]; then
        _pipec_scripts
    fi
    return 0
}

complete -F _pipec pipec
