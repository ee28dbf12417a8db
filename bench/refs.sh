#!/bin/sh
# refs.sh — the reference implementations of the eight workloads, with the tools a user has:
#   sh bench/refs.sh WORKLOAD TOOL <INPUT >OUTPUT
# WORKLOAD is w1..w8 (bench/workloads/wN.pipe is pipec's version), TOOL is one of
#   shell   coreutils / grep / sed / sort / uniq / tee pipeline (w4 also needs bc)
#   mawk    the awk program of the workload, run by mawk
#   gawk    the same program, run by GNU awk
# w6 also writes the files named by $OUT_5XX and $OUT_404. Exit code 3: the tool is not
# installed (bench/workloads.sh then leaves it out). Every command runs under LC_ALL=C: bytes,
# not characters, and the fast paths of grep/sed/sort/awk.
#
# Each command is written the fast idiomatic way for its tool (grep -F for a literal, a regex
# literal in awk, sort -S so GNU sort does not spill to temporary files), and each is meant to
# print byte for byte what the pipec script prints; bench/workloads.sh checks that before timing.
# Fields are single-space separated (see gen_access.c), so `cut -d' '`, awk's default splitting
# and `^([^ ]* ){k}` agree.

export LC_ALL=C
w=$1 tool=$2
tab=$(printf '\t')

case $tool in
shell) need="cat grep sed sort uniq cut tee wc tr head mkfifo"; [ "$w" = w4 ] && need="$need bc" ;;
mawk | gawk) need=$tool ;;
*) echo "refs.sh: unknown tool '$tool' (shell, mawk, gawk)" >&2; exit 2 ;;
esac
for t in $need; do
    command -v "$t" >/dev/null 2>&1 || { echo "refs.sh: $t is not installed" >&2; exit 3; }
done

# ---- the awk programs (POSIX awk: the same text for mawk and gawk) ------------------------------

# the top K of the array n (count desc, then key asc in byte order) as count<TAB>key: one pass
# over the keys, each inserted into a sorted list tc/tk of at most K entries.
awk_top='
function top(K,    k, c, i, m) {
    m = 0
    for (k in n) {
        c = n[k]
        if (m == K && (c < tc[K] || (c == tc[K] && k "" > tk[K] ""))) continue
        i = (m < K) ? ++m : K
        while (i > 1 && (c > tc[i - 1] || (c == tc[i - 1] && k "" < tk[i - 1] ""))) {
            tc[i] = tc[i - 1]; tk[i] = tk[i - 1]; i--
        }
        tc[i] = c; tk[i] = k
    }
    for (i = 1; i <= m; i++) printf "%d\t%s\n", tc[i], tk[i]
}'

case $w in
w1) prog='{ print }' ;;
w2) prog='/ERROR/' ;;
w3) prog='$7 ~ /\/api\/v[0-9]+\/users\/[0-9]+/ { gsub(/[0-9]+/, "N"); print }' ;;
w4) prog='{ sum[$9] += $10 }
        END {
            # at most a handful of statuses: print them in byte order by repeated minimum
            for (;;) {
                low = ""
                for (s in sum) if (low == "" || s "" < low "") low = s
                if (low == "") break
                printf "%s\t%.0f\n", low, sum[low]
                delete sum[low]
            }
        }' ;;
w5) prog="$awk_top"'
        { $0 = tolower($0); gsub(/[^a-z]+/, " "); for (i = 1; i <= NF; i++) n[$i]++ }
        END { top(20) }' ;;
w6) prog='BEGIN { printf "" > o5; printf "" > o4 }
        $9 ~ /^5/ { print > o5; next }
        $9 == "404" { print > o4 }
        END { print NR }' ;;
w7) prog='!seen[$7]++ { print $7 }' ;;
w8) prog="$awk_top"'
        { n[$1]++ }
        END { top(10) }' ;;
*) echo "refs.sh: unknown workload '$w' (w1..w8)" >&2; exit 2 ;;
esac

if [ "$tool" != shell ]; then
    if [ "$w" = w6 ]; then
        exec "$tool" -v o5="$OUT_5XX" -v o4="$OUT_404" "$prog"
    fi
    exec "$tool" "$prog"
fi

# ---- the shell pipelines ------------------------------------------------------------------------

case $w in
w1) exec cat ;;
w2) exec grep -F ERROR ;;
w3) # ^([^ ]* ){6}[^ ]* skips fields 1-6 and stays inside field 7
    grep -E '^([^ ]* ){6}[^ ]*/api/v[0-9]+/users/[0-9]+' | sed -E 's/[0-9]+/N/g' ;;
w4) # sed turns each "status bytes" into a bc statement; bc adds exactly and prints the statuses
    # (3-digit numbers, so numeric order is byte order) that were seen
    cut -d' ' -f9,10 | sed -E -e 's/^([0-9]+) ([0-9]+)$/t[\1] += \2; u[\1] = 1/' \
        -e '$a\
for (k = 0; k < 1000; k++) if (u[k]) print k, "\\t", t[k], "\\n"' | bc ;;
w5) # one lower-case word a line (tr -s leaves one empty line when the text starts with a non-letter)
    tr A-Z a-z | tr -cs a-z '\n' | grep -v '^$' | sort -S 512M | uniq -c |
        sort -k1,1nr -k2,2 | head -n 20 | sed -E "s/^ *([0-9]+) /\\1$tab/" ;;
w6) # one pass: tee feeds two FIFOs, one grep each, and wc -l counts
    d=$(mktemp -d) || exit 1
    trap 'rm -rf "$d"' EXIT
    mkfifo "$d/5xx" "$d/404" || exit 1
    grep -E '^([^ ]* ){8}5' <"$d/5xx" >"$OUT_5XX" &
    grep -E '^([^ ]* ){8}404 ' <"$d/404" >"$OUT_404" &
    tee "$d/5xx" "$d/404" | wc -l
    wait ;;
w7) # number the paths, keep the first of each (stable unique sort), back to input order
    cut -d' ' -f7 | cat -n | sort -S 512M -t "$tab" -k2,2 -s -u | sort -S 512M -t "$tab" -k1,1n | cut -f2- ;;
w8) cut -d' ' -f1 | sort -S 512M | uniq -c | sort -k1,1nr -k2,2 | head -n 10 |
        sed -E "s/^ *([0-9]+) /\\1$tab/" ;;
esac
