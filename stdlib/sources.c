/* sources.c — the standard sources: stdin, file, files(glob), range, lines.
 * Files are read in big chunks; lines are slices of the buffer (no copy). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipe_std.h"
#include "rt_impl.h"

#define RD_CAP ((size_t)256 << 10) /* bytes per read(2), unless rt->read_size says less */
#define RD_MIN ((size_t)4)         /* the smallest rt->read_size: pad is at least 1 byte */
#define COPY_MIN RD_CAP               /* smaller inputs are not worth a kernel copy */
#define COPY_STEP ((size_t)16 << 20)  /* bytes per sendfile(2): stops are checked between */

/* ------------------------------------------------------------------ line reader */

/* The buffer is [pad | cap]: read(2) goes to the page-aligned start of the cap
 * area (the kernel copies faster into aligned memory), and the unfinished last
 * line of the previous chunk is moved to just before it, into the pad (a
 * quarter of cap).  An unfinished line longer than cap doubles cap, so a read
 * always has at least pad bytes of room. */
typedef struct Reader {
    int fd;            /* -1 when no file is open */
    bool own_fd, eof, regular;
    bool over;         /* the run read more than --max-input-bytes: no more reads */
    size_t max_line;   /* --max-line-bytes */
    char *mem;
    size_t pad, cap;
    char *start;       /* first byte not yet handed out is start + used */
    size_t len, used;
    size_t scanned;    /* bytes after start + used known to hold no '\n' */
    bool skipping;     /* dropping the rest of a line that was too long (on error skip) */
    bool copy_tried;   /* copy_input or tail_skip ran for this input */
    bool bounded;      /* read no more than left bytes (a tail read from the end) */
    off_t left;
    PipeGz *gz;        /* the input is a .gz file being inflated, else NULL */
} Reader;

/* n bytes, page-aligned when n is a multiple of the page (aligned_alloc wants
 * that, and ASan checks it); never NULL. */
static char *reader_mem(size_t n)
{
    char *m = n % 4096 == 0 ? aligned_alloc(4096, n) : NULL;
    return m ? m : pipe_xmalloc(n);
}

/* cap is the bytes per read: RD_CAP, or less to test refills (rt->read_size). */
static void reader_alloc(Reader *r, size_t cap)
{
    r->cap = cap;
    r->pad = cap / 4;
    r->mem = reader_mem(r->pad + r->cap);
    r->start = r->mem + r->pad;
    r->len = r->used = r->scanned = 0;
}

/* A file source: stdin, file(path) or files(glob) (paths read one after another). */
typedef struct FileSrc {
    PipeSource src;
    Reader rd;
    char **paths;      /* files(glob): every path, heap */
    size_t npaths, next;
    char *name;        /* the current input's name, heap (input_name points here) */
    off_t uncounted_from, uncounted_to; /* copied by the kernel, lines not yet counted */
    int count_fd;      /* the input they were copied from, for counting them; else -1 */
    bool named;        /* stdin reading the files named on the command line (plain opens) */
    const PipeType *pair; /* files(glob, names: true): items are (path, line) of this type */
} FileSrc;

static void uncounted_drop(FileSrc *f);

static __attribute__((noreturn)) void fail_errno(PipeNode *n, const char *what, const char *path, int err)
{
    char msg[700];
    snprintf(msg, sizeof msg, "%s '%.500s': %s", what, path, strerror(err));
    pipe_fail(n, msg);
}

/* Opens path as the current input; a failure is a runtime error of the source. */
static void open_input(FileSrc *f, const char *path)
{
    Reader *r = &f->rd;
    int fd;
    if (pipe_rt_stop) /* a stop that came before: no FIFO to wait for */
        pipe_stop_now(f->src.node.rt);
    bool dash = f->named && !strcmp(path, "-"); /* standard input, read as it is */
    if (dash)
        path = "stdin";
    bool gz = !dash && pipe_gz_name(path); /* before path, which may be f->name, is freed */
    uncounted_drop(f); /* an error opening it names this input, not the last one */
    f->src.input_name = path;
    f->src.input_line = 0;
    do /* a FIFO blocks until a writer opens it; safe mode opens beneath a folder,
        * except for the files the user named (inputs.c) */
        fd = dash ? 0 : f->named ? open(path, O_RDONLY | O_CLOEXEC)
                                 : pipe_rt_open(f->src.node.rt, path, O_RDONLY, 0, PIPE_PATH_READ);
    while (fd < 0 && errno == EINTR && !pipe_rt_stop);
    if (fd < 0 && pipe_rt_stop)
        pipe_stop_now(f->src.node.rt);
    if (fd < 0) {
        char msg[700];
        pipe_rt_open_error(f->src.node.rt, msg, sizeof msg, "cannot open", path, errno, PIPE_PATH_READ);
        pipe_fail(&f->src.node, msg);
    }
    struct stat st = {0}; /* a failed fstat: neither a folder nor a regular file */
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fail_errno(&f->src.node, "cannot read", path, EISDIR);
    }
    if (S_ISREG(st.st_mode))
        pipe_rt_input_opened(f->src.node.rt, &f->src.node, &st, path);
    char *name = pipe_xstrndup(path, strlen(path));
    free(f->name);
    f->name = name;
    r->fd = fd;
    r->own_fd = !dash;
    r->eof = false;
    r->regular = S_ISREG(st.st_mode);
    if (r->regular) /* files(glob) opens one after another: the total grows */
        f->src.bytes_total += (uint64_t)st.st_size;
    r->start = r->mem + r->pad;
    r->len = r->used = r->scanned = 0;
    r->copy_tried = r->bounded = false;
    if (gz && !(r->gz = pipe_gz_new()))
        fail_errno(&f->src.node, "cannot read", f->name, ENOMEM);
    uncounted_drop(f); /* the lines of the last input no longer matter */
    f->src.input_name = f->name;
    f->src.input_line = 0;
    f->src.is_file = r->regular;
}

/* A line of the source is longer than --max-line-bytes; [p, p+n) is what of
 * it was read.  Without an error policy on the source this is its runtime
 * error; under `on error skip` (or a dead-letter name) the line is counted and
 * routed as the policy says, the caller drops it, and true is returned. */
static bool line_too_long(FileSrc *f, const char *p, size_t n)
{
    char msg[100];
    f->src.input_line++; /* the message names the line at fault */
    snprintf(msg, sizeof msg, "line longer than --max-line-bytes=%zu", f->rd.max_line);
    PipeStr head = {p, n < 1024 ? n : 1024}; /* the dead letter gets its first KiB */
    pipe_item_failed(&f->src.node, msg, head);
    return true;
}

/* Reading went past --max-input-bytes: the lines that ended within it were
 * emitted; the line at fault is the next one. */
static __attribute__((noreturn)) void input_too_big(FileSrc *f)
{
    char msg[100];
    f->src.input_line++;
    snprintf(msg, sizeof msg, "input exceeds --max-input-bytes=%llu",
             (unsigned long long)f->src.node.rt->max_input);
    pipe_fail(&f->src.node, msg);
}

/* Counts got bytes just read against --max-input-bytes; returns how many of
 * them stay within it (all when there is no limit), and marks r over when
 * some do not. */
static size_t count_input(FileSrc *f, size_t got)
{
    PipeRt *rt = f->src.node.rt;
    uint64_t before = rt->in_bytes;
    rt->in_bytes += got;
    if (!rt->max_input || rt->in_bytes <= rt->max_input)
        return got;
    f->rd.over = true;
    return before >= rt->max_input ? 0 : (size_t)(rt->max_input - before);
}

static void close_input(Reader *r)
{
    if (r->fd >= 0 && r->own_fd)
        close(r->fd);
    r->fd = -1;
    pipe_gz_free(r->gz);
    r->gz = NULL;
}

/* A .gz input that is not whole gzip data: the lines before the damage were
 * emitted; the error names the line it reached. */
static __attribute__((noreturn)) void gz_broken(FileSrc *f, const char *why)
{
    char msg[700];
    f->src.input_line++;
    snprintf(msg, sizeof msg, "cannot read '%.500s': %s", f->name, why);
    pipe_fail(&f->src.node, msg);
}

/* The next bytes of r's input into [wp, wp+room): read(2), or inflated for a
 * .gz input; *raw: the bytes taken from the file. */
static ssize_t read_input(FileSrc *f, char *wp, size_t room, uint64_t *raw)
{
    Reader *r = &f->rd;
    if (r->gz) {
        const char *why = NULL;
        ssize_t got = pipe_gz_read(r->gz, r->fd, wp, room, raw, &why);
        if (got == -2)
            gz_broken(f, why);
        return got;
    }
    if (r->bounded && (uint64_t)r->left < room)
        room = (size_t)r->left; /* 0: the end seen at the start, as tail reads */
    ssize_t got = 0;
    do
        got = room ? read(r->fd, wp, room) : 0;
    while (got < 0 && errno == EINTR && !pipe_rt_stop);
    *raw = got > 0 ? (uint64_t)got : 0;
    r->left -= r->bounded ? (off_t)*raw : 0;
    return got;
}

/* Keeps the unfinished line and reads the next chunk after it. */
static void refill(FileSrc *f)
{
    Reader *r = &f->rd;
    PipeNode *n = &f->src.node;
    size_t tail = r->len - r->used;
    char *from = r->start + r->used;
    if (tail > r->max_line && line_too_long(f, from, tail)) { /* skipped: drop it */
        r->skipping = true;
        r->used = r->len;
        tail = 0;
        from = r->start + r->used;
    }
    if (r->over)
        input_too_big(f);
    if (tail > r->cap) { /* else less than pad bytes would be left for the read */
        size_t ncap = r->cap * 2;
        char *nm = reader_mem(r->pad + ncap);
        memcpy(nm, from, tail);
        free(r->mem);
        r->mem = nm;
        r->cap = ncap;
        from = nm;
    }
    char *to = tail <= r->pad ? r->mem + r->pad - tail : r->mem;
    if (to != from && tail)
        memmove(to, from, tail);
    r->start = to;
    r->len = tail;
    r->used = 0;
    if (!r->regular) { /* about to wait for input: let the user see what is done */
        if (n->rt->idle)
            pipe_rt_idle(n->rt);
        pipe_out_flush_all(n->rt);
        pipe_stop_wait_input(n->rt, r->fd);
    }
    char *wp = to + tail;
    size_t room = (size_t)(r->mem + r->pad + r->cap - wp);
    uint64_t raw = 0;
    ssize_t got = read_input(f, wp, room, &raw);
    if (got < 0 && pipe_rt_stop)
        pipe_stop_now(n->rt);
    if (got < 0)
        fail_errno(n, "cannot read", f->name, errno);
    if (got == 0)
        r->eof = true;
    f->src.bytes_read += raw;
    r->len += count_input(f, (size_t)got);
}

/* ------------------------------------------------------------------ kernel copy */

/* A source that feeds only a plain sink (block_out) passes whole regular
 * files through as cat does: sendfile(2) copies them inside the kernel, one
 * copy instead of read(2) into the buffer and write(2) out of it.  Only what a
 * run would not see otherwise is skipped: the lines are counted when a message
 * needs their number (pipe_src_count_copied), and no line of a file no longer
 * than --max-line-bytes can be too long.  Not under --stats, --trace, --progress
 * or --max-input-bytes, which look at every line or every read. */

/* Forgets the lines that the kernel copied for f, counted or not. */
static void uncounted_drop(FileSrc *f)
{
    if (f->src.node.rt->uncounted == &f->src)
        f->src.node.rt->uncounted = NULL;
    if (f->count_fd >= 0)
        close(f->count_fd);
    f->count_fd = -1;
}

/* Counts the lines that the kernel copied for s (rt->uncounted) into its
 * input_line, reading them again (from a descriptor of its own: the input
 * may be closed by then); for messages, which name the line. */
void pipe_src_count_copied(PipeRt *rt)
{
    FileSrc *f = (FileSrc *)rt->uncounted;
    if (!f)
        return;
    char b[16384];
    for (off_t at = f->uncounted_from; at < f->uncounted_to;) {
        size_t want = (size_t)(f->uncounted_to - at) < sizeof b ? (size_t)(f->uncounted_to - at) : sizeof b;
        ssize_t got = pread(f->count_fd, b, want, at);
        if (got <= 0 && errno != EINTR)
            break; /* a failing disk: the number stays short */
        if (got <= 0)
            continue;
        f->src.input_line += (int64_t)pipe_count_byte(b, (size_t)got, '\n');
        at += got;
    }
    uncounted_drop(f);
}

/* The lines of f's input in [from, to) passed by unread (copied by the kernel,
 * or before a tail's): counted when a message needs them; true when they can
 * be.  Those of another source still reading are counted now (the run keeps
 * one source's); an ended source's no message names any more. */
static bool uncounted_set(FileSrc *f, off_t from, off_t to)
{
    PipeRt *rt = f->src.node.rt;
    uncounted_drop(f);
    if (rt->uncounted && !hdr(&rt->uncounted->node)->ended)
        pipe_src_count_copied(rt);
    f->uncounted_from = from;
    f->uncounted_to = to;
    f->count_fd = fcntl(f->rd.fd, F_DUPFD_CLOEXEC, 0); /* -1: the number stays short */
    rt->uncounted = &f->src;
    return f->count_fd >= 0;
}

/* A stop came while a copy was in the middle of the file: writes the rest of
 * the line at offset at, so that the run stops between two lines; returns
 * the offset after it. */
static off_t copy_line_end(FileSrc *f, PipeOut *o, off_t at)
{
    Reader *r = &f->rd;
    ssize_t got;
    while ((got = pread(r->fd, r->start, r->cap, at)) > 0 || (got < 0 && errno == EINTR)) {
        if (got < 0)
            continue;
        const char *nl = memchr(r->start, '\n', (size_t)got);
        size_t n = nl ? (size_t)(nl + 1 - r->start) : (size_t)got;
        pipe_out_block(o, r->start, n);
        at += (off_t)n;
        if (nl)
            break;
    }
    return at;
}

/* Copies the input of f, up to its last '\n', to o by sendfile(2) when the
 * run allows it (see above); true when it copied something.  A copy that
 * fails stops quietly: reading goes on from where it stopped, and a write
 * error shows again, with its message, when the lines are written. */
static bool copy_input(FileSrc *f, PipeOut *o)
{
    Reader *r = &f->rd;
    PipeRt *rt = f->src.node.rt;
    r->copy_tried = true;
    struct stat st;
    off_t from = lseek(r->fd, 0, SEEK_CUR);
    if (!r->regular || r->gz || f->pair || rt->stats || rt->trace || rt->progress || rt->max_input || o->dead ||
        from < 0 || fstat(r->fd, &st) != 0 || st.st_size - from < (off_t)COPY_MIN ||
        (uint64_t)(st.st_size - from) > r->max_line)
        return false;
    size_t tail = r->cap; /* where the last '\n' is: within the last cap bytes, else no copy */
    ssize_t got = pread(r->fd, r->start, tail, st.st_size - (off_t)tail);
    const char *nl = got > 0 ? memrchr(r->start, '\n', (size_t)got) : NULL;
    if (!nl)
        return false;
    off_t end = st.st_size - (off_t)tail + (nl - r->start) + 1, at = from;
    pipe_out_flush(o);
    while (at < end && !pipe_rt_stop) {
        size_t step = (size_t)(end - at) < COPY_STEP ? (size_t)(end - at) : COPY_STEP;
        ssize_t n = sendfile(o->fd, r->fd, NULL, step);
        if (n > 0)
            at += n;
        if (n == 0 || (n < 0 && errno != EINTR))
            break; /* the file shrank, or cannot be copied so: read on */
    }
    if (pipe_rt_stop && at > from && at < end)
        at = copy_line_end(f, o, at);
    uncounted_set(f, from, at);
    f->src.bytes_read += (uint64_t)(at - from);
    count_input(f, (size_t)(at - from)); /* no --max-input-bytes here: only the total */
    if (pipe_rt_stop)
        pipe_stop_now(rt);
    return at > from;
}

/* ------------------------------------------------------------------ tail from the end */

/* A source that feeds only a tail (PIPE_PLAN_TAIL) reads one regular file as
 * GNU tail does: from where its last n lines start up to the size it had
 * then, found by reading backwards.  The lines from there on are read as
 * usual; those before are not seen (a line too long there is not found) and
 * are counted only when a message names a line.  Not for a .gz input,
 * several inputs, --stats, --trace or --max-input-bytes, which follow every
 * line or read; true when it moved to the last lines. */
static bool tail_skip(FileSrc *f)
{
    Reader *r = &f->rd;
    PipeRt *rt = f->src.node.rt;
    r->copy_tried = true;
    if (!(f->src.node.flags & PIPE_PLAN_TAIL) || !r->regular || r->gz || f->pair || f->npaths > 1 || rt->stats ||
        rt->trace || rt->max_input)
        return false;
    int64_t n = pipe_std_tail_want(f->src.node.outs[0].node);
    struct stat st;
    off_t from = lseek(r->fd, 0, SEEK_CUR);
    if (n < 0 || from < 0 || fstat(r->fd, &st) != 0 || st.st_size <= from)
        return false;
    off_t at = pipe_tail_start(r->fd, from, st.st_size, (uint64_t)n, r->start, r->cap);
    if (pipe_rt_stop)
        pipe_stop_now(rt);
    if (at > from && (!uncounted_set(f, from, at) || lseek(r->fd, at, SEEK_SET) != at)) {
        uncounted_drop(f); /* the lines could not be counted: read them all */
        return false;
    }
    r->bounded = true;
    r->left = st.st_size - at;
    f->src.bytes_read += (uint64_t)(at - from); /* passed: --progress sees them done */
    return true;
}

static bool file_step(PipeSource *s);

static inline void emit_line(PipeSource *s, const char *p, size_t n)
{
    PipeStr line = {p, n};
    s->input_line++;
    const PipeType *pair = s->step == file_step ? ((FileSrc *)s)->pair : NULL;
    if (RT_UNLIKELY(pair != NULL)) { /* files(glob, names: true) */
        char item[64] __attribute__((aligned(16)));
        *(PipeStr *)(item + pair->offsets[0]) = (PipeStr){s->input_name, strlen(s->input_name)};
        *(PipeStr *)(item + pair->offsets[1]) = line;
        pipe_emit(&s->node, item);
        return;
    }
    pipe_emit(&s->node, &line);
}

/* The literals a prefilter searches for: pf's, and the alternatives its node
 * registered after it (at most RT_PREFILTER_ALTS: pipe_rt_prefilter), each
 * with its next hit (NULL: not searched yet; lim: none before lim). */
typedef struct PfAlts {
    const RtPrefilter *v[RT_PREFILTER_ALTS];
    const char *hit[RT_PREFILTER_ALTS];
    int n;
} PfAlts;

static void pf_alts(PfAlts *A, const RtPrefilter *pf)
{
    A->n = 0;
    for (const RtPrefilter *q = pf; q && A->n < RT_PREFILTER_ALTS; q = q->next)
        if (q->node == pf->node) {
            A->hit[A->n] = NULL;
            A->v[A->n++] = q;
        }
}

/* The first hit of any literal at or after p, or NULL: each literal is
 * searched again only once its last hit lies behind p. */
static const char *pf_next(PfAlts *A, const char *p, const char *lim)
{
    const char *best = NULL;
    for (int k = 0; k < A->n; k++) {
        if (!A->hit[k] || (A->hit[k] < p && A->hit[k] != lim)) {
            const RtPrefilter *q = A->v[k];
            const char *h = pipe_memfind(p, (size_t)(lim - p), q->lit, q->n, q->rare);
            A->hit[k] = h ? h : lim;
        }
        if (A->hit[k] != lim && (!best || A->hit[k] < best))
            best = A->hit[k];
    }
    return best;
}

/* The complete lines of [p, lim) (lim just after a '\n') with one of the
 * prefilter's literals, as grep does: the literals are searched in the whole
 * region, and only the line around each hit is pushed; the lines skipped are
 * counted.  Stops early when the source no longer runs alone; returns where
 * it stopped. */
static char *prefilter_lines(PipeSource *s, const RtPrefilter *pf, char *p, char *lim)
{
    PipeRt *rt = s->node.rt;
    PipeNode *o = s->node.outs[0].node;
    bool first = true;
    PfAlts A;
    pf_alts(&A, pf);
    while (p < lim) {
        const char *h = A.n == 1 ? pipe_memfind(p, (size_t)(lim - p), pf->lit, pf->n, pf->rare) : pf_next(&A, p, lim);
        char *ls = lim;
        if (h) {
            ls = memrchr(p, '\n', (size_t)(h - p));
            ls = ls ? ls + 1 : p;
        }
        uint64_t skipped = pipe_count_byte(p, (size_t)(ls - p), '\n');
        s->input_line += (int64_t)skipped;
        s->node.items_out += skipped;
        o->items_in += skipped;
        if (!h)
            return lim;
        char *le = memchr(h, '\n', (size_t)(lim - h)); /* a literal holds no newline */
        if (!first)
            pipe_rt_item_done(rt);
        first = false;
        emit_line(s, ls, (size_t)(le - ls));
        p = le + 1;
        if (!RT_GO_ON(rt))
            break;
    }
    return p;
}

/* The output that the lines of s may go to in blocks, verbatim: the plan
 * found that s feeds only a plain str sink (stdin | stdout, PIPE_PLAN_COPY),
 * s runs alone and no hook is wrapped (--stats); else NULL. */
static PipeOut *block_out(PipeSource *s)
{
    PipeRt *rt = s->node.rt;
    if (!(s->node.flags & PIPE_PLAN_COPY) || !rt->solo || rt->stats || ((FileSrc *)s)->pair)
        return NULL;
    PipeNode *o = s->node.outs[0].node;
    return hdr(o)->ended ? NULL : pipe_sink_line_out(o);
}

/* file_step when the buffer holds more than --max-line-bytes from p on: the
 * complete lines of [p, end) one at a time, each checked against the limit
 * (no block or prefilter path, which do not look at each line). */
static bool emit_checked(FileSrc *f, char *p, char *end)
{
    Reader *r = &f->rd;
    PipeRt *rt = f->src.node.rt;
    char *nl;
    bool first = true;
    while ((first || RT_GO_ON(rt)) && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        if ((size_t)(nl - p) > r->max_line && line_too_long(f, p, (size_t)(nl - p))) {
            p = nl + 1; /* skipped by the source's error policy */
            continue;
        }
        if (!first)
            pipe_rt_item_done(rt);
        first = false;
        emit_line(&f->src, p, (size_t)(nl - p));
        p = nl + 1;
    }
    r->used = (size_t)(p - r->start);
    r->scanned = 0;
    return true;
}

/* Emits the next line; while the source is the only live one (rt->solo), every
 * complete line of the buffer, resetting scratch after each. */
static bool file_step(PipeSource *s)
{
    FileSrc *f = (FileSrc *)s;
    Reader *r = &f->rd;
    PipeRt *rt = s->node.rt;
    for (;;) {
        if (r->fd < 0) {
            if (f->next >= f->npaths)
                return false;
            open_input(f, f->paths[f->next++]);
        }
        char *p = r->start + r->used, *end = r->start + r->len;
        if (RT_UNLIKELY(r->skipping)) { /* the rest of a line that was too long */
            char *e = memchr(p, '\n', (size_t)(end - p));
            r->scanned = 0;
            if (e) {
                r->skipping = false;
                r->used = (size_t)(e + 1 - r->start);
            } else if (r->eof) {
                r->skipping = false;
                r->used = r->len;
                close_input(r);
            } else {
                r->used = r->len;
                refill(f);
            }
            continue;
        }
        char *nl = memchr(p + r->scanned, '\n', (size_t)(end - p) - r->scanned);
        if (nl) {
            if (RT_UNLIKELY((size_t)(end - p) > r->max_line)) /* a line here may be too long */
                return emit_checked(f, p, end);
            const RtPrefilter *pf = pipe_rt_prefilter(rt, s);
            if (pf) {
                char *lim = (char *)memrchr(nl, '\n', (size_t)(end - nl)) + 1;
                char *stop = prefilter_lines(s, pf, p, lim);
                r->used = (size_t)(stop - r->start);
                r->scanned = stop == lim ? (size_t)(end - lim) : 0;
                return true;
            }
            PipeOut *bo = block_out(s);
            if (bo) {
                char *lim = (char *)memrchr(nl, '\n', (size_t)(end - nl)) + 1;
                uint64_t k = pipe_count_byte(p, (size_t)(lim - p), '\n');
                s->input_line += (int64_t)k;
                s->node.items_out += k;
                s->node.outs[0].node->items_in += k;
                pipe_out_block(bo, p, (size_t)(lim - p));
                r->used = (size_t)(lim - r->start);
                r->scanned = (size_t)(end - lim);
                return true;
            }
            emit_line(s, p, (size_t)(nl - p));
            p = nl + 1;
            while (RT_GO_ON(rt) && (nl = memchr(p, '\n', (size_t)(end - p)))) {
                pipe_rt_item_done(rt);
                emit_line(s, p, (size_t)(nl - p));
                p = nl + 1;
            }
            r->used = (size_t)(p - r->start);
            r->scanned = 0;
            return true;
        }
        r->scanned = (size_t)(end - p);
        if (r->eof) {
            if ((size_t)(end - p) > r->max_line && line_too_long(f, p, (size_t)(end - p))) {
                r->used = r->len; /* skipped by the source's error policy */
                r->scanned = 0;
                continue;
            }
            if (p < end) { /* a last line without '\n' is still a line */
                r->used = r->len;
                r->scanned = 0;
                emit_line(s, p, (size_t)(end - p));
                return true;
            }
            close_input(r);
            continue;
        }
        if (!r->copy_tried && r->len == 0) {
            PipeOut *bo = block_out(s);
            if (bo ? copy_input(f, bo) : tail_skip(f))
                continue;
        }
        refill(f);
    }
}

static void file_free(PipeNode *n)
{
    FileSrc *f = (FileSrc *)n;
    uncounted_drop(f);
    close_input(&f->rd);
    free(f->rd.mem);
    for (size_t i = 0; i < f->npaths; i++)
        free(f->paths[i]);
    free(f->paths);
    free(f->name);
}

static FileSrc *file_src_new(PipeRt *rt, PipePos pos, const char *name)
{
    FileSrc *f = (FileSrc *)pipe_source_new(rt, sizeof(FileSrc), name, pos);
    f->src.step = file_step;
    f->src.node.free = file_free;
    f->src.node.out = &pipe_t_str;
    f->rd.fd = -1;
    f->count_fd = -1;
    f->rd.max_line = pipe_rt_max_line(rt);
    size_t cap = rt->read_size ? rt->read_size : RD_CAP;
    reader_alloc(&f->rd, cap < RD_MIN ? RD_MIN : cap > RD_CAP ? RD_CAP : cap);
    return f;
}

/* The lines of standard input; one source per run (using stdin twice fans out). */
PipeSource *pipe_src_stdin(PipeRt *rt, PipePos pos)
{
    if (rt->stdin_src)
        return rt->stdin_src;
    FileSrc *f = file_src_new(rt, pos, "stdin");
    rt->stdin_src = &f->src;
    if (rt->nin_files) { /* the files named on the command line, opened in turn ("-": stdin) */
        f->named = true;
        f->npaths = rt->nin_files;
        f->paths = pipe_xcalloc(f->npaths, sizeof *f->paths);
        for (size_t i = 0; i < f->npaths; i++)
            f->paths[i] = pipe_xstrndup(rt->in_files[i], strlen(rt->in_files[i]));
        f->name = pipe_xstrndup(f->paths[0], strlen(f->paths[0]));
        f->src.input_name = f->name;
        return &f->src;
    }
    struct stat st;
    f->rd.fd = 0;
    f->rd.own_fd = false;
    f->rd.regular = fstat(0, &st) == 0 && S_ISREG(st.st_mode);
    if (f->rd.regular) {
        off_t at = lseek(0, 0, SEEK_CUR);
        f->src.bytes_total = (uint64_t)(st.st_size - (at > 0 ? at : 0));
    }
    f->name = pipe_xstrndup("stdin", 5);
    f->src.input_name = f->name;
    f->src.is_file = f->rd.regular;
    if (f->rd.regular)
        pipe_rt_input_opened(rt, &f->src.node, &st, "stdin");
    return &f->src;
}

/* The lines of the file at path, opened now: an unreadable file is a runtime
 * error before anything runs. */
PipeSource *pipe_src_file(PipeRt *rt, PipePos pos, PipeStr path)
{
    FileSrc *f = file_src_new(rt, pos, "file");
    pipe_path_check_nul(&f->src.node, path);
    char *p = pipe_xstrndup(path.p ? path.p : "", path.n);
    f->name = p; /* freed by file_free should open_input fail; replaced otherwise */
    pipe_rt_check_path(rt, &f->src.node, path, PIPE_PATH_READ);
    open_input(f, p);
    return &f->src;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths matching pat (heap, freed here) into f; no match is a runtime error. */
static void files_glob(FileSrc *f, char *pat)
{
    glob_t g;
    int rc = pipe_rt_glob(f->src.node.rt, pat, &g);
    if (rc != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, rc == GLOB_NOMATCH ? "no file matches '%.500s'"
                                                     : "cannot expand '%.500s'", pat);
        free(pat);
        if (rc != GLOB_NOMATCH)
            globfree(&g);
        pipe_fail(&f->src.node, msg);
    }
    free(pat);
    f->npaths = g.gl_pathc;
    f->paths = pipe_xcalloc(g.gl_pathc, sizeof *f->paths);
    for (size_t i = 0; i < g.gl_pathc; i++)
        f->paths[i] = pipe_xstrndup(g.gl_pathv[i], strlen(g.gl_pathv[i]));
    globfree(&g);
}

/* The lines of every file matching the glob pattern, in byte order of their
 * names, one file after another.  No match, or an unreadable file, is a
 * runtime error before anything runs. */
PipeSource *pipe_src_files(PipeRt *rt, PipePos pos, const PipeType *out, PipeStr pattern, bool names)
{
    FileSrc *f = file_src_new(rt, pos, "files");
    if (names) {
        f->pair = out;
        f->src.node.out = out;
    }
    pipe_path_check_nul(&f->src.node, pattern);
    char *pat = pipe_xstrndup(pattern.p ? pattern.p : "", pattern.n);
    char *dir = pipe_glob_dir(pat, strlen(pat)); /* outside: one error, whatever it holds */
    f->name = dir; /* freed with f should the check fail */
    pipe_rt_check_path(rt, &f->src.node, (PipeStr){dir, strlen(dir)}, PIPE_PATH_GLOB);
    char **found = pipe_rt_sandbox_glob(rt, pat, &f->npaths);
    if (found) { /* globbed before the run was confined: the folders are closed now */
        free(pat);
        f->paths = pipe_xcalloc(f->npaths, sizeof *f->paths);
        for (size_t i = 0; i < f->npaths; i++)
            f->paths[i] = pipe_xstrndup(found[i], strlen(found[i]));
    } else {
        files_glob(f, pat);
    }
    qsort(f->paths, f->npaths, sizeof *f->paths, cmp_path);
    for (size_t i = 0; i < f->npaths; i++) { /* early errors; open_input enforces */
        struct stat st;
        pipe_rt_check_path(rt, &f->src.node, (PipeStr){f->paths[i], strlen(f->paths[i])}, PIPE_PATH_READ);
        int fd = pipe_rt_open(rt, f->paths[i], O_RDONLY | O_NONBLOCK, 0, PIPE_PATH_READ); /* a FIFO: no wait */
        int err = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
        if (fd >= 0)
            close(fd);
        if (err) {
            char msg[700];
            pipe_rt_open_error(rt, msg, sizeof msg, err == EISDIR ? "cannot read" : "cannot open", f->paths[i],
                               err, PIPE_PATH_READ);
            pipe_fail(&f->src.node, msg);
        }
    }
    f->src.input_name = f->npaths ? f->paths[0] : "files";
    return &f->src;
}

/* ------------------------------------------------------------------ range, lines */

typedef struct RangeSrc {
    PipeSource src;
    int64_t next, to;
} RangeSrc;

static bool range_step(PipeSource *s)
{
    RangeSrc *r = (RangeSrc *)s;
    PipeRt *rt = s->node.rt;
    if (r->next >= r->to)
        return false;
    do {
        int64_t v = r->next++;
        s->input_line++;
        pipe_emit(&s->node, &v);
        pipe_rt_item_done(rt);
    } while (RT_GO_ON(rt) && r->next < r->to);
    return true;
}

/* The ints from, from+1, ..., to-1. */
PipeSource *pipe_src_range(PipeRt *rt, PipePos pos, int64_t from, int64_t to)
{
    RangeSrc *r = (RangeSrc *)pipe_source_new(rt, sizeof(RangeSrc), "range", pos);
    r->src.step = range_step;
    r->src.node.out = &pipe_t_int;
    r->next = from;
    r->to = to;
    return &r->src;
}

typedef struct LinesSrc {
    PipeSource src;
    char *text;
    size_t n, pos;
} LinesSrc;

static bool lines_step(PipeSource *s)
{
    LinesSrc *l = (LinesSrc *)s;
    PipeRt *rt = s->node.rt;
    if (l->pos >= l->n)
        return false;
    do {
        char *p = l->text + l->pos, *nl = memchr(p, '\n', l->n - l->pos);
        size_t len = nl ? (size_t)(nl - p) : l->n - l->pos;
        l->pos += len + 1;
        emit_line(s, p, len);
        pipe_rt_item_done(rt);
    } while (RT_GO_ON(rt) && l->pos < l->n);
    return true;
}

static void lines_free(PipeNode *n)
{
    free(((LinesSrc *)n)->text);
}

/* The lines of text (a copy is kept); a final newline ends the last line. */
PipeSource *pipe_src_lines(PipeRt *rt, PipePos pos, PipeStr text)
{
    LinesSrc *l = (LinesSrc *)pipe_source_new(rt, sizeof(LinesSrc), "lines", pos);
    l->src.step = lines_step;
    l->src.node.free = lines_free;
    l->src.node.out = &pipe_t_str;
    l->text = pipe_xstrndup(text.p ? text.p : "", text.n);
    l->n = text.n;
    return &l->src;
}
