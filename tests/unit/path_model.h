/* path_model.h — safe mode's opens (runtime/path.c) checked against the
 * kernel as the model, shared by test_rt_path.c (fixed seeds, in `make
 * test`) and tests/fuzz/fuzz_path.c (bytes from libFuzzer pick the choices).
 *
 * A tree is built from choices under ROOT, with a secret beside it: folders,
 * files, FIFOs, and symbolic links inward, outward (`../..`), absolute, to
 * `/`, dangling, to themselves.  Then paths through it, each opened three
 * ways: openat2(RESOLVE_BENEATH) from ROOT (the model), the fallback walk
 * pipe_path_walk_open, and pipe_path_open_in with ROOT as the one folder.
 * The properties: whatever any of them opens lies beneath ROOT (read back
 * from the descriptor in /proc/self/fd); the walk opens nothing the model
 * refuses, and the same file when both open; pipe_path_open_in opens what
 * the model opens, the same file (it may open more: a path that goes out
 * and comes back in, `l/../root/b`, resolved by name first); O_CREAT through any of them creates nothing
 * outside ROOT. */
#ifndef PATH_MODEL_H
#define PATH_MODEL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_impl.h"

/* The choices: next() gives the next byte-sized choice (0 when used up). */
typedef struct PmChoices {
    const unsigned char *p;
    size_t n, at;
    unsigned long long rng; /* when p is NULL: xorshift state */
} PmChoices;

static unsigned pm_next(PmChoices *c)
{
    if (!c->p) {
        c->rng ^= c->rng << 13;
        c->rng ^= c->rng >> 7;
        c->rng ^= c->rng << 17;
        return (unsigned)(c->rng >> 24) & 0xff;
    }
    return c->at < c->n ? c->p[c->at++] : 0;
}

static const char *const pm_names[] = {"a", "b", "c", ".."};

/* The base folder: base/root (the allowed folder) and base/outside/secret. */
typedef struct PmTree {
    char base[64];
    char root[128];   /* realpath of base/root */
    int rootfd;
    int failures;     /* properties broken (each printed) */
} PmTree;

static void pm_fail(PmTree *t, const char *what, const char *path)
{
    fprintf(stderr, "path model: %s: '%s'\n", what, path);
    t->failures++;
}

/* Makes the entries of folder dir (a path under base/root) from choices. */
static void pm_fill(PmTree *t, PmChoices *c, const char *dir, int depth)
{
    for (int i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, pm_names[i]);
        unsigned k = pm_next(c) % (depth < 3 ? 9 : 7);
        switch (k) {
        case 0: break; /* nothing */
        case 1: { FILE *f = fopen(p, "w"); if (f) { fputs("in\n", f); fclose(f); } break; }
        case 2: mkfifo(p, 0600); break;
        case 3: { /* inward or outward: ../ k times then a name */
            char tgt[64] = "";
            unsigned up = pm_next(c) % 4;
            for (unsigned u = 0; u < up; u++)
                strcat(tgt, "../");
            strcat(tgt, pm_names[pm_next(c) % 3]);
            if (symlink(tgt, p) != 0) { /* exists already */ }
            break;
        }
        case 4: { char tgt[160]; snprintf(tgt, sizeof tgt, "%s/outside/secret", t->base); if (symlink(tgt, p)) {} break; }
        case 5: if (symlink(pm_next(c) & 1 ? "/" : "nope/x", p)) {} break;
        case 6: if (symlink(pm_names[i], p)) {} break; /* itself: a loop */
        default: mkdir(p, 0700); pm_fill(t, c, p, depth + 1); break;
        }
    }
}

/* Whether fd is ROOT or beneath it (by the name the kernel gives it). */
static bool pm_beneath(const PmTree *t, int fd)
{
    char link[64], got[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, got, sizeof got - 1);
    if (n < 0)
        return false;
    got[n] = '\0';
    size_t r = strlen(t->root);
    return strncmp(got, t->root, r) == 0 && (got[r] == '\0' || got[r] == '/');
}

static bool pm_same(int a, int b)
{
    struct stat x, y;
    return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* The count of entries in base/outside: 1 (the secret) unless something was created. */
static int pm_outside_count(const PmTree *t)
{
    char p[160];
    snprintf(p, sizeof p, "%s/outside", t->base);
    DIR *d = opendir(p);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Opens one path three ways and checks the properties. */
static void pm_check_path(PmTree *t, const char *rel, bool create)
{
    int flags = create ? O_WRONLY | O_CREAT | O_NONBLOCK : O_RDONLY | O_NONBLOCK;
    struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC), .mode = create ? 0600 : 0,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    int model = (int)syscall(SYS_openat2, t->rootfd, rel, &how, sizeof how);
    int walk = pipe_path_walk_open(t->rootfd, rel, flags, 0600);
    char abs[4096];
    snprintf(abs, sizeof abs, "%s/%s", t->root, rel);
    const char *dirs[] = {t->root, NULL};
    int in = pipe_path_open_in(dirs, abs, flags, 0600);
    if (model >= 0 && !pm_beneath(t, model))
        pm_fail(t, "openat2 opened outside (the model is wrong)", rel);
    if (walk >= 0 && !pm_beneath(t, walk))
        pm_fail(t, "the walk opened outside", rel);
    if (in >= 0 && !pm_beneath(t, in))
        pm_fail(t, "pipe_path_open_in opened outside", rel);
    if (walk >= 0 && model < 0)
        pm_fail(t, "the walk opened what openat2 refuses", rel);
    if (walk >= 0 && model >= 0 && !pm_same(walk, model))
        pm_fail(t, "the walk opened another file than openat2", rel);
    if (!create && model >= 0 && in < 0) /* it may open more: `out/../root/b` comes back in */
        pm_fail(t, "pipe_path_open_in refused what openat2 opens", rel);
    if (!create && in >= 0 && model >= 0 && !pm_same(in, model))
        pm_fail(t, "pipe_path_open_in opened another file than openat2", rel);
    if (create && pm_outside_count(t) != 1)
        pm_fail(t, "a file was created outside", rel);
    if (model >= 0)
        close(model);
    if (walk >= 0)
        close(walk);
    if (in >= 0)
        close(in);
}

static void pm_rm(const char *p)
{
    struct stat st;
    if (lstat(p, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(p);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char q[4096];
            snprintf(q, sizeof q, "%s/%s", p, e->d_name);
            pm_rm(q);
        }
        if (d)
            closedir(d);
        rmdir(p);
    } else {
        unlink(p);
    }
}

/* One tree and npaths paths from choices c; returns the properties broken. */
static int pm_run(PmChoices *c, int npaths)
{
    PmTree t = {.failures = 0};
    snprintf(t.base, sizeof t.base, "/tmp/pipe-pm-XXXXXX");
    if (!mkdtemp(t.base))
        return 0;
    char p[160];
    snprintf(p, sizeof p, "%s/outside", t.base);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/outside/secret", t.base);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("secret\n", f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/root", t.base);
    mkdir(p, 0700);
    pm_fill(&t, c, p, 0);
    if (!realpath(p, t.root))
        return 0;
    t.rootfd = open(t.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < npaths; i++) {
        char rel[256] = "";
        unsigned len = 1 + pm_next(c) % 5;
        for (unsigned k = 0; k < len; k++) {
            if (k)
                strcat(rel, "/");
            unsigned w = pm_next(c) % 6;
            strcat(rel, w < 4 ? pm_names[w] : w == 4 ? "." : "x");
        }
        pm_check_path(&t, rel, pm_next(c) % 4 == 0);
    }
    close(t.rootfd);
    int failures = t.failures;
    pm_rm(t.base);
    return failures;
}

#endif
