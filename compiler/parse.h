/* parse.h — from source text to AST: the reentrant lexer and pure parser
 * (grammar/), and the loading of a file with its imports. */
#ifndef PIPEC_PARSE_H
#define PIPEC_PARSE_H

#include "ast.h"
#include "diag.h"

/* Parses file `file_id` of d into an N_FILE node allocated from a.  Syntax
 * errors are reported to d (several per file: the parser recovers at the next
 * declaration or statement); the returned tree holds what could be parsed. */
Node *parse_file(Diag *d, PipeArena *a, int file_id);

/* A program: the main file and every file it imports, transitively, each once. */
typedef struct Program {
    Node **files; /* N_FILE nodes; files[0] is the main file */
    int nfiles;
} Program;

/* Loads path and its imports (paths relative to the importing file).  An
 * unreadable file or an import cycle is an error at the import's position.
 * Returns false when nothing could be loaded at all. */
bool parse_program(Diag *d, PipeArena *a, const char *path, Program *out);
/* The same for source text already in memory (REPL, tests); imports resolve
 * relative to the current directory. */
bool parse_program_text(Diag *d, PipeArena *a, const char *name, const char *text, Program *out);

#endif
