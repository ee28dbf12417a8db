/* builtins.h — the one table of facts about the standard sources, sinks and
 * processors (LANGUAGE.md §6) and the standard functions (§4): a row each, read
 * by the checker, the emitter, safe mode and `pipec --list-stages`.  Adding a
 * stage is its stdlib code and one row (plus a hook for what a row cannot say). */
#ifndef PIPEC_BUILTINS_H
#define PIPEC_BUILTINS_H

#include <stdio.h>

#include "types.h"

struct Buf;
struct Emit;
struct StageUse;
struct DagNode;
struct Node;

/* ------------------------------------------------------------------ stages */

typedef enum StageRole { R_SOURCE, R_SINK, R_PROC, R_FANIN } StageRole;
/* A_PATH: a str naming a file (the system takes it up to a NUL byte); A_GLOB:
 * a pattern of such names; A_COUNT: an int, 0 or more; A_CMD: a shell command */
/* A_TYPE: a type written as an argument (csv(Release)), no value; A_STREAM:
 * a stream (a bound name or a source) that is the stage's input on port 1 */
typedef enum ArgKind {
    A_NONE, A_STR, A_PATH, A_GLOB, A_REGEX, A_INT, A_COUNT, A_CMD, A_BOOL, A_FN, A_SINK, A_TYPE, A_STREAM
} ArgKind;
typedef enum InRule { I_ANY, I_STR, I_NUM, I_ORD, I_HASH } InRule;
/* O_PAIR: a fan-in of exactly two streams, each item a pair of theirs */
typedef enum OutRule { O_SAME, O_STR, O_INT, O_FLOAT, O_COUNT, O_ENUM, O_PAIR } OutRule;

/* What emit.c passes to a stage's constructor after (rt, pos): CA_ARGS the
 * value arguments in order; CA_TYPED the input's type, then those; CA_TYPED_OUT
 * the input's and the output's types; CA_FANIN the output's type and the count
 * of inputs; CA_OUT the output's type, then the value arguments; CA_HOOK what
 * the row's emit hook writes. */
typedef enum CtorArgs { CA_ARGS, CA_TYPED, CA_TYPED_OUT, CA_FANIN, CA_OUT, CA_HOOK } CtorArgs;

/* Facts for the plan and for safe mode.  SF_ORDERED: items come out in the
 * order they came in (an aggregate of one value has no order to keep);
 * SF_MERGES: partial states of parts of the input merge into the state of the
 * whole; SF_READS, SF_WRITES: opens the files its first argument names. */
enum {
    SF_STATEFUL = 1 << 0, /* an item's output depends on the items before it */
    SF_ORDERED = 1 << 1,
    SF_MERGES = 1 << 2,
    SF_READS = 1 << 3,
    SF_WRITES = 1 << 4,
    SF_UNSAFE = 1 << 5, /* starts other programs: --safe and --sandbox refuse it */
    SF_SPILLS = 1 << 6, /* may write its state to temporary files */
    SF_LINES = 1 << 7,  /* a source of the lines of files, or a sink writing lines to
                         * one: lines may pass between the two in blocks (plan.c) */
    SF_PREFILTER = 1 << 8, /* drops every line without a literal it may name: the
                            * source before it may skip those lines (plan.c) */
};

/* A check of one use of a stage that its row cannot express (sema.c). */
typedef void (*StageCheckFn)(struct StageUse *u);
/* Writes the constructor call of a CA_HOOK stage's node n (emit.c); pos is the
 * C literal of its position. */
typedef void (*StageEmitFn)(struct Emit *E, struct DagNode *n, const char *pos);

typedef struct StdStage {
    const char *name;
    StageRole role;
    InRule in;
    OutRule out; /* sources: O_STR or O_INT */
    int nargs, required;
    const char *arg_names[4];
    ArgKind arg_kinds[4];
    const char *arg_defaults[4]; /* an absent optional value, in Pipe and C alike (a str: in Pipe) */
    const char *ctor;            /* the runtime constructor */
    CtorArgs pass;
    unsigned flags; /* SF_* */
    StageCheckFn check;
    StageEmitFn emit;
} StdStage;

/* The standard stage `name` in a position: with an input (has_in) or not, and
 * last in its flow or not (file() is a source first and a sink last). */
const StdStage *std_stage_find(const char *name, bool has_in, bool last);
/* Every row of the table (for "did you mean"), *n of them. */
const StdStage *std_stages_all(int *n);
/* Whether some standard stage is called name. */
bool std_stage_exists(const char *name);
/* The rows, *n of them. */
const StdStage *std_stages(int *n);

/* ------------------------------------------------------------------ functions */

/* A parameter or result of a function whose row needs no type hook. */
/* F_FLOAT as a parameter also takes an int; F_STR_OPT (a str?) is a result
 * only: the C function takes a PipeStr * last and returns whether it is some. */
typedef enum FnType { F_NONE, F_STR, F_INT, F_BOOL, F_STR_LIST, F_FLOAT, F_STR_OPT } FnType;

/* One call of a standard function being typed: its argument values and their
 * types (n of them, checked against the row's counts). */
typedef struct FnCall {
    PipeArena *arena;
    struct Node **args;
    Type **at;
    int n;
    char *why; /* the message when the arguments don't fit */
    size_t whylen;
} FnCall;

typedef struct Builtin Builtin;
struct Sema;
struct Scope;
/* Checks a call e whose arguments a row cannot describe (named arguments,
 * functions: sort(xs, by: f)) in scope sc, reporting what does not fit;
 * returns its type (sema.c). */
typedef Type *(*FnCheckFn)(struct Sema *s, struct Scope *sc, struct Node *e);
/* The result type of a call of b, or NULL with a message in c->why. */
typedef Type *(*FnTypeFn)(const Builtin *b, FnCall *c);
/* Writes the C of the call e to b (emit.c). */
typedef void (*FnEmitFn)(struct Emit *E, struct Buf *b, struct Node *e);

struct Builtin {
    const char *name;
    int min_args, max_args;
    int regex_arg;          /* index of an argument that is a regex, or -1 */
    FnType params[3];       /* without a type hook */
    FnType result;
    const char *cfn;        /* the C function called */
    bool scratch;           /* cfn takes the scratch arena first (its result lives there) */
    const char *missing;    /* C for an absent optional argument */
    bool pure;              /* changes none of its arguments */
    bool node;              /* cfn takes the stage node (for its runtime errors) after the arena */
    const char *unsafe;     /* why --safe refuses a call of it (it reads beyond the script's data), or NULL */
    FnTypeFn type;
    FnEmitFn emit;          /* calls that are not cfn(args) */
    FnCheckFn check;        /* checks the whole call instead of the type hook and the row */
};

/* The builtin function `name`, or NULL. */
const Builtin *builtin_find(const char *name);
/* The result type of b applied to the call c; NULL with a message in c->why
 * when the arguments don't fit. */
Type *builtin_type(const Builtin *b, FnCall *c);
/* The same by the row's parameter and result types alone (what a type hook
 * may check first). */
Type *builtin_type_of_row(const Builtin *b, FnCall *c);
/* The rows, *n of them. */
const Builtin *builtins_all(int *n);

/* ------------------------------------------------------------------ listing */

/* `pipec --list-stages [--format json|text]`: prints the table to out; returns
 * the exit code (2 after a usage error, reported on err). */
int builtins_list_main(int argc, char **argv, FILE *out, FILE *err);

/* ------------------------------------------------------------------ hooks */

/* sema.c: map, filter and flat_map take a function of the item; sort and top
 * a key function; format's fields must exist; tee's argument is a sink. */
void sema_stage_map(struct StageUse *u);
void sema_stage_filter(struct StageUse *u);
void sema_stage_flat_map(struct StageUse *u);
void sema_stage_key(struct StageUse *u);
void sema_stage_format(struct StageUse *u);
void sema_stage_tee(struct StageUse *u);
/* csv, tsv, json: the type argument is the output; csv's sep one byte */
void sema_stage_reader(struct StageUse *u);
/* join, left_join: the stream joined with, the keys and the function of
 * pairs (sema.c); their constructor with three functions (emit.c) */
void sema_stage_join(struct StageUse *u);
void emit_stage_join(struct Emit *E, struct DagNode *n, const char *pos);
/* files(glob, names: true): (path, line) pairs; names must be written true or false */
void sema_stage_files(struct StageUse *u);
/* file_by, append_by: a function of the item giving the file's path (a str) */
void sema_stage_path_of(struct StageUse *u);
/* emit.c: the stages whose constructors take key functions or two types */
void emit_stage_lambda(struct Emit *E, struct DagNode *n, const char *pos);
void emit_stage_sort(struct Emit *E, struct DagNode *n, const char *pos);
void emit_stage_top(struct Emit *E, struct DagNode *n, const char *pos);
void emit_stage_zip(struct Emit *E, struct DagNode *n, const char *pos);
void emit_stage_by(struct Emit *E, struct DagNode *n, const char *pos);
/* emit.c: functions whose C depends on their argument types */
void emit_fn_len(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_field(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_join(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_to_int(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_to_float(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_str(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_abs(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_min(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_max(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_add(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_remove(struct Emit *E, struct Buf *b, struct Node *e);
/* emit.c: fmt's arguments by its pattern; round, floor, ceil, sqrt and pow
 * by their argument types (numfmt) */
void emit_fn_fmt(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_round(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_float_fn(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_pow(struct Emit *E, struct Buf *b, struct Node *e);
/* emit.c: get(m, k), a V? */
void emit_fn_get(struct Emit *E, struct Buf *b, struct Node *e);

/* Lists (LANGUAGE.md §9; docs/pipe.md "Lists"): sort checks its named and
 * function arguments in sema.c; the emitter writes each by its types. */
Type *sema_fn_sort(struct Sema *s, struct Scope *sc, struct Node *e);
void emit_fn_sort(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_reverse(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_sum(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_contains(struct Emit *E, struct Buf *b, struct Node *e);
void emit_fn_find(struct Emit *E, struct Buf *b, struct Node *e);

#endif
