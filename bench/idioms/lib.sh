# lib.sh — what bench/idioms.sh and tests/run_idioms.sh share: the tasks, their formulations,
# and their inputs. Sourced after the caller has set top (the checkout) and cd'ed there; CC is
# the C compiler (default cc).

IDIOMS_DIR=bench/idioms
IDIOMS_SEED=42

# idioms_tasks [NAMES]: the task folders (NN_name), all of them or those named (a name may
# leave out its NN_ or be a number: "contains", "03"); unknown names are an error
idioms_tasks() {
    if [ -z "$1" ]; then
        for it_d in "$IDIOMS_DIR"/[0-9]*_*/; do it_d=${it_d%/}; echo "${it_d##*/}"; done
        return 0
    fi
    for it_n in $1; do
        it_hit=
        for it_d in "$IDIOMS_DIR"/[0-9]*_*/; do
            it_d=${it_d%/}
            it_d=${it_d##*/}
            case $it_d in "$it_n" | *_"$it_n" | "$it_n"_*) it_hit=$it_d ;; esac
        done
        [ -n "$it_hit" ] || { echo "idioms: no task '$it_n' in $IDIOMS_DIR" >&2; return 1; }
        echo "$it_hit"
    done
}

# idioms_forms TASK: its formulations (file names without .pipe), in order
idioms_forms() {
    for if_f in "$IDIOMS_DIR/$1"/*.pipe; do if_f=${if_f##*/}; echo "${if_f%.pipe}"; done
}

# idioms_kind TASK: the input it reads (the "# input: KIND" line of its ref.sh)
idioms_kind() { sed -n 's/^# input: *//p' "$IDIOMS_DIR/$1/ref.sh"; }

# idioms_what TASK: the one-line description (the first line of its ref.sh)
idioms_what() { sed -n '1s/^# *//p' "$IDIOMS_DIR/$1/ref.sh"; }

# idioms_gens DIR: builds the three generators into DIR (kept while their sources are unchanged;
# a changed one removes the inputs made before)
idioms_gens() {
    for ig_g in gen_access gen_lines gen_idioms; do
        ig_sum=$(cksum <"bench/$ig_g.c" | cut -d' ' -f1)
        [ -x "$1/${ig_g}_$ig_sum" ] && continue
        rm -f "$1/${ig_g}"_* "$1"/*.txt
        ${CC:-cc} -std=c11 -O2 -o "$1/${ig_g}_$ig_sum" "bench/$ig_g.c" || return 1
    done
}

# idioms_input KIND MIB DIR [LINES]: the path of input KIND (access, applog, dpkg, text, nums,
# csv) of MIB MiB (its first LINES lines when given), made in DIR (with the generators there)
# unless it is there already
idioms_input() {
    ii_f=$3/$1_$2mib${4:+_$4l}.txt
    [ -f "$ii_f" ] && { echo "$ii_f"; return 0; }
    idioms_gens "$3" || return 1
    case $1 in
    access) ii_c="$3/gen_access_* $2 $IDIOMS_SEED" ;;
    applog) ii_c="$3/gen_lines_* $2 $IDIOMS_SEED" ;;
    dpkg | text | nums | csv) ii_c="$3/gen_idioms_* $1 $2 $IDIOMS_SEED" ;;
    *) echo "idioms: unknown input kind '$1'" >&2; return 1 ;;
    esac
    if [ -n "$4" ]; then
        $ii_c | head -n "$4" >"$ii_f.tmp"
    else
        $ii_c >"$ii_f.tmp"
    fi && mv "$ii_f.tmp" "$ii_f" || { rm -f "$ii_f.tmp"; return 1; }
    echo "$ii_f"
}
