/* main.c — the pipec command line: parse, check, lower, emit, then run with the
 * JIT, build a binary, print C, or stop after checking. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtins.h"
#include "diag.h"
#include "elfcheck.h"
#include "embed.h"
#include "emit.h"
#include "fmt.h"
#include "graph.h"
#include "jit.h"
#include "parse.h"
#include "repl.h"
#include "rt_impl.h"
#include "plan.h"
#include "safe.h"
#include "sema.h"
#include "version.h"

static const char usage[] =
    "usage: pipec COMMAND SCRIPT.pipe [options]\n"
    "\n"
    "commands:\n"
    "  run SCRIPT [--pipeline NAME] [PARAMS]   compile in memory (JIT) and run\n"
    "  build SCRIPT -o OUT [--pipeline NAME]   build a standalone native binary\n"
    "  emit-c SCRIPT [-o OUT.c] [--pipeline NAME]\n"
    "                                          print standalone C for the pipeline\n"
    "  check SCRIPT [--dump-ast]               parse and type-check only\n"
    "  graph SCRIPT [--format dot|svg|png] [-o OUT] [--pipeline NAME]\n"
    "                                          the pipeline's DAG (svg, png: with Graphviz)\n"
    "  plan SCRIPT [--pipeline NAME] [PARAMS]  how each stage runs: one line per stage\n"
    "  repl [SCRIPT]                           interactive session (:help inside)\n"
    "  fmt [--check] SCRIPT... | -             rewrite in the canonical layout (--check: list, exit 1)\n"
    "\n"
    "options:\n"
    "  --pipeline NAME   the pipeline to use (default: 'main', or the only one)\n"
    "  --max-errors N    stop after N errors (default 20; 0: no limit; before SCRIPT for run)\n"
    "  --help, -h        this text; after SCRIPT with run: the pipeline's parameters\n"
    "  --version         pipec's version\n"
    "  --list-stages [--format json]\n"
    "                    the standard stages and functions, with their facts\n"
    "\n"
    "trusted and untrusted scripts (run, build, emit-c, check; before SCRIPT for run):\n"
    "  --safe            refuse extern procs, exec and files outside the folders below\n"
    "  --allow-read DIR  safe mode: file and files sources may read in DIR (repeatable)\n"
    "  --allow-write DIR safe mode: sinks may write in DIR, sources read there (repeatable)\n"
    "  --sandbox         build, emit-c: the binary confines itself (Landlock, seccomp)\n"
    "\n"
    "Pipeline parameters are options of `run` and of built binaries: --n 5 or --n=5.\n"
    "Exit codes: 0 success, 1 runtime error, 2 compile or usage error.\n";

/* Prints a one-line usage error and the --help hint; returns exit code 2. */
static int usage_error(const char *what, const char *arg, const char *more)
{
    if (arg)
        fprintf(stderr, "pipec: error: %s '%s'%s\ntry 'pipec --help'\n", what, arg, more);
    else
        fprintf(stderr, "pipec: error: %s%s\ntry 'pipec --help'\n", what, more);
    return 2;
}

typedef struct Cli {
    const char *cmd;
    const char *script;
    const char *pipeline;
    const char *out;
    bool dump_ast;
    const char *format; /* graph: dot, svg or png */
    int max_errors; /* --max-errors N; -1: the default */
    int nrest; /* arguments after the script that belong to the pipeline */
    char **rest;
    SafeOpts so; /* --safe, --allow-read, --allow-write, --sandbox */
} Cli;

/* The front half shared by every command: parse, check, pick, lower, plan. */
typedef struct Front {
    Diag diag;
    PipeArena arena;
    Program prog;
    Sema sema;
    Dag dag;
    Node *pipeline;
} Front;

static bool front(Front *f, const Cli *c, bool need_pipeline)
{
    memset(f, 0, sizeof *f);
    diag_init(&f->diag, stderr);
    if (c->max_errors >= 0)
        f->diag.max_errors = c->max_errors;
    static const char *const none[] = {NULL};
    const char *const *allow = c->so.safe ? (c->so.read ? (const char *const *)c->so.read : none) : NULL;
    if (!parse_program_in(&f->diag, &f->arena, c->script, allow, (const char *const *)c->so.write, &f->prog))
        return false;
    if (c->dump_ast)
        for (int i = 0; i < f->prog.nfiles; i++)
            ast_dump(f->prog.files[i], stdout, false);
    /* after syntax errors the tree has holes: checking it would only add
     * errors that follow from the first ones */
    bool ok = f->diag.errors == 0 && sema_check(&f->sema, &f->diag, &f->arena, &f->prog) && f->diag.errors == 0;
    if (!ok) {
        if (!f->diag.stopped) /* else "too many errors" was the last word */
            fprintf(stderr, "%d error%s\n", f->diag.errors, f->diag.errors == 1 ? "" : "s");
        return false;
    }
    bool guarded = c->so.safe || c->so.sandbox;
    f->sema.safe = guarded ? &c->so : NULL;
    if (!need_pipeline) {
        /* check --safe: what every pipeline would run */
        int errors = 0;
        for (int i = 0; guarded && i < f->sema.npipelines; i++) {
            Dag d = {0};
            sema_lower(&f->sema, f->sema.pipelines[i], &d);
            errors += safe_check(&f->sema, &d, &c->so);
        }
        if (guarded && !f->sema.npipelines)
            errors += safe_check(&f->sema, NULL, &c->so);
        if (errors)
            fprintf(stderr, "%d error%s\n", errors, errors == 1 ? "" : "s");
        return errors == 0;
    }
    f->pipeline = sema_pick(&f->sema, c->pipeline);
    if (!f->pipeline)
        return false;
    sema_lower(&f->sema, f->pipeline, &f->dag);
    plan_dag(&f->arena, &f->dag);
    int errors = guarded ? safe_check(&f->sema, &f->dag, &c->so) : 0;
    if (errors)
        fprintf(stderr, "%d error%s\n", errors, errors == 1 ? "" : "s");
    return errors == 0;
}

static void front_free(Front *f)
{
    diag_free(&f->diag);
    pipe_arena_free(&f->arena);
}

/* A private temporary folder holding the runtime headers, for C compilers. */
static char *temp_dir_with_headers(void)
{
    const char *tmp = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/pipec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl))
        return NULL;
    for (const PipeEmbedded *e = pipe_embedded; e->path; e++) {
        const char *base = strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path;
        if (strcmp(base, "pipe.h") && strcmp(base, "pipe_std.h"))
            continue;
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", tmpl, base);
        FILE *f = fopen(p, "w");
        if (!f)
            return NULL;
        fputs(e->text, f);
        fclose(f);
    }
    return strdup(tmpl);
}

static void remove_dir(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pipec: warning: could not remove %s\n", dir);
}

static int cmd_run(const Cli *c)
{
    Front f;
    if (!front(&f, c, true)) {
        front_free(&f);
        return 2;
    }
    EmitOut eo;
    emit_program(&f.sema, &f.dag, EMIT_JIT, c->script, &eo);
    char *inc = eo.nextern ? temp_dir_with_headers() : NULL;
    Jit *j = jit_compile(eo.code, eo.extern_files, eo.nextern, inc);
    if (inc) {
        remove_dir(inc);
        free(inc);
    }
    emit_free(&eo);
    if (!j) {
        fprintf(stderr, "pipec: error: the generated C did not compile (a bug in pipec, or in an extern proc)\n");
        front_free(&f);
        return 2;
    }
    const PipeProgram *prog = jit_symbol(j, "pipe_program");
    char name[4200];
    snprintf(name, sizeof name, "pipec run %s", c->script);
    char **argv = calloc((size_t)c->nrest + 2, sizeof *argv);
    argv[0] = name;
    for (int i = 0; i < c->nrest; i++)
        argv[i + 1] = c->rest[i];
    fflush(stdout);
    int rc = pipe_main(prog, c->nrest + 1, argv);
    free(argv);
    jit_free(j);
    front_free(&f);
    return rc;
}

/* Writes text to path ("-": stdout); a failure names the file as shown. */
static bool write_file_as(const char *path, const char *shown, const char *text, size_t len)
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

static bool write_file(const char *path, const char *text, size_t len)
{
    return write_file_as(path, path, text, len);
}

/* ------------------------------------------------------------------ output files */

/* The input that out names, also through a link (same device and inode):
 * the script, an imported script or an extern proc's C file; NULL when none. */
static const char *input_named_by(const Front *f, const char *out)
{
    struct stat o, in;
    if (!strcmp(out, "-") || stat(out, &o) != 0)
        return NULL;
    for (int i = 0; i < f->prog.nfiles; i++) {
        const char *p = diag_file(&f->diag, f->prog.files[i]->loc.file)->path;
        if (stat(p, &in) == 0 && in.st_dev == o.st_dev && in.st_ino == o.st_ino)
            return p;
    }
    for (int i = 0; i < f->sema.nprocs; i++) {
        const Node *d = f->sema.procs[i];
        if (d->kind == N_EXTERN && d->name2 && stat(d->name2, &in) == 0 && in.st_dev == o.st_dev &&
            in.st_ino == o.st_ino)
            return d->name2;
    }
    return NULL;
}

/* False after a usage error when writing out would overwrite an input. */
static bool output_allowed(const Front *f, const char *out)
{
    const char *in = out ? input_named_by(f, out) : NULL;
    if (!in)
        return true;
    bool script = f->prog.nfiles > 0 && !strcmp(in, diag_file(&f->diag, f->prog.files[0]->loc.file)->path);
    char more[4400];
    snprintf(more, sizeof more, " is %s '%s': choose another output file", script ? "the script" :
             "a file the program is built from", in);
    usage_error("the output", out, more);
    return false;
}

/* An output file is written under a temporary name in a private folder beside
 * it and renamed into place once complete, so that a failed or killed command
 * leaves the old file whole and never a truncated one.  An existing symlink is
 * followed (its target is replaced); what is no regular file (a device, a
 * pipe) or lies in a folder that cannot hold the temporary is written in place. */
typedef struct Staged {
    const char *path; /* as the user gave it, for messages */
    char *target;     /* where the file ends up: path, or its link's target */
    char *dir;        /* the private folder, or NULL when writing in place */
    char *tmp;        /* the name to write now */
} Staged;

static void stage_begin(Staged *st, const char *path)
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
static bool stage_end(Staged *st, bool ok)
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
static bool write_output(const char *path, const char *text, size_t len)
{
    if (!strcmp(path, "-"))
        return write_file(path, text, len);
    Staged st;
    stage_begin(&st, path);
    bool ok = write_file_as(st.tmp, path, text, len); /* the message names the output, not the temporary */
    return stage_end(&st, ok);
}

static int cmd_emit(const Cli *c)
{
    Front f;
    if (!front(&f, c, true)) {
        front_free(&f);
        return 2;
    }
    if (!output_allowed(&f, c->out)) {
        front_free(&f);
        return 2;
    }
    EmitOut eo;
    emit_program(&f.sema, &f.dag, EMIT_STANDALONE, c->script, &eo);
    bool ok = write_output(c->out ? c->out : "-", eo.code, eo.len);
    emit_free(&eo);
    front_free(&f);
    return ok ? 0 : 1;
}

/* Runs argv, returning its exit status (-1 if it could not start). */
static int spawn(char **argv)
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

static bool have_program(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char buf[4200];
    for (const char *p = path; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
        if (access(buf, X_OK) == 0)
            return true;
        p += n + (e ? 1 : 0);
    }
    return false;
}

/* The C compiler command: $CC split on blanks (it may hold options), -O2 and
 * $CFLAGS.  Returns the count of arguments in argv; strings are in *keep. */
static int cc_command(char **argv, int max, char **keep)
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

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

#define CACHE_KEEP 8 /* runtime objects kept in the cache folder, the last used */

/* mkdir -p path: true when the folder is there. */
static bool make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    struct stat st;
    return (mkdir(path, 0777) == 0 || errno == EEXIST) && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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

/* Keeps the CACHE_KEEP runtime objects of dir used last (a hit sets its
 * time) and removes the others, and the temporary files of builds that were
 * killed a day ago or more; after a new object was written. */
static void prune_cache(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    CacheEntry *objs = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        struct stat st;
        if (strncmp(name, "runtime-", 8) != 0 || len < 10 || len >= sizeof objs->name ||
            fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (strchr(name + 8, '.') != strrchr(name, '.')) { /* runtime-KEY.PID.c or .o */
            if (now - st.st_mtime >= 24 * 3600)
                unlinkat(dirfd(d), name, 0);
            continue;
        }
        if (strcmp(name + len - 2, ".o") != 0)
            continue;
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
    if (n > CACHE_KEEP) {
        qsort(objs, n, sizeof *objs, newest_first);
        for (size_t i = CACHE_KEEP; i < n; i++)
            unlinkat(dirfd(d), objs[i].name, 0);
    }
    free(objs);
    closedir(d);
}

/* Writes text to the C file src and compiles it to the object obj with the
 * compiler command cc (ncc words); false when either fails. */
static bool compile_c(char **cc, int ncc, const char *text, size_t len, const char *src, const char *obj)
{
    if (!write_file(src, text, len))
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
    return spawn(argv) == 0;
}

/* The runtime compiled to an object once per runtime text and compiler command,
 * kept in the user's cache folder ($PIPEC_CACHE_DIR, $XDG_CACHE_HOME/pipec or
 * ~/.cache/pipec; the last CACHE_KEEP used): a build then compiles only the
 * pipeline's own glue.  NULL when there is no usable cache folder (the caller
 * compiles the runtime along). */
static char *cached_runtime(char **cc, int ncc, const char *text, size_t len)
{
    char dir[4096];
    const char *env = getenv("PIPEC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && *env)
        snprintf(dir, sizeof dir, "%s", env);
    else if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/pipec", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.cache/pipec", home);
    else
        return NULL;
    if (!make_dirs(dir))
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
    bool ok = compile_c(cc, ncc, text, len, src, tmp);
    unlink(src);
    /* rename is atomic: builds running side by side never see half an object */
    if (!ok || rename(tmp, obj) != 0) {
        unlink(tmp);
        return NULL;
    }
    prune_cache(dir);
    return strdup(obj);
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
        int st = spawn(argv);
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
    long want = spawn(argv) == 0 ? elf_premain_count(base) : -1;
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
    return compile_c(cc, ncc, text, len, src, obj) ? strdup(obj) : NULL;
}

static int cmd_build(const Cli *c)
{
    if (!c->out)
        return usage_error("build needs an output file (-o OUT)", NULL, "");
    Front f;
    if (!front(&f, c, true) || !output_allowed(&f, c->out)) {
        front_free(&f);
        return 2;
    }
    char *dir = temp_dir_with_headers();
    if (!dir) {
        fprintf(stderr, "pipec: error: cannot create a temporary folder: %s\n", strerror(errno));
        front_free(&f);
        return 1;
    }
    char *argv[100];
    char *keep = NULL;
    int ncc = cc_command(argv, 48, &keep);
    bool have_cc = ncc > 0 && have_program(argv[0]);
    size_t rtlen = 0;
    char *rt = emit_runtime(&rtlen);
    char *obj = have_cc ? cached_runtime(argv, ncc, rt, rtlen) : NULL;
    /* extern procs' C is linked as objects (which --sandbox checks), never
     * pasted into the program's C as a build without the runtime's object
     * would */
    if (!obj && have_cc)
        obj = runtime_in(argv, ncc, rt, rtlen, dir);
    EmitOut eo;
    emit_program(&f.sema, &f.dag, obj ? EMIT_PROGRAM : EMIT_STANDALONE, c->script, &eo);
    char cpath[4200], inc[4300];
    snprintf(cpath, sizeof cpath, "%s/pipeline.c", dir);
    snprintf(inc, sizeof inc, "-I%s", dir);
    char **objs = calloc((size_t)eo.nextern + 1, sizeof *objs);
    Staged out;
    stage_begin(&out, c->out);
    int rc = 0;
    if (!write_file(cpath, eo.code, eo.len)) {
        rc = 1;
    } else if (have_cc) {
        int n = ncc;
        argv[n++] = inc;
        rc = compile_externs(argv, n, dir, &eo, c->so.sandbox, objs);
        int out_at = n + 1;
        argv[n++] = "-o";
        argv[n++] = out.tmp;
        argv[n++] = cpath;
        if (obj)
            argv[n++] = obj;
        int objs_at = n, nobj = 0;
        for (int i = 0; i < eo.nextern && n < 90; i++, nobj++)
            argv[n++] = objs[i];
        argv[n++] = "-lpcre2-8";
        argv[n++] = "-lm";
        argv[n] = NULL;
        int st = rc ? 0 : spawn(argv);
        if (st != 0) {
            fprintf(stderr, "pipec: error: the C compiler (%s) failed with status %d\n", argv[0], st);
            rc = 1;
        } else if (!rc && c->so.sandbox && nobj) {
            rc = check_premain(argv, n, out_at, objs_at, nobj, dir);
        }
    } else {
        const char *libs[] = {"pcre2-8", "m"};
        if (eo.nextern) {
            fprintf(stderr, "pipec: error: no C compiler found ('%s'), and extern procs need one\n", argv[0]);
            rc = 1;
        } else if (!jit_build_exe(cpath, out.tmp, libs, 2)) {
            fprintf(stderr, "pipec: error: no C compiler found ('%s') and tcc could not build the binary\n",
                    argv[0]);
            rc = 1;
        }
    }
    for (int i = 0; i < eo.nextern; i++)
        free(objs[i]);
    free(objs);
    if (!stage_end(&out, rc == 0))
        rc = rc ? rc : 1;
    free(keep);
    free(obj);
    free(rt);
    remove_dir(dir);
    free(dir);
    emit_free(&eo);
    front_free(&f);
    return rc;
}

/* `pipec plan`: how each stage of the pipeline runs (plan.h). */
static int cmd_plan(const Cli *c)
{
    Front f;
    bool ok = front(&f, c, true);
    if (ok)
        plan_write(&f.sema, &f.dag, stdout);
    front_free(&f);
    return ok ? 0 : 2;
}

static int cmd_graph(const Cli *c)
{
    const char *fmt = c->format ? c->format : "dot";
    if (strcmp(fmt, "dot") && strcmp(fmt, "svg") && strcmp(fmt, "png"))
        return usage_error("unknown graph format", fmt, " (expected dot, svg or png)");
    bool render = strcmp(fmt, "dot") != 0;
    if (render && !have_program("dot")) {
        fprintf(stderr, "pipec: error: --format %s needs Graphviz's 'dot', which is not installed "
                        "(apt-get install graphviz); --format dot prints the graph as text\n", fmt);
        return 1;
    }
    Front f;
    if (!front(&f, c, true)) {
        front_free(&f);
        return 2;
    }
    char *text = NULL;
    size_t len = 0;
    if (!output_allowed(&f, c->out)) {
        front_free(&f);
        return 2;
    }
    FILE *m = open_memstream(&text, &len);
    graph_write_dot(&f.sema, &f.dag, m);
    fclose(m);
    front_free(&f);
    int rc = 0;
    if (!render) {
        rc = write_output(c->out ? c->out : "-", text, len) ? 0 : 1;
    } else {
        /* dot reads the graph from a temporary file and writes the picture */
        char *dir = temp_dir_with_headers();
        char in[4200], tflag[16];
        snprintf(in, sizeof in, "%s/graph.dot", dir ? dir : "/tmp");
        snprintf(tflag, sizeof tflag, "-T%s", fmt);
        if (!dir || !write_file(in, text, len)) {
            rc = 1;
        } else {
            Staged out = {0};
            if (c->out)
                stage_begin(&out, c->out);
            char *argv[] = {"dot", tflag, in, c->out ? "-o" : NULL, out.tmp, NULL};
            fflush(stdout);
            int st = spawn(argv);
            if (st != 0) {
                fprintf(stderr, "pipec: error: Graphviz's dot failed with status %d\n", st);
                rc = 1;
            }
            if (c->out && !stage_end(&out, rc == 0))
                rc = 1;
        }
        if (dir) {
            remove_dir(dir);
            free(dir);
        }
    }
    free(text);
    return rc;
}

static int cmd_check(const Cli *c)
{
    Front f;
    bool ok = front(&f, c, false);
    front_free(&f);
    return ok ? 0 : 2;
}

/* --safe, --sandbox (build, emit-c), --allow-read DIR and --allow-write DIR
 * (also --allow-read=DIR): -2 when argv[*i] was one (*i then at its value),
 * -1 when it is another argument, else an exit code after a usage error. */
static int safe_option(Cli *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--safe")) {
        c->so.safe = true;
        return -2;
    }
    if (!strcmp(a, "--sandbox")) {
        if (strcmp(c->cmd, "build") && strcmp(c->cmd, "emit-c"))
            return usage_error("option", a, " belongs to build and emit-c (the built binary confines itself)");
        c->so.sandbox = true;
        return -2;
    }
    bool rd = !strncmp(a, "--allow-read", 12) && (a[12] == '\0' || a[12] == '=');
    bool wr = !strncmp(a, "--allow-write", 13) && (a[13] == '\0' || a[13] == '=');
    if (!rd && !wr)
        return -1;
    const char *eq = a + (rd ? 12 : 13);
    const char *dir = *eq == '=' ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!dir || !*dir)
        return usage_error("option", rd ? "--allow-read" : "--allow-write", " needs a folder");
    char why[4200], more[4300];
    if (!safe_allow(&c->so, dir, wr, why, sizeof why)) {
        snprintf(more, sizeof more, ": %s", why);
        return usage_error("option", rd ? "--allow-read" : "--allow-write", more);
    }
    return -2;
}

/* --max-errors N (also --max-errors=N): -2 when argv[*i] was it (*i then at
 * its value), -1 when it is another argument, else an exit code after a
 * usage error. */
static int max_errors_option(Cli *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strncmp(a, "--max-errors", 12) != 0 || (a[12] != '\0' && a[12] != '='))
        return -1;
    const char *v = a[12] == '=' ? a + 13 : *i + 1 < argc ? argv[++*i] : NULL;
    char *end = NULL;
    long n = v && *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1;
    if (n < 0 || n > 1000000 || *end)
        return usage_error("option", "--max-errors", " needs a count of errors (0: no limit)");
    c->max_errors = (int)n;
    return -2;
}

/* Whether a is one of pipec's options that go before run's script: after it,
 * they would be taken for the pipeline's (a parameter cannot have their names). */
static bool is_pipec_option(const char *a)
{
    static const char *const opts[] = {"--safe", "--sandbox", "--allow-read", "--allow-write", "--max-errors"};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        size_t n = strlen(opts[k]);
        if (!strncmp(a, opts[k], n) && (a[n] == '\0' || a[n] == '='))
            return true;
    }
    return false;
}

/* Reads the arguments of command c->cmd into c: -1 when it may run, else an
 * exit code (0 after --help, 2 after a usage error). */
static int parse_cli(Cli *c, int argc, char **argv)
{
    /* run's pipeline arguments are gathered at the front of argv's tail, over
     * entries already read: nothing to allocate, nothing to free on any exit */
    c->rest = argv + 2;
    c->max_errors = -1;
    bool is_run = !strcmp(c->cmd, "run") || !strcmp(c->cmd, "plan"); /* plan: a run's command line */
    int rc;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        /* run: after the script, options belong to the pipeline */
        bool safe_opts = strcmp(c->cmd, "graph") && strcmp(c->cmd, "plan");
        if ((!is_run || !c->script) && safe_opts && (rc = safe_option(c, argc, argv, &i)) != -1) {
            if (rc == -2)
                continue;
            return rc;
        }
        if ((!is_run || !c->script) && (rc = max_errors_option(c, argc, argv, &i)) != -1) {
            if (rc == -2)
                continue;
            return rc;
        }
        if (!strcmp(a, "--pipeline") || !strncmp(a, "--pipeline=", 11)) {
            if (a[10] == '=')
                c->pipeline = a + 11;
            else if (i + 1 < argc)
                c->pipeline = argv[++i];
            else
                return usage_error("option", a, " needs a value");
        } else if (!c->script && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            fputs(usage, stdout);
            return 0;
        } else if (!is_run && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
            if (i + 1 >= argc)
                return usage_error("option", a, " needs a file name");
            c->out = argv[++i];
        } else if (!strcmp(c->cmd, "graph") && (!strcmp(a, "--format") || !strncmp(a, "--format=", 9))) {
            if (a[8] == '=')
                c->format = a + 9;
            else if (i + 1 < argc)
                c->format = argv[++i];
            else
                return usage_error("option", a, " needs a value (dot, svg or png)");
        } else if (!strcmp(c->cmd, "check") && !strcmp(a, "--dump-ast")) {
            c->dump_ast = true;
        } else if (!c->script && (a[0] != '-' || !strcmp(a, "-"))) {
            c->script = a;
        } else if (is_run && c->script && is_pipec_option(a)) {
            return usage_error("option", a, " of pipec goes before the script: pipec run OPTIONS SCRIPT [PARAMS]");
        } else if (is_run && c->script) {
            c->rest[c->nrest++] = argv[i];
        } else {
            return usage_error("unknown option", a, "");
        }
    }
    if (!c->script)
        return usage_error("missing the script (a .pipe file) to", c->cmd, "");
    return -1;
}

/* Runs the command of c; returns the exit code. */
static int command(const Cli *c)
{
    if (!strcmp(c->cmd, "run"))
        return cmd_run(c);
    if (!strcmp(c->cmd, "build"))
        return cmd_build(c);
    if (!strcmp(c->cmd, "emit-c"))
        return cmd_emit(c);
    if (!strcmp(c->cmd, "graph"))
        return cmd_graph(c);
    if (!strcmp(c->cmd, "plan"))
        return cmd_plan(c);
    return cmd_check(c);
}

int main(int argc, char **argv)
{
    pipe_process_init(); /* before any file or pipe is opened */
    if (argc < 2)
        return usage_error("missing command (run, build, emit-c, check, graph or plan)", NULL, "");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("pipec %s\n", PIPEC_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "--list-stages"))
        return builtins_list_main(argc - 2, argv + 2, stdout, stderr);
    if (!strcmp(argv[1], "fmt"))
        return fmt_main(argc - 2, argv + 2);
    if (!strcmp(argv[1], "repl"))
        return repl_main(argc - 2, argv + 2);
    Cli c = {0};
    c.cmd = argv[1];
    if (strcmp(c.cmd, "run") && strcmp(c.cmd, "build") && strcmp(c.cmd, "emit-c") && strcmp(c.cmd, "check") &&
        strcmp(c.cmd, "graph") && strcmp(c.cmd, "plan"))
        return usage_error("unknown command", c.cmd, " (expected run, build, emit-c, check, graph or plan)");
    int rc = parse_cli(&c, argc, argv);
    if (rc < 0)
        rc = command(&c);
    safe_free(&c.so);
    return rc;
}
