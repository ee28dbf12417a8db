/* main.c — the pipec command line: reads the arguments and hands each command
 * to the driver (driver.h) and the native build (build.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "builtins.h"
#include "driver.h"
#include "fmt.h"
#include "graph.h"
#include "native.h"
#include "plan.h"
#include "reference.h"
#include "repl.h"
#include "schema.h"
#include "rt_impl.h"
#include "version.h"

static const char usage[] =
    "usage: pipec COMMAND SCRIPT.pipe [options]\n"
    "\n"
    "commands:\n"
    "  run SCRIPT [--pipeline NAME] [PARAMS]   compile in memory (JIT) and run\n"
    "  build SCRIPT -o OUT [--pipeline NAME]   build a standalone native binary\n"
    "  emit-c SCRIPT [-o OUT.c] [--pipeline NAME]\n"
    "                                          print standalone C for the pipeline\n"
    "  check SCRIPT [--dump-ast] [--format text|json]\n"
    "                                          parse and type-check only (json: one object\n"
    "                                          per diagnostic per line, on stdout)\n"
    "  graph SCRIPT [--format dot|svg|png] [-o OUT] [--pipeline NAME]\n"
    "                                          the pipeline's DAG (svg, png: with Graphviz)\n"
    "  plan SCRIPT [--pipeline NAME] [PARAMS]  how each stage runs: one line per stage\n"
    "  repl [SCRIPT]                           interactive session (:help inside)\n"
    "  fmt [--check] SCRIPT... | -             rewrite in the canonical layout (--check: list, exit 1)\n"
    "  schema FILE|- [--format csv|tsv|json] [--rows N]\n"
    "                                          print a record declaration that reads the file\n"
    "                                          (csv, tsv or JSON Lines)\n"
    "\n"
    "options:\n"
    "  --pipeline NAME   the pipeline to use (default: 'main', or the only one)\n"
    "  --max-errors N    stop after N errors (default 20; 0: no limit; before SCRIPT for run)\n"
    "  --help, -h        this text; after SCRIPT with run: the pipeline's parameters\n"
    "  --version         pipec's version\n"
    "  help [NAME]       a stage's or function's signature, meaning and example\n"
    "                    (help --markdown: the whole reference, docs/reference.md)\n"
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
    const char *format; /* graph: dot, svg or png; check: text or json */
    int max_errors; /* --max-errors N; -1: the default */
    bool no_opt;    /* -O0 */
    int nrest; /* arguments after the script that belong to the pipeline */
    char **rest;
    SafeOpts so; /* --safe, --allow-read, --allow-write, --sandbox */
} Cli;

/* check --dump-ast: the tree of every file, as parsed. */
static void dump_ast(const Program *prog, void *arg)
{
    (void)arg;
    for (int i = 0; i < prog->nfiles; i++)
        ast_dump(prog->files[i], stdout, false);
}

/* Runs the front half of the compiler for the command of c: load, parse,
 * check, then (unless every) pick and lower the pipeline.  Diagnostics print
 * to stderr, unless quiet (check --format json: they are only recorded). */
static bool front(Compilation *f, const Cli *c, bool every, bool quiet)
{
    CompileOpts o = {.script = c->script,
                     .pipeline = c->pipeline,
                     .every_pipeline = every,
                     .max_errors = c->max_errors,
                     .diag_out = quiet ? NULL : stderr,
                     .safe = &c->so,
                     .no_opt = c->no_opt,
                     .parsed = c->dump_ast ? dump_ast : NULL};
    return compile_front(f, &o);
}

static int cmd_run(const Cli *c)
{
    Compilation f;
    Native nat = {0};
    const PipeProgram *prog = NULL;
    if (front(&f, c, false, false)) {
        compile_emit(&f, EMIT_JIT, c->script);
        /* the same C built natively by an earlier run, else tcc (native.h) */
        prog = native_load(&nat, &f, c->so.safe);
        if (!prog)
            prog = compile_jit(&f);
    }
    if (!prog) {
        native_free(&nat);
        compile_free(&f);
        return 2;
    }
    char name[4200];
    snprintf(name, sizeof name, "pipec run %s", c->script);
    char **argv = calloc((size_t)c->nrest + 2, sizeof *argv);
    argv[0] = name;
    for (int i = 0; i < c->nrest; i++)
        argv[i + 1] = c->rest[i];
    fflush(stdout);
    native_run_begins(&nat);
    int rc = native_main(&nat)(prog, c->nrest + 1, argv, native_code(&nat), nat.why);
    native_run_ended(&nat, &f, rc);
    free(argv);
    native_free(&nat);
    compile_free(&f);
    return rc;
}

/* ------------------------------------------------------------------ output files */

/* The input that out names, also through a link (same device and inode):
 * the script, an imported script or an extern proc's C file; NULL when none. */
static const char *input_named_by(const Compilation *f, const char *out)
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
static bool output_allowed(const Compilation *f, const char *out)
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

static int cmd_emit(const Cli *c)
{
    Compilation f;
    if (!front(&f, c, false, false) || !output_allowed(&f, c->out)) {
        compile_free(&f);
        return 2;
    }
    if (c->out && strcmp(c->out, "-"))
        f.c_name = c->out;
    compile_emit(&f, EMIT_STANDALONE, c->script);
    bool ok = build_write_output(c->out ? c->out : "-", f.emitted.code, f.emitted.len);
    compile_free(&f);
    return ok ? 0 : 1;
}

static int cmd_build(const Cli *c)
{
    if (!c->out)
        return usage_error("build needs an output file (-o OUT)", NULL, "");
    Compilation f;
    int rc = front(&f, c, false, false) && output_allowed(&f, c->out) ? build_binary(&f, c->script, c->out, c->so.sandbox)
                                                                 : 2;
    compile_free(&f);
    return rc;
}

/* `pipec plan`: how each stage of the pipeline runs (plan.h). */
static int cmd_plan(const Cli *c)
{
    Compilation f;
    bool ok = front(&f, c, false, false);
    if (ok)
        plan_write(&f.sema, &f.dag, stdout);
    compile_free(&f);
    return ok ? 0 : 2;
}

static int cmd_graph(const Cli *c)
{
    const char *fmt = c->format ? c->format : "dot";
    if (strcmp(fmt, "dot") && strcmp(fmt, "svg") && strcmp(fmt, "png"))
        return usage_error("unknown graph format", fmt, " (expected dot, svg or png)");
    bool render = strcmp(fmt, "dot") != 0;
    if (render && !build_have_program("dot")) {
        fprintf(stderr, "pipec: error: --format %s needs Graphviz's 'dot', which is not installed "
                        "(apt-get install graphviz); --format dot prints the graph as text\n", fmt);
        return 1;
    }
    Compilation f;
    if (!front(&f, c, false, false) || !output_allowed(&f, c->out)) {
        compile_free(&f);
        return 2;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    graph_write_dot(&f.sema, &f.dag, m);
    fclose(m);
    compile_free(&f);
    int rc = 0;
    if (!render) {
        rc = build_write_output(c->out ? c->out : "-", text, len) ? 0 : 1;
    } else {
        /* dot reads the graph from a temporary file and writes the picture */
        char *dir = driver_temp_dir();
        char in[4200], tflag[16];
        snprintf(in, sizeof in, "%s/graph.dot", dir ? dir : "/tmp");
        snprintf(tflag, sizeof tflag, "-T%s", fmt);
        if (!dir || !build_write_file(in, text, len)) {
            rc = 1;
        } else {
            Staged out = {0};
            if (c->out)
                build_stage_begin(&out, c->out);
            char *argv[] = {"dot", tflag, in, c->out ? "-o" : NULL, out.tmp, NULL};
            fflush(stdout);
            int st = build_spawn(argv);
            if (st != 0) {
                fprintf(stderr, "pipec: error: Graphviz's dot failed with status %d\n", st);
                rc = 1;
            }
            if (c->out && !build_stage_end(&out, rc == 0))
                rc = 1;
        }
        if (dir) {
            driver_remove_tree(dir);
            free(dir);
        }
    }
    free(text);
    return rc;
}

static int cmd_check(const Cli *c)
{
    if (c->format && strcmp(c->format, "json") && strcmp(c->format, "text"))
        return usage_error("unknown check format", c->format, " (expected text or json)");
    bool json = c->format && !strcmp(c->format, "json");
    Compilation f;
    bool ok = front(&f, c, true, json);
    if (json)
        diag_write_json(&f.diag, stdout);
    compile_free(&f);
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
    if (strncmp(a, "--", 2))
        return false;
    for (int k = 0; sema_pipec_options[k]; k++) {
        size_t n = strlen(sema_pipec_options[k]);
        if (!strncmp(a + 2, sema_pipec_options[k], n) && (a[n + 2] == '\0' || a[n + 2] == '='))
            return true;
    }
    return false;
}

/* "; did you mean '--x'?" for the option of pipec nearest to a (a misspelling
 * of it), else "". */
static const char *did_you_mean_option(const char *a)
{
    static const char *const others[] = {"pipeline", "help", "output", "format", "dump-ast", NULL};
    static char buf[96];
    if (strncmp(a, "--", 2))
        return "";
    const char *name = a + 2, *best = NULL;
    size_t n = strcspn(name, "=");
    for (int k = 0; sema_pipec_options[k]; k++)
        best = pipe_nearer(name, n, best, sema_pipec_options[k]);
    for (int k = 0; others[k]; k++)
        best = pipe_nearer(name, n, best, others[k]);
    if (!best)
        return "";
    snprintf(buf, sizeof buf, "; did you mean '--%s'?", best);
    return buf;
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
        if ((!is_run || !c->script) && (!strcmp(a, "-O0") || !strcmp(a, "-O") || !strcmp(a, "-O1"))) {
            c->no_opt = a[2] == '0';
        } else if (!strcmp(a, "--pipeline") || !strncmp(a, "--pipeline=", 11)) {
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
        } else if ((!strcmp(c->cmd, "graph") || !strcmp(c->cmd, "check")) &&
                   (!strcmp(a, "--format") || !strncmp(a, "--format=", 9))) {
            if (a[8] == '=')
                c->format = a + 9;
            else if (i + 1 < argc)
                c->format = argv[++i];
            else
                return usage_error("option", a, strcmp(c->cmd, "check") ? " needs a value (dot, svg or png)"
                                                                        : " needs a value (text or json)");
        } else if (!strcmp(c->cmd, "check") && !strcmp(a, "--dump-ast")) {
            c->dump_ast = true;
        } else if (!c->script && (a[0] != '-' || !strcmp(a, "-"))) {
            c->script = a;
        } else if (is_run && c->script && is_pipec_option(a)) {
            return usage_error("option", a, " of pipec goes before the script: pipec run OPTIONS SCRIPT [PARAMS]");
        } else if (is_run && c->script) {
            c->rest[c->nrest++] = argv[i];
        } else {
            return usage_error("unknown option", a, did_you_mean_option(a));
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
        return usage_error("missing command (run, build, emit-c, check, graph, plan, repl, fmt or schema)", NULL, "");
    if (!strcmp(argv[1], "help") && argc > 2)
        return reference_main(argc - 2, argv + 2, stdout, stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return argv[1][0] == 'h' ? reference_main(0, NULL, stdout, stderr) : 0; /* help: and the names */
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
    if (!strcmp(argv[1], "schema"))
        return schema_main(argc - 2, argv + 2);
    Cli c = {0};
    c.cmd = argv[1];
    if (strcmp(c.cmd, "run") && strcmp(c.cmd, "build") && strcmp(c.cmd, "emit-c") && strcmp(c.cmd, "check") &&
        strcmp(c.cmd, "graph") && strcmp(c.cmd, "plan"))
    {
        static const char *const cmds[] = {"run", "build", "emit-c", "check", "graph", "plan", "repl", "fmt", "schema", NULL};
        const char *near = NULL;
        char more[128];
        for (int k = 0; cmds[k]; k++)
            near = pipe_nearer(c.cmd, strlen(c.cmd), near, cmds[k]);
        snprintf(more, sizeof more, "%s%s%s (expected run, build, emit-c, check, graph, plan, repl, fmt or schema)",
                 near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        return usage_error("unknown command", c.cmd, more);
    }
    int rc = parse_cli(&c, argc, argv);
    if (rc < 0)
        rc = command(&c);
    safe_free(&c.so);
    return rc;
}
