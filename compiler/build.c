/* build.c — the native build: output files written whole, the C compiler
 * run on the emitted program, the extern procs and the cached runtime. */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "elfcheck.h"

/* Writes text to path ("-": stdout); a failure names the file as shown. */
bool build_write_file_as(const char *path, const char *shown, const char *text, size_t len)
{
    FILE *o = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!o) {
        fprintf(stderr, "pipec: error: cannot write '%s': %s\n", shown, strerror(errno));
        return false;
    }
    bool ok = fwrite(text, 1, len, o) == len;
    ok = (o == stdout ? fflush(o) == 0 : fclose(o) == 0) && ok;
    if (!ok)
        fprintf(stderr, "pipec: error: cannot write '%s': %s\n", shown, strerror(errno));
    return ok;
}

bool build_write_file(const char *path, const char *text, size_t len)
{
    return build_write_file_as(path, path, text, len);
}


void build_stage_begin(Staged *st, const char *path)
{
    memset(st, 0, sizeof *st);
    st->path = path;
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    char *real = exists ? realpath(path, NULL) : NULL;
    st->target = real ? real : strdup(path);
    const char *slash = strrchr(st->target, '/');
    int dirlen = slash ? (int)(slash - st->target + 1) : 0;
    size_t n = strlen(st->target) + 32;
    st->dir = malloc(n);
    snprintf(st->dir, n, "%.*s.pipec-XXXXXX", dirlen, st->target);
    if ((exists && !S_ISREG(sb.st_mode)) || !mkdtemp(st->dir)) {
        free(st->dir);
        st->dir = NULL;
        st->tmp = strdup(st->target);
        return;
    }
    st->tmp = malloc(n + strlen(st->target));
    snprintf(st->tmp, n + strlen(st->target), "%s/%s", st->dir, slash ? slash + 1 : st->target);
}

/* Puts the written file in place when ok (false, after a message, when that
 * fails), else drops it; frees st. */
bool build_stage_end(Staged *st, bool ok)
{
    if (st->dir) {
        if (ok && rename(st->tmp, st->target) != 0) {
            fprintf(stderr, "pipec: error: cannot write '%s': %s\n", st->path, strerror(errno));
            ok = false;
        }
        if (!ok)
            unlink(st->tmp);
        rmdir(st->dir);
    }
    free(st->dir);
    free(st->tmp);
    free(st->target);
    return ok;
}

/* Writes text to the output file path ("-": stdout), whole or not at all. */
bool build_write_output(const char *path, const char *text, size_t len)
{
    if (!strcmp(path, "-"))
        return build_write_file(path, text, len);
    Staged st;
    build_stage_begin(&st, path);
    bool ok = build_write_file_as(st.tmp, path, text, len); /* the message names the output, not the temporary */
    return build_stage_end(&st, ok);
}

/* Runs argv, returning its exit status (-1 if it could not start). */
int build_spawn(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

bool build_find_program(const char *name, char *path, size_t size)
{
    if (strchr(name, '/')) {
        snprintf(path, size, "%s", name);
        return access(name, X_OK) == 0;
    }
    const char *dirs = getenv("PATH");
    if (!dirs)
        return false;
    for (const char *p = dirs; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(path, size, "%.*s/%s", (int)n, p, name);
        if (access(path, X_OK) == 0)
            return true;
        p += n + (e ? 1 : 0);
    }
    return false;
}

bool build_have_program(const char *name)
{
    char buf[4200];
    return build_find_program(name, buf, sizeof buf);
}

/* The C compiler command: $CC split on blanks (it may hold options), -O2 and
 * $CFLAGS.  Returns the count of arguments in argv; strings are in *keep. */
int build_cc_command(char **argv, int max, char **keep)
{
    const char *cc = getenv("CC");
    const char *cflags = getenv("CFLAGS");
    size_t n1 = strlen(cc && *cc ? cc : "cc"), n2 = cflags ? strlen(cflags) : 0;
    char *buf = malloc(n1 + n2 + 2);
    snprintf(buf, n1 + n2 + 2, "%s %s", cc && *cc ? cc : "cc", cflags ? cflags : "");
    *keep = buf;
    int n = 0;
    bool opt_done = false;
    for (char *tok = strtok(buf, " \t"); tok && n < max - 1; tok = strtok(NULL, " \t")) {
        /* -O2 goes right after the compiler's own words, before CFLAGS */
        if (!opt_done && (size_t)(tok - buf) >= n1) {
            argv[n++] = "-O2";
            opt_done = true;
        }
        argv[n++] = tok;
    }
    if (!opt_done && n < max - 1)
        argv[n++] = "-O2";
    return n;
}

/* Writes text to the C file src and compiles it to the object obj with the
 * compiler command cc (ncc words); false when either fails. */
bool build_compile_c(char **cc, int ncc, const char *text, size_t len, const char *src, const char *obj)
{
    if (!build_write_file(src, text, len))
        return false;
    char *argv[64];
    int n = 0;
    for (int i = 0; i < ncc && n < 58; i++)
        argv[n++] = cc[i];
    argv[n++] = "-c";
    argv[n++] = "-o";
    argv[n++] = (char *)obj;
    argv[n++] = (char *)src;
    argv[n] = NULL;
    return build_spawn(argv) == 0;
}

/* Compiles each extern proc's C file to an object in dir (heap paths in
 * objs[]): cc is the compiler command (ncc words) with -I for the headers.
 * Under --sandbox an object is compiled without LTO (its code would be made
 * at link time, unseen) and must pass elf_check_extern.  Returns 0, 1 when
 * the compiler failed, 2 when a check refused an object. */
static int compile_externs(char **cc, int ncc, const char *dir, const EmitOut *eo, bool sandbox, char **objs)
{
    int rc = 0;
    for (int i = 0; i < eo->nextern; i++) {
        char *argv[64];
        int n = 0;
        for (int k = 0; k < ncc && n < 56; k++)
            argv[n++] = cc[k];
        if (sandbox)
            argv[n++] = "-fno-lto";
        objs[i] = malloc(strlen(dir) + 32);
        sprintf(objs[i], "%s/extern-%d.o", dir, i);
        argv[n++] = "-c";
        argv[n++] = "-o";
        argv[n++] = objs[i];
        argv[n++] = (char *)eo->extern_files[i];
        argv[n] = NULL;
        int st = build_spawn(argv);
        if (st != 0) {
            fprintf(stderr, "pipec: error: the C compiler (%s) failed with status %d on %s\n", argv[0], st,
                    eo->extern_files[i]);
            return 1;
        }
        if (sandbox && !elf_check_extern(objs[i], eo->extern_files[i]))
            rc = 2;
    }
    return rc;
}

/* --sandbox, after the per-object checks: the binary must run as much before
 * main() as the same link without the extern procs' objects (their symbols
 * left unresolved: that binary is only measured, never run).  The entries of
 * .init_array and .preinit_array and the IFUNC relocations come from the
 * startup files, the runtime and the libraries linked in; equal counts mean
 * that the extern objects brought none, whatever linker feature the
 * per-object checks might not know.  link is the link command (n words), its
 * output link[out_at], its extern objects the nobj words from link[objs_at].
 * Returns 0, or 2 after reporting (the binary is removed). */
static int check_premain(char **link, int n, int out_at, int objs_at, int nobj, const char *dir)
{
    char base[4300];
    snprintf(base, sizeof base, "%s/baseline", dir);
    char *argv[104];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (i < objs_at || i >= objs_at + nobj)
            argv[m++] = i == out_at ? base : link[i];
    argv[m++] = "-Wl,--unresolved-symbols=ignore-all";
    argv[m] = NULL;
    long want = build_spawn(argv) == 0 ? elf_premain_count(base) : -1;
    long got = elf_premain_count(link[out_at]);
    if (want >= 0 && got == want)
        return 0;
    fprintf(stderr,
            "pipec: error: --sandbox: the extern procs' C adds code that runs before main() to the binary "
            "(%ld constructors and IFUNC resolvers, %ld without it): it would run before the binary confines "
            "itself\n",
            got, want);
    unlink(link[out_at]);
    return 2;
}

/* The runtime compiled to an object in the build's folder dir, for a build
 * without a cache folder: NULL when the compiler fails (the caller then
 * compiles the runtime along). */
static char *runtime_in(char **cc, int ncc, const char *text, size_t len, const char *dir)
{
    char src[4300], obj[4300];
    snprintf(src, sizeof src, "%s/runtime.c", dir);
    snprintf(obj, sizeof obj, "%s/runtime.o", dir);
    return build_compile_c(cc, ncc, text, len, src, obj) ? strdup(obj) : NULL;
}


/* The tools of a build: the compiler command, the runtime's object (cached,
 * or compiled into the build's folder; NULL: none, the runtime is pasted
 * into the program's C) and the folder. */
typedef struct Tools {
    char *argv[100]; /* the compiler command, then the link's words */
    int ncc;
    bool have_cc;    /* argv[0] can be run */
    char *keep;      /* the strings of argv */
    char *obj;
    char *dir;
} Tools;

/* Finds the C compiler and the runtime's object; false (after a message)
 * when no temporary folder can be made. */
static bool tools_begin(Tools *t)
{
    memset(t, 0, sizeof *t);
    t->dir = driver_temp_dir();
    if (!t->dir) {
        fprintf(stderr, "pipec: error: cannot create a temporary folder: %s\n", strerror(errno));
        return false;
    }
    t->ncc = build_cc_command(t->argv, 48, &t->keep);
    t->have_cc = t->ncc > 0 && build_have_program(t->argv[0]);
    if (!t->have_cc)
        return true;
    size_t rtlen = 0;
    char *rt = emit_runtime(&rtlen);
    t->obj = cache_runtime(t->argv, t->ncc, rt, rtlen);
    /* extern procs' C is linked as objects (which --sandbox checks), never
     * pasted into the program's C as a build without the runtime's object
     * would */
    if (!t->obj)
        t->obj = runtime_in(t->argv, t->ncc, rt, rtlen, t->dir);
    free(rt);
    return true;
}

static void tools_end(Tools *t)
{
    free(t->keep);
    free(t->obj);
    if (t->dir)
        driver_remove_tree(t->dir);
    free(t->dir);
}

/* Compiles the program's C file cpath and the extern procs, and links them to
 * tmp with the C compiler; the exit code. */
static int link_with_cc(Tools *t, const EmitOut *eo, const char *cpath, const char *tmp, bool sandbox)
{
    char **argv = t->argv;
    char inc[4300];
    snprintf(inc, sizeof inc, "-I%s", t->dir);
    char **objs = calloc((size_t)eo->nextern + 1, sizeof *objs);
    int n = t->ncc;
    argv[n++] = inc;
    int rc = compile_externs(argv, n, t->dir, eo, sandbox, objs);
    int out_at = n + 1;
    argv[n++] = "-o";
    argv[n++] = (char *)tmp;
    argv[n++] = (char *)cpath;
    if (t->obj)
        argv[n++] = t->obj;
    int objs_at = n, nobj = 0;
    for (int i = 0; i < eo->nextern && n < 90; i++, nobj++)
        argv[n++] = objs[i];
    argv[n++] = "-lpcre2-8";
    /* zlib (.gz inputs) linked in: a shared one would be loaded at every start */
    argv[n++] = "-l:libz.a";
    argv[n++] = "-lm";
    argv[n] = NULL;
    int st = rc ? 0 : build_spawn(argv);
    if (st != 0) {
        fprintf(stderr, "pipec: error: the C compiler (%s) failed with status %d\n", argv[0], st);
        rc = 1;
    } else if (!rc && sandbox && nobj) {
        rc = check_premain(argv, n, out_at, objs_at, nobj, t->dir);
    }
    for (int i = 0; i < eo->nextern; i++)
        free(objs[i]);
    free(objs);
    return rc;
}

/* Without a C compiler: tcc builds the standalone C file cpath into tmp. */
static int link_with_tcc(const Tools *t, const EmitOut *eo, const char *cpath, const char *tmp)
{
    const char *libs[] = {"pcre2-8", "z", "m"};
    if (eo->nextern) {
        fprintf(stderr, "pipec: error: no C compiler found ('%s'), and extern procs need one\n", t->argv[0]);
        return 1;
    }
    if (!jit_build_exe(cpath, tmp, libs, 3)) {
        fprintf(stderr, "pipec: error: no C compiler found ('%s') and tcc could not build the binary\n",
                t->argv[0]);
        return 1;
    }
    return 0;
}

int build_binary(Compilation *c, const char *script, const char *out, bool sandbox)
{
    Tools t;
    if (!tools_begin(&t)) {
        tools_end(&t);
        return 1;
    }
    compile_emit(c, t.obj ? EMIT_PROGRAM : EMIT_STANDALONE, script);
    char cpath[4200];
    snprintf(cpath, sizeof cpath, "%s/pipeline.c", t.dir);
    Staged st;
    build_stage_begin(&st, out);
    int rc = 0;
    if (!build_write_file(cpath, c->emitted.code, c->emitted.len))
        rc = 1;
    else if (t.have_cc)
        rc = link_with_cc(&t, &c->emitted, cpath, st.tmp, sandbox);
    else
        rc = link_with_tcc(&t, &c->emitted, cpath, st.tmp);
    if (!build_stage_end(&st, rc == 0))
        rc = rc ? rc : 1;
    tools_end(&t);
    return rc;
}
