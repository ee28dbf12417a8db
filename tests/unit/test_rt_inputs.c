/* test_rt_inputs.c — unit tests of the .gz reader (runtime/inputs.c): gzip
 * made here with zlib, read back through pipe_gz_read with rooms of 1 byte
 * up, as members one after another, and every way the data may be broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "rt_impl.h"

/* text gzipped as one member appended to out (at *n, cap bytes). */
static void gz_member(const char *text, size_t len, unsigned char *out, size_t *n, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)len;
    z.next_out = out + *n;
    z.avail_out = (uInt)(cap - *n);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *n = cap - z.avail_out;
    deflateEnd(&z);
}

/* Reads the gzip bytes [data, data+n) through a temporary file, room bytes
 * at a time, into out; returns the last result (0 at the end, -2 broken). */
static ssize_t gz_all(const unsigned char *data, size_t n, size_t room, char *out, size_t *outn,
                      const char **why)
{
    char path[] = "/tmp/pipe-gz-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    lseek(fd, 0, SEEK_SET);
    unlink(path);
    PipeGz *g = pipe_gz_new();
    assert_non_null(g);
    uint64_t raw = 0;
    ssize_t got;
    *outn = 0;
    *why = NULL;
    while ((got = pipe_gz_read(g, fd, out + *outn, room, &raw, why)) > 0)
        *outn += (size_t)got;
    if (got == 0)
        assert_int_equal(raw, n);
    pipe_gz_free(g);
    close(fd);
    return got;
}

typedef struct Case {
    const char *name;
    const char *members[3]; /* texts of the members, NULL after the last */
    size_t cut;             /* bytes cut from the end */
    const char *tail;       /* bytes after the last member */
    const char *why;        /* NULL: read whole; else the start of the error */
} Case;

static const Case cases[] = {
    {"one member", {"a\nb\n"}, 0, NULL, NULL},
    {"two members", {"a\n", "b\nc"}, 0, NULL, NULL},
    {"an empty member among others", {"x\n", "", "y\n"}, 0, NULL, NULL},
    {"only an empty member", {""}, 0, NULL, NULL},
    {"truncated", {"hello hello hello\n"}, 5, NULL, "truncated gzip data"},
    {"garbage after", {"a\n"}, 0, "zz", "corrupt gzip data"},
    {"no member: an empty file", {NULL}, 0, NULL, "not gzip data"},
};

static void test_gz_cases(void **state)
{
    static const size_t rooms[] = {1, 3, 7, 4096};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const Case *k = &cases[c];
        unsigned char data[4096];
        size_t n = 0;
        char want[256] = "";
        for (int m = 0; m < 3 && k->members[m]; m++) {
            gz_member(k->members[m], strlen(k->members[m]), data, &n, sizeof data);
            strcat(want, k->members[m]);
        }
        n -= k->cut;
        if (k->tail) {
            memcpy(data + n, k->tail, strlen(k->tail));
            n += strlen(k->tail);
        }
        for (size_t r = 0; r < sizeof rooms / sizeof rooms[0]; r++) {
            char out[256];
            size_t outn;
            const char *why;
            ssize_t got = gz_all(data, n, rooms[r], out, &outn, &why);
            if (!k->why) {
                if (got != 0 || outn != strlen(want) || memcmp(out, want, outn))
                    fail_msg("%s (room %zu): got %zd, %zu bytes", k->name, rooms[r], got, outn);
            } else if (got != -2 || !why || strncmp(why, k->why, strlen(k->why))) {
                fail_msg("%s (room %zu): got %zd, why %s", k->name, rooms[r], got, why ? why : "(none)");
            }
        }
    }
}

/* A big member through a small room: every byte comes back in order. */
static void test_gz_big(void **state)
{
    size_t len = 1 << 20;
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + (i * 7919) % 26);
    size_t cap = len + 4096, n = 0;
    unsigned char *data = malloc(cap);
    gz_member(text, len, data, &n, cap);
    char *out = malloc(len + 16);
    size_t outn;
    const char *why;
    assert_int_equal(gz_all(data, n, 1000, out, &outn, &why), 0);
    assert_int_equal(outn, len);
    assert_memory_equal(out, text, len);
    free(text);
    free(data);
    free(out);
}

static void test_gz_name(void **state)
{
    assert_true(pipe_gz_name("a.gz"));
    assert_true(pipe_gz_name("/x/y.log.gz"));
    assert_false(pipe_gz_name(".gz"));
    assert_false(pipe_gz_name("a.gzip"));
    assert_false(pipe_gz_name("a.GZ"));
    assert_false(pipe_gz_name("-"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gz_cases),
        cmocka_unit_test(test_gz_big),
        cmocka_unit_test(test_gz_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
