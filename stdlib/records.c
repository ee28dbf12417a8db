/* records.c — the data formats of LANGUAGE.md §8: readers csv(T), tsv(T),
 * json(T) that decode lines into typed values, and writers to_csv, to_tsv, to_json.
 *
 * Why our own reader rather than a CSV or JSON library (libcsv, jansson,
 * yyjson): those build a generic tree or a list of strings that we would
 * then walk and copy into the record.  These decode straight into the C
 * struct the compiler laid out (each cell or value lands at its field's
 * offset, converted), cells borrow the line's bytes unless they need
 * unquoting (then the scratch arena), nothing is allocated per row, and an
 * error names what the language promises: the input line, the column or key
 * path and the value.  The line sources already split the input, so what is
 * left is small: RFC 4180 and RFC 8259 on one line at a time. */
#include "pipe_std.h"
#include "rt_impl.h"

#include <stdio.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ shared */

/* PipeBuf's grow callback for a heap buffer that a stage reuses row after row. */
static bool rec_buf_grow(PipeBuf *b, const char *p, size_t n)
{
    (void)p;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    b->p = pipe_xrealloc(b->p, cap);
    b->cap = cap;
    return true;
}

static PipeBuf rec_buf_new(void)
{
    PipeBuf b = {NULL, 0, 0, rec_buf_grow};
    return b;
}

/* A name as headers and keys are matched (LANGUAGE.md §8): ASCII letters
 * lower-cased, digits kept, each run of other bytes one '_'.  Writes at most
 * cap bytes to out; returns the full length. */
static size_t rec_norm(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    bool run = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && run)
            continue;
        char o = alnum ? (char)(c >= 'A' && c <= 'Z' ? c + 32 : c) : '_';
        if (k < cap)
            out[k] = o;
        k++;
        run = !alnum;
    }
    return k;
}

/* A key json(T) has matched to a field (or to none, -1) before. */
typedef struct KeySlot {
    char *key; /* NULL: empty */
    size_t len;
    int field;
    bool raw;              /* rec_key_raw: a line's text can be compared to it directly */
    bool exact;            /* field is named exactly the key, not only by normalizing */
    struct KeySlot *next; /* the key that came after it last time */
} KeySlot;

enum { KEY_SLOTS = 64, KEY_MAX = 48, KEY_LEN = 64 };

/* The normalized field names of record type t, made once per stage, and the
 * keys seen for it: a JSON Lines file repeats its keys on every line, so
 * each is matched once, not once a line (at most KEY_MAX keys of at most
 * KEY_LEN bytes are kept, whatever the input holds). */
typedef struct RecNorm {
    const PipeType *t;
    PipeStr *names;
    KeySlot *keys;  /* KEY_SLOTS, open addressing */
    KeySlot *first; /* the first key of the last object */
    int nkeys;
} RecNorm;

typedef struct RecNorms {
    RecNorm *v;
    size_t n;
} RecNorms;

/* Adds the record types reachable from t to ns (each once). */
static void rec_norms_add(RecNorms *ns, const PipeType *t)
{
    if (t->kind == PIPE_K_OPT || t->kind == PIPE_K_LIST || t->kind == PIPE_K_SET) {
        rec_norms_add(ns, t->elem);
        return;
    }
    if (t->kind == PIPE_K_MAP)
        rec_norms_add(ns, t->val);
    if (t->kind == PIPE_K_TUPLE)
        for (uint32_t i = 0; i < t->nfields; i++)
            rec_norms_add(ns, t->fields[i]);
    if (t->kind != PIPE_K_RECORD)
        return;
    for (size_t i = 0; i < ns->n; i++)
        if (ns->v[i].t == t)
            return;
    ns->v = pipe_xrealloc(ns->v, (ns->n + 1) * sizeof *ns->v);
    RecNorm *r = &ns->v[ns->n++];
    *r = (RecNorm){.t = t, .names = pipe_xcalloc(t->nfields ? t->nfields : 1, sizeof *r->names)};
    for (uint32_t i = 0; i < t->nfields; i++) {
        const char *f = t->field_names[i];
        size_t len = rec_norm(f, strlen(f), NULL, 0);
        char *p = pipe_xmalloc(len + 1);
        rec_norm(f, strlen(f), p, len);
        r->names[i] = (PipeStr){p, len};
    }
    for (uint32_t i = 0; i < t->nfields; i++)
        rec_norms_add(ns, t->fields[i]);
}

static RecNorm *rec_norm_entry(const RecNorms *ns, const PipeType *t)
{
    for (size_t i = 0; i < ns->n; i++)
        if (ns->v[i].t == t)
            return &ns->v[i];
    return NULL;
}

static const PipeStr *rec_norms_of(const RecNorms *ns, const PipeType *t)
{
    RecNorm *r = rec_norm_entry(ns, t);
    return r ? r->names : NULL;
}

static void rec_norms_free(RecNorms *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        for (uint32_t f = 0; f < ns->v[i].t->nfields; f++)
            free((void *)ns->v[i].names[f].p);
        free(ns->v[i].names);
        for (int k = 0; ns->v[i].keys && k < KEY_SLOTS; k++)
            free(ns->v[i].keys[k].key);
        free(ns->v[i].keys);
    }
    free(ns->v);
    ns->v = NULL;
    ns->n = 0;
}

/* The field of record t named s: by its exact name, else by normalized
 * names (norm: t's); -1 when there is none. */
static int rec_field_of(const PipeType *t, const PipeStr *norm, PipeStr s)
{
    for (uint32_t i = 0; i < t->nfields; i++)
        if (strlen(t->field_names[i]) == s.n && memcmp(t->field_names[i], s.p, s.n) == 0)
            return (int)i;
    char tmp[256];
    size_t n = rec_norm(s.p, s.n, tmp, sizeof tmp);
    if (n > sizeof tmp)
        return -1;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (norm[i].n == n && memcmp(norm[i].p, tmp, n) == 0)
            return (int)i;
    return -1;
}

/* Whether a key's bytes can be matched against a line's bytes as they stand:
 * none is a quote, a backslash or a control byte (any of them would end or
 * escape the key in the line's text). */
static bool rec_key_raw(const char *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (k[i] == '"' || k[i] == '\\' || (unsigned char)k[i] < 0x20)
            return false;
    return true;
}

/* Whether key k is field f of record t by its exact name (f < 0: no). */
static bool rec_key_exact(const PipeType *t, int f, PipeStr k)
{
    return f >= 0 && strlen(t->field_names[f]) == k.n && memcmp(t->field_names[f], k.p, k.n) == 0;
}

/* rec_field_of for the keys of r's record, each matched once (RecNorm); the
 * key's slot (NULL when not kept) in *slot. */
static int rec_field_keyed(RecNorm *r, PipeStr k, KeySlot **slot)
{
    *slot = NULL;
    if (k.n > KEY_LEN)
        return rec_field_of(r->t, r->names, k);
    if (!r->keys)
        r->keys = pipe_xcalloc(KEY_SLOTS, sizeof *r->keys);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < k.n; i++)
        h = (h ^ (unsigned char)k.p[i]) * 16777619u;
    KeySlot *free_slot = NULL;
    for (int probe = 0; probe < KEY_SLOTS; probe++) {
        KeySlot *s = &r->keys[(h + (uint32_t)probe) & (KEY_SLOTS - 1)];
        if (!s->key) {
            free_slot = s;
            break;
        }
        if (s->len == k.n && memcmp(s->key, k.p, k.n) == 0)
            return *slot = s, s->field;
    }
    int f = rec_field_of(r->t, r->names, k);
    if (free_slot && r->nkeys < KEY_MAX) {
        free_slot->key = pipe_xmalloc(k.n + 1);
        memcpy(free_slot->key, k.p, k.n);
        free_slot->len = k.n;
        free_slot->field = f;
        free_slot->raw = rec_key_raw(k.p, k.n);
        free_slot->exact = rec_key_exact(r->t, f, k);
        r->nkeys++;
        *slot = free_slot;
    }
    return f;
}

/* Whether s holds only an optional sign and decimal digits (an int too
 * large for 64 bits, rather than no int at all). */
static bool rec_all_digits(PipeStr s)
{
    s = pipe_trim(s);
    size_t i = s.n && (s.p[0] == '-' || s.p[0] == '+');
    if (i == s.n)
        return false;
    for (; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

/* Converts text cell s into dst, a field of scalar type t (or T? of one):
 * int and float as to_int and to_float, bool from true/false (blanks around
 * ignored like numbers'), an empty cell to none for T?.  NULL, or what is
 * wrong with s. */
static const char *rec_cell_set(const PipeType *t, void *dst, PipeStr s)
{
    switch (t->kind) {
    case PIPE_K_STR:
        *(PipeStr *)dst = s;
        return NULL;
    case PIPE_K_INT:
        if (pipe_parse_int(s, dst))
            return NULL;
        return rec_all_digits(s) ? "integer out of range" : "not an integer";
    case PIPE_K_FLOAT:
        return pipe_parse_float(s, dst) ? NULL : "not a number";
    case PIPE_K_BOOL: {
        PipeStr w = pipe_trim(s);
        if (w.n == 4 && memcmp(w.p, "true", 4) == 0)
            *(bool *)dst = true;
        else if (w.n == 5 && memcmp(w.p, "false", 5) == 0)
            *(bool *)dst = false;
        else
            return "not a bool (true or false)";
        return NULL;
    }
    case PIPE_K_OPT: {
        if (s.n == 0)
            return NULL; /* the field was zeroed: none */
        const char *err = rec_cell_set(t->elem, dst, s);
        if (!err)
            *(bool *)((char *)dst + t->elem->size) = true;
        return err;
    }
    default:
        return "a cell cannot hold this type";
    }
}

/* Whether a cell can fill a field of type t. */
static bool rec_cell_type(const PipeType *t)
{
    if (t->kind == PIPE_K_OPT)
        t = t->elem;
    return t->kind == PIPE_K_STR || t->kind == PIPE_K_INT || t->kind == PIPE_K_FLOAT || t->kind == PIPE_K_BOOL;
}

/* A copy of s on the heap (for options kept by a stage). */
static PipeStr rec_keep(PipeStr s)
{
    PipeStr r = {"", 0};
    if (s.n) {
        char *p = pipe_xmalloc(s.n);
        memcpy(p, s.p, s.n);
        r = (PipeStr){p, s.n};
    }
    return r;
}

static const char rec_bom[3] = {'\xEF', '\xBB', '\xBF'};

/* ------------------------------------------------------------------ csv and tsv */

/* A csv(T) or tsv(T) stage.  cells and pend are reused from row to row; rec
 * is the row's record, emitted by pointer (valid during the push). */
typedef struct CsvNode {
    PipeNode node;
    const PipeType *t;
    char sep;
    bool tsv, header, started, have_header, pending;
    PipeStr comment;
    RecNorms norms;
    int *col_field;     /* column -> field, -1 ignored */
    PipeStr *col_names; /* the header's cells (into hdr_text), for messages */
    char *hdr_text;
    size_t ncols;
    PipeStr *cells;
    size_t cap_cells;
    PipeBuf pend; /* a row whose quoted cell goes on on the next line, */
    int64_t pend_line; /* from this input line, */
    size_t pend_scan;  /* scanned up to here (csv_row_closes), */
    bool pend_inq;     /* which is inside a quoted cell */
    char *rec;
} CsvNode;

/* Room for cell k. */
static void csv_room(CsvNode *c, size_t k)
{
    if (k < c->cap_cells)
        return;
    c->cap_cells = c->cap_cells ? c->cap_cells * 2 : 16;
    c->cells = pipe_xrealloc(c->cells, c->cap_cells * sizeof *c->cells);
}

/* A quoted cell's text [p, p+n) with "" made ", then the bytes after its
 * closing quote [tail, tail+tn) (kept, as Python's csv keeps them), in a. */
static PipeStr csv_unquote(PipeArena *a, const char *p, size_t n, const char *tail, size_t tn)
{
    char *o = pipe_alloc(a, n + tn + 1), *d = o;
    for (size_t i = 0; i < n; i++) {
        *d++ = p[i];
        if (p[i] == '"')
            i++;
    }
    memcpy(d, tail, tn);
    return (PipeStr){o, (size_t)(d - o) + tn};
}

/* Whether i is the end of row s: its end, or a final '\r' (CRLF). */
static inline bool csv_at_end(PipeStr s, size_t i)
{
    return i >= s.n || (i + 1 == s.n && s.p[i] == '\r');
}

/* Splits row s into c->cells by RFC 4180; the number of cells, or -1 when a
 * quoted cell is still open at the end (the row goes on on the next line). */
static long csv_split(CsvNode *c, PipeStr s, PipeArena *a)
{
    const char *p = s.p;
    size_t n = s.n, i = 0, k = 0;
    for (;;) {
        csv_room(c, k);
        PipeStr cell;
        if (i < n && p[i] == '"') {
            size_t start = ++i;
            bool doubled = false;
            for (;;) {
                const char *q = memchr(p + i, '"', n - i);
                if (!q)
                    return -1;
                i = (size_t)(q - p);
                if (i + 1 < n && p[i + 1] == '"') {
                    doubled = true;
                    i += 2;
                    continue;
                }
                break;
            }
            size_t close = i++, tail = i;
            while (i < n && p[i] != c->sep && !csv_at_end(s, i))
                i++;
            cell = (PipeStr){p + start, close - start};
            if (doubled || i > tail)
                cell = csv_unquote(a, p + start, close - start, p + tail, i - tail);
        } else {
            const char *q = memchr(p + i, c->sep, n - i);
            size_t e = q ? (size_t)(q - p) : n, ce = e;
            if (!q && ce > i && p[ce - 1] == '\r')
                ce--;
            cell = (PipeStr){p + i, ce - i};
            i = e;
        }
        c->cells[k++] = cell;
        if (csv_at_end(s, i))
            return (long)k;
        i++;
    }
}

/* A TSV cell with \t, \n, \r and \\ decoded (another \x is kept as it is), in a. */
static PipeStr tsv_unescape(PipeArena *a, PipeStr s)
{
    char *o = pipe_alloc(a, s.n), *d = o;
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if (ch == '\\' && i + 1 < s.n) {
            char e = s.p[i + 1];
            ch = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == '\\' ? '\\' : 0;
            if (ch)
                i++;
            else
                ch = '\\';
        }
        *d++ = ch;
    }
    return (PipeStr){o, (size_t)(d - o)};
}

/* Splits TSV row s (no quoting) into c->cells; the number of cells. */
static long tsv_split(CsvNode *c, PipeStr s, PipeArena *a)
{
    if (s.n && s.p[s.n - 1] == '\r')
        s.n--;
    size_t i = 0, k = 0;
    for (;;) {
        csv_room(c, k);
        const char *q = memchr(s.p + i, '\t', s.n - i);
        size_t e = q ? (size_t)(q - s.p) : s.n;
        PipeStr cell = {s.p + i, e - i};
        if (memchr(cell.p, '\\', cell.n))
            cell = tsv_unescape(a, cell);
        c->cells[k++] = cell;
        if (!q)
            return (long)k;
        i = e + 1;
    }
}

/* The header's names as "a, b, c" for a message, cut to fit out[cap]. */
static void csv_header_list(const CsvNode *c, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->ncols && k + 1 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%.*s", i ? ", " : "", (int)c->col_names[i].n,
                              c->col_names[i].p);
}

/* Takes the header row (ncells cells): maps columns to fields by normalized
 * name, the first of duplicate names winning; a field that is not T? and
 * has no column is an error no policy catches (every row would fail). */
static void csv_header(CsvNode *c, size_t ncells)
{
    size_t len = 0;
    for (size_t i = 0; i < ncells; i++)
        len += c->cells[i].n;
    c->hdr_text = pipe_xmalloc(len + 1);
    c->col_names = pipe_xcalloc(ncells + 1, sizeof *c->col_names);
    c->col_field = pipe_xcalloc(ncells + 1, sizeof *c->col_field);
    c->ncols = ncells;
    const PipeStr *norm = rec_norms_of(&c->norms, c->t);
    char *d = c->hdr_text;
    for (size_t i = 0; i < ncells; i++) {
        memcpy(d, c->cells[i].p, c->cells[i].n);
        c->col_names[i] = (PipeStr){d, c->cells[i].n};
        d += c->cells[i].n;
        int f = rec_field_of(c->t, norm, c->col_names[i]);
        for (size_t j = 0; j < i && f >= 0; j++)
            if (c->col_field[j] == f)
                f = -1;
        c->col_field[i] = f;
    }
    c->have_header = true;
    for (uint32_t f = 0; f < c->t->nfields; f++) {
        bool found = false;
        for (size_t i = 0; i < ncells; i++)
            found |= c->col_field[i] == (int)f;
        if (found || c->t->fields[f]->kind == PIPE_K_OPT)
            continue;
        char list[600], msg[800];
        csv_header_list(c, list, sizeof list);
        snprintf(msg, sizeof msg, "the header has no column for field '%s' (the header: %s)",
                 c->t->field_names[f], list);
        pipe_rt_fail_fatal(c->node.rt, &c->node, msg);
    }
}

/* Names column i (from 0) for a message: its header name, else its field. */
static void csv_col_name(const CsvNode *c, size_t i, char *out, size_t cap)
{
    if (c->header)
        snprintf(out, cap, "column %zu \"%.*s\"", i + 1, (int)c->col_names[i].n, c->col_names[i].p);
    else
        snprintf(out, cap, "column %zu (field %s)", i + 1, c->t->field_names[c->col_field[i]]);
}

/* Fills the record from the row's ncells cells and emits it. */
static void csv_row(CsvNode *c, size_t ncells, PipeStr row)
{
    const PipeType *t = c->t;
    if (ncells > c->ncols) {
        char msg[120];
        snprintf(msg, sizeof msg, "the row has %zu cells, the %s %zu", ncells,
                 c->header ? "header has" : "record has fields for", c->ncols);
        pipe_fail_str(&c->node, msg, row);
    }
    memset(c->rec, 0, t->size);
    PipeStr empty = {"", 0};
    for (size_t i = 0; i < c->ncols; i++) {
        int f = c->col_field[i];
        if (f < 0)
            continue;
        PipeStr cell = i < ncells ? c->cells[i] : empty;
        const char *err = rec_cell_set(t->fields[f], c->rec + t->offsets[f], cell);
        if (RT_UNLIKELY(err != NULL)) {
            char col[200], msg[300];
            csv_col_name(c, i, col, sizeof col);
            snprintf(msg, sizeof msg, "%s: %s", col, err);
            pipe_fail_str(&c->node, msg, cell);
        }
    }
    pipe_emit(&c->node, c->rec);
}

/* Whether the row in c->pend ends with its last line.  Its bytes before
 * c->pend_scan were scanned by an earlier call, which left the state of
 * csv_split there (c->pend_inq: inside a quoted cell); so each byte of a row
 * of many lines is scanned once here, and the row split once when it ends,
 * not split again from its start on every line (quadratic). */
static bool csv_row_closes(CsvNode *c)
{
    const char *p = c->pend.p;
    size_t n = c->pend.len, i = c->pend_scan;
    bool inq = c->pend_inq;
    for (;;) {
        if (inq) { /* "" is a quote; a lone " closes the cell */
            const char *q = i < n ? memchr(p + i, '"', n - i) : NULL;
            if (!q) {
                c->pend_scan = n;
                c->pend_inq = true;
                return false;
            }
            i = (size_t)(q - p) + 1;
            if (i < n && p[i] == '"') {
                i++;
                continue;
            }
        }
        const char *q = i < n ? memchr(p + i, c->sep, n - i) : NULL;
        if (!q)
            return true;
        i = (size_t)(q - p) + 1;
        inq = i < n && p[i] == '"';
        i += inq;
    }
}

/* Whether line is skipped before it is split: a blank line, a comment. */
static bool csv_skipped(const CsvNode *c, PipeStr line)
{
    if (line.n == 0 || (line.n == 1 && line.p[0] == '\r'))
        return true;
    return c->comment.n && pipe_starts_with(line, c->comment);
}

/* Takes the next input line into c's row (a BOM dropped from the first, a
 * line joined to a row whose quoted cell goes on): the number of cells when
 * the row is complete (*line is then its text), -1 when a quoted cell goes
 * on to the next line, -2 for a skipped line.  Shared with pipec schema. */
static long csv_line(CsvNode *c, PipeStr *line, PipeArena *a)
{
    PipeStr s = *line;
    if (!c->started && s.n >= 3 && memcmp(s.p, rec_bom, 3) == 0) {
        s.p += 3;
        s.n -= 3;
    }
    c->started = true;
    if (c->pending) {
        pipe_buf_putc(&c->pend, '\n');
        pipe_buf_put(&c->pend, s.p, s.n);
        if (!csv_row_closes(c))
            return -1; /* still inside the quoted cell: scanned only the new line */
        s = (PipeStr){c->pend.p, c->pend.len};
    } else if (csv_skipped(c, s)) {
        return -2;
    }
    long n = c->tsv ? tsv_split(c, s, a) : csv_split(c, s, a);
    if (n < 0) { /* a quoted cell open at the end: scanned to there, inside it */
        if (!c->pending) {
            c->pend.len = 0;
            pipe_buf_put(&c->pend, s.p, s.n);
            c->pending = true;
        }
        c->pend_scan = c->pend.len;
        c->pend_inq = true;
        return -1;
    }
    c->pending = false;
    *line = s;
    return n;
}

static void csv_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CsvNode *c = (CsvNode *)self;
    PipeStr line = *(const PipeStr *)item;
    bool was_pending = c->pending;
    long n = csv_line(c, &line, pipe_scratch(self->rt));
    if (n < 0) {
        if (n == -1 && !was_pending)
            c->pend_line = self->rt->cur ? self->rt->cur->input_line : 0;
        return;
    }
    if (!c->have_header)
        csv_header(c, (size_t)n);
    else
        csv_row(c, (size_t)n, line);
}

/* The end of input inside a quoted cell is an error naming where the row began. */
static void csv_finish(PipeNode *self)
{
    CsvNode *c = (CsvNode *)self;
    if (c->pending) {
        char msg[120];
        c->pending = false;
        snprintf(msg, sizeof msg, "the input ends inside a quoted cell of the row from line %lld", (long long)c->pend_line);
        pipe_fail_str(self, msg, (PipeStr){c->pend.p, c->pend.len});
    }
}

static void csv_free(PipeNode *self)
{
    CsvNode *c = (CsvNode *)self;
    rec_norms_free(&c->norms);
    if (c->comment.n)
        free((void *)c->comment.p);
    free(c->col_field);
    free(c->col_names);
    free(c->hdr_text);
    free(c->cells);
    free(c->pend.p);
    free(c->rec);
    c->comment = (PipeStr){"", 0};
    c->col_field = NULL;
    c->col_names = NULL;
    c->hdr_text = c->pend.p = c->rec = NULL;
    c->cells = NULL;
}

/* The reader stage common to csv and tsv; a type other than a record of
 * scalars and T? of scalars is an error of the stage. */
static PipeNode *csv_new(PipeRt *rt, PipePos pos, const char *name, const PipeType *t, char sep, bool header,
                         PipeStr comment)
{
    CsvNode *c = (CsvNode *)pipe_node_new(rt, sizeof(CsvNode), name, pos);
    c->node.push = csv_push;
    c->node.finish = csv_finish;
    c->node.free = csv_free;
    c->node.in = &pipe_t_str;
    c->node.out = t;
    c->t = t;
    c->sep = sep;
    c->header = header;
    c->have_header = !header;
    c->comment = rec_keep(comment);
    c->pend = rec_buf_new();
    if (t->kind != PIPE_K_RECORD)
        pipe_fail(&c->node, "the type read must be a record");
    for (uint32_t f = 0; f < t->nfields; f++)
        if (!rec_cell_type(t->fields[f])) {
            char msg[200];
            snprintf(msg, sizeof msg, "field '%s' is not a str, int, float or bool (or T? of one): a cell cannot fill it",
                     t->field_names[f]);
            pipe_fail(&c->node, msg);
        }
    rec_norms_add(&c->norms, t);
    c->rec = pipe_xcalloc(1, t->size ? t->size : 1);
    if (!header) { /* columns in field order */
        c->ncols = t->nfields;
        c->col_field = pipe_xcalloc(t->nfields + 1, sizeof *c->col_field);
        for (uint32_t f = 0; f < t->nfields; f++)
            c->col_field[f] = (int)f;
    }
    return &c->node;
}

PipeNode *pipe_std_csv(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr sep, bool header, PipeStr comment)
{
    PipeNode *n = csv_new(rt, pos, "csv", t, sep.n ? sep.p[0] : ',', header, comment);
    if (sep.n != 1 || sep.p[0] == '"' || sep.p[0] == '\r')
        pipe_fail_str(n, "sep must be one byte, not a quote", sep);
    return n;
}

PipeNode *pipe_std_tsv(PipeRt *rt, PipePos pos, const PipeType *t, bool header, PipeStr comment)
{
    PipeNode *n = csv_new(rt, pos, "tsv", t, '\t', header, comment);
    ((CsvNode *)n)->tsv = true;
    return n;
}

/* ------------------------------------------------------------------ json */

#define JSON_MAX_DEPTH 512

/* One step of the path to the value being read: into an object or array
 * (not shown in messages), then a key or an index. */
enum { JSON_IN, JSON_KEY, JSON_INDEX };
typedef struct JsonStep {
    int kind;
    PipeStr key;
    size_t index;
} JsonStep;

/* The state of reading one line.  On an error, err says what (with at, the
 * byte it is about, or val, the value) and path[0..depth) where. */
typedef struct JsonCtx {
    const char *start, *p, *e;
    PipeArena *a;
    struct JsonNode *j; /* NULL: only checking the syntax */
    int depth;
    const char *err;
    PipeStr val;
    bool syntax; /* err is about the syntax (at p), not a value */
    bool steps;  /* skip values by json_skip's steps only, never json_skim */
    JsonStep path[JSON_MAX_DEPTH];
} JsonCtx;

/* A json(T) stage; maps holds the maps and sets made for the current line,
 * freed at the next one (a map lives on the heap, unlike the arena's lists). */
typedef struct JsonNode {
    PipeNode node;
    const PipeType *t;
    RecNorms norms;
    PipeMap **maps;
    size_t nmaps, cap_maps;
    bool started;
    char *val;
    JsonCtx ctx;
} JsonNode;

static bool json_syntax(JsonCtx *x, const char *what)
{
    x->err = what;
    x->syntax = true;
    return false;
}

static inline void json_ws(JsonCtx *x)
{
    while (x->p < x->e && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
        x->p++;
}

/* Whether the text at p is the literal word w; consumes it. */
static bool json_word(JsonCtx *x, const char *w, size_t n)
{
    if ((size_t)(x->e - x->p) < n || memcmp(x->p, w, n) != 0)
        return json_syntax(x, "not a JSON value");
    x->p += n;
    return true;
}

/* A number by RFC 8259's grammar: its text in *s; *integral when it has no
 * fraction and no exponent. */
static bool json_number(JsonCtx *x, PipeStr *s, bool *integral)
{
    const char *p = x->p, *e = x->e, *b = p;
    if (p < e && *p == '-')
        p++;
    if (p < e && *p == '0')
        p++;
    else if (p < e && *p >= '1' && *p <= '9')
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    else
        return json_syntax(x, "not a JSON value");
    *integral = true;
    if (p < e && *p == '.') {
        *integral = false;
        if (++p >= e || *p < '0' || *p > '9')
            return x->p = p, json_syntax(x, "expected a digit after '.'");
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        *integral = false;
        if (++p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return x->p = p, json_syntax(x, "expected a digit in the exponent");
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    *s = (PipeStr){b, (size_t)(p - b)};
    x->p = p;
    return true;
}

/* The value of the 4 hex digits at p, or -1. */
static long json_hex4(const char *p, const char *e)
{
    long v = 0;
    if (e - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}


/* The escape \u at p (p at 'u'): its code point, a surrogate pair joined, a
 * lone surrogate as U+FFFD; *p after it.  -1 on bad hex digits. */
static long json_uescape(const char **pp, const char *e)
{
    const char *p = *pp;
    long u = json_hex4(p + 1, e);
    if (u < 0)
        return -1;
    p += 5;
    if (u >= 0xD800 && u < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        long lo = json_hex4(p + 2, e);
        if (lo >= 0xDC00 && lo < 0xE000) {
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
    }
    *pp = p;
    return u >= 0xD800 && u < 0xE000 ? 0xFFFD : u;
}

/* Decodes the escapes of string body [p, e) into a (it is checked already;
 * UTF-8 is never longer than the escape it comes from). */
static PipeStr json_unescape(PipeArena *a, const char *p, const char *e)
{
    char *o = pipe_alloc(a, (size_t)(e - p)), *d = o;
    while (p < e) {
        if (*p != '\\') {
            *d++ = *p++;
            continue;
        }
        char c = p[1];
        if (c == 'u') {
            p++;
            long u = json_uescape(&p, e);
            d = pipe_utf8_put(d, (uint32_t)u);
            continue;
        }
        *d++ = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
        p += 2;
    }
    return (PipeStr){o, (size_t)(d - o)};
}

/* A string (x->p at its '"'): its bytes in *s, a slice of the line when it
 * has no escape, else decoded into the arena (when a is not NULL). */
/* The first '"', '\\' or control byte at or after p (or e): eight bytes
 * at a time while none of the eight is one (the has-zero-byte test on the
 * bytes xor '"' and xor '\\', and its less-than form for bytes below 0x20). */
static const char *json_plain_end(const char *p, const char *e)
{
#if defined(__SSE2__)
    /* sixteen at a time: '"' and '\\' by equality, control bytes as those
     * whose unsigned max with 0x1F is 0x1F */
    const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
    while (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (e - p >= 8) {
        uint64_t w, q, b;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs)
            break;
        p += 8;
    }
    while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

static bool json_string(JsonCtx *x, PipeStr *s, PipeArena *a)
{
    const char *p = ++x->p, *e = x->e, *b = p;
    bool esc = false;
    for (;;) {
        p = json_plain_end(p, e);
        if (p >= e)
            return x->p = p, json_syntax(x, "unterminated string");
        if (*p == '"')
            break;
        if ((unsigned char)*p < 0x20)
            return x->p = p, json_syntax(x, "control character in a string");
        esc = true;
        if (p + 1 >= e || !strchr("\"\\/bfnrtu", p[1]) || p[1] == 0)
            return x->p = p, json_syntax(x, "bad escape in a string");
        if (p[1] == 'u') {
            const char *q = p + 1;
            if (json_uescape(&q, e) < 0)
                return x->p = p, json_syntax(x, "bad \\u escape in a string");
            p = q;
        } else {
            p += 2;
        }
    }
    x->p = p + 1;
    *s = (PipeStr){b, (size_t)(p - b)};
    if (esc && a)
        *s = json_unescape(a, b, p);
    return true;
}

static bool json_skip(JsonCtx *x);

/* Skips the members of an object or the items of an array (x->p after its
 * opener), checking their syntax. */
static bool json_skip_seq(JsonCtx *x, char close)
{
    json_ws(x);
    if (x->p < x->e && *x->p == close)
        return x->p++, true;
    for (;;) {
        json_ws(x);
        if (close == '}') {
            PipeStr k;
            if (x->p >= x->e || *x->p != '"')
                return json_syntax(x, "expected a key in quotes");
            if (!json_string(x, &k, NULL))
                return false;
            json_ws(x);
            if (x->p >= x->e || *x->p != ':')
                return json_syntax(x, "expected ':' after a key");
            x->p++;
        }
        if (!json_skip(x))
            return false;
        json_ws(x);
        if (x->p < x->e && *x->p == ',') {
            x->p++;
            continue;
        }
        if (x->p < x->e && *x->p == close)
            return x->p++, true;
        return json_syntax(x, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* ---- skimming: the values json(T) has no field for, checked at speed */

static inline const char *skim_ws(const char *p, const char *e)
{
    while (p < e && (unsigned char)*p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static inline bool skim_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The end of the string whose body starts at p (after its closing quote),
 * or NULL when it is not a valid JSON string. */
static inline const char *skim_string(const char *p, const char *e)
{
    for (;;) {
        p = json_plain_end(p, e);
        if (p >= e || (unsigned char)*p < 0x20)
            return NULL;
        if (*p == '"')
            return p + 1;
        if (p + 1 >= e)
            return NULL;
        char c = p[1];
        if (c == 'u') {
            if (e - p < 6 || !skim_hex(p[2]) || !skim_hex(p[3]) || !skim_hex(p[4]) || !skim_hex(p[5]))
                return NULL;
            p += 6;
        } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
            p += 2;
        } else {
            return NULL;
        }
    }
}

static inline const char *skim_digits(const char *p, const char *e)
{
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    return p;
}

/* The end of the number at p (RFC 8259's grammar), or NULL. */
static inline const char *skim_number(const char *p, const char *e)
{
    if (p < e && *p == '-')
        p++;
    if (p < e && *p == '0')
        p++;
    else if (p < e && *p >= '1' && *p <= '9')
        p = skim_digits(p + 1, e);
    else
        return NULL;
    if (p < e && *p == '.') {
        if (++p >= e || *p < '0' || *p > '9')
            return NULL;
        p = skim_digits(p, e);
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        if (++p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return NULL;
        p = skim_digits(p, e);
    }
    return p;
}

/* The end of the value at p (blanks before it allowed), checked as
 * json_skip checks it, or NULL when it is not valid or nests deeper than
 * 64: json_skip then goes over it again, to say what is wrong.  One loop
 * over the bytes with the open objects and arrays as bits of a word (1: an
 * object), where json_skip recurses and keeps its place in the context. */
static const char *json_skim(const char *p, const char *e)
{
    uint64_t open = 0;
    int depth = 0;
value:
    p = skim_ws(p, e);
    if (p >= e)
        return NULL;
    switch (*p) {
    case '"':
        if (!(p = skim_string(p + 1, e)))
            return NULL;
        break;
    case 't':
    case 'f':
    case 'n': {
        const char *w = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
        size_t n = *p == 'f' ? 5 : 4;
        if ((size_t)(e - p) < n || memcmp(p, w, n) != 0)
            return NULL;
        p += n;
        break;
    }
    case '{':
    case '[': {
        if (depth == 64)
            return NULL;
        bool obj = *p == '{';
        open = open << 1 | obj;
        depth++;
        p = skim_ws(p + 1, e);
        if (p < e && *p == (obj ? '}' : ']')) {
            p++;
            open >>= 1;
            depth--;
            break;
        }
        if (obj)
            goto key;
        goto value;
    }
    default:
        if (!(p = skim_number(p, e)))
            return NULL;
        break;
    }
    /* after a value */
    while (depth > 0) {
        p = skim_ws(p, e);
        if (p >= e)
            return NULL;
        bool obj = open & 1;
        if (*p == ',') {
            p = skim_ws(p + 1, e);
            if (obj)
                goto key;
            goto value;
        }
        if (*p != (obj ? '}' : ']'))
            return NULL;
        p++;
        open >>= 1;
        depth--;
    }
    return p;
key:
    if (p >= e || *p != '"' || !(p = skim_string(p + 1, e)))
        return NULL;
    p = skim_ws(p, e);
    if (p >= e || *p != ':')
        return NULL;
    p++;
    goto value;
}

/* Skips one value (with blanks before it), checking its syntax. */
static bool json_skip(JsonCtx *x)
{
    const char *end = !x->steps && x->depth + 64 <= JSON_MAX_DEPTH ? json_skim(x->p, x->e) : NULL;
    if (end) {
        x->p = end;
        return true;
    }
    json_ws(x);
    if (x->p >= x->e)
        return json_syntax(x, "expected a value");
    PipeStr s;
    bool integral;
    switch (*x->p) {
    case '"': return json_string(x, &s, NULL);
    case 't': return json_word(x, "true", 4);
    case 'f': return json_word(x, "false", 5);
    case 'n': return json_word(x, "null", 4);
    case '{':
    case '[': {
        if (x->depth >= JSON_MAX_DEPTH)
            return json_syntax(x, "nested too deep");
        char close = *x->p == '{' ? '}' : ']';
        x->p++;
        x->depth++;
        bool ok = json_skip_seq(x, close);
        x->depth--;
        return ok;
    }
    default: return json_number(x, &s, &integral);
    }
}

/* Whether text is exactly one JSON value (RFC 8259), blanks around it
 * allowed: by json_skim and json_skip as json(T) checks what it skips, or
 * (steps) by json_skip's own steps only, which the tests hold json_skim to. */
static bool json_check(PipeStr text, bool steps, char *err, size_t errlen)
{
    JsonCtx *x = pipe_xcalloc(1, sizeof *x);
    x->start = x->p = text.p;
    x->e = text.p + text.n;
    x->steps = steps;
    bool ok = json_skip(x);
    json_ws(x);
    if (ok && x->p < x->e)
        ok = json_syntax(x, "unexpected text after the value");
    if (!ok && err && errlen)
        snprintf(err, errlen, "%s at byte %zu", x->err, (size_t)(x->p - x->start) + 1);
    free(x);
    return ok;
}

bool pipe_json_check(PipeStr text, char *err, size_t errlen)
{
    return json_check(text, false, err, errlen);
}

bool pipe_json_check_steps(PipeStr text, char *err, size_t errlen)
{
    return json_check(text, true, err, errlen);
}

/* ------------------------------------------------------------------ json into typed values */

static bool json_value(JsonCtx *x, const PipeType *t, void *dst);

/* What a value of t is called in a message. */
static const char *json_kind(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_STR: return "expected a string";
    case PIPE_K_INT: return "expected an integer";
    case PIPE_K_FLOAT: return "expected a number";
    case PIPE_K_BOOL: return "expected true or false";
    case PIPE_K_RECORD:
    case PIPE_K_MAP: return "expected an object";
    default: return "expected an array";
    }
}

/* A value error: what, about the value text [b, x->p). */
static bool json_bad(JsonCtx *x, const char *what, const char *b)
{
    x->err = what;
    x->val = (PipeStr){b, (size_t)(x->p - b)};
    return false;
}

/* The value at x->p is not of type t: skipped (a syntax error first), then
 * an error naming it. */
static bool json_mismatch(JsonCtx *x, const PipeType *t)
{
    const char *b = x->p;
    if (!json_skip(x))
        return false;
    return json_bad(x, *b == 'n' && b[1] == 'u' ? "null for a field that is not optional (T?)" : json_kind(t), b);
}

/* Enters a path step (kind JSON_*: key, index i); false when nested too deep. */
static bool json_enter(JsonCtx *x, int kind, PipeStr key, size_t i)
{
    if (x->depth >= JSON_MAX_DEPTH)
        return json_syntax(x, "nested too deep");
    x->path[x->depth++] = (JsonStep){kind, key, i};
    return true;
}

/* After a member or item: ',' (true, *more) or the closer (true, !*more). */
static bool json_next(JsonCtx *x, char close, bool *more)
{
    json_ws(x);
    if (x->p < x->e && (*x->p == ',' || *x->p == close)) {
        *more = *x->p++ == ',';
        return true;
    }
    return json_syntax(x, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

/* Reads `"key":` (blanks around) into *k; false on a syntax error. */
static bool json_key(JsonCtx *x, PipeStr *k)
{
    json_ws(x);
    if (x->p >= x->e || *x->p != '"')
        return json_syntax(x, "expected a key in quotes");
    if (!json_string(x, k, x->a))
        return false;
    json_ws(x);
    if (x->p >= x->e || *x->p != ':')
        return json_syntax(x, "expected ':' after a key");
    x->p++;
    return true;
}

/* Whether the object or array at x->p (its opener) is empty: consumes it then. */
static bool json_empty(JsonCtx *x, char close)
{
    x->p++;
    json_ws(x);
    if (x->p < x->e && *x->p == close) {
        x->p++;
        return true;
    }
    return false;
}

/* Whether the n bytes at a and b are equal: short keys compared inline, in
 * words (a call to memcmp costs more than the compare). */
static inline bool json_same(const char *a, const char *b, size_t n)
{
    uint64_t u, v;
    if (n >= 8) {
        for (size_t i = 0; i + 8 <= n; i += 8) {
            memcpy(&u, a + i, 8);
            memcpy(&v, b + i, 8);
            if (u != v)
                return false;
        }
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Whether the key at x->p is g's, written without escapes (`"key"`):
 * consumed then, its bytes in *k.  The keys of JSON Lines come in the same
 * order line after line, so a key is most often the one that followed the
 * previous key last time, and this compare replaces scanning, hashing and
 * looking it up (a line without one key misses once, not at every key after). */
static inline bool json_key_guessed(JsonCtx *x, const KeySlot *g, PipeStr *k)
{
    const char *p = x->p;
    if (!g || !g->raw || (size_t)(x->e - p) < g->len + 2 || p[0] != '"' || p[g->len + 1] != '"' ||
        !json_same(p + 1, g->key, g->len))
        return false;
    *k = (PipeStr){p + 1, g->len};
    x->p = p + g->len + 2;
    return true;
}

/* Reads the next member's key (blanks around, and its ':') and finds its
 * field of record r (-1: none), *exact when by the field's exact name;
 * *prev is the slot of the object's previous key (NULL before the first),
 * then this key's. */
static bool json_member(JsonCtx *x, RecNorm *r, KeySlot **prev, PipeStr *k, int *f, bool *exact)
{
    json_ws(x);
    KeySlot *g = *prev ? (*prev)->next : r->first;
    if (json_key_guessed(x, g, k)) {
        *f = g->field;
        *exact = g->exact;
    } else {
        if (x->p >= x->e || *x->p != '"')
            return json_syntax(x, "expected a key in quotes");
        if (!json_string(x, k, x->a))
            return false;
        *f = rec_field_keyed(r, *k, &g);
        *exact = g ? g->exact : rec_key_exact(r->t, *f, *k);
        if (*prev)
            (*prev)->next = g;
        else
            r->first = g;
    }
    *prev = g;
    json_ws(x);
    if (x->p >= x->e || *x->p != ':')
        return json_syntax(x, "expected ':' after a key");
    x->p++;
    return true;
}

/* An object into record t: members by key (exact, else normalized), other
 * keys skipped; of keys for the same field, one with its exact name wins
 * over those matched by normalizing, else the last wins; a key missing for a
 * field that is not T? is an error. */
static bool json_record(JsonCtx *x, const PipeType *t, char *dst)
{
    const char *b = x->p;
    memset(dst, 0, t->size);
    /* per field: 0 not seen, 1 by a normalized key, 2 by its exact name */
    unsigned char *seen = pipe_alloc(x->a, t->nfields + 1);
    bool more = !json_empty(x, '}');
    memset(seen, 0, t->nfields + 1);
    RecNorm *norm = rec_norm_entry(&x->j->norms, t);
    KeySlot *prev = NULL;
    while (more) {
        PipeStr k;
        int f;
        bool exact;
        if (!json_member(x, norm, &prev, &k, &f, &exact))
            return false;
        if (f >= 0 && seen[f] == 2 && !exact)
            f = -1;
        if (f < 0 ? !json_skip(x) : !json_enter(x, JSON_KEY, k, 0) || !json_value(x, t->fields[f], dst + t->offsets[f]))
            return false;
        if (f >= 0) {
            x->depth--;
            seen[f] = exact ? 2 : 1;
        }
        if (!json_next(x, '}', &more))
            return false;
    }
    for (uint32_t f = 0; f < t->nfields; f++)
        if (!seen[f] && t->fields[f]->kind != PIPE_K_OPT) {
            char *msg = pipe_alloc(x->a, 300);
            snprintf(msg, 300, "no key '%s' (a field that is not optional)", t->field_names[f]);
            return json_bad(x, msg, b);
        }
    return true;
}

/* A new map or set that the stage frees at its next line. */
static PipeMap *json_map_new(JsonCtx *x, const PipeType *k, const PipeType *v)
{
    JsonNode *j = x->j;
    if (j->nmaps == j->cap_maps) {
        j->cap_maps = j->cap_maps ? j->cap_maps * 2 : 8;
        j->maps = pipe_xrealloc(j->maps, j->cap_maps * sizeof *j->maps);
    }
    PipeMap *m = pipe_map_new(k, v);
    j->maps[j->nmaps++] = m;
    return m;
}

/* Puts the value tmp (of t->val, in the arena) at key k of map m, replacing
 * the value of a duplicate key. */
static void json_map_put(const PipeType *t, PipeMap *m, const PipeStr *k, void *tmp)
{
    bool created;
    void *slot = pipe_map_upsert(m, k, &created);
    if (!created)
        pipe_drop(t->val, slot);
    pipe_clone(t->val, slot, tmp, NULL);
}

/* An object into a {str: V} map, in the order of its keys. */
static bool json_map(JsonCtx *x, const PipeType *t, void *dst)
{
    PipeMap *m = json_map_new(x, t->elem, t->val);
    *(PipeMap **)dst = m;
    void *tmp = pipe_alloc(x->a, t->val->size);
    bool more = !json_empty(x, '}');
    while (more) {
        PipeStr k;
        if (!json_key(x, &k) || !json_enter(x, JSON_KEY, k, 0))
            return false;
        memset(tmp, 0, t->val->size);
        if (!json_value(x, t->val, tmp))
            return false;
        x->depth--;
        json_map_put(t, m, &k, tmp);
        if (!json_next(x, '}', &more))
            return false;
    }
    return true;
}

/* The slot of item i of an array read into t (a list, set or tuple); NULL
 * for a tuple with fewer fields. */
static void *json_slot(const PipeType *t, void *dst, void *tmp, size_t i)
{
    if (t->kind == PIPE_K_LIST)
        return pipe_list_push(*(PipeList **)dst);
    if (t->kind == PIPE_K_SET)
        return memset(tmp, 0, t->elem->size);
    return i < t->nfields ? (char *)dst + t->offsets[i] : NULL;
}

/* An array into a list, a set (duplicates once) or a tuple (exactly its
 * number of items). */
static bool json_array(JsonCtx *x, const PipeType *t, void *dst)
{
    const char *b = x->p;
    void *tmp = NULL;
    if (t->kind == PIPE_K_LIST)
        *(PipeList **)dst = pipe_list_new(x->a, t->elem->size, 4);
    if (t->kind == PIPE_K_SET) {
        *(PipeMap **)dst = json_map_new(x, t->elem, NULL);
        tmp = pipe_alloc(x->a, t->elem->size);
    }
    if (t->kind == PIPE_K_TUPLE)
        memset(dst, 0, t->size);
    size_t i = 0;
    bool more = !json_empty(x, ']');
    for (; more; i++) {
        void *slot = json_slot(t, dst, tmp, i);
        if (!slot) { /* a tuple's extra items: skipped to name the whole array */
            if (!json_skip_seq(x, ']'))
                return false;
            i++;
            break;
        }
        if (!json_enter(x, JSON_INDEX, (PipeStr){NULL, 0}, i) || !json_value(x, t->kind == PIPE_K_TUPLE ? t->fields[i] : t->elem, slot))
            return false;
        x->depth--;
        if (t->kind == PIPE_K_SET)
            pipe_map_upsert(*(PipeMap **)dst, tmp, NULL);
        if (!json_next(x, ']', &more))
            return false;
    }
    if (t->kind == PIPE_K_TUPLE && i != t->nfields) {
        char *msg = pipe_alloc(x->a, 60);
        snprintf(msg, 60, "expected an array of %u items", t->nfields);
        return json_bad(x, msg, b);
    }
    return true;
}

/* A number into an int (no fraction, no exponent, within 64 bits) or a float. */
static bool json_num_into(JsonCtx *x, const PipeType *t, void *dst)
{
    PipeStr s;
    bool integral;
    const char *b = x->p;
    if (!json_number(x, &s, &integral))
        return false;
    if (t->kind == PIPE_K_FLOAT)
        return pipe_parse_float(s, dst) || json_bad(x, "not a number", b);
    if (!integral)
        return json_bad(x, "not an integer", b);
    return pipe_parse_int(s, dst) || json_bad(x, "integer out of range", b);
}

/* One value (blanks before it) into dst, of type t. */
static bool json_value(JsonCtx *x, const PipeType *t, void *dst)
{
    json_ws(x);
    if (x->p >= x->e)
        return json_syntax(x, "expected a value");
    char c = *x->p;
    if (t->kind == PIPE_K_OPT) {
        memset(dst, 0, t->size);
        if (c == 'n')
            return json_word(x, "null", 4);
        if (!json_value(x, t->elem, dst))
            return false;
        *(bool *)((char *)dst + t->elem->size) = true;
        return true;
    }
    bool num = c == '-' || (c >= '0' && c <= '9');
    switch (t->kind) {
    case PIPE_K_STR:
        if (c == '"')
            return json_string(x, dst, x->a);
        break;
    case PIPE_K_INT:
    case PIPE_K_FLOAT:
        if (num)
            return json_num_into(x, t, dst);
        break;
    case PIPE_K_BOOL:
        if (c == 't' || c == 'f') {
            *(bool *)dst = c == 't';
            return c == 't' ? json_word(x, "true", 4) : json_word(x, "false", 5);
        }
        break;
    case PIPE_K_RECORD:
        if (c == '{')
            return json_enter(x, JSON_IN, (PipeStr){NULL, 0}, 0) && json_record(x, t, dst) && (x->depth--, true);
        break;
    case PIPE_K_MAP:
        if (c == '{')
            return json_enter(x, JSON_IN, (PipeStr){NULL, 0}, 0) && json_map(x, t, dst) && (x->depth--, true);
        break;
    default:
        if (c == '[')
            return json_enter(x, JSON_IN, (PipeStr){NULL, 0}, 0) && json_array(x, t, dst) && (x->depth--, true);
        break;
    }
    return json_mismatch(x, t);
}

/* Whether key is written bare in a path: a letter or _, then letters,
 * digits and _ (what jq writes as .key). */
static bool json_plain_key(PipeStr key)
{
    if (key.n == 0 || (key.p[0] >= '0' && key.p[0] <= '9'))
        return false;
    for (size_t i = 0; i < key.n; i++) {
        unsigned char c = (unsigned char)key.p[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* Writes the path of x's error (`.items[2].name`, `.` for the line's value;
 * a key that is not plain as a JSON string, `."a b"`, as jq writes it) into
 * out[cap], cut to fit. */
static void json_path(const JsonCtx *x, char *out, size_t cap)
{
    PipeBuf b = {out, 0, cap - 1, pipe_buf_cut};
    for (int i = 0; i < x->depth; i++) {
        const JsonStep *s = &x->path[i];
        if (s->kind == JSON_KEY) {
            PipeStr k = {s->key.p, s->key.n > 100 ? 100 : s->key.n};
            pipe_buf_putc(&b, '.');
            if (json_plain_key(s->key))
                pipe_buf_put(&b, k.p, k.n);
            else
                pipe_buf_json(&b, k.p, k.n);
        } else if (s->kind == JSON_INDEX) {
            char t[32];
            pipe_buf_put(&b, t, (size_t)snprintf(t, sizeof t, "[%zu]", s->index));
        }
    }
    if (b.len == 0)
        pipe_buf_putc(&b, '.');
    out[b.len] = '\0';
}

/* Reports x's error as the stage's runtime error: a syntax error names the
 * byte and shows the line; a value error names the key path and the value. */
static _Noreturn void json_fail(JsonNode *j, PipeStr line)
{
    JsonCtx *x = &j->ctx;
    char path[400], msg[600];
    if (x->syntax) {
        snprintf(msg, sizeof msg, "not JSON: %s at byte %zu", x->err, (size_t)(x->p - x->start) + 1);
        pipe_fail_str(&j->node, msg, line);
    }
    /* the value as the line has it (JSON text: a string keeps its quotes, so
     * "7" and 7 differ), cut after 200 bytes */
    json_path(x, path, sizeof path);
    int n = x->val.n > 200 ? 200 : (int)x->val.n;
    snprintf(msg, sizeof msg, "at %s: %s, found %.*s%s", path, x->err, n, x->val.p, x->val.n > 200 ? "..." : "");
    pipe_fail(&j->node, msg);
}

/* Frees the maps and sets of the previous line. */
static void json_drop_maps(JsonNode *j)
{
    for (size_t i = 0; i < j->nmaps; i++)
        pipe_map_free(j->maps[i]);
    j->nmaps = 0;
}

/* Whether line holds only JSON blanks (a blank line of JSON Lines is skipped). */
static bool json_blank(PipeStr line)
{
    for (size_t i = 0; i < line.n; i++)
        if (line.p[i] != ' ' && line.p[i] != '\t' && line.p[i] != '\r')
            return false;
    return true;
}

static void json_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    JsonNode *j = (JsonNode *)self;
    PipeStr line = *(const PipeStr *)item;
    json_drop_maps(j);
    if (!j->started && line.n >= 3 && memcmp(line.p, rec_bom, 3) == 0) {
        line.p += 3;
        line.n -= 3;
    }
    j->started = true;
    if (json_blank(line))
        return;
    JsonCtx *x = &j->ctx;
    x->start = x->p = line.p;
    x->e = line.p + line.n;
    x->a = pipe_scratch(self->rt);
    x->depth = 0;
    x->syntax = false;
    bool ok = json_value(x, j->t, j->val);
    json_ws(x);
    if (ok && x->p < x->e)
        ok = json_syntax(x, "unexpected text after the value");
    if (RT_UNLIKELY(!ok))
        json_fail(j, line);
    pipe_emit(self, j->val);
}

static void json_free(PipeNode *self)
{
    JsonNode *j = (JsonNode *)self;
    json_drop_maps(j);
    free(j->maps);
    free(j->val);
    rec_norms_free(&j->norms);
    j->maps = NULL;
    j->val = NULL;
}

/* Whether JSON can fill a value of t: maps need str keys. */
static bool json_readable(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_MAP: return t->elem->kind == PIPE_K_STR && json_readable(t->val);
    case PIPE_K_OPT:
    case PIPE_K_LIST:
    case PIPE_K_SET: return json_readable(t->elem);
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!json_readable(t->fields[i]))
                return false;
        return true;
    default: return true;
    }
}

PipeNode *pipe_std_json(PipeRt *rt, PipePos pos, const PipeType *t)
{
    JsonNode *j = (JsonNode *)pipe_node_new(rt, sizeof(JsonNode), "json", pos);
    j->node.push = json_push;
    j->node.free = json_free;
    j->node.in = &pipe_t_str;
    j->node.out = t;
    j->t = t;
    j->ctx.j = j;
    j->val = pipe_xcalloc(1, t->size ? t->size : 1);
    rec_norms_add(&j->norms, t);
    if (!json_readable(t))
        pipe_fail(&j->node, "a map read from JSON must have str keys");
    return &j->node;
}

/* ------------------------------------------------------------------ writers */

enum { OUT_CSV, OUT_TSV, OUT_JSON };

/* A to_csv, to_tsv or to_json stage: line is the text of the item being
 * written, cell a cell's text before quoting; both reused. */
typedef struct RecOut {
    PipeNode node;
    const PipeType *t;
    int fmt;
    bool header_done;
    PipeBuf line, cell;
} RecOut;

static void json_put(RecOut *o, PipeBuf *b, const PipeType *t, const void *v);

/* Appends the entries of map or set m as an object or an array. */
static void json_put_map(RecOut *o, PipeBuf *b, const PipeType *t, PipeMap *m)
{
    bool obj = t->kind == PIPE_K_MAP;
    void *k, *x;
    size_t n = 0;
    pipe_buf_putc(b, obj ? '{' : '[');
    for (size_t i = 0; m && pipe_map_next(m, &i, &k, &x); n++) {
        if (n)
            pipe_buf_putc(b, ',');
        if (!obj) {
            json_put(o, b, t->elem, k);
            continue;
        }
        o->cell.len = 0; /* a key that is not a str: its text */
        if (t->elem->kind != PIPE_K_STR)
            pipe_buf_value(&o->cell, t->elem, k);
        PipeStr ks = t->elem->kind == PIPE_K_STR ? *(const PipeStr *)k : (PipeStr){o->cell.p, o->cell.len};
        pipe_buf_json(b, ks.p, ks.n);
        pipe_buf_putc(b, ':');
        json_put(o, b, t->val, x);
    }
    pipe_buf_putc(b, obj ? '}' : ']');
}

/* Appends the fields of a record (an object) or a tuple (an array). */
static void json_put_fields(RecOut *o, PipeBuf *b, const PipeType *t, const char *v)
{
    bool obj = t->kind == PIPE_K_RECORD;
    pipe_buf_putc(b, obj ? '{' : '[');
    for (uint32_t i = 0; i < t->nfields; i++) {
        if (i)
            pipe_buf_putc(b, ',');
        if (obj) {
            pipe_buf_json(b, t->field_names[i], strlen(t->field_names[i]));
            pipe_buf_putc(b, ':');
        }
        json_put(o, b, t->fields[i], v + t->offsets[i]);
    }
    pipe_buf_putc(b, obj ? '}' : ']');
}

/* Appends v as JSON: NaN and infinities as null (JSON has no such numbers). */
static void json_put(RecOut *o, PipeBuf *b, const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: pipe_buf_json(b, ((const PipeStr *)v)->p, ((const PipeStr *)v)->n); return;
    case PIPE_K_FLOAT: {
        double d = *(const double *)v;
        if (d != d || d - d != 0) {
            pipe_buf_put(b, "null", 4);
            return;
        }
        pipe_buf_value(b, t, v);
        return;
    }
    case PIPE_K_OPT:
        if (pipe_opt_some(t, v))
            json_put(o, b, t->elem, v);
        else
            pipe_buf_put(b, "null", 4);
        return;
    case PIPE_K_RECORD:
    case PIPE_K_TUPLE: json_put_fields(o, b, t, v); return;
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)v;
        pipe_buf_putc(b, '[');
        for (size_t i = 0; l && i < l->len; i++) {
            if (i)
                pipe_buf_putc(b, ',');
            json_put(o, b, t->elem, (const char *)l->data + i * t->elem->size);
        }
        pipe_buf_putc(b, ']');
        return;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET: json_put_map(o, b, t, *(PipeMap *const *)v); return;
    default: pipe_buf_value(b, t, v); return;
    }
}

/* Appends cell s to the line: TSV escapes \t \n \r \\; CSV quotes a cell
 * holding the separator, a quote or a line break (alone is set for a row of
 * one cell, where an empty cell is written "" so that the row is not blank). */
static void recout_cell(RecOut *o, PipeStr s, bool alone)
{
    PipeBuf *b = &o->line;
    if (o->fmt == OUT_TSV) {
        for (size_t i = 0; i < s.n; i++) {
            char c = s.p[i];
            const char *esc = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\\' ? "\\\\" : NULL;
            if (esc)
                pipe_buf_put(b, esc, 2);
            else
                pipe_buf_putc(b, c);
        }
        return;
    }
    bool quote = alone && s.n == 0;
    for (size_t i = 0; i < s.n && !quote; i++)
        quote = s.p[i] == ',' || s.p[i] == '"' || s.p[i] == '\n' || s.p[i] == '\r';
    if (!quote) {
        pipe_buf_put(b, s.p, s.n);
        return;
    }
    pipe_buf_putc(b, '"');
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '"')
            pipe_buf_putc(b, '"');
        pipe_buf_putc(b, s.p[i]);
    }
    pipe_buf_putc(b, '"');
}

/* Appends value v of t as one cell (a str as it is, none empty, another
 * value as a sink prints it). */
static void recout_value_cell(RecOut *o, const PipeType *t, const void *v, bool alone)
{
    if (t->kind == PIPE_K_OPT && !pipe_opt_some(t, v)) {
        recout_cell(o, (PipeStr){"", 0}, alone);
        return;
    }
    if (t->kind == PIPE_K_OPT)
        t = t->elem;
    if (t->kind == PIPE_K_STR) {
        recout_cell(o, *(const PipeStr *)v, alone);
        return;
    }
    o->cell.len = 0;
    pipe_buf_value(&o->cell, t, v);
    recout_cell(o, (PipeStr){o->cell.p, o->cell.len}, alone);
}

/* Emits the line built in o->line. */
static void recout_emit(RecOut *o)
{
    PipeStr s = {o->line.len ? o->line.p : "", o->line.len};
    pipe_emit(&o->node, &s);
}

/* Emits the header line of a record type: its field names. */
static void recout_header(RecOut *o)
{
    const PipeType *t = o->t;
    o->header_done = true;
    if (t->kind != PIPE_K_RECORD || o->fmt == OUT_JSON)
        return;
    o->line.len = 0;
    for (uint32_t i = 0; i < t->nfields; i++) {
        if (i)
            pipe_buf_putc(&o->line, o->fmt == OUT_TSV ? '\t' : ',');
        recout_cell(o, (PipeStr){t->field_names[i], strlen(t->field_names[i])}, t->nfields == 1);
    }
    recout_emit(o);
}

static void recout_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    RecOut *o = (RecOut *)self;
    const PipeType *t = o->t;
    if (!o->header_done)
        recout_header(o);
    o->line.len = 0;
    if (o->fmt == OUT_JSON) {
        json_put(o, &o->line, t, item);
    } else if (t->kind == PIPE_K_RECORD || t->kind == PIPE_K_TUPLE) {
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i)
                pipe_buf_putc(&o->line, o->fmt == OUT_TSV ? '\t' : ',');
            recout_value_cell(o, t->fields[i], (const char *)item + t->offsets[i], t->nfields == 1);
        }
    } else {
        recout_value_cell(o, t, item, true);
    }
    recout_emit(o);
}

/* An empty input still gets its header line. */
static void recout_finish(PipeNode *self)
{
    RecOut *o = (RecOut *)self;
    if (!o->header_done)
        recout_header(o);
}

static void recout_free(PipeNode *self)
{
    RecOut *o = (RecOut *)self;
    free(o->line.p);
    free(o->cell.p);
    o->line.p = o->cell.p = NULL;
}

static PipeNode *recout_new(PipeRt *rt, PipePos pos, const char *name, const PipeType *t, int fmt)
{
    RecOut *o = (RecOut *)pipe_node_new(rt, sizeof(RecOut), name, pos);
    o->node.push = recout_push;
    o->node.finish = recout_finish;
    o->node.free = recout_free;
    o->node.in = t;
    o->node.out = &pipe_t_str;
    o->t = t;
    o->fmt = fmt;
    o->line = rec_buf_new();
    o->cell = rec_buf_new();
    return &o->node;
}

PipeNode *pipe_std_to_csv(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return recout_new(rt, pos, "to_csv", t, OUT_CSV);
}

PipeNode *pipe_std_to_tsv(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return recout_new(rt, pos, "to_tsv", t, OUT_TSV);
}

PipeNode *pipe_std_to_json(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return recout_new(rt, pos, "to_json", t, OUT_JSON);
}

/* ------------------------------------------------------------------ for pipec schema */

/* What `pipec schema` (compiler/schema.c) infers a record from: the readers'
 * own splitting, name matching and conversions, so that the record it prints
 * reads the file back. */

struct PipeCsvRows {
    CsvNode c; /* only its splitting state: no stage, no run */
};

PipeCsvRows *pipe_csv_rows_new(char sep, bool tsv)
{
    PipeCsvRows *r = pipe_xcalloc(1, sizeof *r);
    r->c.sep = sep;
    r->c.tsv = tsv;
    r->c.comment = (PipeStr){"", 0};
    r->c.pend = rec_buf_new();
    return r;
}

long pipe_csv_rows_line(PipeCsvRows *r, PipeStr line, PipeArena *a, const PipeStr **cells)
{
    long n = csv_line(&r->c, &line, a);
    *cells = r->c.cells;
    return n == -2 ? 0 : n;
}

void pipe_csv_rows_free(PipeCsvRows *r)
{
    if (!r)
        return;
    free(r->c.cells);
    free(r->c.pend.p);
    free(r);
}

size_t pipe_name_norm(const char *s, size_t n, char *out, size_t cap)
{
    return rec_norm(s, n, out, cap);
}

bool pipe_name_matches(PipeStr name, const char *field)
{
    const PipeType *fields[1] = {&pipe_t_str};
    const char *names[1] = {field};
    uint32_t offsets[1] = {0};
    PipeType t = {.kind = PIPE_K_RECORD, .nfields = 1, .fields = fields, .offsets = offsets, .field_names = names};
    char norm[256];
    size_t n = rec_norm(field, strlen(field), norm, sizeof norm);
    PipeStr ns = {norm, n < sizeof norm ? n : sizeof norm};
    return rec_field_of(&t, &ns, name) == 0;
}

unsigned pipe_cell_fits(PipeStr s)
{
    union {
        int64_t i;
        double d;
        bool b;
    } v;
    unsigned f = 0;
    if (!rec_cell_set(&pipe_t_bool, &v, s))
        f |= PIPE_FITS_BOOL;
    if (!rec_cell_set(&pipe_t_int, &v, s))
        f |= PIPE_FITS_INT;
    else if (rec_all_digits(s))
        f |= PIPE_FITS_BIG;
    if (!rec_cell_set(&pipe_t_float, &v, s))
        f |= PIPE_FITS_FLOAT;
    return f;
}

static bool jtree_value(JsonCtx *x, PipeJson *v);

/* The items of an array or the members of an object (x->p at its opener). */
static bool jtree_seq(JsonCtx *x, PipeJson *v, char close)
{
    PipeJson **tail = &v->child;
    bool more = !json_empty(x, close);
    while (more) {
        PipeJson *c = pipe_alloc(x->a, sizeof *c);
        memset(c, 0, sizeof *c);
        if ((close == '}' && !json_key(x, &c->key)) || !jtree_value(x, c))
            return false;
        *tail = c;
        tail = &c->next;
        if (!json_next(x, close, &more))
            return false;
    }
    return true;
}

/* One value (blanks before it) into v; a number's fits as json_num_into
 * reads it: an int without fraction or exponent within 64 bits, any as float. */
static bool jtree_value(JsonCtx *x, PipeJson *v)
{
    json_ws(x);
    if (x->p >= x->e)
        return json_syntax(x, "expected a value");
    switch (*x->p) {
    case '"': v->kind = PIPE_JSON_STR; return json_string(x, &v->text, x->a);
    case 't': v->kind = PIPE_JSON_BOOL; return json_word(x, "true", 4);
    case 'f': v->kind = PIPE_JSON_BOOL; return json_word(x, "false", 5);
    case 'n': v->kind = PIPE_JSON_NULL; return json_word(x, "null", 4);
    case '{':
    case '[': {
        if (x->depth >= JSON_MAX_DEPTH)
            return json_syntax(x, "nested too deep");
        bool obj = *x->p == '{';
        v->kind = obj ? PIPE_JSON_OBJ : PIPE_JSON_ARR;
        x->depth++;
        bool ok = jtree_seq(x, v, obj ? '}' : ']');
        x->depth--;
        return ok;
    }
    default: {
        bool integral;
        int64_t i;
        double d;
        v->kind = PIPE_JSON_NUM;
        if (!json_number(x, &v->text, &integral))
            return false;
        if (integral)
            v->fits = pipe_parse_int(v->text, &i) ? PIPE_FITS_INT : PIPE_FITS_BIG;
        if (pipe_parse_float(v->text, &d))
            v->fits |= PIPE_FITS_FLOAT;
        return true;
    }
    }
}

PipeJson *pipe_json_tree(PipeStr line, PipeArena *a, char *err, size_t errlen)
{
    err[0] = '\0';
    if (json_blank(line))
        return NULL;
    JsonCtx *x = pipe_alloc(a, sizeof *x);
    memset(x, 0, offsetof(JsonCtx, path));
    x->start = x->p = line.p;
    x->e = line.p + line.n;
    x->a = a;
    PipeJson *v = pipe_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    bool ok = jtree_value(x, v);
    json_ws(x);
    if (ok && x->p < x->e)
        ok = json_syntax(x, "unexpected text after the value");
    if (ok)
        return v;
    snprintf(err, errlen, "not JSON: %s at byte %zu", x->err, (size_t)(x->p - x->start) + 1);
    return NULL;
}
