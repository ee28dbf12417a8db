#!/usr/bin/env python3
"""py_records.py — the Python anchor of bench/records.sh: every task with the standard csv and
json modules, written as a Python user would. `python3 py_records.py TASK FILE` writes the
task's output to stdout. Also the reference that every other tool's output is compared with."""
import csv
import json
import sys

OUT = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", buffering=1 << 20, closefd=False)
FLOATS = ("amount", "price", "score", "lat", "lon")
INTS = ("id", "quantity", "rank")


def rows(path, delimiter=","):
    f = open(path, encoding="utf-8", newline="")
    return csv.reader(f, delimiter=delimiter)


def writer():
    return csv.writer(OUT, lineterminator="\n")


def count(path):
    n = sum(1 for _ in rows(path)) - 1
    OUT.write(f"{n}\n")


def select(path):
    r = rows(path)
    head = next(r)
    idx = [head.index(c) for c in ("name", "city", "amount")]
    w = writer()
    w.writerow(["name", "city", "amount"])
    for row in r:
        w.writerow([row[i] for i in idx])


def filter_(path):
    r = rows(path)
    head = next(r)
    a = head.index("amount")
    w = writer()
    w.writerow(head)
    for row in r:
        if float(row[a]) > 750:
            w.writerow(row)


def write_groups(groups):
    w = writer()
    w.writerow(["category", "count", "sum", "mean"])
    for k in sorted(groups):
        n, s = groups[k]
        w.writerow([k, n, s, s / n])


def group_rows(r, head):
    c, a = head.index("category"), head.index("amount")
    groups = {}
    for row in r:
        g = groups.get(row[c])
        if g is None:
            g = groups[row[c]] = [0, 0.0]
        g[0] += 1
        g[1] += float(row[a])
    write_groups(groups)


def group(path):
    r = rows(path)
    group_rows(r, next(r))


def sort(path):
    r = rows(path)
    head = next(r)
    k = head.index("rank")
    data = list(r)
    data.sort(key=lambda row: int(row[k]))
    w = writer()
    w.writerow(head)
    w.writerows(data)


def typed(head):
    conv = []
    for name in head:
        if name in INTS:
            conv.append(int)
        elif name == "score":
            conv.append(lambda s: float(s) if s != "" else None)
        elif name in FLOATS:
            conv.append(float)
        elif name == "active":
            conv.append(lambda s: s == "true")
        else:
            conv.append(str)
    return conv


def csv2json(path):
    r = rows(path)
    head = next(r)
    conv = list(zip(head, typed(head)))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in r:
        OUT.write(dumps({k: f(v) for (k, f), v in zip(conv, row)}))
        OUT.write("\n")


def json_rows(path):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            yield json.loads(line)


def json2csv(path):
    w = writer()
    w.writerow(["id", "name", "lat"])
    for o in json_rows(path):
        if o["amount"] > 750:
            w.writerow([o["id"], o["name"], o["geo"]["lat"]])


def count_json(path):
    OUT.write(f"{sum(1 for _ in json_rows(path))}\n")


def group_json(path):
    groups = {}
    for o in json_rows(path):
        g = groups.get(o["category"])
        if g is None:
            g = groups[o["category"]] = [0, 0.0]
        g[0] += 1
        g[1] += o["amount"]
    write_groups(groups)


def tsv_rows(path):
    f = open(path, encoding="utf-8", newline="\n")
    return (line.rstrip("\n").split("\t") for line in f)


def count_tsv(path):
    OUT.write(f"{sum(1 for _ in tsv_rows(path)) - 1}\n")


def group_tsv(path):
    r = tsv_rows(path)
    group_rows(r, next(r))


TASKS = {"count": count, "count_plain": count, "select": select, "filter": filter_, "group": group,
         "sort": sort, "csv2json": csv2json, "json2csv": json2csv, "count_json": count_json,
         "group_json": group_json, "count_tsv": count_tsv, "group_tsv": group_tsv}

if __name__ == "__main__":
    TASKS[sys.argv[1]](sys.argv[2])
    OUT.flush()
