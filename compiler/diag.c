/* diag.c — the one diagnostics module: keeps every source text with its line
 * map, records each diagnostic, and prints `file:line:col: kind: message`, the
 * source line and a caret as they come.  Codes: diag_codes.c; JSON: diag_json.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "diag_impl.h"

/* gcc's colours: bold location, red/magenta/cyan label, green caret */
#define C_BOLD "\033[1m"
#define C_RESET "\033[0m"
#define C_CARET "\033[1;32m"
static const char *const sev_name[] = {"error", "warning", "note"};
static const char *const sev_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};

void diag_init(Diag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->max_errors = DIAG_MAX_ERRORS;
}

void diag_free(Diag *d)
{
    diag_clear(d);
    free(d->recs);
    d->recs = NULL;
    d->caprecs = 0;
    for (int i = 0; i < d->nfiles; i++) {
        free(d->files[i].path);
        free(d->files[i].text);
        free(d->files[i].lines);
    }
    free(d->files);
    d->files = NULL;
    d->nfiles = d->capfiles = 0;
}

int diag_add_file(Diag *d, const char *path, const char *text, size_t len)
{
    return diag_add_piece(d, path, text, len, 1);
}

int diag_add_piece(Diag *d, const char *path, const char *text, size_t len, int first_line)
{
    if (d->nfiles == d->capfiles) {
        d->capfiles = d->capfiles ? 2 * d->capfiles : 8;
        d->files = xrealloc(d->files, (size_t)d->capfiles * sizeof *d->files);
    }
    SrcFile *f = &d->files[d->nfiles];
    size_t plen = strlen(path);
    f->path = xrealloc(NULL, plen + 1);
    memcpy(f->path, path, plen + 1);
    f->text = xrealloc(NULL, len + 1);
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
    f->first_line = first_line;
    int cap = 64;
    f->lines = xrealloc(NULL, (size_t)cap * sizeof *f->lines);
    f->nlines = 0;
    f->lines[f->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\n' || i + 1 == len)
            continue;
        if (f->nlines == cap) {
            cap *= 2;
            f->lines = xrealloc(f->lines, (size_t)cap * sizeof *f->lines);
        }
        f->lines[f->nlines++] = (int)(i + 1);
    }
    return d->nfiles++;
}

/* Reads the script or import open on fd (closed here) into d: an import
 * must be a regular file (a FIFO would block, a device never end), and no
 * file may pass DIAG_MAX_FILE bytes.  The file's id, or -1 with errno
 * (EFBIG: too large, EINVAL: not a regular file). */
int diag_load_fd(Diag *d, const char *path, int fd, bool regular_only)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || (regular_only && !S_ISREG(st.st_mode))) {
        int e = errno;
        close(fd);
        errno = regular_only && e == 0 ? EINVAL : e ? e : EINVAL;
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size > DIAG_MAX_FILE) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK)) /* opened without waiting; a pipe given as the script is read */
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int err = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? 2 * cap : 8192;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            err = errno;
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len > DIAG_MAX_FILE) { /* a pipe, or a file that grew */
            err = EFBIG;
            break;
        }
    }
    close(fd);
    if (err) {
        free(buf);
        errno = err;
        return -1;
    }
    int id = diag_add_file(d, path, buf, len);
    free(buf);
    return id;
}

int diag_load_file(Diag *d, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -1 : diag_load_fd(d, path, fd, false);
}

/* What errno means after diag_load_fd or diag_load_file. */
const char *diag_load_error(int err)
{
    if (err == EFBIG)
        return "larger than " DIAG_MAX_FILE_TEXT;
    if (err == EINVAL)
        return "not a regular file";
    return strerror(err);
}

const SrcFile *diag_file(const Diag *d, int id)
{
    return id >= 0 && id < d->nfiles ? &d->files[id] : NULL;
}

void diag_linecol(const Diag *d, int id, int off, int *line, int *col)
{
    const SrcFile *f = diag_file(d, id);
    if (!f) {
        *line = *col = 0;
        return;
    }
    int lo = 0, hi = f->nlines - 1;
    while (lo < hi) { /* last line starting at or before off */
        int mid = (lo + hi + 1) / 2;
        if (f->lines[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = f->first_line + lo;
    *col = off - f->lines[lo] + 1;
}

/* The length of the UTF-8 character at p (n bytes there), or 0 when it is
 * not valid UTF-8 or a C1 control (U+0080..U+009F, which terminals obey). */
size_t diag_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c < 0xC2 || c > 0xF4 || n < len)
        return 0;
    if (c == 0xC2)
        lo = 0xA0;
    else if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* One character of source or message text: its bytes, and the columns it
 * takes when shown.  A byte that would drive the terminal (a C0 control but
 * tab, DEL, a C1 control, invalid UTF-8) is shown escaped, as \xHH. */
typedef struct Unit {
    size_t len;
    int cols;
    bool escaped;
} Unit;

static Unit unit_at(const char *text, size_t i, size_t stop)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '\t' || (c >= 0x20 && c < 0x7F))
        return (Unit){1, 1, false};
    if (c >= 0x80) {
        size_t len = diag_utf8_len((const unsigned char *)text + i, stop - i);
        if (len)
            return (Unit){len, 1, false};
    }
    return (Unit){1, 4, true};
}

static void put_unit(Diag *d, const char *text, size_t i, Unit u)
{
    if (u.escaped)
        fprintf(d->out, "\\x%02x", (unsigned char)text[i]);
    else
        fwrite(text + i, 1, u.len, d->out);
}

/* Writes text[0..n) with every byte that would drive the terminal escaped. */
static void put_escaped(Diag *d, const char *text, size_t n)
{
    for (size_t i = 0; i < n;) {
        Unit u = unit_at(text, i, n);
        put_unit(d, text, i, u);
        i += u.len;
    }
}

/* The columns of source shown under a diagnostic at most, and how many of
 * them come before the caret when the line is cut: a line of any length
 * prints in bounded space. */
#define EXCERPT_COLS 100
#define EXCERPT_LEAD 40
#define ELLIPSIS "\xE2\x80\xA6"

/* The first unit boundary at or after `cols` columns from `from` (at most
 * `to`) of a line ending at stop. */
static size_t skip_cols(const char *text, size_t from, size_t to, size_t stop, int cols)
{
    int c = 0;
    while (from < to && c < cols) {
        Unit u = unit_at(text, from, stop);
        c += u.cols;
        from += u.len;
    }
    return from;
}

/* The columns of [from, to) of a line ending at stop. */
static int cols_of(const char *text, size_t from, size_t to, size_t stop)
{
    int c = 0;
    while (from < to) {
        Unit u = unit_at(text, from, stop);
        c += u.cols;
        from += u.len;
    }
    return c;
}

/* Prints the source line of loc and the caret line under its span.  Tabs are
 * copied so that a terminal aligns both lines.  A line wider than
 * EXCERPT_COLS shows a window around the caret, cut ends marked with '…'. */
static void print_excerpt(Diag *d, const SrcFile *f, int line, Loc loc)
{
    int idx = line - f->first_line;
    if (idx < 0 || idx >= f->nlines)
        return;
    const char *t = f->text;
    size_t start = (size_t)f->lines[idx];
    size_t stop = start;
    while (stop < f->len && t[stop] != '\n')
        stop++;
    if (stop > start && t[stop - 1] == '\r')
        stop--;
    size_t first = start + (size_t)(loc.col - 1);
    if (first > stop)
        first = stop;
    size_t last = loc.end > loc.off ? (size_t)loc.end : first;
    if (last > stop)
        last = stop;

    /* the window [ws, we): the whole line when it fits */
    size_t ws = start, we = stop;
    if (cols_of(t, start, stop, stop) > EXCERPT_COLS) {
        int before = cols_of(t, start, first, stop);
        if (before > EXCERPT_LEAD)
            ws = skip_cols(t, start, first, stop, before - EXCERPT_LEAD);
        we = skip_cols(t, ws, stop, stop, EXCERPT_COLS);
    }
    if (last > we)
        last = we;

    fprintf(d->out, "%5d | %s", line, ws > start ? ELLIPSIS : "");
    put_escaped(d, t + ws, we - ws);
    fprintf(d->out, "%s\n", we < stop ? ELLIPSIS : "");
    fputs(ws > start ? "      |  " : "      | ", d->out);
    for (size_t i = ws; i < first;) {
        Unit u = unit_at(t, i, stop);
        if (t[i] == '\t')
            fputc('\t', d->out);
        else
            fprintf(d->out, "%*s", u.cols, "");
        i += u.len;
    }
    /* at the end of a line (or an empty span): a caret after its last byte */
    int span = last > first ? cols_of(t, first, last, stop) : 1;
    if (d->color)
        fputs(C_CARET, d->out);
    fputc('^', d->out);
    for (int i = 1; i < span; i++)
        fputc('~', d->out);
    if (d->color)
        fputs(C_RESET, d->out);
    fputc('\n', d->out);
}

/* Messages are cut at this many bytes, so that one diagnostic is bounded too. */
#define MESSAGE_MAX 1024

/* The message of fmt and ap (cut at MESSAGE_MAX bytes, then ending in '…'),
 * on the heap. */
__attribute__((format(printf, 1, 0)))
static char *format_message(const char *fmt, va_list ap)
{
    char msg[MESSAGE_MAX + sizeof ELLIPSIS];
    int n = vsnprintf(msg, MESSAGE_MAX, fmt, ap);
    if (n < 0)
        msg[0] = '\0';
    else if (n >= MESSAGE_MAX)
        memcpy(msg + MESSAGE_MAX - 1, ELLIPSIS, sizeof ELLIPSIS);
    size_t len = strlen(msg);
    char *s = xrealloc(NULL, len + 1);
    memcpy(s, msg, len + 1);
    return s;
}

/* Prints one diagnostic: the header line, and the excerpt when loc has a
 * line (line and col resolved). */
static void print_one(Diag *d, DiagSeverity sev, Loc loc, const char *msg)
{
    const SrcFile *f = diag_file(d, loc.file);
    bool placed = f && loc.line > 0;
    if (d->color)
        fputs(C_BOLD, d->out);
    if (placed) {
        put_escaped(d, f->path, strlen(f->path));
        fprintf(d->out, ":%d:%d: ", loc.line, loc.col);
    } else {
        fputs("pipec: ", d->out);
    }
    if (d->color)
        fprintf(d->out, "%s%s:" C_RESET C_BOLD " ", sev_color[sev], sev_name[sev]);
    else
        fprintf(d->out, "%s: ", sev_name[sev]);
    put_escaped(d, msg, strlen(msg));
    if (d->color)
        fputs(C_RESET, d->out);
    fputc('\n', d->out);
    if (placed)
        print_excerpt(d, f, loc.line, loc);
}

/* loc with its line and column filled in from its offset when it has none
 * (a span of no known file keeps file -1 and no line). */
static Loc resolve(const Diag *d, Loc loc)
{
    if (!diag_file(d, loc.file)) {
        loc.file = -1;
        loc.line = loc.col = 0;
    } else if (loc.line <= 0) {
        diag_linecol(d, loc.file, loc.off, &loc.line, &loc.col);
    }
    return loc;
}

/* The record of a new diagnostic, or NULL when DIAG_MAX_RECORDS are kept. */
static DiagRecord *new_record(Diag *d)
{
    if (d->nrecs == DIAG_MAX_RECORDS)
        return NULL;
    if (d->nrecs == d->caprecs) {
        d->caprecs = d->caprecs ? 2 * d->caprecs : 16;
        d->recs = xrealloc(d->recs, (size_t)d->caprecs * sizeof *d->recs);
    }
    DiagRecord *r = &d->recs[d->nrecs++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Counts a diagnostic of sev; false when it passes max_errors (the line that
 * says so is printed once) or came after that. */
static bool admit(Diag *d, DiagSeverity sev)
{
    if (sev == DIAG_ERROR)
        d->errors++;
    else if (sev == DIAG_WARNING)
        d->warnings++;
    if (d->stopped)
        return false;
    if (sev == DIAG_ERROR && d->max_errors > 0 && d->errors > d->max_errors) {
        d->stopped = true;
        if (d->out)
            fprintf(d->out, "pipec: error: too many errors, stopping (the limit is %d: --max-errors N, 0 for none)\n",
                    d->max_errors);
        return false;
    }
    return true;
}

void diag_vreport(Diag *d, DiagSeverity sev, const char *code, Loc loc, const char *fmt, va_list ap)
{
    d->last_kept = false;
    if (!admit(d, sev))
        return;
    loc = resolve(d, loc);
    char *msg = format_message(fmt, ap);
    if (d->out)
        print_one(d, sev, loc, msg);
    DiagRecord *r = new_record(d);
    if (!r) {
        free(msg);
        return;
    }
    r->severity = sev;
    r->span = loc;
    r->message = msg;
    r->code = code;
    d->last_kept = true;
    diag_classify(d, r, fmt);
}

/* Attaches a note to the last record (printing it first when shown). */
__attribute__((format(printf, 4, 0)))
static void attach_note(Diag *d, Loc loc, bool shown, const char *fmt, va_list ap)
{
    if (d->stopped)
        return;
    loc = resolve(d, loc);
    char *msg = format_message(fmt, ap);
    if (shown && d->out)
        print_one(d, DIAG_NOTE, loc, msg);
    DiagRecord *r = d->last_kept ? &d->recs[d->nrecs - 1] : NULL;
    if (!r || r->nnotes == DIAG_MAX_ATTACHED) {
        free(msg);
        return;
    }
    r->notes = xrealloc(r->notes, (size_t)(r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = (DiagNote){loc, msg, shown};
}

void diag_fix(Diag *d, Loc span, const char *text)
{
    DiagRecord *r = d->last_kept ? &d->recs[d->nrecs - 1] : NULL;
    if (!r || r->nfixes == DIAG_MAX_ATTACHED || !diag_file(d, span.file))
        return;
    size_t n = strlen(text);
    char *t = xrealloc(NULL, n + 1);
    memcpy(t, text, n + 1);
    r->fixes = xrealloc(r->fixes, (size_t)(r->nfixes + 1) * sizeof *r->fixes);
    r->fixes[r->nfixes++] = (DiagFix){resolve(d, span), t};
}

void diag_clear(Diag *d)
{
    for (int i = 0; i < d->nrecs; i++) {
        DiagRecord *r = &d->recs[i];
        for (int k = 0; k < r->nnotes; k++)
            free(r->notes[k].message);
        for (int k = 0; k < r->nfixes; k++)
            free(r->fixes[k].text);
        free(r->notes);
        free(r->fixes);
        free(r->message);
    }
    d->nrecs = 0;
    d->errors = d->warnings = 0;
    d->stopped = d->last_kept = false;
}

void diag_error(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_ERROR, NULL, loc, fmt, ap);
    va_end(ap);
}

void diag_error_code(Diag *d, const char *code, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_ERROR, code, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_WARNING, NULL, loc, fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    attach_note(d, loc, true, fmt, ap);
    va_end(ap);
}

void diag_related(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    attach_note(d, loc, false, fmt, ap);
    va_end(ap);
}

void diag_foreign(Diag *d, const char *code, const char *msg)
{
    d->errors++;
    if (d->out) {
        put_escaped(d, msg, strlen(msg));
        fputc('\n', d->out);
    }
    DiagRecord *r = new_record(d);
    d->last_kept = r != NULL;
    if (!r)
        return;
    size_t n = strlen(msg);
    r->message = xrealloc(NULL, n + 1);
    memcpy(r->message, msg, n + 1);
    r->severity = DIAG_ERROR;
    r->code = code;
    r->span = (Loc){.file = -1};
    r->foreign = true;
}

void diag_print(Diag *d, const DiagRecord *r, FILE *out)
{
    FILE *saved = d->out;
    d->out = out;
    if (r->foreign) {
        put_escaped(d, r->message, strlen(r->message));
        fputc('\n', out);
    } else {
        print_one(d, r->severity, r->span, r->message);
    }
    for (int i = 0; i < r->nnotes; i++)
        if (r->notes[i].shown)
            print_one(d, DIAG_NOTE, r->notes[i].span, r->notes[i].message);
    d->out = saved;
}

void diag_plain_error(Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Loc none = {.file = -1};
    diag_vreport(d, DIAG_ERROR, NULL, none, fmt, ap);
    va_end(ap);
}
