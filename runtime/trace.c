/* trace.c — run IDs (UUIDv7) and --trace: JSON lines telling how a run went
 * (start, each stage opened and closed, errors, end), for orchestrators and audits.
 *
 * Nothing here runs per item: records are written when the run starts, when a
 * node ends, on an error and at the end.  Each record is one write(2) to a file
 * opened with O_APPEND, so runs sharing a trace file never cut each other's lines. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rt_impl.h"

#define TRACE_FORMAT 1            /* "trace_format" of the start record: bumped on incompatible changes */
#define TRACE_VALUE_MAX 1024      /* bytes of an offending value kept in an error record */

/* A node as the trace knows it: its id is its index, in creation order (the
 * ids of --stats=json). */
typedef struct TraceNode {
    PipeNode *node;
    bool is_source;
    bool ended;
    uint32_t errors;
} TraceNode;

typedef struct RtTrace {
    int fd;
    bool own_fd;        /* close at the end ("-" is standard error: not ours) */
    bool dead;          /* a write failed: nothing more is written */
    bool stopped;       /* a closed output ended the run */
    const char *path;   /* for the warning when a write fails */
    uint64_t t0;        /* CLOCK_MONOTONIC at the start, ns */
    TraceNode *nodes;
    size_t nnodes;
    PipeBuf rec;        /* the record being built (heap) */
    bool cut;           /* no memory to build the record whole: it is dropped */
} RtTrace;

/* ------------------------------------------------------------------ clocks and IDs */

static uint64_t trace_mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t trace_unix_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Fills p[0, n) with random bytes: getrandom(2), without waiting for the
 * entropy pool; when that fails, a splitmix64 stream seeded by the clocks and
 * the pid (still unique enough for an ID, though not unpredictable). */
static void random_bytes(unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, GRND_NONBLOCK);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)r;
    }
    uint64_t x = trace_mono_ns() ^ trace_unix_ms() << 20 ^ (uint64_t)getpid() << 40;
    for (; got < n; got++) {
        x += 0x9E3779B97F4A7C15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        p[got] = (unsigned char)(z ^ (z >> 31));
    }
}

/* A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix time in ms, the version, 12
 * random bits, the variant, 62 random bits; canonical lowercase text. */
static void uuid7(char out[37], uint64_t unix_ms)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char u[16];
    random_bytes(u + 6, 10);
    for (int i = 0; i < 6; i++)
        u[i] = (unsigned char)(unix_ms >> (40 - 8 * i));
    u[6] = (unsigned char)(0x70 | (u[6] & 0x0f));
    u[8] = (unsigned char)(0x80 | (u[8] & 0x3f));
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[u[i] >> 4];
        *o++ = hex[u[i] & 15];
    }
    *o = '\0';
}

bool pipe_run_id_valid(const char *text)
{
    for (int i = 0; i < 36; i++) {
        char c = text[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return text[36] == '\0';
}

/* ------------------------------------------------------------------ JSON text */

/* Room for a record RECORD_ROOM bytes long is there from the start, so that
 * the error record of running out of memory needs no more. */
#define RECORD_ROOM ((size_t)16 << 10)

/* The grow callback of the record: without memory for more, the record is
 * dropped (rec_write skips it), as the report of running out of memory must
 * not run out itself. */
static bool rec_grow(PipeBuf *b, const char *p, size_t n)
{
    (void)p;
    size_t cap = b->cap ? b->cap : RECORD_ROOM;
    while (cap - b->len < n)
        cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) {
        RtTrace *t = (RtTrace *)((char *)b - offsetof(RtTrace, rec));
        t->cut = true;
        return false;
    }
    b->p = q;
    b->cap = cap;
    return true;
}


/* Appends p[0, n) as a JSON string: '"' and '\' escaped, control bytes and
 * DEL as \u00XX (\n, \r, \t short), valid UTF-8 as is, and each byte that is
 * not part of valid UTF-8 as U+FFFD (the replacement character); to_json
 * (stdlib/records.c) writes strings with it too. */
void pipe_buf_json(PipeBuf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    pipe_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f) {
            if (c == '"' || c == '\\')
                pipe_buf_putc(b, '\\');
            pipe_buf_putc(b, (char)c);
            i++;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            char e[2] = {'\\', c == '\n' ? 'n' : c == '\r' ? 'r' : 't'};
            pipe_buf_put(b, e, 2);
            i++;
        } else if (c < 0x80) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            pipe_buf_put(b, e, 6);
            i++;
        } else {
            size_t len = pipe_utf8_len((const unsigned char *)p + i, n - i);
            if (len)
                pipe_buf_put(b, p + i, len);
            else
                pipe_buf_put(b, "\\ufffd", 6);
            i += len ? len : 1;
        }
    }
    pipe_buf_putc(b, '"');
}

/* A C string as JSON, or null. */
static void json_cstr(PipeBuf *b, const char *s)
{
    if (s)
        pipe_buf_json(b, s, strlen(s));
    else
        pipe_buf_put(b, "null", 4);
}

static void json_u64(PipeBuf *b, uint64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    pipe_buf_put(b, t, (size_t)n);
}

/* Milliseconds with microsecond precision, from a count of nanoseconds. */
static void json_ms(PipeBuf *b, uint64_t ns)
{
    char t[40];
    int n = snprintf(t, sizeof t, "%llu.%03llu", (unsigned long long)(ns / 1000000u),
                     (unsigned long long)(ns / 1000u % 1000u));
    pipe_buf_put(b, t, (size_t)n);
}

/* ,"name": — every record starts with "event" and "run_id", so each further
 * field follows a comma. */
static void key(PipeBuf *b, const char *name)
{
    pipe_buf_put(b, ",\"", 2);
    pipe_buf_put(b, name, strlen(name));
    pipe_buf_put(b, "\":", 2);
}

/* The fields of a record: "name":value */
static void kv_str(PipeBuf *b, const char *name, const char *s)
{
    key(b, name);
    json_cstr(b, s);
}

static void kv_u64(PipeBuf *b, const char *name, uint64_t v)
{
    key(b, name);
    json_u64(b, v);
}

static void kv_ms(PipeBuf *b, const char *name, uint64_t ns)
{
    key(b, name);
    json_ms(b, ns);
}

/* RFC 3339 in UTC with milliseconds: 2025-01-31T12:34:56.789Z */
static void json_time(PipeBuf *b, uint64_t unix_ms)
{
    time_t secs = (time_t)(unix_ms / 1000u);
    struct tm tm;
    char t[64];
    gmtime_r(&secs, &tm);
    size_t n = strftime(t, sizeof t, "\"%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(t + n, sizeof t - n, ".%03uZ\"", (unsigned)(unix_ms % 1000u));
    pipe_buf_put(b, t, n);
}

/* ------------------------------------------------------------------ records */

static PipeBuf *rec_begin(PipeRt *rt, const char *event)
{
    PipeBuf *b = &rt->trace->rec;
    b->len = 0;
    pipe_buf_put(b, "{\"event\":\"", 10);
    pipe_buf_put(b, event, strlen(event));
    pipe_buf_put(b, "\",\"run_id\":\"", 12);
    pipe_buf_put(b, rt->run_id, strlen(rt->run_id));
    pipe_buf_putc(b, '"');
    return b;
}

/* Ends the record and writes it with one write(2); a failed write stops the
 * trace with one warning (the run itself goes on: its exit status does not change). */
static void rec_write(PipeRt *rt)
{
    RtTrace *t = rt->trace;
    PipeBuf *b = &t->rec;
    pipe_buf_put(b, "}\n", 2);
    if (t->cut) {
        t->cut = false;
        return;
    }
    const char *p = b->p;
    size_t n = b->len;
    while (n && !t->dead) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            t->dead = true;
            char msg[600];
            int len = snprintf(msg, sizeof msg, "pipec: warning [run %s]: cannot write the trace to '%.400s': %s\n",
                               rt->run_id, t->path, w < 0 ? strerror(errno) : "nothing written");
            if (t->fd != 2 && len > 0 && write(2, msg, (size_t)len) < 0)
                break;
            break;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* "file:line:col" of n */
static void json_pos(PipeBuf *b, const PipeNode *n)
{
    char t[512];
    int len = snprintf(t, sizeof t, "%.480s:%d:%d", n->pos.file ? n->pos.file : "?", n->pos.line, n->pos.col);
    pipe_buf_json(b, t, (size_t)len < sizeof t ? (size_t)len : sizeof t - 1);
}

/* A parameter's value: a JSON number, boolean or string as its type says.
 * Ints and floats are written as sinks write them (shortest round trip), which
 * JSON reads; a float that is NaN or infinite, which JSON has no number for,
 * as its text in a string ("nan", "inf", "-inf"). */
static void json_param(PipeBuf *b, const PipeParam *p, const char *v)
{
    if (p->type->kind == PIPE_K_STR) {
        const PipeStr *s = (const PipeStr *)v;
        pipe_buf_json(b, s->p, s->n);
    } else if (p->type->kind == PIPE_K_FLOAT && !isfinite(*(const double *)v)) {
        char t[40];
        pipe_buf_json(b, t, pipe_fmt_float(t, *(const double *)v));
    } else {
        pipe_buf_value(b, p->type, v);
    }
}

/* The user running the program: its name in the password database, else
 * $USER or $LOGNAME, else null. */
static void json_user(PipeBuf *b)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name) {
        json_cstr(b, res->pw_name);
        return;
    }
    const char *u = getenv("USER");
    if (!u || !*u)
        u = getenv("LOGNAME");
    json_cstr(b, u && *u ? u : NULL);
}

static void start_record(PipeRt *rt, const PipeProgram *prog, const void *params, uint64_t unix_ms)
{
    PipeBuf *b = rec_begin(rt, "start");
    kv_u64(b, "trace_format", TRACE_FORMAT);
    key(b, "time");
    json_time(b, unix_ms);
    kv_str(b, "pipec_version", prog->pipec_version);
    kv_str(b, "script", prog->script);
    kv_str(b, "script_sha256", prog->script_sha256);
    key(b, "imports");
    pipe_buf_putc(b, '[');
    for (int i = 0; prog->imports && prog->imports[i] && prog->imports[i + 1]; i += 2) {
        pipe_buf_put(b, i ? ",{\"path\":" : "{\"path\":", i ? 9 : 8);
        json_cstr(b, prog->imports[i]);
        kv_str(b, "sha256", *prog->imports[i + 1] ? prog->imports[i + 1] : NULL);
        pipe_buf_putc(b, '}');
    }
    pipe_buf_putc(b, ']');
    kv_str(b, "pipeline", prog->name);
    key(b, "params");
    pipe_buf_putc(b, '{');
    for (int i = 0; i < prog->nparams; i++) {
        if (i)
            pipe_buf_putc(b, ',');
        json_cstr(b, prog->params[i].name);
        pipe_buf_putc(b, ':');
        json_param(b, &prog->params[i], (const char *)params + prog->offsets[i]);
    }
    pipe_buf_putc(b, '}');
    key(b, "user");
    json_user(b);
    kv_u64(b, "uid", (uint64_t)geteuid());
    char host[256];
    bool have_host = gethostname(host, sizeof host) == 0;
    host[sizeof host - 1] = '\0';
    kv_str(b, "host", have_host ? host : NULL);
    kv_u64(b, "pid", (uint64_t)getpid());
    char *cwd = getcwd(NULL, 0);
    kv_str(b, "cwd", cwd);
    free(cwd);
    rec_write(rt);
}

int pipe_trace_open(const char *path)
{
    if (strcmp(path, "-") == 0)
        return 2;
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
}

void pipe_rt_trace_begin(PipeRt *rt, const PipeProgram *prog, const void *params, const RtOpts *opts)
{
    uint64_t unix_ms = trace_unix_ms();
    if (opts->run_id) {
        for (int i = 0; i < 36; i++) {
            char c = opts->run_id[i];
            rt->run_id[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
        }
        rt->run_id[36] = '\0';
    } else {
        uuid7(rt->run_id, unix_ms);
    }
    rt->tag_run_id = opts->run_id || opts->trace;
    if (!opts->trace)
        return;
    RtTrace *t = pipe_xcalloc(1, sizeof *t);
    t->fd = opts->trace_fd;
    t->own_fd = opts->trace_fd != 2;
    t->path = strcmp(opts->trace, "-") ? opts->trace : "stderr";
    t->t0 = trace_mono_ns();
    t->rec.grow = rec_grow;
    rt->trace = t;
    start_record(rt, prog, params, unix_ms);
}

void pipe_rt_trace_stages(PipeRt *rt)
{
    RtTrace *t = rt->trace;
    size_t n;
    PipeNode **nodes = pipe_rt_node_list(rt, &n);
    t->nodes = pipe_xcalloc(n ? n : 1, sizeof *t->nodes);
    t->nnodes = n;
    for (size_t i = 0; i < n; i++) {
        t->nodes[i].node = nodes[i];
        for (size_t k = 0; k < rt->nsrcs; k++)
            t->nodes[i].is_source |= &rt->srcs[k]->node == nodes[i];
    }
    free(nodes);
    for (size_t i = 0; i < n; i++) {
        TraceNode *tn = &t->nodes[i];
        PipeNode *node = tn->node;
        PipeBuf *b = rec_begin(rt, "stage_open");
        kv_u64(b, "id", i);
        kv_str(b, "stage", node->name);
        key(b, "pos");
        json_pos(b, node);
        kv_str(b, "kind", tn->is_source ? "source" : node->nouts == 0 ? "sink" : "stage");
        key(b, "to");
        pipe_buf_putc(b, '[');
        for (uint32_t k = 0; k < node->nouts; k++) {
            if (k)
                pipe_buf_putc(b, ',');
            for (size_t j = 0; j < n; j++)
                if (t->nodes[j].node == node->outs[k].node)
                    json_u64(b, j);
        }
        pipe_buf_putc(b, ']');
        rec_write(rt);
    }
}

static TraceNode *trace_node(RtTrace *t, const PipeNode *n, size_t *id)
{
    for (size_t i = 0; n && i < t->nnodes; i++)
        if (t->nodes[i].node == n) {
            *id = i;
            return &t->nodes[i];
        }
    return NULL;
}

/* How a node ended: "done" (its inputs ended, or a source its input),
 * "closed" (it wanted no more input, as head(n) does, or it was a source
 * that no stage wanted more from), "aborted" (the run stopped first: an
 * error, a closed output), "unused" (a source that nothing reads).  The
 * counters are those at that moment: a closed node that a fan-out still
 * offers items to (which it ignores) counts them in --stats, not here. */
static void close_record(PipeRt *rt, TraceNode *tn, size_t id, const char *how)
{
    PipeNode *n = tn->node;
    tn->ended = true;
    PipeBuf *b = rec_begin(rt, "stage_close");
    kv_u64(b, "id", id);
    kv_str(b, "stage", n->name);
    key(b, "pos");
    json_pos(b, n);
    kv_u64(b, "items_in", n->items_in);
    kv_u64(b, "items_out", n->items_out);
    kv_u64(b, "errors", tn->errors + hdr(n)->errors); /* fatal, and caught by a policy */
    kv_str(b, "end", how);
    kv_ms(b, "elapsed_ms", trace_mono_ns() - rt->trace->t0);
    rec_write(rt);
}

void pipe_rt_trace_close(PipeNode *n)
{
    PipeRt *rt = n->rt;
    size_t id;
    TraceNode *tn = trace_node(rt->trace, n, &id);
    if (!tn || tn->ended)
        return;
    bool closed = rt->stopping;
    for (size_t i = 0; i < rt->nclosing; i++)
        closed |= rt->closing[i] == n;
    close_record(rt, tn, id, closed ? "closed" : "done");
}

void pipe_rt_trace_restart(PipeNode *n, const char *msg, size_t len, uint64_t attempt, uint64_t delay_ms)
{
    PipeRt *rt = n->rt;
    size_t id = 0;
    TraceNode *tn = trace_node(rt->trace, n, &id);
    PipeBuf *b = rec_begin(rt, "restart");
    kv_str(b, "stage", n->name);
    if (tn)
        kv_u64(b, "id", id);
    else
        kv_str(b, "id", NULL);
    key(b, "pos");
    json_pos(b, n);
    kv_u64(b, "attempt", attempt);
    kv_u64(b, "delay_ms", delay_ms);
    key(b, "message");
    pipe_buf_json(b, msg, len);
    kv_ms(b, "elapsed_ms", trace_mono_ns() - rt->trace->t0);
    rec_write(rt);
}

void pipe_rt_trace_error(PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value, const char *text,
                         size_t len)
{
    RtTrace *t = rt->trace;
    size_t id = 0;
    TraceNode *tn = trace_node(t, n, &id);
    if (tn)
        tn->errors++;
    PipeBuf *b = rec_begin(rt, "error");
    kv_str(b, "stage", n ? n->name : NULL);
    if (tn)
        kv_u64(b, "id", id);
    else
        kv_str(b, "id", NULL);
    key(b, "pos");
    if (n && n->pos.file)
        json_pos(b, n);
    else
        json_cstr(b, NULL);
    bool reading = rt->phase == RT_RUN && rt->cur;
    kv_str(b, "input", reading ? rt->cur->input_name : NULL);
    if (reading && rt->cur->input_line > 0)
        kv_u64(b, "line", (uint64_t)rt->cur->input_line);
    else
        kv_str(b, "line", NULL);
    kv_str(b, "message", msg);
    if (value) {
        key(b, "value");
        pipe_buf_json(b, value->p, value->n < TRACE_VALUE_MAX ? value->n : TRACE_VALUE_MAX);
        kv_u64(b, "value_bytes", value->n);
    }
    while (len && text[len - 1] == '\n')
        len--;
    key(b, "diagnostic");
    pipe_buf_json(b, text, len);
    kv_ms(b, "elapsed_ms", trace_mono_ns() - t->t0);
    rec_write(rt);
}

void pipe_rt_trace_stopped(PipeRt *rt)
{
    rt->trace->stopped = true;
}

/* The end record's outcome for exit status status (docs/pipe.md, "The trace
 * format"): a stopped run (a closed output) ends with 0 too. */
static const char *outcome(int status, bool stopped)
{
    switch (status) {
    case 0: return stopped ? "output_closed" : "ok";
    case RT_JMP_SIGNAL + SIGINT: return "interrupted";
    case RT_JMP_SIGNAL + SIGTERM: return "terminated";
    default: return "error";
    }
}

void pipe_rt_trace_end(PipeRt *rt, int status)
{
    RtTrace *t = rt->trace;
    uint64_t read = 0, written = 0;
    for (size_t i = 0; i < t->nnodes; i++) {
        TraceNode *tn = &t->nodes[i];
        if (!tn->ended) /* a source bound to a name that nothing reads never runs */
            close_record(rt, tn, i, tn->is_source && tn->node->nouts == 0 ? "unused" : "aborted");
        if (tn->is_source)
            read += tn->node->items_out;
        else if (tn->node->nouts == 0)
            written += tn->node->items_in;
    }
    PipeBuf *b = rec_begin(rt, "end");
    key(b, "time");
    json_time(b, trace_unix_ms());
    kv_u64(b, "status", (uint64_t)status);
    kv_str(b, "outcome", outcome(status, t->stopped));
    kv_ms(b, "duration_ms", trace_mono_ns() - t->t0);
    kv_u64(b, "items_read", read);
    kv_u64(b, "items_written", written);
    rec_write(rt);
    if (t->own_fd && t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

void pipe_rt_trace_free(PipeRt *rt)
{
    RtTrace *t = rt->trace;
    if (!t)
        return;
    if (t->own_fd && t->fd >= 0)
        close(t->fd);
    free(t->nodes);
    free(t->rec.p);
    free(t);
    rt->trace = NULL;
}
