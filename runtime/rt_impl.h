/* rt_impl.h — the runtime's private structures, shared by the runtime files and the
 * standard sources and sinks (stdlib/sources.c, sinks.c); not part of the ABI. */
#ifndef RT_IMPL_H
#define RT_IMPL_H

#include <glob.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "pipe.h"

#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------ memory (arena.c) */

/* tcc 0.9.27 has no thread-local storage; the runtime it compiles (`pipec
 * build` without a C compiler) is a built binary's, which runs once. */
#ifdef __TINYC__
#define RT_THREAD_LOCAL
#else
#define RT_THREAD_LOCAL _Thread_local
#endif

/* malloc/realloc/calloc that report running out of memory: during a run
 * (pipe_rt_current, set by pipe_main from the build of the DAG on) a runtime
 * error that no policy catches, of the run's oom_stage when set (exit 1,
 * output flushed, a trace record); else a message and exit(1).  The run is
 * the thread's, not a field of some argument: the allocation wrappers are
 * called from everywhere (PCRE2, pipe_clone) with no run at hand, and two
 * runs may go on at once on two threads. */
extern RT_THREAD_LOCAL PipeRt *pipe_rt_current;
/* Reports that n bytes could not be had, as above. */
__attribute__((noreturn)) void pipe_out_of_memory(size_t n);
/* realloc of memory that stage n keeps (its buffers, arrays, items): when
 * it fails, the runtime error names n. */
void *pipe_stage_realloc(PipeNode *n, void *p, size_t size);
/* a * b bytes for stage n: a product past size_t is n's out-of-memory error. */
size_t pipe_stage_mul(PipeNode *n, size_t a, size_t b);
/* --mem-limit: charges the change of a part of stage n's memory from old to
 * now bytes to n (refunds when now < old); past the limit, when one was
 * given, a runtime error of n that no policy catches, "WHAT need more than
 * --mem-limit=N bytes".  Call before the part grows, so that it stays whole. */
void pipe_node_charge(PipeNode *n, size_t old, size_t now, const char *what);
/* About the bytes that a clone of v (of type t) holds beyond t->size. */
size_t pipe_value_deep(const PipeType *t, const void *v);
/* An owned list (pipe_list_adopt) is given up: refunds what it was charged. */
void pipe_list_refund(PipeList *l);
void *pipe_xmalloc(size_t n);
void *pipe_xrealloc(void *p, size_t n);
void *pipe_xcalloc(size_t n, size_t size);
char *pipe_xstrndup(const char *p, size_t n); /* NUL-terminated heap copy */
/* The bytes of every block of a (a walk over its blocks). */
size_t pipe_arena_size(const PipeArena *a);

/* ------------------------------------------------------------------ output (out.c) */

/* A growable text buffer.  grow() makes room for n more bytes, or consumes
 * [p, p+n) itself and returns false (an output writing a big piece directly). */
typedef struct PipeBuf PipeBuf;
struct PipeBuf {
    char *p;
    size_t len, cap;
    bool (*grow)(PipeBuf *b, const char *p, size_t n);
};

static inline void pipe_buf_put(PipeBuf *b, const char *p, size_t n)
{
    if (RT_UNLIKELY(b->cap - b->len < n) && !b->grow(b, p, n))
        return;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void pipe_buf_putc(PipeBuf *b, char c)
{
    if (RT_UNLIKELY(b->len == b->cap) && !b->grow(b, &c, 1))
        return;
    b->p[b->len++] = c;
}

/* Appends v formatted as LANGUAGE.md §7 says, without a newline. */
void pipe_buf_value(PipeBuf *b, const PipeType *t, const void *v);
/* Writes the decimal text of v into the end of t[24]; returns where it starts. */
char *pipe_fmt_int(char t[24], int64_t v);
/* Writes the shortest round-trip text of v into t (at least 32 bytes); returns its length. */
size_t pipe_fmt_float(char *t, double v);
/* 1e0 .. 1e22, the powers of ten a double holds exactly (str.c). */
extern const double pipe_exact_p10[23];

/* A buffered output file.  buf is first so that the grow callback can cast. */
struct PipeOut {
    PipeBuf buf;
    int fd;
    bool own_fd;    /* close at the end of the run */
    bool dead;      /* a write failed: write nothing more */
    char *name;     /* "stdout", "stderr" or the file name, for messages */
    PipeNode *sink; /* the first sink writing here: a failed write is its error */
    PipeRt *rt;
    PipeOut *next;  /* the run's list of outputs */
    int dir_fd;     /* a file replaced at the end: its folder, else -1 */
    char *tmp;      /* ... the temporary file written (in dir_fd), until renamed */
    char *base;     /* ... and the file's name in dir_fd */
    bool truncate;  /* file() written in place: truncated when the run starts */
    bool in_place;  /* writes the regular file dev/ino in place (no input may be it) */
    dev_t dev;
    ino_t ino;
};

/* Opens path for writing (truncating, or appending) as an output of rt; on
 * failure a runtime error of stage n naming the file. */
PipeOut *pipe_out_open(PipeRt *rt, PipeNode *n, PipeStr path, bool append);
/* An output on an inherited descriptor (not closed at the end). */
PipeOut *pipe_out_fd(PipeRt *rt, int fd, const char *name);
PipeOut *pipe_out_stderr(PipeRt *rt);
/* Writes out what o holds; a write error ends the run (quietly for EPIPE). */
void pipe_out_flush(PipeOut *o);
/* Appends [p, p+n) to o; a big piece is written directly, without a copy. */
void pipe_out_block(PipeOut *o, const char *p, size_t n);
/* Adds the lines that a kernel copy passed through (rt->uncounted) to that
 * source's input_line, for a message that names the line (sources.c). */
void pipe_src_count_copied(PipeRt *rt);
/* How many items n keeps when it is a tail node, else -1 (generic.c): the
 * lines a source of PIPE_PLAN_TAIL reads from the end. */
int64_t pipe_std_tail_want(const PipeNode *n);
/* Where the last n lines of fd's bytes [from, size) start, found by reading
 * backwards in blocks of cap bytes into buf (tail_seek.c); from when fewer
 * lines are there, or on a read that fails or comes short (the file shrank). */
off_t pipe_tail_start(int fd, off_t from, off_t size, uint64_t n, char *buf, size_t cap);
/* The output that n, a str sink the plan chose (PIPE_PLAN_COPY), writes lines to (sinks.c). */
PipeOut *pipe_sink_line_out(PipeNode *n);
/* The run starts: file() outputs written in place are truncated now. */
void pipe_out_start_all(PipeRt *rt);
/* Renames each output written to a temporary file over its file (the run
 * started); RT_JMP_FAIL after reporting a failed rename, else 0. */
int pipe_out_commit_all(PipeRt *rt);
/* A source of rt opened the regular file st (its fstat) as its input name:
 * a runtime error of n when an output writes that file in place (out.c). */
struct stat;
void pipe_rt_input_opened(PipeRt *rt, PipeNode *n, const struct stat *st, const char *name);
/* Flushes every output of rt; used at the end of a run and on errors. */
void pipe_out_flush_all(PipeRt *rt);
/* Writes out what the file_by and append_by sinks hold (stdlib/outputs_by.c). */
void pipe_by_flush_all(PipeRt *rt);
void pipe_out_free_all(PipeRt *rt);

static inline void pipe_out_str_line(PipeOut *o, PipeStr s)
{
    PipeBuf *b = &o->buf;
    if (RT_LIKELY(b->cap - b->len > s.n)) {
        if (s.n)
            memcpy(b->p + b->len, s.p, s.n);
        b->p[b->len + s.n] = '\n';
        b->len += s.n + 1;
        return;
    }
    pipe_buf_put(b, s.p, s.n);
    pipe_buf_putc(b, '\n');
}

/* ------------------------------------------------------------------ inputs (inputs.c) */

/* Under --safe or --sandbox: the confined run may read each input file named
 * on the command line (rt->in_files; sandbox.c keeps them). */
void pipe_rt_inputs_declare(PipeRt *rt);
void pipe_rt_sandbox_input(PipeRt *rt, const char *path);
/* A .gz input being inflated: gzip members one after another, as zcat reads them. */
typedef struct PipeGz PipeGz;
/* Whether path names a file read decompressed (it ends in ".gz"). */
bool pipe_gz_name(const char *path);
/* A new inflater; NULL when out of memory. */
PipeGz *pipe_gz_new(void);
void pipe_gz_free(PipeGz *g);
/* Up to room inflated bytes of fd into dst: their count, 0 at the end, -1
 * after a failed read (errno), -2 for data that is not whole gzip (*why says
 * how).  *raw grows by the compressed bytes read. */
ssize_t pipe_gz_read(PipeGz *g, int fd, char *dst, size_t room, uint64_t *raw, const char **why);

/* ------------------------------------------------------------------ run (run.c) */

enum { RT_BUILD, RT_RUN, RT_END };       /* phases, for error messages */
/* longjmp codes: exit 1, exit 0; RT_JMP_SIGNAL + SIG (SIGINT, SIGTERM) exits
 * with that status, as a shell reports a process that the signal ended */
enum { RT_JMP_FAIL = 1, RT_JMP_STOP = 2, RT_JMP_SIGNAL = 128 };

struct PipeRt {
    PipeArena scratch;
    struct RtNode *nodes;          /* every node, newest first */
    PipeSource **srcs;
    size_t nsrcs, capsrcs;
    PipeOut *outs, *out_stdout, *out_stderr;
    PipeRegex *regexes;            /* compiled for this run (regex.c) */
    PipeSource *cur;               /* the source whose item is travelling */
    PipeSource *stdin_src;         /* the one stdin source (sources.c) */
    PipeSource *uncounted;         /* a source whose input_line lags lines the kernel
                                    * copied (sources.c, pipe_src_count_copied) */
    char run_id[40];               /* the run's ID, a UUID (trace.c); "" outside pipe_main */
    bool tag_run_id;               /* runtime errors name the run ID (--trace or --run-id) */
    struct RtTrace *trace;         /* --trace: the trace being written, else NULL */
    int phase;
    bool solo;                     /* only one live source: steps may batch */
    bool failing;                  /* inside error handling: no more jumps */
    bool oom;                      /* out of memory is being reported (arena.c) */
    bool closed;                   /* pipe_close ran: the scheduler checks liveness */
    bool stopping;                 /* ending sources that no stage wants more from (trace.c) */
    bool progress;                 /* --progress on a terminal */
    size_t mem_limit;              /* --mem-limit in bytes; 0: the default (main.c) */
    size_t max_line;               /* --max-line-bytes; 0: RT_MAX_LINE (pipe_rt_max_line) */
    uint64_t max_input;            /* --max-input-bytes; 0: no limit */
    uint64_t in_bytes;             /* bytes read by every source so far */
    struct BySink *by_sinks;       /* file_by and append_by sinks (stdlib/outputs_by.c) */
    char **in_files;               /* the input files named after the options (stdin reads them), */
    size_t nin_files;              /* ... pointers into argv; "-" is standard input (inputs.c) */
    size_t read_size;              /* tests only: line readers' bytes per read (sources.c);
                                    * 0: 256 KiB.  Small sizes make short lines cross
                                    * buffer refills and grow (tests/fuzz/fuzz_input.c) */
    bool drawn;                    /* a progress line is on the screen */
    uint32_t ptick;                /* steps since the last clock check */
    uint64_t pstart_ns, plast_ns;  /* when the run started, last redraw */
    uint64_t items;                /* source items so far (progress) */
    struct RtStat *stat_cur;       /* --stats: the hook running now */
    struct RtStat *stats;          /* --stats: one per node, in creation order */
    size_t nstats;
    const char *code, *code_why;   /* --stats: what ran the code and why (pipe_main_code) */
    PipeNode **closing;            /* closed nodes whose outputs end after the step */
    size_t nclosing, capclosing;
    uint64_t gen;                  /* liveness check generation (run.c) */
    struct RtPrefilter *prefilters; /* pipe_node_prefilter_literal (run.c) */
    struct RtGate *gates;          /* pipe_node_gate (run.c) */
    struct RtIdle *idle;           /* pipe_rt_on_idle (run.c) */
    jmp_buf *jmp;                  /* where pipe_fail and write errors unwind to */
    char caught[1536];             /* the message of the error a policy caught */
    size_t ncaught;
    const PipeProgram *prog;       /* what pipe_main runs (safe mode, sandbox), else NULL */
    struct RtSandbox *sandbox;     /* --sandbox: the declared files until confined, globs */
    bool confined;                 /* pipe_rt_confine confined the run (Landlock) */
    struct RtSpill *spill;         /* a confined run's private spill folder (sandbox.c) */
    bool outs_started;             /* pipe_out_start_all ran: outputs go in place at the end */
    struct RtInput *inputs;        /* the regular files sources opened (out.c) */
    PipeNode *oom_stage;           /* whose allocation runs out of memory (arena.c) */
    void *state;                   /* the generated program's state (pipe_rt_state) */
    unsigned temp_counter;         /* names of temporary outputs (out.c) */
};

/* Names stage n (NULL: none) as the one whose allocations follow in this
 * thread's run: running out of memory is then n's runtime error. */
static inline void pipe_oom_blame(PipeNode *n)
{
    PipeRt *rt = pipe_rt_current;
    if (rt)
        rt->oom_stage = n;
}

#define RT_MAX_LINE ((size_t)1 << 30) /* --max-line-bytes when not given */

/* The longest line a source reads, or an exec program prints (--max-line-bytes). */
static inline size_t pipe_rt_max_line(const PipeRt *rt)
{
    return rt->max_line ? rt->max_line : RT_MAX_LINE;
}

/* A runtime error not tied to a stage (I/O on a sink's file, ...): prints
 * "pipec: error: MSG", flushes, unwinds with code (RT_JMP_FAIL or RT_JMP_STOP). */
__attribute__((noreturn)) void pipe_rt_abort(PipeRt *rt, const char *msg, int code);
/* A runtime error of the run, not of one stage (--timeout, a regex of no stage):
 * "pipec: runtime error: MSG (input IN, line N)"; then as pipe_fail. */
__attribute__((noreturn)) void pipe_rt_fail(PipeRt *rt, const char *msg);
/* A runtime error of n (NULL: of the run) that no error policy catches: the
 * memory of the run, not the item, is at fault (out of memory, --mem-limit). */
__attribute__((noreturn)) void pipe_rt_fail_fatal(PipeRt *rt, PipeNode *n, const char *msg);
/* A grow callback for a PipeBuf on a fixed array: what does not fit is cut. */
bool pipe_buf_cut(PipeBuf *b, const char *p, size_t n);
/* Appends s to b escaped for a message: \xHH, \" and \\, cut after ~60 bytes. */
void pipe_buf_escaped(PipeBuf *b, PipeStr s);
/* Appends [p, p+n) as a JSON string; bytes that are not UTF-8 as U+FFFD (trace.c). */
void pipe_buf_json(PipeBuf *b, const char *p, size_t n);

/* Every node is allocated behind this header (a multiple of 16 bytes, so the
 * node keeps malloc's alignment); it links the run's nodes and remembers
 * pipe_end. */
typedef struct RtNode {
    struct RtNode *next;
    uint16_t ended;       /* pipe_end(n) ran: n emits nothing more */
    uint16_t opened;      /* open() ran (or there was none): close() is due */
    uint32_t live;        /* memo of node_live() for generation gen */
    uint64_t gen;
    struct RtStat *stat;  /* --stats: the node's counters, else NULL */
    struct RtCatch *catch; /* an error policy other than stop, else NULL */
    uint64_t errors;      /* runtime errors the policy caught (skipped or routed) */
    size_t mem;           /* bytes its maps and sets hold (map.c), for --mem-limit */
    size_t spare;         /* keeps the size a multiple of 16 */
} RtNode;
_Static_assert(sizeof(RtNode) % 16 == 0, "a node after its header keeps malloc's alignment");

/* A node's error policy (pipe_node_on_error): its push and finish run under
 * an unwind point of their own, so that its runtime errors end only the item. */
typedef struct RtCatch {
    int policy;                                  /* PIPE_ON_ERROR_SKIP or _DEAD */
    PipeNode *dead;                              /* _DEAD: the dead-letter node */
    jmp_buf *jmp;                                /* inside a guarded hook: where errors go */
    void (*push)(PipeNode *, const void *, int); /* the node's own hooks */
    void (*finish)(PipeNode *);
} RtCatch;

/* A runtime error of n about one item, given as text, under n's error policy
 * (for sources, whose steps are not guarded): returns when the policy skips
 * or routes the item (it is counted), else reports and unwinds as pipe_fail_str. */
void pipe_item_failed(PipeNode *n, const char *msg, PipeStr item);

static inline RtNode *hdr(PipeNode *n)
{
    return (RtNode *)n - 1;
}

/* What --stats, --progress and the limits ask of a run (parsed by pipe_main). */
/* ------------------------------------------------------------------ safe mode, --sandbox (sandbox.c) */

/* path absolute, with its existing prefix's links resolved and `.`, `..`
 * removed: a heap string, NULL when the working folder is unknown (path.c). */
char *pipe_path_resolve(const char *path);
/* Whether the resolved path is the resolved folder dir or inside it. */
bool pipe_path_inside(const char *path, const char *dir);
/* Opens path inside one of the NULL-terminated resolved folders from a
 * descriptor of it, so that no link or `..` leads out (openat2 with
 * RESOLVE_BENEATH, else pipe_path_walk_open): a descriptor, or -1 with errno
 * (EXDEV: outside every folder). */
int pipe_path_open_in(const char *const *dirs, const char *path, int flags, mode_t mode);
/* rel opened from folder dfd a component at a time, refusing symbolic links
 * (ELOOP) and `..` above dfd (EXDEV): the fallback without openat2. */
int pipe_path_walk_open(int dfd, const char *rel, int flags, mode_t mode);
/* open(2) for rt (O_CLOEXEC added); under safe mode pipe_path_open_in on the
 * folders the run may read in, or write in for PIPE_PATH_WRITE. */
int pipe_rt_open(PipeRt *rt, const char *path, int flags, mode_t mode, PipePathKind kind);
/* The message for a failed pipe_rt_open: safe mode's "outside" for EXDEV,
 * else "WHAT 'path': strerror(err)". */
void pipe_rt_open_error(PipeRt *rt, char *msg, size_t size, const char *what, const char *path, int err,
                        PipePathKind kind);
/* The folder part of a glob pattern, before its first component with a
 * wildcard ("." when the first has one): a heap string. */
char *pipe_glob_dir(const char *p, size_t n);
/* glob(3) for rt: under safe mode folders are listed only through
 * pipe_path_open_in, and `.` and `..` never match. */
int pipe_rt_glob(PipeRt *rt, const char *pattern, glob_t *g);
/* Whether rt may read (or write) path by its name: always outside safe
 * mode, else when it resolves inside an allowed folder (the open enforces). */
bool pipe_rt_path_allowed(PipeRt *rt, const char *path, PipePathKind kind);
/* Safe mode: a runtime error of n unless path (used as kind says) is inside
 * the program's allowed folders by name (an early check; the open enforces). */
void pipe_rt_check_path(PipeRt *rt, PipeNode *n, PipeStr path, PipePathKind kind);
/* Fails n when path holds a NUL byte (str.c): the system would end it there. */
void pipe_path_check_nul(PipeNode *n, PipeStr path);
/* --sandbox: the matches of files(pattern) found before the run was confined
 * (NULL: glob it now), *n of them; rt keeps them. */
char **pipe_rt_sandbox_glob(PipeRt *rt, const char *pattern, size_t *n);
/* Frees what --sandbox kept in rt. */
void pipe_rt_sandbox_free(PipeRt *rt);
/* The folder sort spills to: a confined run's private folder, else $TMPDIR,
 * else /tmp. */
const char *pipe_rt_spill_dir(PipeRt *rt);
/* Removes a confined run's private spill folder (waits for its helper). */
void pipe_rt_spill_end(PipeRt *rt);

/* First thing in main() of pipec and of a built binary (pipe_main): fds 0-2
 * that are closed get /dev/null, read or written as closed (EBADF); SIGXFSZ
 * is ignored, so a write past `ulimit -f` fails (EFBIG) as the writer's error. */
void pipe_process_init(void);

typedef struct RtOpts {
    const char *trace;  /* --trace FILE ("-": stderr), else NULL */
    const char *run_id; /* --run-id ID (checked), else NULL: a new one */
    int trace_fd;       /* the trace file opened before the run (pipe_trace_open) */
    int stats;     /* 0 off, 1 table, 2 json */
    bool progress; /* a progress line on stderr when it is a terminal */
    size_t mem_limit; /* --mem-limit in bytes, 0 when not given */
    size_t max_line;  /* --max-line-bytes, 0 when not given */
    uint64_t max_input;  /* --max-input-bytes, 0 when not given */
    uint64_t timeout_ms; /* --timeout, 0 when not given */
    char **in_files;     /* the FILE arguments after the options (into argv) */
    size_t nin_files;
} RtOpts;

/* Every node of rt in creation order (rt->nodes is newest first): a heap
 * array of *n nodes, for reports that number stages as --stats=json does. */
PipeNode **pipe_rt_node_list(PipeRt *rt, size_t *n);

/* --stats: wraps every node's hooks to count time and bytes (stats.c). */
void pipe_rt_stats_start(PipeRt *rt);
/* --stats: writes the table (or JSON) of every stage to stderr. */
void pipe_rt_stats_report(PipeRt *rt, bool json);
/* Whether the scheduler looks at --progress after each step; PIPE_NO_STATS
 * compiles that out, only to measure what the ability costs (bench/run.sh). */
#ifdef PIPE_NO_STATS
#define RT_PROGRESS(rt) false
#else
#define RT_PROGRESS(rt) RT_UNLIKELY((rt)->progress)
#endif

/* --progress: redraws the progress line when due (at most 10 times a second). */
void pipe_rt_progress_tick(PipeRt *rt);
/* --progress: clears the progress line. */
void pipe_rt_progress_end(PipeRt *rt);

/* ------------------------------------------------------------------ run IDs and traces (trace.c) */

/* True when text is a UUID in its 8-4-4-4-12 hex form (either case), as --run-id takes. */
bool pipe_run_id_valid(const char *text);
/* Opens path for --trace, appending ("-": standard error); -1 with errno set. */
int pipe_trace_open(const char *path);
/* Gives rt its run ID (opts->run_id in lowercase, else a new UUIDv7); with
 * opts->trace set, starts the trace on opts->trace_fd (which rt then owns) and
 * writes the start record (prog's provenance and the parameter values). */
void pipe_rt_trace_begin(PipeRt *rt, const PipeProgram *prog, const void *params, const RtOpts *opts);
/* --trace: a stage_open record for every node, once the DAG is built. */
void pipe_rt_trace_stages(PipeRt *rt);
/* --trace: n has ended (pipe_end): its stage_close record. */
void pipe_rt_trace_close(PipeNode *n);
/* --trace: the error record of a runtime error of n (NULL: of no stage), with
 * the value it names (or NULL) and the diagnostic printed (text[0, len)). */
void pipe_rt_trace_error(PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value, const char *text,
                         size_t len);
/* --trace: exec restarts its program (attempt of its retries, after delay_ms);
 * msg[0, len) says why and which items were in flight. */
void pipe_rt_trace_restart(PipeNode *n, const char *msg, size_t len, uint64_t attempt, uint64_t delay_ms);
/* --trace: a closed output stops the run (exit 0); the end record says so. */
void pipe_rt_trace_stopped(PipeRt *rt);
/* --trace: stage_close records for the nodes still open, then the end record
 * with the exit status; closes the trace file. */
void pipe_rt_trace_end(PipeRt *rt, int status);
/* Frees what the trace holds (pipe_rt_free). */
void pipe_rt_trace_free(PipeRt *rt);

/* A literal that node promises to need in every str item it reacts to
 * (pipe_node_prefilter_literal). */
typedef struct RtPrefilter {
    struct RtPrefilter *next;
    PipeNode *node;
    char *lit; /* heap, NUL-terminated */
    size_t n, rare;
} RtPrefilter;
/* At most this many literals of one node are alternatives a source searches
 * for at once (more: no prefilter). */
#define RT_PREFILTER_ALTS 8

/* An input port of node that takes items only after its other inputs ended
 * (pipe_node_gate); closed while some of those have not. */
typedef struct RtGate {
    struct RtGate *next;
    PipeNode *node;
    int port;
    bool closed;
} RtGate;

/* A hook of node that runs when a source is about to wait for input (exec
 * writes what it holds to its program, so that results are not held back). */
typedef struct RtIdle {
    struct RtIdle *next;
    PipeNode *node;
    void (*fn)(PipeNode *);
    int (*fd)(PipeNode *); /* a descriptor whose input fn wants to see now, else -1 */
} RtIdle;
void pipe_rt_on_idle(PipeRt *rt, PipeNode *node, void (*fn)(PipeNode *), int (*fd)(PipeNode *));
/* Runs the idle hooks of the nodes not ended (before a source waits). */
void pipe_rt_idle(PipeRt *rt);

/* The prefilter a line source s may apply now: its only output's, when the
 * plan allows it (PIPE_PLAN_PREFILTER), no hook is wrapped (--stats) and s
 * runs alone; else NULL. */
const RtPrefilter *pipe_rt_prefilter(PipeRt *rt, PipeSource *s);

/* Resets scratch without a call when only the first block is in use. */
static inline void pipe_rt_item_done(PipeRt *rt)
{
    PipeArena *a = &rt->scratch;
    if (RT_UNLIKELY(a->blocks == NULL))
        return;
    pipe_arena_reset(a);
}

/* ------------------------------------------------------------------ stopping (stop.c) */

/* Nonzero once the run must stop: the signal that asked (SIGINT, SIGTERM, or
 * SIGALRM for --timeout).  Set by a signal handler; the scheduler looks at it
 * after each step, batching sources after each item (RT_GO_ON). */
extern volatile sig_atomic_t pipe_rt_stop;
#define RT_GO_ON(rt) ((rt)->solo && RT_LIKELY(!pipe_rt_stop))

/* Installs the handlers of SIGINT and SIGTERM (without SA_RESTART, so that a
 * blocked read(2) returns) and starts the --timeout timer (timeout_ms, 0 for
 * none); pipe_stop_remove restores what was there.  pipe_main brackets a run
 * with them; runs without them (tests) cannot be stopped. */
void pipe_stop_install(uint64_t timeout_ms);
void pipe_stop_remove(void);
/* SIGPIPE is ignored from the first pipe_sigpipe_hold of the process's runs
 * to the last one's pipe_sigpipe_release (pipe_run brackets a run with them). */
void pipe_sigpipe_hold(void);
void pipe_sigpipe_release(void);
/* Acts on pipe_rt_stop: --timeout is a runtime error (exit 1); a signal
 * flushes what the outputs hold and unwinds with RT_JMP_SIGNAL + the signal. */
__attribute__((noreturn)) void pipe_stop_now(PipeRt *rt);
/* Waits until fd has input (or is at its end) or the run must stop; calls
 * pipe_stop_now then.  Meanwhile input for an idle hook (pipe_rt_on_idle)
 * runs the hooks and flushes the outputs.  For descriptors whose read(2) may block (pipes,
 * terminals): a signal that arrives just before the read cannot be lost. */
void pipe_stop_wait_input(PipeRt *rt, int fd);
/* The descriptor that becomes readable when the run must stop (for a stage's
 * own poll(2) beside it), or -1 when no handlers are installed. */
int pipe_stop_fd(void);
/* The text of a --timeout value: "10s", "500ms", "2m", "1h". */
void pipe_duration_text(uint64_t ms, char *buf, size_t size);

/* ------------------------------------------------------------------ strings (str.c) */

/* Index of the byte of needle that is rarest in usual text. */
size_t pipe_rare_index(const char *needle, size_t n);
/* The first needle (n >= 1 bytes) in [h, h+hn): memchr on needle[ri], then memcmp. */
const char *pipe_memfind(const char *h, size_t hn, const char *needle, size_t n, size_t ri);
/* How many bytes of [p, p+n) equal c. */
size_t pipe_count_byte(const char *p, size_t n, char c);
/* Whether pipe_count_byte uses AVX2: -1 until its first use asks the CPU,
 * then 1 or 0 (tests set 0 to check the SSE2 path). */
extern int pipe_count_avx2;

/* ------------------------------------------------------------------ regex (regex.c) */

void pipe_regex_free_all(PipeRt *rt);
/* The byte table of a [set]+ pattern, whose matches are the maximal runs of
 * its bytes (1 in the table); NULL for other patterns. */
const unsigned char *pipe_regex_run_table(const PipeRegex *re);

/* ------------------------------------------------------------------ values (value.c) */

/* The hash of more than 16 bytes (value.c). */
uint64_t pipe_hash_long(const void *p, size_t n);

/* Two words that together hold every byte of p[0, n) for n <= 16, by n's
 * rule: from 4 bytes on, four 4-byte loads (at 0, x, n - 4 and n - 4 - x,
 * x = n / 8 * 4), so that lengths 4 to 16 share one branch-free path; below
 * 4 bytes the first, middle and last byte (zeros for n = 0).  Short keys are
 * compared and hashed so.  Reads only p[0, n), also for n > 16. */
static inline __attribute__((always_inline)) void pipe_load_ends(const char *p, size_t n, uint64_t *head, uint64_t *tail)
{
    uint64_t a = 0, b = 0;
    if (n >= 4) {
        size_t x = (n >> 3) << 2;
        uint32_t w0, w1, w2, w3;
        memcpy(&w0, p, 4);
        memcpy(&w1, p + x, 4);
        memcpy(&w2, p + n - 4, 4);
        memcpy(&w3, p + n - 4 - x, 4);
        a = (uint64_t)w0 << 32 | w1;
        b = (uint64_t)w2 << 32 | w3;
    } else if (n) {
        a = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
            (uint64_t)(unsigned char)p[n - 1] << 16;
    }
    *head = a;
    *tail = b;
}

/* a[0, n) == b[0, n), without a call up to 16 bytes: map keys, fields, prefixes. */
static inline __attribute__((always_inline)) bool pipe_bytes_eq(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    if (n < 4)
        return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
    uint64_t a0, a1, b0, b1;
    pipe_load_ends(a, n, &a0, &a1);
    pipe_load_ends(b, n, &b0, &b1);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* A 64-bit hash of bytes.  Keys of up to 16 bytes (words, IPs, statuses) take
 * an inline path: the bytes as two overlapping words, mixed with their length
 * by two multiplications and a murmur3-style finaliser. */
static inline uint64_t pipe_hash_words(uint64_t a, uint64_t b, size_t n)
{
    uint64_t h = (a ^ 0x9E3779B97F4A7C15ULL) * 0xC2B2AE3D27D4EB4FULL;
    h ^= (b ^ 0x165667B19E3779F9ULL) * 0xD6E8FEB86659FD93ULL;
    h += n * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return h;
}

/* pipe_hash_bytes of up to 16 bytes is pipe_hash_words of their pipe_load_ends. */
static inline uint64_t pipe_hash_bytes(const void *data, size_t n)
{
    if (RT_UNLIKELY(n > 16))
        return pipe_hash_long(data, n);
    uint64_t a, b;
    pipe_load_ends(data, n, &a, &b);
    return pipe_hash_words(a, b, n);
}

/* Whether field skipping counts separators with the POPCNT instruction: -1
 * until the first use asks the CPU, then 1 or 0 (str.c; tests set 0 to check
 * the SSE2-only path). */
extern int pipe_skip_popcnt;

/* awk's default field separators (POSIX: <blank> and <newline>, as mawk and
 * gawk split): space, tab and newline.  \r, \f and \v belong to a field, so
 * a CRLF line's last word keeps its \r, as $NF does in awk.  Used by words()
 * and the `words` stage. */
static inline bool pipe_field_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* UTF-8 (str.c): the length of the well-formed sequence at p[0, n) (RFC
 * 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or 0; and
 * code point u written at d (1 to 4 bytes), returning the end. */
size_t pipe_utf8_len(const unsigned char *p, size_t n);
char *pipe_utf8_put(char *d, uint32_t u);

/* Of best and cand, the one nearer to name (n bytes) when near enough to be
 * a misspelling of it: an edit distance within a third of its length, plus
 * one, and not all of it ('x' is no misspelling of 's'); best may be NULL.
 * One step of every "did you mean" search (str.c), the compiler's and a
 * built binary's. */
const char *pipe_nearer(const char *name, size_t n, const char *best, const char *cand);

/* True when values of t own heap memory that pipe_drop must free. */
bool pipe_type_has_heap(const PipeType *t);
/* True when t contains a map or set (those cannot live in an arena). */
bool pipe_type_has_map(const PipeType *t);
/* A heap deep copy of m (map.c). */
PipeMap *pipe_map_clone_heap(PipeMap *m);

#endif
