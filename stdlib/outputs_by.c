/* outputs_by.c — the sinks file_by(path_of) and append_by(path_of): each item
 * to the file its function names (awk's `print > $3 ".log"`), 256 open at most. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "pipe_std.h"
#include "rt_impl.h"

#define BY_OPEN_MAX 256            /* files open at once; the least recently used is closed */
#define BY_BUF ((size_t)16 << 10)  /* bytes buffered per open file */
#define BY_NAME_MAX ((size_t)4096) /* PATH_MAX: a longer name is an error of the item */

/* A file the sink has written in this run (kept after it is closed: it is
 * reopened for appending, never truncated twice). */
typedef struct ByFile {
    PipeBuf buf;                   /* first: the grow callback casts */
    char *path;
    int fd;                        /* -1 while closed */
    struct ByFile *prev, *next;    /* the open files, most recently used first */
    struct BySink *sink;
} ByFile;

typedef struct BySink {
    PipeNode node;
    PipeKeyFn path_of;
    void *env;
    bool append;                   /* append_by: never truncate */
    ByFile **slots;                /* every file written, open addressing by path */
    size_t nslots, nfiles, nopen;
    ByFile *mru, *lru;
    struct BySink *next_sink;      /* the run's list (flushed on errors: pipe_by_flush_all) */
} BySink;

static uint64_t by_hash(PipeStr s)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.p[i]) * 1099511628211ULL;
    return h;
}

static void by_write(ByFile *f, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            char msg[700];
            snprintf(msg, sizeof msg, "writing to '%.500s': %s", f->path, strerror(errno));
            f->buf.len = 0;
            pipe_fail(&f->sink->node, msg);
        }
        p += w;
        n -= (size_t)w;
    }
}

static void by_flush(ByFile *f)
{
    size_t n = f->buf.len;
    f->buf.len = 0;
    if (n && f->fd >= 0)
        by_write(f, f->buf.p, n);
}

static bool by_grow(PipeBuf *b, const char *p, size_t n)
{
    ByFile *f = (ByFile *)b;
    by_flush(f);
    if (n <= b->cap)
        return true;
    by_write(f, p, n);
    return false;
}

static void by_lru_unlink(BySink *s, ByFile *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        s->mru = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        s->lru = f->prev;
    f->prev = f->next = NULL;
}

static void by_lru_front(BySink *s, ByFile *f)
{
    f->next = s->mru;
    if (s->mru)
        s->mru->prev = f;
    s->mru = f;
    if (!s->lru)
        s->lru = f;
}

static void by_close(BySink *s, ByFile *f)
{
    by_flush(f);
    close(f->fd);
    f->fd = -1;
    free(f->buf.p);
    f->buf = (PipeBuf){0};
    by_lru_unlink(s, f);
    s->nopen--;
}

/* The slot of path in s->slots: its file, or the empty slot it would take. */
static ByFile **by_slot(BySink *s, PipeStr path)
{
    size_t i = by_hash(path) & (s->nslots - 1);
    while (s->slots[i] && !(strlen(s->slots[i]->path) == path.n && !memcmp(s->slots[i]->path, path.p, path.n)))
        i = (i + 1) & (s->nslots - 1);
    return &s->slots[i];
}

static void by_rehash(BySink *s)
{
    ByFile **old = s->slots;
    size_t nold = s->nslots;
    s->nslots = nold ? nold * 2 : 64;
    s->slots = pipe_xcalloc(s->nslots, sizeof *s->slots);
    for (size_t i = 0; i < nold; i++)
        if (old[i])
            *by_slot(s, (PipeStr){old[i]->path, strlen(old[i]->path)}) = old[i];
    free(old);
}

/* A name from the data that no file may have: empty, with a NUL byte, or
 * longer than the system takes; NULL when it is fine. */
static const char *by_bad_name(PipeStr path)
{
    if (path.n == 0)
        return "the file name is empty";
    if (memchr(path.p, '\0', path.n))
        return "the file name holds a NUL byte";
    if (path.n >= BY_NAME_MAX)
        return "the file name is longer than 4095 bytes";
    return NULL;
}

/* Opens f: truncated the first time in the run (file_by), else appended to;
 * under --safe only beneath the --allow-write folders (runtime/path.c). */
static void by_open(BySink *s, ByFile *f, bool first)
{
    PipeRt *rt = s->node.rt;
    if (s->nopen >= BY_OPEN_MAX)
        by_close(s, s->lru);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (first && !s->append ? O_TRUNC : O_APPEND);
    int fd;
    do
        fd = pipe_rt_open(rt, f->path, flags, 0666, PIPE_PATH_WRITE);
    while (fd < 0 && errno == EINTR && !pipe_rt_stop);
    if (fd < 0) {
        char msg[700];
        pipe_rt_open_error(rt, msg, sizeof msg, "cannot open", f->path, errno, PIPE_PATH_WRITE);
        pipe_fail(&s->node, msg);
    }
    f->fd = fd;
    f->buf.p = pipe_xmalloc(BY_BUF);
    f->buf.cap = BY_BUF;
    f->buf.len = 0;
    f->buf.grow = by_grow;
    by_lru_front(s, f);
    s->nopen++;
}

/* The open file that path names, made and opened when needed. */
static ByFile *by_file(BySink *s, PipeStr path)
{
    if (s->nfiles * 2 >= s->nslots)
        by_rehash(s);
    ByFile **slot = by_slot(s, path);
    ByFile *f = *slot;
    if (!f) {
        f = pipe_xcalloc(1, sizeof *f);
        f->path = pipe_xstrndup(path.p, path.n);
        f->fd = -1;
        f->sink = s;
        *slot = f;
        s->nfiles++;
        by_open(s, f, true);
    } else if (f->fd < 0) {
        by_open(s, f, false);
    } else if (s->mru != f) {
        by_lru_unlink(s, f);
        by_lru_front(s, f);
    }
    return f;
}

static void by_push(PipeNode *n, const void *item, int port)
{
    BySink *s = (BySink *)n;
    PipeStr path = {0};
    s->path_of(s->env, item, &path, &n->rt->scratch);
    const char *bad = by_bad_name(path);
    if (bad)
        pipe_fail_str(n, bad, path);
    ByFile *f = by_file(s, path);
    if (n->in->kind == PIPE_K_STR) {
        PipeStr v = *(const PipeStr *)item;
        pipe_buf_put(&f->buf, v.p, v.n);
    } else {
        pipe_buf_value(&f->buf, n->in, item);
    }
    pipe_buf_put(&f->buf, "\n", 1);
}

static void by_finish(PipeNode *n)
{
    BySink *s = (BySink *)n;
    while (s->mru)
        by_close(s, s->mru);
}

/* Writes out what every file_by and append_by sink of rt holds (an error
 * elsewhere ends the run: what was emitted before it is written). */
void pipe_by_flush_all(PipeRt *rt)
{
    for (BySink *s = rt->by_sinks; s; s = s->next_sink)
        for (ByFile *f = s->mru; f; f = f->next)
            if (f->buf.len) {
                size_t len = f->buf.len;
                f->buf.len = 0;
                for (size_t at = 0; at < len;) { /* no error from here: the run is ending */
                    ssize_t w = write(f->fd, f->buf.p + at, len - at);
                    if (w <= 0 && errno != EINTR)
                        break;
                    at += w > 0 ? (size_t)w : 0;
                }
            }
}

static void by_free(PipeNode *n)
{
    BySink *s = (BySink *)n;
    for (BySink **p = &n->rt->by_sinks; *p; p = &(*p)->next_sink)
        if (*p == s) {
            *p = s->next_sink;
            break;
        }
    for (size_t i = 0; i < s->nslots; i++) {
        ByFile *f = s->slots[i];
        if (!f)
            continue;
        if (f->fd >= 0)
            close(f->fd);
        free(f->buf.p);
        free(f->path);
        free(f);
    }
    free(s->slots);
}

static PipeNode *by_new(PipeRt *rt, PipePos pos, const char *name, const PipeType *t, PipeKeyFn path_of,
                        void *env, bool append)
{
    BySink *s = (BySink *)pipe_node_new(rt, sizeof(BySink), name, pos);
    s->node.in = t;
    s->node.push = by_push;
    s->node.finish = by_finish;
    s->node.free = by_free;
    s->path_of = path_of;
    s->env = env;
    s->append = append;
    s->next_sink = rt->by_sinks;
    rt->by_sinks = s;
    return &s->node;
}

/* Each item to the file path_of(item) names, truncated when the run first
 * opens it. */
PipeNode *pipe_sink_file_by(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn path_of, void *env)
{
    return by_new(rt, pos, "file_by", t, path_of, env, false);
}

/* Each item appended to the file path_of(item) names. */
PipeNode *pipe_sink_append_by(PipeRt *rt, PipePos pos, const PipeType *t, PipeKeyFn path_of, void *env)
{
    return by_new(rt, pos, "append_by", t, path_of, env, true);
}
