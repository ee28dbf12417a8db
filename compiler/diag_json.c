/* diag_json.c — the records of a compilation as JSON Lines, one object per
 * diagnostic (`pipec check --format json`), for editors and a language server. */
#include <string.h>

#include "diag_impl.h"

/* Writes s as a JSON string.  Valid UTF-8 is copied; '"', '\\', control
 * characters (also DEL and U+0080..U+009F) are escaped; a byte that is not
 * UTF-8 becomes U+FFFD, so that the output is always valid JSON. */
static void put_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c >= 0x80 ? diag_utf8_len(p + i, n - i) : 1;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
        } else if (c == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) {
            fprintf(f, "\\u%04x", p[i + 1]); /* a C1 control */
            len = 2;
        } else if (len == 0) {
            fputs("\\ufffd", f);
            len = 1;
        } else {
            fwrite(p + i, 1, len, f);
        }
        i += len;
    }
    fputc('"', f);
}

/* Writes "start" and "end" of span: line, column (from 1, in bytes) and
 * byte offset (from 0; end is past the last byte). */
static void put_span(const Diag *d, FILE *f, Loc span)
{
    if (span.file < 0) {
        fputs("\"file\":null,\"start\":null,\"end\":null", f);
        return;
    }
    int end = span.end > span.off ? span.end : span.off;
    int eline, ecol;
    diag_linecol(d, span.file, end, &eline, &ecol);
    fputs("\"file\":", f);
    put_string(f, diag_file(d, span.file)->path);
    fprintf(f, ",\"start\":{\"line\":%d,\"col\":%d,\"offset\":%d}", span.line, span.col, span.off);
    fprintf(f, ",\"end\":{\"line\":%d,\"col\":%d,\"offset\":%d}", eline, ecol, end);
}

static const char *const severity_name[] = {"error", "warning", "note"};

/* Writes one record as one line. */
static void put_record(const Diag *d, FILE *f, const DiagRecord *r)
{
    fprintf(f, "{\"severity\":\"%s\",\"code\":", severity_name[r->severity]);
    put_string(f, r->code);
    fputs(",\"message\":", f);
    put_string(f, r->message);
    fputc(',', f);
    put_span(d, f, r->span);
    fputs(",\"notes\":[", f);
    for (int i = 0; i < r->nnotes; i++) {
        fputs(i ? ",{\"message\":" : "{\"message\":", f);
        put_string(f, r->notes[i].message);
        fputc(',', f);
        put_span(d, f, r->notes[i].span);
        fputc('}', f);
    }
    fputs("],\"fixes\":[", f);
    for (int i = 0; i < r->nfixes; i++) {
        fputs(i ? ",{" : "{", f);
        put_span(d, f, r->fixes[i].span);
        fputs(",\"text\":", f);
        put_string(f, r->fixes[i].text);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

void diag_write_json(const Diag *d, FILE *f)
{
    for (int i = 0; i < d->nrecs; i++)
        put_record(d, f, &d->recs[i]);
}
