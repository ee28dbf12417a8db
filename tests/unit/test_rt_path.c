/* test_rt_path.c — unit tests of safe mode's opens (runtime/path.c): fixed
 * attacks (a dangling link out with O_CREAT, an absolute link, `..` above the
 * folder, a link inward, which only openat2 follows) and random trees of
 * folders, files, FIFOs and links checked against the kernel's own openat2
 * (path_model.h; tests/fuzz/fuzz_path.c explores the same with libFuzzer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "path_model.h"

/* A folder with a link out, a dangling link out, an inward link and a file. */
static void test_fixed_attacks(void **state)
{
    char base[] = "/tmp/pipe-path-XXXXXX";
    assert_non_null(mkdtemp(base));
    char p[256], q[400];
    snprintf(p, sizeof p, "%s/in", base);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/in/sub", base);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/in/sub/f", base);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(p, sizeof p, "%s/in/out", base);
    assert_int_equal(symlink("/etc", p), 0);
    snprintf(p, sizeof p, "%s/in/dangling", base);
    assert_int_equal(symlink("../created", p), 0);
    snprintf(p, sizeof p, "%s/in/inward", base);
    assert_int_equal(symlink("sub", p), 0);
    char root[256];
    snprintf(p, sizeof p, "%s/in", base);
    assert_non_null(realpath(p, root));
    int dfd = open(root, O_PATH | O_DIRECTORY);
    assert_true(dfd >= 0);
    const char *dirs[] = {root, NULL};

    /* O_CREAT through a dangling link out: refused, nothing created */
    snprintf(q, sizeof q, "%s/dangling", root);
    assert_int_equal(pipe_path_open_in(dirs, q, O_WRONLY | O_CREAT, 0600), -1);
    assert_int_equal(errno, EXDEV);
    assert_int_equal(pipe_path_walk_open(dfd, "dangling", O_WRONLY | O_CREAT, 0600), -1);
    assert_int_equal(errno, ELOOP);
    snprintf(p, sizeof p, "%s/created", base);
    assert_int_equal(access(p, F_OK), -1);
    /* an absolute link, `..` above */
    snprintf(q, sizeof q, "%s/out/passwd", root);
    assert_int_equal(pipe_path_open_in(dirs, q, O_RDONLY, 0), -1);
    assert_int_equal(pipe_path_walk_open(dfd, "out/passwd", O_RDONLY, 0), -1);
    assert_int_equal(pipe_path_walk_open(dfd, "sub/../../x", O_RDONLY, 0), -1);
    assert_int_equal(errno, EXDEV);
    assert_int_equal(pipe_path_open_in(dirs, "/etc/passwd", O_RDONLY, 0), -1);
    assert_int_equal(errno, EXDEV);
    /* inside: plain, with `..` that stays in, through an inward link (openat2 only) */
    int fd = pipe_path_walk_open(dfd, "sub/../sub/f", O_RDONLY, 0);
    assert_true(fd >= 0);
    close(fd);
    snprintf(q, sizeof q, "%s/inward/f", root);
    fd = pipe_path_open_in(dirs, q, O_RDONLY, 0);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(pipe_path_walk_open(dfd, "inward/f", O_RDONLY, 0), -1);
    assert_int_equal(errno, ELOOP);
    close(dfd);
    pm_rm(base);
}

/* 60 random trees, 300 paths each, against openat2. */
static void test_random_trees(void **state)
{
    int failures = 0;
    for (unsigned long long seed = 1; seed <= 60; seed++) {
        PmChoices c = {.rng = seed * 0x9E3779B97F4A7C15ull};
        failures += pm_run(&c, 300);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_attacks),
        cmocka_unit_test(test_random_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
