/* build.h — writing output files whole or not at all, running programs, and
 * building a native binary from a compilation with the system's C compiler. */
#ifndef PIPEC_BUILD_H
#define PIPEC_BUILD_H

#include "driver.h"

/* An output file is written under a temporary name in a private folder beside
 * it and renamed into place once complete, so that a failed or killed command
 * leaves the old file whole and never a truncated one.  An existing symlink is
 * followed (its target is replaced); what is no regular file (a device, a
 * pipe) or lies in a folder that cannot hold the temporary is written in place. */
typedef struct Staged {
    const char *path; /* as the user gave it, for messages */
    char *target;     /* where the file ends up: path, or its link's target */
    char *dir;        /* the private folder, or NULL when writing in place */
    char *tmp;        /* the name to write now */
} Staged;

/* Starts writing path: st->tmp is the name to write now. */
void build_stage_begin(Staged *st, const char *path);
/* Puts the written file in place when ok (false, after a message, when that
 * fails), else drops it; frees st. */
bool build_stage_end(Staged *st, bool ok);
/* Writes text to path ("-": stdout); a failure names the file as shown. */
bool build_write_file_as(const char *path, const char *shown, const char *text, size_t len);
bool build_write_file(const char *path, const char *text, size_t len);
/* Writes text to the output file path ("-": stdout), whole or not at all. */
bool build_write_output(const char *path, const char *text, size_t len);
/* Runs argv, returning its exit status (-1 if it could not start). */
int build_spawn(char **argv);
/* Whether name (a path, or looked up in $PATH) can be run. */
bool build_have_program(const char *name);
/* Like build_have_program, and the path found (or name, when it has a '/')
 * in path[size]. */
bool build_find_program(const char *name, char *path, size_t size);
/* The C compiler command of builds: $CC split on blanks, -O2, then $CFLAGS,
 * in argv (at most max - 1 words); the count.  The words' text is in *keep
 * (free it). */
int build_cc_command(char **argv, int max, char **keep);
/* Writes text to the C file src and compiles it to the object obj with the
 * compiler command cc (ncc words); false when either fails. */
bool build_compile_c(char **cc, int ncc, const char *text, size_t len, const char *src, const char *obj);
/* Builds c's pipeline (checked and lowered) into the executable out with $CC
 * (or tcc when there is none); script is the path named in the C.  sandbox:
 * the extern procs' objects must pass the --sandbox checks.  Returns the exit
 * code: 0, 1 when a tool failed, 2 when a check refused the program. */
int build_binary(Compilation *c, const char *script, const char *out, bool sandbox);

#endif
