/* pipe_std.h — constructors of the standard sources, sinks and processors.
 * Generated code builds its DAG with these (LANGUAGE.md §6); each returns a node
 * registered with rt, named after the stage and carrying its script position. */
#ifndef PIPE_STD_H
#define PIPE_STD_H

#include "pipe.h"

/* Computes the sort/top key of item into key_out (of the key's type); temporary
 * memory from scratch.  env is the closure's captured environment. */
typedef void (*PipeKeyFn)(void *env, const void *item, void *key_out, PipeArena *scratch);

/* ---- sources (items are str, except range: int) */
PipeSource *pipe_src_stdin(PipeRt *rt, PipePos pos);
PipeSource *pipe_src_file(PipeRt *rt, PipePos pos, PipeStr path);
/* sorted, concatenated; names: items are (path, line) pairs of type out, else str lines */
PipeSource *pipe_src_files(PipeRt *rt, PipePos pos, const PipeType *out, PipeStr glob, bool names);
PipeSource *pipe_src_range(PipeRt *rt, PipePos pos, int64_t from, int64_t to); /* [from, to) */
PipeSource *pipe_src_lines(PipeRt *rt, PipePos pos, PipeStr text);

/* ---- sinks (any T; one line per item, formatted as pipe_out_value) */
PipeNode *pipe_sink_stdout(PipeRt *rt, PipePos pos, const PipeType *t);
PipeNode *pipe_sink_stderr(PipeRt *rt, PipePos pos, const PipeType *t);
PipeNode *pipe_sink_file(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr path);
PipeNode *pipe_sink_append(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr path);
/* file_by(path_of), append_by(path_of): each item to the file path_of(item) names (outputs_by.c) */
PipeNode *pipe_sink_file_by(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn path_of, void *env);
PipeNode *pipe_sink_append_by(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn path_of, void *env);
PipeNode *pipe_sink_discard(PipeRt *rt, PipePos pos, const PipeType *t);

/* ---- str -> str */
PipeNode *pipe_std_grep(PipeRt *rt, PipePos pos, PipeStr regex);
PipeNode *pipe_std_grep_v(PipeRt *rt, PipePos pos, PipeStr regex);
PipeNode *pipe_std_grep_f(PipeRt *rt, PipePos pos, PipeStr literal);
PipeNode *pipe_std_replace(PipeRt *rt, PipePos pos, PipeStr regex, PipeStr with);
PipeNode *pipe_std_find_all(PipeRt *rt, PipePos pos, PipeStr regex);
PipeNode *pipe_std_upper(PipeRt *rt, PipePos pos);
PipeNode *pipe_std_lower(PipeRt *rt, PipePos pos);
PipeNode *pipe_std_trim(PipeRt *rt, PipePos pos);
PipeNode *pipe_std_words(PipeRt *rt, PipePos pos);
PipeNode *pipe_std_split(PipeRt *rt, PipePos pos, PipeStr sep);
PipeNode *pipe_std_field(PipeRt *rt, PipePos pos, int64_t i, PipeStr sep);
PipeNode *pipe_std_to_int(PipeRt *rt, PipePos pos);   /* str -> int */
PipeNode *pipe_std_to_float(PipeRt *rt, PipePos pos); /* str -> float */
/* Each item a line on the stdin of `/bin/sh -c cmd`, each line it prints an
 * item out; restarted up to retries times after backoff_ms (doubling) when it
 * dies (docs/pipe.md, "exec: external programs"). */
PipeNode *pipe_std_exec(PipeRt *rt, PipePos pos, PipeStr cmd, int64_t retries, int64_t backoff_ms);
/* T -> str: "{0}" is field 0 of a tuple (the value itself otherwise), "{{" "}}" braces */
PipeNode *pipe_std_format(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr fmt);

/* ---- generic T -> T */
PipeNode *pipe_std_pass(PipeRt *rt, PipePos pos, const PipeType *t); /* identity (tee) */
PipeNode *pipe_std_head(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n);
PipeNode *pipe_std_tail(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n);
PipeNode *pipe_std_skip(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n);
PipeNode *pipe_std_uniq(PipeRt *rt, PipePos pos, const PipeType *t);
PipeNode *pipe_std_distinct(PipeRt *rt, PipePos pos, const PipeType *t);
/* Stable sort; key NULL sorts by the item itself (key_t == t). */
PipeNode *pipe_std_sort(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn key,
                        void *env, const PipeType *key_t, bool desc);
/* The n items with the largest keys, largest first, ties in first-seen order. */
PipeNode *pipe_std_top(PipeRt *rt, PipePos pos, const PipeType *t, int64_t n, PipeKeyFn key,
                       void *env, const PipeType *key_t);

/* ---- aggregates and shape changes; out is the output tuple type where there is one */
PipeNode *pipe_std_count(PipeRt *rt, PipePos pos, const PipeType *t, const PipeType *out); /* T -> (T, int) */
PipeNode *pipe_std_count_items(PipeRt *rt, PipePos pos, const PipeType *t); /* T -> int */
PipeNode *pipe_std_sum(PipeRt *rt, PipePos pos, const PipeType *t);  /* int|float -> same */
PipeNode *pipe_std_min(PipeRt *rt, PipePos pos, const PipeType *t);  /* T -> T, nothing if empty */
PipeNode *pipe_std_max(PipeRt *rt, PipePos pos, const PipeType *t);
PipeNode *pipe_std_avg(PipeRt *rt, PipePos pos, const PipeType *t);  /* int|float -> float */
PipeNode *pipe_std_enumerate(PipeRt *rt, PipePos pos, const PipeType *t, const PipeType *out); /* T -> (int, T) */

/* ---- fan-in: n inputs on ports 0..n-1 */
PipeNode *pipe_std_merge(PipeRt *rt, PipePos pos, const PipeType *t, int n);
PipeNode *pipe_std_concat(PipeRt *rt, PipePos pos, const PipeType *t, int n);
PipeNode *pipe_std_zip(PipeRt *rt, PipePos pos, const PipeType *a, const PipeType *b,
                       const PipeType *out); /* ports 0 and 1 -> (A, B) */

/* ---- joins (LANGUAGE.md §9; docs/pipe.md "Joins"): port 0 the flow (x of type
 * x), port 1 the other stream (y of type y), read whole first (the scheduler
 * runs its sources first: pipe_node_gate).  Each x whose key kx(x) equals the
 * key ky(y) of items y gives with(x, y) for each, in other's order; left also
 * gives with(x, none) when none matches, and with's y is then a y? (a y and a
 * bool after it). */
typedef void (*PipeJoinFn)(void *env, const void *x, const void *y, void *out, PipeArena *scratch);
PipeNode *pipe_std_join(PipeRt *rt, PipePos pos, const PipeType *x, const PipeType *y, const PipeType *key,
                        const PipeType *out, PipeKeyFn kx, PipeKeyFn ky, PipeJoinFn with, void *env, bool left);

/* ---- data formats (LANGUAGE.md §8; docs/pipe.md "Records in the runtime").
 * Readers str -> t for a record type t (json: any type JSON can fill);
 * writers t -> str for any t. */
/* sep: one byte; header false: columns by position in field order; comment:
 * lines starting with it are skipped ("" for none). */
PipeNode *pipe_std_csv(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr sep, bool header, PipeStr comment);
PipeNode *pipe_std_tsv(PipeRt *rt, PipePos pos, const PipeType *t, bool header, PipeStr comment);
PipeNode *pipe_std_json(PipeRt *rt, PipePos pos, const PipeType *t); /* JSON Lines */
PipeNode *pipe_std_to_csv(PipeRt *rt, PipePos pos, const PipeType *t); /* header line first for records */
PipeNode *pipe_std_to_tsv(PipeRt *rt, PipePos pos, const PipeType *t);
PipeNode *pipe_std_to_json(PipeRt *rt, PipePos pos, const PipeType *t);
/* Whether text is exactly one JSON value (RFC 8259, blanks around it
 * allowed); if not, what is wrong and where in err[errlen]. */
bool pipe_json_check(PipeStr text, char *err, size_t errlen);
bool pipe_json_check_steps(PipeStr text, char *err, size_t errlen); /* without the fast skimmer: for tests */

/* ---- what `pipec schema` infers a record from (compiler/schema.c): the
 * readers' own splitting, name matching and conversions, so that the record
 * it prints is one csv(T), tsv(T) or json(T) reads the same input with. */
/* Rows of CSV (sep) or TSV (tsv) text, fed one input line at a time. */
typedef struct PipeCsvRows PipeCsvRows;
PipeCsvRows *pipe_csv_rows_new(char sep, bool tsv);
/* Takes the next line (without its '\n'): the number of cells of the row it
 * completes (the cells in *cells, valid until the next call; unquoted ones in
 * a), 0 for a skipped (blank) line, -1 when a quoted cell goes on. */
long pipe_csv_rows_line(PipeCsvRows *r, PipeStr line, PipeArena *a, const PipeStr **cells);
void pipe_csv_rows_free(PipeCsvRows *r);
/* A header's or key's name as the readers match it: ASCII letters lower-cased,
 * digits kept, each run of other bytes one '_'; writes at most cap bytes to
 * out, returns the full length. */
size_t pipe_name_norm(const char *s, size_t n, char *out, size_t cap);
/* Whether the readers match header cell or key name to a field named field. */
bool pipe_name_matches(PipeStr name, const char *field);
/* Which types a cell or JSON number converts to as the readers convert it. */
enum { PIPE_FITS_BOOL = 1, PIPE_FITS_INT = 2, PIPE_FITS_FLOAT = 4, PIPE_FITS_BIG = 8 /* digits past 64 bits */ };
unsigned pipe_cell_fits(PipeStr cell);
/* One JSON value as a tree: a member's key in key, items and members
 * from child along next; a string's decoded bytes or a number's text in text
 * (and its PIPE_FITS_* in fits, as json(T) reads it). */
enum { PIPE_JSON_NULL, PIPE_JSON_BOOL, PIPE_JSON_NUM, PIPE_JSON_STR, PIPE_JSON_ARR, PIPE_JSON_OBJ };
typedef struct PipeJson {
    int kind;
    unsigned fits;
    PipeStr text, key;
    struct PipeJson *child, *next;
} PipeJson;
/* The line's value in arena a; NULL for a blank line (err "") or when it is
 * not JSON (what is wrong and at which byte in err[errlen]). */
PipeJson *pipe_json_tree(PipeStr line, PipeArena *a, char *err, size_t errlen);

#endif
