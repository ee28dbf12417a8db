/* native.c — `pipec run` from native code: the emitted C compiled once, in the
 * background, into a shared object in the cache folder; later runs load it. */
#include "native.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "cache.h"
#include "embed.h"
#include "emit.h"
#include "sha256.h"
#include "version.h"

#define NATIVE_KEEP 32          /* run objects kept in the cache folder, the last used */
#define NATIVE_MIN_CPU_MS 50    /* a JIT run that used this much CPU time starts a build */
#define NATIVE_LOCK_STALE 600   /* seconds: an older lock is a killed build's */
/* what the key holds besides the C: change it when the way objects are made changes */
#define NATIVE_RECIPE "pipec native 1: -fPIC -shared -Wl,-Bsymbolic -falign-functions=64, the runtime in, pipe_native_key"

/* Sets n->why (what --stats prints after the code's kind) and, under
 * PIPEC_NATIVE_DEBUG, prints it. */
__attribute__((format(printf, 2, 3)))
static void note(Native *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->why, sizeof n->why, fmt, ap);
    va_end(ap);
    if (n->debug)
        fprintf(stderr, "pipec: native: %s\n", n->why);
}

/* A hash of the runtime's text that pipec embeds, which every object holds
 * compiled: 8 bytes a step (sha256 of its 560 KB would cost a hit 3 ms; the
 * key's safety rests on the folder's permissions, not on this hash). */
static uint64_t runtime_hash(void)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (const PipeEmbedded *f = pipe_embedded; f->path; f++) {
        size_t n = strlen(f->text), i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, f->text + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdu;
            h ^= h >> 32;
        }
        for (; i < n; i++)
            h = (h ^ (unsigned char)f->text[i]) * 0x100000001b3u;
        h = (h ^ n) * 0xc4ceb9fe1a85ec53u;
    }
    return h;
}

/* The key of an object: the C text, pipec's version and runtime, the compiler
 * command and the compiler's file (device, inode, size and time: an upgrade
 * changes it; with a wrapper such as ccache, the wrapper's). */
static void make_key(Native *n, const char *cc_path, const char *code, size_t len)
{
    Sha256 h;
    sha256_init(&h);
    sha256_update(&h, NATIVE_RECIPE, sizeof NATIVE_RECIPE);
    sha256_update(&h, PIPEC_VERSION, sizeof PIPEC_VERSION);
    for (int i = 0; i < n->ncc; i++)
        sha256_update(&h, n->cc[i], strlen(n->cc[i]) + 1);
    struct stat st;
    char id[200] = "";
    if (stat(cc_path, &st) == 0)
        snprintf(id, sizeof id, "%llu %llu %lld %lld.%09ld", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec);
    sha256_update(&h, id, strlen(id) + 1);
    uint64_t rt = runtime_hash();
    sha256_update(&h, &rt, sizeof rt);
    sha256_update(&h, code, len);
    unsigned char d[32];
    sha256_final(&h, d);
    for (int i = 0; i < 32; i++)
        snprintf(n->key + 2 * i, 3, "%02x", d[i]);
}

/* Whether native code may run at all; false (n->why says why) when not. */
static bool native_allowed(Native *n, const Compilation *c, bool safe)
{
    const char *env = getenv("PIPEC_NATIVE");
    n->always = env && !strcmp(env, "always");
    if (env && !strcmp(env, "0")) {
        note(n, "PIPEC_NATIVE=0");
        return false;
    }
    if (c->emitted.nextern) {
        note(n, "the script has extern procs, whose C is compiled on its own");
        return false;
    }
    if (safe) {
        note(n, "--safe runs only code compiled now");
        return false;
    }
    if (!cache_dir(n->dir, sizeof n->dir)) {
        note(n, "no cache folder: none of PIPEC_CACHE_DIR, XDG_CACHE_HOME and HOME is set");
        return false;
    }
    n->ncc = build_cc_command(n->cc, 50, &n->cc_text);
    char path[4200];
    if (n->ncc == 0 || !build_find_program(n->cc[0], path, sizeof path)) {
        note(n, "no C compiler ('%s') to build native code with", n->ncc ? n->cc[0] : "cc");
        return false;
    }
    make_key(n, path, c->emitted.code, c->emitted.len);
    return true;
}

/* The cache folder opened, when it is the user's alone (owned by the user,
 * neither group nor others may write it: no one else can put an object in
 * it, or rename one): its descriptor, else -1 (missing is no refusal). */
static int open_dir(Native *n)
{
    int fd = open(n->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        note(n, errno == ENOENT ? "no native object yet" : "cannot open the cache folder %s", n->dir);
        return -1;
    }
    struct stat st = {0};
    if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        note(n, "the cache folder %s is not used for native code: %s", n->dir,
             st.st_uid != geteuid() ? "another user owns it" : "group or others may write it");
        n->off = true;
        close(fd);
        return -1;
    }
    return fd;
}

/* The object opened for loading when it is safe to: a regular file, no
 * symbolic link, owned by the user, not writable by group or others; its
 * descriptor, else -1 after a note (n->off when it was refused). */
static int open_object(Native *n, int dfd, const char *name)
{
    /* O_NONBLOCK: a FIFO in its place must not hang the run */
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    const char *bad = NULL;
    if (fd < 0 && errno == ENOENT) {
        char fail[128];
        snprintf(fail, sizeof fail, "run-%s.fail", n->key);
        if (faccessat(dfd, fail, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
            note(n, "an earlier native build of this C failed: %s/%s", n->dir, fail);
            n->off = true;
        } else {
            note(n, "no native object yet");
        }
        return -1;
    }
    if (fd < 0)
        bad = errno == ELOOP ? "a symbolic link" : strerror(errno);
    else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        bad = "not a regular file";
    else if (st.st_uid != geteuid())
        bad = "another user owns it";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        bad = "group or others may write it";
    if (!bad)
        return fd;
    note(n, "refused %s/%s: %s", n->dir, name, bad);
    n->off = true;
    if (fd >= 0)
        close(fd);
    return -1;
}

/* After a load failed: a marker in place of the object, so that it is not
 * built and refused again at every run (cache_prune removes it a day on). */
static void drop_object(Native *n, int dfd, const char *name, const char *what)
{
    note(n, "%s/%s %s: removed", n->dir, name, what);
    char fail[128];
    snprintf(fail, sizeof fail, "run-%s.fail", n->key);
    int fd = openat(dfd, fail, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dprintf(fd, "%s\n", what);
        close(fd);
    }
    unlinkat(dfd, name, 0);
    n->off = true;
}

/* Whether the file open as fd is a whole x86-64 ELF object: its program
 * headers, the segments they map and its section headers all lie within
 * its size (dlopen of a truncated object dies of SIGBUS, not an error). */
static bool elf_whole(int fd, uint64_t size)
{
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phoff > size || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > size - eh.e_phoff ||
        eh.e_shoff > size || (uint64_t)eh.e_shnum * eh.e_shentsize > size - eh.e_shoff)
        return false;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) != (ssize_t)sizeof ph ||
            ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return false;
    }
    return true;
}

/* dlopen of the object open as fd, through /proc so that the file checked
 * is the file loaded; its program when the object is whole and was built
 * from this C, else NULL after dropping it. */
static const PipeProgram *load_object(Native *n, int dfd, int fd, const char *name)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !elf_whole(fd, (uint64_t)st.st_size)) {
        drop_object(n, dfd, name, "did not load (not a whole ELF object)");
        return NULL;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        char what[600];
        snprintf(what, sizeof what, "did not load (%s)", e ? e : "?");
        if (access("/proc/self/fd", X_OK) != 0) /* no /proc: nothing wrong with the object */
            note(n, "no /proc/self/fd to load native code through");
        else
            drop_object(n, dfd, name, what);
        return NULL;
    }
    const char *key = dlsym(h, "pipe_native_key");
    const PipeProgram *prog = dlsym(h, "pipe_program");
    n->main = (NativeMain)dlsym(h, "pipe_main_code");
    if (!key || strcmp(key, n->key) != 0 || !prog || !n->main || !prog->pipec_version ||
        strcmp(prog->pipec_version, PIPEC_VERSION) != 0) {
        dlclose(h);
        drop_object(n, dfd, name, "was not built from this program");
        return NULL;
    }
    futimens(fd, NULL); /* used now: pruning keeps it */
    note(n, "%s/%s", n->dir, name);
    n->loaded = true;
    return prog; /* h stays open until the process exits */
}

const PipeProgram *native_load(Native *n, const Compilation *c, bool safe)
{
    memset(n, 0, sizeof *n);
    const char *dbg = getenv("PIPEC_NATIVE_DEBUG");
    n->debug = dbg && *dbg && strcmp(dbg, "0") != 0;
    if (!native_allowed(n, c, safe)) {
        n->off = true;
        return NULL;
    }
    int dfd = open_dir(n);
    if (dfd < 0)
        return NULL;
    char name[128];
    snprintf(name, sizeof name, "run-%s.so", n->key);
    const PipeProgram *prog = NULL;
    int fd = open_object(n, dfd, name);
    if (fd >= 0) {
        prog = load_object(n, dfd, fd, name);
        close(fd);
    }
    close(dfd);
    return prog;
}

NativeMain native_main(const Native *n)
{
    return n->loaded ? n->main : pipe_main_code;
}

const char *native_code(const Native *n)
{
    return n->loaded ? "native" : "jit";
}

void native_run_begins(Native *n)
{
    getrusage(RUSAGE_SELF, &n->before);
}

/* CPU time (user and system, every thread) since native_run_begins, in ms. */
static long cpu_ms_since(const struct rusage *b)
{
    struct rusage a;
    getrusage(RUSAGE_SELF, &a);
    long us = (a.ru_utime.tv_sec - b->ru_utime.tv_sec + a.ru_stime.tv_sec - b->ru_stime.tv_sec) * 1000000L +
              (a.ru_utime.tv_usec - b->ru_utime.tv_usec) + (a.ru_stime.tv_usec - b->ru_stime.tv_usec);
    return us / 1000;
}

/* Takes the build lock of the key (run-KEY.lock, made with O_EXCL), so that
 * two runs never build one object at once; a lock older than
 * NATIVE_LOCK_STALE seconds is a killed build's and is taken over. */
static bool take_lock(const Native *n, int dfd)
{
    char lock[128];
    snprintf(lock, sizeof lock, "run-%s.lock", n->key);
    for (int tries = 0; tries < 2; tries++) {
        int fd = openat(dfd, lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            close(fd);
            return true;
        }
        struct stat st;
        if (errno != EEXIST || fstatat(dfd, lock, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            time(NULL) - st.st_mtime < NATIVE_LOCK_STALE)
            return false;
        unlinkat(dfd, lock, 0);
    }
    return false;
}

static void unlock(const Native *n, int dfd)
{
    char lock[128];
    snprintf(lock, sizeof lock, "run-%s.lock", n->key);
    unlinkat(dfd, lock, 0);
}

/* Writes the C of the object (the emitted C and the key it is built for) to
 * name in dfd; false when it cannot. */
static bool write_source(const Native *n, const Compilation *c, int dfd, const char *name)
{
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return false;
    }
    bool ok = fwrite(c->emitted.code, 1, c->emitted.len, f) == c->emitted.len;
    fprintf(f, "\n/* what native.c checks before it runs this object */\nconst char pipe_native_key[] = \"%s\";\n",
            n->key);
    return fclose(f) == 0 && ok;
}

/* The detached build, in a process of its own: compiles the C into the
 * object under a temporary name and renames it into place (or leaves the
 * compiler's messages as the key's .fail marker), then prunes.  dfd is the
 * checked cache folder.  Never returns. */
static _Noreturn void build_detached(const Native *n, const Compilation *c, int dfd)
{
    /* nothing of the run stays open: a reader of its output sees the end now */
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++)
        dup2(null >= 0 ? null : fd, fd);
    dup2(dfd, 3);
    dfd = 3;
    if (close_range(4, ~0U, 0) != 0)
        for (int fd = 4; fd < 1024; fd++)
            close(fd);
    umask(077);
    if (nice(10) < 0) { /* a lower priority only */
    }
    int pid = (int)getpid();
    char src[128], tmp[128], log[128], obj[128], fail[128], lock[128];
    snprintf(src, sizeof src, "run-%s.%d.c", n->key, pid);
    snprintf(tmp, sizeof tmp, "run-%s.%d.so", n->key, pid);
    snprintf(log, sizeof log, "run-%s.%d.log", n->key, pid);
    snprintf(obj, sizeof obj, "run-%s.so", n->key);
    snprintf(fail, sizeof fail, "run-%s.fail", n->key);
    snprintf(lock, sizeof lock, "run-%s.lock", n->key);
    char srcp[4300], tmpp[4300];
    snprintf(srcp, sizeof srcp, "%s/%s", n->dir, src);
    snprintf(tmpp, sizeof tmpp, "%s/%s", n->dir, tmp);
    char *argv[80];
    int k = 0;
    for (int i = 0; i < n->ncc; i++)
        argv[k++] = n->cc[i];
    argv[k++] = "-fPIC";
    int lfd = openat(dfd, log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (lfd >= 0) { /* the compiler's messages, kept as the marker when it fails */
        dup2(lfd, 2);
        close(lfd);
    }
    /* the runtime inside the object, as in a built binary: calls between the
     * program and a runtime far away in pipec cost more than the work of
     * small functions (docs/pipe.md, "Native runs") */
    size_t rtlen = 0;
    char *rt = emit_runtime(&rtlen);
    char *rto = cache_runtime(argv, k, rt, rtlen);
    /* -Bsymbolic: the object's calls go to its own runtime, never to pipec's.
     * -falign-functions=64: a push function's loop starts where a cache line
     * does, not where the linker happens to put it (which moved loop.pipe's
     * time by 30%) */
    char *more[] = {"-shared",   "-w",  "-Wl,-Bsymbolic", "-falign-functions=64", "-o", tmpp, srcp, rto,
                    "-lpcre2-8", "-lz", "-lm",            NULL};
    for (int i = 0; more[i]; i++)
        argv[k++] = more[i];
    argv[k] = NULL;
    bool ok = rto && write_source(n, c, dfd, src) && build_spawn(argv) == 0 && fchmodat(dfd, tmp, 0700, 0) == 0 &&
              renameat(dfd, tmp, dfd, obj) == 0; /* atomic: a run sees no object or a whole one */
    if (ok || renameat(dfd, log, dfd, fail) != 0)
        unlinkat(dfd, log, 0);
    unlinkat(dfd, src, 0);
    unlinkat(dfd, tmp, 0);
    unlinkat(dfd, lock, 0);
    cache_prune(n->dir, "run-", ".so", NATIVE_KEEP);
    _exit(0);
}

void native_run_ended(Native *n, const Compilation *c, int rc)
{
    if (n->off || n->loaded || (rc != 0 && rc != 1))
        return;
    long ms = cpu_ms_since(&n->before);
    if (!n->always && ms < NATIVE_MIN_CPU_MS)
        return;
    char dir[sizeof n->dir];
    memcpy(dir, n->dir, sizeof dir);
    if (!cache_make_dirs(dir, 0700))
        return;
    int dfd = open_dir(n);
    if (dfd < 0)
        return;
    char obj[128];
    snprintf(obj, sizeof obj, "run-%s.so", n->key);
    if (!take_lock(n, dfd)) {
        close(dfd);
        return;
    }
    if (faccessat(dfd, obj, F_OK, AT_SYMLINK_NOFOLLOW) == 0) { /* another run built it meanwhile */
        unlock(n, dfd);
        close(dfd);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* a session of its own, and its parent gone: the shell waits for none of it */
        setsid();
        if (fork() == 0)
            build_detached(n, c, dfd);
        _exit(0);
    }
    if (pid > 0) {
        waitpid(pid, NULL, 0);
        if (n->debug)
            fprintf(stderr, "pipec: native: building %s/run-%s.so in the background (the run used %ld ms of CPU)\n",
                    n->dir, n->key, ms);
    } else {
        unlock(n, dfd);
    }
    close(dfd);
}

void native_free(Native *n)
{
    free(n->cc_text);
    n->cc_text = NULL;
}
