/* safe.h — what `--safe` and `--sandbox` refuse at compile time: extern procs,
 * unsafe stages (exec) and file sources and sinks outside the allowed folders. */
#ifndef PIPEC_SAFE_H
#define PIPEC_SAFE_H

#include "sema.h"

typedef struct SafeOpts {
    bool safe;     /* --safe */
    bool sandbox;  /* --sandbox (build, emit-c): the binary confines itself */
    char **read;   /* --allow-read folders, resolved (heap), NULL-terminated */
    char **write;  /* --allow-write folders, likewise */
    int nread, nwrite;
} SafeOpts;

/* Adds the folder dir (as given) to o's read or write list, resolved; false
 * with a message in why when it is not a folder. */
bool safe_allow(SafeOpts *o, const char *dir, bool write, char *why, size_t whylen);
/* Frees o's lists. */
void safe_free(SafeOpts *o);
/* The way stage n uses the path of its first argument (a file or files
 * source, a file or append sink); false for a stage that opens none. */
bool safe_path_kind(const DagNode *n, PipePathKind *kind);
/* Reports, as compile errors to s->diag, what o refuses in s's program (its
 * extern procs) and in the lowered dag.  Returns the count of errors. */
int safe_check(Sema *s, const Dag *dag, const SafeOpts *o);

#endif
