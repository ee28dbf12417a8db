/* path.c — safe mode's file access, safe by construction: a file is opened
 * relative to a descriptor of the allowed folder it lies in, by openat2(2)
 * with RESOLVE_BENEATH, so the kernel itself refuses every way out of the
 * folder (`..`, an absolute or outward symbolic link, a /proc magic link) at
 * the moment of the open.  Nothing checks a name and opens it later: a link
 * swapped in between the two is still refused.  Names are resolved first
 * (pipe_path_resolve) only to pick the folder and the path inside it; a
 * wrong guess there can cost an error, never an escape.
 *
 * Kernels before 5.6 have no openat2: the fallback walks the path one
 * component at a time with O_NOFOLLOW from the folder's descriptor, keeping
 * `..` within it, and so refuses every symbolic link (ELOOP).
 *
 * Globs under safe mode list folders only through the same opens
 * (GLOB_ALTDIRFUNC), and never `.` or `..`, so `in/.?/.?/etc/x*` cannot name
 * anything outside. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "rt_impl.h"

/* ------------------------------------------------------------------ names */

/* Appends component c (n bytes) to the absolute path in out (len *len), or
 * drops its last component for "..", nothing for "." and "". */
static void path_push(char *out, size_t *len, const char *c, size_t n)
{
    if (n == 0 || (n == 1 && c[0] == '.'))
        return;
    if (n == 2 && c[0] == '.' && c[1] == '.') {
        while (*len > 1 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 1)
            (*len)--;
        out[*len] = '\0';
        return;
    }
    if (*len > 1)
        out[(*len)++] = '/';
    memcpy(out + *len, c, n);
    *len += n;
    out[*len] = '\0';
}

/* path made absolute (against the working folder), with the symbolic links
 * of its longest existing prefix resolved (realpath) and the `.` and `..` of
 * the rest removed lexically: a heap string, NULL when the working folder is
 * unknown.  `allowed/../secret` and a link out of a folder resolve to where
 * they lead.  This only guides: pipe_path_open_in is what enforces. */
char *pipe_path_resolve(const char *path)
{
    char cwd[PATH_MAX];
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t n = strlen(path) + (path[0] == '/' ? 0 : strlen(cwd) + 1);
    char *abs = pipe_xmalloc(n + 1);
    if (path[0] == '/')
        memcpy(abs, path, n + 1);
    else
        snprintf(abs, n + 1, "%s/%s", cwd, path);
    /* the longest prefix, cut at a '/', that exists */
    char *real = NULL;
    size_t cut = n;
    for (;;) {
        char keep = abs[cut];
        abs[cut] = '\0';
        real = realpath(cut ? abs : "/", NULL);
        abs[cut] = keep;
        if (real || cut == 0)
            break;
        do
            cut--;
        while (cut > 0 && abs[cut] != '/');
    }
    size_t rlen = real ? strlen(real) : 1;
    char *out = pipe_xmalloc(rlen + (n - cut) + 2);
    memcpy(out, real ? real : "/", rlen + 1);
    free(real);
    for (const char *c = abs + cut; *c;) {
        const char *e = strchr(c, '/');
        size_t cn = e ? (size_t)(e - c) : strlen(c);
        path_push(out, &rlen, c, cn);
        c += cn + (e ? 1 : 0);
    }
    free(abs);
    return out;
}

/* Whether the resolved path is dir or inside it (both from pipe_path_resolve). */
bool pipe_path_inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ------------------------------------------------------------------ opening beneath a folder */

/* Folder name in at, as a descriptor to resolve from: O_PATH (no read
 * right needed), else O_RDONLY, which a --sandbox filter lets through where
 * it refuses O_PATH (runtime/sandbox.c).  -1 with errno. */
static int open_dir(int at, const char *name, int nofollow)
{
    int fd = openat(at, name, O_PATH | O_DIRECTORY | nofollow | O_CLOEXEC);
    if (fd < 0 && (errno == EPERM || errno == EACCES || errno == ENOSYS))
        fd = openat(at, name, O_RDONLY | O_DIRECTORY | nofollow | O_CLOEXEC);
    return fd;
}

/* The fallback of open_beneath: rel opened from the folder dfd one component
 * at a time, never following a symbolic link (ELOOP), `..` never above dfd
 * (EXDEV).  A descriptor, or -1 with errno. */
int pipe_path_walk_open(int dfd, const char *rel, int flags, mode_t mode)
{
    size_t cap = 16, depth = 0;
    int *stack = pipe_xmalloc(cap * sizeof *stack); /* stack[0] is dfd (not ours) */
    stack[0] = dfd;
    const char *c = rel;
    int fd = -1, err = 0;
    for (;;) {
        const char *e = strchr(c, '/');
        size_t n = e ? (size_t)(e - c) : strlen(c);
        while (e && e[1] == '/') /* "a//b" */
            e++;
        bool last = !e || e[1] == '\0';
        char name[NAME_MAX + 1];
        if (n > NAME_MAX) {
            err = ENAMETOOLONG;
            break;
        }
        memcpy(name, c, n);
        name[n] = '\0';
        bool dots = n == 2 && c[0] == '.' && c[1] == '.';
        if (dots && depth == 0) {
            err = EXDEV;
            break;
        }
        if (!last) {
            if (dots) {
                close(stack[depth--]);
            } else if (n > 0 && !(n == 1 && c[0] == '.')) {
                int d = open_dir(stack[depth], name, O_NOFOLLOW);
                if (d < 0) {
                    struct stat st;
                    err = fstatat(stack[depth], name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)
                              ? ELOOP
                              : errno;
                    break;
                }
                if (++depth == cap)
                    stack = pipe_xrealloc(stack, (cap *= 2) * sizeof *stack);
                stack[depth] = d;
            }
            c = e + 1;
            continue;
        }
        if (dots) { /* the parent itself: reopen it */
            close(stack[depth--]);
            fd = openat(stack[depth], ".", flags | O_CLOEXEC, mode);
        } else {
            fd = openat(stack[depth], n ? name : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
        }
        if (fd < 0)
            err = errno;
        break;
    }
    while (depth > 0)
        close(stack[depth--]);
    free(stack);
    if (fd < 0)
        errno = err;
    return fd;
}

/* rel (relative, inside the folder dfd) opened with flags so that no step of
 * its resolution leaves the folder: openat2 with RESOLVE_BENEATH, else the
 * component walk.  A descriptor, or -1 with errno (EXDEV: it leads out). */
static int open_beneath(int dfd, const char *rel, int flags, mode_t mode)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = flags & (O_CREAT | O_TMPFILE) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    for (int tries = 0; tries < 8; tries++) {
        long fd = syscall(SYS_openat2, dfd, rel, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno != EAGAIN) /* EAGAIN: a rename raced with "..": try again */
            break;
    }
    if (errno != ENOSYS && errno != EPERM) /* EPERM: a seccomp filter without it */
        return -1;
#endif
    return pipe_path_walk_open(dfd, rel, flags, mode);
}

/* Opens path (flags and mode as open(2), O_CLOEXEC added) inside one of the
 * NULL-terminated folders (absolute and resolved), from a descriptor of
 * that folder: nothing outside them can be reached, whatever links the
 * folders hold or gain meanwhile.  A descriptor, or -1 with errno (EXDEV:
 * outside every folder). */
int pipe_path_open_in(const char *const *dirs, const char *path, int flags, mode_t mode)
{
    char *r = pipe_path_resolve(path);
    if (!r)
        return -1;
    int fd = -1, err = EXDEV;
    for (int i = 0; dirs && dirs[i] && fd < 0; i++) {
        if (!pipe_path_inside(r, dirs[i]))
            continue;
        const char *rel = r + strlen(dirs[i]);
        while (*rel == '/')
            rel++;
        int dfd = open_dir(AT_FDCWD, dirs[i], 0);
        if (dfd < 0) {
            err = errno;
            continue;
        }
        fd = open_beneath(dfd, *rel ? rel : ".", flags, mode);
        if (fd < 0 && (err == EXDEV || errno != EXDEV)) /* a real error wins over "outside" */
            err = errno;
        close(dfd);
    }
    free(r);
    if (fd < 0)
        errno = err;
    return fd;
}

/* ------------------------------------------------------------------ the run's opens */

/* The folders a safe-mode run may read in (write folders first, then read
 * folders), or write in for PIPE_PATH_WRITE: a NULL-terminated heap array of
 * borrowed strings. */
static const char **safe_dirs(const PipeProgram *p, PipePathKind kind)
{
    bool write = kind == PIPE_PATH_WRITE;
    size_t n = 0;
    for (int i = 0; p->allow_write && p->allow_write[i]; i++)
        n++;
    for (int i = 0; !write && p->allow_read && p->allow_read[i]; i++)
        n++;
    const char **v = pipe_xcalloc(n + 1, sizeof *v);
    n = 0;
    for (int i = 0; p->allow_write && p->allow_write[i]; i++)
        v[n++] = p->allow_write[i];
    for (int i = 0; !write && p->allow_read && p->allow_read[i]; i++)
        v[n++] = p->allow_read[i];
    return v;
}

/* Opens path for stage n of rt: under safe mode only inside the folders it
 * may read in or write in (PIPE_PATH_WRITE), by pipe_path_open_in; else
 * open(2).  A descriptor, or -1 with errno (EXDEV: outside the folders). */
int pipe_rt_open(PipeRt *rt, const char *path, int flags, mode_t mode, PipePathKind kind)
{
    const PipeProgram *p = rt->prog;
    if (!p || !p->safe)
        return open(path, flags | O_CLOEXEC, mode);
    const char **dirs = safe_dirs(p, kind);
    int fd = pipe_path_open_in(dirs, path, flags, mode);
    int err = errno;
    free(dirs);
    errno = err;
    return fd;
}

/* The message of a failed pipe_rt_open of path: "safe mode: ... is outside
 * ..." for EXDEV under safe mode, else "WHAT 'path': strerror" (what NULL:
 * "cannot open 'path' for writing: strerror"). */
void pipe_rt_open_error(PipeRt *rt, char *msg, size_t size, const char *what, const char *path, int err,
                        PipePathKind kind)
{
    if (err == EXDEV && rt->prog && rt->prog->safe)
        snprintf(msg, size, "safe mode: '%.500s' is outside the folders given with %s", path,
                 kind == PIPE_PATH_WRITE ? "--allow-write" : "--allow-read and --allow-write");
    else if (!what)
        snprintf(msg, size, "cannot open '%.500s' for writing: %s", path, strerror(err));
    else
        snprintf(msg, size, "%s '%.500s': %s", what, path, strerror(err));
}

/* Whether rt may use path by its name as kind says: always outside safe
 * mode; else when it resolves inside an allowed folder.  An early check for
 * a clear message; the open itself is what enforces. */
bool pipe_rt_path_allowed(PipeRt *rt, const char *path, PipePathKind kind)
{
    const PipeProgram *p = rt->prog;
    if (!p || !p->safe)
        return true;
    const char **dirs = safe_dirs(p, kind);
    char *r = pipe_path_resolve(path);
    bool ok = false;
    for (int i = 0; r && dirs[i] && !ok; i++)
        ok = pipe_path_inside(r, dirs[i]);
    free(r);
    free(dirs);
    return ok;
}

/* Safe mode: a runtime error of n unless path (used as kind says) lies
 * inside the allowed folders by name (pipe_rt_path_allowed). */
void pipe_rt_check_path(PipeRt *rt, PipeNode *n, PipeStr path, PipePathKind kind)
{
    if (!rt->prog || !rt->prog->safe)
        return;
    char *text = pipe_xstrndup(path.p ? path.p : "", path.n);
    if (pipe_rt_path_allowed(rt, text, kind)) {
        free(text);
        return;
    }
    char msg[700];
    pipe_rt_open_error(rt, msg, sizeof msg, "", text, EXDEV, kind);
    free(text);
    pipe_fail(n, msg);
}

/* ------------------------------------------------------------------ globs */

/* The folder part of glob pattern p (n bytes) before its first component
 * with * ? or [ ("." for a pattern whose first component has one): a heap
 * string.  Safe mode checks it as a whole, so a pattern outside is refused
 * alike whether what it names exists or not. */
char *pipe_glob_dir(const char *p, size_t n)
{
    size_t meta = 0;
    while (meta < n && !strchr("*?[", p[meta]))
        meta++;
    if (meta == n)
        return pipe_xstrndup(p, n);
    size_t slash = meta;
    while (slash > 0 && p[slash - 1] != '/')
        slash--;
    if (slash == 0)
        return pipe_xstrndup(".", 1);
    return pipe_xstrndup(p, slash == 1 ? 1 : slash - 1);
}

/* The folders the glob being expanded may list (glob's callbacks take no
 * context: one expansion at a time in a thread; runs on two threads may
 * expand two at once). */
static RT_THREAD_LOCAL const char *const *glob_dirs;

static void *glob_opendir(const char *name)
{
    int fd = pipe_path_open_in(glob_dirs, name, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d)
        close(fd);
    return d;
}

/* Every entry but `.` and `..`: `.?` must not climb out. */
static struct dirent *glob_readdir(void *d)
{
    struct dirent *e;
    while ((e = readdir(d)) && (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")))
        ;
    return e;
}

static void glob_closedir(void *d)
{
    closedir(d);
}

static int glob_stat_as(const char *name, struct stat *st, int nofollow)
{
    int fd = pipe_path_open_in(glob_dirs, name, O_PATH | nofollow, 0);
    if (fd < 0)
        return -1;
    int rc = fstat(fd, st);
    close(fd);
    return rc;
}

static int glob_stat(const char *name, struct stat *st)
{
    return glob_stat_as(name, st, 0);
}

static int glob_lstat(const char *name, struct stat *st)
{
    return glob_stat_as(name, st, O_NOFOLLOW);
}

/* glob(3) of pattern for rt: under safe mode every folder is listed through
 * pipe_path_open_in on the folders it may read, so no name outside them is
 * listed or tested.  As glob(3): 0, GLOB_NOMATCH, ... */
int pipe_rt_glob(PipeRt *rt, const char *pattern, glob_t *g)
{
    const PipeProgram *p = rt->prog;
    if (!p || !p->safe)
        return glob(pattern, 0, NULL, g);
    const char **dirs = safe_dirs(p, PIPE_PATH_GLOB);
    memset(g, 0, sizeof *g);
    g->gl_opendir = glob_opendir;
    g->gl_readdir = glob_readdir;
    g->gl_closedir = glob_closedir;
    g->gl_stat = glob_stat;
    g->gl_lstat = glob_lstat;
    glob_dirs = dirs;
    int rc = glob(pattern, GLOB_ALTDIRFUNC, NULL, g);
    glob_dirs = NULL;
    free(dirs);
    return rc;
}
