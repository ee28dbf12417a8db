/* test_diag.c — unit tests of the diagnostics module (compiler/diag*.c): line
 * maps, the records of a compilation, their JSON, and the exact text of
 * errors, warnings and notes with their carets. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "parse.h"

enum { ERROR, WARNING, NOTE, PLAIN };

#define A10 "aaaaaaaaaa"
#define A50 A10 A10 A10 A10 A10
#define B10 "bbbbbbbbbb"
#define B50 B10 B10 B10 B10 B10
#define SP10 "          "
#define T10 "~~~~~~~~~~"

typedef struct DiagCase {
    const char *name;
    const char *text;   /* the file "f.pipe" */
    int kind;
    int off, len;       /* the span, as a byte offset and length */
    bool color;
    const char *expect; /* everything printed */
} DiagCase;

static const DiagCase cases[] = {
    {"an error with a one-byte span", "abc\ndef x\n", ERROR, 8, 1, false,
     "f.pipe:2:5: error: msg 42\n"
     "    2 | def x\n"
     "      |     ^\n"},
    {"a longer span gets tildes", "pipeline main {\n    stdin | grep(\"x\" stdout\n}\n", ERROR, 37, 6, false,
     "f.pipe:2:22: error: msg 42\n"
     "    2 |     stdin | grep(\"x\" stdout\n"
     "      |                      ^~~~~~\n"},
    {"a span running past the line stops at its end", "ab cd\nef\n", ERROR, 3, 6, false,
     "f.pipe:1:4: error: msg 42\n"
     "    1 | ab cd\n"
     "      |    ^~\n"},
    {"an empty span at the end of a line", "abc\n", ERROR, 3, 0, false,
     "f.pipe:1:4: error: msg 42\n"
     "    1 | abc\n"
     "      |    ^\n"},
    {"the last line without a newline", "a\nlast", ERROR, 2, 4, false,
     "f.pipe:2:1: error: msg 42\n"
     "    2 | last\n"
     "      | ^~~~\n"},
    {"an empty file", "", ERROR, 0, 0, false,
     "f.pipe:1:1: error: msg 42\n"
     "    1 | \n"
     "      | ^\n"},
    {"tabs are copied to the caret line", "\tx =\t\"a\"\n", ERROR, 5, 3, false,
     "f.pipe:1:6: error: msg 42\n"
     "    1 | \tx =\t\"a\"\n"
     "      | \t   \t^~~\n"},
    {"UTF-8 characters take one column", "s = \"\xC3\xA9t\xC3\xA9\" + x\n", ERROR, 4, 7, false,
     "f.pipe:1:5: error: msg 42\n"
     "    1 | s = \"\xC3\xA9t\xC3\xA9\" + x\n"
     "      |     ^~~~~\n"},
    {"a CR before the newline is not shown", "ab\r\ncd\r\n", ERROR, 4, 2, false,
     "f.pipe:2:1: error: msg 42\n"
     "    2 | cd\n"
     "      | ^~\n"},
    {"control bytes in the line are shown escaped, the caret aligned", "a = \"\033[31m\" + \x07x\n", ERROR, 15, 1,
     false,
     "f.pipe:1:16: error: msg 42\n"
     "    1 | a = \"\\x1b[31m\" + \\x07x\n"
     "      | " SP10 SP10 " ^\n"},
    {"invalid UTF-8 and DEL are escaped", "s \xff\x7f t\n", ERROR, 5, 1, false,
     "f.pipe:1:6: error: msg 42\n"
     "    1 | s \\xff\\x7f t\n"
     "      | " SP10 " ^\n"},
    {"a C1 control (U+009B) is escaped", "x\xC2\x9By\n", ERROR, 3, 1, false,
     "f.pipe:1:4: error: msg 42\n"
     "    1 | x\\xc2\\x9by\n"
     "      |          ^\n"},
    {"a span over an escaped byte covers its four columns", "a\033b\n", ERROR, 1, 1, false,
     "f.pipe:1:2: error: msg 42\n"
     "    1 | a\\x1bb\n"
     "      |  ^~~~\n"},
    {"a long line shows a window around the caret", A50 A50 A50 "@" B50 B50 B50 "\n", ERROR, 150, 1, false,
     "f.pipe:1:151: error: msg 42\n"
     "    1 | \xE2\x80\xA6" A10 A10 A10 A10 "@" B50 "bbbbbbbbb\xE2\x80\xA6\n"
     "      |  " SP10 SP10 SP10 SP10 "^\n"},
    {"a long line cut after the caret only", A50 A50 A50 "@\n", ERROR, 3, 2, false,
     "f.pipe:1:4: error: msg 42\n"
     "    1 | " A50 A50 "\xE2\x80\xA6\n"
     "      |    ^~\n"},
    {"a span past the window stops at its cut", A50 A50 A50 "@\n", ERROR, 60, 80, false,
     "f.pipe:1:61: error: msg 42\n"
     "    1 | \xE2\x80\xA6" A50 A50 "\xE2\x80\xA6\n"
     "      |  " SP10 SP10 SP10 SP10 "^~~~~~~~~~" T10 T10 T10 T10 T10 "\n"},
    {"a warning", "pipeline main {\n  x = stdin\n}\n", WARNING, 18, 1, false,
     "f.pipe:2:3: warning: msg 42\n"
     "    2 |   x = stdin\n"
     "      |   ^\n"},
    {"a note", "a\n", NOTE, 0, 1, false,
     "f.pipe:1:1: note: msg 42\n"
     "    1 | a\n"
     "      | ^\n"},
    {"an error without a position", "a\n", PLAIN, 0, 0, false,
     "pipec: error: msg 42\n"},
    {"colour only when asked for", "ab\n", ERROR, 1, 1, true,
     "\033[1mf.pipe:1:2: \033[1;31merror:\033[0m\033[1m msg 42\033[0m\n"
     "    1 | ab\n"
     "      |  \033[1;32m^\033[0m\n"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const DiagCase *c = &cases[i];
        char *out;
        size_t len;
        FILE *f = open_memstream(&out, &len);
        Diag d;
        diag_init(&d, f);
        d.color = c->color;
        int id = diag_add_file(&d, "f.pipe", c->text, strlen(c->text));
        Loc loc = {.file = id, .off = c->off, .end = c->off + c->len};
        diag_linecol(&d, id, c->off, &loc.line, &loc.col);
        switch (c->kind) {
        case ERROR: diag_error(&d, loc, "msg %d", 42); break;
        case WARNING: diag_warning(&d, loc, "msg %d", 42); break;
        case NOTE: diag_note(&d, loc, "msg %d", 42); break;
        default: diag_plain_error(&d, "msg %d", 42); break;
        }
        fclose(f);
        if (strcmp(out, c->expect) != 0)
            print_error("case '%s':\n--- expected:\n%s--- got:\n%s", c->name, c->expect, out);
        assert_string_equal(out, c->expect);
        assert_int_equal(d.errors, c->kind == ERROR || c->kind == PLAIN);
        assert_int_equal(d.warnings, c->kind == WARNING);
        diag_free(&d);
        free(out);
    }
}

static void test_gutter_and_linecol(void **state)
{
    (void)state;
    char text[256] = "";
    for (int i = 1; i <= 12; i++)
        strcat(text, i == 12 ? "twelve\n" : "x\n");
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    Diag d;
    diag_init(&d, f);
    int id = diag_add_file(&d, "f.pipe", text, strlen(text));
    const SrcFile *sf = diag_file(&d, id);
    assert_int_equal(sf->nlines, 12);
    int line, col;
    diag_linecol(&d, id, 22, &line, &col);
    assert_int_equal(line, 12);
    assert_int_equal(col, 1);
    diag_linecol(&d, id, 27, &line, &col);
    assert_int_equal(line, 12);
    assert_int_equal(col, 6);
    diag_linecol(&d, id, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    /* a Loc with no line yet gets it from its offset */
    Loc loc = {.file = id, .off = 22, .end = 28};
    diag_error(&d, loc, "expected %s, found %s", "a", "'twelve'");
    fclose(f);
    assert_string_equal(out, "f.pipe:12:1: error: expected a, found 'twelve'\n"
                             "   12 | twelve\n"
                             "      | ^~~~~~\n");
    assert_null(diag_file(&d, 1));
    assert_null(diag_file(&d, -1));
    diag_free(&d);
    free(out);
}

static void test_files(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, stderr);
    errno = 0;
    assert_int_equal(diag_load_file(&d, "/nonexistent/x.pipe"), -1);
    assert_int_equal(errno, ENOENT);

    char path[] = "/tmp/pipec_test_diag_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fwrite("a\0b\nc", 1, 5, f); /* NUL bytes survive */
    fclose(f);
    int id = diag_load_file(&d, path);
    unlink(path);
    assert_int_equal(id, 0);
    const SrcFile *sf = diag_file(&d, id);
    assert_string_equal(sf->path, path);
    assert_int_equal(sf->len, 5);
    assert_memory_equal(sf->text, "a\0b\nc", 6);
    assert_int_equal(sf->nlines, 2);
    /* many files: ids stay valid as the table grows */
    for (int i = 1; i < 40; i++)
        assert_int_equal(diag_add_file(&d, "g.pipe", "x", 1), i);
    assert_string_equal(diag_file(&d, 0)->path, path);
    diag_free(&d);
}

/* Names and paths in messages are text of the script: a terminal must not
 * obey the control bytes they may hold. */
static void test_escaped_messages(void **state)
{
    (void)state;
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    Diag d;
    diag_init(&d, f);
    int id = diag_add_file(&d, "f\033]0;t\007.pipe", "x\n", 2);
    Loc loc = {.file = id, .line = 1, .col = 1, .off = 0, .end = 1};
    diag_error(&d, loc, "unknown name '%s'", "a\033[2Jb\xff");
    fclose(f);
    assert_string_equal(out, "f\\x1b]0;t\\x07.pipe:1:1: error: unknown name 'a\\x1b[2Jb\\xff'\n"
                             "    1 | x\n"
                             "      | ^\n");
    diag_free(&d);
    free(out);
}

/* One message is bounded however long what it quotes. */
static void test_long_message(void **state)
{
    (void)state;
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    Diag d;
    diag_init(&d, f);
    char name[5000];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    diag_plain_error(&d, "unknown name '%s'", name);
    fclose(f);
    assert_true(len < 1100);
    assert_non_null(strstr(out, "nnn\xE2\x80\xA6\n"));
    diag_free(&d);
    free(out);
}

/* After max_errors errors one line says so; later ones (and warnings) print
 * nothing, but are counted. */
static void test_max_errors(void **state)
{
    (void)state;
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    Diag d;
    diag_init(&d, f);
    assert_int_equal(d.max_errors, DIAG_MAX_ERRORS);
    d.max_errors = 2;
    for (int i = 1; i <= 4; i++)
        diag_plain_error(&d, "e%d", i);
    diag_plain_error(&d, "e5");
    Loc none = {.file = -1};
    diag_warning(&d, none, "w");
    fclose(f);
    assert_string_equal(out, "pipec: error: e1\n"
                             "pipec: error: e2\n"
                             "pipec: error: too many errors, stopping (the limit is 2: --max-errors N, 0 for none)\n");
    assert_true(d.stopped);
    assert_int_equal(d.errors, 5);
    diag_free(&d);
    free(out);
}


/* Each diagnostic is a record: severity, code, span with line and column,
 * message; a note attaches to the last record, shown or only recorded. */
static void test_records(void **state)
{
    (void)state;
    char *out;
    size_t len;
    FILE *f = open_memstream(&out, &len);
    Diag d;
    diag_init(&d, f);
    int id = diag_add_file(&d, "f.pipe", "ab\ncd x\n", 8);
    diag_error(&d, (Loc){.file = id, .off = 6, .end = 7}, "unknown stage '%s'", "x");
    diag_related(&d, (Loc){.file = id, .off = 0, .end = 2}, "first at %d:%d", 1, 1);
    diag_note(&d, (Loc){.file = id, .off = 3, .end = 5}, "shown");
    diag_warning(&d, (Loc){.file = id, .off = 3, .end = 5}, "stream '%s' is bound but never used", "cd");
    diag_plain_error(&d, "no pipeline named '%s' (the script has: %s)", "z", "main");
    fclose(f);
    assert_int_equal(d.nrecs, 3);
    const DiagRecord *r = &d.recs[0];
    assert_int_equal(r->severity, DIAG_ERROR);
    assert_string_equal(r->code, "unknown-stage");
    assert_string_equal(r->message, "unknown stage 'x'");
    assert_int_equal(r->span.file, id);
    assert_int_equal(r->span.line, 2);
    assert_int_equal(r->span.col, 4);
    assert_int_equal(r->span.off, 6);
    assert_int_equal(r->span.end, 7);
    assert_int_equal(r->nnotes, 2);
    assert_string_equal(r->notes[0].message, "first at 1:1");
    assert_false(r->notes[0].shown);
    assert_int_equal(r->notes[0].span.line, 1);
    assert_true(r->notes[1].shown);
    assert_int_equal(d.recs[1].severity, DIAG_WARNING);
    assert_string_equal(d.recs[1].code, "unused-stream");
    assert_int_equal(d.recs[2].span.file, -1);
    assert_string_equal(d.recs[2].code, "no-pipeline");
    /* the related note is not printed: its message names the place */
    assert_null(strstr(out, "first at"));
    assert_non_null(strstr(out, "f.pipe:2:1: note: shown\n"));
    diag_clear(&d);
    assert_int_equal(d.nrecs, 0);
    assert_int_equal(d.errors, 0);
    diag_free(&d);
    free(out);
}

/* The lexer's and parser's diagnostics get their codes, and fix-its where
 * the message names the fix; a code given by the caller wins. */
static void test_codes_and_fixes(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, NULL);
    PipeArena a = {0};
    const char *src = "pipeline main {\n    stdin | filter(x => x != \"\" && true) | stdout\n    stdin | grep(\"x\" | stdout\n}\n";
    int id = diag_add_file(&d, "f.pipe", src, strlen(src));
    parse_file(&d, &a, id);
    assert_int_equal(d.nrecs, 2);
    const DiagRecord *r = &d.recs[0];
    assert_string_equal(r->code, "c-operator");
    assert_int_equal(r->nfixes, 1);
    assert_string_equal(r->fixes[0].text, "and");
    assert_int_equal(r->fixes[0].span.off, (int)(strstr(src, "&&") - src));
    assert_int_equal(r->fixes[0].span.end, r->fixes[0].span.off + 2);
    r = &d.recs[1];
    assert_string_equal(r->code, "unclosed-delimiter");
    assert_int_equal(r->nnotes, 1);
    assert_int_equal(r->notes[0].span.off, (int)(strstr(src, "grep(") - src) + 4);
    assert_int_equal(r->notes[0].span.line, 3);
    assert_int_equal(r->nfixes, 0);
    diag_error_code(&d, "my-code", (Loc){.file = id, .off = 1, .end = 2}, "unknown stage '%s'", "q");
    assert_string_equal(d.recs[2].code, "my-code");
    diag_error(&d, (Loc){.file = id, .off = 1, .end = 2}, "%s", "something new");
    assert_string_equal(d.recs[3].code, "unclassified");
    diag_free(&d);
    pipe_arena_free(&a);
}

/* Records are bounded: at most DIAG_MAX_RECORDS (also with no error limit)
 * and DIAG_MAX_ATTACHED notes each; past --max-errors none are added. */
static void test_record_bounds(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, NULL);
    d.max_errors = 0;
    Loc none = {.file = -1};
    for (int i = 0; i < DIAG_MAX_RECORDS + 5; i++)
        diag_plain_error(&d, "e%d", i);
    assert_int_equal(d.nrecs, DIAG_MAX_RECORDS);
    assert_int_equal(d.errors, DIAG_MAX_RECORDS + 5);
    diag_note(&d, none, "on no record"); /* the last error was not kept */
    assert_int_equal(d.recs[d.nrecs - 1].nnotes, 0);
    diag_clear(&d);
    diag_plain_error(&d, "e");
    for (int i = 0; i < DIAG_MAX_ATTACHED + 3; i++) {
        diag_related(&d, none, "n%d", i);
        diag_fix(&d, none, "x"); /* no file: no fix */
    }
    assert_int_equal(d.recs[0].nnotes, DIAG_MAX_ATTACHED);
    assert_int_equal(d.recs[0].nfixes, 0);
    diag_clear(&d);
    d.max_errors = 2;
    for (int i = 0; i < 5; i++)
        diag_plain_error(&d, "e%d", i);
    assert_int_equal(d.nrecs, 2);
    diag_free(&d);
}

/* JSON Lines: one object per record; quotes, backslashes and control bytes
 * escaped, invalid UTF-8 as U+FFFD, valid UTF-8 kept. */
static void test_json(void **state)
{
    (void)state;
    char *out;
    size_t len;
    Diag d;
    diag_init(&d, NULL);
    int id = diag_add_file(&d, "q\"\\.pipe", "a\n\xC3\xA9t x\n", 8);
    diag_error(&d, (Loc){.file = id, .off = 6, .end = 7}, "unknown name '%s'", "\x01\"\xff\xC3\xA9\x7f\xC2\x85\t");
    diag_fix(&d, (Loc){.file = id, .off = 2, .end = 2}, "y\n");
    diag_plain_error(&d, "cannot read '%s': %s", "p", "gone");
    FILE *f = open_memstream(&out, &len);
    diag_write_json(&d, f);
    fclose(f);
    assert_string_equal(out,
        "{\"severity\":\"error\",\"code\":\"unknown-name\",\"message\":\"unknown name '\\u0001\\\"\\ufffd\xC3\xA9\\u007f\\u0085\\t'\","
        "\"file\":\"q\\\"\\\\.pipe\",\"start\":{\"line\":2,\"col\":5,\"offset\":6},\"end\":{\"line\":2,\"col\":6,\"offset\":7},"
        "\"notes\":[],\"fixes\":[{\"file\":\"q\\\"\\\\.pipe\",\"start\":{\"line\":2,\"col\":1,\"offset\":2},"
        "\"end\":{\"line\":2,\"col\":1,\"offset\":2},\"text\":\"y\\n\"}]}\n"
        "{\"severity\":\"error\",\"code\":\"cannot-read\",\"message\":\"cannot read 'p': gone\",\"file\":null,"
        "\"start\":null,\"end\":null,\"notes\":[],\"fixes\":[]}\n");
    diag_free(&d);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_gutter_and_linecol),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_escaped_messages),
        cmocka_unit_test(test_long_message),
        cmocka_unit_test(test_max_errors),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_codes_and_fixes),
        cmocka_unit_test(test_record_bounds),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
