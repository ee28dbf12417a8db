#!/bin/sh
# fnlen.sh [MAX] FILE... — lists the functions of C files longer than MAX lines
# (default 120), one "file:line: name: N lines" each, counted from the line of
# the opening '{' to the closing '}'.  It relies on the house layout: a
# definition's name starts its line, and its braces stand alone in column 0.
max=120
case $1 in [0-9]*) max=$1; shift ;; esac
awk -v max="$max" '
    FNR == 1 { name = ""; start = 0 }
    /^[A-Za-z_][A-Za-z0-9_ \t*]*\(/ && !/;[ \t]*$/ {
        sig = $0
        sub(/\(.*/, "", sig)
        n = split(sig, w, /[ \t*]+/)
        cand = w[n]; candline = FNR
    }
    /^\{/ && cand != "" { name = cand; start = FNR; line = candline }
    /^\}/ && start {
        len = FNR - start + 1
        if (len > max) printf "%s:%d: %s: %d lines\n", FILENAME, line, name, len
        start = 0; cand = ""
    }
    /^[A-Za-z_].*;[ \t]*$/ { cand = "" }
' "$@"
