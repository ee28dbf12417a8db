/* exec.c — exec(cmd): a processor backed by an external program (`/bin/sh -c
 * CMD`) that reads the items on its stdin and prints its results on stdout,
 * restarted with back-off when it dies; the items it had in flight then run
 * alone, one program each, to find the one that kills it (docs/pipe.md,
 * "exec: external programs").
 *
 * Items go to the program through one write buffer that is also the record of
 * what is in flight: wbuf[0, done) is retired, [done, sent) was written to the
 * program and is not known to be done, [sent, len) waits to be written.  Both
 * of our pipe ends are non-blocking and every wait polls both, so that while
 * the program's stdin is full its stdout is read and emitted: no deadlock. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipe_std.h"
#include "rt_impl.h"

extern char **environ;

#define EX_FLUSH ((size_t)64 << 10)      /* bytes waiting that make push write them */
#define EX_READ ((size_t)64 << 10)       /* bytes per read of the program's output */
#define EX_KEEP_BYTES ((size_t)1 << 20)  /* in-flight bytes kept for a retry, at most */
#define EX_KEEP_ITEMS ((size_t)100000)   /* in-flight items kept, at most */
#define EX_HOLD_BYTES ((size_t)1 << 20)  /* output of an item run alone held back, at most */
#define EX_BACKOFF_MAX_MS 5000           /* the back-off doubles up to this */
#define EX_TERM_MS 500                   /* close: SIGTERM, then SIGKILL after this */

/* One item of wbuf[done, len): where it ends and where it came from. */
typedef struct ExItem {
    size_t end;      /* offset in wbuf just after its '\n' */
    PipeSource *src; /* the source whose item it came from; NULL at end of input */
    int64_t line;
} ExItem;

typedef struct ExecNode {
    PipeNode node;
    char *cmd; /* heap, NUL-terminated */
    int64_t retries, backoff_ms;
    pid_t pid;    /* the running program (a process group of its own), 0 when none */
    int to, from; /* our ends of its stdin and stdout, -1 when closed */
    char *wbuf;
    size_t len, cap, done, sent;
    size_t seen;   /* how far the program read wbuf when it ended (ex_end) */
    ExItem *items; /* the items of wbuf[done, len): items[head, nitems) */
    size_t head, nitems, icap;
    uint64_t dropped; /* in-flight items forgotten (past EX_KEEP_*) since the last retirement */
    char *rbuf;       /* the program's output after its last complete line */
    size_t rlen, rcap;
    size_t max_line;  /* --max-line-bytes, for the lines it prints */
    bool too_long;    /* it printed a longer line: ended, the rest of its output dropped */
    int64_t attempt;  /* restarts since the program last got past the items replayed */
    size_t replayed;  /* items replayed to the program and not retired yet */
    bool ending;      /* in finish: lines emitted may reset scratch */
    bool stopped;     /* the program exited 0 before its input ended: as head, no more input */
    bool alone;       /* the program runs the oldest item kept alone (ex_alone) */
    bool passed;      /* ... and printed more than EX_HOLD_BYTES: what it prints is emitted */
    char *hbuf;       /* the lines it printed alone, held back until it exits 0 */
    size_t hlen, hcap;
} ExecNode;

/* ------------------------------------------------------------------ messages */

static void ex_puts(PipeBuf *b, const char *s)
{
    pipe_buf_put(b, s, strlen(s));
}

static const char *ex_signame(int sig)
{
    static const struct { int sig; const char *name; } names[] = {
        {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
        {SIGABRT, "SIGABRT"}, {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"}, {SIGSEGV, "SIGSEGV"},
        {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGUSR1, "SIGUSR1"},
        {SIGUSR2, "SIGUSR2"}, {SIGBUS, "SIGBUS"},   {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    return NULL;
}

/* How the program ended, as status st of waitpid. */
static void ex_how(PipeBuf *b, int st)
{
    char t[48];
    if (WIFSIGNALED(st)) {
        const char *name = ex_signame(WTERMSIG(st));
        if (name)
            snprintf(t, sizeof t, "was killed by signal %s", name);
        else
            snprintf(t, sizeof t, "was killed by signal %d", WTERMSIG(st));
    } else {
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        const char *name = code > 128 ? ex_signame(code - 128) : NULL; /* as sh reports a signal */
        if (code == 126 || code == 127 || !name)
            snprintf(t, sizeof t, "exited with status %d%s", code,
                     code == 127 ? " (command not found)" : code == 126 ? " (not executable)" : "");
        else
            snprintf(t, sizeof t, "exited with status %d (killed by %s)", code, name);
    }
    ex_puts(b, t);
}

/* "input NAME, line N" of item it. */
static void ex_where(PipeBuf *b, const ExItem *it, bool range)
{
    char t[32];
    if (!it->src) {
        ex_puts(b, "at end of input");
        return;
    }
    ex_puts(b, "input ");
    ex_puts(b, it->src->input_name ? it->src->input_name : "?");
    snprintf(t, sizeof t, ", line%s %lld", range ? "s" : "", (long long)it->line);
    ex_puts(b, t);
}

/* How many of the items kept the program read, at least in part (and did
 * not answer: those answered are retired). */
static size_t ex_read_items(const ExecNode *e)
{
    size_t k = 0;
    size_t start = e->done;
    for (size_t i = e->head; i < e->nitems && start < e->seen; i++) {
        k++;
        start = e->items[i].end;
    }
    return k;
}

/* The message of a death (st) with the k items in flight, after which
 * pipec gave up after `restarts` restarts (0: none to say). */
static void ex_death_text(ExecNode *e, PipeBuf *b, int st, size_t k, int64_t restarts)
{
    ex_puts(b, "program ");
    pipe_buf_escaped(b, (PipeStr){e->cmd, strlen(e->cmd)});
    pipe_buf_putc(b, ' ');
    char t[160];
    if (e->too_long) {
        snprintf(t, sizeof t, "printed a line longer than --max-line-bytes=%zu (pipec ended it)", e->max_line);
        ex_puts(b, t);
    } else {
        ex_how(b, st);
    }
    if (restarts) {
        snprintf(t, sizeof t, " (gave up after %lld restart%s)", (long long)restarts, restarts == 1 ? "" : "s");
        ex_puts(b, t);
    }
    if (k == 0) {
        ex_puts(b, e->dropped ? "; no items kept in flight" : "; no items in flight");
    } else {
        const ExItem *first = &e->items[e->head], *last = &e->items[e->head + k - 1];
        snprintf(t, sizeof t, "; %zu item%s in flight%s (", k, k == 1 ? "" : "s", e->alone ? ", run alone" : "");
        ex_puts(b, t);
        bool range = k > 1 && first->src == last->src && first->src;
        ex_where(b, first, range);
        if (range) {
            snprintf(t, sizeof t, "-%lld", (long long)last->line);
            ex_puts(b, t);
        } else if (k > 1) {
            ex_puts(b, " to ");
            ex_where(b, last, false);
        }
        ex_puts(b, ")");
    }
    if (e->dropped) {
        snprintf(t, sizeof t, "%s%llu earlier ones not kept for a retry (over %zu items or %zu bytes)",
                 k ? " and " : ", and ", (unsigned long long)e->dropped, EX_KEEP_ITEMS, EX_KEEP_BYTES);
        ex_puts(b, t);
    }
}

/* The text of item it (without its newline). */
static PipeStr ex_item_str(const ExecNode *e, size_t i)
{
    size_t start = i == e->head ? e->done : e->items[i - 1].end;
    return (PipeStr){e->wbuf + start, e->items[i].end - 1 - start};
}

/* ------------------------------------------------------------------ the program */

static void ex_check_stop(ExecNode *e)
{
    if (RT_UNLIKELY(pipe_rt_stop))
        pipe_stop_now(e->node.rt);
}

/* Starts the program with pipes on its stdin and stdout; a failure to start
 * /bin/sh is a runtime error (a command sh cannot find is its exit status 127). */
static void ex_start(ExecNode *e)
{
    int in[2], out[2];
    char msg[300];
    if (pipe2(in, O_CLOEXEC) != 0)
        goto fail;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        goto fail;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawnattr_init(&at);
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE); /* ignored during a run: the program gets the usual SIGPIPE */
    sigaddset(&def, SIGCHLD); /* and reaps its own children, whatever pipec inherited */
    sigaddset(&def, SIGXFSZ); /* pipe_process_init ignores it, for pipec's own writes */
    /* An ignored SIGCHLD (inherited: `trap '' CHLD`, a daemon's habit) has the
     * kernel reap the program at once, and waitpid finds no status to report
     * (it would read as exit 0): take the default back. */
    struct sigaction chld;
    if (sigaction(SIGCHLD, NULL, &chld) == 0 && chld.sa_handler == SIG_IGN)
        signal(SIGCHLD, SIG_DFL);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setpgroup(&at, 0); /* its own group: close() ends its children too */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    char *argv[] = {"sh", "-c", e->cmd, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(in[0]);
    close(out[1]);
    if (err) {
        close(in[1]);
        close(out[0]);
        errno = err;
        goto fail;
    }
    fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    e->pid = pid;
    e->to = in[1];
    e->from = out[0];
    e->rlen = 0;
    e->too_long = false;
    e->sent = e->done; /* a new program gets every item kept */
    return;
fail:
    snprintf(msg, sizeof msg, "cannot start /bin/sh: %s", strerror(errno));
    pipe_fail(&e->node, msg);
}

static void ex_close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Ends the program if it still runs (SIGTERM to its group, SIGKILL after
 * EX_TERM_MS) and reaps it; closes our ends. */
static void ex_kill(ExecNode *e)
{
    ex_close_fd(&e->to);
    ex_close_fd(&e->from);
    if (e->pid <= 0)
        return;
    pid_t pid = e->pid;
    e->pid = 0;
    kill(-pid, SIGTERM);
    int st;
    for (int ms = 0; ms < EX_TERM_MS; ms += 5) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return;
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

/* Waits until the program's stdout has input (or its end), its stdin has
 * room (when want_room), or the run must stop. */
static void ex_wait(ExecNode *e, bool want_room, int timeout_ms)
{
    struct pollfd p[3];
    int n = 0;
    if (e->from >= 0)
        p[n++] = (struct pollfd){.fd = e->from, .events = POLLIN};
    if (want_room && e->to >= 0)
        p[n++] = (struct pollfd){.fd = e->to, .events = POLLOUT};
    int sfd = pipe_stop_fd();
    if (sfd >= 0)
        p[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    ex_check_stop(e);
    if (poll(p, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
        pipe_fail(&e->node, "waiting for the program: poll failed");
    ex_check_stop(e);
}

/* Retires the oldest item when the program has read all of it (consumed is
 * the offset in wbuf up to which it read): one item per line it printed. */
static void ex_retire_one(ExecNode *e, size_t consumed)
{
    if (e->head == e->nitems || e->items[e->head].end > consumed)
        return;
    e->done = e->items[e->head++].end;
    e->dropped = 0;
    if (e->replayed && --e->replayed == 0)
        e->attempt = 0; /* the restarted program got past what it was given again */
}

/* How far the program has read wbuf: what was written less what still sits
 * in the pipe (FIONREAD works on either end of a Linux pipe). */
static size_t ex_consumed(ExecNode *e)
{
    int unread = 0;
    if (e->to >= 0 && ioctl(e->to, FIONREAD, &unread) != 0)
        unread = 0;
    size_t u = unread > 0 ? (size_t)unread : 0;
    return e->sent >= u ? e->sent - u : 0;
}

enum { EX_AGAIN, EX_DATA, EX_EOF };

/* The program printed a line longer than --max-line-bytes: it is ended, and
 * what it printed since its last line is dropped; whoever reaps it reports a
 * death (ex_death_text names the line). */
static int ex_too_long(ExecNode *e)
{
    e->too_long = true;
    e->rlen = 0;
    if (e->pid > 0)
        kill(-e->pid, SIGKILL);
    return EX_DATA;
}

/* Emits one line the program printed (in finish, an item done each). */
static void ex_emit(ExecNode *e, PipeStr *line)
{
    pipe_emit(&e->node, line);
    if (e->ending)
        pipe_item_done(e->node.rt);
}

/* Emits the lines held back from the program run alone. */
static void ex_pass_held(ExecNode *e)
{
    char *p = e->hbuf, *end = p + e->hlen, *nl;
    e->hlen = 0;
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        PipeStr line = {p, (size_t)(nl - p)};
        p = nl + 1;
        ex_emit(e, &line);
    }
}

/* A line of the program run alone: held back until it exits 0, so that an
 * item that fails, or runs again, has emitted nothing; past EX_HOLD_BYTES
 * (memory stays bounded) what it held and prints from then on is emitted. */
static void ex_hold(ExecNode *e, PipeStr *line)
{
    if (e->passed) {
        ex_emit(e, line);
        return;
    }
    if (e->hcap - e->hlen < line->n + 1) {
        e->hcap = e->hcap * 2 > e->hlen + line->n + 1 ? e->hcap * 2 : e->hlen + line->n + 1 + EX_READ;
        e->hbuf = pipe_xrealloc(e->hbuf, e->hcap);
    }
    memcpy(e->hbuf + e->hlen, line->p, line->n);
    e->hbuf[e->hlen + line->n] = '\n';
    e->hlen += line->n + 1;
    if (e->hlen > EX_HOLD_BYTES) {
        e->passed = true;
        ex_pass_held(e);
    }
}

/* Reads what the program printed, without waiting: emits each complete line
 * (retiring one in-flight item per line; held back when it runs alone).
 * EX_EOF at the end of its output. */
static int ex_read(ExecNode *e)
{
    if (e->rcap - e->rlen < EX_READ) {
        e->rcap = e->rlen + EX_READ;
        e->rbuf = pipe_xrealloc(e->rbuf, e->rcap);
    }
    ssize_t got = read(e->from, e->rbuf + e->rlen, EX_READ);
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return EX_AGAIN;
        char msg[200];
        snprintf(msg, sizeof msg, "reading the program's output: %s", strerror(errno));
        pipe_fail(&e->node, msg);
    }
    if (got == 0)
        return EX_EOF;
    if (RT_UNLIKELY(e->too_long))
        return EX_DATA; /* dropped: the program is being ended */
    size_t consumed = ex_consumed(e);
    char *scan = e->rbuf + e->rlen, *end = scan + got, *start = e->rbuf, *nl;
    e->rlen += (size_t)got;
    while ((nl = memchr(scan, '\n', (size_t)(end - scan)))) {
        PipeStr line = {start, (size_t)(nl - start)};
        if (RT_UNLIKELY(line.n > e->max_line))
            return ex_too_long(e);
        start = scan = nl + 1;
        if (RT_UNLIKELY(e->alone)) {
            ex_hold(e, &line);
            continue;
        }
        ex_retire_one(e, consumed);
        ex_emit(e, &line);
    }
    e->rlen = (size_t)(end - start);
    memmove(e->rbuf, start, e->rlen);
    if (RT_UNLIKELY(e->rlen > e->max_line)) /* found before its end: memory stays bounded */
        return ex_too_long(e);
    return EX_DATA;
}

/* Emits the program's last line when it did not end it with a newline. */
static void ex_last_line(ExecNode *e)
{
    if (!e->rlen)
        return;
    PipeStr line = {e->rbuf, e->rlen};
    e->rlen = 0;
    pipe_emit(&e->node, &line);
}

/* Waits until the program has read everything written to it, or has
 * closed its stdin or stdout, emitting what it prints; then notes how far
 * it read (e->seen), which tells the items in flight if it dies. */
static void ex_drained(ExecNode *e)
{
    int ms = 1;
    for (;;) {
        int unread = 0;
        if (ioctl(e->to, FIONREAD, &unread) != 0 || unread <= 0)
            break;
        int sfd = pipe_stop_fd();
        struct pollfd all[3] = {{.fd = e->from, .events = POLLIN}, {.fd = e->to, .events = 0},
                                {.fd = sfd, .events = POLLIN}};
        ex_check_stop(e);
        if (poll(all, sfd >= 0 ? 3 : 2, ms) < 0 && errno != EINTR)
            break;
        ex_check_stop(e);
        if (all[1].revents & (POLLERR | POLLHUP))
            break; /* no reader any more */
        if (all[0].revents && ex_read(e) == EX_EOF)
            break; /* ex_end reads the end again */
        if (ms < 50)
            ms *= 2;
    }
    e->seen = ex_consumed(e);
}

/* Closes the program's stdin, emits the rest of its output and reaps it;
 * returns its wait status. */
static int ex_end(ExecNode *e)
{
    if (e->to >= 0)
        ex_drained(e);
    ex_close_fd(&e->to);
    while (e->from >= 0) {
        int r = ex_read(e);
        if (r == EX_EOF)
            ex_close_fd(&e->from);
        else if (r == EX_AGAIN)
            ex_wait(e, false, -1);
    }
    int st = 0;
    for (;;) {
        pid_t r = waitpid(e->pid, &st, 0);
        if (r == e->pid)
            break;
        if (r < 0 && errno != EINTR) {
            st = 0;
            break;
        }
        ex_check_stop(e); /* close() still reaps it */
    }
    e->pid = 0;
    return st;
}

/* Sleeps ms milliseconds, or until the run must stop. */
static void ex_sleep(ExecNode *e, int64_t ms)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t gone = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (gone >= ms)
            return;
        ex_wait(e, false, (int)(ms - gone));
    }
}

/* The back-off before restart number attempt + 1: backoff_ms doubled
 * attempt times, up to EX_BACKOFF_MAX_MS. */
static int64_t ex_delay(const ExecNode *e, int64_t attempt)
{
    int64_t delay = e->backoff_ms;
    for (int64_t i = 0; i < attempt && delay < EX_BACKOFF_MAX_MS; i++)
        delay *= 2;
    return delay > EX_BACKOFF_MAX_MS ? EX_BACKOFF_MAX_MS : delay;
}

/* Prints the warning of a restart, "POS: warning in stage exec: " and the
 * text in b (which has room for a newline), after what was emitted before;
 * traced as restart number attempt after delay ms (attempt 0: the one that
 * runs the items in flight alone). */
static void ex_warn(ExecNode *e, PipeBuf *b, int64_t attempt, int64_t delay)
{
    PipeNode *n = &e->node;
    PipeRt *rt = n->rt;
    char head[300], t[96];
    PipeBuf w = {head, 0, sizeof head, pipe_buf_cut};
    if (n->pos.file) {
        snprintf(t, sizeof t, "%s:%d:%d: ", n->pos.file, n->pos.line, n->pos.col);
        ex_puts(&w, t);
    }
    ex_puts(&w, "warning");
    if (rt->tag_run_id) {
        ex_puts(&w, " [run ");
        ex_puts(&w, rt->run_id);
        ex_puts(&w, "]");
    }
    ex_puts(&w, " in stage exec: ");
    if (rt->trace)
        pipe_rt_trace_restart(n, b->p, b->len, (uint64_t)attempt, (uint64_t)delay);
    b->p[b->len++] = '\n';
    pipe_out_flush_all(rt); /* the warning comes after what was emitted before */
    if (write(2, w.p, w.len) < 0 || write(2, b->p, b->len) < 0) {
        /* stderr is gone: the restart goes on all the same */
    }
}

/* Appends "; restarting (A of R) in D ms" to b. */
static void ex_restarting(const ExecNode *e, PipeBuf *b, int64_t attempt, int64_t delay)
{
    char t[96];
    snprintf(t, sizeof t, "; restarting (%lld of %lld) in %lld ms", (long long)attempt, (long long)e->retries,
             (long long)delay);
    ex_puts(b, t);
}

/* Writes wbuf[sent, end) to the program, emitting what it prints meanwhile;
 * false when it stopped taking input first (its stdin or stdout closed): the
 * caller reaps it. */
static bool ex_write(ExecNode *e, size_t end)
{
    while (e->sent < end) {
        ssize_t w = write(e->to, e->wbuf + e->sent, end - e->sent);
        if (w > 0) {
            e->sent += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            ex_check_stop(e);
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            ex_wait(e, true, -1);
            if (ex_read(e) != EX_EOF)
                continue;
        } else if (!(w < 0 && errno == EPIPE)) {
            char msg[200];
            snprintf(msg, sizeof msg, "writing to the program: %s", strerror(errno));
            pipe_fail(&e->node, msg);
        }
        return false;
    }
    return true;
}

/* Retires the oldest item kept: it is done, or has failed. */
static void ex_retire_head(ExecNode *e)
{
    e->done = e->items[e->head++].end;
}

/* Starts a program of its own for the oldest item kept, writes it that item
 * alone, closes its stdin, reads what it prints (held back) and reaps it;
 * returns its wait status. */
static int ex_run_alone(ExecNode *e)
{
    e->hlen = 0;
    e->passed = false;
    ex_start(e);
    ex_write(e, e->items[e->head].end);
    return ex_end(e);
}

/* Runs the oldest item kept alone (ex_run_alone), again after the back-off
 * while restarts remain, and retires it.  True when it went through: what
 * the program printed is emitted.  Else it fails under the error policy
 * (false), without one a runtime error naming it.  A program that passed on
 * part of its output (over EX_HOLD_BYTES) is not run again: that part would
 * come twice. */
static bool ex_alone(ExecNode *e)
{
    e->alone = true;
    for (int64_t attempt = 0;; attempt++) {
        int st = ex_run_alone(e);
        bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && !e->too_long;
        if (ok) {
            ex_pass_held(e);
            ex_last_line(e);
        }
        e->hlen = e->rlen = 0;
        if (ok) {
            e->alone = false;
            ex_retire_head(e);
            return true;
        }
        ex_check_stop(e); /* a program ended by Ctrl-C with us is no death to report */
        char mem[1200];
        PipeBuf b = {mem, 0, sizeof mem - 1, pipe_buf_cut};
        bool again = attempt < e->retries && !e->passed;
        ex_death_text(e, &b, st, 1, again ? 0 : attempt);
        if (again) {
            int64_t delay = ex_delay(e, attempt);
            ex_puts(&b, ": ");
            pipe_buf_escaped(&b, ex_item_str(e, e->head));
            ex_restarting(e, &b, attempt + 1, delay);
            ex_warn(e, &b, attempt + 1, delay);
            ex_sleep(e, delay);
            continue;
        }
        b.p[b.len] = '\0';
        pipe_item_failed(&e->node, mem, ex_item_str(e, e->head));
        e->alone = false;
        ex_retire_head(e);
        return false;
    }
}

/* The program died (wait status st) with k > 1 items in flight, under an
 * error policy or with restarts allowed.  Which of them killed it is not
 * known (a program may read far ahead of what it answers), so they run
 * alone, one program each, in order, until one fails alone; a new program
 * takes the items after it.  Each death of the stream's program settles
 * one item at least, so the work stays bounded. */
static void ex_isolate(ExecNode *e, int st, size_t k)
{
    PipeNode *n = &e->node;
    char mem[1200];
    PipeBuf b = {mem, 0, sizeof mem - 1, pipe_buf_cut};
    ex_death_text(e, &b, st, k, 0);
    ex_puts(&b, ", the first: ");
    pipe_buf_escaped(&b, ex_item_str(e, e->head));
    ex_puts(&b, "; running them alone, one at a time");
    ex_warn(e, &b, 0, 0);
    if (hdr(n)->catch)
        hdr(n)->errors += e->dropped;
    e->dropped = 0;
    e->attempt = 0;
    e->replayed = 0;
    e->rlen = 0;
    for (size_t i = 0; i < k && ex_alone(e); i++)
        ;
    if (e->head < e->nitems)
        ex_start(e);
}

/* The program died (wait status st).  With several items in flight, under
 * an error policy or with restarts allowed, they run alone (ex_isolate).
 * Else it restarts after the back-off when restarts remain (a warning names
 * the items in flight; they and the items after them go to it again), or
 * it is a runtime error of the stage; under an error policy the item in
 * flight fails (all those kept when it read none), and the items after it
 * go to a new program. */
static void ex_died(ExecNode *e, int st)
{
    PipeNode *n = &e->node;
    PipeRt *rt = n->rt;
    ex_check_stop(e); /* a program ended by Ctrl-C with us is no death to report */
    size_t read = ex_read_items(e);
    bool policy = hdr(n)->catch && !rt->failing;
    if (read > 1 && (policy || e->retries)) {
        ex_isolate(e, st, read);
        return;
    }
    /* it read none: all those kept are in flight (else a program that dies
     * at once would be restarted for ever under an error policy) */
    size_t k = read ? read : e->nitems - e->head;
    char mem[1200];
    PipeBuf b = {mem, 0, sizeof mem - 1, pipe_buf_cut};
    bool restart = e->attempt < e->retries;
    ex_death_text(e, &b, st, k, restart ? 0 : e->attempt);
    if (restart) {
        int64_t delay = ex_delay(e, e->attempt);
        e->attempt++;
        if (k) {
            ex_puts(&b, k > 1 ? ", the first: " : ": ");
            pipe_buf_escaped(&b, ex_item_str(e, e->head));
        }
        ex_restarting(e, &b, e->attempt, delay);
        ex_warn(e, &b, e->attempt, delay);
        ex_sleep(e, delay);
        e->replayed = e->nitems - e->head;
        ex_start(e);
        return;
    }
    if (!policy) {
        if (k > 1)
            ex_puts(&b, ", the first");
        b.p[b.len] = '\0';
        if (k)
            pipe_fail_str(n, mem, ex_item_str(e, e->head));
        pipe_fail(n, mem);
    }
    b.p[b.len] = '\0';
    /* under a policy: each item in flight fails; the rest goes to a new program */
    hdr(n)->errors += e->dropped;
    e->dropped = 0;
    e->attempt = 0;
    e->replayed = 0;
    if (k == 0) /* counted once, as an error in `on end` is */
        pipe_item_failed(n, mem, (PipeStr){"", 0});
    for (size_t i = 0; i < k; i++) {
        pipe_item_failed(n, mem, ex_item_str(e, e->head));
        ex_retire_head(e);
    }
    e->rlen = 0;
    if (e->head < e->nitems)
        ex_start(e);
}

/* After the program ended (status st): at the end of input, exit 0 is done;
 * before it, the program stopped reading (as `head` does) and the stage
 * wants no more input; anything else is a death (ex_died). */
static void ex_exited(ExecNode *e, int st, bool at_end)
{
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !e->too_long) {
        ex_last_line(e);
        e->head = e->nitems = 0;
        e->len = e->done = e->sent = 0;
        e->dropped = 0;
        if (!at_end) {
            e->stopped = true;
            pipe_close(&e->node);
        }
        return;
    }
    e->rlen = 0; /* a partial line of a dead program is dropped: its item goes again */
    ex_died(e, st);
}

/* Writes every byte waiting to the program, emitting what it prints
 * meanwhile; handles its death on the way. */
static void ex_pump(ExecNode *e)
{
    while (e->pid > 0 && e->sent < e->len)
        if (!ex_write(e, e->len))
            ex_exited(e, ex_end(e), false); /* it stopped taking input before we closed it */
}

/* Makes room for one more item of n bytes and its record; moves the items
 * kept to the front when the retired ones take room. */
static void ex_room(ExecNode *e, size_t n)
{
    if (e->done && (e->done == e->len || e->cap - e->len < n)) {
        memmove(e->wbuf, e->wbuf + e->done, e->len - e->done);
        for (size_t i = e->head; i < e->nitems; i++) {
            e->items[i - e->head] = e->items[i];
            e->items[i - e->head].end -= e->done;
        }
        e->nitems -= e->head;
        e->head = 0;
        e->len -= e->done;
        e->sent -= e->done;
        e->done = 0;
    }
    if (e->cap - e->len < n) {
        e->cap = e->cap * 2 > e->len + n ? e->cap * 2 : e->len + n + EX_FLUSH;
        e->wbuf = pipe_xrealloc(e->wbuf, e->cap);
    }
    if (e->nitems == e->icap) {
        if (e->head) {
            memmove(e->items, e->items + e->head, (e->nitems - e->head) * sizeof *e->items);
            e->nitems -= e->head;
            e->head = 0;
        }
        if (e->nitems == e->icap) {
            e->icap = e->icap ? e->icap * 2 : 1024;
            e->items = pipe_xrealloc(e->items, e->icap * sizeof *e->items);
        }
    }
}

/* Forgets the oldest items written when more than EX_KEEP_* are in flight
 * (a program that prints nothing until the end, such as sort). */
static void ex_bound(ExecNode *e)
{
    while (e->head < e->nitems && e->items[e->head].end <= e->sent &&
           (e->sent - e->done > EX_KEEP_BYTES || e->nitems - e->head > EX_KEEP_ITEMS)) {
        e->done = e->items[e->head++].end;
        e->dropped++;
        if (e->replayed)
            e->replayed--;
    }
}

static bool ex_outputs_live(PipeNode *n)
{
    for (uint32_t i = 0; i < n->nouts; i++)
        if (!hdr(n->outs[i].node)->ended)
            return true;
    return false;
}

/* ------------------------------------------------------------------ hooks */

static void ex_open(PipeNode *n)
{
    ExecNode *e = (ExecNode *)n;
    char msg[120];
    if (e->retries < 0 || e->backoff_ms < 0) {
        bool r = e->retries < 0;
        snprintf(msg, sizeof msg, "%s must not be negative, found %lld", r ? "retries" : "backoff_ms",
                 (long long)(r ? e->retries : e->backoff_ms));
        pipe_fail(n, msg);
    }
    if (!e->cmd[0])
        pipe_fail(n, "the command is empty");
    e->max_line = pipe_rt_max_line(n->rt);
    ex_start(e);
}

static void ex_push(PipeNode *n, const void *item, int port)
{
    (void)port;
    ExecNode *e = (ExecNode *)n;
    if (e->stopped)
        return;
    const PipeStr *s = item;
    if (e->pid <= 0)
        ex_start(e); /* the last one gave up under an error policy */
    ex_room(e, s->n + 1);
    memcpy(e->wbuf + e->len, s->p, s->n);
    e->wbuf[e->len + s->n] = '\n';
    e->len += s->n + 1;
    ExItem *it = &e->items[e->nitems++];
    it->end = e->len;
    it->src = n->rt->cur;
    it->line = it->src ? it->src->input_line : 0;
    if (e->len - e->sent >= EX_FLUSH) {
        ex_pump(e);
        ex_bound(e);
    }
}

/* Writes what waits to the program when the input is about to block, so the
 * user sees its results (pipe_rt_on_idle). */
static void ex_idle(PipeNode *n)
{
    ExecNode *e = (ExecNode *)n;
    if (e->stopped || e->pid <= 0)
        return;
    ex_pump(e);
    int r = EX_AGAIN;
    while (e->pid > 0 && (r = ex_read(e)) == EX_DATA)
        ;
    if (e->pid > 0 && r == EX_EOF)
        ex_exited(e, ex_end(e), false);
}

static int ex_idle_fd(PipeNode *n)
{
    ExecNode *e = (ExecNode *)n;
    return e->stopped || e->pid <= 0 ? -1 : e->from;
}

static void ex_finish(PipeNode *n)
{
    ExecNode *e = (ExecNode *)n;
    if (e->stopped || !ex_outputs_live(n))
        return; /* close() ends the program */
    e->ending = true;
    while (e->pid > 0) {
        ex_pump(e);
        if (e->pid <= 0)
            break;
        ex_exited(e, ex_end(e), true);
    }
    e->ending = false;
}

static void ex_close(PipeNode *n)
{
    ex_kill((ExecNode *)n);
}

static void ex_free(PipeNode *n)
{
    ExecNode *e = (ExecNode *)n;
    ex_kill(e);
    free(e->cmd);
    free(e->wbuf);
    free(e->items);
    free(e->rbuf);
    free(e->hbuf);
}

PipeNode *pipe_std_exec(PipeRt *rt, PipePos pos, PipeStr cmd, int64_t retries, int64_t backoff_ms)
{
    ExecNode *e = (ExecNode *)pipe_node_new(rt, sizeof(ExecNode), "exec", pos);
    e->node.in = &pipe_t_str;
    e->node.out = &pipe_t_str;
    e->node.push = ex_push;
    e->node.finish = ex_finish;
    e->node.open = ex_open;
    e->node.close = ex_close;
    e->node.free = ex_free;
    /* a NUL byte ends the command as sh sees it; sema refuses one in a literal */
    e->cmd = pipe_xstrndup(cmd.p, cmd.n);
    e->retries = retries;
    e->backoff_ms = backoff_ms;
    e->to = e->from = -1;
    pipe_rt_on_idle(rt, &e->node, ex_idle, ex_idle_fd);
    return &e->node;
}
