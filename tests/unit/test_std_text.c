/* test_std_text.c — unit tests of the str processors (stdlib/text.c): each case
 * feeds lines through one stage in a real run and checks the exact output. */
#include "test_std_harness.h"

enum {
    OP_GREP, OP_GREP_V, OP_GREP_F, OP_REPLACE, OP_FIND_ALL, OP_UPPER, OP_LOWER, OP_TRIM,
    OP_WORDS, OP_SPLIT, OP_FIELD, OP_TO_INT, OP_TO_FLOAT
};

typedef struct TextCase {
    const char *name;
    int op;
    const char *a, *b; /* regex / literal / sep, replacement */
    int64_t i;         /* field index */
    const char *in, *exp;
} TextCase;

static PipeStr cstr(const char *s)
{
    return (PipeStr){s ? s : "", s ? strlen(s) : 0};
}

static PipeNode *make_text(PipeRt *rt, PipePos pos, const void *arg)
{
    const TextCase *c = arg;
    switch (c->op) {
    case OP_GREP: return pipe_std_grep(rt, pos, cstr(c->a));
    case OP_GREP_V: return pipe_std_grep_v(rt, pos, cstr(c->a));
    case OP_GREP_F: return pipe_std_grep_f(rt, pos, cstr(c->a));
    case OP_REPLACE: return pipe_std_replace(rt, pos, cstr(c->a), cstr(c->b));
    case OP_FIND_ALL: return pipe_std_find_all(rt, pos, cstr(c->a));
    case OP_UPPER: return pipe_std_upper(rt, pos);
    case OP_LOWER: return pipe_std_lower(rt, pos);
    case OP_TRIM: return pipe_std_trim(rt, pos);
    case OP_WORDS: return pipe_std_words(rt, pos);
    case OP_SPLIT: return pipe_std_split(rt, pos, cstr(c->a));
    case OP_FIELD: return pipe_std_field(rt, pos, c->i, cstr(c->a));
    case OP_TO_INT: return pipe_std_to_int(rt, pos);
    default: return pipe_std_to_float(rt, pos);
    }
}

static const TextCase text_cases[] = {
    {"grep regex", OP_GREP, "b+c", 0, 0, "abc\nac\nxbbbc\n\n", "abc\nxbbbc\n"},
    {"grep anchors", OP_GREP, "^a|z$", 0, 0, "ab\nba\nxz\nzx\n", "ab\nxz\n"},
    {"grep empty input", OP_GREP, "a", 0, 0, "", ""},
    {"grep empty regex keeps all", OP_GREP, "", 0, 0, "a\n\nb\n", "a\n\nb\n"},
    {"grep literal", OP_GREP, "ERROR", 0, 0, "an ERROR here\nerror\nERRO\n", "an ERROR here\n"},
    {"grep_v", OP_GREP_V, "[0-9]", 0, 0, "a1\nb\n22\n\nc\n", "b\n\nc\n"},
    {"grep_f", OP_GREP_F, "a.c", 0, 0, "abc\nxa.cx\na.c\n", "xa.cx\na.c\n"},
    {"grep_f rare byte", OP_GREP_F, "ERROR", 0, 0,
     "GET /x?q=ERROR 1\nGET ERRO\nRERROR\nERROR\nEEERRRORR\nERRORERROR\nGET error\n",
     "GET /x?q=ERROR 1\nRERROR\nERROR\nERRORERROR\n"},
    {"grep_f one byte", OP_GREP_F, ",", 0, 0, "a,b\nab\n,\n", "a,b\n,\n"},
    {"grep_f empty literal", OP_GREP_F, "", 0, 0, "a\n\n", "a\n\n"},
    {"grep_f needle longer than line", OP_GREP_F, "abcdef", 0, 0, "abc\nabcdef\nxabcdefx\n",
     "abcdef\nxabcdefx\n"},
    {"grep_f at the end", OP_GREP_F, "xyz", 0, 0, "aaxyz\naaxy\nxyzaa\n", "aaxyz\nxyzaa\n"},
    {"replace all", OP_REPLACE, "[0-9]+", "N", 0, "a1b22c333\nnone\n\n", "aNbNcN\nnone\n\n"},
    {"replace groups", OP_REPLACE, "(\\w+)=(\\w+)", "\\2=\\1", 0, "a=b, cd=ef\n",
     "b=a, ef=cd\n"},
    {"replace to empty", OP_REPLACE, " +", "", 0, " a  b \n", "ab\n"},
    /* [set]+ with a replacement of 0 or 1 bytes: the branch-free path */
    {"replace run edges", OP_REPLACE, "[0-9]+", "N", 0, "12a3\n9\n99x99\nxyz\n", "NaN\nN\nNxN\nxyz\n"},
    {"replace run to empty", OP_REPLACE, "[0-9]+", "", 0, "12a3\n9\nx99y\n", "a\n\nxy\n"},
    {"replace negated run", OP_REPLACE, "[^a-c]+", "-", 0, "abXYcZ\nQQ\n", "ab-c-\n-\n"},
    {"replace run, longer with", OP_REPLACE, "[a-z]+", "<>", 0, "ab1c\n", "<>1<>\n"},
    {"find_all", OP_FIND_ALL, "[0-9]+", 0, 0, "a1b22c333\nnone\n4\n", "1\n22\n333\n4\n"},
    {"find_all skips empty matches", OP_FIND_ALL, "[0-9]*", 0, 0, "a1b22\n", "1\n22\n"},
    {"find_all class run edges", OP_FIND_ALL, "[a-z]+", 0, 0, "ab1c\n1\nxyz\n\n", "ab\nc\nxyz\n"},
    {"upper", OP_UPPER, 0, 0, 0, "abc XyZ 09_\n\n", "ABC XYZ 09_\n\n"},
    {"upper ascii only", OP_UPPER, 0, 0, 0, "caf\xc3\xa9\n", "CAF\xc3\xa9\n"},
    {"lower", OP_LOWER, 0, 0, 0, "ABC xYz \xc3\x89\n", "abc xyz \xc3\x89\n"},
    {"trim", OP_TRIM, 0, 0, 0, "  a b  \n\t\r x\x0b\x0c\n   \n\n", "a b\nx\n\n\n"},
    {"words", OP_WORDS, 0, 0, 0, "  the quick\tbrown  \n\nfox \x0b\x0cjumps\r\n   \n",
     "the\nquick\nbrown\nfox\n\x0b\x0cjumps\r\n"},
    {"words keeps other bytes", OP_WORDS, 0, 0, 0, "a,b c\xa0" "d\n", "a,b\nc\xa0" "d\n"},
    {"split", OP_SPLIT, ",", 0, 0, "a,,b\n\n,\nabc\n", "a\n\nb\n\n\n\nabc\n"},
    {"split multi-byte sep", OP_SPLIT, "::", 0, 0, "a::b:c::\n", "a\nb:c\n\n"},
    {"split empty sep: bytes", OP_SPLIT, "", 0, 0, "abc\n", "a\nb\nc\n"},
    {"field 0", OP_FIELD, " ", 0, 0, "a b c\nabc\n\n b\n", "a\nabc\n\n\n"},
    {"field 2", OP_FIELD, " ", 0, 2, "a b c d\na b\nabc\n\na  c\n", "c\n\n\n\nc\n"},
    {"field 2 multi-byte sep", OP_FIELD, ", ", 0, 2, "a, b, c, d\na, b,c\n", "c\n\n"},
    {"field negative from end", OP_FIELD, ",", 0, -1, "a,b,c\nabc\n\na,\n", "c\nabc\n\n\n"},
    {"field beyond", OP_FIELD, ",", 0, 99, "a,b\n", "\n"},
    {"to_int", OP_TO_INT, 0, 0, 0, "42\n-7\n 5 \n0\n", "42\n-7\n5\n0\n"},
    {"to_float", OP_TO_FLOAT, 0, 0, 0, "1.5\n-2.5\n 0.1 \n2.5e-1\n", "1.5\n-2.5\n0.1\n0.25\n"},
};

static void test_text_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof text_cases / sizeof *text_cases; i++) {
        const TextCase *c = &text_cases[i];
        const PipeType *out = c->op == OP_TO_INT     ? &pipe_t_int
                              : c->op == OP_TO_FLOAT ? &pipe_t_float
                                                     : &pipe_t_str;
        t_check_lines(c->name, make_text, c, c->in, out, c->exp);
    }
}

/* NUL bytes are ordinary bytes inside a line. */
static void test_text_nul_bytes(void **state)
{
    (void)state;
    static const char in[] = "a\0b\nxyz\n\0\n";
    TInput i = t_lines_n(in, sizeof in - 1);

    TextCase upper = {"upper NUL", OP_UPPER, 0, 0, 0, 0, 0};
    assert_int_equal(t_run(make_text, &upper, &i, 1, &pipe_t_str), 0);
    static const char up[] = "A\0B\nXYZ\n\0\n";
    t_expect_n("upper NUL", up, sizeof up - 1);

    TextCase words = {"words NUL", OP_WORDS, 0, 0, 0, 0, 0};
    assert_int_equal(t_run(make_text, &words, &i, 1, &pipe_t_str), 0);
    t_expect_n("words NUL", in, sizeof in - 1);

    free((void *)i.items);
}

/* grep_f with a literal holding NUL: the constructor takes a PipeStr. */
static PipeNode *make_grep_f_nul(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_grep_f(rt, pos, (PipeStr){"\0b", 2});
}

static PipeNode *make_split_nul(PipeRt *rt, PipePos pos, const void *arg)
{
    (void)arg;
    return pipe_std_split(rt, pos, (PipeStr){"\0", 1});
}

static void test_text_nul_literal(void **state)
{
    (void)state;
    static const char in[] = "a\0b\nab\n\0\0b\n";
    TInput i = t_lines_n(in, sizeof in - 1);
    assert_int_equal(t_run(make_grep_f_nul, NULL, &i, 1, &pipe_t_str), 0);
    static const char exp[] = "a\0b\n\0\0b\n";
    t_expect_n("grep_f NUL literal", exp, sizeof exp - 1);

    assert_int_equal(t_run(make_split_nul, NULL, &i, 1, &pipe_t_str), 0);
    t_expect("split on NUL", "a\nb\nab\n\n\nb\n");

    TextCase grep = {"grep NUL", OP_GREP, "^a.b$", 0, 0, 0, 0};
    assert_int_equal(t_run(make_text, &grep, &i, 1, &pipe_t_str), 0);
    static const char exp2[] = "a\0b\n";
    t_expect_n("grep . matches NUL", exp2, sizeof exp2 - 1);

    TextCase field = {"field NUL", OP_FIELD, "b", 0, 0, 0, 0};
    assert_int_equal(t_run(make_text, &field, &i, 1, &pipe_t_str), 0);
    static const char exp3[] = "a\0\na\n\0\0\n";
    t_expect_n("field before b", exp3, sizeof exp3 - 1);
    free((void *)i.items);
}

/* A bad pattern given at run time (a parameter) is a runtime error. */
static void test_bad_regex(void **state)
{
    (void)state;
    TextCase c = {"bad regex", OP_GREP, "a(b", 0, 0, 0, 0};
    TInput i = t_lines("ab\n");
    assert_int_equal(t_run(make_text, &c, &i, 1, &pipe_t_str), 1);
    t_expect("nothing ran", "");
    free((void *)i.items);
}

/* A bad number is a runtime error: exit code 1, what came before is emitted. */
static void test_to_int_error(void **state)
{
    (void)state;
    TextCase c = {"to_int bad", OP_TO_INT, 0, 0, 0, 0, 0};
    TInput i = t_lines("1\nabc\n3\n");
    assert_int_equal(t_run(make_text, &c, &i, 1, &pipe_t_int), 1);
    t_expect("to_int before the error", "1\n");
    free((void *)i.items);
}

/* ---- format */

typedef struct FmtCase {
    const char *name;
    const PipeType *t;
    const char *fmt;
} FmtCase;

static PipeNode *make_format(PipeRt *rt, PipePos pos, const void *arg)
{
    const FmtCase *c = arg;
    return pipe_std_format(rt, pos, c->t, cstr(c->fmt));
}

static void test_format_tuple(void **state)
{
    (void)state;
    static const TStrInt items[] = {{T_STR("ab"), 3}, {T_STR(""), -1}};
    TInput in = {&t_str_int, items, 2};
    static const struct {
        const char *fmt, *exp;
    } cases[] = {
        {"{0}:{1}", "ab:3\n:-1\n"},
        {"{1}{0}{1}", "3ab3\n-1-1\n"},
        {"{} and {}", "ab and 3\n and -1\n"},
        {"{{{0}}} }}{{", "{ab} }{\n{} }{\n"},
        {"no fields", "no fields\nno fields\n"},
        {"", "\n\n"},
        {"[{7}]", "[]\n[]\n"},            /* out of range: empty */
        {"{x} {", "{x} {\n{x} {\n"},       /* not a field: literal */
        {"}", "}\n}\n"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        FmtCase c = {cases[k].fmt, &t_str_int, cases[k].fmt};
        assert_int_equal(t_run(make_format, &c, &in, 1, &pipe_t_str), 0);
        t_expect(cases[k].fmt, cases[k].exp);
    }
}

static void test_format_scalar(void **state)
{
    (void)state;
    static const int64_t ints[] = {1, -20};
    TInput in = t_ints(ints, 2);
    FmtCase c = {"int", &pipe_t_int, "<{0}|{}|{1}>"};
    assert_int_equal(t_run(make_format, &c, &in, 1, &pipe_t_str), 0);
    t_expect("format int", "<1|1|>\n<-20|-20|>\n");

    static const double fl[] = {0.5, 3.25};
    in = t_floats(fl, 2);
    c = (FmtCase){"float", &pipe_t_float, "x={}"};
    assert_int_equal(t_run(make_format, &c, &in, 1, &pipe_t_str), 0);
    t_expect("format float", "x=0.5\nx=3.25\n");

    TInput s = t_lines("a\n\nbc\n");
    c = (FmtCase){"str", &pipe_t_str, "'{0}'"};
    assert_int_equal(t_run(make_format, &c, &s, 1, &pipe_t_str), 0);
    t_expect("format str", "'a'\n''\n'bc'\n");
    free((void *)s.items);
}

/* find_all of a [set]+ class finds the maximal runs itself: 16 bytes at a
 * time when the class is a few byte ranges, else by a byte table; behind
 * upper or lower (its only consumer) it is fused with them.  Checked against
 * a plain scan on generated lines of every length around 16 and 32. */
typedef struct RunCase {
    const char *regex;
    bool (*in)(unsigned char c);
} RunCase;

static bool in_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static bool in_word(unsigned char c) { return in_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
static bool in_not_space(unsigned char c) { return c != ' '; }
static bool in_high(unsigned char c) { return c >= 0x80; }
static bool in_odd_letters(unsigned char c) { return c && strchr("acegikmoqsu", c) != NULL; }
static bool in_ctl(unsigned char c) { return c <= 0x20; }
static bool in_upper_d(unsigned char c) { return (c >= 'A' && c <= 'D') || c == 'z'; }

static int run_front_op; /* OP_UPPER, OP_LOWER or 0 */

static PipeNode *run_front(PipeRt *rt, PipePos pos, int port)
{
    (void)port;
    return run_front_op == OP_UPPER ? pipe_std_upper(rt, pos) : pipe_std_lower(rt, pos);
}

static void test_find_all_runs(void **state)
{
    (void)state;
    static const RunCase cases[] = {
        {"[a-z]+", in_lower}, {"[A-Za-z0-9_]+", in_word}, {"[^ ]+", in_not_space},
        {"[\\x80-\\xff]+", in_high}, {"[acegikmoqsu]+", in_odd_letters},
        {"[\\x00-\\x20]+", in_ctl}, {"[A-Dz]+", in_upper_d},
    };
    static const char alpha[] = "abzAZqM09_ .,\x80\xc3\xff\x01\t";
    size_t cap = 1 << 16, n = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    uint32_t seed = 12345;
    for (int len = 0; len < 70; len++) {
        for (int rep = 0; rep < 4; rep++) {
            for (int k = 0; k < len; k++) {
                seed = seed * 1103515245u + 12345u;
                /* runs of one kind of byte, so that runs cross 16-byte blocks */
                in[n++] = alpha[(seed >> 16) % (sizeof alpha - 1) / (rep + 1)];
            }
            in[n++] = '\n';
        }
    }
    in[n++] = '\0'; /* a last line of one NUL byte */
    in[n++] = '\n';
    TInput input = t_lines_n(in, n);
    char *exp = malloc(2 * n + 1);
    assert_non_null(exp);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        for (int front = 0; front < 3; front++) {
            int op = front == 0 ? 0 : front == 1 ? OP_UPPER : OP_LOWER;
            size_t m = 0;
            bool open = false;
            for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char)in[i];
                if (op == OP_UPPER && b >= 'a' && b <= 'z')
                    b = (unsigned char)(b - 32);
                if (op == OP_LOWER && b >= 'A' && b <= 'Z')
                    b = (unsigned char)(b + 32);
                bool inside = in[i] != '\n' && cases[c].in(b);
                if (inside)
                    exp[m++] = (char)b;
                else if (open)
                    exp[m++] = '\n';
                open = inside;
            }
            TextCase tc = {"find_all run", OP_FIND_ALL, cases[c].regex, 0, 0, 0, 0};
            run_front_op = op;
            if (op)
                t_run_state.front = run_front;
            assert_int_equal(t_run(make_text, &tc, &input, 1, &pipe_t_str), 0);
            char what[80];
            snprintf(what, sizeof what, "find_all(%s) after %s", cases[c].regex,
                     op == OP_UPPER ? "upper" : op == OP_LOWER ? "lower" : "nothing");
            t_expect_n(what, exp, m);
        }
    }
    free(exp);
    free((void *)input.items);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_table),
        cmocka_unit_test(test_find_all_runs),
        cmocka_unit_test(test_text_nul_bytes),
        cmocka_unit_test(test_text_nul_literal),
        cmocka_unit_test(test_to_int_error),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_format_tuple),
        cmocka_unit_test(test_format_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
