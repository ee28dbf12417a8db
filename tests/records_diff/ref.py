#!/usr/bin/env python3
"""ref.py SCRIPT INPUT: what `pipec run SCRIPT < INPUT` must print, for a
SCRIPT whose pipeline is `stdin | csv(T, ...) | to_json | stdout` (or tsv,
json), T a record declared in it (gen.py writes such scripts; so does
run_records_diff.sh around what `pipec schema` prints).
ref.py SCRIPT --each FILE...: the same for json(T) where each FILE holds one
JSON value over any number of lines (package.json).

Reads INPUT with Python's csv module (csv, and tsv as csv with TAB and no
quoting) or json module (JSON Lines), fills the record types declared in
SCRIPT (read here with a small parser of `record` blocks and the reader's
arguments) and writes each row as to_json writes it.  Where pipec's choices differ from
what Python's modules give, this applies pipec's documented choice (docs/pipe.md
"Records in the runtime"), so the comparison is of the reading:
  - blank lines: Python's csv gives [] for them, pipec skips them: skipped;
  - tsv: Python's csv does not decode escapes: \\t \\n \\r \\\\ decoded here,
    another backslash kept, as pipec does;
  - a cell converts to its field's type with int(), float(), true/false after
    stripping blanks, an empty cell to none (T?);
  - json: a key takes its field exactly, else by normalized name; the last of
    duplicate keys wins; a lone surrogate (\\ud800) is U+FFFD;
  - to_json's text: \\" \\\\ \\n \\r \\t, \\u00XX for other control bytes and
    DEL, other characters as UTF-8, floats as repr() (shortest digits, .0),
    NaN and infinities as null.
A row with more cells than the header stops the run: ref.py then writes
the rows before it and, on stderr, the fragments pipec's message must hold
(the cell counts and Python's csv line_num, the line where the row ends),
one a line, and exits 1.
"""
import csv
import json
import math
import re
import sys


def norm(s):
    return re.sub(r"[^a-z0-9]+", "_", s.lower())


def put_str(s):
    out = ['"']
    for c in s:
        o = ord(c)
        if 0xD800 <= o < 0xE000:
            out.append("\ufffd")
        elif c in '"\\':
            out.append("\\" + c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif o < 0x20 or o == 0x7F:
            out.append("\\u%04x" % o)
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def put(v, t, types):
    """v (filled by fill) as pipec's to_json writes a value of type t."""
    if v is None:
        return "null"
    if isinstance(t, dict) and "opt" in t:
        return put(v, t["opt"], types)
    if t == "str":
        return put_str(v)
    if t == "bool":
        return "true" if v else "false"
    if t == "int":
        return str(v)
    if t == "float":
        return "null" if math.isnan(v) or math.isinf(v) else repr(v)
    if isinstance(t, str):  # a record
        return "{" + ",".join(put_str(f) + ":" + put(x, ft, types)
                              for (f, ft), x in zip(types[t], v)) + "}"
    if "list" in t:
        return "[" + ",".join(put(x, t["list"], types) for x in v) + "]"
    if "tuple" in t:
        return "[" + ",".join(put(x, e, types) for x, e in zip(v, t["tuple"])) + "]"
    return "{" + ",".join(put_str(k) + ":" + put(x, t["map"], types) for k, x in v.items()) + "}"


# ------------------------------------------------------------------ csv, tsv

def tsv_unescape(s):
    return re.sub(r"\\([tnr\\])", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[m.group(1)], s)


def cell(s, t):
    """A cell as pipec converts it to a field of type t (a scalar or T? of one)."""
    if isinstance(t, dict):
        return None if s == "" else cell(s, t["opt"])
    if t == "int":
        v = int(s.strip(" "))
        assert -2**63 <= v < 2**63, "generated an int out of range: %r" % s
        return v
    if t == "float":
        return float(s.strip(" "))
    if t == "bool":
        return {"true": True, "false": False}[s.strip(" ")]
    assert t == "str", "csv(T) reads no %r" % t
    return s


def read_csv(case, path):
    fmt = case["format"]
    fields = case["types"][case["top"]]
    names = [f for f, _ in fields]
    quoting = csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=case["sep"], quotechar='"', doublequote=True,
                            quoting=quoting, strict=False)
        col_field = None if case["header"] else list(range(len(fields)))
        for row in reader:
            if not row:
                continue
            if fmt == "tsv":
                row = [tsv_unescape(c) for c in row]
            if col_field is None:
                col_field = []
                for h in row:
                    i = names.index(norm(h)) if norm(h) in names else -1
                    col_field.append(-1 if i in col_field else i)
                continue
            if len(row) > len(col_field):
                sys.stdout.flush()
                what = "header has" if case["header"] else "record has fields for"
                sys.stderr.write("the row has %d cells, the %s %d\n" % (len(row), what, len(col_field)))
                sys.stderr.write("(input stdin, line %d)\n" % reader.line_num)
                sys.exit(1)
            rec = [None] * len(fields)
            for i, fi in enumerate(col_field):
                if fi >= 0:
                    rec[fi] = cell(row[i] if i < len(row) else "", fields[fi][1])
            sys.stdout.write(put(rec, case["top"], case["types"]) + "\n")


# ---------------------------------------------------------------------- json

def fill(v, t, types):
    """The JSON value v (objects as lists of pairs) as a value of type t."""
    if isinstance(t, dict) and "opt" in t:
        return None if v is None else fill(v, t["opt"], types)
    if t == "str":
        assert isinstance(v, str)
        return v
    if t == "int":
        assert isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63
        return v
    if t == "float":
        assert isinstance(v, (int, float)) and not isinstance(v, bool)
        return float(v)
    if t == "bool":
        assert isinstance(v, bool)
        return v
    if isinstance(t, str):  # a record
        obj = dict(v)  # the last of duplicate keys wins
        rec = []
        for f, ft in types[t]:
            if f in obj:
                x = obj[f]
            else:
                keys = [k for k, _ in v if norm(k) == f]
                x = obj[keys[-1]] if keys else None
            rec.append(fill(x, ft, types))
        return rec
    if "list" in t:
        return [fill(x, t["list"], types) for x in v]
    if "tuple" in t:
        assert len(v) == len(t["tuple"])
        return [fill(x, e, types) for x, e in zip(v, t["tuple"])]
    return {k: fill(x, t["map"], types) for k, x in dict(v).items()}


def json_line(case, text):
    types, top = case["types"], case["top"]
    v = json.loads(text, object_pairs_hook=lambda pairs: pairs)
    sys.stdout.write(put(fill(v, top, types), top, types) + "\n")


def read_json(case, path):
    with open(path, "rb") as f:
        data = f.read()
    for line in data.split(b"\n"):
        text = line.decode("utf-8")
        if text.strip(" \t\r") != "":
            json_line(case, text)


# ------------------------------------------------------------ the script

def parse_type(s):
    """A type as written in a script: str, T?, [T], {str: T}, (T, U), a record's name."""
    s = s.strip()
    if s.endswith("?"):
        return {"opt": parse_type(s[:-1])}
    if s.startswith("["):
        return {"list": parse_type(s[1:-1])}
    if s.startswith("{"):
        key, _, val = s[1:-1].partition(":")
        assert key.strip() == "str", "maps with %s keys" % key
        return {"map": parse_type(val)}
    if s.startswith("("):
        parts, depth, start = [], 0, 1
        for i, c in enumerate(s[1:-1], 1):
            depth += c in "([{" and 1 or c in ")]}" and -1 or 0
            if c == "," and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        return {"tuple": [parse_type(p) for p in parts + [s[start:-1]]]}
    return s


def parse_script(text):
    """The records of a script and the reader of its pipeline, as a case."""
    types = {}
    for name, body in re.findall(r"^record (\w+) \{\n(.*?)^\}", text, re.M | re.S):
        types[name] = []
        for line in body.splitlines():
            line = line.split("#")[0].strip()
            if line:
                field, _, t = line.partition(":")
                types[name].append([field.strip(), parse_type(t)])
    m = re.search(r"\b(csv|tsv|json)\((\w+)(.*?)\)", text.split("\npipeline", 1)[1])
    sep = re.search(r'sep: ("(?:[^"\\]|\\.)*")', m.group(3))
    return {"format": m.group(1), "top": m.group(2), "types": types,
            "sep": json.loads(sep.group(1)) if sep else "\t" if m.group(1) == "tsv" else ",",
            "header": "header: false" not in m.group(3)}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        case = parse_script(f.read())
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    if sys.argv[2] == "--each":
        for path in sys.argv[3:]:
            with open(path, encoding="utf-8") as f:
                json_line(case, f.read())
    elif case["format"] == "json":
        read_json(case, sys.argv[2])
    else:
        read_csv(case, sys.argv[2])


if __name__ == "__main__":
    main()
