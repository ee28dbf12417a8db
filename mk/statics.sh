#!/bin/sh
# Lists file-scope static names defined in more than one of the given C files.
# `pipec emit-c` pastes the runtime and stdlib into one C file, so such a name
# would clash there: the Makefile runs this and fails the build on any output.
for f in "$@"; do
    sed -e 's/__attribute__(([^)]*)) *//g' -n -e 's/^static[^(=;]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) *[(=;[].*/\1/p' "$f" | sort -u | sed "s|\$| $f|"
done | sort | awk '{n[$1]++; w[$1] = w[$1] " " $2} END {for (k in n) if (n[k] > 1) print k ":" w[k]}' | sort
