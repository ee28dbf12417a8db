/* driver.h — the compiler as a library: one Compilation owns the diagnostics,
 * the arena, the program, the checked pipeline's DAG and the emitted C, and
 * goes load → parse → check → lower → plan → emit → JIT (or build.h). */
#ifndef PIPEC_DRIVER_H
#define PIPEC_DRIVER_H

#include "diag.h"
#include "emit.h"
#include "jit.h"
#include "opt.h"
#include "parse.h"
#include "safe.h"
#include "sema.h"

typedef struct Compilation Compilation;

/* What to compile and how. */
typedef struct CompileOpts {
    const char *script;   /* the path; or the name shown when text is set */
    const char *text;     /* source in memory (len bytes: REPL, tests, fuzzers), NULL: read
                           * script; its imports are relative to the current folder */
    size_t len;
    const char *pipeline; /* --pipeline NAME; NULL: 'main' or the only one */
    bool every_pipeline;  /* check: lower every pipeline (for the safe checks), pick none */
    int max_errors;       /* --max-errors N; -1: DIAG_MAX_ERRORS */
    FILE *diag_out;       /* where diagnostics print as they come; NULL: only recorded */
    const SafeOpts *safe; /* --safe, --sandbox, the allowed folders; NULL: none given */
    bool no_opt;          /* -O0: no rewrites by the optimizer (opt.h) */
    /* called with the trees once parsed, before checking changes them
     * (check --dump-ast, the fuzzers); NULL: none */
    void (*parsed)(const Program *prog, void *arg);
    void *arg;
    /* fills c->prog from sources it registers in c->diag (the REPL's chunks),
     * in place of reading script or text; NULL: none */
    void (*load)(Compilation *c, void *arg);
} CompileOpts;

struct Compilation {
    Diag diag;
    PipeArena arena; /* the trees, strings and types */
    Program prog;
    Sema sema;
    OptLog opt;      /* the optimizer's rewrites */
    Dag dag;         /* the chosen pipeline, lowered */
    Node *pipeline;
    EmitOut emitted; /* after compile_emit */
    bool have_emitted;
    const char *c_name; /* emit-c -o FILE: the C file the first comment compiles (NULL: the script's name) */
    Jit *jit;        /* after compile_jit */
};

/* Loads, parses and checks o->script with its imports, picks the pipeline,
 * lowers it, plans it and runs the safe-mode checks.  False after errors
 * (each in c->diag; when they print, a last line counts them). */
bool compile_front(Compilation *c, const CompileOpts *o);
/* Emits c's pipeline as C in mode; script is the path named in the C. */
void compile_emit(Compilation *c, EmitMode mode, const char *script);
/* Compiles the emitted C in memory; the pipeline's program, or NULL after
 * an error (printed as tcc's, then as pipec's). */
const PipeProgram *compile_jit(Compilation *c);
/* Frees everything c holds. */
void compile_free(Compilation *c);

/* A private temporary folder holding the runtime headers, for C compilers
 * (heap path), or NULL with errno. */
char *driver_temp_dir(void);
/* Removes folder dir and everything in it (no shell); false after a warning. */
bool driver_remove_tree(const char *dir);

#endif
