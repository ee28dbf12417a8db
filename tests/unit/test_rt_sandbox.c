/* test_rt_sandbox.c — the Landlock layer of --safe on its own: after
 * pipe_rt_confine a process opens what the allowed folders hold and nothing
 * else, whatever path check was skipped or raced (a link swapped in after
 * the check), and sort spills to a private folder that goes at the end.
 * Each case confines a child process; skipped where the kernel has no
 * Landlock. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipe_std.h"
#include "rt_impl.h"

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

static char tmpdir[64];

static const char *at(const char *name)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static bool have_landlock(void)
{
#ifdef SYS_landlock_create_ruleset
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) >= 1;
#else
    return false;
#endif
}

/* Whether open(path, flags) fails with EACCES (Landlock's answer). */
static bool refused(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    return fd < 0 && errno == EACCES;
}

static bool opens(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

/* Runs check in a child confined as a --safe run reading in/ and writing
 * out/ (spills: with a spill folder); returns its exit status. */
static int confined_child(bool spills, int (*check)(PipeRt *))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        static const char *rd[2], *wr[2];
        rd[0] = at("in");
        wr[0] = at("out");
        PipeProgram prog = {.name = "t", .safe = true, .allow_read = rd, .allow_write = wr};
        PipeRt *rt = pipe_rt_new();
        jmp_buf jb;
        rt->prog = &prog;
        rt->jmp = &jb;
        if (setjmp(jb))
            _exit(100); /* confining failed */
        pipe_rt_confine(rt, spills);
        _exit(rt->confined ? check(rt) : 101);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* One bit per expectation, so that a failure says which. */
static int check_folders(PipeRt *rt)
{
    int bits = 0;
    bits |= opens(at("in/a.txt"), O_RDONLY) << 0;
    bits |= refused(at("secret.txt"), O_RDONLY) << 1;
    /* a link in the read folder to a file outside: what the path check
     * resolves, or was swapped in after it */
    bits |= refused(at("in/link.txt"), O_RDONLY) << 2;
    bits |= opens(at("out/new.txt"), O_WRONLY | O_CREAT) << 3;
    bits |= refused(at("in/new.txt"), O_WRONLY | O_CREAT) << 4;
    bits |= refused(at("in/a.txt"), O_WRONLY) << 5;
    bits |= refused(tmpdir, O_RDONLY | O_DIRECTORY) << 6;
    return bits;
}

static void test_safe_landlock_folders(void **state)
{
    if (!have_landlock())
        skip();
    assert_int_equal(confined_child(false, check_folders), 0x7f);
}

/* The spill folder: private (inside $TMPDIR, which stays closed), writable,
 * and gone once the run ends. */
static int check_spill(PipeRt *rt)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s", pipe_rt_spill_dir(rt));
    char file[300];
    snprintf(file, sizeof file, "%s/x", dir);
    int bits = 0;
    bits |= (strncmp(dir, tmpdir, strlen(tmpdir)) == 0 && dir[strlen(tmpdir)] == '/') << 0;
    bits |= opens(dir, O_RDWR | O_TMPFILE) << 1;
    bits |= opens(file, O_WRONLY | O_CREAT) << 2;
    bits |= refused(at("elsewhere.txt"), O_WRONLY | O_CREAT) << 3;
    pipe_rt_spill_end(rt);
    bits |= (access(dir, F_OK) != 0 && errno == ENOENT) << 4;
    return bits;
}

static void test_safe_landlock_spill(void **state)
{
    if (!have_landlock())
        skip();
    setenv("TMPDIR", tmpdir, 1);
    int st = confined_child(true, check_spill);
    unsetenv("TMPDIR");
    assert_int_equal(st, 0x1f);
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pipe_sbx_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    if (mkdir(at("in"), 0700) != 0 || mkdir(at("out"), 0700) != 0)
        return -1;
    touch(at("in/a.txt"));
    touch(at("secret.txt"));
    return symlink(at("secret.txt"), at("in/link.txt"));
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe_landlock_folders),
        cmocka_unit_test(test_safe_landlock_spill),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
