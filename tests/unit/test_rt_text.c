/* test_rt_text.c — unit tests of the runtime's text: value formatting (§7),
 * the string builtins and the regex functions (replace like sed, find_all). */
#include <math.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt_impl.h"

static PipeArena arena;

static PipeStr S(const char *s)
{
    return pipe_str_lit(s, strlen(s));
}

#define assert_str(got, want)                                                                  \
    do {                                                                                       \
        PipeStr g_ = (got);                                                                    \
        const char *w_ = (want);                                                               \
        if (!pipe_str_eq(g_, S(w_)))                                                           \
            fail_msg("got \"%.*s\", want \"%s\"", (int)g_.n, g_.p, w_);                        \
    } while (0)

static int teardown(void **state)
{
    pipe_arena_free(&arena);
    return 0;
}

/* ------------------------------------------------------------------ formatting */

static void test_fmt_int(void **state)
{
    struct {
        int64_t v;
        const char *want;
    } t[] = {{0, "0"}, {7, "7"}, {-7, "-7"}, {1234567890, "1234567890"},
             {INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        assert_str(pipe_int_str(&arena, t[i].v), t[i].want);
}

static void test_fmt_float(void **state)
{
    struct {
        double v;
        const char *want;
    } t[] = {{0.1, "0.1"}, {1e-3, "0.001"}, {1e-4, "0.0001"}, {1e-5, "1e-05"}, {3.0, "3.0"},
             {-0.0, "-0.0"}, {0.0, "0.0"}, {1e21, "1e+21"}, {1e20, "1e+20"}, {1e16, "1e+16"},
             {1e15, "1000000000000000.0"}, {123.456, "123.456"}, {-2.5, "-2.5"},
             {1.0 / 3, "0.3333333333333333"}, {0.1 + 0.2, "0.30000000000000004"},
             {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
             {1.5e-7, "1.5e-07"}, {100.0, "100.0"}, {2.5e100, "2.5e+100"},
             {INFINITY, "inf"}, {-INFINITY, "-inf"}, {NAN, "nan"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        PipeStr s = pipe_float_str(&arena, t[i].v);
        assert_str(s, t[i].want);
        double back;
        assert_true(pipe_parse_float(s, &back));
        if (!isnan(t[i].v))
            assert_true(back == t[i].v && signbit(back) == signbit(t[i].v));
    }
}

/* The significant digits of a float's text ("-0.00120" -> 3: "12" plus none). */
static int sig_digits(PipeStr s)
{
    int n = 0, lead = 1, zeros = 0;
    for (size_t i = 0; i < s.n && s.p[i] != 'e'; i++) {
        char c = s.p[i];
        if (c < '0' || c > '9')
            continue;
        if (lead && c == '0')
            continue;
        lead = 0;
        zeros = c == '0' ? zeros + 1 : 0;
        n++;
    }
    return n ? n - zeros : 1;
}

/* Against an exhaustive search (every length from 1 to 17 with printf):
 * the text reads back to the same double and has the fewest digits, for
 * doubles of every kind: random bits (subnormals too), short decimals as
 * data holds them, integers near 2^53 and 10^15. */
static void test_fmt_float_shortest(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        switch (i % 4) {
        case 0: memcpy(&v, &x, sizeof v); break;
        case 1: v = (double)(int64_t)(x % 2000000001) / 1000.0; break;
        case 2: v = (double)(x % 100000) * pow(10, (double)(int)(x % 40) - 20); break;
        default: v = (double)(x % 20000000000000000u) - 1e16; break;
        }
        if (isnan(v) || isinf(v))
            continue;
        int want = 17;
        char e[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(e, sizeof e, "%.*e", prec - 1, v);
            if (strtod(e, NULL) == v) {
                want = prec;
                break;
            }
        }
        PipeStr s = pipe_float_str(&arena, v);
        double back;
        assert_true(pipe_parse_float(s, &back));
        assert_true(back == v);
        if (v != 0 && sig_digits(s) != want)
            fail_msg("%.17g printed as %.*s: %d digits, the shortest has %d", v, (int)s.n, s.p, sig_digits(s), want);
    }
}

/* Decimals of every shape read exactly as strtod reads them (the fast path
 * for up to 15 digits, strtod past it): signs, leading zeros, points first
 * and last, up to 25 digits, up to 24 after the point. */
static void test_parse_float_like_strtod(void **state)
{
    uint64_t x = 0x2545f4914f6cdd1du;
    char buf[64];
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int n = 0, ndig = 1 + (int)(x % 25), at = (int)((x >> 8) % (uint64_t)(ndig + 1));
        uint64_t r = x >> 16;
        if (r % 5 == 0)
            buf[n++] = r % 2 ? '-' : '+';
        for (int d = 0; d < ndig; d++) {
            if (d == at && (x >> 40) % 3)
                buf[n++] = '.';
            r = r * 6364136223846793005u + 1442695040888963407u;
            buf[n++] = (char)('0' + (r >> 60) % 10);
        }
        buf[n] = '\0';
        double got, want = strtod(buf, NULL);
        assert_true(pipe_parse_float((PipeStr){buf, (size_t)n}, &got));
        if (memcmp(&got, &want, sizeof got))
            fail_msg("%s read as %.17g, strtod reads %.17g", buf, got, want);
    }
    double v;
    assert_false(pipe_parse_float((PipeStr){"-", 1}, &v));
    assert_false(pipe_parse_float((PipeStr){".", 1}, &v));
    assert_false(pipe_parse_float((PipeStr){"1.2.3", 5}, &v));
    assert_true(pipe_parse_float((PipeStr){" -0.0 ", 6}, &v) && v == 0 && signbit(v));
}

/* Powers of two, whose doubles below are twice as close as those above: the
 * closest 16 digits can miss where the next 16 read back (as Python prints). */
static void test_fmt_float_pow2(void **state)
{
    assert_str(pipe_float_str(&arena, ldexp(1, -1017)), "7.120236347223045e-307");
    assert_str(pipe_float_str(&arena, ldexp(1, 378)), "6.156563468186638e+113");
    for (int k = -1074; k < 1024; k++) {
        double v = ldexp(1, k), back;
        PipeStr s = pipe_float_str(&arena, v);
        assert_true(pipe_parse_float(s, &back) && back == v);
        assert_true(sig_digits(s) <= 17);
    }
}

typedef struct Trip {
    PipeStr s;
    int64_t n;
    double f;
} Trip;
static const PipeType *const trip_fields[] = {&pipe_t_str, &pipe_t_int, &pipe_t_float};
static const uint32_t trip_offs[] = {offsetof(Trip, s), offsetof(Trip, n), offsetof(Trip, f)};
static const PipeType t_trip = {PIPE_K_TUPLE, sizeof(Trip), alignof(Trip), 3, trip_fields, trip_offs, NULL, NULL, NULL, NULL};
static const PipeType t_list_trip = {PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *), 0, NULL, NULL, &t_trip, NULL, NULL, NULL};
static const PipeType t_list_bool = {PIPE_K_LIST, sizeof(PipeList *), alignof(PipeList *), 0, NULL, NULL, &pipe_t_bool, NULL, NULL, NULL};
static const PipeType t_map = {PIPE_K_MAP, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_str, &pipe_t_int, NULL, NULL};
static const PipeType t_set = {PIPE_K_SET, sizeof(PipeMap *), alignof(PipeMap *), 0, NULL, NULL, &pipe_t_int, NULL, NULL, NULL};

static void test_fmt_composite(void **state)
{
    Trip t = {S("a b"), -3, 2.0};
    assert_str(pipe_str_of(&arena, &t_trip, &t), "a b\t-3\t2.0");
    PipeList *l = pipe_list_new(&arena, sizeof(Trip), 0);
    *(Trip *)pipe_list_push(l) = t;
    Trip t2 = {S(""), 1, 0.5};
    *(Trip *)pipe_list_push(l) = t2;
    assert_str(pipe_str_of(&arena, &t_list_trip, &l), "a b\t-3\t2.0 \t1\t0.5");
    PipeList *lb = pipe_list_new(&arena, sizeof(bool), 0), *empty = NULL;
    *(bool *)pipe_list_push(lb) = true;
    *(bool *)pipe_list_push(lb) = false;
    assert_str(pipe_str_of(&arena, &t_list_bool, &lb), "true false");
    assert_str(pipe_str_of(&arena, &t_list_bool, &empty), "");
    PipeMap *m = pipe_map_new(&pipe_t_str, &pipe_t_int);
    PipeStr k1 = S("x"), k2 = S("y");
    *(int64_t *)pipe_map_upsert(m, &k1, NULL) = 1;
    *(int64_t *)pipe_map_upsert(m, &k2, NULL) = 2;
    assert_str(pipe_str_of(&arena, &t_map, &m), "x=1 y=2");
    pipe_map_free(m);
    PipeMap *s = pipe_map_new(&pipe_t_int, NULL);
    for (int64_t i = 3; i > 0; i--)
        pipe_map_upsert(s, &i, NULL);
    assert_str(pipe_str_of(&arena, &t_set, &s), "3 2 1");
    pipe_map_free(s);
    /* a long composite value grows its arena buffer */
    PipeList *big = pipe_list_new(&arena, sizeof(bool), 0);
    for (int i = 0; i < 1000; i++)
        *(bool *)pipe_list_push(big) = true;
    assert_int_equal(pipe_str_of(&arena, &t_list_bool, &big).n, 1000 * 5 - 1);
    int64_t n = 42;
    bool b = false;
    double f = 1e-7;
    assert_str(pipe_str_of(&arena, &pipe_t_int, &n), "42");
    assert_str(pipe_str_of(&arena, &pipe_t_bool, &b), "false");
    assert_str(pipe_str_of(&arena, &pipe_t_float, &f), "1e-07");
}

/* ------------------------------------------------------------------ string builtins */

static void test_case_trim(void **state)
{
    assert_str(pipe_upper(&arena, S("Hello, World! \xe9")), "HELLO, WORLD! \xe9");
    assert_str(pipe_lower(&arena, S("Hello, World!")), "hello, world!");
    assert_str(pipe_lower(&arena, S("")), "");
    PipeStr same = S("abc");
    assert_ptr_equal(pipe_lower(&arena, same).p, same.p); /* nothing to change: no copy */
    assert_str(pipe_trim(S(" \t x y \r\n\v\f")), "x y");
    assert_str(pipe_trim(S("   ")), "");
    assert_str(pipe_trim(S("")), "");
    assert_str(pipe_concat(&arena, S("ab"), S("cd")), "abcd");
    assert_str(pipe_concat(&arena, S(""), S("cd")), "cd");
}

static void test_search(void **state)
{
    assert_true(pipe_contains(S("an ERROR here"), S("ERROR")));
    assert_false(pipe_contains(S("an error"), S("ERROR")));
    assert_true(pipe_contains(S("x"), S("")));
    assert_false(pipe_contains(S(""), S("x")));
    assert_true(pipe_starts_with(S("abc"), S("ab")));
    assert_false(pipe_starts_with(S("a"), S("ab")));
    assert_true(pipe_ends_with(S("abc"), S("bc")));
    assert_true(pipe_ends_with(S("abc"), S("")));
    assert_false(pipe_ends_with(S("abc"), S("ab")));
    assert_int_equal(pipe_find(S("hello"), S("l")), 2);
    assert_int_equal(pipe_find(S("hello"), S("lo")), 3);
    assert_int_equal(pipe_find(S("hello"), S("z")), -1);
    assert_int_equal(pipe_find(S("hello"), S("")), 0);
    assert_int_equal(pipe_find(S(""), S("a")), -1);
}

static void test_substr(void **state)
{
    struct {
        const char *s;
        int64_t start, len;
        const char *want;
    } t[] = {{"hello", 1, 3, "ell"}, {"hello", 0, 100, "hello"}, {"hello", 5, 1, ""},
             {"hello", 9, 1, ""}, {"hello", -3, 2, "ll"}, {"hello", -10, 2, "he"},
             {"hello", 2, -1, ""}, {"", 0, 5, ""}, {"hello", -1, 5, "o"},
             {"hello", INT64_MIN, INT64_MAX, "hello"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        assert_str(pipe_substr(S(t[i].s), t[i].start, t[i].len), t[i].want);
}

static void check_list(PipeList *l, const char *const *want, size_t n)
{
    assert_int_equal(l->len, n);
    for (size_t i = 0; i < n; i++)
        assert_str(*(PipeStr *)pipe_list_at(l, (int64_t)i), want[i]);
}

static void test_split_words_field(void **state)
{
    const char *w1[] = {"a", "b", "", "c"};
    check_list(pipe_split(&arena, S("a,b,,c"), S(",")), w1, 4);
    const char *w2[] = {""};
    check_list(pipe_split(&arena, S(""), S(",")), w2, 1);
    const char *w3[] = {"x", "y", "z"};
    check_list(pipe_split(&arena, S("x::y::z"), S("::")), w3, 3);
    check_list(pipe_split(&arena, S("xyz"), S("")), w3, 3);
    check_list(pipe_split(&arena, S(""), S("")), NULL, 0);
    const char *w4[] = {"", ""};
    check_list(pipe_split(&arena, S(","), S(",")), w4, 2);
    const char *w5[] = {"one", "two", "three"};
    check_list(pipe_words(&arena, S("  one\ttwo \n three  ")), w5, 3);
    /* awk's fields: \r, \f and \v are part of a word */
    const char *w6[] = {"one", "\r", "t\fw\vo\r"};
    check_list(pipe_words(&arena, S("one \r t\fw\vo\r")), w6, 3);
    check_list(pipe_words(&arena, S(" \t ")), NULL, 0);
    check_list(pipe_words(&arena, S("")), NULL, 0);
    assert_str(pipe_field(S("a b c"), 0, S(" ")), "a");
    assert_str(pipe_field(S("a b c"), 2, S(" ")), "c");
    assert_str(pipe_field(S("a b c"), 3, S(" ")), "");
    assert_str(pipe_field(S("a b c"), -1, S(" ")), "c");
    assert_str(pipe_field(S("a b c"), -3, S(" ")), "a");
    assert_str(pipe_field(S("a b c"), -4, S(" ")), "");
    assert_str(pipe_field(S("a  b"), 1, S(" ")), "");
    assert_str(pipe_field(S("k=>v"), 1, S("=>")), "v");
    assert_str(pipe_field(S(""), 0, S(",")), "");
    assert_str(pipe_field(S("abc"), 1, S("")), "b");
    /* the 16-byte skipping of pipe_field against pipe_split, on lines with
     * from 0 to 16 separators per block (runs of them, fields at the edges) */
    unsigned seed = 12345;
    for (int line = 0; line < 400; line++) {
        char buf[200];
        size_t n = (size_t)(line % 97) + 1;
        int dense = line % 5; /* 0: no spaces ... 4: mostly spaces */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (int)((seed >> 16) % 5) < dense ? ' ' : (char)('a' + (seed >> 20) % 26);
        }
        PipeStr s = {buf, n};
        PipeList *parts = pipe_split(&arena, s, S(" "));
        for (int64_t k = 0; k < (int64_t)parts->len + 3; k++) {
            PipeStr want = k < (int64_t)parts->len ? ((PipeStr *)parts->data)[k] : S("");
            PipeStr got = pipe_field(s, k, S(" "));
            assert_int_equal(got.n, want.n);
            assert_memory_equal(got.n ? got.p : "", want.n ? want.p : "", got.n);
            if (got.n)
                assert_ptr_equal(got.p, want.p);
        }
        pipe_arena_reset(&arena);
    }
    PipeList *l = pipe_split(&arena, S("a,b,c"), S(","));
    assert_str(pipe_join(&arena, &pipe_t_str, l, S("-")), "a-b-c");
    assert_str(pipe_join(&arena, &pipe_t_str, NULL, S("-")), "");
    PipeList *li = pipe_list_new(&arena, 8, 0);
    for (int64_t i = -1; i < 3; i++)
        *(int64_t *)pipe_list_push(li) = i;
    assert_str(pipe_join(&arena, &pipe_t_int, li, S(", ")), "-1, 0, 1, 2");
}

/* pipe_field_at (fields of one line in any order, going on from the last one
 * found, or back from it) and the separator counting under it, with POPCNT
 * and without, against pipe_split: lines of 0 to 199 bytes, separators from
 * none to most bytes, and runs of indexes forward, backward, repeated and past
 * the end. */
static void test_field_at(void **state)
{
    (void)state;
    int saved = pipe_skip_popcnt;
    for (int mode = 0; mode < 2; mode++) {
        pipe_skip_popcnt = mode == 0 ? 0 : saved; /* the SSE2 path, then the CPU's */
        unsigned seed = 777;
        for (int line = 0; line < 600; line++) {
            char buf[200];
            size_t n = (size_t)(line * 7 % 200);
            int dense = line % 6;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = (int)((seed >> 16) % 6) < dense ? ',' : (char)('a' + (seed >> 20) % 26);
            }
            PipeStr s = {n ? buf : NULL, n};
            PipeList *parts = pipe_split(&arena, s, S(","));
            int64_t np = (int64_t)parts->len;
            PipeFieldAt fa = {0};
            for (int q = 0; q < 12; q++) {
                seed = seed * 1103515245u + 12345u;
                int64_t k = (int64_t)((seed >> 16) % (unsigned)(np + 3));
                if (q % 4 == 3)
                    k = -1 - k % (np + 1); /* negative: from the end, no memo */
                PipeStr want = pipe_field(s, k, S(","));
                if (k >= 0)
                    want = k < np ? ((PipeStr *)parts->data)[k] : S("");
                PipeStr got = pipe_field_at(&fa, s, k, S(","));
                if (got.n != want.n || (got.n && memcmp(got.p, want.p, got.n)))
                    fail_msg("mode %d line %d: field %lld is '%.*s', want '%.*s'", mode, line, (long long)k,
                             (int)got.n, got.n ? got.p : "", (int)want.n, want.n ? want.p : "");
                if (got.n)
                    assert_ptr_equal(got.p, want.p);
                /* another separator on the same line: not from the memo */
                PipeStr other = pipe_field_at(&fa, s, 1, S("a"));
                PipeStr other_want = pipe_field(s, 1, S("a"));
                assert_int_equal(other.n, other_want.n);
                if (q % 2)
                    fa = (PipeFieldAt){0};
            }
            pipe_arena_reset(&arena);
        }
    }
    pipe_skip_popcnt = saved;
}

/* pipe_count_byte with AVX2 and without, against a plain loop: every length
 * from 0 to 700 at every start offset mod 8 (the 128-, 32- and 16-byte steps
 * and the bytes after them), and 100 KB of nothing but the byte (the byte
 * counters must be summed before they wrap). */
static void test_count_byte(void **state)
{
    (void)state;
    static char buf[100000];
    int saved = pipe_count_avx2;
    for (int mode = 0; mode < 2; mode++) {
        pipe_count_avx2 = mode == 0 ? 0 : saved;
        unsigned seed = 99;
        for (size_t i = 0; i < 1000; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (seed >> 16) % 7 == 0 ? '\n' : 'x';
        }
        for (size_t off = 0; off < 8; off++)
            for (size_t n = 0; n <= 700; n++) {
                size_t want = 0;
                for (size_t i = 0; i < n; i++)
                    want += buf[off + i] == '\n';
                if (pipe_count_byte(buf + off, n, '\n') != want)
                    fail_msg("mode %d: %zu bytes at %zu: %zu, want %zu", mode, n, off,
                             pipe_count_byte(buf + off, n, '\n'), want);
            }
        memset(buf, '\n', sizeof buf);
        assert_int_equal(pipe_count_byte(buf, sizeof buf, '\n'), sizeof buf);
        assert_int_equal(pipe_count_byte(buf + 3, sizeof buf - 5, '\n'), sizeof buf - 5);
    }
    pipe_count_avx2 = saved;
}

static void test_numbers(void **state)
{
    struct {
        const char *s;
        bool ok;
        int64_t v;
    } t[] = {{"42", true, 42}, {" -7 ", true, -7}, {"+3", true, 3}, {"0x1F", true, 31},
             {"-0x10", true, -16}, {"9223372036854775807", true, INT64_MAX},
             {"-9223372036854775808", true, INT64_MIN}, {"9223372036854775808", false, 0},
             {"99999999999999999999", false, 0}, {"", false, 0}, {"  ", false, 0},
             {"abc", false, 0}, {"12a", false, 0}, {"1 2", false, 0}, {"-", false, 0},
             {"0x", false, 0}, {"3.5", false, 0}, {"007", true, 7},
             {"999999999999999999", true, 999999999999999999LL}, {"-999999999999999999", true, -999999999999999999LL},
             {"1000000000000000000", true, 1000000000000000000LL}, {"12345678901234567x", false, 0},
             {"-00000000000000000000001", true, -1}, {"+", false, 0}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        int64_t v = -999;
        bool ok = pipe_parse_int(S(t[i].s), &v);
        if (ok != t[i].ok)
            fail_msg("parse_int(\"%s\") gave %d", t[i].s, ok);
        if (ok)
            assert_int_equal(v, t[i].v);
    }
    struct {
        const char *s;
        bool ok;
        double v;
    } f[] = {{"3.5", true, 3.5}, {" 1e-3\t", true, 1e-3}, {"-2", true, -2}, {"inf", true, INFINITY},
             {"-inf", true, -INFINITY}, {"1e999", true, INFINITY}, {"", false, 0}, {"x", false, 0},
             {"1.5.2", false, 0}, {"1,5", false, 0}};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        double v = -999;
        bool ok = pipe_parse_float(S(f[i].s), &v);
        if (ok != f[i].ok)
            fail_msg("parse_float(\"%s\") gave %d", f[i].s, ok);
        if (ok)
            assert_true(v == f[i].v);
    }
    double v;
    assert_true(pipe_parse_float(S("nan"), &v) && isnan(v));
    char longnum[200];
    memset(longnum, '1', sizeof longnum - 3);
    strcpy(longnum + sizeof longnum - 3, ".5");
    assert_true(pipe_parse_float(S(longnum), &v) && v > 1e190);
    /* idiv/imod truncate toward zero like C */
    assert_int_equal(pipe_idiv(NULL, 7, 2), 3);
    assert_int_equal(pipe_idiv(NULL, -7, 2), -3);
    assert_int_equal(pipe_imod(NULL, -7, 2), -1);
    assert_int_equal(pipe_imod(NULL, 7, -2), 1);
    assert_int_equal(pipe_idiv(NULL, INT64_MIN + 1, -1), INT64_MAX); /* INT64_MIN / -1 fails: tests/golden */
    assert_int_equal(pipe_imod(NULL, INT64_MIN, -1), 0);
}

/* ------------------------------------------------------------------ regex */

static PipeRegex *re(const char *pat)
{
    char err[128];
    size_t off;
    PipeRegex *r = pipe_regex_compile(S(pat), err, sizeof err, &off);
    if (!r)
        fail_msg("regex %s: %s", pat, err);
    return r;
}

static void test_regex_compile_errors(void **state)
{
    char err[128] = "";
    size_t off = 99;
    assert_null(pipe_regex_compile(S("a(b"), err, sizeof err, &off));
    assert_int_equal(off, 3);
    assert_true(strlen(err) > 0);
    assert_null(pipe_regex_compile(S("[z-a]"), err, sizeof err, &off));
}

static void test_regex_replace(void **state)
{
    struct {
        const char *s, *re, *with, *want;
    } t[] = {
        {"abc", "x*", "-", "-a-b-c-"},
        {"baaac", "a*", "x", "xbxcx"},
        {"hello world", "o", "0", "hell0 w0rld"},
        {"hello", "z", "!", "hello"},
        {"", "x*", "-", "-"},
        {"", "a", "-", ""},
        {"john smith", "(\\w+) (\\w+)", "\\2, \\1", "smith, john"},
        {"a1b22c333", "[0-9]+", "N", "aNbNcN"},
        {"abc", "b", "[\\0\\0]", "a[bb]c"},
        {"abc", "b", "\\\\", "a\\c"},
        {"abc", "(x)?b", "<\\1>", "a<>c"},
        {"aaa", "a", "", ""},
        {"/api/v2/users/17", "/users/[0-9]+", "/users/N", "/api/v2/users/N"},
        {"ab", "a|x*|b", "-", "--"},
        {"x.y.z", ".", "_", "_____"},
        {"x.y.z", "\\.", "_", "x_y_z"},
        {"line\r", "\r$", "", "line"},
        {"caf\xc3\xa9!", "\xc3\xa9", "e", "cafe!"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        PipeRegex *r = re(t[i].re);
        PipeStr got = pipe_replace(&arena, r, S(t[i].s), S(t[i].with));
        if (!pipe_str_eq(got, S(t[i].want)))
            fail_msg("replace(\"%s\", /%s/, \"%s\") = \"%.*s\", want \"%s\"", t[i].s, t[i].re,
                     t[i].with, (int)got.n, got.p, t[i].want);
        pipe_regex_free(r);
    }
}

static void test_regex_match_find_all(void **state)
{
    PipeRegex *r = re("/api/v[0-9]+/users/[0-9]+");
    assert_true(pipe_matches(r, S("GET /internal/api/v1/users/12/debug HTTP")));
    assert_false(pipe_matches(r, S("GET /api/v2beta/users/1")));
    assert_false(pipe_matches(r, S("")));
    pipe_regex_free(r);
    r = re("ERROR"); /* literal fast path */
    assert_true(pipe_matches(r, S("x ERROR y")));
    assert_false(pipe_matches(r, S("x error y")));
    assert_false(pipe_matches(r, S("ERRO")));
    PipeList *l = pipe_find_all(&arena, r, S("ERRORERROR ERROR"));
    assert_int_equal(l->len, 3);
    pipe_regex_free(r);
    r = re("[0-9]+");
    const char *w[] = {"12", "3", "456"};
    check_list(pipe_find_all(&arena, r, S("a12b3c456")), w, 3);
    check_list(pipe_find_all(&arena, r, S("none")), NULL, 0);
    pipe_regex_free(r);
    r = re("x*"); /* only empty matches: none reported, like grep -o */
    check_list(pipe_find_all(&arena, r, S("abc")), NULL, 0);
    const char *w2[] = {"xx", "x"};
    check_list(pipe_find_all(&arena, r, S("axxbx")), w2, 2);
    pipe_regex_free(r);
    r = re("^a"); /* anchors see the whole subject */
    assert_int_equal(pipe_find_all(&arena, r, S("aaa"))->len, 1);
    pipe_regex_free(r);
    /* NUL bytes are ordinary bytes */
    r = re("b");
    PipeStr withnul = {"a\0b\0b", 5};
    assert_int_equal(pipe_find_all(&arena, r, withnul)->len, 2);
    pipe_regex_free(r);
}

static void test_regex_cache(void **state)
{
    PipeRt *rt = pipe_rt_new();
    PipePos pos = {"t.pipe", 1, 1};
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "grep", pos);
    PipeRegexCache c = {0};
    PipeRegex *a = pipe_regex_cached(&c, n, S("a+"));
    assert_ptr_equal(pipe_regex_cached(&c, n, S("a+")), a);
    PipeRegex *b = pipe_regex_cached(&c, n, S("b+"));
    assert_true(pipe_matches(b, S("xbbx")));
    assert_false(pipe_matches(b, S("xaax")));
    PipeRegex *k = pipe_regex_new(rt, n, S("k"));
    assert_true(pipe_matches(k, S("ok")));
    pipe_rt_free(rt); /* frees the cached and registered regexes */
    assert_null(c.re); /* and empties the cache: a static one works in the next run */
    rt = pipe_rt_new();
    n = pipe_node_new(rt, sizeof(PipeNode), "grep", pos);
    assert_true(pipe_matches(pipe_regex_cached(&c, n, S("b+")), S("b")));
    pipe_rt_free(rt);
    assert_null(c.re);
}

/* pipe_find (memchr on the rarest byte, then memcmp) agrees with a naive search. */
static void test_find_random(void **state)
{
    unsigned seed = 12345;
    char hay[64], needle[6];
    for (int iter = 0; iter < 200000; iter++) {
        size_t hn = (seed = seed * 1103515245 + 12345) >> 16 & 31;
        size_t nn = 1 + ((seed = seed * 1103515245 + 12345) >> 16) % 5;
        for (size_t i = 0; i < hn; i++)
            hay[i] = "aAb E"[((seed = seed * 1103515245 + 12345) >> 16) % 5];
        for (size_t i = 0; i < nn; i++)
            needle[i] = "aAb E"[((seed = seed * 1103515245 + 12345) >> 16) % 5];
        int64_t want = -1;
        for (size_t i = 0; i + nn <= hn && want < 0; i++)
            if (memcmp(hay + i, needle, nn) == 0)
                want = (int64_t)i;
        PipeStr h = {hay, hn}, nd = {needle, nn};
        if (pipe_find(h, nd) != want)
            fail_msg("find(\"%.*s\", \"%.*s\") = %lld, want %lld", (int)hn, hay, (int)nn, needle,
                     (long long)pipe_find(h, nd), (long long)want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fmt_int, teardown),
        cmocka_unit_test_teardown(test_fmt_float, teardown),
        cmocka_unit_test_teardown(test_fmt_float_shortest, teardown),
        cmocka_unit_test_teardown(test_fmt_float_pow2, teardown),
        cmocka_unit_test_teardown(test_parse_float_like_strtod, teardown),
        cmocka_unit_test_teardown(test_fmt_composite, teardown),
        cmocka_unit_test_teardown(test_case_trim, teardown),
        cmocka_unit_test_teardown(test_search, teardown),
        cmocka_unit_test_teardown(test_substr, teardown),
        cmocka_unit_test_teardown(test_split_words_field, teardown),
        cmocka_unit_test_teardown(test_numbers, teardown),
        cmocka_unit_test_teardown(test_regex_compile_errors, teardown),
        cmocka_unit_test_teardown(test_regex_replace, teardown),
        cmocka_unit_test_teardown(test_regex_match_find_all, teardown),
        cmocka_unit_test_teardown(test_regex_cache, teardown),
        cmocka_unit_test_teardown(test_find_random, teardown),
        cmocka_unit_test_teardown(test_field_at, teardown),
        cmocka_unit_test(test_count_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
