/* diag.h — diagnostics: owns every source text and its line map, records each
 * diagnostic of a compilation, and prints them as `file:line:col: error:
 * message`, the source line and a caret (or as JSON Lines, for editors). */
#ifndef PIPEC_DIAG_H
#define PIPEC_DIAG_H

#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>

#include "ast.h"

typedef struct SrcFile {
    char *path;     /* as given or resolved (what messages show) */
    char *text;     /* NUL-terminated contents (owned) */
    size_t len;
    int *lines;     /* byte offset of each line start */
    int nlines;
    int first_line; /* the number of its first line: 1, or the line of a file a
                     * piece was taken from (a REPL chunk :load'ed) */
} SrcFile;

/* The errors printed per run unless --max-errors says otherwise (gcc's
 * -fmax-errors): past them one line says so and the rest go uncounted. */
#define DIAG_MAX_ERRORS 20
/* The records a compilation keeps at most (also with --max-errors 0), and
 * the notes and fix-its one record keeps: what passes them is only counted. */
#define DIAG_MAX_RECORDS 1000
#define DIAG_MAX_ATTACHED 8

typedef enum DiagSeverity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagSeverity;

/* A note: another place that explains a diagnostic.  shown: printed under
 * it (diag_note); else only recorded, the message already naming the place
 * in words (diag_related). */
typedef struct DiagNote {
    Loc span;
    char *message;
    bool shown;
} DiagNote;

/* A fix-it: replacing the bytes of span (empty: inserting) by text. */
typedef struct DiagFix {
    Loc span;
    char *text;
} DiagFix;

/* One diagnostic.  span.file is -1 for one without a position (usage, I/O);
 * else span.line and span.col are set (from 1, the column in bytes).  code
 * is a stable kebab-case name (docs/pipe.md, "Diagnostics"). */
typedef struct DiagRecord {
    DiagSeverity severity;
    const char *code;
    Loc span;
    char *message;
    DiagNote *notes;
    int nnotes;
    DiagFix *fixes;
    int nfixes;
    bool foreign;   /* another tool's message (diag_foreign), printed as it wrote it */
} DiagRecord;

typedef struct Diag {
    SrcFile *files;
    int nfiles, capfiles;
    DiagRecord *recs;     /* in the order reported, at most DIAG_MAX_RECORDS */
    int nrecs, caprecs;
    int errors, warnings; /* every one, also those not printed */
    int max_errors;       /* 0: no limit */
    bool stopped;         /* max_errors passed: nothing more is printed or recorded */
    bool last_kept;       /* the last diagnostic has a record (notes attach to it) */
    FILE *out;      /* where records are printed as they come; NULL: only recorded */
    bool color;     /* off unless out is a terminal (and NO_COLOR unset) */
} Diag;

/* Initialises d to print to out (NULL: record only), with the limit
 * DIAG_MAX_ERRORS. */
void diag_init(Diag *d, FILE *out);
/* Frees every file and record. */
void diag_free(Diag *d);
/* Forgets every record and count (the files stay): the REPL's next chunk. */
void diag_clear(Diag *d);
/* Registers text (copied) under path and returns its file id. */
int diag_add_file(Diag *d, const char *path, const char *text, size_t len);
/* The same for text whose first line is line first_line of path (a piece of
 * it): positions in it count lines from there. */
int diag_add_piece(Diag *d, const char *path, const char *text, size_t len, int first_line);
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

/* Records a diagnostic at loc, its code from diag.c's table, and prints it
 * (the header line, the source line and `^~~~` under the span, to the end
 * of the line when the span goes further).  Errors count. */
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* diag_error with the code given (NULL: from the table). */
void diag_error_code(Diag *d, const char *code, Loc loc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same from a va_list, for modules that wrap the calls above. */
void diag_vreport(Diag *d, DiagSeverity sev, const char *code, Loc loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* A note at loc on the last record, printed under it. */
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note at loc on the last record that is not printed: its message already
 * names the place ("first at 3:1"); editors show it as a related place. */
void diag_related(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A fix-it on the last record: span's bytes (none: an insertion) become text. */
void diag_fix(Diag *d, Loc span, const char *text);
/* An error with no source position (usage, I/O): `pipec: error: message`. */
void diag_plain_error(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error another tool reported (tcc: "file:line: error: ..."): recorded
 * with code and no position, printed as the tool wrote it. */
void diag_foreign(Diag *d, const char *code, const char *msg);
/* Prints record r of d to out as it printed when it came (header, excerpt,
 * the notes shown): for a caller that records first and chooses what to show. */
void diag_print(Diag *d, const DiagRecord *r, FILE *out);
/* Writes every record to f as JSON Lines (docs/pipe.md, "Diagnostics"). */
void diag_write_json(const Diag *d, FILE *f);

#endif
