# lib.sh — what bench/run.sh (with the bench/workloads.sh it sources) and bench/records.sh share:
# report lines, medians, hyperfine's JSON, a generator built by its checksum, PIPEC and BUILD.
# Sourced (`. "$top/bench/lib.sh"`) after the script has set top and cd'ed there; the caller
# sets report (what line appends to, as $report.tmp).

say() { printf '%s\n' "$*" >&2; }               # progress, not part of the report
line() { printf '%s\n' "$*" >>"$report.tmp"; }  # one line of the report

# abs PATH: PATH, relative to the repo root unless it is absolute
abs() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }

# the settings both read: the compiler and the build folder, absolute from here on
PIPEC=$(abs "${PIPEC:-bin/pipec}")
BUILD=$(abs "${BUILD:-build}")

# median: of the numbers on stdin, one a line ("nan" for none)
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
        else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# json_num FILE KEY: the first "KEY": number of a hyperfine JSON export (one key a line)
json_num() {
    awk -v k="\"$2\":" '$1 == k { v = $2; sub(/,$/, "", v); print v; exit }' "$1"
}

# json_cpu FILE: user + system seconds (hyperfine's means) of a hyperfine JSON export
json_cpu() {
    awk -v u="$(json_num "$1" user)" -v s="$(json_num "$1" system)" 'BEGIN { print u + s }'
}

# build_gen NAME DIR: builds bench/NAME.c as DIR/NAME_CHECKSUM unless it is there, removing
# the binaries of older sources; sets gen (its path) and gen_sum (the source's cksum, which
# also names the inputs it made). Returns 1 when it does not compile.
build_gen() {
    gen_sum=$(cksum <"bench/$1.c" | cut -d' ' -f1)
    gen=$2/$1_$gen_sum
    [ -x "$gen" ] && return 0
    rm -f "$2/$1"_*
    $CC -std=c11 -O2 -Wall -Wextra -o "$gen" "bench/$1.c"
}

# native_cache DIR: pipec run's native objects (docs/pipe.md, "Native runs") in DIR, a cache
# folder of the benchmark's own (PIPEC_CACHE_DIR, exported; mode 700, as pipec requires)
native_cache() {
    PIPEC_CACHE_DIR=$1
    export PIPEC_CACHE_DIR
    mkdir -p "$PIPEC_CACHE_DIR" && chmod 700 "$PIPEC_CACHE_DIR"
}

# wait_builds: until no native build holds a lock in $PIPEC_CACHE_DIR (at most 5 minutes)
wait_builds() {
    wb_i=0
    while [ $wb_i -lt 300 ] && ls "$PIPEC_CACHE_DIR" 2>/dev/null | grep -q '\.lock$'; do
        sleep 1
        wb_i=$((wb_i + 1))
    done
}
