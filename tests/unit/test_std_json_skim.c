/* test_std_json_skim.c — json(T) skips the values it has no field for with a
 * fast skimmer (stdlib/records.c, json_skim) and falls back to the checked
 * steps (json_skip) only to say what is wrong.  The skimmer must never accept
 * what the steps reject: here both judge the same texts, seeds and hundreds
 * of thousands of their mutations (a byte replaced by one that matters to
 * JSON, deleted or doubled), and must agree on every one. */
#include <stdint.h>
#include <string.h>

#include "test_std_harness.h"

static const char *const seeds[] = {
    "{\"id\":1,\"name\":\"Elizabeth Mensah\",\"amount\":264.89,\"active\":true,\"rank\":2654435761,"
    "\"comment\":\"arrived on time\",\"tags\":[],\"geo\":{\"lat\":-33.1654,\"lon\":95.7781}}",
    "{\"tags\":[\"promo\",\"b2b\"],\"x\":null,\"e\":-0.5e-7,\"E\":1E+2,\"z\":0,\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}",
    "[\"\\ud83d\\ude00 \\u00e9\", {\"k\": [ 1 , 2 , { } , [ ] ]}, false, -12, 3.25]",
    " \t\"a string with some length to cross sixteen bytes, twice over\" ",
    "[[[[[[[[[[1]]]]]]]]]]",
    "{\"a\":{\"b\":{\"c\":{\"d\":[{\"e\":\"f\"}]}}}}",
    "-0",
    "\"\"",
};

/* A byte that matters to JSON's grammar, chosen by r. */
static char pick(uint32_t r)
{
    static const char set[] = "{}[]\",:\\ \t\n\r0123456789.eE+-truefalsnu/bx\x01\x1f\x7f\x80";
    return set[r % (sizeof set - 1)];
}

static uint32_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33);
}

static void agree(const char *text, size_t n, int *accepted)
{
    char e1[200], e2[200];
    PipeStr s = {text, n};
    bool fast = pipe_json_check(s, e1, sizeof e1), steps = pipe_json_check_steps(s, e2, sizeof e2);
    if (fast != steps || (!fast && strcmp(e1, e2) != 0)) {
        print_error("skim and steps differ on [%.*s]: %s / %s\n", (int)n, text, fast ? "ok" : e1, steps ? "ok" : e2);
        fail();
    }
    *accepted += fast;
}

static void test_skim_agrees(void **state)
{
    (void)state;
    uint64_t rng = 42;
    int accepted = 0, total = 0;
    char buf[512];
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        size_t n = strlen(seeds[i]);
        agree(seeds[i], n, &accepted);
        for (int m = 0; m < 40000; m++, total++) {
            memcpy(buf, seeds[i], n);
            size_t len = n;
            for (int k = 1 + (int)(next(&rng) % 3); k > 0 && len > 0; k--) {
                size_t at = next(&rng) % len;
                switch (next(&rng) % 3) {
                case 0: buf[at] = pick(next(&rng)); break;
                case 1: memmove(buf + at, buf + at + 1, len - at - 1), len--; break;
                default:
                    memmove(buf + at + 1, buf + at, len - at);
                    len++;
                    break;
                }
            }
            agree(buf, len, &accepted);
        }
    }
    /* both verdicts occur often enough for the agreement to mean something */
    assert_true(accepted > total / 50);
    assert_true(accepted < total / 2);
}

/* Past 64 levels the skimmer hands over to the steps: deep but valid
 * texts are accepted, one bracket short is not. */
static void test_skim_deep(void **state)
{
    (void)state;
    static char buf[2 * 600 + 1];
    for (int depth = 60; depth <= 520; depth += 20) {
        memset(buf, '[', (size_t)depth);
        memset(buf + depth, ']', (size_t)depth);
        char err[200];
        bool ok = pipe_json_check((PipeStr){buf, 2 * (size_t)depth}, err, sizeof err);
        assert_int_equal(ok, depth <= 512);
        assert_false(pipe_json_check((PipeStr){buf, 2 * (size_t)depth - 1}, err, sizeof err));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skim_agrees),
        cmocka_unit_test(test_skim_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
