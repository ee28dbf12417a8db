/* schema.c — `pipec schema FILE`: reads a CSV, TSV or JSON Lines file and
 * prints a record declaration for csv(T), tsv(T) or json(T) to read it with.
 *
 * Splitting, unquoting, name matching and conversions are the readers' own
 * (stdlib/records.c, "for pipec schema"): a column is an int only when every
 * cell is one csv(T) reads into an int, and a field is printed only when the
 * readers match its name to its column or key, so that the declaration reads
 * back the rows it was inferred from.  The choices LANGUAGE.md §8 leaves
 * open are in docs/pipe.md, "pipec schema". */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "pipe_std.h"
#include "schema.h"

enum { FMT_CSV, FMT_TSV, FMT_JSON };

static const char schema_usage[] =
    "usage: pipec schema FILE|- [--format csv|tsv|json] [--rows N]\n"
    "\n"
    "Prints a record declaration that csv(T), tsv(T) or json(T) reads FILE with:\n"
    "each field the narrowest of bool, int, float and str that all its values\n"
    "fit, T? where a value is empty, null or missing.\n"
    "\n"
    "  --format F   csv, tsv or json (JSON Lines); by default from the name's\n"
    "               ending (.csv, .tsv, .tab, .json, .jsonl, .ndjson); needed for -\n"
    "  --rows N     read at most N rows after the header (default 10000; 0: all)\n";

/* A field's note when integers past 64 bits made it a float. */
static const char big_note[] = "integers past 64 bits: a float rounds them";

/* The state of one run of the command: the input, the declarations made so
 * far (out: nested records before the records that use them), the record
 * names taken, and while typing a JSON field the key path (.a.b[]), why it
 * cannot be read and whether it met integers past 64 bits. */
typedef struct Schema {
    const char *path;  /* as given; "-" is the standard input */
    const char *shown; /* the input's name in messages */
    int format;
    long max_rows; /* 0: every row */
    FILE *f;
    char *line;
    size_t cap;
    long lineno, rows;
    bool cut; /* rows were left unread (--rows) */
    PipeArena arena; /* the current row's cells or JSON tree */
    Buf out;
    char **names;
    int nnames;
    char *key; /* a normalized key, reused */
    size_t key_cap;
    Buf keypath, why;
    bool big, dry; /* dry: only whether a type reads the values, no records made */
} Schema;

/* ------------------------------------------------------------------ input */

/* Prints an error about the input (at line when it is not 0); returns 1. */
__attribute__((format(printf, 3, 4))) static int input_error(const Schema *s, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pipec: error: %s", s->shown);
    if (line)
        fprintf(stderr, ":%ld", line);
    fputs(": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* The next input line without its '\n'; false at the end or a read error. */
static bool next_line(Schema *s, PipeStr *l)
{
    ssize_t n = getline(&s->line, &s->cap, s->f);
    if (n < 0)
        return false;
    if (n > 0 && s->line[n - 1] == '\n')
        n--;
    s->lineno++;
    *l = (PipeStr){s->line, (size_t)n};
    return true;
}

/* Whether --rows is reached; then s->cut tells whether a line that is not
 * blank was left. */
static bool rows_done(Schema *s)
{
    if (!s->max_rows || s->rows < s->max_rows)
        return false;
    PipeStr l;
    while (!s->cut && next_line(s, &l))
        for (size_t i = 0; i < l.n && !s->cut; i++)
            s->cut = l.p[i] != ' ' && l.p[i] != '\t' && l.p[i] != '\r';
    return true;
}

/* ------------------------------------------------------------------ names */

/* The field name for header cell or key raw (malloc'd): its normalized
 * name (a keyword too: a record's field may be called `in` or `end`,
 * docs/pipe.md "Records in the language"); NULL when no field name matches
 * raw, why in *why. */
static char *field_name(PipeStr raw, const char **why)
{
    size_t n = pipe_name_norm(raw.p, raw.n, NULL, 0);
    char *name = xrealloc(NULL, n + 1);
    pipe_name_norm(raw.p, raw.n, name, n);
    name[n] = '\0';
    *why = NULL;
    if (n == 0) {
        *why = "it has no name";
    } else if (name[0] >= '0' && name[0] <= '9') {
        *why = "a field name cannot start with a digit";
    } else if (!pipe_name_matches(raw, name)) {
        *why = "its name is too long for the readers to match";
    }
    if (*why) {
        free(name);
        return NULL;
    }
    return name;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Appends [s, s+n) in CamelCase, each run of ASCII letters and digits begun
 * upper-case (debian-releases: DebianReleases); "Row" before a digit and for
 * a name with no letter or digit. */
static void camel(Buf *b, const char *s, size_t n)
{
    size_t start = b->n;
    bool word = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!is_alnum(c)) {
            word = false;
            continue;
        }
        if (b->n == start && c >= '0' && c <= '9')
            buf_puts(b, "Row");
        if (!word && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        buf_add(b, &c, 1);
        word = true;
    }
    if (b->n == start)
        buf_puts(b, "Row");
}

static bool name_taken(const Schema *s, const char *name)
{
    for (int i = 0; i < s->nnames; i++)
        if (!strcmp(s->names[i], name))
            return true;
    return false;
}

/* Takes a record name: want, else parent then want, else that with 2, 3, ...
 * after it; returns it (owned by s). */
static const char *take_name(Schema *s, const char *want, const char *parent)
{
    Buf b = {0};
    buf_puts(&b, want);
    if (name_taken(s, b.p) && parent) {
        b.n = 0;
        buf_printf(&b, "%s%s", parent, want);
    }
    size_t base = b.n;
    for (int k = 2; name_taken(s, b.p); k++) {
        b.n = base;
        buf_printf(&b, "%d", k);
    }
    s->names = xrealloc(s->names, (size_t)(s->nnames + 1) * sizeof *s->names);
    s->names[s->nnames++] = b.p;
    return b.p;
}

/* The top record's name: the file's name without its ending, in CamelCase
 * (Row for the standard input). */
static const char *top_name(Schema *s)
{
    Buf b = {0};
    if (strcmp(s->path, "-")) {
        const char *base = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
        const char *dot = strrchr(base, '.');
        camel(&b, base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
    } else {
        buf_puts(&b, "Row");
    }
    const char *name = take_name(s, b.p, NULL);
    free(b.p);
    return name;
}

/* ------------------------------------------------------------------ declarations */

/* Appends raw quoted for a comment: '"' and '\' escaped, other bytes that are
 * not printable ASCII as \xHH (a line break would end the comment), cut
 * after 60 bytes. */
static void quoted(Buf *b, PipeStr raw)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < raw.n && i < 60; i++) {
        unsigned char c = (unsigned char)raw.p[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            buf_printf(b, "\\x%02x", c);
        else
            buf_add(b, (const char *)&c, 1);
    }
    buf_puts(b, raw.n > 60 ? "...\"" : "\"");
}

static void field_line(Buf *body, const char *name, const char *type, bool opt, const char *note)
{
    buf_printf(body, "    %s: %s%s", name, type, opt ? "?" : "");
    if (note)
        buf_printf(body, "  # %s", note);
    buf_puts(body, "\n");
}

/* A comment in place of a field: column col (from 1; 0 for a key) named raw
 * is left out, and why. */
static void left_out(Buf *body, long col, PipeStr raw, const char *why)
{
    buf_puts(body, "    # ");
    if (col)
        buf_printf(body, "column %ld ", col);
    quoted(body, raw);
    buf_printf(body, " left out: %s\n", why);
}

static void emit_record(Schema *s, const char *name, const Buf *body)
{
    if (s->out.n)
        buf_puts(&s->out, "\n");
    buf_printf(&s->out, "record %s {\n%s}\n", name, body->p ? body->p : "");
}

/* ------------------------------------------------------------------ csv and tsv */

/* A column: its header cell, its field name (NULL: left out, why), what
 * every cell that is not empty converts to (PIPE_FITS_*), whether a cell was
 * empty or missing. */
typedef struct Col {
    PipeStr raw;
    char *name;
    const char *why;
    long first; /* a duplicate: the column (from 1) read into the field */
    unsigned fits;
    bool any, empty, big;
} Col;

/* The columns of header row cells[0..n): a name that is not a field's, or
 * that another column already has (csv(T) reads the first), is left out. */
static Col *csv_columns(const PipeStr *cells, long n)
{
    Col *cols = xrealloc(NULL, (size_t)n * sizeof *cols);
    for (long i = 0; i < n; i++) {
        Col *c = &cols[i];
        char *raw = xrealloc(NULL, cells[i].n);
        memcpy(raw, cells[i].p, cells[i].n);
        *c = (Col){.raw = {raw, cells[i].n}, .fits = ~0u};
        c->name = field_name(c->raw, &c->why);
        for (long j = 0; j < i && c->name; j++)
            if (cols[j].name && !strcasecmp(cols[j].name, c->name)) {
                c->first = j + 1;
                free(c->name);
                c->name = NULL;
            }
    }
    return cols;
}

static void cols_free(Col *cols, long n)
{
    for (long i = 0; i < n; i++) {
        free(cols[i].name);
        free((void *)cols[i].raw.p);
    }
    free(cols);
}

static void csv_cell(Col *c, PipeStr cell)
{
    if (cell.n == 0) {
        c->empty = true;
        return;
    }
    c->any = true;
    if (c->fits & (PIPE_FITS_BOOL | PIPE_FITS_INT | PIPE_FITS_FLOAT)) {
        unsigned f = pipe_cell_fits(cell);
        c->fits &= f;
        c->big |= (f & PIPE_FITS_BIG) != 0;
    }
}

/* Prints the record of the columns; frees them. */
static void csv_record(Schema *s, Col *cols, long n)
{
    const char *name = top_name(s);
    Buf body = {0};
    for (long i = 0; i < n; i++) {
        Col *c = &cols[i];
        const char *type = "str", *note = NULL;
        if (!c->any)
            type = "str"; /* nothing to go by: every cell was empty */
        else if (c->fits & PIPE_FITS_BOOL)
            type = "bool";
        else if (c->fits & PIPE_FITS_INT)
            type = "int";
        else if (c->fits & PIPE_FITS_FLOAT)
            type = "float", note = c->big ? big_note : NULL;
        if (c->name) {
            field_line(&body, c->name, type, c->empty || !c->any, note);
        } else if (c->first) {
            char why[120];
            snprintf(why, sizeof why, "csv(T) reads column %ld into %s, the first of this name", c->first,
                     cols[c->first - 1].name);
            left_out(&body, i + 1, c->raw, why);
        } else {
            left_out(&body, i + 1, c->raw, c->why);
        }
    }
    cols_free(cols, n);
    emit_record(s, name, &body);
    free(body.p);
}

/* Reads the header and the rows as csv(T) or tsv(T) splits them. */
static int schema_csv(Schema *s)
{
    PipeCsvRows *r = pipe_csv_rows_new(',', s->format == FMT_TSV);
    Col *cols = NULL;
    long ncols = 0, start = 0;
    int rc = 0;
    bool open = false;
    PipeStr l;
    while (!rows_done(s) && next_line(s, &l)) {
        pipe_arena_reset(&s->arena);
        const PipeStr *cells;
        if (!open)
            start = s->lineno;
        long n = pipe_csv_rows_line(r, l, &s->arena, &cells);
        open = n < 0;
        if (n <= 0)
            continue;
        if (!cols) {
            cols = csv_columns(cells, n);
            ncols = n;
        } else if (n > ncols) {
            rc = input_error(s, start, "the row has %ld cells, the header %ld (a row longer than the header is an "
                             "error of csv(T))", n, ncols);
            break;
        } else {
            for (long i = 0; i < ncols; i++)
                csv_cell(&cols[i], i < n ? cells[i] : (PipeStr){"", 0});
            s->rows++;
        }
    }
    if (!rc && ferror(s->f))
        rc = input_error(s, 0, "cannot read it: %s", strerror(errno));
    if (!rc && open)
        rc = input_error(s, start, "the input ends inside a quoted cell of the row from this line");
    if (!rc && !cols)
        rc = input_error(s, 0, "no header line (the input is empty)");
    pipe_csv_rows_free(r);
    if (rc) {
        cols_free(cols, ncols);
        return rc;
    }
    csv_record(s, cols, ncols);
    return 0;
}

/* ------------------------------------------------------------------ json */

/* What the values at one place of the JSON lines were: the kinds seen
 * (1 << PIPE_JSON_*), what every number converts to, and for arrays their
 * items, for objects their members by normalized key (those of one name are
 * one field: json(T) fills it from each). */
typedef struct Shape Shape;
typedef struct Member {
    char *norm;
    PipeStr raw;     /* the first key seen of this name */
    long seen, last; /* how many objects had it; the last one's number */
    Shape *shape;
} Member;

struct Shape {
    unsigned kinds, fits;
    bool big;
    long nobj;
    Shape *elem;
    Member *m;
    int nm, cap;
    int *index; /* m by the hash of norm: open addressing, -1 free */
    size_t nindex;
};

#define KIND(k) (1u << (k))

static Shape *shape_new(void)
{
    Shape *sh = xrealloc(NULL, sizeof *sh);
    *sh = (Shape){.fits = ~0u};
    return sh;
}

static void shape_free(Shape *sh)
{
    if (!sh)
        return;
    for (int i = 0; i < sh->nm; i++) {
        free(sh->m[i].norm);
        free((void *)sh->m[i].raw.p);
        shape_free(sh->m[i].shape);
    }
    shape_free(sh->elem);
    free(sh->m);
    free(sh->index);
    free(sh);
}

static size_t hash_name(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Makes sh's index hold twice as many slots as members, at least. */
static void shape_reindex(Shape *sh)
{
    if ((size_t)sh->nm * 2 < sh->nindex)
        return;
    sh->nindex = sh->nindex ? sh->nindex * 2 : 16;
    sh->index = xrealloc(sh->index, sh->nindex * sizeof *sh->index);
    memset(sh->index, 0xff, sh->nindex * sizeof *sh->index);
    for (int k = 0; k < sh->nm; k++) {
        size_t i = hash_name(sh->m[k].norm) & (sh->nindex - 1);
        while (sh->index[i] >= 0)
            i = (i + 1) & (sh->nindex - 1);
        sh->index[i] = k;
    }
}

/* The member of sh for key, made when it is new. */
static Member *member_of(Schema *s, Shape *sh, PipeStr key)
{
    size_t n = pipe_name_norm(key.p, key.n, NULL, 0);
    if (n + 1 > s->key_cap)
        s->key = xrealloc(s->key, s->key_cap = n + 1);
    pipe_name_norm(key.p, key.n, s->key, n);
    s->key[n] = '\0';
    shape_reindex(sh);
    size_t i = hash_name(s->key) & (sh->nindex - 1);
    for (; sh->index[i] >= 0; i = (i + 1) & (sh->nindex - 1))
        if (!strcmp(sh->m[sh->index[i]].norm, s->key))
            return &sh->m[sh->index[i]];
    if (sh->nm == sh->cap) {
        sh->cap = sh->cap ? sh->cap * 2 : 8;
        sh->m = xrealloc(sh->m, (size_t)sh->cap * sizeof *sh->m);
    }
    char *raw = xrealloc(NULL, key.n);
    memcpy(raw, key.p, key.n);
    sh->m[sh->nm] = (Member){strdup(s->key), {raw, key.n}, 0, 0, shape_new()};
    sh->index[i] = sh->nm;
    return &sh->m[sh->nm++];
}

/* Counts value v into sh. */
static void shape_add(Schema *s, Shape *sh, const PipeJson *v)
{
    sh->kinds |= KIND(v->kind);
    if (v->kind == PIPE_JSON_NUM) {
        sh->fits &= v->fits;
        sh->big |= (v->fits & PIPE_FITS_BIG) != 0;
    }
    if (v->kind == PIPE_JSON_ARR)
        for (const PipeJson *c = v->child; c; c = c->next)
            shape_add(s, sh->elem ? sh->elem : (sh->elem = shape_new()), c);
    if (v->kind != PIPE_JSON_OBJ)
        return;
    sh->nobj++;
    for (const PipeJson *c = v->child; c; c = c->next) {
        Member *m = member_of(s, sh, c->key);
        if (m->last != sh->nobj) {
            m->seen++;
            m->last = sh->nobj;
        }
        shape_add(s, m->shape, c);
    }
}

/* Counts what src counted into dst too. */
static void shape_merge(Schema *s, Shape *dst, const Shape *src)
{
    dst->kinds |= src->kinds;
    dst->fits &= src->fits;
    dst->big |= src->big;
    dst->nobj += src->nobj;
    if (src->elem)
        shape_merge(s, dst->elem ? dst->elem : (dst->elem = shape_new()), src->elem);
    for (int i = 0; i < src->nm; i++) {
        Member *m = member_of(s, dst, src->m[i].raw);
        m->seen += src->m[i].seen;
        shape_merge(s, m->shape, src->m[i].shape);
    }
}

/* s->why: the values at s->keypath are of kinds that no one type reads. */
static void mixed(Schema *s, unsigned kinds)
{
    static const char *const names[] = {"", "true or false", "numbers", "strings", "arrays", "objects"};
    s->why.n = 0;
    buf_printf(&s->why, "%s holds ", s->keypath.p);
    int left = __builtin_popcount(kinds);
    for (int k = PIPE_JSON_BOOL; k <= PIPE_JSON_OBJ; k++)
        if (kinds & KIND(k))
            buf_printf(&s->why, "%s%s", names[k], --left > 1 ? ", " : left == 1 ? " and " : "");
    buf_puts(&s->why, ", which no one type reads");
}

static void path_cut(Buf *b, size_t n)
{
    b->n = n;
    if (b->p)
        b->p[n] = '\0';
}

static bool shape_type(Schema *s, const Shape *sh, PipeStr hint, const char *parent, Buf *b);
static void json_record(Schema *s, const Shape *sh, const char *name);

/* Appends [T] for the arrays of sh: [str] when they were all empty. */
static bool array_type(Schema *s, const Shape *sh, PipeStr hint, const char *parent, Buf *b)
{
    size_t at = s->keypath.n;
    buf_puts(&s->keypath, "[]");
    buf_puts(b, "[");
    bool ok = true;
    if (!sh->elem)
        buf_puts(b, "str");
    else if ((ok = shape_type(s, sh->elem, hint, parent, b)) && (sh->elem->kinds & KIND(PIPE_JSON_NULL)))
        buf_puts(b, "?");
    buf_puts(b, "]");
    path_cut(&s->keypath, at);
    return ok;
}

/* Whether the objects of sh are read as a {str: V} map: they have no key,
 * a key no field name matches or more than 64 keys. */
static bool wants_map(const Shape *sh)
{
    if (sh->nm == 0 || sh->nm > 64)
        return true;
    for (int i = 0; i < sh->nm; i++) {
        const char *why;
        char *name = field_name(sh->m[i].raw, &why);
        free(name);
        if (!name)
            return true;
    }
    return false;
}

/* Appends {str: V} for the objects of sh when it wants a map and one type
 * reads all their values; false (nothing appended) otherwise. */
static bool map_type(Schema *s, const Shape *sh, PipeStr hint, const char *parent, Buf *b)
{
    if (!wants_map(sh))
        return false;
    Shape *v = shape_new();
    for (int i = 0; i < sh->nm; i++)
        shape_merge(s, v, sh->m[i].shape);
    size_t at = s->keypath.n;
    buf_puts(&s->keypath, ".*");
    Buf t = {0};
    bool dry = s->dry;
    s->dry = true;
    bool ok = shape_type(s, v, hint, parent, &t);
    s->dry = dry;
    if (ok) {
        t.n = 0;
        shape_type(s, v, hint, parent, &t);
        buf_printf(b, "{str: %s%s}", t.p, v->kinds & KIND(PIPE_JSON_NULL) ? "?" : "");
    }
    path_cut(&s->keypath, at);
    free(t.p);
    shape_free(v);
    return ok;
}

/* Appends the type that reads every value of sh, without the ? of a null:
 * a nested record is declared first, named after hint; false when no type
 * reads them all (s->why says why). */
static bool shape_type(Schema *s, const Shape *sh, PipeStr hint, const char *parent, Buf *b)
{
    unsigned kinds = sh->kinds & ~KIND(PIPE_JSON_NULL);
    switch (kinds) {
    case 0:
    case KIND(PIPE_JSON_STR): buf_puts(b, "str"); return true;
    case KIND(PIPE_JSON_BOOL): buf_puts(b, "bool"); return true;
    case KIND(PIPE_JSON_NUM):
        if (sh->fits & PIPE_FITS_INT) {
            buf_puts(b, "int");
            return true;
        }
        s->big |= sh->big;
        buf_puts(b, "float");
        return true;
    case KIND(PIPE_JSON_ARR): return array_type(s, sh, hint, parent, b);
    case KIND(PIPE_JSON_OBJ):
        if (map_type(s, sh, hint, parent, b))
            return true;
        if (!s->dry) {
            Buf want = {0};
            camel(&want, hint.p, hint.n);
            const char *name = take_name(s, want.p, parent);
            free(want.p);
            json_record(s, sh, name);
            buf_puts(b, name);
        }
        return true;
    default: mixed(s, kinds); return false;
    }
}

/* Declares record name for the objects of sh (its nested records first): a
 * field per member, T? when an object lacked it or it was null; a member no
 * field name matches or no type reads is a comment saying why. */
static void json_record(Schema *s, const Shape *sh, const char *name)
{
    Buf body = {0}, t = {0};
    bool big = s->big;
    for (int i = 0; i < sh->nm; i++) {
        const Member *m = &sh->m[i];
        const char *why;
        char *field = field_name(m->raw, &why);
        if (!field) {
            left_out(&body, 0, m->raw, why);
            continue;
        }
        size_t at = s->keypath.n;
        buf_puts(&s->keypath, ".");
        buf_add(&s->keypath, m->raw.p, m->raw.n);
        t.n = 0;
        s->big = false;
        if (shape_type(s, m->shape, m->raw, name, &t))
            field_line(&body, field, t.p, m->seen < sh->nobj || (m->shape->kinds & KIND(PIPE_JSON_NULL)),
                       s->big ? big_note : NULL);
        else
            left_out(&body, 0, m->raw, s->why.p);
        path_cut(&s->keypath, at);
        free(field);
    }
    s->big = big;
    emit_record(s, name, &body);
    free(body.p);
    free(t.p);
}

/* Reads JSON Lines, each line an object, as json(T) does. */
static int schema_json(Schema *s)
{
    static const char *const kinds[] = {"null", "true or false", "a number", "a string", "an array"};
    Shape *top = shape_new();
    const char *name = top_name(s);
    char err[200];
    int rc = 0;
    PipeStr l;
    while (!rc && !rows_done(s) && next_line(s, &l)) {
        pipe_arena_reset(&s->arena);
        if (s->lineno == 1 && l.n >= 3 && !memcmp(l.p, "\xEF\xBB\xBF", 3))
            l = (PipeStr){l.p + 3, l.n - 3}; /* a BOM, as json(T) drops it */
        PipeJson *v = pipe_json_tree(l, &s->arena, err, sizeof err);
        if (!v && err[0])
            rc = input_error(s, s->lineno, "%s (JSON Lines: one value on each line)", err);
        else if (v && v->kind != PIPE_JSON_OBJ)
            rc = input_error(s, s->lineno, "%s, not an object (json(T) fills a record from an object)", kinds[v->kind]);
        else if (v)
            shape_add(s, top, v), s->rows++;
    }
    if (!rc && ferror(s->f))
        rc = input_error(s, 0, "cannot read it: %s", strerror(errno));
    if (!rc && s->rows == 0)
        rc = input_error(s, 0, "no JSON values (the input is empty)");
    if (!rc)
        json_record(s, top, name);
    shape_free(top);
    return rc;
}

/* ------------------------------------------------------------------ the command */

/* Prints a usage error and the hint; returns 2. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pipec: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\ntry 'pipec schema --help'\n", stderr);
    va_end(ap);
    return 2;
}

/* The value of option opt at argv[*i], as "--opt V" (*i then at V) or
 * "--opt=V"; NULL when argv[*i] is another argument, "" when V is missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];
    if (strncmp(a, opt, n) || (a[n] != '\0' && a[n] != '='))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    return *i + 1 < argc ? argv[++*i] : "";
}

/* The format a file's name ends in, -1 for none known. */
static int format_of(const char *path)
{
    static const struct {
        const char *ext;
        int format;
    } exts[] = {{"csv", FMT_CSV}, {"tsv", FMT_TSV}, {"tab", FMT_TSV}, {"json", FMT_JSON}, {"jsonl", FMT_JSON},
                {"ndjson", FMT_JSON}};
    const char *dot = strrchr(path, '.');
    if (!dot || (strrchr(path, '/') && dot < strrchr(path, '/')))
        return -1;
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (!strcasecmp(dot + 1, exts[i].ext))
            return exts[i].format;
    return -1;
}

/* Reads the arguments into s: -1 when it may run, else an exit code. */
static int parse_args(Schema *s, int argc, char **argv)
{
    const char *format = NULL, *v;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(schema_usage, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--format"))) {
            format = v;
            if (strcmp(v, "csv") && strcmp(v, "tsv") && strcmp(v, "json"))
                return usage_error("unknown format '%s' (expected csv, tsv or json)", v);
        } else if ((v = opt_value(argc, argv, &i, "--rows"))) {
            s->max_rows = *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
            if (s->max_rows < 0 || *end)
                return usage_error("--rows needs a number of rows (0: all), not '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (s->path) {
            return usage_error("one file at a time: '%s' and '%s'", s->path, a);
        } else {
            s->path = a;
        }
    }
    if (!s->path)
        return usage_error("missing the file to read (or - for the standard input)");
    s->format = format ? (format[0] == 'c' ? FMT_CSV : format[0] == 't' ? FMT_TSV : FMT_JSON) : format_of(s->path);
    if (s->format < 0)
        return usage_error("cannot tell the format of '%s' from its name: give --format csv, tsv or json",
                           s->path);
    return -1;
}

int schema_main(int argc, char **argv)
{
    Schema s = {.max_rows = 10000};
    int rc = parse_args(&s, argc, argv);
    if (rc >= 0)
        return rc;
    bool in = !strcmp(s.path, "-");
    s.shown = in ? "stdin" : s.path;
    s.f = in ? stdin : fopen(s.path, "r");
    if (!s.f) {
        fprintf(stderr, "pipec: error: cannot read '%s': %s\n", s.path, strerror(errno));
        return 1;
    }
    buf_puts(&s.keypath, "");
    rc = s.format == FMT_JSON ? schema_json(&s) : schema_csv(&s);
    if (!rc && s.cut)
        printf("# from the first %ld row%s (--rows %ld): later rows may need other types\n", s.rows,
               s.rows == 1 ? "" : "s", s.max_rows);
    if (!rc)
        fputs(s.out.p, stdout);
    if (!in)
        fclose(s.f);
    for (int i = 0; i < s.nnames; i++)
        free(s.names[i]);
    free(s.names);
    free(s.line);
    free(s.key);
    free(s.out.p);
    free(s.keypath.p);
    free(s.why.p);
    pipe_arena_free(&s.arena);
    return rc;
}
