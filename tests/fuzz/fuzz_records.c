/* fuzz_records.c — libFuzzer target for the record readers (stdlib/records.c):
 * any bytes, fed on stdin through the real line reader, into csv(T), tsv(T)
 * or json(T) of a fixed record type, then a writer (to_json, to_csv, to_tsv). */
#define _GNU_SOURCE 1
#include <stdlib.h>
#include <string.h>

#include "../unit/test_rec_types.h"
#include "fuzz_stdin.h"
#include "pipe_std.h"
#include "rt_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the record types: cells for csv and tsv, nesting for json (str?,
 * int?, float?, bool?: test_rec_types.h) */

/* record Flat { name: str, n: int, x: float?, ok: bool?, note: str?, start_date: int? } */
#define FLAT_FIELDS(X, S)                                                                           \
    X(S, PipeStr, name, &pipe_t_str) X(S, int64_t, n, &pipe_t_int) X(S, OptFloat, x, &t_opt_float) \
    X(S, OptBool, ok, &t_opt_bool) X(S, OptStr, note, &t_opt_str) X(S, OptInt, start_date, &t_opt_int)
TEST_RECORD(Flat, t_flat, FLAT_FIELDS);

/* record Item { name: str, qty: int? } */
#define ITEM_FIELDS(X, S) X(S, PipeStr, name, &pipe_t_str) X(S, OptInt, qty, &t_opt_int)
TEST_RECORD(Item, t_item, ITEM_FIELDS);
TEST_OPT(OptItem, t_opt_item, Item, &t_item);
TEST_LIST(t_items, &t_item);
TEST_SET(t_set_str, &pipe_t_str);

/* (str, float) */
#define PAIR_FIELDS(X, S) X(S, PipeStr, s, &pipe_t_str) X(S, double, x, &pipe_t_float)
TEST_TUPLE(Pair, t_pair, PAIR_FIELDS);

/* record Doc { id: int, name: str?, tags: {str: int}, items: [Item], pair: (str, float),
 *              set: {str}, inner: Item?, ok: bool } */
#define DOC_FIELDS(X, S)                                                                                  \
    X(S, int64_t, id, &pipe_t_int) X(S, OptStr, name, &t_opt_str) X(S, PipeMap *, tags, &t_map_str_int)  \
    X(S, PipeList *, items, &t_items) X(S, Pair, pair, &t_pair) X(S, PipeMap *, set, &t_set_str)          \
    X(S, OptItem, inner, &t_opt_item) X(S, bool, ok, &pipe_t_bool)
TEST_RECORD(Doc, t_doc, DOC_FIELDS);

/* ---- the pipeline: stdin | reader | writer | discard */

/* What the two header bytes of an input chose (see LLVMFuzzerTestOneInput). */
static struct {
    uint8_t mode;
    size_t read_size;
} cfg;

static PipeNode *reader(PipeRt *rt, PipePos pos, const PipeType **t)
{
    bool header = !(cfg.mode & 4);
    PipeStr comment = cfg.mode & 8 ? (PipeStr){"#", 1} : (PipeStr){"", 0};
    *t = &t_flat;
    switch (cfg.mode & 3) {
    case 0: return pipe_std_csv(rt, pos, &t_flat, (PipeStr){",", 1}, header, comment);
    case 1: return pipe_std_tsv(rt, pos, &t_flat, header, comment);
    case 2: *t = &t_doc; return pipe_std_json(rt, pos, &t_doc);
    default: return pipe_std_csv(rt, pos, &t_flat, (PipeStr){";", 1}, header, comment);
    }
}

static void build(PipeRt *rt, const void *params)
{
    (void)params;
    PipePos pos = {"fuzz_records.pipe", 1, 1};
    rt->read_size = cfg.read_size;
    PipeNode *src = &pipe_src_stdin(rt, pos)->node;
    const PipeType *t;
    PipeNode *rd = reader(rt, pos, &t);
    if (cfg.mode & 64)
        pipe_node_on_error(rd, PIPE_ON_ERROR_SKIP, NULL);
    pipe_connect(src, rd, 0);
    PipeNode *wr = NULL;
    switch (cfg.mode >> 4 & 3) {
    case 0: wr = pipe_std_to_json(rt, pos, t); break;
    case 1: wr = pipe_std_to_csv(rt, pos, t); break;
    case 2: wr = pipe_std_to_tsv(rt, pos, t); break;
    default: break;
    }
    if (wr)
        pipe_connect(rd, wr, 0);
    pipe_connect(wr ? wr : rd, pipe_sink_discard(rt, pos, wr ? &pipe_t_str : t), 0);
}

/* json(T) skips the values it has no field for with a fast skimmer and
 * falls back to the checked steps to say what is wrong: on each line of a
 * JSON input both must give the same verdict and message. */
static void skim_agrees(const char *p, size_t n)
{
    char e1[200], e2[200];
    for (const char *e = p + n; p < e;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        PipeStr s = {p, nl ? (size_t)(nl - p) : (size_t)(e - p)};
        bool fast = pipe_json_check(s, e1, sizeof e1), steps = pipe_json_check_steps(s, e2, sizeof e2);
        if (fast != steps || (!fast && strcmp(e1, e2) != 0))
            abort();
        p += s.n + 1;
    }
}

/* data[0]: bits 0-1 the reader (csv, tsv, json, csv with sep ";"), bit 2
 * header: false, bit 3 comment: "#", bits 4-5 the writer (to_json, to_csv,
 * to_tsv, none), bit 6 the reader skips rows in error.  data[1]: bit 7 feeds
 * stdin through a pipe, bits 0-5 the reader's bytes per read (fuzz_stdin.h).
 * The rest is the input.  A runtime error (exit code 1) is a normal outcome;
 * a usage error a bug here. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    cfg.mode = data[0];
    cfg.read_size = fuzz_read_size(data[1]);
    fuzz_feed_stdin(data + 2, size - 2, data[1] & 128);
    if ((cfg.mode & 3) == 2)
        skim_agrees((const char *)data + 2, size - 2);

    PipeProgram prog = {0};
    prog.name = "records";
    prog.script = "fuzz_records.pipe";
    prog.build = build;
    char arg0[] = "fuzz_records";
    char *argv[] = {arg0, NULL};
    int rc = pipe_main(&prog, 1, argv);
    if (rc != 0 && rc != 1)
        abort();
    return 0;
}
