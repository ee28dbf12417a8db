#!/usr/bin/env python3
"""within.py — bench/records.sh's check of an anchor's group-by output against the reference's
when they differ after normalizing: `python3 within.py REL FILE REF` exits 0 when the two CSVs
have the same header and the same rows (in any order), cells equal but for non-integer numbers,
which may differ by the relative REL (|a - b| <= REL * max(|a|, |b|)); else it prints the first
difference and exits 1. Why: a float sum depends on the order of its additions, and a parallel
tool (DuckDB on all cores) adds in another order than Python, differing in the last bits. The
normalized %.9g can still differ there (65628136.75000129 and ...74999999 round apart). pipec is
never checked this way: it must match Python's output exactly.
"""
import csv
import re
import sys

NUM = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")
INT = re.compile(r"-?\d+\Z")


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = list(csv.reader(f))
    # the groups' order is each tool's choice: sort by the cells that are not numbers (the key)
    return r[:1] + sorted(r[1:], key=lambda row: [c for c in row if not NUM.match(c)])


def close(a, b, rel):
    if a == b:
        return True
    if not (NUM.match(a) and NUM.match(b)) or (INT.match(a) and INT.match(b)):
        return False                        # text, or counts: exact
    x, y = float(a), float(b)
    return abs(x - y) <= rel * max(abs(x), abs(y))


def main(rel, path, ref):
    got, want = rows(path), rows(ref)
    if len(got) != len(want):
        print(f"{len(got)} lines, the reference {len(want)}")
        return 1
    for n, (g, w) in enumerate(zip(got, want), 1):
        if len(g) != len(w) or not all(close(a, b, rel) for a, b in zip(g, w)):
            print(f"sorted line {n}: {','.join(g)[:60]} vs {','.join(w)[:60]}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), sys.argv[2], sys.argv[3]))
