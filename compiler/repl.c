/* repl.c — `pipec repl`: keeps the session's definitions, bindings and sample
 * input, and compiles each flow typed with the session through the compile
 * driver, then runs it on the sample.
 *
 * Every chunk typed (or :load'ed) is a source of its own in the diagnostics,
 * parsed on its own; the trees make one program: the definitions, then
 * `pipeline __repl` with the bindings the flow needs and the flow.  So every
 * position names what was typed by construction, and what to show is chosen
 * from the records.  Nothing of one evaluation outlives it: the compilation is
 * freed each time, and the program is run in a child process, so that a run
 * that must be killed (a stage stuck in a loop, a crash) takes nothing of the
 * session. */
#include "repl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <editline/readline.h>

#include "buf.h"
#include "builtins.h"
#include "diag.h"
#include "driver.h"
#include "fmt.h"
#include "graph.h"
#include "jit.h"
#include "parse.h"
#include "reference.h"
#include "parser.h" /* token numbers (FROM, IMPORT, STRING) of Comments.toks */
#include "sema.h"

#define PROG_NAME "<session>" /* the main file that holds the chunks' trees */
#define REPL_NAME "<repl>"    /* what the user typed */
#define REPL_PIPELINE "__repl"
#define DEFAULT_LIMIT 20
#define DEFAULT_MAX 100

/* ------------------------------------------------------------------ strings */

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

/* ------------------------------------------------------------------ the session */

/* A piece of the session: a definition (one or more declarations), or a
 * binding `name = flow`, with where it came from for messages. */
typedef struct Chunk {
    char *text;   /* ends in '\n' */
    char *origin; /* REPL_NAME or the file it was loaded from */
    int line;     /* the origin's line of the first line of text */
    char *name;   /* a binding's stream name */
    char **names; /* what a definition declares: proc and pipeline names, "import PATH" */
    int nnames;
} Chunk;

typedef struct Chunks {
    Chunk *v;
    int n, cap;
} Chunks;

typedef struct Repl {
    Chunks defs, binds;
    char *last;        /* the last flow that ran without an error, or NULL */
    int nsample;       /* lines in the sample (the temporary file "sample", which `stdin` reads) */
    char *sample_file; /* where the sample came from (:input), to re-read on :limit */
    bool sample_set;
    bool noted_empty;  /* the empty-sample note was shown */
    int limit;         /* sample lines taken from :input */
    int max;           /* results shown per flow */
    bool tty;
    char *tmp;         /* private folder: sample, captured output */
} Repl;

static void chunk_free(Chunk *c)
{
    free(c->text);
    free(c->origin);
    free(c->name);
    for (int i = 0; i < c->nnames; i++)
        free(c->names[i]);
    free(c->names);
    memset(c, 0, sizeof *c);
}

static Chunk chunk_make(const char *text, size_t n, const char *origin, int line)
{
    Chunk c = {0};
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    c.text = xrealloc(NULL, n + 2);
    memcpy(c.text, text, n);
    c.text[n] = '\n';
    c.text[n + 1] = '\0';
    c.origin = xstrdup(origin);
    c.line = line;
    return c;
}

static void chunk_add_name(Chunk *c, const char *name)
{
    c->names = xrealloc(c->names, sizeof *c->names * (size_t)(c->nnames + 1));
    c->names[c->nnames++] = xstrdup(name);
}

static bool chunk_declares(const Chunk *c, const char *name)
{
    for (int i = 0; i < c->nnames; i++)
        if (!strcmp(c->names[i], name))
            return true;
    return false;
}

static void chunks_push(Chunks *cs, Chunk c)
{
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 8;
        cs->v = xrealloc(cs->v, sizeof *cs->v * (size_t)cs->cap);
    }
    cs->v[cs->n++] = c;
}

static void chunks_free(Chunks *cs)
{
    for (int i = 0; i < cs->n; i++)
        chunk_free(&cs->v[i]);
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

/* Output for a person at a terminal only: scripts see results and errors alone. */
__attribute__((format(printf, 2, 3)))
static void info(Repl *R, const char *fmt, ...)
{
    if (!R->tty)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 1, 2)))
static void error(const char *fmt, ...)
{
    fflush(stdout);
    fputs("error: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------ tokens of what was typed */

/* The tokens and comments of a text as the real lexer sees them. */
typedef struct Toks {
    Diag d;
    PipeArena a;
    Comments cm;
    const char *text;
} Toks;

static void toks_open(Toks *t, const char *text)
{
    diag_init(&t->d, NULL);
    t->d.max_errors = 0; /* a lexical error stops no token */
    memset(&t->a, 0, sizeof t->a);
    int id = diag_add_file(&t->d, REPL_NAME, text, strlen(text));
    parse_tokens(&t->d, &t->a, id, &t->cm);
    t->text = diag_file(&t->d, id)->text;
}

static void toks_close(Toks *t)
{
    diag_free(&t->d);
    pipe_arena_free(&t->a);
}

/* Whether token i of t is the identifier of n bytes at s. */
static bool tok_is_name(const Toks *t, int i, const char *s, size_t n)
{
    const TokSpan *k = &t->cm.toks[i];
    return k->tok == IDENT && (size_t)(k->end - k->off) == n && !memcmp(t->text + k->off, s, n);
}

/* Whether an input must go on on the next line: brackets still open, or its
 * last token is one after which a statement goes on (the parser's own rule:
 * | , = => : -> an operator, and, or, not ...).  Comments don't count. */
static bool needs_more(const char *text)
{
    Toks t;
    toks_open(&t, text);
    int depth = 0;
    for (int i = 0; i < t.cm.ntoks; i++) {
        int k = t.cm.toks[i].tok;
        if (k == '(' || k == '[' || k == '{')
            depth++;
        else if ((k == ')' || k == ']' || k == '}') && depth > 0)
            depth--;
    }
    bool more = depth > 0 || (t.cm.ntoks && parse_continues_line(t.cm.toks[t.cm.ntoks - 1].tok));
    toks_close(&t);
    return more;
}

/* Whether token k starts a declaration: a definition of the session. */
static bool starts_def(int k)
{
    return k == PROC || k == PIPELINE || k == EXTERN || k == IMPORT || k == RECORD || k == FN;
}

typedef enum InputKind { IN_NONE, IN_COMMAND, IN_DEF, IN_BIND, IN_EXTEND, IN_FLOW } InputKind;

/* What an input starts: a :command, a definition, a binding (its name in
 * *name when name is not NULL), a `| ...` that extends the last flow, or a
 * flow; by its first tokens. */
static InputKind classify(const char *text, char **name)
{
    const char *s = text + strspn(text, " \t");
    if (*s == ':')
        return IN_COMMAND; /* the REPL's own syntax, not Pipe's */
    Toks t;
    toks_open(&t, text);
    const TokSpan *k = t.cm.toks;
    InputKind kind = IN_FLOW;
    if (t.cm.ntoks == 0)
        kind = IN_NONE;
    else if (k[0].tok == '|')
        kind = IN_EXTEND;
    else if (starts_def(k[0].tok))
        kind = IN_DEF;
    else if (k[0].tok == IDENT && t.cm.ntoks > 1 && k[1].tok == '=') {
        kind = IN_BIND;
        if (name)
            *name = xstrndup(t.text + k[0].off, (size_t)(k[0].end - k[0].off));
    }
    toks_close(&t);
    return kind;
}

/* Whether a line can only start an input: a :command, or a declaration's
 * keyword at its first column.  It ends an unfinished one, which then reports
 * what it lacks instead of swallowing the rest of a script. */
static bool starts_input(const char *line)
{
    if (line[0] == ':')
        return true;
    Toks t;
    toks_open(&t, line);
    int k = t.cm.ntoks ? t.cm.toks[0].tok : 0;
    bool starts = t.cm.ntoks && t.cm.toks[0].off == 0 && starts_def(k);
    toks_close(&t);
    return starts;
}

/* ------------------------------------------------------------------ compiling the session */

/* A chunk given to one compilation: its own source in the diagnostics, so
 * that every position names what was typed (or the :load'ed file's line). */
typedef struct Src {
    const char *text;   /* the chunk; a flow may have stages the REPL adds after it */
    size_t typed;       /* the bytes of text that were typed */
    const char *origin; /* REPL_NAME or the file it was loaded from */
    int line;           /* the origin's line of its first line */
    bool stmts;         /* a binding or flow: a statement of `pipeline __repl` */
    bool fresh;         /* new in this input: its warnings are shown */
    int file;           /* its diag file, once loaded */
} Src;

/* The session as one program: the definitions, then `pipeline __repl` with
 * the statements in order.  shown: the records already shown. */
typedef struct Job {
    Src *v;
    int n, cap;
    int shown;
} Job;

static Src *job_add(Job *j, const char *text, const char *origin, int line, bool stmts, bool fresh)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 16;
        j->v = xrealloc(j->v, sizeof *j->v * (size_t)j->cap);
    }
    j->v[j->n] = (Src){text, strlen(text), origin, line, stmts, fresh, -1};
    return &j->v[j->n++];
}

static void job_chunk(Job *j, const Chunk *c, bool stmts, bool fresh)
{
    job_add(j, c->text, c->origin, c->line, stmts, fresh);
}

/* The session's definitions (but those drop marks) into j. */
static void job_defs(const Repl *R, Job *j, const bool *drop)
{
    for (int i = 0; i < R->defs.n; i++)
        if (!drop || !drop[i])
            job_chunk(j, &R->defs.v[i], false, false);
}

/* The session's bindings (those need marks; NULL: all) into j. */
static void job_binds(const Repl *R, Job *j, const bool *need)
{
    for (int i = 0; i < R->binds.n; i++)
        if (!need || need[i])
            job_chunk(j, &R->binds.v[i], true, false);
}

/* The driver's load step: each chunk parsed as its own source, the
 * declarations and `pipeline __repl` put together as the main file. */
static void job_load(Compilation *c, void *arg)
{
    Job *j = arg;
    Loc at = {.file = diag_add_file(&c->diag, PROG_NAME, "", 0), .line = 1, .col = 1};
    Node *file = ast_new(&c->arena, N_FILE, at);
    file->str = (PipeStr){PROG_NAME, strlen(PROG_NAME)};
    Node *pl = ast_new(&c->arena, N_PIPELINE, at);
    pl->name = REPL_PIPELINE;
    for (int i = 0; i < j->n; i++) {
        Src *s = &j->v[i];
        s->file = diag_add_piece(&c->diag, s->origin, s->text, strlen(s->text), s->line);
        Node *t = parse_input(&c->diag, &c->arena, s->file, s->stmts);
        for (int k = 0; k < t->list.n; k++)
            ast_push(&c->arena, s->stmts ? &pl->list : &file->list, t->list.v[k]);
    }
    ast_push(&c->arena, &file->list, pl);
    parse_program_tree(&c->diag, &c->arena, file, &c->prog);
}

/* Whether diag file id is a chunk new in this input. */
static bool job_fresh(const Job *j, int id)
{
    for (int i = 0; i < j->n; i++)
        if (j->v[i].file == id)
            return j->v[i].fresh;
    return false;
}

/* Shows c's records not shown yet on stderr: errors, and warnings about
 * fresh chunks but "bound but never used" (bindings wait for flows). */
static void job_report(Job *j, Compilation *c)
{
    fflush(stdout);
    for (; j->shown < c->diag.nrecs; j->shown++) {
        const DiagRecord *r = &c->diag.recs[j->shown];
        bool unused = r->code && !strcmp(r->code, "unused-stream");
        if (r->severity != DIAG_WARNING || (!unused && job_fresh(j, r->span.file)))
            diag_print(&c->diag, r, stderr);
    }
    fflush(stderr);
}

typedef enum Phase { PH_PARSE, PH_CHECK, PH_LOWER } Phase;

/* Compiles j with the driver as far as phase (parse; check the session;
 * lower `pipeline __repl`) into c, and shows its diagnostics; false after
 * errors.  c is compile_free'd by the caller either way. */
static bool job_compile(Job *j, Compilation *c, Phase ph)
{
    bool ok;
    j->shown = 0;
    if (ph == PH_PARSE) {
        memset(c, 0, sizeof *c);
        diag_init(&c->diag, NULL);
        job_load(c, j);
        ok = c->diag.errors == 0;
    } else {
        CompileOpts o = {.script = PROG_NAME, .pipeline = REPL_PIPELINE, .every_pipeline = ph == PH_CHECK,
                         .max_errors = -1, .load = job_load, .arg = j};
        ok = compile_front(c, &o) && c->diag.errors == 0;
    }
    job_report(j, c);
    return ok;
}

/* The `pipeline __repl` of a compilation (in the main file), or NULL. */
static Node *repl_pipeline(const Compilation *c)
{
    if (c->prog.nfiles == 0)
        return NULL;
    Node *f = c->prog.files[0];
    Node *last = f->list.n ? f->list.v[f->list.n - 1] : NULL;
    return last && last->kind == N_PIPELINE && !strcmp(last->name, REPL_PIPELINE) ? last : NULL;
}

/* The last statement of `pipeline __repl` (the flow or binding under test). */
static Node *last_stmt(const Compilation *c)
{
    Node *pl = repl_pipeline(c);
    return pl && pl->list.n ? pl->list.v[pl->list.n - 1] : NULL;
}

/* Whether a parsed flow ends in a sink (a standard one, or a proc with no OUT). */
static bool flow_is_sunk(const Compilation *c, const Node *flow)
{
    if (!flow || flow->kind != N_FLOW || flow->list.n == 0)
        return false;
    Node *last = flow->list.v[flow->list.n - 1];
    if ((last->kind != N_NAME && last->kind != N_CALL) || !last->name)
        return false;
    for (int i = 0; i < c->prog.nfiles; i++) {
        Node *f = c->prog.files[i];
        for (int j = 0; j < f->list.n; j++) {
            Node *d = f->list.v[j];
            if ((d->kind == N_PROC || d->kind == N_EXTERN) && d->name && !strcmp(d->name, last->name))
                return !d->has_out;
        }
    }
    Node *pl = repl_pipeline(c);
    for (int i = 0; pl && i < pl->list.n; i++)
        if (pl->list.v[i]->kind == N_BIND && !strcmp(pl->list.v[i]->name, last->name))
            return false;
    const StdStage *st = std_stage_find(last->name, flow->list.n > 1, true);
    return st && st->role == R_SINK;
}

/* Parses flow with the definitions and the bindings need marks (NULL: all),
 * showing its syntax errors; false after them.  *sunk: whether it ends in a sink. */
static bool parse_flow(const Repl *R, const char *flow, const bool *need, bool *sunk)
{
    Job j = {0};
    job_defs(R, &j, NULL);
    job_binds(R, &j, need);
    job_add(&j, flow, REPL_NAME, 1, true, true);
    Compilation c;
    bool ok = job_compile(&j, &c, PH_PARSE);
    *sunk = ok && flow_is_sunk(&c, last_stmt(&c));
    compile_free(&c);
    free(j.v);
    return ok;
}

/* flow with the stages the REPL adds when it ends in no sink: `| stdout`,
 * after a head that keeps a run's output short (max > 0). */
static char *with_tail(const char *flow, bool sunk, int max)
{
    Buf b = {0};
    buf_puts(&b, flow);
    if (!sunk && max > 0)
        buf_printf(&b, "    | head(%d) | stdout\n", max + 1);
    else if (!sunk)
        buf_puts(&b, "    | stdout\n");
    return b.p;
}

/* ------------------------------------------------------------------ the bindings a flow uses */

/* Marks the bindings that text names, and theirs in turn (a name that merely
 * looks like one, a lambda's parameter say, only adds a binding). */
static void mark_deps(const Repl *R, const char *text, bool *need)
{
    Toks t;
    toks_open(&t, text);
    for (int i = 0; i < R->binds.n; i++) {
        const char *b = R->binds.v[i].name;
        for (int k = 0; !need[i] && k < t.cm.ntoks; k++)
            if (tok_is_name(&t, k, b, strlen(b))) {
                need[i] = true;
                mark_deps(R, R->binds.v[i].text, need);
            }
    }
    toks_close(&t);
}

static bool *deps_of(const Repl *R, const char *text)
{
    bool *need = xrealloc(NULL, sizeof *need * (size_t)(R->binds.n + 1));
    memset(need, 0, sizeof *need * (size_t)(R->binds.n + 1));
    mark_deps(R, text, need);
    return need;
}

/* ------------------------------------------------------------------ signals */

/* Seconds that a run may take to stop after Ctrl-C (or SIGTERM) before it is
 * killed: a stage stuck in a loop never looks at the stop, and the runtime's
 * own watchdog would wait longer. */
#define STOP_WAIT 2

/* What the REPL's handler saw (a handler has nowhere else to put it): SIGINT
 * asks to stop the run under way, or to drop the line being typed; SIGTERM or
 * SIGHUP (got_end) to end the session once the run stopped.  Each signal also
 * writes a byte to wake[1], so that a poll() for input or for a run's end
 * returns. */
static volatile sig_atomic_t got_int, got_end;
static int wake[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGINT)
        got_int = 1;
    else if (sig != SIGCHLD)
        got_end = sig;
    ssize_t w = write(wake[1], "x", 1);
    (void)w;
    errno = saved;
}

static void drain_wake(void)
{
    char b[64];
    while (read(wake[0], b, sizeof b) > 0)
        ;
}

/* Handles sig with on_signal, unless it is ignored (nohup; a script's
 * `pipec repl &` without job control ignores SIGINT): that stays so.
 * SIGINT and SIGCHLD restart the calls they interrupt (a poll() never
 * restarts); SIGTERM and SIGHUP do not, so that a script's read ends. */
static void catch_signal(int sig, int flags)
{
    struct sigaction sa, old;
    sigaction(sig, NULL, &old);
    if (old.sa_handler == SIG_IGN)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
#define NCAUGHT (sizeof caught / sizeof *caught)

static bool catch_signals(void)
{
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        error("cannot make a pipe: %s", strerror(errno));
        return false;
    }
    catch_signal(SIGINT, SA_RESTART);
    catch_signal(SIGTERM, 0);
    catch_signal(SIGHUP, 0);
    catch_signal(SIGCHLD, SA_RESTART | SA_NOCLDSTOP);
    return true;
}

/* Gives each signal the REPL handles its default action back. */
static void release_signals(void)
{
    for (size_t i = 0; i < NCAUGHT; i++) {
        struct sigaction cur;
        sigaction(caught[i], NULL, &cur);
        if (cur.sa_handler == on_signal)
            signal(caught[i], SIG_DFL);
    }
}

/* ------------------------------------------------------------------ temporary files */

static const char *const tmp_names[] = {"sample", "input", "out", "err"};
#define NTMP (sizeof tmp_names / sizeof *tmp_names)

static const char *tmp_path(Repl *R, const char *name, char *buf, size_t size)
{
    if (!R->tmp) {
        const char *t = getenv("TMPDIR");
        char tmpl[4096];
        snprintf(tmpl, sizeof tmpl, "%s/pipec-repl.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpl)) {
            error("cannot create a temporary folder: %s", strerror(errno));
            return NULL;
        }
        R->tmp = xstrdup(tmpl);
    }
    snprintf(buf, size, "%s/%s", R->tmp, name);
    return buf;
}

static bool write_all(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static void remove_tmp(Repl *R)
{
    if (!R->tmp)
        return;
    char p[4200];
    for (size_t i = 0; i < NTMP; i++)
        unlink(tmp_path(R, tmp_names[i], p, sizeof p));
    rmdir(R->tmp);
    free(R->tmp);
    R->tmp = NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, got);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        buf_puts(&b, "");
    *len = b.n;
    return b.p;
}

/* ------------------------------------------------------------------ running in a child process */

/* The child's side of a run: the signals the REPL handles back at their
 * defaults (then unblocked: one sent meanwhile acts now), fds as standard
 * input, output and error; runs the program the parent compiled and exits
 * with pipe_main's code.  Never returns. */
static void child_run(const PipeProgram *prog, const int fds[3], const sigset_t *mask)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a REPL killed outright takes its run along */
#endif
    release_signals();
    sigprocmask(SIG_SETMASK, mask, NULL);
    close(wake[0]);
    close(wake[1]);
    for (int i = 0; i < 3; i++)
        dup2(fds[i], i);
    char name[] = "pipec repl";
    char *argv[] = {name, NULL};
    int rc = pipe_main(prog, 1, argv);
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Passes a stop on to the run's process group; the first one starts the
 * STOP_WAIT after which the run is killed. */
static void stop_run(pid_t pid, int sig, long long *deadline)
{
    kill(-pid, sig);
    if (*deadline < 0)
        *deadline = now_ms() + STOP_WAIT * 1000;
}

/* Waits for the run in process (group) pid to end.  Ctrl-C is passed on to it
 * (again: the runtime then ends it at once), SIGTERM or SIGHUP as SIGTERM; a
 * run still there STOP_WAIT s after the first is killed (*killed).  Returns
 * its exit code, or 128 + the signal that ended it. */
static int wait_run(pid_t pid, bool *killed)
{
    long long deadline = -1;
    bool told_end = false;
    int status;
    for (;;) {
        drain_wake(); /* before waitpid: a SIGCHLD after it still wakes the poll */
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return 1;
        if (got_int) {
            got_int = 0;
            stop_run(pid, SIGINT, &deadline);
        }
        if (got_end && !told_end) {
            told_end = true;
            stop_run(pid, SIGTERM, &deadline);
        }
        int timeout = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            if (left <= 0) {
                kill(-pid, SIGKILL);
                *killed = true;
                deadline = -1;
                continue;
            }
            timeout = (int)left;
        }
        struct pollfd p = {.fd = wake[0], .events = POLLIN};
        poll(&p, 1, timeout);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs the emitted program in a child process, in a process group of its own
 * (so that the REPL alone gets the terminal's Ctrl-C, and decides), with the
 * sample as standard input and standard output and error going to the
 * temporary files out_name and "err"; see wait_run for what it returns.
 * Nothing the run does (a loop that never ends, a crash in an extern proc,
 * memory exhausted) ends the session. */
static int run_program(Repl *R, const PipeProgram *prog, const char *out_name, bool *killed)
{
    char in[4200], out[4200], err[4200];
    if (!tmp_path(R, "sample", in, sizeof in) || !tmp_path(R, out_name, out, sizeof out) ||
        !tmp_path(R, "err", err, sizeof err))
        return 2;
    int fds[3] = {open(in, O_RDONLY | O_CLOEXEC), open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600),
                  open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    int rc = 2;
    if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
        error("cannot open the REPL's temporary files in %s: %s", R->tmp, strerror(errno));
    } else {
        fflush(stdout); /* else the child would write what is buffered too */
        fflush(stderr);
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t i = 0; i < NCAUGHT; i++)
            sigaddset(&block, caught[i]);
        sigprocmask(SIG_BLOCK, &block, &old);
        pid_t pid = fork();
        if (pid == 0) {
            setpgid(0, 0);
            child_run(prog, fds, &old);
        }
        if (pid > 0)
            setpgid(pid, pid); /* either may run first: both set it */
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (pid < 0)
            error("cannot start a process for the run: %s", strerror(errno));
        else
            rc = wait_run(pid, killed);
    }
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

/* Says how a run ended when it did not end by itself: stopped by Ctrl-C,
 * killed because it did not stop, or by another signal (a crash in an extern
 * proc, the kernel's OOM killer).  Nothing when the session ends. */
static void say_end(int rc, bool killed)
{
    fflush(stdout);
    if (killed)
        fprintf(stderr, "interrupted: the run did not stop within %d s and was killed (its unwritten output "
                        "is lost)\n", STOP_WAIT);
    else if (rc == 128 + SIGINT)
        fputs("interrupted\n", stderr);
    else if (rc > 128 && !got_end)
        fprintf(stderr, "error: the run ended by signal %d (%s)\n", rc - 128, strsignal(rc - 128));
}

/* Shows the results of a run (at most R->max lines). */
static void show_output(Repl *R)
{
    char path[4200];
    size_t n = 0;
    char *out = read_file(tmp_path(R, "out", path, sizeof path), &n);
    if (!out)
        return;
    size_t i = 0;
    int lines = 0;
    while (i < n && lines < R->max) {
        char *nl = memchr(out + i, '\n', n - i);
        i = nl ? (size_t)(nl - out) + 1 : n;
        lines++;
    }
    fwrite(out, 1, i, stdout);
    if (i > 0 && out[i - 1] != '\n')
        fputc('\n', stdout);
    fflush(stdout);
    if (i < n)
        fprintf(stderr, "... (the first %d results; :max N shows more)\n", R->max);
    free(out);
}

/* Shows the messages of a run (the runtime's: their positions name the chunks). */
static void show_errors(Repl *R)
{
    char path[4200];
    size_t n = 0;
    char *err = read_file(tmp_path(R, "err", path, sizeof path), &n);
    if (err) {
        fflush(stdout);
        fwrite(err, 1, n, stderr);
        fflush(stderr);
        free(err);
    }
}

static bool dag_reads_stdin(const Dag *dag)
{
    for (int i = 0; i < dag->n; i++)
        if (dag->nodes[i]->kind == SK_SOURCE && dag->nodes[i]->std && !strcmp(dag->nodes[i]->std, "stdin"))
            return true;
    return false;
}

/* Emits and JIT-compiles a lowered compilation (tcc's errors are records of
 * it) and runs it (run_program): its output goes to the temporary file
 * out_name, and is shown when that is "out"; then its messages.  Returns its
 * exit code (see wait_run). */
static int run_unit(Repl *R, Compilation *c, Job *j, const char *out_name)
{
    if (!R->sample_set && !R->noted_empty && dag_reads_stdin(&c->dag)) {
        fflush(stdout);
        fputs("note: stdin reads the sample input, which is empty: give one with :input FILE or :lines\n", stderr);
        R->noted_empty = true;
    }
    compile_emit(c, EMIT_JIT, PROG_NAME);
    const PipeProgram *prog = compile_jit(c);
    job_report(j, c);
    if (!prog)
        return 2;
    bool killed = false;
    int rc = run_program(R, prog, out_name, &killed);
    if (R->tty && (killed || rc == 128 + SIGINT))
        fputc('\n', stderr); /* after the terminal's "^C" */
    if (!strcmp(out_name, "out"))
        show_output(R);
    show_errors(R);
    say_end(rc, killed);
    return rc;
}

/* ------------------------------------------------------------------ showing types and graphs */

/* The source text of node n, on one line (runs of blanks become one space). */
static void put_source(FILE *o, const Compilation *u, const Node *n)
{
    const SrcFile *f = diag_file(&u->diag, n->loc.file);
    if (!f || n->loc.end <= n->loc.off || (size_t)n->loc.end > f->len) {
        fputs(n->name ? n->name : "?", o);
        return;
    }
    char prev = 0;
    for (int i = n->loc.off; i < n->loc.end; i++) {
        char c = f->text[i];
        if (c == '\n' || c == '\t' || c == '\r')
            c = ' ';
        if (c == ' ' && prev == ' ')
            continue;
        fputc(c, o);
        prev = c;
    }
}

/* :type — each stage of the flow under test (typed: not those the REPL
 * added) and the type of what it emits. */
static void print_types(Compilation *u, const Src *src)
{
    Node *fl = last_stmt(u);
    if (!fl || fl->kind != N_FLOW)
        return;
    Type *prev = NULL;
    for (int i = 0; i < fl->list.n; i++) {
        Node *st = fl->list.v[i];
        if (st->loc.file != src->file || (size_t)st->loc.off >= src->typed)
            continue;
        put_source(stdout, u, st);
        if (st->type)
            printf(" : %s\n", type_name(&u->arena, st->type));
        else if (prev)
            printf(" : %s ->\n", type_name(&u->arena, prev));
        else
            printf("\n");
        prev = st->type;
    }
}

/* :graph — the DAG as an aligned list: number, stage, its type, its inputs,
 * and the stream name bound to it. */
static void print_graph(Compilation *u)
{
    Dag *dag = &u->dag;
    int width = 0;
    char (*text)[80] = xrealloc(NULL, sizeof *text * (size_t)(dag->n + 1));
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        char st[64];
        graph_stage_text(&u->sema, n, st, sizeof st);
        if (n->inst >= 0)
            snprintf(text[i], sizeof text[i], "%s/%s", dag->insts[n->inst].decl->name, st);
        else
            snprintf(text[i], sizeof text[i], "%s", st);
        int w = (int)strlen(text[i]);
        width = w > width ? w : width;
    }
    int tw = 0;
    for (int i = 0; i < dag->n; i++) {
        int w = dag->nodes[i]->out ? (int)strlen(type_name(&u->arena, dag->nodes[i]->out)) : 0;
        tw = w > tw ? w : tw;
    }
    Node *pl = u->pipeline;
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        Buf line = {0};
        buf_printf(&line, "%*d  %-*s", dag->n >= 10 ? 2 : 1, i + 1, width, text[i]);
        if (n->out)
            buf_printf(&line, "  : %-*s", tw, type_name(&u->arena, n->out));
        else
            buf_printf(&line, "    %-*s", tw, "");
        for (int k = 0; k < n->nins; k++)
            for (int m = 0; m < dag->n; m++)
                if (dag->nodes[m] == n->ins[k].from)
                    buf_printf(&line, "%s%d", k ? ", " : "  <- ", m + 1);
        for (int k = 0; pl && k < pl->list.n; k++) {
            Node *b = pl->list.v[k];
            if (b->kind == N_BIND && b->sym && b->sym->stream == n)
                buf_printf(&line, "  = %s", b->name);
        }
        while (line.n && line.p[line.n - 1] == ' ')
            line.p[--line.n] = '\0';
        printf("%s\n", line.p);
        free(line.p);
    }
    free(text);
}

/* ------------------------------------------------------------------ definitions, bindings, flows */

/* The names the declarations of chunk k of j declare into nw (proc and
 * pipeline names, "import PATH"); false after one takes the REPL's own. */
static bool declared_names(const Compilation *c, const Job *j, Chunk *nw, int nn)
{
    bool ok = true;
    Node *f = c->prog.files[0];
    for (int i = 0; i < f->list.n; i++) {
        Node *d = f->list.v[i];
        for (int k = 0; k < nn; k++) {
            if (d->loc.file != j->v[k].file)
                continue;
            if (d->kind == N_IMPORT) {
                Buf b = {0};
                buf_printf(&b, "import %.*s", (int)d->str.n, d->str.p);
                chunk_add_name(&nw[k], b.p);
                free(b.p);
            } else if (d->name && strcmp(d->name, REPL_PIPELINE)) {
                chunk_add_name(&nw[k], d->name);
            } else if (d->name) {
                error("the name '%s' is the REPL's own", REPL_PIPELINE);
                ok = false;
            }
        }
    }
    return ok;
}

/* Which definitions the new chunks replace: those declaring a name they declare. */
static bool *replaced(const Repl *R, const Chunk *nw, int nn)
{
    bool *drop = xrealloc(NULL, sizeof *drop * (size_t)(R->defs.n + 1));
    for (int i = 0; i < R->defs.n; i++) {
        drop[i] = false;
        for (int k = 0; k < nn && !drop[i]; k++)
            for (int m = 0; m < nw[k].nnames && !drop[i]; m++)
                drop[i] = chunk_declares(&R->defs.v[i], nw[k].names[m]);
    }
    return drop;
}

/* Keeps the new chunks (what they declare said at a terminal) in place of
 * the definitions drop marks. */
static void keep_defs(Repl *R, Chunk *nw, int nn, const bool *drop)
{
    int kept = 0;
    for (int i = 0; i < R->defs.n; i++) {
        if (drop[i])
            chunk_free(&R->defs.v[i]);
        else
            R->defs.v[kept++] = R->defs.v[i];
    }
    R->defs.n = kept;
    for (int k = 0; k < nn; k++) {
        if (!nw[k].nnames) {
            chunk_free(&nw[k]);
            continue;
        }
        for (int m = 0; m < nw[k].nnames; m++)
            info(R, "%s%s", m ? ", " : "defined ", nw[k].names[m]);
        info(R, "\n");
        chunks_push(&R->defs, nw[k]);
    }
}

/* Adds definition chunks (their ownership too): syntax first, each chunk
 * alone, which also tells what they declare; then the whole session is
 * checked with them in place of older definitions of the same names.
 * Nothing changes on an error. */
static bool define(Repl *R, Chunk *nw, int nn)
{
    Job j = {0};
    for (int k = 0; k < nn; k++)
        job_chunk(&j, &nw[k], false, true);
    Compilation c;
    bool ok = job_compile(&j, &c, PH_PARSE) && declared_names(&c, &j, nw, nn);
    compile_free(&c);
    bool *drop = ok ? replaced(R, nw, nn) : NULL;
    if (ok) {
        j.n = 0;
        job_defs(R, &j, drop);
        for (int k = 0; k < nn; k++)
            job_chunk(&j, &nw[k], false, true);
        job_binds(R, &j, NULL);
        ok = job_compile(&j, &c, PH_CHECK);
        compile_free(&c);
    }
    if (ok)
        keep_defs(R, nw, nn, drop);
    for (int k = 0; !ok && k < nn; k++)
        chunk_free(&nw[k]);
    free(drop);
    free(j.v);
    return ok;
}

/* `name = flow`: kept (in place of an older binding of name) when the session
 * still checks with it; its syntax alone first, so that an unclosed bracket
 * can't swallow the rest. */
static void bind(Repl *R, char *name, const char *text)
{
    Chunk b = chunk_make(text, strlen(text), REPL_NAME, 1);
    b.name = name;
    Job j = {0};
    job_chunk(&j, &b, true, true);
    Compilation c;
    bool ok = job_compile(&j, &c, PH_PARSE);
    compile_free(&c);
    int at = -1;
    for (int i = 0; i < R->binds.n; i++)
        if (!strcmp(R->binds.v[i].name, name))
            at = i;
    j.n = 0;
    job_defs(R, &j, NULL);
    for (int i = 0; i < R->binds.n; i++)
        job_chunk(&j, i == at ? &b : &R->binds.v[i], true, i == at);
    if (at < 0)
        job_chunk(&j, &b, true, true);
    ok = ok && job_compile(&j, &c, PH_CHECK);
    Node *pl = ok ? repl_pipeline(&c) : NULL;
    for (int i = 0; pl && i < pl->list.n; i++) {
        Node *s = pl->list.v[i];
        if (s->kind == N_BIND && !strcmp(s->name, name) && s->type)
            info(R, "%s : %s\n", name, type_name(&c.arena, s->type));
    }
    if (ok && at >= 0) {
        chunk_free(&R->binds.v[at]);
        R->binds.v[at] = b;
    } else if (ok) {
        chunks_push(&R->binds, b);
    } else {
        chunk_free(&b);
    }
    compile_free(&c);
    free(j.v);
}

typedef enum Eval { EV_RUN, EV_TYPE, EV_C } Eval;

/* Checks a flow with the session and runs it (EV_RUN), prints its stages'
 * types (EV_TYPE) or its C (EV_C).  A flow with no sink gets `| stdout`
 * (when run, after a head that keeps the output short). */
static void eval_flow(Repl *R, const char *text, Eval what)
{
    Chunk fl = chunk_make(text, strlen(text), REPL_NAME, 1);
    bool *need = deps_of(R, fl.text);
    bool sunk;
    if (parse_flow(R, fl.text, need, &sunk)) {
        char *full = with_tail(fl.text, sunk, what == EV_RUN ? R->max : 0);
        Job j = {0};
        job_defs(R, &j, NULL);
        job_binds(R, &j, need);
        Src *s = job_add(&j, full, REPL_NAME, 1, true, true);
        s->typed = strlen(fl.text);
        Compilation c;
        bool ok = job_compile(&j, &c, what == EV_TYPE ? PH_CHECK : PH_LOWER);
        if (ok && what == EV_TYPE) {
            print_types(&c, &j.v[j.n - 1]);
        } else if (ok && what == EV_C) {
            compile_emit(&c, EMIT_JIT, PROG_NAME);
            fwrite(c.emitted.code, 1, c.emitted.len, stdout);
        } else if (ok && run_unit(R, &c, &j, "out") == 0) {
            free(R->last);
            R->last = xstrdup(fl.text);
        }
        compile_free(&c);
        free(j.v);
        free(full);
    }
    fflush(stdout);
    free(need);
    chunk_free(&fl);
}

/* :graph — the bindings and the last flow as one DAG, as a list or in DOT. */
static void show_graph(Repl *R, bool dot)
{
    if (!R->last && R->binds.n == 0) {
        error("nothing to draw yet: bind a stream or run a flow first");
        return;
    }
    bool sunk = true;
    if (R->last)
        parse_flow(R, R->last, NULL, &sunk);
    char *full = R->last ? with_tail(R->last, sunk, 0) : NULL;
    Job j = {0};
    job_defs(R, &j, NULL);
    job_binds(R, &j, NULL);
    if (full)
        job_add(&j, full, REPL_NAME, 1, true, false);
    Compilation c;
    if (job_compile(&j, &c, PH_LOWER)) {
        if (dot)
            graph_write_dot(&c.sema, &c.dag, stdout);
        else
            print_graph(&c);
    }
    compile_free(&c);
    free(j.v);
    free(full);
    fflush(stdout);
}

/* ------------------------------------------------------------------ files: :load, :save, :input */

/* The start of the line holding offset off of t's text, moved up over the
 * lines right above it that hold only a comment (they document the
 * declaration), not above floor. */
static int decl_start(const Toks *t, int off, int floor)
{
    const char *x = t->text;
    int s = off;
    while (s > floor && x[s - 1] != '\n')
        s--;
    for (int i = t->cm.n - 1; i >= 0; i--) {
        const Comment *k = &t->cm.v[i];
        if (k->off >= s)
            continue;
        if (!k->own_line || k->end + 1 != s || k->off < floor)
            break;
        s = k->off;
        while (s > floor && x[s - 1] != '\n')
            s--;
    }
    return s;
}

/* The offset in text of the string literal right after the first token kw
 * (FROM, IMPORT), as the real lexer sees it: a comment never matches; -1
 * when there is none. */
static int literal_after(const char *text, int kw)
{
    Toks t;
    toks_open(&t, text);
    int at = -1;
    for (int i = 0; i + 1 < t.cm.ntoks && at < 0; i++)
        if (t.cm.toks[i].tok == kw && t.cm.toks[i + 1].tok == STRING)
            at = t.cm.toks[i + 1].off;
    toks_close(&t);
    return at;
}

/* A relative path after kw (`from "x.c"` of an extern proc, `import "x"`),
 * made relative to the folder of path (the session's text has none). */
static char *fix_path(const char *text, const char *path, int kw)
{
    const char *slash = strrchr(path, '/');
    int at = literal_after(text, kw);
    const char *q = at >= 0 ? text + at : NULL;
    if (!slash || !q || q[1] == '/')
        return xstrdup(text);
    Buf b = {0};
    buf_add(&b, text, (size_t)(q + 1 - text));
    for (const char *s = path; s <= slash; s++) {
        if (*s == '"' || *s == '\\')
            buf_add(&b, "\\", 1);
        buf_add(&b, s, 1);
    }
    buf_puts(&b, q + 1);
    return b.p;
}

/* A relative path in a definition (`import "x"`, `from "x.c"`) made absolute,
 * for a file saved in another folder than the current one. */
static char *absolute_paths(const char *text)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd - 4))
        return xstrdup(text);
    strcat(cwd, "/x");
    return fix_path(text, cwd, literal_after(text, IMPORT) >= 0 ? IMPORT : FROM);
}

/* A definition's text as :list and :save show it: a relative `from "x.c"`
 * of a :load'ed one is made relative to the current folder (the chunk keeps
 * its file's words: checking resolves them from its origin), and with
 * absolute, every relative path is made absolute. */
static char *def_text(const Chunk *c, bool absolute)
{
    char *t = strcmp(c->origin, REPL_NAME) ? fix_path(c->text, c->origin, FROM) : xstrdup(c->text);
    if (!absolute)
        return t;
    char *a = absolute_paths(t);
    free(t);
    return a;
}

/* The declarations of file f (text t) as chunks into nw: each with the
 * comment lines above it, up to the next; one chunk for declarations on
 * one line; imports left out (:load inlines them). */
static void file_chunks(const Diag *d, const Node *f, Chunks *nw)
{
    const SrcFile *sf = diag_file(d, f->loc.file);
    Toks t;
    toks_open(&t, sf->text);
    int prev = -1;
    for (int i = 0; i < f->list.n; i++) {
        Node *decl = f->list.v[i];
        int s = decl_start(&t, decl->loc.off, prev < 0 ? 0 : prev);
        if (prev >= 0 && s <= prev)
            continue; /* declared on the same line as the one before: one chunk */
        int e = (int)sf->len;
        for (int j = i + 1; j < f->list.n; j++) {
            int s2 = decl_start(&t, f->list.v[j]->loc.off, s);
            if (s2 > s) {
                e = s2;
                break;
            }
        }
        prev = s;
        if (decl->kind == N_IMPORT)
            continue;
        int line, col;
        diag_linecol(d, f->loc.file, s, &line, &col);
        chunks_push(nw, chunk_make(sf->text + s, (size_t)(e - s), sf->path, line));
    }
    toks_close(&t);
}

/* :load FILE — every declaration of FILE and of the files it imports, as
 * definitions (imports are inlined, so that :save writes one whole file). */
static void load(Repl *R, const char *path)
{
    Diag d;
    diag_init(&d, stderr);
    PipeArena a = {0};
    Program prog;
    fflush(stdout);
    bool ok = parse_program(&d, &a, path, &prog) && d.errors == 0;
    Chunks nw = {0};
    for (int fi = prog.nfiles - 1; ok && fi >= 0; fi--) /* imported files first */
        file_chunks(&d, prog.files[fi], &nw);
    diag_free(&d);
    pipe_arena_free(&a);
    if (ok && nw.n == 0)
        info(R, "%s declares nothing\n", path);
    else if (ok)
        define(R, nw.v, nw.n);
    free(nw.v);
}

static void put_indented(FILE *f, const char *text, const char *prefix)
{
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n)
            fprintf(f, "%s%.*s\n", prefix, (int)n, s);
        else
            fputc('\n', f);
        s += n + (nl != NULL);
    }
}

static bool same_folder_as_cwd(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return true;
    char *dir = xstrndup(path, (size_t)(slash - path) + 1);
    char *rd = realpath(dir, NULL), *rc = realpath(".", NULL);
    bool same = rd && rc && !strcmp(rd, rc);
    free(dir);
    free(rd);
    free(rc);
    return same;
}

/* The text :save writes to path: the definitions, then `pipeline name` with
 * the last flow and the bindings it uses; other bindings as comments. */
static void save_text(Repl *R, FILE *f, const char *path, const char *name)
{
    bool sunk = false;
    if (R->last)
        parse_flow(R, R->last, NULL, &sunk);
    fputs("# written by pipec repl\n", f);
    bool elsewhere = !same_folder_as_cwd(path);
    for (int i = 0; i < R->defs.n; i++) {
        fputc('\n', f);
        char *t = def_text(&R->defs.v[i], elsewhere);
        fputs(t, f);
        free(t);
    }
    bool *need = R->last ? deps_of(R, R->last) : NULL;
    if (R->last) {
        fprintf(f, "\npipeline %s {\n", name);
        for (int i = 0; i < R->binds.n; i++)
            put_indented(f, R->binds.v[i].text, need[i] ? "    " : "    # ");
        put_indented(f, R->last, "    ");
        if (!sunk)
            fputs("        | stdout\n", f);
        fputs("}\n", f);
    } else if (R->binds.n) {
        fputs("\n# bindings (no flow has run yet):\n", f);
        for (int i = 0; i < R->binds.n; i++)
            put_indented(f, R->binds.v[i].text, "# ");
    }
    free(need);
}

/* text (n bytes) in pipec fmt's layout (malloc'd, its length in *len), so
 * that a saved file passes `pipec fmt --check`; NULL when fmt refuses it. */
static char *canonical(const char *text, size_t n, size_t *len)
{
    Diag d;
    diag_init(&d, NULL);
    char *out = fmt_format(&d, diag_add_file(&d, "<save>", text, n), len);
    diag_free(&d);
    return out;
}

/* :save FILE — save_text in the canonical layout. */
static void save(Repl *R, const char *path)
{
    const char *name = "main";
    for (int i = 0; i < R->defs.n; i++)
        if (chunk_declares(&R->defs.v[i], "main"))
            name = "repl";
    char *text = NULL, *fmt;
    size_t n = 0, len = 0;
    FILE *m = open_memstream(&text, &n);
    save_text(R, m, path, name);
    fclose(m);
    if ((fmt = canonical(text, n, &len))) {
        free(text);
        text = fmt;
        n = len;
    }
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(text, 1, n, f) == n;
    free(text);
    if (!f || fclose(f) != 0 || !ok) {
        error("cannot write '%s': %s", path, strerror(errno));
        return;
    }
    info(R, "saved %d definition%s%s to %s\n", R->defs.n, R->defs.n == 1 ? "" : "s",
         R->last ? " and the last flow" : "", path);
    if (R->last && strcmp(name, "main"))
        info(R, "(a definition is called 'main': run the session's pipeline with --pipeline repl)\n");
}

/* Makes text (n bytes: nlines lines, each ending in '\n') the sample. */
static void set_sample(Repl *R, const char *text, size_t n, int nlines)
{
    char p[4200];
    if (tmp_path(R, "sample", p, sizeof p) && !write_all(p, text, n))
        error("cannot write the sample to %s: %s", p, strerror(errno));
    R->nsample = nlines;
}

/* Appends s as a Pipe string literal. */
static void buf_string(Buf *b, const char *s)
{
    buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            buf_printf(b, "\\x%02x", c);
        else
            buf_add(b, s, 1);
    }
    buf_puts(b, "\"");
}

/* The lines of a file whose every line ends in '\n'. */
static int count_lines(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
    char b[65536];
    ssize_t got;
    while (fd >= 0 && (got = read(fd, b, sizeof b)) > 0)
        for (char *s = b; (s = memchr(s, '\n', (size_t)(b + got - s))) != NULL; s++)
            n++;
    if (fd >= 0)
        close(fd);
    return n;
}

/* Whether path names something :input can read; says why not. */
static bool readable(const char *path)
{
    struct stat st;
    int e = 0;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    if (e)
        error("cannot read '%s': %s", path, strerror(e));
    return e == 0;
}

/* :input FILE — the sample is FILE's first R->limit lines, copied by a run of
 * `file(FILE) | head(LIMIT) | stdout` into the temporary file "input": so
 * reading FILE has the limits of any run (a line longer than
 * --max-line-bytes, /dev/zero's say, ends in its runtime error) and stops on
 * Ctrl-C (a FIFO that nobody writes to).  After an error the sample is kept. */
static bool input_file(Repl *R, const char *path)
{
    if (!readable(path))
        return false;
    Buf flow = {0};
    buf_puts(&flow, "file(");
    buf_string(&flow, path);
    buf_printf(&flow, ") | head(%d) | stdout\n", R->limit);
    Job j = {0};
    job_add(&j, flow.p, REPL_NAME, 1, true, true);
    Compilation c;
    bool ok = job_compile(&j, &c, PH_LOWER) && run_unit(R, &c, &j, "input") == 0;
    compile_free(&c);
    free(j.v);
    free(flow.p);
    char from[4200], to[4200]; /* the temporary folder is there: the run was */
    if (ok && rename(tmp_path(R, "input", from, sizeof from), tmp_path(R, "sample", to, sizeof to)) != 0) {
        error("cannot make %s the sample: %s", from, strerror(errno));
        ok = false;
    }
    if (!ok)
        return false;
    R->nsample = count_lines(to);
    R->sample_set = true;
    if (path != R->sample_file) {
        free(R->sample_file);
        R->sample_file = xstrdup(path);
    }
    info(R, "sample: %d line%s of %s\n", R->nsample, R->nsample == 1 ? "" : "s", path);
    return true;
}

/* ------------------------------------------------------------------ reading input */

typedef struct Reader {
    bool tty;
    char *hist;            /* history file, or NULL */
    char *buf;             /* a script's bytes read, not yet taken: [off, len) */
    size_t off, len, cap;
    bool eof;
    char *pending;    /* a line read ahead that starts the next input */
    bool interrupted; /* read_line's NULL was Ctrl-C, not the end of input */
} Reader;

/* libedit's input (rl_getc_function): the terminal's next byte.  Ctrl-C
 * gives a newline, which ends the line being typed (read_line then drops it:
 * got_int is still set); SIGTERM or SIGHUP gives the end of input. */
static int tty_getc(FILE *f)
{
    for (;;) {
        if (got_int)
            return '\n';
        if (got_end)
            return EOF;
        struct pollfd p[2] = {{.fd = fileno(f), .events = POLLIN}, {.fd = wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return EOF;
        drain_wake();
        unsigned char c;
        ssize_t n = p[0].revents ? read(fileno(f), &c, 1) : -1;
        if (n == 1)
            return c;
        if (n == 0 || (p[0].revents && errno != EINTR && errno != EAGAIN))
            return EOF;
    }
}

/* A script's next line, without its newline, or NULL at its end or when
 * SIGTERM or SIGHUP ends the session; SIGINT meanwhile is forgotten (it stops
 * runs only).  Read without stdio, so that the poll() on fd 0 and the wake
 * pipe sees every byte not yet taken: a signal that comes between the look
 * at got_end and the wait still ends the wait. */
static char *script_line(Reader *rd)
{
    if (!rd->buf) {
        rd->cap = 65536;
        rd->buf = xrealloc(NULL, rd->cap);
    }
    for (;;) {
        char *s = rd->buf + rd->off, *nl = memchr(s, '\n', rd->len - rd->off);
        if (nl || (rd->eof && rd->off < rd->len)) {
            size_t n = nl ? (size_t)(nl - s) : rd->len - rd->off;
            rd->off += n + (nl != NULL);
            got_int = 0; /* a SIGINT while waiting for input is no request to stop what comes */
            return xstrndup(s, n);
        }
        if (rd->eof || got_end)
            return NULL;
        memmove(rd->buf, s, rd->len - rd->off);
        rd->len -= rd->off;
        rd->off = 0;
        if (rd->cap - rd->len < 4096) {
            rd->cap *= 2;
            rd->buf = xrealloc(rd->buf, rd->cap);
        }
        struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            rd->eof = true;
        drain_wake();
        ssize_t got = p[0].revents ? read(0, rd->buf + rd->len, rd->cap - rd->len) : -1;
        if (got > 0)
            rd->len += (size_t)got;
        else if (got == 0 || (p[0].revents && errno != EINTR && errno != EAGAIN))
            rd->eof = true;
    }
}

/* The next line (malloc'ed, without its newline), or NULL at end of input,
 * when SIGTERM or SIGHUP ends the session, or (rd->interrupted) when Ctrl-C
 * dropped the line at a terminal. */
static char *read_line(Reader *rd, const char *prompt)
{
    if (rd->pending) {
        char *l = rd->pending;
        rd->pending = NULL;
        return l;
    }
    if (!rd->tty)
        return script_line(rd);
    char *l = readline(prompt);
    if (got_int || got_end) {
        rd->interrupted = got_int;
        got_int = 0;
        free(l);
        return NULL;
    }
    return l;
}

static void remember(Reader *rd, const char *text)
{
    if (!rd->tty || !*text)
        return;
    add_history(text);
    if (rd->hist)
        write_history(rd->hist);
}

/* :lines — the lines that follow, up to one holding a single '.', are the sample. */
static void read_sample_lines(Repl *R, Reader *rd)
{
    Buf b = {0};
    buf_puts(&b, "");
    int n = 0;
    for (;;) {
        char *l = read_line(rd, "  ... ");
        if (!l || !strcmp(l, ".")) {
            free(l);
            break;
        }
        buf_puts(&b, l);
        buf_puts(&b, "\n");
        free(l);
        n++;
    }
    if (!rd->interrupted) { /* Ctrl-C keeps the sample there was */
        free(R->sample_file);
        R->sample_file = NULL;
        set_sample(R, b.p, b.n, n);
        R->sample_set = true;
        info(R, "sample: %d line%s\n", R->nsample, R->nsample == 1 ? "" : "s");
    }
    free(b.p);
}

/* ------------------------------------------------------------------ commands */

static const char help_text[] =
    "Type a flow to run it on the sample input and see its first results, e.g.\n"
    "    stdin | lower | words | count\n"
    "a binding `name = flow` to name a stream for later flows, or a definition\n"
    "(fn, proc, extern proc, record, pipeline, import): they last for the session,\n"
    "and a new one of the same name replaces the old.  A line that starts with `|`\n"
    "extends the last flow.  Input goes on over several lines while brackets are\n"
    "open or a line ends in | , = => : -> or an operator.  A flow with no sink\n"
    "prints to stdout.  In a script (standard input not a terminal), a line that\n"
    "starts with | continues the input on the line above, as in a .pipe file.\n"
    "\n"
    "  :input FILE    the sample is FILE's first lines (see :limit); `stdin` reads it\n"
    "  :lines         the lines typed next, up to a line holding only `.`, are the sample\n"
    "  :limit [N]     lines :input takes (default 20); shows the setting without N\n"
    "  :max [N]       results shown per flow (default 100)\n"
    "  :type [FLOW]   each stage of FLOW (default: the last flow) and the type it emits\n"
    "  :graph [dot]   the DAG of the bindings and the last flow, as a list or in DOT\n"
    "  :c [FLOW]      the C generated for FLOW (default: the last flow)\n"
    "  :list          the definitions, bindings, last flow and sample\n"
    "  :load FILE     the declarations of FILE.pipe (and of what it imports)\n"
    "  :save FILE     the definitions and `pipeline main` with the last flow and the\n"
    "                 bindings it uses: `pipec run FILE < sample` prints what the flow did\n"
    "  :reset         forget everything, the sample too\n"
    "  :help [NAME]   this text; with NAME the reference of a stage or function\n"
    "  :quit          leave (so do end of input and Ctrl-D)\n"
    "Ctrl-C stops the flow that runs (the session stays) or drops the line typed.\n";

/* :help NAME of no stage or function */
static void help_unknown(const char *name)
{
    const char *near = reference_nearest(name);
    error("no stage or function is called '%s'%s%s%s", name, near ? "; did you mean '" : "", near ? near : "",
          near ? "'?" : "");
}

static void reset(Repl *R)
{
    chunks_free(&R->defs);
    chunks_free(&R->binds);
    free(R->last);
    R->last = NULL;
    free(R->sample_file);
    R->sample_file = NULL;
    R->sample_set = false;
    R->noted_empty = false;
    R->limit = DEFAULT_LIMIT;
    R->max = DEFAULT_MAX;
    set_sample(R, "", 0, 0);
}

static void list_session(Repl *R)
{
    for (int i = 0; i < R->defs.n; i++) {
        char *t = def_text(&R->defs.v[i], false);
        fputs(t, stdout);
        free(t);
    }
    for (int i = 0; i < R->binds.n; i++)
        fputs(R->binds.v[i].text, stdout);
    if (R->last)
        printf("# last flow:\n%s", R->last);
    if (R->sample_file)
        printf("# sample: %d line%s of %s\n", R->nsample, R->nsample == 1 ? "" : "s", R->sample_file);
    else if (R->sample_set)
        printf("# sample: %d line%s\n", R->nsample, R->nsample == 1 ? "" : "s");
    else
        printf("# no sample\n");
}

/* Reads a positive count for :limit and :max; false after an error. */
static bool parse_count(const char *cmd, const char *arg, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || *end || end == arg || v < 1 || v > 1000000) {
        error(":%s needs a count from 1 to 1000000, found '%s'", cmd, arg);
        return false;
    }
    *out = (int)v;
    return true;
}

/* Runs a :command; false at :quit. */
static bool command(Repl *R, Reader *rd, char *line)
{
    char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    s++; /* ':' */
    char *cmd = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    size_t clen = (size_t)(s - cmd);
    while (isspace((unsigned char)*s))
        s++;
    char *arg = s;
    size_t alen = strlen(arg);
    while (alen && isspace((unsigned char)arg[alen - 1]))
        arg[--alen] = '\0';
#define IS(name) (clen == strlen(name) && !memcmp(cmd, name, clen))
    if (IS("quit") || IS("q") || IS("exit"))
        return false;
    if (IS("help") || IS("h") || IS("?")) {
        if (!*arg)
            fputs(help_text, stdout);
        else if (!reference_print(stdout, arg))
            help_unknown(arg);
    } else if (IS("input")) {
        if (!*arg)
            error(":input needs a file name");
        else
            input_file(R, arg);
    } else if (IS("lines")) {
        read_sample_lines(R, rd);
    } else if (IS("limit")) {
        if (!*arg)
            printf("%d\n", R->limit);
        else if (parse_count("limit", arg, &R->limit) && R->sample_file)
            input_file(R, R->sample_file);
    } else if (IS("max")) {
        if (!*arg)
            printf("%d\n", R->max);
        else
            parse_count("max", arg, &R->max);
    } else if (IS("type") || IS("t") || IS("c")) {
        Eval what = IS("c") ? EV_C : EV_TYPE;
        if (*arg)
            eval_flow(R, arg, what);
        else if (R->last)
            eval_flow(R, R->last, what);
        else
            error(":%.*s needs a flow (no flow has run yet)", (int)clen, cmd);
    } else if (IS("graph")) {
        if (*arg && strcmp(arg, "dot"))
            error(":graph takes no argument but 'dot', found '%s'", arg);
        else
            show_graph(R, *arg != '\0');
    } else if (IS("list") || IS("ls")) {
        list_session(R);
    } else if (IS("load")) {
        if (!*arg)
            error(":load needs a file name");
        else
            load(R, arg);
    } else if (IS("save")) {
        if (!*arg)
            error(":save needs a file name");
        else
            save(R, arg);
    } else if (IS("reset")) {
        reset(R);
        info(R, "forgot everything\n");
    } else {
        error("unknown command ':%.*s' (:help lists them)", (int)clen, cmd);
    }
#undef IS
    fflush(stdout);
    return true;
}

/* One input: a command, definition, binding or flow.  False at :quit. */
static bool handle(Repl *R, Reader *rd, char *text)
{
    char *name = NULL;
    switch (classify(text, &name)) {
    case IN_NONE:
        return true;
    case IN_COMMAND:
        return command(R, rd, text);
    case IN_DEF: {
        Chunk c = chunk_make(text, strlen(text), REPL_NAME, 1);
        define(R, &c, 1);
        return true;
    }
    case IN_BIND:
        bind(R, name, text);
        return true;
    case IN_EXTEND: {
        if (!R->last) {
            error("no flow to extend yet: a line that starts with '|' continues the last flow");
            return true;
        }
        /* the last flow keeps its lines; the new stages go on a line of their own */
        Buf b = {0};
        buf_puts(&b, R->last);
        buf_puts(&b, text);
        eval_flow(R, b.p, EV_RUN);
        free(b.p);
        return true;
    }
    case IN_FLOW:
        eval_flow(R, text, EV_RUN);
        return true;
    }
    return true;
}

/* Adds to in, with prompt, the lines it needs to be whole (brackets open, a
 * trailing operator), up to a line that starts an input of its own (kept
 * for the next read). */
static void read_more(Reader *rd, Buf *in, const char *prompt)
{
    char *more;
    while (needs_more(in->p) && (more = read_line(rd, prompt)) != NULL) {
        if (starts_input(more)) {
            rd->pending = more;
            break;
        }
        buf_puts(in, "\n");
        buf_puts(in, more);
        free(more);
    }
}

/* The next whole input: a line and the lines that continue it (brackets
 * open, a trailing operator; in a script, lines that start with '|').  NULL
 * at the end of input, or (rd->interrupted) when Ctrl-C dropped it. */
static char *read_input(Reader *rd)
{
    char *line = read_line(rd, "pipe> ");
    if (!line)
        return NULL;
    Buf in = {0};
    buf_puts(&in, line);
    free(line);
    InputKind kind = classify(in.p, NULL);
    if (kind != IN_COMMAND)
        read_more(rd, &in, "  ... ");
    /* in a script, as in a .pipe file, a line that starts with '|' goes on
     * with the flow above it (at a terminal it extends the last flow) */
    while (!rd->tty && kind != IN_COMMAND && kind != IN_NONE) {
        char *more = read_line(rd, "");
        if (!more)
            break;
        const char *t = more + strspn(more, " \t");
        if (*t != '|') {
            rd->pending = more;
            break;
        }
        buf_puts(&in, "\n");
        buf_puts(&in, more);
        free(more);
        read_more(rd, &in, "");
    }
    if (rd->interrupted) {
        free(in.p);
        return NULL;
    }
    return in.p;
}

/* History and line editing at a terminal.  libedit catches no signal (the
 * REPL's handler has them) and reads through tty_getc, which turns Ctrl-C
 * into dropping the line. */
static void start_editing(Reader *rd)
{
    const char *home = getenv("HOME");
    if (home && *home) {
        Buf h = {0};
        buf_printf(&h, "%s/.pipec_history", home);
        rd->hist = h.p;
    }
    rl_catch_signals = 0;
    rl_getc_function = tty_getc;
    using_history();
    stifle_history(1000);
    if (rd->hist)
        read_history(rd->hist);
}

int repl_main(int argc, char **argv)
{
    if (argc > 1 || (argc == 1 && argv[0][0] == '-' && strcmp(argv[0], "-h") && strcmp(argv[0], "--help"))) {
        fprintf(stderr, "pipec: error: repl takes at most one argument, a .pipe file to load\ntry 'pipec --help'\n");
        return 2;
    }
    Repl R = {0};
    R.tty = isatty(0) && isatty(1);
    if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
        fputs("usage: pipec repl [FILE.pipe]\n\n", stdout);
        fputs(help_text, stdout);
        return 0;
    }
    if (!catch_signals())
        return 1;
    reset(&R);
    Reader rd = {.tty = R.tty};
    if (rd.tty) {
        start_editing(&rd);
        printf("pipec repl: type a flow such as `stdin | words | count`, or :help\n");
    }
    if (argc == 1)
        load(&R, argv[0]);
    bool go_on = true;
    while (go_on && !got_end) {
        fflush(stdout);
        got_int = 0; /* a Ctrl-C after a run ended asks nothing of the next input */
        rd.interrupted = false;
        char *in = read_input(&rd);
        if (!in && rd.interrupted)
            continue; /* at a terminal: the line is dropped, a new prompt */
        if (!in) {
            if (rd.tty)
                putchar('\n');
            break;
        }
        if (!got_end) {
            remember(&rd, in);
            go_on = handle(&R, &rd, in);
        }
        free(in);
    }
    fflush(stdout);
    reset(&R);
    remove_tmp(&R);
    free(rd.hist);
    free(rd.buf);
    release_signals();
    /* SIGTERM or SIGHUP ends the session as it would have ended the process */
    if (got_end)
        raise(got_end);
    return 0;
}
