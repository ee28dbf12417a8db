/* diag.h — diagnostics: owns every source text and its line map, and prints
 * errors as `file:line:col: error: message`, the source line, and a caret. */
#ifndef PIPEC_DIAG_H
#define PIPEC_DIAG_H

#include <stdio.h>
#include <sys/types.h>

#include "ast.h"

typedef struct SrcFile {
    char *path;     /* as given or resolved (what messages show) */
    char *text;     /* NUL-terminated contents (owned) */
    size_t len;
    int *lines;     /* byte offset of each line start */
    int nlines;
} SrcFile;

/* The errors printed per run unless --max-errors says otherwise (gcc's
 * -fmax-errors): past them one line says so and the rest go uncounted. */
#define DIAG_MAX_ERRORS 20

typedef struct Diag {
    SrcFile *files;
    int nfiles, capfiles;
    int errors, warnings; /* every one, also those not printed */
    int max_errors;       /* 0: no limit */
    bool stopped;         /* max_errors passed: nothing more is printed */
    FILE *out;      /* stderr unless a test redirects it */
    bool color;     /* off unless out is a terminal (and NO_COLOR unset) */
} Diag;

/* Initialises d to write to out, with the limit DIAG_MAX_ERRORS. */
void diag_init(Diag *d, FILE *out);
/* Frees every file. */
void diag_free(Diag *d);
/* Registers text (copied) under path and returns its file id. */
int diag_add_file(Diag *d, const char *path, const char *text, size_t len);
/* The largest script or import pipec reads. */
#define DIAG_MAX_FILE ((off_t)16 << 20)
#define DIAG_MAX_FILE_TEXT "16 MiB"
/* Reads path and registers it; -1 when it cannot be read (errno set). */
int diag_load_file(Diag *d, const char *path);
/* Reads fd (closed here; regular_only: refuses what is not a regular file,
 * EINVAL) as path and registers it; -1 with errno (EFBIG: over DIAG_MAX_FILE). */
int diag_load_fd(Diag *d, const char *path, int fd, bool regular_only);
/* The reason to print for errno err after diag_load_fd or diag_load_file. */
const char *diag_load_error(int err);
const SrcFile *diag_file(const Diag *d, int id);
/* Line and column (from 1) of byte offset off in file id. */
void diag_linecol(const Diag *d, int id, int off, int *line, int *col);

/* Report at loc: prints the header line, the source line and `^~~~` under the
 * span (to the end of the line when the span goes further).  Errors count. */
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error with no source position (usage, I/O): `pipec: error: message`. */
void diag_plain_error(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
