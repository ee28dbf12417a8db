/* pipe.h — the Pipe runtime's public ABI.
 * Generated pipelines, the standard library and users' `extern proc` C files all
 * compile against this one header; keep it small and stable.
 *
 * Model (push): a source reads a line and pushes it into the first node; every
 * node handles the item and pushes zero or more items to its outputs with
 * pipe_emit(), in the same call stack.  An item is passed by pointer and is only
 * valid during the push call: a node that keeps it must pipe_clone() it.
 * Temporary values (strings built by upper(), lists from split(), ...) live in the
 * run's scratch arena, which is reset after each source item has travelled
 * through the whole DAG.  Long-lived state is owned by the node that keeps it.
 *
 * The JIT compiles generated code without any system header: it defines
 * PIPE_FREESTANDING and this header then declares the few types it needs itself.
 */
#ifndef PIPE_H
#define PIPE_H

#ifdef PIPE_FREESTANDING
typedef unsigned long size_t;
typedef long int64_t;
typedef unsigned long uint64_t;
typedef unsigned int uint32_t;
typedef unsigned char uint8_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif

#define PIPE_ABI_VERSION 1

/* ------------------------------------------------------------------ values */

/* A str is a byte slice (any bytes but '\n'), not NUL-terminated.  It borrows
 * its bytes from the reader's buffer, the scratch arena or an owner. */
typedef struct PipeStr {
    const char *p;
    size_t n;
} PipeStr;

typedef enum PipeKind {
    PIPE_K_STR,
    PIPE_K_INT,   /* int64_t */
    PIPE_K_FLOAT, /* double */
    PIPE_K_BOOL,  /* bool */
    PIPE_K_TUPLE, /* a C struct, fields at offsets[] */
    PIPE_K_LIST,  /* PipeList * */
    PIPE_K_MAP,   /* PipeMap * */
    PIPE_K_SET,   /* PipeMap * whose values have size 0 */
    /* Records and optionals (additive to ABI 1; docs/pipe.md, "Records in the
     * runtime"). */
    PIPE_K_RECORD, /* a tuple (C struct, fields at offsets[]) with a name and field names */
    PIPE_K_OPT     /* T? (elem = T): a C struct { T v; bool some; }, all zero when none */
} PipeKind;

/* Describes a Pipe type at run time so that generic code (sort, count, maps,
 * output) can hash, compare, copy and print values of any type. */
typedef struct PipeType {
    PipeKind kind;
    uint32_t size;  /* sizeof the C representation */
    uint32_t align;
    uint32_t nfields;                     /* tuple */
    const struct PipeType *const *fields; /* tuple: field types */
    const uint32_t *offsets;              /* tuple: field offsets */
    const struct PipeType *elem;          /* list, set: element type; map: key */
    const struct PipeType *val;           /* map: value type */
    /* Appended to ABI 1 (zero for other kinds): a record's type name and its
     * nfields field names, in declaration order. */
    const char *name;
    const char *const *field_names;
} PipeType;

/* Whether v, a value of the optional type t (PIPE_K_OPT), holds a value (at
 * v itself) rather than none.  `some` follows the value, at offset
 * t->elem->size, so that one layout serves every T and a zeroed T? is none. */
static inline bool pipe_opt_some(const PipeType *t, const void *v)
{
    return *(const bool *)((const char *)v + t->elem->size);
}

extern const PipeType pipe_t_str, pipe_t_int, pipe_t_float, pipe_t_bool;

/* ------------------------------------------------------------------ arenas */

typedef struct PipeArenaBlock PipeArenaBlock;
typedef struct PipeArena {
    char *cur, *end;
    PipeArenaBlock *blocks; /* newest first; the oldest is kept by reset */
} PipeArena;

void *pipe_arena_grow(PipeArena *a, size_t n); /* slow path of pipe_alloc */
void pipe_arena_reset(PipeArena *a);           /* frees all but the first block */
void pipe_arena_free(PipeArena *a);            /* frees every block */

/* Returns n bytes aligned to 16 from a; never NULL (exits on out of memory). */
static inline void *pipe_alloc(PipeArena *a, size_t n)
{
    size_t r = (n + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) >= r) {
        void *p = a->cur;
        a->cur += r;
        return p;
    }
    return pipe_arena_grow(a, r);
}

/* ------------------------------------------------------------------ containers */

/* A list of elements of one type, stored contiguously.  Allocated from the
 * arena it was made with, or from the heap when arena is NULL (owned lists). */
typedef struct PipeList {
    void *data;
    size_t len, cap;
    uint32_t esize;
    PipeArena *arena;
    /* A heap list that a stage keeps (pipe_list_adopt, appended to ABI 1):
     * its memory counts toward that stage's --mem-limit. */
    struct PipeNode *owner;
    const struct PipeType *elem;
    size_t charged;
} PipeList;

PipeList *pipe_list_new(PipeArena *a, uint32_t esize, size_t cap);
/* Makes heap list l (of elements of type elem) one that stage owner keeps:
 * its slots and what its elements hold count toward owner's --mem-limit as
 * it grows (additive to ABI 1).  Returns l; an arena list or NULL is left alone. */
PipeList *pipe_list_adopt(struct PipeNode *owner, PipeList *l, const struct PipeType *elem);
void *pipe_list_push(PipeList *l); /* room for one more element, zeroed */
/* Element i, counting from 0 (negative: from the end), or NULL when out of range. */
void *pipe_list_at(PipeList *l, int64_t i);

/* An insertion-ordered hash map (a set when the value type is NULL).  Keys and
 * values are deep copies owned by the map (heap).  Entries are kept dense in
 * insertion order; removed ones are skipped by iteration. */
typedef struct PipeMap PipeMap;

PipeMap *pipe_map_new(const PipeType *key, const PipeType *val);
/* A map freed when arena a is reset or freed (the literals `{k: v}`, `{x}`). */
PipeMap *pipe_map_scratch(PipeArena *a, const PipeType *key, const PipeType *val);
void pipe_map_free(PipeMap *m);
void *pipe_map_get(PipeMap *m, const void *key);            /* value or NULL */
void *pipe_map_upsert(PipeMap *m, const void *key, bool *created); /* new value zeroed */
bool pipe_map_has(PipeMap *m, const void *key);
bool pipe_map_remove(PipeMap *m, const void *key);
size_t pipe_map_len(const PipeMap *m);
/* Iteration: for (size_t i = 0; pipe_map_next(m, &i, &k, &v); ) visits live
 * entries in insertion order. */
bool pipe_map_next(PipeMap *m, size_t *i, void **key, void **val);

/* ------------------------------------------------------------------ generic value ops */

int pipe_cmp(const PipeType *t, const void *a, const void *b); /* <0, 0, >0 */
bool pipe_eq(const PipeType *t, const void *a, const void *b);
uint64_t pipe_hash(const PipeType *t, const void *v);
/* Deep-copies src to dst; into arena a, or onto the heap when a is NULL. */
void pipe_clone(const PipeType *t, void *dst, const void *src, PipeArena *a);
/* Frees what a heap clone (a == NULL) of the value owns; not the value itself. */
void pipe_drop(const PipeType *t, void *v);

/* ------------------------------------------------------------------ run time */

typedef struct PipeRt PipeRt;
typedef struct PipeNode PipeNode;

typedef struct PipePos {
    const char *file; /* the .pipe file */
    int line, col;
} PipePos;

typedef struct PipeEdge {
    PipeNode *node;
    int port; /* which input of node (fan-in) */
} PipeEdge;

/* A processor or sink, and its lifecycle (docs/pipe.md, "Lifecycle"); every
 * hook but push is optional (NULL):
 *   open()     once, before any input is read (downstream nodes first, so an
 *              open() that emits finds its consumers open); a pipe_fail here
 *              stops the run before any input is read.  `on start` of a proc.
 *   push()     each item on input `port` (the `on NAME` hook).
 *   finish()   once after the last item of every input (`on end`); may still
 *              emit; the runtime then ends the outputs.
 *   close()    once after the run, also after a runtime error, in creation
 *              order (upstream first): release what open() took; must not emit.
 *   free()     releases the node's memory (also when the run never started). */
struct PipeNode {
    void (*push)(PipeNode *self, const void *item, int port);
    void (*finish)(PipeNode *self);
    void (*free)(PipeNode *self);
    void (*port_end)(PipeNode *self, int port); /* optional: one input ended */
    void (*open)(PipeNode *self);
    void (*close)(PipeNode *self);
    PipeEdge *outs;
    uint32_t nouts, capouts;
    uint32_t nins, ended; /* inputs connected, inputs ended */
    const char *name;     /* stage name for messages, e.g. "to_int" */
    PipePos pos;          /* where the stage is written */
    const PipeType *in, *out;
    PipeRt *rt;
    uint64_t items_in, items_out;
    uint32_t flags; /* PIPE_PLAN_*: set by generated code (additive to ABI 1) */
};

/* Decisions of the compiler's plan pass (compiler/plan.c) about a node, which
 * generated code sets in its flags; the runtime takes them as they are, and
 * drops them only when the run wraps the hooks (--stats) or a node ended.
 *   COPY: a line source whose only consumer is a plain str sink: whole blocks
 *     of lines go to the sink, and a regular file through the kernel (sendfile).
 *   PREFILTER: a line source whose only consumer has it as its only input and
 *     no error policy: that consumer's prefilter (pipe_node_prefilter_literal)
 *     applies.
 *   FUSE_TOP: a sort whose only consumer is a top with a key that cannot fail,
 *     neither with an error policy: the top breaks its ties by the sort's key,
 *     and nothing is sorted.
 *   TAIL: a line source whose only consumer is a tail, neither with an error
 *     policy: one regular file is read from where its last n lines start. */
enum { PIPE_PLAN_COPY = 1 << 0, PIPE_PLAN_PREFILTER = 1 << 1, PIPE_PLAN_FUSE_TOP = 1 << 2, PIPE_PLAN_TAIL = 1 << 3 };

/* What a runtime error of a stage does (`STAGE on error skip|stop|NAME`,
 * docs/pipe.md "Error policies"): stop the run (the default), drop the item
 * (counted), or drop it and emit (item as text, message) on a dead-letter node. */
enum { PIPE_ON_ERROR_STOP, PIPE_ON_ERROR_SKIP, PIPE_ON_ERROR_DEAD };
/* Sets n's error policy; for PIPE_ON_ERROR_DEAD, dead is the node made by
 * pipe_dead_letter that emits the records.  Call once n's hooks are set. */
void pipe_node_on_error(PipeNode *n, int policy, PipeNode *dead);
/* A node that emits the dead letters of the stages routed to it, as values of
 * t, a tuple (str, str); it ends when every one of those stages has ended. */
PipeNode *pipe_dead_letter(PipeRt *rt, PipePos pos, const PipeType *t);

/* Sends item to every output of n (fan-out calls each consumer in turn). */
static inline void pipe_emit(PipeNode *n, const void *item)
{
#ifndef PIPE_NO_STATS /* only to measure what the counters of --stats cost */
    n->items_out++;
#endif
    for (uint32_t i = 0; i < n->nouts; i++) {
        PipeNode *o = n->outs[i].node;
#ifndef PIPE_NO_STATS
        o->items_in++;
#endif
        o->push(o, item, n->outs[i].port);
    }
}

/* Allocates a node of `size` bytes (>= sizeof(PipeNode)), zeroed, registered
 * with rt so that it is freed at the end of the run. */
PipeNode *pipe_node_new(PipeRt *rt, size_t size, const char *name, PipePos pos);
/* A map (pipe_map_new) whose entries, index and keys count toward stage
 * owner's memory budget: past --mem-limit, when given, a runtime error of
 * owner (additive to ABI 1; strings and lists held in values are not counted). */
PipeMap *pipe_map_new_in(PipeNode *owner, const PipeType *key, const PipeType *val);
/* Adds the edge from -> (to, port) and counts one more input of `to`. */
void pipe_connect(PipeNode *from, PipeNode *to, int port);
/* n will emit nothing more: each output is told (port_end), and an output whose
 * every input has ended runs its finish() and is ended in turn.  So end of
 * stream reaches `on end` blocks in topological order. */
void pipe_end(PipeNode *n);
/* n wants no more input (head(n) after n items): its outputs are ended now,
 * without running n's finish(), and a source from which no path leads to a
 * node still wanting input stops early (so `yes | head` ends).  n must ignore
 * items pushed to it afterwards and emit nothing more. */
void pipe_close(PipeNode *n);
/* Resets the scratch arena; for a finish() that emits many items, after each
 * one (no item of the caller may live in scratch then). */
void pipe_item_done(PipeRt *rt);

/* Sources: produce items one at a time so the scheduler can interleave them. */
typedef struct PipeSource PipeSource;
struct PipeSource {
    PipeNode node;                     /* outputs live here; push is unused */
    bool (*step)(PipeSource *self);    /* emit one item; false at end */
    const char *input_name;            /* "stdin", a file name, ... for messages */
    int64_t input_line;                /* line number of the item being emitted */
    bool is_file;                      /* a regular file (merge is round-robin) */
    uint64_t bytes_read;               /* input bytes read so far (for --progress) */
    uint64_t bytes_total;              /* size of the input when known, else 0 */
};
PipeSource *pipe_source_new(PipeRt *rt, size_t size, const char *name, PipePos pos);

/* Source prefilters (additive to ABI 1).  A stage promises that it emits
 * nothing, and does nothing observable, for a str item that does not contain
 * `literal` (grep_f, grep of a literal pattern).  When that stage is the only
 * consumer of a line source (its only input, the source's only output) and the
 * source runs alone, the source may search its whole read buffer for the
 * literal and push only the lines holding it (the stage still sees and checks
 * each one), counting the skipped lines for input_line and the item counters.
 * Call at build time; a literal that is empty or holds '\n' is ignored.
 * Several calls for one stage name alternatives: it does nothing for an item
 * holding none of them (up to 8; with more, no prefilter). */
void pipe_node_prefilter_literal(PipeNode *n, PipeStr literal);

/* n takes items on input `port` only after its other inputs have ended (a
 * join reads the stream it joins with whole first; additive to ABI 1): the
 * scheduler runs the sources that lead to that port after the others have
 * ended.  Where it cannot (those sources also feed the other inputs; the
 * compiler refuses such a DAG), n receives them early and must keep them.
 * Call at build time. */
void pipe_node_gate(PipeNode *n, int port);

/* A run without pipe_main (tests, a REPL): pipe_rt_new, build nodes into it,
 * pipe_run (at most once), pipe_rt_free (frees every node, output and regex). */
PipeRt *pipe_rt_new(void);
void pipe_rt_free(PipeRt *rt);

/* The scratch arena of the current item (reset by the scheduler). */
PipeArena *pipe_scratch(PipeRt *rt);
/* The state of the generated program in run rt (its parameters, regexes,
 * what its functions reach): `size` zeroed bytes at the first call, the same
 * ones after; freed with rt, after its regexes (additive to ABI 1).  It is
 * what lets two runs of one program go on at once on two threads. */
void *pipe_rt_state(PipeRt *rt, size_t size);

/* The run's memory budget in bytes (--mem-limit, else $PIPE_MEM_LIMIT, else
 * 256 MiB): a stage that keeps many items (sort) spills to temporary files
 * rather than hold more than this. */
size_t pipe_mem_limit(PipeRt *rt);

/* Runs every source to its end, interleaving them line by line, then ends the
 * DAG in topological order.  Returns the exit code (0 or 1; 130 or 143 when
 * SIGINT or SIGTERM stopped it, under pipe_main). */
int pipe_run(PipeRt *rt);

/* Runtime errors: print "FILE:L:C: runtime error in stage NAME: MESSAGE[: "value"]
 * (input IN, line N)" on stderr ("runtime error [run ID]" when the run was
 * given --trace or --run-id), flush what every sink holds, and unwind to
 * pipe_main (longjmp), which returns 1.  Never returns. */
__attribute__((noreturn)) void pipe_fail(PipeNode *n, const char *msg);
__attribute__((noreturn)) void pipe_fail_str(PipeNode *n, const char *msg, PipeStr value);

/* ------------------------------------------------------------------ output */

typedef struct PipeOut PipeOut;
PipeOut *pipe_out_stdout(PipeRt *rt);
void pipe_out_bytes(PipeOut *o, const char *p, size_t n);
/* Writes v as one line as LANGUAGE.md §7 says (str as is, int decimal, float
 * shortest round-trip, bool true/false, tuple fields TAB-separated, list items
 * space-separated), followed by '\n'. */
void pipe_out_value(PipeOut *o, const PipeType *t, const void *v);

/* ------------------------------------------------------------------ programs */

typedef struct PipeParam {
    const char *name;
    const PipeType *type; /* str, int, float or bool */
    const char *def;      /* default as text, NULL when required */
} PipeParam;

/* What generated code exports: its parameters and a function that builds the
 * DAG into rt (given parsed parameter values, each of its param's C type).
 * The provenance fields at the end (for --version and --trace) were appended
 * to ABI 1: generated code and the runtime are always compiled together, and
 * a program that leaves them zero reports them as unknown. */
typedef struct PipeProgram {
    const char *name;   /* pipeline name */
    const char *script; /* script path, for --help and messages */
    int nparams;
    const PipeParam *params;
    size_t params_size;      /* sizeof the generated struct holding the values */
    const uint32_t *offsets; /* offset of each parameter in that struct */
    void (*build)(PipeRt *rt, const void *params);
    const char *pipec_version;  /* the pipec that compiled it, e.g. "0.1.0" */
    const char *script_sha256;  /* SHA-256 of the script's bytes: 64 lowercase hex digits */
    const char *const *imports; /* the other files it was built from (imported scripts,
                                   extern procs' C): path, sha256, path, sha256, ..., NULL */
    /* Safe mode and sandbox (appended like the provenance fields; zero: off).
     * Under safe, every file source and sink must be inside a folder of
     * allow_read or allow_write (NULL-terminated, absolute and resolved). */
    bool safe;
    bool sandbox; /* confine the run with Landlock and seccomp (runtime/sandbox.c) */
    const char *const *allow_read;
    const char *const *allow_write;
} PipeProgram;

/* What a stage does with a path it is given: safe mode checks it against
 * the allowed folders (write ones only for PIPE_PATH_WRITE), and --sandbox
 * makes a rule for it. */
typedef enum PipePathKind {
    PIPE_PATH_READ = 0,  /* a file source reads it */
    PIPE_PATH_GLOB = 1,  /* a files(glob) source reads what the pattern matches */
    PIPE_PATH_WRITE = 2, /* a file or append sink writes it */
} PipePathKind;

/* --sandbox: what a generated build function calls before it makes any node.
 * pipe_rt_sandbox_path declares the path of a file source, the pattern of a
 * files(glob) source or the path of a file or append sink; pipe_rt_confine
 * then confines the process (Landlock: those files, the allowed folders,
 * $TMPDIR when spills; seccomp) or stops the run. */
void pipe_rt_sandbox_path(PipeRt *rt, PipePathKind kind, PipeStr path);
void pipe_rt_confine(PipeRt *rt, bool spills);

/* Parses argv (options --name V, --name=V, --help), builds and runs prog.
 * Returns the process exit code: 0, 1 runtime error, 2 usage error, 130 or
 * 143 after SIGINT or SIGTERM (what was processed is written out). */
int pipe_main(const PipeProgram *prog, int argc, char **argv);
/* pipe_main for `pipec run`: code is what runs the program's code ("native",
 * "jit") and why says why, both for --stats to report (additive to ABI 1). */
int pipe_main_code(const PipeProgram *prog, int argc, char **argv, const char *what_code, const char *why);

/* ------------------------------------------------------------------ builtin functions
 * The functions of LANGUAGE.md §4 that generated expressions call.  Results that
 * need memory come from arena `a` (the scratch arena, or a node's own). */

typedef struct PipeRegex PipeRegex;

/* Compiles pattern with PCRE2 (and its JIT when available).  On a bad pattern
 * returns NULL and writes a message and the byte offset of the error. */
PipeRegex *pipe_regex_compile(PipeStr pattern, char *err, size_t errlen, size_t *erroff);
/* Whether pattern is a non-empty literal, without metacharacters: it matches
 * the lines holding it (a prefilter; additive to ABI 1). */
bool pipe_regex_is_literal(PipeStr pattern);
/* Compiles a pattern that the compiler already checked (or a parameter): a bad
 * one is a runtime error of stage n. */
PipeRegex *pipe_regex_new(PipeRt *rt, PipeNode *n, PipeStr pattern);
void pipe_regex_free(PipeRegex *re);
/* A one-entry cache for regexes computed at run time: recompiles only when the
 * pattern text changes. */
typedef struct PipeRegexCache {
    PipeRegex *re;
    char *pat;
    size_t n;
} PipeRegexCache;
PipeRegex *pipe_regex_cached(PipeRegexCache *c, PipeNode *n, PipeStr pattern);
/* re, for a match in stage n: one that gives up is n's runtime error, naming
 * the line and the pattern (additive to ABI 1; for patterns built with the DAG). */
PipeRegex *pipe_regex_at(PipeRegex *re, PipeNode *n);

bool pipe_matches(PipeRegex *re, PipeStr s);
/* Replaces every match; `with` may use \0..\9 for groups (and \\ for \). */
PipeStr pipe_replace(PipeArena *a, PipeRegex *re, PipeStr s, PipeStr with);
/* Every match of re in s, as a list of str (a "grep -o"). */
PipeList *pipe_find_all(PipeArena *a, PipeRegex *re, PipeStr s);
/* find_all one match at a time, without a list (additive to ABI 1): the next
 * non-empty match at or after *pos (start at 0) into *m, *pos after it; false
 * when there is none. */
bool pipe_find_next(PipeRegex *re, PipeStr s, size_t *pos, PipeStr *m);

/* Regexes as values, time and environment (LANGUAGE.md §9; additive to ABI 1;
 * docs/pipe.md "Regexes as values, time and environment"). */
/* captures(s, re): [whole first match, group 1, ...] as slices of s ("" for a
 * group that took no part), [] when re does not match. */
PipeList *pipe_captures(PipeArena *a, PipeRegex *re, PipeStr s);
/* The first match replaced, `with` as for pipe_replace; s itself when none. */
PipeStr pipe_replace_first(PipeArena *a, PipeRegex *re, PipeStr s, PipeStr with);
/* The pieces of s between the non-empty matches of re (groups add none). */
PipeList *pipe_split_re(PipeArena *a, PipeRegex *re, PipeStr s);
/* s with every regex metacharacter escaped: a pattern matching s literally. */
PipeStr pipe_quote_re(PipeArena *a, PipeStr s);
/* Unix time now, in seconds. */
double pipe_now(void);
/* s read by a strptime format (UTC unless it has %z or %Z) as Unix seconds; a
 * text that does not fit is a runtime error of n. */
double pipe_parse_time(PipeNode *n, PipeStr s, PipeStr format);
/* Unix seconds t by a strftime format: UTC, or local time when the format
 * shows a zone (%z, %Z); a t out of range is a runtime error of n. */
PipeStr pipe_format_time(PipeArena *a, PipeNode *n, double t, PipeStr format);
/* Whether format is one format_time (parse false) or parse_time (parse
 * true) takes; else why, in why. */
bool pipe_time_format_ok(PipeStr format, bool parse, char *why, size_t whylen);
/* The environment variable name into *out (a slice of the environment); false
 * when it is unset. */
bool pipe_env(PipeStr name, PipeStr *out);

bool pipe_str_eq(PipeStr a, PipeStr b);
int pipe_str_cmp(PipeStr a, PipeStr b); /* bytewise, shorter first on a tie */
PipeStr pipe_str_lit(const char *p, size_t n);
PipeStr pipe_concat(PipeArena *a, PipeStr x, PipeStr y);
/* v[0] + v[1] + ... + v[n-1] in one allocation (a chain of +). */
PipeStr pipe_concat_n(PipeArena *a, const PipeStr *v, size_t n);
PipeStr pipe_upper(PipeArena *a, PipeStr s); /* ASCII only */
PipeStr pipe_lower(PipeArena *a, PipeStr s);
PipeStr pipe_trim(PipeStr s); /* ASCII whitespace, both ends; a slice of s */
bool pipe_contains(PipeStr s, PipeStr sub);
bool pipe_starts_with(PipeStr s, PipeStr prefix);
bool pipe_ends_with(PipeStr s, PipeStr suffix);
int64_t pipe_find(PipeStr s, PipeStr sub); /* byte index, or -1 */
/* pipe_find of a sub of 1 or more bytes whose rarest byte is at rare (pipe_rare_index). */
int64_t pipe_find_rare(PipeStr s, PipeStr sub, size_t rare);
/* Bytes [start, start+len) clamped to s; negative start counts from the end. */
PipeStr pipe_substr(PipeStr s, int64_t start, int64_t len);
PipeList *pipe_split(PipeArena *a, PipeStr s, PipeStr sep); /* list of str; "" sep: bytes */
PipeList *pipe_words(PipeArena *a, PipeStr s); /* runs of non-blank (awk fields) */
/* words(s)[i] without the list: the i-th word (negative from the end), "" when none. */
PipeStr pipe_word(PipeStr s, int64_t i);
/* The i-th piece of s split on sep (from 0), "" when there is none; no list built. */
PipeStr pipe_field(PipeStr s, int64_t i, PipeStr sep);
/* Where the last field of a line was found (generated code keeps one in each
 * function that takes fields), so that the next field() of the same line goes
 * on from there rather than from its start: `field(l, 8, " ")` then
 * `field(l, 9, " ")` scan the line once.  Zero it when a string may have been
 * freed (its bytes could come back at the same place). */
typedef struct PipeFieldAt {
    const char *p; /* the line, */
    size_t n;
    const char *at; /* the start of its field i */
    int64_t i;
    char sep;
} PipeFieldAt;
/* pipe_field, remembering in *fa where it found the field. */
PipeStr pipe_field_at(PipeFieldAt *fa, PipeStr s, int64_t i, PipeStr sep);
/* pipe_word, remembering in *wa where it found the word (as pipe_field_at):
 * `words(l)[3]` then `words(l)[8]` scan the line once. */
PipeStr pipe_word_at(PipeFieldAt *wa, PipeStr s, int64_t i);
PipeStr pipe_join(PipeArena *a, const PipeType *elem, PipeList *xs, PipeStr sep);
/* to_int / to_float: the whole (trimmed) text must be a number, else a runtime
 * error of stage n naming the value. */
int64_t pipe_to_int(PipeNode *n, PipeStr s);
double pipe_to_float(PipeNode *n, PipeStr s);
/* Parses without failing; false when s is not a number. */
bool pipe_parse_int(PipeStr s, int64_t *out);
bool pipe_parse_float(PipeStr s, double *out);
/* str(x): the text a sink would write for x (without the newline). */
PipeStr pipe_str_of(PipeArena *a, const PipeType *t, const void *v);
PipeStr pipe_int_str(PipeArena *a, int64_t v);
PipeStr pipe_float_str(PipeArena *a, double v);
/* keys(m): the keys of a map (or elements of a set) as a new list in arena a. */
PipeList *pipe_map_keys(PipeArena *a, PipeMap *m);

/* List operations and slices (LANGUAGE.md §9; additive to ABI 1; docs/pipe.md
 * "Lists"): each new list is made in arena a (elements copied shallowly, esize
 * bytes each); a NULL list is the empty list. */
/* s[i:j] as Python slices: negative bounds count from the end, both clamped
 * to the str; a slice of s's bytes. */
PipeStr pipe_str_slice(PipeStr s, int64_t i, int64_t j);
/* xs[i:j], bounds as pipe_str_slice's. */
PipeList *pipe_list_slice(PipeArena *a, uint32_t esize, PipeList *xs, int64_t i, int64_t j);
/* xs + ys */
PipeList *pipe_list_concat(PipeArena *a, uint32_t esize, PipeList *xs, PipeList *ys);
PipeList *pipe_list_reverse(PipeArena *a, uint32_t esize, PipeList *xs);
/* xs sorted stably by keys (one of type kt per element, in xs's order), or by
 * the elements themselves when keys is NULL; descending when desc, equal keys
 * still in xs's order.  O(n log n) comparisons. */
PipeList *pipe_list_sort(PipeArena *a, const PipeType *elem, PipeList *xs, const PipeType *kt, const void *keys,
                         bool desc);
/* The first smallest (sign -1) or largest (sign 1) element of xs; an empty xs
 * is a runtime error of node. */
const void *pipe_list_extreme(PipeNode *node, const PipeType *elem, PipeList *xs, int sign);
/* The sum of an int list (overflow a runtime error of node, as `+`), of a
 * float list (added left to right); 0 of an empty one. */
int64_t pipe_list_isum(PipeNode *node, PipeList *xs);
double pipe_list_fsum(PipeList *xs);
/* Whether xs holds a value equal to *x. */
bool pipe_list_contains(const PipeType *elem, PipeList *xs, const void *x);
/* Integer division and modulo that report division by zero, and the quotient
 * of INT64_MIN / -1, as a runtime error of n (INT64_MIN % -1 is 0). */
int64_t pipe_idiv(PipeNode *n, int64_t x, int64_t y);
int64_t pipe_imod(PipeNode *n, int64_t x, int64_t y);

/* ------------------------------------------------------------------ checked int arithmetic
 * An int is 64-bit signed and overflow is a runtime error of the stage, never
 * a wrap-around (docs/pipe.md, "Types and values").  Generated code does its
 * int + - *, unary minus and abs() through these (additive to ABI 1).  Under
 * GCC and Clang a check is the operation and one branch (the overflow
 * builtins); tcc (the JIT of `pipec run`) has no such builtins, so there the
 * result is computed in uint64_t, where wrap-around is defined, and compared:
 * both give the same results and the same errors. */

/* Reports "integer overflow: X OP Y" as a runtime error of n; op "neg" and
 * "abs" are the unary minus and abs() of x.  Never returns. */
__attribute__((noreturn, cold)) void pipe_int_overflow(PipeNode *n, const char *op, int64_t x, int64_t y);
/* Reports a float that to_int cannot make an int (NaN, or out of range) as a
 * runtime error of n.  Never returns. */
__attribute__((noreturn, cold)) void pipe_float_int_fail(PipeNode *n, double v);

/* 1: the checks use GCC's and Clang's overflow builtins; 0: the portable
 * code (tcc).  A test may define it as 0 to check one against the other. */
#ifndef PIPE_OVERFLOW_BUILTINS
#if defined(__GNUC__) && !defined(__TINYC__)
#define PIPE_OVERFLOW_BUILTINS 1
#else
#define PIPE_OVERFLOW_BUILTINS 0
#endif
#endif
#if defined(__GNUC__) && !defined(__TINYC__)
#define PIPE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PIPE_UNLIKELY(x) (x)
#endif
#define PIPE_INT_MIN (-0x7fffffffffffffffLL - 1)

/* Whether x + y, x - y, x * y overflow; *r gets the result (wrapped around
 * when it overflows). */
static inline bool pipe_add_overflows(int64_t x, int64_t y, int64_t *r)
{
#if PIPE_OVERFLOW_BUILTINS
    return __builtin_add_overflow(x, y, r);
#else
    *r = (int64_t)((uint64_t)x + (uint64_t)y);
    return (y < 0) != (*r < x); /* the sum moved the wrong way: it wrapped */
#endif
}

static inline bool pipe_sub_overflows(int64_t x, int64_t y, int64_t *r)
{
#if PIPE_OVERFLOW_BUILTINS
    return __builtin_sub_overflow(x, y, r);
#else
    *r = (int64_t)((uint64_t)x - (uint64_t)y);
    return (y < 0) != (*r > x);
#endif
}

static inline bool pipe_mul_overflows(int64_t x, int64_t y, int64_t *r)
{
#if PIPE_OVERFLOW_BUILTINS
    return __builtin_mul_overflow(x, y, r);
#else
    *r = (int64_t)((uint64_t)x * (uint64_t)y); /* the true product when it fits */
    /* factors within 32 bits cannot overflow: a division only for larger ones */
    if (!(((uint64_t)x + 0x80000000u) >> 32) && !(((uint64_t)y + 0x80000000u) >> 32))
        return false;
    uint64_t ax = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    uint64_t ay = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
    uint64_t limit = (uint64_t)0x7fffffffffffffffLL + ((x < 0) != (y < 0)); /* |INT64_MIN| for a negative product */
    return ay != 0 && ax > limit / ay;
#endif
}

static inline int64_t pipe_iadd(PipeNode *n, int64_t x, int64_t y)
{
    int64_t r;
    if (PIPE_UNLIKELY(pipe_add_overflows(x, y, &r)))
        pipe_int_overflow(n, "+", x, y);
    return r;
}

static inline int64_t pipe_isub(PipeNode *n, int64_t x, int64_t y)
{
    int64_t r;
    if (PIPE_UNLIKELY(pipe_sub_overflows(x, y, &r)))
        pipe_int_overflow(n, "-", x, y);
    return r;
}

static inline int64_t pipe_imul(PipeNode *n, int64_t x, int64_t y)
{
    int64_t r;
    if (PIPE_UNLIKELY(pipe_mul_overflows(x, y, &r)))
        pipe_int_overflow(n, "*", x, y);
    return r;
}

static inline int64_t pipe_ineg(PipeNode *n, int64_t x)
{
    if (PIPE_UNLIKELY(x == PIPE_INT_MIN))
        pipe_int_overflow(n, "neg", x, 0);
    return -x;
}

static inline int64_t pipe_iabs(PipeNode *n, int64_t x)
{
    if (PIPE_UNLIKELY(x == PIPE_INT_MIN))
        pipe_int_overflow(n, "abs", x, 0);
    return x < 0 ? -x : x;
}

/* to_int of a float: truncated toward zero; NaN and values outside the int
 * range are a runtime error of n. */
static inline int64_t pipe_float_int(PipeNode *n, double v)
{
    if (PIPE_UNLIKELY(!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)))
        pipe_float_int_fail(n, v);
    return (int64_t)v;
}

/* ------------------------------------------------------------------ numbers and text (numfmt.c) */

/* fmt(pattern, args...), LANGUAGE.md §9: C's printf conversions.  The
 * checker parses a pattern with pipe_fmt_next and passes each argument as its
 * conversion takes it: .i for %d %i %x %X %o, .f for %e %f %g (also upper
 * case), .s (the value's str()) for %s. */
#define PIPE_FMT_MAX 1000 /* the largest width or precision */
#define PIPE_FMT_MAX_TEXT "1000"
typedef union PipeFmtArg {
    int64_t i;
    double f;
    PipeStr s;
} PipeFmtArg;
typedef struct PipeFmtConv {
    size_t start, len; /* the conversion's bytes in the pattern, '%' included */
    bool minus, zero, plus, space, alt;
    int width, prec; /* prec -1: none */
    char conv;       /* 's', 'd', ..., '%'; '\0' at the pattern's end */
    const char *error; /* why it is not a conversion fmt takes, or NULL */
} PipeFmtConv;
/* The conversion after *at in pat into c, *at moved past it: 1, or 0 when
 * no '%' is left (*at at the end). */
int pipe_fmt_next(PipeStr pat, size_t *at, PipeFmtConv *c);
/* pat with its conversions applied to args, in a (no other allocation). */
PipeStr pipe_fmt(PipeArena *a, PipeStr pat, const PipeFmtArg *args);
/* C's round (half away from zero), floor, ceil, sqrt and pow: IEEE results
 * (sqrt(-1.0) is nan, an overflow inf).  The runtime needs nothing of libm
 * (loading it costs a run ~30000 instructions): sqrt and pow are libm's,
 * called from the generated code of the scripts that use them (the JIT gets
 * them from pipe_symtab). */
double pipe_round(double x);
double pipe_floor(double x);
double pipe_ceil(double x);
double sqrt(double x);
double pow(double x, double y);
static inline double pipe_sqrt(double x)
{
    return sqrt(x);
}
static inline double pipe_pow(double x, double y)
{
    return pow(x, y);
}
/* round(x, digits): the double nearest to x rounded half away from zero at
 * digits decimals (by x's exact value; digits < 0 rounds to tens, ...) */
double pipe_round_to(double x, int64_t digits);
/* The same of an int: x itself for digits >= 0; an overflow fails n. */
int64_t pipe_iround_to(PipeNode *n, int64_t x, int64_t digits);
/* pow of ints; an overflow or a negative power fails n. */
int64_t pipe_ipow(PipeNode *n, int64_t x, int64_t y);
/* UTF-8 text: a code point, or a byte of no valid sequence, counts one;
 * case maps of Latin, Greek and Cyrillic (runtime/utf8case_impl.h), other
 * bytes kept.  Results in a. */
int64_t pipe_len_chars(PipeStr s);
PipeStr pipe_upper_utf8(PipeArena *a, PipeStr s);
PipeStr pipe_lower_utf8(PipeArena *a, PipeStr s);

#endif
