/* test_rt_numfmt.c — unit tests of runtime/numfmt.c: fmt's pattern grammar
 * and output against C's printf, round/pow of ints and floats, UTF-8 length
 * and case mapping (LANGUAGE.md §9). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipe.h"
#include "utf8case_impl.h"

static PipeArena arena;

static PipeStr S(const char *s)
{
    PipeStr r = {s, strlen(s)};
    return r;
}

#define assert_str(got, want)                                                                  \
    do {                                                                                       \
        PipeStr g_ = (got);                                                                    \
        const char *w_ = (want);                                                               \
        if (g_.n != strlen(w_) || memcmp(g_.p, w_, g_.n))                                      \
            fail_msg("got \"%.*s\", want \"%s\"", (int)g_.n, g_.p, w_);                        \
    } while (0)

static int teardown(void **state)
{
    pipe_arena_free(&arena);
    return 0;
}

/* ------------------------------------------------------------------ fmt */

static void test_fmt_next(void **state)
{
    struct {
        const char *pat;
        char conv;
        int width, prec;
        const char *error; /* a word of the error, or NULL */
    } t[] = {
        {"%d", 'd', 0, -1, NULL},      {"%-08.3f", 'f', 8, 3, NULL},  {"%.s", 's', 0, 0, NULL},
        {"%%", '%', 0, -1, NULL},      {"%5%", '%', 5, -1, "flags"},   {"%", '\0', 0, -1, "ends"},
        {"%*d", '*', 0, -1, "'*'"},    {"%ld", 'l', 0, -1, "length"},  {"%q", 'q', 0, -1, "unknown"},
        {"%05s", 's', 5, -1, "'-'"},   {"%#d", 'd', 0, -1, "'#'"},     {"%+x", 'x', 0, -1, "signed"},
        {"% o", 'o', 0, -1, "signed"}, {"%1000d", 'd', 1000, -1, NULL}, {"%1001d", 'd', 1001, -1, "width"},
        {"%.1001f", 'f', 0, 1001, "precision"}, {"%#o", 'o', 0, -1, NULL}, {"%c", 'c', 0, -1, "unknown"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t at = 0;
        PipeFmtConv c;
        assert_int_equal(pipe_fmt_next(S(t[i].pat), &at, &c), 1);
        if (c.conv != t[i].conv || (!t[i].error && (c.width != t[i].width || c.prec != t[i].prec)))
            fail_msg("%s: conv '%c' width %d prec %d", t[i].pat, c.conv, c.width, c.prec);
        if (!t[i].error != !c.error || (c.error && !strstr(c.error, t[i].error)))
            fail_msg("%s: error %s, want one with %s", t[i].pat, c.error ? c.error : "none",
                     t[i].error ? t[i].error : "none");
        if (!t[i].error)
            assert_int_equal(at, strlen(t[i].pat));
    }
    size_t at = 0;
    PipeFmtConv c;
    assert_int_equal(pipe_fmt_next(S("no conversion"), &at, &c), 0);
    assert_int_equal(at, 13);
}

/* Each pattern of one int against C's printf of the same with "ll". */
static void test_fmt_ints(void **state)
{
    const char *pats[] = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%i", "%x", "%X", "%#x",
                          "%08x", "%o", "%#o", "%.0d", "%-+8.3i"};
    const int64_t vals[] = {0, 1, -1, 42, -42, 255, INT64_MAX, INT64_MIN};
    for (size_t p = 0; p < sizeof pats / sizeof *pats; p++)
        for (size_t v = 0; v < sizeof vals / sizeof *vals; v++) {
            char spec[16], want[64];
            size_t n = strlen(pats[p]);
            size_t conv = n - 1;
            while (pats[p][conv] == '|')
                conv--;
            snprintf(spec, sizeof spec, "%.*sll%s", (int)conv, pats[p], pats[p] + conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            snprintf(want, sizeof want, spec, (long long)vals[v]);
#pragma GCC diagnostic pop
            PipeFmtArg a = {.i = vals[v]};
            assert_str(pipe_fmt(&arena, S(pats[p]), &a), want);
        }
}

static void test_fmt_floats(void **state)
{
    const char *pats[] = {"%f", "%05.1f", "%.0f", "%e", "%.2E", "%g", "%G", "%#g", "%+.3e", "%-12.4f|",
                          "% F", "%.30f", "%#.0f", "%20.10g"};
    const double vals[] = {0.0, -0.0, 0.5, 1.5, 2.5, -2.675, 1e-5, 123456789.0, 1e300, 5e-324, INFINITY,
                           -INFINITY, NAN};
    for (size_t p = 0; p < sizeof pats / sizeof *pats; p++)
        for (size_t v = 0; v < sizeof vals / sizeof *vals; v++) {
            char want[512];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            snprintf(want, sizeof want, pats[p], vals[v]);
#pragma GCC diagnostic pop
            PipeFmtArg a = {.f = vals[v]};
            assert_str(pipe_fmt(&arena, S(pats[p]), &a), want);
        }
}

static void test_fmt_text(void **state)
{
    PipeFmtArg a[3] = {{.s = S("héllo")}, {.i = 7}, {.s = S("")}};
    assert_str(pipe_fmt(&arena, S("[%s] [%-8s] [%.2s] [%8.3s]"), (PipeFmtArg[]){a[0], a[0], a[0], a[0]}),
               "[héllo] [héllo  ] [h\xc3] [     hé]");
    assert_str(pipe_fmt(&arena, S("%s=%d%%%s."), a), "héllo=7%.");
    assert_str(pipe_fmt(&arena, S(""), NULL), "");
    assert_str(pipe_fmt(&arena, S("100%% sure"), NULL), "100% sure");
    /* a NUL byte in the text is a byte like any other */
    PipeFmtArg z = {.s = {"a\0b", 3}};
    PipeStr r = pipe_fmt(&arena, S("[%4s]"), &z);
    assert_int_equal(r.n, 6);
    assert_memory_equal(r.p, "[ a\0b]", 6);
    /* past the 512 bytes on the stack: the arena takes over */
    char big[3001];
    memset(big, 'x', 3000);
    big[3000] = '\0';
    PipeFmtArg b[2] = {{.s = S(big)}, {.i = 1}};
    r = pipe_fmt(&arena, S("<%s|%1000d>"), b);
    assert_int_equal(r.n, 3000 + 1000 + 3);
    assert_int_equal(r.p[1 + 3000 + 1 + 999], '1');
    assert_int_equal(r.p[r.n - 1], '>');
}

/* ------------------------------------------------------------------ numbers */

static void test_round_to(void **state)
{
    struct {
        double x;
        int64_t d;
        double want;
    } t[] = {
        {2.5, 0, 3.0},        {-2.5, 0, -3.0},       {0.125, 2, 0.13},      {-0.125, 2, -0.13},
        {2.675, 2, 2.67},     {1.005, 2, 1.0},       {1.45, 1, 1.4},        {1234.5678, -2, 1200.0},
        {1250.0, -2, 1300.0}, {-1250.0, -2, -1300.0}, {49.0, -2, 0.0},      {50.0, -2, 100.0},
        {5e-324, 400, 5e-324}, {1.5, 30, 1.5},        {1e300, -299, 1e300}, {4.6e300, -300, 5e300}, {4.5e300, -300, 4e300} /* 4.4999...e300 */,
        {0.5, -1, 0.0},       {9.5, -1, 10.0},       {1e16, 2, 1e16},       {-62567.518254200695, 11, -62567.51825420070},
        {0.0000005, 6, 0.0} /* 4.99...e-07 */, {123.456, 23, 123.456},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        double r = pipe_round_to(t[i].x, t[i].d);
        if (r != t[i].want)
            fail_msg("round(%.17g, %lld) = %.17g, want %.17g", t[i].x, (long long)t[i].d, r, t[i].want);
    }
    assert_true(signbit(pipe_round_to(-0.04, 1)) && pipe_round_to(-0.04, 1) == 0.0);
    assert_true(signbit(pipe_round_to(-4.0, -1)) && pipe_round_to(-4.0, -1) == 0.0);
    assert_true(isnan(pipe_round_to(NAN, 2)));
    assert_true(pipe_round_to(-INFINITY, -2) == -INFINITY);
    assert_true(pipe_round(-0.5) == -1.0 && pipe_floor(-0.5) == -1.0 && pipe_ceil(-0.5) == 0.0);
    assert_true(isnan(pipe_sqrt(-1.0)) && pipe_pow(0.0, 0.0) == 1.0 && isinf(pipe_pow(10.0, 400.0)));
}

/* pipe_round, pipe_floor, pipe_ceil (no libm) agree with libm's bit for bit,
 * the sign of a zero included */
static void test_round_floor_ceil_libm(void **state)
{
    double edge[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                     4503599627370495.5, -4503599627370495.5, 4503599627370496.0, 9007199254740993.0, 1e300,
                     -1e300, 5e-324, -5e-324, INFINITY, -INFINITY, 0.9999999999999999, -0.9999999999999999};
    uint64_t st = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        double x;
        if (i < (int)(sizeof edge / sizeof *edge)) {
            x = edge[i];
        } else {
            st ^= st << 13, st ^= st >> 7, st ^= st << 17;
            x = ((double)(int64_t)st / 9.3e18) * pow(10.0, (double)(int)(st % 40) - 20);
        }
        double got[3] = {pipe_round(x), pipe_floor(x), pipe_ceil(x)}, want[3] = {round(x), floor(x), ceil(x)};
        for (int k = 0; k < 3; k++)
            if (memcmp(&got[k], &want[k], sizeof(double)))
                fail_msg("function %d of %.17g: %.17g, libm %.17g", k, x, got[k], want[k]);
    }
    assert_true(isnan(pipe_round(NAN)) && isnan(pipe_floor(NAN)) && isnan(pipe_ceil(NAN)));
}

static void test_int_round_pow(void **state)
{
    assert_int_equal(pipe_iround_to(NULL, 15, -1), 20);
    assert_int_equal(pipe_iround_to(NULL, -15, -1), -20);
    assert_int_equal(pipe_iround_to(NULL, 14, -1), 10);
    assert_int_equal(pipe_iround_to(NULL, 7, 3), 7);
    assert_int_equal(pipe_iround_to(NULL, INT64_MAX, -18), 9000000000000000000);
    assert_int_equal(pipe_iround_to(NULL, INT64_MIN, -18), -9000000000000000000);
    assert_int_equal(pipe_iround_to(NULL, 4999999999999999999, -19), 0);
    assert_int_equal(pipe_iround_to(NULL, INT64_MAX, -400), 0);
    assert_int_equal(pipe_ipow(NULL, 2, 62), (int64_t)1 << 62);
    assert_int_equal(pipe_ipow(NULL, -2, 63), INT64_MIN);
    assert_int_equal(pipe_ipow(NULL, 0, 0), 1);
    assert_int_equal(pipe_ipow(NULL, -1, INT64_MAX), -1);
    assert_int_equal(pipe_ipow(NULL, 0, INT64_MAX), 0);
    assert_int_equal(pipe_ipow(NULL, 3, 39), 4052555153018976267);
    assert_int_equal(pipe_ipow(NULL, 10, 18), 1000000000000000000);
}

/* ------------------------------------------------------------------ UTF-8 */

static void test_len_chars(void **state)
{
    struct {
        const char *s;
        int64_t want;
    } t[] = {
        {"", 0},          {"abc", 3},           {"héllo", 5},         {"日本", 2},          {"😀", 1},
        {"\xff", 1},      {"\xc3", 1},          {"\xc3(", 2},         {"\xe2\x82", 2},      {"\xed\xa0\x80", 3},
        {"\xc0\xaf", 2},  {"\xf4\x90\x80\x80", 4}, {"\xf4\x8f\xbf\xbf", 1}, {"\xe0\x9f\xbf", 3}, {"\x80\xc3\xa9", 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (pipe_len_chars(S(t[i].s)) != t[i].want)
            fail_msg("len_chars(%s) = %lld, want %lld", t[i].s, (long long)pipe_len_chars(S(t[i].s)),
                     (long long)t[i].want);
}

static void test_case_utf8(void **state)
{
    assert_str(pipe_upper_utf8(&arena, S("héllo wörld ÿ œ ı ſ µ ß")), "HÉLLO WÖRLD Ÿ Œ I S Μ ß");
    assert_str(pipe_lower_utf8(&arena, S("ÀÉÎ ΣΊΣΥΦΟΣ ЁЛКА Ÿ İ")), "àéî σίσυφοσ ёлка ÿ İ");
    assert_str(pipe_upper_utf8(&arena, S("ɐ\xff\xc3(")), "Ɐ\xff\xc3(");
    assert_str(pipe_upper_utf8(&arena, S("")), "");
    assert_str(pipe_lower_utf8(&arena, S("日本 😀 ABC")), "日本 😀 abc");
    /* the longest growth the output buffer allows: 2 bytes to 3, every one */
    assert_str(pipe_upper_utf8(&arena, S("ɐɐɐɐɐɐ")), "ⱯⱯⱯⱯⱯⱯ");
}

/* The tables: sorted (binary search), each pair a change, and no character
 * longer by more than half in UTF-8 (utf8_case's buffer) */
static int utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void test_case_tables(void **state)
{
    const PipeCasePair *tabs[] = {case_upper, case_lower};
    size_t ns[] = {sizeof case_upper / sizeof *case_upper, sizeof case_lower / sizeof *case_lower};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < ns[k]; i++) {
            const PipeCasePair *p = &tabs[k][i];
            if (i && p->from <= tabs[k][i - 1].from)
                fail_msg("table %d not sorted at U+%04X", k, (unsigned)p->from);
            assert_true(p->from != p->to && p->from >= 0x80 && p->to < 0x10000);
            assert_true(2 * utf8_len(p->to) <= 3 * utf8_len(p->from));
        }
    assert_true(ns[0] > 500 && ns[1] > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_next),
        cmocka_unit_test_teardown(test_fmt_ints, teardown),
        cmocka_unit_test_teardown(test_fmt_floats, teardown),
        cmocka_unit_test_teardown(test_fmt_text, teardown),
        cmocka_unit_test(test_round_to),
        cmocka_unit_test(test_round_floor_ceil_libm),
        cmocka_unit_test(test_int_round_pow),
        cmocka_unit_test(test_len_chars),
        cmocka_unit_test_teardown(test_case_utf8, teardown),
        cmocka_unit_test(test_case_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
