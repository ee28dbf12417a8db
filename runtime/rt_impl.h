/* rt_impl.h — the runtime's private structures, shared by the runtime files and the
 * standard sources and sinks (stdlib/sources.c, sinks.c); not part of the ABI. */
#ifndef RT_IMPL_H
#define RT_IMPL_H

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include "pipe.h"

#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------ memory (arena.c) */

/* malloc/realloc/calloc that exit with a message when memory runs out. */
void *pipe_xmalloc(size_t n);
void *pipe_xrealloc(void *p, size_t n);
void *pipe_xcalloc(size_t n, size_t size);
char *pipe_xstrndup(const char *p, size_t n); /* NUL-terminated heap copy */

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
/* The output that n, an unwrapped str sink, writes lines to; else NULL (sinks.c). */
PipeOut *pipe_sink_line_out(PipeNode *n);
/* Flushes every output of rt; used at the end of a run and on errors. */
void pipe_out_flush_all(PipeRt *rt);
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

/* ------------------------------------------------------------------ run (run.c) */

enum { RT_BUILD, RT_RUN, RT_END };       /* phases, for error messages */
enum { RT_JMP_FAIL = 1, RT_JMP_STOP = 2 }; /* longjmp codes: exit 1, exit 0 */

struct PipeRt {
    PipeArena scratch;
    struct RtNode *nodes;          /* every node, newest first */
    PipeSource **srcs;
    size_t nsrcs, capsrcs;
    PipeOut *outs, *out_stdout, *out_stderr;
    PipeRegex *regexes;            /* compiled for this run (regex.c) */
    PipeSource *cur;               /* the source whose item is travelling */
    PipeSource *stdin_src;         /* the one stdin source (sources.c) */
    int phase;
    bool solo;                     /* only one live source: steps may batch */
    bool failing;                  /* inside error handling: no more jumps */
    bool closed;                   /* pipe_close ran: the scheduler checks liveness */
    bool progress;                 /* --progress on a terminal */
    size_t mem_limit;              /* --mem-limit in bytes; 0: the default (main.c) */
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
    PipeNode **closing;            /* closed nodes whose outputs end after the step */
    size_t nclosing, capclosing;
    uint64_t gen;                  /* liveness check generation (run.c) */
    struct RtPrefilter *prefilters; /* pipe_node_prefilter_literal (run.c) */
    jmp_buf *jmp;                  /* where pipe_fail and write errors unwind to */
};

/* A runtime error not tied to a stage (I/O on a sink's file, ...): prints
 * "pipec: error: MSG", flushes, unwinds with code (RT_JMP_FAIL or RT_JMP_STOP). */
__attribute__((noreturn)) void pipe_rt_abort(PipeRt *rt, const char *msg, int code);
/* Appends s to b escaped for a message: \xHH, \" and \\, cut after ~60 bytes. */
void pipe_buf_escaped(PipeBuf *b, PipeStr s);

/* Every node is allocated behind this header (32 bytes, so the node keeps
 * malloc's alignment); it links the run's nodes and remembers pipe_end. */
typedef struct RtNode {
    struct RtNode *next;
    uint32_t ended;       /* pipe_end(n) ran: n emits nothing more */
    uint32_t live;        /* memo of node_live() for generation gen */
    uint64_t gen;
    struct RtStat *stat;  /* --stats: the node's counters, else NULL */
} RtNode;

static inline RtNode *hdr(PipeNode *n)
{
    return (RtNode *)n - 1;
}

/* What --stats and --progress ask of a run (parsed by pipe_main). */
typedef struct RtOpts {
    int stats;     /* 0 off, 1 table, 2 json */
    bool progress; /* a progress line on stderr when it is a terminal */
    size_t mem_limit; /* --mem-limit in bytes, 0 when not given */
} RtOpts;

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

/* A literal that node promises to need in every str item it reacts to
 * (pipe_node_prefilter_literal); push is the node's hook when registered, so
 * a wrapped hook (--stats) turns the prefilter off. */
typedef struct RtPrefilter {
    struct RtPrefilter *next;
    PipeNode *node;
    void (*push)(PipeNode *, const void *, int);
    char *lit; /* heap, NUL-terminated */
    size_t n, rare;
} RtPrefilter;

/* The prefilter a line source s may apply now: its only output's, when that
 * node has no other input, its hook is unwrapped and s runs alone; else NULL. */
const RtPrefilter *pipe_rt_prefilter(PipeRt *rt, PipeSource *s);

/* Resets scratch without a call when only the first block is in use. */
static inline void pipe_rt_item_done(PipeRt *rt)
{
    PipeArena *a = &rt->scratch;
    if (RT_UNLIKELY(a->blocks == NULL))
        return;
    pipe_arena_reset(a);
}

/* ------------------------------------------------------------------ strings (str.c) */

/* Index of the byte of needle that is rarest in usual text. */
size_t pipe_rare_index(const char *needle, size_t n);
/* The first needle (n >= 1 bytes) in [h, h+hn): memchr on needle[ri], then memcmp. */
const char *pipe_memfind(const char *h, size_t hn, const char *needle, size_t n, size_t ri);
/* How many bytes of [p, p+n) equal c. */
size_t pipe_count_byte(const char *p, size_t n, char c);

/* ------------------------------------------------------------------ regex (regex.c) */

void pipe_regex_free_all(PipeRt *rt);
/* The byte table of a [set]+ pattern, whose matches are the maximal runs of
 * its bytes (1 in the table); NULL for other patterns. */
const unsigned char *pipe_regex_run_table(const PipeRegex *re);

/* ------------------------------------------------------------------ values (value.c) */

/* The hash of more than 16 bytes (value.c). */
uint64_t pipe_hash_long(const void *p, size_t n);

/* Two words that together hold every byte of p[0, n) for n <= 16: the first
 * and the last 8 (or 4) bytes, overlapping; below 4 bytes the first, middle
 * and last byte (zeros for n = 0).  Short keys are compared and hashed so. */
static inline __attribute__((always_inline)) void pipe_load_ends(const char *p, size_t n, uint64_t *head, uint64_t *tail)
{
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
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
static inline uint64_t pipe_hash_bytes(const void *data, size_t n)
{
    if (RT_UNLIKELY(n > 16))
        return pipe_hash_long(data, n);
    uint64_t a, b;
    pipe_load_ends(data, n, &a, &b);
    uint64_t h = (a ^ 0x9E3779B97F4A7C15ULL) * 0xC2B2AE3D27D4EB4FULL;
    h ^= (b ^ 0x165667B19E3779F9ULL) * 0xD6E8FEB86659FD93ULL;
    h += n * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return h;
}
/* True when values of t own heap memory that pipe_drop must free. */
bool pipe_type_has_heap(const PipeType *t);
/* True when t contains a map or set (those cannot live in an arena). */
bool pipe_type_has_map(const PipeType *t);
/* A heap deep copy of m (map.c). */
PipeMap *pipe_map_clone_heap(PipeMap *m);

#endif
