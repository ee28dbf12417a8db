/* sandbox.c — safe mode at run time (file paths inside the --allow-read and
 * --allow-write folders, and Landlock when the kernel has it) and --sandbox:
 * Landlock and seccomp confine the run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "rt_impl.h"

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

/* An input file the user named (inputs.c): read under --safe too, where the
 * allowed folders bound only the script's own paths. */
void pipe_rt_sandbox_input(PipeRt *rt, const char *path)
{
    const PipeProgram *p = rt->prog;
    if (p && (p->sandbox || p->safe))
        push_path(&sandbox_of(rt)->reads, &sandbox_of(rt)->nreads, path);
}

void pipe_rt_sandbox_path(PipeRt *rt, PipePathKind kind, PipeStr path)
{
    const PipeProgram *p = rt->prog;
    if (!p || !p->sandbox)
        return;
    RtSandbox *b = sandbox_of(rt);
    char *text = pipe_xstrndup(path.p ? path.p : "", path.n);
    /* a path that safe mode refuses gets no rule: its stage reports it */
    if (kind != PIPE_PATH_GLOB && !pipe_rt_path_allowed(rt, text, kind)) {
        free(text);
        return;
    }
    if (kind == PIPE_PATH_READ) {
        push_path(&b->reads, &b->nreads, text);
    } else if (kind == PIPE_PATH_GLOB) {
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
                if (pipe_rt_path_allowed(rt, g.gl_pathv[k], PIPE_PATH_READ))
                    push_path(&b->reads, &b->nreads, g.gl_pathv[k]);
            }
            globfree(&g);
        }
    } else {
        /* the sink creates its file anyway: create it now (a FIFO without a
         * reader is not waited for), so that the rule can name the file and
         * its folder stays closed (the sink writes it in place: out.c) */
        int fd = pipe_rt_open(rt, text, O_WRONLY | O_CREAT | O_NONBLOCK, 0666, PIPE_PATH_WRITE);
        if (fd >= 0)
            close(fd);
        push_path(&b->writes, &b->nwrites, text);
    }
    free(text);
}

#if defined(__x86_64__) && defined(SYS_landlock_create_ruleset)
#include <linux/landlock.h>
#include <sys/ioctl.h>
#include <ucontext.h>

/* Rights and scopes newer than some linux/landlock.h headers (ABI 3 to 6). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_MAKE_REG | \
                  LANDLOCK_ACCESS_FS_REMOVE_FILE)
#define LL_FILE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

/* struct landlock_ruleset_attr as of ABI 6; an older kernel is given the
 * prefix it knows (the size tells it which). */
typedef struct LlAttr {
    uint64_t fs, net, scoped;
} LlAttr;

/* A Landlock ruleset being filled: its descriptor, the file-system rights it
 * handles, and the option that asked for it (for messages). */
typedef struct Ll {
    int fd;
    uint64_t handled;
    const char *opt;
} Ll;

static void confine_fail(const char *opt, const char *what)
{
    fprintf(stderr, "pipec: error: %s: %s: %s\n", opt, what, strerror(errno));
}

/* Allows rights (within those handled; a file gets only file rights) beneath
 * path; a path that does not exist needs no rule, nor a folder when
 * files_only (a files(glob) match that is a folder: its source refuses it, and
 * a rule would open every file beneath).  False after reporting. */
static bool ll_allow(Ll *l, const char *path, uint64_t rights, bool files_only)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR;
    struct stat st;
    bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    if (!dir)
        rights &= LL_FILE;
    struct landlock_path_beneath_attr pb = {.allowed_access = rights & l->handled, .parent_fd = fd};
    long rc = dir && files_only ? 0 : syscall(SYS_landlock_add_rule, l->fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    errno = e;
    if (rc < 0) {
        char m[600];
        snprintf(m, sizeof m, "cannot allow '%.500s'", path);
        confine_fail(l->opt, m);
        return false;
    }
    return true;
}

/* A ruleset handling every file-system right this kernel knows (ABI 1 rights,
 * REFER from 2, TRUNCATE from 3, IOCTL_DEV from 5); under --sandbox also TCP
 * bind and connect (ABI 4: refused, as no rule allows a port) and the signal
 * and abstract-unix-socket scopes (ABI 6: no signal to, no abstract socket
 * of, a process outside the sandbox).  False after reporting. */
static bool ll_ruleset(Ll *l, long abi, bool sandbox)
{
    LlAttr a = {.fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1};
    size_t size = sizeof a.fs;
    if (abi >= 2)
        a.fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        a.fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        a.fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if (sandbox && abi >= 4) {
        a.net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
        size = offsetof(LlAttr, scoped);
    }
    if (sandbox && abi >= 6) {
        a.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        size = sizeof a;
    }
    l->handled = a.fs;
    l->fd = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
    if (l->fd < 0)
        confine_fail(l->opt, "cannot create a Landlock ruleset");
    return l->fd >= 0;
}

/* The rules: the spill folder, the allowed folders and (--sandbox) the
 * declared files.  False after reporting. */
static bool ll_rules(Ll *l, PipeRt *rt, const char *spill)
{
    const PipeProgram *p = rt->prog;
    bool ok = !spill || ll_allow(l, spill, LL_READ | LL_WRITE, false);
    for (int i = 0; ok && p->allow_read && p->allow_read[i]; i++)
        ok = ll_allow(l, p->allow_read[i], LL_READ, false);
    for (int i = 0; ok && p->allow_write && p->allow_write[i]; i++)
        ok = ll_allow(l, p->allow_write[i], LL_READ | LL_WRITE, false);
#if defined(__SANITIZE_ADDRESS__)
    /* a sanitizer build (make asan): LeakSanitizer reads /proc/PID/task and
     * maps at exit, which `pipec run --safe` reaches in its own process */
    ok = ok && ll_allow(l, "/proc", LL_READ, false);
#endif
    RtSandbox *b = rt->sandbox;
    for (size_t i = 0; ok && b && i < b->nreads; i++)
        ok = ll_allow(l, b->reads[i], LANDLOCK_ACCESS_FS_READ_FILE, true);
    for (size_t i = 0; ok && b && i < b->nwrites; i++)
        ok = ll_allow(l, b->writes[i], LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE, true);
    return ok;
}

/* The Landlock ABI version of this kernel, 0 when it has none. */
static long ll_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? abi : 0;
}

/* Confines the process with Landlock (ABI version abi) as ll_ruleset and
 * ll_rules say, after setting no_new_privs (which Landlock needs, and
 * seccomp after it).  A kernel without Landlock is an error under --sandbox
 * and nothing under --safe (its path checks stay).  *applied tells whether
 * it confined.  False after reporting. */
static bool ll_confine(PipeRt *rt, long abi, const char *spill, bool *applied)
{
    bool sandbox = rt->prog->sandbox;
    Ll l = {-1, 0, sandbox ? "--sandbox" : "--safe"};
    *applied = false;
    if (!abi) {
        if (sandbox)
            confine_fail(l.opt, "Landlock is not available in this kernel");
        return !sandbox;
    }
    if (!ll_ruleset(&l, abi, sandbox))
        return false;
    bool ok = ll_rules(&l, rt, spill);
    if (ok && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        confine_fail(l.opt, "cannot set no_new_privs");
        ok = false;
    }
    if (ok && syscall(SYS_landlock_restrict_self, l.fd, 0) != 0) {
        confine_fail(l.opt, "cannot confine the process with Landlock");
        ok = false;
    }
    close(l.fd);
    *applied = ok;
    return ok;
}

/* ------------------------------------------------------------------ the seccomp filter */

/* A check of one argument of a system call, on the low 32 bits of its
 * register unless said otherwise: every argument checked here is an int or
 * unsigned int (a pid, a command, flags), which the kernel truncates the same
 * way. */
typedef enum ArgTest {
    A_NONE,     /* the end of the checks */
    A_EQ,       /* == v */
    A_SELF,     /* == this process's id */
    A_CLEAR,    /* no bit of v set */
    A_MASK_NE,  /* (arg & mask) != v */
    A_NULL,     /* all 64 bits zero (a pointer) */
} ArgTest;

typedef struct ArgCheck {
    unsigned char arg;
    ArgTest test;
    uint32_t v, mask;
} ArgCheck;

/* When a rule applies: always, only under --safe (no extern proc, so no
 * foreign C: safe mode's own path checks need what it allows), or only
 * without it (an extern proc's C may run). */
enum { W_ALL, W_SAFE, W_EXTERN };

/* One way a call is allowed: its checks must all hold.  The rules of one call
 * follow each other; a call whose rules all fail gets EPERM. */
typedef struct Rule {
    int nr;
    unsigned char when;
    uint32_t action; /* SECCOMP_RET_ALLOW, _TRAP (on_sigsys) or _ERRNO | e */
    ArgCheck c[2];
} Rule;

#define ALLOW SECCOMP_RET_ALLOW
#define ENOSYS_ (SECCOMP_RET_ERRNO | ENOSYS)

/* What a confined run may call, and why (docs/pipe.md has the same table).
 * The hot calls come first: the filter tests the calls in this order. */
static const Rule rules[] = {
    /* I/O on descriptors that are open (Landlock decided when they opened) */
    {SYS_read, W_ALL, ALLOW, {{0}}},
    {SYS_write, W_ALL, ALLOW, {{0}}},
    {SYS_readv, W_ALL, ALLOW, {{0}}},
    {SYS_writev, W_ALL, ALLOW, {{0}}},
    {SYS_pread64, W_ALL, ALLOW, {{0}}},
    {SYS_pwrite64, W_ALL, ALLOW, {{0}}},
    {SYS_lseek, W_ALL, ALLOW, {{0}}},
    {SYS_sendfile, W_ALL, ALLOW, {{0}}}, /* stdin | stdout of a file: the kernel copy */
    {SYS_close, W_ALL, ALLOW, {{0}}},
    {SYS_poll, W_ALL, ALLOW, {{0}}}, /* waiting for input or a stop (stop.c) */
    {SYS_getdents64, W_ALL, ALLOW, {{0}}}, /* listing an allowed folder */
    /* opening a path: Landlock decides, except for an O_PATH descriptor or
     * one opened with access mode 3, which Landlock does not check and which
     * fstat turns into metadata of any file; under --safe (no foreign C)
     * path.c resolves beneath the allowed folders with O_PATH and openat2 */
    {SYS_openat, W_SAFE, ALLOW, {{0}}},
    {SYS_openat, W_EXTERN, ALLOW, {{2, A_CLEAR, O_PATH, 0}, {2, A_MASK_NE, 3, O_ACCMODE}}},
    {SYS_open, W_SAFE, ALLOW, {{0}}},
    {SYS_open, W_EXTERN, ALLOW, {{1, A_CLEAR, O_PATH, 0}, {1, A_MASK_NE, 3, O_ACCMODE}}},
    {SYS_openat2, W_SAFE, ALLOW, {{0}}},
    {SYS_unlink, W_ALL, ALLOW, {{0}}}, /* a spill file made by mkstemp (Landlock decides) */
    /* a file sink written in place is truncated when the run starts (out.c;
     * Landlock decided when it opened) */
    {SYS_ftruncate, W_ALL, ALLOW, {{0}}},
    /* metadata: of an open descriptor only; the C library's fstat is
     * newfstatat(fd, "", AT_EMPTY_PATH), which on_sigsys answers with fstat
     * (a filter cannot read the path); statx fails as if the kernel lacked
     * it, so that callers fall back to fstat */
    {SYS_fstat, W_ALL, ALLOW, {{0}}},
    {SYS_newfstatat, W_SAFE, ALLOW, {{0}}},
    {SYS_newfstatat, W_EXTERN, SECCOMP_RET_TRAP, {{0}}},
    {SYS_statx, W_SAFE, ALLOW, {{0}}},
    {SYS_statx, W_EXTERN, ENOSYS_, {{0}}},
    /* safe mode's path checks (realpath) look at paths after confining */
    {SYS_stat, W_SAFE, ALLOW, {{0}}},
    {SYS_lstat, W_SAFE, ALLOW, {{0}}},
    {SYS_access, W_SAFE, ALLOW, {{0}}},
    {SYS_faccessat, W_SAFE, ALLOW, {{0}}},
    {SYS_faccessat2, W_SAFE, ALLOW, {{0}}},
    {SYS_readlink, W_SAFE, ALLOW, {{0}}},
    {SYS_readlinkat, W_SAFE, ALLOW, {{0}}},
    {SYS_getcwd, W_SAFE, ALLOW, {{0}}},
    /* descriptor flags: no F_SETOWN, F_SETSIG, F_SETLEASE, F_NOTIFY, locks,
     * and no O_ASYNC (SIGIO, or any signal, to another process) */
    {SYS_fcntl, W_ALL, ALLOW, {{1, A_EQ, F_DUPFD_CLOEXEC, 0}}}, /* the kernel copy's counter */
    {SYS_fcntl, W_ALL, ALLOW, {{1, A_EQ, F_GETFD, 0}}},
    {SYS_fcntl, W_ALL, ALLOW, {{1, A_EQ, F_SETFD, 0}}},
    {SYS_fcntl, W_ALL, ALLOW, {{1, A_EQ, F_GETFL, 0}}},
    {SYS_fcntl, W_ALL, ALLOW, {{1, A_EQ, F_SETFL, 0}, {2, A_CLEAR, O_ASYNC, 0}}},
    /* isatty (--progress); no TIOCSTI and no other terminal or device command */
    {SYS_ioctl, W_ALL, ALLOW, {{1, A_EQ, TCGETS, 0}}},
    /* memory: malloc, PCRE2's JIT (executable pages) */
    {SYS_mmap, W_ALL, ALLOW, {{0}}},
    {SYS_munmap, W_ALL, ALLOW, {{0}}},
    {SYS_mremap, W_ALL, ALLOW, {{0}}},
    {SYS_mprotect, W_ALL, ALLOW, {{0}}},
    {SYS_madvise, W_ALL, ALLOW, {{0}}},
    {SYS_brk, W_ALL, ALLOW, {{0}}},
    /* signals of this process: SIGINT, SIGTERM, --timeout's SIGALRM, SIGPIPE
     * while writing, raise() after a stop; tgkill only to itself */
    {SYS_rt_sigaction, W_ALL, ALLOW, {{0}}},
    {SYS_rt_sigprocmask, W_ALL, ALLOW, {{0}}},
    {SYS_rt_sigreturn, W_ALL, ALLOW, {{0}}},
    {SYS_restart_syscall, W_ALL, ALLOW, {{0}}},
    {SYS_tgkill, W_ALL, ALLOW, {{0, A_SELF, 0, 0}}},
    {SYS_getpid, W_ALL, ALLOW, {{0}}},
    {SYS_gettid, W_ALL, ALLOW, {{0}}},
    {SYS_setitimer, W_ALL, ALLOW, {{0}}}, /* --timeout */
    {SYS_alarm, W_ALL, ALLOW, {{0}}},
    /* time (usually the vDSO, these when it is missing), locks, randomness */
    {SYS_clock_gettime, W_ALL, ALLOW, {{0}}},
    {SYS_gettimeofday, W_ALL, ALLOW, {{0}}},
    {SYS_futex, W_ALL, ALLOW, {{0}}},
    {SYS_getrandom, W_ALL, ALLOW, {{0}}},
    /* reading this process's own limits (sysconf, getrlimit): pid 0, no new limit */
    {SYS_prlimit64, W_ALL, ALLOW, {{0, A_EQ, 0, 0}, {2, A_NULL, 0, 0}}},
    {SYS_exit, W_ALL, ALLOW, {{0}}},
    {SYS_exit_group, W_ALL, ALLOW, {{0}}},
    /* as if the kernel lacked it, so that the C library falls back to clone,
     * which fails with EPERM */
    {SYS_clone3, W_ALL, ENOSYS_, {{0}}},
};

#define BPF_MAX 512

typedef struct Bpf {
    struct sock_filter f[BPF_MAX];
    size_t n;
} Bpf;

/* Appends an instruction; returns its index (for patching a jump). */
static size_t put(Bpf *b, struct sock_filter s)
{
    if (b->n < BPF_MAX)
        b->f[b->n] = s;
    return b->n++;
}

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, t, f) ((struct sock_filter)BPF_JUMP(code, k, t, f))
#define LOAD(off) STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(off))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

/* A jump still to be pointed: its index and whether the failure is its true
 * branch. */
typedef struct Fail {
    size_t at;
    bool on_true;
} Fail;

/* Emits the checks of c; each failure jumps to where fails[] will point.
 * Returns the new count of fails. */
static int put_check(Bpf *b, const ArgCheck *c, Fail *fails, int nf)
{
    put(b, LOAD(ARG_LO(c->arg)));
    switch (c->test) {
    case A_EQ:
    case A_SELF: {
        uint32_t v = c->test == A_SELF ? (uint32_t)getpid() : c->v;
        fails[nf++] = (Fail){put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, v, 0, 0)), false};
        break;
    }
    case A_CLEAR:
        fails[nf++] = (Fail){put(b, JUMP(BPF_JMP | BPF_JSET | BPF_K, c->v, 0, 0)), true};
        break;
    case A_MASK_NE:
        put(b, STMT(BPF_ALU | BPF_AND | BPF_K, c->mask));
        fails[nf++] = (Fail){put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, c->v, 0, 0)), true};
        break;
    case A_NULL:
        fails[nf++] = (Fail){put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0)), false};
        put(b, LOAD(ARG_HI(c->arg)));
        fails[nf++] = (Fail){put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0)), false};
        break;
    case A_NONE:
        break;
    }
    return nf;
}

/* Emits rule r: its checks, then its action; a failed check goes on after it
 * (to the next rule of the call, or to the call's EPERM). */
static void put_rule(Bpf *b, const Rule *r)
{
    Fail fails[2 * (sizeof r->c / sizeof r->c[0])];
    int nf = 0;
    for (size_t i = 0; i < sizeof r->c / sizeof r->c[0] && r->c[i].test != A_NONE; i++)
        nf = put_check(b, &r->c[i], fails, nf);
    put(b, STMT(BPF_RET | BPF_K, r->action));
    for (int i = 0; i < nf; i++) {
        uint8_t off = (uint8_t)(b->n - fails[i].at - 1);
        if (fails[i].on_true)
            b->f[fails[i].at].jt = off;
        else
            b->f[fails[i].at].jf = off;
    }
}

static bool rule_applies(const Rule *r, bool safe)
{
    return r->when == W_ALL || r->when == (safe ? W_SAFE : W_EXTERN);
}

/* The filter: the architecture must be x86-64 (else the process is killed:
 * i386's int 0x80 numbers differ), x32 calls fail, then per call in rules[]
 * a test of its number that skips its block when it is another; a call
 * without a block fails with EPERM. */
static void bpf_build(Bpf *b, bool safe)
{
    put(b, LOAD(offsetof(struct seccomp_data, arch)));
    put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
    put(b, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    put(b, LOAD(offsetof(struct seccomp_data, nr)));
    put(b, JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1)); /* x32 */
    put(b, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
    size_t n = sizeof rules / sizeof rules[0];
    for (size_t i = 0; i < n;) {
        int nr = rules[i].nr;
        size_t test = put(b, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 0));
        bool any = false;
        for (; i < n && rules[i].nr == nr; i++)
            if (rule_applies(&rules[i], safe)) {
                put_rule(b, &rules[i]);
                any = true;
            }
        if (!any) { /* under this mode the call has no rule: no block */
            b->n = test;
            continue;
        }
        put(b, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
        b->f[test].jf = (uint8_t)(b->n - test - 1);
    }
    put(b, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
}

/* SIGSYS from the filter's TRAP of newfstatat: the C library's fstat
 * (newfstatat(fd, "", buf, AT_EMPTY_PATH), or a NULL path) is answered with
 * fstat(fd); any other form names a path and fails with EPERM.  Sound
 * whoever handles SIGSYS: the handler makes no call the filter refuses, and
 * fstat looks at the descriptor only, not at the path it was shown. */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    greg_t *r = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    const char *path = (const char *)r[REG_RSI];
    long rc = -EPERM;
    int e = errno;
    if (si->si_syscall == SYS_newfstatat && (r[REG_R10] & AT_EMPTY_PATH) && (!path || !*path))
        rc = syscall(SYS_fstat, (int)r[REG_RDI], (struct stat *)r[REG_RDX]) == 0 ? 0 : -errno;
    r[REG_RAX] = rc;
    errno = e;
}

/* The seccomp filter (no_new_privs is set) and its SIGSYS handler; false
 * after reporting. */
static bool seccomp_install(bool safe)
{
    Bpf *b = pipe_xcalloc(1, sizeof *b); /* 4 KiB: not on the stack */
    bpf_build(b, safe);
    bool ok = b->n <= BPF_MAX;
    if (!ok) { /* rules[] outgrew the buffer: a bug, caught by any sandboxed run */
        errno = E2BIG;
        confine_fail("--sandbox", "the seccomp filter is too long");
    }
    struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    struct sock_fprog prog = {(unsigned short)b->n, b->f};
    if (ok && (sigaction(SIGSYS, &sa, NULL) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)) {
        confine_fail("--sandbox", "cannot install the seccomp filter");
        ok = false;
    }
    free(b); /* the filter allows brk and munmap */
    return ok;
}

/* --sandbox: Landlock, then seccomp; --safe: Landlock when the kernel has it
 * (abi, from ll_abi).  spill is the private spill folder, or NULL.  False
 * after reporting. */
static bool confine(PipeRt *rt, long abi, const char *spill, bool *applied)
{
    if (!ll_confine(rt, abi, spill, applied))
        return false;
    return !rt->prog->sandbox || seccomp_install(rt->prog->safe);
}

#else

static long ll_abi(void)
{
    return 0;
}

static bool confine(PipeRt *rt, long abi, const char *spill, bool *applied)
{
    *applied = false;
    if (!rt->prog->sandbox)
        return true; /* --safe: its path checks only */
    fprintf(stderr, "pipec: error: --sandbox: only supported on Linux on x86-64 (Landlock and seccomp)\n");
    return false;
}

#endif

/* ------------------------------------------------------------------ the spill folder */

/* A confined run's private spill folder (sort's temporary files), and the
 * pipes to the helper process that removes it. */
typedef struct RtSpill {
    char *dir;
    int done; /* closing it tells the helper the run has ended */
    int gone; /* end of file once the helper has removed the folder */
} RtSpill;

/* The helper: waits until the run ends (done reaches end of file, however the
 * run ended: SIGKILL too), removes the folder with whatever a run left in it,
 * exits (gone closes).  It holds no other descriptor, so that readers of the
 * run's output see its end, and ignores the signals a terminal sends. */
static _Noreturn void spill_helper(const char *dir, int done, int gone)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_IGN);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    int lo = done < gone ? done : gone, hi = done < gone ? gone : done;
    if (lo > 0)
        close_range(0, (unsigned)lo - 1, 0);
    if (hi > lo + 1)
        close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    close_range((unsigned)hi + 1, ~0u, 0);
    char c;
    ssize_t r;
    while ((r = read(done, &c, 1)) > 0 || (r < 0 && errno == EINTR))
        ; /* a byte written by the run (an extern proc) is no end */
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        unlinkat(dirfd(d), e->d_name, 0); /* "." and "..": EISDIR */
    if (d)
        closedir(d);
    rmdir(dir);
    _exit(0);
}

/* Makes the private spill folder ($TMPDIR, else /tmp, /pipe-spill.XXXXXX) and
 * its helper, before confining: a confined run may write there and nowhere
 * else in the temporary folder, and may not remove the folder itself.  All
 * signals stay blocked across fork, so that the helper never runs the run's
 * handlers.  False after reporting. */
static bool spill_make(PipeRt *rt)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    size_t n = strlen(tmp);
    char *dir = pipe_xmalloc(n + 32);
    snprintf(dir, n + 32, "%s/pipe-spill.XXXXXX", tmp);
    int done[2] = {-1, -1}, gone[2] = {-1, -1};
    bool made = mkdtemp(dir) != NULL;
    pid_t pid = -1;
    if (made && pipe2(done, O_CLOEXEC) == 0 && pipe2(gone, O_CLOEXEC) == 0) {
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        pid = fork();
        if (pid == 0)
            spill_helper(dir, done[0], gone[1]);
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = e;
    }
    int e = errno;
    close(done[0]); /* the helper's ends (-1 when a pipe failed: EBADF, nothing) */
    close(gone[1]);
    if (pid < 0) {
        close(done[1]);
        close(gone[0]);
        if (made)
            rmdir(dir);
        errno = e;
        fprintf(stderr, "pipec: error: %s: cannot make a private spill folder in %.500s: %s\n",
                rt->prog->sandbox ? "--sandbox" : "--safe", tmp, strerror(errno));
        free(dir);
        return false;
    }
    rt->spill = pipe_xmalloc(sizeof *rt->spill);
    *rt->spill = (RtSpill){dir, done[1], gone[0]};
    return true;
}

const char *pipe_rt_spill_dir(PipeRt *rt)
{
    if (rt->spill)
        return rt->spill->dir;
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

void pipe_rt_spill_end(PipeRt *rt)
{
    RtSpill *s = rt->spill;
    if (!s)
        return;
    close(s->done);
    char c;
    ssize_t r;
    while ((r = read(s->gone, &c, 1)) > 0 || (r < 0 && errno == EINTR))
        ;
    close(s->gone);
    free(s->dir);
    free(s);
    rt->spill = NULL;
}

/* ------------------------------------------------------------------ confining */

void pipe_rt_confine(PipeRt *rt, bool spills)
{
    const PipeProgram *p = rt->prog;
    if (!p || !(p->sandbox || p->safe))
        return;
    bool applied = false;
    /* format_time's local zone comes from TZ or /etc/localtime, which the
     * confined run may not open: read it now (glibc keeps it), else the run
     * would print UTC under a local zone's name */
    tzset();
    long abi = ll_abi(); /* without Landlock no spill folder is needed */
    if (spills && abi && !spill_make(rt))
        pipe_rt_abort(rt, NULL, RT_JMP_FAIL); /* reported: nothing was opened */
    if (!confine(rt, abi, rt->spill ? rt->spill->dir : NULL, &applied))
        pipe_rt_abort(rt, NULL, RT_JMP_FAIL);
    rt->confined = applied;
}
