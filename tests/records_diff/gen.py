#!/usr/bin/env python3
"""gen.py SEED N DIR: N random inputs for the readers, csv(T), tsv(T), json(T).

For each case NAME it writes DIR/NAME.in (the bytes to read) and DIR/NAME.pipe
(a script reading stdin with a record type made for the file and writing
to_json).  The generator only decides what the file holds; ref.py reads it
back with Python's csv and json modules and the script's record types.
Some CSV cases (NAME ends in _long) hold a row with more cells than the
header: pipec must stop there with an error naming that row's line.

What is generated avoids where pipec and Python legitimately differ (see
docs/pipe.md "Records in the runtime" and ref.py's opening comment):
  - no lone CR outside a quoted cell (Python's csv ends a row there, pipec
    reads lines ended by LF), and in _long cases none at all (Python counts
    it in line_num);
  - no NUL, no invalid UTF-8 (Python's csv reads text), no raw control
    characters inside JSON strings (both reject them; not the test here);
  - numbers only in forms both read the same: no hex, no `1_000`, no
    `nan`/`inf` spelled out (pipec's to_float takes them, float() too, but
    pipec also takes `0x10`), no blanks but spaces around cells;
  - header names are ASCII words (a non-ASCII letter whose lower case is
    ASCII, like U+212A, normalizes differently), `Größe` excepted, and no two
    JSON keys normalize to one field (which of them wins is not promised).
"""
import json
import random
import re
import sys

WORDS = ["id", "name", "start date", "eol-lts", "x.y", "total (eur)", "codename",
         "release", "version", "size", "count", "note", "a  b", "url", "Größe"]
KEYWORDS = ["end", "from", "record", "in", "type", "map"]
TEXT = (list("abcdefghijKLMNOPQ0123456789") + [" ", "  ", ",", ";", "|", "\t", '"', '""', "'",
        "\\", "\n", "\r\n", "\r", "é", "ß", "日本語", "😀", "e\u0301", "\u2028", "\ufeff",
        "\x01", "\x7f", "\x08", "\x0c", "\u00a0", "ǅ", "/", "{", "}", "[", "]"])
SEPS = [",", ";", "\t", "|"]


def norm(s):
    """A header name as pipec matches it: lower case, runs of other than a-z0-9 as _."""
    return re.sub(r"[^a-z0-9]+", "_", s.lower())


def text(rng, pool=TEXT, most=12):
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, most)))


def header_names(rng, n):
    """n header names whose normalized forms are distinct identifiers."""
    names, seen = [], set()
    while len(names) < n:
        if rng.random() < 0.1:
            h = rng.choice(KEYWORDS)
        else:
            h = rng.choice(WORDS)
            if rng.random() < 0.5:
                h = h.title() if rng.random() < 0.5 else h.upper()
            h = h + rng.choice(["", " ", "_", "-", " #"]) + str(rng.randint(0, 99))
            if rng.random() < 0.1:
                h += " "
        if norm(h) in seen or not re.match(r"[a-z]", norm(h)):
            continue
        seen.add(norm(h))
        names.append(h)
    return names


# ---------------------------------------------------------------- csv and tsv

def int_cell(rng):
    v = rng.choice([0, 1, -1, rng.randint(-1000, 1000), rng.randint(-2**63, 2**63 - 1),
                    2**63 - 1, -2**63])
    s = str(v)
    if v >= 0 and rng.random() < 0.1:
        s = "00" + s
    if v >= 0 and rng.random() < 0.1:
        s = "+" + s
    if rng.random() < 0.1:
        s = " " + s + "  "
    return s


def float_text(rng, json_form=False):
    """A float as text: repr of a double, or digits, a point and an exponent at random."""
    r = rng.random()
    if r < 0.3:
        s = repr(rng.choice([rng.uniform(-1e6, 1e6), rng.random(), rng.expovariate(1e-9),
                             rng.random() * 2.0 ** rng.randint(-1074, 1023), 5e-324,
                             1.7976931348623157e308]))
    elif r < 0.5:
        s = str(rng.randint(-10**6, 10**6))
    else:
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 25)))
        if json_form:  # JSON has no leading zeros, no "5." and no ".5"
            digits = digits.lstrip("0") or "0"
        elif rng.random() < 0.1:
            digits = ""
        frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(0 if digits else 1, 25)))
        if frac or not json_form and rng.random() < 0.2:
            digits += "." + frac
        s = rng.choice(["", "-"]) + digits
        if rng.random() < 0.5:
            s += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randint(0, 330))
    if not json_form and rng.random() < 0.1 and not s.startswith("-"):
        s = rng.choice(["+", " "]) + s
    return s


def cell_value(rng, kind, sep, tsv):
    """The text of one cell of a column of this kind (before quoting)."""
    if rng.random() < 0.15:
        return ""
    if kind == "int":
        return int_cell(rng)
    if kind == "float":
        return float_text(rng)
    if kind == "bool":
        return rng.choice(["true", "false", " true", "false "])
    if tsv:
        pool = [t for t in TEXT if t not in ("\t", "\n", "\r\n", "\r", "\\")]
        return text(rng, pool + ["\\t", "\\n", "\\r", "\\\\", "\\x", "\\"])
    return text(rng)


def quote_cell(rng, s, sep, lone_cr, tail):
    """s as a CSV cell: quoted where it must be, and at random elsewhere."""
    if not lone_cr:
        s = re.sub("\r(?!\n)", "", s)
    must = any(c in s for c in (sep, '"', "\n", "\r"))
    if not must and rng.random() < 0.2:
        return s, s
    if '"' in s and not s.startswith('"') and not any(c in s for c in (sep, "\n", "\r")) \
            and rng.random() < 0.3:
        return s, s  # a quote inside an unquoted cell is a character
    q = '"' + s.replace('"', '""') + '"'
    if tail and rng.random() < 0.03:
        q += "tail"  # text after the closing quote is kept
    return q, s


def csv_case(rng, name, fmt, long_row):
    tsv = fmt == "tsv"
    sep = "\t" if tsv else rng.choice(SEPS)
    header = rng.random() < 0.85
    ncols = rng.randint(1, 8)
    heads = header_names(rng, ncols)
    kinds = [rng.choice(["text", "text", "int", "float", "bool"]) for _ in range(ncols)]
    eol = rng.choice(["\n", "\r\n"])
    lone_cr = not long_row and not tsv
    cols = list(range(ncols))
    if header:
        if rng.random() < 0.15 and ncols > 1:  # a duplicate column: the first wins
            dup = rng.randrange(ncols)
            heads.append("".join(c.upper() if c.isascii() else c for c in heads[dup]))
            kinds.append(kinds[dup])
            cols.append(len(heads) - 1)
        fields = rng.sample(cols, rng.randint(1, len(cols)))
        fields = [f for f in fields if f < ncols] or [0]
    else:
        fields = list(range(ncols))
    types = []
    for f in fields:
        k = kinds[f]
        t = {"text": rng.choice(["str", "str?"]), "int": "int?", "float": "float?", "bool": "bool?"}[k]
        if k != "text" and rng.random() < 0.2:
            t = "str?"
        types.append([norm(heads[f]), t])
    out = []
    if rng.random() < 0.2:
        out.append("\ufeff")
    if rng.random() < 0.2:
        out.append(eol)
    width = len(heads)

    def row(cells, text_cells, is_header=False):
        quoted = []
        for i, c in enumerate(cells):
            tail = not is_header and (text_cells or kinds[i] == "text")
            quoted.append(c if tsv else quote_cell(rng, c, sep, lone_cr, tail)[0])
        out.append(sep.join(quoted) + eol)

    if header:
        row(heads, True, is_header=True)
    nrows = rng.randint(0, 30)
    bad_at = rng.randrange(nrows + 1) if long_row else -1
    for i in range(nrows + 1):
        if i == bad_at:
            row([cell_value(rng, "text", sep, tsv) for _ in range(width + rng.randint(1, 3))], True)
        if i == nrows:
            break
        cells = [cell_value(rng, kinds[c], sep, tsv) for c in range(width)]
        if rng.random() < 0.1:
            cells = cells[:rng.randint(1, width)]  # files often omit trailing empty cells
        row(cells, False)
        if rng.random() < 0.08:
            out.append(rng.choice(["", "\r"]) + "\n")  # a blank line (LF or CRLF) is skipped
    data = "".join(out)
    if data.endswith(eol) and rng.random() < 0.2:
        data = data[: -len(eol)]
    desc = {"format": fmt, "sep": sep, "header": header, "types": {"R": types}}
    return data, desc


# ---------------------------------------------------------------------- json

def json_type(rng, recs, depth):
    r = rng.random()
    if depth > 2 or r < 0.45:
        return rng.choice(["str", "int", "float", "bool"])
    if r < 0.6:
        t = json_type(rng, recs, depth + 1)
        return t if isinstance(t, dict) and "opt" in t else {"opt": t}
    if r < 0.72:
        return {"list": json_type(rng, recs, depth + 1)}
    if r < 0.82:
        return {"map": json_type(rng, recs, depth + 1)}
    if r < 0.9:
        return {"tuple": [json_type(rng, recs, depth + 1) for _ in range(rng.randint(2, 3))]}
    return json_record(rng, recs, depth + 1)


def json_record(rng, recs, depth):
    name = "R%d" % len(recs)
    recs[name] = None
    fields, seen = [], set()
    for _ in range(rng.randint(1, 6)):
        f = rng.choice(["name", "version", "start_date", "items", "count", "meta", "eol_lts",
                        "tags", "value", "x1"] + KEYWORDS) + rng.choice(["", str(len(fields))])
        if f in seen:
            continue
        seen.add(f)
        t = json_type(rng, recs, depth)
        if rng.random() < 0.3 and not (isinstance(t, dict) and "opt" in t):
            t = {"opt": t}
        fields.append([f, t])
    recs[name] = fields
    return name


UNI = [c for c in TEXT if len(c) == 1] + ["😀", "日", "\u0000", "\u001f", "𝄞", "\ud800", "\udc00"]
# map keys: a lone surrogate becomes U+FFFD, so two of them would be one key in pipec
KEY_CHARS = [c for c in UNI if not 0xD800 <= ord(c) < 0xE000]


def json_str(rng, s):
    """s as a JSON string, each character raw or escaped at random."""
    short = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
             "\f": "\\f", "/": "\\/"}
    out = []
    for c in s:
        o = ord(c)
        must = c in '"\\' or o < 0x20 or 0xD800 <= o < 0xE000
        if not must and rng.random() < 0.8:
            out.append(c)
        elif c in short and rng.random() < 0.7:
            out.append(short[c])
        elif o > 0xFFFF:
            hi, lo = 0xD800 + ((o - 0x10000) >> 10), 0xDC00 + ((o - 0x10000) & 0x3FF)
            out.append(rng.choice(["\\u%04x\\u%04x", "\\u%04X\\u%04X"]) % (hi, lo))
        else:
            out.append(rng.choice(["\\u%04x", "\\u%04X"]) % o)
    return '"' + "".join(out) + '"'


def ws(rng):
    return rng.choice(["", "", "", " ", "\t", "  ", "\r"])


def junk(rng, depth=0):
    """Any JSON text, for keys no field takes (pipec checks and skips it)."""
    r = rng.random()
    if depth > 2 or r < 0.5:
        return rng.choice(["null", "true", "false", "0", "-1.5e-7", "123456789012345678901234567890",
                           "1e400", json_str(rng, "".join(rng.choice(UNI) for _ in range(5)))])
    if r < 0.75:
        return "[" + ",".join(ws(rng) + junk(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    return "{" + ",".join(json_str(rng, "k%d" % i) + ":" + junk(rng, depth + 1)
                          for i in range(rng.randint(0, 3))) + "}"


def json_value(rng, recs, t, depth=0):
    if isinstance(t, str) and t in recs:
        return json_object(rng, recs, recs[t], depth)
    if t == "str":
        return json_str(rng, "".join(rng.choice(UNI) for _ in range(rng.randint(0, 10))))
    if t == "int":
        return str(rng.choice([0, -1, rng.randint(-999, 999), rng.randint(-2**63, 2**63 - 1)]))
    if t == "float":
        return float_text(rng, json_form=True)
    if t == "bool":
        return rng.choice(["true", "false"])
    if "opt" in t:
        return "null" if rng.random() < 0.3 else json_value(rng, recs, t["opt"], depth)
    if "list" in t:
        items = [json_value(rng, recs, t["list"], depth + 1) for _ in range(rng.randint(0, 4))]
        return "[" + ws(rng) + ",".join(ws(rng) + i + ws(rng) for i in items) + "]"
    if "tuple" in t:
        items = [json_value(rng, recs, e, depth + 1) for e in t["tuple"]]
        return "[" + ",".join(ws(rng) + i + ws(rng) for i in items) + "]"
    keys = ["".join(rng.choice(KEY_CHARS) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 4))]
    if keys and rng.random() < 0.2:
        keys.append(keys[0])  # a duplicate key: the last value wins, in the first's place
    pairs = [json_str(rng, k) + ws(rng) + ":" + ws(rng) + json_value(rng, recs, t["map"], depth + 1)
             for k in keys]
    return "{" + ",".join(ws(rng) + p + ws(rng) for p in pairs) + "}"


def alias(rng, f):
    """A key other than f that normalizes to f: Start-Date for start_date."""
    a = f.replace("_", rng.choice([" ", "-", ".", " / "]))
    return a.title() if rng.random() < 0.5 else a.upper()


def json_object(rng, recs, fields, depth):
    pairs = []
    for f, t in fields:
        if isinstance(t, dict) and "opt" in t and rng.random() < 0.25:
            continue  # a missing key is none
        key = alias(rng, f) if rng.random() < 0.15 else f
        if rng.random() < 0.05:  # a duplicate key: the last wins
            pairs.append((key, json_value(rng, recs, t, depth + 1)))
        pairs.append((key, json_value(rng, recs, t, depth + 1)))
    for _ in range(rng.choice([0, 0, 1, 2])):
        pairs.append(("zz" + "".join(rng.choice(UNI) for _ in range(3)), junk(rng)))
    rng.shuffle(pairs)
    body = ",".join(ws(rng) + json_str(rng, k) + ws(rng) + ":" + ws(rng) + v + ws(rng) for k, v in pairs)
    return "{" + body + "}"


def json_case(rng, name):
    recs = {}
    top = json_record(rng, recs, 0)
    eol = rng.choice(["\n", "\r\n"])
    out = []
    for _ in range(rng.randint(0, 25)):
        out.append(ws(rng) + json_value(rng, recs, top) + ws(rng) + eol)
        if rng.random() < 0.05:
            out.append(rng.choice(["", " ", "\t", "\r"]) + eol)
    data = "".join(out)
    if data.endswith(eol) and rng.random() < 0.2:
        data = data[: -len(eol)]
    # the top record first, as ref.py and the script start from types[top]
    types = {top: recs.pop(top)}
    types.update(recs)
    return data, {"format": "json", "types": types}


# ------------------------------------------------------------------ scripts

def type_text(t):
    if isinstance(t, str):
        return t
    if "opt" in t:
        return type_text(t["opt"]) + "?"
    if "list" in t:
        return "[" + type_text(t["list"]) + "]"
    if "map" in t:
        return "{str: " + type_text(t["map"]) + "}"
    return "(" + ", ".join(type_text(e) for e in t["tuple"]) + ")"


def script(desc):
    lines = []
    for rec, fields in desc["types"].items():
        lines.append("record %s {" % rec)
        lines += ["    %s: %s" % (f, type_text(t)) for f, t in fields]
        lines += ["}", ""]
    top = next(iter(desc["types"]))
    if desc["format"] == "json":
        reader = "json(%s)" % top
    else:
        args = [top]
        if desc["format"] == "csv" and desc["sep"] != ",":
            args.append("sep: %s" % json.dumps(desc["sep"]))
        if not desc["header"]:
            args.append("header: false")
        reader = "%s(%s)" % (desc["format"], ", ".join(args))
    lines += ["pipeline main {", "    stdin | %s | to_json | stdout" % reader, "}", ""]
    return "\n".join(lines)


def main():
    seed, n, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for i in range(n):
        rng = random.Random(seed * 100003 + i)
        kind = ["csv", "csv", "json", "tsv", "json", "csv_long", "tsv_long"][i % 7]
        name = "%s_%03d" % (kind, i)
        if kind == "json":
            data, desc = json_case(rng, name)
        else:
            data, desc = csv_case(rng, name, kind.split("_")[0], kind.endswith("_long"))
        with open("%s/%s.in" % (outdir, name), "w", encoding="utf-8", newline="") as f:
            f.write(data)
        with open("%s/%s.pipe" % (outdir, name), "w", encoding="utf-8") as f:
            f.write(script(desc))


if __name__ == "__main__":
    main()
