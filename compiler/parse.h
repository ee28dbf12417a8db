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

/* What the tree leaves out and a formatter needs (pipec fmt): every comment,
 * and the span of every token but newlines, both in source order. */
typedef struct Comment {
    int off, end;      /* the '#' up to the end of its line (the newline excluded) */
    bool own_line;     /* only blanks before it on its line; else it trails code */
} Comment;

typedef struct TokSpan {
    int tok;           /* the parser's token number ('{', '|', ... for one character) */
    int off, end;
} TokSpan;

typedef struct Comments {
    Comment *v;
    int n, cap;
    TokSpan *toks;
    int ntoks, captoks;
} Comments;

/* parse_file, and also fills *out (arrays allocated from a). */
Node *parse_file_comments(Diag *d, PipeArena *a, int file_id, Comments *out);
/* Only the lexer over file file_id, to its end: fills *out (the REPL asks
 * whether an input is whole, what it names, where a comment is). */
void parse_tokens(Diag *d, PipeArena *a, int file_id, Comments *out);

/* Parses file file_id of d, text typed into the REPL: declarations, or (when
 * statements) the statements of a pipeline's body, which become the list of
 * the N_FILE returned.  Messages call its end "the end of the input". */
Node *parse_input(Diag *d, PipeArena *a, int file_id, bool statements);

/* A program: the main file and every file it imports, transitively, each once. */
typedef struct Program {
    Node **files; /* N_FILE nodes; files[0] is the main file */
    int nfiles;
} Program;

/* Loads path and its imports (paths relative to the importing file).  An
 * unreadable file or an import cycle is an error at the import's position.
 * Returns false when nothing could be loaded at all. */
bool parse_program(Diag *d, PipeArena *a, const char *path, Program *out);
/* parse_program for --safe when allow is not NULL: an import must lie in the
 * script's folder or in a folder of allow or allow2 (NULL-terminated,
 * resolved), and is opened beneath it (runtime/path.c). */
bool parse_program_in(Diag *d, PipeArena *a, const char *path, const char *const *allow, const char *const *allow2,
                      Program *out);
/* The same for source text already in memory (REPL, tests); imports resolve
 * relative to the current directory.  Returns whether it loaded without errors
 * (syntax errors included). */
bool parse_program_text(Diag *d, PipeArena *a, const char *name, const char *text, Program *out);
/* The same for file file_id of d, registered by the caller (any bytes), but
 * false only when nothing could be loaded (as parse_program). */
bool parse_program_file(Diag *d, PipeArena *a, int file_id, Program *out);
/* The same for a main file already parsed, or put together from the trees of
 * several sources (the REPL's chunks); its imports resolve relative to the
 * current directory. */
bool parse_program_tree(Diag *d, PipeArena *a, Node *file, Program *out);
/* Whether a statement goes on after token tok (the parser's number): a
 * newline after it is only layout (docs/pipe.md, "Lines"). */
bool parse_continues_line(int tok);

#endif
