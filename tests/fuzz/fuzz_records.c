/* fuzz_records.c — libFuzzer target for the record readers (stdlib/records.c):
 * any bytes, fed on stdin through the real line reader, into csv(T), tsv(T)
 * or json(T) of a fixed record type, then a writer (to_json, to_csv, to_tsv). */
#define _GNU_SOURCE 1
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../unit/test_rec_types.h"
#include "fuzz_stdin.h"
#include "pipe_std.h"
#include "rt_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the record types: cells for csv and tsv, nesting for json */

/* str?, int?, float? from the unit tests; bool? and Item? here */
typedef struct OptBool { bool v; bool some; } OptBool;

#define OPT(name, T, elem) \
    static const PipeType name = {PIPE_K_OPT, sizeof(T), alignof(T), 0, NULL, NULL, elem, NULL, NULL, NULL}
OPT(t_opt_bool, OptBool, &pipe_t_bool);

/* record Flat { name: str, n: int, x: float?, ok: bool?, note: str?, start_date: int? } */
typedef struct Flat {
    PipeStr name;
    int64_t n;
    OptFloat x;
    OptBool ok;
    OptStr note;
    OptInt start_date;
} Flat;
static const PipeType *const flat_f[] = {&pipe_t_str, &pipe_t_int, &t_opt_float, &t_opt_bool, &t_opt_str, &t_opt_int};
static const uint32_t flat_o[] = {offsetof(Flat, name), offsetof(Flat, n), offsetof(Flat, x),
                                  offsetof(Flat, ok), offsetof(Flat, note), offsetof(Flat, start_date)};
static const char *const flat_n[] = {"name", "n", "x", "ok", "note", "start_date"};
static const PipeType t_flat = {PIPE_K_RECORD, sizeof(Flat), alignof(Flat), 6, flat_f, flat_o, NULL, NULL, "Flat", flat_n};

/* record Item { name: str, qty: int? } */
typedef struct Item {
    PipeStr name;
    OptInt qty;
} Item;
static const PipeType *const item_f[] = {&pipe_t_str, &t_opt_int};
static const uint32_t item_o[] = {offsetof(Item, name), offsetof(Item, qty)};
static const char *const item_n[] = {"name", "qty"};
static const PipeType t_item = {PIPE_K_RECORD, sizeof(Item), alignof(Item), 2, item_f, item_o, NULL, NULL, "Item", item_n};
typedef struct OptItem { Item v; bool some; } OptItem;
OPT(t_opt_item, OptItem, &t_item);

static const PipeType t_items = {PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *), 0, NULL, NULL, &t_item, NULL, NULL, NULL};
static const PipeType t_tags = {PIPE_K_MAP, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_str, &pipe_t_int, NULL, NULL};
static const PipeType t_set = {PIPE_K_SET, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_str, NULL, NULL, NULL};

/* (str, float) */
typedef struct Pair {
    PipeStr s;
    double x;
} Pair;
static const PipeType *const pair_f[] = {&pipe_t_str, &pipe_t_float};
static const uint32_t pair_o[] = {offsetof(Pair, s), offsetof(Pair, x)};
static const PipeType t_pair = {PIPE_K_TUPLE, sizeof(Pair), alignof(Pair), 2, pair_f, pair_o, NULL, NULL, NULL, NULL};

/* record Doc { id: int, name: str?, tags: {str: int}, items: [Item], pair: (str, float),
 *              set: {str}, inner: Item?, ok: bool } */
typedef struct Doc {
    int64_t id;
    OptStr name;
    PipeMap *tags;
    PipeList *items;
    Pair pair;
    PipeMap *set;
    OptItem inner;
    bool ok;
} Doc;
static const PipeType *const doc_f[] = {&pipe_t_int, &t_opt_str, &t_tags, &t_items, &t_pair, &t_set, &t_opt_item, &pipe_t_bool};
static const uint32_t doc_o[] = {offsetof(Doc, id), offsetof(Doc, name), offsetof(Doc, tags), offsetof(Doc, items),
                                 offsetof(Doc, pair), offsetof(Doc, set), offsetof(Doc, inner), offsetof(Doc, ok)};
static const char *const doc_n[] = {"id", "name", "tags", "items", "pair", "set", "inner", "ok"};
static const PipeType t_doc = {PIPE_K_RECORD, sizeof(Doc), alignof(Doc), 8, doc_f, doc_o, NULL, NULL, "Doc", doc_n};

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
