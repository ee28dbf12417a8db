#!/usr/bin/env python3
"""normalize.py — the canonical form of a task's output, for bench/records.sh to compare tools
whose outputs legitimately differ in form only. `python3 normalize.py MODE FILE` writes it to
stdout. Modes:
  text    as is (counts: surrounding blanks dropped)
  csv     every cell re-quoted minimally (RFC 4180, LF line ends); a cell that is a non-integer
          number is written as %.9g (tools print floats with different digits: 17 significant,
          shortest round-trip, or sums taken in another order)
  csv-set as csv, then the data rows sorted (the header stays first): for group-by outputs,
          whose row order is the tool's choice
  json    each line parsed and written back compactly (no spaces after ',' and ':', keys in
          their order, UTF-8 instead of \\u escapes, '\\/' as '/'), floats as %.9g
"""
import csv
import json
import re
import sys

FLOAT = re.compile(r"-?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+)\Z")
OUT = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", buffering=1 << 20, closefd=False)


def num(cell):
    return "%.9g" % float(cell) if FLOAT.match(cell) else cell


def csv_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            yield [num(c) for c in row]


def fix(v):
    if isinstance(v, float):
        return float("%.9g" % v)
    if isinstance(v, dict):
        return {k: fix(x) for k, x in v.items()}
    if isinstance(v, list):
        return [fix(x) for x in v]
    return v


def main(mode, path):
    if mode == "text":
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            OUT.write(f.read().strip() + "\n")
    elif mode in ("csv", "csv-set"):
        rows = csv_rows(path)
        w = csv.writer(OUT, lineterminator="\n")
        if mode == "csv-set":
            head = next(rows, [])
            rows = [head] + sorted(rows)
        w.writerows(rows)
    elif mode == "json":
        enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    OUT.write(enc(fix(json.loads(line))) + "\n")
    else:
        sys.exit(f"normalize.py: unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    OUT.flush()
