/* main.c — pipe_main, the entry point of every compiled pipeline: parameters
 * as command-line options, --help, then build, run and the exit code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "options_impl.h"
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

/* Reads the decimal digits at the start of text (one at least) into *v;
 * returns what follows them, or NULL when there are none or *v passes max. */
static const char *parse_digits(const char *text, uint64_t max, uint64_t *v)
{
    const char *p = text;
    *v = 0;
    if (*p < '0' || *p > '9')
        return NULL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (*v > (max - (uint64_t)(*p - '0')) / 10)
            return NULL;
        *v = *v * 10 + (uint64_t)(*p - '0');
    }
    return p;
}

/* Parses a size: digits, then optionally K, M, G or T (powers of 1024, either
 * case, optionally followed by "B" or "iB"), or "B".  False when text is not one
 * or is 0. */
static bool parse_size(const char *text, size_t *out)
{
    uint64_t v;
    const char *p = parse_digits(text, (size_t)-1, &v);
    if (!p)
        return false;
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

/* Parses a duration: digits, then "ms", "s", "m" or "h" (none: seconds), into
 * milliseconds.  False when text is not one, is 0 or is over a year. */
static bool parse_duration(const char *text, uint64_t *ms)
{
    uint64_t v;
    const char *p = parse_digits(text, 366ULL * 24 * 3600 * 1000, &v);
    if (!p)
        return false;
    uint64_t unit = strcmp(p, "ms") == 0 ? 1
                    : strcmp(p, "s") == 0 || !*p ? 1000
                    : strcmp(p, "m") == 0 ? 60000
                    : strcmp(p, "h") == 0 ? 3600000 : 0;
    if (!unit || v == 0 || v * unit > 366ULL * 24 * 3600 * 1000)
        return false;
    *ms = v * unit;
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

/* Opens the --trace file before anything is read: one that cannot be opened
 * is a usage error (exit 2), like a bad option value.  The stop handlers and
 * the --timeout timer are in place (pipe_stop_install), so an open that
 * blocks (a FIFO without a reader) ends on SIGINT or SIGTERM (quietly, 130 or
 * 143) or at the timeout (a runtime error, exit 1).  Returns -1 when the run
 * may go on, else the exit code. */
static int open_trace(const char *argv0, RtOpts *opts)
{
    opts->trace_fd = -1;
    if (!opts->trace)
        return -1;
    while ((opts->trace_fd = pipe_trace_open(opts->trace)) < 0 && errno == EINTR && !pipe_rt_stop)
        ;
    if (opts->trace_fd >= 0)
        return -1;
    char msg[600];
    if (pipe_rt_stop == SIGALRM) {
        char d[32];
        pipe_duration_text(opts->timeout_ms, d, sizeof d);
        fprintf(stderr, "pipec: runtime error: timed out after %s (opening the trace file '%.400s')\n", d,
                opts->trace);
        return 1;
    }
    if (pipe_rt_stop)
        return RT_JMP_SIGNAL + pipe_rt_stop;
    snprintf(msg, sizeof msg, "cannot open the trace file '%.400s': %s", opts->trace, strerror(errno));
    return usage_error(argv0, msg);
}

/* ------------------------------------------------------------------ parameters and options */

/* The --help lines of the run options, labels in a column w wide. */
static void print_options_help(int w)
{
    for (int k = 0; k < PIPE_NRUN_OPTIONS; k++) {
        const char *label = pipe_run_options[k].label, *h = pipe_run_options[k].help;
        for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1, label = "")
            printf("  %-*s   %.*s\n", w, label, (int)(nl - h), h);
        printf("  %-*s   %s\n", w, label, h);
    }
}

static void print_help(const PipeProgram *prog, const char *argv0)
{
    size_t w = 0;
    for (int k = 0; k < PIPE_NRUN_OPTIONS; k++)
        if (strlen(pipe_run_options[k].label) > w)
            w = strlen(pipe_run_options[k].label);
    for (int i = 0; i < prog->nparams; i++) {
        size_t n = strlen(prog->params[i].name) + strlen(type_name(prog->params[i].type)) + 3;
        if (n > w)
            w = n;
    }
    printf("usage: %s [options] [FILE...]   (stdin reads the FILEs in turn; - is standard input)\n", argv0);
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
    print_options_help((int)w);
    if (prog->sandbox)
        printf("Built with --sandbox: the run confines itself with Landlock and seccomp (no process, no\n"
               "socket, no file beyond its own and the allowed folders).\n");
    if (prog->safe)
        printf("Built with --safe: file paths must be inside the folders allowed when it was built.\n");
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

/* The run option that argument a names: --NAME, --NAME=VALUE when it takes
 * a value, or -h; NULL for another argument.  *eq: the '=' or NULL. */
static const PipeRunOption *run_option(const char *a, const char **eq)
{
    *eq = NULL;
    if (!strcmp(a, "-h"))
        return &pipe_run_options[PIPE_OPT_HELP];
    if (strncmp(a, "--", 2) != 0)
        return NULL;
    for (int k = 0; k < PIPE_NRUN_OPTIONS; k++) {
        const PipeRunOption *o = &pipe_run_options[k];
        size_t n = strlen(o->name);
        if (strncmp(a + 2, o->name, n) != 0)
            continue;
        if (a[2 + n] == '=' && o->arg != PIPE_ARG_NONE)
            *eq = a + 2 + n;
        if (a[2 + n] == '\0' || *eq)
            return o;
    }
    return NULL;
}

/* What a value of each kind looks like, for "bad value" messages. */
static const char *const arg_expected[] = {
    [PIPE_ARG_FORMAT] = "table or json",
    [PIPE_ARG_SIZE] = "a size such as 64M, 1G or bytes",
    [PIPE_ARG_DURATION] = "a duration such as 500ms, 10s, 2m or 1h",
    [PIPE_ARG_UUID] = "a UUID such as 0193b2c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
};

/* Stores value v (NULL: none given) of run option o in opts; false when it
 * is not a value of o's kind. */
static bool store_option(const PipeRunOption *o, const char *v, RtOpts *opts)
{
    size_t size = 0;
    switch (o->id) {
    case PIPE_OPT_STATS:
        opts->stats = !v || !strcmp(v, "table") ? 1 : !strcmp(v, "json") ? 2 : 0;
        return opts->stats != 0;
    case PIPE_OPT_PROGRESS:
        opts->progress = true;
        return true;
    case PIPE_OPT_TRACE:
        opts->trace = v;
        return true;
    case PIPE_OPT_RUN_ID:
        opts->run_id = v;
        return pipe_run_id_valid(v);
    case PIPE_OPT_TIMEOUT:
        return parse_duration(v, &opts->timeout_ms);
    case PIPE_OPT_MEM_LIMIT:
        return parse_size(v, &opts->mem_limit);
    case PIPE_OPT_MAX_LINE_BYTES:
        return parse_size(v, &opts->max_line);
    case PIPE_OPT_MAX_INPUT_BYTES:
        if (!parse_size(v, &size))
            return false;
        opts->max_input = size;
        return true;
    default: /* --help and --version act at once */
        return true;
    }
}

/* Takes run option o, given as argv[*i] with its '=' at eq (or NULL): its
 * value follows the '=', else, when it needs one, in the next argument (*i
 * moved past it).  Returns -1 when the run may go on, else an exit code
 * (0 after --help or --version, 2 after a usage error). */
static int take_option(const PipeProgram *prog, const PipeRunOption *o, const char *eq, int argc, char **argv,
                       int *i, const char *argv0, RtOpts *opts)
{
    if (o->id == PIPE_OPT_HELP || o->id == PIPE_OPT_VERSION) {
        if (o->id == PIPE_OPT_HELP)
            print_help(prog, argv0);
        else
            print_version(prog, argv0);
        return 0;
    }
    bool needs = o->arg != PIPE_ARG_NONE && o->arg != PIPE_ARG_FORMAT;
    const char *v = eq ? eq + 1 : needs && *i + 1 < argc ? argv[++*i] : NULL;
    char msg[512];
    /* a file or an ID cannot be empty; an empty size is a bad one */
    if (needs && (!v || (!*v && (o->arg == PIPE_ARG_FILE || o->arg == PIPE_ARG_UUID)))) {
        snprintf(msg, sizeof msg, "option '--%s' needs a value%s", o->name,
                 o->arg == PIPE_ARG_FILE ? " (a file, or - for stderr)" : "");
        return usage_error(argv0, msg);
    }
    if (!store_option(o, v, opts)) {
        snprintf(msg, sizeof msg, "bad value for '--%s' (expected %s): '%.200s'", o->name, arg_expected[o->arg], v);
        return usage_error(argv0, msg);
    }
    return -1;
}

/* The run option or parameter nearest to name[n] (without its "--"), when
 * near enough to be a misspelling of it; else NULL. */
static const char *nearest_option(const PipeProgram *prog, const char *name, size_t n)
{
    const char *best = NULL;
    for (int k = 0; k < PIPE_NRUN_OPTIONS; k++)
        best = pipe_nearer(name, n, best, pipe_run_options[k].name);
    for (int k = 0; k < prog->nparams; k++)
        best = pipe_nearer(name, n, best, prog->params[k].name);
    return best;
}

/* After the first input file an argument that looks like an option is a
 * usage error (it would be taken as a file name that the user did not mean):
 * options go first, and `--` before a file whose name starts with '-'.  False
 * after reporting. */
static bool inputs_check(const RtOpts *opts, const char *argv0)
{
    for (size_t k = 0; k < opts->nin_files; k++) {
        const char *a = opts->in_files[k];
        if (a[0] == '-' && a[1]) {
            char msg[600];
            snprintf(msg, sizeof msg, "option '%.400s' after the input files: options go before them (a file "
                     "named so: put -- before the files)", a);
            usage_error(argv0, msg);
            return false;
        }
    }
    return true;
}

/* Parses argv into params; returns -1 when the run may go on, else an exit code. */
static int parse_args(const PipeProgram *prog, int argc, char **argv, const char *argv0,
                      char *params, bool *given, RtOpts *opts)
{
    char msg[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *oeq;
        const PipeRunOption *o = run_option(a, &oeq);
        if (o) {
            int rc = take_option(prog, o, oeq, argc, argv, &i, argv0, opts);
            if (rc >= 0)
                return rc;
            continue;
        }
        if (!strcmp(a, "--") || a[0] != '-' || !strcmp(a, "-")) { /* the input files */
            bool dashdash = !strcmp(a, "--");
            opts->in_files = argv + i + dashdash;
            opts->nin_files = (size_t)(argc - i - dashdash);
            if (!dashdash && !inputs_check(opts, argv0))
                return 2;
            break;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(msg, sizeof msg, "unexpected argument '%.400s'", a);
            return usage_error(argv0, msg);
        }
        const char *name = a + 2, *eq = strchr(name, '='), *value;
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int k = find_param(prog, name, nlen);
        if (k < 0) {
            const char *near = nearest_option(prog, name, nlen);
            int len = snprintf(msg, sizeof msg, "unknown option '%.*s'", (int)(nlen + 2 < 400 ? nlen + 2 : 400), a);
            if (near)
                snprintf(msg + len, sizeof msg - (size_t)len, "; did you mean '--%.60s'?", near);
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

/* Sets up the process for a run, first thing in main() (of pipec, and of a
 * built binary through pipe_main): each of fds 0, 1 and 2 that is closed gets
 * /dev/null, so that no file or pipe the run opens lands there (a closed
 * stdin read the pipe that wakes the scheduler, and hung).  Fd 0 is opened
 * for writing and 1 and 2 for reading: reading stdin and writing stdout or
 * stderr still fail with EBADF, as on a closed descriptor.  SIGXFSZ is
 * ignored, so that a write past a file size limit (`ulimit -f`) fails with
 * EFBIG, the error of the stage that wrote, instead of killing the process. */
void pipe_process_init(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* inherited by children (cc, exec's programs): their files stay off it too */
        int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd) /* a lower one is still closed: no /dev/null */
            close(got);
    }
    signal(SIGXFSZ, SIG_IGN);
}

/* Parses argv (options --NAME V, --NAME=V, a bare --FLAG for a bool, --help),
 * builds and runs prog.  Returns 0, 1 after a runtime error, 2 after a usage
 * error, 130 or 143 after SIGINT or SIGTERM.  Keeps no state between calls. */
int pipe_main(const PipeProgram *prog, int argc, char **argv)
{
    return pipe_main_code(prog, argc, argv, NULL, NULL);
}

int pipe_main_code(const PipeProgram *prog, int argc, char **argv, const char *what_code, const char *why)
{
    pipe_process_init();
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
    free(given);
    if (rc >= 0) {
        free(params);
        return rc;
    }
    /* from here on (opening the trace and inputs too: a FIFO blocks) SIGINT,
     * SIGTERM and --timeout stop the run */
    pipe_stop_install(opts.timeout_ms);
    rc = open_trace(argv0, &opts);
    if (rc >= 0) {
        pipe_stop_remove();
        free(params);
        return rc;
    }
    PipeRt *rt = pipe_rt_new();
    jmp_buf jb;
    volatile int code = 1;
    rt->prog = prog;
    rt->jmp = &jb;
    rt->mem_limit = opts.mem_limit;
    rt->max_line = opts.max_line;
    rt->max_input = opts.max_input;
    rt->in_files = opts.in_files;
    rt->nin_files = opts.nin_files;
    rt->code = what_code;
    rt->code_why = why;
    pipe_rt_trace_begin(rt, prog, params, &opts);
    PipeRt *outer = pipe_rt_current;
    int jc = setjmp(jb);
    if (jc == 0) {
        pipe_rt_current = rt; /* running out of memory while building is a runtime error too */
        /* --sandbox: build confines the process before it makes any node
         * (pipe_rt_confine) */
        pipe_rt_inputs_declare(rt);
        prog->build(rt, params);
        if (prog->sandbox && !rt->confined)
            pipe_rt_abort(rt, "--sandbox: the program did not confine itself", RT_JMP_FAIL);
        if (rt->trace)
            pipe_rt_trace_stages(rt);
        rt->progress = opts.progress && isatty(2);
        if (opts.stats)
            pipe_rt_stats_start(rt);
        code = pipe_run(rt);
    } else {
        code = jc >= RT_JMP_SIGNAL ? jc : jc == RT_JMP_STOP ? 0 : 1;
    }
    pipe_rt_current = outer;
    pipe_stop_remove();
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
