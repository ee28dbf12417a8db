/* cache.c — the build cache: the runtime compiled to an object once per
 * runtime text and compiler command, kept in the user's cache folder. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "version.h"

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

#define CACHE_KEEP 8 /* runtime objects kept in the cache folder, the last used */

bool cache_make_dirs(char *path, mode_t mode)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool ok = mkdir(path, mode) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    struct stat st;
    return (mkdir(path, mode) == 0 || errno == EEXIST) && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

typedef struct CacheEntry {
    char name[256];
    struct timespec used;
} CacheEntry;

static int newest_first(const void *a, const void *b)
{
    const struct timespec *x = &((const CacheEntry *)a)->used, *y = &((const CacheEntry *)b)->used;
    if (x->tv_sec != y->tv_sec)
        return x->tv_sec < y->tv_sec ? 1 : -1;
    return x->tv_nsec < y->tv_nsec ? 1 : x->tv_nsec > y->tv_nsec ? -1 : 0;
}

void cache_prune(const char *dir, const char *prefix, const char *ext, int keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    CacheEntry *objs = NULL;
    size_t n = 0, cap = 0, plen = strlen(prefix), elen = strlen(ext);
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        struct stat st;
        if (strncmp(name, prefix, plen) != 0 || len < plen + 2 || len >= sizeof objs->name ||
            fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        /* PREFIX-KEY.PID.c and the like: a build's temporary files; other
         * endings: markers (run-KEY.fail, run-KEY.lock) */
        if (strchr(name + plen, '.') != strrchr(name, '.') || len <= elen || strcmp(name + len - elen, ext) != 0) {
            if (now - st.st_mtime >= 24 * 3600)
                unlinkat(dirfd(d), name, 0);
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            CacheEntry *grown = realloc(objs, cap * sizeof *objs);
            if (!grown)
                break;
            objs = grown;
        }
        memcpy(objs[n].name, name, len + 1);
        objs[n++].used = st.st_mtim;
    }
    if (n > (size_t)keep) {
        qsort(objs, n, sizeof *objs, newest_first);
        for (size_t i = (size_t)keep; i < n; i++)
            unlinkat(dirfd(d), objs[i].name, 0);
    }
    free(objs);
    closedir(d);
}

bool cache_dir(char *dir, size_t size)
{
    const char *env = getenv("PIPEC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && *env)
        snprintf(dir, size, "%s", env);
    else if (xdg && *xdg)
        snprintf(dir, size, "%s/pipec", xdg);
    else if (home && *home)
        snprintf(dir, size, "%s/.cache/pipec", home);
    else
        return false;
    return true;
}

/* The runtime compiled to an object once per runtime text and compiler command,
 * kept in the user's cache folder ($PIPEC_CACHE_DIR, $XDG_CACHE_HOME/pipec or
 * ~/.cache/pipec; the last CACHE_KEEP used): a build then compiles only the
 * pipeline's own glue.  NULL when there is no usable cache folder (the caller
 * compiles the runtime along). */
char *cache_runtime(char **cc, int ncc, const char *text, size_t len)
{
    char dir[4096];
    if (!cache_dir(dir, sizeof dir) || !cache_make_dirs(dir, 0700))
        return NULL;
    uint64_t h = fnv1a(14695981039346656037u, text, len);
    for (int i = 0; i < ncc; i++)
        h = fnv1a(h, cc[i], strlen(cc[i]) + 1);
    h = fnv1a(h, PIPEC_VERSION, sizeof PIPEC_VERSION);
    char obj[4300], src[4300], tmp[4300];
    snprintf(obj, sizeof obj, "%s/runtime-%016llx.o", dir, (unsigned long long)h);
    if (access(obj, R_OK) == 0) {
        utimensat(AT_FDCWD, obj, NULL, 0); /* last used now: pruning keeps it */
        return strdup(obj);
    }
    snprintf(src, sizeof src, "%s/runtime-%016llx.%d.c", dir, (unsigned long long)h, (int)getpid());
    snprintf(tmp, sizeof tmp, "%s/runtime-%016llx.%d.o", dir, (unsigned long long)h, (int)getpid());
    bool ok = build_compile_c(cc, ncc, text, len, src, tmp);
    unlink(src);
    /* rename is atomic: builds running side by side never see half an object */
    if (!ok || rename(tmp, obj) != 0) {
        unlink(tmp);
        return NULL;
    }
    cache_prune(dir, "runtime-", ".o", CACHE_KEEP);
    return strdup(obj);
}

