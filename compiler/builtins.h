/* builtins.h — the signatures of the standard functions (LANGUAGE.md §4) and of
 * the standard sources, sinks and processors (§6), as the checker sees them. */
#ifndef PIPEC_BUILTINS_H
#define PIPEC_BUILTINS_H

#include "types.h"

typedef struct Builtin {
    const char *name;
    int min_args, max_args;
    int regex_arg; /* index of an argument that is a regex, or -1 */
} Builtin;

/* The builtin function `name`, or NULL. */
const Builtin *builtin_find(const char *name);
/* The result type of b applied to arguments of types at[0..n); NULL with a
 * message in why when they don't fit. */
Type *builtin_type(PipeArena *a, const Builtin *b, Type **at, int n, char *why, size_t whylen);

typedef enum StageRole { R_SOURCE, R_SINK, R_PROC, R_FANIN } StageRole;
/* A_PATH: a str naming a file (the system takes it up to a NUL byte) */
typedef enum ArgKind { A_NONE, A_STR, A_PATH, A_REGEX, A_INT, A_BOOL, A_FN, A_SINK } ArgKind;
typedef enum InRule { I_ANY, I_STR, I_NUM, I_ORD, I_HASH } InRule;
typedef enum OutRule { O_SAME, O_STR, O_INT, O_FLOAT, O_COUNT, O_ENUM } OutRule;

typedef struct StdStage {
    const char *name;
    StageRole role;
    InRule in;
    OutRule out; /* sources: O_STR or O_INT */
    int nargs, required;
    const char *arg_names[3];
    ArgKind arg_kinds[3];
    bool unsafe; /* reaches beyond the script's data (exec): refused by --safe */
} StdStage;

/* The standard stage `name` in a position: with an input (has_in) or not, and
 * last in its flow or not (file() is a source first and a sink last). */
const StdStage *std_stage_find(const char *name, bool has_in, bool last);
/* Whether some standard stage is called name. */
bool std_stage_exists(const char *name);
/* Whether a standard stage called name is marked unsafe: it runs code beyond
 * the script and its data (exec starts a program), which --safe and
 * --sandbox refuse. */
bool std_stage_unsafe(const char *name);

#endif
