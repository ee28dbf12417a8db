/* emit.h — C emission: turns a lowered pipeline DAG into C source against the
 * runtime ABI (pipe.h, pipe_std.h), for the JIT or as a standalone program. */
#ifndef PIPEC_EMIT_H
#define PIPEC_EMIT_H

#include "sema.h"

typedef enum EmitMode {
    EMIT_JIT,        /* declarations only; runtime symbols come from pipec itself */
    EMIT_STANDALONE, /* the whole runtime and stdlib included, and a main() */
    EMIT_PROGRAM     /* declarations and a main(), to link with emit_runtime() */
} EmitMode;

typedef struct EmitOut {
    char *code; /* malloc'ed, NUL-terminated */
    size_t len;
    const char **extern_files; /* C files of extern procs (resolved paths) */
    int nextern;
} EmitOut;

/* Emits the C program for dag (a checked pipeline of s).  script is the path
 * shown in messages; c_name the C file that the first comment's cc command
 * compiles (NULL: the script's name with .c). */
void emit_program(Sema *s, Dag *dag, EmitMode mode, const char *script, const char *c_name, EmitOut *out);
void emit_free(EmitOut *out);
/* The runtime and standard library as one C file (malloc'ed), for EMIT_PROGRAM. */
char *emit_runtime(size_t *len);

#endif
