/* test_schema.c — `pipec schema` against the readers: the declaration it
 * prints for a file, turned into type descriptors, must read that file with
 * csv(T), tsv(T) or json(T) without an error, one record a row.  This is the
 * round trip of LANGUAGE.md §8 at the runtime's level (until scripts declare
 * records, tests/schema/roundtrip.sh does it from a script). */
#include <stdalign.h>
#include <unistd.h>

#include "test_std_harness.h"

#include "schema.h"

/* ---- the text of a declaration into descriptors (freed by free_kept) */

static void *kept[1024];
static int nkept;

/* p, to be freed after the round trip. */
static void *keep(void *p)
{
    assert_non_null(p);
    assert_true(nkept < 1024);
    return kept[nkept++] = p;
}

static void free_kept(void)
{
    while (nkept)
        free(kept[--nkept]);
}

typedef struct Decls {
    const char *names[32];
    const PipeType *types[32];
    int n;
} Decls;

static size_t round_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

static PipeType *type_new(PipeKind k, size_t size, size_t align)
{
    PipeType *t = keep(calloc(1, sizeof *t));
    t->kind = k;
    t->size = (uint32_t)size;
    t->align = (uint32_t)align;
    return t;
}

/* The type written at *p (str, int, float, bool, a record declared before,
 * [T], {str: T}, each maybe followed by ?); *p after it. */
static const PipeType *parse_type(const Decls *d, const char **p)
{
    const PipeType *t = NULL;
    const char *s = *p;
    if (*s == '[') {
        *p = s + 1;
        PipeType *l = type_new(PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *));
        l->elem = parse_type(d, p);
        assert_int_equal(**p, ']');
        ++*p;
        t = l;
    } else if (!strncmp(s, "{str: ", 6)) {
        *p = s + 6;
        PipeType *m = type_new(PIPE_K_MAP, sizeof(PipeMap *), alignof(PipeMap *));
        m->elem = &pipe_t_str;
        m->val = parse_type(d, p);
        assert_int_equal(**p, '}');
        ++*p;
        t = m;
    } else {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        *p = s + n;
        static const struct {
            const char *name;
            const PipeType *t;
        } scalars[] = {{"str", &pipe_t_str}, {"int", &pipe_t_int}, {"float", &pipe_t_float}, {"bool", &pipe_t_bool}};
        for (size_t i = 0; i < 4 && !t; i++)
            if (strlen(scalars[i].name) == n && !strncmp(s, scalars[i].name, n))
                t = scalars[i].t;
        for (int i = 0; i < d->n && !t; i++)
            if (strlen(d->names[i]) == n && !strncmp(s, d->names[i], n))
                t = d->types[i];
        if (!t) {
            print_error("unknown type at: %s\n", s);
            fail();
        }
    }
    if (**p == '?') {
        ++*p;
        PipeType *o = type_new(PIPE_K_OPT, round_up(t->size + 1, t->align), t->align);
        o->elem = t;
        t = o;
    }
    return t;
}

/* Reads `record Name {` ... `}` declarations from text into d (comments and
 * blank lines skipped); returns the last, the one for the file. */
static const PipeType *parse_decls(Decls *d, char *text)
{
    PipeType *rec = NULL;
    const PipeType **fields = NULL;
    const char **names = NULL;
    uint32_t *offsets = NULL;
    size_t off = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ')
            line++;
        char name[200];
        if (*line == '#' || !*line)
            continue;
        if (sscanf(line, "record %199s {", name) == 1) {
            rec = type_new(PIPE_K_RECORD, 0, 1);
            rec->name = keep(strdup(name));
            fields = keep(calloc(64, sizeof *fields));
            names = keep(calloc(64, sizeof *names));
            offsets = keep(calloc(64, sizeof *offsets));
            rec->fields = fields;
            rec->field_names = names;
            rec->offsets = offsets;
            off = 0;
        } else if (*line == '}') {
            rec->size = (uint32_t)round_up(off ? off : 1, rec->align);
            d->names[d->n] = rec->name;
            d->types[d->n++] = rec;
        } else {
            char *colon = strchr(line, ':');
            assert_non_null(colon);
            *colon = '\0';
            const char *p = colon + 2;
            const PipeType *ft = parse_type(d, &p);
            assert_true(*p == '\0' || !strncmp(p, "  # ", 4));
            uint32_t i = rec->nfields++;
            assert_true(i < 64);
            off = round_up(off, ft->align);
            fields[i] = ft;
            names[i] = keep(strdup(line));
            offsets[i] = (uint32_t)off;
            off += ft->size;
            if (ft->align > rec->align)
                rec->align = ft->align;
        }
    }
    return d->n ? d->types[d->n - 1] : NULL;
}

/* ---- running pipec schema and the reader */

/* The output of `pipec schema argv...` (exit 0 asserted), malloc'd. */
static char *schema_of(int argc, const char **argv)
{
    fflush(stdout);
    int saved = dup(1);
    FILE *f = tmpfile();
    assert_non_null(f);
    dup2(fileno(f), 1);
    int rc = schema_main(argc, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    assert_int_equal(rc, 0);
    size_t n;
    return t_slurp(f, &n);
}

typedef struct Reader {
    char format; /* 'c', 't' or 'j' */
    const PipeType *t;
} Reader;

static PipeNode *make_reader(PipeRt *rt, PipePos pos, const void *arg)
{
    const Reader *r = arg;
    PipeStr none = {"", 0};
    if (r->format == 't')
        return pipe_std_tsv(rt, pos, r->t, true, none);
    if (r->format == 'j')
        return pipe_std_json(rt, pos, r->t);
    return pipe_std_csv(rt, pos, r->t, (PipeStr){",", 1}, true, none);
}

/* Infers the record of path (format c, t or j; extra: more arguments) and
 * reads path with it: exit 0, and rows records (-1: do not count). */
static void round_trip(const char *path, char format, const char *extra, long rows)
{
    const char *argv[4] = {path, extra ? "--format" : NULL, extra};
    char *decl = schema_of(extra ? 3 : 1, argv);
    Decls d = {0};
    Reader r = {format, parse_decls(&d, decl)};
    assert_non_null(r.t);
    size_t len;
    char *text = t_slurp(fopen(path, "rb"), &len);
    TInput in = t_lines_n(text, len);
    int rc = t_run(make_reader, &r, &in, 1, r.t);
    if (rc != 0 || (rows >= 0 && t_run_state.items != (size_t)rows)) {
        print_error("%s: exit %d, %zu records (expected %ld)\n", path, rc, t_run_state.items, rows);
        fail();
    }
    free((void *)in.items);
    free(text);
    free(decl);
    free_kept();
}

/* The golden inputs of tests/schema read back with what schema prints. */
static void test_golden_inputs_read_back(void **state)
{
    (void)state;
    round_trip("tests/schema/debian-releases.csv", 'c', NULL, 3);
    round_trip("tests/schema/types.csv", 'c', NULL, 3);
    round_trip("tests/schema/names.csv", 'c', NULL, 1);
    round_trip("tests/schema/blank-lines.csv", 'c', NULL, 3);
    round_trip("tests/schema/empty-col.csv", 'c', NULL, 2);
    round_trip("tests/schema/header-only.csv", 'c', NULL, 0);
    round_trip("tests/schema/cells.tsv", 't', NULL, 3);
    round_trip("tests/schema/data.txt", 't', "tsv", 1);
    round_trip("tests/schema/orders.jsonl", 'j', NULL, 3);
    round_trip("tests/schema/lines.txt", 'j', "json", 2);
    round_trip("tests/schema/bom.jsonl", 'j', NULL, 1);
}

/* Cells at the edges of to_int and to_float, each alone in a column and all
 * in one, and JSON values at the edges of json(T)'s types: whatever schema
 * infers, the reader takes. */
static void test_edge_values_read_back(void **state)
{
    (void)state;
    static const char *const cells[] = {"1", " 1", "1 ", "+1", "-1", "0x1F", "0X1f", "-0x1F", "1_000", "0x",
                                        "1e3", "1E+3", ".5", "5.", "1e", "e1", "nan", "-inf", "Infinity",
                                        "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                                        "0x8000000000000000", "true", " false ", "True", "1.0", "0", "00",
                                        "\"3\"", "\" 4 \"", "\t5", "\"1,5\"", "\"\"\"\""};
    char path[] = "/tmp/pipec-schema-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    size_t n = sizeof cells / sizeof *cells;
    fputs("all", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, ",c%zu", i);
    fputc('\n', f);
    for (size_t row = 0; row < n; row++) { /* column i holds cells[i] twice, then blank */
        fputs(cells[row], f);
        for (size_t i = 0; i < n; i++)
            fprintf(f, ",%s", row < 2 ? cells[i] : "");
        fputc('\n', f);
    }
    fclose(f);
    round_trip(path, 'c', "csv", (long)n);
    f = fopen(path, "w");
    fputs("{\"a\": 1, \"b\": -0, \"c\": 1e2, \"d\": 18446744073709551616, \"e\": [1, 2.5], \"f\": {\"x\": null}}\n", f);
    fputs("{\"a\": 9223372036854775807, \"b\": 0.0, \"c\": 5, \"d\": -1, \"e\": [], \"f\": {\"y\": [true]}}\n", f);
    fputs("{\"A\": -9223372036854775808, \"f\": {\"x\": \"s\", \"y\": null}, \"g\": {\"1\": {\"k\": 1}}}\n", f);
    fclose(f);
    round_trip(path, 'j', "json", 3);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_inputs_read_back),
        cmocka_unit_test(test_edge_values_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
