/* native.h — `pipec run` from native code: the emitted C compiled once by the
 * system's C compiler into a shared object in the cache folder, which later
 * runs of the same C load instead of compiling it again with tcc. */
#ifndef PIPEC_NATIVE_H
#define PIPEC_NATIVE_H

#include <stdbool.h>
#include <sys/resource.h>

#include "driver.h"

/* pipe_main_code of pipec's runtime or of the object's own */
typedef int (*NativeMain)(const PipeProgram *prog, int argc, char **argv, const char *code, const char *why);

/* One run's dealings with the cache of run objects (docs/pipe.md, "Native
 * runs"). */
typedef struct Native {
    bool off;          /* neither load nor build (why says why) */
    bool loaded;       /* the program is the cached object's */
    NativeMain main;   /* the object's pipe_main_code, when loaded */
    bool always;       /* PIPEC_NATIVE=always: build after any JIT run */
    bool debug;        /* PIPEC_NATIVE_DEBUG=1: notes on stderr */
    char key[65];      /* sha256 of the C, pipec's version and the compiler */
    char dir[4096];    /* the cache folder */
    char why[4400];    /* what --stats says after "native" or "jit" */
    char *cc[64];      /* the C compiler command, as `pipec build` runs it */
    int ncc;
    char *cc_text;     /* the words of cc */
    struct rusage before; /* CPU time used when the run began */
} Native;

/* The program of c's emitted C (EMIT_JIT) from its cached object, or NULL:
 * then the caller compiles it with tcc, and n->why says why.  safe: --safe
 * (no native code). */
const PipeProgram *native_load(Native *n, const Compilation *c, bool safe);
/* The pipe_main_code that runs the program: the object's own runtime's
 * when it was loaded, else pipec's. */
NativeMain native_main(const Native *n);
/* What ran the program ("native" or "jit"), for --stats. */
const char *native_code(const Native *n);
/* Notes the CPU time before the run. */
void native_run_begins(Native *n);
/* After a JIT run that returned rc: when it used enough CPU time to pay for
 * a native build, starts one, detached, for the next run of the same C. */
void native_run_ended(Native *n, const Compilation *c, int rc);
/* Frees what n holds (a loaded object stays loaded). */
void native_free(Native *n);

#endif
