/* sandbox.c — safe mode at run time (file paths inside the --allow-read and
 * --allow-write folders) and --sandbox: Landlock and seccomp confine the run. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "rt_impl.h"

/* Whether safe mode lets path (read, or written when write) through by name
 * (path.c enforces it when the file is opened). */
static bool safe_ok(PipeRt *rt, const char *path, bool write)
{
    if (!rt->prog->safe)
        return true;
    char *r = pipe_path_resolve(path);
    bool ok = false;
    const char *const *w = rt->prog->allow_write, *const *rd = rt->prog->allow_read;
    for (int i = 0; r && w && w[i] && !ok; i++)
        ok = pipe_path_inside(r, w[i]);
    for (int i = 0; r && !write && rd && rd[i] && !ok; i++)
        ok = pipe_path_inside(r, rd[i]);
    free(r);
    return ok;
}

/* ------------------------------------------------------------------ --sandbox */

/* What the run declared before it confined itself. */
typedef struct RtSandbox {
    char **reads, **writes; /* files to read, files to write (heap) */
    size_t nreads, nwrites;
    char **patterns;        /* files(glob) patterns, and for each */
    char ***matches;        /* its matches (NULL-terminated) */
    size_t *nmatches, npatterns;
} RtSandbox;

static RtSandbox *sandbox_of(PipeRt *rt)
{
    if (!rt->sandbox)
        rt->sandbox = pipe_xcalloc(1, sizeof *rt->sandbox);
    return rt->sandbox;
}

static void push_path(char ***v, size_t *n, const char *p)
{
    *v = pipe_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = pipe_xstrndup(p, strlen(p));
}

void pipe_rt_sandbox_free(PipeRt *rt)
{
    RtSandbox *b = rt->sandbox;
    if (!b)
        return;
    for (size_t i = 0; i < b->nreads; i++)
        free(b->reads[i]);
    for (size_t i = 0; i < b->nwrites; i++)
        free(b->writes[i]);
    for (size_t i = 0; i < b->npatterns; i++) {
        for (size_t k = 0; k < b->nmatches[i]; k++)
            free(b->matches[i][k]);
        free(b->matches[i]);
        free(b->patterns[i]);
    }
    free(b->reads);
    free(b->writes);
    free(b->patterns);
    free(b->matches);
    free(b->nmatches);
    free(b);
    rt->sandbox = NULL;
}

char **pipe_rt_sandbox_glob(PipeRt *rt, const char *pattern, size_t *n)
{
    RtSandbox *b = rt->sandbox;
    for (size_t i = 0; b && i < b->npatterns; i++)
        if (strcmp(b->patterns[i], pattern) == 0) {
            *n = b->nmatches[i];
            return b->matches[i];
        }
    return NULL;
}

void pipe_rt_sandbox_path(PipeRt *rt, int kind, PipeStr path)
{
    const PipeProgram *p = rt->prog;
    if (!p || !p->sandbox)
        return;
    RtSandbox *b = sandbox_of(rt);
    char *text = pipe_xstrndup(path.p ? path.p : "", path.n);
    /* a path that safe mode refuses gets no rule: its stage reports it */
    if (kind != 1 && !safe_ok(rt, text, kind == 2)) {
        free(text);
        return;
    }
    if (kind == 0) {
        push_path(&b->reads, &b->nreads, text);
    } else if (kind == 1) {
        glob_t g;
        if (pipe_rt_glob(rt, text, &g) == 0) {
            size_t i = b->npatterns++;
            b->patterns = pipe_xrealloc(b->patterns, b->npatterns * sizeof *b->patterns);
            b->matches = pipe_xrealloc(b->matches, b->npatterns * sizeof *b->matches);
            b->nmatches = pipe_xrealloc(b->nmatches, b->npatterns * sizeof *b->nmatches);
            b->patterns[i] = pipe_xstrndup(text, strlen(text));
            b->matches[i] = NULL;
            b->nmatches[i] = 0;
            for (size_t k = 0; k < g.gl_pathc; k++) {
                push_path(&b->matches[i], &b->nmatches[i], g.gl_pathv[k]);
                if (safe_ok(rt, g.gl_pathv[k], false))
                    push_path(&b->reads, &b->nreads, g.gl_pathv[k]);
            }
            globfree(&g);
        }
    } else {
        /* the sink creates its file anyway: create it now (a FIFO without a
         * reader is not waited for), so that the rule can name the file and
         * its folder stays closed (the sink writes it in place: out.c) */
        int fd = pipe_rt_open(rt, text, O_WRONLY | O_CREAT | O_NONBLOCK, 0666, true);
        if (fd >= 0)
            close(fd);
        push_path(&b->writes, &b->nwrites, text);
    }
    free(text);
}

#if defined(__x86_64__) && defined(SYS_landlock_create_ruleset)
#include <linux/landlock.h>

/* Rights newer than some linux/landlock.h headers (ABI 3 and 5). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_MAKE_REG | \
                  LANDLOCK_ACCESS_FS_REMOVE_FILE)
#define LL_FILE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

static void sandbox_fail(const char *what)
{
    fprintf(stderr, "pipec: error: --sandbox: %s: %s\n", what, strerror(errno));
}

/* Allows rights (within handled; a file gets only file rights) beneath path
 * in ruleset fd; a path that does not exist needs no rule.  False after
 * reporting. */
static bool ll_allow(int ruleset, uint64_t handled, const char *path, uint64_t rights)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights &= LL_FILE;
    struct landlock_path_beneath_attr pb = {.allowed_access = rights & handled, .parent_fd = fd};
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    errno = e;
    if (rc < 0) {
        char m[600];
        snprintf(m, sizeof m, "cannot allow '%.500s'", path);
        sandbox_fail(m);
        return false;
    }
    return true;
}

/* The system calls a confined run makes; everything else fails with EPERM
 * (clone3 with ENOSYS, so that libc falls back to clone, then EPERM).
 * tgkill only to this process (raise). */
static const int allowed_calls[] = {
    SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_sendfile, SYS_open, SYS_openat, SYS_close,
    SYS_fstat, SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_lseek, SYS_access, SYS_faccessat,
    SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_getcwd, SYS_getdents64, SYS_unlink, SYS_unlinkat,
    SYS_ftruncate, SYS_fsync, SYS_fdatasync, SYS_fadvise64, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl, SYS_ioctl,
    SYS_poll, SYS_ppoll, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise, SYS_brk,
    SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack, SYS_restart_syscall,
    SYS_setitimer, SYS_getitimer, SYS_alarm, SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday,
    SYS_time, SYS_clock_nanosleep, SYS_nanosleep, SYS_sched_yield, SYS_getrandom, SYS_futex, SYS_getpid,
    SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getrusage, SYS_prlimit64, SYS_uname,
    SYS_exit, SYS_exit_group,
};

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, t, f) ((struct sock_filter)BPF_JUMP(code, k, t, f))

/* The seccomp filter (no_new_privs is set); false after reporting. */
static bool seccomp_install(void)
{
    enum { N = sizeof allowed_calls / sizeof allowed_calls[0] };
    struct sock_filter f[N + 16];
    size_t k = 0;
    f[k++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[k++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    f[k++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[k++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    f[k++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, N + 5, 0); /* x32: EPERM */
    for (size_t i = 0; i < N; i++) /* a match jumps to ALLOW, the last of the list */
        f[k++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)allowed_calls[i], (uint8_t)(N - i + 5), 0);
    f[k++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    f[k++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    f[k++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 2);
    f[k++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    f[k++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)getpid(), 1, 0);
    f[k++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    f[k++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {(unsigned short)k, f};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        sandbox_fail("cannot install the seccomp filter");
        return false;
    }
    return true;
}

/* The folder sort spills to (stdlib/generic.c spill_tmpfile). */
static const char *spill_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

/* Landlock (best effort over ABI versions: it handles every file-system right
 * this kernel knows) allowing the declared files, the program's folders and
 * the spill folder, then no_new_privs and seccomp.  False after reporting. */
static bool confine(PipeRt *rt, bool spills)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        sandbox_fail("Landlock is not available in this kernel");
        return false;
    }
    uint64_t handled = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */
    if (abi >= 2)
        handled |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    struct landlock_ruleset_attr attr = {.handled_access_fs = handled};
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr.handled_access_fs, 0);
    if (fd < 0) {
        sandbox_fail("cannot create a Landlock ruleset");
        return false;
    }
    const PipeProgram *p = rt->prog;
    RtSandbox *b = sandbox_of(rt);
    bool ok = !spills || ll_allow(fd, handled, spill_dir(), LL_READ | LL_WRITE);
    for (int i = 0; ok && p->allow_read && p->allow_read[i]; i++)
        ok = ll_allow(fd, handled, p->allow_read[i], LL_READ);
    for (int i = 0; ok && p->allow_write && p->allow_write[i]; i++)
        ok = ll_allow(fd, handled, p->allow_write[i], LL_READ | LL_WRITE);
    for (size_t i = 0; ok && i < b->nreads; i++)
        ok = ll_allow(fd, handled, b->reads[i], LANDLOCK_ACCESS_FS_READ_FILE);
    for (size_t i = 0; ok && i < b->nwrites; i++)
        ok = ll_allow(fd, handled, b->writes[i], LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE);
    if (ok && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        sandbox_fail("cannot set no_new_privs");
        ok = false;
    }
    if (ok && syscall(SYS_landlock_restrict_self, fd, 0) != 0) {
        sandbox_fail("cannot confine the process with Landlock");
        ok = false;
    }
    close(fd);
    return ok && seccomp_install();
}

#else

static bool confine(PipeRt *rt, bool spills)
{
    fprintf(stderr, "pipec: error: --sandbox: only supported on Linux on x86-64 (Landlock and seccomp)\n");
    return false;
}

#endif

void pipe_rt_confine(PipeRt *rt, bool spills)
{
    if (!rt->prog || !rt->prog->sandbox)
        return;
    if (!confine(rt, spills))
        pipe_rt_abort(rt, NULL, RT_JMP_FAIL); /* reported: nothing was opened */
    rt->confined = true;
}
