#!/usr/bin/env python3
"""gen.py SEED DIR: random inputs for tests/run_sort_diff.sh.

DIR/lines.in: lines of 1 to 4 fields separated by one space, built from few
pieces so that keys and whole lines tie often: random bytes 1..255 except
newline (high bytes and control bytes too, no NUL), common prefixes longer
than a chunk (7 bytes) and longer than SORT_RADIX_LEVELS chunks (448 bytes),
prefixes of each other ("ab", "ab\\x01", "ab" + padding-like bytes), empty
lines and empty fields.  Each line ends with its number in a last field, so
that a stable sort by a key is told apart from an unstable one.
DIR/ints.in: "N rest" lines, N an int (negative, zero written -0, huge) with
many ties."""
import random
import sys

seed, out = int(sys.argv[1]), sys.argv[2]
r = random.Random(seed)
BYTES = bytes(b for b in range(1, 256) if b not in (10, 32))
long_a = bytes(r.choice(BYTES) for _ in range(500))
PREFIXES = [b"", b"a", b"ab", b"ab\x01", b"abcdefg", b"abcdefgh", b"abcdefghijklmnop",
            b"abcdefghijklmnoq", b"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", b"\x01\x01\x01\x01\x01\x01\x01\x01",
            long_a, long_a + b"x", long_a[:449], long_a[:455]]


def piece():
    k = r.random()
    if k < 0.1:
        return b""
    p = r.choice(PREFIXES)
    if k < 0.5:
        return p
    n = r.choice([1, 1, 2, 3, 7, 8, 9, 15])
    alpha = BYTES if k > 0.8 else b"ab\x01\xff"
    return p + bytes(r.choice(alpha) for _ in range(n))


with open(f"{out}/lines.in", "wb") as f:
    for i in range(30000):
        if r.random() < 0.03:
            f.write(b"\n")
            continue
        nf = r.randint(1, 3)
        f.write(b" ".join([piece() for _ in range(nf)] + [b"%d" % i]) + b"\n")

INTS = [0, 1, -1, 7, 42, -42, 2**62, -(2**62), 2**63 - 1, -(2**63), 1000, -1000, 255, 256, 65535, 65536]
with open(f"{out}/ints.in", "wb") as f:
    for i in range(30000):
        k = r.random()
        if k < 0.6:
            n = b"%d" % r.choice(INTS)
        elif k < 0.65:
            n = b"-0"
        else:
            n = b"%d" % r.randint(-(2**63), 2**63 - 1)
        f.write(n + b" %d\n" % i)

# DIR/nul.in: short lines of NUL, \x01 and "a" bytes (NUL is an ordinary
# byte: "ab" < "ab\0" < "ab\0\0", though padding a chunk with zeros makes
# their first bytes agree)
with open(f"{out}/nul.in", "wb") as f:
    for i in range(20000):
        f.write(bytes(r.choice(b"\x00\x01a") for _ in range(r.randint(0, 10))) + b"\n")
