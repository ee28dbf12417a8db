/* main.c — pipe_main, the entry point of every compiled pipeline: parameters
 * as command-line options, --help, then build, run and the exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt_impl.h"

static const char *type_name(const PipeType *t)
{
    switch (t->kind) {
    case PIPE_K_INT:
        return "int";
    case PIPE_K_FLOAT:
        return "float";
    case PIPE_K_BOOL:
        return "bool";
    default:
        return "str";
    }
}

#define MEM_LIMIT_DEFAULT ((size_t)256 << 20)

/* Parses a size: digits, then optionally K, M, G or T (powers of 1024, either
 * case, optionally followed by "B" or "iB"), or "B".  False when text is not one
 * or is 0. */
static bool parse_size(const char *text, size_t *out)
{
    const char *p = text;
    size_t v = 0;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > ((size_t)-1 - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*p - '0');
    }
    int shift = 0;
    switch (*p) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
    }
    if (shift) {
        p++;
        if (*p == 'i' && (p[1] == 'B' || p[1] == 'b'))
            p++;
    }
    if (*p == 'B' || *p == 'b')
        p++;
    if (*p || v == 0 || v > ((size_t)-1 >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* The run's memory budget: --mem-limit, else $PIPE_MEM_LIMIT (when valid), else 256 MiB. */
size_t pipe_mem_limit(PipeRt *rt)
{
    size_t v;
    if (rt && rt->mem_limit)
        return rt->mem_limit;
    const char *env = getenv("PIPE_MEM_LIMIT");
    if (env && parse_size(env, &v))
        return v;
    return MEM_LIMIT_DEFAULT;
}

static int usage_error(const char *argv0, const char *msg)
{
    fprintf(stderr, "%s: error: %s\ntry '%s --help'\n", argv0, msg, argv0);
    return 2;
}

/* ------------------------------------------------------------------ run IDs, traces, --version */

/* NAME (pipec VERSION) script PATH sha256 HEX pipeline NAME, then a line per
 * imported file.  NAME is a binary's file name; under pipec, whose argv0 is
 * its command ("pipec run SCRIPT"), the first two words ("pipec run"). */
static void print_version(const PipeProgram *prog, const char *argv0)
{
    const char *space = strchr(argv0, ' '), *slash = strrchr(argv0, '/');
    const char *end = space && strchr(space + 1, ' ') ? strchr(space + 1, ' ') : argv0 + strlen(argv0);
    if (space)
        printf("%.*s", (int)(end - argv0), argv0);
    else
        printf("%s", slash ? slash + 1 : argv0);
    printf(" (pipec %s) script %s sha256 %s pipeline %s\n", prog->pipec_version ? prog->pipec_version : "unknown",
           prog->script ? prog->script : "unknown", prog->script_sha256 ? prog->script_sha256 : "unknown",
           prog->name ? prog->name : "unknown");
    for (int i = 0; prog->imports && prog->imports[i] && prog->imports[i + 1]; i += 2)
        printf("  import %s sha256 %s\n", prog->imports[i], *prog->imports[i + 1] ? prog->imports[i + 1] : "unknown");
    fflush(stdout);
}

/* The lines of --help for what trace_option takes, options in a column w wide. */
static void print_trace_help(int w)
{
    printf("  %-*s   append a JSON-lines trace of the run to FILE (- for stderr)\n", w, "--trace FILE");
    printf("  %-*s   the run's ID (a UUID) for traces and messages (default: a new UUIDv7)\n", w, "--run-id ID");
    printf("  %-*s   pipec version and SHA-256 of the script this was built from\n", w, "--version");
}

enum { OPT_NOT_MINE = -2, OPT_TAKEN = -1 };

/* The options of run IDs and traces: --trace FILE (--trace=FILE), --run-id ID
 * (--run-id=ID) and --version.  Returns OPT_NOT_MINE for another argument,
 * OPT_TAKEN when argv[*i] was one (*i then at its value), else an exit code. */
static int trace_option(const PipeProgram *prog, int argc, char **argv, int *i, const char *argv0, RtOpts *opts)
{
    const char *a = argv[*i];
    if (strcmp(a, "--version") == 0) {
        print_version(prog, argv0);
        return 0;
    }
    bool trace = strncmp(a, "--trace", 7) == 0 && (a[7] == '\0' || a[7] == '=');
    bool id = strncmp(a, "--run-id", 8) == 0 && (a[8] == '\0' || a[8] == '=');
    if (!trace && !id)
        return OPT_NOT_MINE;
    const char *name = trace ? "--trace" : "--run-id", *eq = a + strlen(name);
    const char *v = *eq == '=' ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    char msg[512];
    if (!v || !*v) {
        snprintf(msg, sizeof msg, "option '%s' needs a value%s", name, trace ? " (a file, or - for stderr)" : "");
        return usage_error(argv0, msg);
    }
    if (trace) {
        opts->trace = v;
    } else if (pipe_run_id_valid(v)) {
        opts->run_id = v;
    } else {
        snprintf(msg, sizeof msg,
                 "bad value for '--run-id' (expected a UUID such as 0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d): '%.200s'",
                 v);
        return usage_error(argv0, msg);
    }
    return OPT_TAKEN;
}

/* Opens the --trace file before anything is read: one that cannot be opened
 * is a usage error (exit 2), like a bad option value.  Returns -1 when the
 * run may go on. */
static int open_trace(const char *argv0, RtOpts *opts)
{
    opts->trace_fd = -1;
    if (!opts->trace)
        return -1;
    opts->trace_fd = pipe_trace_open(opts->trace);
    if (opts->trace_fd >= 0)
        return -1;
    char msg[600];
    snprintf(msg, sizeof msg, "cannot open the trace file '%.400s': %s", opts->trace, strerror(errno));
    return usage_error(argv0, msg);
}

/* ------------------------------------------------------------------ parameters and options */

static void print_help(const PipeProgram *prog, const char *argv0)
{
    size_t w = strlen("--stats[=json]");
    for (int i = 0; i < prog->nparams; i++) {
        size_t n = strlen(prog->params[i].name) + strlen(type_name(prog->params[i].type)) + 3;
        if (n > w)
            w = n;
    }
    printf("usage: %s [options]\n", argv0);
    for (int i = 0; i < prog->nparams; i++) {
        const PipeParam *p = &prog->params[i];
        int pad = (int)(w - strlen(p->name) - strlen(type_name(p->type)) - 3);
        printf("  --%s %s%*s   ", p->name, type_name(p->type), pad, "");
        if (!p->def)
            printf("(required)\n");
        else if (!*p->def)
            printf("(default: \"\")\n");
        else
            printf("(default: %s)\n", p->def);
    }
    printf("  %-*s   at exit, per stage: items in and out, bytes, share of time\n", (int)w, "--stats[=json]");
    printf("  %-*s   a progress line on stderr (a terminal)\n", (int)w, "--progress");
    printf("  %-*s   memory for sort before it spills to temporary files (default: 256M)\n", (int)w,
           "--mem-limit N");
    print_trace_help((int)w);
    printf("  %-*s   show this help\n", (int)w, "-h, --help");
    fflush(stdout);
}

/* Stores text as a value of p's type at dst; false when it is not one. */
static bool parse_value(const PipeParam *p, const char *text, void *dst)
{
    PipeStr s = {text, strlen(text)};
    switch (p->type->kind) {
    case PIPE_K_INT:
        return pipe_parse_int(s, dst);
    case PIPE_K_FLOAT:
        return pipe_parse_float(s, dst);
    case PIPE_K_BOOL:
        if (strcmp(text, "true") == 0)
            *(bool *)dst = true;
        else if (strcmp(text, "false") == 0)
            *(bool *)dst = false;
        else
            return false;
        return true;
    default:
        memcpy(dst, &s, sizeof s);
        return true;
    }
}

static int find_param(const PipeProgram *prog, const char *name, size_t n)
{
    for (int i = 0; i < prog->nparams; i++)
        if (strlen(prog->params[i].name) == n && memcmp(prog->params[i].name, name, n) == 0)
            return i;
    return -1;
}

/* Parses argv into params; returns -1 when the run may go on, else an exit code. */
static int parse_args(const PipeProgram *prog, int argc, char **argv, const char *argv0,
                      char *params, bool *given, RtOpts *opts)
{
    char msg[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int t = trace_option(prog, argc, argv, &i, argv0, opts);
        if (t != OPT_NOT_MINE) {
            if (t == OPT_TAKEN)
                continue;
            return t;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(prog, argv0);
            return 0;
        }
        /* the run's own options (a pipeline can't have parameters of these names) */
        if (strcmp(a, "--stats") == 0 || strcmp(a, "--stats=table") == 0) {
            opts->stats = 1;
            continue;
        }
        if (strcmp(a, "--stats=json") == 0) {
            opts->stats = 2;
            continue;
        }
        if (strcmp(a, "--progress") == 0) {
            opts->progress = true;
            continue;
        }
        if (strncmp(a, "--mem-limit", 11) == 0 && (a[11] == '\0' || a[11] == '=')) {
            const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return usage_error(argv0, "option '--mem-limit' needs a value");
            if (!parse_size(v, &opts->mem_limit)) {
                snprintf(msg, sizeof msg,
                         "bad value for '--mem-limit' (expected a size such as 64M, 1G or bytes): '%.200s'", v);
                return usage_error(argv0, msg);
            }
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            snprintf(msg, sizeof msg, "unexpected argument '%.400s'", a);
            return usage_error(argv0, msg);
        }
        const char *name = a + 2, *eq = strchr(name, '='), *value;
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int k = find_param(prog, name, nlen);
        if (k < 0) {
            snprintf(msg, sizeof msg, "unknown option '%.*s'", (int)(nlen + 2 < 400 ? nlen + 2 : 400), a);
            return usage_error(argv0, msg);
        }
        const PipeParam *p = &prog->params[k];
        if (eq) {
            value = eq + 1;
        } else if (p->type->kind == PIPE_K_BOOL &&
                   (i + 1 >= argc || (strcmp(argv[i + 1], "true") && strcmp(argv[i + 1], "false")))) {
            value = "true"; /* a bare --flag means true */
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(msg, sizeof msg, "option '--%.200s' needs a value", p->name);
            return usage_error(argv0, msg);
        }
        if (!parse_value(p, value, params + prog->offsets[k])) {
            snprintf(msg, sizeof msg, "bad value for '--%.200s' (expected %s): '%.200s'", p->name,
                     type_name(p->type), value);
            return usage_error(argv0, msg);
        }
        given[k] = true;
    }
    for (int k = 0; k < prog->nparams; k++) {
        const PipeParam *p = &prog->params[k];
        if (given[k])
            continue;
        if (!p->def) {
            snprintf(msg, sizeof msg, "missing required option '--%.200s'", p->name);
            return usage_error(argv0, msg);
        }
        if (!parse_value(p, p->def, params + prog->offsets[k])) {
            snprintf(msg, sizeof msg, "bad default for '--%.200s': '%.200s'", p->name, p->def);
            return usage_error(argv0, msg);
        }
    }
    return -1;
}

/* Parses argv (options --NAME V, --NAME=V, a bare --FLAG for a bool, --help),
 * builds and runs prog.  Returns 0, 1 after a runtime error, 2 after a usage
 * error.  Keeps no state between calls. */
int pipe_main(const PipeProgram *prog, int argc, char **argv)
{
    const char *argv0 = argc > 0 && argv[0] ? argv[0] : (prog->name ? prog->name : "pipe");
    char *params = pipe_xcalloc(1, prog->params_size ? prog->params_size : 1);
    bool *given = pipe_xcalloc((size_t)(prog->nparams > 0 ? prog->nparams : 1), sizeof *given);
    RtOpts opts = {0};
    int rc = parse_args(prog, argc, argv, argv0, params, given, &opts);
    const char *env = getenv("PIPE_MEM_LIMIT");
    if (rc < 0 && !opts.mem_limit && env && *env && !parse_size(env, &opts.mem_limit)) {
        char msg[300];
        snprintf(msg, sizeof msg, "bad value in PIPE_MEM_LIMIT (expected a size such as 64M, 1G or bytes): '%.200s'",
                 env);
        rc = usage_error(argv0, msg);
    }
    if (rc < 0)
        rc = open_trace(argv0, &opts);
    free(given);
    if (rc >= 0) {
        free(params);
        return rc;
    }
    PipeRt *rt = pipe_rt_new();
    jmp_buf jb;
    volatile int code = 1;
    rt->jmp = &jb;
    rt->mem_limit = opts.mem_limit;
    pipe_rt_trace_begin(rt, prog, params, &opts);
    int jc = setjmp(jb);
    if (jc == 0) {
        prog->build(rt, params);
        if (rt->trace)
            pipe_rt_trace_stages(rt);
        rt->progress = opts.progress && isatty(2);
        if (opts.stats)
            pipe_rt_stats_start(rt);
        code = pipe_run(rt);
    } else {
        code = jc == RT_JMP_STOP ? 0 : 1;
    }
    rt->jmp = NULL;
    if (rt->progress)
        pipe_rt_progress_end(rt);
    if (opts.stats && rt->stats) /* after an error too: what ran until then */
        pipe_rt_stats_report(rt, opts.stats == 2);
    if (rt->trace) /* after an error and a closed output too */
        pipe_rt_trace_end(rt, code);
    pipe_rt_free(rt);
    free(params);
    return code;
}
