#!/usr/bin/env python3
"""Cases and Python's answers for tests/run_regex_diff.sh.

gen.py regex SEED N OUT.in OUT.exp   random patterns, subjects and templates:
    captures (re.search), replace_first (re.sub with count=1), split_re
    (the pieces between re.finditer's non-empty matches), quote_re (re.escape
    round trip on random bytes)
gen.py time SEED N OUT.in OUT.exp    random timestamps: format_time
    (time.strftime of time.gmtime) and parse_time (time.strptime, then
    calendar.timegm minus the %z offset)

Where pipec's documented choices differ from Python's, the reference applies
them (docs/pipe.md "Regexes as values, time and environment"): an unmatched
group is "" (Python: None); split_re leaves out empty matches and groups;
the template's \\N counts groups past the last as "" and \\c is c.
Bytes patterns give both engines ASCII classes (\\d \\w \\s)."""
import calendar
import random
import re
import sys
import time

SUBJ = b"ab1 -.+x"


def atom(r, depth):
    k = r.randrange(10 if depth < 2 else 7)
    if k < 3:
        return bytes([r.choice(b"ab1 x")])
    if k == 3:
        return r.choice([b"\\.", b"\\+", b"-", b"."])
    if k == 4:
        return r.choice([b"[ab]", b"[^a ]", b"[0-9]", b"[a-x]", b"[-.]"])
    if k == 5:
        return r.choice([b"\\d", b"\\w", b"\\s", b"\\W"])
    if k == 6:
        return r.choice([b"^", b"$", b"\\b"])
    if k == 7:
        return b"(" + alt(r, depth + 1) + b")"
    if k == 8:
        return b"(?:" + alt(r, depth + 1) + b")"
    return r.choice([b"(?=", b"(?!"]) + seq(r, depth + 1) + b")"


def quant(r, a):
    if a in (b"^", b"$", b"\\b") or a.startswith(b"(?=") or a.startswith(b"(?!"):
        return a
    q = r.choice([b"", b"", b"", b"?", b"*", b"+", b"{1,2}", b"{2}", b"*?", b"+?", b"??"])
    return a + q


def seq(r, depth):
    return b"".join(quant(r, atom(r, depth)) for _ in range(r.randint(1, 4)))


def alt(r, depth):
    parts = [seq(r, depth)]
    while r.random() < 0.25:
        parts.append(seq(r, depth) if r.random() < 0.8 else b"")
    return b"|".join(parts)


def template(r):
    pieces = [b"<", b"\\0", b"\\1", b"\\2", b"\\3", b"\\\\", b"\\n", b"z", b">"]
    return b"".join(r.choice(pieces) for _ in range(r.randint(0, 4)))


def expand(m, w):
    """pipec's template: \\0..\\9 a group ("" unset or past the last), \\c is c."""
    out, i = [], 0
    while i < len(w):
        c = w[i:i + 1]
        if c != b"\\":
            out.append(c)
            i += 1
            continue
        if i + 1 == len(w):
            out.append(c)
            break
        d = w[i + 1:i + 2]
        i += 2
        if d.isdigit():
            g = int(d)
            out.append((m.group(g) or b"") if g <= m.re.groups else b"")
        else:
            out.append(d)
    return b"".join(out)


def regex_cases(r, n, fin, fexp):
    for _ in range(n):
        pat = alt(r, 0)
        subj = bytes(r.choice(SUBJ) for _ in range(r.randint(0, 12)))
        w = template(r)
        lit = bytes(r.choice([b for b in range(256) if b not in (9, 10)]) for _ in range(r.randint(1, 8)))
        pad = bytes(r.choice(SUBJ) for _ in range(r.randint(0, 5)))
        hay = pad + lit + pad + lit
        fin.write(b"\t".join([pat, subj, w, lit, hay]) + b"\n")
        p = re.compile(pat)
        m = p.search(subj)
        caps = [m.group(0)] + [g or b"" for g in m.groups()] if m else []
        first = subj[:m.start()] + expand(m, w) + subj[m.end():] if m else subj
        pieces, at = [], 0
        for x in p.finditer(subj):
            if x.end() > x.start():
                pieces.append(subj[at:x.start()])
                at = x.end()
        pieces.append(subj[at:])
        q = re.search(re.escape(lit), hay)
        fexp.write(b"c %d %s\n" % (len(caps), b"\t".join(caps)))
        fexp.write(b"r " + first + b"\n")
        fexp.write(b"s %d %s\n" % (len(pieces), b"\t".join(pieces)))
        fexp.write(b"q %d %d\n" % (q.start(), len(hay.split(lit))))


# formats both strftime and Python's strptime take; FORMAT_ONLY: strftime only
FORMATS = ["%Y-%m-%d %H:%M:%S", "%a, %d %b %Y %H:%M:%S", "%Y%m%dT%H%M%S", "%j %Y %I:%M:%S %p",
           "%y-%m-%d %H", "%c", "%m/%d/%y %H:%M:%S", "%d/%B/%Y %H:%M", "%A %d.%m.%Y", "%Y-%m-%dT%H:%M"]
FORMAT_ONLY = ["%G-W%V-%u", "%U %W %w", "%s", "%%Y %h %k %l %P", "%x %X", "%F", "%D %R %e %C"]


def time_cases(r, n, fin, fexp):
    for _ in range(n):
        t = r.randint(-2208988800, 4102444799)  # 1900 to 2099
        if r.random() < 0.1:
            t = r.randint(-86400 * 3, 86400 * 3)
        if r.random() < 0.5:
            fmt = r.choice(FORMATS)
            s = time.strftime(fmt, time.gmtime(t))
            if "%y" in fmt and not 1969 <= time.gmtime(t).tm_year <= 2068:
                fmt = fmt.replace("%y", "%Y")
                s = time.strftime(fmt, time.gmtime(t))
            back = calendar.timegm(time.strptime(s, fmt))
        else:
            fmt = r.choice(FORMATS + FORMAT_ONLY)
            s = time.strftime(fmt, time.gmtime(t))
            back = None
        off = r.choice([0, 3600, -5 * 3600, 5 * 3600 + 1800, -9 * 3600 - 1800]) if back is not None else 0
        text, pfmt = s, fmt if back is not None else ""
        if back is not None and r.random() < 0.4:
            text += " %s%02d%02d" % ("-" if off < 0 else "+", abs(off) // 3600, abs(off) % 3600 // 60)
            pfmt += " %z"
            st = time.strptime(text, pfmt)
            back = calendar.timegm(st) - st.tm_gmtoff
        fin.write(("%d\t%s\t%s\t%s\n" % (t, fmt, text, pfmt)).encode())
        fexp.write(("f %s\n" % s).encode())
        if back is not None:
            fexp.write(("p %d\n" % back).encode())


def main():
    kind, seed, n, fin, fexp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    r = random.Random(seed)
    with open(fin, "wb") as i, open(fexp, "wb") as e:
        (regex_cases if kind == "regex" else time_cases)(r, n, i, e)


main()
