#!/usr/bin/env python3
"""pandas_records.py — the pandas anchor of bench/records.sh, written as a pandas user would:
`python3 pandas_records.py TASK FILE` writes the task's output to stdout. Streaming tasks read
in chunks (CHUNK rows), so memory stays bounded as it would for a user with a big file; cells
that are only passed through are read as text (keep_default_na=False), so they are written back
as they were."""
import csv
import sys

import pandas as pd

import py_records  # beside this file

CHUNK = 200_000
OUT = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", buffering=1 << 20, closefd=False)
TEXT = dict(dtype=str, keep_default_na=False)


def chunks_to_csv(frames):
    header = True
    for df in frames:
        df.to_csv(OUT, index=False, header=header, lineterminator="\n")
        header = False


def groups(df):
    g = df.groupby("category")["amount"].agg(["count", "sum", "mean"]).reset_index()
    g.to_csv(OUT, index=False, lineterminator="\n")


def count(path):
    OUT.write(f"{len(pd.read_csv(path, usecols=['id']))}\n")


def select(path):
    chunks_to_csv(pd.read_csv(path, usecols=["name", "city", "amount"], chunksize=CHUNK, **TEXT))


def filter_(path):
    chunks_to_csv(df[df["amount"].astype(float) > 750] for df in pd.read_csv(path, chunksize=CHUNK, **TEXT))


def group(path):
    groups(pd.read_csv(path, usecols=["category", "amount"]))


def sort(path):
    df = pd.read_csv(path, **TEXT)
    order = df["rank"].astype("int64").sort_values(kind="stable").index
    df.loc[order].to_csv(OUT, index=False, lineterminator="\n")


def csv2json(path):
    text = {c: str for c in ("name", "email", "city", "country", "category", "created", "comment", "tags")}
    for df in pd.read_csv(path, chunksize=CHUNK, dtype=text, keep_default_na=False, na_values={"score": [""]}):
        df.to_json(OUT, orient="records", lines=True, force_ascii=False)
        if len(df):
            OUT.write("\n")


def json_chunks(path):
    return pd.read_json(path, lines=True, chunksize=CHUNK, dtype=False)


def json2csv(path):
    def pick(df):
        df = df[df["amount"] > 750]
        return pd.DataFrame({"id": df["id"], "name": df["name"], "lat": df["geo"].str["lat"]})
    chunks_to_csv(pick(df) for df in json_chunks(path))


def count_json(path):
    OUT.write(f"{sum(len(df) for df in json_chunks(path))}\n")


def group_json(path):
    groups(pd.concat(df[["category", "amount"]] for df in json_chunks(path)))


def count_tsv(path):
    OUT.write(f"{len(pd.read_csv(path, sep=chr(9), quoting=csv.QUOTE_NONE, usecols=['id']))}\n")


def group_tsv(path):
    groups(pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, usecols=["category", "amount"]))


# the same task names as the reference's, each bound to this file's function of the same name
TASKS = {name: globals()[f.__name__] for name, f in py_records.TASKS.items()}

if __name__ == "__main__":
    TASKS[sys.argv[1]](sys.argv[2])
    OUT.flush()
