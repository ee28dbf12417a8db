/* test_rt_regexval.c — unit tests of LANGUAGE.md §9's regexes as values, time
 * and environment in the runtime (regex.c, regexval.c, timefmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_impl.h"

static PipeArena arena;

static PipeStr S(const char *s)
{
    return pipe_str_lit(s, strlen(s));
}

/* The list of str l joined by '|'. */
static const char *joined(PipeList *l)
{
    static char buf[256];
    size_t k = 0;
    for (size_t i = 0; i < l->len; i++) {
        PipeStr x = ((PipeStr *)l->data)[i];
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%.*s", i ? "|" : "", (int)x.n, x.p);
    }
    buf[k] = '\0';
    return buf;
}

static void test_regex_values(void **state)
{
    (void)state;
    static const struct { const char *re, *s, *caps, *first, *split; } cases[] = {
        {"(\\w+)=(\\d+)?(;)?", "ab=12, cd", "ab=12|ab|12|", "<ab=12>, cd", "|, cd"},
        {"x*", "abc", "", "<>abc", "abc"},
        {"\\d", "a1b22", "1", "a<1>b22", "a|b||"},
        {"[0-9]+", "a1b22", "1", "a<1>b22", "a|b|"}, /* a class run: no PCRE2 call */
        {"lit", "no", "", "no", "no"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        PipeRegex *re = pipe_regex_new(NULL, NULL, S(cases[i].re));
        PipeList *c = pipe_captures(&arena, re, S(cases[i].s));
        assert_string_equal(joined(c), cases[i].caps);
        PipeStr r = pipe_replace_first(&arena, re, S(cases[i].s), S("<\\0>"));
        assert_true(pipe_str_eq(r, S(cases[i].first)));
        assert_string_equal(joined(pipe_split_re(&arena, re, S(cases[i].s))), cases[i].split);
        pipe_regex_free(re);
    }
}

static void test_quote_re(void **state)
{
    (void)state;
    const char *s = "libc++-dev a.b*(c)[d]{e}|^$\\";
    PipeStr q = pipe_quote_re(&arena, S(s));
    assert_true(pipe_str_eq(q, S("libc\\+\\+\\-dev a\\.b\\*\\(c\\)\\[d\\]\\{e\\}\\|\\^\\$\\\\")));
    PipeRegex *re = pipe_regex_new(NULL, NULL, q);
    assert_true(pipe_matches(re, S("x libc++-dev a.b*(c)[d]{e}|^$\\ y")));
    assert_false(pipe_matches(re, S("libcc-dev a.b*(c)[d]{e}|^$\\")));
    pipe_regex_free(re);
}

static void test_time(void **state)
{
    (void)state;
    PipeStr f = pipe_format_time(&arena, NULL, 1709251199.9, S("%Y-%m-%d %H:%M:%S %j"));
    assert_true(pipe_str_eq(f, S("2024-02-29 23:59:59 060")));
    assert_true(pipe_format_time(&arena, NULL, 0, S("")).n == 0);
    assert_true(pipe_parse_time(NULL, S("2024-02-29 23:59:59"), S("%Y-%m-%d %H:%M:%S")) == 1709251199.0);
    assert_true(pipe_parse_time(NULL, S("2024-01-01T00:00:00+0130"), S("%Y-%m-%dT%H:%M:%S%z")) == 1704061800.0);
    assert_true(pipe_parse_time(NULL, S("2024-01-01 GMT"), S("%Y-%m-%d %Z")) == 1704067200.0);
    assert_true(pipe_parse_time(NULL, S("12:30"), S("%H:%M")) == 45000.0);
    char why[160];
    assert_true(pipe_time_format_ok(S("%-d %_5Y %Ey %z"), false, why, sizeof why));
    assert_false(pipe_time_format_ok(S("%-d"), true, why, sizeof why));
    assert_false(pipe_time_format_ok(S("%s"), true, why, sizeof why));
    assert_false(pipe_time_format_ok(S("%Q"), false, why, sizeof why));
    assert_false(pipe_time_format_ok(S("%"), false, why, sizeof why));
    double t = pipe_now();
    assert_true(t > 1.7e9);
}

static void test_env(void **state)
{
    (void)state;
    PipeStr v = {0};
    setenv("PIPE_UNIT_ENV", "v=1", 1);
    assert_true(pipe_env(S("PIPE_UNIT_ENV"), &v) && pipe_str_eq(v, S("v=1")));
    unsetenv("PIPE_UNIT_ENV");
    assert_false(pipe_env(S("PIPE_UNIT_ENV"), &v));
    assert_false(pipe_env(S(""), &v));
    assert_false(pipe_env(S("A=B"), &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_values),
        cmocka_unit_test(test_quote_re),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
