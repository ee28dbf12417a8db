#!/usr/bin/env python3
"""gen.py SEED DIR — differential cases of LANGUAGE.md §9's list operations and
slices (tests/run_lists_diff.sh): for each NAME, DIR/NAME.pipe, its input
NAME.in (random lists and strs with random slice bounds) and NAME.exp, what
Python prints: slicing (on bytes for strs), sorted() (stable; reverse=True
keeps equal keys in order, as pipec's desc), min/max (the first of equal
ones), sum (ints exactly; floats added left to right, as pipec's sum and
unlike Python 3.12's compensated sum()), reversed(), `in`, list +.
"""
import random
import sys

seed, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(seed)
LINES = 400
HUGE = [2**63 - 1, -2**63, 2**62, -2**62, 2**40, -2**40]

def bound(n):
    r = rng.random()
    if r < 0.08:
        return rng.choice(HUGE)
    return rng.randint(-n - 3, n + 3)

def fmt_float(x):
    s = repr(x)
    return s

def write(name, script, lines, exp):
    with open(f"{out}/{name}.pipe", "w") as f:
        f.write(script)
    with open(f"{out}/{name}.in", "wb") as f:
        f.write(b"".join(l + b"\n" for l in lines))
    with open(f"{out}/{name}.exp", "wb") as f:
        f.write(b"".join(l + b"\n" for l in exp))

# ---------------------------------------------------------------- strs
STR_SCRIPT = '''# lists of strs and strs, sliced at random bounds (gen.py)
pipeline main {
    stdin
      | map(l => (to_int(field(l, 0, "\\t")), to_int(field(l, 1, "\\t")), field(l, 2, "\\t")))
      | map(t => (t.0, t.1, t.2, words(t.2)))
      | map(t => join(t.3[t.0:t.1], ",") + "|" + join(t.3[t.0:], ",") + "|" + join(t.3[:t.1], ",") + "|"
            + join(t.3[:], ",") + "|" + t.2[t.0:t.1] + "|" + t.2[t.0:] + "|" + t.2[:t.1] + "|"
            + join(reverse(t.3), ",") + "|" + join(sort(t.3), ",") + "|" + join(sort(t.3, by: w => len(w)), ",")
            + "|" + join(sort(t.3, by: w => len(w), desc: true), ",") + "|" + join(sort(t.3, desc: true), ",")
            + "|" + (if len(t.3) > 0 then min(t.3) + "," + max(t.3) else "-") + "|"
            + str(contains(t.3, "ab")) + "|" + join(t.3 + reverse(t.3[t.0:t.1]), ","))
      | stdout
}
'''
ALPHA = ["a", "b", "ab", "B", "ba", "\u00e9", "z\u00e9", "\u20ac", "aa", "A", "abc", "b\u00e9"]

def str_case():
    lines, exp = [], []
    for _ in range(LINES):
        ws = [rng.choice(ALPHA) for _ in range(rng.randint(0, 9))]
        text = " ".join(ws).encode()
        bs = [w.encode() for w in ws]
        i, j = bound(len(text)), bound(len(text))
        if rng.random() < 0.5:
            i, j = bound(len(bs)), bound(len(bs))
        lines.append(b"%d\t%d\t%s" % (i, j, text))
        j_ = lambda xs: b",".join(xs)
        mm = j_([min(bs), max(bs)]) if bs else b"-"
        parts = [j_(bs[i:j]), j_(bs[i:]), j_(bs[:j]), j_(bs[:]), text[i:j], text[i:], text[:j],
                 j_(bs[::-1]), j_(sorted(bs)), j_(sorted(bs, key=len)), j_(sorted(bs, key=len, reverse=True)),
                 j_(sorted(bs, reverse=True)), mm, b"true" if b"ab" in bs else b"false",
                 j_(bs + bs[i:j][::-1])]
        exp.append(b"|".join(parts))
    write("strs", STR_SCRIPT, lines, exp)

# ---------------------------------------------------------------- ints and floats
NUM_SCRIPT = '''# lists of %(t)ss (gen.py): each line "i<TAB>j<TAB>x0 x1 ..."
proc nums: str -> (int, int, [%(t)s]) {
    on l {
        let xs = [%(zero)s][1:]
        for w in words(field(l, 2, "\\t")) {
            add(xs, %(conv)s(w))
        }
        emit (to_int(field(l, 0, "\\t")), to_int(field(l, 1, "\\t")), xs)
    }
}

pipeline main {
    stdin
      | nums
      | map(t => join(t.2[t.0:t.1], ",") + "|" + join(sort(t.2), ",") + "|" + join(sort(t.2, desc: true), ",")
            + "|" + join(sort(t.2, by: x => abs(x)), ",") + "|" + join(sort(t.2, by: x => (x > 0, -x)), ",")
            + "|" + str(sum(t.2)) + "|" + (if len(t.2) > 0 then str(min(t.2)) + "," + str(max(t.2)) else "-")
            + "|" + str(contains(t.2, %(probe)s)) + "|" + join(t.2 + reverse(t.2), ",") + "|"
            + str(sum(t.2[t.0:t.1])))
      | stdout
}
'''

def num_case(kind):
    lines, exp = [], []
    for _ in range(LINES):
        n = rng.randint(0, 12)
        if kind == "int":
            xs = [rng.choice([rng.randint(-5, 5), rng.randint(-10**12, 10**12)]) for _ in range(n)]
            txt = [str(x) for x in xs]
            show = str
            probe = 3
        else:
            xs = [rng.choice([float(rng.randint(-5, 5)), round(rng.uniform(-1000, 1000), rng.randint(0, 3)),
                              rng.choice([0.0, -0.0, 0.1, 0.2, 0.3])]) for _ in range(n)]
            txt = [repr(x) for x in xs]
            show = fmt_float
            probe = 0.1
        i, j = bound(n), bound(n)
        lines.append(("%d\t%d\t%s" % (i, j, " ".join(txt))).encode())
        j_ = lambda ys: ",".join(show(y) for y in ys)
        def fsum(ys):
            s = 0 if kind == "int" else 0.0
            for y in ys:
                s += y
            return s
        mm = show(min(xs)) + "," + show(max(xs)) if xs else "-"
        parts = [j_(xs[i:j]), j_(sorted(xs)), j_(sorted(xs, reverse=True)), j_(sorted(xs, key=abs)),
                 j_(sorted(xs, key=lambda x: (x > 0, -x))), show(fsum(xs)), mm,
                 "true" if probe in xs else "false", j_(xs + xs[::-1]), show(fsum(xs[i:j]))]
        exp.append("|".join(parts).encode())
    t = {"int": dict(t="int", zero="0", conv="to_int", probe="3"),
         "float": dict(t="float", zero="0.0", conv="to_float", probe="0.1")}[kind]
    write(kind + "s", NUM_SCRIPT % t, lines, exp)

str_case()
num_case("int")
num_case("float")
