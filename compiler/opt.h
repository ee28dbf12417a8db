/* opt.h — the optimizer: rewrites of the checked trees that keep a program's
 * meaning exactly (its output, its errors, the zero values of missing pieces)
 * and make the natural spelling of a task as fast as the tuned one.  It runs
 * after checking and before lowering, unless -O0; each rewrite it makes is
 * recorded, and `pipec plan` lists them by stage. */
#ifndef PIPEC_OPT_H
#define PIPEC_OPT_H

#include "parse.h"

/* Flags on a Node (Node.opt) that tell emit.c how to write a rewritten node. */
enum {
    OPT_WORD_INDEX = 1 << 0, /* N_INDEX of words(s): the i-th word of s, no list built */
    OPT_CONCAT = 1 << 1,     /* N_BINARY +: a chain of str + joined in one allocation */
};

/* One rewrite: what it did (a short name and a line of text) and where, and
 * the stage, proc or fn (owner) whose code it changed. */
typedef struct OptRewrite {
    const Node *owner;
    const char *what;
    Loc loc;
} OptRewrite;

typedef struct OptLog {
    OptRewrite *v;
    int n, cap;
} OptLog;

/* Rewrites every proc, fn and pipeline of prog in place (nodes from arena
 * a), recording each rewrite in log. */
void opt_program(PipeArena *a, Program *prog, OptLog *log);
/* Writes the rewrites made in owner's code to out as `, rewrites: A (L:C), ...`
 * (nothing when there are none). */
void opt_write(const OptLog *log, const Node *owner, FILE *out);

/* `pipec plan`'s lines for the fns the optimizer rewrote: `fn NAME L:C, rewrites: ...`. */
void opt_write_fns(const OptLog *log, FILE *out);

#endif
